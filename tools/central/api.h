/* api.h: the v1 resources of the central service (docs/api.md is the reference).
 * api_route() matches method and path against one table and calls a handler; handlers run
 * on a connection thread with Central.lock held, read the request, use the database and
 * fill the HttpReply. The helpers below are shared by the api_*.c files: field validation that
 * answers 400 with the error shape, and the JSON forms of stores, products and orders. */
#ifndef CENTRAL_API_H
#define CENTRAL_API_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <time.h>

#include "http.h"
#include "token.h"
#include "util.h"

#define API_PAGE_DEFAULT      100 /* catalog page when no limit is given */
#define API_PAGE_MAX          500 /* largest catalog or search page */
#define API_TEXT_MAX          200 /* free-text fields (notes, names, search) */
#define API_ORDER_LINES_MAX   50  /* lines in one order */
#define API_QTY_MAX           10  /* units of one variant in one order */
#define API_IDEM_KEY_MAX      128 /* Idempotency-Key length */
#define API_WAIT_MAX          60  /* longest pairing long-poll, seconds */
#define API_PAIRING_TTL       180 /* a pairing code lives this long, seconds */
#define API_RECS_DEFAULT      8   /* recommendations returned when no limit is given */
#define API_RECS_MAX          24
#define API_HISTORY_MAX       20   /* recent orders in a profile */
#define API_LOW_STOCK         3    /* at or below this a figure is "low" */
#define API_TAX_PER_10K       1025 /* sales tax in basis points of the subtotal */
#define API_HANDOFF_TTL       1800 /* a phone hand-off lives this long, seconds */
#define API_HANDOFF_ITEMS_MAX 50   /* cart lines in one hand-off */
#define API_NOTE_MAX          280  /* bytes of a stylist note */
#define API_NOTES_DEFAULT     20   /* notes returned when no limit is given */
#define API_NOTES_MAX         50
#define API_PREFS_MAX         4  /* colours, styles in a member's preferences */
#define API_NAME_MAX          64 /* bytes of a staff member's first or last name */

#define API_CODE_SHOWN     10        /* an enrollment code as shown, "KQ7M-2XPD", and the NUL */
#define API_CODE_QR_PREFIX "ENROLL:" /* what an enrollment code's QR holds before it */

void api_route(HttpRequest *req, HttpReply *r);

/* Each handler answers one route; the path's variable parts are req->seg[]. */
void api_stores(HttpRequest *req, HttpReply *r);
void api_catalog(HttpRequest *req, HttpReply *r);
void api_products_search(HttpRequest *req, HttpReply *r);
void api_product(HttpRequest *req, HttpReply *r);
void api_product_stock(HttpRequest *req, HttpReply *r);
void api_image(HttpRequest *req, HttpReply *r);
void api_identify(HttpRequest *req, HttpReply *r);
void api_staff_identify(HttpRequest *req, HttpReply *r);
void api_member_notes(HttpRequest *req, HttpReply *r);
void api_member_note_add(HttpRequest *req, HttpReply *r);
void api_member(HttpRequest *req, HttpReply *r);
void api_member_recommendations(HttpRequest *req, HttpReply *r);
void api_member_offers(HttpRequest *req, HttpReply *r);
void api_member_orders(HttpRequest *req, HttpReply *r);
void api_shipping_options(HttpRequest *req, HttpReply *r);
void api_order_create(HttpRequest *req, HttpReply *r);
void api_order_get(HttpRequest *req, HttpReply *r);
void api_track(HttpRequest *req, HttpReply *r);
void api_pairing_create(HttpRequest *req, HttpReply *r);
void api_pairing_get(HttpRequest *req, HttpReply *r);
void api_pairing_claim(HttpRequest *req, HttpReply *r);
void api_fitting_create(HttpRequest *req, HttpReply *r);
void api_fitting_list(HttpRequest *req, HttpReply *r);
void api_fitting_get(HttpRequest *req, HttpReply *r);
void api_fitting_status(HttpRequest *req, HttpReply *r);
void api_floor_page(HttpRequest *req, HttpReply *r);
void api_device_enroll(HttpRequest *req, HttpReply *r);
void api_device_heartbeat(HttpRequest *req, HttpReply *r);
void api_device_certificate(HttpRequest *req, HttpReply *r);
void api_device_screenshot_put(HttpRequest *req, HttpReply *r);
void api_fleet(HttpRequest *req, HttpReply *r);
void api_stock_delta(HttpRequest *req, HttpReply *r);
void api_handoff_create(HttpRequest *req, HttpReply *r);
void api_handoff_get(HttpRequest *req, HttpReply *r);
void api_handoff_page(HttpRequest *req, HttpReply *r);
/* Development service only: the back office's changes, so devices' sync can be exercised. */
void api_admin_product(HttpRequest *req, HttpReply *r);
void api_admin_stock(HttpRequest *req, HttpReply *r);
void api_admin_handoff_expire(HttpRequest *req, HttpReply *r);
/* The device console's calls (api_devices.c) and pages (api_console.c). */
void api_admin_enrollment_code(HttpRequest *req, HttpReply *r);
void api_admin_enrollment_code_expire(HttpRequest *req, HttpReply *r);
void api_admin_service_pin(HttpRequest *req, HttpReply *r);
void api_admin_device_revoke(HttpRequest *req, HttpReply *r);
void api_admin_device_command(HttpRequest *req, HttpReply *r);
void api_admin_device_screenshot(HttpRequest *req, HttpReply *r);
void api_console_page(HttpRequest *req, HttpReply *r);
void api_console_code_png(HttpRequest *req, HttpReply *r);

/* --- field helpers: on failure they set a 400 reply and return false --------------- */

/* A string member of the body: required or optional (then *out may be NULL), at most max
 * bytes, no control characters. */
bool api_body_string(const HttpRequest *req, HttpReply *r, const char *key, bool required,
                     size_t max, const char **out);
/* Like api_body_string, and the value must be an identifier (util_valid_id). */
bool api_body_id(const HttpRequest *req, HttpReply *r, const char *key, bool required,
                 const char **out);
/* One {variant, qty} of an order or a hand-off. */
typedef struct ApiItem {
    char variant[UTIL_ID_MAX + 1];
    long long qty;
} ApiItem;

/* The body's "items": a list of min..max {variant, qty 1..API_QTY_MAX}, repeated variants
 * added up (at most API_QTY_MAX units of one). Absent or null counts as empty. Replies 400
 * and returns false when it is not so; out holds max entries. */
bool api_body_items(const HttpRequest *req, HttpReply *r, size_t min, size_t max, ApiItem *out,
                    size_t *n);
/* An integer member in [lo, hi]; optional ones keep *out when absent. */
bool api_body_int(const HttpRequest *req, HttpReply *r, const char *key, bool required,
                  long long lo, long long hi, long long *out);
/* A query argument that must be an identifier; optional ones may give NULL. */
bool api_query_id(const HttpRequest *req, HttpReply *r, const char *name, bool required,
                  const char **out);
/* Checks a path segment is an identifier; 404 otherwise (nothing can have that id). */
bool api_path_id(HttpReply *r, const char *seg, const char *what);
/* The body's "token" (text form) and optional "uid" (hex of the tag it was read from),
 * parsed and verified against the loyalty keys into *out. The role is not checked: that is
 * the caller's. On failure sets 400 invalid_field | token_malformed, 503 no_loyalty_key or
 * 401 token_<reason>, and returns false. */
bool api_body_token(const HttpRequest *req, HttpReply *r, Token *out);

/* True if the caller may make device calls. In development mode always. In mutual-TLS
 * mode the verified client certificate must be one the device CA issued to an enrolled
 * device (CN = its id) and the device's current one, and the device not revoked; then
 * req->device_id is that id. Otherwise sets 401 client_certificate_required,
 * device_unknown, device_revoked or certificate_superseded and returns false. */
bool api_device_auth(HttpRequest *req, HttpReply *r);
/* True if the caller may make operator calls (console, fleet, back-office stand-ins): always
 * in development mode; in mutual-TLS mode any verified client certificate except a
 * device's (401 client_certificate_required, 403 operator_certificate_required). */
bool api_admin_auth(const HttpRequest *req, HttpReply *r);
/* True if s has the form of a device id: "D" and digits. */
bool api_device_id_form(const char *s);
/* True if text (as typed, scanned or in a path) is an enrollment code that can still be
 * used; fills its shown form "KQ7M-2XPD". */
bool api_enrollment_code_live(sqlite3 *db, const char *text, char shown[API_CODE_SHOWN]);
/* Sets the 500 reply for a database failure (already logged by db.c). */
void api_db_error(HttpReply *r);

/* --- shared JSON forms ---------------------------------------------------------------- */

json_t *api_time(time_t t); /* ISO-8601 UTC string, or null for 0 */
/* Whether the store exists (kind "store" or "online"); fills kind (8 bytes) if non-NULL. */
bool api_store_exists(sqlite3 *db, const char *id, char *kind);
/* A store row as JSON, or NULL if unknown. */
json_t *api_store_json(sqlite3 *db, const char *id);
/* A product with its variants and image URLs; NULL if unknown. */
json_t *api_product_json(sqlite3 *db, const char *id);
/* An order with its lines; NULL if unknown. */
json_t *api_order_json(Central *c, const char *id);
/* The public member profile (masked addresses, history); NULL if unknown. */
json_t *api_member_profile(Central *c, const char *id);
/* True if a member with this id exists. */
bool api_member_exists(sqlite3 *db, const char *id);

/* --- staff ---------------------------------------------------------------------------- */

/* A row of the staff table: store associates (role "staff") and technicians. */
typedef struct ApiStaff {
    char id[UTIL_ID_MAX + 1];
    char first_name[API_NAME_MAX + 1], last_name[API_NAME_MAX + 1];
    char role[16]; /* "staff" or "technician" */
    char store[UTIL_ID_MAX + 1];
    bool active;
} ApiStaff;

/* Fills *out with the staff member id; false if there is none (or the read failed, logged). */
bool api_staff_find(sqlite3 *db, const char *id, ApiStaff *out);
/* True if id names an active associate (role "staff"): the only staff who may place an
 * order for a member or write a stylist note. */
bool api_staff_is_associate(sqlite3 *db, const char *id);

/* --- shipping ------------------------------------------------------------------------- */

#define API_FREE_SHIPPING_CENTS 7500 /* standard delivery is free from this subtotal */

typedef struct ApiShippingQuote {
    const char *id, *name;
    long long price_cents;
    time_t earliest, latest;
    bool needs_address; /* false for collect-in-store */
} ApiShippingQuote;

/* Number of shipping options, and the i-th id. */
size_t api_shipping_count(void);
const char *api_shipping_id(size_t i);
/* Quotes an option for a member tier ("" when unknown) and a merchandise subtotal after
 * discounts. False if the option is unknown, or is pickup and the store is not a shop. */
bool api_shipping_quote(const char *option, const char *tier, long long subtotal, bool at_shop,
                        time_t now, ApiShippingQuote *out);

#endif
