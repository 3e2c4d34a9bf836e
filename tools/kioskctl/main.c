/* kioskctl: the technician's command line for a running kiosk. It talks to the kiosk's
 * control socket (JSON lines; docs/control.md) and prints what it learns for a person, or
 * the raw reply with --json for scripts. `card` commands work offline on tag files. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctlclient.h"
#include "version.h"
#include "card.h"

#define DEFAULT_SOCKET  "/run/kiosk/control.sock"
#define DEFAULT_TIMEOUT 10000

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: kioskctl [--socket PATH] [--json] [--timeout MS] COMMAND [ARGS]\n"
            "\n"
            "Commands for a running kiosk:\n"
            "  status                 screen, member signed in (yes/no), cart, network, outbox\n"
            "  ui                     the widgets on screen (id, role, text, position)\n"
            "  press ID               press a button as a finger would\n"
            "  tap X Y                touch the screen at X,Y\n"
            "  type TEXT              type TEXT as the scanner would (add \\n to end a line)\n"
            "  screenshot FILE.png    save what the screen shows\n"
            "  wait SCREEN [MS]       wait until SCREEN shows (default 10000 ms)\n"
            "  diag [nfc|net|display|storage]\n"
            "                         the reader, the network and TLS to the central service,\n"
            "                         the display, the disk (all four without an argument)\n"
            "  logs [N]               the kiosk's last N log lines (default 50, at most 200)\n"
            "  enroll CODE            enroll this device with the code from the device console\n"
            "  health [SECONDS]       healthy or not (UI, store, central or queued); waits up to\n"
            "                         SECONDS for it (exit status 0 only when healthy: RAUC's\n"
            "                         mark-good runs after it)\n"
            "  reset [--force]        factory reset: asks twice, then erases the device's\n"
            "                         identity, local store and keys and starts it again;\n"
            "                         --force even with orders still waiting (they are lost)\n"
            "                         (scripts: reset --yes [--force], with --json)\n"
            "  raw JSON               send one request line as it is\n"
            "Commands for tag files (no kiosk needed):\n"
            "  card ...               mint, mint-garment, show, write (a real tag, through the\n"
            "                         reader): see kioskctl card --help\n"
            "\n"
            "The socket defaults to $KIOSK_CONTROL, else " DEFAULT_SOCKET ".\n");
}

static int fail(const char *fmt, const char *arg)
{
    fprintf(stderr, "kioskctl: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return 1;
}

static int to_int(const char *s, long lo, long hi, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!s[0] || *end || errno || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Turns the two-character escape "\n" into a newline, for `type`. */
static void unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] == 'n') {
            *o++ = '\n';
            s++;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "-";
}

static void print_diag(json_t *reply)
{
    json_t *n = json_object_get(reply, "nfc"), *d = json_object_get(reply, "display");
    json_t *st = json_object_get(reply, "storage"), *net = json_object_get(reply, "network");
    if (n) {
        json_t *tap = json_object_get(n, "last_tap");
        printf("reader:    %s (%s)\n           %s\n",
               !json_is_true(json_object_get(n, "configured")) ? "not configured"
               : json_is_true(json_object_get(n, "connected")) ? "connected"
                                                               : "NOT ANSWERING",
               str(n, "connstring"), str(n, "detail"));
        if (json_is_object(tap))
            printf("           %lld tap(s); the last %lld s ago (%s)\n",
                   json_integer_value(json_object_get(n, "taps")),
                   json_integer_value(json_object_get(tap, "seconds_ago")), str(tap, "kind"));
        else
            printf("           no tap yet: hold a card to the reader to test it\n");
    }
    if (net) {
        printf("network:   %s, central %s\n",
               json_is_true(json_object_get(net, "reachable")) ? "reachable" : "NOT REACHABLE",
               str(net, "url"));
        printf("           answer %s in %lld ms; last sync %s\n", str(net, "result"),
               json_integer_value(json_object_get(net, "latency_ms")), str(net, "last_sync"));
        if (json_object_get(net, "certificate_expires"))
            printf("           its TLS certificate ends %s (%lld days)\n",
                   str(net, "certificate_expires"),
                   json_integer_value(json_object_get(net, "certificate_days_left")));
        json_t *own = json_object_get(net, "device_certificate_days_left");
        if (json_is_integer(own))
            printf("           this device's certificate: %lld days left%s\n",
                   json_integer_value(own),
                   json_integer_value(own) < 0 ? " (ENDED: enroll it again)" : "");
        else
            printf("           this device is not enrolled (no certificate of its own)\n");
    }
    if (d)
        printf("display:   %lldx%lld %s, %s renderer, last frame %.1f ms, on %s\n",
               json_integer_value(json_object_get(d, "width")),
               json_integer_value(json_object_get(d, "height")), str(d, "mode"), str(d, "renderer"),
               json_real_value(json_object_get(d, "last_frame_ms")), str(d, "screen"));
    if (st)
        printf("storage:   %s: %lld MiB free (%lld%%)%s; store %lld MiB, images %lld MiB; "
               "%lld order(s) waiting\n",
               str(st, "data_dir"), json_integer_value(json_object_get(st, "free_bytes")) >> 20,
               json_integer_value(json_object_get(st, "free_percent")),
               json_is_true(json_object_get(st, "writable")) ? "" : ", NOT WRITABLE",
               json_integer_value(json_object_get(st, "store_bytes")) >> 20,
               json_integer_value(json_object_get(st, "image_cache_bytes")) >> 20,
               json_integer_value(json_object_get(st, "outbox")));
}

/* A factory reset asks twice: the words, then yes. */
static bool confirmed_twice(void)
{
    char line[64];
    printf("A factory reset erases this device's identity (it must be enrolled again), its\n"
           "local store and its keys. Type ERASE to go on: ");
    fflush(stdout);
    if (!fgets(line, sizeof line, stdin) || strcmp(line, "ERASE\n") != 0)
        return false;
    printf("Sure? The device starts again as new. [y/N] ");
    fflush(stdout);
    return fgets(line, sizeof line, stdin) && (line[0] == 'y' || line[0] == 'Y');
}

static void print_human(const char *cmd, json_t *reply)
{
    if (strcmp(cmd, "health") == 0) {
        json_t *ch = json_object_get(reply, "checks");
        printf("%s: ui %s, store %s, central %s\n",
               json_is_true(json_object_get(reply, "healthy")) ? "healthy" : "NOT HEALTHY",
               json_is_true(json_object_get(ch, "ui")) ? "ok" : "NO",
               json_is_true(json_object_get(ch, "store")) ? "ok" : "NO",
               json_is_true(json_object_get(ch, "central")) ? "ok" : "NO");
        return;
    }
    if (strcmp(cmd, "enroll") == 0) {
        printf("enrolling: the kiosk starts again with its identity when it is done "
               "(kioskctl status shows how it goes)\n");
        return;
    }
    if (strcmp(cmd, "reset") == 0) {
        printf("factory reset: the kiosk is erasing its data and starting again\n");
        return;
    }
    if (strcmp(cmd, "diag") == 0) {
        print_diag(reply);
        return;
    }
    if (strcmp(cmd, "logs") == 0) {
        size_t i;
        json_t *l;
        json_array_foreach(json_object_get(reply, "lines"), i, l) printf(
            "%s %-5s %s: %s\n", str(l, "time"), str(l, "level"), str(l, "module"), str(l, "text"));
        return;
    }
    if (strcmp(cmd, "ui") == 0) {
        printf("screen %s (%s, %s)\n", json_string_value(json_object_get(reply, "screen")),
               json_string_value(json_object_get(reply, "mode")),
               json_string_value(json_object_get(reply, "language")));
        size_t i;
        json_t *w;
        json_array_foreach(json_object_get(reply, "widgets"), i, w)
        {
            json_t *r = json_object_get(w, "rect");
            printf(
                "  %-8s %-22s %5lld,%-5lld %5lldx%-5lld %s%s%s\n",
                json_string_value(json_object_get(w, "role")),
                json_string_value(json_object_get(w, "id")),
                json_integer_value(json_array_get(r, 0)), json_integer_value(json_array_get(r, 1)),
                json_integer_value(json_array_get(r, 2)), json_integer_value(json_array_get(r, 3)),
                json_is_true(json_object_get(w, "enabled")) ? "" : "[disabled] ",
                json_is_true(json_object_get(w, "clipped")) ? "[clipped] " : "",
                json_string_value(json_object_get(w, "text")));
        }
        return;
    }
    if (json_object_get(reply, "screen") && json_object_get(reply, "outbox")) {
        json_t *member = json_object_get(reply, "member");
        printf("screen:    %s\nmode:      %s\nlanguage:  %s\nmember:    %s\ncart:      %lld "
               "item(s)\nnetwork:   %s\noutbox:    %lld order(s) waiting\n",
               json_string_value(json_object_get(reply, "screen")),
               json_string_value(json_object_get(reply, "mode")),
               json_string_value(json_object_get(reply, "language")),
               json_is_string(member) ? "signed in" : "none",
               json_integer_value(json_object_get(reply, "cart")),
               json_is_true(json_object_get(reply, "online")) ? "online" : "offline",
               json_integer_value(json_object_get(reply, "outbox")));
        json_t *hb = json_object_get(reply, "heartbeat"); /* the fleet's last word */
        printf("heartbeat: %s\n", json_is_string(hb) ? json_string_value(hb) : "not yet");
        return;
    }
    if (json_is_string(json_object_get(reply, "path"))) {
        printf("saved %s\n", json_string_value(json_object_get(reply, "path")));
        return;
    }
    if (json_object_get(reply, "pressed")) {
        json_t *p = json_object_get(reply, "pressed");
        printf("%s\n", json_is_string(p) ? json_string_value(p) : "(nothing there)");
        return;
    }
    printf("ok\n");
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"socket", required_argument, NULL, 's'},  {"json", no_argument, NULL, 'j'},
        {"timeout", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},       {NULL, 0, NULL, 0},
    };
    const char *socket_path = getenv("KIOSK_CONTROL");
    if (!socket_path || !socket_path[0])
        socket_path = DEFAULT_SOCKET;
    bool json_out = false;
    long health_wait = 0;
    long timeout = DEFAULT_TIMEOUT;
    int c;
    while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1) {
        switch (c) {
        case 's':
            socket_path = optarg;
            break;
        case 'j':
            json_out = true;
            break;
        case 't':
            if (to_int(optarg, 1, 600000, &timeout) != 0)
                return fail("--timeout needs milliseconds, not '%s'", optarg);
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("kioskctl %s\n", KIOSK_VERSION);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[optind];
    char **args = argv + optind + 1;
    int nargs = argc - optind - 1;
    if (strcmp(cmd, "card") == 0) {
        /* kioskctl --json card ...: the card commands' own --json. */
        int n = argc - optind;
        char **v = calloc((size_t)n + 2, sizeof *v);
        if (!v)
            return 1;
        memcpy(v, argv + optind, (size_t)n * sizeof *v);
        if (json_out)
            v[n++] = "--json";
        int rc = card_main(n, v);
        free(v);
        return rc;
    }

    json_t *req = json_object();
    const char *wire = cmd;
    if (strcmp(cmd, "status") == 0 && nargs == 0) {
        wire = "state";
    } else if (strcmp(cmd, "ui") == 0 && nargs == 0) {
    } else if (strcmp(cmd, "press") == 0 && nargs == 1) {
        json_object_set_new(req, "id", json_string(args[0]));
    } else if (strcmp(cmd, "tap") == 0 && nargs == 2) {
        long x, y;
        if (to_int(args[0], 0, 100000, &x) || to_int(args[1], 0, 100000, &y))
            return fail("tap needs two pixel numbers, as in: tap 960 540%s", "");
        json_object_set_new(req, "x", json_integer(x));
        json_object_set_new(req, "y", json_integer(y));
    } else if (strcmp(cmd, "type") == 0 && nargs == 1) {
        unescape(args[0]);
        json_object_set_new(req, "text", json_string(args[0]));
    } else if (strcmp(cmd, "screenshot") == 0 && nargs == 1) {
        char *abs = realpath(".", NULL);
        char path[4096];
        if (args[0][0] == '/' || !abs)
            snprintf(path, sizeof path, "%s", args[0]);
        else /* the kiosk has its own working directory: send an absolute path */
            snprintf(path, sizeof path, "%s/%s", abs, args[0]);
        free(abs);
        json_object_set_new(req, "path", json_string(path));
    } else if (strcmp(cmd, "wait") == 0 && (nargs == 1 || nargs == 2)) {
        long ms = DEFAULT_TIMEOUT;
        if (nargs == 2 && to_int(args[1], 0, 120000, &ms))
            return fail("wait: timeout must be 0 to 120000 ms, not '%s'", args[1]);
        json_object_set_new(req, "screen", json_string(args[0]));
        json_object_set_new(req, "timeout_ms", json_integer(ms));
        if (timeout < ms + 1000)
            timeout = ms + 1000;
    } else if (strcmp(cmd, "diag") == 0 && nargs <= 1) {
        if (nargs == 1)
            json_object_set_new(req, "what", json_string(args[0]));
        if (timeout < 30000)
            timeout = 30000; /* the network check waits for the service */
    } else if (strcmp(cmd, "logs") == 0 && nargs <= 1) {
        long n = 50;
        if (nargs == 1 && to_int(args[0], 1, 200, &n))
            return fail("logs: N must be 1 to 200, not '%s'", args[0]);
        json_object_set_new(req, "lines", json_integer(n));
    } else if (strcmp(cmd, "health") == 0 && nargs <= 1) {
        if (nargs == 1 && to_int(args[0], 0, 3600, &health_wait))
            return fail("health: SECONDS must be 0 to 3600, not '%s'", args[0]);
    } else if (strcmp(cmd, "enroll") == 0 && nargs == 1) {
        json_object_set_new(req, "code", json_string(args[0]));
    } else if (strcmp(cmd, "reset") == 0 && nargs <= 2) {
        bool yes = false, force = false;
        for (int i = 0; i < nargs; i++) {
            if (strcmp(args[i], "--yes") == 0)
                yes = true;
            else if (strcmp(args[i], "--force") == 0)
                force = true;
            else
                return fail("reset: unknown option %s", args[i]);
        }
        if (!yes && !confirmed_twice()) {
            json_decref(req);
            printf("nothing was erased\n");
            return 1;
        }
        json_object_set_new(req, "confirm", json_string("erase everything"));
        json_object_set_new(req, "force", json_boolean(force));
    } else if (strcmp(cmd, "raw") == 0 && nargs == 1) {
        json_decref(req);
        req = json_loads(args[0], 0, NULL);
        if (!json_is_object(req))
            return fail("raw needs one JSON object, as in: raw '{\"cmd\":\"ui\"}'%s", "");
        wire = NULL;
    } else {
        json_decref(req);
        fprintf(stderr, "kioskctl: unknown command or wrong arguments: %s\n", cmd);
        usage(stderr);
        return 2;
    }
    if (wire)
        json_object_set_new(req, "cmd", json_string(wire));

    json_t *reply = NULL;
    /* health SECONDS: ask again every second until healthy (a kiosk just started, or just
     * updated, may need its first sync) or the time is up. */
    for (long waited = 0;; waited++) {
        CtlClient *cl = ctlclient_connect(socket_path, 0);
        if (cl) {
            json_decref(reply);
            reply = ctlclient_call(cl, req, (int)timeout);
            ctlclient_close(cl);
        }
        bool healthy = reply && json_is_true(json_object_get(reply, "healthy"));
        if (strcmp(cmd, "health") != 0 || healthy || waited >= health_wait)
            break;
        sleep(1);
    }
    json_decref(req);
    if (!reply && strcmp(cmd, "health") != 0)
        return fail("no kiosk answers at %s (is it running? try --socket)", socket_path);
    if (!reply)
        return fail("no kiosk answers at %s: not healthy", socket_path);
    int status = strcmp(cmd, "health") == 0 && !json_is_true(json_object_get(reply, "healthy"));
    if (json_out) {
        char *text = json_dumps(reply, JSON_COMPACT);
        printf("%s\n", text ? text : "{}");
        free(text);
    }
    if (!json_is_true(json_object_get(reply, "ok"))) {
        json_t *e = json_object_get(reply, "error");
        if (!json_out)
            fprintf(stderr, "kioskctl: %s: %s\n", json_string_value(json_object_get(e, "code")),
                    json_string_value(json_object_get(e, "message")));
        status = 1;
    } else if (!json_out) {
        print_human(cmd, reply);
    }
    json_decref(reply);
    return status;
}
