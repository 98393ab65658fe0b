/*
 * totp_test.c -- SHA-1 (FIPS 180-4 / RFC 3174 vectors), HMAC-SHA-1
 * (RFC 2202), HOTP (RFC 4226 Appendix D), TOTP (RFC 6238 Appendix B) and
 * base32 (RFC 4648 §10), malformed and boundary rows first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/rng.h"
#include "identity/totp.h"

static void
to_hex(const uint8_t *p, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* A message is either text or `fill` repeated `n` times, so the long
 * vectors need no literal megabyte. */
struct msg {
    const char *text; /* NULL: use fill */
    unsigned char fill;
    size_t n;
};

static uint8_t *
msg_bytes(const struct msg *m, size_t *len)
{
    size_t n = m->text != NULL ? strlen(m->text) : m->n;
    uint8_t *p = malloc(n > 0 ? n : 1);

    assert_non_null(p);
    if (m->text != NULL)
        memcpy(p, m->text, n);
    else
        memset(p, m->fill, n);
    *len = n;
    return p;
}

struct sha1_row {
    struct msg in;
    const char *want;
};

static const struct sha1_row sha1_rows[] = {
    /* boundaries of the padding: empty, 55/56 bytes (length field fits in
     * the block or not), 63/64/65, two blocks */
    { { "", 0, 0 }, "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
    { { NULL, 'a', 55 }, "c1c8bbdc22796e28c0e15163d20899b65621d65a" },
    { { NULL, 'a', 56 }, "c2db330f6083854c99d4b5bfb6e8f29f201be699" },
    { { NULL, 'a', 57 }, "f08f24908d682555111be7ff6f004e78283d989a" },
    { { NULL, 'a', 63 }, "03f09f5b158a7a8cdad920bddc29b81c18a551f5" },
    { { NULL, 'a', 64 }, "0098ba824b5c16427bd7a1122a5a442a25ec644d" },
    { { NULL, 'a', 65 }, "11655326c708d70319be2610e8a57d9a5b959d3b" },
    { { NULL, 'a', 119 }, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56" },
    { { NULL, 'a', 120 }, "f34c1488385346a55709ba056ddd08280dd4c6d6" },
    /* FIPS 180-4 examples / RFC 3174 §7.3 */
    { { "abc", 0, 0 }, "a9993e364706816aba3e25717850c26c9cd0d89d" },
    { { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 0, 0 },
      "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
    { { "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
        "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
        0, 0 },
      "a49b2446a02c645bf419f995b67091253a04a259" },
    { { "0123456701234567012345670123456701234567012345670123456701234567"
        "0123456701234567012345670123456701234567012345670123456701234567"
        "0123456701234567012345670123456701234567012345670123456701234567"
        "0123456701234567012345670123456701234567012345670123456701234567"
        "0123456701234567012345670123456701234567012345670123456701234567"
        "0123456701234567012345670123456701234567012345670123456701234567"
        "0123456701234567012345670123456701234567012345670123456701234567"
        "0123456701234567012345670123456701234567012345670123456701234567"
        "0123456701234567012345670123456701234567012345670123456701234567"
        "0123456701234567012345670123456701234567012345670123456701234567",
        0, 0 },
      "dea356a2cddd90c7a7ecedc5ebb563934f460452" },
    { { NULL, 'a', 1000000 }, "34aa973cd4c4daa4f61eeb2bdbad27316534016f" },
};

static void
test_sha1(void **state)
{
    uint8_t md[20];
    char hex[41];
    size_t i, n;

    (void)state;
    for (i = 0; i < sizeof(sha1_rows) / sizeof(sha1_rows[0]); i++) {
        uint8_t *p = msg_bytes(&sha1_rows[i].in, &n);

        sha1(p, n, md);
        free(p);
        to_hex(md, sizeof(md), hex);
        if (strcmp(hex, sha1_rows[i].want) != 0)
            fail_msg("row %zu: %s, want %s", i, hex, sha1_rows[i].want);
    }
    /* A NULL pointer with length 0 is the empty message. */
    sha1(NULL, 0, md);
    to_hex(md, sizeof(md), hex);
    assert_string_equal(hex, sha1_rows[0].want);
}

struct hmac_row {
    struct msg key, data;
    const char *want;
};

static const struct hmac_row hmac_rows[] = {
    /* key-length boundaries around the 64-byte block */
    { { NULL, 0x5a, 0 },
      { "proofline", 0, 0 },
      "c2b86d3f5cf22d21528a5164f1628e3d38ff59b1" },
    { { NULL, 0x5a, 63 },
      { "proofline", 0, 0 },
      "832f71785418cec5030b4e2f0b32d0de392818c6" },
    { { NULL, 0x5a, 64 },
      { "proofline", 0, 0 },
      "814e7c64e27981e8172ad48a0831f59d3f5639e5" },
    { { NULL, 0x5a, 65 },
      { "proofline", 0, 0 },
      "df6cc10defe3849cd29ff282bcf47c9690520f46" },
    /* RFC 2202 §3, test cases 1-7 (case 4's key is set in the test) */
    { { NULL, 0x0b, 20 },
      { "Hi There", 0, 0 },
      "b617318655057264e28bc0b6fb378c8ef146be00" },
    { { "Jefe", 0, 0 },
      { "what do ya want for nothing?", 0, 0 },
      "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
    { { NULL, 0xaa, 20 },
      { NULL, 0xdd, 50 },
      "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
    { { NULL, 0, 25 }, /* 0x01..0x19 */
      { NULL, 0xcd, 50 },
      "4c9007f4026250c6bc8414f9bf50c86c2d7235da" },
    { { NULL, 0x0c, 20 },
      { "Test With Truncation", 0, 0 },
      "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04" },
    { { NULL, 0xaa, 80 },
      { "Test Using Larger Than Block-Size Key - Hash Key First", 0, 0 },
      "aa4ae5e15272d00e95705637ce8a3b55ed402112" },
    { { NULL, 0xaa, 80 },
      { "Test Using Larger Than Block-Size Key and Larger Than One "
        "Block-Size Data",
        0, 0 },
      "e8e99d0f45237d786d6bbaa7965c7808bbff1a91" },
};

static void
test_hmac_sha1(void **state)
{
    uint8_t md[20];
    char hex[41];
    size_t i, j, kn, dn;

    (void)state;
    for (i = 0; i < sizeof(hmac_rows) / sizeof(hmac_rows[0]); i++) {
        const struct hmac_row *r = &hmac_rows[i];
        uint8_t *k = msg_bytes(&r->key, &kn);
        uint8_t *d = msg_bytes(&r->data, &dn);

        if (r->key.text == NULL && r->key.fill == 0) {
            for (j = 0; j < kn; j++)
                k[j] = (uint8_t)(j + 1);
        }
        hmac_sha1(k, kn, d, dn, md);
        free(k);
        free(d);
        to_hex(md, sizeof(md), hex);
        if (strcmp(hex, r->want) != 0)
            fail_msg("row %zu: %s, want %s", i, hex, r->want);
    }
}

static const uint8_t rfc_key[] = "12345678901234567890";
#define RFC_KEYLEN 20

struct hotp_row {
    uint64_t counter;
    unsigned digits;
    uint32_t want;
};

static const struct hotp_row hotp_rows[] = {
    /* digit counts outside 6..8 give a value no code can equal */
    { 0, 0, UINT32_MAX },
    { 0, 5, UINT32_MAX },
    { 0, 9, UINT32_MAX },
    /* RFC 4226 Appendix D */
    { 0, 6, 755224 },
    { 1, 6, 287082 },
    { 2, 6, 359152 },
    { 3, 6, 969429 },
    { 4, 6, 338314 },
    { 5, 6, 254676 },
    { 6, 6, 287922 },
    { 7, 6, 162583 },
    { 8, 6, 399871 },
    { 9, 6, 520489 },
    /* the same truncation, 7 digits (Appendix D lists the decimal of the
     * 31-bit value; 1284755224 and 1094287082 for counters 0 and 1) */
    { 0, 7, 4755224 },
    { 1, 7, 4287082 },
};

static void
test_hotp(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(hotp_rows) / sizeof(hotp_rows[0]); i++) {
        const struct hotp_row *r = &hotp_rows[i];
        uint32_t got = hotp(rfc_key, RFC_KEYLEN, r->counter, r->digits);

        if (got != r->want)
            fail_msg("row %zu: counter %llu digits %u: %u, want %u", i,
                     (unsigned long long)r->counter, r->digits, got, r->want);
    }
}

struct step_row {
    int64_t t;
    uint64_t want;
};

static const struct step_row step_rows[] = {
    { INT64_MIN, 0 }, { -1, 0 },
    { 0, 0 },         { 29, 0 },
    { 30, 1 },        { 59, 1 },
    { 60, 2 },        { INT64_MAX, (uint64_t)INT64_MAX / 30 },
};

static void
test_totp_step(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(step_rows) / sizeof(step_rows[0]); i++) {
        if (totp_step(step_rows[i].t) != step_rows[i].want)
            fail_msg("row %zu: t=%lld", i, (long long)step_rows[i].t);
    }
}

struct rfc6238_row {
    int64_t t;
    uint64_t step;
    uint32_t want8;
    const char *want6;
};

/* RFC 6238 Appendix B, SHA-1 column. */
static const struct rfc6238_row rfc6238_rows[] = {
    { 59, 0x1, 94287082, "287082" },
    { 1111111109, 0x23523EC, 7081804, "081804" },
    { 1111111111, 0x23523ED, 14050471, "050471" },
    { 1234567890, 0x273EF07, 89005924, "005924" },
    { 2000000000, 0x3F940AA, 69279037, "279037" },
    { 20000000000, 0x27BC86AA, 65353130, "353130" },
};

static void
test_totp_rfc6238(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rfc6238_rows) / sizeof(rfc6238_rows[0]); i++) {
        const struct rfc6238_row *r = &rfc6238_rows[i];
        uint64_t last = 0;

        assert_int_equal(totp_step(r->t), r->step);
        if (hotp(rfc_key, RFC_KEYLEN, totp_step(r->t), 8) != r->want8)
            fail_msg("row %zu: 8-digit value", i);
        if (hotp(rfc_key, RFC_KEYLEN, totp_step(r->t), 6) != r->want8 % 1000000)
            fail_msg("row %zu: 6-digit value", i);
        if (!totp_verify(rfc_key, RFC_KEYLEN, r->want6, 6, r->t, &last))
            fail_msg("row %zu: %s refused at t=%lld", i, r->want6,
                     (long long)r->t);
        assert_int_equal(last, r->step);
        /* the same code a second time is a replay */
        if (totp_verify(rfc_key, RFC_KEYLEN, r->want6, 6, r->t, &last))
            fail_msg("row %zu: replay accepted", i);
        assert_int_equal(last, r->step);
    }
}

/* A verify case: the code is either literal or the 6-digit code of step
 * (now + offset), where now = totp_step(t). */
struct verify_row {
    const char *name;
    const char *code; /* NULL: computed from offset */
    size_t codelen;
    int offset;
    int64_t t;
    int64_t last_rel; /* *last_step = now + last_rel (clamped at 0) */
    int ok;
    int64_t want_rel; /* *last_step afterwards, relative to now */
};

#define T0 1700000000 /* step 56666666 */

static const struct verify_row verify_rows[] = {
    /* malformed codes */
    { "empty", "", 0, 0, T0, -100, 0, -100 },
    { "five digits", "12345", 5, 0, T0, -100, 0, -100 },
    { "seven digits", "1234567", 7, 0, T0, -100, 0, -100 },
    { "letter", "12a456", 6, 0, T0, -100, 0, -100 },
    { "leading space", " 12345", 6, 0, T0, -100, 0, -100 },
    { "sign", "+12345", 6, 0, T0, -100, 0, -100 },
    { "NUL inside", "123\00056", 6, 0, T0, -100, 0, -100 }, /* \000 + 56 */
    { "eight digits of a valid code", NULL, 8, 0, T0, -100, 0, -100 },
    /* drift window */
    { "now-2", NULL, 6, -2, T0, -100, 0, -100 },
    { "now-1", NULL, 6, -1, T0, -100, 1, -1 },
    { "now", NULL, 6, 0, T0, -100, 1, 0 },
    { "now+1", NULL, 6, 1, T0, -100, 1, 1 },
    { "now+2", NULL, 6, 2, T0, -100, 0, -100 },
    /* replay: steps at or below *last_step are used up */
    { "now, last=now", NULL, 6, 0, T0, 0, 0, 0 },
    { "now, last=now+1", NULL, 6, 0, T0, 1, 0, 1 },
    { "now-1, last=now-1", NULL, 6, -1, T0, -1, 0, -1 },
    { "now, last=now-1", NULL, 6, 0, T0, -1, 1, 0 },
    { "now+1, last=now", NULL, 6, 1, T0, 0, 1, 1 },
    /* the first steps of the epoch: no step -1 to wrap to */
    { "t=0 now", NULL, 6, 0, 0, 0, 0, 0 },
    { "t=0 step -1 does not wrap", NULL, 6, -1, 0, 0, 0, 0 },
    { "t=0 now+1", NULL, 6, 1, 0, 0, 1, 1 },
    { "t<0 now+1", NULL, 6, 1, -5, 0, 1, 1 },
};

static void
test_totp_verify_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(verify_rows) / sizeof(verify_rows[0]); i++) {
        const struct verify_row *r = &verify_rows[i];
        uint64_t now = totp_step(r->t), last, want_last;
        char code[16];
        const char *c = r->code;
        bool ok;

        if (c == NULL) {
            uint64_t step = (uint64_t)((int64_t)now + r->offset);
            uint32_t v = hotp(rfc_key, RFC_KEYLEN, step, 6);

            /* an 8-digit row gets the zero-padded code followed by "00" */
            snprintf(code, sizeof(code), "%06u00", (unsigned)v);
            c = code;
        }
        last = (int64_t)now + r->last_rel < 0
                   ? 0
                   : (uint64_t)((int64_t)now + r->last_rel);
        want_last = (int64_t)now + r->want_rel < 0
                        ? 0
                        : (uint64_t)((int64_t)now + r->want_rel);
        ok = totp_verify(rfc_key, RFC_KEYLEN, c, r->codelen, r->t, &last);
        if (ok != (bool)r->ok || last != want_last)
            fail_msg("row %zu (%s): ok=%d last=%llu want %d/%llu", i, r->name,
                     ok, (unsigned long long)last, r->ok,
                     (unsigned long long)want_last);
    }
}

static void
test_totp_verify_args(void **state)
{
    uint64_t last = 0;
    char code[8];

    (void)state;
    snprintf(code, sizeof(code), "%06u",
             (unsigned)hotp(rfc_key, RFC_KEYLEN, totp_step(T0), 6));
    assert_true(totp_verify(rfc_key, RFC_KEYLEN, code, 6, T0, &last));
    last = 0;
    assert_false(totp_verify(NULL, RFC_KEYLEN, code, 6, T0, &last));
    assert_false(totp_verify(rfc_key, 0, code, 6, T0, &last));
    assert_false(totp_verify(rfc_key, RFC_KEYLEN, NULL, 6, T0, &last));
    assert_false(totp_verify(rfc_key, RFC_KEYLEN, code, 6, T0, NULL));
    assert_int_equal(last, 0);
    /* a different key does not verify the code */
    assert_false(totp_verify((const uint8_t *)"12345678901234567891",
                             RFC_KEYLEN, code, 6, T0, &last));
}

/* Steps 57766335 and 57766336 share the code 251166 under the RFC key
 * (found by search).  Whichever of them is "now", the later step is the
 * one used up, so the code cannot be replayed 30 s later. */
#define COLL_STEP 57766335

static void
test_totp_collision(void **state)
{
    uint64_t last;

    (void)state;
    assert_int_equal(hotp(rfc_key, RFC_KEYLEN, COLL_STEP, 6), 251166);
    assert_int_equal(hotp(rfc_key, RFC_KEYLEN, COLL_STEP + 1, 6), 251166);

    last = 0;
    assert_true(totp_verify(rfc_key, RFC_KEYLEN, "251166", 6,
                            (int64_t)COLL_STEP * 30 + 5, &last));
    assert_int_equal(last, COLL_STEP + 1);
    assert_false(totp_verify(rfc_key, RFC_KEYLEN, "251166", 6,
                             (int64_t)(COLL_STEP + 1) * 30 + 5, &last));

    last = 0;
    assert_true(totp_verify(rfc_key, RFC_KEYLEN, "251166", 6,
                            (int64_t)(COLL_STEP + 1) * 30, &last));
    assert_int_equal(last, COLL_STEP + 1);
}

struct b32_row {
    const char *plain;
    const char *enc;
};

/* RFC 4648 §10, without padding. */
static const struct b32_row b32_rows[] = {
    { "", "" },
    { "f", "MY" },
    { "fo", "MZXQ" },
    { "foo", "MZXW6" },
    { "foob", "MZXW6YQ" },
    { "fooba", "MZXW6YTB" },
    { "foobar", "MZXW6YTBOI" },
};

static void
test_base32_encode(void **state)
{
    char out[32];
    size_t i, n, got;

    (void)state;
    for (i = 0; i < sizeof(b32_rows) / sizeof(b32_rows[0]); i++) {
        n = strlen(b32_rows[i].plain);
        memset(out, 'X', sizeof(out));
        assert_int_equal(base32_len(n), strlen(b32_rows[i].enc));
        got = base32_encode((const uint8_t *)b32_rows[i].plain, n, out);
        assert_int_equal(got, strlen(b32_rows[i].enc));
        assert_string_equal(out, b32_rows[i].enc);
    }
    /* a secret of TOTP_SECRET_BYTES shows as 32 symbols */
    assert_int_equal(base32_len(TOTP_SECRET_BYTES), 32);
    /* no object is that large: the length is 0, not a wrapped size */
    assert_int_equal(base32_len((size_t)PTRDIFF_MAX + 1), 0);
    assert_true(base32_len(PTRDIFF_MAX) > PTRDIFF_MAX);
    assert_true(base32_len(PTRDIFF_MAX) < SIZE_MAX);
}

struct b32dec_row {
    const char *in;
    size_t n;      /* 0: strlen(in) */
    size_t outcap; /* 0 means 0 */
    long want;
    const char *plain;
};

static const struct b32dec_row b32dec_rows[] = {
    /* invalid characters */
    { "MZXW1", 0, 16, -1, NULL },
    { "MZXW0", 0, 16, -1, NULL },
    { "MZXW8", 0, 16, -1, NULL },
    { "MZ!Q", 0, 16, -1, NULL },
    { "MZXQ\n", 0, 16, -1, NULL },
    { "MZ\tXQ", 0, 16, -1, NULL },
    { "MZ\0Q", 4, 16, -1, NULL },
    { "MZXQ\xc3\xa9", 0, 16, -1, NULL },
    { "MZ-XQ", 0, 16, -1, NULL },
    /* tails no encoder produces (1, 3, 6 symbols past a group of 8) */
    { "M", 0, 16, -1, NULL },
    { "MZX", 0, 16, -1, NULL },
    { "MZXW6Y", 0, 16, -1, NULL },
    { "MZXW6YTBO", 0, 16, -1, NULL },
    /* output overflow */
    { "MY", 0, 0, -1, NULL },
    { "MZXW6YTBOI", 0, 5, -1, NULL },
    { "MZXW6YTBOI", 0, 6, 6, "foobar" },
    { "", 0, 0, 0, "" },
    { "========", 0, 0, 0, "" },
    { "  ", 0, 0, 0, "" },
    /* RFC 4648 §10 with padding, lower case and spaces */
    { "MY======", 0, 16, 1, "f" },
    { "MZXQ====", 0, 16, 2, "fo" },
    { "MZXW6===", 0, 16, 3, "foo" },
    { "MZXW6YQ=", 0, 16, 4, "foob" },
    { "MZXW6YTB", 0, 16, 5, "fooba" },
    { "MZXW6YTBOI======", 0, 16, 6, "foobar" },
    { "mzxw6ytboi", 0, 16, 6, "foobar" },
    { "mZxW 6yTb oI", 0, 16, 6, "foobar" },
    { " MZXW 6YTB OI== ", 0, 16, 6, "foobar" },
    /* leftover bits of a valid tail are ignored (MZ and M3 both "f") */
    { "M3", 0, 16, 1, "f" },
};

static void
test_base32_decode(void **state)
{
    uint8_t out[16];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(b32dec_rows) / sizeof(b32dec_rows[0]); i++) {
        const struct b32dec_row *r = &b32dec_rows[i];
        size_t n = r->n > 0 ? r->n : strlen(r->in);
        long got;

        memset(out, 0xEE, sizeof(out));
        got = base32_decode(r->in, n, out, r->outcap);
        if (got != r->want)
            fail_msg("row %zu '%s': %ld, want %ld", i, r->in, got, r->want);
        if (got >= 0 && memcmp(out, r->plain, (size_t)got) != 0)
            fail_msg("row %zu '%s': wrong bytes", i, r->in);
        /* nothing is written past outcap */
        if (r->outcap < sizeof(out) && out[r->outcap] != 0xEE)
            fail_msg("row %zu '%s': wrote past outcap", i, r->in);
    }
    assert_int_equal(base32_decode(NULL, 0, NULL, 0), 0);
    assert_int_equal(base32_decode(NULL, 1, out, sizeof(out)), -1);
}

static void
test_base32_roundtrip(void **state)
{
    uint8_t in[64], back[64];
    char enc[128], lower[128];
    struct rng g;
    size_t n, len, j;
    int iter;

    (void)state;
    rng_seed(&g, 0x70f7);
    for (iter = 0; iter < 2000; iter++) {
        n = iter < 65 ? (size_t)iter : (size_t)rng_below(&g, 65);
        for (j = 0; j < n; j++)
            in[j] = (uint8_t)rng_next(&g);
        len = base32_encode(in, n, enc);
        assert_int_equal(len, base32_len(n));
        assert_int_equal(strlen(enc), len);
        assert_int_equal(base32_decode(enc, len, back, n), (long)n);
        assert_memory_equal(back, in, n);
        /* one byte too little room is refused */
        if (n > 0)
            assert_int_equal(base32_decode(enc, len, back, n - 1), -1);
        for (j = 0; j <= len; j++)
            lower[j] =
                (char)(enc[j] >= 'A' && enc[j] <= 'Z' ? enc[j] + 32 : enc[j]);
        assert_int_equal(base32_decode(lower, len, back, sizeof(back)),
                         (long)n);
        assert_memory_equal(back, in, n);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha1),
        cmocka_unit_test(test_hmac_sha1),
        cmocka_unit_test(test_hotp),
        cmocka_unit_test(test_totp_step),
        cmocka_unit_test(test_totp_rfc6238),
        cmocka_unit_test(test_totp_verify_table),
        cmocka_unit_test(test_totp_verify_args),
        cmocka_unit_test(test_totp_collision),
        cmocka_unit_test(test_base32_encode),
        cmocka_unit_test(test_base32_decode),
        cmocka_unit_test(test_base32_roundtrip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
