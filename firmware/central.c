/* central.c: see central.h and docs/client.md. The client owns a fixed pool of
 * CENTRAL_QUEUE_MAX request slots. Submitters (any thread) fill a free slot under the lock
 * and wake the worker with curl_multi_wakeup; the worker alone owns the curl handles, the
 * response buffers and the reply it hands to on_reply. A slot's state moves
 * FREE -> QUEUED (waiting, or backing off until due_ms) -> RUNNING -> QUEUED (retry) | FREE. */
#include "central.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"

#define MODULE          "central"
#define URL_MAX         1024 /* base URL + path + query */
#define BASE_URL_MAX    256
#define CONNECT_DEFAULT 5000
#define TOTAL_DEFAULT   15000
#define IDLE_POLL_MS    1000 /* the worker wakes at least this often */
#define USER_AGENT      "kiosk-central-client/1"
#define IDEM_HEADER_MAX (CENTRAL_IDEM_KEY_MAX + 32)

typedef enum SlotState {
    SLOT_FREE = 0,
    SLOT_QUEUED,  /* waiting to start (due_ms in the future while backing off) */
    SLOT_RUNNING, /* its easy handle is in the multi */
} SlotState;

typedef struct Slot {
    /* Under CentralClient.lock. */
    SlotState state;
    bool cancel;
    uint32_t id;
    int64_t submitted_ms;
    CentralRequest req; /* written by the submitter before QUEUED, read-only afterwards */
    CentralReplyFn fn;  /* where the reply goes (central_submit_cb), NULL: on_reply */
    void *fn_ctx;
    /* Worker only. */
    int64_t due_ms;
    int attempts;
    CURL *easy;
    struct curl_slist *headers;
    char *post; /* body of a POST or PUT, built once so every retry sends the same bytes */
    size_t post_len;
    char *body; /* response bytes, at most CENTRAL_BODY_MAX */
    size_t body_len, body_cap;
    bool too_big, replayed;
} Slot;

struct CentralClient {
    /* Read-only after create. */
    char *base_url, *ca_file, *client_cert, *client_key, *store_id, *device_id;
    long connect_ms, total_ms;
    int max_attempts;
    CentralReplyFn on_reply;
    void *ctx;
    CURLM *multi;
    pthread_t thread;
    bool thread_started;
    /* Under lock. */
    pthread_mutex_t lock;
    bool stopping;
    uint32_t next_id;
    Slot slots[CENTRAL_QUEUE_MAX];
    /* Worker only. */
    int running;
    uint64_t rng;
    CentralReply reply;
};

static const char *const result_names[] = {
    [CENTRAL_OK] = "ok",
    [CENTRAL_OFFLINE] = "offline",
    [CENTRAL_TIMEOUT] = "timeout",
    [CENTRAL_TLS] = "tls",
    [CENTRAL_REFUSED] = "refused",
    [CENTRAL_SERVER] = "server",
    [CENTRAL_BAD_RESPONSE] = "bad_response",
    [CENTRAL_CANCELLED] = "cancelled",
};

const char *central_result_name(CentralResult r)
{
    if ((int)r < 0 || (size_t)r >= sizeof result_names / sizeof result_names[0])
        return "unknown";
    return result_names[r];
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t next_random(CentralClient *c)
{
    /* xorshift64: jitter only needs to be spread, not secret. */
    uint64_t x = c->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c->rng = x;
    return x;
}

static char *dup_opt(const char *s, bool *ok)
{
    char *d;
    if (!s || !*s)
        return NULL;
    d = strdup(s);
    if (!d)
        *ok = false;
    return d;
}

/* --- request checks (submit side) --------------------------------------------------------- */

static bool opt_id(const char *s)
{
    return s[0] == '\0' || central_is_id(s);
}

static bool is_hex(const char *s)
{
    size_t n = strlen(s);
    if (n % 2 != 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')))
            return false;
    }
    return true;
}

static bool printable(const char *s, bool allow_space)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20 || ch == 0x7f || (!allow_space && ch == ' '))
            return false;
    }
    return true;
}

/* An image path as the catalog gives it: "/v1/images/" and then a file name of safe
 * characters, so it can neither leave /v1/images/ nor add a query. */
static bool image_path_ok(const char *p)
{
    static const char prefix[] = "/v1/images/";
    const char *name = p + sizeof prefix - 1;
    if (strncmp(p, prefix, sizeof prefix - 1) != 0 || !name[0] || strstr(name, ".."))
        return false;
    for (; *name; name++) {
        char ch = *name;
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_' || ch == '.'))
            return false;
    }
    return true;
}

/* Fixed-size fields must be NUL-terminated within their arrays; ids must be identifiers, so
 * nothing a caller passes can change a URL's path or query. */
#define TERMINATED(field) (memchr((field), '\0', sizeof(field)) != NULL)

static bool request_valid(const CentralClient *c, const CentralRequest *r)
{
    switch (r->kind) {
    case CENTRAL_IDENTIFY:
    case CENTRAL_STAFF_IDENTIFY:
        return TERMINATED(r->u.identify.token) && TERMINATED(r->u.identify.uid_hex) &&
               r->u.identify.token[0] && printable(r->u.identify.token, false) &&
               is_hex(r->u.identify.uid_hex);
    case CENTRAL_MEMBER:
    case CENTRAL_OFFERS:
    case CENTRAL_MEMBER_ORDERS:
    case CENTRAL_NOTES:
        return TERMINATED(r->u.member.member) && central_is_id(r->u.member.member);
    case CENTRAL_SCREENSHOT:
        return c->device_id && TERMINATED(r->u.screenshot.path) && r->u.screenshot.path[0] == '/';
    case CENTRAL_RENEW:
        return c->device_id && TERMINATED(r->u.enroll.csr) &&
               strncmp(r->u.enroll.csr, "-----BEGIN CERTIFICATE REQUEST-----", 35) == 0;
    case CENTRAL_ENROLL:
        return TERMINATED(r->u.enroll.serial) && TERMINATED(r->u.enroll.code) &&
               TERMINATED(r->u.enroll.kind) && TERMINATED(r->u.enroll.version) &&
               TERMINATED(r->u.enroll.csr) && central_is_id(r->u.enroll.serial) &&
               r->u.enroll.code[0] && printable(r->u.enroll.code, false) &&
               (strcmp(r->u.enroll.kind, "kiosk") == 0 ||
                strcmp(r->u.enroll.kind, "mirror") == 0) &&
               printable(r->u.enroll.version, false) &&
               strncmp(r->u.enroll.csr, "-----BEGIN CERTIFICATE REQUEST-----", 35) == 0;
    case CENTRAL_NOTE_ADD:
        return TERMINATED(r->u.note.member) && TERMINATED(r->u.note.associate) &&
               TERMINATED(r->u.note.store) && TERMINATED(r->u.note.text) &&
               central_is_id(r->u.note.member) && central_is_id(r->u.note.associate) &&
               opt_id(r->u.note.store) && (r->u.note.store[0] || c->store_id) &&
               r->u.note.text[0] && printable(r->u.note.text, true);
    case CENTRAL_RECOMMENDATIONS:
        return TERMINATED(r->u.member.member) && TERMINATED(r->u.member.store) &&
               central_is_id(r->u.member.member) && opt_id(r->u.member.store) &&
               (r->u.member.store[0] || c->store_id);
    case CENTRAL_STOCK:
        return TERMINATED(r->u.stock.product) && TERMINATED(r->u.stock.store) &&
               central_is_id(r->u.stock.product) && opt_id(r->u.stock.store);
    case CENTRAL_STORES:
    case CENTRAL_PAIRING_CREATE:
        return true;
    case CENTRAL_PAIRING_POLL:
        return TERMINATED(r->u.pairing_poll.id) && central_is_id(r->u.pairing_poll.id) &&
               r->u.pairing_poll.wait_s >= 0 && r->u.pairing_poll.wait_s <= CENTRAL_POLL_WAIT_MAX;
    case CENTRAL_ORDER_PLACE: {
        const CentralOrderRequest *o = &r->u.order;
        if (!TERMINATED(o->idempotency_key) || !o->idempotency_key[0] ||
            !printable(o->idempotency_key, false) || !TERMINATED(o->member) ||
            !TERMINATED(o->store) || !TERMINATED(o->associate) || !TERMINATED(o->confirmed_by) ||
            !TERMINATED(o->shipping_option) || !TERMINATED(o->address_id) ||
            !TERMINATED(o->offer) || !central_is_id(o->member) || !opt_id(o->store) ||
            !opt_id(o->associate) || !central_is_id(o->shipping_option) || !opt_id(o->address_id) ||
            !opt_id(o->offer) || (!o->store[0] && !c->store_id) || o->item_count < 1 ||
            o->item_count > CENTRAL_ORDER_ITEMS_MAX ||
            (o->associate[0] && strcmp(o->confirmed_by, "card") != 0 &&
             strcmp(o->confirmed_by, "app") != 0))
            return false;
        for (int i = 0; i < o->item_count; i++) {
            if (!TERMINATED(o->items[i].variant) || !central_is_id(o->items[i].variant) ||
                o->items[i].qty < 1 || o->items[i].qty > 10)
                return false;
        }
        return true;
    }
    case CENTRAL_ORDER_STATUS:
    case CENTRAL_FITTING_STATUS:
        return TERMINATED(r->u.order_status.id) && central_is_id(r->u.order_status.id);
    case CENTRAL_FITTING_REQUEST:
        return TERMINATED(r->u.fitting.store) && TERMINATED(r->u.fitting.room) &&
               TERMINATED(r->u.fitting.variant) && TERMINATED(r->u.fitting.member) &&
               TERMINATED(r->u.fitting.note) && opt_id(r->u.fitting.store) &&
               (r->u.fitting.store[0] || c->store_id) && r->u.fitting.room[0] &&
               printable(r->u.fitting.room, true) && central_is_id(r->u.fitting.variant) &&
               opt_id(r->u.fitting.member) && printable(r->u.fitting.note, true);
    case CENTRAL_HEARTBEAT:
        return c->device_id && TERMINATED(r->u.heartbeat.version) &&
               TERMINATED(r->u.heartbeat.screen) && TERMINATED(r->u.heartbeat.nfc) &&
               printable(r->u.heartbeat.version, false) &&
               printable(r->u.heartbeat.screen, false) && printable(r->u.heartbeat.nfc, false);
    case CENTRAL_CATALOG:
        return TERMINATED(r->u.catalog.cursor) && printable(r->u.catalog.cursor, false);
    case CENTRAL_SHIPPING:
        return TERMINATED(r->u.shipping.store) && TERMINATED(r->u.shipping.member) &&
               opt_id(r->u.shipping.store) && (r->u.shipping.store[0] || c->store_id) &&
               opt_id(r->u.shipping.member) && r->u.shipping.subtotal_cents >= -1 &&
               r->u.shipping.subtotal_cents <= CENTRAL_SUBTOTAL_MAX;
    case CENTRAL_STOCK_DELTA:
        return TERMINATED(r->u.stock_delta.store) && TERMINATED(r->u.stock_delta.cursor) &&
               opt_id(r->u.stock_delta.store) && (r->u.stock_delta.store[0] || c->store_id) &&
               r->u.stock_delta.near >= 0 && r->u.stock_delta.near <= CENTRAL_STOCK_NEAR_MAX &&
               printable(r->u.stock_delta.cursor, false) && r->u.stock_delta.limit >= 0 &&
               r->u.stock_delta.limit <= CENTRAL_STOCK_DELTA_MAX;
    case CENTRAL_HANDOFF: {
        if (!TERMINATED(r->u.handoff.store) || !TERMINATED(r->u.handoff.product) ||
            !TERMINATED(r->u.handoff.variant) || !opt_id(r->u.handoff.store) ||
            (!r->u.handoff.store[0] && !c->store_id) || !opt_id(r->u.handoff.product) ||
            !opt_id(r->u.handoff.variant) || r->u.handoff.item_count < 0 ||
            r->u.handoff.item_count > CENTRAL_ORDER_ITEMS_MAX)
            return false;
        for (int i = 0; i < r->u.handoff.item_count; i++) {
            if (!TERMINATED(r->u.handoff.items[i].variant) ||
                !central_is_id(r->u.handoff.items[i].variant) || r->u.handoff.items[i].qty < 1 ||
                r->u.handoff.items[i].qty > 10)
                return false;
        }
        return true;
    }
    case CENTRAL_PRODUCT:
        return TERMINATED(r->u.product.id) && central_is_id(r->u.product.id);
    case CENTRAL_IMAGE:
        return TERMINATED(r->u.image.path) && image_path_ok(r->u.image.path);
    case CENTRAL_KIND_COUNT:
        return false;
    }
    return false;
}

static bool idempotent(CentralKind k)
{
    switch (k) {
    case CENTRAL_IDENTIFY:
    case CENTRAL_STAFF_IDENTIFY:
    case CENTRAL_PAIRING_CREATE:
    case CENTRAL_FITTING_REQUEST:
    case CENTRAL_NOTE_ADD:
    case CENTRAL_ENROLL:
    case CENTRAL_RENEW:
    case CENTRAL_HEARTBEAT:
    case CENTRAL_HANDOFF:
        return false; /* POSTs without an idempotency key: a retry could act twice */
    default:
        return true; /* GETs, and POST /v1/orders which carries an Idempotency-Key */
    }
}

/* --- building a transfer (worker) --------------------------------------------------------- */

static const char *or_default(const char *s, const char *def)
{
    return s[0] ? s : def;
}

static int set_str(json_t *o, const char *key, const char *v)
{
    if (!v || !v[0])
        return 0;
    return json_object_set_new(o, key, json_string(v));
}

/* An upload's bytes, read whole from path: NULL if it cannot be read, is empty or is over
 * CENTRAL_UPLOAD_MAX. */
static char *read_upload(const char *path, size_t *len)
{
    struct stat sb;
    char *buf = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
        sb.st_size <= CENTRAL_UPLOAD_MAX) {
        buf = malloc((size_t)sb.st_size);
        if (buf && fileio_read_all(fd, buf, (size_t)sb.st_size) != KIOSK_OK) {
            free(buf);
            buf = NULL;
        }
    }
    close(fd);
    *len = buf ? (size_t)sb.st_size : 0;
    return buf;
}

/* The body of a POST or PUT (*len its bytes), or NULL for a GET (*ok false: no memory, or
 * an upload's file could not be read). */
static char *build_body(const CentralClient *c, const CentralRequest *r, size_t *len, bool *ok)
{
    json_t *o = NULL, *items = NULL;
    char *text = NULL;
    int rc = 0;
    *ok = true;
    switch (r->kind) {
    case CENTRAL_IDENTIFY:
    case CENTRAL_STAFF_IDENTIFY:
        o = json_object();
        rc |= set_str(o, "token", r->u.identify.token);
        rc |= set_str(o, "uid", r->u.identify.uid_hex);
        break;
    case CENTRAL_PAIRING_CREATE:
        o = json_object();
        rc |= set_str(o, "device", c->device_id);
        rc |= set_str(o, "store", c->store_id);
        break;
    case CENTRAL_ORDER_PLACE:
        o = json_object();
        items = json_array();
        rc |= set_str(o, "member", r->u.order.member);
        rc |= set_str(o, "store", or_default(r->u.order.store, c->store_id));
        rc |= set_str(o, "device", c->device_id);
        rc |= set_str(o, "associate", r->u.order.associate);
        rc |= set_str(o, "confirmed_by", r->u.order.confirmed_by);
        rc |= set_str(o, "shipping_option", r->u.order.shipping_option);
        rc |= set_str(o, "address_id", r->u.order.address_id);
        rc |= set_str(o, "offer", r->u.order.offer);
        for (int i = 0; items && i < r->u.order.item_count; i++)
            rc |= json_array_append_new(items, json_pack("{s:s,s:i}", "variant",
                                                         r->u.order.items[i].variant, "qty",
                                                         r->u.order.items[i].qty));
        rc |= json_object_set(o, "items", items);
        break;
    case CENTRAL_FITTING_REQUEST:
        o = json_object();
        rc |= set_str(o, "store", or_default(r->u.fitting.store, c->store_id));
        rc |= set_str(o, "room", r->u.fitting.room);
        rc |= set_str(o, "variant", r->u.fitting.variant);
        rc |= set_str(o, "device", c->device_id);
        rc |= set_str(o, "member", r->u.fitting.member);
        rc |= set_str(o, "note", r->u.fitting.note);
        break;
    case CENTRAL_RENEW:
        o = json_object();
        rc |= set_str(o, "csr", r->u.enroll.csr);
        break;
    case CENTRAL_ENROLL:
        o = json_object();
        rc |= set_str(o, "serial", r->u.enroll.serial);
        rc |= set_str(o, "code", r->u.enroll.code);
        rc |= set_str(o, "kind", r->u.enroll.kind);
        rc |= set_str(o, "version", r->u.enroll.version);
        rc |= set_str(o, "csr", r->u.enroll.csr);
        break;
    case CENTRAL_NOTE_ADD:
        o = json_object();
        rc |= set_str(o, "associate", r->u.note.associate);
        rc |= set_str(o, "store", or_default(r->u.note.store, c->store_id));
        rc |= set_str(o, "text", r->u.note.text);
        break;
    case CENTRAL_HEARTBEAT:
        o = json_pack("{s:I,s:I,s:b}", "uptime_seconds", (json_int_t)r->u.heartbeat.uptime_seconds,
                      "outbox_depth", (json_int_t)r->u.heartbeat.outbox_depth, "online",
                      r->u.heartbeat.online);
        rc |= set_str(o, "version", r->u.heartbeat.version);
        rc |= set_str(o, "screen", r->u.heartbeat.screen);
        rc |= set_str(o, "nfc", r->u.heartbeat.nfc);
        if (r->u.heartbeat.last_sync > 0)
            rc |= json_object_set_new(o, "last_sync", json_integer(r->u.heartbeat.last_sync));
        if (r->u.heartbeat.certificate_days >= 0)
            rc |= json_object_set_new(o, "certificate_days",
                                      json_integer(r->u.heartbeat.certificate_days));
        break;
    case CENTRAL_SCREENSHOT:
        text = read_upload(r->u.screenshot.path, len);
        *ok = text != NULL;
        return text;
    case CENTRAL_HANDOFF:
        o = json_object();
        rc |= set_str(o, "store", or_default(r->u.handoff.store, c->store_id));
        rc |= set_str(o, "device", c->device_id);
        rc |= set_str(o, "product", r->u.handoff.product);
        rc |= set_str(o, "variant", r->u.handoff.variant);
        if (r->u.handoff.item_count > 0) {
            items = json_array();
            for (int i = 0; items && i < r->u.handoff.item_count; i++)
                rc |= json_array_append_new(items, json_pack("{s:s,s:i}", "variant",
                                                             r->u.handoff.items[i].variant, "qty",
                                                             r->u.handoff.items[i].qty));
            rc |= json_object_set(o, "items", items);
        }
        break;
    default:
        return NULL;
    }
    if (o && rc == 0)
        text = json_dumps(o, JSON_COMPACT);
    if (!text)
        *ok = false;
    *len = text ? strlen(text) : 0;
    json_decref(items);
    json_decref(o);
    return text;
}

/* Percent-encodes an opaque cursor for a query string; out holds 3 * strlen(in) + 1. */
static void escape(const char *in, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *in; in++) {
        unsigned char ch = (unsigned char)*in;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.' || ch == '~') {
            *out++ = (char)ch;
        } else {
            *out++ = '%';
            *out++ = hex[ch >> 4];
            *out++ = hex[ch & 15];
        }
    }
    *out = '\0';
}

static bool build_url(const CentralClient *c, const CentralRequest *r, char *url)
{
    const char *b = c->base_url;
    int n = -1;
    switch (r->kind) {
    case CENTRAL_IDENTIFY:
        n = snprintf(url, URL_MAX, "%s/v1/identify", b);
        break;
    case CENTRAL_MEMBER:
        n = snprintf(url, URL_MAX, "%s/v1/members/%s", b, r->u.member.member);
        break;
    case CENTRAL_RECOMMENDATIONS:
        n = snprintf(url, URL_MAX, "%s/v1/members/%s/recommendations?store=%s", b,
                     r->u.member.member, or_default(r->u.member.store, c->store_id));
        break;
    case CENTRAL_OFFERS:
        n = snprintf(url, URL_MAX, "%s/v1/members/%s/offers", b, r->u.member.member);
        break;
    case CENTRAL_STOCK: {
        const char *store = r->u.stock.store[0] ? r->u.stock.store : c->store_id;
        n = store ? snprintf(url, URL_MAX, "%s/v1/products/%s/stock?store=%s", b,
                             r->u.stock.product, store)
                  : snprintf(url, URL_MAX, "%s/v1/products/%s/stock", b, r->u.stock.product);
        break;
    }
    case CENTRAL_STORES:
        n = snprintf(url, URL_MAX, "%s/v1/stores", b);
        break;
    case CENTRAL_PAIRING_CREATE:
        n = snprintf(url, URL_MAX, "%s/v1/pairings", b);
        break;
    case CENTRAL_PAIRING_POLL:
        n = snprintf(url, URL_MAX, "%s/v1/pairings/%s?wait=%d", b, r->u.pairing_poll.id,
                     r->u.pairing_poll.wait_s);
        break;
    case CENTRAL_ORDER_PLACE:
        n = snprintf(url, URL_MAX, "%s/v1/orders", b);
        break;
    case CENTRAL_ORDER_STATUS:
        n = snprintf(url, URL_MAX, "%s/v1/orders/%s", b, r->u.order_status.id);
        break;
    case CENTRAL_FITTING_REQUEST:
        n = snprintf(url, URL_MAX, "%s/v1/fitting-requests", b);
        break;
    case CENTRAL_HEARTBEAT:
        n = snprintf(url, URL_MAX, "%s/v1/devices/%s/heartbeat", b, c->device_id);
        break;
    case CENTRAL_CATALOG: {
        char cursor[CENTRAL_CURSOR_MAX * 3 + 1];
        escape(r->u.catalog.cursor, cursor);
        n = snprintf(url, URL_MAX, "%s/v1/catalog?limit=%d%s%s", b, CENTRAL_CATALOG_PAGE_MAX,
                     cursor[0] ? "&cursor=" : "", cursor);
        break;
    }
    case CENTRAL_SHIPPING: {
        char subtotal[48] = "";
        if (r->u.shipping.subtotal_cents >= 0)
            snprintf(subtotal, sizeof subtotal, "&subtotal_cents=%lld",
                     (long long)r->u.shipping.subtotal_cents);
        n = snprintf(url, URL_MAX, "%s/v1/shipping-options?store=%s%s%s%s", b,
                     or_default(r->u.shipping.store, c->store_id),
                     r->u.shipping.member[0] ? "&member=" : "", r->u.shipping.member, subtotal);
        break;
    }
    case CENTRAL_STOCK_DELTA: {
        char cursor[CENTRAL_CURSOR_MAX * 3 + 1];
        escape(r->u.stock_delta.cursor, cursor);
        n = snprintf(url, URL_MAX, "%s/v1/stock?store=%s&near=%d&limit=%d%s%s", b,
                     or_default(r->u.stock_delta.store, c->store_id), r->u.stock_delta.near,
                     r->u.stock_delta.limit ? r->u.stock_delta.limit : CENTRAL_STOCK_DELTA_MAX,
                     cursor[0] ? "&cursor=" : "", cursor);
        break;
    }
    case CENTRAL_HANDOFF:
        n = snprintf(url, URL_MAX, "%s/v1/handoffs", b);
        break;
    case CENTRAL_PRODUCT:
        n = snprintf(url, URL_MAX, "%s/v1/products/%s", b, r->u.product.id);
        break;
    case CENTRAL_IMAGE:
        n = snprintf(url, URL_MAX, "%s%s", b, r->u.image.path);
        break;
    case CENTRAL_FITTING_STATUS:
        n = snprintf(url, URL_MAX, "%s/v1/fitting-requests/%s", b, r->u.order_status.id);
        break;
    case CENTRAL_STAFF_IDENTIFY:
        n = snprintf(url, URL_MAX, "%s/v1/staff/identify", b);
        break;
    case CENTRAL_MEMBER_ORDERS:
        n = snprintf(url, URL_MAX, "%s/v1/members/%s/orders", b, r->u.member.member);
        break;
    case CENTRAL_NOTES:
        n = snprintf(url, URL_MAX, "%s/v1/members/%s/notes?limit=%d", b, r->u.member.member,
                     CENTRAL_NOTES_MAX);
        break;
    case CENTRAL_NOTE_ADD:
        n = snprintf(url, URL_MAX, "%s/v1/members/%s/notes", b, r->u.note.member);
        break;
    case CENTRAL_ENROLL:
        n = snprintf(url, URL_MAX, "%s/v1/devices/enroll", b);
        break;
    case CENTRAL_RENEW:
        n = snprintf(url, URL_MAX, "%s/v1/devices/%s/certificate", b, c->device_id);
        break;
    case CENTRAL_SCREENSHOT:
        n = snprintf(url, URL_MAX, "%s/v1/devices/%s/screenshot", b, c->device_id);
        break;
    case CENTRAL_KIND_COUNT:
        break;
    }
    return n > 0 && n < URL_MAX;
}

/* The most a reply to this kind may hold. */
static size_t body_max(CentralKind k)
{
    return k == CENTRAL_IMAGE ? CENTRAL_IMAGE_MAX : CENTRAL_BODY_MAX;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    Slot *s = ud;
    size_t len = size * n, max = body_max(s->req.kind);
    if (len > max - s->body_len) {
        s->too_big = true;
        return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    }
    if (s->body_len + len + 1 > s->body_cap) {
        size_t cap = s->body_cap ? s->body_cap : 4096;
        while (cap < s->body_len + len + 1)
            cap *= 2;
        if (cap > max + 1)
            cap = max + 1;
        char *grown = realloc(s->body, cap);
        if (!grown)
            return 0;
        s->body = grown;
        s->body_cap = cap;
    }
    memcpy(s->body + s->body_len, data, len);
    s->body_len += len;
    s->body[s->body_len] = '\0';
    return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    Slot *s = ud;
    size_t len = size * n;
    static const char replayed[] = "Idempotent-Replayed:";
    if (len > sizeof replayed && strncasecmp(data, replayed, sizeof replayed - 1) == 0) {
        const char *v = data + sizeof replayed - 1;
        while (*v == ' ')
            v++;
        s->replayed = strncasecmp(v, "true", 4) == 0;
    }
    return len;
}

static void release_transfer(CentralClient *c, Slot *s)
{
    if (s->easy) {
        curl_multi_remove_handle(c->multi, s->easy);
        curl_easy_cleanup(s->easy);
        s->easy = NULL;
        c->running--;
    }
    curl_slist_free_all(s->headers);
    s->headers = NULL;
    free(s->body);
    s->body = NULL;
    s->body_len = s->body_cap = 0;
    s->too_big = s->replayed = false;
}

#define SETOPT(e, opt, val)                                                                        \
    do {                                                                                           \
        if (curl_easy_setopt((e), (opt), (val)) != CURLE_OK)                                       \
            goto out;                                                                              \
    } while (0)

/* Starts one try of slot s. KIOSK_OK, or an error that ends the request as BAD_RESPONSE. */
static KioskErr start_transfer(CentralClient *c, Slot *s)
{
    KioskErr err = KIOSK_E_NOMEM;
    char url[URL_MAX], idem[IDEM_HEADER_MAX];
    const CentralRequest *r = &s->req;
    long total = c->total_ms;
    bool ok = true;
    CURL *e = NULL;

    if (!build_url(c, r, url)) {
        err = KIOSK_E_TOOBIG;
        goto out;
    }
    if (!s->post && s->attempts == 0) {
        s->post = build_body(c, r, &s->post_len, &ok);
        if (!ok)
            goto out;
    }
    e = curl_easy_init();
    if (!e)
        goto out;
    s->headers = curl_slist_append(NULL, r->kind == CENTRAL_IMAGE ? "Accept: image/png"
                                                                  : "Accept: application/json");
    if (s->post) {
        struct curl_slist *h = curl_slist_append(
            s->headers, r->kind == CENTRAL_SCREENSHOT ? "Content-Type: image/png"
                                                      : "Content-Type: application/json");
        if (h)
            s->headers = curl_slist_append(h, "Expect:");
    }
    if (r->kind == CENTRAL_ORDER_PLACE) {
        int n = snprintf(idem, sizeof idem, "Idempotency-Key: %s", r->u.order.idempotency_key);
        if (n <= 0 || (size_t)n >= sizeof idem)
            goto out;
        s->headers = curl_slist_append(s->headers, idem);
    }
    if (!s->headers)
        goto out;
    if (r->kind == CENTRAL_PAIRING_POLL)
        total += (long)r->u.pairing_poll.wait_s * 1000;

    err = KIOSK_E_INVALID;
    SETOPT(e, CURLOPT_URL, url);
    SETOPT(e, CURLOPT_PROTOCOLS_STR, "https");
    SETOPT(e, CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(e, CURLOPT_NOSIGNAL, 1L);
    SETOPT(e, CURLOPT_SSL_VERIFYPEER, 1L);
    SETOPT(e, CURLOPT_SSL_VERIFYHOST, 2L);
    SETOPT(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    SETOPT(e, CURLOPT_CAINFO, c->ca_file);
    SETOPT(e, CURLOPT_CAPATH, (char *)NULL);
    if (c->client_cert) {
        SETOPT(e, CURLOPT_SSLCERT, c->client_cert);
        SETOPT(e, CURLOPT_SSLKEY, c->client_key);
    }
    if (r->certinfo) { /* a new handshake, so that there is a certificate to report */
        SETOPT(e, CURLOPT_CERTINFO, 1L);
        SETOPT(e, CURLOPT_FRESH_CONNECT, 1L);
        SETOPT(e, CURLOPT_FORBID_REUSE, 1L);
    }
    SETOPT(e, CURLOPT_CONNECTTIMEOUT_MS, c->connect_ms);
    SETOPT(e, CURLOPT_TIMEOUT_MS, total);
    SETOPT(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)body_max(r->kind));
    SETOPT(e, CURLOPT_USERAGENT, USER_AGENT);
    SETOPT(e, CURLOPT_HTTPHEADER, s->headers);
    SETOPT(e, CURLOPT_WRITEFUNCTION, on_body);
    SETOPT(e, CURLOPT_WRITEDATA, s);
    SETOPT(e, CURLOPT_HEADERFUNCTION, on_header);
    SETOPT(e, CURLOPT_HEADERDATA, s);
    SETOPT(e, CURLOPT_PRIVATE, s);
    if (s->post) {
        SETOPT(e, CURLOPT_POSTFIELDS, s->post);
        SETOPT(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->post_len);
    }
    if (r->kind == CENTRAL_SCREENSHOT)
        SETOPT(e, CURLOPT_CUSTOMREQUEST, "PUT");
    err = KIOSK_E_IO;
    if (curl_multi_add_handle(c->multi, e) != CURLM_OK)
        goto out;
    s->easy = e;
    e = NULL;
    c->running++;
    s->attempts++;
    err = KIOSK_OK;
out:
    if (e)
        curl_easy_cleanup(e);
    if (err != KIOSK_OK) {
        curl_slist_free_all(s->headers);
        s->headers = NULL;
    }
    return err;
}

/* --- finishing ---------------------------------------------------------------------------- */

static CentralResult map_curl(CURLcode code)
{
    switch (code) {
    case CURLE_OK:
        return CENTRAL_OK;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
        return CENTRAL_OFFLINE;
    case CURLE_OPERATION_TIMEDOUT:
        return CENTRAL_TIMEOUT;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
        return CENTRAL_TLS;
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_PARTIAL_FILE:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return CENTRAL_BAD_RESPONSE;
    default:
        return CENTRAL_OFFLINE; /* anything else on the way: the network, not the shopper */
    }
}

static bool retryable(CentralResult r)
{
    return r == CENTRAL_OFFLINE || r == CENTRAL_TIMEOUT || r == CENTRAL_SERVER;
}

static void deliver(CentralClient *c, Slot *s, CentralResult result, long http, int curl_code)
{
    CentralReply *rep = &c->reply;
    int64_t elapsed = now_ms() - s->submitted_ms;
    CentralReplyFn fn;
    void *fn_ctx;
    char *body = s->body; /* an image's payload points into it: kept until the callback returns */
    s->body = NULL;
    rep->id = s->id;
    rep->kind = s->req.kind;
    rep->result = result;
    rep->http_status = http;
    rep->attempts = s->attempts;
    rep->elapsed_ms = (long)elapsed;
    if (result != CENTRAL_OK)
        memset(&rep->payload, 0, sizeof rep->payload);
    /* The slot is free before the caller hears of it: once a reply is seen, the request is
     * no longer outstanding (central_cancel says NOTFOUND, a new submit may take the slot). */
    release_transfer(c, s);
    free(s->post);
    s->post = NULL;
    s->post_len = 0;
    pthread_mutex_lock(&c->lock);
    fn = s->fn ? s->fn : c->on_reply;
    fn_ctx = s->fn ? s->fn_ctx : c->ctx;
    s->fn = NULL;
    s->fn_ctx = NULL;
    s->state = SLOT_FREE;
    s->cancel = false;
    pthread_mutex_unlock(&c->lock);
    /* Kind, outcome and timing only: never paths, tokens, names or bodies. */
    log_write(result == CENTRAL_OK || result == CENTRAL_CANCELLED ? LOG_DEBUG : LOG_INFO, MODULE,
              "#%u %s: %s (http %ld, curl %d, %d tries, %ld ms)%s%s", rep->id,
              central_kind_name(rep->kind), central_result_name(result), http, curl_code,
              rep->attempts, rep->elapsed_ms, rep->error_code[0] ? " code " : "", rep->error_code);
    fn(rep, fn_ctx);
    free(body);
}

/* The end date of the service's own certificate (the first of the chain), from libcurl's
 * certinfo ("Expire date:Nov 23 12:00:00 2027 GMT" with the OpenSSL backend); 0 if none. */
static int64_t cert_end(CURL *e)
{
    struct curl_certinfo *ci = NULL;
    if (curl_easy_getinfo(e, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1)
        return 0;
    for (struct curl_slist *l = ci->certinfo[0]; l; l = l->next) {
        static const char key[] = "Expire date:";
        if (strncmp(l->data, key, sizeof key - 1) != 0)
            continue;
        struct tm tm = {0};
        const char *end = strptime(l->data + sizeof key - 1, "%b %d %H:%M:%S %Y", &tm);
        return end ? (int64_t)timegm(&tm) : 0;
    }
    return 0;
}

/* A transfer ended with code: decide between a reply and another try. */
static void finish(CentralClient *c, Slot *s, CURLcode code)
{
    CentralReply *rep = &c->reply;
    CentralResult result = map_curl(code);
    long http = 0;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &http);
    rep->error_code[0] = '\0';
    rep->tls_expires = s->req.certinfo && code == CURLE_OK ? cert_end(s->easy) : 0;
    if (code == CURLE_WRITE_ERROR && !s->too_big)
        result = CENTRAL_BAD_RESPONSE; /* our own buffer could not grow */
    if (result == CENTRAL_OK) {
        if (http >= 200 && http < 300 && s->req.kind == CENTRAL_SCREENSHOT) {
            result = CENTRAL_OK; /* 204: nothing to decode */
        } else if (http >= 200 && http < 300 && s->req.kind == CENTRAL_IMAGE) {
            char *type = NULL;
            curl_easy_getinfo(s->easy, CURLINFO_CONTENT_TYPE, &type);
            KioskErr err = central_decode_blob(type, (const unsigned char *)s->body, s->body_len,
                                               &rep->payload.blob);
            result = err == KIOSK_OK ? CENTRAL_OK : CENTRAL_BAD_RESPONSE;
        } else if (http >= 200 && http < 300) {
            KioskErr err = central_decode(s->req.kind, s->body, s->body_len, &rep->payload);
            result = err == KIOSK_OK ? CENTRAL_OK : CENTRAL_BAD_RESPONSE;
            if (result == CENTRAL_OK && (s->req.kind == CENTRAL_ORDER_PLACE))
                rep->payload.order.replayed = s->replayed;
        } else if (http >= 400 && http < 500) {
            result = CENTRAL_REFUSED;
            central_decode_error(s->body, s->body_len, rep->error_code);
        } else if (http >= 500 && http < 600) {
            result = CENTRAL_SERVER;
            central_decode_error(s->body, s->body_len, rep->error_code);
        } else {
            result = CENTRAL_BAD_RESPONSE; /* 1xx/3xx: we follow no redirects */
        }
    }
    if (result != CENTRAL_OK && retryable(result) && idempotent(s->req.kind) &&
        s->attempts < c->max_attempts) {
        int64_t delay = CENTRAL_BACKOFF_BASE_MS;
        for (int i = 1; i < s->attempts && delay < CENTRAL_BACKOFF_CAP_MS; i++)
            delay *= 2;
        if (delay > CENTRAL_BACKOFF_CAP_MS)
            delay = CENTRAL_BACKOFF_CAP_MS;
        /* "Equal jitter": half fixed, half random, so a fleet does not retry in step. */
        delay = delay / 2 + (int64_t)(next_random(c) % (uint64_t)(delay / 2 + 1));
        log_debug(MODULE, "#%u %s: %s (http %ld, curl %d), try %d again in %lld ms", s->id,
                  central_kind_name(s->req.kind), central_result_name(result), http, (int)code,
                  s->attempts + 1, (long long)delay);
        release_transfer(c, s);
        s->due_ms = now_ms() + delay;
        pthread_mutex_lock(&c->lock);
        s->state = SLOT_QUEUED;
        pthread_mutex_unlock(&c->lock);
        return;
    }
    deliver(c, s, result, http, (int)code);
}

/* --- the worker --------------------------------------------------------------------------- */

/* Cancelled slots get their reply; startable ones (oldest first) start. Returns the ms until
 * the next backoff ends, capped at IDLE_POLL_MS. */
static long schedule(CentralClient *c)
{
    long wait = IDLE_POLL_MS;
    for (;;) {
        Slot *pick = NULL, *cancelled = NULL;
        int64_t now = now_ms();
        pthread_mutex_lock(&c->lock);
        for (int i = 0; i < CENTRAL_QUEUE_MAX; i++) {
            Slot *s = &c->slots[i];
            if (s->state == SLOT_FREE)
                continue;
            if (s->cancel || c->stopping) {
                cancelled = s;
                break;
            }
            if (s->state != SLOT_QUEUED)
                continue;
            if (s->due_ms > now) {
                if (s->due_ms - now < wait)
                    wait = (long)(s->due_ms - now);
                continue;
            }
            if (c->running < CENTRAL_INFLIGHT_MAX && (!pick || s->id < pick->id))
                pick = s;
        }
        if (!cancelled && pick)
            pick->state = SLOT_RUNNING;
        pthread_mutex_unlock(&c->lock);
        if (cancelled) {
            c->reply.error_code[0] = '\0';
            deliver(c, cancelled, CENTRAL_CANCELLED, 0, 0);
            continue;
        }
        if (!pick)
            return wait;
        if (start_transfer(c, pick) != KIOSK_OK) {
            c->reply.error_code[0] = '\0';
            deliver(c, pick, CENTRAL_BAD_RESPONSE, 0, 0);
        }
    }
}

static void *worker(void *arg)
{
    CentralClient *c = arg;
    for (;;) {
        int still = 0, numfds = 0, left = 0;
        long wait = schedule(c);
        bool stop;
        pthread_mutex_lock(&c->lock);
        stop = c->stopping;
        pthread_mutex_unlock(&c->lock);
        if (stop) {
            schedule(c); /* stopping may have been set after its scan: cancel what is left */
            break;
        }
        curl_multi_perform(c->multi, &still);
        CURLMsg *msg;
        bool finished = false;
        while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
            char *priv = NULL;
            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
            finish(c, (Slot *)(void *)priv, msg->data.result);
            finished = true;
        }
        if (finished)
            continue; /* a transfer slot came free, or a retry is due: schedule again first */
        curl_multi_poll(c->multi, NULL, 0, (int)wait, &numfds);
    }
    return NULL;
}

/* --- public ------------------------------------------------------------------------------- */

CentralClient *central_create(const CentralConfig *cfg, CentralReplyFn on_reply, void *ctx,
                              KioskErr *err)
{
    CentralClient *c = NULL;
    bool ok = true;
    size_t blen;
    *err = KIOSK_E_CONFIG;
    if (!cfg || !on_reply || !cfg->base_url || strncasecmp(cfg->base_url, "https://", 8) != 0) {
        log_error(MODULE, "the central URL must start with https://");
        goto out;
    }
    blen = strlen(cfg->base_url);
    if (blen <= 8 || blen > BASE_URL_MAX || !printable(cfg->base_url, false) ||
        strchr(cfg->base_url + 8, '?') || strchr(cfg->base_url + 8, '#')) {
        log_error(MODULE, "the central URL is not a plain https://host:port base");
        goto out;
    }
    if (!cfg->ca_file || !cfg->ca_file[0]) {
        log_error(MODULE, "no CA file for the central service: TLS verification needs one");
        goto out;
    }
    if (!cfg->client_cert != !cfg->client_key) {
        log_error(MODULE, "a client certificate needs its key and the other way round");
        goto out;
    }
    if ((cfg->store_id && cfg->store_id[0] && !central_is_id(cfg->store_id)) ||
        (cfg->device_id && cfg->device_id[0] && !central_is_id(cfg->device_id)) ||
        cfg->connect_timeout_ms < 0 || cfg->total_timeout_ms < 0 || cfg->max_attempts < 0) {
        log_error(MODULE, "bad store id, device id, timeout or attempts");
        goto out;
    }
    *err = KIOSK_E_NOMEM;
    c = calloc(1, sizeof *c);
    if (!c)
        goto out;
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        c = NULL;
        goto out;
    }
    c->base_url = strdup(cfg->base_url);
    if (!c->base_url)
        goto out;
    if (c->base_url[blen - 1] == '/')
        c->base_url[blen - 1] = '\0';
    c->ca_file = dup_opt(cfg->ca_file, &ok);
    c->client_cert = dup_opt(cfg->client_cert, &ok);
    c->client_key = dup_opt(cfg->client_key, &ok);
    c->store_id = dup_opt(cfg->store_id, &ok);
    c->device_id = dup_opt(cfg->device_id, &ok);
    if (!ok)
        goto out;
    c->connect_ms = cfg->connect_timeout_ms ? cfg->connect_timeout_ms : CONNECT_DEFAULT;
    c->total_ms = cfg->total_timeout_ms ? cfg->total_timeout_ms : TOTAL_DEFAULT;
    c->max_attempts = cfg->max_attempts ? cfg->max_attempts : CENTRAL_ATTEMPTS_MAX;
    c->on_reply = on_reply;
    c->ctx = ctx;
    c->next_id = 1;
    c->rng = (uint64_t)now_ms() * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)c;
    if (c->rng == 0)
        c->rng = 1;
    *err = KIOSK_E_IO;
    c->multi = curl_multi_init();
    if (!c->multi)
        goto out;
    curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)CENTRAL_INFLIGHT_MAX);
    if (pthread_create(&c->thread, NULL, worker, c) != 0)
        goto out;
    c->thread_started = true;
    *err = KIOSK_OK;
out:
    if (*err != KIOSK_OK && c) {
        central_destroy(c);
        c = NULL;
    }
    return c;
}

void central_destroy(CentralClient *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    c->stopping = true;
    pthread_mutex_unlock(&c->lock);
    if (c->thread_started) {
        curl_multi_wakeup(c->multi);
        pthread_join(c->thread, NULL);
    }
    for (int i = 0; i < CENTRAL_QUEUE_MAX; i++) { /* only if the worker never ran */
        release_transfer(c, &c->slots[i]);
        free(c->slots[i].post);
    }
    if (c->multi)
        curl_multi_cleanup(c->multi);
    pthread_mutex_destroy(&c->lock);
    free(c->base_url);
    free(c->ca_file);
    free(c->client_cert);
    free(c->client_key);
    free(c->store_id);
    free(c->device_id);
    free(c);
}

KioskErr central_submit(CentralClient *c, const CentralRequest *req, uint32_t *id)
{
    return central_submit_cb(c, req, NULL, NULL, id);
}

KioskErr central_submit_cb(CentralClient *c, const CentralRequest *req, CentralReplyFn fn,
                           void *ctx, uint32_t *id)
{
    KioskErr err = KIOSK_E_INVALID;
    Slot *s = NULL;
    *id = 0;
    if (!c || !req || !request_valid(c, req))
        return KIOSK_E_INVALID;
    pthread_mutex_lock(&c->lock);
    if (c->stopping) {
        err = KIOSK_E_STATE;
        goto out;
    }
    for (int i = 0; i < CENTRAL_QUEUE_MAX && !s; i++) {
        if (c->slots[i].state == SLOT_FREE)
            s = &c->slots[i];
    }
    if (!s) {
        err = KIOSK_E_FULL;
        goto out;
    }
    s->req = *req;
    s->fn = fn;
    s->fn_ctx = fn ? ctx : NULL;
    s->id = c->next_id++;
    if (c->next_id == 0)
        c->next_id = 1;
    s->submitted_ms = now_ms();
    s->due_ms = 0;
    s->attempts = 0;
    s->cancel = false;
    s->state = SLOT_QUEUED;
    *id = s->id;
    err = KIOSK_OK;
out:
    pthread_mutex_unlock(&c->lock);
    if (err == KIOSK_OK)
        curl_multi_wakeup(c->multi);
    return err;
}

KioskErr central_cancel(CentralClient *c, uint32_t id)
{
    KioskErr err = KIOSK_E_NOTFOUND;
    if (!c || id == 0)
        return err;
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < CENTRAL_QUEUE_MAX; i++) {
        if (c->slots[i].state != SLOT_FREE && c->slots[i].id == id) {
            c->slots[i].cancel = true;
            err = KIOSK_OK;
        }
    }
    pthread_mutex_unlock(&c->lock);
    if (err == KIOSK_OK)
        curl_multi_wakeup(c->multi);
    return err;
}

/* --- synchronous calls -------------------------------------------------------------------- */

/* One central_call waiting for its reply. Lives on the caller's stack: the worker touches it
 * only inside call_done, which runs before the caller can return. */
typedef struct Waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
    KioskErr err;
    CentralReply *out;
} Waiter;

static void call_done(const CentralReply *reply, void *ctx)
{
    Waiter *w = ctx;
    KioskErr err = central_reply_copy(w->out, reply);
    pthread_mutex_lock(&w->lock);
    w->err = err;
    w->done = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

KioskErr central_call(CentralClient *c, const CentralRequest *req, CentralReply *out)
{
    Waiter w = {.out = out};
    uint32_t id = 0;
    KioskErr err;
    if (!c || !req || !out)
        return KIOSK_E_INVALID;
    if (c->thread_started && pthread_equal(pthread_self(), c->thread))
        return KIOSK_E_STATE; /* the worker would wait for itself */
    if (pthread_mutex_init(&w.lock, NULL) != 0)
        return KIOSK_E_NOMEM;
    if (pthread_cond_init(&w.cond, NULL) != 0) {
        pthread_mutex_destroy(&w.lock);
        return KIOSK_E_NOMEM;
    }
    err = central_submit_cb(c, req, call_done, &w, &id);
    if (err == KIOSK_OK) {
        pthread_mutex_lock(&w.lock);
        while (!w.done)
            pthread_cond_wait(&w.cond, &w.lock);
        err = w.err;
        pthread_mutex_unlock(&w.lock);
    }
    pthread_cond_destroy(&w.cond);
    pthread_mutex_destroy(&w.lock);
    return err;
}

KioskErr central_reply_copy(CentralReply *dst, const CentralReply *src)
{
    const CentralBlob *blob = &src->payload.blob;
    memcpy(dst, src, sizeof *dst);
    if (src->kind != CENTRAL_IMAGE || src->result != CENTRAL_OK || !blob->data)
        return KIOSK_OK;
    dst->payload.blob.data = malloc(blob->len);
    if (!dst->payload.blob.data) {
        memset(&dst->payload, 0, sizeof dst->payload);
        dst->result = CENTRAL_BAD_RESPONSE;
        return KIOSK_E_NOMEM;
    }
    memcpy(dst->payload.blob.data, blob->data, blob->len);
    return KIOSK_OK;
}

void central_reply_clear(CentralReply *r)
{
    if (!r || r->kind != CENTRAL_IMAGE)
        return;
    free(r->payload.blob.data);
    memset(&r->payload.blob, 0, sizeof r->payload.blob);
}
