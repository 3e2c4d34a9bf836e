/* central.h: the device's client of the central service (docs/api.md, docs/client.md).
 * One worker thread per client runs libcurl's multi interface: several transfers at once (a
 * pairing long-poll never holds up a stock lookup), retries with backoff for idempotent
 * requests, bounded bodies, TLS verification always on. Any thread submits typed requests and
 * gets an id back at once; the reply comes to on_reply on the worker thread as plain decoded
 * structs (central_decode.h), never raw JSON. The client owns its copies of the config and of
 * every request; a reply is borrowed for the duration of the callback only.
 * The process calls curl_global_init(CURL_GLOBAL_DEFAULT) once before the first
 * central_create (main, or a test's main) and curl_global_cleanup after the last destroy. */
#ifndef KIOSK_CENTRAL_H
#define KIOSK_CENTRAL_H

#include <stdbool.h>
#include <stdint.h>

#include "central_decode.h"
#include "kerr.h"

#define CENTRAL_QUEUE_MAX       32   /* requests outstanding (queued, running or backing off) */
#define CENTRAL_INFLIGHT_MAX    8    /* transfers running at once */
#define CENTRAL_ATTEMPTS_MAX    3    /* default tries of an idempotent request */
#define CENTRAL_BACKOFF_BASE_MS 250  /* first retry after 125..250 ms, doubling each time */
#define CENTRAL_BACKOFF_CAP_MS  8000 /* never wait longer than this between tries */
#define CENTRAL_POLL_WAIT_MAX   60   /* seconds a pairing poll may be held (the API's bound) */
#define CENTRAL_TOKEN_MAX       300  /* member token text form (TOKEN_TEXT_MAX) */
#define CENTRAL_UID_HEX_MAX     20   /* a 10-byte tag UID in hex */
#define CENTRAL_IDEM_KEY_MAX    128  /* Idempotency-Key, printable ASCII without spaces */
#define CENTRAL_NOTE_MAX        200
#define CENTRAL_ROOM_MAX        32
#define CENTRAL_STOCK_NEAR_MAX  50        /* other stores a stock delta may cover (the API's) */
#define CENTRAL_SUBTOTAL_MAX    100000000 /* cents a shipping quote may be asked for ($1M) */
#define CENTRAL_UPLOAD_PATH_MAX 600       /* a file to upload (a screenshot), absolute */
#define CENTRAL_UPLOAD_MAX      (4 * 1024 * 1024) /* bytes of an upload (the service's bound) */

typedef struct CentralConfig {
    const char *base_url;    /* "https://host:port", no trailing path; http:// is refused */
    const char *ca_file;     /* PEM bundle the service's certificate must chain to; required */
    const char *client_cert; /* PEM client certificate for mutual TLS, or NULL */
    const char *client_key;  /* its key, given exactly when client_cert is */
    long connect_timeout_ms; /* TCP + TLS handshake; 0: 5000 */
    long total_timeout_ms;   /* a whole try (a pairing poll adds its wait); 0: 15000 */
    int max_attempts;        /* tries of an idempotent request; 0: CENTRAL_ATTEMPTS_MAX */
    const char *store_id;    /* this device's store: default for store parameters; or NULL */
    const char *device_id;   /* this device's id once enrolled; or NULL */
} CentralConfig;

typedef struct CentralOrderLine {
    char variant[CENTRAL_ID_MAX + 1];
    int qty; /* 1..10 */
} CentralOrderLine;

/* POST /v1/orders. The service computes every total: no prices are sent. */
typedef struct CentralOrderRequest {
    char idempotency_key[CENTRAL_IDEM_KEY_MAX + 1]; /* required; kept with the order */
    char member[CENTRAL_ID_MAX + 1];
    char store[CENTRAL_ID_MAX + 1];
    char associate[CENTRAL_ID_MAX + 1];       /* staff id of an associate's order, or "" */
    char confirmed_by[CENTRAL_SHORT_MAX + 1]; /* "card" or "app" when associate is set */
    char shipping_option[CENTRAL_ID_MAX + 1];
    char address_id[CENTRAL_ID_MAX + 1]; /* "" for pickup */
    char offer[CENTRAL_ID_MAX + 1];
    CentralOrderLine items[CENTRAL_ORDER_ITEMS_MAX];
    int item_count;
} CentralOrderRequest;

/* A request. Fill the member of `u` that matches `kind` (see CentralKind); empty strings mean
 * "not given". Store ids left empty take CentralConfig.store_id, device ids device_id. */
typedef struct CentralRequest {
    CentralKind kind;
    bool certinfo; /* diagnostics: report the service certificate's end (CentralReply) */
    union {
        struct {
            char token[CENTRAL_TOKEN_MAX + 1];
            char uid_hex[CENTRAL_UID_HEX_MAX + 1]; /* "" for a scanned (unbound) token */
        } identify;                                /* CENTRAL_IDENTIFY, CENTRAL_STAFF_IDENTIFY */
        struct {
            char member[CENTRAL_ID_MAX + 1];
            char store[CENTRAL_ID_MAX + 1]; /* recommendations only */
        } member; /* MEMBER, RECOMMENDATIONS, OFFERS, MEMBER_ORDERS, NOTES */
        struct {
            char product[CENTRAL_ID_MAX + 1];
            char store[CENTRAL_ID_MAX + 1];
        } stock;
        struct {
            char cursor[CENTRAL_CURSOR_MAX + 1];
        } catalog; /* cursor "" for a full sync, else the last page's next_cursor */
        struct {
            char id[CENTRAL_ID_MAX + 1];
            int wait_s; /* 0..CENTRAL_POLL_WAIT_MAX */
        } pairing_poll;
        CentralOrderRequest order;
        struct {
            char id[CENTRAL_ID_MAX + 1];
        } order_status; /* also CENTRAL_FITTING_STATUS's request id */
        struct {
            char serial[CENTRAL_ID_MAX + 1];
            char code[CENTRAL_CODE_MAX + 1];  /* as typed or scanned */
            char kind[CENTRAL_SHORT_MAX + 1]; /* kiosk, mirror */
            char version[CENTRAL_SHORT_MAX + 1];
            char csr[CENTRAL_CSR_MAX + 1]; /* PEM */
        } enroll;
        struct {
            char member[CENTRAL_ID_MAX + 1];
            char associate[CENTRAL_ID_MAX + 1];
            char store[CENTRAL_ID_MAX + 1];
            char text[CENTRAL_NOTE_TEXT_MAX + 1]; /* 1..280 bytes, no control characters */
        } note;
        struct {
            char store[CENTRAL_ID_MAX + 1];
            char room[CENTRAL_ROOM_MAX + 1];
            char variant[CENTRAL_ID_MAX + 1];
            char member[CENTRAL_ID_MAX + 1];
            char note[CENTRAL_NOTE_MAX + 1];
        } fitting;
        struct {
            char version[CENTRAL_SHORT_MAX + 1];
            char screen[CENTRAL_CODE_MAX + 1];
            int64_t uptime_seconds;
            int64_t outbox_depth;
            bool online;
            char nfc[CENTRAL_SHORT_MAX + 1]; /* ok, lost, none */
            int64_t last_sync;               /* epoch seconds, 0 never */
            int64_t certificate_days;        /* left on the device's certificate, -1 none */
        } heartbeat;
        struct {
            char store[CENTRAL_ID_MAX + 1];
            char member[CENTRAL_ID_MAX + 1]; /* "" for no member (no tier rules) */
            int64_t subtotal_cents;          /* 0..CENTRAL_SUBTOTAL_MAX, or -1: not sent */
        } shipping;
        struct {
            char store[CENTRAL_ID_MAX + 1];
            int near; /* nearest other stores, 0..CENTRAL_STOCK_NEAR_MAX */
            char cursor[CENTRAL_CURSOR_MAX + 1]; /* "" for a full sync, else next_cursor */
            int limit; /* rows per page, 1..CENTRAL_STOCK_DELTA_MAX; 0: the max */
        } stock_delta;
        struct {
            char store[CENTRAL_ID_MAX + 1];
            char product[CENTRAL_ID_MAX + 1]; /* each of these three is optional */
            char variant[CENTRAL_ID_MAX + 1];
            CentralOrderLine items[CENTRAL_ORDER_ITEMS_MAX];
            int item_count; /* 0..CENTRAL_ORDER_ITEMS_MAX */
        } handoff;
        struct {
            char id[CENTRAL_ID_MAX + 1];
        } product;
        struct {
            char path[CENTRAL_UPLOAD_PATH_MAX + 1]; /* read when the transfer starts */
        } screenshot; /* a PNG file of at most CENTRAL_UPLOAD_MAX bytes */
        struct {
            /* As the catalog gives it, relative to the base URL: "/v1/images/V00001.png".
             * Must start with "/v1/images/"; the rest only A-Z a-z 0-9 - _ . and no "..". */
            char path[CENTRAL_IMAGE_URL_MAX + 1];
        } image;
    } u;
} CentralRequest;

/* How a request ended. */
typedef enum CentralResult {
    CENTRAL_OK = 0,       /* 2xx and the body decoded: the payload is set */
    CENTRAL_OFFLINE,      /* could not resolve or connect, or the connection dropped */
    CENTRAL_TIMEOUT,      /* connect or total timeout passed */
    CENTRAL_TLS,          /* certificate not trusted, wrong host, handshake failed */
    CENTRAL_REFUSED,      /* 4xx: error_code holds the service's machine-readable code */
    CENTRAL_SERVER,       /* 5xx (after the retries an idempotent request gets) */
    CENTRAL_BAD_RESPONSE, /* malformed, truncated, wrong types, over CENTRAL_BODY_MAX */
    CENTRAL_CANCELLED,    /* central_cancel, or the client was destroyed first */
} CentralResult;

typedef struct CentralReply {
    uint32_t id; /* what central_submit returned */
    CentralKind kind;
    CentralResult result;
    long http_status;                      /* 0 when no HTTP answer came */
    char error_code[CENTRAL_CODE_MAX + 1]; /* REFUSED/SERVER: the service's code, or "" */
    int attempts;                          /* tries made */
    long elapsed_ms;                       /* from submit to reply */
    int64_t tls_expires;                   /* certinfo requests: the service certificate's
                                              end, epoch seconds; 0 if not known */
    CentralPayload payload;                /* valid only when result == CENTRAL_OK */
} CentralReply;

/* Called on the worker thread, once per submitted request. reply is borrowed: copy what you
 * need (post an event) and return quickly; do not call central_destroy from here. */
typedef void (*CentralReplyFn)(const CentralReply *reply, void *ctx);

typedef struct CentralClient CentralClient;

/* Checks and copies cfg, starts the worker. NULL with *err: KIOSK_E_CONFIG (not https, no CA
 * file, cert without key), KIOSK_E_NOMEM, KIOSK_E_IO (thread or curl could not start). */
CentralClient *central_create(const CentralConfig *cfg, CentralReplyFn on_reply, void *ctx,
                              KioskErr *err);

/* Any thread but the worker (not from on_reply). Cancels every outstanding request (each
 * gets a CANCELLED reply on the worker thread before this returns), stops the worker and
 * frees everything. Prompt: in-flight transfers are dropped, long-polls included. NULL is a
 * no-op. */
void central_destroy(CentralClient *c);

/* Any thread. Copies req; returns at once with its id (never 0) in *id.
 * KIOSK_E_INVALID (ids not identifiers, missing fields, bad wait, cursor, limit or image
 * path, CENTRAL_HEARTBEAT without a device id), KIOSK_E_FULL
 * (CENTRAL_QUEUE_MAX outstanding), KIOSK_E_STATE (client shutting down). */
KioskErr central_submit(CentralClient *c, const CentralRequest *req, uint32_t *id);

/* Any thread. central_submit, but this request's reply goes to fn(reply, ctx) (on the worker
 * thread, borrowed, exactly once) instead of the client's on_reply; fn NULL means on_reply.
 * Lets a synchronous caller share a client with the asynchronous owner. Same errors. */
KioskErr central_submit_cb(CentralClient *c, const CentralRequest *req, CentralReplyFn fn,
                           void *ctx, uint32_t *id);

/* Any thread but the client's worker (so never from a callback): submits req and blocks until
 * its reply, then copies the whole reply into *out, which the caller provides (heap: a
 * CentralReply is large) and which is overwritten. For CENTRAL_IMAGE,
 * out->payload.blob.data is then a malloc'd copy: call central_reply_clear(out) when done
 * (harmless for every other kind). Other requests and the client's on_reply carry on
 * meanwhile. The wait is bounded by the client's own timeouts and retries, and
 * central_destroy from another thread ends it with out->result CENTRAL_CANCELLED; the owner
 * must still not destroy the client while a thread may be about to call in.
 * KIOSK_OK when a reply came (whatever out->result says); the central_submit errors;
 * KIOSK_E_STATE on the worker thread; KIOSK_E_NOMEM if the image could not be copied (out is
 * then a BAD_RESPONSE without data). */
KioskErr central_call(CentralClient *c, const CentralRequest *req, CentralReply *out);

/* Any thread. A deep copy of src into dst: for an image, dst->payload.blob.data becomes a
 * malloc'd copy. KIOSK_OK, or KIOSK_E_NOMEM (dst then a BAD_RESPONSE without data). */
KioskErr central_reply_copy(CentralReply *dst, const CentralReply *src);

/* Frees what a copy (central_call, central_reply_copy) owns: an image's bytes. Never on the
 * reply given to a callback, which is borrowed. NULL is a no-op. */
void central_reply_clear(CentralReply *r);

/* Any thread. Asks for request id to end with CENTRAL_CANCELLED (unless its reply is already
 * on its way). KIOSK_E_NOTFOUND if no such request is outstanding. */
KioskErr central_cancel(CentralClient *c, uint32_t id);

/* "ok", "offline", "timeout", "tls", "refused", "server", "bad_response", "cancelled". */
const char *central_result_name(CentralResult r);

#endif
