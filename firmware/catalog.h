/* catalog.h: the device's local copy of the chain (stores, products, variants, stock per
 * variant per location with the time of each figure, product affinity) on a Store, written
 * by the background sync (sync.h) and read by the data worker (data.h) into view models
 * (view.h). Functions run on the thread that owns the Store they are given; none keeps a
 * pointer past its return. Reads never return withdrawn (inactive) products. */
#ifndef KIOSK_CATALOG_H
#define KIOSK_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "central_decode.h"
#include "kerr.h"
#include "store.h"
#include "view.h"

#define CATALOG_LOW_STOCK 3 /* 1..3 left is "only N left" */

/* ---- writes (sync) ---- */

/* Inserts or replaces a store (the online warehouse included). */
KioskErr catalog_put_store(Store *s, const CentralStore *st, int64_t now_s);
/* Inserts or replaces a product and its variants as the central service sent them (a
 * withdrawn product is kept as inactive, so later stock figures still find it). */
KioskErr catalog_put_product(Store *s, const CentralProduct *p, int64_t now_s);
/* Sets one stock figure: qty of variant at location, as of updated_at (epoch seconds). An
 * older figure never replaces a newer one. KIOSK_E_NOTFOUND for an unknown variant. */
KioskErr catalog_put_stock(Store *s, const char *variant, const char *location, int32_t qty,
                           int64_t updated_at);
/* Sets a page of stock figures (as catalog_put_stock each, updated_at "" or unparsable
 * taking now_s), preparing its statements once; *unknown counts the figures of variants the
 * catalog does not have (skipped). KIOSK_E_INVALID for a malformed figure. */
KioskErr catalog_put_stock_page(Store *s, const CentralStockFigure *rows, size_t n, int64_t now_s,
                                int *unknown);
/* Adds to the affinity of two products (both directions). */
KioskErr catalog_put_affinity(Store *s, const char *a, const char *b, double score);
/* Products in the local catalog (active ones), -1 on error. */
int64_t catalog_product_count(Store *s);

/* ---- reads (data worker) ---- */

/* Categories with active products, most products first. */
KioskErr catalog_categories(Store *s, ViewCode *names, int max, int *count);
/* A category's products sorted by name, from offset; out->total counts them all. Each card
 * carries its stock hint at here_store. */
KioskErr catalog_browse(Store *s, const char *category, int offset, const char *here_store,
                        CardList *out);
/* Products whose name, brand or category contains every word of query (case-insensitive),
 * best first (name starts with the query, then name contains it, then the rest).
 * An empty query matches nothing. */
KioskErr catalog_search(Store *s, const char *query, const char *here_store, CardList *out);
/* One active product with its variants. KIOSK_E_NOTFOUND if unknown or withdrawn. */
KioskErr catalog_product(Store *s, const char *product_id, ProductDetail *out);
/* The product and variant a GTIN (8/12/13/14 digits) names. KIOSK_E_NOTFOUND if none. */
KioskErr catalog_find_gtin(Store *s, const char *gtin, ViewId product_id, ViewId variant_id);
/* The stored stock of a product at every location: here_store first, then the others by
 * distance from it, the online warehouse last; live = false. */
KioskErr catalog_stock(Store *s, const char *product_id, const char *here_store, StockView *out);
/* The on-device recommendations when the central service cannot be reached, with the
 * service's rules: ranked by affinity to the `seeds` (products the shopper viewed or owns),
 * then popular; none of `exclude` (already bought, unless replenishable); nothing out of
 * stock both here and online; at most 2 per category, spread across categories. */
KioskErr catalog_recommend(Store *s, const ViewId *seeds, int seed_count, const ViewId *exclude,
                           int exclude_count, const char *here_store, CardList *out);

#endif
