/* ndef.c: see ndef.h. NDEF parsing and building for Type 2 tags, following the NFC Forum
 * Type 2 Tag, NDEF and URI/Text RTD specifications. Every read is bounds-checked against the
 * bytes present before it happens; nothing here allocates or keeps state. */
#include "ndef.h"

#include <stdbool.h>
#include <string.h>

#define TLV_LEN_3BYTE     0xFF   /* marks the 3-byte length format */
#define TLV_LEN_MAX       0xFFFE /* 0xFFFF is reserved */
#define SR_PAYLOAD_MAX    0xFF   /* a short record's payload length is one byte */
#define TEXT_STATUS_UTF16 0x80
#define TEXT_STATUS_RFU   0x40
#define TEXT_LANG_MASK    0x3F

/* URI identifier codes of the NFC Forum URI RTD, indexed by code (0x00..0x23). */
static const char *const uri_prefixes[] = {
    "",
    "http://www.",
    "https://www.",
    "http://",
    "https://",
    "tel:",
    "mailto:",
    "ftp://anonymous:anonymous@",
    "ftp://ftp.",
    "ftps://",
    "sftp://",
    "smb://",
    "nfs://",
    "ftp://",
    "dav://",
    "news:",
    "telnet://",
    "imap:",
    "rtsp://",
    "urn:",
    "pop:",
    "sip:",
    "sips:",
    "tftp:",
    "btspp://",
    "btl2cap://",
    "btgoep://",
    "tcpobex://",
    "irdaobex://",
    "file://",
    "urn:epc:id:",
    "urn:epc:tag:",
    "urn:epc:pat:",
    "urn:epc:raw:",
    "urn:epc:",
    "urn:nfc:",
};
#define URI_PREFIX_COUNT (sizeof uri_prefixes / sizeof uri_prefixes[0])

/* ---- validation helpers ------------------------------------------------------------------ */

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t extra;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i - 1 < extra)
            return false;
        for (size_t k = 1; k <= extra; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += 1 + extra;
    }
    return true;
}

/* Text may hold tabs and line breaks, no other control characters (and no NUL). */
static bool text_ok(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
            return false;
    }
    return utf8_valid(s, n);
}

/* A URI (or IRI) has no spaces or control characters. */
static bool uri_chars_ok(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] <= 0x20 || s[i] == 0x7F)
            return false;
    }
    return utf8_valid(s, n);
}

static bool restricted_name_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '!' ||
           c == '#' || c == '$' || c == '&' || c == '-' || c == '^' || c == '_' || c == '.' ||
           c == '+';
}

static uint8_t ascii_lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c - 'A' + 'a') : c;
}

/* RFC 6838 "type/subtype", each part a restricted name; copied lower-cased into out. */
static bool mime_type_copy(const uint8_t *s, size_t n, char out[NDEF_MIME_TYPE_MAX + 1])
{
    size_t slash = 0, slashes = 0;
    if (n < 3 || n > NDEF_MIME_TYPE_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '/') {
            slash = i;
            slashes++;
        } else if (!restricted_name_char(s[i])) {
            return false;
        }
    }
    if (slashes != 1 || slash == 0 || slash == n - 1)
        return false;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)ascii_lower(s[i]);
    out[n] = '\0';
    return true;
}

/* ---- TLV --------------------------------------------------------------------------------- */

KioskErr ndef_find_message(const uint8_t *area, size_t len, const uint8_t **msg, size_t *msg_len)
{
    size_t pos = 0;

    if (!msg || !msg_len)
        return KIOSK_E_INVALID;
    *msg = NULL;
    *msg_len = 0;
    if (!area)
        return len == 0 ? KIOSK_E_EMPTY : KIOSK_E_INVALID;
    while (pos < len) {
        uint8_t type = area[pos++];
        size_t l;
        if (type == NDEF_TLV_NULL)
            continue;
        if (type == NDEF_TLV_TERMINATOR)
            return KIOSK_E_EMPTY;
        if (type != NDEF_TLV_MESSAGE && type != NDEF_TLV_LOCK_CTRL && type != NDEF_TLV_MEM_CTRL &&
            type != NDEF_TLV_PROPRIETARY)
            return KIOSK_E_INVALID;
        if (pos >= len)
            return KIOSK_E_INVALID;
        l = area[pos++];
        if (l == TLV_LEN_3BYTE) {
            if (len - pos < 2)
                return KIOSK_E_INVALID;
            l = ((size_t)area[pos] << 8) | area[pos + 1];
            pos += 2;
            if (l > TLV_LEN_MAX)
                return KIOSK_E_INVALID;
        }
        if (l > len - pos)
            return KIOSK_E_INVALID;
        if (type == NDEF_TLV_MESSAGE) {
            *msg = area + pos;
            *msg_len = l;
            return KIOSK_OK;
        }
        pos += l;
    }
    return KIOSK_E_EMPTY;
}

/* ---- records ----------------------------------------------------------------------------- */

static void decode_uri(NdefRecord *r)
{
    if (r->payload_len < 1 || r->payload[0] >= URI_PREFIX_COUNT)
        return;
    const char *prefix = uri_prefixes[r->payload[0]];
    size_t plen = strlen(prefix);
    const uint8_t *rest = r->payload + 1;
    size_t rlen = r->payload_len - 1;
    if (plen + rlen == 0 || plen + rlen > NDEF_URI_MAX || !uri_chars_ok(rest, rlen))
        return;
    memcpy(r->uri, prefix, plen);
    memcpy(r->uri + plen, rest, rlen);
    r->uri[plen + rlen] = '\0';
    r->kind = NDEF_KIND_URI;
}

static void decode_text(NdefRecord *r)
{
    if (r->payload_len < 1)
        return;
    uint8_t status = r->payload[0];
    size_t lang_len = status & TEXT_LANG_MASK;
    if (status & (TEXT_STATUS_UTF16 | TEXT_STATUS_RFU))
        return; /* UTF-16 text is left to OTHER: the kiosk reads UTF-8 only */
    if (lang_len > r->payload_len - 1)
        return;
    const uint8_t *lang = r->payload + 1;
    const uint8_t *text = lang + lang_len;
    size_t text_len = r->payload_len - 1 - lang_len;
    for (size_t i = 0; i < lang_len; i++) {
        uint8_t c = lang[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-'))
            return;
    }
    if (text_len > NDEF_TEXT_MAX || !text_ok(text, text_len))
        return;
    memcpy(r->lang, lang, lang_len);
    r->lang[lang_len] = '\0';
    memcpy(r->text, text, text_len);
    r->text[text_len] = '\0';
    r->kind = NDEF_KIND_TEXT;
}

static void decode_record(NdefRecord *r)
{
    r->kind = NDEF_KIND_OTHER;
    switch (r->tnf) {
    case NDEF_TNF_EMPTY:
        r->kind = NDEF_KIND_EMPTY;
        break;
    case NDEF_TNF_WELL_KNOWN:
        if (r->type_len == 1 && r->type[0] == 'U')
            decode_uri(r);
        else if (r->type_len == 1 && r->type[0] == 'T')
            decode_text(r);
        break;
    case NDEF_TNF_MIME:
        if (mime_type_copy(r->type, r->type_len, r->mime_type))
            r->kind = NDEF_KIND_MIME;
        break;
    case NDEF_TNF_ABSOLUTE_URI:
        /* The URI is the type field; the payload is whatever it points to. */
        if (r->type_len <= NDEF_URI_MAX && uri_chars_ok(r->type, r->type_len)) {
            memcpy(r->uri, r->type, r->type_len);
            r->uri[r->type_len] = '\0';
            r->kind = NDEF_KIND_URI;
        }
        break;
    default:
        break;
    }
}

KioskErr ndef_parse_message(const uint8_t *msg, size_t len, NdefMessage *out)
{
    KioskErr err = KIOSK_E_INVALID;
    size_t pos = 0;

    if (!out)
        return KIOSK_E_INVALID;
    memset(out, 0, sizeof *out);
    if (len == 0)
        return KIOSK_E_EMPTY;
    if (!msg)
        return KIOSK_E_INVALID;

    for (;;) {
        NdefRecord rec;
        size_t type_len, id_len = 0, payload_len;
        uint8_t hdr;

        memset(&rec, 0, sizeof rec);
        if (len - pos < 3) /* header, type length, short payload length */
            goto out;
        hdr = msg[pos++];
        if (((hdr & NDEF_FLAG_MB) != 0) != (out->count == 0))
            goto out; /* MB on the first record only */
        if (hdr & NDEF_FLAG_CF)
            goto out; /* chunked records: refused */
        rec.tnf = (NdefTnf)(hdr & NDEF_TNF_MASK);
        rec.flags = hdr & (uint8_t)~NDEF_TNF_MASK;
        type_len = msg[pos++];
        if (hdr & NDEF_FLAG_SR) {
            payload_len = msg[pos++];
        } else {
            if (len - pos < 4)
                goto out;
            payload_len = ((size_t)msg[pos] << 24) | ((size_t)msg[pos + 1] << 16) |
                          ((size_t)msg[pos + 2] << 8) | msg[pos + 3];
            pos += 4;
        }
        if (hdr & NDEF_FLAG_IL) {
            if (len - pos < 1)
                goto out;
            id_len = msg[pos++];
        }
        /* Lengths checked one at a time: no sum can wrap. */
        if (type_len > len - pos)
            goto out;
        rec.type = msg + pos;
        rec.type_len = type_len;
        pos += type_len;
        if (id_len > len - pos)
            goto out;
        rec.id = msg + pos;
        rec.id_len = id_len;
        pos += id_len;
        if (payload_len > len - pos)
            goto out;
        rec.payload = msg + pos;
        rec.payload_len = payload_len;
        pos += payload_len;

        switch (rec.tnf) {
        case NDEF_TNF_EMPTY:
            if (type_len != 0 || id_len != 0 || payload_len != 0)
                goto out;
            break;
        case NDEF_TNF_WELL_KNOWN:
        case NDEF_TNF_MIME:
        case NDEF_TNF_ABSOLUTE_URI:
        case NDEF_TNF_EXTERNAL:
            if (type_len == 0)
                goto out;
            break;
        case NDEF_TNF_UNKNOWN:
        case NDEF_TNF_RESERVED:
            if (type_len != 0)
                goto out;
            break;
        case NDEF_TNF_UNCHANGED:
            goto out; /* only valid inside a chunked record */
        }
        if (payload_len > NDEF_PAYLOAD_MAX || out->count >= NDEF_MAX_RECORDS) {
            err = KIOSK_E_TOOBIG;
            goto out;
        }
        decode_record(&rec);
        out->records[out->count++] = rec;

        if (hdr & NDEF_FLAG_ME) {
            if (pos != len)
                goto out; /* bytes after the last record */
            break;
        }
        if (pos == len)
            goto out; /* the message ended without ME */
    }
    err = KIOSK_OK;
out:
    if (err != KIOSK_OK)
        memset(out, 0, sizeof *out);
    return err;
}

KioskErr ndef_parse_area(const uint8_t *area, size_t len, NdefMessage *out)
{
    const uint8_t *msg = NULL;
    size_t msg_len = 0;

    if (!out)
        return KIOSK_E_INVALID;
    memset(out, 0, sizeof *out);
    KioskErr err = ndef_find_message(area, len, &msg, &msg_len);
    if (err != KIOSK_OK)
        return err;
    return ndef_parse_message(msg, msg_len, out);
}

const NdefRecord *ndef_find_record(const NdefMessage *msg, NdefKind kind, const char *mime_type)
{
    if (!msg)
        return NULL;
    for (size_t i = 0; i < msg->count && i < NDEF_MAX_RECORDS; i++) {
        const NdefRecord *r = &msg->records[i];
        if (r->kind != kind)
            continue;
        if (kind == NDEF_KIND_MIME && mime_type) {
            size_t k = 0;
            while (mime_type[k] && r->mime_type[k] &&
                   ascii_lower((uint8_t)mime_type[k]) == (uint8_t)r->mime_type[k])
                k++;
            if (mime_type[k] != '\0' || r->mime_type[k] != '\0')
                continue;
        }
        return r;
    }
    return NULL;
}

/* ---- building ---------------------------------------------------------------------------- */

/* One record (MB|ME, short when it fits) of payload = head (0 or 1 byte) + body, wrapped in
 * an NDEF Message TLV and followed by the terminator TLV. */
static KioskErr build_tlv(NdefTnf tnf, const uint8_t *type, size_t type_len, const uint8_t *head,
                          size_t head_len, const uint8_t *body, size_t body_len, uint8_t *out,
                          size_t size, size_t *out_len)
{
    size_t payload_len = head_len + body_len;
    bool sr = payload_len <= SR_PAYLOAD_MAX;
    size_t rec_len = 2 + (sr ? 1 : 4) + type_len + payload_len;
    size_t tlv_hdr = rec_len < TLV_LEN_3BYTE ? 2 : 4;
    size_t total = tlv_hdr + rec_len + 1;
    size_t pos = 0;

    if (!out || !out_len)
        return KIOSK_E_INVALID;
    if (payload_len > NDEF_PAYLOAD_MAX || type_len > 0xFF || rec_len > TLV_LEN_MAX || total > size)
        return KIOSK_E_TOOBIG;
    out[pos++] = NDEF_TLV_MESSAGE;
    if (tlv_hdr == 2) {
        out[pos++] = (uint8_t)rec_len;
    } else {
        out[pos++] = TLV_LEN_3BYTE;
        out[pos++] = (uint8_t)(rec_len >> 8);
        out[pos++] = (uint8_t)rec_len;
    }
    out[pos++] = (uint8_t)(NDEF_FLAG_MB | NDEF_FLAG_ME | (sr ? NDEF_FLAG_SR : 0) | tnf);
    out[pos++] = (uint8_t)type_len;
    if (sr) {
        out[pos++] = (uint8_t)payload_len;
    } else {
        out[pos++] = (uint8_t)(payload_len >> 24);
        out[pos++] = (uint8_t)(payload_len >> 16);
        out[pos++] = (uint8_t)(payload_len >> 8);
        out[pos++] = (uint8_t)payload_len;
    }
    memcpy(out + pos, type, type_len);
    pos += type_len;
    if (head_len)
        memcpy(out + pos, head, head_len);
    pos += head_len;
    if (body_len)
        memcpy(out + pos, body, body_len);
    pos += body_len;
    out[pos++] = NDEF_TLV_TERMINATOR;
    *out_len = pos;
    return KIOSK_OK;
}

KioskErr ndef_build_mime(const char *mime_type, const uint8_t *payload, size_t payload_len,
                         uint8_t *out, size_t size, size_t *out_len)
{
    char type[NDEF_MIME_TYPE_MAX + 1];

    if (!mime_type || (!payload && payload_len > 0))
        return KIOSK_E_INVALID;
    size_t tlen = strnlen(mime_type, NDEF_MIME_TYPE_MAX + 1);
    if (!mime_type_copy((const uint8_t *)mime_type, tlen, type))
        return KIOSK_E_INVALID;
    return build_tlv(NDEF_TNF_MIME, (const uint8_t *)type, tlen, NULL, 0, payload, payload_len, out,
                     size, out_len);
}

KioskErr ndef_build_uri(const char *uri, uint8_t *out, size_t size, size_t *out_len)
{
    uint8_t code = 0;
    size_t best = 0;

    if (!uri)
        return KIOSK_E_INVALID;
    size_t n = strnlen(uri, NDEF_URI_MAX + 1);
    if (n == 0 || !uri_chars_ok((const uint8_t *)uri, n))
        return KIOSK_E_INVALID;
    if (n > NDEF_URI_MAX)
        return KIOSK_E_TOOBIG;
    for (size_t c = 1; c < URI_PREFIX_COUNT; c++) {
        size_t plen = strlen(uri_prefixes[c]);
        if (plen > best && plen <= n && memcmp(uri, uri_prefixes[c], plen) == 0) {
            best = plen;
            code = (uint8_t)c;
        }
    }
    static const uint8_t type_u[] = {'U'};
    return build_tlv(NDEF_TNF_WELL_KNOWN, type_u, sizeof type_u, &code, 1,
                     (const uint8_t *)uri + best, n - best, out, size, out_len);
}

const char *ndef_kind_name(NdefKind kind)
{
    switch (kind) {
    case NDEF_KIND_OTHER:
        return "other";
    case NDEF_KIND_EMPTY:
        return "empty";
    case NDEF_KIND_URI:
        return "uri";
    case NDEF_KIND_TEXT:
        return "text";
    case NDEF_KIND_MIME:
        return "mime";
    }
    return "unknown";
}
