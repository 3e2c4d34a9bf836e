/* store.h: the kiosk's local database (SQLite, WAL): catalog, stock, images metadata,
 * product affinity, sync cursors and the order outbox (outbox.h builds on this).
 * A Store is one connection, owned and used by one thread; a thread that needs the
 * database concurrently opens its own Store on the same file. The schema is versioned
 * with PRAGMA user_version and migrated on open. SQLite codes are mapped to KioskErr here
 * (see store_sqlite_err) with the original code logged, never row contents. */
#ifndef KIOSK_STORE_H
#define KIOSK_STORE_H

#include <stddef.h>

#include <sqlite3.h>

#include "kerr.h"

/* The schema version this firmware writes; a newer database is refused. */
#define STORE_SCHEMA_VERSION  3
#define STORE_BUSY_TIMEOUT_MS 5000
#define STORE_CURSOR_NAME_MAX 64         /* bytes of a sync cursor's name */
#define STORE_CURSOR_MAX      512        /* bytes of a sync cursor's value */
#define STORE_FILE_NAME       "kiosk.db" /* in the data directory */

typedef struct Store Store;

/* Opens (creating if needed) the database at path, sets WAL, synchronous=FULL, foreign
 * keys and a busy timeout, then runs every pending migration, one transaction each.
 * NULL on failure with *err set: KIOSK_E_STATE for a database newer than this firmware,
 * KIOSK_E_IO when the file cannot be opened or written, KIOSK_E_FULL for a full disk. */
Store *store_open(const char *path, KioskErr *err);
/* Closes the connection (the WAL is checkpointed by SQLite). NULL is a no-op. */
void store_close(Store *s);

/* The connection, for sibling modules (outbox) and tests. Borrowed; do not close it. */
sqlite3 *store_db(Store *s);

/* PRAGMA user_version as it is now, or -1 if it cannot be read. */
int store_schema_version(Store *s);

/* A sync cursor's value into buf. KIOSK_E_NOTFOUND if unset, KIOSK_E_TOOBIG if it does
 * not fit in size bytes (NUL included). */
KioskErr store_cursor_get(Store *s, const char *name, char *buf, size_t size);
/* Sets (inserting or replacing) a sync cursor, durably. KIOSK_E_TOOBIG over the limits. */
KioskErr store_cursor_set(Store *s, const char *name, const char *value);

/* Transactions for sibling modules. store_begin takes the write lock (BEGIN IMMEDIATE);
 * store_commit returns only once the commit is on disk, and rolls back if it fails;
 * store_rollback is a no-op when no transaction is open. */
KioskErr store_begin(Store *s);
KioskErr store_commit(Store *s);
void store_rollback(Store *s);

/* Maps an SQLite result code to KioskErr; when it is not a success, logs `what` and the
 * original (extended) code. SQLITE_FULL and ENOSPC -> KIOSK_E_FULL; I/O, read-only,
 * cannot-open, corrupt -> KIOSK_E_IO; busy/locked -> KIOSK_E_TIMEOUT; constraint ->
 * KIOSK_E_INVALID; too big -> KIOSK_E_TOOBIG; no memory -> KIOSK_E_NOMEM. */
KioskErr store_sqlite_err(int rc, const char *what);

#endif
