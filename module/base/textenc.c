/*
 * textenc.c -- decoding uploaded text to UTF-8 (see textenc.h).
 *
 * UTF-8 is validated here (parse.c's utf8_valid() only says yes or no; we
 * need the offset of the first bad byte).  GB18030 goes through glibc's
 * iconv into an arena buffer that grows up to the output limit.  Line
 * numbers are counted on the raw bytes: in both encodings the bytes 0x0A
 * and 0x0D only ever stand for LF and CR, never for part of a character.
 */
#include "base/textenc.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define BOM_UTF8 "\xEF\xBB\xBF"
/* Code page 936's euro sign, unassigned in GB18030. */
#define CP936_EURO 0x80
#define EURO_UTF8 "\xE2\x82\xAC"

/* How a decoding attempt ended. */
enum outcome {
    OUT_OK = 0,
    OUT_INVALID,
    OUT_TRUNCATED,
    OUT_TOO_BIG,
    OUT_NOMEM,
    OUT_UNAVAILABLE,
};

static const char *const enc_names[] = {
    [TEXTENC_AUTO] = "auto",
    [TEXTENC_UTF8] = "utf-8",
    [TEXTENC_GBK] = "gbk",
    [TEXTENC_GB18030] = "gb18030",
};

const char *
textenc_name(enum textenc e)
{
    if ((unsigned)e >= sizeof(enc_names) / sizeof(enc_names[0]))
        return "?";
    return enc_names[e];
}

enum app_err
textenc_parse(struct str name, enum textenc *out)
{
    static const struct {
        const char *name;
        enum textenc enc;
    } names[] = {
        { "auto", TEXTENC_AUTO },       { "utf-8", TEXTENC_UTF8 },
        { "utf8", TEXTENC_UTF8 },       { "gbk", TEXTENC_GBK },
        { "gb18030", TEXTENC_GB18030 },
    };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (str_eq_nocase(name, str_c(names[i].name))) {
            *out = names[i].enc;
            return APP_OK;
        }
    }
    return APP_EINVAL;
}

/* 1-based line number of offset off: LF, CRLF and a lone CR end a line,
 * as in csv.c. */
static size_t
line_of(const unsigned char *s, size_t n, size_t off)
{
    size_t i, line = 1;

    if (off > n)
        off = n;
    for (i = 0; i < off; i++) {
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= n || s[i + 1] != '\n')))
            line++;
    }
    return line;
}

static const char *
label(enum textenc e)
{
    return e == TEXTENC_UTF8 ? "UTF-8" : "GBK/GB18030";
}

/* Fill *err (when given) and return its rc.  off is an offset in s. */
APP_MUST_USE static enum app_err
fail(struct textenc_error *err, enum outcome why, bool unknown,
     enum textenc enc, const unsigned char *s, size_t n, size_t off,
     size_t max_out)
{
    struct textenc_error e;
    size_t line = line_of(s, n, off);
    unsigned byte = off < n ? s[off] : 0;

    memset(&e, 0, sizeof(e));
    e.enc = enc;
    e.offset = off;
    e.line = line;
    e.rc = APP_EINVAL;
    switch (why) {
    case OUT_INVALID:
        e.code = unknown ? "encoding.unknown" : "encoding.invalid";
        if (unknown)
            snprintf(e.msg, sizeof(e.msg),
                     "The file is neither UTF-8 nor GBK/GB18030 text: byte "
                     "0x%02X at offset %zu (line %zu) is not valid %s.",
                     byte, off, line, label(enc));
        else
            snprintf(e.msg, sizeof(e.msg),
                     "Byte 0x%02X at offset %zu (line %zu) is not valid %s.",
                     byte, off, line, label(enc));
        break;
    case OUT_TRUNCATED:
        e.code = "encoding.truncated";
        snprintf(e.msg, sizeof(e.msg),
                 "The file ends in the middle of a %s character (offset %zu, "
                 "line %zu).",
                 label(enc), off, line);
        break;
    case OUT_TOO_BIG:
        e.rc = APP_ETOOBIG;
        e.code = "encoding.too_big";
        snprintf(e.msg, sizeof(e.msg),
                 "The text is larger than %zu bytes once converted to UTF-8 "
                 "(at offset %zu, line %zu).",
                 max_out, off, line);
        break;
    case OUT_NOMEM:
        e.rc = APP_ENOMEM;
        e.code = "encoding.no_memory";
        snprintf(e.msg, sizeof(e.msg),
                 "Out of memory while converting the file.");
        break;
    case OUT_UNAVAILABLE:
    default:
        e.rc = APP_EINTERNAL;
        e.code = "encoding.unavailable";
        snprintf(e.msg, sizeof(e.msg),
                 "The GB18030 converter (iconv) is not available.");
        break;
    }
    if (err != NULL)
        *err = e;
    return e.rc;
}

/* Validate UTF-8 (no overlongs, surrogates or code points past U+10FFFF,
 * the same rules as utf8_valid()).  OUT_OK, or OUT_INVALID /
 * OUT_TRUNCATED with *bad at the first byte of the offending sequence. */
static enum outcome
utf8_scan(const unsigned char *s, size_t n, size_t *bad)
{
    size_t i = 0;

    while (i < n) {
        struct utf8_char c = utf8_next(s + i, n - i);

        if (!c.ok) {
            /* All there was of the character fitted: the input was cut
             * inside it. */
            *bad = i;
            return c.cut ? OUT_TRUNCATED : OUT_INVALID;
        }
        i += c.len;
    }
    return OUT_OK;
}

/* Grow the output buffer *buf (of *cap bytes, used of them filled) to at
 * most max bytes; OUT_TOO_BIG when it is max already.  The old buffer is
 * abandoned to the arena.  Only a fallback: gb_utf8_bound() sizes the
 * buffer, so valid input never needs it. */
static enum outcome
grow(struct arena *a, char **buf, size_t *cap, size_t used, size_t max)
{
    size_t ncap;
    char *nb;

    if (*cap >= max)
        return OUT_TOO_BIG;
    if (__builtin_mul_overflow(*cap, (size_t)2, &ncap) || ncap > max)
        ncap = max;
    nb = arena_alloc(a, ncap);
    if (nb == NULL)
        return OUT_NOMEM;
    if (used > 0)
        memcpy(nb, *buf, used);
    *buf = nb;
    *cap = ncap;
    return OUT_OK;
}

/* An upper bound of the UTF-8 size of GB18030 text, exact for most CJK
 * text, so that the output buffer need not be guessed: ASCII stays one
 * byte, a 2-byte sequence (a BMP character) becomes at most 3, a 4-byte
 * one at most 4, and the lone euro byte 3.  The prefix of invalid input
 * that iconv converts is split the same way, so the bound holds for it. */
static size_t
gb_utf8_bound(const unsigned char *s, size_t n)
{
    size_t i = 0, out = 0;

    if (n > SIZE_MAX / 3)
        return SIZE_MAX;
    while (i < n) {
        if (s[i] < 0x80) {
            out++;
            i++;
        } else if (s[i] == CP936_EURO || i + 1 >= n) {
            out += 3;
            i++;
        } else if (s[i + 1] >= '0' && s[i + 1] <= '9') {
            out += 4;
            i += 4;
        } else {
            out += 3;
            i += 2;
        }
    }
    return out;
}

/* Decode GB18030 s[0..n) into the arena.  OUT_OK with *out set, or the
 * outcome with *bad at the offending input offset. */
static enum outcome
gb_decode(struct arena *a, const unsigned char *s, size_t n, size_t max_out,
          struct str *out, size_t *bad)
{
    iconv_t cd;
    char *buf, *inp, *outp;
    size_t cap, inleft, outleft, used = 0;
    enum outcome res = OUT_OK;

    cap = gb_utf8_bound(s, n);
    if (cap > max_out)
        cap = max_out;
    *bad = 0;
    cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return OUT_UNAVAILABLE;
    buf = arena_alloc(a, cap);
    if (buf == NULL) {
        res = OUT_NOMEM;
        goto out;
    }
    /* iconv's prototype wants char **, but does not write the input. */
    inp = (char *)(uintptr_t)s;
    inleft = n;
    while (inleft > 0) {
        size_t r;

        outp = buf + used;
        outleft = cap - used;
        r = iconv(cd, &inp, &inleft, &outp, &outleft);
        used = (size_t)(outp - buf);
        if (r != (size_t)-1)
            break;
        *bad = n - inleft;
        if (errno == E2BIG) {
            /* Past max_out; growing is only a fallback should the bound
             * ever be wrong. */
            res = grow(a, &buf, &cap, used, max_out);
        } else if (errno == EILSEQ && (unsigned char)*inp == CP936_EURO) {
            if (cap - used < sizeof(EURO_UTF8) - 1)
                res = grow(a, &buf, &cap, used, max_out);
            if (res == OUT_OK && cap - used >= sizeof(EURO_UTF8) - 1) {
                memcpy(buf + used, EURO_UTF8, sizeof(EURO_UTF8) - 1);
                used += sizeof(EURO_UTF8) - 1;
                inp++;
                inleft--;
            }
        } else if (errno == EINVAL) {
            res = OUT_TRUNCATED;
        } else {
            res = OUT_INVALID;
        }
        if (res != OUT_OK)
            goto out;
    }
    out->p = buf;
    out->len = used;
out:
    iconv_close(cd);
    return res;
}

/* True when valid GB18030 s[0..n) holds a 4-byte sequence (its second byte
 * is a digit; in a 2-byte one it is 0x40..0xFE). */
static bool
gb_has_four_byte(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        if (s[i] <= CP936_EURO) {
            i++;
        } else if (i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9') {
            return true;
        } else {
            i += 2;
        }
    }
    return false;
}

enum app_err
textenc_decode(struct arena *a, struct str in, enum textenc want,
               size_t max_out, struct textenc_result *out,
               struct textenc_error *err)
{
    const unsigned char *s = (const unsigned char *)in.p;
    size_t n = in.p != NULL ? in.len : 0, skip = 0, bad_u = 0, bad_g = 0;
    const unsigned char *nul;
    enum outcome ru = OUT_INVALID, rg = OUT_INVALID;
    struct textenc_result res;

    memset(&res, 0, sizeof(res));
    res.detected = want == TEXTENC_AUTO;
    if (want != TEXTENC_AUTO && want != TEXTENC_UTF8 && want != TEXTENC_GBK &&
        want != TEXTENC_GB18030) {
        if (err != NULL) {
            memset(err, 0, sizeof(*err));
            err->rc = APP_EINVAL;
            err->code = "encoding.unsupported";
            err->line = 1;
            snprintf(err->msg, sizeof(err->msg), "Unknown text encoding.");
        }
        return APP_EINVAL;
    }
    if (n >= 2 &&
        ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF))) {
        if (err != NULL) {
            memset(err, 0, sizeof(*err));
            err->rc = APP_EINVAL;
            err->code = "encoding.utf16";
            err->enc = want;
            err->line = 1;
            snprintf(err->msg, sizeof(err->msg),
                     "The file is UTF-16 text; save it as \"CSV UTF-8\".");
        }
        return APP_EINVAL;
    }
    /* A NUL never occurs inside a UTF-8 or GB18030 character, so the raw
     * bytes can be searched. */
    nul = n > 0 ? memchr(s, '\0', n) : NULL;
    if (nul != NULL) {
        size_t off = (size_t)(nul - s);

        if (err != NULL) {
            memset(err, 0, sizeof(*err));
            err->rc = APP_EINVAL;
            err->code = "encoding.nul_byte";
            err->enc = want;
            err->offset = off;
            err->line = line_of(s, n, off);
            snprintf(err->msg, sizeof(err->msg),
                     "The file has a NUL byte at offset %zu (line %zu): it is "
                     "not a text file, or it is UTF-16; save it as \"CSV "
                     "UTF-8\".",
                     off, err->line);
        }
        return APP_EINVAL;
    }

    if (want == TEXTENC_AUTO || want == TEXTENC_UTF8) {
        if (n >= 3 && memcmp(s, BOM_UTF8, 3) == 0)
            skip = 3;
        ru = utf8_scan(s + skip, n - skip, &bad_u);
        bad_u += skip;
        if (ru == OUT_OK) {
            if (n - skip > max_out)
                return fail(err, OUT_TOO_BIG, false, TEXTENC_UTF8, s, n,
                            skip + max_out, max_out);
            res.text.p = (const char *)s + skip;
            res.text.len = n - skip;
            res.enc = TEXTENC_UTF8;
            res.bom = skip > 0;
            *out = res;
            return APP_OK;
        }
        /* A byte order mark settles it: do not guess further. */
        if (want == TEXTENC_UTF8 || skip > 0)
            return fail(err, ru, false, TEXTENC_UTF8, s, n, bad_u, max_out);
    }

    rg = gb_decode(a, s, n, max_out, &res.text, &bad_g);
    if (rg == OUT_OK) {
        res.enc = gb_has_four_byte(s, n) ? TEXTENC_GB18030 : TEXTENC_GBK;
        *out = res;
        return APP_OK;
    }
    if (want != TEXTENC_AUTO || rg == OUT_TOO_BIG || rg == OUT_NOMEM ||
        rg == OUT_UNAVAILABLE)
        return fail(err, rg, false, TEXTENC_GB18030, s, n, bad_g, max_out);
    /* Neither fits: report the attempt that got further, which is the
     * likelier encoding of the file. */
    if (bad_u > bad_g)
        return fail(err, ru, true, TEXTENC_UTF8, s, n, bad_u, max_out);
    return fail(err, rg, true, TEXTENC_GB18030, s, n, bad_g, max_out);
}
