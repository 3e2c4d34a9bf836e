/* evq.h: the bounded, thread-safe event queue every input goes through.
 * Any thread posts; one consumer (the UI thread) takes. A post wakes the consumer through
 * the callback given at creation (the UI passes one that pushes an SDL event), so the
 * firmware never needs to know how the consumer sleeps. The queue copies events. */
#ifndef KIOSK_EVQ_H
#define KIOSK_EVQ_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"
#include "kerr.h"

#define EVQ_DEFAULT_CAPACITY 256

typedef struct EventQueue EventQueue;

/* Called (from the posting thread, without the queue's lock held) after every post. */
typedef void (*EvqWakeFn)(void *ctx);

/* capacity: at most this many events waiting. wake may be NULL. NULL on no memory. */
EventQueue *evq_create(size_t capacity, EvqWakeFn wake, void *wake_ctx);
void evq_destroy(EventQueue *q);

/* Copies ev in. KIOSK_E_FULL when the queue holds `capacity` events: the event is dropped
 * and the caller decides (a worker retries or reports; nothing blocks the poster). */
KioskErr evq_post(EventQueue *q, const Event *ev);

/* Takes the oldest event into out. KIOSK_E_EMPTY if there is none. */
KioskErr evq_take(EventQueue *q, Event *out);

/* Like evq_take, but sleeps up to timeout_ms (< 0: forever) for an event to arrive.
 * KIOSK_E_TIMEOUT if none came. */
KioskErr evq_wait(EventQueue *q, Event *out, int timeout_ms);

/* Sleeps up to timeout_ms (< 0: forever) until at least one event is waiting, without
 * taking it. KIOSK_E_TIMEOUT if none came. */
KioskErr evq_wait_ready(EventQueue *q, int timeout_ms);

size_t evq_depth(EventQueue *q);
/* Events refused because the queue was full, since creation. */
size_t evq_dropped(EventQueue *q);

#endif
