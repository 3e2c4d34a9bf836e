/* test_offline.c: the central service goes away in the middle of a shopper's visit and comes
 * back, with real parts only: a headless kiosk driven through its control socket, the
 * development central service over HTTPS (stopped with SIGTERM and restarted on the same port
 * and database), the kiosk's own SQLite store and outbox. Offline the kiosk keeps serving
 * from its local catalog, says calmly that it is offline and that stock figures are saved
 * ones, and takes an order durably ("Order received"); back online it notices by itself
 * (no restart), shows live stock again, and the order arrives at the service exactly once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_filter.h"

#include "shopper.h"

#define BACK_ONLINE_MS 40000 /* a sync retry (10 s) plus backoff and timeouts, with room */
#define OFFLINE_MS     15000 /* a failed call's retries and timeouts, with room */
#define DRAIN_MS       60000 /* an order's retry backoff after a few failed attempts */

typedef struct World {
    Shop shop;
    KioskProc kiosk;
    char why[SHOP_WHY_MAX];
} World;

static int setup(void **state)
{
    World *w = calloc(1, sizeof *w);
    shop_open(&w->shop);
    assert_true(shop_kiosk_start(&w->shop, &w->kiosk, NULL));
    char db[256];
    /* the local catalog is what the kiosk serves from when the service is away */
    if (!shop_await_synced(shop_kiosk_db(&w->kiosk, db, sizeof db), 60000))
        fail_msg("the kiosk never finished its first sync");
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    World *w = *state;
    assert_int_equal(kiosk_proc_stop(&w->kiosk), 0);
    shop_close(&w->shop);
    free(w);
    return 0;
}

#define CHECK(w, call)                                                                             \
    do {                                                                                           \
        if (!(call))                                                                               \
            fail_msg("%s", (w)->why);                                                              \
    } while (0)

static void press(World *w, const char *id)
{
    CHECK(w, shop_press(&w->kiosk, id, w->why));
}

static void await_screen(World *w, const char *screen)
{
    CHECK(w, shop_await_screen(&w->kiosk, screen, 10000, w->why));
}

/* The ui reply (the caller's) once widget id shows containing text (NULL: any). */
static json_t *await_widget(World *w, const char *id, const char *text, int timeout_ms)
{
    json_t *ui = shop_await_widget(&w->kiosk, id, false, text, timeout_ms, w->why);
    if (!ui)
        fail_msg("%s", w->why);
    return ui;
}

static json_t *state_of(World *w)
{
    json_t *st = kiosk_proc_cmd(&w->kiosk, "state", NULL);
    assert_non_null(st);
    return st;
}

static void await_state(World *w, const char *field, json_t *want, int timeout_ms)
{
    char *expect = json_dumps(want, JSON_ENCODE_ANY);
    json_t *last = NULL;
    if (!kiosk_await_state(&w->kiosk, field, want, timeout_ms, &last))
        fail_msg("%s never became %s: %s", field, expect, json_dumps(last, 0));
    free(expect);
}

static char *screen_now(World *w, char *buf, size_t size)
{
    json_t *st = state_of(w);
    snprintf(buf, size, "%s", json_string_value(json_object_get(st, "screen")));
    json_decref(st);
    return buf;
}

/* Back, as a shopper would, until the home screen shows. */
static void go_home(World *w)
{
    char was[32], now[32];
    for (int i = 0; i < 6 && strcmp(screen_now(w, was, sizeof was), "home") != 0; i++) {
        press(w, "back");
        /* the touch is handled on the next frame: wait for it before looking again */
        for (long until = shop_now_ms() + 3000;
             strcmp(screen_now(w, now, sizeof now), was) == 0 && shop_now_ms() < until;)
            shop_pause_ms(10);
    }
    await_screen(w, "home");
}

/* From any screen with the top bar to a jacket's product page, its stock loaded. */
static json_t *open_jacket(World *w, const char *product_widget, const char *freshness)
{
    go_home(w);
    json_decref(await_widget(w, "category-jackets", NULL, 10000));
    press(w, "category-jackets");
    await_screen(w, "browse");
    json_decref(await_widget(w, product_widget, NULL, 10000));
    press(w, product_widget);
    await_screen(w, "product");
    return await_widget(w, "stock-fresh", freshness, 15000);
}

static void central_stopped_mid_journey_recovers(void **state)
{
    World *w = *state;
    CHECK(w, shop_sign_in(&w->shop, &w->kiosk, w->why));
    json_decref(await_widget(w, "category-jackets", NULL, 10000));
    press(w, "category-jackets");
    await_screen(w, "browse");
    json_decref(await_widget(w, "product-0", NULL, 10000));
    press(w, "product-0");
    await_screen(w, "product");
    json_decref(await_widget(w, "stock-fresh", "Live", 15000));
    json_t *st = state_of(w);
    assert_true(json_is_true(json_object_get(st, "online")));
    json_decref(st);

    shop_central_stop(&w->shop); /* the uplink goes, mid-visit */

    /* Search still answers, from the local catalog. */
    press(w, "search");
    await_screen(w, "search");
    press(w, "key-j");
    press(w, "key-a");
    press(w, "key-c");
    json_t *ui = await_widget(w, "hit-0", NULL, 10000);
    json_decref(ui);
    press(w, "hit-0");
    await_screen(w, "product");
    /* A product's stock is the saved copy, and says so. */
    long gone = shop_now_ms();
    json_decref(await_widget(w, "stock-fresh", "Saved", 15000));
    /* A call that could not reach the service is news: offline now, not at the next sync
     * round (up to SYNC_INTERVAL_S later). */
    await_state(w, "online", json_false(), OFFLINE_MS);
    print_message("offline %ld ms after the service went\n", shop_now_ms() - gone);
    /* Browsing still works, and the calm banner says what is going on. */
    ui = open_jacket(w, "product-1", "Saved");
    const char *banner = shop_text(ui, "offline");
    if (!banner)
        fail_msg("no offline banner: %s", json_dumps(ui, 0));
    assert_non_null(strstr(banner, "offline"));
    char *dump = json_dumps(ui, 0);
    assert_null(strstr(dump, "CENTRAL_")); /* no raw error codes on screen */
    assert_null(strstr(dump, "KIOSK_E"));
    free(dump);
    char why[512];
    if (!kiosk_layout_ok(ui, why, sizeof why))
        fail_msg("offline product page: %s", why);
    json_decref(ui);
    st = state_of(w);
    assert_string_equal(json_string_value(json_object_get(st, "member")), w->shop.member);
    json_decref(st);

    /* The service comes back on the same address: the kiosk finds out by itself. */
    long back = shop_now_ms();
    shop_central_restart(&w->shop);
    await_state(w, "online", json_true(), BACK_ONLINE_MS);
    print_message("online again %ld ms after the service came back\n", shop_now_ms() - back);
    ui = open_jacket(w, "product-2", "Live");
    assert_null(kiosk_widget(ui, "offline"));
    json_decref(ui);
}

/* The kiosk orders of the member at the service (the caller's reply). */
static json_t *kiosk_orders(World *w)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/members/%s/orders?channel=kiosk", w->shop.member);
    Resp r;
    assert_int_equal(harness_get(&w->shop.central, path, &r), 0);
    assert_int_equal(r.status, 200);
    json_t *orders = json_incref(json_object_get(r.json, "orders"));
    assert_non_null(orders);
    resp_free(&r);
    return orders;
}

static void order_placed_offline_arrives_once(void **state)
{
    World *w = *state;
    json_t *before = kiosk_orders(w);
    size_t had = json_array_size(before);
    json_decref(before);
    /* Signed in while the service is up (it says the member has a card and an address). */
    CHECK(w, shop_sign_in(&w->shop, &w->kiosk, w->why));
    CHECK(w, shop_await_profile(&w->kiosk, w->why));
    shop_central_stop(&w->shop);
    CHECK(w, shop_pick_jacket(&w->kiosk, "product-0", w->why));
    json_t *ui = shop_await_widget(&w->kiosk, "stock-fresh", false, NULL, 15000, w->why);
    char product[256] = "";
    if (ui && shop_text(ui, "name"))
        snprintf(product, sizeof product, "%s", shop_text(ui, "name"));
    json_decref(ui);
    CHECK(w, shop_to_checkout(&w->kiosk, w->why));
    press(w, "place-order");
    CHECK(w, shop_await_screen(&w->kiosk, "confirmation", 20000, w->why));
    ui = await_widget(w, "order-received", "Order received", 2000);
    assert_non_null(strstr(shop_text(ui, "order-received"), "confirmation will follow"));
    assert_null(kiosk_widget(ui, "order-number")); /* no number is made up offline */
    json_decref(ui);
    await_state(w, "outbox", json_integer(1), 15000);
    char db[256];
    OutboxRows rows;
    assert_int_equal(shop_outbox_read(shop_kiosk_db(&w->kiosk, db, sizeof db), &rows, 8), 0);
    assert_int_equal(rows.count, 1);
    assert_int_equal(rows.pending, 1);
    char key[SHOP_KEY_MAX];
    snprintf(key, sizeof key, "%s", rows.keys[0]);
    shop_outbox_free(&rows);

    long back = shop_now_ms();
    shop_central_restart(&w->shop);
    await_state(w, "outbox", json_integer(0), DRAIN_MS);
    print_message("order sent %ld ms after the service came back\n", shop_now_ms() - back);

    /* Exactly one more kiosk order for the member, with the jacket in size M. */
    json_t *orders = kiosk_orders(w);
    assert_int_equal(json_array_size(orders), had + 1);
    json_t *o = json_array_get(orders, 0); /* newest first */
    assert_string_equal(json_string_value(json_object_get(o, "channel")), "kiosk");
    assert_string_equal(json_string_value(json_object_get(o, "store")), "sea-ballard");
    assert_string_equal(json_string_value(json_object_get(o, "shipping_option")), "standard");
    json_t *items = json_object_get(o, "items");
    assert_int_equal(json_array_size(items), 1);
    json_t *line = json_array_get(items, 0);
    assert_int_equal(json_integer_value(json_object_get(line, "qty")), 1);
    assert_string_equal(json_string_value(json_object_get(line, "size")), "M");
    assert_string_equal(json_string_value(json_object_get(line, "category")), "jackets");
    if (product[0])
        assert_string_equal(json_string_value(json_object_get(line, "name")), product);
    json_decref(orders);
    /* and the record is marked sent under the key the service has */
    assert_int_equal(shop_outbox_read(db, &rows, 8), 0);
    assert_int_equal(rows.count, 1);
    assert_string_equal(rows.states[0], "sent");
    assert_string_equal(rows.keys[0], key);
    shop_outbox_free(&rows);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(central_stopped_mid_journey_recovers, setup, teardown),
        cmocka_unit_test_setup_teardown(order_placed_offline_arrives_once, setup, teardown),
    };
    TEST_FILTER(argc, argv, tests); /* CTest runs each case on its own, in parallel */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
