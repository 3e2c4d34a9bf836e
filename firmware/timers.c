/* timers.c: see timers.h. TIMER_COUNT is small, so a linear scan beats any heap. */
#include "timers.h"

#include <string.h>

void timers_init(Timers *t)
{
    memset(t, 0, sizeof *t);
}

void timers_arm(Timers *t, TimerId id, uint64_t due_ms)
{
    t->due_ms[id] = due_ms;
    t->armed[id] = true;
}

void timers_cancel(Timers *t, TimerId id)
{
    t->armed[id] = false;
}

bool timers_armed(const Timers *t, TimerId id)
{
    return t->armed[id];
}

static int earliest(const Timers *t)
{
    int best = -1;
    for (int i = 0; i < TIMER_COUNT; i++)
        if (t->armed[i] && (best < 0 || t->due_ms[i] < t->due_ms[best]))
            best = i;
    return best;
}

int64_t timers_next_in(const Timers *t, uint64_t now_ms)
{
    int i = earliest(t);
    if (i < 0)
        return -1;
    return t->due_ms[i] <= now_ms ? 0 : (int64_t)(t->due_ms[i] - now_ms);
}

bool timers_pop_due(Timers *t, uint64_t now_ms, TimerId *out)
{
    int i = earliest(t);
    if (i < 0 || t->due_ms[i] > now_ms)
        return false;
    t->armed[i] = false;
    *out = (TimerId)i;
    return true;
}
