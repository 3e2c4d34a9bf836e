/* core.c: see core.h. */
#include "core.h"

#include <stdlib.h>

#include "log.h"

struct Core {
    AppState state;
    Timers timers;
    EventQueue *queue; /* borrowed */
    Clock clock;
};

Core *core_create(const KioskConfig *cfg, EventQueue *q, Clock clock)
{
    Core *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    app_init(&c->state, cfg);
    timers_init(&c->timers);
    c->queue = q;
    c->clock = clock;
    return c;
}

void core_destroy(Core *c)
{
    free(c);
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
