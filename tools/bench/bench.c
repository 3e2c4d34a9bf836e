/* kiosk-bench: the kiosk's performance figures on this machine, printed as a table.
 *   start     process start to first frame presented (the real binary, --headless)
 *   render    time to draw one frame of each screen (every screen of the journey, with a
 *             full session) with the software renderer, at the
 *             shop-floor size and at 4K (median and p99 of warm frames, and the first,
 *             cold frame that fills the text and art caches)
 *   memory    peak resident memory of a kiosk that has shown every screen
 *   tap       a card presented on the emulated reader to the greeting in the semantics
 *             tree (libnfc over a pty, token verification, dispatch, frame)
 *   durable   an order made durable in the outbox (AES-GCM, SQLite commit, fsync)
 *   sync      a first boot's full delta sync from the development central service
 * It reports; it asserts nothing. Figures go in the README's performance table. */
#include <SDL2/SDL.h>
#include <curl/curl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
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
#include "outbox.h"
#include "screen.h"
#include "store.h"
#include "sync.h"
#include "ui.h"
#include "version.h"

#define START_RUNS   20
#define RENDER_RUNS  120
#define TAP_RUNS     40
#define DURABLE_RUNS 200

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

/* A session as full as the screens get: a member with picks, offers, a page of products,
 * search hits, a product with stock at six locations, a bag and a checkout. Pictures are
 * placeholders here (they are decoded off the UI thread and drawn as one texture). */
static void fill_journey(AppState *s)
{
    Session *se = &s->session;
    se->active = true;
    snprintf(se->member_id, sizeof se->member_id, "M10001");
    snprintf(se->display_name, sizeof se->display_name, "Harper");
    snprintf(se->tier, sizeof se->tier, "gold");
    se->points = 1897;
    se->profile_loaded = se->payment_on_file = true;
    static const char *const cats[] = {"running-shoes", "jackets",     "jeans", "tops",
                                       "dresses",       "accessories", "socks", "base-layers"};
    for (int i = 0; i < 8; i++)
        snprintf(se->categories[i], sizeof se->categories[i], "%s", cats[i]);
    se->category_count = 8;
    se->categories_state = se->recs_state = se->offers_state = se->browse_state = LOAD_OK;
    se->search_state = se->product_state = se->stock_state = se->shipping_state = LOAD_OK;
    CardList *lists[] = {&se->recs, &se->browse, &se->search};
    for (int l = 0; l < 3; l++) {
        for (int i = 0; i < 8; i++) {
            ProductCard *c = &lists[l]->items[i];
            snprintf(c->id, sizeof c->id, "P%04d", i);
            snprintf(c->name, sizeof c->name, "Cascade Trail Runner %d", i);
            snprintf(c->category, sizeof c->category, "running-shoes");
            snprintf(c->currency, sizeof c->currency, "USD");
            c->price_cents = 13599 + i * 100;
            snprintf(c->reason_code, sizeof c->reason_code, "bought_together");
            snprintf(c->reason_anchor, sizeof c->reason_anchor, "Orca Trainer");
            snprintf(c->reason_channel, sizeof c->reason_channel, "app");
            c->hint = (StockHint)(1 + i % 3);
        }
        lists[l]->count = lists[l]->total = 8;
    }
    snprintf(se->query, sizeof se->query, "trail");
    snprintf(se->search_done, sizeof se->search_done, "trail");
    for (int i = 0; i < 2; i++) {
        OfferView *o = &se->offers.items[i];
        snprintf(o->kind, sizeof o->kind, "percent");
        o->value = 15;
        snprintf(o->product_name, sizeof o->product_name, "Harbor Racer");
        snprintf(o->code, sizeof o->code, "MBR-6143");
        o->expires_at = 1795608000;
    }
    se->offers.count = 2;
    ProductDetail *p = &se->product;
    snprintf(p->id, sizeof p->id, "P0001");
    snprintf(p->name, sizeof p->name, "Alki Denim Jacket");
    snprintf(p->brand, sizeof p->brand, "Cedar Row");
    snprintf(p->category, sizeof p->category, "jackets");
    snprintf(p->currency, sizeof p->currency, "USD");
    p->price_cents = 21999;
    static const char *const sizes[] = {"XS", "S", "M", "L", "XL", "XXL"};
    static const char *const colours[] = {"Mustard", "White", "Sky Blue", "Charcoal"};
    StockView *st = &se->stock;
    for (int c = 0; c < 4; c++) {
        for (int z = 0; z < 6; z++) {
            VariantView *v = &p->variants[p->variant_count];
            snprintf(v->id, sizeof v->id, "V%02d", p->variant_count);
            snprintf(v->size, sizeof v->size, "%s", sizes[z]);
            snprintf(v->colour, sizeof v->colour, "%s", colours[c]);
            snprintf(v->colour_hex, sizeof v->colour_hex, "#d4a632");
            snprintf(st->variants[p->variant_count], sizeof st->variants[0], "V%02d",
                     p->variant_count);
            p->variant_count++;
        }
    }
    st->variant_count = p->variant_count;
    st->live = true;
    st->as_of = 1795608000;
    st->location_count = 6;
    for (int l = 0; l < 6; l++) {
        LocationStock *loc = &st->locations[l];
        snprintf(loc->store, sizeof loc->store, "store-%d", l);
        snprintf(loc->name, sizeof loc->name, l == 5 ? "Online" : "University District");
        loc->here = l == 0;
        loc->online = l == 5;
        loc->has_distance = true;
        loc->distance_km = l * 1.7;
        for (int v = 0; v < st->variant_count; v++) {
            loc->qty[v] = (v + l) % 7;
            loc->updated_at[v] = 1795608000 - 600 * l;
        }
    }
    se->variant = 2;
    for (int i = 0; i < 3; i++) {
        CartLine *cl = &se->cart[i];
        snprintf(cl->variant, sizeof cl->variant, "V%02d", i);
        snprintf(cl->name, sizeof cl->name, "Alki Denim Jacket");
        snprintf(cl->size, sizeof cl->size, "M");
        snprintf(cl->colour, sizeof cl->colour, "Mustard");
        snprintf(cl->currency, sizeof cl->currency, "USD");
        cl->unit_cents = 21999;
        cl->qty = 1 + i;
    }
    se->cart_count = 3;
    se->address_count = 2;
    for (int i = 0; i < 2; i++) {
        snprintf(se->addresses[i].id, sizeof se->addresses[i].id, "A%d", i);
        snprintf(se->addresses[i].label, sizeof se->addresses[i].label, i ? "Work" : "Home");
        snprintf(se->addresses[i].masked, sizeof se->addresses[i].masked,
                 "81\xE2\x80\xA2\xE2\x80\xA2 R\xE2\x80\xA2\xE2\x80\xA2 Ave S, Seattle");
    }
    se->address_choice = 0;
    static const char *const ships[] = {"standard", "express", "next_day", "pickup"};
    for (int i = 0; i < 4; i++) {
        ShippingOption *o = &se->shipping.items[i];
        snprintf(o->id, sizeof o->id, "%s", ships[i]);
        snprintf(o->name, sizeof o->name, "Standard delivery");
        snprintf(o->currency, sizeof o->currency, "USD");
        o->price_cents = 695 * i;
        o->earliest = 1795608000;
        o->latest = 1795608000 + 2 * 86400;
        o->needs_address = i < 3;
    }
    se->shipping.count = 4;
    se->shipping_choice = 0;
    se->order_phase = ORDER_DONE;
    snprintf(se->order.number, sizeof se->order.number, "K-100454");
    snprintf(se->order.tracking_url, sizeof se->order.tracking_url,
             "https://central.example/track/K-100454");
    snprintf(se->order.currency, sizeof se->order.currency, "USD");
    se->order.total_cents = 24253;
    se->order.delivery_earliest = 1795608000;
    se->order.delivery_latest = 1795608000 + 2 * 86400;
    s->online = true;
}

/* The mirror's extras: three pieces that complete the look, a fitting-room request on its
 * way. */
static void fill_mirror(AppState *s)
{
    Session *se = &s->session;
    se->look = se->recs;
    se->look.count = se->look.total = 3;
    se->look_state = LOAD_OK;
    se->fitting.status = FITTING_ON_ITS_WAY;
    snprintf(se->fitting.size, sizeof se->fitting.size, "M");
    snprintf(se->fitting.colour, sizeof se->fitting.colour, "Mustard");
    s->fitting_rooms = true;
    s->central = true;
}

/* An associate with a customer: ten orders with returns, ten notes, a note being written. */
static void fill_associate(AppState *s)
{
    Session *se = &s->session;
    s->staff.active = true;
    snprintf(s->staff.id, sizeof s->staff.id, "S1003");
    snprintf(s->staff.name, sizeof s->staff.name, "Marcus Lee");
    snprintf(s->staff.store_name, sizeof s->staff.store_name, "Ballard");
    snprintf(se->sizes.shoe, sizeof se->sizes.shoe, "9");
    snprintf(se->sizes.top, sizeof se->sizes.top, "M");
    snprintf(se->prefs.fit, sizeof se->prefs.fit, "slim");
    snprintf(se->prefs.colours[0], sizeof se->prefs.colours[0], "Indigo");
    se->prefs.colour_count = 1;
    se->history_state = se->notes_state = LOAD_OK;
    se->history.count = CENTRAL_HISTORY_MAX;
    for (int o = 0; o < CENTRAL_HISTORY_MAX; o++) {
        CentralHistoryOrder *h = &se->history.orders[o];
        snprintf(h->channel, sizeof h->channel, o % 2 ? "web" : "store");
        snprintf(h->created_at, sizeof h->created_at, "2026-10-%02dT10:00:00Z", 1 + o);
        h->line_count = 2;
        for (int l = 0; l < 2; l++) {
            snprintf(h->lines[l].name, sizeof h->lines[l].name, "Pioneer Henley");
            snprintf(h->lines[l].size, sizeof h->lines[l].size, "M");
            snprintf(h->lines[l].colour, sizeof h->lines[l].colour, "Forest");
            h->lines[l].qty = 1;
            h->lines[l].returned = o == 3 && l == 0;
            snprintf(h->lines[l].return_reason, sizeof h->lines[l].return_reason, "Too small");
        }
    }
    se->notes.count = CENTRAL_NOTES_MAX;
    for (int i = 0; i < CENTRAL_NOTES_MAX; i++) {
        CentralNote *n = &se->notes.notes[i];
        snprintf(n->text, sizeof n->text, "Prefers a longer hem; sizes up in knits.");
        snprintf(n->associate_name, sizeof n->associate_name, "Alex Rivera");
        snprintf(n->created_at, sizeof n->created_at, "2026-11-0%dT10:00:00Z", 1 + i % 9);
    }
    snprintf(se->note_draft, sizeof se->note_draft, "Tried the Alki jacket in M: loved it");
    se->order_phase = ORDER_EDITING;
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
    static AppState s; /* large: not on the stack */
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
    static const ScreenId journey[] = {SCREEN_HOME,        SCREEN_BROWSE, SCREEN_SEARCH,
                                       SCREEN_PRODUCT,     SCREEN_CART,   SCREEN_CHECKOUT,
                                       SCREEN_CONFIRMATION};
    fill_journey(&s);
    fill_mirror(&s);
    for (size_t i = 0; i < sizeof journey / sizeof journey[0]; i++) {
        s.screen = journey[i];
        snprintf(label, sizeof label, "%s %s %dx%d", m, app_screen_name(journey[i]), w, h);
        bench_screen(ui, r, &s, &cfg, label);
    }
    if (mode == KIOSK_MODE_MIRROR) { /* the size picker of "bring me another size" */
        s.screen = SCREEN_PRODUCT;
        s.session.fitting_panel = true;
        snprintf(label, sizeof label, "%s product+sizes %dx%d", m, w, h);
        bench_screen(ui, r, &s, &cfg, label);
        s.session.fitting_panel = false;
    }
    /* Associate mode's screens, with a customer's full file. */
    fill_associate(&s);
    static const ScreenId staff[] = {SCREEN_STAFF, SCREEN_CUSTOMER, SCREEN_NOTE, SCREEN_CONFIRM};
    for (size_t i = 0; i < sizeof staff / sizeof staff[0]; i++) {
        s.screen = staff[i];
        snprintf(label, sizeof label, "%s %s %dx%d", m, app_screen_name(staff[i]), w, h);
        bench_screen(ui, r, &s, &cfg, label);
    }
    memset(&s.staff, 0, sizeof s.staff);
    s.screen = SCREEN_IDENTIFY;
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

/* Time to make an order durable: outbox_put (encrypt, insert, fsync'd commit) on this
 * machine's /tmp, which is where the figure depends on the medium. */
static void bench_durable(void)
{
    char dir[] = "/tmp/kiosk-bench-XXXXXX", db[64], key[64];
    if (!mkdtemp(dir))
        return;
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    snprintf(key, sizeof key, "%s/device.key", dir);
    KioskErr err;
    Store *st = store_open(db, &err);
    Outbox *ob = st ? outbox_open(st, key, &err) : NULL;
    if (!ob) {
        fprintf(stderr, "kiosk-bench: no outbox (%s)\n", kerr_name(err));
        store_close(st);
        return;
    }
    double t[DURABLE_RUNS];
    const char *body = "{\"member\":\"M10001\",\"store\":\"sea-ballard\",\"items\":"
                       "[{\"variant\":\"V00001\",\"qty\":2}],\"shipping_option\":"
                       "\"standard\",\"address_id\":\"A10001-1\"}";
    for (int i = 0; i < DURABLE_RUNS; i++) {
        char idem[40];
        snprintf(idem, sizeof idem, "bench-%d", i);
        int64_t id;
        double t0 = now_ms();
        outbox_put(ob, idem, body, 1795608000, &id);
        t[i] = now_ms() - t0;
    }
    printf("| order made durable (encrypted, fsync'd), %d orders | %.2f ms | %.2f ms (p99) |\n",
           DURABLE_RUNS, pct(t, DURABLE_RUNS, 0.5), pct(t, DURABLE_RUNS, 0.99));
    outbox_close(ob);
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "kiosk-bench: %s left behind\n", dir);
}

typedef struct SyncWatch {
    pthread_mutex_t lock;
    pthread_cond_t done;
    bool finished, online;
} SyncWatch;

static void on_sync(Result *r, void *ctx)
{
    SyncWatch *w = ctx;
    if (r->kind == RESULT_SYNC) {
        pthread_mutex_lock(&w->lock);
        w->finished = true;
        w->online = r->u.sync.online;
        pthread_cond_signal(&w->done);
        pthread_mutex_unlock(&w->lock);
    }
    result_free(r);
}

static long count_rows(const char *db, const char *table)
{
    sqlite3 *h = NULL;
    long n = -1;
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    sqlite3_stmt *q = NULL;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(h, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(h);
    return n;
}

/* A first boot's full sync from the development service (--seed demo) over HTTPS. */
static void bench_sync(const char *central)
{
    char dir[] = "/tmp/kiosk-bench-XXXXXX", cmd[1024], log[96], db[96], key[96];
    if (!mkdtemp(dir))
        return;
    snprintf(cmd, sizeof cmd, "'%s' '%s/pki' >/dev/null", BENCH_GEN_CERTS, dir);
    if (system(cmd) != 0)
        return;
    snprintf(log, sizeof log, "%s/central.log", dir);
    pid_t pid = fork();
    if (pid == 0) {
        char cdb[96], cert[96], ckey[96];
        snprintf(cdb, sizeof cdb, "%s/central.db", dir);
        snprintf(cert, sizeof cert, "%s/pki/server.pem", dir);
        snprintf(ckey, sizeof ckey, "%s/pki/server-key.pem", dir);
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, STDERR_FILENO);
        execl(central, central, "--db", cdb, "--listen", "127.0.0.1:0", "--tls-cert", cert,
              "--tls-key", ckey, "--seed", "demo", (char *)NULL);
        _exit(127);
    }
    unsigned port = 0;
    for (int i = 0; i < 600 && !port; i++) {
        FILE *f = fopen(log, "r");
        char line[512];
        while (f && fgets(line, sizeof line, f)) {
            const char *at = strstr(line, "https://127.0.0.1:");
            if (at)
                port = (unsigned)atoi(at + strlen("https://127.0.0.1:"));
        }
        if (f)
            fclose(f);
        usleep(50000);
    }
    if (!port) {
        fprintf(stderr, "kiosk-bench: the central service did not start\n");
        stop(pid);
        return;
    }
    char url[64], ca[96];
    snprintf(url, sizeof url, "https://127.0.0.1:%u", port);
    snprintf(ca, sizeof ca, "%s/pki/ca.pem", dir);
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    snprintf(key, sizeof key, "%s/device.key", dir);
    SyncWatch w = {.lock = PTHREAD_MUTEX_INITIALIZER, .done = PTHREAD_COND_INITIALIZER};
    SyncConfig sc = {.central = {.base_url = url, .ca_file = ca, .store_id = "sea-ballard"},
                     .db_path = db,
                     .key_path = key,
                     .here_store = "sea-ballard",
                     .interval_s = 3600};
    KioskErr err;
    double t0 = now_ms();
    Sync *sy = sync_create(&sc, on_sync, &w, &err);
    if (sy) {
        pthread_mutex_lock(&w.lock);
        while (!w.finished)
            pthread_cond_wait(&w.done, &w.lock);
        pthread_mutex_unlock(&w.lock);
    }
    double dt = now_ms() - t0;
    sync_destroy(sy);
    long products = count_rows(db, "products"), variants = count_rows(db, "variants"),
         stock = count_rows(db, "stock");
    if (w.online)
        printf("| first full sync: %ld products, %ld variants, %ld stock figures | %.1f s | "
               "%.0f figures/s |\n",
               products, variants, stock, dt / 1000.0, (variants + stock) / (dt / 1000.0));
    stop(pid);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "kiosk-bench: %s left behind\n", dir);
}

int main(int argc, char **argv)
{
    const char *bin = "build/ui/kiosk";
    const char *nfcsim = "build/tools/nfc-sim/nfc-sim";
    const char *kioskctl = "build/tools/kioskctl/kioskctl";
    const char *central = "build/tools/central/central";
    static const struct option options[] = {
        {"kiosk", required_argument, NULL, 'k'},    {"nfc-sim", required_argument, NULL, 'n'},
        {"kioskctl", required_argument, NULL, 'c'}, {"central", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 'k') {
            bin = optarg;
        } else if (c == 'n') {
            nfcsim = optarg;
        } else if (c == 'c') {
            kioskctl = optarg;
        } else if (c == 'C') {
            central = optarg;
        } else {
            printf("Usage: kiosk-bench [--kiosk PATH] [--nfc-sim PATH] [--kioskctl PATH] "
                   "[--central PATH]\n");
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
    bench_durable();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    bench_sync(central);
    curl_global_cleanup();
    SDL_Quit();
    return 0;
}
