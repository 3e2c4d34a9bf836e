/* http.h: the HTTPS front of the central service on libmicrohttpd (GnuTLS), one thread per
 * connection so a long-poll never blocks other requests. It collects a bounded request
 * body, parses it as JSON, splits the path into segments, calls api_route() with the
 * Central lock held, and sends the HttpReply. Every error leaves as
 * {"error":{"code","message"}}. The Http object is owned by main.c. */
#ifndef CENTRAL_HTTP_H
#define CENTRAL_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "central.h"
#include "kerr.h"
#include "pki.h"

#define HTTP_BODY_MAX     (64 * 1024)       /* largest request body accepted */
#define HTTP_UPLOAD_MAX   (4 * 1024 * 1024) /* a PNG upload (a device's screenshot) */
#define HTTP_SEGS_MAX     8                 /* path segments, "/v1/a/b/c" is 4 */
#define HTTP_SEG_MAX      128               /* bytes in one path segment */
#define HTTP_CONN_LIMIT   256               /* simultaneous connections */
#define HTTP_CONN_TIMEOUT 120               /* seconds of idleness before a connection is closed */
#define HTTP_CN_MAX       64                /* bytes of a client certificate's CN we look at */

struct MHD_Connection;

/* One request as the handlers see it. Everything is borrowed for the handler's duration. */
typedef struct HttpRequest {
    Central *c;
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    const char *seg[HTTP_SEGS_MAX];
    int nseg;
    json_t *json; /* POST/PUT/PATCH body as an object ({} when empty), NULL for GET
                     and for an upload */
    /* An upload's bytes (http_is_upload routes only, Content-Type image/png): NULL
     * otherwise. */
    const unsigned char *upload;
    size_t upload_len;
    bool client_cert_ok; /* a client certificate was presented and verified */
    /* Read from that verified certificate: who it names, its serial, and whether the
     * device CA issued it. Empty strings without one. */
    char cert_cn[HTTP_CN_MAX + 1];
    char cert_serial[PKI_SERIAL_HEX_MAX + 1];
    bool cert_from_device_ca;
    /* Set by api_device_auth in mutual-TLS mode: the enrolled device the certificate
     * proves; "" in development mode. */
    char device_id[HTTP_CN_MAX + 1];
} HttpRequest;

/* What a handler answers. json and raw are owned by the HttpReply and freed after sending.
 * Status 204 sends no body (neither json nor raw). */
typedef struct HttpReply {
    unsigned status;
    json_t *json;
    unsigned char *raw;
    size_t raw_len;
    const char *content_type; /* for raw; static string */
    bool no_store;            /* a raw image that must not be cached (an enrollment code) */
    const char *header_name;  /* one extra header, static strings, or NULL */
    const char *header_value;
} HttpReply;

/* Sets a JSON reply, taking ownership of body. */
void http_reply_json(HttpReply *r, unsigned status, json_t *body);
/* Sets 204 No Content. */
void http_reply_empty(HttpReply *r);
/* Sets the error shape; code is machine-readable, the message human words. */
void http_reply_error(HttpReply *r, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Routes whose body is not JSON but an image/png upload of up to HTTP_UPLOAD_MAX bytes:
 * PUT /v1/devices/{id}/screenshot. */
bool http_is_upload(const char *method, const char *url);
/* A query-string argument, or NULL. Borrowed. */
const char *http_query(const HttpRequest *req, const char *name);
/* A request header, or NULL. Borrowed. */
const char *http_header(const HttpRequest *req, const char *name);

typedef struct Http Http;

typedef struct HttpConfig {
    const char *host; /* dotted IPv4 */
    unsigned port;
    const char *cert_pem, *key_pem; /* server certificate and key, PEM text */
    const char *client_ca_pem;      /* NULL: development mode, no client certificates */
} HttpConfig;

/* Starts serving; c is borrowed and must outlive the Http. */
KioskErr http_start(Central *c, const HttpConfig *cfg, Http **out);
/* The port actually bound (the one asked for, or the kernel's choice for port 0). */
unsigned http_port(const Http *h);
/* Stops accepting, wakes long-polls, waits for handlers. NULL is a no-op. */
void http_stop(Http *h);

#endif
