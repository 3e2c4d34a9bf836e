/* format.c: see format.h. The three languages the kiosk ships are written out here rather
 * than taken from the C library's locales, which a device image rarely carries. */
#define _DEFAULT_SOURCE /* strncasecmp, gmtime_r */
#include "format.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "i18n.h"

static bool is_lang(const char *language, const char *code)
{
    return language && strncmp(language, code, 2) == 0;
}

/* Whole units with a thousands separator. */
static void group(char *out, size_t size, int64_t units, const char *sep)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%" PRId64, units);
    size_t n = strlen(digits), o = 0, sl = strlen(sep);
    for (size_t i = 0; i < n && o + sl + 1 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            memcpy(out + o, sep, sl);
            o += sl;
        }
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

static const char *symbol(const char *currency, const char *language)
{
    if (strcmp(currency, "USD") == 0)
        return is_lang(language, "en") ? "$" : (is_lang(language, "fr") ? "$ US" : "US$");
    if (strcmp(currency, "EUR") == 0)
        return "€";
    if (strcmp(currency, "GBP") == 0)
        return "£";
    if (strcmp(currency, "CAD") == 0)
        return is_lang(language, "fr") ? "$ CA" : "CA$";
    return currency;
}

void format_price(char *out, size_t size, int64_t cents, const char *currency, const char *language)
{
    if (size == 0)
        return;
    const char *cur = currency && currency[0] ? currency : "USD";
    bool neg = cents < 0;
    uint64_t abs = neg ? (uint64_t)(-(cents + 1)) + 1u : (uint64_t)cents;
    char whole[48];
    const char *sym = symbol(cur, language);
    /* en: $1,234.50   es: 1.234,50 US$   fr: 1 234,50 $ US (narrow no-break space) */
    if (is_lang(language, "fr"))
        group(whole, sizeof whole, (int64_t)(abs / 100), "\xE2\x80\xAF");
    else if (is_lang(language, "es"))
        group(whole, sizeof whole, (int64_t)(abs / 100), ".");
    else
        group(whole, sizeof whole, (int64_t)(abs / 100), ",");
    unsigned frac = (unsigned)(abs % 100);
    if (is_lang(language, "fr") || is_lang(language, "es"))
        snprintf(out, size, "%s%s,%02u\xC2\xA0%s", neg ? "-" : "", whole, frac, sym);
    else if (strlen(sym) == 1 || strcmp(sym, "€") == 0 || strcmp(sym, "£") == 0)
        snprintf(out, size, "%s%s%s.%02u", neg ? "-" : "", sym, whole, frac);
    else
        snprintf(out, size, "%s%s.%02u\xC2\xA0%s", neg ? "-" : "", whole, frac, sym);
}

/* Abbreviations through the catalogs: context-free English words are ambiguous ("May"),
 * so each carries its kind in the msgid and the English is the part after '|'. */
static const char *word(const char *msgid)
{
    const char *t = gettext(msgid);
    const char *bar = strchr(t, '|');
    return bar ? bar + 1 : t;
}

static const char *const DAYS[7] = {N_("day|Sun"), N_("day|Mon"), N_("day|Tue"), N_("day|Wed"),
                                    N_("day|Thu"), N_("day|Fri"), N_("day|Sat")};
static const char *const MONTHS[12] = {N_("month|Jan"), N_("month|Feb"), N_("month|Mar"),
                                       N_("month|Apr"), N_("month|May"), N_("month|Jun"),
                                       N_("month|Jul"), N_("month|Aug"), N_("month|Sep"),
                                       N_("month|Oct"), N_("month|Nov"), N_("month|Dec")};

void format_date(char *out, size_t size, int64_t epoch_s, const char *language)
{
    if (size == 0)
        return;
    time_t t = (time_t)epoch_s;
    struct tm tm;
    if (epoch_s <= 0 || !gmtime_r(&t, &tm)) {
        out[0] = '\0';
        return;
    }
    const char *day = word(DAYS[tm.tm_wday]), *month = word(MONTHS[tm.tm_mon]);
    if (is_lang(language, "en"))
        snprintf(out, size, "%s, %s %d", day, month, tm.tm_mday);
    else
        snprintf(out, size, "%s %d %s", day, tm.tm_mday, month);
}

void format_date_range(char *out, size_t size, int64_t from_s, int64_t to_s, const char *language)
{
    char a[64], b[64];
    format_date(a, sizeof a, from_s, language);
    format_date(b, sizeof b, to_s, language);
    if (!b[0] || strcmp(a, b) == 0)
        snprintf(out, size, "%s", a);
    else if (!a[0])
        snprintf(out, size, "%s", b);
    else
        snprintf(out, size, "%s – %s", a, b);
}

void format_age(char *out, size_t size, int64_t then_s, int64_t now_s)
{
    int64_t age = now_s - then_s;
    if (then_s <= 0) {
        snprintf(out, size, "%s", _("time unknown"));
    } else if (age < 60) {
        snprintf(out, size, "%s", _("just now"));
    } else if (age < 3600) {
        unsigned long m = (unsigned long)(age / 60);
        snprintf(out, size, ngettext("%lu min ago", "%lu min ago", m), m);
    } else if (age < 86400) {
        unsigned long h = (unsigned long)(age / 3600);
        snprintf(out, size, ngettext("%lu h ago", "%lu h ago", h), h);
    } else {
        unsigned long d = (unsigned long)(age / 86400);
        snprintf(out, size, ngettext("%lu day ago", "%lu days ago", d), d);
    }
}

void format_distance(char *out, size_t size, double km, const char *language)
{
    if (km < 0)
        km = 0;
    char num[32];
    if (km < 10)
        snprintf(num, sizeof num, "%.1f", km);
    else
        snprintf(num, sizeof num, "%.0f", km);
    if (!is_lang(language, "en")) {
        char *dot = strchr(num, '.');
        if (dot)
            *dot = ',';
    }
    snprintf(out, size, "%s\xC2\xA0km", num);
}

static bool keep_word(const char *w, size_t n)
{
    static const char *const keep[] = {"St", "Ave",  "Rd",  "Blvd", "Way",  "Dr", "Pl", "Ln",
                                       "Ct", "Pkwy", "Hwy", "NE",   "NW",   "SE", "SW", "N",
                                       "S",  "E",    "W",   "Apt",  "Unit", "Ste"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        if (strlen(keep[i]) == n && strncasecmp(w, keep[i], n) == 0)
            return true;
    return false;
}

void format_mask_address(const char *in, char *out, size_t size)
{
    static const char dot[] = "\xE2\x80\xA2"; /* U+2022 BULLET */
    if (size == 0)
        return;
    const char *city = strrchr(in, ',');
    size_t line_len = city ? (size_t)(city - in) : strlen(in);
    size_t o = 0;
    const char *p = in, *end = in + line_len;
    while (p < end) {
        if (*p == ' ' || *p == '#' || *p == '-' || *p == '/') {
            if (o + 1 < size)
                out[o++] = *p;
            p++;
            continue;
        }
        size_t n = 0;
        while (p + n < end && !strchr(" #-/", p[n]))
            n++;
        bool digits = isdigit((unsigned char)p[0]) != 0;
        size_t visible = keep_word(p, n) ? n : (digits ? 2 : 1);
        size_t chars = 0;
        for (size_t i = 0; i < n; i++) {
            bool lead = ((unsigned char)p[i] & 0xC0) != 0x80;
            if (lead)
                chars++;
            bool bullet = end - (p + i) >= 3 && memcmp(p + i, dot, 3) == 0;
            if (chars <= visible && !bullet) {
                if (o + 1 < size)
                    out[o++] = p[i];
            } else if (lead) { /* one bullet per character, not per byte */
                if (o + 3 < size) {
                    memcpy(out + o, dot, 3);
                    o += 3;
                }
            }
        }
        p += n;
    }
    out[o] = '\0';
    if (city)
        snprintf(out + o, size - o, "%s", city); /* ", Seattle" in clear */
}
