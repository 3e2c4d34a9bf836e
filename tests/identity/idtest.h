/* idtest.h: support for the identity tests: a temporary directory per test run and P-256
 * key pairs generated with mbedTLS into it (no fixed keys in the tree). Test code only. */
#ifndef KIOSK_IDTEST_H
#define KIOSK_IDTEST_H

#include <stddef.h>

#define IDTEST_PATH_MAX 512

/* Creates a fresh directory under $TMPDIR (or /tmp). Returns 0 on success. */
int idtest_tmpdir(char out[IDTEST_PATH_MAX]);
/* Removes the directory and everything in it. */
void idtest_rmtree(const char *dir);
/* Generates a key pair on the curve (an mbedtls_ecp_group_id; 0 means P-256) and writes
 * DIR/NAME.pem (private) and DIR/NAME.pub.pem (public). Returns 0 on success. */
int idtest_make_key(const char *dir, const char *name, int curve, char priv[IDTEST_PATH_MAX],
                    char pub[IDTEST_PATH_MAX]);
/* Writes len bytes to path. Returns 0 on success. */
int idtest_write(const char *path, const void *data, size_t len);
/* Reads at most max bytes of path into buf; returns the length read or -1. */
long idtest_read(const char *path, void *buf, size_t max);

#endif
