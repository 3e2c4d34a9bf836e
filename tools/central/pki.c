/* pki.c: see pki.h. GnuTLS return codes are logged here and mapped to KioskErr or false;
 * nothing above this file sees a GnuTLS type but the session in http.c. */
#include "pki.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define NAME_MAX_LEN   256 /* bytes of a CA subject kept for logs */
#define KEY_ID_MAX     64  /* SHA-1 or SHA-256 key identifiers */
#define NOT_BEFORE_LAG 300 /* seconds a new certificate is back-dated for clock skew */

struct PkiCa {
    gnutls_x509_crt_t crt;
    gnutls_privkey_t key;
    char name[NAME_MAX_LEN];
    time_t expires;
};

static gnutls_datum_t text_datum(const char *s)
{
    gnutls_datum_t d = {(unsigned char *)s, (unsigned)strlen(s)};
    return d;
}

static void to_hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    out[2 * n] = '\0';
}

/* True if the private key is the one the certificate certifies. */
static bool key_matches(gnutls_x509_crt_t crt, gnutls_privkey_t key)
{
    gnutls_pubkey_t pub = NULL;
    unsigned char a[KEY_ID_MAX], b[KEY_ID_MAX];
    size_t na = sizeof a, nb = sizeof b;
    bool same = false;
    if (gnutls_pubkey_init(&pub) < 0)
        return false;
    if (gnutls_pubkey_import_privkey(pub, key, 0, 0) == 0 &&
        gnutls_pubkey_get_key_id(pub, 0, a, &na) == 0 &&
        gnutls_x509_crt_get_key_id(crt, 0, b, &nb) == 0)
        same = na == nb && memcmp(a, b, na) == 0;
    gnutls_pubkey_deinit(pub);
    return same;
}

KioskErr pki_ca_load(const char *cert_pem, const char *key_pem, PkiCa **out)
{
    KioskErr err = KIOSK_E_CONFIG;
    gnutls_datum_t cd = text_datum(cert_pem), kd = text_datum(key_pem), dn = {NULL, 0};
    unsigned is_ca = 0;
    int rc;
    PkiCa *ca = calloc(1, sizeof *ca);
    *out = NULL;
    if (!ca)
        return KIOSK_E_NOMEM;
    if (gnutls_x509_crt_init(&ca->crt) < 0 || gnutls_privkey_init(&ca->key) < 0) {
        err = KIOSK_E_NOMEM;
        goto out;
    }
    rc = gnutls_x509_crt_import(ca->crt, &cd, GNUTLS_X509_FMT_PEM);
    if (rc < 0) {
        log_error("pki", "the device CA certificate does not parse: %s", gnutls_strerror(rc));
        goto out;
    }
    rc = gnutls_x509_crt_get_basic_constraints(ca->crt, NULL, &is_ca, NULL);
    if (rc < 0 || !is_ca) {
        log_error("pki", "the device CA certificate is not a CA (basicConstraints CA:TRUE)");
        goto out;
    }
    rc = gnutls_privkey_import_x509_raw(ca->key, &kd, GNUTLS_X509_FMT_PEM, NULL, 0);
    if (rc < 0) {
        log_error("pki", "the device CA key does not parse: %s", gnutls_strerror(rc));
        goto out;
    }
    if (!key_matches(ca->crt, ca->key)) {
        log_error("pki", "the device CA key is not the key of the device CA certificate");
        goto out;
    }
    if (gnutls_x509_crt_get_dn3(ca->crt, &dn, 0) == 0) {
        snprintf(ca->name, sizeof ca->name, "%.*s", (int)dn.size, (const char *)dn.data);
        gnutls_free(dn.data);
    }
    ca->expires = gnutls_x509_crt_get_expiration_time(ca->crt);
    err = KIOSK_OK;
out:
    if (err != KIOSK_OK) {
        pki_ca_destroy(ca);
        ca = NULL;
    }
    *out = ca;
    return err;
}

void pki_ca_destroy(PkiCa *ca)
{
    if (!ca)
        return;
    if (ca->crt)
        gnutls_x509_crt_deinit(ca->crt);
    if (ca->key)
        gnutls_privkey_deinit(ca->key);
    free(ca);
}

const char *pki_ca_name(const PkiCa *ca)
{
    return ca->name;
}

time_t pki_ca_expires(const PkiCa *ca)
{
    return ca->expires;
}

bool pki_ca_in_bundle(const PkiCa *ca, const char *bundle_pem)
{
    gnutls_x509_crt_t *list = NULL;
    unsigned n = 0;
    gnutls_datum_t d = text_datum(bundle_pem);
    bool found = false;
    if (gnutls_x509_crt_list_import2(&list, &n, &d, GNUTLS_X509_FMT_PEM, 0) < 0)
        return false;
    for (unsigned i = 0; i < n; i++) {
        found = found || gnutls_x509_crt_equals(list[i], ca->crt);
        gnutls_x509_crt_deinit(list[i]);
    }
    gnutls_free(list);
    return found;
}

bool pki_ca_issued(const PkiCa *ca, const unsigned char *der, size_t der_len)
{
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t d = {(unsigned char *)der, (unsigned)der_len};
    bool issued = false;
    if (gnutls_x509_crt_init(&crt) < 0)
        return false;
    if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) == 0)
        issued = gnutls_x509_crt_check_issuer(crt, ca->crt) != 0;
    gnutls_x509_crt_deinit(crt);
    return issued;
}

/* Parses a CSR into *crq and its key into *pub, checking everything pki_csr_check promises.
 * The caller deinits both (either may be set on failure). */
static bool load_csr(const char *pem, gnutls_x509_crq_t *crq, gnutls_pubkey_t *pub,
                     const char **why)
{
    gnutls_datum_t d = text_datum(pem), x = {NULL, 0}, y = {NULL, 0};
    gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
    *crq = NULL;
    *pub = NULL;
    if (strlen(pem) > PKI_CSR_MAX) {
        *why = "the request is too long";
        return false;
    }
    if (gnutls_x509_crq_init(crq) < 0 || gnutls_pubkey_init(pub) < 0) {
        *why = "out of memory";
        return false;
    }
    if (gnutls_x509_crq_import(*crq, &d, GNUTLS_X509_FMT_PEM) < 0) {
        *why = "it is not a PEM certificate request";
        return false;
    }
    if (gnutls_x509_crq_verify(*crq, 0) < 0) {
        *why = "its signature does not verify";
        return false;
    }
    if (gnutls_pubkey_import_x509_crq(*pub, *crq, 0) < 0 ||
        gnutls_pubkey_get_pk_algorithm(*pub, NULL) != GNUTLS_PK_ECDSA ||
        gnutls_pubkey_export_ecc_raw(*pub, &curve, &x, &y) < 0) {
        *why = "its key is not ECDSA P-256";
        return false;
    }
    gnutls_free(x.data);
    gnutls_free(y.data);
    if (curve != GNUTLS_ECC_CURVE_SECP256R1) {
        *why = "its key is not ECDSA P-256";
        return false;
    }
    return true;
}

bool pki_csr_check(const char *csr_pem, const char **why)
{
    gnutls_x509_crq_t crq = NULL;
    gnutls_pubkey_t pub = NULL;
    bool ok = load_csr(csr_pem, &crq, &pub, why);
    if (crq)
        gnutls_x509_crq_deinit(crq);
    if (pub)
        gnutls_pubkey_deinit(pub);
    return ok;
}

KioskErr pki_issue(const PkiCa *ca, const char *csr_pem, const char *cn, time_t now, int days,
                   PkiIssued *out)
{
    gnutls_x509_crq_t crq = NULL;
    gnutls_pubkey_t pub = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t pem = {NULL, 0};
    unsigned char serial[PKI_SERIAL_BYTES], id[KEY_ID_MAX];
    size_t id_len = sizeof id, serial_len = sizeof serial;
    const char *why = NULL;
    KioskErr err = KIOSK_E_IO;
    int rc = 0;
    memset(out, 0, sizeof *out);
    if (!load_csr(csr_pem, &crq, &pub, &why)) {
        err = KIOSK_E_INVALID;
        goto out;
    }
    if (gnutls_x509_crt_init(&crt) < 0 || gnutls_rnd(GNUTLS_RND_RANDOM, serial, sizeof serial) < 0)
        goto out;
    /* Positive and of full length: DER wants no leading zero byte nor a sign bit. */
    serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x40);
    /* Only the request's key is taken: its names and extensions (a SAN, CA:TRUE) are the
     * requester's wishes, and a device gets exactly the profile below. */
    if ((rc = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
        (rc = gnutls_x509_crt_set_serial(crt, serial, sizeof serial)) < 0 ||
        (rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                            (unsigned)strlen(cn))) < 0 ||
        (rc = gnutls_x509_crt_set_pubkey(crt, pub)) < 0 ||
        (rc = gnutls_x509_crt_set_activation_time(crt, now - NOT_BEFORE_LAG)) < 0 ||
        (rc = gnutls_x509_crt_set_expiration_time(crt, now + (time_t)days * 86400)) < 0 ||
        (rc = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
        (rc = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
        (rc = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_CLIENT, 0)) < 0 ||
        (rc = gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA1, id, &id_len)) < 0 ||
        (rc = gnutls_x509_crt_set_subject_key_id(crt, id, id_len)) < 0)
        goto out;
    id_len = sizeof id;
    if (gnutls_x509_crt_get_subject_key_id(ca->crt, id, &id_len, NULL) == 0 &&
        (rc = gnutls_x509_crt_set_authority_key_id(crt, id, id_len)) < 0)
        goto out;
    if ((rc = gnutls_x509_crt_privkey_sign(crt, ca->crt, ca->key, GNUTLS_DIG_SHA256, 0)) < 0 ||
        (rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem)) < 0 ||
        (rc = gnutls_x509_crt_get_serial(crt, serial, &serial_len)) < 0)
        goto out;
    out->pem = malloc(pem.size + 1);
    if (!out->pem) {
        err = KIOSK_E_NOMEM;
        goto out;
    }
    memcpy(out->pem, pem.data, pem.size);
    out->pem[pem.size] = '\0';
    to_hex(serial, serial_len, out->serial);
    out->not_after = gnutls_x509_crt_get_expiration_time(crt);
    err = KIOSK_OK;
out:
    if (rc < 0)
        log_error("pki", "issuing a certificate for %s failed: %s", cn, gnutls_strerror(rc));
    gnutls_free(pem.data);
    if (crt)
        gnutls_x509_crt_deinit(crt);
    if (crq)
        gnutls_x509_crq_deinit(crq);
    if (pub)
        gnutls_pubkey_deinit(pub);
    return err;
}

bool pki_cert_identity(const unsigned char *der, size_t der_len, char *cn, size_t cn_size,
                       char serial_hex[PKI_SERIAL_HEX_MAX + 1])
{
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t d = {(unsigned char *)der, (unsigned)der_len};
    unsigned char serial[PKI_SERIAL_HEX_MAX / 2];
    size_t serial_len = sizeof serial, n = cn_size;
    bool ok = false;
    cn[0] = '\0';
    serial_hex[0] = '\0';
    if (gnutls_x509_crt_init(&crt) < 0)
        return false;
    if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) == 0 &&
        gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &n) == 0 &&
        gnutls_x509_crt_get_serial(crt, serial, &serial_len) == 0) {
        to_hex(serial, serial_len, serial_hex);
        ok = strlen(cn) == n; /* a CN with a NUL inside is nobody's */
    }
    if (!ok)
        cn[0] = '\0';
    gnutls_x509_crt_deinit(crt);
    return ok;
}

char *pki_chain_issuer_pem(const char *chain_pem)
{
    gnutls_x509_crt_t *list = NULL;
    unsigned n = 0;
    gnutls_datum_t d = text_datum(chain_pem), pem = {NULL, 0};
    char *out = NULL;
    if (gnutls_x509_crt_list_import2(&list, &n, &d, GNUTLS_X509_FMT_PEM, 0) < 0)
        return NULL;
    for (unsigned i = 1; i < n && !out; i++) {
        if (!gnutls_x509_crt_check_issuer(list[i], list[i]) ||
            !gnutls_x509_crt_check_issuer(list[0], list[i]) ||
            gnutls_x509_crt_export2(list[i], GNUTLS_X509_FMT_PEM, &pem) < 0)
            continue;
        out = malloc(pem.size + 1);
        if (out) {
            memcpy(out, pem.data, pem.size);
            out[pem.size] = '\0';
        }
        gnutls_free(pem.data);
    }
    for (unsigned i = 0; i < n; i++)
        gnutls_x509_crt_deinit(list[i]);
    gnutls_free(list);
    return out;
}

bool pki_pem_issued_by(const char *leaf_pem, const char *ca_pem)
{
    gnutls_x509_crt_t leaf = NULL, ca = NULL;
    gnutls_datum_t ld = text_datum(leaf_pem), cd = text_datum(ca_pem);
    bool issued = false;
    if (gnutls_x509_crt_init(&leaf) == 0 && gnutls_x509_crt_init(&ca) == 0 &&
        gnutls_x509_crt_import(leaf, &ld, GNUTLS_X509_FMT_PEM) == 0 &&
        gnutls_x509_crt_import(ca, &cd, GNUTLS_X509_FMT_PEM) == 0)
        issued = gnutls_x509_crt_check_issuer(leaf, ca) != 0;
    if (leaf)
        gnutls_x509_crt_deinit(leaf);
    if (ca)
        gnutls_x509_crt_deinit(ca);
    return issued;
}

bool pki_sha256_hex(const void *data, size_t len, char out[PKI_SHA256_HEX])
{
    unsigned char digest[32];
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, digest) < 0)
        return false;
    to_hex(digest, sizeof digest, out);
    return true;
}
