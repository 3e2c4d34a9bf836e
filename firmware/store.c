/* store.c: the local SQLite database (see store.h and docs/storage.md): opening with the
 * durability settings, the migrations table, sync cursors and the SQLite-to-KioskErr edge.
 * One connection per Store, used by the thread that opened it. No globals. */
#include "store.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define MOD "store"

struct Store {
    sqlite3 *db;
};

typedef struct Migration {
    int version; /* user_version once this migration has run */
    const char *sql;
} Migration;

/* Append only: a migration that has shipped is never edited, a change is a new entry.
 * Each runs in its own transaction together with the user_version bump. */
static const Migration MIGRATIONS[] = {
    {1, "CREATE TABLE stores("
        "  id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,"
        "  lat REAL, lon REAL, updated_at INTEGER NOT NULL);"
        "CREATE TABLE products("
        "  id TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT,"
        "  price_cents INTEGER NOT NULL CHECK (price_cents >= 0), currency TEXT NOT NULL,"
        "  active INTEGER NOT NULL DEFAULT 1, updated_at INTEGER NOT NULL);"
        "CREATE TABLE variants("
        "  id TEXT PRIMARY KEY,"
        "  product_id TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,"
        "  size TEXT, colour TEXT, gtin TEXT, updated_at INTEGER NOT NULL);"
        "CREATE INDEX variants_product ON variants(product_id);"
        "CREATE TABLE stock("
        "  variant_id TEXT NOT NULL REFERENCES variants(id) ON DELETE CASCADE,"
        "  location_id TEXT NOT NULL, qty INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
        "  PRIMARY KEY (variant_id, location_id));"
        "CREATE TABLE images("
        "  url TEXT PRIMARY KEY, path TEXT NOT NULL, bytes INTEGER NOT NULL,"
        "  last_used INTEGER NOT NULL);"
        "CREATE TABLE affinity("
        "  product_a TEXT NOT NULL, product_b TEXT NOT NULL, score REAL NOT NULL,"
        "  PRIMARY KEY (product_a, product_b));"
        "CREATE TABLE sync_cursors(name TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE outbox("
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
        "  idempotency_key TEXT NOT NULL UNIQUE,"
        "  nonce BLOB NOT NULL, ciphertext BLOB NOT NULL,"
        "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),"
        "  attempts INTEGER NOT NULL DEFAULT 0,"
        "  next_attempt_at INTEGER NOT NULL, created_at INTEGER NOT NULL);"},
    {2, "ALTER TABLE outbox ADD COLUMN order_id TEXT;"
        "ALTER TABLE outbox ADD COLUMN last_error TEXT;"
        "ALTER TABLE outbox ADD COLUMN dead_reason TEXT;"
        "CREATE INDEX outbox_due ON outbox(state, next_attempt_at, id);"
        "CREATE INDEX stock_location ON stock(location_id);"
        "CREATE INDEX images_last_used ON images(last_used);"},
    /* The catalog as the product form has it (catalog.c), store addresses for distances,
     * the order of variants, product popularity, and indexes for browse, GTIN look-ups and
     * affinity in reverse. Defaults let rows written by schema 2 stay valid. */
    {3, "ALTER TABLE stores ADD COLUMN city TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE stores ADD COLUMN timezone TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE products ADD COLUMN brand TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE products ADD COLUMN description TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE products ADD COLUMN image_url TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE products ADD COLUMN replenishable INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE products ADD COLUMN replenish_days INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE products ADD COLUMN popularity REAL NOT NULL DEFAULT 0;"
        "ALTER TABLE variants ADD COLUMN colour_hex TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE variants ADD COLUMN price_cents INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE variants ADD COLUMN image_url TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE variants ADD COLUMN position INTEGER NOT NULL DEFAULT 0;"
        "CREATE INDEX products_category ON products(active, category, name);"
        "CREATE INDEX variants_gtin ON variants(gtin);"
        "CREATE INDEX affinity_b ON affinity(product_b);"},
};

#define MIGRATION_COUNT (sizeof MIGRATIONS / sizeof MIGRATIONS[0])
_Static_assert(MIGRATION_COUNT == STORE_SCHEMA_VERSION, "one migration per schema version");

KioskErr store_sqlite_err(int rc, const char *what)
{
    KioskErr err;
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return KIOSK_OK;
    case SQLITE_FULL:
        err = KIOSK_E_FULL;
        break;
    case SQLITE_NOMEM:
        err = KIOSK_E_NOMEM;
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        err = KIOSK_E_TIMEOUT;
        break;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
        err = KIOSK_E_INVALID;
        break;
    case SQLITE_TOOBIG:
        err = KIOSK_E_TOOBIG;
        break;
    default: /* IOERR, READONLY, CANTOPEN, CORRUPT, NOTADB, PERM, ... */
        err = KIOSK_E_IO;
        break;
    }
    /* The code and its generic text only: sqlite3_errmsg can quote values. */
    log_error(MOD, "%s failed: sqlite %d (%s) -> %s", what ? what : "sqlite", rc,
              sqlite3_errstr(rc), kerr_name(err));
    return err;
}

static KioskErr exec(Store *s, const char *sql, const char *what)
{
    return store_sqlite_err(sqlite3_exec(s->db, sql, NULL, NULL, NULL), what);
}

KioskErr store_begin(Store *s)
{
    return exec(s, "BEGIN IMMEDIATE", "begin");
}

void store_rollback(Store *s)
{
    /* SQLite may already have rolled back by itself (SQLITE_FULL, I/O errors). */
    if (sqlite3_get_autocommit(s->db))
        return;
    (void)exec(s, "ROLLBACK", "rollback");
}

KioskErr store_commit(Store *s)
{
    KioskErr err = exec(s, "COMMIT", "commit");
    if (err != KIOSK_OK)
        store_rollback(s);
    return err;
}

/* Reads a single-integer pragma. */
static KioskErr pragma_int(Store *s, const char *sql, int *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_ERROR; /* a pragma that answers nothing */
    }
    sqlite3_finalize(st);
    return store_sqlite_err(rc, sql);
}

int store_schema_version(Store *s)
{
    int v = -1;
    if (!s || pragma_int(s, "PRAGMA user_version", &v) != KIOSK_OK)
        return -1;
    return v;
}

/* journal_mode answers the mode it ended up in; anything but WAL is a failure (a
 * read-only medium, a VFS without shared memory). */
static KioskErr set_wal(Store *s)
{
    sqlite3_stmt *st = NULL;
    KioskErr err = KIOSK_E_IO;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        err = store_sqlite_err(rc, "journal_mode=WAL");
        goto out;
    }
    const unsigned char *mode = sqlite3_column_text(st, 0);
    if (!mode || strcmp((const char *)mode, "wal") != 0) {
        log_error(MOD, "journal_mode=WAL refused (mode %s)", mode ? (const char *)mode : "?");
        goto out;
    }
    err = KIOSK_OK;
out:
    sqlite3_finalize(st);
    return err;
}

/* Runs the migrations the file lacks. The version is read again inside each write
 * transaction, so two processes opening one file at once cannot both run a migration. */
static KioskErr migrate(Store *s)
{
    KioskErr err = KIOSK_OK;
    char sql[64];
    int v = 0;

    for (;;) {
        err = store_begin(s);
        if (err != KIOSK_OK)
            goto out;
        err = pragma_int(s, "PRAGMA user_version", &v);
        if (err != KIOSK_OK)
            goto out;
        if (v > STORE_SCHEMA_VERSION || v < 0) {
            log_error(MOD, "database schema %d is newer than this firmware's (%d): refused", v,
                      STORE_SCHEMA_VERSION);
            err = KIOSK_E_STATE;
            goto out;
        }
        if (v == STORE_SCHEMA_VERSION)
            break;
        const Migration *m = &MIGRATIONS[v];
        if (m->version != v + 1) {
            log_error(MOD, "migration table out of order at %d", v);
            err = KIOSK_E_STATE;
            goto out;
        }
        err = exec(s, m->sql, "migration");
        if (err != KIOSK_OK) {
            log_error(MOD, "migration to schema %d failed", m->version);
            goto out;
        }
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", m->version);
        err = exec(s, sql, "user_version");
        if (err != KIOSK_OK)
            goto out;
        err = store_commit(s);
        if (err != KIOSK_OK)
            goto out;
        log_info(MOD, "database migrated to schema %d", m->version);
    }
    store_rollback(s); /* nothing was written in the last, read-only transaction */
out:
    if (err != KIOSK_OK)
        store_rollback(s);
    return err;
}

Store *store_open(const char *path, KioskErr *err)
{
    KioskErr e = KIOSK_OK;
    Store *s = NULL;
    int rc, version = 0;

    if (!path || !*path) {
        e = KIOSK_E_INVALID;
        goto out;
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        e = KIOSK_E_NOMEM;
        goto out;
    }
    rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        e = store_sqlite_err(rc, "open");
        goto out;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
    /* Refuse a newer schema before anything writes to the file (journal_mode=WAL does);
     * migrate() checks again under the write lock. */
    e = pragma_int(s, "PRAGMA user_version", &version);
    if (e != KIOSK_OK)
        goto out;
    if (version > STORE_SCHEMA_VERSION) {
        log_error(MOD, "database schema %d is newer than this firmware's (%d): refused", version,
                  STORE_SCHEMA_VERSION);
        e = KIOSK_E_STATE;
        goto out;
    }
    e = set_wal(s);
    if (e != KIOSK_OK)
        goto out;
    /* FULL: in WAL mode every commit fsyncs the WAL, so a committed order survives a
     * power cut (NORMAL would only guarantee consistency, not the last commits). */
    e = exec(s, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", "pragmas");
    if (e != KIOSK_OK)
        goto out;
    e = migrate(s);
out:
    if (e != KIOSK_OK) {
        store_close(s);
        s = NULL;
    }
    if (err)
        *err = e;
    return s;
}

void store_close(Store *s)
{
    if (!s)
        return;
    int rc = sqlite3_close(s->db); /* NULL is a harmless no-op */
    if (rc != SQLITE_OK)
        (void)store_sqlite_err(rc, "close"); /* a statement left unfinalized: a bug */
    free(s);
}

sqlite3 *store_db(Store *s)
{
    return s ? s->db : NULL;
}

static bool name_ok(const char *name)
{
    if (!name)
        return false;
    size_t n = strnlen(name, STORE_CURSOR_NAME_MAX + 1);
    return n > 0 && n <= STORE_CURSOR_NAME_MAX;
}

KioskErr store_cursor_get(Store *s, const char *name, char *buf, size_t size)
{
    sqlite3_stmt *st = NULL;
    KioskErr err = KIOSK_E_INVALID;
    int rc;

    if (!s || !name_ok(name) || !buf || size == 0)
        goto out;
    rc = sqlite3_prepare_v2(s->db, "SELECT value FROM sync_cursors WHERE name = ?", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        err = KIOSK_E_NOTFOUND;
        goto out;
    }
    if (rc != SQLITE_ROW) {
        err = store_sqlite_err(rc, "cursor_get");
        goto out;
    }
    const unsigned char *v = sqlite3_column_text(st, 0);
    size_t n = (size_t)sqlite3_column_bytes(st, 0);
    if (n + 1 > size) {
        err = KIOSK_E_TOOBIG;
        goto out;
    }
    if (n > 0)
        memcpy(buf, v, n);
    buf[n] = '\0';
    err = KIOSK_OK;
out:
    sqlite3_finalize(st);
    return err;
}

KioskErr store_cursor_set(Store *s, const char *name, const char *value)
{
    sqlite3_stmt *st = NULL;
    KioskErr err = KIOSK_E_INVALID;
    int rc;

    if (!s || !name_ok(name) || !value)
        goto out;
    if (strnlen(value, STORE_CURSOR_MAX + 1) > STORE_CURSOR_MAX) {
        err = KIOSK_E_TOOBIG;
        goto out;
    }
    rc = sqlite3_prepare_v2(s->db,
                            "INSERT INTO sync_cursors(name, value) VALUES (?, ?) "
                            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                            -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    err = store_sqlite_err(rc, "cursor_set");
out:
    sqlite3_finalize(st);
    return err;
}
