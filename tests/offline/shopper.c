/* shopper.c: see shopper.h. KIOSKCTL_BIN is a compile-time path from CMake. */
#include "shopper.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#define POLL_MS   10
#define SCREEN_MS 10000
#define WIDGET_MS 15000 /* offline, a load waits for the connect timeout first */
#define STOP_WAIT 5000

void shop_pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

long shop_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void say(char *why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, SHOP_WHY_MAX, fmt, ap);
    va_end(ap);
}

/* A member who can order: payment on file and at least one saved address. */
static void pick_member(Shop *s)
{
    char path[HARNESS_PATH_MAX + 32];
    harness_path(&s->central, "demo-members.json", path, sizeof path);
    json_t *list = json_load_file(path, 0, NULL);
    assert_non_null(list);
    size_t i;
    json_t *m;
    json_array_foreach(list, i, m)
    {
        const char *id = json_string_value(json_object_get(m, "id"));
        char url[128];
        snprintf(url, sizeof url, "/v1/members/%s", id);
        Resp r;
        if (harness_get(&s->central, url, &r) != 0 || r.status != 200) {
            resp_free(&r);
            continue;
        }
        json_t *addresses = json_object_get(r.json, "addresses");
        bool ok = json_is_true(json_object_get(r.json, "payment_on_file")) &&
                  json_array_size(addresses) > 0;
        resp_free(&r);
        if (ok) {
            snprintf(s->member, sizeof s->member, "%s", id);
            json_decref(list);
            return;
        }
    }
    json_decref(list);
    fail_msg("no demo member has a payment card and an address on file");
}

static void mint_token(Shop *s)
{
    char key[HARNESS_PATH_MAX + 32], cmd[2048], token[600] = "";
    harness_path(&s->central, HARNESS_DEMO_KEY, key, sizeof key);
    snprintf(cmd, sizeof cmd, "'%s' card mint --role member --member %s --key '%s' --print-token",
             KIOSKCTL_BIN, s->member, key);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *got = fgets(token, sizeof token, p);
    pclose(p);
    assert_non_null(got);
    token[strcspn(token, "\n")] = '\0';
    assert_int_equal(strncmp(token, "NT1.", 4), 0);
    snprintf(s->scan_line, sizeof s->scan_line, "%s\n", token);
}

void shop_open(Shop *s)
{
    memset(s, 0, sizeof *s);
    assert_int_equal(harness_start(&s->central, NULL), 0);
    pick_member(s);
    mint_token(s);
}

void shop_close(Shop *s)
{
    harness_stop(&s->central);
}

void shop_central_stop(Shop *s)
{
    TestCentral *tc = &s->central;
    if (tc->pid <= 0)
        return;
    kill(tc->pid, SIGTERM);
    int status = 0;
    long until = shop_now_ms() + STOP_WAIT;
    while (waitpid(tc->pid, &status, WNOHANG) == 0) {
        if (shop_now_ms() > until) {
            kill(tc->pid, SIGKILL);
            waitpid(tc->pid, &status, 0);
            break;
        }
        shop_pause_ms(POLL_MS);
    }
    tc->pid = 0; /* harness_restart starts it again on the same folder and port */
}

void shop_central_restart(Shop *s)
{
    assert_int_equal(harness_restart(&s->central, NULL), 0);
}

bool shop_kiosk_start(const Shop *s, KioskProc *k, const char *data_dir)
{
    char pub[HARNESS_PATH_MAX + 32], dir[640] = "", conf[4096];
    harness_path(&s->central, "demo-loyalty-pub.pem", pub, sizeof pub);
    if (data_dir)
        snprintf(dir, sizeof dir, "[device]\ndata_dir = %s\n", data_dir);
    /* Short timeouts: a service that is down is found out quickly. No idle wipe: a test
     * waits on the service longer than a shopper would stand still. */
    snprintf(conf, sizeof conf,
             "%s[store]\nid = sea-ballard\n[central]\nurl = %s\nca_file = %s\n"
             "connect_timeout_ms = 1000\nrequest_timeout_ms = 3000\n"
             "[identity]\nloyalty_keys = %s\n[session]\nidle_seconds = 900\n",
             dir, s->central.base, s->central.ca, pub);
    return kiosk_proc_start(k, conf, NULL);
}

const char *shop_kiosk_db(const KioskProc *k, char *buf, size_t size)
{
    return kiosk_proc_path(k, "data/kiosk.db", buf, size);
}

static sqlite3 *open_db(const char *path, int flags)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 5000);
    return db;
}

bool shop_await_synced(const char *db_path, int timeout_ms)
{
    for (long until = shop_now_ms() + timeout_ms; shop_now_ms() < until; shop_pause_ms(100)) {
        if (access(db_path, F_OK) != 0)
            continue;
        sqlite3 *db = open_db(db_path, SQLITE_OPEN_READONLY);
        sqlite3_stmt *st = NULL;
        bool synced = db &&
                      sqlite3_prepare_v2(db, "SELECT 1 FROM sync_cursors WHERE name='last_sync'",
                                         -1, &st, NULL) == SQLITE_OK &&
                      sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
        sqlite3_close(db);
        if (synced)
            return true;
    }
    return false;
}

json_t *shop_ui(KioskProc *k)
{
    return kiosk_proc_cmd(k, "ui", NULL);
}

const char *shop_text(json_t *ui, const char *id)
{
    json_t *w = kiosk_widget(ui, id);
    return w ? json_string_value(json_object_get(w, "text")) : NULL;
}

bool shop_press(KioskProc *k, const char *id, char *why)
{
    for (long until = shop_now_ms() + 3000;; shop_pause_ms(POLL_MS)) {
        json_t *r = kiosk_proc_cmd(k, "press", json_pack("{s:s}", "id", id));
        if (!r) {
            say(why, "press %s: the kiosk did not answer", id);
            return false;
        }
        const char *took = json_string_value(json_object_get(r, "pressed"));
        bool pressed = took && strcmp(took, id) == 0;
        char *text = json_dumps(r, 0);
        json_decref(r);
        if (pressed) {
            free(text);
            return true;
        }
        if (shop_now_ms() > until) {
            say(why, "press %s: %s", id, text);
            free(text);
            return false;
        }
        free(text);
    }
}

bool shop_await_screen(KioskProc *k, const char *screen, int timeout_ms, char *why)
{
    for (long until = shop_now_ms() + timeout_ms;; shop_pause_ms(POLL_MS)) {
        json_t *st = kiosk_proc_cmd(k, "state", NULL);
        if (!st) {
            say(why, "waiting for %s: the kiosk did not answer", screen);
            return false;
        }
        const char *now = json_string_value(json_object_get(st, "screen"));
        bool there = now && strcmp(now, screen) == 0;
        if (!there && shop_now_ms() > until) {
            char *text = json_dumps(st, 0);
            say(why, "screen %s never showed: %s", screen, text);
            free(text);
        }
        json_decref(st);
        if (there)
            return true;
        if (shop_now_ms() > until)
            return false;
    }
}

json_t *shop_await_widget(KioskProc *k, const char *id, bool enabled, const char *contains,
                          int timeout_ms, char *why)
{
    for (long until = shop_now_ms() + timeout_ms;; shop_pause_ms(POLL_MS)) {
        json_t *ui = shop_ui(k);
        if (!ui) {
            say(why, "waiting for %s: the kiosk did not answer", id);
            return NULL;
        }
        json_t *w = kiosk_widget(ui, id);
        const char *text = w ? json_string_value(json_object_get(w, "text")) : NULL;
        if (w && (!enabled || json_is_true(json_object_get(w, "enabled"))) &&
            (!contains || (text && strstr(text, contains))))
            return ui;
        if (shop_now_ms() > until) {
            char *dump = json_dumps(ui, 0);
            say(why, "%s never showed%s%s%s: %.3600s", id, enabled ? " enabled" : "",
                contains ? " with " : "", contains ? contains : "", dump);
            free(dump);
            json_decref(ui);
            return NULL;
        }
        json_decref(ui);
    }
}

static bool await_widget(KioskProc *k, const char *id, bool enabled, char *why)
{
    json_t *ui = shop_await_widget(k, id, enabled, NULL, WIDGET_MS, why);
    json_decref(ui);
    return ui != NULL;
}

static bool await_cart(KioskProc *k, char *why)
{
    for (long until = shop_now_ms() + SCREEN_MS;; shop_pause_ms(POLL_MS)) {
        json_t *st = kiosk_proc_cmd(k, "state", NULL);
        if (!st) {
            say(why, "waiting for the bag: the kiosk did not answer");
            return false;
        }
        json_int_t cart = json_integer_value(json_object_get(st, "cart"));
        json_decref(st);
        if (cart > 0)
            return true;
        if (shop_now_ms() > until) {
            say(why, "the bag stayed empty after add-to-bag");
            return false;
        }
    }
}

bool shop_sign_in(const Shop *s, KioskProc *k, char *why)
{
    if (!shop_press(k, "start", why) || !shop_await_screen(k, "identify", SCREEN_MS, why))
        return false;
    json_t *r = kiosk_proc_cmd(k, "type", json_pack("{s:s}", "text", s->scan_line));
    if (!r) {
        say(why, "typing the member code: the kiosk did not answer");
        return false;
    }
    json_decref(r);
    return shop_await_screen(k, "home", SCREEN_MS, why);
}

bool shop_await_profile(KioskProc *k, char *why)
{
    json_t *ui = shop_await_widget(k, "standing", false, "points", WIDGET_MS, why);
    json_decref(ui);
    return ui != NULL;
}

bool shop_pick_jacket(KioskProc *k, const char *product_widget, char *why)
{
    return await_widget(k, "category-jackets", true, why) &&
           shop_press(k, "category-jackets", why) &&
           shop_await_screen(k, "browse", SCREEN_MS, why) &&
           await_widget(k, product_widget, true, why) && shop_press(k, product_widget, why) &&
           shop_await_screen(k, "product", SCREEN_MS, why) &&
           await_widget(k, "size-M", true, why) && shop_press(k, "size-M", why) &&
           await_widget(k, "add-to-bag", true, why) && shop_press(k, "add-to-bag", why) &&
           await_cart(k, why);
}

bool shop_to_checkout(KioskProc *k, char *why)
{
    return shop_press(k, "bag", why) && shop_await_screen(k, "cart", SCREEN_MS, why) &&
           await_widget(k, "checkout", true, why) && shop_press(k, "checkout", why) &&
           shop_await_screen(k, "checkout", SCREEN_MS, why) &&
           await_widget(k, "place-order", true, why);
}

int shop_outbox_read(const char *db_path, OutboxRows *rows, int max)
{
    memset(rows, 0, sizeof *rows);
    rows->keys = calloc((size_t)max, sizeof *rows->keys);
    rows->states = calloc((size_t)max, sizeof *rows->states);
    if (!rows->keys || !rows->states)
        return -1;
    if (access(db_path, F_OK) != 0)
        return 0; /* the kiosk died before it made its store */
    sqlite3 *db = open_db(db_path, SQLITE_OPEN_READWRITE);
    if (!db)
        return -1;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT idempotency_key, state FROM outbox ORDER BY id", -1,
                                &st, NULL);
    int result = 0;
    if (rc != SQLITE_OK) {
        /* a store killed before its first migration has no outbox table yet */
        result = strstr(sqlite3_errmsg(db), "no such table") ? 0 : -1;
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const char *state = (const char *)sqlite3_column_text(st, 1);
        if (rows->count < max) {
            snprintf(rows->keys[rows->count], SHOP_KEY_MAX, "%s", key ? key : "");
            snprintf(rows->states[rows->count], sizeof rows->states[0], "%s", state ? state : "");
        }
        rows->count++;
        if (state && strcmp(state, "pending") == 0)
            rows->pending++;
        else if (state && strcmp(state, "sent") == 0)
            rows->sent++;
        else
            rows->dead++;
    }
    result = rc == SQLITE_DONE ? 0 : -1;
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return result;
}

void shop_outbox_free(OutboxRows *rows)
{
    free(rows->keys);
    free(rows->states);
    memset(rows, 0, sizeof *rows);
}
