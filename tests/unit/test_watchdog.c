/* test_watchdog.c: the systemd watchdog pings only while the UI loop turns. The rule with a
 * clock of the test's own; the thread with a notifier of the test's own and a loop that
 * answers its nudges until it "sticks"; and the real sd_notify path, read from a datagram
 * socket standing in for systemd's (NOTIFY_SOCKET). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "watchdog.h"

static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void rule_pings_only_after_signs_of_life(void **state)
{
    (void)state;
    WatchdogRule r;
    watchdog_rule_init(&r, 1000, 0);
    assert_false(watchdog_rule_tick(&r, 400));  /* not half the interval yet */
    assert_true(watchdog_rule_tick(&r, 500));   /* alive since start: ping */
    assert_false(watchdog_rule_tick(&r, 1000)); /* no sign of life since that ping */
    watchdog_rule_alive(&r, 1100);
    assert_true(watchdog_rule_tick(&r, 1100)); /* alive again, half an interval on */
    watchdog_rule_alive(&r, 1200);
    assert_false(watchdog_rule_tick(&r, 1300)); /* alive, but too soon after the last ping */
    assert_true(watchdog_rule_tick(&r, 1600));
    /* The loop is stuck from here: no ping, ever, however long we wait. */
    for (uint64_t t = 1700; t < 20000; t += 250)
        assert_false(watchdog_rule_tick(&r, t));
    /* It comes back: pings resume at once. */
    watchdog_rule_alive(&r, 20000);
    assert_true(watchdog_rule_tick(&r, 20100));
}

typedef struct Loop {
    _Atomic(Watchdog *) w;
    atomic_bool stuck;
    atomic_ulong nudges;
} Loop;

static int count_notify(const char *s, void *ctx)
{
    (void)ctx;
    assert_string_equal(s, "WATCHDOG=1");
    return 0;
}

/* Stands in for the UI loop: it answers each nudge by saying it is alive, until stuck. */
static void nudge(void *ctx)
{
    Loop *l = ctx;
    atomic_fetch_add(&l->nudges, 1);
    Watchdog *w = atomic_load(&l->w);
    if (!atomic_load(&l->stuck) && w)
        watchdog_alive(w);
}

static void thread_stops_pinging_when_the_loop_is_stuck(void **state)
{
    (void)state;
    Loop l = {0};
    KioskErr err;
    WatchdogConfig cfg = {
        .interval_ms = 200, .notify = count_notify, .wake = nudge, .wake_ctx = &l};
    Watchdog *w = watchdog_start(&cfg, &err);
    assert_non_null(w);
    atomic_store(&l.w, w);
    pause_ms(700); /* about 3 half-intervals: healthy, it pings */
    unsigned long healthy = watchdog_pings(w);
    assert_true(healthy >= 2);
    assert_true(atomic_load(&l.nudges) >= 4); /* it keeps waking an idle loop */
    atomic_store(&l.stuck, true);
    pause_ms(250); /* one ping may already have been earned before the loop stuck */
    unsigned long at_stuck = watchdog_pings(w);
    pause_ms(800); /* four more half-intervals without a sign of life */
    assert_int_equal(watchdog_pings(w), at_stuck);
    assert_true(at_stuck <= healthy + 2);
    atomic_store(&l.stuck, false);
    pause_ms(500);
    assert_true(watchdog_pings(w) > at_stuck); /* alive again */
    atomic_store(&l.w, NULL);
    watchdog_stop(w);
}

static void no_systemd_no_thread(void **state)
{
    (void)state;
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    unsetenv("NOTIFY_SOCKET");
    KioskErr err = KIOSK_E_IO;
    WatchdogConfig cfg = {0};
    assert_null(watchdog_start(&cfg, &err));
    assert_int_equal(err, KIOSK_OK);
    watchdog_alive(NULL); /* both harmless */
    watchdog_stop(NULL);
    watchdog_notify("READY=1"); /* nobody listening: ignored */
}

/* The real libsystemd path: WATCHDOG_USEC and NOTIFY_SOCKET as systemd sets them. */
static void pings_reach_systemds_socket(void **state)
{
    (void)state;
    char path[108];
    snprintf(path, sizeof path, "/tmp/kiosk-notify-%d.sock", (int)getpid());
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setenv("NOTIFY_SOCKET", path, 1);
    setenv("WATCHDOG_USEC", "300000", 1);
    char pid[32];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    setenv("WATCHDOG_PID", pid, 1);
    watchdog_notify("READY=1");
    char buf[256];
    ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, "READY=1");
    Loop l = {0};
    KioskErr err;
    WatchdogConfig cfg = {.wake = nudge, .wake_ctx = &l}; /* interval and notifier: systemd's */
    Watchdog *w = watchdog_start(&cfg, &err);
    assert_non_null(w);
    atomic_store(&l.w, w);
    n = recv(fd, buf, sizeof buf - 1, 0);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, "WATCHDOG=1");
    atomic_store(&l.w, NULL);
    watchdog_stop(w);
    close(fd);
    unlink(path);
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rule_pings_only_after_signs_of_life),
        cmocka_unit_test(thread_stops_pinging_when_the_loop_is_stuck),
        cmocka_unit_test(no_systemd_no_thread),
        cmocka_unit_test(pings_reach_systemds_socket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
