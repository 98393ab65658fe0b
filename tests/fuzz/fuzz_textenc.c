/*
 * fuzz_textenc.c -- libFuzzer target for textenc_decode().
 *
 * The first byte chooses the request (bits 0-1: auto, utf-8, gbk, gb18030)
 * and the output limit (bits 2-3: 1 MiB, 64, 7 or 0 bytes); the rest is the
 * file, copied to a buffer of exactly its size so that ASan catches reads
 * past it even in corpus replay.  Checked: the output is valid UTF-8
 * without NUL and within the limit; UTF-8 input comes back unchanged but
 * for the BOM; forced UTF-8 succeeds exactly when utf8_valid() agrees;
 * errors carry a code, an offset inside the input and the right line; a
 * run with a failing arena allocation ends the same or in APP_ENOMEM.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "http/parse.h"
#include "base/textenc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum textenc wants[4] = { TEXTENC_AUTO, TEXTENC_UTF8, TEXTENC_GBK,
                                       TEXTENC_GB18030 };
static const size_t limits[4] = { 1u << 20, 64, 7, 0 };

static size_t
line_of(const uint8_t *s, size_t n, size_t off)
{
    size_t i, line = 1;

    for (i = 0; i < off && i < n; i++) {
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= n || s[i + 1] != '\n')))
            line++;
    }
    return line;
}

static void
check_ok(const struct textenc_result *res, enum textenc want, size_t max_out,
         const uint8_t *in, size_t n)
{
    size_t skip = res->bom ? 3 : 0;

    if (res->text.len > max_out || !utf8_valid(res->text.p, res->text.len) ||
        (res->text.len > 0 && memchr(res->text.p, '\0', res->text.len)))
        abort();
    if (res->detected != (want == TEXTENC_AUTO))
        abort();
    if (res->enc != TEXTENC_UTF8 && res->enc != TEXTENC_GBK &&
        res->enc != TEXTENC_GB18030)
        abort();
    if (want == TEXTENC_UTF8 && res->enc != TEXTENC_UTF8)
        abort();
    if ((want == TEXTENC_GBK || want == TEXTENC_GB18030) &&
        (res->enc == TEXTENC_UTF8 || res->bom))
        abort();
    if (res->enc == TEXTENC_UTF8) {
        if (res->bom && (n < 3 || memcmp(in, "\xEF\xBB\xBF", 3) != 0))
            abort();
        if (res->text.len != n - skip ||
            (res->text.len > 0 && memcmp(res->text.p, in + skip, n - skip)))
            abort();
    } else if (want == TEXTENC_AUTO && utf8_valid((const char *)in, n)) {
        /* Valid UTF-8 within the limit is never taken for GBK. */
        abort();
    }
}

static void
check_err(const struct textenc_error *e, enum app_err rc, const uint8_t *in,
          size_t n)
{
    if (e->rc != rc || e->code == NULL || e->msg[0] == '\0')
        abort();
    if (rc != APP_EINVAL && rc != APP_ETOOBIG && rc != APP_ENOMEM)
        abort();
    if ((rc == APP_ETOOBIG) != (strcmp(e->code, "encoding.too_big") == 0))
        abort();
    if (e->offset > n || e->line != line_of(in, n, e->offset))
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new(4096, 16u << 20);
    struct textenc_result res, res2;
    struct textenc_error err, err2;
    enum textenc want;
    size_t max_out, n;
    uint8_t *in;
    enum app_err rc, rc2;

    if (a == NULL)
        abort();
    if (size == 0) {
        arena_free(a);
        return 0;
    }
    want = wants[data[0] & 3];
    max_out = limits[(data[0] >> 2) & 3];
    n = size - 1;
    in = malloc(n > 0 ? n : 1);
    if (in == NULL)
        abort();
    if (n > 0)
        memcpy(in, data + 1, n);

    rc = textenc_decode(a, (struct str){ (const char *)in, n }, want, max_out,
                        &res, &err);
    if (rc == APP_OK)
        check_ok(&res, want, max_out, in, n);
    else
        check_err(&err, rc, in, n);

    /* Forced UTF-8 agrees with utf8_valid(). */
    if (want == TEXTENC_UTF8) {
        size_t skip = n >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        int ok = utf8_valid((const char *)in + skip, n - skip) &&
                 (n == 0 || memchr(in, '\0', n) == NULL) &&
                 n - skip <= max_out &&
                 !(n >= 2 && ((in[0] == 0xFF && in[1] == 0xFE) ||
                              (in[0] == 0xFE && in[1] == 0xFF)));

        if (ok != (rc == APP_OK))
            abort();
    }

    /* The same with the arena failing at some allocation. */
    arena_reset(a);
    arena_fail_after(a, (unsigned)(size % 3) + 1);
    rc2 = textenc_decode(a, (struct str){ (const char *)in, n }, want, max_out,
                         &res2, &err2);
    arena_fail_after(a, 0);
    if (rc2 == APP_ENOMEM) {
        if (strcmp(err2.code, "encoding.no_memory") != 0)
            abort();
    } else if (rc2 != rc) {
        abort();
    } else if (rc == APP_OK) {
        if (res2.enc != res.enc || res2.text.len != res.text.len)
            abort();
    } else if (strcmp(err.code, err2.code) != 0 || err.offset != err2.offset) {
        abort();
    }
    arena_free(a);
    free(in);
    return 0;
}
