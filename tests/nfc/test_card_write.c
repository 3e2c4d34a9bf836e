/* test_card_write.c: `kioskctl card write` (tools/kioskctl/card_write.c), run as the real
 * kioskctl binary against tools/nfc-sim over a real pseudo-terminal, and nfc-sim's own WRITE
 * emulation through libnfc. What a write left on the tag is taken from nfc-sim with its `save`
 * command and checked with `kioskctl card show`. Each test runs its own simulator in its own
 * temporary directory (keys are generated there), so CTest runs them in parallel; argv[1]
 * filters by name. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_filter.h"
#include <jansson.h>
#include <nfc/nfc.h>

#include "idtest.h"
#include "nfctest.h"

#define OUT_MAX      16384
#define ARGS_MAX     24
#define FILE_MAX     (NFCTEST_PATH_MAX + 32)
#define PAGE         4
#define USER_END     130 /* NTAG215: first page after user memory */
#define GTIN         "09506000134352"
#define SERIAL       "A1-7"
#define GARMENT_URI  "https://id.gs1.org/01/" GTIN "/21/" SERIAL
#define EXIT_FAILED  1
#define EXIT_BAD_ARG 2

typedef struct Fixture {
    NfcSim *sim;
    char priv[IDTEST_PATH_MAX], pub[IDTEST_PATH_MAX];
    char blank[FILE_MAX]; /* an NDEF-formatted NTAG215 with an empty message, UID uid_a */
    char saved[FILE_MAX]; /* where `save` puts the tag */
    uint8_t blank_img[NFCTEST_TAG_SIZE];
    char out[OUT_MAX];
} Fixture;

static const uint8_t uid_a[NFCTEST_UID_LEN] = {0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0x80};
static const char uid_a_text[] = "04:A1:B2:C3:D4:E5:80";
static const char uid_b_hex[] = "04102030405061";

static int setup(void **state)
{
    Fixture *f = test_calloc(1, sizeof *f);
    f->sim = nfctest_sim_start(NFCSIM_PATH);
    if (!f->sim)
        return -1;
    const char *dir = nfctest_sim_dir(f->sim);
    if (idtest_make_key(dir, "loyalty", 0, f->priv, f->pub) != 0)
        return -1;
    snprintf(f->blank, sizeof f->blank, "%s/blank.bin", dir);
    snprintf(f->saved, sizeof f->saved, "%s/saved.bin", dir);
    nfctest_tag_image(f->blank_img, uid_a, NULL, 0);
    if (!nfctest_tag_write(f->blank, uid_a, NULL, 0))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    nfctest_sim_stop(f->sim);
    test_free(f);
    return 0;
}

/* Runs kioskctl with a NULL-terminated argument list; stdout and stderr (merged) land in
 * f->out. Returns the exit status, -1 if it did not exit normally. */
static int kioskctl(Fixture *f, ...)
{
    const char *argv[ARGS_MAX];
    int argc = 0;
    va_list ap;
    argv[argc++] = KIOSKCTL_BIN;
    va_start(ap, f);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && argc + 1 < ARGS_MAX)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;

    int pipefd[2];
    if (pipe(pipefd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        dup2(pipefd[1], STDERR_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        setenv("LIBNFC_AUTO_SCAN", "false", 1);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    size_t len = 0;
    ssize_t n;
    while (len + 1 < sizeof f->out &&
           (n = read(pipefd[0], f->out + len, sizeof f->out - 1 - len)) > 0)
        len += (size_t)n;
    f->out[len] = '\0';
    close(pipefd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    print_message("kioskctl said:\n%s", f->out);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *device(Fixture *f)
{
    return nfctest_sim_connstring(f->sim);
}

/* Saves the tag's memory through nfc-sim and reads it into img. */
static void save_tag(Fixture *f, uint8_t img[NFCTEST_TAG_SIZE])
{
    char line[FILE_MAX + 64];
    snprintf(line, sizeof line, "{\"cmd\":\"save\",\"path\":\"%s\"}", f->saved);
    assert_true(nfctest_sim_cmd(f->sim, line, NULL, 0));
    uint8_t buf[NFCTEST_TAG_SIZE + 1];
    assert_int_equal(idtest_read(f->saved, buf, sizeof buf), NFCTEST_TAG_SIZE);
    memcpy(img, buf, NFCTEST_TAG_SIZE);
}

/* `kioskctl card show FILE [--key PUB] --json`, parsed. */
static json_t *show(Fixture *f, const char *path, bool with_key, int want_rc)
{
    int rc = with_key ? kioskctl(f, "card", "show", path, "--key", f->pub, "--json", NULL)
                      : kioskctl(f, "card", "show", path, "--json", NULL);
    assert_int_equal(rc, want_rc);
    json_error_t jerr;
    json_t *o = json_loads(f->out, 0, &jerr);
    assert_non_null(o);
    return o;
}

/* Pages 0-3 and everything after user memory are as they were: never written. */
static void assert_header_and_config_kept(const Fixture *f, const uint8_t img[NFCTEST_TAG_SIZE])
{
    assert_memory_equal(img, f->blank_img, 4 * PAGE);
    assert_memory_equal(img + USER_END * PAGE, f->blank_img + USER_END * PAGE,
                        NFCTEST_TAG_SIZE - USER_END * PAGE);
}

/* A member card written onto a blank NTAG215: the token verifies and is bound to the UID the
 * tag reported, not to anything given on the command line. */
static void test_member(void **state)
{
    Fixture *f = *state;
    assert_true(nfctest_sim_present(f->sim, f->blank));
    assert_int_equal(kioskctl(f, "card", "write", "--device", device(f), "--role", "member",
                              "--member", "M-1001", "--key", f->priv, "--days", "30", NULL),
                     0);
    assert_non_null(strstr(f->out, "Hold the blank tag on the reader"));
    assert_non_null(strstr(f->out, "wrote member M-1001 to tag 04:A1:B2:C3:D4:E5:80"));

    uint8_t img[NFCTEST_TAG_SIZE];
    save_tag(f, img);
    assert_header_and_config_kept(f, img);
    json_t *o = show(f, f->saved, true, 0);
    json_t *rec = json_array_get(json_object_get(o, "records"), 0);
    json_t *tok = json_object_get(rec, "token");
    assert_string_equal(json_string_value(json_object_get(o, "uid")), uid_a_text);
    assert_string_equal(json_string_value(json_object_get(rec, "mime_type")),
                        "application/vnd.kiosk.member-token");
    assert_string_equal(json_string_value(json_object_get(tok, "verify")), "ok");
    assert_string_equal(json_string_value(json_object_get(tok, "role")), "member");
    assert_string_equal(json_string_value(json_object_get(tok, "member_id")), "M-1001");
    assert_string_equal(json_string_value(json_object_get(tok, "uid")), uid_a_text);
    assert_true(json_is_true(json_object_get(tok, "bound_to_this_tag")));
    json_int_t valid = json_integer_value(json_object_get(tok, "expires_at")) -
                       json_integer_value(json_object_get(tok, "issued_at"));
    assert_int_equal(valid, 30 * 86400);
    json_decref(o);

    /* Written again over a card that is no longer blank: the new token replaces the old. */
    assert_int_equal(kioskctl(f, "card", "write", "--device", device(f), "--role", "staff",
                              "--member", "S-7", "--key", f->priv, NULL),
                     0);
    save_tag(f, img);
    o = show(f, f->saved, true, 0);
    tok = json_object_get(json_array_get(json_object_get(o, "records"), 0), "token");
    assert_string_equal(json_string_value(json_object_get(tok, "role")), "staff");
    assert_string_equal(json_string_value(json_object_get(tok, "verify")), "ok");
    json_decref(o);
}

/* An image minted for this tag's UID is written as it is: the saved tag equals the image. */
static void test_image(void **state)
{
    Fixture *f = *state;
    char image[FILE_MAX];
    snprintf(image, sizeof image, "%s/card.bin", nfctest_sim_dir(f->sim));
    assert_int_equal(kioskctl(f, "card", "mint", "--role", "member", "--member", "M-2002", "--uid",
                              uid_a_text, "--key", f->priv, "--out", image, NULL),
                     0);
    assert_true(nfctest_sim_present(f->sim, f->blank));
    assert_int_equal(kioskctl(f, "card", "write", "--device", device(f), "--image", image, NULL),
                     0);
    uint8_t want[NFCTEST_TAG_SIZE], got[NFCTEST_TAG_SIZE];
    assert_int_equal(idtest_read(image, want, sizeof want), NFCTEST_TAG_SIZE);
    save_tag(f, got);
    assert_memory_equal(got, want, NFCTEST_TAG_SIZE);
    json_t *o = show(f, f->saved, true, 0);
    json_decref(o);
}

/* An image minted for another tag is refused (a token is bound to its UID); nothing changes. */
static void test_image_other_uid(void **state)
{
    Fixture *f = *state;
    char image[FILE_MAX];
    snprintf(image, sizeof image, "%s/other.bin", nfctest_sim_dir(f->sim));
    assert_int_equal(kioskctl(f, "card", "mint", "--role", "member", "--member", "M-3003", "--uid",
                              uid_b_hex, "--key", f->priv, "--out", image, NULL),
                     0);
    assert_true(nfctest_sim_present(f->sim, f->blank));
    assert_int_equal(kioskctl(f, "card", "write", "--device", device(f), "--image", image, NULL),
                     EXIT_FAILED);
    assert_non_null(strstr(f->out, "was made for the tag 04:10:20:30:40:50:61"));
    assert_non_null(strstr(f->out, "the tag on the reader is 04:A1:B2:C3:D4:E5:80"));
    assert_non_null(strstr(f->out, "nothing was written"));
    uint8_t img[NFCTEST_TAG_SIZE];
    save_tag(f, img);
    assert_memory_equal(img, f->blank_img, NFCTEST_TAG_SIZE);
}

/* No tag within the wait: a clear message, exit 1. */
static void test_no_tag(void **state)
{
    Fixture *f = *state;
    assert_int_equal(kioskctl(f, "card", "write", "--device", device(f), "--gtin", GTIN, NULL),
                     EXIT_FAILED);
    assert_non_null(strstr(f->out, "Hold the blank tag on the reader"));
    assert_non_null(strstr(f->out, "no tag on the reader within 10 s: nothing written"));
}

/* The reader locked by another user (the kiosk takes this flock): said so at once, exit 1. */
static void test_locked(void **state)
{
    Fixture *f = *state;
    char link[FILE_MAX];
    snprintf(link, sizeof link, "%s/pn532", nfctest_sim_dir(f->sim));
    int fd = open(link, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
    assert_true(nfctest_sim_present(f->sim, f->blank));
    assert_int_equal(kioskctl(f, "card", "write", "--device", device(f), "--gtin", GTIN, NULL),
                     EXIT_FAILED);
    close(fd);
    assert_non_null(strstr(f->out, "is in use by another process, normally the kiosk"));
    assert_non_null(strstr(f->out, "stop the kiosk first"));
    assert_null(strstr(f->out, "Hold the blank tag"));
    uint8_t img[NFCTEST_TAG_SIZE];
    save_tag(f, img);
    assert_memory_equal(img, f->blank_img, NFCTEST_TAG_SIZE);
}

/* A garment tag: the GS1 Digital Link URI is written and reads back. */
static void test_garment(void **state)
{
    Fixture *f = *state;
    assert_true(nfctest_sim_present(f->sim, f->blank));
    assert_int_equal(kioskctl(f, "card", "write", "--device", device(f), "--gtin", GTIN, "--serial",
                              SERIAL, NULL),
                     0);
    assert_non_null(strstr(f->out, "wrote " GARMENT_URI " to tag 04:A1:B2:C3:D4:E5:80"));
    uint8_t img[NFCTEST_TAG_SIZE];
    save_tag(f, img);
    assert_header_and_config_kept(f, img);
    json_t *o = show(f, f->saved, false, 0);
    json_t *records = json_object_get(o, "records");
    assert_int_equal(json_array_size(records), 1);
    json_t *rec = json_array_get(records, 0);
    assert_string_equal(json_string_value(json_object_get(rec, "kind")), "uri");
    assert_string_equal(json_string_value(json_object_get(rec, "uri")), GARMENT_URI);
    json_decref(o);
    /* For scripts: what was written, as the last line (the prompt goes to stderr). */
    assert_int_equal(kioskctl(f, "--json", "card", "write", "--device", device(f), "--gtin", GTIN,
                              "--serial", SERIAL, NULL),
                     0);
    char *last = strrchr(f->out, '{');
    assert_non_null(last);
    o = json_loads(last, 0, NULL);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "uri")), GARMENT_URI);
    assert_string_equal(json_string_value(json_object_get(o, "uid")), uid_a_text);
    assert_string_equal(json_string_value(json_object_get(o, "model")), "NTAG215");
    json_decref(o);
}

/* A tag with no capability container is not formatted here: refused, left alone. */
static void test_unformatted(void **state)
{
    Fixture *f = *state;
    uint8_t img[NFCTEST_TAG_SIZE];
    memcpy(img, f->blank_img, sizeof img);
    memset(img + 3 * PAGE, 0, PAGE);
    char path[FILE_MAX];
    snprintf(path, sizeof path, "%s/unformatted.bin", nfctest_sim_dir(f->sim));
    assert_int_equal(idtest_write(path, img, sizeof img), 0);
    assert_true(nfctest_sim_present(f->sim, path));
    assert_int_equal(kioskctl(f, "card", "write", "--device", device(f), "--gtin", GTIN, NULL),
                     EXIT_FAILED);
    assert_non_null(strstr(f->out, "is not NDEF formatted"));
    uint8_t got[NFCTEST_TAG_SIZE];
    save_tag(f, got);
    assert_memory_equal(got, img, sizeof img);
}

/* A tag with locked pages (static lock bytes in page 2) is refused, left alone. */
static void test_locked_pages(void **state)
{
    Fixture *f = *state;
    uint8_t img[NFCTEST_TAG_SIZE];
    memcpy(img, f->blank_img, sizeof img);
    img[2 * PAGE + 2] = 0xF0; /* pages 4-7 locked */
    char path[FILE_MAX];
    snprintf(path, sizeof path, "%s/locked.bin", nfctest_sim_dir(f->sim));
    assert_int_equal(idtest_write(path, img, sizeof img), 0);
    assert_true(nfctest_sim_present(f->sim, path));
    assert_int_equal(kioskctl(f, "card", "write", "--device", device(f), "--gtin", GTIN, NULL),
                     EXIT_FAILED);
    assert_non_null(strstr(f->out, "has locked pages"));
    uint8_t got[NFCTEST_TAG_SIZE];
    save_tag(f, got);
    assert_memory_equal(got, img, sizeof img);
}

static void test_bad_args(void **state)
{
    Fixture *f = *state;
    assert_int_equal(kioskctl(f, "card", "write", "--gtin", GTIN, NULL), EXIT_BAD_ARG);
    assert_non_null(strstr(f->out, "--device"));
    assert_int_equal(kioskctl(f, "card", "write", "--device", device(f), NULL), EXIT_BAD_ARG);
    assert_int_equal(kioskctl(f, "card", "write", "--device", device(f), "--gtin", GTIN, "--role",
                              "member", NULL),
                     EXIT_BAD_ARG);
    assert_int_equal(kioskctl(f, "card", "write", "--device", device(f), "--role", "member",
                              "--member", "M-1", NULL),
                     EXIT_BAD_ARG);
    assert_int_equal(kioskctl(f, "card", "write", "--device", device(f), "--role", "boss",
                              "--member", "M-1", "--key", f->priv, NULL),
                     EXIT_BAD_ARG);
    assert_int_equal(kioskctl(f, "card", "write", "--device", device(f), "--gtin", "123", NULL),
                     EXIT_BAD_ARG);
    assert_int_equal(
        kioskctl(f, "card", "write", "--device", device(f), "--gtin", GTIN, "--bogus", NULL),
        EXIT_BAD_ARG);
    assert_int_equal(kioskctl(f, "card", "write", "--help", NULL), 0);
    assert_non_null(strstr(f->out, "--device CONNSTRING"));
    /* A key that cannot be used fails before the reader is touched. */
    assert_int_equal(kioskctl(f, "card", "write", "--device", device(f), "--role", "member",
                              "--member", "M-1", "--key", f->pub, NULL),
                     EXIT_FAILED);
    assert_null(strstr(f->out, "Hold the blank tag"));
}

/* nfc-sim's WRITE and COMPATIBILITY_WRITE through libnfc: what lands, what is refused (NAK),
 * and the 4-bit ACK as InDataExchange and InCommunicateThru deliver it. */
static void test_sim_write(void **state)
{
    Fixture *f = *state;
    assert_true(nfctest_sim_present(f->sim, f->blank));
    nfc_context *ctx = NULL;
    nfc_init(&ctx);
    assert_non_null(ctx);
    nfc_device *dev = nfc_open(ctx, device(f));
    assert_non_null(dev);
    assert_true(nfc_initiator_init(dev) >= 0);
    const nfc_modulation mod = {.nmt = NMT_ISO14443A, .nbr = NBR_106};
    nfc_target nt;
    assert_int_equal(nfc_initiator_select_passive_target(dev, mod, NULL, 0, &nt), 1);
    uint8_t rx[16];

    const uint8_t write4[] = {0xA2, 0x04, 0x11, 0x22, 0x33, 0x44};
    assert_int_equal(nfc_initiator_transceive_bytes(dev, write4, sizeof write4, rx, 1, 500), 0);
    uint8_t comp5[18] = {0xA0, 0x05, 0x55, 0x66, 0x77, 0x88};
    memset(comp5 + 6, 0xEE, 12); /* a compatibility write lands only the first 4 bytes */
    assert_int_equal(nfc_initiator_transceive_bytes(dev, comp5, sizeof comp5, rx, 1, 500), 0);
    const uint8_t read4[] = {0x30, 0x04};
    assert_int_equal(nfc_initiator_transceive_bytes(dev, read4, 2, rx, sizeof rx, 500), 16);
    const uint8_t want[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    assert_memory_equal(rx, want, sizeof want);
    assert_int_equal(rx[8], 0); /* page 6 untouched */

    /* UID, static lock bytes and everything past user memory: NAK. */
    const uint8_t refused_pages[] = {0, 1, 2, USER_END, 131, 133, 134, 200};
    for (size_t i = 0; i < sizeof refused_pages; i++) {
        const uint8_t w[] = {0xA2, refused_pages[i], 0xFF, 0xFF, 0xFF, 0xFF};
        assert_true(nfc_initiator_transceive_bytes(dev, w, sizeof w, rx, 1, 500) < 0);
    }
    /* A NAK leaves the tag halted on real hardware; select it again. */
    assert_int_equal(nfc_initiator_select_passive_target(dev, mod, NULL, 0, &nt), 1);
    /* The capability container is one-time programmable: bits can be set, never cleared. */
    const uint8_t cc[] = {0xA2, 0x03, 0x00, 0x00, 0x00, 0x0F};
    assert_int_equal(nfc_initiator_transceive_bytes(dev, cc, sizeof cc, rx, 1, 500), 0);

    /* Raw (no easy framing: InCommunicateThru), the tag's 4-bit ACK comes back as a byte. */
    assert_true(nfc_device_set_property_bool(dev, NP_EASY_FRAMING, false) >= 0);
    const uint8_t write7[] = {0xA2, 0x07, 0xCA, 0xFE, 0xF0, 0x0D};
    assert_int_equal(nfc_initiator_transceive_bytes(dev, write7, sizeof write7, rx, 1, 500), 1);
    assert_int_equal(rx[0], 0x0A);
    nfc_close(dev);
    nfc_exit(ctx);

    uint8_t img[NFCTEST_TAG_SIZE], expect[NFCTEST_TAG_SIZE];
    memcpy(expect, f->blank_img, sizeof expect);
    memcpy(expect + 4 * PAGE, want, sizeof want);
    memcpy(expect + 7 * PAGE, write7 + 2, PAGE);
    expect[3 * PAGE + 3] |= 0x0F;
    save_tag(f, img);
    assert_memory_equal(img, expect, sizeof expect);

    /* save still works once the card is taken away (the last card's memory), and says why
     * it fails. */
    assert_true(nfctest_sim_cmd(f->sim, "{\"cmd\":\"remove\"}", NULL, 0));
    save_tag(f, img);
    assert_memory_equal(img, expect, sizeof expect);
    char reply[NFCTEST_REPLY_MAX];
    assert_false(nfctest_sim_cmd(f->sim, "{\"cmd\":\"save\"}", reply, sizeof reply));
    assert_non_null(strstr(reply, "\"invalid\""));
    assert_false(nfctest_sim_cmd(f->sim, "{\"cmd\":\"save\",\"path\":\"/nonexistent/x.bin\"}",
                                 reply, sizeof reply));
    assert_non_null(strstr(reply, "\"io\""));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_member, setup, teardown),
        cmocka_unit_test_setup_teardown(test_image, setup, teardown),
        cmocka_unit_test_setup_teardown(test_image_other_uid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_tag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_locked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unformatted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_locked_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_args, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sim_write, setup, teardown),
    };
    TEST_FILTER(argc, argv, tests); /* CTest runs each case on its own, in parallel */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
