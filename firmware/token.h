/* token.h: the member token carried on loyalty cards, staff and technician badges, and in
 * the app's member QR. A small versioned binary format signed with ECDSA P-256 by the
 * retailer's loyalty key, verified offline on the device against the configured public
 * keys (several, for rotation). docs/token.md is the reference.
 *
 * Binary form, version 1 (integers big-endian):
 *   0   2  magic "NT"
 *   2   1  version (1)
 *   3   1  role: 1 member, 2 staff, 3 technician
 *   4   8  key id: first 8 bytes of SHA-256 over the signing key's public key
 *          (DER SubjectPublicKeyInfo)
 *   12  4  issued_at, Unix seconds
 *   16  4  expires_at, Unix seconds
 *   20  1  uid_len: 0 (not bound to a tag: the app's code, typed by a scanner) or 4, 7, 10
 *   21  n  the tag UID the token is bound to
 *   ..  1  id_len (1..64)
 *   ..  n  member id: ASCII letters, digits, '-' and '_'
 *   ..  1  sig_len (8..72)
 *   ..  n  ECDSA P-256 signature, DER, over SHA-256 of every byte before sig_len
 * Text form (scanner line, --print-token, POST /v1/identify): "NT1." + base64url, no padding.
 * A token read from a tag must be bound to that tag's UID; a scanner line (no tag) accepts only
 * unbound tokens, so copying a card's token into a QR code or another tag does not work.
 * Thread-safe: no shared state; a keyring is read-only once loaded (add keys before sharing it
 * between threads). */
#ifndef KIOSK_TOKEN_H
#define KIOSK_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kerr.h"

#define TOKEN_MEMBER_ID_MAX 64
#define TOKEN_UID_MAX       10
#define TOKEN_KEY_ID_LEN    8
#define TOKEN_SIG_MAX       72
#define TOKEN_BIN_MAX       200
#define TOKEN_TEXT_MAX      300
#define TOKEN_TEXT_PREFIX   "NT1."
#define TOKEN_KEYRING_MAX   8   /* public keys a device trusts at once (rotation) */
#define TOKEN_CLOCK_SKEW_S  300 /* a token issued this far in the device's future still verifies */

typedef enum TokenRole {
    TOKEN_ROLE_MEMBER = 1,
    TOKEN_ROLE_STAFF = 2,
    TOKEN_ROLE_TECHNICIAN = 3,
} TokenRole;

typedef struct Token {
    int version;
    TokenRole role;
    uint8_t key_id[TOKEN_KEY_ID_LEN];
    uint32_t issued_at, expires_at;
    uint8_t uid[TOKEN_UID_MAX];
    size_t uid_len;
    char member_id[TOKEN_MEMBER_ID_MAX + 1];
    uint8_t sig[TOKEN_SIG_MAX];
    size_t sig_len;
    uint8_t raw[TOKEN_BIN_MAX]; /* the whole binary token */
    size_t raw_len;
    size_t signed_len; /* bytes of raw covered by the signature */
} Token;

typedef enum TokenResult {
    TOKEN_OK = 0,
    TOKEN_E_MALFORMED,     /* not a token, truncated, bad field */
    TOKEN_E_VERSION,       /* a version this firmware does not know */
    TOKEN_E_UNKNOWN_KEY,   /* key id not in the keyring */
    TOKEN_E_BAD_SIGNATURE, /* forged or altered */
    TOKEN_E_EXPIRED,
    TOKEN_E_NOT_YET_VALID,
    TOKEN_E_WRONG_UID, /* bound to another tag, or a tag token shown to the scanner */
} TokenResult;

/* Parses the binary form. Safe on any bytes. Checks structure only, not the signature: every
 * field against its rules and the bytes present; bytes after the signature are refused.
 * On failure *out is zeroed. */
TokenResult token_parse(const uint8_t *buf, size_t len, Token *out);
/* Parses the text form ("NT1.<base64url>"). Safe on any string. Blanks around it (a scanner's
 * line ending) are ignored; "NT<n>." of another version gives TOKEN_E_VERSION. */
TokenResult token_parse_text(const char *text, Token *out);
/* Writes the text form of a binary token; KIOSK_E_TOOBIG if size is too small. */
KioskErr token_to_text(const uint8_t *bin, size_t len, char *out, size_t size);

typedef struct TokenKeyring TokenKeyring;

TokenKeyring *token_keyring_create(void);
void token_keyring_destroy(TokenKeyring *kr);
/* Adds a PEM public key (or private key: its public half is used; the private half is not
 * kept). Only ECDSA P-256 keys. KIOSK_E_NOTFOUND (no file), KIOSK_E_INVALID (not a P-256 key),
 * KIOSK_E_FULL (TOKEN_KEYRING_MAX keys already). Adding a key already present is a no-op. */
KioskErr token_keyring_add_file(TokenKeyring *kr, const char *pem_path);
size_t token_keyring_count(const TokenKeyring *kr);

/* Verifies signature, validity window at `now` (Unix seconds) and the UID binding:
 * uid/uid_len is the tag the token was read from, or NULL/0 for a scanner line (which
 * accepts only unbound tokens). The checks run in this order, the first failure is returned:
 * structure (t->raw is parsed again and must match the fields of t, else BAD_SIGNATURE),
 * UNKNOWN_KEY, BAD_SIGNATURE, WRONG_UID, NOT_YET_VALID (issued_at > now + TOKEN_CLOCK_SKEW_S),
 * EXPIRED (now >= expires_at). */
TokenResult token_verify(const TokenKeyring *kr, const Token *t, const uint8_t *uid, size_t uid_len,
                         uint32_t now);

/* Mints a token with the private key in priv_pem_path. out must hold TOKEN_BIN_MAX.
 * uid_len is 0 (unbound, for a scanner line) or 4, 7, 10; expires_at > issued_at.
 * KIOSK_E_INVALID for a bad argument or a key that is not P-256, KIOSK_E_NOTFOUND (no file). */
KioskErr token_mint(const char *priv_pem_path, TokenRole role, const char *member_id,
                    const uint8_t *uid, size_t uid_len, uint32_t issued_at, uint32_t expires_at,
                    uint8_t *out, size_t *out_len);

const char *token_result_name(TokenResult r);
const char *token_role_name(TokenRole role);

#endif
