/* data.h: the data worker. One thread that owns a Store (and the Outbox on it) and answers
 * the app core's questions about the local copy (categories, a category's products, search,
 * a product, its stored stock, the on-device recommendations) and makes an order durable.
 * The UI thread submits small fixed-size queries and returns at once; each answer comes back
 * as a Result (view.h) handed to on_result on the worker thread, which owns it from then on
 * (core.c posts it as an EV_RESULT event). The disk is never touched on the UI thread. */
#ifndef KIOSK_DATA_H
#define KIOSK_DATA_H

#include <stdbool.h>
#include <stdint.h>

#include "kerr.h"
#include "outbox.h"
#include "view.h"

#define DATA_QUEUE_MAX   16
#define DATA_SEEDS_MAX   8  /* products a fallback recommendation starts from */
#define DATA_EXCLUDE_MAX 24 /* products it leaves out */

typedef enum DataQueryKind {
    DATA_CATEGORIES = 0, /* -> RESULT_CATEGORIES */
    DATA_BROWSE,         /* text = category, offset -> RESULT_BROWSE */
    DATA_SEARCH,         /* text = query -> RESULT_SEARCH */
    DATA_PRODUCT,        /* id = product -> RESULT_PRODUCT */
    DATA_STOCK,          /* id = product -> RESULT_STOCK (stored figures) */
    DATA_RECOMMEND,      /* seeds, exclude -> RESULT_RECOMMENDATIONS (on-device) */
    DATA_ORDER_PUT,      /* idempotency_key, payload -> RESULT_ORDER_STORED: err KIOSK_OK once
                            the order is on disk (else FULL, IO, TIMEOUT, INVALID, TOOBIG: not
                            stored); u.order.idempotency_key names it either way */
    DATA_GARMENT,        /* text = a tag's GTIN, or id = a product -> RESULT_GARMENT
                            (KIOSK_E_NOTFOUND: not in the catalog) */
    DATA_LOOK,           /* seeds, exclude -> RESULT_LOOK: what goes with the seed product */
    DATA_KIND_COUNT
} DataQueryKind;

typedef struct DataQuery {
    DataQueryKind kind;
    uint32_t seq; /* copied into the Result */
    char text[VIEW_QUERY_MAX + 1];
    ViewId id;
    int offset;
    ViewId seeds[DATA_SEEDS_MAX];
    int seed_count;
    ViewId exclude[DATA_EXCLUDE_MAX];
    int exclude_count;
    char idempotency_key[OUTBOX_IDEM_KEY_MAX + 1];
    char *payload; /* DATA_ORDER_PUT: order JSON, malloc'd; data_submit takes it over */
    bool offline;  /* asked because the central service could not be reached: the Result
                    * says so (Result.offline) */
} DataQuery;

/* Receives every answer on the worker thread and owns it (result_free when done). */
typedef void (*DataResultFn)(Result *result, void *ctx);

typedef struct DataConfig {
    const char *db_path;    /* the Store file (STORE_FILE_NAME in the data directory) */
    const char *key_path;   /* the outbox device key (OUTBOX_KEY_FILE) */
    const char *here_store; /* this device's store id, for hints and distances */
    /* Called after each order is made durable (after its RESULT_ORDER_STORED went to
     * on_result), on the worker thread, with data_create's ctx: wakes the sender. Or NULL. */
    void (*on_order_stored)(void *ctx);
} DataConfig;

typedef struct Data Data;

/* Opens the store (running migrations) and the outbox, starts the worker. cfg is read here
 * only (here_store is copied). NULL with *err: what store_open or outbox_open said (a
 * read-only medium: KIOSK_E_IO), KIOSK_E_INVALID for a bad cfg, or KIOSK_E_NOMEM /
 * KIOSK_E_IO. Orders are stamped with the wall clock (time()), as the outbox wants. */
Data *data_create(const DataConfig *cfg, DataResultFn on_result, void *ctx, KioskErr *err);
/* Finishes the query in hand, drops the queued ones (their payloads freed), joins and
 * closes. NULL is a no-op. */
void data_destroy(Data *d);

/* Any thread. Copies q and takes its payload, even on failure (q->payload is NULL after).
 * KIOSK_E_FULL when DATA_QUEUE_MAX queries wait; KIOSK_E_INVALID for an unknown kind, a
 * string not terminated in its field, counts out of range, a negative offset, or an
 * ORDER_PUT without key or payload; KIOSK_E_STATE once data_destroy has begun. */
KioskErr data_submit(Data *d, DataQuery *q);

#endif
