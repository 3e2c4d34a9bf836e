/* control.c: the control socket's server thread (see control.h).
 * The thread polls the listening socket, its clients, and a wake pipe. Replies come back
 * from the UI thread on a done-list under a mutex; a byte on the pipe tells the thread to
 * write them out. A client has at most one request in flight; further lines wait in its
 * buffer until the reply to the current one is written. */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

typedef struct Client {
    int fd; /* -1: free slot */
    unsigned generation;
    bool busy; /* a call is out with the UI thread */
    size_t len;
    char *buf; /* CONTROL_LINE_MAX + 1 */
} Client;

struct ControlCall {
    ControlServer *server;
    int slot;
    unsigned generation;
    json_t *request;
    json_t *reply;
    ControlFinishFn finish;
    void *finish_data;
    ControlCall *next;
};

struct ControlServer {
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    dev_t dev; /* the socket file this server made */
    ino_t ino;
    int listen_fd;
    int wake[2];
    EventQueue *queue;
    pthread_t thread;
    bool running;
    pthread_mutex_t lock; /* guards done and stop */
    ControlCall *done;
    bool stop;
    Client clients[CONTROL_MAX_CLIENTS];
};

/* A server already listens at addr (a kiosk still running), rather than a stale file. */
static bool socket_answers(const struct sockaddr_un *addr)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    bool live = connect(fd, (const struct sockaddr *)addr, sizeof *addr) == 0;
    close(fd);
    return live;
}

/* Removes the socket file if it is still the one this server made: a kiosk that takes a
 * while to stop never removes the socket of the one started after it. */
static void remove_own_socket(const ControlServer *s)
{
    struct stat st;
    if (lstat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
        unlink(s->path);
}

static void wake_thread(ControlServer *s)
{
    char b = 1;
    ssize_t n = write(s->wake[1], &b, 1);
    (void)n; /* a full pipe already means "wake up" */
}

static void write_line(int fd, json_t *obj)
{
    char *text = json_dumps(obj, JSON_COMPACT);
    if (!text)
        return;
    size_t len = strlen(text);
    text[len] = '\n'; /* replace the NUL: we send len + 1 bytes, never the NUL */
    size_t off = 0;
    while (off < len + 1) {
        ssize_t n = send(fd, text + off, len + 1 - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* the client went away; its slot is closed on the next read */
        off += (size_t)n;
    }
    free(text);
}

static void reply_now(int fd, const char *code, const char *message)
{
    json_t *r = json_pack("{s:b,s:{s:s,s:s}}", "ok", 0, "error", "code", code, "message", message);
    write_line(fd, r);
    json_decref(r);
}

static void close_client(Client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->len = 0;
    c->busy = false;
    c->generation++;
}

/* Takes the first complete line out of the client's buffer and starts a call for it. */
static void next_request(ControlServer *s, int slot)
{
    Client *c = &s->clients[slot];
    while (!c->busy && c->fd >= 0) {
        char *nl = memchr(c->buf, '\n', c->len);
        if (!nl)
            return;
        *nl = '\0';
        size_t line_len = (size_t)(nl - c->buf);
        json_error_t jerr;
        json_t *req = json_loadb(c->buf, line_len, JSON_REJECT_DUPLICATES, &jerr);
        memmove(c->buf, nl + 1, c->len - line_len - 1);
        c->len -= line_len + 1;
        if (line_len == 0) {
            json_decref(req);
            continue;
        }
        if (!req || !json_is_object(req) || !json_is_string(json_object_get(req, "cmd"))) {
            json_decref(req);
            reply_now(c->fd, "bad_request", "expected a JSON object with a string \"cmd\"");
            continue;
        }
        ControlCall *call = calloc(1, sizeof *call);
        if (!call) {
            json_decref(req);
            reply_now(c->fd, "no_memory", "out of memory");
            continue;
        }
        *call =
            (ControlCall){.server = s, .slot = slot, .generation = c->generation, .request = req};
        Event ev = {.type = EV_CONTROL, .u.control.call = call};
        if (evq_post(s->queue, &ev) != KIOSK_OK) {
            json_decref(req);
            free(call);
            reply_now(c->fd, "busy", "the kiosk is busy; try again");
            continue;
        }
        c->busy = true;
    }
}

static void read_client(ControlServer *s, int slot)
{
    Client *c = &s->clients[slot];
    ssize_t n = read(c->fd, c->buf + c->len, CONTROL_LINE_MAX - c->len);
    if (n <= 0) {
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            return;
        close_client(c);
        return;
    }
    c->len += (size_t)n;
    if (c->len == CONTROL_LINE_MAX && !memchr(c->buf, '\n', c->len)) {
        log_warn("control", "closed a client whose request passed %d bytes", CONTROL_LINE_MAX);
        reply_now(c->fd, "too_big", "request line too long");
        close_client(c);
        return;
    }
    next_request(s, slot);
}

static void accept_client(ControlServer *s)
{
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
        if (s->clients[i].fd < 0) {
            s->clients[i].fd = fd;
            s->clients[i].len = 0;
            s->clients[i].busy = false;
            struct timeval tv = {.tv_sec = 2};
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
            return;
        }
    }
    reply_now(fd, "busy", "too many control connections");
    close(fd);
}

static void finish_calls(ControlServer *s)
{
    pthread_mutex_lock(&s->lock);
    ControlCall *list = s->done;
    s->done = NULL;
    pthread_mutex_unlock(&s->lock);
    /* The list is newest first; answer in arrival order. */
    ControlCall *ordered = NULL;
    while (list) {
        ControlCall *next = list->next;
        list->next = ordered;
        ordered = list;
        list = next;
    }
    while (ordered) {
        ControlCall *call = ordered;
        ordered = call->next;
        if (call->finish)
            call->finish(call->reply, call->finish_data);
        Client *c = &s->clients[call->slot];
        if (c->fd >= 0 && c->generation == call->generation) {
            write_line(c->fd, call->reply);
            c->busy = false;
            next_request(s, call->slot);
        }
        json_decref(call->reply);
        json_decref(call->request);
        free(call);
    }
}

static void *serve(void *arg)
{
    ControlServer *s = arg;
    for (;;) {
        struct pollfd fds[2 + CONTROL_MAX_CLIENTS];
        int slots[2 + CONTROL_MAX_CLIENTS];
        int n = 0;
        fds[n++] = (struct pollfd){.fd = s->wake[0], .events = POLLIN};
        fds[n++] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
        for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
            if (s->clients[i].fd >= 0) {
                slots[n] = i;
                /* A busy client is not read: its next line waits for this reply. */
                fds[n++] = (struct pollfd){.fd = s->clients[i].fd,
                                           .events = s->clients[i].busy ? 0 : POLLIN};
            }
        }
        if (poll(fds, (nfds_t)n, -1) < 0 && errno != EINTR)
            break;
        if (fds[0].revents) {
            char drain[64];
            while (read(s->wake[0], drain, sizeof drain) > 0) {
            }
            pthread_mutex_lock(&s->lock);
            bool stop = s->stop;
            pthread_mutex_unlock(&s->lock);
            if (stop)
                break;
            finish_calls(s);
        }
        if (fds[1].revents & POLLIN)
            accept_client(s);
        for (int i = 2; i < n; i++) {
            /* A reply still out for a closed client finds the generation moved on. */
            if (fds[i].revents & (POLLHUP | POLLERR) && !(fds[i].revents & POLLIN))
                close_client(&s->clients[slots[i]]);
            else if (fds[i].revents & POLLIN)
                read_client(s, slots[i]);
        }
    }
    return NULL;
}

ControlServer *control_create(const char *path, EventQueue *q, KioskErr *err)
{
    ControlServer *s = calloc(1, sizeof *s);
    *err = KIOSK_E_NOMEM;
    if (!s)
        return NULL;
    s->listen_fd = -1;
    s->wake[0] = s->wake[1] = -1;
    s->queue = q;
    pthread_mutex_init(&s->lock, NULL);
    for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
        s->clients[i].fd = -1;
        s->clients[i].buf = malloc(CONTROL_LINE_MAX + 1);
        if (!s->clients[i].buf)
            goto fail;
    }
    *err = KIOSK_E_INVALID;
    if (strlen(path) >= sizeof s->path) {
        log_error("control", "socket path is longer than %zu bytes", sizeof s->path - 1);
        goto fail;
    }
    strcpy(s->path, path);
    *err = KIOSK_E_IO;
    if (pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) != 0)
        goto fail;
    s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->listen_fd < 0)
        goto fail;
    struct stat st;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strcpy(addr.sun_path, path);
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
        if (socket_answers(&addr)) {
            log_error("control", "another kiosk is running on %s: stop it first", path);
            *err = KIOSK_E_STATE;
            goto fail;
        }
        unlink(path); /* a stale socket from a previous run */
    }
    if (bind(s->listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        log_error("control", "cannot create the control socket %s: %s", path, strerror(errno));
        goto fail;
    }
    if (lstat(path, &st) == 0) { /* ours: only this file is removed at the end */
        s->dev = st.st_dev;
        s->ino = st.st_ino;
    }
    if (chmod(path, 0600) != 0 || listen(s->listen_fd, 8) != 0) {
        log_error("control", "cannot listen on %s: %s", path, strerror(errno));
        unlink(path);
        goto fail;
    }
    if (pthread_create(&s->thread, NULL, serve, s) != 0) {
        unlink(path);
        goto fail;
    }
    s->running = true;
    *err = KIOSK_OK;
    log_info("control", "listening on %s", path);
    return s;
fail:
    control_destroy(s);
    return NULL;
}

void control_destroy(ControlServer *s)
{
    if (!s)
        return;
    if (s->running) {
        pthread_mutex_lock(&s->lock);
        s->stop = true;
        pthread_mutex_unlock(&s->lock);
        wake_thread(s);
        pthread_join(s->thread, NULL);
        finish_calls(s); /* answers still queued are written, then freed */
        remove_own_socket(s);
    }
    for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
        if (s->clients[i].fd >= 0)
            close(s->clients[i].fd);
        free(s->clients[i].buf);
    }
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    if (s->wake[0] >= 0)
        close(s->wake[0]);
    if (s->wake[1] >= 0)
        close(s->wake[1]);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

json_t *control_call_request(const ControlCall *call)
{
    return call->request;
}

const char *control_call_cmd(const ControlCall *call)
{
    return json_string_value(json_object_get(call->request, "cmd"));
}

void control_reply(ControlCall *call, json_t *reply, ControlFinishFn finish, void *data)
{
    if (!reply)
        reply = json_object();
    if (!json_object_get(reply, "ok"))
        json_object_set_new(reply, "ok", json_true());
    call->reply = reply;
    call->finish = finish;
    call->finish_data = data;
    ControlServer *s = call->server;
    pthread_mutex_lock(&s->lock);
    call->next = s->done;
    s->done = call;
    pthread_mutex_unlock(&s->lock);
    wake_thread(s);
}

void control_reply_error(ControlCall *call, const char *code, const char *message)
{
    json_t *r = json_pack("{s:b,s:{s:s,s:s}}", "ok", 0, "error", "code", code, "message", message);
    control_reply(call, r, NULL, NULL);
}
