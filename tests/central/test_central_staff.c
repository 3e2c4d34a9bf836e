/* test_central_staff.c: associate mode on the real central over HTTPS: staff and technician
 * badges (tokens minted with the demo loyalty key) and their refusals, demo-staff.json, member
 * preferences, stylist notes, orders attributed to an associate (with how the customer
 * confirmed them), the first demo member's history, and the associates' floor page for
 * fitting-room requests (escaping included). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "token.h"

#define MEMBER "M10001"
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

/* --- helpers ------------------------------------------------------------------------------- */

static void expect_error(const Resp *r, long status, const char *code)
{
    char got[64];
    if (r->status != status)
        fail_msg("expected %ld %s, got %ld %s", status, code, r->status, r->body);
    assert_true(resp_is_error(r, got));
    assert_string_equal(got, code);
}

/* POSTs a JSON value (taken) as the body. */
static void post_json(const TestCentral *tc, const char *path, json_t *body, Resp *r)
{
    char *text = json_dumps(body, JSON_COMPACT);
    assert_non_null(text);
    assert_int_equal(harness_post(tc, path, text, r), 0);
    free(text);
    json_decref(body);
}

static void mint_bin(const TestCentral *tc, TokenRole role, const char *id, const uint8_t *uid,
                     size_t uid_len, long valid_from, long valid_to, uint8_t *bin, size_t *len)
{
    char key[HARNESS_PATH_MAX + 32];
    uint32_t now = (uint32_t)time(NULL);
    harness_path(tc, HARNESS_DEMO_KEY, key, sizeof key);
    assert_int_equal(token_mint(key, role, id, uid, uid_len, (uint32_t)(now + valid_from),
                                (uint32_t)(now + valid_to), bin, len),
                     KIOSK_OK);
}

static void mint(const TestCentral *tc, TokenRole role, const char *id, char *text)
{
    uint8_t bin[TOKEN_BIN_MAX];
    size_t len = 0;
    mint_bin(tc, role, id, NULL, 0, -60, 3600, bin, &len);
    assert_int_equal(token_to_text(bin, len, text, TOKEN_TEXT_MAX + 1), KIOSK_OK);
}

static void staff_identify(const TestCentral *tc, const char *token, const char *uid, Resp *r)
{
    json_t *body = json_pack("{s:s}", "token", token);
    if (uid)
        json_object_set_new(body, "uid", json_string(uid));
    post_json(tc, "/v1/staff/identify", body, r);
}

static json_t *demo_file(const TestCentral *tc, const char *name)
{
    char path[HARNESS_PATH_MAX + 32];
    harness_path(tc, name, path, sizeof path);
    json_t *list = json_load_file(path, 0, NULL);
    assert_true(json_is_array(list));
    return list;
}

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* --- staff badges -------------------------------------------------------------------------- */

static void test_demo_staff_file(void **state)
{
    TestCentral *tc = *state;
    json_t *list = demo_file(tc, "demo-staff.json"), *s;
    size_t i;
    int per_store[3] = {0, 0, 0}, technicians = 0, inactive = 0;
    static const char *const stores[3] = {"sea-capitol-hill", "sea-ballard", "sea-fremont"};
    json_array_foreach(list, i, s)
    {
        const char *id = str(s, "id"), *role = str(s, "role");
        assert_non_null(id);
        assert_true(strlen(id) <= TOKEN_MEMBER_ID_MAX);
        assert_true(json_string_length(json_object_get(s, "name")) > 3);
        assert_true(json_is_boolean(json_object_get(s, "active")));
        assert_true(strcmp(role, "staff") == 0 || strcmp(role, "technician") == 0);
        if (!json_is_true(json_object_get(s, "active"))) {
            inactive++;
            continue;
        }
        if (strcmp(role, "technician") == 0) {
            technicians++;
            assert_string_equal(str(s, "store"), "sea-capitol-hill");
            continue;
        }
        for (int k = 0; k < 3; k++)
            per_store[k] += strcmp(str(s, "store"), stores[k]) == 0;
    }
    assert_int_equal(per_store[0], 2);
    assert_int_equal(per_store[1], 2);
    assert_int_equal(per_store[2], 2);
    assert_int_equal(technicians, 1);
    assert_int_equal(inactive, 1);
    assert_string_equal(str(json_array_get(list, 0), "id"), "S1001");
    assert_string_equal(str(json_array_get(list, 0), "name"), "Alex Rivera");
    json_decref(list);
}

static void test_staff_identify(void **state)
{
    TestCentral *tc = *state;
    char text[TOKEN_TEXT_MAX + 1];
    Resp r;

    /* Every active person of demo-staff.json identifies in their role. */
    json_t *list = demo_file(tc, "demo-staff.json"), *s;
    size_t i;
    json_array_foreach(list, i, s)
    {
        bool tech = strcmp(str(s, "role"), "technician") == 0;
        mint(tc, tech ? TOKEN_ROLE_TECHNICIAN : TOKEN_ROLE_STAFF, str(s, "id"), text);
        staff_identify(tc, text, NULL, &r);
        if (json_is_true(json_object_get(s, "active"))) {
            if (r.status != 200)
                fail_msg("%s: %ld %s", str(s, "id"), r.status, r.body);
            assert_string_equal(str(r.json, "id"), str(s, "id"));
            assert_string_equal(str(r.json, "name"), str(s, "name"));
            assert_string_equal(str(r.json, "role"), str(s, "role"));
            assert_string_equal(str(json_object_get(r.json, "store"), "id"), str(s, "store"));
        } else {
            expect_error(&r, 403, "staff_inactive");
        }
        resp_free(&r);
    }
    json_decref(list);

    /* The exact shape for an associate. */
    mint(tc, TOKEN_ROLE_STAFF, "S1001", text);
    staff_identify(tc, text, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *want = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s}}", "id", "S1001", "name", "Alex Rivera",
                             "first_name", "Alex", "role", "staff", "store", "id",
                             "sea-capitol-hill", "name", "Capitol Hill");
    assert_true(json_equal(r.json, want));
    json_decref(want);
    resp_free(&r);

    mint(tc, TOKEN_ROLE_TECHNICIAN, "S1007", text);
    staff_identify(tc, text, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(str(r.json, "role"), "technician");
    resp_free(&r);

    /* A member card is not a badge; /v1/identify refuses badges the other way round. */
    mint(tc, TOKEN_ROLE_MEMBER, MEMBER, text);
    staff_identify(tc, text, NULL, &r);
    expect_error(&r, 403, "not_staff");
    resp_free(&r);
    mint(tc, TOKEN_ROLE_STAFF, "S1001", text);
    post_json(tc, "/v1/identify", json_pack("{s:s}", "token", text), &r);
    expect_error(&r, 403, "not_a_member");
    resp_free(&r);

    /* Unknown id, and a badge whose role is not the person's. */
    mint(tc, TOKEN_ROLE_STAFF, "S9999", text);
    staff_identify(tc, text, NULL, &r);
    expect_error(&r, 404, "staff_not_found");
    resp_free(&r);
    mint(tc, TOKEN_ROLE_TECHNICIAN, "S1001", text);
    staff_identify(tc, text, NULL, &r);
    expect_error(&r, 404, "staff_not_found");
    resp_free(&r);
    mint(tc, TOKEN_ROLE_STAFF, "S1007", text);
    staff_identify(tc, text, NULL, &r);
    expect_error(&r, 404, "staff_not_found");
    resp_free(&r);
    mint(tc, TOKEN_ROLE_STAFF, "S1008", text);
    staff_identify(tc, text, NULL, &r);
    expect_error(&r, 403, "staff_inactive");
    resp_free(&r);
}

static void test_staff_identify_refusals(void **state)
{
    TestCentral *tc = *state;
    char text[TOKEN_TEXT_MAX + 1];
    uint8_t bin[TOKEN_BIN_MAX];
    size_t len = 0;
    const uint8_t uid[7] = {0x04, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60};
    Resp r;

    /* Forged: a valid shape whose signature does not match (last byte of the DER s value). */
    mint_bin(tc, TOKEN_ROLE_STAFF, "S1001", NULL, 0, -60, 3600, bin, &len);
    bin[len - 1] ^= 0x01;
    assert_int_equal(token_to_text(bin, len, text, sizeof text), KIOSK_OK);
    staff_identify(tc, text, NULL, &r);
    expect_error(&r, 401, "token_bad_signature");
    resp_free(&r);
    /* A member's id promoted to a badge by editing the role byte: the signature breaks. */
    mint_bin(tc, TOKEN_ROLE_MEMBER, "S1001", NULL, 0, -60, 3600, bin, &len);
    bin[3] = TOKEN_ROLE_STAFF;
    assert_int_equal(token_to_text(bin, len, text, sizeof text), KIOSK_OK);
    staff_identify(tc, text, NULL, &r);
    expect_error(&r, 401, "token_bad_signature");
    resp_free(&r);

    mint_bin(tc, TOKEN_ROLE_STAFF, "S1001", NULL, 0, -7200, -3600, bin, &len);
    assert_int_equal(token_to_text(bin, len, text, sizeof text), KIOSK_OK);
    staff_identify(tc, text, NULL, &r);
    expect_error(&r, 401, "token_expired");
    resp_free(&r);

    /* Bound to a badge's tag: only with that UID. */
    mint_bin(tc, TOKEN_ROLE_STAFF, "S1003", uid, sizeof uid, -60, 3600, bin, &len);
    assert_int_equal(token_to_text(bin, len, text, sizeof text), KIOSK_OK);
    staff_identify(tc, text, "04102030405060", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(str(r.json, "id"), "S1003");
    resp_free(&r);
    staff_identify(tc, text, NULL, &r);
    expect_error(&r, 401, "token_wrong_uid");
    resp_free(&r);
    staff_identify(tc, text, "0410203040506", &r); /* odd length */
    expect_error(&r, 400, "invalid_field");
    resp_free(&r);

    staff_identify(tc, "NT1.not-a-token", NULL, &r);
    expect_error(&r, 400, "token_malformed");
    resp_free(&r);
    assert_int_equal(harness_post(tc, "/v1/staff/identify", "{}", &r), 0);
    expect_error(&r, 400, "missing_field");
    resp_free(&r);
    assert_int_equal(harness_post(tc, "/v1/staff/identify", "{\"token\":42}", &r), 0);
    expect_error(&r, 400, "invalid_field");
    resp_free(&r);
    assert_int_equal(harness_get(tc, "/v1/staff/identify", &r), 0);
    expect_error(&r, 405, "method_not_allowed");
    resp_free(&r);
}

/* --- preferences and history ------------------------------------------------------------- */

/* Every colour name of the catalog, as a set. */
static json_t *catalog_colours(const TestCentral *tc)
{
    json_t *set = json_object();
    char path[96], cursor[64] = "";
    for (int page = 0; page < 20; page++) {
        Resp r;
        snprintf(path, sizeof path, "/v1/catalog?limit=500%s%s", cursor[0] ? "&cursor=" : "",
                 cursor);
        assert_int_equal(harness_get(tc, path, &r), 0);
        assert_int_equal(r.status, 200);
        size_t i, k;
        json_t *p, *v;
        json_array_foreach(json_object_get(r.json, "products"), i, p)
        {
            json_array_foreach(json_object_get(p, "variants"), k, v)
                json_object_set_new(set, str(v, "colour"), json_true());
        }
        snprintf(cursor, sizeof cursor, "%s", str(r.json, "next_cursor"));
        bool more = json_is_true(json_object_get(r.json, "has_more"));
        resp_free(&r);
        if (!more)
            break;
    }
    assert_true(json_object_size(set) >= 5);
    return set;
}

static void check_preferences(const json_t *prefs, const json_t *colours, bool *fit_known,
                              bool *has_colours)
{
    static const char *const styles[] = {"casual", "smart", "outdoor", "sport", "classic"};
    assert_true(json_is_object(prefs));
    json_t *fit = json_object_get(prefs, "fit");
    assert_non_null(fit);
    if (!json_is_null(fit)) {
        const char *f = json_string_value(fit);
        assert_non_null(f);
        assert_true(strcmp(f, "slim") == 0 || strcmp(f, "regular") == 0 ||
                    strcmp(f, "relaxed") == 0);
        *fit_known = true;
    }
    json_t *cs = json_object_get(prefs, "colours"), *ss = json_object_get(prefs, "styles"), *v;
    size_t i;
    assert_true(json_is_array(cs) && json_array_size(cs) <= 4);
    assert_true(json_is_array(ss) && json_array_size(ss) <= 4);
    json_array_foreach(cs, i, v)
    {
        assert_non_null(json_string_value(v));
        assert_non_null(json_object_get(colours, json_string_value(v)));
        *has_colours = true;
    }
    json_array_foreach(ss, i, v)
    {
        bool known = false;
        for (size_t k = 0; k < sizeof styles / sizeof styles[0]; k++)
            known |= json_is_string(v) && strcmp(json_string_value(v), styles[k]) == 0;
        assert_true(known);
        for (size_t k = 0; k < i; k++) /* no word twice */
            assert_false(json_equal(v, json_array_get(ss, k)));
    }
}

static void test_preferences(void **state)
{
    TestCentral *tc = *state;
    json_t *colours = catalog_colours(tc);
    json_t *list = demo_file(tc, "demo-members.json"), *m;
    bool fit_known = false, has_colours = false;
    size_t i;
    json_array_foreach(list, i, m)
    {
        char path[96];
        Resp r;
        snprintf(path, sizeof path, "/v1/members/%s", str(m, "id"));
        assert_int_equal(harness_get(tc, path, &r), 0);
        assert_int_equal(r.status, 200);
        check_preferences(json_object_get(r.json, "preferences"), colours, &fit_known,
                          &has_colours);
        resp_free(&r);
    }
    assert_true(fit_known && has_colours);
    json_decref(list);

    /* /v1/identify carries the same profile, preferences included. */
    char text[TOKEN_TEXT_MAX + 1];
    Resp a, b;
    mint(tc, TOKEN_ROLE_MEMBER, MEMBER, text);
    post_json(tc, "/v1/identify", json_pack("{s:s}", "token", text), &a);
    assert_int_equal(a.status, 200);
    assert_int_equal(harness_get(tc, "/v1/members/" MEMBER, &b), 0);
    assert_true(
        json_equal(json_object_get(a.json, "preferences"), json_object_get(b.json, "preferences")));
    resp_free(&a);
    resp_free(&b);
    json_decref(colours);
}

static void test_first_member_history(void **state)
{
    TestCentral *tc = *state;
    json_t *list = demo_file(tc, "demo-members.json");
    const char *first = str(json_array_get(list, 0), "id");
    char path[96];
    Resp r;
    snprintf(path, sizeof path, "/v1/members/%s/orders", first);
    assert_int_equal(harness_get(tc, path, &r), 0);
    assert_int_equal(r.status, 200);
    json_t *channels = json_object(), *o, *line;
    int returns = 0;
    size_t i, k;
    json_array_foreach(json_object_get(r.json, "orders"), i, o)
    {
        json_object_set_new(channels, str(o, "channel"), json_true());
        json_array_foreach(json_object_get(o, "items"), k, line)
        {
            if (json_is_true(json_object_get(line, "returned"))) {
                returns++;
                assert_true(json_string_length(json_object_get(line, "return_reason")) > 0);
            }
        }
    }
    assert_true(json_object_size(channels) >= 2);
    assert_true(returns >= 1);
    json_decref(channels);
    resp_free(&r);
    json_decref(list);
}

/* --- stylist notes ------------------------------------------------------------------------- */

static void add_note(const TestCentral *tc, const char *member, const char *associate,
                     const char *store, json_t *text, Resp *r)
{
    char path[96];
    json_t *body = json_pack("{s:s,s:s}", "associate", associate, "store", store);
    if (text)
        json_object_set_new(body, "text", text);
    snprintf(path, sizeof path, "/v1/members/%s/notes", member);
    post_json(tc, path, body, r);
}

static void test_notes(void **state)
{
    TestCentral *tc = *state;
    Resp r;
    char id[32];

    /* The seed wrote notes on the first member, newest first. */
    assert_int_equal(harness_get(tc, "/v1/members/" MEMBER "/notes", &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(str(r.json, "member"), MEMBER);
    json_t *notes = json_object_get(r.json, "notes"), *n;
    size_t seeded = json_array_size(notes), i;
    assert_true(seeded >= 1 && seeded <= 20);
    json_array_foreach(notes, i, n)
    {
        assert_non_null(str(n, "id"));
        assert_true(json_string_length(json_object_get(n, "text")) > 0);
        assert_non_null(str(json_object_get(n, "associate"), "id"));
        assert_non_null(str(json_object_get(n, "associate"), "name"));
        assert_non_null(str(n, "store"));
        assert_int_equal(json_string_length(json_object_get(n, "created_at")), 20);
        if (i > 0)
            assert_true(
                strcmp(str(json_array_get(notes, i - 1), "created_at"), str(n, "created_at")) >= 0);
    }
    resp_free(&r);

    /* Add one: 201 with the note; it comes first in the list. Text is kept as written. */
    const char *text = "Loves the <b>Rust</b> colour — prefers \"slim\" & short sleeves. 🙂";
    add_note(tc, MEMBER, "S1002", STORE, json_string(text), &r);
    assert_int_equal(r.status, 201);
    snprintf(id, sizeof id, "%s", str(r.json, "id"));
    json_t *want = json_pack("{s:s,s:s,s:{s:s,s:s},s:s,s:O}", "id", id, "text", text, "associate",
                             "id", "S1002", "name", "Priya Shah", "store", STORE, "created_at",
                             json_object_get(r.json, "created_at"));
    assert_true(json_equal(r.json, want));
    json_decref(want);
    resp_free(&r);
    add_note(tc, MEMBER, "S1005", "sea-fremont", json_string("Second one"), &r);
    assert_int_equal(r.status, 201);
    char id2[32];
    snprintf(id2, sizeof id2, "%s", str(r.json, "id"));
    resp_free(&r);
    assert_int_equal(harness_get(tc, "/v1/members/" MEMBER "/notes", &r), 0);
    notes = json_object_get(r.json, "notes");
    assert_int_equal(json_array_size(notes), seeded + 2);
    assert_string_equal(str(json_array_get(notes, 0), "id"), id2);
    assert_string_equal(str(json_array_get(notes, 1), "id"), id);
    assert_string_equal(str(json_array_get(notes, 1), "text"), text);
    resp_free(&r);
    assert_int_equal(harness_get(tc, "/v1/members/" MEMBER "/notes?limit=1", &r), 0);
    assert_int_equal(json_array_size(json_object_get(r.json, "notes")), 1);
    assert_string_equal(str(json_array_get(json_object_get(r.json, "notes"), 0), "id"), id2);
    resp_free(&r);
    /* Another member's notes are theirs only. */
    assert_int_equal(harness_get(tc, "/v1/members/M10003/notes", &r), 0);
    assert_int_equal(r.status, 200);
    json_array_foreach(json_object_get(r.json, "notes"), i, n)
    {
        assert_string_not_equal(str(n, "id"), id);
        assert_string_not_equal(str(n, "id"), id2);
    }
    resp_free(&r);

    /* 280 bytes of multi-byte text is the most. */
    char full[281 + 4];
    memset(full, 'a', 280);
    memcpy(full, "\xc3\xa9\xc3\xa9", 4); /* "éé" */
    full[280] = '\0';
    add_note(tc, MEMBER, "S1001", STORE, json_string(full), &r);
    assert_int_equal(r.status, 201);
    resp_free(&r);
    full[280] = 'a';
    full[281] = '\0';
    add_note(tc, MEMBER, "S1001", STORE, json_string(full), &r);
    expect_error(&r, 400, "invalid_field");
    resp_free(&r);
}

static void test_notes_refused(void **state)
{
    TestCentral *tc = *state;
    Resp r, before, after;
    assert_int_equal(harness_get(tc, "/v1/members/M10002/notes?limit=50", &before), 0);
    assert_int_equal(before.status, 200);

    /* Bad text. */
    add_note(tc, "M10002", "S1001", STORE, NULL, &r);
    expect_error(&r, 400, "missing_field");
    resp_free(&r);
    add_note(tc, "M10002", "S1001", STORE, json_string(""), &r);
    expect_error(&r, 400, "missing_field");
    resp_free(&r);
    const char *bad[] = {"   ", "line\nbreak", "tab\there", "nul-free \x7f del", "c1 \xc2\x85 nel"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        add_note(tc, "M10002", "S1001", STORE, json_string(bad[i]), &r);
        expect_error(&r, 400, "invalid_field");
        resp_free(&r);
    }
    add_note(tc, "M10002", "S1001", STORE, json_integer(7), &r);
    expect_error(&r, 400, "invalid_field");
    resp_free(&r);
    assert_int_equal(harness_post(tc, "/v1/members/M10002/notes",
                                  "{\"associate\":\"S1001\",\"store\":\"" STORE
                                  "\",\"text\":\"a\\u0000b\"}",
                                  &r),
                     0);
    assert_int_equal(r.status, 400);
    assert_true(resp_is_error(&r, NULL));
    resp_free(&r);
    assert_int_equal(
        harness_post(tc, "/v1/members/M10002/notes",
                     "{\"associate\":\"S1001\",\"store\":\"" STORE "\",\"text\":\"\\ud800\"}", &r),
        0);
    assert_int_equal(r.status, 400);
    assert_true(resp_is_error(&r, NULL));
    resp_free(&r);

    /* Who and where. */
    add_note(tc, "M10002", "S9999", STORE, json_string("ok"), &r);
    expect_error(&r, 422, "unknown_associate");
    resp_free(&r);
    add_note(tc, "M10002", "S1007", STORE, json_string("ok"), &r); /* a technician */
    expect_error(&r, 422, "unknown_associate");
    resp_free(&r);
    add_note(tc, "M10002", "S1008", STORE, json_string("ok"), &r); /* left the company */
    expect_error(&r, 422, "unknown_associate");
    resp_free(&r);
    add_note(tc, "M10002", "S 1001", STORE, json_string("ok"), &r);
    expect_error(&r, 400, "invalid_field");
    resp_free(&r);
    add_note(tc, "M10002", "S1001", "mars", json_string("ok"), &r);
    expect_error(&r, 404, "store_not_found");
    resp_free(&r);
    add_note(tc, "M99999", "S1001", STORE, json_string("ok"), &r);
    expect_error(&r, 404, "member_not_found");
    resp_free(&r);
    assert_int_equal(harness_post(tc, "/v1/members/M10002/notes", "[]", &r), 0);
    expect_error(&r, 400, "invalid_json");
    resp_free(&r);

    /* Nothing of that was written. */
    assert_int_equal(harness_get(tc, "/v1/members/M10002/notes?limit=50", &after), 0);
    assert_true(json_equal(before.json, after.json));
    resp_free(&before);
    resp_free(&after);

    const char *bad_lists[] = {
        "/v1/members/M10002/notes?limit=0", "/v1/members/M10002/notes?limit=51",
        "/v1/members/M10002/notes?limit=ten", "/v1/members/M10002/notes?limit=5x", NULL};
    for (int i = 0; bad_lists[i]; i++) {
        assert_int_equal(harness_get(tc, bad_lists[i], &r), 0);
        expect_error(&r, 400, "invalid_parameter");
        resp_free(&r);
    }
    assert_int_equal(harness_get(tc, "/v1/members/M99999/notes", &r), 0);
    expect_error(&r, 404, "member_not_found");
    resp_free(&r);
    assert_int_equal(harness_get(tc, "/v1/members/M1%2B0001/notes", &r), 0);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    assert_int_equal(harness_call(tc, "DELETE", "/v1/members/M10002/notes", NULL, 0, NULL, &r), 0);
    expect_error(&r, 405, "method_not_allowed");
    resp_free(&r);
}

/* --- orders by an associate ------------------------------------------------------------------ */

/* A variant with at least 10 units online. */
static void online_variant(const TestCentral *tc, char *variant, size_t size)
{
    for (int p = 2; p < 40; p++) {
        char path[96];
        Resp r;
        snprintf(path, sizeof path, "/v1/products/P%04d/stock", p);
        assert_int_equal(harness_get(tc, path, &r), 0);
        json_t *locs = json_object_get(r.json, "locations"), *v;
        json_t *online = json_array_get(locs, json_array_size(locs) - 1);
        size_t i;
        json_array_foreach(json_object_get(online, "variants"), i, v)
        {
            if (json_integer_value(json_object_get(v, "qty")) >= 10) {
                snprintf(variant, size, "%s", str(v, "variant"));
                resp_free(&r);
                return;
            }
        }
        resp_free(&r);
    }
    fail_msg("no variant in stock online");
}

static void place(const TestCentral *tc, const char *key, json_t *body, Resp *r)
{
    char header[160];
    const char *headers[] = {header, NULL};
    snprintf(header, sizeof header, "Idempotency-Key: %s", key);
    char *text = json_dumps(body, JSON_COMPACT);
    assert_non_null(text);
    assert_int_equal(harness_call(tc, "POST", "/v1/orders", text, strlen(text), headers, r), 0);
    free(text);
    json_decref(body);
}

static json_t *order_body(const char *variant, const char *associate, const char *confirmed_by)
{
    json_t *b = json_pack("{s:s,s:s,s:s,s:[{s:s,s:i}],s:s,s:s}", "member", MEMBER, "store", STORE,
                          "device", "D000001", "items", "variant", variant, "qty", 1,
                          "shipping_option", "standard", "address_id", "default");
    if (associate)
        json_object_set_new(b, "associate", json_string(associate));
    if (confirmed_by)
        json_object_set_new(b, "confirmed_by", json_string(confirmed_by));
    return b;
}

static void test_orders_with_associate(void **state)
{
    TestCentral *tc = *state;
    char variant[64], id[32], path[96];
    Resp r, again, got;
    online_variant(tc, variant, sizeof variant);

    place(tc, "assoc-1", order_body(variant, "S1003", "card"), &r);
    if (r.status != 201)
        fail_msg("order: %ld %s", r.status, r.body);
    assert_string_equal(str(r.json, "associate"), "S1003");
    assert_string_equal(str(r.json, "confirmed_by"), "card");
    snprintf(id, sizeof id, "%s", str(r.json, "id"));

    /* Replay: the same body (keys in another order) gives back the same order. */
    json_t *same = json_pack("{s:s,s:s,s:s,s:s,s:s,s:[{s:i,s:s}],s:s,s:s}", "confirmed_by", "card",
                             "associate", "S1003", "address_id", "default", "shipping_option",
                             "standard", "device", "D000001", "items", "qty", 1, "variant", variant,
                             "store", STORE, "member", MEMBER);
    place(tc, "assoc-1", same, &again);
    assert_int_equal(again.status, 200);
    assert_true(again.replayed);
    assert_true(json_equal(again.json, r.json));
    resp_free(&again);
    /* The same key with the other confirmation is another order: refused. */
    place(tc, "assoc-1", order_body(variant, "S1003", "app"), &again);
    expect_error(&again, 409, "idempotency_key_reused");
    resp_free(&again);

    snprintf(path, sizeof path, "/v1/orders/%s", id);
    assert_int_equal(harness_get(tc, path, &got), 0);
    assert_int_equal(got.status, 200);
    assert_true(json_equal(got.json, r.json));
    resp_free(&got);
    resp_free(&r);

    /* In the member's history, with the attribution. */
    assert_int_equal(harness_get(tc, "/v1/members/" MEMBER "/orders?channel=kiosk", &r), 0);
    json_t *o = json_array_get(json_object_get(r.json, "orders"), 0);
    assert_string_equal(str(o, "id"), id);
    assert_string_equal(str(o, "confirmed_by"), "card");
    resp_free(&r);

    place(tc, "assoc-app", order_body(variant, "S1001", "app"), &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(str(r.json, "confirmed_by"), "app");
    resp_free(&r);

    /* Self-service: both null. */
    place(tc, "self-1", order_body(variant, NULL, NULL), &r);
    assert_int_equal(r.status, 201);
    assert_true(json_is_null(json_object_get(r.json, "associate")));
    assert_true(json_is_null(json_object_get(r.json, "confirmed_by")));
    resp_free(&r);
}

static void test_orders_associate_refused(void **state)
{
    TestCentral *tc = *state;
    char variant[64];
    Resp r;
    online_variant(tc, variant, sizeof variant);

    place(tc, "bad-1", order_body(variant, "S9999", "card"), &r);
    expect_error(&r, 422, "unknown_associate");
    resp_free(&r);
    place(tc, "bad-2", order_body(variant, "S1007", "card"), &r); /* a technician */
    expect_error(&r, 422, "unknown_associate");
    resp_free(&r);
    place(tc, "bad-3", order_body(variant, "S1008", "card"), &r); /* inactive */
    expect_error(&r, 422, "unknown_associate");
    resp_free(&r);
    place(tc, "bad-4", order_body(variant, "S1003", NULL), &r);
    expect_error(&r, 400, "missing_field");
    resp_free(&r);
    const char *values[] = {"nfc", "", "CARD", "card ", NULL};
    for (int i = 0; values[i]; i++) {
        place(tc, "bad-5", order_body(variant, "S1003", values[i]), &r);
        expect_error(&r, 400, "invalid_field");
        resp_free(&r);
    }
    json_t *b = order_body(variant, "S1003", NULL);
    json_object_set_new(b, "confirmed_by", json_true());
    place(tc, "bad-6", b, &r);
    expect_error(&r, 400, "invalid_field");
    resp_free(&r);
    b = order_body(variant, NULL, NULL);
    json_object_set_new(b, "associate", json_string("S1003; DROP TABLE orders"));
    json_object_set_new(b, "confirmed_by", json_string("card"));
    place(tc, "bad-7", b, &r);
    expect_error(&r, 400, "invalid_field");
    resp_free(&r);

    /* A refused request did not use up its key: the corrected body is placed under it. */
    place(tc, "bad-1", order_body(variant, "S1004", "card"), &r);
    assert_int_equal(r.status, 201);
    assert_false(r.replayed);
    assert_string_equal(str(r.json, "associate"), "S1004");
    resp_free(&r);
}

/* --- fitting requests and the floor page ------------------------------------------------- */

static void fitting(const TestCentral *tc, const char *store, const char *room, const char *variant,
                    char *id, size_t size)
{
    Resp r;
    post_json(tc, "/v1/fitting-requests",
              json_pack("{s:s,s:s,s:s,s:s,s:s}", "store", store, "room", room, "variant", variant,
                        "member", MEMBER, "device", "D-mirror-1"),
              &r);
    if (r.status != 201)
        fail_msg("fitting request: %ld %s", r.status, r.body);
    assert_string_equal(str(r.json, "member"), MEMBER);
    assert_string_equal(str(r.json, "device"), "D-mirror-1");
    snprintf(id, size, "%s", str(r.json, "id"));
    resp_free(&r);
}

static void test_fitting_fields(void **state)
{
    TestCentral *tc = *state;
    char id[32], path[96];
    Resp r;
    fitting(tc, "sea-ballard", "Room 4", "V00012", id, sizeof id);
    snprintf(path, sizeof path, "/v1/fitting-requests/%s", id);
    assert_int_equal(harness_get(tc, path, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(str(r.json, "member"), MEMBER);
    assert_string_equal(str(r.json, "status"), "requested");
    resp_free(&r);
    /* Without member and device: both null. */
    post_json(
        tc, "/v1/fitting-requests",
        json_pack("{s:s,s:s,s:s}", "store", "sea-ballard", "room", "Room 5", "variant", "V00012"),
        &r);
    assert_int_equal(r.status, 201);
    assert_true(json_is_null(json_object_get(r.json, "member")));
    assert_true(json_is_null(json_object_get(r.json, "device")));
    resp_free(&r);
    post_json(tc, "/v1/fitting-requests",
              json_pack("{s:s,s:s,s:s,s:s}", "store", "sea-ballard", "room", "Room 5", "variant",
                        "V00012", "member", "M99999"),
              &r);
    expect_error(&r, 422, "unknown_member");
    resp_free(&r);
    post_json(tc, "/v1/fitting-requests",
              json_pack("{s:s,s:s,s:s,s:s}", "store", "sea-ballard", "room", "Room 5", "variant",
                        "V00012", "device", "mirror 1"),
              &r);
    expect_error(&r, 400, "invalid_field");
    resp_free(&r);
}

static void test_floor_page(void **state)
{
    TestCentral *tc = *state;
    const char *hostile = "<script>alert(1)</script>\"'&";
    char open_id[32], moving_id[32], done_id[32], path[96];
    Resp r;
    fitting(tc, "sea-fremont", hostile, "V00010", open_id, sizeof open_id);
    fitting(tc, "sea-fremont", "Room 2", "V00011", moving_id, sizeof moving_id);
    fitting(tc, "sea-fremont", "Room 3", "V00013", done_id, sizeof done_id);
    snprintf(path, sizeof path, "/v1/fitting-requests/%s/status", moving_id);
    post_json(tc, path, json_pack("{s:s,s:s}", "status", "on_its_way", "associate", "S1005"), &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    snprintf(path, sizeof path, "/v1/fitting-requests/%s/status", done_id);
    post_json(tc, path, json_pack("{s:s}", "status", "unavailable"), &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);

    assert_int_equal(harness_get(tc, "/floor/sea-fremont?associate=S1005", &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.content_type, "text/html"));
    assert_null(r.json);
    /* The hostile room name is there, escaped, and nowhere raw. */
    assert_null(strstr(r.body, "<script>alert"));
    assert_null(strstr(r.body, hostile));
    assert_non_null(strstr(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"));
    /* Open requests only, each with its two buttons; the page's own script. */
    char attr[64];
    snprintf(attr, sizeof attr, "data-id=\"%s\"", open_id);
    assert_non_null(strstr(r.body, attr));
    snprintf(attr, sizeof attr, "data-id=\"%s\"", moving_id);
    assert_non_null(strstr(r.body, attr));
    snprintf(attr, sizeof attr, "data-id=\"%s\"", done_id);
    assert_null(strstr(r.body, attr));
    assert_non_null(strstr(r.body, "On its way"));
    assert_non_null(strstr(r.body, "Unavailable"));
    assert_non_null(strstr(r.body, "/v1/fitting-requests/"));
    assert_non_null(strstr(r.body, "fetch("));
    assert_non_null(strstr(r.body, "setInterval(refresh,5000)"));
    assert_non_null(strstr(r.body, "data-associate=\"S1005\""));
    assert_non_null(strstr(r.body, "Fremont"));
    /* Self-contained. */
    assert_null(strstr(r.body, "src="));
    assert_null(strstr(r.body, "<link"));
    assert_null(strstr(r.body, "http://"));
    assert_null(strstr(r.body, "https://"));
    resp_free(&r);

    /* The floor of another store does not show them. */
    assert_int_equal(harness_get(tc, "/floor/sea-ballard", &r), 0);
    assert_int_equal(r.status, 200);
    snprintf(attr, sizeof attr, "data-id=\"%s\"", open_id);
    assert_null(strstr(r.body, attr));
    resp_free(&r);

    /* Unknown store, the warehouse, a hostile associate: HTML pages, escaped too. */
    const char *bad[] = {"/floor/mars", "/floor/online", "/floor/%3Cscript%3E", NULL};
    for (int i = 0; bad[i]; i++) {
        assert_int_equal(harness_get(tc, bad[i], &r), 0);
        assert_int_equal(r.status, 404);
        assert_non_null(strstr(r.content_type, "text/html"));
        assert_null(strstr(r.body, "<script>"));
        resp_free(&r);
    }
    assert_int_equal(harness_get(tc, "/floor/sea-fremont?associate=%3Cscript%3E", &r), 0);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.content_type, "text/html"));
    assert_null(strstr(r.body, "<script>"));
    resp_free(&r);
    assert_int_equal(harness_post(tc, "/floor/sea-fremont", "{}", &r), 0);
    expect_error(&r, 405, "method_not_allowed");
    resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_staff_file),
        cmocka_unit_test(test_staff_identify),
        cmocka_unit_test(test_staff_identify_refusals),
        cmocka_unit_test(test_preferences),
        cmocka_unit_test(test_first_member_history),
        cmocka_unit_test(test_notes),
        cmocka_unit_test(test_notes_refused),
        cmocka_unit_test(test_orders_with_associate),
        cmocka_unit_test(test_orders_associate_refused),
        cmocka_unit_test(test_fitting_fields),
        cmocka_unit_test(test_floor_page),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
