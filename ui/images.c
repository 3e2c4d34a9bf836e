/* images.c: see images.h. Two sides share a mutex: the UI thread pushes URLs onto a small
 * stack (newest on top) and takes decoded surfaces from the ready list; the loader pops the
 * newest URL, loads it (disk cache, else fetch), decodes it and puts the result on the ready
 * list. Everything else (the slot table: one slot per URL with its state, texture and LRU
 * stamp) belongs to the UI thread alone and needs no lock. */
#include "images.h"

#include <SDL2/SDL_image.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central.h"
#include "log.h"
#include "store.h"

#define MOD "images"

typedef enum SlotState {
    SLOT_EMPTY = 0,
    SLOT_PENDING, /* queued, being loaded, or on the ready list */
    SLOT_DECODED, /* a surface from the loader; the texture is made on first use */
    SLOT_READY,   /* a texture */
    SLOT_FAILED,  /* not asked for again before retry_at */
} SlotState;

typedef struct Slot {
    SlotState state;
    uint64_t hash;
    char url[IMAGES_URL_MAX + 1];
    unsigned long used; /* LRU stamp */
    SDL_Surface *surface;
    SDL_Texture *tex;
    int w, h;
    size_t bytes;
    uint64_t ready_at; /* READY: when the texture was made */
    uint64_t retry_at; /* FAILED */
} Slot;

typedef struct Loaded {
    char url[IMAGES_URL_MAX + 1];
    SDL_Surface *surface; /* NULL: failed */
} Loaded;

struct Images {
    ImagesConfig cfg; /* store_path points at store_path below */
    char store_path[IMAGES_PATH_MAX];
    pthread_t thread;

    /* Shared with the loader, under lock. */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
    char queue[IMAGES_QUEUE_MAX][IMAGES_URL_MAX + 1]; /* a stack: [count-1] is the newest */
    int queue_count;
    Loaded ready[IMAGES_READY_MAX];
    int ready_count;
    unsigned long disk_hits, fetched, failed;
    atomic_bool has_ready; /* a cheap look before taking the lock every images_get */

    /* UI thread only. */
    SDL_Renderer *renderer;
    Slot slots[IMAGES_SLOTS_MAX];
    unsigned long tick;
    unsigned held; /* slots with a surface or a texture */
    size_t bytes;
    uint64_t fade_until;
    unsigned long requests, dropped;
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

/* ---- the loader thread ---------------------------------------------------------------- */

static const unsigned char PNG_SIG[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* PNG only (the API serves image/png). The size is read from the IHDR before decoding, so
 * a small file that claims a huge picture costs nothing. Converted to ARGB8888 here so that
 * making the texture on the UI thread is a plain upload. */
static KioskErr decode(const unsigned char *data, size_t len, SDL_Surface **out)
{
    *out = NULL;
    if (len < 24 || len > IMAGECACHE_FILE_MAX || memcmp(data, PNG_SIG, 8) != 0 ||
        memcmp(data + 12, "IHDR", 4) != 0)
        return KIOSK_E_INVALID;
    uint32_t w = be32(data + 16), h = be32(data + 20);
    if (w == 0 || h == 0)
        return KIOSK_E_INVALID;
    if (w > IMAGES_DIM_MAX || h > IMAGES_DIM_MAX)
        return KIOSK_E_TOOBIG;
    SDL_RWops *rw = SDL_RWFromConstMem(data, (int)len);
    if (!rw)
        return KIOSK_E_NOMEM;
    SDL_Surface *s = IMG_LoadPNG_RW(rw);
    SDL_RWclose(rw);
    if (!s) {
        log_info(MOD, "an image did not decode: %s", SDL_GetError());
        return KIOSK_E_INVALID;
    }
    if (s->w != (int)w || s->h != (int)h) {
        SDL_FreeSurface(s);
        return KIOSK_E_INVALID;
    }
    SDL_Surface *c = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(s);
    if (!c)
        return KIOSK_E_NOMEM;
    *out = c;
    return KIOSK_OK;
}

/* The whole file, at most IMAGECACHE_FILE_MAX bytes. */
static KioskErr read_file(const char *path, unsigned char **data, size_t *len)
{
    KioskErr err = KIOSK_E_IO;
    unsigned char *buf = NULL;
    FILE *fp = fopen(path, "rbe");
    if (!fp)
        return errno == ENOENT ? KIOSK_E_NOTFOUND : KIOSK_E_IO;
    buf = malloc(IMAGECACHE_FILE_MAX + 1);
    if (!buf) {
        err = KIOSK_E_NOMEM;
        goto out;
    }
    size_t n = fread(buf, 1, IMAGECACHE_FILE_MAX + 1, fp);
    if (ferror(fp) || n == 0)
        goto out;
    if (n > IMAGECACHE_FILE_MAX) {
        err = KIOSK_E_TOOBIG;
        goto out;
    }
    *data = buf;
    *len = n;
    buf = NULL;
    err = KIOSK_OK;
out:
    free(buf);
    fclose(fp);
    return err;
}

/* The disk cache first; a cached file that does not decode is dropped and fetched again. */
static KioskErr load(Images *im, ImageCache *ic, const char *url, SDL_Surface **out,
                     bool *from_disk)
{
    unsigned char *data = NULL;
    size_t len = 0;
    char path[IMAGECACHE_PATH_MAX];
    KioskErr err;

    *from_disk = false;
    if (ic && imagecache_get(ic, url, path, sizeof path) == KIOSK_OK) {
        err = read_file(path, &data, &len);
        if (err == KIOSK_OK)
            err = decode(data, len, out);
        free(data);
        data = NULL;
        if (err == KIOSK_OK) {
            *from_disk = true;
            return KIOSK_OK;
        }
        log_warn(MOD, "a cached image is unreadable (%s): fetching it again", kerr_name(err));
        (void)imagecache_remove(ic, url);
    }
    err = im->cfg.fetch(im->cfg.fetch_ctx, url, &data, &len);
    if (err == KIOSK_OK && (!data || len == 0))
        err = KIOSK_E_INVALID;
    if (err == KIOSK_OK)
        err = decode(data, len, out);
    if (err == KIOSK_OK && ic) {
        KioskErr put = imagecache_put(ic, url, data, len);
        if (put != KIOSK_OK)
            log_warn(MOD, "an image was not cached: %s", kerr_name(put));
    }
    if (err != KIOSK_OK)
        log_info(MOD, "an image could not be loaded: %s", kerr_name(err));
    free(data);
    return err;
}

static void open_disk(Images *im, Store **store, ImageCache **ic)
{
    char dir[IMAGECACHE_PATH_MAX];
    KioskErr err;
    *store = NULL;
    *ic = NULL;
    if (!im->cfg.store_path)
        return;
    err = imagecache_dir_beside(im->store_path, dir, sizeof dir);
    if (err == KIOSK_OK)
        *store = store_open(im->store_path, &err);
    /* This connection only ever writes image metadata, which needs no fsync per commit: a
     * lost commit leaves a file no row names or a row without its file, and imagecache_open
     * tidies both. It spares a disk hit the fsync its last_used update would cost.
     * synchronous is per connection: the outbox's stays FULL. */
    if (*store &&
        sqlite3_exec(store_db(*store), "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK)
        log_warn(MOD, "could not relax synchronous on the image connection");
    if (*store)
        *ic = imagecache_open(*store, dir, im->cfg.disk_cap_bytes, &err);
    if (!*ic) {
        log_warn(MOD, "no disk cache for images (%s): every image will be fetched", kerr_name(err));
        store_close(*store);
        *store = NULL;
    }
}

static void *loader_main(void *arg)
{
    Images *im = arg;
    Store *store;
    ImageCache *ic;
    char url[IMAGES_URL_MAX + 1];

    open_disk(im, &store, &ic);
    pthread_mutex_lock(&im->lock);
    for (;;) {
        while (!im->stop && (im->queue_count == 0 || im->ready_count == IMAGES_READY_MAX))
            pthread_cond_wait(&im->cond, &im->lock);
        if (im->stop)
            break;
        memcpy(url, im->queue[--im->queue_count], sizeof url);
        pthread_mutex_unlock(&im->lock);

        SDL_Surface *s = NULL;
        bool from_disk = false;
        KioskErr err = load(im, ic, url, &s, &from_disk);

        pthread_mutex_lock(&im->lock);
        Loaded *r = &im->ready[im->ready_count++];
        memcpy(r->url, url, sizeof r->url);
        r->surface = s;
        if (err != KIOSK_OK)
            im->failed++;
        else if (from_disk)
            im->disk_hits++;
        else
            im->fetched++;
        atomic_store(&im->has_ready, true);
        if (s && im->cfg.wake) {
            /* Outside the lock: the owner's wake may take its own. */
            pthread_mutex_unlock(&im->lock);
            im->cfg.wake(im->cfg.wake_ctx);
            pthread_mutex_lock(&im->lock);
        }
    }
    pthread_mutex_unlock(&im->lock);
    imagecache_close(ic);
    store_close(store);
    return NULL;
}

/* ---- the UI side ---------------------------------------------------------------------- */

static Slot *find(Images *im, const char *url, uint64_t hash)
{
    for (int i = 0; i < IMAGES_SLOTS_MAX; i++) {
        Slot *s = &im->slots[i];
        if (s->state != SLOT_EMPTY && s->hash == hash && strcmp(s->url, url) == 0)
            return s;
    }
    return NULL;
}

static void clear_slot(Images *im, Slot *s)
{
    if (s->surface || s->tex) {
        im->held--;
        im->bytes -= s->bytes;
    }
    if (s->surface)
        SDL_FreeSurface(s->surface);
    if (s->tex)
        SDL_DestroyTexture(s->tex);
    memset(s, 0, sizeof *s);
}

/* The least recently used slot that may go (never a pending one, never keep); with
 * pixels_only, only slots holding a surface or texture. */
static Slot *lru(Images *im, const Slot *keep, bool pixels_only)
{
    Slot *best = NULL;
    for (int i = 0; i < IMAGES_SLOTS_MAX; i++) {
        Slot *s = &im->slots[i];
        if (s == keep || s->state == SLOT_EMPTY || s->state == SLOT_PENDING)
            continue;
        if (pixels_only && !s->surface && !s->tex)
            continue;
        if (!best || s->used < best->used)
            best = s;
    }
    return best;
}

static Slot *new_slot(Images *im)
{
    for (int i = 0; i < IMAGES_SLOTS_MAX; i++) {
        if (im->slots[i].state == SLOT_EMPTY)
            return &im->slots[i];
    }
    Slot *s = lru(im, NULL, false);
    if (s)
        clear_slot(im, s);
    return s; /* NULL cannot happen: see the static assert in images.h */
}

/* Makes room for `bytes` more pixels and one more held image, oldest first. An image larger
 * than the whole budget is still kept (alone). */
static void make_room(Images *im, const Slot *keep, size_t bytes)
{
    while (im->held > 0 &&
           (im->held + 1 > im->cfg.tex_max || im->bytes + bytes > im->cfg.tex_bytes_max)) {
        Slot *s = lru(im, keep, true);
        if (!s)
            break;
        clear_slot(im, s);
    }
}

/* Takes what the loader finished. */
static void drain(Images *im, uint64_t now_ms)
{
    Loaded got[IMAGES_READY_MAX];
    int n;

    if (!atomic_load(&im->has_ready))
        return;
    pthread_mutex_lock(&im->lock);
    n = im->ready_count;
    memcpy(got, im->ready, (size_t)n * sizeof got[0]);
    im->ready_count = 0;
    atomic_store(&im->has_ready, false);
    pthread_cond_signal(&im->cond); /* the loader may be waiting for room */
    pthread_mutex_unlock(&im->lock);

    for (int i = 0; i < n; i++) {
        Slot *s = find(im, got[i].url, fnv1a(got[i].url));
        if (!s || s->state != SLOT_PENDING) { /* cannot happen; do not leak */
            SDL_FreeSurface(got[i].surface);
            continue;
        }
        if (!got[i].surface) {
            s->state = SLOT_FAILED;
            s->retry_at = now_ms + im->cfg.retry_ms;
            continue;
        }
        size_t bytes = (size_t)got[i].surface->w * (size_t)got[i].surface->h * 4;
        make_room(im, s, bytes);
        s->state = SLOT_DECODED;
        s->surface = got[i].surface;
        s->w = s->surface->w;
        s->h = s->surface->h;
        s->bytes = bytes;
        im->held++;
        im->bytes += bytes;
    }
}

/* Pushes url for the loader; a full stack drops its oldest request (scrolled away, most
 * likely: if it is still on screen it is asked for again next frame). */
static void enqueue(Images *im, Slot *s)
{
    pthread_mutex_lock(&im->lock);
    if (im->queue_count == IMAGES_QUEUE_MAX) {
        Slot *old = find(im, im->queue[0], fnv1a(im->queue[0]));
        if (old)
            clear_slot(im, old);
        memmove(im->queue[0], im->queue[1], sizeof im->queue[0] * (IMAGES_QUEUE_MAX - 1));
        im->queue_count--;
        im->dropped++;
    }
    memcpy(im->queue[im->queue_count++], s->url, sizeof s->url);
    pthread_cond_signal(&im->cond);
    pthread_mutex_unlock(&im->lock);
    im->requests++;
}

static float fade(uint64_t ready_at, uint64_t now_ms)
{
    if (now_ms <= ready_at)
        return 0.0f;
    uint64_t t = now_ms - ready_at;
    return t >= IMAGES_FADE_MS ? 1.0f : (float)t / IMAGES_FADE_MS;
}

SDL_Texture *images_get(Images *im, SDL_Renderer *r, const char *url, uint64_t now_ms, float *alpha)
{
    float a = 0.0f;
    SDL_Texture *tex = NULL;

    SDL_assert(!im->renderer || im->renderer == r);
    im->renderer = r;
    drain(im, now_ms);
    if (!url || !url[0] || strnlen(url, IMAGES_URL_MAX + 1) > IMAGES_URL_MAX)
        goto out;

    uint64_t hash = fnv1a(url);
    Slot *s = find(im, url, hash);
    if (!s) {
        s = new_slot(im);
        if (!s)
            goto out;
        s->hash = hash;
        memcpy(s->url, url, strlen(url) + 1);
        s->state = SLOT_PENDING;
        enqueue(im, s);
    }
    s->used = ++im->tick;
    switch (s->state) {
    case SLOT_DECODED:
        tex = SDL_CreateTextureFromSurface(r, s->surface);
        SDL_FreeSurface(s->surface);
        s->surface = NULL;
        if (!tex) {
            log_warn(MOD, "cannot make a texture: %s", SDL_GetError());
            im->held--;
            im->bytes -= s->bytes;
            s->bytes = 0;
            s->state = SLOT_FAILED;
            s->retry_at = now_ms + im->cfg.retry_ms;
            break;
        }
        SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
        s->tex = tex;
        s->state = SLOT_READY;
        s->ready_at = now_ms;
        if (now_ms + IMAGES_FADE_MS > im->fade_until)
            im->fade_until = now_ms + IMAGES_FADE_MS;
        a = 0.0f;
        break;
    case SLOT_READY:
        tex = s->tex;
        a = fade(s->ready_at, now_ms);
        break;
    case SLOT_FAILED:
        if (now_ms >= s->retry_at) {
            s->state = SLOT_PENDING;
            enqueue(im, s);
        }
        break;
    case SLOT_PENDING:
    case SLOT_EMPTY:
        break;
    }
out:
    if (alpha)
        *alpha = a;
    return tex;
}

bool images_fading(const Images *im, uint64_t now_ms)
{
    return im && now_ms < im->fade_until;
}

void images_stats(Images *im, ImagesStats *out)
{
    pthread_mutex_lock(&im->lock);
    out->disk_hits = im->disk_hits;
    out->fetched = im->fetched;
    out->failed = im->failed;
    out->dropped = im->dropped;
    pthread_mutex_unlock(&im->lock);
    out->requests = im->requests;
    out->textures = im->held;
    out->bytes = im->bytes;
}

Images *images_create(const ImagesConfig *cfg, KioskErr *err)
{
    Images *im = NULL;
    *err = KIOSK_E_INVALID;
    if (!cfg || !cfg->fetch)
        return NULL;
    if (cfg->store_path && strlen(cfg->store_path) >= IMAGES_PATH_MAX) {
        *err = KIOSK_E_TOOBIG;
        return NULL;
    }
    im = calloc(1, sizeof *im);
    if (!im) {
        *err = KIOSK_E_NOMEM;
        return NULL;
    }
    im->cfg = *cfg;
    if (cfg->store_path) {
        snprintf(im->store_path, sizeof im->store_path, "%s", cfg->store_path);
        im->cfg.store_path = im->store_path;
    }
    if (im->cfg.tex_max == 0 || im->cfg.tex_max > IMAGES_TEX_COUNT_DEFAULT)
        im->cfg.tex_max = IMAGES_TEX_COUNT_DEFAULT;
    if (im->cfg.tex_bytes_max == 0)
        im->cfg.tex_bytes_max = IMAGES_TEX_BYTES_DEFAULT;
    if (im->cfg.retry_ms == 0)
        im->cfg.retry_ms = IMAGES_RETRY_MS_DEFAULT;
    atomic_init(&im->has_ready, false);
    pthread_mutex_init(&im->lock, NULL);
    pthread_cond_init(&im->cond, NULL);
    /* SDL_image initialises its PNG loader lazily; do it here, on the owner's thread, rather
     * than from the loader's first decode. The process's IMG_Quit (the shell's) undoes it. */
    if ((IMG_Init(IMG_INIT_PNG) & IMG_INIT_PNG) == 0)
        log_warn(MOD, "SDL_image has no PNG support: %s", IMG_GetError());
    if (pthread_create(&im->thread, NULL, loader_main, im) != 0) {
        pthread_cond_destroy(&im->cond);
        pthread_mutex_destroy(&im->lock);
        free(im);
        *err = KIOSK_E_IO;
        return NULL;
    }
    *err = KIOSK_OK;
    return im;
}

void images_destroy(Images *im)
{
    if (!im)
        return;
    pthread_mutex_lock(&im->lock);
    im->stop = true;
    pthread_cond_broadcast(&im->cond);
    pthread_mutex_unlock(&im->lock);
    pthread_join(im->thread, NULL);
    for (int i = 0; i < im->ready_count; i++)
        SDL_FreeSurface(im->ready[i].surface);
    for (int i = 0; i < IMAGES_SLOTS_MAX; i++)
        clear_slot(im, &im->slots[i]);
    pthread_cond_destroy(&im->cond);
    pthread_mutex_destroy(&im->lock);
    free(im);
}

/* ---- drawing -------------------------------------------------------------------------- */

void images_draw(Images *im, Ui *ui, const char *url, SDL_Rect r, uint64_t now_ms)
{
    float a = 0.0f;
    SDL_Texture *tex = NULL;
    int w = 0, h = 0;

    if (r.w <= 0 || r.h <= 0)
        return;
    if (im)
        tex = images_get(im, ui->renderer, url, now_ms, &a);
    if (tex && SDL_QueryTexture(tex, NULL, NULL, &w, &h) != 0)
        tex = NULL;

    int radius = SDL_min(ui->theme.radius, SDL_min(r.w, r.h) / 2);
    art_round_rect(ui->art, r, radius, ui->theme.surface, ui->theme.outline, 0);
    if (!tex || a < 1.0f) {
        int side = SDL_min(r.w, r.h) / 4;
        if (side >= 16) {
            SDL_Rect icon = {r.x + (r.w - side) / 2, r.y + (r.h - side) / 2, side, side};
            art_icon(ui->art, "tag", icon, ui->theme.outline);
        }
    }
    if (!tex || w <= 0 || h <= 0)
        return;
    /* Letterboxed: the largest size with the image's aspect that fits r, centred. */
    SDL_Rect dst;
    if ((int64_t)r.w * h <= (int64_t)r.h * w) {
        dst.w = r.w;
        dst.h = (int)((int64_t)r.w * h / w);
    } else {
        dst.h = r.h;
        dst.w = (int)((int64_t)r.h * w / h);
    }
    dst.x = r.x + (r.w - dst.w) / 2;
    dst.y = r.y + (r.h - dst.h) / 2;
    SDL_SetTextureAlphaMod(tex, (Uint8)(a * 255.0f + 0.5f));
    SDL_RenderCopy(ui->renderer, tex, NULL, &dst);
}

/* ---- the central client as the fetch -------------------------------------------------- */

static KioskErr result_err(CentralResult r)
{
    switch (r) {
    case CENTRAL_OK:
        return KIOSK_OK;
    case CENTRAL_REFUSED:
        return KIOSK_E_NOTFOUND;
    case CENTRAL_TIMEOUT:
        return KIOSK_E_TIMEOUT;
    case CENTRAL_BAD_RESPONSE:
        return KIOSK_E_INVALID;
    case CENTRAL_CANCELLED:
        return KIOSK_E_STATE;
    case CENTRAL_OFFLINE:
    case CENTRAL_TLS:
    case CENTRAL_SERVER:
        break;
    }
    return KIOSK_E_IO;
}

KioskErr images_fetch_central(void *ctx, const char *url, unsigned char **data, size_t *len)
{
    CentralClient *client = ctx;
    CentralRequest *req = NULL;
    CentralReply *reply = NULL;
    KioskErr err = KIOSK_E_INVALID;

    *data = NULL;
    *len = 0;
    if (!client || !url || strlen(url) > CENTRAL_IMAGE_URL_MAX)
        return KIOSK_E_INVALID;
    req = calloc(1, sizeof *req);
    reply = calloc(1, sizeof *reply); /* both are large */
    if (!req || !reply) {
        err = KIOSK_E_NOMEM;
        goto out;
    }
    req->kind = CENTRAL_IMAGE;
    memcpy(req->u.image.path, url, strlen(url) + 1);
    err = central_call(client, req, reply);
    if (err != KIOSK_OK)
        goto out;
    err = result_err(reply->result);
    if (err != KIOSK_OK) {
        log_info(MOD, "image fetch: %s (http %ld)", central_result_name(reply->result),
                 reply->http_status);
        goto out;
    }
    if (!reply->payload.blob.data || reply->payload.blob.len == 0) {
        err = KIOSK_E_INVALID;
        goto out;
    }
    /* The copy central_call made is malloc'd: take it over. */
    *data = reply->payload.blob.data;
    *len = reply->payload.blob.len;
    reply->payload.blob.data = NULL;
    reply->payload.blob.len = 0;
out:
    if (reply)
        central_reply_clear(reply);
    free(reply);
    free(req);
    return err;
}
