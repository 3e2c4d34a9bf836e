/* test_central_pairing.c: app QR pairing over real HTTPS: create, long-poll that answers as
 * soon as the code is claimed, other requests served meanwhile, one-time claim, expiry of
 * the wait, and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static int setup(void **state)
{
    static TestCentral tc;
    if (harness_start(&tc, NULL) != 0)
        return -1;
    *state = &tc;
    return 0;
}

static int teardown(void **state)
{
    harness_stop(*state);
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void create(const TestCentral *tc, char *id, char *code)
{
    Resp r;
    assert_int_equal(
        harness_post(tc, "/v1/pairings", "{\"device\":\"D-pair\",\"store\":\"sea-fremont\"}", &r),
        0);
    assert_int_equal(r.status, 201);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "pending");
    assert_true(json_integer_value(json_object_get(r.json, "expires_in_seconds")) > 0);
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "qr_text")),
                           json_string_value(json_object_get(r.json, "code"))));
    snprintf(id, 64, "%s", json_string_value(json_object_get(r.json, "id")));
    snprintf(code, 32, "%s", json_string_value(json_object_get(r.json, "code")));
    resp_free(&r);
}

typedef struct Poll {
    const TestCentral *tc;
    char path[128];
    Resp resp;
    double elapsed;
} Poll;

static void *long_poll(void *arg)
{
    Poll *p = arg;
    double t0 = now_s();
    harness_get(p->tc, p->path, &p->resp);
    p->elapsed = now_s() - t0;
    return NULL;
}

static void test_long_poll_answers_on_claim(void **state)
{
    TestCentral *tc = *state;
    char id[64], code[32], path[128];
    create(tc, id, code);

    Resp r;
    snprintf(path, sizeof path, "/v1/pairings/%s?wait=0", id);
    assert_int_equal(harness_get(tc, path, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "pending");
    resp_free(&r);

    Poll poll = {.tc = tc};
    snprintf(poll.path, sizeof poll.path, "/v1/pairings/%s?wait=30", id);
    pthread_t th;
    pthread_create(&th, NULL, long_poll, &poll);
    usleep(300 * 1000);

    /* The waiting request blocks nobody. */
    double t0 = now_s();
    assert_int_equal(harness_get(tc, "/v1/stores", &r), 0);
    assert_int_equal(r.status, 200);
    assert_true(now_s() - t0 < 5.0);
    resp_free(&r);

    snprintf(path, sizeof path, "/v1/pairings/%s/claim", code);
    assert_int_equal(harness_post(tc, path, "{\"member\":\"M10007\"}", &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "claimed");
    resp_free(&r);

    pthread_join(th, NULL);
    assert_int_equal(poll.resp.status, 200);
    assert_string_equal(json_string_value(json_object_get(poll.resp.json, "status")), "claimed");
    assert_string_equal(json_string_value(json_object_get(poll.resp.json, "member")), "M10007");
    assert_true(poll.elapsed < 15.0); /* answered at the claim, not at the end of the wait */
    resp_free(&poll.resp);

    /* One-time: another member cannot take it; the same app retrying gets the same answer. */
    char err[64];
    assert_int_equal(harness_post(tc, path, "{\"member\":\"M10008\"}", &r), 0);
    assert_int_equal(r.status, 409);
    assert_true(resp_is_error(&r, err));
    assert_string_equal(err, "pairing_already_claimed");
    resp_free(&r);
    assert_int_equal(harness_post(tc, path, "{\"member\":\"M10007\"}", &r), 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

static void test_wait_runs_out(void **state)
{
    TestCentral *tc = *state;
    char id[64], code[32], path[128];
    Resp r;
    create(tc, id, code);
    snprintf(path, sizeof path, "/v1/pairings/%s?wait=1", id);
    double t0 = now_s();
    assert_int_equal(harness_get(tc, path, &r), 0);
    double took = now_s() - t0;
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "pending");
    assert_true(took >= 0.8 && took < 10.0);
    resp_free(&r);
}

static void test_pairing_errors(void **state)
{
    TestCentral *tc = *state;
    char id[64], code[32], path[128], err[64];
    Resp r;
    assert_int_equal(harness_get(tc, "/v1/pairings/pr_nothere?wait=0", &r), 0);
    assert_int_equal(r.status, 404);
    assert_true(resp_is_error(&r, err));
    assert_string_equal(err, "pairing_not_found");
    resp_free(&r);

    create(tc, id, code);
    snprintf(path, sizeof path, "/v1/pairings/%s?wait=100000", id);
    assert_int_equal(harness_get(tc, path, &r), 0);
    assert_int_equal(r.status, 400);
    assert_true(resp_is_error(&r, NULL));
    resp_free(&r);

    snprintf(path, sizeof path, "/v1/pairings/%s/claim", code);
    assert_int_equal(harness_post(tc, path, "{\"member\":\"M00000\"}", &r), 0);
    assert_int_equal(r.status, 422);
    assert_true(resp_is_error(&r, err));
    assert_string_equal(err, "unknown_member");
    resp_free(&r);
    assert_int_equal(harness_post(tc, path, "{}", &r), 0);
    assert_int_equal(r.status, 400);
    assert_true(resp_is_error(&r, err));
    resp_free(&r);
    assert_int_equal(harness_post(tc, "/v1/pairings/ZZZZZZZZ/claim", "{\"member\":\"M10001\"}", &r),
                     0);
    assert_int_equal(r.status, 404);
    assert_true(resp_is_error(&r, NULL));
    resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_poll_answers_on_claim),
        cmocka_unit_test(test_wait_runs_out),
        cmocka_unit_test(test_pairing_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
