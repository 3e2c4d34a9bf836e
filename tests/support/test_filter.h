/* test_filter.h: runs one named cmocka test case when CTest passes its name. cmocka runs
 * nothing, and passes, for a filter that matches no test; a renamed or misspelt case would
 * then pass silently. This refuses a name that is not in the table. Header-only, for every
 * test executable that CTest calls once per case. */
#ifndef KIOSK_TEST_FILTER_H
#define KIOSK_TEST_FILTER_H

#include <stdio.h>
#include <string.h>

/* Returns 0 to go on (filter set, or none given), or 2 if argv[1] names no test in tests. */
static inline int test_filter(int argc, char **argv, const struct CMUnitTest *tests, size_t n)
{
    if (argc < 2)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(tests[i].name, argv[1]) == 0) {
            cmocka_set_test_filter(argv[1]);
            return 0;
        }
    }
    fprintf(stderr, "%s: no test case named '%s'\n", argv[0], argv[1]);
    return 2;
}

#define TEST_FILTER(argc, argv, tests)                                                             \
    do {                                                                                           \
        int filter_rc_ = test_filter(argc, argv, tests, sizeof tests / sizeof tests[0]);           \
        if (filter_rc_)                                                                            \
            return filter_rc_;                                                                     \
    } while (0)

#endif
