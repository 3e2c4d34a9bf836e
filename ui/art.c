/* art.c: see art.h. */
#include "art.h"

#include <SDL2/SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "texcache.h"

struct Art {
    SDL_Renderer *renderer;
    char icons_dir[512];
    TexCache *cache;
};

Art *art_create(SDL_Renderer *r, const char *icons_dir)
{
    Art *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->renderer = r;
    snprintf(a->icons_dir, sizeof a->icons_dir, "%s", icons_dir);
    a->cache = texcache_create(ART_CACHE_MAX);
    if (!a->cache) {
        free(a);
        return NULL;
    }
    return a;
}

void art_destroy(Art *a)
{
    if (!a)
        return;
    texcache_destroy(a->cache);
    free(a);
}

static SDL_Texture *rasterise(Art *a, const char *svg, int w, int h)
{
    SDL_RWops *rw = SDL_RWFromConstMem(svg, (int)strlen(svg));
    if (!rw)
        return NULL;
    SDL_Surface *s = IMG_LoadSizedSVG_RW(rw, w, h);
    SDL_RWclose(rw);
    if (!s)
        return NULL;
    SDL_Texture *t = SDL_CreateTextureFromSurface(a->renderer, s);
    SDL_FreeSurface(s);
    if (t)
        SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
    return t;
}

static TexEntry *disc(Art *a, int radius, SDL_Color fill, SDL_Color stroke, int stroke_w)
{
    char key[96];
    snprintf(key, sizeof key, "disc|%d|%02x%02x%02x%02x|%02x%02x%02x%02x|%d", radius, fill.r,
             fill.g, fill.b, fill.a, stroke.r, stroke.g, stroke.b, stroke.a, stroke_w);
    TexEntry *e = texcache_get(a->cache, key);
    if (e)
        return e;
    int d = radius * 2;
    char svg[512];
    double sw = stroke_w;
    snprintf(svg, sizeof svg,
             "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' viewBox='0 0 %d %d'>"
             "<circle cx='%d' cy='%d' r='%.1f' fill='#%02x%02x%02x' fill-opacity='%.3f'"
             " stroke='#%02x%02x%02x' stroke-opacity='%.3f' stroke-width='%.1f'/></svg>",
             d, d, d, d, radius, radius, radius - sw / 2.0, fill.r, fill.g, fill.b, fill.a / 255.0,
             stroke.r, stroke.g, stroke.b, stroke_w > 0 ? stroke.a / 255.0 : 0.0, sw);
    SDL_Texture *t = rasterise(a, svg, d, d);
    return t ? texcache_put(a->cache, key, t, d, d, true) : NULL;
}

static void fill(SDL_Renderer *r, SDL_Color c, int x, int y, int w, int h)
{
    if (w <= 0 || h <= 0)
        return;
    SDL_SetRenderDrawBlendMode(r, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
    SDL_RenderFillRect(r, &(SDL_Rect){x, y, w, h});
}

void art_round_rect(Art *a, SDL_Rect r, int radius, SDL_Color f, SDL_Color stroke, int stroke_w)
{
    if (radius * 2 > r.w)
        radius = r.w / 2;
    if (radius * 2 > r.h)
        radius = r.h / 2;
    SDL_Renderer *ren = a->renderer;
    TexEntry *e = radius > 0 ? disc(a, radius, f, stroke, stroke_w) : NULL;
    if (!e)
        radius = 0;
    /* Body: a middle column and two side columns between the corners. */
    fill(ren, f, r.x + radius, r.y, r.w - 2 * radius, r.h);
    fill(ren, f, r.x, r.y + radius, radius, r.h - 2 * radius);
    fill(ren, f, r.x + r.w - radius, r.y + radius, radius, r.h - 2 * radius);
    if (e) {
        int q = radius;
        SDL_RenderCopy(ren, e->tex, &(SDL_Rect){0, 0, q, q}, &(SDL_Rect){r.x, r.y, q, q});
        SDL_RenderCopy(ren, e->tex, &(SDL_Rect){q, 0, q, q}, &(SDL_Rect){r.x + r.w - q, r.y, q, q});
        SDL_RenderCopy(ren, e->tex, &(SDL_Rect){0, q, q, q}, &(SDL_Rect){r.x, r.y + r.h - q, q, q});
        SDL_RenderCopy(ren, e->tex, &(SDL_Rect){q, q, q, q},
                       &(SDL_Rect){r.x + r.w - q, r.y + r.h - q, q, q});
    }
    if (stroke_w > 0) {
        fill(ren, stroke, r.x + radius, r.y, r.w - 2 * radius, stroke_w);
        fill(ren, stroke, r.x + radius, r.y + r.h - stroke_w, r.w - 2 * radius, stroke_w);
        fill(ren, stroke, r.x, r.y + radius, stroke_w, r.h - 2 * radius);
        fill(ren, stroke, r.x + r.w - stroke_w, r.y + radius, stroke_w, r.h - 2 * radius);
    }
}

void art_circle(Art *a, int cx, int cy, int radius, SDL_Color f)
{
    TexEntry *e = disc(a, radius, f, f, 0);
    if (e)
        SDL_RenderCopy(a->renderer, e->tex, NULL,
                       &(SDL_Rect){cx - radius, cy - radius, 2 * radius, 2 * radius});
}

/* Reads an icon file and puts the colour in for currentColor. Caller frees. */
static char *load_icon(const Art *a, const char *name, SDL_Color c)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s.svg", a->icons_dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        log_warn("art", "icon %s missing at %s", name, path);
        return NULL;
    }
    char *src = malloc(ART_SVG_MAX + 1);
    size_t n = src ? fread(src, 1, ART_SVG_MAX, f) : 0;
    fclose(f);
    if (!src)
        return NULL;
    src[n] = '\0';
    char hex[8];
    snprintf(hex, sizeof hex, "#%02x%02x%02x", c.r, c.g, c.b);
    /* Every "currentColor" (12 chars) becomes a 7-char colour: the result is never longer. */
    char *out = malloc(n + 1);
    if (!out) {
        free(src);
        return NULL;
    }
    char *o = out;
    for (const char *p = src; *p;) {
        if (strncmp(p, "currentColor", 12) == 0) {
            memcpy(o, hex, 7);
            o += 7;
            p += 12;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    free(src);
    return out;
}

bool art_icon(Art *a, const char *name, SDL_Rect r, SDL_Color color)
{
    int side = r.w < r.h ? r.w : r.h;
    char key[160];
    snprintf(key, sizeof key, "icon|%s|%d|%02x%02x%02x", name, side, color.r, color.g, color.b);
    TexEntry *e = texcache_get(a->cache, key);
    if (!e) {
        char *svg = load_icon(a, name, color);
        if (!svg)
            return false;
        SDL_Texture *t = rasterise(a, svg, side, side);
        free(svg);
        if (!t)
            return false;
        e = texcache_put(a->cache, key, t, side, side, true);
        if (!e)
            return false;
    }
    if (color.a != 255)
        SDL_SetTextureAlphaMod(e->tex, color.a);
    SDL_RenderCopy(a->renderer, e->tex, NULL,
                   &(SDL_Rect){r.x + (r.w - side) / 2, r.y + (r.h - side) / 2, side, side});
    if (color.a != 255)
        SDL_SetTextureAlphaMod(e->tex, 255);
    return true;
}
