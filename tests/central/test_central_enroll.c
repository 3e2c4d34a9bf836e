/* test_central_enroll.c: device enrollment and mutual TLS against the real central, started
 * with the device CA and --client-ca: one-time enrollment codes (used once, expired,
 * unknown, the wrong kind), CSRs the service refuses (RSA, a broken signature, not a CSR),
 * the certificate it signs (openssl verifies it against device-ca.pem, CN = the device id),
 * device calls with and without it or with another CA's, revocation, re-enrollment and
 * renewal superseding the old certificate, heartbeat commands delivered once, the service
 * PIN (weak ones refused, the record recomputed here with mbedTLS's PBKDF2), the fleet, the
 * console page and its QR codes, and a service without a device CA. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <mbedtls/md.h>
#include <mbedtls/pkcs5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define PATH_SIZE (HARNESS_PATH_MAX + 32)

static int setup(void **state)
{
    static TestCentral tc;
    if (harness_start_devices(&tc, true, NULL) != 0)
        return -1;
    *state = &tc;
    return 0;
}

static int teardown(void **state)
{
    harness_stop(*state);
    return 0;
}

static void expect_code(const Resp *r, long status, const char *code)
{
    char got[64];
    if (r->status != status || !resp_is_error(r, got) || strcmp(got, code) != 0)
        fail_msg("expected %ld %s, got %ld %s", status, code, r->status, r->body ? r->body : "");
}

/* A device call with NAME.pem / NAME-key.pem, or no certificate when name is NULL. */
static int call_as(const TestCentral *tc, const char *name, const char *method, const char *path,
                   const char *body, Resp *out)
{
    char cert[PATH_SIZE], key[PATH_SIZE];
    if (!name)
        return harness_call_as(tc, NULL, NULL, method, path, body, out);
    harness_device_files(tc, name, cert, key, sizeof cert);
    return harness_call_as(tc, cert, key, method, path, body, out);
}

static void heartbeat(const TestCentral *tc, const char *name, const char *device, Resp *out)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/devices/%s/heartbeat", device);
    assert_int_equal(call_as(tc, name, "POST", path, "{\"online\":true}", out), 0);
}

/* Enrolls SERIAL as NAME and copies the device id (32 bytes). */
static void enroll(const TestCentral *tc, const char *store, const char *kind, const char *serial,
                   const char *name, long expect, char *id)
{
    Resp r;
    assert_int_equal(harness_enroll(tc, store, kind, serial, name, &r), 0);
    if (r.status != expect)
        fail_msg("enroll %s: %ld %s", serial, r.status, r.body ? r.body : "");
    snprintf(id, 32, "%s", json_string_value(json_object_get(r.json, "device_id")));
    resp_free(&r);
}

/* Runs a shell command in the test folder; its exit status. */
static int sh(const TestCentral *tc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sh(const TestCentral *tc, const char *fmt, ...)
{
    char cmd[2048];
    int n = snprintf(cmd, sizeof cmd, "cd '%s' && ", tc->dir);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd + n, sizeof cmd - (size_t)n, fmt, ap);
    va_end(ap);
    return system(cmd);
}

/* The first line a shell command prints (in the test folder), without its newline. */
static void sh_line(const TestCentral *tc, const char *command, char *out, size_t size)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && %s", tc->dir, command);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    out[0] = '\0';
    if (!fgets(out, (int)size, p))
        out[0] = '\0';
    pclose(p);
    out[strcspn(out, "\r\n")] = '\0';
}

static char *read_text(const TestCentral *tc, const char *name)
{
    char path[PATH_SIZE];
    harness_path(tc, name, path, sizeof path);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 65536);
    size_t n = fread(buf, 1, 65535, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void write_text(const TestCentral *tc, const char *name, const char *text)
{
    char path[PATH_SIZE];
    harness_path(tc, name, path, sizeof path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    fclose(f);
}

/* PBKDF2-HMAC-SHA256 of pin with a hex salt, as hex: recomputed here with mbedTLS, not the
 * service's GnuTLS. */
static void pbkdf2_hex(const char *pin, const char *salt_hex, int iterations, char out[65])
{
    unsigned char salt[16], key[32];
    assert_int_equal(strlen(salt_hex), 32);
    for (size_t i = 0; i < sizeof salt; i++) {
        unsigned byte = 0;
        assert_int_equal(sscanf(salt_hex + 2 * i, "%2x", &byte), 1);
        salt[i] = (unsigned char)byte;
    }
    mbedtls_md_context_t md;
    mbedtls_md_init(&md);
    assert_int_equal(mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1), 0);
    assert_int_equal(mbedtls_pkcs5_pbkdf2_hmac(&md, (const unsigned char *)pin, strlen(pin), salt,
                                               sizeof salt, (unsigned)iterations, sizeof key, key),
                     0);
    mbedtls_md_free(&md);
    for (size_t i = 0; i < sizeof key; i++)
        snprintf(out + 2 * i, 3, "%02x", key[i]);
}

/* The PIN record in a reply's config verifies pin, and nothing in the reply is the PIN. */
static void expect_pin_record(const Resp *r, const char *pin)
{
    json_t *rec = json_object_get(json_object_get(r->json, "config"), "service_pin");
    char hash[65], quoted[32];
    assert_true(json_is_object(rec));
    assert_string_equal(json_string_value(json_object_get(rec, "algorithm")), "pbkdf2-sha256");
    assert_int_equal(json_integer_value(json_object_get(rec, "iterations")), 100000);
    assert_int_equal(strlen(json_string_value(json_object_get(rec, "hash"))), 64);
    pbkdf2_hex(pin, json_string_value(json_object_get(rec, "salt")),
               (int)json_integer_value(json_object_get(rec, "iterations")), hash);
    assert_string_equal(hash, json_string_value(json_object_get(rec, "hash")));
    snprintf(quoted, sizeof quoted, "\"%s\"", pin);
    assert_null(strstr(r->body, quoted));
}

static void test_enroll_and_mutual_tls(void **state)
{
    TestCentral *tc = *state;
    Resp r;
    char id[32], line[256], path[96];
    assert_int_equal(harness_enroll(tc, "sea-ballard", "kiosk", "SN-E1", "dev1", &r), 0);
    assert_int_equal(r.status, 201);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(r.json, "device_id")));
    assert_true(id[0] == 'D' && strlen(id) == 7);
    assert_string_equal(json_string_value(json_object_get(r.json, "store")), "sea-ballard");
    assert_string_equal(json_string_value(json_object_get(r.json, "kind")), "kiosk");
    assert_string_equal(json_string_value(json_object_get(r.json, "auth")), "client_certificate");
    assert_true(json_integer_value(
                    json_object_get(json_object_get(r.json, "config"), "heartbeat_seconds")) > 0);
    assert_true(json_is_string(json_object_get(r.json, "expires_at")));
    /* The CA the device should trust for the service is the one that issued server.pem. */
    const char *served_ca = json_string_value(json_object_get(r.json, "ca_certificate"));
    assert_non_null(served_ca);
    write_text(tc, "served-ca.pem", served_ca);
    resp_free(&r);
    assert_int_equal(sh(tc, "openssl verify -CAfile served-ca.pem server.pem >/dev/null 2>&1"), 0);

    /* The certificate: from the device CA, for client authentication, CN = the device id. */
    assert_int_equal(
        sh(tc, "openssl verify -CAfile device-ca.pem -purpose sslclient dev1.pem >/dev/null 2>&1"),
        0);
    assert_int_not_equal(sh(tc, "openssl verify -CAfile ca.pem dev1.pem >/dev/null 2>&1"), 0);
    sh_line(tc, "openssl x509 -in dev1.pem -noout -subject -nameopt RFC2253", line, sizeof line);
    char want[64];
    snprintf(want, sizeof want, "subject=CN=%s", id);
    assert_string_equal(line, want);
    sh_line(tc, "openssl x509 -in dev1.pem -noout -ext basicConstraints | tail -1", line,
            sizeof line);
    assert_non_null(strstr(line, "CA:FALSE"));

    /* With the certificate: accepted. */
    heartbeat(tc, "dev1", id, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "device_id")), id);
    assert_int_equal(json_array_size(json_object_get(r.json, "commands")), 0);
    assert_true(json_is_string(json_object_get(r.json, "certificate_expires_at")));
    assert_true(json_is_false(json_object_get(r.json, "renew_certificate")));
    resp_free(&r);

    /* Without one: refused. */
    heartbeat(tc, NULL, id, &r);
    expect_code(&r, 401, "client_certificate_required");
    resp_free(&r);

    /* Another CA's certificate: the handshake fails or the call is refused, never served. */
    snprintf(path, sizeof path, "/v1/devices/%s/heartbeat", id);
    int rc = call_as(tc, "other-client", "POST", path, "{}", &r);
    assert_false(rc == 0 && r.status == 200);
    if (rc == 0)
        expect_code(&r, 401, "client_certificate_required");
    resp_free(&r);

    /* The operator's certificate (trusted, but no device's): not a device. */
    assert_int_equal(harness_operator(tc, "POST", path, "{}", &r), 0);
    expect_code(&r, 401, "device_unknown");
    resp_free(&r);

    /* The device's certificate for another device's path, and for operator calls. */
    heartbeat(tc, "dev1", "D999999", &r);
    expect_code(&r, 403, "wrong_device");
    resp_free(&r);
    assert_int_equal(call_as(tc, "dev1", "POST", "/v1/admin/enrollment-codes",
                             "{\"store\":\"sea-ballard\",\"kind\":\"kiosk\"}", &r),
                     0);
    expect_code(&r, 403, "operator_certificate_required");
    resp_free(&r);
    assert_int_equal(call_as(tc, NULL, "POST", "/v1/admin/enrollment-codes",
                             "{\"store\":\"sea-ballard\",\"kind\":\"kiosk\"}", &r),
                     0);
    expect_code(&r, 401, "client_certificate_required");
    resp_free(&r);
}

static void post_enroll(const TestCentral *tc, const char *serial, const char *code,
                        const char *kind, const char *name, Resp *r)
{
    char *body = harness_enroll_body(tc, serial, code, kind, name);
    assert_non_null(body);
    assert_int_equal(harness_post(tc, "/v1/devices/enroll", body, r), 0);
    free(body);
}

static void test_enrollment_codes(void **state)
{
    TestCentral *tc = *state;
    Resp r;
    char code[HARNESS_CODE_MAX], path[96];

    /* The shape: XXXX-XXXX from the unambiguous alphabet, 30 minutes, the QR's text. */
    assert_int_equal(harness_operator(tc, "POST", "/v1/admin/enrollment-codes",
                                      "{\"store\":\"sea-fremont\",\"kind\":\"mirror\"}", &r),
                     0);
    assert_int_equal(r.status, 201);
    snprintf(code, sizeof code, "%s", json_string_value(json_object_get(r.json, "code")));
    assert_int_equal(strlen(code), 9);
    assert_int_equal(code[4], '-');
    for (int i = 0; i < 9; i++)
        assert_true(i == 4 || strchr("23456789ABCDEFGHJKMNPQRSTUVWXYZ", code[i]));
    char qr[32];
    snprintf(qr, sizeof qr, "ENROLL:%s", code);
    assert_string_equal(json_string_value(json_object_get(r.json, "qr")), qr);
    assert_string_equal(json_string_value(json_object_get(r.json, "store")), "sea-fremont");
    assert_string_equal(json_string_value(json_object_get(r.json, "kind")), "mirror");
    assert_true(json_is_string(json_object_get(r.json, "expires_at")));
    resp_free(&r);

    /* Its QR code, while it can be used: a PNG that says ENROLL:CODE, never cached. */
    snprintf(path, sizeof path, "/console/codes/%s.png", code);
    assert_int_equal(harness_operator(tc, "GET", path, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "image/png");
    assert_true(r.len > 8 && memcmp(r.body, "\x89PNG", 4) == 0);
    resp_free(&r);

    /* The wrong kind, then an unparseable CSR: refused, and the code is still good. */
    assert_int_equal(harness_make_csr(tc, "devc", false), 0);
    post_enroll(tc, "SN-C1", code, "kiosk", "devc", &r);
    expect_code(&r, 403, "enrollment_code_other_kind");
    resp_free(&r);
    /* Typed in lower case without the dash, or scanned with the QR's prefix: the same code. */
    char loose[16];
    snprintf(loose, sizeof loose, "%.4s%.4s", code, code + 5);
    for (char *c = loose; *c; c++)
        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
    post_enroll(tc, "SN-C1", loose, "mirror", "devc", &r);
    assert_int_equal(r.status, 201);
    resp_free(&r);

    /* Used: refused for anyone, and its QR is gone. */
    post_enroll(tc, "SN-C2", qr, "mirror", "devc", &r);
    expect_code(&r, 403, "enrollment_code_invalid");
    resp_free(&r);
    assert_int_equal(harness_operator(tc, "GET", path, NULL, &r), 0);
    expect_code(&r, 404, "enrollment_code_not_found");
    resp_free(&r);

    /* Expired. */
    assert_int_equal(harness_enrollment_code(tc, "sea-fremont", "kiosk", code), 0);
    snprintf(path, sizeof path, "/v1/admin/enrollment-codes/%s/expire", code);
    assert_int_equal(harness_operator(tc, "POST", path, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    post_enroll(tc, "SN-C3", code, "kiosk", "devc", &r);
    expect_code(&r, 403, "enrollment_code_invalid");
    resp_free(&r);

    /* Unknown, and not a code at all. */
    static const char *const bogus[] = {"ZZZZ-ZZZZ", "hello", "0000-OOOO",
                                        "ENROLL:", "AAAA-AAAA-A"};
    for (size_t i = 0; i < sizeof bogus / sizeof bogus[0]; i++) {
        post_enroll(tc, "SN-C4", bogus[i], "kiosk", "devc", &r);
        expect_code(&r, 403, "enrollment_code_invalid");
        resp_free(&r);
    }

    /* Codes only for shops, for kiosks and mirrors. */
    assert_int_equal(harness_operator(tc, "POST", "/v1/admin/enrollment-codes",
                                      "{\"store\":\"online\",\"kind\":\"kiosk\"}", &r),
                     0);
    expect_code(&r, 422, "unknown_store");
    resp_free(&r);
    assert_int_equal(harness_operator(tc, "POST", "/v1/admin/enrollment-codes",
                                      "{\"store\":\"sea-fremont\",\"kind\":\"toaster\"}", &r),
                     0);
    expect_code(&r, 400, "invalid_field");
    resp_free(&r);
}

/* Writes NAME.csr again with one byte of its subject changed: still a well-formed request,
 * but its signature no longer matches. */
static void break_csr_signature(const TestCentral *tc, const char *name)
{
    char der[PATH_SIZE];
    assert_int_equal(sh(tc, "openssl req -in %s.csr -outform DER -out %s.der", name, name), 0);
    snprintf(der, sizeof der, "%s.der", name);
    char path[PATH_SIZE];
    harness_path(tc, der, path, sizeof path);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    unsigned char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    size_t len = strlen(name);
    bool changed = false;
    for (size_t i = 0; i + len <= n && !changed; i++) {
        if (memcmp(buf + i, name, len) == 0) {
            buf[i] ^= 0x20; /* "badsig" -> "Badsig" */
            changed = true;
        }
    }
    assert_true(changed);
    rewind(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    fclose(f);
    assert_int_equal(sh(tc, "openssl req -inform DER -in %s.der -out %s.csr", name, name), 0);
    /* OpenSSL 3.0's req -verify exits 0 either way: read what it says. */
    assert_int_not_equal(
        sh(tc, "openssl req -in %s.csr -verify -noout 2>&1 | grep -q 'verify OK'", name), 0);
}

static void test_invalid_csr(void **state)
{
    TestCentral *tc = *state;
    Resp r;
    char code[HARNESS_CODE_MAX];
    assert_int_equal(harness_enrollment_code(tc, "sea-ballard", "kiosk", code), 0);

    assert_int_equal(harness_make_csr(tc, "rsa", true), 0);
    post_enroll(tc, "SN-X1", code, "kiosk", "rsa", &r);
    expect_code(&r, 400, "invalid_csr");
    resp_free(&r);

    assert_int_equal(harness_make_csr(tc, "badsig", false), 0);
    break_csr_signature(tc, "badsig");
    post_enroll(tc, "SN-X1", code, "kiosk", "badsig", &r);
    expect_code(&r, 400, "invalid_csr");
    resp_free(&r);

    json_t *body = json_pack("{s:s,s:s,s:s,s:s}", "serial", "SN-X1", "code", code, "kind", "kiosk",
                             "csr", "-----BEGIN CERTIFICATE REQUEST-----\nbm9wZQ==\n");
    char *text = json_dumps(body, JSON_COMPACT);
    assert_int_equal(harness_post(tc, "/v1/devices/enroll", text, &r), 0);
    expect_code(&r, 400, "invalid_csr");
    resp_free(&r);
    free(text);
    json_object_set_new(body, "csr", json_integer(7));
    text = json_dumps(body, JSON_COMPACT);
    assert_int_equal(harness_post(tc, "/v1/devices/enroll", text, &r), 0);
    expect_code(&r, 400, "invalid_csr");
    resp_free(&r);
    free(text);
    json_decref(body);

    /* Failures do not use the code up. */
    assert_int_equal(harness_make_csr(tc, "good", false), 0);
    post_enroll(tc, "SN-X1", code, "kiosk", "good", &r);
    assert_int_equal(r.status, 201);
    resp_free(&r);
}

static void test_revoke_and_reenroll(void **state)
{
    TestCentral *tc = *state;
    Resp r;
    char id[32], id2[32], path[96];
    enroll(tc, "sea-ballard", "mirror", "SN-R", "devr", 201, id);
    heartbeat(tc, "devr", id, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);

    snprintf(path, sizeof path, "/v1/admin/devices/%s/revoke", id);
    assert_int_equal(harness_operator(tc, "POST", path, NULL, &r), 0);
    assert_int_equal(r.status, 204);
    assert_int_equal(r.len, 0);
    resp_free(&r);
    heartbeat(tc, "devr", id, &r);
    expect_code(&r, 401, "device_revoked");
    resp_free(&r);
    snprintf(path, sizeof path, "/v1/admin/devices/%s/commands", id);
    assert_int_equal(harness_operator(tc, "POST", path, "{\"command\":\"restart\"}", &r), 0);
    expect_code(&r, 409, "device_revoked");
    resp_free(&r);
    assert_int_equal(harness_operator(tc, "GET", "/v1/fleet?store=sea-ballard", NULL, &r), 0);
    json_t *d;
    size_t i;
    bool seen = false;
    json_array_foreach(json_object_get(r.json, "devices"), i, d)
    {
        if (strcmp(json_string_value(json_object_get(d, "id")), id) == 0) {
            seen = true;
            assert_true(json_is_true(json_object_get(d, "revoked")));
            assert_false(json_is_true(json_object_get(d, "healthy")));
            assert_true(json_is_string(json_object_get(d, "cert_expires_at")));
        }
    }
    assert_true(seen);
    resp_free(&r);

    /* Re-enrollment of that serial with a new code: the same id, a new certificate; the
     * old one is superseded. */
    enroll(tc, "sea-ballard", "mirror", "SN-R", "devr2", 200, id2);
    assert_string_equal(id2, id);
    heartbeat(tc, "devr2", id, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    heartbeat(tc, "devr", id, &r);
    expect_code(&r, 401, "certificate_superseded");
    resp_free(&r);

    assert_int_equal(harness_operator(tc, "POST", "/v1/admin/devices/D999999/revoke", NULL, &r), 0);
    expect_code(&r, 404, "device_not_found");
    resp_free(&r);
}

static void test_renewal(void **state)
{
    TestCentral *tc = *state;
    Resp r;
    char id[32], path[96];
    enroll(tc, "sea-fremont", "kiosk", "SN-N", "devn", 201, id);
    snprintf(path, sizeof path, "/v1/devices/%s/certificate", id);

    assert_int_equal(harness_make_csr(tc, "devn2", false), 0);
    char *csr = read_text(tc, "devn2.csr");
    json_t *body = json_pack("{s:s}", "csr", csr);
    char *text = json_dumps(body, JSON_COMPACT);
    free(csr);
    json_decref(body);

    /* Not without the current certificate. */
    assert_int_equal(call_as(tc, NULL, "POST", path, text, &r), 0);
    expect_code(&r, 401, "client_certificate_required");
    resp_free(&r);
    assert_int_equal(call_as(tc, "devn", "POST", "/v1/devices/D999999/certificate", text, &r), 0);
    expect_code(&r, 403, "wrong_device");
    resp_free(&r);

    assert_int_equal(call_as(tc, "devn", "POST", path, text, &r), 0);
    assert_int_equal(r.status, 200);
    const char *pem = json_string_value(json_object_get(r.json, "certificate"));
    assert_non_null(pem);
    assert_true(json_is_string(json_object_get(r.json, "expires_at")));
    write_text(tc, "devn2.pem", pem);
    resp_free(&r);
    free(text);
    assert_int_equal(
        sh(tc, "openssl verify -CAfile device-ca.pem -purpose sslclient devn2.pem >/dev/null 2>&1"),
        0);

    heartbeat(tc, "devn2", id, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    heartbeat(tc, "devn", id, &r);
    expect_code(&r, 401, "certificate_superseded");
    resp_free(&r);

    /* The same checks on the request as at enrollment. */
    assert_int_equal(harness_make_csr(tc, "devn-rsa", true), 0);
    csr = read_text(tc, "devn-rsa.csr");
    body = json_pack("{s:s}", "csr", csr);
    text = json_dumps(body, JSON_COMPACT);
    assert_int_equal(call_as(tc, "devn2", "POST", path, text, &r), 0);
    expect_code(&r, 400, "invalid_csr");
    resp_free(&r);
    free(text);
    free(csr);
    json_decref(body);
}

static void test_commands(void **state)
{
    TestCentral *tc = *state;
    Resp r;
    char id[32], path[96], cmd_id[32];
    enroll(tc, "sea-capitol-hill", "kiosk", "SN-K", "devk", 201, id);
    snprintf(path, sizeof path, "/v1/admin/devices/%s/commands", id);
    assert_int_equal(harness_operator(tc, "POST", path, "{\"command\":\"sync_now\"}", &r), 0);
    assert_int_equal(r.status, 201);
    snprintf(cmd_id, sizeof cmd_id, "%s", json_string_value(json_object_get(r.json, "id")));
    assert_int_equal(cmd_id[0], 'C');
    assert_string_equal(json_string_value(json_object_get(r.json, "command")), "sync_now");
    resp_free(&r);
    assert_int_equal(harness_operator(tc, "POST", path, "{\"command\":\"screenshot\"}", &r), 0);
    assert_int_equal(r.status, 201);
    resp_free(&r);
    assert_int_equal(harness_operator(tc, "POST", path, "{\"command\":\"format_disk\"}", &r), 0);
    expect_code(&r, 400, "invalid_field");
    resp_free(&r);
    assert_int_equal(harness_operator(tc, "POST", "/v1/admin/devices/D999999/commands",
                                      "{\"command\":\"restart\"}", &r),
                     0);
    expect_code(&r, 404, "device_not_found");
    resp_free(&r);

    /* The next heartbeat carries both, oldest first; the one after, none. */
    heartbeat(tc, "devk", id, &r);
    assert_int_equal(r.status, 200);
    json_t *cmds = json_object_get(r.json, "commands");
    assert_int_equal(json_array_size(cmds), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(cmds, 0), "id")), cmd_id);
    assert_string_equal(json_string_value(json_object_get(json_array_get(cmds, 0), "command")),
                        "sync_now");
    assert_string_equal(json_string_value(json_object_get(json_array_get(cmds, 1), "command")),
                        "screenshot");
    resp_free(&r);
    heartbeat(tc, "devk", id, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "commands")), 0);
    resp_free(&r);
}

static void test_service_pin(void **state)
{
    TestCentral *tc = *state;
    Resp r;
    char id[32], pin[16];

    /* The demo's PIN for the store, from the file the seed wrote. */
    char *text = read_text(tc, "demo-service-pins.json");
    json_t *pins = json_loads(text, 0, NULL);
    free(text);
    assert_non_null(pins);
    assert_true(json_object_size(pins) >= 13);
    snprintf(pin, sizeof pin, "%s", json_string_value(json_object_get(pins, "sea-queen-anne")));
    json_decref(pins);
    assert_int_equal(strlen(pin), 6);

    assert_int_equal(harness_enroll(tc, "sea-queen-anne", "mirror", "SN-P", "devp", &r), 0);
    assert_int_equal(r.status, 201);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(r.json, "device_id")));
    expect_pin_record(&r, pin);
    resp_free(&r);
    heartbeat(tc, "devp", id, &r);
    assert_int_equal(r.status, 200);
    expect_pin_record(&r, pin);
    json_int_t version = json_integer_value(json_object_get(r.json, "desired_config_version"));
    assert_int_equal(version, json_integer_value(json_object_get(json_object_get(r.json, "config"),
                                                                 "config_version")));
    resp_free(&r);

    /* Trivial or malformed PINs are refused. */
    static const char *const weak[] = {"000000", "999999999", "123456", "987654",
                                       "890123", "121212",    "123123", "456789012"};
    for (size_t i = 0; i < sizeof weak / sizeof weak[0]; i++) {
        char body[64];
        snprintf(body, sizeof body, "{\"pin\":\"%s\"}", weak[i]);
        assert_int_equal(
            harness_operator(tc, "PUT", "/v1/admin/stores/sea-queen-anne/service-pin", body, &r),
            0);
        expect_code(&r, 400, "weak_pin");
        resp_free(&r);
    }
    static const char *const malformed[] = {"{\"pin\":\"48291\"}", "{\"pin\":\"4829131234567\"}",
                                            "{\"pin\":\"48a913\"}", "{\"pin\":482913}", "{}"};
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        assert_int_equal(harness_operator(tc, "PUT", "/v1/admin/stores/sea-queen-anne/service-pin",
                                          malformed[i], &r),
                         0);
        assert_int_equal(r.status, 400);
        resp_free(&r);
    }
    assert_int_equal(harness_operator(tc, "PUT", "/v1/admin/stores/nowhere/service-pin",
                                      "{\"pin\":\"482913\"}", &r),
                     0);
    expect_code(&r, 404, "store_not_found");
    resp_free(&r);
    assert_int_equal(call_as(tc, "devp", "PUT", "/v1/admin/stores/sea-queen-anne/service-pin",
                             "{\"pin\":\"482913\"}", &r),
                     0);
    expect_code(&r, 403, "operator_certificate_required");
    resp_free(&r);

    /* A new PIN reaches the device with its next heartbeat, and the version moves on. */
    assert_int_equal(harness_operator(tc, "PUT", "/v1/admin/stores/sea-queen-anne/service-pin",
                                      "{\"pin\":\"482913\"}", &r),
                     0);
    assert_int_equal(r.status, 204);
    resp_free(&r);
    heartbeat(tc, "devp", id, &r);
    assert_int_equal(r.status, 200);
    expect_pin_record(&r, "482913");
    assert_int_equal(json_integer_value(json_object_get(r.json, "desired_config_version")),
                     version + 1);
    resp_free(&r);

    /* No PIN, no default: the record is null. */
    assert_int_equal(
        harness_operator(tc, "DELETE", "/v1/admin/stores/sea-queen-anne/service-pin", NULL, &r), 0);
    assert_int_equal(r.status, 204);
    resp_free(&r);
    heartbeat(tc, "devp", id, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_null(json_object_get(json_object_get(r.json, "config"), "service_pin")));
    assert_int_equal(json_integer_value(json_object_get(r.json, "desired_config_version")),
                     version + 2);
    resp_free(&r);
}

static void test_console(void **state)
{
    TestCentral *tc = *state;
    Resp r;
    char code[HARNESS_CODE_MAX];
    /* A device whose name is markup: the page shows it as text. */
    assert_int_equal(harness_enrollment_code(tc, "sea-west-seattle", "kiosk", code), 0);
    assert_int_equal(harness_make_csr(tc, "devh", false), 0);
    char *text = harness_enroll_body(tc, "SN-H", code, "kiosk", "devh");
    json_t *body = json_loads(text, 0, NULL);
    free(text);
    json_object_set_new(body, "name", json_string("<script>alert(1)</script> & \"co\""));
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    assert_int_equal(harness_post(tc, "/v1/devices/enroll", text, &r), 0);
    free(text);
    assert_int_equal(r.status, 201);
    resp_free(&r);

    assert_int_equal(harness_operator(tc, "GET", "/console/sea-west-seattle", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.content_type, "text/html"));
    assert_non_null(strstr(r.body, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;"));
    assert_null(strstr(r.body, "<script>alert"));
    assert_non_null(strstr(r.body, "data-kind=kiosk"));
    assert_non_null(strstr(r.body, "data-revoke"));
    assert_null(strstr(r.body, "src=\"http")); /* no external resources */
    resp_free(&r);

    assert_int_equal(harness_operator(tc, "GET", "/console/online", NULL, &r), 0);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    assert_int_equal(call_as(tc, NULL, "GET", "/console/sea-west-seattle", NULL, &r), 0);
    expect_code(&r, 401, "client_certificate_required");
    resp_free(&r);
    assert_int_equal(call_as(tc, NULL, "GET", "/v1/fleet", NULL, &r), 0);
    expect_code(&r, 401, "client_certificate_required");
    resp_free(&r);
}

/* A real PNG: 2x1 pixels, green and blue. */
static const unsigned char PNG[] =
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x02\x00\x00"
    "\x00\x01\x08\x02\x00\x00\x00\x7b\x40\xe8\xdd\x00\x00\x00\x0d\x49\x44\x41\x54\x78\x9c\x63"
    "\xf8\xcf\x00\x04\xff\x01\x07\x00\x01\xff\xe2\x23\x9e\x59\x00\x00\x00\x00\x49\x45\x4e\x44"
    "\xae\x42\x60\x82";

static void upload(const TestCentral *tc, const char *name, const char *device, const char *type,
                   const void *body, size_t len, Resp *out)
{
    char cert[PATH_SIZE], key[PATH_SIZE], path[96];
    snprintf(path, sizeof path, "/v1/devices/%s/screenshot", device);
    if (name)
        harness_device_files(tc, name, cert, key, sizeof cert);
    if (harness_upload_as(tc, name ? cert : NULL, name ? key : NULL, path, type, body, len, out))
        fail_msg("PUT %s (%s, %zu bytes): curl error %d", path, type, len, out->curl_code);
}

/* The operator's screenshot: only the device itself sends it, only a PNG, only the latest
 * is kept, and only an operator sees it. */
static void test_screenshots(void **state)
{
    TestCentral *tc = *state;
    Resp r;
    char id[32], other[32], path[96];
    enroll(tc, "sea-queen-anne", "kiosk", "SN-S", "devs", 201, id);
    enroll(tc, "sea-queen-anne", "mirror", "SN-S2", "devs2", 201, other);
    snprintf(path, sizeof path, "/v1/admin/devices/%s/screenshot", id);
    assert_int_equal(harness_operator(tc, "GET", path, NULL, &r), 0);
    expect_code(&r, 404, "screenshot_not_found");
    resp_free(&r);

    size_t n = sizeof PNG - 1;
    upload(tc, NULL, id, "image/png", PNG, n, &r);
    expect_code(&r, 401, "client_certificate_required");
    resp_free(&r);
    upload(tc, "devs2", id, "image/png", PNG, n, &r);
    expect_code(&r, 403, "wrong_device");
    resp_free(&r);
    upload(tc, "devs", id, "application/json", "{}", 2, &r);
    expect_code(&r, 415, "unsupported_media_type");
    resp_free(&r);
    upload(tc, "devs", id, "image/png", "GIF89a not a png at all, certainly not", 38, &r);
    expect_code(&r, 400, "invalid_image");
    resp_free(&r);
    unsigned char huge[sizeof PNG];
    memcpy(huge, PNG, sizeof PNG);
    huge[16] = 0x7f; /* 2 billion pixels wide: no screen of ours */
    upload(tc, "devs", id, "image/png", huge, n, &r);
    expect_code(&r, 400, "invalid_image");
    resp_free(&r);
    size_t big = 4 * 1024 * 1024 + 1;
    unsigned char *too_big = calloc(1, big);
    assert_non_null(too_big);
    memcpy(too_big, PNG, n);
    upload(tc, "devs", id, "image/png", too_big, big, &r);
    free(too_big);
    expect_code(&r, 413, "body_too_large");
    resp_free(&r);
    assert_int_equal(harness_operator(tc, "GET", path, NULL, &r), 0);
    expect_code(&r, 404, "screenshot_not_found"); /* none of those was kept */
    resp_free(&r);

    upload(tc, "devs", id, "image/png", PNG, n, &r);
    assert_int_equal(r.status, 204);
    resp_free(&r);
    assert_int_equal(harness_operator(tc, "GET", path, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "image/png");
    assert_int_equal(r.len, n);
    assert_memory_equal(r.body, PNG, n);
    resp_free(&r);
    assert_int_equal(call_as(tc, "devs", "GET", path, NULL, &r), 0); /* not for devices */
    expect_code(&r, 403, "operator_certificate_required");
    resp_free(&r);
    assert_int_equal(harness_operator(tc, "GET", "/console/sea-queen-anne", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    char link[128];
    snprintf(link, sizeof link, "href=\"/v1/admin/devices/%s/screenshot\"", id);
    assert_non_null(strstr(r.body, link));
    assert_non_null(strstr(r.body, "data-cmd=screenshot"));
    resp_free(&r);

    /* Enrolled again (a factory reset, a new life): nothing of the old screen stays. */
    enroll(tc, "sea-queen-anne", "kiosk", "SN-S", "devs3", 200, id);
    assert_int_equal(harness_operator(tc, "GET", path, NULL, &r), 0);
    expect_code(&r, 404, "screenshot_not_found");
    resp_free(&r);
    snprintf(path, sizeof path, "/v1/admin/devices/%s/revoke", id);
    assert_int_equal(harness_operator(tc, "POST", path, NULL, &r), 0);
    assert_int_equal(r.status, 204);
    resp_free(&r);
    upload(tc, "devs3", id, "image/png", PNG, n, &r);
    expect_code(&r, 401, "device_revoked");
    resp_free(&r);
}

/* Without --device-ca-cert no device can enroll: 503, and no codes are made. */
static void test_no_device_ca(void **state)
{
    (void)state;
    TestCentral plain;
    Resp r;
    assert_int_equal(harness_start(&plain, NULL), 0);
    assert_int_equal(harness_make_csr(&plain, "devz", false), 0);
    char *body = harness_enroll_body(&plain, "SN-Z", "KQ7M-2XPD", "kiosk", "devz");
    assert_int_equal(harness_post(&plain, "/v1/devices/enroll", body, &r), 0);
    free(body);
    expect_code(&r, 503, "enrollment_unavailable");
    resp_free(&r);
    assert_int_equal(harness_operator(&plain, "POST", "/v1/admin/enrollment-codes",
                                      "{\"store\":\"sea-ballard\",\"kind\":\"kiosk\"}", &r),
                     0);
    expect_code(&r, 503, "enrollment_unavailable");
    resp_free(&r);
    harness_stop(&plain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enroll_and_mutual_tls),
        cmocka_unit_test(test_enrollment_codes),
        cmocka_unit_test(test_invalid_csr),
        cmocka_unit_test(test_revoke_and_reenroll),
        cmocka_unit_test(test_renewal),
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_service_pin),
        cmocka_unit_test(test_console),
        cmocka_unit_test(test_screenshots),
        cmocka_unit_test(test_no_device_ca),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
