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

/* ---- associate mode and the mirror: staff, a member's history, notes, preferences -------- */

static const char STAFF[] = "{\"id\":\"S1001\",\"name\":\"Alex Rivera\",\"first_name\":\"Alex\","
                            "\"role\":\"staff\",\"store\":{\"id\":\"sea-capitol-hill\","
                            "\"name\":\"Capitol Hill\"},\"future\":[1]}";

static void test_staff_identify(void **state)
{
    (void)state;
    assert_int_equal(decode(CENTRAL_STAFF_IDENTIFY, STAFF), KIOSK_OK);
    const CentralStaff *st = &payload()->staff;
    assert_string_equal(st->id, "S1001");
    assert_string_equal(st->name, "Alex Rivera");
    assert_string_equal(st->first_name, "Alex");
    assert_string_equal(st->role, "staff");
    assert_string_equal(st->store, "sea-capitol-hill");
    assert_string_equal(st->store_name, "Capitol Hill");
    assert_cuts_fail(CENTRAL_STAFF_IDENTIFY, STAFF);

    /* a technician without a home store, and a store without its name */
    assert_int_equal(decode(CENTRAL_STAFF_IDENTIFY, "{\"id\":\"T9001\",\"name\":\"Sam Ortiz\","
                                                    "\"role\":\"technician\",\"store\":null}"),
                     KIOSK_OK);
    assert_string_equal(payload()->staff.role, "technician");
    assert_string_equal(payload()->staff.store, "");
    assert_string_equal(payload()->staff.first_name, "");
    assert_int_equal(decode(CENTRAL_STAFF_IDENTIFY, "{\"id\":\"S1\",\"name\":\"A\",\"role\":"
                                                    "\"staff\",\"store\":{\"id\":\"s1\"}}"),
                     KIOSK_OK);
    assert_string_equal(payload()->staff.store, "s1");
    assert_string_equal(payload()->staff.store_name, "");

    /* no name, or an empty one: nobody to show on the device and on notes */
    assert_int_equal(decode(CENTRAL_STAFF_IDENTIFY, "{\"id\":\"S1001\",\"role\":\"staff\"}"),
                     KIOSK_E_INVALID);
    assert_string_equal(payload()->staff.id, ""); /* nothing left behind */
    assert_int_equal(
        decode(CENTRAL_STAFF_IDENTIFY, "{\"id\":\"S1001\",\"name\":\"\",\"role\":\"staff\"}"),
        KIOSK_E_INVALID);
    assert_int_equal(
        decode(CENTRAL_STAFF_IDENTIFY, "{\"id\":\"S1001\",\"name\":null,\"role\":\"staff\"}"),
        KIOSK_E_INVALID);

    static const char *const bad[] = {
        "{\"name\":\"A\",\"role\":\"staff\"}",                 /* no id */
        "{\"id\":\"S1\",\"name\":\"A\"}",                      /* no role */
        "{\"id\":1001,\"name\":\"A\",\"role\":\"staff\"}",     /* id a number */
        "{\"id\":\"S 1\",\"name\":\"A\",\"role\":\"staff\"}",  /* id not an identifier */
        "{\"id\":\"S1\",\"name\":7,\"role\":\"staff\"}",       /* name a number */
        "{\"id\":\"S1\",\"name\":[\"A\"],\"role\":\"staff\"}", /* name a list */
        "{\"id\":\"S1\",\"name\":\"A\",\"role\":true}",        /* role a boolean */
        "{\"id\":\"S1\",\"name\":\"A\",\"role\":\"staffstaffstaffstaff\"}", /* over 16 */
        "{\"id\":\"S1\",\"name\":\"A\",\"role\":\"staff\",\"first_name\":{}}",
        "{\"id\":\"S1\",\"name\":\"A\",\"role\":\"staff\",\"store\":\"sea-ballard\"}",
        "{\"id\":\"S1\",\"name\":\"A\",\"role\":\"staff\",\"store\":{\"name\":\"B\"}}",
        "{\"id\":\"S1\",\"name\":\"A\",\"role\":\"staff\",\"store\":{\"id\":5}}",
        "{\"id\":\"S1\",\"name\":\"A\",\"role\":\"staff\",\"store\":{\"id\":\"s\",\"name\":1}}",
        "{\"id\":\"S1\",\"name\":\"A\\u0007\",\"role\":\"staff\"}",
        "{\"id\":\"S1\",\"name\":\"A\",\"name\":\"B\",\"role\":\"staff\"}",
        "[\"S1\"]",
    };
    assert_all_fail(CENTRAL_STAFF_IDENTIFY, bad, sizeof bad / sizeof bad[0]);
}

static const char HISTORY[] =
    "{\"member\":\"M10001\",\"orders\":["
    "{\"id\":\"O000012\",\"number\":\"K-100412\",\"channel\":\"store\",\"store\":\"sea-ballard\","
    "\"created_at\":\"2026-10-01T10:00:00Z\",\"totals\":{\"total_cents\":21798,\"currency\":"
    "\"USD\",\"tax_cents\":1800},\"items\":["
    "{\"line\":1,\"variant\":\"V00001\",\"product_id\":\"P0001\",\"name\":\"Puget Racer\","
    "\"size\":\"11\",\"colour\":\"Light Wash\",\"qty\":1,\"returned\":true,"
    "\"return_reason\":\"Ran small: swapped for an 11.5\"},"
    "{\"line\":2,\"variant\":\"V08385\",\"product_id\":\"P0519\",\"name\":\"Harbor Tight\","
    "\"qty\":2,\"returned\":false,\"return_reason\":null}]},"
    "{\"id\":\"O000006\",\"channel\":\"web\",\"items\":[{\"name\":\"Merino Sock\",\"qty\":3}]}]}";

static void test_member_orders_good(void **state)
{
    (void)state;
    assert_int_equal(decode(CENTRAL_MEMBER_ORDERS, HISTORY), KIOSK_OK);
    const CentralHistory *h = &payload()->history;
    assert_string_equal(h->member, "M10001");
    assert_int_equal(h->count, 2);
    assert_false(h->truncated);
    const CentralHistoryOrder *o = &h->orders[0];
    assert_string_equal(o->id, "O000012");
    assert_string_equal(o->number, "K-100412");
    assert_string_equal(o->channel, "store");
    assert_string_equal(o->store, "sea-ballard");
    assert_int_equal(o->total_cents, 21798);
    assert_string_equal(o->currency, "USD");
    assert_int_equal(o->line_count, 2);
    assert_false(o->lines_truncated);
    assert_true(o->lines[0].returned);
    assert_string_equal(o->lines[0].return_reason, "Ran small: swapped for an 11.5");
    assert_string_equal(o->lines[0].product_id, "P0001");
    assert_string_equal(o->lines[0].size, "11");
    assert_string_equal(o->lines[0].colour, "Light Wash");
    assert_false(o->lines[1].returned);
    assert_string_equal(o->lines[1].return_reason, "");
    assert_int_equal(o->lines[1].qty, 2);
    /* the older order: no number, no totals */
    assert_string_equal(h->orders[1].id, "O000006");
    assert_string_equal(h->orders[1].number, "");
    assert_int_equal(h->orders[1].total_cents, 0);
    assert_int_equal(h->orders[1].line_count, 1);
    assert_string_equal(h->orders[1].lines[0].name, "Merino Sock");
    assert_cuts_fail(CENTRAL_MEMBER_ORDERS, HISTORY);

    /* a member who never ordered */
    assert_int_equal(decode(CENTRAL_MEMBER_ORDERS, "{\"member\":\"M1\",\"orders\":[]}"), KIOSK_OK);
    assert_int_equal(payload()->history.count, 0);
    assert_false(payload()->history.truncated);
}

static void test_member_orders_limits(void **state)
{
    (void)state;
    char buf[8192];
    /* more orders than CENTRAL_HISTORY_MAX: the newest (first) are kept */
    size_t n = (size_t)snprintf(buf, sizeof buf, "{\"orders\":[");
    for (int i = 0; i < CENTRAL_HISTORY_MAX + 3; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n,
                              "%s{\"id\":\"O%03d\",\"items\":[{\"name\":\"N\",\"qty\":1}]}",
                              i ? "," : "", i);
    snprintf(buf + n, sizeof buf - n, "]}");
    assert_true(n < sizeof buf - 8);
    assert_int_equal(decode(CENTRAL_MEMBER_ORDERS, buf), KIOSK_OK);
    assert_int_equal(payload()->history.count, CENTRAL_HISTORY_MAX);
    assert_true(payload()->history.truncated);
    assert_string_equal(payload()->history.orders[0].id, "O000");
    assert_string_equal(payload()->history.orders[CENTRAL_HISTORY_MAX - 1].id, "O011");

    /* exactly CENTRAL_HISTORY_MAX: not truncated */
    n = (size_t)snprintf(buf, sizeof buf, "{\"orders\":[");
    for (int i = 0; i < CENTRAL_HISTORY_MAX; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n,
                              "%s{\"id\":\"O%03d\",\"items\":[{\"name\":\"N\",\"qty\":1}]}",
                              i ? "," : "", i);
    snprintf(buf + n, sizeof buf - n, "]}");
    assert_int_equal(decode(CENTRAL_MEMBER_ORDERS, buf), KIOSK_OK);
    assert_int_equal(payload()->history.count, CENTRAL_HISTORY_MAX);
    assert_false(payload()->history.truncated);

    /* more lines than CENTRAL_HISTORY_LINES_MAX in one order: the first are kept */
    n = (size_t)snprintf(buf, sizeof buf, "{\"orders\":[{\"id\":\"O1\",\"items\":[");
    for (int i = 0; i < CENTRAL_HISTORY_LINES_MAX + 2; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s{\"name\":\"L%d\",\"qty\":1}",
                              i ? "," : "", i);
    snprintf(buf + n, sizeof buf - n, "]}]}");
    assert_int_equal(decode(CENTRAL_MEMBER_ORDERS, buf), KIOSK_OK);
    const CentralHistoryOrder *o = &payload()->history.orders[0];
    assert_int_equal(payload()->history.count, 1);
    assert_false(payload()->history.truncated);
    assert_int_equal(o->line_count, CENTRAL_HISTORY_LINES_MAX);
    assert_true(o->lines_truncated);
    assert_string_equal(o->lines[CENTRAL_HISTORY_LINES_MAX - 1].name, "L5");

    /* a return reason at its limit, and one byte over */
    char reason[CENTRAL_TEXT_MAX + 2];
    memset(reason, 'r', sizeof reason - 1);
    reason[sizeof reason - 1] = '\0';
    snprintf(buf, sizeof buf,
             "{\"orders\":[{\"id\":\"O1\",\"items\":[{\"name\":\"N\",\"qty\":1,\"returned\":true,"
             "\"return_reason\":\"%s\"}]}]}",
             reason);
    assert_int_equal(decode(CENTRAL_MEMBER_ORDERS, buf), KIOSK_E_INVALID);
    reason[CENTRAL_TEXT_MAX] = '\0';
    snprintf(buf, sizeof buf,
             "{\"orders\":[{\"id\":\"O1\",\"items\":[{\"name\":\"N\",\"qty\":1,\"returned\":true,"
             "\"return_reason\":\"%s\"}]}]}",
             reason);
    assert_int_equal(decode(CENTRAL_MEMBER_ORDERS, buf), KIOSK_OK);
    assert_int_equal(strlen(payload()->history.orders[0].lines[0].return_reason), CENTRAL_TEXT_MAX);
}

static void test_member_orders_hostile(void **state)
{
    (void)state;
#define LINE_OK "{\"name\":\"N\",\"qty\":1}"
    static const char *const bad[] = {
        "{\"member\":\"M1\"}",                         /* no orders */
        "{\"orders\":{}}",                             /* not a list */
        "{\"orders\":[7]}",                            /* an order not an object */
        "{\"orders\":[{\"items\":[" LINE_OK "]}]}",    /* an order without its id */
        "{\"orders\":[{\"id\":\"O1\"}]}",              /* an order without items */
        "{\"orders\":[{\"id\":\"O1\",\"items\":{}}]}", /* items not a list */
        "{\"orders\":[{\"id\":\"O1\",\"items\":[null]}]}",
        "{\"orders\":[{\"id\":\"O/1\",\"items\":[]}]}",
        "{\"member\":\"M 1\",\"orders\":[]}",
        "{\"orders\":[{\"id\":\"O1\",\"items\":[{\"qty\":1}]}]}",      /* no name */
        "{\"orders\":[{\"id\":\"O1\",\"items\":[{\"name\":\"N\"}]}]}", /* no qty */
        "{\"orders\":[{\"id\":\"O1\",\"items\":[{\"name\":\"N\",\"qty\":0}]}]}",
        "{\"orders\":[{\"id\":\"O1\",\"items\":[{\"name\":\"N\",\"qty\":\"1\"}]}]}",
        "{\"orders\":[{\"id\":\"O1\",\"items\":[{\"name\":\"N\",\"qty\":1,\"returned\":\"yes\"}]}]"
        "}",
        "{\"orders\":[{\"id\":\"O1\",\"items\":[{\"name\":\"N\",\"qty\":1,\"returned\":true,"
        "\"return_reason\":\"too\\nsmall\"}]}]}", /* a control character in the reason */
        "{\"orders\":[{\"id\":\"O1\",\"items\":[{\"name\":\"N\",\"qty\":1,\"returned\":true,"
        "\"return_reason\":\"too\\u0000small\"}]}]}",
        "{\"orders\":[{\"id\":\"O1\",\"items\":[{\"name\":\"N\",\"qty\":1,\"returned\":true,"
        "\"return_reason\":\"\\u007f\"}]}]}",
        "{\"orders\":[{\"id\":\"O1\",\"items\":[{\"name\":\"N\",\"qty\":1,\"returned\":true,"
        "\"return_reason\":5}]}]}",
        "{\"orders\":[{\"id\":\"O1\",\"totals\":7,\"items\":[]}]}",
        "{\"orders\":[{\"id\":\"O1\",\"totals\":{\"total_cents\":-1},\"items\":[]}]}",
        "{\"orders\":[{\"id\":\"O1\",\"totals\":{\"total_cents\":1.5},\"items\":[]}]}",
        "{\"orders\":[{\"id\":\"O1\",\"channel\":[],\"items\":[]}]}",
    };
#undef LINE_OK
    assert_all_fail(CENTRAL_MEMBER_ORDERS, bad, sizeof bad / sizeof bad[0]);
}

static const char NOTES[] =
    "{\"member\":\"M10001\",\"notes\":["
    "{\"id\":\"N000005\",\"text\":\"Training for a spring half marathon.\",\"associate\":{\"id\":"
    "\"S1003\",\"name\":\"Marcus Lee\"},\"store\":\"sea-ballard\",\"created_at\":"
    "\"2026-11-11T10:19:09Z\"},"
    "{\"id\":\"N000001\",\"text\":\"Size up in knits.\",\"associate\":{\"id\":\"S1001\","
    "\"name\":\"Alex Rivera\"},\"store\":\"sea-capitol-hill\",\"created_at\":"
    "\"2026-08-19T10:19:09Z\"}]}";

static void test_notes_good(void **state)
{
    (void)state;
    assert_int_equal(decode(CENTRAL_NOTES, NOTES), KIOSK_OK);
    const CentralNotes *n = &payload()->notes;
    assert_string_equal(n->member, "M10001");
    assert_int_equal(n->count, 2);
    assert_false(n->truncated);
    /* newest first, as the service lists them: the order is kept */
    assert_string_equal(n->notes[0].id, "N000005");
    assert_string_equal(n->notes[0].text, "Training for a spring half marathon.");
    assert_string_equal(n->notes[0].associate, "S1003");
    assert_string_equal(n->notes[0].associate_name, "Marcus Lee");
    assert_string_equal(n->notes[0].store, "sea-ballard");
    assert_string_equal(n->notes[0].created_at, "2026-11-11T10:19:09Z");
    assert_string_equal(n->notes[1].id, "N000001");
    assert_string_equal(n->notes[1].associate_name, "Alex Rivera");
    assert_cuts_fail(CENTRAL_NOTES, NOTES);

    assert_int_equal(decode(CENTRAL_NOTES, "{\"member\":\"M1\",\"notes\":[]}"), KIOSK_OK);
    assert_int_equal(payload()->notes.count, 0);
    /* a note whose author is not named any more */
    assert_int_equal(
        decode(CENTRAL_NOTES, "{\"notes\":[{\"id\":\"N1\",\"text\":\"t\",\"associate\":null}]}"),
        KIOSK_OK);
    assert_string_equal(payload()->notes.notes[0].associate, "");
}

static void test_notes_limits(void **state)
{
    (void)state;
    char buf[8192];
    size_t n = (size_t)snprintf(buf, sizeof buf, "{\"notes\":[");
    for (int i = 0; i < CENTRAL_NOTES_MAX + 4; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s{\"id\":\"N%03d\",\"text\":\"note %d\"}",
                              i ? "," : "", i, i);
    snprintf(buf + n, sizeof buf - n, "]}");
    assert_int_equal(decode(CENTRAL_NOTES, buf), KIOSK_OK);
    assert_int_equal(payload()->notes.count, CENTRAL_NOTES_MAX);
    assert_true(payload()->notes.truncated);
    assert_string_equal(payload()->notes.notes[0].id, "N000");
    assert_string_equal(payload()->notes.notes[CENTRAL_NOTES_MAX - 1].id, "N009");

    /* a note's text: CENTRAL_NOTE_TEXT_MAX bytes (UTF-8 counted in bytes), and one more */
    char text[CENTRAL_NOTE_TEXT_MAX + 2];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    snprintf(buf, sizeof buf, "{\"notes\":[{\"id\":\"N1\",\"text\":\"%s\"}]}", text);
    assert_int_equal(decode(CENTRAL_NOTES, buf), KIOSK_E_INVALID);
    assert_int_equal(payload()->notes.count, 0);
    snprintf(buf, sizeof buf, "{\"id\":\"N1\",\"text\":\"%s\"}", text);
    assert_int_equal(decode(CENTRAL_NOTE_ADD, buf), KIOSK_E_INVALID);
    assert_int_equal(payload()->notes.count, 0);
    text[CENTRAL_NOTE_TEXT_MAX] = '\0';
    snprintf(buf, sizeof buf, "{\"notes\":[{\"id\":\"N1\",\"text\":\"%s\"}]}", text);
    assert_int_equal(decode(CENTRAL_NOTES, buf), KIOSK_OK);
    assert_int_equal(strlen(payload()->notes.notes[0].text), CENTRAL_NOTE_TEXT_MAX);
    /* 279 bytes and a two-byte character: 281 bytes, over the limit */
    text[CENTRAL_NOTE_TEXT_MAX - 1] = '\0';
    snprintf(buf, sizeof buf, "{\"notes\":[{\"id\":\"N1\",\"text\":\"%s\xc3\xa9\"}]}", text);
    assert_int_equal(decode(CENTRAL_NOTES, buf), KIOSK_E_INVALID);

    static const char *const bad[] = {
        "{\"member\":\"M1\"}",
        "{\"notes\":{}}",
        "{\"notes\":[\"hello\"]}",
        "{\"notes\":[{\"text\":\"t\"}]}",
        "{\"notes\":[{\"id\":\"N1\"}]}",
        "{\"notes\":[{\"id\":\"N1\",\"text\":7}]}",
        "{\"notes\":[{\"id\":\"N1\",\"text\":\"a\\tb\"}]}",
        "{\"notes\":[{\"id\":\"N1\",\"text\":\"t\",\"associate\":\"S1001\"}]}",
        "{\"notes\":[{\"id\":\"N1\",\"text\":\"t\",\"associate\":{\"name\":\"A\"}}]}",
        "{\"notes\":[{\"id\":\"N1\",\"text\":\"t\",\"associate\":{\"id\":\"S1\",\"name\":3}}]}",
        "{\"notes\":[{\"id\":\"N1\",\"text\":\"t\",\"store\":\"../x\"}]}",
        "{\"notes\":[{\"id\":\"N1\",\"text\":\"t\",\"created_at\":12}]}",
    };
    assert_all_fail(CENTRAL_NOTES, bad, sizeof bad / sizeof bad[0]);
}

static const char NOTE[] = "{\"id\":\"N000006\",\"text\":\"Prefers a longer hem.\",\"associate\":"
                           "{\"id\":\"S1001\",\"name\":\"Alex Rivera\"},\"store\":"
                           "\"sea-capitol-hill\",\"created_at\":\"2026-11-23T15:19:24Z\"}";

static void test_note_add(void **state)
{
    (void)state;
    assert_int_equal(decode(CENTRAL_NOTE_ADD, NOTE), KIOSK_OK);
    const CentralNotes *n = &payload()->notes;
    assert_int_equal(n->count, 1);
    assert_false(n->truncated);
    assert_string_equal(n->notes[0].id, "N000006");
    assert_string_equal(n->notes[0].text, "Prefers a longer hem.");
    assert_string_equal(n->notes[0].associate, "S1001");
    assert_string_equal(n->notes[0].associate_name, "Alex Rivera");
    assert_string_equal(n->notes[0].store, "sea-capitol-hill");
    assert_string_equal(n->notes[1].id, ""); /* only the one note */
    assert_cuts_fail(CENTRAL_NOTE_ADD, NOTE);
    /* the list form is not a note */
    assert_int_equal(decode(CENTRAL_NOTE_ADD, NOTES), KIOSK_E_INVALID);
    assert_int_equal(payload()->notes.count, 0);
    static const char *const bad[] = {
        "{\"text\":\"t\"}",
        "{\"id\":\"N1\"}",
        "{\"id\":\"N1\",\"text\":\"a\\u001bb\"}",
        "{\"id\":\"N1\",\"text\":[\"t\"]}",
        "{\"id\":\"N1\",\"text\":\"t\",\"associate\":7}",
        "[{\"id\":\"N1\",\"text\":\"t\"}]",
    };
    assert_all_fail(CENTRAL_NOTE_ADD, bad, sizeof bad / sizeof bad[0]);
}

#define MEMBER_HEAD                                                                                \
    "{\"id\":\"M10001\",\"display_name\":\"Harper\",\"language\":\"en\",\"tier\":\"silver\","      \
    "\"points\":773"

static void test_member_preferences(void **state)
{
    (void)state;
    const CentralPreferences *pf = &payload()->member.preferences;
    static const char full[] =
        MEMBER_HEAD ",\"preferences\":{\"fit\":\"slim\",\"colours\":[\"Coral\",\"Heather Grey\"],"
                    "\"styles\":[\"sport\",\"classic\"],\"future\":1}}";
    assert_int_equal(decode(CENTRAL_MEMBER, full), KIOSK_OK);
    assert_string_equal(pf->fit, "slim");
    assert_int_equal(pf->colour_count, 2);
    assert_string_equal(pf->colours[0], "Coral");
    assert_string_equal(pf->colours[1], "Heather Grey");
    assert_int_equal(pf->style_count, 2);
    assert_string_equal(pf->styles[0], "sport");
    assert_string_equal(pf->styles[1], "classic");
    assert_cuts_fail(CENTRAL_MEMBER, full);
    /* the identify reply carries them too */
    assert_int_equal(decode(CENTRAL_IDENTIFY, full), KIOSK_OK);
    assert_string_equal(pf->colours[1], "Heather Grey");

    /* absent, null, or with nothing known: empty */
    static const char *const empty[] = {
        MEMBER_HEAD "}",
        MEMBER_HEAD ",\"preferences\":null}",
        MEMBER_HEAD ",\"preferences\":{}}",
        MEMBER_HEAD ",\"preferences\":{\"fit\":null,\"colours\":[],\"styles\":[]}}",
        MEMBER_HEAD ",\"preferences\":{\"fit\":null,\"colours\":null,\"styles\":null}}",
    };
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        assert_int_equal(decode(CENTRAL_MEMBER, full), KIOSK_OK); /* something to overwrite */
        if (decode(CENTRAL_MEMBER, empty[i]) != KIOSK_OK)
            fail_msg("refused: %s", empty[i]);
        assert_string_equal(pf->fit, "");
        assert_int_equal(pf->colour_count, 0);
        assert_int_equal(pf->style_count, 0);
        assert_string_equal(pf->colours[0], "");
    }

    /* more colours and styles than CENTRAL_PREFS_MAX: the first (favourite) ones are kept */
    assert_int_equal(decode(CENTRAL_MEMBER,
                            MEMBER_HEAD ",\"preferences\":{\"colours\":[\"C0\",\"C1\",\"C2\","
                                        "\"C3\",\"C4\",\"C5\"],\"styles\":[\"s0\",\"s1\",\"s2\","
                                        "\"s3\",\"s4\"]}}"),
                     KIOSK_OK);
    assert_int_equal(pf->colour_count, CENTRAL_PREFS_MAX);
    assert_string_equal(pf->colours[0], "C0");
    assert_string_equal(pf->colours[CENTRAL_PREFS_MAX - 1], "C3");
    assert_int_equal(pf->style_count, CENTRAL_PREFS_MAX);
    assert_string_equal(pf->styles[CENTRAL_PREFS_MAX - 1], "s3");

    /* a colour name at its limit */
    char colour[CENTRAL_COLOUR_MAX + 2], buf[512];
    memset(colour, 'c', sizeof colour - 1);
    colour[sizeof colour - 1] = '\0';
    snprintf(buf, sizeof buf, MEMBER_HEAD ",\"preferences\":{\"colours\":[\"%s\"]}}", colour);
    assert_int_equal(decode(CENTRAL_MEMBER, buf), KIOSK_E_INVALID);
    colour[CENTRAL_COLOUR_MAX] = '\0';
    snprintf(buf, sizeof buf, MEMBER_HEAD ",\"preferences\":{\"colours\":[\"%s\"]}}", colour);
    assert_int_equal(decode(CENTRAL_MEMBER, buf), KIOSK_OK);
    assert_int_equal(strlen(pf->colours[0]), CENTRAL_COLOUR_MAX);

    static const char *const bad[] = {
        MEMBER_HEAD ",\"preferences\":[]}",
        MEMBER_HEAD ",\"preferences\":\"slim\"}",
        MEMBER_HEAD ",\"preferences\":{\"colours\":[\"Navy\",7]}}",
        MEMBER_HEAD ",\"preferences\":{\"colours\":[null]}}",
        MEMBER_HEAD ",\"preferences\":{\"colours\":[[\"Navy\"]]}}",
        MEMBER_HEAD ",\"preferences\":{\"colours\":[{\"name\":\"Navy\"}]}}",
        MEMBER_HEAD ",\"preferences\":{\"colours\":\"Navy\"}}",
        MEMBER_HEAD ",\"preferences\":{\"colours\":[\"Na\\nvy\"]}}",
        MEMBER_HEAD ",\"preferences\":{\"styles\":[true]}}",
        MEMBER_HEAD ",\"preferences\":{\"styles\":[\"outdoor-and-mountain\"]}}", /* over 16 */
        MEMBER_HEAD ",\"preferences\":{\"fit\":3}}",
        MEMBER_HEAD ",\"preferences\":{\"fit\":\"a-very-relaxed-fit\"}}",
    };
    assert_all_fail(CENTRAL_MEMBER, bad, sizeof bad / sizeof bad[0]);
}

#undef MEMBER_HEAD

static const char FITTING[] =
    "{\"id\":\"FR000001\",\"store\":\"sea-ballard\",\"device\":\"D000001\",\"room\":\"Room 2\","
    "\"variant\":{\"id\":\"V00003\",\"product_id\":\"P0001\",\"name\":\"Puget Racer\","
    "\"size\":\"8\",\"colour\":\"Light Wash\"},\"qty_here\":18,\"member\":null,"
    "\"status\":\"on_its_way\",\"associate\":\"S1003\",\"note\":null,"
    "\"created_at\":\"2026-11-23T11:20:37Z\",\"updated_at\":\"2026-11-23T11:22:05Z\"}";

/* GET /v1/fitting-requests/{id} answers in the form of the POST's reply: one decoder. */
static void test_fitting_status(void **state)
{
    (void)state;
    static const CentralKind kinds[] = {CENTRAL_FITTING_REQUEST, CENTRAL_FITTING_STATUS};
    for (size_t k = 0; k < 2; k++) {
        assert_int_equal(decode(kinds[k], FITTING), KIOSK_OK);
        const CentralFitting *f = &payload()->fitting;
        assert_string_equal(f->id, "FR000001");
        assert_string_equal(f->status, "on_its_way");
        assert_string_equal(f->room, "Room 2");
        assert_string_equal(f->variant, "V00003");
        assert_int_equal(f->qty_here, 18);
        assert_cuts_fail(kinds[k], FITTING);
        static const char *const bad[] = {
            "{\"status\":\"requested\",\"room\":\"R\",\"variant\":{\"id\":\"V1\"}}",
            "{\"id\":\"FR1\",\"room\":\"R\",\"variant\":{\"id\":\"V1\"}}",
            "{\"id\":\"FR1\",\"status\":\"requested\",\"variant\":{\"id\":\"V1\"}}",
            "{\"id\":\"FR1\",\"status\":\"requested\",\"room\":\"R\"}",
            "{\"id\":\"FR1\",\"status\":\"requested\",\"room\":\"R\",\"variant\":\"V1\"}",
            "{\"id\":\"FR1\",\"status\":\"requested\",\"room\":\"R\",\"variant\":{}}",
            "{\"id\":\"FR1\",\"status\":7,\"room\":\"R\",\"variant\":{\"id\":\"V1\"}}",
            "{\"id\":\"FR1\",\"status\":\"requested\",\"room\":\"R\",\"variant\":{\"id\":\"V1\"},"
            "\"qty_here\":-1}",
            "{\"id\":\"FR 1\",\"status\":\"requested\",\"room\":\"R\",\"variant\":{\"id\":\"V1\"}}",
            "{\"id\":\"FR1\",\"status\":\"req\\nuested\",\"room\":\"R\",\"variant\":{\"id\":\"V1\"}"
            "}",
        };
        assert_all_fail(kinds[k], bad, sizeof bad / sizeof bad[0]);
    }
}

/* The kinds of associate mode and the mirror's polling have seeds in the fuzz corpus (first
 * byte '0' + kind), so the fuzz run starts from good replies of each. */
static void test_fuzz_seeds_cover_new_kinds(void **state)
{
    (void)state;
    bool seeded[CENTRAL_KIND_COUNT] = {false};
    DIR *d = opendir(CLIENT_CORPUS_DIR);
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char path[1024];
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", CLIENT_CORPUS_DIR, e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        int c = fgetc(f);
        fclose(f);
        if (c >= '0' && c < '0' + CENTRAL_KIND_COUNT)
            seeded[c - '0'] = true;
    }
    closedir(d);
    for (int k = CENTRAL_FITTING_STATUS; k <= CENTRAL_NOTE_ADD; k++) {
        if (!seeded[k])
            fail_msg("no seed for %s ('%c')", central_kind_name((CentralKind)k), '0' + k);
    }
}

/* ---- devices: enrollment, renewal and the heartbeat ------------------------------------- */

#define PEM "-----BEGIN CERTIFICATE-----\\nMIIBszCCAVmgAwIBAgIUQ\\n-----END CERTIFICATE-----\\n"

/* The enrollment reply of docs/api.md, its PIN record's keys out of order and spaced. */
static const char ENROLLMENT[] =
    "{\"device_id\": \"D000001\", \"serial\": \"SN-1\", \"store\": \"sea-ballard\", \"kind\": "
    "\"kiosk\", \"certificate\": \"" PEM "\", \"ca_certificate\": \"" PEM "\", "
    "\"expires_at\": \"2027-02-21T15:46:56Z\", \"config\": {\"heartbeat_seconds\": 60, "
    "\"catalog_sync_seconds\": 900, \"api_version\": \"v1\", \"config_version\": 1, "
    "\"service_pin\": {\"salt\": \"05cc44cf4b87b6282a33032c7553fa44\", \"iterations\": 100000, "
    "\"hash\": \"a46df54b53d0f441e43d258035b6c5a2\", \"algorithm\": \"pbkdf2-sha256\"}}, "
    "\"auth\": \"client_certificate\"}";

static const char PIN_RECORD[] =
    "{\"algorithm\":\"pbkdf2-sha256\",\"hash\":\"a46df54b53d0f441e43d258035b6c5a2\","
    "\"iterations\":100000,\"salt\":\"05cc44cf4b87b6282a33032c7553fa44\"}";

static void test_enroll_good(void **state)
{
    (void)state;
    assert_int_equal(decode(CENTRAL_ENROLL, ENROLLMENT), KIOSK_OK);
    const CentralEnrollment *e = &payload()->enrollment;
    assert_string_equal(e->device_id, "D000001");
    assert_string_equal(e->store, "sea-ballard");
    assert_string_equal(e->kind, "kiosk");
    assert_string_equal(e->expires_at, "2027-02-21T15:46:56Z");
    assert_string_equal(e->certificate,
                        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END "
                        "CERTIFICATE-----\n");
    assert_int_equal(e->heartbeat_seconds, 60);
    /* kept as compact JSON with sorted keys: the same record always reads the same */
    assert_string_equal(e->service_pin, PIN_RECORD);
    assert_cuts_fail(CENTRAL_ENROLL, ENROLLMENT);
    /* the same body is a good renewal too */
    assert_int_equal(decode(CENTRAL_RENEW, ENROLLMENT), KIOSK_OK);
    assert_string_equal(payload()->enrollment.store, "sea-ballard");
}

static void test_enroll_pin_record(void **state)
{
    (void)state;
    /* null: the store has no PIN; so does a reply without config */
    assert_int_equal(decode(CENTRAL_ENROLL,
                            "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"" PEM
                            "\",\"config\":{\"heartbeat_seconds\":30,\"service_pin\":null}}"),
                     KIOSK_OK);
    assert_string_equal(payload()->enrollment.service_pin, "null");
    assert_int_equal(payload()->enrollment.heartbeat_seconds, 30);
    assert_int_equal(decode(CENTRAL_ENROLL,
                            "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"" PEM "\"}"),
                     KIOSK_OK);
    assert_string_equal(payload()->enrollment.service_pin, "null");
    assert_int_equal(payload()->enrollment.heartbeat_seconds, 0);
    assert_int_equal(decode(CENTRAL_ENROLL,
                            "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":"
                            "\"" PEM "\",\"config\":null}"),
                     KIOSK_OK);
    assert_string_equal(payload()->enrollment.service_pin, "null");
    /* nested values are kept whole, compact and sorted at every level */
    assert_int_equal(decode(CENTRAL_ENROLL,
                            "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"" PEM
                            "\",\"config\":{\"service_pin\":{\"b\": [1, 2], \"a\": {\"y\": "
                            "true, \"x\": null}}}}"),
                     KIOSK_OK);
    assert_string_equal(payload()->enrollment.service_pin,
                        "{\"a\":{\"x\":null,\"y\":true},\"b\":[1,2]}");
    /* CENTRAL_PIN_RECORD_MAX bytes of record fit; one more is refused */
    char *body = malloc(CENTRAL_PIN_RECORD_MAX + 512);
    assert_non_null(body);
    for (int extra = 0; extra < 2; extra++) {
        /* {"salt":"<n x>"} is n + 11 bytes */
        size_t n = CENTRAL_PIN_RECORD_MAX - 11 + (size_t)extra;
        int at = snprintf(body, 256,
                          "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"" PEM
                          "\",\"config\":{\"service_pin\":{\"salt\":\"");
        memset(body + at, 'x', n);
        snprintf(body + at + n, 16, "\"}}}");
        if (extra == 0) {
            assert_int_equal(decode(CENTRAL_ENROLL, body), KIOSK_OK);
            assert_int_equal(strlen(payload()->enrollment.service_pin), CENTRAL_PIN_RECORD_MAX);
        } else {
            assert_int_equal(decode(CENTRAL_ENROLL, body), KIOSK_E_INVALID);
            assert_string_equal(payload()->enrollment.device_id, ""); /* nothing left behind */
        }
    }
    free(body);
    /* a record that is not an object, or a config that is not one */
    static const char *const bad[] = {
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"" PEM
        "\",\"config\":{\"service_pin\":\"482913\"}}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"" PEM
        "\",\"config\":{\"service_pin\":482913}}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"" PEM
        "\",\"config\":{\"service_pin\":[]}}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"" PEM
        "\",\"config\":{\"service_pin\":true}}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"" PEM
        "\",\"config\":{\"service_pin\":\"null\"}}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"" PEM "\",\"config\":[]}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"" PEM "\",\"config\":\"x\"}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"" PEM
        "\",\"config\":{\"heartbeat_seconds\":86401}}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"" PEM
        "\",\"config\":{\"heartbeat_seconds\":-1}}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"" PEM
        "\",\"config\":{\"heartbeat_seconds\":\"60\"}}",
    };
    assert_all_fail(CENTRAL_ENROLL, bad, sizeof bad / sizeof bad[0]);
    assert_all_fail(CENTRAL_RENEW, bad, sizeof bad / sizeof bad[0]);
}

static void test_enroll_hostile(void **state)
{
    (void)state;
    static const char *const bad[] = {
        /* missing: certificate, store, device_id */
        "{\"device_id\":\"D1\",\"store\":\"s1\"}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":null}",
        "{\"device_id\":\"D1\",\"certificate\":\"" PEM "\"}",
        "{\"device_id\":\"D1\",\"store\":null,\"certificate\":\"" PEM "\"}",
        "{\"store\":\"s1\",\"certificate\":\"" PEM "\"}",
        "{\"device_id\":\"\",\"store\":\"s1\",\"certificate\":\"" PEM "\"}",
        /* identifiers that are not */
        "{\"device_id\":\"../D1\",\"store\":\"s1\",\"certificate\":\"" PEM "\"}",
        "{\"device_id\":\"D1\",\"store\":\"s 1\",\"certificate\":\"" PEM "\"}",
        "{\"device_id\":7,\"store\":\"s1\",\"certificate\":\"" PEM "\"}",
        /* a certificate that is not PEM */
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"\"}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"MIIBszCCAVmgAwIBAgIUQ\"}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"-----BEGIN PRIVATE "
        "KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\\n\"}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\" -----BEGIN "
        "CERTIFICATE-----\\nMIIB\\n\"}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"-----BEGIN CERTIFICATE\"}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":12}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":[\"" PEM "\"]}",
        /* control characters other than line breaks, an embedded NUL */
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"-----BEGIN "
        "CERTIFICATE-----\\nMII\\tB\\n\"}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"-----BEGIN "
        "CERTIFICATE-----\\nMII\\u0001B\\n\"}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"-----BEGIN "
        "CERTIFICATE-----\\nMII\\u001b[2JB\\n\"}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"-----BEGIN "
        "CERTIFICATE-----\\nMII\\u0000B\\n\"}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"-----BEGIN "
        "CERTIFICATE-----\\u0000\\n\"}",
        /* other strings keep their own rules */
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"kind\":\"ki\\nosk\",\"certificate\":\"" PEM "\"}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"kind\":\"kiosk-with-a-very-long-kind\","
        "\"certificate\":\"" PEM "\"}",
        "{\"device_id\":\"D1\",\"store\":\"s1\",\"expires_at\":5,\"certificate\":\"" PEM "\"}",
        "[\"" PEM "\"]",
    };
    assert_all_fail(CENTRAL_ENROLL, bad, sizeof bad / sizeof bad[0]);
    /* line breaks, CR LF included, are what PEM is made of */
    assert_int_equal(decode(CENTRAL_ENROLL,
                            "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"-----BEGIN "
                            "CERTIFICATE-----\\r\\nMIIB\\r\\n-----END CERTIFICATE-----\\r\\n\"}"),
                     KIOSK_OK);
    assert_non_null(strstr(payload()->enrollment.certificate, "\r\nMIIB\r\n"));
    /* CENTRAL_PEM_MAX bytes of certificate, no more */
    size_t size = CENTRAL_PEM_MAX + 256;
    char *body = malloc(size);
    assert_non_null(body);
    for (int extra = 0; extra < 2; extra++) {
        size_t n = CENTRAL_PEM_MAX - 27 + (size_t)extra; /* after the 27 bytes of BEGIN */
        int at = snprintf(body, size,
                          "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"-----BEGIN "
                          "CERTIFICATE-----");
        memset(body + at, 'A', n);
        snprintf(body + at + n, 8, "\"}");
        assert_int_equal(decode(CENTRAL_ENROLL, body), extra ? KIOSK_E_INVALID : KIOSK_OK);
        if (!extra)
            assert_int_equal(strlen(payload()->enrollment.certificate), CENTRAL_PEM_MAX);
    }
    free(body);
}

static const char RENEWAL[] =
    "{\"device_id\": \"D000001\", \"certificate\": \"" PEM "\", "
    "\"expires_at\": \"2027-05-22T09:00:00Z\", \"ca_certificate\": \"" PEM "\"}";

static void test_renew(void **state)
{
    (void)state;
    /* no store in a renewal: optional there, required at enrollment */
    assert_int_equal(decode(CENTRAL_RENEW, RENEWAL), KIOSK_OK);
    const CentralEnrollment *e = &payload()->enrollment;
    assert_string_equal(e->device_id, "D000001");
    assert_string_equal(e->store, "");
    assert_string_equal(e->expires_at, "2027-05-22T09:00:00Z");
    assert_int_equal(strncmp(e->certificate, "-----BEGIN CERTIFICATE-----\n", 28), 0);
    assert_string_equal(e->service_pin, "null");
    assert_int_equal(decode(CENTRAL_ENROLL, RENEWAL), KIOSK_E_INVALID);
    assert_cuts_fail(CENTRAL_RENEW, RENEWAL);
    /* a store, when given, must still be one */
    assert_int_equal(decode(CENTRAL_RENEW,
                            "{\"device_id\":\"D1\",\"store\":\"s1\",\"certificate\":\"" PEM "\"}"),
                     KIOSK_OK);
    assert_string_equal(payload()->enrollment.store, "s1");
    static const char *const bad[] = {
        "{\"device_id\":\"D1\",\"store\":\"s/1\",\"certificate\":\"" PEM "\"}",
        "{\"device_id\":\"D1\",\"store\":7,\"certificate\":\"" PEM "\"}",
        "{\"certificate\":\"" PEM "\"}",
        "{\"device_id\":\"D1\"}",
        "{\"device_id\":\"D1\",\"certificate\":\"MIIB\"}",
        "{\"device_id\":\"D1\",\"certificate\":\"-----BEGIN CERTIFICATE-----\\u0007\"}",
    };
    assert_all_fail(CENTRAL_RENEW, bad, sizeof bad / sizeof bad[0]);
}

static const char HEARTBEAT[] =
    "{\"device_id\": \"D000001\", \"server_time\": \"2026-11-23T15:47:02Z\", "
    "\"next_heartbeat_seconds\": 45, \"config\": {\"heartbeat_seconds\": 60, "
    "\"config_version\": 2, \"service_pin\": {\"iterations\": 100000, \"algorithm\": "
    "\"pbkdf2-sha256\", \"salt\": \"05cc44cf4b87b6282a33032c7553fa44\", \"hash\": "
    "\"a46df54b53d0f441e43d258035b6c5a2\"}}, \"desired_config_version\": 2, "
    "\"commands\": [{\"id\": \"C000001\", \"command\": \"sync_now\"}, {\"id\": \"C000002\", "
    "\"command\": \"screenshot\", \"created_at\": \"x\"}, {\"id\": \"C000003\", \"command\": "
    "\"restart\"}, {\"id\": \"C000004\", \"command\": \"self_destruct\"}], "
    "\"certificate_expires_at\": \"2027-02-21T15:46:56Z\", \"renew_certificate\": true}";

static void test_heartbeat_commands_and_config(void **state)
{
    (void)state;
    assert_int_equal(decode(CENTRAL_HEARTBEAT, HEARTBEAT), KIOSK_OK);
    const CentralHeartbeatReply *h = &payload()->heartbeat;
    assert_string_equal(h->device_id, "D000001");
    assert_string_equal(h->server_time, "2026-11-23T15:47:02Z");
    assert_int_equal(h->next_heartbeat_seconds, 45);
    assert_int_equal(h->desired_config_version, 2);
    assert_true(h->renew_certificate);
    assert_true(h->has_config);
    assert_string_equal(h->service_pin, PIN_RECORD);
    /* oldest first, as the service sent them; an unknown command is the app's to skip */
    assert_int_equal(h->command_count, 4);
    assert_false(h->commands_truncated);
    static const char *const ids[] = {"C000001", "C000002", "C000003", "C000004"};
    static const char *const cmds[] = {"sync_now", "screenshot", "restart", "self_destruct"};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(h->commands[i].id, ids[i]);
        assert_string_equal(h->commands[i].command, cmds[i]);
    }
    assert_cuts_fail(CENTRAL_HEARTBEAT, HEARTBEAT);
}

static void test_heartbeat_without_config(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60}",
        "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60,\"config\":null,\"commands\":[]}",
        "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60,\"commands\":null,"
        "\"renew_certificate\":null,\"server_time\":null}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        assert_int_equal(decode(CENTRAL_HEARTBEAT, bodies[i]), KIOSK_OK);
        const CentralHeartbeatReply *h = &payload()->heartbeat;
        assert_false(h->has_config); /* the device keeps the record it has */
        assert_string_equal(h->service_pin, "");
        assert_int_equal(h->command_count, 0);
        assert_false(h->renew_certificate);
        assert_int_equal(h->desired_config_version, 0);
    }
    /* the store's PIN removed: config with service_pin null */
    assert_int_equal(decode(CENTRAL_HEARTBEAT, "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":"
                                               "60,\"config\":{\"service_pin\":null}}"),
                     KIOSK_OK);
    assert_true(payload()->heartbeat.has_config);
    assert_string_equal(payload()->heartbeat.service_pin, "null");
}

static void test_heartbeat_limits_and_hostile(void **state)
{
    (void)state;
    /* CENTRAL_COMMANDS_MAX kept, in order; the rest waits for the next heartbeat */
    char body[4096];
    size_t at = (size_t)snprintf(
        body, sizeof body, "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60,\"commands\":[");
    for (int i = 0; i < CENTRAL_COMMANDS_MAX + 3; i++)
        at +=
            (size_t)snprintf(body + at, sizeof body - at, "%s{\"id\":\"C%03d\",\"command\":\"%s\"}",
                             i ? "," : "", i, i % 2 ? "screenshot" : "sync_now");
    snprintf(body + at, sizeof body - at, "]}");
    assert_int_equal(decode(CENTRAL_HEARTBEAT, body), KIOSK_OK);
    const CentralHeartbeatReply *h = &payload()->heartbeat;
    assert_int_equal(h->command_count, CENTRAL_COMMANDS_MAX);
    assert_true(h->commands_truncated);
    for (int i = 0; i < CENTRAL_COMMANDS_MAX; i++) {
        char id[8];
        snprintf(id, sizeof id, "C%03d", i);
        assert_string_equal(h->commands[i].id, id);
        assert_string_equal(h->commands[i].command, i % 2 ? "screenshot" : "sync_now");
    }
    /* exactly CENTRAL_COMMANDS_MAX is not truncated */
    at = (size_t)snprintf(body, sizeof body,
                          "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60,\"commands\":[");
    for (int i = 0; i < CENTRAL_COMMANDS_MAX; i++)
        at += (size_t)snprintf(body + at, sizeof body - at,
                               "%s{\"id\":\"C%03d\",\"command\":\"restart\"}", i ? "," : "", i);
    snprintf(body + at, sizeof body - at, "]}");
    assert_int_equal(decode(CENTRAL_HEARTBEAT, body), KIOSK_OK);
    assert_int_equal(payload()->heartbeat.command_count, CENTRAL_COMMANDS_MAX);
    assert_false(payload()->heartbeat.commands_truncated);

    static const char *const bad[] = {
        "{\"next_heartbeat_seconds\":60}",
        "{\"device_id\":\"D1\"}",
        "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":0}",
        "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":86401}",
        "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":\"60\"}",
        "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60,\"renew_certificate\":\"yes\"}",
        "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60,\"desired_config_version\":-1}",
        "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60,\"commands\":{}}",
        "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60,\"commands\":[\"sync_now\"]}",
        "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60,\"commands\":[null]}",
        "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60,\"commands\":[{\"command\":"
        "\"sync_now\"}]}",
        "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60,\"commands\":[{\"id\":\"C1\"}]}",
        "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60,\"commands\":[{\"id\":\"C 1\","
        "\"command\":\"sync_now\"}]}",
        "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60,\"commands\":[{\"id\":\"C1\","
        "\"command\":\"sync\\nnow\"}]}",
        "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60,\"commands\":[{\"id\":\"C1\","
        "\"command\":7}]}",
        "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60,\"config\":[]}",
        "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60,\"config\":{\"service_pin\":\"1234\"}"
        "}",
        "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60,\"config\":{\"service_pin\":[1]}}",
    };
    assert_all_fail(CENTRAL_HEARTBEAT, bad, sizeof bad / sizeof bad[0]);
    /* a command past the limit is not looked at: the reply stands */
    at = (size_t)snprintf(body, sizeof body,
                          "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60,\"commands\":[");
    for (int i = 0; i < CENTRAL_COMMANDS_MAX; i++)
        at += (size_t)snprintf(body + at, sizeof body - at,
                               "%s{\"id\":\"C%03d\",\"command\":\"restart\"}", i ? "," : "", i);
    snprintf(body + at, sizeof body - at, ",7]}");
    assert_int_equal(decode(CENTRAL_HEARTBEAT, body), KIOSK_OK);
    assert_true(payload()->heartbeat.commands_truncated);
    /* a PIN record over its limit is refused with the whole reply */
    char *big = malloc(CENTRAL_PIN_RECORD_MAX + 256);
    assert_non_null(big);
    int n = snprintf(big, 256,
                     "{\"device_id\":\"D1\",\"next_heartbeat_seconds\":60,\"config\":{"
                     "\"service_pin\":{\"salt\":\"");
    memset(big + n, 'x', CENTRAL_PIN_RECORD_MAX);
    snprintf(big + n + CENTRAL_PIN_RECORD_MAX, 16, "\"}}}");
    assert_int_equal(decode(CENTRAL_HEARTBEAT, big), KIOSK_E_INVALID);
    assert_false(payload()->heartbeat.has_config);
    free(big);
}

/* Enrollment, renewal and a heartbeat with commands and a PIN record have seeds in the fuzz
 * corpus, so the fuzz run starts from good replies of each. */
static void test_fuzz_seeds_cover_devices(void **state)
{
    (void)state;
    bool enroll = false, renew = false, heartbeat = false;
    DIR *d = opendir(CLIENT_CORPUS_DIR);
    struct dirent *e;
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
        if (n < 2 ||
            central_decode((CentralKind)(buf[0] - '0'), buf + 1, n - 1, payload()) != KIOSK_OK)
            continue;
        const CentralEnrollment *en = &payload()->enrollment;
        const CentralHeartbeatReply *h = &payload()->heartbeat;
        switch ((CentralKind)(buf[0] - '0')) {
        case CENTRAL_ENROLL:
            enroll |= en->store[0] && en->service_pin[0] == '{';
            break;
        case CENTRAL_RENEW:
            renew |= !en->store[0];
            break;
        case CENTRAL_HEARTBEAT:
            heartbeat |= h->command_count > 1 && h->has_config && h->service_pin[0] == '{';
            break;
        default:
            break;
        }
    }
    closedir(d);
    if (!enroll)
        fail_msg("no seed for enroll ('%c') with a PIN record", '0' + CENTRAL_ENROLL);
    if (!renew)
        fail_msg("no seed for renew ('%c') without a store", '0' + CENTRAL_RENEW);
    if (!heartbeat)
        fail_msg("no seed for heartbeat ('%c') with commands and config", '0' + CENTRAL_HEARTBEAT);
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
        cmocka_unit_test(test_staff_identify),
        cmocka_unit_test(test_member_orders_good),
        cmocka_unit_test(test_member_orders_limits),
        cmocka_unit_test(test_member_orders_hostile),
        cmocka_unit_test(test_notes_good),
        cmocka_unit_test(test_notes_limits),
        cmocka_unit_test(test_note_add),
        cmocka_unit_test(test_member_preferences),
        cmocka_unit_test(test_fitting_status),
        cmocka_unit_test(test_fuzz_seeds_cover_new_kinds),
        cmocka_unit_test(test_enroll_good),
        cmocka_unit_test(test_enroll_pin_record),
        cmocka_unit_test(test_enroll_hostile),
        cmocka_unit_test(test_renew),
        cmocka_unit_test(test_heartbeat_commands_and_config),
        cmocka_unit_test(test_heartbeat_without_config),
        cmocka_unit_test(test_heartbeat_limits_and_hostile),
        cmocka_unit_test(test_fuzz_seeds_cover_devices),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(payload());
    return rc;
}
