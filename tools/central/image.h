/* image.h: generated product pictures. A product image is a small PNG drawn on the fly: a
 * light background and a flat silhouette of the product's category (shoe, jacket, jeans,
 * top, dress, bag, socks) in the variant's colour, encoded with libpng. Deterministic:
 * the same inputs give the same bytes. No state; any thread. */
#ifndef CENTRAL_IMAGE_H
#define CENTRAL_IMAGE_H

#include <stddef.h>

#include "kerr.h"

#define IMAGE_SIZE 256 /* width and height in pixels */

/* Draws category (e.g. "running-shoes") in colour "#rrggbb". *png is the caller's to free. */
KioskErr image_render_png(const char *category, const char *colour_hex, unsigned char **png,
                          size_t *len);

#endif
