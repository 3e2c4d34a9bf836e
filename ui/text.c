/* text.c: see text.h. Fonts are opened lazily per (weight, pixel size); the string cache
 * is a small open-addressing table keyed by everything that changes the pixels. */
#include "text.h"

#include <SDL2/SDL_ttf.h>
#include <fontconfig/fontconfig.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "texcache.h"

#define MIN_SHRINK_PERCENT  70
#define SHRINK_STEP_PERCENT 6

typedef struct FontSlot {
    FontWeight weight;
    int px;
    TTF_Font *font;
} FontSlot;

struct Text {
    SDL_Renderer *renderer;
    char *path[WEIGHT_COUNT];
    FontSlot fonts[TEXT_FONTS_MAX];
    int font_count;
    TexCache *cache;
};

static char *find_font(const char *pattern)
{
    FcPattern *pat = FcNameParse((const FcChar8 *)pattern);
    if (!pat)
        return NULL;
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcPattern *match = FcFontMatch(NULL, pat, &res);
    char *path = NULL;
    FcChar8 *file = NULL;
    if (match && FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch)
        path = strdup((const char *)file);
    if (match)
        FcPatternDestroy(match);
    FcPatternDestroy(pat);
    return path;
}

Text *text_create(SDL_Renderer *r, KioskErr *err)
{
    static const char *const patterns[WEIGHT_COUNT] = {
        [WEIGHT_REGULAR] = "Inter:weight=regular",
        [WEIGHT_SEMIBOLD] = "Inter:weight=semibold",
        [WEIGHT_BOLD] = "Inter:weight=bold",
    };
    *err = KIOSK_E_NOMEM;
    Text *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->renderer = r;
    t->cache = texcache_create(TEXT_CACHE_MAX);
    if (!t->cache) {
        free(t);
        return NULL;
    }
    if (!TTF_WasInit() && TTF_Init() != 0) {
        log_error("text", "SDL_ttf: %s", TTF_GetError());
        *err = KIOSK_E_IO;
        text_destroy(t);
        return NULL;
    }
    FcInit();
    for (int i = 0; i < WEIGHT_COUNT; i++) {
        t->path[i] = find_font(patterns[i]);
        if (!t->path[i]) {
            log_error("text", "no font found for %s (install fonts-inter)", patterns[i]);
            *err = KIOSK_E_NOTFOUND;
            text_destroy(t);
            return NULL;
        }
        log_debug("text", "font %s -> %s", patterns[i], t->path[i]);
    }
    *err = KIOSK_OK;
    return t;
}

void text_destroy(Text *t)
{
    if (!t)
        return;
    texcache_destroy(t->cache);
    for (int i = 0; i < t->font_count; i++)
        TTF_CloseFont(t->fonts[i].font);
    for (int i = 0; i < WEIGHT_COUNT; i++)
        free(t->path[i]);
    FcFini(); /* fontconfig was only needed to find the files: release its cache */
    free(t);
}

static TTF_Font *font_at(Text *t, FontWeight weight, int px)
{
    if (px < 6)
        px = 6;
    for (int i = 0; i < t->font_count; i++)
        if (t->fonts[i].weight == weight && t->fonts[i].px == px)
            return t->fonts[i].font;
    TTF_Font *f = TTF_OpenFont(t->path[weight], px);
    if (!f) {
        log_error("text", "cannot open font at %d px: %s", px, TTF_GetError());
        return NULL;
    }
    if (t->font_count == TEXT_FONTS_MAX) { /* drop the oldest size; rarely reached */
        TTF_CloseFont(t->fonts[0].font);
        memmove(&t->fonts[0], &t->fonts[1], sizeof t->fonts[0] * (TEXT_FONTS_MAX - 1));
        t->font_count--;
    }
    TTF_SetFontHinting(f, TTF_HINTING_LIGHT);
    t->fonts[t->font_count++] = (FontSlot){weight, px, f};
    return f;
}

void text_measure(Text *t, const char *s, FontWeight weight, int px, int *w, int *h)
{
    *w = *h = 0;
    TTF_Font *f = font_at(t, weight, px);
    if (f && s[0])
        TTF_SizeUTF8(f, s, w, h);
    else if (f)
        *h = TTF_FontHeight(f);
}

/* Widest single word of s: a word wider than the box forces a smaller size. */
static int widest_word(TTF_Font *f, const char *s)
{
    int widest = 0;
    char word[256];
    while (*s) {
        while (*s == ' ' || *s == '\n')
            s++;
        size_t n = strcspn(s, " \n");
        if (n == 0)
            break;
        size_t m = n < sizeof word - 1 ? n : sizeof word - 1;
        memcpy(word, s, m);
        word[m] = '\0';
        int w = 0, h = 0;
        TTF_SizeUTF8(f, word, &w, &h);
        if (w > widest)
            widest = w;
        s += n;
    }
    return widest;
}

/* A copy of s in which every word wider than width is broken, with a hyphen, into pieces
 * that fit (a German compound on a narrow card). NULL on no memory. */
static char *break_long_words(TTF_Font *f, const char *s, int width)
{
    size_t n = strlen(s);
    char *out = malloc(n * 3 + 1), *o = out; /* each byte at most gains "-\n" */
    char piece[TEXT_WORD_MAX + 8];
    if (!out)
        return NULL;
    while (*s) {
        size_t gap = strspn(s, " \n");
        memcpy(o, s, gap);
        o += gap;
        s += gap;
        size_t len = strcspn(s, " \n");
        size_t done = 0;
        while (done < len) {
            /* the longest run of whole characters that fits with its hyphen */
            size_t take = 0, best = 0;
            while (done + take < len && take < TEXT_WORD_MAX) {
                size_t step = 1;
                while (done + take + step < len &&
                       ((unsigned char)s[done + take + step] & 0xC0) == 0x80)
                    step++;
                memcpy(piece, s + done, take + step);
                bool whole = done + take + step == len;
                memcpy(piece + take + step, whole ? "" : "-", whole ? 1 : 2);
                int w = 0, h = 0;
                TTF_SizeUTF8(f, piece, &w, &h);
                if (w > width && best > 0)
                    break;
                take += step;
                best = take;
            }
            memcpy(o, s + done, best);
            o += best;
            done += best;
            if (done < len) {
                memcpy(o, "-\n", 2);
                o += 2;
            }
        }
        s += len;
    }
    *o = '\0';
    return out;
}

static SDL_Surface *render_wrapped(TTF_Font *f, const char *s, SDL_Color c, SDL_Rect box,
                                   HAlign align)
{
    static const int wrap_align[] = {TTF_WRAPPED_ALIGN_LEFT, TTF_WRAPPED_ALIGN_CENTER,
                                     TTF_WRAPPED_ALIGN_RIGHT};
    TTF_SetFontWrappedAlign(f, wrap_align[align]);
    return TTF_RenderUTF8_Blended_Wrapped(f, s, c, (Uint32)box.w);
}

/* Renders s at the largest size that fits; sets *fits. */
static SDL_Surface *fit(Text *t, const char *s, FontWeight weight, int px, SDL_Color c,
                        SDL_Rect box, TextLayout lay, bool *fits)
{
    int min_px = px * MIN_SHRINK_PERCENT / 100;
    for (int size = px;; size = size * (100 - SHRINK_STEP_PERCENT) / 100) {
        if (size < min_px)
            size = min_px;
        TTF_Font *f = font_at(t, weight, size);
        if (!f)
            return NULL;
        bool last = size == min_px;
        if (!lay.wrap) {
            int w = 0, h = 0;
            TTF_SizeUTF8(f, s, &w, &h);
            bool ok = w <= box.w && TTF_FontHeight(f) <= box.h;
            if (ok || last) {
                *fits = ok;
                return TTF_RenderUTF8_Blended(f, s, c);
            }
            continue;
        }
        bool words_ok = widest_word(f, s) <= box.w;
        if (!words_ok && !last)
            continue; /* a word wider than the box: smaller, before rendering anything */
        char *broken = NULL;
        if (!words_ok) { /* even at the smallest size: break it with a hyphen */
            /* a little under the box: the renderer's own wrap measures a touch wider */
            broken = break_long_words(f, s, box.w * 92 / 100);
            words_ok = broken != NULL;
        }
        SDL_Surface *surf = render_wrapped(f, broken ? broken : s, c, box, lay.align);
        free(broken);
        if (!surf)
            return NULL;
        bool ok = words_ok && surf->w <= box.w && surf->h <= box.h;
        if (ok || last) {
            *fits = ok;
            return surf;
        }
        SDL_FreeSurface(surf);
    }
}

bool text_draw(Text *t, const char *s, FontWeight weight, int px, SDL_Color c, SDL_Rect box,
               TextLayout lay, SDL_Rect *drawn)
{
    if (drawn)
        *drawn = (SDL_Rect){box.x, box.y, 0, 0};
    if (!s || !s[0] || box.w <= 0 || box.h <= 0)
        return true;
    char *key = NULL;
    if (asprintf(&key, "%d|%d|%02x%02x%02x%02x|%d|%d|%d|%d|%s", weight, px, c.r, c.g, c.b, c.a,
                 box.w, box.h, lay.align, lay.wrap, s) < 0)
        return false;
    TexEntry *e = texcache_get(t->cache, key);
    if (!e) {
        bool fits = false;
        SDL_Surface *surf = fit(t, s, weight, px, c, box, lay, &fits);
        if (!surf) {
            free(key);
            return false;
        }
        SDL_Texture *tex = SDL_CreateTextureFromSurface(t->renderer, surf);
        int w = surf->w, h = surf->h;
        SDL_FreeSurface(surf);
        if (!tex) {
            free(key);
            return false;
        }
        e = texcache_put(t->cache, key, tex, w, h, fits);
    }
    free(key);
    if (!e)
        return false;

    SDL_Rect dst = {box.x, box.y, e->w, e->h};
    if (lay.align == H_CENTER)
        dst.x = box.x + (box.w - e->w) / 2;
    else if (lay.align == H_RIGHT)
        dst.x = box.x + box.w - e->w;
    if (lay.valign == V_MIDDLE)
        dst.y = box.y + (box.h - e->h) / 2;
    else if (lay.valign == V_BOTTOM)
        dst.y = box.y + box.h - e->h;
    if (!e->flag) {
        SDL_RenderSetClipRect(t->renderer, &box);
        SDL_RenderCopy(t->renderer, e->tex, NULL, &dst);
        SDL_RenderSetClipRect(t->renderer, NULL);
    } else {
        SDL_RenderCopy(t->renderer, e->tex, NULL, &dst);
    }
    if (drawn)
        SDL_IntersectRect(&dst, &box, drawn);
    return e->flag;
}

void text_stats(const Text *t, unsigned *entries, unsigned long *hits, unsigned long *misses)
{
    texcache_stats(t->cache, entries, hits, misses);
}
