/* shopper.h: what the offline and crash tests share: the development central service
 * (tests/central/harness.h) that can be stopped and brought back on the same port and
 * database, a demo member who can order (payment on file, a saved address) with the text a
 * scanner types for them, a kiosk configured for that service, a finger that walks the
 * ordering journey through the control socket, and reads of the kiosk's outbox with SQLite.
 * Single-threaded; every function that talks to a kiosk returns false (with why) when the
 * kiosk stops answering, so a test that kills kiosks can tell a dead one from a broken one. */
#ifndef KIOSK_TEST_SHOPPER_H
#define KIOSK_TEST_SHOPPER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness.h"
#include "kiosk_proc.h"

#define SHOP_WHY_MAX  4096
#define SHOP_KEYS_MAX 1024 /* outbox records a test reads back */
#define SHOP_KEY_MAX  129  /* an Idempotency-Key and its NUL */

typedef struct Shop {
    TestCentral central;
    char member[64];     /* a demo member with payment on file and an address */
    char scan_line[700]; /* their member token as a scanner types it, "\n" included */
} Shop;

/* Starts central --seed demo, picks the member and mints their token. Fails the test if
 * any of that does not work. */
void shop_open(Shop *s);
/* Stops central and removes its folder. */
void shop_close(Shop *s);
/* SIGTERM to central, waiting for it to exit; its folder, database and port stay. */
void shop_central_stop(Shop *s);
/* Starts central again on the same port and database; fails the test if it does not answer. */
void shop_central_restart(Shop *s);

/* Starts a kiosk for the service; data_dir NULL gives it a fresh one of its own. */
bool shop_kiosk_start(const Shop *s, KioskProc *k, const char *data_dir);
/* DATA_DIR/kiosk.db of a kiosk started with data_dir NULL. */
const char *shop_kiosk_db(const KioskProc *k, char *buf, size_t size);
/* Waits until the kiosk's local store has a whole sync behind it (its last_sync cursor). */
bool shop_await_synced(const char *db_path, int timeout_ms);

/* A "ui" reply (the caller's), or NULL if the kiosk did not answer. */
json_t *shop_ui(KioskProc *k);
/* The text of widget id in a ui reply, or NULL (borrowed). */
const char *shop_text(json_t *ui, const char *id);
/* Presses id until the kiosk says that widget took the touch (an overlay can be passing). */
bool shop_press(KioskProc *k, const char *id, char *why);
bool shop_await_screen(KioskProc *k, const char *screen, int timeout_ms, char *why);
/* The ui reply holding widget id (enabled, if asked) and, if contains is not NULL, with that
 * in its text; NULL (and why) if it never showed within timeout_ms. */
json_t *shop_await_widget(KioskProc *k, const char *id, bool enabled, const char *contains,
                          int timeout_ms, char *why);

/* attract -> start -> scanner sign-in -> home (the member signed in). */
bool shop_sign_in(const Shop *s, KioskProc *k, char *why);
/* Waits until the home screen shows what the service said about the member (their points):
 * from then on the session knows their payment card and addresses, even offline. */
bool shop_await_profile(KioskProc *k, char *why);
/* home -> jackets -> product_widget ("product-0") -> size M -> add to bag (product screen). */
bool shop_pick_jacket(KioskProc *k, const char *product_widget, char *why);
/* product -> bag -> checkout, until "place-order" is enabled. */
bool shop_to_checkout(KioskProc *k, char *why);

/* The outbox as the kiosk left it in db_path: every record's key in id order (at most max,
 * keys[i] SHOP_KEY_MAX bytes), and how many are pending, sent and dead. -1 if the file
 * could not be read (no outbox yet counts as 0 records). */
typedef struct OutboxRows {
    int count, pending, sent, dead;
    char (*keys)[SHOP_KEY_MAX];
    char (*states)[8];
} OutboxRows;
int shop_outbox_read(const char *db_path, OutboxRows *rows, int max);
void shop_outbox_free(OutboxRows *rows);

void shop_pause_ms(int ms);
long shop_now_ms(void);

#endif
