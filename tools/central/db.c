/* db.c: see db.h. The schema is the single source of truth for what the service stores;
 * times are Unix seconds (UTC), money is integer cents, JSON-shaped fields (opening
 * hours, sizes, preferences) are stored as JSON text. Stock figures carry a change sequence number
 * ("stock" counter) that every write bumps: the stock delta sync reads them in that order. */
#include "db.h"

#include <stddef.h>
#include <stdio.h>

#include "log.h"

static const char SCHEMA[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA foreign_keys=ON;"
    "CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS stores("
    " id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, address TEXT NOT NULL,"
    " city TEXT NOT NULL, postcode TEXT NOT NULL, phone TEXT NOT NULL, lat REAL NOT NULL,"
    " lon REAL NOT NULL, hours TEXT NOT NULL, timezone TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS products("
    " id TEXT PRIMARY KEY, name TEXT NOT NULL, brand TEXT NOT NULL, category TEXT NOT NULL,"
    " description TEXT NOT NULL, price_cents INTEGER NOT NULL, replenishable INTEGER NOT NULL,"
    " replenish_days INTEGER NOT NULL, active INTEGER NOT NULL DEFAULT 1,"
    " seq INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS products_seq ON products(seq);"
    "CREATE TABLE IF NOT EXISTS variants("
    " id TEXT PRIMARY KEY, product_id TEXT NOT NULL REFERENCES products(id),"
    " size TEXT NOT NULL, colour TEXT NOT NULL, colour_hex TEXT NOT NULL,"
    " gtin TEXT NOT NULL UNIQUE, price_cents INTEGER NOT NULL, position INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS variants_product ON variants(product_id);"
    "CREATE TABLE IF NOT EXISTS stock("
    " variant_id TEXT NOT NULL REFERENCES variants(id), store_id TEXT NOT NULL"
    " REFERENCES stores(id), qty INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " seq INTEGER NOT NULL, PRIMARY KEY(variant_id, store_id)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS stock_seq ON stock(seq);"
    "CREATE TABLE IF NOT EXISTS product_stats("
    " product_id TEXT PRIMARY KEY REFERENCES products(id), popularity INTEGER NOT NULL,"
    " related TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS members("
    " id TEXT PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL,"
    " email TEXT NOT NULL, language TEXT NOT NULL, tier TEXT NOT NULL,"
    " points INTEGER NOT NULL, sizes TEXT NOT NULL, payment_on_file INTEGER NOT NULL,"
    " home_store TEXT NOT NULL, member_since INTEGER NOT NULL,"
    " preferences TEXT NOT NULL DEFAULT '{\"fit\":null,\"colours\":[],\"styles\":[]}');"
    "CREATE TABLE IF NOT EXISTS staff("
    " id TEXT PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL,"
    " role TEXT NOT NULL CHECK(role IN ('staff','technician')),"
    " store_id TEXT NOT NULL REFERENCES stores(id), active INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS notes("
    " id TEXT PRIMARY KEY, member_id TEXT NOT NULL REFERENCES members(id),"
    " staff_id TEXT NOT NULL REFERENCES staff(id), store_id TEXT NOT NULL REFERENCES stores(id),"
    " text TEXT NOT NULL, created_at INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS notes_member ON notes(member_id, created_at);"
    "CREATE TABLE IF NOT EXISTS addresses("
    " id TEXT PRIMARY KEY, member_id TEXT NOT NULL REFERENCES members(id),"
    " label TEXT NOT NULL, line1 TEXT NOT NULL, city TEXT NOT NULL, region TEXT NOT NULL,"
    " postcode TEXT NOT NULL, is_default INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS offers("
    " id TEXT PRIMARY KEY, member_id TEXT NOT NULL REFERENCES members(id),"
    " product_id TEXT REFERENCES products(id), kind TEXT NOT NULL, value INTEGER NOT NULL,"
    " title TEXT NOT NULL, reason TEXT NOT NULL, code TEXT NOT NULL,"
    " starts_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, redeemed_order TEXT);"
    "CREATE TABLE IF NOT EXISTS orders("
    " id TEXT PRIMARY KEY, number TEXT NOT NULL UNIQUE, member_id TEXT NOT NULL,"
    " channel TEXT NOT NULL, store_id TEXT, device_id TEXT, associate TEXT, confirmed_by TEXT,"
    " status TEXT NOT NULL, shipping_option TEXT, address_id TEXT, offer_id TEXT,"
    " subtotal_cents INTEGER NOT NULL, discount_cents INTEGER NOT NULL,"
    " shipping_cents INTEGER NOT NULL, tax_cents INTEGER NOT NULL, total_cents INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL, delivery_from INTEGER, delivery_to INTEGER,"
    " idem_key TEXT UNIQUE, idem_body TEXT);"
    "CREATE INDEX IF NOT EXISTS orders_member ON orders(member_id, created_at);"
    "CREATE TABLE IF NOT EXISTS order_lines("
    " order_id TEXT NOT NULL REFERENCES orders(id), line INTEGER NOT NULL,"
    " variant_id TEXT NOT NULL, product_id TEXT NOT NULL, qty INTEGER NOT NULL,"
    " unit_cents INTEGER NOT NULL, discount_cents INTEGER NOT NULL DEFAULT 0,"
    " returned INTEGER NOT NULL DEFAULT 0, return_reason TEXT, PRIMARY KEY(order_id, line));"
    "CREATE INDEX IF NOT EXISTS lines_product ON order_lines(product_id);"
    "CREATE TABLE IF NOT EXISTS pairings("
    " id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, device_id TEXT, store_id TEXT,"
    " status TEXT NOT NULL, member_id TEXT, created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL, claimed_at INTEGER);"
    "CREATE TABLE IF NOT EXISTS fitting_requests("
    " id TEXT PRIMARY KEY, store_id TEXT NOT NULL, device_id TEXT, room TEXT NOT NULL,"
    " variant_id TEXT NOT NULL, member_id TEXT, status TEXT NOT NULL, associate TEXT,"
    " note TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS fitting_store ON fitting_requests(store_id, status, created_at);"
    "CREATE TABLE IF NOT EXISTS devices("
    " id TEXT PRIMARY KEY, serial TEXT NOT NULL UNIQUE, store_id TEXT NOT NULL,"
    " kind TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,"
    " enrolled_at INTEGER NOT NULL, last_seen INTEGER, status TEXT,"
    " cert_serial TEXT, cert_expires_at INTEGER, revoked_at INTEGER);"
    /* One-time codes from the device console; only a hash of the code is kept. */
    "CREATE TABLE IF NOT EXISTS enrollment_codes("
    " hash TEXT PRIMARY KEY, store_id TEXT NOT NULL REFERENCES stores(id), kind TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER,"
    " device_id TEXT);"
    /* A store's device configuration: its version (bumped by every change devices must
     * pick up) and the service PIN record. pin_demo: the PIN is still the seed's. */
    "CREATE TABLE IF NOT EXISTS store_config("
    " store_id TEXT PRIMARY KEY REFERENCES stores(id), version INTEGER NOT NULL,"
    " pin_salt TEXT, pin_hash TEXT, pin_iterations INTEGER, pin_set_at INTEGER,"
    " pin_demo INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS device_commands("
    " id TEXT PRIMARY KEY, device_id TEXT NOT NULL REFERENCES devices(id),"
    " command TEXT NOT NULL, created_at INTEGER NOT NULL, delivered_at INTEGER);"
    "CREATE INDEX IF NOT EXISTS device_commands_device ON device_commands(device_id,"
    " delivered_at);"
    /* The last screenshot a device sent for support (the operator's "screenshot"). */
    "CREATE TABLE IF NOT EXISTS device_screenshots("
    " device_id TEXT PRIMARY KEY REFERENCES devices(id), png BLOB NOT NULL,"
    " taken_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS handoffs("
    " code TEXT PRIMARY KEY, store_id TEXT NOT NULL, device_id TEXT, product_id TEXT,"
    " variant_id TEXT, items TEXT NOT NULL, created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL);";

KioskErr db_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        log_error("db", "exec failed (%d): %s", rc, msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return KIOSK_E_IO;
    }
    return KIOSK_OK;
}

KioskErr db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out)
{
    int rc = sqlite3_prepare_v2(db, sql, -1, out, NULL);
    if (rc != SQLITE_OK) {
        log_error("db", "prepare failed (%d): %s", rc, sqlite3_errmsg(db));
        *out = NULL;
        return KIOSK_E_IO;
    }
    return KIOSK_OK;
}

KioskErr db_prepare_all(sqlite3 *db, const DbPrep *list, size_t n)
{
    KioskErr err = KIOSK_OK;
    for (size_t i = 0; i < n && err == KIOSK_OK; i++)
        err = db_prepare(db, list[i].sql, list[i].out);
    return err;
}

/* Columns added to tables after their first release: a database made before gets them
 * on open (CREATE TABLE IF NOT EXISTS leaves an existing table as it was). */
static const struct {
    const char *table, *column, *decl;
} ADDED_COLUMNS[] = {
    {"devices", "cert_serial", "TEXT"},
    {"devices", "cert_expires_at", "INTEGER"},
    {"devices", "revoked_at", "INTEGER"},
};

static KioskErr add_missing_columns(sqlite3 *db)
{
    KioskErr err = KIOSK_OK;
    sqlite3_stmt *st = NULL;
    char sql[256];
    for (size_t i = 0; err == KIOSK_OK && i < sizeof ADDED_COLUMNS / sizeof ADDED_COLUMNS[0]; i++) {
        err = db_prepare(db, "SELECT 1 FROM pragma_table_info(?) WHERE name=?", &st);
        if (err != KIOSK_OK)
            break;
        sqlite3_bind_text(st, 1, ADDED_COLUMNS[i].table, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, ADDED_COLUMNS[i].column, -1, SQLITE_STATIC);
        bool present = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
        st = NULL;
        if (present)
            continue;
        snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN %s %s", ADDED_COLUMNS[i].table,
                 ADDED_COLUMNS[i].column, ADDED_COLUMNS[i].decl);
        log_info("db", "adding %s.%s", ADDED_COLUMNS[i].table, ADDED_COLUMNS[i].column);
        err = db_exec(db, sql);
    }
    return err;
}

KioskErr db_open(const char *path, sqlite3 **out)
{
    sqlite3 *db = NULL;
    KioskErr err = KIOSK_OK;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        log_error("db", "cannot open %s: %s", path, sqlite3_errstr(rc));
        err = KIOSK_E_IO;
        goto out;
    }
    sqlite3_busy_timeout(db, 5000);
    err = db_exec(db, SCHEMA);
    if (err == KIOSK_OK)
        err = add_missing_columns(db);
out:
    if (err != KIOSK_OK) {
        sqlite3_close(db);
        db = NULL;
    }
    *out = db;
    return err;
}

void db_close(sqlite3 *db)
{
    sqlite3_close(db);
}

bool db_has_data(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    bool has = false;
    if (db_prepare(db, "SELECT 1 FROM products LIMIT 1", &st) == KIOSK_OK)
        has = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return has;
}

KioskErr db_next_seq(sqlite3 *db, const char *name, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    KioskErr err = db_prepare(db,
                              "INSERT INTO counters(name, value) VALUES(?1, 1) "
                              "ON CONFLICT(name) DO UPDATE SET value = value + 1 "
                              "RETURNING value",
                              &st);
    if (err != KIOSK_OK)
        return err;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
    } else {
        log_error("db", "counter %s: %s", name, sqlite3_errmsg(db));
        err = KIOSK_E_IO;
    }
    sqlite3_finalize(st);
    return err;
}

const char *db_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? (const char *)t : "";
}
