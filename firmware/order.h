/* order.h: an order (ship-to-home, or pickup) as the outbox keeps it: the body of
 * POST /v1/orders as JSON (docs/api.md), made on the UI thread when the shopper places it and
 * read back by the sender. Pure functions; no I/O except order_new_key's random bytes. */
#ifndef KIOSK_ORDER_H
#define KIOSK_ORDER_H

#include "central.h"
#include "kerr.h"

#define ORDER_KEY_LEN  36         /* a UUID's text form */
#define ORDER_JSON_MAX (8 * 1024) /* an encoded order (50 full lines take about 4.6 KiB) */

/* A fresh Idempotency-Key (a random UUID v4, ORDER_KEY_LEN lower-case characters) into key.
 * KIOSK_E_IO (key "") if the system has no randomness to give. */
KioskErr order_new_key(char key[CENTRAL_IDEM_KEY_MAX + 1]);

/* The JSON body of req (its idempotency key is not part of it), malloc'd into *json (the
 * caller's; NULL on failure). Keys sorted, so the same order gives the same bytes. device may
 * be NULL or "". KIOSK_E_INVALID for a request the API would refuse by its shape (no member,
 * store, shipping option or items; ids not identifiers or not NUL-terminated in their
 * fields; more than CENTRAL_ORDER_ITEMS_MAX lines; a quantity outside 1..10, also once a
 * repeated variant's lines are added up; no address unless the option is "pickup"). */
KioskErr order_encode(const CentralOrderRequest *req, const char *device, char **json);

/* Reads a body made by order_encode back into out (idempotency key left empty; the device
 * id, if any, is checked and dropped: the client sends its own). KIOSK_E_INVALID (out
 * zeroed) for anything else: not JSON, over ORDER_JSON_MAX, duplicate or unknown keys, wrong
 * types, or what order_encode would refuse. */
KioskErr order_decode(const char *json, CentralOrderRequest *out);

#endif
