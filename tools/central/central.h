/* central.h: the development central service's context, shared by its modules.
 * main.c owns the one Central: it opens the database, loads the loyalty keys and the device
 * CA, starts the HTTPS server and tears everything down in reverse. HttpRequest handlers run
 * on libmicrohttpd's per-connection threads and use the database only while holding `lock`;
 * a long-poll waits on `changed`, which releases the lock while it sleeps. */
#ifndef CENTRAL_CENTRAL_H
#define CENTRAL_CENTRAL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "pki.h"
#include "token.h"

#define CENTRAL_BASE_MAX 128 /* "https://127.0.0.1:65535" and room to spare */

typedef struct Central {
    sqlite3 *db;                     /* one connection, used only under lock */
    pthread_mutex_t lock;            /* serialises every handler's database work */
    pthread_cond_t changed;          /* broadcast when a pairing changes, and at shutdown */
    bool stopping;                   /* set under lock at shutdown: long-polls return */
    TokenKeyring *keys;              /* loyalty public keys for /v1/identify; NULL if none */
    bool require_client_cert;        /* --client-ca: device, operator calls need a verified cert */
    PkiCa *device_ca;                /* signs device certificates; NULL: no enrollment (503) */
    int device_cert_days;            /* validity of an issued device certificate */
    const char *tls_ca_pem;          /* the server's CA, handed to devices; NULL if unknown */
    char base_url[CENTRAL_BASE_MAX]; /* how clients reach us, for tracking links */
} Central;

#endif
