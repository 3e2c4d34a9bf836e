/* diag.c: see diag.h. */
#include "diag.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "imagecache.h"
#include "store.h"

static json_int_t file_size(const char *dir, const char *name)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 ? (json_int_t)st.st_size : 0;
}

/* The bytes of the regular files in dir (one level: the image cache is flat). */
static json_int_t dir_size(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    DIR *d = opendir(path);
    json_int_t sum = 0;
    if (!d)
        return 0;
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        struct stat st;
        char f[1400];
        snprintf(f, sizeof f, "%s/%s", path, e->d_name);
        if (stat(f, &st) == 0 && S_ISREG(st.st_mode))
            sum += (json_int_t)st.st_size;
    }
    closedir(d);
    return sum;
}

json_t *diag_storage(const char *data_dir)
{
    struct statvfs vfs;
    json_t *o = json_pack("{s:s}", "data_dir", data_dir);
    if (statvfs(data_dir, &vfs) == 0) {
        json_int_t total = (json_int_t)vfs.f_blocks * (json_int_t)vfs.f_frsize;
        json_int_t avail = (json_int_t)vfs.f_bavail * (json_int_t)vfs.f_frsize;
        json_object_set_new(o, "total_bytes", json_integer(total));
        json_object_set_new(o, "free_bytes", json_integer(avail));
        json_object_set_new(o, "free_percent",
                            json_integer(total > 0 ? (json_int_t)(avail * 100 / total) : 0));
    } else {
        json_object_set_new(o, "error", json_string("the data directory cannot be read"));
    }
    json_object_set_new(o, "writable", json_boolean(access(data_dir, W_OK) == 0));
    json_object_set_new(o, "store_bytes", json_integer(file_size(data_dir, STORE_FILE_NAME)));
    json_object_set_new(o, "image_cache_bytes",
                        json_integer(dir_size(data_dir, IMAGECACHE_DIR_NAME)));
    return o;
}

void diag_update(char *out, size_t size)
{
    char line[256], boot[32] = "", state[64] = "";
    snprintf(out, size, "not managed by RAUC");
    if (access("/etc/rauc/system.conf", R_OK) != 0)
        return;
    FILE *p = popen("rauc status --output-format=shell 2>/dev/null", "r");
    if (!p)
        return;
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (sscanf(line, "RAUC_SYSTEM_BOOTED_BOOTNAME='%31[^']'", boot) == 1 ||
            sscanf(line, "RAUC_SYSTEM_BOOTED_BOOTNAME=%31s", boot) == 1)
            continue;
        if (!state[0] && strstr(line, "_BOOT_STATUS="))
            sscanf(strchr(line, '=') + 1, "'%63[^']'", state);
    }
    if (pclose(p) == 0 && boot[0])
        snprintf(out, size, "booted slot %s%s%s", boot, state[0] ? ", " : "", state);
}

json_t *diag_network(CentralClient *c, const char *url)
{
    if (!c)
        return json_pack("{s:n,s:b,s:s}", "url", "reachable", 0, "result",
                         "no central service configured");
    CentralReply *rep = calloc(1, sizeof *rep);
    CentralRequest req = {.kind = CENTRAL_STORES, .certinfo = true};
    json_t *o = json_pack("{s:s}", "url", url);
    if (!rep || central_call(c, &req, rep) != KIOSK_OK) {
        json_object_set_new(o, "reachable", json_false());
        json_object_set_new(o, "result", json_string("the request could not be made"));
        free(rep);
        return o;
    }
    json_object_set_new(o, "reachable",
                        json_boolean(rep->result == CENTRAL_OK || rep->result == CENTRAL_REFUSED));
    json_object_set_new(o, "result", json_string(central_result_name(rep->result)));
    json_object_set_new(o, "http_status", json_integer(rep->http_status));
    json_object_set_new(o, "latency_ms", json_integer(rep->elapsed_ms));
    if (rep->tls_expires > 0) {
        char iso[32];
        time_t t = (time_t)rep->tls_expires;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_object_set_new(o, "certificate_expires", json_string(iso));
        json_object_set_new(o, "certificate_days_left",
                            json_integer((json_int_t)((rep->tls_expires - time(NULL)) / 86400)));
    }
    central_reply_clear(rep);
    free(rep);
    return o;
}
