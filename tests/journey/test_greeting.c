/* test_greeting.c: greeted by name. A headless kiosk talks HTTPS to the real development
 * central service (a CA made for the test) and reads cards through libnfc from the PN532
 * emulator; cards are minted with the chain's demo loyalty key for real demo members.
 * Online the greeting has the member's first name, tier and points, in their language;
 * with the central service gone the card still works and the greeting says "Welcome back". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "test_filter.h"

#include "harness.h"
#include "kiosk_proc.h"
#include "nfctest.h"

typedef struct World {
    TestCentral central;
    NfcSim *sim;
    KioskProc kiosk;
} World;

static int setup(void **state)
{
    World *w = calloc(1, sizeof *w);
    assert_int_equal(harness_start(&w->central, NULL), 0);
    w->sim = nfctest_sim_start(NFCSIM_PATH);
    assert_non_null(w->sim);
    char pub[HARNESS_PATH_MAX + 32], conf[4096];
    harness_path(&w->central, "demo-loyalty-pub.pem", pub, sizeof pub);
    snprintf(conf, sizeof conf,
             "[store]\nid = sea-ballard\n[central]\nurl = %s\nca_file = %s\n"
             "connect_timeout_ms = 1000\nrequest_timeout_ms = 3000\n"
             "[nfc]\nconnstring = %s\n[identity]\nloyalty_keys = %s\n",
             w->central.base, w->central.ca, nfctest_sim_connstring(w->sim), pub);
    assert_true(kiosk_proc_start(&w->kiosk, conf, NULL));
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    World *w = *state;
    assert_int_equal(kiosk_proc_stop(&w->kiosk), 0);
    nfctest_sim_stop(w->sim);
    harness_stop(&w->central);
    free(w);
    return 0;
}

/* The id and first name of a demo member who prefers `language`. */
static void demo_member(World *w, const char *language, char *id, char *first, size_t size)
{
    char path[HARNESS_PATH_MAX + 32];
    harness_path(&w->central, "demo-members.json", path, sizeof path);
    json_t *list = json_load_file(path, 0, NULL);
    assert_non_null(list);
    size_t i;
    json_t *m;
    json_array_foreach(list, i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "language")), language) == 0) {
            snprintf(id, size, "%s", json_string_value(json_object_get(m, "id")));
            const char *name = json_string_value(json_object_get(m, "name"));
            snprintf(first, size, "%.*s", (int)strcspn(name, " "), name);
            json_decref(list);
            return;
        }
    }
    fail_msg("no demo member speaks %s", language);
}

static void mint_card_of(World *w, const char *member, char *tag, size_t size)
{
    char key[HARNESS_PATH_MAX + 32], cmd[2048];
    snprintf(tag, size, "%s/%s.bin", nfctest_sim_dir(w->sim), member);
    harness_path(&w->central, HARNESS_DEMO_KEY, key, sizeof key);
    snprintf(cmd, sizeof cmd,
             "'%s' card mint --role member --member %s --uid 04a1b2c3d4e5f6 --key '%s' "
             "--out '%s' >/dev/null",
             KIOSKCTL_BIN, member, key, tag);
    assert_int_equal(system(cmd), 0);
}

static void tap_card_of(World *w, const char *member)
{
    char tag[512];
    mint_card_of(w, member, tag, sizeof tag);
    assert_true(nfctest_sim_present(w->sim, tag));
}

/* The text of widget id once it contains want (5 s at most). */
static void await_text(World *w, const char *id, const char *want)
{
    for (int i = 0; i < 250; i++) {
        json_t *ui = kiosk_proc_cmd(&w->kiosk, "ui", NULL);
        json_t *wdg = kiosk_widget(ui, id);
        bool found = wdg && strstr(json_string_value(json_object_get(wdg, "text")), want);
        json_decref(ui);
        if (found)
            return;
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    json_t *ui = kiosk_proc_cmd(&w->kiosk, "ui", NULL);
    fail_msg("%s never showed '%s': %s", id, want, json_dumps(ui, 0));
}

static void greeted_by_name_in_their_language(void **state)
{
    World *w = *state;
    char id[128], first[128];
    demo_member(w, "fr", id, first, sizeof id);
    tap_card_of(w, id);
    await_text(w, "greeting", first);
    await_text(w, "greeting", "Bon retour");
    await_text(w, "standing", "points");
    json_t *st = kiosk_proc_cmd(&w->kiosk, "state", NULL);
    assert_string_equal(json_string_value(json_object_get(st, "language")), "fr");
    assert_string_equal(json_string_value(json_object_get(st, "member")), id);
    assert_true(json_is_true(json_object_get(st, "online")));
    json_decref(st);
    json_t *ui = kiosk_proc_cmd(&w->kiosk, "ui", NULL);
    char why[512];
    if (!kiosk_layout_ok(ui, why, sizeof why))
        fail_msg("%s", why);
    json_decref(ui);
    /* and the next shopper starts in the kiosk's own language, with nothing left over */
    json_decref(kiosk_proc_cmd(&w->kiosk, "press", json_pack("{s:s}", "id", "done")));
    st = kiosk_proc_cmd(&w->kiosk, "state", NULL);
    assert_string_equal(json_string_value(json_object_get(st, "language")), "en");
    assert_true(json_is_null(json_object_get(st, "member")));
    json_decref(st);
}

static void central_down_still_greets(void **state)
{
    World *w = *state;
    char id[128], first[128];
    demo_member(w, "en", id, first, sizeof id);
    char tag[512];
    mint_card_of(w, id, tag, sizeof tag);
    harness_stop(&w->central); /* the uplink is gone */
    assert_true(nfctest_sim_present(w->sim, tag));
    await_text(w, "greeting", "Welcome back");
    /* the answer that will not come changes nothing: offline, signed in, no raw error */
    assert_true(kiosk_await_state(&w->kiosk, "online", json_false(), 5000, NULL));
    json_t *st = kiosk_proc_cmd(&w->kiosk, "state", NULL);
    assert_true(json_is_false(json_object_get(st, "online")));
    assert_string_equal(json_string_value(json_object_get(st, "member")), id);
    assert_string_equal(json_string_value(json_object_get(st, "screen")), "home");
    json_decref(st);
    json_t *ui = kiosk_proc_cmd(&w->kiosk, "ui", NULL);
    assert_string_equal(json_string_value(json_object_get(kiosk_widget(ui, "greeting"), "text")),
                        "Welcome back");
    json_decref(ui);
}

/* The text of the pairing QR once it shows ("" if it never does in 5 s). */
static void await_pairing(World *w, char *qr, size_t size, bool want_shown)
{
    qr[0] = '\0';
    for (int i = 0; i < 250; i++) {
        json_t *ui = kiosk_proc_cmd(&w->kiosk, "ui", NULL);
        json_t *wdg = kiosk_widget(ui, "pairing-qr");
        if (wdg)
            snprintf(qr, size, "%s", json_string_value(json_object_get(wdg, "text")));
        json_decref(ui);
        if ((wdg != NULL) == want_shown && (!want_shown || qr[0]))
            return;
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (want_shown)
        fail_msg("the pairing code never showed");
    fail_msg("the pairing code stayed on screen");
}

static void app_pairing_signs_in(void **state)
{
    World *w = *state;
    json_decref(kiosk_proc_cmd(&w->kiosk, "press", json_pack("{s:s}", "id", "start")));
    char qr[600];
    await_pairing(w, qr, sizeof qr, true);
    /* The code on screen is what a phone camera reads: decode the screenshot with zbarimg. */
    char shot[600], cmd[1400], decoded[600] = "";
    kiosk_proc_path(&w->kiosk, "identify.png", shot, sizeof shot);
    json_decref(kiosk_proc_cmd(&w->kiosk, "screenshot", json_pack("{s:s}", "path", shot)));
    snprintf(cmd, sizeof cmd, "zbarimg --nodbus -q --raw '%s'", shot);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(decoded, sizeof decoded, p));
    pclose(p);
    decoded[strcspn(decoded, "\n")] = '\0';
    assert_string_equal(decoded, qr);
    /* The member's app claims the code (the code is the QR link's last segment). */
    char id[128], first[128];
    demo_member(w, "es", id, first, sizeof id);
    const char *code = strrchr(qr, '/') + 1;
    char path[256], body[256];
    snprintf(path, sizeof path, "/v1/pairings/%s/claim", code);
    snprintf(body, sizeof body, "{\"member\":\"%s\"}", id);
    Resp r;
    assert_int_equal(harness_post(&w->central, path, body, &r), 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    await_text(w, "greeting", first);
    await_text(w, "standing", "puntos"); /* in the member's own language */
    json_t *st = kiosk_proc_cmd(&w->kiosk, "state", NULL);
    assert_string_equal(json_string_value(json_object_get(st, "member")), id);
    assert_string_equal(json_string_value(json_object_get(st, "screen")), "home");
    json_decref(st);
}

static void pairing_code_hidden_when_it_cannot_work(void **state)
{
    World *w = *state;
    json_decref(kiosk_proc_cmd(&w->kiosk, "press", json_pack("{s:s}", "id", "start")));
    char qr[600];
    await_pairing(w, qr, sizeof qr, true);
    harness_stop(&w->central);
    await_pairing(w, qr, sizeof qr, false);
    /* the other ways in are still offered */
    json_t *ui = kiosk_proc_cmd(&w->kiosk, "ui", NULL);
    assert_non_null(kiosk_widget(ui, "way-card"));
    assert_non_null(kiosk_widget(ui, "way-scanner"));
    assert_null(kiosk_widget(ui, "way-app"));
    json_decref(ui);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(greeted_by_name_in_their_language, setup, teardown),
        cmocka_unit_test_setup_teardown(central_down_still_greets, setup, teardown),
        cmocka_unit_test_setup_teardown(app_pairing_signs_in, setup, teardown),
        cmocka_unit_test_setup_teardown(pairing_code_hidden_when_it_cannot_work, setup, teardown),
    };
    TEST_FILTER(argc, argv, tests); /* CTest runs each case on its own, in parallel */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
