/* test_config.c: the configuration reader. Good files load; every bad file under
 * tests/data/config/bad-*.conf is refused with exactly the message its first line expects
 * ("# expect: FILE:LINE: [section] key why"); the shipped example documents every key. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"

static const char *data_dir(void)
{
    const char *d = getenv("KIOSK_TEST_DATA");
    assert_non_null(d);
    return d;
}

static void defaults_are_a_working_kiosk(void **state)
{
    KioskConfig c;
    config_defaults(&c);
    assert_int_equal(c.mode, KIOSK_MODE_KIOSK);
    assert_int_equal(c.width, 1920);
    assert_int_equal(c.height, 1080);
    assert_int_equal(c.idle_seconds, 60);
    assert_int_equal(c.warning_seconds, 20);
    assert_int_equal(c.language_count, 3);
    assert_string_equal(c.languages[1], "es");
    assert_string_equal(c.language, "en");
    assert_int_equal(c.log_level, LOG_INFO);
    assert_string_equal(c.central_url, "");
}

static void good_file_loads_every_kind_of_value(void **state)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/config/good-mirror.conf", data_dir());
    KioskConfig c;
    config_defaults(&c);
    ConfigError err;
    assert_int_equal(config_load_file(&c, path, &err), KIOSK_OK);
    assert_int_equal(c.mode, KIOSK_MODE_MIRROR);
    assert_int_equal(c.width, 1080);
    assert_int_equal(c.height, 1920);
    assert_string_equal(c.store_id, "S-BALLARD");
    assert_string_equal(c.fitting_room, "FR-3");
    assert_string_equal(c.nfc_connstring, "pn532_uart:/dev/ttyS0");
    assert_int_equal(c.loyalty_key_count, 2);
    assert_string_equal(c.loyalty_keys[1], "/etc/kiosk/loyalty-2027.pem");
    assert_int_equal(c.idle_seconds, 45);
    assert_int_equal(c.warning_seconds, 20); /* untouched keys keep defaults */
    assert_string_equal(c.language, "es");
    assert_int_equal(c.language_count, 2);
    assert_string_equal(c.languages[0], "es");
    assert_true(c.high_contrast);
}

/* Reads "# expect: ..." from the first line of a fixture. */
static void expected_message(const char *path, char *out, size_t size)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512] = "";
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    assert_int_equal(strncmp(line, "# expect: ", 10), 0);
    snprintf(out, size, "%s", line + 10);
}

static void every_bad_file_names_file_line_and_key(void **state)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/config", data_dir());
    DIR *d = opendir(dir);
    assert_non_null(d);
    int checked = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "bad-", 4) != 0)
            continue;
        char path[2048], want[512], got[1024], expect_full[2600];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        expected_message(path, want, sizeof want);
        KioskConfig c;
        config_defaults(&c);
        ConfigError err;
        assert_int_equal(config_load_file(&c, path, &err), KIOSK_E_CONFIG);
        config_error_format(&err, got, sizeof got);
        snprintf(expect_full, sizeof expect_full, "%s/%s", dir, want);
        if (strcmp(got, expect_full) != 0)
            fail_msg("%s:\n  want %s\n  got  %s", e->d_name, expect_full, got);
        assert_true(err.line > 0);
        checked++;
    }
    closedir(d);
    assert_true(checked >= 10);
}

static void missing_file_is_an_io_error(void **state)
{
    KioskConfig c;
    config_defaults(&c);
    ConfigError err;
    assert_int_equal(config_load_file(&c, "/nonexistent/kiosk.conf", &err), KIOSK_E_IO);
    char msg[512];
    config_error_format(&err, msg, sizeof msg);
    assert_non_null(strstr(msg, "/nonexistent/kiosk.conf: cannot read the file"));
}

static void overlong_and_empty_values(void **state)
{
    KioskConfig c;
    config_defaults(&c);
    ConfigError err;
    char text[1200];
    char big[700];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    snprintf(text, sizeof text, "[device]\ndata_dir = %s\n", big);
    assert_int_equal(config_load_string(&c, text, "mem.conf", &err), KIOSK_E_CONFIG);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.message, "longer than"));
    assert_int_equal(config_load_string(&c, "[ui]\nlanguages = ,,\n", "mem.conf", &err),
                     KIOSK_E_CONFIG);
    assert_non_null(strstr(err.message, "at least one language"));
}

static void flags_use_the_same_rules(void **state)
{
    KioskConfig c;
    config_defaults(&c);
    char why[256];
    assert_int_equal(config_set(&c, "display", "size", "1080x1920", why, sizeof why), KIOSK_OK);
    assert_int_equal(c.height, 1920);
    assert_int_equal(config_set(&c, "display", "size", "99999x1", why, sizeof why), KIOSK_E_CONFIG);
    assert_int_equal(c.height, 1920); /* a refused value changes nothing */
    assert_int_equal(config_set(&c, "device", "mode", "mirror", why, sizeof why), KIOSK_OK);
    assert_int_equal(c.mode, KIOSK_MODE_MIRROR);
}

/* Every key in the table appears, with its default, in board/kiosk.conf.example, and the
 * example itself loads cleanly. */
static void example_documents_every_key(void **state)
{
    const char *src = getenv("KIOSK_SOURCE_DIR");
    assert_non_null(src);
    char path[1024];
    snprintf(path, sizeof path, "%s/board/kiosk.conf.example", src);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    const char *section, *key, *def;
    int keys = 0;
    for (size_t i = 0; config_key_at(i, &section, &key, &def); i++, keys++) {
        char header[64], line[256];
        snprintf(header, sizeof header, "[%s]", section);
        char *at = strstr(text, header);
        if (!at)
            fail_msg("example lacks section [%s]", section);
        snprintf(line, sizeof line, "\n%s = %s\n", key, def);
        char alt[256];
        snprintf(alt, sizeof alt, "\n%s =\n", key);
        if (!strstr(at, line) && !(def[0] == '\0' && strstr(at, alt)))
            fail_msg("example lacks '%s = %s' in [%s]", key, def, section);
    }
    assert_true(keys >= 20);
    KioskConfig c;
    config_defaults(&c);
    ConfigError err;
    assert_int_equal(config_load_file(&c, path, &err), KIOSK_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_a_working_kiosk),
        cmocka_unit_test(good_file_loads_every_kind_of_value),
        cmocka_unit_test(every_bad_file_names_file_line_and_key),
        cmocka_unit_test(missing_file_is_an_io_error),
        cmocka_unit_test(overlong_and_empty_values),
        cmocka_unit_test(flags_use_the_same_rules),
        cmocka_unit_test(example_documents_every_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
