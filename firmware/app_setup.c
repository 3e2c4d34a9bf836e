/* app_setup.c: first boot. A device configured to need its own identity ([device] enroll)
 * and without one yet serves nobody: it shows the setup screen (its serial, the network,
 * what to do) until a technician taps their badge and gives the enrollment code from the
 * central service's device console (scanned as "ENROLL:..." or typed on the screen). The
 * core then sends a CSR for the device's own key with the code (FX_ENROLL) and keeps what
 * comes back; the kiosk starts again with its identity (FX_RESTART). Part of the app core
 * (see app_priv.h): no I/O, UI thread only. */
#include <stdio.h>
#include <string.h>

#include "app_priv.h"
#include "log.h"

#define SETUP_RESTART_MS  4000  /* "Enrolled": long enough to read, then the kiosk starts */
#define SETUP_PROBE_MS    5000  /* asking again whether the service answers, while it does not */
#define SETUP_PROBE_OK_MS 30000 /* ... and while it does */

void app_setup_start(AppState *s, const char *serial)
{
    s->setup.needed = true;
    s->setup.stage = SETUP_BADGE;
    app_put(s->setup.serial, sizeof s->setup.serial, serial);
    s->screen = SCREEN_SETUP;
    log_info("app", "no device identity yet: the setup screen waits for a technician");
}

/* A code as the console shows it: letters upper case, digits, dashes; nothing else. */
static bool code_key(Setup *st, int32_t key)
{
    size_t n = strlen(st->code);
    if (key == KEY_BACKSPACE || key == KEY_CLEAR) {
        if (n == 0)
            return false;
        st->code[key == KEY_CLEAR ? 0 : n - 1] = '\0';
        return true;
    }
    if (key >= 'a' && key <= 'z')
        key -= 'a' - 'A';
    if (!((key >= 'A' && key <= 'Z') || (key >= '0' && key <= '9') || key == '-') ||
        n + 1 >= sizeof st->code)
        return false;
    st->code[n] = (char)key;
    st->code[n + 1] = '\0';
    return true;
}

static void enroll(AppState *s, Effects *fx)
{
    s->setup.stage = SETUP_ENROLLING;
    s->setup.error[0] = '\0';
    app_ask(s, RESULT_ENROLLED, FX_ENROLL, fx);
    log_info("app", "enrollment code given: enrolling");
}

static bool on_identity(AppState *s, const Identity *id, Effects *fx)
{
    Setup *st = &s->setup;
    switch (id->kind) {
    case IDENTITY_TECHNICIAN:
        if (st->stage != SETUP_BADGE && st->stage != SETUP_FAILED)
            return false;
        st->stage = SETUP_CODE;
        st->code[0] = '\0';
        log_info("app", "technician badge: enrollment may begin");
        return true;
    case IDENTITY_ENROLL_CODE:
        if (st->stage == SETUP_BADGE && id->source != SOURCE_CONTROL) {
            app_show_notice(s, NOTICE_BADGE_FIRST, fx); /* a code alone enrolls nothing */
            return true;
        }
        if (st->stage == SETUP_BADGE)
            st->stage = SETUP_CODE; /* kioskctl enroll: a shell on the device is a technician's */
        if (st->stage != SETUP_CODE && st->stage != SETUP_FAILED)
            return false;
        app_put(st->code, sizeof st->code, id->code);
        enroll(s, fx);
        return true;
    case IDENTITY_NONE:
        return false;
    default: /* a member's card, a garment, another badge: not yet */
        app_show_notice(s, NOTICE_SETUP, fx);
        return true;
    }
}

static bool on_intent(AppState *s, Intent intent, int32_t arg, Effects *fx)
{
    Setup *st = &s->setup;
    switch (intent) {
    case INTENT_KEY:
        return st->stage == SETUP_CODE && code_key(st, arg);
    case INTENT_ENROLL:
        if (st->stage != SETUP_CODE || strlen(st->code) < 8)
            return false;
        enroll(s, fx);
        return true;
    case INTENT_BACK:
        if (st->stage != SETUP_CODE)
            return false;
        st->stage = SETUP_BADGE; /* another technician, perhaps */
        st->code[0] = '\0';
        return true;
    case INTENT_RETRY:
        if (st->stage != SETUP_FAILED)
            return false;
        st->stage = SETUP_CODE;
        return true;
    case INTENT_SET_LANGUAGE:
        if (arg < 0 || arg >= s->language_count || arg == s->language)
            return false;
        s->language = arg;
        return true;
    default:
        return false; /* nothing else exists until the device is enrolled */
    }
}

bool app_setup_dispatch(AppState *s, const Event *ev, Effects *fx)
{
    Setup *st = &s->setup;
    switch (ev->type) {
    case EV_IDENTITY:
        return on_identity(s, &ev->u.identity, fx);
    case EV_INTENT:
        return on_intent(s, ev->u.intent.intent, ev->u.intent.arg, fx);
    case EV_TIMER:
        if (ev->u.timer.id == TIMER_NOTICE && s->notice != NOTICE_NONE) {
            s->notice = NOTICE_NONE;
            return true;
        }
        if (ev->u.timer.id == TIMER_RESTART && st->stage == SETUP_DONE)
            app_want(fx, FX_RESTART, TIMER_COUNT, 0);
        if (ev->u.timer.id == TIMER_PROBE && st->stage != SETUP_DONE)
            app_want(fx, FX_PROBE, TIMER_COUNT, 0);
        return false;
    case EV_READER: {
        bool changed = s->reader_connected != ev->u.reader.connected;
        s->reader_connected = ev->u.reader.connected;
        return changed;
    }
    case EV_RESULT: {
        const Result *r = ev->u.result.result;
        if (!r)
            return false;
        if (r->kind == RESULT_SYNC) { /* the screen says whether the network is there */
            bool changed = s->online != r->u.sync.online;
            s->online = r->u.sync.online;
            app_want(fx, FX_TIMER_ARM, TIMER_PROBE, s->online ? SETUP_PROBE_OK_MS : SETUP_PROBE_MS);
            return changed;
        }
        if (r->kind != RESULT_ENROLLED || r->seq != s->pending[RESULT_ENROLLED] ||
            st->stage != SETUP_ENROLLING)
            return false;
        s->pending[RESULT_ENROLLED] = 0;
        s->online = !r->offline; /* an answer, even a refusal, came from the service */
        if (r->err != KIOSK_OK) {
            st->stage = SETUP_FAILED;
            app_put(st->error, sizeof st->error, r->refusal[0] ? r->refusal : "offline");
            log_warn("app", "enrollment refused or failed: %s", st->error);
            return true;
        }
        st->stage = SETUP_DONE;
        app_put(st->device_id, sizeof st->device_id, r->u.enrolled.device_id);
        app_put(st->store, sizeof st->store, r->u.enrolled.store);
        app_want(fx, FX_TIMER_ARM, TIMER_RESTART, SETUP_RESTART_MS);
        log_info("app", "enrolled: restarting with the device's identity");
        return true;
    }
    default:
        return false;
    }
}
