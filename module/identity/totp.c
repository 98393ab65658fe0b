/*
 * totp.c -- SHA-1 (FIPS 180-4), HMAC-SHA-1 (RFC 2104), HOTP (RFC 4226),
 * TOTP (RFC 6238) and base32 (RFC 4648 §6).
 *
 * SHA-1 is written out here rather than taken from OpenSSL so the server
 * does not link a second crypto library for one hash; libsodium (already
 * linked) has no SHA-1.  SHA-1's collision weakness does not matter for
 * HMAC, and authenticator apps only speak HMAC-SHA-1 reliably.
 */
#include "identity/totp.h"

#include <limits.h>
#include <string.h>

#include <sodium.h>

#define SHA1_BLOCK 64
#define SHA1_LEN 20

struct sha1_ctx {
    uint32_t h[5];
    uint64_t total; /* bytes hashed so far */
    uint8_t block[SHA1_BLOCK];
    size_t used; /* bytes waiting in block */
};

static uint32_t
rol32(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

static uint32_t
load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

static void
store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void
sha1_init(struct sha1_ctx *c)
{
    c->h[0] = 0x67452301u;
    c->h[1] = 0xEFCDAB89u;
    c->h[2] = 0x98BADCFEu;
    c->h[3] = 0x10325476u;
    c->h[4] = 0xC3D2E1F0u;
    c->total = 0;
    c->used = 0;
}

/* FIPS 180-4 §6.1.2 on one 64-byte block, with the 16-word rolling
 * schedule (§6.1.3) so the state stays small. */
static void
sha1_compress(uint32_t h[5], const uint8_t *blk)
{
    uint32_t w[16], a, b, c, d, e, f, k, t;
    unsigned i;

    for (i = 0; i < 16; i++)
        w[i] = load_be32(blk + 4 * i);
    a = h[0];
    b = h[1];
    c = h[2];
    d = h[3];
    e = h[4];
    for (i = 0; i < 80; i++) {
        if (i >= 16) {
            w[i & 15] = rol32(w[(i + 13) & 15] ^ w[(i + 8) & 15] ^
                                  w[(i + 2) & 15] ^ w[i & 15],
                              1);
        }
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999u;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1u;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDCu;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6u;
        }
        t = rol32(a, 5) + f + e + k + w[i & 15];
        e = d;
        d = c;
        c = rol32(b, 30);
        b = a;
        a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

static void
sha1_update(struct sha1_ctx *c, const uint8_t *p, size_t n)
{
    size_t take;

    c->total += n; /* mod 2^64, as the length field is (§5.1.1) */
    if (c->used > 0) {
        take = SHA1_BLOCK - c->used;
        if (take > n)
            take = n;
        memcpy(c->block + c->used, p, take);
        c->used += take;
        p += take;
        n -= take;
        if (c->used < SHA1_BLOCK)
            return;
        sha1_compress(c->h, c->block);
        c->used = 0;
    }
    for (; n >= SHA1_BLOCK; p += SHA1_BLOCK, n -= SHA1_BLOCK)
        sha1_compress(c->h, p);
    if (n > 0) {
        memcpy(c->block, p, n);
        c->used = n;
    }
}

static void
sha1_final(struct sha1_ctx *c, uint8_t out[SHA1_LEN])
{
    uint64_t bits = c->total << 3;
    unsigned i;

    /* Padding (§5.1.1): 0x80, zeros up to 56 mod 64, 64-bit length. */
    c->block[c->used++] = 0x80;
    if (c->used > SHA1_BLOCK - 8) {
        memset(c->block + c->used, 0, SHA1_BLOCK - c->used);
        sha1_compress(c->h, c->block);
        c->used = 0;
    }
    memset(c->block + c->used, 0, SHA1_BLOCK - 8 - c->used);
    store_be32(c->block + 56, (uint32_t)(bits >> 32));
    store_be32(c->block + 60, (uint32_t)bits);
    sha1_compress(c->h, c->block);
    for (i = 0; i < 5; i++)
        store_be32(out + 4 * i, c->h[i]);
}

void
sha1(const void *data, size_t n, uint8_t out[20])
{
    struct sha1_ctx c;

    sha1_init(&c);
    if (n > 0)
        sha1_update(&c, data, n);
    sha1_final(&c, out);
}

void
hmac_sha1(const uint8_t *key, size_t keylen, const uint8_t *msg, size_t msglen,
          uint8_t out[20])
{
    uint8_t k[SHA1_BLOCK], pad[SHA1_BLOCK], inner[SHA1_LEN];
    struct sha1_ctx c;
    size_t i;

    /* RFC 2104 §2: keys longer than a block are hashed first. */
    memset(k, 0, sizeof(k));
    if (keylen > SHA1_BLOCK)
        sha1(key, keylen, k);
    else if (keylen > 0)
        memcpy(k, key, keylen);

    for (i = 0; i < SHA1_BLOCK; i++)
        pad[i] = (uint8_t)(k[i] ^ 0x36);
    sha1_init(&c);
    sha1_update(&c, pad, SHA1_BLOCK);
    if (msglen > 0)
        sha1_update(&c, msg, msglen);
    sha1_final(&c, inner);

    for (i = 0; i < SHA1_BLOCK; i++)
        pad[i] = (uint8_t)(k[i] ^ 0x5C);
    sha1_init(&c);
    sha1_update(&c, pad, SHA1_BLOCK);
    sha1_update(&c, inner, SHA1_LEN);
    sha1_final(&c, out);

    /* The padded keys and hash states are as good as the secret. */
    sodium_memzero(k, sizeof(k));
    sodium_memzero(pad, sizeof(pad));
    sodium_memzero(inner, sizeof(inner));
    sodium_memzero(&c, sizeof(c));
}

/* Returned for a digit count outside 6..8: above 99999999, so it never
 * equals a code a user can type, and a misuse cannot verify anything. */
#define HOTP_BAD_DIGITS UINT32_MAX

uint32_t
hotp(const uint8_t *key, size_t keylen, uint64_t counter, unsigned digits)
{
    static const uint32_t mod[] = { 1000000u, 10000000u, 100000000u };
    uint8_t msg[8], mac[SHA1_LEN];
    uint32_t bin;
    unsigned off, i;

    if (digits < 6 || digits > 8)
        return HOTP_BAD_DIGITS;
    for (i = 0; i < 8; i++)
        msg[i] = (uint8_t)(counter >> (56 - 8 * i));
    hmac_sha1(key, keylen, msg, sizeof(msg), mac);
    /* Dynamic truncation (RFC 4226 §5.3); the top bit is masked so the
     * value reads the same as signed or unsigned. */
    off = mac[SHA1_LEN - 1] & 0x0Fu;
    bin = load_be32(mac + off) & 0x7FFFFFFFu;
    sodium_memzero(mac, sizeof(mac));
    return bin % mod[digits - 6];
}

uint64_t
totp_step(int64_t unix_time)
{
    /* Before 1970 there is no step to speak of; clamping keeps the
     * result unsigned instead of wrapping to a huge future step. */
    if (unix_time < 0)
        return 0;
    return (uint64_t)unix_time / TOTP_STEP;
}

/* Write v as exactly TOTP_DIGITS decimal digits, zero-padded. */
static void
code_digits(uint32_t v, char out[TOTP_DIGITS])
{
    int i;

    for (i = TOTP_DIGITS - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

bool
totp_verify(const uint8_t *key, size_t keylen, const char *code, size_t codelen,
            int64_t unix_time, uint64_t *last_step)
{
    char want[TOTP_DIGITS];
    uint64_t now, step, matched = 0;
    bool found = false;
    size_t i;
    int d;

    /* An empty key would make every code predictable. */
    if (key == NULL || keylen == 0 || code == NULL || last_step == NULL)
        return false;
    if (codelen != TOTP_DIGITS)
        return false;
    for (i = 0; i < codelen; i++) {
        if (code[i] < '0' || code[i] > '9')
            return false;
    }

    now = totp_step(unix_time);
    /* All three steps are computed and compared so the time taken does not
     * tell which one matched; the latest match wins so the same code cannot
     * be replayed at a later step it happens to match too. */
    for (d = -1; d <= 1; d++) {
        if (d < 0 && now == 0)
            continue;
        step = d < 0 ? now - 1 : now + (uint64_t)d;
        if (step <= *last_step)
            continue;
        code_digits(hotp(key, keylen, step, TOTP_DIGITS), want);
        if (sodium_memcmp(want, code, TOTP_DIGITS) == 0) {
            matched = step;
            found = true;
        }
    }
    sodium_memzero(want, sizeof(want));
    if (found)
        *last_step = matched;
    return found;
}

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

size_t
base32_len(size_t n)
{
    static const size_t tail[] = { 0, 2, 4, 5, 7 };

    /* No object is larger than PTRDIFF_MAX, and for n up to that the
     * result (n * 8 / 5 rounded up, plus the NUL) cannot overflow. */
    if (n > PTRDIFF_MAX)
        return 0;
    return n / 5 * 8 + tail[n % 5];
}

size_t
base32_encode(const uint8_t *in, size_t n, char *out)
{
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t i, o = 0;

    if (n > PTRDIFF_MAX)
        n = 0; /* matches base32_len(): cannot happen */
    for (i = 0; i < n; i++) {
        acc = (acc << 8 | in[i]) & 0xFFFu; /* <= 4 + 8 bits live */
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[o++] = b32_alphabet[(acc >> bits) & 31u];
        }
    }
    if (bits > 0)
        out[o++] = b32_alphabet[(acc << (5 - bits)) & 31u];
    out[o] = '\0';
    return o;
}

/* The value of a base32 symbol, either case; -1 for anything else. */
static int
b32_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

long
base32_decode(const char *in, size_t n, uint8_t *out, size_t outcap)
{
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t i, o = 0, symbols = 0;
    int v;

    if (n > 0 && in == NULL)
        return -1;
    for (i = 0; i < n; i++) {
        if (in[i] == ' ' || in[i] == '=')
            continue;
        v = b32_value((unsigned char)in[i]);
        if (v < 0)
            return -1;
        symbols++;
        acc = (acc << 5 | (uint32_t)v) & 0xFFFu; /* <= 7 + 5 bits live */
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            if (o >= outcap)
                return -1;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    /* 1, 3 or 6 symbols past a group of 8 cannot come from any encoder
     * (RFC 4648 §6): the text was cut short or mistyped, and decoding it
     * would silently give a different secret.  Leftover bits of a valid
     * tail are not checked, so secrets made by other tools still load. */
    switch (symbols % 8) {
    case 1:
    case 3:
    case 6:
        return -1;
    default:
        break;
    }
    if (o > LONG_MAX)
        return -1;
    return (long)o;
}
