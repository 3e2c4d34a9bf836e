/* core.c: see core.h. */
#include "core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "central.h"
#include "log.h"

struct Core {
    AppState state;
    Timers timers;
    EventQueue *queue; /* borrowed */
    Clock clock;
    CentralClient *central; /* NULL: no central service configured, or it could not start */
    uint32_t pairing_poll;  /* the outstanding long-poll, 0 if none */
};

#define PAIRING_WAIT_S   25   /* each long-poll; the app renews it until the code is claimed */
#define POST_RETRIES_MAX 1000 /* 1 ms apart: how long a reply waits for room in the queue */

/* Replies must not be lost: the UI thread drains the queue every frame, so a full queue is
 * brief. Bounded all the same: during core_destroy the UI thread is joining this worker
 * and drains nothing, and a reply then is for a kiosk that is stopping anyway. */
static void post_blocking(Core *c, const Event *ev)
{
    for (int tries = 0; evq_post(c->queue, ev) == KIOSK_E_FULL; tries++) {
        if (tries == POST_RETRIES_MAX) {
            log_warn("core", "event queue full: dropped a %s event", event_type_name(ev->type));
            return;
        }
        struct timespec pause = {0, 1000000L};
        nanosleep(&pause, NULL);
    }
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

static void start_central(Core *c, const KioskConfig *cfg)
{
    if (!cfg->central_url[0])
        return;
    CentralConfig cc = {
        .base_url = cfg->central_url,
        .ca_file = cfg->central_ca_file[0] ? cfg->central_ca_file : NULL,
        .connect_timeout_ms = cfg->connect_timeout_ms,
        .total_timeout_ms = cfg->request_timeout_ms,
        .store_id = cfg->store_id[0] ? cfg->store_id : NULL,
    };
    KioskErr err;
    c->central = central_create(&cc, on_central_reply, c, &err);
    if (!c->central) /* the kiosk still serves from what it knows */
        log_error("core",
                  "central service client not started (%s): check [central] url and "
                  "ca_file",
                  kerr_name(err));
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
    start_central(c, cfg);
    return c;
}

void core_destroy(Core *c)
{
    if (!c)
        return;
    central_destroy(c->central); /* cancelled replies still find the queue: it outlives us */
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
