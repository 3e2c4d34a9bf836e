/* pin.h: a store's service PIN, the code a technician types on a device to open its service
 * mode. The service never keeps nor sends the PIN itself: only a PinRecord, PBKDF2-HMAC-SHA256
 * of the PIN with a random salt, which devices verify offline. Trivial PINs are refused.
 * No state; any thread. */
#ifndef CENTRAL_PIN_H
#define CENTRAL_PIN_H

#include <stdbool.h>

#include "kerr.h"

#define PIN_LEN_MIN    6
#define PIN_LEN_MAX    12
#define PIN_ITERATIONS 100000
#define PIN_SALT_BYTES 16
#define PIN_HASH_BYTES 32
#define PIN_ALGORITHM  "pbkdf2-sha256"

/* What devices get: hex salt and hash, and the iteration count. */
typedef struct PinRecord {
    char salt[2 * PIN_SALT_BYTES + 1];
    char hash[2 * PIN_HASH_BYTES + 1];
    int iterations;
} PinRecord;

/* True if pin is PIN_LEN_MIN..PIN_LEN_MAX ASCII digits. */
bool pin_well_formed(const char *pin);
/* True if a well-formed PIN is trivial to guess: one digit repeated ("000000"), a run up or
 * down, wrapping past 9 or 0 ("123456", "890123", "654321"), or a block of two or three
 * digits repeated ("121212", "384384"). */
bool pin_is_weak(const char *pin);
/* Hashes a PIN with a fresh random salt into *out. */
KioskErr pin_hash(const char *pin, PinRecord *out);

#endif
