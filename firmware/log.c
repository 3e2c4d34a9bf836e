/* log.c: see log.h. The level is process-wide state set once at start-up by main. */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static _Atomic int current_level = LOG_INFO;

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
    /* One fprintf per line: stdio locks the stream, so lines from threads never interleave. */
    if (isatty(STDERR_FILENO))
        fprintf(stderr, "%s %s: %s\n", tag(level), module, msg);
    else
        fprintf(stderr, "<%d>%s: %s\n", (int)level, module, msg);
}
