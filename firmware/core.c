/* core.c: see core.h. */
#include "core.h"

#include <errno.h>
#include <pthread.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "central.h"
#include "data.h"
#include "diag.h"
#include "device_id.h"
#include "version.h"
#include "log.h"
#include "order.h"
#include "sync.h"

struct Core {
    AppState state;
    Timers timers;
    EventQueue *queue; /* borrowed */
    Clock clock;
    CentralClient *central; /* NULL: no central service configured, or it could not start */
    uint32_t pairing_poll;  /* the outstanding long-poll, 0 if none */
    Data *data;             /* NULL: the data directory could not be opened */
    Sync *sync;             /* NULL: no central service, or no data directory */
    char store_id[CONFIG_TEXT_MAX];
    char device_id[CONFIG_TEXT_MAX];
    char room[CONFIG_TEXT_MAX]; /* this mirror's fitting room */
    DeviceId *identity;         /* [device] enroll: the device's own key and certificate */
    char serial[CONFIG_TEXT_MAX];
    char data_dir[CONFIG_PATH_MAX];
    char central_url[CONFIG_PATH_MAX];
    KioskMode mode;
    bool restart;                  /* enrolled, or the operator asked: start again */
    bool reset;                    /* service mode: a factory reset, then start again */
    pthread_mutex_t identity_lock; /* the PIN check runs on a thread of its own */
    pthread_cond_t jobs_done;      /* core_destroy waits for the jobs in progress */
    int jobs;                      /* PIN checks and service checks running; under identity_lock */
    bool screenshot;               /* the operator asked for a picture of the screen */
    uint64_t started_ms;           /* for the heartbeat's uptime */
};

/* What a central request for a screen must remember until its reply: which request it
 * answers, and what to ask the local store instead if the service cannot answer. Made on
 * the UI thread, freed by the reply callback on the client's worker. */
typedef struct Ask {
    Core *core;
    ResultKind kind;
    uint32_t seq;
    DataQuery fallback; /* kind DATA_* or -1 when there is none */
    bool has_fallback;
} Ask;

#define CORE_HEARTBEAT_S        60   /* without the service's word on it */
#define CORE_FIRST_HEARTBEAT_MS 3000 /* after start: the fleet knows it is up */
#define RENEW_LAST_DAYS         1    /* renew at the latest with a day of validity left */
#define PAIRING_WAIT_S          25 /* each long-poll; the app renews it until the code is claimed */
#define POST_RETRIES_MAX        1000 /* 1 ms apart: how long a reply waits for room in the queue */

/* Replies must not be lost: the UI thread drains the queue every frame, so a full queue is
 * brief. Bounded all the same: during core_destroy the UI thread is joining this worker
 * and drains nothing, and a reply then is for a kiosk that is stopping anyway. Returns
 * false if it was dropped. Worker threads only: the UI thread never waits for room. */
static bool post_blocking(Core *c, const Event *ev)
{
    for (int tries = 0; evq_post(c->queue, ev) == KIOSK_E_FULL; tries++) {
        if (tries == POST_RETRIES_MAX) {
            log_warn("core", "event queue full: dropped a %s event", event_type_name(ev->type));
            return false;
        }
        struct timespec pause = {0, 1000000L};
        nanosleep(&pause, NULL);
    }
    return true;
}

/* Hands a Result to the UI thread from a worker; it is freed there after dispatch. */
static void post_result(Core *c, Result *r)
{
    Event ev = {.type = EV_RESULT, .u.result.result = r};
    if (r && !post_blocking(c, &ev))
        result_free(r);
}

/* The same from the UI thread, which drains the queue and so never waits for room. */
static void post_result_now(Core *c, Result *r)
{
    Event ev = {.type = EV_RESULT, .u.result.result = r};
    if (r && evq_post(c->queue, &ev) != KIOSK_OK)
        result_free(r);
}

static void on_data_result(Result *r, void *ctx)
{
    post_result(ctx, r);
}

static void on_order_stored(void *ctx)
{
    Core *c = ctx;
    sync_kick(c->sync); /* NULL-safe: without a central service it keeps the order */
}

static void profile_event(const CentralReply *r, Event *out)
{
    *out = (Event){.type = EV_PROFILE};
    ProfileEvent *p = &out->u.profile;
    p->result = r->result;
    if (r->result == CENTRAL_OK) {
        const CentralMember *m = &r->payload.member;
        snprintf(p->member_id, sizeof p->member_id, "%s", m->id);
        snprintf(p->display_name, sizeof p->display_name, "%s", m->display_name);
        snprintf(p->tier, sizeof p->tier, "%s", m->tier);
        p->points = m->points;
        snprintf(p->language, sizeof p->language, "%s", m->language);
        if (m->has_last_order) {
            snprintf(p->last_item, sizeof p->last_item, "%s", m->last_order.first_item);
            snprintf(p->last_channel, sizeof p->last_channel, "%s", m->last_order.channel);
            snprintf(p->last_product, sizeof p->last_product, "%s", m->last_order.first_product);
        }
        p->sizes = m->sizes;
        p->prefs = m->preferences;
        p->payment_on_file = m->payment_on_file;
        for (size_t i = 0; i < m->address_count && p->address_count < EVENT_ADDRESSES_MAX; i++) {
            const CentralAddress *a = &m->addresses[i];
            int k = p->address_count++;
            snprintf(p->addresses[k].id, sizeof p->addresses[k].id, "%s", a->id);
            snprintf(p->addresses[k].label, sizeof p->addresses[k].label, "%s", a->label);
            snprintf(p->addresses[k].masked, sizeof p->addresses[k].masked, "%s", a->masked);
            p->addresses[k].is_default = a->is_default;
        }
    }
}

static void pairing_event(const CentralReply *r, Event *out)
{
    *out = (Event){.type = EV_PAIRING};
    PairingEvent *p = &out->u.pairing;
    p->result = r->result;
    p->created = r->kind == CENTRAL_PAIRING_CREATE;
    if (r->result == CENTRAL_OK) {
        const CentralPairing *pr = &r->payload.pairing;
        snprintf(p->id, sizeof p->id, "%s", pr->id);
        snprintf(p->qr, sizeof p->qr, "%s", pr->qr_text);
        snprintf(p->member, sizeof p->member, "%s", pr->member);
        p->status = pr->status;
        p->expires_in_s = pr->expires_in_seconds;
    }
}

/* The event a reply becomes, if the app cares about it. */
static bool reply_event(const CentralReply *r, Event *out)
{
    switch (r->kind) {
    case CENTRAL_IDENTIFY:
    case CENTRAL_MEMBER:
        profile_event(r, out);
        return true;
    case CENTRAL_PAIRING_CREATE:
    case CENTRAL_PAIRING_POLL:
        pairing_event(r, out);
        return true;
    default:
        return false;
    }
}

/* On the client's worker thread: keep what the app needs, post it, return. */
static void on_central_reply(const CentralReply *r, void *ctx)
{
    Core *c = ctx;
    if (r->result == CENTRAL_CANCELLED)
        return; /* we asked for that: nobody waits for it */
    log_info("core", "%s: %s after %ld ms", central_kind_name(r->kind),
             central_result_name(r->result), r->elapsed_ms);
    Event ev;
    if (reply_event(r, &ev))
        post_blocking(c, &ev);
}

/* The client's config: with an identity, its certificate for mutual TLS, its id and store. */
static CentralConfig central_config(const Core *c, const KioskConfig *cfg)
{
    bool enrolled = c->identity && device_id_state(c->identity) == DEVICE_ID_ENROLLED;
    return (CentralConfig){
        .base_url = cfg->central_url,
        .ca_file = cfg->central_ca_file[0] ? cfg->central_ca_file : NULL,
        .client_cert = enrolled ? device_id_cert_path(c->identity) : NULL,
        .client_key = enrolled ? device_id_key_path(c->identity) : NULL,
        .connect_timeout_ms = cfg->connect_timeout_ms,
        .total_timeout_ms = cfg->request_timeout_ms,
        .store_id = c->store_id[0] ? c->store_id : NULL,
        .device_id = c->device_id[0] ? c->device_id : NULL,
    };
}

static void start_central(Core *c, const KioskConfig *cfg)
{
    if (!cfg->central_url[0])
        return;
    CentralConfig cc = central_config(c, cfg);
    KioskErr err;
    c->central = central_create(&cc, on_central_reply, c, &err);
    if (!c->central) /* the kiosk still serves from what it knows */
        log_error("core",
                  "central service client not started (%s): check [central] url and "
                  "ca_file",
                  kerr_name(err));
}

static void on_sync_result(Result *r, void *ctx)
{
    post_result(ctx, r);
}

/* The local store, its data worker and the background sync. Without a data directory the
 * kiosk still identifies and greets; browsing and ordering say they are not available. */
static void start_data(Core *c, const KioskConfig *cfg)
{
    char db[CONFIG_PATH_MAX + 32], key[CONFIG_PATH_MAX + 32];
    if (mkdir(cfg->data_dir, 0700) != 0 && errno != EEXIST) {
        log_error("core", "data directory %s cannot be made (%s): no catalog, no orders",
                  cfg->data_dir, strerror(errno));
        return;
    }
    snprintf(db, sizeof db, "%s/%s", cfg->data_dir, STORE_FILE_NAME);
    snprintf(key, sizeof key, "%s/%s", cfg->data_dir, OUTBOX_KEY_FILE);
    KioskErr err;
    DataConfig dc = {.db_path = db,
                     .key_path = key,
                     .here_store = c->store_id,
                     .on_order_stored = on_order_stored};
    c->data = data_create(&dc, on_data_result, c, &err);
    if (!c->data) {
        log_error("core", "local store %s not opened (%s): no catalog, no orders", db,
                  kerr_name(err));
        return;
    }
    if (!cfg->central_url[0])
        return;
    if (c->state.setup.needed) { /* no store, no certificate: nothing to sync for yet */
        log_info("core", "catalog and stock sync start once the device is enrolled");
        return;
    }
    SyncConfig sc = {
        .central = central_config(c, cfg),
        .db_path = db,
        .key_path = key,
        .here_store = c->store_id,
    };
    c->sync = sync_create(&sc, on_sync_result, c, &err);
    if (!c->sync)
        log_error("core", "background sync not started (%s): orders stay in the outbox",
                  kerr_name(err));
}

/* The hardware serial: the config's, else the machine id (first 12 hex digits). */
static void read_serial(const KioskConfig *cfg, char *out, size_t size)
{
    char mid[64] = "";
    if (cfg->serial[0]) {
        snprintf(out, size, "%s", cfg->serial);
        return;
    }
    FILE *f = fopen("/etc/machine-id", "r");
    if (f) {
        if (!fgets(mid, sizeof mid, f))
            mid[0] = '\0';
        fclose(f);
    }
    mid[strcspn(mid, "\r\n")] = '\0';
    snprintf(out, size, "MID-%.12s", mid[0] ? mid : "unknown");
}

/* [device] enroll: the device's own identity. Enrolled, it names the device and its store
 * (the enrollment's word wins over the config's) and its certificate goes to every call;
 * not yet, the app waits on the setup screen for a technician. */
static void open_identity(Core *c, const KioskConfig *cfg)
{
    KioskErr err;
    read_serial(cfg, c->serial, sizeof c->serial);
    c->identity = device_id_open(cfg->data_dir, &err);
    if (!c->identity) {
        log_error("core", "device identity not readable (%s): setup needed", kerr_name(err));
        app_setup_start(&c->state, c->serial);
        return;
    }
    if (device_id_state(c->identity) != DEVICE_ID_ENROLLED) {
        app_setup_start(&c->state, c->serial);
        return;
    }
    c->state.service_pin_set = device_id_has_pin(c->identity);
    int failures;
    int64_t until, left = 0;
    device_id_pin_wait(c->identity, &failures, &until);
    if (failures > 0) { /* wrong PINs before the restart: their wait holds */
        left = until - (int64_t)time(NULL);
        c->state.service.failures = failures;
        c->state.service.wait_until_ms =
            left > 0 ? c->clock.now_ms(c->clock.ctx) + (uint64_t)left * 1000u : 0;
        log_warn("core", "%d wrong service PINs before this start; PINs taken again in %lld s",
                 failures, (long long)(left > 0 ? left : 0));
    }
    if (cfg->store_id[0] && strcmp(cfg->store_id, device_id_store(c->identity)) != 0)
        log_warn("core", "enrolled for store %s; the config says %s: the enrollment wins",
                 device_id_store(c->identity), cfg->store_id);
    snprintf(c->store_id, sizeof c->store_id, "%s", device_id_store(c->identity));
    snprintf(c->device_id, sizeof c->device_id, "%s", device_id_id(c->identity));
    int64_t days = 0;
    device_id_days_left(c->identity, (int64_t)time(NULL), &days);
    log_info("core", "device %s of store %s; its certificate ends in %lld days", c->device_id,
             c->store_id, (long long)days);
}

Core *core_create(const KioskConfig *cfg, EventQueue *q, Clock clock)
{
    Core *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    app_init(&c->state, cfg);
    timers_init(&c->timers);
    c->queue = q;
    c->clock = clock;
    pthread_mutex_init(&c->identity_lock, NULL);
    pthread_cond_init(&c->jobs_done, NULL);
    snprintf(c->store_id, sizeof c->store_id, "%s", cfg->store_id);
    snprintf(c->device_id, sizeof c->device_id, "%s", cfg->device_id);
    snprintf(c->room, sizeof c->room, "%s", cfg->fitting_room);
    c->mode = cfg->mode;
    snprintf(c->data_dir, sizeof c->data_dir, "%s", cfg->data_dir);
    snprintf(c->central_url, sizeof c->central_url, "%s", cfg->central_url);
    if (cfg->enroll)
        open_identity(c, cfg);
    start_central(c, cfg);
    c->started_ms = clock.now_ms(clock.ctx);
    if (c->central && c->device_id[0] && !c->state.setup.needed) {
        /* The fleet hears from the device soon after start, then at the service's pace. */
        int s = c->identity ? device_id_heartbeat_s(c->identity) : 0;
        c->state.heartbeat_ms = (uint32_t)(s > 0 ? s : CORE_HEARTBEAT_S) * 1000u;
        timers_arm(&c->timers, TIMER_HEARTBEAT, c->started_ms + CORE_FIRST_HEARTBEAT_MS);
    }
    if (c->central && c->state.setup.needed) /* the setup screen says whether it answers */
        timers_arm(&c->timers, TIMER_PROBE, c->started_ms);
    start_data(c, cfg);
    return c;
}

void core_destroy(Core *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->identity_lock); /* a PIN check in progress finishes first */
    while (c->jobs > 0)
        pthread_cond_wait(&c->jobs_done, &c->identity_lock);
    pthread_mutex_unlock(&c->identity_lock);
    sync_destroy(c->sync);
    data_destroy(c->data);
    central_destroy(c->central);  /* cancelled replies still find the queue: it outlives us */
    device_id_close(c->identity); /* after the client: an enrollment reply may still use it */
    pthread_cond_destroy(&c->jobs_done);
    pthread_mutex_destroy(&c->identity_lock);
    /* Results posted by the workers and not yet taken are freed with the queue's events by
     * whoever drains it last (shell_destroy drops them). */
    free(c);
}

/* Submits req; a request that cannot even be queued is answered at once as offline, so the
 * app's rules see one kind of failure. */
static void submit(Core *c, const CentralRequest *req, uint32_t *id)
{
    KioskErr err = c->central ? central_submit(c->central, req, id) : KIOSK_E_STATE;
    if (err == KIOSK_OK)
        return;
    CentralReply r = {.kind = req->kind, .result = CENTRAL_OFFLINE};
    Event ev;
    /* On the UI thread, which drains the queue: never wait for room here. */
    if (reply_event(&r, &ev) && evq_post(c->queue, &ev) != KIOSK_OK)
        log_warn("core", "event queue full: dropped a %s failure", central_kind_name(req->kind));
}

/* Asks who the signed-in member is, by the token they signed in with. */
static void fetch_profile(Core *c)
{
    const Session *se = &c->state.session;
    CentralRequest req = {.kind = CENTRAL_IDENTIFY};
    snprintf(req.u.identify.token, sizeof req.u.identify.token, "%s", se->token);
    snprintf(req.u.identify.uid_hex, sizeof req.u.identify.uid_hex, "%s", se->uid_hex);
    uint32_t id;
    submit(c, &req, &id);
}

static void fetch_member(Core *c)
{
    CentralRequest req = {.kind = CENTRAL_MEMBER};
    snprintf(req.u.member.member, sizeof req.u.member.member, "%s", c->state.session.member_id);
    uint32_t id;
    submit(c, &req, &id);
}

static void pairing_stop(Core *c)
{
    if (c->central && c->pairing_poll)
        central_cancel(c->central, c->pairing_poll);
    c->pairing_poll = 0;
}

static void pairing_create(Core *c)
{
    pairing_stop(c);
    CentralRequest req = {.kind = CENTRAL_PAIRING_CREATE};
    uint32_t id;
    submit(c, &req, &id);
}

static void pairing_poll(Core *c)
{
    CentralRequest req = {.kind = CENTRAL_PAIRING_POLL};
    snprintf(req.u.pairing_poll.id, sizeof req.u.pairing_poll.id, "%s", c->state.pairing.id);
    req.u.pairing_poll.wait_s = PAIRING_WAIT_S;
    c->pairing_poll = 0;
    submit(c, &req, &c->pairing_poll);
}

/* ---- replies for the screens ---------------------------------------------------------- */

static bool unreachable(CentralResult r)
{
    return r == CENTRAL_OFFLINE || r == CENTRAL_TIMEOUT || r == CENTRAL_TLS;
}

static StockHint hint_of(bool here, bool online)
{
    return here ? HINT_HERE : (online ? HINT_ONLINE : HINT_NONE);
}

static void recs_result(const CentralRecommendations *in, Result *r)
{
    CardList *out = &r->u.cards;
    for (size_t i = 0; i < in->count && out->count < VIEW_CARDS_MAX; i++) {
        const CentralRecommendation *x = &in->items[i];
        ProductCard *c = &out->items[out->count++];
        snprintf(c->id, sizeof c->id, "%s", x->product_id);
        snprintf(c->name, sizeof c->name, "%s", x->name);
        snprintf(c->category, sizeof c->category, "%s", x->category);
        c->price_cents = x->price_cents;
        snprintf(c->currency, sizeof c->currency, "USD");
        snprintf(c->image_url, sizeof c->image_url, "%.*s", (int)sizeof c->image_url - 1,
                 x->image_url);
        snprintf(c->variant, sizeof c->variant, "%s", x->variant);
        snprintf(c->size, sizeof c->size, "%s", x->size);
        snprintf(c->reason_code, sizeof c->reason_code, "%s", x->reason_code);
        snprintf(c->reason_anchor, sizeof c->reason_anchor, "%s", x->reason_anchor);
        snprintf(c->reason_channel, sizeof c->reason_channel, "%s", x->reason_channel);
        c->hint = hint_of(x->in_stock_here, x->in_stock_online);
    }
    out->total = out->count;
}

static void offers_result(const CentralOffers *in, Result *r)
{
    OfferList *out = &r->u.offers;
    for (size_t i = 0; i < in->count && out->count < VIEW_OFFERS_MAX; i++) {
        const CentralOffer *x = &in->items[i];
        OfferView *o = &out->items[out->count++];
        snprintf(o->id, sizeof o->id, "%s", x->id);
        snprintf(o->kind, sizeof o->kind, "%s", x->kind);
        o->value = x->value;
        snprintf(o->title, sizeof o->title, "%s", x->title);
        snprintf(o->code, sizeof o->code, "%s", x->code);
        o->expires_at = view_parse_time(x->expires_at);
        snprintf(o->product_id, sizeof o->product_id, "%s", x->product_id);
        snprintf(o->product_name, sizeof o->product_name, "%s", x->product_name);
    }
}

/* The live stock reply as a StockView: here first, then by distance, online last (the
 * service's order); the nearest VIEW_LOCATIONS_MAX - 1 stores and the warehouse. */
static void stock_result(const CentralStock *in, Result *r)
{
    StockView *out = &r->u.stock;
    snprintf(out->product_id, sizeof out->product_id, "%s", in->product_id);
    out->live = true;
    out->as_of = view_parse_time(in->as_of);
    for (size_t l = 0; l < in->location_count; l++) {
        const CentralStockLocation *x = &in->locations[l];
        bool online = strcmp(x->kind, "online") == 0;
        if (!online && out->location_count >= VIEW_LOCATIONS_MAX - 1)
            continue;
        if (out->location_count >= VIEW_LOCATIONS_MAX)
            break;
        LocationStock *loc = &out->locations[out->location_count++];
        snprintf(loc->store, sizeof loc->store, "%s", x->store);
        snprintf(loc->name, sizeof loc->name, "%s", x->name);
        loc->online = online;
        loc->here = x->here;
        loc->has_distance = x->has_distance;
        loc->distance_km = x->distance_km;
        loc->delivery_earliest = view_parse_time(x->delivery_earliest);
        loc->delivery_latest = view_parse_time(x->delivery_latest);
        for (int k = 0; k < VIEW_VARIANTS_MAX; k++)
            loc->qty[k] = -1;
        for (size_t v = 0; v < x->variant_count; v++) {
            const CentralStockVariant *xv = &x->variants[v];
            int k = 0;
            while (k < out->variant_count && strcmp(out->variants[k], xv->variant) != 0)
                k++;
            if (k == out->variant_count) {
                if (k == VIEW_VARIANTS_MAX)
                    continue;
                snprintf(out->variants[k], sizeof out->variants[k], "%s", xv->variant);
                out->variant_count++;
                for (int p = 0; p < out->location_count - 1; p++)
                    out->locations[p].qty[k] = 0; /* not listed there: none */
            }
            loc->qty[k] = xv->qty;
            loc->updated_at[k] = view_parse_time(xv->updated_at);
        }
        for (int k = 0; k < out->variant_count; k++)
            if (loc->qty[k] < 0)
                loc->qty[k] = 0;
    }
}

static void shipping_result(const CentralShipping *in, Result *r)
{
    ShippingList *out = &r->u.shipping;
    out->free_from_cents = in->free_from_cents;
    for (size_t i = 0; i < in->count && out->count < VIEW_SHIPPING_MAX; i++) {
        const CentralShippingOption *x = &in->options[i];
        ShippingOption *o = &out->items[out->count++];
        snprintf(o->id, sizeof o->id, "%s", x->id);
        snprintf(o->name, sizeof o->name, "%s", x->name);
        o->price_cents = x->price_cents;
        snprintf(o->currency, sizeof o->currency, "%s", x->currency);
        o->earliest = view_parse_time(x->delivery_earliest);
        o->latest = view_parse_time(x->delivery_latest);
        o->needs_address = x->needs_address;
    }
}

/* Offline there are no quotes: standard delivery, priced when the order reaches us. */
static void shipping_offline(Result *r)
{
    ShippingList *out = &r->u.shipping;
    out->free_from_cents = -1;
    out->count = 1;
    snprintf(out->items[0].id, sizeof out->items[0].id, "standard");
    snprintf(out->items[0].name, sizeof out->items[0].name, "Standard delivery");
    out->items[0].price_cents = -1;
    out->items[0].needs_address = true;
}

static void product_result(const CentralProduct *in, Result *r)
{
    ProductDetail *p = &r->u.product;
    snprintf(p->id, sizeof p->id, "%s", in->id);
    snprintf(p->name, sizeof p->name, "%s", in->name);
    snprintf(p->brand, sizeof p->brand, "%s", in->brand);
    snprintf(p->category, sizeof p->category, "%s", in->category);
    snprintf(p->description, sizeof p->description, "%s", in->description);
    p->price_cents = in->price_cents;
    snprintf(p->currency, sizeof p->currency, "%s", in->currency);
    snprintf(p->image_url, sizeof p->image_url, "%s", in->image_url);
    p->replenishable = in->replenishable;
    for (size_t i = 0; i < in->variant_count && p->variant_count < VIEW_VARIANTS_MAX; i++) {
        const CentralVariant *x = &in->variants[i];
        VariantView *v = &p->variants[p->variant_count++];
        snprintf(v->id, sizeof v->id, "%s", x->id);
        snprintf(v->size, sizeof v->size, "%s", x->size);
        snprintf(v->colour, sizeof v->colour, "%s", x->colour);
        snprintf(v->colour_hex, sizeof v->colour_hex, "%s", x->colour_hex);
        snprintf(v->gtin, sizeof v->gtin, "%s", x->gtin);
        v->price_cents = x->price_cents;
        snprintf(v->image_url, sizeof v->image_url, "%s", x->image_url);
    }
}

static void fitting_result(const CentralFitting *in, Result *r)
{
    FittingView *f = &r->u.fitting;
    snprintf(f->id, sizeof f->id, "%s", in->id);
    snprintf(f->variant, sizeof f->variant, "%s", in->variant);
    f->status = strcmp(in->status, "requested") == 0    ? FITTING_REQUESTED
                : strcmp(in->status, "on_its_way") == 0 ? FITTING_ON_ITS_WAY
                : strcmp(in->status, "unavailable") == 0
                    ? FITTING_UNAVAILABLE
                    : FITTING_REQUESTED; /* a status this device does not know yet: waiting */
}

/* What a screen gets when the central service cannot be reached and there is no local copy
 * to ask instead: delivery is the standard option, priced when the order reaches the
 * service; anything else is a failure the screen words kindly. */
static Result *unreachable_result(ResultKind kind, uint32_t seq)
{
    Result *r = result_new(kind, seq);
    if (!r)
        return NULL;
    r->offline = true;
    if (kind == RESULT_SHIPPING)
        shipping_offline(r);
    else
        r->err = KIOSK_E_IO;
    return r;
}

/* On the client's worker: turn the reply into a Result, or ask the local store instead. */
static void on_ask_reply(const CentralReply *reply, void *ctx)
{
    Ask *a = ctx;
    Core *c = a->core;
    if (reply->result == CENTRAL_CANCELLED) {
        free(a);
        return;
    }
    log_info("core", "%s: %s after %ld ms", central_kind_name(reply->kind),
             central_result_name(reply->result), reply->elapsed_ms);
    if (reply->result != CENTRAL_OK && a->has_fallback && c->data) {
        /* The local copy answers; the Result says so through `offline`. */
        a->fallback.seq = a->seq;
        a->fallback.offline = unreachable(reply->result);
        if (data_submit(c->data, &a->fallback) == KIOSK_OK) {
            free(a);
            return;
        }
    }
    Result *r = unreachable(reply->result) ? unreachable_result(a->kind, a->seq)
                                           : result_new(a->kind, a->seq);
    if (!r || r->offline) {
        free(a);
        post_result(c, r);
        return;
    }
    r->err = reply->result == CENTRAL_OK        ? KIOSK_OK
             : reply->result == CENTRAL_REFUSED ? KIOSK_E_INVALID
                                                : KIOSK_E_IO;
    if (reply->result == CENTRAL_OK) {
        const CentralPayload *p = &reply->payload;
        switch (reply->kind) {
        case CENTRAL_RECOMMENDATIONS:
            recs_result(&p->recs, r);
            break;
        case CENTRAL_OFFERS:
            offers_result(&p->offers, r);
            break;
        case CENTRAL_STOCK:
            stock_result(&p->stock, r);
            break;
        case CENTRAL_SHIPPING:
            shipping_result(&p->shipping, r);
            break;
        case CENTRAL_PRODUCT:
            product_result(&p->product, r);
            break;
        case CENTRAL_FITTING_REQUEST:
        case CENTRAL_FITTING_STATUS:
            fitting_result(&p->fitting, r);
            break;
        case CENTRAL_STAFF_IDENTIFY:
            r->u.staff = p->staff;
            break;
        case CENTRAL_MEMBER_ORDERS:
            r->u.history = p->history;
            break;
        case CENTRAL_NOTES:
        case CENTRAL_NOTE_ADD:
            r->u.notes = p->notes;
            break;
        case CENTRAL_HANDOFF:
            snprintf(r->u.handoff.code, sizeof r->u.handoff.code, "%s", p->handoff.code);
            snprintf(r->u.handoff.url, sizeof r->u.handoff.url, "%s", p->handoff.url);
            r->u.handoff.expires_at = view_parse_time(p->handoff.expires_at);
            break;
        default:
            break;
        }
    }
    free(a);
    post_result(c, r);
}

/* A failure the UI thread answers at once (nothing could even be asked). */
static void answer_now(Core *c, ResultKind kind, uint32_t seq, KioskErr err)
{
    Result *r = result_new(kind, seq);
    if (r)
        r->err = err;
    post_result_now(c, r);
}

static void ask_data(Core *c, DataQuery *q, ResultKind kind)
{
    KioskErr err = c->data ? data_submit(c->data, q) : KIOSK_E_STATE;
    if (err != KIOSK_OK)
        answer_now(c, kind, q->seq, err);
}

/* Submits req for a screen; without a service (or a full queue) the fallback is asked
 * directly, or the screen gets its failure. fallback may be NULL. */
static void ask_central(Core *c, const CentralRequest *req, ResultKind kind, uint32_t seq,
                        const DataQuery *fallback)
{
    /* Known to be offline (the background sync says when it is back): answer from the
     * local copy at once rather than keep a shopper waiting through timeouts. */
    Ask *a = c->state.online ? calloc(1, sizeof *a) : NULL;
    uint32_t id;
    if (a && c->central) {
        *a = (Ask){.core = c, .kind = kind, .seq = seq, .has_fallback = fallback != NULL};
        if (fallback)
            a->fallback = *fallback;
        if (central_submit_cb(c->central, req, on_ask_reply, a, &id) == KIOSK_OK)
            return;
    }
    free(a);
    if (fallback) {
        DataQuery q = *fallback;
        q.seq = seq;
        q.offline = true;
        ask_data(c, &q, kind);
        return;
    }
    post_result_now(c, unreachable_result(kind, seq));
}

static void seeds_for(const Session *se, DataQuery *q)
{
    for (int i = 0; i < se->viewed_count && q->seed_count < DATA_SEEDS_MAX; i++)
        snprintf(q->seeds[q->seed_count++], sizeof q->seeds[0], "%s", se->viewed[i]);
    if (se->last_product[0] && q->seed_count < DATA_SEEDS_MAX)
        snprintf(q->seeds[q->seed_count++], sizeof q->seeds[0], "%s", se->last_product);
    if (se->last_product[0])
        snprintf(q->exclude[q->exclude_count++], sizeof q->exclude[0], "%s", se->last_product);
    for (int i = 0; i < se->cart_count && q->exclude_count < DATA_EXCLUDE_MAX; i++)
        snprintf(q->exclude[q->exclude_count++], sizeof q->exclude[0], "%s", se->cart[i].product);
}

static void load_recs(Core *c, uint32_t seq)
{
    const Session *se = &c->state.session;
    DataQuery q = {.kind = DATA_RECOMMEND, .seq = seq};
    seeds_for(se, &q);
    CentralRequest req = {.kind = CENTRAL_RECOMMENDATIONS};
    snprintf(req.u.member.member, sizeof req.u.member.member, "%s", se->member_id);
    ask_central(c, &req, RESULT_RECOMMENDATIONS, seq, &q);
}

static void load_offers(Core *c, uint32_t seq)
{
    CentralRequest req = {.kind = CENTRAL_OFFERS};
    snprintf(req.u.member.member, sizeof req.u.member.member, "%s", c->state.session.member_id);
    ask_central(c, &req, RESULT_OFFERS, seq, NULL);
}

static void load_stock(Core *c, uint32_t seq)
{
    const Session *se = &c->state.session;
    DataQuery q = {.kind = DATA_STOCK, .seq = seq};
    snprintf(q.id, sizeof q.id, "%s", se->product.id);
    CentralRequest req = {.kind = CENTRAL_STOCK};
    snprintf(req.u.stock.product, sizeof req.u.stock.product, "%s", se->product.id);
    ask_central(c, &req, RESULT_STOCK, seq, &q);
}

static void load_shipping(Core *c, uint32_t seq)
{
    const AppState *s = &c->state;
    CentralRequest req = {.kind = CENTRAL_SHIPPING};
    snprintf(req.u.shipping.store, sizeof req.u.shipping.store, "%.64s", c->store_id);
    snprintf(req.u.shipping.member, sizeof req.u.shipping.member, "%s", s->session.member_id);
    req.u.shipping.subtotal_cents = app_cart_subtotal(s) - app_offer_discount(s);
    ask_central(c, &req, RESULT_SHIPPING, seq, NULL);
}

static void handoff(Core *c, uint32_t seq)
{
    const Session *se = &c->state.session;
    CentralRequest req = {.kind = CENTRAL_HANDOFF};
    snprintf(req.u.handoff.store, sizeof req.u.handoff.store, "%.64s", c->store_id);
    if (c->state.screen == SCREEN_PRODUCT) {
        snprintf(req.u.handoff.product, sizeof req.u.handoff.product, "%s", se->product.id);
        if (se->variant >= 0)
            snprintf(req.u.handoff.variant, sizeof req.u.handoff.variant, "%s",
                     se->product.variants[se->variant].id);
    } else {
        for (int i = 0; i < se->cart_count && i < CENTRAL_ORDER_ITEMS_MAX; i++) {
            CentralOrderLine *l = &req.u.handoff.items[req.u.handoff.item_count++];
            snprintf(l->variant, sizeof l->variant, "%s", se->cart[i].variant);
            l->qty = se->cart[i].qty;
        }
    }
    ask_central(c, &req, RESULT_HANDOFF, seq, NULL);
}

/* The order as the shopper placed it, made durable by the data worker before anything else
 * (the "thank you" waits for RESULT_ORDER_STORED). The service computes every price. */
static void place_order(Core *c, uint32_t seq)
{
    const Session *se = &c->state.session;
    CentralOrderRequest o = {0};
    KioskErr err = order_new_key(o.idempotency_key);
    snprintf(o.member, sizeof o.member, "%s", se->member_id);
    snprintf(o.store, sizeof o.store, "%.64s", c->store_id);
    if (se->shipping_choice >= 0 && se->shipping_choice < se->shipping.count) {
        const ShippingOption *ship = &se->shipping.items[se->shipping_choice];
        snprintf(o.shipping_option, sizeof o.shipping_option, "%s", ship->id);
        if (ship->needs_address && se->address_choice >= 0)
            snprintf(o.address_id, sizeof o.address_id, "%s", se->addresses[se->address_choice].id);
    }
    if (se->offer_choice >= 0)
        snprintf(o.offer, sizeof o.offer, "%s", se->offers.items[se->offer_choice].id);
    if (c->state.staff.active) {
        /* An associate's order: attributed to them, and only once the customer confirmed. */
        snprintf(o.associate, sizeof o.associate, "%s", c->state.staff.id);
        snprintf(o.confirmed_by, sizeof o.confirmed_by, "%s", se->confirmed_by);
        if (!se->confirmed_by[0]) {
            log_error("core", "associate order without the customer's confirmation: refused");
            answer_now(c, RESULT_ORDER_STORED, seq, KIOSK_E_INVALID);
            return;
        }
    }
    for (int i = 0; i < se->cart_count; i++) {
        snprintf(o.items[i].variant, sizeof o.items[i].variant, "%s", se->cart[i].variant);
        o.items[i].qty = se->cart[i].qty;
    }
    o.item_count = se->cart_count;
    DataQuery q = {.kind = DATA_ORDER_PUT, .seq = seq};
    if (err == KIOSK_OK)
        err = order_encode(&o, c->device_id[0] ? c->device_id : NULL, &q.payload);
    if (err != KIOSK_OK) {
        log_error("core", "order not encoded (%s)", kerr_name(err));
        answer_now(c, RESULT_ORDER_STORED, seq, err);
        return;
    }
    snprintf(q.idempotency_key, sizeof q.idempotency_key, "%s", o.idempotency_key);
    KioskErr put = c->data ? data_submit(c->data, &q) : KIOSK_E_STATE;
    if (put != KIOSK_OK) { /* data_submit took the payload either way */
        if (!c->data)
            free(q.payload);
        answer_now(c, RESULT_ORDER_STORED, seq, KIOSK_E_IO);
    }
}

/* ---- the mirror and associate mode --------------------------------------------------- */

static void find_garment(Core *c, uint32_t seq)
{
    const Session *se = &c->state.session;
    DataQuery q = {.kind = DATA_GARMENT, .seq = seq};
    snprintf(q.text, sizeof q.text, "%s", se->garment_gtin);
    snprintf(q.id, sizeof q.id, "%s", se->product.id);
    ask_data(c, &q, RESULT_GARMENT);
}

static void load_look(Core *c, uint32_t seq)
{
    const Session *se = &c->state.session;
    DataQuery q = {.kind = DATA_LOOK, .seq = seq};
    snprintf(q.seeds[q.seed_count++], sizeof q.seeds[0], "%s", se->product.id);
    snprintf(q.exclude[q.exclude_count++], sizeof q.exclude[0], "%s", se->product.id);
    for (int i = 0; i < se->cart_count && q.exclude_count < DATA_EXCLUDE_MAX; i++)
        snprintf(q.exclude[q.exclude_count++], sizeof q.exclude[0], "%s", se->cart[i].product);
    ask_data(c, &q, RESULT_LOOK);
}

static void fitting(Core *c, bool send, uint32_t seq)
{
    const Session *se = &c->state.session;
    CentralRequest req = {.kind = send ? CENTRAL_FITTING_REQUEST : CENTRAL_FITTING_STATUS};
    if (send) {
        snprintf(req.u.fitting.room, sizeof req.u.fitting.room, "%.32s", c->room);
        snprintf(req.u.fitting.variant, sizeof req.u.fitting.variant, "%s", se->fitting.variant);
        snprintf(req.u.fitting.member, sizeof req.u.fitting.member, "%s", se->member_id);
    } else {
        snprintf(req.u.order_status.id, sizeof req.u.order_status.id, "%s", se->fitting.id);
    }
    ask_central(c, &req, RESULT_FITTING, seq, NULL);
}

/* Associate mode's requests. The app core asks for them only with an associate signed in;
 * checked again here, so no path from a shopper's session reaches a customer's file. */
static void staff_effect(Core *c, EffectType type, uint32_t seq)
{
    const AppState *s = &c->state;
    const Session *se = &s->session;
    CentralRequest req = {0};
    ResultKind kind;
    if (!s->staff.active) {
        log_error("core", "associate request outside associate mode: refused");
        return;
    }
    switch (type) {
    case FX_STAFF_IDENTIFY:
        req.kind = CENTRAL_STAFF_IDENTIFY;
        snprintf(req.u.identify.token, sizeof req.u.identify.token, "%s", s->staff.token);
        snprintf(req.u.identify.uid_hex, sizeof req.u.identify.uid_hex, "%s", s->staff.uid_hex);
        kind = RESULT_STAFF;
        break;
    case FX_LOAD_HISTORY:
    case FX_LOAD_NOTES:
        req.kind = type == FX_LOAD_HISTORY ? CENTRAL_MEMBER_ORDERS : CENTRAL_NOTES;
        snprintf(req.u.member.member, sizeof req.u.member.member, "%s", se->member_id);
        kind = type == FX_LOAD_HISTORY ? RESULT_HISTORY : RESULT_NOTES;
        break;
    case FX_SAVE_NOTE:
        req.kind = CENTRAL_NOTE_ADD;
        snprintf(req.u.note.member, sizeof req.u.note.member, "%s", se->member_id);
        snprintf(req.u.note.associate, sizeof req.u.note.associate, "%s", s->staff.id);
        snprintf(req.u.note.text, sizeof req.u.note.text, "%s", se->note_draft);
        kind = RESULT_NOTE_SAVED;
        break;
    default:
        return;
    }
    ask_central(c, &req, kind, seq, NULL);
}

/* ---- enrollment ------------------------------------------------------------------------ */

/* The device's identity is used from the UI thread, the client's worker and the PIN check:
 * one at a time (device_id.h). */
static KioskErr identity_csr(Core *c, const char *serial, char **pem)
{
    pthread_mutex_lock(&c->identity_lock);
    KioskErr err = device_id_csr(c->identity, serial, pem);
    pthread_mutex_unlock(&c->identity_lock);
    return err;
}

typedef struct EnrollAsk {
    Core *core;
    uint32_t seq;
} EnrollAsk;

/* On the client's worker: keep the identity the service issued, then tell the app. */
static void on_enrolled(const CentralReply *reply, void *ctx)
{
    EnrollAsk *a = ctx;
    Core *c = a->core;
    Result *r = result_new(RESULT_ENROLLED, a->seq);
    free(a);
    if (reply->result == CENTRAL_CANCELLED || !r) {
        result_free(r);
        return;
    }
    if (reply->result != CENTRAL_OK) {
        r->err = unreachable(reply->result) ? KIOSK_E_IO : KIOSK_E_INVALID;
        r->offline = unreachable(reply->result);
        snprintf(r->refusal, sizeof r->refusal, "%s",
                 reply->error_code[0]         ? reply->error_code
                 : unreachable(reply->result) ? "offline"
                                              : central_result_name(reply->result));
        post_result(c, r);
        return;
    }
    const CentralEnrollment *e = &reply->payload.enrollment;
    int64_t now = (int64_t)time(NULL);
    char *record = NULL;
    json_t *pin = json_loads(e->service_pin, JSON_DECODE_ANY, NULL);
    json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:o}", "device_id", e->device_id, "store", e->store,
                          "kind", c->mode == KIOSK_MODE_MIRROR ? "mirror" : "kiosk", "enrolled_at",
                          (json_int_t)now, "service_pin", pin ? pin : json_null());
    if (o && e->heartbeat_seconds > 0)
        json_object_set_new(o, "heartbeat_seconds", json_integer(e->heartbeat_seconds));
    record = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    pthread_mutex_lock(&c->identity_lock);
    r->err = record ? device_id_store_enrollment(c->identity, e->certificate, record, now)
                    : KIOSK_E_NOMEM;
    pthread_mutex_unlock(&c->identity_lock);
    free(record);
    if (r->err == KIOSK_OK) {
        snprintf(r->u.enrolled.device_id, sizeof r->u.enrolled.device_id, "%s", e->device_id);
        snprintf(r->u.enrolled.store, sizeof r->u.enrolled.store, "%s", e->store);
        log_info("core", "enrolled as %s for store %s", e->device_id, e->store);
    } else {
        snprintf(r->refusal, sizeof r->refusal, "not_stored");
        log_error("core", "the issued identity was not stored (%s)", kerr_name(r->err));
    }
    post_result(c, r);
}

/* FX_ENROLL: a CSR for the device's key and the technician's code. Asked whatever the app
 * thinks of the network: the answer is the test of it. */
static void enroll(Core *c, uint32_t seq)
{
    const Setup *st = &c->state.setup;
    CentralRequest *req = calloc(1, sizeof *req);
    EnrollAsk *a = calloc(1, sizeof *a);
    char *csr = NULL;
    uint32_t id;
    KioskErr err = req && a ? KIOSK_OK : KIOSK_E_NOMEM;
    if (err == KIOSK_OK && (!c->central || !c->identity))
        err = KIOSK_E_STATE;
    if (err == KIOSK_OK)
        err = identity_csr(c, c->serial, &csr);
    if (err == KIOSK_OK && strlen(csr) >= sizeof req->u.enroll.csr)
        err = KIOSK_E_TOOBIG;
    if (err == KIOSK_OK) {
        req->kind = CENTRAL_ENROLL;
        snprintf(req->u.enroll.serial, sizeof req->u.enroll.serial, "%.64s", c->serial);
        snprintf(req->u.enroll.code, sizeof req->u.enroll.code, "%s", st->code);
        snprintf(req->u.enroll.kind, sizeof req->u.enroll.kind, "%s",
                 c->mode == KIOSK_MODE_MIRROR ? "mirror" : "kiosk");
        snprintf(req->u.enroll.version, sizeof req->u.enroll.version, "%s", KIOSK_VERSION);
        memcpy(req->u.enroll.csr, csr, strlen(csr) + 1);
        *a = (EnrollAsk){.core = c, .seq = seq};
        err = central_submit_cb(c->central, req, on_enrolled, a, &id);
    }
    free(csr);
    free(req);
    if (err == KIOSK_OK)
        return;
    free(a);
    log_error("core", "enrollment not sent (%s)", kerr_name(err));
    Result *r = result_new(RESULT_ENROLLED, seq);
    if (r) {
        r->err = err;
        snprintf(r->refusal, sizeof r->refusal, "%s", c->central ? "not_sent" : "no_central");
    }
    post_result_now(c, r);
}

/* On the client's worker: the renewed certificate replaces the old one, the enrollment
 * record kept as it is (device.json, read again: the renewal changes only the dates). */
static void on_renewed(const CentralReply *reply, void *ctx)
{
    EnrollAsk *a = ctx;
    Core *c = a->core;
    Result *r = result_new(RESULT_RENEWED, a->seq);
    free(a);
    if (reply->result == CENTRAL_CANCELLED || !r) {
        result_free(r);
        return;
    }
    r->err = KIOSK_E_IO;
    if (reply->result == CENTRAL_OK) {
        char path[CONFIG_PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/%s", c->data_dir, DEVICE_ID_RECORD_FILE);
        json_t *rec = json_load_file(path, 0, NULL);
        if (rec)
            json_object_del(rec, "expires_at"); /* the new certificate's own */
        char *text = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
        json_decref(rec);
        r->err =
            text ? device_id_store_enrollment(c->identity, reply->payload.enrollment.certificate,
                                              text, (int64_t)time(NULL))
                 : KIOSK_E_IO;
        free(text);
    }
    if (r->err == KIOSK_OK)
        log_info("core", "certificate renewed");
    else
        log_warn("core", "certificate not renewed (%s, %s)", central_result_name(reply->result),
                 reply->error_code[0] ? reply->error_code : kerr_name(r->err));
    post_result(c, r);
}

static void renew(Core *c, uint32_t seq)
{
    CentralRequest *req = calloc(1, sizeof *req);
    EnrollAsk *a = calloc(1, sizeof *a);
    char *csr = NULL;
    uint32_t id;
    KioskErr err = req && a && c->identity && c->central ? KIOSK_OK : KIOSK_E_STATE;
    if (err == KIOSK_OK)
        err = identity_csr(c, c->serial[0] ? c->serial : c->device_id, &csr);
    if (err == KIOSK_OK && strlen(csr) >= sizeof req->u.enroll.csr)
        err = KIOSK_E_TOOBIG;
    if (err == KIOSK_OK) {
        req->kind = CENTRAL_RENEW;
        memcpy(req->u.enroll.csr, csr, strlen(csr) + 1);
        *a = (EnrollAsk){.core = c, .seq = seq};
        err = central_submit_cb(c->central, req, on_renewed, a, &id);
    }
    free(csr);
    free(req);
    if (err != KIOSK_OK) {
        free(a);
        log_warn("core", "certificate renewal not sent (%s)", kerr_name(err));
        Result *r = result_new(RESULT_RENEWED, seq);
        if (r)
            r->err = err;
        post_result_now(c, r);
    }
}

bool core_restart_wanted(const Core *c)
{
    return c->restart;
}

bool core_reset_wanted(const Core *c)
{
    return c->reset;
}

/* ---- the service PIN --------------------------------------------------------------------- */

/* A job on a thread of its own (a PIN check, the service checks): core_destroy waits for it. */
static bool start_job(Core *c, void *(*fn)(void *), void *arg)
{
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_mutex_lock(&c->identity_lock);
    c->jobs++;
    bool started = pthread_create(&t, &attr, fn, arg) == 0;
    if (!started)
        c->jobs--;
    pthread_mutex_unlock(&c->identity_lock);
    pthread_attr_destroy(&attr);
    return started;
}

static void end_job(Core *c)
{
    pthread_mutex_lock(&c->identity_lock);
    c->jobs--;
    pthread_cond_broadcast(&c->jobs_done);
    pthread_mutex_unlock(&c->identity_lock);
}

typedef struct PinCheck {
    Core *core;
    uint32_t seq;
    int failures; /* wrong PINs in a row before this one */
    char pin[APP_SERVICE_PIN_MAX + 1];
} PinCheck;

/* PBKDF2 takes a fifth of a second or more: on a thread of its own, never the UI's. */
static void *check_pin(void *arg)
{
    PinCheck *p = arg;
    Core *c = p->core;
    Result *r = result_new(RESULT_PIN_CHECKED, p->seq);
    pthread_mutex_lock(&c->identity_lock);
    KioskErr err = c->identity ? device_id_check_pin(c->identity, p->pin) : KIOSK_E_STATE;
    if (err == KIOSK_OK || err == KIOSK_E_INVALID) {
        /* The wait after wrong PINs outlives a restart: the app's count, noted on disk. */
        int failures = err == KIOSK_OK ? 0 : p->failures + 1;
        uint32_t wait_ms = app_service_wait_ms(failures);
        int64_t until = wait_ms ? (int64_t)time(NULL) + (wait_ms + 999) / 1000 : 0;
        device_id_note_pin_wait(c->identity, failures, until);
    }
    pthread_mutex_unlock(&c->identity_lock);
    volatile char *v = p->pin; /* the PIN goes as soon as it is checked */
    for (size_t i = 0; i < sizeof p->pin; i++)
        v[i] = 0;
    free(p);
    if (r) {
        r->err = err;
        post_result(c, r);
    }
    end_job(c);
    return NULL;
}

typedef struct DiagJob {
    Core *core;
    uint32_t seq;
} DiagJob;

/* The service screen's checks: a timed call to the service, the disk, the update state. */
static void *run_diag(void *arg)
{
    DiagJob *d = arg;
    Core *c = d->core;
    Result *r = result_new(RESULT_DIAG, d->seq);
    free(d);
    if (r) {
        json_t *net = diag_network(c->central, c->central_url);
        json_t *disk = diag_storage(c->data_dir);
        r->u.diag.reachable = json_is_true(json_object_get(net, "reachable"));
        r->u.diag.latency_ms = (long)json_integer_value(json_object_get(net, "latency_ms"));
        json_t *days = json_object_get(net, "certificate_days_left");
        r->u.diag.certificate_days = days ? json_integer_value(days) : -1;
        r->u.diag.device_enrolled =
            core_device_certificate_days(c, &r->u.diag.device_certificate_days);
        r->u.diag.free_bytes = json_integer_value(json_object_get(disk, "free_bytes"));
        r->u.diag.free_percent = (int)json_integer_value(json_object_get(disk, "free_percent"));
        diag_update(r->u.diag.update, sizeof r->u.diag.update);
        json_decref(net);
        json_decref(disk);
        post_result(c, r);
    }
    end_job(c);
    return NULL;
}

static void start_diag(Core *c, uint32_t seq)
{
    DiagJob *d = calloc(1, sizeof *d);
    if (d) {
        *d = (DiagJob){.core = c, .seq = seq};
        if (start_job(c, run_diag, d))
            return;
        free(d);
    }
    answer_now(c, RESULT_DIAG, seq, KIOSK_E_NOMEM);
}

static void start_pin_check(Core *c, uint32_t seq)
{
    PinCheck *p = calloc(1, sizeof *p);
    if (p) {
        *p = (PinCheck){.core = c, .seq = seq, .failures = c->state.service.failures};
        snprintf(p->pin, sizeof p->pin, "%s", c->state.service.pin);
        if (start_job(c, check_pin, p))
            return;
        free(p);
    }
    answer_now(c, RESULT_PIN_CHECKED, seq, KIOSK_E_NOMEM);
}

bool core_take_screenshot_request(Core *c)
{
    bool wanted = c->screenshot;
    c->screenshot = false;
    return wanted;
}

static void on_screenshot_sent(const CentralReply *reply, void *ctx)
{
    (void)ctx;
    if (reply->result == CENTRAL_OK)
        log_info("core", "the screenshot for support reached the central service");
    else if (reply->result != CENTRAL_CANCELLED)
        log_warn("core", "the screenshot for support was not sent: %s",
                 reply->error_code[0] ? reply->error_code : central_result_name(reply->result));
}

void core_send_screenshot(Core *c, const char *path)
{
    CentralRequest req = {.kind = CENTRAL_SCREENSHOT};
    uint32_t id;
    if (snprintf(req.u.screenshot.path, sizeof req.u.screenshot.path, "%s", path) >=
            (int)sizeof req.u.screenshot.path ||
        !c->central || !c->device_id[0] ||
        central_submit_cb(c->central, &req, on_screenshot_sent, NULL, &id) != KIOSK_OK)
        log_warn("core", "the screenshot for support cannot be sent: kept on the device only");
}

/* ---- the heartbeat ----------------------------------------------------------------------- */

/* The store's configuration from a heartbeat: a changed service PIN record replaces the
 * one kept with the enrollment (same certificate, same record otherwise). On the client's
 * worker. Returns whether a PIN is set now. */
static bool keep_pin_record(Core *c, const char *pin_json)
{
    char path[CONFIG_PATH_MAX + 32], *cert = NULL, *text = NULL;
    bool set = strcmp(pin_json, "null") != 0;
    snprintf(path, sizeof path, "%s/%s", c->data_dir, DEVICE_ID_RECORD_FILE);
    json_t *rec = json_load_file(path, 0, NULL);
    json_t *pin = json_loads(pin_json, JSON_DECODE_ANY, NULL);
    if (!rec || !pin || json_equal(json_object_get(rec, "service_pin"), pin))
        goto out;
    json_object_set(rec, "service_pin", pin);
    json_object_del(rec, "expires_at"); /* the certificate's own */
    text = json_dumps(rec, JSON_COMPACT);
    snprintf(path, sizeof path, "%s/%s", c->data_dir, DEVICE_ID_CERT_FILE);
    FILE *f = fopen(path, "r");
    if (f) {
        cert = calloc(1, DEVICE_ID_CERT_MAX + 1);
        if (cert && fread(cert, 1, DEVICE_ID_CERT_MAX, f) == 0) {
            free(cert);
            cert = NULL;
        }
        fclose(f);
    }
    if (text && cert) {
        pthread_mutex_lock(&c->identity_lock);
        KioskErr err = device_id_store_enrollment(c->identity, cert, text, (int64_t)time(NULL));
        pthread_mutex_unlock(&c->identity_lock);
        log_info("core", "the store's service PIN %s (%s)", set ? "changed" : "was removed",
                 err == KIOSK_OK ? "kept" : kerr_name(err));
    }
out:
    free(cert);
    free(text);
    json_decref(pin);
    json_decref(rec);
    return set;
}

static void on_heartbeat_reply(const CentralReply *reply, void *ctx)
{
    Core *c = ctx;
    if (reply->result == CENTRAL_CANCELLED)
        return;
    if (reply->result == CENTRAL_OK && reply->payload.heartbeat.has_config && c->identity)
        keep_pin_record(c, reply->payload.heartbeat.service_pin);
    Result *r = result_new(RESULT_HEARTBEAT, 0);
    if (!r)
        return;
    if (reply->result == CENTRAL_OK) {
        r->u.heartbeat = reply->payload.heartbeat;
        /* The service says when to renew; the device's own reckoning (the last third of
         * the certificate's life, or its last day) stands in when the service does not. */
        pthread_mutex_lock(&c->identity_lock);
        bool due = device_id_renewal_due(c->identity, (int64_t)time(NULL), RENEW_LAST_DAYS);
        pthread_mutex_unlock(&c->identity_lock);
        if (due && !r->u.heartbeat.renew_certificate) {
            log_info("core", "the device certificate is due for renewal");
            r->u.heartbeat.renew_certificate = true;
        }
    } else {
        r->err = KIOSK_E_IO;
        snprintf(r->refusal, sizeof r->refusal, "%s",
                 reply->error_code[0] ? reply->error_code : central_result_name(reply->result));
        /* A refusal here is news for a technician: revoked, superseded, unknown device. */
        log_warn("core", "heartbeat: %s (http %ld)", r->refusal, reply->http_status);
    }
    post_result(c, r);
}

/* Setup: whether the central service answers, for the setup screen. Any HTTP answer counts
 * (an unenrolled device may be refused); the reply comes back as RESULT_SYNC's online. */
static void on_probe_reply(const CentralReply *reply, void *ctx)
{
    Core *c = ctx;
    if (reply->result == CENTRAL_CANCELLED)
        return;
    Result *r = result_new(RESULT_SYNC, 0);
    if (!r)
        return;
    r->u.sync.online = reply->result == CENTRAL_OK || reply->result == CENTRAL_REFUSED;
    post_result(c, r);
}

static void probe(Core *c)
{
    CentralRequest req = {.kind = CENTRAL_STORES};
    uint32_t id;
    if (!c->central || central_submit_cb(c->central, &req, on_probe_reply, c, &id) != KIOSK_OK)
        log_warn("core", "the central service could not be asked whether it answers");
}

static void heartbeat(Core *c)
{
    const AppState *s = &c->state;
    CentralRequest req = {.kind = CENTRAL_HEARTBEAT};
    snprintf(req.u.heartbeat.version, sizeof req.u.heartbeat.version, "%s", KIOSK_VERSION);
    snprintf(req.u.heartbeat.screen, sizeof req.u.heartbeat.screen, "%s",
             app_screen_name(s->screen));
    req.u.heartbeat.uptime_seconds = (int64_t)((core_now(c) - c->started_ms) / 1000);
    req.u.heartbeat.outbox_depth = s->outbox_depth;
    req.u.heartbeat.online = s->online;
    snprintf(req.u.heartbeat.nfc, sizeof req.u.heartbeat.nfc, "%s",
             !s->reader_present    ? "none"
             : s->reader_connected ? "ok"
                                   : "lost");
    req.u.heartbeat.last_sync = s->last_sync;
    int64_t days;
    req.u.heartbeat.certificate_days = core_device_certificate_days(c, &days) ? days : -1;
    uint32_t id;
    if (!c->central || central_submit_cb(c->central, &req, on_heartbeat_reply, c, &id) != KIOSK_OK)
        log_warn("core", "heartbeat not sent");
}

static void data_effect(Core *c, DataQueryKind kind, ResultKind rk, uint32_t seq)
{
    const Session *se = &c->state.session;
    DataQuery q = {.kind = kind, .seq = seq};
    switch (kind) {
    case DATA_BROWSE:
        snprintf(q.text, sizeof q.text, "%s", se->category);
        q.offset = se->browse_page * APP_PAGE_CARDS;
        break;
    case DATA_SEARCH:
        snprintf(q.text, sizeof q.text, "%s", se->query);
        break;
    case DATA_PRODUCT:
        snprintf(q.id, sizeof q.id, "%s", se->product.id);
        break;
    default:
        break;
    }
    ask_data(c, &q, rk);
}

uint64_t core_now(const Core *c)
{
    return c->clock.now_ms(c->clock.ctx);
}

static void apply_effects(Core *c, const Effects *fx, uint64_t now)
{
    for (int i = 0; i < fx->count; i++) {
        const Effect *e = &fx->items[i];
        switch (e->type) {
        case FX_TIMER_ARM:
            timers_arm(&c->timers, e->timer, now + e->delay_ms);
            break;
        case FX_TIMER_CANCEL:
            timers_cancel(&c->timers, e->timer);
            break;
        case FX_FETCH_PROFILE:
            fetch_profile(c);
            break;
        case FX_FETCH_MEMBER:
            fetch_member(c);
            break;
        case FX_PAIRING_CREATE:
            pairing_create(c);
            break;
        case FX_PAIRING_POLL:
            pairing_poll(c);
            break;
        case FX_PAIRING_STOP:
            pairing_stop(c);
            break;
        case FX_LOAD_RECS:
            load_recs(c, e->seq);
            break;
        case FX_LOAD_OFFERS:
            load_offers(c, e->seq);
            break;
        case FX_LOAD_CATEGORIES:
            data_effect(c, DATA_CATEGORIES, RESULT_CATEGORIES, e->seq);
            break;
        case FX_LOAD_BROWSE:
            data_effect(c, DATA_BROWSE, RESULT_BROWSE, e->seq);
            break;
        case FX_SEARCH:
            data_effect(c, DATA_SEARCH, RESULT_SEARCH, e->seq);
            break;
        case FX_LOAD_PRODUCT:
            data_effect(c, DATA_PRODUCT, RESULT_PRODUCT, e->seq);
            break;
        case FX_LOAD_STOCK:
            load_stock(c, e->seq);
            break;
        case FX_LOAD_SHIPPING:
            load_shipping(c, e->seq);
            break;
        case FX_PLACE_ORDER:
            place_order(c, e->seq);
            break;
        case FX_HANDOFF:
            handoff(c, e->seq);
            break;
        case FX_SYNC_KICK:
            sync_kick(c->sync);
            break;
        case FX_FIND_GARMENT:
            find_garment(c, e->seq);
            break;
        case FX_LOAD_LOOK:
            load_look(c, e->seq);
            break;
        case FX_FITTING_SEND:
        case FX_FITTING_POLL:
            fitting(c, e->type == FX_FITTING_SEND, e->seq);
            break;
        case FX_STAFF_IDENTIFY:
        case FX_LOAD_HISTORY:
        case FX_LOAD_NOTES:
        case FX_SAVE_NOTE:
            staff_effect(c, e->type, e->seq);
            break;
        case FX_ENROLL:
            enroll(c, e->seq);
            break;
        case FX_RESTART:
            c->restart = true;
            break;
        case FX_HEARTBEAT:
            heartbeat(c);
            break;
        case FX_SCREENSHOT:
            c->screenshot = true;
            break;
        case FX_RENEW:
            renew(c, e->seq);
            break;
        case FX_CHECK_PIN:
            start_pin_check(c, e->seq);
            break;
        case FX_FACTORY_RESET:
            c->reset = true;
            c->restart = true;
            break;
        case FX_PROBE:
            probe(c);
            break;
        case FX_DIAG:
            start_diag(c, e->seq);
            break;
        }
    }
}

static bool dispatch(Core *c, const Event *ev, uint64_t now)
{
    Effects fx = {.count = 0};
    ScreenId before = c->state.screen;
    bool changed = app_dispatch(&c->state, ev, now, &fx);
    apply_effects(c, &fx, now);
    if (c->state.screen != before)
        log_info("core", "screen %s -> %s (%s)", app_screen_name(before),
                 app_screen_name(c->state.screen), event_type_name(ev->type));
    return changed;
}

bool core_step(Core *c, CoreForeignFn foreign, void *ctx)
{
    bool changed = false;
    Event ev;
    while (evq_take(c->queue, &ev) == KIOSK_OK) {
        if (ev.type == EV_CONTROL || ev.type == EV_QUIT) {
            foreign(ctx, &ev);
            continue;
        }
        changed |= dispatch(c, &ev, core_now(c));
        if (ev.type == EV_RESULT)
            result_free(ev.u.result.result);
    }
    uint64_t now = core_now(c);
    TimerId id;
    while (timers_pop_due(&c->timers, now, &id)) {
        Event t = {.type = EV_TIMER, .u.timer.id = id};
        changed |= dispatch(c, &t, now);
    }
    return changed;
}

int64_t core_next_timeout(const Core *c)
{
    return timers_next_in(&c->timers, core_now(c));
}

struct CentralClient *core_central(const Core *c)
{
    return c->central;
}

bool core_device_certificate_days(Core *c, int64_t *days)
{
    pthread_mutex_lock(&c->identity_lock);
    bool known =
        c->identity && device_id_days_left(c->identity, (int64_t)time(NULL), days) == KIOSK_OK;
    pthread_mutex_unlock(&c->identity_lock);
    return known;
}

const AppState *core_state(const Core *c)
{
    return &c->state;
}

EventQueue *core_queue(const Core *c)
{
    return c->queue;
}

KioskErr core_post_intent(Core *c, Intent intent, int32_t arg)
{
    Event ev = {.type = EV_INTENT, .u.intent = {intent, arg}};
    return evq_post(c->queue, &ev);
}
