/* main.c: the kiosk binary. Reads flags and the configuration once, then hands them to the
 * Shell, which owns everything else. Exit status: 0 after a clean stop, 2 for bad flags or
 * configuration (with a message naming the problem), 1 when the kiosk cannot start. */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "factory.h"
#include "log.h"
#include "shell.h"
#include "version.h"

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: kiosk [OPTION]...\n"
            "Full-screen store display: loyalty sign-in, recommendations, stock and orders.\n"
            "\n"
            "  --config FILE     read settings from FILE (INI; see board/kiosk.conf.example)\n"
            "  --mode MODE       kiosk (landscape shop floor) or mirror (portrait fitting room)\n"
            "  --size WxH        screen size in pixels (default 1920x1080)\n"
            "  --fullscreen      cover the whole display\n"
            "  --headless        no window: render offscreen (tests, benchmarks, servers)\n"
            "  --control PATH    serve the JSON-lines control socket at PATH (owner-only)\n"
            "  --ready-fd N      write \"ready\" to file descriptor N after the first frame\n"
            "  --log-level L     error, warn, info (default) or debug\n"
            "  --version         print the version and exit\n"
            "  --help            print this help and exit\n"
            "\n"
            "Flags override the configuration file. docs/control.md describes the socket.\n");
}

static int bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "kiosk: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see kiosk --help)\n");
    return 2;
}

/* Applies a flag as if it were a key of the file, so it is checked by the same rules. */
static int override(KioskConfig *cfg, const char *flag, const char *section, const char *key,
                    const char *value)
{
    char why[256];
    if (config_set(cfg, section, key, value, why, sizeof why) == KIOSK_OK)
        return 0;
    fprintf(stderr, "kiosk: %s %s: %s (see kiosk --help)\n", flag, value, why);
    return 2;
}

int main(int argc, char **argv)
{
    enum {
        OPT_CONFIG = 256,
        OPT_MODE,
        OPT_SIZE,
        OPT_FULLSCREEN,
        OPT_HEADLESS,
        OPT_CONTROL,
        OPT_READY_FD,
        OPT_LOG_LEVEL,
        OPT_VERSION,
        OPT_HELP
    };
    static const struct option options[] = {
        {"config", required_argument, NULL, OPT_CONFIG},
        {"mode", required_argument, NULL, OPT_MODE},
        {"size", required_argument, NULL, OPT_SIZE},
        {"fullscreen", no_argument, NULL, OPT_FULLSCREEN},
        {"headless", no_argument, NULL, OPT_HEADLESS},
        {"control", required_argument, NULL, OPT_CONTROL},
        {"ready-fd", required_argument, NULL, OPT_READY_FD},
        {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
        {"version", no_argument, NULL, OPT_VERSION},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    const char *config_path = NULL, *mode = NULL, *size = NULL, *level = NULL;
    const char *control = NULL;
    bool fullscreen = false, headless = false;
    int ready_fd = -1;

    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case OPT_CONFIG:
            config_path = optarg;
            break;
        case OPT_MODE:
            mode = optarg;
            break;
        case OPT_SIZE:
            size = optarg;
            break;
        case OPT_FULLSCREEN:
            fullscreen = true;
            break;
        case OPT_HEADLESS:
            headless = true;
            break;
        case OPT_CONTROL:
            control = optarg;
            break;
        case OPT_LOG_LEVEL:
            level = optarg;
            break;
        case OPT_READY_FD: {
            char *end = NULL;
            errno = 0;
            long fd = strtol(optarg, &end, 10);
            if (*end || errno || fd < 0 || fd > 1024)
                return bad("--ready-fd needs a file descriptor number, not '%s'", optarg);
            ready_fd = (int)fd;
            break;
        }
        case OPT_VERSION:
            printf("kiosk %s\n", KIOSK_VERSION);
            return 0;
        case OPT_HELP:
            usage(stdout);
            return 0;
        case '?':
        default:
            if (optopt)
                return bad("option '%s' needs a value", argv[optind - 1]);
            return bad("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return bad("unexpected argument '%s'", argv[optind]);

    KioskConfig cfg;
    config_defaults(&cfg);
    if (config_path) {
        ConfigError err;
        if (config_load_file(&cfg, config_path, &err) != KIOSK_OK) {
            char msg[1024];
            config_error_format(&err, msg, sizeof msg);
            fprintf(stderr, "kiosk: configuration rejected: %s\n", msg);
            return 2;
        }
    }
    if (mode && override(&cfg, "--mode", "device", "mode", mode))
        return 2;
    if (mode && !size && cfg.mode == KIOSK_MODE_MIRROR && cfg.width > cfg.height) {
        int w = cfg.width; /* a mirror is portrait unless told otherwise */
        cfg.width = cfg.height;
        cfg.height = w;
    }
    if (size && override(&cfg, "--size", "display", "size", size))
        return 2;
    if (level && override(&cfg, "--log-level", "log", "level", level))
        return 2;
    if (fullscreen)
        cfg.fullscreen = true;
    if (control && strlen(control) >= sizeof cfg.control_socket)
        return bad("--control path is too long: '%s'", control);
    if (control)
        snprintf(cfg.control_socket, sizeof cfg.control_socket, "%s", control);
    log_set_level(cfg.log_level);

    ShellOptions opt = {
        .headless = headless,
        .control_path = cfg.control_socket[0] ? cfg.control_socket : NULL,
        .ready_fd = ready_fd,
    };
    log_info("main", "kiosk %s starting: %s mode, %dx%d%s", KIOSK_VERSION,
             config_mode_name(cfg.mode), cfg.width, cfg.height, headless ? ", headless" : "");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) { /* once, before any thread starts */
        fprintf(stderr, "kiosk: cannot start libcurl\n");
        return 1;
    }
    KioskErr err;
    Shell *sh = shell_create(&cfg, &opt, &err);
    if (!sh) {
        fprintf(stderr, "kiosk: cannot start (%s); see the log above\n", kerr_name(err));
        curl_global_cleanup();
        return 1;
    }
    int status = shell_run(sh);
    bool reset = shell_reset_wanted(sh);
    shell_destroy(sh); /* every file of the data directory closed */
    if (reset && factory_reset(cfg.data_dir) != KIOSK_OK)
        status = 1; /* said in the log; systemd starts it again either way */
    curl_global_cleanup();
    return status;
}
