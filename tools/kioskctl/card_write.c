/* card_write.c: `kioskctl card write` (see card_write.h). Opens the reader given by its
 * connstring (after an flock on its device node: libnfc's own guard does not work on glibc,
 * and two users of one PN532 corrupt each other's frames), waits for a tag, checks it is an
 * NDEF-formatted, unlocked NTAG213/215/216 with room for the message, builds the message for
 * THAT tag's UID (or takes it from an image minted for that UID), writes it from page 4 with
 * WRITE and reads it back. Pages 0-3 (UID, lock bytes, capability container) and the lock and
 * configuration pages after user memory are never written.
 *
 * Write order: page 4 first becomes an empty NDEF TLV, then pages 5.. are written, then page 4
 * gets the real TLV header. A tag pulled away halfway reads as blank, not as a broken message.
 * Single-threaded; the Writer struct owns the libnfc context, the device and the lock. */
#include "card_write.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <nfc/nfc.h>

#include "card.h"
#include "card_util.h"
#include "nfc.h"
#include "gs1.h"
#include "ndef.h"
#include "token.h"

#define PREFIX          "kioskctl card write: "
#define SECONDS_PER_DAY 86400u
#define CT_BYTE         0x88 /* ISO 14443-3 cascade tag, part of BCC0 */
#define PATH_TEXT_MAX   512
#define UID_TEXT_MAX    (3 * CARD_UID_LEN)
#define POLL_NR         1    /* InAutoPoll rounds per call... */
#define POLL_PERIOD     2    /* ...of 2 x 150 ms, so the deadline is checked every 300 ms */
#define XFER_TIMEOUT_MS 500  /* one READ or WRITE, reader to tag and back */
#define WRITE_AREA_MAX  1024 /* the largest message built (NTAG216 holds 888 bytes) */

/* NTAG21x commands and layout (NXP NTAG213/215/216 data sheet, NFC Forum Type 2 Tag). */
#define NTAG_CMD_READ     0x30
#define NTAG_CMD_WRITE    0xA2
#define NTAG_CMD_GET_VER  0x60
#define NTAG_READ_SIZE    16 /* READ returns 4 pages */
#define NTAG_VERSION_LEN  8
#define NTAG_VENDOR_NXP   0x04
#define NTAG_TYPE_NTAG    0x04
#define NTAG_ACK          0x0A /* the tag's 4-bit ACK */
#define NTAG_ACK_MASK     0x0F
#define NTAG_CC_MAGIC     0xE1
#define NTAG_CC_UNIT      8    /* CC byte 2 counts the data area in 8-byte units */
#define NTAG_CC_RW        0x00 /* CC byte 3: read and write access granted */
#define NTAG_LOCK_OFF     10   /* static lock bytes: page 2, bytes 2-3 */
#define NTAG_CC_OFF       12   /* page 3 */
#define NTAG_DYN_LOCK_LEN 3    /* dynamic lock bytes: the first page after user memory */
#define TLV_NULL          0x00
#define TLV_NDEF          0x03
#define TLV_TERMINATOR    0xFE
#define TLV_LONG_LEN      0xFF

/* The NTAG21x family by GET_VERSION's storage size byte. user_end is the first page after
 * user memory: the dynamic lock bytes, then configuration. */
typedef struct NtagModel {
    uint8_t storage;
    const char *name;
    unsigned user_end;
} NtagModel;

static const NtagModel ntag_models[] = {
    {0x0F, "NTAG213", 40},
    {0x11, "NTAG215", 130},
    {0x13, "NTAG216", 226},
};

typedef enum Content { CONTENT_NONE, CONTENT_IMAGE, CONTENT_TOKEN, CONTENT_GARMENT } Content;

typedef struct WriteArgs {
    const char *device, *image, *role_s, *member, *key, *days_s, *gtin_s, *serial;
    Content content;
    TokenRole role;
    unsigned days;
    bool json; /* what was written as one JSON object */
    char uri[NDEF_URI_MAX + 1];
} WriteArgs;

typedef struct Writer {
    nfc_context *ctx;
    nfc_device *dev;
    int lock_fd;
    uint8_t uid[CARD_UID_LEN];
    char uid_text[UID_TEXT_MAX];
    const NtagModel *model;
    size_t area; /* bytes of data area we may write: the CC's, within user memory */
} Writer;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kioskctl card write --device CONNSTRING --image TAG.bin\n"
            "       kioskctl card write --device CONNSTRING --role member|staff|technician\n"
            "                           --member ID --key PEM [--days N]\n"
            "       kioskctl card write --device CONNSTRING --gtin GTIN [--serial S]\n"
            "\n"
            "Writes onto the NTAG213/215/216 held on the reader (libnfc connstring, e.g.\n"
            "pn532_uart:/dev/ttyS0): the NDEF message of an image minted for that tag's UID,\n"
            "a new token bound to that tag's UID (valid from now for N days, default %d), or\n"
            "a GS1 Digital Link URI. Waits up to %d s for the tag, then reads the message back.\n"
            "The kiosk must be stopped first: it holds the reader. --json: what was written\n"
            "as one JSON object on stdout.\n"
            "Exit status: 0 written and verified, 1 failed, 2 bad arguments.\n",
            CARD_DAYS_DEFAULT, CARD_WRITE_WAIT_S);
}

/* ---- small helpers (the same rules as card.c) --------------------------------------------- */

static void format_uid(const uint8_t *b, size_t n, char *out, size_t size)
{
    size_t pos = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && pos + 3 < size; i++)
        pos += (size_t)snprintf(out + pos, size - pos, i ? ":%02X" : "%02X", b[i]);
}

/* How many bytes of a data area its TLVs use, up to and including the terminator (or the end
 * of the NDEF message TLV when no terminator follows). False if malformed or unterminated. */
static bool tlv_extent(const uint8_t *area, size_t len, size_t *extent)
{
    size_t i = 0;
    while (i < len) {
        uint8_t type = area[i];
        if (type == TLV_NULL) {
            i++;
            continue;
        }
        if (type == TLV_TERMINATOR) {
            *extent = i + 1;
            return true;
        }
        if (type != TLV_NDEF && type != NDEF_TLV_LOCK_CTRL && type != NDEF_TLV_MEM_CTRL &&
            type != NDEF_TLV_PROPRIETARY)
            return false;
        if (i + 1 >= len)
            return false;
        size_t hdr = 2, body = area[i + 1];
        if (body == TLV_LONG_LEN) {
            if (i + 3 >= len)
                return false;
            hdr = 4;
            body = (size_t)area[i + 2] << 8 | area[i + 3];
        }
        if (i + hdr + body > len)
            return false;
        i += hdr + body;
        if (type == TLV_NDEF) {
            *extent = i < len && area[i] == TLV_TERMINATOR ? i + 1 : i;
            return true;
        }
    }
    return false;
}

/* ---- arguments and the message ------------------------------------------------------------ */

/* Returns 0, or 2 (bad arguments, said on stderr), or -1 for --help (usage printed). */
static int parse_args(int argc, char **argv, WriteArgs *a)
{
    memset(a, 0, sizeof *a);
    a->days = CARD_DAYS_DEFAULT;
    int argi = 1;
    while (argi < argc) {
        const char *opt = argv[argi++];
        const char **slot = NULL;
        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            usage(stdout);
            return -1;
        }
        if (strcmp(opt, "--json") == 0) {
            a->json = true;
            continue;
        }
        if (strcmp(opt, "--device") == 0)
            slot = &a->device;
        else if (strcmp(opt, "--image") == 0)
            slot = &a->image;
        else if (strcmp(opt, "--role") == 0)
            slot = &a->role_s;
        else if (strcmp(opt, "--member") == 0)
            slot = &a->member;
        else if (strcmp(opt, "--key") == 0)
            slot = &a->key;
        else if (strcmp(opt, "--days") == 0)
            slot = &a->days_s;
        else if (strcmp(opt, "--gtin") == 0)
            slot = &a->gtin_s;
        else if (strcmp(opt, "--serial") == 0)
            slot = &a->serial;
        if (!slot) {
            fprintf(stderr, PREFIX "unknown option %s\n", opt);
            return 2;
        }
        if (argi >= argc) {
            fprintf(stderr, PREFIX "%s needs a value\n", opt);
            return 2;
        }
        *slot = argv[argi++];
    }
    if (!a->device || !*a->device) {
        fprintf(stderr, PREFIX "--device CONNSTRING is required (e.g. pn532_uart:/dev/ttyS0)\n");
        return 2;
    }
    int kinds = (a->image != NULL) + (a->role_s != NULL) + (a->gtin_s != NULL);
    if (kinds != 1) {
        fprintf(stderr, PREFIX "give exactly one of --image, --role or --gtin\n");
        return 2;
    }
    if (a->image) {
        if (a->member || a->key || a->days_s || a->serial) {
            fprintf(stderr, PREFIX "--image takes no --member, --key, --days or --serial\n");
            return 2;
        }
        a->content = CONTENT_IMAGE;
    } else if (a->role_s) {
        if (!card_parse_role(a->role_s, &a->role)) {
            fprintf(stderr, PREFIX "--role must be member, staff or technician\n");
            return 2;
        }
        if (!a->member || !a->key) {
            fprintf(stderr, PREFIX "--role needs --member and --key\n");
            return 2;
        }
        if (!card_member_id_ok(a->member)) {
            fprintf(stderr, PREFIX "--member must be 1..%d of A-Z a-z 0-9 - _\n",
                    TOKEN_MEMBER_ID_MAX);
            return 2;
        }
        if (a->days_s && !card_parse_days(a->days_s, &a->days)) {
            fprintf(stderr, PREFIX "--days must be 1..%d\n", CARD_DAYS_MAX);
            return 2;
        }
        if (a->serial) {
            fprintf(stderr, PREFIX "--serial goes with --gtin\n");
            return 2;
        }
        a->content = CONTENT_TOKEN;
    } else {
        char gtin[GS1_GTIN_LEN + 1];
        if (a->member || a->key || a->days_s) {
            fprintf(stderr, PREFIX "--gtin takes no --member, --key or --days\n");
            return 2;
        }
        if (!gs1_gtin_normalise(a->gtin_s, gtin)) {
            fprintf(stderr, PREFIX "--gtin must be 8, 12, 13 or 14 digits with a valid check "
                                   "digit\n");
            return 2;
        }
        if (a->serial && !gs1_serial_ok(a->serial)) {
            fprintf(stderr, PREFIX "--serial must be 1..%d of A-Z a-z 0-9 - . _\n", GS1_SERIAL_MAX);
            return 2;
        }
        snprintf(a->uri, sizeof a->uri, GS1_DL_PREFIX "%s%s%s", gtin, a->serial ? "/21/" : "",
                 a->serial ? a->serial : "");
        a->content = CONTENT_GARMENT;
    }
    return 0;
}

/* Reads an image and takes its UID and its TLVs (page 4 up to the terminator). */
static int load_image(const char *path, uint8_t uid[CARD_UID_LEN], uint8_t *tlv, size_t size,
                      size_t *tlv_len)
{
    uint8_t img[CARD_IMAGE_MAX + 1];
    const size_t data_off = CARD_DATA_FIRST_PAGE * CARD_PAGE_SIZE;
    NdefMessage *msg = NULL;
    int rc = -1;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, PREFIX "cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t len = fread(img, 1, sizeof img, f);
    fclose(f);
    if (len > CARD_IMAGE_MAX || len <= data_off || len % CARD_PAGE_SIZE != 0) {
        fprintf(stderr, PREFIX "%s is not an NTAG21x image (%zu bytes)\n", path, len);
        goto out;
    }
    if (img[3] != (uint8_t)(CT_BYTE ^ img[0] ^ img[1] ^ img[2]) ||
        img[8] != (uint8_t)(img[4] ^ img[5] ^ img[6] ^ img[7])) {
        fprintf(stderr, PREFIX "%s has wrong UID check bytes: not a tag image\n", path);
        goto out;
    }
    memcpy(uid, img, 3);
    memcpy(uid + 3, img + 4, 4);
    size_t area = len - data_off;
    const uint8_t *cc = img + NTAG_CC_OFF;
    if (cc[0] == NTAG_CC_MAGIC && (size_t)cc[2] * NTAG_CC_UNIT < area)
        area = (size_t)cc[2] * NTAG_CC_UNIT;
    if (!tlv_extent(img + data_off, area, tlv_len) || *tlv_len > size) {
        fprintf(stderr, PREFIX "%s holds no well-formed NDEF TLV from page 4\n", path);
        goto out;
    }
    msg = malloc(sizeof *msg);
    if (!msg) {
        fprintf(stderr, PREFIX "out of memory\n");
        goto out;
    }
    KioskErr err = ndef_parse_area(img + data_off, *tlv_len, msg);
    if (err != KIOSK_OK && err != KIOSK_E_EMPTY) {
        fprintf(stderr, PREFIX "%s holds an unreadable NDEF message (%s)\n", path, kerr_name(err));
        goto out;
    }
    memcpy(tlv, img + data_off, *tlv_len);
    rc = 0;
out:
    free(msg);
    return rc;
}

static void mint_failed(const char *key, KioskErr err)
{
    if (err == KIOSK_E_NOTFOUND)
        fprintf(stderr, PREFIX "no key file %s\n", key);
    else if (err == KIOSK_E_INVALID)
        fprintf(stderr, PREFIX "%s is not an ECDSA P-256 private key\n", key);
    else
        fprintf(stderr, PREFIX "cannot mint: %s\n", kerr_name(err));
}

/* ---- the reader and the tag --------------------------------------------------------------- */

static void writer_close(Writer *w)
{
    if (w->dev) {
        nfc_initiator_deselect_target(w->dev);
        nfc_close(w->dev);
    }
    if (w->ctx)
        nfc_exit(w->ctx);
    if (w->lock_fd >= 0)
        close(w->lock_fd); /* drops the flock */
    w->dev = NULL;
    w->ctx = NULL;
    w->lock_fd = -1;
}

static int writer_open(Writer *w, const char *connstring)
{
    char path[PATH_TEXT_MAX];
    if (nfc_device_path(connstring, path, sizeof path)) {
        w->lock_fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (w->lock_fd < 0) {
            if (errno == ENOENT)
                fprintf(stderr, PREFIX "no reader at %s (is it plugged in?)\n", path);
            else
                fprintf(stderr, PREFIX "cannot open the reader %s: %s\n", path, strerror(errno));
            return -1;
        }
        if (flock(w->lock_fd, LOCK_EX | LOCK_NB) != 0) {
            fprintf(stderr,
                    PREFIX "the reader %s is in use by another process, normally the kiosk: stop "
                           "the kiosk first, then run this again\n",
                    path);
            return -1;
        }
    }
    nfc_init(&w->ctx);
    if (!w->ctx) {
        fprintf(stderr, PREFIX "libnfc failed to start\n");
        return -1;
    }
    w->dev = nfc_open(w->ctx, connstring);
    if (!w->dev) {
        fprintf(stderr, PREFIX "libnfc cannot open the reader %s\n", connstring);
        return -1;
    }
    int rc = nfc_initiator_init(w->dev);
    if (rc < 0) {
        fprintf(stderr, PREFIX "the reader did not initialise: %s (libnfc error %d)\n",
                nfc_strerror(w->dev), rc);
        return -1;
    }
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Polls for an ISO14443A tag for up to CARD_WRITE_WAIT_S seconds; takes its UID. */
static int wait_tag(Writer *w)
{
    static const nfc_modulation iso14443a = {.nmt = NMT_ISO14443A, .nbr = NBR_106};
    nfc_target nt;
    double deadline = now_s() + CARD_WRITE_WAIT_S;
    fprintf(stderr, "Hold the blank tag on the reader...\n");
    for (;;) {
        int rc = nfc_initiator_poll_target(w->dev, &iso14443a, 1, POLL_NR, POLL_PERIOD, &nt);
        if (rc > 0)
            break;
        if (rc < 0 && rc != NFC_ETIMEOUT) {
            fprintf(stderr,
                    PREFIX "the reader failed while waiting for a tag: %s (libnfc "
                           "error %d)\n",
                    nfc_strerror(w->dev), rc);
            return -1;
        }
        if (now_s() >= deadline) {
            fprintf(stderr, PREFIX "no tag on the reader within %d s: nothing written\n",
                    CARD_WRITE_WAIT_S);
            return -1;
        }
    }
    if (nt.nti.nai.szUidLen != CARD_UID_LEN) {
        fprintf(stderr, PREFIX "the tag has a %zu-byte UID: not an NTAG213/215/216\n",
                nt.nti.nai.szUidLen);
        return -1;
    }
    memcpy(w->uid, nt.nti.nai.abtUid, CARD_UID_LEN);
    format_uid(w->uid, CARD_UID_LEN, w->uid_text, sizeof w->uid_text);
    return 0;
}

/* One READ of 4 pages. Returns 0 or a libnfc error code. */
static int read_pages(Writer *w, unsigned page, uint8_t out[NTAG_READ_SIZE])
{
    const uint8_t cmd[2] = {NTAG_CMD_READ, (uint8_t)page};
    int rc = nfc_initiator_transceive_bytes(w->dev, cmd, sizeof cmd, out, NTAG_READ_SIZE,
                                            XFER_TIMEOUT_MS);
    if (rc >= 0 && rc != NTAG_READ_SIZE)
        return NFC_ERFTRANS;
    return rc < 0 ? rc : 0;
}

/* One WRITE of a page. Through InDataExchange a PN532 takes the tag's 4-bit ACK itself and
 * answers with its status alone; raw (InCommunicateThru) the ACK comes back as one byte. A NAK
 * is a PN532 error status (a libnfc error) or a 4-bit answer other than ACK. */
static int write_page(Writer *w, unsigned page, const uint8_t data[CARD_PAGE_SIZE])
{
    uint8_t cmd[2 + CARD_PAGE_SIZE] = {NTAG_CMD_WRITE, (uint8_t)page};
    uint8_t rx[NTAG_READ_SIZE];
    memcpy(cmd + 2, data, CARD_PAGE_SIZE);
    int rc =
        nfc_initiator_transceive_bytes(w->dev, cmd, sizeof cmd, rx, sizeof rx, XFER_TIMEOUT_MS);
    if (rc < 0)
        return rc;
    if (rc == 0 || (rc == 1 && (rx[0] & NTAG_ACK_MASK) == NTAG_ACK))
        return 0;
    return NFC_ERFTRANS;
}

/* libnfc's text for the last failed transfer (the code itself adds nothing for a person). */
static const char *xfer_error(Writer *w)
{
    return nfc_strerror(w->dev);
}

/* GET_VERSION, pages 0-3 and the dynamic lock bytes: an unlocked, NDEF-formatted NTAG21x. */
static int check_tag(Writer *w)
{
    static const uint8_t get_version[] = {NTAG_CMD_GET_VER};
    uint8_t ver[NTAG_READ_SIZE];
    uint8_t head[NTAG_READ_SIZE];
    uint8_t dyn[NTAG_READ_SIZE];
    int rc = nfc_initiator_transceive_bytes(w->dev, get_version, sizeof get_version, ver,
                                            sizeof ver, XFER_TIMEOUT_MS);
    if (rc != NTAG_VERSION_LEN || ver[1] != NTAG_VENDOR_NXP || ver[2] != NTAG_TYPE_NTAG) {
        fprintf(stderr, PREFIX "the tag %s is not an NTAG213/215/216 (GET_VERSION %s)\n",
                w->uid_text, rc < 0 ? "failed" : "answered another product");
        return -1;
    }
    for (size_t i = 0; i < sizeof ntag_models / sizeof ntag_models[0]; i++)
        if (ver[6] == ntag_models[i].storage)
            w->model = &ntag_models[i];
    if (!w->model) {
        fprintf(stderr,
                PREFIX "the tag %s is an NTAG of unknown size (0x%02X): only "
                       "NTAG213/215/216 are written\n",
                w->uid_text, ver[6]);
        return -1;
    }
    rc = read_pages(w, 0, head);
    if (rc < 0) {
        fprintf(stderr, PREFIX "cannot read the tag %s: %s; hold it still and try again\n",
                w->uid_text, xfer_error(w));
        return -1;
    }
    if (memcmp(head, w->uid, 3) != 0 || memcmp(head + 4, w->uid + 3, 4) != 0) {
        fprintf(stderr, PREFIX "the tag changed while being read; hold one tag still\n");
        return -1;
    }
    const uint8_t *cc = head + NTAG_CC_OFF;
    if (cc[0] != NTAG_CC_MAGIC) {
        fprintf(stderr,
                PREFIX "the tag %s is not NDEF formatted (capability container %02X %02X %02X "
                       "%02X); kioskctl does not write the capability container\n",
                w->uid_text, cc[0], cc[1], cc[2], cc[3]);
        return -1;
    }
    if (cc[3] != NTAG_CC_RW || head[NTAG_LOCK_OFF] != 0 || head[NTAG_LOCK_OFF + 1] != 0) {
        fprintf(stderr,
                PREFIX "the tag %s is read-only or has locked pages (access %02X, lock bytes "
                       "%02X %02X): use a blank tag\n",
                w->uid_text, cc[3], head[NTAG_LOCK_OFF], head[NTAG_LOCK_OFF + 1]);
        return -1;
    }
    rc = read_pages(w, w->model->user_end, dyn);
    if (rc < 0) {
        fprintf(stderr, PREFIX "cannot read the tag %s: %s; hold it still and try again\n",
                w->uid_text, xfer_error(w));
        return -1;
    }
    if (dyn[0] != 0 || dyn[1] != 0 || dyn[2] != 0) {
        fprintf(stderr,
                PREFIX "the tag %s has locked pages (dynamic lock bytes %02X %02X %02X): use a "
                       "blank tag\n",
                w->uid_text, dyn[0], dyn[1], dyn[2]);
        return -1;
    }
    size_t user = (w->model->user_end - CARD_DATA_FIRST_PAGE) * CARD_PAGE_SIZE;
    size_t cc_area = (size_t)cc[2] * NTAG_CC_UNIT;
    w->area = cc_area < user ? cc_area : user;
    return 0;
}

/* Writes tlv from page 4 (see the top of the file for the order) and reads it back. */
static int write_and_verify(Writer *w, const uint8_t *tlv, size_t tlv_len)
{
    static const uint8_t empty[CARD_PAGE_SIZE] = {TLV_NDEF, 0x00, TLV_TERMINATOR, 0x00};
    uint8_t data[WRITE_AREA_MAX];
    uint8_t chunk[NTAG_READ_SIZE];
    const unsigned first = CARD_DATA_FIRST_PAGE;
    unsigned page = first;
    int rc = 0;

    if (tlv_len > w->area || tlv_len > sizeof data) {
        fprintf(stderr,
                PREFIX "the message (%zu bytes) does not fit the %s's %zu-byte data "
                       "area: nothing written\n",
                tlv_len, w->model->name, w->area);
        return -1;
    }
    size_t pages = (tlv_len + CARD_PAGE_SIZE - 1) / CARD_PAGE_SIZE;
    memset(data, 0, sizeof data);
    memcpy(data, tlv, tlv_len);

    if (pages > 1) {
        rc = write_page(w, first, empty);
        for (unsigned p = first + 1; rc >= 0 && p < first + pages; p++) {
            page = p;
            rc = write_page(w, page, data + (page - first) * CARD_PAGE_SIZE);
        }
    }
    if (rc >= 0) {
        page = first;
        rc = write_page(w, first, data);
    }
    if (rc < 0) {
        fprintf(stderr,
                PREFIX "writing page %u of the tag %s failed: %s; the tag may hold an empty or "
                       "partial message: hold it still and run this again\n",
                page, w->uid_text, xfer_error(w));
        return -1;
    }
    for (size_t off = 0; off < pages * CARD_PAGE_SIZE; off += NTAG_READ_SIZE) {
        rc = read_pages(w, first + (unsigned)(off / CARD_PAGE_SIZE), chunk);
        if (rc < 0) {
            fprintf(stderr, PREFIX "reading back the tag %s failed: %s; run this again\n",
                    w->uid_text, xfer_error(w));
            return -1;
        }
        size_t n = pages * CARD_PAGE_SIZE - off;
        if (n > NTAG_READ_SIZE)
            n = NTAG_READ_SIZE;
        if (memcmp(chunk, data + off, n) != 0) {
            fprintf(stderr,
                    PREFIX "the tag %s reads back differently from what was written (from page "
                           "%zu): the tag is faulty or locked; do not use it\n",
                    w->uid_text, first + off / CARD_PAGE_SIZE);
            return -1;
        }
    }
    return 0;
}

/* ---- the command -------------------------------------------------------------------------- */

int card_write_main(int argc, char **argv)
{
    WriteArgs a;
    Writer w = {.lock_fd = -1};
    uint8_t tlv[WRITE_AREA_MAX];
    uint8_t bin[TOKEN_BIN_MAX];
    uint8_t image_uid[CARD_UID_LEN];
    size_t tlv_len = 0, bin_len = 0;
    uint32_t now = (uint32_t)time(NULL), expires = 0;
    KioskErr err;
    int rc = parse_args(argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    rc = 1;

    /* Everything that can fail without a tag fails before the reader is touched. */
    if (a.content == CONTENT_IMAGE &&
        load_image(a.image, image_uid, tlv, sizeof tlv, &tlv_len) != 0)
        goto out;
    if (a.content == CONTENT_GARMENT) {
        err = ndef_build_uri(a.uri, tlv, sizeof tlv, &tlv_len);
        if (err != KIOSK_OK) {
            fprintf(stderr, PREFIX "cannot build the NDEF message: %s\n", kerr_name(err));
            goto out;
        }
    }
    if (a.content == CONTENT_TOKEN) {
        expires = now + a.days * SECONDS_PER_DAY;
        err = token_mint(a.key, a.role, a.member, NULL, 0, now, expires, bin, &bin_len);
        if (err != KIOSK_OK) { /* the key is checked now, not with a tag on the reader */
            mint_failed(a.key, err);
            goto out;
        }
    }

    if (writer_open(&w, a.device) != 0 || wait_tag(&w) != 0 || check_tag(&w) != 0)
        goto out;

    if (a.content == CONTENT_IMAGE && memcmp(image_uid, w.uid, CARD_UID_LEN) != 0) {
        char img_text[UID_TEXT_MAX];
        format_uid(image_uid, CARD_UID_LEN, img_text, sizeof img_text);
        fprintf(stderr,
                PREFIX "%s was made for the tag %s, but the tag on the reader is %s: a card is "
                       "bound to its tag's UID, so nothing was written. Write a new card for "
                       "this tag with --role, --member and --key\n",
                a.image, img_text, w.uid_text);
        goto out;
    }
    if (a.content == CONTENT_TOKEN) {
        /* Minted again, now bound to this tag (issued_at stays the moment we started). */
        err = token_mint(a.key, a.role, a.member, w.uid, CARD_UID_LEN, now, expires, bin, &bin_len);
        if (err != KIOSK_OK) {
            mint_failed(a.key, err);
            goto out;
        }
        err = ndef_build_mime(NDEF_MIME_MEMBER_TOKEN, bin, bin_len, tlv, sizeof tlv, &tlv_len);
        if (err != KIOSK_OK) {
            fprintf(stderr, PREFIX "cannot build the NDEF message: %s\n", kerr_name(err));
            goto out;
        }
    }
    if (write_and_verify(&w, tlv, tlv_len) != 0)
        goto out;

    char when[CARD_TIME_TEXT_MAX];
    card_format_time(expires, when);
    if (a.json) {
        json_t *o = json_pack("{s:s,s:s,s:I}", "uid", w.uid_text, "model", w.model->name, "bytes",
                              (json_int_t)tlv_len);
        if (a.content == CONTENT_TOKEN)
            json_object_update_new(o, json_pack("{s:s,s:s,s:s}", "role", token_role_name(a.role),
                                                "member", a.member, "expires", when));
        else
            json_object_set_new(o, a.content == CONTENT_GARMENT ? "uri" : "image",
                                json_string(a.content == CONTENT_GARMENT ? a.uri : a.image));
        card_print_json(o);
    } else if (a.content == CONTENT_TOKEN) {
        printf("wrote %s %s to tag %s (%s, %zu bytes), expires %s\n", token_role_name(a.role),
               a.member, w.uid_text, w.model->name, tlv_len, when);
    } else if (a.content == CONTENT_GARMENT) {
        printf("wrote %s to tag %s (%s, %zu bytes)\n", a.uri, w.uid_text, w.model->name, tlv_len);
    } else {
        printf("wrote %s to tag %s (%s, %zu bytes)\n", a.image, w.uid_text, w.model->name, tlv_len);
    }
    rc = 0;
out:
    writer_close(&w);
    return rc;
}
