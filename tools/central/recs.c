/* recs.c: see recs.h. Three passes: gather candidates with a score, a reason and the
 * product they are anchored to; drop what the member owns or cannot get; pick in score
 * order while capping each category, so the list is varied. */
#include "recs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "util.h"

typedef enum Why { WHY_AFFINITY, WHY_REPLENISH, WHY_POPULAR } Why;

typedef struct Cand {
    char product[UTIL_ID_MAX + 1];
    double score;
    Why why;
    char anchor[UTIL_ID_MAX + 1]; /* the owned product that suggests this one */
    double anchor_weight;         /* how well the anchor explains the item */
    int days_since;               /* for replenishables */
} Cand;

typedef struct Owned {
    char product[UTIL_ID_MAX + 1];
    char name[128];
    char channel[16];
    char store[UTIL_ID_MAX + 1];
    char category[32];
    time_t last;
    int times;
    bool replenishable;
    int replenish_days;
    bool kept; /* at least one unit not returned */
} Owned;

typedef struct Recs {
    sqlite3 *db;
    Owned *owned;
    size_t n_owned;
    Cand *cands;
    size_t n_cands;
    json_t *sizes;
    int cat_pref_total;
} Recs;

static Owned *find_owned(Recs *rc, const char *product)
{
    for (size_t i = 0; i < rc->n_owned; i++)
        if (strcmp(rc->owned[i].product, product) == 0)
            return &rc->owned[i];
    return NULL;
}

static Cand *cand_for(Recs *rc, const char *product)
{
    for (size_t i = 0; i < rc->n_cands; i++)
        if (strcmp(rc->cands[i].product, product) == 0)
            return &rc->cands[i];
    if (rc->n_cands == RECS_CANDIDATES_MAX)
        return NULL;
    Cand *c = &rc->cands[rc->n_cands++];
    memset(c, 0, sizeof *c);
    snprintf(c->product, sizeof c->product, "%s", product);
    c->why = WHY_POPULAR;
    return c;
}

static KioskErr load_owned(Recs *rc, const char *member)
{
    sqlite3_stmt *st = NULL;
    KioskErr err = db_prepare(
        rc->db,
        "SELECT l.product_id, p.name, p.category, p.replenishable, p.replenish_days,"
        " MAX(o.created_at), o.channel, COALESCE(o.store_id,''), COUNT(DISTINCT o.id),"
        " SUM(l.returned = 0) FROM order_lines l JOIN orders o ON o.id=l.order_id"
        " JOIN products p ON p.id=l.product_id WHERE o.member_id=? GROUP BY l.product_id",
        &st);
    if (err != KIOSK_OK)
        return err;
    sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (rc->n_owned == cap) {
            cap = cap ? cap * 2 : 32;
            Owned *grown = realloc(rc->owned, cap * sizeof *grown);
            if (!grown) {
                err = KIOSK_E_NOMEM;
                break;
            }
            rc->owned = grown;
        }
        Owned *o = &rc->owned[rc->n_owned++];
        snprintf(o->product, sizeof o->product, "%s", db_text(st, 0));
        snprintf(o->name, sizeof o->name, "%s", db_text(st, 1));
        snprintf(o->category, sizeof o->category, "%s", db_text(st, 2));
        o->replenishable = sqlite3_column_int(st, 3) != 0;
        o->replenish_days = sqlite3_column_int(st, 4);
        o->last = (time_t)sqlite3_column_int64(st, 5);
        snprintf(o->channel, sizeof o->channel, "%s", db_text(st, 6));
        snprintf(o->store, sizeof o->store, "%s", db_text(st, 7));
        o->times = sqlite3_column_int(st, 8);
        o->kept = sqlite3_column_int(st, 9) > 0;
    }
    sqlite3_finalize(st);
    return err;
}

/* Co-purchase: for every other member who kept one of my products, what else they kept.
 * The weight of a pair is its count over the square root of both products' buyer counts
 * (cosine similarity), so best-sellers neither drown the list nor explain everything. */
static KioskErr score_affinity(Recs *rc, const char *member)
{
    sqlite3_stmt *st = NULL;
    KioskErr err = db_prepare(
        rc->db,
        "WITH mp AS (SELECT DISTINCT o.member_id AS m, l.product_id AS p FROM order_lines l"
        "  JOIN orders o ON o.id=l.order_id WHERE l.returned=0),"
        " mine AS (SELECT p FROM mp WHERE m=?1),"
        " pop AS (SELECT p, COUNT(*) AS n FROM mp GROUP BY p)"
        " SELECT b.p, a.p, COUNT(*), (SELECT n FROM pop WHERE pop.p=b.p),"
        " (SELECT n FROM pop WHERE pop.p=a.p), (SELECT category FROM products WHERE id=b.p)"
        " FROM mp a JOIN mp b ON a.m=b.m AND a.p<>b.p"
        " WHERE a.m<>?1 AND a.p IN mine GROUP BY b.p, a.p",
        &st);
    if (err != KIOSK_OK)
        return err;
    sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        Cand *c = cand_for(rc, db_text(st, 0));
        if (!c)
            break;
        double w = sqlite3_column_int(st, 2) / sqrt(((double)sqlite3_column_int(st, 3) + 1.0) *
                                                    ((double)sqlite3_column_int(st, 4) + 1.0));
        c->score += w;
        c->why = WHY_AFFINITY;
        /* The product named in the reason: the strongest link, preferring one of the same
         * category and not an everyday replenishable ("socks" explain little). */
        const Owned *a = find_owned(rc, db_text(st, 1));
        double shown = w;
        if (a && strcmp(a->category, db_text(st, 5)) == 0)
            shown *= 2.0;
        if (a && a->replenishable)
            shown *= 0.3;
        if (shown > c->anchor_weight) {
            c->anchor_weight = shown;
            snprintf(c->anchor, sizeof c->anchor, "%s", db_text(st, 1));
        }
    }
    sqlite3_finalize(st);
    return KIOSK_OK;
}

/* Popular products in the categories this member buys, as a gentle fallback. */
static KioskErr score_popular(Recs *rc, const char *member)
{
    sqlite3_stmt *st = NULL;
    KioskErr err =
        db_prepare(rc->db,
                   "WITH cats AS (SELECT p.category AS c, COUNT(*) AS n FROM order_lines l"
                   "  JOIN orders o ON o.id=l.order_id JOIN products p ON p.id=l.product_id"
                   "  WHERE o.member_id=?1 GROUP BY p.category)"
                   " SELECT l.product_id, COUNT(DISTINCT o.member_id) * cats.n FROM order_lines l"
                   " JOIN orders o ON o.id=l.order_id JOIN products p ON p.id=l.product_id"
                   " JOIN cats ON cats.c=p.category WHERE l.returned=0"
                   " GROUP BY l.product_id ORDER BY 2 DESC LIMIT 60",
                   &st);
    if (err != KIOSK_OK)
        return err;
    sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        Cand *c = cand_for(rc, db_text(st, 0));
        if (!c)
            break;
        c->score += 0.05 * sqlite3_column_int(st, 1);
    }
    sqlite3_finalize(st);
    return KIOSK_OK;
}

static void score_replenish(Recs *rc, time_t now)
{
    for (size_t i = 0; i < rc->n_owned; i++) {
        Owned *o = &rc->owned[i];
        if (!o->replenishable || !o->kept || o->replenish_days <= 0)
            continue;
        int days = (int)((now - o->last) / 86400);
        if (days + RECS_DUE_AHEAD_DAYS < o->replenish_days)
            continue;
        Cand *c = cand_for(rc, o->product);
        if (!c)
            return;
        c->why = WHY_REPLENISH;
        c->days_since = days;
        /* Bought often and due: near the top. */
        c->score = 5.0 + o->times;
        snprintf(c->anchor, sizeof c->anchor, "%s", o->product);
    }
}

/* Tilts scores toward the categories the member actually buys (kept purchases), so a
 * runner sees running gear first while the category cap still brings variety. */
static void weigh_by_taste(Recs *rc)
{
    sqlite3_stmt *st = NULL;
    if (rc->n_owned == 0 ||
        db_prepare(rc->db, "SELECT category FROM products WHERE id=?", &st) != KIOSK_OK)
        return;
    for (size_t i = 0; i < rc->n_cands; i++) {
        Cand *c = &rc->cands[i];
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, c->product, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
            continue;
        const char *category = db_text(st, 0);
        size_t same = 0, kept = 0;
        for (size_t k = 0; k < rc->n_owned; k++) {
            if (!rc->owned[k].kept)
                continue;
            kept++;
            same += strcmp(rc->owned[k].category, category) == 0;
        }
        c->score *= 0.3 + (kept ? (double)same / (double)kept : 0.0);
    }
    sqlite3_finalize(st);
}

static int by_score(const void *a, const void *b)
{
    const Cand *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return strcmp(x->product, y->product);
}

static const char *size_key(const char *category)
{
    if (strcmp(category, "running-shoes") == 0)
        return "shoe";
    if (strcmp(category, "jeans") == 0)
        return "waist";
    if (strcmp(category, "dresses") == 0)
        return "dress";
    if (strcmp(category, "socks") == 0)
        return "sock";
    if (strcmp(category, "accessories") == 0)
        return NULL;
    return "top";
}

static const char *channel_phrase(const Owned *o, char *buf, size_t size, sqlite3 *db)
{
    if (strcmp(o->channel, "web") == 0)
        return "online";
    if (strcmp(o->channel, "app") == 0)
        return "in the app";
    sqlite3_stmt *st = NULL;
    snprintf(buf, size, "in store");
    if (o->store[0] && db_prepare(db, "SELECT name FROM stores WHERE id=?", &st) == KIOSK_OK) {
        sqlite3_bind_text(st, 1, o->store, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(buf, size, "at our %s store", db_text(st, 0));
    }
    sqlite3_finalize(st);
    return buf;
}

KioskErr recs_for_member(sqlite3 *db, const char *member, const char *store, int limit, time_t now,
                         json_t **out)
{
    Recs rc = {.db = db};
    sqlite3_stmt *ps = NULL, *ss = NULL, *ms = NULL;
    json_t *list = json_array();
    KioskErr err = KIOSK_E_NOMEM;
    int per_cat_used[16] = {0};
    char cat_names[16][32];
    int n_cats = 0;
    *out = NULL;
    rc.cands = calloc(RECS_CANDIDATES_MAX, sizeof *rc.cands);
    if (!rc.cands || !list)
        goto out;
    err = db_prepare(db, "SELECT sizes FROM members WHERE id=?", &ms);
    if (err != KIOSK_OK)
        goto out;
    sqlite3_bind_text(ms, 1, member, -1, SQLITE_STATIC);
    if (sqlite3_step(ms) == SQLITE_ROW)
        rc.sizes = json_loads(db_text(ms, 0), 0, NULL);
    err = load_owned(&rc, member);
    if (err == KIOSK_OK)
        err = score_affinity(&rc, member);
    if (err == KIOSK_OK)
        err = score_popular(&rc, member);
    if (err != KIOSK_OK)
        goto out;
    weigh_by_taste(&rc);
    score_replenish(&rc, now);
    qsort(rc.cands, rc.n_cands, sizeof *rc.cands, by_score);

    err = db_prepare(db,
                     "SELECT name, category, price_cents, replenishable FROM products"
                     " WHERE id=? AND active=1",
                     &ps);
    if (err == KIOSK_OK)
        err = db_prepare(
            db,
            "SELECT v.id, v.size, SUM(CASE WHEN s.store_id=?2 THEN s.qty ELSE 0 END) AS here,"
            " SUM(CASE WHEN s.store_id='online' THEN s.qty ELSE 0 END) AS online"
            " FROM variants v JOIN stock s ON s.variant_id=v.id WHERE v.product_id=?1"
            " AND (?3 = '' OR v.size=?3) GROUP BY v.id"
            " ORDER BY here > 0 DESC, online > 0 DESC, v.position",
            &ss);
    if (err != KIOSK_OK)
        goto out;

    /* Two passes: first at most one per category (variety), then up to the cap. */
    for (int pass = 1; pass <= RECS_PER_CATEGORY && (int)json_array_size(list) < limit; pass++) {
        for (size_t i = 0; i < rc.n_cands && (int)json_array_size(list) < limit; i++) {
            Cand *c = &rc.cands[i];
            if (c->score <= 0)
                continue; /* taken in an earlier pass */
            Owned *mine = find_owned(&rc, c->product);
            if (mine && c->why != WHY_REPLENISH)
                continue;
            sqlite3_reset(ps);
            sqlite3_bind_text(ps, 1, c->product, -1, SQLITE_STATIC);
            if (sqlite3_step(ps) != SQLITE_ROW)
                continue;
            const char *category = db_text(ps, 1);
            int ci = 0;
            while (ci < n_cats && strcmp(cat_names[ci], category) != 0)
                ci++;
            if (ci == n_cats) {
                if (n_cats == 16)
                    continue;
                snprintf(cat_names[n_cats++], sizeof cat_names[0], "%s", category);
            }
            if (per_cat_used[ci] >= pass)
                continue;
            /* Stock in the member's size here or online; otherwise it is not offered. */
            const char *key = size_key(category);
            const char *want =
                key && rc.sizes ? json_string_value(json_object_get(rc.sizes, key)) : NULL;
            sqlite3_reset(ss);
            sqlite3_bind_text(ss, 1, c->product, -1, SQLITE_STATIC);
            sqlite3_bind_text(ss, 2, store, -1, SQLITE_STATIC);
            sqlite3_bind_text(ss, 3, want ? want : "", -1, SQLITE_STATIC);
            if (sqlite3_step(ss) != SQLITE_ROW)
                continue;
            long long here = sqlite3_column_int64(ss, 2), online = sqlite3_column_int64(ss, 3);
            if (here <= 0 && online <= 0)
                continue;
            char reason[256], place[96];
            const char *code = "popular";
            json_t *data = json_object();
            Owned *anchor = c->anchor[0] ? find_owned(&rc, c->anchor) : NULL;
            if (c->why == WHY_REPLENISH && anchor) {
                code = "replenish";
                snprintf(reason, sizeof reason, "Time to restock? You bought the %s %d days ago",
                         anchor->name, c->days_since);
                json_object_set_new(data, "days_since", json_integer(c->days_since));
                json_object_set_new(data, "times_bought", json_integer(anchor->times));
            } else if (c->why == WHY_AFFINITY && anchor) {
                code = "bought_together";
                const char *where = channel_phrase(anchor, place, sizeof place, db);
                snprintf(reason, sizeof reason, "Because you bought the %s %s", anchor->name,
                         where);
                json_object_set_new(data, "channel", json_string(anchor->channel));
            } else {
                snprintf(reason, sizeof reason, "Popular with members who shop %s", category);
            }
            if (anchor) {
                json_object_set_new(data, "anchor_product", json_string(anchor->product));
                json_object_set_new(data, "anchor_name", json_string(anchor->name));
            }
            char url[64];
            snprintf(url, sizeof url, "/v1/images/%s.png", db_text(ss, 0));
            json_array_append_new(
                list, json_pack("{s:{s:s,s:s,s:s,s:I,s:s,s:s},s:s,s:o,s:s,s:s,s:o,s:f,s:b,s:b}",
                                "product", "id", c->product, "name", db_text(ps, 0), "category",
                                category, "price_cents", (json_int_t)sqlite3_column_int64(ps, 2),
                                "currency", "USD", "image_url", url, "variant", db_text(ss, 0),
                                "size", want ? json_string(db_text(ss, 1)) : json_null(), "reason",
                                reason, "reason_code", code, "reason_data", data, "score",
                                (double)(long long)(c->score * 1000) / 1000, "in_stock_here",
                                here > 0, "in_stock_online", online > 0));
            per_cat_used[ci]++;
            c->score = 0;
        }
    }
    *out = list;
    list = NULL;
    err = KIOSK_OK;
out:
    sqlite3_finalize(ps);
    sqlite3_finalize(ss);
    sqlite3_finalize(ms);
    json_decref(list);
    json_decref(rc.sizes);
    free(rc.owned);
    free(rc.cands);
    return err;
}

/* --- product stats ---------------------------------------------------------------------- */

typedef struct Pair {
    char other[UTIL_ID_MAX + 1];
    double score;
} Pair;

static int pair_by_score(const void *a, const void *b)
{
    const Pair *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return strcmp(x->other, y->other);
}

/* Writes one product's row: its popularity and its best related products. */
static KioskErr write_stats(sqlite3 *db, sqlite3_stmt *ins, const char *product, int popularity,
                            Pair *pairs, size_t n)
{
    qsort(pairs, n, sizeof *pairs, pair_by_score);
    json_t *related = json_array();
    for (size_t i = 0; i < n && i < RECS_RELATED_MAX; i++)
        json_array_append_new(related, json_pack("{s:s,s:f}", "id", pairs[i].other, "score",
                                                 round(pairs[i].score * 1000) / 1000));
    char *text = json_dumps(related, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(related);
    if (!text)
        return KIOSK_E_NOMEM;
    sqlite3_bind_text(ins, 1, product, -1, SQLITE_STATIC);
    sqlite3_bind_int(ins, 2, popularity);
    sqlite3_bind_text(ins, 3, text, -1, free);
    int rc = sqlite3_step(ins);
    sqlite3_reset(ins);
    sqlite3_clear_bindings(ins);
    if (rc != SQLITE_DONE) {
        log_error("recs", "product stats: %s", sqlite3_errmsg(db));
        return KIOSK_E_IO;
    }
    return KIOSK_OK;
}

KioskErr recs_product_stats(sqlite3 *db)
{
    sqlite3_stmt *st = NULL, *ins = NULL;
    Pair *pairs = NULL;
    size_t n = 0, cap = 0;
    char current[UTIL_ID_MAX + 1] = "";
    int popularity = 0;
    /* Every (product, other product, co-buyers) with both buyer counts; products bought by
     * nobody else still get a row (other NULL) for their popularity. */
    const DbPrep preps[] = {
        {"WITH mp AS (SELECT DISTINCT o.member_id AS m, l.product_id AS p FROM order_lines l"
         "  JOIN orders o ON o.id=l.order_id WHERE l.returned=0),"
         " pop AS (SELECT p, COUNT(*) AS n FROM mp GROUP BY p),"
         " co AS (SELECT a.p AS a, b.p AS b, COUNT(*) AS n FROM mp a JOIN mp b"
         "  ON a.m=b.m AND a.p<>b.p GROUP BY a.p, b.p)"
         " SELECT pop.p, pop.n, co.b, co.n, pb.n FROM pop LEFT JOIN co ON co.a=pop.p"
         " LEFT JOIN pop pb ON pb.p=co.b ORDER BY pop.p",
         &st},
        {"INSERT INTO product_stats(product_id, popularity, related) VALUES(?,?,?)", &ins},
    };
    KioskErr err = db_exec(db, "DELETE FROM product_stats");
    if (err == KIOSK_OK)
        err = db_prepare_all(db, preps, sizeof preps / sizeof preps[0]);
    if (err != KIOSK_OK)
        goto out;
    while (err == KIOSK_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *product = db_text(st, 0);
        if (strcmp(product, current) != 0) {
            if (current[0])
                err = write_stats(db, ins, current, popularity, pairs, n);
            snprintf(current, sizeof current, "%s", product);
            popularity = sqlite3_column_int(st, 1);
            n = 0;
        }
        if (err != KIOSK_OK || sqlite3_column_type(st, 2) == SQLITE_NULL)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            Pair *grown = realloc(pairs, cap * sizeof *grown);
            if (!grown) {
                err = KIOSK_E_NOMEM;
                break;
            }
            pairs = grown;
        }
        /* The cosine of recommendations (score_affinity), with the same +1 smoothing. */
        snprintf(pairs[n].other, sizeof pairs[n].other, "%s", db_text(st, 2));
        pairs[n].score =
            sqlite3_column_int(st, 3) /
            sqrt(((double)popularity + 1.0) * ((double)sqlite3_column_int(st, 4) + 1.0));
        n++;
    }
    if (err == KIOSK_OK && current[0])
        err = write_stats(db, ins, current, popularity, pairs, n);
out:
    sqlite3_finalize(st);
    sqlite3_finalize(ins);
    free(pairs);
    return err;
}
