/* imagecache.c: see imagecache.h. The table is the truth about what is cached; the folder
 * follows it. A file is written and renamed into place before its row is committed, and a
 * row is deleted before its file, so a crash can leave only files no row names, which the
 * next open removes. Used by the thread that owns the borrowed Store. URLs are never logged
 * (they name products); file names (hashes) and sizes are. */
#include "imagecache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "fileio.h"
#include "log.h"

#define MOD "imagecache"

#define TMP_PREFIX  ".tmp-" /* temporary files: ".tmp-XXXXXX" */
#define EVICT_BATCH 64      /* rows deleted per eviction transaction */
/* The folder's name leaves room for "/" + a file name + NUL within IMAGECACHE_PATH_MAX. */
#define DIR_MAX (IMAGECACHE_PATH_MAX - IMAGECACHE_NAME_LEN - 1)

struct ImageCache {
    Store *store; /* borrowed */
    char dir[DIR_MAX];
    int64_t cap;
    ImageCacheClockFn now_s;
    void *now_ctx;
};

static int64_t wall_clock(void *ctx)
{
    (void)ctx;
    return (int64_t)time(NULL);
}

static bool url_ok(const char *url)
{
    return url && url[0] && strnlen(url, IMAGECACHE_URL_MAX + 1) <= IMAGECACHE_URL_MAX;
}

/* A file name the cache could have made: exactly IMAGECACHE_NAME_LEN lower-case hex digits.
 * Anything else read from the table is never used to build a path. */
static bool name_ok(const char *name)
{
    if (!name || strlen(name) != IMAGECACHE_NAME_LEN)
        return false;
    for (const char *p = name; *p; p++) {
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    }
    return true;
}

static void name_of(const char *url, char name[IMAGECACHE_NAME_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char h[32];
    mbedtls_sha256_ret((const unsigned char *)url, strlen(url), h, 0);
    for (int i = 0; i < 32; i++) {
        name[2 * i] = hex[h[i] >> 4];
        name[2 * i + 1] = hex[h[i] & 15];
    }
    name[IMAGECACHE_NAME_LEN] = '\0';
}

/* dir + "/" + name; fits by the length check in imagecache_open. */
static void full_path(const ImageCache *ic, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", ic->dir, name);
}

static void unlink_name(const ImageCache *ic, const char *name)
{
    char path[IMAGECACHE_PATH_MAX];
    full_path(ic, name, path, sizeof path);
    if (unlink(path) != 0 && errno != ENOENT)
        log_warn(MOD, "cannot remove %s: %s", name, strerror(errno));
}

KioskErr imagecache_dir_beside(const char *store_path, char *out, size_t size)
{
    if (!store_path || !out || size == 0)
        return KIOSK_E_INVALID;
    const char *slash = strrchr(store_path, '/');
    int n;
    if (!slash)
        n = snprintf(out, size, "%s", IMAGECACHE_DIR_NAME);
    else
        n = snprintf(out, size, "%.*s/%s", (int)(slash - store_path), store_path,
                     IMAGECACHE_DIR_NAME);
    if (n < 0 || (size_t)n >= size) {
        out[0] = '\0';
        return KIOSK_E_TOOBIG;
    }
    return KIOSK_OK;
}

/* ---- the table ------------------------------------------------------------------------ */

static KioskErr exec_text(ImageCache *ic, const char *sql, const char *text, const char *what)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(store_db(ic->store), sql, -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return store_sqlite_err(rc, what);
}

KioskErr imagecache_usage(ImageCache *ic, int64_t *bytes, int64_t *entries)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        store_db(ic->store), "SELECT coalesce(sum(bytes), 0), count(*) FROM images", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *bytes = sqlite3_column_int64(st, 0);
        *entries = sqlite3_column_int64(st, 1);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return store_sqlite_err(rc, "imagecache usage");
}

typedef struct Victims {
    char names[EVICT_BATCH][IMAGECACHE_NAME_LEN + 1];
    int count;
} Victims;

/* One transaction: deletes the rows of up to EVICT_BATCH least recently used entries (never
 * keep_url) while the cache is over its limits, and lists their files in v. *more is set
 * when it stopped at the batch size. */
static KioskErr evict_batch(ImageCache *ic, const char *keep_url, Victims *v, bool *more)
{
    sqlite3 *db = store_db(ic->store);
    sqlite3_stmt *sel = NULL, *del = NULL;
    int64_t bytes = 0, entries = 0;
    int rc = SQLITE_OK;
    KioskErr err;

    v->count = 0;
    *more = false;
    err = store_begin(ic->store);
    if (err != KIOSK_OK)
        return err;
    err = imagecache_usage(ic, &bytes, &entries);
    if (err != KIOSK_OK)
        goto out;
    if (bytes <= ic->cap && entries <= IMAGECACHE_ENTRIES_MAX)
        goto out;
    rc = sqlite3_prepare_v2(db,
                            "SELECT rowid, url, path, bytes FROM images "
                            "ORDER BY last_used, rowid",
                            -1, &sel, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "DELETE FROM images WHERE rowid = ?", -1, &del, NULL);
    while (rc == SQLITE_OK && (bytes > ic->cap || entries > IMAGECACHE_ENTRIES_MAX)) {
        if (v->count == EVICT_BATCH) {
            *more = true;
            break;
        }
        rc = sqlite3_step(sel);
        if (rc != SQLITE_ROW)
            break; /* DONE: only keep_url is left */
        rc = SQLITE_OK;
        const char *url = (const char *)sqlite3_column_text(sel, 1);
        const char *name = (const char *)sqlite3_column_text(sel, 2);
        if (keep_url && url && strcmp(url, keep_url) == 0)
            continue;
        sqlite3_int64 rowid = sqlite3_column_int64(sel, 0);
        bytes -= sqlite3_column_int64(sel, 3);
        entries--;
        /* A row with a name the cache would not make has no file of ours to delete. */
        if (name_ok(name))
            snprintf(v->names[v->count], sizeof v->names[v->count], "%s", name);
        else
            v->names[v->count][0] = '\0';
        v->count++;
        sqlite3_reset(del);
        rc = sqlite3_bind_int64(del, 1, rowid);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(del);
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK && rc != SQLITE_DONE)
        err = store_sqlite_err(rc, "imagecache evict");
out:
    sqlite3_finalize(sel);
    sqlite3_finalize(del);
    if (err == KIOSK_OK)
        err = store_commit(ic->store);
    else
        store_rollback(ic->store);
    if (err != KIOSK_OK) {
        v->count = 0;
        *more = false;
    }
    return err;
}

/* Evicts least recently used entries until the cache is within its limits. Rows go first
 * (committed), then their files. */
static KioskErr evict(ImageCache *ic, const char *keep_url)
{
    Victims *v = malloc(sizeof *v);
    KioskErr err;
    bool more = true;
    int removed = 0;
    if (!v)
        return KIOSK_E_NOMEM;
    do {
        err = evict_batch(ic, keep_url, v, &more);
        for (int i = 0; i < v->count; i++) {
            if (v->names[i][0])
                unlink_name(ic, v->names[i]);
        }
        removed += v->count;
    } while (err == KIOSK_OK && more);
    if (removed)
        log_debug(MOD, "evicted %d images", removed);
    free(v);
    return err;
}

/* ---- tidying up after a crash --------------------------------------------------------- */

typedef struct Names {
    char (*items)[IMAGECACHE_NAME_LEN + 1];
    size_t count, cap;
} Names;

static KioskErr names_add(Names *n, const char *name)
{
    if (n->count == n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 256;
        void *p = realloc(n->items, cap * sizeof *n->items);
        if (!p)
            return KIOSK_E_NOMEM;
        n->items = p;
        n->cap = cap;
    }
    snprintf(n->items[n->count++], IMAGECACHE_NAME_LEN + 1, "%s", name);
    return KIOSK_OK;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Whether the row's file is there, a regular file of the recorded size. */
static bool file_ok(const ImageCache *ic, const char *name, int64_t bytes)
{
    char path[IMAGECACHE_PATH_MAX];
    struct stat sb;
    if (!name_ok(name))
        return false;
    full_path(ic, name, path, sizeof path);
    return lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (int64_t)sb.st_size == bytes;
}

/* Drops rows whose file is missing or wrong; collects the names of the good ones. */
static KioskErr check_rows(ImageCache *ic, Names *good)
{
    sqlite3 *db = store_db(ic->store);
    sqlite3_stmt *sel = NULL, *del = NULL;
    Names bad = {0};
    KioskErr err = KIOSK_OK;
    int rc = sqlite3_prepare_v2(db, "SELECT rowid, path, bytes FROM images", -1, &sel, NULL);
    while (rc == SQLITE_OK && err == KIOSK_OK) {
        rc = sqlite3_step(sel);
        if (rc != SQLITE_ROW)
            break;
        rc = SQLITE_OK;
        const char *name = (const char *)sqlite3_column_text(sel, 1);
        if (file_ok(ic, name, sqlite3_column_int64(sel, 2))) {
            err = names_add(good, name);
        } else {
            /* The rowid in decimal fits a name slot; deleted after the scan. */
            char id[IMAGECACHE_NAME_LEN + 1];
            snprintf(id, sizeof id, "%lld", (long long)sqlite3_column_int64(sel, 0));
            err = names_add(&bad, id);
        }
    }
    sqlite3_finalize(sel);
    if (err == KIOSK_OK && rc != SQLITE_DONE)
        err = store_sqlite_err(rc, "imagecache scan");
    if (err == KIOSK_OK && bad.count) {
        log_warn(MOD, "%zu cached images lost their file: forgotten", bad.count);
        err = store_begin(ic->store);
        if (err == KIOSK_OK) {
            rc = sqlite3_prepare_v2(db, "DELETE FROM images WHERE rowid = ?", -1, &del, NULL);
            for (size_t i = 0; rc == SQLITE_OK && i < bad.count; i++) {
                sqlite3_reset(del);
                rc = sqlite3_bind_int64(del, 1, strtoll(bad.items[i], NULL, 10));
                if (rc == SQLITE_OK)
                    rc = sqlite3_step(del);
                if (rc == SQLITE_DONE)
                    rc = SQLITE_OK;
            }
            sqlite3_finalize(del);
            err = store_sqlite_err(rc, "imagecache drop");
            if (err == KIOSK_OK)
                err = store_commit(ic->store);
            else
                store_rollback(ic->store);
        }
    }
    free(bad.items);
    return err;
}

/* Removes temporary files and cache files that no row names. Leaves anything else alone. */
static KioskErr sweep_dir(ImageCache *ic, const Names *good)
{
    DIR *d = opendir(ic->dir);
    struct dirent *e;
    int removed = 0;
    if (!d) {
        log_error(MOD, "cannot read the image folder: %s", strerror(errno));
        return KIOSK_E_IO;
    }
    while ((e = readdir(d)) != NULL) {
        bool stale = strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0;
        if (!stale && name_ok(e->d_name))
            stale = !bsearch(e->d_name, good->items, good->count, sizeof *good->items, name_cmp);
        if (stale) {
            unlink_name(ic, e->d_name);
            removed++;
        }
    }
    closedir(d);
    if (removed)
        log_info(MOD, "removed %d stray files from the image folder", removed);
    return KIOSK_OK;
}

static KioskErr tidy(ImageCache *ic)
{
    Names good = {0};
    KioskErr err = check_rows(ic, &good);
    if (err == KIOSK_OK) {
        if (good.count)
            qsort(good.items, good.count, sizeof *good.items, name_cmp);
        err = sweep_dir(ic, &good);
    }
    free(good.items);
    if (err == KIOSK_OK)
        err = evict(ic, NULL);
    return err;
}

/* ---- the API -------------------------------------------------------------------------- */

ImageCache *imagecache_open(Store *store, const char *dir, int64_t cap_bytes, KioskErr *err)
{
    ImageCache *ic = NULL;
    struct stat sb;

    *err = KIOSK_E_INVALID;
    if (!store || !dir || !dir[0])
        return NULL;
    if (strlen(dir) >= DIR_MAX) {
        *err = KIOSK_E_TOOBIG;
        return NULL;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        log_error(MOD, "cannot make the image folder: %s", strerror(errno));
        *err = KIOSK_E_IO;
        return NULL;
    }
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        log_error(MOD, "the image folder is not a folder");
        *err = KIOSK_E_IO;
        return NULL;
    }
    ic = calloc(1, sizeof *ic);
    if (!ic) {
        *err = KIOSK_E_NOMEM;
        return NULL;
    }
    ic->store = store;
    snprintf(ic->dir, sizeof ic->dir, "%s", dir);
    ic->cap = cap_bytes > 0 ? cap_bytes : IMAGECACHE_CAP_DEFAULT;
    ic->now_s = wall_clock;
    *err = tidy(ic);
    if (*err != KIOSK_OK) {
        free(ic);
        return NULL;
    }
    return ic;
}

void imagecache_close(ImageCache *ic)
{
    free(ic);
}

void imagecache_set_clock(ImageCache *ic, ImageCacheClockFn fn, void *ctx)
{
    ic->now_s = fn ? fn : wall_clock;
    ic->now_ctx = fn ? ctx : NULL;
}

KioskErr imagecache_get(ImageCache *ic, const char *url, char *path_out, size_t size)
{
    sqlite3 *db = store_db(ic->store);
    sqlite3_stmt *st = NULL;
    char name[IMAGECACHE_NAME_LEN + 1] = "";
    int64_t bytes = 0, last_used = 0, now = ic->now_s(ic->now_ctx);
    KioskErr err;

    if (!url_ok(url) || !path_out || size == 0)
        return KIOSK_E_INVALID;
    int rc = sqlite3_prepare_v2(db, "SELECT path, bytes, last_used FROM images WHERE url = ?", -1,
                                &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(st, 0);
        if (name_ok(p))
            snprintf(name, sizeof name, "%s", p);
        bytes = sqlite3_column_int64(st, 1);
        last_used = sqlite3_column_int64(st, 2);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        sqlite3_finalize(st);
        return KIOSK_E_NOTFOUND;
    }
    sqlite3_finalize(st);
    err = store_sqlite_err(rc, "imagecache get");
    if (err != KIOSK_OK)
        return err;

    if (!file_ok(ic, name, bytes)) {
        log_warn(MOD, "cached image %s is missing or damaged: forgotten",
                 name[0] ? name : "(bad name)");
        (void)imagecache_remove(ic, url);
        return KIOSK_E_NOTFOUND;
    }
    if (snprintf(path_out, size, "%s/%s", ic->dir, name) >= (int)size) {
        path_out[0] = '\0';
        return KIOSK_E_TOOBIG;
    }
    /* Whole seconds: a second touch within the same second writes nothing. */
    if (last_used < now) {
        rc = sqlite3_prepare_v2(db, "UPDATE images SET last_used = ? WHERE url = ?", -1, &st, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int64(st, 1, now);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(st);
        sqlite3_finalize(st);
        /* A hit is still a hit if the touch fails (a busy writer): it costs LRU order only. */
        (void)store_sqlite_err(rc, "imagecache touch");
    }
    return KIOSK_OK;
}

/* Writes the bytes to a fresh temporary file in the folder, fsyncs it and renames it to
 * name, then fsyncs the folder. On failure the temporary file is gone. */
static KioskErr write_file(ImageCache *ic, const char *name, const void *data, size_t len)
{
    char tmp[IMAGECACHE_PATH_MAX], path[IMAGECACHE_PATH_MAX];
    KioskErr err = KIOSK_E_IO;
    const char *step = "create";
    int e = 0;

    snprintf(tmp, sizeof tmp, "%s/" TMP_PREFIX "XXXXXX", ic->dir);
    full_path(ic, name, path, sizeof path);
    int fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
    if (fd < 0) {
        e = errno;
        err = fileio_err(e);
        tmp[0] = '\0';
        goto out;
    }
    step = "write";
    err = fileio_write_all(fd, data, len);
    if (err != KIOSK_OK) {
        e = errno;
        goto out;
    }
    step = "fsync";
    if (fsync(fd) != 0) {
        e = errno;
        err = fileio_err(e);
        goto out;
    }
    step = "close";
    int rc = close(fd);
    fd = -1;
    if (rc != 0) {
        e = errno;
        err = fileio_err(e);
        goto out;
    }
    step = "rename";
    if (rename(tmp, path) != 0) {
        e = errno;
        err = fileio_err(e);
        goto out;
    }
    tmp[0] = '\0';
    step = "fsync folder";
    err = fileio_sync_dir(ic->dir);
    e = errno;
out:
    if (err != KIOSK_OK)
        log_error(MOD, "cannot store image %s (%s: %s) -> %s", name, step, strerror(e),
                  kerr_name(err));
    if (fd >= 0)
        close(fd);
    if (tmp[0])
        (void)unlink(tmp);
    return err;
}

KioskErr imagecache_put(ImageCache *ic, const char *url, const void *data, size_t len)
{
    char name[IMAGECACHE_NAME_LEN + 1];
    sqlite3_stmt *st = NULL;
    KioskErr err;

    if (!url_ok(url) || !data || len == 0)
        return KIOSK_E_INVALID;
    if (len > IMAGECACHE_FILE_MAX || (int64_t)len > ic->cap)
        return KIOSK_E_TOOBIG;
    name_of(url, name);
    err = write_file(ic, name, data, len);
    if (err != KIOSK_OK)
        return err;

    int rc = sqlite3_prepare_v2(store_db(ic->store),
                                "INSERT OR REPLACE INTO images(url, path, bytes, last_used) "
                                "VALUES (?, ?, ?, ?)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 3, (sqlite3_int64)len);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 4, ic->now_s(ic->now_ctx));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    err = store_sqlite_err(rc, "imagecache put");
    if (err != KIOSK_OK) {
        /* No row names the file: remove it now rather than at the next open. An earlier
         * row for this URL now points at nothing and will read as a miss. */
        unlink_name(ic, name);
        return err;
    }
    /* The image is stored; an eviction that fails leaves the cache over its cap until the
     * next put or open, which is not the caller's failure. */
    (void)evict(ic, url);
    return KIOSK_OK;
}

KioskErr imagecache_remove(ImageCache *ic, const char *url)
{
    char name[IMAGECACHE_NAME_LEN + 1];
    if (!url_ok(url))
        return KIOSK_E_INVALID;
    KioskErr err = exec_text(ic, "DELETE FROM images WHERE url = ?", url, "imagecache remove");
    if (err != KIOSK_OK)
        return err;
    name_of(url, name); /* the only name put() gives this URL */
    unlink_name(ic, name);
    return KIOSK_OK;
}
