/* test_evq.c: the event queue: order, bounds, waking, and many producers at once. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "evq.h"

static Event intent(int arg)
{
    return (Event){.type = EV_INTENT, .u.intent = {INTENT_SET_LANGUAGE, arg}};
}

static void fifo_order(void **state)
{
    EventQueue *q = evq_create(8, NULL, NULL);
    for (int i = 0; i < 5; i++)
        assert_int_equal(evq_post(q, &(Event[]){intent(i)}[0]), KIOSK_OK);
    assert_int_equal(evq_depth(q), 5);
    Event ev;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(evq_take(q, &ev), KIOSK_OK);
        assert_int_equal(ev.u.intent.arg, i);
    }
    assert_int_equal(evq_take(q, &ev), KIOSK_E_EMPTY);
    evq_destroy(q);
}

static void full_queue_refuses_and_counts(void **state)
{
    EventQueue *q = evq_create(3, NULL, NULL);
    for (int i = 0; i < 3; i++)
        assert_int_equal(evq_post(q, &(Event[]){intent(i)}[0]), KIOSK_OK);
    assert_int_equal(evq_post(q, &(Event[]){intent(9)}[0]), KIOSK_E_FULL);
    assert_int_equal(evq_dropped(q), 1);
    Event ev;
    assert_int_equal(evq_take(q, &ev), KIOSK_OK);
    assert_int_equal(ev.u.intent.arg, 0); /* the oldest survived, the newest was refused */
    assert_int_equal(evq_post(q, &(Event[]){intent(3)}[0]), KIOSK_OK); /* room again, wraps */
    int expect[] = {1, 2, 3};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(evq_take(q, &ev), KIOSK_OK);
        assert_int_equal(ev.u.intent.arg, expect[i]);
    }
    evq_destroy(q);
}

static void wait_times_out_when_empty(void **state)
{
    EventQueue *q = evq_create(4, NULL, NULL);
    Event ev;
    assert_int_equal(evq_wait(q, &ev, 20), KIOSK_E_TIMEOUT);
    assert_int_equal(evq_wait_ready(q, 0), KIOSK_E_TIMEOUT);
    evq_post(q, &(Event[]){intent(7)}[0]);
    assert_int_equal(evq_wait_ready(q, 0), KIOSK_OK);
    assert_int_equal(evq_depth(q), 1); /* ready does not take */
    assert_int_equal(evq_wait(q, &ev, 20), KIOSK_OK);
    assert_int_equal(ev.u.intent.arg, 7);
    evq_destroy(q);
}

static void count_wake(void *ctx)
{
    __atomic_add_fetch((int *)ctx, 1, __ATOMIC_SEQ_CST);
}

#define PRODUCERS    4
#define PER_PRODUCER 5000

typedef struct Producer {
    EventQueue *q;
    int id;
} Producer;

static void *produce(void *arg)
{
    Producer *p = arg;
    for (int i = 0; i < PER_PRODUCER; i++) {
        Event ev = intent(p->id * PER_PRODUCER + i);
        while (evq_post(p->q, &ev) == KIOSK_E_FULL)
            sched_yield();
    }
    return NULL;
}

/* Every event from every thread arrives exactly once, each thread's in its own order. */
static void many_producers_one_consumer(void **state)
{
    int wakes = 0;
    EventQueue *q = evq_create(64, count_wake, &wakes);
    pthread_t th[PRODUCERS];
    Producer p[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++) {
        p[i] = (Producer){q, i};
        pthread_create(&th[i], NULL, produce, &p[i]);
    }
    int last[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++)
        last[i] = -1;
    for (int got = 0; got < PRODUCERS * PER_PRODUCER; got++) {
        Event ev;
        assert_int_equal(evq_wait(q, &ev, 5000), KIOSK_OK);
        int who = ev.u.intent.arg / PER_PRODUCER, seq = ev.u.intent.arg % PER_PRODUCER;
        assert_int_equal(seq, last[who] + 1);
        last[who] = seq;
    }
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(__atomic_load_n(&wakes, __ATOMIC_SEQ_CST), PRODUCERS * PER_PRODUCER);
    assert_int_equal(evq_depth(q), 0);
    evq_destroy(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fifo_order),
        cmocka_unit_test(full_queue_refuses_and_counts),
        cmocka_unit_test(wait_times_out_when_empty),
        cmocka_unit_test(many_producers_one_consumer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
