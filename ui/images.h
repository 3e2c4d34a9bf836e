/* images.h: product pictures for screens, loaded without ever blocking the UI thread.
 * A loader thread owns its own Store on the kiosk's database and the on-disk cache
 * (firmware/imagecache.h) beside it; it looks a URL up on disk, else fetches it through an
 * injected function (images_fetch_central in the kiosk, a file server in tests), decodes the
 * PNG into an SDL_Surface and hands it over. The UI thread asks with images_get every frame:
 * it gets a texture (made from the surface on the UI thread the first time) or NULL and a
 * queued request, and draws a placeholder meanwhile (images_draw). Requests are deduplicated
 * and the newest are loaded first (they are what is on screen now). Textures are kept in an
 * LRU bounded by count and bytes; a failed URL is not asked for again for a while.
 * Ownership: the Images owns its thread, queue, surfaces and textures; strings passed in are
 * copied. images_create, images_get, images_draw, images_fading, images_stats and
 * images_destroy are for the UI thread only; the config's callbacks run on the loader. */
#ifndef KIOSK_IMAGES_H
#define KIOSK_IMAGES_H

#include <SDL2/SDL.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "imagecache.h"
#include "kerr.h"
#include "ui.h"

#define IMAGES_URL_MAX           IMAGECACHE_URL_MAX /* longer URLs are never loaded */
#define IMAGES_PATH_MAX          512                /* the store file's path */
#define IMAGES_QUEUE_MAX         32  /* requests waiting for the loader; the oldest is dropped */
#define IMAGES_READY_MAX         8   /* decoded images waiting for the UI thread */
#define IMAGES_SLOTS_MAX         192 /* URLs the UI side keeps state for */
#define IMAGES_TEX_COUNT_DEFAULT 96  /* textures (and surfaces) kept */
#define IMAGES_TEX_BYTES_DEFAULT (48 * 1024 * 1024) /* their pixels, 4 bytes each */
#define IMAGES_DIM_MAX           2048  /* widest or tallest image decoded; larger is refused */
#define IMAGES_RETRY_MS_DEFAULT  30000 /* a failed URL is not asked for again before this */
#define IMAGES_FADE_MS           150   /* fade-in from the moment a texture is made */

_Static_assert(IMAGES_SLOTS_MAX > IMAGES_TEX_COUNT_DEFAULT + IMAGES_QUEUE_MAX + IMAGES_READY_MAX,
               "a slot is always free or evictable");

/* Fetches url (as the catalog gives it). On KIOSK_OK, *data is a malloc'd buffer the
 * Images frees and *len its size (1..IMAGECACHE_FILE_MAX); on any error nothing is
 * allocated. Called on the loader thread, one call at a time; it may block (bounded by its
 * own timeouts: images_destroy waits for a call in progress). */
typedef KioskErr (*ImagesFetchFn)(void *ctx, const char *url, unsigned char **data, size_t *len);

typedef struct ImagesConfig {
    /* The kiosk's SQLite file (kiosk.db); the images go in IMAGECACHE_DIR_NAME beside it. The
     * loader opens its own Store on it. NULL: no disk cache, every miss is fetched. If the
     * store or the folder cannot be opened, the loader logs it and works without them. */
    const char *store_path;
    int64_t disk_cap_bytes; /* 0: IMAGECACHE_CAP_DEFAULT */
    unsigned tex_max;       /* 0: IMAGES_TEX_COUNT_DEFAULT (at most the default) */
    size_t tex_bytes_max;   /* 0: IMAGES_TEX_BYTES_DEFAULT */
    uint32_t retry_ms;      /* 0: IMAGES_RETRY_MS_DEFAULT */
    ImagesFetchFn fetch;    /* required */
    void *fetch_ctx;
    /* Called on the loader thread each time a decoded image is ready, so that the owner can
     * wake the UI loop (post an event) to draw again. Must be quick and thread-safe. */
    void (*wake)(void *ctx);
    void *wake_ctx;
} ImagesConfig;

typedef struct ImagesStats {
    unsigned long requests;  /* requests queued by images_get */
    unsigned long dropped;   /* queued requests dropped for newer ones */
    unsigned long disk_hits; /* loaded from the disk cache */
    unsigned long fetched;   /* fetched and decoded */
    unsigned long failed;    /* fetch or decode failures */
    unsigned textures;       /* textures and decoded surfaces held */
    size_t bytes;            /* their pixels */
} ImagesStats;

typedef struct Images Images;

/* Copies cfg and starts the loader, which opens the store and the cache itself (no disk
 * work here). NULL with *err: KIOSK_E_INVALID (no fetch), KIOSK_E_TOOBIG (path too long),
 * KIOSK_E_NOMEM, KIOSK_E_IO (no thread). */
Images *images_create(const ImagesConfig *cfg, KioskErr *err);
/* Stops the loader (waiting for a fetch in progress), then frees every surface and texture:
 * call it before the renderer is destroyed, and before whatever the fetch uses (the
 * central client). NULL is a no-op. */
void images_destroy(Images *im);

/* The texture for url if it is loaded, borrowed until the next images_get (it may be
 * evicted then); *alpha (optional) is its fade-in, 0..1 over IMAGES_FADE_MS from when it
 * was made. Otherwise NULL (*alpha 0), having queued a request if none is pending and the
 * URL has not failed within retry_ms. url NULL, "" or over IMAGES_URL_MAX is never loaded
 * (such a call still takes in what the loader finished). r must be the same renderer every
 * call. now_ms is the UI's monotonic clock. */
SDL_Texture *images_get(Images *im, SDL_Renderer *r, const char *url, uint64_t now_ms,
                        float *alpha);

/* True while a texture made at most IMAGES_FADE_MS ago is still fading in: draw again. */
bool images_fading(const Images *im, uint64_t now_ms);

void images_stats(Images *im, ImagesStats *out);

/* Draws url in r: a calm placeholder (a rounded rect in the theme's surface colour with a
 * faint icon) until the image is loaded, then the image letterboxed into r (aspect kept)
 * fading in over it. im NULL draws the placeholder. */
void images_draw(Images *im, Ui *ui, const char *url, SDL_Rect r, uint64_t now_ms);

/* An ImagesFetchFn over the central client: ctx is a CentralClient * (borrowed; it must
 * outlive the Images). url is the catalog's relative path ("/v1/images/V00001.png").
 * Blocks the loader thread in central_call. KIOSK_E_NOTFOUND (404 and other refusals),
 * KIOSK_E_IO (offline, TLS, 5xx), KIOSK_E_TIMEOUT, KIOSK_E_INVALID (a bad path or reply),
 * KIOSK_E_STATE (cancelled), KIOSK_E_NOMEM. */
KioskErr images_fetch_central(void *ctx, const char *url, unsigned char **data, size_t *len);

#endif
