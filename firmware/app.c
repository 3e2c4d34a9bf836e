/* app.c: the rules of the app core (see app.h). Each handler changes the state and asks
 * for effects; nothing here blocks, allocates or touches a device. */
#include "app.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

static const char *const SCREEN_NAMES[SCREEN_COUNT] = {
    [SCREEN_ATTRACT] = "attract",
    [SCREEN_IDENTIFY] = "identify",
    [SCREEN_WELCOME] = "welcome",
};

static const char *const NOTICE_NAMES[NOTICE_COUNT] = {
    [NOTICE_NONE] = "none",
    [NOTICE_CARD_UNREADABLE] = "card_unreadable",
    [NOTICE_CARD_EXPIRED] = "card_expired",
    [NOTICE_CARD_INVALID] = "card_invalid",
    [NOTICE_STAFF_BADGE] = "staff_badge",
    [NOTICE_PRODUCT_TAG] = "product_tag",
    [NOTICE_TAG_UNKNOWN] = "tag_unknown",
};

const char *app_notice_name(Notice notice)
{
    return (unsigned)notice < NOTICE_COUNT ? NOTICE_NAMES[notice] : "unknown";
}

const char *app_screen_name(ScreenId screen)
{
    return (unsigned)screen < SCREEN_COUNT ? SCREEN_NAMES[screen] : "unknown";
}

const char *app_language(const AppState *s)
{
    return s->languages[s->language];
}

void app_init(AppState *s, const KioskConfig *cfg)
{
    memset(s, 0, sizeof *s);
    s->screen = SCREEN_ATTRACT;
    s->mode = cfg->mode;
    s->language_count = cfg->language_count;
    memcpy(s->languages, cfg->languages, sizeof s->languages);
    for (int i = 0; i < cfg->language_count; i++)
        if (strcmp(cfg->languages[i], cfg->language) == 0)
            s->default_language = i;
    s->language = s->default_language;
    s->reader_present = cfg->nfc_connstring[0] != '\0';
    s->central = cfg->central_url[0] != '\0';
    s->session.points = -1;
    s->idle_ms = (uint32_t)cfg->idle_seconds * 1000u;
    s->warning_ms = (uint32_t)cfg->warning_seconds * 1000u;
}

static void want(Effects *fx, EffectType type, TimerId timer, uint32_t delay_ms)
{
    /* APP_MAX_EFFECTS bounds one event's effects; more is a bug in this file. */
    if (fx->count < APP_MAX_EFFECTS)
        fx->items[fx->count++] = (Effect){type, timer, delay_ms};
}

static void restart_idle(AppState *s, Effects *fx)
{
    s->idle_warning = false;
    s->wipe_at_ms = 0;
    want(fx, FX_TIMER_CANCEL, TIMER_WIPE, 0);
    want(fx, FX_TIMER_ARM, TIMER_IDLE, s->idle_ms);
}

/* The pairing code goes away with the screen that showed it. */
static void pairing_clear(AppState *s, Effects *fx)
{
    if (!s->pairing_available && !s->pairing.id[0])
        return;
    memset(&s->pairing, 0, sizeof s->pairing);
    s->pairing_available = false;
    want(fx, FX_TIMER_CANCEL, TIMER_PAIRING, 0);
    want(fx, FX_PAIRING_STOP, TIMER_COUNT, 0);
}

/* Ends the session: member data is overwritten, not just forgotten. */
static void wipe_session(AppState *s, Effects *fx)
{
    volatile unsigned char *p = (volatile unsigned char *)&s->session;
    for (size_t i = 0; i < sizeof s->session; i++)
        p[i] = 0;
    s->session.points = -1;
    s->idle_warning = false;
    s->wipe_at_ms = 0;
    s->screen = SCREEN_ATTRACT;
    s->language = s->default_language;
    pairing_clear(s, fx);
    want(fx, FX_TIMER_CANCEL, TIMER_IDLE, 0);
    want(fx, FX_TIMER_CANCEL, TIMER_WIPE, 0);
}

static bool on_intent(AppState *s, Intent intent, int32_t arg, Effects *fx)
{
    switch (intent) {
    case INTENT_START:
        if (s->screen != SCREEN_ATTRACT)
            return false;
        s->screen = SCREEN_IDENTIFY;
        s->session.active = true;
        restart_idle(s, fx);
        if (s->central) /* the app's way in: shown once the service has issued a code */
            want(fx, FX_PAIRING_CREATE, TIMER_COUNT, 0);
        return true;
    case INTENT_BACK:
    case INTENT_END_SESSION:
        if (s->screen == SCREEN_ATTRACT)
            return false;
        wipe_session(s, fx);
        return true;
    case INTENT_SET_LANGUAGE:
        if (arg < 0 || arg >= s->language_count || arg == s->language)
            return false;
        s->language = arg;
        return true;
    case INTENT_STILL_HERE:
        if (!s->idle_warning)
            return false;
        restart_idle(s, fx);
        return true;
    case INTENT_NONE:
        return false;
    }
    return false;
}

static bool on_timer(AppState *s, TimerId id, uint64_t now_ms, Effects *fx)
{
    if (id == TIMER_NOTICE) {
        bool had = s->notice != NOTICE_NONE;
        s->notice = NOTICE_NONE;
        return had;
    }
    if (s->screen == SCREEN_ATTRACT)
        return false; /* a stale timer from a session that already ended */
    if (id == TIMER_PAIRING) {
        if (s->screen == SCREEN_IDENTIFY && s->central)
            want(fx, FX_PAIRING_CREATE, TIMER_COUNT, 0); /* a fresh code before this one ends */
        return false;
    }
    switch (id) {
    case TIMER_IDLE:
        s->idle_warning = true;
        s->wipe_at_ms = now_ms + s->warning_ms;
        want(fx, FX_TIMER_ARM, TIMER_WIPE, s->warning_ms);
        return true;
    case TIMER_WIPE:
        log_info("app", "session ended after %u s without a touch",
                 (s->idle_ms + s->warning_ms) / 1000u);
        wipe_session(s, fx);
        return true;
    case TIMER_NOTICE:
    case TIMER_PAIRING:
    case TIMER_COUNT:
        break;
    }
    return false;
}

static void show_notice(AppState *s, Notice n, Effects *fx)
{
    s->notice = n;
    want(fx, FX_TIMER_ARM, TIMER_NOTICE, APP_NOTICE_MS);
}

static Notice notice_for(IdentityRefusal r)
{
    switch (r) {
    case REFUSED_EXPIRED:
        return NOTICE_CARD_EXPIRED;
    case REFUSED_INVALID:
        return NOTICE_CARD_INVALID;
    case REFUSED_UNKNOWN_TAG:
        return NOTICE_TAG_UNKNOWN;
    case REFUSED_UNREADABLE:
    case REFUSED_NONE:
        break;
    }
    return NOTICE_CARD_UNREADABLE;
}

/* A verified member signs in: the session starts (or passes to them) and they are greeted.
 * Roles other than member are not for shopper screens. Only kinds and codes are logged. */
static bool on_identity(AppState *s, const Identity *id, Effects *fx)
{
    switch (id->kind) {
    case IDENTITY_MEMBER:
        if (s->session.active && s->session.member_id[0] &&
            strcmp(s->session.member_id, id->member_id) != 0)
            wipe_session(s, fx); /* a second shopper: nothing of the first one stays */
        s->session.active = true;
        s->session.source = id->source;
        snprintf(s->session.member_id, sizeof s->session.member_id, "%s", id->member_id);
        snprintf(s->session.token, sizeof s->session.token, "%s", id->token);
        snprintf(s->session.uid_hex, sizeof s->session.uid_hex, "%s", id->uid_hex);
        if (s->central)
            want(fx, FX_FETCH_PROFILE, TIMER_COUNT, 0);
        s->screen = SCREEN_WELCOME;
        pairing_clear(s, fx);
        if (s->notice != NOTICE_NONE) {
            s->notice = NOTICE_NONE;
            want(fx, FX_TIMER_CANCEL, TIMER_NOTICE, 0);
        }
        restart_idle(s, fx);
        log_info("app", "member signed in by %s", id->source == SOURCE_CARD ? "card" : "scanner");
        return true;
    case IDENTITY_STAFF:
    case IDENTITY_TECHNICIAN:
        log_info("app", "%s badge on a shopper screen: not signed in",
                 identity_kind_name(id->kind));
        show_notice(s, NOTICE_STAFF_BADGE, fx);
        return true;
    case IDENTITY_GARMENT:
        show_notice(s, NOTICE_PRODUCT_TAG, fx);
        return true;
    case IDENTITY_REFUSED:
        log_info("app", "refused a %s: %s", id->source == SOURCE_CARD ? "card" : "scanned code",
                 token_result_name(id->token_result));
        show_notice(s, notice_for(id->refusal), fx);
        return true;
    case IDENTITY_NONE:
        break;
    }
    return false;
}

/* The central service's word on who the member is. Offline the greeting stays "Welcome
 * back"; a reply for a shopper who has already gone is dropped. */
static bool on_profile(AppState *s, const Event *ev)
{
    const ProfileEvent *p = &ev->u.profile;
    bool was_online = s->online;
    /* Refused (4xx) still means the service answered. */
    s->online = p->result == CENTRAL_OK || p->result == CENTRAL_REFUSED;
    if (p->result != CENTRAL_OK || !s->session.active ||
        strcmp(p->member_id, s->session.member_id) != 0)
        return s->online != was_online;
    Session *se = &s->session;
    snprintf(se->display_name, sizeof se->display_name, "%s", p->display_name);
    snprintf(se->tier, sizeof se->tier, "%s", p->tier);
    se->points = p->points > INT32_MAX ? INT32_MAX : (int)p->points;
    snprintf(se->last_purchase, sizeof se->last_purchase, "%s", p->last_item);
    snprintf(se->last_channel, sizeof se->last_channel, "%s", p->last_channel);
    for (int i = 0; i < s->language_count; i++) /* the member's own language, if offered */
        if (strcmp(s->languages[i], p->language) == 0)
            s->language = i;
    return true;
}

/* A pairing code arrived, or a long-poll on it came back. Replies about codes this screen
 * no longer shows are dropped. */
static bool on_pairing(AppState *s, const PairingEvent *p, Effects *fx)
{
    if (s->screen != SCREEN_IDENTIFY)
        return false;
    /* A poll that succeeded names its code; an old code's is dropped. A failed one names
     * none, and can only be the current code's: a new code cancels the old code's poll. */
    if (!p->created && p->result == CENTRAL_OK && strcmp(p->id, s->pairing.id) != 0)
        return false;
    if (p->result != CENTRAL_OK) {
        bool had = s->pairing_available;
        memset(&s->pairing, 0, sizeof s->pairing);
        s->pairing_available = false; /* never show a code that cannot work */
        s->online = p->result == CENTRAL_REFUSED;
        want(fx, FX_TIMER_ARM, TIMER_PAIRING, APP_PAIRING_RETRY_MS);
        return had;
    }
    s->online = true;
    if (p->created) {
        snprintf(s->pairing.id, sizeof s->pairing.id, "%s", p->id);
        snprintf(s->pairing.qr, sizeof s->pairing.qr, "%s", p->qr);
        s->pairing_available = s->pairing.qr[0] != '\0';
        int64_t renew_s = p->expires_in_s - APP_PAIRING_RENEW_S;
        want(fx, FX_TIMER_ARM, TIMER_PAIRING, (uint32_t)(renew_s > 5 ? renew_s * 1000 : 5000));
        want(fx, FX_PAIRING_POLL, TIMER_COUNT, 0);
        return true;
    }
    switch (p->status) {
    case CENTRAL_PAIRING_PENDING:
        want(fx, FX_PAIRING_POLL, TIMER_COUNT, 0); /* the wait ran out: wait again */
        return false;
    case CENTRAL_PAIRING_EXPIRED:
        want(fx, FX_PAIRING_CREATE, TIMER_COUNT, 0);
        return false;
    case CENTRAL_PAIRING_CLAIMED:
        break;
    }
    /* The member's app claimed the code: they are signed in. */
    pairing_clear(s, fx);
    s->session.active = true;
    s->session.source = SOURCE_APP;
    snprintf(s->session.member_id, sizeof s->session.member_id, "%s", p->member);
    s->session.token[0] = '\0';
    s->session.uid_hex[0] = '\0';
    s->screen = SCREEN_WELCOME;
    restart_idle(s, fx);
    want(fx, FX_FETCH_MEMBER, TIMER_COUNT, 0);
    log_info("app", "member signed in with the app");
    return true;
}

bool app_dispatch(AppState *s, const Event *ev, uint64_t now_ms, Effects *fx)
{
    bool changed = false;
    switch (ev->type) {
    case EV_INTENT:
        changed = on_intent(s, ev->u.intent.intent, ev->u.intent.arg, fx);
        break;
    case EV_TOUCH:
        /* A touch anywhere keeps a session alive, and answers "Still there?". */
        if (s->screen != SCREEN_ATTRACT) {
            changed = s->idle_warning;
            restart_idle(s, fx);
        }
        break;
    case EV_TIMER:
        changed = on_timer(s, ev->u.timer.id, now_ms, fx);
        break;
    case EV_IDENTITY:
        changed = on_identity(s, &ev->u.identity, fx);
        break;
    case EV_READER:
        changed = s->reader_connected != ev->u.reader.connected;
        s->reader_connected = ev->u.reader.connected;
        break;
    case EV_CARD_REMOVED:
        break;
    case EV_PROFILE:
        changed = on_profile(s, ev);
        break;
    case EV_PAIRING:
        changed = on_pairing(s, &ev->u.pairing, fx);
        break;
    case EV_NONE:
    case EV_CONTROL:
    case EV_QUIT:
        break;
    }
    if (changed)
        s->version++;
    return changed;
}
