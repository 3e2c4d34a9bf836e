/* test_client_decode.c: the central reply decoders (firmware/central_decode.c) on good,
 * truncated and hostile JSON. No network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include "central_decode.h"

static CentralPayload *payload(void)
{
    static CentralPayload *p; /* test-only scratch: CentralPayload is large for the stack */
    if (!p)
        p = malloc(sizeof *p);
    assert_non_null(p);
    return p;
}

static KioskErr decode(CentralKind kind, const char *json)
{
    return central_decode(kind, json, strlen(json), payload());
}

static const char MEMBER[] =
    "{\"id\":\"M10001\",\"display_name\":\"Harper\",\"name_masked\":\"Harper A.\","
    "\"language\":\"en\",\"tier\":\"silver\",\"points\":773,"
    "\"sizes\":{\"shoe\":\"11\",\"top\":\"XL\",\"waist\":\"34\",\"sock\":\"L\",\"dress\":\"8\"},"
    "\"payment_on_file\":true,\"home_store\":\"sea-columbia-city\","
    "\"member_since\":\"2021-03-02T11:14:30Z\",\"future_field\":{\"x\":[1,2,3]},"
    "\"addresses\":[{\"id\":\"A10001-1\",\"label\":\"Home\",\"masked\":\"81\xe2\x80\xa2\xe2\x80\xa2"
    " R Ave S, Seattle\",\"city\":\"Seattle\",\"is_default\":true}],"
    "\"last_order\":{\"id\":\"O000012\",\"channel\":\"web\",\"created_at\":\"2026-10-01T10:00:"
    "00Z\","
    "\"items\":[{\"line\":1,\"variant\":\"V00001\",\"product_id\":\"P0001\",\"name\":\"Puget "
    "Racer\",\"qty\":1}]},\"recent_orders\":[]}";

static void test_member_good(void **state)
{
    (void)state;
    assert_int_equal(decode(CENTRAL_MEMBER, MEMBER), KIOSK_OK);
    const CentralMember *m = &payload()->member;
    assert_string_equal(m->id, "M10001");
    assert_string_equal(m->display_name, "Harper");
    assert_string_equal(m->name_masked, "Harper A.");
    assert_string_equal(m->tier, "silver");
    assert_int_equal(m->points, 773);
    assert_string_equal(m->sizes.shoe, "11");
    assert_string_equal(m->sizes.dress, "8");
    assert_true(m->payment_on_file);
    assert_int_equal(m->address_count, 1);
    assert_string_equal(m->addresses[0].id, "A10001-1");
    assert_true(m->addresses[0].is_default);
    assert_true(m->has_last_order);
    assert_string_equal(m->last_order.channel, "web");
    assert_string_equal(m->last_order.first_item, "Puget Racer");
    assert_int_equal(m->last_order.item_count, 1);
    assert_false(m->has_token_info);
}

static void test_member_minimal_and_nulls(void **state)
{
    (void)state;
    assert_int_equal(decode(CENTRAL_IDENTIFY,
                            "{\"id\":\"M1\",\"display_name\":\"A\",\"language\":\"fr\",\"tier\":"
                            "\"gold\",\"points\":0,\"last_order\":null,\"home_store\":null,"
                            "\"sizes\":{},\"token\":{\"bound_to_tag\":true,\"expires_at\":"
                            "\"2027-01-01T00:00:00Z\"}}"),
                     KIOSK_OK);
    assert_false(payload()->member.has_last_order);
    assert_true(payload()->member.has_token_info);
    assert_true(payload()->member.token_bound_to_tag);
    assert_string_equal(payload()->member.home_store, "");
}

static void test_truncated_everywhere(void **state)
{
    (void)state;
    size_t len = strlen(MEMBER);
    for (size_t cut = 0; cut < len; cut++)
        assert_int_not_equal(central_decode(CENTRAL_MEMBER, MEMBER, cut, payload()), KIOSK_OK);
    /* a failed decode leaves nothing behind */
    assert_string_equal(payload()->member.display_name, "");
}

static void test_wrong_types(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{\"id\":\"M1\",\"display_name\":\"A\",\"language\":\"en\",\"tier\":\"x\",\"points\":"
        "\"7\"}",
        "{\"id\":1,\"display_name\":\"A\",\"language\":\"en\",\"tier\":\"x\",\"points\":7}",
        "{\"id\":\"M1\",\"display_name\":[],\"language\":\"en\",\"tier\":\"x\",\"points\":7}",
        "{\"id\":\"M1\",\"display_name\":\"A\",\"language\":\"en\",\"tier\":\"x\",\"points\":7.5}",
        "{\"id\":\"M1\",\"display_name\":\"A\",\"language\":\"en\",\"tier\":\"x\",\"points\":-1}",
        "{\"id\":\"M1\",\"display_name\":\"A\",\"language\":\"en\",\"tier\":\"x\",\"points\":7,"
        "\"addresses\":{}}",
        "{\"id\":\"M1\",\"display_name\":\"A\",\"language\":\"en\",\"tier\":\"x\",\"points\":7,"
        "\"addresses\":[1]}",
        "{\"id\":\"M1\",\"display_name\":\"A\",\"language\":\"en\",\"tier\":\"x\",\"points\":7,"
        "\"payment_on_file\":1}",
        "{\"id\":\"M1\",\"display_name\":\"A\",\"language\":\"en\",\"tier\":\"x\",\"points\":7,"
        "\"last_order\":\"yesterday\"}",
        "{\"id\":\"../../etc\",\"display_name\":\"A\",\"language\":\"en\",\"tier\":\"x\","
        "\"points\":7}",
        "{\"id\":\"M1\",\"display_name\":\"A\\u0000B\",\"language\":\"en\",\"tier\":\"x\","
        "\"points\":7}",
        "{\"id\":\"M1\",\"display_name\":\"A\\nB\",\"language\":\"en\",\"tier\":\"x\","
        "\"points\":7}",
        "[]",
        "null",
        "\"M1\"",
        "",
        "{\"id\":\"M1\",\"id\":\"M2\",\"display_name\":\"A\",\"language\":\"en\",\"tier\":\"x\","
        "\"points\":7}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (decode(CENTRAL_MEMBER, bad[i]) == KIOSK_OK)
            fail_msg("accepted: %s", bad[i]);
    }
}

static void test_missing_fields(void **state)
{
    (void)state;
    static const char *const keys[] = {"id", "display_name", "language", "tier", "points"};
    char buf[512];
    for (size_t skip = 0; skip < 5; skip++) {
        size_t n = 0;
        n += (size_t)snprintf(buf + n, sizeof buf - n, "{");
        for (size_t k = 0; k < 5; k++) {
            if (k == skip)
                continue;
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s\"%s\":%s", n > 1 ? "," : "", keys[k],
                                  k == 4 ? "1" : "\"M1\"");
        }
        snprintf(buf + n, sizeof buf - n, "}");
        assert_int_equal(decode(CENTRAL_MEMBER, buf), KIOSK_E_INVALID);
    }
}

static void test_huge_numbers(void **state)
{
    (void)state;
    assert_int_not_equal(decode(CENTRAL_MEMBER,
                                "{\"id\":\"M1\",\"display_name\":\"A\",\"language\":"
                                "\"en\",\"tier\":\"x\",\"points\":"
                                "99999999999999999999999999999}"),
                         KIOSK_OK);
    assert_int_not_equal(decode(CENTRAL_MEMBER,
                                "{\"id\":\"M1\",\"display_name\":\"A\",\"language\":"
                                "\"en\",\"tier\":\"x\",\"points\":"
                                "9223372036854775807}"),
                         KIOSK_OK);
    assert_int_not_equal(decode(CENTRAL_STORES, "{\"stores\":[{\"id\":\"s\",\"kind\":\"store\","
                                                "\"name\":\"S\",\"lat\":1e400,\"lon\":0}]}"),
                         KIOSK_OK);
    assert_int_not_equal(decode(CENTRAL_STORES, "{\"stores\":[{\"id\":\"s\",\"kind\":\"store\","
                                                "\"name\":\"S\",\"lat\":91,\"lon\":0}]}"),
                         KIOSK_OK);
}

static void test_overlong_strings(void **state)
{
    (void)state;
    char *buf = malloc(CENTRAL_BODY_MAX);
    char name[CENTRAL_NAME_MAX + 2];
    assert_non_null(buf);
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    snprintf(buf, CENTRAL_BODY_MAX,
             "{\"id\":\"M1\",\"display_name\":\"%s\",\"language\":\"en\",\"tier\":\"x\","
             "\"points\":1}",
             name);
    assert_int_equal(decode(CENTRAL_MEMBER, buf), KIOSK_E_INVALID);
    name[CENTRAL_NAME_MAX] = '\0'; /* exactly at the limit: fine */
    snprintf(buf, CENTRAL_BODY_MAX,
             "{\"id\":\"M1\",\"display_name\":\"%s\",\"language\":\"en\",\"tier\":\"x\","
             "\"points\":1}",
             name);
    assert_int_equal(decode(CENTRAL_MEMBER, buf), KIOSK_OK);
    /* a 65-character id */
    assert_int_equal(
        decode(CENTRAL_ORDER_STATUS,
               "{\"id\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
               "AAAA\"}"),
        KIOSK_E_INVALID);
    /* a body over the limit */
    memset(buf, ' ', CENTRAL_BODY_MAX);
    buf[0] = '{';
    assert_int_equal(central_decode(CENTRAL_STORES, buf, CENTRAL_BODY_MAX, payload()),
                     KIOSK_E_INVALID);
    assert_int_equal(central_decode(CENTRAL_STORES, "{}", CENTRAL_BODY_MAX + 1, payload()),
                     KIOSK_E_TOOBIG);
    free(buf);
}

static void test_deep_nesting(void **state)
{
    (void)state;
    size_t depth = 100000;
    char *buf = malloc(2 * depth + 1);
    assert_non_null(buf);
    memset(buf, '[', depth);
    memset(buf + depth, ']', depth);
    buf[2 * depth] = '\0';
    assert_int_equal(decode(CENTRAL_STORES, buf), KIOSK_E_TOOBIG);
    /* brackets inside strings do not count */
    assert_int_equal(decode(CENTRAL_STORES,
                            "{\"stores\":[{\"id\":\"s\",\"kind\":\"store\",\"name\":\"[[[[[[[["
                            "[[[[[[[[[[[[[[[[[[[[\",\"lat\":1,\"lon\":2}]}"),
                     KIOSK_OK);
    assert_string_equal(payload()->stores.stores[0].name, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
    free(buf);
}

static void test_stores_list_limit(void **state)
{
    (void)state;
    size_t cap = 64 * (CENTRAL_STORES_MAX + 5) + 64, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    n += (size_t)snprintf(buf + n, cap - n, "{\"stores\":[");
    for (int i = 0; i < CENTRAL_STORES_MAX + 5; i++)
        n += (size_t)snprintf(buf + n, cap - n,
                              "%s{\"id\":\"s%d\",\"kind\":\"store\",\"name\":\"S\",\"lat\":1,"
                              "\"lon\":2}",
                              i ? "," : "", i);
    snprintf(buf + n, cap - n, "]}");
    assert_int_equal(decode(CENTRAL_STORES, buf), KIOSK_OK);
    assert_int_equal(payload()->stores.count, CENTRAL_STORES_MAX);
    assert_true(payload()->stores.truncated);
    free(buf);
}

static void test_stock(void **state)
{
    (void)state;
    assert_int_equal(
        decode(CENTRAL_STOCK,
               "{\"product_id\":\"P0001\",\"store\":\"sea-ballard\",\"as_of\":\"t\",\"locations\":["
               "{\"store\":\"sea-ballard\",\"kind\":\"store\",\"name\":\"Ballard\",\"distance_km\":"
               "0.0,\"here\":true,\"in_stock\":true,\"total_qty\":3,\"updated_at\":\"t\","
               "\"variants\":[{\"variant\":\"V00001\",\"size\":\"6\",\"colour\":\"Light Wash\","
               "\"qty\":2,\"low\":true,\"updated_at\":\"t\",\"age_seconds\":5}]},"
               "{\"store\":\"online\",\"kind\":\"online\",\"name\":\"Online\",\"distance_km\":null,"
               "\"in_stock\":false,\"total_qty\":0,\"variants\":[],\"delivery_estimate\":{"
               "\"earliest\":\"a\",\"latest\":\"b\",\"method\":\"ship_to_home\"}}]}"),
        KIOSK_OK);
    const CentralStock *s = &payload()->stock;
    assert_int_equal(s->location_count, 2);
    assert_true(s->locations[0].here);
    assert_true(s->locations[0].has_distance);
    assert_int_equal(s->locations[0].variants[0].qty, 2);
    assert_true(s->locations[0].variants[0].low);
    assert_false(s->locations[1].has_distance);
    assert_true(s->locations[1].has_delivery);
    assert_string_equal(s->locations[1].delivery_latest, "b");
    assert_int_equal(decode(CENTRAL_STOCK, "{\"product_id\":\"P0001\",\"locations\":[{\"store\":"
                                           "\"x\",\"in_stock\":true,\"total_qty\":1,\"variants\":"
                                           "[{\"variant\":\"V1\",\"qty\":-2}]}]}"),
                     KIOSK_E_INVALID);
}

static void test_pairing(void **state)
{
    (void)state;
    assert_int_equal(decode(CENTRAL_PAIRING_POLL,
                            "{\"id\":\"pr_1\",\"code\":\"YB4CTJA9\",\"qr_text\":\"https://x/pair/"
                            "YB4CTJA9\",\"status\":\"claimed\",\"member\":\"M10007\","
                            "\"expires_in_seconds\":100}"),
                     KIOSK_OK);
    assert_int_equal(payload()->pairing.status, CENTRAL_PAIRING_CLAIMED);
    assert_string_equal(payload()->pairing.member, "M10007");
    /* claimed without a member, or an unknown status */
    assert_int_equal(decode(CENTRAL_PAIRING_POLL, "{\"id\":\"pr_1\",\"code\":\"Y\",\"qr_text\":"
                                                  "\"q\",\"status\":\"claimed\"}"),
                     KIOSK_E_INVALID);
    assert_int_equal(decode(CENTRAL_PAIRING_POLL, "{\"id\":\"pr_1\",\"code\":\"Y\",\"qr_text\":"
                                                  "\"q\",\"status\":\"maybe\"}"),
                     KIOSK_E_INVALID);
}

static void test_order(void **state)
{
    (void)state;
    assert_int_equal(
        decode(CENTRAL_ORDER_PLACE,
               "{\"id\":\"O1\",\"number\":\"K-1\",\"member\":\"M1\",\"status\":\"confirmed\","
               "\"totals\":{\"subtotal_cents\":100,\"discount_cents\":0,\"shipping_cents\":0,"
               "\"tax_cents\":10,\"total_cents\":110,\"currency\":\"USD\"},\"items\":[{\"line\":1,"
               "\"variant\":\"V1\",\"name\":\"Sock\",\"qty\":1,\"unit_price_cents\":100}]}"),
        KIOSK_OK);
    assert_int_equal(payload()->order.total_cents, 110);
    assert_int_equal(payload()->order.item_count, 1);
    assert_int_equal(decode(CENTRAL_ORDER_PLACE, "{\"id\":\"O1\",\"number\":\"K-1\",\"member\":"
                                                 "\"M1\",\"status\":\"confirmed\",\"items\":[]}"),
                     KIOSK_E_INVALID); /* no totals */
}

static void test_catalog(void **state)
{
    (void)state;
    static const char product[] =
        "{\"id\":\"P0001\",\"name\":\"Puget Racer\",\"brand\":\"Sound & Pine\","
        "\"category\":\"running-shoes\",\"description\":\"A shoe.\",\"price_cents\":15899,"
        "\"currency\":\"USD\",\"replenishable\":false,\"replenish_days\":null,\"active\":true,"
        "\"updated_at\":\"t\",\"image_url\":\"/v1/images/V00001.png\",\"images\":[],"
        "\"variants\":[{\"id\":\"V00001\",\"size\":\"6\",\"colour\":\"Light Wash\","
        "\"colour_hex\":\"#8fa9c7\",\"gtin\":\"0614141000012\",\"price_cents\":15899,"
        "\"image_url\":\"/v1/images/V00001.png\"}]}";
    char buf[16384];
    snprintf(buf, sizeof buf,
             "{\"products\":[%s,%s],\"next_cursor\":\"100\",\"has_more\":true,"
             "\"server_time\":\"t\"}",
             product, product);
    assert_int_equal(decode(CENTRAL_CATALOG, buf), KIOSK_OK);
    const CentralCatalogPage *p = &payload()->catalog;
    assert_int_equal(p->count, 2);
    assert_true(p->has_more);
    assert_string_equal(p->next_cursor, "100");
    assert_string_equal(p->products[0].brand, "Sound & Pine");
    assert_true(p->products[0].active);
    assert_int_equal(p->products[0].replenish_days, 0);
    assert_int_equal(p->products[0].variant_count, 1);
    assert_string_equal(p->products[0].variants[0].gtin, "0614141000012");

    /* more products than asked for: refused, not cut (the cursor would skip the rest) */
    size_t n = (size_t)snprintf(buf, sizeof buf, "{\"products\":[");
    for (int i = 0; i <= CENTRAL_CATALOG_PAGE_MAX; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", i ? "," : "", product);
    snprintf(buf + n, sizeof buf - n, "],\"next_cursor\":\"1\",\"has_more\":false}");
    assert_true(n < sizeof buf - 64);
    assert_int_equal(decode(CENTRAL_CATALOG, buf), KIOSK_E_INVALID);

    /* an empty delta */
    assert_int_equal(
        decode(CENTRAL_CATALOG, "{\"products\":[],\"next_cursor\":\"7\",\"has_more\":false}"),
        KIOSK_OK);
    assert_int_equal(payload()->catalog.count, 0);
    /* no cursor, a cursor with a space, a GTIN with letters */
    assert_int_equal(decode(CENTRAL_CATALOG, "{\"products\":[],\"has_more\":false}"),
                     KIOSK_E_INVALID);
    assert_int_equal(
        decode(CENTRAL_CATALOG, "{\"products\":[],\"next_cursor\":\"a b\",\"has_more\":false}"),
        KIOSK_E_INVALID);
    snprintf(buf, sizeof buf, "{\"products\":[%s],\"next_cursor\":\"1\",\"has_more\":false}",
             product);
    char *g = strstr(buf, "0614141000012");
    assert_non_null(g);
    g[3] = 'X';
    assert_int_equal(decode(CENTRAL_CATALOG, buf), KIOSK_E_INVALID);
}

static void test_error_body(void **state)
{
    (void)state;
    char code[CENTRAL_CODE_MAX + 1];
    const char *ok = "{\"error\":{\"code\":\"out_of_stock\",\"message\":\"Only 2\"}}";
    assert_int_equal(central_decode_error(ok, strlen(ok), code), KIOSK_OK);
    assert_string_equal(code, "out_of_stock");
    const char *bad[] = {"<html>", "{\"error\":\"x\"}", "{\"error\":{\"code\":\"Not A Code\"}}",
                         "{\"error\":{\"code\":\"\"}}", "{\"error\":{\"code\":7}}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(central_decode_error(bad[i], strlen(bad[i]), code), KIOSK_E_INVALID);
        assert_string_equal(code, "");
    }
    assert_int_equal(central_decode_error(NULL, 0, code), KIOSK_E_INVALID);
}

static void test_every_kind_on_garbage(void **state)
{
    (void)state;
    static const char *const inputs[] = {"{}",
                                         "{\"a\":1}",
                                         "[1,2]",
                                         "\xff\xfe",
                                         "{\"stores\":7}",
                                         "{\"recommendations\":[{}]}",
                                         "{\"offers\":[null]}"};
    for (int k = 0; k < CENTRAL_KIND_COUNT; k++) {
        for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
            assert_int_not_equal(decode((CentralKind)k, inputs[i]), KIOSK_OK);
        assert_string_not_equal(central_kind_name((CentralKind)k), "unknown");
    }
}

static void test_is_id(void **state)
{
    (void)state;
    assert_true(central_is_id("sea-ballard"));
    assert_true(central_is_id("pr_a886184a509c0a4919bffa25"));
    assert_false(central_is_id(""));
    assert_false(central_is_id("a/b"));
    assert_false(central_is_id("a?b=c"));
    assert_false(central_is_id("a b"));
    assert_false(central_is_id(NULL));
}

/* The fuzz seeds (tests/fuzz/corpus/central_decode/, first byte = '0' + kind) are good replies,
 * except the error body and the deep nesting. */
static void test_fuzz_seeds_decode(void **state)
{
    (void)state;
    DIR *d = opendir(CLIENT_CORPUS_DIR);
    struct dirent *e;
    int seen = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char path[1024], buf[8192];
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", CLIENT_CORPUS_DIR, e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        assert_true(n > 1);
        KioskErr err = central_decode((CentralKind)(buf[0] - '0'), buf + 1, n - 1, payload());
        bool bad = strcmp(e->d_name, "error.bin") == 0 || strcmp(e->d_name, "deep.bin") == 0;
        if ((err == KIOSK_OK) == bad)
            fail_msg("%s: %s", e->d_name, kerr_name(err));
        seen++;
    }
    closedir(d);
    assert_true(seen >= 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member_good),
        cmocka_unit_test(test_member_minimal_and_nulls),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_missing_fields),
        cmocka_unit_test(test_huge_numbers),
        cmocka_unit_test(test_overlong_strings),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_stores_list_limit),
        cmocka_unit_test(test_stock),
        cmocka_unit_test(test_pairing),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_catalog),
        cmocka_unit_test(test_error_body),
        cmocka_unit_test(test_every_kind_on_garbage),
        cmocka_unit_test(test_is_id),
        cmocka_unit_test(test_fuzz_seeds_decode),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(payload());
    return rc;
}
