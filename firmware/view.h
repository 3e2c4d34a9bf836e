/* view.h: the view models of the shopper's journey (product cards, a product's detail, its
 * stock across locations, offers, shipping options, an order) and Result, the heap-allocated
 * reply that carries one of them to the app core in an EV_RESULT event.
 * They are plain, bounded values. Both sources of data fill the same types: the central
 * service's replies (converted by core.c) and the device's local store (catalog.h, data.h),
 * so a screen never knows whether it shows live or stored figures except through `live`
 * and the times each figure carries. A Result is made on a worker thread, handed over
 * through the event queue, and freed by the UI thread after app_dispatch (result_free). */
#ifndef KIOSK_VIEW_H
#define KIOSK_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "central.h"
#include "kerr.h"

#define VIEW_CARDS_MAX      24 /* product cards in one list (recommendations, a page, hits) */
#define VIEW_VARIANTS_MAX   CENTRAL_PRODUCT_VARIANTS_MAX
#define VIEW_LOCATIONS_MAX  16 /* this store, the nearest others, then online */
#define VIEW_OFFERS_MAX     8
#define VIEW_SHIPPING_MAX   6
#define VIEW_CATEGORIES_MAX 16
#define VIEW_QUERY_MAX      64 /* bytes of a search query */

typedef char ViewId[CENTRAL_ID_MAX + 1];
typedef char ViewName[CENTRAL_NAME_MAX + 1];
typedef char ViewShort[CENTRAL_SHORT_MAX + 1];
typedef char ViewCode[CENTRAL_CODE_MAX + 1];

/* Where a product can be had, as a card shows it. */
typedef enum StockHint {
    HINT_UNKNOWN = 0, /* not known (yet) */
    HINT_HERE,        /* in stock in this store */
    HINT_NEARBY,      /* not here, in a nearby store */
    HINT_ONLINE,      /* only online: ship to home */
    HINT_NONE,        /* out of stock everywhere */
} StockHint;

/* A product in a list: a recommendation, a category page, a search hit. */
typedef struct ProductCard {
    ViewId id;
    ViewName name;
    ViewCode category;
    int64_t price_cents;
    ViewShort currency;
    char image_url[CENTRAL_IMAGE_URL_MAX + 1]; /* relative to the base URL; "" if none */
    ViewId variant;                            /* suggested variant (the member's size), or "" */
    ViewShort size;
    /* Why it is recommended: the code and its data, so the UI words it in the shopper's
     * language. reason_code "" for plain lists. */
    ViewCode reason_code;   /* bought_together, replenish, popular, viewed, affinity */
    ViewName reason_anchor; /* the owned or viewed product it comes from */
    ViewShort reason_channel;
    StockHint hint;
} ProductCard;

typedef struct CardList {
    ProductCard items[VIEW_CARDS_MAX];
    int count;
    int total; /* matches in all (a page shows the first VIEW_CARDS_MAX) */
} CardList;

typedef struct VariantView {
    ViewId id;
    ViewShort size; /* "" when the product has no sizes */
    char colour[CENTRAL_COLOUR_MAX + 1];
    ViewShort colour_hex; /* "#8fa9c7" */
    ViewShort gtin;
    int64_t price_cents;
    char image_url[CENTRAL_IMAGE_URL_MAX + 1];
} VariantView;

typedef struct ProductDetail {
    ViewId id;
    ViewName name;
    ViewName brand;
    ViewCode category;
    char description[CENTRAL_DESCRIPTION_MAX + 1];
    int64_t price_cents;
    ViewShort currency;
    char image_url[CENTRAL_IMAGE_URL_MAX + 1];
    bool replenishable;
    VariantView variants[VIEW_VARIANTS_MAX];
    int variant_count;
} ProductDetail;

/* One location's stock of a product: qty[i] is for StockView.variants[i]. */
typedef struct LocationStock {
    ViewId store;
    ViewName name;
    bool online; /* the online warehouse (always last) */
    bool here;   /* this device's store */
    bool has_distance;
    double distance_km;
    int32_t qty[VIEW_VARIANTS_MAX];             /* -1: not known */
    int64_t updated_at[VIEW_VARIANTS_MAX];      /* epoch seconds of each figure, 0 unknown */
    int64_t delivery_earliest, delivery_latest; /* online: ship-to-home, epoch seconds */
} LocationStock;

typedef struct StockView {
    ViewId product_id;
    bool live;     /* from the central service just now; false: from the local store */
    int64_t as_of; /* epoch seconds the figures were read */
    ViewId variants[VIEW_VARIANTS_MAX];
    int variant_count;
    LocationStock locations[VIEW_LOCATIONS_MAX]; /* here, then by distance, online last */
    int location_count;
} StockView;

typedef struct OfferView {
    ViewId id;
    ViewShort kind; /* percent, amount, free_shipping */
    int64_t value;
    ViewName title;
    ViewCode code;
    int64_t expires_at; /* epoch seconds, 0 unknown */
    ViewId product_id;  /* "" for order-wide offers */
    ViewName product_name;
} OfferView;

typedef struct OfferList {
    OfferView items[VIEW_OFFERS_MAX];
    int count;
} OfferList;

typedef struct ShippingOption {
    ViewId id; /* standard, express, next_day, pickup */
    ViewName name;
    int64_t price_cents;
    ViewShort currency;
    int64_t earliest, latest; /* epoch seconds */
    bool needs_address;
} ShippingOption;

typedef struct ShippingList {
    ShippingOption items[VIEW_SHIPPING_MAX];
    int count;
    int64_t free_from_cents; /* -1: no free-shipping threshold */
} ShippingList;

/* An order as the confirmation screen shows it. */
typedef struct OrderView {
    char idempotency_key[CENTRAL_IDEM_KEY_MAX + 1];
    ViewId id;
    ViewId number; /* "K-100454" */
    char tracking_url[CENTRAL_URL_MAX + 1];
    int64_t total_cents;
    ViewShort currency;
    int64_t delivery_earliest, delivery_latest;
} OrderView;

/* A phone hand-off link (POST /v1/handoffs). */
typedef struct HandoffView {
    ViewId code;
    char url[CENTRAL_URL_MAX + 1];
    int64_t expires_at;
} HandoffView;

typedef enum ResultKind {
    RESULT_RECOMMENDATIONS = 0, /* u.cards (central, or the on-device fallback) */
    RESULT_OFFERS,              /* u.offers */
    RESULT_CATEGORIES,          /* u.categories */
    RESULT_BROWSE,              /* u.cards: one category */
    RESULT_SEARCH,              /* u.cards: hits for `query` */
    RESULT_PRODUCT,             /* u.product */
    RESULT_STOCK,               /* u.stock */
    RESULT_SHIPPING,            /* u.shipping */
    RESULT_ORDER_STORED,        /* the order is durable in the outbox (or err says why not) */
    RESULT_ORDER_SENT,          /* u.order: the central service confirmed it */
    RESULT_ORDER_REFUSED,       /* u.order.idempotency_key + refusal: dead-lettered */
    RESULT_HANDOFF,             /* u.handoff */
    RESULT_SYNC,                /* u.sync: the background sync's progress */
    RESULT_GARMENT,             /* u.garment: the product a garment's tag names */
    RESULT_LOOK,                /* u.cards: what completes the look of the product on screen */
    RESULT_FITTING,             /* u.fitting: a fitting-room request, sent or its news */
    RESULT_STAFF,               /* u.staff: who the associate is (associate mode) */
    RESULT_HISTORY,             /* u.history: the customer's orders (associate mode) */
    RESULT_NOTES,               /* u.notes: stylist notes on the customer (associate mode) */
    RESULT_NOTE_SAVED,          /* u.notes: the note just kept at the service */
    RESULT_ENROLLED,            /* u.enrolled: the device's identity is stored (or refusal) */
    RESULT_HEARTBEAT,           /* u.heartbeat: the service's answer, with its commands */
    RESULT_RENEWED,             /* the new certificate is stored (err says if not) */
    RESULT_PIN_CHECKED,         /* err KIOSK_OK: the service PIN was right */
    RESULT_DIAG,                /* u.diag: service mode's network, storage and update checks */
    RESULT_KIND_COUNT
} ResultKind;

/* Where a fitting-room request has got, as the mirror shows it. */
typedef enum FittingStatus {
    FITTING_NONE = 0,
    FITTING_SENDING,     /* asked; the service has not answered yet */
    FITTING_REQUESTED,   /* the floor team has it */
    FITTING_ON_ITS_WAY,  /* an associate is bringing it */
    FITTING_UNAVAILABLE, /* none to bring */
    FITTING_FAILED,      /* the service could not be reached: ask someone */
} FittingStatus;

typedef struct FittingView {
    FittingStatus status;
    ViewId id;      /* the service's request id */
    ViewId variant; /* what was asked for */
    ViewShort size;
    char colour[CENTRAL_COLOUR_MAX + 1];
} FittingView;

typedef struct SyncStatus {
    bool online;           /* the last sync call reached the central service */
    int64_t last_sync;     /* epoch seconds of the last complete sync, 0 never */
    int64_t products;      /* in the local catalog */
    unsigned outbox_depth; /* orders not yet sent */
} SyncStatus;

typedef struct Result {
    ResultKind kind;
    uint32_t seq;                   /* the request's sequence number, to drop stale replies */
    KioskErr err;                   /* KIOSK_OK, or why there is no payload */
    bool offline;                   /* err because the central service could not be reached */
    char query[VIEW_QUERY_MAX + 1]; /* RESULT_SEARCH / RESULT_BROWSE: what was asked */
    ViewCode refusal;               /* RESULT_ORDER_REFUSED: the service's error code */
    union {
        CardList cards;
        OfferList offers;
        struct {
            ViewCode names[VIEW_CATEGORIES_MAX];
            int count;
        } categories;
        ProductDetail product;
        StockView stock;
        ShippingList shipping;
        OrderView order;
        HandoffView handoff;
        SyncStatus sync;
        struct {
            ViewId product, variant; /* variant "" when the tag names only the product */
        } garment;
        FittingView fitting;
        CentralStaff staff;
        CentralHistory history;
        CentralNotes notes;
        struct {
            ViewId device_id, store;
        } enrolled;
        CentralHeartbeatReply heartbeat;
        struct {
            bool reachable;
            long latency_ms;
            int64_t certificate_days; /* the service's TLS certificate; -1 unknown */
            bool device_enrolled;     /* and this device's own, when it has one */
            int64_t device_certificate_days;
            int64_t free_bytes;
            int free_percent;
            char update[96];
        } diag;
    } u;
} Result;

/* Zeroed Result of `kind` on the heap, or NULL. */
Result *result_new(ResultKind kind, uint32_t seq);
/* NULL is a no-op. */
void result_free(Result *r);
const char *result_kind_name(ResultKind kind);

/* "2026-11-23T11:20:36Z" -> epoch seconds; 0 when it is not such a time. */
int64_t view_parse_time(const char *iso);

#endif
