/* core.h: the loop body of the app: drains the event queue and the due timers through
 * app_dispatch and carries out the effects it asks for. The UI thread owns the Core and
 * calls core_step once per wake-up; events the core does not handle (control calls, quit)
 * are handed back through a callback, on the same thread. */
#ifndef KIOSK_CORE_H
#define KIOSK_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "clock.h"
#include "config.h"
#include "evq.h"
#include "timers.h"

typedef struct Core Core;

/* Receives EV_CONTROL and EV_QUIT events. It owns ev->u.control.call from then on. */
typedef void (*CoreForeignFn)(void *ctx, const Event *ev);

/* Borrows cfg (read at creation only) and q (must outlive the Core). NULL on no memory. */
Core *core_create(const KioskConfig *cfg, EventQueue *q, Clock clock);
void core_destroy(Core *c);

/* Handles every queued event and every due timer. Returns true if the state changed. */
bool core_step(Core *c, CoreForeignFn foreign, void *ctx);

/* Milliseconds until a timer is due (0: now), -1 if none is armed. */
int64_t core_next_timeout(const Core *c);

const AppState *core_state(const Core *c);
/* The central service's client (for the image loader), or NULL. Borrowed: it lives until
 * core_destroy. */
struct CentralClient *core_central(const Core *c);
/* Whole days left on this device's own certificate (below zero once it has ended): false for
 * a device that is not enrolled. Any thread. */
bool core_device_certificate_days(Core *c, int64_t *days);
/* The device was just enrolled: the shell ends its loop and the kiosk starts again (systemd
 * restarts it) with its identity. */
bool core_restart_wanted(const Core *c);
/* A technician confirmed a factory reset in service mode: the shell stops, and main erases
 * the data directory once everything is closed. */
bool core_reset_wanted(const Core *c);
/* The operator asked for a screenshot (a heartbeat command): true once, then false. */
bool core_take_screenshot_request(Core *c);
/* Sends the screenshot saved at path to the central service for the operator (enrolled
 * devices). Any thread, while the Core lives; the reply is only logged. */
void core_send_screenshot(Core *c, const char *path);
EventQueue *core_queue(const Core *c);
uint64_t core_now(const Core *c);

/* Posts an intent, as a button would. */
KioskErr core_post_intent(Core *c, Intent intent, int32_t arg);

#endif
