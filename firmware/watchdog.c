/* watchdog.c: see watchdog.h. */
#include "watchdog.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "clock.h"
#include "log.h"

#define MOD "watchdog"

void watchdog_rule_init(WatchdogRule *r, uint64_t interval_ms, uint64_t now_ms)
{
    *r = (WatchdogRule){.interval_ms = interval_ms,
                        .last_alive_ms = now_ms,
                        .last_ping_ms = now_ms,
                        .alive_since_ping = true};
}

void watchdog_rule_alive(WatchdogRule *r, uint64_t now_ms)
{
    r->last_alive_ms = now_ms;
    r->alive_since_ping = true;
}

bool watchdog_rule_tick(WatchdogRule *r, uint64_t now_ms)
{
    if (!r->alive_since_ping || now_ms - r->last_ping_ms < r->interval_ms / 2)
        return false;
    r->last_ping_ms = now_ms;
    r->alive_since_ping = false;
    return true;
}

struct Watchdog {
    WatchdogConfig cfg;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t stop_cond;
    bool stopping;
    WatchdogRule rule; /* under lock */
    atomic_ulong pings;
};

static int sd_notify_state(const char *state, void *ctx)
{
    (void)ctx;
    return sd_notify(0, state);
}

void watchdog_notify(const char *state)
{
    if (sd_notify(0, state) < 0)
        log_debug(MOD, "could not tell systemd %s", state);
}

static void *run(void *arg)
{
    Watchdog *w = arg;
    uint64_t step = w->cfg.interval_ms / 4 ? w->cfg.interval_ms / 4 : 1;
    pthread_mutex_lock(&w->lock);
    while (!w->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += (time_t)(step / 1000);
        until.tv_nsec += (long)(step % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!w->stopping &&
               pthread_cond_timedwait(&w->stop_cond, &w->lock, &until) != ETIMEDOUT) {
        }
        if (w->stopping)
            break;
        bool ping = watchdog_rule_tick(&w->rule, clock_monotonic_ms(NULL));
        pthread_mutex_unlock(&w->lock);
        if (ping) {
            if (w->cfg.notify("WATCHDOG=1", w->cfg.notify_ctx) >= 0)
                atomic_fetch_add(&w->pings, 1);
        } else {
            log_debug(MOD, "UI loop silent: no ping");
        }
        if (w->cfg.wake)
            w->cfg.wake(w->cfg.wake_ctx); /* the UI loop answers by saying it is alive */
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

Watchdog *watchdog_start(const WatchdogConfig *cfg, KioskErr *err)
{
    uint64_t usec = 0;
    uint64_t interval = cfg->interval_ms;
    *err = KIOSK_OK;
    if (interval == 0) {
        if (sd_watchdog_enabled(0, &usec) <= 0 || usec < 4000)
            return NULL; /* systemd asked for no watchdog */
        interval = usec / 1000;
    }
    Watchdog *w = calloc(1, sizeof *w);
    if (!w) {
        *err = KIOSK_E_NOMEM;
        return NULL;
    }
    w->cfg = *cfg;
    w->cfg.interval_ms = interval;
    if (!w->cfg.notify)
        w->cfg.notify = sd_notify_state;
    watchdog_rule_init(&w->rule, interval, clock_monotonic_ms(NULL));
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (pthread_mutex_init(&w->lock, NULL) != 0 || pthread_cond_init(&w->stop_cond, &ca) != 0 ||
        pthread_create(&w->thread, NULL, run, w) != 0) {
        pthread_condattr_destroy(&ca);
        free(w);
        *err = KIOSK_E_IO;
        return NULL;
    }
    pthread_condattr_destroy(&ca);
    log_info(MOD, "systemd watchdog every %llu ms (pinged while the UI loop turns)",
             (unsigned long long)interval);
    return w;
}

void watchdog_alive(Watchdog *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    watchdog_rule_alive(&w->rule, clock_monotonic_ms(NULL));
    pthread_mutex_unlock(&w->lock);
}

unsigned long watchdog_pings(const Watchdog *w)
{
    return w ? atomic_load(&((Watchdog *)w)->pings) : 0;
}

void watchdog_stop(Watchdog *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->stop_cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->stop_cond);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
