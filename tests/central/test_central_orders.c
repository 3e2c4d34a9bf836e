/* test_central_orders.c: orders over real HTTPS: server-side totals, stock taken, offers,
 * and Idempotency-Key semantics (same key and body -> the same order, even when retried
 * concurrently; same key with another body -> 409). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MEMBER "M10003"
#define STORE  "sea-capitol-hill"

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

static void default_address(const TestCentral *tc, const char *member, char *out, size_t size)
{
    Resp r;
    char path[96];
    snprintf(path, sizeof path, "/v1/members/%s", member);
    assert_int_equal(harness_get(tc, path, &r), 0);
    assert_int_equal(r.status, 200);
    json_t *a = json_array_get(json_object_get(r.json, "addresses"), 0);
    assert_non_null(a);
    snprintf(out, size, "%s", json_string_value(json_object_get(a, "id")));
    resp_free(&r);
}

/* A variant of product with at least min_qty online (or at most max_qty when max_qty >= 0). */
static bool online_variant(const TestCentral *tc, const char *product, int min_qty, int max_qty,
                           char *variant, size_t size, long long *qty)
{
    Resp r;
    char path[96];
    bool found = false;
    snprintf(path, sizeof path, "/v1/products/%s/stock?store=" STORE, product);
    assert_int_equal(harness_get(tc, path, &r), 0);
    assert_int_equal(r.status, 200);
    json_t *locs = json_object_get(r.json, "locations");
    json_t *online = json_array_get(locs, json_array_size(locs) - 1);
    assert_string_equal(json_string_value(json_object_get(online, "store")), "online");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(online, "variants"), i, v)
    {
        long long q = json_integer_value(json_object_get(v, "qty"));
        if (q >= min_qty && (max_qty < 0 || q <= max_qty)) {
            snprintf(variant, size, "%s", json_string_value(json_object_get(v, "variant")));
            *qty = q;
            found = true;
            break;
        }
    }
    resp_free(&r);
    return found;
}

static long long count_orders(const TestCentral *tc, const char *member)
{
    Resp r;
    char path[96];
    snprintf(path, sizeof path, "/v1/members/%s/orders", member);
    assert_int_equal(harness_get(tc, path, &r), 0);
    assert_int_equal(r.status, 200);
    long long n = (long long)json_array_size(json_object_get(r.json, "orders"));
    resp_free(&r);
    return n;
}

static int post_order(const TestCentral *tc, const char *key, const char *body, Resp *out)
{
    char header[200] = "";
    const char *headers[] = {header, NULL};
    if (key)
        snprintf(header, sizeof header, "Idempotency-Key: %s", key);
    return harness_call(tc, "POST", "/v1/orders", body, strlen(body), key ? headers : NULL, out);
}

static void test_idempotent_order(void **state)
{
    TestCentral *tc = *state;
    char address[64], variant[32], body[1024], body_reordered[1024], other[1024], code[64];
    long long qty_before = 0, qty_after = 0;
    default_address(tc, MEMBER, address, sizeof address);
    assert_true(online_variant(tc, "P0100", 3, -1, variant, sizeof variant, &qty_before));
    long long orders_before = count_orders(tc, MEMBER);

    snprintf(body, sizeof body,
             "{\"member\":\"%s\",\"store\":\"%s\",\"device\":\"D-test-1\",\"items\":[{\"variant\":"
             "\"%s\",\"qty\":2}],\"shipping_option\":\"standard\",\"address_id\":\"%s\"}",
             MEMBER, STORE, variant, address);
    /* Same content, other key order and spacing: still "the same body". */
    snprintf(
        body_reordered, sizeof body_reordered,
        "{ \"address_id\": \"%s\", \"shipping_option\": \"standard\", \"items\": [ {\"qty\": 2,"
        " \"variant\": \"%s\"} ], \"device\": \"D-test-1\", \"store\": \"%s\", \"member\": \"%s\" "
        "}",
        address, variant, STORE, MEMBER);
    snprintf(other, sizeof other,
             "{\"member\":\"%s\",\"store\":\"%s\",\"device\":\"D-test-1\",\"items\":[{\"variant\":"
             "\"%s\",\"qty\":1}],\"shipping_option\":\"standard\",\"address_id\":\"%s\"}",
             MEMBER, STORE, variant, address);

    Resp first, again, clash;
    assert_int_equal(post_order(tc, "test-key-1", body, &first), 0);
    assert_int_equal(first.status, 201);
    assert_false(first.replayed);
    const char *id = json_string_value(json_object_get(first.json, "id"));
    assert_non_null(id);
    assert_non_null(json_string_value(json_object_get(first.json, "number")));
    assert_string_equal(json_string_value(json_object_get(first.json, "status")), "confirmed");
    assert_non_null(json_string_value(json_object_get(first.json, "tracking_url")));
    json_t *est = json_object_get(first.json, "delivery_estimate");
    assert_non_null(json_string_value(json_object_get(est, "earliest")));
    assert_true(strcmp(json_string_value(json_object_get(est, "earliest")),
                       json_string_value(json_object_get(est, "latest"))) <= 0);

    /* Totals are the server's: lines x unit price, discount, shipping, tax, all consistent. */
    json_t *t = json_object_get(first.json, "totals");
    json_t *line = json_array_get(json_object_get(first.json, "items"), 0);
    long long unit = json_integer_value(json_object_get(line, "unit_price_cents"));
    long long sub = json_integer_value(json_object_get(t, "subtotal_cents"));
    assert_true(unit > 0);
    assert_int_equal(sub, 2 * unit);
    assert_int_equal(json_integer_value(json_object_get(t, "total_cents")),
                     sub - json_integer_value(json_object_get(t, "discount_cents")) +
                         json_integer_value(json_object_get(t, "shipping_cents")) +
                         json_integer_value(json_object_get(t, "tax_cents")));
    assert_true(json_integer_value(json_object_get(t, "tax_cents")) > 0);

    assert_int_equal(post_order(tc, "test-key-1", body_reordered, &again), 0);
    assert_int_equal(again.status, 200);
    assert_true(again.replayed);
    assert_string_equal(json_string_value(json_object_get(again.json, "id")), id);
    assert_true(json_equal(first.json, again.json));

    assert_int_equal(post_order(tc, "test-key-1", other, &clash), 0);
    assert_int_equal(clash.status, 409);
    assert_true(resp_is_error(&clash, code));
    assert_string_equal(code, "idempotency_key_reused");

    /* One order, and its units left the warehouse once. */
    assert_int_equal(count_orders(tc, MEMBER), orders_before + 1);
    char v2[32];
    assert_true(online_variant(tc, "P0100", 0, -1, v2, sizeof v2, &qty_after));
    Resp s;
    char path[96];
    snprintf(path, sizeof path, "/v1/products/P0100/stock?store=%s", STORE);
    assert_int_equal(harness_get(tc, path, &s), 0);
    json_t *locs = json_object_get(s.json, "locations");
    json_t *online = json_array_get(locs, json_array_size(locs) - 1);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(online, "variants"), i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "variant")), variant) == 0)
            assert_int_equal(json_integer_value(json_object_get(v, "qty")), qty_before - 2);
    }
    resp_free(&s);

    Resp got;
    snprintf(path, sizeof path, "/v1/orders/%s", id);
    assert_int_equal(harness_get(tc, path, &got), 0);
    assert_int_equal(got.status, 200);
    assert_true(json_equal(got.json, first.json));
    resp_free(&got);
    resp_free(&first);
    resp_free(&again);
    resp_free(&clash);
}

typedef struct Racer {
    const TestCentral *tc;
    const char *body;
    Resp resp;
} Racer;

static void *race(void *arg)
{
    Racer *r = arg;
    post_order(r->tc, "test-key-race", r->body, &r->resp);
    return NULL;
}

static void test_concurrent_retries_make_one_order(void **state)
{
    TestCentral *tc = *state;
    char address[64], variant[32], body[1024];
    long long qty = 0;
    default_address(tc, MEMBER, address, sizeof address);
    assert_true(online_variant(tc, "P0200", 1, -1, variant, sizeof variant, &qty));
    long long before = count_orders(tc, MEMBER);
    snprintf(body, sizeof body,
             "{\"member\":\"%s\",\"store\":\"%s\",\"items\":[{\"variant\":\"%s\",\"qty\":1}],"
             "\"shipping_option\":\"express\",\"address_id\":\"%s\"}",
             MEMBER, STORE, variant, address);
    Racer racers[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        racers[i] = (Racer){.tc = tc, .body = body};
        pthread_create(&th[i], NULL, race, &racers[i]);
    }
    int created = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_true(racers[i].resp.status == 201 || racers[i].resp.status == 200);
        created += racers[i].resp.status == 201;
        assert_string_equal(json_string_value(json_object_get(racers[i].resp.json, "id")),
                            json_string_value(json_object_get(racers[0].resp.json, "id")));
    }
    assert_int_equal(created, 1);
    assert_int_equal(count_orders(tc, MEMBER), before + 1);
    for (int i = 0; i < 4; i++)
        resp_free(&racers[i].resp);
}

static void test_order_validation(void **state)
{
    TestCentral *tc = *state;
    char address[64], variant[32], body[1024], code[64];
    long long qty = 0;
    Resp r;
    default_address(tc, MEMBER, address, sizeof address);
    assert_true(online_variant(tc, "P0300", 1, -1, variant, sizeof variant, &qty));
    snprintf(body, sizeof body,
             "{\"member\":\"%s\",\"store\":\"%s\",\"items\":[{\"variant\":\"%s\",\"qty\":1}],"
             "\"shipping_option\":\"standard\",\"address_id\":\"%s\"}",
             MEMBER, STORE, variant, address);

    assert_int_equal(post_order(tc, NULL, body, &r), 0);
    assert_int_equal(r.status, 400);
    assert_true(resp_is_error(&r, code));
    assert_string_equal(code, "missing_idempotency_key");
    resp_free(&r);

    struct {
        const char *body, *code;
        long status;
    } cases[] = {
        {"{\"member\":\"M10003\",\"store\":\"" STORE
         "\",\"items\":[],\"shipping_option\":\"standard\"}",
         "invalid_field", 400},
        {"{\"member\":\"M10003\",\"store\":\"" STORE
         "\",\"items\":[{\"variant\":\"V00001\",\"qty\":0}],\"shipping_option\":\"standard\"}",
         "invalid_field", 400},
        {"{\"member\":\"M10003\",\"store\":\"" STORE
         "\",\"items\":[{\"variant\":\"V00001\",\"qty\":\"1\"}],\"shipping_option\":\"standard\"}",
         "invalid_field", 400},
        {"{\"member\":\"M10003\",\"store\":\"" STORE
         "\",\"items\":[{\"variant\":\"NOPE\",\"qty\":1}],\"shipping_option\":\"pickup\"}",
         "unknown_variant", 422},
        {"{\"member\":\"M99999\",\"store\":\"" STORE
         "\",\"items\":[{\"variant\":\"V00001\",\"qty\":1}],\"shipping_option\":\"pickup\"}",
         "unknown_member", 422},
        {"{\"member\":\"M10003\",\"store\":\"" STORE
         "\",\"items\":[{\"variant\":\"V00001\",\"qty\":1}],\"shipping_option\":\"teleport\","
         "\"address_id\":\"x\"}",
         "unknown_address", 422},
        {"{\"store\":\"" STORE
         "\",\"items\":[{\"variant\":\"V00001\",\"qty\":1}],\"shipping_option\":\"pickup\"}",
         "missing_field", 400},
        {"{\"member\":\"M10003\",\"store\":\"" STORE
         "\",\"items\":[{\"variant\":\"V00001\",\"qty\":1}],\"shipping_option\":\"standard\"}",
         "missing_field", 400},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char key[32];
        snprintf(key, sizeof key, "bad-%zu", i);
        assert_int_equal(post_order(tc, key, cases[i].body, &r), 0);
        if (r.status != cases[i].status || !resp_is_error(&r, code) ||
            strcmp(code, cases[i].code) != 0)
            fail_msg("case %zu: got %ld %s", i, r.status, r.body);
        resp_free(&r);
    }
}

static void test_out_of_stock_refused(void **state)
{
    TestCentral *tc = *state;
    char address[64], variant[32] = "", body[1024], product[16], code[64];
    long long qty = 0;
    default_address(tc, MEMBER, address, sizeof address);
    /* Find a variant the warehouse has fewer than 10 of (the largest order line). */
    for (int p = 1; p <= 528 && !variant[0]; p++) {
        snprintf(product, sizeof product, "P%04d", p);
        if (!online_variant(tc, product, 0, 9, variant, sizeof variant, &qty))
            variant[0] = '\0';
    }
    assert_true(variant[0] != '\0');
    snprintf(body, sizeof body,
             "{\"member\":\"%s\",\"store\":\"%s\",\"items\":[{\"variant\":\"%s\",\"qty\":%lld}],"
             "\"shipping_option\":\"standard\",\"address_id\":\"%s\"}",
             MEMBER, STORE, variant, qty + 1, address);
    Resp r;
    assert_int_equal(post_order(tc, "oos-1", body, &r), 0);
    assert_int_equal(r.status, 409);
    assert_true(resp_is_error(&r, code));
    assert_string_equal(code, "out_of_stock");
    resp_free(&r);
}

static void test_offer_discount_and_single_use(void **state)
{
    TestCentral *tc = *state;
    char address[64], variant[32] = "", body[1024], code[64], path[96];
    const char *members[] = {"M10001", "M10002", "M10004", "M10005", "M10006", "M10007", NULL};
    for (int m = 0; members[m]; m++) {
        Resp offers;
        snprintf(path, sizeof path, "/v1/members/%s/offers", members[m]);
        assert_int_equal(harness_get(tc, path, &offers), 0);
        size_t i;
        json_t *o;
        json_array_foreach(json_object_get(offers.json, "offers"), i, o)
        {
            if (strcmp(json_string_value(json_object_get(o, "kind")), "percent") != 0)
                continue;
            const char *product =
                json_string_value(json_object_get(json_object_get(o, "product"), "id"));
            long long qty = 0;
            if (!online_variant(tc, product, 1, -1, variant, sizeof variant, &qty))
                continue;
            default_address(tc, members[m], address, sizeof address);
            snprintf(
                body, sizeof body,
                "{\"member\":\"%s\",\"store\":\"%s\",\"items\":[{\"variant\":\"%s\",\"qty\":1}],"
                "\"shipping_option\":\"standard\",\"address_id\":\"%s\",\"offer\":\"%s\"}",
                members[m], STORE, variant, address, json_string_value(json_object_get(o, "id")));
            Resp r, again;
            assert_int_equal(post_order(tc, "offer-1", body, &r), 0);
            assert_int_equal(r.status, 201);
            json_t *t = json_object_get(r.json, "totals");
            long long sub = json_integer_value(json_object_get(t, "subtotal_cents"));
            long long pct = json_integer_value(json_object_get(o, "value"));
            assert_int_equal(json_integer_value(json_object_get(t, "discount_cents")),
                             sub * pct / 100);
            /* The offer is spent: a new order with it is refused, and it is no longer listed. */
            assert_int_equal(post_order(tc, "offer-2", body, &again), 0);
            assert_int_equal(again.status, 409);
            assert_true(resp_is_error(&again, code));
            assert_string_equal(code, "offer_redeemed");
            resp_free(&r);
            resp_free(&again);
            resp_free(&offers);
            return;
        }
        resp_free(&offers);
    }
    fail_msg("no member had a usable product offer");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idempotent_order),
        cmocka_unit_test(test_concurrent_retries_make_one_order),
        cmocka_unit_test(test_order_validation),
        cmocka_unit_test(test_out_of_stock_refused),
        cmocka_unit_test(test_offer_discount_and_single_use),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
