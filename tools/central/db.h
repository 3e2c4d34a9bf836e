/* db.h: the central service's SQLite file: schema, opening, and a few statement helpers
 * that map SQLite codes to KioskErr at this edge (the original is logged here).
 * A sqlite3 handle is used by one thread at a time (callers hold Central.lock). */
#ifndef CENTRAL_DB_H
#define CENTRAL_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kerr.h"

/* Opens (creating if needed) the database and its schema. */
KioskErr db_open(const char *path, sqlite3 **out);
void db_close(sqlite3 *db);

/* Runs SQL with no results. */
KioskErr db_exec(sqlite3 *db, const char *sql);
/* Prepares sql; on failure logs and returns KIOSK_E_IO. */
KioskErr db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out);
/* One statement to prepare: its SQL and where the handle goes. */
typedef struct DbPrep {
    const char *sql;
    sqlite3_stmt **out;
} DbPrep;

/* Prepares every statement of list, stopping at the first failure (those prepared stay
 * in their slots; the caller finalizes all slots, NULL being harmless). */
KioskErr db_prepare_all(sqlite3 *db, const DbPrep *list, size_t n);

/* True if the products table holds anything (the demo seed ran). */
bool db_has_data(sqlite3 *db);
/* Next value of a named counter (catalog sequence, order numbers). */
KioskErr db_next_seq(sqlite3 *db, const char *name, int64_t *out);

/* Column text as a C string, "" for NULL. Borrowed until the next step/finalize. */
const char *db_text(sqlite3_stmt *st, int col);

#endif
