/* watchdog.h: readiness and liveness for systemd (Type=notify, WatchdogSec=). The UI thread
 * says it is alive once per turn of its loop (watchdog_alive); the watchdog's own thread
 * pings systemd (WATCHDOG=1) every half interval only while such signs keep coming, so a
 * stuck UI loop stops the pings and systemd restarts the kiosk. The thread also wakes the UI
 * loop every quarter interval (a callback), so that an idle screen still proves it is alive.
 * Outside systemd (no NOTIFY_SOCKET, or no WatchdogSec) nothing is sent and no thread runs.
 * The decision itself (WatchdogRule) is pure, for tests with a clock of their own. */
#ifndef KIOSK_WATCHDOG_H
#define KIOSK_WATCHDOG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "kerr.h"

/* When to ping: the UI loop must have said it was alive since the last ping, and half the
 * interval must have passed since it. */
typedef struct WatchdogRule {
    uint64_t interval_ms; /* systemd's WatchdogSec */
    uint64_t last_alive_ms;
    uint64_t last_ping_ms;
    bool alive_since_ping;
} WatchdogRule;

void watchdog_rule_init(WatchdogRule *r, uint64_t interval_ms, uint64_t now_ms);
void watchdog_rule_alive(WatchdogRule *r, uint64_t now_ms);
/* True if a ping is due now (and counts it as sent). */
bool watchdog_rule_tick(WatchdogRule *r, uint64_t now_ms);

/* Sends one notification ("READY=1", "WATCHDOG=1", "STATUS=..."); returns < 0 on failure.
 * The default is sd_notify(); tests give their own. */
typedef int (*WatchdogNotifyFn)(const char *state, void *ctx);
/* Wakes the UI loop (posts an event); called on the watchdog's thread. */
typedef void (*WatchdogWakeFn)(void *ctx);

typedef struct WatchdogConfig {
    uint64_t interval_ms;    /* 0: from the environment (sd_watchdog_enabled) */
    WatchdogNotifyFn notify; /* NULL: sd_notify */
    void *notify_ctx;
    WatchdogWakeFn wake; /* may be NULL */
    void *wake_ctx;
} WatchdogConfig;

typedef struct Watchdog Watchdog;

/* Starts the pinging thread when there is an interval (config or environment). NULL with
 * *err KIOSK_OK when systemd asked for no watchdog (nothing to do), or KIOSK_E_NOMEM /
 * KIOSK_E_IO. */
Watchdog *watchdog_start(const WatchdogConfig *cfg, KioskErr *err);
/* UI thread, once per turn of its loop. NULL is a no-op. */
void watchdog_alive(Watchdog *w);
/* Stops the thread. NULL is a no-op. */
void watchdog_stop(Watchdog *w);
/* Pings sent so far (for tests and diagnostics). */
unsigned long watchdog_pings(const Watchdog *w);

/* One-off notifications to systemd ("READY=1", "STOPPING=1", "STATUS=..."): harmless
 * outside systemd. */
void watchdog_notify(const char *state);

#endif
