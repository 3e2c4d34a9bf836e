/* test_app.c: the app core's rules, driven event by event on a hand-set clock: sessions
 * start and end, languages switch and reset, "Still there?" counts down and wipes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

static int setup_with(void **state, void (*tweak)(KioskConfig *))
{
    Fixture *f = calloc(1, sizeof *f);
    config_defaults(&f->cfg);
    f->cfg.idle_seconds = 60;
    f->cfg.warning_seconds = 20;
    if (tweak)
        tweak(&f->cfg);
    /* the core's data worker keeps its store here, never in the machine's /var/lib/kiosk */
    snprintf(f->cfg.data_dir, sizeof f->cfg.data_dir, "%s", "/tmp/kiosk-app-XXXXXX");
    assert_non_null(mkdtemp(f->cfg.data_dir));
    f->now = 1000;
    f->q = evq_create(32, NULL, NULL);
    f->core = core_create(&f->cfg, f->q, (Clock){hand_clock, f});
    *state = f;
    return 0;
}

static int setup(void **state)
{
    return setup_with(state, NULL);
}

/* A device on which a staff badge opens associate mode, which locks after 90 s. */
static void allow_associates(KioskConfig *cfg)
{
    cfg->associate_mode = true;
    cfg->staff_idle_seconds = 90;
}

static int setup_associate(void **state)
{
    return setup_with(state, allow_associates);
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
        {IDENTITY_TECHNICIAN, REFUSED_NONE, NOTICE_NO_PIN}, /* no store PIN: no service mode */
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

/* ---- associate mode and the mirror (app_dispatch alone, no workers) ------------------- */

static AppState *fresh_with(const KioskConfig *cfg)
{
    AppState *s = calloc(1, sizeof *s);
    assert_non_null(s);
    app_init(s, cfg);
    s->central = true;
    return s;
}

static KioskConfig associate_config(const Fixture *f)
{
    KioskConfig cfg = f->cfg;
    allow_associates(&cfg);
    return cfg;
}

static KioskConfig mirror_config(const Fixture *f, const char *room)
{
    KioskConfig cfg = f->cfg;
    cfg.mode = KIOSK_MODE_MIRROR;
    snprintf(cfg.fitting_room, sizeof cfg.fitting_room, "%s", room);
    return cfg;
}

static int count_of(const Effects *fx, EffectType type)
{
    int n = 0;
    for (int i = 0; i < fx->count; i++)
        n += fx->items[i].type == type;
    return n;
}

/* Whether fx arms `timer`, and with which delay. */
static bool arms(const Effects *fx, TimerId timer, uint32_t *delay_ms)
{
    for (int i = 0; i < fx->count; i++) {
        if (fx->items[i].type == FX_TIMER_ARM && fx->items[i].timer == timer) {
            if (delay_ms)
                *delay_ms = fx->items[i].delay_ms;
            return true;
        }
    }
    return false;
}

static bool cancels(const Effects *fx, TimerId timer)
{
    for (int i = 0; i < fx->count; i++)
        if (fx->items[i].type == FX_TIMER_CANCEL && fx->items[i].timer == timer)
            return true;
    return false;
}

/* A verified tap (or scan) of `kind` for `who`. */
static bool tap(AppState *s, IdentityKind kind, const char *who, IdentitySource source, Effects *fx)
{
    fx->count = 0;
    Event ev = {.type = EV_IDENTITY};
    ev.u.identity.kind = kind;
    ev.u.identity.source = source;
    snprintf(ev.u.identity.member_id, sizeof ev.u.identity.member_id, "%s", who);
    snprintf(ev.u.identity.token, sizeof ev.u.identity.token, "NT1.token-of-%s", who);
    snprintf(ev.u.identity.uid_hex, sizeof ev.u.identity.uid_hex, "04a1b2c3d4e5%02x",
             (unsigned)strlen(who));
    return app_dispatch(s, &ev, 0, fx);
}

/* A garment's tag: a GTIN, or a product id from the retailer's product URI. */
static bool garment_tag(AppState *s, const char *gtin, const char *product, Effects *fx)
{
    fx->count = 0;
    Event ev = {.type = EV_IDENTITY};
    ev.u.identity.kind = IDENTITY_GARMENT;
    ev.u.identity.source = SOURCE_CARD;
    snprintf(ev.u.identity.gtin, sizeof ev.u.identity.gtin, "%s", gtin);
    snprintf(ev.u.identity.product, sizeof ev.u.identity.product, "%s", product);
    return app_dispatch(s, &ev, 0, fx);
}

static bool fire(AppState *s, TimerId timer, uint64_t now_ms, Effects *fx)
{
    fx->count = 0;
    Event ev = {.type = EV_TIMER, .u.timer.id = timer};
    return app_dispatch(s, &ev, now_ms, fx);
}

static bool touch(AppState *s, Effects *fx)
{
    fx->count = 0;
    Event ev = {.type = EV_TOUCH};
    return app_dispatch(s, &ev, 0, fx);
}

/* The central service's profile of `member`, with their taste and language. */
static bool profile_arrives(AppState *s, const char *member, Effects *fx)
{
    fx->count = 0;
    Event *ev = calloc(1, sizeof *ev);
    assert_non_null(ev);
    ev->type = EV_PROFILE;
    ProfileEvent *p = &ev->u.profile;
    p->result = CENTRAL_OK;
    snprintf(p->member_id, sizeof p->member_id, "%s", member);
    snprintf(p->display_name, sizeof p->display_name, "Harper");
    snprintf(p->tier, sizeof p->tier, "silver");
    snprintf(p->language, sizeof p->language, "fr");
    p->points = 773;
    snprintf(p->sizes.top, sizeof p->sizes.top, "M");
    snprintf(p->prefs.fit, sizeof p->prefs.fit, "slim");
    snprintf(p->prefs.colours[0], sizeof p->prefs.colours[0], "Navy");
    p->prefs.colour_count = 1;
    snprintf(p->prefs.styles[0], sizeof p->prefs.styles[0], "sport");
    p->prefs.style_count = 1;
    p->payment_on_file = true;
    bool changed = app_dispatch(s, ev, 0, fx);
    free(ev);
    return changed;
}

/* The session as a wipe leaves it: every byte zero but the documented defaults (points -1
 * "not known"; active when an associate stays signed in). */
static void assert_session_wiped(const Session *se, bool associate_stays)
{
    Session *zero = calloc(1, sizeof *zero);
    assert_non_null(zero);
    zero->points = -1;
    zero->active = associate_stays;
    assert_memory_equal(se, zero, sizeof *zero);
    free(zero);
}

static void assert_staff_wiped(const Staff *st)
{
    Staff zero;
    memset(&zero, 0, sizeof zero);
    assert_memory_equal(st, &zero, sizeof zero);
}

/* Signs in an associate with their badge. */
static void open_associate(AppState *s, const char *staff, Effects *fx)
{
    assert_true(tap(s, IDENTITY_STAFF, staff, SOURCE_CARD, fx));
    assert_int_equal(s->screen, SCREEN_STAFF);
    assert_true(s->staff.active);
    assert_string_equal(s->staff.id, staff);
}

/* The associate's customer taps their card; their history and notes arrive. */
static void customer_with_a_file(AppState *s, const char *member, Effects *fx)
{
    uint32_t hseq = 0, nseq = 0;
    assert_true(tap(s, IDENTITY_MEMBER, member, SOURCE_CARD, fx));
    assert_true(has_effect(fx, FX_LOAD_HISTORY, &hseq));
    assert_true(has_effect(fx, FX_LOAD_NOTES, &nseq));
    profile_arrives(s, member, fx);
    Result *r = result_new(RESULT_HISTORY, hseq);
    r->u.history.count = 1;
    snprintf(r->u.history.orders[0].id, sizeof r->u.history.orders[0].id, "O000012");
    r->u.history.orders[0].line_count = 1;
    r->u.history.orders[0].lines[0].returned = true;
    snprintf(r->u.history.orders[0].lines[0].return_reason,
             sizeof r->u.history.orders[0].lines[0].return_reason, "ran small");
    assert_true(deliver(s, r, fx));
    r = result_new(RESULT_NOTES, nseq);
    r->u.notes.count = 1;
    snprintf(r->u.notes.notes[0].id, sizeof r->u.notes.notes[0].id, "N000001");
    snprintf(r->u.notes.notes[0].text, sizeof r->u.notes.notes[0].text, "Size up in knits.");
    assert_true(deliver(s, r, fx));
    const Session *se = &s->session;
    assert_int_equal(se->history_state, LOAD_OK);
    assert_int_equal(se->notes_state, LOAD_OK);
    assert_int_equal(se->history.count, 1);
    assert_int_equal(se->notes.count, 1);
    assert_int_equal(se->prefs.colour_count, 1);
}

static void associate_intents_refused_outside_associate_mode(void **state)
{
    Fixture *f = *state;
    KioskConfig cfg = associate_config(f); /* allowed here, but no badge has been tapped */
    AppState *s = fresh_with(&cfg);
    AppState *before = malloc(sizeof *before);
    assert_non_null(before);
    Effects fx = {0};
    static const Intent staff_only[] = {INTENT_LOCK,          INTENT_OPEN_CUSTOMER,
                                        INTENT_NEXT_CUSTOMER, INTENT_OPEN_NOTE,
                                        INTENT_SAVE_NOTE,     INTENT_KEY};
    /* on the attract screen, then in a shopper's session with a draft that is not theirs */
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            send(s, INTENT_START, 0, &fx);
            sign_in(s, "M10001", &fx);
            assert_int_equal(s->screen, SCREEN_HOME);
            snprintf(s->session.note_draft, sizeof s->session.note_draft, "runs small");
        }
        memcpy(before, s, sizeof *s);
        for (size_t i = 0; i < sizeof staff_only / sizeof staff_only[0]; i++) {
            if (send(s, staff_only[i], 'x', &fx))
                fail_msg("%s changed a shopper's state", intent_name(staff_only[i]));
            assert_int_equal(fx.count, 0); /* no FX_LOAD_HISTORY, _NOTES, FX_SAVE_NOTE ... */
            assert_memory_equal(s, before, sizeof *s);
        }
    }
    assert_false(s->staff.active);
    assert_string_equal(s->session.note_draft, "runs small");
    assert_int_equal(s->screen, SCREEN_HOME);
    free(before);
    free(s);
}

/* Even a screen forced to an associate's (a UI bug, or an attempt) gives no associate request:
 * the intent is refused, and the session ends. */
static void associate_intents_on_a_forced_screen_are_refused(void **state)
{
    static const struct {
        ScreenId screen;
        Intent intent;
        int32_t arg;
    } cases[] = {
        {SCREEN_NOTE, INTENT_KEY, 'd'},
        {SCREEN_NOTE, INTENT_SAVE_NOTE, 0},
        {SCREEN_CUSTOMER, INTENT_OPEN_NOTE, 0},
        {SCREEN_STAFF, INTENT_OPEN_CUSTOMER, 0},
        {SCREEN_CUSTOMER, INTENT_NEXT_CUSTOMER, 0},
        {SCREEN_STAFF, INTENT_LOCK, 0},
    };
    Fixture *f = *state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        AppState *s = fresh(f);
        Effects fx = {0};
        send(s, INTENT_START, 0, &fx);
        sign_in(s, "M10001", &fx);
        Session *se = &s->session;
        snprintf(se->note_draft, sizeof se->note_draft, "abc");
        se->history_state = LOAD_FAILED; /* what OPEN_CUSTOMER would load again */
        se->notes_state = LOAD_FAILED;
        s->screen = cases[i].screen;
        send(s, cases[i].intent, cases[i].arg, &fx);
        assert_int_equal(count_of(&fx, FX_LOAD_HISTORY), 0);
        assert_int_equal(count_of(&fx, FX_LOAD_NOTES), 0);
        assert_int_equal(count_of(&fx, FX_SAVE_NOTE), 0);
        assert_int_equal(count_of(&fx, FX_STAFF_IDENTIFY), 0);
        assert_int_not_equal(s->session.note_draft[0], 'a'); /* never typed into, nor kept */
        assert_int_equal(s->screen, SCREEN_ATTRACT);
        assert_false(s->staff.active);
        assert_session_wiped(&s->session, false);
        free(s);
    }
}

static void staff_badge_without_associate_mode_is_a_notice(void **state)
{
    Fixture *f = *state;
    AppState *s = fresh(f); /* [staff] associate_mode = false, the default */
    assert_false(s->associate_allowed);
    Effects fx = {0};
    assert_true(tap(s, IDENTITY_STAFF, "S1001", SOURCE_CARD, &fx));
    assert_int_equal(s->notice, NOTICE_STAFF_BADGE);
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    assert_false(s->staff.active);
    assert_false(s->session.active);
    assert_staff_wiped(&s->staff);
    assert_int_equal(count_of(&fx, FX_STAFF_IDENTIFY), 0);
    assert_true(arms(&fx, TIMER_NOTICE, NULL));

    /* in a shopper's session: the session stays theirs */
    send(s, INTENT_START, 0, &fx);
    sign_in(s, "M10001", &fx);
    assert_true(tap(s, IDENTITY_STAFF, "S1001", SOURCE_CARD, &fx));
    assert_int_equal(s->notice, NOTICE_STAFF_BADGE);
    assert_int_equal(s->screen, SCREEN_HOME);
    assert_string_equal(s->session.member_id, "M10001");
    assert_false(s->staff.active);
    assert_int_equal(count_of(&fx, FX_STAFF_IDENTIFY), 0);
    free(s);
}

static void staff_badge_opens_associate_mode(void **state)
{
    Fixture *f = *state;
    KioskConfig cfg = associate_config(f);
    AppState *s = fresh_with(&cfg);
    Effects fx = {0};
    Session *se = &s->session;
    /* a shopper is half-way through: signed in, something in the bag */
    send(s, INTENT_START, 0, &fx);
    sign_in(s, "M10001", &fx);
    snprintf(se->display_name, sizeof se->display_name, "Harper");
    open_test_product(s, &fx);
    send(s, INTENT_SIZE, 0, &fx);
    assert_true(send(s, INTENT_ADD_TO_CART, 0, &fx));
    assert_int_equal(se->cart_count, 1);

    assert_true(tap(s, IDENTITY_STAFF, "S1001", SOURCE_CARD, &fx));
    assert_int_equal(s->screen, SCREEN_STAFF);
    assert_true(s->staff.active);
    assert_string_equal(s->staff.id, "S1001");
    assert_string_equal(s->staff.token, "NT1.token-of-S1001");
    assert_string_not_equal(s->staff.uid_hex, "");
    assert_int_equal(s->staff.state, LOAD_BUSY);
    uint32_t first = 0;
    assert_true(has_effect(&fx, FX_STAFF_IDENTIFY, &first));
    assert_int_equal(count_of(&fx, FX_STAFF_IDENTIFY), 1);
    /* the shopper's session was wiped first */
    assert_string_equal(se->member_id, "");
    assert_string_equal(se->token, "");
    assert_string_equal(se->display_name, "");
    assert_int_equal(se->cart_count, 0);
    assert_string_equal(se->cart[0].variant, "");
    assert_string_equal(se->product.id, "");
    assert_int_equal(se->viewed_count, 0);
    assert_true(se->active);
    uint32_t idle = 0;
    assert_true(arms(&fx, TIMER_IDLE, &idle));
    assert_int_equal(idle, 90000); /* [staff] idle_seconds, not the shopper's 60 */

    Result *r = result_new(RESULT_STAFF, first);
    snprintf(r->u.staff.id, sizeof r->u.staff.id, "S1001");
    snprintf(r->u.staff.name, sizeof r->u.staff.name, "Alex Rivera");
    snprintf(r->u.staff.store_name, sizeof r->u.staff.store_name, "Capitol Hill");
    assert_true(deliver(s, r, &fx));
    assert_string_equal(s->staff.name, "Alex Rivera");
    assert_string_equal(s->staff.store_name, "Capitol Hill");
    assert_int_equal(s->staff.state, LOAD_OK);

    /* another associate's badge: they take over, nothing of the first stays */
    assert_true(tap(s, IDENTITY_STAFF, "S1002", SOURCE_CARD, &fx));
    assert_int_equal(s->screen, SCREEN_STAFF);
    assert_true(s->staff.active);
    assert_string_equal(s->staff.id, "S1002");
    assert_string_equal(s->staff.token, "NT1.token-of-S1002");
    assert_string_equal(s->staff.name, "");
    assert_string_equal(s->staff.store_name, "");
    assert_int_equal(count_of(&fx, FX_STAFF_IDENTIFY), 1);
    /* a late answer about the first badge names nobody now */
    r = result_new(RESULT_STAFF, first);
    snprintf(r->u.staff.name, sizeof r->u.staff.name, "Alex Rivera");
    assert_false(deliver(s, r, &fx));
    assert_string_equal(s->staff.name, "");

    /* the same badge again: locked */
    assert_true(tap(s, IDENTITY_STAFF, "S1002", SOURCE_CARD, &fx));
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    assert_false(s->staff.active);
    assert_staff_wiped(&s->staff);
    assert_session_wiped(&s->session, false);
    assert_true(cancels(&fx, TIMER_IDLE));
    assert_int_equal(count_of(&fx, FX_STAFF_IDENTIFY), 0);
    free(s);
}

static void staff_unknown_to_the_service_closes_associate_mode(void **state)
{
    Fixture *f = *state;
    KioskConfig cfg = associate_config(f);
    AppState *s = fresh_with(&cfg);
    Effects fx = {0};
    uint32_t seq = 0;
    open_associate(s, "S1001", &fx);
    assert_true(has_effect(&fx, FX_STAFF_IDENTIFY, &seq));
    /* offline: associate mode goes on, the id shows */
    Result *r = result_new(RESULT_STAFF, seq);
    r->err = KIOSK_E_IO;
    r->offline = true;
    assert_true(deliver(s, r, &fx));
    assert_true(s->staff.active);
    assert_int_equal(s->staff.state, LOAD_FAILED);
    assert_false(s->online);
    /* the service answers again: who the associate is gets asked once more */
    r = result_new(RESULT_SYNC, 0);
    r->u.sync.online = true;
    assert_true(deliver(s, r, &fx));
    assert_true(has_effect(&fx, FX_STAFF_IDENTIFY, &seq));
    assert_int_equal(count_of(&fx, FX_STAFF_IDENTIFY), 1);
    assert_int_equal(s->staff.state, LOAD_BUSY);
    r = result_new(RESULT_STAFF, seq);
    snprintf(r->u.staff.name, sizeof r->u.staff.name, "Alex Rivera");
    assert_true(deliver(s, r, &fx));
    assert_string_equal(s->staff.name, "Alex Rivera");
    assert_int_equal(s->staff.state, LOAD_OK);
    /* a badge the service refuses (left, revoked): no associate mode */
    open_associate(s, "S1003", &fx);
    assert_true(has_effect(&fx, FX_STAFF_IDENTIFY, &seq));
    r = result_new(RESULT_STAFF, seq);
    r->err = KIOSK_E_INVALID;
    assert_true(deliver(s, r, &fx));
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    assert_int_equal(s->notice, NOTICE_STAFF_BADGE);
    assert_staff_wiped(&s->staff);
    free(s);
}

static void associate_finds_the_customer(void **state)
{
    Fixture *f = *state;
    KioskConfig cfg = associate_config(f);
    AppState *s = fresh_with(&cfg);
    Effects fx = {0};
    Session *se = &s->session;
    open_associate(s, "S1001", &fx);

    assert_true(tap(s, IDENTITY_MEMBER, "M10001", SOURCE_CARD, &fx));
    assert_int_equal(s->screen, SCREEN_CUSTOMER);
    assert_string_equal(se->member_id, "M10001");
    assert_string_equal(se->token, "NT1.token-of-M10001");
    assert_int_equal(se->source, SOURCE_CARD);
    assert_int_equal(count_of(&fx, FX_FETCH_PROFILE), 1);
    assert_int_equal(count_of(&fx, FX_LOAD_HISTORY), 1);
    assert_int_equal(count_of(&fx, FX_LOAD_NOTES), 1);
    uint32_t hseq = 0, nseq = 0;
    has_effect(&fx, FX_LOAD_HISTORY, &hseq);
    has_effect(&fx, FX_LOAD_NOTES, &nseq);
    assert_int_equal(se->history_state, LOAD_BUSY);
    assert_int_equal(se->notes_state, LOAD_BUSY);
    assert_true(s->staff.active);
    assert_string_equal(s->staff.id, "S1001");
    /* their file arrives */
    assert_true(profile_arrives(s, "M10001", &fx));
    assert_string_equal(se->prefs.colours[0], "Navy");
    assert_string_equal(se->display_name, "Harper");
    Result *r = result_new(RESULT_HISTORY, hseq);
    r->u.history.count = 1;
    snprintf(r->u.history.orders[0].id, sizeof r->u.history.orders[0].id, "O000012");
    assert_true(deliver(s, r, &fx));
    r = result_new(RESULT_NOTES, nseq);
    r->u.notes.count = 1;
    snprintf(r->u.notes.notes[0].text, sizeof r->u.notes.notes[0].text, "Size up in knits.");
    assert_true(deliver(s, r, &fx));
    assert_int_equal(se->history.count, 1);
    assert_string_equal(se->history.orders[0].id, "O000012");
    assert_string_equal(se->notes.notes[0].text, "Size up in knits.");

    /* another member's card: they are the customer now, nothing of the first one stays */
    assert_true(tap(s, IDENTITY_MEMBER, "M10002", SOURCE_CARD, &fx));
    assert_int_equal(s->screen, SCREEN_CUSTOMER);
    assert_string_equal(se->member_id, "M10002");
    assert_string_equal(se->token, "NT1.token-of-M10002");
    assert_string_equal(se->display_name, "");
    assert_int_equal(se->history.count, 0);
    assert_string_equal(se->history.orders[0].id, "");
    assert_int_equal(se->notes.count, 0);
    assert_string_equal(se->notes.notes[0].text, "");
    assert_int_equal(se->prefs.colour_count, 0);
    assert_string_equal(se->prefs.colours[0], "");
    assert_string_equal(se->prefs.fit, "");
    assert_int_equal(count_of(&fx, FX_FETCH_PROFILE), 1);
    assert_int_equal(count_of(&fx, FX_LOAD_HISTORY), 1);
    assert_int_equal(count_of(&fx, FX_LOAD_NOTES), 1);
    assert_true(s->staff.active);
    assert_string_equal(s->staff.id, "S1001");
    /* late answers about the first customer find nobody */
    r = result_new(RESULT_HISTORY, hseq);
    r->u.history.count = 1;
    snprintf(r->u.history.orders[0].id, sizeof r->u.history.orders[0].id, "O000012");
    assert_false(deliver(s, r, &fx));
    assert_int_equal(se->history.count, 0);
    assert_false(profile_arrives(s, "M10001", &fx));
    assert_int_equal(se->prefs.colour_count, 0);
    assert_string_equal(se->display_name, "");

    /* "Next customer": the customer goes, the associate stays */
    assert_true(send(s, INTENT_NEXT_CUSTOMER, 0, &fx));
    assert_int_equal(s->screen, SCREEN_STAFF);
    assert_string_equal(se->member_id, "");
    assert_true(s->staff.active);
    assert_false(send(s, INTENT_OPEN_CUSTOMER, 0, &fx)); /* nobody to open */
    free(s);
}

static void associate_writes_a_note(void **state)
{
    Fixture *f = *state;
    KioskConfig cfg = associate_config(f);
    AppState *s = fresh_with(&cfg);
    Effects fx = {0};
    Session *se = &s->session;
    open_associate(s, "S1001", &fx);
    assert_false(send(s, INTENT_OPEN_NOTE, 0, &fx)); /* about nobody yet */
    customer_with_a_file(s, "M10001", &fx);
    assert_true(send(s, INTENT_OPEN_NOTE, 0, &fx));
    assert_int_equal(s->screen, SCREEN_NOTE);
    assert_false(send(s, INTENT_SAVE_NOTE, 0, &fx)); /* nothing written */
    assert_true(send(s, INTENT_KEY, 'H', &fx));
    assert_true(send(s, INTENT_KEY, 'i', &fx));
    assert_string_equal(se->note_draft, "Hi");
    /* a C1 control character (U+0085) is no letter: the service would refuse the note */
    assert_false(send(s, INTENT_KEY, 0x85, &fx));
    assert_string_equal(se->note_draft, "Hi");
    assert_true(send(s, INTENT_SAVE_NOTE, 0, &fx));
    uint32_t seq = 0;
    assert_true(has_effect(&fx, FX_SAVE_NOTE, &seq));
    assert_int_equal(count_of(&fx, FX_SAVE_NOTE), 1);
    assert_int_equal(se->note_state, LOAD_BUSY);
    /* one tap, one note (the service's POST is not idempotent); the draft is frozen */
    assert_false(send(s, INTENT_SAVE_NOTE, 0, &fx));
    assert_int_equal(count_of(&fx, FX_SAVE_NOTE), 0);
    assert_false(send(s, INTENT_KEY, '!', &fx));
    assert_string_equal(se->note_draft, "Hi");
    /* not kept: the draft stays for another try */
    Result *r = result_new(RESULT_NOTE_SAVED, seq);
    r->err = KIOSK_E_IO;
    assert_true(deliver(s, r, &fx));
    assert_int_equal(se->note_state, LOAD_FAILED);
    assert_int_equal(s->notice, NOTICE_NOTE_FAILED);
    assert_string_equal(se->note_draft, "Hi");
    assert_int_equal(s->screen, SCREEN_NOTE);
    assert_true(send(s, INTENT_SAVE_NOTE, 0, &fx));
    assert_true(has_effect(&fx, FX_SAVE_NOTE, &seq));
    r = result_new(RESULT_NOTE_SAVED, seq);
    r->u.notes.count = 1;
    snprintf(r->u.notes.notes[0].id, sizeof r->u.notes.notes[0].id, "N000006");
    snprintf(r->u.notes.notes[0].text, sizeof r->u.notes.notes[0].text, "Hi");
    assert_true(deliver(s, r, &fx));
    assert_int_equal(s->notice, NOTICE_NOTE_SAVED);
    assert_int_equal(s->screen, SCREEN_CUSTOMER);
    assert_string_equal(se->note_draft, "");
    assert_int_equal(se->notes.count, 2); /* newest first */
    assert_string_equal(se->notes.notes[0].id, "N000006");
    assert_string_equal(se->notes.notes[1].text, "Size up in knits.");
    /* said on the customer's file; not news on the look being built */
    assert_true(send(s, INTENT_HOME, 0, &fx));
    assert_int_equal(s->screen, SCREEN_HOME);
    assert_int_equal(s->notice, NOTICE_NONE);
    free(s);
}

/* The associate's customer at checkout with one line (as ready_to_order, in associate mode). */
static void associate_ready_to_order(AppState *s, Effects *fx)
{
    open_associate(s, "S1001", fx);
    assert_true(tap(s, IDENTITY_MEMBER, "M10001", SOURCE_CARD, fx));
    Session *se = &s->session;
    se->payment_on_file = true;
    se->address_count = 1;
    snprintf(se->addresses[0].id, sizeof se->addresses[0].id, "A1");
    open_test_product(s, fx);
    send(s, INTENT_SIZE, 0, fx);
    assert_true(send(s, INTENT_ADD_TO_CART, 0, fx));
    send(s, INTENT_OPEN_CART, 0, fx);
    assert_true(send(s, INTENT_CHECKOUT, 0, fx));
    uint32_t seq = 0;
    assert_true(has_effect(fx, FX_LOAD_SHIPPING, &seq));
    Result *r = result_new(RESULT_SHIPPING, seq);
    r->u.shipping.count = 1;
    snprintf(r->u.shipping.items[0].id, sizeof r->u.shipping.items[0].id, "standard");
    r->u.shipping.items[0].needs_address = true;
    deliver(s, r, fx);
    assert_int_equal(s->screen, SCREEN_CHECKOUT);
    assert_int_equal(se->shipping_choice, 0);
}

static void associate_order_waits_for_the_customers_card(void **state)
{
    Fixture *f = *state;
    KioskConfig cfg = associate_config(f);
    AppState *s = fresh_with(&cfg);
    Effects fx = {0};
    Session *se = &s->session;
    associate_ready_to_order(s, &fx);

    assert_true(send(s, INTENT_PLACE_ORDER, 0, &fx));
    assert_int_equal(s->screen, SCREEN_CONFIRM);
    assert_int_equal(count_of(&fx, FX_PLACE_ORDER), 0);
    assert_string_equal(se->confirmed_by, "");
    assert_int_equal(se->order_phase, ORDER_EDITING);

    /* someone else's card is not a yes */
    assert_true(tap(s, IDENTITY_MEMBER, "M10002", SOURCE_CARD, &fx));
    assert_int_equal(s->notice, NOTICE_WRONG_CUSTOMER);
    assert_int_equal(count_of(&fx, FX_PLACE_ORDER), 0);
    assert_int_equal(s->screen, SCREEN_CONFIRM);
    assert_string_equal(se->member_id, "M10001");
    assert_string_equal(se->confirmed_by, "");
    assert_int_equal(se->cart_count, 1);
    assert_int_equal(se->order_phase, ORDER_EDITING);
    /* the customer's own card is, and the word about the other card goes */
    assert_true(tap(s, IDENTITY_MEMBER, "M10001", SOURCE_CARD, &fx));
    assert_int_equal(s->notice, NOTICE_NONE);
    assert_string_equal(se->confirmed_by, "card");
    assert_int_equal(count_of(&fx, FX_PLACE_ORDER), 1);
    assert_int_equal(se->order_phase, ORDER_STORING);
    /* once */
    tap(s, IDENTITY_MEMBER, "M10001", SOURCE_CARD, &fx);
    assert_int_equal(count_of(&fx, FX_PLACE_ORDER), 0);
    assert_false(send(s, INTENT_PLACE_ORDER, 0, &fx));
    assert_int_equal(count_of(&fx, FX_PLACE_ORDER), 0);
    free(s);
}

static void associate_order_confirmed_in_the_app(void **state)
{
    Fixture *f = *state;
    KioskConfig cfg = associate_config(f);
    AppState *s = fresh_with(&cfg);
    Effects fx = {0};
    associate_ready_to_order(s, &fx);
    assert_true(send(s, INTENT_PLACE_ORDER, 0, &fx));
    assert_int_equal(s->screen, SCREEN_CONFIRM);
    assert_true(has_effect(&fx, FX_PAIRING_CREATE, NULL)); /* the app's way to say yes */
    fx.count = 0;
    Event made = pairing(true, CENTRAL_OK, "pr_9", CENTRAL_PAIRING_PENDING, "");
    assert_true(app_dispatch(s, &made, 0, &fx));
    /* Back to change the order: the code goes with the screen that showed it */
    fx.count = 0;
    assert_true(send(s, INTENT_BACK, 0, &fx));
    assert_int_equal(s->screen, SCREEN_CHECKOUT);
    assert_false(s->pairing_available);
    assert_string_equal(s->pairing.id, "");
    assert_true(has_effect(&fx, FX_PAIRING_STOP, NULL));
    fx.count = 0;
    assert_true(send(s, INTENT_PLACE_ORDER, 0, &fx));
    assert_true(app_dispatch(s, &made, 0, &fx));
    fx.count = 0;
    Event other = pairing(false, CENTRAL_OK, "pr_9", CENTRAL_PAIRING_CLAIMED, "M10002");
    app_dispatch(s, &other, 0, &fx);
    assert_int_equal(s->notice, NOTICE_WRONG_CUSTOMER);
    assert_int_equal(count_of(&fx, FX_PLACE_ORDER), 0);
    assert_string_equal(s->session.confirmed_by, "");
    fx.count = 0;
    Event theirs = pairing(false, CENTRAL_OK, "pr_9", CENTRAL_PAIRING_CLAIMED, "M10001");
    assert_true(app_dispatch(s, &theirs, 0, &fx));
    assert_string_equal(s->session.confirmed_by, "app");
    assert_int_equal(count_of(&fx, FX_PLACE_ORDER), 1);
    assert_int_equal(s->session.order_phase, ORDER_STORING);
    free(s);
}

static void associate_screen_without_an_associate_is_wiped(void **state)
{
    static const ScreenId associate_only[] = {SCREEN_STAFF, SCREEN_CUSTOMER, SCREEN_NOTE,
                                              SCREEN_CONFIRM};
    Fixture *f = *state;
    for (int sc = SCREEN_ATTRACT; sc <= SCREEN_CONFIRMATION; sc++)
        assert_false(app_staff_screen((ScreenId)sc));
    for (size_t i = 0; i < sizeof associate_only / sizeof associate_only[0]; i++) {
        assert_true(app_staff_screen(associate_only[i]));
        AppState *s = fresh(f);
        Effects fx = {0};
        send(s, INTENT_START, 0, &fx);
        sign_in(s, "M10001", &fx);
        snprintf(s->session.note_draft, sizeof s->session.note_draft, "runs small");
        s->session.history.count = 1;
        s->screen = associate_only[i]; /* forced, as a broken screen might */
        uint64_t v = s->version;
        fx.count = 0;
        Event ev = {.type = EV_READER, .u.reader.connected = false}; /* no news by itself */
        assert_true(app_dispatch(s, &ev, 0, &fx));
        assert_int_equal(s->screen, SCREEN_ATTRACT);
        assert_true(s->version > v);
        assert_false(s->staff.active);
        assert_session_wiped(&s->session, false);
        assert_true(cancels(&fx, TIMER_IDLE));
        free(s);
    }
}

static void associate_idle_uses_its_own_time_and_locks(void **state)
{
    Fixture *f = *state;
    KioskConfig cfg = associate_config(f);
    AppState *s = fresh_with(&cfg);
    Effects fx = {0};
    uint32_t delay = 0;
    open_associate(s, "S1001", &fx);
    assert_true(arms(&fx, TIMER_IDLE, &delay));
    assert_int_equal(delay, 90000);
    assert_true(tap(s, IDENTITY_MEMBER, "M10001", SOURCE_CARD, &fx));
    assert_true(arms(&fx, TIMER_IDLE, &delay));
    assert_int_equal(delay, 90000);
    touch(s, &fx);
    assert_true(arms(&fx, TIMER_IDLE, &delay));
    assert_int_equal(delay, 90000);
    assert_true(send(s, INTENT_NEXT_CUSTOMER, 0, &fx));
    assert_true(arms(&fx, TIMER_IDLE, &delay));
    assert_int_equal(delay, 90000);
    customer_with_a_file(s, "M10002", &fx);

    assert_true(fire(s, TIMER_IDLE, 500000, &fx));
    assert_true(s->idle_warning);
    assert_int_equal(s->wipe_at_ms, 520000);
    assert_true(arms(&fx, TIMER_WIPE, &delay));
    assert_int_equal(delay, 20000);
    assert_int_equal(s->screen, SCREEN_CUSTOMER);
    assert_true(fire(s, TIMER_WIPE, 520000, &fx));
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    assert_false(s->idle_warning);
    assert_staff_wiped(&s->staff);
    assert_session_wiped(&s->session, false);
    assert_true(cancels(&fx, TIMER_IDLE));

    /* the next shopper gets the shopper's time again */
    send(s, INTENT_START, 0, &fx);
    assert_true(arms(&fx, TIMER_IDLE, &delay));
    assert_int_equal(delay, 60000);
    free(s);
}

/* The same through the core and its timers, on the hand-set clock. */
static void associate_locks_on_the_clock(void **state)
{
    Fixture *f = *state;
    post_identity(f, IDENTITY_STAFF, "S1001", REFUSED_NONE);
    const AppState *s = step(f);
    assert_int_equal(s->screen, SCREEN_STAFF);
    assert_true(s->staff.active);
    assert_int_equal(core_next_timeout(f->core), 90000);
    post_identity(f, IDENTITY_MEMBER, "M10001", REFUSED_NONE);
    s = step(f);
    assert_int_equal(s->screen, SCREEN_CUSTOMER);
    assert_string_equal(s->session.member_id, "M10001");
    f->now += 89999;
    assert_false(step(f)->idle_warning);
    f->now += 1;
    s = step(f);
    assert_true(s->idle_warning);
    assert_int_equal(s->wipe_at_ms, f->now + 20000);
    f->now += 20000;
    s = step(f);
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    assert_false(s->staff.active);
    assert_string_equal(s->session.member_id, "");
    assert_int_equal(core_next_timeout(f->core), -1);
}

static void garment_tag_on_the_shop_floor_kiosk(void **state)
{
    Fixture *f = *state;
    AppState *s = fresh(f);
    Effects fx = {0};
    assert_int_equal(s->mode, KIOSK_MODE_KIOSK);
    assert_true(garment_tag(s, "09506000134352", "", &fx));
    assert_int_equal(s->notice, NOTICE_PRODUCT_TAG);
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    assert_false(s->session.active);
    assert_int_equal(count_of(&fx, FX_FIND_GARMENT), 0);
    free(s);

    /* an associate on the shop floor may look a tag up */
    KioskConfig cfg = associate_config(f);
    s = fresh_with(&cfg);
    open_associate(s, "S1001", &fx);
    assert_true(garment_tag(s, "09506000134352", "", &fx));
    assert_int_equal(s->screen, SCREEN_PRODUCT);
    assert_int_equal(count_of(&fx, FX_FIND_GARMENT), 1);
    assert_int_not_equal(s->notice, NOTICE_PRODUCT_TAG);
    free(s);
}

/* A product with one colour and sizes S, M, L, as the product lookup returns it. */
static Result *product_result(uint32_t seq, const char *id)
{
    Result *r = result_new(RESULT_PRODUCT, seq);
    ProductDetail *p = &r->u.product;
    snprintf(p->id, sizeof p->id, "%s", id);
    snprintf(p->name, sizeof p->name, "Harbor Jacket");
    snprintf(p->category, sizeof p->category, "jackets");
    snprintf(p->currency, sizeof p->currency, "USD");
    p->price_cents = 12000;
    const char *sizes[] = {"S", "M", "L"};
    for (int i = 0; i < 3; i++) {
        VariantView *v = &p->variants[p->variant_count++];
        snprintf(v->id, sizeof v->id, "V%d", i);
        snprintf(v->size, sizeof v->size, "%s", sizes[i]);
        snprintf(v->colour, sizeof v->colour, "Navy");
        v->price_cents = 12000;
    }
    return r;
}

/* A tag on the mirror, its product found and loaded. */
static void garment_on_the_mirror(AppState *s, Effects *fx)
{
    uint32_t seq = 0;
    assert_true(garment_tag(s, "09506000134352", "", fx));
    assert_true(has_effect(fx, FX_FIND_GARMENT, &seq));
    assert_false(send(s, INTENT_FITTING_OPEN, 0, fx)); /* no product yet */
    Result *r = result_new(RESULT_GARMENT, seq);
    snprintf(r->u.garment.product, sizeof r->u.garment.product, "P0042");
    snprintf(r->u.garment.variant, sizeof r->u.garment.variant, "V1");
    assert_true(deliver(s, r, fx));
    assert_true(has_effect(fx, FX_LOAD_PRODUCT, &seq));
    assert_string_equal(s->session.product.id, "P0042");
    assert_int_equal(s->session.product_state, LOAD_BUSY);
    assert_false(send(s, INTENT_FITTING_OPEN, 0, fx)); /* still loading */
    assert_true(deliver(s, product_result(seq, "P0042"), fx));
    assert_int_equal(s->session.product_state, LOAD_OK);
    assert_int_equal(s->screen, SCREEN_PRODUCT);
}

static void garment_tag_opens_the_product_on_the_mirror(void **state)
{
    Fixture *f = *state;
    KioskConfig cfg = mirror_config(f, "Room 2");
    AppState *s = fresh_with(&cfg);
    Effects fx = {0};
    Session *se = &s->session;
    assert_true(garment_tag(s, "09506000134352", "", &fx));
    assert_int_equal(s->screen, SCREEN_PRODUCT);
    assert_true(se->active);
    assert_true(se->garment);
    assert_string_equal(se->garment_gtin, "09506000134352");
    assert_int_equal(se->product_state, LOAD_BUSY);
    assert_int_equal(s->notice, NOTICE_NONE);
    uint32_t seq = 0;
    assert_true(has_effect(&fx, FX_FIND_GARMENT, &seq));
    assert_int_equal(count_of(&fx, FX_FIND_GARMENT), 1);
    assert_true(arms(&fx, TIMER_IDLE, NULL));
    assert_int_equal(se->back_depth, 1); /* Back goes to the mirror's welcome */
    assert_int_equal(se->back[0], SCREEN_HOME);

    /* an answer to an older tag is dropped */
    Result *r = result_new(RESULT_GARMENT, seq + 7);
    r->err = KIOSK_E_NOTFOUND;
    assert_false(deliver(s, r, &fx));
    assert_int_equal(s->screen, SCREEN_PRODUCT);
    /* a good tag, but not a product of this store */
    r = result_new(RESULT_GARMENT, seq);
    r->err = KIOSK_E_NOTFOUND;
    assert_true(deliver(s, r, &fx));
    assert_int_equal(s->notice, NOTICE_GARMENT_UNKNOWN);
    assert_int_not_equal(s->screen, SCREEN_PRODUCT);
    assert_int_equal(s->screen, SCREEN_HOME);
    assert_false(se->garment);
    assert_int_not_equal(se->product_state, LOAD_BUSY);
    assert_int_equal(count_of(&fx, FX_LOAD_PRODUCT), 0);

    /* a tag naming a product id: looked up by id, not GTIN */
    assert_true(garment_tag(s, "", "P0042", &fx));
    assert_string_equal(se->garment_gtin, "");
    assert_string_equal(se->product.id, "P0042");
    assert_true(has_effect(&fx, FX_FIND_GARMENT, &seq));
    r = result_new(RESULT_GARMENT, seq);
    snprintf(r->u.garment.product, sizeof r->u.garment.product, "P0042");
    snprintf(r->u.garment.variant, sizeof r->u.garment.variant, "V2");
    assert_true(deliver(s, r, &fx));
    assert_true(has_effect(&fx, FX_LOAD_PRODUCT, &seq));
    assert_true(se->garment);
    assert_true(deliver(s, product_result(seq, "P0042"), &fx));
    assert_int_equal(se->variant, 2);                 /* the tagged size and colour */
    assert_int_equal(count_of(&fx, FX_LOAD_LOOK), 1); /* and what completes the look */
    assert_int_equal(se->look_state, LOAD_BUSY);
    free(s);
}

static void fitting_request_needs_a_room_and_a_product(void **state)
{
    Fixture *f = *state;
    KioskConfig cfg = mirror_config(f, ""); /* [store] fitting_room not set */
    AppState *s = fresh_with(&cfg);
    Effects fx = {0};
    assert_false(s->fitting_rooms);
    garment_on_the_mirror(s, &fx);
    assert_false(send(s, INTENT_FITTING_OPEN, 0, &fx));
    assert_false(s->session.fitting_panel);
    assert_false(send(s, INTENT_FITTING_SEND, 0, &fx));
    assert_int_equal(count_of(&fx, FX_FITTING_SEND), 0);
    free(s);

    cfg = mirror_config(f, "Room 2");
    s = fresh_with(&cfg);
    assert_true(s->fitting_rooms);
    assert_false(send(s, INTENT_FITTING_OPEN, 0, &fx)); /* nothing on screen */
    garment_on_the_mirror(s, &fx);
    assert_true(send(s, INTENT_FITTING_OPEN, 0, &fx));
    assert_true(s->session.fitting_panel);
    assert_false(send(s, INTENT_FITTING_OPEN, 0, &fx));   /* already open */
    assert_true(send(s, INTENT_FITTING_DISMISS, 0, &fx)); /* put away */
    assert_false(s->session.fitting_panel);
    assert_false(send(s, INTENT_FITTING_SEND, 0, &fx)); /* the picker is not open */
    assert_int_equal(count_of(&fx, FX_FITTING_SEND), 0);
    free(s);
}

static Result *fitting_news(uint32_t seq, FittingStatus status)
{
    Result *r = result_new(RESULT_FITTING, seq);
    r->u.fitting.status = status;
    snprintf(r->u.fitting.id, sizeof r->u.fitting.id, "FR000001");
    snprintf(r->u.fitting.variant, sizeof r->u.fitting.variant, "V2");
    return r;
}

static void fitting_request_news_until_it_ends(void **state)
{
    Fixture *f = *state;
    KioskConfig cfg = mirror_config(f, "Room 2");
    AppState *s = fresh_with(&cfg);
    Effects fx = {0};
    FittingView *fit = &s->session.fitting;
    uint32_t seq = 0, delay = 0;
    garment_on_the_mirror(s, &fx);
    assert_true(send(s, INTENT_FITTING_OPEN, 0, &fx));
    assert_false(send(s, INTENT_FITTING_SEND, 3, &fx)); /* no such variant */
    assert_false(send(s, INTENT_FITTING_SEND, -1, &fx));
    assert_true(send(s, INTENT_FITTING_SEND, 2, &fx));
    assert_true(has_effect(&fx, FX_FITTING_SEND, &seq));
    assert_int_equal(count_of(&fx, FX_FITTING_SEND), 1);
    assert_int_equal(fit->status, FITTING_SENDING);
    assert_string_equal(fit->variant, "V2");
    assert_string_equal(fit->size, "L");
    assert_string_equal(fit->colour, "Navy");
    assert_false(s->session.fitting_panel);
    assert_false(send(s, INTENT_FITTING_DISMISS, 0, &fx)); /* not while it is being sent */

    assert_true(deliver(s, fitting_news(seq, FITTING_REQUESTED), &fx));
    assert_int_equal(fit->status, FITTING_REQUESTED);
    assert_string_equal(fit->id, "FR000001");
    assert_true(arms(&fx, TIMER_FITTING, &delay));
    assert_int_equal(delay, APP_FITTING_POLL_MS);

    fire(s, TIMER_FITTING, 0, &fx);
    assert_true(has_effect(&fx, FX_FITTING_POLL, &seq));
    Result *r = result_new(RESULT_FITTING, seq); /* a poll that did not get through */
    r->err = KIOSK_E_IO;
    r->offline = true;
    deliver(s, r, &fx);
    assert_int_equal(fit->status, FITTING_REQUESTED);
    assert_true(arms(&fx, TIMER_FITTING, NULL)); /* asked again later */

    fire(s, TIMER_FITTING, 0, &fx);
    assert_true(has_effect(&fx, FX_FITTING_POLL, &seq));
    assert_true(deliver(s, fitting_news(seq, FITTING_ON_ITS_WAY), &fx));
    assert_int_equal(fit->status, FITTING_ON_ITS_WAY);
    assert_true(arms(&fx, TIMER_FITTING, NULL));

    fire(s, TIMER_FITTING, 0, &fx);
    assert_true(has_effect(&fx, FX_FITTING_POLL, &seq));
    assert_true(deliver(s, fitting_news(seq, FITTING_UNAVAILABLE), &fx));
    assert_int_equal(fit->status, FITTING_UNAVAILABLE);
    assert_false(arms(&fx, TIMER_FITTING, NULL)); /* finished: no more polling */
    fire(s, TIMER_FITTING, 0, &fx);
    assert_int_equal(count_of(&fx, FX_FITTING_POLL), 0);

    assert_true(send(s, INTENT_FITTING_DISMISS, 0, &fx));
    assert_int_equal(fit->status, FITTING_NONE);
    assert_string_equal(fit->id, "");
    assert_string_equal(fit->variant, "");
    assert_true(cancels(&fx, TIMER_FITTING));
    assert_false(send(s, INTENT_FITTING_DISMISS, 0, &fx));
    free(s);
}

static void fitting_request_that_fails_to_send(void **state)
{
    Fixture *f = *state;
    KioskConfig cfg = mirror_config(f, "Room 2");
    AppState *s = fresh_with(&cfg);
    Effects fx = {0};
    FittingView *fit = &s->session.fitting;
    uint32_t seq = 0;
    garment_on_the_mirror(s, &fx);
    assert_true(send(s, INTENT_FITTING_OPEN, 0, &fx));
    assert_true(send(s, INTENT_FITTING_SEND, 0, &fx));
    assert_true(has_effect(&fx, FX_FITTING_SEND, &seq));
    Result *r = result_new(RESULT_FITTING, seq);
    r->err = KIOSK_E_IO;
    r->offline = true;
    assert_true(deliver(s, r, &fx));
    assert_int_equal(fit->status, FITTING_FAILED);
    assert_false(arms(&fx, TIMER_FITTING, NULL));
    fire(s, TIMER_FITTING, 0, &fx);
    assert_int_equal(count_of(&fx, FX_FITTING_POLL), 0);
    assert_true(send(s, INTENT_FITTING_DISMISS, 0, &fx));
    assert_int_equal(fit->status, FITTING_NONE);
    /* and a request dismissed while its news was on the way ignores that news */
    assert_true(send(s, INTENT_FITTING_OPEN, 0, &fx));
    assert_true(send(s, INTENT_FITTING_SEND, 1, &fx));
    assert_true(has_effect(&fx, FX_FITTING_SEND, &seq));
    assert_true(deliver(s, fitting_news(seq, FITTING_REQUESTED), &fx));
    fire(s, TIMER_FITTING, 0, &fx);
    assert_true(has_effect(&fx, FX_FITTING_POLL, &seq));
    assert_true(send(s, INTENT_FITTING_DISMISS, 0, &fx));
    assert_false(deliver(s, fitting_news(seq, FITTING_ON_ITS_WAY), &fx));
    assert_int_equal(fit->status, FITTING_NONE);
    assert_false(arms(&fx, TIMER_FITTING, NULL));
    free(s);
}

static void wipe_leaves_no_trace_of_the_customer_file(void **state)
{
    Fixture *f = *state;
    KioskConfig cfg = associate_config(f);
    AppState *s = fresh_with(&cfg);
    Effects fx = {0};
    Session *se = &s->session;
    open_associate(s, "S1001", &fx);
    for (int round = 0; round < 2; round++) {
        customer_with_a_file(s, "M10001", &fx);
        assert_string_equal(app_language(s), "en"); /* an associate's screen keeps the device's */
        assert_true(send(s, INTENT_SET_LANGUAGE, 2, &fx)); /* ... unless they choose */
        assert_string_equal(app_language(s), "fr");
        assert_true(send(s, INTENT_OPEN_NOTE, 0, &fx));
        send(s, INTENT_KEY, 'o', &fx);
        send(s, INTENT_KEY, 'k', &fx);
        assert_string_equal(se->note_draft, "ok");
        snprintf(se->confirmed_by, sizeof se->confirmed_by, "card");
        if (round == 0) {
            /* "Next customer": every byte of theirs goes; the associate stays */
            assert_true(send(s, INTENT_NEXT_CUSTOMER, 0, &fx));
            assert_int_equal(s->screen, SCREEN_STAFF);
            assert_session_wiped(se, true);
            assert_true(s->staff.active);
            assert_string_equal(s->staff.id, "S1001");
        } else {
            /* "Lock": the customer and the associate go */
            assert_true(send(s, INTENT_LOCK, 0, &fx));
            assert_int_equal(s->screen, SCREEN_ATTRACT);
            assert_session_wiped(se, false);
            assert_staff_wiped(&s->staff);
            assert_true(cancels(&fx, TIMER_IDLE));
        }
        assert_string_equal(app_language(s), "en");
        for (int k = 0; k < RESULT_KIND_COUNT; k++)
            assert_int_equal(s->pending[k], 0); /* late answers for them are dropped */
        assert_false(s->idle_warning);
    }
    free(s);
}

/* ---- first boot: the setup screen (app_setup.c) ------------------------------------------ */

static void needs_enrollment(KioskConfig *cfg)
{
    cfg->enroll = true; /* and the data directory is empty: no identity yet */
}

static int setup_enroll(void **state)
{
    return setup_with(state, needs_enrollment);
}

static void post_code(Fixture *f, const char *code, IdentitySource source)
{
    Event ev = {.type = EV_IDENTITY};
    ev.u.identity.kind = IDENTITY_ENROLL_CODE;
    ev.u.identity.source = source;
    snprintf(ev.u.identity.code, sizeof ev.u.identity.code, "%s", code);
    assert_int_equal(evq_post(f->q, &ev), KIOSK_OK);
}

/* Through the core, on the hand-set clock: a device without its identity waits on the setup
 * screen; without a central service its enrollment fails and can be tried again. */
static void setup_screen_through_the_core(void **state)
{
    Fixture *f = *state;
    const AppState *s = step(f);
    assert_int_equal(s->screen, SCREEN_SETUP);
    assert_true(s->setup.needed);
    assert_int_equal(s->setup.stage, SETUP_BADGE);
    assert_int_equal(s->heartbeat_ms, 0); /* nobody to tell yet */
    post_identity(f, IDENTITY_MEMBER, "M-0007", REFUSED_NONE);
    s = step(f);
    assert_int_equal(s->notice, NOTICE_SETUP);
    assert_int_equal(s->screen, SCREEN_SETUP);
    assert_false(s->session.active);
    f->now += APP_NOTICE_MS;
    assert_int_equal(step(f)->notice, NOTICE_NONE);
    post_code(f, "KQ7M-2XPD", SOURCE_SCANNER); /* a code alone enrolls nothing */
    s = step(f);
    assert_int_equal(s->notice, NOTICE_BADGE_FIRST);
    assert_int_equal(s->setup.stage, SETUP_BADGE);
    assert_string_equal(s->setup.code, "");
    post_identity(f, IDENTITY_TECHNICIAN, "T9001", REFUSED_NONE);
    assert_int_equal(step(f)->setup.stage, SETUP_CODE);
    const char *typed = "kq7m-2xpd";
    for (const char *k = typed; *k; k++)
        intent(f, INTENT_KEY, *k);
    s = step(f);
    assert_string_equal(s->setup.code, "KQ7M-2XPD");
    intent(f, INTENT_ENROLL, 0);
    s = step(f); /* FX_ENROLL: no central service here, so it fails at once */
    assert_int_equal(s->setup.stage, SETUP_FAILED);
    assert_string_equal(s->setup.error, "no_central");
    assert_int_equal(s->screen, SCREEN_SETUP);
    intent(f, INTENT_RETRY, 0);
    s = step(f);
    assert_int_equal(s->setup.stage, SETUP_CODE);
    assert_string_equal(s->setup.code, "KQ7M-2XPD");
    assert_false(core_restart_wanted(f->core));
}

static AppState *setup_state(const Fixture *f)
{
    AppState *s = fresh(f);
    app_setup_start(s, "SN-0042");
    assert_int_equal(s->screen, SCREEN_SETUP);
    assert_true(s->setup.needed);
    assert_int_equal(s->setup.stage, SETUP_BADGE);
    assert_string_equal(s->setup.serial, "SN-0042");
    return s;
}

/* An enrollment code as the scanner (or kioskctl) gives it. */
static bool enroll_code(AppState *s, const char *code, IdentitySource source, Effects *fx)
{
    fx->count = 0;
    Event ev = {.type = EV_IDENTITY};
    ev.u.identity.kind = IDENTITY_ENROLL_CODE;
    ev.u.identity.source = source;
    snprintf(ev.u.identity.code, sizeof ev.u.identity.code, "%s", code);
    return app_dispatch(s, &ev, 0, fx);
}

static void setup_refuses_every_other_tag(void **state)
{
    static const IdentityKind others[] = {IDENTITY_MEMBER, IDENTITY_GARMENT, IDENTITY_STAFF,
                                          IDENTITY_REFUSED};
    Fixture *f = *state;
    AppState *s = setup_state(f);
    AppState *before = malloc(sizeof *before);
    assert_non_null(before);
    Effects fx = {0};
    for (int round = 0; round < 2; round++) {
        if (round == 1) { /* the badge was tapped and half the code typed */
            assert_true(tap(s, IDENTITY_TECHNICIAN, "T9001", SOURCE_CARD, &fx));
            send(s, INTENT_KEY, 'K', &fx);
            send(s, INTENT_KEY, '7', &fx);
            assert_string_equal(s->setup.code, "K7");
        }
        for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
            for (IdentitySource src = SOURCE_CARD; src <= SOURCE_SCANNER; src++) {
                s->notice = NOTICE_NONE;
                memcpy(before, s, sizeof *s);
                assert_true(tap(s, others[i], "M10001", src, &fx));
                assert_int_equal(s->notice, NOTICE_SETUP);
                assert_int_equal(fx.count, 1); /* the notice's timer, nothing else */
                assert_true(arms(&fx, TIMER_NOTICE, NULL));
                before->notice = NOTICE_SETUP;
                before->version++;
                assert_memory_equal(s, before, sizeof *s);
            }
        }
    }
    /* a garment tag the shop floor would look up: not during setup */
    assert_true(garment_tag(s, "09506000134352", "", &fx));
    assert_int_equal(count_of(&fx, FX_FIND_GARMENT), 0);
    assert_false(s->session.active);
    assert_int_equal(s->screen, SCREEN_SETUP);
    free(before);
    free(s);
}

static void setup_code_needs_the_badge_first(void **state)
{
    Fixture *f = *state;
    AppState *s = setup_state(f);
    Effects fx = {0};
    for (IdentitySource src = SOURCE_CARD; src <= SOURCE_APP; src++) {
        s->notice = NOTICE_NONE;
        assert_true(enroll_code(s, "KQ7M-2XPD", src, &fx));
        assert_int_equal(s->notice, NOTICE_BADGE_FIRST);
        assert_int_equal(s->setup.stage, SETUP_BADGE);
        assert_string_equal(s->setup.code, "");
        assert_int_equal(count_of(&fx, FX_ENROLL), 0);
        assert_int_equal(s->pending[RESULT_ENROLLED], 0);
    }
    /* kioskctl enroll: a shell on the device is a technician's */
    uint32_t seq = 0;
    assert_true(enroll_code(s, "KQ7M-2XPD", SOURCE_CONTROL, &fx));
    assert_true(has_effect(&fx, FX_ENROLL, &seq));
    assert_int_equal(count_of(&fx, FX_ENROLL), 1);
    assert_int_equal(s->setup.stage, SETUP_ENROLLING);
    assert_string_equal(s->setup.code, "KQ7M-2XPD");
    assert_int_equal(s->pending[RESULT_ENROLLED], seq);
    /* while it enrolls, another code, a badge or a retry does nothing */
    assert_false(enroll_code(s, "ZZZZ-9999", SOURCE_CONTROL, &fx));
    assert_int_equal(fx.count, 0);
    assert_false(tap(s, IDENTITY_TECHNICIAN, "T9001", SOURCE_CARD, &fx));
    assert_false(send(s, INTENT_ENROLL, 0, &fx));
    assert_false(send(s, INTENT_RETRY, 0, &fx));
    assert_int_equal(s->setup.stage, SETUP_ENROLLING);
    assert_string_equal(s->setup.code, "KQ7M-2XPD");
    free(s);
}

static void setup_code_keys(void **state)
{
    Fixture *f = *state;
    AppState *s = setup_state(f);
    Effects fx = {0};
    assert_false(send(s, INTENT_KEY, 'A', &fx)); /* no badge yet: no pad */
    assert_false(send(s, INTENT_ENROLL, 0, &fx));
    assert_string_equal(s->setup.code, "");
    assert_true(tap(s, IDENTITY_TECHNICIAN, "T9001", SOURCE_CARD, &fx));
    assert_int_equal(s->setup.stage, SETUP_CODE);
    assert_int_equal(s->screen, SCREEN_SETUP);
    /* upper case forced; only A-Z 0-9 and '-' */
    static const int32_t refused[] = {' ', '!', '_', ':', '/', 0xE9, 0xC9, 0x7F, '\n', 0, 0x141};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (send(s, INTENT_KEY, refused[i], &fx))
            fail_msg("key %d was typed into the code", refused[i]);
    assert_string_equal(s->setup.code, "");
    assert_false(send(s, INTENT_KEY, KEY_BACKSPACE, &fx)); /* nothing to take away */
    assert_false(send(s, INTENT_KEY, KEY_CLEAR, &fx));
    const char *keys = "kq7M-2x";
    for (const char *k = keys; *k; k++)
        assert_true(send(s, INTENT_KEY, *k, &fx));
    assert_string_equal(s->setup.code, "KQ7M-2X");
    assert_false(send(s, INTENT_ENROLL, 0, &fx)); /* 7 characters: not a code yet */
    assert_int_equal(count_of(&fx, FX_ENROLL), 0);
    assert_int_equal(s->setup.stage, SETUP_CODE);
    assert_true(send(s, INTENT_KEY, KEY_BACKSPACE, &fx));
    assert_string_equal(s->setup.code, "KQ7M-2");
    assert_true(send(s, INTENT_KEY, KEY_CLEAR, &fx));
    assert_string_equal(s->setup.code, "");
    /* bounded: IDENTITY_CODE_MAX characters, the rest refused */
    for (int i = 0; i < IDENTITY_CODE_MAX; i++)
        assert_true(send(s, INTENT_KEY, 'A' + i % 26, &fx));
    assert_false(send(s, INTENT_KEY, 'Z', &fx));
    assert_false(send(s, INTENT_KEY, '9', &fx));
    assert_int_equal(strlen(s->setup.code), IDENTITY_CODE_MAX);
    /* Back: another technician, perhaps; the code goes */
    assert_true(send(s, INTENT_BACK, 0, &fx));
    assert_int_equal(s->setup.stage, SETUP_BADGE);
    assert_string_equal(s->setup.code, "");
    assert_false(send(s, INTENT_BACK, 0, &fx));
    assert_true(tap(s, IDENTITY_TECHNICIAN, "T9001", SOURCE_CARD, &fx));
    for (const char *k = "KQ7M-2XP"; *k; k++)
        send(s, INTENT_KEY, *k, &fx);
    uint32_t seq = 0;
    assert_true(send(s, INTENT_ENROLL, 0, &fx)); /* 8: enough */
    assert_true(has_effect(&fx, FX_ENROLL, &seq));
    assert_int_equal(count_of(&fx, FX_ENROLL), 1);
    assert_int_equal(s->setup.stage, SETUP_ENROLLING);
    assert_int_equal(s->pending[RESULT_ENROLLED], seq);
    assert_false(send(s, INTENT_KEY, 'Q', &fx)); /* frozen while it enrolls */
    assert_false(send(s, INTENT_ENROLL, 0, &fx));
    assert_int_equal(count_of(&fx, FX_ENROLL), 0);
    assert_string_equal(s->setup.code, "KQ7M-2XP");
    free(s);
}

/* Types the code on the pad and sends it; returns the request's seq. */
static uint32_t setup_enroll_typed(AppState *s, Effects *fx)
{
    uint32_t seq = 0;
    assert_true(tap(s, IDENTITY_TECHNICIAN, "T9001", SOURCE_CARD, fx));
    for (const char *k = "KQ7M-2XPD"; *k; k++)
        assert_true(send(s, INTENT_KEY, *k, fx));
    assert_true(send(s, INTENT_ENROLL, 0, fx));
    assert_true(has_effect(fx, FX_ENROLL, &seq));
    return seq;
}

static Result *enrolled(uint32_t seq, KioskErr err, const char *refusal)
{
    Result *r = result_new(RESULT_ENROLLED, seq);
    assert_non_null(r);
    r->err = err;
    snprintf(r->refusal, sizeof r->refusal, "%s", refusal);
    if (err == KIOSK_OK) {
        snprintf(r->u.enrolled.device_id, sizeof r->u.enrolled.device_id, "D000001");
        snprintf(r->u.enrolled.store, sizeof r->u.enrolled.store, "sea-ballard");
    }
    return r;
}

static void setup_enrolled_restarts_on_its_timer(void **state)
{
    Fixture *f = *state;
    AppState *s = setup_state(f);
    Effects fx = {0};
    uint32_t seq = setup_enroll_typed(s, &fx);
    /* an answer to another request (an older code) is dropped */
    assert_false(deliver(s, enrolled(seq + 1, KIOSK_OK, ""), &fx));
    assert_false(deliver(s, enrolled(0, KIOSK_E_IO, "enrollment_code_invalid"), &fx));
    assert_int_equal(s->setup.stage, SETUP_ENROLLING);
    assert_int_equal(fx.count, 0);
    /* no restart before it is done */
    fire(s, TIMER_RESTART, 0, &fx);
    assert_int_equal(count_of(&fx, FX_RESTART), 0);
    uint32_t delay = 0;
    assert_true(deliver(s, enrolled(seq, KIOSK_OK, ""), &fx));
    assert_int_equal(s->setup.stage, SETUP_DONE);
    assert_string_equal(s->setup.device_id, "D000001");
    assert_string_equal(s->setup.store, "sea-ballard");
    assert_int_equal(s->pending[RESULT_ENROLLED], 0);
    assert_true(arms(&fx, TIMER_RESTART, &delay));
    assert_true(delay > 0);
    assert_int_equal(count_of(&fx, FX_RESTART), 0); /* a moment to read it first */
    /* the same answer again changes nothing */
    assert_false(deliver(s, enrolled(seq, KIOSK_OK, ""), &fx));
    assert_int_equal(fx.count, 0);
    assert_int_equal(s->screen, SCREEN_SETUP);
    /* other timers restart nothing */
    fire(s, TIMER_NOTICE, 0, &fx);
    fire(s, TIMER_IDLE, 0, &fx);
    assert_int_equal(count_of(&fx, FX_RESTART), 0);
    fire(s, TIMER_RESTART, 4000, &fx);
    assert_int_equal(count_of(&fx, FX_RESTART), 1);
    /* enrolled: a badge or a code starts nothing again */
    assert_false(tap(s, IDENTITY_TECHNICIAN, "T9001", SOURCE_CARD, &fx));
    assert_false(enroll_code(s, "KQ7M-2XPD", SOURCE_CONTROL, &fx));
    assert_int_equal(count_of(&fx, FX_ENROLL), 0);
    assert_int_equal(s->setup.stage, SETUP_DONE);
    free(s);
}

static void setup_failure_says_why_and_retries(void **state)
{
    Fixture *f = *state;
    AppState *s = setup_state(f);
    Effects fx = {0};
    uint32_t seq = setup_enroll_typed(s, &fx);
    assert_true(deliver(s, enrolled(seq, KIOSK_E_IO, "enrollment_code_invalid"), &fx));
    assert_int_equal(s->setup.stage, SETUP_FAILED);
    assert_string_equal(s->setup.error, "enrollment_code_invalid");
    assert_int_equal(count_of(&fx, FX_TIMER_ARM), 0); /* no restart */
    fire(s, TIMER_RESTART, 0, &fx);
    assert_int_equal(count_of(&fx, FX_RESTART), 0);
    assert_false(send(s, INTENT_KEY, 'X', &fx)); /* the pad opens again with Retry */
    assert_false(send(s, INTENT_ENROLL, 0, &fx));
    assert_true(send(s, INTENT_RETRY, 0, &fx));
    assert_int_equal(s->setup.stage, SETUP_CODE);
    assert_string_equal(s->setup.code, "KQ7M-2XPD"); /* a typo is fixed, not retyped */
    assert_false(send(s, INTENT_RETRY, 0, &fx));
    assert_true(send(s, INTENT_ENROLL, 0, &fx));
    assert_true(has_effect(&fx, FX_ENROLL, &seq));
    assert_string_equal(s->setup.error, "");
    /* unreachable, no refusal code: "offline" */
    assert_true(deliver(s, enrolled(seq, KIOSK_E_IO, ""), &fx));
    assert_int_equal(s->setup.stage, SETUP_FAILED);
    assert_string_equal(s->setup.error, "offline");
    /* after a failure a scanned code enrolls at once (the badge was tapped already) */
    assert_true(enroll_code(s, "WXYZ-1234", SOURCE_SCANNER, &fx));
    assert_true(has_effect(&fx, FX_ENROLL, &seq));
    assert_int_equal(s->setup.stage, SETUP_ENROLLING);
    assert_string_equal(s->setup.code, "WXYZ-1234");
    free(s);
}

static Result *probed(bool online)
{
    Result *r = result_new(RESULT_SYNC, 0);
    assert_non_null(r);
    r->u.sync.online = online;
    return r;
}

/* The setup screen says whether the central service answers: asked again and again (more
 * often while it does not), and an enrollment's answer counts too. */
static void setup_asks_whether_the_service_answers(void **state)
{
    Fixture *f = *state;
    AppState *s = setup_state(f);
    Effects fx = {0};
    uint32_t delay = 0, later = 0, seq;
    assert_false(s->online);
    fire(s, TIMER_PROBE, 0, &fx);
    assert_int_equal(count_of(&fx, FX_PROBE), 1);
    assert_false(deliver(s, probed(false), &fx));
    assert_true(arms(&fx, TIMER_PROBE, &delay));
    assert_true(deliver(s, probed(true), &fx));
    assert_true(s->online);
    assert_true(arms(&fx, TIMER_PROBE, &later));
    assert_true(delay > 0 && later > delay);
    assert_true(deliver(s, probed(false), &fx)); /* the cable was pulled */
    assert_false(s->online);
    seq = setup_enroll_typed(s, &fx);
    assert_true(deliver(s, enrolled(seq, KIOSK_E_INVALID, "enrollment_code_invalid"), &fx));
    assert_true(s->online); /* refused: but the service answered */
    assert_true(send(s, INTENT_RETRY, 0, &fx));
    assert_true(send(s, INTENT_ENROLL, 0, &fx));
    assert_true(has_effect(&fx, FX_ENROLL, &seq));
    Result *r = enrolled(seq, KIOSK_E_IO, "offline");
    r->offline = true;
    assert_true(deliver(s, r, &fx));
    assert_false(s->online);
    assert_true(send(s, INTENT_RETRY, 0, &fx));
    assert_true(send(s, INTENT_ENROLL, 0, &fx));
    assert_true(has_effect(&fx, FX_ENROLL, &seq));
    assert_true(deliver(s, enrolled(seq, KIOSK_OK, ""), &fx));
    assert_true(s->online);
    fire(s, TIMER_PROBE, 0, &fx); /* enrolled: nothing more to ask before the restart */
    assert_int_equal(count_of(&fx, FX_PROBE), 0);
    free(s);
}

static void setup_serves_no_shopper(void **state)
{
    static const Intent shopper[] = {
        INTENT_START,
        INTENT_STILL_HERE,
        INTENT_END_SESSION,
        INTENT_GUEST,
        INTENT_HOME,
        INTENT_OPEN_CATEGORY,
        INTENT_PAGE,
        INTENT_OPEN_SEARCH,
        INTENT_OPEN_PRODUCT,
        INTENT_COLOUR,
        INTENT_SIZE,
        INTENT_ADD_TO_CART,
        INTENT_OPEN_CART,
        INTENT_QTY_UP,
        INTENT_QTY_DOWN,
        INTENT_REMOVE_LINE,
        INTENT_CHECKOUT,
        INTENT_ADDRESS,
        INTENT_SHIPPING,
        INTENT_OFFER,
        INTENT_PLACE_ORDER,
        INTENT_HANDOFF,
        INTENT_CLOSE_PANEL,
        INTENT_ACCESSIBILITY,
        INTENT_FITTING_OPEN,
        INTENT_FITTING_SEND,
        INTENT_FITTING_DISMISS,
        INTENT_LOCK,
        INTENT_OPEN_CUSTOMER,
        INTENT_NEXT_CUSTOMER,
        INTENT_OPEN_NOTE,
        INTENT_SAVE_NOTE,
        INTENT_SERVICE_PIN,
        INTENT_SERVICE_SECTION,
        INTENT_SERVICE_TOUCH,
        INTENT_SERVICE_RESET,
        INTENT_SERVICE_EXIT,
        INTENT_RETRY,
    };
    Fixture *f = *state;
    AppState *s = setup_state(f);
    AppState *before = malloc(sizeof *before);
    assert_non_null(before);
    Effects fx = {0};
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            assert_true(tap(s, IDENTITY_TECHNICIAN, "T9001", SOURCE_CARD, &fx));
            send(s, INTENT_KEY, 'K', &fx);
        }
        s->session.cart_count = 1; /* as if there were something to act on */
        s->session.category_count = 1;
        s->heartbeat_ms = 60000;
        memcpy(before, s, sizeof *s);
        for (size_t i = 0; i < sizeof shopper / sizeof shopper[0]; i++) {
            if (send(s, shopper[i], 0, &fx))
                fail_msg("%s changed the setup screen", intent_name(shopper[i]));
            assert_int_equal(fx.count, 0);
            assert_memory_equal(s, before, sizeof *s);
        }
        /* nor do a heartbeat's timer or a shopper's data */
        fire(s, TIMER_HEARTBEAT, 0, &fx);
        fire(s, TIMER_IDLE, 0, &fx);
        assert_int_equal(fx.count, 0);
        Result *r = result_new(RESULT_HEARTBEAT, 0);
        snprintf(r->u.heartbeat.commands[0].command, sizeof r->u.heartbeat.commands[0].command,
                 "restart");
        r->u.heartbeat.command_count = 1;
        assert_false(deliver(s, r, &fx));
        assert_int_equal(fx.count, 0);
        assert_memory_equal(s, before, sizeof *s);
    }
    /* the language is the one choice the setup screen offers */
    assert_true(send(s, INTENT_SET_LANGUAGE, 1, &fx));
    assert_string_equal(app_language(s), "es");
    assert_int_equal(s->screen, SCREEN_SETUP);
    free(before);
    free(s);
}

/* ---- service mode (app_service.c) -------------------------------------------------------- */

static bool send_at(AppState *s, Intent intent, int32_t arg, uint64_t now, Effects *fx)
{
    fx->count = 0;
    Event ev = {.type = EV_INTENT, .u.intent = {intent, arg}};
    return app_dispatch(s, &ev, now, fx);
}

/* The PIN check's answer for the request pending. */
static bool pin_checked(AppState *s, KioskErr err, uint64_t now, Effects *fx)
{
    Result *r = result_new(RESULT_PIN_CHECKED, s->pending[RESULT_PIN_CHECKED]);
    assert_non_null(r);
    r->err = err;
    fx->count = 0;
    Event ev = {.type = EV_RESULT, .u.result.result = r};
    bool changed = app_dispatch(s, &ev, now, fx);
    result_free(r);
    return changed;
}

/* Types `pin` and asks for it to be checked at `now`: true if the check was asked. */
static bool give_pin(AppState *s, const char *pin, uint64_t now, Effects *fx)
{
    for (const char *k = pin; *k; k++)
        send_at(s, INTENT_KEY, *k, now, fx);
    send_at(s, INTENT_SERVICE_PIN, 0, now, fx);
    return count_of(fx, FX_CHECK_PIN) == 1;
}

static AppState *service_state(const Fixture *f)
{
    AppState *s = fresh(f);
    s->service_pin_set = true;
    return s;
}

static void open_service(AppState *s, Effects *fx)
{
    assert_true(tap(s, IDENTITY_TECHNICIAN, "T9001", SOURCE_CARD, fx));
    assert_int_equal(s->screen, SCREEN_SERVICE_PIN);
    assert_true(give_pin(s, "482913", 0, fx));
    assert_true(pin_checked(s, KIOSK_OK, 0, fx));
    assert_int_equal(s->screen, SCREEN_SERVICE);
    assert_true(s->service.active);
}

/* An answer about a PIN typed before (another badge, Back in between) opens nothing. */
static void stale_pin_answer_is_dropped(void **state)
{
    Fixture *f = *state;
    AppState *s = service_state(f);
    Effects fx = {0};
    assert_true(tap(s, IDENTITY_TECHNICIAN, "T9001", SOURCE_CARD, &fx));
    assert_true(give_pin(s, "482913", 0, &fx));
    uint32_t first = s->pending[RESULT_PIN_CHECKED];
    assert_true(send_at(s, INTENT_BACK, 0, 0, &fx));
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    assert_true(tap(s, IDENTITY_TECHNICIAN, "T9002", SOURCE_CARD, &fx));
    assert_true(give_pin(s, "0000", 0, &fx));
    assert_int_not_equal(first, s->pending[RESULT_PIN_CHECKED]);
    Result *r = result_new(RESULT_PIN_CHECKED, first); /* "right": but for the first PIN */
    r->err = KIOSK_OK;
    Event ev = {.type = EV_RESULT, .u.result.result = r};
    app_dispatch(s, &ev, 0, &fx);
    result_free(r);
    assert_int_equal(s->screen, SCREEN_SERVICE_PIN);
    assert_false(s->service.active);
    assert_true(pin_checked(s, KIOSK_E_INVALID, 0, &fx)); /* the real answer still counts */
    assert_int_equal(s->service.failures, 1);
    free(s);
}

static void service_badge_without_a_pin_is_a_notice(void **state)
{
    Fixture *f = *state;
    AppState *s = fresh(f);
    Effects fx = {0};
    assert_false(s->service_pin_set);
    send(s, INTENT_START, 0, &fx);
    sign_in(s, "M10001", &fx);
    s->session.cart_count = 1;
    assert_true(tap(s, IDENTITY_TECHNICIAN, "T9001", SOURCE_CARD, &fx));
    assert_int_equal(s->notice, NOTICE_NO_PIN);
    assert_int_equal(s->screen, SCREEN_HOME); /* the shopper's session stays theirs */
    assert_string_equal(s->session.member_id, "M10001");
    assert_int_equal(s->session.cart_count, 1);
    assert_string_equal(s->service.technician, "");
    assert_true(arms(&fx, TIMER_NOTICE, NULL));
    free(s);
}

static void service_badge_asks_the_pin_and_ends_the_session(void **state)
{
    Fixture *f = *state;
    KioskConfig cfg = associate_config(f);
    for (int round = 0; round < 2; round++) {
        AppState *s = fresh_with(&cfg);
        s->service_pin_set = true;
        Effects fx = {0};
        if (round == 0) { /* a shopper's session */
            send(s, INTENT_START, 0, &fx);
            sign_in(s, "M10001", &fx);
            s->session.cart_count = 1;
            snprintf(s->session.query, sizeof s->session.query, "jacket");
        } else { /* an associate's, with their customer */
            open_associate(s, "S1001", &fx);
            assert_true(tap(s, IDENTITY_MEMBER, "M10001", SOURCE_CARD, &fx));
        }
        s->notice = NOTICE_STAFF_BADGE; /* about the screen being left */
        uint32_t delay = 0;
        assert_true(tap(s, IDENTITY_TECHNICIAN, "T9001", SOURCE_CARD, &fx));
        assert_int_equal(s->screen, SCREEN_SERVICE_PIN);
        assert_int_equal(s->notice, NOTICE_NONE);
        assert_string_equal(s->service.technician, "T9001");
        assert_false(s->service.active);
        assert_session_wiped(&s->session, false);
        assert_staff_wiped(&s->staff);
        assert_true(arms(&fx, TIMER_IDLE, &delay));
        assert_int_equal(delay, s->staff_idle_ms); /* a technician's time, not a shopper's */
        /* the badge again, or any tag, while the pad is open: nothing changes */
        assert_true(tap(s, IDENTITY_MEMBER, "M10002", SOURCE_CARD, &fx));
        assert_int_equal(s->screen, SCREEN_SERVICE_PIN);
        assert_false(s->session.active);
        assert_int_equal(count_of(&fx, FX_FETCH_PROFILE), 0);
        free(s);
    }
}

static void service_pin_pad(void **state)
{
    Fixture *f = *state;
    AppState *s = service_state(f);
    Effects fx = {0};
    assert_true(tap(s, IDENTITY_TECHNICIAN, "T9001", SOURCE_CARD, &fx));
    static const int32_t refused[] = {'a', 'A', ' ', '-', '*', '#', '/', ':', 0xB2, 0};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (send(s, INTENT_KEY, refused[i], &fx))
            fail_msg("key %d was typed into the PIN", refused[i]);
    assert_string_equal(s->service.pin, "");
    assert_false(send(s, INTENT_KEY, KEY_BACKSPACE, &fx));
    for (int i = 0; i < APP_SERVICE_PIN_MAX; i++)
        assert_true(send(s, INTENT_KEY, '0' + (i + 1) % 10, &fx));
    assert_false(send(s, INTENT_KEY, '5', &fx)); /* APP_SERVICE_PIN_MAX digits at most */
    assert_string_equal(s->service.pin, "123456789012");
    assert_true(send(s, INTENT_KEY, KEY_BACKSPACE, &fx));
    assert_string_equal(s->service.pin, "12345678901");
    assert_true(send(s, INTENT_KEY, KEY_CLEAR, &fx));
    assert_string_equal(s->service.pin, "");
    for (const char *k = "482"; *k; k++)
        assert_true(send(s, INTENT_KEY, *k, &fx));
    assert_false(send(s, INTENT_SERVICE_PIN, 0, &fx)); /* 3 digits: not a PIN */
    assert_int_equal(count_of(&fx, FX_CHECK_PIN), 0);
    assert_false(s->service.checking);
    assert_true(send(s, INTENT_KEY, '9', &fx));
    uint32_t seq = 0;
    assert_true(send(s, INTENT_SERVICE_PIN, 0, &fx));
    assert_true(has_effect(&fx, FX_CHECK_PIN, &seq));
    assert_int_equal(count_of(&fx, FX_CHECK_PIN), 1);
    assert_int_equal(s->pending[RESULT_PIN_CHECKED], seq);
    assert_true(s->service.checking);
    /* a second press, or a key, while it is checked: nothing */
    assert_false(send(s, INTENT_SERVICE_PIN, 0, &fx));
    assert_int_equal(fx.count, 0);
    assert_false(send(s, INTENT_KEY, '1', &fx));
    assert_false(send(s, INTENT_KEY, KEY_CLEAR, &fx));
    assert_string_equal(s->service.pin, "4829");
    assert_int_equal(s->pending[RESULT_PIN_CHECKED], seq);
    /* the right PIN: service mode, the typed PIN gone from memory */
    assert_true(pin_checked(s, KIOSK_OK, 0, &fx));
    assert_int_equal(s->screen, SCREEN_SERVICE);
    assert_true(s->service.active);
    assert_false(s->service.checking);
    assert_int_equal(s->service.section, SERVICE_STATUS);
    assert_int_equal(s->service.failures, 0);
    char zero[sizeof s->service.pin] = {0};
    assert_memory_equal(s->service.pin, zero, sizeof zero);
    assert_true(arms(&fx, TIMER_IDLE, NULL));
    /* a late answer, or keys, change nothing now */
    assert_false(pin_checked(s, KIOSK_E_INVALID, 0, &fx));
    assert_int_equal(s->service.failures, 0);
    assert_false(send(s, INTENT_KEY, '1', &fx));
    assert_memory_equal(s->service.pin, zero, sizeof zero);
    free(s);
}

static void service_wrong_pins_wait_longer_each_time(void **state)
{
    Fixture *f = *state;
    AppState *s = service_state(f);
    Effects fx = {0};
    uint64_t now = 10000;
    assert_true(tap(s, IDENTITY_TECHNICIAN, "T9001", SOURCE_CARD, &fx));
    uint32_t expected = 0;
    for (int n = 1; n <= APP_SERVICE_FREE_TRIES + 8; n++) {
        assert_true(give_pin(s, "1111", now, &fx));
        assert_true(pin_checked(s, KIOSK_E_INVALID, now, &fx));
        assert_int_equal(s->screen, SCREEN_SERVICE_PIN); /* try again */
        assert_false(s->service.active);
        assert_false(s->service.checking);
        assert_int_equal(s->service.failures, n);
        char zero[sizeof s->service.pin] = {0};
        assert_memory_equal(s->service.pin, zero, sizeof zero); /* wiped, right or wrong */
        if (n < APP_SERVICE_FREE_TRIES) {
            assert_false(arms(&fx, TIMER_SERVICE, NULL));
            assert_true(s->service.wait_until_ms <= now);
            continue; /* free: the next try at once */
        }
        expected = n == APP_SERVICE_FREE_TRIES ? APP_SERVICE_WAIT_MS : expected * 2;
        if (expected > APP_SERVICE_WAIT_MAX_MS)
            expected = APP_SERVICE_WAIT_MAX_MS;
        uint32_t delay = 0;
        assert_true(arms(&fx, TIMER_SERVICE, &delay));
        assert_int_equal(delay, expected);
        assert_int_equal(s->service.wait_until_ms, now + expected);
        /* keys and the check are refused until the wait is over */
        now += expected - 1;
        assert_false(send_at(s, INTENT_KEY, '1', now, &fx));
        assert_false(give_pin(s, "1111", now, &fx));
        assert_string_equal(s->service.pin, "");
        now += 1;
        assert_true(fire(s, TIMER_SERVICE, now, &fx)); /* the pad is open again */
    }
    assert_int_equal(expected, APP_SERVICE_WAIT_MAX_MS); /* it reached the cap */
    /* the right one at last: the count starts again */
    assert_true(give_pin(s, "482913", now, &fx));
    assert_true(pin_checked(s, KIOSK_OK, now, &fx));
    assert_int_equal(s->screen, SCREEN_SERVICE);
    assert_int_equal(s->service.failures, 0);
    free(s);
}

static void service_wait_holds_across_badges(void **state)
{
    Fixture *f = *state;
    AppState *s = service_state(f);
    Effects fx = {0};
    uint64_t now = 5000;
    assert_true(tap(s, IDENTITY_TECHNICIAN, "T9001", SOURCE_CARD, &fx));
    for (int n = 0; n < APP_SERVICE_FREE_TRIES; n++) {
        assert_true(give_pin(s, "1111", now, &fx));
        pin_checked(s, KIOSK_E_INVALID, now, &fx);
    }
    uint64_t until = s->service.wait_until_ms;
    assert_int_equal(until, now + APP_SERVICE_WAIT_MS);
    /* leave, and tap the badge again: the wait still holds */
    assert_true(send_at(s, INTENT_BACK, 0, now, &fx));
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    assert_string_equal(s->service.technician, "");
    assert_int_equal(s->service.failures, APP_SERVICE_FREE_TRIES);
    assert_int_equal(s->service.wait_until_ms, until);
    assert_true(tap(s, IDENTITY_TECHNICIAN, "T9002", SOURCE_CARD, &fx));
    assert_int_equal(s->screen, SCREEN_SERVICE_PIN);
    assert_false(give_pin(s, "1111", now + 1000, &fx));
    /* the idle wipe ends it too, and keeps the count */
    assert_true(fire(s, TIMER_IDLE, now + 1000, &fx));
    assert_true(fire(s, TIMER_WIPE, now + 2000, &fx));
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    assert_int_equal(s->service.failures, APP_SERVICE_FREE_TRIES);
    assert_int_equal(s->service.wait_until_ms, until);
    /* a shopper's session in between wipes nothing of it either */
    send_at(s, INTENT_START, 0, now + 3000, &fx);
    send_at(s, INTENT_END_SESSION, 0, now + 3000, &fx);
    assert_int_equal(s->service.failures, APP_SERVICE_FREE_TRIES);
    assert_true(tap(s, IDENTITY_TECHNICIAN, "T9001", SOURCE_CARD, &fx));
    assert_false(give_pin(s, "1111", until - 1, &fx));
    assert_string_equal(s->service.pin, "");
    /* the fourth wrong PIN waits twice as long */
    assert_true(give_pin(s, "1111", until, &fx));
    assert_true(pin_checked(s, KIOSK_E_INVALID, until, &fx));
    assert_int_equal(s->service.failures, APP_SERVICE_FREE_TRIES + 1);
    assert_int_equal(s->service.wait_until_ms, until + 2 * APP_SERVICE_WAIT_MS);
    free(s);
}

static void service_pin_record_gone_is_no_service_mode(void **state)
{
    Fixture *f = *state;
    AppState *s = service_state(f);
    Effects fx = {0};
    assert_true(tap(s, IDENTITY_TECHNICIAN, "T9001", SOURCE_CARD, &fx));
    assert_true(give_pin(s, "1111", 0, &fx));
    pin_checked(s, KIOSK_E_INVALID, 0, &fx);
    assert_true(give_pin(s, "482913", 0, &fx));
    assert_true(pin_checked(s, KIOSK_E_STATE, 0, &fx));
    assert_int_equal(s->notice, NOTICE_NO_PIN);
    assert_true(arms(&fx, TIMER_NOTICE, NULL));
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    assert_false(s->service.active);
    assert_false(s->service.checking);
    assert_string_equal(s->service.technician, "");
    assert_string_equal(s->service.pin, "");
    assert_int_equal(s->service.failures, 1); /* not a wrong PIN: the count stays */
    free(s);
}

/* The same through the core: this device has no identity, so no PIN record, and the PIN
 * check (on a thread of its own) says so. */
static void service_pin_check_through_the_core(void **state)
{
    Fixture *f = *state;
    ((AppState *)core_state(f->core))->service_pin_set = true; /* as an old record might say */
    post_identity(f, IDENTITY_TECHNICIAN, "T9001", REFUSED_NONE);
    const AppState *s = step(f);
    assert_int_equal(s->screen, SCREEN_SERVICE_PIN);
    for (const char *k = "482913"; *k; k++)
        intent(f, INTENT_KEY, *k);
    intent(f, INTENT_SERVICE_PIN, 0);
    s = step(f);
    assert_true(s->service.checking || s->screen == SCREEN_ATTRACT);
    for (int i = 0; i < 2000 && s->screen != SCREEN_ATTRACT; i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
        s = step(f);
    }
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    assert_int_equal(s->notice, NOTICE_NO_PIN);
    assert_false(s->service.active);
    assert_string_equal(s->service.pin, "");
}

static void service_intents_refused_outside_service_mode(void **state)
{
    static const struct {
        Intent intent;
        int32_t arg;
    } service_only[] = {
        {INTENT_SERVICE_SECTION, SERVICE_RESET},
        {INTENT_SERVICE_SECTION, SERVICE_READER},
        {INTENT_SERVICE_TOUCH, 3},
        {INTENT_SERVICE_RESET, 0},
        {INTENT_SERVICE_RESET, 0},
        {INTENT_SERVICE_RESET, 0},
        {INTENT_SERVICE_EXIT, 0},
        {INTENT_SERVICE_PIN, 0},
    };
    Fixture *f = *state;
    KioskConfig cfg = associate_config(f);
    AppState *s = fresh_with(&cfg);
    s->service_pin_set = true;
    AppState *before = malloc(sizeof *before);
    assert_non_null(before);
    Effects fx = {0};
    for (int round = 0; round < 3; round++) {
        if (round == 1) { /* a shopper's session */
            send(s, INTENT_START, 0, &fx);
            sign_in(s, "M10001", &fx);
            assert_int_equal(s->screen, SCREEN_HOME);
        } else if (round == 2) { /* associate mode */
            send(s, INTENT_END_SESSION, 0, &fx);
            open_associate(s, "S1001", &fx);
        }
        snprintf(s->service.pin, sizeof s->service.pin, "4829"); /* even with a PIN lying about */
        memcpy(before, s, sizeof *s);
        for (size_t i = 0; i < sizeof service_only / sizeof service_only[0]; i++) {
            if (send(s, service_only[i].intent, service_only[i].arg, &fx))
                fail_msg("%s changed the state", intent_name(service_only[i].intent));
            assert_int_equal(fx.count, 0); /* no FX_CHECK_PIN, no FX_FACTORY_RESET */
            assert_memory_equal(s, before, sizeof *s);
        }
        s->service.pin[0] = '\0';
    }
    free(before);
    free(s);
}

static void service_screen_forced_without_a_pin_is_wiped(void **state)
{
    static const ScreenId service_only[] = {SCREEN_SERVICE, SCREEN_SERVICE_PIN};
    Fixture *f = *state;
    for (int sc = SCREEN_ATTRACT; sc < SCREEN_COUNT; sc++)
        assert_int_equal(app_service_screen((ScreenId)sc),
                         sc == SCREEN_SERVICE || sc == SCREEN_SERVICE_PIN);
    for (size_t i = 0; i < sizeof service_only / sizeof service_only[0]; i++) {
        for (int how = 0; how < 3; how++) {
            AppState *s = service_state(f);
            Effects fx = {0};
            send(s, INTENT_START, 0, &fx);
            sign_in(s, "M10001", &fx);
            s->session.cart_count = 1;
            s->screen = service_only[i]; /* forced, as a broken screen might */
            uint64_t v = s->version;
            if (how == 0) { /* any event puts it right */
                fx.count = 0;
                Event ev = {.type = EV_READER, .u.reader.connected = false};
                assert_true(app_dispatch(s, &ev, 0, &fx));
            } else if (how == 1) { /* the factory reset's last press */
                s->service.section = SERVICE_RESET;
                s->service.reset_step = 2;
                send(s, INTENT_SERVICE_RESET, 0, &fx);
            } else { /* the PIN pad */
                snprintf(s->service.pin, sizeof s->service.pin, "4829");
                send(s, INTENT_SERVICE_PIN, 0, &fx);
            }
            assert_int_equal(count_of(&fx, FX_FACTORY_RESET), 0);
            if (service_only[i] == SCREEN_SERVICE)
                assert_int_equal(count_of(&fx, FX_CHECK_PIN), 0);
            assert_true(cancels(&fx, TIMER_IDLE));
            assert_int_equal(s->screen, SCREEN_ATTRACT);
            assert_true(s->version > v);
            assert_false(s->service.active);
            assert_string_equal(s->service.pin, "");
            assert_session_wiped(&s->session, false);
            /* a forced PIN pad may ask for a check (of the wiped, empty PIN): even a "right"
             * answer finds no pad to open */
            assert_false(pin_checked(s, KIOSK_OK, 0, &fx));
            assert_int_equal(s->screen, SCREEN_ATTRACT);
            assert_false(s->service.active);
            free(s);
        }
    }
}

static void service_factory_reset_asks_twice(void **state)
{
    Fixture *f = *state;
    AppState *s = service_state(f);
    Effects fx = {0};
    open_service(s, &fx);
    assert_false(send(s, INTENT_SERVICE_RESET, 0, &fx)); /* not in the status section */
    assert_int_equal(s->service.reset_step, 0);
    assert_false(send(s, INTENT_SERVICE_SECTION, -1, &fx));
    assert_false(send(s, INTENT_SERVICE_SECTION, SERVICE_SECTION_COUNT, &fx));
    assert_int_equal(s->service.section, SERVICE_STATUS);
    assert_true(send(s, INTENT_SERVICE_SECTION, SERVICE_RESET, &fx));
    assert_true(send(s, INTENT_SERVICE_RESET, 0, &fx));
    assert_int_equal(s->service.reset_step, 1);
    assert_int_equal(count_of(&fx, FX_FACTORY_RESET), 0);
    /* "No, keep everything" */
    assert_true(send(s, INTENT_BACK, 0, &fx));
    assert_int_equal(s->service.reset_step, 0);
    assert_int_equal(s->screen, SCREEN_SERVICE);
    assert_true(s->service.active);
    assert_int_equal(fx.count, 0);
    /* twice, then another section: asked from the start again */
    send(s, INTENT_SERVICE_RESET, 0, &fx);
    send(s, INTENT_SERVICE_RESET, 0, &fx);
    assert_int_equal(count_of(&fx, FX_FACTORY_RESET), 0);
    assert_true(send(s, INTENT_SERVICE_SECTION, SERVICE_LOGS, &fx));
    assert_int_equal(s->service.reset_step, 0);
    assert_true(send(s, INTENT_SERVICE_SECTION, SERVICE_RESET, &fx));
    for (int press = 1; press <= 3; press++) {
        assert_true(send(s, INTENT_SERVICE_RESET, 0, &fx));
        assert_int_equal(count_of(&fx, FX_FACTORY_RESET), press == 3 ? 1 : 0);
    }
    free(s);
}

static void service_sections_and_touch_grid(void **state)
{
    Fixture *f = *state;
    AppState *s = service_state(f);
    Effects fx = {0};
    open_service(s, &fx);
    for (int sec = 0; sec < SERVICE_SECTION_COUNT; sec++) {
        assert_true(send(s, INTENT_SERVICE_SECTION, sec, &fx));
        assert_int_equal(s->service.section, sec);
    }
    assert_true(send(s, INTENT_SERVICE_TOUCH, 0, &fx));
    assert_true(send(s, INTENT_SERVICE_TOUCH, APP_TOUCH_GRID - 1, &fx));
    assert_false(send(s, INTENT_SERVICE_TOUCH, APP_TOUCH_GRID, &fx));
    assert_false(send(s, INTENT_SERVICE_TOUCH, -1, &fx));
    assert_int_equal(s->service.touched, 1u | 1u << (APP_TOUCH_GRID - 1));
    /* shopper intents do nothing here */
    assert_false(send(s, INTENT_START, 0, &fx));
    assert_false(send(s, INTENT_OPEN_CART, 0, &fx));
    assert_false(send(s, INTENT_KEY, '1', &fx));
    assert_int_equal(s->screen, SCREEN_SERVICE);
    /* Exit: attract, nothing of service mode left */
    assert_true(send(s, INTENT_SERVICE_EXIT, 0, &fx));
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    assert_false(s->service.active);
    assert_int_equal(s->service.touched, 0);
    assert_string_equal(s->service.technician, "");
    assert_true(cancels(&fx, TIMER_IDLE));
    free(s);
}

static void service_mode_reader_test(void **state)
{
    Fixture *f = *state;
    AppState *s = service_state(f);
    AppState *before = malloc(sizeof *before);
    assert_non_null(before);
    Effects fx = {0};
    open_service(s, &fx);
    assert_true(send(s, INTENT_SERVICE_SECTION, SERVICE_READER, &fx));
    memcpy(before, s, sizeof *s);
    fx.count = 0;
    Event ev = {.type = EV_IDENTITY};
    ev.u.identity.kind = IDENTITY_MEMBER;
    ev.u.identity.source = SOURCE_CARD;
    snprintf(ev.u.identity.member_id, sizeof ev.u.identity.member_id, "M10001");
    snprintf(ev.u.identity.token, sizeof ev.u.identity.token, "NT1.token-of-M10001");
    assert_true(app_dispatch(s, &ev, 777000, &fx));
    assert_int_equal(s->service.taps, 1);
    assert_string_equal(s->service.last_tap, "member");
    assert_int_equal(s->service.last_tap_ms, 777000);
    assert_int_equal(count_of(&fx, FX_FETCH_PROFILE), 0);
    /* nothing but the reader test moved */
    before->service.taps = 1;
    snprintf(before->service.last_tap, sizeof before->service.last_tap, "member");
    before->service.last_tap_ms = 777000;
    before->version++;
    assert_memory_equal(s, before, sizeof *s);
    /* the scanner test; a staff badge and the technician's own badge are reported too */
    assert_true(tap(s, IDENTITY_MEMBER, "M10002", SOURCE_SCANNER, &fx));
    assert_int_equal(s->service.lines, 1);
    assert_string_equal(s->service.last_line, "member");
    assert_true(tap(s, IDENTITY_STAFF, "S1001", SOURCE_CARD, &fx));
    assert_string_equal(s->service.last_tap, "staff");
    assert_true(tap(s, IDENTITY_TECHNICIAN, "T9001", SOURCE_CARD, &fx));
    assert_string_equal(s->service.last_tap, "technician");
    assert_int_equal(s->service.taps, 3);
    assert_int_equal(s->screen, SCREEN_SERVICE);
    assert_true(s->service.active);
    assert_false(s->session.active);
    assert_false(s->staff.active);
    assert_string_equal(s->session.member_id, "");
    free(before);
    free(s);
}

/* ---- the heartbeat and the operator's commands (app.c) ----------------------------------- */

static Result *heartbeat_reply(const char *const *commands, size_t n)
{
    Result *r = result_new(RESULT_HEARTBEAT, 0);
    assert_non_null(r);
    CentralHeartbeatReply *h = &r->u.heartbeat;
    snprintf(h->device_id, sizeof h->device_id, "D000001");
    h->next_heartbeat_seconds = 60;
    for (size_t i = 0; i < n; i++) {
        snprintf(h->commands[i].id, sizeof h->commands[i].id, "C%06zu", i + 1);
        snprintf(h->commands[i].command, sizeof h->commands[i].command, "%s", commands[i]);
    }
    h->command_count = n;
    return r;
}

static bool heartbeat_says(AppState *s, const char *command, Effects *fx)
{
    return deliver(s, heartbeat_reply(&command, 1), fx);
}

static void heartbeat_timer_rearms(void **state)
{
    Fixture *f = *state;
    AppState *s = fresh(f);
    Effects fx = {0};
    fire(s, TIMER_HEARTBEAT, 0, &fx); /* no device id: no heartbeat */
    assert_int_equal(fx.count, 0);
    s->heartbeat_ms = 60000;
    for (int round = 0; round < 3; round++) {
        if (round == 1)
            send(s, INTENT_START, 0, &fx); /* whatever the screen */
        if (round == 2)
            sign_in(s, "M10001", &fx);
        uint32_t delay = 0;
        assert_false(fire(s, TIMER_HEARTBEAT, 1000, &fx));
        assert_int_equal(count_of(&fx, FX_HEARTBEAT), 1);
        assert_true(arms(&fx, TIMER_HEARTBEAT, &delay));
        assert_int_equal(delay, 60000);
        assert_int_equal(fx.count, 2);
    }
    assert_int_equal(s->screen, SCREEN_HOME);
    /* the service sets the pace */
    Result *r = heartbeat_reply(NULL, 0);
    r->u.heartbeat.next_heartbeat_seconds = 120;
    deliver(s, r, &fx);
    assert_int_equal(s->heartbeat_ms, 120000);
    uint32_t delay = 0;
    fire(s, TIMER_HEARTBEAT, 2000, &fx);
    assert_true(arms(&fx, TIMER_HEARTBEAT, &delay));
    assert_int_equal(delay, 120000);
    /* a pace out of bounds is not taken */
    r = heartbeat_reply(NULL, 0);
    r->u.heartbeat.next_heartbeat_seconds = 0;
    deliver(s, r, &fx);
    assert_int_equal(s->heartbeat_ms, 120000);
    free(s);
}

static void heartbeat_commands_are_run(void **state)
{
    Fixture *f = *state;
    AppState *s = fresh(f);
    Effects fx = {0};
    s->online = true; /* so that no sync kick comes from the network coming back */
    assert_true(heartbeat_says(s, "launch_missiles", &fx)); /* the first: "ok" is news */
    assert_string_equal(s->heartbeat, "ok");
    assert_int_equal(fx.count, 0); /* unknown: skipped */
    assert_false(heartbeat_says(s, "launch_missiles", &fx));
    assert_int_equal(fx.count, 0);
    heartbeat_says(s, "sync_now", &fx);
    assert_int_equal(count_of(&fx, FX_SYNC_KICK), 1);
    assert_int_equal(fx.count, 1);
    heartbeat_says(s, "screenshot", &fx);
    assert_int_equal(count_of(&fx, FX_SCREENSHOT), 1);
    assert_int_equal(fx.count, 1);
    heartbeat_says(s, "restart", &fx); /* nobody is using the screen: at once */
    assert_int_equal(count_of(&fx, FX_RESTART), 1);
    assert_int_equal(fx.count, 1);
    assert_false(s->restart_when_idle);
    /* several in one reply, an unknown one among them: each runs, in order */
    static const char *const several[] = {"screenshot", "format_disk", "sync_now", "screenshot"};
    deliver(s, heartbeat_reply(several, 4), &fx);
    assert_int_equal(fx.count, 3);
    assert_int_equal(fx.items[0].type, FX_SCREENSHOT);
    assert_int_equal(fx.items[1].type, FX_SYNC_KICK);
    assert_int_equal(fx.items[2].type, FX_SCREENSHOT);
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    free(s);
}

static void heartbeat_restart_and_screenshot_wait_for_the_screen(void **state)
{
    Fixture *f = *state;
    KioskConfig cfg = associate_config(f);
    for (int how = 0; how < 3; how++) {
        AppState *s = fresh_with(&cfg);
        Effects fx = {0};
        s->online = true;
        if (how == 2) {
            open_associate(s, "S1001", &fx);
        } else {
            send(s, INTENT_START, 0, &fx);
            sign_in(s, "M10001", &fx);
        }
        assert_true(heartbeat_says(s, "screenshot", &fx)); /* never of a session */
        assert_int_equal(count_of(&fx, FX_SCREENSHOT), 0);
        assert_true(heartbeat_says(s, "restart", &fx));
        assert_int_equal(count_of(&fx, FX_RESTART), 0);
        assert_true(s->restart_when_idle);
        /* the session goes on undisturbed */
        assert_true(send(s, INTENT_OPEN_CART, 0, &fx));
        assert_int_equal(count_of(&fx, FX_RESTART), 0);
        touch(s, &fx);
        assert_int_equal(count_of(&fx, FX_RESTART), 0);
        if (how == 0) { /* "Done" */
            assert_true(send(s, INTENT_END_SESSION, 0, &fx));
        } else if (how == 1) { /* nobody touched it */
            assert_true(fire(s, TIMER_IDLE, 1000, &fx));
            assert_int_equal(count_of(&fx, FX_RESTART), 0);
            assert_true(fire(s, TIMER_WIPE, 21000, &fx));
        } else { /* the associate locks */
            assert_true(send(s, INTENT_LOCK, 0, &fx));
        }
        assert_int_equal(s->screen, SCREEN_ATTRACT);
        assert_int_equal(count_of(&fx, FX_SCREENSHOT), 1); /* of the attract screen */
        assert_int_equal(count_of(&fx, FX_RESTART), 1);
        free(s);
    }
}

static void heartbeat_renews_the_certificate_once(void **state)
{
    Fixture *f = *state;
    AppState *s = fresh(f);
    Effects fx = {0};
    s->online = true;
    Result *r = heartbeat_reply(NULL, 0);
    r->u.heartbeat.renew_certificate = true;
    deliver(s, r, &fx);
    uint32_t seq = 0;
    assert_true(has_effect(&fx, FX_RENEW, &seq));
    assert_int_equal(count_of(&fx, FX_RENEW), 1);
    assert_int_equal(s->pending[RESULT_RENEWED], seq);
    /* the next heartbeat says so again: one renewal at a time */
    r = heartbeat_reply(NULL, 0);
    r->u.heartbeat.renew_certificate = true;
    deliver(s, r, &fx);
    assert_int_equal(count_of(&fx, FX_RENEW), 0);
    /* it failed: the next heartbeat asks again */
    r = result_new(RESULT_RENEWED, seq);
    r->err = KIOSK_E_IO;
    deliver(s, r, &fx);
    assert_int_equal(count_of(&fx, FX_RESTART), 0);
    assert_false(s->restart_when_idle);
    assert_int_equal(s->pending[RESULT_RENEWED], 0);
    r = heartbeat_reply(NULL, 0);
    r->u.heartbeat.renew_certificate = true;
    deliver(s, r, &fx);
    assert_true(has_effect(&fx, FX_RENEW, &seq));
    assert_int_equal(count_of(&fx, FX_RENEW), 1);
    /* renewed while nobody uses the screen: the kiosk starts with it at once */
    r = result_new(RESULT_RENEWED, seq);
    deliver(s, r, &fx);
    assert_int_equal(count_of(&fx, FX_RESTART), 1);
    /* without renew_certificate nothing is asked */
    deliver(s, heartbeat_reply(NULL, 0), &fx);
    assert_int_equal(count_of(&fx, FX_RENEW), 0);
    /* renewed during a session: the restart waits for it to end */
    send(s, INTENT_START, 0, &fx);
    r = heartbeat_reply(NULL, 0);
    r->u.heartbeat.renew_certificate = true;
    deliver(s, r, &fx);
    assert_true(has_effect(&fx, FX_RENEW, &seq));
    deliver(s, result_new(RESULT_RENEWED, seq), &fx);
    assert_int_equal(count_of(&fx, FX_RESTART), 0);
    assert_true(s->restart_when_idle);
    send(s, INTENT_BACK, 0, &fx);
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    assert_int_equal(count_of(&fx, FX_RESTART), 1);
    free(s);
}

static void heartbeat_config_sets_the_service_pin(void **state)
{
    Fixture *f = *state;
    AppState *s = fresh(f);
    Effects fx = {0};
    s->online = true;
    s->service_pin_set = true;
    deliver(s, heartbeat_reply(NULL, 0), &fx); /* no config: as it was */
    assert_true(s->service_pin_set);
    Result *r = heartbeat_reply(NULL, 0);
    r->u.heartbeat.has_config = true;
    snprintf(r->u.heartbeat.service_pin, sizeof r->u.heartbeat.service_pin, "null");
    deliver(s, r, &fx);
    assert_false(s->service_pin_set); /* removed at the service */
    assert_true(tap(s, IDENTITY_TECHNICIAN, "T9001", SOURCE_CARD, &fx));
    assert_int_equal(s->notice, NOTICE_NO_PIN);
    assert_int_equal(s->screen, SCREEN_ATTRACT);
    deliver(s, heartbeat_reply(NULL, 0), &fx);
    assert_false(s->service_pin_set);
    r = heartbeat_reply(NULL, 0);
    r->u.heartbeat.has_config = true;
    snprintf(r->u.heartbeat.service_pin, sizeof r->u.heartbeat.service_pin,
             "{\"algorithm\":\"pbkdf2-sha256\",\"hash\":\"a46d\",\"iterations\":100000,"
             "\"salt\":\"05cc\"}");
    deliver(s, r, &fx);
    assert_true(s->service_pin_set); /* set at the service */
    assert_true(tap(s, IDENTITY_TECHNICIAN, "T9001", SOURCE_CARD, &fx));
    assert_int_equal(s->screen, SCREEN_SERVICE_PIN);
    free(s);
}

static void heartbeat_failure_is_kept_for_the_technician(void **state)
{
    Fixture *f = *state;
    AppState *s = fresh(f);
    Effects fx = {0};
    s->online = true;
    s->service_pin_set = true;
    s->heartbeat_ms = 60000;
    assert_true(deliver(s, heartbeat_reply(NULL, 0), &fx));
    assert_string_equal(s->heartbeat, "ok");
    static const char *const commands[] = {"restart", "sync_now", "screenshot"};
    Result *r = heartbeat_reply(commands, 3);
    r->err = KIOSK_E_IO;
    snprintf(r->refusal, sizeof r->refusal, "device_revoked");
    r->u.heartbeat.has_config = true;
    snprintf(r->u.heartbeat.service_pin, sizeof r->u.heartbeat.service_pin, "null");
    r->u.heartbeat.renew_certificate = true;
    r->u.heartbeat.next_heartbeat_seconds = 5;
    assert_true(deliver(s, r, &fx));
    assert_string_equal(s->heartbeat, "device_revoked");
    assert_int_equal(fx.count, 0); /* nothing of a failed reply is acted on */
    assert_true(s->service_pin_set);
    assert_int_equal(s->heartbeat_ms, 60000);
    assert_int_equal(s->pending[RESULT_RENEWED], 0);
    r = result_new(RESULT_HEARTBEAT, 0);
    r->err = KIOSK_E_IO;
    snprintf(r->refusal, sizeof r->refusal, "device_revoked");
    assert_false(deliver(s, r, &fx)); /* the same again: no news */
    r = result_new(RESULT_HEARTBEAT, 0);
    r->err = KIOSK_E_IO;
    snprintf(r->refusal, sizeof r->refusal, "offline");
    assert_true(deliver(s, r, &fx));
    assert_string_equal(s->heartbeat, "offline");
    assert_true(deliver(s, heartbeat_reply(NULL, 0), &fx));
    assert_string_equal(s->heartbeat, "ok");
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
        cmocka_unit_test_setup_teardown(associate_intents_refused_outside_associate_mode, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(associate_intents_on_a_forced_screen_are_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(staff_badge_without_associate_mode_is_a_notice, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(staff_badge_opens_associate_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(staff_unknown_to_the_service_closes_associate_mode, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(associate_finds_the_customer, setup, teardown),
        cmocka_unit_test_setup_teardown(associate_writes_a_note, setup, teardown),
        cmocka_unit_test_setup_teardown(associate_order_waits_for_the_customers_card, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(associate_order_confirmed_in_the_app, setup, teardown),
        cmocka_unit_test_setup_teardown(associate_screen_without_an_associate_is_wiped, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(associate_idle_uses_its_own_time_and_locks, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(associate_locks_on_the_clock, setup_associate, teardown),
        cmocka_unit_test_setup_teardown(garment_tag_on_the_shop_floor_kiosk, setup, teardown),
        cmocka_unit_test_setup_teardown(garment_tag_opens_the_product_on_the_mirror, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(fitting_request_needs_a_room_and_a_product, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(fitting_request_news_until_it_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(fitting_request_that_fails_to_send, setup, teardown),
        cmocka_unit_test_setup_teardown(wipe_leaves_no_trace_of_the_customer_file, setup, teardown),
        cmocka_unit_test_setup_teardown(setup_screen_through_the_core, setup_enroll, teardown),
        cmocka_unit_test_setup_teardown(setup_refuses_every_other_tag, setup, teardown),
        cmocka_unit_test_setup_teardown(setup_code_needs_the_badge_first, setup, teardown),
        cmocka_unit_test_setup_teardown(setup_code_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(setup_enrolled_restarts_on_its_timer, setup, teardown),
        cmocka_unit_test_setup_teardown(setup_failure_says_why_and_retries, setup, teardown),
        cmocka_unit_test_setup_teardown(setup_asks_whether_the_service_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(setup_serves_no_shopper, setup, teardown),
        cmocka_unit_test_setup_teardown(stale_pin_answer_is_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(service_badge_without_a_pin_is_a_notice, setup, teardown),
        cmocka_unit_test_setup_teardown(service_badge_asks_the_pin_and_ends_the_session, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(service_pin_pad, setup, teardown),
        cmocka_unit_test_setup_teardown(service_wrong_pins_wait_longer_each_time, setup, teardown),
        cmocka_unit_test_setup_teardown(service_wait_holds_across_badges, setup, teardown),
        cmocka_unit_test_setup_teardown(service_pin_record_gone_is_no_service_mode, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(service_pin_check_through_the_core, setup, teardown),
        cmocka_unit_test_setup_teardown(service_intents_refused_outside_service_mode, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(service_screen_forced_without_a_pin_is_wiped, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(service_factory_reset_asks_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(service_sections_and_touch_grid, setup, teardown),
        cmocka_unit_test_setup_teardown(service_mode_reader_test, setup, teardown),
        cmocka_unit_test_setup_teardown(heartbeat_timer_rearms, setup, teardown),
        cmocka_unit_test_setup_teardown(heartbeat_commands_are_run, setup, teardown),
        cmocka_unit_test_setup_teardown(heartbeat_restart_and_screenshot_wait_for_the_screen, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(heartbeat_renews_the_certificate_once, setup, teardown),
        cmocka_unit_test_setup_teardown(heartbeat_config_sets_the_service_pin, setup, teardown),
        cmocka_unit_test_setup_teardown(heartbeat_failure_is_kept_for_the_technician, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
