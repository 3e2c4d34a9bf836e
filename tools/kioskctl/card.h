/* card.h: `kioskctl card`, the technician's NFC tag image tool: mints member, staff and
 * technician cards (a signed token bound to the tag's UID) and garment tags (a GS1 Digital
 * Link URI) as NTAG215 memory images, and shows what an image holds. Works on files only; it
 * does not talk to a running kiosk. docs/token.md describes the formats. */
#ifndef KIOSKCTL_CARD_H
#define KIOSKCTL_CARD_H

#define CARD_PAGE_SIZE       4
#define CARD_NTAG215_PAGES   135
#define CARD_IMAGE_SIZE      (CARD_PAGE_SIZE * CARD_NTAG215_PAGES) /* 540 bytes */
#define CARD_UID_LEN         7
#define CARD_DATA_FIRST_PAGE 4   /* NDEF TLVs start here */
#define CARD_DATA_END_PAGE   130 /* first page after user memory (dynamic lock bytes) */
#define CARD_DAYS_DEFAULT    365
#define CARD_DAYS_MAX        3650
#define CARD_IMAGE_MAX       1024 /* largest tag image `card show` reads (NTAG216 is 924) */

/* Runs `kioskctl card ...`; argv[0] is "card". Prints results on stdout and errors on
 * stderr. Returns the process exit status: 0 success, 1 failure, 2 usage error. */
int card_main(int argc, char **argv);

#endif
