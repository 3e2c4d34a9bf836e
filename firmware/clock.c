/* clock.c: the system clock behind clock.h. */
#include "clock.h"

#include <time.h>

uint64_t clock_monotonic_ms(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

Clock clock_system(void)
{
    return (Clock){clock_monotonic_ms, NULL};
}
