/*
 * fuzz_base32.c -- libFuzzer target for base32_decode() with a small output
 * cap, and for hotp()/totp_verify() on input split into key and code.
 *
 * The input is copied to buffers of exactly its size (and the output buffer
 * is exactly the cap) so that ASan sees any access past a given length.
 * Decoding is checked against an independent model of what must be
 * accepted; whatever decodes is re-encoded and must give back the same
 * symbols.  A code that verifies must be six digits that hotp() produces
 * for one of the three steps, and must not verify twice.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "identity/totp.h"

#define CAP 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The symbol value of c, or -1: the alphabet written out again so the
 * check does not share code with the decoder. */
static int
model_value(char c)
{
    const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const char *hit;

    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    if (c == '\0')
        return -1;
    hit = strchr(a, c);
    return hit != NULL ? (int)(hit - a) : -1;
}

static void
check_base32(const char *in, size_t n)
{
    uint8_t *out = malloc(CAP), back[CAP];
    char syms[CAP * 2], enc[CAP * 2];
    size_t i, nsym = 0, elen, tail;
    long got, want;
    int valid = 1, v = 0;

    if (out == NULL)
        abort();
    /* Model: symbols only, apart from ignored spaces and '='; a tail of
     * 1, 3 or 6 symbols is refused; the output must fit in CAP. */
    for (i = 0; i < n; i++) {
        if (in[i] == ' ' || in[i] == '=')
            continue;
        v = model_value(in[i]);
        if (v < 0) {
            valid = 0;
            break;
        }
        if (nsym < sizeof(syms))
            syms[nsym] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[v];
        nsym++;
    }
    tail = nsym % 8;
    if (tail == 1 || tail == 3 || tail == 6)
        valid = 0;
    want = valid && nsym * 5 / 8 <= CAP ? (long)(nsym * 5 / 8) : -1;

    got = base32_decode(in, n, out, CAP);
    if (got != want)
        abort();
    if (got >= 0) {
        /* Re-encoding gives the same symbols, except that the unused low
         * bits of the last one are zero. */
        elen = base32_encode(out, (size_t)got, enc);
        if (elen != base32_len((size_t)got) || elen != nsym ||
            strlen(enc) != elen)
            abort();
        for (i = 0; i + 1 < elen; i++) {
            if (enc[i] != syms[i])
                abort();
        }
        if (elen > 0) {
            unsigned spare = (unsigned)(elen * 5 - (size_t)got * 8);
            int a = model_value(enc[elen - 1]), b = model_value(syms[i]);

            if (a < 0 || b < 0 || (a >> spare) != (b >> spare) ||
                (a & ((1 << spare) - 1)) != 0)
                abort();
        }
        if (base32_decode(enc, elen, back, sizeof(back)) != got ||
            memcmp(back, out, (size_t)got) != 0)
            abort();
        if (got > 0 && base32_decode(in, n, out, (size_t)got - 1) != -1)
            abort();
    }
    free(out);
}

static void
check_otp(const uint8_t *data, size_t size)
{
    static const uint32_t mod[] = { 1000000u, 10000000u, 100000000u };
    uint8_t *key;
    char *code, want[8];
    size_t keylen, codelen, i;
    uint64_t counter = 0, last, start, now;
    int64_t t;
    unsigned digits;
    uint32_t h;
    int k, match = 0;

    if (size < 2)
        return;
    /* data[0]: key length; data[1]: time and starting last_step; then
     * the key, then the code. */
    keylen = data[0] <= size - 2 ? data[0] : size - 2;
    codelen = size - 2 - keylen;
    key = malloc(keylen > 0 ? keylen : 1);
    code = malloc(codelen > 0 ? codelen : 1);
    if (key == NULL || code == NULL)
        abort();
    memcpy(key, data + 2, keylen);
    memcpy(code, data + 2 + keylen, codelen);

    for (i = 0; i < keylen && i < 8; i++)
        counter = counter << 8 | key[i];
    digits = 5 + data[1] % 5; /* 5..9: the ends are refused */
    h = hotp(key, keylen, counter, digits);
    if (digits < 6 || digits > 8 ? h != UINT32_MAX : h >= mod[digits - 6])
        abort();

    t = (int64_t)data[1] * 17 - 30;
    now = totp_step(t);
    start = data[1] % 4 == 0 ? 0 : now + (data[1] % 3) - 1;
    last = start;
    if (totp_verify(key, keylen, code, codelen, t, &last)) {
        if (keylen == 0 || codelen != TOTP_DIGITS || last <= start ||
            last + 1 < now || last > now + 1)
            abort();
        for (k = -1; k <= 1; k++) {
            uint64_t step = now + (uint64_t)(int64_t)k;
            uint32_t v;

            if (k < 0 && now == 0)
                continue;
            v = hotp(key, keylen, step, TOTP_DIGITS);
            for (i = TOTP_DIGITS; i-- > 0; v /= 10)
                want[i] = (char)('0' + v % 10);
            if (memcmp(want, code, TOTP_DIGITS) == 0 && step > start)
                match = 1;
        }
        if (!match)
            abort();
        /* Replay. */
        start = last;
        if (totp_verify(key, keylen, code, codelen, t, &last) || last != start)
            abort();
    } else if (last != start) {
        abort();
    }
    free(code);
    free(key);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size > 0 ? size : 1);

    if (copy == NULL)
        abort();
    if (size > 0)
        memcpy(copy, data, size);
    check_base32(copy, size);
    check_otp(data, size);
    free(copy);
    return 0;
}
