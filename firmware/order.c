/* order.c: see order.h. The outbox payload of an order: encoded and checked here with
 * jansson, read back by the sender. Pure functions callable from any thread, except that
 * order_new_key reads the kernel's random pool (getrandom). Orders are never logged. */
#include "order.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <jansson.h>

#include "log.h"

#define MOD "order"

#define QTY_MAX 10 /* per line, and per variant once repeated lines are added up (api.md) */

_Static_assert(ORDER_KEY_LEN <= CENTRAL_IDEM_KEY_MAX, "a UUID fits an Idempotency-Key");

KioskErr order_new_key(char key[CENTRAL_IDEM_KEY_MAX + 1])
{
    unsigned char b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t n = getrandom(b + got, sizeof b - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            log_error(MOD, "no random bytes for an order key (errno %d)", errno);
            key[0] = '\0';
            return KIOSK_E_IO;
        }
        got += (size_t)n;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4: random */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 10xx: RFC 4122 */
    static const char hex[] = "0123456789abcdef";
    char *p = key;
    for (size_t i = 0; i < sizeof b; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[b[i] >> 4];
        *p++ = hex[b[i] & 0x0f];
    }
    *p = '\0';
    return KIOSK_OK;
}

/* A fixed-size field that ends inside its array and is an identifier (or empty, if allowed). */
static bool field_ok(const char *s, size_t size, bool optional)
{
    if (!memchr(s, '\0', size))
        return false;
    return (optional && s[0] == '\0') || central_is_id(s);
}

/* The shape rules of POST /v1/orders that a device can check without the service. */
static bool request_ok(const CentralOrderRequest *r)
{
    if (!field_ok(r->member, sizeof r->member, false) ||
        !field_ok(r->store, sizeof r->store, false) ||
        !field_ok(r->associate, sizeof r->associate, true) ||
        !field_ok(r->shipping_option, sizeof r->shipping_option, false) ||
        !field_ok(r->address_id, sizeof r->address_id, true) ||
        !field_ok(r->offer, sizeof r->offer, true) ||
        !memchr(r->confirmed_by, '\0', sizeof r->confirmed_by))
        return false;
    /* An associate's order is confirmed by the customer's own card or app; nothing else. */
    if (r->associate[0]
            ? strcmp(r->confirmed_by, "card") != 0 && strcmp(r->confirmed_by, "app") != 0
            : r->confirmed_by[0] != '\0')
        return false;
    if (!r->address_id[0] && strcmp(r->shipping_option, "pickup") != 0)
        return false; /* the service answers 400 missing_field */
    if (r->item_count < 1 || r->item_count > CENTRAL_ORDER_ITEMS_MAX)
        return false;
    for (int i = 0; i < r->item_count; i++) {
        const CentralOrderLine *l = &r->items[i];
        if (!field_ok(l->variant, sizeof l->variant, false) || l->qty < 1 || l->qty > QTY_MAX)
            return false;
        int total = l->qty;
        for (int j = 0; j < i; j++) {
            if (strcmp(r->items[j].variant, l->variant) == 0)
                total += r->items[j].qty;
        }
        if (total > QTY_MAX)
            return false;
    }
    return true;
}

static int set_opt(json_t *o, const char *key, const char *v)
{
    return v && v[0] ? json_object_set_new(o, key, json_string(v)) : 0;
}

KioskErr order_encode(const CentralOrderRequest *req, const char *device, char **json)
{
    json_t *o = NULL, *items = NULL;
    KioskErr err = KIOSK_E_INVALID;
    int rc = 0;

    if (!json)
        return KIOSK_E_INVALID;
    *json = NULL;
    if (!req || !request_ok(req) || (device && device[0] && !central_is_id(device)))
        goto out;
    err = KIOSK_E_NOMEM;
    o = json_object();
    items = json_array();
    if (!o || !items)
        goto out;
    rc |= set_opt(o, "member", req->member);
    rc |= set_opt(o, "store", req->store);
    rc |= set_opt(o, "device", device);
    rc |= set_opt(o, "associate", req->associate);
    rc |= set_opt(o, "confirmed_by", req->confirmed_by);
    rc |= set_opt(o, "shipping_option", req->shipping_option);
    rc |= set_opt(o, "address_id", req->address_id);
    rc |= set_opt(o, "offer", req->offer);
    for (int i = 0; i < req->item_count; i++)
        rc |= json_array_append_new(items, json_pack("{s:s,s:i}", "variant", req->items[i].variant,
                                                     "qty", req->items[i].qty));
    rc |= json_object_set(o, "items", items);
    if (rc != 0)
        goto out;
    /* Sorted keys: the same order always makes the same bytes. */
    *json = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    if (!*json)
        goto out;
    if (strlen(*json) > ORDER_JSON_MAX) { /* cannot happen within the limits above */
        free(*json);
        *json = NULL;
        err = KIOSK_E_TOOBIG;
        goto out;
    }
    err = KIOSK_OK;
out:
    json_decref(items);
    json_decref(o);
    return err;
}

/* Copies the string member `key` of o into dst (size bytes). Absent is fine when optional
 * (dst stays ""); anything but a string that fits is not. */
static bool get_str(json_t *o, const char *key, char *dst, size_t size, bool optional)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return optional;
    if (!json_is_string(v) || json_string_length(v) >= size)
        return false;
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v))
        return false; /* an embedded \u0000 */
    memcpy(dst, s, json_string_length(v) + 1);
    return true;
}

static bool known_key(const char *key)
{
    static const char *const KEYS[] = {"member",     "store",        "device",
                                       "associate",  "confirmed_by", "shipping_option",
                                       "address_id", "offer",        "items"};
    for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++) {
        if (strcmp(key, KEYS[i]) == 0)
            return true;
    }
    return false;
}

KioskErr order_decode(const char *json, CentralOrderRequest *out)
{
    json_t *root = NULL;
    json_error_t jerr;
    char device[CENTRAL_ID_MAX + 1] = "";
    KioskErr err = KIOSK_E_INVALID;

    if (!out)
        return KIOSK_E_INVALID;
    memset(out, 0, sizeof *out);
    if (!json)
        goto out;
    size_t len = strnlen(json, ORDER_JSON_MAX + 1);
    if (len > ORDER_JSON_MAX)
        goto out;
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(root))
        goto out;
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value)
    {
        if (!known_key(key))
            goto out;
    }
    if (!get_str(root, "member", out->member, sizeof out->member, false) ||
        !get_str(root, "store", out->store, sizeof out->store, false) ||
        !get_str(root, "device", device, sizeof device, true) ||
        !get_str(root, "associate", out->associate, sizeof out->associate, true) ||
        !get_str(root, "confirmed_by", out->confirmed_by, sizeof out->confirmed_by, true) ||
        !get_str(root, "shipping_option", out->shipping_option, sizeof out->shipping_option,
                 false) ||
        !get_str(root, "address_id", out->address_id, sizeof out->address_id, true) ||
        !get_str(root, "offer", out->offer, sizeof out->offer, true))
        goto out;
    if (device[0] && !central_is_id(device))
        goto out;
    json_t *items = json_object_get(root, "items");
    if (!json_is_array(items) || json_array_size(items) < 1 ||
        json_array_size(items) > CENTRAL_ORDER_ITEMS_MAX)
        goto out;
    size_t i;
    json_array_foreach(items, i, value)
    {
        CentralOrderLine *l = &out->items[i];
        json_t *qty = json_object_get(value, "qty");
        if (!json_is_object(value) || json_object_size(value) != 2 ||
            !get_str(value, "variant", l->variant, sizeof l->variant, false) ||
            !json_is_integer(qty) || json_integer_value(qty) < 1 ||
            json_integer_value(qty) > QTY_MAX)
            goto out;
        l->qty = (int)json_integer_value(qty);
    }
    out->item_count = (int)json_array_size(items);
    if (!request_ok(out))
        goto out;
    err = KIOSK_OK;
out:
    json_decref(root);
    if (err != KIOSK_OK)
        memset(out, 0, sizeof *out);
    return err;
}
