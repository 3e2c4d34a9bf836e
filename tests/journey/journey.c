/* journey.c: see journey.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "journey.h"

void journey_pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

void journey_start_kiosk(World *w, const char *extra_conf, const char *const *args)
{
    char pub[HARNESS_PATH_MAX + 32];
    harness_path(&w->central, "demo-loyalty-pub.pem", pub, sizeof pub);
    snprintf(w->conf, sizeof w->conf,
             "[store]\nid = sea-ballard\n[central]\nurl = %s\nca_file = %s\n"
             "connect_timeout_ms = 2000\nrequest_timeout_ms = 5000\n"
             "[nfc]\nconnstring = %s\n[identity]\nloyalty_keys = %s\n%s",
             w->central.base, w->central.ca, nfctest_sim_connstring(w->sim), pub,
             extra_conf ? extra_conf : "");
    assert_true(kiosk_proc_start(&w->kiosk, w->conf, args));
    /* a first boot: the local catalog arrives from the service before shoppers browse it */
    json_t *last = NULL;
    if (!kiosk_await_state(&w->kiosk, "synced", json_true(), 60000, &last))
        fail_msg("the catalog never synced: %s", json_dumps(last, 0));
    json_decref(last);
}

int journey_setup(void **state)
{
    World *w = calloc(1, sizeof *w);
    assert_int_equal(harness_start(&w->central, NULL), 0);
    w->sim = nfctest_sim_start(NFCSIM_PATH);
    assert_non_null(w->sim);
    *state = w;
    return 0;
}

int journey_teardown(void **state)
{
    World *w = *state;
    int kiosk_exit = w->kiosk.pid ? kiosk_proc_stop(&w->kiosk) : 0;
    nfctest_sim_stop(w->sim); /* whatever the kiosk did: nothing is left running */
    harness_stop(&w->central);
    free(w);
    assert_int_equal(kiosk_exit, 0); /* a clean stop, no sanitizer report */
    return 0;
}

/* A demo member who speaks `language`; "" for any. */
void journey_demo_member(World *w, const char *language, char *id, size_t size)
{
    char path[HARNESS_PATH_MAX + 32];
    harness_path(&w->central, "demo-members.json", path, sizeof path);
    json_t *list = json_load_file(path, 0, NULL);
    assert_non_null(list);
    size_t i;
    json_t *m;
    json_array_foreach(list, i, m)
    {
        if (!language[0] ||
            strcmp(json_string_value(json_object_get(m, "language")), language) == 0) {
            snprintf(id, size, "%s", json_string_value(json_object_get(m, "id")));
            json_decref(list);
            return;
        }
    }
    fail_msg("no demo member speaks %s", language);
}

void journey_tap_badge(World *w, const char *role, const char *id, const char *uid)
{
    char key[HARNESS_PATH_MAX + 32], cmd[2048], tag[512];
    snprintf(tag, sizeof tag, "%s/%s-%s.bin", nfctest_sim_dir(w->sim), role, id);
    harness_path(&w->central, HARNESS_DEMO_KEY, key, sizeof key);
    snprintf(cmd, sizeof cmd,
             "'%s' card mint --role %s --member %s --uid %s --key '%s' --out '%s' >/dev/null",
             KIOSKCTL_BIN, role, id, uid, key, tag);
    assert_int_equal(system(cmd), 0);
    assert_true(nfctest_sim_present(w->sim, tag));
}

void journey_tap_card_of(World *w, const char *member)
{
    journey_tap_badge(w, "member", member, "04a1b2c3d4e5f6");
}

void journey_tap_garment(World *w, const char *option, const char *value)
{
    char cmd[2048], tag[512];
    static int n;
    snprintf(tag, sizeof tag, "%s/garment-%d.bin", nfctest_sim_dir(w->sim), ++n);
    snprintf(cmd, sizeof cmd,
             "'%s' card mint-garment %s '%s' --uid 04c0ffee00%02x01 --out '%s' "
             ">/dev/null",
             KIOSKCTL_BIN, option, value, n & 0xff, tag);
    assert_int_equal(system(cmd), 0);
    assert_true(nfctest_sim_present(w->sim, tag));
}

json_t *journey_ui(World *w)
{
    json_t *u = kiosk_proc_cmd(&w->kiosk, "ui", NULL);
    assert_non_null(u);
    return u;
}

void journey_press(World *w, const char *id)
{
    json_t *r = kiosk_proc_cmd(&w->kiosk, "press", json_pack("{s:s}", "id", id));
    if (!r || json_object_get(r, "error")) {
        json_t *u = journey_ui(w);
        fail_msg("press %s: %s\non: %s", id, r ? json_dumps(r, 0) : "no reply", json_dumps(u, 0));
    }
    json_decref(r);
}

void journey_await_screen(World *w, const char *screen)
{
    json_t *last = NULL;
    if (!kiosk_await_state(&w->kiosk, "screen", json_string(screen), 10000, &last))
        fail_msg("screen %s never showed: %s", screen, json_dumps(last, 0));
    json_decref(last);
}

/* Waits until widget id exists (and is enabled, if asked); returns the ui reply holding it
 * (the caller's). */
json_t *journey_await_widget(World *w, const char *id, bool enabled)
{
    for (int i = 0; i < 500; i++) {
        json_t *u = journey_ui(w);
        json_t *wd = kiosk_widget(u, id);
        if (wd && (!enabled || json_is_true(json_object_get(wd, "enabled"))))
            return u;
        json_decref(u);
        journey_pause_ms(20);
    }
    json_t *u = journey_ui(w);
    fail_msg("widget %s never showed%s: %s", id, enabled ? " enabled" : "", json_dumps(u, 0));
    return NULL;
}

const char *journey_text_of(json_t *u, const char *id)
{
    json_t *wd = kiosk_widget(u, id);
    return wd ? json_string_value(json_object_get(wd, "text")) : NULL;
}

void journey_layout_ok(World *w, const char *where)
{
    json_t *u = journey_ui(w);
    char why[512];
    if (!kiosk_layout_ok(u, why, sizeof why))
        fail_msg("%s: %s", where, why);
    json_decref(u);
}
