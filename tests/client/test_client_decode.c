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

/* Every proper prefix of a good body is refused, and leaves nothing behind. */
static void assert_cuts_fail(CentralKind kind, const char *json)
{
    size_t len = strlen(json);
    for (size_t cut = 0; cut < len; cut++) {
        if (central_decode(kind, json, cut, payload()) == KIOSK_OK)
            fail_msg("%s accepted a body cut at %zu", central_kind_name(kind), cut);
    }
}

static void assert_all_fail(CentralKind kind, const char *const *bad, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (decode(kind, bad[i]) == KIOSK_OK)
            fail_msg("%s accepted: %s", central_kind_name(kind), bad[i]);
    }
}

static const char SHIPPING[] =
    "{\"store\":\"sea-ballard\",\"member\":\"M10002\",\"free_from_cents\":7500,\"options\":["
    "{\"id\":\"standard\",\"name\":\"Standard delivery\",\"price_cents\":695,\"currency\":\"USD\","
    "\"delivery_estimate\":{\"earliest\":\"2026-11-26T11:15:09Z\",\"latest\":"
    "\"2026-11-30T11:15:09Z\"},\"needs_address\":true},"
    "{\"id\":\"express\",\"name\":\"Express delivery\",\"price_cents\":1295,\"currency\":\"USD\","
    "\"needs_address\":true,\"future\":[1]},"
    "{\"id\":\"pickup\",\"name\":\"Collect in this store\",\"price_cents\":0,\"currency\":\"USD\","
    "\"delivery_estimate\":{\"earliest\":\"a\",\"latest\":\"b\"},\"needs_address\":false}]}";

static void test_shipping_good(void **state)
{
    (void)state;
    assert_int_equal(decode(CENTRAL_SHIPPING, SHIPPING), KIOSK_OK);
    const CentralShipping *s = &payload()->shipping;
    assert_string_equal(s->store, "sea-ballard");
    assert_string_equal(s->member, "M10002");
    assert_int_equal(s->free_from_cents, 7500);
    assert_int_equal(s->count, 3);
    assert_false(s->truncated);
    assert_string_equal(s->options[0].id, "standard");
    assert_string_equal(s->options[0].name, "Standard delivery");
    assert_int_equal(s->options[0].price_cents, 695);
    assert_string_equal(s->options[0].currency, "USD");
    assert_string_equal(s->options[0].delivery_earliest, "2026-11-26T11:15:09Z");
    assert_string_equal(s->options[0].delivery_latest, "2026-11-30T11:15:09Z");
    assert_true(s->options[0].needs_address);
    assert_string_equal(s->options[1].delivery_earliest, "");
    assert_false(s->options[2].needs_address);
    assert_int_equal(s->options[2].price_cents, 0);

    /* no member, no free-shipping threshold, needs_address left out (asking is the safe side) */
    assert_int_equal(decode(CENTRAL_SHIPPING,
                            "{\"store\":\"s1\",\"member\":null,\"free_from_cents\":null,"
                            "\"options\":[{\"id\":\"std\",\"name\":\"Std\",\"price_cents\":1,"
                            "\"currency\":\"USD\"}]}"),
                     KIOSK_OK);
    assert_string_equal(payload()->shipping.member, "");
    assert_int_equal(payload()->shipping.free_from_cents, -1);
    assert_true(payload()->shipping.options[0].needs_address);
    assert_int_equal(decode(CENTRAL_SHIPPING, "{\"store\":\"s1\",\"options\":[]}"), KIOSK_OK);
    assert_int_equal(payload()->shipping.free_from_cents, -1);
    assert_int_equal(payload()->shipping.count, 0);
}

static void test_shipping_truncated_and_limits(void **state)
{
    (void)state;
    assert_cuts_fail(CENTRAL_SHIPPING, SHIPPING);
    /* more options than CENTRAL_SHIPPING_MAX: the first are kept */
    char buf[4096];
    size_t n = (size_t)snprintf(buf, sizeof buf, "{\"store\":\"s1\",\"options\":[");
    for (int i = 0; i < CENTRAL_SHIPPING_MAX + 3; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n,
                              "%s{\"id\":\"o%d\",\"name\":\"O\",\"price_cents\":%d,\"currency\":"
                              "\"USD\"}",
                              i ? "," : "", i, i);
    snprintf(buf + n, sizeof buf - n, "]}");
    assert_true(n < sizeof buf - 8);
    assert_int_equal(decode(CENTRAL_SHIPPING, buf), KIOSK_OK);
    assert_int_equal(payload()->shipping.count, CENTRAL_SHIPPING_MAX);
    assert_true(payload()->shipping.truncated);
    assert_string_equal(payload()->shipping.options[CENTRAL_SHIPPING_MAX - 1].id, "o7");
}

static void test_shipping_hostile(void **state)
{
    (void)state;
#define OPT_OK "\"id\":\"std\",\"name\":\"Std\",\"currency\":\"USD\""
    static const char *const bad[] = {
        "{\"options\":[]}",                               /* no store */
        "{\"store\":\"s1\"}",                             /* no options */
        "{\"store\":\"s1\",\"options\":{}}",              /* options not a list */
        "{\"store\":\"s1\",\"options\":[7]}",             /* an option not an object */
        "{\"store\":\"../x\",\"options\":[]}",            /* store not an identifier */
        "{\"store\":\"s1\",\"member\":7,\"options\":[]}", /* member a number */
        "{\"store\":\"s1\",\"free_from_cents\":\"75\",\"options\":[]}",
        "{\"store\":\"s1\",\"free_from_cents\":-5,\"options\":[]}",
        "{\"store\":\"s1\",\"free_from_cents\":75.5,\"options\":[]}",
        "{\"store\":\"s1\",\"options\":[{" OPT_OK ",\"price_cents\":\"695\"}]}",
        "{\"store\":\"s1\",\"options\":[{" OPT_OK ",\"price_cents\":-1}]}",
        "{\"store\":\"s1\",\"options\":[{" OPT_OK ",\"price_cents\":1e300}]}",
        "{\"store\":\"s1\",\"options\":[{" OPT_OK ",\"price_cents\":99999999999999999999}]}",
        "{\"store\":\"s1\",\"options\":[{" OPT_OK "}]}", /* no price */
        "{\"store\":\"s1\",\"options\":[{" OPT_OK ",\"price_cents\":1,\"needs_address\":\"yes\"}]}",
        "{\"store\":\"s1\",\"options\":[{" OPT_OK ",\"price_cents\":1,\"delivery_estimate\":7}]}",
        "{\"store\":\"s1\",\"options\":[{\"id\":\"a b\",\"name\":\"S\",\"currency\":\"USD\","
        "\"price_cents\":1}]}",
        "{\"store\":\"s1\",\"options\":[{\"id\":\"std\",\"name\":\"S\\u0007\",\"currency\":\"USD\","
        "\"price_cents\":1}]}",
        "{\"store\":\"s1\",\"options\":[{\"id\":\"std\",\"name\":\"\",\"currency\":\"USD\","
        "\"price_cents\":1}]}",
        "{\"store\":\"s1\",\"options\":[{\"id\":\"std\",\"name\":\"S\",\"currency\":"
        "\"USDUSDUSDUSDUSDUSD\",\"price_cents\":1}]}",
        "{\"store\":\"s1\",\"store\":\"s2\",\"options\":[]}",
    };
#undef OPT_OK
    assert_all_fail(CENTRAL_SHIPPING, bad, sizeof bad / sizeof bad[0]);
}

static const char STOCK_DELTA[] =
    "{\"stock\":[{\"variant\":\"V00001\",\"store\":\"sea-ballard\",\"qty\":2,"
    "\"updated_at\":\"2026-11-23T10:41:19Z\"},{\"variant\":\"V00002\",\"store\":\"online\","
    "\"qty\":0,\"updated_at\":null,\"age_seconds\":7}],\"next_cursor\":\"12345\","
    "\"has_more\":true,\"server_time\":\"2026-11-23T11:20:36Z\"}";

static void test_stock_delta_good(void **state)
{
    (void)state;
    assert_int_equal(decode(CENTRAL_STOCK_DELTA, STOCK_DELTA), KIOSK_OK);
    const CentralStockDelta *d = &payload()->stock_delta;
    assert_int_equal(d->count, 2);
    assert_string_equal(d->rows[0].variant, "V00001");
    assert_string_equal(d->rows[0].store, "sea-ballard");
    assert_int_equal(d->rows[0].qty, 2);
    assert_string_equal(d->rows[0].updated_at, "2026-11-23T10:41:19Z");
    assert_string_equal(d->rows[1].store, "online");
    assert_int_equal(d->rows[1].qty, 0);
    assert_string_equal(d->rows[1].updated_at, "");
    assert_string_equal(d->next_cursor, "12345");
    assert_true(d->has_more);
    assert_string_equal(d->server_time, "2026-11-23T11:20:36Z");
    /* nothing new */
    assert_int_equal(
        decode(CENTRAL_STOCK_DELTA, "{\"stock\":[],\"next_cursor\":\"9\",\"has_more\":false}"),
        KIOSK_OK);
    assert_int_equal(payload()->stock_delta.count, 0);
    assert_false(payload()->stock_delta.has_more);
    assert_cuts_fail(CENTRAL_STOCK_DELTA, STOCK_DELTA);
}

/* A page of rows figures: fine up to CENTRAL_STOCK_DELTA_MAX, refused beyond (not cut). */
static char *stock_page(int rows)
{
    size_t cap = (size_t)rows * 128 + 128, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    n += (size_t)snprintf(buf + n, cap - n, "{\"stock\":[");
    for (int i = 0; i < rows; i++)
        n += (size_t)snprintf(buf + n, cap - n,
                              "%s{\"variant\":\"V%05d\",\"store\":\"sea-ballard\",\"qty\":%d,"
                              "\"updated_at\":\"2026-11-23T10:41:19Z\"}",
                              i ? "," : "", i, i % 100);
    snprintf(buf + n, cap - n, "],\"next_cursor\":\"77\",\"has_more\":true}");
    return buf;
}

static void test_stock_delta_limits(void **state)
{
    (void)state;
    char *full = stock_page(CENTRAL_STOCK_DELTA_MAX),
         *over = stock_page(CENTRAL_STOCK_DELTA_MAX + 1);
    assert_true(strlen(full) < CENTRAL_BODY_MAX);
    assert_int_equal(decode(CENTRAL_STOCK_DELTA, full), KIOSK_OK);
    assert_int_equal(payload()->stock_delta.count, CENTRAL_STOCK_DELTA_MAX);
    assert_string_equal(payload()->stock_delta.rows[CENTRAL_STOCK_DELTA_MAX - 1].variant, "V00999");
    assert_int_equal(decode(CENTRAL_STOCK_DELTA, over), KIOSK_E_INVALID);
    assert_int_equal(payload()->stock_delta.count, 0);
    free(full);
    free(over);
}

static void test_stock_delta_hostile(void **state)
{
    (void)state;
#define ROW(q) "{\"stock\":[{\"variant\":\"V1\",\"store\":\"s1\",\"qty\":" q "}],"
    static const char *const bad[] = {
        "{\"stock\":[],\"has_more\":false}",                         /* no cursor */
        "{\"stock\":[],\"next_cursor\":\"\",\"has_more\":false}",    /* empty cursor */
        "{\"stock\":[],\"next_cursor\":\"a b\",\"has_more\":false}", /* a space in it */
        "{\"stock\":[],\"next_cursor\":\"a\\nb\",\"has_more\":false}",
        "{\"stock\":[],\"next_cursor\":12345,\"has_more\":false}",
        "{\"stock\":[],\"next_cursor\":\"1\"}", /* no has_more */
        "{\"stock\":[],\"next_cursor\":\"1\",\"has_more\":\"true\"}",
        "{\"next_cursor\":\"1\",\"has_more\":false}", /* no rows */
        "{\"stock\":{},\"next_cursor\":\"1\",\"has_more\":false}",
        "{\"stock\":[null],\"next_cursor\":\"1\",\"has_more\":false}",
        ROW("-1") "\"next_cursor\":\"1\",\"has_more\":false}",
        ROW("2.5") "\"next_cursor\":\"1\",\"has_more\":false}",
        ROW("\"2\"") "\"next_cursor\":\"1\",\"has_more\":false}",
        ROW("4294967298") "\"next_cursor\":\"1\",\"has_more\":false}",
        ROW("null") "\"next_cursor\":\"1\",\"has_more\":false}",
        "{\"stock\":[{\"variant\":\"V1/../x\",\"store\":\"s1\",\"qty\":1}],\"next_cursor\":\"1\","
        "\"has_more\":false}",
        "{\"stock\":[{\"store\":\"s1\",\"qty\":1}],\"next_cursor\":\"1\",\"has_more\":false}",
        "{\"stock\":[{\"variant\":\"V1\",\"qty\":1}],\"next_cursor\":\"1\",\"has_more\":false}",
        "{\"stock\":[{\"variant\":\"V1\",\"store\":\"s1\",\"qty\":1,\"updated_at\":5}],"
        "\"next_cursor\":\"1\",\"has_more\":false}",
        "{\"stock\":[],\"next_cursor\":\"11111111111111111111111111111111111111111111111111111111"
        "111111111\",\"has_more\":false}", /* 65 characters */
    };
#undef ROW
    assert_all_fail(CENTRAL_STOCK_DELTA, bad, sizeof bad / sizeof bad[0]);
}

static const char HANDOFF[] =
    "{\"code\":\"H7KX2PQ9\",\"url\":\"https://central.example/h/H7KX2PQ9\","
    "\"expires_at\":\"2026-11-23T11:30:00Z\",\"store\":\"sea-ballard\"}";

static void test_handoff(void **state)
{
    (void)state;
    assert_int_equal(decode(CENTRAL_HANDOFF, HANDOFF), KIOSK_OK);
    assert_string_equal(payload()->handoff.code, "H7KX2PQ9");
    assert_string_equal(payload()->handoff.url, "https://central.example/h/H7KX2PQ9");
    assert_string_equal(payload()->handoff.expires_at, "2026-11-23T11:30:00Z");
    assert_int_equal(decode(CENTRAL_HANDOFF, "{\"code\":\"A\",\"url\":\"u\",\"expires_at\":null}"),
                     KIOSK_OK);
    assert_string_equal(payload()->handoff.expires_at, "");
    assert_cuts_fail(CENTRAL_HANDOFF, HANDOFF);

    char url[CENTRAL_URL_MAX + 2], buf[CENTRAL_URL_MAX + 128];
    memset(url, 'u', sizeof url - 1);
    url[sizeof url - 1] = '\0';
    snprintf(buf, sizeof buf, "{\"code\":\"A\",\"url\":\"%s\"}", url);
    assert_int_equal(decode(CENTRAL_HANDOFF, buf), KIOSK_E_INVALID); /* one over the limit */
    url[CENTRAL_URL_MAX] = '\0';
    snprintf(buf, sizeof buf, "{\"code\":\"A\",\"url\":\"%s\"}", url);
    assert_int_equal(decode(CENTRAL_HANDOFF, buf), KIOSK_OK);

    static const char *const bad[] = {
        "{\"url\":\"u\"}",
        "{\"code\":\"A\"}",
        "{\"code\":\"A\",\"url\":\"\"}",
        "{\"code\":\"\",\"url\":\"u\"}",
        "{\"code\":\"H7 KX\",\"url\":\"u\"}",
        "{\"code\":7,\"url\":\"u\"}",
        "{\"code\":\"A\",\"url\":[\"u\"]}",
        "{\"code\":\"A\",\"url\":\"https://x/\\u0000evil\"}",
        "{\"code\":\"A\",\"url\":\"u\",\"expires_at\":1}",
        "{\"code\":\"A\",\"code\":\"B\",\"url\":\"u\"}",
    };
    assert_all_fail(CENTRAL_HANDOFF, bad, sizeof bad / sizeof bad[0]);
}

#define PRODUCT_HEAD                                                                               \
    "{\"id\":\"P0001\",\"name\":\"Puget Racer\",\"price_cents\":15899,\"currency\":\"USD\","       \
    "\"active\":true,\"variants\":[{\"id\":\"V00001\",\"price_cents\":15899}]"

static void test_product_form(void **state)
{
    (void)state;
    /* an older service: neither popularity nor related */
    assert_int_equal(decode(CENTRAL_PRODUCT, PRODUCT_HEAD "}"), KIOSK_OK);
    const CentralProduct *p = &payload()->product;
    assert_string_equal(p->id, "P0001");
    assert_int_equal(p->variant_count, 1);
    assert_int_equal(p->popularity, 0);
    assert_int_equal(p->related_count, 0);
    assert_int_equal(decode(CENTRAL_PRODUCT, PRODUCT_HEAD ",\"popularity\":null,\"related\":null}"),
                     KIOSK_OK);

    static const char full[] = PRODUCT_HEAD
        ",\"popularity\":412,\"related\":[{\"id\":\"P0005\",\"score\":0.42},{\"id\":\"P0009\","
        "\"score\":0}]}";
    assert_int_equal(decode(CENTRAL_PRODUCT, full), KIOSK_OK);
    assert_int_equal(p->popularity, 412);
    assert_int_equal(p->related_count, 2);
    assert_false(p->related_truncated);
    assert_string_equal(p->related[0].id, "P0005");
    assert_true(p->related[0].score > 0.419 && p->related[0].score < 0.421);
    assert_cuts_fail(CENTRAL_PRODUCT, full);

    /* the same fields inside a catalog page */
    char buf[4096];
    snprintf(buf, sizeof buf, "{\"products\":[%s],\"next_cursor\":\"1\",\"has_more\":false}", full);
    assert_int_equal(decode(CENTRAL_CATALOG, buf), KIOSK_OK);
    assert_int_equal(payload()->catalog.products[0].related_count, 2);
    assert_int_equal(payload()->catalog.products[0].popularity, 412);

    /* more related than CENTRAL_RELATED_MAX: the first are kept */
    size_t n = (size_t)snprintf(buf, sizeof buf, PRODUCT_HEAD ",\"related\":[");
    for (int i = 0; i < CENTRAL_RELATED_MAX + 4; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s{\"id\":\"P%04d\",\"score\":0.%d}",
                              i ? "," : "", i, i);
    snprintf(buf + n, sizeof buf - n, "]}");
    assert_int_equal(decode(CENTRAL_PRODUCT, buf), KIOSK_OK);
    assert_int_equal(payload()->product.related_count, CENTRAL_RELATED_MAX);
    assert_true(payload()->product.related_truncated);
    assert_string_equal(payload()->product.related[CENTRAL_RELATED_MAX - 1].id, "P0007");
}

static void test_product_hostile(void **state)
{
    (void)state;
    static const char *const bad[] = {
        PRODUCT_HEAD ",\"popularity\":-1}",
        PRODUCT_HEAD ",\"popularity\":1.5}",
        PRODUCT_HEAD ",\"popularity\":\"7\"}",
        PRODUCT_HEAD ",\"popularity\":99999999999999999999}",
        PRODUCT_HEAD ",\"related\":{}}",
        PRODUCT_HEAD ",\"related\":[\"P0005\"]}",
        PRODUCT_HEAD ",\"related\":[{\"score\":0.4}]}",
        PRODUCT_HEAD ",\"related\":[{\"id\":\"P0005\"}]}",
        PRODUCT_HEAD ",\"related\":[{\"id\":\"P0005\",\"score\":\"0.4\"}]}",
        PRODUCT_HEAD ",\"related\":[{\"id\":\"P0005\",\"score\":-0.1}]}",
        PRODUCT_HEAD ",\"related\":[{\"id\":\"P0005\",\"score\":1e400}]}",
        PRODUCT_HEAD ",\"related\":[{\"id\":\"../P5\",\"score\":0.1}]}",
        "{\"id\":\"P0001\",\"name\":\"N\",\"price_cents\":1,\"currency\":\"USD\",\"active\":true}",
        "{\"id\":\"P 1\",\"name\":\"N\",\"price_cents\":1,\"currency\":\"USD\",\"active\":true,"
        "\"variants\":[]}",
        "{\"products\":[]}",
    };
    assert_all_fail(CENTRAL_PRODUCT, bad, sizeof bad / sizeof bad[0]);
}

static void test_image_blob(void **state)
{
    (void)state;
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
    CentralBlob b;
    assert_int_equal(central_decode_blob("image/png", png, sizeof png, &b), KIOSK_OK);
    assert_ptr_equal(b.data, png); /* borrowed, not copied */
    assert_int_equal(b.len, sizeof png);
    assert_string_equal(b.content_type, "image/png");
    assert_int_equal(central_decode_blob("IMAGE/PNG; x=1", png, sizeof png, &b), KIOSK_OK);
    assert_int_equal(central_decode_blob("image/png", png, 8, &b), KIOSK_OK);

    /* not PNG, not declared as PNG, empty, no type */
    static const char *const types[] = {"application/json",     "image/pngx", "image/jpeg", "",
                                        "text/html; image/png", "image/png\n"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        assert_int_equal(central_decode_blob(types[i], png, sizeof png, &b), KIOSK_E_INVALID);
        assert_null(b.data);
        assert_int_equal(b.len, 0);
    }
    assert_int_equal(central_decode_blob(NULL, png, sizeof png, &b), KIOSK_E_INVALID);
    assert_int_equal(central_decode_blob("image/png", png, 7, &b), KIOSK_E_INVALID);
    assert_int_equal(central_decode_blob("image/png", png, 0, &b), KIOSK_E_INVALID);
    assert_int_equal(central_decode_blob("image/png", NULL, 0, &b), KIOSK_E_INVALID);
    const unsigned char json[] = "{\"error\":{\"code\":\"image_not_found\"}}";
    assert_int_equal(central_decode_blob("image/png", json, sizeof json - 1, &b), KIOSK_E_INVALID);
    char longtype[CENTRAL_CONTENT_TYPE_MAX + 16];
    snprintf(longtype, sizeof longtype, "image/png; %0*d", CENTRAL_CONTENT_TYPE_MAX, 0);
    assert_int_equal(central_decode_blob(longtype, png, sizeof png, &b), KIOSK_E_INVALID);

    /* at the size limit, and one byte over */
    unsigned char *big = calloc(1, CENTRAL_IMAGE_MAX + 1);
    assert_non_null(big);
    memcpy(big, png, sizeof png);
    assert_int_equal(central_decode_blob("image/png", big, CENTRAL_IMAGE_MAX, &b), KIOSK_OK);
    assert_int_equal(central_decode_blob("image/png", big, CENTRAL_IMAGE_MAX + 1, &b),
                     KIOSK_E_TOOBIG);
    assert_null(b.data);
    free(big);

    /* an image is not JSON: the JSON decoder never accepts the kind */
    assert_int_equal(central_decode(CENTRAL_IMAGE, (const char *)png, sizeof png, payload()),
                     KIOSK_E_INVALID);
    assert_int_equal(decode(CENTRAL_IMAGE, "{}"), KIOSK_E_INVALID);
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
        CentralKind kind = (CentralKind)(buf[0] - '0');
        CentralBlob blob;
        KioskErr err =
            kind == CENTRAL_IMAGE
                ? central_decode_blob("image/png", (const unsigned char *)buf + 1, n - 1, &blob)
                : central_decode(kind, buf + 1, n - 1, payload());
        bool bad = strcmp(e->d_name, "error.bin") == 0 || strcmp(e->d_name, "deep.bin") == 0;
        if ((err == KIOSK_OK) == bad)
            fail_msg("%s: %s", e->d_name, kerr_name(err));
        seen++;
    }
    closedir(d);
    assert_true(seen >= 18);
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
        cmocka_unit_test(test_shipping_good),
        cmocka_unit_test(test_shipping_truncated_and_limits),
        cmocka_unit_test(test_shipping_hostile),
        cmocka_unit_test(test_stock_delta_good),
        cmocka_unit_test(test_stock_delta_limits),
        cmocka_unit_test(test_stock_delta_hostile),
        cmocka_unit_test(test_handoff),
        cmocka_unit_test(test_product_form),
        cmocka_unit_test(test_product_hostile),
        cmocka_unit_test(test_image_blob),
        cmocka_unit_test(test_error_body),
        cmocka_unit_test(test_every_kind_on_garbage),
        cmocka_unit_test(test_is_id),
        cmocka_unit_test(test_fuzz_seeds_decode),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(payload());
    return rc;
}
