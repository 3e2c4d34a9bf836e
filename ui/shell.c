/* shell.c: see shell.h.
 * One thread (the caller of shell_run) owns SDL, the Ui and the Core. Other threads only
 * post events: the control server, the signal watcher, and later the NFC and network
 * workers. In a window the loop sleeps in SDL_WaitEventTimeout and posts wake it with an
 * SDL user event; headless it sleeps on the event queue itself. A frame is drawn only when
 * the state changed, a control request needs it, or a countdown is running. */
#include "shell.h"

#include <SDL2/SDL.h>
#include <SDL2/SDL_image.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "control.h"
#include "core.h"
#include "evq.h"
#include "i18n.h"
#include "identity.h"
#include "images.h"
#include "log.h"
#include "watchdog.h"
#include "diag.h"
#include "nfc.h"
#include "scanner.h"
#include "screen.h"
#include "store.h"
#include "ui.h"
#include "version.h"

#define SHELL_MAX_WAITS       16
#define SHELL_WAIT_DEFAULT_MS 5000
#define SHELL_WAIT_MAX_MS     120000

typedef struct PendingWait {
    ControlCall *call;
    ScreenId screen;
    uint64_t deadline_ms;
} PendingWait;

struct Shell {
    const KioskConfig *cfg;
    ShellOptions opt;
    SDL_Window *window;
    SDL_Surface *target; /* headless: the frame lives here */
    SDL_Renderer *renderer;
    Ui *ui;
    EventQueue *queue;
    Core *core;
    ControlServer *control;
    TokenKeyring *keyring; /* read-only once loaded: the NFC worker reads it too */
    NfcReader *reader;
    Scanner scanner;
    Uint32 wake_event;
    pthread_t signal_thread;
    bool signal_thread_started;
    bool quit;
    uint64_t drawn_version; /* AppState.version of the frame on screen */
    bool drawn_once;
    bool redraw; /* the window system lost our pixels: draw again */
    int drawn_language;
    bool drawn_accessible;
    Images *images;         /* product pictures; NULL without a data directory */
    ScreenId drawn_screen;  /* the screen of the frame on display */
    int drawn_page;         /* and its page of products */
    SDL_Texture *fade_from; /* the last frame of the screen we left, fading out */
    uint64_t fade_start_ms;
    atomic_bool image_arrived; /* set by the image loader: draw again */
    pthread_t shot_thread;     /* saving (and sending) the operator's screenshot */
    bool shot_started;         /* joined before the core goes */
    atomic_bool shot_done;
    uint64_t redraw_at_ms; /* 0: no timed redraw wanted */
    char assets_dir[CONFIG_PATH_MAX];
    PendingWait waits[SHELL_MAX_WAITS];
    int wait_count;
    Watchdog *watchdog; /* NULL outside systemd, or without WatchdogSec */
    bool reset;         /* a factory reset once the loop has stopped */
    unsigned long frames;
    double last_frame_ms; /* how long the last frame took to draw */
    /* What the reader said last, for diagnostics: written by the NFC worker. */
    pthread_mutex_t nfc_lock;
    char reader_detail[NFC_DETAIL_MAX];
    unsigned long taps;
    long long last_tap_s; /* wall clock, 0 never */
    char last_tap_kind[16];
};

/* --- waking the loop ---------------------------------------------------------------- */

/* The watchdog's nudge: an empty event, so that an idle loop turns and says it is alive. */
static void wake_loop(void *ctx)
{
    Shell *sh = ctx;
    Event ev = {.type = EV_NONE};
    if (evq_post(sh->queue, &ev) != KIOSK_OK)
        log_debug("shell", "event queue full: the watchdog's nudge waits for the next turn");
}

static void wake_sdl(void *ctx)
{
    Shell *sh = ctx;
    SDL_Event e = {.type = sh->wake_event};
    SDL_PushEvent(&e); /* thread-safe by SDL's contract */
}

/* SIGTERM and SIGINT are blocked in every thread and taken here, so that quitting goes
 * through the queue like any other input. */
static void *watch_signals(void *arg)
{
    Shell *sh = arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGUSR2); /* shell_destroy's private "stop watching" */
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig == SIGUSR2)
            return NULL;
        log_info("shell", "signal %d: quitting", sig);
        Event ev = {.type = EV_QUIT};
        while (evq_post(sh->queue, &ev) == KIOSK_E_FULL)
            usleep(1000);
    }
}

/* --- drawing ------------------------------------------------------------------------ */

#define SHELL_FADE_MS 180 /* a screen change cross-fades this long, at the display's pace */

static void end_fade(Shell *sh)
{
    if (sh->fade_from)
        SDL_DestroyTexture(sh->fade_from);
    sh->fade_from = NULL;
}

/* The pixels of the frame on display, w x h, as an ARGB surface (the caller's), or NULL. */
static SDL_Surface *read_frame(Shell *sh, int w, int h)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (s && SDL_RenderReadPixels(sh->renderer, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels,
                                  s->pitch) != 0) {
        SDL_FreeSurface(s);
        s = NULL;
    }
    return s;
}

/* Keeps the frame on display to fade it out over the next screen. Best effort: without it
 * the screen simply changes. */
static void start_fade(Shell *sh, uint64_t now)
{
    end_fade(sh);
    /* Headless, nobody watches the transition, and with the software renderer it costs a
     * frame read back and ~10 blended frames: tests, screenshots and benchmarks go without. */
    if (sh->opt.headless)
        return;
    int w = 0, h = 0;
    if (SDL_GetRendererOutputSize(sh->renderer, &w, &h) != 0)
        return;
    SDL_Surface *snap = read_frame(sh, w, h);
    if (snap) {
        sh->fade_from = SDL_CreateTextureFromSurface(sh->renderer, snap);
        if (sh->fade_from)
            SDL_SetTextureBlendMode(sh->fade_from, SDL_BLENDMODE_BLEND);
        sh->fade_start_ms = now;
    }
    SDL_FreeSurface(snap);
}

/* Draws the old frame over the new one with its fading alpha; returns true while fading. */
static bool draw_fade(Shell *sh, uint64_t now)
{
    if (!sh->fade_from)
        return false;
    uint64_t t = now - sh->fade_start_ms;
    if (t >= SHELL_FADE_MS) {
        end_fade(sh);
        return false;
    }
    SDL_SetTextureAlphaMod(sh->fade_from, (Uint8)(255 * (SHELL_FADE_MS - t) / SHELL_FADE_MS));
    SDL_RenderCopy(sh->renderer, sh->fade_from, NULL, NULL);
    return true;
}

static void render(Shell *sh)
{
    const AppState *s = core_state(sh->core);
    uint64_t started = clock_monotonic_ms(NULL);
    if (s->language != sh->drawn_language) {
        i18n_set_language(app_language(s));
        sh->drawn_language = s->language;
    }
    if (s->accessible != sh->drawn_accessible) {
        ui_set_contrast(sh->ui, sh->cfg, s->accessible);
        sh->drawn_accessible = s->accessible;
    }
    atomic_store(&sh->image_arrived, false);
    ScreenEnv env = {.cfg = sh->cfg,
                     .now_ms = core_now(sh->core),
                     .wall_s = (int64_t)time(NULL),
                     .images = sh->images};
    if (sh->drawn_once && !s->idle_warning &&
        (s->screen != sh->drawn_screen || s->session.browse_page != sh->drawn_page))
        start_fade(sh, env.now_ms);
    sh->drawn_screen = s->screen;
    sh->drawn_page = s->session.browse_page;
    int again = screen_draw(sh->ui, s, &env);
    bool moving =
        draw_fade(sh, env.now_ms) || (sh->images && images_fading(sh->images, env.now_ms));
    if (moving && (again < 0 || again > 16))
        again = 16; /* a transition or a picture fading in: the next frame at the display's pace */
    SDL_RenderPresent(sh->renderer);
    sh->drawn_version = s->version;
    sh->frames++;
    sh->last_frame_ms = (double)(clock_monotonic_ms(NULL) - started);
    sh->redraw = false;
    sh->redraw_at_ms = again >= 0 ? env.now_ms + (uint64_t)again : 0;
    if (!sh->drawn_once) {
        sh->drawn_once = true;
        log_info("shell", "first frame: %s, %dx%d", app_screen_name(s->screen), sh->ui->w,
                 sh->ui->h);
        watchdog_notify("READY=1\nSTATUS=Showing the attract screen");
        if (sh->opt.ready_fd >= 0) {
            ssize_t n = write(sh->opt.ready_fd, "ready\n", 6);
            (void)n;
            close(sh->opt.ready_fd);
            sh->opt.ready_fd = -1;
        }
    }
}

/* Makes sure the frame on screen shows the current state (control requests read it). */
static void ensure_frame(Shell *sh)
{
    const AppState *s = core_state(sh->core);
    if (!sh->drawn_once || sh->redraw || s->version != sh->drawn_version ||
        s->language != sh->drawn_language || atomic_load(&sh->image_arrived) ||
        (sh->redraw_at_ms && core_now(sh->core) >= sh->redraw_at_ms))
        render(sh);
}

/* --- input -------------------------------------------------------------------------- */

static void post(Shell *sh, const Event *ev)
{
    if (evq_post(sh->queue, ev) != KIOSK_OK)
        log_warn("shell", "event queue full: dropped a %s event", event_type_name(ev->type));
}

/* A finger at (x, y) in layout coordinates: keeps the session alive, presses what is
 * there. Returns the pressed widget or NULL. */
static const SemNode *tap(Shell *sh, int x, int y)
{
    ensure_frame(sh);
    post(sh, &(Event){.type = EV_TOUCH});
    const SemNode *n = ui_hit(sh->ui, x, y);
    if (n && n->action.type != EV_NONE)
        post(sh, &n->action);
    return n;
}

/* A complete scanner line: verified here (about 2 ms), posted as what it means. */
static void on_scanner_line(void *ctx, const char *line)
{
    Shell *sh = ctx;
    Event ev = {.type = EV_IDENTITY};
    identity_from_line(sh->keyring, line, (uint32_t)time(NULL), &ev.u.identity);
    if (ev.u.identity.kind == IDENTITY_NONE) /* nothing to act on (the service test sees it) */
        log_info("shell", "ignored a scanner line of %zu bytes: not a member code", strlen(line));
    post(sh, &ev);
}

/* --- the NFC reader (callbacks run on its worker thread) ----------------------------- */

static void on_tap(void *ctx, const NfcTap *tap)
{
    Shell *sh = ctx;
    Event ev = {.type = EV_IDENTITY};
    identity_from_tag(sh->keyring, sh->cfg->product_uri, tap->uid, tap->uid_len, tap->data,
                      tap->data_len, (uint32_t)time(NULL), &ev.u.identity);
    pthread_mutex_lock(&sh->nfc_lock);
    sh->taps++;
    sh->last_tap_s = (long long)time(NULL);
    snprintf(sh->last_tap_kind, sizeof sh->last_tap_kind, "%s",
             identity_kind_name(ev.u.identity.kind));
    pthread_mutex_unlock(&sh->nfc_lock);
    post(sh, &ev);
}

static void on_removed(void *ctx)
{
    Shell *sh = ctx;
    post(sh, &(Event){.type = EV_CARD_REMOVED});
}

static void on_reader(void *ctx, bool connected, const char *detail)
{
    Shell *sh = ctx;
    log_info("shell", "card reader %s: %s", connected ? "ready" : "unavailable", detail);
    pthread_mutex_lock(&sh->nfc_lock);
    snprintf(sh->reader_detail, sizeof sh->reader_detail, "%s", detail);
    pthread_mutex_unlock(&sh->nfc_lock);
    Event ev = {.type = EV_READER, .u.reader.connected = connected};
    snprintf(ev.u.reader.detail, sizeof ev.u.reader.detail, "%.127s", detail);
    post(sh, &ev);
}

/* Loads the loyalty keys named in the configuration. A key that cannot be read stops the
 * start: a kiosk that silently refused every card would be worse. */
static KioskErr load_keys(Shell *sh)
{
    sh->keyring = token_keyring_create();
    if (!sh->keyring)
        return KIOSK_E_NOMEM;
    for (int i = 0; i < sh->cfg->loyalty_key_count; i++) {
        KioskErr err = token_keyring_add_file(sh->keyring, sh->cfg->loyalty_keys[i]);
        if (err != KIOSK_OK) {
            log_error("shell", "[identity] loyalty_keys: cannot use %s (%s)",
                      sh->cfg->loyalty_keys[i], kerr_name(err));
            return KIOSK_E_CONFIG;
        }
    }
    if (sh->cfg->loyalty_key_count == 0)
        log_warn("shell", "no loyalty keys configured: member cards cannot be verified");
    return KIOSK_OK;
}

static void on_sdl_event(Shell *sh, const SDL_Event *e)
{
    switch (e->type) {
    case SDL_QUIT:
        sh->quit = true;
        break;
    case SDL_MOUSEBUTTONUP:
        if (e->button.which != SDL_TOUCH_MOUSEID)
            tap(sh, e->button.x, e->button.y);
        break;
    case SDL_FINGERUP:
        tap(sh, (int)(e->tfinger.x * (float)sh->ui->w), (int)(e->tfinger.y * (float)sh->ui->h));
        break;
    case SDL_TEXTINPUT:
        scanner_feed(&sh->scanner, e->text.text, strlen(e->text.text), on_scanner_line, sh);
        break;
    case SDL_KEYDOWN:
        if (e->key.keysym.sym == SDLK_RETURN || e->key.keysym.sym == SDLK_KP_ENTER)
            scanner_feed(&sh->scanner, "\n", 1, on_scanner_line, sh);
        break;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_EXPOSED)
            sh->redraw = true;
        break;
    default:
        break;
    }
}

/* --- control commands --------------------------------------------------------------- */

static json_t *rect_json(SDL_Rect r)
{
    return json_pack("[iiii]", r.x, r.y, r.w, r.h);
}

static void cmd_ui(Shell *sh, ControlCall *call)
{
    ensure_frame(sh);
    json_t *widgets = json_array();
    for (int i = 0; i < sh->ui->node_count; i++) {
        const SemNode *n = &sh->ui->nodes[i];
        json_t *w = json_pack("{s:s,s:s,s:s,s:o,s:b}", "id", n->id, "role", n->role, "text",
                              n->text, "rect", rect_json(n->rect), "enabled", n->enabled);
        if (n->clipped)
            json_object_set_new(w, "clipped", json_true());
        if (!SDL_RectEquals(&n->ink, &n->rect))
            json_object_set_new(w, "ink", rect_json(n->ink));
        if (n->selected)
            json_object_set_new(w, "selected", json_true());
        json_array_append_new(widgets, w);
    }
    const AppState *s = core_state(sh->core);
    control_reply(call,
                  json_pack("{s:s,s:s,s:s,s:[ii],s:o}", "screen", app_screen_name(s->screen),
                            "mode", config_mode_name(s->mode), "language", app_language(s), "size",
                            sh->ui->w, sh->ui->h, "widgets", widgets),
                  NULL, NULL);
}

static void cmd_press(Shell *sh, ControlCall *call)
{
    const char *id = json_string_value(json_object_get(control_call_request(call), "id"));
    if (!id) {
        control_reply_error(call, "bad_request", "press needs a string \"id\"");
        return;
    }
    ensure_frame(sh);
    const SemNode *n = ui_find(sh->ui, id);
    if (!n) {
        control_reply_error(call, "not_found", "no widget with that id on this screen");
        return;
    }
    if (!n->pressable || !n->enabled) {
        control_reply_error(call, "not_pressable", "that widget cannot be pressed now");
        return;
    }
    /* Pressed as a finger would: at its centre, so whatever is on top there gets it. */
    const SemNode *hit = tap(sh, n->rect.x + n->rect.w / 2, n->rect.y + n->rect.h / 2);
    control_reply(call, json_pack("{s:s?}", "pressed", hit ? hit->id : NULL), NULL, NULL);
}

static void cmd_tap(Shell *sh, ControlCall *call)
{
    json_t *req = control_call_request(call);
    json_t *x = json_object_get(req, "x"), *y = json_object_get(req, "y");
    if (!json_is_integer(x) || !json_is_integer(y)) {
        control_reply_error(call, "bad_request", "tap needs integer \"x\" and \"y\"");
        return;
    }
    const SemNode *hit = tap(sh, (int)json_integer_value(x), (int)json_integer_value(y));
    control_reply(call, json_pack("{s:s?}", "pressed", hit ? hit->id : NULL), NULL, NULL);
}

static void cmd_type(Shell *sh, ControlCall *call)
{
    json_t *text = json_object_get(control_call_request(call), "text");
    if (!json_is_string(text)) {
        control_reply_error(call, "bad_request", "type needs a string \"text\"");
        return;
    }
    post(sh, &(Event){.type = EV_TOUCH});
    scanner_feed(&sh->scanner, json_string_value(text), json_string_length(text), on_scanner_line,
                 sh);
    control_reply(call, NULL, NULL, NULL);
}

static json_t *state_json(Shell *sh)
{
    const AppState *s = core_state(sh->core);
    json_t *st =
        json_pack("{s:s,s:s,s:s,s:s?,s:i,s:b,s:i,s:b,s:s}", "screen", app_screen_name(s->screen),
                  "mode", config_mode_name(s->mode), "language", app_language(s), "member",
                  s->session.member_id[0] ? s->session.member_id : NULL, "cart", app_cart_items(s),
                  "online", s->online, "outbox", (int)s->outbox_depth, "idle_warning",
                  s->idle_warning, "notice", app_notice_name(s->notice));
    /* the local catalog: how many products, and whether a sync has completed */
    json_object_set_new(st, "catalog", json_integer((json_int_t)s->catalog_size));
    json_object_set_new(st, "synced", json_boolean(s->last_sync != 0));
    json_object_set_new(st, "reader",
                        s->reader_present ? json_boolean(s->reader_connected) : json_null());
    /* associate mode: on or off only (who it is stays off the socket's logs, too) */
    json_object_set_new(st, "associate", json_boolean(s->staff.active));
    static const char *const FITTING[] = {"none",       "sending",     "requested",
                                          "on_its_way", "unavailable", "failed"};
    json_object_set_new(st, "fitting", json_string(FITTING[s->session.fitting.status]));
    /* the fleet: how the last heartbeat went ("ok", a refusal such as device_revoked) */
    json_object_set_new(st, "heartbeat", s->heartbeat[0] ? json_string(s->heartbeat) : json_null());
    if (s->setup.needed) { /* first boot: how the enrollment goes */
        static const char *const STAGES[] = {"badge", "code", "enrolling", "done", "failed"};
        json_object_set_new(st, "setup",
                            json_pack("{s:s,s:s,s:s?}", "stage", STAGES[s->setup.stage], "serial",
                                      s->setup.serial, "error",
                                      s->setup.error[0] ? s->setup.error : NULL));
    }
    return st;
}

typedef struct Shot {
    SDL_Surface *surface;
    char path[CONFIG_PATH_MAX];
} Shot;

/* On the control thread: PNG encoding is slow and must not stall the UI. */
static void save_shot(json_t *reply, void *data)
{
    Shot *shot = data;
    if (IMG_SavePNG(shot->surface, shot->path) != 0) {
        json_object_set_new(reply, "ok", json_false());
        json_object_set_new(
            reply, "error",
            json_pack("{s:s,s:s}", "code", "io", "message", "cannot write the screenshot there"));
    } else {
        json_object_set_new(reply, "path", json_string(shot->path));
    }
    SDL_FreeSurface(shot->surface);
    free(shot);
    SDL_TLSCleanup(); /* SDL's per-thread error text on a thread SDL did not create */
}

static void cmd_screenshot(Shell *sh, ControlCall *call)
{
    const char *path = json_string_value(json_object_get(control_call_request(call), "path"));
    if (!path || !path[0] || strlen(path) >= CONFIG_PATH_MAX) {
        control_reply_error(call, "bad_request", "screenshot needs a string \"path\"");
        return;
    }
    ensure_frame(sh);
    if (sh->fade_from) { /* the picture of the screen, not of a transition */
        end_fade(sh);
        render(sh);
    }
    Shot *shot = calloc(1, sizeof *shot);
    SDL_Surface *s = read_frame(sh, sh->ui->w, sh->ui->h);
    if (!shot || !s) {
        free(shot);
        SDL_FreeSurface(s);
        control_reply_error(call, "io", "cannot read the frame");
        return;
    }
    shot->surface = s;
    snprintf(shot->path, sizeof shot->path, "%s", path);
    control_reply(call,
                  json_pack("{s:s,s:[ii]}", "screen", app_screen_name(core_state(sh->core)->screen),
                            "size", sh->ui->w, sh->ui->h),
                  save_shot, shot);
}

static bool screen_from_name(const char *name, ScreenId *out)
{
    for (int i = 0; i < SCREEN_COUNT; i++) {
        if (strcmp(app_screen_name((ScreenId)i), name) == 0) {
            *out = (ScreenId)i;
            return true;
        }
    }
    return false;
}

static void cmd_wait(Shell *sh, ControlCall *call)
{
    json_t *req = control_call_request(call);
    const char *name = json_string_value(json_object_get(req, "screen"));
    json_t *t = json_object_get(req, "timeout_ms");
    ScreenId want;
    if (!name || !screen_from_name(name, &want)) {
        control_reply_error(call, "bad_request", "wait needs \"screen\": a known screen id");
        return;
    }
    json_int_t ms = json_is_integer(t) ? json_integer_value(t) : SHELL_WAIT_DEFAULT_MS;
    if (ms < 0 || ms > SHELL_WAIT_MAX_MS) {
        control_reply_error(call, "bad_request", "timeout_ms must be 0 to 120000");
        return;
    }
    if (core_state(sh->core)->screen == want) {
        ensure_frame(sh);
        control_reply(call, state_json(sh), NULL, NULL);
        return;
    }
    if (sh->wait_count == SHELL_MAX_WAITS) {
        control_reply_error(call, "busy", "too many waits at once");
        return;
    }
    sh->waits[sh->wait_count++] = (PendingWait){call, want, core_now(sh->core) + (uint64_t)ms};
}

/* Answers the waits whose screen is showing, or whose time ran out. */
static void service_waits(Shell *sh)
{
    uint64_t now = core_now(sh->core);
    for (int i = 0; i < sh->wait_count;) {
        PendingWait *w = &sh->waits[i];
        if (core_state(sh->core)->screen == w->screen) {
            ensure_frame(sh);
            control_reply(w->call, state_json(sh), NULL, NULL);
        } else if (now >= w->deadline_ms) {
            control_reply_error(w->call, "timeout", "that screen did not show in time");
        } else {
            i++;
            continue;
        }
        sh->waits[i] = sh->waits[--sh->wait_count];
    }
}

static void cmd_state(Shell *sh, ControlCall *call)
{
    control_reply(call, state_json(sh), NULL, NULL);
}

/* --- a technician's questions ---------------------------------------------------------- */

static void cmd_logs(Shell *sh, ControlCall *call)
{
    (void)sh;
    json_t *n = json_object_get(control_call_request(call), "lines");
    int want = json_is_integer(n) ? (int)json_integer_value(n) : 50;
    if (n && !json_is_integer(n)) {
        control_reply_error(call, "bad_request", "lines must be a number");
        return;
    }
    if (want < 1 || want > LOG_RECENT_LINES) {
        control_reply_error(call, "bad_request", "lines must be 1 to 200");
        return;
    }
    static LogLine lines[LOG_RECENT_LINES]; /* UI thread only: too big for its stack frame */
    int got = log_recent(lines, want);
    json_t *list = json_array();
    for (int i = 0; i < got; i++) {
        char iso[32];
        time_t t = (time_t)lines[i].time;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s}", "time", iso, "level",
                                              log_level_name(lines[i].level), "module",
                                              lines[i].module, "text", lines[i].text));
    }
    control_reply(call, json_pack("{s:o}", "lines", list), NULL, NULL);
}

typedef struct DiagWork {
    bool storage, network;
    CentralClient *central;
    char url[CONFIG_PATH_MAX];
    char data_dir[CONFIG_PATH_MAX];
} DiagWork;

/* On the control thread: the file system, and a timed call to the service. */
static void finish_diag(json_t *reply, void *data)
{
    DiagWork *d = data;
    json_t *part;
    if (d->storage) {
        part = diag_storage(d->data_dir);
        json_object_update(json_object_get(reply, "storage"), part);
        json_decref(part);
    }
    if (d->network) {
        part = diag_network(d->central, d->url);
        json_object_update(json_object_get(reply, "network"), part);
        json_decref(part);
    }
    free(d);
}

static json_t *diag_nfc(Shell *sh)
{
    const AppState *s = core_state(sh->core);
    pthread_mutex_lock(&sh->nfc_lock);
    json_t *o = json_pack("{s:b,s:b,s:s,s:s,s:I}", "configured", s->reader_present, "connected",
                          s->reader_connected, "connstring", sh->cfg->nfc_connstring, "detail",
                          sh->reader_detail, "taps", (json_int_t)sh->taps);
    if (sh->last_tap_s)
        json_object_set_new(o, "last_tap",
                            json_pack("{s:I,s:s}", "seconds_ago",
                                      (json_int_t)(time(NULL) - sh->last_tap_s), "kind",
                                      sh->last_tap_kind));
    else
        json_object_set_new(o, "last_tap", json_null());
    pthread_mutex_unlock(&sh->nfc_lock);
    return o;
}

static json_t *diag_display(Shell *sh)
{
    SDL_RendererInfo ri = {0};
    SDL_GetRendererInfo(sh->renderer, &ri);
    const char *driver = SDL_GetCurrentVideoDriver();
    return json_pack(
        "{s:s,s:i,s:i,s:b,s:b,s:s,s:s,s:I,s:f,s:s}", "mode", config_mode_name(sh->cfg->mode),
        "width", sh->ui->w, "height", sh->ui->h, "fullscreen", sh->cfg->fullscreen, "headless",
        sh->opt.headless, "video_driver", driver ? driver : "none", "renderer",
        ri.name ? ri.name : "unknown", "frames", (json_int_t)sh->frames, "last_frame_ms",
        sh->last_frame_ms, "screen", app_screen_name(core_state(sh->core)->screen));
}

/* {"cmd":"diag","what":"nfc"|"net"|"display"|"storage"} (no "what": all of them). The reader
 * and the display are answered here; the disk and the network on the control thread. */
static void cmd_diag(Shell *sh, ControlCall *call)
{
    const char *what = json_string_value(json_object_get(control_call_request(call), "what"));
    bool all = !what;
    bool nfc = all || strcmp(what, "nfc") == 0, display = all || strcmp(what, "display") == 0;
    bool storage = all || strcmp(what, "storage") == 0, net = all || strcmp(what, "net") == 0;
    if (!nfc && !display && !storage && !net) {
        control_reply_error(call, "bad_request", "what must be nfc, net, display or storage");
        return;
    }
    const AppState *s = core_state(sh->core);
    json_t *reply = json_object();
    if (nfc)
        json_object_set_new(reply, "nfc", diag_nfc(sh));
    if (display)
        json_object_set_new(reply, "display", diag_display(sh));
    if (storage)
        json_object_set_new(reply, "storage", json_pack("{s:i}", "outbox", (int)s->outbox_depth));
    if (net) {
        char synced[32] = "";
        if (s->last_sync) {
            time_t t = (time_t)s->last_sync;
            struct tm tm;
            gmtime_r(&t, &tm);
            strftime(synced, sizeof synced, "%Y-%m-%dT%H:%M:%SZ", &tm);
        }
        json_object_set_new(reply, "network",
                            json_pack("{s:b,s:s?,s:I}", "online", s->online, "last_sync",
                                      synced[0] ? synced : NULL, "catalog_products",
                                      (json_int_t)s->catalog_size));
        int64_t days;
        if (core_device_certificate_days(sh->core, &days))
            json_object_set_new(json_object_get(reply, "network"), "device_certificate_days_left",
                                json_integer((json_int_t)days));
    }
    DiagWork *d = calloc(1, sizeof *d);
    if (!d) {
        json_decref(reply);
        control_reply_error(call, "io", "out of memory");
        return;
    }
    *d = (DiagWork){.storage = storage, .network = net, .central = core_central(sh->core)};
    snprintf(d->url, sizeof d->url, "%s", sh->cfg->central_url);
    snprintf(d->data_dir, sizeof d->data_dir, "%s", sh->cfg->data_dir);
    control_reply(call, reply, finish_diag, d);
}

/* An intent by name, as a button would post it: for scripts and tests. It goes through the
 * same rules as a touch, so it can do nothing a finger could not (an associate's intents are
 * refused outside associate mode). */
static void cmd_intent(Shell *sh, ControlCall *call)
{
    json_t *req = control_call_request(call);
    const char *name = json_string_value(json_object_get(req, "name"));
    json_t *arg = json_object_get(req, "arg");
    Intent intent = name ? intent_from_name(name) : INTENT_NONE;
    if (intent == INTENT_NONE || (arg && !json_is_integer(arg))) {
        control_reply_error(call, "bad_request",
                            "intent needs a known \"name\" and an integer \"arg\"");
        return;
    }
    json_int_t a = arg ? json_integer_value(arg) : 0;
    if (a < INT32_MIN || a > INT32_MAX) {
        control_reply_error(call, "bad_request", "arg out of range");
        return;
    }
    post(sh, &(Event){.type = EV_TOUCH});
    post(sh, &(Event){.type = EV_INTENT, .u.intent = {intent, (int32_t)a}});
    control_reply(call, NULL, NULL, NULL);
}

/* {"cmd":"health"}: the check an update passes before its slot is marked good (RAUC): the
 * UI draws, the local store is there, and the central service answers or orders wait safely
 * in the outbox for it. */
static void cmd_health(Shell *sh, ControlCall *call)
{
    const AppState *s = core_state(sh->core);
    char db[CONFIG_PATH_MAX + 32];
    snprintf(db, sizeof db, "%s/%s", sh->cfg->data_dir, STORE_FILE_NAME);
    bool ui = sh->drawn_once && sh->frames > 0;
    bool store = access(db, R_OK | W_OK) == 0;
    bool central = !s->central || s->online || s->outbox_depth > 0 || s->setup.needed;
    control_reply(call,
                  json_pack("{s:b,s:{s:b,s:b,s:b},s:s}", "healthy", ui && store && central,
                            "checks", "ui", ui, "store", store, "central", central, "version",
                            KIOSK_VERSION),
                  NULL, NULL);
}

/* {"cmd":"enroll","code":"KQ7M-2XPD"}: a technician with a shell on the device enrolls it
 * (the socket is owner-only: no badge needed). The screen shows how it goes; `state` has it. */
static void cmd_enroll(Shell *sh, ControlCall *call)
{
    const char *code = json_string_value(json_object_get(control_call_request(call), "code"));
    if (!core_state(sh->core)->setup.needed) {
        control_reply_error(
            call, "already_enrolled",
            "this device is enrolled; a factory reset (kioskctl reset) comes first");
        return;
    }
    Event ev = {.type = EV_IDENTITY};
    char line[IDENTITY_CODE_MAX + 16];
    snprintf(line, sizeof line, "ENROLL:%.40s", code ? code : "");
    identity_from_line(sh->keyring, line, (uint32_t)time(NULL), &ev.u.identity);
    if (!code || ev.u.identity.kind != IDENTITY_ENROLL_CODE) {
        control_reply_error(call, "bad_request",
                            "enroll needs the \"code\" from the device console");
        return;
    }
    ev.u.identity.source = SOURCE_CONTROL;
    post(sh, &ev);
    control_reply(call, NULL, NULL, NULL);
}

/* {"cmd":"reset","confirm":"erase everything","force":false}: the factory reset. Refused
 * while orders wait in the outbox (they would be lost) unless forced. The kiosk stops, the
 * data directory is emptied, and it starts again as a new device. */
static void cmd_reset(Shell *sh, ControlCall *call)
{
    json_t *req = control_call_request(call);
    const char *confirm = json_string_value(json_object_get(req, "confirm"));
    bool force = json_is_true(json_object_get(req, "force"));
    const AppState *s = core_state(sh->core);
    if (!confirm || strcmp(confirm, "erase everything") != 0) {
        control_reply_error(call, "not_confirmed",
                            "a factory reset needs \"confirm\": \"erase everything\"");
        return;
    }
    if (s->outbox_depth > 0 && !force) {
        control_reply_error(call, "orders_waiting",
                            "orders are waiting to be sent: connect the network and let them go, "
                            "or force the reset and lose them");
        return;
    }
    log_warn("shell", "factory reset asked from the control socket%s", force ? " (forced)" : "");
    sh->reset = true;
    sh->quit = true;
    control_reply(call, json_pack("{s:b}", "restarting", 1), NULL, NULL);
}

bool shell_reset_wanted(const Shell *sh)
{
    return sh->reset;
}

static void cmd_version(Shell *sh, ControlCall *call)
{
    control_reply(call, json_pack("{s:s}", "version", KIOSK_VERSION), NULL, NULL);
}

static void on_control(Shell *sh, ControlCall *call)
{
    static const struct {
        const char *name;
        void (*fn)(Shell *, ControlCall *);
    } cmds[] = {{"ui", cmd_ui},
                {"press", cmd_press},
                {"tap", cmd_tap},
                {"type", cmd_type},
                {"screenshot", cmd_screenshot},
                {"state", cmd_state},
                {"wait", cmd_wait},
                {"version", cmd_version},
                {"intent", cmd_intent},
                {"logs", cmd_logs},
                {"diag", cmd_diag},
                {"enroll", cmd_enroll},
                {"health", cmd_health},
                {"reset", cmd_reset}};
    const char *cmd = control_call_cmd(call);
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        if (strcmp(cmd, cmds[i].name) == 0) {
            cmds[i].fn(sh, call);
            return;
        }
    }
    control_reply_error(call, "unknown_command",
                        "commands: ui, press, tap, type, screenshot, state, wait, version, "
                        "intent, logs, diag, health, enroll, reset");
}

static void on_foreign(void *ctx, const Event *ev)
{
    Shell *sh = ctx;
    if (ev->type == EV_QUIT)
        sh->quit = true;
    else if (ev->type == EV_CONTROL)
        on_control(sh, ev->u.control.call);
}

/* --- life cycle --------------------------------------------------------------------- */

static KioskErr open_display(Shell *sh)
{
    const KioskConfig *cfg = sh->cfg;
    if (sh->opt.headless) {
        sh->target = SDL_CreateRGBSurfaceWithFormat(0, cfg->width, cfg->height, 32,
                                                    SDL_PIXELFORMAT_ARGB8888);
        sh->renderer = sh->target ? SDL_CreateSoftwareRenderer(sh->target) : NULL;
        if (!sh->renderer) {
            log_error("shell", "cannot create the offscreen renderer: %s", SDL_GetError());
            return KIOSK_E_IO;
        }
        return KIOSK_OK;
    }
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        log_error("shell", "no display (%s); run with --headless", SDL_GetError());
        return KIOSK_E_IO;
    }
    Uint32 flags = SDL_WINDOW_SHOWN | SDL_WINDOW_ALLOW_HIGHDPI;
    if (cfg->fullscreen)
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    /* In a window on a desktop (development, demos), fit the window to the screen: a portrait
     * mirror would not fit a landscape monitor. The layout keeps the configured size. */
    int win_w = cfg->width, win_h = cfg->height;
    SDL_Rect usable;
    if (!cfg->fullscreen && SDL_GetDisplayUsableBounds(0, &usable) == 0 &&
        (win_w > usable.w || win_h > usable.h)) {
        double k = SDL_min((double)usable.w / win_w, (double)usable.h / win_h);
        win_w = (int)(win_w * k);
        win_h = (int)(win_h * k);
    }
    sh->window = SDL_CreateWindow(cfg->brand_name, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                  win_w, win_h, flags);
    if (!sh->window) {
        log_error("shell", "cannot open a window: %s", SDL_GetError());
        return KIOSK_E_IO;
    }
    sh->renderer = SDL_CreateRenderer(sh->window, -1, SDL_RENDERER_PRESENTVSYNC);
    if (!sh->renderer)
        sh->renderer = SDL_CreateRenderer(sh->window, -1, SDL_RENDERER_SOFTWARE);
    if (!sh->renderer) {
        log_error("shell", "cannot create a renderer: %s", SDL_GetError());
        return KIOSK_E_IO;
    }
    /* Layout is always at the configured size; a larger panel scales it. */
    SDL_RenderSetLogicalSize(sh->renderer, cfg->width, cfg->height);
    if (cfg->fullscreen)
        SDL_ShowCursor(SDL_DISABLE);
    SDL_StartTextInput();
    return KIOSK_OK;
}

/* On the image loader's thread: a picture is ready, draw again. */
static void image_ready(void *ctx)
{
    Shell *sh = ctx;
    atomic_store(&sh->image_arrived, true);
    Event ev = {.type = EV_NONE};
    (void)evq_post(sh->queue, &ev); /* a full queue wakes the loop anyway */
}

/* Product pictures come from the central service through a disk cache beside the store. */
static void start_images(Shell *sh)
{
    CentralClient *central = core_central(sh->core);
    if (!central)
        return; /* placeholders: nowhere to fetch pictures from */
    char db[CONFIG_PATH_MAX + 32];
    snprintf(db, sizeof db, "%s/%s", sh->cfg->data_dir, STORE_FILE_NAME);
    ImagesConfig ic = {.store_path = db,
                       .fetch = images_fetch_central,
                       .fetch_ctx = central,
                       .wake = image_ready,
                       .wake_ctx = sh};
    KioskErr err;
    sh->images = images_create(&ic, &err);
    if (!sh->images)
        log_error("shell", "product pictures not started (%s): placeholders shown", kerr_name(err));
}

Shell *shell_create(const KioskConfig *cfg, const ShellOptions *opt, KioskErr *err)
{
    Shell *sh = calloc(1, sizeof *sh);
    *err = KIOSK_E_NOMEM;
    if (!sh)
        return NULL;
    sh->cfg = cfg;
    sh->opt = *opt;
    pthread_mutex_init(&sh->nfc_lock, NULL);
    sh->drawn_language = -1;
    scanner_init(&sh->scanner);
    snprintf(sh->assets_dir, sizeof sh->assets_dir, "%s",
             cfg->assets_dir[0] ? cfg->assets_dir : KIOSK_ASSETS_DIR);
    i18n_init(KIOSK_LOCALE_DIR);

    /* Before any thread starts (SDL's, the central client's, the NFC worker's): SIGTERM and
     * SIGINT must reach only the watcher thread, which turns them into EV_QUIT. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    if (SDL_Init(SDL_INIT_EVENTS) != 0 || IMG_Init(IMG_INIT_PNG) == 0) {
        log_error("shell", "SDL: %s", SDL_GetError());
        *err = KIOSK_E_IO;
        goto fail;
    }
    sh->wake_event = SDL_RegisterEvents(1);
    sh->queue = opt->headless ? evq_create(EVQ_DEFAULT_CAPACITY, NULL, NULL)
                              : evq_create(EVQ_DEFAULT_CAPACITY, wake_sdl, sh);
    if (!sh->queue)
        goto fail;
    sh->core = core_create(cfg, sh->queue, clock_system());
    if (!sh->core)
        goto fail;
    if ((*err = open_display(sh)) != KIOSK_OK)
        goto fail;
    sh->ui = ui_create(sh->renderer, cfg->width, cfg->height, cfg, sh->assets_dir, err);
    if (!sh->ui)
        goto fail;
    sh->drawn_accessible = cfg->high_contrast;
    start_images(sh);
    if ((*err = load_keys(sh)) != KIOSK_OK)
        goto fail;

    if (pthread_create(&sh->signal_thread, NULL, watch_signals, sh) != 0) {
        *err = KIOSK_E_NOMEM;
        goto fail;
    }
    sh->signal_thread_started = true;
    if (opt->control_path) {
        sh->control = control_create(opt->control_path, sh->queue, err);
        if (!sh->control)
            goto fail;
    }
    /* Under systemd with WatchdogSec: pinged only while this loop turns (watchdog.h). */
    WatchdogConfig wc = {.wake = wake_loop, .wake_ctx = sh};
    sh->watchdog = watchdog_start(&wc, err);
    if (!sh->watchdog && *err != KIOSK_OK)
        goto fail;
    if (cfg->nfc_connstring[0]) {
        /* The reader may be absent now and plugged in later: the worker keeps trying. */
        NfcCallbacks cb = {
            .on_tap = on_tap, .on_removed = on_removed, .on_reader = on_reader, .ctx = sh};
        sh->reader = nfc_reader_start(cfg->nfc_connstring, &cb, err);
        if (!sh->reader)
            goto fail;
    }
    *err = KIOSK_OK;
    return sh;
fail:
    shell_destroy(sh);
    return NULL;
}

static int next_timeout(Shell *sh)
{
    uint64_t now = core_now(sh->core);
    int64_t t = core_next_timeout(sh->core);
    if (sh->redraw_at_ms) {
        int64_t r = sh->redraw_at_ms > now ? (int64_t)(sh->redraw_at_ms - now) : 0;
        if (t < 0 || r < t)
            t = r;
    }
    for (int i = 0; i < sh->wait_count; i++) {
        int64_t w = sh->waits[i].deadline_ms > now ? (int64_t)(sh->waits[i].deadline_ms - now) : 0;
        if (t < 0 || w < t)
            t = w;
    }
    return t > INT32_MAX ? INT32_MAX : (int)t;
}

typedef struct SupportShot {
    Shell *sh;
    SDL_Surface *surface;
    char path[CONFIG_PATH_MAX + 32];
} SupportShot;

static void *save_support_shot(void *arg)
{
    SupportShot *shot = arg;
    if (IMG_SavePNG(shot->surface, shot->path) == 0) {
        log_info("shell", "screenshot for support saved to %s", shot->path);
        core_send_screenshot(shot->sh->core, shot->path); /* for the operator's console */
    } else {
        log_warn("shell", "the screenshot for support could not be saved to %s", shot->path);
    }
    atomic_store(&shot->sh->shot_done, true);
    SDL_FreeSurface(shot->surface);
    free(shot);
    SDL_TLSCleanup();
    return NULL;
}

/* The screenshot thread, once it has finished (wait: however long it takes). */
static bool join_support_shot(Shell *sh, bool wait)
{
    if (!sh->shot_started)
        return true;
    if (!wait && !atomic_load(&sh->shot_done))
        return false;
    pthread_join(sh->shot_thread, NULL);
    sh->shot_started = false;
    return true;
}

/* The operator's "screenshot" command: the frame, saved in the data directory as
 * support-screenshot.png and sent to the central service for the operator's console
 * (encoding a PNG takes ~100 ms: on a thread of its own, one at a time). */
static void support_screenshot(Shell *sh)
{
    if (!join_support_shot(sh, false)) {
        log_info("shell", "a screenshot for support is still being saved: one at a time");
        return;
    }
    ensure_frame(sh);
    SupportShot *shot = calloc(1, sizeof *shot);
    SDL_Surface *frame = read_frame(sh, sh->ui->w, sh->ui->h);
    if (!shot || !frame) {
        free(shot);
        SDL_FreeSurface(frame);
        log_warn("shell", "the screenshot for support could not be taken");
        return;
    }
    shot->sh = sh;
    shot->surface = frame;
    snprintf(shot->path, sizeof shot->path, "%s/support-screenshot.png", sh->cfg->data_dir);
    atomic_store(&sh->shot_done, false);
    if (pthread_create(&sh->shot_thread, NULL, save_support_shot, shot) != 0) {
        SDL_FreeSurface(frame);
        free(shot);
        return;
    }
    sh->shot_started = true;
}

int shell_run(Shell *sh)
{
    render(sh);
    while (!sh->quit) {
        int timeout = next_timeout(sh);
        if (sh->opt.headless) {
            evq_wait_ready(sh->queue, timeout);
        } else {
            SDL_Event e;
            if (SDL_WaitEventTimeout(&e, timeout < 0 ? -1 : timeout)) {
                on_sdl_event(sh, &e);
                while (SDL_PollEvent(&e))
                    on_sdl_event(sh, &e);
            }
        }
        core_step(sh->core, on_foreign, sh);
        ensure_frame(sh);
        service_waits(sh);
        watchdog_alive(sh->watchdog); /* a whole turn done: not stuck */
        if (core_take_screenshot_request(sh->core))
            support_screenshot(sh);
        if (core_restart_wanted(sh->core)) {
            sh->reset = sh->reset || core_reset_wanted(sh->core);
            log_info("shell", "stopping to start again (a new identity or certificate, a "
                              "factory reset or the operator's restart)");
            sh->quit = true;
        }
    }
    watchdog_notify("STOPPING=1");
    log_info("shell", "stopping");
    return 0;
}

/* Every control call handed to this thread gets an answer before the server goes. */
/* An event the loop will not dispatch: a control call is answered, a Result freed. */
static void drop_event(Event *ev)
{
    if (ev->type == EV_CONTROL)
        control_reply_error(ev->u.control.call, "shutting_down", "the kiosk is stopping");
    else if (ev->type == EV_RESULT)
        result_free(ev->u.result.result);
}

static void answer_leftovers(Shell *sh)
{
    for (int i = 0; i < sh->wait_count; i++)
        control_reply_error(sh->waits[i].call, "shutting_down", "the kiosk is stopping");
    sh->wait_count = 0;
    Event ev;
    while (evq_take(sh->queue, &ev) == KIOSK_OK)
        drop_event(&ev);
}

void shell_destroy(Shell *sh)
{
    if (!sh)
        return;
    nfc_reader_stop(sh->reader); /* no callback runs after this */
    watchdog_stop(sh->watchdog);
    if (sh->control) {
        /* Stop new requests first, then answer what is queued, then close the socket. */
        if (sh->queue)
            answer_leftovers(sh);
        control_destroy(sh->control);
    }
    if (sh->signal_thread_started) {
        pthread_kill(sh->signal_thread, SIGUSR2);
        pthread_join(sh->signal_thread, NULL);
    }
    join_support_shot(sh, true); /* it uses the core */
    images_destroy(sh->images);  /* before the renderer and the central client it uses */
    end_fade(sh);
    ui_destroy(sh->ui);
    token_keyring_destroy(sh->keyring);
    if (sh->renderer)
        SDL_DestroyRenderer(sh->renderer);
    if (sh->window)
        SDL_DestroyWindow(sh->window);
    if (sh->target)
        SDL_FreeSurface(sh->target);
    core_destroy(sh->core);
    if (sh->queue) { /* results the workers posted after the loop stopped */
        Event ev;
        while (evq_take(sh->queue, &ev) == KIOSK_OK)
            drop_event(&ev);
    }
    evq_destroy(sh->queue);
    IMG_Quit();
    SDL_Quit();
    pthread_mutex_destroy(&sh->nfc_lock);
    free(sh);
}
