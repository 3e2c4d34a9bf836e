/* art.h: anti-aliased shapes and icons, rasterised from SVG by SDL_image and cached.
 * Rounded rectangles are drawn nine-slice: four corners cut from one cached circle, the
 * rest as plain fills, so a card of any size costs a handful of blits. Icons are SVG files
 * in assets/icons drawn with "currentColor", recoloured per use. UI thread only. */
#ifndef KIOSK_ART_H
#define KIOSK_ART_H

#include <SDL2/SDL.h>
#include <stdbool.h>

#define ART_CACHE_MAX 256
#define ART_SVG_MAX   (256 * 1024) /* largest icon file read */

typedef struct Art Art;

Art *art_create(SDL_Renderer *r, const char *icons_dir);
void art_destroy(Art *a);

/* A filled rounded rectangle; with stroke_w > 0 also an outline of that width. */
void art_round_rect(Art *a, SDL_Rect r, int radius, SDL_Color fill, SDL_Color stroke, int stroke_w);
void art_circle(Art *a, int cx, int cy, int radius, SDL_Color fill);
/* Draws icon `name` scaled to fit r, centred. False if the icon is missing or broken. */
bool art_icon(Art *a, const char *name, SDL_Rect r, SDL_Color color);

#endif
