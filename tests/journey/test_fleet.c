/* test_fleet.c: a technician brings a device up, end to end with real parts: the central
 * service in mutual-TLS mode with its device CA, the PN532 emulator read through libnfc, a
 * headless kiosk that has never been enrolled.
 * - It starts on the setup screen; a member card there does nothing but say so; an
 *   enrollment code before the technician's badge is refused.
 * - The badge, then the code from the device console under the scanner: the device makes its
 *   key (0600, never sent), sends a CSR, keeps the certificate the service signed, and starts
 *   again; its heartbeat then reaches the service over mutual TLS, and a command the
 *   operator queued (a screenshot) is carried out.
 * - Revoked at the console, its heartbeats are refused and it says so to a technician.
 * - Near the end of its certificate's life it renews it by itself; the old one is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "test_filter.h"

#include "journey.h"

typedef struct Fleet {
    World w;
    char data[HARNESS_PATH_MAX + 16];
    const char *const *args; /* the kiosk's flags: NULL for a landscape kiosk */
    const char *kind;        /* what the enrollment code is for: "kiosk" (NULL) or "mirror" */
} Fleet;

static int setup(void **state)
{
    Fleet *f = calloc(1, sizeof *f);
    assert_int_equal(harness_start_devices(&f->w.central, true, NULL), 0);
    f->w.sim = nfctest_sim_start(NFCSIM_PATH);
    assert_non_null(f->w.sim);
    snprintf(f->data, sizeof f->data, "%s/device-data", f->w.central.dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fleet *f = *state;
    if (f->w.kiosk.pid)
        kiosk_proc_stop(&f->w.kiosk);
    nfctest_sim_stop(f->w.sim);
    harness_stop(&f->w.central);
    free(f);
    return 0;
}

/* The kiosk of a shop floor that must be enrolled, its data kept across restarts. */
static void start(Fleet *f)
{
    char pub[HARNESS_PATH_MAX + 32], conf[4096];
    harness_path(&f->w.central, "demo-loyalty-pub.pem", pub, sizeof pub);
    snprintf(conf, sizeof conf,
             "[device]\ndata_dir = %s\nenroll = true\nserial = SN-FLEET-1\n"
             "[central]\nurl = %s\nca_file = %s\nconnect_timeout_ms = 2000\n"
             "request_timeout_ms = 5000\n[nfc]\nconnstring = %s\n[identity]\nloyalty_keys = %s\n",
             f->data, f->w.central.base, f->w.central.ca, nfctest_sim_connstring(f->w.sim), pub);
    assert_true(kiosk_proc_start(&f->w.kiosk, conf, f->args));
}

static json_t *state_of(Fleet *f)
{
    json_t *st = kiosk_proc_cmd(&f->w.kiosk, "state", NULL);
    assert_non_null(st);
    return st;
}

static void await(Fleet *f, const char *field, json_t *want)
{
    json_t *last = NULL;
    if (!kiosk_await_state(&f->w.kiosk, field, want, 20000, &last))
        fail_msg("%s never became as wanted: %s", field, json_dumps(last, 0));
    json_decref(last);
}

static void enrollment_code(Fleet *f, char *code, size_t size)
{
    Resp r;
    char body[96];
    snprintf(body, sizeof body, "{\"store\":\"sea-ballard\",\"kind\":\"%s\"}",
             f->kind ? f->kind : "kiosk");
    assert_int_equal(
        harness_operator(&f->w.central, "POST", "/v1/admin/enrollment-codes", body, &r), 0);
    assert_int_equal(r.status, 201);
    snprintf(code, size, "%s", json_string_value(json_object_get(r.json, "code")));
    resp_free(&r);
}

static void scan(Fleet *f, const char *line)
{
    json_decref(kiosk_proc_cmd(&f->w.kiosk, "type", json_pack("{s:s}", "text", line)));
}

static int mode_of(const char *dir, const char *name)
{
    char path[HARNESS_PATH_MAX + 64];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

/* Waits for the kiosk to end by itself (it starts again with its identity under systemd). */
static void await_exit(Fleet *f)
{
    for (int i = 0; i < 500; i++) {
        int status;
        pid_t p = waitpid(f->w.kiosk.pid, &status, WNOHANG);
        if (p == f->w.kiosk.pid) {
            assert_true(WIFEXITED(status));
            assert_int_equal(WEXITSTATUS(status), 0);
            f->w.kiosk.pid = 0;
            kiosk_proc_stop(&f->w.kiosk); /* tidies its folder; the process is gone */
            return;
        }
        journey_pause_ms(20);
    }
    fail_msg("the kiosk did not restart after enrolling");
}

static void device_heartbeat_seen(Fleet *f, const char *device, bool *seen)
{
    Resp r;
    assert_int_equal(harness_operator(&f->w.central, "GET", "/v1/fleet", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    *seen = false;
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(r.json, "devices"), i, d)
    {
        if (strcmp(json_string_value(json_object_get(d, "id")), device) == 0)
            *seen = json_is_string(json_object_get(d, "last_seen")) &&
                    json_is_true(json_object_get(d, "healthy"));
    }
    resp_free(&r);
}

static void enrolled_from_scratch_then_revoked(void **state)
{
    Fleet *f = *state;
    char code[HARNESS_CODE_MAX], line[64], cmd[2048];
    start(f);
    journey_await_screen(&f->w, "setup");
    json_t *u = journey_await_widget(&f->w, "setup-serial", false);
    assert_string_equal(journey_text_of(u, "setup-serial"), "SN-FLEET-1");
    json_decref(u);
    /* It asks the service whether it answers, before any badge: the technician sees it. */
    bool reachable = false;
    for (int i = 0; i < 250 && !reachable; i++) {
        u = journey_ui(&f->w);
        const char *net = journey_text_of(u, "setup-network");
        reachable = net && strcmp(net, "Reachable") == 0;
        json_decref(u);
        if (!reachable)
            journey_pause_ms(20);
    }
    assert_true(reachable);
    journey_layout_ok(&f->w, "setup");
    /* Nobody is served before the device is enrolled; a code alone enrolls nothing. */
    char member[64];
    journey_demo_member(&f->w, "", member, sizeof member);
    journey_tap_card_of(&f->w, member);
    await(f, "notice", json_string("setup_needed"));
    enrollment_code(f, code, sizeof code);
    snprintf(line, sizeof line, "ENROLL:%s\n", code);
    scan(f, line);
    await(f, "notice", json_string("badge_first"));
    json_t *st = state_of(f);
    assert_string_equal(json_string_value(json_object_get(st, "screen")), "setup");
    assert_true(json_is_null(json_object_get(st, "member")));
    json_decref(st);
    assert_int_equal(mode_of(f->data, "device-key.pem"), 0600); /* made on the device */
    assert_int_equal(mode_of(f->data, "device-cert.pem"), -1);
    /* The technician's badge, then the code: enrolled, and the kiosk starts again. */
    journey_tap_badge(&f->w, "technician", "S1007", "04aa55aa55aa07");
    json_decref(journey_await_widget(&f->w, "setup-code", false));
    journey_layout_ok(&f->w, "setup code");
    scan(f, line);
    await_exit(f);
    assert_true(nfctest_sim_cmd(f->w.sim, "{\"cmd\":\"remove\"}", NULL, 0)); /* badge away */
    assert_int_equal(mode_of(f->data, "device-key.pem"), 0600);
    assert_int_equal(mode_of(f->data, "device-cert.pem"), 0600);
    assert_int_equal(mode_of(f->data, "device.json"), 0600);
    /* The certificate is the device CA's, for the device id the service gave. */
    char cert[HARNESS_PATH_MAX + 32], ca[HARNESS_PATH_MAX + 32];
    snprintf(cert, sizeof cert, "%s/device-cert.pem", f->data);
    harness_path(&f->w.central, "device-ca.pem", ca, sizeof ca);
    snprintf(cmd, sizeof cmd, "openssl verify -CAfile '%s' '%s' >/dev/null", ca, cert);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "openssl x509 -noout -subject -in '%s' | grep -q 'CN *= *D0'", cert);
    assert_int_equal(system(cmd), 0);
    /* Started again: the attract screen, and its heartbeat reaches the fleet over mutual TLS
     * (the service refuses device calls without the certificate). */
    start(f);
    journey_await_screen(&f->w, "attract");
    await(f, "heartbeat", json_string("ok"));
    char device[64];
    json_t *record = json_load_file(strcat(strcpy(cmd, f->data), "/device.json"), 0, NULL);
    assert_non_null(record);
    snprintf(device, sizeof device, "%s", json_string_value(json_object_get(record, "device_id")));
    json_decref(record);
    bool seen;
    device_heartbeat_seen(f, device, &seen);
    assert_true(seen);
    /* An operator's command comes with the next heartbeat (the first one after a start). */
    Resp r;
    char path[128];
    snprintf(path, sizeof path, "/v1/admin/devices/%s/commands", device);
    assert_int_equal(
        harness_operator(&f->w.central, "POST", path, "{\"command\":\"screenshot\"}", &r), 0);
    assert_int_equal(r.status, 201);
    resp_free(&r);
    assert_int_equal(kiosk_proc_stop(&f->w.kiosk), 0);
    start(f);
    for (int i = 0; i < 500 && mode_of(f->data, "support-screenshot.png") < 0; i++)
        journey_pause_ms(20);
    assert_true(mode_of(f->data, "support-screenshot.png") >= 0);
    /* ... and the operator sees it at the service: a PNG of the kiosk's own screen size. */
    snprintf(path, sizeof path, "/v1/admin/devices/%s/screenshot", device);
    for (int i = 0; i < 500; i++) {
        assert_int_equal(harness_operator(&f->w.central, "GET", path, NULL, &r), 0);
        if (r.status != 404)
            break;
        resp_free(&r);
        journey_pause_ms(20);
    }
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "image/png");
    assert_true(r.len > 24 && memcmp(r.body, "\x89PNG\r\n\x1a\n", 8) == 0);
    const unsigned char *ihdr = (const unsigned char *)r.body + 16;
    assert_int_equal(ihdr[0] << 24 | ihdr[1] << 16 | ihdr[2] << 8 | ihdr[3], 1920);
    assert_int_equal(ihdr[4] << 24 | ihdr[5] << 16 | ihdr[6] << 8 | ihdr[7], 1080);
    resp_free(&r);
    /* Revoked at the console: the device's calls are refused, and it says so. */
    snprintf(path, sizeof path, "/v1/admin/devices/%s/revoke", device);
    assert_int_equal(harness_operator(&f->w.central, "POST", path, NULL, &r), 0);
    assert_int_equal(r.status, 204);
    resp_free(&r);
    assert_int_equal(kiosk_proc_stop(&f->w.kiosk), 0);
    start(f);
    await(f, "heartbeat", json_string("device_revoked"));
    assert_int_equal(kiosk_proc_stop(&f->w.kiosk), 0);
    f->w.kiosk.pid = 0;
}

/* A code that is not valid says what to do, and the technician can try again. */
static void a_bad_code_is_explained(void **state)
{
    Fleet *f = *state;
    start(f);
    journey_await_screen(&f->w, "setup");
    journey_tap_badge(&f->w, "technician", "S1007", "04aa55aa55aa07");
    json_decref(journey_await_widget(&f->w, "setup-code", false));
    scan(f, "ENROLL:ZZZZ-ZZZZ\n");
    json_t *u = journey_await_widget(&f->w, "setup-retry", true);
    assert_non_null(strstr(journey_text_of(u, "setup-failed"), "device console"));
    json_decref(u);
    journey_layout_ok(&f->w, "setup failed");
    assert_int_equal(mode_of(f->data, "device-cert.pem"), -1);
    journey_press(&f->w, "setup-retry");
    json_decref(journey_await_widget(&f->w, "setup-code", false));
    assert_int_equal(kiosk_proc_stop(&f->w.kiosk), 0);
    f->w.kiosk.pid = 0;
}

/* A technician with a shell enrolls with kioskctl; the factory reset then leaves no key,
 * certificate, enrollment record, local store or outbox key behind, and the device starts as
 * new (a new key, the setup screen). */
static void factory_reset_leaves_nothing_behind(void **state)
{
    Fleet *f = *state;
    char code[HARNESS_CODE_MAX];
    start(f);
    journey_await_screen(&f->w, "setup");
    enrollment_code(f, code, sizeof code);
    json_t *r = kiosk_proc_cmd(&f->w.kiosk, "enroll", json_pack("{s:s}", "code", code));
    assert_true(json_is_true(json_object_get(r, "ok")));
    json_decref(r);
    await_exit(f);
    char key[HARNESS_PATH_MAX + 32], before[4096] = "", after[4096] = "";
    snprintf(key, sizeof key, "%s/device-key.pem", f->data);
    FILE *k = fopen(key, "r");
    assert_non_null(k);
    assert_true(fread(before, 1, sizeof before - 1, k) > 0);
    fclose(k);
    start(f);
    journey_await_screen(&f->w, "attract");
    r = kiosk_proc_cmd(&f->w.kiosk, "enroll", json_pack("{s:s}", "code", code));
    assert_false(json_is_true(json_object_get(r, "ok"))); /* enrolled already */
    json_decref(r);
    r = kiosk_proc_cmd(&f->w.kiosk, "reset", json_pack("{s:s}", "confirm", "yes"));
    assert_false(json_is_true(json_object_get(r, "ok"))); /* not the words: nothing happens */
    json_decref(r);
    assert_int_equal(mode_of(f->data, "device-cert.pem"), 0600);
    r = kiosk_proc_cmd(&f->w.kiosk, "reset", json_pack("{s:s}", "confirm", "erase everything"));
    assert_true(json_is_true(json_object_get(r, "ok")));
    json_decref(r);
    await_exit(f);
    static const char *const gone[] = {"device-key.pem", "device-cert.pem", "device.json",
                                       "kiosk.db",       "kiosk.db-wal",    "device.key",
                                       "images"};
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
        if (mode_of(f->data, gone[i]) != -1)
            fail_msg("%s is still there after the factory reset", gone[i]);
    start(f);
    journey_await_screen(&f->w, "setup"); /* a new device: to be enrolled again */
    k = fopen(key, "r");
    assert_non_null(k);
    assert_true(fread(after, 1, sizeof after - 1, k) > 0);
    fclose(k);
    assert_string_not_equal(before, after); /* a new key, made on the device */
    assert_int_equal(kiosk_proc_stop(&f->w.kiosk), 0);
    f->w.kiosk.pid = 0;
}

static void read_text(const char *path, char *buf, size_t size)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    size_t n = fread(buf, 1, size - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    assert_true(n > 0);
}

/* What the service answers a heartbeat sent with this certificate and the device's key. */
static void heartbeat_answer(Fleet *f, const char *device, const char *cert, char *out, size_t size)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "curl -s --cacert '%s' --cert '%s' --key '%s/device-key.pem' -H "
             "'Content-Type: application/json' -d '{}' '%s/v1/devices/%s/heartbeat'",
             f->w.central.ca, cert, f->data, f->w.central.base, device);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    pclose(p);
}

/* Renewal before expiry: when the service's record says the certificate is in its last
 * third, the device's next heartbeat brings the word, the device sends a new CSR for its own
 * key, keeps the certificate that comes back and, idle, starts again with it; the service
 * then takes only the new one. */
static void certificate_renewed_before_it_expires(void **state)
{
    Fleet *f = *state;
    char code[HARNESS_CODE_MAX], cert[HARNESS_PATH_MAX + 32], old[HARNESS_PATH_MAX + 32];
    char before[8192], after[8192], device[64], answer[1024], cmd[2048];
    start(f);
    journey_await_screen(&f->w, "setup");
    enrollment_code(f, code, sizeof code);
    json_decref(kiosk_proc_cmd(&f->w.kiosk, "enroll", json_pack("{s:s}", "code", code)));
    await_exit(f);
    snprintf(cert, sizeof cert, "%s/device-cert.pem", f->data);
    read_text(cert, before, sizeof before);
    snprintf(old, sizeof old, "%s/old-cert.pem", f->w.central.dir);
    FILE *o = fopen(old, "w");
    assert_non_null(o);
    fputs(before, o);
    fclose(o);
    json_t *record = json_load_file(strcat(strcpy(cmd, f->data), "/device.json"), 0, NULL);
    assert_non_null(record);
    snprintf(device, sizeof device, "%s", json_string_value(json_object_get(record, "device_id")));
    json_decref(record);
    /* The service's record: an hour left. */
    char db_path[HARNESS_PATH_MAX + 32];
    harness_path(&f->w.central, "central.db", db_path, sizeof db_path);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "UPDATE devices SET cert_expires_at = "
                                        "CAST(strftime('%s','now') AS INTEGER) + 3600 WHERE id = ?",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_changes(db), 1);
    start(f);
    for (int i = 0; i < 1000; i++) {
        read_text(cert, after, sizeof after);
        if (strcmp(before, after) != 0)
            break;
        journey_pause_ms(20);
    }
    assert_string_not_equal(before, after);
    /* Nobody is using it: it starts again at once, so every connection has the new one. */
    await_exit(f);
    /* The new certificate is the device CA's, valid for the service's full term again, and
     * the service's record says so. */
    char ca[HARNESS_PATH_MAX + 32];
    harness_path(&f->w.central, "device-ca.pem", ca, sizeof ca);
    snprintf(cmd, sizeof cmd, "openssl verify -CAfile '%s' '%s' >/dev/null", ca, cert);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "openssl x509 -noout -checkend %d -in '%s' >/dev/null", 60 * 86400,
             cert);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT cert_expires_at - CAST(strftime('%s','now') AS "
                                        "INTEGER) FROM devices WHERE id = ?",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_true(sqlite3_column_int64(st, 0) > 60 * 86400);
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* The old certificate is refused, the new one taken, and the kiosk carries on with it. */
    heartbeat_answer(f, device, old, answer, sizeof answer);
    assert_non_null(strstr(answer, "certificate_superseded"));
    heartbeat_answer(f, device, cert, answer, sizeof answer);
    assert_null(strstr(answer, "certificate_superseded"));
    start(f);
    journey_await_screen(&f->w, "attract");
    await(f, "heartbeat", json_string("ok"));
    assert_int_equal(kiosk_proc_stop(&f->w.kiosk), 0);
    f->w.kiosk.pid = 0;
}

/* Enrolls the kiosk with a fresh code through the control socket, waits for it to stop (to
 * start again with its identity), and gives the store's service PIN. */
static void enroll_for_service(Fleet *f, char *pin, size_t size)
{
    char code[HARNESS_CODE_MAX], pins[HARNESS_PATH_MAX + 32];
    enrollment_code(f, code, sizeof code);
    json_decref(kiosk_proc_cmd(&f->w.kiosk, "enroll", json_pack("{s:s}", "code", code)));
    await_exit(f);
    harness_path(&f->w.central, "demo-service-pins.json", pins, sizeof pins);
    json_t *all = json_load_file(pins, 0, NULL);
    assert_non_null(all);
    snprintf(pin, size, "%s", json_string_value(json_object_get(all, "sea-ballard")));
    json_decref(all);
}

static void press_digits(Fleet *f, const char *digits)
{
    char id[16];
    for (const char *d = digits; *d; d++) {
        snprintf(id, sizeof id, "pin-%c", *d);
        journey_press(&f->w, id);
    }
    journey_press(&f->w, "pin-ok");
}

/* The PIN pad says a PIN was wrong (the check takes PBKDF2's time, off the UI thread). */
static void await_wrong_pin(Fleet *f)
{
    for (int i = 0;; i++) {
        json_t *u = journey_ui(&f->w);
        const char *p = journey_text_of(u, "pin-prompt");
        bool wrong = p && strstr(p, "Wrong");
        json_decref(u);
        if (wrong)
            return;
        assert_true(i < 250);
        journey_pause_ms(20);
    }
}

/* Service mode opens only for a technician's badge and the store's PIN (set at the service,
 * checked on the device): not for a shopper, not for a staff badge, not through the control
 * socket, and wrong PINs make the pad wait. */
static void service_mode_needs_the_badge_and_the_pin(void **state)
{
    Fleet *f = *state;
    char member[64], pin[16];
    start(f);
    journey_await_screen(&f->w, "setup");
    enroll_for_service(f, pin, sizeof pin);
    start(f);
    journey_await_screen(&f->w, "attract");
    /* Not through the control socket, not for a shopper, not for a staff badge. */
    static const char *const tries[] = {"service_section", "service_reset", "service_exit",
                                        "service_pin"};
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++)
        json_decref(kiosk_proc_cmd(&f->w.kiosk, "intent",
                                   json_pack("{s:s,s:i}", "name", tries[i], "arg", 5)));
    journey_pause_ms(300);
    json_t *st = state_of(f);
    assert_string_equal(json_string_value(json_object_get(st, "screen")), "attract");
    json_decref(st);
    journey_demo_member(&f->w, "", member, sizeof member);
    journey_tap_card_of(&f->w, member);
    journey_await_screen(&f->w, "home");
    journey_tap_badge(&f->w, "staff", "S1003", "04aa55aa55aa03");
    await(f, "notice", json_string("staff_badge"));
    st = state_of(f);
    assert_string_equal(json_string_value(json_object_get(st, "screen")), "home");
    json_decref(st);
    /* The technician's badge: the PIN pad (the shopper's session is gone). */
    journey_tap_badge(&f->w, "technician", "S1007", "04aa55aa55aa07");
    journey_await_screen(&f->w, "service_pin");
    st = state_of(f);
    assert_true(json_is_null(json_object_get(st, "member")));
    json_decref(st);
    journey_layout_ok(&f->w, "service pin");
    press_digits(f, "1357");
    json_t *u = journey_await_widget(&f->w, "pin-ok", false);
    json_decref(u);
    await_wrong_pin(f);
    st = state_of(f);
    assert_string_equal(json_string_value(json_object_get(st, "screen")), "service_pin");
    json_decref(st);
    /* The store's PIN opens it. */
    press_digits(f, pin);
    journey_await_screen(&f->w, "service");
    /* The status: the reader's chip and firmware, the service's latency and certificate, the
     * free space (checked off the UI thread). */
    u = journey_await_widget(&f->w, "svc-storage", false);
    assert_non_null(strstr(journey_text_of(u, "svc-reader"), "PN532"));
    assert_non_null(strstr(journey_text_of(u, "svc-central"), "ms"));
    assert_non_null(kiosk_widget(u, "svc-tls"));
    assert_non_null(strstr(journey_text_of(u, "svc-storage"), "free"));
    /* Its own certificate, just signed by the service for 90 days. */
    assert_non_null(strstr(journey_text_of(u, "svc-device-cert"), "Ends in 89 days"));
    json_decref(u);
    st = kiosk_proc_cmd(&f->w.kiosk, "diag", json_pack("{s:s}", "what", "net"));
    json_int_t own = json_integer_value(
        json_object_get(json_object_get(st, "network"), "device_certificate_days_left"));
    assert_int_equal(own, 89);
    json_decref(st);
    journey_layout_ok(&f->w, "service status");
    journey_press(&f->w, "section-1");
    journey_tap_card_of(&f->w, member); /* the reader test: reported, not acted on */
    u = journey_await_widget(&f->w, "reader-test-last", false);
    for (int i = 0; i < 250 && strcmp(journey_text_of(u, "reader-test-last"), "member") != 0; i++) {
        json_decref(u);
        journey_pause_ms(20);
        u = journey_ui(&f->w);
    }
    assert_string_equal(journey_text_of(u, "reader-test-last"), "member");
    json_decref(u);
    st = state_of(f);
    assert_true(json_is_null(json_object_get(st, "member")));
    json_decref(st);
    journey_press(&f->w, "section-3");
    journey_layout_ok(&f->w, "service display");
    journey_press(&f->w, "service-done");
    journey_await_screen(&f->w, "attract");
    assert_int_equal(kiosk_proc_stop(&f->w.kiosk), 0);
    /* A new PIN set at the service reaches the device with its heartbeat; the old one goes. */
    Resp r;
    assert_int_equal(harness_operator(&f->w.central, "PUT",
                                      "/v1/admin/stores/sea-ballard/service-pin",
                                      "{\"pin\":\"583190\"}", &r),
                     0);
    assert_int_equal(r.status, 204);
    resp_free(&r);
    start(f);
    await(f, "heartbeat", json_string("ok"));
    journey_pause_ms(300); /* the record is rewritten on the client's thread */
    journey_tap_badge(&f->w, "technician", "S1007", "04aa55aa55aa07");
    journey_await_screen(&f->w, "service_pin");
    press_digits(f, pin);
    await_wrong_pin(f);
    press_digits(f, "583190");
    journey_await_screen(&f->w, "service");
    journey_press(&f->w, "service-done");
    journey_await_screen(&f->w, "attract");
    /* Wrong PINs make the pad wait: three, and its keys close. */
    journey_tap_badge(&f->w, "technician", "S1007", "04aa55aa55aa07");
    journey_await_screen(&f->w, "service_pin");
    for (int n = 0; n < 3; n++) {
        json_decref(journey_await_widget(&f->w, "pin-1", true));
        press_digits(f, "1111");
        journey_pause_ms(50);
    }
    for (int i = 0;; i++) {
        u = journey_ui(&f->w);
        json_t *key = kiosk_widget(u, "pin-1");
        bool closed = key && json_is_false(json_object_get(key, "enabled"));
        json_decref(u);
        if (closed)
            break;
        assert_true(i < 500);
        journey_pause_ms(20);
    }
    /* A restart does not end the wait: the pad is still closed for this badge. */
    assert_int_equal(kiosk_proc_stop(&f->w.kiosk), 0);
    start(f);
    journey_await_screen(&f->w, "attract");
    journey_tap_badge(&f->w, "technician", "S1007", "04aa55aa55aa07");
    journey_await_screen(&f->w, "service_pin");
    u = journey_ui(&f->w);
    json_t *key = kiosk_widget(u, "pin-1");
    assert_non_null(key);
    assert_true(json_is_false(json_object_get(key, "enabled")));
    json_decref(u);
    assert_int_equal(kiosk_proc_stop(&f->w.kiosk), 0);
    f->w.kiosk.pid = 0;
}

/* A fitting room's mirror (portrait) is set up and serviced like a kiosk: every technician's
 * screen is laid out for portrait, nothing cut off or overlapping. */
static void a_mirror_is_set_up_and_serviced_in_portrait(void **state)
{
    Fleet *f = *state;
    static const char *const mirror[] = {"--mode", "mirror", NULL};
    char code[HARNESS_CODE_MAX], pin[16];
    f->args = mirror;
    f->kind = "mirror";
    start(f);
    journey_await_screen(&f->w, "setup");
    json_decref(journey_await_widget(&f->w, "setup-network", false));
    journey_layout_ok(&f->w, "mirror setup");
    journey_tap_badge(&f->w, "technician", "S1007", "04aa55aa55aa07");
    json_decref(journey_await_widget(&f->w, "setup-cancel", true));
    journey_layout_ok(&f->w, "mirror setup code");
    /* A kiosk's code: the mirror says so, and which code to make. */
    f->kind = "kiosk";
    enrollment_code(f, code, sizeof code);
    char line[64];
    snprintf(line, sizeof line, "ENROLL:%s\n", code);
    scan(f, line);
    json_t *u = journey_await_widget(&f->w, "setup-retry", true);
    assert_non_null(strstr(journey_text_of(u, "setup-failed"), "for a kiosk"));
    assert_non_null(strstr(journey_text_of(u, "setup-failed"), "code for a mirror"));
    json_decref(u);
    journey_layout_ok(&f->w, "mirror setup, a kiosk's code");
    journey_press(&f->w, "setup-retry");
    f->kind = "mirror";
    enroll_for_service(f, pin, sizeof pin);
    start(f);
    journey_await_screen(&f->w, "attract");
    journey_tap_badge(&f->w, "technician", "S1007", "04aa55aa55aa07");
    journey_await_screen(&f->w, "service_pin");
    journey_layout_ok(&f->w, "mirror service pin");
    press_digits(f, pin);
    journey_await_screen(&f->w, "service");
    u = journey_await_widget(&f->w, "svc-storage", false);
    assert_non_null(strstr(journey_text_of(u, "svc-reader"), "PN532"));
    json_decref(u);
    journey_layout_ok(&f->w, "mirror service status");
    static const char *const sections[] = {"section-1", "section-2", "section-3", "section-4",
                                           "section-5"};
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        journey_press(&f->w, sections[i]);
        journey_pause_ms(100);
        journey_layout_ok(&f->w, sections[i]);
    }
    journey_press(&f->w, "service-done");
    journey_await_screen(&f->w, "attract");
    assert_int_equal(kiosk_proc_stop(&f->w.kiosk), 0);
    f->w.kiosk.pid = 0;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(enrolled_from_scratch_then_revoked, setup, teardown),
        cmocka_unit_test_setup_teardown(a_bad_code_is_explained, setup, teardown),
        cmocka_unit_test_setup_teardown(factory_reset_leaves_nothing_behind, setup, teardown),
        cmocka_unit_test_setup_teardown(service_mode_needs_the_badge_and_the_pin, setup, teardown),
        cmocka_unit_test_setup_teardown(certificate_renewed_before_it_expires, setup, teardown),
        cmocka_unit_test_setup_teardown(a_mirror_is_set_up_and_serviced_in_portrait, setup,
                                        teardown),
    };
    TEST_FILTER(argc, argv, tests);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
