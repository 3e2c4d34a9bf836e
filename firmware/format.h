/* format.h: numbers, money, dates and addresses as a shopper reads them, in their language.
 * Prices and dates follow the conventions of the language in use ("$158.99", "158,99 $",
 * "mer. 25 nov."); words come from the gettext catalogs, so the caller has switched the
 * language first (i18n_set_language). Pure functions; the UI thread calls them while
 * drawing. Every output is cut to fit `size` and always NUL-terminated. */
#ifndef KIOSK_FORMAT_H
#define KIOSK_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* cents in currency ("USD", "EUR", "CAD", ...) for language ("en", "es", "fr"). */
void format_price(char *out, size_t size, int64_t cents, const char *currency,
                  const char *language);
/* A day as "Wed, Nov 25" (en), "mié, 25 nov" (es), "mer. 25 nov." (fr), UTC. */
void format_date(char *out, size_t size, int64_t epoch_s, const char *language);
/* "Wed, Nov 25 – Fri, Nov 27"; one date when both fall on the same day. */
void format_date_range(char *out, size_t size, int64_t from_s, int64_t to_s, const char *language);
/* How old a figure is: "just now", "3 min ago", "2 h ago", "4 days ago" (translated). */
void format_age(char *out, size_t size, int64_t then_s, int64_t now_s);
/* "3.1 km" / "3,1 km". */
void format_distance(char *out, size_t size, double km, const char *language);
/* Masks an address line for a public screen, the way the central service does
 * (docs/api.md): two digits of a house number, the first letter of each other word, street
 * types and directions (St, Ave, NE...) kept; the city (after the last comma) in clear.
 * Masking a masked address changes nothing. */
void format_mask_address(const char *in, char *out, size_t size);

#endif
