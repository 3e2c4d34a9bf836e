/* seed.c: see seed.h. Tables of names below are the only "content"; everything else is
 * drawn from one UtilRng with a fixed seed, in a fixed order, so two seeds of an empty
 * database give the same products, members and histories. Members belong to a persona
 * (runner, outdoors, denim, dress, everyday) whose favourite products they mostly buy:
 * that is what makes co-purchase affinity meaningful for recommendations. */
#include "seed.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>
#include <jansson.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "pin.h"
#include "recs.h"
#include "util.h"

#define SEED_RNG     0x5EA771E2026ULL /* the demo's fixed seed */
#define KEY_SEED     "kiosk-demo-loyalty-key-v1"
#define GTIN_PREFIX  "0614141" /* GS1's example company prefix */
#define POOL_SIZE    24        /* favourite products per persona */
#define MAX_VARIANTS 64
#define TAX_PER_10K  1025 /* Seattle sales tax, 10.25 % */
#define PEM_MAX      1024
#define PIN_SEED     0x5e241ce /* mixed into the demo's seed for service PINs */
#define DEMO_PIN_LEN 6

typedef struct SeedStore {
    const char *id, *name, *address, *city, *postcode, *phone;
    double lat, lon;
    int hours_kind; /* 0 city, 1 suburb mall, 2 downtown, 3 warehouse */
} SeedStore;

static const SeedStore STORES[] = {
    {"sea-capitol-hill", "Capitol Hill", "1520 Broadway", "Seattle", "98122", "+1 206 555 0101",
     47.6145, -122.3210, 0},
    {"sea-ballard", "Ballard", "5301 Ballard Ave NW", "Seattle", "98107", "+1 206 555 0102",
     47.6670, -122.3840, 0},
    {"sea-fremont", "Fremont", "3419 Fremont Ave N", "Seattle", "98103", "+1 206 555 0103", 47.6512,
     -122.3496, 0},
    {"sea-u-district", "University District", "4525 University Way NE", "Seattle", "98105",
     "+1 206 555 0104", 47.6621, -122.3131, 0},
    {"sea-queen-anne", "Queen Anne", "1811 Queen Anne Ave N", "Seattle", "98109", "+1 206 555 0105",
     47.6355, -122.3570, 0},
    {"sea-downtown", "Downtown Pike Street", "1500 4th Ave", "Seattle", "98101", "+1 206 555 0106",
     47.6105, -122.3370, 2},
    {"sea-west-seattle", "West Seattle Junction", "4410 California Ave SW", "Seattle", "98116",
     "+1 206 555 0107", 47.5625, -122.3870, 0},
    {"sea-columbia-city", "Columbia City", "4864 Rainier Ave S", "Seattle", "98118",
     "+1 206 555 0108", 47.5596, -122.2850, 0},
    {"sea-northgate", "Northgate", "401 NE Northgate Way", "Seattle", "98125", "+1 206 555 0109",
     47.7065, -122.3260, 1},
    {"bel-bellevue-square", "Bellevue Square", "575 Bellevue Way NE", "Bellevue", "98004",
     "+1 425 555 0110", 47.6160, -122.2030, 1},
    {"red-town-center", "Redmond Town Center", "16495 NE 74th St", "Redmond", "98052",
     "+1 425 555 0111", 47.6710, -122.1180, 1},
    {"kir-park-lane", "Kirkland Park Lane", "125 Park Ln", "Kirkland", "98033", "+1 425 555 0112",
     47.6760, -122.2060, 0},
    {"ren-the-landing", "The Landing", "800 N 10th St", "Renton", "98057", "+1 425 555 0113",
     47.4980, -122.2020, 1},
    {"online", "Online warehouse", "20811 77th Ave S", "Kent", "98032", "+1 800 555 0199", 47.4180,
     -122.2400, 3},
};
#define N_STORES (sizeof STORES / sizeof STORES[0])
#define N_SHOPS  (N_STORES - 1) /* physical stores, without the warehouse */

typedef struct Colour {
    const char *name, *hex;
} Colour;

static const Colour COLOURS[] = {
    {"Black", "#1f1f1f"},  {"Navy", "#1d2b4f"},       {"Heather Grey", "#9a9ea3"},
    {"White", "#f2f2ee"},  {"Olive", "#5b6236"},      {"Rust", "#b5522b"},
    {"Forest", "#2e5339"}, {"Sky Blue", "#7fb2d9"},   {"Burgundy", "#6d1f2f"},
    {"Sand", "#d8c7a3"},   {"Coral", "#f27e63"},      {"Charcoal", "#3a3d40"},
    {"Indigo", "#2c3e7a"}, {"Light Wash", "#8fa9c7"}, {"Mustard", "#d4a531"},
};
#define N_COLOURS (sizeof COLOURS / sizeof COLOURS[0])

typedef struct Category {
    const char *id, *size_key;
    const char *const *nouns;
    const char *const *sizes;
    int min_price, max_price; /* dollars */
    int replenish_days;       /* 0: not replenishable */
    const char *blurb;
} Category;

static const char *const SHOE_NOUNS[] = {"Runner", "Trail Runner",   "Racer",       "Trainer",
                                         "Tempo",  "Cushion Runner", "Road Runner", NULL};
static const char *const JACKET_NOUNS[] = {"Rain Shell", "Puffer",      "Fleece",       "Softshell",
                                           "Parka",      "Windbreaker", "Denim Jacket", NULL};
static const char *const JEAN_NOUNS[] = {
    "Slim Jean", "Straight Jean", "Relaxed Jean", "Skinny Jean", "Bootcut Jean", "Chino", NULL};
static const char *const TOP_NOUNS[] = {"Tee",  "Henley",           "Oxford Shirt", "Flannel Shirt",
                                        "Polo", "Crewneck Sweater", "Hoodie",       NULL};
static const char *const DRESS_NOUNS[] = {
    "Wrap Dress", "Midi Dress", "Shirt Dress", "Slip Dress", "Sweater Dress", "Maxi Dress", NULL};
static const char *const ACC_NOUNS[] = {"Beanie", "Cap",      "Scarf",         "Leather Belt",
                                        "Tote",   "Backpack", "Crossbody Bag", NULL};
static const char *const SOCK_NOUNS[] = {"Crew Sock 3-Pack",   "Running Sock",
                                         "Merino Hiking Sock", "No-Show Sock 3-Pack",
                                         "Compression Sock",   NULL};
static const char *const BASE_NOUNS[] = {"Boxer Brief 3-Pack", "Sports Bra", "Base Layer Tee",
                                         "Base Layer Tight",   "Bralette",   NULL};

static const char *const SHOE_SIZES[] = {"6", "7", "8", "9", "10", "11", "12", NULL};
static const char *const ALPHA_SIZES[] = {"XS", "S", "M", "L", "XL", "XXL", NULL};
static const char *const WAIST_SIZES[] = {"28", "30", "32", "34", "36", "38", NULL};
static const char *const DRESS_SIZES[] = {"0", "2", "4", "6", "8", "10", "12", "14", NULL};
static const char *const ONE_SIZE[] = {"One size", NULL};
static const char *const SOCK_SIZES[] = {"S", "M", "L", NULL};

static const Category CATEGORIES[] = {
    {"running-shoes", "shoe", SHOE_NOUNS, SHOE_SIZES, 90, 180, 0,
     "A responsive, breathable shoe for daily miles."},
    {"jackets", "top", JACKET_NOUNS, ALPHA_SIZES, 70, 250, 0,
     "Built for Pacific Northwest weather."},
    {"jeans", "waist", JEAN_NOUNS, WAIST_SIZES, 50, 130, 0,
     "Organic cotton denim with a touch of stretch."},
    {"tops", "top", TOP_NOUNS, ALPHA_SIZES, 20, 80, 0, "A soft everyday layer."},
    {"dresses", "dress", DRESS_NOUNS, DRESS_SIZES, 50, 160, 0, "Easy to wear from desk to dinner."},
    {"accessories", NULL, ACC_NOUNS, ONE_SIZE, 15, 130, 0, "The finishing touch."},
    {"socks", "sock", SOCK_NOUNS, SOCK_SIZES, 10, 25, 75,
     "Cushioned, durable, made to be restocked."},
    {"base-layers", "top", BASE_NOUNS, ALPHA_SIZES, 20, 60, 90,
     "Next-to-skin comfort, replaced often."},
};
#define N_CATEGORIES (sizeof CATEGORIES / sizeof CATEGORIES[0])

static const char *const ADJECTIVES[] = {
    "Cascade", "Rainier", "Summit",  "Swift",     "Alki",    "Glide",     "Pacer",   "Ridge",
    "Olympic", "Puget",   "Sound",   "Evergreen", "Cedar",   "Orca",      "Emerald", "Salish",
    "Harbor",  "Pioneer", "Ballard", "Madrona",   "Tilikum", "Snoqualmie"};
#define N_ADJ (sizeof ADJECTIVES / sizeof ADJECTIVES[0])

static const char *const BRANDS[] = {"Northbound", "Sound & Pine", "Rainier Supply Co.",
                                     "Cedar Row", "Tidewater"};

/* Preference words (docs/api.md, the member profile). */
static const char *const FITS[] = {"slim", "regular", "relaxed"};
static const char *const STYLES[] = {"casual", "smart", "outdoor", "sport", "classic"};
#define N_STYLES  (sizeof STYLES / sizeof STYLES[0])
#define PREFS_MAX 4 /* colours, styles in a member's preferences */

typedef struct Persona {
    const char *name;
    int weights[N_CATEGORIES]; /* relative interest per category, same order as CATEGORIES */
    int fit[3];                /* percent slim, regular, relaxed */
    const char *styles[2];     /* the persona's style, then its second */
} Persona;

static const Persona PERSONAS[] = {
    {"runner", {40, 8, 4, 14, 0, 6, 20, 14}, {50, 50, 0}, {"sport", "casual"}},
    {"outdoors", {10, 34, 8, 14, 0, 18, 10, 8}, {0, 60, 40}, {"outdoor", "casual"}},
    {"denim", {4, 12, 34, 28, 4, 12, 4, 4}, {40, 30, 30}, {"casual", "classic"}},
    {"dress", {2, 10, 6, 18, 38, 18, 4, 6}, {40, 60, 0}, {"smart", "classic"}},
    {"everyday", {10, 12, 14, 22, 8, 12, 12, 10}, {0, 50, 50}, {"casual", "smart"}},
};
#define N_PERSONAS (sizeof PERSONAS / sizeof PERSONAS[0])

typedef struct Lang {
    const char *code;
    const char *const *first;
    const char *const *last;
} Lang;

static const char *const EN_FIRST[] = {
    "Olivia", "Liam", "Emma",  "Noah",  "Ava",  "Ethan", "Mia", "Lucas", "Harper", "Mason",
    "Chloe",  "Owen", "Grace", "Wyatt", "Nora", "Henry", "Zoe", "Caleb", NULL};
static const char *const EN_LAST[] = {"Anderson", "Nguyen", "Johnson",  "Kim",  "Walker",   "Patel",
                                      "Bennett",  "Chen",   "Sullivan", "Park", "Fletcher", "Reyes",
                                      "Hughes",   "Tanaka", "Brooks",   NULL};
static const char *const ES_FIRST[] = {"Lucía",     "Mateo",    "Sofía",  "Diego",
                                       "Valentina", "Santiago", "Camila", "Alejandro",
                                       "Isabela",   "Javier",   NULL};
static const char *const ES_LAST[] = {"García",  "Martínez", "Hernández", "López",  "González",
                                      "Ramírez", "Torres",   "Flores",    "Vargas", NULL};
static const char *const FR_FIRST[] = {"Camille", "Louis", "Chloé", "Hugo",   "Léa",
                                       "Jules",   "Manon", "Théo",  "Élodie", NULL};
static const char *const FR_LAST[] = {"Martin",  "Bernard", "Dubois",   "Lefèvre", "Moreau",
                                      "Laurent", "Girard",  "Fournier", NULL};

static const Lang LANGS[] = {
    {"en", EN_FIRST, EN_LAST}, {"es", ES_FIRST, ES_LAST}, {"fr", FR_FIRST, FR_LAST}};

typedef struct Street {
    const char *street, *city, *postcode;
} Street;

static const Street STREETS[] = {
    {"Pine St", "Seattle", "98122"},           {"E Madison St", "Seattle", "98112"},
    {"Greenwood Ave N", "Seattle", "98103"},   {"Rainier Ave S", "Seattle", "98144"},
    {"NW Market St", "Seattle", "98107"},      {"Eastlake Ave E", "Seattle", "98102"},
    {"Phinney Ave N", "Seattle", "98103"},     {"Stone Way N", "Seattle", "98103"},
    {"California Ave SW", "Seattle", "98116"}, {"NE 65th St", "Seattle", "98115"},
    {"Beacon Ave S", "Seattle", "98108"},      {"Dexter Ave N", "Seattle", "98109"},
    {"NE 8th St", "Bellevue", "98004"},        {"Lake Washington Blvd", "Kirkland", "98033"},
    {"NE 85th St", "Redmond", "98052"},        {"S 3rd St", "Renton", "98057"},
    {"Meridian Ave N", "Seattle", "98133"},    {"Fauntleroy Way SW", "Seattle", "98136"},
};
#define N_STREETS (sizeof STREETS / sizeof STREETS[0])

static const char *const RETURN_REASONS[] = {"Too small", "Too large", "Colour not as pictured",
                                             "Changed my mind", "Arrived damaged"};

/* Store staff: two associates at each of the first three shops, a technician, and an
 * associate who left (inactive: their badge and their id are refused). Ids fit a badge's
 * token (TOKEN_MEMBER_ID_MAX) and the API's identifiers. */
typedef struct SeedStaff {
    const char *id, *first, *last, *role;
    int store; /* index into STORES */
    bool active;
} SeedStaff;

static const SeedStaff STAFF[] = {
    {"S1001", "Alex", "Rivera", "staff", 0, true},
    {"S1002", "Priya", "Shah", "staff", 0, true},
    {"S1003", "Marcus", "Lee", "staff", 1, true},
    {"S1004", "Sofía", "Alvarez", "staff", 1, true},
    {"S1005", "Jordan", "Kim", "staff", 2, true},
    {"S1006", "Hannah", "Okafor", "staff", 2, true},
    {"S1007", "Theo", "Nakamura", "technician", 0, true},
    {"S1008", "Casey", "Morgan", "staff", 1, false},
};
#define N_STAFF (sizeof STAFF / sizeof STAFF[0])

/* Stylist notes on a few members, oldest first (note ids follow this order). */
typedef struct SeedNote {
    int member; /* index of the member: 0 is M10001 */
    int staff;  /* index into STAFF */
    int days_ago;
    const char *text;
} SeedNote;

static const SeedNote NOTES[] = {
    {0, 0, 96, "Returned a knit top that ran small: size up in knits. Likes a longer hem."},
    {4, 1, 60, "Prefers earth tones, no big logos. Ask about the new fleece colours."},
    {1, 4, 33, "Speaks French; looking for a light rain shell for a trip in May."},
    {9, 3, 21, "Comes in on Saturday mornings and likes to try two sizes at once."},
    {0, 2, 12, "Training for a spring half marathon. Wants a second pair of road shoes to rotate."},
};
#define N_NOTES (sizeof NOTES / sizeof NOTES[0])

static size_t list_len(const char *const *list)
{
    size_t n = 0;
    while (list[n])
        n++;
    return n;
}

/* Per-product facts the seed keeps in memory while it builds histories. */
typedef struct SeedProduct {
    char id[16];
    int category;
    int price_cents;
    int first_variant, n_variants; /* indexes into the variant arrays */
} SeedProduct;

typedef struct SeedVariant {
    char id[16];
    int product;
    const char *size;
} SeedVariant;

typedef struct Seed {
    sqlite3 *db;
    UtilRng rng;
    time_t now;
    SeedProduct *products;
    int n_products;
    SeedVariant *variants;
    int n_variants;
    int pools[N_PERSONAS][POOL_SIZE];
    int64_t order_seq;
    int64_t stock_seq; /* change sequence of the stock figures written so far */
} Seed;

static KioskErr step_done(sqlite3 *db, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) {
        log_error("seed", "insert failed: %s", sqlite3_errmsg(db));
        return KIOSK_E_IO;
    }
    return KIOSK_OK;
}

/* The catalog and stock change sequences start where the seed's rows end. */
static KioskErr write_counters(const Seed *s)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "INSERT INTO counters(name,value) VALUES('catalog',%d),('stock',%lld)", s->n_products,
             (long long)s->stock_seq);
    return db_exec(s->db, sql);
}

static char *hours_json(int kind)
{
    static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    json_t *h = json_object();
    for (int d = 0; d < 7; d++) {
        const char *open = "10:00", *close = "20:00";
        if (kind == 1) {
            close = d == 6 ? "18:00" : "21:00";
            open = d == 6 ? "11:00" : "10:00";
        } else if (kind == 2) {
            open = "09:00";
            close = d >= 5 ? "20:00" : "21:00";
        } else if (kind == 3) {
            open = "00:00";
            close = "24:00";
        } else if (d == 6) {
            open = "11:00";
            close = "18:00";
        }
        json_object_set_new(h, days[d], json_pack("{s:s,s:s}", "open", open, "close", close));
    }
    char *text = json_dumps(h, JSON_COMPACT);
    json_decref(h);
    return text;
}

static KioskErr seed_stores(Seed *s)
{
    sqlite3_stmt *st = NULL;
    KioskErr err = db_prepare(s->db,
                              "INSERT INTO stores(id,kind,name,address,city,postcode,phone,lat,lon,"
                              "hours,timezone) VALUES(?,?,?,?,?,?,?,?,?,?,'America/Los_Angeles')",
                              &st);
    for (size_t i = 0; err == KIOSK_OK && i < N_STORES; i++) {
        const SeedStore *ss = &STORES[i];
        char *hours = hours_json(ss->hours_kind);
        sqlite3_bind_text(st, 1, ss->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, ss->hours_kind == 3 ? "online" : "store", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, ss->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, ss->address, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, ss->city, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, ss->postcode, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, ss->phone, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 8, ss->lat);
        sqlite3_bind_double(st, 9, ss->lon);
        sqlite3_bind_text(st, 10, hours, -1, free);
        err = step_done(s->db, st);
    }
    sqlite3_finalize(st);
    return err;
}

static int stock_qty(Seed *s, bool online)
{
    int roll = util_rng_range(&s->rng, 0, 99);
    if (online)
        return roll < 5 ? 0 : util_rng_range(&s->rng, 8, 180);
    if (roll < 15)
        return 0;
    if (roll < 32)
        return util_rng_range(&s->rng, 1, 3);
    return util_rng_range(&s->rng, 4, 24);
}

static KioskErr seed_catalog(Seed *s)
{
    sqlite3_stmt *pst = NULL, *vst = NULL, *sst = NULL;
    KioskErr err = KIOSK_OK;
    int gtin_item = 0;
    int cap_products = (int)(N_CATEGORIES * SEED_PRODUCTS_PER_CATEGORY);
    s->products = calloc((size_t)cap_products, sizeof *s->products);
    s->variants = calloc((size_t)cap_products * MAX_VARIANTS, sizeof *s->variants);
    if (!s->products || !s->variants)
        return KIOSK_E_NOMEM;
    const DbPrep preps[] = {
        {"INSERT INTO products(id,name,brand,category,description,price_cents,replenishable,"
         "replenish_days,seq,updated_at) VALUES(?,?,?,?,?,?,?,?,?,?)",
         &pst},
        {"INSERT INTO variants(id,product_id,size,colour,colour_hex,gtin,price_cents,position)"
         " VALUES(?,?,?,?,?,?,?,?)",
         &vst},
        {"INSERT INTO stock(variant_id,store_id,qty,updated_at,seq) VALUES(?,?,?,?,?)", &sst},
    };
    err = db_prepare_all(s->db, preps, sizeof preps / sizeof preps[0]);
    if (err != KIOSK_OK)
        goto out;

    for (size_t c = 0; c < N_CATEGORIES; c++) {
        const Category *cat = &CATEGORIES[c];
        size_t n_nouns = list_len(cat->nouns), n_sizes = list_len(cat->sizes);
        /* Walk adjective x noun combinations in a shuffled order: unique names. */
        size_t combos = N_ADJ * n_nouns;
        int *order = malloc(combos * sizeof *order);
        if (!order) {
            err = KIOSK_E_NOMEM;
            goto out;
        }
        for (size_t i = 0; i < combos; i++)
            order[i] = (int)i;
        for (size_t i = combos - 1; i > 0; i--) {
            size_t j = util_rng_next(&s->rng) % (i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (int k = 0; k < SEED_PRODUCTS_PER_CATEGORY && err == KIOSK_OK; k++) {
            SeedProduct *p = &s->products[s->n_products];
            const char *adj = ADJECTIVES[(size_t)order[k] / n_nouns];
            const char *noun = cat->nouns[(size_t)order[k] % n_nouns];
            char name[96], desc[256];
            snprintf(p->id, sizeof p->id, "P%04d", s->n_products + 1);
            snprintf(name, sizeof name, "%s %s", adj, noun);
            snprintf(desc, sizeof desc, "The %s. %s", name, cat->blurb);
            p->category = (int)c;
            p->price_cents = util_rng_range(&s->rng, cat->min_price, cat->max_price) * 100 - 1;
            sqlite3_bind_text(pst, 1, p->id, -1, SQLITE_STATIC);
            sqlite3_bind_text(pst, 2, name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(pst, 3, BRANDS[util_rng_range(&s->rng, 0, 4)], -1, SQLITE_STATIC);
            sqlite3_bind_text(pst, 4, cat->id, -1, SQLITE_STATIC);
            sqlite3_bind_text(pst, 5, desc, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(pst, 6, p->price_cents);
            sqlite3_bind_int(pst, 7, cat->replenish_days > 0);
            sqlite3_bind_int(pst, 8, cat->replenish_days);
            sqlite3_bind_int(pst, 9, s->n_products + 1);
            sqlite3_bind_int64(pst, 10, (sqlite3_int64)s->now);
            err = step_done(s->db, pst);
            if (err != KIOSK_OK)
                break;

            int n_colours = util_rng_range(&s->rng, 2, 4);
            int first_colour = util_rng_range(&s->rng, 0, (int)N_COLOURS - 1);
            p->first_variant = s->n_variants;
            int position = 0;
            for (int ci = 0; ci < n_colours && err == KIOSK_OK; ci++) {
                const Colour *col = &COLOURS[(size_t)(first_colour + ci * 4) % N_COLOURS];
                for (size_t si = 0; si < n_sizes && err == KIOSK_OK; si++) {
                    SeedVariant *v = &s->variants[s->n_variants];
                    char gtin[24];
                    snprintf(v->id, sizeof v->id, "V%05d", s->n_variants + 1);
                    v->product = s->n_products;
                    v->size = cat->sizes[si];
                    snprintf(gtin, sizeof gtin, GTIN_PREFIX "%05d", ++gtin_item);
                    gtin[12] = (char)('0' + util_gtin_check_digit(gtin, 12));
                    gtin[13] = '\0';
                    sqlite3_bind_text(vst, 1, v->id, -1, SQLITE_STATIC);
                    sqlite3_bind_text(vst, 2, p->id, -1, SQLITE_STATIC);
                    sqlite3_bind_text(vst, 3, v->size, -1, SQLITE_STATIC);
                    sqlite3_bind_text(vst, 4, col->name, -1, SQLITE_STATIC);
                    sqlite3_bind_text(vst, 5, col->hex, -1, SQLITE_STATIC);
                    sqlite3_bind_text(vst, 6, gtin, -1, SQLITE_TRANSIENT);
                    sqlite3_bind_int(vst, 7, p->price_cents);
                    sqlite3_bind_int(vst, 8, position++);
                    err = step_done(s->db, vst);
                    if (err != KIOSK_OK)
                        break;
                    for (size_t st_i = 0; st_i < N_STORES && err == KIOSK_OK; st_i++) {
                        sqlite3_bind_text(sst, 1, v->id, -1, SQLITE_STATIC);
                        sqlite3_bind_text(sst, 2, STORES[st_i].id, -1, SQLITE_STATIC);
                        sqlite3_bind_int(sst, 3, stock_qty(s, st_i == N_STORES - 1));
                        sqlite3_bind_int64(
                            sst, 4, (sqlite3_int64)(s->now - util_rng_range(&s->rng, 30, 7200)));
                        sqlite3_bind_int64(sst, 5, ++s->stock_seq);
                        err = step_done(s->db, sst);
                    }
                    s->n_variants++;
                }
            }
            p->n_variants = s->n_variants - p->first_variant;
            s->n_products++;
        }
        free(order);
        if (err != KIOSK_OK)
            goto out;
    }
    err = write_counters(s);
out:
    sqlite3_finalize(pst);
    sqlite3_finalize(vst);
    sqlite3_finalize(sst);
    return err;
}

static void build_pools(Seed *s)
{
    for (size_t p = 0; p < N_PERSONAS; p++) {
        int total = 0;
        for (size_t c = 0; c < N_CATEGORIES; c++)
            total += PERSONAS[p].weights[c];
        for (int i = 0; i < POOL_SIZE; i++) {
            int roll = util_rng_range(&s->rng, 0, total - 1), c = 0;
            while (roll >= PERSONAS[p].weights[c])
                roll -= PERSONAS[p].weights[c++];
            s->pools[p][i] = c * SEED_PRODUCTS_PER_CATEGORY +
                             util_rng_range(&s->rng, 0, SEED_PRODUCTS_PER_CATEGORY - 1);
        }
    }
}

/* A product for this persona: mostly from its favourites, sometimes anything it likes. */
static int pick_product(Seed *s, int persona)
{
    if (util_rng_chance(&s->rng, 75))
        return s->pools[persona][util_rng_range(&s->rng, 0, POOL_SIZE - 1)];
    int total = 0;
    for (size_t c = 0; c < N_CATEGORIES; c++)
        total += PERSONAS[persona].weights[c];
    int roll = util_rng_range(&s->rng, 0, total - 1), c = 0;
    while (roll >= PERSONAS[persona].weights[c])
        roll -= PERSONAS[persona].weights[c++];
    return c * SEED_PRODUCTS_PER_CATEGORY +
           util_rng_range(&s->rng, 0, SEED_PRODUCTS_PER_CATEGORY - 1);
}

/* The variant of product p in the member's size (sizes is the member's JSON object). */
static const SeedVariant *pick_variant(Seed *s, int p, json_t *sizes)
{
    const SeedProduct *sp = &s->products[p];
    const char *key = CATEGORIES[sp->category].size_key;
    const char *want = key ? json_string_value(json_object_get(sizes, key)) : NULL;
    int colour_skip = util_rng_range(&s->rng, 0, 3);
    const SeedVariant *fallback = &s->variants[sp->first_variant];
    for (int i = 0; i < sp->n_variants; i++) {
        const SeedVariant *v = &s->variants[sp->first_variant + i];
        if (want && strcmp(v->size, want) == 0) {
            fallback = v;
            if (colour_skip-- <= 0)
                return v;
        }
    }
    return fallback;
}

typedef struct OrderSpec {
    const char *member, *channel, *store;
    time_t when;
    int lines[4], n_lines; /* product indexes */
    json_t *sizes;
} OrderSpec;

/* *want_return: in, whether this member's history still needs a returned line; a line
 * returned by chance or the first garment line (returned here) clears it. */
static KioskErr insert_order(Seed *s, sqlite3_stmt *ost, sqlite3_stmt *lst, const OrderSpec *o,
                             int *spent_cents, bool *want_return)
{
    char id[32], number[32];
    int subtotal = 0;
    KioskErr err = KIOSK_OK;
    s->order_seq++;
    snprintf(id, sizeof id, "O%06lld", (long long)s->order_seq);
    snprintf(number, sizeof number, "K-%06lld", 100000 + (long long)s->order_seq);
    const SeedVariant *vs[4];
    int qty[4];
    for (int i = 0; i < o->n_lines; i++) {
        vs[i] = pick_variant(s, o->lines[i], o->sizes);
        qty[i] = CATEGORIES[s->products[o->lines[i]].category].replenish_days
                     ? util_rng_range(&s->rng, 1, 2)
                     : 1;
        subtotal += s->products[o->lines[i]].price_cents * qty[i];
    }
    bool shipped = strcmp(o->channel, "store") != 0;
    int shipping = shipped && subtotal < 7500 ? 695 : 0;
    int tax = (int)((long long)subtotal * TAX_PER_10K / 10000);
    sqlite3_bind_text(ost, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ost, 2, number, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ost, 3, o->member, -1, SQLITE_STATIC);
    sqlite3_bind_text(ost, 4, o->channel, -1, SQLITE_STATIC);
    if (o->store)
        sqlite3_bind_text(ost, 5, o->store, -1, SQLITE_STATIC);
    sqlite3_bind_text(ost, 6, shipped ? "delivered" : "completed", -1, SQLITE_STATIC);
    sqlite3_bind_text(ost, 7, shipped ? "standard" : NULL, -1, SQLITE_STATIC);
    sqlite3_bind_int(ost, 8, subtotal);
    sqlite3_bind_int(ost, 9, shipping);
    sqlite3_bind_int(ost, 10, tax);
    sqlite3_bind_int(ost, 11, subtotal + shipping + tax);
    sqlite3_bind_int64(ost, 12, (sqlite3_int64)o->when);
    if (shipped) {
        sqlite3_bind_int64(ost, 13, (sqlite3_int64)util_add_business_days(o->when, 3));
        sqlite3_bind_int64(ost, 14, (sqlite3_int64)util_add_business_days(o->when, 5));
    }
    err = step_done(s->db, ost);
    if (err != KIOSK_OK)
        return err;
    for (int i = 0; i < o->n_lines && err == KIOSK_OK; i++) {
        const SeedProduct *sp = &s->products[o->lines[i]];
        bool garment = !CATEGORIES[sp->category].replenish_days;
        bool returned = garment && util_rng_chance(&s->rng, 9);
        const char *reason = returned ? RETURN_REASONS[util_rng_range(&s->rng, 0, 4)] : NULL;
        if (*want_return && garment && !returned) {
            /* Decided without the generator, so every later draw stays the same. */
            returned = true;
            reason = RETURN_REASONS[0];
        }
        *want_return = *want_return && !returned;
        sqlite3_bind_text(lst, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(lst, 2, i + 1);
        sqlite3_bind_text(lst, 3, vs[i]->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(lst, 4, sp->id, -1, SQLITE_STATIC);
        sqlite3_bind_int(lst, 5, qty[i]);
        sqlite3_bind_int(lst, 6, sp->price_cents);
        sqlite3_bind_int(lst, 7, returned);
        if (returned)
            sqlite3_bind_text(lst, 8, reason, -1, SQLITE_STATIC);
        err = step_done(s->db, lst);
        if (!returned)
            *spent_cents += sp->price_cents * qty[i];
    }
    return err;
}

static json_t *member_sizes(Seed *s, int persona)
{
    static const char *const shoe[] = {"7", "8", "9", "10", "11"};
    static const char *const alpha[] = {"XS", "S", "M", "L", "XL"};
    static const char *const waist[] = {"28", "30", "32", "34", "36"};
    static const char *const dress[] = {"2", "4", "6", "8", "10", "12"};
    static const char *const sock[] = {"S", "M", "L"};
    int a = util_rng_range(&s->rng, 0, 4);
    json_t *sizes =
        json_pack("{s:s,s:s,s:s,s:s}", "shoe", shoe[util_rng_range(&s->rng, 0, 4)], "top", alpha[a],
                  "waist", waist[util_rng_range(&s->rng, 0, 4)], "sock", sock[a * 3 / 5]);
    if (persona == 3 || util_rng_chance(&s->rng, 30))
        json_object_set_new(sizes, "dress", json_string(dress[util_rng_range(&s->rng, 0, 5)]));
    return sizes;
}

static KioskErr seed_members(Seed *s)
{
    sqlite3_stmt *mst = NULL, *ast = NULL, *ost = NULL, *lst = NULL, *upd = NULL;
    KioskErr err;
    err = db_prepare(
        s->db,
        "INSERT INTO members(id,first_name,last_name,email,language,tier,points,"
        "sizes,payment_on_file,home_store,member_since) VALUES(?,?,?,?,?,'bronze',0,?,?,?,?)",
        &mst);
    if (err == KIOSK_OK)
        err = db_prepare(s->db,
                         "INSERT INTO addresses(id,member_id,label,line1,city,region,postcode,"
                         "is_default) VALUES(?,?,?,?,?,'WA',?,?)",
                         &ast);
    if (err == KIOSK_OK)
        err = db_prepare(s->db,
                         "INSERT INTO orders(id,number,member_id,channel,store_id,status,"
                         "shipping_option,subtotal_cents,discount_cents,shipping_cents,tax_cents,"
                         "total_cents,created_at,delivery_from,delivery_to) "
                         "VALUES(?,?,?,?,?,?,?,?,0,?,?,?,?,?,?)",
                         &ost);
    if (err == KIOSK_OK)
        err = db_prepare(s->db,
                         "INSERT INTO order_lines(order_id,line,variant_id,product_id,qty,"
                         "unit_cents,returned,return_reason) VALUES(?,?,?,?,?,?,?,?)",
                         &lst);
    if (err == KIOSK_OK)
        err = db_prepare(s->db, "UPDATE members SET points=?, tier=? WHERE id=?", &upd);
    if (err != KIOSK_OK)
        goto out;

    for (int m = 0; m < SEED_MEMBERS && err == KIOSK_OK; m++) {
        char id[16], email[128];
        int roll = util_rng_range(&s->rng, 0, 99);
        const Lang *lang = &LANGS[roll < 60 ? 0 : roll < 85 ? 1 : 2];
        const char *first = lang->first[util_rng_range(&s->rng, 0, (int)list_len(lang->first) - 1)];
        const char *last = lang->last[util_rng_range(&s->rng, 0, (int)list_len(lang->last) - 1)];
        int persona = m % (int)N_PERSONAS;
        const char *home = STORES[util_rng_range(&s->rng, 0, (int)N_SHOPS - 1)].id;
        json_t *sizes = member_sizes(s, persona);
        char *sizes_text = json_dumps(sizes, JSON_COMPACT);
        snprintf(id, sizeof id, "M%05d", 10001 + m);
        snprintf(email, sizeof email, "member%05d@example.com", 10001 + m);
        sqlite3_bind_text(mst, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(mst, 2, first, -1, SQLITE_STATIC);
        sqlite3_bind_text(mst, 3, last, -1, SQLITE_STATIC);
        sqlite3_bind_text(mst, 4, email, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(mst, 5, lang->code, -1, SQLITE_STATIC);
        sqlite3_bind_text(mst, 6, sizes_text, -1, free);
        sqlite3_bind_int(mst, 7, util_rng_chance(&s->rng, 70));
        sqlite3_bind_text(mst, 8, home, -1, SQLITE_STATIC);
        sqlite3_bind_int64(mst, 9,
                           (sqlite3_int64)(s->now - 86400LL * util_rng_range(&s->rng, 560, 2400)));
        err = step_done(s->db, mst);
        if (err != KIOSK_OK) {
            json_decref(sizes);
            break;
        }
        int n_addr = util_rng_range(&s->rng, 1, 2);
        for (int a = 0; a < n_addr && err == KIOSK_OK; a++) {
            char aid[24], line1[96];
            const Street *str = &STREETS[util_rng_range(&s->rng, 0, (int)N_STREETS - 1)];
            snprintf(aid, sizeof aid, "A%05d-%d", 10001 + m, a + 1);
            snprintf(line1, sizeof line1, "%d %s", util_rng_range(&s->rng, 100, 9899), str->street);
            sqlite3_bind_text(ast, 1, aid, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ast, 2, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ast, 3, a == 0 ? "Home" : "Work", -1, SQLITE_STATIC);
            sqlite3_bind_text(ast, 4, line1, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ast, 5, str->city, -1, SQLITE_STATIC);
            sqlite3_bind_text(ast, 6, str->postcode, -1, SQLITE_STATIC);
            sqlite3_bind_int(ast, 7, a == 0);
            err = step_done(s->db, ast);
        }
        /* Orders over the last 18 months, oldest first, on every channel. */
        int spent = 0, n_orders = util_rng_range(&s->rng, 4, 12);
        int sock_product = -1;
        if (util_rng_chance(&s->rng, 60)) /* a sock habit: the same replenishable, often */
            sock_product = 6 * SEED_PRODUCTS_PER_CATEGORY + util_rng_range(&s->rng, 0, 9);
        /* Spaced 25-60 days apart (42 on average), the newest a few weeks old. */
        time_t when = s->now - 86400LL * (n_orders * 42 + util_rng_range(&s->rng, 5, 40));
        /* The first member is the demo's walkthrough: their history always has a return
         * (the first garment, unless chance returned one before). */
        bool want_return = m == 0;
        for (int o = 0; o < n_orders && err == KIOSK_OK; o++) {
            OrderSpec spec = {.member = id, .sizes = sizes, .when = when};
            int ch = util_rng_range(&s->rng, 0, 99);
            spec.channel = ch < 40 ? "web" : ch < 70 ? "app" : "store";
            if (strcmp(spec.channel, "store") == 0)
                spec.store = util_rng_chance(&s->rng, 70)
                                 ? home
                                 : STORES[util_rng_range(&s->rng, 0, (int)N_SHOPS - 1)].id;
            spec.n_lines = util_rng_range(&s->rng, 1, 3);
            for (int l = 0; l < spec.n_lines; l++)
                spec.lines[l] = pick_product(s, persona);
            if (sock_product >= 0 && o % 2 == 0 && spec.n_lines < 4)
                spec.lines[spec.n_lines++] = sock_product;
            err = insert_order(s, ost, lst, &spec, &spent, &want_return);
            when += 86400LL * util_rng_range(&s->rng, 25, 60);
            if (when > s->now - 86400 * 3)
                break;
        }
        json_decref(sizes);
        int points = spent / 100 + util_rng_range(&s->rng, 0, 400);
        const char *tier = points >= 2300   ? "platinum"
                           : points >= 1600 ? "gold"
                           : points >= 1000 ? "silver"
                                            : "bronze";
        sqlite3_bind_int(upd, 1, points);
        sqlite3_bind_text(upd, 2, tier, -1, SQLITE_STATIC);
        sqlite3_bind_text(upd, 3, id, -1, SQLITE_TRANSIENT);
        if (err == KIOSK_OK)
            err = step_done(s->db, upd);
    }
    if (err == KIOSK_OK) {
        char sql[96];
        snprintf(sql, sizeof sql, "INSERT INTO counters(name,value) VALUES('order',%lld)",
                 (long long)s->order_seq);
        err = db_exec(s->db, sql);
    }
out:
    sqlite3_finalize(mst);
    sqlite3_finalize(ast);
    sqlite3_finalize(ost);
    sqlite3_finalize(lst);
    sqlite3_finalize(upd);
    return err;
}

/* The staff table; in the large chain the first three shops stand in for the demo's. */
static KioskErr seed_staff(Seed *s, bool large)
{
    sqlite3_stmt *st = NULL;
    KioskErr err = db_prepare(s->db,
                              "INSERT INTO staff(id,first_name,last_name,role,store_id,active)"
                              " VALUES(?,?,?,?,?,?)",
                              &st);
    for (size_t i = 0; err == KIOSK_OK && i < N_STAFF; i++) {
        const SeedStaff *ss = &STAFF[i];
        char store[UTIL_ID_MAX + 1];
        if (large)
            snprintf(store, sizeof store, "lg-%03d", ss->store + 1);
        else
            snprintf(store, sizeof store, "%s", STORES[ss->store].id);
        sqlite3_bind_text(st, 1, ss->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, ss->first, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, ss->last, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, ss->role, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, store, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 6, ss->active);
        err = step_done(s->db, st);
    }
    sqlite3_finalize(st);
    return err;
}

/* Preferences from the member's persona and history: the colours they kept most, the
 * persona's styles, a fit. Drawn from a generator of their own, after the histories, so
 * the rest of the demo is the same with or without them. */
static KioskErr seed_preferences(Seed *s)
{
    sqlite3_stmt *cst = NULL, *upd = NULL;
    UtilRng rng;
    util_rng_init(&rng, SEED_RNG ^ 0x7a57e);
    const DbPrep preps[] = {
        {"SELECT v.colour FROM order_lines l JOIN orders o ON o.id=l.order_id"
         " JOIN variants v ON v.id=l.variant_id WHERE o.member_id=? AND l.returned=0"
         " GROUP BY v.colour ORDER BY COUNT(*) DESC, MAX(o.created_at) DESC, v.colour LIMIT ?",
         &cst},
        {"UPDATE members SET preferences=? WHERE id=?", &upd},
    };
    KioskErr err = db_prepare_all(s->db, preps, sizeof preps / sizeof preps[0]);
    for (int m = 0; m < SEED_MEMBERS && err == KIOSK_OK; m++) {
        const Persona *pp = &PERSONAS[(size_t)m % N_PERSONAS];
        char id[16];
        snprintf(id, sizeof id, "M%05d", 10001 + m);
        json_t *colours = json_array(), *styles = json_array();
        sqlite3_bind_text(cst, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int(cst, 2, util_rng_range(&rng, 1, PREFS_MAX));
        while (sqlite3_step(cst) == SQLITE_ROW)
            json_array_append_new(colours, json_string(db_text(cst, 0)));
        sqlite3_reset(cst);
        json_array_append_new(styles, json_string(pp->styles[0]));
        if (util_rng_chance(&rng, 70))
            json_array_append_new(styles, json_string(pp->styles[1]));
        const char *extra = STYLES[util_rng_range(&rng, 0, (int)N_STYLES - 1)];
        bool have = false;
        for (size_t k = 0; k < json_array_size(styles); k++)
            have |= strcmp(json_string_value(json_array_get(styles, k)), extra) == 0;
        if (!have && util_rng_chance(&rng, 25))
            json_array_append_new(styles, json_string(extra));
        int roll = util_rng_range(&rng, 0, 99), f = 0;
        while (f < 2 && roll >= pp->fit[f])
            roll -= pp->fit[f++];
        bool fit_unknown = util_rng_chance(&rng, 12) && m > 0; /* the walkthrough has one */
        json_t *prefs =
            json_pack("{s:o,s:o,s:o}", "fit", fit_unknown ? json_null() : json_string(FITS[f]),
                      "colours", colours, "styles", styles);
        char *text = prefs ? json_dumps(prefs, JSON_COMPACT) : NULL;
        json_decref(prefs);
        if (!text) {
            err = KIOSK_E_NOMEM;
            break;
        }
        sqlite3_bind_text(upd, 1, text, -1, free);
        sqlite3_bind_text(upd, 2, id, -1, SQLITE_STATIC);
        err = step_done(s->db, upd);
    }
    sqlite3_finalize(cst);
    sqlite3_finalize(upd);
    return err;
}

static KioskErr seed_notes(Seed *s)
{
    sqlite3_stmt *st = NULL;
    KioskErr err = db_prepare(s->db,
                              "INSERT INTO notes(id,member_id,staff_id,store_id,text,created_at)"
                              " VALUES(?,?,?,?,?,?)",
                              &st);
    for (size_t i = 0; err == KIOSK_OK && i < N_NOTES; i++) {
        const SeedNote *n = &NOTES[i];
        const SeedStaff *by = &STAFF[n->staff];
        char id[16], member[16];
        snprintf(id, sizeof id, "N%06zu", i + 1);
        snprintf(member, sizeof member, "M%05d", 10001 + n->member);
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, member, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, by->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, STORES[by->store].id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, n->text, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, (sqlite3_int64)(s->now - 86400LL * n->days_ago - 3600 * 5));
        err = step_done(s->db, st);
    }
    sqlite3_finalize(st);
    if (err == KIOSK_OK) {
        char sql[96];
        snprintf(sql, sizeof sql, "INSERT INTO counters(name,value) VALUES('note',%zu)", N_NOTES);
        err = db_exec(s->db, sql);
    }
    return err;
}

/* A shop's demo service PIN: six digits from the demo's seed and the store id, redrawn
 * while trivial, so demo-service-pins.json can always say what it is. */
static void demo_pin(const char *store, char out[DEMO_PIN_LEN + 1])
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a of the id */
    for (const char *c = store; *c; c++)
        h = (h ^ (unsigned char)*c) * 0x100000001b3ULL;
    UtilRng rng;
    util_rng_init(&rng, SEED_RNG ^ PIN_SEED ^ h);
    do {
        for (int i = 0; i < DEMO_PIN_LEN; i++)
            out[i] = (char)('0' + util_rng_range(&rng, 0, 9));
        out[DEMO_PIN_LEN] = '\0';
    } while (pin_is_weak(out));
}

/* A service PIN for every shop (the warehouse has no devices), stored hashed like any PIN
 * and marked as the demo's until someone sets another. */
static KioskErr seed_service_pins(Seed *s)
{
    sqlite3_stmt *st = NULL;
    KioskErr err = db_prepare(s->db,
                              "INSERT INTO store_config(store_id,version,pin_salt,pin_hash,"
                              "pin_iterations,pin_set_at,pin_demo) VALUES(?,1,?,?,?,?,1)",
                              &st);
    for (size_t i = 0; err == KIOSK_OK && i < N_STORES; i++) {
        char pin[DEMO_PIN_LEN + 1];
        PinRecord rec;
        if (STORES[i].hours_kind == 3)
            continue;
        demo_pin(STORES[i].id, pin);
        err = pin_hash(pin, &rec);
        if (err != KIOSK_OK)
            break;
        sqlite3_bind_text(st, 1, STORES[i].id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, rec.salt, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, rec.hash, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 4, rec.iterations);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)s->now);
        err = step_done(s->db, st);
    }
    sqlite3_finalize(st);
    return err;
}

/* Offers: per member, products the persona's other members bought (co-purchase) and this
 * member has not, plus a member-wide reward. */
static KioskErr seed_offers(Seed *s)
{
    sqlite3_stmt *mst = NULL, *cst = NULL, *ins = NULL;
    KioskErr err;
    int n = 0;
    err = db_prepare(s->db, "SELECT id, tier FROM members ORDER BY id", &mst);
    if (err == KIOSK_OK)
        err =
            db_prepare(s->db,
                       "WITH mine AS (SELECT DISTINCT l.product_id FROM order_lines l JOIN orders o"
                       " ON o.id=l.order_id WHERE o.member_id=?1),"
                       " peers AS (SELECT DISTINCT o.member_id FROM orders o JOIN order_lines l"
                       " ON o.id=l.order_id WHERE l.product_id IN mine AND o.member_id<>?1)"
                       " SELECT l.product_id, p.name, COUNT(DISTINCT o.member_id) AS score"
                       " FROM order_lines l JOIN orders o ON o.id=l.order_id"
                       " JOIN products p ON p.id=l.product_id"
                       " WHERE o.member_id IN peers AND l.product_id NOT IN mine"
                       " AND p.replenishable=0 GROUP BY l.product_id ORDER BY score DESC,"
                       " l.product_id LIMIT 3",
                       &cst);
    if (err == KIOSK_OK)
        err = db_prepare(s->db,
                         "INSERT INTO offers(id,member_id,product_id,kind,value,title,reason,code,"
                         "starts_at,expires_at) VALUES(?,?,?,?,?,?,?,?,?,?)",
                         &ins);
    if (err != KIOSK_OK)
        goto out;
    while (err == KIOSK_OK && sqlite3_step(mst) == SQLITE_ROW) {
        char member[UTIL_ID_MAX + 1];
        snprintf(member, sizeof member, "%s", db_text(mst, 0));
        bool high_tier =
            strcmp(db_text(mst, 1), "gold") == 0 || strcmp(db_text(mst, 1), "platinum") == 0;
        sqlite3_bind_text(cst, 1, member, -1, SQLITE_STATIC);
        int k = 0;
        while (err == KIOSK_OK && sqlite3_step(cst) == SQLITE_ROW && k < 2) {
            char oid[16], title[160], code[16];
            int pct = (int[]){15, 20, 25}[util_rng_range(&s->rng, 0, 2)];
            snprintf(oid, sizeof oid, "F%05d", ++n);
            snprintf(title, sizeof title, "%d%% off the %s", pct, db_text(cst, 1));
            snprintf(code, sizeof code, "MBR-%04d", util_rng_range(&s->rng, 1000, 9999));
            sqlite3_bind_text(ins, 1, oid, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 2, member, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 3, db_text(cst, 0), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 4, "percent", -1, SQLITE_STATIC);
            sqlite3_bind_int(ins, 5, pct);
            sqlite3_bind_text(ins, 6, title, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 7,
                              "Members with your taste loved it, and you have not tried it yet", -1,
                              SQLITE_STATIC);
            sqlite3_bind_text(ins, 8, code, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(ins, 9, (sqlite3_int64)(s->now - 86400));
            sqlite3_bind_int64(ins, 10,
                               (sqlite3_int64)(s->now + 86400LL * util_rng_range(&s->rng, 7, 30)));
            err = step_done(s->db, ins);
            k++;
        }
        sqlite3_reset(cst);
        if (err != KIOSK_OK)
            break;
        char oid[16], code[16];
        snprintf(oid, sizeof oid, "F%05d", ++n);
        snprintf(code, sizeof code, "MBR-%04d", util_rng_range(&s->rng, 1000, 9999));
        sqlite3_bind_text(ins, 1, oid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, member, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 4, high_tier ? "free_shipping" : "amount", -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 5, high_tier ? 0 : 1000);
        sqlite3_bind_text(ins, 6, high_tier ? "Free express shipping" : "$10 off your next order",
                          -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 7, high_tier ? "A thank-you for your tier" : "Your points at work",
                          -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 8, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 9, (sqlite3_int64)(s->now - 86400));
        sqlite3_bind_int64(ins, 10, (sqlite3_int64)(s->now + 86400LL * 30));
        err = step_done(s->db, ins);
    }
out:
    sqlite3_finalize(mst);
    sqlite3_finalize(cst);
    sqlite3_finalize(ins);
    return err;
}

KioskErr seed_demo_db(sqlite3 *db, time_t now)
{
    Seed s = {.db = db, .now = now};
    KioskErr err;
    util_rng_init(&s.rng, SEED_RNG);
    err = db_exec(db, "BEGIN");
    if (err != KIOSK_OK)
        return err;
    err = seed_stores(&s);
    if (err == KIOSK_OK)
        err = seed_staff(&s, false);
    if (err == KIOSK_OK)
        err = seed_catalog(&s);
    if (err != KIOSK_OK)
        goto out;
    build_pools(&s);
    err = seed_members(&s);
    if (err == KIOSK_OK)
        err = seed_offers(&s);
    if (err == KIOSK_OK)
        err = seed_preferences(&s);
    if (err == KIOSK_OK)
        err = seed_notes(&s);
    if (err == KIOSK_OK)
        err = seed_service_pins(&s);
    if (err == KIOSK_OK)
        err = recs_product_stats(db);
    if (err != KIOSK_OK)
        goto out;
    err = db_exec(db, "COMMIT");
    if (err == KIOSK_OK)
        log_info("seed",
                 "demo data: %zu locations, %d products, %d variants, %d members, %lld orders",
                 N_STORES, s.n_products, s.n_variants, SEED_MEMBERS, (long long)s.order_seq);
out:
    if (err != KIOSK_OK)
        db_exec(db, "ROLLBACK");
    free(s.products);
    free(s.variants);
    return err;
}

/* --- the large generated chain (`--seed large`) ------------------------------------------ */

static const char *const LARGE_CITIES[] = {
    "Seattle",    "Tacoma", "Spokane",   "Portland", "Eugene",  "Salem",     "Boise",   "Olympia",
    "Bellingham", "Yakima", "Vancouver", "Bend",     "Everett", "Kennewick", "Medford", "Missoula"};
#define N_LARGE_CITIES (sizeof LARGE_CITIES / sizeof LARGE_CITIES[0])

/* Categories with several sizes, so 20 size x colour variants never repeat a pair. */
static const int LARGE_CATEGORIES[] = {0, 1, 2, 3, 4, 6, 7};
#define N_LARGE_CATEGORIES (sizeof LARGE_CATEGORIES / sizeof LARGE_CATEGORIES[0])

static KioskErr large_stores(Seed *s)
{
    sqlite3_stmt *st = NULL;
    KioskErr err = db_prepare(s->db,
                              "INSERT INTO stores(id,kind,name,address,city,postcode,phone,lat,lon,"
                              "hours,timezone) VALUES(?,?,?,?,?,?,?,?,?,?,'America/Los_Angeles')",
                              &st);
    for (int i = 0; err == KIOSK_OK && i <= SEED_LARGE_STORES; i++) {
        bool online = i == SEED_LARGE_STORES;
        char id[16], name[64], address[64], postcode[8], phone[24];
        const char *city = LARGE_CITIES[i % N_LARGE_CITIES];
        /* Spread over the Pacific Northwest: 44-49 N, 117-124 W. */
        double lat = online ? 47.4180 : 44.0 + util_rng_range(&s->rng, 0, 50000) / 10000.0;
        double lon = online ? -122.2400 : -124.0 + util_rng_range(&s->rng, 0, 70000) / 10000.0;
        if (online) {
            snprintf(id, sizeof id, "online");
            snprintf(name, sizeof name, "Online warehouse");
        } else {
            snprintf(id, sizeof id, "lg-%03d", i + 1);
            snprintf(name, sizeof name, "%s %03d", city, i + 1);
        }
        snprintf(address, sizeof address, "%d Main St", util_rng_range(&s->rng, 100, 9899));
        snprintf(postcode, sizeof postcode, "%05d", 97000 + i * 7);
        snprintf(phone, sizeof phone, "+1 509 555 %04d", 1000 + i);
        char *hours = hours_json(online ? 3 : i % 3);
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, online ? "online" : "store", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, address, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, online ? "Kent" : city, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, postcode, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 7, phone, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(st, 8, lat);
        sqlite3_bind_double(st, 9, lon);
        sqlite3_bind_text(st, 10, hours, -1, free);
        err = step_done(s->db, st);
    }
    sqlite3_finalize(st);
    return err;
}

/* Stock for every (variant, location) pair, drawn from an integer hash of the two row numbers
 * in one INSERT ... SELECT: three million rows through the C API cost several times more.
 * The warehouse stocks every variant (5 % at 0), each shop about SEED_LARGE_CARRY_PERCENT of
 * them (1-24 each). Sequence numbers follow the insertion order, with gaps. */
static KioskErr large_stock(Seed *s)
{
    sqlite3_stmt *st = NULL;
    KioskErr err = db_prepare(
        s->db,
        "INSERT INTO stock(variant_id, store_id, qty, updated_at, seq)"
        " SELECT id, store, CASE WHEN online THEN (CASE WHEN h % 100 < 5 THEN 0"
        "  ELSE 8 + (h / 100) % 173 END) ELSE 1 + (h / 100) % 24 END,"
        "  ?1 - 30 - (h / 2400) % 7170, seq FROM"
        " (SELECT v.id AS id, st.id AS store, st.kind = 'online' AS online,"
        "   v.rowid * 128 + st.rowid AS seq,"
        "   (v.rowid * 2654435761 + st.rowid * 97531 + v.rowid * st.rowid * 7919) % 1000003 AS h"
        "  FROM variants v CROSS JOIN stores st)"
        " WHERE online OR h % 100 < ?2 ORDER BY seq",
        &st);
    if (err != KIOSK_OK)
        return err;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)s->now);
    sqlite3_bind_int(st, 2, SEED_LARGE_CARRY_PERCENT);
    err = step_done(s->db, st);
    sqlite3_finalize(st);
    if (err != KIOSK_OK)
        return err;
    err = db_prepare(s->db, "SELECT COALESCE(MAX(seq), 0) FROM stock", &st);
    if (err == KIOSK_OK && sqlite3_step(st) == SQLITE_ROW)
        s->stock_seq = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return err;
}

/* 5,000 products x 20 variants. */
static KioskErr large_catalog(Seed *s)
{
    sqlite3_stmt *pst = NULL, *vst = NULL;
    KioskErr err;
    int gtin_item = 0;
    const DbPrep preps[] = {
        {"INSERT INTO products(id,name,brand,category,description,price_cents,replenishable,"
         "replenish_days,seq,updated_at) VALUES(?,?,?,?,?,?,?,?,?,?)",
         &pst},
        {"INSERT INTO variants(id,product_id,size,colour,colour_hex,gtin,price_cents,position)"
         " VALUES(?,?,?,?,?,?,?,?)",
         &vst},
    };
    err = db_prepare_all(s->db, preps, sizeof preps / sizeof preps[0]);
    if (err != KIOSK_OK)
        goto out;
    for (int p = 0; p < SEED_LARGE_PRODUCTS && err == KIOSK_OK; p++) {
        const Category *cat = &CATEGORIES[LARGE_CATEGORIES[(size_t)p % N_LARGE_CATEGORIES]];
        size_t n_sizes = list_len(cat->sizes);
        char pid[16], name[96], desc[256];
        const char *adj = ADJECTIVES[util_rng_range(&s->rng, 0, (int)N_ADJ - 1)];
        const char *noun = cat->nouns[util_rng_range(&s->rng, 0, (int)list_len(cat->nouns) - 1)];
        int price = util_rng_range(&s->rng, cat->min_price, cat->max_price) * 100 - 1;
        snprintf(pid, sizeof pid, "P%04d", p + 1);
        snprintf(name, sizeof name, "%s %s %d", adj, noun, p / 50 + 1);
        snprintf(desc, sizeof desc, "The %s. %s", name, cat->blurb);
        sqlite3_bind_text(pst, 1, pid, -1, SQLITE_STATIC);
        sqlite3_bind_text(pst, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(pst, 3, BRANDS[util_rng_range(&s->rng, 0, 4)], -1, SQLITE_STATIC);
        sqlite3_bind_text(pst, 4, cat->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(pst, 5, desc, -1, SQLITE_STATIC);
        sqlite3_bind_int(pst, 6, price);
        sqlite3_bind_int(pst, 7, cat->replenish_days > 0);
        sqlite3_bind_int(pst, 8, cat->replenish_days);
        sqlite3_bind_int(pst, 9, p + 1);
        sqlite3_bind_int64(pst, 10, (sqlite3_int64)s->now);
        err = step_done(s->db, pst);
        int first_colour = util_rng_range(&s->rng, 0, (int)N_COLOURS - 1);
        for (int k = 0; k < SEED_LARGE_VARIANTS_PER_PRODUCT && err == KIOSK_OK; k++) {
            const Colour *col = &COLOURS[((size_t)first_colour + (size_t)k / n_sizes) % N_COLOURS];
            char vid[16], gtin[24];
            snprintf(vid, sizeof vid, "V%06d", s->n_variants + 1);
            /* 0614141 + a 5-digit item reference: room for exactly 100,000 GTINs. */
            snprintf(gtin, sizeof gtin, GTIN_PREFIX "%05d", gtin_item++ % 100000);
            gtin[12] = (char)('0' + util_gtin_check_digit(gtin, 12));
            gtin[13] = '\0';
            sqlite3_bind_text(vst, 1, vid, -1, SQLITE_STATIC);
            sqlite3_bind_text(vst, 2, pid, -1, SQLITE_STATIC);
            sqlite3_bind_text(vst, 3, cat->sizes[(size_t)k % n_sizes], -1, SQLITE_STATIC);
            sqlite3_bind_text(vst, 4, col->name, -1, SQLITE_STATIC);
            sqlite3_bind_text(vst, 5, col->hex, -1, SQLITE_STATIC);
            sqlite3_bind_text(vst, 6, gtin, -1, SQLITE_STATIC);
            sqlite3_bind_int(vst, 7, price);
            sqlite3_bind_int(vst, 8, k);
            err = step_done(s->db, vst);
            s->n_variants++;
        }
        s->n_products++;
    }
    if (err == KIOSK_OK)
        err = large_stock(s);
    if (err == KIOSK_OK)
        err = write_counters(s);
out:
    sqlite3_finalize(pst);
    sqlite3_finalize(vst);
    return err;
}

/* A few members with sizes and an address, so identification, profiles and orders work;
 * no purchase history. */
static KioskErr large_members(Seed *s)
{
    sqlite3_stmt *mst = NULL, *ast = NULL;
    KioskErr err = db_prepare(
        s->db,
        "INSERT INTO members(id,first_name,last_name,email,language,tier,points,"
        "sizes,payment_on_file,home_store,member_since) VALUES(?,?,?,?,?,'bronze',0,?,1,?,?)",
        &mst);
    if (err == KIOSK_OK)
        err = db_prepare(s->db,
                         "INSERT INTO addresses(id,member_id,label,line1,city,region,postcode,"
                         "is_default) VALUES(?,?,'Home',?,?,'WA',?,1)",
                         &ast);
    for (int m = 0; m < SEED_LARGE_MEMBERS && err == KIOSK_OK; m++) {
        char id[16], email[64], aid[24], line1[96], home[16];
        const Lang *lang = &LANGS[(size_t)m % 3];
        const Street *str = &STREETS[(size_t)m % N_STREETS];
        json_t *sizes = member_sizes(s, m % (int)N_PERSONAS);
        snprintf(id, sizeof id, "M%05d", 10001 + m);
        snprintf(email, sizeof email, "member%05d@example.com", 10001 + m);
        snprintf(home, sizeof home, "lg-%03d", m + 1);
        sqlite3_bind_text(mst, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(mst, 2, lang->first[(size_t)m % list_len(lang->first)], -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(mst, 3, lang->last[(size_t)m % list_len(lang->last)], -1, SQLITE_STATIC);
        sqlite3_bind_text(mst, 4, email, -1, SQLITE_STATIC);
        sqlite3_bind_text(mst, 5, lang->code, -1, SQLITE_STATIC);
        sqlite3_bind_text(mst, 6, json_dumps(sizes, JSON_COMPACT), -1, free);
        sqlite3_bind_text(mst, 7, home, -1, SQLITE_STATIC);
        sqlite3_bind_int64(mst, 8, (sqlite3_int64)(s->now - 86400LL * 400));
        json_decref(sizes);
        err = step_done(s->db, mst);
        snprintf(aid, sizeof aid, "A%05d-1", 10001 + m);
        snprintf(line1, sizeof line1, "%d %s", 1200 + 37 * m, str->street);
        sqlite3_bind_text(ast, 1, aid, -1, SQLITE_STATIC);
        sqlite3_bind_text(ast, 2, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ast, 3, line1, -1, SQLITE_STATIC);
        sqlite3_bind_text(ast, 4, str->city, -1, SQLITE_STATIC);
        sqlite3_bind_text(ast, 5, str->postcode, -1, SQLITE_STATIC);
        if (err == KIOSK_OK)
            err = step_done(s->db, ast);
    }
    sqlite3_finalize(mst);
    sqlite3_finalize(ast);
    return err;
}

KioskErr seed_large_db(sqlite3 *db, time_t now)
{
    Seed s = {.db = db, .now = now};
    KioskErr err;
    util_rng_init(&s.rng, SEED_RNG ^ 0x1a59e);
    err = db_exec(db, "BEGIN");
    if (err != KIOSK_OK)
        return err;
    err = large_stores(&s);
    if (err == KIOSK_OK)
        err = seed_staff(&s, true);
    if (err == KIOSK_OK)
        err = large_catalog(&s);
    if (err == KIOSK_OK)
        err = large_members(&s);
    if (err == KIOSK_OK)
        err = recs_product_stats(db);
    if (err == KIOSK_OK)
        err = db_exec(db, "COMMIT");
    if (err == KIOSK_OK)
        log_info("seed", "large data: %d locations, %d products, %d variants, %d members",
                 SEED_LARGE_STORES + 1, s.n_products, s.n_variants, SEED_LARGE_MEMBERS);
    else
        db_exec(db, "ROLLBACK");
    return err;
}

/* Fixed "entropy" so the demo key pair is the same everywhere: it is a published demo key,
 * never a secret. */
static int fixed_entropy(void *ctx, unsigned char *out, size_t len)
{
    UtilRng *rng = ctx;
    for (size_t i = 0; i < len; i++)
        out[i] = (unsigned char)util_rng_next(rng);
    return 0;
}

/* Writes text to dir/name with the given permissions (0600 for a private key). */
static KioskErr write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd >= 0 && fchmod(fd, mode) != 0) /* an older file keeps its mode otherwise */
        log_warn("seed", "cannot set the mode of %s", path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        log_error("seed", "cannot write %s", path);
        if (fd >= 0)
            close(fd);
        return KIOSK_E_IO;
    }
    size_t n = strlen(text);
    bool ok = fwrite(text, 1, n, f) == n;
    ok = (fclose(f) == 0) && ok;
    return ok ? KIOSK_OK : KIOSK_E_IO;
}

static KioskErr write_keys(const char *dir)
{
    mbedtls_ctr_drbg_context drbg;
    mbedtls_pk_context pk;
    unsigned char priv[PEM_MAX], pub[PEM_MAX];
    UtilRng rng;
    KioskErr err = KIOSK_E_IO;
    int rc;
    util_rng_init(&rng, SEED_RNG ^ 0x10a17);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_pk_init(&pk);
    rc = mbedtls_ctr_drbg_seed(&drbg, fixed_entropy, &rng, (const unsigned char *)KEY_SEED,
                               strlen(KEY_SEED));
    if (rc == 0)
        rc = mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
    if (rc == 0)
        rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk),
                                 mbedtls_ctr_drbg_random, &drbg);
    if (rc == 0)
        rc = mbedtls_pk_write_key_pem(&pk, priv, sizeof priv);
    if (rc == 0)
        rc = mbedtls_pk_write_pubkey_pem(&pk, pub, sizeof pub);
    if (rc != 0) {
        log_error("seed", "demo key generation failed: mbedTLS -0x%04x", (unsigned)-rc);
        goto out;
    }
    err = write_file(dir, "demo-loyalty-key.pem", (const char *)priv, 0600);
    if (err != KIOSK_OK)
        goto out;
    err = write_file(dir, "demo-loyalty-pub.pem", (const char *)pub, 0644);
out:
    mbedtls_pk_free(&pk);
    mbedtls_ctr_drbg_free(&drbg);
    return err;
}

/* demo-service-pins.json: {"sea-ballard": "739214", ...} for the shops whose PIN is still
 * the seed's (one set since is nobody's to publish). */
static KioskErr write_pins(sqlite3 *db, const char *dir)
{
    sqlite3_stmt *st = NULL;
    json_t *pins = json_object();
    char *text = NULL;
    KioskErr err =
        db_prepare(db, "SELECT store_id FROM store_config WHERE pin_demo=1 ORDER BY store_id", &st);
    while (err == KIOSK_OK && sqlite3_step(st) == SQLITE_ROW) {
        char pin[DEMO_PIN_LEN + 1];
        demo_pin(db_text(st, 0), pin);
        json_object_set_new(pins, db_text(st, 0), json_string(pin));
    }
    sqlite3_finalize(st);
    if (err == KIOSK_OK) {
        text = json_dumps(pins, JSON_INDENT(2) | JSON_SORT_KEYS);
        err = text ? write_file(dir, "demo-service-pins.json", text, 0600) : KIOSK_E_NOMEM;
    }
    free(text);
    json_decref(pins);
    return err;
}

KioskErr seed_demo_files(sqlite3 *db, const char *dir)
{
    sqlite3_stmt *st = NULL;
    KioskErr err = write_keys(dir);
    json_t *list = json_array();
    char *text = NULL;
    if (err != KIOSK_OK)
        goto out;
    err = db_prepare(db,
                     "SELECT id, first_name || ' ' || last_name, language FROM members"
                     " ORDER BY id",
                     &st);
    if (err != KIOSK_OK)
        goto out;
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "id", db_text(st, 0), "name",
                                              db_text(st, 1), "language", db_text(st, 2)));
    text = json_dumps(list, JSON_INDENT(2));
    err = text ? write_file(dir, "demo-members.json", text, 0644) : KIOSK_E_NOMEM;
    if (err != KIOSK_OK)
        goto out;
    /* The staff badges to mint: who works where, and who left. */
    sqlite3_finalize(st);
    st = NULL;
    json_array_clear(list);
    free(text);
    text = NULL;
    err = db_prepare(db,
                     "SELECT id, first_name || ' ' || last_name, role, store_id, active FROM staff"
                     " ORDER BY id",
                     &st);
    if (err != KIOSK_OK)
        goto out;
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:b}", "id", db_text(st, 0), "name",
                                              db_text(st, 1), "role", db_text(st, 2), "store",
                                              db_text(st, 3), "active", sqlite3_column_int(st, 4)));
    text = json_dumps(list, JSON_INDENT(2));
    err = text ? write_file(dir, "demo-staff.json", text, 0644) : KIOSK_E_NOMEM;
    if (err == KIOSK_OK)
        err = write_pins(db, dir);
out:
    sqlite3_finalize(st);
    json_decref(list);
    free(text);
    return err;
}
