/* card.c: `kioskctl card mint | mint-garment | show` (see card.h). Builds NTAG215 memory
 * images the way a real tag lays them out (UID with its check bytes, capability container,
 * NDEF TLV from page 4, NTAG215 configuration pages) so that nfc-sim can present them and
 * the kiosk reads them as it would a card. Single-threaded CLI code; no globals. */
#include "card.h"
#include "card_util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "gs1.h"
#include "ndef.h"
#include "token.h"
#include "card_write.h"

#define SECONDS_PER_DAY 86400u
#define CT_BYTE         0x88 /* ISO 14443-3 cascade tag, part of BCC0 */
#define NTAG_INTERNAL   0x48
#define NTAG_CC_MAGIC   0xE1 /* capability container byte 0: NDEF formatted */
#define NTAG_CC_UNIT    8    /* CC byte 2 counts the data area in 8-byte units */

/* NTAG215 factory defaults of the configuration pages (NXP NTAG213/215/216 data sheet). */
static const uint8_t ntag215_cc[CARD_PAGE_SIZE] = {0xE1, 0x10, 0x3E, 0x00};
static const uint8_t ntag215_config[CARD_NTAG215_PAGES - CARD_DATA_END_PAGE][CARD_PAGE_SIZE] = {
    {0x00, 0x00, 0x00, 0xBD}, /* 130: dynamic lock bytes, RFUI */
    {0x04, 0x00, 0x00, 0xFF}, /* 131: CFG0: MIRROR, RFUI, MIRROR_PAGE, AUTH0 (no password) */
    {0x00, 0x05, 0x00, 0x00}, /* 132: CFG1: ACCESS, RFUI */
    {0xFF, 0xFF, 0xFF, 0xFF}, /* 133: PWD (factory value; a real tag reads it back as 0) */
    {0x00, 0x00, 0x00, 0x00}, /* 134: PACK, RFUI */
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kioskctl card mint --role member|staff|technician --member ID --key PEM\n"
            "                          [--uid HEX --out TAG.bin] [--days N] [--print-token]\n"
            "       kioskctl card mint-garment (--gtin GTIN [--serial S] | --uri URI)\n"
            "                                  --uid HEX --out TAG.bin\n"
            "       kioskctl card show TAG.bin [--key PEM]...\n"
            "       kioskctl card write --device CONNSTRING (--image TAG.bin |\n"
            "                           --role ROLE --member ID --key PEM [--days N] |\n"
            "                           --gtin GTIN [--serial S])\n"
            "\n"
            "mint          write an NTAG215 image (540 bytes) holding a token bound to the\n"
            "              7-byte UID; --print-token also prints an unbound token as the line\n"
            "              a scanner would type (a scanner line has no tag to bind to).\n"
            "              Valid from now for N days (default %d).\n"
            "mint-garment  write an NTAG215 image holding the GS1 Digital Link URI\n"
            "              " GS1_DL_PREFIX "<GTIN-14>[/21/<serial>], or with --uri the\n"
            "              retailer's own product URI (https://shop.example.com/p/<id>; at\n"
            "              most %d bytes, and it must fit the tag).\n"
            "show          print the UID, the records and the token fields of an image;\n"
            "              with --key (public or private PEM, repeatable) also verify the\n"
            "              token, exiting 1 if it does not verify (never prints the\n"
            "              signature).\n"
            "write         write a card or garment tag onto the tag held on a reader (libnfc);\n"
            "              see kioskctl card write --help.\n"
            "\n"
            "--json (after the command, or kioskctl --json card ...): what was done as one\n"
            "JSON object on stdout, for scripts.\n",
            CARD_DAYS_DEFAULT, NDEF_URI_MAX);
}

/* ---- small helpers ----------------------------------------------------------------------- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "04A1B2C3D4E5F6" or "04:a1:b2:..." (':', '-' or ' ' between bytes) into exactly want bytes. */
static bool parse_uid(const char *s, uint8_t *uid, size_t want)
{
    size_t n = 0;
    while (*s) {
        if (*s == ':' || *s == '-' || *s == ' ') {
            s++;
            continue;
        }
        int hi = hex_value(s[0]);
        int lo = hi < 0 ? -1 : hex_value(s[1]);
        if (hi < 0 || lo < 0 || n >= want)
            return false;
        uid[n++] = (uint8_t)(hi << 4 | lo);
        s += 2;
    }
    return n == want;
}

static void format_hex(const uint8_t *b, size_t n, char sep, char *out, size_t size)
{
    size_t pos = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && pos + 4 <= size; i++) {
        if (i > 0 && sep)
            out[pos++] = sep;
        pos += (size_t)snprintf(out + pos, size - pos, "%02X", b[i]);
    }
}

/* Writes the whole file or nothing: a temporary beside it, then rename. */
static int write_file(const char *path, const uint8_t *data, size_t len)
{
    char tmp[4096];
    int rc = -1;
    FILE *f = NULL;

    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        fprintf(stderr, "kioskctl card: path too long: %s\n", path);
        return -1;
    }
    f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "kioskctl card: cannot write %s: %s\n", tmp, strerror(errno));
        goto out;
    }
    if (fwrite(data, 1, len, f) != len || fflush(f) != 0) {
        fprintf(stderr, "kioskctl card: cannot write %s: %s\n", tmp, strerror(errno));
        goto out;
    }
    if (fclose(f) != 0) {
        f = NULL;
        fprintf(stderr, "kioskctl card: cannot write %s: %s\n", tmp, strerror(errno));
        goto out;
    }
    f = NULL;
    if (rename(tmp, path) != 0) {
        fprintf(stderr, "kioskctl card: cannot write %s: %s\n", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (f)
        fclose(f);
    if (rc != 0)
        remove(tmp);
    return rc;
}

/* Reads at most max bytes; -1 if the file is missing, unreadable or longer. */
static int read_file(const char *path, uint8_t *buf, size_t max, size_t *len)
{
    int rc = -1;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "kioskctl card: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    *len = fread(buf, 1, max, f);
    if (ferror(f)) {
        fprintf(stderr, "kioskctl card: cannot read %s\n", path);
        goto out;
    }
    if (fgetc(f) != EOF) {
        fprintf(stderr, "kioskctl card: %s is larger than any NTAG21x image (%d bytes)\n", path,
                CARD_IMAGE_MAX);
        goto out;
    }
    rc = 0;
out:
    fclose(f);
    return rc;
}

/* An NTAG215 memory image: UID and check bytes in pages 0-2, capability container in page 3,
 * the TLVs from page 4 (the rest of user memory zero), configuration pages at defaults. */
static int build_image(const uint8_t uid[CARD_UID_LEN], const uint8_t *tlv, size_t tlv_len,
                       uint8_t img[CARD_IMAGE_SIZE])
{
    const size_t data_off = CARD_DATA_FIRST_PAGE * CARD_PAGE_SIZE;
    const size_t data_max = (CARD_DATA_END_PAGE - CARD_DATA_FIRST_PAGE) * CARD_PAGE_SIZE;

    if (tlv_len > data_max) {
        fprintf(stderr, "kioskctl card: NDEF message of %zu bytes does not fit an NTAG215\n",
                tlv_len);
        return -1;
    }
    memset(img, 0, CARD_IMAGE_SIZE);
    img[0] = uid[0];
    img[1] = uid[1];
    img[2] = uid[2];
    img[3] = (uint8_t)(CT_BYTE ^ uid[0] ^ uid[1] ^ uid[2]); /* BCC0 */
    memcpy(img + 4, uid + 3, 4);
    img[8] = (uint8_t)(uid[3] ^ uid[4] ^ uid[5] ^ uid[6]); /* BCC1 */
    img[9] = NTAG_INTERNAL;
    img[10] = 0x00; /* static lock bytes: nothing locked */
    img[11] = 0x00;
    memcpy(img + 12, ntag215_cc, CARD_PAGE_SIZE);
    memcpy(img + data_off, tlv, tlv_len);
    memcpy(img + CARD_DATA_END_PAGE * CARD_PAGE_SIZE, ntag215_config, sizeof ntag215_config);
    return 0;
}

/* ---- mint -------------------------------------------------------------------------------- */

static int cmd_mint(int argc, char **argv)
{
    const char *role_s = NULL, *member = NULL, *uid_s = NULL, *key = NULL, *out = NULL;
    const char *days_s = NULL;
    unsigned days = CARD_DAYS_DEFAULT;
    bool print_token = false, as_json = false;
    TokenRole role = TOKEN_ROLE_MEMBER;
    uint8_t uid[CARD_UID_LEN];
    uint8_t bin[TOKEN_BIN_MAX];
    uint8_t tlv[CARD_IMAGE_SIZE];
    uint8_t img[CARD_IMAGE_SIZE];
    char text[TOKEN_TEXT_MAX + 1];
    size_t bin_len = 0, tlv_len = 0;
    KioskErr err;

    int argi = 1;
    while (argi < argc) {
        const char *a = argv[argi++];
        const char **slot = NULL;
        if (strcmp(a, "--print-token") == 0) {
            print_token = true;
            continue;
        }
        if (strcmp(a, "--json") == 0) {
            as_json = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--role") == 0)
            slot = &role_s;
        else if (strcmp(a, "--member") == 0)
            slot = &member;
        else if (strcmp(a, "--uid") == 0)
            slot = &uid_s;
        else if (strcmp(a, "--key") == 0)
            slot = &key;
        else if (strcmp(a, "--out") == 0)
            slot = &out;
        else if (strcmp(a, "--days") == 0)
            slot = &days_s;
        if (!slot) {
            fprintf(stderr, "kioskctl card mint: unknown option %s\n", a);
            return 2;
        }
        if (argi >= argc) {
            fprintf(stderr, "kioskctl card mint: %s needs a value\n", a);
            return 2;
        }
        *slot = argv[argi++];
    }
    if (days_s && !card_parse_days(days_s, &days)) {
        fprintf(stderr, "kioskctl card mint: --days must be 1..%d\n", CARD_DAYS_MAX);
        return 2;
    }
    if (!role_s || !member || !key) {
        fprintf(stderr, "kioskctl card mint: --role, --member and --key are required\n");
        return 2;
    }
    if (!card_parse_role(role_s, &role)) {
        fprintf(stderr, "kioskctl card mint: --role must be member, staff or technician\n");
        return 2;
    }
    if (!card_member_id_ok(member)) {
        fprintf(stderr, "kioskctl card mint: --member must be 1..%d of A-Z a-z 0-9 - _\n",
                TOKEN_MEMBER_ID_MAX);
        return 2;
    }
    if (!out && !print_token) {
        fprintf(stderr, "kioskctl card mint: give --out TAG.bin, --print-token or both\n");
        return 2;
    }
    if (out && !uid_s) {
        fprintf(stderr, "kioskctl card mint: --out needs --uid (the tag's 7-byte UID)\n");
        return 2;
    }
    if (uid_s && !parse_uid(uid_s, uid, CARD_UID_LEN)) {
        fprintf(stderr, "kioskctl card mint: --uid must be 7 bytes of hex (14 digits)\n");
        return 2;
    }

    uint32_t now = (uint32_t)time(NULL);
    uint32_t expires = now + days * SECONDS_PER_DAY;
    char exp_text[CARD_TIME_TEXT_MAX];
    card_format_time(expires, exp_text);

    if (out) {
        err = token_mint(key, role, member, uid, CARD_UID_LEN, now, expires, bin, &bin_len);
        if (err != KIOSK_OK)
            goto mint_failed;
        err = ndef_build_mime(NDEF_MIME_MEMBER_TOKEN, bin, bin_len, tlv, sizeof tlv, &tlv_len);
        if (err != KIOSK_OK) {
            fprintf(stderr, "kioskctl card mint: cannot build NDEF message: %s\n", kerr_name(err));
            return 1;
        }
        if (build_image(uid, tlv, tlv_len, img) != 0 || write_file(out, img, sizeof img) != 0)
            return 1;
        /* With --print-token stdout carries the token line only. */
        if (!as_json)
            fprintf(print_token ? stderr : stdout, "wrote %s: %s %s, expires %s\n", out,
                    token_role_name(role), member, exp_text);
    }
    if (print_token) {
        err = token_mint(key, role, member, NULL, 0, now, expires, bin, &bin_len);
        if (err != KIOSK_OK)
            goto mint_failed;
        err = token_to_text(bin, bin_len, text, sizeof text);
        if (err != KIOSK_OK) {
            fprintf(stderr, "kioskctl card mint: cannot encode token: %s\n", kerr_name(err));
            return 1;
        }
        if (!as_json)
            printf("%s\n", text);
    }
    if (as_json) { /* what was made, once it all worked */
        char uid_text[3 * CARD_UID_LEN + 1] = "";
        if (out)
            format_hex(uid, CARD_UID_LEN, ':', uid_text, sizeof uid_text);
        /* "s*": a key without its value (no --out, no --print-token) is left out */
        card_print_json(json_pack("{s:s,s:s,s:s,s:s*,s:s*,s:s*}", "role", token_role_name(role),
                                  "member", member, "expires", exp_text, "file", out, "uid",
                                  out ? uid_text : NULL, "token", print_token ? text : NULL));
    }
    return 0;

mint_failed:
    if (err == KIOSK_E_NOTFOUND)
        fprintf(stderr, "kioskctl card mint: no key file %s\n", key);
    else if (err == KIOSK_E_INVALID)
        fprintf(stderr, "kioskctl card mint: %s is not an ECDSA P-256 private key\n", key);
    else
        fprintf(stderr, "kioskctl card mint: cannot mint: %s\n", kerr_name(err));
    return 1;
}

/* ---- mint-garment ------------------------------------------------------------------------ */

/* An absolute URI as an NDEF URI record takes it: a scheme ("https:"), then printable
 * characters without spaces (non-ASCII must be UTF-8; ndef_build_uri checks that). */
static bool uri_ok(const char *uri)
{
    size_t i = 0;
    if (!((uri[0] >= 'a' && uri[0] <= 'z') || (uri[0] >= 'A' && uri[0] <= 'Z')))
        return false;
    while (uri[i] && uri[i] != ':') {
        char c = uri[i++];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '-' || c == '.'))
            return false;
    }
    if (uri[i] != ':' || uri[i + 1] == '\0')
        return false;
    for (; uri[i]; i++)
        if ((unsigned char)uri[i] <= 0x20 || uri[i] == 0x7F)
            return false;
    return true;
}

/* A garment's tag holding uri: the retailer's own product URI as it is, or the GS1 Digital
 * Link made from --gtin. */
static int mint_uri_tag(const char *uri, const char *uid_s, const char *out, bool as_json)
{
    const size_t data_max = (CARD_DATA_END_PAGE - CARD_DATA_FIRST_PAGE) * CARD_PAGE_SIZE;
    uint8_t uid[CARD_UID_LEN];
    uint8_t tlv[CARD_IMAGE_SIZE];
    uint8_t img[CARD_IMAGE_SIZE];
    size_t tlv_len = 0, n = strlen(uri);

    if (n > NDEF_URI_MAX) {
        fprintf(stderr,
                "kioskctl card mint-garment: --uri is %zu bytes; an NDEF URI record holds at "
                "most %d\n",
                n, NDEF_URI_MAX);
        return 2;
    }
    if (!uri_ok(uri)) {
        fprintf(stderr, "kioskctl card mint-garment: --uri must be an absolute URI such as "
                        "https://shop.example.com/p/123, without spaces or control characters "
                        "(percent-encode them)\n");
        return 2;
    }
    if (!parse_uid(uid_s, uid, CARD_UID_LEN)) {
        fprintf(stderr, "kioskctl card mint-garment: --uid must be 7 bytes of hex\n");
        return 2;
    }
    KioskErr err = ndef_build_uri(uri, tlv, sizeof tlv, &tlv_len);
    if (err == KIOSK_E_INVALID) {
        fprintf(stderr, "kioskctl card mint-garment: --uri is not valid UTF-8\n");
        return 2;
    }
    if (err != KIOSK_OK) {
        fprintf(stderr, "kioskctl card mint-garment: cannot build NDEF message: %s\n",
                kerr_name(err));
        return 1;
    }
    if (tlv_len > data_max) {
        fprintf(stderr,
                "kioskctl card mint-garment: --uri needs %zu bytes on the tag but an NTAG215 "
                "holds %zu: shorten it by %zu bytes\n",
                tlv_len, data_max, tlv_len - data_max);
        return 2;
    }
    if (build_image(uid, tlv, tlv_len, img) != 0 || write_file(out, img, sizeof img) != 0)
        return 1;
    char uid_text[3 * CARD_UID_LEN + 1];
    format_hex(uid, CARD_UID_LEN, ':', uid_text, sizeof uid_text);
    if (as_json)
        card_print_json(json_pack("{s:s,s:s,s:s}", "file", out, "uid", uid_text, "uri", uri));
    else
        printf("wrote %s: %s\n", out, uri);
    return 0;
}

static int cmd_mint_garment(int argc, char **argv)
{
    const char *gtin_s = NULL, *uid_s = NULL, *out = NULL, *serial = NULL, *uri_s = NULL;
    char gtin[GS1_GTIN_LEN + 1];
    char uri[NDEF_URI_MAX + 1];
    bool as_json = false;

    int argi = 1;
    while (argi < argc) {
        const char *a = argv[argi++];
        const char **slot = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--json") == 0) {
            as_json = true;
            continue;
        }
        if (strcmp(a, "--gtin") == 0)
            slot = &gtin_s;
        else if (strcmp(a, "--uri") == 0)
            slot = &uri_s;
        else if (strcmp(a, "--uid") == 0)
            slot = &uid_s;
        else if (strcmp(a, "--out") == 0)
            slot = &out;
        else if (strcmp(a, "--serial") == 0)
            slot = &serial;
        if (!slot) {
            fprintf(stderr, "kioskctl card mint-garment: unknown option %s\n", a);
            return 2;
        }
        if (argi >= argc) {
            fprintf(stderr, "kioskctl card mint-garment: %s needs a value\n", a);
            return 2;
        }
        *slot = argv[argi++];
    }
    if ((gtin_s != NULL) == (uri_s != NULL)) {
        fprintf(stderr, "kioskctl card mint-garment: give exactly one of --gtin and --uri\n");
        return 2;
    }
    if (!uid_s || !out) {
        fprintf(stderr, "kioskctl card mint-garment: --uid and --out are required\n");
        return 2;
    }
    if (uri_s && serial) {
        fprintf(stderr, "kioskctl card mint-garment: --serial goes with --gtin; put a serial "
                        "into the URI itself\n");
        return 2;
    }
    if (uri_s)
        return mint_uri_tag(uri_s, uid_s, out, as_json);
    if (!gs1_gtin_normalise(gtin_s, gtin)) {
        fprintf(stderr, "kioskctl card mint-garment: --gtin must be 8, 12, 13 or 14 digits with a "
                        "valid check digit\n");
        return 2;
    }
    if (serial && !gs1_serial_ok(serial)) {
        fprintf(stderr, "kioskctl card mint-garment: --serial must be 1..%d of A-Z a-z 0-9 - . _\n",
                GS1_SERIAL_MAX);
        return 2;
    }
    snprintf(uri, sizeof uri, GS1_DL_PREFIX "%s%s%s", gtin, serial ? "/21/" : "",
             serial ? serial : "");
    return mint_uri_tag(uri, uid_s, out, as_json);
}

/* ---- show -------------------------------------------------------------------------------- */

/* Everything `card show` reports, gathered once and printed as text or JSON. */
static json_t *token_json(const NdefRecord *r, const uint8_t *tag_uid, const TokenKeyring *kr,
                          bool *verify_failed)
{
    Token t;
    char hex[3 * TOKEN_UID_MAX + 1];
    char when[CARD_TIME_TEXT_MAX];
    json_t *o = json_object();
    TokenResult res = token_parse(r->payload, r->payload_len, &t);

    if (!o)
        return NULL;
    if (res != TOKEN_OK) {
        json_object_set_new(o, "error", json_string(token_result_name(res)));
        *verify_failed = true;
        return o;
    }
    json_object_set_new(o, "version", json_integer(t.version));
    json_object_set_new(o, "role", json_string(token_role_name(t.role)));
    json_object_set_new(o, "member_id", json_string(t.member_id));
    json_object_set_new(o, "issued_at", json_integer(t.issued_at));
    card_format_time(t.issued_at, when);
    json_object_set_new(o, "issued", json_string(when));
    json_object_set_new(o, "expires_at", json_integer(t.expires_at));
    card_format_time(t.expires_at, when);
    json_object_set_new(o, "expires", json_string(when));
    json_object_set_new(o, "expired", json_boolean((uint32_t)time(NULL) >= t.expires_at));
    /* Lower case, as `openssl dgst -sha256 -r` prints it (docs/token.md). */
    for (size_t i = 0; i < TOKEN_KEY_ID_LEN; i++)
        snprintf(hex + 2 * i, sizeof hex - 2 * i, "%02x", t.key_id[i]);
    json_object_set_new(o, "key_id", json_string(hex));
    if (t.uid_len == 0) {
        json_object_set_new(o, "uid", json_null());
    } else {
        format_hex(t.uid, t.uid_len, ':', hex, sizeof hex);
        json_object_set_new(o, "uid", json_string(hex));
    }
    bool same = t.uid_len == CARD_UID_LEN && memcmp(t.uid, tag_uid, CARD_UID_LEN) == 0;
    json_object_set_new(o, "bound_to_this_tag", json_boolean(same));
    if (kr) {
        res = token_verify(kr, &t, tag_uid, CARD_UID_LEN, (uint32_t)time(NULL));
        json_object_set_new(o, "verify", json_string(token_result_name(res)));
        if (res != TOKEN_OK)
            *verify_failed = true;
    }
    return o;
}

static json_t *record_json(const NdefRecord *r, const uint8_t *tag_uid, const TokenKeyring *kr,
                           bool *verify_failed, bool *token_found)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "kind", json_string(ndef_kind_name(r->kind)));
    json_object_set_new(o, "tnf", json_integer(r->tnf));
    json_object_set_new(o, "payload_len", json_integer((json_int_t)r->payload_len));
    switch (r->kind) {
    case NDEF_KIND_URI:
        json_object_set_new(o, "uri", json_string(r->uri));
        break;
    case NDEF_KIND_TEXT:
        json_object_set_new(o, "lang", json_string(r->lang));
        json_object_set_new(o, "text", json_string(r->text));
        break;
    case NDEF_KIND_MIME:
        json_object_set_new(o, "mime_type", json_string(r->mime_type));
        if (strcmp(r->mime_type, NDEF_MIME_MEMBER_TOKEN) == 0) {
            *token_found = true;
            json_object_set_new(o, "token", token_json(r, tag_uid, kr, verify_failed));
        }
        break;
    default:
        break;
    }
    return o;
}

static void print_token_text(json_t *t)
{
    const char *err = json_string_value(json_object_get(t, "error"));
    if (err) {
        printf("  token:    unreadable (%s)\n", err);
        return;
    }
    printf("  token:    version %d, role %s, member %s\n",
           (int)json_integer_value(json_object_get(t, "version")),
           json_string_value(json_object_get(t, "role")),
           json_string_value(json_object_get(t, "member_id")));
    printf("  issued:   %s\n", json_string_value(json_object_get(t, "issued")));
    printf("  expires:  %s%s\n", json_string_value(json_object_get(t, "expires")),
           json_is_true(json_object_get(t, "expired")) ? " (expired)" : "");
    printf("  key id:   %s\n", json_string_value(json_object_get(t, "key_id")));
    const char *uid = json_string_value(json_object_get(t, "uid"));
    if (!uid)
        printf("  bound to: nothing (a scanner token; a tag refuses it)\n");
    else
        printf("  bound to: %s (%s)\n", uid,
               json_is_true(json_object_get(t, "bound_to_this_tag")) ? "this tag" : "ANOTHER tag");
    const char *verify = json_string_value(json_object_get(t, "verify"));
    if (verify)
        printf("  verify:   %s\n", verify);
}

static void print_show_text(json_t *o)
{
    printf("tag:        %s (%d bytes, %d pages%s)\n", json_string_value(json_object_get(o, "file")),
           (int)json_integer_value(json_object_get(o, "size")),
           (int)json_integer_value(json_object_get(o, "size")) / CARD_PAGE_SIZE,
           json_integer_value(json_object_get(o, "size")) == CARD_IMAGE_SIZE ? ", NTAG215" : "");
    printf("uid:        %s (check bytes %s)\n", json_string_value(json_object_get(o, "uid")),
           json_is_true(json_object_get(o, "check_bytes_ok")) ? "ok" : "WRONG");
    json_t *cc = json_object_get(o, "capability_container");
    if (!json_is_true(json_object_get(o, "ndef_formatted"))) {
        printf("ndef:       not formatted (capability container %s)\n", json_string_value(cc));
        return;
    }
    printf("ndef:       version %s, %d bytes of data area\n",
           json_string_value(json_object_get(o, "ndef_version")),
           (int)json_integer_value(json_object_get(o, "data_area")));
    const char *err = json_string_value(json_object_get(o, "ndef_error"));
    if (err) {
        if (strcmp(err, kerr_name(KIOSK_E_EMPTY)) == 0)
            printf("records:    none (blank tag)\n");
        else
            printf("records:    unreadable NDEF (%s)\n", err);
        return;
    }
    json_t *records = json_object_get(o, "records");
    printf("records:    %zu\n", json_array_size(records));
    size_t i;
    json_t *r;
    json_array_foreach(records, i, r)
    {
        const char *kind = json_string_value(json_object_get(r, "kind"));
        int payload_len = (int)json_integer_value(json_object_get(r, "payload_len"));
        if (strcmp(kind, "uri") == 0) {
            printf("record %zu:   uri %s\n", i + 1, json_string_value(json_object_get(r, "uri")));
        } else if (strcmp(kind, "text") == 0) {
            printf("record %zu:   text [%s] %s\n", i + 1,
                   json_string_value(json_object_get(r, "lang")),
                   json_string_value(json_object_get(r, "text")));
        } else if (strcmp(kind, "mime") == 0) {
            printf("record %zu:   mime %s (%d bytes)\n", i + 1,
                   json_string_value(json_object_get(r, "mime_type")), payload_len);
            json_t *t = json_object_get(r, "token");
            if (t)
                print_token_text(t);
        } else {
            printf("record %zu:   %s (tnf %d, %d payload bytes)\n", i + 1, kind,
                   (int)json_integer_value(json_object_get(r, "tnf")), payload_len);
        }
    }
}

static int cmd_show(int argc, char **argv)
{
    const char *path = NULL;
    uint8_t img[CARD_IMAGE_MAX];
    size_t len = 0;
    uint8_t uid[CARD_UID_LEN];
    char hex[3 * CARD_UID_LEN + 1];
    char ccs[3 * CARD_PAGE_SIZE + 1];
    char ver[8];
    TokenKeyring *kr = NULL;
    NdefMessage *msg = NULL;
    json_t *o = NULL, *records = NULL;
    bool verify_failed = false, token_found = false, as_json = false;
    int rc = 1;

    int argi = 1;
    while (argi < argc) {
        const char *a = argv[argi++];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            rc = 0;
            goto out;
        }
        if (strcmp(a, "--json") == 0) {
            as_json = true;
        } else if (strcmp(a, "--key") == 0) {
            if (argi >= argc) {
                fprintf(stderr, "kioskctl card show: --key needs a value\n");
                rc = 2;
                goto out;
            }
            if (!kr)
                kr = token_keyring_create();
            const char *key = argv[argi++];
            KioskErr err = kr ? token_keyring_add_file(kr, key) : KIOSK_E_NOMEM;
            if (err != KIOSK_OK) {
                fprintf(stderr, "kioskctl card show: cannot use key %s: %s\n", key, kerr_name(err));
                goto out;
            }
        } else if (a[0] == '-' || path) {
            fprintf(stderr, "kioskctl card show: unexpected argument %s\n", a);
            rc = 2;
            goto out;
        } else {
            path = a;
        }
    }
    if (!path) {
        fprintf(stderr, "kioskctl card show: which TAG.bin?\n");
        rc = 2;
        goto out;
    }
    if (read_file(path, img, sizeof img, &len) != 0)
        goto out;
    if (len < CARD_DATA_FIRST_PAGE * CARD_PAGE_SIZE || len % CARD_PAGE_SIZE != 0) {
        fprintf(stderr, "kioskctl card show: %s is not a tag image (%zu bytes)\n", path, len);
        goto out;
    }
    msg = malloc(sizeof *msg);
    o = json_object();
    records = json_array();
    if (!msg || !o || !records) {
        fprintf(stderr, "kioskctl card show: out of memory\n");
        goto out;
    }

    memcpy(uid, img, 3);
    memcpy(uid + 3, img + 4, 4);
    bool bcc_ok = img[3] == (uint8_t)(CT_BYTE ^ img[0] ^ img[1] ^ img[2]) &&
                  img[8] == (uint8_t)(img[4] ^ img[5] ^ img[6] ^ img[7]);
    format_hex(uid, CARD_UID_LEN, ':', hex, sizeof hex);
    json_object_set_new(o, "file", json_string(path));
    json_object_set_new(o, "size", json_integer((json_int_t)len));
    json_object_set_new(o, "uid", json_string(hex));
    json_object_set_new(o, "check_bytes_ok", json_boolean(bcc_ok));

    const uint8_t *cc = img + 3 * CARD_PAGE_SIZE;
    size_t area_len = len - CARD_DATA_FIRST_PAGE * CARD_PAGE_SIZE;
    format_hex(cc, CARD_PAGE_SIZE, ' ', ccs, sizeof ccs);
    json_object_set_new(o, "capability_container", json_string(ccs));
    json_object_set_new(o, "ndef_formatted", json_boolean(cc[0] == NTAG_CC_MAGIC));
    rc = 0;
    if (cc[0] == NTAG_CC_MAGIC) {
        if ((size_t)cc[2] * NTAG_CC_UNIT < area_len)
            area_len = (size_t)cc[2] * NTAG_CC_UNIT;
        snprintf(ver, sizeof ver, "%u.%u", cc[1] >> 4, cc[1] & 0x0F);
        json_object_set_new(o, "ndef_version", json_string(ver));
        json_object_set_new(o, "data_area", json_integer((json_int_t)area_len));
        KioskErr err = ndef_parse_area(img + CARD_DATA_FIRST_PAGE * CARD_PAGE_SIZE, area_len, msg);
        if (err != KIOSK_OK) {
            json_object_set_new(o, "ndef_error", json_string(kerr_name(err)));
            if (err != KIOSK_E_EMPTY)
                rc = 1; /* formatted but unreadable */
        }
        for (size_t i = 0; err == KIOSK_OK && i < msg->count; i++)
            json_array_append_new(
                records, record_json(&msg->records[i], uid, kr, &verify_failed, &token_found));
    }
    json_object_set_new(o, "records", records);
    records = NULL;
    if (kr && !token_found)
        json_object_set_new(o, "verify", json_string("no_token"));
    if (kr && (verify_failed || !token_found))
        rc = 1;

    if (as_json) {
        char *s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
        if (s)
            printf("%s\n", s);
        free(s);
    } else {
        print_show_text(o);
        if (kr && !token_found)
            printf("verify:     no member token on this tag\n");
    }
out:
    json_decref(records);
    json_decref(o);
    free(msg);
    token_keyring_destroy(kr);
    return rc;
}

int card_main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "mint") == 0)
        return cmd_mint(argc - 1, argv + 1);
    if (strcmp(argv[1], "mint-garment") == 0)
        return cmd_mint_garment(argc - 1, argv + 1);
    if (strcmp(argv[1], "show") == 0)
        return cmd_show(argc - 1, argv + 1);
    if (strcmp(argv[1], "write") == 0)
        return card_write_main(argc - 1, argv + 1);
    fprintf(stderr, "kioskctl card: unknown command %s\n", argv[1]);
    usage(stderr);
    return 2;
}
