/* test_central_large.c: `central --seed large`, the generated chain for sync tests: 100 shops
 * and the warehouse, 5,000 products of 20 variants, the warehouse stocking every variant and
 * each shop about 30 % of them (variants are counted through the warehouse's figures, one
 * each); its demo files are written as with the demo seed. Kept to a few big pages so it
 * stays quick. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "test_filter.h"

static int setup(void **state)
{
    static TestCentral tc;
    if (harness_start_seed(&tc, "large", NULL) != 0)
        return -1;
    *state = &tc;
    return 0;
}

static int teardown(void **state)
{
    harness_stop(*state);
    return 0;
}

static void test_large_counts(void **state)
{
    TestCentral *tc = *state;
    Resp r;
    assert_int_equal(harness_get(tc, "/v1/stores", &r), 0);
    assert_int_equal(r.status, 200);
    json_t *stores = json_object_get(r.json, "stores");
    assert_int_equal(json_array_size(stores), 101);
    size_t i, shops = 0;
    json_t *s;
    json_array_foreach(stores, i, s)
    {
        shops += strcmp(json_string_value(json_object_get(s, "kind")), "store") == 0;
        assert_true(json_is_number(json_object_get(s, "lat")));
    }
    assert_int_equal(shops, 100);
    resp_free(&r);

    /* 5,000 products of 20 variants (the stock test counts the 100,000 variants through
     * the warehouse's figures: one each). */
    assert_int_equal(harness_get(tc, "/v1/products?limit=1", &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 5000);
    resp_free(&r);
    assert_int_equal(harness_get(tc, "/v1/catalog?limit=100", &r), 0);
    assert_int_equal(r.status, 200);
    json_t *p;
    json_array_foreach(json_object_get(r.json, "products"), i, p)
    {
        assert_int_equal(json_array_size(json_object_get(p, "variants")), 20);
        assert_int_equal(json_integer_value(json_object_get(p, "popularity")), 0);
        assert_int_equal(json_array_size(json_object_get(p, "related")), 0);
    }
    assert_int_equal(json_array_size(json_object_get(r.json, "products")), 100);
    resp_free(&r);
    assert_int_equal(harness_get(tc, "/v1/products/P5000", &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r.json, "variants"), 19), "id")),
                        "V100000");
    resp_free(&r);

    /* Identification still has members to mint cards for. */
    char path[HARNESS_PATH_MAX + 32];
    harness_path(tc, "demo-members.json", path, sizeof path);
    json_t *members = json_load_file(path, 0, NULL);
    assert_true(json_array_size(members) > 0);
    json_decref(members);
    harness_path(tc, HARNESS_DEMO_KEY, path, sizeof path);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    fclose(f);
}

static void test_large_stock_sync(void **state)
{
    TestCentral *tc = *state;
    long long here = 0, online = 0, other = 0;
    char cur[32] = "";
    json_t *last_stores = NULL;
    for (int page = 0; page < 100; page++) {
        char path[128];
        Resp r;
        snprintf(path, sizeof path, "/v1/stock?store=lg-042&near=0&limit=5000%s%s",
                 cur[0] ? "&cursor=" : "", cur);
        assert_int_equal(harness_get(tc, path, &r), 0);
        assert_int_equal(r.status, 200);
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(r.json, "stock"), i, f)
        {
            const char *s = json_string_value(json_object_get(f, "store"));
            if (strcmp(s, "lg-042") == 0) {
                here++;
                assert_true(json_integer_value(json_object_get(f, "qty")) > 0);
            } else if (strcmp(s, "online") == 0) {
                online++;
            } else {
                other++;
            }
        }
        json_decref(last_stores);
        last_stores = json_incref(json_object_get(r.json, "stores"));
        snprintf(cur, sizeof cur, "%s", json_string_value(json_object_get(r.json, "next_cursor")));
        bool more = json_is_true(json_object_get(r.json, "has_more"));
        resp_free(&r);
        if (!more)
            break;
    }
    assert_int_equal(json_array_size(last_stores), 2);
    json_decref(last_stores);
    assert_int_equal(online, 100000);
    assert_int_equal(other, 0);
    /* About 30 % of the variants. */
    assert_true(here > 25000 && here < 35000);

    /* The default: ten other shops, nearest first, the warehouse last. */
    Resp r;
    assert_int_equal(harness_get(tc, "/v1/stock?store=lg-042&limit=1", &r), 0);
    json_t *stores = json_object_get(r.json, "stores");
    assert_int_equal(json_array_size(stores), 12);
    assert_string_equal(json_string_value(json_array_get(stores, 0)), "lg-042");
    assert_string_equal(json_string_value(json_array_get(stores, 11)), "online");
    resp_free(&r);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_large_counts),
        cmocka_unit_test(test_large_stock_sync),
    };
    TEST_FILTER(argc, argv, tests);
    return cmocka_run_group_tests(tests, setup, teardown);
}
