/* util.h: small pure helpers shared by the central service's modules: a deterministic PRNG
 * for the demo seed, ISO-8601 times, business-day arithmetic, great-circle distance,
 * identifier and text checks, GTIN check digits and the address masking shown on public screens.
 * No state, no I/O: any thread may call any of these. */
#ifndef CENTRAL_UTIL_H
#define CENTRAL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define UTIL_ID_MAX   64 /* longest identifier accepted from a client */
#define UTIL_ISO_SIZE 21 /* "2026-11-23T11:02:00Z" plus NUL */

/* splitmix64: a tiny, seedable, well-distributed generator. Deterministic by design. */
typedef struct UtilRng {
    uint64_t state;
} UtilRng;

void util_rng_init(UtilRng *rng, uint64_t seed);
uint64_t util_rng_next(UtilRng *rng);
/* Uniform in [lo, hi] (inclusive). */
int util_rng_range(UtilRng *rng, int lo, int hi);
/* True with probability percent/100. */
bool util_rng_chance(UtilRng *rng, int percent);

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" (UTC) into out (UTIL_ISO_SIZE bytes). */
void util_iso_time(time_t t, char out[UTIL_ISO_SIZE]);
/* Writes the UTC date of t as "YYYY-MM-DD" into out (11 bytes). */
void util_iso_date(time_t t, char out[11]);
/* t plus n business days (Mon-Fri), in UTC. */
time_t util_add_business_days(time_t t, int n);

/* Great-circle distance in kilometres. */
double util_distance_km(double lat1, double lon1, double lat2, double lon2);

/* 1..UTIL_ID_MAX characters of [A-Za-z0-9_-]. */
bool util_valid_id(const char *s);
/* True if s is well-formed UTF-8 (no overlong forms, surrogates or code points past
 * U+10FFFF) and holds no control character: C0, DEL or C1 (U+0080..U+009F). */
bool util_valid_text(const char *s);
/* True if s has something other than spaces. */
bool util_has_content(const char *s);

/* GS1 mod-10 check digit of the first n digits of s (for GTIN-8/12/13/14). -1 if a
 * character is not a digit. */
int util_gtin_check_digit(const char *digits, size_t n);
/* Normalises a GTIN-8/12/13/14 with a valid check digit to 13 digits (dropping leading
 * zeros of a GTIN-14). Returns false if it is not a valid GTIN or does not fit in 13. */
bool util_gtin_normalize(const char *in, char out[14]);

/* Masks an address line for a public screen: "1234 Pine St" -> "12•• P••• St".
 * House numbers keep two digits, words their first letter; street types and
 * directions (St, Ave, NE...) stay readable. out_size >= 4 * strlen(line) + 1 is always
 * enough. */
void util_mask_line(const char *line, char *out, size_t out_size);

/* Random hex of n_bytes from the system's CSPRNG into out (2*n_bytes+1). False on failure. */
bool util_random_hex(size_t n_bytes, char *out);
/* A code of n characters from an alphabet without look-alikes (no 0/O, 1/I/L), each drawn
 * uniformly from the system's CSPRNG; out holds n+1. */
bool util_random_code(size_t n, char *out);
/* True if c is a character of that alphabet (upper case). */
bool util_code_char(char c);

/* Monotonic seconds, for deadlines. */
double util_mono_now(void);

#endif
