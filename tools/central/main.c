/* main.c: `central`, the development central service. Owns the Central context: parses
 * flags, opens (and optionally seeds) the SQLite database, loads the loyalty public keys and
 * the device CA, starts HTTPS, waits for SIGINT/SIGTERM on the main thread, then tears down
 * in reverse. */
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "central.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "pki.h"
#include "seed.h"
#include "token.h"

#define PEM_FILE_MAX (64 * 1024) /* certificates and keys are far smaller */
#define KEYS_MAX     8           /* --loyalty-key may repeat */

#define CERT_DAYS     90 /* default --device-cert-days */
#define CERT_DAYS_MAX 3650

typedef struct Options {
    const char *db, *listen, *cert, *key, *client_ca, *seed, *public_url, *log_level;
    const char *tls_ca, *device_ca_cert, *device_ca_key, *device_cert_days;
    const char *loyalty_keys[KEYS_MAX];
    int n_keys;
    int cert_days;
} Options;

static void usage(FILE *out)
{
    fputs("Usage: central --db FILE --listen HOST:PORT --tls-cert FILE --tls-key FILE\n"
          "               [--tls-ca FILE] [--client-ca FILE] [--device-ca-cert FILE\n"
          "               --device-ca-key FILE] [--device-cert-days N]\n"
          "               [--seed demo|large] [--loyalty-key PEM]...\n"
          "               [--public-url URL] [--log-level error|warn|info|debug]\n"
          "\n"
          "The development central service: the v1 API of docs/api.md over HTTPS, backed by\n"
          "a SQLite file.\n"
          "\n"
          "  --db FILE          SQLite database (created if missing)\n"
          "  --listen HOST:PORT IPv4 address and port to serve HTTPS on, e.g. 127.0.0.1:8443\n"
          "                     (port 0: any free port, logged at start)\n"
          "  --tls-cert FILE    server certificate chain, PEM\n"
          "  --tls-key FILE     server private key, PEM\n"
          "  --tls-ca FILE      the CA that issued --tls-cert, handed to devices at\n"
          "                     enrollment (default: the self-signed CA at the end of the\n"
          "                     --tls-cert chain, if there is one)\n"
          "  --client-ca FILE   trusted issuers of client certificates (PEM, one or more):\n"
          "                     device calls then need the device's own certificate, and\n"
          "                     operator calls a certificate that is not a device's;\n"
          "                     without it the service runs in development mode and\n"
          "                     accepts devices without certificates\n"
          "  --device-ca-cert FILE, --device-ca-key FILE\n"
          "                     the CA that signs enrolling devices' certificates (put the\n"
          "                     same certificate in --client-ca); without it enrollment is\n"
          "                     refused (503 enrollment_unavailable)\n"
          "  --device-cert-days N  validity of a device certificate, 1..3650 (default 90)\n"
          "  --seed demo        fill an empty database with the deterministic demo chain and\n"
          "                     write demo-loyalty-key.pem, demo-loyalty-pub.pem,\n"
          "                     demo-members.json, demo-staff.json and\n"
          "                     demo-service-pins.json beside the database\n"
          "  --seed large       the same with a large generated chain for sync tests: 100\n"
          "                     stores + the warehouse, 5,000 products, 100,000 variants\n"
          "  --loyalty-key PEM  a loyalty public key for /v1/identify (repeatable); the\n"
          "                     demo-loyalty-pub.pem beside the database is used when present\n"
          "  --public-url URL   base of tracking, pairing and hand-off links\n"
          "                     (default https://HOST:PORT)\n"
          "  --log-level LEVEL  default info\n"
          "  --help             this text\n",
          out);
}

static int parse_args(int argc, char **argv, Options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        }
        if (strcmp(a, "--db") == 0)
            slot = &o->db;
        else if (strcmp(a, "--listen") == 0)
            slot = &o->listen;
        else if (strcmp(a, "--tls-cert") == 0)
            slot = &o->cert;
        else if (strcmp(a, "--tls-key") == 0)
            slot = &o->key;
        else if (strcmp(a, "--tls-ca") == 0)
            slot = &o->tls_ca;
        else if (strcmp(a, "--client-ca") == 0)
            slot = &o->client_ca;
        else if (strcmp(a, "--device-ca-cert") == 0)
            slot = &o->device_ca_cert;
        else if (strcmp(a, "--device-ca-key") == 0)
            slot = &o->device_ca_key;
        else if (strcmp(a, "--device-cert-days") == 0)
            slot = &o->device_cert_days;
        else if (strcmp(a, "--seed") == 0)
            slot = &o->seed;
        else if (strcmp(a, "--public-url") == 0)
            slot = &o->public_url;
        else if (strcmp(a, "--log-level") == 0)
            slot = &o->log_level;
        else if (strcmp(a, "--loyalty-key") == 0) {
            if (o->n_keys == KEYS_MAX) {
                fprintf(stderr, "central: at most %d --loyalty-key\n", KEYS_MAX);
                return -1;
            }
            slot = &o->loyalty_keys[o->n_keys++];
        } else {
            fprintf(stderr, "central: unknown option %s (try --help)\n", a);
            return -1;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "central: %s needs a value\n", a);
            return -1;
        }
        *slot = argv[++i];
    }
    if (!o->db || !o->listen || !o->cert || !o->key) {
        fprintf(stderr,
                "central: --db, --listen, --tls-cert and --tls-key are required (try --help)\n");
        return -1;
    }
    if (o->seed && strcmp(o->seed, "demo") != 0 && strcmp(o->seed, "large") != 0) {
        fprintf(stderr, "central: --seed is \"demo\" or \"large\"\n");
        return -1;
    }
    if (!o->device_ca_cert != !o->device_ca_key) {
        fprintf(stderr, "central: --device-ca-cert and --device-ca-key go together\n");
        return -1;
    }
    o->cert_days = CERT_DAYS;
    if (o->device_cert_days) {
        char *end = NULL;
        errno = 0;
        long days = strtol(o->device_cert_days, &end, 10);
        if (errno || *end || end == o->device_cert_days || days < 1 || days > CERT_DAYS_MAX) {
            fprintf(stderr, "central: --device-cert-days is 1 to %d\n", CERT_DAYS_MAX);
            return -1;
        }
        o->cert_days = (int)days;
    }
    return 0;
}

static int parse_listen(const char *s, char *host, size_t host_size, unsigned *port)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || (size_t)(colon - s) >= host_size)
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (errno || *end || colon[1] == '\0' || p > 65535)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    *port = (unsigned)p;
    return 0;
}

static char *read_pem(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    if (!f) {
        log_error("central", "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    buf = malloc(PEM_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, PEM_FILE_MAX + 1, f) : 0;
    fclose(f);
    if (!buf || n == 0 || n > PEM_FILE_MAX) {
        log_error("central", "%s is empty or over %d bytes", path, PEM_FILE_MAX);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* Loads --device-ca-cert and --device-ca-key into c->device_ca; 0, or -1 (logged). The key's
 * text is wiped once GnuTLS holds it. */
static int load_device_ca(const Options *o, Central *c)
{
    char *cert = read_pem(o->device_ca_cert), *key = read_pem(o->device_ca_key);
    int rc = cert && key && pki_ca_load(cert, key, &c->device_ca) == KIOSK_OK ? 0 : -1;
    if (rc != 0)
        log_error("central", "cannot use the device CA %s / %s", o->device_ca_cert,
                  o->device_ca_key);
    if (key)
        explicit_bzero(key, strlen(key));
    free(cert);
    free(key);
    return rc;
}

/* Says at start how devices get and prove their certificates. */
static void log_device_ca(const Central *c, const char *client_ca_pem)
{
    if (!c->device_ca) {
        log_warn("central", "no --device-ca-cert: device enrollment is refused (503 "
                            "enrollment_unavailable)");
        return;
    }
    log_info("central", "device certificates signed by %s, valid %d days",
             pki_ca_name(c->device_ca), c->device_cert_days);
    if (pki_ca_expires(c->device_ca) < time(NULL) + (time_t)c->device_cert_days * 86400)
        log_warn("central", "the device CA expires before the certificates it signs");
    if (client_ca_pem && !pki_ca_in_bundle(c->device_ca, client_ca_pem))
        log_warn("central", "--client-ca does not hold the device CA: enrolled devices will be "
                            "refused");
    if (!c->tls_ca_pem)
        log_info("central", "no --tls-ca: enrollment replies carry no ca_certificate");
}

int main(int argc, char **argv)
{
    Options o = {0};
    Central c = {0};
    Http *http = NULL;
    char *cert = NULL, *key = NULL, *ca = NULL, *dbdir_buf = NULL, *tls_ca = NULL;
    char host[64];
    unsigned port = 0;
    int status = 1;
    sigset_t sigs;

    if (parse_args(argc, argv, &o) != 0)
        return 2;
    if (parse_listen(o.listen, host, sizeof host, &port) != 0) {
        fprintf(stderr, "central: --listen wants HOST:PORT, e.g. 127.0.0.1:8443\n");
        return 2;
    }
    if (o.log_level) {
        LogLevel level;
        if (log_level_parse(o.log_level, &level) != 0) {
            fprintf(stderr, "central: unknown log level %s\n", o.log_level);
            return 2;
        }
        log_set_level(level);
    }
    /* Block the stop signals before any thread starts, so only sigwait() sees them. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    pthread_mutex_init(&c.lock, NULL);
    pthread_condattr_t ca_attr;
    pthread_condattr_init(&ca_attr);
    pthread_condattr_setclock(&ca_attr, CLOCK_MONOTONIC);
    pthread_cond_init(&c.changed, &ca_attr);
    pthread_condattr_destroy(&ca_attr);

    cert = read_pem(o.cert);
    key = read_pem(o.key);
    if (!cert || !key)
        goto out;
    if (o.client_ca && !(ca = read_pem(o.client_ca)))
        goto out;
    if (o.device_ca_cert && load_device_ca(&o, &c) != 0)
        goto out;
    c.device_cert_days = o.cert_days;
    if (o.tls_ca) {
        if (!(tls_ca = read_pem(o.tls_ca)))
            goto out;
        if (!pki_pem_issued_by(cert, tls_ca))
            log_warn("central", "%s did not issue %s: devices told to trust it will refuse us",
                     o.tls_ca, o.cert);
    } else {
        tls_ca = pki_chain_issuer_pem(cert);
    }
    c.tls_ca_pem = tls_ca;
    if (db_open(o.db, &c.db) != KIOSK_OK)
        goto out;

    dbdir_buf = strdup(o.db);
    if (!dbdir_buf)
        goto out;
    const char *dbdir = dirname(dbdir_buf);
    if (o.seed) {
        bool large = strcmp(o.seed, "large") == 0;
        if (db_has_data(c.db)) {
            log_info("central", "database already holds data: %s seed skipped", o.seed);
        } else if ((large ? seed_large_db(c.db, time(NULL)) : seed_demo_db(c.db, time(NULL))) !=
                   KIOSK_OK) {
            log_error("central", "%s seed failed", o.seed);
            goto out;
        }
        if (seed_demo_files(c.db, dbdir) != KIOSK_OK) {
            log_error("central", "cannot write the demo key, member and staff files in %s", dbdir);
            goto out;
        }
    }

    c.keys = token_keyring_create();
    if (!c.keys)
        goto out;
    for (int i = 0; i < o.n_keys; i++) {
        if (token_keyring_add_file(c.keys, o.loyalty_keys[i]) != KIOSK_OK) {
            log_error("central", "cannot load loyalty key %s", o.loyalty_keys[i]);
            goto out;
        }
    }
    if (o.n_keys == 0) {
        char path[4096];
        snprintf(path, sizeof path, "%s/demo-loyalty-pub.pem", dbdir);
        if (access(path, R_OK) == 0 && token_keyring_add_file(c.keys, path) != KIOSK_OK)
            log_warn("central", "cannot load %s", path);
    }
    if (token_keyring_count(c.keys) == 0)
        log_warn("central", "no loyalty key loaded: /v1/identify will refuse every token");

    c.require_client_cert = ca != NULL;
    HttpConfig hc = {
        .host = host, .port = port, .cert_pem = cert, .key_pem = key, .client_ca_pem = ca};
    if (http_start(&c, &hc, &http) != KIOSK_OK)
        goto out;
    port = http_port(http); /* --listen HOST:0 lets the kernel choose */
    pthread_mutex_lock(&c.lock);
    if (o.public_url)
        snprintf(c.base_url, sizeof c.base_url, "%s", o.public_url);
    else
        snprintf(c.base_url, sizeof c.base_url, "https://%s:%u", host, port);
    pthread_mutex_unlock(&c.lock);
    if (ca)
        log_info("central", "device calls require a client certificate from %s", o.client_ca);
    else
        log_warn("central", "development mode: no --client-ca, devices are accepted without "
                            "client certificates");
    log_device_ca(&c, ca);
    log_info("central", "listening on https://%s:%u", host, port);

    int sig = 0;
    sigwait(&sigs, &sig);
    log_info("central", "signal %d: stopping", sig);
    status = 0;
out:
    http_stop(http);
    token_keyring_destroy(c.keys);
    pki_ca_destroy(c.device_ca);
    db_close(c.db);
    pthread_cond_destroy(&c.changed);
    pthread_mutex_destroy(&c.lock);
    free(cert);
    free(key);
    free(ca);
    free(tls_ca);
    free(dbdir_buf);
    return status;
}
