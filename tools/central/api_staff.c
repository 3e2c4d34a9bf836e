/* api_staff.c: associate mode. Who a staff or technician badge belongs to (the same signed
 * token as a member card, another role), and the stylist notes associates keep on a member
 * at the service so any store sees them. Staff rows are never deleted, only made inactive,
 * so an old note keeps its author. Runs on connection threads with Central.lock held. */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "util.h"

bool api_staff_find(sqlite3 *db, const char *id, ApiStaff *out)
{
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (db_prepare(db, "SELECT id,first_name,last_name,role,store_id,active FROM staff WHERE id=?",
                   &st) != KIOSK_OK)
        return false;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(out->id, sizeof out->id, "%s", db_text(st, 0));
        snprintf(out->first_name, sizeof out->first_name, "%s", db_text(st, 1));
        snprintf(out->last_name, sizeof out->last_name, "%s", db_text(st, 2));
        snprintf(out->role, sizeof out->role, "%s", db_text(st, 3));
        snprintf(out->store, sizeof out->store, "%s", db_text(st, 4));
        out->active = sqlite3_column_int(st, 5) != 0;
        found = true;
    }
    sqlite3_finalize(st);
    return found;
}

bool api_staff_is_associate(sqlite3 *db, const char *id)
{
    ApiStaff s;
    return api_staff_find(db, id, &s) && s.active && strcmp(s.role, "staff") == 0;
}

void api_staff_identify(HttpRequest *req, HttpReply *r)
{
    Token t;
    ApiStaff s;
    char name[2 * API_NAME_MAX + 2];
    if (!api_body_token(req, r, &t))
        return;
    if (t.role != TOKEN_ROLE_STAFF && t.role != TOKEN_ROLE_TECHNICIAN) {
        http_reply_error(r, 403, "not_staff", "This is a %s card, not a staff badge",
                         token_role_name(t.role));
        return;
    }
    /* A badge names one person in one role: a technician's badge saying "staff" (or the
     * reverse) is not theirs, whoever signed it. */
    if (!api_staff_find(req->c->db, t.member_id, &s) ||
        strcmp(s.role, token_role_name(t.role)) != 0) {
        http_reply_error(r, 404, "staff_not_found", "The badge names no known %s",
                         token_role_name(t.role));
        return;
    }
    if (!s.active) {
        log_info("staff", "badge of inactive staff %s refused", s.id);
        http_reply_error(r, 403, "staff_inactive", "The staff member %s is no longer active", s.id);
        return;
    }
    json_t *store = api_store_json(req->c->db, s.store); /* a foreign key: it exists */
    if (!store) {
        api_db_error(r);
        return;
    }
    snprintf(name, sizeof name, "%s %s", s.first_name, s.last_name);
    http_reply_json(r, 200,
                    json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:O}}", "id", s.id, "name", name,
                              "first_name", s.first_name, "role", s.role, "store", "id", s.store,
                              "name", json_object_get(store, "name")));
    json_decref(store);
}

/* --- stylist notes -------------------------------------------------------------------- */

static json_t *note_json(sqlite3 *db, const char *id)
{
    sqlite3_stmt *st = NULL;
    json_t *j = NULL;
    if (db_prepare(db,
                   "SELECT n.id,n.text,n.staff_id,s.first_name || ' ' || s.last_name,n.store_id,"
                   "n.created_at FROM notes n JOIN staff s ON s.id=n.staff_id WHERE n.id=?",
                   &st) != KIOSK_OK)
        return NULL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        j = json_pack("{s:s,s:s,s:{s:s,s:s},s:s,s:o}", "id", db_text(st, 0), "text", db_text(st, 1),
                      "associate", "id", db_text(st, 2), "name", db_text(st, 3), "store",
                      db_text(st, 4), "created_at", api_time((time_t)sqlite3_column_int64(st, 5)));
    sqlite3_finalize(st);
    return j;
}

void api_member_notes(HttpRequest *req, HttpReply *r)
{
    const char *member = req->seg[2], *limit_text = http_query(req, "limit");
    sqlite3_stmt *st = NULL;
    int limit = API_NOTES_DEFAULT;
    if (!api_path_id(r, member, "member"))
        return;
    if (limit_text && *limit_text) {
        char *end = NULL;
        long v = strtol(limit_text, &end, 10);
        if (*end || v < 1 || v > API_NOTES_MAX) {
            http_reply_error(r, 400, "invalid_parameter", "limit must be 1 to %d", API_NOTES_MAX);
            return;
        }
        limit = (int)v;
    }
    if (!api_member_exists(req->c->db, member)) {
        http_reply_error(r, 404, "member_not_found", "No member %s", member);
        return;
    }
    if (db_prepare(req->c->db,
                   "SELECT id FROM notes WHERE member_id=? ORDER BY created_at DESC, id DESC"
                   " LIMIT ?",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, limit);
    json_t *list = json_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *n = note_json(req->c->db, db_text(st, 0));
        if (n)
            json_array_append_new(list, n);
    }
    sqlite3_finalize(st);
    http_reply_json(r, 200, json_pack("{s:s,s:o}", "member", member, "notes", list));
}

void api_member_note_add(HttpRequest *req, HttpReply *r)
{
    const char *member = req->seg[2], *associate = NULL, *store = NULL, *text = NULL;
    sqlite3_stmt *st = NULL;
    int64_t seq = 0;
    char id[24];
    if (!api_path_id(r, member, "member") || !api_body_id(req, r, "associate", true, &associate) ||
        !api_body_id(req, r, "store", true, &store) ||
        !api_body_string(req, r, "text", true, API_NOTE_MAX, &text))
        return;
    if (!util_valid_text(text) || !util_has_content(text)) {
        http_reply_error(r, 400, "invalid_field",
                         "The field \"text\" must be 1 to %d bytes of UTF-8 text, not blank",
                         API_NOTE_MAX);
        return;
    }
    if (!api_member_exists(req->c->db, member)) {
        http_reply_error(r, 404, "member_not_found", "No member %s", member);
        return;
    }
    if (!api_store_exists(req->c->db, store, NULL)) {
        http_reply_error(r, 404, "store_not_found", "No store %s", store);
        return;
    }
    if (!api_staff_is_associate(req->c->db, associate)) {
        http_reply_error(r, 422, "unknown_associate", "%s is not an active associate", associate);
        return;
    }
    if (db_next_seq(req->c->db, "note", &seq) != KIOSK_OK ||
        db_prepare(req->c->db,
                   "INSERT INTO notes(id,member_id,staff_id,store_id,text,created_at)"
                   " VALUES(?,?,?,?,?,?)",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    snprintf(id, sizeof id, "N%06lld", (long long)seq);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, member, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, associate, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, store, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    json_t *j = rc == SQLITE_DONE ? note_json(req->c->db, id) : NULL;
    if (!j) {
        api_db_error(r);
        return;
    }
    log_info("staff", "note %s on %s by %s at %s", id, member, associate, store);
    http_reply_json(r, 201, j);
}
