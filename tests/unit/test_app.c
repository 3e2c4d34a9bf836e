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
    evq_destroy(f->q);
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
        {IDENTITY_TECHNICIAN, REFUSED_NONE, NOTICE_STAFF_BADGE},
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
