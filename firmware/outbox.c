/* outbox.c: the order outbox (see outbox.h and docs/storage.md): the device key file,
 * AES-256-GCM sealing of payloads with mbedTLS 2.28, and the record life cycle in SQLite.
 * An Outbox borrows its Store and is used by the Store's thread. mbedTLS and SQLite codes
 * are logged here and mapped to KioskErr; payloads and idempotency keys are never logged. */
#include "outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <mbedtls/config.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/gcm.h>
#include <mbedtls/platform_util.h>

#include "fileio.h"
#include "log.h"

#define MOD "outbox"

#define KEY_FILE_MODE 0600

struct Outbox {
    Store *store; /* borrowed */
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_gcm_context gcm; /* holds the expanded device key */
};

/* The columns every read of a record selects, in the order read_row expects. */
#define ITEM_COLUMNS                                                                               \
    "id, idempotency_key, nonce, ciphertext, state, attempts, created_at, next_attempt_at, "       \
    "order_id, last_error, dead_reason"

/* ---- device key ----------------------------------------------------------------------- */

/* KIOSK_E_NOTFOUND when there is no key file yet. */
static KioskErr read_key(const char *path, unsigned char key[OUTBOX_KEY_LEN])
{
    KioskErr err = KIOSK_E_IO;
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return KIOSK_E_NOTFOUND;
        log_error(MOD, "cannot open the device key: %s", strerror(errno));
        return KIOSK_E_IO;
    }
    if (fstat(fd, &st) != 0) {
        log_error(MOD, "cannot stat the device key: %s", strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode) || st.st_size != OUTBOX_KEY_LEN) {
        log_error(MOD, "the device key file is not a %d-byte key: refused", OUTBOX_KEY_LEN);
        err = KIOSK_E_STATE;
        goto out;
    }
    if ((st.st_mode & 077) != 0) {
        log_warn(MOD, "device key mode %03o: tightening to 0600", (unsigned)(st.st_mode & 0777));
        if (fchmod(fd, KEY_FILE_MODE) != 0)
            log_warn(MOD, "cannot chmod the device key: %s", strerror(errno));
    }
    err = fileio_read_all(fd, key, OUTBOX_KEY_LEN);
    if (err != KIOSK_OK)
        log_error(MOD, "cannot read the device key");
out:
    close(fd);
    return err;
}

/* fsync of the directory makes the new name itself durable. */
static KioskErr sync_dir_of(const char *path)
{
    char copy[OUTBOX_PATH_MAX];
    snprintf(copy, sizeof copy, "%s", path); /* length checked by the caller */
    return fileio_sync_dir(dirname(copy));
}

/* Writes a fresh key to path.tmp, fsyncs it and renames it into place, so a crash leaves
 * either no key or a whole one. One process creates keys (the kiosk at first start). */
static KioskErr create_key(Outbox *ob, const char *path, unsigned char key[OUTBOX_KEY_LEN])
{
    char tmp[OUTBOX_PATH_MAX + 8];
    KioskErr err = KIOSK_E_IO;
    int fd = -1;

    snprintf(tmp, sizeof tmp, "%s.tmp", path); /* fits: path is under OUTBOX_PATH_MAX */
    int rc = mbedtls_ctr_drbg_random(&ob->drbg, key, OUTBOX_KEY_LEN);
    if (rc != 0) {
        log_error(MOD, "no random bytes for the device key (mbedtls -0x%04x)", (unsigned)-rc);
        goto out;
    }
    (void)unlink(tmp); /* left over from a crash during creation */
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, KEY_FILE_MODE);
    if (fd < 0) {
        log_error(MOD, "cannot create the device key: %s", strerror(errno));
        err = fileio_err(errno);
        goto out;
    }
    err = fchmod(fd, KEY_FILE_MODE) == 0 ? KIOSK_OK : KIOSK_E_IO; /* whatever the umask */
    if (err == KIOSK_OK)
        err = fileio_write_all(fd, key, OUTBOX_KEY_LEN);
    if (err == KIOSK_OK && fsync(fd) != 0)
        err = KIOSK_E_IO;
    if (close(fd) != 0 && err == KIOSK_OK)
        err = KIOSK_E_IO;
    fd = -1;
    if (err == KIOSK_OK && rename(tmp, path) != 0)
        err = KIOSK_E_IO;
    if (err == KIOSK_OK)
        err = sync_dir_of(path);
    if (err != KIOSK_OK) {
        log_error(MOD, "cannot write the device key: %s", kerr_name(err));
        (void)unlink(tmp);
        goto out;
    }
    log_info(MOD, "created a new device key");
out:
    if (fd >= 0)
        close(fd);
    return err;
}

Outbox *outbox_open(Store *s, const char *key_path, KioskErr *err)
{
    static const char pers[] = "kiosk-outbox";
    unsigned char key[OUTBOX_KEY_LEN];
    KioskErr e = KIOSK_E_INVALID;
    Outbox *ob = NULL;
    int rc;

    if (!s || !key_path || !*key_path)
        goto out;
    if (strnlen(key_path, OUTBOX_PATH_MAX) >= OUTBOX_PATH_MAX) {
        e = KIOSK_E_TOOBIG;
        goto out;
    }
    ob = calloc(1, sizeof *ob);
    if (!ob) {
        e = KIOSK_E_NOMEM;
        goto out;
    }
    ob->store = s;
    mbedtls_entropy_init(&ob->entropy);
    mbedtls_ctr_drbg_init(&ob->drbg);
    mbedtls_gcm_init(&ob->gcm);
    rc = mbedtls_ctr_drbg_seed(&ob->drbg, mbedtls_entropy_func, &ob->entropy,
                               (const unsigned char *)pers, sizeof pers - 1);
    if (rc != 0) {
        log_error(MOD, "cannot seed the random generator (mbedtls -0x%04x)", (unsigned)-rc);
        e = KIOSK_E_IO;
        goto out;
    }
    e = read_key(key_path, key);
    if (e == KIOSK_E_NOTFOUND)
        e = create_key(ob, key_path, key);
    if (e != KIOSK_OK)
        goto out;
    rc = mbedtls_gcm_setkey(&ob->gcm, MBEDTLS_CIPHER_ID_AES, key, OUTBOX_KEY_LEN * 8);
    if (rc != 0) {
        log_error(MOD, "cannot set the AES-GCM key (mbedtls -0x%04x)", (unsigned)-rc);
        e = KIOSK_E_IO;
        goto out;
    }
out:
    mbedtls_platform_zeroize(key, sizeof key);
    if (e != KIOSK_OK) {
        outbox_close(ob);
        ob = NULL;
    }
    if (err)
        *err = e;
    return ob;
}

void outbox_close(Outbox *ob)
{
    if (!ob)
        return;
    mbedtls_gcm_free(&ob->gcm); /* zeroizes the key schedule */
    mbedtls_ctr_drbg_free(&ob->drbg);
    mbedtls_entropy_free(&ob->entropy);
    free(ob);
}

/* ---- records ------------------------------------------------------------------------- */

static const char *state_name(OutboxState st)
{
    switch (st) {
    case OUTBOX_PENDING:
        return "pending";
    case OUTBOX_SENT:
        return "sent";
    case OUTBOX_DEAD:
        return "dead";
    }
    return "pending";
}

static OutboxState state_parse(const unsigned char *text)
{
    if (text && strcmp((const char *)text, "sent") == 0)
        return OUTBOX_SENT;
    if (text && strcmp((const char *)text, "dead") == 0)
        return OUTBOX_DEAD;
    return OUTBOX_PENDING;
}

/* Copies a text column into a fixed buffer, cut to fit. */
static void copy_column(sqlite3_stmt *st, int col, char *dst, size_t size)
{
    const unsigned char *v = sqlite3_column_text(st, col);
    size_t n = v ? (size_t)sqlite3_column_bytes(st, col) : 0;
    if (n >= size)
        n = size - 1;
    if (n > 0)
        memcpy(dst, v, n);
    dst[n] = '\0';
}

/* Bounded text for a reason column: at most OUTBOX_REASON_MAX bytes of it. */
static int bind_reason(sqlite3_stmt *st, int idx, const char *text)
{
    if (!text)
        return sqlite3_bind_null(st, idx);
    return sqlite3_bind_text(st, idx, text, (int)strnlen(text, OUTBOX_REASON_MAX),
                             SQLITE_TRANSIENT);
}

static bool idem_key_ok(const char *key)
{
    if (!key)
        return false;
    size_t n = strnlen(key, OUTBOX_IDEM_KEY_MAX + 1);
    if (n == 0 || n > OUTBOX_IDEM_KEY_MAX)
        return false;
    for (size_t i = 0; i < n; i++) { /* printable ASCII: it goes into an HTTP header */
        if (key[i] < 0x21 || key[i] > 0x7e)
            return false;
    }
    return true;
}

/* Decrypts the sealed payload into a fresh NUL-terminated buffer. KIOSK_E_INVALID when it
 * does not authenticate (tampered, truncated, another key). */
static KioskErr open_payload(Outbox *ob, const char *aad, const unsigned char *nonce,
                             size_t nonce_len, const unsigned char *sealed, size_t sealed_len,
                             char **out, size_t *out_len)
{
    if (!nonce || nonce_len != OUTBOX_NONCE_LEN || !sealed || sealed_len < OUTBOX_TAG_LEN ||
        sealed_len > OUTBOX_PAYLOAD_MAX + OUTBOX_TAG_LEN)
        return KIOSK_E_INVALID;
    size_t len = sealed_len - OUTBOX_TAG_LEN;
    char *plain = malloc(len + 1);
    if (!plain)
        return KIOSK_E_NOMEM;
    int rc = mbedtls_gcm_auth_decrypt(&ob->gcm, len, nonce, OUTBOX_NONCE_LEN,
                                      (const unsigned char *)aad, strlen(aad), sealed + len,
                                      OUTBOX_TAG_LEN, sealed, (unsigned char *)plain);
    if (rc != 0) {
        mbedtls_platform_zeroize(plain, len + 1);
        free(plain);
        return KIOSK_E_INVALID;
    }
    plain[len] = '\0';
    *out = plain;
    *out_len = len;
    return KIOSK_OK;
}

/* Fills out from a row selected with ITEM_COLUMNS and decrypts the payload.
 * KIOSK_E_INVALID when the payload does not decrypt (out is filled all the same). */
static KioskErr read_row(Outbox *ob, sqlite3_stmt *st, OutboxItem *out)
{
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    copy_column(st, 1, out->idempotency_key, sizeof out->idempotency_key);
    out->state = state_parse(sqlite3_column_text(st, 4));
    out->attempts = sqlite3_column_int(st, 5);
    out->created_at = sqlite3_column_int64(st, 6);
    out->next_attempt_at = sqlite3_column_int64(st, 7);
    copy_column(st, 8, out->order_id, sizeof out->order_id);
    copy_column(st, 9, out->last_error, sizeof out->last_error);
    copy_column(st, 10, out->dead_reason, sizeof out->dead_reason);
    const unsigned char *nonce = sqlite3_column_blob(st, 2);
    size_t nonce_len = (size_t)sqlite3_column_bytes(st, 2);
    const unsigned char *sealed = sqlite3_column_blob(st, 3);
    size_t sealed_len = (size_t)sqlite3_column_bytes(st, 3);
    return open_payload(ob, out->idempotency_key, nonce, nonce_len, sealed, sealed_len,
                        &out->payload, &out->payload_len);
}

/* The id stored under an idempotency key: KIOSK_E_NOTFOUND if none. */
static KioskErr find_key(Outbox *ob, const char *key, int64_t *id)
{
    sqlite3_stmt *st = NULL;
    KioskErr err;
    int rc = sqlite3_prepare_v2(store_db(ob->store),
                                "SELECT id FROM outbox WHERE idempotency_key = ?", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        err = KIOSK_OK;
    } else if (rc == SQLITE_DONE) {
        err = KIOSK_E_NOTFOUND;
    } else {
        err = store_sqlite_err(rc, "outbox find");
    }
    sqlite3_finalize(st);
    return err;
}

KioskErr outbox_put(Outbox *ob, const char *idempotency_key, const char *payload_json,
                    int64_t now_s, int64_t *id_out)
{
    unsigned char nonce[OUTBOX_NONCE_LEN];
    unsigned char *sealed = NULL;
    sqlite3_stmt *st = NULL;
    bool in_tx = false;
    KioskErr err = KIOSK_E_INVALID;
    size_t len = 0;
    int64_t id = 0;
    int rc;

    if (!ob || !idem_key_ok(idempotency_key) || !payload_json || !id_out)
        goto out;
    len = strnlen(payload_json, OUTBOX_PAYLOAD_MAX + 1);
    if (len > OUTBOX_PAYLOAD_MAX) {
        err = KIOSK_E_TOOBIG;
        goto out;
    }
    json_error_t jerr;
    json_t *doc = json_loadb(payload_json, len, 0, &jerr);
    if (!doc) {
        log_warn(MOD, "order payload is not JSON (line %d): refused", jerr.line);
        goto out;
    }
    json_decref(doc);

    err = store_begin(ob->store);
    if (err != KIOSK_OK)
        goto out;
    in_tx = true;
    err = find_key(ob, idempotency_key, &id);
    if (err == KIOSK_OK) {
        log_info(MOD, "order already in the outbox as record %lld", (long long)id);
        goto out; /* the rollback below ends the read; nothing was written */
    }
    if (err != KIOSK_E_NOTFOUND)
        goto out;

    sealed = malloc(len + OUTBOX_TAG_LEN);
    if (!sealed) {
        err = KIOSK_E_NOMEM;
        goto out;
    }
    rc = mbedtls_ctr_drbg_random(&ob->drbg, nonce, sizeof nonce);
    if (rc == 0)
        rc = mbedtls_gcm_crypt_and_tag(&ob->gcm, MBEDTLS_GCM_ENCRYPT, len, nonce, sizeof nonce,
                                       (const unsigned char *)idempotency_key,
                                       strlen(idempotency_key), (const unsigned char *)payload_json,
                                       sealed, OUTBOX_TAG_LEN, sealed + len);
    if (rc != 0) {
        log_error(MOD, "cannot encrypt the order (mbedtls -0x%04x)", (unsigned)-rc);
        err = KIOSK_E_IO;
        goto out;
    }
    rc = sqlite3_prepare_v2(store_db(ob->store),
                            "INSERT INTO outbox(idempotency_key, nonce, ciphertext, state, "
                            "attempts, next_attempt_at, created_at) "
                            "VALUES (?, ?, ?, 'pending', 0, ?, ?)",
                            -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 1, idempotency_key, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_blob(st, 2, nonce, sizeof nonce, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_blob(st, 3, sealed, (int)(len + OUTBOX_TAG_LEN), SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 4, now_s);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 5, now_s);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        err = store_sqlite_err(rc, "outbox insert");
        goto out;
    }
    id = sqlite3_last_insert_rowid(store_db(ob->store));
    sqlite3_finalize(st);
    st = NULL;
    in_tx = false;
    err = store_commit(ob->store); /* synchronous=FULL: the WAL is fsync'd here */
    if (err != KIOSK_OK)
        goto out;
    log_info(MOD, "order stored as record %lld (%zu bytes)", (long long)id, len);
out:
    sqlite3_finalize(st);
    if (in_tx)
        store_rollback(ob->store);
    if (sealed) {
        mbedtls_platform_zeroize(sealed, len + OUTBOX_TAG_LEN);
        free(sealed);
    }
    if (err == KIOSK_OK)
        *id_out = id;
    else if (err == KIOSK_E_FULL || err == KIOSK_E_IO)
        log_error(MOD, "order NOT stored: %s", kerr_name(err));
    return err;
}

/* Sets state (and one reason column) of a pending record. */
static KioskErr finish(Outbox *ob, int64_t id, OutboxState to, const char *sql, const char *text)
{
    sqlite3_stmt *st = NULL;
    sqlite3 *db = store_db(ob->store);
    KioskErr err;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 1, state_name(to), -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = bind_reason(st, 2, text);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 3, id);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    err = store_sqlite_err(rc, "outbox update");
    if (err == KIOSK_OK && sqlite3_changes(db) == 0)
        err = KIOSK_E_NOTFOUND;
    sqlite3_finalize(st);
    return err;
}

/* Reads the one record `sql` selects (ITEM_COLUMNS, one integer parameter) into out.
 * `none` when there is no such row; KIOSK_E_INVALID (out->id set) if it does not decrypt. */
static KioskErr read_one(Outbox *ob, const char *sql, int64_t param, KioskErr none,
                         const char *what, OutboxItem *out)
{
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    int rc = sqlite3_prepare_v2(store_db(ob->store), sql, -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 1, param);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    KioskErr err;
    if (rc == SQLITE_DONE)
        err = none;
    else if (rc != SQLITE_ROW)
        err = store_sqlite_err(rc, what);
    else
        err = read_row(ob, st, out);
    sqlite3_finalize(st);
    return err;
}

KioskErr outbox_next_due(Outbox *ob, int64_t now_s, OutboxItem *out)
{
    if (!ob || !out)
        return KIOSK_E_INVALID;
    KioskErr err = read_one(ob,
                            "SELECT " ITEM_COLUMNS " FROM outbox "
                            "WHERE state = 'pending' AND next_attempt_at <= ? "
                            "ORDER BY id LIMIT 1",
                            now_s, KIOSK_E_EMPTY, "outbox next", out);
    if (err != KIOSK_E_INVALID)
        return err;
    /* Never sent, never retried: a record we cannot read would block the queue. */
    log_error(MOD, "record %lld does not decrypt: dead-lettered", (long long)out->id);
    KioskErr e2 = outbox_mark_dead(ob, out->id, OUTBOX_REASON_UNREADABLE);
    if (e2 != KIOSK_OK)
        return e2; /* still pending: the next call meets it again */
    out->state = OUTBOX_DEAD;
    snprintf(out->dead_reason, sizeof out->dead_reason, "%s", OUTBOX_REASON_UNREADABLE);
    return err;
}

KioskErr outbox_mark_sent(Outbox *ob, int64_t id, const char *order_id)
{
    if (!ob || !order_id || strnlen(order_id, OUTBOX_ORDER_ID_MAX + 1) > OUTBOX_ORDER_ID_MAX)
        return KIOSK_E_INVALID;
    KioskErr err = finish(ob, id, OUTBOX_SENT,
                          "UPDATE outbox SET state = ?1, order_id = ?2 "
                          "WHERE id = ?3 AND state = 'pending'",
                          order_id);
    if (err == KIOSK_OK)
        log_info(MOD, "record %lld sent", (long long)id);
    return err;
}

KioskErr outbox_mark_dead(Outbox *ob, int64_t id, const char *reason)
{
    if (!ob || !reason || !*reason)
        return KIOSK_E_INVALID;
    KioskErr err = finish(ob, id, OUTBOX_DEAD,
                          "UPDATE outbox SET state = ?1, dead_reason = ?2 "
                          "WHERE id = ?3 AND state = 'pending'",
                          reason);
    if (err == KIOSK_OK)
        log_warn(MOD, "record %lld dead-lettered", (long long)id);
    return err;
}

int64_t outbox_backoff_s(int attempts, uint32_t rnd)
{
    int64_t d = OUTBOX_BACKOFF_BASE_S;
    for (int i = 1; i < attempts && d < OUTBOX_BACKOFF_CAP_S; i++)
        d *= 2;
    if (d > OUTBOX_BACKOFF_CAP_S)
        d = OUTBOX_BACKOFF_CAP_S;
    int64_t half = d / 2;
    return half + (int64_t)(rnd % (uint32_t)(d - half + 1));
}

KioskErr outbox_mark_retry(Outbox *ob, int64_t id, int64_t now_s, const char *why)
{
    sqlite3_stmt *st = NULL;
    sqlite3 *db;
    bool in_tx = false;
    KioskErr err = KIOSK_E_INVALID;
    uint32_t rnd = 0;
    int attempts = 0, rc;

    if (!ob)
        goto out;
    db = store_db(ob->store);
    rc = mbedtls_ctr_drbg_random(&ob->drbg, (unsigned char *)&rnd, sizeof rnd);
    if (rc != 0) {
        log_error(MOD, "no random bytes for jitter (mbedtls -0x%04x)", (unsigned)-rc);
        err = KIOSK_E_IO;
        goto out;
    }
    err = store_begin(ob->store);
    if (err != KIOSK_OK)
        goto out;
    in_tx = true;
    rc = sqlite3_prepare_v2(db, "SELECT attempts FROM outbox WHERE id = ? AND state = 'pending'",
                            -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 1, id);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        err = KIOSK_E_NOTFOUND;
        goto out;
    }
    if (rc != SQLITE_ROW) {
        err = store_sqlite_err(rc, "outbox retry");
        goto out;
    }
    attempts = sqlite3_column_int(st, 0) + 1;
    sqlite3_finalize(st);
    st = NULL;
    int64_t delay = outbox_backoff_s(attempts, rnd);
    rc = sqlite3_prepare_v2(db,
                            "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? "
                            "WHERE id = ?",
                            -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(st, 1, attempts);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 2, now_s + delay);
    if (rc == SQLITE_OK)
        rc = bind_reason(st, 3, why);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 4, id);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    err = store_sqlite_err(rc, "outbox retry");
    if (err != KIOSK_OK)
        goto out;
    sqlite3_finalize(st);
    st = NULL;
    in_tx = false;
    err = store_commit(ob->store);
    if (err == KIOSK_OK)
        log_info(MOD, "record %lld: attempt %d failed, next in %llds", (long long)id, attempts,
                 (long long)delay);
out:
    sqlite3_finalize(st);
    if (in_tx)
        store_rollback(ob->store);
    return err;
}

int64_t outbox_depth(Outbox *ob)
{
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (!ob)
        return -1;
    int rc = sqlite3_prepare_v2(
        store_db(ob->store), "SELECT count(*) FROM outbox WHERE state = 'pending'", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    else
        (void)store_sqlite_err(rc, "outbox depth");
    sqlite3_finalize(st);
    return n;
}

KioskErr outbox_get(Outbox *ob, int64_t id, OutboxItem *out)
{
    if (!ob || !out)
        return KIOSK_E_INVALID;
    KioskErr err = read_one(ob, "SELECT " ITEM_COLUMNS " FROM outbox WHERE id = ?", id,
                            KIOSK_E_NOTFOUND, "outbox get", out);
    if (err == KIOSK_E_INVALID)
        err = KIOSK_OK; /* documented: payload NULL when it cannot be read */
    return err;
}

void outbox_item_clear(OutboxItem *item)
{
    if (!item)
        return;
    if (item->payload) {
        mbedtls_platform_zeroize(item->payload, item->payload_len);
        free(item->payload);
    }
    memset(item, 0, sizeof *item);
}
