/* device_id.h: the device's own identity for enrollment with the central service (mutual
 * TLS), kept in the data directory: an ECDSA P-256 key made on the device, the certificate
 * the service issued for it, and the enrollment record (device id, store, service PIN).
 * Pure C over mbedTLS 2.28, jansson and POSIX files. Any thread may use a DeviceId, one at
 * a time: nothing is shared, but two DeviceIds (or a wipe) must not work on one directory
 * at the same time. The private key never leaves its 0600 file and this handle; it is never
 * logged, and neither are PINs or PIN hashes.
 *
 * Files in the data directory (made 0700 when the DeviceId opens it):
 *   device-key.pem   the private key, PEM (SEC1), mode 0600, made once, never replaced
 *   device-cert.pem  the certificate the service issued for that key, PEM, mode 0600
 *   device.json      the enrollment record, mode 0600:
 *     {"device_id": "D000001",      identifier (A-Z a-z 0-9 - _), 1..64 bytes
 *      "store": "sea-ballard",      identifier, 1..64 bytes
 *      "kind": "kiosk",             "kiosk" or "mirror"
 *      "enrolled_at": 1795000000,   Unix seconds
 *      "expires_at": 1802776000,    Unix seconds: the certificate's notAfter
 *      "service_pin": null | {"algorithm": "pbkdf2-sha256", "iterations": 100000,
 *                             "salt": "<hex, 8..64 bytes>", "hash": "<hex, 32 bytes>"},
 *      "heartbeat_seconds": 60}     5..86400
 * Every file is written to "<name>.tmp" (O_CREAT|O_EXCL, 0600), fsync'd, then renamed into
 * place and the directory fsync'd, so a crash leaves the old file or the new one whole. */
#ifndef KIOSK_DEVICE_ID_H
#define KIOSK_DEVICE_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kerr.h"

#define DEVICE_ID_KEY_FILE      "device-key.pem"
#define DEVICE_ID_CERT_FILE     "device-cert.pem"
#define DEVICE_ID_RECORD_FILE   "device.json"
#define DEVICE_ID_PIN_WAIT_FILE "service-pin-wait" /* wrong PINs in a row and the wait */

#define DEVICE_ID_PATH_MAX      512         /* bytes of a file's path in the data directory */
#define DEVICE_ID_IDENT_MAX     64          /* bytes of device_id, store and serial */
#define DEVICE_ID_KEY_PEM_MAX   4096        /* bytes of the key file */
#define DEVICE_ID_CERT_MAX      (16 * 1024) /* bytes of the certificate PEM (a chain fits) */
#define DEVICE_ID_RECORD_MAX    4096        /* bytes of the record JSON */
#define DEVICE_ID_CSR_MAX       4096        /* bytes of the CSR PEM */
#define DEVICE_ID_CLOCK_SKEW_S  300         /* a cert issued this far in our future is taken */
#define DEVICE_ID_RENEW_DAYS    30          /* default renewal window, see renewal_due */
#define DEVICE_ID_PIN_MIN       4           /* digits */
#define DEVICE_ID_PIN_MAX       12          /* digits */
#define DEVICE_ID_PIN_ITER_MIN  10000       /* PBKDF2 iterations accepted in a record */
#define DEVICE_ID_PIN_ITER_MAX  1000000
#define DEVICE_ID_PIN_SALT_MIN  8  /* bytes */
#define DEVICE_ID_PIN_SALT_MAX  64 /* bytes */
#define DEVICE_ID_PIN_HASH_LEN  32 /* bytes of PBKDF2-HMAC-SHA256 output */
#define DEVICE_ID_PIN_ALGORITHM "pbkdf2-sha256"
#define DEVICE_ID_HEARTBEAT_MIN 5     /* seconds */
#define DEVICE_ID_HEARTBEAT_MAX 86400 /* seconds */
#define DEVICE_ID_CSR_ORG       "Northwind Store Devices"

typedef struct DeviceId DeviceId;

typedef enum DeviceIdState {
    DEVICE_ID_NEW = 0,  /* no usable certificate and record: the device must enroll */
    DEVICE_ID_ENROLLED, /* a certificate for our key and its record (maybe expired: see
                           device_id_days_left) */
} DeviceIdState;

/* Opens the identity kept in dir (borrowed; created 0700 if missing, tightened to 0700 if
 * group or others may use it). Loads the private key from DEVICE_ID_KEY_FILE, or makes a
 * new P-256 key there when there is none. Loads the certificate and record when both are
 * present, valid and the certificate is for our key; otherwise the state is DEVICE_ID_NEW
 * (the stale files stay until the next enrollment replaces them). Returns NULL with *err:
 * KIOSK_E_INVALID (bad argument), KIOSK_E_TOOBIG (path over DEVICE_ID_PATH_MAX),
 * KIOSK_E_STATE (the key file exists but is not a P-256 private key, or not a regular
 * file: it is never replaced, a technician wipes it), KIOSK_E_IO / KIOSK_E_FULL (cannot
 * read or write the directory), KIOSK_E_NOMEM. The caller closes the result. */
DeviceId *device_id_open(const char *dir, KioskErr *err);
/* Wipes the key from memory and frees the handle. NULL is a no-op. */
void device_id_close(DeviceId *id);

DeviceIdState device_id_state(const DeviceId *id);

/* Whole days (rounded down) until the certificate expires at now (Unix seconds); negative
 * once it has expired. KIOSK_E_STATE when not enrolled, KIOSK_E_INVALID for NULL. */
KioskErr device_id_days_left(const DeviceId *id, int64_t now, int64_t *days);

/* Whether the certificate should be renewed at now: true when
 *   remaining < lifetime / 3  OR  remaining < before_days days
 * (remaining = notAfter - now, lifetime = notAfter - notBefore), i.e. at whichever of the
 * two moments comes sooner; always true once expired. before_days <= 0 means
 * DEVICE_ID_RENEW_DAYS. A 90-day certificate is due with 30 days left, a one-year one with
 * about 122 days left; one shorter than before_days is due as soon as it is stored, so the
 * caller paces its attempts (heartbeat interval, backoff). False when not enrolled:
 * that device enrolls rather than renews. */
bool device_id_renewal_due(const DeviceId *id, int64_t now, int before_days);

/* A PKCS#10 request for our key, signed with ECDSA-SHA256, subject
 * "CN=<serial>,O=" DEVICE_ID_CSR_ORG, key usage digitalSignature. serial is an identifier
 * (A-Z a-z 0-9 - _, 1..DEVICE_ID_IDENT_MAX bytes). *pem is NUL-terminated and the
 * caller's to free. KIOSK_E_INVALID for a bad serial or argument, KIOSK_E_IO when mbedTLS
 * fails (logged), KIOSK_E_NOMEM. */
KioskErr device_id_csr(DeviceId *id, const char *serial, char **pem);

/* Stores what the service issued: cert_pem (the first certificate is ours; a chain after it
 * is kept as given) and record_json (the format above; "expires_at" may be left out, and if
 * given must equal the certificate's notAfter: the stored record always carries it).
 * Accepted only when the certificate parses, holds our public key (same curve and point),
 * and is valid at now (Unix seconds): notBefore - DEVICE_ID_CLOCK_SKEW_S <= now < notAfter.
 * Anything else is KIOSK_E_INVALID (KIOSK_E_TOOBIG over the size limits) and writes
 * nothing. Then writes both files (certificate first, record last) and the handle becomes
 * DEVICE_ID_ENROLLED with the new values; KIOSK_E_IO / KIOSK_E_FULL when the disk fails
 * (the previous identity is then still in place, unless the failure fell between the two
 * renames: the next open still pairs the new certificate with its key). Re-enrollment and
 * renewal use the same call. Both strings are borrowed. */
KioskErr device_id_store_enrollment(DeviceId *id, const char *cert_pem, const char *record_json,
                                    int64_t now);

/* Paths of the key and certificate files, for CURLOPT_SSLKEY / CURLOPT_SSLCERT. Borrowed
 * until device_id_close. The certificate path is NULL when not enrolled. */
const char *device_id_key_path(const DeviceId *id);
const char *device_id_cert_path(const DeviceId *id);

/* Values of the record; NULL / 0 when not enrolled. Strings are borrowed until the next
 * device_id_store_enrollment or device_id_close. */
const char *device_id_id(const DeviceId *id);
const char *device_id_store(const DeviceId *id);
const char *device_id_kind(const DeviceId *id);
int64_t device_id_enrolled_at(const DeviceId *id);
int64_t device_id_expires_at(const DeviceId *id); /* the certificate's notAfter */
int device_id_heartbeat_s(const DeviceId *id);
bool device_id_has_pin(const DeviceId *id);

/* Checks a technician's PIN (borrowed, DEVICE_ID_PIN_MIN..MAX ASCII digits) against the
 * record's PBKDF2-HMAC-SHA256 hash, comparing in constant time. KIOSK_OK when it matches;
 * KIOSK_E_STATE when no PIN is set (or not enrolled): there is no default PIN, so service
 * mode must be refused; KIOSK_E_INVALID for a wrong or malformed PIN (kerr.h has no
 * "denied"); KIOSK_E_IO / KIOSK_E_NOMEM when mbedTLS fails. Costs `iterations` rounds of
 * HMAC-SHA256, ~0.2 s at 100,000 on an x86 build machine (more on the device): run it off
 * the UI thread; the caller limits attempts. */
KioskErr device_id_check_pin(const DeviceId *id, const char *pin);

/* Wrong service PINs in a row and the Unix time before which no PIN is taken, as last noted
 * (kept in DEVICE_ID_PIN_WAIT_FILE, so a restart does not end the wait). 0 and 0 when none. */
void device_id_pin_wait(const DeviceId *id, int *failures, int64_t *until);

/* Notes them durably (written whole, fsync'd, renamed); failures 0 removes the note.
 * KIOSK_E_FULL / KIOSK_E_IO when it cannot be kept (the wait then holds until a restart). */
KioskErr device_id_note_pin_wait(DeviceId *id, int failures, int64_t until);

/* Factory reset of the identity in dir (borrowed): overwrites the key file's bytes with
 * zeros and fsyncs them before unlinking it, unlinks the certificate, the record and any
 * leftover .tmp files, and fsyncs the directory. No DeviceId may be open on dir. The
 * overwrite is best effort against a later read of the disk (journals and flash wear
 * levelling may keep old blocks). KIOSK_OK when none of the files is left, also when none
 * was there; KIOSK_E_IO (logged) when one could not be removed; KIOSK_E_INVALID /
 * KIOSK_E_TOOBIG for a bad dir. */
KioskErr device_id_wipe(const char *dir);

#endif
