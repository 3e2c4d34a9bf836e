/* app_staff.c: associate mode and the roles. A staff badge (on a device that allows it)
 * opens associate mode; the associate finds the customer (card, app or scanner), sees what a
 * stylist needs (sizes, taste, history on every channel with returns, notes kept at the
 * service), builds a bag and orders on the customer's behalf, and the customer confirms that
 * order with their own card or app before it is made. A second tap of the badge, "Lock" or an
 * idle spell ends associate mode and everything in it; "Next customer" ends the customer's
 * session only. The rules hold here, whatever the screens draw: associate screens and intents
 * need an associate, and a shopper's data never carries over. Part of the app core (see
 * app_priv.h): no I/O, UI thread only. Staff and member ids stay out of the logs. */
#include <stdio.h>
#include <string.h>

#include "app_priv.h"
#include "log.h"

bool app_staff_screen(ScreenId screen)
{
    return screen == SCREEN_STAFF || screen == SCREEN_CUSTOMER || screen == SCREEN_NOTE ||
           screen == SCREEN_CONFIRM;
}

/* The associate's own screen; the customer's app can pair with it. */
static void to_staff_home(AppState *s, Effects *fx)
{
    s->session.back_depth = 0;
    s->screen = SCREEN_STAFF;
    if (s->central)
        app_want(fx, FX_PAIRING_CREATE, TIMER_COUNT, 0);
}

static void start_associate(AppState *s, const Identity *id, Effects *fx)
{
    /* Nothing of a shopper's session, or of another associate's, carries over. */
    if (s->session.active || s->staff.active)
        app_wipe_session(s, fx);
    Staff *st = &s->staff;
    st->active = true;
    app_put(st->id, sizeof st->id, id->member_id);
    app_put(st->uid_hex, sizeof st->uid_hex, id->uid_hex);
    app_put(st->token, sizeof st->token, id->token);
    s->session.active = true;
    to_staff_home(s, fx);
    if (s->central) {
        st->state = LOAD_BUSY;
        app_ask(s, RESULT_STAFF, FX_STAFF_IDENTIFY, fx);
    }
    app_restart_idle(s, fx);
    log_info("app", "associate mode opened by a staff badge");
}

/* The customer the associate serves, identified by card, app or scanner. */
static void customer_identified(AppState *s, const char *member, IdentitySource source,
                                const char *token, const char *uid_hex, Effects *fx)
{
    Session *se = &s->session;
    if (se->member_id[0] && strcmp(se->member_id, member) != 0)
        app_wipe_customer(s, fx); /* another customer: nothing of the first one stays */
    se->active = true;
    se->source = source;
    app_put(se->member_id, sizeof se->member_id, member);
    app_put(se->token, sizeof se->token, token);
    app_put(se->uid_hex, sizeof se->uid_hex, uid_hex);
    app_pairing_clear(s, fx);
    if (s->central)
        app_want(fx, token[0] ? FX_FETCH_PROFILE : FX_FETCH_MEMBER, TIMER_COUNT, 0);
    se->back_depth = 0;
    s->screen = SCREEN_CUSTOMER;
    se->history_state = LOAD_BUSY;
    app_ask(s, RESULT_HISTORY, FX_LOAD_HISTORY, fx);
    se->notes_state = LOAD_BUSY;
    app_ask(s, RESULT_NOTES, FX_LOAD_NOTES, fx);
    app_load_home(s, fx); /* picks and offers: the stylist builds the look from them */
    app_restart_idle(s, fx);
    log_info("app", "associate mode: customer identified by %s",
             source == SOURCE_CARD ? "card" : (source == SOURCE_APP ? "app" : "scanner"));
}

/* The customer's card or app says yes to the associate's order: make it durable now. */
static bool confirm_with(AppState *s, const char *member, const char *how, Effects *fx)
{
    Session *se = &s->session;
    if (se->order_phase != ORDER_EDITING)
        return false;
    if (strcmp(member, se->member_id) != 0) {
        log_info("app", "associate order: a card that is not the customer's was refused");
        app_show_notice(s, NOTICE_WRONG_CUSTOMER, fx);
        if (strcmp(how, "app") == 0 && s->central) /* that code is used up: a fresh one */
            app_want(fx, FX_PAIRING_CREATE, TIMER_COUNT, 0);
        return true;
    }
    app_put(se->confirmed_by, sizeof se->confirmed_by, how);
    if (s->notice == NOTICE_WRONG_CUSTOMER) /* the right card came: that is over */
        app_clear_notice(s, fx);
    app_pairing_clear(s, fx);
    se->order_phase = ORDER_STORING;
    se->refusal[0] = '\0';
    memset(&se->order, 0, sizeof se->order);
    app_ask(s, RESULT_ORDER_STORED, FX_PLACE_ORDER, fx);
    log_info("app", "associate order confirmed by the customer's %s", how);
    return true;
}

void app_staff_confirm(AppState *s, Effects *fx)
{
    s->session.confirmed_by[0] = '\0';
    app_go(s, SCREEN_CONFIRM);
    if (s->central) /* the customer may confirm in their app instead of with the card */
        app_want(fx, FX_PAIRING_CREATE, TIMER_COUNT, 0);
}

bool app_staff_identity(AppState *s, const Identity *id, Effects *fx)
{
    switch (id->kind) {
    case IDENTITY_STAFF:
        if (!s->associate_allowed) {
            log_info("app", "staff badge: associate mode is not allowed on this device");
            app_show_notice(s, NOTICE_STAFF_BADGE, fx);
            return true;
        }
        if (s->staff.active && strcmp(s->staff.id, id->member_id) == 0) {
            log_info("app", "associate mode locked by a second tap of the badge");
            app_wipe_session(s, fx);
            return true;
        }
        start_associate(s, id, fx);
        return true;
    case IDENTITY_TECHNICIAN:
        log_info("app", "technician badge: service mode is not on this screen");
        app_show_notice(s, NOTICE_TECHNICIAN, fx);
        return true;
    case IDENTITY_MEMBER:
        if (!s->staff.active)
            return false;
        if (s->screen == SCREEN_CONFIRM)
            return confirm_with(s, id->member_id, id->source == SOURCE_CARD ? "card" : "app", fx);
        customer_identified(s, id->member_id, id->source, id->token, id->uid_hex, fx);
        return true;
    default:
        return false;
    }
}

bool app_staff_paired(AppState *s, const char *member, Effects *fx)
{
    if (!s->staff.active)
        return false;
    if (s->screen == SCREEN_CONFIRM)
        return confirm_with(s, member, "app", fx);
    customer_identified(s, member, SOURCE_APP, "", "", fx);
    return true;
}

bool app_staff_intent(AppState *s, Intent intent, int32_t arg, Effects *fx)
{
    Session *se = &s->session;
    if (!s->staff.active) {
        log_warn("app", "%s refused: associate mode is not open", intent_name(intent));
        return false;
    }
    switch (intent) {
    case INTENT_LOCK:
        log_info("app", "associate mode locked");
        app_wipe_session(s, fx);
        return true;
    case INTENT_OPEN_CUSTOMER:
        if (!se->member_id[0] || s->screen == SCREEN_CUSTOMER)
            return false;
        if (se->history_state == LOAD_FAILED) {
            se->history_state = LOAD_BUSY;
            app_ask(s, RESULT_HISTORY, FX_LOAD_HISTORY, fx);
        }
        if (se->notes_state == LOAD_FAILED) {
            se->notes_state = LOAD_BUSY;
            app_ask(s, RESULT_NOTES, FX_LOAD_NOTES, fx);
        }
        se->back_depth = 0;
        s->screen = SCREEN_CUSTOMER;
        return true;
    case INTENT_NEXT_CUSTOMER:
        app_wipe_customer(s, fx);
        return true;
    case INTENT_OPEN_NOTE:
        if (s->screen != SCREEN_CUSTOMER || !se->member_id[0] || !s->central)
            return false;
        se->note_state = LOAD_NONE;
        app_go(s, SCREEN_NOTE);
        return true;
    case INTENT_SAVE_NOTE:
        if (s->screen != SCREEN_NOTE || !se->note_draft[0] || se->note_state == LOAD_BUSY)
            return false;
        se->note_state = LOAD_BUSY;
        app_ask(s, RESULT_NOTE_SAVED, FX_SAVE_NOTE, fx);
        return true;
    case INTENT_KEY:
        return s->screen == SCREEN_NOTE && se->note_state != LOAD_BUSY &&
               app_type_key(se->note_draft, sizeof se->note_draft, arg);
    default:
        return false;
    }
}

bool app_staff_result(AppState *s, const Result *r, Effects *fx)
{
    Session *se = &s->session;
    Staff *st = &s->staff;
    if (!st->active)
        return false;
    switch (r->kind) {
    case RESULT_STAFF:
        if (r->err == KIOSK_E_INVALID) {
            /* A badge the service no longer knows (left, or revoked): no associate mode. */
            log_warn("app", "associate mode closed: the service does not know this badge");
            app_wipe_session(s, fx);
            app_show_notice(s, NOTICE_STAFF_BADGE, fx);
            return true;
        }
        st->state = r->err == KIOSK_OK ? LOAD_OK : LOAD_FAILED; /* offline: the id shows */
        if (r->err == KIOSK_OK) {
            app_put(st->name, sizeof st->name, r->u.staff.name);
            app_put(st->store_name, sizeof st->store_name, r->u.staff.store_name);
        }
        return true;
    case RESULT_HISTORY:
        se->history_state = r->err == KIOSK_OK ? LOAD_OK : LOAD_FAILED;
        if (r->err == KIOSK_OK)
            se->history = r->u.history;
        return true;
    case RESULT_NOTES:
        se->notes_state = r->err == KIOSK_OK ? LOAD_OK : LOAD_FAILED;
        if (r->err == KIOSK_OK)
            se->notes = r->u.notes;
        return true;
    case RESULT_NOTE_SAVED:
        if (r->err != KIOSK_OK || r->u.notes.count != 1) {
            se->note_state = LOAD_FAILED; /* the draft stays for another try */
            app_show_notice(s, NOTICE_NOTE_FAILED, fx);
            return true;
        }
        /* Newest first, as the service lists them. */
        memmove(&se->notes.notes[1], &se->notes.notes[0],
                sizeof se->notes.notes[0] * (CENTRAL_NOTES_MAX - 1));
        se->notes.notes[0] = r->u.notes.notes[0];
        if (se->notes.count < CENTRAL_NOTES_MAX)
            se->notes.count++;
        se->notes_state = LOAD_OK;
        se->note_state = LOAD_OK;
        memset(se->note_draft, 0, sizeof se->note_draft);
        if (s->screen == SCREEN_NOTE) {
            se->back_depth = 0;
            s->screen = SCREEN_CUSTOMER;
        }
        app_show_notice(s, NOTICE_NOTE_SAVED, fx);
        return true;
    default:
        return false;
    }
}

bool app_staff_back_online(AppState *s, Effects *fx)
{
    if (!s->staff.active || s->staff.state != LOAD_FAILED || !s->central)
        return false;
    s->staff.state = LOAD_BUSY;
    app_ask(s, RESULT_STAFF, FX_STAFF_IDENTIFY, fx);
    return true;
}

bool app_staff_enforce(AppState *s, Effects *fx)
{
    if (!app_staff_screen(s->screen) || s->staff.active)
        return false;
    /* A bug, or an attempt: either way nobody sees an associate screen without a badge. */
    log_error("app", "%s shown outside associate mode: session ended", app_screen_name(s->screen));
    app_wipe_session(s, fx);
    return true;
}
