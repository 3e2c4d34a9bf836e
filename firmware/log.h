/* log.h: levelled logging to stderr, one line per message, journald-friendly.
 * Lines start with a syslog priority prefix ("<6>") so journald keeps the level when the
 * kiosk runs under systemd; on a terminal the prefix is replaced by a readable tag.
 * Thread-safe: any thread may log. Never log member data (names, tokens, addresses): log
 * ids of screens and events, sizes and error codes instead. */
#ifndef KIOSK_LOG_H
#define KIOSK_LOG_H

typedef enum LogLevel {
    LOG_ERROR = 3, /* syslog LOG_ERR */
    LOG_WARN = 4,
    LOG_INFO = 6,
    LOG_DEBUG = 7,
} LogLevel;

/* Only messages at or above this importance are written. Default LOG_INFO. */
void log_set_level(LogLevel level);
LogLevel log_get_level(void);

/* Parses "error", "warn", "info", "debug". Returns 0 on success, -1 if unknown. */
int log_level_parse(const char *name, LogLevel *out);

void log_write(LogLevel level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The most recent lines are also kept in memory (LOG_RECENT_LINES, each cut to
 * LOG_RECENT_TEXT bytes) for a technician's `kioskctl logs` and the service screen; lines
 * below the current level are not kept either. */
#define LOG_RECENT_LINES 200
#define LOG_RECENT_TEXT  240

typedef struct LogLine {
    long long time; /* wall-clock seconds */
    LogLevel level;
    char module[16];
    char text[LOG_RECENT_TEXT];
} LogLine;

/* Copies up to max of the newest kept lines, oldest first, into out; returns how many.
 * Any thread. */
int log_recent(LogLine *out, int max);
const char *log_level_name(LogLevel level);

#define log_error(mod, ...) log_write(LOG_ERROR, mod, __VA_ARGS__)
#define log_warn(mod, ...)  log_write(LOG_WARN, mod, __VA_ARGS__)
#define log_info(mod, ...)  log_write(LOG_INFO, mod, __VA_ARGS__)
#define log_debug(mod, ...) log_write(LOG_DEBUG, mod, __VA_ARGS__)

#endif
