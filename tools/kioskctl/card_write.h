/* card_write.h: `kioskctl card write`, writing a card or garment tag onto a real NTAG21x
 * through an NFC reader (libnfc, explicit connstring), for field use. It reads the blank tag's
 * UID first, so a member token is minted bound to that very tag. Single-threaded CLI code; it
 * owns the reader for its whole run (flock on the device node, as the kiosk's worker does), so
 * the kiosk must be stopped while it runs. docs/token.md describes what is written. */
#ifndef KIOSKCTL_CARD_WRITE_H
#define KIOSKCTL_CARD_WRITE_H

#define CARD_WRITE_WAIT_S 10 /* how long a tag is waited for */

/* Runs `kioskctl card write ...`; argv[0] is "write". Prompts and errors go to stderr, the
 * result line to stdout. Returns the exit status: 0 written and verified, 1 failed (no
 * reader, reader in use, no tag, wrong tag, write or verify failed), 2 bad arguments. */
int card_write_main(int argc, char **argv);

#endif
