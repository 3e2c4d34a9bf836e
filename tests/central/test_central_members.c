/* test_central_members.c: the member side of the real central over HTTPS: the demo members
 * file, identification from tokens minted with the demo loyalty key (and refusals of forged,
 * expired, staff and wrongly bound ones), profiles with masked addresses and history from
 * every channel, recommendations' rules, offers and shipping options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "token.h"

#define STORE "sea-u-district"

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

static json_t *demo_members(const TestCentral *tc)
{
    char path[HARNESS_PATH_MAX + 32];
    harness_path(tc, "demo-members.json", path, sizeof path);
    json_t *list = json_load_file(path, 0, NULL);
    assert_true(json_is_array(list));
    return list;
}

static void test_demo_files(void **state)
{
    TestCentral *tc = *state;
    json_t *list = demo_members(tc);
    assert_true(json_array_size(list) >= 50);
    bool langs[3] = {false, false, false};
    size_t i;
    json_t *m;
    json_array_foreach(list, i, m)
    {
        assert_non_null(json_string_value(json_object_get(m, "id")));
        assert_true(json_string_length(json_object_get(m, "name")) > 3);
        const char *l = json_string_value(json_object_get(m, "language"));
        langs[0] |= strcmp(l, "en") == 0;
        langs[1] |= strcmp(l, "es") == 0;
        langs[2] |= strcmp(l, "fr") == 0;
    }
    assert_true(langs[0] && langs[1] && langs[2]);
    json_decref(list);
    char path[HARNESS_PATH_MAX + 32];
    harness_path(tc, "demo-loyalty-pub.pem", path, sizeof path);
    TokenKeyring *kr = token_keyring_create();
    assert_int_equal(token_keyring_add_file(kr, path), KIOSK_OK);
    assert_int_equal(token_keyring_count(kr), 1);
    token_keyring_destroy(kr);
}

static void mint(const TestCentral *tc, TokenRole role, const char *member, const uint8_t *uid,
                 size_t uid_len, long valid_from, long valid_to, char *text)
{
    char key[HARNESS_PATH_MAX + 32];
    uint8_t bin[TOKEN_BIN_MAX];
    size_t len = 0;
    uint32_t now = (uint32_t)time(NULL);
    harness_path(tc, HARNESS_DEMO_KEY, key, sizeof key);
    assert_int_equal(token_mint(key, role, member, uid, uid_len, (uint32_t)(now + valid_from),
                                (uint32_t)(now + valid_to), bin, &len),
                     KIOSK_OK);
    assert_int_equal(token_to_text(bin, len, text, TOKEN_TEXT_MAX + 1), KIOSK_OK);
}

static void identify(const TestCentral *tc, const char *token, const char *uid, long status,
                     const char *member_or_code)
{
    char body[TOKEN_TEXT_MAX + 128], code[64];
    Resp r;
    if (uid)
        snprintf(body, sizeof body, "{\"token\":\"%s\",\"uid\":\"%s\"}", token, uid);
    else
        snprintf(body, sizeof body, "{\"token\":\"%s\"}", token);
    assert_int_equal(harness_post(tc, "/v1/identify", body, &r), 0);
    if (r.status != status)
        fail_msg("identify: expected %ld, got %ld %s", status, r.status, r.body);
    if (status == 200) {
        assert_string_equal(json_string_value(json_object_get(r.json, "id")), member_or_code);
        assert_non_null(json_string_value(json_object_get(r.json, "display_name")));
    } else {
        assert_true(resp_is_error(&r, code));
        assert_string_equal(code, member_or_code);
    }
    resp_free(&r);
}

static void test_identify(void **state)
{
    TestCentral *tc = *state;
    char text[TOKEN_TEXT_MAX + 1];
    const uint8_t uid[7] = {0x04, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0x80};

    mint(tc, TOKEN_ROLE_MEMBER, "M10011", NULL, 0, -60, 3600, text);
    identify(tc, text, NULL, 200, "M10011");

    /* Altered: flip one character of the signature part. */
    size_t n = strlen(text);
    text[n - 3] = text[n - 3] == 'A' ? 'B' : 'A';
    Resp r;
    char body[TOKEN_TEXT_MAX + 64], code[64];
    snprintf(body, sizeof body, "{\"token\":\"%s\"}", text);
    assert_int_equal(harness_post(tc, "/v1/identify", body, &r), 0);
    assert_true(r.status == 401 || r.status == 400);
    assert_true(resp_is_error(&r, code));
    assert_non_null(strstr(code, "token_"));
    resp_free(&r);

    mint(tc, TOKEN_ROLE_MEMBER, "M10011", NULL, 0, -7200, -3600, text);
    snprintf(body, sizeof body, "{\"token\":\"%s\"}", text);
    assert_int_equal(harness_post(tc, "/v1/identify", body, &r), 0);
    assert_int_equal(r.status, 401);
    assert_true(resp_is_error(&r, code));
    assert_non_null(strstr(code, "expired"));
    resp_free(&r);

    /* Bound to a tag: accepted with that UID, refused with another or none. */
    mint(tc, TOKEN_ROLE_MEMBER, "M10012", uid, sizeof uid, -60, 3600, text);
    identify(tc, text, "04a1b2c3d4e580", 200, "M10012");
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"uid\":\"04a1b2c3d4e581\"}", text);
    assert_int_equal(harness_post(tc, "/v1/identify", body, &r), 0);
    assert_int_equal(r.status, 401);
    assert_true(resp_is_error(&r, NULL));
    resp_free(&r);
    snprintf(body, sizeof body, "{\"token\":\"%s\"}", text);
    assert_int_equal(harness_post(tc, "/v1/identify", body, &r), 0);
    assert_int_equal(r.status, 401);
    resp_free(&r);

    mint(tc, TOKEN_ROLE_STAFF, "S-042", NULL, 0, -60, 3600, text);
    identify(tc, text, NULL, 403, "not_a_member");
    mint(tc, TOKEN_ROLE_MEMBER, "M99999", NULL, 0, -60, 3600, text);
    identify(tc, text, NULL, 404, "member_not_found");
    identify(tc, "hello", NULL, 400, "token_malformed");
}

static bool has_long_digit_run(const char *s)
{
    int run = 0;
    for (; *s; s++) {
        run = isdigit((unsigned char)*s) ? run + 1 : 0;
        if (run >= 3)
            return true;
    }
    return false;
}

static void test_profiles_and_history(void **state)
{
    TestCentral *tc = *state;
    json_t *list = demo_members(tc);
    bool channel_web = false, channel_app = false, channel_store = false, returns = false;
    bool tiers[4] = {false, false, false, false};
    size_t i;
    json_t *m;
    json_array_foreach(list, i, m)
    {
        char path[96];
        Resp r;
        snprintf(path, sizeof path, "/v1/members/%s", json_string_value(json_object_get(m, "id")));
        assert_int_equal(harness_get(tc, path, &r), 0);
        assert_int_equal(r.status, 200);
        json_t *p = r.json;
        const char *tier = json_string_value(json_object_get(p, "tier"));
        tiers[0] |= strcmp(tier, "bronze") == 0;
        tiers[1] |= strcmp(tier, "silver") == 0;
        tiers[2] |= strcmp(tier, "gold") == 0;
        tiers[3] |= strcmp(tier, "platinum") == 0;
        assert_true(json_integer_value(json_object_get(p, "points")) >= 0);
        assert_true(json_is_boolean(json_object_get(p, "payment_on_file")));
        assert_true(json_object_size(json_object_get(p, "sizes")) >= 1);
        /* The full name never leaves; the display name is the first name. */
        const char *full = json_string_value(json_object_get(m, "name"));
        char *dump = json_dumps(p, 0);
        assert_null(strstr(dump, full));
        free(dump);
        json_t *addrs = json_object_get(p, "addresses"), *a;
        size_t k;
        assert_true(json_array_size(addrs) >= 1);
        json_array_foreach(addrs, k, a)
        {
            const char *masked = json_string_value(json_object_get(a, "masked"));
            assert_non_null(strstr(masked, "\xE2\x80\xA2"));
            assert_false(has_long_digit_run(masked));
            assert_null(json_object_get(a, "line1"));
        }
        json_t *orders = json_object_get(p, "recent_orders"), *o;
        json_array_foreach(orders, k, o)
        {
            const char *ch = json_string_value(json_object_get(o, "channel"));
            channel_web |= strcmp(ch, "web") == 0;
            channel_app |= strcmp(ch, "app") == 0;
            channel_store |= strcmp(ch, "store") == 0;
            size_t l;
            json_t *line;
            json_array_foreach(json_object_get(o, "items"), l, line)
            {
                if (json_is_true(json_object_get(line, "returned"))) {
                    returns = true;
                    assert_true(json_string_length(json_object_get(line, "return_reason")) > 0);
                }
            }
        }
        if (json_array_size(orders) > 0)
            assert_true(json_equal(json_object_get(p, "last_order"), json_array_get(orders, 0)));
        resp_free(&r);
    }
    assert_true(channel_web && channel_app && channel_store && returns);
    assert_true(tiers[0] && tiers[1]);
    json_decref(list);

    Resp r;
    assert_int_equal(harness_get(tc, "/v1/members/M00000", &r), 0);
    assert_int_equal(r.status, 404);
    assert_true(resp_is_error(&r, NULL));
    resp_free(&r);
}

/* The products a member owns (any channel), and whether each is replenishable. */
static json_t *owned_products(const TestCentral *tc, const char *member)
{
    char path[96];
    Resp r;
    json_t *owned = json_object();
    snprintf(path, sizeof path, "/v1/members/%s/orders", member);
    assert_int_equal(harness_get(tc, path, &r), 0);
    assert_int_equal(r.status, 200);
    size_t i, k;
    json_t *o, *line;
    json_array_foreach(json_object_get(r.json, "orders"), i, o)
    {
        json_array_foreach(json_object_get(o, "items"), k, line)
        {
            json_object_set_new(owned, json_string_value(json_object_get(line, "product_id")),
                                json_true());
        }
    }
    resp_free(&r);
    return owned;
}

static void test_recommendations_rules(void **state)
{
    TestCentral *tc = *state;
    json_t *list = demo_members(tc);
    size_t i, total = 0;
    json_t *m;
    bool saw_affinity_reason = false;
    json_array_foreach(list, i, m)
    {
        if (i % 4 != 0)
            continue; /* a sample of members keeps the test quick */
        const char *member = json_string_value(json_object_get(m, "id"));
        json_t *owned = owned_products(tc, member);
        char path[128];
        Resp r;
        snprintf(path, sizeof path, "/v1/members/%s/recommendations?store=" STORE "&limit=10",
                 member);
        assert_int_equal(harness_get(tc, path, &r), 0);
        assert_int_equal(r.status, 200);
        json_t *recs = json_object_get(r.json, "recommendations"), *it;
        json_t *per_cat = json_object();
        size_t k;
        assert_true(json_array_size(recs) >= 3 && json_array_size(recs) <= 10);
        json_array_foreach(recs, k, it)
        {
            json_t *p = json_object_get(it, "product");
            const char *pid = json_string_value(json_object_get(p, "id"));
            const char *cat = json_string_value(json_object_get(p, "category"));
            const char *reason = json_string_value(json_object_get(it, "reason"));
            const char *rcode = json_string_value(json_object_get(it, "reason_code"));
            assert_true(reason && strlen(reason) > 10);
            if (strcmp(rcode, "bought_together") == 0) {
                assert_non_null(strstr(reason, "Because you bought the "));
                saw_affinity_reason = true;
            }
            /* Never something already bought, unless a due replenishable. */
            json_t *own = json_object_get(owned, pid);
            if (own) {
                Resp pr;
                snprintf(path, sizeof path, "/v1/products/%s", pid);
                assert_int_equal(harness_get(tc, path, &pr), 0);
                assert_true(json_is_true(json_object_get(pr.json, "replenishable")));
                assert_string_equal(rcode, "replenish");
                resp_free(&pr);
            }
            /* In stock here or online, checked against the stock resource. */
            assert_true(json_is_true(json_object_get(it, "in_stock_here")) ||
                        json_is_true(json_object_get(it, "in_stock_online")));
            if (k == 0) {
                Resp s;
                snprintf(path, sizeof path, "/v1/products/%s/stock?store=" STORE, pid);
                assert_int_equal(harness_get(tc, path, &s), 0);
                json_t *locs = json_object_get(s.json, "locations");
                long long here =
                    json_integer_value(json_object_get(json_array_get(locs, 0), "total_qty"));
                long long online = json_integer_value(
                    json_object_get(json_array_get(locs, json_array_size(locs) - 1), "total_qty"));
                assert_true(here > 0 || online > 0);
                resp_free(&s);
            }
            json_int_t c = json_integer_value(json_object_get(per_cat, cat));
            json_object_set_new(per_cat, cat, json_integer(c + 1));
            assert_true(c + 1 <= 2); /* diversified */
            total++;
        }
        if (json_array_size(recs) >= 3)
            assert_true(json_object_size(per_cat) >= 2);
        json_decref(per_cat);
        json_decref(owned);
        resp_free(&r);
    }
    assert_true(total > 0);
    assert_true(saw_affinity_reason);
    json_decref(list);

    Resp r;
    assert_int_equal(harness_get(tc, "/v1/members/M10001/recommendations?store=mars", &r), 0);
    assert_int_equal(r.status, 404);
    assert_true(resp_is_error(&r, NULL));
    resp_free(&r);
}

static void test_offers_target_unbought(void **state)
{
    TestCentral *tc = *state;
    const char *members[] = {"M10001", "M10010", "M10020", "M10030", NULL};
    for (int i = 0; members[i]; i++) {
        char path[96];
        Resp r;
        json_t *owned = owned_products(tc, members[i]);
        snprintf(path, sizeof path, "/v1/members/%s/offers", members[i]);
        assert_int_equal(harness_get(tc, path, &r), 0);
        assert_int_equal(r.status, 200);
        json_t *offers = json_object_get(r.json, "offers"), *o;
        size_t k;
        assert_true(json_array_size(offers) >= 1);
        json_array_foreach(offers, k, o)
        {
            assert_non_null(json_string_value(json_object_get(o, "title")));
            assert_non_null(json_string_value(json_object_get(o, "expires_at")));
            json_t *p = json_object_get(o, "product");
            if (json_is_object(p))
                assert_null(json_object_get(owned, json_string_value(json_object_get(p, "id"))));
        }
        json_decref(owned);
        resp_free(&r);
    }
}

static void test_shipping_options(void **state)
{
    TestCentral *tc = *state;
    Resp r;
    assert_int_equal(harness_get(tc, "/v1/shipping-options?store=" STORE "&member=M10001", &r), 0);
    assert_int_equal(r.status, 200);
    json_t *opts = json_object_get(r.json, "options"), *o;
    size_t i;
    bool standard = false, express = false;
    assert_true(json_array_size(opts) >= 2);
    json_array_foreach(opts, i, o)
    {
        const char *id = json_string_value(json_object_get(o, "id"));
        standard |= strcmp(id, "standard") == 0;
        express |= strcmp(id, "express") == 0;
        assert_true(json_integer_value(json_object_get(o, "price_cents")) >= 0);
        json_t *e = json_object_get(o, "delivery_estimate");
        assert_true(strcmp(json_string_value(json_object_get(e, "earliest")),
                           json_string_value(json_object_get(e, "latest"))) <= 0);
    }
    assert_true(standard && express);
    resp_free(&r);
    /* The warehouse is not a shop: no collect-in-store there. */
    assert_int_equal(harness_get(tc, "/v1/shipping-options?store=online", &r), 0);
    json_array_foreach(json_object_get(r.json, "options"), i, o)
        assert_string_not_equal(json_string_value(json_object_get(o, "id")), "pickup");
    resp_free(&r);
    assert_int_equal(harness_get(tc, "/v1/shipping-options", &r), 0);
    assert_int_equal(r.status, 400);
    assert_true(resp_is_error(&r, NULL));
    resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_files),
        cmocka_unit_test(test_identify),
        cmocka_unit_test(test_profiles_and_history),
        cmocka_unit_test(test_recommendations_rules),
        cmocka_unit_test(test_offers_target_unbought),
        cmocka_unit_test(test_shipping_options),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
