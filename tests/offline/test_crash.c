/* test_crash.c: kill -9 at random moments while orders are placed and sent, and nothing is
 * lost or doubled. One data directory for every life of the kiosk; each life is ended by
 * SIGKILL at a moment drawn from a seeded PRNG (the seed is printed; KIOSK_CRASH_SEED repeats
 * a run): while it starts and sends what earlier lives queued, in the middle of a journey, or
 * in the short window between "Place order" and the confirmation (the outbox write, the send,
 * the answer). Now and then the service is stopped after sign-in, so that orders queue, and
 * stays down for a few lives. Between lives the outbox is read with SQLite: a record once
 * there never goes away, and every confirmation the shopper saw has a record (the first
 * records of that life, in order). At the end a kiosk drains the outbox, and the service's
 * database shows every order the shopper was told about exactly once, no key twice, and no
 * order that is not in the device's outbox. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "test_filter.h"

#include "shopper.h"

#define KILLS_MIN  200
#define DRAIN_MS   150000 /* backoff of orders that failed a few times, plus a sync interval */
#define PLACE_MAX  400    /* ms after "Place order": the write, the send, the answer */
#define TOLD_AFTER 6500   /* offline, "Order received" shows after APP_ORDER_WAIT_MS (6 s) */

typedef struct Killer {
    pthread_t thread;
    pid_t pid;
    long at_ms; /* shop_now_ms() when to kill */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool cancel;
} Killer;

typedef struct World {
    Shop shop;
    char dir[64], data_dir[128], db[192];
    uint64_t rng;
    char (*stored)[SHOP_KEY_MAX]; /* every outbox record seen, in id order */
    int n_stored;
    char (*told)[SHOP_KEY_MAX]; /* the records whose confirmation the shopper saw */
    int n_told;
    int kills, lives_offline, placed, mode_count[3];
    /* where the kills after "Place order" landed: before the record was stored, stored and
     * not yet sent, sent but not yet shown, and after the confirmation showed */
    int before_store, before_send, before_shown, after_shown;
    char why[SHOP_WHY_MAX];
} World;

enum { MODE_START, MODE_JOURNEY, MODE_PLACE };

/* xorshift64*: a small PRNG whose runs a seed repeats. */
static uint64_t rnd(World *w)
{
    w->rng ^= w->rng >> 12;
    w->rng ^= w->rng << 25;
    w->rng ^= w->rng >> 27;
    return w->rng * 2685821657736338717ULL;
}

static int rnd_below(World *w, int n)
{
    return (int)(rnd(w) % (uint64_t)n);
}

static void *killer_run(void *arg)
{
    Killer *kl = arg;
    pthread_mutex_lock(&kl->lock);
    while (!kl->cancel) {
        long left = kl->at_ms - shop_now_ms();
        if (left <= 0) {
            kill(kl->pid, SIGKILL);
            break;
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += left / 1000;
        until.tv_nsec += (left % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&kl->cond, &kl->lock, &until);
    }
    pthread_mutex_unlock(&kl->lock);
    return NULL;
}

static void killer_arm(Killer *kl, pid_t pid, long at_ms)
{
    kl->pid = pid;
    kl->at_ms = at_ms;
    kl->cancel = false;
    pthread_mutex_init(&kl->lock, NULL);
    pthread_cond_init(&kl->cond, NULL);
    assert_int_equal(pthread_create(&kl->thread, NULL, killer_run, kl), 0);
}

static void killer_join(Killer *kl)
{
    pthread_join(kl->thread, NULL);
    pthread_mutex_destroy(&kl->lock);
    pthread_cond_destroy(&kl->cond);
}

static void print_log_tail(const KioskProc *k)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "tail -n 40 '%s' >&2", k->log);
    if (system(cmd) != 0)
        fprintf(stderr, "(no kiosk log)\n");
}

/* Reaps a kiosk the killer ended; fails if it died of anything but our SIGKILL. */
static void reap(World *w, KioskProc *k)
{
    int status = 0;
    assert_int_equal(waitpid(k->pid, &status, 0), k->pid);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
        print_log_tail(k);
        fail_msg("life %d: the kiosk ended by itself (status %#x) before the kill", w->kills,
                 status);
    }
    k->pid = 0;
    kiosk_proc_stop(k); /* closes the socket and removes its folder; the data dir stays */
}

/* After a life: no record went away, and every confirmation has its record. */
static void check_outbox(World *w, int told_now, bool placed, const char *what)
{
    OutboxRows rows;
    if (shop_outbox_read(w->db, &rows, SHOP_KEYS_MAX) != 0)
        fail_msg("life %d: the outbox could not be read", w->kills);
    assert_true(rows.count <= SHOP_KEYS_MAX);
    if (rows.count < w->n_stored)
        fail_msg("life %d (%s): %d outbox records before, %d now", w->kills, what, w->n_stored,
                 rows.count);
    for (int i = 0; i < w->n_stored; i++)
        if (strcmp(rows.keys[i], w->stored[i]) != 0)
            fail_msg("life %d (%s): outbox record %d changed its key", w->kills, what, i);
    int fresh = rows.count - w->n_stored;
    if (fresh < told_now)
        fail_msg("life %d (%s): the shopper saw %d confirmations but %d orders were stored",
                 w->kills, what, told_now, fresh);
    if (fresh > 1)
        fail_msg("life %d (%s): one order placed, %d records stored", w->kills, what, fresh);
    if (placed) {
        if (told_now)
            w->after_shown++;
        else if (fresh == 0)
            w->before_store++;
        else if (strcmp(rows.states[rows.count - 1], "pending") == 0)
            w->before_send++;
        else
            w->before_shown++;
    }
    for (int i = 0; i < told_now; i++)
        snprintf(w->told[w->n_told++], SHOP_KEY_MAX, "%s", rows.keys[w->n_stored + i]);
    for (int i = w->n_stored; i < rows.count; i++)
        snprintf(w->stored[i], SHOP_KEY_MAX, "%s", rows.keys[i]);
    w->n_stored = rows.count;
    shop_outbox_free(&rows);
}

/* Polls the kiosk until it dies; true if it showed the confirmation before it did. */
static bool watch_for_confirmation(KioskProc *k)
{
    bool told = false;
    for (;;) {
        json_t *st = kiosk_proc_cmd(k, "state", NULL);
        if (!st)
            return told; /* killed */
        const char *screen = json_string_value(json_object_get(st, "screen"));
        if (screen && strcmp(screen, "confirmation") == 0)
            told = true;
        json_decref(st);
        shop_pause_ms(2);
    }
}

/* One life of the kiosk, ended by SIGKILL. */
static void one_life(World *w, int mode, bool go_offline)
{
    KioskProc k;
    Killer kl;
    int told = 0;
    bool placed = false;
    char what[96];
    if (!shop_kiosk_start(&w->shop, &k, w->data_dir)) {
        print_log_tail(&k);
        fail_msg("life %d: the kiosk did not start", w->kills);
    }
    long t0 = shop_now_ms();
    switch (mode) {
    case MODE_START: { /* starting, opening the store, sending what earlier lives queued */
        int delay = rnd_below(w, 1000);
        snprintf(what, sizeof what, "start +%d ms", delay);
        killer_arm(&kl, k.pid, t0 + delay);
        watch_for_confirmation(&k);
        break;
    }
    case MODE_JOURNEY: /* anywhere in the journey, the order included */
    case MODE_PLACE: { /* between "Place order" and the confirmation, and just after */
        /* The write and the send take a few ms each: most kills go early in the window. */
        static const int spread[] = {10, 40, 120, PLACE_MAX};
        int delay =
            mode == MODE_JOURNEY ? rnd_below(w, 2500) : rnd_below(w, spread[rnd_below(w, 4)] + 1);
        if (go_offline && rnd_below(w, 3) == 0)
            delay = TOLD_AFTER + rnd_below(w, 800); /* sometimes long enough to be told */
        snprintf(what, sizeof what, "%s%s +%d ms", mode == MODE_JOURNEY ? "journey" : "place",
                 go_offline ? " offline" : "", delay);
        if (mode == MODE_JOURNEY)
            killer_arm(&kl, k.pid, t0 + delay);
        bool alive = shop_sign_in(&w->shop, &k, w->why);
        if (alive && go_offline && (alive = shop_await_profile(&k, w->why)))
            shop_central_stop(&w->shop); /* this order, and later lives' sends, will wait */
        alive = alive && shop_pick_jacket(&k, "product-0", w->why) && shop_to_checkout(&k, w->why);
        if (!alive && mode == MODE_PLACE) {
            print_log_tail(&k);
            fail_msg("life %d: %s", w->kills, w->why);
        }
        if (mode == MODE_PLACE)
            killer_arm(&kl, k.pid, shop_now_ms() + delay);
        if (alive) {
            json_t *r = kiosk_proc_cmd(&k, "press", json_pack("{s:s}", "id", "place-order"));
            alive = r != NULL;
            json_decref(r);
            placed = alive;
            w->placed += alive;
        }
        told = alive && watch_for_confirmation(&k);
        break;
    }
    default:
        fail_msg("no mode %d", mode);
    }
    killer_join(&kl);
    reap(w, &k);
    w->kills++;
    w->mode_count[mode]++;
    check_outbox(w, told, placed, what);
}

/* A first whole order with the service up: the local catalog, and the jacket it orders
 * made plentiful at the warehouse so that hundreds of orders are never out of stock. */
static void first_order(World *w)
{
    KioskProc k;
    assert_true(shop_kiosk_start(&w->shop, &k, w->data_dir));
    if (!shop_await_synced(w->db, 60000))
        fail_msg("the kiosk never finished its first sync");
    if (!shop_sign_in(&w->shop, &k, w->why) || !shop_pick_jacket(&k, "product-0", w->why) ||
        !shop_to_checkout(&k, w->why) || !shop_press(&k, "place-order", w->why) ||
        !shop_await_screen(&k, "confirmation", 15000, w->why))
        fail_msg("first order: %s", w->why);
    json_t *ui = shop_await_widget(&k, "order-number", false, NULL, 10000, w->why);
    if (!ui)
        fail_msg("first order: %s", w->why);
    json_decref(ui);
    assert_int_equal(kiosk_proc_stop(&k), 0);
    check_outbox(w, 1, false, "first order");
    char path[256];
    snprintf(path, sizeof path, "/v1/members/%s/orders?channel=kiosk", w->shop.member);
    Resp r;
    assert_int_equal(harness_get(&w->shop.central, path, &r), 0);
    json_t *line = json_array_get(
        json_object_get(json_array_get(json_object_get(r.json, "orders"), 0), "items"), 0);
    const char *variant = json_string_value(json_object_get(line, "variant"));
    assert_non_null(variant);
    snprintf(path, sizeof path, "/v1/admin/stock/%s/online", variant);
    resp_free(&r);
    const char *body = "{\"qty\":100000}";
    assert_int_equal(harness_call(&w->shop.central, "PUT", path, body, strlen(body), NULL, &r), 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

/* Starts a kiosk on the data dir and waits until its outbox has nothing pending. */
static void drain(World *w)
{
    KioskProc k;
    assert_true(shop_kiosk_start(&w->shop, &k, w->data_dir));
    long t0 = shop_now_ms();
    OutboxRows rows = {0};
    for (;;) {
        assert_int_equal(shop_outbox_read(w->db, &rows, SHOP_KEYS_MAX), 0);
        int pending = rows.pending;
        shop_outbox_free(&rows);
        if (pending == 0)
            break;
        if (shop_now_ms() - t0 > DRAIN_MS) {
            print_log_tail(&k);
            fail_msg("%d orders still pending %d s after the last start", pending, DRAIN_MS / 1000);
        }
        shop_pause_ms(250);
    }
    print_message("drained in %ld ms\n", shop_now_ms() - t0);
    json_t *last = NULL;
    if (!kiosk_await_state(&k, "outbox", json_integer(0), 70000, &last))
        fail_msg("the kiosk still shows pending orders: %s", json_dumps(last, 0));
    assert_int_equal(kiosk_proc_stop(&k), 0);
}

static bool listed(char (*keys)[SHOP_KEY_MAX], int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcmp(keys[i], key) == 0)
            return true;
    return false;
}

/* Compares the service's kiosk orders (its own database, read with the service stopped)
 * with what the device stored and what the shopper was told. */
static void check_service(World *w)
{
    char path[HARNESS_PATH_MAX + 16];
    harness_path(&w->shop.central, "central.db", path, sizeof path);
    shop_central_stop(&w->shop);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT idem_key, COUNT(*) FROM orders"
                                        " WHERE channel='kiosk' GROUP BY idem_key",
                                        -1, &st, NULL),
                     SQLITE_OK);
    int orders = 0;
    char(*at_service)[SHOP_KEY_MAX] = calloc(SHOP_KEYS_MAX, SHOP_KEY_MAX);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        int n = sqlite3_column_int(st, 1);
        if (!key)
            fail_msg("%d kiosk orders at the service have no idempotency key", n);
        if (n != 1)
            fail_msg("idempotency key %s appears %d times at the service", key, n);
        if (!listed(w->stored, w->n_stored, key))
            fail_msg("the service has an order (key %s) that is in no outbox record", key);
        assert_true(orders < SHOP_KEYS_MAX);
        snprintf(at_service[orders++], SHOP_KEY_MAX, "%s", key);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    for (int i = 0; i < w->n_told; i++)
        if (!listed(at_service, orders, w->told[i]))
            fail_msg("the shopper was told about order %s, which never reached the service",
                     w->told[i]);
    for (int i = 0; i < w->n_stored; i++)
        if (!listed(at_service, orders, w->stored[i]))
            fail_msg("stored order %s never reached the service", w->stored[i]);
    OutboxRows rows;
    assert_int_equal(shop_outbox_read(w->db, &rows, SHOP_KEYS_MAX), 0);
    print_message("%d kills (%d at start, %d mid-journey, %d placing; %d lives offline), %d "
                  "orders placed, %d stored (%d sent, %d dead), %d confirmed to the shopper, "
                  "%d at the service\n",
                  w->kills, w->mode_count[MODE_START], w->mode_count[MODE_JOURNEY],
                  w->mode_count[MODE_PLACE], w->lives_offline, w->placed, rows.count, rows.sent,
                  rows.dead, w->n_told, orders);
    print_message("kills after \"Place order\": %d before the outbox write, %d stored not sent, "
                  "%d sent not shown, %d after the confirmation\n",
                  w->before_store, w->before_send, w->before_shown, w->after_shown);
    assert_int_equal(rows.dead, 0);
    assert_int_equal(rows.pending, 0);
    assert_int_equal(orders, rows.count);
    shop_outbox_free(&rows);
    free(at_service);
}

static void kill9_while_ordering_loses_nothing(void **state)
{
    World *w = *state;
    const char *seed_env = getenv("KIOSK_CRASH_SEED");
    uint64_t seed =
        seed_env ? strtoull(seed_env, NULL, 0) : (uint64_t)time(NULL) ^ (uint64_t)getpid();
    w->rng = seed ? seed : 1;
    print_message("seed %llu (KIOSK_CRASH_SEED=%llu repeats it)\n", (unsigned long long)seed,
                  (unsigned long long)seed);
    long t0 = shop_now_ms();
    first_order(w);
    int offline_left = 0; /* lives still to run with the service down */
    while (w->kills < KILLS_MIN) {
        if (offline_left > 0) {
            w->lives_offline++;
            one_life(w, MODE_START, false); /* signing in needs the service: only starts */
            if (--offline_left == 0)
                shop_central_restart(&w->shop);
            continue;
        }
        int roll = rnd_below(w, 100);
        if (roll < 6) { /* the service goes after sign-in, and stays away a few lives */
            w->lives_offline++;
            one_life(w, MODE_PLACE, true);
            offline_left = 1 + rnd_below(w, 4);
        } else {
            one_life(w, roll < 25 ? MODE_START : roll < 40 ? MODE_JOURNEY : MODE_PLACE, false);
        }
        if (w->kills % 25 == 0)
            print_message("%d kills, %ld s\n", w->kills, (shop_now_ms() - t0) / 1000);
    }
    if (offline_left > 0)
        shop_central_restart(&w->shop);
    print_message("%d kills in %ld s\n", w->kills, (shop_now_ms() - t0) / 1000);
    drain(w);
    check_service(w);
}

static int setup(void **state)
{
    World *w = calloc(1, sizeof *w);
    w->stored = calloc(SHOP_KEYS_MAX, SHOP_KEY_MAX);
    w->told = calloc(SHOP_KEYS_MAX, SHOP_KEY_MAX);
    strcpy(w->dir, "/tmp/kiosk-crash-XXXXXX");
    assert_non_null(mkdtemp(w->dir));
    snprintf(w->data_dir, sizeof w->data_dir, "%s/data", w->dir);
    snprintf(w->db, sizeof w->db, "%s/kiosk.db", w->data_dir);
    shop_open(&w->shop);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    World *w = *state;
    shop_close(&w->shop);
    if (!getenv("KIOSK_TEST_KEEP")) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", w->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", w->dir);
    }
    free(w->stored);
    free(w->told);
    free(w);
    return 0;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(kill9_while_ordering_loses_nothing, setup, teardown),
    };
    TEST_FILTER(argc, argv, tests);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
