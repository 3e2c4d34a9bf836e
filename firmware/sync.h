/* sync.h: the background thread. It keeps the local copy (catalog.h) up to date from the
 * central service by delta sync (stores, then catalog pages and stock changes from their
 * stored cursors: resumable after a restart, one page in memory at a time whatever the
 * catalog's size), and drains the outbox (sender.h) whenever an order is stored or the
 * network comes back. It owns its Store, Outbox and central client; it reports to the app
 * through on_result (RESULT_SYNC after each round, RESULT_ORDER_SENT / _REFUSED). */
#ifndef KIOSK_SYNC_H
#define KIOSK_SYNC_H

#include "central.h"
#include "kerr.h"
#include "view.h"

#define SYNC_INTERVAL_S   60 /* between delta rounds while online */
#define SYNC_RETRY_S      10 /* after a round that could not reach the service */
#define SYNC_CATALOG_PAGE CENTRAL_CATALOG_PAGE_MAX
#define SYNC_STOCK_PAGE   1000 /* stock figures per page */
#define SYNC_STOCK_NEAR   10   /* nearest other stores whose stock is kept */

typedef void (*SyncResultFn)(Result *result, void *ctx); /* owns result */

typedef struct SyncConfig {
    CentralConfig central;  /* copied; the thread makes its own client */
    const char *db_path;    /* the Store file */
    const char *key_path;   /* the outbox key */
    const char *here_store; /* this device's store */
    int interval_s;         /* 0: SYNC_INTERVAL_S */
} SyncConfig;

typedef struct Sync Sync;

/* Opens its Store and Outbox, starts the thread (which begins a round at once). NULL with
 * *err on failure. */
Sync *sync_create(const SyncConfig *cfg, SyncResultFn on_result, void *ctx, KioskErr *err);
/* Stops the thread promptly (an in-flight call is cancelled), closes everything. NULL is a
 * no-op. */
void sync_destroy(Sync *s);
/* Any thread: an order was stored, or the network may be back: send and sync now. */
void sync_kick(Sync *s);

#endif
