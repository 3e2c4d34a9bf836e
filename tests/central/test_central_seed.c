/* test_central_seed.c: the demo seed is deterministic (two independent seeds give the same
 * chain, catalog, stock, members, histories and demo key, up to the moment of seeding), and
 * the database is durable (an order survives a restart; restarting with --seed demo keeps
 * existing data instead of seeding again). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

typedef struct Pair {
    TestCentral a, b;
} Pair;

static int setup(void **state)
{
    static Pair p;
    if (harness_start(&p.a, NULL) != 0 || harness_start(&p.b, NULL) != 0)
        return -1;
    *state = &p;
    return 0;
}

static int teardown(void **state)
{
    Pair *p = *state;
    harness_stop(&p->a);
    harness_stop(&p->b);
    return 0;
}

static char *read_file(const TestCentral *tc, const char *name)
{
    char path[HARNESS_PATH_MAX + 32];
    harness_path(tc, name, path, sizeof path);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    assert_true(n > 0);
    return buf;
}

/* Replaces what depends on the moment of seeding or on the port: ISO times and URLs that
 * carry the service's address, and ages. */
static void normalise(json_t *j)
{
    if (json_is_object(j)) {
        const char *key;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(j, tmp, key, v)
        {
            if (strcmp(key, "tracking_url") == 0 || strcmp(key, "age_seconds") == 0 ||
                strcmp(key, "server_time") == 0 || strcmp(key, "as_of") == 0)
                json_object_del(j, key);
            else
                normalise(v);
        }
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v)
        {
            const char *s = json_string_value(v);
            if (s && strlen(s) == 20 && s[4] == '-' && s[10] == 'T')
                json_array_set_new(j, i, json_string("TIME"));
            else
                normalise(v);
        }
    }
}

static void normalise_times(json_t *j)
{
    /* Object members that are ISO times: seeding at second S or S+1 is the same data. */
    if (json_is_object(j)) {
        const char *key;
        json_t *v;
        json_object_foreach(j, key, v)
        {
            const char *s = json_string_value(v);
            if (s && strlen(s) == 20 && s[4] == '-' && s[10] == 'T')
                json_object_set_new(j, key, json_string("TIME"));
            else
                normalise_times(v);
        }
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) normalise_times(v);
    }
}

static void assert_same_json(const TestCentral *a, const TestCentral *b, const char *path)
{
    Resp ra, rb;
    assert_int_equal(harness_get(a, path, &ra), 0);
    assert_int_equal(harness_get(b, path, &rb), 0);
    assert_int_equal(ra.status, 200);
    assert_int_equal(rb.status, 200);
    normalise(ra.json);
    normalise(rb.json);
    normalise_times(ra.json);
    normalise_times(rb.json);
    if (!json_equal(ra.json, rb.json))
        fail_msg("%s differs between two seeds", path);
    resp_free(&ra);
    resp_free(&rb);
}

static void test_seed_is_deterministic(void **state)
{
    Pair *p = *state;
    const char *files[] = {"demo-loyalty-key.pem", "demo-loyalty-pub.pem", "demo-members.json",
                           "demo-service-pins.json"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *fa = read_file(&p->a, files[i]), *fb = read_file(&p->b, files[i]);
        assert_string_equal(fa, fb);
        free(fa);
        free(fb);
    }
    char *key = read_file(&p->a, "demo-loyalty-key.pem");
    assert_non_null(strstr(key, "-----BEGIN EC PRIVATE KEY-----"));
    free(key);

    assert_same_json(&p->a, &p->b, "/v1/stores");
    char path[128];
    for (int page = 0; page < 6; page++) {
        snprintf(path, sizeof path, "/v1/catalog?limit=100&cursor=%d", page * 100);
        assert_same_json(&p->a, &p->b, path);
    }
    const char *more[] = {"/v1/products/P0001/stock?store=sea-ballard",
                          "/v1/products/P0333/stock?store=ren-the-landing",
                          "/v1/members/M10001",
                          "/v1/members/M10042",
                          "/v1/members/M10017/orders",
                          "/v1/members/M10023/offers",
                          "/v1/members/M10031/recommendations?store=sea-fremont",
                          NULL};
    for (int i = 0; more[i]; i++)
        assert_same_json(&p->a, &p->b, more[i]);
}

static void test_orders_survive_restart(void **state)
{
    Pair *p = *state;
    TestCentral *tc = &p->a;
    Resp r, m;
    char body[512], header[64] = "Idempotency-Key: restart-1", id[32], path[96];
    const char *headers[] = {header, NULL};
    assert_int_equal(harness_get(tc, "/v1/members/M10004", &m), 0);
    const char *address = json_string_value(
        json_object_get(json_array_get(json_object_get(m.json, "addresses"), 0), "id"));
    /* Variant V00005 at the warehouse: the seed keeps most warehouse figures well stocked;
     * pick whichever of the first variants has stock. */
    Resp s;
    assert_int_equal(harness_get(tc, "/v1/products/P0002/stock", &s), 0);
    json_t *locs = json_object_get(s.json, "locations");
    json_t *online = json_array_get(locs, json_array_size(locs) - 1);
    const char *variant = NULL;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(online, "variants"), i, v)
    {
        if (!variant && json_integer_value(json_object_get(v, "qty")) > 0)
            variant = json_string_value(json_object_get(v, "variant"));
    }
    assert_non_null(variant);
    snprintf(body, sizeof body,
             "{\"member\":\"M10004\",\"store\":\"sea-ballard\",\"items\":[{\"variant\":\"%s\","
             "\"qty\":1}],\"shipping_option\":\"next_day\",\"address_id\":\"%s\"}",
             variant, address);
    assert_int_equal(harness_call(tc, "POST", "/v1/orders", body, strlen(body), headers, &r), 0);
    assert_int_equal(r.status, 201);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(r.json, "id")));
    resp_free(&s);
    resp_free(&m);

    /* The tracking link opens a page naming the order number. */
    const char *track =
        strstr(json_string_value(json_object_get(r.json, "tracking_url")), "/track/");
    assert_non_null(track);
    Resp page;
    assert_int_equal(harness_get(tc, track, &page), 0);
    assert_int_equal(page.status, 200);
    assert_non_null(strstr(page.content_type, "text/html"));
    assert_non_null(strstr(page.body, json_string_value(json_object_get(r.json, "number"))));
    resp_free(&page);

    assert_int_equal(harness_restart(tc, NULL), 0);
    Resp got, again;
    snprintf(path, sizeof path, "/v1/orders/%s", id);
    assert_int_equal(harness_get(tc, path, &got), 0);
    assert_int_equal(got.status, 200);
    assert_true(json_equal(got.json, r.json));
    /* The idempotency record survived too: a retry after the restart is a replay. */
    assert_int_equal(harness_call(tc, "POST", "/v1/orders", body, strlen(body), headers, &again),
                     0);
    assert_int_equal(again.status, 200);
    assert_true(again.replayed);
    assert_string_equal(json_string_value(json_object_get(again.json, "id")), id);
    resp_free(&again);
    resp_free(&got);
    resp_free(&r);

    /* --seed demo on a database with data kept it: still one catalog, not two. */
    Resp cat;
    assert_int_equal(harness_get(tc, "/v1/products?limit=1", &cat), 0);
    Resp cat_b;
    assert_int_equal(harness_get(&p->b, "/v1/products?limit=1", &cat_b), 0);
    assert_int_equal(json_integer_value(json_object_get(cat.json, "total")),
                     json_integer_value(json_object_get(cat_b.json, "total")));
    resp_free(&cat);
    resp_free(&cat_b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_is_deterministic),
        cmocka_unit_test(test_orders_survive_restart),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
