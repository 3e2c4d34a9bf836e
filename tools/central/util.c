/* util.c: see util.h. Pure functions; the only outside source is getrandom() for codes. */
#include "util.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

void util_rng_init(UtilRng *rng, uint64_t seed)
{
    rng->state = seed;
}

uint64_t util_rng_next(UtilRng *rng)
{
    uint64_t z = (rng->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int util_rng_range(UtilRng *rng, int lo, int hi)
{
    if (hi <= lo)
        return lo;
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return lo + (int)(util_rng_next(rng) % span);
}

bool util_rng_chance(UtilRng *rng, int percent)
{
    return util_rng_range(rng, 0, 99) < percent;
}

void util_iso_time(time_t t, char out[UTIL_ISO_SIZE])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, UTIL_ISO_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void util_iso_date(time_t t, char out[11])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

time_t util_add_business_days(time_t t, int n)
{
    while (n > 0) {
        t += 86400;
        struct tm tm;
        gmtime_r(&t, &tm);
        if (tm.tm_wday != 0 && tm.tm_wday != 6)
            n--;
    }
    return t;
}

double util_distance_km(double lat1, double lon1, double lat2, double lon2)
{
    const double r = 6371.0, rad = M_PI / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * atan2(sqrt(a), sqrt(1 - a));
}

bool util_valid_id(const char *s)
{
    if (!s)
        return false;
    size_t n = 0;
    for (; s[n]; n++) {
        unsigned char ch = (unsigned char)s[n];
        if (n >= UTIL_ID_MAX || !(isalnum(ch) || ch == '-' || ch == '_'))
            return false;
    }
    return n > 0;
}

bool util_valid_text(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char b = *p;
        uint32_t cp;
        size_t len;
        if (b < 0x80) {
            if (b < 0x20 || b == 0x7f)
                return false;
            p++;
            continue;
        }
        if (b >= 0xC2 && b <= 0xDF) {
            len = 2;
            cp = b & 0x1Fu;
        } else if (b >= 0xE0 && b <= 0xEF) {
            len = 3;
            cp = b & 0x0Fu;
        } else if (b >= 0xF0 && b <= 0xF4) {
            len = 4;
            cp = b & 0x07u;
        } else {
            return false; /* a continuation byte first, an overlong lead, or past U+10FFFF */
        }
        for (size_t i = 1; i < len; i++) {
            if ((p[i] & 0xC0) != 0x80) /* also stops at the NUL */
                return false;
            cp = cp << 6 | (p[i] & 0x3Fu);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp <= 0x9F))
            return false;
        p += len;
    }
    return true;
}

bool util_has_content(const char *s)
{
    for (; *s; s++)
        if (*s != ' ')
            return true;
    return false;
}

int util_gtin_check_digit(const char *digits, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (digits[i] < '0' || digits[i] > '9')
            return -1;
        /* Weights 3,1,3,1... counted from the rightmost data digit. */
        int w = ((n - i) % 2 == 1) ? 3 : 1;
        sum += (digits[i] - '0') * w;
    }
    return (10 - sum % 10) % 10;
}

bool util_gtin_normalize(const char *in, char out[14])
{
    size_t n = in ? strlen(in) : 0;
    if (n != 8 && n != 12 && n != 13 && n != 14)
        return false;
    int check = util_gtin_check_digit(in, n - 1);
    if (check < 0 || in[n - 1] != '0' + check)
        return false;
    if (n == 14) {
        if (in[0] != '0')
            return false;
        memcpy(out, in + 1, 13);
    } else {
        size_t pad = 13 - n;
        memset(out, '0', pad);
        memcpy(out + pad, in, n);
    }
    out[13] = '\0';
    return true;
}

static bool keep_word(const char *w, size_t n)
{
    static const char *const keep[] = {"St", "Ave",  "Rd",  "Blvd", "Way",  "Dr", "Pl", "Ln",
                                       "Ct", "Pkwy", "Hwy", "NE",   "NW",   "SE", "SW", "N",
                                       "S",  "E",    "W",   "Apt",  "Unit", "Ste"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        if (strlen(keep[i]) == n && strncasecmp(w, keep[i], n) == 0)
            return true;
    }
    return false;
}

void util_mask_line(const char *line, char *out, size_t out_size)
{
    static const char dot[] = "\xE2\x80\xA2"; /* U+2022 BULLET */
    size_t o = 0;
    if (out_size == 0)
        return;
    const char *p = line;
    while (*p) {
        if (*p == ' ' || *p == ',' || *p == '#') {
            if (o + 1 < out_size)
                out[o++] = *p;
            p++;
            continue;
        }
        size_t n = strcspn(p, " ,#");
        bool digits = isdigit((unsigned char)p[0]) != 0;
        size_t visible = keep_word(p, n) ? n : (digits ? 2 : 1);
        for (size_t i = 0; i < n; i++) {
            if (i < visible) {
                if (o + 1 < out_size)
                    out[o++] = p[i];
            } else if ((p[i] & 0xC0) != 0x80) { /* one bullet per character, not per byte */
                if (o + 3 < out_size) {
                    memcpy(out + o, dot, 3);
                    o += 3;
                }
            }
        }
        p += n;
    }
    out[o] = '\0';
}

bool util_random_hex(size_t n_bytes, char *out)
{
    unsigned char buf[64];
    if (n_bytes > sizeof buf || getrandom(buf, n_bytes, 0) != (ssize_t)n_bytes)
        return false;
    for (size_t i = 0; i < n_bytes; i++)
        snprintf(out + 2 * i, 3, "%02x", buf[i]);
    out[2 * n_bytes] = '\0';
    return true;
}

/* No 0/O, 1/I/L: codes are read off a screen and typed. */
static const char CODE_ALPHABET[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

bool util_code_char(char c)
{
    return c != '\0' && strchr(CODE_ALPHABET, c) != NULL;
}

bool util_random_code(size_t n, char *out)
{
    const char *alphabet = CODE_ALPHABET;
    const unsigned size = sizeof CODE_ALPHABET - 1;
    const unsigned limit = 256 - 256 % size; /* bytes at or over it would favour some letters */
    unsigned char buf[64];
    size_t have = 0;
    while (have < n) {
        if (getrandom(buf, sizeof buf, 0) != (ssize_t)sizeof buf)
            return false;
        for (size_t i = 0; i < sizeof buf && have < n; i++)
            if (buf[i] < limit)
                out[have++] = alphabet[buf[i] % size];
    }
    out[n] = '\0';
    return true;
}

double util_mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
