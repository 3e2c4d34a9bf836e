/* sync.c: the background thread (see sync.h, docs/storage.md "Sync"). Each round: drain the
 * outbox (sender.c), then the stores, the catalog delta and the stock delta, one page at a
 * time: a page's rows and its cursor are committed in one transaction, so a restart resumes
 * after the last whole page. One reply buffer on the heap is reused for every call, so the
 * memory a round needs does not grow with the catalog. The thread owns its Store, Outbox and
 * client; other threads only touch the flags under `lock`. */
#include "sync.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "log.h"
#include "outbox.h"
#include "sender.h"
#include "store.h"

#define MOD "sync"

#define CURSOR_CATALOG     "catalog"
#define CURSOR_STOCK       "stock"
#define CURSOR_STOCK_STORE "stock_store" /* the store the stock cursor follows */
#define CURSOR_LAST_SYNC   "last_sync"   /* epoch seconds of the last complete round */

_Static_assert(SYNC_STOCK_PAGE <= CENTRAL_STOCK_DELTA_MAX, "a stock page fits a reply");
_Static_assert(SYNC_STOCK_NEAR <= CENTRAL_STOCK_NEAR_MAX, "the API's bound on near");

struct Sync {
    /* Copies of the configuration (the strings CentralConfig points at live here). */
    char *base_url, *ca_file, *client_cert, *client_key, *store_id, *device_id;
    CentralConfig central;
    char here[CENTRAL_ID_MAX + 1];
    int interval_s;
    int64_t next_due_s; /* the outbox's next retry after the last pass, 0 none */

    Store *store;
    Outbox *outbox; /* NULL without a key path: nothing to send */
    CentralClient *client;
    CentralReply *reply; /* the one reply buffer (large: a stock page is ~170 KiB) */
    SyncResultFn on_result;
    void *ctx;
    int64_t last_sync;

    pthread_t thread;
    bool started;
    pthread_mutex_t lock; /* guards the fields below */
    pthread_cond_t cond;
    bool stop, kick;
    bool call_done;
};

/* How a round went. */
typedef enum Outcome {
    ROUND_DONE = 0, /* everything fetched and stored */
    ROUND_OFFLINE,  /* the service could not be reached */
    ROUND_FAILED,   /* reached, but a reply or the disk failed: try again later */
    ROUND_STOPPED,  /* sync_destroy */
} Outcome;

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static bool stopping(Sync *s)
{
    pthread_mutex_lock(&s->lock);
    bool stop = s->stop;
    pthread_mutex_unlock(&s->lock);
    return stop;
}

/* ---- one call, cancellable by sync_destroy -------------------------------------------------- */

static void on_call_reply(const CentralReply *reply, void *ctx)
{
    Sync *s = ctx;
    if (central_reply_copy(s->reply, reply) != KIOSK_OK)
        log_warn(MOD, "reply copy failed");
    pthread_mutex_lock(&s->lock);
    s->call_done = true;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

static void on_unused_reply(const CentralReply *reply, void *ctx)
{
    (void)reply;
    (void)ctx; /* every request of this client has its own callback */
}

/* Submits req and waits for its reply in s->reply. A stop cancels the request, and the wait
 * goes on until the client has answered CANCELLED (its callback writes into s->reply). */
static CentralResult call(Sync *s, const CentralRequest *req)
{
    uint32_t id = 0;
    bool cancelled = false;
    pthread_mutex_lock(&s->lock);
    s->call_done = false;
    bool stop = s->stop;
    pthread_mutex_unlock(&s->lock);
    if (stop)
        return CENTRAL_CANCELLED;
    KioskErr err = central_submit_cb(s->client, req, on_call_reply, s, &id);
    if (err != KIOSK_OK) {
        log_error(MOD, "%s not submitted: %s", central_kind_name(req->kind), kerr_name(err));
        s->reply->result = CENTRAL_BAD_RESPONSE;
        return s->reply->result;
    }
    pthread_mutex_lock(&s->lock);
    while (!s->call_done) {
        if (s->stop && !cancelled) {
            cancelled = true;
            pthread_mutex_unlock(&s->lock);
            (void)central_cancel(s->client, id); /* NOTFOUND: the reply is on its way */
            pthread_mutex_lock(&s->lock);
            continue;
        }
        pthread_cond_wait(&s->cond, &s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return s->reply->result;
}

static Outcome outcome_of(Sync *s, CentralResult r, const char *what)
{
    switch (r) {
    case CENTRAL_OK:
        return ROUND_DONE;
    case CENTRAL_CANCELLED:
        return ROUND_STOPPED;
    case CENTRAL_OFFLINE:
    case CENTRAL_TIMEOUT:
    case CENTRAL_TLS:
    case CENTRAL_SERVER:
        log_info(MOD, "%s: %s", what, central_result_name(r));
        return ROUND_OFFLINE;
    case CENTRAL_REFUSED:
    case CENTRAL_BAD_RESPONSE:
        break;
    }
    log_warn(MOD, "%s: %s (http %ld, code %s)", what, central_result_name(r), s->reply->http_status,
             s->reply->error_code[0] ? s->reply->error_code : "-");
    return ROUND_FAILED;
}

/* A cursor the service no longer knows (its data was reset): start that delta again. */
static void forget_cursor_if_refused(Sync *s, const char *name)
{
    if (s->reply->result == CENTRAL_REFUSED &&
        strcmp(s->reply->error_code, "invalid_cursor") == 0) {
        log_warn(MOD, "the service refused the %s cursor: full %s sync next", name, name);
        (void)store_cursor_set(s->store, name, "");
    }
}

static KioskErr cursor_or_empty(Sync *s, const char *name, char *buf, size_t size)
{
    KioskErr err = store_cursor_get(s->store, name, buf, size);
    if (err == KIOSK_E_NOTFOUND || err == KIOSK_E_TOOBIG) {
        buf[0] = '\0';
        err = KIOSK_OK;
    }
    return err;
}

/* ---- the parts of a round --------------------------------------------------------------- */

static Outcome sync_stores(Sync *s)
{
    CentralRequest req = {.kind = CENTRAL_STORES};
    Outcome o = outcome_of(s, call(s, &req), "stores");
    if (o != ROUND_DONE)
        return o;
    const CentralStores *st = &s->reply->payload.stores;
    if (st->truncated)
        log_warn(MOD, "store list cut at %d", CENTRAL_STORES_MAX);
    int64_t now = now_s();
    KioskErr err = store_begin(s->store);
    for (size_t i = 0; i < st->count && err == KIOSK_OK; i++)
        err = catalog_put_store(s->store, &st->stores[i], now);
    err = err == KIOSK_OK ? store_commit(s->store) : err;
    if (err != KIOSK_OK) {
        store_rollback(s->store);
        return ROUND_FAILED;
    }
    return ROUND_DONE;
}

/* Catalog pages from the stored cursor until has_more is false. */
static Outcome sync_catalog(Sync *s, int *pages)
{
    CentralRequest req = {.kind = CENTRAL_CATALOG};
    for (;;) {
        if (cursor_or_empty(s, CURSOR_CATALOG, req.u.catalog.cursor, sizeof req.u.catalog.cursor) !=
            KIOSK_OK)
            return ROUND_FAILED;
        Outcome o = outcome_of(s, call(s, &req), "catalog");
        if (o != ROUND_DONE) {
            forget_cursor_if_refused(s, CURSOR_CATALOG);
            return o;
        }
        const CentralCatalogPage *page = &s->reply->payload.catalog;
        int64_t now = now_s();
        KioskErr err = store_begin(s->store);
        for (size_t i = 0; i < page->count && err == KIOSK_OK; i++)
            err = catalog_put_product(s->store, &page->products[i], now);
        if (err == KIOSK_OK)
            err = store_cursor_set(s->store, CURSOR_CATALOG, page->next_cursor);
        err = err == KIOSK_OK ? store_commit(s->store) : err;
        if (err != KIOSK_OK) {
            store_rollback(s->store);
            return ROUND_FAILED;
        }
        (*pages)++;
        if (!page->has_more || page->count == 0)
            return ROUND_DONE;
    }
}

/* Stock pages from the stored cursor. A page naming variants the local catalog lacks (a
 * product added after the catalog pages of this round) is undone, the catalog caught up
 * once, and the page fetched again; what is still unknown after that is skipped. */
static Outcome sync_stock(Sync *s, int *pages, int *catalog_pages)
{
    CentralRequest req = {.kind = CENTRAL_STOCK_DELTA};
    char followed[CENTRAL_ID_MAX + 1] = "";
    bool caught_up = false;
    snprintf(req.u.stock_delta.store, sizeof req.u.stock_delta.store, "%s", s->here);
    req.u.stock_delta.near = SYNC_STOCK_NEAR;
    req.u.stock_delta.limit = SYNC_STOCK_PAGE;
    /* The cursor belongs to the store it followed: another store starts from scratch. */
    if (cursor_or_empty(s, CURSOR_STOCK_STORE, followed, sizeof followed) != KIOSK_OK)
        return ROUND_FAILED;
    if (strcmp(followed, s->here) != 0 &&
        (store_cursor_set(s->store, CURSOR_STOCK, "") != KIOSK_OK ||
         store_cursor_set(s->store, CURSOR_STOCK_STORE, s->here) != KIOSK_OK))
        return ROUND_FAILED;
    for (;;) {
        if (cursor_or_empty(s, CURSOR_STOCK, req.u.stock_delta.cursor,
                            sizeof req.u.stock_delta.cursor) != KIOSK_OK)
            return ROUND_FAILED;
        Outcome o = outcome_of(s, call(s, &req), "stock");
        if (o != ROUND_DONE) {
            forget_cursor_if_refused(s, CURSOR_STOCK);
            return o;
        }
        const CentralStockDelta *d = &s->reply->payload.stock_delta;
        bool more = d->has_more && d->count > 0;
        int unknown = 0;
        KioskErr err = store_begin(s->store);
        if (err == KIOSK_OK)
            err = catalog_put_stock_page(s->store, d->rows, d->count, now_s(), &unknown);
        if (err == KIOSK_OK && unknown > 0 && !caught_up) {
            store_rollback(s->store);
            caught_up = true;
            o = sync_catalog(s, catalog_pages);
            if (o != ROUND_DONE)
                return o;
            continue; /* the same page again, from the same cursor */
        }
        if (unknown > 0)
            log_warn(MOD, "%d stock figures for unknown variants skipped", unknown);
        if (err == KIOSK_OK)
            err = store_cursor_set(s->store, CURSOR_STOCK, d->next_cursor);
        err = err == KIOSK_OK ? store_commit(s->store) : err;
        if (err != KIOSK_OK) {
            store_rollback(s->store);
            return ROUND_FAILED;
        }
        (*pages)++;
        if (!more)
            return ROUND_DONE;
    }
}

static void report(Sync *s, Outcome o)
{
    Result *r = result_new(RESULT_SYNC, 0);
    if (!r)
        return;
    r->err = o == ROUND_DONE ? KIOSK_OK : o == ROUND_OFFLINE ? KIOSK_E_IO : KIOSK_E_STATE;
    r->offline = o == ROUND_OFFLINE;
    r->u.sync.online = o != ROUND_OFFLINE;
    r->u.sync.last_sync = s->last_sync;
    int64_t products = catalog_product_count(s->store);
    r->u.sync.products = products > 0 ? products : 0;
    int64_t depth = s->outbox ? outbox_depth(s->outbox) : 0;
    r->u.sync.outbox_depth = depth > 0 ? (unsigned)depth : 0;
    if (s->on_result)
        s->on_result(r, s->ctx);
    else
        result_free(r);
}

static Outcome round_once(Sync *s)
{
    int catalog_pages = 0, stock_pages = 0;
    Outcome o = ROUND_DONE;
    if (s->outbox) {
        /* Orders first: they matter more than figures. The pass's own call cannot be
         * cancelled from here (see sync_destroy); it is bounded by the client's timeouts. */
        SenderStats st = {0};
        s->next_due_s = 0;
        if (sender_pass(s->outbox, s->client, now_s(), s->on_result, s->ctx, &st) == KIOSK_OK) {
            s->next_due_s = st.next_due_s;
            if (st.offline)
                log_info(MOD, "sender: offline, %u orders wait", st.depth);
        }
    }
    if (stopping(s))
        return ROUND_STOPPED;
    o = sync_stores(s);
    if (o == ROUND_DONE)
        o = sync_catalog(s, &catalog_pages);
    if (o == ROUND_DONE && s->here[0])
        o = sync_stock(s, &stock_pages, &catalog_pages);
    if (o == ROUND_DONE) {
        char text[24];
        s->last_sync = now_s();
        snprintf(text, sizeof text, "%lld", (long long)s->last_sync);
        (void)store_cursor_set(s->store, CURSOR_LAST_SYNC, text);
    }
    log_info(MOD, "round %s: %d catalog pages, %d stock pages",
             o == ROUND_DONE      ? "done"
             : o == ROUND_OFFLINE ? "offline"
             : o == ROUND_STOPPED ? "stopped"
                                  : "failed",
             catalog_pages, stock_pages);
    return o;
}

static void *run(void *arg)
{
    Sync *s = arg;
    for (;;) {
        Outcome o = round_once(s);
        if (o == ROUND_STOPPED)
            break;
        report(s, o);
        int wait_s = o == ROUND_DONE ? s->interval_s : SYNC_RETRY_S;
        if (s->next_due_s > 0) { /* an order's retry comes before the next round */
            int64_t due = s->next_due_s - now_s();
            if (due < wait_s)
                wait_s = due > 1 ? (int)due : 1;
        }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += wait_s;
        pthread_mutex_lock(&s->lock);
        while (!s->stop && !s->kick) {
            if (pthread_cond_timedwait(&s->cond, &s->lock, &until) != 0)
                break;
        }
        s->kick = false;
        bool stop = s->stop;
        pthread_mutex_unlock(&s->lock);
        if (stop)
            break;
    }
    return NULL;
}

/* ---- lifecycle --------------------------------------------------------------------------- */

static bool dup_opt(const char *src, char **dst)
{
    *dst = NULL;
    if (!src)
        return true;
    *dst = strdup(src);
    return *dst != NULL;
}

static void free_sync(Sync *s)
{
    central_destroy(s->client);
    outbox_close(s->outbox);
    store_close(s->store);
    free(s->reply);
    free(s->base_url);
    free(s->ca_file);
    free(s->client_cert);
    free(s->client_key);
    free(s->store_id);
    free(s->device_id);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

Sync *sync_create(const SyncConfig *cfg, SyncResultFn on_result, void *ctx, KioskErr *err)
{
    KioskErr e = KIOSK_E_INVALID;
    Sync *s = NULL;
    pthread_condattr_t attr;
    char text[24];
    if (!cfg || !cfg->db_path || (cfg->here_store && !central_is_id(cfg->here_store)))
        goto out;
    s = calloc(1, sizeof *s);
    if (!s) {
        e = KIOSK_E_NOMEM;
        goto out;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cond, &attr);
    pthread_condattr_destroy(&attr);
    s->on_result = on_result;
    s->ctx = ctx;
    s->interval_s = cfg->interval_s > 0 ? cfg->interval_s : SYNC_INTERVAL_S;
    snprintf(s->here, sizeof s->here, "%s", cfg->here_store ? cfg->here_store : "");
    s->central = cfg->central;
    if (!dup_opt(cfg->central.base_url, &s->base_url) ||
        !dup_opt(cfg->central.ca_file, &s->ca_file) ||
        !dup_opt(cfg->central.client_cert, &s->client_cert) ||
        !dup_opt(cfg->central.client_key, &s->client_key) ||
        !dup_opt(cfg->central.store_id ? cfg->central.store_id : cfg->here_store, &s->store_id) ||
        !dup_opt(cfg->central.device_id, &s->device_id) ||
        !(s->reply = calloc(1, sizeof *s->reply))) {
        e = KIOSK_E_NOMEM;
        goto out;
    }
    s->central.base_url = s->base_url;
    s->central.ca_file = s->ca_file;
    s->central.client_cert = s->client_cert;
    s->central.client_key = s->client_key;
    s->central.store_id = s->store_id;
    s->central.device_id = s->device_id;
    s->store = store_open(cfg->db_path, &e);
    if (!s->store)
        goto out;
    if (cfg->key_path) {
        s->outbox = outbox_open(s->store, cfg->key_path, &e);
        if (!s->outbox)
            goto out;
    }
    if (store_cursor_get(s->store, CURSOR_LAST_SYNC, text, sizeof text) == KIOSK_OK)
        s->last_sync = strtoll(text, NULL, 10);
    s->client = central_create(&s->central, on_unused_reply, NULL, &e);
    if (!s->client)
        goto out;
    if (pthread_create(&s->thread, NULL, run, s) != 0) {
        e = KIOSK_E_IO;
        goto out;
    }
    s->started = true;
    e = KIOSK_OK;
out:
    if (e != KIOSK_OK && s) {
        free_sync(s);
        s = NULL;
    }
    if (err)
        *err = e;
    return s;
}

void sync_destroy(Sync *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    /* The thread cancels its own call (call()), then sees the flag between pages. */
    if (s->started)
        pthread_join(s->thread, NULL);
    free_sync(s);
}

void sync_kick(Sync *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->kick = true;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}
