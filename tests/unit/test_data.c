/* test_data.c: the data worker (firmware/data.c) on real SQLite files: an order is on disk
 * (seen from a second Store connection) before RESULT_ORDER_STORED reaches the app; a full
 * disk and a read-only medium, on a tiny tmpfs mounted in a private mount namespace (root,
 * or an unprivileged user namespace; skipped when neither is allowed); every query kind
 * answered with its seq; refused submissions; a full queue; data_destroy with queued orders
 * (run under ASan/LSan to see their payloads freed). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* unshare */
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "catalog.h"
#include "data.h"
#include "order.h"
#include "store.h"

#define WAIT_MS     10000
#define RESULTS_MAX 64
#define HERE        "sea-ballard"
#define NOW         1800000000

/* ---- collecting answers (on_result runs on the worker thread) ---- */

typedef struct Collector {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    Result *items[RESULTS_MAX];
    int64_t durable[RESULTS_MAX]; /* ORDER_STORED: rows with its key seen from another
                                     connection while on_result ran; -1 not looked */
    int count;
    int stored_calls; /* on_order_stored */
    const char *db;
    bool gate_closed; /* the next answer blocks in on_result until the gate opens */
    bool blocked;     /* an answer is waiting at the gate */
} Collector;

static int64_t rows_with_key(const char *db_path, const char *key)
{
    KioskErr err;
    Store *s = store_open(db_path, &err);
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (!s)
        return -1;
    if (sqlite3_prepare_v2(store_db(s), "SELECT count(*) FROM outbox WHERE idempotency_key = ?", -1,
                           &st, NULL) == SQLITE_OK &&
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    store_close(s);
    return n;
}

static void on_result(Result *r, void *ctx)
{
    Collector *c = ctx;
    int64_t durable = -1;
    if (r->kind == RESULT_ORDER_STORED && r->err == KIOSK_OK)
        durable = rows_with_key(c->db, r->u.order.idempotency_key);
    pthread_mutex_lock(&c->lock);
    if (c->gate_closed) {
        c->blocked = true;
        pthread_cond_broadcast(&c->cond);
        while (c->gate_closed)
            pthread_cond_wait(&c->cond, &c->lock);
    }
    if (c->count < RESULTS_MAX) {
        c->durable[c->count] = durable;
        c->items[c->count++] = r;
        r = NULL;
    }
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    result_free(r);
}

static void on_stored(void *ctx)
{
    Collector *c = ctx;
    pthread_mutex_lock(&c->lock);
    c->stored_calls++;
    pthread_mutex_unlock(&c->lock);
}

static struct timespec deadline_in(int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* The n-th answer (0-based), waiting for it. */
static Result *nth(Collector *c, int n)
{
    struct timespec dl = deadline_in(WAIT_MS);
    pthread_mutex_lock(&c->lock);
    while (c->count <= n) {
        if (pthread_cond_timedwait(&c->cond, &c->lock, &dl) == ETIMEDOUT)
            break;
    }
    Result *r = c->count > n ? c->items[n] : NULL;
    pthread_mutex_unlock(&c->lock);
    if (!r)
        fail_msg("answer #%d never came", n);
    return r;
}

static int answers(Collector *c)
{
    pthread_mutex_lock(&c->lock);
    int n = c->count;
    pthread_mutex_unlock(&c->lock);
    return n;
}

/* ---- fixture ---- */

typedef struct Fixture {
    char dir[64];
    char db[128];
    char key[128];
    bool mounted;
    Collector col;
    Data *d;
} Fixture;

static bool can_mount; /* set by main: a private mount namespace where tmpfs may be mounted */

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test-data-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/%s", f->dir, STORE_FILE_NAME);
    snprintf(f->key, sizeof f->key, "%s/%s", f->dir, OUTBOX_KEY_FILE);
    pthread_mutex_init(&f->col.lock, NULL);
    pthread_cond_init(&f->col.cond, NULL);
    f->col.db = f->db;
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
    pthread_mutex_lock(&f->col.lock);
    f->col.gate_closed = false; /* a failed test may have left the worker at the gate */
    pthread_cond_broadcast(&f->col.cond);
    pthread_mutex_unlock(&f->col.lock);
    data_destroy(f->d);
    if (f->mounted)
        umount2(f->dir, MNT_DETACH);
    nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    for (int i = 0; i < f->col.count; i++)
        result_free(f->col.items[i]);
    pthread_cond_destroy(&f->col.cond);
    pthread_mutex_destroy(&f->col.lock);
    free(f);
    return 0;
}

static Data *start(Fixture *f, KioskErr *err)
{
    DataConfig cfg = {
        .db_path = f->db, .key_path = f->key, .here_store = HERE, .on_order_stored = on_stored};
    return data_create(&cfg, on_result, &f->col, err);
}

static void start_ok(Fixture *f)
{
    KioskErr err = KIOSK_E_IO;
    f->d = start(f, &err);
    assert_non_null(f->d);
    assert_int_equal(err, KIOSK_OK);
}

/* A tiny tmpfs on the fixture's folder. */
static void mount_tiny(Fixture *f, const char *size)
{
    char opts[64];
    if (!can_mount)
        skip();
    snprintf(opts, sizeof opts, "size=%s,mode=0700", size);
    assert_int_equal(mount("tmpfs", f->dir, "tmpfs", 0, opts), 0);
    f->mounted = true;
}

static char *order_json(const char *variant)
{
    CentralOrderRequest r;
    char *json = NULL;
    memset(&r, 0, sizeof r);
    snprintf(r.member, sizeof r.member, "M10003");
    snprintf(r.store, sizeof r.store, HERE);
    snprintf(r.shipping_option, sizeof r.shipping_option, "standard");
    snprintf(r.address_id, sizeof r.address_id, "A10003-1");
    snprintf(r.items[0].variant, sizeof r.items[0].variant, "%s", variant);
    r.items[0].qty = 1;
    r.item_count = 1;
    assert_int_equal(order_encode(&r, "D000001", &json), KIOSK_OK);
    return json;
}

static KioskErr put_order(Data *d, uint32_t seq, const char *key)
{
    DataQuery q;
    memset(&q, 0, sizeof q);
    q.kind = DATA_ORDER_PUT;
    q.seq = seq;
    snprintf(q.idempotency_key, sizeof q.idempotency_key, "%s", key);
    q.payload = order_json("V01731");
    KioskErr err = data_submit(d, &q);
    assert_null(q.payload); /* taken, whatever the answer */
    return err;
}

static long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)(ts.tv_sec * 1000000L + ts.tv_nsec / 1000);
}

/* ---- tests ---- */

static void order_is_durable_before_it_is_reported(void **state)
{
    Fixture *f = *state;
    char key[CENTRAL_IDEM_KEY_MAX + 1];
    start_ok(f);
    assert_int_equal(order_new_key(key), KIOSK_OK);
    assert_int_equal(put_order(f->d, 41, key), KIOSK_OK);
    Result *r = nth(&f->col, 0);
    assert_int_equal(r->kind, RESULT_ORDER_STORED);
    assert_int_equal(r->seq, 41);
    assert_int_equal(r->err, KIOSK_OK);
    assert_string_equal(r->u.order.idempotency_key, key);
    assert_int_equal(f->col.durable[0], 1); /* another connection saw it, before delivery */

    /* The same key again (a checkout retried): still one record, answered OK. */
    assert_int_equal(put_order(f->d, 42, key), KIOSK_OK);
    r = nth(&f->col, 1);
    assert_int_equal(r->seq, 42);
    assert_int_equal(r->err, KIOSK_OK);
    assert_int_equal(f->col.durable[1], 1);
    data_destroy(f->d); /* joins: on_order_stored has run for both */
    f->d = NULL;
    assert_int_equal(f->col.stored_calls, 2);

    /* The figure: submit to answer, durable (WAL fsync'd) on this machine's /tmp. */
    start_ok(f);
    enum { N = 50 };
    long t0 = now_us(), worst = 0;
    for (int i = 0; i < N; i++) {
        long t = now_us();
        assert_int_equal(order_new_key(key), KIOSK_OK);
        assert_int_equal(put_order(f->d, (uint32_t)(100 + i), key), KIOSK_OK);
        Result *ri = nth(&f->col, 2 + i);
        assert_int_equal(ri->err, KIOSK_OK);
        assert_int_equal(f->col.durable[2 + i], 1);
        t = now_us() - t;
        worst = t > worst ? t : worst;
    }
    print_message("order durable: %.2f ms mean, %.2f ms worst over %d (incl. a second "
                  "connection's check in on_result)\n",
                  (double)(now_us() - t0) / N / 1000.0, (double)worst / 1000.0, N);
}

static void full_disk_refuses_with_full_and_recovers(void **state)
{
    Fixture *f = *state;
    mount_tiny(f, "1m");
    start_ok(f);
    assert_int_equal(put_order(f->d, 1, "before-full"), KIOSK_OK);
    assert_int_equal(nth(&f->col, 0)->err, KIOSK_OK);

    /* Fill what is left of the file system. */
    char filler[160], buf[4096];
    snprintf(filler, sizeof filler, "%s/filler", f->dir);
    int fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    memset(buf, 0xee, sizeof buf);
    while (write(fd, buf, sizeof buf) > 0)
        ;
    while (write(fd, buf, 1) > 0)
        ;
    assert_int_equal(errno, ENOSPC);
    close(fd);

    assert_int_equal(put_order(f->d, 2, "when-full"), KIOSK_OK);
    Result *r = nth(&f->col, 1);
    assert_int_equal(r->kind, RESULT_ORDER_STORED);
    assert_int_equal(r->seq, 2);
    assert_int_equal(r->err, KIOSK_E_FULL);
    assert_string_equal(r->u.order.idempotency_key, "when-full");

    /* Room again: the refused order goes in, the earlier one is still there. */
    assert_int_equal(unlink(filler), 0);
    assert_int_equal(put_order(f->d, 3, "when-full"), KIOSK_OK);
    r = nth(&f->col, 2);
    assert_int_equal(r->err, KIOSK_OK);
    assert_int_equal(f->col.durable[2], 1);
    data_destroy(f->d);
    f->d = NULL;
    assert_int_equal(f->col.stored_calls, 2); /* not for the refused one */
    assert_int_equal(rows_with_key(f->db, "before-full"), 1);
    assert_int_equal(rows_with_key(f->db, "when-full"), 1);
}

static void read_only_medium_gives_io(void **state)
{
    Fixture *f = *state;
    KioskErr err = KIOSK_OK;
    mount_tiny(f, "1m");
    start_ok(f);
    assert_int_equal(put_order(f->d, 1, "stored-earlier"), KIOSK_OK);
    assert_int_equal(nth(&f->col, 0)->err, KIOSK_OK);
    data_destroy(f->d);
    f->d = NULL;

    /* The medium turns read-only (a failing SD card remounted ro by the kernel). */
    assert_int_equal(mount("tmpfs", f->dir, "tmpfs", MS_REMOUNT | MS_RDONLY, NULL), 0);
    f->d = start(f, &err);
    assert_null(f->d);
    assert_int_equal(err, KIOSK_E_IO);
    assert_int_equal(answers(&f->col), 1);
}

/* Two stores, two products (one category each), stock here for one of them. */
static void put_catalog(const char *db)
{
    KioskErr err;
    Store *s = store_open(db, &err);
    assert_non_null(s);
    static const struct {
        const char *id, *kind;
        double lat, lon;
    } STORES[] = {{HERE, "store", 47.667, -122.384}, {"online", "online", 47.381, -122.235}};
    for (size_t i = 0; i < 2; i++) {
        CentralStore st = {0};
        snprintf(st.id, sizeof st.id, "%s", STORES[i].id);
        snprintf(st.kind, sizeof st.kind, "%s", STORES[i].kind);
        snprintf(st.name, sizeof st.name, "Store %zu", i);
        st.lat = STORES[i].lat;
        st.lon = STORES[i].lon;
        assert_int_equal(catalog_put_store(s, &st, NOW), KIOSK_OK);
    }
    static const char *const PRODUCTS[][3] = {{"P0001", "Summit Fleece", "jackets"},
                                              {"P0002", "Trail Sock", "socks"}};
    CentralProduct *p = calloc(1, sizeof *p);
    assert_non_null(p);
    for (size_t i = 0; i < 2; i++) {
        memset(p, 0, sizeof *p);
        snprintf(p->id, sizeof p->id, "%s", PRODUCTS[i][0]);
        snprintf(p->name, sizeof p->name, "%s", PRODUCTS[i][1]);
        snprintf(p->brand, sizeof p->brand, "Kiosk Outdoor");
        snprintf(p->category, sizeof p->category, "%s", PRODUCTS[i][2]);
        snprintf(p->currency, sizeof p->currency, "USD");
        snprintf(p->updated_at, sizeof p->updated_at, "2027-01-15T08:00:00Z");
        p->price_cents = 4999;
        p->active = true;
        p->variant_count = 1;
        snprintf(p->variants[0].id, sizeof p->variants[0].id, "%s-V0", PRODUCTS[i][0]);
        snprintf(p->variants[0].size, sizeof p->variants[0].size, "M");
        p->variants[0].price_cents = 4999;
        assert_int_equal(catalog_put_product(s, p, NOW), KIOSK_OK);
        assert_int_equal(catalog_put_stock(s, p->variants[0].id, HERE, 5, NOW), KIOSK_OK);
        assert_int_equal(catalog_put_stock(s, p->variants[0].id, "online", 50, NOW), KIOSK_OK);
    }
    free(p);
    assert_int_equal(catalog_put_affinity(s, "P0001", "P0002", 0.8), KIOSK_OK);
    store_close(s);
}

static void queries_are_answered_with_their_seq(void **state)
{
    Fixture *f = *state;
    start_ok(f); /* creates the file; the catalog goes in through another connection */
    put_catalog(f->db);

    DataQuery q[7];
    memset(q, 0, sizeof q);
    q[0].kind = DATA_CATEGORIES;
    q[1].kind = DATA_BROWSE;
    snprintf(q[1].text, sizeof q[1].text, "jackets");
    q[2].kind = DATA_SEARCH;
    snprintf(q[2].text, sizeof q[2].text, "fleece");
    q[3].kind = DATA_PRODUCT;
    snprintf(q[3].id, sizeof q[3].id, "P0001");
    q[4].kind = DATA_STOCK;
    snprintf(q[4].id, sizeof q[4].id, "P0001");
    q[5].kind = DATA_RECOMMEND;
    snprintf(q[5].seeds[0], sizeof q[5].seeds[0], "P0001");
    q[5].seed_count = 1;
    q[6].kind = DATA_PRODUCT;
    snprintf(q[6].id, sizeof q[6].id, "P9999");
    for (int i = 0; i < 7; i++) {
        q[i].seq = 1000u + (uint32_t)i * 7u;
        assert_int_equal(data_submit(f->d, &q[i]), KIOSK_OK);
    }
    static const ResultKind KINDS[7] = {RESULT_CATEGORIES, RESULT_BROWSE, RESULT_SEARCH,
                                        RESULT_PRODUCT,    RESULT_STOCK,  RESULT_RECOMMENDATIONS,
                                        RESULT_PRODUCT};
    for (int i = 0; i < 7; i++) { /* one worker: answers come in order */
        Result *r = nth(&f->col, i);
        assert_int_equal(r->kind, KINDS[i]);
        assert_int_equal(r->seq, q[i].seq);
        assert_int_equal(r->err, i == 6 ? KIOSK_E_NOTFOUND : KIOSK_OK);
    }
    Result *r = nth(&f->col, 0);
    assert_int_equal(r->u.categories.count, 2);
    r = nth(&f->col, 1);
    assert_string_equal(r->query, "jackets");
    assert_int_equal(r->u.cards.count, 1);
    assert_string_equal(r->u.cards.items[0].id, "P0001");
    assert_int_equal(r->u.cards.items[0].hint, HINT_HERE);
    r = nth(&f->col, 2);
    assert_string_equal(r->query, "fleece");
    assert_int_equal(r->u.cards.count, 1);
    assert_string_equal(r->u.cards.items[0].name, "Summit Fleece");
    r = nth(&f->col, 3);
    assert_string_equal(r->u.product.name, "Summit Fleece");
    assert_int_equal(r->u.product.variant_count, 1);
    r = nth(&f->col, 4);
    assert_string_equal(r->u.stock.product_id, "P0001");
    assert_false(r->u.stock.live);
    assert_true(r->u.stock.location_count >= 1);
    assert_string_equal(r->u.stock.locations[0].store, HERE);
    r = nth(&f->col, 6);
    assert_string_equal(r->u.product.id, ""); /* no half answers */
}

static void bad_queries_are_refused_and_payloads_taken(void **state)
{
    Fixture *f = *state;
    start_ok(f);
    DataQuery q;

    memset(&q, 0, sizeof q);
    q.kind = (DataQueryKind)99;
    assert_int_equal(data_submit(f->d, &q), KIOSK_E_INVALID);

    memset(&q, 0, sizeof q);
    q.kind = DATA_SEARCH;
    memset(q.text, 'a', sizeof q.text); /* not terminated */
    assert_int_equal(data_submit(f->d, &q), KIOSK_E_INVALID);

    memset(&q, 0, sizeof q);
    q.kind = DATA_RECOMMEND;
    q.seed_count = DATA_SEEDS_MAX + 1;
    assert_int_equal(data_submit(f->d, &q), KIOSK_E_INVALID);

    memset(&q, 0, sizeof q);
    q.kind = DATA_BROWSE;
    q.offset = -1;
    assert_int_equal(data_submit(f->d, &q), KIOSK_E_INVALID);

    memset(&q, 0, sizeof q);
    q.kind = DATA_ORDER_PUT; /* no key: the payload is taken (and freed) all the same */
    q.payload = order_json("V1");
    assert_int_equal(data_submit(f->d, &q), KIOSK_E_INVALID);
    assert_null(q.payload);

    memset(&q, 0, sizeof q);
    q.kind = DATA_ORDER_PUT; /* no payload */
    snprintf(q.idempotency_key, sizeof q.idempotency_key, "k1");
    assert_int_equal(data_submit(f->d, &q), KIOSK_E_INVALID);

    q.payload = order_json("V1");
    assert_int_equal(data_submit(NULL, &q), KIOSK_E_INVALID);
    assert_null(q.payload);
    assert_int_equal(data_submit(f->d, NULL), KIOSK_E_INVALID);

    /* Bad JSON gets to the outbox, which refuses it: answered, not stored. */
    memset(&q, 0, sizeof q);
    q.kind = DATA_ORDER_PUT;
    q.seq = 5;
    snprintf(q.idempotency_key, sizeof q.idempotency_key, "k2");
    q.payload = strdup("{not json");
    assert_int_equal(data_submit(f->d, &q), KIOSK_OK);
    Result *r = nth(&f->col, 0);
    assert_int_equal(r->seq, 5);
    assert_int_equal(r->err, KIOSK_E_INVALID);
    assert_int_equal(answers(&f->col), 1);

    KioskErr err = KIOSK_OK;
    DataConfig cfg = {.db_path = NULL, .key_path = f->key};
    assert_null(data_create(&cfg, on_result, &f->col, &err));
    assert_int_equal(err, KIOSK_E_INVALID);
    data_destroy(NULL);
}

typedef struct Opener {
    Fixture *f;
    pthread_t thread;
} Opener;

/* Waits until data_destroy has begun (data_submit says KIOSK_E_STATE), then opens the gate
 * the worker is held at. */
static void *open_when_stopping(void *arg)
{
    Opener *o = arg;
    DataQuery q;
    memset(&q, 0, sizeof q);
    q.kind = DATA_CATEGORIES;
    while (data_submit(o->f->d, &q) != KIOSK_E_STATE)
        usleep(1000);
    pthread_mutex_lock(&o->f->col.lock);
    o->f->col.gate_closed = false;
    pthread_cond_broadcast(&o->f->col.cond);
    pthread_mutex_unlock(&o->f->col.lock);
    return NULL;
}

static void full_queue_and_destroy_drop_queued_orders(void **state)
{
    Fixture *f = *state;
    start_ok(f);
    f->col.gate_closed = true;
    DataQuery q;
    memset(&q, 0, sizeof q);
    q.kind = DATA_CATEGORIES;
    q.seq = 1;
    assert_int_equal(data_submit(f->d, &q), KIOSK_OK);
    /* Wait until the worker is held in on_result with that answer. */
    struct timespec dl = deadline_in(WAIT_MS);
    pthread_mutex_lock(&f->col.lock);
    while (!f->col.blocked && pthread_cond_timedwait(&f->col.cond, &f->col.lock, &dl) == 0)
        ;
    bool blocked = f->col.blocked;
    pthread_mutex_unlock(&f->col.lock);
    assert_true(blocked);

    char key[32];
    for (int i = 0; i < DATA_QUEUE_MAX; i++) {
        snprintf(key, sizeof key, "queued-%d", i);
        assert_int_equal(put_order(f->d, (uint32_t)(10 + i), key), KIOSK_OK);
    }
    assert_int_equal(put_order(f->d, 99, "one-too-many"), KIOSK_E_FULL);

    Opener o = {.f = f};
    assert_int_equal(pthread_create(&o.thread, NULL, open_when_stopping, &o), 0);
    long t0 = now_us();
    data_destroy(f->d); /* finishes the answer in hand, drops the 16 orders */
    long took = now_us() - t0;
    f->d = NULL;
    pthread_join(o.thread, NULL);
    print_message("data_destroy with %d queued orders: %.1f ms\n", DATA_QUEUE_MAX, took / 1000.0);
    assert_true(took < 2000000);
    assert_int_equal(answers(&f->col), 1);
    assert_int_equal(nth(&f->col, 0)->seq, 1);
    assert_int_equal(f->col.stored_calls, 0);
    assert_int_equal(rows_with_key(f->db, "queued-0"), 0); /* dropped, never stored */
}

/* A private mount namespace, so the tmpfs mounts of these tests are seen by nothing else
 * and vanish with the process: as root, or as root of a new user namespace. Must run while
 * the process has one thread. */
static bool write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return false;
    bool ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    close(fd);
    return ok;
}

static bool enter_mount_namespace(void)
{
    if (unshare(CLONE_NEWNS) != 0) {
        char map[64];
        uid_t uid = getuid();
        gid_t gid = getgid();
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
            return false;
        snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
        if (!write_file("/proc/self/uid_map", map))
            return false;
        (void)write_file("/proc/self/setgroups", "deny");
        snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
        if (!write_file("/proc/self/gid_map", map))
            return false;
    }
    return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
}

int main(void)
{
    can_mount = enter_mount_namespace();
    if (!can_mount)
        fprintf(stderr, "test_data: no mount namespace here: the tmpfs tests are skipped\n");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(order_is_durable_before_it_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(full_disk_refuses_with_full_and_recovers, setup, teardown),
        cmocka_unit_test_setup_teardown(read_only_medium_gives_io, setup, teardown),
        cmocka_unit_test_setup_teardown(queries_are_answered_with_their_seq, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_queries_are_refused_and_payloads_taken, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(full_queue_and_destroy_drop_queued_orders, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
