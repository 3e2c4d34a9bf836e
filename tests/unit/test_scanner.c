/* test_scanner.c: keyboard-wedge lines: split on Enter, CRLF, empty lines, overlong lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "scanner.h"

typedef struct Lines {
    int count;
    char last[SCANNER_LINE_MAX + 1];
} Lines;

static void on_line(void *ctx, const char *line)
{
    Lines *l = ctx;
    l->count++;
    strcpy(l->last, line);
}

static void lines_across_feeds(void **state)
{
    Scanner sc;
    scanner_init(&sc);
    Lines l = {0};
    scanner_feed(&sc, "NT1.ab", 6, on_line, &l);
    assert_int_equal(l.count, 0); /* no Enter yet */
    scanner_feed(&sc, "cd\r\nsecond\n", 11, on_line, &l);
    assert_int_equal(l.count, 2);
    assert_string_equal(l.last, "second");
}

static void empty_lines_are_not_lines(void **state)
{
    Scanner sc;
    scanner_init(&sc);
    Lines l = {0};
    scanner_feed(&sc, "\n\r\n\n", 4, on_line, &l);
    assert_int_equal(l.count, 0);
}

static void overlong_line_is_dropped_whole(void **state)
{
    Scanner sc;
    scanner_init(&sc);
    Lines l = {0};
    char big[SCANNER_LINE_MAX + 50];
    memset(big, 'A', sizeof big);
    scanner_feed(&sc, big, sizeof big, on_line, &l);
    scanner_feed(&sc, "\n", 1, on_line, &l);
    assert_int_equal(l.count, 0); /* never cut into a shorter line that might parse */
    assert_int_equal(sc.rejected, 1);
    scanner_feed(&sc, "ok\n", 3, on_line, &l);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.last, "ok");
}

static void exactly_the_limit_is_accepted(void **state)
{
    Scanner sc;
    scanner_init(&sc);
    Lines l = {0};
    char line[SCANNER_LINE_MAX + 1];
    memset(line, 'B', SCANNER_LINE_MAX);
    line[SCANNER_LINE_MAX] = '\n';
    scanner_feed(&sc, line, sizeof line, on_line, &l);
    assert_int_equal(l.count, 1);
    assert_int_equal(strlen(l.last), SCANNER_LINE_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_across_feeds),
        cmocka_unit_test(empty_lines_are_not_lines),
        cmocka_unit_test(overlong_line_is_dropped_whole),
        cmocka_unit_test(exactly_the_limit_is_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
