/*
 * secret.h -- the random secrets Proofline hands out (session cookies, API
 * tokens, CSRF tokens, recovery codes) and the SHA-256 under which only
 * their hash is stored.
 */
#ifndef PROOFLINE_SECRET_H
#define PROOFLINE_SECRET_H

#include <stddef.h>

#define SESSION_ID_HEX 65 /* 64 hex digits + NUL */
#define TOKEN_B64 43      /* 32 bytes, unpadded base64url */

/* out[SESSION_ID_HEX] = lowercase hex SHA-256 of p[0..n). */
void secret_sha256_hex(const void *p, size_t n, char *out);

/* out[outlen] = 32 random bytes as unpadded base64url (outlen >=
 * TOKEN_B64 + 1). */
void secret_random_b64(char *out, size_t outlen);

/* A new API token "plt_<43 base64url>" (secret[4 + TOKEN_B64 + 1]), its
 * hash (hash_hex[SESSION_ID_HEX]) and its shown prefix (prefix[9]). */
void secret_token_new(char *secret, char *hash_hex, char *prefix);

#endif
