/* ctlclient.h: a client for the kiosk's control socket, for kioskctl, the benchmarks and
 * the tests. Blocking, single-threaded; one CtlClient per connection. */
#ifndef KIOSK_CTLCLIENT_H
#define KIOSK_CTLCLIENT_H

#include <jansson.h>

typedef struct CtlClient CtlClient;

/* Connects to the socket at path, retrying for up to wait_ms while it does not exist yet
 * (a kiosk that is still starting). NULL if it never answered. */
CtlClient *ctlclient_connect(const char *path, int wait_ms);
void ctlclient_close(CtlClient *c);

/* Sends req (borrowed) and returns the reply object (the caller's), or NULL if the kiosk
 * did not answer within timeout_ms or answered with something that is not JSON. */
json_t *ctlclient_call(CtlClient *c, json_t *req, int timeout_ms);

/* Convenience: builds {"cmd":cmd} plus the fields of extra (stolen, may be NULL). */
json_t *ctlclient_cmd(CtlClient *c, const char *cmd, json_t *extra, int timeout_ms);

#endif
