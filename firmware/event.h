/* event.h: the one kind of message that travels to the app core.
 * Every input (a touch intent, a timer, a scanner line, a control-socket request, and in
 * later modules NFC taps and network replies) becomes a fixed-size Event posted on the
 * event queue (evq.h). Events are plain values copied in and out of the queue; the only
 * pointer they carry (a control call) is owned by whoever holds the event. */
#ifndef KIOSK_EVENT_H
#define KIOSK_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "central.h"
#include "identity.h"
#include "view.h"

#define EVENT_TEXT_MAX      256 /* a scanner line longer than this is refused by scanner.c */
#define EVENT_ADDRESSES_MAX 4   /* saved addresses a profile event carries */

typedef enum EventType {
    EV_NONE = 0,
    EV_INTENT,       /* the shopper (or a test) asked for something: u.intent */
    EV_TOUCH,        /* any touch anywhere: keeps the session alive */
    EV_TIMER,        /* a timer armed through an effect expired: u.timer */
    EV_IDENTITY,     /* a card tapped or a code scanned, already verified: u.identity */
    EV_CARD_REMOVED, /* the card of the last tap left the reader */
    EV_READER,       /* the NFC reader came or went: u.reader */
    EV_PROFILE,      /* the central service answered who a member is: u.profile */
    EV_PAIRING,      /* an app pairing code was issued, or a long-poll came back: u.pairing */
    EV_RESULT,       /* data for a screen, an order's fate, sync progress: u.result */
    EV_CONTROL,      /* a control-socket request for the UI thread: u.control */
    EV_QUIT,         /* stop the main loop (SIGTERM, window closed) */
} EventType;

typedef enum Intent {
    INTENT_NONE = 0,
    INTENT_START,         /* attract -> identify */
    INTENT_BACK,          /* one step back */
    INTENT_SET_LANGUAGE,  /* arg: index into the configured languages */
    INTENT_STILL_HERE,    /* dismiss the "Still there?" overlay */
    INTENT_END_SESSION,   /* "Done": wipe the session now */
    INTENT_GUEST,         /* identify -> home without signing in */
    INTENT_HOME,          /* back to the home screen, the session kept */
    INTENT_OPEN_CATEGORY, /* arg: index into session.categories */
    INTENT_PAGE,          /* arg: +1 / -1 page of the browse grid */
    INTENT_OPEN_SEARCH,
    INTENT_KEY,          /* arg: a character (ASCII or a Latin-1 code point), or KEY_* */
    INTENT_OPEN_PRODUCT, /* arg: CardSource << 8 | index */
    INTENT_COLOUR,       /* arg: index of a distinct colour of the product */
    INTENT_SIZE,         /* arg: index into product.variants of the wanted size */
    INTENT_ADD_TO_CART,
    INTENT_OPEN_CART,
    INTENT_QTY_UP,      /* arg: cart line */
    INTENT_QTY_DOWN,    /* arg: cart line (at 1: removes it) */
    INTENT_REMOVE_LINE, /* arg: cart line */
    INTENT_CHECKOUT,
    INTENT_ADDRESS,  /* arg: index into session.addresses */
    INTENT_SHIPPING, /* arg: index into session.shipping */
    INTENT_OFFER,    /* arg: index into session.offers, -1 for none */
    INTENT_PLACE_ORDER,
    INTENT_HANDOFF,       /* the phone QR for the product on screen or the cart */
    INTENT_CLOSE_PANEL,   /* close the hand-off panel */
    INTENT_RETRY,         /* load again what failed on this screen */
    INTENT_ACCESSIBILITY, /* toggle high contrast and large text */
    /* The mirror. */
    INTENT_FITTING_OPEN,    /* "Bring me another size": the size and colour picker */
    INTENT_FITTING_SEND,    /* arg: index into product.variants to be brought */
    INTENT_FITTING_DISMISS, /* put away the picker, or the news of a finished request */
    /* Associate mode (refused by the core outside it). */
    INTENT_LOCK,          /* lock associate mode now */
    INTENT_OPEN_CUSTOMER, /* the customer's file */
    INTENT_NEXT_CUSTOMER, /* done with this customer: their data goes, the associate stays */
    INTENT_OPEN_NOTE,     /* write a note about the customer (INTENT_KEY types into it) */
    INTENT_SAVE_NOTE,
    /* First boot. */
    INTENT_ENROLL, /* send the enrollment code typed or scanned */
    /* Service mode (refused by the core outside it). */
    INTENT_SERVICE_PIN,     /* check the PIN typed */
    INTENT_SERVICE_SECTION, /* arg: ServiceSection */
    INTENT_SERVICE_TOUCH,   /* arg: a cell of the touch grid */
    INTENT_SERVICE_RESET,   /* the factory reset: asks twice, the third press erases */
    INTENT_SERVICE_EXIT,    /* leave service mode */
    INTENT_COUNT
} Intent;

/* INTENT_KEY's special keys. */
enum { KEY_BACKSPACE = -1, KEY_CLEAR = -2 };

typedef enum TimerId {
    TIMER_IDLE = 0,  /* no touch for idle_seconds: show "Still there?" */
    TIMER_WIPE,      /* the countdown ran out: wipe the session */
    TIMER_NOTICE,    /* a friendly message has been shown long enough */
    TIMER_PAIRING,   /* renew the pairing code before it expires, or try again after a failure */
    TIMER_STOCK,     /* refresh the live stock of the product on screen */
    TIMER_ORDER,     /* "placing" has waited long enough for the service's number */
    TIMER_SEARCH,    /* the shopper paused typing: search */
    TIMER_FITTING,   /* ask again where the fitting-room request has got */
    TIMER_RESTART,   /* enrolled: a moment to read it, then start again */
    TIMER_HEARTBEAT, /* tell the central service this device is well */
    TIMER_SERVICE,   /* the wait after wrong PINs is over */
    TIMER_PROBE,     /* setup: ask again whether the central service answers */
    TIMER_COUNT
} TimerId;

struct ControlCall;

/* What the app keeps of the central service's member profile (the rest stays out). */
typedef struct ProfileEvent {
    CentralResult result; /* CENTRAL_OK, or why not (offline, refused, ...) */
    char member_id[CENTRAL_ID_MAX + 1];
    char display_name[CENTRAL_NAME_MAX + 1]; /* first name only */
    char tier[CENTRAL_SHORT_MAX + 1];
    int64_t points;
    char language[CENTRAL_SHORT_MAX + 1];
    char last_item[CENTRAL_NAME_MAX + 1]; /* first item of their last order, any channel */
    char last_channel[CENTRAL_SHORT_MAX + 1];
    char last_product[CENTRAL_ID_MAX + 1];
    CentralSizes sizes;
    CentralPreferences prefs;
    bool payment_on_file;
    struct {
        char id[CENTRAL_ID_MAX + 1];
        char label[CENTRAL_NAME_MAX + 1];
        char masked[CENTRAL_TEXT_MAX + 1];
        bool is_default;
    } addresses[EVENT_ADDRESSES_MAX];
    int address_count;
} ProfileEvent;

/* An app pairing code (POST /v1/pairings) or the state of one (GET ...?wait=). */
typedef struct PairingEvent {
    CentralResult result;
    bool created; /* a new code, not a poll */
    char id[CENTRAL_ID_MAX + 1];
    char qr[CENTRAL_URL_MAX + 1];
    CentralPairingStatus status;
    char member[CENTRAL_ID_MAX + 1]; /* once claimed */
    int64_t expires_in_s;
} PairingEvent;

typedef struct Event {
    EventType type;
    union {
        struct {
            Intent intent;
            int32_t arg;
        } intent;
        struct {
            TimerId id;
        } timer;
        Identity identity;
        struct {
            bool connected;
            char detail[128]; /* the reader's own words: chip, firmware, where */
        } reader;
        ProfileEvent profile;
        PairingEvent pairing;
        struct {
            Result *result; /* owned by the event's holder: result_free after dispatch */
        } result;
        struct {
            struct ControlCall *call; /* owned by the event's holder; see control.h */
        } control;
    } u;
} Event;

const char *event_type_name(EventType type);
const char *intent_name(Intent intent);

/* Looks an intent up by name ("start"); INTENT_NONE if unknown. */
Intent intent_from_name(const char *name);

#endif
