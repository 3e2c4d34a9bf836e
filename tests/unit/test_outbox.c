/* test_outbox.c: the order outbox on real SQLite files and a real key file in a temp dir:
 * sealing and opening, idempotency, the key file, tampering, backoff, dead letters, a full
 * database, and an order surviving a kill -9 right after outbox_put returns. */
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "outbox.h"
#include "store.h"

#define ORDER_JSON "{\"lines\":[{\"gtin\":\"04012345678901\",\"qty\":1}],\"member\":\"Alice\"}"

typedef struct Fixture {
    char dir[64];
    char db[128];
    char key[128];
    Store *s;
    Outbox *ob;
} Fixture;

static void open_both(Fixture *f)
{
    KioskErr err = KIOSK_E_IO;
    f->s = store_open(f->db, &err);
    assert_non_null(f->s);
    assert_int_equal(err, KIOSK_OK);
    err = KIOSK_E_IO;
    f->ob = outbox_open(f->s, f->key, &err);
    assert_non_null(f->ob);
    assert_int_equal(err, KIOSK_OK);
}

static void close_both(Fixture *f)
{
    outbox_close(f->ob);
    store_close(f->s);
    f->ob = NULL;
    f->s = NULL;
}

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test-outbox-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/%s", f->dir, STORE_FILE_NAME);
    snprintf(f->key, sizeof f->key, "%s/%s", f->dir, OUTBOX_KEY_FILE);
    open_both(f);
    *state = f;
    return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int teardown(void **state)
{
    Fixture *f = *state;
    close_both(f);
    nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static int64_t raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void round_trip_decrypts_to_the_same_json(void **state)
{
    Fixture *f = *state;
    int64_t id = 0, id2 = 0;
    assert_int_equal(outbox_put(f->ob, "idem-1", ORDER_JSON, 1000, &id), KIOSK_OK);
    assert_true(id > 0);
    assert_int_equal(outbox_put(f->ob, "idem-2", "{}", 1001, &id2), KIOSK_OK);
    assert_true(id2 > id);
    assert_int_equal(outbox_depth(f->ob), 2);

    OutboxItem it;
    assert_int_equal(outbox_next_due(f->ob, 999, &it), KIOSK_E_EMPTY); /* not due yet */
    assert_int_equal(outbox_next_due(f->ob, 1000, &it), KIOSK_OK);
    assert_int_equal(it.id, id);
    assert_string_equal(it.idempotency_key, "idem-1");
    assert_string_equal(it.payload, ORDER_JSON);
    assert_int_equal(it.payload_len, strlen(ORDER_JSON));
    assert_int_equal(it.state, OUTBOX_PENDING);
    assert_int_equal(it.attempts, 0);
    assert_int_equal(it.created_at, 1000);
    outbox_item_clear(&it);
    assert_null(it.payload);

    /* At rest: no plaintext, a 12-byte nonce, fresh per record, a tag after the text. */
    sqlite3 *db = store_db(f->s);
    sqlite3_stmt *st = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT nonce, ciphertext FROM outbox ORDER BY id", -1, &st, NULL),
        SQLITE_OK);
    unsigned char nonces[2][OUTBOX_NONCE_LEN];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_bytes(st, 0), OUTBOX_NONCE_LEN);
        memcpy(nonces[i], sqlite3_column_blob(st, 0), OUTBOX_NONCE_LEN);
        const void *ct = sqlite3_column_blob(st, 1);
        size_t n = (size_t)sqlite3_column_bytes(st, 1);
        if (i == 0) {
            assert_int_equal(n, strlen(ORDER_JSON) + OUTBOX_TAG_LEN);
            assert_null(memmem(ct, n, "Alice", 5));
            assert_null(memmem(ct, n, "gtin", 4));
        }
    }
    sqlite3_finalize(st);
    assert_memory_not_equal(nonces[0], nonces[1], OUTBOX_NONCE_LEN);

    assert_int_equal(outbox_mark_sent(f->ob, id, "ORD-77"), KIOSK_OK);
    assert_int_equal(outbox_depth(f->ob), 1);
    assert_int_equal(outbox_get(f->ob, id, &it), KIOSK_OK);
    assert_int_equal(it.state, OUTBOX_SENT);
    assert_string_equal(it.order_id, "ORD-77");
    outbox_item_clear(&it);
    assert_int_equal(outbox_next_due(f->ob, 2000, &it), KIOSK_OK);
    assert_int_equal(it.id, id2);
    assert_string_equal(it.payload, "{}");
    outbox_item_clear(&it);
    assert_int_equal(outbox_mark_sent(f->ob, id, "ORD-77"), KIOSK_E_NOTFOUND); /* not pending */
    assert_int_equal(outbox_get(f->ob, 9999, &it), KIOSK_E_NOTFOUND);
}

static void same_idempotency_key_is_one_record(void **state)
{
    Fixture *f = *state;
    int64_t a = 0, b = 0;
    assert_int_equal(outbox_put(f->ob, "idem-dup", ORDER_JSON, 10, &a), KIOSK_OK);
    assert_int_equal(outbox_put(f->ob, "idem-dup", "{\"other\":true}", 11, &b), KIOSK_OK);
    assert_int_equal(a, b);
    assert_int_equal(outbox_depth(f->ob), 1);
    assert_int_equal(raw_int(store_db(f->s), "SELECT count(*) FROM outbox"), 1);
    OutboxItem it;
    assert_int_equal(outbox_get(f->ob, a, &it), KIOSK_OK);
    assert_string_equal(it.payload, ORDER_JSON); /* the first one stands */
    outbox_item_clear(&it);
}

static void read_file(const char *path, unsigned char *buf, size_t len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(buf, 1, len, fp), len);
    fclose(fp);
}

static void key_file_is_0600_and_reused(void **state)
{
    Fixture *f = *state;
    struct stat st;
    assert_int_equal(stat(f->key, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, OUTBOX_KEY_LEN);
    unsigned char before[OUTBOX_KEY_LEN], after[OUTBOX_KEY_LEN];
    read_file(f->key, before, sizeof before);

    int64_t id = 0;
    assert_int_equal(outbox_put(f->ob, "idem-reopen", ORDER_JSON, 50, &id), KIOSK_OK);
    close_both(f);
    open_both(f);
    read_file(f->key, after, sizeof after);
    assert_memory_equal(before, after, OUTBOX_KEY_LEN);
    OutboxItem it;
    assert_int_equal(outbox_next_due(f->ob, 50, &it), KIOSK_OK);
    assert_int_equal(it.id, id);
    assert_string_equal(it.payload, ORDER_JSON);
    outbox_item_clear(&it);
}

static void bad_key_file_is_refused_not_replaced(void **state)
{
    Fixture *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/short.key", f->dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs("short", fp);
    fclose(fp);
    KioskErr err = KIOSK_OK;
    assert_null(outbox_open(f->s, path, &err));
    assert_int_equal(err, KIOSK_E_STATE);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 5);
}

/* Flips one byte of the stored ciphertext, as a disk error or an attacker would. */
static void flip_ciphertext_byte(sqlite3 *db, int64_t id, size_t at)
{
    sqlite3_stmt *st = NULL;
    unsigned char buf[1024];
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT ciphertext FROM outbox WHERE id = ?", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_int64(st, 1, id);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    size_t n = (size_t)sqlite3_column_bytes(st, 0);
    assert_true(n <= sizeof buf && at < n);
    memcpy(buf, sqlite3_column_blob(st, 0), n);
    sqlite3_finalize(st);
    buf[at] ^= 0x01;
    assert_int_equal(
        sqlite3_prepare_v2(db, "UPDATE outbox SET ciphertext = ? WHERE id = ?", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_blob(st, 1, buf, (int)n, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, id);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

static void tampered_record_is_dead_lettered(void **state)
{
    Fixture *f = *state;
    int64_t bad = 0, bad_aad = 0, good = 0;
    assert_int_equal(outbox_put(f->ob, "idem-bad", ORDER_JSON, 1, &bad), KIOSK_OK);
    assert_int_equal(outbox_put(f->ob, "idem-aad", ORDER_JSON, 2, &bad_aad), KIOSK_OK);
    assert_int_equal(outbox_put(f->ob, "idem-good", ORDER_JSON, 3, &good), KIOSK_OK);
    flip_ciphertext_byte(store_db(f->s), bad, 7);
    /* The key is authenticated too: a record moved under another key does not open. */
    sqlite3_exec(store_db(f->s),
                 "UPDATE outbox SET idempotency_key = 'idem-moved' "
                 "WHERE idempotency_key = 'idem-aad'",
                 NULL, NULL, NULL);

    OutboxItem it;
    assert_int_equal(outbox_next_due(f->ob, 10, &it), KIOSK_E_INVALID);
    assert_int_equal(it.id, bad);
    assert_null(it.payload);
    assert_int_equal(it.state, OUTBOX_DEAD);
    outbox_item_clear(&it);
    assert_int_equal(outbox_next_due(f->ob, 10, &it), KIOSK_E_INVALID);
    assert_int_equal(it.id, bad_aad);
    outbox_item_clear(&it);
    assert_int_equal(outbox_next_due(f->ob, 10, &it), KIOSK_OK); /* the queue moves on */
    assert_int_equal(it.id, good);
    assert_string_equal(it.payload, ORDER_JSON);
    outbox_item_clear(&it);

    assert_int_equal(outbox_get(f->ob, bad, &it), KIOSK_OK);
    assert_int_equal(it.state, OUTBOX_DEAD);
    assert_string_equal(it.dead_reason, OUTBOX_REASON_UNREADABLE);
    assert_null(it.payload);
    outbox_item_clear(&it);
    assert_int_equal(outbox_depth(f->ob), 1);
}

static void backoff_grows_is_capped_and_jittered(void **state)
{
    Fixture *f = *state;
    /* The pure rule: bounds per attempt. */
    for (int a = 1; a <= 30; a++) {
        int64_t d = OUTBOX_BACKOFF_BASE_S;
        for (int i = 1; i < a && d < OUTBOX_BACKOFF_CAP_S; i++)
            d *= 2;
        if (d > OUTBOX_BACKOFF_CAP_S)
            d = OUTBOX_BACKOFF_CAP_S;
        assert_int_equal(outbox_backoff_s(a, 0), d / 2);
        assert_int_equal(outbox_backoff_s(a, (uint32_t)(d - d / 2)), d);
    }
    assert_int_equal(outbox_backoff_s(1000, UINT32_MAX) <= OUTBOX_BACKOFF_CAP_S, 1);

    /* Through the store: attempts counted, never due early, capped, not all equal. */
    int64_t id = 0, now = 100;
    assert_int_equal(outbox_put(f->ob, "idem-retry", ORDER_JSON, now, &id), KIOSK_OK);
    int64_t delays[40];
    int capped = 0;
    for (int i = 0; i < 40; i++) {
        OutboxItem it;
        assert_int_equal(outbox_next_due(f->ob, now, &it), KIOSK_OK);
        assert_int_equal(it.id, id);
        assert_int_equal(it.attempts, i);
        outbox_item_clear(&it);
        assert_int_equal(outbox_mark_retry(f->ob, id, now, "http 503"), KIOSK_OK);
        assert_int_equal(outbox_get(f->ob, id, &it), KIOSK_OK);
        delays[i] = it.next_attempt_at - now;
        assert_string_equal(it.last_error, "http 503");
        outbox_item_clear(&it);
        assert_true(delays[i] >= outbox_backoff_s(i + 1, 0));
        assert_true(delays[i] <= OUTBOX_BACKOFF_CAP_S);
        assert_int_equal(outbox_next_due(f->ob, now + delays[i] - 1, &it), KIOSK_E_EMPTY);
        now += delays[i];
        if (i >= 8)
            capped++;
    }
    assert_true(delays[0] >= OUTBOX_BACKOFF_BASE_S / 2 && delays[0] <= OUTBOX_BACKOFF_BASE_S);
    assert_true(delays[39] >= OUTBOX_BACKOFF_CAP_S / 2); /* it grew */
    bool all_equal = true;
    for (int i = 9; i < 40; i++)
        all_equal = all_equal && delays[i] == delays[8];
    assert_false(all_equal); /* jitter at the cap */
    assert_true(capped > 0);
    assert_int_equal(outbox_mark_retry(f->ob, 9999, now, "x"), KIOSK_E_NOTFOUND);
}

static void mark_dead_keeps_the_reason(void **state)
{
    Fixture *f = *state;
    int64_t id = 0;
    assert_int_equal(outbox_put(f->ob, "idem-dead", ORDER_JSON, 5, &id), KIOSK_OK);
    assert_int_equal(outbox_mark_dead(f->ob, id, "422 variant withdrawn"), KIOSK_OK);
    assert_int_equal(outbox_depth(f->ob), 0);
    OutboxItem it;
    assert_int_equal(outbox_next_due(f->ob, 1000, &it), KIOSK_E_EMPTY);
    assert_int_equal(outbox_get(f->ob, id, &it), KIOSK_OK);
    assert_int_equal(it.state, OUTBOX_DEAD);
    assert_string_equal(it.dead_reason, "422 variant withdrawn");
    assert_string_equal(it.payload, ORDER_JSON); /* kept for a person to look at */
    outbox_item_clear(&it);
    assert_int_equal(outbox_mark_retry(f->ob, id, 10, "x"), KIOSK_E_NOTFOUND);
    assert_int_equal(outbox_mark_sent(f->ob, id, "ORD-1"), KIOSK_E_NOTFOUND);
    assert_int_equal(outbox_mark_dead(f->ob, id, ""), KIOSK_E_INVALID);

    /* Long reasons are cut, not refused. */
    char why[OUTBOX_REASON_MAX * 2];
    memset(why, 'r', sizeof why - 1);
    why[sizeof why - 1] = '\0';
    assert_int_equal(outbox_put(f->ob, "idem-dead-2", "[]", 5, &id), KIOSK_OK);
    assert_int_equal(outbox_mark_dead(f->ob, id, why), KIOSK_OK);
    assert_int_equal(outbox_get(f->ob, id, &it), KIOSK_OK);
    assert_int_equal(strlen(it.dead_reason), OUTBOX_REASON_MAX);
    outbox_item_clear(&it);
}

static void bad_input_is_refused(void **state)
{
    Fixture *f = *state;
    int64_t id = -1;
    char *big = malloc(OUTBOX_PAYLOAD_MAX + 16);
    assert_non_null(big);
    memset(big, ' ', OUTBOX_PAYLOAD_MAX + 15);
    big[0] = '"';
    big[OUTBOX_PAYLOAD_MAX + 14] = '"';
    big[OUTBOX_PAYLOAD_MAX + 15] = '\0';
    assert_int_equal(outbox_put(f->ob, "idem-big", big, 1, &id), KIOSK_E_TOOBIG);
    free(big);
    assert_int_equal(outbox_put(f->ob, "idem-trunc", "{\"lines\":[", 1, &id), KIOSK_E_INVALID);
    assert_int_equal(outbox_put(f->ob, "", "{}", 1, &id), KIOSK_E_INVALID);
    assert_int_equal(outbox_put(f->ob, "has space", "{}", 1, &id), KIOSK_E_INVALID);
    assert_int_equal(outbox_put(f->ob, "idem-x", NULL, 1, &id), KIOSK_E_INVALID);
    assert_int_equal(id, -1);
    assert_int_equal(outbox_depth(f->ob), 0);
}

#define FILL_PAYLOAD 4000

static void full_database_refuses_and_keeps_earlier_orders(void **state)
{
    Fixture *f = *state;
    sqlite3 *db = store_db(f->s);
    int64_t first = 0, id = 0;
    assert_int_equal(outbox_put(f->ob, "idem-before", ORDER_JSON, 1, &first), KIOSK_OK);

    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld",
             (long long)raw_int(db, "PRAGMA page_count") + 8);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);

    char *payload = malloc(FILL_PAYLOAD + 16);
    assert_non_null(payload);
    snprintf(payload, FILL_PAYLOAD + 16, "{\"pad\":\"%0*d\"}", FILL_PAYLOAD, 0);
    char key[32];
    KioskErr err = KIOSK_OK;
    int stored = 1, tries = 0;
    for (; tries < 200; tries++) {
        snprintf(key, sizeof key, "idem-fill-%d", tries);
        err = outbox_put(f->ob, key, payload, 2, &id);
        if (err != KIOSK_OK)
            break;
        stored++;
    }
    assert_int_equal(err, KIOSK_E_FULL);
    assert_true(stored > 1);

    /* Nothing half-written: the refused order is not there, the store is whole. */
    assert_int_equal(outbox_depth(f->ob), stored);
    char q[128];
    snprintf(q, sizeof q, "SELECT count(*) FROM outbox WHERE idempotency_key = '%s'", key);
    assert_int_equal(raw_int(db, q), 0);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    OutboxItem it;
    assert_int_equal(outbox_get(f->ob, first, &it), KIOSK_OK);
    assert_string_equal(it.payload, ORDER_JSON);
    outbox_item_clear(&it);

    /* Room again: the refused order can be placed, once. */
    assert_int_equal(sqlite3_exec(db, "PRAGMA max_page_count = 1000000", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(outbox_put(f->ob, key, payload, 3, &id), KIOSK_OK);
    assert_int_equal(outbox_depth(f->ob), stored + 1);
    free(payload);

    /* And everything survives a reopen. */
    close_both(f);
    open_both(f);
    assert_int_equal(outbox_depth(f->ob), stored + 1);
    assert_int_equal(outbox_next_due(f->ob, 10, &it), KIOSK_OK);
    assert_int_equal(it.id, first);
    outbox_item_clear(&it);
}

/* A store that cannot be written (read-only medium, remounted ro) refuses the order. */
static void unwritable_store_refuses_the_order(void **state)
{
    Fixture *f = *state;
    int64_t id = -1;
    sqlite3 *db = store_db(f->s);
    assert_int_equal(sqlite3_exec(db, "PRAGMA query_only = ON", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(outbox_put(f->ob, "idem-ro", ORDER_JSON, 1, &id), KIOSK_E_IO);
    assert_int_equal(id, -1);
    assert_int_equal(sqlite3_exec(db, "PRAGMA query_only = OFF", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(outbox_depth(f->ob), 0);
    assert_int_equal(outbox_put(f->ob, "idem-ro", ORDER_JSON, 2, &id), KIOSK_OK);
    assert_int_equal(outbox_depth(f->ob), 1);
}

/* ---- a VFS shim that counts fsyncs of the WAL -------------------------------------------- */

typedef struct CountFile {
    sqlite3_file base;  /* pMethods = &COUNT_IO */
    int *wal_syncs;     /* NULL unless this is the WAL */
    sqlite3_file *real; /* the wrapped file, stored right after this struct */
} CountFile;

#define REAL(f) (((CountFile *)(f))->real)

static int c_close(sqlite3_file *f)
{
    return REAL(f)->pMethods->xClose(REAL(f));
}
static int c_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{
    return REAL(f)->pMethods->xRead(REAL(f), b, n, o);
}
static int c_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
    return REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int c_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int c_sync(sqlite3_file *f, int flags)
{
    CountFile *cf = (CountFile *)f;
    if (cf->wal_syncs)
        (*cf->wal_syncs)++;
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int c_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int c_lock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int c_unlock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int c_reserved(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int c_fcntl(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int c_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int c_device(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int c_shm_map(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, pp);
}
static int c_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void c_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int c_shm_unmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}
static int c_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **pp)
{
    return REAL(f)->pMethods->xFetch(REAL(f), o, n, pp);
}
static int c_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p)
{
    return REAL(f)->pMethods->xUnfetch(REAL(f), o, p);
}

static const sqlite3_io_methods COUNT_IO = {
    .iVersion = 3,
    .xClose = c_close,
    .xRead = c_read,
    .xWrite = c_write,
    .xTruncate = c_truncate,
    .xSync = c_sync,
    .xFileSize = c_size,
    .xLock = c_lock,
    .xUnlock = c_unlock,
    .xCheckReservedLock = c_reserved,
    .xFileControl = c_fcntl,
    .xSectorSize = c_sector,
    .xDeviceCharacteristics = c_device,
    .xShmMap = c_shm_map,
    .xShmLock = c_shm_lock,
    .xShmBarrier = c_shm_barrier,
    .xShmUnmap = c_shm_unmap,
    .xFetch = c_fetch,
    .xUnfetch = c_unfetch,
};

static int c_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags,
                  int *out_flags)
{
    sqlite3_vfs *base = sqlite3_vfs_find("unix");
    CountFile *cf = (CountFile *)f;
    cf->real = (sqlite3_file *)(cf + 1);
    cf->wal_syncs = (flags & SQLITE_OPEN_WAL) ? vfs->pAppData : NULL;
    int rc = base->xOpen(base, name, cf->real, flags, out_flags);
    cf->base.pMethods = rc == SQLITE_OK && cf->real->pMethods ? &COUNT_IO : NULL;
    return rc;
}

/* outbox_put returns only after the WAL holding the order has been fsync'd: counted at
 * the VFS, under the store's own settings; synchronous=NORMAL, the control, would not. */
static void put_returns_after_the_wal_is_fsynced(void **state)
{
    Fixture *f = *state;
    static sqlite3_vfs counting; /* registered while the test runs */
    static int wal_syncs;
    sqlite3_vfs *base = sqlite3_vfs_find("unix");
    assert_non_null(base);
    close_both(f);
    counting = *base;
    counting.zName = "kiosk-count";
    counting.szOsFile = (int)sizeof(CountFile) + base->szOsFile;
    counting.xOpen = c_open;
    counting.pAppData = &wal_syncs;
    assert_int_equal(sqlite3_vfs_register(&counting, 1), SQLITE_OK); /* the default now */
    open_both(f);

    int64_t id = 0;
    int before = wal_syncs;
    assert_int_equal(outbox_put(f->ob, "idem-sync", ORDER_JSON, 1, &id), KIOSK_OK);
    assert_true(wal_syncs > before);

    assert_int_equal(sqlite3_exec(store_db(f->s), "PRAGMA synchronous = NORMAL", NULL, NULL, NULL),
                     SQLITE_OK);
    before = wal_syncs;
    assert_int_equal(outbox_put(f->ob, "idem-nosync", ORDER_JSON, 1, &id), KIOSK_OK);
    assert_int_equal(wal_syncs, before); /* the shim sees the difference */

    close_both(f);
    sqlite3_vfs_unregister(&counting);
    sqlite3_vfs_register(base, 1);
    open_both(f);
}

static void order_survives_kill_9_right_after_put(void **state)
{
    Fixture *f = *state;
    close_both(f); /* the child opens its own, as a fresh process would */
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        KioskErr err;
        int64_t id;
        Store *s = store_open(f->db, &err);
        Outbox *ob = s ? outbox_open(s, f->key, &err) : NULL;
        if (!ob || outbox_put(ob, "idem-crash", ORDER_JSON, 77, &id) != KIOSK_OK)
            _exit(1);
        kill(getpid(), SIGKILL); /* no close, no checkpoint, no atexit */
        _exit(2);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);

    open_both(f);
    assert_int_equal(outbox_depth(f->ob), 1);
    OutboxItem it;
    assert_int_equal(outbox_next_due(f->ob, 77, &it), KIOSK_OK);
    assert_string_equal(it.idempotency_key, "idem-crash");
    assert_string_equal(it.payload, ORDER_JSON);
    int64_t again = 0;
    assert_int_equal(outbox_put(f->ob, "idem-crash", ORDER_JSON, 78, &again), KIOSK_OK);
    assert_int_equal(again, it.id); /* a retry of the same order after the crash: once */
    assert_int_equal(outbox_depth(f->ob), 1);
    outbox_item_clear(&it);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(round_trip_decrypts_to_the_same_json, setup, teardown),
        cmocka_unit_test_setup_teardown(same_idempotency_key_is_one_record, setup, teardown),
        cmocka_unit_test_setup_teardown(key_file_is_0600_and_reused, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_key_file_is_refused_not_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(tampered_record_is_dead_lettered, setup, teardown),
        cmocka_unit_test_setup_teardown(backoff_grows_is_capped_and_jittered, setup, teardown),
        cmocka_unit_test_setup_teardown(mark_dead_keeps_the_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_input_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(full_database_refuses_and_keeps_earlier_orders, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(unwritable_store_refuses_the_order, setup, teardown),
        cmocka_unit_test_setup_teardown(put_returns_after_the_wal_is_fsynced, setup, teardown),
        cmocka_unit_test_setup_teardown(order_survives_kill_9_right_after_put, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
