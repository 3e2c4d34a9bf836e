/* sender.h: drains the outbox (outbox.h) to the central service. One pass sends every due
 * order in turn with its Idempotency-Key and waits for each answer (central_call):
 *  - accepted (201, or 200 replayed) -> marked sent and reported (RESULT_ORDER_SENT);
 *  - refused for good -> dead-lettered with the service's error code (or "http_<status>")
 *    and reported (RESULT_ORDER_REFUSED, refusal = that code). That is every 4xx except
 *    401, 403, 404, 408 and 429, which are about the device or the way to the service, not
 *    the order. 409 idempotency_key_reused is a bug (same key, another body): dead too;
 *  - anything else (offline, timeout, TLS, 5xx, a bad reply, those five 4xx, the client's
 *    queue full) -> outbox_mark_retry (exponential backoff with jitter), and the pass stops
 *    there, since the next order would fare no better;
 *  - a record that does not decrypt (the outbox dead-letters it "unreadable") or decrypts to
 *    something that is not an order (dead-lettered SENDER_REASON_INVALID) is reported as
 *    RESULT_ORDER_REFUSED with that reason, and the pass goes on.
 * Runs on the background thread (sync.h) that owns the Outbox, never on the client's worker;
 * the client may be shared. */
#ifndef KIOSK_SENDER_H
#define KIOSK_SENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "central.h"
#include "outbox.h"
#include "view.h"

#define SENDER_REASON_INVALID "invalid_order" /* decrypted, but not an order to send */

/* Receives each RESULT_ORDER_SENT / RESULT_ORDER_REFUSED and owns it. May be NULL. */
typedef void (*SenderResultFn)(Result *result, void *ctx);

typedef struct SenderStats {
    int sent, refused, retried;
    int unreadable;     /* dead-lettered here: did not decrypt, or not an order */
    bool offline;       /* the pass stopped because the service could not be reached */
    int64_t next_due_s; /* when to pass again: the next attempt of the oldest pending order
                           (the one a pass tries first) or of the one retried, whichever is
                           sooner; 0 if none is pending */
    unsigned depth;     /* pending orders left */
} SenderStats;

/* One pass at time now_s (epoch seconds); results go to on_result on this thread as they
 * happen. stats (may be NULL) is filled in. KIOSK_OK, also when orders were retried or
 * refused; else what the outbox said when it could not be read or written (the pass stops;
 * a record the service accepted but that could not be marked sent stays pending and is
 * replayed under its key next time); KIOSK_E_NOMEM; KIOSK_E_INVALID for NULL ob or c. */
KioskErr sender_pass(Outbox *ob, CentralClient *c, int64_t now_s, SenderResultFn on_result,
                     void *ctx, SenderStats *stats);

#endif
