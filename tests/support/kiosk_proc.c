/* kiosk_proc.c: see kiosk_proc.h. */
#include "kiosk_proc.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_WAIT_MS 10000
#define CALL_WAIT_MS  15000

static const char *kiosk_bin(void)
{
    const char *bin = getenv("KIOSK_BIN");
    return bin && bin[0] ? bin : "kiosk";
}

const char *kiosk_proc_path(const KioskProc *k, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", k->dir, name);
    return buf;
}

bool kiosk_proc_start(KioskProc *k, const char *config_text, const char *const *extra)
{
    memset(k, 0, sizeof *k);
    strcpy(k->dir, "/tmp/kiosk-test-XXXXXX");
    if (!mkdtemp(k->dir))
        return false;
    snprintf(k->socket, sizeof k->socket, "%s/control.sock", k->dir);
    snprintf(k->log, sizeof k->log, "%s/kiosk.log", k->dir);
    char conf[192];
    snprintf(conf, sizeof conf, "%s/kiosk.conf", k->dir);
    /* Every kiosk gets a data directory of its own (the local store, the outbox), never
     * the machine's /var/lib/kiosk. */
    FILE *f = fopen(conf, "w");
    if (!f)
        return false;
    if (!config_text || !strstr(config_text, "data_dir"))
        fprintf(f, "[device]\ndata_dir = %s/data\n", k->dir);
    if (config_text)
        fputs(config_text, f);
    fclose(f);
    const char *argv[32];
    int n = 0;
    argv[n++] = kiosk_bin();
    argv[n++] = "--headless";
    argv[n++] = "--control";
    argv[n++] = k->socket;
    argv[n++] = "--config";
    argv[n++] = conf;
    for (int i = 0; extra && extra[i] && n < 31; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    k->pid = fork();
    if (k->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive a test that crashed */
        int fd = open(k->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, STDERR_FILENO);
            dup2(fd, STDOUT_FILENO);
        }
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    if (k->pid < 0)
        return false;
    k->ctl = ctlclient_connect(k->socket, START_WAIT_MS);
    return k->ctl != NULL;
}

json_t *kiosk_proc_cmd(KioskProc *k, const char *cmd, json_t *extra)
{
    return ctlclient_cmd(k->ctl, cmd, extra, CALL_WAIT_MS);
}

bool kiosk_await_state(KioskProc *k, const char *field, json_t *want, int timeout_ms, json_t **last)
{
    bool match = false;
    json_t *st = NULL;
    for (int waited = 0;; waited += 20) {
        st = kiosk_proc_cmd(k, "state", NULL);
        match = st && json_equal(json_object_get(st, field), want);
        if (match || waited >= timeout_ms)
            break;
        json_decref(st);
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    json_decref(want);
    if (last && !match)
        *last = st;
    else
        json_decref(st);
    return match;
}

/* The end of the kiosk's log on stderr: what a failed stop needs to be understood. */
static void show_log_tail(const KioskProc *k)
{
    FILE *f = fopen(k->log, "r");
    if (!f)
        return;
    static char tail[16384];
    size_t n = 0;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        long from = size > (long)sizeof tail - 1 ? size - (long)sizeof tail + 1 : 0;
        if (size >= 0 && fseek(f, from, SEEK_SET) == 0)
            n = fread(tail, 1, sizeof tail - 1, f);
    }
    fclose(f);
    tail[n] = '\0';
    fprintf(stderr, "--- the end of %s ---\n%s--- end ---\n", k->log, tail);
}

int kiosk_proc_stop(KioskProc *k)
{
    ctlclient_close(k->ctl);
    k->ctl = NULL;
    int status = -1;
    if (k->pid > 0) {
        kill(k->pid, SIGTERM);
        for (int i = 0; i < 500; i++) { /* up to 5 s for a clean stop */
            if (waitpid(k->pid, &status, WNOHANG) == k->pid)
                break;
            struct timespec ts = {0, 10 * 1000000L};
            nanosleep(&ts, NULL);
            if (i == 499) {
                kill(k->pid, SIGKILL);
                waitpid(k->pid, &status, 0);
                status = -1;
            }
        }
        k->pid = 0;
        if (!(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0))
            show_log_tail(k);
    }
    if (getenv("KIOSK_TEST_KEEP") == NULL) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", k->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", k->dir);
    }
    if (status >= 0 && WIFEXITED(status))
        return WEXITSTATUS(status);
    return -1;
}

int kiosk_run_once(const char *const *args, char *out, size_t size)
{
    int pipefd[2];
    if (pipe(pipefd) != 0)
        return -1;
    const char *argv[32];
    int n = 0;
    argv[n++] = kiosk_bin();
    for (int i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        dup2(pipefd[1], STDERR_FILENO);
        close(pipefd[0]);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    size_t got = 0;
    ssize_t r;
    while (got < size - 1 && (r = read(pipefd[0], out + got, size - 1 - got)) > 0)
        got += (size_t)r;
    out[got] = '\0';
    close(pipefd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

json_t *kiosk_widget(json_t *ui, const char *id)
{
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(ui, "widgets"), i,
                       w) if (strcmp(json_string_value(json_object_get(w, "id")), id) ==
                              0) return w;
    return NULL;
}

typedef struct Box {
    int x, y, w, h;
} Box;

static Box box_of(json_t *r)
{
    return (Box){(int)json_integer_value(json_array_get(r, 0)),
                 (int)json_integer_value(json_array_get(r, 1)),
                 (int)json_integer_value(json_array_get(r, 2)),
                 (int)json_integer_value(json_array_get(r, 3))};
}

/* More than a sliver in common (two pixels each way: anti-aliased edges may touch). */
static bool boxes_overlap(Box a, Box b)
{
    int w = (a.x + a.w < b.x + b.w ? a.x + a.w : b.x + b.w) - (a.x > b.x ? a.x : b.x);
    int h = (a.y + a.h < b.y + b.h ? a.y + a.h : b.y + b.h) - (a.y > b.y ? a.y : b.y);
    return w > 2 && h > 2;
}

static bool box_inside(Box in, Box out)
{
    return in.x >= out.x && in.y >= out.y && in.x + in.w <= out.x + out.w &&
           in.y + in.h <= out.y + out.h;
}

/* Letters drawn across a button's edge, or two buttons on top of each other, on one layer:
 * each modal scrim starts a layer above everything drawn before it. */
static bool collides(json_t *widgets, char *why, size_t size)
{
    size_t i, j, n = json_array_size(widgets);
    json_t *a, *b;
    int *layer = calloc(n ? n : 1, sizeof *layer);
    if (!layer) {
        snprintf(why, size, "out of memory");
        return true;
    }
    json_array_foreach(widgets, i, a)
    {
        bool scrim = strcmp(json_string_value(json_object_get(a, "role")), "scrim") == 0;
        layer[i] = (i ? layer[i - 1] : 0) + scrim;
    }
    bool hit = false;
    json_array_foreach(widgets, i, a)
    {
        const char *role = json_string_value(json_object_get(a, "role"));
        bool text = strcmp(role, "text") == 0, button = strcmp(role, "button") == 0;
        if (hit || (!text && !button))
            continue;
        json_t *ink = json_object_get(a, "ink");
        Box ba = box_of(ink ? ink : json_object_get(a, "rect"));
        if (ba.w <= 0 || ba.h <= 0)
            continue;
        json_array_foreach(widgets, j, b)
        {
            if (hit || j == i || (button && j < i) || layer[i] != layer[j] ||
                strcmp(json_string_value(json_object_get(b, "role")), "button") != 0)
                continue;
            Box bb = box_of(json_object_get(b, "rect"));
            if (boxes_overlap(ba, bb) && !(text && box_inside(ba, bb))) {
                snprintf(why, size, "%s runs into the button %s",
                         json_string_value(json_object_get(a, "id")),
                         json_string_value(json_object_get(b, "id")));
                hit = true;
            }
        }
    }
    free(layer);
    return hit;
}

bool kiosk_layout_ok(json_t *ui, char *why, size_t size)
{
    json_t *dims = json_object_get(ui, "size");
    int W = (int)json_integer_value(json_array_get(dims, 0));
    int H = (int)json_integer_value(json_array_get(dims, 1));
    int short_side = W < H ? W : H;
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(ui, "widgets"), i, w)
    {
        const char *id = json_string_value(json_object_get(w, "id"));
        json_t *r = json_object_get(w, "rect");
        int x = (int)json_integer_value(json_array_get(r, 0));
        int y = (int)json_integer_value(json_array_get(r, 1));
        int rw = (int)json_integer_value(json_array_get(r, 2));
        int rh = (int)json_integer_value(json_array_get(r, 3));
        if (x < 0 || y < 0 || x + rw > W || y + rh > H) {
            snprintf(why, size, "%s lies outside the screen", id);
            return false;
        }
        if (json_is_true(json_object_get(w, "clipped"))) {
            snprintf(why, size, "%s: text does not fit its box: %s", id,
                     json_string_value(json_object_get(w, "text")));
            return false;
        }
        if (strcmp(json_string_value(json_object_get(w, "role")), "button") == 0 &&
            rh < 56 * short_side / 1080) {
            snprintf(why, size, "%s is %d px tall: too small to touch", id, rh);
            return false;
        }
    }
    return !collides(json_object_get(ui, "widgets"), why, size);
}
