/* test_shopping.c: the shopper's journey end to end, with real parts only: a headless kiosk
 * driven through its control socket, the development central service over HTTPS, a card
 * read through libnfc from the PN532 emulator, the kiosk's own SQLite store and outbox.
 * A demo member taps their card, opens a recommendation, checks the stock here and in the
 * nearest stores, picks a size, orders to their saved address, and exactly that order
 * exists at the central service; then the idle timer wipes the session. Also: every screen
 * of the journey fits (no clipped text, touch targets) in every shipped language, landscape
 * and portrait, and the saved address on screen is masked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "test_filter.h"

#include "journey.h"

/* The stock rows of the product screen in the order shown: "stock-<store>" ids. */
static int stock_rows(json_t *u, char stores[][64], int max)
{
    int n = 0;
    size_t i;
    json_t *wd;
    json_array_foreach(json_object_get(u, "widgets"), i, wd)
    {
        const char *id = json_string_value(json_object_get(wd, "id"));
        if (strncmp(id, "stock-", 6) != 0 || strchr(id + 6, '-') == NULL)
            continue;
        /* "stock-sea-ballard" is a row; "stock-sea-ballard-qty" one of its cells */
        const char *rest = id + 6;
        if (strstr(rest, "-qty") || strstr(rest, "-age") || strstr(rest, "-distance"))
            continue;
        if (n < max)
            snprintf(stores[n++], 64, "%s", rest);
    }
    return n;
}

static double distance_of(json_t *u, const char *store)
{
    char id[96];
    snprintf(id, sizeof id, "stock-%s-distance", store);
    const char *t = journey_text_of(u, id);
    assert_non_null(t);
    return atof(t);
}

static void shop_and_order_to_home(void **state)
{
    World *w = *state;
    journey_start_kiosk(w, "[session]\nidle_seconds = 10\nwarning_seconds = 20\n", NULL);
    char member[64];
    journey_demo_member(w, "en", member, sizeof member);
    journey_press(w, "start");
    journey_await_screen(w, "identify");
    journey_tap_card_of(w, member);
    journey_await_screen(w, "home");

    /* A recommendation, with its reason, opens its product. */
    json_t *u = journey_await_widget(w, "rec-0", true);
    const char *reason = journey_text_of(u, "rec-0-reason");
    assert_non_null(reason);
    assert_true(strlen(reason) > 10);
    json_decref(u);
    journey_press(w, "rec-0");
    journey_await_screen(w, "product");
    u = journey_await_widget(w, "stock-online", false);
    json_decref(u);
    /* Pick an available size: the first enabled size chip (the member's is preselected). */
    u = journey_ui(w);
    const char *size_id = NULL;
    size_t i;
    json_t *wd;
    json_array_foreach(json_object_get(u, "widgets"), i, wd)
    {
        const char *id = json_string_value(json_object_get(wd, "id"));
        if (strncmp(id, "size-", 5) == 0 && strcmp(id, "size-label") != 0 &&
            json_is_true(json_object_get(wd, "enabled")) && !size_id)
            size_id = id;
    }
    char chosen[64] = "";
    if (size_id) {
        snprintf(chosen, sizeof chosen, "%s", size_id);
        journey_press(w, chosen);
    }
    json_decref(u);
    u = journey_await_widget(w, "stock-sea-ballard", false);
    /* This store first, then at least three nearby stores nearest first, online last. */
    char stores[16][64];
    int n = stock_rows(u, stores, 16);
    assert_true(n >= 4);
    assert_string_equal(stores[0], "sea-ballard");
    assert_non_null(strstr(journey_text_of(u, "stock-sea-ballard"), "Here"));
    double prev = 0;
    for (int k = 1; k < 4; k++) {
        double d = distance_of(u, stores[k]);
        assert_true(d >= prev);
        prev = d;
    }
    assert_non_null(journey_text_of(u, "stock-online"));
    assert_non_null(strstr(journey_text_of(u, "stock-fresh"), "Live"));
    journey_layout_ok(w, "product");
    json_decref(u);

    json_decref(journey_await_widget(w, "add-to-bag", true));
    journey_press(w, "add-to-bag");
    journey_press(w, "bag");
    journey_await_screen(w, "cart");
    json_t *st = kiosk_proc_cmd(&w->kiosk, "state", NULL);
    assert_int_equal(json_integer_value(json_object_get(st, "cart")), 1);
    json_decref(st);
    journey_press(w, "line-0-more"); /* two of them */
    journey_layout_ok(w, "cart");
    journey_press(w, "checkout");
    journey_await_screen(w, "checkout");
    u = journey_await_widget(w, "place-order", true);
    const char *addr = journey_text_of(u, "address-0-detail");
    assert_non_null(addr);
    assert_non_null(strstr(addr, "\xE2\x80\xA2")); /* masked on screen */
    json_decref(u);
    journey_layout_ok(w, "checkout");
    journey_press(w, "place-order");
    journey_await_screen(w, "confirmation");
    u = journey_await_widget(w, "order-number", false);
    char number[64];
    const char *on = journey_text_of(u, "order-number");
    assert_non_null(strstr(on, "K-"));
    snprintf(number, sizeof number, "%.*s", 8, strstr(on, "K-"));
    assert_non_null(kiosk_widget(u, "tracking-qr"));
    json_decref(u);
    journey_layout_ok(w, "confirmation");
    /* The tracking QR is what a phone camera reads: decode the screenshot with zbarimg. */
    char shot[600], cmd[1400], decoded[600] = "";
    kiosk_proc_path(&w->kiosk, "confirmation.png", shot, sizeof shot);
    json_decref(kiosk_proc_cmd(&w->kiosk, "screenshot", json_pack("{s:s}", "path", shot)));
    snprintf(cmd, sizeof cmd, "zbarimg --nodbus -q --raw '%s'", shot);
    FILE *zb = popen(cmd, "r");
    assert_non_null(zb);
    assert_non_null(fgets(decoded, sizeof decoded, zb));
    pclose(zb);
    assert_non_null(strstr(decoded, "/track/"));
    assert_non_null(strstr(decoded, number));

    /* Exactly one kiosk order with those items at the central service. */
    char path[256];
    snprintf(path, sizeof path, "/v1/members/%s/orders?channel=kiosk", member);
    Resp r;
    assert_int_equal(harness_call(&w->central, "GET", path, NULL, 0, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    json_t *orders = json_object_get(r.json, "orders");
    assert_int_equal(json_array_size(orders), 1);
    json_t *o = json_array_get(orders, 0);
    assert_string_equal(json_string_value(json_object_get(o, "number")), number);
    assert_string_equal(json_string_value(json_object_get(o, "store")), "sea-ballard");
    json_t *items = json_object_get(o, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "qty")), 2);
    assert_non_null(json_string_value(json_object_get(o, "address_id")));
    resp_free(&r);

    /* Walk away: "Still there?" after idle_seconds, then the wipe back to attract. */
    json_t *last = NULL;
    if (!kiosk_await_state(&w->kiosk, "screen", json_string("attract"), 40000, &last))
        fail_msg("the idle wipe never came: %s", json_dumps(last, 0));
    json_decref(last);
    st = kiosk_proc_cmd(&w->kiosk, "state", NULL);
    assert_true(json_is_null(json_object_get(st, "member")));
    assert_int_equal(json_integer_value(json_object_get(st, "cart")), 0);
    json_decref(st);
}

/* Search, typed on the screen's keyboard, until its first hit shows. */
static void search_for(World *w, const char *word, const char *where)
{
    journey_press(w, "search");
    journey_await_screen(w, "search");
    for (const char *c = word; *c; c++) {
        char key[8];
        snprintf(key, sizeof key, "key-%c", *c);
        journey_press(w, key);
    }
    json_decref(journey_await_widget(w, "hit-0", true));
    journey_layout_ok(w, where);
}

/* Every screen of the journey, in one language and one shape. The mirror's home has no
 * categories (a garment's tag or a search leads to a product). */
static void walk_screens(World *w, const char *shape, const char *member, bool mirror)
{
    char where[96];
    const char *lang = shape;
    snprintf(where, sizeof where, "attract/%s", lang);
    journey_layout_ok(w, where);
    journey_press(w, "start");
    journey_await_screen(w, "identify");
    snprintf(where, sizeof where, "identify/%s", lang);
    journey_layout_ok(w, where);
    journey_press(w, "guest");
    journey_await_screen(w, "home");
    json_decref(journey_await_widget(w, mirror ? "tag-hint" : "category-jackets", true));
    snprintf(where, sizeof where, "guest home/%s", lang);
    journey_layout_ok(w, where);
    if (mirror) {
        snprintf(where, sizeof where, "search/%s", lang);
        search_for(w, "jacket", where);
        journey_press(w, "hit-0");
    } else {
        journey_press(w, "category-jackets");
        journey_await_screen(w, "browse");
        json_decref(journey_await_widget(w, "product-0", true));
        snprintf(where, sizeof where, "browse/%s", lang);
        journey_layout_ok(w, where);
        journey_press(w, "product-0");
    }
    journey_await_screen(w, "product");
    json_decref(journey_await_widget(w, "stock-title", false));
    json_decref(journey_await_widget(w, "size-M", false));
    journey_press(w, "size-M");
    json_decref(journey_await_widget(w, "add-to-bag", true));
    snprintf(where, sizeof where, "product/%s", lang);
    journey_layout_ok(w, where);
    journey_press(w, "add-to-bag");
    if (!mirror) { /* the mirror offers the phone from the bag, not the product */
        journey_press(w, "handoff");
        json_decref(journey_await_widget(w, "handoff-qr", false));
        snprintf(where, sizeof where, "hand-off/%s", lang);
        journey_layout_ok(w, where);
        /* While the panel is open, what lies under its shade is out of reach. */
        json_t *r = kiosk_proc_cmd(&w->kiosk, "press", json_pack("{s:s}", "id", "search"));
        assert_true(json_is_null(json_object_get(r, "pressed")));
        json_decref(r);
        journey_press(w, "handoff-close");
    }
    snprintf(where, sizeof where, "search/%s", lang);
    search_for(w, "tr", where);
    journey_press(w, "bag");
    journey_await_screen(w, "cart");
    snprintf(where, sizeof where, "cart/%s", lang);
    journey_layout_ok(w, where);
    journey_press(w, "checkout"); /* a guest is asked to sign in, the bag kept */
    journey_await_screen(w, "identify");
    snprintf(where, sizeof where, "sign in to order/%s", lang);
    journey_layout_ok(w, where);
    journey_tap_card_of(w, member);
    journey_await_screen(w, "cart");
    char reply[256]; /* the card leaves the reader with its owner */
    assert_true(nfctest_sim_cmd(w->sim, "{\"cmd\":\"remove\"}", reply, sizeof reply));
    json_decref(journey_await_widget(w, "checkout", true));
    journey_press(w, "checkout");
    journey_await_screen(w, "checkout");
    json_decref(journey_await_widget(w, "place-order", true));
    snprintf(where, sizeof where, "checkout/%s", lang);
    journey_layout_ok(w, where);
    journey_press(w, "done");
    journey_await_screen(w, "attract");
}

static void every_screen_fits_in_every_language(void **state)
{
    World *w = *state;
    static const struct {
        const char *name;
        const char *args[3];
    } shapes[] = {{"landscape", {NULL}},
                  {"portrait", {"--size", "1080x1920", NULL}},
                  {"mirror", {"--mode", "mirror", NULL}}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        journey_start_kiosk(w, NULL, shapes[s].args[0] ? shapes[s].args : NULL);
        static const char *const langs[] = {"en", "es", "fr"};
        for (size_t l = 0; l < 3; l++) {
            char member[64], chip[16];
            journey_demo_member(w, langs[l], member, sizeof member);
            snprintf(chip, sizeof chip, "lang-%s", langs[l]);
            if (l > 0) {
                json_decref(journey_await_widget(w, chip, true));
                journey_press(w, chip);
            }
            char shape[48];
            snprintf(shape, sizeof shape, "%s %s", langs[l], shapes[s].name);
            walk_screens(w, shape, member, strcmp(shapes[s].name, "mirror") == 0);
        }
        assert_int_equal(kiosk_proc_stop(&w->kiosk), 0);
        w->kiosk.pid = 0;
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(shop_and_order_to_home, journey_setup, journey_teardown),
        cmocka_unit_test_setup_teardown(every_screen_fits_in_every_language, journey_setup,
                                        journey_teardown),
    };
    TEST_FILTER(argc, argv, tests);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
