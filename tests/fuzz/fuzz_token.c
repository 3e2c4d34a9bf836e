/* fuzz_token.c: libFuzzer target for the member token parsers (firmware/token.c). Each input
 * is tried as a binary token and as a text line; whatever parses is verified against the
 * public key the seed corpus (corpus/token/) was signed with, converted back to text and
 * parsed again, which must give the same bytes. The matching private key was discarded. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "token.h"

#define FUZZ_NOW 1893456000u /* 2030-01-01: inside the seed tokens' validity */

static const char seed_pub_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEwONjwe8J+GXenVTsKjX9mJPJGaYV\n"
    "5TaFAnsnfjFuZ8HfeiMhLp+nC+ujozV4y6Doe2JNJzHNOfZEvWkOjXnrHg==\n"
    "-----END PUBLIC KEY-----\n";

static const uint8_t seed_uid7[7] = {0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66};

/* The fuzzer's one keyring, loaded once (libFuzzer calls this before any input). */
static TokenKeyring *keyring;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char path[] = "/tmp/fuzz-token-key-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        abort();
    size_t n = strlen(seed_pub_pem);
    if (write(fd, seed_pub_pem, n) != (ssize_t)n)
        abort();
    close(fd);
    keyring = token_keyring_create();
    if (!keyring || token_keyring_add_file(keyring, path) != KIOSK_OK)
        abort();
    unlink(path);
    return 0;
}

static void exercise(const Token *t)
{
    char text[TOKEN_TEXT_MAX + 1];
    Token again;

    (void)token_verify(keyring, t, NULL, 0, FUZZ_NOW);
    (void)token_verify(keyring, t, seed_uid7, sizeof seed_uid7, FUZZ_NOW);
    (void)token_verify(keyring, t, t->uid, t->uid_len, FUZZ_NOW);
    if (token_to_text(t->raw, t->raw_len, text, sizeof text) != KIOSK_OK)
        abort(); /* every parsed token has a text form */
    if (token_parse_text(text, &again) != TOKEN_OK || again.raw_len != t->raw_len ||
        memcmp(again.raw, t->raw, t->raw_len) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Token t;
    if (token_parse(data, size, &t) == TOKEN_OK)
        exercise(&t);

    char *line = malloc(size + 1);
    if (!line)
        return 0;
    memcpy(line, data, size);
    line[size] = '\0';
    if (token_parse_text(line, &t) == TOKEN_OK)
        exercise(&t);
    free(line);
    return 0;
}
