/* text.h: fonts (found through fontconfig) and text drawn to fit a box.
 * Text is wrapped at word boundaries and shrunk step by step until every word and every
 * line fits its box; a word wider than the box even at the smallest step is broken with a
 * hyphen (wrapped text only); only when even that overflows is it clipped, and the
 * caller is told, so the semantics tree can flag it. Rendered strings are cached as
 * textures (least recently used go first), so a steady screen costs only blits.
 * UI thread only. */
#ifndef KIOSK_TEXT_H
#define KIOSK_TEXT_H

#include <SDL2/SDL.h>
#include <stdbool.h>

#include "kerr.h"
#include "theme.h"

#define TEXT_CACHE_MAX 768 /* rendered strings kept as textures */
#define TEXT_FONTS_MAX 48  /* open (weight, size) pairs */
#define TEXT_WORD_MAX  250 /* bytes of one word that text breaks to fit */

typedef enum HAlign { H_LEFT = 0, H_CENTER, H_RIGHT } HAlign;
typedef enum VAlign { V_TOP = 0, V_MIDDLE, V_BOTTOM } VAlign;

typedef struct TextLayout {
    HAlign align;
    VAlign valign;
    bool wrap; /* false: one line */
} TextLayout;

typedef struct Text Text;

/* NULL with *err set if no usable font was found. */
Text *text_create(SDL_Renderer *r, KioskErr *err);
void text_destroy(Text *t);

/* Draws s inside box. Returns true if it fits at some size >= 70% of px; false if it
 * had to be clipped. `drawn` (may be NULL) receives the area actually covered. */
bool text_draw(Text *t, const char *s, FontWeight weight, int px, SDL_Color color, SDL_Rect box,
               TextLayout layout, SDL_Rect *drawn);

/* Width and height of s on one line. */
void text_measure(Text *t, const char *s, FontWeight weight, int px, int *w, int *h);

/* Cache statistics, for the benchmark. */
void text_stats(const Text *t, unsigned *entries, unsigned long *hits, unsigned long *misses);

#endif
