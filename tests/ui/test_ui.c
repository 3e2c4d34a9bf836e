/* test_ui.c: the kiosk as a shopper and a test harness see it: a real headless kiosk
 * process, driven through its control socket. Checks the attract screen's semantics tree,
 * presses through to the identify screen, language switching through the real catalogs,
 * screenshots (size, not blank), the mirror layout, "Still there?", bad input on every
 * path, and the command line's errors. */
#include <SDL2/SDL.h>
#include <SDL2/SDL_image.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_filter.h"

#include "kiosk_proc.h"

static json_t *ok(json_t *reply)
{
    assert_non_null(reply);
    if (!json_is_true(json_object_get(reply, "ok"))) {
        char *t = json_dumps(reply, 0);
        fail_msg("request failed: %s", t);
    }
    return reply;
}

static json_t *find(json_t *ui, const char *id)
{
    return kiosk_widget(ui, id);
}

static const char *text_of(json_t *ui, const char *id)
{
    json_t *w = find(ui, id);
    if (!w)
        fail_msg("no widget '%s' on screen", id);
    return json_string_value(json_object_get(w, "text"));
}

/* Every widget inside the screen, no text clipped, every button a finger can hit. */
static void check_layout(json_t *ui)
{
    char why[512];
    if (!kiosk_layout_ok(ui, why, sizeof why))
        fail_msg("%s", why);
}

static void check_screenshot(KioskProc *k, const char *name, int w, int h, Uint32 *corner)
{
    char path[256];
    json_t *r = ok(kiosk_proc_cmd(
        k, "screenshot", json_pack("{s:s}", "path", kiosk_proc_path(k, name, path, sizeof path))));
    json_decref(r);
    SDL_Surface *s = IMG_Load(path);
    if (!s)
        fail_msg("screenshot %s did not load: %s", path, IMG_GetError());
    assert_int_equal(s->w, w);
    assert_int_equal(s->h, h);
    SDL_Surface *rgb = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
    /* Not blank: many distinct colours (text, icons, anti-aliasing), sampled on a grid. */
    Uint32 seen[64];
    int distinct = 0;
    for (int y = 0; y < h && distinct < 64; y += 7) {
        for (int x = 0; x < w && distinct < 64; x += 7) {
            Uint32 px = ((Uint32 *)((Uint8 *)rgb->pixels + y * rgb->pitch))[x];
            bool known = false;
            for (int i = 0; i < distinct; i++)
                known |= seen[i] == px;
            if (!known)
                seen[distinct++] = px;
        }
    }
    if (corner)
        *corner = ((Uint32 *)rgb->pixels)[0];
    SDL_FreeSurface(rgb);
    SDL_FreeSurface(s);
    if (distinct < 16)
        fail_msg("%s looks blank: %d colours", name, distinct);
}

static void attract_then_identify(void **state)
{
    KioskProc k;
    assert_true(kiosk_proc_start(&k, NULL, NULL));
    json_t *ui = ok(kiosk_proc_cmd(&k, "ui", NULL));
    assert_string_equal(json_string_value(json_object_get(ui, "screen")), "attract");
    assert_string_equal(text_of(ui, "headline"), "Tap your loyalty card or scan with the app");
    assert_string_equal(text_of(ui, "brand"), "Northwind");
    json_t *start = find(ui, "start");
    assert_non_null(start);
    assert_string_equal(json_string_value(json_object_get(start, "role")), "button");
    assert_true(json_is_true(json_object_get(start, "enabled")));
    assert_non_null(find(ui, "lang-en"));
    assert_non_null(find(ui, "lang-es"));
    assert_non_null(find(ui, "lang-fr"));
    check_layout(ui);
    json_decref(ui);
    check_screenshot(&k, "attract.png", 1920, 1080, NULL);

    json_t *st = ok(kiosk_proc_cmd(&k, "state", NULL));
    assert_true(json_is_null(json_object_get(st, "member")));
    assert_int_equal(json_integer_value(json_object_get(st, "cart")), 0);
    json_decref(st);

    json_decref(ok(kiosk_proc_cmd(&k, "press", json_pack("{s:s}", "id", "start"))));
    json_decref(ok(kiosk_proc_cmd(
        &k, "wait", json_pack("{s:s,s:i}", "screen", "identify", "timeout_ms", 3000))));
    ui = ok(kiosk_proc_cmd(&k, "ui", NULL));
    assert_string_equal(json_string_value(json_object_get(ui, "screen")), "identify");
    assert_string_equal(text_of(ui, "title"), "Sign in to see your offers");
    assert_non_null(find(ui, "way-card"));
    assert_non_null(find(ui, "way-scanner"));
    assert_null(find(ui, "pairing-qr")); /* no central service: no code that cannot work */
    check_layout(ui);
    json_decref(ui);
    check_screenshot(&k, "identify.png", 1920, 1080, NULL);

    /* Back by touch, at the Back button's place, as a finger would. */
    ui = ok(kiosk_proc_cmd(&k, "ui", NULL));
    json_t *r = json_object_get(find(ui, "back"), "rect");
    int x = (int)(json_integer_value(json_array_get(r, 0)) +
                  json_integer_value(json_array_get(r, 2)) / 2);
    int y = (int)(json_integer_value(json_array_get(r, 1)) +
                  json_integer_value(json_array_get(r, 3)) / 2);
    json_decref(ui);
    json_t *tap = ok(kiosk_proc_cmd(&k, "tap", json_pack("{s:i,s:i}", "x", x, "y", y)));
    assert_string_equal(json_string_value(json_object_get(tap, "pressed")), "back");
    json_decref(tap);
    json_decref(ok(kiosk_proc_cmd(&k, "wait", json_pack("{s:s}", "screen", "attract"))));
    assert_int_equal(kiosk_proc_stop(&k), 0);
}

static void languages_switch_through_catalogs(void **state)
{
    static const struct {
        const char *id, *headline, *start;
    } langs[] = {
        {"lang-es", "Acerca tu tarjeta de socio o escanea con la app", "Empezar"},
        {"lang-fr", "Présentez votre carte de fidélité ou scannez avec l'appli", "Commencer"},
        {"lang-en", "Tap your loyalty card or scan with the app", "Get started"},
    };
    KioskProc k;
    assert_true(kiosk_proc_start(&k, NULL, NULL));
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
        json_decref(ok(kiosk_proc_cmd(&k, "press", json_pack("{s:s}", "id", langs[i].id))));
        json_t *ui = ok(kiosk_proc_cmd(&k, "ui", NULL));
        assert_string_equal(text_of(ui, "headline"), langs[i].headline);
        assert_string_equal(text_of(ui, "start"), langs[i].start);
        check_layout(ui);
        json_decref(ui);
    }
    /* every language also fits the identify screen */
    json_decref(ok(kiosk_proc_cmd(&k, "press", json_pack("{s:s}", "id", "start"))));
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
        json_decref(ok(kiosk_proc_cmd(&k, "press", json_pack("{s:s}", "id", langs[i].id))));
        json_t *ui = ok(kiosk_proc_cmd(&k, "ui", NULL));
        check_layout(ui);
        json_decref(ui);
    }
    assert_int_equal(kiosk_proc_stop(&k), 0);
}

static void mirror_is_portrait_and_black(void **state)
{
    KioskProc k;
    const char *const args[] = {"--mode", "mirror", NULL};
    assert_true(kiosk_proc_start(&k, NULL, args));
    json_t *ui = ok(kiosk_proc_cmd(&k, "ui", NULL));
    assert_string_equal(json_string_value(json_object_get(ui, "mode")), "mirror");
    json_t *size = json_object_get(ui, "size");
    assert_int_equal(json_integer_value(json_array_get(size, 0)), 1080);
    assert_int_equal(json_integer_value(json_array_get(size, 1)), 1920);
    /* the words sit in the lower part: the shopper sees themselves above */
    json_t *r = json_object_get(find(ui, "headline"), "rect");
    assert_true(json_integer_value(json_array_get(r, 1)) > 1920 / 2);
    check_layout(ui);
    json_decref(ui);
    Uint32 corner = 0;
    check_screenshot(&k, "mirror.png", 1080, 1920, &corner);
    assert_int_equal(corner & 0xFFFFFF, 0x000000);
    json_decref(ok(kiosk_proc_cmd(&k, "press", json_pack("{s:s}", "id", "start"))));
    ui = ok(kiosk_proc_cmd(&k, "ui", NULL));
    assert_string_equal(json_string_value(json_object_get(ui, "screen")), "identify");
    check_layout(ui);
    json_decref(ui);
    check_screenshot(&k, "mirror-identify.png", 1080, 1920, &corner);
    assert_int_equal(corner & 0xFFFFFF, 0x000000);
    assert_int_equal(kiosk_proc_stop(&k), 0);
}

static void still_there_counts_down_and_one_touch_keeps(void **state)
{
    KioskProc k;
    assert_true(kiosk_proc_start(&k, "[session]\nidle_seconds = 10\nwarning_seconds = 20\n", NULL));
    json_decref(ok(kiosk_proc_cmd(&k, "press", json_pack("{s:s}", "id", "start"))));
    /* wait for the overlay: the identify screen stays, with "Still there?" over it */
    json_t *ui = NULL;
    for (int i = 0; i < 150; i++) {
        ui = ok(kiosk_proc_cmd(&k, "ui", NULL));
        if (find(ui, "idle-stay"))
            break;
        json_decref(ui);
        ui = NULL;
        SDL_Delay(100);
    }
    assert_non_null(ui);
    const char *countdown = text_of(ui, "idle-countdown");
    assert_non_null(strstr(countdown, "seconds"));
    assert_true(json_is_true(json_object_get(find(ui, "idle-stay"), "enabled")));
    assert_true(json_is_true(json_object_get(find(ui, "idle-done"), "enabled")));
    check_layout(ui);
    json_decref(ui);
    json_t *st = ok(kiosk_proc_cmd(&k, "state", NULL));
    assert_true(json_is_true(json_object_get(st, "idle_warning")));
    json_decref(st);
    /* Nothing of the session shows behind the question (the shopper may have gone). */
    ui = ok(kiosk_proc_cmd(&k, "ui", NULL));
    assert_null(find(ui, "back"));
    assert_null(find(ui, "title"));
    json_decref(ui);
    /* A touch anywhere answers it: one touch keeps the session. */
    json_t *r = ok(kiosk_proc_cmd(&k, "tap", json_pack("{s:i,s:i}", "x", 10, "y", 10)));
    assert_true(json_is_null(json_object_get(r, "pressed")));
    json_decref(r);
    st = ok(kiosk_proc_cmd(&k, "state", NULL));
    assert_false(json_is_true(json_object_get(st, "idle_warning")));
    assert_string_equal(json_string_value(json_object_get(st, "screen")), "identify");
    json_decref(st);
    ui = ok(kiosk_proc_cmd(&k, "ui", NULL));
    assert_null(find(ui, "idle-stay"));
    json_decref(ui);
    assert_int_equal(kiosk_proc_stop(&k), 0);
}

static void bad_input_is_answered_not_crashed_on(void **state)
{
    KioskProc k;
    assert_true(kiosk_proc_start(&k, NULL, NULL));
    json_t *r = kiosk_proc_cmd(&k, "press", json_pack("{s:s}", "id", "no-such-button"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(r, "error"), "code")),
                        "not_found");
    json_decref(r);
    r = kiosk_proc_cmd(&k, "press", NULL);
    assert_string_equal(json_string_value(json_object_get(json_object_get(r, "error"), "code")),
                        "bad_request");
    json_decref(r);
    r = kiosk_proc_cmd(&k, "press", json_pack("{s:s}", "id", "headline")); /* text, not a button */
    assert_string_equal(json_string_value(json_object_get(json_object_get(r, "error"), "code")),
                        "not_pressable");
    json_decref(r);
    r = ok(kiosk_proc_cmd(&k, "tap", json_pack("{s:i,s:i}", "x", 5, "y", 1075)));
    assert_true(json_is_null(json_object_get(r, "pressed")));
    json_decref(r);
    r = kiosk_proc_cmd(&k, "tap", json_pack("{s:s,s:i}", "x", "left", "y", 3));
    assert_false(json_is_true(json_object_get(r, "ok")));
    json_decref(r);
    r = kiosk_proc_cmd(&k, "wait", json_pack("{s:s,s:i}", "screen", "identify", "timeout_ms", 200));
    assert_string_equal(json_string_value(json_object_get(json_object_get(r, "error"), "code")),
                        "timeout");
    json_decref(r);
    r = kiosk_proc_cmd(&k, "wait", json_pack("{s:s}", "screen", "nowhere"));
    assert_false(json_is_true(json_object_get(r, "ok")));
    json_decref(r);
    r = kiosk_proc_cmd(&k, "screenshot", json_pack("{s:s}", "path", "/nonexistent/dir/x.png"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(r, "error"), "code")),
                        "io");
    json_decref(r);
    r = kiosk_proc_cmd(&k, "launch", NULL);
    assert_string_equal(json_string_value(json_object_get(json_object_get(r, "error"), "code")),
                        "unknown_command");
    json_decref(r);
    /* garbage from the scanner: ignored, nothing shown, kiosk still serving */
    json_decref(ok(kiosk_proc_cmd(
        &k, "type", json_pack("{s:s}", "text", "\x1b[2J%%<script>alert(1)</script>\n\n"))));
    char big[4000];
    memset(big, 'Z', sizeof big - 2);
    big[sizeof big - 2] = '\n';
    big[sizeof big - 1] = '\0';
    json_decref(ok(kiosk_proc_cmd(&k, "type", json_pack("{s:s}", "text", big))));
    json_t *ui = ok(kiosk_proc_cmd(&k, "ui", NULL));
    assert_string_equal(json_string_value(json_object_get(ui, "screen")), "attract");
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(ui, "widgets"), i, w)
        assert_null(strstr(json_string_value(json_object_get(w, "text")), "script"));
    json_decref(ui);
    /* the log says a line was ignored, and never what it said */
    char log[65536] = "";
    FILE *f = fopen(k.log, "r");
    assert_non_null(f);
    size_t n = fread(log, 1, sizeof log - 1, f);
    log[n] = '\0';
    fclose(f);
    assert_non_null(strstr(log, "ignored a scanner line"));
    assert_null(strstr(log, "script"));
    assert_int_equal(kiosk_proc_stop(&k), 0);
}

/* What a technician asks: the recent log, and the diagnostics of each part. Without a
 * reader or a central service each says so plainly; bad questions get a clear error. */
static void technician_logs_and_diagnostics(void **state)
{
    (void)state;
    KioskProc k;
    assert_true(kiosk_proc_start(&k, NULL, NULL));
    json_t *r = kiosk_proc_cmd(&k, "logs", json_pack("{s:i}", "lines", 200));
    assert_true(json_is_true(json_object_get(r, "ok")));
    json_t *lines = json_object_get(r, "lines");
    assert_true(json_array_size(lines) >= 1);
    bool first_frame = false;
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        assert_non_null(json_string_value(json_object_get(l, "time")));
        first_frame |= strstr(json_string_value(json_object_get(l, "text")), "first frame") != NULL;
    }
    assert_true(first_frame);
    json_decref(r);
    r = kiosk_proc_cmd(&k, "logs", json_pack("{s:i}", "lines", 0));
    assert_false(json_is_true(json_object_get(r, "ok")));
    json_decref(r);
    r = kiosk_proc_cmd(&k, "diag", NULL);
    assert_true(json_is_true(json_object_get(r, "ok")));
    json_t *nfc = json_object_get(r, "nfc"), *net = json_object_get(r, "network");
    json_t *display = json_object_get(r, "display"), *storage = json_object_get(r, "storage");
    assert_true(json_is_false(json_object_get(nfc, "configured")));
    assert_true(json_is_false(json_object_get(net, "reachable")));
    assert_string_equal(json_string_value(json_object_get(net, "result")),
                        "no central service configured");
    assert_null(json_object_get(net, "device_certificate_days_left")); /* not enrolled */
    assert_int_equal(json_integer_value(json_object_get(display, "width")), 1920);
    assert_true(json_integer_value(json_object_get(storage, "total_bytes")) > 0);
    assert_true(json_is_true(json_object_get(storage, "writable")));
    json_decref(r);
    r = kiosk_proc_cmd(&k, "diag", json_pack("{s:s}", "what", "display"));
    assert_non_null(json_object_get(r, "display"));
    assert_null(json_object_get(r, "nfc"));
    json_decref(r);
    r = kiosk_proc_cmd(&k, "diag", json_pack("{s:s}", "what", "toaster"));
    assert_false(json_is_true(json_object_get(r, "ok")));
    json_decref(r);
    assert_int_equal(kiosk_proc_stop(&k), 0);
}

static void command_line_errors(void **state)
{
    char out[4096];
    const char *const bad_flag[] = {"--bogus", NULL};
    assert_int_equal(kiosk_run_once(bad_flag, out, sizeof out), 2);
    assert_non_null(strstr(out, "unknown option '--bogus'"));
    const char *const bad_mode[] = {"--mode", "tv", NULL};
    assert_int_equal(kiosk_run_once(bad_mode, out, sizeof out), 2);
    assert_non_null(strstr(out, "--mode tv: must be kiosk or mirror"));
    const char *const bad_size[] = {"--size", "10x10", NULL};
    assert_int_equal(kiosk_run_once(bad_size, out, sizeof out), 2);
    const char *const no_value[] = {"--config", NULL};
    assert_int_equal(kiosk_run_once(no_value, out, sizeof out), 2);
    assert_non_null(strstr(out, "needs a value"));
    const char *const missing[] = {"--config", "/nonexistent.conf", NULL};
    assert_int_equal(kiosk_run_once(missing, out, sizeof out), 2);
    assert_non_null(strstr(out, "/nonexistent.conf: cannot read the file"));
    const char *const version[] = {"--version", NULL};
    assert_int_equal(kiosk_run_once(version, out, sizeof out), 0);
    assert_int_equal(strncmp(out, "kiosk ", 6), 0);
    const char *const help[] = {"--help", NULL};
    assert_int_equal(kiosk_run_once(help, out, sizeof out), 0);
    assert_non_null(strstr(out, "--headless"));
    assert_non_null(strstr(out, "--control"));
}

static void bad_config_names_file_line_and_key(void **state)
{
    char dir[] = "/tmp/kiosk-conf-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/kiosk.conf", dir);
    FILE *f = fopen(path, "w");
    fputs("[ui]\nlanguage = en\n\n[session]\nidle_seconds = often\n", f);
    fclose(f);
    const char *const args[] = {"--headless", "--config", path, NULL};
    char out[4096];
    assert_int_equal(kiosk_run_once(args, out, sizeof out), 2);
    char want[256];
    snprintf(want, sizeof want, "%s:5: [session] idle_seconds must be a whole number", path);
    if (!strstr(out, want))
        fail_msg("want '%s' in: %s", want, out);
    unlink(path);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(attract_then_identify),
        cmocka_unit_test(languages_switch_through_catalogs),
        cmocka_unit_test(mirror_is_portrait_and_black),
        cmocka_unit_test(still_there_counts_down_and_one_touch_keeps),
        cmocka_unit_test(bad_input_is_answered_not_crashed_on),
        cmocka_unit_test(technician_logs_and_diagnostics),
        cmocka_unit_test(command_line_errors),
        cmocka_unit_test(bad_config_names_file_line_and_key),
    };
    TEST_FILTER(argc, argv, tests); /* CTest runs each case on its own, in parallel */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
