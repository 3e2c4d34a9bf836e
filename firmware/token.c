/* token.c: the member token (see token.h and docs/token.md): parsing the binary and text
 * forms, a keyring of trusted P-256 public keys, verification and minting with mbedTLS 2.28.
 * No shared state: every function works on its arguments; a keyring is read-only once loaded.
 * mbedTLS error codes are logged here and mapped to KioskErr / TokenResult. */
#include "token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/config.h>
#include <mbedtls/base64.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>

#include "log.h"

#define MOD "token"

#define TOKEN_MAGIC_0        'N'
#define TOKEN_MAGIC_1        'T'
#define TOKEN_VERSION        1
#define TOKEN_FIXED_LEN      21 /* magic .. uid_len, the bytes before the UID */
#define TOKEN_SIG_MIN        8
#define TOKEN_PUBKEY_DER_MAX 200 /* a P-256 SubjectPublicKeyInfo is 91 bytes */
#define TOKEN_HASH_LEN       32

struct TokenKeyring {
    size_t count;
    struct {
        uint8_t id[TOKEN_KEY_ID_LEN];
        mbedtls_pk_context pk;
    } keys[TOKEN_KEYRING_MAX];
};

/* ---- small helpers ----------------------------------------------------------------------- */

static uint32_t get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static bool member_id_char_ok(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

static bool uid_len_ok(size_t n)
{
    return n == 0 || n == 4 || n == 7 || n == 10;
}

static bool role_ok(int role)
{
    return role == TOKEN_ROLE_MEMBER || role == TOKEN_ROLE_STAFF || role == TOKEN_ROLE_TECHNICIAN;
}

static bool file_exists(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    fclose(f);
    return true;
}

/* Key id: the first TOKEN_KEY_ID_LEN bytes of SHA-256 over the DER SubjectPublicKeyInfo. */
static int key_id_of(mbedtls_pk_context *pk, uint8_t id[TOKEN_KEY_ID_LEN])
{
    uint8_t der[TOKEN_PUBKEY_DER_MAX];
    uint8_t hash[TOKEN_HASH_LEN];
    /* mbedtls writes DER at the end of the buffer and returns its length. */
    int n = mbedtls_pk_write_pubkey_der(pk, der, sizeof der);
    if (n <= 0)
        return n == 0 ? -1 : n;
    int rc = mbedtls_sha256_ret(der + sizeof der - (size_t)n, (size_t)n, hash, 0);
    if (rc != 0)
        return rc;
    memcpy(id, hash, TOKEN_KEY_ID_LEN);
    return 0;
}

static bool is_p256(mbedtls_pk_context *pk)
{
    if (!mbedtls_pk_can_do(pk, MBEDTLS_PK_ECKEY))
        return false;
    return mbedtls_pk_ec(*pk)->grp.id == MBEDTLS_ECP_DP_SECP256R1;
}

/* ---- parsing ----------------------------------------------------------------------------- */

TokenResult token_parse(const uint8_t *buf, size_t len, Token *out)
{
    TokenResult r = TOKEN_E_MALFORMED;
    size_t pos = 0;

    if (!out)
        return TOKEN_E_MALFORMED;
    memset(out, 0, sizeof *out);
    if (!buf || len < 3 || len > TOKEN_BIN_MAX)
        goto out;
    if (buf[0] != TOKEN_MAGIC_0 || buf[1] != TOKEN_MAGIC_1)
        goto out;
    if (buf[2] != TOKEN_VERSION) {
        r = TOKEN_E_VERSION;
        goto out;
    }
    if (len < TOKEN_FIXED_LEN)
        goto out;
    out->version = buf[2];
    if (!role_ok(buf[3]))
        goto out;
    out->role = (TokenRole)buf[3];
    memcpy(out->key_id, buf + 4, TOKEN_KEY_ID_LEN);
    out->issued_at = get_be32(buf + 12);
    out->expires_at = get_be32(buf + 16);
    if (out->expires_at <= out->issued_at)
        goto out;
    out->uid_len = buf[20];
    pos = TOKEN_FIXED_LEN;
    if (!uid_len_ok(out->uid_len) || len - pos < out->uid_len)
        goto out;
    memcpy(out->uid, buf + pos, out->uid_len);
    pos += out->uid_len;

    if (len - pos < 1)
        goto out;
    size_t id_len = buf[pos++];
    if (id_len < 1 || id_len > TOKEN_MEMBER_ID_MAX || len - pos < id_len)
        goto out;
    for (size_t i = 0; i < id_len; i++) {
        if (!member_id_char_ok(buf[pos + i]))
            goto out;
    }
    memcpy(out->member_id, buf + pos, id_len);
    out->member_id[id_len] = '\0';
    pos += id_len;

    out->signed_len = pos;
    if (len - pos < 1)
        goto out;
    out->sig_len = buf[pos++];
    /* The signature must end the token exactly: trailing bytes would be unsigned. */
    if (out->sig_len < TOKEN_SIG_MIN || out->sig_len > TOKEN_SIG_MAX || len - pos != out->sig_len)
        goto out;
    memcpy(out->sig, buf + pos, out->sig_len);
    memcpy(out->raw, buf, len);
    out->raw_len = len;
    r = TOKEN_OK;
out:
    if (r != TOKEN_OK) {
        memset(out, 0, sizeof *out);
    }
    return r;
}

static bool b64url_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

TokenResult token_parse_text(const char *text, Token *out)
{
    /* Room for the body turned back into standard base64 with its padding. */
    char b64[TOKEN_TEXT_MAX + 4];
    uint8_t bin[TOKEN_BIN_MAX];
    size_t bin_len = 0;
    const size_t plen = strlen(TOKEN_TEXT_PREFIX);

    if (!out)
        return TOKEN_E_MALFORMED;
    memset(out, 0, sizeof *out);
    if (!text)
        return TOKEN_E_MALFORMED;
    size_t n = strnlen(text, TOKEN_TEXT_MAX + 1);
    if (n > TOKEN_TEXT_MAX)
        return TOKEN_E_MALFORMED;
    /* A scanner line may arrive with its line ending or stray blanks around it. */
    while (n > 0 && is_space(text[n - 1]))
        n--;
    while (n > 0 && is_space(text[0])) {
        text++;
        n--;
    }
    if (n < plen || memcmp(text, TOKEN_TEXT_PREFIX, plen) != 0) {
        /* "NT<digits>." is a token of another version, not garbage. */
        if (n > 3 && text[0] == 'N' && text[1] == 'T' && text[2] >= '0' && text[2] <= '9') {
            size_t i = 2;
            while (i < n && text[i] >= '0' && text[i] <= '9')
                i++;
            if (i < n && text[i] == '.')
                return TOKEN_E_VERSION;
        }
        return TOKEN_E_MALFORMED;
    }
    const char *body = text + plen;
    size_t blen = n - plen;
    if (blen == 0 || blen % 4 == 1)
        return TOKEN_E_MALFORMED;
    for (size_t i = 0; i < blen; i++) {
        char c = body[i];
        if (!b64url_char_ok(c))
            return TOKEN_E_MALFORMED;
        b64[i] = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    while (blen % 4 != 0)
        b64[blen++] = '=';
    if (mbedtls_base64_decode(bin, sizeof bin, &bin_len, (const unsigned char *)b64, blen) != 0)
        return TOKEN_E_MALFORMED;
    return token_parse(bin, bin_len, out);
}

KioskErr token_to_text(const uint8_t *bin, size_t len, char *out, size_t size)
{
    char b64[TOKEN_TEXT_MAX + 4];
    size_t olen = 0;
    const size_t plen = strlen(TOKEN_TEXT_PREFIX);

    if (!bin || !out || len == 0)
        return KIOSK_E_INVALID;
    if (len > TOKEN_BIN_MAX)
        return KIOSK_E_TOOBIG;
    if (mbedtls_base64_encode((unsigned char *)b64, sizeof b64, &olen, bin, len) != 0)
        return KIOSK_E_TOOBIG;
    while (olen > 0 && b64[olen - 1] == '=')
        olen--;
    if (plen + olen + 1 > size)
        return KIOSK_E_TOOBIG;
    memcpy(out, TOKEN_TEXT_PREFIX, plen);
    for (size_t i = 0; i < olen; i++) {
        char c = b64[i];
        out[plen + i] = c == '+' ? '-' : c == '/' ? '_' : c;
    }
    out[plen + olen] = '\0';
    return KIOSK_OK;
}

/* ---- keyring ----------------------------------------------------------------------------- */

TokenKeyring *token_keyring_create(void)
{
    TokenKeyring *kr = calloc(1, sizeof *kr);
    return kr;
}

void token_keyring_destroy(TokenKeyring *kr)
{
    if (!kr)
        return;
    for (size_t i = 0; i < kr->count; i++)
        mbedtls_pk_free(&kr->keys[i].pk);
    free(kr);
}

size_t token_keyring_count(const TokenKeyring *kr)
{
    return kr ? kr->count : 0;
}

/* Loads the public half of a PEM key file (public or private) into pub. */
static KioskErr load_public_key(const char *path, mbedtls_pk_context *pub)
{
    KioskErr err = KIOSK_E_INVALID;
    mbedtls_pk_context any;
    uint8_t der[TOKEN_PUBKEY_DER_MAX];
    int rc;

    mbedtls_pk_init(&any);
    if (!file_exists(path)) {
        err = KIOSK_E_NOTFOUND;
        goto out;
    }
    rc = mbedtls_pk_parse_public_keyfile(&any, path);
    if (rc != 0) {
        mbedtls_pk_free(&any);
        mbedtls_pk_init(&any);
        rc = mbedtls_pk_parse_keyfile(&any, path, NULL);
    }
    if (rc != 0) {
        log_warn(MOD, "key file is not a PEM key (mbedtls -0x%04x)", (unsigned)-rc);
        goto out;
    }
    if (!is_p256(&any)) {
        log_warn(MOD, "key is not ECDSA P-256");
        goto out;
    }
    /* Keep only the public half: re-parse its DER. */
    int n = mbedtls_pk_write_pubkey_der(&any, der, sizeof der);
    if (n <= 0) {
        log_warn(MOD, "cannot export public key (mbedtls -0x%04x)", (unsigned)-n);
        goto out;
    }
    rc = mbedtls_pk_parse_public_key(pub, der + sizeof der - (size_t)n, (size_t)n);
    if (rc != 0) {
        log_warn(MOD, "cannot re-read public key (mbedtls -0x%04x)", (unsigned)-rc);
        goto out;
    }
    err = KIOSK_OK;
out:
    mbedtls_pk_free(&any);
    return err;
}

KioskErr token_keyring_add_file(TokenKeyring *kr, const char *pem_path)
{
    KioskErr err;
    mbedtls_pk_context pk;
    uint8_t id[TOKEN_KEY_ID_LEN];

    if (!kr || !pem_path)
        return KIOSK_E_INVALID;
    mbedtls_pk_init(&pk);
    err = load_public_key(pem_path, &pk);
    if (err != KIOSK_OK)
        goto out;
    if (key_id_of(&pk, id) != 0) {
        err = KIOSK_E_INVALID;
        goto out;
    }
    for (size_t i = 0; i < kr->count; i++) {
        if (memcmp(kr->keys[i].id, id, TOKEN_KEY_ID_LEN) == 0) {
            err = KIOSK_OK; /* already trusted */
            goto out;
        }
    }
    if (kr->count >= TOKEN_KEYRING_MAX) {
        err = KIOSK_E_FULL;
        goto out;
    }
    memcpy(kr->keys[kr->count].id, id, TOKEN_KEY_ID_LEN);
    kr->keys[kr->count].pk = pk; /* the keyring owns it now */
    mbedtls_pk_init(&pk);
    kr->count++;
    err = KIOSK_OK;
out:
    mbedtls_pk_free(&pk);
    return err;
}

/* ---- verification ------------------------------------------------------------------------ */

/* Whether the decoded fields of a and b agree (b was parsed from a->raw). */
static bool same_fields(const Token *a, const Token *b)
{
    return a->version == b->version && a->role == b->role &&
           memcmp(a->key_id, b->key_id, TOKEN_KEY_ID_LEN) == 0 && a->issued_at == b->issued_at &&
           a->expires_at == b->expires_at && a->uid_len == b->uid_len &&
           memcmp(a->uid, b->uid, b->uid_len) == 0 &&
           strncmp(a->member_id, b->member_id, sizeof a->member_id) == 0 &&
           a->sig_len == b->sig_len && memcmp(a->sig, b->sig, b->sig_len) == 0 &&
           a->signed_len == b->signed_len;
}

TokenResult token_verify(const TokenKeyring *kr, const Token *t, const uint8_t *uid, size_t uid_len,
                         uint32_t now)
{
    Token chk;
    uint8_t hash[TOKEN_HASH_LEN];
    const mbedtls_pk_context *key = NULL;
    TokenResult r;

    if (!kr || !t || t->raw_len > TOKEN_BIN_MAX)
        return TOKEN_E_MALFORMED;
    /* Trust only what the signature covers: decode the raw bytes again. */
    r = token_parse(t->raw, t->raw_len, &chk);
    if (r != TOKEN_OK)
        return r;
    if (!same_fields(t, &chk))
        return TOKEN_E_BAD_SIGNATURE;

    for (size_t i = 0; i < kr->count; i++) {
        if (memcmp(kr->keys[i].id, chk.key_id, TOKEN_KEY_ID_LEN) == 0) {
            key = &kr->keys[i].pk;
            break;
        }
    }
    if (!key)
        return TOKEN_E_UNKNOWN_KEY;

    if (mbedtls_sha256_ret(chk.raw, chk.signed_len, hash, 0) != 0)
        return TOKEN_E_BAD_SIGNATURE;
    /* ECDSA verification reads the key only (mbedTLS copies the group into a local context),
     * so one keyring serves several threads; the cast drops a const mbedTLS 2.28 lacks. */
    int rc = mbedtls_pk_verify((mbedtls_pk_context *)key, MBEDTLS_MD_SHA256, hash, sizeof hash,
                               chk.sig, chk.sig_len);
    if (rc != 0) {
        log_debug(MOD, "signature rejected (mbedtls -0x%04x)", (unsigned)-rc);
        return TOKEN_E_BAD_SIGNATURE;
    }

    if (chk.uid_len == 0) {
        if (uid && uid_len > 0)
            return TOKEN_E_WRONG_UID; /* an unbound token written onto a tag */
    } else if (!uid || uid_len != chk.uid_len || memcmp(uid, chk.uid, uid_len) != 0) {
        return TOKEN_E_WRONG_UID;
    }

    if ((uint64_t)chk.issued_at > (uint64_t)now + TOKEN_CLOCK_SKEW_S)
        return TOKEN_E_NOT_YET_VALID;
    if (now >= chk.expires_at)
        return TOKEN_E_EXPIRED;
    return TOKEN_OK;
}

/* ---- minting ----------------------------------------------------------------------------- */

KioskErr token_mint(const char *priv_pem_path, TokenRole role, const char *member_id,
                    const uint8_t *uid, size_t uid_len, uint32_t issued_at, uint32_t expires_at,
                    uint8_t *out, size_t *out_len)
{
    static const char pers[] = "kiosk-token-mint";
    KioskErr err = KIOSK_E_INVALID;
    mbedtls_pk_context pk;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    uint8_t buf[TOKEN_BIN_MAX];
    uint8_t sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
    uint8_t hash[TOKEN_HASH_LEN];
    size_t sig_len = 0, pos = 0, id_len;
    int rc;

    mbedtls_pk_init(&pk);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);

    if (!priv_pem_path || !member_id || !out || !out_len || !role_ok((int)role))
        goto out;
    if (!uid_len_ok(uid_len) || (uid_len > 0 && !uid) || expires_at <= issued_at)
        goto out;
    id_len = strnlen(member_id, TOKEN_MEMBER_ID_MAX + 1);
    if (id_len < 1 || id_len > TOKEN_MEMBER_ID_MAX)
        goto out;
    for (size_t i = 0; i < id_len; i++) {
        if (!member_id_char_ok((uint8_t)member_id[i]))
            goto out;
    }
    if (!file_exists(priv_pem_path)) {
        err = KIOSK_E_NOTFOUND;
        goto out;
    }
    rc = mbedtls_pk_parse_keyfile(&pk, priv_pem_path, NULL);
    if (rc != 0) {
        log_error(MOD, "cannot read private key (mbedtls -0x%04x)", (unsigned)-rc);
        goto out;
    }
    if (!is_p256(&pk)) {
        log_error(MOD, "signing key is not ECDSA P-256");
        goto out;
    }

    buf[0] = TOKEN_MAGIC_0;
    buf[1] = TOKEN_MAGIC_1;
    buf[2] = TOKEN_VERSION;
    buf[3] = (uint8_t)role;
    if (key_id_of(&pk, buf + 4) != 0)
        goto out;
    put_be32(buf + 12, issued_at);
    put_be32(buf + 16, expires_at);
    buf[20] = (uint8_t)uid_len;
    pos = TOKEN_FIXED_LEN;
    if (uid_len > 0)
        memcpy(buf + pos, uid, uid_len);
    pos += uid_len;
    buf[pos++] = (uint8_t)id_len;
    memcpy(buf + pos, member_id, id_len);
    pos += id_len;

    rc = mbedtls_sha256_ret(buf, pos, hash, 0);
    if (rc == 0)
        rc = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                   (const unsigned char *)pers, sizeof pers - 1);
    if (rc == 0)
        rc = mbedtls_pk_sign(&pk, MBEDTLS_MD_SHA256, hash, sizeof hash, sig, &sig_len,
                             mbedtls_ctr_drbg_random, &drbg);
    if (rc != 0) {
        log_error(MOD, "signing failed (mbedtls -0x%04x)", (unsigned)-rc);
        err = KIOSK_E_IO;
        goto out;
    }
    if (sig_len < TOKEN_SIG_MIN || sig_len > TOKEN_SIG_MAX || pos + 1 + sig_len > TOKEN_BIN_MAX) {
        err = KIOSK_E_TOOBIG; /* cannot happen with P-256; the bound is the format's */
        goto out;
    }
    buf[pos++] = (uint8_t)sig_len;
    memcpy(buf + pos, sig, sig_len);
    pos += sig_len;
    memcpy(out, buf, pos);
    *out_len = pos;
    err = KIOSK_OK;
out:
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    mbedtls_pk_free(&pk);
    return err;
}

/* ---- names ------------------------------------------------------------------------------- */

const char *token_result_name(TokenResult r)
{
    switch (r) {
    case TOKEN_OK:
        return "ok";
    case TOKEN_E_MALFORMED:
        return "malformed";
    case TOKEN_E_VERSION:
        return "version";
    case TOKEN_E_UNKNOWN_KEY:
        return "unknown_key";
    case TOKEN_E_BAD_SIGNATURE:
        return "bad_signature";
    case TOKEN_E_EXPIRED:
        return "expired";
    case TOKEN_E_NOT_YET_VALID:
        return "not_yet_valid";
    case TOKEN_E_WRONG_UID:
        return "wrong_uid";
    }
    return "unknown";
}

const char *token_role_name(TokenRole role)
{
    switch (role) {
    case TOKEN_ROLE_MEMBER:
        return "member";
    case TOKEN_ROLE_STAFF:
        return "staff";
    case TOKEN_ROLE_TECHNICIAN:
        return "technician";
    }
    return "unknown";
}
