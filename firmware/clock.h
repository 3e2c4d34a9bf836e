/* clock.h: the time source, injected so that tests can drive timers by hand. */
#ifndef KIOSK_CLOCK_H
#define KIOSK_CLOCK_H

#include <stdint.h>

typedef struct Clock {
    uint64_t (*now_ms)(void *ctx); /* monotonic milliseconds */
    void *ctx;
} Clock;

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t clock_monotonic_ms(void *ctx);

/* The system's monotonic clock. */
Clock clock_system(void);

#endif
