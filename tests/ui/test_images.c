/* test_images.c: the image loader (ui/images.c) with SDL's software renderer on a surface
 * (no display), a real SQLite store and disk cache in a temp dir, and a test fetch function
 * that serves PNG files this test generates (test_fetch_files). Checks loading with the
 * fade-in, the wake callback, deduplication and newest-first order, a failing fetch that is
 * not retried at once, the texture LRU, a cache hit from a second Images with no fetch, the
 * placeholder and letterboxing of images_draw, and, against the real tools/central over
 * HTTPS (tests/client/client_harness.c), /v1/images/V00001.png fetched through the central
 * client and the cache, decoded to 256x256. Each case is its own CTest entry. */
#include <SDL2/SDL.h>
#include <SDL2/SDL_image.h>
#include <curl/curl.h>
#include <dirent.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_filter.h"

#include "client_harness.h"
#include "config.h"
#include "images.h"
#include "ui.h"

#define WAIT_MS   5000
#define CALLS_MAX 64

/* The test fetch: serves dir/NAME.png for "test:/NAME", KIOSK_E_NOTFOUND for a missing one.
 * A closed gate holds every call until it opens; every call is logged in order. */
typedef struct TestFiles {
    char dir[128];
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool gate_closed;
    int in_fetch; /* calls waiting at the gate */
    int calls;
    char log[CALLS_MAX][64];
    atomic_int wakes;
} TestFiles;

static KioskErr test_fetch_files(void *ctx, const char *url, unsigned char **data, size_t *len)
{
    TestFiles *tf = ctx;
    char path[256];
    KioskErr err = KIOSK_E_NOTFOUND;

    pthread_mutex_lock(&tf->lock);
    if (tf->calls < CALLS_MAX)
        snprintf(tf->log[tf->calls], sizeof tf->log[0], "%s", url);
    tf->calls++;
    tf->in_fetch++;
    pthread_cond_broadcast(&tf->cond);
    while (tf->gate_closed)
        pthread_cond_wait(&tf->cond, &tf->lock);
    tf->in_fetch--;
    pthread_mutex_unlock(&tf->lock);

    if (strncmp(url, "test:/", 6) != 0)
        return KIOSK_E_INVALID;
    snprintf(path, sizeof path, "%s/%s.png", tf->dir, url + 6);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return KIOSK_E_NOTFOUND;
    unsigned char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, 1 << 20, fp) : 0;
    fclose(fp);
    if (n == 0) {
        free(buf);
        return KIOSK_E_IO;
    }
    *data = buf;
    *len = n;
    err = KIOSK_OK;
    return err;
}

static void test_wake(void *ctx)
{
    atomic_fetch_add(&((TestFiles *)ctx)->wakes, 1);
}

static int calls(TestFiles *tf)
{
    pthread_mutex_lock(&tf->lock);
    int n = tf->calls;
    pthread_mutex_unlock(&tf->lock);
    return n;
}

static void gate(TestFiles *tf, bool closed)
{
    pthread_mutex_lock(&tf->lock);
    tf->gate_closed = closed;
    pthread_cond_broadcast(&tf->cond);
    pthread_mutex_unlock(&tf->lock);
}

/* Waits until n calls are held at the gate. */
static void wait_at_gate(TestFiles *tf, int n)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += WAIT_MS / 1000;
    pthread_mutex_lock(&tf->lock);
    while (tf->in_fetch < n) {
        if (pthread_cond_timedwait(&tf->cond, &tf->lock, &until) != 0) {
            pthread_mutex_unlock(&tf->lock);
            fail_msg("no fetch reached the gate");
        }
    }
    pthread_mutex_unlock(&tf->lock);
}

typedef struct Fixture {
    char dir[64];
    char db[128];
    TestFiles files;
    SDL_Surface *target;
    SDL_Renderer *renderer;
    Images *im;
} Fixture;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* A w x h PNG of one colour with a 1-pixel black frame, saved as dir/name.png. */
static void make_png(const char *dir, const char *name, int w, int h, Uint32 rgb)
{
    char path[256];
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_non_null(s);
    SDL_FillRect(s, NULL, 0xFF000000);
    SDL_Rect in = {1, 1, w - 2, h - 2};
    SDL_FillRect(s, &in, 0xFF000000 | rgb);
    snprintf(path, sizeof path, "%s/%s.png", dir, name);
    assert_int_equal(IMG_SavePNG(s, path), 0);
    SDL_FreeSurface(s);
}

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test-images-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/%s", f->dir, STORE_FILE_NAME);
    snprintf(f->files.dir, sizeof f->files.dir, "%s/served", f->dir);
    assert_int_equal(mkdir(f->files.dir, 0700), 0);
    pthread_mutex_init(&f->files.lock, NULL);
    pthread_cond_init(&f->files.cond, NULL);
    make_png(f->files.dir, "red", 200, 100, 0xE03020);
    make_png(f->files.dir, "blue", 64, 64, 0x2040E0);
    for (int i = 0; i < 8; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%d", i);
        make_png(f->files.dir, name, 32, 32, 0x101010u * (unsigned)(i + 1));
    }
    /* Not a PNG at all. */
    char path[256];
    snprintf(path, sizeof path, "%s/broken.png", f->files.dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("<html>not an image</html>", fp);
    fclose(fp);

    f->target = SDL_CreateRGBSurfaceWithFormat(0, 640, 480, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_non_null(f->target);
    f->renderer = SDL_CreateSoftwareRenderer(f->target);
    assert_non_null(f->renderer);
    *state = f;
    return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int teardown(void **state)
{
    Fixture *f = *state;
    gate(&f->files, false);
    images_destroy(f->im);
    SDL_DestroyRenderer(f->renderer);
    SDL_FreeSurface(f->target);
    pthread_cond_destroy(&f->files.cond);
    pthread_mutex_destroy(&f->files.lock);
    nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static ImagesConfig config(Fixture *f)
{
    ImagesConfig cfg = {
        .store_path = f->db,
        .fetch = test_fetch_files,
        .fetch_ctx = &f->files,
        .wake = test_wake,
        .wake_ctx = &f->files,
        .retry_ms = 2000,
    };
    return cfg;
}

static Images *start(Fixture *f, const ImagesConfig *cfg)
{
    KioskErr err = KIOSK_E_IO;
    Images *im = images_create(cfg, &err);
    assert_int_equal(err, KIOSK_OK);
    assert_non_null(im);
    return im;
}

/* Asks every few ms until the texture is there. */
static SDL_Texture *wait_texture(Images *im, SDL_Renderer *r, const char *url, float *alpha)
{
    uint64_t until = now_ms() + WAIT_MS;
    while (now_ms() < until) {
        SDL_Texture *t = images_get(im, r, url, now_ms(), alpha);
        if (t)
            return t;
        sleep_ms(2);
    }
    fail_msg("no texture for %s within %d ms", url, WAIT_MS);
    return NULL;
}

/* Takes in results as a frame would (the loader holds at most IMAGES_READY_MAX). */
static void wait_failed(Images *im, SDL_Renderer *r, unsigned long n)
{
    ImagesStats st;
    uint64_t until = now_ms() + WAIT_MS;
    do {
        (void)images_get(im, r, NULL, now_ms(), NULL);
        images_stats(im, &st);
        if (st.failed >= n)
            return;
        sleep_ms(2);
    } while (now_ms() < until);
    fail_msg("the loader did not report %lu failures", n);
}

static void texture_size(SDL_Texture *t, int w, int h)
{
    int tw = 0, th = 0;
    assert_int_equal(SDL_QueryTexture(t, NULL, NULL, &tw, &th), 0);
    assert_int_equal(tw, w);
    assert_int_equal(th, h);
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void loads_with_wake_and_fade_in(void **state)
{
    Fixture *f = *state;
    ImagesConfig cfg = config(f);
    f->im = start(f, &cfg);
    float alpha = -1;

    assert_null(images_get(f->im, f->renderer, "test:/red", now_ms(), &alpha));
    assert_true(alpha == 0.0f);
    /* The loader wakes the owner once the image is decoded; the next frame then has it. */
    uint64_t until = now_ms() + WAIT_MS;
    while (atomic_load(&f->files.wakes) == 0 && now_ms() < until)
        sleep_ms(2);
    assert_int_equal(atomic_load(&f->files.wakes), 1);
    uint64_t t0 = now_ms();
    SDL_Texture *t = images_get(f->im, f->renderer, "test:/red", t0, &alpha);
    assert_non_null(t);
    texture_size(t, 200, 100);
    assert_true(alpha == 0.0f);
    assert_true(images_fading(f->im, t0));
    assert_ptr_equal(images_get(f->im, f->renderer, "test:/red", t0 + IMAGES_FADE_MS / 2, &alpha),
                     t);
    assert_true(alpha > 0.4f && alpha < 0.6f);
    assert_ptr_equal(images_get(f->im, f->renderer, "test:/red", t0 + IMAGES_FADE_MS, &alpha), t);
    assert_true(alpha == 1.0f);
    assert_false(images_fading(f->im, t0 + IMAGES_FADE_MS));
    assert_int_equal(calls(&f->files), 1);

    ImagesStats st;
    images_stats(f->im, &st);
    assert_int_equal(st.requests, 1);
    assert_int_equal(st.fetched, 1);
    assert_int_equal(st.disk_hits, 0);
    assert_int_equal(st.textures, 1);
    assert_int_equal(st.bytes, 200 * 100 * 4);

    /* Cached on disk beside the store, under a hashed name. */
    char images_dir[256];
    snprintf(images_dir, sizeof images_dir, "%s/%s", f->dir, IMAGECACHE_DIR_NAME);
    assert_int_equal(count_files(images_dir), 1);

    /* Bad URLs are placeholders, never requests. */
    assert_null(images_get(f->im, f->renderer, "", now_ms(), &alpha));
    assert_null(images_get(f->im, f->renderer, NULL, now_ms(), NULL));
    char long_url[IMAGES_URL_MAX + 8];
    memset(long_url, 'x', sizeof long_url - 1);
    long_url[sizeof long_url - 1] = '\0';
    assert_null(images_get(f->im, f->renderer, long_url, now_ms(), &alpha));
    images_stats(f->im, &st);
    assert_int_equal(st.requests, 1);
}

static void requests_are_deduplicated_newest_first(void **state)
{
    Fixture *f = *state;
    ImagesConfig cfg = config(f);
    f->im = start(f, &cfg);

    /* The loader takes n0 and is held in the fetch; then three more are asked for, each
     * many times over, as a screen does every frame. */
    gate(&f->files, true);
    assert_null(images_get(f->im, f->renderer, "test:/n0", now_ms(), NULL));
    wait_at_gate(&f->files, 1);
    for (int frame = 0; frame < 20; frame++) {
        assert_null(images_get(f->im, f->renderer, "test:/n1", now_ms(), NULL));
        assert_null(images_get(f->im, f->renderer, "test:/n2", now_ms(), NULL));
        assert_null(images_get(f->im, f->renderer, "test:/n3", now_ms(), NULL));
        assert_null(images_get(f->im, f->renderer, "test:/n0", now_ms(), NULL));
    }
    gate(&f->files, false);
    for (int i = 0; i < 4; i++) {
        char url[16];
        snprintf(url, sizeof url, "test:/n%d", i);
        wait_texture(f->im, f->renderer, url, NULL);
    }
    assert_int_equal(calls(&f->files), 4);
    /* Newest first: n3 was asked for last (in the first frame), then n2, then n1. */
    assert_string_equal(f->files.log[0], "test:/n0");
    assert_string_equal(f->files.log[1], "test:/n3");
    assert_string_equal(f->files.log[2], "test:/n2");
    assert_string_equal(f->files.log[3], "test:/n1");
    ImagesStats st;
    images_stats(f->im, &st);
    assert_int_equal(st.requests, 4);
}

static void full_queue_drops_the_oldest_request(void **state)
{
    Fixture *f = *state;
    ImagesConfig cfg = config(f);
    f->im = start(f, &cfg);
    char url[32];

    gate(&f->files, true);
    assert_null(images_get(f->im, f->renderer, "test:/n0", now_ms(), NULL));
    wait_at_gate(&f->files, 1);
    for (int i = 0; i < IMAGES_QUEUE_MAX + 3; i++) {
        snprintf(url, sizeof url, "test:/q%d", i);
        assert_null(images_get(f->im, f->renderer, url, now_ms(), NULL));
    }
    ImagesStats st;
    images_stats(f->im, &st);
    assert_int_equal(st.dropped, 3);
    /* A dropped request is asked for again when it is drawn again (it became newest). */
    assert_null(images_get(f->im, f->renderer, "test:/q0", now_ms(), NULL));
    images_stats(f->im, &st);
    assert_int_equal(st.requests, 1 + IMAGES_QUEUE_MAX + 3 + 1);
    assert_int_equal(st.dropped, 4); /* q3, the oldest still queued, made room */
    gate(&f->files, false);
    wait_failed(f->im, f->renderer, IMAGES_QUEUE_MAX); /* q* are not served */
    assert_string_equal(f->files.log[1], "test:/q0");
    assert_int_equal(calls(&f->files), 1 + IMAGES_QUEUE_MAX);
}

static void failed_fetch_is_not_retried_at_once(void **state)
{
    Fixture *f = *state;
    ImagesConfig cfg = config(f);
    f->im = start(f, &cfg);
    float alpha = -1;

    uint64_t t0 = now_ms();
    assert_null(images_get(f->im, f->renderer, "test:/missing", t0, &alpha));
    assert_null(images_get(f->im, f->renderer, "test:/broken", t0, &alpha));
    wait_failed(f->im, f->renderer, 2);
    assert_int_equal(calls(&f->files), 2);
    assert_int_equal(atomic_load(&f->files.wakes), 0); /* nothing new to draw */

    /* Frame after frame within retry_ms: still the placeholder, and no new fetch. */
    uint64_t t1 = now_ms();
    for (int frame = 0; frame < 50; frame++) {
        assert_null(images_get(f->im, f->renderer, "test:/missing", t1 + frame * 16, &alpha));
        assert_true(alpha == 0.0f);
        assert_null(images_get(f->im, f->renderer, "test:/broken", t1 + frame * 16, NULL));
    }
    sleep_ms(50);
    assert_int_equal(calls(&f->files), 2);

    /* A bad file is never cached. */
    char images_dir[256];
    snprintf(images_dir, sizeof images_dir, "%s/%s", f->dir, IMAGECACHE_DIR_NAME);
    assert_int_equal(count_files(images_dir), 0);

    /* After retry_ms it is asked for once more; now it is there. */
    make_png(f->files.dir, "missing", 40, 20, 0x30A030);
    assert_null(images_get(f->im, f->renderer, "test:/missing", t1 + cfg.retry_ms + 1, NULL));
    SDL_Texture *t = wait_texture(f->im, f->renderer, "test:/missing", NULL);
    texture_size(t, 40, 20);
    assert_int_equal(calls(&f->files), 3);
}

static void second_instance_hits_the_disk_cache(void **state)
{
    Fixture *f = *state;
    ImagesConfig cfg = config(f);
    f->im = start(f, &cfg);
    wait_texture(f->im, f->renderer, "test:/blue", NULL);
    wait_texture(f->im, f->renderer, "test:/red", NULL);
    assert_int_equal(calls(&f->files), 2);
    images_destroy(f->im);
    f->im = NULL;

    /* A restart: a new Images on the same store, with its own fetch counter at 0. */
    pthread_mutex_lock(&f->files.lock);
    f->files.calls = 0;
    pthread_mutex_unlock(&f->files.lock);
    f->im = start(f, &cfg);
    SDL_Texture *t = wait_texture(f->im, f->renderer, "test:/blue", NULL);
    texture_size(t, 64, 64);
    t = wait_texture(f->im, f->renderer, "test:/red", NULL);
    texture_size(t, 200, 100);
    assert_int_equal(calls(&f->files), 0);
    ImagesStats st;
    images_stats(f->im, &st);
    assert_int_equal(st.disk_hits, 2);
    assert_int_equal(st.fetched, 0);
}

static void texture_lru_keeps_to_its_cap(void **state)
{
    Fixture *f = *state;
    ImagesConfig cfg = config(f);
    cfg.tex_max = 3;
    f->im = start(f, &cfg);
    char url[16];
    ImagesStats st;

    for (int i = 0; i < 6; i++) {
        snprintf(url, sizeof url, "test:/n%d", i);
        wait_texture(f->im, f->renderer, url, NULL);
        images_stats(f->im, &st);
        assert_true(st.textures <= 3);
    }
    assert_int_equal(st.textures, 3);
    assert_int_equal(st.bytes, 3 * 32 * 32 * 4);
    /* n5 is held; n0, the least recently used, was let go and comes back from disk. */
    assert_non_null(images_get(f->im, f->renderer, "test:/n5", now_ms(), NULL));
    assert_null(images_get(f->im, f->renderer, "test:/n0", now_ms(), NULL));
    wait_texture(f->im, f->renderer, "test:/n0", NULL);
    images_stats(f->im, &st);
    assert_int_equal(st.disk_hits, 1);
    assert_int_equal(calls(&f->files), 6);

    /* A byte cap too: two 32x32 images fit in 9000 bytes, not three. */
    images_destroy(f->im);
    cfg.tex_max = 0;
    cfg.tex_bytes_max = 9000;
    f->im = start(f, &cfg);
    for (int i = 0; i < 4; i++) {
        snprintf(url, sizeof url, "test:/n%d", i);
        wait_texture(f->im, f->renderer, url, NULL);
    }
    images_stats(f->im, &st);
    assert_int_equal(st.textures, 2);
    assert_int_equal(st.bytes, 2 * 32 * 32 * 4);
}

static Uint32 pixel(SDL_Surface *s, int x, int y)
{
    return ((Uint32 *)((Uint8 *)s->pixels + y * s->pitch))[x] & 0xFFFFFF;
}

static void draw_shows_placeholder_then_letterboxed_image(void **state)
{
    Fixture *f = *state;
    ImagesConfig cfg = config(f);
    f->im = start(f, &cfg);
    KioskConfig kc;
    config_defaults(&kc);
    KioskErr err = KIOSK_E_IO;
    Ui *ui = ui_create(f->renderer, 640, 480, &kc, KIOSK_TEST_ASSETS_DIR, &err);
    assert_non_null(ui);
    SDL_Color s = ui->theme.surface;
    Uint32 surface = (Uint32)s.r << 16 | (Uint32)s.g << 8 | s.b;
    SDL_Rect box = {100, 100, 300, 300};

    /* Before the image: the placeholder's surface colour fills the box (the icon sits in
     * the middle, faint). */
    SDL_SetRenderDrawColor(f->renderer, 0, 0, 0, 255);
    SDL_RenderClear(f->renderer);
    images_draw(f->im, ui, "test:/red", box, now_ms());
    assert_int_equal(pixel(f->target, 110, 250), surface);
    assert_int_equal(pixel(f->target, 50, 50), 0); /* outside: untouched */

    /* A failed URL stays a placeholder; so does NULL Images. */
    images_draw(NULL, ui, "test:/red", box, now_ms());
    assert_int_equal(pixel(f->target, 110, 250), surface);

    /* Once loaded and faded in: 200x100 into 300x300 is 300x150, centred (y 175..325),
     * with the surface colour above and below. */
    wait_texture(f->im, f->renderer, "test:/red", NULL);
    uint64_t later = now_ms() + IMAGES_FADE_MS + 1;
    SDL_RenderClear(f->renderer);
    images_draw(f->im, ui, "test:/red", box, later);
    assert_int_equal(pixel(f->target, 250, 250), 0xE03020);
    assert_int_equal(pixel(f->target, 110, 250), 0xE03020); /* full width */
    assert_int_equal(pixel(f->target, 250, 160), surface);  /* letterbox above */
    assert_int_equal(pixel(f->target, 250, 340), surface);  /* and below */
    assert_int_equal(pixel(f->target, 250, 176), 0x000000); /* the image's own frame */
    ui_destroy(ui);
}

/* Against the real central service: the kiosk's fetch (images_fetch_central) through the
 * central client, cached on disk, decoded to the API's 256x256. */
static void central_image_through_the_cache(void **state)
{
    Fixture *f = *state;
    CentralProc cp;
    Replies replies;
    KioskErr err = KIOSK_E_IO;

    if (ch_central_start(&cp) != 0)
        fail_msg("central did not start");
    replies_init(&replies);
    CentralConfig cc = ch_config(cp.base, cp.ca);
    CentralClient *client = central_create(&cc, ch_on_reply, &replies, &err);
    assert_non_null(client);

    ImagesConfig cfg = config(f);
    cfg.fetch = images_fetch_central;
    cfg.fetch_ctx = client;
    f->im = start(f, &cfg);
    SDL_Texture *t = wait_texture(f->im, f->renderer, "/v1/images/V00001.png", NULL);
    texture_size(t, 256, 256);
    assert_null(images_get(f->im, f->renderer, "/v1/images/NOPE999.png", now_ms(), NULL));
    assert_null(images_get(f->im, f->renderer, "/v1/../etc/passwd", now_ms(), NULL));
    wait_failed(f->im, f->renderer, 2);
    ImagesStats st;
    images_stats(f->im, &st);
    assert_int_equal(st.fetched, 1);
    images_destroy(f->im);
    f->im = NULL;

    /* The service goes away; the picture is still there, from the disk. */
    central_destroy(client);
    ch_central_stop(&cp);
    replies_deinit(&replies);
    cfg.fetch = test_fetch_files; /* serves nothing under these URLs */
    cfg.fetch_ctx = &f->files;
    f->im = start(f, &cfg);
    t = wait_texture(f->im, f->renderer, "/v1/images/V00001.png", NULL);
    texture_size(t, 256, 256);
    assert_int_equal(calls(&f->files), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(loads_with_wake_and_fade_in, setup, teardown),
        cmocka_unit_test_setup_teardown(requests_are_deduplicated_newest_first, setup, teardown),
        cmocka_unit_test_setup_teardown(full_queue_drops_the_oldest_request, setup, teardown),
        cmocka_unit_test_setup_teardown(failed_fetch_is_not_retried_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(second_instance_hits_the_disk_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(texture_lru_keeps_to_its_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(draw_shows_placeholder_then_letterboxed_image, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(central_image_through_the_cache, setup, teardown),
    };
    TEST_FILTER(argc, argv, tests);
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    if (SDL_Init(0) != 0 || IMG_Init(IMG_INIT_PNG) == 0) {
        fprintf(stderr, "SDL: %s\n", SDL_GetError());
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    IMG_Quit();
    SDL_Quit();
    return rc;
}
