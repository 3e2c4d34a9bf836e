/* test_identify.c: sign-in end to end, with real parts only: a headless kiosk, the PN532
 * emulator on a pseudo-terminal read through libnfc, cards minted by `kioskctl card`, and
 * a loyalty key pair made for the test. A member card greets; a forged, copied or staff
 * card gets a friendly message and no session; the scanner path verifies the same way;
 * "I'm done" wipes the session; the reader comes back after being unplugged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_filter.h"

#include "kiosk_proc.h"
#include "nfctest.h"

typedef struct World {
    NfcSim *sim;
    KioskProc kiosk;
    char dir[64];
    char key[128], pub[128], other_key[128];
} World;

static void run(const char *cmd)
{
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
}

/* Mints a tag file with the real kioskctl; returns its path in out. */
static void mint(World *w, const char *role, const char *member, const char *uid, const char *key,
                 const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s.bin", nfctest_sim_dir(w->sim), name);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "'%s' card mint --role %s --member %s --uid %s --key '%s' --out '%s' >/dev/null",
             KIOSKCTL_BIN, role, member, uid, key, out);
    run(cmd);
}

/* The text a scanner would type for member (an unbound token). */
static void scanner_token(const char *member, const char *key, char *out, size_t size)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' card mint --role member --member %s --key '%s' --print-token",
             KIOSKCTL_BIN, member, key);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(out, (int)size, p));
    pclose(p);
    out[strcspn(out, "\n")] = '\0';
    assert_int_equal(strncmp(out, "NT1.", 4), 0);
}

static int setup(void **state)
{
    World *w = calloc(1, sizeof *w);
    strcpy(w->dir, "/tmp/kiosk-journey-XXXXXX");
    assert_non_null(mkdtemp(w->dir));
    snprintf(w->key, sizeof w->key, "%s/loyalty.pem", w->dir);
    snprintf(w->pub, sizeof w->pub, "%s/loyalty-pub.pem", w->dir);
    snprintf(w->other_key, sizeof w->other_key, "%s/other.pem", w->dir);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "openssl ecparam -name prime256v1 -genkey -noout -out '%s' 2>/dev/null && "
             "openssl ec -in '%s' -pubout -out '%s' 2>/dev/null && "
             "openssl ecparam -name prime256v1 -genkey -noout -out '%s' 2>/dev/null",
             w->key, w->key, w->pub, w->other_key);
    run(cmd);
    w->sim = nfctest_sim_start(NFCSIM_PATH);
    assert_non_null(w->sim);
    char conf[1024];
    snprintf(conf, sizeof conf, "[nfc]\nconnstring = %s\n[identity]\nloyalty_keys = %s\n",
             nfctest_sim_connstring(w->sim), w->pub);
    assert_true(kiosk_proc_start(&w->kiosk, conf, NULL));
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    World *w = *state;
    assert_int_equal(kiosk_proc_stop(&w->kiosk), 0);
    nfctest_sim_stop(w->sim);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", w->dir);
    run(cmd);
    free(w);
    return 0;
}

static json_t *state_of(World *w)
{
    json_t *st = kiosk_proc_cmd(&w->kiosk, "state", NULL);
    assert_non_null(st);
    return st;
}

/* Waits (5 s at most) for a state field to take a value (stolen); fails with the state. */
static void await_json(World *w, const char *field, json_t *want)
{
    char *expect = json_dumps(want, JSON_ENCODE_ANY);
    json_t *last = NULL;
    if (!kiosk_await_state(&w->kiosk, field, want, 5000, &last))
        fail_msg("%s never became %s: %s", field, expect, json_dumps(last, 0));
    free(expect);
}

static void await(World *w, const char *field, const char *want)
{
    await_json(w, field, json_string(want));
}

static void await_reader(World *w)
{
    await_json(w, "reader", json_true());
}

static void present(World *w, const char *tag)
{
    nfctest_sim_cmd(w->sim, "{\"cmd\":\"remove\"}", NULL, 0);
    assert_true(nfctest_sim_present(w->sim, tag));
}

static void member_card_greets_and_done_wipes(void **state)
{
    World *w = *state;
    await_reader(w);
    char tag[256];
    mint(w, "member", "M-0042", "04a1b2c3d4e5f6", w->key, "member", tag, sizeof tag);
    present(w, tag);
    await(w, "screen", "home");
    await(w, "member", "M-0042");
    json_t *ui = kiosk_proc_cmd(&w->kiosk, "ui", NULL);
    assert_string_equal(json_string_value(json_object_get(kiosk_widget(ui, "greeting"), "text")),
                        "Welcome back");
    assert_non_null(kiosk_widget(ui, "done"));
    json_decref(ui);
    /* the welcome screen, and a notice over it, hold in every language */
    char staff[256];
    mint(w, "staff", "S-0001", "04a1b2c3d4e5f9", w->key, "staff", staff, sizeof staff);
    static const char *const langs[] = {"lang-es", "lang-fr", "lang-en"};
    for (int i = 0; i < 3; i++) {
        json_decref(kiosk_proc_cmd(&w->kiosk, "press", json_pack("{s:s}", "id", "done")));
        await(w, "screen", "attract");
        json_decref(kiosk_proc_cmd(&w->kiosk, "press", json_pack("{s:s}", "id", langs[i])));
        present(w, tag);
        await(w, "screen", "home");
        present(w, staff);
        await(w, "notice", "staff_badge");
        ui = kiosk_proc_cmd(&w->kiosk, "ui", NULL);
        char why[512];
        if (!kiosk_layout_ok(ui, why, sizeof why))
            fail_msg("%s: %s", langs[i], why);
        assert_non_null(kiosk_widget(ui, "notice-text"));
        json_decref(ui);
        json_t *st = state_of(w);
        assert_string_equal(json_string_value(json_object_get(st, "member")), "M-0042");
        json_decref(st);
    }
    json_decref(kiosk_proc_cmd(&w->kiosk, "press", json_pack("{s:s}", "id", "done")));
    await(w, "screen", "attract");
    json_t *st = state_of(w);
    assert_true(json_is_null(json_object_get(st, "member")));
    json_decref(st);
}

static void bad_cards_get_friendly_messages(void **state)
{
    World *w = *state;
    await_reader(w);
    char tag[256];
    /* signed with a key this kiosk does not trust */
    mint(w, "member", "M-0042", "04a1b2c3d4e5f6", w->other_key, "forged", tag, sizeof tag);
    present(w, tag);
    await(w, "notice", "card_invalid");
    /* a genuine token copied onto a tag with another UID */
    char genuine[256], copy[256];
    mint(w, "member", "M-0042", "04a1b2c3d4e5f6", w->key, "genuine", genuine, sizeof genuine);
    FILE *in = fopen(genuine, "rb");
    uint8_t image[NFCTEST_TAG_SIZE];
    assert_int_equal(fread(image, 1, sizeof image, in), sizeof image);
    fclose(in);
    uint8_t other_uid[NFCTEST_UID_LEN] = {0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66};
    uint8_t copied[NFCTEST_TAG_SIZE];
    nfctest_tag_image(copied, other_uid, NULL, 0);
    memcpy(copied + 16, image + 16, sizeof image - 16); /* same NDEF, other UID pages */
    snprintf(copy, sizeof copy, "%s/copy.bin", nfctest_sim_dir(w->sim));
    FILE *out = fopen(copy, "wb");
    fwrite(copied, 1, sizeof copied, out);
    fclose(out);
    /* a staff badge on a shopper screen */
    mint(w, "staff", "S-0007", "04a1b2c3d4e5f7", w->key, "staff", tag, sizeof tag);
    present(w, tag);
    await(w, "notice", "staff_badge");
    present(w, copy);
    await(w, "notice", "card_invalid");
    /* a tag that is not ours at all */
    uint8_t msg[64];
    size_t n = nfctest_uri_message(msg, sizeof msg, "example.com/hello");
    snprintf(tag, sizeof tag, "%s/foreign.bin", nfctest_sim_dir(w->sim));
    assert_true(nfctest_tag_write(tag, other_uid, msg, n));
    present(w, tag);
    await(w, "notice", "tag_unknown");
    /* none of this signed anyone in, and the kiosk still serves */
    json_t *st = state_of(w);
    assert_true(json_is_null(json_object_get(st, "member")));
    assert_string_equal(json_string_value(json_object_get(st, "screen")), "attract");
    json_decref(st);
    json_t *ui = kiosk_proc_cmd(&w->kiosk, "ui", NULL);
    char *dump = json_dumps(ui, 0);
    assert_null(strstr(dump, "TOKEN_E")); /* no raw error codes on screen */
    assert_null(strstr(dump, "bad_signature"));
    free(dump);
    json_decref(ui);
}

static void scanner_code_signs_in_on_the_same_path(void **state)
{
    World *w = *state;
    char token[512], line[600];
    scanner_token("M-0099", w->key, token, sizeof token);
    snprintf(line, sizeof line, "%s\n", token);
    json_decref(kiosk_proc_cmd(&w->kiosk, "type", json_pack("{s:s}", "text", line)));
    await(w, "member", "M-0099");
    await(w, "screen", "home");
    /* a forged code: the same token with its last character changed */
    json_decref(kiosk_proc_cmd(&w->kiosk, "press", json_pack("{s:s}", "id", "done")));
    await(w, "screen", "attract");
    size_t n = strlen(token);
    token[n - 2] = token[n - 2] == 'A' ? 'B' : 'A';
    snprintf(line, sizeof line, "%s\n", token);
    json_decref(kiosk_proc_cmd(&w->kiosk, "type", json_pack("{s:s}", "text", line)));
    await(w, "notice", "card_invalid");
    json_t *st = state_of(w);
    assert_true(json_is_null(json_object_get(st, "member")));
    json_decref(st);
}

static void reader_unplugged_and_back(void **state)
{
    World *w = *state;
    await_reader(w);
    assert_true(nfctest_sim_cmd(w->sim, "{\"cmd\":\"unplug\"}", NULL, 0));
    await_json(w, "reader", json_false());
    assert_true(nfctest_sim_cmd(w->sim, "{\"cmd\":\"replug\"}", NULL, 0));
    await_reader(w);
    char tag[256];
    mint(w, "member", "M-0123", "04a1b2c3d4e5f8", w->key, "after", tag, sizeof tag);
    present(w, tag);
    await(w, "member", "M-0123");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(member_card_greets_and_done_wipes, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_cards_get_friendly_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(scanner_code_signs_in_on_the_same_path, setup, teardown),
        cmocka_unit_test_setup_teardown(reader_unplugged_and_back, setup, teardown),
    };
    TEST_FILTER(argc, argv, tests); /* CTest runs each case on its own, in parallel */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
