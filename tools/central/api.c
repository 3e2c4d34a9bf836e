/* api.c: the route table, the field validators and the JSON forms shared by the api_*.c
 * handlers. Runs on connection threads with Central.lock held (see http.c). */
#include "api.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "util.h"

typedef void (*Handler)(HttpRequest *req, HttpReply *r);

typedef struct Route {
    const char *method;
    const char *pattern; /* segments; "*" matches any one segment */
    Handler handler;
} Route;

static const Route ROUTES[] = {
    {"GET", "v1/stores", api_stores},
    {"GET", "v1/catalog", api_catalog},
    {"GET", "v1/products", api_products_search},
    {"GET", "v1/products/*", api_product},
    {"GET", "v1/products/*/stock", api_product_stock},
    {"GET", "v1/images/*", api_image},
    {"POST", "v1/identify", api_identify},
    {"POST", "v1/staff/identify", api_staff_identify},
    {"POST", "v1/pairings", api_pairing_create},
    {"GET", "v1/pairings/*", api_pairing_get},
    {"POST", "v1/pairings/*/claim", api_pairing_claim},
    {"GET", "v1/members/*", api_member},
    {"GET", "v1/members/*/recommendations", api_member_recommendations},
    {"GET", "v1/members/*/offers", api_member_offers},
    {"GET", "v1/members/*/orders", api_member_orders},
    {"GET", "v1/members/*/notes", api_member_notes},
    {"POST", "v1/members/*/notes", api_member_note_add},
    {"GET", "v1/shipping-options", api_shipping_options},
    {"POST", "v1/orders", api_order_create},
    {"GET", "v1/orders/*", api_order_get},
    {"GET", "track/*", api_track},
    {"POST", "v1/fitting-requests", api_fitting_create},
    {"GET", "v1/fitting-requests", api_fitting_list},
    {"GET", "v1/fitting-requests/*", api_fitting_get},
    {"POST", "v1/fitting-requests/*/status", api_fitting_status},
    {"GET", "floor/*", api_floor_page},
    {"POST", "v1/devices/enroll", api_device_enroll},
    {"POST", "v1/devices/*/heartbeat", api_device_heartbeat},
    {"POST", "v1/devices/*/certificate", api_device_certificate},
    {"PUT", "v1/devices/*/screenshot", api_device_screenshot_put},
    {"GET", "v1/fleet", api_fleet},
    {"GET", "v1/stock", api_stock_delta},
    {"POST", "v1/handoffs", api_handoff_create},
    {"GET", "v1/handoffs/*", api_handoff_get},
    {"GET", "h/*", api_handoff_page},
    {"PATCH", "v1/admin/products/*", api_admin_product},
    {"PUT", "v1/admin/stock/*/*", api_admin_stock},
    {"POST", "v1/admin/handoffs/*/expire", api_admin_handoff_expire},
    {"POST", "v1/admin/enrollment-codes", api_admin_enrollment_code},
    {"POST", "v1/admin/enrollment-codes/*/expire", api_admin_enrollment_code_expire},
    {"PUT", "v1/admin/stores/*/service-pin", api_admin_service_pin},
    {"DELETE", "v1/admin/stores/*/service-pin", api_admin_service_pin},
    {"POST", "v1/admin/devices/*/revoke", api_admin_device_revoke},
    {"POST", "v1/admin/devices/*/commands", api_admin_device_command},
    {"GET", "v1/admin/devices/*/screenshot", api_admin_device_screenshot},
    {"GET", "console/*", api_console_page},
    {"GET", "console/codes/*", api_console_code_png},
};

static bool matches(const Route *rt, const HttpRequest *req)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", rt->pattern);
    int i = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save), i++) {
        if (i >= req->nseg)
            return false;
        if (strcmp(tok, "*") != 0 && strcmp(tok, req->seg[i]) != 0)
            return false;
    }
    return i == req->nseg;
}

void api_route(HttpRequest *req, HttpReply *r)
{
    bool path_known = false;
    for (size_t i = 0; i < sizeof ROUTES / sizeof ROUTES[0]; i++) {
        if (!matches(&ROUTES[i], req))
            continue;
        path_known = true;
        if (strcmp(ROUTES[i].method, req->method) == 0) {
            ROUTES[i].handler(req, r);
            return;
        }
    }
    if (path_known)
        http_reply_error(r, 405, "method_not_allowed", "%s is not allowed on this resource",
                         req->method);
    else
        http_reply_error(r, 404, "not_found", "No such resource");
}

/* --- validators ------------------------------------------------------------------------ */

static bool clean_text(const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20 || ch == 0x7f)
            return false;
    }
    return true;
}

bool api_body_string(const HttpRequest *req, HttpReply *r, const char *key, bool required,
                     size_t max, const char **out)
{
    json_t *v = req->json ? json_object_get(req->json, key) : NULL;
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required) {
            http_reply_error(r, 400, "missing_field", "The field \"%s\" is required", key);
            return false;
        }
        return true;
    }
    if (!json_is_string(v)) {
        http_reply_error(r, 400, "invalid_field", "The field \"%s\" must be a string", key);
        return false;
    }
    const char *s = json_string_value(v);
    if (json_string_length(v) != strlen(s) || strlen(s) > max || !clean_text(s)) {
        http_reply_error(r, 400, "invalid_field",
                         "The field \"%s\" is too long or has control characters", key);
        return false;
    }
    if (required && s[0] == '\0') {
        http_reply_error(r, 400, "missing_field", "The field \"%s\" must not be empty", key);
        return false;
    }
    *out = s;
    return true;
}

bool api_body_id(const HttpRequest *req, HttpReply *r, const char *key, bool required,
                 const char **out)
{
    if (!api_body_string(req, r, key, required, UTIL_ID_MAX, out))
        return false;
    if (*out && !util_valid_id(*out)) {
        http_reply_error(r, 400, "invalid_field", "The field \"%s\" is not a valid identifier",
                         key);
        return false;
    }
    return true;
}

bool api_body_int(const HttpRequest *req, HttpReply *r, const char *key, bool required,
                  long long lo, long long hi, long long *out)
{
    json_t *v = req->json ? json_object_get(req->json, key) : NULL;
    if (!v || json_is_null(v)) {
        if (required) {
            http_reply_error(r, 400, "missing_field", "The field \"%s\" is required", key);
            return false;
        }
        return true;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        http_reply_error(r, 400, "invalid_field",
                         "The field \"%s\" must be an integer from %lld to %lld", key, lo, hi);
        return false;
    }
    *out = json_integer_value(v);
    return true;
}

bool api_query_id(const HttpRequest *req, HttpReply *r, const char *name, bool required,
                  const char **out)
{
    *out = http_query(req, name);
    if (!*out || !**out) {
        *out = NULL;
        if (required) {
            http_reply_error(r, 400, "missing_parameter", "The query parameter \"%s\" is required",
                             name);
            return false;
        }
        return true;
    }
    if (!util_valid_id(*out)) {
        http_reply_error(r, 400, "invalid_parameter",
                         "The query parameter \"%s\" is not a valid identifier", name);
        return false;
    }
    return true;
}

bool api_path_id(HttpReply *r, const char *seg, const char *what)
{
    if (util_valid_id(seg))
        return true;
    http_reply_error(r, 404, "not_found", "No such %s", what);
    return false;
}

static bool parse_hex(const char *hex, uint8_t *out, size_t max, size_t *len)
{
    size_t n = strlen(hex);
    if (n % 2 || n / 2 > max)
        return false;
    for (size_t i = 0; i < n; i += 2) {
        if (!isxdigit((unsigned char)hex[i]) || !isxdigit((unsigned char)hex[i + 1]))
            return false;
        char byte[3] = {hex[i], hex[i + 1], '\0'};
        out[i / 2] = (uint8_t)strtoul(byte, NULL, 16);
    }
    *len = n / 2;
    return true;
}

bool api_body_token(const HttpRequest *req, HttpReply *r, Token *out)
{
    const char *text = NULL, *uid_hex = NULL;
    uint8_t uid[TOKEN_UID_MAX];
    size_t uid_len = 0;
    if (!api_body_string(req, r, "token", true, TOKEN_TEXT_MAX, &text) ||
        !api_body_string(req, r, "uid", false, 2 * TOKEN_UID_MAX, &uid_hex))
        return false;
    if (uid_hex && !parse_hex(uid_hex, uid, sizeof uid, &uid_len)) {
        http_reply_error(r, 400, "invalid_field", "The field \"uid\" must be hex, at most %d bytes",
                         TOKEN_UID_MAX);
        return false;
    }
    TokenResult tr = token_parse_text(text, out);
    if (tr != TOKEN_OK) {
        http_reply_error(r, 400, "token_malformed", "The token could not be read (%s)",
                         token_result_name(tr));
        return false;
    }
    if (!req->c->keys || token_keyring_count(req->c->keys) == 0) {
        http_reply_error(r, 503, "no_loyalty_key",
                         "The service has no loyalty key to check tokens with");
        return false;
    }
    tr = token_verify(req->c->keys, out, uid_len ? uid : NULL, uid_len, (uint32_t)time(NULL));
    if (tr != TOKEN_OK) {
        char code[48];
        snprintf(code, sizeof code, "token_%s", token_result_name(tr));
        log_info("identify", "%s token refused: %s", req->path, token_result_name(tr));
        http_reply_error(r, 401, code, "The token was refused (%s)", token_result_name(tr));
        return false;
    }
    return true;
}

bool api_device_id_form(const char *s)
{
    if (s[0] != 'D' || s[1] == '\0')
        return false;
    for (s++; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

bool api_admin_auth(const HttpRequest *req, HttpReply *r)
{
    if (!req->c->require_client_cert)
        return true;
    if (!req->client_cert_ok) {
        http_reply_error(r, 401, "client_certificate_required",
                         "Operator calls need a client certificate in mutual-TLS mode");
        return false;
    }
    /* A device's own certificate proves a device, not a person at the console: a stolen
     * kiosk must not mint enrollment codes or revoke its neighbours. */
    if (req->cert_from_device_ca && api_device_id_form(req->cert_cn)) {
        http_reply_error(r, 403, "operator_certificate_required",
                         "A device certificate cannot make operator calls");
        return false;
    }
    return true;
}

void api_db_error(HttpReply *r)
{
    http_reply_error(r, 500, "internal", "The service could not read or write its database");
}

/* --- JSON forms ------------------------------------------------------------------------ */

json_t *api_time(time_t t)
{
    char iso[UTIL_ISO_SIZE];
    if (t == 0)
        return json_null();
    util_iso_time(t, iso);
    return json_string(iso);
}

bool api_store_exists(sqlite3 *db, const char *id, char *kind)
{
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (db_prepare(db, "SELECT kind FROM stores WHERE id=?", &st) != KIOSK_OK)
        return false;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        found = true;
        if (kind)
            snprintf(kind, 8, "%s", db_text(st, 0));
    }
    sqlite3_finalize(st);
    return found;
}

json_t *api_store_json(sqlite3 *db, const char *id)
{
    sqlite3_stmt *st = NULL;
    json_t *j = NULL;
    if (db_prepare(db,
                   "SELECT id,kind,name,address,city,postcode,phone,lat,lon,hours,timezone "
                   "FROM stores WHERE id=?",
                   &st) != KIOSK_OK)
        return NULL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        json_t *hours = json_loads(db_text(st, 9), 0, NULL);
        j = json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s},s:s,s:f,s:f,s:o,s:s}", "id", db_text(st, 0),
                      "kind", db_text(st, 1), "name", db_text(st, 2), "address", "line1",
                      db_text(st, 3), "city", db_text(st, 4), "region", "WA", "postcode",
                      db_text(st, 5), "phone", db_text(st, 6), "lat", sqlite3_column_double(st, 7),
                      "lon", sqlite3_column_double(st, 8), "hours", hours ? hours : json_object(),
                      "timezone", db_text(st, 10));
    }
    sqlite3_finalize(st);
    return j;
}

json_t *api_product_json(sqlite3 *db, const char *id)
{
    sqlite3_stmt *st = NULL, *vs = NULL;
    json_t *j = NULL, *variants = NULL, *images = NULL, *colours = NULL;
    if (db_prepare(db,
                   "SELECT p.id,p.name,p.brand,p.category,p.description,p.price_cents,"
                   "p.replenishable,p.replenish_days,p.active,p.seq,p.updated_at,"
                   "COALESCE(ps.popularity,0),COALESCE(ps.related,'[]') FROM products p"
                   " LEFT JOIN product_stats ps ON ps.product_id=p.id WHERE p.id=?",
                   &st) != KIOSK_OK ||
        db_prepare(db,
                   "SELECT id,size,colour,colour_hex,gtin,price_cents FROM variants "
                   "WHERE product_id=? ORDER BY position",
                   &vs) != KIOSK_OK)
        goto out;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        goto out;
    variants = json_array();
    images = json_array();
    colours = json_object();
    sqlite3_bind_text(vs, 1, id, -1, SQLITE_STATIC);
    while (sqlite3_step(vs) == SQLITE_ROW) {
        char url[64];
        snprintf(url, sizeof url, "/v1/images/%s.png", db_text(vs, 0));
        const char *colour = db_text(vs, 2);
        if (!json_object_get(colours, colour)) {
            json_object_set_new(colours, colour, json_string(url));
            json_array_append_new(images, json_pack("{s:s,s:s}", "url", url, "colour", colour));
        }
        json_array_append_new(variants,
                              json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s}", "id", db_text(vs, 0),
                                        "size", db_text(vs, 1), "colour", colour, "colour_hex",
                                        db_text(vs, 3), "gtin", db_text(vs, 4), "price_cents",
                                        (json_int_t)sqlite3_column_int64(vs, 5), "image_url",
                                        json_string_value(json_object_get(colours, colour))));
    }
    j = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:b,s:o,s:b,s:o,s:o,s:o,s:o}", "id", db_text(st, 0), "name",
        db_text(st, 1), "brand", db_text(st, 2), "category", db_text(st, 3), "description",
        db_text(st, 4), "price_cents", (json_int_t)sqlite3_column_int64(st, 5), "currency", "USD",
        "replenishable", sqlite3_column_int(st, 6), "replenish_days",
        sqlite3_column_int(st, 7) ? json_integer(sqlite3_column_int(st, 7)) : json_null(), "active",
        sqlite3_column_int(st, 8), "updated_at", api_time((time_t)sqlite3_column_int64(st, 10)),
        "image_url",
        json_array_size(images) ? json_incref(json_object_get(json_array_get(images, 0), "url"))
                                : json_null(),
        "images", images, "variants", variants);
    images = NULL;
    variants = NULL;
    /* Computed after seeding (recs_product_stats): the device's offline recommendations. */
    json_t *related = json_loads(db_text(st, 12), 0, NULL);
    json_object_set_new(j, "popularity", json_integer(sqlite3_column_int(st, 11)));
    json_object_set_new(j, "related", json_is_array(related) ? related : json_array());
    if (related && !json_is_array(related))
        json_decref(related);
out:
    json_decref(variants);
    json_decref(images);
    json_decref(colours);
    sqlite3_finalize(st);
    sqlite3_finalize(vs);
    return j;
}

json_t *api_order_json(Central *c, const char *id)
{
    sqlite3_stmt *st = NULL, *ls = NULL;
    json_t *j = NULL, *lines = NULL;
    if (db_prepare(c->db,
                   "SELECT id,number,member_id,channel,store_id,device_id,associate,status,"
                   "shipping_option,address_id,offer_id,subtotal_cents,discount_cents,"
                   "shipping_cents,tax_cents,total_cents,created_at,delivery_from,delivery_to,"
                   "confirmed_by FROM orders WHERE id=?",
                   &st) != KIOSK_OK ||
        db_prepare(c->db,
                   "SELECT l.line,l.variant_id,l.product_id,p.name,v.size,v.colour,l.qty,"
                   "l.unit_cents,l.discount_cents,l.returned,l.return_reason,p.category "
                   "FROM order_lines l JOIN products p ON p.id=l.product_id "
                   "JOIN variants v ON v.id=l.variant_id WHERE l.order_id=? ORDER BY l.line",
                   &ls) != KIOSK_OK)
        goto out;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        goto out;
    lines = json_array();
    sqlite3_bind_text(ls, 1, id, -1, SQLITE_STATIC);
    while (sqlite3_step(ls) == SQLITE_ROW) {
        json_t *line = json_pack(
            "{s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:I,s:I,s:b}", "line", sqlite3_column_int(ls, 0),
            "variant", db_text(ls, 1), "product_id", db_text(ls, 2), "name", db_text(ls, 3),
            "category", db_text(ls, 11), "size", db_text(ls, 4), "colour", db_text(ls, 5), "qty",
            sqlite3_column_int(ls, 6), "unit_price_cents", (json_int_t)sqlite3_column_int64(ls, 7),
            "discount_cents", (json_int_t)sqlite3_column_int64(ls, 8), "returned",
            sqlite3_column_int(ls, 9));
        if (sqlite3_column_int(ls, 9))
            json_object_set_new(line, "return_reason", json_string(db_text(ls, 10)));
        json_array_append_new(lines, line);
    }
    char track[CENTRAL_BASE_MAX + 48];
    snprintf(track, sizeof track, "%s/track/%s", c->base_url, db_text(st, 1));
    bool shipped = sqlite3_column_type(st, 17) != SQLITE_NULL;
#define OPT_TEXT(col)                                                                              \
    (sqlite3_column_type(st, col) == SQLITE_NULL ? json_null() : json_string(db_text(st, col)))
    j = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:s,s:o,s:o,s:o,s:{s:I,s:I,s:I,s:I,s:I,s:s},"
                  "s:o,s:o,s:o,s:o}",
                  "id", db_text(st, 0), "number", db_text(st, 1), "member", db_text(st, 2),
                  "channel", db_text(st, 3), "store", OPT_TEXT(4), "device", OPT_TEXT(5),
                  "associate", OPT_TEXT(6), "confirmed_by", OPT_TEXT(19), "status", db_text(st, 7),
                  "shipping_option", OPT_TEXT(8), "address_id", OPT_TEXT(9), "offer", OPT_TEXT(10),
                  "totals", "subtotal_cents", (json_int_t)sqlite3_column_int64(st, 11),
                  "discount_cents", (json_int_t)sqlite3_column_int64(st, 12), "shipping_cents",
                  (json_int_t)sqlite3_column_int64(st, 13), "tax_cents",
                  (json_int_t)sqlite3_column_int64(st, 14), "total_cents",
                  (json_int_t)sqlite3_column_int64(st, 15), "currency", "USD", "created_at",
                  api_time((time_t)sqlite3_column_int64(st, 16)), "delivery_estimate",
                  shipped ? json_pack("{s:o,s:o}", "earliest",
                                      api_time((time_t)sqlite3_column_int64(st, 17)), "latest",
                                      api_time((time_t)sqlite3_column_int64(st, 18)))
                          : json_null(),
                  "tracking_url", shipped ? json_string(track) : json_null(), "items", lines);
#undef OPT_TEXT
    lines = NULL;
out:
    json_decref(lines);
    sqlite3_finalize(st);
    sqlite3_finalize(ls);
    return j;
}

bool api_member_exists(sqlite3 *db, const char *id)
{
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (db_prepare(db, "SELECT 1 FROM members WHERE id=?", &st) != KIOSK_OK)
        return false;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

static bool known_fit(const char *fit)
{
    return fit &&
           (strcmp(fit, "slim") == 0 || strcmp(fit, "regular") == 0 || strcmp(fit, "relaxed") == 0);
}

/* The stored preferences (JSON text) in their public shape, whatever the column holds: a
 * known fit or null, and at most API_PREFS_MAX strings in each list. */
static json_t *preferences_json(const char *text)
{
    static const char *const lists[] = {"colours", "styles"};
    json_t *in = json_loads(text, 0, NULL);
    const char *fit = json_string_value(json_object_get(in, "fit"));
    json_t *out = json_pack("{s:o,s:[],s:[]}", "fit",
                            known_fit(fit) ? json_string(fit) : json_null(), "colours", "styles");
    for (size_t k = 0; out && k < sizeof lists / sizeof lists[0]; k++) {
        json_t *dst = json_object_get(out, lists[k]), *v;
        size_t i;
        json_array_foreach(json_object_get(in, lists[k]), i, v)
        {
            if (json_is_string(v) && json_array_size(dst) < API_PREFS_MAX)
                json_array_append(dst, v);
        }
    }
    json_decref(in);
    return out;
}

json_t *api_member_profile(Central *c, const char *id)
{
    sqlite3_stmt *st = NULL, *as = NULL, *os = NULL;
    json_t *j = NULL, *addresses = NULL, *orders = NULL;
    if (db_prepare(c->db,
                   "SELECT id,first_name,last_name,language,tier,points,sizes,payment_on_file,"
                   "home_store,member_since,preferences FROM members WHERE id=?",
                   &st) != KIOSK_OK ||
        db_prepare(c->db,
                   "SELECT id,label,line1,city,region,postcode,is_default FROM addresses "
                   "WHERE member_id=? ORDER BY is_default DESC, id",
                   &as) != KIOSK_OK ||
        db_prepare(c->db,
                   "SELECT id FROM orders WHERE member_id=? ORDER BY created_at DESC, id DESC "
                   "LIMIT ?",
                   &os) != KIOSK_OK)
        goto out;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        goto out;
    addresses = json_array();
    sqlite3_bind_text(as, 1, id, -1, SQLITE_STATIC);
    while (sqlite3_step(as) == SQLITE_ROW) {
        char line[512], masked[600];
        util_mask_line(db_text(as, 2), line, sizeof line);
        snprintf(masked, sizeof masked, "%s, %s", line, db_text(as, 3));
        json_array_append_new(addresses,
                              json_pack("{s:s,s:s,s:s,s:s,s:b}", "id", db_text(as, 0), "label",
                                        db_text(as, 1), "masked", masked, "city", db_text(as, 3),
                                        "is_default", sqlite3_column_int(as, 6)));
    }
    orders = json_array();
    sqlite3_bind_text(os, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(os, 2, API_HISTORY_MAX);
    while (sqlite3_step(os) == SQLITE_ROW) {
        json_t *o = api_order_json(c, db_text(os, 0));
        if (o)
            json_array_append_new(orders, o);
    }
    const char *first = db_text(st, 1), *last = db_text(st, 2);
    char initial[8] = "";
    /* The first character of the last name, whole even if it is multi-byte UTF-8. */
    size_t n = 1;
    while (last[n] && ((unsigned char)last[n] & 0xC0) == 0x80 && n < 4)
        n++;
    snprintf(initial, sizeof initial, "%.*s.", (int)n, last);
    char masked_name[128];
    snprintf(masked_name, sizeof masked_name, "%s %s", first, initial);
    json_t *sizes = json_loads(db_text(st, 6), 0, NULL);
    j = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:I,s:o,s:o,s:b,s:s,s:o,s:o,s:O,s:o}", "id", db_text(st, 0),
        "display_name", first, "name_masked", masked_name, "language", db_text(st, 3), "tier",
        db_text(st, 4), "points", (json_int_t)sqlite3_column_int64(st, 5), "sizes",
        sizes ? sizes : json_object(), "preferences", preferences_json(db_text(st, 10)),
        "payment_on_file", sqlite3_column_int(st, 7), "home_store", db_text(st, 8), "member_since",
        api_time((time_t)sqlite3_column_int64(st, 9)), "addresses", addresses, "last_order",
        json_array_size(orders) ? json_array_get(orders, 0) : json_null(), "recent_orders", orders);
    addresses = NULL;
    orders = NULL;
out:
    json_decref(addresses);
    json_decref(orders);
    sqlite3_finalize(st);
    sqlite3_finalize(as);
    sqlite3_finalize(os);
    return j;
}

bool api_body_items(const HttpRequest *req, HttpReply *r, size_t min, size_t max, ApiItem *out,
                    size_t *n)
{
    *n = 0;
    json_t *items = json_object_get(req->json, "items");
    size_t count = items && !json_is_null(items) ? json_array_size(items) : 0;
    if ((items && !json_is_null(items) && !json_is_array(items)) || count < min || count > max) {
        http_reply_error(r, 400, "invalid_field",
                         "\"items\" must be a list of %zu to %zu {variant, qty}", min, max);
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        json_t *it = json_array_get(items, i);
        json_t *v = json_object_get(it, "variant"), *q = json_object_get(it, "qty");
        if (!json_is_object(it) || !json_is_string(v) || !util_valid_id(json_string_value(v)) ||
            !json_is_integer(q) || json_integer_value(q) < 1 ||
            json_integer_value(q) > API_QTY_MAX) {
            http_reply_error(r, 400, "invalid_field",
                             "items[%zu] must be {\"variant\": id, \"qty\": 1..%d}", i,
                             API_QTY_MAX);
            return false;
        }
        const char *vid = json_string_value(v);
        size_t k = 0;
        while (k < *n && strcmp(out[k].variant, vid) != 0)
            k++;
        if (k == *n) {
            snprintf(out[k].variant, sizeof out[k].variant, "%s", vid);
            out[k].qty = 0;
            (*n)++;
        }
        out[k].qty += json_integer_value(q);
        if (out[k].qty > API_QTY_MAX) {
            http_reply_error(r, 400, "invalid_field", "At most %d units of one variant",
                             API_QTY_MAX);
            return false;
        }
    }
    return true;
}
