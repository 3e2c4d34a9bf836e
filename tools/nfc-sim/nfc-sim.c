/* nfc-sim: a PN532 NFC reader emulated on a pseudo-terminal, for tests and demos.
 * Real libnfc opens it as "pn532_uart:PATH" and cannot tell it from a reader on a serial
 * port. It answers what libnfc sends when it opens a PN532 and polls for ISO14443A targets,
 * and presents at most one NTAG215, loaded from a 540-byte memory image (a "tag file").
 * The card answers READ, FAST_READ, GET_VERSION and WRITE; what is written stays in memory.
 * A control socket (or stdin) speaking JSON lines puts tags on the reader, takes them off,
 * saves the card's memory to a file, and unplugs or replugs the reader. docs/nfc-sim.md is the
 * reference.
 *
 * One thread, one poll() loop: the pty master, the control socket and its clients, and a
 * signalfd for SIGINT/SIGTERM. The Sim struct, made by main, owns every fd. The PN532 model
 * is deliberately small: a register file, the RF retry count, one pending poll command
 * (InAutoPoll, or InListPassiveTarget with infinite retries) answered when a tag appears or
 * its time is up, and a tag that is "selected" once a poll has reported it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

/* The tag. */
#define NTAG_PAGE_SIZE     4
#define NTAG215_PAGES      135
#define NTAG215_SIZE       (NTAG215_PAGES * NTAG_PAGE_SIZE)
#define NTAG_UID_LEN       7
#define NTAG_READ_PAGES    4
#define NTAG_PAGE_PWD      133 /* PWD and PACK read as zeros on a real tag */
#define NTAG_PAGE_PACK     134
#define NTAG_ATQA_0        0x00
#define NTAG_ATQA_1        0x44
#define NTAG_SAK           0x00
#define NTAG_CMD_GET_VER   0x60
#define NTAG_CMD_READ      0x30
#define NTAG_CMD_FAST_READ 0x3A
#define NTAG_CMD_WRITE     0xA2 /* WRITE pp d0 d1 d2 d3: one page */
#define NTAG_CMD_COMPAT_WR 0xA0 /* COMPATIBILITY_WRITE pp d0..d15: the first 4 bytes land */
#define NTAG_COMPAT_LEN    16
#define NTAG_PAGE_CC       3    /* one-time programmable: a write can only set bits */
#define NTAG_USER_END      130  /* first page after user memory: dynamic lock, CFG0, CFG1, ... */
#define NTAG_ACK           0x0A /* the tag's 4-bit ACK */

/* PN532 framing and commands (user manual UM0701-02). */
#define PN_TFI_HOST        0xD4
#define PN_TFI_CHIP        0xD5
#define PN_FRAME_MAX       (8 + 2 + 262) /* extended header + TFI/cmd + data + DCS/postamble */
#define PN_RX_MAX          4096
#define PN_REG_SPACE       65536
#define PN_REG_TXMODE      0x6302
#define PN_REG_RXMODE      0x6303
#define PN_CRC_EN          0x80
#define PN_FRAMING_MASK    0x03
#define PN_FRAMING_B       0x03
#define PN_ST_OK           0x00
#define PN_ST_TIMEOUT      0x01 /* no answer from a card: how "card gone" looks */
#define PN_ST_NAK          0x14 /* our stand-in for a 4-bit NAK from the tag */
#define PN_ST_BAD_PARAM    0x10
#define PN_ST_NOT_ALLOWED  0x27
#define PN_DIAG_PRESENCE   0x06
#define PN_POLL_PERIOD_MS  150 /* InAutoPoll's Period unit */
#define PN_POLL_FOREVER    0xFF
#define PN_POLL_TYPES_MAX  15
#define PN_TYPE_GENERIC106 0x00
#define PN_TYPE_MIFARE     0x10
#define PN_RFCFG_FIELD     0x01
#define PN_RFCFG_RETRIES   0x05

/* PN532 commands (host to chip; the reply's code is one more). */
typedef enum PnCmd {
    PN_DIAGNOSE = 0x00,
    PN_GET_FIRMWARE_VERSION = 0x02,
    PN_GET_GENERAL_STATUS = 0x04,
    PN_READ_REGISTER = 0x06,
    PN_WRITE_REGISTER = 0x08,
    PN_READ_GPIO = 0x0C,
    PN_WRITE_GPIO = 0x0E,
    PN_SET_SERIAL_BAUD_RATE = 0x10,
    PN_SET_PARAMETERS = 0x12,
    PN_SAM_CONFIGURATION = 0x14,
    PN_POWER_DOWN = 0x16,
    PN_RF_CONFIGURATION = 0x32,
    PN_IN_DATA_EXCHANGE = 0x40,
    PN_IN_COMMUNICATE_THRU = 0x42,
    PN_IN_DESELECT = 0x44,
    PN_IN_LIST_PASSIVE_TARGET = 0x4A,
    PN_IN_PSL = 0x4E,
    PN_IN_RELEASE = 0x52,
    PN_IN_SELECT = 0x54,
    PN_IN_AUTO_POLL = 0x60,
} PnCmd;

/* The host side. */
#define CONTROL_LINE_MAX    4096
#define CONTROL_CLIENTS_MAX 8
#define PTY_NAME_MAX        128
#define WRITE_WAIT_MS       200

typedef struct Client {
    int in_fd; /* -1: free slot */
    int out_fd;
    size_t len;
    bool overflow;
    char buf[CONTROL_LINE_MAX];
} Client;

typedef struct Pending {
    bool active;
    uint8_t cmd;
    bool forever;
    uint64_t deadline_ms;
    uint8_t types[PN_POLL_TYPES_MAX];
    size_t ntypes;
} Pending;

typedef struct Sim {
    const char *link_path;
    const char *control_path;
    int master; /* -1: unplugged */
    int slave;  /* kept open by us: with no slave open, reads on the master fail */
    char pty_name[PTY_NAME_MAX];
    uint8_t rx[PN_RX_MAX];
    size_t rx_len;
    uint8_t last_reply[PN_FRAME_MAX];
    size_t last_reply_len;
    uint8_t regs[PN_REG_SPACE];
    uint8_t retries_passive; /* MxRtyPassiveActivation; 0xFF is "forever" */
    Pending pending;
    bool tag_present;
    bool tag_loaded; /* tag holds a card's memory (present now, or the last one removed) */
    bool selected;   /* a poll reported the tag since it was put down */
    uint8_t tag[NTAG215_SIZE]; /* the card's memory, changed by WRITEs; `save` dumps it */
    int listen_fd;
    int signal_fd;
    bool quit;
    Client clients[CONTROL_CLIENTS_MAX];
} Sim;

static void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void complain(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "nfc-sim: %s\n", msg);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- the tag ---------------------------------------------------------------------------- */

static void tag_uid(const Sim *s, uint8_t uid[NTAG_UID_LEN])
{
    memcpy(uid, s->tag, 3);
    memcpy(uid + 3, s->tag + 4, 4);
}

static uint8_t tag_byte(const Sim *s, size_t page, size_t off)
{
    page %= NTAG215_PAGES; /* READ rolls over past the last page, as on a real tag */
    if (page == NTAG_PAGE_PWD || page == NTAG_PAGE_PACK)
        return 0;
    return s->tag[page * NTAG_PAGE_SIZE + off];
}

/* ISO/IEC 14443-3 CRC_A, appended low byte first. */
static void crc_a_append(uint8_t *buf, size_t len)
{
    uint16_t crc = 0x6363;
    for (size_t i = 0; i < len; i++) {
        uint8_t b = buf[i] ^ (uint8_t)(crc & 0xFF);
        b ^= (uint8_t)(b << 4);
        crc = (uint16_t)((crc >> 8) ^ ((uint16_t)b << 8) ^ ((uint16_t)b << 3) ^ (b >> 4));
    }
    buf[len] = (uint8_t)(crc & 0xFF);
    buf[len + 1] = (uint8_t)(crc >> 8);
}

/* WRITE and COMPATIBILITY_WRITE of one page. The UID and static lock page (0-2) and the
 * pages past user memory (dynamic lock, configuration, password) are refused with a NAK:
 * this emulator never locks, configures or protects a card. The capability container is
 * one-time programmable, as on a real tag: written bits are ORed in. */
static bool tag_write(Sim *s, size_t page, const uint8_t data[NTAG_PAGE_SIZE])
{
    if (page < NTAG_PAGE_CC || page >= NTAG_USER_END)
        return false;
    uint8_t *p = s->tag + page * NTAG_PAGE_SIZE;
    for (size_t i = 0; i < NTAG_PAGE_SIZE; i++)
        p[i] = page == NTAG_PAGE_CC ? (uint8_t)(p[i] | data[i]) : data[i];
    return true;
}

/* One command to the selected tag. Returns a PN532 status byte; fills out (room for 64).
 * *ack is set when the tag's answer is a 4-bit ACK rather than bytes. */
static uint8_t tag_exchange(Sim *s, const uint8_t *cmd, size_t n, uint8_t *out, size_t *out_len,
                            bool *ack)
{
    static const uint8_t version[] = {0x00, 0x04, 0x04, 0x02, 0x01, 0x00, 0x11, 0x03};
    *out_len = 0;
    *ack = false;
    if (!s->tag_present || !s->selected || n == 0)
        return PN_ST_TIMEOUT;
    switch (cmd[0]) {
    case NTAG_CMD_READ:
        if (n < 2 || cmd[1] >= NTAG215_PAGES)
            return PN_ST_NAK;
        for (size_t i = 0; i < NTAG_READ_PAGES * NTAG_PAGE_SIZE; i++)
            out[i] = tag_byte(s, cmd[1] + i / NTAG_PAGE_SIZE, i % NTAG_PAGE_SIZE);
        *out_len = NTAG_READ_PAGES * NTAG_PAGE_SIZE;
        return PN_ST_OK;
    case NTAG_CMD_FAST_READ:
        if (n < 3 || cmd[1] > cmd[2] || cmd[2] >= NTAG215_PAGES || cmd[2] - cmd[1] >= 15)
            return PN_ST_NAK;
        for (size_t p = cmd[1]; p <= cmd[2]; p++)
            for (size_t i = 0; i < NTAG_PAGE_SIZE; i++)
                out[(*out_len)++] = tag_byte(s, p, i);
        return PN_ST_OK;
    case NTAG_CMD_GET_VER:
        memcpy(out, version, sizeof version);
        *out_len = sizeof version;
        return PN_ST_OK;
    case NTAG_CMD_WRITE:
        if (n != 2 + NTAG_PAGE_SIZE || !tag_write(s, cmd[1], cmd + 2))
            return PN_ST_NAK;
        *ack = true;
        return PN_ST_OK;
    case NTAG_CMD_COMPAT_WR: /* both phases at once, as InDataExchange carries them */
        if (n != 2 + NTAG_COMPAT_LEN || !tag_write(s, cmd[1], cmd + 2))
            return PN_ST_NAK;
        *ack = true;
        return PN_ST_OK;
    default:
        return PN_ST_NAK;
    }
}

/* Reads and checks a tag file. Returns NULL on success, else msg filled with the reason. */
static const char *tag_load(const char *path, uint8_t tag[NTAG215_SIZE], char *msg, size_t size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(msg, size, "cannot open %s: %s", path, strerror(errno));
        return msg;
    }
    uint8_t buf[NTAG215_SIZE + 1];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (n != NTAG215_SIZE) {
        snprintf(msg, size, "a tag file is %d bytes (NTAG215), %s has %s%zu", NTAG215_SIZE, path,
                 n > NTAG215_SIZE ? "more than " : "", n > NTAG215_SIZE ? NTAG215_SIZE : n);
        return msg;
    }
    uint8_t bcc0 = 0x88 ^ buf[0] ^ buf[1] ^ buf[2];
    uint8_t bcc1 = buf[4] ^ buf[5] ^ buf[6] ^ buf[7];
    if (buf[3] != bcc0 || buf[8] != bcc1) {
        snprintf(msg, size, "UID check bytes in %s are wrong (BCC0 %02X, BCC1 %02X expected)", path,
                 bcc0, bcc1);
        return msg;
    }
    memcpy(tag, buf, NTAG215_SIZE);
    return NULL;
}

/* Writes the tag's memory to path, whole or not at all (a temporary file, then rename).
 * Returns NULL on success, else msg filled with the reason. */
static const char *tag_save(const char *path, const uint8_t tag[NTAG215_SIZE], char *msg,
                            size_t size)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof tmp) {
        snprintf(msg, size, "path too long: %s", path);
        return msg;
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        snprintf(msg, size, "cannot write %s: %s", tmp, strerror(errno));
        return msg;
    }
    bool ok = fwrite(tag, 1, NTAG215_SIZE, f) == NTAG215_SIZE;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(msg, size, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return msg;
    }
    return NULL;
}

/* ---- the pty ---------------------------------------------------------------------------- */

static void pty_write(Sim *s, const uint8_t *buf, size_t len)
{
    size_t off = 0;
    while (s->master >= 0 && off < len) {
        ssize_t n = write(s->master, buf + off, len - off);
        if (n > 0) {
            off += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            struct pollfd p = {.fd = s->master, .events = POLLOUT};
            if (poll(&p, 1, WRITE_WAIT_MS) <= 0) {
                complain("nobody reads the pty; dropped %zu bytes", len - off);
                return;
            }
        } else {
            complain("write to pty: %s", strerror(errno));
            return;
        }
    }
}

static void send_ack(Sim *s)
{
    static const uint8_t ack[] = {0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00};
    pty_write(s, ack, sizeof ack);
}

static void send_syntax_error(Sim *s)
{
    static const uint8_t err[] = {0x00, 0x00, 0xFF, 0x01, 0xFF, 0x7F, 0x81, 0x00};
    pty_write(s, err, sizeof err);
}

/* Sends the reply to command cmd: D5, cmd + 1, then data. */
static void send_reply(Sim *s, uint8_t cmd, const uint8_t *data, size_t len)
{
    uint8_t *f = s->last_reply;
    size_t n = 0;
    size_t body = len + 2;
    if (body > 255) {
        complain("reply too long (%zu bytes), not sent", len);
        return;
    }
    f[n++] = 0x00;
    f[n++] = 0x00;
    f[n++] = 0xFF;
    f[n++] = (uint8_t)body;
    f[n++] = (uint8_t)(0x100 - body);
    uint8_t sum = PN_TFI_CHIP + (uint8_t)(cmd + 1);
    f[n++] = PN_TFI_CHIP;
    f[n++] = (uint8_t)(cmd + 1);
    for (size_t i = 0; i < len; i++) {
        f[n++] = data[i];
        sum = (uint8_t)(sum + data[i]);
    }
    f[n++] = (uint8_t)(0x100 - sum);
    f[n++] = 0x00;
    s->last_reply_len = n;
    pty_write(s, f, n);
}

static void pty_close(Sim *s)
{
    if (s->master < 0)
        return;
    close(s->master);
    close(s->slave);
    s->master = s->slave = -1;
    unlink(s->link_path);
    s->rx_len = 0;
    s->pending.active = false;
    s->selected = false;
}

/* Makes a new pty in raw mode and points the link at it. Prints the "ready" line. */
static int pty_open(Sim *s)
{
    int rc = -1;
    char tmp_link[PATH_MAX];
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    int sl = -1;
    if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0 ||
        ptsname_r(m, s->pty_name, sizeof s->pty_name) != 0) {
        complain("cannot make a pseudo-terminal: %s", strerror(errno));
        goto out;
    }
    sl = open(s->pty_name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (sl < 0) {
        complain("cannot open %s: %s", s->pty_name, strerror(errno));
        goto out;
    }
    struct termios t;
    if (tcgetattr(sl, &t) != 0) {
        complain("tcgetattr %s: %s", s->pty_name, strerror(errno));
        goto out;
    }
    cfmakeraw(&t);
    if (tcsetattr(sl, TCSANOW, &t) != 0) {
        complain("tcsetattr %s: %s", s->pty_name, strerror(errno));
        goto out;
    }
    /* Replace the link atomically: a client never sees a half-made one. */
    snprintf(tmp_link, sizeof tmp_link, "%s.tmp%ld", s->link_path, (long)getpid());
    unlink(tmp_link);
    if (symlink(s->pty_name, tmp_link) != 0 || rename(tmp_link, s->link_path) != 0) {
        complain("cannot link %s to %s: %s", s->link_path, s->pty_name, strerror(errno));
        unlink(tmp_link);
        goto out;
    }
    s->master = m;
    s->slave = sl;
    m = sl = -1;
    s->rx_len = 0;
    s->last_reply_len = 0;
    s->pending.active = false;
    s->selected = false;
    printf("pty=%s link=%s connstring=pn532_uart:%s\n", s->pty_name, s->link_path, s->link_path);
    fflush(stdout);
    rc = 0;
out:
    if (sl >= 0)
        close(sl);
    if (m >= 0)
        close(m);
    return rc;
}

/* ---- the PN532 -------------------------------------------------------------------------- */

/* SENS_RES, SEL_RES, NFCIDLength, NFCID1 of the tag: 11 bytes. */
static size_t target_data(const Sim *s, uint8_t *out)
{
    out[0] = NTAG_ATQA_0;
    out[1] = NTAG_ATQA_1;
    out[2] = NTAG_SAK;
    out[3] = NTAG_UID_LEN;
    tag_uid(s, out + 4);
    return 4 + NTAG_UID_LEN;
}

static bool autopoll_matches(const Pending *p)
{
    for (size_t i = 0; i < p->ntypes; i++)
        if (p->types[i] == PN_TYPE_GENERIC106 || p->types[i] == PN_TYPE_MIFARE)
            return true;
    return false;
}

/* Answers the pending poll if a tag is there (or its time is up). */
static void pending_check(Sim *s)
{
    Pending *p = &s->pending;
    if (!p->active)
        return;
    uint8_t out[32];
    size_t n = 0;
    bool found = s->tag_present && (p->cmd == PN_IN_LIST_PASSIVE_TARGET || autopoll_matches(p));
    if (found) {
        if (p->cmd == PN_IN_AUTO_POLL) {
            out[n++] = 1; /* NbTg */
            out[n++] = PN_TYPE_MIFARE;
            out[n++] = 1 + 4 + NTAG_UID_LEN;
            out[n++] = 1; /* Tg */
        } else {
            out[n++] = 1;
            out[n++] = 1;
        }
        n += target_data(s, out + n);
        s->selected = true;
    } else if (p->forever || now_ms() < p->deadline_ms) {
        return;
    } else {
        out[n++] = 0; /* no target */
    }
    p->active = false;
    send_reply(s, p->cmd, out, n);
}

static void cmd_in_list_passive(Sim *s, const uint8_t *d, size_t n)
{
    static const uint8_t none[] = {0};
    if (n < 2 || d[0] < 1 || d[0] > 2) {
        send_syntax_error(s);
        return;
    }
    if (d[1] != 0x00) { /* FeliCa, type B, Jewel: nothing of those here */
        send_reply(s, PN_IN_LIST_PASSIVE_TARGET, none, sizeof none);
        return;
    }
    s->pending = (Pending){.active = true,
                           .cmd = PN_IN_LIST_PASSIVE_TARGET,
                           .forever = s->retries_passive == PN_POLL_FOREVER,
                           .deadline_ms = now_ms()};
    pending_check(s);
}

static void cmd_in_auto_poll(Sim *s, const uint8_t *d, size_t n)
{
    if (n < 3 || n - 2 > PN_POLL_TYPES_MAX || d[0] == 0 || d[1] == 0) {
        send_syntax_error(s);
        return;
    }
    Pending p = {.active = true, .cmd = PN_IN_AUTO_POLL, .forever = d[0] == PN_POLL_FOREVER};
    p.ntypes = n - 2;
    memcpy(p.types, d + 2, p.ntypes);
    p.deadline_ms = now_ms() + (uint64_t)d[0] * d[1] * PN_POLL_PERIOD_MS * p.ntypes;
    s->pending = p;
    pending_check(s);
}

static void cmd_data_exchange(Sim *s, uint8_t cmd, const uint8_t *d, size_t n)
{
    uint8_t out[1 + 64 + 2];
    size_t len = 0;
    bool thru = cmd == PN_IN_COMMUNICATE_THRU;
    const uint8_t *tx = thru ? d : d + 1;
    size_t tx_len = thru ? n : (n > 0 ? n - 1 : 0);
    if (!thru && (n < 1 || d[0] != 1)) {
        out[0] = PN_ST_BAD_PARAM;
        send_reply(s, cmd, out, 1);
        return;
    }
    if (thru && (s->regs[PN_REG_TXMODE] & PN_FRAMING_MASK) == PN_FRAMING_B) {
        out[0] = PN_ST_TIMEOUT; /* type B framing: no B card here */
        send_reply(s, cmd, out, 1);
        return;
    }
    if (thru && !(s->regs[PN_REG_TXMODE] & PN_CRC_EN) && tx_len >= 2)
        tx_len -= 2; /* the host sent its own CRC */
    bool ack = false;
    out[0] = tag_exchange(s, tx, tx_len, out + 1, &len, &ack);
    if (ack) {
        /* InDataExchange: the PN532 takes the tag's 4-bit ACK itself and answers with the
         * status alone (as for a MIFARE WRITE). InCommunicateThru passes the 4 bits on as one
         * byte, with no CRC (a 4-bit frame has none). */
        if (thru)
            out[++len] = NTAG_ACK;
        send_reply(s, cmd, out, 1 + len);
        return;
    }
    if (out[0] == PN_ST_OK && thru && !(s->regs[PN_REG_RXMODE] & PN_CRC_EN)) {
        crc_a_append(out + 1, len);
        len += 2;
    }
    send_reply(s, cmd, out, out[0] == PN_ST_OK ? 1 + len : 1);
}

static void handle_command(Sim *s, const uint8_t *f, size_t n)
{
    static const uint8_t firmware[] = {0x32, 0x01, 0x06, 0x07}; /* PN532 v1.6 */
    static const uint8_t ok[] = {0x00};
    uint8_t out[64];
    if (n < 2 || f[0] != PN_TFI_HOST) {
        send_syntax_error(s);
        return;
    }
    uint8_t cmd = f[1];
    const uint8_t *d = f + 2;
    size_t dn = n - 2;
    s->pending.active = false; /* a new command ends any wait */
    send_ack(s);
    switch (cmd) {
    case PN_DIAGNOSE: /* echoes the line test; answers the card-presence test */
        if (dn >= 1 && d[0] == PN_DIAG_PRESENCE) {
            out[0] = s->tag_present && s->selected ? 0x00 : 0x01;
            send_reply(s, cmd, out, 1);
        } else {
            send_reply(s, cmd, d, dn);
        }
        break;
    case PN_GET_FIRMWARE_VERSION:
        send_reply(s, cmd, firmware, sizeof firmware);
        break;
    case PN_GET_GENERAL_STATUS: /* Err, Field, NbTg, [Tg BrRx BrTx Type], SAM */
        out[0] = 0;
        out[1] = 1;
        out[2] = s->selected ? 1 : 0;
        if (s->selected) {
            memcpy(out + 3, (uint8_t[]){1, 0, 0, PN_TYPE_MIFARE}, 4);
            out[7] = 0;
            send_reply(s, cmd, out, 8);
        } else {
            out[3] = 0;
            send_reply(s, cmd, out, 4);
        }
        break;
    case PN_READ_REGISTER: /* no status byte on a PN532 */
        if (dn % 2 != 0 || dn / 2 > sizeof out) {
            send_syntax_error(s);
            break;
        }
        for (size_t i = 0; i < dn / 2; i++)
            out[i] = s->regs[(size_t)d[2 * i] << 8 | d[2 * i + 1]];
        send_reply(s, cmd, out, dn / 2);
        break;
    case PN_WRITE_REGISTER:
        for (size_t i = 0; i + 2 < dn; i += 3)
            s->regs[(size_t)d[i] << 8 | d[i + 1]] = d[i + 2];
        send_reply(s, cmd, NULL, 0);
        break;
    case PN_READ_GPIO:
        send_reply(s, cmd, (const uint8_t[]){0x3F, 0x07, 0x00}, 3);
        break;
    case PN_WRITE_GPIO:
    case PN_SET_SERIAL_BAUD_RATE:
    case PN_SET_PARAMETERS:
    case PN_SAM_CONFIGURATION:
        send_reply(s, cmd, NULL, 0);
        break;
    case PN_POWER_DOWN:
        send_reply(s, cmd, ok, 1);
        break;
    case PN_RF_CONFIGURATION:
        if (dn >= 2 && d[0] == PN_RFCFG_FIELD && !(d[1] & 0x01))
            s->selected = false; /* field off: the tag loses its state */
        if (dn >= 4 && d[0] == PN_RFCFG_RETRIES)
            s->retries_passive = d[3];
        send_reply(s, cmd, NULL, 0);
        break;
    case PN_IN_DATA_EXCHANGE:
    case PN_IN_COMMUNICATE_THRU:
        cmd_data_exchange(s, cmd, d, dn);
        break;
    case PN_IN_DESELECT:
    case PN_IN_RELEASE:
        s->selected = false;
        send_reply(s, cmd, ok, 1);
        break;
    case PN_IN_PSL:
        send_reply(s, cmd, ok, 1);
        break;
    case PN_IN_SELECT:
        out[0] = s->tag_present ? PN_ST_OK : PN_ST_NOT_ALLOWED;
        s->selected = s->tag_present;
        send_reply(s, cmd, out, 1);
        break;
    case PN_IN_LIST_PASSIVE_TARGET:
        cmd_in_list_passive(s, d, dn);
        break;
    case PN_IN_AUTO_POLL:
        cmd_in_auto_poll(s, d, dn);
        break;
    default:
        complain("command 0x%02X not emulated", cmd);
        send_syntax_error(s);
        break;
    }
}

/* Consumes every complete frame in rx. libnfc sends its wakeup (55 55 00 ...) and the first
 * command with no pause, so frames are found by their start code 00 FF, not by timing. */
static void handle_rx(Sim *s)
{
    size_t pos = 0;
    for (;;) {
        size_t i = pos;
        while (i + 1 < s->rx_len && !(s->rx[i] == 0x00 && s->rx[i + 1] == 0xFF))
            i++;
        if (i + 1 >= s->rx_len) {
            pos = i; /* keep a trailing 00: it may start the next start code */
            break;
        }
        if (i + 4 > s->rx_len) {
            pos = i;
            break;
        }
        uint8_t len = s->rx[i + 2], lcs = s->rx[i + 3];
        size_t body_at = i + 4, body_len = len;
        if (len == 0x00 && lcs == 0xFF) { /* ACK from the host: abort the running command */
            s->pending.active = false;
            pos = i + 4;
            continue;
        }
        if (len == 0xFF && lcs == 0x00) { /* NACK: send the last reply again */
            if (s->last_reply_len)
                pty_write(s, s->last_reply, s->last_reply_len);
            pos = i + 4;
            continue;
        }
        if (len == 0xFF && lcs == 0xFF) { /* extended frame */
            if (i + 7 > s->rx_len) {
                pos = i;
                break;
            }
            uint8_t lm = s->rx[i + 4], ll = s->rx[i + 5], lc = s->rx[i + 6];
            if ((uint8_t)(lm + ll + lc) != 0) {
                pos = i + 2;
                continue;
            }
            body_at = i + 7;
            body_len = (size_t)lm << 8 | ll;
        } else if ((uint8_t)(len + lcs) != 0) {
            pos = i + 2; /* not a frame after all */
            continue;
        }
        if (body_len > PN_FRAME_MAX) {
            pos = i + 2;
            continue;
        }
        if (body_at + body_len + 1 > s->rx_len) {
            pos = i;
            break;
        }
        uint8_t sum = 0;
        for (size_t k = 0; k <= body_len; k++)
            sum = (uint8_t)(sum + s->rx[body_at + k]);
        pos = body_at + body_len + 1;
        if (sum != 0) {
            complain("frame with a bad checksum dropped");
            continue;
        }
        handle_command(s, s->rx + body_at, body_len);
        if (s->master < 0)
            return;
    }
    memmove(s->rx, s->rx + pos, s->rx_len - pos);
    s->rx_len -= pos;
}

static void pty_readable(Sim *s)
{
    if (s->rx_len == sizeof s->rx)
        s->rx_len = 0; /* garbage with no frame in it: start over */
    ssize_t n = read(s->master, s->rx + s->rx_len, sizeof s->rx - s->rx_len);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        complain("read from pty: %s", n == 0 ? "end of file" : strerror(errno));
        return;
    }
    s->rx_len += (size_t)n;
    handle_rx(s);
}

/* ---- control ---------------------------------------------------------------------------- */

static json_t *error_reply(const char *code, const char *message)
{
    return json_pack("{s:b, s:{s:s, s:s}}", "ok", 0, "error", "code", code, "message", message);
}

static json_t *handle_request(Sim *s, const char *line)
{
    json_error_t jerr;
    json_t *req = json_loads(line, 0, &jerr);
    json_t *reply = NULL;
    const char *cmd = req ? json_string_value(json_object_get(req, "cmd")) : NULL;
    if (!cmd) {
        reply = error_reply("invalid", "expected a JSON object with a string \"cmd\"");
    } else if (strcmp(cmd, "present") == 0) {
        const char *path = json_string_value(json_object_get(req, "tag"));
        uint8_t tag[NTAG215_SIZE];
        char why[PATH_MAX + 128];
        const char *msg =
            path ? tag_load(path, tag, why, sizeof why) : "\"tag\" (a tag file path) is required";
        if (msg) {
            reply = error_reply("invalid", msg);
        } else {
            memcpy(s->tag, tag, sizeof tag);
            s->tag_present = true;
            s->tag_loaded = true;
            s->selected = false; /* a new card is not selected until a poll finds it */
            pending_check(s);
        }
    } else if (strcmp(cmd, "save") == 0) {
        const char *path = json_string_value(json_object_get(req, "path"));
        char why[PATH_MAX + 128];
        if (!path)
            reply = error_reply("invalid", "\"path\" (where to write the tag file) is required");
        else if (!s->tag_loaded)
            reply = error_reply("invalid", "no card has been on the reader");
        else if (tag_save(path, s->tag, why, sizeof why))
            reply = error_reply("io", why);
    } else if (strcmp(cmd, "remove") == 0) {
        s->tag_present = false;
        s->selected = false;
    } else if (strcmp(cmd, "unplug") == 0) {
        pty_close(s);
    } else if (strcmp(cmd, "replug") == 0) {
        if (s->master < 0 && pty_open(s) != 0)
            reply = error_reply("io", "could not make a new pseudo-terminal");
    } else if (strcmp(cmd, "status") == 0) {
        reply = json_pack("{s:b, s:b, s:b, s:s?}", "ok", 1, "plugged", s->master >= 0, "tag",
                          s->tag_present, "pty", s->master >= 0 ? s->pty_name : NULL);
    } else {
        reply = error_reply("unknown_command", cmd);
    }
    json_decref(req);
    return reply ? reply : json_pack("{s:b}", "ok", 1);
}

static void client_close(Client *c)
{
    if (c->in_fd >= 0 && c->in_fd != STDIN_FILENO)
        close(c->in_fd);
    c->in_fd = c->out_fd = -1;
}

static void client_reply(Client *c, json_t *reply)
{
    char *text = json_dumps(reply, JSON_COMPACT);
    json_decref(reply);
    if (!text)
        return;
    size_t len = strlen(text);
    text[len] = '\n'; /* we send len + 1 bytes, never the NUL */
    for (size_t off = 0; off < len + 1;) {
        ssize_t n = c->out_fd == STDOUT_FILENO
                        ? write(c->out_fd, text + off, len + 1 - off)
                        : send(c->out_fd, text + off, len + 1 - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    free(text);
}

static void client_readable(Sim *s, Client *c)
{
    char chunk[1024];
    ssize_t n = read(c->in_fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
        return;
    if (n <= 0) {
        if (c->in_fd == STDIN_FILENO)
            s->quit = true; /* end of input ends an interactive session */
        client_close(c);
        return;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (chunk[i] != '\n') {
            if (c->len + 1 < sizeof c->buf)
                c->buf[c->len++] = chunk[i];
            else
                c->overflow = true;
            continue;
        }
        c->buf[c->len] = '\0';
        if (c->overflow)
            client_reply(c, error_reply("too_big", "request line too long"));
        else if (c->len > 0)
            client_reply(c, handle_request(s, c->buf));
        c->len = 0;
        c->overflow = false;
    }
}

static void accept_client(Sim *s)
{
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    for (size_t i = 0; i < CONTROL_CLIENTS_MAX; i++) {
        Client *c = &s->clients[i];
        if (c->in_fd < 0) {
            c->in_fd = c->out_fd = fd;
            c->len = 0;
            c->overflow = false;
            return;
        }
    }
    complain("too many control clients");
    close(fd);
}

static int control_listen(Sim *s)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(s->control_path) >= sizeof addr.sun_path) {
        complain("control socket path too long: %s", s->control_path);
        return -1;
    }
    strcpy(addr.sun_path, s->control_path);
    unlink(s->control_path);
    s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(s->listen_fd, CONTROL_CLIENTS_MAX) != 0) {
        complain("control socket %s: %s", s->control_path, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- main loop -------------------------------------------------------------------------- */

static void run(Sim *s)
{
    while (!s->quit) {
        struct pollfd fds[3 + CONTROL_CLIENTS_MAX];
        Client *owner[3 + CONTROL_CLIENTS_MAX];
        nfds_t n = 0;
        fds[n] = (struct pollfd){.fd = s->signal_fd, .events = POLLIN};
        owner[n++] = NULL;
        fds[n] = (struct pollfd){.fd = s->master, .events = POLLIN}; /* -1 is ignored */
        owner[n++] = NULL;
        fds[n] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
        owner[n++] = NULL;
        for (size_t i = 0; i < CONTROL_CLIENTS_MAX; i++) {
            if (s->clients[i].in_fd >= 0) {
                fds[n] = (struct pollfd){.fd = s->clients[i].in_fd, .events = POLLIN};
                owner[n++] = &s->clients[i];
            }
        }
        int timeout = -1;
        if (s->pending.active && !s->pending.forever) {
            uint64_t now = now_ms();
            timeout = s->pending.deadline_ms > now ? (int)(s->pending.deadline_ms - now) : 0;
        }
        if (poll(fds, n, timeout) < 0) {
            if (errno == EINTR)
                continue;
            complain("poll: %s", strerror(errno));
            return;
        }
        if (fds[0].revents)
            return; /* SIGINT or SIGTERM */
        if (fds[1].revents && s->master >= 0)
            pty_readable(s);
        if (fds[2].revents)
            accept_client(s);
        for (nfds_t i = 3; i < n; i++)
            if (fds[i].revents && owner[i]->in_fd >= 0)
                client_readable(s, owner[i]);
        pending_check(s);
    }
}

static void usage(FILE *f)
{
    fprintf(f, "usage: nfc-sim --link PATH [--control SOCKET]\n"
               "Emulates a PN532 reader on a pseudo-terminal linked at PATH (libnfc connstring\n"
               "pn532_uart:PATH). Commands, one JSON object per line, on SOCKET or else stdin:\n"
               "  {\"cmd\":\"present\",\"tag\":\"TAG.bin\"}  {\"cmd\":\"remove\"}\n"
               "  {\"cmd\":\"unplug\"}  {\"cmd\":\"replug\"}  {\"cmd\":\"status\"}\n"
               "  {\"cmd\":\"save\",\"path\":\"TAG.bin\"}  (the card's memory, as written)\n");
}

int main(int argc, char **argv)
{
    int rc = 1;
    Sim *s = calloc(1, sizeof *s);
    if (!s) {
        complain("out of memory");
        return 1;
    }
    s->master = s->slave = s->listen_fd = s->signal_fd = -1;
    s->retries_passive = PN_POLL_FOREVER;
    s->regs[PN_REG_TXMODE] = PN_CRC_EN;
    s->regs[PN_REG_RXMODE] = PN_CRC_EN;
    for (size_t i = 0; i < CONTROL_CLIENTS_MAX; i++)
        s->clients[i].in_fd = s->clients[i].out_fd = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--link") == 0 && i + 1 < argc) {
            s->link_path = argv[++i];
        } else if (strcmp(argv[i], "--control") == 0 && i + 1 < argc) {
            s->control_path = argv[++i];
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            rc = 0;
            goto out;
        } else {
            complain("unknown or incomplete argument: %s", argv[i]);
            usage(stderr);
            rc = 2;
            goto out;
        }
    }
    if (!s->link_path) {
        usage(stderr);
        rc = 2;
        goto out;
    }
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    s->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC);
    if (s->signal_fd < 0) {
        complain("signalfd: %s", strerror(errno));
        goto out;
    }
    if (s->control_path) {
        if (control_listen(s) != 0)
            goto out;
    } else {
        s->clients[0].in_fd = STDIN_FILENO;
        s->clients[0].out_fd = STDOUT_FILENO;
    }
    if (pty_open(s) != 0)
        goto out;
    run(s);
    rc = 0;
out:
    pty_close(s);
    for (size_t i = 0; i < CONTROL_CLIENTS_MAX; i++)
        client_close(&s->clients[i]);
    if (s->listen_fd >= 0) {
        close(s->listen_fd);
        unlink(s->control_path);
    }
    if (s->signal_fd >= 0)
        close(s->signal_fd);
    free(s);
    return rc;
}
