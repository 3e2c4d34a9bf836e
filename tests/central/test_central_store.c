/* test_central_store.c: fitting-room size requests (create, list, associate status updates
 * and their allowed transitions) and devices (enroll with a code, re-enroll, heartbeat,
 * fleet) over real HTTPS, in development mode (no --client-ca, but a device CA so devices
 * can enroll). Mutual TLS is test_central_enroll.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

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

static void set_status(const TestCentral *tc, const char *id, const char *status, long expect,
                       const char *expect_code)
{
    char path[96], body[128], code[64];
    Resp r;
    snprintf(path, sizeof path, "/v1/fitting-requests/%s/status", id);
    snprintf(body, sizeof body, "{\"status\":\"%s\",\"associate\":\"S-042\"}", status);
    assert_int_equal(harness_post(tc, path, body, &r), 0);
    assert_int_equal(r.status, expect);
    if (expect_code) {
        assert_true(resp_is_error(&r, code));
        assert_string_equal(code, expect_code);
    } else {
        assert_string_equal(json_string_value(json_object_get(r.json, "status")), status);
        assert_string_equal(json_string_value(json_object_get(r.json, "associate")), "S-042");
    }
    resp_free(&r);
}

static void test_fitting_requests(void **state)
{
    TestCentral *tc = *state;
    Resp r;
    char id[64], id2[64], code[64];
    assert_int_equal(
        harness_post(tc, "/v1/fitting-requests",
                     "{\"store\":\"sea-queen-anne\",\"device\":\"D-mirror\","
                     "\"room\":\"Room 3\",\"variant\":\"V00010\",\"member\":\"M10009\"}",
                     &r),
        0);
    assert_int_equal(r.status, 201);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "requested");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "variant"), "id")), "V00010");
    assert_non_null(json_string_value(json_object_get(json_object_get(r.json, "variant"), "size")));
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(r.json, "id")));
    resp_free(&r);
    assert_int_equal(
        harness_post(tc, "/v1/fitting-requests",
                     "{\"store\":\"sea-queen-anne\",\"room\":\"Room 1\",\"variant\":\"V00011\"}",
                     &r),
        0);
    assert_int_equal(r.status, 201);
    snprintf(id2, sizeof id2, "%s", json_string_value(json_object_get(r.json, "id")));
    resp_free(&r);

    /* The associate's list for that store holds both, newest first. */
    assert_int_equal(harness_get(tc, "/v1/fitting-requests?store=sea-queen-anne", &r), 0);
    assert_int_equal(r.status, 200);
    json_t *list = json_object_get(r.json, "requests");
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "id")), id2);
    resp_free(&r);
    assert_int_equal(harness_get(tc, "/v1/fitting-requests?store=sea-ballard", &r), 0);
    assert_int_equal(json_array_size(json_object_get(r.json, "requests")), 0);
    resp_free(&r);

    set_status(tc, id, "on_its_way", 200, NULL);
    set_status(tc, id, "on_its_way", 200, NULL); /* a double tap is harmless */
    set_status(tc, id, "requested", 409, "invalid_transition");
    set_status(tc, id, "unavailable", 200, NULL);
    set_status(tc, id, "on_its_way", 409, "invalid_transition");
    set_status(tc, id2, "unavailable", 200, NULL);
    set_status(tc, id2, "delivered_by_drone", 400, "invalid_field");

    char path[96];
    snprintf(path, sizeof path, "/v1/fitting-requests/%s", id);
    assert_int_equal(harness_get(tc, path, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "unavailable");
    resp_free(&r);
    assert_int_equal(
        harness_get(tc, "/v1/fitting-requests?store=sea-queen-anne&status=unavailable", &r), 0);
    assert_int_equal(json_array_size(json_object_get(r.json, "requests")), 2);
    resp_free(&r);

    assert_int_equal(harness_post(tc, "/v1/fitting-requests",
                                  "{\"store\":\"online\",\"room\":\"1\",\"variant\":\"V00010\"}",
                                  &r),
                     0);
    assert_int_equal(r.status, 422);
    assert_true(resp_is_error(&r, code));
    assert_string_equal(code, "unknown_store");
    resp_free(&r);
    assert_int_equal(
        harness_post(tc, "/v1/fitting-requests",
                     "{\"store\":\"sea-queen-anne\",\"room\":\"1\",\"variant\":\"V0\"}", &r),
        0);
    assert_int_equal(r.status, 422);
    resp_free(&r);
    assert_int_equal(harness_get(tc, "/v1/fitting-requests/FR999999", &r), 0);
    assert_int_equal(r.status, 404);
    assert_true(resp_is_error(&r, NULL));
    resp_free(&r);
}

static void test_devices(void **state)
{
    TestCentral *tc = *state;
    Resp r;
    char id[64], path[96], code[64];
    assert_int_equal(harness_enroll(tc, "sea-ballard", "mirror", "SN-0001", "dev1", &r), 0);
    assert_int_equal(r.status, 201);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(r.json, "device_id")));
    assert_string_equal(json_string_value(json_object_get(r.json, "store")), "sea-ballard");
    assert_true(json_integer_value(
                    json_object_get(json_object_get(r.json, "config"), "heartbeat_seconds")) > 0);
    assert_string_equal(json_string_value(json_object_get(r.json, "auth")), "development");
    assert_non_null(json_string_value(json_object_get(r.json, "certificate")));
    resp_free(&r);

    /* Re-enrollment of the same serial with a code for another store keeps the id. */
    assert_int_equal(harness_enroll(tc, "sea-fremont", "mirror", "SN-0001", "dev1b", &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "device_id")), id);
    assert_string_equal(json_string_value(json_object_get(r.json, "store")), "sea-fremont");
    resp_free(&r);

    assert_int_equal(harness_get(tc, "/v1/fleet", &r), 0);
    assert_int_equal(r.status, 200);
    json_t *d = json_array_get(json_object_get(r.json, "devices"), 0);
    assert_false(json_is_true(json_object_get(d, "healthy"))); /* no heartbeat yet */
    assert_false(json_is_true(json_object_get(d, "revoked")));
    resp_free(&r);

    snprintf(path, sizeof path, "/v1/devices/%s/heartbeat", id);
    assert_int_equal(harness_post(tc, path,
                                  "{\"version\":\"0.1.1\",\"uptime_seconds\":42,\"outbox_depth\":0,"
                                  "\"online\":true,\"screen\":\"attract\"}",
                                  &r),
                     0);
    assert_int_equal(r.status, 200);
    assert_true(json_integer_value(json_object_get(r.json, "next_heartbeat_seconds")) > 0);
    assert_true(json_is_array(json_object_get(r.json, "commands")));
    resp_free(&r);

    assert_int_equal(harness_get(tc, "/v1/fleet?store=sea-fremont", &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "devices")), 1);
    d = json_array_get(json_object_get(r.json, "devices"), 0);
    assert_true(json_is_true(json_object_get(d, "healthy")));
    assert_string_equal(json_string_value(json_object_get(d, "version")), "0.1.1");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(d, "status"), "uptime_seconds")), 42);
    resp_free(&r);

    /* Development mode has no certificates, so nothing proves who asks for a renewal. */
    snprintf(path, sizeof path, "/v1/devices/%s/certificate", id);
    assert_int_equal(harness_make_csr(tc, "dev1c", false), 0);
    char *body = harness_enroll_body(tc, "SN-0001", "", "mirror", "dev1c");
    assert_int_equal(harness_post(tc, path, body, &r), 0);
    free(body);
    assert_int_equal(r.status, 403);
    assert_true(resp_is_error(&r, code));
    assert_string_equal(code, "mutual_tls_required");
    resp_free(&r);

    /* A revoked device is refused even without certificates. */
    snprintf(path, sizeof path, "/v1/admin/devices/%s/revoke", id);
    assert_int_equal(harness_post(tc, path, NULL, &r), 0);
    assert_int_equal(r.status, 204);
    resp_free(&r);
    snprintf(path, sizeof path, "/v1/devices/%s/heartbeat", id);
    assert_int_equal(harness_post(tc, path, "{}", &r), 0);
    assert_int_equal(r.status, 401);
    assert_true(resp_is_error(&r, code));
    assert_string_equal(code, "device_revoked");
    resp_free(&r);

    assert_int_equal(harness_post(tc, "/v1/devices/D999999/heartbeat", "{}", &r), 0);
    assert_int_equal(r.status, 404);
    assert_true(resp_is_error(&r, code));
    assert_string_equal(code, "device_not_found");
    resp_free(&r);
    assert_int_equal(harness_make_csr(tc, "dev2", false), 0);
    body = harness_enroll_body(tc, "SN-2", "KQ7M-2XPD", "toaster", "dev2");
    assert_int_equal(harness_post(tc, "/v1/devices/enroll", body, &r), 0);
    free(body);
    assert_int_equal(r.status, 400);
    assert_true(resp_is_error(&r, NULL));
    resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fitting_requests),
        cmocka_unit_test(test_devices),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
