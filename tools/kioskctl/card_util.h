/* card_util.h: argument checks and formatting shared by the `kioskctl card` commands
 * (card.c for tag files, card_write.c for real tags). */
#ifndef KIOSK_CARD_UTIL_H
#define KIOSK_CARD_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "token.h"

#define CARD_TIME_TEXT_MAX 32 /* "2026-11-23T11:20:36Z" */

/* Unix seconds as ISO 8601 UTC. */
void card_format_time(uint32_t t, char out[CARD_TIME_TEXT_MAX]);
/* "member", "staff" or "technician". */
bool card_parse_role(const char *s, TokenRole *role);
/* The member id alphabet of the token format (token.h): 1..64 of A-Z a-z 0-9 - _. */
bool card_member_id_ok(const char *s);
/* A validity of 1..CARD_DAYS_MAX days. */
bool card_parse_days(const char *s, unsigned *days);
/* What a command did, for scripts (--json): o as one line on stdout; takes o. */
void card_print_json(json_t *o);

#endif
