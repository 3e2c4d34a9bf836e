/* test_client_faults.c: the central client when the service is not well: nothing listening
 * (OFFLINE), a listener that never answers (TIMEOUT), and a real TLS server (libmicrohttpd,
 * client_harness.c) with crafted replies: 5xx (retried for idempotent requests only),
 * truncated, wrong-typed, oversize and deeply nested bodies, redirects. Also the config checks,
 * the bounded queue and teardown with work in flight. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "client_harness.h"

#define REPLY_TIMEOUT_MS 20000

typedef struct Fixture {
    CentralProc pki; /* the PKI only: no central here */
    FakeServer fake;
    Replies replies;
    CentralClient *client;
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    KioskErr err;
    if (!f)
        return -1;
    replies_init(&f->replies);
    *state = f;
    if (ch_pki(&f->pki) != 0 || ch_fake_start(&f->fake, &f->pki) != 0)
        return -1;
    CentralConfig cfg = ch_config(f->fake.base, f->pki.ca);
    cfg.max_attempts = 3;
    f->client = central_create(&cfg, ch_on_reply, &f->replies, &err);
    return f->client ? 0 : -1;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    central_destroy(f->client);
    ch_fake_stop(&f->fake);
    ch_central_stop(&f->pki); /* removes the folder */
    replies_deinit(&f->replies);
    free(f);
    return 0;
}

static const CentralReply *member(Fixture *f, const char *id)
{
    CentralRequest req = {.kind = CENTRAL_MEMBER};
    uint32_t rid = 0;
    snprintf(req.u.member.member, sizeof req.u.member.member, "%s", id);
    assert_int_equal(central_submit(f->client, &req, &rid), KIOSK_OK);
    const CentralReply *r = replies_wait(&f->replies, rid, REPLY_TIMEOUT_MS);
    assert_non_null(r);
    return r;
}

static void test_server_error_retried(void **state)
{
    Fixture *f = *state;
    const CentralReply *r = member(f, "M500");
    assert_int_equal(r->result, CENTRAL_SERVER);
    assert_int_equal(r->http_status, 500);
    assert_string_equal(r->error_code, "internal");
    assert_int_equal(r->attempts, 3);
    assert_int_equal(ch_fake_hits(&f->fake, "/v1/members/M500"), 3);

    /* one 503, then an answer: the caller sees only the answer */
    r = member(f, "Mflaky");
    assert_int_equal(r->result, CENTRAL_OK);
    assert_int_equal(r->attempts, 2);
    assert_string_equal(r->payload.member.display_name, "Ann");

    /* a 502 with an HTML body: SERVER, no code */
    r = member(f, "Mhtml");
    assert_int_equal(r->result, CENTRAL_SERVER);
    assert_string_equal(r->error_code, "");
}

static void test_post_not_retried(void **state)
{
    Fixture *f = *state;
    CentralRequest req = {.kind = CENTRAL_PAIRING_CREATE};
    uint32_t id = 0;
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_OK);
    const CentralReply *r = replies_wait(&f->replies, id, REPLY_TIMEOUT_MS);
    assert_non_null(r);
    assert_int_equal(r->result, CENTRAL_SERVER);
    assert_int_equal(r->attempts, 1);
    assert_int_equal(ch_fake_hits(&f->fake, "/v1/pairings"), 1);

    /* an order carries an Idempotency-Key: it is retried */
    CentralRequest o = {.kind = CENTRAL_ORDER_PLACE};
    snprintf(o.u.order.idempotency_key, sizeof o.u.order.idempotency_key, "k-1");
    snprintf(o.u.order.member, sizeof o.u.order.member, "M1");
    snprintf(o.u.order.shipping_option, sizeof o.u.order.shipping_option, "pickup");
    snprintf(o.u.order.items[0].variant, sizeof o.u.order.items[0].variant, "V1");
    o.u.order.items[0].qty = 1;
    o.u.order.item_count = 1;
    assert_int_equal(central_submit(f->client, &o, &id), KIOSK_OK);
    r = replies_wait(&f->replies, id, REPLY_TIMEOUT_MS);
    assert_non_null(r);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_int_equal(r->attempts, 2);
    assert_string_equal(r->payload.order.id, "O1");
    assert_int_equal(ch_fake_hits(&f->fake, "/v1/orders"), 2);
}

static void test_bad_bodies(void **state)
{
    Fixture *f = *state;
    static const char *const bad[] = {"Mtrunc", "Mtypes", "Mhuge", "Mstream",
                                      "Mdeep",  "Mnull",  "Mredir"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const CentralReply *r = member(f, bad[i]);
        if (r->result != CENTRAL_BAD_RESPONSE)
            fail_msg("%s: %s", bad[i], central_result_name(r->result));
        assert_int_equal(r->attempts, 1); /* a bad answer is not retried */
        assert_string_equal(r->payload.member.display_name, "");
    }
}

static void test_refused_with_code(void **state)
{
    Fixture *f = *state;
    const CentralReply *r = member(f, "Mgone");
    assert_int_equal(r->result, CENTRAL_REFUSED);
    assert_int_equal(r->http_status, 404);
    assert_string_equal(r->error_code, "member_not_found");
    /* unknown path on the server: a 404 with the generic code */
    CentralRequest req = {.kind = CENTRAL_STORES};
    uint32_t id = 0;
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_OK);
    r = replies_wait(&f->replies, id, REPLY_TIMEOUT_MS);
    assert_non_null(r);
    assert_int_equal(r->result, CENTRAL_REFUSED);
    assert_string_equal(r->error_code, "not_found");
}

static void test_offline(void **state)
{
    Fixture *f = *state;
    char base[64];
    KioskErr err;
    uint32_t id = 0;
    snprintf(base, sizeof base, "https://127.0.0.1:%u", ch_free_port());
    CentralConfig cfg = ch_config(base, f->pki.ca);
    cfg.max_attempts = 2;
    Replies replies;
    replies_init(&replies);
    CentralClient *c = central_create(&cfg, ch_on_reply, &replies, &err);
    assert_non_null(c);
    CentralRequest req = {.kind = CENTRAL_STORES};
    assert_int_equal(central_submit(c, &req, &id), KIOSK_OK);
    const CentralReply *r = replies_wait(&replies, id, REPLY_TIMEOUT_MS);
    assert_non_null(r);
    assert_int_equal(r->result, CENTRAL_OFFLINE);
    assert_int_equal(r->attempts, 2);
    assert_int_equal(r->http_status, 0);
    central_destroy(c);
    replies_deinit(&replies);
}

static void test_timeout(void **state)
{
    Fixture *f = *state;
    SilentListener s;
    char base[64];
    KioskErr err;
    uint32_t id = 0;
    assert_int_equal(ch_silent_start(&s), 0);
    snprintf(base, sizeof base, "https://127.0.0.1:%u", s.port);
    CentralConfig cfg = ch_config(base, f->pki.ca);
    cfg.connect_timeout_ms = 400;
    cfg.total_timeout_ms = 800;
    cfg.max_attempts = 2;
    Replies replies;
    replies_init(&replies);
    CentralClient *c = central_create(&cfg, ch_on_reply, &replies, &err);
    assert_non_null(c);
    CentralRequest req = {.kind = CENTRAL_STORES};
    long t0 = ch_now_ms();
    assert_int_equal(central_submit(c, &req, &id), KIOSK_OK);
    const CentralReply *r = replies_wait(&replies, id, REPLY_TIMEOUT_MS);
    assert_non_null(r);
    assert_int_equal(r->result, CENTRAL_TIMEOUT);
    assert_int_equal(r->attempts, 2);
    assert_true(ch_now_ms() - t0 < 5000);
    central_destroy(c);
    replies_deinit(&replies);
    ch_silent_stop(&s);
}

static void test_queue_bounded_and_destroy(void **state)
{
    Fixture *f = *state;
    SilentListener s;
    char base[64];
    KioskErr err;
    uint32_t id = 0;
    assert_int_equal(ch_silent_start(&s), 0);
    snprintf(base, sizeof base, "https://127.0.0.1:%u", s.port);
    CentralConfig cfg = ch_config(base, f->pki.ca);
    cfg.connect_timeout_ms = 10000;
    Replies replies;
    replies_init(&replies);
    CentralClient *c = central_create(&cfg, ch_on_reply, &replies, &err);
    assert_non_null(c);
    CentralRequest req = {.kind = CENTRAL_STORES};
    for (int i = 0; i < CENTRAL_QUEUE_MAX; i++)
        assert_int_equal(central_submit(c, &req, &id), KIOSK_OK);
    assert_int_equal(central_submit(c, &req, &id), KIOSK_E_FULL);
    usleep(200 * 1000); /* some are connecting, the rest wait for a transfer slot */
    long t0 = ch_now_ms();
    central_destroy(c);
    assert_true(ch_now_ms() - t0 < 2000);
    assert_int_equal(replies_count(&replies), CENTRAL_QUEUE_MAX);
    for (size_t i = 0; i < replies.count; i++)
        assert_int_equal(replies.items[i]->result, CENTRAL_CANCELLED);
    replies_deinit(&replies);
    ch_silent_stop(&s);
}

static void test_config_and_request_checks(void **state)
{
    Fixture *f = *state;
    KioskErr err = KIOSK_OK;
    Replies replies;
    replies_init(&replies);
    CentralConfig cfg = ch_config("http://127.0.0.1:1", f->pki.ca);
    assert_null(central_create(&cfg, ch_on_reply, &replies, &err));
    assert_int_equal(err, KIOSK_E_CONFIG);
    cfg = ch_config(f->fake.base, NULL);
    assert_null(central_create(&cfg, ch_on_reply, &replies, &err));
    assert_int_equal(err, KIOSK_E_CONFIG);
    cfg = ch_config(f->fake.base, f->pki.ca);
    cfg.client_cert = f->pki.ca; /* a certificate without its key */
    assert_null(central_create(&cfg, ch_on_reply, &replies, &err));
    assert_int_equal(err, KIOSK_E_CONFIG);
    cfg = ch_config("https://127.0.0.1:1/v1?x=1", f->pki.ca);
    assert_null(central_create(&cfg, ch_on_reply, &replies, &err));
    central_destroy(NULL);

    uint32_t id = 99;
    CentralRequest req = {.kind = CENTRAL_MEMBER};
    snprintf(req.u.member.member, sizeof req.u.member.member, "../stores");
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);
    assert_int_equal(id, 0);
    snprintf(req.u.member.member, sizeof req.u.member.member, "M1?x=y");
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);
    req.kind = CENTRAL_PAIRING_POLL;
    snprintf(req.u.pairing_poll.id, sizeof req.u.pairing_poll.id, "pr_1");
    req.u.pairing_poll.wait_s = CENTRAL_POLL_WAIT_MAX + 1;
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);
    memset(&req, 0, sizeof req);
    req.kind = CENTRAL_ORDER_PLACE; /* no key, no items */
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);
    req.kind = CENTRAL_CATALOG; /* a cursor is printable without spaces */
    snprintf(req.u.catalog.cursor, sizeof req.u.catalog.cursor, "a b");
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);
    req.kind = (CentralKind)99;
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);
    memset(&req, 'x', sizeof req); /* strings without a terminator */
    req.kind = CENTRAL_IDENTIFY;
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);
    assert_int_equal(central_cancel(f->client, 12345), KIOSK_E_NOTFOUND);
    replies_deinit(&replies);
}

static const CentralReply *image(Fixture *f, const char *path)
{
    CentralRequest req = {.kind = CENTRAL_IMAGE};
    uint32_t rid = 0;
    snprintf(req.u.image.path, sizeof req.u.image.path, "%s", path);
    assert_int_equal(central_submit(f->client, &req, &rid), KIOSK_OK);
    const CentralReply *r = replies_wait(&f->replies, rid, REPLY_TIMEOUT_MS);
    assert_non_null(r);
    return r;
}

/* Pictures: image/png only, at most CENTRAL_IMAGE_MAX, and the bytes outlive the callback
 * only in a copy. */
static void test_image_faults(void **state)
{
    Fixture *f = *state;
    const CentralReply *r = image(f, "/v1/images/Vtiny.png");
    assert_int_equal(r->result, CENTRAL_OK);
    assert_int_equal(r->payload.blob.len, 16);
    assert_memory_equal(r->payload.blob.data, "\x89PNG\r\n\x1a\n", 8);
    assert_string_equal(r->payload.blob.content_type, "image/png");

    r = image(f, "/v1/images/Vjson.png"); /* a JSON body where a picture should be */
    assert_int_equal(r->result, CENTRAL_BAD_RESPONSE);
    assert_null(r->payload.blob.data);
    r = image(f, "/v1/images/Vhuge.png"); /* over the image limit, under the JSON one */
    assert_int_equal(r->result, CENTRAL_BAD_RESPONSE);
    assert_int_equal(r->attempts, 1);
    assert_null(r->payload.blob.data);

    /* the synchronous form hands back a copy the caller frees */
    CentralReply *out = calloc(1, sizeof *out);
    assert_non_null(out);
    CentralRequest req = {.kind = CENTRAL_IMAGE};
    snprintf(req.u.image.path, sizeof req.u.image.path, "/v1/images/Vtiny.png");
    assert_int_equal(central_call(f->client, &req, out), KIOSK_OK);
    assert_int_equal(out->result, CENTRAL_OK);
    assert_int_equal(out->kind, CENTRAL_IMAGE);
    assert_int_equal(out->payload.blob.len, 16);
    assert_memory_equal(out->payload.blob.data, "\x89PNG\r\n\x1a\n", 8);
    central_reply_clear(out);
    assert_null(out->payload.blob.data);
    central_reply_clear(out); /* twice is harmless */
    free(out);
}

static void test_handoff_not_retried(void **state)
{
    Fixture *f = *state;
    CentralRequest req = {.kind = CENTRAL_HANDOFF};
    uint32_t id = 0;
    snprintf(req.u.handoff.product, sizeof req.u.handoff.product, "P0001");
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_OK);
    const CentralReply *r = replies_wait(&f->replies, id, REPLY_TIMEOUT_MS);
    assert_non_null(r);
    assert_int_equal(r->result, CENTRAL_SERVER);
    assert_int_equal(r->attempts, 1);
    assert_int_equal(ch_fake_hits(&f->fake, "/v1/handoffs"), 1);
}

/* central_call from the worker thread (inside a reply callback) would wait for itself. */
typedef struct Reentry {
    CentralClient *client;
    CentralReply *out;
    atomic_int err;
    atomic_bool done;
} Reentry;

static void reenter(const CentralReply *reply, void *ctx)
{
    Reentry *re = ctx;
    CentralRequest req = {.kind = CENTRAL_STORES};
    (void)reply;
    atomic_store(&re->err, (int)central_call(re->client, &req, re->out));
    atomic_store(&re->done, true);
}

static void test_call_on_worker_refused(void **state)
{
    Fixture *f = *state;
    KioskErr err;
    Reentry re = {.out = calloc(1, sizeof(CentralReply))};
    uint32_t id = 0;
    assert_non_null(re.out);
    atomic_init(&re.err, -1);
    atomic_init(&re.done, false);
    CentralConfig cfg = ch_config(f->fake.base, f->pki.ca);
    re.client = central_create(&cfg, reenter, &re, &err);
    assert_non_null(re.client);
    CentralRequest req = {.kind = CENTRAL_IMAGE};
    snprintf(req.u.image.path, sizeof req.u.image.path, "/v1/images/Vtiny.png");
    assert_int_equal(central_submit(re.client, &req, &id), KIOSK_OK);
    for (int i = 0; i < 2000 && !atomic_load(&re.done); i++)
        usleep(10 * 1000);
    assert_true(atomic_load(&re.done));
    assert_int_equal(atomic_load(&re.err), KIOSK_E_STATE);
    central_destroy(re.client);
    free(re.out);
}

typedef struct Caller {
    CentralClient *client;
    CentralRequest req;
    CentralReply *out;
    KioskErr err;
    atomic_bool entered;
} Caller;

static void *caller_thread(void *arg)
{
    Caller *c = arg;
    atomic_store(&c->entered, true);
    c->err = central_call(c->client, &c->req, c->out);
    return NULL;
}

/* A central_call stuck on a service that never answers is released by central_destroy. */
static void test_call_cancelled_on_destroy(void **state)
{
    Fixture *f = *state;
    SilentListener s;
    char base[64];
    KioskErr err;
    pthread_t t;
    Caller call = {.req = {.kind = CENTRAL_STORES}, .out = calloc(1, sizeof(CentralReply))};
    assert_non_null(call.out);
    atomic_init(&call.entered, false);
    assert_int_equal(ch_silent_start(&s), 0);
    snprintf(base, sizeof base, "https://127.0.0.1:%u", s.port);
    CentralConfig cfg = ch_config(base, f->pki.ca);
    cfg.connect_timeout_ms = 10000;
    cfg.total_timeout_ms = 30000;
    call.client = central_create(&cfg, ch_on_reply, &f->replies, &err);
    assert_non_null(call.client);
    assert_int_equal(pthread_create(&t, NULL, caller_thread, &call), 0);
    while (!atomic_load(&call.entered))
        usleep(1000);
    usleep(300 * 1000); /* submitted, and hanging on the silent listener */
    long t0 = ch_now_ms();
    central_destroy(call.client);
    pthread_join(t, NULL);
    assert_true(ch_now_ms() - t0 < 2000);
    assert_int_equal(call.err, KIOSK_OK);
    assert_int_equal(call.out->result, CENTRAL_CANCELLED);
    assert_int_equal(call.out->kind, CENTRAL_STORES);
    assert_int_equal(replies_count(&f->replies), 0); /* it went to the caller, not on_reply */
    free(call.out);
    ch_silent_stop(&s);
}

static void test_new_request_checks(void **state)
{
    Fixture *f = *state;
    uint32_t id = 0;
    CentralReply *out = calloc(1, sizeof *out);
    assert_non_null(out);
    static const char *const bad_paths[] = {
        "",
        "/v1/images/",
        "/v1/images/../stores",
        "/v1/images/a/b.png",
        "/v1/images/a.png?x=1",
        "/v1/images/a%2F.png",
        "/v1/images/a b.png",
        "/v1/stores",
        "v1/images/a.png",
        "https://evil.example/v1/images/a.png",
        "/v1/images/..png",
    };
    for (size_t i = 0; i < sizeof bad_paths / sizeof bad_paths[0]; i++) {
        CentralRequest req = {.kind = CENTRAL_IMAGE};
        snprintf(req.u.image.path, sizeof req.u.image.path, "%s", bad_paths[i]);
        if (central_submit(f->client, &req, &id) != KIOSK_E_INVALID)
            fail_msg("image path accepted: %s", bad_paths[i]);
    }
    CentralRequest req = {.kind = CENTRAL_SHIPPING};
    req.u.shipping.subtotal_cents = -2;
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);
    req.u.shipping.subtotal_cents = CENTRAL_SUBTOTAL_MAX + 1;
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);
    req.u.shipping.subtotal_cents = -1;
    snprintf(req.u.shipping.member, sizeof req.u.shipping.member, "M1&store=x");
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);

    memset(&req, 0, sizeof req);
    req.kind = CENTRAL_STOCK_DELTA;
    req.u.stock_delta.near = CENTRAL_STOCK_NEAR_MAX + 1;
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);
    req.u.stock_delta.near = -1;
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);
    req.u.stock_delta.near = 0;
    req.u.stock_delta.limit = CENTRAL_STOCK_DELTA_MAX + 1;
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);
    req.u.stock_delta.limit = -1;
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);
    req.u.stock_delta.limit = 0;
    snprintf(req.u.stock_delta.cursor, sizeof req.u.stock_delta.cursor, "a b");
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);

    memset(&req, 0, sizeof req);
    req.kind = CENTRAL_HANDOFF;
    req.u.handoff.item_count = CENTRAL_ORDER_ITEMS_MAX + 1;
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);
    req.u.handoff.item_count = 1;
    snprintf(req.u.handoff.items[0].variant, sizeof req.u.handoff.items[0].variant, "V1");
    req.u.handoff.items[0].qty = 11;
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);
    req.u.handoff.items[0].qty = 1;
    snprintf(req.u.handoff.variant, sizeof req.u.handoff.variant, "V1/x");
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);

    memset(&req, 0, sizeof req);
    req.kind = CENTRAL_PRODUCT; /* no id */
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);
    snprintf(req.u.product.id, sizeof req.u.product.id, "P1/stock");
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);
    /* the synchronous form checks the same way, and submits nothing */
    assert_int_equal(central_call(f->client, &req, out), KIOSK_E_INVALID);
    assert_int_equal(central_call(NULL, &req, out), KIOSK_E_INVALID);
    assert_int_equal(replies_count(&f->replies), 0);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_server_error_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_not_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_with_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_offline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_bounded_and_destroy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_and_request_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_image_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_handoff_not_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_call_on_worker_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_call_cancelled_on_destroy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_request_checks, setup, teardown),
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
