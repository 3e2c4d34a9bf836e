/* api_members.c: who the shopper is and what to show them: identification from a signed
 * member token, the profile (masked addresses, sizes, tier, points, history from every
 * channel), recommendations, offers, order history, and shipping options.
 * Runs on connection threads with Central.lock held. */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "recs.h"
#include "token.h"
#include "util.h"

typedef struct ShippingOption {
    const char *id, *name;
    long long price_cents;
    int days_min, days_max; /* business days */
    bool pickup;
} ShippingOption;

static const ShippingOption SHIPPING[] = {
    {"standard", "Standard delivery", 695, 3, 5, false},
    {"express", "Express delivery", 1295, 2, 2, false},
    {"next_day", "Next business day", 2495, 1, 1, false},
    {"pickup", "Collect in this store", 0, 1, 2, true},
};
#define N_SHIPPING (sizeof SHIPPING / sizeof SHIPPING[0])

size_t api_shipping_count(void)
{
    return N_SHIPPING;
}

const char *api_shipping_id(size_t i)
{
    return i < N_SHIPPING ? SHIPPING[i].id : NULL;
}

bool api_shipping_quote(const char *option, const char *tier, long long subtotal, bool at_shop,
                        time_t now, ApiShippingQuote *out)
{
    for (size_t i = 0; i < N_SHIPPING; i++) {
        const ShippingOption *o = &SHIPPING[i];
        if (strcmp(o->id, option) != 0)
            continue;
        if (o->pickup && !at_shop)
            return false;
        bool high_tier = strcmp(tier, "gold") == 0 || strcmp(tier, "platinum") == 0;
        out->id = o->id;
        out->name = o->name;
        out->price_cents = o->price_cents;
        if (strcmp(o->id, "standard") == 0 && (subtotal >= API_FREE_SHIPPING_CENTS || high_tier))
            out->price_cents = 0;
        out->earliest = util_add_business_days(now, o->days_min);
        out->latest = util_add_business_days(now, o->days_max);
        out->needs_address = !o->pickup;
        return true;
    }
    return false;
}

static bool member_tier(sqlite3 *db, const char *member, char *tier, size_t size)
{
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (db_prepare(db, "SELECT tier FROM members WHERE id=?", &st) != KIOSK_OK)
        return false;
    sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(tier, size, "%s", db_text(st, 0));
        found = true;
    }
    sqlite3_finalize(st);
    return found;
}

void api_identify(HttpRequest *req, HttpReply *r)
{
    Token t;
    if (!api_body_token(req, r, &t))
        return;
    if (t.role != TOKEN_ROLE_MEMBER) {
        http_reply_error(r, 403, "not_a_member", "This is a %s badge, not a member card",
                         token_role_name(t.role));
        return;
    }
    json_t *profile = api_member_profile(req->c, t.member_id);
    if (!profile) {
        http_reply_error(r, 404, "member_not_found", "The token names no known member");
        return;
    }
    json_object_set_new(profile, "token",
                        json_pack("{s:o,s:o,s:b}", "issued_at", api_time((time_t)t.issued_at),
                                  "expires_at", api_time((time_t)t.expires_at), "bound_to_tag",
                                  t.uid_len > 0));
    http_reply_json(r, 200, profile);
}

void api_member(HttpRequest *req, HttpReply *r)
{
    if (!api_path_id(r, req->seg[2], "member"))
        return;
    json_t *profile = api_member_profile(req->c, req->seg[2]);
    if (!profile) {
        http_reply_error(r, 404, "member_not_found", "No member %s", req->seg[2]);
        return;
    }
    http_reply_json(r, 200, profile);
}

void api_member_recommendations(HttpRequest *req, HttpReply *r)
{
    const char *store = NULL, *limit_text = http_query(req, "limit");
    int limit = API_RECS_DEFAULT;
    json_t *items = NULL;
    if (!api_path_id(r, req->seg[2], "member") || !api_query_id(req, r, "store", true, &store))
        return;
    if (limit_text && *limit_text) {
        char *end = NULL;
        long v = strtol(limit_text, &end, 10);
        if (*end || v < 1 || v > API_RECS_MAX) {
            http_reply_error(r, 400, "invalid_parameter", "limit must be 1 to %d", API_RECS_MAX);
            return;
        }
        limit = (int)v;
    }
    if (!api_member_exists(req->c->db, req->seg[2])) {
        http_reply_error(r, 404, "member_not_found", "No member %s", req->seg[2]);
        return;
    }
    if (!api_store_exists(req->c->db, store, NULL)) {
        http_reply_error(r, 404, "store_not_found", "No store %s", store);
        return;
    }
    if (recs_for_member(req->c->db, req->seg[2], store, limit, time(NULL), &items) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    http_reply_json(r, 200,
                    json_pack("{s:s,s:s,s:o}", "member", req->seg[2], "store", store,
                              "recommendations", items));
}

void api_member_offers(HttpRequest *req, HttpReply *r)
{
    sqlite3_stmt *st = NULL;
    time_t now = time(NULL);
    if (!api_path_id(r, req->seg[2], "member"))
        return;
    if (!api_member_exists(req->c->db, req->seg[2])) {
        http_reply_error(r, 404, "member_not_found", "No member %s", req->seg[2]);
        return;
    }
    /* Live offers only; a product offer disappears once the member owns the product. */
    if (db_prepare(req->c->db,
                   "SELECT f.id, f.kind, f.value, f.title, f.reason, f.code, f.starts_at,"
                   " f.expires_at, f.product_id, p.name, p.price_cents, p.category FROM offers f"
                   " LEFT JOIN products p ON p.id=f.product_id WHERE f.member_id=?1"
                   " AND f.redeemed_order IS NULL AND f.starts_at<=?2 AND f.expires_at>?2"
                   " AND (f.product_id IS NULL OR NOT EXISTS (SELECT 1 FROM order_lines l"
                   "  JOIN orders o ON o.id=l.order_id WHERE o.member_id=?1"
                   "  AND l.product_id=f.product_id AND l.returned=0))"
                   " ORDER BY f.expires_at, f.id",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    sqlite3_bind_text(st, 1, req->seg[2], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
    json_t *list = json_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *o =
            json_pack("{s:s,s:s,s:I,s:s,s:s,s:s,s:o,s:o}", "id", db_text(st, 0), "kind",
                      db_text(st, 1), "value", (json_int_t)sqlite3_column_int64(st, 2), "title",
                      db_text(st, 3), "reason", db_text(st, 4), "code", db_text(st, 5), "starts_at",
                      api_time((time_t)sqlite3_column_int64(st, 6)), "expires_at",
                      api_time((time_t)sqlite3_column_int64(st, 7)));
        if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
            char url[64];
            snprintf(url, sizeof url, "/v1/images/%s.png", db_text(st, 8));
            json_object_set_new(o, "product",
                                json_pack("{s:s,s:s,s:I,s:s,s:s}", "id", db_text(st, 8), "name",
                                          db_text(st, 9), "price_cents",
                                          (json_int_t)sqlite3_column_int64(st, 10), "category",
                                          db_text(st, 11), "image_url", url));
        } else {
            json_object_set_new(o, "product", json_null());
        }
        json_array_append_new(list, o);
    }
    sqlite3_finalize(st);
    http_reply_json(r, 200, json_pack("{s:s,s:o}", "member", req->seg[2], "offers", list));
}

void api_member_orders(HttpRequest *req, HttpReply *r)
{
    sqlite3_stmt *st = NULL;
    const char *channel = http_query(req, "channel");
    if (!api_path_id(r, req->seg[2], "member"))
        return;
    if (channel && *channel && !util_valid_id(channel)) {
        http_reply_error(r, 400, "invalid_parameter", "Unknown channel");
        return;
    }
    if (!api_member_exists(req->c->db, req->seg[2])) {
        http_reply_error(r, 404, "member_not_found", "No member %s", req->seg[2]);
        return;
    }
    if (db_prepare(req->c->db,
                   "SELECT id FROM orders WHERE member_id=? AND (?2='' OR channel=?2)"
                   " ORDER BY created_at DESC, id DESC",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    sqlite3_bind_text(st, 1, req->seg[2], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, channel ? channel : "", -1, SQLITE_STATIC);
    json_t *list = json_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *o = api_order_json(req->c, db_text(st, 0));
        if (o)
            json_array_append_new(list, o);
    }
    sqlite3_finalize(st);
    http_reply_json(r, 200, json_pack("{s:s,s:o}", "member", req->seg[2], "orders", list));
}

void api_shipping_options(HttpRequest *req, HttpReply *r)
{
    const char *store = NULL, *member = NULL, *sub_text = http_query(req, "subtotal_cents");
    char kind[8] = "", tier[16] = "";
    long long subtotal = 0;
    time_t now = time(NULL);
    if (!api_query_id(req, r, "store", true, &store) ||
        !api_query_id(req, r, "member", false, &member))
        return;
    if (sub_text && *sub_text) {
        char *end = NULL;
        subtotal = strtoll(sub_text, &end, 10);
        if (*end || subtotal < 0 || subtotal > 100000000) {
            http_reply_error(r, 400, "invalid_parameter",
                             "subtotal_cents must be a non-negative integer");
            return;
        }
    }
    if (!api_store_exists(req->c->db, store, kind)) {
        http_reply_error(r, 404, "store_not_found", "No store %s", store);
        return;
    }
    if (member && !member_tier(req->c->db, member, tier, sizeof tier)) {
        http_reply_error(r, 404, "member_not_found", "No member %s", member);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < api_shipping_count(); i++) {
        ApiShippingQuote q;
        if (!api_shipping_quote(api_shipping_id(i), tier, subtotal, strcmp(kind, "store") == 0, now,
                                &q))
            continue;
        json_array_append_new(
            list, json_pack("{s:s,s:s,s:I,s:s,s:{s:o,s:o},s:b}", "id", q.id, "name", q.name,
                            "price_cents", (json_int_t)q.price_cents, "currency", "USD",
                            "delivery_estimate", "earliest", api_time(q.earliest), "latest",
                            api_time(q.latest), "needs_address", q.needs_address));
    }
    http_reply_json(r, 200,
                    json_pack("{s:s,s:o,s:I,s:o}", "store", store, "member",
                              member ? json_string(member) : json_null(), "free_from_cents",
                              (json_int_t)API_FREE_SHIPPING_CENTS, "options", list));
}
