/* test_nfc.c: the NFC worker (firmware/nfc.c) and real libnfc against tools/nfc-sim over a
 * real pseudo-terminal. Each test runs its own simulator in its own temporary directory, so
 * CTest may run them in parallel (one CTest entry per test: argv[1] filters by name).
 * Callbacks arrive on the worker thread; a Recorder copies them under a lock and the test
 * thread waits on its condition variable. */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_filter.h"
#include <nfc/nfc.h>

#include "nfc.h"
#include "nfctest.h"

#define WAIT_MS          4000 /* generous: the reader backs off up to 2 s between reopens */
#define HOLD_MS          1200
#define STOP_MAX_MS      1000
#define MSG_MAX          128
#define LARGE_MSG        300
#define TOOL_OUTPUT_MAX  16384
#define NFC_LIST         "/usr/bin/nfc-list"
#define NFC_MFULTRALIGHT "/usr/bin/nfc-mfultralight"
#define DETAIL_COPY      NFC_DETAIL_MAX

typedef struct Recorder {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int taps, removed, up, down;
    NfcTap last_tap;
    bool connected;
    char detail[DETAIL_COPY];
} Recorder;

typedef struct Fixture {
    NfcSim *sim;
    Recorder rec;
    NfcReader *reader;
    uint8_t msg[MSG_MAX];
    size_t msg_len;
    uint8_t tlv[MSG_MAX + 8];
    size_t tlv_len;
    char tag_a[NFCTEST_PATH_MAX + 16];
    char tag_b[NFCTEST_PATH_MAX + 16];
} Fixture;

static const uint8_t uid_a[NFCTEST_UID_LEN] = {0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0x80};
static const uint8_t uid_b[NFCTEST_UID_LEN] = {0x04, 0x10, 0x20, 0x30, 0x40, 0x50, 0x61};

static void on_tap(void *ctx, const NfcTap *tap)
{
    Recorder *r = ctx;
    pthread_mutex_lock(&r->lock);
    r->taps++;
    r->last_tap = *tap;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

static void on_removed(void *ctx)
{
    Recorder *r = ctx;
    pthread_mutex_lock(&r->lock);
    r->removed++;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

static void on_reader(void *ctx, bool connected, const char *detail)
{
    Recorder *r = ctx;
    pthread_mutex_lock(&r->lock);
    if (connected)
        r->up++;
    else
        r->down++;
    r->connected = connected;
    snprintf(r->detail, sizeof r->detail, "%s", detail);
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

/* Waits until *counter (a field of r) reaches want. Returns its value then (or at timeout). */
static int wait_for(Recorder *r, const int *counter, int want)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += WAIT_MS / 1000;
    until.tv_nsec += (long)(WAIT_MS % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&r->lock);
    while (*counter < want && pthread_cond_timedwait(&r->cond, &r->lock, &until) == 0) {
    }
    int got = *counter;
    pthread_mutex_unlock(&r->lock);
    return got;
}

static int count(Recorder *r, const int *counter)
{
    pthread_mutex_lock(&r->lock);
    int got = *counter;
    pthread_mutex_unlock(&r->lock);
    return got;
}

/* The last reader state reported, and its detail (copied). */
static bool last_state(Recorder *r, char detail[DETAIL_COPY])
{
    pthread_mutex_lock(&r->lock);
    bool connected = r->connected;
    memcpy(detail, r->detail, DETAIL_COPY);
    pthread_mutex_unlock(&r->lock);
    return connected;
}

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000L + (now.tv_nsec - since->tv_nsec) / 1000000L;
}

static int setup(void **state)
{
    Fixture *f = test_calloc(1, sizeof *f);
    pthread_mutex_init(&f->rec.lock, NULL);
    pthread_cond_init(&f->rec.cond, NULL);
    f->sim = nfctest_sim_start(NFCSIM_PATH);
    if (!f->sim)
        return -1;
    f->msg_len = nfctest_uri_message(f->msg, sizeof f->msg, "id.gs1.org/01/09506000134352");
    uint8_t image[NFCTEST_TAG_SIZE];
    f->tlv_len = nfctest_tag_image(image, uid_a, f->msg, f->msg_len);
    memcpy(f->tlv, image + 16, f->tlv_len);
    snprintf(f->tag_a, sizeof f->tag_a, "%s/a.bin", nfctest_sim_dir(f->sim));
    snprintf(f->tag_b, sizeof f->tag_b, "%s/b.bin", nfctest_sim_dir(f->sim));
    if (!nfctest_tag_write(f->tag_a, uid_a, f->msg, f->msg_len) ||
        !nfctest_tag_write(f->tag_b, uid_b, f->msg, f->msg_len))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    nfc_reader_stop(f->reader);
    nfctest_sim_stop(f->sim);
    pthread_cond_destroy(&f->rec.cond);
    pthread_mutex_destroy(&f->rec.lock);
    test_free(f);
    return 0;
}

static NfcReader *start_reader(Fixture *f, Recorder *rec)
{
    NfcCallbacks cb = {
        .on_tap = on_tap, .on_removed = on_removed, .on_reader = on_reader, .ctx = rec};
    KioskErr err = KIOSK_E_IO;
    NfcReader *r = nfc_reader_start(nfctest_sim_connstring(f->sim), &cb, &err);
    assert_non_null(r);
    assert_int_equal(err, KIOSK_OK);
    return r;
}

static void start(Fixture *f)
{
    f->reader = start_reader(f, &f->rec);
    assert_int_equal(wait_for(&f->rec, &f->rec.up, 1), 1);
}

static void assert_tap(Fixture *f, const uint8_t uid[NFCTEST_UID_LEN])
{
    pthread_mutex_lock(&f->rec.lock);
    NfcTap tap = f->rec.last_tap;
    pthread_mutex_unlock(&f->rec.lock);
    assert_int_equal(tap.uid_len, NFCTEST_UID_LEN);
    assert_memory_equal(tap.uid, uid, NFCTEST_UID_LEN);
    assert_true(tap.data_len >= f->tlv_len);
    assert_true(tap.data_len % 16 == 0); /* whole READs */
    assert_memory_equal(tap.data, f->tlv, f->tlv_len);
}

/* libnfc alone, as nfc-list does it: open, list ISO14443A targets, read, GET_VERSION. */
static void test_list(void **state)
{
    Fixture *f = *state;
    nfc_context *ctx = NULL;
    nfc_init(&ctx);
    assert_non_null(ctx);
    nfc_device *dev = nfc_open(ctx, nfctest_sim_connstring(f->sim));
    assert_non_null(dev);
    assert_true(nfc_initiator_init(dev) >= 0);
    const nfc_modulation mod = {.nmt = NMT_ISO14443A, .nbr = NBR_106};
    nfc_target targets[2];
    assert_int_equal(nfc_initiator_list_passive_targets(dev, mod, targets, 2), 0);

    assert_true(nfctest_sim_present(f->sim, f->tag_a));
    assert_int_equal(nfc_initiator_list_passive_targets(dev, mod, targets, 2), 1);
    const nfc_iso14443a_info *nai = &targets[0].nti.nai;
    assert_int_equal(nai->abtAtqa[0], 0x00);
    assert_int_equal(nai->abtAtqa[1], 0x44);
    assert_int_equal(nai->btSak, 0x00);
    assert_int_equal(nai->szUidLen, NFCTEST_UID_LEN);
    assert_memory_equal(nai->abtUid, uid_a, NFCTEST_UID_LEN);

    nfc_target nt;
    assert_int_equal(nfc_initiator_select_passive_target(dev, mod, NULL, 0, &nt), 1);
    uint8_t rx[16];
    const uint8_t read4[] = {0x30, 0x04};
    assert_int_equal(nfc_initiator_transceive_bytes(dev, read4, 2, rx, sizeof rx, 500), 16);
    assert_memory_equal(rx, f->tlv, f->tlv_len < 16 ? f->tlv_len : 16);
    /* READ of the last page but one wraps to pages 0 and 1; PWD/PACK (133, 134) read 0. */
    const uint8_t read_wrap[] = {0x30, 0x85};
    assert_int_equal(nfc_initiator_transceive_bytes(dev, read_wrap, 2, rx, sizeof rx, 500), 16);
    const uint8_t zeros[8] = {0};
    assert_memory_equal(rx, zeros, 8);
    assert_memory_equal(rx + 8, uid_a, 3);
    assert_memory_equal(rx + 12, uid_a + 3, 4);
    const uint8_t get_version[] = {0x60};
    assert_int_equal(nfc_initiator_transceive_bytes(dev, get_version, 1, rx, sizeof rx, 500), 8);
    assert_int_equal(rx[6], 0x11); /* NTAG215 storage size */

    assert_true(nfctest_sim_cmd(f->sim, "{\"cmd\":\"remove\"}", NULL, 0));
    assert_true(nfc_initiator_transceive_bytes(dev, read4, 2, rx, sizeof rx, 500) < 0);
    assert_int_equal(nfc_initiator_list_passive_targets(dev, mod, targets, 2), 0);
    nfc_close(dev);
    nfc_exit(ctx);
}

/* Runs a libnfc tool against the simulator; returns its stdout (NUL-terminated) in out. */
static bool run_tool(Fixture *f, const char *const argv[], char *out, size_t size)
{
    int pipefd[2];
    if (pipe(pipefd) != 0)
        return false;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        setenv("LIBNFC_DEFAULT_DEVICE", nfctest_sim_connstring(f->sim), 1);
        setenv("LIBNFC_AUTO_SCAN", "false", 1);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    size_t len = 0;
    ssize_t n;
    while (len + 1 < size && (n = read(pipefd[0], out + len, size - 1 - len)) > 0)
        len += (size_t)n;
    out[len] = '\0';
    close(pipefd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The stock libnfc tools see the card: nfc-list lists it, nfc-mfultralight dumps it whole. */
static void test_tools(void **state)
{
    Fixture *f = *state;
    if (access(NFC_LIST, X_OK) != 0 || access(NFC_MFULTRALIGHT, X_OK) != 0)
        skip(); /* libnfc-bin is not installed */
    char out[TOOL_OUTPUT_MAX];
    assert_true(nfctest_sim_present(f->sim, f->tag_a));
    const char *const list[] = {NFC_LIST, NULL};
    assert_true(run_tool(f, list, out, sizeof out));
    assert_non_null(strstr(out, "1 ISO14443A passive target(s) found"));
    assert_non_null(strstr(out, "04  a1  b2  c3  d4  e5  80"));

    char dump[NFCTEST_PATH_MAX + 16];
    snprintf(dump, sizeof dump, "%s/dump.bin", nfctest_sim_dir(f->sim));
    const char *const read[] = {NFC_MFULTRALIGHT, "r", dump, NULL};
    assert_true(run_tool(f, read, out, sizeof out));
    uint8_t want[NFCTEST_TAG_SIZE], got[NFCTEST_TAG_SIZE + 1];
    nfctest_tag_image(want, uid_a, f->msg, f->msg_len);
    memset(want + 133 * 4, 0, 8); /* PWD and PACK read as zeros */
    FILE *fp = fopen(dump, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(got, 1, sizeof got, fp), NFCTEST_TAG_SIZE);
    fclose(fp);
    assert_memory_equal(got, want, NFCTEST_TAG_SIZE);
}

static void test_bad_requests(void **state)
{
    Fixture *f = *state;
    char reply[NFCTEST_REPLY_MAX];
    assert_false(nfctest_sim_cmd(f->sim, "not json", reply, sizeof reply));
    assert_non_null(strstr(reply, "\"error\""));
    assert_false(nfctest_sim_cmd(f->sim, "{\"cmd\":\"fly\"}", reply, sizeof reply));
    assert_false(nfctest_sim_present(f->sim, "/nonexistent/tag.bin"));
    /* A tag file with wrong UID check bytes is refused. */
    char bad[NFCTEST_PATH_MAX + 16];
    snprintf(bad, sizeof bad, "%s/bad.bin", nfctest_sim_dir(f->sim));
    uint8_t image[NFCTEST_TAG_SIZE];
    nfctest_tag_image(image, uid_a, f->msg, f->msg_len);
    image[3] ^= 0xFF;
    FILE *fp = fopen(bad, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(image, 1, sizeof image, fp), sizeof image);
    fclose(fp);
    assert_false(nfctest_sim_present(f->sim, bad));
    assert_true(nfctest_sim_cmd(f->sim, "{\"cmd\":\"status\"}", reply, sizeof reply));
}

static void test_bad_connstring(void **state)
{
    (void)state;
    NfcCallbacks cb = {0};
    KioskErr err = KIOSK_OK;
    assert_null(nfc_reader_start("", &cb, &err));
    assert_int_equal(err, KIOSK_E_INVALID);
    nfc_reader_stop(NULL);
}

static void test_tap(void **state)
{
    Fixture *f = *state;
    start(f);
    assert_true(nfctest_sim_present(f->sim, f->tag_a));
    assert_int_equal(wait_for(&f->rec, &f->rec.taps, 1), 1);
    assert_tap(f, uid_a);
    assert_int_equal(count(&f->rec, &f->rec.removed), 0);
}

static void test_tag_before_start(void **state)
{
    Fixture *f = *state;
    assert_true(nfctest_sim_present(f->sim, f->tag_a));
    start(f);
    assert_int_equal(wait_for(&f->rec, &f->rec.taps, 1), 1);
    assert_tap(f, uid_a);
}

static void test_hold(void **state)
{
    Fixture *f = *state;
    start(f);
    assert_true(nfctest_sim_present(f->sim, f->tag_a));
    assert_int_equal(wait_for(&f->rec, &f->rec.taps, 1), 1);
    usleep(HOLD_MS * 1000);
    assert_int_equal(count(&f->rec, &f->rec.taps), 1);
    assert_int_equal(count(&f->rec, &f->rec.removed), 0);
}

static void test_remove(void **state)
{
    Fixture *f = *state;
    start(f);
    assert_true(nfctest_sim_present(f->sim, f->tag_a));
    assert_int_equal(wait_for(&f->rec, &f->rec.taps, 1), 1);
    assert_true(nfctest_sim_cmd(f->sim, "{\"cmd\":\"remove\"}", NULL, 0));
    assert_int_equal(wait_for(&f->rec, &f->rec.removed, 1), 1);
    assert_true(nfctest_sim_present(f->sim, f->tag_b));
    assert_int_equal(wait_for(&f->rec, &f->rec.taps, 2), 2);
    assert_tap(f, uid_b);
    /* The same card again is a new presentation too. */
    assert_true(nfctest_sim_cmd(f->sim, "{\"cmd\":\"remove\"}", NULL, 0));
    assert_int_equal(wait_for(&f->rec, &f->rec.removed, 2), 2);
    assert_true(nfctest_sim_present(f->sim, f->tag_b));
    assert_int_equal(wait_for(&f->rec, &f->rec.taps, 3), 3);
}

/* A message longer than 254 bytes (3-byte TLV length) takes many READs, all of it arrives. */
static void test_large(void **state)
{
    Fixture *f = *state;
    uint8_t msg[LARGE_MSG];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7 + 1);
    char path[NFCTEST_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/large.bin", nfctest_sim_dir(f->sim));
    assert_true(nfctest_tag_write(path, uid_a, msg, sizeof msg));
    start(f);
    assert_true(nfctest_sim_present(f->sim, path));
    assert_int_equal(wait_for(&f->rec, &f->rec.taps, 1), 1);
    pthread_mutex_lock(&f->rec.lock);
    NfcTap tap = f->rec.last_tap;
    pthread_mutex_unlock(&f->rec.lock);
    assert_true(tap.data_len >= 4 + sizeof msg); /* the whole NDEF TLV, in 16-byte reads */
    assert_int_equal(tap.data_len % 16, 0);
    assert_true(tap.data_len <= 496); /* the NTAG215 data area */
    const uint8_t head[] = {0x03, 0xFF, LARGE_MSG >> 8, LARGE_MSG & 0xFF};
    assert_memory_equal(tap.data, head, sizeof head);
    assert_memory_equal(tap.data + 4, msg, sizeof msg);
}

/* A tag with no NDEF capability container is still one tap, with no data. */
static void test_unformatted(void **state)
{
    Fixture *f = *state;
    uint8_t image[NFCTEST_TAG_SIZE];
    nfctest_tag_image(image, uid_b, f->msg, f->msg_len);
    memset(image + 12, 0, 4);
    char path[NFCTEST_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/blank.bin", nfctest_sim_dir(f->sim));
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(image, 1, sizeof image, fp), sizeof image);
    fclose(fp);
    start(f);
    assert_true(nfctest_sim_present(f->sim, path));
    assert_int_equal(wait_for(&f->rec, &f->rec.taps, 1), 1);
    pthread_mutex_lock(&f->rec.lock);
    NfcTap tap = f->rec.last_tap;
    pthread_mutex_unlock(&f->rec.lock);
    assert_int_equal(tap.uid_len, NFCTEST_UID_LEN);
    assert_memory_equal(tap.uid, uid_b, NFCTEST_UID_LEN);
    assert_int_equal(tap.data_len, 0);
}

/* Swapping cards without a gap: the first is removed, the second tapped. */
static void test_swap(void **state)
{
    Fixture *f = *state;
    start(f);
    assert_true(nfctest_sim_present(f->sim, f->tag_a));
    assert_int_equal(wait_for(&f->rec, &f->rec.taps, 1), 1);
    assert_true(nfctest_sim_present(f->sim, f->tag_b));
    assert_int_equal(wait_for(&f->rec, &f->rec.removed, 1), 1);
    assert_int_equal(wait_for(&f->rec, &f->rec.taps, 2), 2);
    assert_tap(f, uid_b);
}

static void test_unplug_replug(void **state)
{
    Fixture *f = *state;
    start(f);
    assert_true(nfctest_sim_present(f->sim, f->tag_a));
    assert_int_equal(wait_for(&f->rec, &f->rec.taps, 1), 1);
    assert_true(nfctest_sim_cmd(f->sim, "{\"cmd\":\"unplug\"}", NULL, 0));
    assert_int_equal(wait_for(&f->rec, &f->rec.down, 1), 1);
    assert_int_equal(count(&f->rec, &f->rec.removed), 1); /* the held card went with it */
    char detail[DETAIL_COPY];
    assert_false(last_state(&f->rec, detail));
    assert_true(detail[0] != '\0');
    /* Stays disconnected, reported once, while the reader is away. */
    usleep(500 * 1000);
    assert_int_equal(count(&f->rec, &f->rec.down), 1);
    assert_int_equal(count(&f->rec, &f->rec.up), 1);

    assert_true(nfctest_sim_cmd(f->sim, "{\"cmd\":\"remove\"}", NULL, 0));
    assert_true(nfctest_sim_cmd(f->sim, "{\"cmd\":\"replug\"}", NULL, 0));
    assert_int_equal(wait_for(&f->rec, &f->rec.up, 2), 2);
    assert_true(nfctest_sim_present(f->sim, f->tag_b));
    assert_int_equal(wait_for(&f->rec, &f->rec.taps, 2), 2);
    assert_tap(f, uid_b);

    /* Unplugged again while polling (no card): same recovery. */
    assert_true(nfctest_sim_cmd(f->sim, "{\"cmd\":\"remove\"}", NULL, 0));
    assert_int_equal(wait_for(&f->rec, &f->rec.removed, 2), 2);
    assert_true(nfctest_sim_cmd(f->sim, "{\"cmd\":\"unplug\"}", NULL, 0));
    assert_int_equal(wait_for(&f->rec, &f->rec.down, 2), 2);
    assert_true(nfctest_sim_cmd(f->sim, "{\"cmd\":\"replug\"}", NULL, 0));
    assert_int_equal(wait_for(&f->rec, &f->rec.up, 3), 3);
    assert_true(nfctest_sim_present(f->sim, f->tag_a));
    assert_int_equal(wait_for(&f->rec, &f->rec.taps, 3), 3);
    assert_tap(f, uid_a);
    assert_int_equal(count(&f->rec, &f->rec.removed), 2);
}

static void test_absent_at_start(void **state)
{
    Fixture *f = *state;
    assert_true(nfctest_sim_cmd(f->sim, "{\"cmd\":\"unplug\"}", NULL, 0));
    f->reader = start_reader(f, &f->rec);
    assert_int_equal(wait_for(&f->rec, &f->rec.down, 1), 1);
    assert_true(nfctest_sim_cmd(f->sim, "{\"cmd\":\"replug\"}", NULL, 0));
    assert_int_equal(wait_for(&f->rec, &f->rec.up, 1), 1);
    assert_true(nfctest_sim_present(f->sim, f->tag_a));
    assert_int_equal(wait_for(&f->rec, &f->rec.taps, 1), 1);
}

/* A reader another user has locked (flock on the device node, as a second kiosk process
 * would): the worker reports it busy and waits, then takes over once the lock is released.
 * (Two workers in one process cannot share libnfc: see nfc.h.) */
static void test_lock(void **state)
{
    Fixture *f = *state;
    char link[NFCTEST_PATH_MAX + 16];
    snprintf(link, sizeof link, "%s/pn532", nfctest_sim_dir(f->sim));
    int fd = open(link, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
    f->reader = start_reader(f, &f->rec);
    assert_int_equal(wait_for(&f->rec, &f->rec.down, 1), 1);
    char detail[DETAIL_COPY];
    assert_false(last_state(&f->rec, detail));
    assert_non_null(strstr(detail, "busy"));
    assert_true(nfctest_sim_present(f->sim, f->tag_a));
    usleep(400 * 1000);
    assert_int_equal(count(&f->rec, &f->rec.taps), 0);
    close(fd);
    assert_int_equal(wait_for(&f->rec, &f->rec.up, 1), 1);
    assert_int_equal(wait_for(&f->rec, &f->rec.taps, 1), 1);
}

static void test_stop_prompt(void **state)
{
    Fixture *f = *state;
    start(f);
    usleep(100 * 1000); /* into a poll */
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    nfc_reader_stop(f->reader);
    f->reader = NULL;
    long idle_ms = elapsed_ms(&t0);

    start(f);
    assert_true(nfctest_sim_present(f->sim, f->tag_a));
    assert_int_equal(wait_for(&f->rec, &f->rec.taps, 1), 1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    nfc_reader_stop(f->reader);
    f->reader = NULL;
    long held_ms = elapsed_ms(&t0);
    print_message("stop took %ld ms idle, %ld ms with a card\n", idle_ms, held_ms);
    assert_true(idle_ms < STOP_MAX_MS);
    assert_true(held_ms < STOP_MAX_MS);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tools, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
        cmocka_unit_test(test_bad_connstring),
        cmocka_unit_test_setup_teardown(test_tap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tag_before_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hold, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_swap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unformatted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unplug_replug, setup, teardown),
        cmocka_unit_test_setup_teardown(test_absent_at_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_prompt, setup, teardown),
    };
    TEST_FILTER(argc, argv, tests); /* CTest runs each case on its own, in parallel */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
