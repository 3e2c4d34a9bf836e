/* test_device_id.c: the device identity on real files in a temp dir under /tmp: the key
 * file and directory modes, reloading the same key, the CSR (checked by mbedTLS and by
 * `openssl req -verify`), enrollment with a certificate from a throwaway openssl CA,
 * refusals that write nothing, renewal boundaries, the service PIN against a PBKDF2 hash
 * made by `openssl kdf`, and the wipe zeroing the key before unlinking it. Tests that need
 * the openssl tool to sign certificates are skipped without it. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>
#include <mbedtls/config.h>
#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "device_id.h"

#define DAY      86400
#define PIN      "4711"
#define PIN_SALT "00112233445566778899aabbccddeeff"

typedef struct Fixture {
    char root[64];   /* the temp dir: holds everything below */
    char data[128];  /* the data directory DeviceId manages (created by it) */
    char other[128]; /* a second data directory, for another key */
    char ca[128];    /* throwaway CA and scratch files */
    DeviceId *id;
    int64_t now;
} Fixture;

static bool have_openssl(void)
{
    return system("openssl version >/dev/null 2>&1") == 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->root, sizeof f->root, "/tmp/test-device-id-XXXXXX");
    assert_non_null(mkdtemp(f->root));
    snprintf(f->data, sizeof f->data, "%s/data", f->root);
    snprintf(f->other, sizeof f->other, "%s/other", f->root);
    snprintf(f->ca, sizeof f->ca, "%s/ca", f->root);
    assert_int_equal(mkdir(f->ca, 0700), 0);
    f->now = (int64_t)time(NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    device_id_close(f->id);
    nftw(f->root, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static DeviceId *open_ok(const char *dir)
{
    KioskErr err = KIOSK_E_IO;
    DeviceId *id = device_id_open(dir, &err);
    assert_int_equal(err, KIOSK_OK);
    assert_non_null(id);
    return id;
}

static void reopen(Fixture *f)
{
    device_id_close(f->id);
    f->id = open_ok(f->data);
}

static char *read_text(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = calloc(1, 65536);
    assert_non_null(buf);
    size_t n = fread(buf, 1, 65535, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 0777;
}

static bool exists(const char *dir, const char *name)
{
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return lstat(path, &st) == 0;
}

static int entries_in(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    }
    closedir(d);
    return n;
}

/* The public key of a CSR made by the handle: what the handle holds in memory. */
static void csr_key(DeviceId *id, mbedtls_pk_context *pk)
{
    char *pem = NULL;
    mbedtls_x509_csr csr;
    assert_int_equal(device_id_csr(id, "SN-1", &pem), KIOSK_OK);
    mbedtls_x509_csr_init(&csr);
    assert_int_equal(mbedtls_x509_csr_parse(&csr, (const unsigned char *)pem, strlen(pem) + 1), 0);
    /* Move the key out of the CSR: the CSR is freed, the key is the caller's. */
    *pk = csr.pk;
    mbedtls_pk_init(&csr.pk);
    mbedtls_x509_csr_free(&csr);
    free(pem);
}

static bool same_point(mbedtls_pk_context *a, mbedtls_pk_context *b)
{
    return mbedtls_pk_ec(*a)->grp.id == mbedtls_pk_ec(*b)->grp.id &&
           mbedtls_ecp_point_cmp(&mbedtls_pk_ec(*a)->Q, &mbedtls_pk_ec(*b)->Q) == 0;
}

/* A throwaway CA (P-256), once per test. */
static void make_ca(Fixture *f)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
             "-keyout %s/ca.key -out %s/ca.pem -days 3650 -subj /CN=Test-CA 2>/dev/null",
             f->ca, f->ca);
    assert_int_equal(system(cmd), 0);
}

/* The certificate the CA issues for id's CSR, valid for `days` from now. Caller frees. */
static char *issue_cert(Fixture *f, DeviceId *id, int days)
{
    char *csr = NULL, cmd[1024], csr_path[256], crt_path[256];
    if (!exists(f->ca, "ca.pem"))
        make_ca(f);
    assert_int_equal(device_id_csr(id, "SN-0001", &csr), KIOSK_OK);
    snprintf(csr_path, sizeof csr_path, "%s/req.pem", f->ca);
    snprintf(crt_path, sizeof crt_path, "%s/crt.pem", f->ca);
    write_text(csr_path, csr);
    free(csr);
    snprintf(cmd, sizeof cmd,
             "openssl x509 -req -in %s -CA %s/ca.pem -CAkey %s/ca.key -set_serial %ld "
             "-days %d -sha256 -out %s 2>/dev/null",
             csr_path, f->ca, f->ca, (long)random(), days, crt_path);
    assert_int_equal(system(cmd), 0);
    char *pem = read_text(crt_path);
    assert_non_null(pem);
    return pem;
}

/* notBefore / notAfter of a PEM certificate, by the C library's timegm. */
static void cert_times(const char *pem, int64_t *nb, int64_t *na)
{
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    assert_int_equal(mbedtls_x509_crt_parse(&crt, (const unsigned char *)pem, strlen(pem) + 1), 0);
    struct tm a = {.tm_year = crt.valid_from.year - 1900,
                   .tm_mon = crt.valid_from.mon - 1,
                   .tm_mday = crt.valid_from.day,
                   .tm_hour = crt.valid_from.hour,
                   .tm_min = crt.valid_from.min,
                   .tm_sec = crt.valid_from.sec};
    struct tm b = {.tm_year = crt.valid_to.year - 1900,
                   .tm_mon = crt.valid_to.mon - 1,
                   .tm_mday = crt.valid_to.day,
                   .tm_hour = crt.valid_to.hour,
                   .tm_min = crt.valid_to.min,
                   .tm_sec = crt.valid_to.sec};
    *nb = (int64_t)timegm(&a);
    *na = (int64_t)timegm(&b);
    mbedtls_x509_crt_free(&crt);
}

static char *record(const char *pin_json)
{
    char *r = NULL;
    assert_true(asprintf(&r,
                         "{\"device_id\": \"D000001\", \"store\": \"sea-ballard\", "
                         "\"kind\": \"kiosk\", \"enrolled_at\": 1795000000, "
                         "\"service_pin\": %s, \"heartbeat_seconds\": 60}",
                         pin_json) > 0);
    return r;
}

/* {"algorithm": ..., "hash": <openssl kdf of pin>} */
static char *pin_record(const char *pin, const char *salt_hex, int iterations)
{
    char cmd[512], line[256], hex[128];
    size_t n = 0;
    snprintf(cmd, sizeof cmd,
             "openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt pass:%s -kdfopt hexsalt:%s "
             "-kdfopt iter:%d PBKDF2",
             pin, salt_hex, iterations);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(line, sizeof line, p));
    assert_int_equal(pclose(p), 0);
    for (char *c = line; *c && n < sizeof hex - 1; c++) { /* "1D:44:..." */
        if (*c != ':' && *c != '\n')
            hex[n++] = *c;
    }
    hex[n] = '\0';
    assert_int_equal(n, 64);
    char *r = NULL;
    assert_true(asprintf(&r,
                         "{\"algorithm\": \"pbkdf2-sha256\", \"iterations\": %d, "
                         "\"salt\": \"%s\", \"hash\": \"%s\"}",
                         iterations, salt_hex, hex) > 0);
    return r;
}

/* Enrolls f->id with a fresh 90-day certificate and the given pin record. */
static char *enroll(Fixture *f, const char *pin_json)
{
    char *cert = issue_cert(f, f->id, 90);
    char *rec = record(pin_json);
    assert_int_equal(device_id_store_enrollment(f->id, cert, rec, f->now), KIOSK_OK);
    free(rec);
    return cert;
}

/* ---- the key ------------------------------------------------------------------------ */

static void key_is_0600_dir_0700_and_reloaded(void **state)
{
    Fixture *f = *state;
    char key_path[256];
    mbedtls_pk_context a, b, file;

    /* The modes must not depend on the umask: this one would make 0500 and 0400. */
    mode_t old = umask(0277);
    f->id = open_ok(f->data);
    umask(old);
    assert_int_equal(device_id_state(f->id), DEVICE_ID_NEW);
    snprintf(key_path, sizeof key_path, "%s/%s", f->data, DEVICE_ID_KEY_FILE);
    assert_string_equal(device_id_key_path(f->id), key_path);
    assert_null(device_id_cert_path(f->id));
    assert_null(device_id_id(f->id));
    assert_int_equal(mode_of(f->data), 0700);
    assert_int_equal(mode_of(key_path), 0600);
    assert_int_equal(entries_in(f->data), 1); /* no temp file left */
    char *pem1 = read_text(key_path);
    assert_non_null(strstr(pem1, "-----BEGIN EC PRIVATE KEY-----"));

    /* The file is the key the handle holds, and a second open loads the same one. */
    mbedtls_pk_init(&file);
    assert_int_equal(mbedtls_pk_parse_keyfile(&file, key_path, NULL), 0);
    assert_int_equal(mbedtls_pk_ec(file)->grp.id, MBEDTLS_ECP_DP_SECP256R1);
    csr_key(f->id, &a);
    reopen(f);
    csr_key(f->id, &b);
    assert_true(same_point(&a, &b));
    assert_true(same_point(&a, &file));
    char *pem2 = read_text(key_path);
    assert_string_equal(pem1, pem2);

    /* Another directory: another key. */
    old = umask(0); /* nor this one, which would make 0777 and 0666 */
    DeviceId *other = open_ok(f->other);
    umask(old);
    assert_int_equal(mode_of(f->other), 0700);
    assert_int_equal(mode_of(device_id_key_path(other)), 0600);
    mbedtls_pk_free(&b);
    csr_key(other, &b);
    assert_false(same_point(&a, &b));
    device_id_close(other);

    mbedtls_pk_free(&a);
    mbedtls_pk_free(&b);
    mbedtls_pk_free(&file);
    free(pem1);
    free(pem2);
}

static void loose_modes_are_tightened(void **state)
{
    Fixture *f = *state;
    char key_path[256];
    assert_int_equal(mkdir(f->data, 0755), 0);
    assert_int_equal(chmod(f->data, 0755), 0);
    f->id = open_ok(f->data);
    assert_int_equal(mode_of(f->data), 0700);
    snprintf(key_path, sizeof key_path, "%s/%s", f->data, DEVICE_ID_KEY_FILE);
    device_id_close(f->id);
    f->id = NULL;
    assert_int_equal(chmod(key_path, 0644), 0);
    f->id = open_ok(f->data);
    assert_int_equal(mode_of(key_path), 0600);
}

static void bad_key_file_is_refused_not_replaced(void **state)
{
    Fixture *f = *state;
    char key_path[256], link_target[256];
    KioskErr err = KIOSK_OK;

    assert_int_equal(mkdir(f->data, 0700), 0);
    snprintf(key_path, sizeof key_path, "%s/%s", f->data, DEVICE_ID_KEY_FILE);
    write_text(key_path, "not a key\n");
    assert_null(device_id_open(f->data, &err));
    assert_int_equal(err, KIOSK_E_STATE);
    char *text = read_text(key_path);
    assert_string_equal(text, "not a key\n");
    free(text);

    /* A symlink is not followed. */
    assert_int_equal(unlink(key_path), 0);
    snprintf(link_target, sizeof link_target, "%s/elsewhere.pem", f->ca);
    assert_int_equal(symlink(link_target, key_path), 0);
    err = KIOSK_OK;
    assert_null(device_id_open(f->data, &err));
    assert_int_equal(err, KIOSK_E_STATE);
    assert_false(exists(f->ca, "elsewhere.pem"));

    err = KIOSK_OK;
    assert_null(device_id_open(NULL, &err));
    assert_int_equal(err, KIOSK_E_INVALID);
    char long_dir[700];
    memset(long_dir, 'a', sizeof long_dir - 1);
    long_dir[sizeof long_dir - 1] = '\0';
    assert_null(device_id_open(long_dir, &err));
    assert_int_equal(err, KIOSK_E_TOOBIG);
}

/* ---- CSR ---------------------------------------------------------------------------- */

static void csr_parses_and_verifies(void **state)
{
    Fixture *f = *state;
    char *pem = NULL, dn[256], path[256], cmd[512];
    mbedtls_x509_csr csr;
    mbedtls_pk_context file;

    f->id = open_ok(f->data);
    assert_int_equal(device_id_csr(f->id, "SN-0001", &pem), KIOSK_OK);
    assert_non_null(strstr(pem, "-----BEGIN CERTIFICATE REQUEST-----"));
    mbedtls_x509_csr_init(&csr);
    assert_int_equal(mbedtls_x509_csr_parse(&csr, (const unsigned char *)pem, strlen(pem) + 1), 0);
    assert_true(mbedtls_x509_dn_gets(dn, sizeof dn, &csr.subject) > 0);
    assert_string_equal(dn, "CN=SN-0001, O=Northwind Store Devices");
    assert_int_equal(csr.sig_md, MBEDTLS_MD_SHA256);
    assert_int_equal(csr.sig_pk, MBEDTLS_PK_ECDSA);
    mbedtls_pk_init(&file);
    assert_int_equal(mbedtls_pk_parse_keyfile(&file, device_id_key_path(f->id), NULL), 0);
    assert_true(same_point(&csr.pk, &file));
    mbedtls_pk_free(&file);
    mbedtls_x509_csr_free(&csr);

    if (have_openssl()) {
        snprintf(path, sizeof path, "%s/req.pem", f->ca);
        write_text(path, pem);
        snprintf(cmd, sizeof cmd, "openssl req -verify -noout -in %s 2>/dev/null", path);
        assert_int_equal(system(cmd), 0);
        snprintf(cmd, sizeof cmd, "openssl req -noout -text -in %s | grep -q 'Digital Signature'",
                 path);
        assert_int_equal(system(cmd), 0);
    } else {
        print_message("openssl not found: CSR not checked with openssl\n");
    }
    free(pem);

    /* The serial is an identifier: nothing can be smuggled into the subject. */
    char long_serial[DEVICE_ID_IDENT_MAX + 2];
    memset(long_serial, 'A', sizeof long_serial - 1);
    long_serial[sizeof long_serial - 1] = '\0';
    const char *bad[] = {"", "SN,O=Evil", "SN 1", "SN/1", "SN\n1", long_serial};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pem = (char *)1;
        assert_int_equal(device_id_csr(f->id, bad[i], &pem), KIOSK_E_INVALID);
        assert_null(pem);
    }
    assert_int_equal(device_id_csr(f->id, NULL, &pem), KIOSK_E_INVALID);
    assert_int_equal(device_id_csr(NULL, "SN-1", &pem), KIOSK_E_INVALID);
}

/* ---- enrollment --------------------------------------------------------------------- */

static void ca_signed_cert_enrolls_and_survives_reopen(void **state)
{
    Fixture *f = *state;
    char path[256];
    int64_t nb, na, days = 0;
    if (!have_openssl())
        skip();
    f->id = open_ok(f->data);
    char *cert = enroll(f, "null");
    cert_times(cert, &nb, &na);

    assert_int_equal(device_id_state(f->id), DEVICE_ID_ENROLLED);
    assert_string_equal(device_id_id(f->id), "D000001");
    assert_string_equal(device_id_store(f->id), "sea-ballard");
    assert_string_equal(device_id_kind(f->id), "kiosk");
    assert_int_equal(device_id_enrolled_at(f->id), 1795000000);
    assert_int_equal(device_id_heartbeat_s(f->id), 60);
    assert_false(device_id_has_pin(f->id));
    assert_int_equal(device_id_expires_at(f->id), na);
    /* openssl reads the clock once for each end: they may be a second apart. */
    assert_in_range(na - nb, 90 * DAY, 90 * DAY + 1);
    assert_int_equal(device_id_days_left(f->id, f->now, &days), KIOSK_OK);
    assert_in_range(days, 89, 90);
    snprintf(path, sizeof path, "%s/%s", f->data, DEVICE_ID_CERT_FILE);
    assert_string_equal(device_id_cert_path(f->id), path);
    assert_int_equal(mode_of(path), 0600);
    char *stored = read_text(path);
    assert_string_equal(stored, cert);
    free(stored);
    snprintf(path, sizeof path, "%s/%s", f->data, DEVICE_ID_RECORD_FILE);
    assert_int_equal(mode_of(path), 0600);
    assert_int_equal(entries_in(f->data), 3); /* key, cert, record: no temp files */

    /* The stored record carries the certificate's expiry. */
    json_t *rec = json_load_file(path, 0, NULL);
    assert_non_null(rec);
    assert_int_equal(json_integer_value(json_object_get(rec, "expires_at")), na);
    assert_true(json_is_null(json_object_get(rec, "service_pin")));
    json_decref(rec);

    reopen(f);
    assert_int_equal(device_id_state(f->id), DEVICE_ID_ENROLLED);
    assert_string_equal(device_id_id(f->id), "D000001");
    assert_string_equal(device_id_store(f->id), "sea-ballard");
    assert_int_equal(device_id_expires_at(f->id), na);
    assert_int_equal(device_id_heartbeat_s(f->id), 60);

    /* A record without its certificate is not an enrollment. */
    snprintf(path, sizeof path, "%s/%s", f->data, DEVICE_ID_CERT_FILE);
    assert_int_equal(unlink(path), 0);
    reopen(f);
    assert_int_equal(device_id_state(f->id), DEVICE_ID_NEW);
    assert_null(device_id_cert_path(f->id));
    assert_int_equal(device_id_days_left(f->id, f->now, &days), KIOSK_E_STATE);
    free(cert);
}

static void cert_for_another_key_is_refused(void **state)
{
    Fixture *f = *state;
    char path[256];
    if (!have_openssl())
        skip();
    f->id = open_ok(f->data);
    DeviceId *other = open_ok(f->other);
    char *foreign = issue_cert(f, other, 90);
    device_id_close(other);
    char *rec = record("null");

    assert_int_equal(device_id_store_enrollment(f->id, foreign, rec, f->now), KIOSK_E_INVALID);
    assert_int_equal(device_id_state(f->id), DEVICE_ID_NEW);
    assert_int_equal(entries_in(f->data), 1); /* the key only */

    /* Enrolled: a foreign certificate changes nothing either. */
    char *mine = enroll(f, "null");
    snprintf(path, sizeof path, "%s/%s", f->data, DEVICE_ID_CERT_FILE);
    assert_int_equal(device_id_store_enrollment(f->id, foreign, rec, f->now), KIOSK_E_INVALID);
    char *stored = read_text(path);
    assert_string_equal(stored, mine);
    assert_int_equal(entries_in(f->data), 3);
    assert_int_equal(device_id_state(f->id), DEVICE_ID_ENROLLED);
    free(stored);
    free(mine);
    free(foreign);
    free(rec);
}

static void cert_outside_its_validity_is_refused(void **state)
{
    Fixture *f = *state;
    int64_t nb, na;
    if (!have_openssl())
        skip();
    f->id = open_ok(f->data);
    char *cert = issue_cert(f, f->id, 90);
    char *rec = record("null");
    cert_times(cert, &nb, &na);

    /* Expired: the clock far in the future, and at notAfter exactly. */
    assert_int_equal(device_id_store_enrollment(f->id, cert, rec, f->now + 365 * DAY),
                     KIOSK_E_INVALID);
    assert_int_equal(device_id_store_enrollment(f->id, cert, rec, na), KIOSK_E_INVALID);
    /* Not yet valid beyond the clock skew allowance. */
    assert_int_equal(device_id_store_enrollment(f->id, cert, rec, nb - DEVICE_ID_CLOCK_SKEW_S - 1),
                     KIOSK_E_INVALID);
    assert_int_equal(entries_in(f->data), 1);
    assert_int_equal(device_id_state(f->id), DEVICE_ID_NEW);

    /* Within the allowance, and the last second of validity, are accepted. */
    assert_int_equal(device_id_store_enrollment(f->id, cert, rec, nb - DEVICE_ID_CLOCK_SKEW_S),
                     KIOSK_OK);
    assert_int_equal(device_id_store_enrollment(f->id, cert, rec, na - 1), KIOSK_OK);
    assert_int_equal(device_id_state(f->id), DEVICE_ID_ENROLLED);
    free(cert);
    free(rec);
}

/* The most time left at which renewal is not yet due, by the documented policy: due when
 * remaining < lifetime / 3 or remaining < before_days, so not due while
 * remaining >= max(ceil(lifetime / 3), before_days). */
static int64_t last_quiet_remaining(int64_t nb, int64_t na, int before_days)
{
    int64_t third = (na - nb + 2) / 3;
    int64_t window = (int64_t)before_days * DAY;
    return third > window ? third : window;
}

static void renewal_due_at_its_boundaries(void **state)
{
    Fixture *f = *state;
    int64_t nb, na, r, days = 0;
    if (!have_openssl())
        skip();
    f->id = open_ok(f->data);
    assert_false(device_id_renewal_due(f->id, f->now, 0)); /* not enrolled: enroll instead */

    /* 90 days: a third of the lifetime and 30 days meet; renewal is due inside 30 days. */
    char *cert = enroll(f, "null");
    cert_times(cert, &nb, &na);
    r = last_quiet_remaining(nb, na, DEVICE_ID_RENEW_DAYS);
    assert_in_range(r, 30 * DAY, 30 * DAY + 1); /* the lifetime may be 90 days and 1 s */
    assert_false(device_id_renewal_due(f->id, f->now, 0));
    assert_false(device_id_renewal_due(f->id, na - r, 0));
    assert_true(device_id_renewal_due(f->id, na - r + 1, 0));
    assert_false(device_id_renewal_due(f->id, na - r, DEVICE_ID_RENEW_DAYS));
    assert_true(device_id_renewal_due(f->id, na - r + 1, DEVICE_ID_RENEW_DAYS));
    assert_false(device_id_renewal_due(f->id, na - r, -3)); /* <= 0: the default */
    assert_true(device_id_renewal_due(f->id, na - r + 1, -3));
    /* A wider window of the caller's, 45 days, is due sooner. */
    r = last_quiet_remaining(nb, na, 45);
    assert_int_equal(r, 45 * DAY);
    assert_false(device_id_renewal_due(f->id, na - r, 45));
    assert_true(device_id_renewal_due(f->id, na - r + 1, 45));
    /* A narrower one does not delay the third of the lifetime. */
    r = last_quiet_remaining(nb, na, 10);
    assert_in_range(r, 30 * DAY, 30 * DAY + 1);
    assert_false(device_id_renewal_due(f->id, na - r, 10));
    assert_true(device_id_renewal_due(f->id, na - r + 1, 10));
    /* Expired: always due. */
    assert_true(device_id_renewal_due(f->id, na - 1, 0));
    assert_true(device_id_renewal_due(f->id, na, 0));
    assert_true(device_id_renewal_due(f->id, na + 400 * DAY, 0));

    /* Days left, rounded down on both sides of the expiry. */
    assert_int_equal(device_id_days_left(f->id, na - 30 * DAY, &days), KIOSK_OK);
    assert_int_equal(days, 30);
    assert_int_equal(device_id_days_left(f->id, na - 30 * DAY + 1, &days), KIOSK_OK);
    assert_int_equal(days, 29);
    assert_int_equal(device_id_days_left(f->id, na - 1, &days), KIOSK_OK);
    assert_int_equal(days, 0);
    assert_int_equal(device_id_days_left(f->id, na, &days), KIOSK_OK);
    assert_int_equal(days, 0);
    assert_int_equal(device_id_days_left(f->id, na + 1, &days), KIOSK_OK);
    assert_int_equal(days, -1);
    assert_int_equal(device_id_days_left(f->id, na + DAY, &days), KIOSK_OK);
    assert_int_equal(days, -1);
    assert_int_equal(device_id_days_left(f->id, na + DAY + 1, &days), KIOSK_OK);
    assert_int_equal(days, -2);
    free(cert);

    /* A year (renewal through the same call): a third of it comes before 30 days. */
    cert = issue_cert(f, f->id, 365);
    char *rec = record("null");
    assert_int_equal(device_id_store_enrollment(f->id, cert, rec, f->now), KIOSK_OK);
    cert_times(cert, &nb, &na);
    assert_int_equal(device_id_expires_at(f->id), na);
    r = last_quiet_remaining(nb, na, DEVICE_ID_RENEW_DAYS);
    assert_in_range(r, 121 * DAY, 122 * DAY); /* 121 days and 16 hours */
    assert_false(device_id_renewal_due(f->id, na - r, 0));
    assert_true(device_id_renewal_due(f->id, na - r + 1, 0));
    /* A caller's window wider than a third wins in turn. */
    r = last_quiet_remaining(nb, na, 200);
    assert_int_equal(r, 200 * DAY);
    assert_false(device_id_renewal_due(f->id, na - r, 200));
    assert_true(device_id_renewal_due(f->id, na - r + 1, 200));
    free(cert);
    free(rec);
}

static void malformed_records_are_refused_and_write_nothing(void **state)
{
    Fixture *f = *state;
    int64_t nb, na;
    char buf[8192];
    if (!have_openssl())
        skip();
    f->id = open_ok(f->data);
    char *cert = issue_cert(f, f->id, 90);
    cert_times(cert, &nb, &na);

#define REC(fields)                                                                                \
    "{\"store\": \"sea-ballard\", \"kind\": \"kiosk\", \"enrolled_at\": 1795000000, " fields "}"
    const char *bad[] = {
        "",
        "not json",
        "[]",
        "{\"device_id\": \"D1\"}",
        REC("\"heartbeat_seconds\": 60"), /* no device_id */
        REC("\"device_id\": \"D 1\", \"heartbeat_seconds\": 60"),
        REC("\"device_id\": \"D/1\", \"heartbeat_seconds\": 60"),
        REC("\"device_id\": \"D\\u00e91\", \"heartbeat_seconds\": 60"),
        REC("\"device_id\": \"D\\u00001\", \"heartbeat_seconds\": 60"),
        REC("\"device_id\": \"\", \"heartbeat_seconds\": 60"),
        REC("\"device_id\": 7, \"heartbeat_seconds\": 60"),
        REC("\"device_id\": \"D1\", \"device_id\": \"D2\", \"heartbeat_seconds\": 60"),
        REC("\"device_id\": \"D1\", \"heartbeat_seconds\": 0"),
        REC("\"device_id\": \"D1\", \"heartbeat_seconds\": 86401"),
        REC("\"device_id\": \"D1\", \"heartbeat_seconds\": \"60\""),
        REC("\"device_id\": \"D1\""), /* no heartbeat_seconds */
        REC("\"device_id\": \"D1\", \"heartbeat_seconds\": 60, \"expires_at\": \"soon\""),
        REC("\"device_id\": \"D1\", \"heartbeat_seconds\": 60, \"service_pin\": \"4711\""),
        REC("\"device_id\": \"D1\", \"heartbeat_seconds\": 60, \"service_pin\": {}"),
        "{\"device_id\": \"D1\", \"store\": \"sea ballard\", \"kind\": \"kiosk\", "
        "\"enrolled_at\": 1795000000, \"heartbeat_seconds\": 60}",
        "{\"device_id\": \"D1\", \"store\": \"sea-ballard\", \"kind\": \"toaster\", "
        "\"enrolled_at\": 1795000000, \"heartbeat_seconds\": 60}",
        "{\"device_id\": \"D1\", \"store\": \"sea-ballard\", \"kind\": \"kiosk\", "
        "\"enrolled_at\": -5, \"heartbeat_seconds\": 60}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(device_id_store_enrollment(f->id, cert, bad[i], f->now), KIOSK_E_INVALID);
    }

    /* A device_id of 65 characters; 64 would do. */
    char ident[DEVICE_ID_IDENT_MAX + 2];
    memset(ident, 'D', sizeof ident - 1);
    ident[sizeof ident - 1] = '\0';
    snprintf(buf, sizeof buf, REC("\"device_id\": \"%s\", \"heartbeat_seconds\": 60"), ident);
    assert_int_equal(device_id_store_enrollment(f->id, cert, buf, f->now), KIOSK_E_INVALID);

    /* expires_at must agree with the certificate. */
    snprintf(buf, sizeof buf,
             REC("\"device_id\": \"D1\", \"heartbeat_seconds\": 60, \"expires_at\": %lld"),
             (long long)(na + 1));
    assert_int_equal(device_id_store_enrollment(f->id, cert, buf, f->now), KIOSK_E_INVALID);

    /* Over the size limit. */
    memset(buf, ' ', sizeof buf - 1);
    buf[sizeof buf - 1] = '\0';
    memcpy(buf, "{}", 2);
    assert_int_equal(device_id_store_enrollment(f->id, cert, buf, f->now), KIOSK_E_TOOBIG);

    /* PIN records out of bounds. */
    const char *bad_pins[] = {
        "{\"algorithm\": \"pbkdf2-sha1\", \"iterations\": 100000, \"salt\": \"" PIN_SALT
        "\", \"hash\": \"" PIN_SALT PIN_SALT "\"}",
        "{\"algorithm\": \"pbkdf2-sha256\", \"iterations\": 9999, \"salt\": \"" PIN_SALT
        "\", \"hash\": \"" PIN_SALT PIN_SALT "\"}",
        "{\"algorithm\": \"pbkdf2-sha256\", \"iterations\": 1000001, \"salt\": \"" PIN_SALT
        "\", \"hash\": \"" PIN_SALT PIN_SALT "\"}",
        "{\"algorithm\": \"pbkdf2-sha256\", \"iterations\": 100000, \"salt\": \"0011\", "
        "\"hash\": \"" PIN_SALT PIN_SALT "\"}", /* 2-byte salt */
        "{\"algorithm\": \"pbkdf2-sha256\", \"iterations\": 100000, \"salt\": \"" PIN_SALT
        "\", \"hash\": \"" PIN_SALT "\"}", /* 16-byte hash */
        "{\"algorithm\": \"pbkdf2-sha256\", \"iterations\": 100000, \"salt\": \"" PIN_SALT
        "\", \"hash\": \"zz" PIN_SALT PIN_SALT "\"}",
        "{\"algorithm\": \"pbkdf2-sha256\", \"iterations\": 100000, \"salt\": \"0g1122334455667"
        "7\", \"hash\": \"" PIN_SALT PIN_SALT "\"}", /* not hex */
        "{\"algorithm\": \"pbkdf2-sha256\", \"salt\": \"" PIN_SALT
        "\", \"hash\": \"" PIN_SALT PIN_SALT "\"}", /* no iterations */
    };
    for (size_t i = 0; i < sizeof bad_pins / sizeof bad_pins[0]; i++) {
        char *rec = record(bad_pins[i]);
        assert_int_equal(device_id_store_enrollment(f->id, cert, rec, f->now), KIOSK_E_INVALID);
        free(rec);
    }

    /* Certificates that are not one. */
    char *rec = record("null");
    const char *bad_certs[] = {"", "garbage",
                               ("-----BEGIN CERTIFICATE-----\nAAAA\n"
                                "-----END CERTIFICATE-----\n")};
    for (size_t i = 0; i < sizeof bad_certs / sizeof bad_certs[0]; i++)
        assert_int_equal(device_id_store_enrollment(f->id, bad_certs[i], rec, f->now),
                         KIOSK_E_INVALID);
    assert_int_equal(device_id_store_enrollment(f->id, NULL, rec, f->now), KIOSK_E_INVALID);
    assert_int_equal(device_id_store_enrollment(f->id, cert, NULL, f->now), KIOSK_E_INVALID);

    assert_int_equal(device_id_state(f->id), DEVICE_ID_NEW);
    assert_int_equal(entries_in(f->data), 1); /* nothing was written */

    /* The well-formed one: 64-character ids, unknown members ignored and not stored. */
    memset(ident, 'D', sizeof ident - 1);
    ident[DEVICE_ID_IDENT_MAX] = '\0';
    snprintf(buf, sizeof buf,
             REC("\"device_id\": \"%s\", \"heartbeat_seconds\": 60, \"expires_at\": %lld, "
                 "\"future\": {\"x\": 1}"),
             ident, (long long)na);
    assert_int_equal(device_id_store_enrollment(f->id, cert, buf, f->now), KIOSK_OK);
    assert_string_equal(device_id_id(f->id), ident);
    char path[256];
    snprintf(path, sizeof path, "%s/%s", f->data, DEVICE_ID_RECORD_FILE);
    char *stored = read_text(path);
    assert_null(strstr(stored, "future"));
    free(stored);
#undef REC
    free(rec);
    free(cert);
}

/* ---- the service PIN ---------------------------------------------------------------- */

static void pin_from_openssl_verifies(void **state)
{
    Fixture *f = *state;
    if (!have_openssl())
        skip();
    f->id = open_ok(f->data);
    assert_int_equal(device_id_check_pin(f->id, PIN), KIOSK_E_STATE); /* not enrolled */

    char *pin = pin_record(PIN, PIN_SALT, 100000);
    char *cert = enroll(f, pin);
    assert_true(device_id_has_pin(f->id));
    assert_int_equal(device_id_check_pin(f->id, PIN), KIOSK_OK);
    assert_int_equal(device_id_check_pin(f->id, "4712"), KIOSK_E_INVALID);
    assert_int_equal(device_id_check_pin(f->id, "47110"), KIOSK_E_INVALID);
    const char *malformed[] = {"", "471", "47a1", " 4711", "4711\n", "1234567890123"};
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++)
        assert_int_equal(device_id_check_pin(f->id, malformed[i]), KIOSK_E_INVALID);
    assert_int_equal(device_id_check_pin(f->id, NULL), KIOSK_E_INVALID);
    assert_int_equal(device_id_check_pin(NULL, PIN), KIOSK_E_INVALID);

    /* It survives a restart; the stored hash is openssl's. */
    reopen(f);
    assert_int_equal(device_id_check_pin(f->id, PIN), KIOSK_OK);
    assert_int_equal(device_id_check_pin(f->id, "0000"), KIOSK_E_INVALID);
    free(cert);
    free(pin);

    /* Twelve digits, another salt length, the fewest iterations allowed. */
    pin = pin_record("123456789012", "a1b2c3d4e5f60718", DEVICE_ID_PIN_ITER_MIN);
    char *rec = record(pin);
    cert = issue_cert(f, f->id, 90);
    assert_int_equal(device_id_store_enrollment(f->id, cert, rec, f->now), KIOSK_OK);
    assert_int_equal(device_id_check_pin(f->id, "123456789012"), KIOSK_OK);
    assert_int_equal(device_id_check_pin(f->id, PIN), KIOSK_E_INVALID);
    free(rec);
    free(pin);

    /* Every byte of the hash counts: the last one changed refuses the right PIN. */
    pin = pin_record(PIN, PIN_SALT, 100000);
    char *last = strstr(pin, "\"}") - 1; /* the hash's last hex digit */
    *last = *last == '0' ? '1' : '0';
    rec = record(pin);
    assert_int_equal(device_id_store_enrollment(f->id, cert, rec, f->now), KIOSK_OK);
    assert_int_equal(device_id_check_pin(f->id, PIN), KIOSK_E_INVALID);
    free(rec);
    free(pin);

    /* No PIN set: no default PIN, service mode stays closed. */
    rec = record("null");
    assert_int_equal(device_id_store_enrollment(f->id, cert, rec, f->now), KIOSK_OK);
    assert_false(device_id_has_pin(f->id));
    assert_int_equal(device_id_check_pin(f->id, PIN), KIOSK_E_STATE);
    assert_int_equal(device_id_check_pin(f->id, "0000"), KIOSK_E_STATE);
    free(rec);
    free(cert);
}

/* ---- the wait after wrong PINs ---------------------------------------------------------- */

static int file_mode(const char *dir, const char *name)
{
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

static void pin_wait_outlives_a_restart(void **state)
{
    Fixture *f = *state;
    int failures = -1;
    int64_t until = -1;
    f->id = open_ok(f->data);
    device_id_pin_wait(f->id, &failures, &until);
    assert_int_equal(failures, 0);
    assert_int_equal(until, 0);
    /* Noted, kept owner-only, and read again at the next start. */
    assert_int_equal(device_id_note_pin_wait(f->id, 3, f->now + 30), KIOSK_OK);
    assert_int_equal(file_mode(f->data, DEVICE_ID_PIN_WAIT_FILE), 0600);
    reopen(f);
    device_id_pin_wait(f->id, &failures, &until);
    assert_int_equal(failures, 3);
    assert_int_equal(until, f->now + 30);
    /* The right PIN ends it: the note goes. */
    assert_int_equal(device_id_note_pin_wait(f->id, 0, 0), KIOSK_OK);
    assert_int_equal(file_mode(f->data, DEVICE_ID_PIN_WAIT_FILE), -1);
    reopen(f);
    device_id_pin_wait(f->id, &failures, &until);
    assert_int_equal(failures, 0);
    assert_int_equal(device_id_note_pin_wait(f->id, -1, 0), KIOSK_E_INVALID);
    /* A note that is not ours (garbage, a negative count, no newline) is no wait. */
    static const char *const bad[] = {"garbage\n", "-4 100\n", "3 100", "3 100\nmore", ""};
    char path[256];
    snprintf(path, sizeof path, "%s/%s", f->data, DEVICE_ID_PIN_WAIT_FILE);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_text(path, bad[i]);
        reopen(f);
        device_id_pin_wait(f->id, &failures, &until);
        assert_int_equal(failures, 0);
    }
    /* The factory reset takes it with the rest. */
    assert_int_equal(device_id_note_pin_wait(f->id, 5, f->now + 120), KIOSK_OK);
    device_id_close(f->id);
    f->id = NULL;
    assert_int_equal(device_id_wipe(f->data), KIOSK_OK);
    assert_int_equal(file_mode(f->data, DEVICE_ID_PIN_WAIT_FILE), -1);
}

/* ---- wipe --------------------------------------------------------------------------- */

static void wipe_zeroes_the_key_and_leaves_nothing(void **state)
{
    Fixture *f = *state;
    char key_path[256], link_path[256];
    struct stat st;
    mbedtls_pk_context before, after;
    if (!have_openssl())
        skip();
    f->id = open_ok(f->data);
    char *cert = enroll(f, "null");
    csr_key(f->id, &before);
    device_id_close(f->id);
    f->id = NULL;

    /* A second name for the key file's inode shows what wipe did to its bytes. */
    snprintf(key_path, sizeof key_path, "%s/%s", f->data, DEVICE_ID_KEY_FILE);
    snprintf(link_path, sizeof link_path, "%s/key-link", f->ca);
    assert_int_equal(link(key_path, link_path), 0);
    assert_int_equal(stat(key_path, &st), 0);
    off_t size = st.st_size;
    assert_true(size > 100);
    /* And a stale temp file from an interrupted write. */
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s/%s.tmp", f->data, DEVICE_ID_RECORD_FILE);
    write_text(tmp, "{}");

    assert_int_equal(device_id_wipe(f->data), KIOSK_OK);
    assert_false(exists(f->data, DEVICE_ID_KEY_FILE));
    assert_false(exists(f->data, DEVICE_ID_CERT_FILE));
    assert_false(exists(f->data, DEVICE_ID_RECORD_FILE));
    assert_int_equal(entries_in(f->data), 0);

    FILE *fp = fopen(link_path, "rb");
    assert_non_null(fp);
    unsigned char buf[8192];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    assert_int_equal(n, (size_t)size);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(buf[i], 0);

    /* Nothing left, nothing there: still fine. */
    assert_int_equal(device_id_wipe(f->data), KIOSK_OK);
    char missing[256];
    snprintf(missing, sizeof missing, "%s/never-made", f->root);
    assert_int_equal(device_id_wipe(missing), KIOSK_OK);
    assert_int_equal(device_id_wipe(NULL), KIOSK_E_INVALID);

    /* The next start is a new device with a new key. */
    f->id = open_ok(f->data);
    assert_int_equal(device_id_state(f->id), DEVICE_ID_NEW);
    csr_key(f->id, &after);
    assert_false(same_point(&before, &after));
    mbedtls_pk_free(&before);
    mbedtls_pk_free(&after);
    free(cert);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(key_is_0600_dir_0700_and_reloaded, setup, teardown),
        cmocka_unit_test_setup_teardown(loose_modes_are_tightened, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_key_file_is_refused_not_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(csr_parses_and_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(ca_signed_cert_enrolls_and_survives_reopen, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(cert_for_another_key_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(cert_outside_its_validity_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(renewal_due_at_its_boundaries, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_records_are_refused_and_write_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(pin_from_openssl_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(pin_wait_outlives_a_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(wipe_zeroes_the_key_and_leaves_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
