/* test_timers.c: deadline timers on a hand-driven clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "timers.h"

static void nothing_armed(void **state)
{
    Timers t;
    timers_init(&t);
    TimerId id;
    assert_int_equal(timers_next_in(&t, 1000), -1);
    assert_false(timers_pop_due(&t, 1000000, &id));
}

static void fires_at_its_time_and_once(void **state)
{
    Timers t;
    timers_init(&t);
    timers_arm(&t, TIMER_IDLE, 1500);
    assert_int_equal(timers_next_in(&t, 1000), 500);
    TimerId id;
    assert_false(timers_pop_due(&t, 1499, &id));
    assert_true(timers_pop_due(&t, 1500, &id));
    assert_int_equal(id, TIMER_IDLE);
    assert_false(timers_pop_due(&t, 99999, &id));
    assert_false(timers_armed(&t, TIMER_IDLE));
}

static void earliest_first_and_rearm_moves(void **state)
{
    Timers t;
    timers_init(&t);
    timers_arm(&t, TIMER_IDLE, 3000);
    timers_arm(&t, TIMER_WIPE, 2000);
    timers_arm(&t, TIMER_IDLE, 5000); /* moved, not a second copy */
    TimerId id;
    assert_true(timers_pop_due(&t, 10000, &id));
    assert_int_equal(id, TIMER_WIPE);
    assert_true(timers_pop_due(&t, 10000, &id));
    assert_int_equal(id, TIMER_IDLE);
    assert_false(timers_pop_due(&t, 10000, &id));
}

static void cancel_and_overdue(void **state)
{
    Timers t;
    timers_init(&t);
    timers_arm(&t, TIMER_WIPE, 100);
    assert_int_equal(timers_next_in(&t, 500), 0); /* overdue: due now, never negative */
    timers_cancel(&t, TIMER_WIPE);
    TimerId id;
    assert_false(timers_pop_due(&t, 500, &id));
    assert_int_equal(timers_next_in(&t, 500), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nothing_armed),
        cmocka_unit_test(fires_at_its_time_and_once),
        cmocka_unit_test(earliest_first_and_rearm_moves),
        cmocka_unit_test(cancel_and_overdue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
