/*
 * password.h -- password hashing with argon2id (libsodium).
 *
 * Hashing costs 64 MiB and ~0.1 s, so a login flood could exhaust memory:
 * hashes are computed in one of a fixed number of slots per host (a set of
 * lock files taken with flock(2), which the kernel releases if a worker
 * dies), configured by password_slots_init().  A request that cannot get a
 * slot within a few seconds fails with APP_ETHROTTLED.
 */
#ifndef PROOFLINE_PASSWORD_H
#define PROOFLINE_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/str.h"

#define PASSWORD_HASH_MAX 128 /* crypto_pwhash_STRBYTES */

/* Use n slots whose lock files live in dir (created if missing).  Without
 * this call (CLI tools) hashing is not bounded. */
void password_slots_init(const char *dir, long n);

/* Hash a password into out (PASSWORD_HASH_MAX bytes) with argon2id at
 * libsodium's interactive limits.  APP_ENOMEM when the memory for hashing
 * cannot be had, APP_ETHROTTLED when no slot is free. */
APP_MUST_USE enum app_err password_hash(struct str password, char *out);

/* APP_OK when password matches the stored hash (constant-time),
 * APP_EFORBIDDEN when it does not, APP_ETHROTTLED when no slot is free.
 * A NULL or malformed hash is checked against a dummy hash so that the
 * time taken does not tell whether an account exists. */
APP_MUST_USE enum app_err password_verify(const char *hash,
                                          struct str password);

/* True when the stored hash uses parameters other than the current ones,
 * so it should be replaced at the next successful login. */
bool password_needs_rehash(const char *hash);

/* A random password of 16 characters from an unambiguous alphabet, for
 * resets and `proofline user add` (out: at least 17 bytes). */
void password_generate(char *out);

#endif
