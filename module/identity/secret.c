/*
 * secret.c -- random tokens and their stored hashes (see secret.h).
 */
#include "identity/secret.h"

#include <string.h>

#include <sodium.h>

void
secret_sha256_hex(const void *p, size_t n, char *out)
{
    unsigned char h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(h, p, n);
    sodium_bin2hex(out, SESSION_ID_HEX, h, sizeof(h));
}

void
secret_random_b64(char *out, size_t outlen)
{
    unsigned char raw[32];

    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, outlen, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

void
secret_token_new(char *secret, char *hash_hex, char *prefix)
{
    memcpy(secret, "plt_", 4);
    secret_random_b64(secret + 4, TOKEN_B64 + 1);
    secret_sha256_hex(secret, strlen(secret), hash_hex);
    memcpy(prefix, secret + 4, 8);
    prefix[8] = '\0';
}
