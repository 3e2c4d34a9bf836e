/* factory.c: see factory.h. */
#include "factory.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "device_id.h"
#include "imagecache.h"
#include "log.h"
#include "outbox.h"
#include "store.h"

static KioskErr remove_file(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (unlink(path) == 0 || errno == ENOENT)
        return KIOSK_OK;
    log_error("factory", "%s could not be removed: %s", name, strerror(errno));
    return KIOSK_E_IO;
}

/* The files of a flat folder, then the folder. */
static KioskErr remove_dir(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    DIR *d = opendir(path);
    KioskErr err = KIOSK_OK;
    if (!d)
        return errno == ENOENT ? KIOSK_OK : KIOSK_E_IO;
    for (struct dirent *e = readdir(d); e; e = readdir(d))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            remove_file(path, e->d_name) != KIOSK_OK)
            err = KIOSK_E_IO;
    closedir(d);
    if (rmdir(path) != 0 && errno != ENOENT)
        err = KIOSK_E_IO;
    return err;
}

KioskErr factory_reset(const char *data_dir)
{
    static const char *const files[] = {STORE_FILE_NAME,        STORE_FILE_NAME "-wal",
                                        STORE_FILE_NAME "-shm", STORE_FILE_NAME "-journal",
                                        OUTBOX_KEY_FILE,        "support-screenshot.png"};
    KioskErr err = device_id_wipe(data_dir);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (remove_file(data_dir, files[i]) != KIOSK_OK)
            err = KIOSK_E_IO;
    if (remove_dir(data_dir, IMAGECACHE_DIR_NAME) != KIOSK_OK)
        err = KIOSK_E_IO;
    if (err == KIOSK_OK)
        log_warn("factory", "factory reset: the device's identity, store and keys are gone");
    return err;
}
