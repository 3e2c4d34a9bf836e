/* test_central_hostile.c: what a careless or hostile client gets from the real central:
 * broken, truncated, deep, oversized or wrongly typed JSON -> 400/413 with the error shape
 * (and the service still answers afterwards); unknown paths -> 404; wrong methods -> 405;
 * a client trusting another CA refuses the server; with --client-ca, device calls need the
 * device's own client certificate; bad command lines exit non-zero. The service has a device
 * CA, so mangled enrollments meet the code and CSR checks rather than a 503. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

static int setup(void **state)
{
    static TestCentral tc;
    if (harness_start_devices(&tc, false, NULL) != 0)
        return -1;
    *state = &tc;
    return 0;
}

static int teardown(void **state)
{
    harness_stop(*state);
    return 0;
}

static void expect_error(const TestCentral *tc, const char *method, const char *path,
                         const char *body, size_t len, long status)
{
    Resp r;
    char code[64];
    assert_int_equal(harness_call(tc, method, path, body, len, NULL, &r), 0);
    if (r.status != status || !resp_is_error(&r, code))
        fail_msg("%s %s: expected %ld with the error shape, got %ld %s", method, path, status,
                 r.status, r.body ? r.body : "");
    resp_free(&r);
}

static void still_alive(const TestCentral *tc)
{
    Resp r;
    assert_int_equal(harness_get(tc, "/v1/stores", &r), 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

static void test_hostile_json(void **state)
{
    TestCentral *tc = *state;
    static const char *const bodies[] = {
        "{",
        "{\"token\":",
        "{\"token\":\"NT1.abc",
        "[]",
        "\"just a string\"",
        "42",
        "null",
        "{\"token\":42}",
        "{\"token\":null}",
        "{\"token\":[\"NT1.\"]}",
        "{\"token\":\"NT1.\",\"token\":\"NT1.\"}",
        "{\"token\":\"\\u0000NT1.\"}",
        "{\"token\":\"NT1.!!!!\"}",
        "{\"token\":\"NT1.AAAA\",\"uid\":\"zz\"}",
        "{\"token\":\"NT1.AAAA\",\"uid\":\"0102030405060708090a0b0c0d\"}",
        "\xff\xfe{}",
        "{\"token\":\"\xc3\x28\"}",
        "{} trailing",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
        expect_error(tc, "POST", "/v1/identify", bodies[i], strlen(bodies[i]), 400);

    /* Deep nesting, both as a whole body and inside a field. */
    size_t depth = 5000;
    char *deep = malloc(2 * depth + 1);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    deep[2 * depth] = '\0';
    expect_error(tc, "POST", "/v1/orders", deep, strlen(deep), 400);
    free(deep);

    /* Wrong types and sizes on other resources. */
    static const struct {
        const char *path, *body;
    } typed[] = {
        {"/v1/pairings", "{\"device\":{\"a\":1}}"},
        {"/v1/pairings", "{\"store\":\"../../etc/passwd\"}"},
        {"/v1/fitting-requests",
         "{\"store\":\"sea-ballard\",\"room\":\"line\\nbreak\",\"variant\":\"V00001\"}"},
        {"/v1/fitting-requests", "{\"store\":true,\"room\":\"1\",\"variant\":\"V00001\"}"},
        {"/v1/devices/enroll",
         "{\"serial\":\"SN 1\",\"code\":\"KQ7M-2XPD\",\"csr\":\"x\",\"kind\":\"kiosk\"}"},
        {"/v1/devices/enroll",
         "{\"serial\":12,\"code\":\"KQ7M-2XPD\",\"csr\":\"x\",\"kind\":\"kiosk\"}"},
        {"/v1/devices/enroll",
         "{\"serial\":\"SN-1\",\"code\":\"KQ7M-2XPD\",\"csr\":\"\\u0000\",\"kind\":\"kiosk\"}"},
        {"/v1/pairings/ABCDEFGH/claim", "{\"member\":1e309}"},
    };
    for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++)
        expect_error(tc, "POST", typed[i].path, typed[i].body, strlen(typed[i].body), 400);

    /* A long string value in a field with a limit. */
    size_t n = 50000;
    char *big = malloc(n + 64);
    int off = snprintf(big, 64, "{\"token\":\"NT1.");
    memset(big + off, 'A', n);
    snprintf(big + off + n, 64, "\"}");
    expect_error(tc, "POST", "/v1/identify", big, strlen(big), 400);
    free(big);
    still_alive(tc);
}

/* Mutations of valid bodies (flipped bytes, truncations, spliced junk) sent to every POST
 * resource: each reply is a success or the error shape, never a 5xx, never a dropped
 * connection. The mutations come from a fixed seed, so a failure replays. */
static uint64_t next_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void test_mutated_bodies(void **state)
{
    TestCentral *tc = *state;
    static const struct {
        const char *path, *body;
    } seeds[] = {
        {"/v1/identify", "{\"token\":\"NT1.AQIDBAUGBwg\",\"uid\":\"04a1b2c3d4e580\"}"},
        {"/v1/pairings", "{\"device\":\"D000001\",\"store\":\"sea-ballard\"}"},
        {"/v1/pairings/ABCDEFGH/claim", "{\"member\":\"M10001\"}"},
        {"/v1/orders",
         "{\"member\":\"M10001\",\"store\":\"sea-ballard\",\"items\":[{\"variant\":"
         "\"V00001\",\"qty\":1}],\"shipping_option\":\"pickup\",\"offer\":\"F00001\"}"},
        {"/v1/fitting-requests",
         "{\"store\":\"sea-ballard\",\"room\":\"2\",\"variant\":\"V00001\"}"},
        {"/v1/fitting-requests/FR000001/status",
         "{\"status\":\"on_its_way\",\"associate\":\"S1\"}"},
        {"/v1/devices/enroll",
         "{\"serial\":\"SN-9\",\"code\":\"KQ7M-2XPD\",\"kind\":\"kiosk\",\"csr\":"
         "\"-----BEGIN CERTIFICATE REQUEST-----\\nMIIBDTCBtAIBADAS\\n-----END CERTIFICATE "
         "REQUEST-----\\n\"}"},
        {"/v1/admin/enrollment-codes", "{\"store\":\"sea-ballard\",\"kind\":\"kiosk\"}"},
        {"/v1/devices/D000001/certificate", "{\"csr\":\"-----BEGIN CERTIFICATE REQUEST-----\"}"},
        {"/v1/devices/D000001/heartbeat", "{\"version\":\"1\",\"online\":true,\"outbox_depth\":3}"},
    };
    static const char junk[] = "{}[]\",:\\0123456789eE.-+ntfu\x00\xff\xc3";
    uint64_t rng = 0x5eed;
    char buf[512];
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        for (int round = 0; round < 40; round++) {
            size_t n = strlen(seeds[s].body);
            memcpy(buf, seeds[s].body, n);
            int edits = 1 + (int)(next_rand(&rng) % 4);
            for (int e = 0; e < edits && n > 0; e++) {
                size_t at = next_rand(&rng) % n;
                switch (next_rand(&rng) % 3) {
                case 0: /* replace a byte */
                    buf[at] = junk[next_rand(&rng) % (sizeof junk - 1)];
                    break;
                case 1: /* truncate */
                    n = at;
                    break;
                default: /* insert a byte */
                    if (n + 1 < sizeof buf) {
                        memmove(buf + at + 1, buf + at, n - at);
                        buf[at] = junk[next_rand(&rng) % (sizeof junk - 1)];
                        n++;
                    }
                }
            }
            Resp r;
            char code[64];
            if (harness_call(tc, "POST", seeds[s].path, buf, n, NULL, &r) != 0)
                fail_msg("%s round %d: transfer failed (%d)", seeds[s].path, round, r.curl_code);
            if (r.status >= 500 || (r.status >= 400 && !resp_is_error(&r, code)))
                fail_msg("%s round %d: %ld %s", seeds[s].path, round, r.status, r.body);
            resp_free(&r);
        }
    }
    still_alive(tc);
}

static void test_oversized_body(void **state)
{
    TestCentral *tc = *state;
    size_t n = 200 * 1024;
    char *huge = malloc(n + 1);
    memset(huge, ' ', n);
    huge[0] = '{';
    huge[n - 1] = '}';
    huge[n] = '\0';
    Resp r;
    char code[64];
    int rc = harness_call(tc, "POST", "/v1/orders", huge, n, NULL, &r);
    /* The server answers 413 before reading the body; curl may or may not manage to read
     * the answer before the connection closes, but it must never be a success. */
    if (rc == 0) {
        assert_int_equal(r.status, 413);
        assert_true(resp_is_error(&r, code));
        assert_string_equal(code, "body_too_large");
    }
    resp_free(&r);
    free(huge);
    still_alive(tc);
}

static void test_unknown_paths_and_methods(void **state)
{
    TestCentral *tc = *state;
    static const char *const paths[] = {
        "/",
        "/v1",
        "/v2/stores",
        "/v1/storez",
        "/v1/products/P0001/stock/extra",
        "/v1/members",
        "/v1/a/b/c/d/e/f/g/h/i/j",
        "/v1/members/M10001/secrets",
        "/v1/members/%2e%2e%2fetc",
        "/v1/products/P0001%00",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        expect_error(tc, "GET", paths[i], NULL, 0, 404);
    expect_error(tc, "DELETE", "/v1/stores", NULL, 0, 405);
    expect_error(tc, "POST", "/v1/stores", "{}", 2, 405);
    expect_error(tc, "GET", "/v1/orders", NULL, 0, 405);
    expect_error(tc, "GET", "/v1/members/M10001/recommendations", NULL, 0, 400); /* no store */
    expect_error(tc, "GET", "/v1/catalog?limit=-1", NULL, 0, 400);
    expect_error(tc, "GET", "/v1/catalog?limit=100000", NULL, 0, 400);
    still_alive(tc);
}

static void test_wrong_ca_is_rejected(void **state)
{
    TestCentral *tc = *state;
    char other[HARNESS_PATH_MAX + 16];
    Resp r;
    harness_path(tc, "other-ca.pem", other, sizeof other);
    assert_int_equal(harness_call_ca(tc, other, "GET", "/v1/stores", NULL, 0, NULL, &r), -1);
    assert_int_equal(r.curl_code, CURLE_PEER_FAILED_VERIFICATION);
    resp_free(&r);
}

static void test_client_ca_mode(void **state)
{
    (void)state;
    TestCentral mtls;
    Resp r;
    char code[64], path[96], cert[HARNESS_PATH_MAX + 32], key[HARNESS_PATH_MAX + 32];
    /* --client-ca client-cas.pem: the device CA and the test CA that issued client.pem. */
    assert_int_equal(harness_start_devices(&mtls, true, NULL), 0);
    assert_int_equal(harness_enroll(&mtls, "sea-ballard", "kiosk", "SN-M", "devm", &r), 0);
    assert_int_equal(r.status, 201);
    assert_string_equal(json_string_value(json_object_get(r.json, "auth")), "client_certificate");
    snprintf(path, sizeof path, "/v1/devices/%s/heartbeat",
             json_string_value(json_object_get(r.json, "device_id")));
    resp_free(&r);

    /* No client certificate: refused. */
    assert_int_equal(harness_post(&mtls, path, "{}", &r), 0);
    assert_int_equal(r.status, 401);
    assert_true(resp_is_error(&r, code));
    assert_string_equal(code, "client_certificate_required");
    resp_free(&r);

    /* A certificate from a trusted CA that is not the device's: refused too. */
    mtls.use_client_cert = true;
    assert_int_equal(harness_post(&mtls, path, "{\"online\":true}", &r), 0);
    assert_int_equal(r.status, 401);
    assert_true(resp_is_error(&r, code));
    assert_string_equal(code, "device_unknown");
    resp_free(&r);

    /* The certificate the device got at enrollment: accepted. */
    harness_device_files(&mtls, "devm", cert, key, sizeof cert);
    assert_int_equal(harness_call_as(&mtls, cert, key, "POST", path, "{\"online\":true}", &r), 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    harness_stop(&mtls);
}

static int run_central(const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' %s >/dev/null 2>&1", CENTRAL_BIN, args);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_command_line(void **state)
{
    (void)state;
    assert_int_equal(run_central("--help"), 0);
    assert_int_not_equal(run_central(""), 0);
    assert_int_not_equal(run_central("--bogus"), 0);
    assert_int_not_equal(run_central("--db /tmp/x.db --listen nowhere --tls-cert a --tls-key b"),
                         0);
    assert_int_not_equal(run_central("--db /tmp/x.db --listen 127.0.0.1:1 --tls-cert /nonexistent "
                                     "--tls-key /nonexistent"),
                         0);
    assert_int_not_equal(run_central("--db /tmp/x.db --listen 127.0.0.1:1 --tls-cert a --tls-key b "
                                     "--seed everything"),
                         0);
    assert_int_not_equal(run_central("--db /tmp/x.db --listen 127.0.0.1:1 --tls-cert a --tls-key b "
                                     "--device-ca-cert c"),
                         0);
    assert_int_not_equal(run_central("--db /tmp/x.db --listen 127.0.0.1:1 --tls-cert a --tls-key b "
                                     "--device-cert-days 0"),
                         0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_json),
        cmocka_unit_test(test_mutated_bodies),
        cmocka_unit_test(test_oversized_body),
        cmocka_unit_test(test_unknown_paths_and_methods),
        cmocka_unit_test(test_wrong_ca_is_rejected),
        cmocka_unit_test(test_client_ca_mode),
        cmocka_unit_test(test_command_line),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
