/* texcache.c: open addressing with linear probing, kept at most 3/4 full; eviction scans
 * for the oldest stamp (capacities are a few hundred, and eviction is rare). */
#include "texcache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct Slot {
    char *key; /* NULL: free */
    uint64_t hash;
    unsigned long used;
    TexEntry e;
} Slot;

struct TexCache {
    Slot *slots;
    unsigned capacity, count;
    unsigned long clock, hits, misses;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

TexCache *texcache_create(unsigned capacity)
{
    TexCache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->capacity = capacity < 8 ? 8 : capacity;
    c->slots = calloc(c->capacity, sizeof *c->slots);
    if (!c->slots) {
        free(c);
        return NULL;
    }
    return c;
}

void texcache_destroy(TexCache *c)
{
    if (!c)
        return;
    for (unsigned i = 0; i < c->capacity; i++) {
        if (c->slots[i].key) {
            free(c->slots[i].key);
            SDL_DestroyTexture(c->slots[i].e.tex);
        }
    }
    free(c->slots);
    free(c);
}

TexEntry *texcache_get(TexCache *c, const char *key)
{
    uint64_t hash = fnv1a(key);
    for (unsigned probe = 0; probe < c->capacity; probe++) {
        Slot *s = &c->slots[(hash + probe) % c->capacity];
        if (!s->key)
            break;
        if (s->hash == hash && strcmp(s->key, key) == 0) {
            s->used = ++c->clock;
            c->hits++;
            return &s->e;
        }
    }
    c->misses++;
    return NULL;
}

/* Removes the least recently used entry, then re-seats the rest of its probe run. */
static void evict(TexCache *c)
{
    unsigned victim = 0;
    unsigned long oldest = ~0ul;
    for (unsigned i = 0; i < c->capacity; i++) {
        if (c->slots[i].key && c->slots[i].used < oldest) {
            oldest = c->slots[i].used;
            victim = i;
        }
    }
    free(c->slots[victim].key);
    SDL_DestroyTexture(c->slots[victim].e.tex);
    c->slots[victim].key = NULL;
    c->count--;
    for (unsigned j = (victim + 1) % c->capacity; c->slots[j].key; j = (j + 1) % c->capacity) {
        Slot moved = c->slots[j];
        c->slots[j].key = NULL;
        unsigned k = (unsigned)(moved.hash % c->capacity);
        while (c->slots[k].key)
            k = (k + 1) % c->capacity;
        c->slots[k] = moved;
    }
}

TexEntry *texcache_put(TexCache *c, const char *key, SDL_Texture *tex, int w, int h, bool flag)
{
    char *copy = strdup(key);
    if (!copy) {
        SDL_DestroyTexture(tex);
        return NULL;
    }
    if (c->count >= c->capacity * 3 / 4)
        evict(c);
    uint64_t hash = fnv1a(key);
    unsigned i = (unsigned)(hash % c->capacity);
    while (c->slots[i].key)
        i = (i + 1) % c->capacity;
    c->slots[i] = (Slot){.key = copy, .hash = hash, .used = ++c->clock, .e = {tex, w, h, flag}};
    c->count++;
    return &c->slots[i].e;
}

void texcache_stats(const TexCache *c, unsigned *entries, unsigned long *hits,
                    unsigned long *misses)
{
    *entries = c->count;
    *hits = c->hits;
    *misses = c->misses;
}
