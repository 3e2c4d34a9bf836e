/* evq.c: a ring buffer under one mutex, with a condition variable for evq_wait and a
 * wake callback for consumers that sleep elsewhere (SDL_WaitEvent). */
#include "evq.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct EventQueue {
    pthread_mutex_t lock;
    pthread_cond_t nonempty;
    Event *ring;
    size_t capacity, head, count, dropped;
    EvqWakeFn wake;
    void *wake_ctx;
};

EventQueue *evq_create(size_t capacity, EvqWakeFn wake, void *wake_ctx)
{
    if (capacity == 0)
        return NULL;
    EventQueue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->ring = calloc(capacity, sizeof *q->ring);
    if (!q->ring) {
        free(q);
        return NULL;
    }
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&q->nonempty, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&q->lock, NULL);
    q->capacity = capacity;
    q->wake = wake;
    q->wake_ctx = wake_ctx;
    return q;
}

void evq_destroy(EventQueue *q)
{
    if (!q)
        return;
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->nonempty);
    free(q->ring);
    free(q);
}

KioskErr evq_post(EventQueue *q, const Event *ev)
{
    pthread_mutex_lock(&q->lock);
    if (q->count == q->capacity) {
        q->dropped++;
        pthread_mutex_unlock(&q->lock);
        return KIOSK_E_FULL;
    }
    q->ring[(q->head + q->count) % q->capacity] = *ev;
    q->count++;
    pthread_cond_signal(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
    if (q->wake)
        q->wake(q->wake_ctx);
    return KIOSK_OK;
}

static void take_locked(EventQueue *q, Event *out)
{
    *out = q->ring[q->head];
    q->head = (q->head + 1) % q->capacity;
    q->count--;
}

KioskErr evq_take(EventQueue *q, Event *out)
{
    pthread_mutex_lock(&q->lock);
    KioskErr rc = KIOSK_E_EMPTY;
    if (q->count > 0) {
        take_locked(q, out);
        rc = KIOSK_OK;
    }
    pthread_mutex_unlock(&q->lock);
    return rc;
}

/* Waits under the lock until the queue is non-empty or the deadline passes. */
static KioskErr wait_locked(EventQueue *q, int timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    if (timeout_ms >= 0) {
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
    }
    while (q->count == 0) {
        int w = timeout_ms < 0 ? pthread_cond_wait(&q->nonempty, &q->lock)
                               : pthread_cond_timedwait(&q->nonempty, &q->lock, &deadline);
        if (w == ETIMEDOUT)
            return q->count ? KIOSK_OK : KIOSK_E_TIMEOUT;
    }
    return KIOSK_OK;
}

KioskErr evq_wait(EventQueue *q, Event *out, int timeout_ms)
{
    pthread_mutex_lock(&q->lock);
    KioskErr rc = wait_locked(q, timeout_ms);
    if (rc == KIOSK_OK)
        take_locked(q, out);
    pthread_mutex_unlock(&q->lock);
    return rc;
}

KioskErr evq_wait_ready(EventQueue *q, int timeout_ms)
{
    pthread_mutex_lock(&q->lock);
    KioskErr rc = wait_locked(q, timeout_ms);
    pthread_mutex_unlock(&q->lock);
    return rc;
}

size_t evq_depth(EventQueue *q)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->count;
    pthread_mutex_unlock(&q->lock);
    return n;
}

size_t evq_dropped(EventQueue *q)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->dropped;
    pthread_mutex_unlock(&q->lock);
    return n;
}
