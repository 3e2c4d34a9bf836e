/* data.c: the data worker (see data.h). One thread owns the Store and the Outbox on it and
 * answers queries taken from a bounded ring (mutex + condvar); any thread submits. The ring
 * holds copies of the queries; an order's payload is owned by the ring until the worker has
 * stored it, then wiped and freed. Order payloads are never logged. */
#include "data.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "log.h"

#define MOD "data"

struct Data {
    Store *store;
    Outbox *ob;
    DataResultFn on_result;
    void *ctx;
    void (*on_order_stored)(void *ctx);
    char here[CENTRAL_ID_MAX + 1]; /* copied from the config */

    pthread_mutex_t lock;
    pthread_cond_t wake;
    DataQuery queue[DATA_QUEUE_MAX]; /* ring: head, count; guarded by lock */
    int head, count;
    bool stopping; /* guarded by lock */
    bool started;
    pthread_t thread;
};

/* Frees an order payload after wiping it: it holds member and address ids. */
static void drop_payload(DataQuery *q)
{
    if (q->payload) {
        memset(q->payload, 0, strlen(q->payload));
        free(q->payload);
        q->payload = NULL;
    }
}

#define TERMINATED(field) (memchr((field), '\0', sizeof(field)) != NULL)

static bool query_ok(const DataQuery *q)
{
    if ((unsigned)q->kind >= DATA_KIND_COUNT || !TERMINATED(q->text) || !TERMINATED(q->id) ||
        !TERMINATED(q->idempotency_key) || q->offset < 0 || q->seed_count < 0 ||
        q->seed_count > DATA_SEEDS_MAX || q->exclude_count < 0 ||
        q->exclude_count > DATA_EXCLUDE_MAX)
        return false;
    for (int i = 0; i < q->seed_count; i++) {
        if (!TERMINATED(q->seeds[i]))
            return false;
    }
    for (int i = 0; i < q->exclude_count; i++) {
        if (!TERMINATED(q->exclude[i]))
            return false;
    }
    if (q->kind == DATA_ORDER_PUT)
        return q->payload && q->idempotency_key[0];
    return true;
}

static ResultKind result_kind(DataQueryKind k)
{
    switch (k) {
    case DATA_CATEGORIES:
        return RESULT_CATEGORIES;
    case DATA_BROWSE:
        return RESULT_BROWSE;
    case DATA_SEARCH:
        return RESULT_SEARCH;
    case DATA_PRODUCT:
        return RESULT_PRODUCT;
    case DATA_STOCK:
        return RESULT_STOCK;
    case DATA_RECOMMEND:
        return RESULT_RECOMMENDATIONS;
    case DATA_GARMENT:
        return RESULT_GARMENT;
    case DATA_LOOK:
        return RESULT_LOOK;
    case DATA_ORDER_PUT:
    case DATA_KIND_COUNT:
        break;
    }
    return RESULT_ORDER_STORED;
}

/* Answers one query on the worker thread and hands the Result over. */
static void answer(Data *d, DataQuery *q)
{
    Result *r = result_new(result_kind(q->kind), q->seq);
    if (r)
        r->offline = q->offline;
    if (!r) {
        /* No way to answer: do nothing rather than store an order the shopper is never
         * thanked for (they would place it again under a new key). */
        log_error(MOD, "no memory for the answer to query %u (%d)", (unsigned)q->seq, q->kind);
        return;
    }
    switch (q->kind) {
    case DATA_CATEGORIES:
        r->err = catalog_categories(d->store, r->u.categories.names, VIEW_CATEGORIES_MAX,
                                    &r->u.categories.count);
        break;
    case DATA_BROWSE:
        snprintf(r->query, sizeof r->query, "%s", q->text);
        r->err = catalog_browse(d->store, q->text, q->offset, d->here, &r->u.cards);
        break;
    case DATA_SEARCH:
        snprintf(r->query, sizeof r->query, "%s", q->text);
        r->err = catalog_search(d->store, q->text, d->here, &r->u.cards);
        break;
    case DATA_PRODUCT:
        r->err = catalog_product(d->store, q->id, &r->u.product);
        break;
    case DATA_STOCK:
        r->err = catalog_stock(d->store, q->id, d->here, &r->u.stock);
        break;
    case DATA_RECOMMEND:
    case DATA_LOOK:
        r->err = catalog_recommend(d->store, q->seeds, q->seed_count, q->exclude, q->exclude_count,
                                   d->here, &r->u.cards);
        break;
    case DATA_GARMENT:
        r->err = q->text[0] ? catalog_find_gtin(d->store, q->text, r->u.garment.product,
                                                r->u.garment.variant)
                            : catalog_product(d->store, q->id, &r->u.product);
        if (!q->text[0] && r->err == KIOSK_OK) { /* a product URI: the product, no variant */
            memset(&r->u, 0, sizeof r->u);
            snprintf(r->u.garment.product, sizeof r->u.garment.product, "%s", q->id);
        }
        break;
    case DATA_KIND_COUNT:
        break;
    case DATA_ORDER_PUT: {
        int64_t id = 0;
        /* Wall-clock seconds: the outbox's times are Unix time (docs/storage.md). */
        r->err = outbox_put(d->ob, q->idempotency_key, q->payload, (int64_t)time(NULL), &id);
        if (r->err == KIOSK_OK)
            log_debug(MOD, "order stored as outbox record %lld", (long long)id);
        else
            log_warn(MOD, "order not stored: %s", kerr_name(r->err));
        break;
    }
    }
    if (r->err != KIOSK_OK) /* a partial answer is no answer */
        memset(&r->u, 0, sizeof r->u);
    if (q->kind == DATA_ORDER_PUT) /* the key travels back even when the put failed */
        snprintf(r->u.order.idempotency_key, sizeof r->u.order.idempotency_key, "%s",
                 q->idempotency_key);
    bool stored = q->kind == DATA_ORDER_PUT && r->err == KIOSK_OK;
    if (d->on_result)
        d->on_result(r, d->ctx);
    else
        result_free(r);
    if (stored && d->on_order_stored)
        d->on_order_stored(d->ctx);
}

static void *worker(void *arg)
{
    Data *d = arg;
    DataQuery q;
    for (;;) {
        pthread_mutex_lock(&d->lock);
        while (!d->stopping && d->count == 0)
            pthread_cond_wait(&d->wake, &d->lock);
        if (d->stopping) {
            pthread_mutex_unlock(&d->lock);
            break;
        }
        q = d->queue[d->head];
        memset(&d->queue[d->head], 0, sizeof d->queue[d->head]);
        d->head = (d->head + 1) % DATA_QUEUE_MAX;
        d->count--;
        pthread_mutex_unlock(&d->lock);
        answer(d, &q);
        drop_payload(&q);
    }
    return NULL;
}

Data *data_create(const DataConfig *cfg, DataResultFn on_result, void *ctx, KioskErr *err)
{
    KioskErr e = KIOSK_E_INVALID;
    Data *d = NULL;
    bool sync_ok = false;

    if (!cfg || !cfg->db_path || !cfg->key_path ||
        (cfg->here_store && strlen(cfg->here_store) > CENTRAL_ID_MAX))
        goto fail;
    e = KIOSK_E_NOMEM;
    d = calloc(1, sizeof *d);
    if (!d)
        goto fail;
    d->on_result = on_result;
    d->ctx = ctx;
    d->on_order_stored = cfg->on_order_stored;
    snprintf(d->here, sizeof d->here, "%s", cfg->here_store ? cfg->here_store : "");
    e = KIOSK_E_IO;
    if (pthread_mutex_init(&d->lock, NULL) != 0)
        goto fail;
    if (pthread_cond_init(&d->wake, NULL) != 0) {
        pthread_mutex_destroy(&d->lock);
        goto fail;
    }
    sync_ok = true;
    d->store = store_open(cfg->db_path, &e);
    if (!d->store)
        goto fail;
    d->ob = outbox_open(d->store, cfg->key_path, &e);
    if (!d->ob)
        goto fail;
    e = KIOSK_E_IO;
    if (pthread_create(&d->thread, NULL, worker, d) != 0) {
        log_error(MOD, "cannot start the data worker");
        goto fail;
    }
    d->started = true;
    if (err)
        *err = KIOSK_OK;
    return d;
fail:
    if (d) {
        outbox_close(d->ob);
        store_close(d->store);
        if (sync_ok) {
            pthread_cond_destroy(&d->wake);
            pthread_mutex_destroy(&d->lock);
        }
        free(d);
    }
    if (err)
        *err = e;
    return NULL;
}

void data_destroy(Data *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->lock);
    d->stopping = true;
    pthread_cond_signal(&d->wake);
    pthread_mutex_unlock(&d->lock);
    if (d->started)
        pthread_join(d->thread, NULL);
    /* The worker has gone: what is left in the ring was never answered. */
    for (int i = 0; i < d->count; i++)
        drop_payload(&d->queue[(d->head + i) % DATA_QUEUE_MAX]);
    if (d->count > 0)
        log_info(MOD, "%d queries dropped at shutdown", d->count);
    outbox_close(d->ob);
    store_close(d->store);
    pthread_cond_destroy(&d->wake);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

KioskErr data_submit(Data *d, DataQuery *q)
{
    KioskErr err = KIOSK_E_INVALID;
    if (!q)
        return KIOSK_E_INVALID;
    if (!d || !query_ok(q))
        goto out;
    pthread_mutex_lock(&d->lock);
    if (d->stopping) {
        err = KIOSK_E_STATE;
    } else if (d->count == DATA_QUEUE_MAX) {
        err = KIOSK_E_FULL;
    } else {
        d->queue[(d->head + d->count) % DATA_QUEUE_MAX] = *q;
        d->count++;
        q->payload = NULL; /* the ring's now */
        pthread_cond_signal(&d->wake);
        err = KIOSK_OK;
    }
    pthread_mutex_unlock(&d->lock);
out:
    drop_payload(q); /* taken even on failure, as data.h says */
    return err;
}
