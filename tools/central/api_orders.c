/* api_orders.c: ship-to-home (and collect-in-store) orders placed from a device, with
 * Idempotency-Key semantics: the same key and the same body give back the same order; the
 * same key with another body is refused (409). Totals are computed here, never trusted from
 * the client. An order, its lines, the stock it takes, the offer it redeems and the points
 * it earns are written in one SQLite transaction. An associate's order names an active
 * associate and how the customer confirmed it on the device (card or app).
 * Runs with Central.lock held. */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "util.h"

#define TRACK_PAGE_MAX   1024 /* bytes of the tracking page */
#define CONFIRMED_BY_MAX 8    /* "card" or "app" */

typedef struct Line {
    char variant[UTIL_ID_MAX + 1];
    char product[UTIL_ID_MAX + 1];
    long long qty, unit_cents, discount_cents;
} Line;

typedef struct OrderIn {
    const char *member, *store, *device, *associate, *confirmed_by, *shipping, *address, *offer;
    Line lines[API_ORDER_LINES_MAX];
    size_t n_lines;
} OrderIn;

static bool idem_key_ok(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || n > API_IDEM_KEY_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (key[i] < '!' || key[i] > '~')
            return false;
    return true;
}

/* Reads and checks the body's shape; 400 on anything malformed. */
static bool read_body(const HttpRequest *req, HttpReply *r, OrderIn *in)
{
    if (!api_body_id(req, r, "member", true, &in->member) ||
        !api_body_id(req, r, "store", true, &in->store) ||
        !api_body_id(req, r, "device", false, &in->device) ||
        !api_body_id(req, r, "associate", false, &in->associate) ||
        !api_body_id(req, r, "shipping_option", true, &in->shipping) ||
        !api_body_id(req, r, "address_id", false, &in->address) ||
        !api_body_id(req, r, "offer", false, &in->offer) ||
        !api_body_string(req, r, "confirmed_by", false, CONFIRMED_BY_MAX, &in->confirmed_by))
        return false;
    /* An associate places the order on the device; the customer confirms it there (tapping
     * their card, or in their app), and the order says which. */
    if (in->confirmed_by && strcmp(in->confirmed_by, "card") != 0 &&
        strcmp(in->confirmed_by, "app") != 0) {
        http_reply_error(r, 400, "invalid_field", "\"confirmed_by\" must be \"card\" or \"app\"");
        return false;
    }
    if (in->associate && !in->confirmed_by) {
        http_reply_error(r, 400, "missing_field",
                         "The field \"confirmed_by\" is required with \"associate\"");
        return false;
    }
    ApiItem items[API_ORDER_LINES_MAX];
    if (!api_body_items(req, r, 1, API_ORDER_LINES_MAX, items, &in->n_lines))
        return false;
    for (size_t i = 0; i < in->n_lines; i++) {
        snprintf(in->lines[i].variant, sizeof in->lines[i].variant, "%.*s",
                 (int)sizeof in->lines[i].variant - 1, items[i].variant);
        in->lines[i].qty = items[i].qty;
    }
    return true;
}

/* Replays an earlier order with this key, or refuses a different body. True if answered. */
static bool replay(Central *c, HttpReply *r, const char *key, const char *body)
{
    sqlite3_stmt *st = NULL;
    bool answered = false;
    if (db_prepare(c->db, "SELECT id, idem_body FROM orders WHERE idem_key=?", &st) != KIOSK_OK) {
        api_db_error(r);
        return true;
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        answered = true;
        if (strcmp(db_text(st, 1), body) == 0) {
            json_t *o = api_order_json(c, db_text(st, 0));
            if (o) {
                http_reply_json(r, 200, o);
                r->header_name = "Idempotent-Replayed";
                r->header_value = "true";
            } else {
                api_db_error(r);
            }
        } else {
            http_reply_error(r, 409, "idempotency_key_reused",
                             "This Idempotency-Key was used for a different order");
        }
    }
    sqlite3_finalize(st);
    return answered;
}

static KioskErr place(Central *c, HttpReply *r, OrderIn *in, const char *key, const char *body)
{
    sqlite3 *db = c->db;
    sqlite3_stmt *st = NULL;
    KioskErr err = KIOSK_OK;
    char kind[8] = "", tier[16] = "", offer_kind[16] = "", offer_product[UTIL_ID_MAX + 1] = "";
    long long offer_value = 0, subtotal = 0, discount = 0;
    time_t now = time(NULL);
    bool failed = false; /* a reply is already set */

#define FAIL(status, code, ...)                                                                    \
    do {                                                                                           \
        http_reply_error(r, status, code, __VA_ARGS__);                                            \
        failed = true;                                                                             \
        goto out;                                                                                  \
    } while (0)
#define PREP(sql)                                                                                  \
    do {                                                                                           \
        sqlite3_finalize(st);                                                                      \
        st = NULL;                                                                                 \
        err = db_prepare(db, sql, &st);                                                            \
        if (err != KIOSK_OK)                                                                       \
            goto out;                                                                              \
    } while (0)

    if (!api_store_exists(db, in->store, kind))
        FAIL(422, "unknown_store", "No store %s", in->store);
    PREP("SELECT tier FROM members WHERE id=?");
    sqlite3_bind_text(st, 1, in->member, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        FAIL(422, "unknown_member", "No member %s", in->member);
    snprintf(tier, sizeof tier, "%s", db_text(st, 0));
    if (in->associate && !api_staff_is_associate(db, in->associate))
        FAIL(422, "unknown_associate", "%s is not an active associate", in->associate);

    /* Where the goods come from: the warehouse ships, a shop hands over. */
    bool pickup = strcmp(in->shipping, "pickup") == 0;
    const char *source = pickup ? in->store : "online";
    if (!pickup && !in->address)
        FAIL(400, "missing_field", "The field \"address_id\" is required for delivery");
    char default_address[72];
    if (in->address && strcmp(in->address, "default") == 0) {
        /* A device that could not read the profile (offline) ships to the default address. */
        PREP("SELECT id FROM addresses WHERE member_id=? ORDER BY is_default DESC, id LIMIT 1");
        sqlite3_bind_text(st, 1, in->member, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
            FAIL(422, "unknown_address", "The member has no saved address");
        snprintf(default_address, sizeof default_address, "%s", db_text(st, 0));
        in->address = default_address;
    }
    if (in->address) {
        PREP("SELECT 1 FROM addresses WHERE id=? AND member_id=?");
        sqlite3_bind_text(st, 1, in->address, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, in->member, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
            FAIL(422, "unknown_address", "The member has no address %s", in->address);
    }
    PREP("SELECT v.product_id, v.price_cents, COALESCE(s.qty, 0) FROM variants v"
         " JOIN products p ON p.id=v.product_id"
         " LEFT JOIN stock s ON s.variant_id=v.id AND s.store_id=?2 WHERE v.id=?1 AND p.active=1");
    for (size_t i = 0; i < in->n_lines; i++) {
        Line *l = &in->lines[i];
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, l->variant, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
            FAIL(422, "unknown_variant", "No variant %s", l->variant);
        snprintf(l->product, sizeof l->product, "%s", db_text(st, 0));
        l->unit_cents = sqlite3_column_int64(st, 1);
        if (sqlite3_column_int64(st, 2) < l->qty)
            FAIL(409, "out_of_stock", "Only %lld of %s left %s",
                 (long long)sqlite3_column_int64(st, 2), l->variant,
                 pickup ? "in this store" : "online");
        subtotal += l->unit_cents * l->qty;
    }
    if (in->offer) {
        PREP("SELECT kind, value, COALESCE(product_id,''), redeemed_order, starts_at, expires_at"
             " FROM offers WHERE id=? AND member_id=?");
        sqlite3_bind_text(st, 1, in->offer, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, in->member, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
            FAIL(422, "unknown_offer", "The member has no offer %s", in->offer);
        if (sqlite3_column_type(st, 3) != SQLITE_NULL)
            FAIL(409, "offer_redeemed", "The offer %s was already used", in->offer);
        if (now < (time_t)sqlite3_column_int64(st, 4) || now >= (time_t)sqlite3_column_int64(st, 5))
            FAIL(409, "offer_expired", "The offer %s is not valid now", in->offer);
        snprintf(offer_kind, sizeof offer_kind, "%s", db_text(st, 0));
        offer_value = sqlite3_column_int64(st, 1);
        snprintf(offer_product, sizeof offer_product, "%s", db_text(st, 2));
        if (strcmp(offer_kind, "percent") == 0) {
            for (size_t i = 0; i < in->n_lines; i++) {
                Line *l = &in->lines[i];
                if (strcmp(l->product, offer_product) == 0) {
                    l->discount_cents = l->unit_cents * l->qty * offer_value / 100;
                    discount += l->discount_cents;
                }
            }
            if (discount == 0)
                FAIL(422, "offer_not_applicable", "The offer %s is for a product not in this order",
                     in->offer);
        } else if (strcmp(offer_kind, "amount") == 0) {
            discount = offer_value < subtotal ? offer_value : subtotal;
        }
    }
    ApiShippingQuote q;
    if (!api_shipping_quote(in->shipping, tier, subtotal - discount, strcmp(kind, "store") == 0,
                            now, &q))
        FAIL(422, "unknown_shipping_option", "No shipping option %s here", in->shipping);
    if (strcmp(offer_kind, "free_shipping") == 0)
        q.price_cents = 0;
    long long tax = (subtotal - discount) * API_TAX_PER_10K / 10000;
    long long total = subtotal - discount + q.price_cents + tax;

    int64_t seq = 0;
    char id[24], number[24];
    err = db_exec(db, "BEGIN IMMEDIATE");
    if (err != KIOSK_OK)
        goto out;
    err = db_next_seq(db, "order", &seq);
    if (err != KIOSK_OK)
        goto out;
    snprintf(id, sizeof id, "O%06lld", (long long)seq);
    snprintf(number, sizeof number, "K-%06lld", 100000 + (long long)seq);
    PREP("INSERT INTO orders(id,number,member_id,channel,store_id,device_id,associate,status,"
         "shipping_option,address_id,offer_id,subtotal_cents,discount_cents,shipping_cents,"
         "tax_cents,total_cents,created_at,delivery_from,delivery_to,idem_key,idem_body,"
         "confirmed_by) VALUES(?1,?2,?3,'kiosk',?4,?5,?6,'confirmed',?7,?8,?9,?10,?11,?12,?13,"
         "?14,?15,?16,?17,?18,?19,?20)");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, number, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, in->member, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, in->store, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, in->device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, in->associate, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, in->shipping, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, in->address, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, in->offer, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, subtotal);
    sqlite3_bind_int64(st, 11, discount);
    sqlite3_bind_int64(st, 12, q.price_cents);
    sqlite3_bind_int64(st, 13, tax);
    sqlite3_bind_int64(st, 14, total);
    sqlite3_bind_int64(st, 15, (sqlite3_int64)now);
    sqlite3_bind_int64(st, 16, (sqlite3_int64)q.earliest);
    sqlite3_bind_int64(st, 17, (sqlite3_int64)q.latest);
    sqlite3_bind_text(st, 18, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 19, body, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 20, in->confirmed_by, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto db_fail;
    PREP("INSERT INTO order_lines(order_id,line,variant_id,product_id,qty,unit_cents,"
         "discount_cents) VALUES(?,?,?,?,?,?,?)");
    for (size_t i = 0; i < in->n_lines; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, (int)i + 1);
        sqlite3_bind_text(st, 3, in->lines[i].variant, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, in->lines[i].product, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, in->lines[i].qty);
        sqlite3_bind_int64(st, 6, in->lines[i].unit_cents);
        sqlite3_bind_int64(st, 7, in->lines[i].discount_cents);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto db_fail;
    }
    /* Each figure taken moves to the end of the stock change order (the stock delta). */
    PREP("UPDATE stock SET qty=qty-?1, updated_at=?2, seq=?5 WHERE variant_id=?3 AND store_id=?4");
    for (size_t i = 0; i < in->n_lines; i++) {
        int64_t stock_seq = 0;
        err = db_next_seq(db, "stock", &stock_seq);
        if (err != KIOSK_OK)
            goto out;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, in->lines[i].qty);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
        sqlite3_bind_text(st, 3, in->lines[i].variant, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, source, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, stock_seq);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto db_fail;
    }
    if (in->offer) {
        PREP("UPDATE offers SET redeemed_order=? WHERE id=?");
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, in->offer, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto db_fail;
    }
    PREP("UPDATE members SET points=points+? WHERE id=?");
    sqlite3_bind_int64(st, 1, (subtotal - discount) / 100);
    sqlite3_bind_text(st, 2, in->member, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto db_fail;
    err = db_exec(db, "COMMIT");
    if (err != KIOSK_OK)
        goto out;
    log_info("orders", "order %s placed: %zu lines, device %s, associate %s", id, in->n_lines,
             in->device ? in->device : "-", in->associate ? in->associate : "-");
    {
        json_t *o = api_order_json(c, id);
        if (!o) {
            err = KIOSK_E_IO;
            goto out;
        }
        http_reply_json(r, 201, o);
    }
    goto out;
db_fail:
    log_error("orders", "write failed: %s", sqlite3_errmsg(db));
    err = KIOSK_E_IO;
out:
#undef FAIL
#undef PREP
    sqlite3_finalize(st);
    if (!sqlite3_get_autocommit(db))
        db_exec(db, "ROLLBACK"); /* a failure inside the transaction */
    if (failed)
        return KIOSK_E_INVALID;
    if (err != KIOSK_OK)
        api_db_error(r);
    return err;
}

void api_order_create(HttpRequest *req, HttpReply *r)
{
    OrderIn in = {0};
    const char *key = http_header(req, "Idempotency-Key");
    if (!key) {
        http_reply_error(r, 400, "missing_idempotency_key",
                         "The Idempotency-Key header is required");
        return;
    }
    if (!idem_key_ok(key)) {
        http_reply_error(r, 400, "invalid_idempotency_key",
                         "The Idempotency-Key must be 1 to %d printable characters",
                         API_IDEM_KEY_MAX);
        return;
    }
    /* The body in a canonical form, so key order and spacing do not make it "different". */
    char *body = json_dumps(req->json, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    if (!body) {
        http_reply_error(r, 500, "internal", "Out of memory");
        return;
    }
    if (!replay(req->c, r, key, body) && read_body(req, r, &in))
        place(req->c, r, &in, key, body);
    free(body);
}

void api_order_get(HttpRequest *req, HttpReply *r)
{
    if (!api_path_id(r, req->seg[2], "order"))
        return;
    json_t *o = api_order_json(req->c, req->seg[2]);
    if (!o) {
        http_reply_error(r, 404, "order_not_found", "No order %s", req->seg[2]);
        return;
    }
    http_reply_json(r, 200, o);
}

/* The page a tracking QR opens on a phone: plain HTML, no member data beyond the number. */
void api_track(HttpRequest *req, HttpReply *r)
{
    sqlite3_stmt *st = NULL;
    if (!api_path_id(r, req->seg[1], "order"))
        return;
    if (db_prepare(req->c->db,
                   "SELECT number, status, delivery_from, delivery_to FROM orders"
                   " WHERE number=?",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    sqlite3_bind_text(st, 1, req->seg[1], -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        http_reply_error(r, 404, "order_not_found", "No order %s", req->seg[1]);
    } else {
        char from[11], to[11];
        util_iso_date((time_t)sqlite3_column_int64(st, 2), from);
        util_iso_date((time_t)sqlite3_column_int64(st, 3), to);
        char *html = malloc(TRACK_PAGE_MAX);
        if (html) {
            int n = snprintf(html, TRACK_PAGE_MAX,
                             "<!doctype html><meta charset=utf-8><meta name=viewport "
                             "content=\"width=device-width\"><title>Order %s</title>"
                             "<h1>Order %s</h1><p>Status: %s</p><p>Expected %s to %s</p>",
                             db_text(st, 0), db_text(st, 0), db_text(st, 1), from, to);
            r->status = 200;
            r->raw = (unsigned char *)html;
            r->raw_len = n < 0 ? 0 : n < TRACK_PAGE_MAX ? (size_t)n : TRACK_PAGE_MAX - 1;
            r->content_type = "text/html; charset=utf-8";
        } else {
            http_reply_error(r, 500, "internal", "Out of memory");
        }
    }
    sqlite3_finalize(st);
}
