/* test_token.c: the member token (firmware/token.c): mint, parse (binary and text), verify,
 * forgery, UID binding, validity window, key rotation, and hostile input. Keys are generated
 * per run into a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <mbedtls/ecp.h>

#include "idtest.h"
#include "token.h"

#define NOW 1800000000u /* 2027-01-15, a fixed "device clock" */
#define DAY 86400u

typedef struct Fixture {
    char dir[IDTEST_PATH_MAX];
    char a_priv[IDTEST_PATH_MAX], a_pub[IDTEST_PATH_MAX];
    char b_priv[IDTEST_PATH_MAX], b_pub[IDTEST_PATH_MAX];
} Fixture;

static const uint8_t UID7[7] = {0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6};
static const uint8_t UID7_OTHER[7] = {0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF7};

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    if (!f || idtest_tmpdir(f->dir) != 0)
        return -1;
    if (idtest_make_key(f->dir, "a", 0, f->a_priv, f->a_pub) != 0 ||
        idtest_make_key(f->dir, "b", 0, f->b_priv, f->b_pub) != 0)
        return -1;
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

static TokenKeyring *ring(const char *k1, const char *k2)
{
    TokenKeyring *kr = token_keyring_create();
    assert_non_null(kr);
    if (k1)
        assert_int_equal(token_keyring_add_file(kr, k1), KIOSK_OK);
    if (k2)
        assert_int_equal(token_keyring_add_file(kr, k2), KIOSK_OK);
    return kr;
}

/* Mints with key priv and parses the result. */
static void mint(const char *priv, const uint8_t *uid, size_t uid_len, uint32_t issued,
                 uint32_t expires, Token *t)
{
    uint8_t bin[TOKEN_BIN_MAX];
    size_t len = 0;
    assert_int_equal(
        token_mint(priv, TOKEN_ROLE_MEMBER, "M-1001_x", uid, uid_len, issued, expires, bin, &len),
        KIOSK_OK);
    assert_true(len <= TOKEN_BIN_MAX);
    assert_int_equal(token_parse(bin, len, t), TOKEN_OK);
}

static void test_mint_parse_verify(void **state)
{
    Fixture *f = *state;
    Token t;
    TokenKeyring *kr = ring(f->a_pub, NULL);

    mint(f->a_priv, UID7, sizeof UID7, NOW - DAY, NOW + 365 * DAY, &t);
    assert_int_equal(t.version, 1);
    assert_int_equal(t.role, TOKEN_ROLE_MEMBER);
    assert_string_equal(t.member_id, "M-1001_x");
    assert_int_equal(t.uid_len, 7);
    assert_memory_equal(t.uid, UID7, 7);
    assert_int_equal(t.issued_at, NOW - DAY);
    assert_int_equal(t.expires_at, NOW + 365 * DAY);
    assert_int_equal(t.signed_len + 1 + t.sig_len, t.raw_len);
    assert_int_equal(token_verify(kr, &t, UID7, sizeof UID7, NOW), TOKEN_OK);

    /* Every role, every UID length. */
    static const size_t uid_lens[] = {4, 7, 10};
    static const uint8_t uid10[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    for (int role = TOKEN_ROLE_MEMBER; role <= TOKEN_ROLE_TECHNICIAN; role++) {
        for (size_t i = 0; i < 3; i++) {
            uint8_t bin[TOKEN_BIN_MAX];
            size_t len = 0;
            Token u;
            assert_int_equal(token_mint(f->a_priv, (TokenRole)role, "S7", uid10, uid_lens[i], NOW,
                                        NOW + DAY, bin, &len),
                             KIOSK_OK);
            assert_int_equal(token_parse(bin, len, &u), TOKEN_OK);
            assert_int_equal(u.role, role);
            assert_int_equal(token_verify(kr, &u, uid10, uid_lens[i], NOW), TOKEN_OK);
        }
    }
    /* Longest member id. */
    char longid[TOKEN_MEMBER_ID_MAX + 1];
    memset(longid, 'Z', TOKEN_MEMBER_ID_MAX);
    longid[TOKEN_MEMBER_ID_MAX] = '\0';
    uint8_t bin[TOKEN_BIN_MAX];
    size_t len = 0;
    uint8_t uid10b[10] = {0};
    assert_int_equal(
        token_mint(f->a_priv, TOKEN_ROLE_STAFF, longid, uid10b, 10, NOW, NOW + 1, bin, &len),
        KIOSK_OK);
    assert_int_equal(token_parse(bin, len, &t), TOKEN_OK);
    assert_string_equal(t.member_id, longid);
    assert_int_equal(token_verify(kr, &t, uid10b, 10, NOW), TOKEN_OK);
    token_keyring_destroy(kr);
}

static void test_text_roundtrip(void **state)
{
    Fixture *f = *state;
    Token t, back;
    char text[TOKEN_TEXT_MAX + 1];
    char line[TOKEN_TEXT_MAX + 4];
    TokenKeyring *kr = ring(f->a_pub, NULL);

    mint(f->a_priv, NULL, 0, NOW, NOW + DAY, &t);
    assert_int_equal(token_to_text(t.raw, t.raw_len, text, sizeof text), KIOSK_OK);
    assert_memory_equal(text, TOKEN_TEXT_PREFIX, strlen(TOKEN_TEXT_PREFIX));
    assert_null(strpbrk(text, "+/= \n"));
    assert_int_equal(token_parse_text(text, &back), TOKEN_OK);
    assert_int_equal(back.raw_len, t.raw_len);
    assert_memory_equal(back.raw, t.raw, t.raw_len);
    assert_int_equal(token_verify(kr, &back, NULL, 0, NOW), TOKEN_OK);

    /* A scanner line with its line ending. */
    snprintf(line, sizeof line, "%s\r\n", text);
    assert_int_equal(token_parse_text(line, &back), TOKEN_OK);

    /* Output buffer too small, by one and by a lot. */
    size_t need = strlen(text) + 1;
    assert_int_equal(token_to_text(t.raw, t.raw_len, text, need - 1), KIOSK_E_TOOBIG);
    assert_int_equal(token_to_text(t.raw, t.raw_len, text, 4), KIOSK_E_TOOBIG);
    assert_int_equal(token_to_text(t.raw, t.raw_len, text, need), KIOSK_OK);

    /* The largest token fits TOKEN_TEXT_MAX. */
    uint8_t big[TOKEN_BIN_MAX];
    memset(big, 0xFF, sizeof big);
    assert_int_equal(token_to_text(big, sizeof big, text, sizeof text), KIOSK_OK);
    token_keyring_destroy(kr);
}

static void test_forged_signature(void **state)
{
    Fixture *f = *state;
    Token t, bad;
    uint8_t raw[TOKEN_BIN_MAX];
    TokenKeyring *kr = ring(f->a_pub, NULL);

    mint(f->a_priv, UID7, sizeof UID7, NOW, NOW + DAY, &t);
    /* Flip one bit in every byte of the signature. */
    size_t sig_off = t.signed_len + 1;
    for (size_t i = sig_off; i < t.raw_len; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            memcpy(raw, t.raw, t.raw_len);
            raw[i] ^= (uint8_t)(1u << bit);
            assert_int_equal(token_parse(raw, t.raw_len, &bad), TOKEN_OK);
            assert_int_equal(token_verify(kr, &bad, UID7, sizeof UID7, NOW), TOKEN_E_BAD_SIGNATURE);
        }
    }
    /* Flip a bit in signed fields that stay well formed. */
    static const size_t offsets[] = {
        3,          /* role 1 -> 3 (technician!) with bit 1 */
        19,         /* expires_at, lowest byte */
        14,         /* issued_at */
        21 + 6,     /* last UID byte */
        21 + 7 + 1, /* first member id character 'M' -> 'O' with bit 1 */
    };
    for (size_t k = 0; k < sizeof offsets / sizeof offsets[0]; k++) {
        memcpy(raw, t.raw, t.raw_len);
        raw[offsets[k]] ^= 0x02;
        assert_int_equal(token_parse(raw, t.raw_len, &bad), TOKEN_OK);
        /* The tag UID given is the altered one, so only the signature can catch it. */
        assert_int_equal(token_verify(kr, &bad, bad.uid, bad.uid_len, NOW), TOKEN_E_BAD_SIGNATURE);
    }
    /* A token struct changed after parsing (not through raw) is caught too. */
    bad = t;
    bad.role = TOKEN_ROLE_TECHNICIAN;
    assert_int_equal(token_verify(kr, &bad, UID7, sizeof UID7, NOW), TOKEN_E_BAD_SIGNATURE);
    bad = t;
    bad.member_id[0] = 'X';
    assert_int_equal(token_verify(kr, &bad, UID7, sizeof UID7, NOW), TOKEN_E_BAD_SIGNATURE);
    bad = t;
    bad.expires_at += 1000;
    assert_int_equal(token_verify(kr, &bad, UID7, sizeof UID7, NOW), TOKEN_E_BAD_SIGNATURE);
    /* Key id altered: no such key. */
    memcpy(raw, t.raw, t.raw_len);
    raw[4] ^= 1;
    assert_int_equal(token_parse(raw, t.raw_len, &bad), TOKEN_OK);
    assert_int_equal(token_verify(kr, &bad, UID7, sizeof UID7, NOW), TOKEN_E_UNKNOWN_KEY);
    /* Signed by B but claiming A's key id. */
    Token tb;
    mint(f->b_priv, UID7, sizeof UID7, NOW, NOW + DAY, &tb);
    memcpy(raw, tb.raw, tb.raw_len);
    memcpy(raw + 4, t.key_id, TOKEN_KEY_ID_LEN);
    assert_int_equal(token_parse(raw, tb.raw_len, &bad), TOKEN_OK);
    assert_int_equal(token_verify(kr, &bad, UID7, sizeof UID7, NOW), TOKEN_E_BAD_SIGNATURE);
    token_keyring_destroy(kr);
}

static void test_uid_binding(void **state)
{
    Fixture *f = *state;
    Token t, u;
    TokenKeyring *kr = ring(f->a_pub, NULL);

    mint(f->a_priv, UID7, sizeof UID7, NOW, NOW + DAY, &t);
    assert_int_equal(token_verify(kr, &t, UID7_OTHER, 7, NOW), TOKEN_E_WRONG_UID);
    assert_int_equal(token_verify(kr, &t, UID7, 4, NOW), TOKEN_E_WRONG_UID);
    static const uint8_t uid10[10] = {0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6, 0, 0, 0};
    assert_int_equal(token_verify(kr, &t, uid10, 10, NOW), TOKEN_E_WRONG_UID);
    /* Typed on the scanner: there is no tag. */
    assert_int_equal(token_verify(kr, &t, NULL, 0, NOW), TOKEN_E_WRONG_UID);
    char text[TOKEN_TEXT_MAX + 1];
    assert_int_equal(token_to_text(t.raw, t.raw_len, text, sizeof text), KIOSK_OK);
    assert_int_equal(token_parse_text(text, &u), TOKEN_OK);
    assert_int_equal(token_verify(kr, &u, NULL, 0, NOW), TOKEN_E_WRONG_UID);
    /* An unbound (scanner) token written onto a tag. */
    mint(f->a_priv, NULL, 0, NOW, NOW + DAY, &u);
    assert_int_equal(token_verify(kr, &u, NULL, 0, NOW), TOKEN_OK);
    assert_int_equal(token_verify(kr, &u, UID7, 7, NOW), TOKEN_E_WRONG_UID);
    token_keyring_destroy(kr);
}

static void test_validity_window(void **state)
{
    Fixture *f = *state;
    Token t;
    TokenKeyring *kr = ring(f->a_pub, NULL);

    mint(f->a_priv, UID7, 7, NOW - 10 * DAY, NOW - 1, &t);
    assert_int_equal(token_verify(kr, &t, UID7, 7, NOW), TOKEN_E_EXPIRED);
    assert_int_equal(token_verify(kr, &t, UID7, 7, NOW - 1), TOKEN_E_EXPIRED);
    assert_int_equal(token_verify(kr, &t, UID7, 7, NOW - 2), TOKEN_OK);

    mint(f->a_priv, UID7, 7, NOW + 3600, NOW + DAY, &t);
    assert_int_equal(token_verify(kr, &t, UID7, 7, NOW), TOKEN_E_NOT_YET_VALID);
    /* A device clock a little behind still accepts a fresh card. */
    mint(f->a_priv, UID7, 7, NOW + TOKEN_CLOCK_SKEW_S, NOW + DAY, &t);
    assert_int_equal(token_verify(kr, &t, UID7, 7, NOW), TOKEN_OK);
    mint(f->a_priv, UID7, 7, NOW + TOKEN_CLOCK_SKEW_S + 1, NOW + DAY, &t);
    assert_int_equal(token_verify(kr, &t, UID7, 7, NOW), TOKEN_E_NOT_YET_VALID);
    /* Near the end of uint32 time. */
    mint(f->a_priv, UID7, 7, UINT32_MAX - 10, UINT32_MAX, &t);
    assert_int_equal(token_verify(kr, &t, UID7, 7, UINT32_MAX - 5), TOKEN_OK);
    assert_int_equal(token_verify(kr, &t, UID7, 7, UINT32_MAX), TOKEN_E_EXPIRED);
    token_keyring_destroy(kr);
}

static void test_unknown_key_and_rotation(void **state)
{
    Fixture *f = *state;
    Token ta, tb;

    mint(f->a_priv, UID7, 7, NOW, NOW + DAY, &ta);
    mint(f->b_priv, UID7, 7, NOW, NOW + DAY, &tb);
    assert_memory_not_equal(ta.key_id, tb.key_id, TOKEN_KEY_ID_LEN);

    TokenKeyring *only_b = ring(f->b_pub, NULL);
    assert_int_equal(token_verify(only_b, &ta, UID7, 7, NOW), TOKEN_E_UNKNOWN_KEY);
    assert_int_equal(token_verify(only_b, &tb, UID7, 7, NOW), TOKEN_OK);
    token_keyring_destroy(only_b);

    TokenKeyring *empty = token_keyring_create();
    assert_int_equal(token_keyring_count(empty), 0);
    assert_int_equal(token_verify(empty, &ta, UID7, 7, NOW), TOKEN_E_UNKNOWN_KEY);
    token_keyring_destroy(empty);

    /* Rotation: old and new key both trusted. A private key file works too. */
    TokenKeyring *both = ring(f->a_priv, f->b_pub);
    assert_int_equal(token_keyring_count(both), 2);
    assert_int_equal(token_verify(both, &ta, UID7, 7, NOW), TOKEN_OK);
    assert_int_equal(token_verify(both, &tb, UID7, 7, NOW), TOKEN_OK);
    /* The same key again (public form of a): no duplicate. */
    assert_int_equal(token_keyring_add_file(both, f->a_pub), KIOSK_OK);
    assert_int_equal(token_keyring_count(both), 2);
    token_keyring_destroy(both);
}

static void test_keyring_errors(void **state)
{
    Fixture *f = *state;
    char path[IDTEST_PATH_MAX + 32];
    char priv[IDTEST_PATH_MAX], pub[IDTEST_PATH_MAX];
    TokenKeyring *kr = token_keyring_create();

    token_keyring_destroy(NULL);
    snprintf(path, sizeof path, "%s/missing.pem", f->dir);
    assert_int_equal(token_keyring_add_file(kr, path), KIOSK_E_NOTFOUND);
    snprintf(path, sizeof path, "%s/garbage.pem", f->dir);
    assert_int_equal(idtest_write(path, "-----BEGIN PUBLIC KEY-----\nxx\n", 30), 0);
    assert_int_equal(token_keyring_add_file(kr, path), KIOSK_E_INVALID);
    assert_int_equal(idtest_write(path, "", 0), 0);
    assert_int_equal(token_keyring_add_file(kr, path), KIOSK_E_INVALID);
    /* Another curve. */
    assert_int_equal(idtest_make_key(f->dir, "p384", MBEDTLS_ECP_DP_SECP384R1, priv, pub), 0);
    assert_int_equal(token_keyring_add_file(kr, pub), KIOSK_E_INVALID);
    assert_int_equal(token_keyring_count(kr), 0);
    uint8_t bin[TOKEN_BIN_MAX];
    size_t len = 0;
    assert_int_equal(token_mint(priv, TOKEN_ROLE_MEMBER, "M1", NULL, 0, NOW, NOW + 1, bin, &len),
                     KIOSK_E_INVALID);
    /* Full. */
    for (int i = 0; i < TOKEN_KEYRING_MAX; i++) {
        char name[16];
        snprintf(name, sizeof name, "k%d", i);
        assert_int_equal(idtest_make_key(f->dir, name, 0, priv, pub), 0);
        assert_int_equal(token_keyring_add_file(kr, pub), KIOSK_OK);
    }
    assert_int_equal(token_keyring_count(kr), TOKEN_KEYRING_MAX);
    assert_int_equal(token_keyring_add_file(kr, f->a_pub), KIOSK_E_FULL);
    token_keyring_destroy(kr);
}

static void test_mint_rejects(void **state)
{
    Fixture *f = *state;
    uint8_t bin[TOKEN_BIN_MAX];
    size_t len = 0;
    char path[IDTEST_PATH_MAX + 32];

    assert_int_equal(
        token_mint(f->a_priv, TOKEN_ROLE_MEMBER, "bad id", NULL, 0, NOW, NOW + 1, bin, &len),
        KIOSK_E_INVALID);
    assert_int_equal(token_mint(f->a_priv, TOKEN_ROLE_MEMBER, "", NULL, 0, NOW, NOW + 1, bin, &len),
                     KIOSK_E_INVALID);
    char longid[TOKEN_MEMBER_ID_MAX + 2];
    memset(longid, 'a', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    assert_int_equal(
        token_mint(f->a_priv, TOKEN_ROLE_MEMBER, longid, NULL, 0, NOW, NOW + 1, bin, &len),
        KIOSK_E_INVALID);
    assert_int_equal(
        token_mint(f->a_priv, TOKEN_ROLE_MEMBER, "M1", UID7, 5, NOW, NOW + 1, bin, &len),
        KIOSK_E_INVALID);
    assert_int_equal(token_mint(f->a_priv, (TokenRole)9, "M1", NULL, 0, NOW, NOW + 1, bin, &len),
                     KIOSK_E_INVALID);
    assert_int_equal(token_mint(f->a_priv, TOKEN_ROLE_MEMBER, "M1", NULL, 0, NOW, NOW, bin, &len),
                     KIOSK_E_INVALID);
    /* A public key cannot sign. */
    assert_int_equal(
        token_mint(f->a_pub, TOKEN_ROLE_MEMBER, "M1", NULL, 0, NOW, NOW + 1, bin, &len),
        KIOSK_E_INVALID);
    snprintf(path, sizeof path, "%s/nope.pem", f->dir);
    assert_int_equal(token_mint(path, TOKEN_ROLE_MEMBER, "M1", NULL, 0, NOW, NOW + 1, bin, &len),
                     KIOSK_E_NOTFOUND);
}

static void test_truncated_and_extended(void **state)
{
    Fixture *f = *state;
    Token t, u;
    uint8_t raw[TOKEN_BIN_MAX + 1];
    char text[TOKEN_TEXT_MAX + 1], cut[TOKEN_TEXT_MAX + 1];
    TokenKeyring *kr = ring(f->a_pub, NULL);

    mint(f->a_priv, UID7, 7, NOW, NOW + DAY, &t);
    for (size_t n = 0; n < t.raw_len; n++) {
        /* A heap copy of exactly n bytes, so a read past it is caught by ASan. */
        uint8_t *p = malloc(n ? n : 1);
        assert_non_null(p);
        memcpy(p, t.raw, n);
        assert_int_equal(token_parse(n ? p : NULL, n, &u), TOKEN_E_MALFORMED);
        assert_int_equal(token_parse(p, n, &u), TOKEN_E_MALFORMED);
        free(p);
    }
    /* Trailing bytes are not signed: refused. */
    memcpy(raw, t.raw, t.raw_len);
    raw[t.raw_len] = 0;
    assert_int_equal(token_parse(raw, t.raw_len + 1, &u), TOKEN_E_MALFORMED);
    /* A verify on a struct that never parsed. */
    memset(&u, 0, sizeof u);
    assert_int_equal(token_verify(kr, &u, NULL, 0, NOW), TOKEN_E_MALFORMED);
    u.raw_len = TOKEN_BIN_MAX + 100;
    assert_int_equal(token_verify(kr, &u, NULL, 0, NOW), TOKEN_E_MALFORMED);

    /* Every prefix of the text form. */
    assert_int_equal(token_to_text(t.raw, t.raw_len, text, sizeof text), KIOSK_OK);
    size_t tl = strlen(text);
    for (size_t n = 0; n < tl; n++) {
        memcpy(cut, text, n);
        cut[n] = '\0';
        assert_int_equal(token_parse_text(cut, &u), TOKEN_E_MALFORMED);
    }
    /* Field-level damage. */
    memcpy(raw, t.raw, t.raw_len);
    raw[2] = 2;
    assert_int_equal(token_parse(raw, t.raw_len, &u), TOKEN_E_VERSION);
    memcpy(raw, t.raw, t.raw_len);
    raw[3] = 0;
    assert_int_equal(token_parse(raw, t.raw_len, &u), TOKEN_E_MALFORMED);
    memcpy(raw, t.raw, t.raw_len);
    raw[20] = 5; /* uid_len */
    assert_int_equal(token_parse(raw, t.raw_len, &u), TOKEN_E_MALFORMED);
    memcpy(raw, t.raw, t.raw_len);
    raw[28] = 0; /* id_len */
    assert_int_equal(token_parse(raw, t.raw_len, &u), TOKEN_E_MALFORMED);
    memcpy(raw, t.raw, t.raw_len);
    raw[29] = ' '; /* a member id character */
    assert_int_equal(token_parse(raw, t.raw_len, &u), TOKEN_E_MALFORMED);
    memcpy(raw, t.raw, t.raw_len);
    raw[t.signed_len] = (uint8_t)(t.sig_len + 1);
    assert_int_equal(token_parse(raw, t.raw_len, &u), TOKEN_E_MALFORMED);
    memcpy(raw, t.raw, t.raw_len);
    memset(raw + 16, 0, 4); /* expires before issued */
    assert_int_equal(token_parse(raw, t.raw_len, &u), TOKEN_E_MALFORMED);
    memcpy(raw, t.raw, t.raw_len);
    raw[0] = 'X';
    assert_int_equal(token_parse(raw, t.raw_len, &u), TOKEN_E_MALFORMED);
    token_keyring_destroy(kr);
}

static void test_garbage_text(void **state)
{
    (void)state;
    Token t;
    static const char *const lines[] = {
        "",
        "\n",
        "hello",
        "NT1",
        "NT1.",
        "NT1.A",
        "NT1.AAAA",
        "NT1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "NT1.!!!!",
        "NT1.====",
        "NT1.TlQB====",
        "NT1.TlQB+/+/",
        "NT1.TlQ B",
        "NT1.TlQ\tB",
        "nt1.TlQB",
        "NT1..TlQB",
        "4006381333931",
        "https://id.gs1.org/01/09506000134352",
        "NT1.\xff\xfe\xfd",
        "\xc3\xa9\xc3\xa9\xc3\xa9",
        "NT",
        "NT.",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        assert_int_equal(token_parse_text(lines[i], &t), TOKEN_E_MALFORMED);
    assert_int_equal(token_parse_text(NULL, &t), TOKEN_E_MALFORMED);
    assert_int_equal(token_parse(NULL, 0, &t), TOKEN_E_MALFORMED);
    assert_int_equal(token_parse_text("NT2.TlQC", &t), TOKEN_E_VERSION);

    /* Far longer than any token. */
    char *big = malloc(4096);
    assert_non_null(big);
    memcpy(big, "NT1.", 4);
    memset(big + 4, 'A', 4090);
    big[4094] = '\0';
    assert_int_equal(token_parse_text(big, &t), TOKEN_E_MALFORMED);
    free(big);

    /* Random base64url bodies: never OK, never a crash. */
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char line[TOKEN_TEXT_MAX + 1];
    unsigned seed = 12345;
    for (int round = 0; round < 2000; round++) {
        seed = seed * 1103515245u + 12345u;
        size_t n = 4 + (seed >> 8) % (TOKEN_TEXT_MAX - 4);
        memcpy(line, "NT1.", 4);
        for (size_t i = 4; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            line[i] = alphabet[(seed >> 16) % 64];
        }
        line[n] = '\0';
        assert_int_equal(token_parse_text(line, &t), TOKEN_E_MALFORMED);
    }
}

/* The recipe of docs/token.md, independent of token_mint: the layout written by hand, the key
 * id and signature from the openssl command line. Skipped where openssl is not installed. */
static void test_openssl_recipe(void **state)
{
    Fixture *f = *state;
    char cmd[4 * IDTEST_PATH_MAX], body_path[IDTEST_PATH_MAX + 16], sig_path[IDTEST_PATH_MAX + 16];
    char hex[80] = {0};
    uint8_t tok[TOKEN_BIN_MAX];
    size_t n = 0;
    Token t;

    if (system("openssl version >/dev/null 2>&1") != 0) {
        skip();
        return;
    }
    snprintf(cmd, sizeof cmd,
             "openssl pkey -in '%s' -pubout -outform DER | openssl dgst -sha256 -r | cut -c1-16",
             f->a_priv);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(hex, sizeof hex, p));
    pclose(p);

    tok[n++] = 'N';
    tok[n++] = 'T';
    tok[n++] = 1;
    tok[n++] = 2; /* staff */
    for (int i = 0; i < 8; i++) {
        unsigned b = 0;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &b), 1);
        tok[n++] = (uint8_t)b;
    }
    const uint32_t times[2] = {NOW - 60, NOW + DAY};
    for (int k = 0; k < 2; k++)
        for (int sh = 24; sh >= 0; sh -= 8)
            tok[n++] = (uint8_t)(times[k] >> sh);
    tok[n++] = 7;
    memcpy(tok + n, UID7, 7);
    n += 7;
    tok[n++] = 5;
    memcpy(tok + n, "S-042", 5);
    n += 5;
    snprintf(body_path, sizeof body_path, "%s/body.bin", f->dir);
    snprintf(sig_path, sizeof sig_path, "%s/body.sig", f->dir);
    assert_int_equal(idtest_write(body_path, tok, n), 0);
    snprintf(cmd, sizeof cmd, "openssl dgst -sha256 -sign '%s' -out '%s' '%s'", f->a_priv, sig_path,
             body_path);
    assert_int_equal(system(cmd), 0);
    long sl = idtest_read(sig_path, tok + n + 1, TOKEN_SIG_MAX + 1);
    assert_true(sl >= 8 && sl <= TOKEN_SIG_MAX);
    tok[n] = (uint8_t)sl;
    n += 1 + (size_t)sl;

    TokenKeyring *kr = ring(f->a_pub, NULL);
    assert_int_equal(token_parse(tok, n, &t), TOKEN_OK);
    assert_int_equal(t.role, TOKEN_ROLE_STAFF);
    assert_string_equal(t.member_id, "S-042");
    assert_int_equal(token_verify(kr, &t, UID7, 7, NOW), TOKEN_OK);
    token_keyring_destroy(kr);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(token_result_name(TOKEN_E_WRONG_UID), "wrong_uid");
    assert_string_equal(token_result_name((TokenResult)99), "unknown");
    assert_string_equal(token_role_name(TOKEN_ROLE_TECHNICIAN), "technician");
    assert_string_equal(token_role_name((TokenRole)0), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mint_parse_verify),
        cmocka_unit_test(test_text_roundtrip),
        cmocka_unit_test(test_forged_signature),
        cmocka_unit_test(test_uid_binding),
        cmocka_unit_test(test_validity_window),
        cmocka_unit_test(test_unknown_key_and_rotation),
        cmocka_unit_test(test_keyring_errors),
        cmocka_unit_test(test_mint_rejects),
        cmocka_unit_test(test_truncated_and_extended),
        cmocka_unit_test(test_garbage_text),
        cmocka_unit_test(test_openssl_recipe),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests_name("identity.token", tests, setup, teardown);
}
