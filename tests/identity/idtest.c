/* idtest.c: see idtest.h. */
#include "idtest.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/config.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>

#define PEM_MAX 1024

int idtest_tmpdir(char out[IDTEST_PATH_MAX])
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    if (snprintf(out, IDTEST_PATH_MAX, "%s/kiosk-identity-XXXXXX", base) >= IDTEST_PATH_MAX)
        return -1;
    return mkdtemp(out) ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void idtest_rmtree(const char *dir)
{
    if (dir && *dir)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int idtest_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = fwrite(data, 1, len, f);
    int rc = fclose(f);
    return (n == len && rc == 0) ? 0 : -1;
}

long idtest_read(const char *path, void *buf, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, max, f);
    fclose(f);
    return (long)n;
}

int idtest_make_key(const char *dir, const char *name, int curve, char priv[IDTEST_PATH_MAX],
                    char pub[IDTEST_PATH_MAX])
{
    static const char pers[] = "idtest-keygen";
    mbedtls_pk_context pk;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    unsigned char pem[PEM_MAX];
    int rc = -1;

    mbedtls_pk_init(&pk);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    if (snprintf(priv, IDTEST_PATH_MAX, "%s/%s.pem", dir, name) >= IDTEST_PATH_MAX ||
        snprintf(pub, IDTEST_PATH_MAX, "%s/%s.pub.pem", dir, name) >= IDTEST_PATH_MAX)
        goto out;
    if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, (const unsigned char *)pers,
                              sizeof pers - 1) != 0)
        goto out;
    if (mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0)
        goto out;
    if (mbedtls_ecp_gen_key(curve ? (mbedtls_ecp_group_id)curve : MBEDTLS_ECP_DP_SECP256R1,
                            mbedtls_pk_ec(pk), mbedtls_ctr_drbg_random, &drbg) != 0)
        goto out;
    if (mbedtls_pk_write_key_pem(&pk, pem, sizeof pem) != 0 ||
        idtest_write(priv, pem, strlen((char *)pem)) != 0)
        goto out;
    if (mbedtls_pk_write_pubkey_pem(&pk, pem, sizeof pem) != 0 ||
        idtest_write(pub, pem, strlen((char *)pem)) != 0)
        goto out;
    rc = 0;
out:
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    mbedtls_pk_free(&pk);
    return rc;
}
