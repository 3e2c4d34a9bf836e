/* test_central_sync.c: stock delta sync (full sync, empty delta, a change seen exactly once,
 * the followed stores, bad parameters), the product form's popularity and related products,
 * and phone hand-offs (create, read, page, expiry, validation) of the real central service
 * over HTTPS with the demo seed. */
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

#define PAGE_LIMIT 5000

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

static void expect_error(const TestCentral *tc, const char *method, const char *path,
                         const char *body, long status, const char *code)
{
    Resp r;
    char got[64] = "";
    assert_int_equal(harness_call(tc, method, path, body, body ? strlen(body) : 0, NULL, &r), 0);
    if (r.status != status || !resp_is_error(&r, got) || strcmp(got, code) != 0)
        fail_msg("%s %s: want %ld %s, got %ld %s", method, path, status, code, r.status,
                 r.body ? r.body : "");
    resp_free(&r);
}

/* Follows a delta from cursor (NULL: full sync) to its end. Returns every figure in order
 * (the caller's) and the final cursor (64 bytes); checks each page's shape. */
static json_t *sync_all(const TestCentral *tc, const char *query, const char *cursor,
                        char *next_out, json_t **stores_out)
{
    json_t *all = json_array();
    char cur[64] = "";
    if (cursor)
        snprintf(cur, sizeof cur, "%s", cursor);
    for (int page = 0; page < 1000; page++) {
        char path[256];
        Resp r;
        snprintf(path, sizeof path, "/v1/stock?%s&limit=%d%s%s", query, PAGE_LIMIT,
                 cur[0] ? "&cursor=" : "", cur);
        assert_int_equal(harness_get(tc, path, &r), 0);
        if (r.status != 200)
            fail_msg("%s: %ld %s", path, r.status, r.body);
        json_t *stock = json_object_get(r.json, "stock");
        const char *next = json_string_value(json_object_get(r.json, "next_cursor"));
        assert_true(json_is_array(stock));
        assert_non_null(next);
        assert_true(json_is_boolean(json_object_get(r.json, "has_more")));
        assert_non_null(json_string_value(json_object_get(r.json, "server_time")));
        assert_true(json_array_size(stock) <= PAGE_LIMIT);
        if (stores_out && !*stores_out)
            *stores_out = json_incref(json_object_get(r.json, "stores"));
        json_array_extend(all, stock);
        snprintf(cur, sizeof cur, "%s", next);
        bool more = json_is_true(json_object_get(r.json, "has_more"));
        resp_free(&r);
        if (!more)
            break;
    }
    snprintf(next_out, 64, "%s", cur);
    return all;
}

static bool in_list(json_t *list, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (strcmp(json_string_value(v), s) == 0)
            return true;
    }
    return false;
}

static void test_stock_full_then_empty_delta(void **state)
{
    TestCentral *tc = *state;
    char next[64];
    json_t *stores = NULL;
    json_t *all = sync_all(tc, "store=sea-ballard&near=2", NULL, next, &stores);
    /* The store, its two nearest shops, the warehouse last. */
    assert_int_equal(json_array_size(stores), 4);
    assert_string_equal(json_string_value(json_array_get(stores, 0)), "sea-ballard");
    assert_string_equal(json_string_value(json_array_get(stores, 3)), "online");
    /* The demo stocks every variant everywhere: one figure per variant and store, each once. */
    Resp cat;
    assert_int_equal(harness_get(tc, "/v1/catalog?limit=500", &cat), 0);
    assert_true(json_array_size(all) > 4 * 8000);
    assert_int_equal(json_array_size(all) % 4, 0);
    json_t *seen = json_object();
    size_t i;
    json_t *f;
    json_array_foreach(all, i, f)
    {
        const char *variant = json_string_value(json_object_get(f, "variant"));
        const char *store = json_string_value(json_object_get(f, "store"));
        assert_non_null(variant);
        assert_non_null(store);
        assert_true(in_list(stores, store));
        assert_true(json_is_integer(json_object_get(f, "qty")));
        assert_true(json_integer_value(json_object_get(f, "qty")) >= 0);
        assert_non_null(json_string_value(json_object_get(f, "updated_at")));
        char key[160];
        snprintf(key, sizeof key, "%s@%s", variant, store);
        assert_null(json_object_get(seen, key));
        json_object_set_new(seen, key, json_true());
    }
    json_decref(seen);
    resp_free(&cat);

    /* Nothing changed: the delta after the last cursor is empty and keeps the cursor. */
    char path[160];
    Resp r;
    snprintf(path, sizeof path, "/v1/stock?store=sea-ballard&near=2&cursor=%s", next);
    assert_int_equal(harness_get(tc, path, &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "stock")), 0);
    assert_false(json_is_true(json_object_get(r.json, "has_more")));
    assert_string_equal(json_string_value(json_object_get(r.json, "next_cursor")), next);
    resp_free(&r);
    json_decref(stores);
    json_decref(all);
}

/* The first figure of the delta for (variant, store), or NULL. Counts matches in *n. */
static json_t *find_figure(json_t *list, const char *variant, const char *store, int *n)
{
    json_t *found = NULL, *f;
    size_t i;
    *n = 0;
    json_array_foreach(list, i, f)
    {
        if (strcmp(json_string_value(json_object_get(f, "variant")), variant) == 0 &&
            strcmp(json_string_value(json_object_get(f, "store")), store) == 0) {
            found = found ? found : f;
            (*n)++;
        }
    }
    return found;
}

static void test_stock_change_appears_once(void **state)
{
    TestCentral *tc = *state;
    char cursor[64], next[64], path[256], body[512];
    json_t *all = sync_all(tc, "store=sea-fremont&near=1", NULL, cursor, NULL);
    /* A warehouse figure with stock, for a ship-to-home order. */
    const char *variant = NULL;
    long long before = 0;
    size_t i;
    json_t *f;
    json_array_foreach(all, i, f)
    {
        if (!variant && strcmp(json_string_value(json_object_get(f, "store")), "online") == 0 &&
            json_integer_value(json_object_get(f, "qty")) >= 2) {
            variant = json_string_value(json_object_get(f, "variant"));
            before = json_integer_value(json_object_get(f, "qty"));
        }
    }
    assert_non_null(variant);
    char vid[64];
    snprintf(vid, sizeof vid, "%s", variant);
    json_decref(all);

    Resp m, o;
    assert_int_equal(harness_get(tc, "/v1/members/M10005", &m), 0);
    const char *address = json_string_value(
        json_object_get(json_array_get(json_object_get(m.json, "addresses"), 0), "id"));
    snprintf(body, sizeof body,
             "{\"member\":\"M10005\",\"store\":\"sea-fremont\",\"items\":[{\"variant\":\"%s\","
             "\"qty\":1}],\"shipping_option\":\"standard\",\"address_id\":\"%s\"}",
             vid, address);
    const char *headers[] = {"Idempotency-Key: sync-order-1", NULL};
    assert_int_equal(harness_call(tc, "POST", "/v1/orders", body, strlen(body), headers, &o), 0);
    assert_int_equal(o.status, 201);
    resp_free(&o);
    resp_free(&m);

    /* The order's figure is in the next delta exactly once, with the new quantity. */
    int n = 0;
    json_t *delta = sync_all(tc, "store=sea-fremont&near=1", cursor, next, NULL);
    json_t *fig = find_figure(delta, vid, "online", &n);
    assert_int_equal(n, 1);
    assert_int_equal(json_array_size(delta), 1);
    assert_int_equal(json_integer_value(json_object_get(fig, "qty")), before - 1);
    assert_string_not_equal(next, cursor);
    json_decref(delta);

    /* ... and not again after it. */
    char after[64];
    delta = sync_all(tc, "store=sea-fremont&near=1", next, after, NULL);
    assert_int_equal(json_array_size(delta), 0);
    assert_string_equal(after, next);
    json_decref(delta);

    /* The back-office stand-in: a shop's figure set twice appears once, at its last value. */
    Resp p;
    const char *put = "{\"qty\": 7}";
    snprintf(path, sizeof path, "/v1/admin/stock/%s/sea-fremont", vid);
    assert_int_equal(harness_call(tc, "PUT", path, put, strlen(put), NULL, &p), 0);
    assert_int_equal(p.status, 200);
    resp_free(&p);
    put = "{\"qty\": 9}";
    assert_int_equal(harness_call(tc, "PUT", path, put, strlen(put), NULL, &p), 0);
    assert_int_equal(p.status, 200);
    resp_free(&p);
    /* A change at a shop this device does not follow is not in its delta. */
    snprintf(path, sizeof path, "/v1/admin/stock/%s/ren-the-landing", vid);
    assert_int_equal(harness_call(tc, "PUT", path, put, strlen(put), NULL, &p), 0);
    assert_int_equal(p.status, 200);
    resp_free(&p);
    delta = sync_all(tc, "store=sea-fremont&near=1", next, after, NULL);
    fig = find_figure(delta, vid, "sea-fremont", &n);
    assert_int_equal(n, 1);
    assert_int_equal(json_array_size(delta), 1);
    assert_int_equal(json_integer_value(json_object_get(fig, "qty")), 9);
    /* The cursor moved past the skipped change, so it is not scanned again. */
    char last[64];
    json_t *none = sync_all(tc, "store=sea-fremont&near=1", after, last, NULL);
    assert_int_equal(json_array_size(none), 0);
    assert_string_equal(last, after);
    json_decref(none);
    json_decref(delta);
    /* A device following that shop sees the change from the same old cursor. */
    delta = sync_all(tc, "store=ren-the-landing&near=0", next, after, NULL);
    fig = find_figure(delta, vid, "ren-the-landing", &n);
    assert_int_equal(n, 1);
    json_decref(delta);
}

static void test_stock_near_zero_and_paging(void **state)
{
    TestCentral *tc = *state;
    char next[64];
    json_t *stores = NULL;
    json_t *all = sync_all(tc, "store=sea-queen-anne&near=0", NULL, next, &stores);
    assert_int_equal(json_array_size(stores), 2);
    assert_string_equal(json_string_value(json_array_get(stores, 0)), "sea-queen-anne");
    assert_string_equal(json_string_value(json_array_get(stores, 1)), "online");
    size_t i;
    json_t *f;
    json_array_foreach(all, i, f)
    {
        const char *s = json_string_value(json_object_get(f, "store"));
        assert_true(strcmp(s, "sea-queen-anne") == 0 || strcmp(s, "online") == 0);
    }
    json_decref(stores);
    json_decref(all);

    /* Default near is 10; 50 takes every shop. */
    Resp r;
    assert_int_equal(harness_get(tc, "/v1/stock?store=sea-ballard&limit=1", &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "stores")), 12);
    assert_int_equal(json_array_size(json_object_get(r.json, "stock")), 1);
    assert_true(json_is_true(json_object_get(r.json, "has_more")));
    resp_free(&r);
    assert_int_equal(harness_get(tc, "/v1/stock?store=sea-ballard&near=50&limit=1", &r), 0);
    assert_int_equal(json_array_size(json_object_get(r.json, "stores")), 14);
    resp_free(&r);

    /* Small pages in change order: cursors strictly increase, no figure twice. */
    char cur[64] = "";
    json_t *seen = json_object();
    for (int page = 0; page < 5; page++) {
        char path[160];
        snprintf(path, sizeof path, "/v1/stock?store=sea-ballard&near=0&limit=7%s%s",
                 cur[0] ? "&cursor=" : "", cur);
        assert_int_equal(harness_get(tc, path, &r), 0);
        assert_int_equal(r.status, 200);
        assert_int_equal(json_array_size(json_object_get(r.json, "stock")), 7);
        const char *nx = json_string_value(json_object_get(r.json, "next_cursor"));
        assert_true(cur[0] == '\0' || strtoll(nx, NULL, 10) > strtoll(cur, NULL, 10));
        json_array_foreach(json_object_get(r.json, "stock"), i, f)
        {
            char key[160];
            snprintf(key, sizeof key, "%s@%s", json_string_value(json_object_get(f, "variant")),
                     json_string_value(json_object_get(f, "store")));
            assert_null(json_object_get(seen, key));
            json_object_set_new(seen, key, json_true());
        }
        snprintf(cur, sizeof cur, "%s", nx);
        resp_free(&r);
    }
    json_decref(seen);
}

static void test_stock_bad_requests(void **state)
{
    TestCentral *tc = *state;
    expect_error(tc, "GET", "/v1/stock", NULL, 400, "missing_parameter");
    expect_error(tc, "GET", "/v1/stock?near=3", NULL, 400, "missing_parameter");
    expect_error(tc, "GET", "/v1/stock?store=sea%20ballard", NULL, 400, "invalid_parameter");
    expect_error(tc, "GET", "/v1/stock?store=nowhere", NULL, 404, "store_not_found");
    expect_error(tc, "GET", "/v1/stock?store=sea-ballard&cursor=abc", NULL, 400, "invalid_cursor");
    expect_error(tc, "GET", "/v1/stock?store=sea-ballard&cursor=-1", NULL, 400, "invalid_cursor");
    expect_error(tc, "GET", "/v1/stock?store=sea-ballard&cursor=12x", NULL, 400, "invalid_cursor");
    expect_error(tc, "GET", "/v1/stock?store=sea-ballard&cursor=99999999999", NULL, 400,
                 "invalid_cursor");
    expect_error(tc, "GET", "/v1/stock?store=sea-ballard&limit=0", NULL, 400, "invalid_parameter");
    expect_error(tc, "GET", "/v1/stock?store=sea-ballard&limit=5001", NULL, 400,
                 "invalid_parameter");
    expect_error(tc, "GET", "/v1/stock?store=sea-ballard&limit=ten", NULL, 400,
                 "invalid_parameter");
    expect_error(tc, "GET", "/v1/stock?store=sea-ballard&near=51", NULL, 400, "invalid_parameter");
    expect_error(tc, "GET", "/v1/stock?store=sea-ballard&near=-1", NULL, 400, "invalid_parameter");
    expect_error(tc, "POST", "/v1/stock?store=sea-ballard", "{}", 405, "method_not_allowed");
}

static void check_related(const char *id, json_t *p, int *with_related)
{
    json_t *pop = json_object_get(p, "popularity"), *rel = json_object_get(p, "related");
    assert_true(json_is_integer(pop));
    assert_true(json_integer_value(pop) >= 0);
    assert_true(json_is_array(rel));
    assert_true(json_array_size(rel) <= 8);
    double last = 1e9;
    size_t i;
    json_t *r;
    json_array_foreach(rel, i, r)
    {
        const char *rid = json_string_value(json_object_get(r, "id"));
        json_t *score = json_object_get(r, "score");
        assert_non_null(rid);
        if (strcmp(rid, id) == 0)
            fail_msg("%s is related to itself", id);
        assert_true(json_is_number(score));
        double s = json_number_value(score);
        assert_true(s > 0 && s <= 1.0);
        assert_true(s <= last); /* best first */
        /* rounded to 3 decimals */
        double scaled = s * 1000;
        assert_true(scaled - (double)(long long)(scaled + 0.5) < 1e-6 &&
                    (double)(long long)(scaled + 0.5) - scaled < 1e-6);
        last = s;
    }
    if (json_array_size(rel) > 0)
        (*with_related)++;
}

static void test_product_popularity_and_related(void **state)
{
    TestCentral *tc = *state;
    int with_related = 0, products = 0, popular = 0;
    char cur[32] = "0";
    for (int page = 0; page < 10; page++) {
        char path[96];
        Resp r;
        snprintf(path, sizeof path, "/v1/catalog?limit=500&cursor=%s", cur);
        assert_int_equal(harness_get(tc, path, &r), 0);
        assert_int_equal(r.status, 200);
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(r.json, "products"), i, p)
        {
            check_related(json_string_value(json_object_get(p, "id")), p, &with_related);
            popular += json_integer_value(json_object_get(p, "popularity")) > 0;
            products++;
        }
        snprintf(cur, sizeof cur, "%s", json_string_value(json_object_get(r.json, "next_cursor")));
        bool more = json_is_true(json_object_get(r.json, "has_more"));
        resp_free(&r);
        if (!more)
            break;
    }
    assert_true(products >= 500);
    assert_true(popular > 50);
    assert_true(with_related > 50);

    /* The product resource has the same fields; a related id names a real product. */
    Resp a, b;
    assert_int_equal(harness_get(tc, "/v1/products/P0001", &a), 0);
    assert_int_equal(a.status, 200);
    check_related("P0001", a.json, &with_related);
    json_t *first = json_array_get(json_object_get(a.json, "related"), 0);
    if (first) {
        char path[96];
        snprintf(path, sizeof path, "/v1/products/%s",
                 json_string_value(json_object_get(first, "id")));
        assert_int_equal(harness_get(tc, path, &b), 0);
        assert_int_equal(b.status, 200);
        resp_free(&b);
    }
    resp_free(&a);
}

/* Creates a hand-off; returns the reply (the caller frees it). */
static void create_handoff(const TestCentral *tc, const char *body, Resp *r)
{
    assert_int_equal(harness_post(tc, "/v1/handoffs", body, r), 0);
    if (r->status != 201)
        fail_msg("POST /v1/handoffs %s: %ld %s", body, r->status, r->body);
}

static void test_handoff_create_get_page(void **state)
{
    TestCentral *tc = *state;
    Resp r, g, page;
    /* The product on screen, in one size. */
    create_handoff(tc,
                   "{\"store\":\"sea-ballard\",\"device\":\"D000009\",\"product\":\"P0001\","
                   "\"variant\":\"V00002\"}",
                   &r);
    const char *code = json_string_value(json_object_get(r.json, "code"));
    const char *url = json_string_value(json_object_get(r.json, "url"));
    assert_non_null(code);
    assert_int_equal(strlen(code), 8);
    for (const char *c = code; *c; c++)
        assert_non_null(strchr("23456789ABCDEFGHJKMNPQRSTUVWXYZ", *c));
    char want_url[160];
    snprintf(want_url, sizeof want_url, "%s/h/%s", tc->base, code);
    assert_string_equal(url, want_url);
    assert_non_null(json_string_value(json_object_get(r.json, "expires_at")));
    assert_int_equal(json_object_size(r.json), 3);

    char path[96];
    snprintf(path, sizeof path, "/v1/handoffs/%s", code);
    assert_int_equal(harness_get(tc, path, &g), 0);
    assert_int_equal(g.status, 200);
    assert_string_equal(json_string_value(json_object_get(g.json, "code")), code);
    assert_string_equal(json_string_value(json_object_get(g.json, "store")), "sea-ballard");
    assert_string_equal(json_string_value(json_object_get(g.json, "device")), "D000009");
    json_t *product = json_object_get(g.json, "product");
    assert_string_equal(json_string_value(json_object_get(product, "id")), "P0001");
    assert_non_null(json_string_value(json_object_get(product, "name")));
    assert_true(json_integer_value(json_object_get(product, "price_cents")) > 0);
    json_t *variant = json_object_get(g.json, "variant");
    assert_string_equal(json_string_value(json_object_get(variant, "id")), "V00002");
    assert_non_null(json_string_value(json_object_get(variant, "size")));
    assert_non_null(json_string_value(json_object_get(variant, "colour")));
    assert_int_equal(json_array_size(json_object_get(g.json, "items")), 0);
    assert_string_equal(json_string_value(json_object_get(g.json, "expires_at")),
                        json_string_value(json_object_get(r.json, "expires_at")));
    /* No member data anywhere in it. */
    assert_null(json_object_get(g.json, "member"));

    /* The page a phone opens: the product with its price and a way into the app. Codes are
     * read off a screen, so case does not matter. */
    char lower[16];
    for (size_t i = 0; i <= strlen(code); i++)
        lower[i] = (char)(code[i] >= 'A' && code[i] <= 'Z' ? code[i] + 32 : code[i]);
    snprintf(path, sizeof path, "/h/%s", lower);
    assert_int_equal(harness_get(tc, path, &page), 0);
    assert_int_equal(page.status, 200);
    assert_non_null(strstr(page.content_type, "text/html"));
    assert_non_null(strstr(page.body, "<meta name=viewport"));
    assert_non_null(strstr(page.body, json_string_value(json_object_get(product, "name"))));
    assert_non_null(strstr(page.body, "Continue in the app"));
    char price[32];
    long long cents = json_integer_value(json_object_get(product, "price_cents"));
    snprintf(price, sizeof price, "$%lld.%02lld", cents / 100, cents % 100);
    assert_non_null(strstr(page.body, price));
    resp_free(&page);
    resp_free(&g);
    resp_free(&r);

    /* A cart: repeated variants add up; lines carry name, size, colour and price. */
    create_handoff(tc,
                   "{\"store\":\"sea-fremont\",\"items\":[{\"variant\":\"V00003\",\"qty\":2},"
                   "{\"variant\":\"V00100\",\"qty\":1},{\"variant\":\"V00003\",\"qty\":1}]}",
                   &r);
    snprintf(path, sizeof path, "/v1/handoffs/%s",
             json_string_value(json_object_get(r.json, "code")));
    assert_int_equal(harness_get(tc, path, &g), 0);
    assert_int_equal(g.status, 200);
    assert_true(json_is_null(json_object_get(g.json, "product")));
    assert_true(json_is_null(json_object_get(g.json, "device")));
    json_t *items = json_object_get(g.json, "items");
    assert_int_equal(json_array_size(items), 2);
    json_t *line = json_array_get(items, 0);
    assert_string_equal(json_string_value(json_object_get(line, "variant")), "V00003");
    assert_int_equal(json_integer_value(json_object_get(line, "qty")), 3);
    assert_non_null(json_string_value(json_object_get(line, "name")));
    assert_non_null(json_string_value(json_object_get(line, "size")));
    assert_non_null(json_string_value(json_object_get(line, "colour")));
    long long unit = json_integer_value(json_object_get(line, "price_cents"));
    long long unit2 = json_integer_value(json_object_get(json_array_get(items, 1), "price_cents"));
    assert_true(unit > 0);
    assert_int_equal(json_integer_value(json_object_get(g.json, "subtotal_cents")),
                     3 * unit + unit2);
    snprintf(path, sizeof path, "/h/%s", json_string_value(json_object_get(r.json, "code")));
    assert_int_equal(harness_get(tc, path, &page), 0);
    assert_int_equal(page.status, 200);
    assert_non_null(strstr(page.body, json_string_value(json_object_get(line, "name"))));
    assert_non_null(strstr(page.body, "Qty 3"));
    snprintf(price, sizeof price, "$%lld.%02lld", (3 * unit) / 100, (3 * unit) % 100);
    assert_non_null(strstr(page.body, price));
    resp_free(&page);
    resp_free(&g);
    resp_free(&r);
}

static void test_handoff_page_escapes(void **state)
{
    TestCentral *tc = *state;
    Resp p, r, page;
    const char *patch = "{\"name\": \"<script>alert('x')</script> & \\\"Co\\\"\"}";
    assert_int_equal(
        harness_call(tc, "PATCH", "/v1/admin/products/P0009", patch, strlen(patch), NULL, &p), 0);
    assert_int_equal(p.status, 200);
    resp_free(&p);
    create_handoff(tc, "{\"store\":\"sea-ballard\",\"product\":\"P0009\"}", &r);
    char path[64];
    snprintf(path, sizeof path, "/h/%s", json_string_value(json_object_get(r.json, "code")));
    assert_int_equal(harness_get(tc, path, &page), 0);
    assert_int_equal(page.status, 200);
    assert_null(strstr(page.body, "<script>"));
    assert_non_null(strstr(page.body, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
                                      "&quot;Co&quot;"));
    assert_non_null(strstr(page.body, "Choose your size")); /* no variant given */
    resp_free(&page);
    resp_free(&r);
}

static void test_handoff_expired_and_unknown(void **state)
{
    TestCentral *tc = *state;
    Resp r, x, page;
    create_handoff(tc, "{\"store\":\"sea-ballard\",\"variant\":\"V00010\"}", &r);
    const char *code = json_string_value(json_object_get(r.json, "code"));
    char path[96];
    snprintf(path, sizeof path, "/v1/handoffs/%s", code);
    assert_int_equal(harness_get(tc, path, &x), 0);
    assert_int_equal(x.status, 200);
    /* A variant alone names its product. */
    assert_non_null(json_string_value(json_object_get(json_object_get(x.json, "product"), "id")));
    resp_free(&x);

    /* The back-office stand-in ends its time now. */
    snprintf(path, sizeof path, "/v1/admin/handoffs/%s/expire", code);
    assert_int_equal(harness_post(tc, path, NULL, &x), 0);
    assert_int_equal(x.status, 200);
    resp_free(&x);
    snprintf(path, sizeof path, "/v1/handoffs/%s", code);
    expect_error(tc, "GET", path, NULL, 410, "handoff_expired");
    snprintf(path, sizeof path, "/h/%s", code);
    assert_int_equal(harness_get(tc, path, &page), 0);
    assert_int_equal(page.status, 410);
    assert_non_null(strstr(page.content_type, "text/html"));
    assert_non_null(strstr(page.body, "expired"));
    resp_free(&page);
    resp_free(&r);

    expect_error(tc, "GET", "/v1/handoffs/ZZZZZZZZ", NULL, 404, "handoff_not_found");
    expect_error(tc, "GET", "/v1/handoffs/bad%20code", NULL, 404, "not_found");
    expect_error(tc, "POST", "/v1/admin/handoffs/ZZZZZZZZ/expire", NULL, 404, "handoff_not_found");
    assert_int_equal(harness_get(tc, "/h/ZZZZZZZZ", &page), 0);
    assert_int_equal(page.status, 404);
    assert_non_null(strstr(page.content_type, "text/html"));
    resp_free(&page);
    assert_int_equal(harness_get(tc, "/h/%3Cb%3E", &page), 0);
    assert_int_equal(page.status, 404);
    assert_null(strstr(page.body, "<b>"));
    resp_free(&page);
}

static void test_handoff_validation(void **state)
{
    TestCentral *tc = *state;
    const char *P = "/v1/handoffs";
    expect_error(tc, "POST", P, "{}", 400, "missing_field");
    expect_error(tc, "POST", P, "{\"product\":\"P0001\"}", 400, "missing_field");
    expect_error(tc, "POST", P, "{\"store\":\"sea-ballard\"}", 400, "missing_field");
    expect_error(tc, "POST", P, "{\"store\":\"sea-ballard\",\"items\":[]}", 400, "missing_field");
    expect_error(tc, "POST", P, "{\"store\":\"sea-ballard\",\"product\":\"P 1\"}", 400,
                 "invalid_field");
    expect_error(tc, "POST", P,
                 "{\"store\":\"sea-ballard\",\"items\":[{\"variant\":\"V00001\",\"qty\":0}]}", 400,
                 "invalid_field");
    expect_error(tc, "POST", P,
                 "{\"store\":\"sea-ballard\",\"items\":[{\"variant\":\"V00001\",\"qty\":11}]}", 400,
                 "invalid_field");
    expect_error(tc, "POST", P,
                 "{\"store\":\"sea-ballard\",\"items\":[{\"variant\":\"V00001\",\"qty\":\"2\"}]}",
                 400, "invalid_field");
    expect_error(tc, "POST", P,
                 "{\"store\":\"sea-ballard\",\"items\":[{\"variant\":\"V00001\",\"qty\":6},"
                 "{\"variant\":\"V00001\",\"qty\":5}]}",
                 400, "invalid_field");
    expect_error(tc, "POST", P, "{\"store\":\"sea-ballard\",\"items\":{\"variant\":\"V00001\"}}",
                 400, "invalid_field");
    /* 51 items: one over the limit. */
    char body[4096];
    size_t n = (size_t)snprintf(body, sizeof body, "{\"store\":\"sea-ballard\",\"items\":[");
    for (int i = 0; i < 51; i++)
        n += (size_t)snprintf(body + n, sizeof body - n, "%s{\"variant\":\"V%05d\",\"qty\":1}",
                              i ? "," : "", i + 1);
    snprintf(body + n, sizeof body - n, "]}");
    expect_error(tc, "POST", P, body, 400, "invalid_field");
    /* 50 is fine. */
    n = (size_t)snprintf(body, sizeof body, "{\"store\":\"sea-ballard\",\"items\":[");
    for (int i = 0; i < 50; i++)
        n += (size_t)snprintf(body + n, sizeof body - n, "%s{\"variant\":\"V%05d\",\"qty\":1}",
                              i ? "," : "", i + 1);
    snprintf(body + n, sizeof body - n, "]}");
    Resp ok;
    create_handoff(tc, body, &ok);
    resp_free(&ok);
    /* No member data is taken. */
    expect_error(tc, "POST", P,
                 "{\"store\":\"sea-ballard\",\"product\":\"P0001\",\"member\":\"M10001\"}", 400,
                 "invalid_field");
    /* Well-formed, but naming what does not exist. */
    expect_error(tc, "POST", P, "{\"store\":\"nowhere\",\"product\":\"P0001\"}", 422,
                 "unknown_store");
    expect_error(tc, "POST", P, "{\"store\":\"sea-ballard\",\"product\":\"P9999\"}", 422,
                 "unknown_product");
    expect_error(tc, "POST", P, "{\"store\":\"sea-ballard\",\"variant\":\"V99999\"}", 422,
                 "unknown_variant");
    expect_error(tc, "POST", P,
                 "{\"store\":\"sea-ballard\",\"product\":\"P0002\",\"variant\":\"V00001\"}", 422,
                 "unknown_variant");
    expect_error(tc, "POST", P,
                 "{\"store\":\"sea-ballard\",\"items\":[{\"variant\":\"V99999\",\"qty\":1}]}", 422,
                 "unknown_variant");
    expect_error(tc, "PUT", "/v1/handoffs/ABCDEFGH", "{}", 405, "method_not_allowed");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stock_full_then_empty_delta),
        cmocka_unit_test(test_stock_change_appears_once),
        cmocka_unit_test(test_stock_near_zero_and_paging),
        cmocka_unit_test(test_stock_bad_requests),
        cmocka_unit_test(test_product_popularity_and_related),
        cmocka_unit_test(test_handoff_create_get_page),
        cmocka_unit_test(test_handoff_page_escapes),
        cmocka_unit_test(test_handoff_expired_and_unknown),
        cmocka_unit_test(test_handoff_validation),
    };
    TEST_FILTER(argc, argv, tests);
    return cmocka_run_group_tests(tests, setup, teardown);
}
