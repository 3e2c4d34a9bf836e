/* gs1.h: GS1 identifiers on garment tags: GTINs (with their check digit) and GS1 Digital
 * Link URIs ("https://id.gs1.org/01/<GTIN-14>/21/<serial>"). Pure functions, any thread. */
#ifndef KIOSK_GS1_H
#define KIOSK_GS1_H

#include <stdbool.h>

#define GS1_GTIN_LEN   14
#define GS1_SERIAL_MAX 20 /* AI 21: up to 20 characters */
#define GS1_DL_PREFIX  "https://id.gs1.org/01/"

/* A GTIN-8/12/13/14 to 14 digits; false unless all digits and the check digit is right. */
bool gs1_gtin_normalise(const char *s, char out[GS1_GTIN_LEN + 1]);

/* A serial that needs no percent-encoding in a Digital Link path. */
bool gs1_serial_ok(const char *s);

/* Reads the GTIN out of a GS1 Digital Link URI (any host, path "/01/<gtin>[/...]").
 * False if the URI is not one or its GTIN is not valid. */
bool gs1_gtin_from_uri(const char *uri, char gtin[GS1_GTIN_LEN + 1]);

#endif
