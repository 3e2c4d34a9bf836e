/* client_harness.h: what the client tests need around firmware/central.c, all real:
 *  - the real `central` (--seed demo) over HTTPS on a free 127.0.0.1 port, with a PKI made by
 *    gen-certs.sh in a temporary folder and its device CA, and a plain libcurl helper to talk
 *    to it directly as the operator (claiming a pairing, making enrollment codes, counting
 *    orders);
 *  - devices enrolled the real way: the firmware's own identity (device_id.h: a P-256 key
 *    and CSR made on the device), an operator's one-time code, CENTRAL_ENROLL through the
 *    firmware's client, and the certificate the service signs, stored by device_id.h;
 *  - a small libmicrohttpd TLS server with crafted replies for fault tests;
 *  - a TCP listener that never answers, and a port with nothing listening;
 *  - a reply collector: the client's on_reply copies each reply in, tests wait for them. */
#ifndef TEST_CLIENT_HARNESS_H
#define TEST_CLIENT_HARNESS_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "central.h"
#include "device_id.h"

#define CH_PATH_MAX 512

typedef struct CentralProc {
    pid_t pid;
    unsigned port;
    char dir[CH_PATH_MAX]; /* temporary folder: db, PKI, demo files, log */
    char base[64];         /* https://127.0.0.1:PORT */
    char ca[CH_PATH_MAX];  /* the CA the client trusts */
    char other_ca[CH_PATH_MAX];
    /* client.pem: the operator's certificate (from ca), never a device's */
    char operator_cert[CH_PATH_MAX], operator_key[CH_PATH_MAX];
    /* other-client.pem: a client certificate from the unrelated other-ca.pem */
    char other_cert[CH_PATH_MAX], other_key[CH_PATH_MAX];
    bool mtls; /* central runs with --client-ca client-cas.pem */
} CentralProc;

/* Makes the folder and the PKI only (for servers other than central). 0 on success. */
int ch_pki(CentralProc *cp);
/* ch_pki, then starts central --seed demo with the device CA (--device-ca-cert
 * device-ca.pem --device-ca-key device-ca-key.pem --tls-ca ca.pem) and waits until it
 * answers HTTPS. 0 on success. ch_central_start_mtls also passes --client-ca
 * client-cas.pem: device calls then need the device's enrolled certificate, operator calls
 * client.pem. */
int ch_central_start(CentralProc *cp);
int ch_central_start_mtls(CentralProc *cp);
void ch_central_stop(CentralProc *cp);
void ch_path(const CentralProc *cp, const char *name, char *out, size_t size);

/* A direct HTTPS call to central (not through the client under test) as the operator: it
 * presents client.pem when asked. Returns the HTTP status (0 on a transfer error) and the
 * parsed body in *out (NULL if none; caller decrefs). */
long ch_call(const CentralProc *cp, const char *method, const char *path, const char *body,
             json_t **out);
/* The same presenting the client certificate cert with its key, or none if cert is NULL. */
long ch_call_as(const CentralProc *cp, const char *cert, const char *key, const char *method,
                const char *path, const char *body, json_t **out);

/* --- devices ------------------------------------------------------------------------------ */

#define CH_CODE_MAX 32 /* an enrollment code as shown, "KQ7M-2XPD", with room */

/* An enrolled device: its identity (device_id.h) in a folder of the test folder. */
typedef struct ChDevice {
    DeviceId *id;
    char dir[CH_PATH_MAX];
    char device_id[CENTRAL_ID_MAX + 1]; /* what the enrollment reply said */
    char store[CENTRAL_ID_MAX + 1];
    char kind[CENTRAL_SHORT_MAX + 1];
    const char *cert, *key; /* device_id_cert_path / key_path: for CentralConfig */
} ChDevice;

/* POST /v1/admin/enrollment-codes as the operator (client.pem); 0 and the code on 201,
 * -1 otherwise (the answer is printed). */
int ch_enrollment_code(const CentralProc *cp, const char *store, const char *kind,
                       char code[CH_CODE_MAX]);
/* Enrolls a device the real way: opens an identity in the folder "device-SERIAL" of the test
 * folder (the device makes its key there), makes a code for store and kind as the operator,
 * the CSR with device_id_csr, sends CENTRAL_ENROLL through a firmware client without a
 * client certificate, and stores the certificate and its record with
 * device_id_store_enrollment. 0 with *dev filled; -1 with the reason printed (dev is then
 * closed). Close with ch_device_close. */
int ch_enroll(const CentralProc *cp, const char *store, const char *kind, const char *serial,
              ChDevice *dev);
void ch_device_close(ChDevice *dev);

/* The text form of a member token signed with the demo loyalty key. uid_hex "" for unbound. */
int ch_mint(const CentralProc *cp, const char *member, const char *uid_hex, char *text,
            size_t size);
/* The id of the i-th member of demo-members.json. */
int ch_demo_member(const CentralProc *cp, size_t i, char *id, size_t size);

/* A port nothing listens on (right now). */
unsigned ch_free_port(void);

/* A TCP listener on 127.0.0.1 that never accepts nor answers: connections complete in the
 * kernel backlog and then hang. */
typedef struct SilentListener {
    int fd;
    unsigned port;
} SilentListener;
int ch_silent_start(SilentListener *s);
void ch_silent_stop(SilentListener *s);

/* A TLS server (libmicrohttpd) that answers by path with crafted replies; see the .c for the
 * table of paths. hits counts requests per route. */
#define FAKE_ROUTES_MAX 24
typedef struct FakeServer {
    void *daemon;
    unsigned port;
    char base[64];
    char *cert, *key;
    atomic_int hits[FAKE_ROUTES_MAX];
} FakeServer;
int ch_fake_start(FakeServer *f, const CentralProc *pki);
void ch_fake_stop(FakeServer *f);
/* Requests the fake server got on path (as in its table), any method. */
int ch_fake_hits(FakeServer *f, const char *path);

/* Collects replies. Pass ch_on_reply and the Replies as the client's callback and ctx. */
#define REPLIES_MAX 128
typedef struct Replies {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    CentralReply *items[REPLIES_MAX];
    size_t count;
} Replies;
void replies_init(Replies *r);
void replies_deinit(Replies *r);
void ch_on_reply(const CentralReply *reply, void *ctx);
/* The reply to request id, waiting up to timeout_ms; NULL if none came. Owned by r. */
const CentralReply *replies_wait(Replies *r, uint32_t id, int timeout_ms);
size_t replies_count(Replies *r);

/* A client config for base_url and ca with short timeouts for tests. */
CentralConfig ch_config(const char *base_url, const char *ca);

long ch_now_ms(void);

#endif
