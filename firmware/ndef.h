/* ndef.h: NFC Forum NDEF on Type 2 tags (NTAG21x): finding the NDEF Message TLV in the tag's
 * data area (page 4 on), parsing its records (URI, Text, MIME exposed), and building the
 * TLV-wrapped single-record messages that kioskctl writes into tag images.
 * Safe on any bytes: every length is checked against what is present and against the named
 * limits below. Pure functions, no state: any thread. docs/token.md says where the member
 * token lives (a MIME record of type NDEF_MIME_MEMBER_TOKEN).
 *
 * Ownership: an NdefMessage borrows the buffer it was parsed from (type, id and payload point
 * into it) and owns copies of the decoded strings (uri, lang, text, mime_type). */
#ifndef KIOSK_NDEF_H
#define KIOSK_NDEF_H

#include <stddef.h>
#include <stdint.h>

#include "kerr.h"

#define NDEF_MAX_RECORDS   8    /* records kept from one message; more is KIOSK_E_TOOBIG */
#define NDEF_PAYLOAD_MAX   1024 /* bytes in one record (NTAG216 holds 888 in all) */
#define NDEF_URI_MAX       512  /* bytes of an expanded URI */
#define NDEF_TEXT_MAX      512  /* bytes of a Text record's text */
#define NDEF_LANG_MAX      63   /* the Text status byte has 6 bits of language length */
#define NDEF_MIME_TYPE_MAX 127  /* RFC 6838 caps a media type at 127 characters */

#define NDEF_MIME_MEMBER_TOKEN "application/vnd.kiosk.member-token"

/* TLV block types of a Type 2 tag's data area. */
#define NDEF_TLV_NULL        0x00
#define NDEF_TLV_LOCK_CTRL   0x01
#define NDEF_TLV_MEM_CTRL    0x02
#define NDEF_TLV_MESSAGE     0x03
#define NDEF_TLV_PROPRIETARY 0xFD
#define NDEF_TLV_TERMINATOR  0xFE

/* Record header bits. */
#define NDEF_FLAG_MB  0x80
#define NDEF_FLAG_ME  0x40
#define NDEF_FLAG_CF  0x20
#define NDEF_FLAG_SR  0x10
#define NDEF_FLAG_IL  0x08
#define NDEF_TNF_MASK 0x07

typedef enum NdefTnf {
    NDEF_TNF_EMPTY = 0,
    NDEF_TNF_WELL_KNOWN = 1,
    NDEF_TNF_MIME = 2,
    NDEF_TNF_ABSOLUTE_URI = 3,
    NDEF_TNF_EXTERNAL = 4,
    NDEF_TNF_UNKNOWN = 5,
    NDEF_TNF_UNCHANGED = 6, /* only in chunks: refused */
    NDEF_TNF_RESERVED = 7,
} NdefTnf;

/* What a record is, as far as the kiosk cares. OTHER: well formed but not one of these
 * (an external type, a Smart Poster, a UTF-16 Text record, a URI with an unknown prefix code
 * or control characters, ...); its type, id and payload are still there. */
typedef enum NdefKind {
    NDEF_KIND_OTHER = 0,
    NDEF_KIND_EMPTY,
    NDEF_KIND_URI,  /* well-known "U" (prefix expanded) or an absolute-URI record */
    NDEF_KIND_TEXT, /* well-known "T", UTF-8 */
    NDEF_KIND_MIME,
} NdefKind;

typedef struct NdefRecord {
    NdefKind kind;
    NdefTnf tnf;
    uint8_t flags;       /* the header byte without the TNF */
    const uint8_t *type; /* borrowed from the parsed buffer */
    size_t type_len;
    const uint8_t *id; /* borrowed */
    size_t id_len;
    const uint8_t *payload; /* borrowed; for MIME the whole body (e.g. a binary token) */
    size_t payload_len;
    char uri[NDEF_URI_MAX + 1];             /* NDEF_KIND_URI: the expanded URI */
    char lang[NDEF_LANG_MAX + 1];           /* NDEF_KIND_TEXT: IANA language code */
    char text[NDEF_TEXT_MAX + 1];           /* NDEF_KIND_TEXT: UTF-8 text */
    char mime_type[NDEF_MIME_TYPE_MAX + 1]; /* NDEF_KIND_MIME: lower-cased media type */
} NdefRecord;

typedef struct NdefMessage {
    size_t count;
    NdefRecord records[NDEF_MAX_RECORDS];
} NdefMessage;

/* Finds the NDEF Message TLV in a Type 2 tag's data area (the bytes read from page 4 on):
 * skips NULL, Lock Control, Memory Control and proprietary TLVs, stops at the terminator.
 * *msg points into area. KIOSK_E_EMPTY: no NDEF message before the terminator or the end;
 * KIOSK_E_INVALID: a TLV runs past the end or has an unknown type. An NDEF TLV of length 0
 * (a blank, formatted tag) is found with *msg_len == 0. */
KioskErr ndef_find_message(const uint8_t *area, size_t len, const uint8_t **msg, size_t *msg_len);

/* Parses the records of an NDEF message (no TLV around it). KIOSK_E_EMPTY for zero bytes;
 * KIOSK_E_INVALID for a malformed message (bad MB/ME, a length past the end, bytes after the
 * last record, chunked records, TNF rules broken); KIOSK_E_TOOBIG over NDEF_MAX_RECORDS or
 * NDEF_PAYLOAD_MAX. out is zeroed first and holds nothing useful on error. */
KioskErr ndef_parse_message(const uint8_t *msg, size_t len, NdefMessage *out);

/* ndef_find_message then ndef_parse_message: a tag's data area to its records. */
KioskErr ndef_parse_area(const uint8_t *area, size_t len, NdefMessage *out);

/* The first record of the message of that kind (and, for MIME, that media type compared
 * without case; NULL for any), or NULL. Borrowed from msg. */
const NdefRecord *ndef_find_record(const NdefMessage *msg, NdefKind kind, const char *mime_type);

/* Encoders: write an NDEF Message TLV holding one record, followed by the terminator TLV
 * (03 len|FF hi lo, message, FE), ready to be written from page 4. KIOSK_E_TOOBIG if out
 * (size bytes) is too small or the record is over its limit, KIOSK_E_INVALID for a bad
 * media type or URI. */
KioskErr ndef_build_mime(const char *mime_type, const uint8_t *payload, size_t payload_len,
                         uint8_t *out, size_t size, size_t *out_len);
/* Abbreviates the URI with the longest matching identifier code ("https://" -> 0x04). */
KioskErr ndef_build_uri(const char *uri, uint8_t *out, size_t size, size_t *out_len);

/* A short name for logs and `kioskctl card show` ("uri"). Never NULL. */
const char *ndef_kind_name(NdefKind kind);

#endif
