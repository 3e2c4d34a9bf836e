/* kiosk_proc.h: runs a real kiosk binary for a test: headless, in its own temporary
 * directory, with its control socket there, and stops it at the end (checking that it
 * exits cleanly). Used by the UI and journey tests. */
#ifndef KIOSK_TEST_KIOSK_PROC_H
#define KIOSK_TEST_KIOSK_PROC_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "ctlclient.h"

typedef struct KioskProc {
    pid_t pid;
    char dir[128]; /* temporary directory, removed by kiosk_proc_stop */
    char socket[192];
    char log[192]; /* the kiosk's stderr */
    CtlClient *ctl;
} KioskProc;

/* Starts $KIOSK_BIN --headless --control DIR/control.sock plus extra args (NULL-ended),
 * with config_text (may be NULL) written to DIR/kiosk.conf and passed with --config.
 * Returns false if it did not answer on its socket within a few seconds. */
bool kiosk_proc_start(KioskProc *k, const char *config_text, const char *const *extra);

/* Sends {"cmd":cmd, ...extra} (extra stolen, may be NULL); the reply is the caller's. */
json_t *kiosk_proc_cmd(KioskProc *k, const char *cmd, json_t *extra);

/* Polls the kiosk's "state" until field equals want (stolen; compared with json_equal), for
 * up to timeout_ms. Returns true once it does; false, with the last state in last (if not
 * NULL, the caller's), when it never did. */
bool kiosk_await_state(KioskProc *k, const char *field, json_t *want, int timeout_ms,
                       json_t **last);

/* SIGTERM, then waits. Returns the exit status (-1 if it had to be killed). */
int kiosk_proc_stop(KioskProc *k);

/* Runs $KIOSK_BIN with args and no socket; returns the exit status and up to size bytes
 * of what it printed (stdout and stderr together) in out. */
int kiosk_run_once(const char *const *args, char *out, size_t size);

/* Checks a "ui" reply as a shopper would: every widget inside the screen, no text clipped,
 * every button at least 56 px tall at 1080p. False with the first problem in why. */
bool kiosk_layout_ok(json_t *ui, char *why, size_t size);

/* The widget with that id in a "ui" reply, or NULL (borrowed). */
json_t *kiosk_widget(json_t *ui, const char *id);

/* A path inside the kiosk's directory. */
const char *kiosk_proc_path(const KioskProc *k, const char *name, char *buf, size_t size);

#endif
