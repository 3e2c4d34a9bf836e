/* central_decode.h: the central-service replies (docs/api.md) as plain, bounded C values, and
 * the decoders that check a reply body field by field before it becomes one of them.
 * Pure functions, no network and no shared state: any thread may call them; the client
 * (central.c) calls them on its worker thread, the unit tests and the fuzz target directly.
 * Every string field has a named limit; a reply whose field is missing, of the wrong type,
 * out of range, over its limit or holding control characters is refused as a whole
 * (KIOSK_E_INVALID), never cut short. Lists longer than their limit keep their first entries
 * and set `truncated`. Unknown fields are ignored (v1 may add fields at any time). */
#ifndef KIOSK_CENTRAL_DECODE_H
#define KIOSK_CENTRAL_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kerr.h"

/* Limits on what a reply may hold. Sizes are bytes without the NUL. */
#define CENTRAL_BODY_MAX             (1024 * 1024) /* a reply body; the transfer is aborted beyond */
#define CENTRAL_JSON_DEPTH_MAX       16            /* nesting of a reply (v1 needs 5) */
#define CENTRAL_ID_MAX               64            /* identifiers: A-Z a-z 0-9 - _ */
#define CENTRAL_CODE_MAX             64            /* machine-readable error codes, enum words */
#define CENTRAL_NAME_MAX             128           /* names, titles, labels */
#define CENTRAL_TEXT_MAX             256           /* reasons, masked addresses */
#define CENTRAL_URL_MAX              512           /* image, tracking and QR URLs */
#define CENTRAL_TIME_MAX             32            /* ISO 8601 UTC */
#define CENTRAL_SHORT_MAX            16            /* sizes, tiers, languages, currencies */
#define CENTRAL_COLOUR_MAX           48            /* colour names */
#define CENTRAL_ADDRESSES_MAX        8             /* per member profile */
#define CENTRAL_STORES_MAX           256           /* locations in GET /v1/stores */
#define CENTRAL_LOCATIONS_MAX        24   /* nearest locations in a stock reply (+ online) */
#define CENTRAL_STOCK_VARIANTS_MAX   64   /* variants per location in a stock reply */
#define CENTRAL_ORDER_ITEMS_MAX      50   /* lines of an order (the API allows 50) */
#define CENTRAL_RECS_MAX             24   /* recommendations (the API allows 24) */
#define CENTRAL_OFFERS_MAX           16   /* live offers of a member */
#define CENTRAL_CATALOG_PAGE_MAX     10   /* products per catalog page (the client asks for this) */
#define CENTRAL_PRODUCT_VARIANTS_MAX 64   /* variants of one product in a catalog page */
#define CENTRAL_DESCRIPTION_MAX      512  /* product descriptions */
#define CENTRAL_IMAGE_URL_MAX        160  /* image paths in catalog pages (relative to the base) */
#define CENTRAL_CURSOR_MAX           64   /* catalog cursors: opaque, printable, no spaces */
#define CENTRAL_SHIPPING_MAX         8    /* shipping options of one store (the demo has 4) */
#define CENTRAL_STOCK_DELTA_MAX      1000 /* stock figures per delta page (the client asks <=) */
#define CENTRAL_RELATED_MAX          8    /* related products in the product form */
#define CENTRAL_IMAGE_MAX            (512 * 1024) /* one product picture (PNG); aborted beyond */
#define CENTRAL_CONTENT_TYPE_MAX     64           /* a Content-Type header value */
#define CENTRAL_PREFS_MAX            4   /* favourite colours, styles in a member's preferences */
#define CENTRAL_HISTORY_MAX          12  /* orders of a member's history the device keeps */
#define CENTRAL_HISTORY_LINES_MAX    6   /* lines of one order in that history */
#define CENTRAL_NOTES_MAX            10  /* stylist notes the device keeps */
#define CENTRAL_NOTE_TEXT_MAX        280 /* bytes of a stylist note (the API's bound) */
#define CENTRAL_PEM_MAX              (16 * 1024) /* a certificate (chain) in PEM */
#define CENTRAL_CSR_MAX              4096        /* a CSR in PEM */
#define CENTRAL_PIN_RECORD_MAX       1024        /* the service PIN record, as JSON text */

/* What a request asks for; also selects the decoder of its reply. */
typedef enum CentralKind {
    CENTRAL_IDENTIFY = 0,    /* POST /v1/identify                   -> member */
    CENTRAL_MEMBER,          /* GET /v1/members/{id}                -> member */
    CENTRAL_RECOMMENDATIONS, /* GET /v1/members/{id}/recommendations -> recs */
    CENTRAL_OFFERS,          /* GET /v1/members/{id}/offers         -> offers */
    CENTRAL_STOCK,           /* GET /v1/products/{id}/stock?store=S -> stock */
    CENTRAL_STORES,          /* GET /v1/stores                      -> stores */
    CENTRAL_CATALOG,         /* GET /v1/catalog?cursor=C&limit=N -> catalog */
    CENTRAL_PAIRING_CREATE,  /* POST /v1/pairings                   -> pairing */
    CENTRAL_PAIRING_POLL,    /* GET /v1/pairings/{id}?wait=N        -> pairing */
    CENTRAL_ORDER_PLACE,     /* POST /v1/orders + Idempotency-Key   -> order */
    CENTRAL_ORDER_STATUS,    /* GET /v1/orders/{id}                 -> order */
    CENTRAL_FITTING_REQUEST, /* POST /v1/fitting-requests           -> fitting */
    CENTRAL_HEARTBEAT,       /* POST /v1/devices/{id}/heartbeat     -> heartbeat */
    CENTRAL_SHIPPING,        /* GET /v1/shipping-options?store=S... -> shipping */
    CENTRAL_STOCK_DELTA,     /* GET /v1/stock?store=S&cursor=C...   -> stock_delta */
    CENTRAL_HANDOFF,         /* POST /v1/handoffs                   -> handoff */
    CENTRAL_PRODUCT,         /* GET /v1/products/{id}               -> product */
    CENTRAL_IMAGE,           /* GET /v1/images/{id}.png (not JSON)  -> blob */
    CENTRAL_FITTING_STATUS,  /* GET /v1/fitting-requests/{id}       -> fitting */
    CENTRAL_STAFF_IDENTIFY,  /* POST /v1/staff/identify             -> staff */
    CENTRAL_MEMBER_ORDERS,   /* GET /v1/members/{id}/orders         -> history */
    CENTRAL_NOTES,           /* GET /v1/members/{id}/notes          -> notes */
    CENTRAL_NOTE_ADD,        /* POST /v1/members/{id}/notes         -> notes (the one note) */
    CENTRAL_ENROLL,          /* POST /v1/devices/enroll             -> enrollment */
    CENTRAL_RENEW,           /* POST /v1/devices/{id}/certificate   -> enrollment (no store) */
    CENTRAL_SCREENSHOT,      /* PUT /v1/devices/{id}/screenshot (a PNG) -> nothing (204) */
    CENTRAL_KIND_COUNT
} CentralKind;

typedef struct CentralAddress {
    char id[CENTRAL_ID_MAX + 1];
    char label[CENTRAL_NAME_MAX + 1];
    char masked[CENTRAL_TEXT_MAX + 1]; /* already masked by the service */
    char city[CENTRAL_NAME_MAX + 1];
    bool is_default;
} CentralAddress;

/* The last order as the welcome screen mentions it. */
typedef struct CentralOrderBrief {
    char id[CENTRAL_ID_MAX + 1];
    char channel[CENTRAL_SHORT_MAX + 1]; /* web, app, store, kiosk */
    char created_at[CENTRAL_TIME_MAX + 1];
    char first_item[CENTRAL_NAME_MAX + 1]; /* product name of line 1, "" if none */
    char first_product[CENTRAL_ID_MAX + 1];
    int item_count;
} CentralOrderBrief;

/* A member's sizes by kind of garment; "" when unknown. */
typedef struct CentralSizes {
    char shoe[CENTRAL_SHORT_MAX + 1], top[CENTRAL_SHORT_MAX + 1], waist[CENTRAL_SHORT_MAX + 1],
        dress[CENTRAL_SHORT_MAX + 1], sock[CENTRAL_SHORT_MAX + 1];
} CentralSizes;

/* What a stylist should know of a member's taste; empty when the service says nothing. */
typedef struct CentralPreferences {
    char fit[CENTRAL_SHORT_MAX + 1]; /* slim, regular, relaxed, or "" */
    char colours[CENTRAL_PREFS_MAX][CENTRAL_COLOUR_MAX + 1];
    size_t colour_count;
    char styles[CENTRAL_PREFS_MAX][CENTRAL_SHORT_MAX + 1]; /* casual, smart, outdoor, ... */
    size_t style_count;
} CentralPreferences;

/* GET /v1/members/{id}, POST /v1/identify. Member data: session memory only. */
typedef struct CentralMember {
    char id[CENTRAL_ID_MAX + 1];
    char display_name[CENTRAL_NAME_MAX + 1]; /* first name */
    char name_masked[CENTRAL_NAME_MAX + 1];  /* "Harper A." */
    char language[CENTRAL_SHORT_MAX + 1];
    char tier[CENTRAL_SHORT_MAX + 1];
    int64_t points;
    CentralSizes sizes;
    CentralPreferences preferences;
    bool payment_on_file;
    char home_store[CENTRAL_ID_MAX + 1]; /* "" when none */
    CentralAddress addresses[CENTRAL_ADDRESSES_MAX];
    size_t address_count;
    bool addresses_truncated;
    bool has_last_order;
    CentralOrderBrief last_order;
    /* Only in an identify reply. */
    bool has_token_info;
    bool token_bound_to_tag;
    char token_expires_at[CENTRAL_TIME_MAX + 1];
} CentralMember;

typedef struct CentralStore {
    char id[CENTRAL_ID_MAX + 1];
    char kind[CENTRAL_SHORT_MAX + 1]; /* store, online */
    char name[CENTRAL_NAME_MAX + 1];
    char city[CENTRAL_NAME_MAX + 1]; /* "" when the location has no address */
    double lat, lon;
    char timezone[CENTRAL_NAME_MAX + 1];
} CentralStore;

typedef struct CentralStores {
    CentralStore stores[CENTRAL_STORES_MAX];
    size_t count;
    bool truncated;
} CentralStores;

typedef struct CentralStockVariant {
    char variant[CENTRAL_ID_MAX + 1];
    char size[CENTRAL_SHORT_MAX + 1]; /* "" when the product has no sizes */
    char colour[CENTRAL_COLOUR_MAX + 1];
    int32_t qty;
    bool low; /* 1-3 left */
    char updated_at[CENTRAL_TIME_MAX + 1];
} CentralStockVariant;

typedef struct CentralStockLocation {
    char store[CENTRAL_ID_MAX + 1];
    char kind[CENTRAL_SHORT_MAX + 1];
    char name[CENTRAL_NAME_MAX + 1];
    bool has_distance;
    double distance_km;
    bool here, in_stock;
    int64_t total_qty;
    char updated_at[CENTRAL_TIME_MAX + 1];
    bool has_delivery; /* the online warehouse's ship-to-home estimate */
    char delivery_earliest[CENTRAL_TIME_MAX + 1], delivery_latest[CENTRAL_TIME_MAX + 1];
    CentralStockVariant variants[CENTRAL_STOCK_VARIANTS_MAX];
    size_t variant_count;
    bool variants_truncated;
} CentralStockLocation;

/* GET /v1/products/{id}/stock: locations sorted by distance, online last. When there are more
 * than CENTRAL_LOCATIONS_MAX, the nearest are kept and the last slot holds the online
 * warehouse (the API lists it last). */
typedef struct CentralStock {
    char product_id[CENTRAL_ID_MAX + 1];
    char store[CENTRAL_ID_MAX + 1]; /* "" without ?store= */
    char as_of[CENTRAL_TIME_MAX + 1];
    CentralStockLocation locations[CENTRAL_LOCATIONS_MAX];
    size_t location_count;
    bool truncated;
} CentralStock;

typedef enum CentralPairingStatus {
    CENTRAL_PAIRING_PENDING = 0,
    CENTRAL_PAIRING_CLAIMED,
    CENTRAL_PAIRING_EXPIRED,
} CentralPairingStatus;

typedef struct CentralPairing {
    char id[CENTRAL_ID_MAX + 1];
    char code[CENTRAL_SHORT_MAX + 1];
    char qr_text[CENTRAL_URL_MAX + 1]; /* what the QR encodes */
    CentralPairingStatus status;
    char member[CENTRAL_ID_MAX + 1]; /* "" until claimed */
    char expires_at[CENTRAL_TIME_MAX + 1];
    int64_t expires_in_seconds;
} CentralPairing;

typedef struct CentralOrderItem {
    int32_t line;
    char variant[CENTRAL_ID_MAX + 1];
    char product_id[CENTRAL_ID_MAX + 1];
    char name[CENTRAL_NAME_MAX + 1];
    char size[CENTRAL_SHORT_MAX + 1], colour[CENTRAL_NAME_MAX + 1];
    int32_t qty;
    int64_t unit_price_cents;
} CentralOrderItem;

typedef struct CentralOrder {
    char id[CENTRAL_ID_MAX + 1];
    char number[CENTRAL_ID_MAX + 1]; /* what the shopper quotes, "K-100454" */
    char member[CENTRAL_ID_MAX + 1];
    char channel[CENTRAL_SHORT_MAX + 1];
    char store[CENTRAL_ID_MAX + 1];
    char status[CENTRAL_CODE_MAX + 1];
    char created_at[CENTRAL_TIME_MAX + 1];
    char tracking_url[CENTRAL_URL_MAX + 1];
    char currency[CENTRAL_SHORT_MAX + 1];
    int64_t subtotal_cents, discount_cents, shipping_cents, tax_cents, total_cents;
    bool has_delivery;
    char delivery_earliest[CENTRAL_TIME_MAX + 1], delivery_latest[CENTRAL_TIME_MAX + 1];
    CentralOrderItem items[CENTRAL_ORDER_ITEMS_MAX];
    size_t item_count;
    bool truncated;
    bool replayed; /* set by the client: the service answered "Idempotent-Replayed: true" */
} CentralOrder;

typedef struct CentralRecommendation {
    char product_id[CENTRAL_ID_MAX + 1];
    char name[CENTRAL_NAME_MAX + 1];
    char category[CENTRAL_CODE_MAX + 1];
    int64_t price_cents;
    char image_url[CENTRAL_URL_MAX + 1]; /* relative to the base URL */
    char variant[CENTRAL_ID_MAX + 1];
    char size[CENTRAL_SHORT_MAX + 1];  /* "" when unknown or not applicable */
    char reason[CENTRAL_TEXT_MAX + 1]; /* English; the UI may build its own from the code */
    char reason_code[CENTRAL_CODE_MAX + 1];
    char reason_anchor[CENTRAL_NAME_MAX + 1];   /* reason_data.anchor_name, "" if none */
    char reason_channel[CENTRAL_SHORT_MAX + 1]; /* reason_data.channel, "" if none */
    bool in_stock_here, in_stock_online;
} CentralRecommendation;

typedef struct CentralRecommendations {
    char member[CENTRAL_ID_MAX + 1];
    char store[CENTRAL_ID_MAX + 1];
    CentralRecommendation items[CENTRAL_RECS_MAX];
    size_t count;
    bool truncated;
} CentralRecommendations;

typedef struct CentralOffer {
    char id[CENTRAL_ID_MAX + 1];
    char kind[CENTRAL_SHORT_MAX + 1]; /* percent, amount, free_shipping */
    int64_t value;
    char title[CENTRAL_NAME_MAX + 1];
    char code[CENTRAL_CODE_MAX + 1];
    char expires_at[CENTRAL_TIME_MAX + 1];
    char product_id[CENTRAL_ID_MAX + 1]; /* "" for order-wide offers */
    char product_name[CENTRAL_NAME_MAX + 1];
} CentralOffer;

typedef struct CentralOffers {
    char member[CENTRAL_ID_MAX + 1];
    CentralOffer items[CENTRAL_OFFERS_MAX];
    size_t count;
    bool truncated;
} CentralOffers;

typedef struct CentralFitting {
    char id[CENTRAL_ID_MAX + 1];
    char status[CENTRAL_CODE_MAX + 1]; /* requested, on_its_way, unavailable */
    char room[CENTRAL_NAME_MAX + 1];
    char variant[CENTRAL_ID_MAX + 1];
    int64_t qty_here;
} CentralFitting;

/* POST /v1/staff/identify: who a staff or technician badge belongs to. */
typedef struct CentralStaff {
    char id[CENTRAL_ID_MAX + 1];
    char name[CENTRAL_NAME_MAX + 1];
    char first_name[CENTRAL_NAME_MAX + 1];
    char role[CENTRAL_SHORT_MAX + 1]; /* staff, technician */
    char store[CENTRAL_ID_MAX + 1];
    char store_name[CENTRAL_NAME_MAX + 1];
} CentralStaff;

/* One line of an order in a member's history, returns included. */
typedef struct CentralHistoryLine {
    char product_id[CENTRAL_ID_MAX + 1];
    char name[CENTRAL_NAME_MAX + 1];
    char size[CENTRAL_SHORT_MAX + 1], colour[CENTRAL_COLOUR_MAX + 1];
    int32_t qty;
    bool returned;
    char return_reason[CENTRAL_TEXT_MAX + 1]; /* "" unless returned */
} CentralHistoryLine;

typedef struct CentralHistoryOrder {
    char id[CENTRAL_ID_MAX + 1];
    char number[CENTRAL_ID_MAX + 1];
    char channel[CENTRAL_SHORT_MAX + 1]; /* web, app, store, kiosk */
    char store[CENTRAL_ID_MAX + 1];
    char created_at[CENTRAL_TIME_MAX + 1];
    int64_t total_cents;
    char currency[CENTRAL_SHORT_MAX + 1];
    CentralHistoryLine lines[CENTRAL_HISTORY_LINES_MAX];
    size_t line_count;
    bool lines_truncated;
} CentralHistoryOrder;

/* GET /v1/members/{id}/orders: newest first, from every channel. */
typedef struct CentralHistory {
    char member[CENTRAL_ID_MAX + 1];
    CentralHistoryOrder orders[CENTRAL_HISTORY_MAX];
    size_t count;
    bool truncated;
} CentralHistory;

typedef struct CentralNote {
    char id[CENTRAL_ID_MAX + 1];
    char text[CENTRAL_NOTE_TEXT_MAX + 1];
    char associate[CENTRAL_ID_MAX + 1];
    char associate_name[CENTRAL_NAME_MAX + 1];
    char store[CENTRAL_ID_MAX + 1];
    char created_at[CENTRAL_TIME_MAX + 1];
} CentralNote;

/* GET /v1/members/{id}/notes (newest first); a POST's reply is the one note it made. */
typedef struct CentralNotes {
    char member[CENTRAL_ID_MAX + 1];
    CentralNote notes[CENTRAL_NOTES_MAX];
    size_t count;
    bool truncated;
} CentralNotes;

/* POST /v1/devices/enroll: who this device now is, its certificate and configuration. */
typedef struct CentralEnrollment {
    char device_id[CENTRAL_ID_MAX + 1];
    char store[CENTRAL_ID_MAX + 1];
    char kind[CENTRAL_SHORT_MAX + 1]; /* kiosk, mirror */
    char certificate[CENTRAL_PEM_MAX + 1];
    char expires_at[CENTRAL_TIME_MAX + 1];
    int64_t heartbeat_seconds; /* 0 when not given */
    /* config.service_pin as compact JSON text ("null" when the store has none): the device
     * keeps it as it came (device_id.h) */
    char service_pin[CENTRAL_PIN_RECORD_MAX + 1];
} CentralEnrollment;

#define CENTRAL_COMMANDS_MAX 16 /* commands in one heartbeat reply (the API's bound) */

typedef struct CentralCommand {
    char id[CENTRAL_ID_MAX + 1];
    char command[CENTRAL_CODE_MAX + 1]; /* sync_now, screenshot, restart; others are skipped */
} CentralCommand;

typedef struct CentralHeartbeatReply {
    char device_id[CENTRAL_ID_MAX + 1];
    char server_time[CENTRAL_TIME_MAX + 1];
    int64_t next_heartbeat_seconds;
    int64_t desired_config_version; /* 0 when not given */
    bool renew_certificate;
    bool has_config;
    /* config.service_pin as compact JSON text ("null": the store has none), as at enrollment */
    char service_pin[CENTRAL_PIN_RECORD_MAX + 1];
    CentralCommand commands[CENTRAL_COMMANDS_MAX];
    size_t command_count;
    bool commands_truncated;
} CentralHeartbeatReply;

typedef struct CentralVariant {
    char id[CENTRAL_ID_MAX + 1];
    char size[CENTRAL_SHORT_MAX + 1]; /* "" when the product has no sizes */
    char colour[CENTRAL_COLOUR_MAX + 1];
    char colour_hex[CENTRAL_SHORT_MAX + 1]; /* "#8fa9c7" */
    char gtin[CENTRAL_SHORT_MAX + 1];       /* digits, GTIN-8/12/13/14 */
    int64_t price_cents;
    char image_url[CENTRAL_IMAGE_URL_MAX + 1];
} CentralVariant;

/* A product people bought together with this one; score is the service's (higher: closer). */
typedef struct CentralRelated {
    char id[CENTRAL_ID_MAX + 1];
    double score;
} CentralRelated;

/* The product form (docs/api.md), for the device's local copy of the catalog. */
typedef struct CentralProduct {
    char id[CENTRAL_ID_MAX + 1];
    char name[CENTRAL_NAME_MAX + 1];
    char brand[CENTRAL_NAME_MAX + 1];
    char category[CENTRAL_CODE_MAX + 1];
    char description[CENTRAL_DESCRIPTION_MAX + 1];
    int64_t price_cents;
    char currency[CENTRAL_SHORT_MAX + 1];
    bool replenishable;
    int64_t replenish_days; /* 0 when not given */
    bool active;            /* false: withdrawn, hide it */
    char updated_at[CENTRAL_TIME_MAX + 1];
    char image_url[CENTRAL_IMAGE_URL_MAX + 1];
    CentralVariant variants[CENTRAL_PRODUCT_VARIANTS_MAX];
    size_t variant_count;
    bool variants_truncated;
    /* Added to the form later: older services send neither (0 and none). */
    int64_t popularity;
    CentralRelated related[CENTRAL_RELATED_MAX];
    size_t related_count;
    bool related_truncated;
} CentralProduct;

/* GET /v1/catalog: one page of the delta after a cursor. A page with more products than
 * CENTRAL_CATALOG_PAGE_MAX is refused rather than cut (the cursor would skip the rest). */
typedef struct CentralCatalogPage {
    CentralProduct products[CENTRAL_CATALOG_PAGE_MAX];
    size_t count;
    char next_cursor[CENTRAL_CURSOR_MAX + 1]; /* store it; pass it on the next request */
    bool has_more;                            /* fetch again at once while true */
    char server_time[CENTRAL_TIME_MAX + 1];
} CentralCatalogPage;

typedef struct CentralShippingOption {
    char id[CENTRAL_ID_MAX + 1]; /* what an order's shipping_option takes */
    char name[CENTRAL_NAME_MAX + 1];
    int64_t price_cents; /* already 0 when a free-shipping rule applies */
    char currency[CENTRAL_SHORT_MAX + 1];
    char delivery_earliest[CENTRAL_TIME_MAX + 1], delivery_latest[CENTRAL_TIME_MAX + 1]; /* or "" */
    bool needs_address; /* true when the reply leaves it out: asking is the safe side */
} CentralShippingOption;

/* GET /v1/shipping-options: the options at a store for a member and subtotal. */
typedef struct CentralShipping {
    char store[CENTRAL_ID_MAX + 1];
    char member[CENTRAL_ID_MAX + 1]; /* "" when none was given */
    int64_t free_from_cents;         /* standard is free from this subtotal; -1 when not sent */
    CentralShippingOption options[CENTRAL_SHIPPING_MAX];
    size_t count;
    bool truncated;
} CentralShipping;

/* One stock figure of a delta page. */
typedef struct CentralStockFigure {
    char variant[CENTRAL_ID_MAX + 1];
    char store[CENTRAL_ID_MAX + 1];
    int32_t qty;
    char updated_at[CENTRAL_TIME_MAX + 1]; /* "" when unknown */
} CentralStockFigure;

/* GET /v1/stock: the stock figures changed after a cursor, for the local copy. Like a catalog
 * page, a page with more than CENTRAL_STOCK_DELTA_MAX rows is refused rather than cut. */
typedef struct CentralStockDelta {
    CentralStockFigure rows[CENTRAL_STOCK_DELTA_MAX];
    size_t count;
    char next_cursor[CENTRAL_CURSOR_MAX + 1]; /* store it; pass it on the next request */
    bool has_more;                            /* fetch again at once while true */
    char server_time[CENTRAL_TIME_MAX + 1];
} CentralStockDelta;

/* POST /v1/handoffs: a short code and link that carry the shopper's screen to their phone. */
typedef struct CentralHandoff {
    char code[CENTRAL_ID_MAX + 1];
    char url[CENTRAL_URL_MAX + 1]; /* what the QR encodes */
    char expires_at[CENTRAL_TIME_MAX + 1];
} CentralHandoff;

/* GET /v1/images/{id}.png: raw bytes, not JSON. In a reply given to on_reply, data points into
 * the client's buffer (borrowed like the rest of the reply); in a copy made by central_call or
 * central_reply_copy, data is malloc'd and central_reply_clear frees it. */
typedef struct CentralBlob {
    unsigned char *data;
    size_t len;                                      /* 1..CENTRAL_IMAGE_MAX */
    char content_type[CENTRAL_CONTENT_TYPE_MAX + 1]; /* "image/png" */
} CentralBlob;

/* The decoded body of a successful reply; which member is set follows the request kind. */
typedef union CentralPayload {
    CentralMember member;
    CentralStores stores;
    CentralStock stock;
    CentralPairing pairing;
    CentralOrder order;
    CentralRecommendations recs;
    CentralOffers offers;
    CentralFitting fitting;
    CentralHeartbeatReply heartbeat;
    CentralCatalogPage catalog;
    CentralShipping shipping;
    CentralStockDelta stock_delta;
    CentralHandoff handoff;
    CentralProduct product;
    CentralBlob blob;
    CentralStaff staff;
    CentralHistory history;
    CentralNotes notes;
    CentralEnrollment enrollment;
} CentralPayload;

/* Decodes a 2xx body of a `kind` request into out (zeroed first). body need not be
 * NUL-terminated. KIOSK_OK; KIOSK_E_TOOBIG over CENTRAL_BODY_MAX or nested deeper than
 * CENTRAL_JSON_DEPTH_MAX; KIOSK_E_INVALID for anything malformed (out is zeroed again), and
 * always for CENTRAL_IMAGE, whose body is not JSON (see central_decode_blob). Safe on any
 * bytes. */
KioskErr central_decode(CentralKind kind, const char *body, size_t len, CentralPayload *out);

/* Checks a CENTRAL_IMAGE body: content_type (the Content-Type header, may be NULL) must be
 * image/png (parameters after ';' are allowed) and body must start with the PNG signature.
 * out->data then points at body (borrowed: nothing is copied). KIOSK_OK; KIOSK_E_TOOBIG over
 * CENTRAL_IMAGE_MAX; KIOSK_E_INVALID otherwise (out zeroed). Safe on any bytes. */
KioskErr central_decode_blob(const char *content_type, const unsigned char *body, size_t len,
                             CentralBlob *out);

/* Copies the machine-readable code of an error body {"error":{"code":..,"message":..}} into
 * code (CENTRAL_CODE_MAX + 1 bytes). KIOSK_E_INVALID (code set to "") if it is not one. */
KioskErr central_decode_error(const char *body, size_t len, char *code);

/* "identify", "member", ... for logs. Never NULL. */
const char *central_kind_name(CentralKind kind);

/* True if s is a v1 identifier: 1..CENTRAL_ID_MAX of A-Z a-z 0-9 - _. */
bool central_is_id(const char *s);

#endif
