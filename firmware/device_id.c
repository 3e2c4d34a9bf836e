/* device_id.c: the device's own identity (see device_id.h): the P-256 key file, the CSR,
 * checking and storing what the service issued, the service PIN, and the factory wipe.
 * A DeviceId is used by one thread at a time. Files are reached through a descriptor of
 * the data directory (openat/renameat), so each one is created, replaced and synced in
 * that directory and never through a symlink. mbedTLS codes are logged here and mapped to
 * KioskErr; key bytes, PINs and PIN hashes are never logged. */
#include "device_id.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <mbedtls/config.h>
#include <mbedtls/constant_time.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/x509.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "fileio.h"
#include "log.h"

#define MOD "device_id"

#define DIR_MODE      0700
#define FILE_MODE     0600
#define TMP_SUFFIX    ".tmp"
#define NAME_MAX_LEN  32 /* our file names with TMP_SUFFIX */
#define KIND_MAX      8
#define SECONDS_A_DAY 86400
#define PERS          "kiosk-device-id" /* ctr_drbg personalisation */
#define PEM_CERT_TAG  "-----BEGIN CERTIFICATE-----"

/* The enrollment record, validated. */
typedef struct Record {
    char device_id[DEVICE_ID_IDENT_MAX + 1];
    char store[DEVICE_ID_IDENT_MAX + 1];
    char kind[KIND_MAX];
    int64_t enrolled_at;
    int64_t expires_at; /* 0 when the JSON did not give it */
    int heartbeat_s;
    bool has_pin;
    uint32_t pin_iterations;
    unsigned char pin_salt[DEVICE_ID_PIN_SALT_MAX];
    size_t pin_salt_len;
    unsigned char pin_hash[DEVICE_ID_PIN_HASH_LEN];
} Record;

struct DeviceId {
    char dir[DEVICE_ID_PATH_MAX];
    char key_path[DEVICE_ID_PATH_MAX];
    char cert_path[DEVICE_ID_PATH_MAX];
    mbedtls_pk_context key;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg; /* for key generation and ECDSA signatures */
    bool enrolled;
    Record rec;
    int64_t not_before, not_after; /* of the stored certificate, Unix seconds */
    int pin_failures;              /* wrong service PINs in a row, as noted */
    int64_t pin_wait_until;        /* Unix seconds */
};

/* The files device_id_wipe removes, key first. */
static const char *const FILES[] = {DEVICE_ID_KEY_FILE, DEVICE_ID_CERT_FILE, DEVICE_ID_RECORD_FILE,
                                    DEVICE_ID_PIN_WAIT_FILE};
#define FILE_COUNT (sizeof FILES / sizeof FILES[0])

/* ---- small helpers ------------------------------------------------------------------ */

static bool ident_ok(const char *s, size_t n)
{
    if (n < 1 || n > DEVICE_ID_IDENT_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

static int hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes exactly 2 * n hex digits into out[n]. */
static bool hex_decode(const char *hex, size_t hex_len, unsigned char *out, size_t n)
{
    if (hex_len != 2 * n)
        return false;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_val(hex[2 * i]), lo = hex_val(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return true;
}

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0xf];
    }
    out[2 * n] = '\0';
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm): no
 * timegm, no TZ, no locale. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* An X.509 time (UTC, ranges checked by the parser) as Unix seconds. */
static int64_t x509_unix(const mbedtls_x509_time *t)
{
    return days_from_civil(t->year, t->mon, t->day) * SECONDS_A_DAY + t->hour * 3600 + t->min * 60 +
           t->sec;
}

static bool is_p256(mbedtls_pk_context *pk)
{
    if (mbedtls_pk_get_type(pk) != MBEDTLS_PK_ECKEY)
        return false;
    return mbedtls_pk_ec(*pk)->grp.id == MBEDTLS_ECP_DP_SECP256R1;
}

static void free_secret(char *buf, size_t len)
{
    if (!buf)
        return;
    mbedtls_platform_zeroize(buf, len);
    free(buf);
}

/* ---- files in the data directory ---------------------------------------------------- */

/* Creates dir (0700) when missing, opens it and makes it 0700. *dfd is the caller's. */
static KioskErr open_data_dir(const char *dir, bool create, int *dfd)
{
    struct stat st;
    *dfd = -1;
    if (create && mkdir(dir, DIR_MODE) == 0)
        log_info(MOD, "created the data directory");
    else if (create && errno != EEXIST) {
        log_error(MOD, "cannot create the data directory: %s", strerror(errno));
        return fileio_err(errno);
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return KIOSK_E_NOTFOUND;
        log_error(MOD, "cannot open the data directory: %s", strerror(errno));
        return KIOSK_E_IO;
    }
    if (create) {
        /* The umask may have taken bits off (or the directory predates us). */
        if (fstat(fd, &st) != 0) {
            log_error(MOD, "cannot stat the data directory: %s", strerror(errno));
            close(fd);
            return KIOSK_E_IO;
        }
        if ((st.st_mode & 0777) != DIR_MODE) {
            log_warn(MOD, "data directory mode %03o: setting 0700", (unsigned)(st.st_mode & 0777));
            if (fchmod(fd, DIR_MODE) != 0) {
                log_error(MOD, "cannot chmod the data directory: %s", strerror(errno));
                close(fd);
                return KIOSK_E_IO;
            }
        }
    }
    *dfd = fd;
    return KIOSK_OK;
}

/* Reads a small regular file of the directory into a fresh NUL-terminated buffer (the
 * caller's; free_secret it when it held a key). KIOSK_E_NOTFOUND when absent,
 * KIOSK_E_STATE when it is not a regular file (a symlink included), KIOSK_E_TOOBIG over
 * max. A file others could read is tightened to 0600. */
static KioskErr read_file_at(int dfd, const char *name, size_t max, char **out, size_t *out_len)
{
    KioskErr err = KIOSK_E_IO;
    struct stat st;
    char *buf = NULL;
    size_t got = 0, size = 0;

    *out = NULL;
    *out_len = 0;
    int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT)
            return KIOSK_E_NOTFOUND;
        if (errno == ELOOP) {
            log_error(MOD, "%s is a symlink: refused", name);
            return KIOSK_E_STATE;
        }
        log_error(MOD, "cannot open %s: %s", name, strerror(errno));
        return KIOSK_E_IO;
    }
    if (fstat(fd, &st) != 0) {
        log_error(MOD, "cannot stat %s: %s", name, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        log_error(MOD, "%s is not a regular file: refused", name);
        err = KIOSK_E_STATE;
        goto out;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > max) {
        log_error(MOD, "%s is over %zu bytes: refused", name, max);
        err = KIOSK_E_TOOBIG;
        goto out;
    }
    if ((st.st_mode & 077) != 0) {
        log_warn(MOD, "%s mode %03o: tightening to 0600", name, (unsigned)(st.st_mode & 0777));
        if (fchmod(fd, FILE_MODE) != 0)
            log_warn(MOD, "cannot chmod %s: %s", name, strerror(errno));
    }
    size = (size_t)st.st_size;
    buf = malloc(size + 1);
    if (!buf) {
        err = KIOSK_E_NOMEM;
        goto out;
    }
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* shrank under us: take what is there, the parser judges it */
        got += (size_t)n;
    }
    buf[got] = '\0';
    *out = buf;
    *out_len = got;
    buf = NULL;
    err = KIOSK_OK;
out:
    free_secret(buf, size + 1);
    close(fd);
    return err;
}

static void tmp_name(const char *name, char tmp[NAME_MAX_LEN])
{
    snprintf(tmp, NAME_MAX_LEN, "%s" TMP_SUFFIX, name); /* our names are short */
}

/* Writes data to "<name>.tmp": created here (O_EXCL, 0600 whatever the umask), written
 * whole and fsync'd. commit_file renames it into place. */
static KioskErr stage_file(int dfd, const char *name, const char *data, size_t len)
{
    char tmp[NAME_MAX_LEN];
    KioskErr err;

    tmp_name(name, tmp);
    (void)unlinkat(dfd, tmp, 0); /* left over from a crash */
    int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, FILE_MODE);
    if (fd < 0) {
        log_error(MOD, "cannot create %s: %s", tmp, strerror(errno));
        return fileio_err(errno);
    }
    err = fchmod(fd, FILE_MODE) == 0 ? KIOSK_OK : KIOSK_E_IO;
    if (err == KIOSK_OK)
        err = fileio_write_all(fd, data, len);
    if (err == KIOSK_OK && fsync(fd) != 0)
        err = fileio_err(errno);
    if (close(fd) != 0 && err == KIOSK_OK)
        err = KIOSK_E_IO;
    if (err != KIOSK_OK) {
        log_error(MOD, "cannot write %s: %s", tmp, kerr_name(err));
        (void)unlinkat(dfd, tmp, 0);
    }
    return err;
}

static KioskErr commit_file(int dfd, const char *name)
{
    char tmp[NAME_MAX_LEN];
    tmp_name(name, tmp);
    if (renameat(dfd, tmp, dfd, name) != 0) {
        log_error(MOD, "cannot rename %s into place: %s", name, strerror(errno));
        return KIOSK_E_IO;
    }
    return KIOSK_OK;
}

static void drop_staged(int dfd, const char *name)
{
    char tmp[NAME_MAX_LEN];
    tmp_name(name, tmp);
    (void)unlinkat(dfd, tmp, 0);
}

/* fsync of the directory makes the renames themselves durable. */
static KioskErr sync_dir(int dfd)
{
    KioskErr err = fileio_sync_dirfd(dfd);
    if (err != KIOSK_OK)
        log_error(MOD, "cannot sync the data directory: %s", strerror(errno));
    return err;
}

/* ---- the key ------------------------------------------------------------------------ */

static KioskErr create_key(DeviceId *id, int dfd)
{
    unsigned char pem[DEVICE_ID_KEY_PEM_MAX];
    KioskErr err = KIOSK_E_IO;
    int rc;

    mbedtls_pk_free(&id->key);
    mbedtls_pk_init(&id->key);
    rc = mbedtls_pk_setup(&id->key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
    if (rc == 0)
        rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(id->key),
                                 mbedtls_ctr_drbg_random, &id->drbg);
    if (rc == 0)
        rc = mbedtls_pk_write_key_pem(&id->key, pem, sizeof pem);
    if (rc != 0) {
        log_error(MOD, "cannot make the device key (mbedtls -0x%04x)", (unsigned)-rc);
        goto out;
    }
    err = stage_file(dfd, DEVICE_ID_KEY_FILE, (const char *)pem, strlen((const char *)pem));
    if (err == KIOSK_OK)
        err = commit_file(dfd, DEVICE_ID_KEY_FILE);
    if (err == KIOSK_OK)
        err = sync_dir(dfd);
    if (err != KIOSK_OK) {
        drop_staged(dfd, DEVICE_ID_KEY_FILE);
        goto out;
    }
    log_info(MOD, "created a new device key (P-256)");
out:
    mbedtls_platform_zeroize(pem, sizeof pem);
    return err;
}

/* Loads the key file, or makes the key when there is none. A file that is there but is
 * not a P-256 private key is never replaced: KIOSK_E_STATE. */
static KioskErr load_key(DeviceId *id, int dfd)
{
    char *pem = NULL;
    size_t len = 0;
    KioskErr err = read_file_at(dfd, DEVICE_ID_KEY_FILE, DEVICE_ID_KEY_PEM_MAX, &pem, &len);
    if (err == KIOSK_E_NOTFOUND)
        return create_key(id, dfd);
    if (err == KIOSK_E_TOOBIG)
        err = KIOSK_E_STATE;
    if (err != KIOSK_OK)
        goto out;
    /* The length given to the parser counts the NUL of a PEM text. */
    int rc = mbedtls_pk_parse_key(&id->key, (const unsigned char *)pem, len + 1, NULL, 0);
    if (rc != 0 || !is_p256(&id->key)) {
        log_error(MOD,
                  "the device key file is not a P-256 private key (mbedtls -0x%04x): "
                  "refused, not replaced",
                  (unsigned)-rc);
        err = KIOSK_E_STATE;
        goto out;
    }
out:
    free_secret(pem, len + 1);
    return err;
}

/* ---- certificate and record --------------------------------------------------------- */

/* Parses a PEM certificate (chain) and checks that its first certificate holds our public
 * key. Gives its validity in Unix seconds. KIOSK_E_INVALID otherwise. */
static KioskErr check_cert(DeviceId *id, const char *pem, size_t len, int64_t *not_before,
                           int64_t *not_after)
{
    KioskErr err = KIOSK_E_INVALID;
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);

    if (!strstr(pem, PEM_CERT_TAG)) { /* libcurl is given the file as PEM */
        log_warn(MOD, "certificate is not PEM: refused");
        goto out;
    }
    int rc = mbedtls_x509_crt_parse(&crt, (const unsigned char *)pem, len + 1);
    if (rc != 0) {
        /* > 0: some certificates of a chain did not parse; refuse the lot */
        log_warn(MOD, "certificate does not parse (mbedtls %s0x%04x): refused", rc < 0 ? "-" : "",
                 (unsigned)(rc < 0 ? -rc : rc));
        goto out;
    }
    if (!is_p256(&crt.pk)) {
        log_warn(MOD, "certificate is not for a P-256 key: refused");
        goto out;
    }
    const mbedtls_ecp_keypair *theirs = mbedtls_pk_ec(crt.pk);
    const mbedtls_ecp_keypair *ours = mbedtls_pk_ec(id->key);
    if (theirs->grp.id != ours->grp.id || mbedtls_ecp_point_cmp(&theirs->Q, &ours->Q) != 0) {
        log_warn(MOD, "certificate is for another key: refused");
        goto out;
    }
    *not_before = x509_unix(&crt.valid_from);
    *not_after = x509_unix(&crt.valid_to);
    if (*not_after <= *not_before) {
        log_warn(MOD, "certificate validity is empty: refused");
        goto out;
    }
    err = KIOSK_OK;
out:
    mbedtls_x509_crt_free(&crt);
    return err;
}

/* A string member within bounds (no embedded NUL), or NULL. */
static const char *get_str(json_t *obj, const char *key, size_t max, size_t *len)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        return NULL;
    const char *s = json_string_value(v);
    *len = json_string_length(v);
    if (*len > max || strlen(s) != *len)
        return NULL;
    return s;
}

static bool get_int(json_t *obj, const char *key, json_int_t min, json_int_t max, json_int_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v))
        return false;
    *out = json_integer_value(v);
    return *out >= min && *out <= max;
}

static bool parse_pin(json_t *pin, Record *rec)
{
    const char *s;
    size_t n = 0;
    json_int_t iter;

    if (!json_is_object(pin))
        return false;
    s = get_str(pin, "algorithm", 32, &n);
    if (!s || strcmp(s, DEVICE_ID_PIN_ALGORITHM) != 0)
        return false;
    if (!get_int(pin, "iterations", DEVICE_ID_PIN_ITER_MIN, DEVICE_ID_PIN_ITER_MAX, &iter))
        return false;
    rec->pin_iterations = (uint32_t)iter;
    s = get_str(pin, "salt", 2 * DEVICE_ID_PIN_SALT_MAX, &n);
    if (!s || n % 2 != 0 || n / 2 < DEVICE_ID_PIN_SALT_MIN)
        return false;
    rec->pin_salt_len = n / 2;
    if (!hex_decode(s, n, rec->pin_salt, rec->pin_salt_len))
        return false;
    s = get_str(pin, "hash", 2 * DEVICE_ID_PIN_HASH_LEN, &n);
    if (!s || !hex_decode(s, n, rec->pin_hash, DEVICE_ID_PIN_HASH_LEN))
        return false;
    rec->has_pin = true;
    return true;
}

/* Validates a record (the format in device_id.h) into *rec. Unknown members are ignored
 * (a newer service may add some); what is stored is rebuilt from *rec. */
static KioskErr parse_record(const char *json, size_t len, Record *rec)
{
    KioskErr err = KIOSK_E_INVALID;
    json_error_t jerr;
    json_t *root = NULL, *v;
    const char *s;
    size_t n = 0;
    json_int_t i;

    memset(rec, 0, sizeof *rec);
    if (len > DEVICE_ID_RECORD_MAX)
        return KIOSK_E_TOOBIG;
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(root)) {
        log_warn(MOD, "record is not a JSON object (line %d): refused", jerr.line);
        goto out;
    }
    s = get_str(root, "device_id", DEVICE_ID_IDENT_MAX, &n);
    if (!s || !ident_ok(s, n)) {
        log_warn(MOD, "record: bad device_id");
        goto out;
    }
    memcpy(rec->device_id, s, n + 1);
    s = get_str(root, "store", DEVICE_ID_IDENT_MAX, &n);
    if (!s || !ident_ok(s, n)) {
        log_warn(MOD, "record: bad store");
        goto out;
    }
    memcpy(rec->store, s, n + 1);
    s = get_str(root, "kind", KIND_MAX - 1, &n);
    if (!s || (strcmp(s, "kiosk") != 0 && strcmp(s, "mirror") != 0)) {
        log_warn(MOD, "record: bad kind");
        goto out;
    }
    memcpy(rec->kind, s, n + 1);
    if (!get_int(root, "enrolled_at", 1, INT64_MAX, &i)) {
        log_warn(MOD, "record: bad enrolled_at");
        goto out;
    }
    rec->enrolled_at = i;
    v = json_object_get(root, "expires_at");
    if (v && !json_is_null(v)) {
        if (!get_int(root, "expires_at", 1, INT64_MAX, &i)) {
            log_warn(MOD, "record: bad expires_at");
            goto out;
        }
        rec->expires_at = i;
    }
    if (!get_int(root, "heartbeat_seconds", DEVICE_ID_HEARTBEAT_MIN, DEVICE_ID_HEARTBEAT_MAX, &i)) {
        log_warn(MOD, "record: bad heartbeat_seconds");
        goto out;
    }
    rec->heartbeat_s = (int)i;
    v = json_object_get(root, "service_pin");
    if (v && !json_is_null(v) && !parse_pin(v, rec)) {
        log_warn(MOD, "record: bad service_pin");
        goto out;
    }
    err = KIOSK_OK;
out:
    json_decref(root);
    if (err != KIOSK_OK)
        mbedtls_platform_zeroize(rec, sizeof *rec);
    return err;
}

/* The record as stored: only the fields we know, expires_at from the certificate.
 * The caller frees the text. NULL when out of memory. */
static char *dump_record(const Record *rec)
{
    char salt[2 * DEVICE_ID_PIN_SALT_MAX + 1], hash[2 * DEVICE_ID_PIN_HASH_LEN + 1];
    json_t *pin = json_null();
    char *text = NULL;

    if (rec->has_pin) {
        hex_encode(rec->pin_salt, rec->pin_salt_len, salt);
        hex_encode(rec->pin_hash, DEVICE_ID_PIN_HASH_LEN, hash);
        pin = json_pack("{s:s, s:I, s:s, s:s}", "algorithm", DEVICE_ID_PIN_ALGORITHM, "iterations",
                        (json_int_t)rec->pin_iterations, "salt", salt, "hash", hash);
        mbedtls_platform_zeroize(hash, sizeof hash);
        if (!pin)
            return NULL;
    }
    json_t *root = json_pack(
        "{s:s, s:s, s:s, s:I, s:I, s:o, s:i}", "device_id", rec->device_id, "store", rec->store,
        "kind", rec->kind, "enrolled_at", (json_int_t)rec->enrolled_at, "expires_at",
        (json_int_t)rec->expires_at, "service_pin", pin, "heartbeat_seconds", rec->heartbeat_s);
    if (root)
        text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root); /* json_pack's "o" took pin, even on failure */
    return text;
}

/* Loads certificate and record at open. Anything missing or wrong leaves the device NEW
 * (logged); the files stay for a technician to look at until enrollment replaces them. */
static void load_enrollment(DeviceId *id, int dfd)
{
    char *cert = NULL, *json = NULL;
    size_t cert_len = 0, json_len = 0;
    int64_t nb = 0, na = 0;
    Record rec;

    KioskErr err = read_file_at(dfd, DEVICE_ID_CERT_FILE, DEVICE_ID_CERT_MAX, &cert, &cert_len);
    KioskErr err2 =
        read_file_at(dfd, DEVICE_ID_RECORD_FILE, DEVICE_ID_RECORD_MAX, &json, &json_len);
    if (err == KIOSK_E_NOTFOUND && err2 == KIOSK_E_NOTFOUND) {
        log_info(MOD, "not enrolled yet");
        goto out;
    }
    if (err != KIOSK_OK || err2 != KIOSK_OK) {
        log_warn(MOD, "enrollment incomplete (certificate %s, record %s): enroll again",
                 kerr_name(err), kerr_name(err2));
        goto out;
    }
    if (check_cert(id, cert, cert_len, &nb, &na) != KIOSK_OK ||
        parse_record(json, json_len, &rec) != KIOSK_OK) {
        log_warn(MOD, "stored enrollment unusable: enroll again");
        goto out;
    }
    rec.expires_at = na; /* the certificate is the truth */
    id->rec = rec;
    id->not_before = nb;
    id->not_after = na;
    id->enrolled = true;
    log_info(MOD, "enrolled as %s in store %s", rec.device_id, rec.store);
out:
    free(cert);
    free_secret(json, json_len + 1); /* holds the PIN hash */
    mbedtls_platform_zeroize(&rec, sizeof rec);
}

/* ---- the handle --------------------------------------------------------------------- */

/* The wait after wrong PINs: "<failures> <until>\n". Anything else is no wait (and said). */
static void load_pin_wait(DeviceId *id, int dfd)
{
    char *text = NULL;
    size_t len = 0;
    if (read_file_at(dfd, DEVICE_ID_PIN_WAIT_FILE, 64, &text, &len) != KIOSK_OK)
        return;
    int failures = 0;
    long long until = 0;
    int used = 0;
    if (sscanf(text, "%d %lld%n", &failures, &until, &used) == 2 &&
        strcmp(text + used, "\n") == 0 && failures > 0 && failures < 1000 && until >= 0) {
        id->pin_failures = failures;
        id->pin_wait_until = until;
    } else {
        log_warn(MOD, "%s unreadable: ignored", DEVICE_ID_PIN_WAIT_FILE);
    }
    free(text);
}

DeviceId *device_id_open(const char *dir, KioskErr *err)
{
    KioskErr e = KIOSK_E_INVALID;
    DeviceId *id = NULL;
    int dfd = -1, rc;

    if (!dir || !*dir)
        goto out;
    /* Room for "<dir>/<longest name>". */
    if (strnlen(dir, DEVICE_ID_PATH_MAX) + 1 + sizeof DEVICE_ID_CERT_FILE > DEVICE_ID_PATH_MAX) {
        e = KIOSK_E_TOOBIG;
        goto out;
    }
    id = calloc(1, sizeof *id);
    if (!id) {
        e = KIOSK_E_NOMEM;
        goto out;
    }
    mbedtls_pk_init(&id->key);
    mbedtls_entropy_init(&id->entropy);
    mbedtls_ctr_drbg_init(&id->drbg);
    snprintf(id->dir, sizeof id->dir, "%s", dir);
    snprintf(id->key_path, sizeof id->key_path, "%s/%s", dir, DEVICE_ID_KEY_FILE);
    snprintf(id->cert_path, sizeof id->cert_path, "%s/%s", dir, DEVICE_ID_CERT_FILE);
    rc = mbedtls_ctr_drbg_seed(&id->drbg, mbedtls_entropy_func, &id->entropy,
                               (const unsigned char *)PERS, sizeof PERS - 1);
    if (rc != 0) {
        log_error(MOD, "cannot seed the random generator (mbedtls -0x%04x)", (unsigned)-rc);
        e = KIOSK_E_IO;
        goto out;
    }
    e = open_data_dir(dir, true, &dfd);
    if (e == KIOSK_E_NOTFOUND)
        e = KIOSK_E_IO; /* removed between mkdir and open */
    if (e != KIOSK_OK)
        goto out;
    e = load_key(id, dfd);
    if (e != KIOSK_OK)
        goto out;
    load_enrollment(id, dfd);
    load_pin_wait(id, dfd);
out:
    if (dfd >= 0)
        close(dfd);
    if (e != KIOSK_OK) {
        device_id_close(id);
        id = NULL;
    }
    if (err)
        *err = e;
    return id;
}

void device_id_close(DeviceId *id)
{
    if (!id)
        return;
    mbedtls_pk_free(&id->key); /* zeroizes the private scalar */
    mbedtls_ctr_drbg_free(&id->drbg);
    mbedtls_entropy_free(&id->entropy);
    mbedtls_platform_zeroize(id, sizeof *id);
    free(id);
}

DeviceIdState device_id_state(const DeviceId *id)
{
    return id && id->enrolled ? DEVICE_ID_ENROLLED : DEVICE_ID_NEW;
}

KioskErr device_id_days_left(const DeviceId *id, int64_t now, int64_t *days)
{
    if (!id || !days)
        return KIOSK_E_INVALID;
    if (!id->enrolled)
        return KIOSK_E_STATE;
    int64_t left = id->not_after - now;
    /* Rounded down, also below zero: one second after expiry is day -1. */
    *days = left >= 0 ? left / SECONDS_A_DAY : -((-left + SECONDS_A_DAY - 1) / SECONDS_A_DAY);
    return KIOSK_OK;
}

bool device_id_renewal_due(const DeviceId *id, int64_t now, int before_days)
{
    if (!id || !id->enrolled)
        return false;
    if (before_days <= 0)
        before_days = DEVICE_ID_RENEW_DAYS;
    int64_t remaining = id->not_after - now;
    int64_t lifetime = id->not_after - id->not_before; /* > 0, checked when stored */
    if (remaining <= 0)
        return true;
    /* remaining < lifetime / 3, without the rounding of an integer division */
    return 3 * remaining < lifetime || remaining < (int64_t)before_days * SECONDS_A_DAY;
}

KioskErr device_id_csr(DeviceId *id, const char *serial, char **pem)
{
    unsigned char buf[DEVICE_ID_CSR_MAX];
    char subject[DEVICE_ID_IDENT_MAX + sizeof DEVICE_ID_CSR_ORG + 8];
    mbedtls_x509write_csr csr;
    KioskErr err = KIOSK_E_INVALID;
    int rc;

    mbedtls_x509write_csr_init(&csr);
    if (!id || !serial || !pem)
        goto out;
    *pem = NULL;
    /* An identifier: nothing in it can end the CN or start another attribute. */
    if (!ident_ok(serial, strnlen(serial, DEVICE_ID_IDENT_MAX + 1))) {
        log_warn(MOD, "serial is not an identifier: no CSR");
        goto out;
    }
    snprintf(subject, sizeof subject, "CN=%s,O=%s", serial, DEVICE_ID_CSR_ORG);
    mbedtls_x509write_csr_set_md_alg(&csr, MBEDTLS_MD_SHA256);
    mbedtls_x509write_csr_set_key(&csr, &id->key);
    rc = mbedtls_x509write_csr_set_subject_name(&csr, subject);
    if (rc == 0)
        rc = mbedtls_x509write_csr_set_key_usage(&csr, MBEDTLS_X509_KU_DIGITAL_SIGNATURE);
    if (rc == 0)
        rc = mbedtls_x509write_csr_pem(&csr, buf, sizeof buf, mbedtls_ctr_drbg_random, &id->drbg);
    if (rc != 0) {
        log_error(MOD, "cannot make the CSR (mbedtls -0x%04x)", (unsigned)-rc);
        err = KIOSK_E_IO;
        goto out;
    }
    *pem = strdup((const char *)buf);
    err = *pem ? KIOSK_OK : KIOSK_E_NOMEM;
out:
    mbedtls_x509write_csr_free(&csr);
    return err;
}

KioskErr device_id_store_enrollment(DeviceId *id, const char *cert_pem, const char *record_json,
                                    int64_t now)
{
    KioskErr err = KIOSK_E_INVALID;
    int64_t nb = 0, na = 0;
    char *text = NULL;
    bool staged_cert = false, staged_rec = false;
    int dfd = -1;
    Record rec;

    memset(&rec, 0, sizeof rec);
    if (!id || !cert_pem || !record_json)
        goto out;
    size_t cert_len = strnlen(cert_pem, DEVICE_ID_CERT_MAX + 1);
    size_t json_len = strnlen(record_json, DEVICE_ID_RECORD_MAX + 1);
    if (cert_len > DEVICE_ID_CERT_MAX || json_len > DEVICE_ID_RECORD_MAX) {
        log_warn(MOD, "enrollment over its size limits: refused");
        err = KIOSK_E_TOOBIG;
        goto out;
    }
    err = check_cert(id, cert_pem, cert_len, &nb, &na);
    if (err != KIOSK_OK)
        goto out;
    /* Skew only at the start: a freshly issued certificate starts at the service's "now",
     * which may be a little ahead of ours; an expired one is of no use at all. */
    if (now < nb - DEVICE_ID_CLOCK_SKEW_S || now >= na) {
        log_warn(MOD, "certificate not valid now (%lld, valid %lld..%lld): refused", (long long)now,
                 (long long)nb, (long long)na);
        err = KIOSK_E_INVALID;
        goto out;
    }
    err = parse_record(record_json, json_len, &rec);
    if (err != KIOSK_OK)
        goto out;
    if (rec.expires_at != 0 && rec.expires_at != na) {
        log_warn(MOD, "record expires_at disagrees with the certificate: refused");
        err = KIOSK_E_INVALID;
        goto out;
    }
    rec.expires_at = na;
    text = dump_record(&rec);
    if (!text) {
        err = KIOSK_E_NOMEM;
        goto out;
    }

    err = open_data_dir(id->dir, false, &dfd);
    if (err == KIOSK_E_NOTFOUND)
        err = KIOSK_E_IO;
    if (err != KIOSK_OK)
        goto out;
    err = stage_file(dfd, DEVICE_ID_CERT_FILE, cert_pem, cert_len);
    staged_cert = err == KIOSK_OK;
    if (err == KIOSK_OK)
        err = stage_file(dfd, DEVICE_ID_RECORD_FILE, text, strlen(text));
    staged_rec = staged_cert && err == KIOSK_OK;
    /* The record goes in last: a certificate without its record is not an enrollment. */
    if (err == KIOSK_OK)
        err = commit_file(dfd, DEVICE_ID_CERT_FILE);
    if (err == KIOSK_OK)
        err = commit_file(dfd, DEVICE_ID_RECORD_FILE);
    if (err == KIOSK_OK)
        err = sync_dir(dfd);
    if (err != KIOSK_OK)
        goto out;
    staged_cert = staged_rec = false;
    id->rec = rec;
    id->not_before = nb;
    id->not_after = na;
    id->enrolled = true;
    log_info(MOD, "enrolled as %s in store %s, certificate valid until %lld", rec.device_id,
             rec.store, (long long)na);
out:
    if (staged_cert)
        drop_staged(dfd, DEVICE_ID_CERT_FILE);
    if (staged_rec)
        drop_staged(dfd, DEVICE_ID_RECORD_FILE);
    if (dfd >= 0)
        close(dfd);
    free(text);
    mbedtls_platform_zeroize(&rec, sizeof rec);
    return err;
}

/* ---- accessors ---------------------------------------------------------------------- */

const char *device_id_key_path(const DeviceId *id)
{
    return id ? id->key_path : NULL;
}

const char *device_id_cert_path(const DeviceId *id)
{
    return id && id->enrolled ? id->cert_path : NULL;
}

const char *device_id_id(const DeviceId *id)
{
    return id && id->enrolled ? id->rec.device_id : NULL;
}

const char *device_id_store(const DeviceId *id)
{
    return id && id->enrolled ? id->rec.store : NULL;
}

const char *device_id_kind(const DeviceId *id)
{
    return id && id->enrolled ? id->rec.kind : NULL;
}

int64_t device_id_enrolled_at(const DeviceId *id)
{
    return id && id->enrolled ? id->rec.enrolled_at : 0;
}

int64_t device_id_expires_at(const DeviceId *id)
{
    return id && id->enrolled ? id->not_after : 0;
}

int device_id_heartbeat_s(const DeviceId *id)
{
    return id && id->enrolled ? id->rec.heartbeat_s : 0;
}

bool device_id_has_pin(const DeviceId *id)
{
    return id && id->enrolled && id->rec.has_pin;
}

/* ---- the service PIN ---------------------------------------------------------------- */

KioskErr device_id_check_pin(const DeviceId *id, const char *pin)
{
    unsigned char derived[DEVICE_ID_PIN_HASH_LEN];
    mbedtls_md_context_t md;
    KioskErr err = KIOSK_E_INVALID;
    int rc;

    mbedtls_md_init(&md);
    if (!id || !pin)
        goto out;
    if (!device_id_has_pin(id)) {
        err = KIOSK_E_STATE; /* no default PIN: service mode stays closed */
        goto out;
    }
    size_t n = strnlen(pin, DEVICE_ID_PIN_MAX + 1);
    if (n < DEVICE_ID_PIN_MIN || n > DEVICE_ID_PIN_MAX)
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (pin[i] < '0' || pin[i] > '9')
            goto out;
    }
    rc = mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1 /* HMAC */);
    if (rc == 0)
        rc = mbedtls_pkcs5_pbkdf2_hmac(&md, (const unsigned char *)pin, n, id->rec.pin_salt,
                                       id->rec.pin_salt_len, id->rec.pin_iterations, sizeof derived,
                                       derived);
    if (rc != 0) {
        log_error(MOD, "cannot derive the PIN hash (mbedtls -0x%04x)", (unsigned)-rc);
        err = rc == MBEDTLS_ERR_MD_ALLOC_FAILED ? KIOSK_E_NOMEM : KIOSK_E_IO;
        goto out;
    }
    err = mbedtls_ct_memcmp(derived, id->rec.pin_hash, sizeof derived) == 0 ? KIOSK_OK
                                                                            : KIOSK_E_INVALID;
    if (err != KIOSK_OK)
        log_warn(MOD, "wrong service PIN");
out:
    mbedtls_md_free(&md);
    mbedtls_platform_zeroize(derived, sizeof derived);
    return err;
}

/* ---- factory reset ------------------------------------------------------------------ */

/* Overwrites a regular file's bytes with zeros in place and fsyncs them. A missing file,
 * or a symlink (unlinked as a name, never followed), is not an error. */
void device_id_pin_wait(const DeviceId *id, int *failures, int64_t *until)
{
    *failures = id ? id->pin_failures : 0;
    *until = id ? id->pin_wait_until : 0;
}

KioskErr device_id_note_pin_wait(DeviceId *id, int failures, int64_t until)
{
    if (!id || failures < 0)
        return KIOSK_E_INVALID;
    if (failures == id->pin_failures && until == id->pin_wait_until)
        return KIOSK_OK;
    int dfd = -1;
    KioskErr err = open_data_dir(id->dir, false, &dfd);
    if (err != KIOSK_OK)
        return err;
    if (failures == 0) {
        if (unlinkat(dfd, DEVICE_ID_PIN_WAIT_FILE, 0) != 0 && errno != ENOENT)
            err = KIOSK_E_IO;
    } else {
        char text[64];
        int n = snprintf(text, sizeof text, "%d %lld\n", failures, (long long)until);
        err = stage_file(dfd, DEVICE_ID_PIN_WAIT_FILE, text, (size_t)n);
        if (err == KIOSK_OK)
            err = commit_file(dfd, DEVICE_ID_PIN_WAIT_FILE);
        else
            drop_staged(dfd, DEVICE_ID_PIN_WAIT_FILE);
    }
    if (err == KIOSK_OK)
        err = sync_dir(dfd);
    close(dfd);
    if (err == KIOSK_OK) {
        id->pin_failures = failures;
        id->pin_wait_until = until;
    } else {
        log_error(MOD, "cannot note the wait after wrong PINs: %s", kerr_name(err));
    }
    return err;
}

static KioskErr zero_file(int dfd, const char *name)
{
    static const char zeros[4096];
    KioskErr err = KIOSK_OK;
    struct stat st;
    off_t done = 0;

    int fd = openat(dfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
    if (fd < 0)
        return errno == ENOENT || errno == ELOOP ? KIOSK_OK : KIOSK_E_IO;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        err = KIOSK_E_IO;
        goto out;
    }
    while (done < st.st_size) {
        size_t chunk =
            (size_t)(st.st_size - done) < sizeof zeros ? (size_t)(st.st_size - done) : sizeof zeros;
        ssize_t n = pwrite(fd, zeros, chunk, done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            err = KIOSK_E_IO;
            goto out;
        }
        done += n;
    }
    if (fsync(fd) != 0)
        err = KIOSK_E_IO;
out:
    close(fd);
    return err;
}

KioskErr device_id_wipe(const char *dir)
{
    char tmp[NAME_MAX_LEN];
    KioskErr err;
    int dfd = -1;
    bool left = false;

    if (!dir || !*dir)
        return KIOSK_E_INVALID;
    if (strnlen(dir, DEVICE_ID_PATH_MAX) >= DEVICE_ID_PATH_MAX)
        return KIOSK_E_TOOBIG;
    err = open_data_dir(dir, false, &dfd);
    if (err == KIOSK_E_NOTFOUND)
        return KIOSK_OK; /* no directory, no identity */
    if (err != KIOSK_OK)
        return err;

    tmp_name(DEVICE_ID_KEY_FILE, tmp);
    if (zero_file(dfd, DEVICE_ID_KEY_FILE) != KIOSK_OK || zero_file(dfd, tmp) != KIOSK_OK)
        log_error(MOD, "wipe: cannot overwrite the device key before removing it");
    for (size_t i = 0; i < FILE_COUNT; i++) {
        tmp_name(FILES[i], tmp);
        const char *names[2] = {FILES[i], tmp};
        for (size_t j = 0; j < 2; j++) {
            if (unlinkat(dfd, names[j], 0) != 0 && errno != ENOENT) {
                log_error(MOD, "wipe: cannot remove %s: %s", names[j], strerror(errno));
                left = true;
            }
        }
    }
    if (sync_dir(dfd) != KIOSK_OK)
        left = true; /* the names may come back after a power cut */
    close(dfd);
    if (left)
        return KIOSK_E_IO;
    log_info(MOD, "device identity wiped");
    return KIOSK_OK;
}
