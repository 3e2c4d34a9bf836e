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
#include "identity.h"

typedef enum ScreenId {
    SCREEN_ATTRACT = 0, /* brand, call to action, language choice */
    SCREEN_IDENTIFY,    /* tap a card, scan the app's QR, or use the scanner */
    SCREEN_WELCOME,     /* the shopper is identified: greeted by name */
    SCREEN_COUNT
} ScreenId;

#define APP_MEMBER_ID_MAX    65
#define APP_NAME_MAX         (CENTRAL_NAME_MAX + 1)
#define APP_MAX_EFFECTS      16
#define APP_NOTICE_MS        7000  /* a friendly message stays this long */
#define APP_PAIRING_RETRY_MS 15000 /* after a failed pairing request */
#define APP_PAIRING_RENEW_S  20    /* renew a code this long before it expires */

/* A friendly message over the current screen, never a raw error. */
typedef enum Notice {
    NOTICE_NONE = 0,
    NOTICE_CARD_UNREADABLE, /* not one of our cards, or unreadable */
    NOTICE_CARD_EXPIRED,
    NOTICE_CARD_INVALID, /* forged, copied or from another retailer */
    NOTICE_STAFF_BADGE,  /* a staff or technician badge on a shopper screen */
    NOTICE_PRODUCT_TAG,  /* a garment tag on the shop-floor kiosk */
    NOTICE_TAG_UNKNOWN,  /* a tag we cannot read a product from */
    NOTICE_COUNT
} Notice;

/* Member data lives here and only here, for one session; app_dispatch wipes it. */
typedef struct Session {
    bool active;                         /* someone is using the screen (guest or member) */
    char member_id[APP_MEMBER_ID_MAX];   /* empty until identified */
    IdentitySource source;               /* how they signed in */
    char token[TOKEN_TEXT_MAX];          /* their verified token, for the central service */
    char uid_hex[2 * TOKEN_UID_MAX + 1]; /* the card it came on, "" for the scanner */
    char display_name[APP_NAME_MAX];     /* empty until the central service says */
    char tier[CENTRAL_SHORT_MAX + 1];
    int points;                               /* -1: not known */
    char last_purchase[APP_NAME_MAX];         /* product name, empty if none known */
    char last_channel[CENTRAL_SHORT_MAX + 1]; /* "web", "app", "store" */
    unsigned cart_items;
} Session;

typedef struct AppState {
    ScreenId screen;
    KioskMode mode;
    int language;         /* index into languages[] */
    int default_language; /* what the attract screen returns to */
    char languages[CONFIG_LANGS_MAX][8];
    int language_count;
    bool central;          /* a central service is configured */
    bool online;           /* central service reachable */
    bool reader_present;   /* a card reader is configured */
    bool reader_connected; /* ... and answering */
    Notice notice;
    bool pairing_available; /* an app pairing QR can be shown (pairing below is live) */
    struct {
        char id[CENTRAL_ID_MAX + 1];
        char qr[CENTRAL_URL_MAX + 1]; /* what the QR encodes */
    } pairing;
    unsigned outbox_depth;
    Session session;
    bool idle_warning;   /* "Still there?" is showing */
    uint64_t wipe_at_ms; /* when the session is wiped, while idle_warning */
    uint32_t idle_ms, warning_ms;
    uint64_t version; /* bumped by every change; the UI redraws when it moves */
} AppState;

typedef enum EffectType {
    FX_TIMER_ARM,      /* arm `timer` to fire `delay_ms` from now */
    FX_TIMER_CANCEL,   /* disarm `timer` */
    FX_FETCH_PROFILE,  /* ask the central service who the signed-in member is (by token) */
    FX_FETCH_MEMBER,   /* ... by member id, after an app pairing */
    FX_PAIRING_CREATE, /* ask for a new app pairing code */
    FX_PAIRING_POLL,   /* long-poll the current code until claimed or expired */
    FX_PAIRING_STOP,   /* drop the outstanding long-poll */
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
const char *app_notice_name(Notice notice);
/* The language code in use ("es"). */
const char *app_language(const AppState *s);

#endif
