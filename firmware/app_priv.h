/* app_priv.h: what the app core's files share (app.c: the shopper's journey; app_mirror.c:
 * garment tags, "complete the look" and fitting-room requests; app_staff.c: associate mode
 * and its roles). Not for other modules: they go through app.h. UI thread only, like the
 * state itself. */
#ifndef KIOSK_APP_PRIV_H
#define KIOSK_APP_PRIV_H

#include "app.h"

/* Asks for an effect (APP_MAX_EFFECTS bound one event's effects). */
void app_want(Effects *fx, EffectType type, TimerId timer, uint32_t delay_ms);
/* A new request for `kind`: replies to older ones are dropped from now on. Returns its seq. */
uint32_t app_ask(AppState *s, ResultKind kind, EffectType type, Effects *fx);
/* Copies a string into a field, cut to fit. */
void app_put(char *dst, size_t size, const char *src);
/* Opens a screen, remembering where Back returns to. */
void app_go(AppState *s, ScreenId to);
void app_show_notice(AppState *s, Notice n, Effects *fx);
/* Takes a notice off the screen before its time (what it said no longer holds). */
void app_clear_notice(AppState *s, Effects *fx);
/* Someone touched the screen: the idle countdown starts again (an associate's is shorter). */
void app_restart_idle(AppState *s, Effects *fx);
void app_pairing_clear(AppState *s, Effects *fx);
/* Ends everything: the customer's session and associate mode; back to attract. */
void app_wipe_session(AppState *s, Effects *fx);
/* Ends the customer's session only: their data is overwritten; the associate stays signed
 * in, on SCREEN_STAFF. */
void app_wipe_customer(AppState *s, Effects *fx);
/* Recommendations, offers and categories for the home screen. */
void app_load_home(AppState *s, Effects *fx);
void app_open_product(AppState *s, const char *product, const char *variant, Effects *fx);
/* INTENT_KEY into a text field of `size` bytes: appends a character (ASCII or Latin-1, as
 * UTF-8) if it fits, or takes one away (KEY_BACKSPACE, KEY_CLEAR). True if it changed. */
bool app_type_key(char *text, size_t size, int32_t key);
/* The member's size for a product of this category, "" if not known. */
const char *app_member_size(const Session *se, const char *category);
/* A member has just signed in (shopper): home, or back where they were. */
void app_signed_in(AppState *s, Effects *fx);

/* app_mirror.c */
bool app_mirror_garment(AppState *s, const Identity *id, Effects *fx);
bool app_mirror_intent(AppState *s, Intent intent, int32_t arg, Effects *fx);
bool app_mirror_result(AppState *s, const Result *r, Effects *fx);
bool app_mirror_timer(AppState *s, TimerId id, Effects *fx);
/* The product on screen arrived: what completes its look (the mirror). */
void app_mirror_product_loaded(AppState *s, Effects *fx);

/* app_setup.c: a device without its identity handles every event here. */
bool app_setup_dispatch(AppState *s, const Event *ev, Effects *fx);

/* app_service.c: technician badges on an enrolled device, and service mode. */
bool app_service_identity(AppState *s, const Identity *id, uint64_t now_ms, Effects *fx);
bool app_service_intent(AppState *s, Intent intent, int32_t arg, uint64_t now_ms, Effects *fx);
bool app_service_result(AppState *s, const Result *r, uint64_t now_ms, Effects *fx);
bool app_service_timer(AppState *s, TimerId id, Effects *fx);
bool app_service_enforce(AppState *s, Effects *fx);

/* app_staff.c */
bool app_staff_identity(AppState *s, const Identity *id, Effects *fx);
/* A member's app claimed this screen's pairing code while an associate is signed in. */
bool app_staff_paired(AppState *s, const char *member, Effects *fx);
bool app_staff_intent(AppState *s, Intent intent, int32_t arg, Effects *fx);
bool app_staff_result(AppState *s, const Result *r, Effects *fx);
/* The associate pressed "Place order": the customer confirms it first. */
void app_staff_confirm(AppState *s, Effects *fx);
/* The central service answers again: who the associate is, if that could not be asked. */
bool app_staff_back_online(AppState *s, Effects *fx);
/* Puts right a state that breaks the roles (an associate screen without an associate). Runs
 * after every event; true if it had to. */
bool app_staff_enforce(AppState *s, Effects *fx);

#endif
