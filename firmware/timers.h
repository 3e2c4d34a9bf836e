/* timers.h: the app's deadline timers, one slot per TimerId, on an injected clock.
 * Pure bookkeeping with no threads: the owner (core.c) asks when the next one is due,
 * sleeps that long, then pops the expired ones and turns them into EV_TIMER events. */
#ifndef KIOSK_TIMERS_H
#define KIOSK_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

typedef struct Timers {
    uint64_t due_ms[TIMER_COUNT];
    bool armed[TIMER_COUNT];
} Timers;

void timers_init(Timers *t);
/* (Re)arms id to fire at due_ms; an armed timer is moved, not duplicated. */
void timers_arm(Timers *t, TimerId id, uint64_t due_ms);
void timers_cancel(Timers *t, TimerId id);
bool timers_armed(const Timers *t, TimerId id);
/* Milliseconds until the earliest armed timer (0 if one is already due), -1 if none. */
int64_t timers_next_in(const Timers *t, uint64_t now_ms);
/* Disarms and returns the earliest timer due at now_ms; false if none is due. */
bool timers_pop_due(Timers *t, uint64_t now_ms, TimerId *out);

#endif
