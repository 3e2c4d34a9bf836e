/* api_stock.c: stock delta sync for a store's devices. Every stock figure carries a change
 * sequence number (the "stock" counter, bumped by every write: orders, the back-office
 * stand-in, the seed); a device keeps the figures of its store, the nearest other stores and
 * the online warehouse, and asks for what changed after the last sequence it saw. The cursor
 * is that sequence number in decimal; clients treat it as opaque.
 * Runs on connection threads with Central.lock held. */
#include "api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "util.h"

#define STOCK_NEAR_DEFAULT 10   /* other stores synced when near is not given */
#define STOCK_NEAR_MAX     50   /* most other stores one device may follow */
#define STOCK_PAGE_DEFAULT 1000 /* figures per page when limit is not given */
#define STOCK_PAGE_MAX     5000 /* largest page */
#define STOCK_STORES_MAX   1024 /* locations considered when ranking by distance */

typedef struct Near {
    char id[UTIL_ID_MAX + 1];
    double km;
} Near;

static int by_km(const void *a, const void *b)
{
    const Near *x = a, *y = b;
    if (x->km != y->km)
        return x->km < y->km ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* A decimal integer in [lo, hi] with nothing around it; def when absent or empty. */
static bool query_range(const HttpRequest *req, HttpReply *r, const char *name, long long lo,
                        long long hi, long long def, long long *out)
{
    const char *s = http_query(req, name);
    char *end = NULL;
    *out = def;
    if (!s || !*s)
        return true;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || s[0] < '0' || s[0] > '9' || v < lo || v > hi) {
        http_reply_error(r, 400, "invalid_parameter",
                         "The query parameter \"%s\" must be an integer from %lld to %lld", name,
                         lo, hi);
        return false;
    }
    *out = v;
    return true;
}

/* The cursor: a sequence number this service has reached. Absent means 0 (a full sync). */
static bool read_cursor(const HttpRequest *req, HttpReply *r, long long newest, long long *out)
{
    const char *s = http_query(req, "cursor");
    char *end = NULL;
    *out = 0;
    if (!s || !*s)
        return true;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || s[0] < '0' || s[0] > '9' || v > newest) {
        http_reply_error(r, 400, "invalid_cursor", "The cursor is not one this service gave out");
        return false;
    }
    *out = v;
    return true;
}

/* The newest stock sequence number handed out so far (0 before any). */
static KioskErr newest_seq(sqlite3 *db, long long *out)
{
    sqlite3_stmt *st = NULL;
    KioskErr err = db_prepare(db, "SELECT value FROM counters WHERE name='stock'", &st);
    *out = 0;
    if (err != KIOSK_OK)
        return err;
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return KIOSK_OK;
}

/* The stores a device at `store` follows, nearest first: the store itself, its `near`
 * nearest other shops, and the warehouse last. NULL if the store does not exist; on a
 * database failure *failed is set. */
static json_t *followed_stores(sqlite3 *db, const char *store, long long near, bool *failed)
{
    sqlite3_stmt *st = NULL;
    Near *all = NULL;
    size_t n = 0;
    double lat0 = 0, lon0 = 0;
    bool found = false;
    json_t *list = NULL;
    *failed = false;
    all = calloc(STOCK_STORES_MAX, sizeof *all);
    if (!all || db_prepare(db, "SELECT id, kind, lat, lon FROM stores", &st) != KIOSK_OK) {
        *failed = true;
        goto out;
    }
    /* First pass: the origin's coordinates. */
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (strcmp(db_text(st, 0), store) == 0) {
            lat0 = sqlite3_column_double(st, 2);
            lon0 = sqlite3_column_double(st, 3);
            found = true;
        }
    }
    if (!found)
        goto out;
    sqlite3_reset(st);
    while (sqlite3_step(st) == SQLITE_ROW && n < STOCK_STORES_MAX) {
        const char *id = db_text(st, 0);
        if (strcmp(db_text(st, 1), "store") != 0 || strcmp(id, store) == 0)
            continue;
        snprintf(all[n].id, sizeof all[n].id, "%s", id);
        all[n].km = util_distance_km(lat0, lon0, sqlite3_column_double(st, 2),
                                     sqlite3_column_double(st, 3));
        n++;
    }
    qsort(all, n, sizeof *all, by_km);
    list = json_array();
    json_array_append_new(list, json_string(store));
    for (size_t i = 0; i < n && (long long)i < near; i++)
        json_array_append_new(list, json_string(all[i].id));
    if (strcmp(store, "online") != 0)
        json_array_append_new(list, json_string("online"));
out:
    sqlite3_finalize(st);
    free(all);
    return list;
}

void api_stock_delta(HttpRequest *req, HttpReply *r)
{
    sqlite3 *db = req->c->db;
    sqlite3_stmt *st = NULL;
    const char *store = NULL;
    long long near = 0, limit = 0, cursor = 0, newest = 0;
    json_t *stores = NULL, *list = NULL;
    char *stores_text = NULL;
    bool failed = false;
    if (!api_query_id(req, r, "store", true, &store) ||
        !query_range(req, r, "near", 0, STOCK_NEAR_MAX, STOCK_NEAR_DEFAULT, &near) ||
        !query_range(req, r, "limit", 1, STOCK_PAGE_MAX, STOCK_PAGE_DEFAULT, &limit))
        return;
    if (newest_seq(db, &newest) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    if (!read_cursor(req, r, newest, &cursor))
        return;
    stores = followed_stores(db, store, near, &failed);
    if (!stores) {
        if (failed)
            api_db_error(r);
        else
            http_reply_error(r, 404, "store_not_found", "No store %s", store);
        return;
    }
    stores_text = json_dumps(stores, JSON_COMPACT);
    if (!stores_text ||
        db_prepare(db,
                   "SELECT variant_id, store_id, qty, updated_at, seq FROM stock"
                   " WHERE seq > ?1 AND store_id IN (SELECT value FROM json_each(?2))"
                   " ORDER BY seq LIMIT ?3",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        goto out;
    }
    sqlite3_bind_int64(st, 1, cursor);
    sqlite3_bind_text(st, 2, stores_text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, limit + 1);
    list = json_array();
    long long next = cursor;
    bool more = false;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if ((long long)json_array_size(list) == limit) {
            more = true;
            break;
        }
        json_array_append_new(list, json_pack("{s:s,s:s,s:i,s:o}", "variant", db_text(st, 0),
                                              "store", db_text(st, 1), "qty",
                                              sqlite3_column_int(st, 2), "updated_at",
                                              api_time((time_t)sqlite3_column_int64(st, 3))));
        next = sqlite3_column_int64(st, 4);
    }
    /* The last page covers every change up to now: later changes elsewhere need not be
     * scanned again by the next delta. */
    if (!more)
        next = newest;
    char next_text[24];
    snprintf(next_text, sizeof next_text, "%lld", next);
    http_reply_json(r, 200,
                    json_pack("{s:o,s:O,s:s,s:b,s:o}", "stock", list, "stores", stores,
                              "next_cursor", next_text, "has_more", more, "server_time",
                              api_time(time(NULL))));
    list = NULL;
out:
    sqlite3_finalize(st);
    free(stores_text);
    json_decref(stores);
    json_decref(list);
}
