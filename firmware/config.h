/* config.h: the kiosk's configuration, read once at start-up from an INI file and passed
 * down by value. Every key, its type, bounds and default live in one table in config.c;
 * board/kiosk.conf.example documents them for people (a test keeps the two in step).
 * Not thread-aware: main reads it before any worker starts; workers get copies. */
#ifndef KIOSK_CONFIG_H
#define KIOSK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "kerr.h"
#include "log.h"

#define CONFIG_PATH_MAX  512
#define CONFIG_TEXT_MAX  128
#define CONFIG_KEYS_MAX  8 /* loyalty public keys accepted at once (rotation) */
#define CONFIG_LANGS_MAX 8
#define CONFIG_LINE_MAX  199         /* longest line of a config file */
#define CONFIG_FILE_MAX  (64 * 1024) /* largest config file */

typedef enum KioskMode { KIOSK_MODE_KIOSK = 0, KIOSK_MODE_MIRROR } KioskMode;

typedef struct KioskConfig {
    /* [device] */
    char data_dir[CONFIG_PATH_MAX];
    KioskMode mode;
    char device_id[CONFIG_TEXT_MAX]; /* this device at the central service; "" until set up */
    bool enroll;                     /* the device needs its own identity (enrollment) first */
    char serial[CONFIG_TEXT_MAX];    /* hardware serial; "" reads /etc/machine-id */
    /* [display] */
    int width, height;
    bool fullscreen;
    /* [store] */
    char store_id[CONFIG_TEXT_MAX];
    char fitting_room[CONFIG_TEXT_MAX];
    /* [central] */
    char central_url[CONFIG_PATH_MAX];
    char central_ca_file[CONFIG_PATH_MAX];
    int connect_timeout_ms;
    int request_timeout_ms;
    /* [nfc] */
    char nfc_connstring[CONFIG_PATH_MAX];
    /* [identity] */
    char loyalty_keys[CONFIG_KEYS_MAX][CONFIG_PATH_MAX];
    int loyalty_key_count;
    char product_uri[CONFIG_PATH_MAX]; /* the retailer's product URI prefix on garment tags */
    /* [staff] */
    bool associate_mode;    /* a staff badge opens associate mode on this device */
    int staff_idle_seconds; /* associate mode locks after this long without a touch */
    /* [session] */
    int idle_seconds;    /* no touch for this long: "Still there?" */
    int warning_seconds; /* then this long to answer before the session is wiped */
    /* [ui] */
    char language[8]; /* language shown on the attract screen */
    char languages[CONFIG_LANGS_MAX][8];
    int language_count;
    char brand_name[CONFIG_TEXT_MAX];
    char brand_tagline[CONFIG_TEXT_MAX];
    bool high_contrast;
    char assets_dir[CONFIG_PATH_MAX]; /* empty: the build's default */
    /* [control] */
    char control_socket[CONFIG_PATH_MAX]; /* empty: no control socket */
    /* [log] */
    LogLevel log_level;
} KioskConfig;

/* Where parsing stopped and why, for a message that names file, line and key. */
typedef struct ConfigError {
    char file[CONFIG_PATH_MAX];
    int line;     /* 0 when the error is not tied to a line (file missing) */
    char key[96]; /* "section.key", empty when not tied to a key */
    char message[256];
} ConfigError;

/* Fills cfg with the built-in defaults (a kiosk that runs with no file at all). */
void config_defaults(KioskConfig *cfg);

/* Reads an INI file over the values already in cfg. On KIOSK_E_CONFIG (bad key or value)
 * or KIOSK_E_IO (unreadable file), err says where; cfg may be partly updated. */
KioskErr config_load_file(KioskConfig *cfg, const char *path, ConfigError *err);

/* The same, from text in memory; `name` stands for the file name in errors. */
KioskErr config_load_string(KioskConfig *cfg, const char *text, const char *name, ConfigError *err);

/* Sets one key from its text form, as the file would ("display", "size", "1080x1920").
 * Used for command-line overrides. */
KioskErr config_set(KioskConfig *cfg, const char *section, const char *key, const char *value,
                    char *why, size_t why_size);

/* "kiosk.conf:12: [session] idle_seconds: must be a whole number from 10 to 3600". */
void config_error_format(const ConfigError *err, char *buf, size_t size);

/* The table of keys, for documentation checks: index from 0 while it returns true. */
bool config_key_at(size_t index, const char **section, const char **key,
                   const char **default_value);

const char *config_mode_name(KioskMode mode);

#endif
