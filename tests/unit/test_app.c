/* test_app.c: the app core's rules, driven event by event on a hand-set clock: sessions
 * start and end, languages switch and reset, "Still there?" counts down and wipes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "app.h"
#include "core.h"

typedef struct Fixture {
    KioskConfig cfg;
    EventQueue *q;
    Core *core;
    uint64_t now;
    int foreign;
} Fixture;

static uint64_t hand_clock(void *ctx)
{
    return ((Fixture *)ctx)->now;
}

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    config_defaults(&f->cfg);
    f->cfg.idle_seconds = 60;
    f->cfg.warning_seconds = 20;
    /* the core's data worker keeps its store here, never in the machine's /var/lib/kiosk */
    snprintf(f->cfg.data_dir, sizeof f->cfg.data_dir, "%s", "/tmp/kiosk-app-XXXXXX");
    assert_non_null(mkdtemp(f->cfg.data_dir));
    f->now = 1000;
    f->q = evq_create(32, NULL, NULL);
    f->core = core_create(&f->cfg, f->q, (Clock){hand_clock, f});
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    core_destroy(f->core);
    Event ev; /* results the data worker posted after the last step */
    while (evq_take(f->q, &ev) == KIOSK_OK)
        if (ev.type == EV_RESULT)
            result_free(ev.u.result.result);
    evq_destroy(f->q);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->cfg.data_dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void on_foreign(void *ctx, const Event *ev)
{
    Fixture *f = ctx;
    f->foreign++;
    assert_true(ev->type == EV_QUIT || ev->type == EV_CONTROL);
}

static const AppState *step(Fixture *f)
{
    core_step(f->core, on_foreign, f);
    return core_state(f->core);
}

static void intent(Fixture *f, Intent i, int arg)
{
    assert_int_equal(core_post_intent(f->core, i, arg), KIOSK_OK);
}

static void starts_on_attract(void **state)
{
    Fixture *f = *state;
    const AppState *s = step(f);
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    assert_false(s->session.active);
    assert_string_equal(app_language(s), "en");
    assert_int_equal(core_next_timeout(f->core), -1); /* no timers while nobody is there */
}

static void start_opens_identify_and_arms_idle(void **state)
{
    Fixture *f = *state;
    uint64_t v0 = step(f)->version;
    intent(f, INTENT_START, 0);
    const AppState *s = step(f);
    assert_int_equal(s->screen, SCREEN_IDENTIFY);
    assert_true(s->session.active);
    assert_true(s->version > v0);
    assert_int_equal(core_next_timeout(f->core), 60000);
}

static void language_choice_and_reset(void **state)
{
    Fixture *f = *state;
    intent(f, INTENT_SET_LANGUAGE, 2);
    assert_string_equal(app_language(step(f)), "fr");
    uint64_t v = core_state(f->core)->version;
    intent(f, INTENT_SET_LANGUAGE, 7); /* no such language: ignored */
    intent(f, INTENT_SET_LANGUAGE, -1);
    assert_string_equal(app_language(step(f)), "fr");
    assert_int_equal(core_state(f->core)->version, v);
    intent(f, INTENT_START, 0);
    intent(f, INTENT_BACK, 0);
    const AppState *s = step(f);
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    assert_string_equal(app_language(s), "en"); /* the next shopper starts fresh */
}

static void idle_warning_then_wipe(void **state)
{
    Fixture *f = *state;
    intent(f, INTENT_START, 0);
    step(f);
    f->now += 59999;
    assert_false(step(f)->idle_warning);
    f->now += 1;
    const AppState *s = step(f);
    assert_true(s->idle_warning);
    assert_int_equal(s->wipe_at_ms, f->now + 20000);
    assert_int_equal(s->screen, SCREEN_IDENTIFY);
    f->now += 19999;
    assert_int_equal(step(f)->screen, SCREEN_IDENTIFY);
    f->now += 1;
    s = step(f);
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    assert_false(s->idle_warning);
    assert_false(s->session.active);
    assert_int_equal(core_next_timeout(f->core), -1);
}

static void one_touch_keeps_the_session(void **state)
{
    Fixture *f = *state;
    intent(f, INTENT_START, 0);
    step(f);
    f->now += 60000;
    assert_true(step(f)->idle_warning);
    f->now += 10000;
    Event touch = {.type = EV_TOUCH};
    evq_post(f->q, &touch);
    const AppState *s = step(f);
    assert_false(s->idle_warning);
    assert_int_equal(s->screen, SCREEN_IDENTIFY);
    f->now += 15000; /* past the old wipe time: nothing happens */
    s = step(f);
    assert_int_equal(s->screen, SCREEN_IDENTIFY);
    assert_false(s->idle_warning);
    assert_int_equal(core_next_timeout(f->core), 60000 - 15000);
}

static void still_here_and_done_buttons(void **state)
{
    Fixture *f = *state;
    intent(f, INTENT_STILL_HERE, 0); /* nothing to answer: no change */
    assert_int_equal(step(f)->version, 0);
    intent(f, INTENT_START, 0);
    step(f);
    f->now += 60000;
    step(f);
    intent(f, INTENT_STILL_HERE, 0);
    assert_false(step(f)->idle_warning);
    f->now += 60000;
    step(f);
    intent(f, INTENT_END_SESSION, 0);
    const AppState *s = step(f);
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    assert_false(s->session.active);
}

static void session_data_is_overwritten(void **state)
{
    Fixture *f = *state;
    AppState s;
    app_init(&s, &f->cfg);
    Effects fx = {0};
    Event start = {.type = EV_INTENT, .u.intent = {INTENT_START, 0}};
    app_dispatch(&s, &start, 0, &fx);
    strcpy(s.session.member_id, "M-0042");
    s.session.cart_count = 3;
    Event done = {.type = EV_INTENT, .u.intent = {INTENT_END_SESSION, 0}};
    fx.count = 0;
    assert_true(app_dispatch(&s, &done, 0, &fx));
    Session zero;
    memset(&zero, 0, sizeof zero);
    zero.points = -1; /* "not known" */
    assert_memory_equal(&s.session, &zero, sizeof zero);
    /* and it asked for every timer of the session to stop */
    bool cancelled[TIMER_COUNT] = {false};
    for (int i = 0; i < fx.count; i++)
        if (fx.items[i].type == FX_TIMER_CANCEL)
            cancelled[fx.items[i].timer] = true;
    assert_true(cancelled[TIMER_IDLE]);
    assert_true(cancelled[TIMER_WIPE]);
    assert_true(cancelled[TIMER_STOCK]);
    assert_true(cancelled[TIMER_ORDER]);
    assert_true(cancelled[TIMER_SEARCH]);
}

static void stale_timer_on_attract_is_ignored(void **state)
{
    Fixture *f = *state;
    AppState s;
    app_init(&s, &f->cfg);
    Effects fx = {0};
    Event wipe = {.type = EV_TIMER, .u.timer.id = TIMER_WIPE};
    assert_false(app_dispatch(&s, &wipe, 5, &fx));
    assert_int_equal(fx.count, 0);
}

static void post_identity(Fixture *f, IdentityKind kind, const char *member, IdentityRefusal why)
{
    Event ev = {.type = EV_IDENTITY};
    ev.u.identity.kind = kind;
    ev.u.identity.refusal = why;
    ev.u.identity.source = SOURCE_CARD;
    snprintf(ev.u.identity.member_id, sizeof ev.u.identity.member_id, "%s", member);
    snprintf(ev.u.identity.token, sizeof ev.u.identity.token, "NT1.token-of-%s", member);
    assert_int_equal(evq_post(f->q, &ev), KIOSK_OK);
}

static void member_tap_greets_from_any_screen(void **state)
{
    Fixture *f = *state;
    post_identity(f, IDENTITY_MEMBER, "M-0007", REFUSED_NONE);
    const AppState *s = step(f);
    assert_int_equal(s->screen, SCREEN_HOME);
    assert_string_equal(s->session.member_id, "M-0007");
    assert_string_equal(s->session.token, "NT1.token-of-M-0007");
    assert_true(s->session.active);
    assert_int_equal(s->session.points, -1); /* not known until the central service says */
    assert_int_equal(core_next_timeout(f->core), 60000);
}

static void second_shopper_replaces_the_first(void **state)
{
    Fixture *f = *state;
    post_identity(f, IDENTITY_MEMBER, "M-0001", REFUSED_NONE);
    step(f);
    AppState *mut = (AppState *)core_state(f->core);
    strcpy(mut->session.display_name, "Ana"); /* as the profile will fill it */
    mut->session.cart_count = 2;
    post_identity(f, IDENTITY_MEMBER, "M-0002", REFUSED_NONE);
    const AppState *s = step(f);
    assert_string_equal(s->session.member_id, "M-0002");
    assert_string_equal(s->session.display_name, "");
    assert_int_equal(s->session.cart_count, 0);
    assert_int_equal(s->screen, SCREEN_HOME);
}

static void badges_and_refusals_get_a_notice_not_a_session(void **state)
{
    static const struct {
        IdentityKind kind;
        IdentityRefusal why;
        Notice notice;
    } cases[] = {
        {IDENTITY_STAFF, REFUSED_NONE, NOTICE_STAFF_BADGE},
        {IDENTITY_TECHNICIAN, REFUSED_NONE, NOTICE_TECHNICIAN},
        {IDENTITY_GARMENT, REFUSED_NONE, NOTICE_PRODUCT_TAG},
        {IDENTITY_REFUSED, REFUSED_EXPIRED, NOTICE_CARD_EXPIRED},
        {IDENTITY_REFUSED, REFUSED_INVALID, NOTICE_CARD_INVALID},
        {IDENTITY_REFUSED, REFUSED_UNREADABLE, NOTICE_CARD_UNREADABLE},
        {IDENTITY_REFUSED, REFUSED_UNKNOWN_TAG, NOTICE_TAG_UNKNOWN},
    };
    Fixture *f = *state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        post_identity(f, cases[i].kind, "S-0001", cases[i].why);
        const AppState *s = step(f);
        assert_int_equal(s->notice, cases[i].notice);
        assert_int_equal(s->screen, SCREEN_ATTRACT);
        assert_false(s->session.active);
        assert_string_equal(s->session.member_id, "");
    }
    /* the message goes by itself */
    f->now += APP_NOTICE_MS - 1;
    assert_int_not_equal(step(f)->notice, NOTICE_NONE);
    f->now += 1;
    assert_int_equal(step(f)->notice, NOTICE_NONE);
}

static void a_member_tap_clears_a_notice(void **state)
{
    Fixture *f = *state;
    post_identity(f, IDENTITY_REFUSED, "", REFUSED_UNREADABLE);
    step(f);
    post_identity(f, IDENTITY_MEMBER, "M-0003", REFUSED_NONE);
    const AppState *s = step(f);
    assert_int_equal(s->notice, NOTICE_NONE);
    assert_int_equal(s->screen, SCREEN_HOME);
}

static void reader_state_follows_the_worker(void **state)
{
    Fixture *f = *state;
    Event ev = {.type = EV_READER, .u.reader.connected = true};
    evq_post(f->q, &ev);
    assert_true(step(f)->reader_connected);
    ev.u.reader.connected = false;
    evq_post(f->q, &ev);
    assert_false(step(f)->reader_connected);
}

static bool wants(const Effects *fx, EffectType type)
{
    for (int i = 0; i < fx->count; i++)
        if (fx->items[i].type == type)
            return true;
    return false;
}

static Event pairing(bool created, CentralResult result, const char *id, CentralPairingStatus st,
                     const char *member)
{
    Event ev = {.type = EV_PAIRING};
    ev.u.pairing.created = created;
    ev.u.pairing.result = result;
    ev.u.pairing.status = st;
    ev.u.pairing.expires_in_s = 180;
    snprintf(ev.u.pairing.id, sizeof ev.u.pairing.id, "%s", id);
    snprintf(ev.u.pairing.qr, sizeof ev.u.pairing.qr, "https://central.example/pair/%s", id);
    snprintf(ev.u.pairing.member, sizeof ev.u.pairing.member, "%s", member);
    return ev;
}

static void app_pairing_rules(void **state)
{
    Fixture *f = *state;
    KioskConfig cfg = f->cfg;
    strcpy(cfg.central_url, "https://central.example");
    AppState s;
    app_init(&s, &cfg);
    Effects fx = {0};
    Event start = {.type = EV_INTENT, .u.intent = {INTENT_START, 0}};
    app_dispatch(&s, &start, 0, &fx);
    assert_true(wants(&fx, FX_PAIRING_CREATE)); /* the identify screen asks for a code */
    assert_false(s.pairing_available);          /* none shown until it exists */

    fx.count = 0;
    Event made = pairing(true, CENTRAL_OK, "pr_1", CENTRAL_PAIRING_PENDING, "");
    assert_true(app_dispatch(&s, &made, 0, &fx));
    assert_true(s.pairing_available);
    assert_string_equal(s.pairing.qr, "https://central.example/pair/pr_1");
    assert_true(wants(&fx, FX_PAIRING_POLL));
    assert_true(wants(&fx, FX_TIMER_ARM)); /* renewed before it expires */

    fx.count = 0; /* an old code's poll changes nothing */
    Event stale = pairing(false, CENTRAL_OK, "pr_0", CENTRAL_PAIRING_CLAIMED, "M1");
    assert_false(app_dispatch(&s, &stale, 0, &fx));
    assert_int_equal(s.screen, SCREEN_IDENTIFY);

    fx.count = 0; /* the wait ran out: wait again */
    Event pending = pairing(false, CENTRAL_OK, "pr_1", CENTRAL_PAIRING_PENDING, "");
    app_dispatch(&s, &pending, 0, &fx);
    assert_true(wants(&fx, FX_PAIRING_POLL));

    fx.count = 0; /* expired: a new code */
    Event expired = pairing(false, CENTRAL_OK, "pr_1", CENTRAL_PAIRING_EXPIRED, "");
    app_dispatch(&s, &expired, 0, &fx);
    assert_true(wants(&fx, FX_PAIRING_CREATE));

    fx.count = 0; /* claimed by the member's app: signed in, profile asked for */
    Event claimed = pairing(false, CENTRAL_OK, "pr_1", CENTRAL_PAIRING_CLAIMED, "M10007");
    assert_true(app_dispatch(&s, &claimed, 0, &fx));
    assert_int_equal(s.screen, SCREEN_HOME);
    assert_string_equal(s.session.member_id, "M10007");
    assert_int_equal(s.session.source, SOURCE_APP);
    assert_false(s.pairing_available);
    assert_true(wants(&fx, FX_FETCH_MEMBER));
    assert_true(wants(&fx, FX_PAIRING_STOP));
}

static void pairing_failure_hides_the_code(void **state)
{
    Fixture *f = *state;
    KioskConfig cfg = f->cfg;
    strcpy(cfg.central_url, "https://central.example");
    AppState s;
    app_init(&s, &cfg);
    Effects fx = {0};
    Event start = {.type = EV_INTENT, .u.intent = {INTENT_START, 0}};
    app_dispatch(&s, &start, 0, &fx);
    Event made = pairing(true, CENTRAL_OK, "pr_1", CENTRAL_PAIRING_PENDING, "");
    app_dispatch(&s, &made, 0, &fx);
    fx.count = 0;
    Event lost = pairing(false, CENTRAL_OFFLINE, "", CENTRAL_PAIRING_PENDING, "");
    assert_true(app_dispatch(&s, &lost, 0, &fx));
    assert_false(s.pairing_available); /* never a code that cannot work */
    assert_false(s.online);
    assert_true(wants(&fx, FX_TIMER_ARM)); /* and a new try later */
    /* replies about codes reach no other screen */
    Event back = {.type = EV_INTENT, .u.intent = {INTENT_BACK, 0}};
    app_dispatch(&s, &back, 0, &fx);
    assert_false(app_dispatch(&s, &made, 0, &fx));
    assert_false(s.pairing_available);
}

static void control_and_quit_go_to_the_shell(void **state)
{
    Fixture *f = *state;
    evq_post(f->q, &(Event){.type = EV_QUIT});
    evq_post(f->q, &(Event){.type = EV_CONTROL});
    step(f);
    assert_int_equal(f->foreign, 2);
}

static void names_round_trip(void **state)
{
    for (int i = INTENT_START; i <= INTENT_END_SESSION; i++)
        assert_int_equal(intent_from_name(intent_name((Intent)i)), i);
    assert_int_equal(intent_from_name("launch_missiles"), INTENT_NONE);
    assert_string_equal(app_screen_name(SCREEN_IDENTIFY), "identify");
    assert_string_equal(app_screen_name((ScreenId)99), "unknown");
}

/* ---- the shopper's journey, event by event (app_dispatch alone, no workers) ---------- */

static AppState *fresh(const Fixture *f)
{
    AppState *s = calloc(1, sizeof *s);
    app_init(s, &f->cfg);
    s->central = true;
    return s;
}

static bool send(AppState *s, Intent intent, int32_t arg, Effects *fx)
{
    fx->count = 0;
    Event ev = {.type = EV_INTENT, .u.intent = {intent, arg}};
    return app_dispatch(s, &ev, 0, fx);
}

static bool has_effect(const Effects *fx, EffectType type, uint32_t *seq)
{
    for (int i = 0; i < fx->count; i++) {
        if (fx->items[i].type == type) {
            if (seq)
                *seq = fx->items[i].seq;
            return true;
        }
    }
    return false;
}

static bool deliver(AppState *s, Result *r, Effects *fx)
{
    fx->count = 0;
    Event ev = {.type = EV_RESULT, .u.result.result = r};
    bool changed = app_dispatch(s, &ev, 0, fx);
    result_free(r);
    return changed;
}

static void sign_in(AppState *s, const char *member, Effects *fx)
{
    fx->count = 0;
    Event id = {.type = EV_IDENTITY};
    id.u.identity.kind = IDENTITY_MEMBER;
    id.u.identity.source = SOURCE_SCANNER;
    snprintf(id.u.identity.member_id, sizeof id.u.identity.member_id, "%s", member);
    app_dispatch(s, &id, 0, fx);
}

/* Opens a product with one colour and sizes S, M, L (M out of stock everywhere). */
static void open_test_product(AppState *s, Effects *fx)
{
    Session *se = &s->session;
    se->browse.count = 1;
    snprintf(se->browse.items[0].id, sizeof se->browse.items[0].id, "P1");
    s->screen = SCREEN_BROWSE;
    assert_true(send(s, INTENT_OPEN_PRODUCT, CARDS_BROWSE << 8 | 0, fx));
    uint32_t seq = 0;
    assert_true(has_effect(fx, FX_LOAD_PRODUCT, &seq));
    Result *r = result_new(RESULT_PRODUCT, seq);
    ProductDetail *p = &r->u.product;
    snprintf(p->id, sizeof p->id, "P1");
    snprintf(p->name, sizeof p->name, "Trail Runner");
    snprintf(p->category, sizeof p->category, "running-shoes");
    snprintf(p->currency, sizeof p->currency, "USD");
    p->price_cents = 10000;
    const char *sizes[] = {"S", "M", "L"};
    for (int i = 0; i < 3; i++) {
        VariantView *v = &p->variants[p->variant_count++];
        snprintf(v->id, sizeof v->id, "V%d", i);
        snprintf(v->size, sizeof v->size, "%s", sizes[i]);
        snprintf(v->colour, sizeof v->colour, "Navy");
        v->price_cents = 10000;
    }
    assert_true(deliver(s, r, fx));
    assert_true(has_effect(fx, FX_LOAD_STOCK, &seq));
    r = result_new(RESULT_STOCK, seq);
    StockView *st = &r->u.stock;
    st->variant_count = 3;
    for (int i = 0; i < 3; i++)
        snprintf(st->variants[i], sizeof st->variants[i], "V%d", i);
    st->location_count = 2;
    st->locations[0].here = true;
    st->locations[1].online = true;
    for (int l = 0; l < 2; l++) {
        st->locations[l].qty[0] = 4;
        st->locations[l].qty[1] = 0;
        st->locations[l].qty[2] = 1;
    }
    assert_true(deliver(s, r, fx));
    assert_int_equal(se->stock_state, LOAD_OK);
}

static void cart_rules(void **state)
{
    Fixture *f = *state;
    AppState *s = fresh(f);
    Effects fx = {0};
    send(s, INTENT_START, 0, &fx);
    send(s, INTENT_GUEST, 0, &fx);
    assert_int_equal(s->screen, SCREEN_HOME);
    open_test_product(s, &fx);
    Session *se = &s->session;
    assert_int_equal(se->variant, -1); /* a guest's size is not known: they choose */
    assert_false(send(s, INTENT_ADD_TO_CART, 0, &fx));
    assert_false(send(s, INTENT_SIZE, 1, &fx) && send(s, INTENT_ADD_TO_CART, 0, &fx));
    assert_int_equal(se->cart_count, 0); /* M is out of stock everywhere */
    assert_true(send(s, INTENT_SIZE, 0, &fx));
    assert_true(send(s, INTENT_ADD_TO_CART, 0, &fx));
    assert_true(send(s, INTENT_ADD_TO_CART, 0, &fx)); /* the same variant: one line, two */
    assert_int_equal(se->cart_count, 1);
    assert_int_equal(app_cart_items(s), 2);
    assert_int_equal(app_cart_subtotal(s), 20000);
    send(s, INTENT_OPEN_CART, 0, &fx);
    for (int i = 0; i < 20; i++)
        send(s, INTENT_QTY_UP, 0, &fx);
    assert_int_equal(se->cart[0].qty, APP_QTY_MAX);
    assert_int_equal(s->notice, NOTICE_CART_FULL);
    for (int i = 0; i < APP_QTY_MAX; i++)
        send(s, INTENT_QTY_DOWN, 0, &fx);
    assert_int_equal(se->cart_count, 0); /* down from one removes the line */
    free(s);
}

static void guest_checkout_signs_in_and_returns_to_the_bag(void **state)
{
    Fixture *f = *state;
    AppState *s = fresh(f);
    Effects fx = {0};
    send(s, INTENT_START, 0, &fx);
    send(s, INTENT_GUEST, 0, &fx);
    open_test_product(s, &fx);
    send(s, INTENT_SIZE, 2, &fx);
    assert_true(send(s, INTENT_ADD_TO_CART, 0, &fx));
    send(s, INTENT_OPEN_CART, 0, &fx);
    assert_true(send(s, INTENT_CHECKOUT, 0, &fx));
    assert_int_equal(s->screen, SCREEN_IDENTIFY);
    assert_int_equal(s->notice, NOTICE_SIGN_IN_TO_ORDER);
    sign_in(s, "M10001", &fx);
    assert_int_equal(s->screen, SCREEN_CART); /* back to the bag, which was kept */
    assert_int_equal(s->session.cart_count, 1);
    assert_string_equal(s->session.member_id, "M10001");
    free(s);
}

static Result *order_result(ResultKind kind, uint32_t seq, const char *key)
{
    Result *r = result_new(kind, seq);
    snprintf(r->u.order.idempotency_key, sizeof r->u.order.idempotency_key, "%s", key);
    return r;
}

/* Member at checkout with one line, standard delivery, a saved address, a card on file. */
static void ready_to_order(AppState *s, Effects *fx)
{
    send(s, INTENT_START, 0, fx);
    sign_in(s, "M10001", fx);
    Session *se = &s->session;
    se->payment_on_file = true;
    se->address_count = 1;
    snprintf(se->addresses[0].id, sizeof se->addresses[0].id, "A1");
    open_test_product(s, fx);
    send(s, INTENT_SIZE, 0, fx);
    send(s, INTENT_ADD_TO_CART, 0, fx);
    send(s, INTENT_OPEN_CART, 0, fx);
    assert_true(send(s, INTENT_CHECKOUT, 0, fx));
    uint32_t seq = 0;
    assert_true(has_effect(fx, FX_LOAD_SHIPPING, &seq));
    Result *r = result_new(RESULT_SHIPPING, seq);
    r->u.shipping.count = 1;
    snprintf(r->u.shipping.items[0].id, sizeof r->u.shipping.items[0].id, "standard");
    r->u.shipping.items[0].needs_address = true;
    deliver(s, r, fx);
    assert_int_equal(se->address_choice, 0);
    assert_int_equal(se->shipping_choice, 0);
}

static void order_is_thanked_only_once_durable(void **state)
{
    Fixture *f = *state;
    AppState *s = fresh(f);
    Effects fx = {0};
    ready_to_order(s, &fx);
    assert_true(send(s, INTENT_PLACE_ORDER, 0, &fx));
    uint32_t seq = 0;
    assert_true(has_effect(&fx, FX_PLACE_ORDER, &seq));
    assert_false(send(s, INTENT_PLACE_ORDER, 0, &fx)); /* one tap, one order */
    assert_int_equal(s->session.order_phase, ORDER_STORING);
    /* The store could not be written: nothing was placed, and the shopper is told. */
    Result *r = order_result(RESULT_ORDER_STORED, seq, "k1");
    r->err = KIOSK_E_FULL;
    deliver(s, r, &fx);
    assert_int_equal(s->screen, SCREEN_CHECKOUT);
    assert_int_equal(s->session.order_phase, ORDER_EDITING);
    assert_int_equal(s->notice, NOTICE_ORDER_NOT_SAVED);
    assert_int_equal(s->session.cart_count, 1);
    /* Again: durable, then the service's number comes. */
    send(s, INTENT_PLACE_ORDER, 0, &fx);
    has_effect(&fx, FX_PLACE_ORDER, &seq);
    deliver(s, order_result(RESULT_ORDER_STORED, seq, "k2"), &fx);
    assert_int_equal(s->session.order_phase, ORDER_SENDING);
    assert_int_equal(s->screen, SCREEN_CHECKOUT);                 /* a moment for the number */
    deliver(s, order_result(RESULT_ORDER_SENT, 0, "other"), &fx); /* someone else's */
    assert_int_equal(s->session.order_phase, ORDER_SENDING);
    r = order_result(RESULT_ORDER_SENT, 0, "k2");
    snprintf(r->u.order.number, sizeof r->u.order.number, "K-100454");
    deliver(s, r, &fx);
    assert_int_equal(s->screen, SCREEN_CONFIRMATION);
    assert_int_equal(s->session.order_phase, ORDER_DONE);
    assert_string_equal(s->session.order.number, "K-100454");
    assert_int_equal(s->session.cart_count, 0);
    free(s);
}

static void order_offline_is_received_then_confirmed(void **state)
{
    Fixture *f = *state;
    AppState *s = fresh(f);
    Effects fx = {0};
    ready_to_order(s, &fx);
    send(s, INTENT_PLACE_ORDER, 0, &fx);
    uint32_t seq = 0;
    has_effect(&fx, FX_PLACE_ORDER, &seq);
    deliver(s, order_result(RESULT_ORDER_STORED, seq, "k3"), &fx);
    assert_true(has_effect(&fx, FX_SYNC_KICK, NULL));
    fx.count = 0;
    Event t = {.type = EV_TIMER, .u.timer.id = TIMER_ORDER};
    assert_true(app_dispatch(s, &t, 0, &fx)); /* no answer in time: received, will follow */
    assert_int_equal(s->screen, SCREEN_CONFIRMATION);
    assert_int_equal(s->session.order_phase, ORDER_QUEUED);
    Result *r = order_result(RESULT_ORDER_SENT, 0, "k3");
    snprintf(r->u.order.number, sizeof r->u.order.number, "K-100455");
    deliver(s, r, &fx); /* the number arrives while they are still there */
    assert_int_equal(s->session.order_phase, ORDER_DONE);
    free(s);
}

static void refused_order_returns_to_checkout(void **state)
{
    Fixture *f = *state;
    AppState *s = fresh(f);
    Effects fx = {0};
    ready_to_order(s, &fx);
    send(s, INTENT_PLACE_ORDER, 0, &fx);
    uint32_t seq = 0;
    has_effect(&fx, FX_PLACE_ORDER, &seq);
    deliver(s, order_result(RESULT_ORDER_STORED, seq, "k4"), &fx);
    Result *r = order_result(RESULT_ORDER_REFUSED, 0, "k4");
    snprintf(r->refusal, sizeof r->refusal, "out_of_stock");
    deliver(s, r, &fx);
    assert_int_equal(s->screen, SCREEN_CHECKOUT);
    assert_int_equal(s->session.order_phase, ORDER_EDITING);
    assert_int_equal(s->notice, NOTICE_ORDER_REFUSED);
    assert_int_equal(s->session.cart_count, 1); /* to change and try again */
    free(s);
}

static void stale_answers_are_dropped_and_wipe_clears_everything(void **state)
{
    Fixture *f = *state;
    AppState *s = fresh(f);
    Effects fx = {0};
    send(s, INTENT_START, 0, &fx);
    sign_in(s, "M10001", &fx);
    uint32_t seq = 0;
    assert_true(has_effect(&fx, FX_LOAD_RECS, &seq));
    /* an answer to an older question is dropped */
    Result *r = result_new(RESULT_RECOMMENDATIONS, seq + 100);
    r->u.cards.count = 1;
    assert_false(deliver(s, r, &fx));
    r = result_new(RESULT_RECOMMENDATIONS, seq);
    r->u.cards.count = 1;
    snprintf(r->u.cards.items[0].name, sizeof r->u.cards.items[0].name, "Trail Runner");
    assert_true(deliver(s, r, &fx));
    assert_int_equal(s->session.recs.count, 1);
    send(s, INTENT_END_SESSION, 0, &fx);
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    assert_int_equal(s->session.recs.count, 0);
    assert_string_equal(s->session.recs.items[0].name, "");
    /* and an answer for the session that ended finds nobody */
    r = result_new(RESULT_RECOMMENDATIONS, seq);
    r->u.cards.count = 1;
    assert_false(deliver(s, r, &fx));
    assert_int_equal(s->session.recs.count, 0);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(starts_on_attract, setup, teardown),
        cmocka_unit_test_setup_teardown(start_opens_identify_and_arms_idle, setup, teardown),
        cmocka_unit_test_setup_teardown(language_choice_and_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(idle_warning_then_wipe, setup, teardown),
        cmocka_unit_test_setup_teardown(one_touch_keeps_the_session, setup, teardown),
        cmocka_unit_test_setup_teardown(still_here_and_done_buttons, setup, teardown),
        cmocka_unit_test_setup_teardown(session_data_is_overwritten, setup, teardown),
        cmocka_unit_test_setup_teardown(stale_timer_on_attract_is_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(member_tap_greets_from_any_screen, setup, teardown),
        cmocka_unit_test_setup_teardown(second_shopper_replaces_the_first, setup, teardown),
        cmocka_unit_test_setup_teardown(badges_and_refusals_get_a_notice_not_a_session, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_member_tap_clears_a_notice, setup, teardown),
        cmocka_unit_test_setup_teardown(reader_state_follows_the_worker, setup, teardown),
        cmocka_unit_test_setup_teardown(app_pairing_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(pairing_failure_hides_the_code, setup, teardown),
        cmocka_unit_test_setup_teardown(control_and_quit_go_to_the_shell, setup, teardown),
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test_setup_teardown(cart_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(guest_checkout_signs_in_and_returns_to_the_bag, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(order_is_thanked_only_once_durable, setup, teardown),
        cmocka_unit_test_setup_teardown(order_offline_is_received_then_confirmed, setup, teardown),
        cmocka_unit_test_setup_teardown(refused_order_returns_to_checkout, setup, teardown),
        cmocka_unit_test_setup_teardown(stale_answers_are_dropped_and_wipe_clears_everything, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
