/* gs1.c: see gs1.h. */
#include "gs1.h"

#include <string.h>

bool gs1_gtin_normalise(const char *s, char out[GS1_GTIN_LEN + 1])
{
    size_t n = strlen(s);
    if (n != 8 && n != 12 && n != 13 && n != 14)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    memset(out, '0', GS1_GTIN_LEN - n);
    memcpy(out + GS1_GTIN_LEN - n, s, n);
    out[GS1_GTIN_LEN] = '\0';
    /* Weights 3,1,3,... from the digit left of the check digit. */
    unsigned sum = 0;
    for (size_t i = 0; i < GS1_GTIN_LEN - 1; i++) {
        unsigned d = (unsigned)(out[GS1_GTIN_LEN - 2 - i] - '0');
        sum += (i % 2 == 0) ? 3 * d : d;
    }
    return (unsigned)(out[GS1_GTIN_LEN - 1] - '0') == (10 - sum % 10) % 10;
}

bool gs1_serial_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > GS1_SERIAL_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_'))
            return false;
    }
    return true;
}

bool gs1_gtin_from_uri(const char *uri, char gtin[GS1_GTIN_LEN + 1])
{
    if (strncmp(uri, "https://", 8) != 0)
        return false;
    const char *path = strchr(uri + 8, '/');
    if (!path)
        return false;
    const char *p = strstr(path, "/01/"); /* a resolver may put a prefix path before it */
    if (!p)
        return false;
    p += 4;
    size_t n = strcspn(p, "/?#");
    if (n < 8 || n > GS1_GTIN_LEN)
        return false;
    char digits[GS1_GTIN_LEN + 1];
    memcpy(digits, p, n);
    digits[n] = '\0';
    return gs1_gtin_normalise(digits, gtin);
}
