/* ctlclient.c: see ctlclient.h. */
#include "ctlclient.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "control.h"

struct CtlClient {
    int fd;
    size_t len;
    char buf[CONTROL_LINE_MAX * 8]; /* replies (a semantics tree) can be larger than requests */
};

CtlClient *ctlclient_connect(const char *path, int wait_ms)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path)
        return NULL;
    strcpy(addr.sun_path, path);
    uint64_t deadline = clock_monotonic_ms(NULL) + (uint64_t)(wait_ms > 0 ? wait_ms : 0);
    for (;;) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return NULL;
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) {
            CtlClient *c = calloc(1, sizeof *c);
            if (!c) {
                close(fd);
                return NULL;
            }
            c->fd = fd;
            return c;
        }
        close(fd);
        if (clock_monotonic_ms(NULL) >= deadline)
            return NULL;
        struct timespec pause = {0, 5 * 1000000L};
        nanosleep(&pause, NULL);
    }
}

void ctlclient_close(CtlClient *c)
{
    if (!c)
        return;
    close(c->fd);
    free(c);
}

json_t *ctlclient_call(CtlClient *c, json_t *req, int timeout_ms)
{
    char *text = json_dumps(req, JSON_COMPACT);
    if (!text)
        return NULL;
    size_t len = strlen(text);
    text[len] = '\n';
    size_t off = 0;
    while (off < len + 1) {
        ssize_t n = send(c->fd, text + off, len + 1 - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            free(text);
            return NULL;
        }
        off += (size_t)n;
    }
    free(text);

    uint64_t deadline = clock_monotonic_ms(NULL) + (uint64_t)timeout_ms;
    for (;;) {
        char *nl = memchr(c->buf, '\n', c->len);
        if (nl) {
            size_t line = (size_t)(nl - c->buf);
            json_t *reply = json_loadb(c->buf, line, 0, NULL);
            memmove(c->buf, nl + 1, c->len - line - 1);
            c->len -= line + 1;
            return reply;
        }
        uint64_t now = clock_monotonic_ms(NULL);
        if (now >= deadline || c->len == sizeof c->buf)
            return NULL;
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        int r = poll(&p, 1, (int)(deadline - now));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return NULL;
        ssize_t n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
        if (n <= 0)
            return NULL;
        c->len += (size_t)n;
    }
}

json_t *ctlclient_cmd(CtlClient *c, const char *cmd, json_t *extra, int timeout_ms)
{
    json_t *req = extra ? extra : json_object();
    json_object_set_new(req, "cmd", json_string(cmd));
    json_t *reply = ctlclient_call(c, req, timeout_ms);
    json_decref(req);
    return reply;
}
