/* recs.h: recommendations for one member at one store, drawn from every channel's
 * purchases. Scoring is co-purchase affinity over all members' histories (items bought by
 * the same people as the member's own non-returned purchases, damped by popularity), plus
 * replenishables that are due, plus popular items in the member's favourite categories as
 * a fallback. Never an item already bought (unless replenishable and due), never one out of
 * stock both at the store and online, spread across categories, each with a reason.
 * Called with Central.lock held; no state of its own. */
#ifndef CENTRAL_RECS_H
#define CENTRAL_RECS_H

#include <jansson.h>
#include <sqlite3.h>
#include <time.h>

#include "kerr.h"

#define RECS_CANDIDATES_MAX 1024 /* products scored per request */
#define RECS_PER_CATEGORY   2    /* at most this many of one category in a list */
#define RECS_DUE_AHEAD_DAYS 10   /* a replenishable is due this many days before it runs out */

#define RECS_RELATED_MAX 8 /* related products kept per product in the product form */

/* Fills product_stats for every product that was bought: popularity (distinct members who
 * kept it) and up to RECS_RELATED_MAX related products by the same co-purchase cosine that
 * scores recommendations, best first, as JSON text [{"id","score"}] (score to 3 decimals).
 * Replaces what the table held. Run once after seeding, inside the seed's transaction. */
KioskErr recs_product_stats(sqlite3 *db);

/* Fills *out with a JSON array of up to limit items. store must exist. */
KioskErr recs_for_member(sqlite3 *db, const char *member, const char *store, int limit, time_t now,
                         json_t **out);

#endif
