/* api_admin.c: the development service's stand-in for a retailer's back office: change a
 * product (price, name, withdrawal) so it shows up in the next catalog delta, set a stock
 * figure (with a fresh updated_at, in the next stock delta), and end a phone hand-off's time
 * early (so its expiry can be seen without waiting). Not part of the device API; operator
 * calls (api_admin_auth: open in development mode, a client certificate that is not a
 * device's with --client-ca). Runs on connection threads with Central.lock held. */
#include "api.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "util.h"

#define ADMIN_PRICE_MAX 10000000 /* $100,000 in cents */
#define ADMIN_NAME_MAX  96
#define ADMIN_QTY_MAX   100000

void api_admin_product(HttpRequest *req, HttpReply *r)
{
    const char *name = NULL;
    long long price = -1;
    json_t *active = json_object_get(req->json, "active");
    sqlite3_stmt *st = NULL;
    int64_t seq = 0;
    KioskErr err = KIOSK_OK;
    if (!api_path_id(r, req->seg[3], "product") || !api_admin_auth(req, r) ||
        !api_body_int(req, r, "price_cents", false, 1, ADMIN_PRICE_MAX, &price) ||
        !api_body_string(req, r, "name", false, ADMIN_NAME_MAX, &name))
        return;
    if (active && !json_is_boolean(active)) {
        http_reply_error(r, 400, "invalid_field", "The field \"active\" must be true or false");
        return;
    }
    if (price < 0 && !name && !active) {
        http_reply_error(r, 400, "missing_field", "Give price_cents, name or active");
        return;
    }
    json_t *before = api_product_json(req->c->db, req->seg[3]);
    if (!before) {
        http_reply_error(r, 404, "product_not_found", "No product %s", req->seg[3]);
        return;
    }
    json_decref(before);
    err = db_exec(req->c->db, "BEGIN IMMEDIATE");
    if (err != KIOSK_OK)
        goto out;
    /* A new sequence number puts the product after every cursor given out so far. */
    err = db_next_seq(req->c->db, "catalog", &seq);
    if (err == KIOSK_OK)
        err = db_prepare(req->c->db,
                         "UPDATE products SET price_cents=COALESCE(?1, price_cents),"
                         " name=COALESCE(?2, name), active=COALESCE(?3, active), seq=?4,"
                         " updated_at=?5 WHERE id=?6",
                         &st);
    if (err != KIOSK_OK)
        goto out;
    if (price >= 0)
        sqlite3_bind_int64(st, 1, price);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    if (active)
        sqlite3_bind_int(st, 3, json_is_true(active));
    sqlite3_bind_int64(st, 4, seq);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
    sqlite3_bind_text(st, 6, req->seg[3], -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        err = KIOSK_E_IO;
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (price >= 0) {
        err = db_prepare(req->c->db, "UPDATE variants SET price_cents=? WHERE product_id=?", &st);
        if (err != KIOSK_OK)
            goto out;
        sqlite3_bind_int64(st, 1, price);
        sqlite3_bind_text(st, 2, req->seg[3], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            err = KIOSK_E_IO;
            goto out;
        }
    }
    err = db_exec(req->c->db, "COMMIT");
out:
    sqlite3_finalize(st);
    if (err != KIOSK_OK) {
        if (!sqlite3_get_autocommit(req->c->db))
            db_exec(req->c->db, "ROLLBACK");
        api_db_error(r);
        return;
    }
    log_info("admin", "product %s changed (catalog seq %lld)", req->seg[3], (long long)seq);
    http_reply_json(r, 200, api_product_json(req->c->db, req->seg[3]));
}

void api_admin_stock(HttpRequest *req, HttpReply *r)
{
    long long qty = 0;
    sqlite3_stmt *st = NULL;
    time_t now = time(NULL);
    int64_t seq = 0;
    bool found = false;
    const char *variant = req->seg[3], *store = req->seg[4];
    if (!api_path_id(r, variant, "variant") || !api_path_id(r, store, "store") ||
        !api_admin_auth(req, r) || !api_body_int(req, r, "qty", true, 0, ADMIN_QTY_MAX, &qty))
        return;
    /* A new stock sequence number puts the figure in the next stock delta. */
    KioskErr err = db_exec(req->c->db, "BEGIN IMMEDIATE");
    if (err == KIOSK_OK)
        err = db_next_seq(req->c->db, "stock", &seq);
    if (err == KIOSK_OK)
        err = db_prepare(req->c->db,
                         "UPDATE stock SET qty=?, updated_at=?, seq=? WHERE variant_id=? AND"
                         " store_id=?",
                         &st);
    if (err != KIOSK_OK)
        goto out;
    sqlite3_bind_int64(st, 1, qty);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
    sqlite3_bind_int64(st, 3, seq);
    sqlite3_bind_text(st, 4, variant, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, store, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        err = KIOSK_E_IO;
        goto out;
    }
    found = sqlite3_changes(req->c->db) > 0;
    err = db_exec(req->c->db, found ? "COMMIT" : "ROLLBACK");
out:
    sqlite3_finalize(st);
    if (err != KIOSK_OK) {
        if (!sqlite3_get_autocommit(req->c->db))
            db_exec(req->c->db, "ROLLBACK");
        api_db_error(r);
        return;
    }
    if (!found) {
        http_reply_error(r, 404, "not_found", "No stock figure for %s at %s", variant, store);
        return;
    }
    http_reply_json(r, 200,
                    json_pack("{s:s,s:s,s:I,s:o}", "variant", variant, "store", store, "qty",
                              (json_int_t)qty, "updated_at", api_time(now)));
}

void api_admin_handoff_expire(HttpRequest *req, HttpReply *r)
{
    char code[HTTP_SEG_MAX + 1];
    sqlite3_stmt *st = NULL;
    time_t now = time(NULL);
    const char *seg = req->seg[3];
    size_t n = strlen(seg);
    if (!api_path_id(r, seg, "hand-off") || !api_admin_auth(req, r))
        return;
    for (size_t i = 0; i <= n; i++)
        code[i] = (char)toupper((unsigned char)seg[i]);
    if (db_prepare(req->c->db, "UPDATE handoffs SET expires_at=MIN(expires_at, ?) WHERE code=?",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        api_db_error(r);
        return;
    }
    if (sqlite3_changes(req->c->db) == 0) {
        http_reply_error(r, 404, "handoff_not_found", "No hand-off %s", code);
        return;
    }
    http_reply_json(r, 200, json_pack("{s:s,s:o}", "code", code, "expires_at", api_time(now)));
}
