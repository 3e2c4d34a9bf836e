/* test_client_contract.c: the firmware's central client (firmware/central.c) against the real
 * tools/central over real HTTPS: each test gets its own service (--seed demo) on a free
 * 127.0.0.1 port with a PKI made for it, and exercises request kinds end to end. */
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
    CentralProc cp;
    Replies replies;
    CentralClient *client;
    char member[CENTRAL_ID_MAX + 1];
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    KioskErr err;
    if (!f)
        return -1;
    replies_init(&f->replies);
    *state = f;
    if (ch_central_start(&f->cp) != 0 || ch_demo_member(&f->cp, 0, f->member, sizeof f->member))
        return -1;
    CentralConfig cfg = ch_config(f->cp.base, f->cp.ca);
    f->client = central_create(&cfg, ch_on_reply, &f->replies, &err);
    return f->client ? 0 : -1;
}

/* The same with a service in mutual-TLS mode (--client-ca). */
static int setup_mtls(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    replies_init(&f->replies);
    *state = f;
    return ch_central_start_mtls(&f->cp);
}

static int teardown(void **state)
{
    Fixture *f = *state;
    central_destroy(f->client);
    ch_central_stop(&f->cp);
    replies_deinit(&f->replies);
    free(f);
    return 0;
}

/* Submits req and waits for its reply. */
static const CentralReply *call(Fixture *f, const CentralRequest *req)
{
    uint32_t id = 0;
    assert_int_equal(central_submit(f->client, req, &id), KIOSK_OK);
    assert_int_not_equal(id, 0);
    const CentralReply *r = replies_wait(&f->replies, id, REPLY_TIMEOUT_MS);
    assert_non_null(r);
    assert_int_equal(r->id, id);
    assert_int_equal(r->kind, req->kind);
    return r;
}

static void copy(char *dst, size_t size, const char *src)
{
    int n = snprintf(dst, size, "%s", src);
    assert_true(n >= 0 && (size_t)n < size);
}

static void test_stores(void **state)
{
    Fixture *f = *state;
    CentralRequest req = {.kind = CENTRAL_STORES};
    const CentralReply *r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_int_equal(r->http_status, 200);
    const CentralStores *s = &r->payload.stores;
    assert_true(s->count >= 14);
    bool online = false, ballard = false;
    for (size_t i = 0; i < s->count; i++) {
        online |=
            strcmp(s->stores[i].id, "online") == 0 && strcmp(s->stores[i].kind, "online") == 0;
        if (strcmp(s->stores[i].id, "sea-ballard") == 0) {
            ballard = true;
            assert_true(s->stores[i].lat > 47.0 && s->stores[i].lat < 48.0);
            assert_true(s->stores[i].lon < -122.0 && s->stores[i].lon > -123.0);
            assert_string_equal(s->stores[i].city, "Seattle");
        }
    }
    assert_true(online);
    assert_true(ballard);
}

static void test_identify(void **state)
{
    Fixture *f = *state;
    CentralRequest req = {.kind = CENTRAL_IDENTIFY};
    /* a scanned (unbound) token */
    assert_int_equal(
        ch_mint(&f->cp, f->member, "", req.u.identify.token, sizeof req.u.identify.token), 0);
    const CentralReply *r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_string_equal(r->payload.member.id, f->member);
    assert_true(r->payload.member.display_name[0] != '\0');
    assert_true(r->payload.member.has_token_info);
    assert_false(r->payload.member.token_bound_to_tag);

    /* a card's token with its tag UID */
    memset(&req, 0, sizeof req);
    req.kind = CENTRAL_IDENTIFY;
    copy(req.u.identify.uid_hex, sizeof req.u.identify.uid_hex, "04a1b2c3d4e580");
    assert_int_equal(ch_mint(&f->cp, f->member, "04a1b2c3d4e580", req.u.identify.token,
                             sizeof req.u.identify.token),
                     0);
    r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_true(r->payload.member.token_bound_to_tag);

    /* the same card token shown without its tag: refused with the service's code */
    req.u.identify.uid_hex[0] = '\0';
    r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_REFUSED);
    assert_int_equal(r->http_status, 401);
    assert_string_equal(r->error_code, "token_wrong_uid");
    assert_int_equal(r->attempts, 1);

    /* not a token */
    copy(req.u.identify.token, sizeof req.u.identify.token, "hello");
    r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_REFUSED);
    assert_string_equal(r->error_code, "token_malformed");
}

static void test_member_profile(void **state)
{
    Fixture *f = *state;
    CentralRequest req = {.kind = CENTRAL_MEMBER};
    copy(req.u.member.member, sizeof req.u.member.member, f->member);
    const CentralReply *r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    const CentralMember *m = &r->payload.member;
    assert_string_equal(m->id, f->member);
    assert_true(m->display_name[0]);
    assert_true(strstr(m->name_masked, m->display_name) == m->name_masked);
    assert_true(strlen(m->language) == 2);
    assert_true(m->tier[0]);
    assert_true(m->address_count >= 1);
    assert_true(m->addresses[0].masked[0]);
    assert_true(m->has_last_order);
    assert_true(m->last_order.first_item[0]);
    assert_true(m->last_order.channel[0]);
    assert_false(m->has_token_info);

    copy(req.u.member.member, sizeof req.u.member.member, "M99999");
    r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_REFUSED);
    assert_int_equal(r->http_status, 404);
    assert_string_equal(r->error_code, "member_not_found");
    assert_int_equal(r->attempts, 1); /* a 4xx is an answer, not a failure to retry */
}

static void test_recommendations_and_offers(void **state)
{
    Fixture *f = *state;
    CentralRequest req = {.kind = CENTRAL_RECOMMENDATIONS};
    copy(req.u.member.member, sizeof req.u.member.member, f->member);
    const CentralReply *r = call(f, &req); /* store from the config */
    assert_int_equal(r->result, CENTRAL_OK);
    assert_true(r->payload.recs.count > 0);
    assert_string_equal(r->payload.recs.store, "sea-ballard");
    for (size_t i = 0; i < r->payload.recs.count; i++) {
        assert_true(r->payload.recs.items[i].reason[0]);
        assert_true(central_is_id(r->payload.recs.items[i].product_id));
    }
    req.kind = CENTRAL_OFFERS;
    r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_string_equal(r->payload.offers.member, f->member);
    for (size_t i = 0; i < r->payload.offers.count; i++)
        assert_true(r->payload.offers.items[i].title[0]);
}

static void test_stock(void **state)
{
    Fixture *f = *state;
    CentralRequest req = {.kind = CENTRAL_STOCK};
    copy(req.u.stock.product, sizeof req.u.stock.product, "P0001");
    const CentralReply *r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    const CentralStock *s = &r->payload.stock;
    assert_string_equal(s->product_id, "P0001");
    assert_true(s->location_count >= 2);
    assert_string_equal(s->locations[0].store, "sea-ballard");
    assert_true(s->locations[0].variant_count > 0);
    const CentralStockLocation *last = &s->locations[s->location_count - 1];
    assert_string_equal(last->kind, "online");
    assert_true(last->has_delivery);
    for (size_t i = 1; i < s->location_count; i++)
        assert_true(s->locations[i].distance_km >= s->locations[i - 1].distance_km ||
                    strcmp(s->locations[i].kind, "online") == 0);

    copy(req.u.stock.product, sizeof req.u.stock.product, "P9999");
    r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_REFUSED);
    assert_string_equal(r->error_code, "product_not_found");
}

static void test_pairing_long_poll(void **state)
{
    Fixture *f = *state;
    CentralRequest req = {.kind = CENTRAL_PAIRING_CREATE};
    const CentralReply *r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    CentralPairing p = r->payload.pairing;
    assert_int_equal(p.status, CENTRAL_PAIRING_PENDING);
    assert_int_equal(strlen(p.code), 8);
    assert_non_null(strstr(p.qr_text, p.code));

    /* a short poll: still pending */
    CentralRequest poll = {.kind = CENTRAL_PAIRING_POLL};
    copy(poll.u.pairing_poll.id, sizeof poll.u.pairing_poll.id, p.id);
    r = call(f, &poll);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_int_equal(r->payload.pairing.status, CENTRAL_PAIRING_PENDING);

    /* a long poll does not hold up other requests */
    uint32_t poll_id = 0, stores_id = 0;
    poll.u.pairing_poll.wait_s = 20;
    long t0 = ch_now_ms();
    assert_int_equal(central_submit(f->client, &poll, &poll_id), KIOSK_OK);
    usleep(200 * 1000);
    CentralRequest stores = {.kind = CENTRAL_STORES};
    assert_int_equal(central_submit(f->client, &stores, &stores_id), KIOSK_OK);
    r = replies_wait(&f->replies, stores_id, REPLY_TIMEOUT_MS);
    assert_non_null(r);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_true(ch_now_ms() - t0 < 5000);
    assert_null(replies_wait(&f->replies, poll_id, 0)); /* still waiting */

    /* the shopper's app claims the code: the poll returns with the member */
    char path[128], body[128];
    snprintf(path, sizeof path, "/v1/pairings/%s/claim", p.code);
    snprintf(body, sizeof body, "{\"member\":\"%s\"}", f->member);
    assert_int_equal(ch_call(&f->cp, "POST", path, body, NULL), 200);
    r = replies_wait(&f->replies, poll_id, REPLY_TIMEOUT_MS);
    assert_non_null(r);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_int_equal(r->payload.pairing.status, CENTRAL_PAIRING_CLAIMED);
    assert_string_equal(r->payload.pairing.member, f->member);
    assert_true(ch_now_ms() - t0 < 15000);
}

/* A variant of P0001 that the online warehouse holds, and the member's first address. */
static void order_inputs(Fixture *f, char *variant, char *address)
{
    CentralRequest req = {.kind = CENTRAL_STOCK};
    copy(req.u.stock.product, sizeof req.u.stock.product, "P0001");
    const CentralReply *r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    const CentralStockLocation *online =
        &r->payload.stock.locations[r->payload.stock.location_count - 1];
    variant[0] = '\0';
    for (size_t i = 0; i < online->variant_count && !variant[0]; i++) {
        if (online->variants[i].qty >= 2)
            copy(variant, CENTRAL_ID_MAX + 1, online->variants[i].variant);
    }
    assert_true(variant[0]);
    memset(&req, 0, sizeof req);
    req.kind = CENTRAL_MEMBER;
    copy(req.u.member.member, sizeof req.u.member.member, f->member);
    r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    copy(address, CENTRAL_ID_MAX + 1, r->payload.member.addresses[0].id);
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

static void test_order_idempotent(void **state)
{
    Fixture *f = *state;
    char variant[CENTRAL_ID_MAX + 1], address[CENTRAL_ID_MAX + 1];
    order_inputs(f, variant, address);
    assert_int_equal(kiosk_orders(f), 0);

    CentralRequest req = {.kind = CENTRAL_ORDER_PLACE};
    copy(req.u.order.idempotency_key, sizeof req.u.order.idempotency_key,
         "5b0e7c1e-7a55-4f5e-9d3c-2f6a1b0c9d11");
    copy(req.u.order.member, sizeof req.u.order.member, f->member);
    copy(req.u.order.shipping_option, sizeof req.u.order.shipping_option, "standard");
    copy(req.u.order.address_id, sizeof req.u.order.address_id, address);
    copy(req.u.order.items[0].variant, sizeof req.u.order.items[0].variant, variant);
    req.u.order.items[0].qty = 1;
    req.u.order.item_count = 1;

    const CentralReply *r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_int_equal(r->http_status, 201);
    CentralOrder first = r->payload.order;
    assert_false(first.replayed);
    assert_string_equal(first.member, f->member);
    assert_string_equal(first.channel, "kiosk");
    assert_string_equal(first.store, "sea-ballard");
    assert_int_equal(first.item_count, 1);
    assert_string_equal(first.items[0].variant, variant);
    assert_int_equal(first.total_cents, first.subtotal_cents - first.discount_cents +
                                            first.shipping_cents + first.tax_cents);

    /* the same order sent again (a retry after a lost reply): the same order, replayed */
    r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_int_equal(r->http_status, 200);
    assert_true(r->payload.order.replayed);
    assert_string_equal(r->payload.order.id, first.id);

    /* two at once: still one order */
    uint32_t a = 0, b = 0;
    assert_int_equal(central_submit(f->client, &req, &a), KIOSK_OK);
    assert_int_equal(central_submit(f->client, &req, &b), KIOSK_OK);
    const CentralReply *ra = replies_wait(&f->replies, a, REPLY_TIMEOUT_MS);
    const CentralReply *rb = replies_wait(&f->replies, b, REPLY_TIMEOUT_MS);
    assert_non_null(ra);
    assert_non_null(rb);
    assert_int_equal(ra->result, CENTRAL_OK);
    assert_int_equal(rb->result, CENTRAL_OK);
    assert_string_equal(ra->payload.order.id, first.id);
    assert_string_equal(rb->payload.order.id, first.id);

    /* the service holds exactly one kiosk order for this member */
    assert_int_equal(kiosk_orders(f), 1);

    /* and reports its status */
    CentralRequest st = {.kind = CENTRAL_ORDER_STATUS};
    copy(st.u.order_status.id, sizeof st.u.order_status.id, first.id);
    r = call(f, &st);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_string_equal(r->payload.order.id, first.id);
    assert_string_equal(r->payload.order.number, first.number);
    assert_string_equal(r->payload.order.status, "confirmed");

    /* the same key for another body is refused, and creates nothing */
    req.u.order.items[0].qty = 2;
    r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_REFUSED);
    assert_string_equal(r->error_code, "idempotency_key_reused");
    assert_int_equal(kiosk_orders(f), 1);
}

/* Enrolls a device the real way (an operator's code, the device's own key and CSR,
 * CENTRAL_ENROLL) and checks what it became. */
static void enroll(Fixture *f, const char *kind, const char *serial, ChDevice *dev)
{
    assert_int_equal(ch_enroll(&f->cp, "sea-ballard", kind, serial, dev), 0);
    assert_true(central_is_id(dev->device_id));
    assert_string_equal(dev->store, "sea-ballard");
    assert_string_equal(dev->kind, kind);
    assert_int_equal(device_id_state(dev->id), DEVICE_ID_ENROLLED);
    assert_string_equal(device_id_id(dev->id), dev->device_id);
    assert_non_null(dev->cert);
    assert_non_null(dev->key);
}

static void test_fitting_and_heartbeat(void **state)
{
    Fixture *f = *state;
    KioskErr err;
    ChDevice dev;
    enroll(f, "mirror", "SN-CLIENT", &dev);
    char device[CENTRAL_ID_MAX + 1];
    copy(device, sizeof device, dev.device_id);

    /* a client that knows its device id and presents its certificate */
    Replies replies;
    replies_init(&replies);
    CentralConfig cfg = ch_config(f->cp.base, f->cp.ca);
    cfg.device_id = device;
    cfg.client_cert = dev.cert;
    cfg.client_key = dev.key;
    CentralClient *c = central_create(&cfg, ch_on_reply, &replies, &err);
    assert_non_null(c);

    uint32_t id = 0;
    CentralRequest hb = {.kind = CENTRAL_HEARTBEAT};
    copy(hb.u.heartbeat.version, sizeof hb.u.heartbeat.version, "0.1.0");
    copy(hb.u.heartbeat.screen, sizeof hb.u.heartbeat.screen, "attract");
    hb.u.heartbeat.uptime_seconds = 42;
    hb.u.heartbeat.online = true;
    assert_int_equal(central_submit(c, &hb, &id), KIOSK_OK);
    const CentralReply *r = replies_wait(&replies, id, REPLY_TIMEOUT_MS);
    assert_non_null(r);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_string_equal(r->payload.heartbeat.device_id, device);
    assert_true(r->payload.heartbeat.next_heartbeat_seconds > 0);

    CentralRequest fr = {.kind = CENTRAL_FITTING_REQUEST};
    copy(fr.u.fitting.room, sizeof fr.u.fitting.room, "Room 2");
    copy(fr.u.fitting.variant, sizeof fr.u.fitting.variant, "V00003");
    copy(fr.u.fitting.note, sizeof fr.u.fitting.note, "the next size up");
    assert_int_equal(central_submit(c, &fr, &id), KIOSK_OK);
    r = replies_wait(&replies, id, REPLY_TIMEOUT_MS);
    assert_non_null(r);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_string_equal(r->payload.fitting.status, "requested");
    assert_string_equal(r->payload.fitting.room, "Room 2");
    assert_string_equal(r->payload.fitting.variant, "V00003");

    central_destroy(c);
    replies_deinit(&replies);
    ch_device_close(&dev);

    /* without a device id a heartbeat cannot be asked for */
    assert_int_equal(central_submit(f->client, &hb, &id), KIOSK_E_INVALID);
}

static void test_wrong_ca(void **state)
{
    Fixture *f = *state;
    Replies replies;
    KioskErr err;
    uint32_t id = 0;
    replies_init(&replies);
    CentralConfig cfg = ch_config(f->cp.base, f->cp.other_ca);
    CentralClient *c = central_create(&cfg, ch_on_reply, &replies, &err);
    assert_non_null(c);
    CentralRequest req = {.kind = CENTRAL_STORES};
    assert_int_equal(central_submit(c, &req, &id), KIOSK_OK);
    const CentralReply *r = replies_wait(&replies, id, REPLY_TIMEOUT_MS);
    assert_non_null(r);
    assert_int_equal(r->result, CENTRAL_TLS);
    assert_int_equal(r->attempts, 1); /* a certificate problem is not retried */
    assert_int_equal(r->http_status, 0);
    central_destroy(c);
    replies_deinit(&replies);
}

static void test_cancel_and_destroy_long_poll(void **state)
{
    Fixture *f = *state;
    CentralRequest req = {.kind = CENTRAL_PAIRING_CREATE};
    const CentralReply *r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    CentralRequest poll = {.kind = CENTRAL_PAIRING_POLL};
    copy(poll.u.pairing_poll.id, sizeof poll.u.pairing_poll.id, r->payload.pairing.id);
    poll.u.pairing_poll.wait_s = 30;

    /* central_cancel ends one long poll at once */
    uint32_t a = 0, b = 0;
    assert_int_equal(central_submit(f->client, &poll, &a), KIOSK_OK);
    usleep(300 * 1000);
    long t0 = ch_now_ms();
    assert_int_equal(central_cancel(f->client, a), KIOSK_OK);
    r = replies_wait(&f->replies, a, REPLY_TIMEOUT_MS);
    assert_non_null(r);
    assert_int_equal(r->result, CENTRAL_CANCELLED);
    assert_true(ch_now_ms() - t0 < 2000);
    assert_int_equal(central_cancel(f->client, a), KIOSK_E_NOTFOUND);

    /* central_destroy with a long poll in flight: prompt, and the poll is told */
    assert_int_equal(central_submit(f->client, &poll, &b), KIOSK_OK);
    usleep(300 * 1000);
    t0 = ch_now_ms();
    central_destroy(f->client);
    f->client = NULL;
    assert_true(ch_now_ms() - t0 < 2000);
    r = replies_wait(&f->replies, b, 0);
    assert_non_null(r);
    assert_int_equal(r->result, CENTRAL_CANCELLED);
}

/* A full catalog sync page by page, then an empty delta from the last cursor. */
static void test_catalog_sync(void **state)
{
    Fixture *f = *state;
    CentralRequest req = {.kind = CENTRAL_CATALOG};
    size_t products = 0, variants = 0, pages = 0;
    bool more = true, p0001 = false;
    while (more) {
        const CentralReply *r = call(f, &req);
        assert_int_equal(r->result, CENTRAL_OK);
        const CentralCatalogPage *p = &r->payload.catalog;
        assert_true(p->count <= CENTRAL_CATALOG_PAGE_MAX);
        for (size_t i = 0; i < p->count; i++) {
            assert_false(p->products[i].variants_truncated);
            assert_true(p->products[i].variant_count > 0);
            assert_true(strlen(p->products[i].variants[0].gtin) >= 8);
            variants += p->products[i].variant_count;
            p0001 |= strcmp(p->products[i].id, "P0001") == 0;
        }
        products += p->count;
        more = p->has_more;
        copy(req.u.catalog.cursor, sizeof req.u.catalog.cursor, p->next_cursor);
        assert_true(++pages < 1000);
    }
    assert_true(products >= 500);
    assert_true(variants >= 5000);
    assert_true(p0001);

    const CentralReply *r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_int_equal(r->payload.catalog.count, 0);
    assert_false(r->payload.catalog.has_more);

    copy(req.u.catalog.cursor, sizeof req.u.catalog.cursor, "not-a-cursor");
    r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_REFUSED);
    assert_string_equal(r->error_code, "invalid_cursor");
}

/* With --client-ca, a heartbeat needs the device's own certificate, the one its enrollment
 * got: the client presents it when configured. Without a certificate, with the operator's
 * (not a device's) or with one from an unrelated CA the heartbeat is refused, with the
 * service's code when the refusal is an HTTP answer. */
static void test_mutual_tls(void **state)
{
    Fixture *f = *state;
    const CentralProc *cp = &f->cp;
    KioskErr err;
    uint32_t id = 0;
    ChDevice dev;
    enroll(f, "kiosk", "SN-MTLS", &dev);

    enum { NONE, OPERATOR, OTHER_CA, ENROLLED, CASES };
    const struct {
        const char *cert, *key;
    } as[CASES] = {
        [NONE] = {NULL, NULL},
        [OPERATOR] = {cp->operator_cert, cp->operator_key},
        [OTHER_CA] = {cp->other_cert, cp->other_key},
        [ENROLLED] = {dev.cert, dev.key},
    };
    CentralRequest hb = {.kind = CENTRAL_HEARTBEAT};
    hb.u.heartbeat.online = true;
    for (int i = 0; i < CASES; i++) {
        Replies replies;
        replies_init(&replies);
        CentralConfig cfg = ch_config(cp->base, cp->ca);
        cfg.device_id = dev.device_id;
        cfg.client_cert = as[i].cert;
        cfg.client_key = as[i].key;
        CentralClient *c = central_create(&cfg, ch_on_reply, &replies, &err);
        assert_non_null(c);
        assert_int_equal(central_submit(c, &hb, &id), KIOSK_OK);
        const CentralReply *r = replies_wait(&replies, id, REPLY_TIMEOUT_MS);
        assert_non_null(r);
        switch (i) {
        case NONE:
            assert_int_equal(r->result, CENTRAL_REFUSED);
            assert_int_equal(r->http_status, 401);
            assert_string_equal(r->error_code, "client_certificate_required");
            break;
        case OPERATOR: /* trusted, but no device's: it names no enrolled device */
            assert_int_equal(r->result, CENTRAL_REFUSED);
            assert_int_equal(r->http_status, 401);
            assert_string_equal(r->error_code, "device_unknown");
            break;
        case OTHER_CA: /* the handshake fails, or the service finds no certificate it trusts */
            if (r->result != CENTRAL_TLS) {
                assert_int_equal(r->result, CENTRAL_REFUSED);
                assert_int_equal(r->http_status, 401);
                assert_string_equal(r->error_code, "client_certificate_required");
            }
            break;
        case ENROLLED:
            assert_int_equal(r->result, CENTRAL_OK);
            assert_string_equal(r->payload.heartbeat.device_id, dev.device_id);
            break;
        }
        central_destroy(c);
        replies_deinit(&replies);
    }
    ch_device_close(&dev);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

/* CENTRAL_SCREENSHOT: the file's bytes go up as image/png with the device's certificate;
 * a file that is not there or too large never leaves; the service refuses what is no PNG. */
static void test_screenshot_upload(void **state)
{
    Fixture *f = *state;
    const CentralProc *cp = &f->cp;
    static const unsigned char png[] =
        "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x02\x00\x00\x00\x01\x08\x02\x00\x00"
        "\x00\x7b\x40\xe8\xdd\x00\x00\x00\x0dIDAT\x78\x9c\x63\xf8\xcf\x00\x04\xff\x01\x07\x00"
        "\x01\xff\xe2\x23\x9e\x59\x00\x00\x00\x00IEND\xae\x42\x60\x82";
    char good[CH_PATH_MAX + 16], text[CH_PATH_MAX + 16], large[CH_PATH_MAX + 16];
    char path[96];
    KioskErr err;
    ChDevice dev;
    enroll(f, "kiosk", "SN-SHOT", &dev);
    CentralConfig cfg = ch_config(cp->base, cp->ca);
    cfg.device_id = dev.device_id;
    cfg.client_cert = dev.cert;
    cfg.client_key = dev.key;
    f->client = central_create(&cfg, ch_on_reply, &f->replies, &err);
    assert_non_null(f->client);
    ch_path(cp, "shot.png", good, sizeof good);
    ch_path(cp, "shot.txt", text, sizeof text);
    ch_path(cp, "shot-large.png", large, sizeof large);
    write_file(good, png, sizeof png - 1);
    write_file(text, "not a picture", 13);
    FILE *fp = fopen(large, "wb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, CENTRAL_UPLOAD_MAX, SEEK_SET), 0); /* one byte over */
    assert_int_equal(fputc(0, fp), 0);
    assert_int_equal(fclose(fp), 0);
    snprintf(path, sizeof path, "/v1/admin/devices/%s/screenshot", dev.device_id);

    CentralRequest req = {.kind = CENTRAL_SCREENSHOT};
    copy(req.u.screenshot.path, sizeof req.u.screenshot.path, "shot.png"); /* not absolute */
    uint32_t id;
    assert_int_equal(central_submit(f->client, &req, &id), KIOSK_E_INVALID);
    const char *unsent[] = {large, "/nonexistent/shot.png"};
    for (size_t i = 0; i < 2; i++) {
        copy(req.u.screenshot.path, sizeof req.u.screenshot.path, unsent[i]);
        assert_int_equal(call(f, &req)->result, CENTRAL_BAD_RESPONSE);
    }
    copy(req.u.screenshot.path, sizeof req.u.screenshot.path, text);
    const CentralReply *r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_REFUSED);
    assert_int_equal(r->http_status, 400);
    assert_string_equal(r->error_code, "invalid_image");
    assert_int_equal(ch_call(cp, "GET", path, NULL, NULL), 404); /* nothing kept yet */

    copy(req.u.screenshot.path, sizeof req.u.screenshot.path, good);
    r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_int_equal(r->http_status, 204);
    assert_int_equal(ch_call(cp, "GET", path, NULL, NULL), 200);
    ch_device_close(&dev);
}

/* The service answers a path it has no route for with the generic 404 not_found: a resource
 * that tools/central does not serve yet (its owner is adding it). Those cases are skipped
 * until it does, and run as soon as it does. */
static bool not_served(const CentralReply *r)
{
    return r->result == CENTRAL_REFUSED && r->http_status == 404 &&
           strcmp(r->error_code, "not_found") == 0;
}

static const CentralShippingOption *find_option(const CentralShipping *s, const char *id)
{
    for (size_t i = 0; i < s->count; i++) {
        if (strcmp(s->options[i].id, id) == 0)
            return &s->options[i];
    }
    return NULL;
}

static void test_shipping(void **state)
{
    Fixture *f = *state;
    CentralRequest req = {.kind = CENTRAL_SHIPPING};
    copy(req.u.shipping.member, sizeof req.u.shipping.member, f->member);
    req.u.shipping.subtotal_cents = -1;    /* not sent */
    const CentralReply *r = call(f, &req); /* store from the config */
    assert_int_equal(r->result, CENTRAL_OK);
    const CentralShipping *s = &r->payload.shipping;
    assert_string_equal(s->store, "sea-ballard");
    assert_string_equal(s->member, f->member);
    assert_int_equal(s->free_from_cents, 7500);
    assert_true(s->count >= 3);
    assert_false(s->truncated);
    const CentralShippingOption *pickup = find_option(s, "pickup");
    const CentralShippingOption *standard = find_option(s, "standard");
    assert_non_null(pickup); /* Ballard is a shop */
    assert_non_null(standard);
    assert_false(pickup->needs_address);
    assert_int_equal(pickup->price_cents, 0);
    assert_true(standard->needs_address);
    assert_string_equal(standard->currency, "USD");
    assert_true(standard->delivery_earliest[0] && standard->delivery_latest[0]);
    assert_true(strcmp(standard->delivery_earliest, standard->delivery_latest) <= 0);

    /* no member, a subtotal over the threshold: standard is free */
    memset(&req, 0, sizeof req);
    req.kind = CENTRAL_SHIPPING;
    req.u.shipping.subtotal_cents = 10000;
    r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_string_equal(r->payload.shipping.member, "");
    standard = find_option(&r->payload.shipping, "standard");
    assert_non_null(standard);
    assert_int_equal(standard->price_cents, 0);

    /* the online warehouse is not a shop: nothing to collect there */
    copy(req.u.shipping.store, sizeof req.u.shipping.store, "online");
    r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_null(find_option(&r->payload.shipping, "pickup"));

    copy(req.u.shipping.store, sizeof req.u.shipping.store, "sea-nowhere");
    r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_REFUSED);
    assert_string_equal(r->error_code, "store_not_found");
    memset(&req, 0, sizeof req);
    req.kind = CENTRAL_SHIPPING;
    copy(req.u.shipping.member, sizeof req.u.shipping.member, "M99999");
    r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_REFUSED);
    assert_string_equal(r->error_code, "member_not_found");
}

/* One product by id, then its picture by the URL the product gives. */
static void test_product_and_image(void **state)
{
    Fixture *f = *state;
    CentralRequest req = {.kind = CENTRAL_PRODUCT};
    copy(req.u.product.id, sizeof req.u.product.id, "P0001");
    const CentralReply *r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    CentralProduct *p = malloc(sizeof *p);
    assert_non_null(p);
    *p = r->payload.product;
    assert_string_equal(p->id, "P0001");
    assert_true(p->name[0]);
    assert_true(p->active);
    assert_true(p->variant_count > 0);
    assert_false(p->variants_truncated);
    assert_true(strncmp(p->image_url, "/v1/images/", 11) == 0);
    /* popularity and related are optional (older services): whatever came is well-formed */
    assert_true(p->popularity >= 0);
    assert_true(p->related_count <= CENTRAL_RELATED_MAX);
    for (size_t i = 0; i < p->related_count; i++) {
        assert_true(central_is_id(p->related[i].id));
        assert_string_not_equal(p->related[i].id, "P0001");
    }

    CentralRequest img = {.kind = CENTRAL_IMAGE};
    copy(img.u.image.path, sizeof img.u.image.path, p->image_url);
    r = call(f, &img);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_int_equal(r->http_status, 200);
    assert_string_equal(r->payload.blob.content_type, "image/png");
    assert_true(r->payload.blob.len > 8 && r->payload.blob.len <= CENTRAL_IMAGE_MAX);
    assert_memory_equal(r->payload.blob.data, "\x89PNG\r\n\x1a\n", 8);
    /* a variant's picture too */
    copy(img.u.image.path, sizeof img.u.image.path, p->variants[0].image_url);
    r = call(f, &img);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_memory_equal(r->payload.blob.data, "\x89PNG", 4);

    copy(img.u.image.path, sizeof img.u.image.path, "/v1/images/V99999999.png");
    r = call(f, &img);
    assert_int_equal(r->result, CENTRAL_REFUSED);
    assert_string_equal(r->error_code, "image_not_found");
    assert_null(r->payload.blob.data);

    copy(req.u.product.id, sizeof req.u.product.id, "P9999");
    r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_REFUSED);
    assert_string_equal(r->error_code, "product_not_found");
    free(p);
}

static void test_handoff(void **state)
{
    Fixture *f = *state;
    KioskErr err;
    uint32_t id = 0;
    ChDevice dev;
    enroll(f, "kiosk", "SN-HANDOFF", &dev);
    Replies replies;
    replies_init(&replies);
    CentralConfig cfg = ch_config(f->cp.base, f->cp.ca);
    cfg.device_id = dev.device_id;
    cfg.client_cert = dev.cert;
    cfg.client_key = dev.key;
    CentralClient *c = central_create(&cfg, ch_on_reply, &replies, &err);
    assert_non_null(c);

    /* a product page, then a basket */
    CentralRequest req = {.kind = CENTRAL_HANDOFF};
    copy(req.u.handoff.product, sizeof req.u.handoff.product, "P0001");
    copy(req.u.handoff.variant, sizeof req.u.handoff.variant, "V00001");
    assert_int_equal(central_submit(c, &req, &id), KIOSK_OK);
    const CentralReply *r = replies_wait(&replies, id, REPLY_TIMEOUT_MS);
    assert_non_null(r);
    if (not_served(r)) {
        central_destroy(c);
        replies_deinit(&replies);
        ch_device_close(&dev);
        skip(); /* tools/central has no POST /v1/handoffs yet */
    }
    assert_int_equal(r->result, CENTRAL_OK);
    assert_int_equal(r->http_status, 201);
    assert_int_equal(r->attempts, 1);
    CentralHandoff first = r->payload.handoff;
    assert_true(first.code[0]);
    assert_non_null(strstr(first.url, first.code));
    assert_true(first.expires_at[0]);

    memset(&req, 0, sizeof req);
    req.kind = CENTRAL_HANDOFF;
    copy(req.u.handoff.items[0].variant, sizeof req.u.handoff.items[0].variant, "V00001");
    req.u.handoff.items[0].qty = 2;
    copy(req.u.handoff.items[1].variant, sizeof req.u.handoff.items[1].variant, "V00002");
    req.u.handoff.items[1].qty = 1;
    req.u.handoff.item_count = 2;
    assert_int_equal(central_submit(c, &req, &id), KIOSK_OK);
    r = replies_wait(&replies, id, REPLY_TIMEOUT_MS);
    assert_non_null(r);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_string_not_equal(r->payload.handoff.code, first.code);

    /* an unknown store is the service's to refuse */
    copy(req.u.handoff.store, sizeof req.u.handoff.store, "sea-nowhere");
    assert_int_equal(central_submit(c, &req, &id), KIOSK_OK);
    r = replies_wait(&replies, id, REPLY_TIMEOUT_MS);
    assert_non_null(r);
    assert_int_equal(r->result, CENTRAL_REFUSED);
    assert_true(r->http_status == 404 || r->http_status == 422);
    assert_int_equal(r->attempts, 1);
    central_destroy(c);
    replies_deinit(&replies);
    ch_device_close(&dev);
}

/* A stock delta sync page by page, then a back-office change shows up in the next delta. */
static void test_stock_delta(void **state)
{
    Fixture *f = *state;
    CentralRequest req = {.kind = CENTRAL_STOCK_DELTA};
    size_t rows = 0, pages = 0;
    bool more = true;
    req.u.stock_delta.near = 0;
    req.u.stock_delta.limit = 0; /* the most: CENTRAL_STOCK_DELTA_MAX */
    while (more) {
        const CentralReply *r = call(f, &req);
        if (pages == 0 && not_served(r))
            skip(); /* tools/central has no GET /v1/stock yet */
        assert_int_equal(r->result, CENTRAL_OK);
        const CentralStockDelta *d = &r->payload.stock_delta;
        assert_true(d->count <= CENTRAL_STOCK_DELTA_MAX);
        assert_true(d->next_cursor[0]);
        for (size_t i = 0; i < d->count; i++) {
            assert_true(central_is_id(d->rows[i].variant));
            assert_true(central_is_id(d->rows[i].store));
            assert_true(d->rows[i].qty >= 0);
        }
        rows += d->count;
        more = d->has_more;
        copy(req.u.stock_delta.cursor, sizeof req.u.stock_delta.cursor, d->next_cursor);
        assert_true(++pages < 2000);
    }
    assert_true(rows >= 1000); /* every variant at this store at least */

    /* small pages follow on from each other too */
    CentralRequest small = {.kind = CENTRAL_STOCK_DELTA};
    small.u.stock_delta.near = 2;
    small.u.stock_delta.limit = 5;
    const CentralReply *r = call(f, &small);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_true(r->payload.stock_delta.count <= 5);
    assert_true(r->payload.stock_delta.has_more);

    /* nothing changed since the last cursor, then one figure changes */
    r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_int_equal(r->payload.stock_delta.count, 0);
    assert_false(r->payload.stock_delta.has_more);
    assert_int_equal(
        ch_call(&f->cp, "PUT", "/v1/admin/stock/V00001/sea-ballard", "{\"qty\":7}", NULL), 200);
    r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    bool seen = false;
    for (size_t i = 0; i < r->payload.stock_delta.count; i++) {
        const CentralStockFigure *row = &r->payload.stock_delta.rows[i];
        if (strcmp(row->variant, "V00001") == 0 && strcmp(row->store, "sea-ballard") == 0) {
            seen = true;
            assert_int_equal(row->qty, 7);
            assert_true(row->updated_at[0]);
        }
    }
    assert_true(seen);

    copy(req.u.stock_delta.cursor, sizeof req.u.stock_delta.cursor, "not-a-cursor");
    r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_REFUSED);
}

/* central_call from a plain thread while the owner's asynchronous requests carry on: each
 * reply goes where it belongs. */
static void test_call_sync(void **state)
{
    Fixture *f = *state;
    CentralReply *out = calloc(1, sizeof *out);
    assert_non_null(out);

    /* an asynchronous long poll stays open throughout */
    CentralRequest req = {.kind = CENTRAL_PAIRING_CREATE};
    const CentralReply *r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    CentralRequest poll = {.kind = CENTRAL_PAIRING_POLL};
    copy(poll.u.pairing_poll.id, sizeof poll.u.pairing_poll.id, r->payload.pairing.id);
    poll.u.pairing_poll.wait_s = 20;
    uint32_t poll_id = 0, stores_id = 0;
    assert_int_equal(central_submit(f->client, &poll, &poll_id), KIOSK_OK);
    size_t before = replies_count(&f->replies);

    CentralRequest ship = {.kind = CENTRAL_SHIPPING};
    ship.u.shipping.subtotal_cents = -1;
    CentralRequest stores = {.kind = CENTRAL_STORES};
    assert_int_equal(central_submit(f->client, &stores, &stores_id), KIOSK_OK);
    long t0 = ch_now_ms();
    assert_int_equal(central_call(f->client, &ship, out), KIOSK_OK);
    assert_true(ch_now_ms() - t0 < 5000); /* not held up by the long poll */
    assert_int_equal(out->result, CENTRAL_OK);
    assert_int_equal(out->kind, CENTRAL_SHIPPING);
    assert_string_equal(out->payload.shipping.store, "sea-ballard");
    assert_true(out->payload.shipping.count >= 3);

    /* the asynchronous reply went to on_reply; the synchronous one did not */
    r = replies_wait(&f->replies, stores_id, REPLY_TIMEOUT_MS);
    assert_non_null(r);
    assert_int_equal(r->result, CENTRAL_OK);
    assert_null(replies_wait(&f->replies, out->id, 0));
    assert_int_equal(replies_count(&f->replies), before + 1);

    /* an answer that is a refusal is still a reply */
    CentralRequest prod = {.kind = CENTRAL_PRODUCT};
    copy(prod.u.product.id, sizeof prod.u.product.id, "P9999");
    assert_int_equal(central_call(f->client, &prod, out), KIOSK_OK);
    assert_int_equal(out->result, CENTRAL_REFUSED);
    assert_string_equal(out->error_code, "product_not_found");

    /* a picture comes back as the caller's own copy */
    CentralRequest img = {.kind = CENTRAL_IMAGE};
    copy(img.u.image.path, sizeof img.u.image.path, "/v1/images/P0001.png");
    assert_int_equal(central_call(f->client, &img, out), KIOSK_OK);
    assert_int_equal(out->result, CENTRAL_OK);
    assert_memory_equal(out->payload.blob.data, "\x89PNG\r\n\x1a\n", 8);
    central_reply_clear(out);

    assert_null(replies_wait(&f->replies, poll_id, 0)); /* the poll is still waiting */
    assert_int_equal(central_cancel(f->client, poll_id), KIOSK_OK);
    free(out);
}

typedef struct SyncCaller {
    CentralClient *client;
    CentralRequest req;
    CentralReply *out;
    KioskErr err;
    atomic_bool entered;
} SyncCaller;

static void *sync_caller(void *arg)
{
    SyncCaller *c = arg;
    atomic_store(&c->entered, true);
    c->err = central_call(c->client, &c->req, c->out);
    return NULL;
}

/* A thread blocked in central_call on a long poll is released by central_destroy. */
static void test_call_cancelled_on_destroy(void **state)
{
    Fixture *f = *state;
    CentralRequest req = {.kind = CENTRAL_PAIRING_CREATE};
    const CentralReply *r = call(f, &req);
    assert_int_equal(r->result, CENTRAL_OK);
    SyncCaller sc = {.client = f->client, .out = calloc(1, sizeof(CentralReply))};
    assert_non_null(sc.out);
    atomic_init(&sc.entered, false);
    sc.req.kind = CENTRAL_PAIRING_POLL;
    copy(sc.req.u.pairing_poll.id, sizeof sc.req.u.pairing_poll.id, r->payload.pairing.id);
    sc.req.u.pairing_poll.wait_s = 30;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, sync_caller, &sc), 0);
    while (!atomic_load(&sc.entered))
        usleep(1000);
    usleep(300 * 1000); /* the poll is on the wire */
    long t0 = ch_now_ms();
    central_destroy(f->client);
    f->client = NULL;
    pthread_join(t, NULL);
    assert_true(ch_now_ms() - t0 < 2000);
    assert_int_equal(sc.err, KIOSK_OK);
    assert_int_equal(sc.out->result, CENTRAL_CANCELLED);
    assert_int_equal(sc.out->kind, CENTRAL_PAIRING_POLL);
    free(sc.out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_stores, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_member_profile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recommendations_and_offers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catalog_sync, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pairing_long_poll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fitting_and_heartbeat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_ca, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_and_destroy_long_poll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mutual_tls, setup_mtls, teardown),
        cmocka_unit_test_setup_teardown(test_screenshot_upload, setup_mtls, teardown),
        cmocka_unit_test_setup_teardown(test_shipping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_product_and_image, setup, teardown),
        cmocka_unit_test_setup_teardown(test_handoff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stock_delta, setup, teardown),
        cmocka_unit_test_setup_teardown(test_call_sync, setup, teardown),
        cmocka_unit_test_setup_teardown(test_call_cancelled_on_destroy, setup, teardown),
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
