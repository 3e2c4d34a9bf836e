/* nfc.c: the NFC reader worker over libnfc (see nfc.h).
 * The worker thread alone calls libnfc for this reader: open, init, poll, read, close. The
 * only cross-thread call is nfc_abort_command from nfc_reader_stop, made under the lock that
 * also guards the device pointer, so it never meets a closed device. Polls are short
 * (InAutoPoll of NFC_POLL_PERIOD x 150 ms) so a lost abort still stops the worker quickly.
 * Before libnfc opens a serial reader the worker takes an flock on its device node: libnfc's
 * own "already claimed" guard does not work on glibc, and two processes on one PN532 corrupt
 * each other's frames.
 *
 * libnfc keeps its driver list in a process-wide global that nfc_exit frees (1.8.0), so a
 * second libnfc context in the process breaks the first: one NfcReader per process.
 *
 * Per card: poll until a tag answers, read pages 0-3 (for the capability container), then
 * the NDEF area from page 4 in 16-byte READs until its NDEF TLV is complete, report one tap,
 * then READ page 0 every NFC_PRESENCE_MS until the card stops answering: that is removal. */
#include "nfc.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <nfc/nfc.h>

#include "log.h"

#define NFC_POLL_NR         1    /* InAutoPoll rounds per call... */
#define NFC_POLL_PERIOD     2    /* ...of 2 x 150 ms: a call waits at most 300 ms for a card */
#define NFC_PRESENCE_MS     150  /* how often a card on the reader is checked */
#define NFC_BACKOFF_MIN_MS  100  /* first wait before reopening a lost reader... */
#define NFC_BACKOFF_MAX_MS  2000 /* ...doubling up to this */
#define NFC_XFER_TIMEOUT_MS 500  /* one READ, reader to card and back */

/* NTAG21x (NXP NTAG213/215/216 data sheet) and the NFC Forum Type 2 Tag layout. */
#define NTAG_CMD_READ   0x30
#define NTAG_PAGE_SIZE  4
#define NTAG_READ_SIZE  16 /* READ returns 4 pages */
#define NTAG_DATA_PAGE  4  /* first page of the data area */
#define NTAG_PAGE_LAST  255
#define NTAG_CC_MAGIC   0xE1 /* capability container byte 0: NDEF formatted */
#define NTAG_CC_UNIT    8    /* CC byte 2 counts the data area in 8-byte units */
#define NTAG_DATA_LIMIT ((NTAG_PAGE_LAST + 1 - NTAG_DATA_PAGE) * NTAG_PAGE_SIZE)
#define TLV_NULL        0x00
#define TLV_NDEF        0x03
#define TLV_TERMINATOR  0xFE
#define TLV_LONG_LEN    0xFF

#define MODULE "nfc"

typedef enum ReaderState { READER_UNKNOWN, READER_DOWN, READER_UP } ReaderState;

struct NfcReader {
    char connstring[NFC_CONNSTRING_MAX];
    NfcCallbacks cb;
    pthread_t thread;
    pthread_mutex_t lock; /* guards dev (for the abort) and the stop wake-up */
    pthread_cond_t wake;
    atomic_bool stop;
    nfc_device *dev;
    /* The worker's own. */
    nfc_context *ctx;
    int lock_fd;
    ReaderState reported;
};

static bool stopping(NfcReader *r)
{
    return atomic_load(&r->stop);
}

/* Sleeps ms, or less if the reader is being stopped. */
static void nap(NfcReader *r, unsigned ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&r->lock);
    while (!stopping(r) && pthread_cond_timedwait(&r->wake, &r->lock, &until) != ETIMEDOUT) {
    }
    pthread_mutex_unlock(&r->lock);
}

static void report_reader(NfcReader *r, bool connected, const char *detail)
{
    ReaderState now = connected ? READER_UP : READER_DOWN;
    if (now == r->reported)
        return;
    r->reported = now;
    if (connected)
        log_info(MODULE, "reader connected: %s", detail);
    else
        log_warn(MODULE, "reader disconnected: %s", detail);
    if (r->cb.on_reader)
        r->cb.on_reader(r->cb.ctx, connected, detail);
}

/* libnfc's codes at the edge: which failures are the card's (it left, or answered badly),
 * as opposed to the reader's. */
static bool card_error(int rc)
{
    return rc == NFC_ERFTRANS || rc == NFC_EMFCAUTHFAIL || rc == NFC_ETGRELEASED;
}

static KioskErr map_error(int rc)
{
    switch (rc) {
    case NFC_ETIMEOUT:
        return KIOSK_E_TIMEOUT;
    case NFC_ENOTSUCHDEV:
        return KIOSK_E_NOTFOUND;
    case NFC_EINVARG:
        return KIOSK_E_INVALID;
    case NFC_EDEVNOTSUPP:
    case NFC_ENOTIMPL:
        return KIOSK_E_STATE;
    default:
        return KIOSK_E_IO;
    }
}

bool nfc_device_path(const char *connstring, char *path, size_t size)
{
    const char *colon = strchr(connstring, ':');
    if (!colon || colon[1] != '/')
        return false;
    const char *start = colon + 1;
    size_t len = strcspn(start, ":");
    if (len >= size)
        return false;
    memcpy(path, start, len);
    path[len] = '\0';
    return true;
}

static void reader_close(NfcReader *r)
{
    pthread_mutex_lock(&r->lock);
    nfc_device *dev = r->dev;
    r->dev = NULL;
    pthread_mutex_unlock(&r->lock);
    if (dev)
        nfc_close(dev);
    if (r->lock_fd >= 0) {
        close(r->lock_fd); /* drops the flock */
        r->lock_fd = -1;
    }
}

/* Locks the device node, opens and initialises the reader. On failure, says why in detail. */
static KioskErr reader_open(NfcReader *r, char *detail, size_t size)
{
    KioskErr err = KIOSK_OK;
    char path[NFC_CONNSTRING_MAX];
    nfc_device *dev = NULL;
    if (!r->ctx) {
        nfc_init(&r->ctx);
        if (!r->ctx) {
            snprintf(detail, size, "libnfc failed to start");
            err = KIOSK_E_NOMEM;
            goto out;
        }
    }
    if (nfc_device_path(r->connstring, path, sizeof path)) {
        r->lock_fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (r->lock_fd < 0) {
            int e = errno;
            snprintf(detail, size, "%s %.200s", e == ENOENT ? "no reader at" : "cannot open", path);
            log_debug(MODULE, "open %s: %s", path, strerror(e));
            err = e == ENOENT ? KIOSK_E_NOTFOUND : KIOSK_E_IO;
            goto out;
        }
        if (flock(r->lock_fd, LOCK_EX | LOCK_NB) != 0) {
            snprintf(detail, size, "reader busy: %.200s is locked by another user", path);
            err = KIOSK_E_STATE;
            goto out;
        }
    }
    dev = nfc_open(r->ctx, r->connstring);
    if (!dev) {
        snprintf(detail, size, "libnfc cannot open %.200s", r->connstring);
        err = KIOSK_E_IO;
        goto out;
    }
    int rc = nfc_initiator_init(dev);
    if (rc < 0) {
        snprintf(detail, size, "reader did not initialise: %s", nfc_strerror(dev));
        log_warn(MODULE, "nfc_initiator_init: libnfc error %d (%s)", rc, nfc_strerror(dev));
        err = map_error(rc);
        goto out;
    }
    const char *name = nfc_device_get_name(dev); /* serial drivers name it by connstring */
    /* The chip and its firmware, as a technician checks them ("PN532 v1.6"): libnfc's
     * description of the device holds them after "chip: ". */
    char chip[48] = "", *info = NULL;
    if (nfc_device_get_information_about(dev, &info) >= 0 && info) {
        const char *c = strstr(info, "chip: ");
        if (c)
            snprintf(chip, sizeof chip, "%.*s", (int)strcspn(c + 6, "\r\n"), c + 6);
        nfc_free(info);
    }
    if (strcmp(name, r->connstring) != 0)
        snprintf(detail, size, "%.40s%s%.40s at %.160s", name, chip[0] ? ", " : "", chip,
                 r->connstring);
    else if (chip[0])
        snprintf(detail, size, "%.40s at %.200s", chip, r->connstring);
    else
        snprintf(detail, size, "reader ready at %.200s", r->connstring);
    pthread_mutex_lock(&r->lock);
    r->dev = dev;
    pthread_mutex_unlock(&r->lock);
    dev = NULL;
out:
    if (dev)
        nfc_close(dev);
    if (err != KIOSK_OK && r->lock_fd >= 0) {
        close(r->lock_fd);
        r->lock_fd = -1;
    }
    return err;
}

/* One NTAG READ of 4 pages. Returns 0 or a libnfc error code. */
static int read_pages(NfcReader *r, unsigned page, uint8_t out[NTAG_READ_SIZE])
{
    const uint8_t cmd[2] = {NTAG_CMD_READ, (uint8_t)page};
    int rc = nfc_initiator_transceive_bytes(r->dev, cmd, sizeof cmd, out, NTAG_READ_SIZE,
                                            NFC_XFER_TIMEOUT_MS);
    if (rc >= 0 && rc != NTAG_READ_SIZE)
        return NFC_ERFTRANS; /* a short answer is a card that left mid-frame */
    return rc < 0 ? rc : 0;
}

/* True once data holds a whole NDEF message TLV or reaches a terminator TLV. */
static bool tlv_complete(const uint8_t *data, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t type = data[i];
        if (type == TLV_NULL) {
            i++;
            continue;
        }
        if (type == TLV_TERMINATOR)
            return true;
        if (i + 1 >= len)
            return false;
        size_t hdr = 2, body = data[i + 1];
        if (body == TLV_LONG_LEN) {
            if (i + 3 >= len)
                return false;
            hdr = 4;
            body = (size_t)data[i + 2] << 8 | data[i + 3];
        }
        if (type == TLV_NDEF)
            return i + hdr + body <= len;
        i += hdr + body;
    }
    return false;
}

/* Reads the NDEF area into tap. Returns 0 or a libnfc error code. */
static int read_tag(NfcReader *r, NfcTap *tap)
{
    uint8_t chunk[NTAG_READ_SIZE];
    int rc = read_pages(r, 0, chunk);
    if (rc < 0)
        return rc;
    const uint8_t *cc = chunk + 3 * NTAG_PAGE_SIZE;
    tap->data_len = 0;
    if (cc[0] != NTAG_CC_MAGIC) {
        log_info(MODULE, "card has no NDEF capability container");
        return 0;
    }
    size_t want = (size_t)cc[2] * NTAG_CC_UNIT;
    if (want > NFC_DATA_MAX)
        want = NFC_DATA_MAX;
    if (want > NTAG_DATA_LIMIT)
        want = NTAG_DATA_LIMIT;
    while (tap->data_len < want && !tlv_complete(tap->data, tap->data_len)) {
        rc = read_pages(r, NTAG_DATA_PAGE + (unsigned)(tap->data_len / NTAG_PAGE_SIZE), chunk);
        if (rc < 0)
            return rc;
        size_t n = want - tap->data_len < NTAG_READ_SIZE ? want - tap->data_len : NTAG_READ_SIZE;
        memcpy(tap->data + tap->data_len, chunk, n);
        tap->data_len += n;
    }
    return 0;
}

/* Waits while the card stays. Returns 0 when it left, or a libnfc error code of the reader;
 * NFC_EOPABORTED when stopping. */
static int wait_removal(NfcReader *r, const NfcTap *tap)
{
    uint8_t chunk[NTAG_READ_SIZE];
    for (;;) {
        nap(r, NFC_PRESENCE_MS);
        if (stopping(r))
            return NFC_EOPABORTED;
        int rc = read_pages(r, 0, chunk);
        if (rc < 0 && stopping(r))
            return NFC_EOPABORTED;
        if (rc < 0)
            return card_error(rc) ? 0 : rc;
        /* A 7-byte UID is in pages 0-1 (with BCC0 between): another card is a removal. */
        if (tap->uid_len == 7 &&
            (memcmp(chunk, tap->uid, 3) != 0 || memcmp(chunk + 4, tap->uid + 3, 4) != 0))
            return 0;
    }
}

/* Polls and reads cards until the reader fails (returns its error, reason in detail) or
 * the worker is stopped (returns KIOSK_OK). */
static KioskErr serve(NfcReader *r, char *detail, size_t size)
{
    static const nfc_modulation iso14443a = {.nmt = NMT_ISO14443A, .nbr = NBR_106};
    NfcTap *tap = malloc(sizeof *tap);
    KioskErr err = KIOSK_OK;
    int rc = 0;
    if (!tap) {
        snprintf(detail, size, "out of memory");
        err = KIOSK_E_NOMEM;
        goto out;
    }
    /* The UID of a card that could not be read, so a card left on the reader is logged once. */
    uint8_t unreadable[NFC_UID_MAX];
    size_t unreadable_len = 0;
    while (!stopping(r)) {
        nfc_target nt;
        rc = nfc_initiator_poll_target(r->dev, &iso14443a, 1, NFC_POLL_NR, NFC_POLL_PERIOD, &nt);
        if (stopping(r))
            break;
        if (rc == 0)
            unreadable_len = 0;
        if (rc == NFC_EOPABORTED || rc == 0)
            continue;
        if (rc < 0)
            goto reader_failed;
        memset(tap, 0, sizeof *tap);
        tap->uid_len = nt.nti.nai.szUidLen <= NFC_UID_MAX ? nt.nti.nai.szUidLen : NFC_UID_MAX;
        memcpy(tap->uid, nt.nti.nai.abtUid, tap->uid_len);
        rc = read_tag(r, tap);
        if (stopping(r))
            break;
        if (rc < 0 && card_error(rc)) {
            /* Not a tap: pulled away mid-read (the next poll finds it if it is still there),
             * or not an NTAG (a bank card): ignored, polled again at the presence pace. */
            if (unreadable_len != tap->uid_len || memcmp(unreadable, tap->uid, tap->uid_len)) {
                log_info(MODULE, "card not readable (libnfc error %d), ignored", rc);
                memcpy(unreadable, tap->uid, tap->uid_len);
                unreadable_len = tap->uid_len;
            }
            nap(r, NFC_PRESENCE_MS);
            continue;
        }
        unreadable_len = 0;
        if (rc < 0)
            goto reader_failed;
        log_debug(MODULE, "card read: %zu-byte UID, %zu data bytes", tap->uid_len, tap->data_len);
        if (r->cb.on_tap)
            r->cb.on_tap(r->cb.ctx, tap);
        rc = wait_removal(r, tap);
        if (rc == NFC_EOPABORTED)
            break;
        if (r->cb.on_removed)
            r->cb.on_removed(r->cb.ctx);
        if (rc < 0)
            goto reader_failed;
        log_debug(MODULE, "card removed");
    }
    goto out;
reader_failed:
    log_warn(MODULE, "reader failed: libnfc error %d (%s)", rc, nfc_strerror(r->dev));
    snprintf(detail, size, "reader lost: %s", nfc_strerror(r->dev));
    err = map_error(rc);
out:
    free(tap);
    return err;
}

static void *worker(void *arg)
{
    NfcReader *r = arg;
    char detail[NFC_DETAIL_MAX];
    unsigned backoff = NFC_BACKOFF_MIN_MS;
    while (!stopping(r)) {
        if (reader_open(r, detail, sizeof detail) != KIOSK_OK) {
            if (stopping(r))
                break;
            report_reader(r, false, detail);
            nap(r, backoff);
            backoff = backoff * 2 > NFC_BACKOFF_MAX_MS ? NFC_BACKOFF_MAX_MS : backoff * 2;
            continue;
        }
        backoff = NFC_BACKOFF_MIN_MS;
        report_reader(r, true, detail);
        KioskErr err = serve(r, detail, sizeof detail);
        reader_close(r);
        if (err != KIOSK_OK && !stopping(r)) {
            log_debug(MODULE, "reopening the reader (%s)", kerr_name(err));
            report_reader(r, false, detail);
            nap(r, backoff);
        }
    }
    reader_close(r);
    if (r->ctx)
        nfc_exit(r->ctx);
    r->ctx = NULL;
    return NULL;
}

NfcReader *nfc_reader_start(const char *connstring, const NfcCallbacks *cb, KioskErr *err)
{
    NfcReader *r = NULL;
    pthread_condattr_t attr;
    bool attr_made = false;
    *err = KIOSK_OK;
    if (!connstring || !*connstring || strlen(connstring) >= NFC_CONNSTRING_MAX) {
        log_error(MODULE, "bad NFC connstring (empty or over %d bytes)", NFC_CONNSTRING_MAX - 1);
        *err = KIOSK_E_INVALID;
        goto out;
    }
    assert(cb);
    r = calloc(1, sizeof *r);
    if (!r) {
        *err = KIOSK_E_NOMEM;
        goto out;
    }
    strcpy(r->connstring, connstring);
    r->cb = *cb;
    r->lock_fd = -1;
    r->reported = READER_UNKNOWN;
    atomic_init(&r->stop, false);
    pthread_mutex_init(&r->lock, NULL);
    pthread_condattr_init(&attr);
    attr_made = true;
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&r->wake, &attr);
    if (pthread_create(&r->thread, NULL, worker, r) != 0) {
        log_error(MODULE, "cannot start the NFC thread");
        pthread_cond_destroy(&r->wake);
        pthread_mutex_destroy(&r->lock);
        free(r);
        r = NULL;
        *err = KIOSK_E_IO;
        goto out;
    }
out:
    if (attr_made)
        pthread_condattr_destroy(&attr);
    return r;
}

void nfc_reader_stop(NfcReader *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    atomic_store(&r->stop, true);
    if (r->dev)
        nfc_abort_command(r->dev); /* ends a poll at once; if it misses, the poll is short */
    pthread_cond_broadcast(&r->wake);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    pthread_cond_destroy(&r->wake);
    pthread_mutex_destroy(&r->lock);
    free(r);
}
