/* card_util.c: see card_util.h. */
#include "card_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "card.h"

void card_format_time(uint32_t t, char out[CARD_TIME_TEXT_MAX])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(out, CARD_TIME_TEXT_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, CARD_TIME_TEXT_MAX, "%lu", (unsigned long)t);
}

bool card_parse_role(const char *s, TokenRole *role)
{
    static const TokenRole roles[] = {TOKEN_ROLE_MEMBER, TOKEN_ROLE_STAFF, TOKEN_ROLE_TECHNICIAN};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        if (strcmp(s, token_role_name(roles[i])) == 0) {
            *role = roles[i];
            return true;
        }
    }
    return false;
}

bool card_member_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > TOKEN_MEMBER_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

bool card_parse_days(const char *s, unsigned *days)
{
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < 1 || v > CARD_DAYS_MAX)
        return false;
    *days = (unsigned)v;
    return true;
}

void card_print_json(json_t *o)
{
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    printf("%s\n", s ? s : "{}");
    free(s);
    json_decref(o);
}
