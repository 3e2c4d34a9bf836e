/* scanner.h: turns keystrokes from a keyboard-wedge 2D scanner into lines.
 * A scanner "types" its code and ends it with Enter. Characters are collected up to
 * SCANNER_LINE_MAX; a longer line is thrown away whole (and counted), never cut into a
 * shorter one that might parse. Used by the UI thread, which owns one Scanner. */
#ifndef KIOSK_SCANNER_H
#define KIOSK_SCANNER_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"

#define SCANNER_LINE_MAX (EVENT_TEXT_MAX - 1)

typedef struct Scanner {
    char buf[SCANNER_LINE_MAX + 1];
    size_t len;
    bool overflow;     /* the line being typed is already too long */
    unsigned rejected; /* lines thrown away for length */
} Scanner;

typedef void (*ScannerLineFn)(void *ctx, const char *line);

void scanner_init(Scanner *sc);
/* Feeds n bytes of typed text; calls on_line for each complete, non-empty line (without
 * its "\n" or "\r\n"). */
void scanner_feed(Scanner *sc, const char *text, size_t n, ScannerLineFn on_line, void *ctx);

#endif
