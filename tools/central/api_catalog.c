/* api_catalog.c: locations, the catalog (delta sync by cursor, search, one product), stock
 * of a product everywhere sorted by distance, and generated product images.
 * Runs on connection threads with Central.lock held. */
#include "api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "image.h"
#include "util.h"

#define DELIVERY_DAYS_MIN   2 /* online warehouse, standard ship-to-home, business days */
#define DELIVERY_DAYS_MAX   4
#define STOCK_LOCATIONS_MAX 64 /* locations listed in one stock reply */

/* Parses a non-negative decimal query argument; def when absent. False if malformed. */
static bool query_uint(const HttpRequest *req, HttpReply *r, const char *name, long long def,
                       long long max, long long *out)
{
    const char *s = http_query(req, name);
    *out = def;
    if (!s || !*s)
        return true;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < 0 || v > max || s[0] == '-' || s[0] == '+' || s[0] == ' ') {
        http_reply_error(r, 400, "invalid_parameter",
                         "The query parameter \"%s\" must be an integer from 0 to %lld", name, max);
        return false;
    }
    *out = v;
    return true;
}

void api_stores(HttpRequest *req, HttpReply *r)
{
    sqlite3_stmt *st = NULL;
    if (db_prepare(req->c->db, "SELECT id FROM stores ORDER BY kind DESC, name", &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    json_t *list = json_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *s = api_store_json(req->c->db, db_text(st, 0));
        if (s)
            json_array_append_new(list, s);
    }
    sqlite3_finalize(st);
    http_reply_json(r, 200, json_pack("{s:o}", "stores", list));
}

void api_catalog(HttpRequest *req, HttpReply *r)
{
    sqlite3_stmt *st = NULL;
    long long cursor = 0, limit = 0;
    const char *text = http_query(req, "cursor");
    if (text && *text) {
        char *end = NULL;
        errno = 0;
        cursor = strtoll(text, &end, 10);
        if (errno || *end || cursor < 0 || text[0] < '0' || text[0] > '9') {
            http_reply_error(r, 400, "invalid_cursor",
                             "The cursor is not one this service gave out");
            return;
        }
    }
    if (!query_uint(req, r, "limit", API_PAGE_DEFAULT, API_PAGE_MAX, &limit))
        return;
    if (limit == 0)
        limit = API_PAGE_DEFAULT;
    if (db_prepare(req->c->db, "SELECT id, seq FROM products WHERE seq > ? ORDER BY seq LIMIT ?",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    sqlite3_bind_int64(st, 1, cursor);
    sqlite3_bind_int64(st, 2, limit + 1);
    json_t *list = json_array();
    long long next = cursor;
    bool more = false;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if ((long long)json_array_size(list) == limit) {
            more = true;
            break;
        }
        json_t *p = api_product_json(req->c->db, db_text(st, 0));
        if (p)
            json_array_append_new(list, p);
        next = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    char next_text[24];
    snprintf(next_text, sizeof next_text, "%lld", next);
    http_reply_json(r, 200,
                    json_pack("{s:o,s:s,s:b,s:o}", "products", list, "next_cursor", next_text,
                              "has_more", more, "server_time", api_time(time(NULL))));
}

static json_t *product_summary(sqlite3_stmt *st)
{
    char url[64];
    snprintf(url, sizeof url, "/v1/images/%s.png", db_text(st, 5));
    return json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:s}", "id", db_text(st, 0), "name", db_text(st, 1),
                     "brand", db_text(st, 2), "category", db_text(st, 3), "price_cents",
                     (json_int_t)sqlite3_column_int64(st, 4), "currency", "USD", "image_url", url);
}

void api_products_search(HttpRequest *req, HttpReply *r)
{
    sqlite3_stmt *st = NULL;
    const char *q = http_query(req, "q");
    const char *category = http_query(req, "category");
    const char *gtin = http_query(req, "gtin");
    long long limit = 0, offset = 0;
    char norm[14] = "";
    if (q && (strlen(q) > API_TEXT_MAX)) {
        http_reply_error(r, 400, "invalid_parameter", "The search text is over %d bytes",
                         API_TEXT_MAX);
        return;
    }
    if (category && *category && !util_valid_id(category)) {
        http_reply_error(r, 400, "invalid_parameter", "Unknown category format");
        return;
    }
    if (gtin && *gtin && !util_gtin_normalize(gtin, norm)) {
        http_reply_error(r, 400, "invalid_gtin",
                         "The GTIN is not 8, 12, 13 or 14 digits with a valid check digit");
        return;
    }
    if (!query_uint(req, r, "limit", 50, API_PAGE_MAX, &limit) ||
        !query_uint(req, r, "offset", 0, 1000000, &offset))
        return;
    if (limit == 0)
        limit = 50;
    if (db_prepare(req->c->db,
                   "SELECT p.id, p.name, p.brand, p.category, p.price_cents,"
                   " (SELECT v.id FROM variants v WHERE v.product_id=p.id"
                   "  AND (?3 = '' OR v.gtin = ?3) ORDER BY v.position LIMIT 1),"
                   " COUNT(*) OVER () FROM products p"
                   " WHERE p.active=1 AND (?1 = '' OR instr(lower(p.name), lower(?1)) > 0"
                   "  OR instr(lower(p.description), lower(?1)) > 0)"
                   " AND (?2 = '' OR p.category = ?2)"
                   " AND (?3 = '' OR EXISTS (SELECT 1 FROM variants v WHERE v.product_id=p.id"
                   "  AND v.gtin=?3))"
                   " ORDER BY p.name, p.id LIMIT ?4 OFFSET ?5",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    sqlite3_bind_text(st, 1, q ? q : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, category ? category : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, norm, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, limit);
    sqlite3_bind_int64(st, 5, offset);
    json_t *list = json_array();
    long long total = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *p = product_summary(st);
        if (norm[0])
            json_object_set_new(p, "matched_variant", json_string(db_text(st, 5)));
        json_array_append_new(list, p);
        total = sqlite3_column_int64(st, 6);
    }
    sqlite3_finalize(st);
    http_reply_json(r, 200, json_pack("{s:o,s:I}", "products", list, "total", (json_int_t)total));
}

void api_product(HttpRequest *req, HttpReply *r)
{
    if (!api_path_id(r, req->seg[2], "product"))
        return;
    json_t *p = api_product_json(req->c->db, req->seg[2]);
    if (!p) {
        http_reply_error(r, 404, "product_not_found", "No product %s", req->seg[2]);
        return;
    }
    http_reply_json(r, 200, p);
}

typedef struct Location {
    json_t *json;
    double distance; /* km, or a large number when unknown */
    bool online;
} Location;

static int by_distance(const void *a, const void *b)
{
    const Location *x = a, *y = b;
    if (x->online != y->online)
        return x->online ? 1 : -1; /* the warehouse comes after every store */
    return (x->distance > y->distance) - (x->distance < y->distance);
}

void api_product_stock(HttpRequest *req, HttpReply *r)
{
    sqlite3 *db = req->c->db;
    sqlite3_stmt *ss = NULL, *st = NULL;
    const char *store = NULL;
    double lat0 = 0, lon0 = 0;
    bool have_origin = false;
    Location locs[STOCK_LOCATIONS_MAX];
    size_t n = 0;
    time_t now = time(NULL);
    if (!api_path_id(r, req->seg[2], "product") || !api_query_id(req, r, "store", false, &store))
        return;
    if (db_prepare(db, "SELECT 1 FROM products WHERE id=?", &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    sqlite3_bind_text(st, 1, req->seg[2], -1, SQLITE_STATIC);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    st = NULL;
    if (!found) {
        http_reply_error(r, 404, "product_not_found", "No product %s", req->seg[2]);
        return;
    }
    if (db_prepare(db, "SELECT id, kind, name, lat, lon FROM stores ORDER BY id", &ss) !=
            KIOSK_OK ||
        db_prepare(
            db,
            "SELECT v.id, v.size, v.colour, s.qty, s.updated_at FROM stock s JOIN variants v"
            " ON v.id=s.variant_id WHERE v.product_id=? AND s.store_id=? ORDER BY v.position",
            &st) != KIOSK_OK) {
        api_db_error(r);
        goto out;
    }
    if (store) {
        sqlite3_stmt *os = NULL;
        if (db_prepare(db, "SELECT lat, lon FROM stores WHERE id=?", &os) == KIOSK_OK) {
            sqlite3_bind_text(os, 1, store, -1, SQLITE_STATIC);
            if (sqlite3_step(os) == SQLITE_ROW) {
                lat0 = sqlite3_column_double(os, 0);
                lon0 = sqlite3_column_double(os, 1);
                have_origin = true;
            }
        }
        sqlite3_finalize(os);
        if (!have_origin) {
            http_reply_error(r, 404, "store_not_found", "No store %s", store);
            goto out;
        }
    }
    while (sqlite3_step(ss) == SQLITE_ROW && n < sizeof locs / sizeof locs[0]) {
        Location *l = &locs[n++];
        bool online = strcmp(db_text(ss, 1), "online") == 0;
        double d = util_distance_km(lat0, lon0, sqlite3_column_double(ss, 3),
                                    sqlite3_column_double(ss, 4));
        json_t *variants = json_array();
        long long total = 0;
        time_t newest = 0;
        sqlite3_bind_text(st, 1, req->seg[2], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, db_text(ss, 0), -1, SQLITE_TRANSIENT);
        while (sqlite3_step(st) == SQLITE_ROW) {
            int qty = sqlite3_column_int(st, 3);
            time_t at = (time_t)sqlite3_column_int64(st, 4);
            total += qty;
            newest = at > newest ? at : newest;
            json_array_append_new(variants, json_pack("{s:s,s:s,s:s,s:i,s:b,s:o,s:I}", "variant",
                                                      db_text(st, 0), "size", db_text(st, 1),
                                                      "colour", db_text(st, 2), "qty", qty, "low",
                                                      qty > 0 && qty <= API_LOW_STOCK, "updated_at",
                                                      api_time(at), "age_seconds",
                                                      (json_int_t)(now > at ? now - at : 0)));
        }
        sqlite3_reset(st);
        l->online = online;
        l->distance = have_origin ? d : 0;
        l->json =
            json_pack("{s:s,s:s,s:s,s:o,s:b,s:I,s:o,s:o}", "store", db_text(ss, 0), "kind",
                      db_text(ss, 1), "name", db_text(ss, 2), "distance_km",
                      have_origin ? json_real((double)(long long)(d * 10 + 0.5) / 10) : json_null(),
                      "in_stock", total > 0, "total_qty", (json_int_t)total, "updated_at",
                      api_time(newest), "variants", variants);
        if (online)
            json_object_set_new(l->json, "delivery_estimate",
                                json_pack("{s:o,s:o,s:s}", "earliest",
                                          api_time(util_add_business_days(now, DELIVERY_DAYS_MIN)),
                                          "latest",
                                          api_time(util_add_business_days(now, DELIVERY_DAYS_MAX)),
                                          "method", "ship_to_home"));
        if (store && strcmp(store, db_text(ss, 0)) == 0)
            json_object_set_new(l->json, "here", json_true());
    }
    qsort(locs, n, sizeof locs[0], by_distance);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, locs[i].json);
    http_reply_json(r, 200,
                    json_pack("{s:s,s:o,s:o,s:o}", "product_id", req->seg[2], "store",
                              store ? json_string(store) : json_null(), "as_of", api_time(now),
                              "locations", list));
out:
    sqlite3_finalize(ss);
    sqlite3_finalize(st);
}

void api_image(HttpRequest *req, HttpReply *r)
{
    char id[HTTP_SEG_MAX + 1];
    sqlite3_stmt *st = NULL;
    const char *seg = req->seg[2];
    size_t n = strlen(seg);
    if (n <= 4 || strcmp(seg + n - 4, ".png") != 0) {
        http_reply_error(r, 404, "not_found", "Images are served as {id}.png");
        return;
    }
    snprintf(id, sizeof id, "%.*s", (int)(n - 4), seg);
    if (!api_path_id(r, id, "image"))
        return;
    /* A variant id draws that colour; a product id draws its first variant. */
    if (db_prepare(
            req->c->db,
            "SELECT p.category, v.colour_hex FROM variants v JOIN products p ON"
            " p.id=v.product_id WHERE v.id=?1 OR v.product_id=?1 ORDER BY v.position LIMIT 1",
            &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        http_reply_error(r, 404, "image_not_found", "No image %s", id);
    } else {
        unsigned char *png = NULL;
        size_t len = 0;
        if (image_render_png(db_text(st, 0), db_text(st, 1), &png, &len) != KIOSK_OK) {
            http_reply_error(r, 500, "internal", "The image could not be drawn");
        } else {
            r->status = 200;
            r->raw = png;
            r->raw_len = len;
            r->content_type = "image/png";
        }
    }
    sqlite3_finalize(st);
}
