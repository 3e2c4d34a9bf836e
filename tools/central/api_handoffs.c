/* api_handoffs.c: phone hand-off. A device shows a QR for the product on screen or the
 * shopper's cart; the phone that scans it opens a small page (GET /h/{code}) or the
 * retailer's app, which reads the hand-off (GET /v1/handoffs/{code}). The QR sits on a
 * public screen, so a hand-off holds no member data: only a store, a device, products and
 * quantities, for API_HANDOFF_TTL seconds. Codes come from the system CSPRNG.
 * Runs on connection threads with Central.lock held. */
#include "api.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "page.h"
#include "util.h"

#define HANDOFF_CODE_LEN  8
#define HANDOFF_PAGE_MAX  (64 * 1024) /* bytes of the hand-off page */
#define HANDOFF_KEEP_DAYS 1           /* expired hand-offs are deleted after this */
/* Where "Continue in the app" points: the retailer's app registers this scheme (a real
 * deployment may use a universal link on its public URL instead). */
#define HANDOFF_APP_LINK "storeapp://handoff/"

typedef struct HandoffIn {
    const char *store, *device, *product, *variant;
    ApiItem items[API_HANDOFF_ITEMS_MAX];
    size_t n_items;
} HandoffIn;

/* Reads and checks the body's shape; 400 on anything malformed. */
static bool read_body(const HttpRequest *req, HttpReply *r, HandoffIn *in)
{
    if (json_object_get(req->json, "member")) {
        http_reply_error(r, 400, "invalid_field",
                         "A hand-off carries no member data: drop \"member\"");
        return false;
    }
    if (!api_body_id(req, r, "store", true, &in->store) ||
        !api_body_id(req, r, "device", false, &in->device) ||
        !api_body_id(req, r, "product", false, &in->product) ||
        !api_body_id(req, r, "variant", false, &in->variant))
        return false;
    if (!api_body_items(req, r, 0, API_HANDOFF_ITEMS_MAX, in->items, &in->n_items))
        return false;
    if (!in->product && !in->variant && in->n_items == 0) {
        http_reply_error(r, 400, "missing_field", "Give a product (or variant) or some items");
        return false;
    }
    return true;
}

/* The product of an active variant into product (UTIL_ID_MAX + 1 bytes); false if none. */
static bool variant_product(sqlite3 *db, const char *variant, char *product)
{
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (db_prepare(db,
                   "SELECT v.product_id FROM variants v JOIN products p ON p.id=v.product_id"
                   " WHERE v.id=? AND p.active=1",
                   &st) != KIOSK_OK)
        return false;
    sqlite3_bind_text(st, 1, variant, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(product, UTIL_ID_MAX + 1, "%s", db_text(st, 0));
        found = true;
    }
    sqlite3_finalize(st);
    return found;
}

static bool product_active(sqlite3 *db, const char *product)
{
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (db_prepare(db, "SELECT 1 FROM products WHERE id=? AND active=1", &st) != KIOSK_OK)
        return false;
    sqlite3_bind_text(st, 1, product, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* Checks what the body refers to; 422 when something does not exist. Fills the product
 * from the variant when only a variant was given (product_buf holds it). */
static bool check_refs(sqlite3 *db, HttpReply *r, HandoffIn *in, char *product_buf)
{
    char owner[UTIL_ID_MAX + 1];
    if (!api_store_exists(db, in->store, NULL)) {
        http_reply_error(r, 422, "unknown_store", "No store %s", in->store);
        return false;
    }
    if (in->product && !product_active(db, in->product)) {
        http_reply_error(r, 422, "unknown_product", "No product %s", in->product);
        return false;
    }
    if (in->variant) {
        if (!variant_product(db, in->variant, owner)) {
            http_reply_error(r, 422, "unknown_variant", "No variant %s", in->variant);
            return false;
        }
        if (in->product && strcmp(owner, in->product) != 0) {
            http_reply_error(r, 422, "unknown_variant", "%s is not a variant of %s", in->variant,
                             in->product);
            return false;
        }
        if (!in->product) {
            snprintf(product_buf, UTIL_ID_MAX + 1, "%s", owner);
            in->product = product_buf;
        }
    }
    for (size_t i = 0; i < in->n_items; i++) {
        if (!variant_product(db, in->items[i].variant, owner)) {
            http_reply_error(r, 422, "unknown_variant", "No variant %s", in->items[i].variant);
            return false;
        }
    }
    return true;
}

/* A hand-off as the app reads it; NULL if there is none with this code. *expired tells
 * whether its time ran out. */
static json_t *handoff_json(Central *c, const char *code, bool *expired)
{
    sqlite3_stmt *st = NULL, *ps = NULL, *vs = NULL;
    json_t *j = NULL, *items = NULL, *stored = NULL;
    time_t now = time(NULL);
    long long subtotal = 0;
    *expired = false;
    if (db_prepare(c->db,
                   "SELECT code, store_id, device_id, product_id, variant_id, items, created_at,"
                   " expires_at FROM handoffs WHERE code=?",
                   &st) != KIOSK_OK ||
        db_prepare(c->db,
                   "SELECT p.id, p.name, p.brand, p.category, p.price_cents,"
                   " (SELECT v.id FROM variants v WHERE v.product_id=p.id ORDER BY v.position"
                   "  LIMIT 1) FROM products p WHERE p.id=?",
                   &ps) != KIOSK_OK ||
        db_prepare(c->db,
                   "SELECT v.id, v.product_id, p.name, v.size, v.colour, v.price_cents"
                   " FROM variants v JOIN products p ON p.id=v.product_id WHERE v.id=?",
                   &vs) != KIOSK_OK)
        goto out;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        goto out;
    time_t expires = (time_t)sqlite3_column_int64(st, 7);
    *expired = now >= expires;
    char url[CENTRAL_BASE_MAX + 32], image[64];
    snprintf(url, sizeof url, "%s/h/%s", c->base_url, db_text(st, 0));

    json_t *product = json_null();
    if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
        sqlite3_bind_text(ps, 1, db_text(st, 3), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(ps) == SQLITE_ROW) {
            snprintf(image, sizeof image, "/v1/images/%s.png", db_text(ps, 5));
            product = json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:s}", "id", db_text(ps, 0), "name",
                                db_text(ps, 1), "brand", db_text(ps, 2), "category", db_text(ps, 3),
                                "price_cents", (json_int_t)sqlite3_column_int64(ps, 4), "currency",
                                "USD", "image_url", image);
        }
    }
    json_t *variant = json_null();
    if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
        sqlite3_bind_text(vs, 1, db_text(st, 4), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(vs) == SQLITE_ROW) {
            snprintf(image, sizeof image, "/v1/images/%s.png", db_text(vs, 0));
            variant = json_pack("{s:s,s:s,s:s,s:I,s:s}", "id", db_text(vs, 0), "size",
                                db_text(vs, 3), "colour", db_text(vs, 4), "price_cents",
                                (json_int_t)sqlite3_column_int64(vs, 5), "image_url", image);
        }
    }
    items = json_array();
    stored = json_loads(db_text(st, 5), 0, NULL);
    size_t i;
    json_t *it;
    json_array_foreach(stored, i, it)
    {
        const char *vid = json_string_value(json_object_get(it, "variant"));
        json_int_t qty = json_integer_value(json_object_get(it, "qty"));
        sqlite3_reset(vs);
        sqlite3_bind_text(vs, 1, vid ? vid : "", -1, SQLITE_STATIC);
        if (!vid || sqlite3_step(vs) != SQLITE_ROW)
            continue;
        long long price = sqlite3_column_int64(vs, 5);
        subtotal += price * qty;
        snprintf(image, sizeof image, "/v1/images/%s.png", db_text(vs, 0));
        json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:s}", "variant",
                                               db_text(vs, 0), "product_id", db_text(vs, 1), "name",
                                               db_text(vs, 2), "size", db_text(vs, 3), "colour",
                                               db_text(vs, 4), "qty", qty, "price_cents",
                                               (json_int_t)price, "image_url", image));
    }
#define OPT(col)                                                                                   \
    (sqlite3_column_type(st, col) == SQLITE_NULL ? json_null() : json_string(db_text(st, col)))
    j = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:I,s:s,s:o,s:o}", "code", db_text(st, 0), "url",
                  url, "store", db_text(st, 1), "device", OPT(2), "product", product, "variant",
                  variant, "items", items, "subtotal_cents", (json_int_t)subtotal, "currency",
                  "USD", "created_at", api_time((time_t)sqlite3_column_int64(st, 6)), "expires_at",
                  api_time(expires));
#undef OPT
    items = NULL;
out:
    json_decref(items);
    json_decref(stored);
    sqlite3_finalize(st);
    sqlite3_finalize(ps);
    sqlite3_finalize(vs);
    return j;
}

void api_handoff_create(HttpRequest *req, HttpReply *r)
{
    HandoffIn in = {0};
    sqlite3_stmt *st = NULL, *gc = NULL;
    char code[HANDOFF_CODE_LEN + 1] = "", product_buf[UTIL_ID_MAX + 1];
    char *items_text = NULL;
    time_t now = time(NULL);
    if (!read_body(req, r, &in) || !check_refs(req->c->db, r, &in, product_buf))
        return;
    json_t *items = json_array();
    for (size_t i = 0; i < in.n_items; i++)
        json_array_append_new(items, json_pack("{s:s,s:I}", "variant", in.items[i].variant, "qty",
                                               (json_int_t)in.items[i].qty));
    items_text = json_dumps(items, JSON_COMPACT);
    json_decref(items);
    if (!items_text ||
        db_prepare(req->c->db, "DELETE FROM handoffs WHERE expires_at < ?", &gc) != KIOSK_OK ||
        db_prepare(req->c->db,
                   "INSERT INTO handoffs(code, store_id, device_id, product_id, variant_id, items,"
                   " created_at, expires_at) VALUES(?,?,?,?,?,?,?,?)",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        goto out;
    }
    sqlite3_bind_int64(gc, 1, (sqlite3_int64)(now - 86400 * HANDOFF_KEEP_DAYS));
    if (sqlite3_step(gc) != SQLITE_DONE)
        log_warn("handoff", "cannot prune old hand-offs: %s", sqlite3_errmsg(req->c->db));
    /* Retry on the (rare) clash with a code still in the table. */
    int rc = SQLITE_CONSTRAINT;
    for (int attempt = 0; attempt < 5 && rc == SQLITE_CONSTRAINT; attempt++) {
        if (!util_random_code(HANDOFF_CODE_LEN, code))
            break;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, in.store, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, in.device, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, in.product, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, in.variant, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, items_text, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, (sqlite3_int64)now);
        sqlite3_bind_int64(st, 8, (sqlite3_int64)(now + API_HANDOFF_TTL));
        rc = sqlite3_step(st);
    }
    if (rc != SQLITE_DONE) {
        api_db_error(r);
        goto out;
    }
    char url[CENTRAL_BASE_MAX + 32];
    snprintf(url, sizeof url, "%s/h/%s", req->c->base_url, code);
    log_info("handoff", "hand-off created at %s: %zu items%s", in.store, in.n_items,
             in.product ? ", one product" : "");
    http_reply_json(r, 201,
                    json_pack("{s:s,s:s,s:o}", "code", code, "url", url, "expires_at",
                              api_time(now + API_HANDOFF_TTL)));
out:
    sqlite3_finalize(gc);
    sqlite3_finalize(st);
    free(items_text);
}

/* Copies a code from the path in upper case (codes are read off screens and typed). */
static void normalise_code(const char *seg, char out[HTTP_SEG_MAX + 1])
{
    size_t n = strlen(seg);
    for (size_t i = 0; i <= n && i <= HTTP_SEG_MAX; i++)
        out[i] = (char)toupper((unsigned char)seg[i]);
    out[HTTP_SEG_MAX] = '\0';
}

void api_handoff_get(HttpRequest *req, HttpReply *r)
{
    char code[HTTP_SEG_MAX + 1];
    bool expired = false;
    if (!api_path_id(r, req->seg[2], "hand-off"))
        return;
    normalise_code(req->seg[2], code);
    json_t *h = handoff_json(req->c, code, &expired);
    if (!h) {
        http_reply_error(r, 404, "handoff_not_found", "No hand-off %s", code);
        return;
    }
    if (expired) {
        json_decref(h);
        http_reply_error(r, 410, "handoff_expired", "The hand-off %s has expired", code);
        return;
    }
    http_reply_json(r, 200, h);
}

/* --- the phone page ---------------------------------------------------------------------- */

static void phone_head(Page *p, const char *title)
{
    page_head(p, title, NULL,
              "<style>"
              "body{font-family:system-ui,-apple-system,sans-serif;color:#1f1f1f;margin:0 auto;"
              "padding:16px;max-width:480px}h1{font-size:1.35em;margin:.4em 0}"
              "ul{list-style:none;padding:0;margin:0}li{display:flex;gap:12px;align-items:center;"
              "padding:10px 0;border-bottom:1px solid #e4e4e0}"
              "img{width:64px;height:64px;border-radius:8px;background:#f2f2ee;flex:none}"
              "small{color:#5f6368}.price{margin-left:auto;font-weight:600;white-space:nowrap}"
              ".total{display:flex;justify-content:space-between;font-weight:600;padding:12px 0}"
              "a.app{display:block;text-align:center;background:#1d2b4f;color:#fff;"
              "padding:14px;border-radius:10px;text-decoration:none;font-weight:600;"
              "margin:16px 0}</style>");
}

static void page_line(Page *p, const char *image, const char *name, const char *detail,
                      long long price_cents)
{
    page_raw(p, "<li><img src=\"");
    page_text(p, image);
    page_raw(p, "\" alt=\"\"><div><b>");
    page_text(p, name);
    page_raw(p, "</b><br><small>");
    page_text(p, detail);
    page_raw(p, "</small></div><span class=price>");
    page_money(p, price_cents);
    page_raw(p, "</span></li>");
}

static void page_error(Page *p, const char *title, const char *message)
{
    phone_head(p, title);
    page_raw(p, "<h1>");
    page_text(p, title);
    page_raw(p, "</h1><p>");
    page_text(p, message);
    page_raw(p, "</p></html>");
}

/* The page the hand-off QR opens: the product or the cart lines with prices, and a link into
 * the retailer's app. Errors are pages too (a phone's browser shows them to a person). */
void api_handoff_page(HttpRequest *req, HttpReply *r)
{
    char code[HTTP_SEG_MAX + 1], detail[160];
    bool expired = false;
    unsigned status = 200;
    json_t *h = NULL;
    Page p;
    if (!page_init(&p, HANDOFF_PAGE_MAX)) {
        http_reply_error(r, 500, "internal", "Out of memory");
        return;
    }
    normalise_code(req->seg[1], code);
    if (util_valid_id(code))
        h = handoff_json(req->c, code, &expired);
    if (!h) {
        status = 404;
        page_error(&p, "Link not found",
                   "This link is not valid. Scan the code on the screen in the store again.");
        goto send;
    }
    if (expired) {
        status = 410;
        page_error(&p, "This link has expired",
                   "Links from our in-store screens last 30 minutes. Scan the code on the "
                   "screen again to pick up where you left off.");
        goto send;
    }
    json_t *product = json_object_get(h, "product"), *variant = json_object_get(h, "variant");
    json_t *items = json_object_get(h, "items");
    json_t *store = api_store_json(req->c->db, json_string_value(json_object_get(h, "store")));
    const char *store_name = store ? json_string_value(json_object_get(store, "name")) : NULL;
    const char *title = json_array_size(items) ? "Your bag" : "Your pick";
    phone_head(&p, title);
    page_raw(&p, "<h1>");
    page_text(&p, title);
    page_raw(&p, "</h1>");
    if (store_name) {
        page_raw(&p, "<p><small>From our ");
        page_text(&p, store_name);
        page_raw(&p, " store</small></p>");
    }
    page_raw(&p, "<ul>");
    if (json_is_object(product) && !json_array_size(items)) {
        if (json_is_object(variant))
            snprintf(detail, sizeof detail, "Size %s · %s",
                     json_string_value(json_object_get(variant, "size")),
                     json_string_value(json_object_get(variant, "colour")));
        else
            snprintf(detail, sizeof detail, "Choose your size in the app");
        page_line(&p,
                  json_string_value(
                      json_object_get(json_is_object(variant) ? variant : product, "image_url")),
                  json_string_value(json_object_get(product, "name")), detail,
                  json_integer_value(json_object_get(product, "price_cents")));
    }
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        json_int_t qty = json_integer_value(json_object_get(it, "qty"));
        snprintf(detail, sizeof detail, "Size %s · %s · Qty %lld",
                 json_string_value(json_object_get(it, "size")),
                 json_string_value(json_object_get(it, "colour")), (long long)qty);
        page_line(&p, json_string_value(json_object_get(it, "image_url")),
                  json_string_value(json_object_get(it, "name")), detail,
                  json_integer_value(json_object_get(it, "price_cents")) * qty);
    }
    page_raw(&p, "</ul>");
    if (json_array_size(items)) {
        page_raw(&p, "<div class=total><span>Subtotal</span><span>");
        page_money(&p, json_integer_value(json_object_get(h, "subtotal_cents")));
        page_raw(&p, "</span></div>");
    }
    page_raw(&p, "<a class=app href=\"" HANDOFF_APP_LINK);
    page_text(&p, code);
    page_raw(&p, "\">Continue in the app</a><p><small>Prices in USD before tax. This link "
                 "expires at ");
    page_text(&p, json_string_value(json_object_get(h, "expires_at")));
    page_raw(&p, ".</small></p></html>");
    json_decref(store);
send:
    json_decref(h);
    page_reply(&p, r, status);
}
