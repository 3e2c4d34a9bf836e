/* test_order.c: the outbox payload of an order (firmware/order.c): encode and decode round
 * trip, the shapes both refuse, the size of the largest order, and the Idempotency-Key
 * (UUID v4 form, no repeats). Pure functions: no files, no network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "order.h"

static void copy(char *dst, size_t size, const char *src)
{
    int n = snprintf(dst, size, "%s", src);
    assert_true(n >= 0 && (size_t)n < size);
}

static CentralOrderRequest full_order(void)
{
    CentralOrderRequest r;
    memset(&r, 0, sizeof r);
    copy(r.idempotency_key, sizeof r.idempotency_key, "not-part-of-the-body");
    copy(r.member, sizeof r.member, "M10003");
    copy(r.store, sizeof r.store, "sea-capitol-hill");
    copy(r.associate, sizeof r.associate, "S0042");
    copy(r.confirmed_by, sizeof r.confirmed_by, "card");
    copy(r.shipping_option, sizeof r.shipping_option, "standard");
    copy(r.address_id, sizeof r.address_id, "A10003-1");
    copy(r.offer, sizeof r.offer, "OF_7");
    copy(r.items[0].variant, sizeof r.items[0].variant, "V01731");
    r.items[0].qty = 2;
    copy(r.items[1].variant, sizeof r.items[1].variant, "V00002");
    r.items[1].qty = 10;
    copy(r.items[2].variant, sizeof r.items[2].variant, "V01731"); /* repeated: 2 + 8 = 10 */
    r.items[2].qty = 8;
    r.item_count = 3;
    return r;
}

static void round_trip_keeps_every_field(void **state)
{
    (void)state;
    CentralOrderRequest in = full_order(), out;
    char *json = NULL, *again = NULL;
    assert_int_equal(order_encode(&in, "D000001", &json), KIOSK_OK);
    assert_non_null(json);
    assert_true(strlen(json) <= ORDER_JSON_MAX);
    assert_null(strstr(json, "not-part-of-the-body")); /* the key travels in a header */
    assert_non_null(strstr(json, "\"device\":\"D000001\""));

    memset(&out, 0x5a, sizeof out);
    assert_int_equal(order_decode(json, &out), KIOSK_OK);
    assert_string_equal(out.idempotency_key, "");
    assert_string_equal(out.member, in.member);
    assert_string_equal(out.store, in.store);
    assert_string_equal(out.associate, in.associate);
    assert_string_equal(out.confirmed_by, "card");
    assert_string_equal(out.shipping_option, in.shipping_option);
    assert_string_equal(out.address_id, in.address_id);
    assert_string_equal(out.offer, in.offer);
    assert_int_equal(out.item_count, 3);
    for (int i = 0; i < 3; i++) {
        assert_string_equal(out.items[i].variant, in.items[i].variant);
        assert_int_equal(out.items[i].qty, in.items[i].qty);
    }

    /* Deterministic: the same order, the same bytes (decode then encode again). */
    assert_int_equal(order_encode(&out, "D000001", &again), KIOSK_OK);
    assert_string_equal(again, json);
    free(again);
    free(json);
}

static void optional_fields_may_be_left_out(void **state)
{
    (void)state;
    CentralOrderRequest in = full_order(), out;
    char *json = NULL;
    in.associate[0] = in.confirmed_by[0] = in.offer[0] = in.address_id[0] = '\0';
    copy(in.shipping_option, sizeof in.shipping_option, "pickup"); /* no address needed */
    assert_int_equal(order_encode(&in, NULL, &json), KIOSK_OK);
    assert_string_equal(json, "{\"items\":[{\"qty\":2,\"variant\":\"V01731\"},"
                              "{\"qty\":10,\"variant\":\"V00002\"},"
                              "{\"qty\":8,\"variant\":\"V01731\"}],\"member\":\"M10003\","
                              "\"shipping_option\":\"pickup\",\"store\":\"sea-capitol-hill\"}");
    assert_int_equal(order_decode(json, &out), KIOSK_OK);
    assert_string_equal(out.address_id, "");
    assert_string_equal(out.associate, "");
    assert_string_equal(out.offer, "");
    free(json);
    assert_int_equal(order_encode(&in, "", &json), KIOSK_OK); /* "" device: none */
    assert_null(strstr(json, "device"));
    free(json);
}

static void largest_order_fits(void **state)
{
    (void)state;
    CentralOrderRequest in = full_order(), out;
    char *json = NULL;
    for (int i = 0; i < CENTRAL_ORDER_ITEMS_MAX; i++) {
        memset(in.items[i].variant, 'v', CENTRAL_ID_MAX); /* the longest id there is */
        in.items[i].variant[0] = (char)('A' + i / 26);
        in.items[i].variant[1] = (char)('a' + i % 26);
        in.items[i].variant[CENTRAL_ID_MAX] = '\0';
        in.items[i].qty = 10;
    }
    in.item_count = CENTRAL_ORDER_ITEMS_MAX;
    assert_int_equal(order_encode(&in, "D000001", &json), KIOSK_OK);
    print_message("largest order: %zu bytes (ORDER_JSON_MAX %d)\n", strlen(json), ORDER_JSON_MAX);
    assert_true(strlen(json) <= ORDER_JSON_MAX);
    assert_int_equal(order_decode(json, &out), KIOSK_OK);
    assert_int_equal(out.item_count, CENTRAL_ORDER_ITEMS_MAX);
    free(json);
}

typedef void (*Spoil)(CentralOrderRequest *r);

static void no_member(CentralOrderRequest *r)
{
    r->member[0] = '\0';
}
static void no_store(CentralOrderRequest *r)
{
    r->store[0] = '\0';
}
static void no_shipping(CentralOrderRequest *r)
{
    r->shipping_option[0] = '\0';
}
static void no_address_for_delivery(CentralOrderRequest *r)
{
    r->address_id[0] = '\0';
}
static void member_not_an_id(CentralOrderRequest *r)
{
    copy(r->member, sizeof r->member, "M1/../x");
}
static void offer_with_space(CentralOrderRequest *r)
{
    copy(r->offer, sizeof r->offer, "OF 7");
}
static void member_not_terminated(CentralOrderRequest *r)
{
    memset(r->member, 'M', sizeof r->member);
}
static void no_items(CentralOrderRequest *r)
{
    r->item_count = 0;
}
static void too_many_items(CentralOrderRequest *r)
{
    r->item_count = CENTRAL_ORDER_ITEMS_MAX + 1;
}
static void negative_items(CentralOrderRequest *r)
{
    r->item_count = -1;
}
static void qty_zero(CentralOrderRequest *r)
{
    r->items[1].qty = 0;
}
static void qty_eleven(CentralOrderRequest *r)
{
    r->items[1].qty = 11;
}
static void repeated_over_ten(CentralOrderRequest *r)
{
    r->items[2].qty = 9; /* 2 + 9 of V01731 */
}
static void variant_empty(CentralOrderRequest *r)
{
    r->items[1].variant[0] = '\0';
}

/* An associate's order is placed only once the customer confirmed it, by card or app. */
static void associate_unconfirmed(CentralOrderRequest *r)
{
    r->confirmed_by[0] = '\0';
}
static void associate_confirmed_by_nod(CentralOrderRequest *r)
{
    copy(r->confirmed_by, sizeof r->confirmed_by, "nod");
}
static void confirmed_without_associate(CentralOrderRequest *r)
{
    r->associate[0] = '\0';
}

static void encode_refuses_bad_shapes(void **state)
{
    (void)state;
    static const Spoil SPOILS[] = {
        no_member,
        no_store,
        no_shipping,
        no_address_for_delivery,
        member_not_an_id,
        offer_with_space,
        member_not_terminated,
        no_items,
        too_many_items,
        negative_items,
        qty_zero,
        qty_eleven,
        repeated_over_ten,
        variant_empty,
        associate_unconfirmed,
        associate_confirmed_by_nod,
        confirmed_without_associate,
    };
    for (size_t i = 0; i < sizeof SPOILS / sizeof SPOILS[0]; i++) {
        CentralOrderRequest r = full_order();
        char *json = (char *)"untouched";
        SPOILS[i](&r);
        assert_int_equal(order_encode(&r, NULL, &json), KIOSK_E_INVALID);
        assert_null(json);
    }
    CentralOrderRequest r = full_order();
    char *json = NULL;
    assert_int_equal(order_encode(&r, "D 1", &json), KIOSK_E_INVALID); /* device not an id */
    assert_null(json);
    assert_int_equal(order_encode(NULL, NULL, &json), KIOSK_E_INVALID);
    assert_int_equal(order_encode(&r, NULL, NULL), KIOSK_E_INVALID);
}

#define GOOD_ITEMS "\"items\":[{\"variant\":\"V1\",\"qty\":1}]"
#define GOOD_HEAD  "\"member\":\"M1\",\"store\":\"s1\",\"shipping_option\":\"pickup\""

static void decode_refuses_anything_else(void **state)
{
    (void)state;
    static const char *const BAD[] = {
        "",
        "not json",
        "[]",
        "\"order\"",
        "{" GOOD_HEAD "}",                                  /* no items */
        "{" GOOD_HEAD ",\"items\":[]}",                     /* empty */
        "{" GOOD_HEAD ",\"items\":{}}",                     /* not a list */
        "{" GOOD_HEAD ",\"items\":[1]}",                    /* not a line */
        "{" GOOD_HEAD ",\"items\":[{\"variant\":\"V1\"}]}", /* no qty */
        "{" GOOD_HEAD ",\"items\":[{\"variant\":\"V1\",\"qty\":\"1\"}]}",
        "{" GOOD_HEAD ",\"items\":[{\"variant\":\"V1\",\"qty\":1.0}]}",
        "{" GOOD_HEAD ",\"items\":[{\"variant\":\"V1\",\"qty\":true}]}",
        "{" GOOD_HEAD ",\"items\":[{\"variant\":\"V1\",\"qty\":0}]}",
        "{" GOOD_HEAD ",\"items\":[{\"variant\":\"V1\",\"qty\":11}]}",
        "{" GOOD_HEAD ",\"items\":[{\"variant\":\"V1\",\"qty\":4294967297}]}",
        "{" GOOD_HEAD ",\"items\":[{\"variant\":\"V1\",\"qty\":1,\"price\":5}]}",
        "{" GOOD_HEAD ",\"items\":[{\"variant\":\"V\\u00001\",\"qty\":1}]}",
        "{" GOOD_HEAD ",\"items\":[{\"variant\":7,\"qty\":1}]}",
        "{" GOOD_HEAD "," GOOD_ITEMS ",\"total_cents\":1}", /* unknown key */
        "{" GOOD_HEAD "," GOOD_ITEMS ",\"member\":\"M2\"}", /* duplicate key */
        "{" GOOD_HEAD "," GOOD_ITEMS ",\"device\":\"D 1\"}",
        "{" GOOD_HEAD "," GOOD_ITEMS ",\"offer\":null}",
        "{\"member\":\"M1\",\"store\":\"s1\",\"shipping_option\":\"standard\"," GOOD_ITEMS "}",
        "{\"member\":\"M1\",\"shipping_option\":\"pickup\"," GOOD_ITEMS "}",
        "{\"member\":\"" /* 65 characters: one over CENTRAL_ID_MAX */
        "MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM"
        "\",\"store\":\"s1\",\"shipping_option\":\"pickup\"," GOOD_ITEMS "}",
        "{" GOOD_HEAD "," GOOD_ITEMS "} trailing",
    };
    CentralOrderRequest out;
    assert_int_equal(order_decode("{" GOOD_HEAD "," GOOD_ITEMS "}", &out), KIOSK_OK);
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        memset(&out, 0x5a, sizeof out);
        if (order_decode(BAD[i], &out) != KIOSK_E_INVALID)
            fail_msg("accepted #%zu: %s", i, BAD[i]);
        assert_string_equal(out.member, ""); /* zeroed */
        assert_int_equal(out.item_count, 0);
    }
    assert_int_equal(order_decode(NULL, &out), KIOSK_E_INVALID);
    assert_int_equal(order_decode("{}", NULL), KIOSK_E_INVALID);

    /* Over ORDER_JSON_MAX: refused before parsing, even if it is valid JSON. */
    char *big = malloc(ORDER_JSON_MAX + 64);
    assert_non_null(big);
    int n = snprintf(big, ORDER_JSON_MAX + 64, "{" GOOD_HEAD "," GOOD_ITEMS);
    memset(big + n, ' ', ORDER_JSON_MAX - (size_t)n);
    strcpy(big + ORDER_JSON_MAX, "}");
    assert_int_equal(order_decode(big, &out), KIOSK_E_INVALID);
    big[ORDER_JSON_MAX - 1] = '}';
    big[ORDER_JSON_MAX] = '\0'; /* exactly at the limit: fine */
    assert_int_equal(order_decode(big, &out), KIOSK_OK);
    free(big);
}

static void key_is_a_uuid_v4(void **state)
{
    (void)state;
    char key[CENTRAL_IDEM_KEY_MAX + 1];
    for (int round = 0; round < 64; round++) {
        assert_int_equal(order_new_key(key), KIOSK_OK);
        assert_int_equal(strlen(key), ORDER_KEY_LEN);
        for (int i = 0; i < ORDER_KEY_LEN; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23)
                assert_int_equal(key[i], '-');
            else
                assert_non_null(strchr("0123456789abcdef", key[i]));
        }
        assert_int_equal(key[14], '4');           /* version */
        assert_non_null(strchr("89ab", key[19])); /* RFC 4122 variant */
    }
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void keys_do_not_repeat(void **state)
{
    (void)state;
    enum { N = 10000 };
    char(*keys)[ORDER_KEY_LEN + 1] = calloc(N, sizeof *keys);
    char key[CENTRAL_IDEM_KEY_MAX + 1];
    assert_non_null(keys);
    for (int i = 0; i < N; i++) {
        assert_int_equal(order_new_key(key), KIOSK_OK);
        memcpy(keys[i], key, ORDER_KEY_LEN + 1);
    }
    qsort(keys, N, sizeof *keys, cmp_key);
    for (int i = 1; i < N; i++)
        assert_string_not_equal(keys[i - 1], keys[i]);
    free(keys);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_keeps_every_field),
        cmocka_unit_test(optional_fields_may_be_left_out),
        cmocka_unit_test(largest_order_fits),
        cmocka_unit_test(encode_refuses_bad_shapes),
        cmocka_unit_test(decode_refuses_anything_else),
        cmocka_unit_test(key_is_a_uuid_v4),
        cmocka_unit_test(keys_do_not_repeat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
