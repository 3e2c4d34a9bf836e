/* test_mirror.c: the fitting room and the showroom end to end, with real parts only: a
 * headless kiosk (as a portrait mirror, or a kiosk that allows associate mode) driven through
 * its control socket, the development central service over HTTPS, garment tags, loyalty
 * cards and staff badges read through libnfc from the PN532 emulator.
 * - A garment's tag opens that product with its stock here, nearby and online, what
 *   completes the look, and the signed-in shopper's own size already chosen.
 * - "Bring me another size" reaches the service with this mirror's room; the floor team's
 *   answer shows on the mirror as it changes.
 * - Tags the catalog does not know, and tags that are not ours, get a kind message.
 * - An associate's badge opens associate mode; they find the customer, see their history and
 *   keep a note; the order they build waits for the customer's own card (another card is
 *   refused) and reaches the service exactly once, attributed to the associate; a second tap
 *   of the badge locks everything away.
 * - A shopper never reaches associate mode: not with a badge on a device that does not
 *   allow it, nor through the control socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_filter.h"

#include "journey.h"

#define MIRROR_CONF                                                                                \
    "[store]\nfitting_room = Fitting room 3\n[staff]\nassociate_mode = true\n"                     \
    "[session]\nidle_seconds = 120\n"

static const char *const MIRROR_ARGS[] = {"--mode", "mirror", NULL};

static json_t *kiosk_state(World *w)
{
    json_t *st = kiosk_proc_cmd(&w->kiosk, "state", NULL);
    assert_non_null(st);
    return st;
}

static void await_state(World *w, const char *field, json_t *want)
{
    json_t *last = NULL;
    char *shown = json_dumps(want, JSON_ENCODE_ANY);
    if (!kiosk_await_state(&w->kiosk, field, want, 15000, &last))
        fail_msg("%s never became %s: %s", field, shown, json_dumps(last, 0));
    free(shown);
    json_decref(last);
}

/* GET on the service; the reply's JSON is the caller's. */
static json_t *service_get(World *w, const char *path)
{
    Resp r;
    assert_int_equal(harness_get(&w->central, path, &r), 0);
    assert_int_equal(r.status, 200);
    json_t *j = json_incref(r.json);
    resp_free(&r);
    return j;
}

/* The first variant of a demo product: its GTIN, and the product's name and category. */
static void demo_garment(World *w, const char *product, char *gtin, char *name, size_t size)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/products/%s", product);
    json_t *p = service_get(w, path);
    json_t *v = json_array_get(json_object_get(p, "variants"), 0);
    snprintf(gtin, 32, "%s", json_string_value(json_object_get(v, "gtin")));
    snprintf(name, size, "%s", json_string_value(json_object_get(p, "name")));
    json_decref(p);
}

/* The widget ids starting with prefix, in screen order; how many. */
static int ids_with(json_t *u, const char *prefix, char out[][64], int max)
{
    int n = 0;
    size_t i;
    json_t *wd;
    json_array_foreach(json_object_get(u, "widgets"), i, wd)
    {
        const char *id = json_string_value(json_object_get(wd, "id"));
        if (strncmp(id, prefix, strlen(prefix)) == 0 && n < max)
            snprintf(out[n++], 64, "%s", id);
    }
    return n;
}

static bool selected(json_t *u, const char *id)
{
    json_t *wd = kiosk_widget(u, id);
    return wd && json_is_true(json_object_get(wd, "selected"));
}

static void garment_tag_opens_the_product_with_stock_everywhere(void **state)
{
    World *w = *state;
    char member[64], gtin[32], name[128], path[128];
    journey_start_kiosk(w, MIRROR_CONF, MIRROR_ARGS);
    journey_demo_member(w, "", member, sizeof member);
    snprintf(path, sizeof path, "/v1/members/%s", member);
    json_t *profile = service_get(w, path);
    const char *shoe =
        json_string_value(json_object_get(json_object_get(profile, "sizes"), "shoe"));
    assert_non_null(shoe);
    /* The mirror at rest: a garment's tag wakes it straight onto that product. */
    demo_garment(w, "P0001", gtin, name, sizeof name);
    journey_tap_garment(w, "--gtin", gtin);
    journey_await_screen(w, "product");
    json_t *u = journey_await_widget(w, "stock-online", false);
    assert_string_equal(journey_text_of(u, "name"), name);
    /* Stock here first, then other stores by distance, online last. */
    char rows[16][64];
    int n = ids_with(u, "stock-sea-", rows, 16);
    assert_true(n >= 2);
    assert_string_equal(rows[0], "stock-sea-ballard");
    bool nearby = false;
    for (int i = 0; i < n; i++)
        nearby |= strstr(rows[i], "-distance") != NULL;
    assert_true(nearby);
    /* The tag's own size is chosen, and the look is completed with other things. */
    assert_true(selected(u, "size-6"));
    json_decref(u);
    json_decref(journey_await_widget(w, "look-0", true));
    journey_layout_ok(w, "mirror product");
    json_t *shot = json_pack("{s:s}", "path", "mirror-product.png");
    json_decref(kiosk_proc_cmd(&w->kiosk, "screenshot", shot));
    /* Signed in, the same tag chooses their own size in the tag's colour. */
    journey_tap_card_of(w, member);
    await_state(w, "member", json_string(member));
    journey_tap_garment(w, "--gtin", gtin);
    char want[64];
    snprintf(want, sizeof want, "size-%s", shoe);
    for (int i = 0; i < 250; i++) {
        u = journey_ui(w);
        bool ok = selected(u, want);
        json_decref(u);
        if (ok)
            break;
        assert_true(i < 249);
        journey_pause_ms(20);
    }
    json_decref(profile);
}

static void size_request_reaches_the_floor_and_its_news_shows(void **state)
{
    World *w = *state;
    char gtin[32], name[128];
    journey_start_kiosk(w, MIRROR_CONF, MIRROR_ARGS);
    demo_garment(w, "P0001", gtin, name, sizeof name);
    journey_tap_garment(w, "--gtin", gtin);
    journey_await_screen(w, "product");
    json_decref(journey_await_widget(w, "fitting-open", true));
    journey_press(w, "fitting-open");
    json_t *u = journey_await_widget(w, "fitting-size-2", true);
    journey_layout_ok(w, "size picker");
    json_decref(u);
    journey_press(w, "fitting-size-2");
    await_state(w, "fitting", json_string("requested"));
    /* At the service: one open request for this room, for that variant. */
    json_t *list = service_get(w, "/v1/fitting-requests?store=sea-ballard&status=requested");
    json_t *reqs = json_object_get(list, "requests");
    assert_int_equal(json_array_size(reqs), 1);
    json_t *fr = json_array_get(reqs, 0);
    assert_string_equal(json_string_value(json_object_get(fr, "room")), "Fitting room 3");
    json_t *product = service_get(w, "/v1/products/P0001");
    const char *v2 = json_string_value(
        json_object_get(json_array_get(json_object_get(product, "variants"), 2), "id"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(fr, "variant"), "id")),
                        v2);
    char path[128];
    snprintf(path, sizeof path, "/v1/fitting-requests/%s/status",
             json_string_value(json_object_get(fr, "id")));
    json_decref(product);
    /* The floor team answers: the mirror shows it without a touch. */
    Resp r;
    assert_int_equal(harness_post(&w->central, path, "{\"status\":\"on_its_way\"}", &r), 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    json_decref(list);
    await_state(w, "fitting", json_string("on_its_way"));
    u = journey_await_widget(w, "fitting-text", false);
    assert_non_null(strstr(journey_text_of(u, "fitting-text"), "on its way"));
    assert_non_null(strstr(journey_text_of(u, "fitting-text"), "Fitting room 3"));
    json_decref(u);
    journey_layout_ok(w, "fitting news");
    /* None to bring after all: said kindly, and put away with one touch. */
    assert_int_equal(harness_post(&w->central, path, "{\"status\":\"unavailable\"}", &r), 0);
    resp_free(&r);
    await_state(w, "fitting", json_string("unavailable"));
    journey_press(w, "fitting-dismiss");
    await_state(w, "fitting", json_string("none"));
}

static void unknown_and_foreign_garment_tags_get_a_kind_message(void **state)
{
    World *w = *state;
    journey_start_kiosk(w, MIRROR_CONF "[identity]\nproduct_uri = https://shop.example.com/p/\n",
                        MIRROR_ARGS);
    /* A real GTIN this retailer does not sell (GS1's example company, an unused item). */
    journey_tap_garment(w, "--gtin", "0614141999996");
    await_state(w, "notice", json_string("garment_unknown"));
    json_t *st = kiosk_state(w);
    assert_string_not_equal(json_string_value(json_object_get(st, "screen")), "product");
    json_decref(st);
    /* Another shop's product page: not one of our tags. */
    journey_tap_garment(w, "--uri", "https://elsewhere.example.org/item/123");
    await_state(w, "notice", json_string("tag_unknown"));
    /* The retailer's own product URI opens that product. */
    journey_tap_garment(w, "--uri", "https://shop.example.com/p/P0002?src=tag");
    journey_await_screen(w, "product");
    json_t *product = service_get(w, "/v1/products/P0002");
    json_t *u = journey_await_widget(w, "name", false);
    assert_string_equal(journey_text_of(u, "name"),
                        json_string_value(json_object_get(product, "name")));
    json_decref(u);
    json_decref(product);
}

/* A demo associate of this store, from demo-staff.json. */
static void demo_associate(World *w, char *id, size_t size, char *name, size_t name_size)
{
    char path[HARNESS_PATH_MAX + 32];
    harness_path(&w->central, "demo-staff.json", path, sizeof path);
    json_t *list = json_load_file(path, 0, NULL);
    assert_non_null(list);
    size_t i;
    json_t *s;
    json_array_foreach(list, i, s)
    {
        if (strcmp(json_string_value(json_object_get(s, "role")), "staff") == 0 &&
            strcmp(json_string_value(json_object_get(s, "store")), "sea-ballard") == 0 &&
            json_is_true(json_object_get(s, "active"))) {
            snprintf(id, size, "%s", json_string_value(json_object_get(s, "id")));
            if (name)
                snprintf(name, name_size, "%s · Ballard",
                         json_string_value(json_object_get(s, "name")));
            json_decref(list);
            return;
        }
    }
    fail_msg("no demo associate at sea-ballard");
}

static void type_text(World *w, const char *text)
{
    for (const char *p = text; *p; p++) {
        json_t *r =
            kiosk_proc_cmd(&w->kiosk, "intent",
                           json_pack("{s:s,s:i}", "name", "key", "arg", (int)(unsigned char)*p));
        json_decref(r);
    }
}

/* The whole of an associate's order for a customer, on a showroom's landscape kiosk or on a
 * fitting room's portrait mirror (args NULL or MIRROR_ARGS). */
static void associate_orders(World *w, const char *const *args)
{
    char staff[64], staff_name[160], member[64], other[64], path[160];
    demo_associate(w, staff, sizeof staff, staff_name, sizeof staff_name);
    journey_demo_member(w, "", member, sizeof member);
    journey_demo_member(w, "es", other, sizeof other);
    assert_string_not_equal(member, other);
    journey_start_kiosk(
        w, args ? MIRROR_CONF : "[staff]\nassociate_mode = true\n[session]\nidle_seconds = 120\n",
        args);
    /* The badge: associate mode, with their name from the service. */
    journey_tap_badge(w, "staff", staff, "04aa55aa55aa01");
    journey_await_screen(w, "associate");
    await_state(w, "associate", json_true());
    json_decref(journey_await_widget(w, "lock", true));
    for (int i = 0;; i++) { /* named by the service, with their store */
        json_t *u = journey_ui(w);
        const char *who = journey_text_of(u, "staff-name");
        bool named = who && strcmp(who, staff_name) == 0;
        json_decref(u);
        if (named)
            break;
        assert_true(i < 500);
        journey_pause_ms(20);
    }
    json_t *u;
    /* The customer's card: their file, with history on every channel and returns. */
    journey_tap_card_of(w, member);
    journey_await_screen(w, "customer");
    u = journey_await_widget(w, "order-0", false);
    char returns[4][64]; /* the demo's first member sent a top back: it leads, with why */
    assert_true(ids_with(u, "return-", returns, 4) >= 1);
    assert_non_null(strstr(journey_text_of(u, returns[0]), "Too small"));
    /* Their sizes and taste as the service keeps them, all of it in either orientation. */
    snprintf(path, sizeof path, "/v1/members/%s", member);
    json_t *profile = service_get(w, path);
    json_t *prefs = json_object_get(profile, "preferences");
    const char *shoe =
        json_string_value(json_object_get(json_object_get(profile, "sizes"), "shoe"));
    assert_non_null(shoe);
    assert_non_null(strstr(journey_text_of(u, "size-shoe"), shoe));
    const char *colour = json_string_value(json_array_get(json_object_get(prefs, "colours"), 0));
    assert_non_null(colour);
    assert_non_null(strstr(journey_text_of(u, "pref-colours"), colour));
    assert_true(json_array_size(json_object_get(prefs, "styles")) > 0);
    assert_non_null(kiosk_widget(u, "pref-styles"));
    json_decref(profile);
    json_decref(u);
    journey_layout_ok(w, "customer file");
    json_decref(kiosk_proc_cmd(
        &w->kiosk, "screenshot",
        json_pack("{s:s}", "path",
                  args ? "associate-customer-mirror.png" : "associate-customer.png")));
    /* A note, kept at the service. */
    journey_press(w, "add-note");
    journey_await_screen(w, "note");
    type_text(w, "Loved the Puget Racer in forest");
    json_decref(journey_await_widget(w, "note-save", true));
    journey_press(w, "note-save");
    journey_await_screen(w, "customer");
    snprintf(path, sizeof path, "/v1/members/%s/notes", member);
    json_t *notes = service_get(w, path);
    json_t *first = json_array_get(json_object_get(notes, "notes"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "text")),
                        "Loved the Puget Racer in forest");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(first, "associate"), "id")), staff);
    json_decref(notes);
    /* A look: a pick of theirs into the bag, then checkout. */
    journey_press(w, "build-look");
    journey_await_screen(w, "home");
    json_decref(journey_await_widget(w, "rec-0", true));
    journey_press(w, "rec-0");
    journey_await_screen(w, "product");
    u = journey_await_widget(w, "stock-title", false);
    json_decref(u);
    for (int i = 0; i < 250; i++) { /* a size with stock, if theirs is not chosen */
        u = journey_ui(w);
        json_t *add = kiosk_widget(u, "add-to-bag");
        bool ready = add && json_is_true(json_object_get(add, "enabled"));
        if (!ready) {
            char sizes[32][64];
            int n = ids_with(u, "size-", sizes, 32);
            for (int k = 0; k < n && !ready; k++) {
                json_t *chip = kiosk_widget(u, sizes[k]);
                if (json_is_true(json_object_get(chip, "enabled"))) {
                    journey_press(w, sizes[k]);
                    ready = true;
                }
            }
        }
        json_decref(u);
        if (ready)
            break;
        journey_pause_ms(20);
    }
    json_decref(journey_await_widget(w, "add-to-bag", true));
    journey_press(w, "add-to-bag");
    journey_press(w, "bag");
    journey_await_screen(w, "cart");
    journey_press(w, "checkout");
    journey_await_screen(w, "checkout");
    json_decref(journey_await_widget(w, "place-order", true));
    journey_press(w, "place-order");
    /* Nothing is placed until the customer says so with their own card. */
    journey_await_screen(w, "confirm");
    journey_layout_ok(w, "customer confirms");
    journey_tap_card_of(w, other);
    await_state(w, "notice", json_string("wrong_customer"));
    snprintf(path, sizeof path, "/v1/members/%s/orders?channel=kiosk", member);
    json_t *before = service_get(w, path);
    size_t had = json_array_size(json_object_get(before, "orders"));
    json_decref(before);
    journey_tap_card_of(w, member);
    journey_await_screen(w, "confirmation");
    json_t *now = kiosk_state(w); /* the word about the other card went with it */
    assert_string_equal(json_string_value(json_object_get(now, "notice")), "none");
    json_decref(now);
    json_decref(journey_await_widget(w, "tracking-qr", false));
    journey_layout_ok(w, "confirmation");
    /* Exactly one new order, attributed to the associate and this store. */
    json_t *after = service_get(w, path);
    json_t *orders = json_object_get(after, "orders");
    assert_int_equal(json_array_size(orders), had + 1);
    json_t *o = json_array_get(orders, 0);
    assert_string_equal(json_string_value(json_object_get(o, "associate")), staff);
    assert_string_equal(json_string_value(json_object_get(o, "confirmed_by")), "card");
    assert_string_equal(json_string_value(json_object_get(o, "store")), "sea-ballard");
    json_decref(after);
    /* Next customer: theirs goes, the associate stays; a second tap of the badge locks. */
    journey_press(w, "done");
    journey_await_screen(w, "associate");
    json_t *st = kiosk_state(w);
    assert_true(json_is_null(json_object_get(st, "member")));
    assert_true(json_is_true(json_object_get(st, "associate")));
    json_decref(st);
    journey_tap_badge(w, "staff", staff, "04aa55aa55aa01");
    journey_await_screen(w, "attract");
    st = kiosk_state(w);
    assert_true(json_is_false(json_object_get(st, "associate")));
    assert_int_equal(json_integer_value(json_object_get(st, "cart")), 0);
    json_decref(st);
}

static void associate_orders_for_a_customer_who_confirms_with_their_card(void **state)
{
    associate_orders(*state, NULL);
}

static void associate_orders_at_the_mirror(void **state)
{
    associate_orders(*state, MIRROR_ARGS);
}

static void attempt_associate_intents(World *w, const char *screen)
{
    static const char *const intents[] = {"open_customer", "open_note", "save_note",
                                          "next_customer", "lock"};
    for (size_t i = 0; i < sizeof intents / sizeof intents[0]; i++) {
        json_t *r = kiosk_proc_cmd(&w->kiosk, "intent", json_pack("{s:s}", "name", intents[i]));
        assert_non_null(r);
        json_decref(r);
    }
    journey_pause_ms(300);
    json_t *st = kiosk_state(w);
    assert_string_equal(json_string_value(json_object_get(st, "screen")), screen);
    assert_true(json_is_false(json_object_get(st, "associate")));
    json_decref(st);
}

static void shoppers_never_reach_associate_mode(void **state)
{
    World *w = *state;
    char staff[64], member[64];
    demo_associate(w, staff, sizeof staff, NULL, 0);
    journey_demo_member(w, "", member, sizeof member);
    /* A shop-floor kiosk that does not allow associate mode (the default). */
    journey_start_kiosk(w, NULL, NULL);
    journey_tap_card_of(w, member);
    journey_await_screen(w, "home");
    attempt_associate_intents(w, "home");
    journey_tap_badge(w, "staff", staff, "04aa55aa55aa01");
    await_state(w, "notice", json_string("staff_badge"));
    json_t *st = kiosk_state(w);
    assert_string_equal(json_string_value(json_object_get(st, "member")), member);
    assert_true(json_is_false(json_object_get(st, "associate")));
    json_decref(st);
    /* Screens of associate mode cannot even be waited for into being. */
    json_t *r = kiosk_proc_cmd(&w->kiosk, "wait",
                               json_pack("{s:s,s:i}", "screen", "customer", "timeout_ms", 300));
    assert_non_null(json_object_get(r, "error"));
    json_decref(r);
    assert_int_equal(kiosk_proc_stop(&w->kiosk), 0);
    w->kiosk.pid = 0;
    /* Where it is allowed, the badge ends the shopper's session first: nothing carries over. */
    journey_start_kiosk(w, "[staff]\nassociate_mode = true\n", NULL);
    attempt_associate_intents(w, "attract");
    journey_tap_card_of(w, member);
    journey_await_screen(w, "home");
    journey_tap_badge(w, "staff", staff, "04aa55aa55aa01");
    journey_await_screen(w, "associate");
    st = kiosk_state(w);
    assert_true(json_is_null(json_object_get(st, "member")));
    assert_int_equal(json_integer_value(json_object_get(st, "cart")), 0);
    json_decref(st);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(garment_tag_opens_the_product_with_stock_everywhere,
                                        journey_setup, journey_teardown),
        cmocka_unit_test_setup_teardown(size_request_reaches_the_floor_and_its_news_shows,
                                        journey_setup, journey_teardown),
        cmocka_unit_test_setup_teardown(unknown_and_foreign_garment_tags_get_a_kind_message,
                                        journey_setup, journey_teardown),
        cmocka_unit_test_setup_teardown(
            associate_orders_for_a_customer_who_confirms_with_their_card, journey_setup,
            journey_teardown),
        cmocka_unit_test_setup_teardown(associate_orders_at_the_mirror, journey_setup,
                                        journey_teardown),
        cmocka_unit_test_setup_teardown(shoppers_never_reach_associate_mode, journey_setup,
                                        journey_teardown),
    };
    TEST_FILTER(argc, argv, tests);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
