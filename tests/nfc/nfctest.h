/* nfctest.h: helpers for the NFC integration tests: run tools/nfc-sim in a private temporary
 * directory and drive it through its control socket, and build NTAG215 tag files.
 * Used by one test thread at a time; each NfcSim owns its process, directory and socket. */
#ifndef KIOSK_TESTS_NFCTEST_H
#define KIOSK_TESTS_NFCTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NFCTEST_TAG_SIZE  540 /* NTAG215: 135 pages of 4 bytes */
#define NFCTEST_UID_LEN   7
#define NFCTEST_PATH_MAX  256
#define NFCTEST_REPLY_MAX 1024

typedef struct NfcSim NfcSim;

/* Starts nfc-sim (binary at sim_path) in a new directory under $TMPDIR or /tmp and waits
 * until its pty is linked. NULL on failure (reason on stderr). */
NfcSim *nfctest_sim_start(const char *sim_path);
/* Terminates the process and removes its directory. stop(NULL) is a no-op. */
void nfctest_sim_stop(NfcSim *sim);

/* "pn532_uart:DIR/pn532", borrowed. */
const char *nfctest_sim_connstring(const NfcSim *sim);
/* The simulator's private directory, borrowed: tests put tag files there. */
const char *nfctest_sim_dir(const NfcSim *sim);

/* Sends one JSON line; stores the reply line (no newline) in reply if non-NULL. Returns true
 * if the reply says "ok":true. */
bool nfctest_sim_cmd(NfcSim *sim, const char *line, char *reply, size_t size);
bool nfctest_sim_present(NfcSim *sim, const char *tag_path);

/* An NDEF message of one short URI record ("https://" + rest). Returns its length, 0 if it
 * does not fit in size. */
size_t nfctest_uri_message(uint8_t *out, size_t size, const char *rest);
/* Builds an NTAG215 image: UID with its check bytes, capability container, and msg in an
 * NDEF TLV from page 4 followed by a terminator TLV. Returns the length of that TLV area
 * (what the reader must return at least), 0 if msg is too long. */
size_t nfctest_tag_image(uint8_t image[NFCTEST_TAG_SIZE], const uint8_t uid[NFCTEST_UID_LEN],
                         const uint8_t *msg, size_t len);
/* Writes nfctest_tag_image to path. Returns false on failure. */
bool nfctest_tag_write(const char *path, const uint8_t uid[NFCTEST_UID_LEN], const uint8_t *msg,
                       size_t len);

#endif
