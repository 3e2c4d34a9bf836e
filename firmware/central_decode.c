/* central_decode.c: see central_decode.h. jansson parses (duplicate keys refused); a cheap
 * pre-scan refuses deep nesting before jansson builds anything. Each decoder then copies the
 * fields it knows, checking type, range and length, into the caller's fixed-size struct.
 * Stateless and thread-safe. */
#include "central_decode.h"

#include <jansson.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#define MONEY_MAX  1000000000000LL /* ten billion dollars in cents: anything above is garbage */
#define POINTS_MAX 1000000000000LL
#define QTY_MAX    1000000000LL
#define SCORE_MAX  1e9 /* related-product scores: any finite, non-negative number up to this */

static const unsigned char PNG_SIGNATURE[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

typedef enum Need {
    REQ, /* must be present and not null */
    OPT, /* may be absent or null: strings become "", numbers 0, booleans false */
} Need;

static const char *const kind_names[CENTRAL_KIND_COUNT] = {
    [CENTRAL_IDENTIFY] = "identify",
    [CENTRAL_MEMBER] = "member",
    [CENTRAL_RECOMMENDATIONS] = "recommendations",
    [CENTRAL_OFFERS] = "offers",
    [CENTRAL_STOCK] = "stock",
    [CENTRAL_STORES] = "stores",
    [CENTRAL_CATALOG] = "catalog",
    [CENTRAL_PAIRING_CREATE] = "pairing_create",
    [CENTRAL_PAIRING_POLL] = "pairing_poll",
    [CENTRAL_ORDER_PLACE] = "order_place",
    [CENTRAL_ORDER_STATUS] = "order_status",
    [CENTRAL_FITTING_REQUEST] = "fitting_request",
    [CENTRAL_HEARTBEAT] = "heartbeat",
    [CENTRAL_SHIPPING] = "shipping",
    [CENTRAL_STOCK_DELTA] = "stock_delta",
    [CENTRAL_HANDOFF] = "handoff",
    [CENTRAL_PRODUCT] = "product",
    [CENTRAL_IMAGE] = "image",
    [CENTRAL_FITTING_STATUS] = "fitting_status",
    [CENTRAL_STAFF_IDENTIFY] = "staff_identify",
    [CENTRAL_MEMBER_ORDERS] = "member_orders",
    [CENTRAL_NOTES] = "notes",
    [CENTRAL_NOTE_ADD] = "note_add",
    [CENTRAL_ENROLL] = "enroll",
    [CENTRAL_RENEW] = "renew",
    [CENTRAL_SCREENSHOT] = "screenshot",
};

const char *central_kind_name(CentralKind kind)
{
    if ((int)kind < 0 || kind >= CENTRAL_KIND_COUNT || !kind_names[kind])
        return "unknown";
    return kind_names[kind];
}

bool central_is_id(const char *s)
{
    size_t n = 0;
    if (!s)
        return false;
    for (; s[n]; n++) {
        char c = s[n];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (!ok || n >= CENTRAL_ID_MAX)
            return false;
    }
    return n > 0;
}

/* Nesting depth of a JSON text, counting brackets outside strings. Stops counting (and
 * returns more than max) as soon as max is passed, so it is linear and bounded. */
static bool depth_ok(const char *s, size_t len, int max)
{
    int depth = 0;
    bool in_str = false, esc = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            if (++depth > max)
                return false;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return true;
}

static json_t *parse(const char *body, size_t len, KioskErr *err)
{
    json_error_t jerr;
    json_t *root = NULL;
    *err = KIOSK_E_INVALID;
    if (!body)
        return NULL;
    if (len > CENTRAL_BODY_MAX || !depth_ok(body, len, CENTRAL_JSON_DEPTH_MAX)) {
        *err = KIOSK_E_TOOBIG;
        return NULL;
    }
    root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return NULL;
    if (!json_is_object(root)) {
        json_decref(root);
        return NULL;
    }
    *err = KIOSK_OK;
    return root;
}

/* --- field readers: each returns false when the field breaks its rule --------------------- */

static bool str_value(const json_t *v, char *dst, size_t cap);

static bool get_str(const json_t *o, const char *key, Need need, char *dst, size_t cap)
{
    const json_t *v = json_object_get(o, key);
    dst[0] = '\0';
    if (!v || json_is_null(v))
        return need == OPT;
    return str_value(v, dst, cap);
}

/* A JSON string that fits cap with its NUL and holds no control characters. */
static bool str_value(const json_t *v, char *dst, size_t cap)
{
    dst[0] = '\0';
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n >= cap)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) /* control characters, and an embedded \u0000 */
            return false;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
    return true;
}

static bool get_id(const json_t *o, const char *key, Need need, char *dst)
{
    if (!get_str(o, key, need, dst, CENTRAL_ID_MAX + 1))
        return false;
    return dst[0] == '\0' ? need == OPT : central_is_id(dst);
}

static bool get_int(const json_t *o, const char *key, Need need, int64_t min, int64_t max,
                    int64_t *out)
{
    const json_t *v = json_object_get(o, key);
    *out = 0;
    if (!v || json_is_null(v))
        return need == OPT;
    if (!json_is_integer(v))
        return false;
    json_int_t n = json_integer_value(v);
    if (n < min || n > max)
        return false;
    *out = (int64_t)n;
    return true;
}

static bool get_int32(const json_t *o, const char *key, Need need, int64_t min, int64_t max,
                      int32_t *out)
{
    int64_t v = 0;
    bool ok = get_int(o, key, need, min, max, &v);
    *out = (int32_t)v; /* callers pass bounds inside int32_t */
    return ok;
}

static bool get_real(const json_t *o, const char *key, Need need, double min, double max,
                     double *out, bool *present)
{
    const json_t *v = json_object_get(o, key);
    *out = 0;
    if (present)
        *present = false;
    if (!v || json_is_null(v))
        return need == OPT;
    if (!json_is_number(v))
        return false;
    double d = json_number_value(v);
    if (!isfinite(d) || d < min || d > max)
        return false;
    *out = d;
    if (present)
        *present = true;
    return true;
}

static bool get_bool(const json_t *o, const char *key, Need need, bool *out)
{
    const json_t *v = json_object_get(o, key);
    *out = false;
    if (!v || json_is_null(v))
        return need == OPT;
    if (!json_is_boolean(v))
        return false;
    *out = json_is_true(v);
    return true;
}

/* An object member: NULL when absent or null (fine if OPT), *ok false on a wrong type. */
static const json_t *get_obj(const json_t *o, const char *key, Need need, bool *ok)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        *ok = need == OPT;
        return NULL;
    }
    *ok = json_is_object(v);
    return *ok ? v : NULL;
}

static const json_t *get_arr(const json_t *o, const char *key, Need need, bool *ok)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        *ok = need == OPT;
        return NULL;
    }
    *ok = json_is_array(v);
    return *ok ? v : NULL;
}

/* A cursor goes back into a query string: present, printable, no spaces. */
static bool get_cursor(const json_t *o, const char *key, char *dst)
{
    if (!get_str(o, key, REQ, dst, CENTRAL_CURSOR_MAX + 1))
        return false;
    return dst[0] != '\0' && strchr(dst, ' ') == NULL;
}

/* Decodes the array `key` item by item into items (stride bytes apart): at most max are
 * kept, a longer list sets *truncated. False when the array or any kept item is malformed. */
typedef bool (*ItemFn)(const json_t *item, void *dst);

static bool decode_list(const json_t *o, const char *key, Need need, void *items, size_t stride,
                        size_t max, size_t *count, bool *truncated, ItemFn fn)
{
    bool ok = true;
    const json_t *arr = get_arr(o, key, need, &ok);
    *count = 0;
    for (size_t i = 0; ok && arr && i < json_array_size(arr); i++) {
        if (i >= max) {
            if (truncated)
                *truncated = true;
            break;
        }
        const json_t *it = json_array_get(arr, i);
        if (!json_is_object(it) || !fn(it, (char *)items + stride * i))
            return false;
        (*count)++;
    }
    return ok;
}

/* An array of short strings (a member's colours or styles): at most max kept. */
static bool get_words(const json_t *o, const char *key, char *dst, size_t cap, size_t max,
                      size_t *count)
{
    bool ok = true;
    const json_t *arr = get_arr(o, key, OPT, &ok);
    *count = 0;
    for (size_t i = 0; ok && arr && i < json_array_size(arr) && *count < max; i++) {
        ok = str_value(json_array_get(arr, i), dst + cap * *count, cap);
        if (ok)
            (*count)++;
    }
    return ok;
}

/* --- one decoder per reply form ----------------------------------------------------------- */

static bool decode_order_brief(const json_t *o, CentralOrderBrief *b)
{
    bool ok = true;
    const json_t *items;
    if (!get_id(o, "id", REQ, b->id) ||
        !get_str(o, "channel", OPT, b->channel, sizeof b->channel) ||
        !get_str(o, "created_at", OPT, b->created_at, sizeof b->created_at))
        return false;
    items = get_arr(o, "items", OPT, &ok);
    if (!ok)
        return false;
    b->item_count =
        items ? (int)(json_array_size(items) > 1000 ? 1000 : json_array_size(items)) : 0;
    if (b->item_count > 0) {
        const json_t *first = json_array_get(items, 0);
        if (!json_is_object(first) ||
            !get_str(first, "name", OPT, b->first_item, sizeof b->first_item) ||
            !get_id(first, "product_id", OPT, b->first_product))
            return false;
    }
    return true;
}

static bool decode_member(const json_t *root, CentralMember *m, bool with_token)
{
    bool ok = true;
    const json_t *sizes, *addrs, *last, *token;
    if (!get_id(root, "id", REQ, m->id) ||
        !get_str(root, "display_name", REQ, m->display_name, sizeof m->display_name) ||
        !get_str(root, "name_masked", OPT, m->name_masked, sizeof m->name_masked) ||
        !get_str(root, "language", REQ, m->language, sizeof m->language) ||
        !get_str(root, "tier", REQ, m->tier, sizeof m->tier) ||
        !get_int(root, "points", REQ, 0, POINTS_MAX, &m->points) ||
        !get_bool(root, "payment_on_file", OPT, &m->payment_on_file) ||
        !get_id(root, "home_store", OPT, m->home_store))
        return false;
    if (m->display_name[0] == '\0' || m->language[0] == '\0')
        return false;
    sizes = get_obj(root, "sizes", OPT, &ok);
    if (!ok)
        return false;
    if (sizes && (!get_str(sizes, "shoe", OPT, m->sizes.shoe, sizeof m->sizes.shoe) ||
                  !get_str(sizes, "top", OPT, m->sizes.top, sizeof m->sizes.top) ||
                  !get_str(sizes, "waist", OPT, m->sizes.waist, sizeof m->sizes.waist) ||
                  !get_str(sizes, "dress", OPT, m->sizes.dress, sizeof m->sizes.dress) ||
                  !get_str(sizes, "sock", OPT, m->sizes.sock, sizeof m->sizes.sock)))
        return false;
    const json_t *prefs = get_obj(root, "preferences", OPT, &ok);
    CentralPreferences *pf = &m->preferences;
    if (!ok || (prefs && (!get_str(prefs, "fit", OPT, pf->fit, sizeof pf->fit) ||
                          !get_words(prefs, "colours", pf->colours[0], sizeof pf->colours[0],
                                     CENTRAL_PREFS_MAX, &pf->colour_count) ||
                          !get_words(prefs, "styles", pf->styles[0], sizeof pf->styles[0],
                                     CENTRAL_PREFS_MAX, &pf->style_count))))
        return false;
    addrs = get_arr(root, "addresses", OPT, &ok);
    if (!ok)
        return false;
    for (size_t i = 0; addrs && i < json_array_size(addrs); i++) {
        const json_t *a = json_array_get(addrs, i);
        if (i >= CENTRAL_ADDRESSES_MAX) {
            m->addresses_truncated = true;
            break;
        }
        CentralAddress *d = &m->addresses[m->address_count];
        if (!json_is_object(a) || !get_id(a, "id", REQ, d->id) ||
            !get_str(a, "label", OPT, d->label, sizeof d->label) ||
            !get_str(a, "masked", REQ, d->masked, sizeof d->masked) ||
            !get_str(a, "city", OPT, d->city, sizeof d->city) ||
            !get_bool(a, "is_default", OPT, &d->is_default))
            return false;
        m->address_count++;
    }
    last = get_obj(root, "last_order", OPT, &ok);
    if (!ok)
        return false;
    if (last) {
        if (!decode_order_brief(last, &m->last_order))
            return false;
        m->has_last_order = true;
    }
    if (with_token) {
        token = get_obj(root, "token", OPT, &ok);
        if (!ok)
            return false;
        if (token) {
            if (!get_bool(token, "bound_to_tag", OPT, &m->token_bound_to_tag) ||
                !get_str(token, "expires_at", OPT, m->token_expires_at, sizeof m->token_expires_at))
                return false;
            m->has_token_info = true;
        }
    }
    return true;
}

static bool decode_stores(const json_t *root, CentralStores *out)
{
    bool ok = true;
    const json_t *arr = get_arr(root, "stores", REQ, &ok);
    if (!ok)
        return false;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *s = json_array_get(arr, i), *addr;
        if (i >= CENTRAL_STORES_MAX) {
            out->truncated = true;
            break;
        }
        CentralStore *d = &out->stores[out->count];
        if (!json_is_object(s) || !get_id(s, "id", REQ, d->id) ||
            !get_str(s, "kind", REQ, d->kind, sizeof d->kind) ||
            !get_str(s, "name", REQ, d->name, sizeof d->name) ||
            !get_real(s, "lat", REQ, -90, 90, &d->lat, NULL) ||
            !get_real(s, "lon", REQ, -180, 180, &d->lon, NULL) ||
            !get_str(s, "timezone", OPT, d->timezone, sizeof d->timezone))
            return false;
        addr = get_obj(s, "address", OPT, &ok);
        if (!ok || (addr && !get_str(addr, "city", OPT, d->city, sizeof d->city)))
            return false;
        out->count++;
    }
    return true;
}

static bool decode_delivery(const json_t *o, bool *has, char *earliest, char *latest)
{
    bool ok = true;
    const json_t *d = get_obj(o, "delivery_estimate", OPT, &ok);
    if (!ok)
        return false;
    if (!d)
        return true;
    *has = true;
    return get_str(d, "earliest", OPT, earliest, CENTRAL_TIME_MAX + 1) &&
           get_str(d, "latest", OPT, latest, CENTRAL_TIME_MAX + 1);
}

static bool decode_location(const json_t *l, CentralStockLocation *d)
{
    bool ok = true;
    const json_t *vars;
    if (!json_is_object(l) || !get_id(l, "store", REQ, d->store) ||
        !get_str(l, "kind", OPT, d->kind, sizeof d->kind) ||
        !get_str(l, "name", OPT, d->name, sizeof d->name) ||
        !get_real(l, "distance_km", OPT, 0, 40100, &d->distance_km, &d->has_distance) ||
        !get_bool(l, "here", OPT, &d->here) || !get_bool(l, "in_stock", REQ, &d->in_stock) ||
        !get_int(l, "total_qty", REQ, 0, QTY_MAX, &d->total_qty) ||
        !get_str(l, "updated_at", OPT, d->updated_at, sizeof d->updated_at) ||
        !decode_delivery(l, &d->has_delivery, d->delivery_earliest, d->delivery_latest))
        return false;
    vars = get_arr(l, "variants", REQ, &ok);
    if (!ok)
        return false;
    for (size_t i = 0; i < json_array_size(vars); i++) {
        const json_t *v = json_array_get(vars, i);
        if (i >= CENTRAL_STOCK_VARIANTS_MAX) {
            d->variants_truncated = true;
            break;
        }
        CentralStockVariant *sv = &d->variants[d->variant_count];
        if (!json_is_object(v) || !get_id(v, "variant", REQ, sv->variant) ||
            !get_str(v, "size", OPT, sv->size, sizeof sv->size) ||
            !get_str(v, "colour", OPT, sv->colour, sizeof sv->colour) ||
            !get_int32(v, "qty", REQ, 0, QTY_MAX, &sv->qty) || !get_bool(v, "low", OPT, &sv->low) ||
            !get_str(v, "updated_at", OPT, sv->updated_at, sizeof sv->updated_at))
            return false;
        d->variant_count++;
    }
    return true;
}

static bool decode_stock(const json_t *root, CentralStock *out)
{
    bool ok = true;
    const json_t *locs;
    if (!get_id(root, "product_id", REQ, out->product_id) ||
        !get_id(root, "store", OPT, out->store) ||
        !get_str(root, "as_of", OPT, out->as_of, sizeof out->as_of))
        return false;
    locs = get_arr(root, "locations", REQ, &ok);
    if (!ok)
        return false;
    for (size_t i = 0; i < json_array_size(locs); i++) {
        if (i >= CENTRAL_LOCATIONS_MAX) {
            /* Keep the online warehouse (listed last): the shopper can always ship home. */
            size_t last = json_array_size(locs) - 1;
            const char *kind =
                json_string_value(json_object_get(json_array_get(locs, last), "kind"));
            out->truncated = true;
            if (kind && strcmp(kind, "online") == 0) {
                CentralStockLocation *slot = &out->locations[CENTRAL_LOCATIONS_MAX - 1];
                memset(slot, 0, sizeof *slot);
                if (!decode_location(json_array_get(locs, last), slot))
                    return false;
            }
            break;
        }
        if (!decode_location(json_array_get(locs, i), &out->locations[out->location_count]))
            return false;
        out->location_count++;
    }
    return true;
}

static bool decode_pairing(const json_t *root, CentralPairing *p)
{
    char status[CENTRAL_CODE_MAX + 1];
    if (!get_id(root, "id", REQ, p->id) || !get_str(root, "code", REQ, p->code, sizeof p->code) ||
        !get_str(root, "qr_text", REQ, p->qr_text, sizeof p->qr_text) ||
        !get_str(root, "status", REQ, status, sizeof status) ||
        !get_id(root, "member", OPT, p->member) ||
        !get_str(root, "expires_at", OPT, p->expires_at, sizeof p->expires_at) ||
        !get_int(root, "expires_in_seconds", OPT, 0, 86400, &p->expires_in_seconds))
        return false;
    if (p->code[0] == '\0' || p->qr_text[0] == '\0')
        return false;
    if (strcmp(status, "pending") == 0)
        p->status = CENTRAL_PAIRING_PENDING;
    else if (strcmp(status, "claimed") == 0)
        p->status = CENTRAL_PAIRING_CLAIMED;
    else if (strcmp(status, "expired") == 0)
        p->status = CENTRAL_PAIRING_EXPIRED;
    else
        return false;
    return p->status != CENTRAL_PAIRING_CLAIMED || p->member[0] != '\0';
}

static bool decode_order(const json_t *root, CentralOrder *o)
{
    bool ok = true;
    const json_t *totals, *items;
    if (!get_id(root, "id", REQ, o->id) || !get_id(root, "number", REQ, o->number) ||
        !get_id(root, "member", REQ, o->member) ||
        !get_str(root, "channel", OPT, o->channel, sizeof o->channel) ||
        !get_id(root, "store", OPT, o->store) ||
        !get_str(root, "status", REQ, o->status, sizeof o->status) ||
        !get_str(root, "created_at", OPT, o->created_at, sizeof o->created_at) ||
        !get_str(root, "tracking_url", OPT, o->tracking_url, sizeof o->tracking_url) ||
        !decode_delivery(root, &o->has_delivery, o->delivery_earliest, o->delivery_latest))
        return false;
    totals = get_obj(root, "totals", REQ, &ok);
    if (!ok || !get_int(totals, "subtotal_cents", REQ, 0, MONEY_MAX, &o->subtotal_cents) ||
        !get_int(totals, "discount_cents", REQ, 0, MONEY_MAX, &o->discount_cents) ||
        !get_int(totals, "shipping_cents", REQ, 0, MONEY_MAX, &o->shipping_cents) ||
        !get_int(totals, "tax_cents", REQ, 0, MONEY_MAX, &o->tax_cents) ||
        !get_int(totals, "total_cents", REQ, 0, MONEY_MAX, &o->total_cents) ||
        !get_str(totals, "currency", REQ, o->currency, sizeof o->currency))
        return false;
    items = get_arr(root, "items", REQ, &ok);
    if (!ok)
        return false;
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *it = json_array_get(items, i);
        if (i >= CENTRAL_ORDER_ITEMS_MAX) {
            o->truncated = true;
            break;
        }
        CentralOrderItem *d = &o->items[o->item_count];
        if (!json_is_object(it) || !get_int32(it, "line", OPT, 0, 1000000, &d->line) ||
            !get_id(it, "variant", REQ, d->variant) ||
            !get_id(it, "product_id", OPT, d->product_id) ||
            !get_str(it, "name", REQ, d->name, sizeof d->name) ||
            !get_str(it, "size", OPT, d->size, sizeof d->size) ||
            !get_str(it, "colour", OPT, d->colour, sizeof d->colour) ||
            !get_int32(it, "qty", REQ, 1, 1000, &d->qty) ||
            !get_int(it, "unit_price_cents", REQ, 0, MONEY_MAX, &d->unit_price_cents))
            return false;
        o->item_count++;
    }
    return true;
}

static bool decode_recs(const json_t *root, CentralRecommendations *out)
{
    bool ok = true;
    const json_t *arr;
    if (!get_id(root, "member", OPT, out->member) || !get_id(root, "store", OPT, out->store))
        return false;
    arr = get_arr(root, "recommendations", REQ, &ok);
    if (!ok)
        return false;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *r = json_array_get(arr, i), *p;
        if (i >= CENTRAL_RECS_MAX) {
            out->truncated = true;
            break;
        }
        CentralRecommendation *d = &out->items[out->count];
        if (!json_is_object(r))
            return false;
        p = get_obj(r, "product", REQ, &ok);
        if (!ok || !get_id(p, "id", REQ, d->product_id) ||
            !get_str(p, "name", REQ, d->name, sizeof d->name) ||
            !get_str(p, "category", OPT, d->category, sizeof d->category) ||
            !get_int(p, "price_cents", REQ, 0, MONEY_MAX, &d->price_cents) ||
            !get_str(p, "image_url", OPT, d->image_url, sizeof d->image_url) ||
            !get_id(r, "variant", OPT, d->variant) ||
            !get_str(r, "size", OPT, d->size, sizeof d->size) ||
            !get_str(r, "reason", REQ, d->reason, sizeof d->reason) ||
            !get_str(r, "reason_code", OPT, d->reason_code, sizeof d->reason_code) ||
            !get_bool(r, "in_stock_here", OPT, &d->in_stock_here) ||
            !get_bool(r, "in_stock_online", OPT, &d->in_stock_online))
            return false;
        /* The reason's data, so the device can word it in the shopper's language. */
        const json_t *rd = get_obj(r, "reason_data", OPT, &ok);
        if (!ok ||
            (rd && (!get_str(rd, "anchor_name", OPT, d->reason_anchor, sizeof d->reason_anchor) ||
                    !get_str(rd, "channel", OPT, d->reason_channel, sizeof d->reason_channel))))
            return false;
        out->count++;
    }
    return true;
}

static bool decode_offers(const json_t *root, CentralOffers *out)
{
    bool ok = true;
    const json_t *arr;
    if (!get_id(root, "member", OPT, out->member))
        return false;
    arr = get_arr(root, "offers", REQ, &ok);
    if (!ok)
        return false;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *f = json_array_get(arr, i), *p;
        if (i >= CENTRAL_OFFERS_MAX) {
            out->truncated = true;
            break;
        }
        CentralOffer *d = &out->items[out->count];
        if (!json_is_object(f) || !get_id(f, "id", REQ, d->id) ||
            !get_str(f, "kind", REQ, d->kind, sizeof d->kind) ||
            !get_int(f, "value", REQ, 0, MONEY_MAX, &d->value) ||
            !get_str(f, "title", REQ, d->title, sizeof d->title) ||
            !get_str(f, "code", OPT, d->code, sizeof d->code) ||
            !get_str(f, "expires_at", OPT, d->expires_at, sizeof d->expires_at))
            return false;
        p = get_obj(f, "product", OPT, &ok);
        if (!ok || (p && (!get_id(p, "id", REQ, d->product_id) ||
                          !get_str(p, "name", OPT, d->product_name, sizeof d->product_name))))
            return false;
        out->count++;
    }
    return true;
}

static bool decode_fitting(const json_t *root, CentralFitting *f)
{
    bool ok = true;
    const json_t *v;
    if (!get_id(root, "id", REQ, f->id) ||
        !get_str(root, "status", REQ, f->status, sizeof f->status) ||
        !get_str(root, "room", REQ, f->room, sizeof f->room) ||
        !get_int(root, "qty_here", OPT, 0, QTY_MAX, &f->qty_here))
        return false;
    v = get_obj(root, "variant", REQ, &ok);
    return ok && get_id(v, "id", REQ, f->variant);
}

static bool decode_staff(const json_t *root, CentralStaff *st)
{
    bool ok = true;
    if (!get_id(root, "id", REQ, st->id) ||
        !get_str(root, "name", REQ, st->name, sizeof st->name) ||
        !get_str(root, "first_name", OPT, st->first_name, sizeof st->first_name) ||
        !get_str(root, "role", REQ, st->role, sizeof st->role))
        return false;
    const json_t *store = get_obj(root, "store", OPT, &ok);
    return ok && st->name[0] &&
           (!store || (get_id(store, "id", REQ, st->store) &&
                       get_str(store, "name", OPT, st->store_name, sizeof st->store_name)));
}

static bool history_line(const json_t *it, void *dst)
{
    CentralHistoryLine *d = dst;
    return get_id(it, "product_id", OPT, d->product_id) &&
           get_str(it, "name", REQ, d->name, sizeof d->name) &&
           get_str(it, "size", OPT, d->size, sizeof d->size) &&
           get_str(it, "colour", OPT, d->colour, sizeof d->colour) &&
           get_int32(it, "qty", REQ, 1, 1000, &d->qty) &&
           get_bool(it, "returned", OPT, &d->returned) &&
           get_str(it, "return_reason", OPT, d->return_reason, sizeof d->return_reason);
}

static bool history_order(const json_t *o, void *dst)
{
    CentralHistoryOrder *d = dst;
    bool ok = true;
    if (!get_id(o, "id", REQ, d->id) || !get_id(o, "number", OPT, d->number) ||
        !get_str(o, "channel", OPT, d->channel, sizeof d->channel) ||
        !get_id(o, "store", OPT, d->store) ||
        !get_str(o, "created_at", OPT, d->created_at, sizeof d->created_at))
        return false;
    const json_t *totals = get_obj(o, "totals", OPT, &ok);
    if (!ok || (totals && (!get_int(totals, "total_cents", OPT, 0, MONEY_MAX, &d->total_cents) ||
                           !get_str(totals, "currency", OPT, d->currency, sizeof d->currency))))
        return false;
    return decode_list(o, "items", REQ, d->lines, sizeof d->lines[0], CENTRAL_HISTORY_LINES_MAX,
                       &d->line_count, &d->lines_truncated, history_line);
}

static bool decode_history(const json_t *root, CentralHistory *out)
{
    return get_id(root, "member", OPT, out->member) &&
           decode_list(root, "orders", REQ, out->orders, sizeof out->orders[0], CENTRAL_HISTORY_MAX,
                       &out->count, &out->truncated, history_order);
}

static bool note(const json_t *n, void *dst)
{
    CentralNote *d = dst;
    bool ok = true;
    if (!get_id(n, "id", REQ, d->id) || !get_str(n, "text", REQ, d->text, sizeof d->text) ||
        !get_id(n, "store", OPT, d->store) ||
        !get_str(n, "created_at", OPT, d->created_at, sizeof d->created_at))
        return false;
    const json_t *a = get_obj(n, "associate", OPT, &ok);
    return ok && (!a || (get_id(a, "id", REQ, d->associate) &&
                         get_str(a, "name", OPT, d->associate_name, sizeof d->associate_name)));
}

static bool decode_notes(const json_t *root, CentralNotes *out)
{
    return get_id(root, "member", OPT, out->member) &&
           decode_list(root, "notes", REQ, out->notes, sizeof out->notes[0], CENTRAL_NOTES_MAX,
                       &out->count, &out->truncated, note);
}

/* config.service_pin of an enrollment or heartbeat reply, kept as compact JSON text. */
static bool pin_record(const json_t *cfg, char *out, size_t size)
{
    const json_t *pin = cfg ? json_object_get(cfg, "service_pin") : NULL;
    if (pin && !json_is_null(pin) && !json_is_object(pin))
        return false;
    char *text = pin && json_is_object(pin) ? json_dumps(pin, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    bool ok = !(pin && json_is_object(pin)) || (text && strlen(text) < size);
    if (ok)
        snprintf(out, size, "%s", text ? text : "null");
    free(text);
    return ok;
}

static bool decode_enrollment(const json_t *root, CentralEnrollment *e, bool renewal)
{
    bool ok = true;
    if (!get_id(root, "device_id", REQ, e->device_id) ||
        !get_id(root, "store", renewal ? OPT : REQ, e->store) ||
        !get_str(root, "kind", OPT, e->kind, sizeof e->kind) ||
        !get_str(root, "expires_at", OPT, e->expires_at, sizeof e->expires_at))
        return false;
    /* PEM has newlines: read it as a bounded string of printable text and line breaks. */
    const json_t *cert = json_object_get(root, "certificate");
    if (!json_is_string(cert) || json_string_length(cert) >= sizeof e->certificate ||
        json_string_length(cert) != strlen(json_string_value(cert)))
        return false;
    const char *pem = json_string_value(cert);
    for (const char *p = pem; *p; p++)
        if (((unsigned char)*p < 0x20 && *p != '\n' && *p != '\r') || *p == 0x7f)
            return false;
    if (strncmp(pem, "-----BEGIN CERTIFICATE-----", 27) != 0)
        return false;
    memcpy(e->certificate, pem, strlen(pem) + 1);
    const json_t *cfg = get_obj(root, "config", OPT, &ok);
    if (!ok || (cfg && !get_int(cfg, "heartbeat_seconds", OPT, 0, 86400, &e->heartbeat_seconds)))
        return false;
    return pin_record(cfg, e->service_pin, sizeof e->service_pin);
}

/* popularity and related: added to the product form after v1 shipped, so both optional. */
static bool decode_related(const json_t *p, CentralProduct *d)
{
    bool ok = true;
    const json_t *rel;
    if (!get_int(p, "popularity", OPT, 0, POINTS_MAX, &d->popularity))
        return false;
    rel = get_arr(p, "related", OPT, &ok);
    if (!ok)
        return false;
    for (size_t i = 0; rel && i < json_array_size(rel); i++) {
        const json_t *r = json_array_get(rel, i);
        if (i >= CENTRAL_RELATED_MAX) {
            d->related_truncated = true;
            break;
        }
        CentralRelated *cr = &d->related[d->related_count];
        if (!json_is_object(r) || !get_id(r, "id", REQ, cr->id) ||
            !get_real(r, "score", REQ, 0, SCORE_MAX, &cr->score, NULL))
            return false;
        d->related_count++;
    }
    return true;
}

static bool decode_product(const json_t *p, CentralProduct *d)
{
    bool ok = true;
    const json_t *vars;
    if (!json_is_object(p) || !get_id(p, "id", REQ, d->id) ||
        !get_str(p, "name", REQ, d->name, sizeof d->name) ||
        !get_str(p, "brand", OPT, d->brand, sizeof d->brand) ||
        !get_str(p, "category", OPT, d->category, sizeof d->category) ||
        !get_str(p, "description", OPT, d->description, sizeof d->description) ||
        !get_int(p, "price_cents", REQ, 0, MONEY_MAX, &d->price_cents) ||
        !get_str(p, "currency", REQ, d->currency, sizeof d->currency) ||
        !get_bool(p, "replenishable", OPT, &d->replenishable) ||
        !get_int(p, "replenish_days", OPT, 0, 3650, &d->replenish_days) ||
        !get_bool(p, "active", REQ, &d->active) ||
        !get_str(p, "updated_at", OPT, d->updated_at, sizeof d->updated_at) ||
        !get_str(p, "image_url", OPT, d->image_url, sizeof d->image_url))
        return false;
    vars = get_arr(p, "variants", REQ, &ok);
    if (!ok)
        return false;
    for (size_t i = 0; i < json_array_size(vars); i++) {
        const json_t *v = json_array_get(vars, i);
        if (i >= CENTRAL_PRODUCT_VARIANTS_MAX) {
            d->variants_truncated = true;
            break;
        }
        CentralVariant *cv = &d->variants[d->variant_count];
        if (!json_is_object(v) || !get_id(v, "id", REQ, cv->id) ||
            !get_str(v, "size", OPT, cv->size, sizeof cv->size) ||
            !get_str(v, "colour", OPT, cv->colour, sizeof cv->colour) ||
            !get_str(v, "colour_hex", OPT, cv->colour_hex, sizeof cv->colour_hex) ||
            !get_str(v, "gtin", OPT, cv->gtin, sizeof cv->gtin) ||
            !get_int(v, "price_cents", REQ, 0, MONEY_MAX, &cv->price_cents) ||
            !get_str(v, "image_url", OPT, cv->image_url, sizeof cv->image_url))
            return false;
        for (const char *g = cv->gtin; *g; g++) {
            if (*g < '0' || *g > '9')
                return false;
        }
        d->variant_count++;
    }
    return decode_related(p, d);
}

static bool decode_catalog(const json_t *root, CentralCatalogPage *out)
{
    bool ok = true;
    const json_t *arr;
    if (!get_cursor(root, "next_cursor", out->next_cursor) ||
        !get_bool(root, "has_more", REQ, &out->has_more) ||
        !get_str(root, "server_time", OPT, out->server_time, sizeof out->server_time))
        return false;
    arr = get_arr(root, "products", REQ, &ok);
    if (!ok || json_array_size(arr) > CENTRAL_CATALOG_PAGE_MAX)
        return false;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        if (!decode_product(json_array_get(arr, i), &out->products[out->count]))
            return false;
        out->count++;
    }
    return true;
}

static bool command(const json_t *c, void *dst)
{
    CentralCommand *d = dst;
    return get_id(c, "id", REQ, d->id) && get_str(c, "command", REQ, d->command, sizeof d->command);
}

static bool decode_heartbeat(const json_t *root, CentralHeartbeatReply *h)
{
    bool ok = true;
    const json_t *cfg = get_obj(root, "config", OPT, &ok);
    /* Only a config that says something of the PIN changes it (a partial one keeps it). */
    h->has_config = cfg && json_object_get(cfg, "service_pin");
    if (!ok || (cfg && !pin_record(cfg, h->service_pin, sizeof h->service_pin)))
        return false;
    return get_id(root, "device_id", REQ, h->device_id) &&
           get_str(root, "server_time", OPT, h->server_time, sizeof h->server_time) &&
           get_int(root, "next_heartbeat_seconds", REQ, 1, 86400, &h->next_heartbeat_seconds) &&
           get_int(root, "desired_config_version", OPT, 0, INT32_MAX, &h->desired_config_version) &&
           get_bool(root, "renew_certificate", OPT, &h->renew_certificate) &&
           decode_list(root, "commands", OPT, h->commands, sizeof h->commands[0],
                       CENTRAL_COMMANDS_MAX, &h->command_count, &h->commands_truncated, command);
}

static bool decode_shipping(const json_t *root, CentralShipping *out)
{
    bool ok = true;
    const json_t *arr, *free_from = json_object_get(root, "free_from_cents");
    if (!get_id(root, "store", REQ, out->store) || !get_id(root, "member", OPT, out->member))
        return false;
    out->free_from_cents = -1;
    if (free_from && !json_is_null(free_from) &&
        !get_int(root, "free_from_cents", REQ, 0, MONEY_MAX, &out->free_from_cents))
        return false;
    arr = get_arr(root, "options", REQ, &ok);
    if (!ok)
        return false;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *o = json_array_get(arr, i), *needs;
        if (i >= CENTRAL_SHIPPING_MAX) {
            out->truncated = true;
            break;
        }
        CentralShippingOption *d = &out->options[out->count];
        bool has_delivery = false;
        if (!json_is_object(o) || !get_id(o, "id", REQ, d->id) ||
            !get_str(o, "name", REQ, d->name, sizeof d->name) ||
            !get_int(o, "price_cents", REQ, 0, MONEY_MAX, &d->price_cents) ||
            !get_str(o, "currency", REQ, d->currency, sizeof d->currency) ||
            !decode_delivery(o, &has_delivery, d->delivery_earliest, d->delivery_latest))
            return false;
        if (d->name[0] == '\0' || d->currency[0] == '\0')
            return false;
        needs = json_object_get(o, "needs_address");
        d->needs_address = true;
        if (needs && !json_is_null(needs) && !get_bool(o, "needs_address", REQ, &d->needs_address))
            return false;
        out->count++;
    }
    return true;
}

static bool decode_stock_delta(const json_t *root, CentralStockDelta *out)
{
    bool ok = true;
    const json_t *arr;
    if (!get_cursor(root, "next_cursor", out->next_cursor) ||
        !get_bool(root, "has_more", REQ, &out->has_more) ||
        !get_str(root, "server_time", OPT, out->server_time, sizeof out->server_time))
        return false;
    arr = get_arr(root, "stock", REQ, &ok);
    if (!ok || json_array_size(arr) > CENTRAL_STOCK_DELTA_MAX)
        return false; /* refused, not cut: the cursor would skip the rows left out */
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *r = json_array_get(arr, i);
        CentralStockFigure *d = &out->rows[out->count];
        if (!json_is_object(r) || !get_id(r, "variant", REQ, d->variant) ||
            !get_id(r, "store", REQ, d->store) || !get_int32(r, "qty", REQ, 0, QTY_MAX, &d->qty) ||
            !get_str(r, "updated_at", OPT, d->updated_at, sizeof d->updated_at))
            return false;
        out->count++;
    }
    return true;
}

static bool decode_handoff(const json_t *root, CentralHandoff *h)
{
    return get_id(root, "code", REQ, h->code) && get_str(root, "url", REQ, h->url, sizeof h->url) &&
           h->url[0] != '\0' &&
           get_str(root, "expires_at", OPT, h->expires_at, sizeof h->expires_at);
}

KioskErr central_decode_blob(const char *content_type, const unsigned char *body, size_t len,
                             CentralBlob *out)
{
    KioskErr err = KIOSK_E_INVALID;
    size_t n;
    memset(out, 0, sizeof *out);
    if (!content_type || !body)
        goto out;
    if (len > CENTRAL_IMAGE_MAX) {
        err = KIOSK_E_TOOBIG;
        goto out;
    }
    n = strlen(content_type);
    /* "image/png", optionally with parameters ("image/png; q=1"): a media type is
     * case-insensitive. */
    if (n > CENTRAL_CONTENT_TYPE_MAX || strncasecmp(content_type, "image/png", 9) != 0 ||
        (content_type[9] != '\0' && content_type[9] != ';' && content_type[9] != ' '))
        goto out;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)content_type[i];
        if (ch < 0x20 || ch == 0x7f)
            goto out;
    }
    if (len < sizeof PNG_SIGNATURE || memcmp(body, PNG_SIGNATURE, sizeof PNG_SIGNATURE) != 0)
        goto out;
    memcpy(out->content_type, content_type, n + 1);
    out->data = (unsigned char *)(uintptr_t)body; /* borrowed; the struct is shared with copies */
    out->len = len;
    err = KIOSK_OK;
out:
    if (err != KIOSK_OK)
        memset(out, 0, sizeof *out);
    return err;
}

KioskErr central_decode(CentralKind kind, const char *body, size_t len, CentralPayload *out)
{
    KioskErr err = KIOSK_E_INVALID;
    bool ok = false;
    json_t *root = NULL;
    memset(out, 0, sizeof *out);
    root = parse(body, len, &err);
    if (!root)
        goto out;
    switch (kind) {
    case CENTRAL_IDENTIFY:
    case CENTRAL_MEMBER:
        ok = decode_member(root, &out->member, kind == CENTRAL_IDENTIFY);
        break;
    case CENTRAL_STORES:
        ok = decode_stores(root, &out->stores);
        break;
    case CENTRAL_STOCK:
        ok = decode_stock(root, &out->stock);
        break;
    case CENTRAL_PAIRING_CREATE:
    case CENTRAL_PAIRING_POLL:
        ok = decode_pairing(root, &out->pairing);
        break;
    case CENTRAL_ORDER_PLACE:
    case CENTRAL_ORDER_STATUS:
        ok = decode_order(root, &out->order);
        break;
    case CENTRAL_RECOMMENDATIONS:
        ok = decode_recs(root, &out->recs);
        break;
    case CENTRAL_OFFERS:
        ok = decode_offers(root, &out->offers);
        break;
    case CENTRAL_FITTING_REQUEST:
    case CENTRAL_FITTING_STATUS:
        ok = decode_fitting(root, &out->fitting);
        break;
    case CENTRAL_STAFF_IDENTIFY:
        ok = decode_staff(root, &out->staff);
        break;
    case CENTRAL_MEMBER_ORDERS:
        ok = decode_history(root, &out->history);
        break;
    case CENTRAL_NOTES:
        ok = decode_notes(root, &out->notes);
        break;
    case CENTRAL_ENROLL:
    case CENTRAL_RENEW:
        ok = decode_enrollment(root, &out->enrollment, kind == CENTRAL_RENEW);
        break;
    case CENTRAL_NOTE_ADD:
        ok = note(root, &out->notes.notes[0]);
        out->notes.count = ok ? 1 : 0;
        break;
    case CENTRAL_HEARTBEAT:
        ok = decode_heartbeat(root, &out->heartbeat);
        break;
    case CENTRAL_CATALOG:
        ok = decode_catalog(root, &out->catalog);
        break;
    case CENTRAL_SHIPPING:
        ok = decode_shipping(root, &out->shipping);
        break;
    case CENTRAL_STOCK_DELTA:
        ok = decode_stock_delta(root, &out->stock_delta);
        break;
    case CENTRAL_HANDOFF:
        ok = decode_handoff(root, &out->handoff);
        break;
    case CENTRAL_PRODUCT:
        ok = decode_product(root, &out->product);
        break;
    case CENTRAL_IMAGE:      /* bytes, not JSON: central_decode_blob */
    case CENTRAL_SCREENSHOT: /* no body: a 2xx is all */
    case CENTRAL_KIND_COUNT:
        ok = false;
        break;
    }
    err = ok ? KIOSK_OK : KIOSK_E_INVALID;
out:
    if (err != KIOSK_OK)
        memset(out, 0, sizeof *out);
    json_decref(root);
    return err;
}

KioskErr central_decode_error(const char *body, size_t len, char *code)
{
    KioskErr err = KIOSK_E_INVALID;
    bool ok = true;
    const json_t *e;
    json_t *root = parse(body, len, &err);
    code[0] = '\0';
    if (!root)
        goto out;
    err = KIOSK_E_INVALID;
    e = get_obj(root, "error", REQ, &ok);
    if (!ok || !get_str(e, "code", REQ, code, CENTRAL_CODE_MAX + 1))
        goto out;
    for (const char *p = code; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            goto out;
    }
    err = code[0] ? KIOSK_OK : KIOSK_E_INVALID;
out:
    if (err != KIOSK_OK)
        code[0] = '\0';
    json_decref(root);
    return err;
}
