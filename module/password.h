/*
 * password.h -- password hashing with argon2id (libsodium).
 */
#ifndef PROOFLINE_PASSWORD_H
#define PROOFLINE_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "str.h"

#define PASSWORD_HASH_MAX 128 /* crypto_pwhash_STRBYTES */

/* Hash a password into out (PASSWORD_HASH_MAX bytes) with argon2id at
 * libsodium's interactive limits.  APP_ENOMEM when the memory for hashing
 * cannot be had. */
enum app_err password_hash(struct str password, char *out);

/* True when password matches the stored hash (constant-time). */
bool password_verify(const char *hash, struct str password);

/* True when the stored hash uses parameters other than the current ones,
 * so it should be replaced at the next successful login. */
bool password_needs_rehash(const char *hash);

#endif
