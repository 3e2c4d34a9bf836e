/* harness.h: runs the real `central` for one test program: a temporary folder, a PKI made
 * by tools/central/gen-certs.sh, a free port on 127.0.0.1 (central binds port 0 and logs
 * it), `central --seed demo` over HTTPS, and a libcurl client that trusts only the test's
 * CA and presents a client certificate when asked. Devices are enrolled the real way: an
 * operator's enrollment code, a key and CSR made by openssl, the certificate the service
 * signs. No mocks: every call crosses real TLS. */
#ifndef TEST_CENTRAL_HARNESS_H
#define TEST_CENTRAL_HARNESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define HARNESS_PATH_MAX 512

typedef struct TestCentral {
    pid_t pid;
    unsigned port;
    char dir[HARNESS_PATH_MAX]; /* temporary folder: db, PKI, demo files, log */
    char base[64];              /* https://127.0.0.1:PORT */
    char ca[HARNESS_PATH_MAX];  /* the CA the client trusts */
    char client_cert[HARNESS_PATH_MAX], client_key[HARNESS_PATH_MAX];
    bool use_client_cert; /* present client_cert on every call (client.pem unless changed) */
    char seed[16];        /* --seed: "demo" unless harness_start_seed said otherwise */
} TestCentral;

typedef struct Resp {
    long status;
    int curl_code; /* CURLE_OK unless the transfer itself failed */
    char *body;    /* NUL-terminated */
    size_t len;
    json_t *json;  /* parsed body, or NULL if not JSON */
    bool replayed; /* Idempotent-Replayed: true header */
    char content_type[64];
} Resp;

/* Starts central with --seed demo (plus extra NULL-terminated args, e.g. "--client-ca";
 * an argument starting with "@/" names a file in the test folder, e.g. "@/ca.pem").
 * Returns 0 when it answers HTTPS, -1 otherwise (its log is printed). */
int harness_start(TestCentral *tc, const char *const *extra_args);
/* The same with another seed ("large": the generated chain for sync tests). */
int harness_start_seed(TestCentral *tc, const char *seed, const char *const *extra_args);
/* With the device CA (--device-ca-cert device-ca.pem --device-ca-key device-ca-key.pem
 * --tls-ca ca.pem) and, if mtls, in mutual-TLS mode (--client-ca client-cas.pem: the device
 * CA for devices, the test CA for the operator's client.pem). extra_args as above. */
int harness_start_devices(TestCentral *tc, bool mtls, const char *const *extra_args);
/* Stops it (SIGTERM) and starts it again on the same folder, database and port. */
int harness_restart(TestCentral *tc, const char *const *extra_args);
/* Stops it (SIGTERM, then waits) and removes the folder. */
void harness_stop(TestCentral *tc);

/* One request. body may be NULL; headers is a NULL-terminated list of "Name: value" or NULL.
 * Returns 0 if an HTTP answer came back (any status), -1 on a transfer error. */
int harness_call(const TestCentral *tc, const char *method, const char *path, const char *body,
                 size_t body_len, const char *const *headers, Resp *out);
/* Same, but with a custom CA file (for the wrong-CA test). */
int harness_call_ca(const TestCentral *tc, const char *ca_file, const char *method,
                    const char *path, const char *body, size_t body_len, const char *const *headers,
                    Resp *out);
/* Same, presenting the client certificate cert with its key (paths), or none if NULL,
 * whatever use_client_cert says. */
int harness_call_as(const TestCentral *tc, const char *cert, const char *key, const char *method,
                    const char *path, const char *body, Resp *out);
/* The same as the operator: presenting client.pem (needed in mutual-TLS mode). */
/* PUT of len bytes of body as Content-Type type (an upload), with that client certificate
 * (cert NULL: none). */
int harness_upload_as(const TestCentral *tc, const char *cert, const char *key, const char *path,
                      const char *type, const void *body, size_t len, Resp *out);
int harness_operator(const TestCentral *tc, const char *method, const char *path, const char *body,
                     Resp *out);
/* Shorthands: GET path; POST a JSON text. */
int harness_get(const TestCentral *tc, const char *path, Resp *out);
int harness_post(const TestCentral *tc, const char *path, const char *json, Resp *out);
void resp_free(Resp *r);

/* --- devices --------------------------------------------------------------------------- */

#define HARNESS_CODE_MAX 16 /* "KQ7M-2XPD" and room */

/* Makes NAME-key.pem (ECDSA P-256, or RSA-2048 if rsa) and NAME.csr with openssl in the test
 * folder; 0, or -1 if openssl failed. */
int harness_make_csr(const TestCentral *tc, const char *name, bool rsa);
/* The body of POST /v1/devices/enroll with NAME.csr: {"serial","code","csr","kind",
 * "version"}. Caller frees. */
char *harness_enroll_body(const TestCentral *tc, const char *serial, const char *code,
                          const char *kind, const char *name);
/* Makes an enrollment code as the operator; 0 and the code on 201, -1 otherwise. */
int harness_enrollment_code(const TestCentral *tc, const char *store, const char *kind,
                            char code[HARNESS_CODE_MAX]);
/* The whole enrollment: a code for store and kind, a key and CSR named NAME, the call; on
 * 200/201 the certificate is written to NAME.pem. Returns harness_call's result; out holds
 * the answer to the enrollment (or to the code request if that failed). */
int harness_enroll(const TestCentral *tc, const char *store, const char *kind, const char *serial,
                   const char *name, Resp *out);
/* The paths of NAME.pem and NAME-key.pem in the test folder. */
void harness_device_files(const TestCentral *tc, const char *name, char *cert, char *key,
                          size_t size);

/* True if r is {"error":{"code":STRING,"message":STRING}}; copies the code (64 bytes). */
bool resp_is_error(const Resp *r, char *code);
/* A path inside the test folder. */
void harness_path(const TestCentral *tc, const char *name, char *out, size_t size);

/* Path of the token minting key (demo-loyalty-key.pem) written by the seed. */
#define HARNESS_DEMO_KEY "demo-loyalty-key.pem"

#endif
