/* test_central_catalog.c: locations, catalog delta sync, search, product, stock and images
 * of the real central service over HTTPS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

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

static bool gtin_valid(const char *g)
{
    size_t n = strlen(g);
    int sum = 0;
    if (n != 13 && n != 14)
        return false;
    for (size_t i = 0; i + 1 < n; i++) {
        if (g[i] < '0' || g[i] > '9')
            return false;
        sum += (g[i] - '0') * (((n - 1 - i) % 2 == 1) ? 3 : 1);
    }
    return g[n - 1] - '0' == (10 - sum % 10) % 10;
}

static void test_stores(void **state)
{
    TestCentral *tc = *state;
    Resp r;
    assert_int_equal(harness_get(tc, "/v1/stores", &r), 0);
    assert_int_equal(r.status, 200);
    json_t *stores = json_object_get(r.json, "stores");
    assert_true(json_array_size(stores) >= 13);
    size_t i, shops = 0;
    bool online = false;
    json_t *s;
    json_array_foreach(stores, i, s)
    {
        const char *kind = json_string_value(json_object_get(s, "kind"));
        assert_non_null(kind);
        assert_true(json_is_number(json_object_get(s, "lat")));
        assert_true(json_is_number(json_object_get(s, "lon")));
        double lat = json_number_value(json_object_get(s, "lat"));
        double lon = json_number_value(json_object_get(s, "lon"));
        /* One metro area: every location within ~60 km of downtown Seattle. */
        assert_true(fabs(lat - 47.61) < 0.6 && fabs(lon + 122.33) < 0.6);
        assert_true(json_is_object(json_object_get(s, "hours")));
        assert_non_null(json_object_get(json_object_get(s, "hours"), "mon"));
        assert_non_null(json_string_value(json_object_get(json_object_get(s, "address"), "line1")));
        if (strcmp(kind, "online") == 0)
            online = strcmp(json_string_value(json_object_get(s, "id")), "online") == 0;
        else
            shops++;
    }
    assert_true(shops >= 12);
    assert_true(online);
    resp_free(&r);
}

static void test_catalog_delta_sync(void **state)
{
    TestCentral *tc = *state;
    char path[128], cursor[32] = "";
    size_t products = 0, pages = 0, variants = 0;
    json_t *categories = json_object();
    for (;;) {
        Resp r;
        snprintf(path, sizeof path, "/v1/catalog?limit=100%s%s", cursor[0] ? "&cursor=" : "",
                 cursor);
        assert_int_equal(harness_get(tc, path, &r), 0);
        assert_int_equal(r.status, 200);
        json_t *list = json_object_get(r.json, "products");
        assert_true(json_array_size(list) <= 100);
        products += json_array_size(list);
        pages++;
        size_t i;
        json_t *p;
        json_array_foreach(list, i, p)
        {
            json_object_set_new(categories, json_string_value(json_object_get(p, "category")),
                                json_true());
            assert_true(json_integer_value(json_object_get(p, "price_cents")) > 0);
            assert_non_null(json_string_value(json_object_get(p, "image_url")));
            json_t *vs = json_object_get(p, "variants"), *v;
            size_t k;
            assert_true(json_array_size(vs) >= 1);
            json_array_foreach(vs, k, v)
            {
                assert_true(gtin_valid(json_string_value(json_object_get(v, "gtin"))));
                assert_non_null(json_string_value(json_object_get(v, "size")));
                assert_non_null(json_string_value(json_object_get(v, "colour")));
                variants++;
            }
        }
        const char *next = json_string_value(json_object_get(r.json, "next_cursor"));
        assert_non_null(next);
        bool more = json_is_true(json_object_get(r.json, "has_more"));
        snprintf(cursor, sizeof cursor, "%s", next);
        resp_free(&r);
        if (!more)
            break;
        assert_true(pages < 50);
    }
    assert_true(products >= 500);
    assert_true(variants > products);
    assert_true(json_object_size(categories) >= 6);
    json_decref(categories);

    /* Nothing changed since the last cursor: an empty delta. */
    Resp r;
    snprintf(path, sizeof path, "/v1/catalog?cursor=%s", cursor);
    assert_int_equal(harness_get(tc, path, &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "products")), 0);
    assert_false(json_is_true(json_object_get(r.json, "has_more")));
    assert_string_equal(json_string_value(json_object_get(r.json, "next_cursor")), cursor);
    resp_free(&r);

    char code[64];
    assert_int_equal(harness_get(tc, "/v1/catalog?cursor=banana", &r), 0);
    assert_int_equal(r.status, 400);
    assert_true(resp_is_error(&r, code));
    assert_string_equal(code, "invalid_cursor");
    resp_free(&r);
}

static void test_search_and_product(void **state)
{
    TestCentral *tc = *state;
    Resp r, p;
    assert_int_equal(harness_get(tc, "/v1/products?category=socks&limit=5", &r), 0);
    assert_int_equal(r.status, 200);
    json_t *list = json_object_get(r.json, "products");
    assert_true(json_array_size(list) >= 1 && json_array_size(list) <= 5);
    assert_true(json_integer_value(json_object_get(r.json, "total")) >=
                (json_int_t)json_array_size(list));
    const char *id = json_string_value(json_object_get(json_array_get(list, 0), "id"));
    char path[128];
    snprintf(path, sizeof path, "/v1/products/%s", id);
    assert_int_equal(harness_get(tc, path, &p), 0);
    assert_int_equal(p.status, 200);
    assert_string_equal(json_string_value(json_object_get(p.json, "category")), "socks");
    assert_true(json_is_true(json_object_get(p.json, "replenishable")));

    /* Find the same product by a variant's GTIN, as GTIN-13 and as GTIN-14. */
    json_t *v = json_array_get(json_object_get(p.json, "variants"), 0);
    const char *gtin = json_string_value(json_object_get(v, "gtin"));
    const char *vid = json_string_value(json_object_get(v, "id"));
    char g14[32];
    snprintf(g14, sizeof g14, "0%s", gtin);
    const char *forms[] = {gtin, g14};
    for (int i = 0; i < 2; i++) {
        Resp g;
        snprintf(path, sizeof path, "/v1/products?gtin=%s", forms[i]);
        assert_int_equal(harness_get(tc, path, &g), 0);
        assert_int_equal(g.status, 200);
        json_t *hit = json_array_get(json_object_get(g.json, "products"), 0);
        assert_non_null(hit);
        assert_string_equal(json_string_value(json_object_get(hit, "id")), id);
        assert_string_equal(json_string_value(json_object_get(hit, "matched_variant")), vid);
        resp_free(&g);
    }
    /* Text search finds the product by a word of its name. */
    char word[64];
    snprintf(word, sizeof word, "%s", json_string_value(json_object_get(p.json, "name")));
    *strchr(word, ' ') = '\0';
    snprintf(path, sizeof path, "/v1/products?q=%s&limit=500", word);
    Resp q;
    assert_int_equal(harness_get(tc, path, &q), 0);
    bool found = false;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(q.json, "products"), i, it)
    {
        assert_non_null(strstr(json_string_value(json_object_get(it, "name")), word));
        found |= strcmp(json_string_value(json_object_get(it, "id")), id) == 0;
    }
    assert_true(found);
    resp_free(&q);
    resp_free(&p);
    resp_free(&r);

    char code[64];
    assert_int_equal(harness_get(tc, "/v1/products?gtin=1234567890123", &r), 0);
    assert_int_equal(r.status, 400);
    assert_true(resp_is_error(&r, code));
    resp_free(&r);
    assert_int_equal(harness_get(tc, "/v1/products/P9999999", &r), 0);
    assert_int_equal(r.status, 404);
    assert_true(resp_is_error(&r, code));
    assert_string_equal(code, "product_not_found");
    resp_free(&r);
}

static void test_stock_sorted_by_distance(void **state)
{
    TestCentral *tc = *state;
    Resp r;
    assert_int_equal(harness_get(tc, "/v1/products/P0001/stock?store=sea-ballard", &r), 0);
    assert_int_equal(r.status, 200);
    json_t *locs = json_object_get(r.json, "locations");
    assert_true(json_array_size(locs) >= 13);
    double last = -1;
    size_t i, n = json_array_size(locs);
    json_t *l;
    json_array_foreach(locs, i, l)
    {
        const char *store = json_string_value(json_object_get(l, "store"));
        json_t *vs = json_object_get(l, "variants"), *v;
        size_t k;
        assert_true(json_array_size(vs) >= 1);
        json_array_foreach(vs, k, v)
        {
            json_int_t qty = json_integer_value(json_object_get(v, "qty"));
            assert_true(qty >= 0);
            assert_non_null(json_string_value(json_object_get(v, "updated_at")));
            assert_int_equal(json_is_true(json_object_get(v, "low")), qty >= 1 && qty <= 3);
        }
        if (i == n - 1) {
            /* The online warehouse comes last, with a ship-to-home estimate. */
            assert_string_equal(store, "online");
            json_t *est = json_object_get(l, "delivery_estimate");
            assert_non_null(json_string_value(json_object_get(est, "earliest")));
            assert_non_null(json_string_value(json_object_get(est, "latest")));
            continue;
        }
        double d = json_number_value(json_object_get(l, "distance_km"));
        if (i == 0) {
            assert_string_equal(store, "sea-ballard");
            assert_true(d < 0.05);
        }
        assert_true(d >= last);
        last = d;
    }
    resp_free(&r);

    char code[64];
    assert_int_equal(harness_get(tc, "/v1/products/P0001/stock?store=atlantis", &r), 0);
    assert_int_equal(r.status, 404);
    assert_true(resp_is_error(&r, code));
    assert_string_equal(code, "store_not_found");
    resp_free(&r);
}

static void test_images_are_png(void **state)
{
    TestCentral *tc = *state;
    Resp p, img;
    assert_int_equal(harness_get(tc, "/v1/products/P0042", &p), 0);
    const char *url = json_string_value(json_object_get(p.json, "image_url"));
    assert_non_null(url);
    assert_int_equal(harness_get(tc, url, &img), 0);
    assert_int_equal(img.status, 200);
    assert_string_equal(img.content_type, "image/png");
    assert_true(img.len > 100);
    assert_memory_equal(img.body, "\x89PNG\r\n\x1a\n", 8);
    resp_free(&img);
    resp_free(&p);
    assert_int_equal(harness_get(tc, "/v1/images/NOPE.png", &img), 0);
    assert_int_equal(img.status, 404);
    assert_true(resp_is_error(&img, NULL));
    resp_free(&img);
}

/* The back office changes a product: the next delta holds it (and only it), then nothing. */
static void test_delta_after_change(void **state)
{
    TestCentral *tc = *state;
    char path[128], cursor[32];
    Resp r;
    /* Walk to the end of the catalog. */
    snprintf(cursor, sizeof cursor, "0");
    for (;;) {
        snprintf(path, sizeof path, "/v1/catalog?limit=500&cursor=%s", cursor);
        assert_int_equal(harness_get(tc, path, &r), 0);
        snprintf(cursor, sizeof cursor, "%s",
                 json_string_value(json_object_get(r.json, "next_cursor")));
        bool more = json_is_true(json_object_get(r.json, "has_more"));
        resp_free(&r);
        if (!more)
            break;
    }
    const char *change = "{\"price_cents\":4242,\"name\":\"Renamed Runner\"}";
    assert_int_equal(
        harness_call(tc, "PATCH", "/v1/admin/products/P0100", change, strlen(change), NULL, &r), 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);

    snprintf(path, sizeof path, "/v1/catalog?cursor=%s", cursor);
    assert_int_equal(harness_get(tc, path, &r), 0);
    assert_int_equal(r.status, 200);
    json_t *list = json_object_get(r.json, "products");
    assert_int_equal(json_array_size(list), 1);
    json_t *p = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(p, "id")), "P0100");
    assert_int_equal(json_integer_value(json_object_get(p, "price_cents")), 4242);
    assert_string_equal(json_string_value(json_object_get(p, "name")), "Renamed Runner");
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(p, "variants"), 0), "price_cents")),
                     4242);
    assert_string_not_equal(json_string_value(json_object_get(r.json, "next_cursor")), cursor);
    snprintf(cursor, sizeof cursor, "%s",
             json_string_value(json_object_get(r.json, "next_cursor")));
    resp_free(&r);

    /* Withdrawn: in the delta with active=false, gone from search. */
    const char *withdraw = "{\"active\":false}";
    assert_int_equal(
        harness_call(tc, "PATCH", "/v1/admin/products/P0100", withdraw, strlen(withdraw), NULL, &r),
        0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    snprintf(path, sizeof path, "/v1/catalog?cursor=%s", cursor);
    assert_int_equal(harness_get(tc, path, &r), 0);
    list = json_object_get(r.json, "products");
    assert_int_equal(json_array_size(list), 1);
    assert_false(json_is_true(json_object_get(json_array_get(list, 0), "active")));
    resp_free(&r);
    assert_int_equal(harness_get(tc, "/v1/products?q=Renamed%20Runner", &r), 0);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 0);
    resp_free(&r);

    const char *bad = "{\"price_cents\":-5}";
    assert_int_equal(
        harness_call(tc, "PATCH", "/v1/admin/products/P0100", bad, strlen(bad), NULL, &r), 0);
    assert_int_equal(r.status, 400);
    assert_true(resp_is_error(&r, NULL));
    resp_free(&r);
}

/* A stock figure set now is reported with a fresh updated_at and the low flag. */
static void test_stock_freshness(void **state)
{
    TestCentral *tc = *state;
    Resp r, p;
    char path[128], variant[32];
    const char *body = "{\"qty\":2}";
    assert_int_equal(harness_get(tc, "/v1/products/P0002", &p), 0);
    snprintf(variant, sizeof variant, "%s",
             json_string_value(
                 json_object_get(json_array_get(json_object_get(p.json, "variants"), 1), "id")));
    resp_free(&p);
    snprintf(path, sizeof path, "/v1/admin/stock/%s/sea-fremont", variant);
    assert_int_equal(harness_call(tc, "PUT", path, body, strlen(body), NULL, &r), 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_int_equal(harness_get(tc, "/v1/products/P0002/stock?store=sea-fremont", &r), 0);
    json_t *here = json_array_get(json_object_get(r.json, "locations"), 0);
    assert_string_equal(json_string_value(json_object_get(here, "store")), "sea-fremont");
    size_t i;
    json_t *v;
    bool seen = false;
    json_array_foreach(json_object_get(here, "variants"), i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "variant")), variant) != 0)
            continue;
        seen = true;
        assert_int_equal(json_integer_value(json_object_get(v, "qty")), 2);
        assert_true(json_is_true(json_object_get(v, "low")));
        assert_true(json_integer_value(json_object_get(v, "age_seconds")) < 60);
    }
    assert_true(seen);
    resp_free(&r);
    snprintf(path, sizeof path, "/v1/admin/stock/%s/nowhere", variant);
    assert_int_equal(harness_call(tc, "PUT", path, body, strlen(body), NULL, &r), 0);
    assert_int_equal(r.status, 404);
    assert_true(resp_is_error(&r, NULL));
    resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stores),
        cmocka_unit_test(test_catalog_delta_sync),
        cmocka_unit_test(test_search_and_product),
        cmocka_unit_test(test_stock_sorted_by_distance),
        cmocka_unit_test(test_images_are_png),
        cmocka_unit_test(test_delta_after_change),
        cmocka_unit_test(test_stock_freshness),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
