/* pin.c: see pin.h. PBKDF2 is GnuTLS's (gnutls_pbkdf2, GnuTLS >= 3.6.13). */
#include "pin.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static void to_hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    out[2 * n] = '\0';
}

bool pin_well_formed(const char *pin)
{
    size_t n = strlen(pin);
    if (n < PIN_LEN_MIN || n > PIN_LEN_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (pin[i] < '0' || pin[i] > '9')
            return false;
    return true;
}

/* True if every digit is the one before plus step (mod 10). */
static bool is_run(const char *pin, int step)
{
    for (size_t i = 1; pin[i]; i++)
        if ((pin[i - 1] - '0' + step + 10) % 10 != pin[i] - '0')
            return false;
    return true;
}

/* True if the PIN is its first `block` digits over and over. */
static bool is_repeat(const char *pin, size_t block)
{
    size_t n = strlen(pin);
    if (n % block != 0)
        return false;
    for (size_t i = block; i < n; i++)
        if (pin[i] != pin[i - block])
            return false;
    return true;
}

bool pin_is_weak(const char *pin)
{
    return is_run(pin, 0) || is_run(pin, 1) || is_run(pin, -1) || is_repeat(pin, 2) ||
           is_repeat(pin, 3);
}

static bool derive(const char *pin, const unsigned char *salt, int iterations,
                   unsigned char out[PIN_HASH_BYTES])
{
    gnutls_datum_t key = {(unsigned char *)pin, (unsigned)strlen(pin)};
    gnutls_datum_t s = {(unsigned char *)salt, PIN_SALT_BYTES};
    int rc = gnutls_pbkdf2(GNUTLS_MAC_SHA256, &key, &s, (unsigned)iterations, out, PIN_HASH_BYTES);
    if (rc < 0)
        log_error("pin", "PBKDF2 failed: %s", gnutls_strerror(rc));
    return rc == 0;
}

KioskErr pin_hash(const char *pin, PinRecord *out)
{
    unsigned char salt[PIN_SALT_BYTES], hash[PIN_HASH_BYTES];
    if (gnutls_rnd(GNUTLS_RND_RANDOM, salt, sizeof salt) < 0 ||
        !derive(pin, salt, PIN_ITERATIONS, hash))
        return KIOSK_E_IO;
    to_hex(salt, sizeof salt, out->salt);
    to_hex(hash, sizeof hash, out->hash);
    out->iterations = PIN_ITERATIONS;
    return KIOSK_OK;
}
