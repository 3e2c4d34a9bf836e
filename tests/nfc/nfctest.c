/* nfctest.c: see nfctest.h. */
#include "nfctest.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/prctl.h>
#include <unistd.h>

#define SIM_READY_MS 5000
#define SIM_REPLY_MS 5000
#define SIM_EXIT_MS  3000

/* NFC Forum Type 2 Tag: capability container of an NTAG215 (496-byte data area). */
static const uint8_t cc_ntag215[4] = {0xE1, 0x10, 0x3E, 0x00};

struct NfcSim {
    pid_t pid;
    int ctl;
    char dir[NFCTEST_PATH_MAX];
    char link[NFCTEST_PATH_MAX + 16];
    char sock[NFCTEST_PATH_MAX + 16];
    char connstring[NFCTEST_PATH_MAX + 32];
};

/* Reads one line (up to '\n', not kept) from fd within timeout_ms. */
static bool read_line(int fd, char *buf, size_t size, int timeout_ms)
{
    size_t len = 0;
    while (len + 1 < size) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, timeout_ms) <= 0)
            return false;
        char c;
        ssize_t n = read(fd, &c, 1);
        if (n <= 0)
            return false;
        if (c == '\n') {
            buf[len] = '\0';
            return true;
        }
        buf[len++] = c;
    }
    return false;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    if (remove(path) != 0)
        fprintf(stderr, "nfctest: could not remove %s: %s\n", path, strerror(errno));
    return 0;
}

static void remove_dir(const char *dir)
{
    nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

NfcSim *nfctest_sim_start(const char *sim_path)
{
    NfcSim *sim = calloc(1, sizeof *sim);
    int out[2] = {-1, -1};
    char line[512];
    bool ok = false;
    if (!sim)
        return NULL;
    sim->pid = -1;
    sim->ctl = -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(sim->dir, sizeof sim->dir, "%s/nfc-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(sim->dir)) {
        fprintf(stderr, "nfctest: mkdtemp: %s\n", strerror(errno));
        sim->dir[0] = '\0';
        goto out;
    }
    snprintf(sim->link, sizeof sim->link, "%s/pn532", sim->dir);
    snprintf(sim->sock, sizeof sim->sock, "%s/ctl", sim->dir);
    snprintf(sim->connstring, sizeof sim->connstring, "pn532_uart:%s", sim->link);
    if (pipe2(out, O_CLOEXEC) != 0)
        goto out;
    sim->pid = fork();
    if (sim->pid < 0)
        goto out;
    if (sim->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive a test that crashed */
        dup2(out[1], STDOUT_FILENO);
        execl(sim_path, sim_path, "--link", sim->link, "--control", sim->sock, (char *)NULL);
        fprintf(stderr, "nfctest: exec %s: %s\n", sim_path, strerror(errno));
        _exit(127);
    }
    close(out[1]);
    out[1] = -1;
    if (!read_line(out[0], line, sizeof line, SIM_READY_MS) || !strstr(line, "pty=")) {
        fprintf(stderr, "nfctest: nfc-sim did not start\n");
        goto out;
    }
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(sim->sock) >= sizeof addr.sun_path) {
        fprintf(stderr, "nfctest: socket path too long: %s\n", sim->sock);
        goto out;
    }
    memcpy(addr.sun_path, sim->sock, strlen(sim->sock) + 1);
    sim->ctl = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sim->ctl < 0 || connect(sim->ctl, (struct sockaddr *)&addr, sizeof addr) != 0) {
        fprintf(stderr, "nfctest: connect %s: %s\n", sim->sock, strerror(errno));
        goto out;
    }
    ok = true;
out:
    /* Later "ready" lines (after a replug) go nowhere: nfc-sim ignores SIGPIPE. */
    if (out[0] >= 0)
        close(out[0]);
    if (out[1] >= 0)
        close(out[1]);
    if (!ok) {
        nfctest_sim_stop(sim);
        sim = NULL;
    }
    return sim;
}

void nfctest_sim_stop(NfcSim *sim)
{
    if (!sim)
        return;
    if (sim->ctl >= 0)
        close(sim->ctl);
    if (sim->pid > 0) {
        kill(sim->pid, SIGTERM);
        int status;
        for (int waited = 0; waitpid(sim->pid, &status, WNOHANG) == 0; waited += 10) {
            if (waited >= SIM_EXIT_MS) {
                kill(sim->pid, SIGKILL);
                waitpid(sim->pid, &status, 0);
                break;
            }
            usleep(10 * 1000);
        }
    }
    if (sim->dir[0])
        remove_dir(sim->dir);
    free(sim);
}

const char *nfctest_sim_connstring(const NfcSim *sim)
{
    return sim->connstring;
}

const char *nfctest_sim_dir(const NfcSim *sim)
{
    return sim->dir;
}

bool nfctest_sim_cmd(NfcSim *sim, const char *line, char *reply, size_t size)
{
    char buf[NFCTEST_REPLY_MAX];
    size_t len = strlen(line);
    if (send(sim->ctl, line, len, MSG_NOSIGNAL) != (ssize_t)len ||
        send(sim->ctl, "\n", 1, MSG_NOSIGNAL) != 1)
        return false;
    if (!read_line(sim->ctl, buf, sizeof buf, SIM_REPLY_MS))
        return false;
    if (reply)
        snprintf(reply, size, "%s", buf);
    return strstr(buf, "\"ok\":true") != NULL;
}

bool nfctest_sim_present(NfcSim *sim, const char *tag_path)
{
    char line[NFCTEST_PATH_MAX + 64];
    snprintf(line, sizeof line, "{\"cmd\":\"present\",\"tag\":\"%s\"}", tag_path);
    return nfctest_sim_cmd(sim, line, NULL, 0);
}

size_t nfctest_uri_message(uint8_t *out, size_t size, const char *rest)
{
    size_t n = strlen(rest);
    if (n + 5 > size || n + 1 > 255)
        return 0;
    out[0] = 0xD1; /* MB, ME, SR, TNF well-known */
    out[1] = 0x01; /* type length */
    out[2] = (uint8_t)(n + 1);
    out[3] = 'U';
    out[4] = 0x04; /* "https://" */
    memcpy(out + 5, rest, n);
    return n + 5;
}

size_t nfctest_tag_image(uint8_t image[NFCTEST_TAG_SIZE], const uint8_t uid[NFCTEST_UID_LEN],
                         const uint8_t *msg, size_t len)
{
    size_t hdr = len < 0xFF ? 2 : 4;
    size_t area = 496; /* cc_ntag215[2] * 8 */
    if (hdr + len + 1 > area)
        return 0;
    memset(image, 0, NFCTEST_TAG_SIZE);
    image[0] = uid[0];
    image[1] = uid[1];
    image[2] = uid[2];
    image[3] = 0x88 ^ uid[0] ^ uid[1] ^ uid[2]; /* BCC0, with the cascade tag */
    memcpy(image + 4, uid + 3, 4);
    image[8] = uid[3] ^ uid[4] ^ uid[5] ^ uid[6]; /* BCC1 */
    image[9] = 0x48;                              /* internal */
    memcpy(image + 12, cc_ntag215, sizeof cc_ntag215);
    uint8_t *tlv = image + 16;
    tlv[0] = 0x03;
    if (hdr == 2) {
        tlv[1] = (uint8_t)len;
    } else {
        tlv[1] = 0xFF;
        tlv[2] = (uint8_t)(len >> 8);
        tlv[3] = (uint8_t)len;
    }
    if (len > 0)
        memcpy(tlv + hdr, msg, len);
    tlv[hdr + len] = 0xFE;
    /* Dynamic lock bytes and configuration pages as an NTAG215 leaves the factory. */
    static const uint8_t cfg[] = {0x00, 0x00, 0x00, 0xBD, 0x04, 0x00, 0x00, 0xFF,
                                  0x00, 0x05, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF};
    memcpy(image + 130 * 4, cfg, sizeof cfg);
    return hdr + len + 1;
}

bool nfctest_tag_write(const char *path, const uint8_t uid[NFCTEST_UID_LEN], const uint8_t *msg,
                       size_t len)
{
    uint8_t image[NFCTEST_TAG_SIZE];
    if (nfctest_tag_image(image, uid, msg, len) == 0)
        return false;
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(image, 1, sizeof image, f) == sizeof image;
    return fclose(f) == 0 && ok;
}
