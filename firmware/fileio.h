/* fileio.h: whole reads and writes on a file descriptor, and durable directory entries.
 * The firmware's files that must survive a power cut (device keys, certificates, cached
 * pictures) are written to a temporary name, fsync'd, renamed and then the directory is
 * fsync'd; these are the steps they share. */
#ifndef KIOSK_FILEIO_H
#define KIOSK_FILEIO_H

#include <stddef.h>

#include "kerr.h"

/* KIOSK_E_FULL for a full disk or quota (ENOSPC, EDQUOT), otherwise KIOSK_E_IO. */
KioskErr fileio_err(int errno_value);

/* Writes all len bytes, retrying after signals. KIOSK_E_FULL on a full disk. */
KioskErr fileio_write_all(int fd, const void *buf, size_t len);

/* Reads exactly len bytes, retrying after signals; a short file is KIOSK_E_IO. */
KioskErr fileio_read_all(int fd, void *buf, size_t len);

/* fsync of an open directory, which makes the names renamed into it durable. errno is
 * left as the failure set it. */
KioskErr fileio_sync_dirfd(int dfd);

/* The same for a directory by its path. */
KioskErr fileio_sync_dir(const char *dir);

#endif
