/* imagecache.h: product images cached on disk, in a folder (IMAGECACHE_DIR_NAME) beside the
 * SQLite store file, with their metadata in the Store's `images` table (url, path, bytes,
 * last_used). Files are named by the SHA-256 of the URL, never by the URL's text; they are
 * written to a temporary file, fsync'd and renamed into place, so a crash leaves a whole
 * file or none. The folder is kept under a byte cap (and IMAGECACHE_ENTRIES_MAX files) by
 * evicting the least recently used. An ImageCache borrows its Store and is used by the
 * thread that owns that Store (the image loader, ui/images.c); it never touches SDL. */
#ifndef KIOSK_IMAGECACHE_H
#define KIOSK_IMAGECACHE_H

#include <stddef.h>
#include <stdint.h>

#include "kerr.h"
#include "store.h"

#define IMAGECACHE_DIR_NAME    "images"           /* beside the store file */
#define IMAGECACHE_URL_MAX     512                /* bytes of a URL (the key), NUL excluded */
#define IMAGECACHE_FILE_MAX    (2 * 1024 * 1024)  /* one image's bytes */
#define IMAGECACHE_ENTRIES_MAX 8192               /* files kept, whatever their size */
#define IMAGECACHE_CAP_DEFAULT (64 * 1024 * 1024) /* bytes kept when the caller passes 0 */
#define IMAGECACHE_PATH_MAX    512                /* the folder, and a file's full path */
#define IMAGECACHE_NAME_LEN    64                 /* a file's name: SHA-256 in hex */

typedef struct ImageCache ImageCache;

/* Seconds for last_used. The default is the wall clock (time()): it survives a restart,
 * which a monotonic clock would not. Injected by tests. */
typedef int64_t (*ImageCacheClockFn)(void *ctx);

/* The image folder that belongs to the store file at store_path ("<dir of
 * store_path>/images") into out. KIOSK_E_TOOBIG if it does not fit in size bytes. */
KioskErr imagecache_dir_beside(const char *store_path, char *out, size_t size);

/* Opens the cache in dir (created, mode 0700, if missing; its parent must exist) on store
 * (borrowed: close the cache before the Store). cap_bytes <= 0 means IMAGECACHE_CAP_DEFAULT.
 * Tidies up after a crash: removes temporary files and cache files no row names, drops rows
 * whose file is gone, and evicts down to the cap. NULL with *err: KIOSK_E_INVALID (bad
 * arguments), KIOSK_E_TOOBIG (dir too long), KIOSK_E_IO (dir cannot be made or read),
 * KIOSK_E_NOMEM, or the Store's error. */
ImageCache *imagecache_open(Store *store, const char *dir, int64_t cap_bytes, KioskErr *err);
/* NULL is a no-op. The files stay. */
void imagecache_close(ImageCache *ic);

/* Replaces the clock (tests). fn NULL restores the wall clock. */
void imagecache_set_clock(ImageCache *ic, ImageCacheClockFn fn, void *ctx);

/* On a hit, copies the file's full path into path_out, marks the entry as used now and
 * returns KIOSK_OK. KIOSK_E_NOTFOUND on a miss; an entry whose file is missing or has the
 * wrong size counts as a miss and is dropped. KIOSK_E_INVALID for a bad URL, KIOSK_E_TOOBIG
 * if the path does not fit in size, or the Store's error. */
KioskErr imagecache_get(ImageCache *ic, const char *url, char *path_out, size_t size);

/* Stores len bytes (1..IMAGECACHE_FILE_MAX, and no more than the cap) under url, replacing
 * any earlier copy, then evicts least recently used files until the cache is under its cap.
 * The bytes are not inspected. On failure nothing is left behind (no temporary file, no
 * row) and an earlier copy may be gone: KIOSK_E_INVALID (bad URL or empty), KIOSK_E_TOOBIG
 * (over the limits), KIOSK_E_IO (cannot write the folder), KIOSK_E_FULL (disk full), or the
 * Store's error. */
KioskErr imagecache_put(ImageCache *ic, const char *url, const void *data, size_t len);

/* Forgets url and deletes its file (a file that would not decode, say). KIOSK_OK also when
 * it was not cached. */
KioskErr imagecache_remove(ImageCache *ic, const char *url);

/* What the cache holds now, from the table. */
KioskErr imagecache_usage(ImageCache *ic, int64_t *bytes, int64_t *entries);

#endif
