/* pki.h: the device certificate authority of the central service, on GnuTLS. It checks a
 * device's certificate signing request (well-formed, self-signature valid, an ECDSA P-256
 * key) and issues the device's client certificate: subject CN = the device id, a random
 * serial, clientAuth only, never a CA. Nothing of the request but its public key goes into
 * the certificate. main.c loads the one PkiCa at start and owns it; handlers use it under
 * Central.lock (it is read-only after loading, so any thread may use it). */
#ifndef CENTRAL_PKI_H
#define CENTRAL_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "kerr.h"

#define PKI_CSR_MAX        8192 /* bytes of a CSR in PEM: a P-256 request is under 600 */
#define PKI_SERIAL_BYTES   16   /* random serial of an issued certificate */
#define PKI_SERIAL_HEX_MAX 40   /* hex digits of any X.509 serial (at most 20 bytes) */
#define PKI_SHA256_HEX     65   /* 64 hex digits and the NUL */

typedef struct PkiCa PkiCa;

/* Loads the CA certificate and its private key (PEM text, borrowed). Fails with
 * KIOSK_E_CONFIG if either does not parse, the certificate is not a CA or the key is not
 * its key (the reason is logged). */
KioskErr pki_ca_load(const char *cert_pem, const char *key_pem, PkiCa **out);
/* NULL is a no-op. */
void pki_ca_destroy(PkiCa *ca);
/* The CA certificate's subject, for logs. Borrowed for the PkiCa's life. */
const char *pki_ca_name(const PkiCa *ca);
/* When the CA certificate stops being valid. */
time_t pki_ca_expires(const PkiCa *ca);
/* True if the PEM bundle (e.g. the --client-ca file) holds this CA's certificate. */
bool pki_ca_in_bundle(const PkiCa *ca, const char *bundle_pem);
/* True if the DER certificate names this CA as its issuer. The signature is not checked
 * here: the TLS layer verified the chain against the trusted CAs already. */
bool pki_ca_issued(const PkiCa *ca, const unsigned char *der, size_t der_len);

/* Checks a CSR: PEM that parses, a self-signature that verifies, an ECDSA P-256 key. On
 * failure returns false and *why says what was wrong (a static string). */
bool pki_csr_check(const char *csr_pem, const char **why);

/* A certificate issued by pki_issue. pem is the caller's to free. */
typedef struct PkiIssued {
    char *pem;
    char serial[PKI_SERIAL_HEX_MAX + 1]; /* lower-case hex, as pki_cert_serial reads it */
    time_t not_after;
} PkiIssued;

/* Issues a client certificate for the CSR's key: subject CN = cn, a random
 * PKI_SERIAL_BYTES serial, valid from now - 5 minutes to now + days, keyUsage
 * digitalSignature, extendedKeyUsage clientAuth, basicConstraints CA:FALSE, signed with
 * ECDSA-SHA256 (or the CA key's own scheme). The CSR must pass pki_csr_check
 * (KIOSK_E_INVALID otherwise). */
KioskErr pki_issue(const PkiCa *ca, const char *csr_pem, const char *cn, time_t now, int days,
                   PkiIssued *out);

/* Reads a DER certificate's subject CN and serial (lower-case hex). False if it does not
 * parse or the CN is missing or does not fit cn_size. */
bool pki_cert_identity(const unsigned char *der, size_t der_len, char *cn, size_t cn_size,
                       char serial[PKI_SERIAL_HEX_MAX + 1]);

/* The CA that issued the first certificate of a PEM chain, when the chain holds it (a
 * self-signed CA certificate after the leaf), as PEM; NULL if not. Caller frees. */
char *pki_chain_issuer_pem(const char *chain_pem);
/* True if the first certificate of leaf_pem was issued by the first of ca_pem. */
bool pki_pem_issued_by(const char *leaf_pem, const char *ca_pem);

/* Lower-case hex SHA-256 of data. False only if GnuTLS fails. */
bool pki_sha256_hex(const void *data, size_t len, char out[PKI_SHA256_HEX]);

#endif
