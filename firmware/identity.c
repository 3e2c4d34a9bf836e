/* identity.c: see identity.h. */
#include "identity.h"

#include <stdio.h>
#include <string.h>

#include "ndef.h"

static void refuse(Identity *out, IdentityRefusal why, TokenResult r)
{
    out->kind = IDENTITY_REFUSED;
    out->refusal = why;
    out->token_result = r;
}

static IdentityRefusal refusal_for(TokenResult r)
{
    switch (r) {
    case TOKEN_E_EXPIRED:
    case TOKEN_E_NOT_YET_VALID:
        return REFUSED_EXPIRED;
    case TOKEN_E_UNKNOWN_KEY:
    case TOKEN_E_BAD_SIGNATURE:
    case TOKEN_E_WRONG_UID:
        return REFUSED_INVALID;
    case TOKEN_E_MALFORMED:
    case TOKEN_E_VERSION:
    case TOKEN_OK:
        break;
    }
    return REFUSED_UNREADABLE;
}

/* A token that parsed: verify it and fill out. */
static void from_token(const TokenKeyring *kr, const Token *t, const uint8_t *uid, size_t uid_len,
                       uint32_t now, Identity *out)
{
    TokenResult r = token_verify(kr, t, uid, uid_len, now);
    if (r != TOKEN_OK) {
        refuse(out, refusal_for(r), r);
        return;
    }
    switch (t->role) {
    case TOKEN_ROLE_MEMBER:
        out->kind = IDENTITY_MEMBER;
        break;
    case TOKEN_ROLE_STAFF:
        out->kind = IDENTITY_STAFF;
        break;
    case TOKEN_ROLE_TECHNICIAN:
        out->kind = IDENTITY_TECHNICIAN;
        break;
    default:
        refuse(out, REFUSED_UNREADABLE, TOKEN_E_MALFORMED);
        return;
    }
    snprintf(out->member_id, sizeof out->member_id, "%s", t->member_id);
    out->expires_at = t->expires_at;
    if (token_to_text(t->raw, t->raw_len, out->token, sizeof out->token) != KIOSK_OK)
        out->token[0] = '\0';
}

bool identity_product_from_uri(const char *prefix, const char *uri,
                               char product[IDENTITY_PRODUCT_MAX + 1])
{
    size_t n = prefix ? strlen(prefix) : 0;
    product[0] = '\0';
    if (n == 0 || strncmp(uri, prefix, n) != 0)
        return false;
    const char *p = uri + n;
    size_t len = strcspn(p, "/?#");
    if (len == 0 || len > IDENTITY_PRODUCT_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char ch = p[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_'))
            return false;
    }
    memcpy(product, p, len);
    product[len] = '\0';
    return true;
}

void identity_from_tag(const TokenKeyring *kr, const char *product_uri, const uint8_t *uid,
                       size_t uid_len, const uint8_t *area, size_t area_len, uint32_t now,
                       Identity *out)
{
    memset(out, 0, sizeof *out);
    out->source = SOURCE_CARD;
    for (size_t i = 0; i < uid_len && i < TOKEN_UID_MAX; i++)
        snprintf(out->uid_hex + 2 * i, 3, "%02x", uid[i]);
    NdefMessage msg; /* about 10 KiB: fine on any of our threads' stacks */
    const NdefMessage *m = &msg;
    if (ndef_parse_area(area, area_len, &msg) != KIOSK_OK || m->count == 0) {
        refuse(out, REFUSED_UNREADABLE, TOKEN_E_MALFORMED);
        return;
    }
    const NdefRecord *rec = ndef_find_record(m, NDEF_KIND_MIME, NDEF_MIME_MEMBER_TOKEN);
    if (rec) {
        Token t;
        TokenResult r = token_parse(rec->payload, rec->payload_len, &t);
        if (r != TOKEN_OK) {
            refuse(out, REFUSED_UNREADABLE, r);
            return;
        }
        from_token(kr, &t, uid, uid_len, now, out);
        return;
    }
    rec = ndef_find_record(m, NDEF_KIND_URI, NULL);
    if (rec) {
        if (gs1_gtin_from_uri(rec->uri, out->gtin) ||
            identity_product_from_uri(product_uri, rec->uri, out->product)) {
            out->kind = IDENTITY_GARMENT;
            return;
        }
        refuse(out, REFUSED_UNKNOWN_TAG, TOKEN_E_MALFORMED);
        return;
    }
    refuse(out, REFUSED_UNREADABLE, TOKEN_E_MALFORMED);
}

void identity_from_line(const TokenKeyring *kr, const char *line, uint32_t now, Identity *out)
{
    memset(out, 0, sizeof *out);
    out->source = SOURCE_SCANNER;
    /* Only lines that claim to be member codes are ours; anything else (a product
     * barcode, a stray keypress) is not a sign-in attempt. */
    while (*line == ' ' || *line == '\t')
        line++;
    static const char enroll[] = "ENROLL:";
    if (strncmp(line, enroll, sizeof enroll - 1) == 0) {
        const char *c = line + sizeof enroll - 1;
        size_t n = strcspn(c, " \t\r\n");
        bool ok = n > 0 && n <= IDENTITY_CODE_MAX;
        for (size_t i = 0; ok && i < n; i++)
            ok = (c[i] >= 'A' && c[i] <= 'Z') || (c[i] >= 'a' && c[i] <= 'z') ||
                 (c[i] >= '0' && c[i] <= '9') || c[i] == '-';
        if (!ok) {
            out->kind = IDENTITY_NONE; /* not a code we could have made */
            return;
        }
        out->kind = IDENTITY_ENROLL_CODE;
        memcpy(out->code, c, n);
        out->code[n] = '\0';
        return;
    }
    if (strncmp(line, "NT", 2) != 0) {
        out->kind = IDENTITY_NONE;
        return;
    }
    Token t;
    TokenResult r = token_parse_text(line, &t);
    if (r != TOKEN_OK) {
        refuse(out, REFUSED_UNREADABLE, r);
        return;
    }
    from_token(kr, &t, NULL, 0, now, out);
}

const char *identity_kind_name(IdentityKind kind)
{
    switch (kind) {
    case IDENTITY_NONE:
        return "none";
    case IDENTITY_MEMBER:
        return "member";
    case IDENTITY_STAFF:
        return "staff";
    case IDENTITY_TECHNICIAN:
        return "technician";
    case IDENTITY_GARMENT:
        return "garment";
    case IDENTITY_REFUSED:
        return "refused";
    case IDENTITY_ENROLL_CODE:
        return "enroll_code";
    }
    return "unknown";
}
