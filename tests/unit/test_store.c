/* test_store.c: the local database on real SQLite files in a temp dir: schema creation,
 * migration of an older file, refusal of a newer one, cursors, and the error edge. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "store.h"

typedef struct Fixture {
    char dir[64];
    char db[128];
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/%s", f->dir, STORE_FILE_NAME);
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
    nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* A raw connection, as an older firmware or another tool would have it. */
static sqlite3 *raw_open(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    return db;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
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

static void fresh_open_creates_schema(void **state)
{
    Fixture *f = *state;
    KioskErr err = KIOSK_E_IO;
    Store *s = store_open(f->db, &err);
    assert_non_null(s);
    assert_int_equal(err, KIOSK_OK);
    assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
    sqlite3 *db = store_db(s);
    assert_int_equal(raw_int(db, "PRAGMA synchronous"), 2); /* FULL */
    assert_int_equal(raw_int(db, "PRAGMA foreign_keys"), 1);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                 "name IN ('stores', 'products', 'variants', 'stock', 'images', "
                                 "'affinity', 'sync_cursors', 'outbox')"),
                     8);
    /* Migration 2's columns and index are there. */
    raw_exec(db, "SELECT order_id, last_error, dead_reason FROM outbox");
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'outbox_due'"),
                     1);
    store_close(s);
}

static void reopen_is_a_no_op(void **state)
{
    Fixture *f = *state;
    KioskErr err;
    Store *s = store_open(f->db, &err);
    assert_non_null(s);
    raw_exec(store_db(s), "INSERT INTO products(id, name, price_cents, currency, updated_at) "
                          "VALUES ('p1', 'Coat', 12900, 'EUR', 100)");
    assert_int_equal(store_cursor_set(s, "catalog", "c-42"), KIOSK_OK);
    int64_t cookie = raw_int(store_db(s), "PRAGMA schema_version");
    store_close(s);

    s = store_open(f->db, &err);
    assert_non_null(s);
    assert_int_equal(err, KIOSK_OK);
    assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
    assert_int_equal(raw_int(store_db(s), "PRAGMA schema_version"), cookie); /* no DDL ran */
    assert_int_equal(raw_int(store_db(s), "SELECT count(*) FROM products"), 1);
    char buf[STORE_CURSOR_MAX + 1];
    assert_int_equal(store_cursor_get(s, "catalog", buf, sizeof buf), KIOSK_OK);
    assert_string_equal(buf, "c-42");
    store_close(s);
}

/* Schema 1 exactly as the first firmware shipped it: frozen here on purpose. */
static const char SCHEMA_V1[] =
    "CREATE TABLE stores(id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,"
    "  lat REAL, lon REAL, updated_at INTEGER NOT NULL);"
    "CREATE TABLE products(id TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT,"
    "  price_cents INTEGER NOT NULL CHECK (price_cents >= 0), currency TEXT NOT NULL,"
    "  active INTEGER NOT NULL DEFAULT 1, updated_at INTEGER NOT NULL);"
    "CREATE TABLE variants(id TEXT PRIMARY KEY,"
    "  product_id TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,"
    "  size TEXT, colour TEXT, gtin TEXT, updated_at INTEGER NOT NULL);"
    "CREATE INDEX variants_product ON variants(product_id);"
    "CREATE TABLE stock(variant_id TEXT NOT NULL REFERENCES variants(id) ON DELETE CASCADE,"
    "  location_id TEXT NOT NULL, qty INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (variant_id, location_id));"
    "CREATE TABLE images(url TEXT PRIMARY KEY, path TEXT NOT NULL, bytes INTEGER NOT NULL,"
    "  last_used INTEGER NOT NULL);"
    "CREATE TABLE affinity(product_a TEXT NOT NULL, product_b TEXT NOT NULL,"
    "  score REAL NOT NULL, PRIMARY KEY (product_a, product_b));"
    "CREATE TABLE sync_cursors(name TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE outbox(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  idempotency_key TEXT NOT NULL UNIQUE, nonce BLOB NOT NULL, ciphertext BLOB NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at INTEGER NOT NULL, created_at INTEGER NOT NULL);";

static void migrates_a_version_1_file(void **state)
{
    Fixture *f = *state;
    sqlite3 *db = raw_open(f->db);
    raw_exec(db, SCHEMA_V1);
    raw_exec(db, "INSERT INTO products(id, name, price_cents, currency, updated_at) "
                 "VALUES ('p1', 'Coat', 12900, 'EUR', 100);"
                 "INSERT INTO variants(id, product_id, size, updated_at) "
                 "VALUES ('v1', 'p1', 'M', 100);"
                 "INSERT INTO stock VALUES ('v1', 'store-7', 3, 100);"
                 "INSERT INTO sync_cursors VALUES ('catalog', 'c-1');"
                 "INSERT INTO outbox(idempotency_key, nonce, ciphertext, next_attempt_at, "
                 "created_at) VALUES ('k1', x'00', x'00', 5, 5);"
                 "PRAGMA user_version = 1;");
    sqlite3_close(db);

    KioskErr err = KIOSK_E_IO;
    Store *s = store_open(f->db, &err);
    assert_non_null(s);
    assert_int_equal(err, KIOSK_OK);
    assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
    db = store_db(s);
    assert_int_equal(raw_int(db, "SELECT qty FROM stock WHERE variant_id = 'v1'"), 3);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM outbox WHERE idempotency_key = 'k1' "
                                 "AND order_id IS NULL AND dead_reason IS NULL"),
                     1);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'outbox_due'"),
                     1);
    char buf[16];
    assert_int_equal(store_cursor_get(s, "catalog", buf, sizeof buf), KIOSK_OK);
    assert_string_equal(buf, "c-1");
    store_close(s);
}

/* A migration that fails half-way leaves the file at the last whole version. */
static void failed_migration_is_rolled_back(void **state)
{
    Fixture *f = *state;
    sqlite3 *db = raw_open(f->db);
    raw_exec(db, SCHEMA_V1);
    /* Migration 2 adds order_id and last_error, then fails on this column. */
    raw_exec(db, "ALTER TABLE outbox ADD COLUMN dead_reason TEXT;"
                 "INSERT INTO sync_cursors VALUES ('catalog', 'c-1');"
                 "PRAGMA user_version = 1;");
    sqlite3_close(db);

    KioskErr err = KIOSK_OK;
    assert_null(store_open(f->db, &err));
    assert_int_not_equal(err, KIOSK_OK);
    db = raw_open(f->db);
    assert_int_equal(raw_int(db, "PRAGMA user_version"), 1);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM pragma_table_info('outbox') "
                                 "WHERE name IN ('order_id', 'last_error')"),
                     0);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'outbox_due'"),
                     0);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sync_cursors"), 1);
    sqlite3_close(db);
}

static void newer_database_is_refused(void **state)
{
    Fixture *f = *state;
    char sql[64];
    sqlite3 *db = raw_open(f->db);
    raw_exec(db, "CREATE TABLE future(x)");
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", STORE_SCHEMA_VERSION + 1);
    raw_exec(db, sql);
    sqlite3_close(db);

    KioskErr err = KIOSK_OK;
    assert_null(store_open(f->db, &err));
    assert_int_equal(err, KIOSK_E_STATE);
    db = raw_open(f->db); /* left as it was */
    assert_int_equal(raw_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION + 1);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'outbox'"), 0);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "delete"); /* not even WAL */
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void cursors(void **state)
{
    Fixture *f = *state;
    KioskErr err;
    Store *s = store_open(f->db, &err);
    assert_non_null(s);
    char buf[8];
    assert_int_equal(store_cursor_get(s, "stock", buf, sizeof buf), KIOSK_E_NOTFOUND);
    assert_int_equal(store_cursor_set(s, "stock", "1"), KIOSK_OK);
    assert_int_equal(store_cursor_set(s, "stock", "1234567"), KIOSK_OK);
    assert_int_equal(store_cursor_get(s, "stock", buf, sizeof buf), KIOSK_OK);
    assert_string_equal(buf, "1234567");
    assert_int_equal(store_cursor_set(s, "stock", "12345678"), KIOSK_OK);
    assert_int_equal(store_cursor_get(s, "stock", buf, sizeof buf), KIOSK_E_TOOBIG);
    char big[STORE_CURSOR_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(store_cursor_set(s, "stock", big), KIOSK_E_TOOBIG);
    assert_int_equal(store_cursor_set(s, "", "1"), KIOSK_E_INVALID);
    store_close(s);
}

static void unopenable_path_is_io(void **state)
{
    KioskErr err = KIOSK_OK;
    assert_null(store_open("/nonexistent-dir-for-test/kiosk.db", &err));
    assert_int_equal(err, KIOSK_E_IO);
    assert_null(store_open("", &err));
    assert_int_equal(err, KIOSK_E_INVALID);
    store_close(NULL);
}

static void sqlite_codes_map_at_the_edge(void **state)
{
    assert_int_equal(store_sqlite_err(SQLITE_OK, "t"), KIOSK_OK);
    assert_int_equal(store_sqlite_err(SQLITE_DONE, "t"), KIOSK_OK);
    assert_int_equal(store_sqlite_err(SQLITE_FULL, "t"), KIOSK_E_FULL);
    assert_int_equal(store_sqlite_err(SQLITE_IOERR_WRITE, "t"), KIOSK_E_IO);
    assert_int_equal(store_sqlite_err(SQLITE_IOERR_FSYNC, "t"), KIOSK_E_IO);
    assert_int_equal(store_sqlite_err(SQLITE_READONLY, "t"), KIOSK_E_IO);
    assert_int_equal(store_sqlite_err(SQLITE_CANTOPEN, "t"), KIOSK_E_IO);
    assert_int_equal(store_sqlite_err(SQLITE_CONSTRAINT_UNIQUE, "t"), KIOSK_E_INVALID);
    assert_int_equal(store_sqlite_err(SQLITE_BUSY, "t"), KIOSK_E_TIMEOUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(fresh_open_creates_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(reopen_is_a_no_op, setup, teardown),
        cmocka_unit_test_setup_teardown(migrates_a_version_1_file, setup, teardown),
        cmocka_unit_test_setup_teardown(failed_migration_is_rolled_back, setup, teardown),
        cmocka_unit_test_setup_teardown(newer_database_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(cursors, setup, teardown),
        cmocka_unit_test(unopenable_path_is_io),
        cmocka_unit_test(sqlite_codes_map_at_the_edge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
