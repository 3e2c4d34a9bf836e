/* http.c: see http.h. libmicrohttpd calls on_request several times per request (headers,
 * body chunks, end); ConnState carries the body between calls and is freed by
 * on_completed. Handlers run on the connection's own thread under Central.lock. */
#include "http.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "log.h"

struct Http {
    struct MHD_Daemon *daemon;
    Central *c;
};

typedef struct ConnState {
    char *body;
    size_t len, cap, max; /* max: HTTP_BODY_MAX, or HTTP_UPLOAD_MAX for an upload */
    bool too_big;
} ConnState;

void http_reply_json(HttpReply *r, unsigned status, json_t *body)
{
    json_decref(r->json);
    r->status = status;
    r->json = body;
}

void http_reply_empty(HttpReply *r)
{
    json_decref(r->json);
    r->json = NULL;
    r->status = 204;
}

void http_reply_error(HttpReply *r, unsigned status, const char *code, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Messages may quote the client's input (a parser's "near '...'"): keep them printable
     * ASCII so they are always valid JSON strings. */
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            *p = '?';
    http_reply_json(r, status, json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg));
}

const char *http_query(const HttpRequest *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(const HttpRequest *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, HttpReply *r)
{
    struct MHD_Response *resp = NULL;
    const char *type = "application/json; charset=utf-8";
    if (r->status == 204) {
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        type = NULL;
    } else if (r->raw) {
        resp = MHD_create_response_from_buffer(r->raw_len, r->raw, MHD_RESPMEM_MUST_FREE);
        r->raw = NULL;
        type = r->content_type ? r->content_type : "application/octet-stream";
    } else {
        if (!r->json)
            http_reply_error(r, 500, "internal", "The handler gave no answer");
        char *text = json_dumps(r->json, JSON_COMPACT | JSON_REAL_PRECISION(10));
        if (!text)
            return MHD_NO;
        resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    }
    if (!resp)
        return MHD_NO;
    if (type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    /* Images never change for an id; everything else may hold member data. */
    bool image = type && strncmp(type, "image/", 6) == 0 && !r->no_store;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                            image ? "public, max-age=86400" : "no-store");
    if (r->header_name && r->header_value)
        MHD_add_response_header(resp, r->header_name, r->header_value);
    enum MHD_Result ret = MHD_queue_response(conn, r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Fills the request's certificate fields when the client presented a certificate that
 * verifies against the --client-ca trust list. Who it names is for api_device_auth and
 * api_admin_auth to judge; an unverified one counts as none. */
static void client_cert_identity(const Central *c, struct MHD_Connection *conn, HttpRequest *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (!ci || !ci->tls_session)
        return;
    gnutls_session_t session = (gnutls_session_t)ci->tls_session;
    unsigned n = 0, status = 0;
    const gnutls_datum_t *peers = gnutls_certificate_get_peers(session, &n);
    if (!peers || n == 0)
        return;
    /* The chain, the dates, and the purpose: a server's certificate from a trusted CA is no
     * client's. */
    gnutls_typed_vdata_st purpose = {.type = GNUTLS_DT_KEY_PURPOSE_OID,
                                     .data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT};
    if (gnutls_certificate_verify_peers(session, &purpose, 1, &status) != GNUTLS_E_SUCCESS ||
        status != 0)
        return;
    req->client_cert_ok = true;
    if (!pki_cert_identity(peers[0].data, peers[0].size, req->cert_cn, sizeof req->cert_cn,
                           req->cert_serial))
        return;
    req->cert_from_device_ca =
        c->device_ca && pki_ca_issued(c->device_ca, peers[0].data, peers[0].size);
}

bool http_is_upload(const char *method, const char *url)
{
    static const char prefix[] = "/v1/devices/", suffix[] = "/screenshot";
    size_t n = strlen(url), p = sizeof prefix - 1, q = sizeof suffix - 1;
    if (strcmp(method, "PUT") != 0 || n <= p + q || strncmp(url, prefix, p) != 0 ||
        strcmp(url + n - q, suffix) != 0)
        return false;
    return memchr(url + p, '/', n - p - q) == NULL; /* one segment: the device id */
}

static int split_path(const char *url, char *buf, size_t size, const char **seg)
{
    size_t n = strlen(url);
    if (n >= size)
        return -1;
    memcpy(buf, url, n + 1);
    int count = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (count == HTTP_SEGS_MAX || strlen(tok) > HTTP_SEG_MAX)
            return -1;
        seg[count++] = tok;
    }
    return count;
}

static void handle(Http *h, struct MHD_Connection *conn, const char *url, const char *method,
                   ConnState *cs, HttpReply *r)
{
    char pathbuf[HTTP_SEGS_MAX * (HTTP_SEG_MAX + 1) + 1];
    HttpRequest req = {.c = h->c, .conn = conn, .method = method, .path = url};
    json_error_t jerr;

    req.nseg = split_path(url, pathbuf, sizeof pathbuf, req.seg);
    if (req.nseg < 0) {
        http_reply_error(r, 404, "not_found", "No such resource");
        return;
    }
    if (cs->too_big) {
        http_reply_error(r, 413, "body_too_large", "The request body is over %zu bytes", cs->max);
        return;
    }
    if (http_is_upload(method, url)) {
        const char *type =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        if (!type || strncmp(type, "image/png", 9) != 0 || (type[9] && type[9] != ';')) {
            http_reply_error(r, 415, "unsupported_media_type", "The body must be image/png");
            return;
        }
        req.upload = (const unsigned char *)(cs->body ? cs->body : "");
        req.upload_len = cs->len;
    } else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
               strcmp(method, "PATCH") == 0) {
        if (cs->len == 0) {
            req.json = json_object();
        } else {
            req.json = json_loadb(cs->body, cs->len, JSON_REJECT_DUPLICATES, &jerr);
            if (!req.json) {
                http_reply_error(r, 400, "invalid_json", "The body is not valid JSON: %s (at %d)",
                                 jerr.text, jerr.position);
                return;
            }
            if (!json_is_object(req.json)) {
                json_decref(req.json);
                http_reply_error(r, 400, "invalid_json", "The body must be a JSON object");
                return;
            }
        }
    }
    if (h->c->require_client_cert)
        client_cert_identity(h->c, conn, &req);

    pthread_mutex_lock(&h->c->lock);
    api_route(&req, r);
    pthread_mutex_unlock(&h->c->lock);
    json_decref(req.json);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    Http *h = cls;
    ConnState *cs = *con_cls;
    if (!cs) {
        cs = calloc(1, sizeof *cs);
        if (!cs)
            return MHD_NO;
        *con_cls = cs;
        cs->max = http_is_upload(method, url) ? HTTP_UPLOAD_MAX : HTTP_BODY_MAX;
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > cs->max) {
            /* Refuse before reading: libmicrohttpd closes the connection after replying. */
            HttpReply r = {0};
            http_reply_error(&r, 413, "body_too_large", "The request body is over %zu bytes",
                             cs->max);
            enum MHD_Result ret = send_reply(conn, &r);
            json_decref(r.json);
            log_info("http", "%s %s -> 413", method, url);
            return ret;
        }
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (cs->too_big || cs->len + n > cs->max) {
            cs->too_big = true; /* keep draining; the reply comes at the end */
            return MHD_YES;
        }
        if (cs->len + n + 1 > cs->cap) { /* doubling: an upload comes in many chunks */
            size_t cap = cs->cap ? cs->cap : 1024;
            while (cap < cs->len + n + 1)
                cap *= 2;
            char *grown = realloc(cs->body, cap);
            if (!grown)
                return MHD_NO;
            cs->body = grown;
            cs->cap = cap;
        }
        memcpy(cs->body + cs->len, upload_data, n);
        cs->len += n;
        cs->body[cs->len] = '\0';
        return MHD_YES;
    }
    HttpReply r = {0};
    handle(h, conn, url, method, cs, &r);
    enum MHD_Result ret = send_reply(conn, &r);
    log_info("http", "%s %s -> %u", method, url, r.status);
    json_decref(r.json);
    free(r.raw);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    ConnState *cs = *con_cls;
    if (cs) {
        free(cs->body);
        free(cs);
        *con_cls = NULL;
    }
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decoding for paths and query arguments that never produces a NUL or a '/': those
 * stay escaped ("%00"), so "/v1/products/P0001%00" cannot pass for "/v1/products/P0001"
 * and "%2F" cannot add a path segment. Decodes in place; returns the new length. */
static size_t on_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        int hi = r[0] == '%' ? hex_value(r[1]) : -1;
        int lo = hi >= 0 ? hex_value(r[2]) : -1;
        int byte = hi >= 0 && lo >= 0 ? hi * 16 + lo : -1;
        if (byte > 0 && byte != '/') {
            *w++ = (char)byte;
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == '\n')
        msg[--n] = '\0';
    log_debug("mhd", "%s", msg);
}

KioskErr http_start(Central *c, const HttpConfig *cfg, Http **out)
{
    KioskErr err = KIOSK_OK;
    Http *h = calloc(1, sizeof *h);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port)};
    if (!h)
        return KIOSK_E_NOMEM;
    h->c = c;
    if (inet_pton(AF_INET, cfg->host, &addr.sin_addr) != 1) {
        log_error("http", "not an IPv4 address: %s", cfg->host);
        err = KIOSK_E_CONFIG;
        goto out;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_TLS |
                     MHD_USE_ERROR_LOG;
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)cfg->cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)cfg->key_pem},
        {MHD_OPTION_SOCK_ADDR, 0, &addr},
        {MHD_OPTION_CONNECTION_LIMIT, HTTP_CONN_LIMIT, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, HTTP_CONN_TIMEOUT, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL},
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, NULL},
        {MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)on_unescape, NULL},
        /* Without a client CA this entry ends the list early: development mode. */
        {cfg->client_ca_pem ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, 0,
         (void *)cfg->client_ca_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    h->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h, MHD_OPTION_ARRAY, opts,
                                 MHD_OPTION_END);
    if (!h->daemon) {
        log_error("http", "cannot listen on %s:%u (port in use, or bad certificate/key)", cfg->host,
                  cfg->port);
        err = KIOSK_E_IO;
        goto out;
    }
out:
    if (err != KIOSK_OK) {
        free(h);
        h = NULL;
    }
    *out = h;
    return err;
}

unsigned http_port(const Http *h)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

void http_stop(Http *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->c->lock);
    h->c->stopping = true;
    pthread_cond_broadcast(&h->c->changed);
    pthread_mutex_unlock(&h->c->lock);
    MHD_stop_daemon(h->daemon);
    free(h);
}
