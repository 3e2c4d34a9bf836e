/* scanner.c: see scanner.h. */
#include "scanner.h"

#include <string.h>

#include "log.h"

void scanner_init(Scanner *sc)
{
    memset(sc, 0, sizeof *sc);
}

void scanner_feed(Scanner *sc, const char *text, size_t n, ScannerLineFn on_line, void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        if (c == '\r')
            continue;
        if (c == '\n') {
            if (sc->overflow) {
                sc->rejected++;
                log_warn("scanner", "threw away a line longer than %d bytes", SCANNER_LINE_MAX);
            } else if (sc->len > 0) {
                sc->buf[sc->len] = '\0';
                on_line(ctx, sc->buf);
            }
            sc->len = 0;
            sc->overflow = false;
            continue;
        }
        if (sc->len == SCANNER_LINE_MAX)
            sc->overflow = true;
        else
            sc->buf[sc->len++] = c;
    }
}
