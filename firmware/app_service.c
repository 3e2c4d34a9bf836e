/* app_service.c: service mode. A technician's badge on an enrolled device asks for the
 * store's service PIN (set at the central service, kept on the device as a PBKDF2 record:
 * there is no default PIN, and a store without one gets no service mode). The PIN is checked
 * off the UI thread (FX_CHECK_PIN); wrong PINs back off (APP_SERVICE_FREE_TRIES free, then a
 * wait that doubles). The right one opens the service screen: status, a live reader and
 * scanner test, the display's test pattern and touch grid, the recent log, and a factory
 * reset that asks twice. Shoppers and associates never reach it: its screens and intents
 * need a technician who gave the PIN, checked after every event. Part of the app core (see
 * app_priv.h): no I/O, UI thread only. */
#include <stdio.h>
#include <string.h>

#include "app_priv.h"
#include "log.h"

bool app_service_screen(ScreenId screen)
{
    return screen == SCREEN_SERVICE_PIN || screen == SCREEN_SERVICE;
}

uint32_t app_service_wait_ms(int failures)
{
    if (failures < APP_SERVICE_FREE_TRIES)
        return 0;
    uint32_t wait = APP_SERVICE_WAIT_MS;
    for (int i = APP_SERVICE_FREE_TRIES; i < failures && wait < APP_SERVICE_WAIT_MAX_MS; i++)
        wait *= 2;
    return wait > APP_SERVICE_WAIT_MAX_MS ? APP_SERVICE_WAIT_MAX_MS : wait;
}

static bool waiting(const Service *sv, uint64_t now_ms)
{
    return sv->wait_until_ms > now_ms;
}

bool app_service_identity(AppState *s, const Identity *id, uint64_t now_ms, Effects *fx)
{
    Service *sv = &s->service;
    if (s->screen == SCREEN_SERVICE && sv->active) {
        /* The live tests: whatever comes in is reported, nothing is acted on. */
        if (id->source == SOURCE_SCANNER) {
            app_put(sv->last_line, sizeof sv->last_line, identity_kind_name(id->kind));
            sv->lines++;
        } else {
            app_put(sv->last_tap, sizeof sv->last_tap, identity_kind_name(id->kind));
            sv->last_tap_ms = now_ms;
            sv->taps++;
        }
        app_restart_idle(s, fx);
        return true;
    }
    if (s->screen == SCREEN_SERVICE_PIN)
        return true; /* typing the PIN: a tag now (the badge read again) changes nothing */
    if (id->kind != IDENTITY_TECHNICIAN)
        return false;
    if (!s->service_pin_set) {
        log_info("app", "technician badge: no service PIN is set for this store");
        app_show_notice(s, NOTICE_NO_PIN, fx);
        return true;
    }
    if (s->session.active || s->staff.active)
        app_wipe_session(s, fx); /* nobody's session carries into service mode */
    app_clear_notice(s, fx);     /* what a notice said was about the screen left behind */
    app_put(sv->technician, sizeof sv->technician, id->member_id);
    memset(sv->pin, 0, sizeof sv->pin);
    s->screen = SCREEN_SERVICE_PIN;
    if (waiting(sv, now_ms)) /* still the wait after wrong PINs (perhaps before a restart) */
        app_want(fx, FX_TIMER_ARM, TIMER_SERVICE, (uint32_t)(sv->wait_until_ms - now_ms));
    app_restart_idle(s, fx);
    log_info("app", "technician badge: service PIN asked");
    return true;
}

/* The PIN pad: digits only. */
static bool pin_key(Service *sv, int32_t key)
{
    size_t n = strlen(sv->pin);
    if (key == KEY_BACKSPACE || key == KEY_CLEAR) {
        if (n == 0)
            return false;
        sv->pin[key == KEY_CLEAR ? 0 : n - 1] = '\0';
        return true;
    }
    if (key < '0' || key > '9' || n >= APP_SERVICE_PIN_MAX)
        return false;
    sv->pin[n] = (char)key;
    sv->pin[n + 1] = '\0';
    return true;
}

static void leave(AppState *s, Effects *fx)
{
    log_info("app", "service mode closed");
    app_wipe_session(s, fx);
}

/* The status section's checks: asked when it shows, answered by a thread of the core's. */
static void check(AppState *s, Effects *fx)
{
    s->service.diag_state = LOAD_BUSY;
    app_ask(s, RESULT_DIAG, FX_DIAG, fx);
}

bool app_service_intent(AppState *s, Intent intent, int32_t arg, uint64_t now_ms, Effects *fx)
{
    Service *sv = &s->service;
    if (s->screen == SCREEN_SERVICE_PIN && !sv->technician[0]) {
        log_warn("app", "%s refused: no technician's badge", intent_name(intent));
        return false; /* a PIN pad nobody opened with a badge (app_service_enforce closes it) */
    }
    if (s->screen == SCREEN_SERVICE_PIN) {
        switch (intent) {
        case INTENT_KEY:
            return !sv->checking && !waiting(sv, now_ms) && pin_key(sv, arg);
        case INTENT_SERVICE_PIN:
            if (sv->checking || waiting(sv, now_ms) || strlen(sv->pin) < 4)
                return false;
            sv->checking = true;
            app_ask(s, RESULT_PIN_CHECKED, FX_CHECK_PIN, fx);
            return true;
        case INTENT_BACK:
        case INTENT_SERVICE_EXIT:
        case INTENT_END_SESSION:
            leave(s, fx);
            return true;
        default:
            return false;
        }
    }
    if (s->screen != SCREEN_SERVICE || !sv->active) {
        log_warn("app", "%s refused: service mode is not open", intent_name(intent));
        return false;
    }
    switch (intent) {
    case INTENT_SERVICE_SECTION:
        if (arg < 0 || arg >= SERVICE_SECTION_COUNT)
            return false;
        sv->section = (ServiceSection)arg;
        sv->reset_step = 0;
        if (sv->section == SERVICE_STATUS && sv->diag_state != LOAD_BUSY)
            check(s, fx); /* fresh figures each time it is looked at */
        return true;
    case INTENT_SERVICE_TOUCH:
        if (arg < 0 || arg >= APP_TOUCH_GRID)
            return false;
        sv->touched |= 1u << arg;
        return true;
    case INTENT_SERVICE_RESET:
        if (sv->section != SERVICE_RESET)
            return false;
        if (++sv->reset_step == 3) {
            log_warn("app", "factory reset confirmed twice in service mode");
            app_want(fx, FX_FACTORY_RESET, TIMER_COUNT, 0);
        }
        return true;
    case INTENT_BACK:
        if (sv->reset_step > 0) {
            sv->reset_step = 0; /* "No, keep everything" */
            return true;
        }
        leave(s, fx);
        return true;
    case INTENT_SERVICE_EXIT:
    case INTENT_END_SESSION:
        leave(s, fx);
        return true;
    default:
        return false;
    }
}

bool app_service_result(AppState *s, const Result *r, uint64_t now_ms, Effects *fx)
{
    Service *sv = &s->service;
    if (r->kind == RESULT_DIAG) {
        if (!sv->active || r->seq != s->pending[RESULT_DIAG])
            return false;
        s->pending[RESULT_DIAG] = 0;
        sv->diag_state = r->err == KIOSK_OK ? LOAD_OK : LOAD_FAILED;
        sv->reachable = r->u.diag.reachable;
        sv->latency_ms = r->u.diag.latency_ms;
        sv->certificate_days = r->u.diag.certificate_days;
        sv->device_enrolled = r->u.diag.device_enrolled;
        sv->device_certificate_days = r->u.diag.device_certificate_days;
        sv->free_bytes = r->u.diag.free_bytes;
        sv->free_percent = r->u.diag.free_percent;
        app_put(sv->update, sizeof sv->update, r->u.diag.update);
        return true;
    }
    if (r->kind != RESULT_PIN_CHECKED || s->screen != SCREEN_SERVICE_PIN || !sv->checking ||
        r->seq != s->pending[RESULT_PIN_CHECKED])
        return false; /* the answer about a PIN typed before (another badge, another try) */
    s->pending[RESULT_PIN_CHECKED] = 0;
    sv->checking = false;
    memset(sv->pin, 0, sizeof sv->pin);
    if (r->err == KIOSK_OK) {
        sv->active = true;
        sv->failures = 0;
        sv->section = SERVICE_STATUS;
        s->screen = SCREEN_SERVICE;
        check(s, fx);
        app_restart_idle(s, fx);
        log_info("app", "service mode opened");
        return true;
    }
    if (r->err == KIOSK_E_STATE) { /* the record went: no PIN, no service mode */
        app_show_notice(s, NOTICE_NO_PIN, fx);
        leave(s, fx);
        return true;
    }
    sv->failures++;
    log_warn("app", "wrong service PIN (%d in a row)", sv->failures);
    uint32_t wait = app_service_wait_ms(sv->failures);
    if (wait > 0) {
        sv->wait_until_ms = now_ms + wait;
        app_want(fx, FX_TIMER_ARM, TIMER_SERVICE, wait);
    }
    return true;
}

bool app_service_timer(AppState *s, TimerId id, Effects *fx)
{
    (void)fx;
    return id == TIMER_SERVICE && s->screen == SCREEN_SERVICE_PIN; /* the pad is open again */
}

bool app_service_enforce(AppState *s, Effects *fx)
{
    const Service *sv = &s->service;
    bool allowed = s->screen == SCREEN_SERVICE_PIN ? sv->technician[0] != '\0' : sv->active;
    if (!app_service_screen(s->screen) || allowed)
        return false;
    log_error("app", "%s shown without a technician's PIN: closed", app_screen_name(s->screen));
    app_wipe_session(s, fx);
    return true;
}
