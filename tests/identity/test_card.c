/* test_card.c: `kioskctl card` end to end through card_main(): mint a member card into an
 * NTAG215 image, check its layout byte by byte, read it back with the NDEF parser and verify
 * its token; the scanner token; garment tags; `card show`; bad arguments. When the build has
 * a kioskctl binary that dispatches `card`, the same is done through it. */
#include <setjmp.h>
#include <stdarg.h>
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

#include "card.h"
#include "idtest.h"
#include "ndef.h"
#include "token.h"

#define OUT_MAX 8192

typedef struct Fixture {
    char dir[IDTEST_PATH_MAX];
    char priv[IDTEST_PATH_MAX], pub[IDTEST_PATH_MAX];
    char other_priv[IDTEST_PATH_MAX], other_pub[IDTEST_PATH_MAX];
    char tag[IDTEST_PATH_MAX + 16];
} Fixture;

static const uint8_t UID[7] = {0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66};

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    if (!f || idtest_tmpdir(f->dir) != 0)
        return -1;
    if (idtest_make_key(f->dir, "loyalty", 0, f->priv, f->pub) != 0 ||
        idtest_make_key(f->dir, "other", 0, f->other_priv, f->other_pub) != 0)
        return -1;
    snprintf(f->tag, sizeof f->tag, "%s/tag.bin", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    idtest_rmtree(f->dir);
    free(f);
    return 0;
}

/* Runs card_main with a NULL-terminated argument list, capturing its stdout. */
static int run_card(char *out, size_t size, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;
    va_start(ap, size);
    for (char *a = va_arg(ap, char *); a && argc < 31; a = va_arg(ap, char *))
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;

    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    assert_true(saved >= 0);
    dup2(fileno(tmp), STDOUT_FILENO);
    int rc = card_main(argc, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    rewind(tmp);
    size_t n = fread(out, 1, size - 1, tmp);
    out[n] = '\0';
    fclose(tmp);
    return rc;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Checks an image minted for UID and returns its token, verified with pub. */
static void check_member_image(const char *path, const char *pub, const char *member,
                               TokenRole role, Token *t)
{
    uint8_t img[CARD_IMAGE_SIZE + 1];
    NdefMessage *msg = malloc(sizeof *msg);
    assert_non_null(msg);
    assert_int_equal(file_size(path), CARD_IMAGE_SIZE);
    assert_int_equal(idtest_read(path, img, sizeof img), CARD_IMAGE_SIZE);

    /* Pages 0-2: UID with its check bytes, as a real NTAG215. */
    assert_memory_equal(img, UID, 3);
    assert_int_equal(img[3], 0x88 ^ UID[0] ^ UID[1] ^ UID[2]);
    assert_memory_equal(img + 4, UID + 3, 4);
    assert_int_equal(img[8], UID[3] ^ UID[4] ^ UID[5] ^ UID[6]);
    assert_int_equal(img[9], 0x48);
    assert_int_equal(img[10], 0x00);
    assert_int_equal(img[11], 0x00);
    /* Page 3: capability container. */
    static const uint8_t cc[4] = {0xE1, 0x10, 0x3E, 0x00};
    assert_memory_equal(img + 12, cc, 4);
    /* Pages 130-134: NTAG215 configuration. */
    static const uint8_t cfg[20] = {0x00, 0x00, 0x00, 0xBD, 0x04, 0x00, 0x00, 0xFF, 0x00, 0x05,
                                    0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00};
    assert_memory_equal(img + 130 * 4, cfg, sizeof cfg);
    /* Page 4 on: the NDEF TLV with the token record. */
    assert_int_equal(img[16], 0x03);
    assert_int_equal(ndef_parse_area(img + 16, 496, msg), KIOSK_OK);
    const NdefRecord *r = ndef_find_record(msg, NDEF_KIND_MIME, NDEF_MIME_MEMBER_TOKEN);
    assert_non_null(r);
    assert_int_equal(token_parse(r->payload, r->payload_len, t), TOKEN_OK);
    assert_string_equal(t->member_id, member);
    assert_int_equal(t->role, role);
    assert_int_equal(t->uid_len, 7);
    assert_memory_equal(t->uid, UID, 7);

    TokenKeyring *kr = token_keyring_create();
    assert_int_equal(token_keyring_add_file(kr, pub), KIOSK_OK);
    uint32_t now = (uint32_t)time(NULL);
    assert_int_equal(token_verify(kr, t, UID, 7, now), TOKEN_OK);
    assert_int_equal(token_verify(kr, t, NULL, 0, now), TOKEN_E_WRONG_UID);
    token_keyring_destroy(kr);
    free(msg);
}

static void test_mint_member(void **state)
{
    Fixture *f = *state;
    char out[OUT_MAX];
    Token t;

    int rc = run_card(out, sizeof out, "card", "mint", "--role", "member", "--member", "M-1001",
                      "--uid", "04112233445566", "--key", f->priv, "--out", f->tag, NULL);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "wrote"));
    check_member_image(f->tag, f->pub, "M-1001", TOKEN_ROLE_MEMBER, &t);
    uint32_t now = (uint32_t)time(NULL);
    assert_true(t.issued_at <= now && t.issued_at + 60 >= now);
    assert_int_equal(t.expires_at - t.issued_at, CARD_DAYS_DEFAULT * 86400u);

    /* Staff badge, colon-separated UID, --days. */
    rc = run_card(out, sizeof out, "card", "mint", "--role", "staff", "--member", "S_7", "--uid",
                  "04:11:22:33:44:55:66", "--key", f->priv, "--out", f->tag, "--days", "30", NULL);
    assert_int_equal(rc, 0);
    check_member_image(f->tag, f->pub, "S_7", TOKEN_ROLE_STAFF, &t);
    assert_int_equal(t.expires_at - t.issued_at, 30 * 86400u);
    rc = run_card(out, sizeof out, "card", "mint", "--role", "technician", "--member", "T1",
                  "--uid", "04112233445566", "--key", f->priv, "--out", f->tag, NULL);
    assert_int_equal(rc, 0);
    check_member_image(f->tag, f->pub, "T1", TOKEN_ROLE_TECHNICIAN, &t);
}

static void test_print_token(void **state)
{
    Fixture *f = *state;
    char out[OUT_MAX];
    Token t;

    /* Token only. */
    int rc = run_card(out, sizeof out, "card", "mint", "--role", "member", "--member", "M-2",
                      "--key", f->priv, "--print-token", NULL);
    assert_int_equal(rc, 0);
    assert_memory_equal(out, TOKEN_TEXT_PREFIX, strlen(TOKEN_TEXT_PREFIX));
    char *nl = strchr(out, '\n');
    assert_non_null(nl);
    assert_string_equal(nl + 1, ""); /* one line, nothing else on stdout */
    *nl = '\0';
    assert_int_equal(token_parse_text(out, &t), TOKEN_OK);
    assert_int_equal(t.uid_len, 0);
    assert_string_equal(t.member_id, "M-2");
    TokenKeyring *kr = token_keyring_create();
    assert_int_equal(token_keyring_add_file(kr, f->pub), KIOSK_OK);
    uint32_t now = (uint32_t)time(NULL);
    assert_int_equal(token_verify(kr, &t, NULL, 0, now), TOKEN_OK);
    assert_int_equal(token_verify(kr, &t, UID, 7, now), TOKEN_E_WRONG_UID);

    /* Tag and token together: stdout is still the token line only. */
    unlink(f->tag);
    rc = run_card(out, sizeof out, "card", "mint", "--role", "member", "--member", "M-3", "--uid",
                  "04112233445566", "--key", f->priv, "--out", f->tag, "--print-token", NULL);
    assert_int_equal(rc, 0);
    assert_memory_equal(out, TOKEN_TEXT_PREFIX, strlen(TOKEN_TEXT_PREFIX));
    assert_int_equal(strchr(out, '\n') - out + 1, (long)strlen(out));
    out[strlen(out) - 1] = '\0';
    assert_int_equal(token_parse_text(out, &t), TOKEN_OK);
    assert_int_equal(token_verify(kr, &t, NULL, 0, now), TOKEN_OK);
    check_member_image(f->tag, f->pub, "M-3", TOKEN_ROLE_MEMBER, &t);
    token_keyring_destroy(kr);
}

static void test_show(void **state)
{
    Fixture *f = *state;
    char out[OUT_MAX];
    Token t;

    assert_int_equal(run_card(out, sizeof out, "card", "mint", "--role", "member", "--member",
                              "M-77", "--uid", "04112233445566", "--key", f->priv, "--out", f->tag,
                              NULL),
                     0);
    check_member_image(f->tag, f->pub, "M-77", TOKEN_ROLE_MEMBER, &t);
    assert_int_equal(run_card(out, sizeof out, "card", "show", f->tag, NULL), 0);
    assert_non_null(strstr(out, "04:11:22:33:44:55:66"));
    assert_non_null(strstr(out, "check bytes ok"));
    assert_non_null(strstr(out, "application/vnd.kiosk.member-token"));
    assert_non_null(strstr(out, "role member, member M-77"));
    assert_non_null(strstr(out, "expires:"));
    assert_non_null(strstr(out, "this tag"));
    /* Never the signature: no run of its hex in the output. */
    char sig_hex[9];
    snprintf(sig_hex, sizeof sig_hex, "%02X%02X%02X%02X", t.sig[10], t.sig[11], t.sig[12],
             t.sig[13]);
    assert_null(strstr(out, sig_hex));
    assert_null(strstr(out, "sig"));

    assert_int_equal(run_card(out, sizeof out, "card", "show", f->tag, "--key", f->pub, NULL), 0);
    assert_non_null(strstr(out, "verify:   ok"));

    /* The same as JSON. */
    assert_int_equal(
        run_card(out, sizeof out, "card", "show", "--json", f->tag, "--key", f->pub, NULL), 0);
    json_error_t jerr;
    json_t *o = json_loads(out, 0, &jerr);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "uid")), "04:11:22:33:44:55:66");
    assert_true(json_is_true(json_object_get(o, "check_bytes_ok")));
    assert_int_equal(json_integer_value(json_object_get(o, "size")), CARD_IMAGE_SIZE);
    json_t *rec = json_array_get(json_object_get(o, "records"), 0);
    assert_string_equal(json_string_value(json_object_get(rec, "mime_type")),
                        NDEF_MIME_MEMBER_TOKEN);
    json_t *tok = json_object_get(rec, "token");
    assert_string_equal(json_string_value(json_object_get(tok, "member_id")), "M-77");
    assert_string_equal(json_string_value(json_object_get(tok, "role")), "member");
    assert_string_equal(json_string_value(json_object_get(tok, "verify")), "ok");
    assert_int_equal(json_integer_value(json_object_get(tok, "expires_at")), t.expires_at);
    assert_true(json_is_true(json_object_get(tok, "bound_to_this_tag")));
    assert_null(strstr(out, "sig"));
    json_decref(o);
    assert_int_equal(run_card(out, sizeof out, "card", "show", f->tag, "--key", f->other_pub, NULL),
                     1);
    assert_non_null(strstr(out, "unknown_key"));

    /* A damaged image: BCC wrong, token altered. */
    uint8_t img[CARD_IMAGE_SIZE];
    assert_int_equal(idtest_read(f->tag, img, sizeof img), CARD_IMAGE_SIZE);
    img[3] ^= 0xFF;
    img[16 + 2 + 3 + 34 + 30] ^= 0x01; /* a byte inside the token, past the UID */
    assert_int_equal(idtest_write(f->tag, img, sizeof img), 0);
    assert_int_equal(run_card(out, sizeof out, "card", "show", f->tag, "--key", f->pub, NULL), 1);
    assert_non_null(strstr(out, "check bytes WRONG"));

    /* Blank and garbage images. */
    memset(img, 0, sizeof img);
    img[12] = 0xE1;
    img[13] = 0x10;
    img[14] = 0x3E;
    img[16] = 0x03;
    img[17] = 0x00;
    img[18] = 0xFE;
    assert_int_equal(idtest_write(f->tag, img, sizeof img), 0);
    assert_int_equal(run_card(out, sizeof out, "card", "show", f->tag, NULL), 0);
    assert_non_null(strstr(out, "blank"));
    img[17] = 0x40; /* claims 64 bytes of nothing */
    assert_int_equal(idtest_write(f->tag, img, sizeof img), 0);
    assert_int_equal(run_card(out, sizeof out, "card", "show", f->tag, NULL), 1);
    assert_int_equal(idtest_write(f->tag, img, 10), 0);
    assert_int_equal(run_card(out, sizeof out, "card", "show", f->tag, NULL), 1);
    char missing[IDTEST_PATH_MAX + 16];
    snprintf(missing, sizeof missing, "%s/missing.bin", f->dir);
    assert_int_equal(run_card(out, sizeof out, "card", "show", missing, NULL), 1);
    assert_int_equal(run_card(out, sizeof out, "card", "show", NULL), 2);
}

static void test_mint_garment(void **state)
{
    Fixture *f = *state;
    char out[OUT_MAX];
    uint8_t img[CARD_IMAGE_SIZE];
    NdefMessage *msg = malloc(sizeof *msg);
    assert_non_null(msg);

    static const struct {
        const char *gtin;
        const char *uri;
    } ok[] = {
        {"09506000134352", "https://id.gs1.org/01/09506000134352"},
        {"4006381333931", "https://id.gs1.org/01/04006381333931"},
        {"036000291452", "https://id.gs1.org/01/00036000291452"},
        {"96385074", "https://id.gs1.org/01/00000096385074"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        unlink(f->tag);
        assert_int_equal(run_card(out, sizeof out, "card", "mint-garment", "--gtin", ok[i].gtin,
                                  "--uid", "04112233445566", "--out", f->tag, NULL),
                         0);
        assert_int_equal(idtest_read(f->tag, img, sizeof img), CARD_IMAGE_SIZE);
        assert_int_equal(img[3], 0x88 ^ UID[0] ^ UID[1] ^ UID[2]);
        assert_int_equal(img[8], UID[3] ^ UID[4] ^ UID[5] ^ UID[6]);
        assert_int_equal(ndef_parse_area(img + 16, 496, msg), KIOSK_OK);
        assert_int_equal(msg->count, 1);
        assert_int_equal(msg->records[0].kind, NDEF_KIND_URI);
        assert_string_equal(msg->records[0].uri, ok[i].uri);
        assert_int_equal(msg->records[0].payload[0], 0x04); /* "https://" abbreviated */
    }
    assert_int_equal(run_card(out, sizeof out, "card", "mint-garment", "--gtin", "09506000134352",
                              "--serial", "A-12.3", "--uid", "04112233445566", "--out", f->tag,
                              NULL),
                     0);
    assert_int_equal(idtest_read(f->tag, img, sizeof img), CARD_IMAGE_SIZE);
    assert_int_equal(ndef_parse_area(img + 16, 496, msg), KIOSK_OK);
    assert_string_equal(msg->records[0].uri, "https://id.gs1.org/01/09506000134352/21/A-12.3");
    assert_int_equal(run_card(out, sizeof out, "card", "show", f->tag, NULL), 0);
    assert_non_null(strstr(out, "uri https://id.gs1.org/01/09506000134352/21/A-12.3"));

    /* Bad check digits and shapes: usage error, no file. */
    static const char *const bad[] = {"09506000134353", "4006381333932",   "123",
                                      "0950600013435X", "095060001343521", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unlink(f->tag);
        assert_int_equal(run_card(out, sizeof out, "card", "mint-garment", "--gtin", bad[i],
                                  "--uid", "04112233445566", "--out", f->tag, NULL),
                         2);
        assert_int_equal(file_size(f->tag), -1);
    }
    assert_int_equal(run_card(out, sizeof out, "card", "mint-garment", "--gtin", "09506000134352",
                              "--serial", "a/b", "--uid", "04112233445566", "--out", f->tag, NULL),
                     2);
    free(msg);
}

static void test_bad_arguments(void **state)
{
    Fixture *f = *state;
    char out[OUT_MAX];
    char missing[IDTEST_PATH_MAX + 16];
    snprintf(missing, sizeof missing, "%s/missing.pem", f->dir);

    unlink(f->tag);
    assert_int_equal(run_card(out, sizeof out, "card", NULL), 2);
    assert_int_equal(run_card(out, sizeof out, "card", "frobnicate", NULL), 2);
    assert_int_equal(run_card(out, sizeof out, "card", "--help", NULL), 0);
    assert_int_equal(run_card(out, sizeof out, "card", "mint", "--role", "admin", "--member", "M1",
                              "--uid", "04112233445566", "--key", f->priv, "--out", f->tag, NULL),
                     2);
    /* A 4-byte UID is not an NTAG215's. */
    assert_int_equal(run_card(out, sizeof out, "card", "mint", "--role", "member", "--member", "M1",
                              "--uid", "04112233", "--key", f->priv, "--out", f->tag, NULL),
                     2);
    assert_int_equal(run_card(out, sizeof out, "card", "mint", "--role", "member", "--member", "M1",
                              "--uid", "0411223344556G", "--key", f->priv, "--out", f->tag, NULL),
                     2);
    assert_int_equal(run_card(out, sizeof out, "card", "mint", "--role", "member", "--member", "M1",
                              "--key", f->priv, "--out", f->tag, NULL),
                     2);
    assert_int_equal(run_card(out, sizeof out, "card", "mint", "--role", "member", "--member", "M1",
                              "--uid", "04112233445566", "--key", f->priv, NULL),
                     2);
    assert_int_equal(run_card(out, sizeof out, "card", "mint", "--role", "member", "--member", "M1",
                              "--uid", "04112233445566", "--key", f->priv, "--out", f->tag,
                              "--days", "0", NULL),
                     2);
    assert_int_equal(run_card(out, sizeof out, "card", "mint", "--role", "member", "--member", "M1",
                              "--uid", "04112233445566", "--key", f->priv, "--out", f->tag,
                              "--days", NULL),
                     2);
    assert_int_equal(run_card(out, sizeof out, "card", "mint", "--role", "member", "--member", "M1",
                              "--uid", "04112233445566", "--key", f->priv, "--out", f->tag,
                              "--bogus", NULL),
                     2);
    assert_int_equal(file_size(f->tag), -1);
    assert_int_equal(run_card(out, sizeof out, "card", "mint", "--role", "member", "--member",
                              "M 1", "--uid", "04112233445566", "--key", f->priv, "--out", f->tag,
                              NULL),
                     2);
    /* Failures past argument checking: exit 1, no file. */
    assert_int_equal(run_card(out, sizeof out, "card", "mint", "--role", "member", "--member", "M1",
                              "--uid", "04112233445566", "--key", missing, "--out", f->tag, NULL),
                     1);
    assert_int_equal(run_card(out, sizeof out, "card", "mint", "--role", "member", "--member", "M1",
                              "--uid", "04112233445566", "--key", f->pub, "--out", f->tag, NULL),
                     1);
    assert_int_equal(file_size(f->tag), -1);
    char nodir[IDTEST_PATH_MAX + 32];
    snprintf(nodir, sizeof nodir, "%s/no/such/dir/tag.bin", f->dir);
    assert_int_equal(run_card(out, sizeof out, "card", "mint", "--role", "member", "--member", "M1",
                              "--uid", "04112233445566", "--key", f->priv, "--out", nodir, NULL),
                     1);
}

/* --json: what was made, as one JSON object on stdout (for scripts). */
static void test_json(void **state)
{
    Fixture *f = *state;
    char out[OUT_MAX];
    Token t;

    unlink(f->tag);
    assert_int_equal(run_card(out, sizeof out, "card", "mint", "--role", "staff", "--member", "S-9",
                              "--uid", "04112233445566", "--key", f->priv, "--out", f->tag,
                              "--print-token", "--json", NULL),
                     0);
    json_error_t jerr;
    json_t *o = json_loads(out, 0, &jerr);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "role")), "staff");
    assert_string_equal(json_string_value(json_object_get(o, "member")), "S-9");
    assert_string_equal(json_string_value(json_object_get(o, "file")), f->tag);
    assert_string_equal(json_string_value(json_object_get(o, "uid")), "04:11:22:33:44:55:66");
    assert_non_null(json_string_value(json_object_get(o, "expires")));
    /* The token line a scanner would type, unbound. */
    assert_int_equal(token_parse_text(json_string_value(json_object_get(o, "token")), &t),
                     TOKEN_OK);
    assert_string_equal(t.member_id, "S-9");
    assert_int_equal(t.uid_len, 0);
    json_decref(o);
    check_member_image(f->tag, f->pub, "S-9", TOKEN_ROLE_STAFF, &t);

    assert_int_equal(run_card(out, sizeof out, "card", "mint-garment", "--gtin", "4006381333931",
                              "--uid", "04112233445566", "--out", f->tag, "--json", NULL),
                     0);
    o = json_loads(out, 0, &jerr);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "uri")),
                        "https://id.gs1.org/01/04006381333931");
    assert_string_equal(json_string_value(json_object_get(o, "file")), f->tag);
    json_decref(o);
    /* A refusal prints nothing on stdout: nothing for a script to mistake for a result. */
    assert_int_equal(run_card(out, sizeof out, "card", "mint-garment", "--gtin", "123", "--uid",
                              "04112233445566", "--out", f->tag, "--json", NULL),
                     2);
    assert_string_equal(out, "");
}

/* The same through the real kioskctl binary, when the build has one that knows `card`. */
static void test_kioskctl_binary(void **state)
{
#ifdef KIOSKCTL_BIN
    Fixture *f = *state;
    char cmd[4 * IDTEST_PATH_MAX];
    Token t;

    snprintf(cmd, sizeof cmd, "'%s' card --help 2>/dev/null | grep -q 'card mint'", KIOSKCTL_BIN);
    if (system(cmd) != 0) {
        skip(); /* kioskctl does not dispatch `card` (yet) */
        return;
    }
    unlink(f->tag);
    snprintf(cmd, sizeof cmd,
             "'%s' card mint --role member --member BIN-1 --uid 04112233445566 --key '%s' "
             "--out '%s' >/dev/null",
             KIOSKCTL_BIN, f->priv, f->tag);
    assert_int_equal(system(cmd), 0);
    check_member_image(f->tag, f->pub, "BIN-1", TOKEN_ROLE_MEMBER, &t);
    /* kioskctl --json card ...: the global flag reaches the card commands. */
    snprintf(cmd, sizeof cmd,
             "'%s' --json card mint-garment --gtin 4006381333931 --uid 04112233445566 "
             "--out '%s' | grep -q '^{\"file\":'",
             KIOSKCTL_BIN, f->tag);
    assert_int_equal(system(cmd), 0);
#else
    (void)state;
    skip();
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mint_member),
        cmocka_unit_test(test_print_token),
        cmocka_unit_test(test_show),
        cmocka_unit_test(test_mint_garment),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_kioskctl_binary),
    };
    return cmocka_run_group_tests_name("identity.card", tests, setup, teardown);
}
