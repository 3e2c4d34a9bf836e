/* api_store.c: the shop floor's own resources: fitting-room size requests (a mirror asks,
 * an associate answers requested -> on_its_way | unavailable). The device fleet is
 * api_devices.c. Runs on connection threads with Central.lock held. */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "util.h"

#define FITTING_LIST_MAX 100 /* requests returned by one list call */
#define ROOM_MAX         32  /* bytes of a fitting-room name */

static json_t *fitting_json(sqlite3 *db, const char *id)
{
    sqlite3_stmt *st = NULL;
    json_t *j = NULL;
    if (db_prepare(db,
                   "SELECT f.id,f.store_id,f.device_id,f.room,f.variant_id,f.member_id,f.status,"
                   "f.associate,f.note,f.created_at,f.updated_at,v.size,v.colour,v.product_id,"
                   "p.name,(SELECT qty FROM stock s WHERE s.variant_id=f.variant_id AND"
                   " s.store_id=f.store_id) FROM fitting_requests f JOIN variants v ON"
                   " v.id=f.variant_id JOIN products p ON p.id=v.product_id WHERE f.id=?",
                   &st) != KIOSK_OK)
        return NULL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
#define OPT(col)                                                                                   \
    (sqlite3_column_type(st, col) == SQLITE_NULL ? json_null() : json_string(db_text(st, col)))
        j = json_pack("{s:s,s:s,s:o,s:s,s:{s:s,s:s,s:s,s:s,s:s},s:i,s:o,s:s,s:o,s:o,s:o,s:o}", "id",
                      db_text(st, 0), "store", db_text(st, 1), "device", OPT(2), "room",
                      db_text(st, 3), "variant", "id", db_text(st, 4), "product_id",
                      db_text(st, 13), "name", db_text(st, 14), "size", db_text(st, 11), "colour",
                      db_text(st, 12), "qty_here", sqlite3_column_int(st, 15), "member", OPT(5),
                      "status", db_text(st, 6), "associate", OPT(7), "note", OPT(8), "created_at",
                      api_time((time_t)sqlite3_column_int64(st, 9)), "updated_at",
                      api_time((time_t)sqlite3_column_int64(st, 10)));
#undef OPT
    }
    sqlite3_finalize(st);
    return j;
}

void api_fitting_create(HttpRequest *req, HttpReply *r)
{
    const char *store = NULL, *device = NULL, *room = NULL, *variant = NULL, *member = NULL,
               *note = NULL;
    char kind[8] = "", id[24];
    sqlite3_stmt *st = NULL;
    int64_t seq = 0;
    time_t now = time(NULL);
    if (!api_body_id(req, r, "store", true, &store) ||
        !api_body_id(req, r, "device", false, &device) ||
        !api_body_string(req, r, "room", true, ROOM_MAX, &room) ||
        !api_body_id(req, r, "variant", true, &variant) ||
        !api_body_id(req, r, "member", false, &member) ||
        !api_body_string(req, r, "note", false, API_TEXT_MAX, &note))
        return;
    if (!api_store_exists(req->c->db, store, kind) || strcmp(kind, "store") != 0) {
        http_reply_error(r, 422, "unknown_store", "No shop %s", store);
        return;
    }
    if (member && !api_member_exists(req->c->db, member)) {
        http_reply_error(r, 422, "unknown_member", "No member %s", member);
        return;
    }
    if (db_prepare(req->c->db, "SELECT 1 FROM variants WHERE id=?", &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    sqlite3_bind_text(st, 1, variant, -1, SQLITE_STATIC);
    bool known = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    st = NULL;
    if (!known) {
        http_reply_error(r, 422, "unknown_variant", "No variant %s", variant);
        return;
    }
    if (db_next_seq(req->c->db, "fitting", &seq) != KIOSK_OK ||
        db_prepare(req->c->db,
                   "INSERT INTO fitting_requests(id,store_id,device_id,room,variant_id,member_id,"
                   "status,note,created_at,updated_at) VALUES(?,?,?,?,?,?,'requested',?,?,?)",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    snprintf(id, sizeof id, "FR%06lld", (long long)seq);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, store, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, room, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, variant, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, member, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, note, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)now);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)now);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    json_t *j = rc == SQLITE_DONE ? fitting_json(req->c->db, id) : NULL;
    if (!j) {
        api_db_error(r);
        return;
    }
    http_reply_json(r, 201, j);
}

static bool valid_status(const char *s)
{
    return strcmp(s, "requested") == 0 || strcmp(s, "on_its_way") == 0 ||
           strcmp(s, "unavailable") == 0;
}

void api_fitting_list(HttpRequest *req, HttpReply *r)
{
    const char *store = NULL, *status = http_query(req, "status");
    sqlite3_stmt *st = NULL;
    if (!api_query_id(req, r, "store", true, &store))
        return;
    if (status && *status && !valid_status(status)) {
        http_reply_error(r, 400, "invalid_parameter",
                         "status must be requested, on_its_way or unavailable");
        return;
    }
    if (!api_store_exists(req->c->db, store, NULL)) {
        http_reply_error(r, 404, "store_not_found", "No store %s", store);
        return;
    }
    if (db_prepare(req->c->db,
                   "SELECT id FROM fitting_requests WHERE store_id=? AND (?2='' OR status=?2)"
                   " ORDER BY created_at DESC, id DESC LIMIT ?3",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    sqlite3_bind_text(st, 1, store, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, status ? status : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, FITTING_LIST_MAX);
    json_t *list = json_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *j = fitting_json(req->c->db, db_text(st, 0));
        if (j)
            json_array_append_new(list, j);
    }
    sqlite3_finalize(st);
    http_reply_json(r, 200, json_pack("{s:s,s:o}", "store", store, "requests", list));
}

void api_fitting_get(HttpRequest *req, HttpReply *r)
{
    if (!api_path_id(r, req->seg[2], "fitting request"))
        return;
    json_t *j = fitting_json(req->c->db, req->seg[2]);
    if (!j) {
        http_reply_error(r, 404, "fitting_request_not_found", "No fitting request %s", req->seg[2]);
        return;
    }
    http_reply_json(r, 200, j);
}

void api_fitting_status(HttpRequest *req, HttpReply *r)
{
    const char *status = NULL, *associate = NULL, *note = NULL;
    sqlite3_stmt *st = NULL;
    if (!api_path_id(r, req->seg[2], "fitting request") ||
        !api_body_string(req, r, "status", true, 16, &status) ||
        !api_body_id(req, r, "associate", false, &associate) ||
        !api_body_string(req, r, "note", false, API_TEXT_MAX, &note))
        return;
    if (!valid_status(status)) {
        http_reply_error(r, 400, "invalid_field",
                         "status must be requested, on_its_way or unavailable");
        return;
    }
    json_t *cur = fitting_json(req->c->db, req->seg[2]);
    if (!cur) {
        http_reply_error(r, 404, "fitting_request_not_found", "No fitting request %s", req->seg[2]);
        return;
    }
    const char *from = json_string_value(json_object_get(cur, "status"));
    /* requested -> on_its_way | unavailable; on_its_way -> unavailable. Repeating the
     * current status is a no-op, so an associate's double tap is harmless. */
    bool ok = strcmp(from, status) == 0 ||
              (strcmp(from, "requested") == 0 && strcmp(status, "requested") != 0) ||
              (strcmp(from, "on_its_way") == 0 && strcmp(status, "unavailable") == 0);
    if (!ok) {
        http_reply_error(r, 409, "invalid_transition", "A request that is %s cannot become %s",
                         from, status);
        json_decref(cur);
        return;
    }
    json_decref(cur);
    if (db_prepare(req->c->db,
                   "UPDATE fitting_requests SET status=?, associate=COALESCE(?, associate),"
                   " note=COALESCE(?, note), updated_at=? WHERE id=?",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, associate, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, note, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
    sqlite3_bind_text(st, 5, req->seg[2], -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        api_db_error(r);
        return;
    }
    http_reply_json(r, 200, fitting_json(req->c->db, req->seg[2]));
}
