/*
 * totp.h -- time-based one-time passwords (RFC 6238 over RFC 4226 HOTP
 * with HMAC-SHA-1, 30-second steps, 6 digits: what common authenticator
 * apps expect), and the RFC 4648 base32 used to show secrets.
 */
#ifndef PROOFLINE_TOTP_H
#define PROOFLINE_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOTP_SECRET_BYTES 20 /* 160 bits, as RFC 4226 recommends */
#define TOTP_STEP 30
#define TOTP_DIGITS 6

/* SHA-1 of n bytes into out[20]. */
void sha1(const void *data, size_t n, uint8_t out[20]);

/* HMAC-SHA-1 (RFC 2104) of msg under key into out[20]. */
void hmac_sha1(const uint8_t *key, size_t keylen, const uint8_t *msg,
               size_t msglen, uint8_t out[20]);

/* The HOTP value (RFC 4226 §5.3, dynamic truncation) for counter, reduced
 * to `digits` decimal digits (6..8). */
uint32_t hotp(const uint8_t *key, size_t keylen, uint64_t counter,
              unsigned digits);

/* The time step of a Unix time (floor(t / 30)). */
uint64_t totp_step(int64_t unix_time);

/* Check a code typed by the user (exactly TOTP_DIGITS ASCII digits; spaces
 * are not accepted here -- strip them first) against the steps now-1, now
 * and now+1 (clock drift).  A step at or below *last_step was already used
 * and is refused (replay).  On success returns true and sets *last_step to
 * the matched step, which the caller stores. */
bool totp_verify(const uint8_t *key, size_t keylen, const char *code,
                 size_t codelen, int64_t unix_time, uint64_t *last_step);

/* RFC 4648 base32 without padding (A-Z2-7).  out must hold
 * base32_len(n) + 1 bytes; returns the length written (NUL added). */
size_t base32_len(size_t n);
size_t base32_encode(const uint8_t *in, size_t n, char *out);

/* Decode base32 (case-insensitive, spaces and '=' ignored).  Returns the
 * number of bytes written, or -1 for an invalid character or when more
 * than outcap bytes would be written. */
long base32_decode(const char *in, size_t n, uint8_t *out, size_t outcap);

#endif
