/* fileio.c: whole reads and writes, and durable directory entries. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

KioskErr fileio_err(int errno_value)
{
    return errno_value == ENOSPC || errno_value == EDQUOT ? KIOSK_E_FULL : KIOSK_E_IO;
}

KioskErr fileio_write_all(int fd, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    size_t put = 0;
    while (put < len) {
        ssize_t n = write(fd, p + put, len - put);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fileio_err(errno);
        put += (size_t)n;
    }
    return KIOSK_OK;
}

KioskErr fileio_read_all(int fd, void *buf, size_t len)
{
    unsigned char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return KIOSK_E_IO;
        got += (size_t)n;
    }
    return KIOSK_OK;
}

KioskErr fileio_sync_dirfd(int dfd)
{
    return fsync(dfd) == 0 ? KIOSK_OK : fileio_err(errno);
}

KioskErr fileio_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return fileio_err(errno);
    KioskErr err = fileio_sync_dirfd(fd);
    int e = errno;
    close(fd);
    errno = e; /* the caller may report why the fsync failed */
    return err;
}
