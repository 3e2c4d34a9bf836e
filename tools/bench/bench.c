/* kiosk-bench: the kiosk's performance figures on this machine, printed as a table.
 *   start     process start to first frame presented (the real binary, --headless)
 *   render    time to draw one frame of each screen with the software renderer, at the
 *             shop-floor size and at 4K (median and p99 of warm frames, and the first,
 *             cold frame that fills the text and art caches)
 *   memory    peak resident memory of a kiosk that has shown every screen
 *   tap       a card presented on the emulated reader to the greeting in the semantics
 *             tree (libnfc over a pty, token verification, dispatch, frame)
 * It reports; it asserts nothing. Figures go in the README's performance table. */
#include <SDL2/SDL.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "clock.h"
#include "config.h"
#include "ctlclient.h"
#include "i18n.h"
#include "log.h"
#include "screen.h"
#include "ui.h"
#include "version.h"

#define START_RUNS  20
#define RENDER_RUNS 120
#define TAP_RUNS    40

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int i = (int)(p * (n - 1) + 0.5);
    return v[i];
}

/* Spawns the kiosk with a pipe on fd 3 and --ready-fd 3 (and a config file if given). */
static pid_t spawn_kiosk_conf(const char *bin, const char *sock, const char *conf, int *ready_fd)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        if (p[0] != 3) /* the pipe may itself sit on fd 3 */
            close(p[0]);
        dup2(p[1], 3);
        if (p[1] != 3)
            close(p[1]);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, STDERR_FILENO);
        if (sock && conf)
            execl(bin, bin, "--headless", "--ready-fd", "3", "--control", sock, "--config", conf,
                  (char *)NULL);
        else if (sock)
            execl(bin, bin, "--headless", "--ready-fd", "3", "--control", sock, (char *)NULL);
        else
            execl(bin, bin, "--headless", "--ready-fd", "3", (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    *ready_fd = p[0];
    return pid;
}

static pid_t spawn_kiosk(const char *bin, const char *sock, int *ready_fd)
{
    return spawn_kiosk_conf(bin, sock, NULL, ready_fd);
}

static void stop(pid_t pid)
{
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

static void bench_start(const char *bin)
{
    double t[START_RUNS];
    for (int i = 0; i < START_RUNS; i++) {
        int fd;
        double t0 = now_ms();
        pid_t pid = spawn_kiosk(bin, NULL, &fd);
        char buf[8];
        ssize_t n = read(fd, buf, sizeof buf);
        t[i] = now_ms() - t0;
        close(fd);
        stop(pid);
        if (n <= 0) {
            fprintf(stderr, "kiosk-bench: the kiosk did not report its first frame\n");
            exit(1);
        }
    }
    printf("| start to first frame (headless) | %.1f ms | %.1f ms (p99) |\n",
           pct(t, START_RUNS, 0.5), pct(t, START_RUNS, 0.99));
}

/* Renders one screen RENDER_RUNS times; prints cold, median and p99. */
static void bench_screen(Ui *ui, SDL_Renderer *r, const AppState *s, const KioskConfig *cfg,
                         const char *label)
{
    double t[RENDER_RUNS], cold = 0;
    for (int i = 0; i <= RENDER_RUNS; i++) {
        ScreenEnv env = {.cfg = cfg, .now_ms = 5000};
        double t0 = now_ms();
        screen_draw(ui, s, &env);
        SDL_RenderPresent(r);
        double dt = now_ms() - t0;
        if (i == 0)
            cold = dt;
        else
            t[i - 1] = dt;
    }
    printf("| render %-34s | %.2f ms | %.2f ms (p99) | first %.1f ms |\n", label,
           pct(t, RENDER_RUNS, 0.5), pct(t, RENDER_RUNS, 0.99), cold);
}

static void bench_render(KioskMode mode, int w, int h, const char *assets)
{
    KioskConfig cfg;
    config_defaults(&cfg);
    cfg.mode = mode;
    cfg.width = w;
    cfg.height = h;
    SDL_Surface *target = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(target);
    KioskErr err;
    Ui *ui = ui_create(r, w, h, &cfg, assets, &err);
    if (!ui) {
        fprintf(stderr, "kiosk-bench: cannot create the UI (%s)\n", kerr_name(err));
        exit(1);
    }
    AppState s;
    app_init(&s, &cfg);
    Effects fx = {0};
    char label[64];
    const char *m = mode == KIOSK_MODE_MIRROR ? "mirror" : "kiosk";
    snprintf(label, sizeof label, "%s attract %dx%d", m, w, h);
    bench_screen(ui, r, &s, &cfg, label);
    Event start = {.type = EV_INTENT, .u.intent = {INTENT_START, 0}};
    app_dispatch(&s, &start, 0, &fx);
    snprintf(label, sizeof label, "%s identify %dx%d", m, w, h);
    bench_screen(ui, r, &s, &cfg, label);
    Event idle = {.type = EV_TIMER, .u.timer.id = TIMER_IDLE};
    app_dispatch(&s, &idle, 0, &fx);
    snprintf(label, sizeof label, "%s still-there %dx%d", m, w, h);
    bench_screen(ui, r, &s, &cfg, label);
    ui_destroy(ui);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(target);
}

static long vm_hwm_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

static void bench_memory(const char *bin)
{
    char dir[] = "/tmp/kiosk-bench-XXXXXX";
    if (!mkdtemp(dir))
        return;
    char sock[128];
    snprintf(sock, sizeof sock, "%s/control.sock", dir);
    int fd;
    pid_t pid = spawn_kiosk(bin, sock, &fd);
    char buf[8];
    if (read(fd, buf, sizeof buf) <= 0)
        return;
    close(fd);
    CtlClient *c = ctlclient_connect(sock, 5000);
    static const char *const langs[] = {"lang-es", "lang-fr", "lang-en"};
    for (int i = 0; c && i < 3; i++) {
        json_decref(ctlclient_cmd(c, "press", json_pack("{s:s}", "id", langs[i]), 5000));
        json_decref(ctlclient_cmd(c, "press", json_pack("{s:s}", "id", "start"), 5000));
        json_decref(ctlclient_cmd(c, "ui", NULL, 5000));
        json_decref(ctlclient_cmd(c, "press", json_pack("{s:s}", "id", "back"), 5000));
        json_decref(ctlclient_cmd(c, "ui", NULL, 5000));
    }
    long kb = vm_hwm_kb(pid);
    ctlclient_close(c);
    stop(pid);
    rmdir(dir);
    printf("| peak memory (RSS), every screen in 3 languages | %.1f MiB | |\n", kb / 1024.0);
}

static bool ok_reply(json_t *r)
{
    bool ok = r && json_is_true(json_object_get(r, "ok"));
    json_decref(r);
    return ok;
}

/* Card on the emulated reader to "home" in the semantics tree, TAP_RUNS times. */
static void bench_tap(const char *bin, const char *nfcsim, const char *kioskctl)
{
    char dir[] = "/tmp/kiosk-bench-tap-XXXXXX";
    if (!mkdtemp(dir))
        return;
    char cmd[2048], sock[128], simsock[128], conf[128], tag[128];
    snprintf(sock, sizeof sock, "%s/control.sock", dir);
    snprintf(simsock, sizeof simsock, "%s/reader.sock", dir);
    snprintf(conf, sizeof conf, "%s/kiosk.conf", dir);
    snprintf(tag, sizeof tag, "%s/member.bin", dir);
    snprintf(cmd, sizeof cmd,
             "openssl ecparam -name prime256v1 -genkey -noout -out %s/key.pem 2>/dev/null && "
             "openssl ec -in %s/key.pem -pubout -out %s/pub.pem 2>/dev/null && "
             "'%s' card mint --role member --member M-0001 --uid 04a1b2c3d4e5f6 "
             "--key %s/key.pem --out %s >/dev/null",
             dir, dir, dir, kioskctl, dir, tag);
    if (system(cmd) != 0) {
        printf("| tap to greeting | (could not mint a card) | |\n");
        return;
    }
    FILE *f = fopen(conf, "w");
    fprintf(f, "[nfc]\nconnstring = pn532_uart:%s/reader\n[identity]\nloyalty_keys = %s/pub.pem\n",
            dir, dir);
    fclose(f);
    pid_t sim = fork();
    if (sim == 0) {
        char link[128];
        snprintf(link, sizeof link, "%s/reader", dir);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
        execl(nfcsim, nfcsim, "--link", link, "--control", simsock, (char *)NULL);
        _exit(127);
    }
    CtlClient *reader = ctlclient_connect(simsock, 5000);
    int fd;
    pid_t kiosk = spawn_kiosk_conf(bin, sock, conf, &fd);
    char buf[8];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    CtlClient *k = n > 0 ? ctlclient_connect(sock, 5000) : NULL;
    double t[TAP_RUNS];
    int done = 0;
    for (int i = 0; reader && k && i < TAP_RUNS; i++) {
        ok_reply(ctlclient_cmd(reader, "remove", NULL, 5000));
        ok_reply(ctlclient_cmd(k, "wait", json_pack("{s:s}", "screen", "attract"), 5000));
        /* A shopper's tap finds the reader idle, not still checking for the last card. */
        struct timespec settle = {0, 400 * 1000000L};
        nanosleep(&settle, NULL);
        double t0 = now_ms();
        if (!ok_reply(ctlclient_cmd(reader, "present", json_pack("{s:s}", "tag", tag), 5000)))
            break;
        if (!ok_reply(ctlclient_cmd(
                k, "wait", json_pack("{s:s,s:i}", "screen", "home", "timeout_ms", 5000), 6000)))
            break;
        t[done++] = now_ms() - t0;
        ok_reply(ctlclient_cmd(k, "press", json_pack("{s:s}", "id", "done"), 5000));
    }
    ctlclient_close(k);
    ctlclient_close(reader);
    stop(kiosk);
    stop(sim);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "kiosk-bench: could not remove %s\n", dir);
    if (done < 2) {
        printf("| tap to greeting (emulated reader) | (no greeting) | |\n");
        return;
    }
    printf("| tap to greeting (emulated reader), %d taps | %.1f ms | %.1f ms (p95) |\n", done,
           pct(t, done, 0.5), pct(t, done, 0.95));
}

int main(int argc, char **argv)
{
    const char *bin = "build/ui/kiosk";
    const char *nfcsim = "build/tools/nfc-sim/nfc-sim";
    const char *kioskctl = "build/tools/kioskctl/kioskctl";
    static const struct option options[] = {{"kiosk", required_argument, NULL, 'k'},
                                            {"nfc-sim", required_argument, NULL, 'n'},
                                            {"kioskctl", required_argument, NULL, 'c'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 'k') {
            bin = optarg;
        } else if (c == 'n') {
            nfcsim = optarg;
        } else if (c == 'c') {
            kioskctl = optarg;
        } else {
            printf("Usage: kiosk-bench [--kiosk PATH] [--nfc-sim PATH] [--kioskctl PATH]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    log_set_level(LOG_WARN);
    i18n_init(KIOSK_LOCALE_DIR);
    if (SDL_Init(0) != 0)
        return 1;
    printf("kiosk %s on %ld CPUs, software renderer\n\n", KIOSK_VERSION,
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("| measure | median | tail | |\n|---|---|---|---|\n");
    bench_start(bin);
    bench_render(KIOSK_MODE_KIOSK, 1920, 1080, KIOSK_ASSETS_DIR);
    bench_render(KIOSK_MODE_KIOSK, 3840, 2160, KIOSK_ASSETS_DIR);
    bench_render(KIOSK_MODE_MIRROR, 1080, 1920, KIOSK_ASSETS_DIR);
    bench_memory(bin);
    bench_tap(bin, nfcsim, kioskctl);
    SDL_Quit();
    return 0;
}
