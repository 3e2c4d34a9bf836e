/* client_harness.c: see client_harness.h. CENTRAL_BIN and CLIENT_GEN_CERTS come from CMake.
 * Runs on the test thread, except the fake server's handler (libmicrohttpd's thread) and
 * ch_on_reply (the client's worker thread). */
#include "client_harness.h"

#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "token.h"

#define START_TIMEOUT_MS 30000
#define CALL_BODY_MAX    (4 * 1024 * 1024)
#define HUGE_BODY        (2 * 1024 * 1024) /* over CENTRAL_BODY_MAX */

long ch_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)(ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

void ch_path(const CentralProc *cp, const char *name, char *out, size_t size)
{
    int n = snprintf(out, size, "%s/%s", cp->dir, name);
    if (n < 0 || (size_t)n >= size)
        out[0] = '\0';
}

unsigned ch_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    unsigned port = 0;
    if (fd < 0)
        return 0;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

int ch_pki(CentralProc *cp)
{
    char cmd[CH_PATH_MAX * 2 + 16];
    memset(cp, 0, sizeof *cp);
    snprintf(cp->dir, sizeof cp->dir, "%s/client-test-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(cp->dir))
        return -1;
    snprintf(cmd, sizeof cmd, "'%s' '%s'", CLIENT_GEN_CERTS, cp->dir);
    if (system(cmd) != 0)
        return -1;
    ch_path(cp, "ca.pem", cp->ca, sizeof cp->ca);
    ch_path(cp, "other-ca.pem", cp->other_ca, sizeof cp->other_ca);
    ch_path(cp, "client.pem", cp->operator_cert, sizeof cp->operator_cert);
    ch_path(cp, "client-key.pem", cp->operator_key, sizeof cp->operator_key);
    ch_path(cp, "other-client.pem", cp->other_cert, sizeof cp->other_cert);
    ch_path(cp, "other-client-key.pem", cp->other_key, sizeof cp->other_key);
    return 0;
}

/* central with the device CA (enrollment signs with it); in mutual-TLS mode it trusts
 * client-cas.pem: the device CA for devices, the test CA for the operator's client.pem. */
static pid_t spawn(CentralProc *cp)
{
    char db[CH_PATH_MAX + 16], cert[CH_PATH_MAX + 16], key[CH_PATH_MAX + 16], log[CH_PATH_MAX + 16],
        dca[CH_PATH_MAX + 16], dca_key[CH_PATH_MAX + 16], client_cas[CH_PATH_MAX + 16], listen[32];
    ch_path(cp, "central.db", db, sizeof db);
    ch_path(cp, "server.pem", cert, sizeof cert);
    ch_path(cp, "server-key.pem", key, sizeof key);
    ch_path(cp, "central.log", log, sizeof log);
    ch_path(cp, "device-ca.pem", dca, sizeof dca);
    ch_path(cp, "device-ca-key.pem", dca_key, sizeof dca_key);
    ch_path(cp, "client-cas.pem", client_cas, sizeof client_cas);
    snprintf(listen, sizeof listen, "127.0.0.1:%u", cp->port);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = freopen(log, "a", stderr);
        (void)f;
        const char *argv[24];
        int n = 0;
        argv[n++] = CENTRAL_BIN;
        argv[n++] = "--db";
        argv[n++] = db;
        argv[n++] = "--listen";
        argv[n++] = listen;
        argv[n++] = "--tls-cert";
        argv[n++] = cert;
        argv[n++] = "--tls-key";
        argv[n++] = key;
        argv[n++] = "--tls-ca";
        argv[n++] = cp->ca;
        argv[n++] = "--seed";
        argv[n++] = "demo";
        argv[n++] = "--device-ca-cert";
        argv[n++] = dca;
        argv[n++] = "--device-ca-key";
        argv[n++] = dca_key;
        if (cp->mtls) {
            argv[n++] = "--client-ca";
            argv[n++] = client_cas;
        }
        argv[n] = NULL;
        execv(CENTRAL_BIN, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static void print_log(const CentralProc *cp)
{
    char path[CH_PATH_MAX + 16], line[512];
    ch_path(cp, "central.log", path, sizeof path);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    fprintf(stderr, "--- central.log ---\n");
    while (fgets(line, sizeof line, f))
        fputs(line, stderr);
    fclose(f);
}

static int start(CentralProc *cp, bool mtls)
{
    if (ch_pki(cp) != 0)
        return -1;
    cp->mtls = mtls;
    for (int attempt = 0; attempt < 3; attempt++) {
        cp->port = ch_free_port();
        snprintf(cp->base, sizeof cp->base, "https://127.0.0.1:%u", cp->port);
        cp->pid = spawn(cp);
        if (cp->pid < 0)
            return -1;
        for (long waited = 0; waited < START_TIMEOUT_MS; waited += 50) {
            int status = 0;
            if (waitpid(cp->pid, &status, WNOHANG) == cp->pid) {
                cp->pid = 0;
                break; /* the port was taken, or a real failure */
            }
            if (ch_call(cp, "GET", "/v1/stores", NULL, NULL) == 200)
                return 0;
            usleep(50 * 1000);
        }
        if (cp->pid > 0) {
            kill(cp->pid, SIGKILL);
            waitpid(cp->pid, NULL, 0);
            cp->pid = 0;
        }
    }
    print_log(cp);
    return -1;
}

int ch_central_start(CentralProc *cp)
{
    return start(cp, false);
}

int ch_central_start_mtls(CentralProc *cp)
{
    return start(cp, true);
}

void ch_central_stop(CentralProc *cp)
{
    char cmd[CH_PATH_MAX + 16];
    if (cp->pid > 0) {
        int status = 0;
        kill(cp->pid, SIGTERM);
        for (int i = 0; i < 100 && waitpid(cp->pid, &status, WNOHANG) == 0; i++)
            usleep(50 * 1000);
        if (waitpid(cp->pid, &status, WNOHANG) == 0) {
            kill(cp->pid, SIGKILL);
            waitpid(cp->pid, &status, 0);
        }
        cp->pid = 0;
    }
    if (cp->dir[0] && !getenv("KEEP_CLIENT_TEST_DIR")) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", cp->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "harness: could not remove %s\n", cp->dir);
    }
}

typedef struct Buf {
    char *data;
    size_t len;
} Buf;

static size_t on_data(char *data, size_t size, size_t n, void *ud)
{
    Buf *b = ud;
    size_t len = size * n;
    if (b->len + len > CALL_BODY_MAX)
        return 0;
    char *grown = realloc(b->data, b->len + len + 1);
    if (!grown)
        return 0;
    b->data = grown;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return len;
}

long ch_call(const CentralProc *cp, const char *method, const char *path, const char *body,
             json_t **out)
{
    return ch_call_as(cp, cp->operator_cert, cp->operator_key, method, path, body, out);
}

long ch_call_as(const CentralProc *cp, const char *cert, const char *key, const char *method,
                const char *path, const char *body, json_t **out)
{
    char url[1024];
    Buf b = {0};
    long status = 0;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    CURL *e = curl_easy_init();
    if (out)
        *out = NULL;
    snprintf(url, sizeof url, "%s%s", cp->base, path);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_CAINFO, cp->ca);
    curl_easy_setopt(e, CURLOPT_CAPATH, (char *)NULL);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
    if (cert) {
        curl_easy_setopt(e, CURLOPT_SSLCERT, cert);
        curl_easy_setopt(e, CURLOPT_SSLKEY, key);
    }
    if (body)
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    if (curl_easy_perform(e) == CURLE_OK)
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    if (out && b.data)
        *out = json_loads(b.data, 0, NULL);
    curl_easy_cleanup(e);
    curl_slist_free_all(h);
    free(b.data);
    return status;
}

/* --- devices ------------------------------------------------------------------------------ */

int ch_enrollment_code(const CentralProc *cp, const char *store, const char *kind,
                       char code[CH_CODE_MAX])
{
    json_t *req = json_pack("{s:s,s:s}", "store", store, "kind", kind), *reply = NULL;
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    int rc = -1;
    json_decref(req);
    if (!body)
        return -1;
    long status = ch_call(cp, "POST", "/v1/admin/enrollment-codes", body, &reply);
    const char *c = json_string_value(json_object_get(reply, "code"));
    if (status == 201 && c && strlen(c) < CH_CODE_MAX) {
        memcpy(code, c, strlen(c) + 1);
        rc = 0;
    } else {
        char *text = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
        fprintf(stderr, "harness: enrollment code for %s/%s: HTTP %ld %s\n", store, kind, status,
                text ? text : "");
        free(text);
    }
    free(body);
    json_decref(reply);
    return rc;
}

static void ignore_reply(const CentralReply *reply, void *ctx)
{
    (void)reply;
    (void)ctx;
}

/* The device_id.h record of an enrollment reply (expires_at comes from the certificate). */
static char *enrollment_record(const CentralEnrollment *e, const char *kind, int64_t now)
{
    json_t *pin = json_loads(e->service_pin[0] ? e->service_pin : "null", JSON_DECODE_ANY, NULL);
    if (!pin)
        return NULL;
    json_int_t heartbeat = e->heartbeat_seconds >= DEVICE_ID_HEARTBEAT_MIN &&
                                   e->heartbeat_seconds <= DEVICE_ID_HEARTBEAT_MAX
                               ? (json_int_t)e->heartbeat_seconds
                               : 60;
    json_t *rec = json_pack("{s:s,s:s,s:s,s:I,s:o,s:I}", "device_id", e->device_id, "store",
                            e->store, "kind", e->kind[0] ? e->kind : kind, "enrolled_at",
                            (json_int_t)now, "service_pin", pin, "heartbeat_seconds", heartbeat);
    char *text = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
    json_decref(rec);
    return text;
}

int ch_enroll(const CentralProc *cp, const char *store, const char *kind, const char *serial,
              ChDevice *dev)
{
    char code[CH_CODE_MAX], name[CH_PATH_MAX / 2], *csr = NULL, *record = NULL;
    CentralReply *reply = calloc(1, sizeof *reply);
    CentralRequest *req = calloc(1, sizeof *req);
    CentralClient *client = NULL;
    KioskErr err = KIOSK_OK;
    int rc = -1;
    memset(dev, 0, sizeof *dev);
    if (!reply || !req)
        goto out;
    snprintf(name, sizeof name, "device-%s", serial);
    ch_path(cp, name, dev->dir, sizeof dev->dir);
    dev->id = device_id_open(dev->dir, &err);
    if (!dev->id) {
        fprintf(stderr, "harness: device_id_open %s: %s\n", dev->dir, kerr_name(err));
        goto out;
    }
    if (ch_enrollment_code(cp, store, kind, code) != 0)
        goto out;
    err = device_id_csr(dev->id, serial, &csr);
    if (err != KIOSK_OK || strlen(csr) >= sizeof req->u.enroll.csr) {
        fprintf(stderr, "harness: device_id_csr: %s\n", kerr_name(err));
        goto out;
    }

    /* The enrollment itself, as the device does it: no client certificate yet. */
    CentralConfig cfg = ch_config(cp->base, cp->ca);
    cfg.store_id = NULL;
    client = central_create(&cfg, ignore_reply, NULL, &err);
    if (!client) {
        fprintf(stderr, "harness: central_create: %s\n", kerr_name(err));
        goto out;
    }
    req->kind = CENTRAL_ENROLL;
    snprintf(req->u.enroll.serial, sizeof req->u.enroll.serial, "%s", serial);
    snprintf(req->u.enroll.code, sizeof req->u.enroll.code, "%s", code);
    snprintf(req->u.enroll.kind, sizeof req->u.enroll.kind, "%s", kind);
    snprintf(req->u.enroll.version, sizeof req->u.enroll.version, "0.1.0");
    memcpy(req->u.enroll.csr, csr, strlen(csr) + 1);
    err = central_call(client, req, reply);
    if (err != KIOSK_OK || reply->result != CENTRAL_OK) {
        fprintf(stderr, "harness: enroll %s: %s, %s (HTTP %ld %s)\n", serial, kerr_name(err),
                central_result_name(reply->result), reply->http_status, reply->error_code);
        goto out;
    }

    const CentralEnrollment *e = &reply->payload.enrollment;
    int64_t now = (int64_t)time(NULL);
    record = enrollment_record(e, kind, now);
    err = record ? device_id_store_enrollment(dev->id, e->certificate, record, now) : KIOSK_E_NOMEM;
    if (err != KIOSK_OK) {
        fprintf(stderr, "harness: device_id_store_enrollment: %s\n", kerr_name(err));
        goto out;
    }
    snprintf(dev->device_id, sizeof dev->device_id, "%s", e->device_id);
    snprintf(dev->store, sizeof dev->store, "%s", e->store);
    snprintf(dev->kind, sizeof dev->kind, "%s", e->kind);
    dev->cert = device_id_cert_path(dev->id);
    dev->key = device_id_key_path(dev->id);
    rc = dev->cert && dev->key ? 0 : -1;
out:
    central_destroy(client);
    if (reply)
        central_reply_clear(reply);
    free(reply);
    free(req);
    free(csr);
    free(record);
    if (rc != 0)
        ch_device_close(dev);
    return rc;
}

void ch_device_close(ChDevice *dev)
{
    device_id_close(dev->id);
    dev->id = NULL;
    dev->cert = dev->key = NULL;
}

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int ch_mint(const CentralProc *cp, const char *member, const char *uid_hex, char *text, size_t size)
{
    char key[CH_PATH_MAX + 32];
    uint8_t uid[TOKEN_UID_MAX], bin[TOKEN_BIN_MAX];
    size_t uid_len = strlen(uid_hex) / 2, len = 0;
    uint32_t now = (uint32_t)time(NULL);
    if (uid_len > TOKEN_UID_MAX)
        return -1;
    for (size_t i = 0; i < uid_len; i++)
        uid[i] = (uint8_t)(hex_nibble(uid_hex[2 * i]) << 4 | hex_nibble(uid_hex[2 * i + 1]));
    ch_path(cp, "demo-loyalty-key.pem", key, sizeof key);
    if (token_mint(key, TOKEN_ROLE_MEMBER, member, uid, uid_len, now - 60, now + 3600, bin, &len) !=
        KIOSK_OK)
        return -1;
    return token_to_text(bin, len, text, size) == KIOSK_OK ? 0 : -1;
}

int ch_demo_member(const CentralProc *cp, size_t i, char *id, size_t size)
{
    char path[CH_PATH_MAX + 32];
    int rc = -1;
    ch_path(cp, "demo-members.json", path, sizeof path);
    json_t *list = json_load_file(path, 0, NULL);
    const char *s = json_string_value(json_object_get(json_array_get(list, i), "id"));
    if (s && strlen(s) < size) {
        memcpy(id, s, strlen(s) + 1);
        rc = 0;
    }
    json_decref(list);
    return rc;
}

int ch_silent_start(SilentListener *s)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (s->fd < 0)
        return -1;
    if (bind(s->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(s->fd, 64) != 0 ||
        getsockname(s->fd, (struct sockaddr *)&a, &len) != 0) {
        close(s->fd);
        return -1;
    }
    s->port = ntohs(a.sin_port);
    return 0;
}

void ch_silent_stop(SilentListener *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

/* --- the fake TLS server ------------------------------------------------------------------ */

#define GOOD_MEMBER                                                                                \
    "{\"id\":\"M1\",\"display_name\":\"Ann\",\"language\":\"en\",\"tier\":\"gold\","               \
    "\"points\":10}"

/* Path -> reply. A route's first entry is its path; hits are counted per route. */
static const char *const routes[] = {
    "/v1/members/M500",     /* 0: 500 with an error body, every time */
    "/v1/members/Mflaky",   /* 1: 503 on the first hit, then a good member */
    "/v1/members/Mtrunc",   /* 2: 200, JSON cut short */
    "/v1/members/Mtypes",   /* 3: 200, points is a string */
    "/v1/members/Mhuge",    /* 4: 200, 2 MiB with Content-Length */
    "/v1/members/Mstream",  /* 5: 200, 2 MiB chunked (no length) */
    "/v1/members/Mdeep",    /* 6: 200, nested 100000 deep */
    "/v1/members/Mgone",    /* 7: 404 member_not_found */
    "/v1/members/Mredir",   /* 8: 302 to plain http */
    "/v1/pairings",         /* 9: POST -> 500 (a non-idempotent POST is never retried) */
    "/v1/members/Mhtml",    /* 10: 502 with an HTML body */
    "/v1/members/Mnull",    /* 11: 200, the JSON text null */
    "/v1/orders",           /* 12: POST -> 500 once, then 201 (orders are retried) */
    "/v1/images/Vjson.png", /* 13: 200, a JSON body as application/json, not a picture */
    "/v1/images/Vhuge.png", /* 14: 200 image/png, over CENTRAL_IMAGE_MAX (under BODY_MAX) */
    "/v1/images/Vtiny.png", /* 15: 200 image/png, a good small picture */
    "/v1/handoffs",         /* 16: POST -> 500 (a hand-off is not retried) */
};
#define ROUTE_COUNT (sizeof routes / sizeof routes[0])
#define IMAGE_HUGE  (CENTRAL_IMAGE_MAX + 64 * 1024)

static const unsigned char TINY_PNG[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                         0,    0,   0,   13,  'I',  'H',  'D',  'R'};

static ssize_t stream_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    if (pos >= HUGE_BODY)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = max < 4096 ? max : 4096;
    memset(buf, ' ', n);
    if (pos == 0)
        buf[0] = '{';
    return (ssize_t)n;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **state)
{
    static int marker;
    FakeServer *f = cls;
    struct MHD_Response *resp = NULL;
    unsigned status = 200;
    int route = -1, hit;
    const char *text = NULL;
    char *owned = NULL;
    enum MHD_Result rc;
    (void)version;
    (void)method;
    (void)upload;
    if (*state == NULL) {
        *state = &marker;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0; /* bodies are not looked at */
        return MHD_YES;
    }
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        if (strcmp(url, routes[i]) == 0)
            route = (int)i;
    }
    hit = route >= 0 ? atomic_fetch_add(&f->hits[route], 1) : 0;
    switch (route) {
    case 0:
        status = 500;
        text = "{\"error\":{\"code\":\"internal\",\"message\":\"boom\"}}";
        break;
    case 1:
        status = hit == 0 ? 503 : 200;
        text = hit == 0 ? "{\"error\":{\"code\":\"busy\",\"message\":\"later\"}}" : GOOD_MEMBER;
        break;
    case 2:
        text = "{\"id\":\"M1\",\"display_name\":\"An";
        break;
    case 3:
        text = "{\"id\":\"M1\",\"display_name\":\"Ann\",\"language\":\"en\",\"tier\":\"gold\","
               "\"points\":\"lots\"}";
        break;
    case 4:
        owned = malloc(HUGE_BODY);
        if (owned) {
            memset(owned, ' ', HUGE_BODY);
            owned[0] = '{';
            owned[HUGE_BODY - 1] = '}';
        }
        break;
    case 5:
        resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_cb, NULL, NULL);
        break;
    case 6:
        owned = malloc(200001);
        if (owned) {
            memset(owned, '[', 100000);
            memset(owned + 100000, ']', 100000);
            owned[200000] = '\0';
        }
        break;
    case 7:
        status = 404;
        text = "{\"error\":{\"code\":\"member_not_found\",\"message\":\"No member\"}}";
        break;
    case 8:
        status = 302;
        text = "";
        break;
    case 9:
        status = 500;
        text = "{\"error\":{\"code\":\"internal\",\"message\":\"boom\"}}";
        break;
    case 10:
        status = 502;
        text = "<html><body>Bad gateway</body></html>";
        break;
    case 11:
        text = "null";
        break;
    case 12:
        status = hit == 0 ? 500 : 201;
        text = hit == 0 ? "{\"error\":{\"code\":\"internal\",\"message\":\"boom\"}}"
                        : "{\"id\":\"O1\",\"number\":\"K-1\",\"member\":\"M1\",\"status\":"
                          "\"confirmed\",\"totals\":{\"subtotal_cents\":100,\"discount_cents\":0,"
                          "\"shipping_cents\":0,\"tax_cents\":10,\"total_cents\":110,"
                          "\"currency\":\"USD\"},\"items\":[{\"variant\":\"V1\",\"name\":\"Sock\","
                          "\"qty\":1,\"unit_price_cents\":100}]}";
        break;
    case 13:
        text = "{\"id\":\"V1\"}";
        break;
    case 14:
        owned = calloc(1, IMAGE_HUGE);
        if (owned)
            memcpy(owned, TINY_PNG, sizeof TINY_PNG);
        break;
    case 15:
        resp = MHD_create_response_from_buffer(sizeof TINY_PNG, (void *)TINY_PNG,
                                               MHD_RESPMEM_PERSISTENT);
        break;
    case 16:
        status = 500;
        text = "{\"error\":{\"code\":\"internal\",\"message\":\"boom\"}}";
        break;
    default:
        status = 404;
        text = "{\"error\":{\"code\":\"not_found\",\"message\":\"no route\"}}";
        break;
    }
    if (!resp && owned)
        resp = MHD_create_response_from_buffer(route == 6    ? 200000
                                               : route == 14 ? IMAGE_HUGE
                                                             : HUGE_BODY,
                                               owned, MHD_RESPMEM_MUST_FREE);
    else if (!resp)
        resp = MHD_create_response_from_buffer(text ? strlen(text) : 0, (void *)(text ? text : ""),
                                               MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type",
                            route == 14 || route == 15 ? "image/png" : "application/json");
    if (route == 8)
        MHD_add_response_header(resp, "Location", "http://127.0.0.1:1/v1/members/M1");
    rc = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
        data = calloc(1, (size_t)n + 1);
        if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
            free(data);
            data = NULL;
        }
    }
    fclose(f);
    return data;
}

int ch_fake_start(FakeServer *f, const CentralProc *pki)
{
    char path[CH_PATH_MAX + 32];
    const union MHD_DaemonInfo *info;
    memset(f, 0, sizeof *f);
    ch_path(pki, "server.pem", path, sizeof path);
    f->cert = slurp(path);
    ch_path(pki, "server-key.pem", path, sizeof path);
    f->key = slurp(path);
    if (!f->cert || !f->key)
        return -1;
    f->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS | MHD_USE_THREAD_PER_CONNECTION, 0, NULL,
        NULL, handler, f, MHD_OPTION_HTTPS_MEM_CERT, f->cert, MHD_OPTION_HTTPS_MEM_KEY, f->key,
        MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&(struct sockaddr_in){.sin_family = AF_INET,
                                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)},
        MHD_OPTION_END);
    if (!f->daemon)
        return -1;
    info = MHD_get_daemon_info(f->daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (!info)
        return -1;
    f->port = info->port;
    snprintf(f->base, sizeof f->base, "https://127.0.0.1:%u", f->port);
    return 0;
}

void ch_fake_stop(FakeServer *f)
{
    if (f->daemon)
        MHD_stop_daemon(f->daemon);
    f->daemon = NULL;
    free(f->cert);
    free(f->key);
    f->cert = f->key = NULL;
}

int ch_fake_hits(FakeServer *f, const char *path)
{
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        if (strcmp(path, routes[i]) == 0)
            return atomic_load(&f->hits[i]);
    }
    return -1;
}

/* --- replies ------------------------------------------------------------------------------ */

void replies_init(Replies *r)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
}

void replies_deinit(Replies *r)
{
    for (size_t i = 0; i < r->count; i++) {
        central_reply_clear(r->items[i]);
        free(r->items[i]);
    }
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->lock);
}

void ch_on_reply(const CentralReply *reply, void *ctx)
{
    Replies *r = ctx;
    CentralReply *copy = malloc(sizeof *copy);
    if (!copy)
        abort();
    if (central_reply_copy(copy, reply) != KIOSK_OK) /* an image's bytes are borrowed */
        abort();
    pthread_mutex_lock(&r->lock);
    if (r->count < REPLIES_MAX)
        r->items[r->count++] = copy;
    else {
        central_reply_clear(copy);
        free(copy);
    }
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

const CentralReply *replies_wait(Replies *r, uint32_t id, int timeout_ms)
{
    struct timespec deadline;
    const CentralReply *found = NULL;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&r->lock);
    for (;;) {
        for (size_t i = 0; i < r->count && !found; i++) {
            if (r->items[i]->id == id)
                found = r->items[i];
        }
        if (found || pthread_cond_timedwait(&r->cond, &r->lock, &deadline) != 0)
            break;
    }
    if (!found) {
        for (size_t i = 0; i < r->count && !found; i++) {
            if (r->items[i]->id == id)
                found = r->items[i];
        }
    }
    pthread_mutex_unlock(&r->lock);
    return found;
}

size_t replies_count(Replies *r)
{
    pthread_mutex_lock(&r->lock);
    size_t n = r->count;
    pthread_mutex_unlock(&r->lock);
    return n;
}

CentralConfig ch_config(const char *base_url, const char *ca)
{
    CentralConfig cfg = {
        .base_url = base_url,
        .ca_file = ca,
        .connect_timeout_ms = 3000,
        .total_timeout_ms = 10000,
        .max_attempts = 3,
        .store_id = "sea-ballard",
        .device_id = NULL,
    };
    return cfg;
}
