/* log.c: see log.h. The level is process-wide state set once at start-up by main; the ring
 * of recent lines is process-wide too (every module logs without a handle), behind a lock. */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Atomic int current_level = LOG_INFO;

static struct {
    pthread_mutex_t lock;
    LogLine lines[LOG_RECENT_LINES];
    int next, count;
} recent = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void keep(LogLevel level, const char *module, const char *msg)
{
    pthread_mutex_lock(&recent.lock);
    LogLine *l = &recent.lines[recent.next];
    l->time = (long long)time(NULL);
    l->level = level;
    size_t m = strnlen(module, sizeof l->module - 1), t = strnlen(msg, sizeof l->text - 1);
    memcpy(l->module, module, m);
    l->module[m] = '\0';
    while (t > 0 && msg[t] != '\0' && ((unsigned char)msg[t] & 0xC0) == 0x80)
        t--; /* cut to fit on a character's boundary: the line stays valid UTF-8 */
    memcpy(l->text, msg, t);
    l->text[t] = '\0';
    recent.next = (recent.next + 1) % LOG_RECENT_LINES;
    if (recent.count < LOG_RECENT_LINES)
        recent.count++;
    pthread_mutex_unlock(&recent.lock);
}

int log_recent(LogLine *out, int max)
{
    pthread_mutex_lock(&recent.lock);
    int n = recent.count < max ? recent.count : max;
    int first = (recent.next - n + LOG_RECENT_LINES) % LOG_RECENT_LINES;
    for (int i = 0; i < n; i++)
        out[i] = recent.lines[(first + i) % LOG_RECENT_LINES];
    pthread_mutex_unlock(&recent.lock);
    return n < 0 ? 0 : n;
}

const char *log_level_name(LogLevel level)
{
    switch (level) {
    case LOG_ERROR:
        return "error";
    case LOG_WARN:
        return "warn";
    case LOG_INFO:
        return "info";
    case LOG_DEBUG:
        return "debug";
    }
    return "unknown";
}

void log_set_level(LogLevel level)
{
    atomic_store(&current_level, (int)level);
}

LogLevel log_get_level(void)
{
    return (LogLevel)atomic_load(&current_level);
}

int log_level_parse(const char *name, LogLevel *out)
{
    static const struct {
        const char *name;
        LogLevel level;
    } names[] = {
        {"error", LOG_ERROR}, {"warn", LOG_WARN}, {"info", LOG_INFO}, {"debug", LOG_DEBUG}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].level;
            return 0;
        }
    }
    return -1;
}

static const char *tag(LogLevel level)
{
    switch (level) {
    case LOG_ERROR:
        return "error";
    case LOG_WARN:
        return "warn ";
    case LOG_INFO:
        return "info ";
    case LOG_DEBUG:
        return "debug";
    }
    return "?";
}

void log_write(LogLevel level, const char *module, const char *fmt, ...)
{
    if ((int)level > atomic_load(&current_level))
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    keep(level, module, msg);
    /* One fprintf per line: stdio locks the stream, so lines from threads never interleave. */
    if (isatty(STDERR_FILENO))
        fprintf(stderr, "%s %s: %s\n", tag(level), module, msg);
    else
        fprintf(stderr, "<%d>%s: %s\n", (int)level, module, msg);
}
