/* diag.h: what a technician asks a running kiosk (kioskctl diag, the service screen): the
 * storage and the network to the central service, as JSON objects for the control socket.
 * diag_storage reads the file system (statvfs, file sizes); diag_network makes one real
 * request to the central service and waits for it: neither runs on the UI thread (the
 * control server's thread calls them, through a reply's finish callback). Nothing personal
 * is in either. */
#ifndef KIOSK_DIAG_H
#define KIOSK_DIAG_H

#include <jansson.h>

#include "central.h"

/* {"data_dir", "free_bytes", "total_bytes", "free_percent", "store_bytes", "image_cache_bytes",
 *  "writable"}: the data directory's file system, the local store's size and the image cache's.
 * A new reference. */
json_t *diag_storage(const char *data_dir);

/* {"url", "reachable", "result", "http_status", "latency_ms", "certificate_expires",
 *  "certificate_days_left"}: a timed GET /v1/stores with the client c (NULL: "no central
 * service configured"). Blocks up to the client's timeouts; never on the client's worker.
 * A new reference. */
json_t *diag_network(CentralClient *c, const char *url);

/* The update state for the service screen: "booted slot A" and the slot's state as RAUC
 * says it, or "not managed by RAUC" where there is no RAUC system (development). Runs
 * `rauc status`: not on the UI thread. */
void diag_update(char *out, size_t size);

#endif
