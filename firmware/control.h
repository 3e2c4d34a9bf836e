/* control.h: the kiosk's local control socket (a UNIX socket speaking JSON lines).
 * One request line in, one reply line out, in order, per connection; several connections
 * at once. The server's thread reads and parses requests, then posts each one as an
 * EV_CONTROL event carrying a ControlCall; the UI thread, which owns the screen, answers
 * with control_reply (now, or later for "wait"). Ownership of a ControlCall goes with the
 * event to whoever takes it and back to the server with control_reply, exactly once.
 * The socket is created owner-only (0600). */
#ifndef KIOSK_CONTROL_H
#define KIOSK_CONTROL_H

#include <jansson.h>

#include "evq.h"
#include "kerr.h"

#define CONTROL_LINE_MAX    (64 * 1024) /* longest request line accepted */
#define CONTROL_MAX_CLIENTS 8

typedef struct ControlServer ControlServer;
typedef struct ControlCall ControlCall;

/* Creates the socket at path (replacing a stale one) and starts the server thread.
 * NULL with *err set if the socket cannot be made. Requests go to q. */
ControlServer *control_create(const char *path, EventQueue *q, KioskErr *err);
/* Stops the thread and removes the socket. Every call handed out must have been replied
 * to first. destroy(NULL) is a no-op. */
void control_destroy(ControlServer *s);

/* The parsed request (a JSON object with a string "cmd"), borrowed for the call's life. */
json_t *control_call_request(const ControlCall *call);
const char *control_call_cmd(const ControlCall *call);

/* Runs on the server's thread just before the reply is written: slow work that must not
 * happen on the UI thread (encoding a PNG). May add to reply; must free data. */
typedef void (*ControlFinishFn)(json_t *reply, void *data);

/* Answers the call and gives it back to the server. Steals reply (an object: "ok" is set
 * to true unless it already has "ok"). finish may be NULL. */
void control_reply(ControlCall *call, json_t *reply, ControlFinishFn finish, void *data);
/* Answers {"ok":false,"error":{"code":code,"message":message}}. */
void control_reply_error(ControlCall *call, const char *code, const char *message);

#endif
