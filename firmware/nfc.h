/* nfc.h: the NFC reader worker. One thread owns the reader (libnfc, e.g. a PN532 on a serial
 * port) from open to close: it polls for ISO14443A tags (NTAG21x), reads each card's UID and
 * NDEF area once per presentation, notices removal, and reopens the reader with backoff when
 * it is unplugged or fails. It reports through callbacks and knows nothing of SDL or of the
 * app's event queue.
 *
 * Callbacks run on the worker thread, one at a time, in order. Every pointer they get is
 * borrowed for the call only: copy what you keep (e.g. into a fixed-size event). Each on_tap
 * is followed by exactly one on_removed (when the card leaves or the reader is lost), unless
 * the worker is stopped first. Card contents (UIDs, data) are never logged. */
#ifndef KIOSK_NFC_H
#define KIOSK_NFC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kerr.h"

#define NFC_UID_MAX        10   /* ISO14443A: 4, 7 or 10 bytes */
#define NFC_DATA_MAX       1024 /* tag memory from page 4 read per tap (NTAG216 has 888) */
#define NFC_CONNSTRING_MAX 1024 /* libnfc's NFC_BUFSIZE_CONNSTRING */
#define NFC_DETAIL_MAX     256  /* on_reader's detail text, NUL included */

typedef struct NfcTap {
    uint8_t uid[NFC_UID_MAX];
    size_t uid_len;
    /* Raw tag memory from page 4 (the NDEF TLV area): from its start up to at least the end
     * of the NDEF message TLV or the terminator TLV, in whole 16-byte reads, bounded by the
     * data area size in the tag's capability container and by NFC_DATA_MAX. data_len is 0
     * when the tag has no NDEF capability container (unformatted). A card that cannot be read
     * at all (not a Type 2 tag, e.g. a bank card) gives no tap. */
    uint8_t data[NFC_DATA_MAX];
    size_t data_len;
} NfcTap;

typedef struct NfcCallbacks {
    /* A card was put on the reader and read: once per presentation, however long it stays. */
    void (*on_tap)(void *ctx, const NfcTap *tap);
    /* The card of the last on_tap left the reader (or the reader went away under it). */
    void (*on_removed)(void *ctx);
    /* Reader state changed: connected, or disconnected with a human-readable reason for the
     * technician's diagnostics. Reported on changes only (the first attempt always reports). */
    void (*on_reader)(void *ctx, bool connected, const char *detail);
    void *ctx;
} NfcCallbacks;

typedef struct NfcReader NfcReader;

/* Starts the worker for the reader at connstring (libnfc syntax, e.g.
 * "pn532_uart:/dev/ttyS0"; always explicit, never auto-detected). A reader that is absent at
 * start is not an error: the worker keeps trying and says so through on_reader. The
 * callbacks are copied (cb itself is required); any of them may be NULL. Returns NULL with *err set
 * on a bad connstring (KIOSK_E_INVALID), no memory (KIOSK_E_NOMEM) or no thread (KIOSK_E_IO). One
 * reader per process, and nothing else in the process may use libnfc meanwhile: libnfc 1.8 keeps
 * its driver list in a global that any nfc_exit frees. For a serial reader the worker holds an
 * flock on the device node while it has the reader open; a reader locked by someone else is
 * reported as disconnected ("busy") and retried. */
NfcReader *nfc_reader_start(const char *connstring, const NfcCallbacks *cb, KioskErr *err);

/* Stops the worker promptly (well under a second), closes the reader and frees r. No
 * callback runs after it returns. Call from the thread that started it, not from a
 * callback. nfc_reader_stop(NULL) is a no-op. */
void nfc_reader_stop(NfcReader *r);

/* The device node of a serial-style connstring ("pn532_uart:/dev/ttyS0[:speed]") into path;
 * false for drivers without one (USB). Whoever opens the reader takes an flock on it, so the
 * kiosk and `kioskctl card write` never drive one reader at once. */
bool nfc_device_path(const char *connstring, char *path, size_t size);

#endif
