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

static void test_fitting_and_heartbeat(void **state)
{
    Fixture *f = *state;
    json_t *enrolled = NULL;
    KioskErr err;
    assert_int_equal(ch_call(&f->cp, "POST", "/v1/devices/enroll",
                             "{\"serial\":\"SN-CLIENT\",\"store\":\"sea-ballard\",\"kind\":"
                             "\"mirror\"}",
                             &enrolled),
                     201);
    char device[CENTRAL_ID_MAX + 1];
    copy(device, sizeof device, json_string_value(json_object_get(enrolled, "device_id")));
    json_decref(enrolled);

    /* a client that knows its device id */
    Replies replies;
    replies_init(&replies);
    CentralConfig cfg = ch_config(f->cp.base, f->cp.ca);
    cfg.device_id = device;
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

/* With --client-ca, a heartbeat needs the device's client certificate: the client presents
 * it when configured, and without it the refusal carries the service's code. */
static void test_mutual_tls(void **state)
{
    Fixture *f = *state;
    const CentralProc *cp = &f->cp;
    json_t *enrolled = NULL;
    KioskErr err;
    uint32_t id = 0;
    char device[CENTRAL_ID_MAX + 1];
    assert_int_equal(ch_call(cp, "POST", "/v1/devices/enroll",
                             "{\"serial\":\"SN-MTLS\",\"store\":\"sea-ballard\",\"kind\":"
                             "\"kiosk\"}",
                             &enrolled),
                     201);
    copy(device, sizeof device, json_string_value(json_object_get(enrolled, "device_id")));
    json_decref(enrolled);

    CentralRequest hb = {.kind = CENTRAL_HEARTBEAT};
    hb.u.heartbeat.online = true;
    for (int with_cert = 0; with_cert < 2; with_cert++) {
        Replies replies;
        replies_init(&replies);
        CentralConfig cfg = ch_config(cp->base, cp->ca);
        cfg.device_id = device;
        if (with_cert) {
            cfg.client_cert = cp->client_cert;
            cfg.client_key = cp->client_key;
        }
        CentralClient *c = central_create(&cfg, ch_on_reply, &replies, &err);
        assert_non_null(c);
        assert_int_equal(central_submit(c, &hb, &id), KIOSK_OK);
        const CentralReply *r = replies_wait(&replies, id, REPLY_TIMEOUT_MS);
        assert_non_null(r);
        if (with_cert) {
            assert_int_equal(r->result, CENTRAL_OK);
            assert_string_equal(r->payload.heartbeat.device_id, device);
        } else {
            assert_int_equal(r->result, CENTRAL_REFUSED);
            assert_string_equal(r->error_code, "client_certificate_required");
        }
        central_destroy(c);
        replies_deinit(&replies);
    }
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
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
