/* view.c: see view.h. */
#define _DEFAULT_SOURCE /* timegm */
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const RESULT_NAMES[RESULT_KIND_COUNT] = {
    [RESULT_RECOMMENDATIONS] = "recommendations",
    [RESULT_OFFERS] = "offers",
    [RESULT_CATEGORIES] = "categories",
    [RESULT_BROWSE] = "browse",
    [RESULT_SEARCH] = "search",
    [RESULT_PRODUCT] = "product",
    [RESULT_STOCK] = "stock",
    [RESULT_SHIPPING] = "shipping",
    [RESULT_ORDER_STORED] = "order_stored",
    [RESULT_ORDER_SENT] = "order_sent",
    [RESULT_ORDER_REFUSED] = "order_refused",
    [RESULT_HANDOFF] = "handoff",
    [RESULT_SYNC] = "sync",
    [RESULT_GARMENT] = "garment",
    [RESULT_LOOK] = "look",
    [RESULT_FITTING] = "fitting",
    [RESULT_STAFF] = "staff",
    [RESULT_HISTORY] = "history",
    [RESULT_NOTES] = "notes",
    [RESULT_NOTE_SAVED] = "note_saved",
    [RESULT_ENROLLED] = "enrolled",
    [RESULT_HEARTBEAT] = "heartbeat",
    [RESULT_RENEWED] = "renewed",
    [RESULT_PIN_CHECKED] = "pin_checked",
    [RESULT_DIAG] = "diag",
};

Result *result_new(ResultKind kind, uint32_t seq)
{
    Result *r = calloc(1, sizeof *r);
    if (r) {
        r->kind = kind;
        r->seq = seq;
    }
    return r;
}

void result_free(Result *r)
{
    free(r);
}

const char *result_kind_name(ResultKind kind)
{
    return (unsigned)kind < RESULT_KIND_COUNT ? RESULT_NAMES[kind] : "unknown";
}

int64_t view_parse_time(const char *iso)
{
    if (!iso)
        return 0;
    struct tm tm = {0};
    char z = 0;
    int n = 0;
    /* Only the one form the API sends: YYYY-MM-DDTHH:MM:SSZ. */
    if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%c%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z, &n) != 7 ||
        z != 'Z' || iso[n] != '\0' || tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
        tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    return t < 0 ? 0 : (int64_t)t;
}
