/*
 * seal.h -- secrets at rest (TOTP secrets) encrypted with the server's
 * secret_key (XSalsa20-Poly1305, libsodium's crypto_secretbox).
 */
#ifndef PROOFLINE_SEAL_H
#define PROOFLINE_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/conf.h"
#include "base/err.h"

#define SEAL_MAX_PLAIN 64
#define SEAL_HEX_MAX 256 /* hex of nonce + MAC + SEAL_MAX_PLAIN, with NUL */

/* Encrypt n (<= SEAL_MAX_PLAIN) bytes into hex text.  APP_EINTERNAL when
 * secret_key is not configured. */
APP_MUST_USE enum app_err seal(const struct conf *c, const uint8_t *plain,
                               size_t n, char *hex_out);

/* Decrypt hex text made by seal(); *n gets the length.  APP_EINVAL when it
 * does not authenticate (tampered, or another key). */
APP_MUST_USE enum app_err unseal(const struct conf *c, const char *hex,
                                 uint8_t *plain, size_t cap, size_t *n);

#endif
