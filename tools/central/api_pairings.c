/* api_pairings.c: app QR pairing. A device creates a short-lived one-time code and shows it
 * as a QR; it long-polls the pairing, which answers as soon as the member's app claims the
 * code or when the wait (or the code) runs out. The long-poll sleeps on Central.changed,
 * which releases Central.lock, so it never blocks other requests; claim broadcasts it. */
#include "api.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "util.h"

#define PAIRING_CODE_LEN 8

static json_t *pairing_json(Central *c, const char *id_or_code, bool by_code)
{
    sqlite3_stmt *st = NULL;
    json_t *j = NULL;
    time_t now = time(NULL);
    const char *sql = by_code ? "SELECT id,code,device_id,store_id,status,member_id,created_at,"
                                "expires_at,claimed_at FROM pairings WHERE code=?"
                              : "SELECT id,code,device_id,store_id,status,member_id,created_at,"
                                "expires_at,claimed_at FROM pairings WHERE id=?";
    if (db_prepare(c->db, sql, &st) != KIOSK_OK)
        return NULL;
    sqlite3_bind_text(st, 1, id_or_code, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *status = db_text(st, 4);
        time_t expires = (time_t)sqlite3_column_int64(st, 7);
        if (strcmp(status, "pending") == 0 && now >= expires)
            status = "expired"; /* expiry is a matter of time, not of a write */
        char qr[CENTRAL_BASE_MAX + 32];
        snprintf(qr, sizeof qr, "%s/pair/%s", c->base_url, db_text(st, 1));
#define OPT(col)                                                                                   \
    (sqlite3_column_type(st, col) == SQLITE_NULL ? json_null() : json_string(db_text(st, col)))
        j = json_pack("{s:s,s:s,s:s,s:o,s:o,s:s,s:o,s:o,s:o,s:I,s:o}", "id", db_text(st, 0), "code",
                      db_text(st, 1), "qr_text", qr, "device", OPT(2), "store", OPT(3), "status",
                      status, "member", OPT(5), "created_at",
                      api_time((time_t)sqlite3_column_int64(st, 6)), "expires_at",
                      api_time(expires), "expires_in_seconds",
                      (json_int_t)(expires > now ? expires - now : 0), "claimed_at",
                      api_time((time_t)sqlite3_column_int64(st, 8)));
#undef OPT
    }
    sqlite3_finalize(st);
    return j;
}

void api_pairing_create(HttpRequest *req, HttpReply *r)
{
    const char *device = NULL, *store = NULL;
    sqlite3_stmt *st = NULL;
    char id[40] = "pr_", code[PAIRING_CODE_LEN + 1];
    time_t now = time(NULL);
    if (!api_body_id(req, r, "device", false, &device) ||
        !api_body_id(req, r, "store", false, &store))
        return;
    if (store && !api_store_exists(req->c->db, store, NULL)) {
        http_reply_error(r, 422, "unknown_store", "No store %s", store);
        return;
    }
    if (!util_random_hex(12, id + 3) ||
        db_prepare(req->c->db,
                   "INSERT INTO pairings(id,code,device_id,store_id,"
                   "status,created_at,expires_at) VALUES(?,?,?,?,"
                   "'pending',?,?)",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    /* Retry on the (rare) clash with a code still in the table. */
    int rc = SQLITE_CONSTRAINT;
    for (int attempt = 0; attempt < 5 && rc == SQLITE_CONSTRAINT; attempt++) {
        if (!util_random_code(PAIRING_CODE_LEN, code))
            break;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, device, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, store, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)now);
        sqlite3_bind_int64(st, 6, (sqlite3_int64)(now + API_PAIRING_TTL));
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    json_t *p = rc == SQLITE_DONE ? pairing_json(req->c, id, false) : NULL;
    if (!p) {
        api_db_error(r);
        return;
    }
    http_reply_json(r, 201, p);
}

void api_pairing_get(HttpRequest *req, HttpReply *r)
{
    Central *c = req->c;
    const char *wait_text = http_query(req, "wait");
    long wait = 0;
    if (!api_path_id(r, req->seg[2], "pairing"))
        return;
    if (wait_text && *wait_text) {
        char *end = NULL;
        errno = 0;
        wait = strtol(wait_text, &end, 10);
        if (errno || *end || wait < 0 || wait > API_WAIT_MAX) {
            http_reply_error(r, 400, "invalid_parameter", "wait must be 0 to %d seconds",
                             API_WAIT_MAX);
            return;
        }
    }
    double deadline = util_mono_now() + (double)wait;
    for (;;) {
        json_t *p = pairing_json(c, req->seg[2], false);
        if (!p) {
            http_reply_error(r, 404, "pairing_not_found", "No pairing %s", req->seg[2]);
            return;
        }
        const char *status = json_string_value(json_object_get(p, "status"));
        double left = deadline - util_mono_now();
        json_int_t expires_in = json_integer_value(json_object_get(p, "expires_in_seconds"));
        if (strcmp(status, "pending") != 0 || left <= 0 || c->stopping) {
            http_reply_json(r, 200, p);
            return;
        }
        json_decref(p);
        /* Sleep until a claim, the wait's end or the code's expiry, whichever is first. */
        if ((double)expires_in + 0.05 < left)
            left = (double)expires_in + 0.05;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        double t = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + left;
        ts.tv_sec = (time_t)t;
        ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
        pthread_cond_timedwait(&c->changed, &c->lock, &ts);
    }
}

void api_pairing_claim(HttpRequest *req, HttpReply *r)
{
    const char *member = NULL;
    char code[HTTP_SEG_MAX + 1];
    sqlite3_stmt *st = NULL;
    size_t n = strlen(req->seg[2]);
    if (!api_path_id(r, req->seg[2], "pairing") || !api_body_id(req, r, "member", true, &member))
        return;
    for (size_t i = 0; i <= n; i++)
        code[i] = (char)toupper((unsigned char)req->seg[2][i]);
    json_t *p = pairing_json(req->c, code, true);
    if (!p) {
        http_reply_error(r, 404, "pairing_not_found", "No pairing with code %s", code);
        return;
    }
    const char *status = json_string_value(json_object_get(p, "status"));
    const char *claimed_by = json_string_value(json_object_get(p, "member"));
    if (strcmp(status, "expired") == 0) {
        http_reply_error(r, 410, "pairing_expired", "The pairing code has expired");
        goto out;
    }
    if (strcmp(status, "claimed") == 0) {
        if (claimed_by && strcmp(claimed_by, member) == 0)
            http_reply_json(r, 200, json_incref(p)); /* the app retried: same answer */
        else
            http_reply_error(r, 409, "pairing_already_claimed",
                             "The pairing code was already used");
        goto out;
    }
    if (!api_member_exists(req->c->db, member)) {
        http_reply_error(r, 422, "unknown_member", "No member %s", member);
        goto out;
    }
    if (db_prepare(req->c->db,
                   "UPDATE pairings SET status='claimed', member_id=?, claimed_at=? WHERE code=?"
                   " AND status='pending'",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        goto out;
    }
    sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
    sqlite3_bind_text(st, 3, code, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        api_db_error(r);
        goto out;
    }
    pthread_cond_broadcast(&req->c->changed);
    log_info("pairing", "pairing %s claimed", json_string_value(json_object_get(p, "id")));
    http_reply_json(r, 200, pairing_json(req->c, code, true));
out:
    sqlite3_finalize(st);
    json_decref(p);
}
