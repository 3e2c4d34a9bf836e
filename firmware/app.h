/* app.h: the app core. AppState is everything the screens show; app_dispatch applies one
 * event to it and lists the effects it wants (arm a timer, later: send a request, write to
 * the outbox). It does no I/O and reads no clock of its own: `now_ms` comes in with each
 * event, so every journey can be replayed in a unit test without a screen or a network.
 * Used by the UI thread only (through core.h). */
#ifndef KIOSK_APP_H
#define KIOSK_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "event.h"

typedef enum ScreenId {
    SCREEN_ATTRACT = 0, /* brand, call to action, language choice */
    SCREEN_IDENTIFY,    /* tap a card, scan the app's QR, or use the scanner */
    SCREEN_COUNT
} ScreenId;

#define APP_MEMBER_ID_MAX 64
#define APP_MAX_EFFECTS   8

/* Member data lives here and only here, for one session; app_dispatch wipes it. */
typedef struct Session {
    bool active;                       /* someone is using the screen (guest or member) */
    char member_id[APP_MEMBER_ID_MAX]; /* empty until identified */
    unsigned cart_items;
} Session;

typedef struct AppState {
    ScreenId screen;
    KioskMode mode;
    int language;         /* index into languages[] */
    int default_language; /* what the attract screen returns to */
    char languages[CONFIG_LANGS_MAX][8];
    int language_count;
    bool online;            /* central service reachable */
    bool pairing_available; /* an app pairing QR can be shown */
    unsigned outbox_depth;
    Session session;
    bool idle_warning;   /* "Still there?" is showing */
    uint64_t wipe_at_ms; /* when the session is wiped, while idle_warning */
    uint32_t idle_ms, warning_ms;
    uint64_t version; /* bumped by every change; the UI redraws when it moves */
} AppState;

typedef enum EffectType {
    FX_TIMER_ARM,    /* arm `timer` to fire `delay_ms` from now */
    FX_TIMER_CANCEL, /* disarm `timer` */
} EffectType;

typedef struct Effect {
    EffectType type;
    TimerId timer;
    uint32_t delay_ms;
} Effect;

typedef struct Effects {
    Effect items[APP_MAX_EFFECTS];
    int count;
} Effects;

void app_init(AppState *s, const KioskConfig *cfg);

/* Applies ev at time now_ms. Appends wanted effects to fx (which the caller clears).
 * Returns true if the state changed (and version moved). EV_CONTROL and EV_QUIT are not
 * the core's business and leave the state alone. */
bool app_dispatch(AppState *s, const Event *ev, uint64_t now_ms, Effects *fx);

const char *app_screen_name(ScreenId screen);
/* The language code in use ("es"). */
const char *app_language(const AppState *s);

#endif
