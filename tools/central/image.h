/* image.h: generated pictures. A product image is a small PNG drawn on the fly: a light
 * background and a flat silhouette of the product's category (shoe, jacket, jeans, top,
 * dress, bag, socks) in the variant's colour, encoded with libpng. The device console's QR
 * codes are PNGs too (libqrencode). Deterministic: the same inputs give the same bytes.
 * No state; any thread. */
#ifndef CENTRAL_IMAGE_H
#define CENTRAL_IMAGE_H

#include <stddef.h>

#include "kerr.h"

#define IMAGE_SIZE     256 /* width and height in pixels */
#define IMAGE_QR_SCALE 8   /* pixels per QR module */
#define IMAGE_QR_QUIET 4   /* modules of white border, as the QR standard wants */

/* Draws category (e.g. "running-shoes") in colour "#rrggbb". *png is the caller's to free. */
KioskErr image_render_png(const char *category, const char *colour_hex, unsigned char **png,
                          size_t *len);
/* Draws text as a black-on-white QR code (level M, IMAGE_QR_SCALE pixels per module, an
 * IMAGE_QR_QUIET-module border). KIOSK_E_INVALID if it does not fit in a QR code. *png is
 * the caller's to free. */
KioskErr image_qr_png(const char *text, unsigned char **png, size_t *len);

#endif
