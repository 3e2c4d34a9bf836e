/* outbox.h: placed orders, written durably and encrypted before the shopper is thanked,
 * then drained by a sender (docs/storage.md). Built on a Store: the Outbox borrows it and
 * must be closed before it. Used by the thread that owns the Store; a sender thread opens
 * its own Store and Outbox on the same files. Payloads are AES-256-GCM encrypted at rest
 * under a device key kept in a 0600 file; they are never logged. */
#ifndef KIOSK_OUTBOX_H
#define KIOSK_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "kerr.h"
#include "store.h"

#define OUTBOX_PAYLOAD_MAX       (64 * 1024) /* bytes of an order's JSON */
#define OUTBOX_IDEM_KEY_MAX      128         /* bytes of an Idempotency-Key */
#define OUTBOX_ORDER_ID_MAX      128         /* bytes of the central service's order id */
#define OUTBOX_REASON_MAX        255         /* bytes of a retry or dead-letter reason (cut) */
#define OUTBOX_PATH_MAX          512         /* bytes of the key file's path */
#define OUTBOX_KEY_LEN           32          /* AES-256 */
#define OUTBOX_NONCE_LEN         12          /* GCM nonce, fresh per record */
#define OUTBOX_TAG_LEN           16          /* GCM tag, stored after the ciphertext */
#define OUTBOX_BACKOFF_BASE_S    5
#define OUTBOX_BACKOFF_CAP_S     600
#define OUTBOX_KEY_FILE          "device.key" /* in the data directory */
#define OUTBOX_REASON_UNREADABLE "unreadable"

typedef struct Outbox Outbox;

typedef enum OutboxState {
    OUTBOX_PENDING = 0, /* waiting to be sent (again) */
    OUTBOX_SENT,        /* the central service accepted it */
    OUTBOX_DEAD,        /* refused or unreadable: kept with a reason, never sent again */
} OutboxState;

/* One record. payload is the caller's (release with outbox_item_clear); NULL when the
 * record could not be decrypted (outbox_get only). */
typedef struct OutboxItem {
    int64_t id;
    char idempotency_key[OUTBOX_IDEM_KEY_MAX + 1];
    char *payload; /* NUL-terminated JSON */
    size_t payload_len;
    OutboxState state;
    int attempts;                            /* failed sends so far */
    int64_t created_at;                      /* seconds, the clock passed to outbox_put */
    int64_t next_attempt_at;                 /* seconds; due when <= now */
    char order_id[OUTBOX_ORDER_ID_MAX + 1];  /* sent: the service's id */
    char last_error[OUTBOX_REASON_MAX + 1];  /* the last retry's reason */
    char dead_reason[OUTBOX_REASON_MAX + 1]; /* dead: why */
} OutboxItem;

/* Opens the outbox on s (borrowed; it must outlive the Outbox). Reads the device key from
 * key_path, or creates it there (32 random bytes, mode 0600, fsync'd) when it does not
 * exist. NULL on failure with *err: KIOSK_E_STATE if the key file is not a key (wrong size,
 * not a regular file) - never replaced, since the records under it would be lost;
 * KIOSK_E_IO when it cannot be read or written; KIOSK_E_TOOBIG for an over-long path. */
Outbox *outbox_open(Store *s, const char *key_path, KioskErr *err);
/* Wipes the key from memory. NULL is a no-op. */
void outbox_close(Outbox *ob);

/* Encrypts payload_json (valid JSON, at most OUTBOX_PAYLOAD_MAX bytes) and stores it as a
 * pending record due at now_s, in one transaction that has reached the disk when this
 * returns KIOSK_OK. An idempotency key already stored returns that record's id and stores
 * nothing (the payload is not compared). KIOSK_E_INVALID for a bad key or JSON,
 * KIOSK_E_TOOBIG over the limits, KIOSK_E_FULL for a full disk or database, KIOSK_E_IO
 * when the store cannot be written: the order is then NOT stored and must be refused. */
KioskErr outbox_put(Outbox *ob, const char *idempotency_key, const char *payload_json,
                    int64_t now_s, int64_t *id_out);

/* The oldest pending record due at now_s, decrypted, into out (clear it after).
 * KIOSK_E_EMPTY when nothing is due. KIOSK_E_INVALID when the oldest due record fails to
 * decrypt (tampered, or another key): it has been dead-lettered with reason "unreadable",
 * out->id names it, and the caller simply asks again for the next one. */
KioskErr outbox_next_due(Outbox *ob, int64_t now_s, OutboxItem *out);

/* The central service accepted the order under order_id. KIOSK_E_NOTFOUND if no pending
 * record has this id. */
KioskErr outbox_mark_sent(Outbox *ob, int64_t id, const char *order_id);
/* A send failed for a reason worth retrying (network, 5xx): counts the attempt and sets
 * the next one outbox_backoff_s(attempts) seconds after now_s. KIOSK_E_NOTFOUND if no
 * pending record has this id. why is stored cut to OUTBOX_REASON_MAX bytes. */
KioskErr outbox_mark_retry(Outbox *ob, int64_t id, int64_t now_s, const char *why);
/* The central service refused the order for good: keeps it with reason, never resends.
 * KIOSK_E_NOTFOUND if no pending record has this id. */
KioskErr outbox_mark_dead(Outbox *ob, int64_t id, const char *reason);

/* Pending records (not sent, not dead), or -1 if the store cannot be read. */
int64_t outbox_depth(Outbox *ob);

/* Any record by id, decrypted when it can be (payload NULL when not). KIOSK_E_NOTFOUND. */
KioskErr outbox_get(Outbox *ob, int64_t id, OutboxItem *out);

/* Frees and wipes the payload; the item may be reused. */
void outbox_item_clear(OutboxItem *item);

/* The delay before retry number `attempts` (1 = the first retry): d = min(cap, base *
 * 2^(attempts-1)), then "equal jitter": d/2 + rnd % (d - d/2 + 1), so the delay grows,
 * never exceeds the cap, and kiosks that failed together do not retry together. Pure. */
int64_t outbox_backoff_s(int attempts, uint32_t rnd);

#endif
