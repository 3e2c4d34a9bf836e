/* test_format.c: prices, dates, ages and distances as a shopper reads them in English,
 * Spanish and French (words from the shipped catalogs), and the masking of addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test_filter.h"

#include "format.h"
#include "i18n.h"

#define NBSP  "\xC2\xA0"
#define NNBSP "\xE2\x80\xAF"
#define DOT   "\xE2\x80\xA2"

static const int64_t WED_25_NOV_2026 = 1795608000; /* 2026-11-25T12:00:00Z */

static void prices_follow_the_language(void **state)
{
    (void)state;
    char b[64];
    format_price(b, sizeof b, 15899, "USD", "en");
    assert_string_equal(b, "$158.99");
    format_price(b, sizeof b, 123456789, "USD", "en");
    assert_string_equal(b, "$1,234,567.89");
    format_price(b, sizeof b, 15899, "USD", "es");
    assert_string_equal(b, "158,99" NBSP "US$");
    format_price(b, sizeof b, 123456, "USD", "es");
    assert_string_equal(b, "1.234,56" NBSP "US$");
    format_price(b, sizeof b, 15899, "USD", "fr");
    assert_string_equal(b, "158,99" NBSP "$ US");
    format_price(b, sizeof b, 123456, "EUR", "fr");
    assert_string_equal(b, "1" NNBSP "234,56" NBSP "€");
    format_price(b, sizeof b, 5, "EUR", "en");
    assert_string_equal(b, "€0.05");
    format_price(b, sizeof b, -1250, "USD", "en"); /* a discount line */
    assert_string_equal(b, "-$12.50");
    format_price(b, sizeof b, 100, "XYZ", "en"); /* an unknown currency keeps its code */
    assert_string_equal(b, "1.00" NBSP "XYZ");
    format_price(b, 4, 123456, "USD", "en"); /* cut to fit, still terminated */
    assert_int_equal(strlen(b), 3);
}

static void dates_follow_the_language(void **state)
{
    (void)state;
    char b[64];
    i18n_set_language("en");
    format_date(b, sizeof b, WED_25_NOV_2026, "en");
    assert_string_equal(b, "Wed, Nov 25");
    i18n_set_language("es");
    format_date(b, sizeof b, WED_25_NOV_2026, "es");
    assert_string_equal(b, "mié 25 nov");
    i18n_set_language("fr");
    format_date(b, sizeof b, WED_25_NOV_2026, "fr");
    assert_string_equal(b, "mer. 25 nov.");
    format_date_range(b, sizeof b, WED_25_NOV_2026, WED_25_NOV_2026 + 2 * 86400, "fr");
    assert_string_equal(b, "mer. 25 nov. – ven. 27 nov.");
    format_date_range(b, sizeof b, WED_25_NOV_2026, WED_25_NOV_2026 + 3600, "fr");
    assert_string_equal(b, "mer. 25 nov."); /* the same day once */
    format_date(b, sizeof b, 0, "fr");
    assert_string_equal(b, "");
    i18n_set_language("en");
}

static void ages_and_distances(void **state)
{
    (void)state;
    char b[64];
    i18n_set_language("en");
    int64_t now = WED_25_NOV_2026;
    format_age(b, sizeof b, now - 20, now);
    assert_string_equal(b, "just now");
    format_age(b, sizeof b, now - 150, now);
    assert_string_equal(b, "2 min ago");
    format_age(b, sizeof b, now - 3 * 3600, now);
    assert_string_equal(b, "3 h ago");
    format_age(b, sizeof b, now - 86400, now);
    assert_string_equal(b, "1 day ago");
    format_age(b, sizeof b, 0, now);
    assert_string_equal(b, "time unknown");
    i18n_set_language("es");
    format_age(b, sizeof b, now - 5 * 86400, now);
    assert_non_null(strstr(b, "5"));
    assert_null(strstr(b, "days")); /* translated, not English */
    i18n_set_language("en");
    format_distance(b, sizeof b, 3.14, "en");
    assert_string_equal(b, "3.1" NBSP "km");
    format_distance(b, sizeof b, 3.14, "fr");
    assert_string_equal(b, "3,1" NBSP "km");
    format_distance(b, sizeof b, 29.7, "es");
    assert_string_equal(b, "30" NBSP "km");
}

static void addresses_are_masked(void **state)
{
    (void)state;
    char b[256];
    format_mask_address("8123 Rainier Ave S, Seattle", b, sizeof b);
    assert_string_equal(b, "81" DOT DOT " R" DOT DOT DOT DOT DOT DOT " Ave S, Seattle");
    /* what the central service already masked stays the same */
    char again[256];
    format_mask_address(b, again, sizeof again);
    assert_string_equal(again, b);
    format_mask_address("12 Pike Pl NE #400, Seattle", b, sizeof b);
    assert_string_equal(b, "12 P" DOT DOT DOT " Pl NE #40" DOT ", Seattle");
    /* one bullet per character, not per byte */
    format_mask_address("5 Élysée Way, Montréal", b, sizeof b);
    assert_string_equal(b, "5 É" DOT DOT DOT DOT DOT " Way, Montréal");
    /* no city: everything is masked */
    format_mask_address("742 Evergreen Terrace", b, sizeof b);
    assert_string_equal(b,
                        "74" DOT " E" DOT DOT DOT DOT DOT DOT DOT DOT " T" DOT DOT DOT DOT DOT DOT);
    /* never longer than the buffer, always terminated */
    format_mask_address("8123 Rainier Ave S, Seattle", b, 8);
    assert_true(strlen(b) < 8);
}

int main(int argc, char **argv)
{
    i18n_init(KIOSK_LOCALE_DIR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prices_follow_the_language),
        cmocka_unit_test(dates_follow_the_language),
        cmocka_unit_test(ages_and_distances),
        cmocka_unit_test(addresses_are_masked),
    };
    TEST_FILTER(argc, argv, tests);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
