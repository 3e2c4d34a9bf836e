/* test_imagecache.c: the on-disk image cache on a real SQLite store and a real folder in a
 * temp dir: put and get, least-recently-used eviction under the cap with an injected clock,
 * a deleted file read as a miss, file names that owe nothing to the URL's text, failed puts
 * (the folder gone, a write cut short by RLIMIT_FSIZE) that leave nothing behind, and the
 * tidy-up at open after a crash. */
#include <dirent.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_filter.h"

#include "imagecache.h"
#include "store.h"

typedef struct Fixture {
    char dir[64];
    char db[128];
    char images[128];
    Store *store;
    int64_t now; /* the injected clock, seconds */
} Fixture;

static int64_t fixture_clock(void *ctx)
{
    return ((Fixture *)ctx)->now;
}

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test-imagecache-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/%s", f->dir, STORE_FILE_NAME);
    assert_int_equal(imagecache_dir_beside(f->db, f->images, sizeof f->images), KIOSK_OK);
    KioskErr err = KIOSK_E_IO;
    f->store = store_open(f->db, &err);
    assert_non_null(f->store);
    f->now = 1000;
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
    store_close(f->store);
    chmod(f->images, 0700);
    nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static ImageCache *open_cache(Fixture *f, int64_t cap)
{
    KioskErr err = KIOSK_E_IO;
    ImageCache *ic = imagecache_open(f->store, f->images, cap, &err);
    assert_int_equal(err, KIOSK_OK);
    assert_non_null(ic);
    imagecache_set_clock(ic, fixture_clock, f);
    return ic;
}

static void fill(unsigned char *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)(seed * 31 + i * 7);
}

static void put_n(ImageCache *ic, const char *url, size_t len, unsigned seed)
{
    unsigned char *buf = malloc(len);
    assert_non_null(buf);
    fill(buf, len, seed);
    assert_int_equal(imagecache_put(ic, url, buf, len), KIOSK_OK);
    free(buf);
}

static bool hit(ImageCache *ic, const char *url)
{
    char path[IMAGECACHE_PATH_MAX];
    KioskErr err = imagecache_get(ic, url, path, sizeof path);
    if (err != KIOSK_OK && err != KIOSK_E_NOTFOUND)
        fail_msg("get: %s", kerr_name(err));
    return err == KIOSK_OK;
}

/* The file's bytes equal fill(len, seed). */
static void check_file(const char *path, size_t len, unsigned seed)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    unsigned char *want = malloc(len), *got = malloc(len + 1);
    assert_non_null(want);
    assert_non_null(got);
    fill(want, len, seed);
    assert_int_equal(fread(got, 1, len + 1, fp), len);
    assert_memory_equal(got, want, len);
    fclose(fp);
    free(want);
    free(got);
}

/* Entries of the image folder, "." and ".." left out; names optionally copied. */
static int list_dir(const char *dir, char names[][256], int max)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (names && n < max)
            snprintf(names[n], 256, "%s", e->d_name);
        n++;
    }
    closedir(d);
    return n;
}

static void usage_is(ImageCache *ic, int64_t bytes, int64_t entries)
{
    int64_t b = -1, e = -1;
    assert_int_equal(imagecache_usage(ic, &b, &e), KIOSK_OK);
    assert_int_equal(b, bytes);
    assert_int_equal(e, entries);
}

static void put_then_get(void **state)
{
    Fixture *f = *state;
    ImageCache *ic = open_cache(f, 0);
    char path[IMAGECACHE_PATH_MAX];

    assert_int_equal(imagecache_get(ic, "/v1/images/V00001.png", path, sizeof path),
                     KIOSK_E_NOTFOUND);
    put_n(ic, "/v1/images/V00001.png", 5000, 1);
    assert_int_equal(imagecache_get(ic, "/v1/images/V00001.png", path, sizeof path), KIOSK_OK);
    assert_int_equal(strncmp(path, f->images, strlen(f->images)), 0);
    check_file(path, 5000, 1);
    usage_is(ic, 5000, 1);

    /* A second put of the same URL replaces the bytes and keeps one entry. */
    put_n(ic, "/v1/images/V00001.png", 3000, 2);
    assert_int_equal(imagecache_get(ic, "/v1/images/V00001.png", path, sizeof path), KIOSK_OK);
    check_file(path, 3000, 2);
    usage_is(ic, 3000, 1);
    assert_int_equal(list_dir(f->images, NULL, 0), 1);

    /* Too small a buffer for the path is said, not cut. */
    char small[16];
    assert_int_equal(imagecache_get(ic, "/v1/images/V00001.png", small, sizeof small),
                     KIOSK_E_TOOBIG);

    /* Bounds and bad arguments. */
    unsigned char b = 0;
    assert_int_equal(imagecache_put(ic, "", &b, 1), KIOSK_E_INVALID);
    assert_int_equal(imagecache_put(ic, "/x", &b, 0), KIOSK_E_INVALID);
    char long_url[IMAGECACHE_URL_MAX + 2];
    memset(long_url, 'a', sizeof long_url - 1);
    long_url[sizeof long_url - 1] = '\0';
    assert_int_equal(imagecache_put(ic, long_url, &b, 1), KIOSK_E_INVALID);
    unsigned char *huge = calloc(1, IMAGECACHE_FILE_MAX + 1);
    assert_non_null(huge);
    assert_int_equal(imagecache_put(ic, "/huge", huge, IMAGECACHE_FILE_MAX + 1), KIOSK_E_TOOBIG);
    free(huge);
    assert_int_equal(list_dir(f->images, NULL, 0), 1);
    imagecache_close(ic);

    /* The entry survives closing and reopening (a restart). */
    ic = open_cache(f, 0);
    assert_true(hit(ic, "/v1/images/V00001.png"));
    imagecache_close(ic);
}

static void evicts_least_recently_used_under_cap(void **state)
{
    Fixture *f = *state;
    ImageCache *ic = open_cache(f, 3000);
    char path_b[IMAGECACHE_PATH_MAX];

    f->now = 1;
    put_n(ic, "/a", 1000, 1);
    f->now = 2;
    put_n(ic, "/b", 1000, 2);
    assert_true(hit(ic, "/b"));
    assert_int_equal(imagecache_get(ic, "/b", path_b, sizeof path_b), KIOSK_OK);
    f->now = 3;
    put_n(ic, "/c", 1000, 3);
    usage_is(ic, 3000, 3);

    /* /a was put first but used last: /b is now the least recently used. */
    f->now = 4;
    assert_true(hit(ic, "/a"));
    f->now = 5;
    put_n(ic, "/d", 1000, 4);
    usage_is(ic, 3000, 3);
    assert_false(hit(ic, "/b"));
    assert_int_equal(access(path_b, F_OK), -1); /* its file went with it */
    assert_int_equal(list_dir(f->images, NULL, 0), 3);

    /* Next in line is /c (used at 3), not /a (used at 4). */
    f->now = 6;
    put_n(ic, "/e", 1000, 5);
    assert_false(hit(ic, "/c"));
    assert_true(hit(ic, "/a"));
    assert_true(hit(ic, "/d"));
    assert_true(hit(ic, "/e"));

    /* A big one pushes out as many as it needs, oldest first, and never itself. */
    f->now = 7;
    assert_true(hit(ic, "/d"));
    assert_true(hit(ic, "/e"));
    f->now = 8;
    put_n(ic, "/big", 2500, 6);
    assert_true(hit(ic, "/big"));
    assert_false(hit(ic, "/a"));
    assert_false(hit(ic, "/d"));
    assert_false(hit(ic, "/e")); /* 2500 + 1000 > 3000 */
    usage_is(ic, 2500, 1);

    /* Bigger than the whole cap: refused, nothing evicted for it. */
    unsigned char *buf = calloc(1, 3001);
    assert_non_null(buf);
    assert_int_equal(imagecache_put(ic, "/whale", buf, 3001), KIOSK_E_TOOBIG);
    free(buf);
    assert_true(hit(ic, "/big"));
    assert_int_equal(list_dir(f->images, NULL, 0), 1);
    imagecache_close(ic);

    /* Reopening with a smaller cap evicts down to it. */
    ic = open_cache(f, 1000);
    usage_is(ic, 0, 0);
    assert_int_equal(list_dir(f->images, NULL, 0), 0);
    imagecache_close(ic);
}

static void deleted_file_is_a_miss(void **state)
{
    Fixture *f = *state;
    ImageCache *ic = open_cache(f, 0);
    char path[IMAGECACHE_PATH_MAX];

    put_n(ic, "/v1/images/P0001.png", 800, 1);
    put_n(ic, "/v1/images/P0002.png", 800, 2);
    assert_int_equal(imagecache_get(ic, "/v1/images/P0001.png", path, sizeof path), KIOSK_OK);
    assert_int_equal(unlink(path), 0);
    assert_false(hit(ic, "/v1/images/P0001.png"));
    usage_is(ic, 800, 1); /* the row went too */

    /* A file cut short (a damaged disk) is a miss as well. */
    assert_int_equal(imagecache_get(ic, "/v1/images/P0002.png", path, sizeof path), KIOSK_OK);
    assert_int_equal(truncate(path, 100), 0);
    assert_false(hit(ic, "/v1/images/P0002.png"));
    usage_is(ic, 0, 0);
    assert_int_equal(list_dir(f->images, NULL, 0), 0);

    /* And it can be put again. */
    put_n(ic, "/v1/images/P0001.png", 800, 3);
    assert_int_equal(imagecache_get(ic, "/v1/images/P0001.png", path, sizeof path), KIOSK_OK);
    check_file(path, 800, 3);

    /* remove forgets an entry and its file. */
    assert_int_equal(imagecache_remove(ic, "/v1/images/P0001.png"), KIOSK_OK);
    assert_false(hit(ic, "/v1/images/P0001.png"));
    assert_int_equal(list_dir(f->images, NULL, 0), 0);
    assert_int_equal(imagecache_remove(ic, "/v1/images/P0001.png"), KIOSK_OK);
    imagecache_close(ic);
}

static bool is_hex_name(const char *s)
{
    if (strlen(s) != IMAGECACHE_NAME_LEN)
        return false;
    for (; *s; s++) {
        if (!strchr("0123456789abcdef", *s))
            return false;
    }
    return true;
}

static void file_names_do_not_come_from_the_url(void **state)
{
    Fixture *f = *state;
    ImageCache *ic = open_cache(f, 0);
    static const char *const urls[] = {
        "/v1/images/SECRETV00001.png", "../../../../tmp/escaped-by-imagecache",
        "/v1/images/a/../../b.png",    "https://cdn.example/img?member=M123&x=1",
        "/v1/images/SECRETV00001.PNG", /* differs in case only */
    };
    const size_t n = sizeof urls / sizeof urls[0];
    char names[8][256];

    for (size_t i = 0; i < n; i++)
        put_n(ic, urls[i], 100 + i, (unsigned)i);
    assert_int_equal(list_dir(f->images, names, 8), (int)n);
    for (size_t i = 0; i < n; i++) {
        assert_true(is_hex_name(names[i]));
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(names[i], names[j]);
    }
    assert_int_equal(access("/tmp/escaped-by-imagecache", F_OK), -1);
    for (size_t i = 0; i < n; i++) {
        char path[IMAGECACHE_PATH_MAX];
        assert_int_equal(imagecache_get(ic, urls[i], path, sizeof path), KIOSK_OK);
        check_file(path, 100 + i, (unsigned)i);
        /* Directly in the folder. */
        const char *slash = strrchr(path, '/');
        assert_int_equal((size_t)(slash - path), strlen(f->images));
        assert_true(is_hex_name(slash + 1));
        assert_null(strstr(path, "SECRET"));
    }
    imagecache_close(ic);
}

static void no_temporary_files(const char *dir)
{
    char names[16][256];
    int n = list_dir(dir, names, 16);
    for (int i = 0; i < n && i < 16; i++) {
        if (!is_hex_name(names[i]))
            fail_msg("stray file '%s' in the image folder", names[i]);
    }
}

static void failed_put_leaves_nothing(void **state)
{
    Fixture *f = *state;
    ImageCache *ic = open_cache(f, 0);
    unsigned char buf[4096];
    fill(buf, sizeof buf, 9);

    put_n(ic, "/kept", 1000, 1);

    /* A write cut short (RLIMIT_FSIZE: EFBIG, the kernel's limit, root included): the
     * temporary file must go, and the earlier entries stay. */
    struct rlimit old, small = {.rlim_cur = 1024};
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small.rlim_max = old.rlim_max;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    KioskErr err = imagecache_put(ic, "/cut", buf, sizeof buf);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, prev);
    assert_int_equal(err, KIOSK_E_IO);
    assert_false(hit(ic, "/cut"));
    assert_true(hit(ic, "/kept"));
    no_temporary_files(f->images);
    assert_int_equal(list_dir(f->images, NULL, 0), 1);

    /* A folder that cannot be written. Root ignores permissions, so as root the folder is
     * replaced by a file instead (the same failure: nothing can be created in it). */
    char aside[160];
    snprintf(aside, sizeof aside, "%s/aside", f->dir);
    if (geteuid() != 0) {
        assert_int_equal(chmod(f->images, 0500), 0);
        assert_int_equal(imagecache_put(ic, "/ro", buf, sizeof buf), KIOSK_E_IO);
        assert_int_equal(chmod(f->images, 0700), 0);
    }
    assert_int_equal(rename(f->images, aside), 0);
    FILE *fp = fopen(f->images, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(imagecache_put(ic, "/ro", buf, sizeof buf), KIOSK_E_IO);
    assert_int_equal(unlink(f->images), 0);
    assert_int_equal(rename(aside, f->images), 0);
    assert_false(hit(ic, "/ro"));
    assert_true(hit(ic, "/kept"));
    no_temporary_files(f->images);
    assert_int_equal(list_dir(f->images, NULL, 0), 1);

    /* A store that cannot be written (query_only): the file written first is removed. */
    assert_int_equal(sqlite3_exec(store_db(f->store), "PRAGMA query_only=1", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(imagecache_put(ic, "/ro", buf, sizeof buf), KIOSK_E_IO);
    assert_int_equal(sqlite3_exec(store_db(f->store), "PRAGMA query_only=0", NULL, NULL, NULL),
                     SQLITE_OK);
    no_temporary_files(f->images);
    assert_int_equal(list_dir(f->images, NULL, 0), 1);
    assert_false(hit(ic, "/ro"));
    imagecache_close(ic);
}

static void open_tidies_up_after_a_crash(void **state)
{
    Fixture *f = *state;
    ImageCache *ic = open_cache(f, 0);
    char path[IMAGECACHE_PATH_MAX], stray[IMAGECACHE_PATH_MAX + 64];

    put_n(ic, "/one", 500, 1);
    put_n(ic, "/two", 500, 2);
    assert_int_equal(imagecache_get(ic, "/two", path, sizeof path), KIOSK_OK);
    imagecache_close(ic);

    /* What a crash can leave: a temporary file, a renamed file whose row never committed;
     * and what a person can: a deleted file. Someone else's file is left alone. */
    snprintf(stray, sizeof stray, "%s/.tmp-AbC123", f->images);
    FILE *fp = fopen(stray, "w");
    assert_non_null(fp);
    fputs("half", fp);
    fclose(fp);
    snprintf(stray, sizeof stray, "%s/%064d", f->images, 7);
    fp = fopen(stray, "w");
    assert_non_null(fp);
    fputs("orphan", fp);
    fclose(fp);
    snprintf(stray, sizeof stray, "%s/README", f->images);
    fp = fopen(stray, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(unlink(path), 0);

    ic = open_cache(f, 0);
    usage_is(ic, 500, 1);
    assert_true(hit(ic, "/one"));
    assert_false(hit(ic, "/two"));
    char names[8][256];
    assert_int_equal(list_dir(f->images, names, 8), 2);
    assert_true((strcmp(names[0], "README") == 0) != (strcmp(names[1], "README") == 0));
    imagecache_close(ic);
}

static void dir_beside_the_store(void **state)
{
    char out[64];
    assert_int_equal(imagecache_dir_beside("/var/lib/kiosk/kiosk.db", out, sizeof out), KIOSK_OK);
    assert_string_equal(out, "/var/lib/kiosk/images");
    assert_int_equal(imagecache_dir_beside("kiosk.db", out, sizeof out), KIOSK_OK);
    assert_string_equal(out, "images");
    assert_int_equal(
        imagecache_dir_beside("/a/very/long/path/that/does/not/fit/in/here/kiosk.db", out, 16),
        KIOSK_E_TOOBIG);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(put_then_get, setup, teardown),
        cmocka_unit_test_setup_teardown(evicts_least_recently_used_under_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(deleted_file_is_a_miss, setup, teardown),
        cmocka_unit_test_setup_teardown(file_names_do_not_come_from_the_url, setup, teardown),
        cmocka_unit_test_setup_teardown(failed_put_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(open_tidies_up_after_a_crash, setup, teardown),
        cmocka_unit_test(dir_beside_the_store),
    };
    TEST_FILTER(argc, argv, tests);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
