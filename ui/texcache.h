/* texcache.h: a bounded cache of rendered textures keyed by a string that names everything
 * that changes the pixels (text, size, colour, box). Least recently used entries are
 * destroyed first. Used by text.c and art.c; UI thread only. */
#ifndef KIOSK_TEXCACHE_H
#define KIOSK_TEXCACHE_H

#include <SDL2/SDL.h>
#include <stdbool.h>

typedef struct TexEntry {
    SDL_Texture *tex; /* owned by the cache */
    int w, h;
    bool flag; /* the owner's bit (text: fits its box) */
} TexEntry;

typedef struct TexCache TexCache;

TexCache *texcache_create(unsigned capacity);
void texcache_destroy(TexCache *c);

/* The entry for key, marked as just used; NULL if absent. */
TexEntry *texcache_get(TexCache *c, const char *key);
/* Adds key (copied) with tex (owned from now on), evicting if full. NULL on no memory
 * (tex is then destroyed). */
TexEntry *texcache_put(TexCache *c, const char *key, SDL_Texture *tex, int w, int h, bool flag);

void texcache_stats(const TexCache *c, unsigned *entries, unsigned long *hits,
                    unsigned long *misses);

#endif
