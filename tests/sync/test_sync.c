/* test_sync.c: the background sync (firmware/sync.c) against the real tools/central over
 * real HTTPS on 127.0.0.1, with a PKI made for each test (client_harness), into a real
 * SQLite file: a full sync gives the service's counts, a second round fetches nothing, a
 * change at the service (an order, a price) arrives in the next round, a sync destroyed
 * mid-way resumes from its cursor, a service that is down reads offline and loses nothing,
 * and (label `large`) a sync of `--seed large` stays within a memory bound. CTest runs one
 * case per process (test_filter.h). */
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "catalog.h"
#include "client_harness.h"
#include "order.h"
#include "outbox.h"
#include "store.h"
#include "sync.h"
#include "test_filter.h"

#define ROUND_TIMEOUT_MS       120000
#define LARGE_START_TIMEOUT_MS (20 * 60 * 1000)
#define LARGE_ROUND_TIMEOUT_MS (40 * 60 * 1000)
#define LARGE_RSS_BOUND_KIB    (64 * 1024) /* peak RSS growth allowed over the baseline */
#define HERE                   "sea-ballard"

/* ---- the service, started and stopped by the test (restartable on the same port) ---- */

static pid_t spawn(CentralProc *cp, const char *seed)
{
    char db[CH_PATH_MAX + 16], cert[CH_PATH_MAX + 16], key[CH_PATH_MAX + 16], log[CH_PATH_MAX + 16],
        listen[32];
    ch_path(cp, "central.db", db, sizeof db);
    ch_path(cp, "server.pem", cert, sizeof cert);
    ch_path(cp, "server-key.pem", key, sizeof key);
    ch_path(cp, "central.log", log, sizeof log);
    snprintf(listen, sizeof listen, "127.0.0.1:%u", cp->port);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = freopen(log, "a", stderr);
        (void)f;
        execl(CENTRAL_BIN, CENTRAL_BIN, "--db", db, "--listen", listen, "--tls-cert", cert,
              "--tls-key", key, "--seed", seed, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Starts (or restarts, same port and database) central and waits until it answers. */
static int central_up(CentralProc *cp, const char *seed, long timeout_ms)
{
    cp->pid = spawn(cp, seed);
    if (cp->pid < 0)
        return -1;
    for (long waited = 0; waited < timeout_ms; waited += 100) {
        if (waitpid(cp->pid, NULL, WNOHANG) == cp->pid) {
            cp->pid = 0;
            return -1;
        }
        if (ch_call(cp, "GET", "/v1/stores", NULL, NULL) == 200)
            return 0;
        usleep(100 * 1000);
    }
    return -1;
}

static void central_down(CentralProc *cp)
{
    if (cp->pid <= 0)
        return;
    kill(cp->pid, SIGTERM);
    for (int i = 0; i < 100 && waitpid(cp->pid, NULL, WNOHANG) == 0; i++)
        usleep(50 * 1000);
    if (waitpid(cp->pid, NULL, WNOHANG) == 0) {
        kill(cp->pid, SIGKILL);
        waitpid(cp->pid, NULL, 0);
    }
    cp->pid = 0;
}

static int central_start(CentralProc *cp, const char *seed, long timeout_ms)
{
    if (ch_pki(cp) != 0)
        return -1;
    for (int attempt = 0; attempt < 3; attempt++) {
        cp->port = ch_free_port();
        snprintf(cp->base, sizeof cp->base, "https://127.0.0.1:%u", cp->port);
        if (central_up(cp, seed, timeout_ms) == 0)
            return 0;
        central_down(cp);
    }
    return -1;
}

/* ---- what the sync reports ---- */

typedef struct Reports {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int rounds;
    SyncStatus last;
    KioskErr last_err;
    int orders_sent, orders_refused;
} Reports;

static void on_result(Result *r, void *ctx)
{
    Reports *rp = ctx;
    pthread_mutex_lock(&rp->lock);
    if (r->kind == RESULT_SYNC) {
        rp->rounds++;
        rp->last = r->u.sync;
        rp->last_err = r->err;
    } else if (r->kind == RESULT_ORDER_SENT) {
        rp->orders_sent++;
    } else if (r->kind == RESULT_ORDER_REFUSED) {
        rp->orders_refused++;
    }
    pthread_cond_broadcast(&rp->cond);
    pthread_mutex_unlock(&rp->lock);
    result_free(r);
}

/* Waits for round number `round` (1 = the first); returns its status and error. */
static SyncStatus wait_round(Reports *rp, int round, long timeout_ms, KioskErr *err)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    pthread_mutex_lock(&rp->lock);
    while (rp->rounds < round) {
        if (pthread_cond_timedwait(&rp->cond, &rp->lock, &until) != 0)
            break;
    }
    SyncStatus st = rp->last;
    int got = rp->rounds;
    if (err)
        *err = rp->last_err;
    pthread_mutex_unlock(&rp->lock);
    if (got < round)
        fail_msg("no sync round %d within %ld ms", round, timeout_ms);
    return st;
}

/* ---- fixture ---- */

typedef struct Fixture {
    CentralProc cp;
    char dir[64], db[128], key[128];
    Reports reports;
    Sync *sync;
} Fixture;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static Fixture *fixture_new(void)
{
    Fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test-sync-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/%s", f->dir, STORE_FILE_NAME);
    snprintf(f->key, sizeof f->key, "%s/%s", f->dir, OUTBOX_KEY_FILE);
    pthread_mutex_init(&f->reports.lock, NULL);
    pthread_cond_init(&f->reports.cond, NULL);
    return f;
}

static int setup(void **state)
{
    Fixture *f = fixture_new();
    *state = f;
    return central_start(&f->cp, "demo", 60000);
}

static int teardown(void **state)
{
    Fixture *f = *state;
    sync_destroy(f->sync);
    central_down(&f->cp);
    ch_central_stop(&f->cp); /* removes its folder */
    if (!getenv("KEEP_CLIENT_TEST_DIR"))
        nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    pthread_cond_destroy(&f->reports.cond);
    pthread_mutex_destroy(&f->reports.lock);
    free(f);
    return 0;
}

static void start_sync_at(Fixture *f, const char *here)
{
    KioskErr err = KIOSK_E_IO;
    memset(&f->reports.last, 0, sizeof f->reports.last);
    f->reports.rounds = 0;
    SyncConfig cfg = {
        .central = ch_config(f->cp.base, f->cp.ca),
        .db_path = f->db,
        .key_path = f->key,
        .here_store = here,
        .interval_s = 3600, /* rounds come from sync_kick in these tests */
    };
    f->sync = sync_create(&cfg, on_result, &f->reports, &err);
    assert_int_equal(err, KIOSK_OK);
    assert_non_null(f->sync);
}

static void start_sync(Fixture *f)
{
    start_sync_at(f, HERE);
}

static long ms_since(long t0)
{
    return ch_now_ms() - t0;
}

/* A second connection on the sync's file, as the data worker has. */
static int64_t db_int(const char *path, const char *sql)
{
    KioskErr err;
    Store *s = store_open(path, &err);
    assert_non_null(s);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    int64_t v = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    store_close(s);
    return v;
}

static void db_text(const char *path, const char *sql, char *out, size_t size)
{
    KioskErr err;
    Store *s = store_open(path, &err);
    assert_non_null(s);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    out[0] = '\0';
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    store_close(s);
}

static json_int_t service_int(CentralProc *cp, const char *path, const char *key)
{
    json_t *body = NULL;
    assert_int_equal(ch_call(cp, "GET", path, NULL, &body), 200);
    json_t *v = json_object_get(body, key);
    json_int_t n = json_is_array(v) ? (json_int_t)json_array_size(v) : json_integer_value(v);
    json_decref(body);
    return n;
}

/* The followed stores' figures the service holds: every variant at each of them (the demo
 * keeps a figure for every variant everywhere). */
static void full_sync_checks(Fixture *f)
{
    json_int_t products = service_int(&f->cp, "/v1/products?limit=1", "total");
    json_int_t stores = service_int(&f->cp, "/v1/stores", "stores");
    json_int_t followed = service_int(&f->cp, "/v1/stock?store=" HERE "&near=10&limit=1", "stores");
    assert_int_equal(products, 528);
    assert_int_equal(db_int(f->db, "SELECT count(*) FROM products WHERE active = 1"), products);
    assert_int_equal(db_int(f->db, "SELECT count(*) FROM stores"), stores);
    int64_t variants = db_int(f->db, "SELECT count(*) FROM variants");
    assert_true(variants > 8000);
    assert_int_equal(db_int(f->db, "SELECT count(*) FROM stock"), variants * followed);
    assert_int_equal(db_int(f->db, "SELECT count(DISTINCT location_id) FROM stock"), followed);

    /* One product as the service has it, field by field. */
    json_t *p = NULL;
    assert_int_equal(ch_call(&f->cp, "GET", "/v1/products/P0001", NULL, &p), 200);
    KioskErr err;
    Store *s = store_open(f->db, &err);
    assert_non_null(s);
    ProductDetail *d = calloc(1, sizeof *d);
    assert_int_equal(catalog_product(s, "P0001", d), KIOSK_OK);
    assert_string_equal(d->name, json_string_value(json_object_get(p, "name")));
    assert_string_equal(d->brand, json_string_value(json_object_get(p, "brand")));
    assert_int_equal(d->price_cents, json_integer_value(json_object_get(p, "price_cents")));
    json_t *vars = json_object_get(p, "variants");
    assert_int_equal(d->variant_count, (int)json_array_size(vars));
    assert_string_equal(d->variants[0].gtin,
                        json_string_value(json_object_get(json_array_get(vars, 0), "gtin")));
    json_t *related = json_object_get(p, "related");
    if (json_array_size(related) > 0)
        assert_int_equal(db_int(f->db, "SELECT count(*) FROM affinity WHERE product_a = 'P0001'"),
                         (int64_t)json_array_size(related));
    json_decref(p);

    /* The stock of one product here, as the service's stock view has it. */
    json_t *sv = NULL;
    assert_int_equal(ch_call(&f->cp, "GET", "/v1/products/P0001/stock?store=" HERE, NULL, &sv),
                     200);
    json_t *here = json_array_get(json_object_get(sv, "locations"), 0);
    assert_string_equal(json_string_value(json_object_get(here, "store")), HERE);
    StockView *view = calloc(1, sizeof *view);
    assert_int_equal(catalog_stock(s, "P0001", HERE, view), KIOSK_OK);
    assert_string_equal(view->locations[0].store, HERE);
    json_t *hv = json_object_get(here, "variants");
    for (size_t i = 0; i < json_array_size(hv); i++)
        assert_int_equal(view->locations[0].qty[i],
                         json_integer_value(json_object_get(json_array_get(hv, i), "qty")));
    assert_true(view->locations[view->location_count - 1].online);
    json_decref(sv);
    free(view);
    free(d);
    store_close(s);
}

/* ---- tests ---- */

static void full_sync_then_nothing_new(void **state)
{
    Fixture *f = *state;
    long t0 = ch_now_ms();
    start_sync(f);
    KioskErr err;
    SyncStatus st = wait_round(&f->reports, 1, ROUND_TIMEOUT_MS, &err);
    print_message("full sync of --seed demo: %ld ms\n", ms_since(t0));
    assert_int_equal(err, KIOSK_OK);
    assert_true(st.online);
    assert_int_equal(st.products, 528);
    assert_true(st.last_sync > 0);
    assert_int_equal(st.outbox_depth, 0);
    full_sync_checks(f);

    /* A second round: nothing new, nothing written. */
    char catalog[64], stock[64];
    db_text(f->db, "SELECT value FROM sync_cursors WHERE name = 'catalog'", catalog,
            sizeof catalog);
    db_text(f->db, "SELECT value FROM sync_cursors WHERE name = 'stock'", stock, sizeof stock);
    int64_t changes = db_int(f->db, "SELECT sum(updated_at) FROM stock");
    t0 = ch_now_ms();
    sync_kick(f->sync);
    st = wait_round(&f->reports, 2, ROUND_TIMEOUT_MS, &err);
    print_message("second round (nothing new): %ld ms\n", ms_since(t0));
    assert_int_equal(err, KIOSK_OK);
    char catalog2[64], stock2[64];
    db_text(f->db, "SELECT value FROM sync_cursors WHERE name = 'catalog'", catalog2,
            sizeof catalog2);
    db_text(f->db, "SELECT value FROM sync_cursors WHERE name = 'stock'", stock2, sizeof stock2);
    assert_string_equal(catalog, catalog2);
    assert_string_equal(stock, stock2);
    assert_int_equal(db_int(f->db, "SELECT sum(updated_at) FROM stock"), changes);
}

/* POST /v1/orders with an Idempotency-Key (ch_call sends no extra headers). */
static long place_order(CentralProc *cp, const char *body)
{
    char url[256];
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, "Idempotency-Key: test-sync-order-1");
    CURL *e = curl_easy_init();
    long status = 0;
    snprintf(url, sizeof url, "%s/v1/orders", cp->base);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_CAINFO, cp->ca);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, NULL);
    FILE *sink = fopen("/dev/null", "w");
    curl_easy_setopt(e, CURLOPT_WRITEDATA, sink);
    if (curl_easy_perform(e) == CURLE_OK)
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    fclose(sink);
    curl_easy_cleanup(e);
    curl_slist_free_all(h);
    return status;
}

static void service_change_arrives(void **state)
{
    Fixture *f = *state;
    KioskErr err;
    start_sync(f);
    wait_round(&f->reports, 1, ROUND_TIMEOUT_MS, &err);
    assert_int_equal(err, KIOSK_OK);

    /* A variant of P0002 in stock here, and its local figure. */
    json_t *sv = NULL;
    assert_int_equal(ch_call(&f->cp, "GET", "/v1/products/P0002/stock?store=" HERE, NULL, &sv),
                     200);
    json_t *vars = json_object_get(json_array_get(json_object_get(sv, "locations"), 0), "variants");
    char variant[CENTRAL_ID_MAX + 1] = "";
    json_int_t qty = 0;
    for (size_t i = 0; i < json_array_size(vars) && !variant[0]; i++) {
        json_t *v = json_array_get(vars, i);
        if (json_integer_value(json_object_get(v, "qty")) >= 2) {
            snprintf(variant, sizeof variant, "%s",
                     json_string_value(json_object_get(v, "variant")));
            qty = json_integer_value(json_object_get(v, "qty"));
        }
    }
    json_decref(sv);
    assert_true(variant[0]);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT qty FROM stock WHERE variant_id = '%s' AND location_id = '" HERE "'", variant);
    assert_int_equal(db_int(f->db, sql), qty);

    /* A shopper collects one here (pickup takes it from this store's stock), and the back
     * office changes a price. */
    char member[CENTRAL_ID_MAX + 1], body[512];
    assert_int_equal(ch_demo_member(&f->cp, 0, member, sizeof member), 0);
    snprintf(body, sizeof body,
             "{\"member\":\"%s\",\"store\":\"" HERE "\",\"items\":[{\"variant\":\"%s\",\"qty\":1}],"
             "\"shipping_option\":\"pickup\"}",
             member, variant);
    assert_int_equal(place_order(&f->cp, body), 201);
    assert_int_equal(
        ch_call(&f->cp, "PATCH", "/v1/admin/products/P0003", "{\"price_cents\": 1234}", NULL), 200);

    sync_kick(f->sync);
    wait_round(&f->reports, 2, ROUND_TIMEOUT_MS, &err);
    assert_int_equal(err, KIOSK_OK);
    assert_int_equal(db_int(f->db, sql), qty - 1);
    assert_int_equal(db_int(f->db, "SELECT price_cents FROM products WHERE id = 'P0003'"), 1234);
}

static void resumes_after_destroy_mid_way(void **state)
{
    Fixture *f = *state;
    start_sync(f);
    /* Wait for the first committed catalog page, then stop at once. */
    char cursor[64] = "";
    for (int i = 0; i < 3000 && !cursor[0]; i++) {
        usleep(5 * 1000);
        db_text(f->db, "SELECT value FROM sync_cursors WHERE name = 'catalog'", cursor,
                sizeof cursor);
    }
    assert_true(cursor[0]);
    long t0 = ch_now_ms();
    sync_destroy(f->sync);
    f->sync = NULL;
    long destroy_ms = ms_since(t0);
    print_message("sync_destroy mid-sync: %ld ms\n", destroy_ms);
    assert_true(destroy_ms < 2000);
    int64_t partial = db_int(f->db, "SELECT count(*) FROM products");
    assert_true(partial > 0 && partial < 528);
    db_text(f->db, "SELECT value FROM sync_cursors WHERE name = 'catalog'", cursor, sizeof cursor);

    /* Take out a product of the part already synced: a sync that started again from the
     * beginning would bring it back, one that resumes from the cursor does not. */
    char first[CENTRAL_ID_MAX + 1];
    db_text(f->db, "SELECT id FROM products ORDER BY rowid LIMIT 1", first, sizeof first);
    char sql[160];
    snprintf(sql, sizeof sql, "DELETE FROM products WHERE id = '%s'", first);
    KioskErr err;
    Store *s = store_open(f->db, &err);
    assert_non_null(s);
    assert_int_equal(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL), SQLITE_OK);
    store_close(s);

    start_sync(f);
    SyncStatus st = wait_round(&f->reports, 1, ROUND_TIMEOUT_MS, &err);
    assert_int_equal(err, KIOSK_OK);
    assert_int_equal(st.products, 527);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM products WHERE id = '%s'", first);
    assert_int_equal(db_int(f->db, sql), 0);
}

/* Central down: the round reads offline, the local copy and an order in the outbox stay;
 * central back: the next round syncs again and the order is sent. */
static void offline_then_back(void **state)
{
    Fixture *f = *state;
    KioskErr err;
    start_sync(f);
    wait_round(&f->reports, 1, ROUND_TIMEOUT_MS, &err);
    assert_int_equal(err, KIOSK_OK);
    sync_destroy(f->sync);
    f->sync = NULL;
    central_down(&f->cp);

    /* An order made durable while the service is away (as the data worker does). */
    char member[CENTRAL_ID_MAX + 1], key[CENTRAL_IDEM_KEY_MAX + 1], variant[CENTRAL_ID_MAX + 1];
    assert_int_equal(ch_demo_member(&f->cp, 1, member, sizeof member), 0);
    db_text(f->db,
            "SELECT s.variant_id FROM stock s WHERE s.location_id = '" HERE "' AND s.qty > 2"
            " ORDER BY s.variant_id LIMIT 1",
            variant, sizeof variant);
    CentralOrderRequest *req = calloc(1, sizeof *req);
    snprintf(req->member, sizeof req->member, "%s", member);
    snprintf(req->store, sizeof req->store, HERE);
    snprintf(req->shipping_option, sizeof req->shipping_option, "pickup");
    snprintf(req->items[0].variant, sizeof req->items[0].variant, "%s", variant);
    req->items[0].qty = 1;
    req->item_count = 1;
    char *json = NULL;
    assert_int_equal(order_new_key(key), KIOSK_OK);
    assert_int_equal(order_encode(req, NULL, &json), KIOSK_OK);
    Store *s = store_open(f->db, &err);
    Outbox *ob = outbox_open(s, f->key, &err);
    assert_non_null(ob);
    int64_t id = 0;
    assert_int_equal(outbox_put(ob, key, json, time(NULL), &id), KIOSK_OK);
    outbox_close(ob);
    store_close(s);
    free(json);
    free(req);

    start_sync(f);
    SyncStatus st = wait_round(&f->reports, 1, ROUND_TIMEOUT_MS, &err);
    assert_false(st.online);
    assert_int_not_equal(err, KIOSK_OK);
    assert_int_equal(st.products, 528);
    assert_int_equal(st.outbox_depth, 1);
    assert_true(st.last_sync > 0); /* the last complete sync, from before */
    assert_int_equal(db_int(f->db, "SELECT count(*) FROM products"), 528);

    assert_int_equal(central_up(&f->cp, "demo", 60000), 0);
    sync_kick(f->sync);
    /* The outbox backs the order off a few seconds after the failed try: kick until sent. */
    int round = 2;
    for (; round < 12; round++) {
        st = wait_round(&f->reports, round, ROUND_TIMEOUT_MS, &err);
        if (st.online && st.outbox_depth == 0)
            break;
        sleep(2);
        sync_kick(f->sync);
    }
    assert_true(st.online);
    assert_int_equal(err, KIOSK_OK);
    assert_int_equal(st.outbox_depth, 0);
    assert_int_equal(f->reports.orders_sent, 1);
    assert_int_equal(st.products, 528);
}

static long peak_rss_kib(void)
{
    FILE *fp = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (fp && fgets(line, sizeof line, fp)) {
        if (strncmp(line, "VmHWM:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    }
    if (fp)
        fclose(fp);
    return kib;
}

static int setup_large(void **state)
{
    Fixture *f = fixture_new();
    *state = f;
    long t0 = ch_now_ms();
    int rc = central_start(&f->cp, "large", LARGE_START_TIMEOUT_MS);
    print_message("central --seed large ready in %ld ms\n", ms_since(t0));
    return rc;
}

static void large_sync_bounded_memory(void **state)
{
    Fixture *f = *state;
    KioskErr err;
    long before = peak_rss_kib();
    long t0 = ch_now_ms();
    start_sync_at(f, "lg-001"); /* the large chain's first shop */
    SyncStatus st = wait_round(&f->reports, 1, LARGE_ROUND_TIMEOUT_MS, &err);
    long took = ms_since(t0);
    long after = peak_rss_kib();
    int64_t variants = db_int(f->db, "SELECT count(*) FROM variants");
    int64_t figures = db_int(f->db, "SELECT count(*) FROM stock");
    print_message("large sync: %lld products, %lld variants, %lld stock figures, %lld stores in "
                  "%ld ms; peak RSS %ld KiB -> %ld KiB (+%ld KiB, bound %d KiB)\n",
                  (long long)st.products, (long long)variants, (long long)figures,
                  (long long)db_int(f->db, "SELECT count(*) FROM stores"), took, before, after,
                  after - before, LARGE_RSS_BOUND_KIB);
    assert_int_equal(err, KIOSK_OK);
    assert_true(st.online);
    assert_true(variants >= 100000);
    assert_true(after - before < LARGE_RSS_BOUND_KIB);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(full_sync_then_nothing_new, setup, teardown),
        cmocka_unit_test_setup_teardown(service_change_arrives, setup, teardown),
        cmocka_unit_test_setup_teardown(resumes_after_destroy_mid_way, setup, teardown),
        cmocka_unit_test_setup_teardown(offline_then_back, setup, teardown),
        cmocka_unit_test_setup_teardown(large_sync_bounded_memory, setup_large, teardown),
    };
    TEST_FILTER(argc, argv, tests);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
