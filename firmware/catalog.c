/* catalog.c: the local copy of the chain on a Store (see catalog.h, docs/storage.md):
 * writes from the sync thread, reads into view models for the data worker. Every function
 * prepares its statements, uses them and finalizes them before it returns, so nothing
 * outlives the call and any thread that owns a Store may use it. */
#include "catalog.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gs1.h"
#include "log.h"

#define MOD "catalog"

#define SEARCH_WORDS_MAX 8  /* words of a query that must all match */
#define RECOMMEND_SEEDS  32 /* seeds and exclusions considered (callers send fewer) */
#define PER_CATEGORY     2  /* recommendations from one category */
#define EARTH_RADIUS_KM  6371.0
#define STORES_LOADED    256 /* locations considered for a stock view */

/* ---- small helpers ---------------------------------------------------------------------- */

static KioskErr prepare(Store *s, const char *sql, sqlite3_stmt **st)
{
    return store_sqlite_err(sqlite3_prepare_v2(store_db(s), sql, -1, st, NULL), "prepare");
}

static void copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, size, "%s", t ? (const char *)t : "");
}

static bool is_online(const char *kind, const char *id)
{
    return (kind && strcmp(kind, "online") == 0) || (id && strcmp(id, "online") == 0);
}

/* Great-circle distance (haversine), as the central service computes it. */
static double distance_km(double lat1, double lon1, double lat2, double lon2)
{
    const double rad = M_PI / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * EARTH_RADIUS_KM * atan2(sqrt(a), sqrt(1 - a));
}

/* Savepoints make a multi-statement write whole whether or not the caller (the sync, one
 * transaction per page) already holds a transaction. */
static KioskErr savepoint(Store *s, const char *verb)
{
    char sql[48];
    snprintf(sql, sizeof sql, "%s catalog_put", verb);
    return store_sqlite_err(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL), verb);
}

static void savepoint_undo(Store *s)
{
    (void)sqlite3_exec(store_db(s), "ROLLBACK TO catalog_put; RELEASE catalog_put", NULL, NULL,
                       NULL);
}

/* ---- writes ------------------------------------------------------------------------------ */

KioskErr catalog_put_store(Store *s, const CentralStore *st, int64_t now_s)
{
    sqlite3_stmt *q = NULL;
    KioskErr err = KIOSK_E_INVALID;
    if (!s || !st || !central_is_id(st->id))
        goto out;
    err = prepare(s,
                  "INSERT INTO stores(id, name, kind, lat, lon, city, timezone, updated_at)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(id) DO UPDATE SET"
                  " name = excluded.name, kind = excluded.kind, lat = excluded.lat,"
                  " lon = excluded.lon, city = excluded.city, timezone = excluded.timezone,"
                  " updated_at = excluded.updated_at",
                  &q);
    if (err != KIOSK_OK)
        goto out;
    sqlite3_bind_text(q, 1, st->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, st->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, st->kind, -1, SQLITE_STATIC);
    sqlite3_bind_double(q, 4, st->lat);
    sqlite3_bind_double(q, 5, st->lon);
    sqlite3_bind_text(q, 6, st->city, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 7, st->timezone, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 8, now_s);
    err = store_sqlite_err(sqlite3_step(q), "put_store");
out:
    sqlite3_finalize(q);
    return err;
}

static KioskErr put_product_row(Store *s, const CentralProduct *p, int64_t updated_at)
{
    sqlite3_stmt *q = NULL;
    KioskErr err = prepare(
        s,
        "INSERT INTO products(id, name, category, price_cents, currency, active, updated_at,"
        " brand, description, image_url, replenishable, replenish_days, popularity)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        " ON CONFLICT(id) DO UPDATE SET name = excluded.name, category = excluded.category,"
        " price_cents = excluded.price_cents, currency = excluded.currency,"
        " active = excluded.active, updated_at = excluded.updated_at, brand = excluded.brand,"
        " description = excluded.description, image_url = excluded.image_url,"
        " replenishable = excluded.replenishable, replenish_days = excluded.replenish_days,"
        " popularity = excluded.popularity",
        &q);
    if (err != KIOSK_OK)
        goto out;
    sqlite3_bind_text(q, 1, p->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, p->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, p->category, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, p->price_cents);
    sqlite3_bind_text(q, 5, p->currency, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 6, p->active ? 1 : 0);
    sqlite3_bind_int64(q, 7, updated_at);
    sqlite3_bind_text(q, 8, p->brand, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 9, p->description, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 10, p->image_url, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 11, p->replenishable ? 1 : 0);
    sqlite3_bind_int64(q, 12, p->replenish_days);
    sqlite3_bind_double(q, 13, p->popularity);
    err = store_sqlite_err(sqlite3_step(q), "put_product");
out:
    sqlite3_finalize(q);
    return err;
}

/* The variants as sent, in their order. Variants the product no longer has are deleted
 * (their stock with them), unless the list was cut at CENTRAL_PRODUCT_VARIANTS_MAX. */
static KioskErr put_variants(Store *s, const CentralProduct *p, int64_t updated_at)
{
    sqlite3_stmt *mark = NULL, *up = NULL, *drop = NULL;
    KioskErr err = prepare(s, "UPDATE variants SET position = -1 WHERE product_id = ?", &mark);
    if (err == KIOSK_OK)
        err = prepare(s,
                      "INSERT INTO variants(id, product_id, size, colour, gtin, updated_at,"
                      " colour_hex, price_cents, image_url, position)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                      " ON CONFLICT(id) DO UPDATE SET product_id = excluded.product_id,"
                      " size = excluded.size, colour = excluded.colour, gtin = excluded.gtin,"
                      " updated_at = excluded.updated_at, colour_hex = excluded.colour_hex,"
                      " price_cents = excluded.price_cents, image_url = excluded.image_url,"
                      " position = excluded.position",
                      &up);
    if (err == KIOSK_OK)
        err = prepare(s, "DELETE FROM variants WHERE product_id = ? AND position = -1", &drop);
    if (err != KIOSK_OK)
        goto out;
    sqlite3_bind_text(mark, 1, p->id, -1, SQLITE_STATIC);
    err = store_sqlite_err(sqlite3_step(mark), "mark_variants");
    for (size_t i = 0; i < p->variant_count && err == KIOSK_OK; i++) {
        const CentralVariant *v = &p->variants[i];
        sqlite3_reset(up);
        sqlite3_bind_text(up, 1, v->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(up, 2, p->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(up, 3, v->size, -1, SQLITE_STATIC);
        sqlite3_bind_text(up, 4, v->colour, -1, SQLITE_STATIC);
        sqlite3_bind_text(up, 5, v->gtin, -1, SQLITE_STATIC);
        sqlite3_bind_int64(up, 6, updated_at);
        sqlite3_bind_text(up, 7, v->colour_hex, -1, SQLITE_STATIC);
        sqlite3_bind_int64(up, 8, v->price_cents);
        sqlite3_bind_text(up, 9, v->image_url, -1, SQLITE_STATIC);
        sqlite3_bind_int(up, 10, (int)i);
        err = store_sqlite_err(sqlite3_step(up), "put_variant");
    }
    if (err == KIOSK_OK && !p->variants_truncated) {
        sqlite3_bind_text(drop, 1, p->id, -1, SQLITE_STATIC);
        err = store_sqlite_err(sqlite3_step(drop), "drop_variants");
    }
out:
    sqlite3_finalize(mark);
    sqlite3_finalize(up);
    sqlite3_finalize(drop);
    return err;
}

/* The service's related list is authoritative for the product's outgoing links: replaced
 * whole on every sync of the product, so a changed product never adds up twice. */
static KioskErr put_related(Store *s, const CentralProduct *p)
{
    sqlite3_stmt *del = NULL, *ins = NULL;
    KioskErr err = prepare(s, "DELETE FROM affinity WHERE product_a = ?", &del);
    if (err == KIOSK_OK)
        err = prepare(s,
                      "INSERT INTO affinity(product_a, product_b, score) VALUES (?, ?, ?)"
                      " ON CONFLICT(product_a, product_b) DO UPDATE SET score = excluded.score",
                      &ins);
    if (err != KIOSK_OK)
        goto out;
    sqlite3_bind_text(del, 1, p->id, -1, SQLITE_STATIC);
    err = store_sqlite_err(sqlite3_step(del), "drop_related");
    for (size_t i = 0; i < p->related_count && err == KIOSK_OK; i++) {
        const char *other = p->related[i].id;
        if (strcmp(other, p->id) == 0)
            continue;
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, p->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, other, -1, SQLITE_STATIC);
        sqlite3_bind_double(ins, 3, p->related[i].score);
        err = store_sqlite_err(sqlite3_step(ins), "put_related");
    }
out:
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    return err;
}

KioskErr catalog_put_product(Store *s, const CentralProduct *p, int64_t now_s)
{
    if (!s || !p || !central_is_id(p->id) || p->price_cents < 0)
        return KIOSK_E_INVALID;
    int64_t updated_at = view_parse_time(p->updated_at);
    if (updated_at == 0)
        updated_at = now_s;
    KioskErr err = savepoint(s, "SAVEPOINT");
    if (err != KIOSK_OK)
        return err;
    err = put_product_row(s, p, updated_at);
    if (err == KIOSK_OK)
        err = put_variants(s, p, updated_at);
    if (err == KIOSK_OK)
        err = put_related(s, p);
    if (err == KIOSK_OK)
        err = savepoint(s, "RELEASE");
    if (err != KIOSK_OK)
        savepoint_undo(s);
    return err;
}

/* One statement for the common case; the WHERE of the upsert keeps a newer figure. The
 * SELECT's own WHERE turns an unknown variant into "no row" rather than a foreign-key
 * failure (and keeps the upsert parse unambiguous). */
static const char PUT_STOCK_SQL[] =
    "INSERT INTO stock(variant_id, location_id, qty, updated_at)"
    " SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM variants WHERE id = ?1)"
    " ON CONFLICT(variant_id, location_id) DO UPDATE SET qty = excluded.qty,"
    " updated_at = excluded.updated_at WHERE excluded.updated_at >= updated_at";

/* One figure with the prepared statements of the caller. */
static KioskErr put_stock(Store *s, sqlite3_stmt *up, sqlite3_stmt *known, const char *variant,
                          const char *location, int32_t qty, int64_t updated_at)
{
    if (!central_is_id(variant) || !central_is_id(location) || qty < 0)
        return KIOSK_E_INVALID;
    sqlite3_reset(up);
    sqlite3_bind_text(up, 1, variant, -1, SQLITE_STATIC);
    sqlite3_bind_text(up, 2, location, -1, SQLITE_STATIC);
    sqlite3_bind_int(up, 3, qty);
    sqlite3_bind_int64(up, 4, updated_at);
    KioskErr err = store_sqlite_err(sqlite3_step(up), "put_stock");
    if (err != KIOSK_OK || sqlite3_changes(store_db(s)) > 0)
        return err;
    /* Nothing written: an older figure (fine) or an unknown variant. */
    sqlite3_reset(known);
    sqlite3_bind_text(known, 1, variant, -1, SQLITE_STATIC);
    int rc = sqlite3_step(known);
    return rc == SQLITE_ROW    ? KIOSK_OK
           : rc == SQLITE_DONE ? KIOSK_E_NOTFOUND
                               : store_sqlite_err(rc, "stock_variant");
}

KioskErr catalog_put_stock(Store *s, const char *variant, const char *location, int32_t qty,
                           int64_t updated_at)
{
    CentralStockFigure f = {.qty = qty};
    if (!variant || !location || strlen(variant) > CENTRAL_ID_MAX ||
        strlen(location) > CENTRAL_ID_MAX)
        return KIOSK_E_INVALID;
    memcpy(f.variant, variant, strlen(variant) + 1);
    memcpy(f.store, location, strlen(location) + 1);
    int unknown = 0;
    KioskErr err = catalog_put_stock_page(s, &f, 1, updated_at, &unknown);
    return err == KIOSK_OK && unknown ? KIOSK_E_NOTFOUND : err;
}

KioskErr catalog_put_stock_page(Store *s, const CentralStockFigure *rows, size_t n, int64_t now_s,
                                int *unknown)
{
    sqlite3_stmt *up = NULL, *known = NULL;
    KioskErr err = KIOSK_E_INVALID;
    if (!s || (n && !rows) || !unknown)
        goto out;
    *unknown = 0;
    err = prepare(s, PUT_STOCK_SQL, &up);
    if (err == KIOSK_OK)
        err = prepare(s, "SELECT 1 FROM variants WHERE id = ?", &known);
    for (size_t i = 0; i < n && err == KIOSK_OK; i++) {
        int64_t at = view_parse_time(rows[i].updated_at);
        err = put_stock(s, up, known, rows[i].variant, rows[i].store, rows[i].qty, at ? at : now_s);
        if (err == KIOSK_E_NOTFOUND) {
            (*unknown)++;
            err = KIOSK_OK;
        }
    }
out:
    sqlite3_finalize(up);
    sqlite3_finalize(known);
    return err;
}

KioskErr catalog_put_affinity(Store *s, const char *a, const char *b, double score)
{
    sqlite3_stmt *q = NULL;
    KioskErr err = KIOSK_E_INVALID;
    if (!s || !central_is_id(a) || !central_is_id(b) || strcmp(a, b) == 0)
        goto out;
    err = prepare(
        s,
        "INSERT INTO affinity(product_a, product_b, score) VALUES (?1, ?2, ?3), (?2, ?1, ?3)"
        " ON CONFLICT(product_a, product_b) DO UPDATE SET score = score + excluded.score",
        &q);
    if (err != KIOSK_OK)
        goto out;
    sqlite3_bind_text(q, 1, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, b, -1, SQLITE_STATIC);
    sqlite3_bind_double(q, 3, score);
    err = store_sqlite_err(sqlite3_step(q), "put_affinity");
out:
    sqlite3_finalize(q);
    return err;
}

int64_t catalog_product_count(Store *s)
{
    sqlite3_stmt *q = NULL;
    int64_t n = -1;
    if (!s || prepare(s, "SELECT COUNT(*) FROM products WHERE active = 1", &q) != KIOSK_OK)
        goto out;
    if (sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int64(q, 0);
out:
    sqlite3_finalize(q);
    return n;
}

/* ---- cards ------------------------------------------------------------------------------- */

/* The card columns every list selects first, in this order. */
#define CARD_COLUMNS "p.id, p.name, p.category, p.price_cents, p.currency, p.image_url"

/* Where a product's stock is, from the stored figures: here, another store, online. */
static const char HINT_SQL[] =
    "SELECT COUNT(*),"
    " COALESCE(MAX(s.location_id = ?2 AND s.qty > 0), 0),"
    " COALESCE(MAX(s.location_id <> ?2 AND s.qty > 0 AND s.location_id <> 'online'"
    "  AND COALESCE(st.kind, 'store') <> 'online'), 0),"
    " COALESCE(MAX(s.qty > 0 AND (s.location_id = 'online' OR st.kind = 'online')), 0)"
    " FROM variants v CROSS JOIN stock s ON s.variant_id = v.id"
    " LEFT JOIN stores st ON st.id = s.location_id WHERE v.product_id = ?1";

static StockHint hint_of(sqlite3_stmt *hq, const char *product, const char *here)
{
    StockHint h = HINT_UNKNOWN;
    sqlite3_reset(hq);
    sqlite3_bind_text(hq, 1, product, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(hq, 2, here ? here : "", -1, SQLITE_TRANSIENT);
    if (sqlite3_step(hq) != SQLITE_ROW || sqlite3_column_int64(hq, 0) == 0)
        return HINT_UNKNOWN;
    if (sqlite3_column_int(hq, 1))
        h = HINT_HERE;
    else if (sqlite3_column_int(hq, 2))
        h = HINT_NEARBY;
    else if (sqlite3_column_int(hq, 3))
        h = HINT_ONLINE;
    else
        h = HINT_NONE;
    return h;
}

static void card_from_row(ProductCard *c, sqlite3_stmt *st)
{
    memset(c, 0, sizeof *c);
    copy_text(c->id, sizeof c->id, st, 0);
    copy_text(c->name, sizeof c->name, st, 1);
    copy_text(c->category, sizeof c->category, st, 2);
    c->price_cents = sqlite3_column_int64(st, 3);
    copy_text(c->currency, sizeof c->currency, st, 4);
    copy_text(c->image_url, sizeof c->image_url, st, 5);
}

/* Fills out from a statement selecting CARD_COLUMNS, up to VIEW_CARDS_MAX cards. */
static KioskErr fill_cards(Store *s, sqlite3_stmt *st, const char *here, CardList *out)
{
    sqlite3_stmt *hq = NULL;
    KioskErr err = prepare(s, HINT_SQL, &hq);
    int rc = SQLITE_ROW;
    if (err != KIOSK_OK)
        goto out;
    while (out->count < VIEW_CARDS_MAX && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        ProductCard *c = &out->items[out->count++];
        card_from_row(c, st);
        c->hint = hint_of(hq, c->id, here);
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        err = store_sqlite_err(rc, "cards");
out:
    sqlite3_finalize(hq);
    return err;
}

/* ---- reads ------------------------------------------------------------------------------- */

KioskErr catalog_categories(Store *s, ViewCode *names, int max, int *count)
{
    sqlite3_stmt *q = NULL;
    KioskErr err = KIOSK_E_INVALID;
    int rc = SQLITE_DONE;
    if (!s || !names || max < 0 || !count)
        goto out;
    *count = 0;
    err = prepare(s,
                  "SELECT category FROM products WHERE active = 1 AND category <> ''"
                  " GROUP BY category ORDER BY COUNT(*) DESC, category LIMIT ?",
                  &q);
    if (err != KIOSK_OK)
        goto out;
    sqlite3_bind_int(q, 1, max);
    while (*count < max && (rc = sqlite3_step(q)) == SQLITE_ROW)
        copy_text(names[(*count)++], sizeof names[0], q, 0);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        err = store_sqlite_err(rc, "categories");
out:
    sqlite3_finalize(q);
    return err;
}

static KioskErr count_of(sqlite3_stmt *q, int *out)
{
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW)
        return store_sqlite_err(rc == SQLITE_DONE ? SQLITE_ERROR : rc, "count");
    int64_t n = sqlite3_column_int64(q, 0);
    *out = n > INT32_MAX ? INT32_MAX : (int)n;
    return KIOSK_OK;
}

KioskErr catalog_browse(Store *s, const char *category, int offset, const char *here_store,
                        CardList *out)
{
    sqlite3_stmt *n = NULL, *q = NULL;
    KioskErr err = KIOSK_E_INVALID;
    if (!s || !category || offset < 0 || !out)
        goto out;
    memset(out, 0, sizeof *out);
    err = prepare(s, "SELECT COUNT(*) FROM products WHERE active = 1 AND category = ?", &n);
    if (err == KIOSK_OK)
        err = prepare(s,
                      "SELECT " CARD_COLUMNS " FROM products p WHERE p.active = 1"
                      " AND p.category = ?1 ORDER BY p.name, p.id LIMIT ?2 OFFSET ?3",
                      &q);
    if (err != KIOSK_OK)
        goto out;
    sqlite3_bind_text(n, 1, category, -1, SQLITE_STATIC);
    err = count_of(n, &out->total);
    if (err != KIOSK_OK)
        goto out;
    sqlite3_bind_text(q, 1, category, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 2, VIEW_CARDS_MAX);
    sqlite3_bind_int(q, 3, offset);
    err = fill_cards(s, q, here_store, out);
out:
    sqlite3_finalize(n);
    sqlite3_finalize(q);
    return err;
}

/* A LIKE pattern "%word%" with the pattern characters escaped by '\'. */
static void like_pattern(const char *word, size_t len, char *out, size_t size, bool prefix)
{
    size_t o = 0;
    if (!prefix)
        out[o++] = '%';
    for (size_t i = 0; i < len && o + 3 < size; i++) {
        if (word[i] == '%' || word[i] == '_' || word[i] == '\\')
            out[o++] = '\\';
        out[o++] = word[i];
    }
    out[o++] = '%';
    out[o] = '\0';
}

/* The query with runs of blanks made one space and the ends trimmed; its words. */
static int split_words(const char *query, char *norm, size_t size, const char **words, size_t *lens)
{
    int count = 0;
    size_t o = 0;
    for (const char *p = query; *p && o + 1 < size;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        if (o > 0)
            norm[o++] = ' ';
        const char *start = norm + o;
        size_t len = 0;
        while (*p && !isspace((unsigned char)*p) && o + 1 < size) {
            norm[o++] = *p++;
            len++;
        }
        if (count < SEARCH_WORDS_MAX) {
            words[count] = start;
            lens[count++] = len;
        }
    }
    norm[o] = '\0';
    return count;
}

KioskErr catalog_search(Store *s, const char *query, const char *here_store, CardList *out)
{
    char norm[VIEW_QUERY_MAX + 1], sql[1536], pat[SEARCH_WORDS_MAX][2 * VIEW_QUERY_MAX + 3];
    char whole_prefix[2 * VIEW_QUERY_MAX + 3], whole_any[2 * VIEW_QUERY_MAX + 3];
    const char *words[SEARCH_WORDS_MAX];
    size_t lens[SEARCH_WORDS_MAX];
    sqlite3_stmt *n = NULL, *q = NULL;
    KioskErr err = KIOSK_E_INVALID;
    if (!s || !query || !out)
        goto out;
    memset(out, 0, sizeof *out);
    int count = split_words(query, norm, sizeof norm, words, lens);
    if (count == 0) {
        err = KIOSK_OK; /* an empty query matches nothing */
        goto out;
    }
    /* Every word must be in the name, brand or category (LIKE: ASCII case-insensitive). */
    char where[1024];
    size_t w = 0;
    for (int i = 0; i < count; i++) {
        like_pattern(words[i], lens[i], pat[i], sizeof pat[i], false);
        w += (size_t)snprintf(where + w, sizeof where - w,
                              " AND (p.name LIKE ?%d ESCAPE '\\' OR p.brand LIKE ?%d ESCAPE '\\'"
                              " OR p.category LIKE ?%d ESCAPE '\\')",
                              i + 3, i + 3, i + 3);
    }
    like_pattern(norm, strlen(norm), whole_prefix, sizeof whole_prefix, true);
    like_pattern(norm, strlen(norm), whole_any, sizeof whole_any, false);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM products p WHERE p.active = 1%s", where);
    err = prepare(s, sql, &n);
    if (err != KIOSK_OK)
        goto out;
    snprintf(sql, sizeof sql,
             "SELECT " CARD_COLUMNS " FROM products p WHERE p.active = 1%s ORDER BY"
             " CASE WHEN p.name LIKE ?1 ESCAPE '\\' THEN 0 WHEN p.name LIKE ?2 ESCAPE '\\'"
             " THEN 1 ELSE 2 END, p.name, p.id LIMIT %d",
             where, VIEW_CARDS_MAX);
    err = prepare(s, sql, &q);
    if (err != KIOSK_OK)
        goto out;
    sqlite3_bind_text(q, 1, whole_prefix, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, whole_any, -1, SQLITE_STATIC);
    for (int i = 0; i < count; i++) {
        sqlite3_bind_text(n, i + 3, pat[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(q, i + 3, pat[i], -1, SQLITE_STATIC);
    }
    err = count_of(n, &out->total);
    if (err == KIOSK_OK)
        err = fill_cards(s, q, here_store, out);
out:
    sqlite3_finalize(n);
    sqlite3_finalize(q);
    return err;
}

KioskErr catalog_product(Store *s, const char *product_id, ProductDetail *out)
{
    sqlite3_stmt *q = NULL, *v = NULL;
    KioskErr err = KIOSK_E_INVALID;
    int rc;
    if (!s || !product_id || !out)
        goto out;
    memset(out, 0, sizeof *out);
    err = prepare(s,
                  "SELECT id, name, brand, category, description, price_cents, currency,"
                  " image_url, replenishable FROM products WHERE id = ? AND active = 1",
                  &q);
    if (err == KIOSK_OK)
        err = prepare(s,
                      "SELECT id, size, colour, colour_hex, gtin, price_cents, image_url"
                      " FROM variants WHERE product_id = ? ORDER BY position, id LIMIT ?",
                      &v);
    if (err != KIOSK_OK)
        goto out;
    sqlite3_bind_text(q, 1, product_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        err = rc == SQLITE_DONE ? KIOSK_E_NOTFOUND : store_sqlite_err(rc, "product");
        goto out;
    }
    copy_text(out->id, sizeof out->id, q, 0);
    copy_text(out->name, sizeof out->name, q, 1);
    copy_text(out->brand, sizeof out->brand, q, 2);
    copy_text(out->category, sizeof out->category, q, 3);
    copy_text(out->description, sizeof out->description, q, 4);
    out->price_cents = sqlite3_column_int64(q, 5);
    copy_text(out->currency, sizeof out->currency, q, 6);
    copy_text(out->image_url, sizeof out->image_url, q, 7);
    out->replenishable = sqlite3_column_int(q, 8) != 0;
    sqlite3_bind_text(v, 1, product_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(v, 2, VIEW_VARIANTS_MAX);
    while ((rc = sqlite3_step(v)) == SQLITE_ROW && out->variant_count < VIEW_VARIANTS_MAX) {
        VariantView *vv = &out->variants[out->variant_count++];
        copy_text(vv->id, sizeof vv->id, v, 0);
        copy_text(vv->size, sizeof vv->size, v, 1);
        copy_text(vv->colour, sizeof vv->colour, v, 2);
        copy_text(vv->colour_hex, sizeof vv->colour_hex, v, 3);
        copy_text(vv->gtin, sizeof vv->gtin, v, 4);
        vv->price_cents = sqlite3_column_int64(v, 5);
        copy_text(vv->image_url, sizeof vv->image_url, v, 6);
    }
    err = rc == SQLITE_ROW || rc == SQLITE_DONE ? KIOSK_OK : store_sqlite_err(rc, "variants");
out:
    sqlite3_finalize(q);
    sqlite3_finalize(v);
    return err;
}

KioskErr catalog_find_gtin(Store *s, const char *gtin, ViewId product_id, ViewId variant_id)
{
    char g14[GS1_GTIN_LEN + 1];
    sqlite3_stmt *q = NULL;
    KioskErr err = KIOSK_E_INVALID;
    if (!s || !gtin || !product_id || !variant_id)
        goto out;
    product_id[0] = variant_id[0] = '\0';
    if (!gs1_gtin_normalise(gtin, g14)) {
        err = KIOSK_E_NOTFOUND; /* no such GTIN can be in the catalog */
        goto out;
    }
    /* The catalog keeps a GTIN at its own length (13 for the demo); a tag carries GTIN-14.
     * Each length is the 14 digits without their leading zeros, when those are zeros. */
    err = prepare(s,
                  "SELECT v.id, v.product_id FROM variants v JOIN products p ON p.id ="
                  " v.product_id WHERE p.active = 1 AND v.gtin IN (?1, ?2, ?3, ?4) LIMIT 1",
                  &q);
    if (err != KIOSK_OK)
        goto out;
    static const int LENGTHS[] = {14, 13, 12, 8};
    for (int i = 0; i < 4; i++) {
        int drop = GS1_GTIN_LEN - LENGTHS[i];
        bool zeros = strspn(g14, "0") >= (size_t)drop;
        sqlite3_bind_text(q, i + 1, zeros ? g14 + drop : g14, -1, SQLITE_TRANSIENT);
    }
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        err = rc == SQLITE_DONE ? KIOSK_E_NOTFOUND : store_sqlite_err(rc, "find_gtin");
        goto out;
    }
    copy_text(variant_id, sizeof(ViewId), q, 0);
    copy_text(product_id, sizeof(ViewId), q, 1);
    err = KIOSK_OK;
out:
    sqlite3_finalize(q);
    return err;
}

/* ---- stock ------------------------------------------------------------------------------- */

typedef struct Place {
    ViewId id;
    ViewName name;
    bool online, here, has_figures;
    bool has_pos;
    double lat, lon, distance;
} Place;

static int by_place(const void *a, const void *b)
{
    const Place *x = a, *y = b;
    if (x->here != y->here)
        return x->here ? -1 : 1;
    if (x->online != y->online)
        return x->online ? 1 : -1; /* the warehouse after every store */
    if (x->distance != y->distance)
        return x->distance < y->distance ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* The locations to show: every store with a figure for the product, here (always), the
 * online warehouse; with their distance from here when both positions are known. */
static KioskErr load_places(Store *s, const char *product, const char *here, Place **out,
                            int *count)
{
    sqlite3_stmt *q = NULL;
    Place *places = calloc(STORES_LOADED, sizeof *places);
    KioskErr err = places ? KIOSK_OK : KIOSK_E_NOMEM;
    int n = 0, rc = SQLITE_DONE, here_i = -1;
    if (err == KIOSK_OK)
        err = prepare(s,
                      "SELECT l.id, COALESCE(st.name, l.id), COALESCE(st.kind, ''), st.lat,"
                      " st.lon, l.figures FROM (SELECT s.location_id AS id, COUNT(*) AS figures"
                      "  FROM variants v CROSS JOIN stock s ON s.variant_id = v.id"
                      "  WHERE v.product_id = ?1 GROUP BY s.location_id"
                      "  UNION ALL SELECT id, 0 FROM stores"
                      "  WHERE (id = ?2 OR kind = 'online') AND id NOT IN (SELECT s.location_id"
                      "   FROM variants v CROSS JOIN stock s ON s.variant_id = v.id"
                      "   WHERE v.product_id = ?1)) l LEFT JOIN stores st ON st.id = l.id",
                      &q);
    if (err != KIOSK_OK)
        goto out;
    sqlite3_bind_text(q, 1, product, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, here ? here : "", -1, SQLITE_STATIC);
    while (n < STORES_LOADED && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        Place *p = &places[n];
        copy_text(p->id, sizeof p->id, q, 0);
        copy_text(p->name, sizeof p->name, q, 1);
        p->online = is_online((const char *)sqlite3_column_text(q, 2), p->id);
        p->here = here && strcmp(p->id, here) == 0;
        p->has_pos =
            sqlite3_column_type(q, 3) != SQLITE_NULL && sqlite3_column_type(q, 4) != SQLITE_NULL;
        p->lat = sqlite3_column_double(q, 3);
        p->lon = sqlite3_column_double(q, 4);
        p->has_figures = sqlite3_column_int64(q, 5) > 0;
        if (p->here)
            here_i = n;
        n++;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        err = store_sqlite_err(rc, "stock_places");
        goto out;
    }
    for (int i = 0; i < n; i++) {
        Place *p = &places[i];
        bool known = here_i >= 0 && places[here_i].has_pos && p->has_pos;
        p->distance =
            known ? distance_km(places[here_i].lat, places[here_i].lon, p->lat, p->lon) : INFINITY;
        p->has_pos = known;
    }
    qsort(places, (size_t)n, sizeof *places, by_place);
out:
    sqlite3_finalize(q);
    if (err != KIOSK_OK) {
        free(places);
        places = NULL;
        n = 0;
    }
    *out = places;
    *count = n;
    return err;
}

KioskErr catalog_stock(Store *s, const char *product_id, const char *here_store, StockView *out)
{
    sqlite3_stmt *v = NULL, *f = NULL;
    Place *places = NULL;
    int place_count = 0, rc;
    KioskErr err = KIOSK_E_INVALID;
    if (!s || !product_id || !out)
        goto out;
    memset(out, 0, sizeof *out);
    err = prepare(s,
                  "SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id"
                  " WHERE p.id = ? AND p.active = 1 ORDER BY v.position, v.id LIMIT ?",
                  &v);
    if (err == KIOSK_OK)
        err = prepare(s,
                      "SELECT s.variant_id, s.location_id, s.qty, s.updated_at FROM variants v"
                      " CROSS JOIN stock s ON s.variant_id = v.id WHERE v.product_id = ?",
                      &f);
    if (err != KIOSK_OK)
        goto out;
    snprintf(out->product_id, sizeof out->product_id, "%s", product_id);
    sqlite3_bind_text(v, 1, product_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(v, 2, VIEW_VARIANTS_MAX);
    while ((rc = sqlite3_step(v)) == SQLITE_ROW && out->variant_count < VIEW_VARIANTS_MAX)
        copy_text(out->variants[out->variant_count++], sizeof(ViewId), v, 0);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        err = store_sqlite_err(rc, "stock_variants");
        goto out;
    }
    if (out->variant_count == 0) {
        err = KIOSK_E_NOTFOUND;
        goto out;
    }
    err = load_places(s, product_id, here_store, &places, &place_count);
    if (err != KIOSK_OK)
        goto out;
    /* Here and the nearest stores fill the slots, the warehouse keeps the last one. */
    const Place *online = NULL;
    for (int i = 0; i < place_count; i++) {
        if (places[i].online && !online)
            online = &places[i];
    }
    int room = VIEW_LOCATIONS_MAX - (online ? 1 : 0);
    for (int i = 0; i < place_count; i++) {
        const Place *p = &places[i];
        if (p->online ? p != online : out->location_count >= room)
            continue;
        if (!p->online && !p->here && !p->has_figures)
            continue;
        LocationStock *l = &out->locations[out->location_count++];
        snprintf(l->store, sizeof l->store, "%s", p->id);
        snprintf(l->name, sizeof l->name, "%s", p->name);
        l->online = p->online;
        l->here = p->here;
        l->has_distance = p->has_pos;
        l->distance_km = p->has_pos ? p->distance : 0;
        for (int k = 0; k < out->variant_count; k++)
            l->qty[k] = -1;
    }
    /* Every figure of the product in one pass, each put in its place. */
    sqlite3_bind_text(f, 1, product_id, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(f)) == SQLITE_ROW) {
        const char *vid = (const char *)sqlite3_column_text(f, 0);
        const char *loc = (const char *)sqlite3_column_text(f, 1);
        int k = 0, j = 0;
        while (vid && k < out->variant_count && strcmp(out->variants[k], vid) != 0)
            k++;
        while (loc && j < out->location_count && strcmp(out->locations[j].store, loc) != 0)
            j++;
        if (!vid || !loc || k == out->variant_count || j == out->location_count)
            continue;
        LocationStock *l = &out->locations[j];
        l->qty[k] = sqlite3_column_int(f, 2);
        l->updated_at[k] = sqlite3_column_int64(f, 3);
        if (l->updated_at[k] > out->as_of)
            out->as_of = l->updated_at[k];
    }
    if (rc != SQLITE_DONE) {
        err = store_sqlite_err(rc, "stock_figures");
        goto out;
    }
    /* The online warehouse sorts last already; the view's order is the places' order. */
    err = KIOSK_OK;
out:
    free(places);
    sqlite3_finalize(v);
    sqlite3_finalize(f);
    return err;
}

/* ---- recommendations ---------------------------------------------------------------------- */

/* A JSON array of ids (bound as one parameter and read with json_each); ids are checked
 * identifiers, so they need no escaping. */
static void id_array(const ViewId *ids, int n, char *out, size_t size)
{
    size_t o = (size_t)snprintf(out, size, "[");
    for (int i = 0; i < n && i < RECOMMEND_SEEDS; i++) {
        if (!central_is_id(ids[i]) || o + strlen(ids[i]) + 4 >= size)
            continue;
        o += (size_t)snprintf(out + o, size - o, "%s\"%s\"", o > 1 ? "," : "", ids[i]);
    }
    snprintf(out + o, size - o, "]");
}

static bool in_list(const ViewId *ids, int n, const char *id)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(ids[i], id) == 0)
            return true;
    }
    return false;
}

typedef struct Pick {
    ProductCard card;
    bool tier_affinity;
    int rank_in_category; /* 0 or 1 */
} Pick;

KioskErr catalog_recommend(Store *s, const ViewId *seeds, int seed_count, const ViewId *exclude,
                           int exclude_count, const char *here_store, CardList *out)
{
    char seed_json[RECOMMEND_SEEDS * (CENTRAL_ID_MAX + 3) + 4];
    sqlite3_stmt *q = NULL, *hq = NULL, *vq = NULL;
    Pick *picks = NULL;
    int pick_count = 0, rc = SQLITE_DONE;
    ViewCode cats[VIEW_CARDS_MAX * 2];
    int cat_n[VIEW_CARDS_MAX * 2], cat_count = 0;
    KioskErr err = KIOSK_E_INVALID;
    if (!s || !out || seed_count < 0 || exclude_count < 0 || (seed_count && !seeds) ||
        (exclude_count && !exclude))
        goto out;
    memset(out, 0, sizeof *out);
    id_array(seeds, seed_count, seed_json, sizeof seed_json);
    picks = calloc(VIEW_CARDS_MAX, sizeof *picks);
    if (!picks) {
        err = KIOSK_E_NOMEM;
        goto out;
    }
    /* Every active product in stock here or online, by affinity to the seeds, then by
     * popularity; the anchor is the seed with the strongest link. */
    err = prepare(
        s,
        "WITH seeds(id) AS (SELECT value FROM json_each(?1)),"
        " aff AS (SELECT a.product_b AS id, SUM(a.score) AS score,"
        "  (SELECT a2.product_a FROM affinity a2 WHERE a2.product_b = a.product_b"
        "   AND a2.product_a IN (SELECT id FROM seeds) ORDER BY a2.score DESC, a2.product_a"
        "   LIMIT 1) AS anchor"
        "  FROM affinity a WHERE a.product_a IN (SELECT id FROM seeds) GROUP BY a.product_b)"
        " SELECT " CARD_COLUMNS ", p.replenishable, COALESCE(aff.score, 0),"
        " COALESCE((SELECT name FROM products WHERE id = aff.anchor), '')"
        " FROM products p JOIN (SELECT DISTINCT v.product_id AS id FROM stock s"
        "  CROSS JOIN variants v ON v.id = s.variant_id WHERE s.qty > 0 AND s.location_id IN"
        "  (SELECT ?2 UNION SELECT 'online' UNION SELECT id FROM stores WHERE kind = 'online'))"
        "  instock ON instock.id = p.id LEFT JOIN aff ON aff.id = p.id"
        " WHERE p.active = 1 AND p.id NOT IN (SELECT id FROM seeds)"
        " ORDER BY COALESCE(aff.score, 0) > 0 DESC, COALESCE(aff.score, 0) DESC,"
        " p.popularity DESC, p.id",
        &q);
    if (err == KIOSK_OK)
        err = prepare(s, HINT_SQL, &hq);
    if (err == KIOSK_OK)
        err =
            prepare(s,
                    "SELECT v.id, v.size FROM variants v CROSS JOIN stock s ON s.variant_id = v.id"
                    " LEFT JOIN stores st ON st.id = s.location_id WHERE v.product_id = ?1"
                    " AND s.qty > 0 AND (s.location_id = ?2 OR s.location_id = 'online'"
                    " OR st.kind = 'online') ORDER BY s.location_id <> ?2, v.position LIMIT 1",
                    &vq);
    if (err != KIOSK_OK)
        goto out;
    sqlite3_bind_text(q, 1, seed_json, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, here_store ? here_store : "", -1, SQLITE_STATIC);
    /* Rank order, at most PER_CATEGORY from each category. */
    while (pick_count < VIEW_CARDS_MAX && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        Pick p = {0};
        card_from_row(&p.card, q);
        bool replenishable = sqlite3_column_int(q, 6) != 0;
        double score = sqlite3_column_double(q, 7);
        bool bought = in_list(exclude, exclude_count, p.card.id);
        if (bought && !replenishable)
            continue;
        int c = 0;
        while (c < cat_count && strcmp(cats[c], p.card.category) != 0)
            c++;
        if (c == cat_count) {
            if (cat_count == (int)(sizeof cats / sizeof cats[0]))
                continue;
            snprintf(cats[cat_count], sizeof cats[0], "%s", p.card.category);
            cat_n[cat_count++] = 0;
        }
        if (cat_n[c] >= PER_CATEGORY)
            continue;
        p.rank_in_category = cat_n[c]++;
        p.tier_affinity = score > 0;
        if (bought) {
            snprintf(p.card.reason_code, sizeof p.card.reason_code, "replenish");
            snprintf(p.card.reason_anchor, sizeof p.card.reason_anchor, "%s", p.card.name);
        } else if (p.tier_affinity) {
            snprintf(p.card.reason_code, sizeof p.card.reason_code, "affinity");
            copy_text(p.card.reason_anchor, sizeof p.card.reason_anchor, q, 8);
        } else {
            snprintf(p.card.reason_code, sizeof p.card.reason_code, "popular");
        }
        picks[pick_count++] = p;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        err = store_sqlite_err(rc, "recommend");
        goto out;
    }
    /* Spread: within each tier (affinity first, then popular), the first of every category
     * before the second of any. */
    for (int tier = 1; tier >= 0; tier--) {
        for (int rank = 0; rank < PER_CATEGORY; rank++) {
            for (int i = 0; i < pick_count; i++) {
                if ((int)picks[i].tier_affinity != tier || picks[i].rank_in_category != rank)
                    continue;
                ProductCard *c = &out->items[out->count++];
                *c = picks[i].card;
                c->hint = hint_of(hq, c->id, here_store);
                sqlite3_reset(vq);
                sqlite3_bind_text(vq, 1, c->id, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(vq, 2, here_store ? here_store : "", -1, SQLITE_TRANSIENT);
                if (sqlite3_step(vq) == SQLITE_ROW) {
                    copy_text(c->variant, sizeof c->variant, vq, 0);
                    copy_text(c->size, sizeof c->size, vq, 1);
                }
            }
        }
    }
    out->total = out->count;
    err = KIOSK_OK;
out:
    free(picks);
    sqlite3_finalize(q);
    sqlite3_finalize(hq);
    sqlite3_finalize(vq);
    return err;
}
