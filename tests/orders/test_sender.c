/* test_sender.c: the outbox sender (firmware/sender.c) against the real tools/central over
 * real HTTPS (tests/client/client_harness: a PKI made for each test, --seed demo): an order
 * stored while the service is down is retried with growing backoff and reaches the service
 * exactly once when it is back; a record sent twice (a crash between the service's answer
 * and mark_sent) still makes one order; refusals are dead-lettered with the service's code
 * and reported; a tampered record is dead-lettered "unreadable" and the pass goes on.
 * The sender's clock is the now_s we pass, so backoff needs no waiting. */
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "client_harness.h"
#include "order.h"
#include "outbox.h"
#include "sender.h"
#include "store.h"
#include "test_filter.h"

#define T0          1800000000 /* the sender's clock at the start of each test */
#define START_MS    30000
#define RESULTS_MAX 16

typedef struct Fixture {
    CentralProc cp;
    CentralClient *client;
    char dir[64], db[128], key[128];
    Store *s;
    Outbox *ob;
    char member[CENTRAL_ID_MAX + 1];
    char address[CENTRAL_ID_MAX + 1];
    char variant[CENTRAL_ID_MAX + 1]; /* online stock >= 5 */
    Result *results[RESULTS_MAX];     /* what the sender reported, in order */
    int result_count;
} Fixture;

static void ignore_reply(const CentralReply *reply, void *ctx)
{
    (void)reply;
    (void)ctx;
}

static void on_result(Result *r, void *ctx)
{
    Fixture *f = ctx; /* sender_pass runs on the test thread */
    if (f->result_count < RESULTS_MAX)
        f->results[f->result_count++] = r;
    else
        result_free(r);
}

static void copy(char *dst, size_t size, const char *src)
{
    int n = snprintf(dst, size, "%s", src ? src : "");
    assert_true(n >= 0 && (size_t)n < size);
}

/* The first variant of a demo product whose online stock is in [lo, hi]. */
static bool find_variant(Fixture *f, int lo, int hi, char *out)
{
    for (int p = 1; p <= 60; p++) {
        char path[96];
        json_t *body = NULL;
        snprintf(path, sizeof path, "/v1/products/P%04d/stock", p);
        if (ch_call(&f->cp, "GET", path, NULL, &body) != 200) {
            json_decref(body);
            continue;
        }
        json_t *locs = json_object_get(body, "locations");
        json_t *online = json_array_get(locs, json_array_size(locs) - 1);
        json_t *v;
        size_t i;
        bool found = false;
        json_array_foreach(json_object_get(online, "variants"), i, v)
        {
            json_int_t qty = json_integer_value(json_object_get(v, "qty"));
            if (!found && qty >= lo && qty <= hi) {
                copy(out, CENTRAL_ID_MAX + 1, json_string_value(json_object_get(v, "variant")));
                found = true;
            }
        }
        json_decref(body);
        if (found)
            return true;
    }
    return false;
}

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    KioskErr err;
    json_t *m = NULL;
    char path[128];
    if (!f)
        return -1;
    *state = f;
    snprintf(f->dir, sizeof f->dir, "/tmp/test-sender-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->db, sizeof f->db, "%s/%s", f->dir, STORE_FILE_NAME);
    snprintf(f->key, sizeof f->key, "%s/%s", f->dir, OUTBOX_KEY_FILE);
    f->s = store_open(f->db, &err);
    f->ob = f->s ? outbox_open(f->s, f->key, &err) : NULL;
    if (!f->ob || ch_central_start(&f->cp) != 0 ||
        ch_demo_member(&f->cp, 0, f->member, sizeof f->member) != 0)
        return -1;
    snprintf(path, sizeof path, "/v1/members/%s", f->member);
    if (ch_call(&f->cp, "GET", path, NULL, &m) != 200)
        return -1;
    const char *addr = json_string_value(
        json_object_get(json_array_get(json_object_get(m, "addresses"), 0), "id"));
    copy(f->address, sizeof f->address, addr);
    json_decref(m);
    if (!find_variant(f, 5, 1000000, f->variant))
        return -1;
    CentralConfig cfg = ch_config(f->cp.base, f->cp.ca);
    f->client = central_create(&cfg, ignore_reply, NULL, &err);
    return f->client ? 0 : -1;
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
    central_destroy(f->client);
    ch_central_stop(&f->cp);
    outbox_close(f->ob);
    store_close(f->s);
    nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    for (int i = 0; i < f->result_count; i++)
        result_free(f->results[i]);
    free(f);
    return 0;
}

/* An order of qty of variant for the fixture's member, stored in the outbox at now_s. */
static int64_t put(Fixture *f, const char *variant, int qty, int64_t now_s, char *key)
{
    CentralOrderRequest r;
    char *json = NULL;
    int64_t id = 0;
    memset(&r, 0, sizeof r);
    copy(r.member, sizeof r.member, f->member);
    copy(r.store, sizeof r.store, "sea-ballard");
    copy(r.shipping_option, sizeof r.shipping_option, "standard");
    copy(r.address_id, sizeof r.address_id, f->address);
    copy(r.items[0].variant, sizeof r.items[0].variant, variant);
    r.items[0].qty = qty;
    r.item_count = 1;
    assert_int_equal(order_encode(&r, NULL, &json), KIOSK_OK);
    assert_int_equal(order_new_key(key), KIOSK_OK);
    assert_int_equal(outbox_put(f->ob, key, json, now_s, &id), KIOSK_OK);
    free(json);
    return id;
}

static OutboxItem record(Fixture *f, int64_t id)
{
    OutboxItem it, meta;
    assert_int_equal(outbox_get(f->ob, id, &it), KIOSK_OK);
    meta = it;
    meta.payload = NULL;
    meta.payload_len = 0;
    outbox_item_clear(&it); /* zeroes all of it */
    return meta;
}

static int kiosk_orders(Fixture *f)
{
    char path[128];
    json_t *body = NULL;
    snprintf(path, sizeof path, "/v1/members/%s/orders?channel=kiosk", f->member);
    assert_int_equal(ch_call(&f->cp, "GET", path, NULL, &body), 200);
    int n = (int)json_array_size(json_object_get(body, "orders"));
    json_decref(body);
    return n;
}

static SenderStats pass(Fixture *f, int64_t now_s)
{
    SenderStats st;
    memset(&st, 0x5a, sizeof st);
    assert_int_equal(sender_pass(f->ob, f->client, now_s, on_result, f, &st), KIOSK_OK);
    return st;
}

static void assert_sent(const Result *r, const char *key)
{
    assert_int_equal(r->kind, RESULT_ORDER_SENT);
    assert_int_equal(r->err, KIOSK_OK);
    assert_string_equal(r->u.order.idempotency_key, key);
    assert_true(central_is_id(r->u.order.id));
    assert_true(r->u.order.number[0]);
    assert_non_null(strstr(r->u.order.tracking_url, r->u.order.number));
    assert_true(r->u.order.total_cents > 0);
    assert_string_equal(r->u.order.currency, "USD");
    assert_true(r->u.order.delivery_earliest > 0);
    assert_true(r->u.order.delivery_latest >= r->u.order.delivery_earliest);
}

/* Stops central but keeps its folder (database, PKI), so it can come back on its port. */
static void central_down(CentralProc *cp)
{
    assert_true(cp->pid > 0);
    kill(cp->pid, SIGTERM);
    assert_int_equal(waitpid(cp->pid, NULL, 0), cp->pid);
    cp->pid = 0;
}

/* Starts central again on the same port and database, as the harness does (the demo seed
 * is skipped for a database that holds data). */
static void central_up(CentralProc *cp)
{
    char db[CH_PATH_MAX + 16], cert[CH_PATH_MAX + 16], key[CH_PATH_MAX + 16], log[CH_PATH_MAX + 16],
        listen[32];
    ch_path(cp, "central.db", db, sizeof db);
    ch_path(cp, "server.pem", cert, sizeof cert);
    ch_path(cp, "server-key.pem", key, sizeof key);
    ch_path(cp, "central.log", log, sizeof log);
    snprintf(listen, sizeof listen, "127.0.0.1:%u", cp->port);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen(log, "a", stderr))
            _exit(126);
        execl(CENTRAL_BIN, CENTRAL_BIN, "--db", db, "--listen", listen, "--tls-cert", cert,
              "--tls-key", key, "--seed", "demo", (char *)NULL);
        _exit(127);
    }
    cp->pid = pid;
    for (long waited = 0; waited < START_MS; waited += 50) {
        if (ch_call(cp, "GET", "/v1/stores", NULL, NULL) == 200)
            return;
        assert_int_equal(waitpid(pid, NULL, WNOHANG), 0); /* still running */
        usleep(50 * 1000);
    }
    fail_msg("central did not come back on port %u", cp->port);
}

/* ---- tests ---- */

static void offline_then_sent_once(void **state)
{
    Fixture *f = *state;
    char key[CENTRAL_IDEM_KEY_MAX + 1];
    central_down(&f->cp);
    int64_t id = put(f, f->variant, 1, T0, key);

    /* Down: retried, and the pass stops; first retry 2..5 s later. */
    SenderStats st = pass(f, T0);
    assert_int_equal(st.sent, 0);
    assert_int_equal(st.retried, 1);
    assert_int_equal(st.refused + st.unreadable, 0);
    assert_true(st.offline);
    assert_int_equal(st.depth, 1);
    assert_in_range(st.next_due_s, T0 + 2, T0 + 5);
    OutboxItem it = record(f, id);
    assert_int_equal(it.state, OUTBOX_PENDING);
    assert_int_equal(it.attempts, 1);
    assert_non_null(strstr(it.last_error, "offline"));
    int64_t due = st.next_due_s;

    /* Not due yet: nothing is tried. */
    st = pass(f, due - 1);
    assert_int_equal(st.retried + st.sent, 0);
    assert_int_equal(st.next_due_s, due);
    assert_false(st.offline);

    /* Due, still down: the second delay is 5..10 s. */
    st = pass(f, due);
    assert_int_equal(st.retried, 1);
    assert_in_range(st.next_due_s, due + 5, due + 10);
    assert_int_equal(record(f, id).attempts, 2);
    due = st.next_due_s;
    assert_int_equal(f->result_count, 0); /* retries are not reported */

    /* Back: sent once, reported, marked. */
    central_up(&f->cp);
    assert_int_equal(kiosk_orders(f), 0);
    st = pass(f, due);
    assert_int_equal(st.sent, 1);
    assert_int_equal(st.retried, 0);
    assert_false(st.offline);
    assert_int_equal(st.depth, 0);
    assert_int_equal(st.next_due_s, 0);
    assert_int_equal(f->result_count, 1);
    assert_sent(f->results[0], key);
    it = record(f, id);
    assert_int_equal(it.state, OUTBOX_SENT);
    assert_string_equal(it.order_id, f->results[0]->u.order.id);
    assert_int_equal(kiosk_orders(f), 1);

    /* Nothing left to send. */
    st = pass(f, due + 3600);
    assert_int_equal(st.sent + st.retried + st.refused, 0);
    assert_int_equal(kiosk_orders(f), 1);
}

static void resent_record_makes_one_order(void **state)
{
    Fixture *f = *state;
    char key[CENTRAL_IDEM_KEY_MAX + 1];
    int64_t id = put(f, f->variant, 1, T0, key);
    SenderStats st = pass(f, T0);
    assert_int_equal(st.sent, 1);
    assert_sent(f->results[0], key);
    assert_int_equal(kiosk_orders(f), 1);

    /* A crash after the service took it, before mark_sent reached the disk. */
    char sql[128];
    snprintf(sql, sizeof sql,
             "UPDATE outbox SET state = 'pending', order_id = NULL WHERE id = %lld", (long long)id);
    assert_int_equal(sqlite3_exec(store_db(f->s), sql, NULL, NULL, NULL), SQLITE_OK);
    st = pass(f, T0 + 60);
    assert_int_equal(st.sent, 1);
    assert_int_equal(f->result_count, 2);
    assert_sent(f->results[1], key);
    assert_string_equal(f->results[1]->u.order.id, f->results[0]->u.order.id);
    assert_string_equal(f->results[1]->u.order.number, f->results[0]->u.order.number);
    assert_int_equal(record(f, id).state, OUTBOX_SENT);
    assert_int_equal(kiosk_orders(f), 1);

    /* The service itself says it was a replay: the same record's request, sent directly. */
    OutboxItem it;
    CentralRequest *req = calloc(1, sizeof *req);
    CentralReply *rep = calloc(1, sizeof *rep);
    assert_non_null(req);
    assert_non_null(rep);
    assert_int_equal(outbox_get(f->ob, id, &it), KIOSK_OK);
    req->kind = CENTRAL_ORDER_PLACE;
    assert_int_equal(order_decode(it.payload, &req->u.order), KIOSK_OK);
    copy(req->u.order.idempotency_key, sizeof req->u.order.idempotency_key, it.idempotency_key);
    outbox_item_clear(&it);
    assert_int_equal(central_call(f->client, req, rep), KIOSK_OK);
    assert_int_equal(rep->result, CENTRAL_OK);
    assert_true(rep->payload.order.replayed);
    assert_string_equal(rep->payload.order.id, f->results[0]->u.order.id);

    /* The other way round: the service got an order directly (the sender's first try,
     * whose answer was lost), then the sender sends the record: still one order. */
    char key2[CENTRAL_IDEM_KEY_MAX + 1];
    int64_t id2 = put(f, f->variant, 2, T0 + 100, key2);
    assert_int_equal(outbox_get(f->ob, id2, &it), KIOSK_OK);
    memset(&req->u.order, 0, sizeof req->u.order);
    assert_int_equal(order_decode(it.payload, &req->u.order), KIOSK_OK);
    copy(req->u.order.idempotency_key, sizeof req->u.order.idempotency_key, key2);
    outbox_item_clear(&it);
    assert_int_equal(central_call(f->client, req, rep), KIOSK_OK);
    assert_int_equal(rep->result, CENTRAL_OK);
    assert_false(rep->payload.order.replayed);
    assert_int_equal(kiosk_orders(f), 2);
    st = pass(f, T0 + 100);
    assert_int_equal(st.sent, 1);
    assert_sent(f->results[2], key2);
    assert_string_equal(f->results[2]->u.order.id, rep->payload.order.id);
    assert_int_equal(kiosk_orders(f), 2);
    free(rep);
    free(req);
}

static void refusals_are_dead_lettered_and_reported(void **state)
{
    Fixture *f = *state;
    char k_unknown[CENTRAL_IDEM_KEY_MAX + 1], k_oos[CENTRAL_IDEM_KEY_MAX + 1],
        k_good[CENTRAL_IDEM_KEY_MAX + 1], scarce[CENTRAL_ID_MAX + 1];
    assert_true(find_variant(f, 0, 9, scarce)); /* fewer than 10 online */
    int64_t id_unknown = put(f, "V99999", 1, T0, k_unknown);
    int64_t id_oos = put(f, scarce, 10, T0, k_oos);
    int64_t id_good = put(f, f->variant, 1, T0, k_good);

    SenderStats st = pass(f, T0); /* refusals do not stop the pass */
    assert_int_equal(st.refused, 2);
    assert_int_equal(st.sent, 1);
    assert_int_equal(st.retried, 0);
    assert_int_equal(st.depth, 0);
    assert_int_equal(f->result_count, 3);

    assert_int_equal(f->results[0]->kind, RESULT_ORDER_REFUSED);
    assert_string_equal(f->results[0]->refusal, "unknown_variant");
    assert_string_equal(f->results[0]->u.order.idempotency_key, k_unknown);
    assert_int_equal(f->results[1]->kind, RESULT_ORDER_REFUSED);
    assert_string_equal(f->results[1]->refusal, "out_of_stock");
    assert_string_equal(f->results[1]->u.order.idempotency_key, k_oos);
    assert_sent(f->results[2], k_good);

    OutboxItem it = record(f, id_unknown);
    assert_int_equal(it.state, OUTBOX_DEAD);
    assert_string_equal(it.dead_reason, "unknown_variant");
    it = record(f, id_oos);
    assert_int_equal(it.state, OUTBOX_DEAD);
    assert_string_equal(it.dead_reason, "out_of_stock");
    assert_int_equal(record(f, id_good).state, OUTBOX_SENT);
    assert_int_equal(kiosk_orders(f), 1);

    /* Dead records are never sent again. */
    st = pass(f, T0 + 86400);
    assert_int_equal(st.sent + st.refused + st.retried, 0);
    assert_int_equal(f->result_count, 3);
}

static void tampered_record_is_unreadable_and_the_pass_goes_on(void **state)
{
    Fixture *f = *state;
    char k_bad[CENTRAL_IDEM_KEY_MAX + 1], k_good[CENTRAL_IDEM_KEY_MAX + 1];
    int64_t id_bad = put(f, f->variant, 1, T0, k_bad);
    int64_t id_good = put(f, f->variant, 1, T0, k_good);

    /* Flip one byte of the sealed payload on disk. */
    char sql[160];
    snprintf(sql, sizeof sql,
             "UPDATE outbox SET ciphertext = "
             "substr(ciphertext, 1, 4) || x'ff' || substr(ciphertext, 6) WHERE id = %lld",
             (long long)id_bad);
    assert_int_equal(sqlite3_exec(store_db(f->s), sql, NULL, NULL, NULL), SQLITE_OK);

    SenderStats st = pass(f, T0);
    assert_int_equal(st.unreadable, 1);
    assert_int_equal(st.refused, 0);
    assert_int_equal(st.sent, 1);
    assert_int_equal(f->result_count, 2);
    assert_int_equal(f->results[0]->kind, RESULT_ORDER_REFUSED);
    assert_string_equal(f->results[0]->refusal, OUTBOX_REASON_UNREADABLE);
    assert_string_equal(f->results[0]->u.order.idempotency_key, k_bad);
    assert_sent(f->results[1], k_good);
    OutboxItem it = record(f, id_bad);
    assert_int_equal(it.state, OUTBOX_DEAD);
    assert_string_equal(it.dead_reason, OUTBOX_REASON_UNREADABLE);
    assert_int_equal(record(f, id_good).state, OUTBOX_SENT);
    assert_int_equal(kiosk_orders(f), 1);
}

/* A record that decrypts but is not an order (a bug, or another firmware's format). */
static void record_that_is_not_an_order_is_dead_lettered(void **state)
{
    Fixture *f = *state;
    char k_good[CENTRAL_IDEM_KEY_MAX + 1];
    int64_t id_bad = 0;
    assert_int_equal(outbox_put(f->ob, "not-an-order", "{\"lines\":[]}", T0, &id_bad), KIOSK_OK);
    put(f, f->variant, 1, T0, k_good);
    SenderStats st = pass(f, T0);
    assert_int_equal(st.unreadable, 1);
    assert_int_equal(st.sent, 1);
    assert_string_equal(f->results[0]->refusal, SENDER_REASON_INVALID);
    assert_string_equal(f->results[0]->u.order.idempotency_key, "not-an-order");
    OutboxItem it = record(f, id_bad);
    assert_int_equal(it.state, OUTBOX_DEAD);
    assert_string_equal(it.dead_reason, SENDER_REASON_INVALID);
    assert_int_equal(kiosk_orders(f), 1);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(offline_then_sent_once, setup, teardown),
        cmocka_unit_test_setup_teardown(resent_record_makes_one_order, setup, teardown),
        cmocka_unit_test_setup_teardown(refusals_are_dead_lettered_and_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(tampered_record_is_unreadable_and_the_pass_goes_on, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(record_that_is_not_an_order_is_dead_lettered, setup,
                                        teardown),
    };
    TEST_FILTER(argc, argv, tests);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
