/*
 * seal.c -- crypto_secretbox under the configured secret_key.
 */
#include "identity/seal.h"

#include <string.h>

#include <sodium.h>

static int
key_of(const struct conf *c, unsigned char key[crypto_secretbox_KEYBYTES])
{
    size_t n = 0;

    if (c->secret_key[0] == '\0' ||
        sodium_hex2bin(key, crypto_secretbox_KEYBYTES, c->secret_key,
                       strlen(c->secret_key), NULL, &n, NULL) != 0 ||
        n != crypto_secretbox_KEYBYTES)
        return -1;
    return 0;
}

enum app_err
seal(const struct conf *c, const uint8_t *plain, size_t n, char *hex_out)
{
    unsigned char key[crypto_secretbox_KEYBYTES];
    unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                      SEAL_MAX_PLAIN];

    if (n > SEAL_MAX_PLAIN || key_of(c, key) != 0)
        return APP_EINTERNAL;
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, plain, n, box,
                          key);
    sodium_memzero(key, sizeof(key));
    sodium_bin2hex(hex_out, SEAL_HEX_MAX, box,
                   crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n);
    return APP_OK;
}

enum app_err
unseal(const struct conf *c, const char *hex, uint8_t *plain, size_t cap,
       size_t *n)
{
    unsigned char key[crypto_secretbox_KEYBYTES];
    unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                      SEAL_MAX_PLAIN];
    size_t len = 0;
    const size_t over = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
    int rc;

    if (key_of(c, key) != 0)
        return APP_EINTERNAL;
    if (sodium_hex2bin(box, sizeof(box), hex, strlen(hex), NULL, &len, NULL) !=
            0 ||
        len < over || len - over > cap) {
        sodium_memzero(key, sizeof(key));
        return APP_EINVAL;
    }
    rc =
        crypto_secretbox_open_easy(plain, box + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, box, key);
    sodium_memzero(key, sizeof(key));
    if (rc != 0)
        return APP_EINVAL;
    *n = len - over;
    return APP_OK;
}
