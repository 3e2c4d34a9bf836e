/* identity.h: what a tap or a scanner line means. One path for every way in: a tag read by
 * the NFC reader (its UID and NDEF area) or a line typed by the 2D scanner becomes an
 * Identity: a member, a staff or technician badge, a garment, or a refusal with a reason
 * the UI can explain in plain words. Tokens are verified offline against the keyring.
 * Pure apart from the keyring (read-only once loaded): safe on any thread, so the NFC
 * worker verifies on its own thread and posts only the result. */
#ifndef KIOSK_IDENTITY_H
#define KIOSK_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gs1.h"
#include "token.h"

#define IDENTITY_PRODUCT_MAX 64 /* a product id read from the retailer's own product URI */
#define IDENTITY_CODE_MAX    32 /* an enrollment code as scanned ("ENROLL:KQ7M-2XPD") */

typedef enum IdentityKind {
    IDENTITY_NONE = 0, /* not for us: an unrelated scanner line (ignored quietly) */
    IDENTITY_MEMBER,
    IDENTITY_STAFF,
    IDENTITY_TECHNICIAN,
    IDENTITY_GARMENT, /* gtin, or product from the retailer's own product URI */
    IDENTITY_REFUSED,
    IDENTITY_ENROLL_CODE, /* the device console's enrollment code under the scanner: code */
} IdentityKind;

typedef enum IdentityRefusal {
    REFUSED_NONE = 0,
    REFUSED_UNREADABLE,  /* no NDEF, a foreign card, a malformed token */
    REFUSED_EXPIRED,     /* a real card past its date (or not valid yet) */
    REFUSED_INVALID,     /* forged, altered, unknown key, or copied onto another tag */
    REFUSED_UNKNOWN_TAG, /* a product tag we cannot read a GTIN or product from */
} IdentityRefusal;

typedef enum IdentitySource {
    SOURCE_CARD = 0, /* a loyalty card on the reader */
    SOURCE_SCANNER,  /* the app's member code under the 2D scanner */
    SOURCE_APP,      /* the app scanned this screen's pairing code */
    SOURCE_CONTROL,  /* a technician's shell on the device (kioskctl): trusted as a badge */
} IdentitySource;

typedef struct Identity {
    IdentityKind kind;
    IdentityRefusal refusal;
    IdentitySource source;
    TokenResult token_result; /* why, for logs and technicians */
    char member_id[TOKEN_MEMBER_ID_MAX + 1];
    uint32_t expires_at;
    char token[TOKEN_TEXT_MAX]; /* text form, for POST /v1/identify */
    char uid_hex[2 * TOKEN_UID_MAX + 1];
    char gtin[GS1_GTIN_LEN + 1];
    char product[IDENTITY_PRODUCT_MAX + 1];
    char code[IDENTITY_CODE_MAX + 1];
} Identity;

/* A tag: uid and its NDEF area as the reader returned it (from page 4). product_uri is the
 * retailer's product URI prefix ("https://shop.example.com/p/": the product id follows it,
 * up to '/', '?' or '#'), or NULL/"" when its tags carry only GS1 Digital Links. */
void identity_from_tag(const TokenKeyring *kr, const char *product_uri, const uint8_t *uid,
                       size_t uid_len, const uint8_t *area, size_t area_len, uint32_t now,
                       Identity *out);

/* The product id in uri if it starts with prefix and an identifier (A-Z a-z 0-9 - _, at most
 * IDENTITY_PRODUCT_MAX) follows. */
bool identity_product_from_uri(const char *prefix, const char *uri,
                               char product[IDENTITY_PRODUCT_MAX + 1]);

/* A scanner line: a member code, or the device console's enrollment code ("ENROLL:" and up
 * to IDENTITY_CODE_MAX of A-Z 0-9 -). Other lines give IDENTITY_NONE. */
void identity_from_line(const TokenKeyring *kr, const char *line, uint32_t now, Identity *out);

const char *identity_kind_name(IdentityKind kind);

#endif
