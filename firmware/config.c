/* config.c: the key table and the INI reader (inih) behind config.h.
 * Each key has one setter that parses and bounds-checks its text form; defaults go through
 * the same setters, so a default can never be a value the file would refuse. */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum KeyType {
    T_STRING,
    T_INT,
    T_BOOL,
    T_MODE,
    T_SIZE,
    T_LEVEL,
    T_LANG,
    T_LANGS,
    T_KEYS
} KeyType;

typedef struct KeyDef {
    const char *section;
    const char *key;
    KeyType type;
    size_t offset; /* into KioskConfig */
    size_t size;   /* of a T_STRING field */
    int min, max;  /* for T_INT */
    const char *default_value;
} KeyDef;

#define STR(field)         T_STRING, offsetof(KioskConfig, field), sizeof(((KioskConfig *)0)->field), 0, 0
#define INT(field, lo, hi) T_INT, offsetof(KioskConfig, field), 0, lo, hi
#define TYPED(t, field)    t, offsetof(KioskConfig, field), 0, 0, 0

static const KeyDef KEYS[] = {
    {"device", "data_dir", STR(data_dir), "/var/lib/kiosk"},
    {"device", "mode", TYPED(T_MODE, mode), "kiosk"},
    {"device", "id", STR(device_id), ""},
    {"device", "enroll", TYPED(T_BOOL, enroll), "false"},
    {"device", "serial", STR(serial), ""},
    {"display", "size", TYPED(T_SIZE, width), "1920x1080"},
    {"display", "fullscreen", TYPED(T_BOOL, fullscreen), "false"},
    {"store", "id", STR(store_id), ""},
    {"store", "fitting_room", STR(fitting_room), ""},
    {"central", "url", STR(central_url), ""},
    {"central", "ca_file", STR(central_ca_file), ""},
    {"central", "connect_timeout_ms", INT(connect_timeout_ms, 100, 60000), "3000"},
    {"central", "request_timeout_ms", INT(request_timeout_ms, 500, 120000), "8000"},
    {"nfc", "connstring", STR(nfc_connstring), ""},
    {"identity", "loyalty_keys", TYPED(T_KEYS, loyalty_keys), ""},
    {"identity", "product_uri", STR(product_uri), ""},
    {"staff", "associate_mode", TYPED(T_BOOL, associate_mode), "false"},
    {"staff", "idle_seconds", INT(staff_idle_seconds, 15, 1800), "90"},
    {"session", "idle_seconds", INT(idle_seconds, 10, 3600), "60"},
    {"session", "warning_seconds", INT(warning_seconds, 20, 300), "20"},
    {"ui", "language", TYPED(T_LANG, language), "en"},
    {"ui", "languages", TYPED(T_LANGS, languages), "en,es,fr"},
    {"ui", "brand_name", STR(brand_name), "Northwind"},
    {"ui", "brand_tagline", STR(brand_tagline), "Outfitters since 1962"},
    {"ui", "high_contrast", TYPED(T_BOOL, high_contrast), "false"},
    {"ui", "assets_dir", STR(assets_dir), ""},
    {"control", "socket", STR(control_socket), ""},
    {"log", "level", TYPED(T_LEVEL, log_level), "info"},
};
#define KEY_COUNT (sizeof KEYS / sizeof KEYS[0])

/* Languages the kiosk ships catalogs for (assets/i18n). */
static const char *const SHIPPED_LANGS[] = {"en", "es", "fr"};

static bool shipped_lang(const char *code)
{
    for (size_t i = 0; i < sizeof SHIPPED_LANGS / sizeof SHIPPED_LANGS[0]; i++)
        if (strcmp(code, SHIPPED_LANGS[i]) == 0)
            return true;
    return false;
}

static int fail(char *why, size_t size, const char *fmt, const char *arg)
{
    snprintf(why, size, fmt, arg);
    return -1;
}

static int parse_int(const char *v, int lo, int hi, int *out, char *why, size_t wsize)
{
    char *end = NULL;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (v[0] == '\0' || *end != '\0' || errno != 0 || n < lo || n > hi) {
        snprintf(why, wsize, "must be a whole number from %d to %d (got \"%s\")", lo, hi, v);
        return -1;
    }
    *out = (int)n;
    return 0;
}

static int parse_bool(const char *v, bool *out, char *why, size_t wsize)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "1") == 0) {
        *out = true;
        return 0;
    }
    if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0 || strcmp(v, "0") == 0) {
        *out = false;
        return 0;
    }
    return fail(why, wsize, "must be true or false (got \"%s\")", v);
}

/* Splits a comma-separated list into trimmed items, calling add for each. */
static int split_list(const char *v, int (*add)(void *ctx, const char *item, char *why, size_t ws),
                      void *ctx, char *why, size_t wsize)
{
    char buf[CONFIG_PATH_MAX * 2];
    if (strlen(v) >= sizeof buf)
        return fail(why, wsize, "%s", "is too long");
    strcpy(buf, v);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ' || *tok == '\t')
            tok++;
        size_t n = strlen(tok);
        while (n > 0 && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
            tok[--n] = '\0';
        if (n == 0)
            continue;
        if (add(ctx, tok, why, wsize) != 0)
            return -1;
    }
    return 0;
}

static int add_lang(void *ctx, const char *item, char *why, size_t wsize)
{
    KioskConfig *cfg = ctx;
    if (!shipped_lang(item))
        return fail(why, wsize, "has \"%s\", which is not a shipped language (en, es, fr)", item);
    if (cfg->language_count >= CONFIG_LANGS_MAX)
        return fail(why, wsize, "%s", "lists too many languages");
    strcpy(cfg->languages[cfg->language_count++], item);
    return 0;
}

static int add_key(void *ctx, const char *item, char *why, size_t wsize)
{
    KioskConfig *cfg = ctx;
    if (cfg->loyalty_key_count >= CONFIG_KEYS_MAX)
        return fail(why, wsize, "lists more than %s keys", "8");
    if (strlen(item) >= CONFIG_PATH_MAX)
        return fail(why, wsize, "%s", "has a path that is too long");
    strcpy(cfg->loyalty_keys[cfg->loyalty_key_count++], item);
    return 0;
}

static int apply(KioskConfig *cfg, const KeyDef *k, const char *v, char *why, size_t wsize)
{
    char *field = (char *)cfg + k->offset;
    switch (k->type) {
    case T_STRING:
        if (strlen(v) >= k->size) {
            snprintf(why, wsize, "is longer than %zu characters", k->size - 1);
            return -1;
        }
        strcpy(field, v);
        return 0;
    case T_INT:
        return parse_int(v, k->min, k->max, (int *)(void *)field, why, wsize);
    case T_BOOL:
        return parse_bool(v, (bool *)(void *)field, why, wsize);
    case T_MODE:
        if (strcmp(v, "kiosk") == 0)
            cfg->mode = KIOSK_MODE_KIOSK;
        else if (strcmp(v, "mirror") == 0)
            cfg->mode = KIOSK_MODE_MIRROR;
        else
            return fail(why, wsize, "must be kiosk or mirror (got \"%s\")", v);
        return 0;
    case T_SIZE: {
        int w = 0, h = 0;
        char tail = 0;
        if (sscanf(v, "%dx%d%c", &w, &h, &tail) != 2 || w < 320 || h < 320 || w > 7680 || h > 7680)
            return fail(why, wsize, "must be WIDTHxHEIGHT, each 320 to 7680 (got \"%s\")", v);
        cfg->width = w;
        cfg->height = h;
        return 0;
    }
    case T_LEVEL:
        if (log_level_parse(v, &cfg->log_level) != 0)
            return fail(why, wsize, "must be error, warn, info or debug (got \"%s\")", v);
        return 0;
    case T_LANG:
        if (!shipped_lang(v))
            return fail(why, wsize, "must be a shipped language: en, es or fr (got \"%s\")", v);
        strcpy(cfg->language, v);
        return 0;
    case T_LANGS:
        cfg->language_count = 0;
        if (split_list(v, add_lang, cfg, why, wsize) != 0)
            return -1;
        if (cfg->language_count == 0)
            return fail(why, wsize, "%s", "must name at least one language");
        return 0;
    case T_KEYS:
        cfg->loyalty_key_count = 0;
        return split_list(v, add_key, cfg, why, wsize);
    }
    return fail(why, wsize, "%s", "has an unknown type");
}

static const KeyDef *find_key(const char *section, const char *key)
{
    for (size_t i = 0; i < KEY_COUNT; i++)
        if (strcmp(KEYS[i].section, section) == 0 && strcmp(KEYS[i].key, key) == 0)
            return &KEYS[i];
    return NULL;
}

static bool known_section(const char *section)
{
    for (size_t i = 0; i < KEY_COUNT; i++)
        if (strcmp(KEYS[i].section, section) == 0)
            return true;
    return false;
}

KioskErr config_set(KioskConfig *cfg, const char *section, const char *key, const char *value,
                    char *why, size_t why_size)
{
    const KeyDef *k = find_key(section, key);
    if (!k) {
        snprintf(why, why_size, "%s",
                 known_section(section) ? "is not a known key in this section"
                                        : "is in an unknown section");
        return KIOSK_E_CONFIG;
    }
    return apply(cfg, k, value, why, why_size) == 0 ? KIOSK_OK : KIOSK_E_CONFIG;
}

void config_defaults(KioskConfig *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    char why[256];
    for (size_t i = 0; i < KEY_COUNT; i++) {
        int rc = apply(cfg, &KEYS[i], KEYS[i].default_value, why, sizeof why);
        (void)rc;
    }
}

typedef struct LoadCtx {
    KioskConfig *cfg;
    ConfigError *err;
    bool failed;
} LoadCtx;

/* inih calls this per key; returning 0 makes ini_parse report this line as the error. */
static int on_key(void *user, const char *section, const char *name, const char *value)
{
    LoadCtx *ctx = user;
    if (ctx->failed)
        return 1; /* report only the first problem; its line is what ini_parse returns */
    char why[256];
    if (config_set(ctx->cfg, section, name, value, why, sizeof why) == KIOSK_OK)
        return 1;
    ctx->failed = true;
    snprintf(ctx->err->key, sizeof ctx->err->key, "[%s] %s", section, name);
    snprintf(ctx->err->message, sizeof ctx->err->message, "%s", why);
    return 0;
}

static KioskErr finish(LoadCtx *ctx, int rc, const char *name)
{
    ConfigError *err = ctx->err;
    snprintf(err->file, sizeof err->file, "%s", name);
    if (rc == 0)
        return KIOSK_OK;
    if (rc < 0) {
        err->line = 0;
        err->key[0] = '\0';
        snprintf(err->message, sizeof err->message, "cannot read the file (%s)",
                 rc == -1 ? strerror(errno) : "out of memory");
        return KIOSK_E_IO;
    }
    err->line = rc;
    if (!ctx->failed) { /* inih's own syntax error: no key involved */
        err->key[0] = '\0';
        snprintf(err->message, sizeof err->message,
                 "is not a [section] header or a key = value line");
    }
    return KIOSK_E_CONFIG;
}

/* inih cuts lines longer than its buffer (200 bytes in Debian's build) into pieces and
 * reads the rest as another line; refuse such lines ourselves, with their line number. */
static bool line_too_long(const char *text, int *line_no)
{
    int line = 1;
    size_t len = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            line++;
            len = 0;
        } else if (++len > CONFIG_LINE_MAX) {
            *line_no = line;
            return true;
        }
    }
    return false;
}

KioskErr config_load_string(KioskConfig *cfg, const char *text, const char *name, ConfigError *err)
{
    memset(err, 0, sizeof *err);
    int long_line = 0;
    if (line_too_long(text, &long_line)) {
        snprintf(err->file, sizeof err->file, "%s", name);
        err->line = long_line;
        snprintf(err->message, sizeof err->message, "is longer than %d characters",
                 CONFIG_LINE_MAX);
        return KIOSK_E_CONFIG;
    }
    LoadCtx ctx = {cfg, err, false};
    int rc = ini_parse_string(text, on_key, &ctx);
    return finish(&ctx, rc, name);
}

KioskErr config_load_file(KioskConfig *cfg, const char *path, ConfigError *err)
{
    memset(err, 0, sizeof *err);
    snprintf(err->file, sizeof err->file, "%s", path);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err->message, sizeof err->message, "cannot read the file (%s)", strerror(errno));
        return KIOSK_E_IO;
    }
    char *text = malloc(CONFIG_FILE_MAX + 1);
    size_t n = text ? fread(text, 1, CONFIG_FILE_MAX + 1, f) : 0;
    bool read_error = ferror(f) != 0;
    fclose(f);
    KioskErr rc = KIOSK_E_IO;
    if (!text) {
        snprintf(err->message, sizeof err->message, "cannot read the file (out of memory)");
    } else if (read_error) {
        snprintf(err->message, sizeof err->message, "cannot read the file (read error)");
    } else if (n > CONFIG_FILE_MAX) {
        snprintf(err->message, sizeof err->message, "is larger than %d bytes", CONFIG_FILE_MAX);
        rc = KIOSK_E_CONFIG;
    } else if (memchr(text, '\0', n)) {
        snprintf(err->message, sizeof err->message, "is not a text file");
        rc = KIOSK_E_CONFIG;
    } else {
        text[n] = '\0';
        rc = config_load_string(cfg, text, path, err);
    }
    free(text);
    return rc;
}

void config_error_format(const ConfigError *err, char *buf, size_t size)
{
    if (err->line > 0 && err->key[0])
        snprintf(buf, size, "%s:%d: %s %s", err->file, err->line, err->key, err->message);
    else if (err->line > 0)
        snprintf(buf, size, "%s:%d: line %s", err->file, err->line, err->message);
    else
        snprintf(buf, size, "%s: %s", err->file, err->message);
}

bool config_key_at(size_t index, const char **section, const char **key, const char **default_value)
{
    if (index >= KEY_COUNT)
        return false;
    *section = KEYS[index].section;
    *key = KEYS[index].key;
    *default_value = KEYS[index].default_value;
    return true;
}

const char *config_mode_name(KioskMode mode)
{
    return mode == KIOSK_MODE_MIRROR ? "mirror" : "kiosk";
}
