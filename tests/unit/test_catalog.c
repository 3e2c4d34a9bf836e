/* test_catalog.c: the local catalog (firmware/catalog.c) on a real SQLite file in a temp
 * dir: products and variants in and out, withdrawn products hidden, stock freshness, the
 * stock view sorted by distance with the warehouse last, card hints, search ranking, the
 * on-device recommendation rules, and migration of a schema-2 file. Prints the time a
 * search takes over 5,000 products (a figure, not an assertion). */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "catalog.h"
#include "store.h"

#define NOW 1800000000

typedef struct Fixture {
    char dir[64];
    char db[128];
    Store *s;
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test-catalog-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/%s", f->dir, STORE_FILE_NAME);
    KioskErr err = KIOSK_E_IO;
    f->s = store_open(f->db, &err);
    assert_non_null(f->s);
    *state = f;
    return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    Fixture *f = *state;
    store_close(f->s);
    nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* ---- builders ---- */

static void put_store(Store *s, const char *id, const char *kind, const char *name, double lat,
                      double lon)
{
    CentralStore st = {0};
    snprintf(st.id, sizeof st.id, "%s", id);
    snprintf(st.kind, sizeof st.kind, "%s", kind);
    snprintf(st.name, sizeof st.name, "%s", name);
    snprintf(st.city, sizeof st.city, "Seattle");
    st.lat = lat;
    st.lon = lon;
    assert_int_equal(catalog_put_store(s, &st, NOW), KIOSK_OK);
}

/* Four locations around Seattle: here (Ballard), Fremont (~3 km), Bellevue (~17 km), and
 * the warehouse in Kent. */
static void put_stores(Store *s)
{
    put_store(s, "online", "online", "Online warehouse", 47.381, -122.235);
    put_store(s, "sea-bellevue", "store", "Bellevue", 47.615, -122.201);
    put_store(s, "sea-ballard", "store", "Ballard", 47.667, -122.384);
    put_store(s, "sea-fremont", "store", "Fremont", 47.651, -122.350);
}

/* A product "P..." with n variants "<id>-V<i>" (GTIN 0614141 + counter, check digit). */
static CentralProduct *product(const char *id, const char *name, const char *brand,
                               const char *category, int variants)
{
    static int gtin_counter = 0;
    CentralProduct *p = calloc(1, sizeof *p);
    assert_non_null(p);
    snprintf(p->id, sizeof p->id, "%s", id);
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->brand, sizeof p->brand, "%s", brand);
    snprintf(p->category, sizeof p->category, "%s", category);
    snprintf(p->description, sizeof p->description, "The %s.", name);
    snprintf(p->currency, sizeof p->currency, "USD");
    snprintf(p->updated_at, sizeof p->updated_at, "2027-01-15T08:00:00Z");
    snprintf(p->image_url, sizeof p->image_url, "/v1/images/%s.png", id);
    p->price_cents = 4999;
    p->active = true;
    for (int i = 0; i < variants; i++) {
        CentralVariant *v = &p->variants[p->variant_count++];
        snprintf(v->id, sizeof v->id, "%s-V%d", id, i);
        snprintf(v->size, sizeof v->size, "%d", 6 + i);
        snprintf(v->colour, sizeof v->colour, "Navy");
        snprintf(v->colour_hex, sizeof v->colour_hex, "#112244");
        v->price_cents = p->price_cents;
        snprintf(v->image_url, sizeof v->image_url, "/v1/images/%s-V%d.png", id, i);
        /* GTIN-13: 0614141 + 5 digits + check digit. */
        char d[16];
        snprintf(d, sizeof d, "0614141%05d", ++gtin_counter % 100000);
        int sum = 0;
        for (int k = 0; k < 12; k++)
            sum += (d[k] - '0') * (k % 2 ? 3 : 1);
        snprintf(v->gtin, sizeof v->gtin, "%s%d", d, (10 - sum % 10) % 10);
    }
    return p;
}

static void put(Store *s, CentralProduct *p)
{
    assert_int_equal(catalog_put_product(s, p, NOW), KIOSK_OK);
    free(p);
}

static void stock(Store *s, const char *variant, const char *loc, int qty, int64_t at)
{
    assert_int_equal(catalog_put_stock(s, variant, loc, qty, at), KIOSK_OK);
}

static int64_t raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* ---- tests ---- */

static void products_round_trip(void **state)
{
    Fixture *f = *state;
    CentralProduct *p = product("P0001", "Puget Racer", "Sound & Pine", "running-shoes", 3);
    char gtin[CENTRAL_SHORT_MAX + 1];
    memcpy(gtin, p->variants[1].gtin, sizeof gtin);
    p->replenishable = false;
    p->popularity = 42;
    p->related_count = 1;
    snprintf(p->related[0].id, sizeof p->related[0].id, "P0002");
    p->related[0].score = 0.5;
    put(f->s, p);

    ProductDetail d;
    assert_int_equal(catalog_product(f->s, "P0001", &d), KIOSK_OK);
    assert_string_equal(d.name, "Puget Racer");
    assert_string_equal(d.brand, "Sound & Pine");
    assert_string_equal(d.category, "running-shoes");
    assert_string_equal(d.description, "The Puget Racer.");
    assert_string_equal(d.image_url, "/v1/images/P0001.png");
    assert_int_equal(d.price_cents, 4999);
    assert_int_equal(d.variant_count, 3);
    assert_string_equal(d.variants[0].id, "P0001-V0");
    assert_string_equal(d.variants[2].id, "P0001-V2");
    assert_string_equal(d.variants[1].colour_hex, "#112244");
    assert_string_equal(d.variants[1].gtin, gtin);
    assert_int_equal(catalog_product_count(f->s), 1);
    assert_int_equal(raw_int(store_db(f->s), "SELECT popularity FROM products"), 42);
    assert_int_equal(raw_int(store_db(f->s), "SELECT count(*) FROM affinity WHERE product_a ="
                                             " 'P0001' AND product_b = 'P0002'"),
                     1);

    /* A GTIN-13 and the GTIN-14 a tag carries both find the variant. */
    ViewId pid, vid;
    assert_int_equal(catalog_find_gtin(f->s, gtin, pid, vid), KIOSK_OK);
    assert_string_equal(pid, "P0001");
    assert_string_equal(vid, "P0001-V1");
    char g14[CENTRAL_SHORT_MAX + 2];
    snprintf(g14, sizeof g14, "0%s", gtin);
    assert_int_equal(catalog_find_gtin(f->s, g14, pid, vid), KIOSK_OK);
    assert_string_equal(vid, "P0001-V1");
    assert_int_equal(catalog_find_gtin(f->s, "0614141999996", pid, vid), KIOSK_E_NOTFOUND);
    assert_int_equal(catalog_find_gtin(f->s, "12345", pid, vid), KIOSK_E_NOTFOUND);

    /* A new version replaces the old: a variant dropped, its stock with it, the related list
     * replaced rather than added to. */
    stock(f->s, "P0001-V2", "sea-ballard", 4, NOW);
    p = product("P0001", "Puget Racer II", "Sound & Pine", "running-shoes", 2);
    p->related_count = 1;
    snprintf(p->related[0].id, sizeof p->related[0].id, "P0003");
    p->related[0].score = 0.25;
    put(f->s, p);
    assert_int_equal(catalog_product(f->s, "P0001", &d), KIOSK_OK);
    assert_string_equal(d.name, "Puget Racer II");
    assert_int_equal(d.variant_count, 2);
    assert_int_equal(raw_int(store_db(f->s), "SELECT count(*) FROM stock"), 0);
    assert_int_equal(raw_int(store_db(f->s), "SELECT count(*) FROM affinity"), 1);
    assert_int_equal(catalog_product(f->s, "P9999", &d), KIOSK_E_NOTFOUND);
}

static void withdrawn_products_are_hidden(void **state)
{
    Fixture *f = *state;
    put(f->s, product("P0001", "Summit Fleece", "Rainier", "jackets", 2));
    put(f->s, product("P0002", "Summit Shell", "Rainier", "jackets", 2));
    CentralProduct *p = product("P0002", "Summit Shell", "Rainier", "jackets", 2);
    p->active = false;
    put(f->s, p);

    ProductDetail d;
    assert_int_equal(catalog_product(f->s, "P0002", &d), KIOSK_E_NOTFOUND);
    assert_int_equal(catalog_product_count(f->s), 1);
    CardList cards;
    assert_int_equal(catalog_browse(f->s, "jackets", 0, "sea-ballard", &cards), KIOSK_OK);
    assert_int_equal(cards.total, 1);
    assert_string_equal(cards.items[0].id, "P0001");
    assert_int_equal(catalog_search(f->s, "summit", "sea-ballard", &cards), KIOSK_OK);
    assert_int_equal(cards.count, 1);
    StockView sv;
    assert_int_equal(catalog_stock(f->s, "P0002", "sea-ballard", &sv), KIOSK_E_NOTFOUND);
    ViewId pid, vid;
    char gtin[16];
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(store_db(f->s),
                                        "SELECT gtin FROM variants WHERE product_id = 'P0002'", -1,
                                        &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(gtin, sizeof gtin, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    assert_int_equal(catalog_find_gtin(f->s, gtin, pid, vid), KIOSK_E_NOTFOUND);
    /* Kept, so that stock figures for it still land. */
    assert_int_equal(catalog_put_stock(f->s, "P0002-V0", "sea-ballard", 3, NOW), KIOSK_OK);
    ViewCode cats[4];
    int n = 0;
    assert_int_equal(catalog_categories(f->s, cats, 4, &n), KIOSK_OK);
    assert_int_equal(n, 1);
    assert_string_equal(cats[0], "jackets");
}

static void older_stock_never_replaces_newer(void **state)
{
    Fixture *f = *state;
    put(f->s, product("P0001", "Alki Chino", "Rainier", "jeans", 1));
    sqlite3 *db = store_db(f->s);
    stock(f->s, "P0001-V0", "sea-ballard", 5, NOW);
    stock(f->s, "P0001-V0", "sea-ballard", 9, NOW - 60); /* older: ignored */
    assert_int_equal(raw_int(db, "SELECT qty FROM stock"), 5);
    assert_int_equal(raw_int(db, "SELECT updated_at FROM stock"), NOW);
    stock(f->s, "P0001-V0", "sea-ballard", 2, NOW + 60); /* newer: taken */
    assert_int_equal(raw_int(db, "SELECT qty FROM stock"), 2);
    assert_int_equal(raw_int(db, "SELECT updated_at FROM stock"), NOW + 60);
    assert_int_equal(catalog_put_stock(f->s, "V-unknown", "sea-ballard", 1, NOW), KIOSK_E_NOTFOUND);
    assert_int_equal(catalog_put_stock(f->s, "P0001-V0", "bad id!", 1, NOW), KIOSK_E_INVALID);
    assert_int_equal(catalog_put_stock(f->s, "P0001-V0", "sea-ballard", -1, NOW), KIOSK_E_INVALID);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM stock"), 1);
}

static void stock_sorted_by_distance_online_last(void **state)
{
    Fixture *f = *state;
    put_stores(f->s);
    put(f->s, product("P0001", "Puget Racer", "Sound & Pine", "running-shoes", 2));
    const char *locs[] = {"online", "sea-bellevue", "sea-ballard", "sea-fremont"};
    for (int i = 0; i < 4; i++) {
        stock(f->s, "P0001-V0", locs[i], i + 1, NOW - 100 * i);
        stock(f->s, "P0001-V1", locs[i], 0, NOW - 50);
    }
    StockView sv;
    assert_int_equal(catalog_stock(f->s, "P0001", "sea-ballard", &sv), KIOSK_OK);
    assert_false(sv.live);
    assert_int_equal(sv.as_of, NOW);
    assert_int_equal(sv.variant_count, 2);
    assert_string_equal(sv.variants[0], "P0001-V0");
    assert_int_equal(sv.location_count, 4);
    assert_string_equal(sv.locations[0].store, "sea-ballard");
    assert_true(sv.locations[0].here);
    assert_true(sv.locations[0].has_distance);
    assert_true(sv.locations[0].distance_km < 0.01);
    assert_int_equal(sv.locations[0].qty[0], 3);
    assert_int_equal(sv.locations[0].updated_at[0], NOW - 200);
    assert_string_equal(sv.locations[1].store, "sea-fremont");
    assert_true(sv.locations[1].distance_km > 2 && sv.locations[1].distance_km < 4);
    assert_string_equal(sv.locations[2].store, "sea-bellevue");
    assert_true(sv.locations[2].distance_km > 12 && sv.locations[2].distance_km < 20);
    assert_string_equal(sv.locations[3].store, "online");
    assert_true(sv.locations[3].online);
    assert_int_equal(sv.locations[3].qty[0], 1);
    assert_int_equal(sv.locations[3].qty[1], 0);
    assert_string_equal(sv.locations[3].name, "Online warehouse");

    /* From Bellevue the order changes; the warehouse (nearer than Ballard) stays last. */
    assert_int_equal(catalog_stock(f->s, "P0001", "sea-bellevue", &sv), KIOSK_OK);
    assert_string_equal(sv.locations[0].store, "sea-bellevue");
    assert_string_equal(sv.locations[1].store, "sea-fremont");
    assert_string_equal(sv.locations[2].store, "sea-ballard");
    assert_string_equal(sv.locations[3].store, "online");

    /* Unknown figures read -1. */
    put(f->s, product("P0002", "Harbor Racer", "Sound & Pine", "running-shoes", 1));
    assert_int_equal(catalog_stock(f->s, "P0002", "sea-ballard", &sv), KIOSK_OK);
    assert_int_equal(sv.location_count, 2); /* here and online, no figures */
    assert_int_equal(sv.locations[0].qty[0], -1);
    assert_int_equal(sv.locations[0].updated_at[0], 0);
}

static void card_hints(void **state)
{
    Fixture *f = *state;
    put_stores(f->s);
    const char *ids[] = {"P1", "P2", "P3", "P4", "P5"};
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof name, "Sock %c", 'A' + i);
        put(f->s, product(ids[i], name, "Rainier", "socks", 1));
    }
    stock(f->s, "P1-V0", "sea-ballard", 2, NOW); /* here */
    stock(f->s, "P1-V0", "online", 0, NOW);
    stock(f->s, "P2-V0", "sea-ballard", 0, NOW); /* nearby */
    stock(f->s, "P2-V0", "sea-fremont", 1, NOW);
    stock(f->s, "P3-V0", "sea-ballard", 0, NOW); /* online only */
    stock(f->s, "P3-V0", "online", 9, NOW);
    stock(f->s, "P4-V0", "sea-ballard", 0, NOW); /* none */
    stock(f->s, "P4-V0", "online", 0, NOW);
    CardList cards;
    assert_int_equal(catalog_browse(f->s, "socks", 0, "sea-ballard", &cards), KIOSK_OK);
    assert_int_equal(cards.count, 5);
    assert_int_equal(cards.items[0].hint, HINT_HERE);
    assert_int_equal(cards.items[1].hint, HINT_NEARBY);
    assert_int_equal(cards.items[2].hint, HINT_ONLINE);
    assert_int_equal(cards.items[3].hint, HINT_NONE);
    assert_int_equal(cards.items[4].hint, HINT_UNKNOWN);
    /* Paging. */
    assert_int_equal(catalog_browse(f->s, "socks", 3, "sea-ballard", &cards), KIOSK_OK);
    assert_int_equal(cards.total, 5);
    assert_int_equal(cards.count, 2);
    assert_string_equal(cards.items[0].id, "P4");
}

static void search_ranks_and_needs_every_word(void **state)
{
    Fixture *f = *state;
    put(f->s, product("P1", "Cascade Trail Runner", "Rainier Supply Co.", "running-shoes", 1));
    put(f->s, product("P2", "Trail Runner", "Sound & Pine", "running-shoes", 1));
    put(f->s, product("P3", "Alpine Jacket", "Trail Co.", "jackets", 1));
    put(f->s, product("P4", "Runner Sock", "Sound & Pine", "socks", 1));
    put(f->s, product("P5", "100% Wool Beanie", "Rainier", "accessories", 1));
    CardList cards;

    assert_int_equal(catalog_search(f->s, "trail", NULL, &cards), KIOSK_OK);
    assert_int_equal(cards.total, 3);
    assert_string_equal(cards.items[0].id, "P2"); /* name starts with it */
    assert_string_equal(cards.items[1].id, "P1"); /* name contains it */
    assert_string_equal(cards.items[2].id, "P3"); /* brand only */

    assert_int_equal(catalog_search(f->s, "  TRAIL   runner ", NULL, &cards), KIOSK_OK);
    assert_int_equal(cards.total, 2);
    assert_string_equal(cards.items[0].id, "P2");
    assert_string_equal(cards.items[1].id, "P1");

    /* Words may match different fields: the category and the brand. */
    assert_int_equal(catalog_search(f->s, "shoes rainier", NULL, &cards), KIOSK_OK);
    assert_int_equal(cards.total, 1);
    assert_string_equal(cards.items[0].id, "P1");

    assert_int_equal(catalog_search(f->s, "runner sock", NULL, &cards), KIOSK_OK);
    assert_int_equal(cards.total, 1);
    assert_string_equal(cards.items[0].id, "P4");

    /* LIKE's own characters are plain text. */
    assert_int_equal(catalog_search(f->s, "100%", NULL, &cards), KIOSK_OK);
    assert_int_equal(cards.total, 1);
    assert_int_equal(catalog_search(f->s, "%", NULL, &cards), KIOSK_OK);
    assert_int_equal(cards.total, 1);
    assert_int_equal(catalog_search(f->s, "_", NULL, &cards), KIOSK_OK);
    assert_int_equal(cards.total, 0);

    assert_int_equal(catalog_search(f->s, "", NULL, &cards), KIOSK_OK);
    assert_int_equal(cards.total, 0);
    assert_int_equal(catalog_search(f->s, "   ", NULL, &cards), KIOSK_OK);
    assert_int_equal(cards.count, 0);
    assert_int_equal(catalog_search(f->s, "nothing-like-it", NULL, &cards), KIOSK_OK);
    assert_int_equal(cards.count, 0);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* 5,000 products with 16 variants each and stock here and online: how long a search and a
 * recommendation take. Printed, not asserted (performance figures belong in reports). */
static void search_5000_products(void **state)
{
    Fixture *f = *state;
    static const char *const words[] = {"Trail", "Summit", "Harbor",  "Cascade", "Alki",
                                        "Puget", "Orca",   "Rainier", "Alpine",  "Ridge"};
    static const char *const kinds[] = {"Runner", "Fleece", "Chino", "Tee",
                                        "Dress",  "Cap",    "Sock",  "Base"};
    static const char *const cats[] = {"running-shoes", "jackets",     "jeans", "tops",
                                       "dresses",       "accessories", "socks", "base-layers"};
    put_stores(f->s);
    double t0 = now_ms();
    assert_int_equal(store_begin(f->s), KIOSK_OK);
    for (int i = 0; i < 5000; i++) {
        char id[16], name[64];
        snprintf(id, sizeof id, "P%05d", i);
        snprintf(name, sizeof name, "%s %s %d", words[i % 10], kinds[i % 8], i);
        char brand[32];
        snprintf(brand, sizeof brand, "Maker %d", (i / 10) % 10);
        CentralProduct *p = product(id, name, brand, cats[i % 8], 16);
        p->popularity = i % 97;
        p->related_count = 4;
        for (int k = 0; k < 4; k++) {
            snprintf(p->related[k].id, sizeof p->related[k].id, "P%05d", (i + 7 * k + 1) % 5000);
            p->related[k].score = 1.0 / (k + 1);
        }
        char vid[CENTRAL_ID_MAX + 1];
        snprintf(vid, sizeof vid, "%s", p->variants[0].id);
        put(f->s, p);
        stock(f->s, vid, "sea-ballard", i % 3, NOW);
        stock(f->s, vid, "online", i % 5, NOW);
    }
    assert_int_equal(store_commit(f->s), KIOSK_OK);
    double t1 = now_ms();
    CardList cards;
    int runs = 20;
    double ts = now_ms();
    for (int r = 0; r < runs; r++)
        assert_int_equal(catalog_search(f->s, "trail runner", "sea-ballard", &cards), KIOSK_OK);
    double search_ms = (now_ms() - ts) / runs;
    assert_int_equal(cards.total, 125); /* i % 10 == 0 and i % 8 == 0: i % 40 == 0 */
    ts = now_ms();
    for (int r = 0; r < runs; r++)
        assert_int_equal(catalog_search(f->s, "a", "sea-ballard", &cards), KIOSK_OK);
    double broad_ms = (now_ms() - ts) / runs;
    int broad_hits = cards.total;
    ViewId seeds[2] = {"P00010", "P00020"};
    ts = now_ms();
    for (int r = 0; r < runs; r++)
        assert_int_equal(catalog_recommend(f->s, seeds, 2, NULL, 0, "sea-ballard", &cards),
                         KIOSK_OK);
    double rec_ms = (now_ms() - ts) / runs;
    assert_true(cards.count > 0);
    StockView sv;
    ts = now_ms();
    for (int r = 0; r < runs; r++)
        assert_int_equal(catalog_stock(f->s, "P00123", "sea-ballard", &sv), KIOSK_OK);
    double stock_ms = (now_ms() - ts) / runs;
    print_message("catalog, 5000 products x 16 variants: load %.0f ms; search 'trail runner' "
                  "%.2f ms, search 'a' (%d hits) %.2f ms, recommend %.2f ms, stock %.2f ms\n",
                  t1 - t0, search_ms, broad_hits, broad_ms, rec_ms, stock_ms);
}

/* Seeds' affinity first, then popular; nothing out of stock here and online; nothing
 * excluded unless replenishable; at most two per category, spread. */
static void recommend_rules(void **state)
{
    Fixture *f = *state;
    put_stores(f->s);
    /* Seed S (viewed). Related: A1, A2, A3 (jackets, by score), B1 (socks, out of stock),
     * R1 (socks, replenishable and bought), X1 (tops, bought), and popular fillers. */
    struct {
        const char *id, *cat;
        int popularity;
        bool replenishable;
        int here, online;
    } rows[] = {
        {"S", "jackets", 1, false, 1, 1},   {"A1", "jackets", 1, false, 1, 0},
        {"A2", "jackets", 2, false, 0, 1},  {"A3", "jackets", 3, false, 1, 1},
        {"B1", "socks", 99, false, 0, 0},   {"R1", "socks", 5, true, 1, 1},
        {"X1", "tops", 50, false, 1, 1},    {"T1", "tops", 90, false, 1, 1},
        {"T2", "tops", 80, false, 1, 1},    {"T3", "tops", 70, false, 1, 1},
        {"D1", "dresses", 60, false, 0, 3}, {"N1", "jeans", 100, false, 0, 0},
        {"J9", "jackets", 95, false, 1, 1},
    };
    size_t n = sizeof rows / sizeof rows[0];
    for (size_t i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "Item %s", rows[i].id);
        CentralProduct *p = product(rows[i].id, name, "Rainier", rows[i].cat, 1);
        p->popularity = rows[i].popularity;
        p->replenishable = rows[i].replenishable;
        if (strcmp(rows[i].id, "S") == 0) {
            const char *rel[] = {"A1", "A2", "A3", "B1", "R1", "X1"};
            double score[] = {0.9, 0.8, 0.7, 0.95, 0.3, 0.85};
            for (int k = 0; k < 6; k++) {
                snprintf(p->related[k].id, sizeof p->related[k].id, "%s", rel[k]);
                p->related[k].score = score[k];
            }
            p->related_count = 6;
        }
        char vid[CENTRAL_ID_MAX + 1];
        snprintf(vid, sizeof vid, "%s", p->variants[0].id);
        put(f->s, p);
        stock(f->s, vid, "sea-ballard", rows[i].here, NOW);
        stock(f->s, vid, "online", rows[i].online, NOW);
        stock(f->s, vid, "sea-fremont", 7, NOW); /* another store's stock does not count */
    }
    ViewId seeds[1] = {"S"};
    ViewId exclude[2] = {"X1", "R1"};
    CardList cards;
    assert_int_equal(catalog_recommend(f->s, seeds, 1, exclude, 2, "sea-ballard", &cards),
                     KIOSK_OK);
    char got[256] = "";
    for (int i = 0; i < cards.count; i++) {
        strcat(got, cards.items[i].id);
        strcat(got, " ");
    }
    print_message("recommend: %s\n", got);
    /* Affinity tier: A1 (0.9), R1 (replenish, 0.3; socks) then A2 as jackets' second; A3 is
     * jackets' third: left out. B1 (out of stock) and X1 (bought) never. Popular tier: T1,
     * D1 (online only still counts), then T2 as tops' second. J9 is jackets' third, N1 out
     * of stock. */
    assert_int_equal(cards.count, 6);
    assert_string_equal(cards.items[0].id, "A1");
    assert_string_equal(cards.items[0].reason_code, "affinity");
    assert_string_equal(cards.items[0].reason_anchor, "Item S");
    assert_string_equal(cards.items[1].id, "R1");
    assert_string_equal(cards.items[1].reason_code, "replenish");
    assert_string_equal(cards.items[2].id, "A2");
    assert_int_equal(cards.items[2].hint, HINT_NEARBY);
    assert_string_equal(cards.items[2].variant, "A2-V0");
    assert_string_equal(cards.items[3].id, "T1");
    assert_string_equal(cards.items[3].reason_code, "popular");
    assert_string_equal(cards.items[4].id, "D1");
    assert_string_equal(cards.items[5].id, "T2");
    for (int i = 0; i < cards.count; i++) {
        assert_string_not_equal(cards.items[i].id, "S");
        assert_string_not_equal(cards.items[i].id, "X1");
        assert_string_not_equal(cards.items[i].id, "B1");
        assert_string_not_equal(cards.items[i].id, "N1");
    }

    /* Without seeds: popularity alone, still two per category. */
    assert_int_equal(catalog_recommend(f->s, NULL, 0, NULL, 0, "sea-ballard", &cards), KIOSK_OK);
    int jackets = 0;
    for (int i = 0; i < cards.count; i++) {
        assert_string_equal(cards.items[i].reason_code, "popular");
        jackets += strcmp(cards.items[i].category, "jackets") == 0;
    }
    assert_int_equal(jackets, 2);
    assert_string_equal(cards.items[0].id, "J9");
}

/* Schema 2 exactly as it shipped (schema 1 + migration 2): frozen here on purpose. */
static const char SCHEMA_V2[] =
    "CREATE TABLE stores(id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,"
    "  lat REAL, lon REAL, updated_at INTEGER NOT NULL);"
    "CREATE TABLE products(id TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT,"
    "  price_cents INTEGER NOT NULL CHECK (price_cents >= 0), currency TEXT NOT NULL,"
    "  active INTEGER NOT NULL DEFAULT 1, updated_at INTEGER NOT NULL);"
    "CREATE TABLE variants(id TEXT PRIMARY KEY,"
    "  product_id TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,"
    "  size TEXT, colour TEXT, gtin TEXT, updated_at INTEGER NOT NULL);"
    "CREATE INDEX variants_product ON variants(product_id);"
    "CREATE TABLE stock(variant_id TEXT NOT NULL REFERENCES variants(id) ON DELETE CASCADE,"
    "  location_id TEXT NOT NULL, qty INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (variant_id, location_id));"
    "CREATE TABLE images(url TEXT PRIMARY KEY, path TEXT NOT NULL, bytes INTEGER NOT NULL,"
    "  last_used INTEGER NOT NULL);"
    "CREATE TABLE affinity(product_a TEXT NOT NULL, product_b TEXT NOT NULL,"
    "  score REAL NOT NULL, PRIMARY KEY (product_a, product_b));"
    "CREATE TABLE sync_cursors(name TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE outbox(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  idempotency_key TEXT NOT NULL UNIQUE, nonce BLOB NOT NULL, ciphertext BLOB NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at INTEGER NOT NULL, created_at INTEGER NOT NULL);"
    "ALTER TABLE outbox ADD COLUMN order_id TEXT;"
    "ALTER TABLE outbox ADD COLUMN last_error TEXT;"
    "ALTER TABLE outbox ADD COLUMN dead_reason TEXT;"
    "CREATE INDEX outbox_due ON outbox(state, next_attempt_at, id);"
    "CREATE INDEX stock_location ON stock(location_id);"
    "CREATE INDEX images_last_used ON images(last_used);";

static void migrates_a_version_2_file(void **state)
{
    Fixture *f = *state;
    store_close(f->s);
    f->s = NULL;
    remove(f->db);
    char path[160];
    snprintf(path, sizeof path, "%s-wal", f->db);
    remove(path);
    snprintf(path, sizeof path, "%s-shm", f->db);
    remove(path);

    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, SCHEMA_V2, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "INSERT INTO stores VALUES ('sea-ballard', 'Ballard', 'store', 47.667,"
                     " -122.384, 5);"
                     "INSERT INTO products(id, name, category, price_cents, currency,"
                     " updated_at) VALUES ('P1', 'Old Coat', 'jackets', 12900, 'USD', 100);"
                     "INSERT INTO variants(id, product_id, size, colour, gtin, updated_at)"
                     " VALUES ('V1', 'P1', 'M', 'Navy', '0614141000012', 100);"
                     "INSERT INTO stock VALUES ('V1', 'sea-ballard', 3, 100);"
                     "INSERT INTO sync_cursors VALUES ('catalog', '17');"
                     "PRAGMA user_version = 2;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);

    KioskErr err = KIOSK_E_IO;
    f->s = store_open(f->db, &err);
    assert_non_null(f->s);
    assert_int_equal(err, KIOSK_OK);
    assert_int_equal(store_schema_version(f->s), 3);
    /* Old rows read with the new columns' defaults. */
    ProductDetail d;
    assert_int_equal(catalog_product(f->s, "P1", &d), KIOSK_OK);
    assert_string_equal(d.name, "Old Coat");
    assert_string_equal(d.brand, "");
    assert_int_equal(d.variant_count, 1);
    assert_string_equal(d.variants[0].gtin, "0614141000012");
    CardList cards;
    assert_int_equal(catalog_browse(f->s, "jackets", 0, "sea-ballard", &cards), KIOSK_OK);
    assert_int_equal(cards.count, 1);
    assert_int_equal(cards.items[0].hint, HINT_HERE);
    char buf[16];
    assert_int_equal(store_cursor_get(f->s, "catalog", buf, sizeof buf), KIOSK_OK);
    assert_string_equal(buf, "17");
    /* And the new columns take writes. */
    CentralProduct *p = product("P1", "New Coat", "Rainier", "jackets", 1);
    snprintf(p->variants[0].id, sizeof p->variants[0].id, "V1");
    put(f->s, p);
    assert_int_equal(catalog_product(f->s, "P1", &d), KIOSK_OK);
    assert_string_equal(d.brand, "Rainier");
    assert_int_equal(raw_int(store_db(f->s), "SELECT qty FROM stock WHERE variant_id = 'V1'"), 3);
}

static void bad_arguments(void **state)
{
    Fixture *f = *state;
    CentralProduct *p = product("bad id", "X", "Y", "Z", 1);
    assert_int_equal(catalog_put_product(f->s, p, NOW), KIOSK_E_INVALID);
    free(p);
    CardList cards;
    assert_int_equal(catalog_search(NULL, "x", NULL, &cards), KIOSK_E_INVALID);
    assert_int_equal(catalog_browse(f->s, NULL, 0, NULL, &cards), KIOSK_E_INVALID);
    assert_int_equal(catalog_put_affinity(f->s, "P1", "P1", 1.0), KIOSK_E_INVALID);
    assert_int_equal(catalog_put_affinity(f->s, "P1", "P2", 1.0), KIOSK_OK);
    assert_int_equal(catalog_put_affinity(f->s, "P1", "P2", 0.5), KIOSK_OK);
    assert_int_equal(raw_int(store_db(f->s), "SELECT CAST(score * 10 AS INTEGER) FROM affinity"
                                             " WHERE product_a = 'P2' AND product_b = 'P1'"),
                     15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(products_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(withdrawn_products_are_hidden, setup, teardown),
        cmocka_unit_test_setup_teardown(older_stock_never_replaces_newer, setup, teardown),
        cmocka_unit_test_setup_teardown(stock_sorted_by_distance_online_last, setup, teardown),
        cmocka_unit_test_setup_teardown(card_hints, setup, teardown),
        cmocka_unit_test_setup_teardown(search_ranks_and_needs_every_word, setup, teardown),
        cmocka_unit_test_setup_teardown(recommend_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(search_5000_products, setup, teardown),
        cmocka_unit_test_setup_teardown(migrates_a_version_2_file, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_arguments, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
