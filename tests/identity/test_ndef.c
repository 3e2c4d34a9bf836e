/* test_ndef.c: the NDEF parser and builder (firmware/ndef.c): TLV scanning, URI/Text/MIME
 * records, limits, and malformed or truncated tag memory. Inputs are hand-made byte strings
 * so the expectations do not depend on the builder under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ndef.h"

#define AREA_MAX 2048

/* The heap copy the last parse_exact() parsed: records borrow from it until the next call. */
static uint8_t *last_copy;

/* Parses len bytes from a heap copy of exactly that size (ASan catches any over-read). */
static KioskErr parse_exact(const uint8_t *bytes, size_t len, NdefMessage *msg)
{
    free(last_copy);
    last_copy = malloc(len ? len : 1);
    assert_non_null(last_copy);
    if (len)
        memcpy(last_copy, bytes, len);
    return ndef_parse_area(bytes ? last_copy : NULL, len, msg);
}

static int free_copy(void **state)
{
    (void)state;
    free(last_copy);
    last_copy = NULL;
    return 0;
}

static void test_uri_records(void **state)
{
    (void)state;
    NdefMessage msg;
    /* Lock control TLV, NULLs, then a URI record "https://id.gs1.org/01/09506000134352". */
    static const uint8_t area[] = {
        0x01, 0x03, 0xA0, 0x10, 0x44, /* lock control */
        0x00, 0x00,                   /* NULL TLVs */
        0x02, 0x03, 0x00, 0x00, 0x00, /* memory control */
        0x03, 0x21,                   /* NDEF message, 33 bytes */
        0xD1, 0x01, 0x1D, 'U',  0x04, /* MB ME SR TNF=1, type "U", 29 bytes, https:// */
        'i',  'd',  '.',  'g',  's',  '1', '.', 'o', 'r', 'g', '/', '0', '1',  '/',  '0', '9',
        '5',  '0',  '6',  '0',  '0',  '0', '1', '3', '4', '3', '5', '2', 0xFE, 0x00, 0x00};
    assert_int_equal(ndef_parse_area(area, sizeof area, &msg), KIOSK_OK);
    assert_int_equal(msg.count, 1);
    assert_int_equal(msg.records[0].kind, NDEF_KIND_URI);
    assert_int_equal(msg.records[0].tnf, NDEF_TNF_WELL_KNOWN);
    assert_string_equal(msg.records[0].uri, "https://id.gs1.org/01/09506000134352");
    assert_ptr_equal(ndef_find_record(&msg, NDEF_KIND_URI, NULL), &msg.records[0]);
    assert_null(ndef_find_record(&msg, NDEF_KIND_MIME, NULL));

    /* Other prefix codes. */
    static const struct {
        uint8_t code;
        const char *expect;
    } cases[] = {
        {0x00, "x"},     {0x01, "http://www.x"}, {0x02, "https://www.x"}, {0x03, "http://x"},
        {0x05, "tel:x"}, {0x06, "mailto:x"},     {0x1D, "file://x"},      {0x23, "urn:nfc:x"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t a[] = {0x03, 0x06, 0xD1, 0x01, 0x02, 'U', cases[i].code, 'x', 0xFE};
        assert_int_equal(parse_exact(a, sizeof a, &msg), KIOSK_OK);
        assert_int_equal(msg.records[0].kind, NDEF_KIND_URI);
        assert_string_equal(msg.records[0].uri, cases[i].expect);
    }
    /* Unknown prefix code, empty URI, a space or NUL inside: well formed but not a URI. */
    static const uint8_t odd[][9] = {
        {0x03, 0x06, 0xD1, 0x01, 0x02, 'U', 0x24, 'x', 0xFE},
        {0x03, 0x06, 0xD1, 0x01, 0x02, 'U', 0x00, ' ', 0xFE},
        {0x03, 0x06, 0xD1, 0x01, 0x02, 'U', 0x04, 0x00, 0xFE},
        {0x03, 0x06, 0xD1, 0x01, 0x02, 'U', 0x04, 0xFF, 0xFE},
    };
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        assert_int_equal(parse_exact(odd[i], sizeof odd[i], &msg), KIOSK_OK);
        assert_int_equal(msg.records[0].kind, NDEF_KIND_OTHER);
    }
    static const uint8_t empty_uri[] = {0x03, 0x05, 0xD1, 0x01, 0x01, 'U', 0x00, 0xFE};
    assert_int_equal(parse_exact(empty_uri, sizeof empty_uri, &msg), KIOSK_OK);
    assert_int_equal(msg.records[0].kind, NDEF_KIND_OTHER);
    /* Absolute-URI record: the URI is the type. */
    static const uint8_t abs_uri[] = {0x03, 0x0A, 0xD3, 0x07, 0x00, 'u', 'r',
                                      'n',  ':',  'x',  ':',  'y',  0xFE};
    assert_int_equal(parse_exact(abs_uri, sizeof abs_uri, &msg), KIOSK_OK);
    assert_int_equal(msg.records[0].kind, NDEF_KIND_URI);
    assert_string_equal(msg.records[0].uri, "urn:x:y");
}

static void test_text_records(void **state)
{
    (void)state;
    NdefMessage msg;
    static const uint8_t area[] = {0x03, 0x0E, 0xD1, 0x01, 0x0A, 'T',  0x02, 'e', 'n',
                                   'H',  'e',  'l',  'l',  'o',  0xC3, 0xA9, 0xFE};
    assert_int_equal(parse_exact(area, sizeof area, &msg), KIOSK_OK);
    assert_int_equal(msg.count, 1);
    assert_int_equal(msg.records[0].kind, NDEF_KIND_TEXT);
    assert_string_equal(msg.records[0].lang, "en");
    assert_string_equal(msg.records[0].text, "Hello\xC3\xA9");

    /* UTF-16, a language longer than the payload, bad UTF-8: not Text. */
    static const uint8_t bad[][11] = {
        {0x03, 0x08, 0xD1, 0x01, 0x04, 'T', 0x82, 'e', 'n', 'x', 0xFE},
        {0x03, 0x08, 0xD1, 0x01, 0x04, 'T', 0x05, 'e', 'n', 'x', 0xFE},
        {0x03, 0x08, 0xD1, 0x01, 0x04, 'T', 0x02, 'e', 'n', 0xC0, 0xFE},
        {0x03, 0x08, 0xD1, 0x01, 0x04, 'T', 0x02, 'e', 'n', 0x01, 0xFE},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(parse_exact(bad[i], sizeof bad[i], &msg), KIOSK_OK);
        assert_int_equal(msg.records[0].kind, NDEF_KIND_OTHER);
    }
    /* Empty text, no language. */
    static const uint8_t empty[] = {0x03, 0x05, 0xD1, 0x01, 0x01, 'T', 0x00, 0xFE};
    assert_int_equal(parse_exact(empty, sizeof empty, &msg), KIOSK_OK);
    assert_int_equal(msg.records[0].kind, NDEF_KIND_TEXT);
    assert_string_equal(msg.records[0].text, "");
}

static void test_mime_and_several_records(void **state)
{
    (void)state;
    NdefMessage msg;
    /* Text (MB), MIME with an id (IL), URI (ME). */
    static const uint8_t area[] = {0x03, 0x20, 0x91, 0x01, 0x04, 'T',  0x02, 'f', 'r',
                                   'a',  0x1A, 0x0A, 0x03, 0x01, 't',  'e',  'x', 't',
                                   '/',  'P',  'l',  'a',  'i',  'n',  '#',  'a', 'b',
                                   'c',  0x51, 0x01, 0x02, 'U',  0x03, 'z',  0xFE};
    assert_int_equal(parse_exact(area, sizeof area, &msg), KIOSK_OK);
    assert_int_equal(msg.count, 3);
    assert_int_equal(msg.records[0].kind, NDEF_KIND_TEXT);
    assert_string_equal(msg.records[0].text, "a");
    assert_int_equal(msg.records[1].kind, NDEF_KIND_MIME);
    assert_string_equal(msg.records[1].mime_type, "text/plain");
    assert_int_equal(msg.records[1].id_len, 1);
    assert_int_equal(msg.records[1].id[0], '#');
    assert_int_equal(msg.records[1].payload_len, 3);
    assert_memory_equal(msg.records[1].payload, "abc", 3);
    assert_int_equal(msg.records[2].kind, NDEF_KIND_URI);
    assert_string_equal(msg.records[2].uri, "http://z");
    assert_ptr_equal(ndef_find_record(&msg, NDEF_KIND_MIME, "TEXT/plain"), &msg.records[1]);
    assert_null(ndef_find_record(&msg, NDEF_KIND_MIME, "text/plai"));
    assert_null(ndef_find_record(&msg, NDEF_KIND_MIME, "text/plainx"));

    /* A long (non-SR) record. */
    static const uint8_t lr[] = {0x03, 0x0B, 0xC2, 0x03, 0x00, 0x00, 0x00,
                                 0x02, 'a',  '/',  'b',  0x01, 0x02, 0xFE};
    assert_int_equal(parse_exact(lr, sizeof lr, &msg), KIOSK_OK);
    assert_int_equal(msg.records[0].kind, NDEF_KIND_MIME);
    assert_int_equal(msg.records[0].payload_len, 2);
    /* A media type that is not one. */
    static const uint8_t nt[] = {0x03, 0x06, 0xD2, 0x03, 0x00, 'a', 'b', 'c', 0xFE};
    assert_int_equal(parse_exact(nt, sizeof nt, &msg), KIOSK_OK);
    assert_int_equal(msg.records[0].kind, NDEF_KIND_OTHER);
}

static void test_builders(void **state)
{
    (void)state;
    uint8_t out[AREA_MAX];
    size_t len = 0;
    NdefMessage msg;
    uint8_t payload[NDEF_PAYLOAD_MAX];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 7);

    /* Short MIME record, the member token type. */
    assert_int_equal(ndef_build_mime(NDEF_MIME_MEMBER_TOKEN, payload, 150, out, sizeof out, &len),
                     KIOSK_OK);
    assert_int_equal(out[0], 0x03);
    assert_int_equal(out[1], 3 + 34 + 150);
    assert_int_equal(out[2], 0xD2);
    assert_int_equal(out[len - 1], 0xFE);
    assert_int_equal(parse_exact(out, len, &msg), KIOSK_OK);
    const NdefRecord *r = ndef_find_record(&msg, NDEF_KIND_MIME, NDEF_MIME_MEMBER_TOKEN);
    assert_non_null(r);
    assert_int_equal(r->payload_len, 150);
    assert_memory_equal(r->payload, payload, 150);

    /* Long record and a 3-byte TLV length. */
    assert_int_equal(
        ndef_build_mime("application/octet-stream", payload, 600, out, sizeof out, &len), KIOSK_OK);
    assert_int_equal(out[1], 0xFF);
    assert_int_equal((out[2] << 8) | out[3], 6 + 24 + 600);
    assert_int_equal(out[4], 0xC2);
    assert_int_equal(parse_exact(out, len, &msg), KIOSK_OK);
    assert_int_equal(msg.records[0].payload_len, 600);
    assert_memory_equal(msg.records[0].payload, payload, 600);

    /* URIs with the longest prefix chosen. */
    static const struct {
        const char *uri;
        uint8_t code;
    } uris[] = {
        {"https://id.gs1.org/01/09506000134352", 0x04},
        {"https://www.example.com/", 0x02},
        {"http://www.example.com/", 0x01},
        {"http://example.com/", 0x03},
        {"urn:epc:id:sgtin:1", 0x1E},
        {"urn:x", 0x13},
        {"geo:1,2", 0x00},
        {"https://", 0x04},
    };
    for (size_t i = 0; i < sizeof uris / sizeof uris[0]; i++) {
        assert_int_equal(ndef_build_uri(uris[i].uri, out, sizeof out, &len), KIOSK_OK);
        assert_int_equal(out[2], 0xD1);
        assert_int_equal(out[5], 'U');
        assert_int_equal(out[6], uris[i].code);
        assert_int_equal(parse_exact(out, len, &msg), KIOSK_OK);
        if (strcmp(uris[i].uri, "https://") != 0) {
            assert_int_equal(msg.records[0].kind, NDEF_KIND_URI);
            assert_string_equal(msg.records[0].uri, uris[i].uri);
        }
    }

    /* Refusals. */
    assert_int_equal(ndef_build_mime("nonsense", payload, 1, out, sizeof out, &len),
                     KIOSK_E_INVALID);
    assert_int_equal(ndef_build_mime("a/b c", payload, 1, out, sizeof out, &len), KIOSK_E_INVALID);
    assert_int_equal(ndef_build_mime("a/b", payload, 100, out, 50, &len), KIOSK_E_TOOBIG);
    assert_int_equal(ndef_build_mime("a/b", payload, 10, out, 2 + 3 + 3 + 10, &len),
                     KIOSK_E_TOOBIG); /* one byte short for the terminator */
    assert_int_equal(ndef_build_mime("a/b", payload, 10, out, 2 + 3 + 3 + 10 + 1, &len), KIOSK_OK);
    static uint8_t huge[NDEF_PAYLOAD_MAX + 1];
    assert_int_equal(ndef_build_mime("a/b", huge, sizeof huge, out, sizeof out, &len),
                     KIOSK_E_TOOBIG);
    assert_int_equal(ndef_build_uri("", out, sizeof out, &len), KIOSK_E_INVALID);
    assert_int_equal(ndef_build_uri("https://a b", out, sizeof out, &len), KIOSK_E_INVALID);
    assert_int_equal(ndef_build_uri("https://a\n", out, sizeof out, &len), KIOSK_E_INVALID);
    char longuri[NDEF_URI_MAX + 10];
    memset(longuri, 'a', sizeof longuri - 1);
    longuri[sizeof longuri - 1] = '\0';
    assert_int_equal(ndef_build_uri(longuri, out, sizeof out, &len), KIOSK_E_TOOBIG);
}

static void test_bad_tlv(void **state)
{
    (void)state;
    NdefMessage msg;
    static const struct {
        uint8_t bytes[8];
        size_t len;
    } cases[] = {
        {{0x03}, 1},                         /* no length */
        {{0x03, 0x05, 0xD1, 0x01, 0x00}, 5}, /* 5 claimed, 3 present */
        {{0x03, 0xFF}, 2},                   /* 3-byte length cut */
        {{0x03, 0xFF, 0x00}, 3},
        {{0x03, 0xFF, 0xFF, 0xFF}, 4},       /* reserved length */
        {{0x03, 0xFF, 0x01, 0x00, 0xD0}, 5}, /* 256 claimed */
        {{0x01, 0x03, 0xA0, 0x10}, 4},       /* lock control past the end */
        {{0x02, 0x09}, 2},                   /* memory control past the end */
        {{0x42, 0x01, 0x00}, 3},             /* unknown TLV type */
        {{0x01}, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(parse_exact(cases[i].bytes, cases[i].len, &msg), KIOSK_E_INVALID);
    /* Proprietary TLVs are skipped. */
    static const uint8_t prop[] = {0xFD, 0x02, 0xAA, 0xBB, 0x03, 0x03, 0xD0, 0x00, 0x00, 0xFE};
    assert_int_equal(parse_exact(prop, sizeof prop, &msg), KIOSK_OK);
    assert_int_equal(msg.records[0].kind, NDEF_KIND_EMPTY);
    /* find_message reports where the message is. */
    const uint8_t *m = NULL;
    size_t ml = 0;
    assert_int_equal(ndef_find_message(prop, sizeof prop, &m, &ml), KIOSK_OK);
    assert_ptr_equal(m, prop + 6);
    assert_int_equal(ml, 3);
}

static void test_bad_records(void **state)
{
    (void)state;
    NdefMessage msg;
    static const struct {
        uint8_t bytes[16];
        size_t len;
    } cases[] = {
        /* payload claims more than present */
        {{0x03, 0x05, 0xD1, 0x01, 0x40, 'U', 0x04}, 7},
        /* long record claiming 4 GB */
        {{0x03, 0x08, 0xC1, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 'U', 0x04}, 10},
        /* type length past the end */
        {{0x03, 0x04, 0xD1, 0x09, 0x00, 'U'}, 6},
        /* id length past the end */
        {{0x03, 0x06, 0xD9, 0x01, 0x00, 0x05, 'U', 'x'}, 8},
        /* IL set, id length byte missing */
        {{0x03, 0x03, 0xD9, 0x01, 0x00}, 5},
        /* long record header cut */
        {{0x03, 0x04, 0xC1, 0x01, 0x00, 0x00}, 6},
        /* header only */
        {{0x03, 0x01, 0xD1}, 3},
        /* MB missing on the first record */
        {{0x03, 0x03, 0x50, 0x00, 0x00}, 5},
        /* ME missing on the last record */
        {{0x03, 0x03, 0x90, 0x00, 0x00}, 5},
        /* bytes after ME */
        {{0x03, 0x04, 0xD0, 0x00, 0x00, 0x00}, 6},
        /* MB on the second record */
        {{0x03, 0x06, 0x90, 0x00, 0x00, 0xD0, 0x00, 0x00}, 8},
        /* chunked (CF) */
        {{0x03, 0x06, 0xB2, 0x03, 0x01, 'a', '/', 'b', 'x'}, 9},
        /* TNF empty with a payload */
        {{0x03, 0x04, 0xD0, 0x00, 0x01, 'x'}, 6},
        /* TNF unchanged */
        {{0x03, 0x03, 0xD6, 0x00, 0x00}, 5},
        /* well-known with no type */
        {{0x03, 0x04, 0xD1, 0x00, 0x01, 0x04}, 6},
        /* unknown TNF with a type */
        {{0x03, 0x04, 0xD5, 0x01, 0x00, 'x'}, 6},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(parse_exact(cases[i].bytes, cases[i].len, &msg), KIOSK_E_INVALID);
        assert_int_equal(msg.count, 0);
    }
    /* Direct message parsing. */
    assert_int_equal(ndef_parse_message(NULL, 0, &msg), KIOSK_E_EMPTY);
    assert_int_equal(ndef_parse_message((const uint8_t *)"\xD0", 1, &msg), KIOSK_E_INVALID);
}

static void test_limits(void **state)
{
    (void)state;
    NdefMessage msg;
    uint8_t area[AREA_MAX];
    size_t n = 0;

    /* NDEF_MAX_RECORDS + 1 empty-ish records. */
    size_t recs = NDEF_MAX_RECORDS + 1;
    area[n++] = 0x03;
    area[n++] = (uint8_t)(recs * 3);
    for (size_t i = 0; i < recs; i++) {
        uint8_t hdr = 0x15; /* SR, TNF unknown */
        if (i == 0)
            hdr |= 0x80;
        if (i == recs - 1)
            hdr |= 0x40;
        area[n++] = hdr;
        area[n++] = 0;
        area[n++] = 0;
    }
    area[n++] = 0xFE;
    assert_int_equal(parse_exact(area, n, &msg), KIOSK_E_TOOBIG);
    /* Exactly NDEF_MAX_RECORDS is fine. */
    area[1] = (uint8_t)(NDEF_MAX_RECORDS * 3);
    area[2 + (NDEF_MAX_RECORDS - 1) * 3] |= 0x40;
    assert_int_equal(parse_exact(area, 2 + NDEF_MAX_RECORDS * 3 + 1, &msg), KIOSK_OK);
    assert_int_equal(msg.count, NDEF_MAX_RECORDS);
    assert_int_equal(msg.records[0].kind, NDEF_KIND_OTHER);

    /* A payload over NDEF_PAYLOAD_MAX that is really there. */
    size_t pl = NDEF_PAYLOAD_MAX + 1;
    size_t rec = 6 + 3 + pl;
    n = 0;
    area[n++] = 0x03;
    area[n++] = 0xFF;
    area[n++] = (uint8_t)(rec >> 8);
    area[n++] = (uint8_t)rec;
    area[n++] = 0xC2;
    area[n++] = 3;
    area[n++] = 0;
    area[n++] = 0;
    area[n++] = (uint8_t)(pl >> 8);
    area[n++] = (uint8_t)pl;
    memcpy(area + n, "a/b", 3);
    n += 3;
    memset(area + n, 0x55, pl);
    n += pl;
    area[n++] = 0xFE;
    assert_int_equal(parse_exact(area, n, &msg), KIOSK_E_TOOBIG);
}

static void test_empty_tags(void **state)
{
    (void)state;
    NdefMessage msg;
    uint8_t zeros[504] = {0};
    assert_int_equal(parse_exact(zeros, sizeof zeros, &msg), KIOSK_E_EMPTY);
    static const uint8_t blank[] = {0x03, 0x00, 0xFE, 0x00};
    assert_int_equal(parse_exact(blank, sizeof blank, &msg), KIOSK_E_EMPTY);
    static const uint8_t term[] = {0xFE, 0x03, 0x03, 0xD0, 0x00, 0x00};
    assert_int_equal(parse_exact(term, sizeof term, &msg), KIOSK_E_EMPTY);
    assert_int_equal(parse_exact(NULL, 0, &msg), KIOSK_E_EMPTY);
    assert_int_equal(ndef_parse_area(NULL, 0, &msg), KIOSK_E_EMPTY);
    /* The NFC Forum "empty NDEF message": one empty record. */
    static const uint8_t empty_rec[] = {0x03, 0x03, 0xD0, 0x00, 0x00, 0xFE};
    assert_int_equal(parse_exact(empty_rec, sizeof empty_rec, &msg), KIOSK_OK);
    assert_int_equal(msg.count, 1);
    assert_int_equal(msg.records[0].kind, NDEF_KIND_EMPTY);
}

static void test_truncations_and_noise(void **state)
{
    (void)state;
    uint8_t area[AREA_MAX];
    size_t len = 0;
    NdefMessage msg;
    uint8_t payload[200];
    memset(payload, 0xA5, sizeof payload);

    /* Every truncation of a real tag's TLV area fails cleanly. */
    assert_int_equal(
        ndef_build_mime(NDEF_MIME_MEMBER_TOKEN, payload, sizeof payload, area, sizeof area, &len),
        KIOSK_OK);
    for (size_t n = 0; n < len - 1; n++) {
        KioskErr err = parse_exact(area, n, &msg);
        assert_true(err == KIOSK_E_INVALID || err == KIOSK_E_EMPTY);
    }
    /* Without the terminator the message is still complete. */
    assert_int_equal(parse_exact(area, len - 1, &msg), KIOSK_OK);

    /* Noise: never a crash; whatever parses has sane fields. */
    unsigned seed = 4242;
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        seed = seed * 1103515245u + 12345u;
        n = (seed >> 8) % 64;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            area[i] = (uint8_t)(seed >> 16);
        }
        if (n > 2 && (round & 1)) {
            area[0] = 0x03;
            area[1] = (uint8_t)(n - 2);
        }
        if (parse_exact(area, n, &msg) == KIOSK_OK) {
            assert_true(msg.count >= 1 && msg.count <= NDEF_MAX_RECORDS);
            for (size_t i = 0; i < msg.count; i++)
                assert_true(msg.records[i].payload_len <= NDEF_PAYLOAD_MAX);
        }
    }
    assert_string_equal(ndef_kind_name(NDEF_KIND_MIME), "mime");
    assert_string_equal(ndef_kind_name((NdefKind)42), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uri_records),
        cmocka_unit_test(test_text_records),
        cmocka_unit_test(test_mime_and_several_records),
        cmocka_unit_test(test_builders),
        cmocka_unit_test(test_bad_tlv),
        cmocka_unit_test(test_bad_records),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_empty_tags),
        cmocka_unit_test(test_truncations_and_noise),
    };
    return cmocka_run_group_tests_name("identity.ndef", tests, NULL, free_copy);
}
