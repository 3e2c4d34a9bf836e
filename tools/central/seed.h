/* seed.h: the deterministic demo data set behind `central --seed demo`: a Seattle-area chain
 * of stores plus the online warehouse, a catalog of over 500 products with size and colour
 * variants (valid GTIN-13s), stock everywhere, members with cross-channel purchase
 * histories (returns included), preferences, offers and a few stylist notes, store staff,
 * a service PIN per shop, and beside the database the demo loyalty key pair,
 * demo-members.json, demo-staff.json and demo-service-pins.json.
 * Every name, number and key comes from a fixed PRNG seed or a table; only timestamps are
 * relative to the moment of seeding. Runs on main's thread at start. */
#ifndef CENTRAL_SEED_H
#define CENTRAL_SEED_H

#include <sqlite3.h>
#include <time.h>

#include "kerr.h"

#define SEED_MEMBERS               60
#define SEED_PRODUCTS_PER_CATEGORY 66 /* x 8 categories = 528 products */

/* `--seed large`, for sync tests: SEED_LARGE_STORES generated shops spread over the Pacific
 * Northwest plus the online warehouse, SEED_LARGE_PRODUCTS products of
 * SEED_LARGE_VARIANTS_PER_PRODUCT variants (100,000), the warehouse stocking every variant and
 * each shop about SEED_LARGE_CARRY_PERCENT of them, SEED_LARGE_MEMBERS members with no
 * purchase history (nor preferences), and the demo's staff at the first three shops.
 * Deterministic like the demo; one transaction. */
#define SEED_LARGE_STORES               100
#define SEED_LARGE_PRODUCTS             5000
#define SEED_LARGE_VARIANTS_PER_PRODUCT 20
#define SEED_LARGE_CARRY_PERCENT        30
#define SEED_LARGE_MEMBERS              10

/* Fills an empty database. now anchors every relative timestamp. */
KioskErr seed_demo_db(sqlite3 *db, time_t now);
/* Fills an empty database with the large generated chain. */
KioskErr seed_large_db(sqlite3 *db, time_t now);

/* Writes demo-loyalty-key.pem, demo-loyalty-pub.pem, demo-members.json, demo-staff.json and
 * demo-service-pins.json (the shops still on the demo's PIN; none after the large seed)
 * into dir (the database's folder), after either seed. The key pair and the PINs are the
 * same on every run. */
KioskErr seed_demo_files(sqlite3 *db, const char *dir);

#endif
