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
#include "view.h"

typedef enum ScreenId {
    SCREEN_ATTRACT = 0,  /* brand, call to action, language choice */
    SCREEN_IDENTIFY,     /* tap a card, scan the app's QR, or use the scanner */
    SCREEN_HOME,         /* greeted by name, recommendations and offers (guests: categories) */
    SCREEN_BROWSE,       /* one category's products */
    SCREEN_SEARCH,       /* the on-screen keyboard and the hits as you type */
    SCREEN_PRODUCT,      /* images, price, variants, stock across locations */
    SCREEN_CART,         /* lines and quantities */
    SCREEN_CHECKOUT,     /* address, shipping, offer, payment, place the order */
    SCREEN_CONFIRMATION, /* thank you: order number, delivery, tracking QR */
    /* Associate mode only (app_staff_screen): the firmware never shows these to a shopper. */
    SCREEN_STAFF,    /* signed in as an associate: find the customer */
    SCREEN_CUSTOMER, /* the customer's sizes, taste, history on every channel, notes */
    SCREEN_NOTE,     /* writing a note about the customer */
    SCREEN_CONFIRM,  /* the customer confirms the associate's order with their own card */
    SCREEN_SETUP,    /* a device without its identity: a technician enrolls it */
    /* Service mode (technician badge + the store's PIN): app_service_screen. */
    SCREEN_SERVICE_PIN, /* the technician types the store's service PIN */
    SCREEN_SERVICE,     /* diagnostics, tests and the factory reset */
    SCREEN_COUNT
} ScreenId;

#define APP_MEMBER_ID_MAX    65
#define APP_NAME_MAX         (CENTRAL_NAME_MAX + 1)
#define APP_MAX_EFFECTS      16
#define APP_NOTICE_MS        7000                /* a friendly message stays this long */
#define APP_PAIRING_RETRY_MS 15000               /* after a failed pairing request */
#define APP_PAIRING_RENEW_S  20                  /* renew a code this long before it expires */
#define APP_CART_LINES_MAX   10                  /* lines of a kiosk cart */
#define APP_QTY_MAX          10                  /* of one line (the API's bound) */
#define APP_ADDRESSES_MAX    EVENT_ADDRESSES_MAX /* saved addresses offered at checkout */
#define APP_VIEWED_MAX       8                   /* products viewed this session (fallback seeds) */
#define APP_PAGE_CARDS       8                   /* product cards on one page of a grid */
#define APP_STOCK_REFRESH_MS 30000               /* live stock of the product on screen */
#define APP_ORDER_WAIT_MS    6000      /* how long "placing" waits for the service's number */
#define APP_SEARCH_DELAY_MS  150       /* typing pause before a search runs */
#define APP_LOW_STOCK        3         /* 1..3 left reads "only N left" */
#define APP_DEFAULT_ADDRESS  "default" /* offline: the service ships to the default address */
#define APP_FITTING_POLL_MS  3000      /* how often the mirror asks where its request has got */
#define APP_LOOK_MAX         3         /* "complete the look" suggestions on the mirror */

/* A friendly message over the current screen, never a raw error. */
typedef enum Notice {
    NOTICE_NONE = 0,
    NOTICE_CARD_UNREADABLE, /* not one of our cards, or unreadable */
    NOTICE_CARD_EXPIRED,
    NOTICE_CARD_INVALID,     /* forged, copied or from another retailer */
    NOTICE_STAFF_BADGE,      /* a staff or technician badge on a shopper screen */
    NOTICE_PRODUCT_TAG,      /* a garment tag on the shop-floor kiosk */
    NOTICE_TAG_UNKNOWN,      /* a tag we cannot read a product from */
    NOTICE_SIGN_IN_TO_ORDER, /* a guest asked to check out */
    NOTICE_CART_FULL,        /* APP_CART_LINES_MAX lines, or APP_QTY_MAX of one */
    NOTICE_ADDED_TO_CART,
    NOTICE_ORDER_NOT_SAVED, /* the outbox could not store it: nothing was placed */
    NOTICE_ORDER_REFUSED,   /* the service refused a stored order (out of stock, ...) */
    NOTICE_GARMENT_UNKNOWN, /* a good tag, but a product this store's catalog does not have */
    NOTICE_TECHNICIAN,      /* a technician badge: service mode is not on this screen */
    NOTICE_WRONG_CUSTOMER,  /* associate mode: a card that is not the customer's */
    NOTICE_NOTE_SAVED,
    NOTICE_NOTE_FAILED,
    NOTICE_SETUP,       /* a card or tag on a screen that is still being set up */
    NOTICE_BADGE_FIRST, /* an enrollment code before the technician's badge */
    NOTICE_NO_PIN,      /* a technician's badge, but the store has no service PIN set */
    NOTICE_COUNT
} Notice;

/* How far a panel that waits for data has got. */
typedef enum LoadState {
    LOAD_NONE = 0, /* not asked for */
    LOAD_BUSY,     /* asked; a placeholder shows */
    LOAD_OK,
    LOAD_FAILED, /* a friendly message and a retry */
} LoadState;

typedef struct Address {
    ViewId id;
    ViewName label;
    char masked[CENTRAL_TEXT_MAX + 1]; /* as shown: masked again on the device */
    bool is_default;
} Address;

typedef struct CartLine {
    ViewId variant, product;
    ViewName name;
    ViewShort size;
    char colour[CENTRAL_COLOUR_MAX + 1];
    int64_t unit_cents;
    ViewShort currency;
    char image_url[CENTRAL_IMAGE_URL_MAX + 1];
    int qty;
} CartLine;

/* Which list a card was opened from (INTENT_OPEN_PRODUCT's arg is list << 8 | index). */
typedef enum CardSource {
    CARDS_RECS = 0,
    CARDS_BROWSE,
    CARDS_SEARCH,
    CARDS_OFFERS,
    CARDS_CART,
    CARDS_LOOK, /* "complete the look" on the mirror */
} CardSource;

typedef enum OrderPhase {
    ORDER_EDITING = 0, /* choosing address, shipping, offer */
    ORDER_STORING,     /* being made durable in the outbox */
    ORDER_SENDING,     /* durable; waiting a moment for the service's number */
    ORDER_DONE,        /* confirmed by the service: number, tracking */
    ORDER_QUEUED,      /* durable, the service not reached yet: it follows by email */
} OrderPhase;

/* The associate signed in with their badge (associate mode). Not a customer's data, but it
 * goes when the mode locks. */
typedef struct Staff {
    bool active;
    char id[APP_MEMBER_ID_MAX];
    char uid_hex[2 * TOKEN_UID_MAX + 1]; /* the badge: tapped again, it locks */
    char token[TOKEN_TEXT_MAX];          /* verified on the device; the service names them */
    char name[APP_NAME_MAX];             /* "" until the service says */
    char store_name[APP_NAME_MAX];
    LoadState state;
} Staff;

/* First boot: how far the enrollment of this device has got. */
typedef enum SetupStage {
    SETUP_BADGE = 0, /* waiting for a technician's badge */
    SETUP_CODE,      /* the badge was tapped: scan or type the enrollment code */
    SETUP_ENROLLING, /* the code and the device's CSR went to the central service */
    SETUP_DONE,      /* enrolled: the kiosk restarts with its identity */
    SETUP_FAILED,    /* refused or unreachable: setup.error says why */
} SetupStage;

typedef struct Setup {
    bool needed; /* [device] enroll, and the device has no identity yet */
    SetupStage stage;
    char serial[CONFIG_TEXT_MAX];
    char code[IDENTITY_CODE_MAX + 1];
    ViewCode error; /* the service's refusal code, or "offline" */
    ViewId device_id, store;
} Setup;

/* Service mode: the sections of its screen. */
typedef enum ServiceSection {
    SERVICE_STATUS = 0, /* version, network and TLS, storage, heartbeat */
    SERVICE_READER,     /* a live tap test */
    SERVICE_SCANNER,    /* a live line test */
    SERVICE_DISPLAY,    /* test pattern and touch grid */
    SERVICE_LOGS,       /* the recent log */
    SERVICE_RESET,      /* the factory reset, asked twice */
    SERVICE_SECTION_COUNT
} ServiceSection;

#define APP_SERVICE_PIN_MAX     12     /* digits */
#define APP_SERVICE_FREE_TRIES  3      /* wrong PINs before the wait begins */
#define APP_SERVICE_WAIT_MS     30000u /* the first wait; it doubles with each wrong PIN */
#define APP_SERVICE_WAIT_MAX_MS (15u * 60u * 1000u)
#define APP_TOUCH_GRID          24 /* cells of the touch test (6 x 4) */

typedef struct Service {
    bool active; /* the PIN was right: the service screen may show */
    char technician[APP_MEMBER_ID_MAX];
    char pin[APP_SERVICE_PIN_MAX + 1]; /* as typed; wiped once checked */
    bool checking;                     /* the PIN is being checked (PBKDF2: off the UI thread) */
    int failures;           /* wrong PINs in a row (kept across badges: the wait holds) */
    uint64_t wait_until_ms; /* no PIN is taken before this */
    ServiceSection section;
    int reset_step;    /* 0, 1 (asked once), 2 (asked twice: erase) */
    uint32_t touched;  /* touch-grid cells touched (bit per cell) */
    char last_tap[16]; /* the reader test: what the last tag was ("member", ...) */
    uint64_t last_tap_ms;
    int taps;
    LoadState diag_state; /* the checks below, asked when the status shows */
    bool reachable;
    long latency_ms;
    int64_t certificate_days;        /* the service's TLS certificate; -1 unknown */
    bool device_enrolled;            /* this device's own certificate, when it has one */
    int64_t device_certificate_days; /* below zero once it has ended */
    int64_t free_bytes;
    int free_percent;
    char update[96];
    char last_line[16]; /* the scanner test: what the last line was */
    int last_line_len;
    int lines;
} Service;

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
    ViewId last_product;                      /* of the last order, for the fallback */
    CentralSizes sizes;
    bool payment_on_file;
    bool profile_loaded; /* false offline: addresses and payment are the service's to settle */
    Address addresses[APP_ADDRESSES_MAX];
    int address_count;
    ViewId viewed[APP_VIEWED_MAX]; /* newest first */
    int viewed_count;

    /* What the screens show; all of it goes with the session. */
    ScreenId after_sign_in; /* a guest who asked to check out returns there */
    LoadState recs_state, offers_state;
    CardList recs;
    bool recs_on_device; /* the on-device fallback, not the central service's */
    OfferList offers;
    LoadState categories_state, browse_state, search_state;
    ViewCode categories[VIEW_CATEGORIES_MAX];
    int category_count;
    ViewCode category; /* the one being browsed */
    CardList browse;
    int browse_page;
    char query[VIEW_QUERY_MAX + 1]; /* as typed */
    CardList search;
    char search_done[VIEW_QUERY_MAX + 1]; /* the query `search` answers */
    LoadState product_state, stock_state;
    ProductDetail product;
    StockView stock;
    int colour;  /* chosen colour: index into the product's distinct colours */
    int variant; /* chosen variant: index into product.variants, -1 none */
    CartLine cart[APP_CART_LINES_MAX];
    int cart_count;
    LoadState shipping_state;
    ShippingList shipping;
    int shipping_choice; /* index, -1 none */
    int address_choice;  /* index, -1 none */
    int offer_choice;    /* index into offers, -1 none */
    OrderPhase order_phase;
    OrderView order;
    ViewCode refusal; /* the service's code when a stored order was refused */
    ScreenId back[8]; /* where Back goes: the screens this one was opened from */
    int back_depth;
    LoadState handoff_state; /* the phone hand-off panel shows while not LOAD_NONE */
    HandoffView handoff;

    /* The mirror: a garment's tag, what completes its look, a fitting-room request. */
    bool garment; /* the product on screen came from a tag: their size in its colour */
    char garment_gtin[GS1_GTIN_LEN + 1]; /* the tag's GTIN; "" when it named a product id */
    LoadState look_state;
    CardList look;
    bool fitting_panel; /* choosing the size or colour to be brought */
    FittingView fitting;

    /* Associate mode: the customer's file, for the stylist. */
    CentralPreferences prefs;
    LoadState history_state, notes_state;
    CentralHistory history;
    CentralNotes notes;
    char note_draft[CENTRAL_NOTE_TEXT_MAX + 1];
    LoadState note_state; /* saving the draft: LOAD_BUSY until the service has it */
    char confirmed_by[8]; /* "card" or "app" once the customer confirmed the order */
} Session;

typedef struct AppState {
    ScreenId screen;
    KioskMode mode;
    int language;         /* index into languages[] */
    int default_language; /* what the attract screen returns to */
    char languages[CONFIG_LANGS_MAX][8];
    int language_count;
    bool central;            /* a central service is configured */
    bool online;             /* central service reachable */
    bool reader_present;     /* a card reader is configured */
    bool reader_connected;   /* ... and answering */
    char reader_detail[128]; /* what it said last: chip, firmware, where */
    Notice notice;
    bool pairing_available; /* an app pairing QR can be shown (pairing below is live) */
    struct {
        char id[CENTRAL_ID_MAX + 1];
        char qr[CENTRAL_URL_MAX + 1]; /* what the QR encodes */
    } pairing;
    unsigned outbox_depth;
    int64_t last_sync;       /* epoch seconds of the last complete catalog sync, 0 never */
    int64_t catalog_size;    /* products in the local catalog */
    bool accessible;         /* high-contrast, large-text mode (the shopper's choice) */
    bool default_accessible; /* what a new session starts with ([ui] high_contrast) */
    bool associate_allowed;  /* [staff] associate_mode */
    bool fitting_rooms;      /* [store] fitting_room is set: the mirror can ask for sizes */
    char product_uri[CONFIG_PATH_MAX];
    uint32_t staff_idle_ms;
    Staff staff;
    Setup setup;
    Service service;
    bool service_pin_set;   /* the store's service PIN record is on the device */
    uint32_t heartbeat_ms;  /* 0: no heartbeat (no central service, or no device id) */
    bool restart_when_idle; /* the operator asked for a restart during a session */
    bool shot_when_idle;    /* ... or a screenshot: never of anybody's session */
    bool renewing;          /* a certificate renewal is on its way (one at a time) */
    ViewCode heartbeat;     /* how the last heartbeat went: "ok", or the service's refusal */
    uint32_t next_seq;
    uint32_t pending[RESULT_KIND_COUNT]; /* the request each kind of result answers */
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
    FX_LOAD_RECS,      /* recommendations: central, else the on-device fallback */
    FX_LOAD_OFFERS,
    FX_LOAD_CATEGORIES,
    FX_LOAD_BROWSE,    /* session.category, page session.browse_page */
    FX_SEARCH,         /* session.query */
    FX_LOAD_PRODUCT,   /* session.product.id */
    FX_LOAD_STOCK,     /* of session.product: live when online, else stored */
    FX_LOAD_SHIPPING,  /* options for the cart */
    FX_PLACE_ORDER,    /* encode the order and make it durable in the outbox */
    FX_HANDOFF,        /* a phone link for the product on screen, or the cart */
    FX_SYNC_KICK,      /* the network may be back: sync and send now */
    FX_FIND_GARMENT,   /* the product a tag names: session.product.id is a GTIN or product id */
    FX_LOAD_LOOK,      /* what completes the look of session.product */
    FX_FITTING_SEND,   /* ask for session.fitting.variant to be brought to the room */
    FX_FITTING_POLL,   /* where session.fitting has got */
    FX_STAFF_IDENTIFY, /* who the associate of staff.token is */
    FX_LOAD_HISTORY,   /* associate mode: the customer's orders on every channel */
    FX_LOAD_NOTES,     /* associate mode: stylist notes on the customer */
    FX_SAVE_NOTE,      /* associate mode: keep session.note_draft at the service */
    FX_ENROLL,         /* setup: a CSR and setup.code to the central service */
    FX_RESTART,        /* start the kiosk again (enrolled; or the operator asked) */
    FX_HEARTBEAT,      /* the device's state to the central service */
    FX_SCREENSHOT,     /* the operator asked for a picture of the screen */
    FX_RENEW,          /* the certificate is in its last third: a new one for the same key */
    FX_CHECK_PIN,      /* service.pin against the store's PIN record (PBKDF2, off the UI) */
    FX_FACTORY_RESET,  /* service mode: stop, erase the data directory, start as new */
    FX_DIAG,           /* service mode: network and TLS, storage, update state (off the UI) */
    FX_PROBE,          /* setup: does the central service answer? (RESULT_SYNC's online) */
} EffectType;

typedef struct Effect {
    EffectType type;
    TimerId timer;
    uint32_t delay_ms;
    uint32_t seq; /* data requests: copied into their Result */
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
/* Items in the cart (quantities added up). */
int app_cart_items(const AppState *s);
/* The cart's subtotal in cents, and the offer's discount on it when one is chosen. */
int64_t app_cart_subtotal(const AppState *s);
int64_t app_offer_discount(const AppState *s);
/* The product's distinct colours, in the order of its variants: firsts[i] is the index of
 * the first variant of colour i. Returns how many (at most max). */
int app_colours(const ProductDetail *p, int *firsts, int max);
/* Index of the variant of colour index `colour` in this size, or -1. */
int app_variant_for(const ProductDetail *p, int colour, const char *size);
/* Units of variant index v at the location (-1 unknown), and whether any location has it. */
int app_stock_qty(const StockView *st, const LocationStock *loc, const char *variant);
bool app_variant_available(const StockView *st, const char *variant);
const char *app_notice_name(Notice notice);
/* Screens only an associate may see. The core enforces it whatever the UI shows. */
bool app_staff_screen(ScreenId screen);
/* Screens only a technician who gave the PIN may see (service mode). */
bool app_service_screen(ScreenId screen);
/* How long the PIN pad stays closed after this many wrong PINs in a row: nothing for the
 * first APP_SERVICE_FREE_TRIES - 1, then APP_SERVICE_WAIT_MS doubling up to the maximum. */
uint32_t app_service_wait_ms(int failures);
/* Puts a device that has no identity yet on the setup screen (core_create, at start). */
void app_setup_start(AppState *s, const char *serial);
/* The language code in use ("es"). */
const char *app_language(const AppState *s);

#endif
