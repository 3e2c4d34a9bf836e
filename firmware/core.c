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
};

/* On the client's worker thread: keep what the app needs, post it, return. */
static void on_central_reply(const CentralReply *r, void *ctx)
{
    Core *c = ctx;
    if (r->kind != CENTRAL_IDENTIFY)
        return;
    Event ev = {.type = EV_PROFILE};
    ProfileEvent *p = &ev.u.profile;
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
    log_info("core", "profile: %s after %ld ms", central_result_name(r->result), r->elapsed_ms);
    while (evq_post(c->queue, &ev) == KIOSK_E_FULL) {
        struct timespec pause = {0, 1000000L};
        nanosleep(&pause, NULL);
    }
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

/* Asks who the signed-in member is; a request that cannot even be queued answers itself. */
static void fetch_profile(Core *c)
{
    const Session *se = &c->state.session;
    CentralRequest req = {.kind = CENTRAL_IDENTIFY};
    snprintf(req.u.identify.token, sizeof req.u.identify.token, "%s", se->token);
    snprintf(req.u.identify.uid_hex, sizeof req.u.identify.uid_hex, "%s", se->uid_hex);
    uint32_t id;
    KioskErr err = c->central ? central_submit(c->central, &req, &id) : KIOSK_E_STATE;
    if (err == KIOSK_OK)
        return;
    Event ev = {.type = EV_PROFILE, .u.profile.result = CENTRAL_OFFLINE};
    evq_post(c->queue, &ev);
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
