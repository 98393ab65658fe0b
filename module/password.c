/*
 * password.c -- argon2id password hashes through libsodium.
 */
#include "password.h"

#include <string.h>

#include <sodium.h>

#define OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define MEM crypto_pwhash_MEMLIMIT_INTERACTIVE

enum app_err
password_hash(struct str password, char *out)
{
    if (crypto_pwhash_str_alg(out, password.p, password.len, OPS, MEM,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return APP_ENOMEM;
    return APP_OK;
}

bool
password_verify(const char *hash, struct str password)
{
    if (hash == NULL || strncmp(hash, "$argon2id$", 10) != 0)
        return false;
    return crypto_pwhash_str_verify(hash, password.p, password.len) == 0;
}

bool
password_needs_rehash(const char *hash)
{
    return crypto_pwhash_str_needs_rehash(hash, OPS, MEM) != 0;
}
