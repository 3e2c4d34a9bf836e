/* api_devices.c: the device fleet. An operator makes a one-time enrollment code at the device
 * console; a new device sends it with a CSR and gets its client certificate (CN = its
 * device id) from the device CA; from then on, with --client-ca, every device call proves
 * the device with that certificate (api_device_auth), renewal swaps it for a new one, and
 * revocation shuts it out. Heartbeats bring back the store's device configuration (its
 * version and the service PIN record) and the operator's queued commands. Operator calls
 * (codes, PIN, revoke, commands, the fleet view) go through api_admin_auth.
 * Runs on connection threads with Central.lock held. */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "log.h"
#include "pin.h"
#include "pki.h"
#include "util.h"

#define HEARTBEAT_SECONDS      60
#define HEARTBEAT_STATUS_MAX   4096 /* bytes of device status kept per heartbeat */
#define VERSION_MAX            32
#define KIND_MAX               16
#define CODE_CHARS             8     /* an enrollment code, shown as XXXX-XXXX */
#define CODE_INPUT_MAX         32    /* bytes of a code as typed or scanned */
#define CODE_TTL               1800  /* an enrollment code lives this long, seconds */
#define CODE_KEEP              86400 /* expired codes are purged this long after */
#define COMMAND_MAX            16
#define COMMANDS_PENDING_MAX   32 /* undelivered commands one device may have */
#define COMMANDS_PER_HEARTBEAT 16
#define RENEW_FRACTION         3 /* renew in the last third of a certificate's validity */
#define DEVICE_ID_SIZE         24
#define SCREENSHOT_SIDE_MAX    8192 /* pixels: wider or taller is no screen of ours */

/* --- rows ------------------------------------------------------------------------------ */

typedef struct DeviceRow {
    char id[DEVICE_ID_SIZE];
    char store[UTIL_ID_MAX + 1];
    char cert_serial[PKI_SERIAL_HEX_MAX + 1];
    time_t cert_expires_at, revoked_at; /* 0: none */
} DeviceRow;

/* KIOSK_OK with *out filled, KIOSK_E_NOTFOUND, or KIOSK_E_IO (logged). */
static KioskErr device_find(sqlite3 *db, const char *id, DeviceRow *out)
{
    sqlite3_stmt *st = NULL;
    KioskErr err = db_prepare(db,
                              "SELECT id,store_id,cert_serial,cert_expires_at,revoked_at"
                              " FROM devices WHERE id=?",
                              &st);
    if (err != KIOSK_OK)
        return err;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(out->id, sizeof out->id, "%s", db_text(st, 0));
        snprintf(out->store, sizeof out->store, "%s", db_text(st, 1));
        snprintf(out->cert_serial, sizeof out->cert_serial, "%s", db_text(st, 2));
        out->cert_expires_at = (time_t)sqlite3_column_int64(st, 3);
        out->revoked_at = (time_t)sqlite3_column_int64(st, 4);
    }
    err = rc == SQLITE_ROW ? KIOSK_OK : rc == SQLITE_DONE ? KIOSK_E_NOTFOUND : KIOSK_E_IO;
    sqlite3_finalize(st);
    return err;
}

/* The store's device configuration: every device of the store gets the same. NULL if the
 * database cannot be read. */
static json_t *device_config(sqlite3 *db, const char *store)
{
    sqlite3_stmt *st = NULL;
    json_t *pin = json_null();
    long long version = 0;
    if (db_prepare(db,
                   "SELECT version,pin_salt,pin_hash,pin_iterations FROM store_config"
                   " WHERE store_id=?",
                   &st) != KIOSK_OK) {
        json_decref(pin);
        return NULL;
    }
    sqlite3_bind_text(st, 1, store, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        version = sqlite3_column_int64(st, 0);
        if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
            json_decref(pin);
            pin = json_pack("{s:s,s:I,s:s,s:s}", "algorithm", PIN_ALGORITHM, "iterations",
                            (json_int_t)sqlite3_column_int64(st, 3), "salt", db_text(st, 1), "hash",
                            db_text(st, 2));
        }
    }
    sqlite3_finalize(st);
    /* No PIN, no default: devices refuse service mode until the store has one. */
    return json_pack("{s:i,s:i,s:i,s:i,s:s,s:I,s:o}", "heartbeat_seconds", HEARTBEAT_SECONDS,
                     "catalog_sync_seconds", 900, "stock_refresh_seconds", 120, "idle_seconds", 90,
                     "api_version", "v1", "config_version", (json_int_t)version, "service_pin",
                     pin ? pin : json_null());
}

static json_t *device_json(sqlite3 *db, const char *id, time_t now)
{
    sqlite3_stmt *st = NULL;
    json_t *j = NULL;
    if (db_prepare(db,
                   "SELECT id,serial,store_id,kind,name,version,enrolled_at,last_seen,status,"
                   "cert_expires_at,revoked_at FROM devices WHERE id=?",
                   &st) != KIOSK_OK)
        return NULL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        time_t seen = (time_t)sqlite3_column_int64(st, 7);
        time_t revoked = (time_t)sqlite3_column_int64(st, 10);
        json_t *status =
            sqlite3_column_type(st, 8) == SQLITE_NULL ? NULL : json_loads(db_text(st, 8), 0, NULL);
        j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:b,s:o,s:b,s:o,s:o}", "id", db_text(st, 0),
                      "serial", db_text(st, 1), "store", db_text(st, 2), "kind", db_text(st, 3),
                      "name", db_text(st, 4), "version", db_text(st, 5), "enrolled_at",
                      api_time((time_t)sqlite3_column_int64(st, 6)), "last_seen", api_time(seen),
                      "healthy", !revoked && seen && now - seen <= 3 * HEARTBEAT_SECONDS, "status",
                      status ? status : json_null(), "revoked", revoked != 0, "revoked_at",
                      api_time(revoked), "cert_expires_at",
                      api_time((time_t)sqlite3_column_int64(st, 9)));
    }
    sqlite3_finalize(st);
    return j;
}

/* --- identity -------------------------------------------------------------------------- */

bool api_device_auth(HttpRequest *req, HttpReply *r)
{
    DeviceRow d;
    req->device_id[0] = '\0';
    if (!req->c->require_client_cert)
        return true;
    if (!req->client_cert_ok) {
        http_reply_error(r, 401, "client_certificate_required",
                         "Device calls need the client certificate issued at enrollment");
        return false;
    }
    /* Only the device CA's certificates name devices: another trusted CA (an operator's)
     * could put any CN in a certificate. */
    KioskErr err = KIOSK_E_NOTFOUND;
    if (req->cert_from_device_ca && api_device_id_form(req->cert_cn))
        err = device_find(req->c->db, req->cert_cn, &d);
    if (err == KIOSK_E_IO) {
        api_db_error(r);
        return false;
    }
    if (err != KIOSK_OK) {
        http_reply_error(r, 401, "device_unknown", "The certificate names no enrolled device");
        return false;
    }
    if (d.revoked_at) {
        http_reply_error(r, 401, "device_revoked", "Device %s was revoked; enroll it again", d.id);
        return false;
    }
    if (strcmp(d.cert_serial, req->cert_serial) != 0) {
        http_reply_error(r, 401, "certificate_superseded",
                         "This certificate of %s was replaced by a newer one", d.id);
        return false;
    }
    snprintf(req->device_id, sizeof req->device_id, "%s", d.id);
    return true;
}

/* The device named in the path: an identifier, a caller allowed to make device calls, and
 * in mutual-TLS mode the device the certificate proves. */
static bool path_device(HttpRequest *req, HttpReply *r, const char *seg)
{
    if (!api_path_id(r, seg, "device") || !api_device_auth(req, r))
        return false;
    if (req->device_id[0] && strcmp(req->device_id, seg) != 0) {
        http_reply_error(r, 403, "wrong_device", "This certificate is %s's, not %s's",
                         req->device_id, seg);
        return false;
    }
    return true;
}

/* The device of a device call's path (req->seg[2]), enrolled and not revoked, in *d; false
 * with the reply set otherwise. Development mode has no certificate to refuse, but a revoked
 * device is still shut out. */
static bool device_live(HttpRequest *req, HttpReply *r, DeviceRow *d)
{
    KioskErr err = device_find(req->c->db, req->seg[2], d);
    if (err == KIOSK_E_NOTFOUND)
        http_reply_error(r, 404, "device_not_found", "No device %s; enroll first", req->seg[2]);
    else if (err != KIOSK_OK)
        api_db_error(r);
    else if (d->revoked_at)
        http_reply_error(r, 401, "device_revoked", "Device %s was revoked; enroll it again", d->id);
    return err == KIOSK_OK && !d->revoked_at;
}

/* --- field helpers --------------------------------------------------------------------- */

static bool valid_kind(const char *kind)
{
    return strcmp(kind, "kiosk") == 0 || strcmp(kind, "mirror") == 0;
}

/* A required PEM text member: a string of printable ASCII and line breaks, at most
 * PKI_CSR_MAX bytes. 400 invalid_csr otherwise (missing_field when absent). */
static bool body_pem(const HttpRequest *req, HttpReply *r, const char *key, const char **out)
{
    json_t *v = json_object_get(req->json, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        http_reply_error(r, 400, "missing_field", "The field \"%s\" is required", key);
        return false;
    }
    const char *s = json_string_value(v);
    bool ok = s && json_string_length(v) == strlen(s) && strlen(s) <= PKI_CSR_MAX;
    for (const char *p = s; ok && *p; p++)
        ok = (*p >= 0x20 && *p < 0x7f) || *p == '\n' || *p == '\r';
    if (!ok) {
        http_reply_error(r, 400, "invalid_csr",
                         "\"%s\" must be a PEM certificate request of at most %d bytes", key,
                         PKI_CSR_MAX);
        return false;
    }
    *out = s;
    return true;
}

/* The canonical form of a code as typed or scanned: the QR's "ENROLL:" dropped, dashes and
 * spaces dropped, upper case. False unless CODE_CHARS characters of the alphabet remain. */
static bool code_canonical(const char *in, char out[CODE_CHARS + 1])
{
    size_t n = 0, prefix = strlen(API_CODE_QR_PREFIX);
    if (strncasecmp(in, API_CODE_QR_PREFIX, prefix) == 0)
        in += prefix;
    for (; *in; in++) {
        char c = *in >= 'a' && *in <= 'z' ? (char)(*in - 'a' + 'A') : *in;
        if (c == '-' || c == ' ')
            continue;
        if (n == CODE_CHARS || !util_code_char(c))
            return false;
        out[n++] = c;
    }
    out[n] = '\0';
    return n == CODE_CHARS;
}

static void code_shown(const char *code, char out[API_CODE_SHOWN])
{
    snprintf(out, API_CODE_SHOWN, "%.4s-%.4s", code, code + 4);
}

typedef struct CodeRow {
    char store[UTIL_ID_MAX + 1];
    char kind[KIND_MAX];
    time_t expires_at;
    bool used;
} CodeRow;

/* Looks a canonical code up by its hash: KIOSK_OK, KIOSK_E_NOTFOUND or KIOSK_E_IO. */
static KioskErr code_find(sqlite3 *db, const char *code, char hash[PKI_SHA256_HEX], CodeRow *out)
{
    sqlite3_stmt *st = NULL;
    if (!pki_sha256_hex(code, strlen(code), hash))
        return KIOSK_E_IO;
    KioskErr err = db_prepare(
        db, "SELECT store_id,kind,expires_at,used_at FROM enrollment_codes WHERE hash=?", &st);
    if (err != KIOSK_OK)
        return err;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(out->store, sizeof out->store, "%s", db_text(st, 0));
        snprintf(out->kind, sizeof out->kind, "%s", db_text(st, 1));
        out->expires_at = (time_t)sqlite3_column_int64(st, 2);
        out->used = sqlite3_column_type(st, 3) != SQLITE_NULL;
    }
    err = rc == SQLITE_ROW ? KIOSK_OK : rc == SQLITE_DONE ? KIOSK_E_NOTFOUND : KIOSK_E_IO;
    sqlite3_finalize(st);
    return err;
}

bool api_enrollment_code_live(sqlite3 *db, const char *text, char shown[API_CODE_SHOWN])
{
    char code[CODE_CHARS + 1], hash[PKI_SHA256_HEX];
    CodeRow row;
    if (!code_canonical(text, code) || code_find(db, code, hash, &row) != KIOSK_OK || row.used ||
        row.expires_at <= time(NULL))
        return false;
    code_shown(code, shown);
    return true;
}

/* --- enrollment ------------------------------------------------------------------------ */

void api_admin_enrollment_code(HttpRequest *req, HttpReply *r)
{
    const char *store = NULL, *kind = NULL;
    char store_kind[8] = "", code[CODE_CHARS + 1], hash[PKI_SHA256_HEX], shown[API_CODE_SHOWN];
    char qr[sizeof API_CODE_QR_PREFIX + API_CODE_SHOWN], png[64];
    sqlite3_stmt *st = NULL;
    time_t now = time(NULL);
    if (!api_admin_auth(req, r) || !api_body_id(req, r, "store", true, &store) ||
        !api_body_string(req, r, "kind", true, KIND_MAX, &kind))
        return;
    if (!valid_kind(kind)) {
        http_reply_error(r, 400, "invalid_field", "kind must be kiosk or mirror");
        return;
    }
    if (!api_store_exists(req->c->db, store, store_kind) || strcmp(store_kind, "store") != 0) {
        http_reply_error(r, 422, "unknown_store", "No shop %s", store);
        return;
    }
    if (!req->c->device_ca) {
        http_reply_error(r, 503, "enrollment_unavailable",
                         "This service issues no device certificates (no device CA)");
        return;
    }
    if (db_prepare(req->c->db, "DELETE FROM enrollment_codes WHERE expires_at<?", &st) !=
        KIOSK_OK) {
        api_db_error(r);
        return;
    }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)(now - CODE_KEEP));
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (db_prepare(req->c->db,
                   "INSERT INTO enrollment_codes(hash,store_id,kind,created_at,expires_at)"
                   " VALUES(?,?,?,?,?)",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    /* Retry on the (rare) clash with a code still in the table. */
    int rc = SQLITE_CONSTRAINT;
    for (int attempt = 0; attempt < 5 && rc == SQLITE_CONSTRAINT; attempt++) {
        if (!util_random_code(CODE_CHARS, code) || !pki_sha256_hex(code, CODE_CHARS, hash))
            break;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, store, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)(now + CODE_TTL));
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        api_db_error(r);
        return;
    }
    code_shown(code, shown);
    snprintf(qr, sizeof qr, "%s%s", API_CODE_QR_PREFIX, shown);
    snprintf(png, sizeof png, "/console/codes/%s.png", shown);
    /* The code itself is a credential for 30 minutes: it is never logged. */
    log_info("devices", "enrollment code made for a %s at %s", kind, store);
    http_reply_json(r, 201,
                    json_pack("{s:s,s:s,s:s,s:o,s:s,s:s}", "code", shown, "store", store, "kind",
                              kind, "expires_at", api_time(now + CODE_TTL), "qr", qr, "qr_png",
                              png));
}

void api_admin_enrollment_code_expire(HttpRequest *req, HttpReply *r)
{
    char code[CODE_CHARS + 1], hash[PKI_SHA256_HEX], shown[API_CODE_SHOWN];
    sqlite3_stmt *st = NULL;
    time_t now = time(NULL);
    if (!api_admin_auth(req, r))
        return;
    if (!code_canonical(req->seg[3], code) || !pki_sha256_hex(code, CODE_CHARS, hash)) {
        http_reply_error(r, 404, "enrollment_code_not_found", "No such enrollment code");
        return;
    }
    if (db_prepare(req->c->db,
                   "UPDATE enrollment_codes SET expires_at=MIN(expires_at, ?) WHERE hash=?",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
    sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        api_db_error(r);
        return;
    }
    if (sqlite3_changes(req->c->db) == 0) {
        http_reply_error(r, 404, "enrollment_code_not_found", "No such enrollment code");
        return;
    }
    code_shown(code, shown);
    http_reply_json(r, 200, json_pack("{s:s,s:o}", "code", shown, "expires_at", api_time(now)));
}

/* The device id of a serial enrolled before into id; KIOSK_E_NOTFOUND if it is new. */
static KioskErr device_by_serial(sqlite3 *db, const char *serial, char id[DEVICE_ID_SIZE])
{
    sqlite3_stmt *st = NULL;
    KioskErr err = db_prepare(db, "SELECT id FROM devices WHERE serial=?", &st);
    if (err != KIOSK_OK)
        return err;
    sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(id, DEVICE_ID_SIZE, "%s", db_text(st, 0));
    err = rc == SQLITE_ROW ? KIOSK_OK : rc == SQLITE_DONE ? KIOSK_E_NOTFOUND : KIOSK_E_IO;
    sqlite3_finalize(st);
    return err;
}

/* Runs one prepared-and-bound statement to completion. */
static KioskErr step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? KIOSK_OK : KIOSK_E_IO;
}

/* Writes the enrolled (or re-enrolled) device with its new certificate, forgets what was
 * queued for its previous life, and uses up the code. Inside the caller's transaction. */
static KioskErr save_enrollment(HttpRequest *req, const char *id, const char *serial,
                                const CodeRow *code, const char *hash, const PkiIssued *cert,
                                time_t now)
{
    sqlite3 *db = req->c->db;
    sqlite3_stmt *st = NULL;
    const char *kind = json_string_value(json_object_get(req->json, "kind"));
    const char *name = json_string_value(json_object_get(req->json, "name"));
    const char *version = json_string_value(json_object_get(req->json, "version"));
    char default_name[96];
    snprintf(default_name, sizeof default_name, "%s %s", kind, serial);
    KioskErr err = db_prepare(
        db,
        "INSERT INTO devices(id,serial,store_id,kind,name,version,enrolled_at,cert_serial,"
        "cert_expires_at,revoked_at) VALUES(?1,?2,?3,?4,COALESCE(?5,?6),COALESCE(?7,'unknown'),"
        "?8,?9,?10,NULL) ON CONFLICT(id) DO UPDATE SET store_id=?3, kind=?4,"
        " name=COALESCE(?5, name), version=COALESCE(?7, version), enrolled_at=?8,"
        " cert_serial=?9, cert_expires_at=?10, revoked_at=NULL",
        &st);
    if (err != KIOSK_OK)
        return err;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, serial, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, code->store, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, default_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, version, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)now);
    sqlite3_bind_text(st, 9, cert->serial, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, (sqlite3_int64)cert->not_after);
    err = step_done(st);
    /* A device enrolled again starts afresh: nothing queued, nothing seen of its last life. */
    if (err == KIOSK_OK)
        err = db_prepare(
            db, "DELETE FROM device_commands WHERE device_id=? AND delivered_at IS NULL", &st);
    if (err == KIOSK_OK) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        err = step_done(st);
    }
    if (err == KIOSK_OK)
        err = db_prepare(db, "DELETE FROM device_screenshots WHERE device_id=?", &st);
    if (err == KIOSK_OK) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        err = step_done(st);
    }
    if (err == KIOSK_OK)
        err = db_prepare(db,
                         "UPDATE enrollment_codes SET used_at=?, device_id=? WHERE hash=?"
                         " AND used_at IS NULL",
                         &st);
    if (err == KIOSK_OK) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
        err = step_done(st);
    }
    if (err == KIOSK_OK && sqlite3_changes(db) != 1)
        err = KIOSK_E_STATE; /* used meanwhile: cannot happen under Central.lock */
    return err;
}

void api_device_enroll(HttpRequest *req, HttpReply *r)
{
    const char *serial = NULL, *code_text = NULL, *csr = NULL, *kind = NULL, *name = NULL,
               *version = NULL, *why = NULL;
    char code[CODE_CHARS + 1], hash[PKI_SHA256_HEX], id[DEVICE_ID_SIZE] = "";
    CodeRow row;
    PkiIssued cert = {0};
    time_t now = time(NULL);
    bool existing = false, begun = false;
    KioskErr err = KIOSK_OK;
    json_t *reply = NULL;
    if (!api_body_id(req, r, "serial", true, &serial) ||
        !api_body_string(req, r, "code", true, CODE_INPUT_MAX, &code_text) ||
        !body_pem(req, r, "csr", &csr) || !api_body_string(req, r, "kind", true, KIND_MAX, &kind) ||
        !api_body_string(req, r, "name", false, API_TEXT_MAX, &name) ||
        !api_body_string(req, r, "version", false, VERSION_MAX, &version))
        return;
    if (!valid_kind(kind)) {
        http_reply_error(r, 400, "invalid_field", "kind must be kiosk or mirror");
        return;
    }
    if (!req->c->device_ca) {
        http_reply_error(r, 503, "enrollment_unavailable",
                         "This service issues no device certificates (no device CA)");
        return;
    }
    err = code_canonical(code_text, code) ? code_find(req->c->db, code, hash, &row)
                                          : KIOSK_E_NOTFOUND;
    if (err == KIOSK_E_IO) {
        api_db_error(r);
        return;
    }
    if (err != KIOSK_OK || row.used || row.expires_at <= now) {
        http_reply_error(r, 403, "enrollment_code_invalid",
                         "The enrollment code is unknown, used or expired");
        return;
    }
    if (strcmp(row.kind, kind) != 0) {
        http_reply_error(r, 403, "enrollment_code_other_kind", "This enrollment code is for a %s",
                         row.kind);
        return;
    }
    if (!pki_csr_check(csr, &why)) {
        http_reply_error(r, 400, "invalid_csr", "The certificate request is refused: %s", why);
        return;
    }
    err = db_exec(req->c->db, "BEGIN IMMEDIATE");
    if (err != KIOSK_OK)
        goto out;
    begun = true;
    err = device_by_serial(req->c->db, serial, id);
    if (err == KIOSK_OK) {
        existing = true; /* re-enrollment (factory reset, moved store, revoked) keeps the id */
    } else if (err == KIOSK_E_NOTFOUND) {
        int64_t seq = 0;
        err = db_next_seq(req->c->db, "device", &seq);
        snprintf(id, sizeof id, "D%06lld", (long long)seq);
    }
    if (err == KIOSK_OK)
        err = pki_issue(req->c->device_ca, csr, id, now, req->c->device_cert_days, &cert);
    if (err == KIOSK_OK)
        err = save_enrollment(req, id, serial, &row, hash, &cert, now);
    if (err == KIOSK_OK)
        err = db_exec(req->c->db, "COMMIT");
    if (err != KIOSK_OK)
        goto out;
    begun = false;
    reply = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:s}", "device_id", id, "serial", serial,
                      "store", row.store, "kind", kind, "certificate", cert.pem, "expires_at",
                      api_time(cert.not_after), "config", device_config(req->c->db, row.store),
                      "auth", req->c->require_client_cert ? "client_certificate" : "development");
    if (reply && req->c->tls_ca_pem)
        json_object_set_new(reply, "ca_certificate", json_string(req->c->tls_ca_pem));
    if (!reply) {
        err = KIOSK_E_IO;
        goto out;
    }
    log_info("devices", "device %s (%s) %s at %s, certificate %s until %lld", id, kind,
             existing ? "re-enrolled" : "enrolled", row.store, cert.serial,
             (long long)cert.not_after);
    http_reply_json(r, existing ? 200 : 201, reply);
out:
    if (begun)
        db_exec(req->c->db, "ROLLBACK");
    if (err != KIOSK_OK)
        api_db_error(r);
    free(cert.pem);
}

void api_device_certificate(HttpRequest *req, HttpReply *r)
{
    const char *csr = NULL, *why = NULL;
    PkiIssued cert = {0};
    sqlite3_stmt *st = NULL;
    time_t now = time(NULL);
    if (!path_device(req, r, req->seg[2]) || !body_pem(req, r, "csr", &csr))
        return;
    if (!req->c->device_ca) {
        http_reply_error(r, 503, "enrollment_unavailable",
                         "This service issues no device certificates (no device CA)");
        return;
    }
    /* Without mutual TLS nothing proves who asks: renewal would hand anyone a device's
     * certificate for their own key. */
    if (!req->c->require_client_cert) {
        http_reply_error(r, 403, "mutual_tls_required",
                         "Certificates are renewed only in mutual-TLS mode; enroll again");
        return;
    }
    if (!pki_csr_check(csr, &why)) {
        http_reply_error(r, 400, "invalid_csr", "The certificate request is refused: %s", why);
        return;
    }
    if (pki_issue(req->c->device_ca, csr, req->device_id, now, req->c->device_cert_days, &cert) !=
            KIOSK_OK ||
        db_prepare(req->c->db,
                   "UPDATE devices SET cert_serial=?, cert_expires_at=? WHERE id=?"
                   " AND revoked_at IS NULL",
                   &st) != KIOSK_OK) {
        free(cert.pem);
        api_db_error(r);
        return;
    }
    sqlite3_bind_text(st, 1, cert.serial, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)cert.not_after);
    sqlite3_bind_text(st, 3, req->device_id, -1, SQLITE_STATIC);
    if (step_done(st) != KIOSK_OK || sqlite3_changes(req->c->db) != 1) {
        free(cert.pem);
        api_db_error(r);
        return;
    }
    log_info("devices", "device %s renewed its certificate: %s until %lld", req->device_id,
             cert.serial, (long long)cert.not_after);
    json_t *reply = json_pack("{s:s,s:s,s:o}", "device_id", req->device_id, "certificate", cert.pem,
                              "expires_at", api_time(cert.not_after));
    if (reply && req->c->tls_ca_pem)
        json_object_set_new(reply, "ca_certificate", json_string(req->c->tls_ca_pem));
    free(cert.pem);
    http_reply_json(r, 200, reply);
}

/* --- heartbeat ------------------------------------------------------------------------- */

/* The device's undelivered commands, oldest first (at most COMMANDS_PER_HEARTBEAT), appended
 * to list as {id, command} and marked delivered: each goes out once. */
static KioskErr take_commands(sqlite3 *db, const char *device, time_t now, json_t *list)
{
    sqlite3_stmt *st = NULL;
    KioskErr err = db_prepare(db,
                              "SELECT id,command FROM device_commands WHERE device_id=? AND"
                              " delivered_at IS NULL ORDER BY rowid LIMIT ?",
                              &st);
    if (err != KIOSK_OK)
        return err;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, COMMANDS_PER_HEARTBEAT);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(
            list, json_pack("{s:s,s:s}", "id", db_text(st, 0), "command", db_text(st, 1)));
    sqlite3_finalize(st);
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        if (err == KIOSK_OK)
            err = db_prepare(db, "UPDATE device_commands SET delivered_at=? WHERE id=?", &st);
        if (err != KIOSK_OK)
            break;
        sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
        sqlite3_bind_text(st, 2, json_string_value(json_object_get(c, "id")), -1, SQLITE_STATIC);
        err = step_done(st);
    }
    return err;
}

void api_device_heartbeat(HttpRequest *req, HttpReply *r)
{
    sqlite3_stmt *st = NULL;
    time_t now = time(NULL);
    const char *version = NULL;
    char *status = NULL;
    DeviceRow d;
    json_t *commands = NULL, *config = NULL;
    bool begun = false;
    KioskErr err = KIOSK_OK;
    if (!path_device(req, r, req->seg[2]) ||
        !api_body_string(req, r, "version", false, VERSION_MAX, &version) ||
        !device_live(req, r, &d))
        return;
    status = json_dumps(req->json, JSON_COMPACT | JSON_SORT_KEYS);
    if (!status || strlen(status) > HEARTBEAT_STATUS_MAX) {
        free(status);
        http_reply_error(r, 413, "body_too_large", "A heartbeat's status is at most %d bytes",
                         HEARTBEAT_STATUS_MAX);
        return;
    }
    err = db_exec(req->c->db, "BEGIN IMMEDIATE");
    if (err != KIOSK_OK)
        goto out;
    begun = true;
    err = db_prepare(req->c->db,
                     "UPDATE devices SET last_seen=?, status=?, version=COALESCE(?, version)"
                     " WHERE id=?",
                     &st);
    if (err != KIOSK_OK)
        goto out;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
    sqlite3_bind_text(st, 2, status, -1, free);
    status = NULL;
    sqlite3_bind_text(st, 3, version, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, d.id, -1, SQLITE_STATIC);
    err = step_done(st);
    commands = json_array();
    if (err == KIOSK_OK)
        err = take_commands(req->c->db, d.id, now, commands);
    if (err == KIOSK_OK)
        err = db_exec(req->c->db, "COMMIT");
    if (err != KIOSK_OK)
        goto out;
    begun = false;
    config = device_config(req->c->db, d.store);
    if (!config) {
        err = KIOSK_E_IO;
        goto out;
    }
    /* A hint for automatic renewal: the last third of the validity (and for certificates
     * of another service's lifetime the same by their expiry alone). */
    bool renew = d.cert_expires_at && d.cert_expires_at - now <
                                          (time_t)req->c->device_cert_days * 86400 / RENEW_FRACTION;
    http_reply_json(r, 200,
                    json_pack("{s:s,s:o,s:i,s:O,s:O,s:o,s:o,s:b}", "device_id", d.id, "server_time",
                              api_time(now), "next_heartbeat_seconds", HEARTBEAT_SECONDS, "config",
                              config, "desired_config_version",
                              json_object_get(config, "config_version"), "commands", commands,
                              "certificate_expires_at", api_time(d.cert_expires_at),
                              "renew_certificate", renew));
    commands = NULL;
out:
    if (begun)
        db_exec(req->c->db, "ROLLBACK");
    if (err != KIOSK_OK)
        api_db_error(r);
    free(status);
    json_decref(commands);
    json_decref(config);
}

/* --- screenshots ----------------------------------------------------------------------- */

/* A PNG by its signature and header: an IHDR of a picture no larger than a screen could be. */
static bool png_plausible(const unsigned char *p, size_t n)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n < 33 || memcmp(p, sig, sizeof sig) != 0 || memcmp(p + 8, "\0\0\0\rIHDR", 8) != 0)
        return false;
    uint32_t w = (uint32_t)p[16] << 24 | (uint32_t)p[17] << 16 | (uint32_t)p[18] << 8 | p[19];
    uint32_t h = (uint32_t)p[20] << 24 | (uint32_t)p[21] << 16 | (uint32_t)p[22] << 8 | p[23];
    return w >= 1 && h >= 1 && w <= SCREENSHOT_SIDE_MAX && h <= SCREENSHOT_SIDE_MAX;
}

/* PUT /v1/devices/{id}/screenshot: the picture a device took for the operator's
 * "screenshot" command. Only its latest is kept. */
void api_device_screenshot_put(HttpRequest *req, HttpReply *r)
{
    sqlite3_stmt *st = NULL;
    DeviceRow d;
    time_t now = time(NULL);
    if (!path_device(req, r, req->seg[2]))
        return;
    if (!req->upload || !png_plausible(req->upload, req->upload_len)) {
        http_reply_error(r, 400, "invalid_image", "The body must be a PNG of at most %dx%d",
                         SCREENSHOT_SIDE_MAX, SCREENSHOT_SIDE_MAX);
        return;
    }
    if (!device_live(req, r, &d))
        return;
    KioskErr err = db_prepare(req->c->db,
                              "INSERT OR REPLACE INTO device_screenshots(device_id,png,taken_at)"
                              " VALUES(?,?,?)",
                              &st);
    if (err == KIOSK_OK) {
        sqlite3_bind_text(st, 1, d.id, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, req->upload, (int)req->upload_len, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
        err = step_done(st);
    }
    if (err != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    log_info("devices", "screenshot from %s (%zu bytes)", d.id, req->upload_len);
    http_reply_empty(r);
}

/* GET /v1/admin/devices/{id}/screenshot: the device's latest screenshot, image/png. */
void api_admin_device_screenshot(HttpRequest *req, HttpReply *r)
{
    sqlite3_stmt *st = NULL;
    if (!api_admin_auth(req, r) || !api_path_id(r, req->seg[3], "device"))
        return;
    if (db_prepare(req->c->db, "SELECT png,taken_at FROM device_screenshots WHERE device_id=?",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    sqlite3_bind_text(st, 1, req->seg[3], -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        if (rc == SQLITE_DONE)
            http_reply_error(r, 404, "screenshot_not_found",
                             "Device %s has sent no screenshot; queue the screenshot command",
                             req->seg[3]);
        else
            api_db_error(r);
        return;
    }
    size_t n = (size_t)sqlite3_column_bytes(st, 0);
    const void *png = sqlite3_column_blob(st, 0);
    r->raw = n ? malloc(n) : NULL;
    if (!r->raw) {
        sqlite3_finalize(st);
        http_reply_error(r, 500, "internal", "Out of memory");
        return;
    }
    memcpy(r->raw, png, n);
    sqlite3_finalize(st);
    r->status = 200;
    r->raw_len = n;
    r->content_type = "image/png";
    r->no_store = true; /* a store's screen: not for caches */
}

/* --- the operator's calls -------------------------------------------------------------- */

void api_fleet(HttpRequest *req, HttpReply *r)
{
    const char *store = NULL;
    sqlite3_stmt *st = NULL;
    time_t now = time(NULL);
    if (!api_admin_auth(req, r) || !api_query_id(req, r, "store", false, &store))
        return;
    if (db_prepare(req->c->db, "SELECT id FROM devices WHERE (?1='' OR store_id=?1) ORDER BY id",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    sqlite3_bind_text(st, 1, store ? store : "", -1, SQLITE_STATIC);
    json_t *list = json_array();
    int healthy = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *d = device_json(req->c->db, db_text(st, 0), now);
        if (!d)
            continue;
        healthy += json_is_true(json_object_get(d, "healthy"));
        json_array_append_new(list, d);
    }
    sqlite3_finalize(st);
    http_reply_json(r, 200,
                    json_pack("{s:o,s:I,s:i,s:o}", "devices", list, "total",
                              (json_int_t)json_array_size(list), "healthy", healthy, "server_time",
                              api_time(now)));
}

void api_admin_device_revoke(HttpRequest *req, HttpReply *r)
{
    sqlite3_stmt *st = NULL;
    if (!api_admin_auth(req, r) || !api_path_id(r, req->seg[3], "device"))
        return;
    if (db_prepare(req->c->db, "UPDATE devices SET revoked_at=COALESCE(revoked_at, ?) WHERE id=?",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
    sqlite3_bind_text(st, 2, req->seg[3], -1, SQLITE_STATIC);
    if (step_done(st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    if (sqlite3_changes(req->c->db) == 0) {
        http_reply_error(r, 404, "device_not_found", "No device %s", req->seg[3]);
        return;
    }
    log_info("devices", "device %s revoked", req->seg[3]);
    http_reply_empty(r);
}

static bool valid_command(const char *c)
{
    return strcmp(c, "sync_now") == 0 || strcmp(c, "screenshot") == 0 || strcmp(c, "restart") == 0;
}

void api_admin_device_command(HttpRequest *req, HttpReply *r)
{
    const char *command = NULL;
    sqlite3_stmt *st = NULL;
    DeviceRow d;
    int64_t seq = 0;
    char id[DEVICE_ID_SIZE];
    time_t now = time(NULL);
    if (!api_admin_auth(req, r) || !api_path_id(r, req->seg[3], "device") ||
        !api_body_string(req, r, "command", true, COMMAND_MAX, &command))
        return;
    if (!valid_command(command)) {
        http_reply_error(r, 400, "invalid_field",
                         "command must be sync_now, screenshot or restart");
        return;
    }
    KioskErr err = device_find(req->c->db, req->seg[3], &d);
    if (err == KIOSK_E_NOTFOUND) {
        http_reply_error(r, 404, "device_not_found", "No device %s", req->seg[3]);
        return;
    }
    if (err == KIOSK_OK && d.revoked_at) {
        http_reply_error(r, 409, "device_revoked", "Device %s is revoked", d.id);
        return;
    }
    if (err == KIOSK_OK)
        err = db_prepare(req->c->db,
                         "SELECT COUNT(*) FROM device_commands WHERE device_id=? AND"
                         " delivered_at IS NULL",
                         &st);
    if (err != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    sqlite3_bind_text(st, 1, d.id, -1, SQLITE_STATIC);
    int pending = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (pending >= COMMANDS_PENDING_MAX) {
        http_reply_error(r, 409, "command_queue_full",
                         "Device %s has %d commands waiting for its next heartbeat", d.id, pending);
        return;
    }
    if (db_next_seq(req->c->db, "command", &seq) != KIOSK_OK ||
        db_prepare(req->c->db,
                   "INSERT INTO device_commands(id,device_id,command,created_at) VALUES(?,?,?,?)",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    snprintf(id, sizeof id, "C%06lld", (long long)seq);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, d.id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, command, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
    if (step_done(st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    log_info("devices", "command %s (%s) queued for %s", id, command, d.id);
    http_reply_json(r, 201,
                    json_pack("{s:s,s:s,s:s,s:o,s:n}", "id", id, "device_id", d.id, "command",
                              command, "created_at", api_time(now), "delivered_at"));
}

/* PUT sets the store's PIN, DELETE removes it (devices then refuse service mode); either
 * bumps the store's configuration version so devices pick it up at their next heartbeat. */
void api_admin_service_pin(HttpRequest *req, HttpReply *r)
{
    const char *pin = NULL;
    PinRecord rec = {.iterations = 0};
    sqlite3_stmt *st = NULL;
    time_t now = time(NULL);
    bool set = strcmp(req->method, "PUT") == 0;
    if (!api_admin_auth(req, r) || !api_path_id(r, req->seg[3], "store"))
        return;
    if (!api_store_exists(req->c->db, req->seg[3], NULL)) {
        http_reply_error(r, 404, "store_not_found", "No store %s", req->seg[3]);
        return;
    }
    if (set && !api_body_string(req, r, "pin", true, PIN_LEN_MAX, &pin))
        return;
    if (set && !pin_well_formed(pin)) {
        http_reply_error(r, 400, "invalid_field", "pin must be %d to %d digits", PIN_LEN_MIN,
                         PIN_LEN_MAX);
        return;
    }
    if (set && pin_is_weak(pin)) {
        http_reply_error(r, 400, "weak_pin",
                         "That PIN is too easy to guess (one digit, a run or a repeated block)");
        return;
    }
    if ((set && pin_hash(pin, &rec) != KIOSK_OK) ||
        db_prepare(req->c->db,
                   "INSERT INTO store_config(store_id,version,pin_salt,pin_hash,pin_iterations,"
                   "pin_set_at,pin_demo) VALUES(?1,1,?2,?3,?4,?5,0) ON CONFLICT(store_id) DO"
                   " UPDATE SET version=version+1, pin_salt=?2, pin_hash=?3, pin_iterations=?4,"
                   " pin_set_at=?5, pin_demo=0",
                   &st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    sqlite3_bind_text(st, 1, req->seg[3], -1, SQLITE_STATIC);
    if (set) {
        sqlite3_bind_text(st, 2, rec.salt, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, rec.hash, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, rec.iterations);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)now);
    }
    if (step_done(st) != KIOSK_OK) {
        api_db_error(r);
        return;
    }
    log_info("devices", "service PIN of %s %s", req->seg[3], set ? "changed" : "removed");
    http_reply_empty(r);
}
