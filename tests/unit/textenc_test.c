/*
 * textenc_test.c -- table-driven tests of textenc.c (STYLE §17): detection,
 * forced encodings, GBK and GB18030 (2- and 4-byte), invalid and truncated
 * bytes with their offsets and lines, NUL bytes and UTF-16, the output
 * limit and arena failures.  The GBK bytes were produced with
 * `printf ... | iconv -f utf-8 -t gbk | xxd`.  Malformed rows come first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/csv.h"
#include "http/parse.h"
#include "base/textenc.h"

#define S(x)                                                                   \
    {                                                                          \
        (x), sizeof(x) - 1                                                     \
    }
#define NROWS(t) (sizeof(t) / sizeof((t)[0]))
#define BIG ((size_t)1 << 20)

/* 客户名称 in GBK and in UTF-8. */
#define KEHU_GBK "\xBF\xCD\xBB\xA7\xC3\xFB\xB3\xC6"
#define KEHU_UTF8 "\xE5\xAE\xA2\xE6\x88\xB7\xE5\x90\x8D\xE7\xA7\xB0"

static struct arena *
new_arena(void)
{
    struct arena *a = arena_new(4096, 8u << 20);

    assert_non_null(a);
    return a;
}

/* A copy of s in a heap block of exactly s.len bytes, so that ASan sees any
 * read past the end.  The caller frees .p. */
static struct str
exact_copy(struct str s)
{
    char *p = malloc(s.len > 0 ? s.len : 1);

    assert_non_null(p);
    if (s.len > 0)
        memcpy(p, s.p, s.len);
    return (struct str){ p, s.len };
}

struct dec_row {
    const char *what;
    struct str in;
    enum textenc want;
    size_t max_out;
    enum app_err rc;
    const char *code;    /* on failure */
    struct str out;      /* on success */
    enum textenc enc;    /* on success: detected; on failure: err.enc */
    bool bom;            /* on success */
    size_t offset, line; /* on failure */
};

static const struct dec_row dec_rows[] = {
    /* UTF-16 and NUL bytes */
    { "UTF-16LE BOM",
      S("\xFF\xFE"
        "a\0"),
      TEXTENC_AUTO, BIG, APP_EINVAL, "encoding.utf16", S(""), TEXTENC_AUTO,
      false, 0, 1 },
    { "UTF-16BE BOM", S("\xFE\xFF\0a"), TEXTENC_AUTO, BIG, APP_EINVAL,
      "encoding.utf16", S(""), TEXTENC_AUTO, false, 0, 1 },
    { "UTF-16 BOM, forced gbk",
      S("\xFF\xFE"
        "a\0"),
      TEXTENC_GBK, BIG, APP_EINVAL, "encoding.utf16", S(""), TEXTENC_GBK, false,
      0, 1 },
    { "UTF-16LE without BOM", S("a\0b\0"), TEXTENC_AUTO, BIG, APP_EINVAL,
      "encoding.nul_byte", S(""), TEXTENC_AUTO, false, 1, 1 },
    { "NUL on line 2", S("ab\n\0c"), TEXTENC_UTF8, BIG, APP_EINVAL,
      "encoding.nul_byte", S(""), TEXTENC_UTF8, false, 3, 2 },
    { "NUL in GBK", S(KEHU_GBK "\r\n\0"), TEXTENC_GBK, BIG, APP_EINVAL,
      "encoding.nul_byte", S(""), TEXTENC_GBK, false, 10, 2 },
    /* forced UTF-8 */
    { "utf8: FF",
      S("ab\xFF"
        "cd"),
      TEXTENC_UTF8, BIG, APP_EINVAL, "encoding.invalid", S(""), TEXTENC_UTF8,
      false, 2, 1 },
    { "utf8: line 3 after CRLF and CR", S("a\r\nb\rc\xC3("), TEXTENC_UTF8, BIG,
      APP_EINVAL, "encoding.invalid", S(""), TEXTENC_UTF8, false, 6, 3 },
    { "utf8: overlong", S("\xC0\xAF"), TEXTENC_UTF8, BIG, APP_EINVAL,
      "encoding.invalid", S(""), TEXTENC_UTF8, false, 0, 1 },
    { "utf8: surrogate", S("x\xED\xA0\x80"), TEXTENC_UTF8, BIG, APP_EINVAL,
      "encoding.invalid", S(""), TEXTENC_UTF8, false, 1, 1 },
    { "utf8: past U+10FFFF", S("\xF4\x90\x80\x80"), TEXTENC_UTF8, BIG,
      APP_EINVAL, "encoding.invalid", S(""), TEXTENC_UTF8, false, 0, 1 },
    { "utf8: bad 3rd byte", S("\xE4\xB8\x41"), TEXTENC_UTF8, BIG, APP_EINVAL,
      "encoding.invalid", S(""), TEXTENC_UTF8, false, 0, 1 },
    { "utf8: truncated 3-byte", S("ab\xE4\xB8"), TEXTENC_UTF8, BIG, APP_EINVAL,
      "encoding.truncated", S(""), TEXTENC_UTF8, false, 2, 1 },
    { "utf8: truncated 4-byte", S("\n\xF0\x9F\x98"), TEXTENC_UTF8, BIG,
      APP_EINVAL, "encoding.truncated", S(""), TEXTENC_UTF8, false, 1, 2 },
    { "utf8: truncated with bad byte", S("\xE4\x41"), TEXTENC_UTF8, BIG,
      APP_EINVAL, "encoding.invalid", S(""), TEXTENC_UTF8, false, 0, 1 },
    { "utf8 forced on GBK", S(KEHU_GBK), TEXTENC_UTF8, BIG, APP_EINVAL,
      "encoding.invalid", S(""), TEXTENC_UTF8, false, 0, 1 },
    { "auto: BOM then invalid UTF-8 is not guessed further",
      S("\xEF\xBB\xBF\xC4\xE3"), TEXTENC_AUTO, BIG, APP_EINVAL,
      "encoding.invalid", S(""), TEXTENC_UTF8, false, 3, 1 },
    /* forced GBK / GB18030 */
    { "gbk: FF", S("\xFF"), TEXTENC_GBK, BIG, APP_EINVAL, "encoding.invalid",
      S(""), TEXTENC_GB18030, false, 0, 1 },
    { "gbk: bad trail space", S("ab\x81\x20"), TEXTENC_GBK, BIG, APP_EINVAL,
      "encoding.invalid", S(""), TEXTENC_GB18030, false, 2, 1 },
    { "gbk: bad trail 7F", S("\x81\x7F"), TEXTENC_GB18030, BIG, APP_EINVAL,
      "encoding.invalid", S(""), TEXTENC_GB18030, false, 0, 1 },
    { "gbk: line 3", S("\xBF\xCD\xBB\xA7\r\n\xD5\xC5\xC8\xFD\n\xC0\xEE\xFF"),
      TEXTENC_GBK, BIG, APP_EINVAL, "encoding.invalid", S(""), TEXTENC_GB18030,
      false, 13, 3 },
    { "gb18030: 4-byte past U+FFFF block", S("\x84\x31\xA5\x30"),
      TEXTENC_GB18030, BIG, APP_EINVAL, "encoding.invalid", S(""),
      TEXTENC_GB18030, false, 0, 1 },
    { "gb18030: 4-byte past U+10FFFF", S("a\xE3\x32\x9A\x36"), TEXTENC_GB18030,
      BIG, APP_EINVAL, "encoding.invalid", S(""), TEXTENC_GB18030, false, 1,
      1 },
    { "gbk: truncated 2-byte", S("ab\xC4"), TEXTENC_GBK, BIG, APP_EINVAL,
      "encoding.truncated", S(""), TEXTENC_GB18030, false, 2, 1 },
    { "gb18030: truncated 4-byte", S("\n\n\x81\x30\x81"), TEXTENC_GB18030, BIG,
      APP_EINVAL, "encoding.truncated", S(""), TEXTENC_GB18030, false, 2, 3 },
    { "gbk forced on UTF-8 (two chars, one byte left)", S("\xE4\xB8\xAD"),
      TEXTENC_GBK, BIG, APP_EINVAL, "encoding.truncated", S(""),
      TEXTENC_GB18030, false, 2, 1 },
    /* auto: neither encoding fits */
    { "auto: FF after ASCII", S("abc\xFF"), TEXTENC_AUTO, BIG, APP_EINVAL,
      "encoding.unknown", S(""), TEXTENC_GB18030, false, 3, 1 },
    { "auto: GBK went further", S("\xC4\xE3\n\xFF"), TEXTENC_AUTO, BIG,
      APP_EINVAL, "encoding.unknown", S(""), TEXTENC_GB18030, false, 3, 2 },
    { "auto: UTF-8 went further", S("\xE2\x82\xAC,x\n\xFF"), TEXTENC_AUTO, BIG,
      APP_EINVAL, "encoding.unknown", S(""), TEXTENC_UTF8, false, 6, 2 },
    { "auto: truncated GBK at the end", S("\xC4\xE3\xC4"), TEXTENC_AUTO, BIG,
      APP_EINVAL, "encoding.truncated", S(""), TEXTENC_GB18030, false, 2, 1 },
    { "not an encoding", S("a"), (enum textenc)42, BIG, APP_EINVAL,
      "encoding.unsupported", S(""), TEXTENC_AUTO, false, 0, 1 },
    /* output limit */
    { "utf8 one past the limit", S("abcd"), TEXTENC_AUTO, 3, APP_ETOOBIG,
      "encoding.too_big", S(""), TEXTENC_UTF8, false, 3, 1 },
    { "utf8 with BOM one past",
      S("\xEF\xBB\xBF"
        "abcd"),
      TEXTENC_UTF8, 3, APP_ETOOBIG, "encoding.too_big", S(""), TEXTENC_UTF8,
      false, 6, 1 },
    { "gbk one past the limit", S(KEHU_GBK), TEXTENC_AUTO, 11, APP_ETOOBIG,
      "encoding.too_big", S(""), TEXTENC_GB18030, false, 6, 1 },
    { "gbk limit 0", S(KEHU_GBK), TEXTENC_GBK, 0, APP_ETOOBIG,
      "encoding.too_big", S(""), TEXTENC_GB18030, false, 0, 1 },
    { "euro one past", S("a\x80"), TEXTENC_GBK, 3, APP_ETOOBIG,
      "encoding.too_big", S(""), TEXTENC_GB18030, false, 1, 1 },
    { "utf8 at the limit", S("abcd"), TEXTENC_AUTO, 4, APP_OK, NULL, S("abcd"),
      TEXTENC_UTF8, false, 0, 0 },
    { "utf8 with BOM at the limit",
      S("\xEF\xBB\xBF"
        "abcd"),
      TEXTENC_AUTO, 4, APP_OK, NULL, S("abcd"), TEXTENC_UTF8, true, 0, 0 },
    { "gbk at the limit", S(KEHU_GBK), TEXTENC_AUTO, 12, APP_OK, NULL,
      S(KEHU_UTF8), TEXTENC_GBK, false, 0, 0 },
    { "euro at the limit", S("a\x80"), TEXTENC_GBK, 4, APP_OK, NULL,
      S("a\xE2\x82\xAC"), TEXTENC_GBK, false, 0, 0 },
    { "empty, limit 0", S(""), TEXTENC_AUTO, 0, APP_OK, NULL, S(""),
      TEXTENC_UTF8, false, 0, 0 },
    { "empty gbk, limit 0", S(""), TEXTENC_GBK, 0, APP_OK, NULL, S(""),
      TEXTENC_GBK, false, 0, 0 },
    /* UTF-8 */
    { "empty", S(""), TEXTENC_AUTO, BIG, APP_OK, NULL, S(""), TEXTENC_UTF8,
      false, 0, 0 },
    { "ascii", S("name,phone\r\n"), TEXTENC_AUTO, BIG, APP_OK, NULL,
      S("name,phone\r\n"), TEXTENC_UTF8, false, 0, 0 },
    { "utf8 CJK", S(KEHU_UTF8 ",x"), TEXTENC_AUTO, BIG, APP_OK, NULL,
      S(KEHU_UTF8 ",x"), TEXTENC_UTF8, false, 0, 0 },
    { "utf8 BOM stripped", S("\xEF\xBB\xBF" KEHU_UTF8), TEXTENC_AUTO, BIG,
      APP_OK, NULL, S(KEHU_UTF8), TEXTENC_UTF8, true, 0, 0 },
    { "utf8 forced, BOM stripped",
      S("\xEF\xBB\xBF"
        "a"),
      TEXTENC_UTF8, BIG, APP_OK, NULL, S("a"), TEXTENC_UTF8, true, 0, 0 },
    { "BOM only", S("\xEF\xBB\xBF"), TEXTENC_AUTO, BIG, APP_OK, NULL, S(""),
      TEXTENC_UTF8, true, 0, 0 },
    { "only one BOM is stripped", S("\xEF\xBB\xBF\xEF\xBB\xBF"), TEXTENC_AUTO,
      BIG, APP_OK, NULL, S("\xEF\xBB\xBF"), TEXTENC_UTF8, true, 0, 0 },
    { "utf8 emoji and U+10FFFF", S("\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF"),
      TEXTENC_AUTO, BIG, APP_OK, NULL, S("\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF"),
      TEXTENC_UTF8, false, 0, 0 },
    { "valid both ways is UTF-8", S("\xC3\xA9"), TEXTENC_AUTO, BIG, APP_OK,
      NULL, S("\xC3\xA9"), TEXTENC_UTF8, false, 0, 0 },
    { "the same bytes forced GBK", S("\xC3\xA9"), TEXTENC_GBK, BIG, APP_OK,
      NULL, S("\xE8\x8C\x85"), TEXTENC_GBK, false, 0, 0 },
    /* GBK and GB18030 */
    { "gbk detected", S(KEHU_GBK), TEXTENC_AUTO, BIG, APP_OK, NULL,
      S(KEHU_UTF8), TEXTENC_GBK, false, 0, 0 },
    { "gbk forced", S(KEHU_GBK), TEXTENC_GBK, BIG, APP_OK, NULL, S(KEHU_UTF8),
      TEXTENC_GBK, false, 0, 0 },
    { "gb18030 forced, GBK bytes", S(KEHU_GBK), TEXTENC_GB18030, BIG, APP_OK,
      NULL, S(KEHU_UTF8), TEXTENC_GBK, false, 0, 0 },
    { "C4 BF is not 客", S("\xC4\xBF\xBB\xA7\xC3\xFB\xB3\xC6"), TEXTENC_AUTO,
      BIG, APP_OK, NULL, S("\xE7\x9B\xAE\xE6\x88\xB7\xE5\x90\x8D\xE7\xA7\xB0"),
      TEXTENC_GBK, false, 0, 0 },
    { "gbk CSV", S(KEHU_GBK ",\xB5\xE7\xBB\xB0\r\n\xD5\xC5\xC8\xFD,138\r\n"),
      TEXTENC_AUTO, BIG, APP_OK, NULL,
      S(KEHU_UTF8 ",\xE7\x94\xB5\xE8\xAF\x9D\r\n\xE5\xBC\xA0\xE4\xB8\x89,"
                  "138\r\n"),
      TEXTENC_GBK, false, 0, 0 },
    { "cp936 euro 0x80",
      S("a\x80"
        "b"),
      TEXTENC_AUTO, BIG, APP_OK, NULL,
      S("a\xE2\x82\xAC"
        "b"),
      TEXTENC_GBK, false, 0, 0 },
    { "gb18030 euro A2E3", S("\xA2\xE3"), TEXTENC_AUTO, BIG, APP_OK, NULL,
      S("\xE2\x82\xAC"), TEXTENC_GBK, false, 0, 0 },
    { "gb18030 4-byte emoji", S("x\x94\x39\xFC\x36"), TEXTENC_AUTO, BIG, APP_OK,
      NULL, S("x\xF0\x9F\x98\x80"), TEXTENC_GB18030, false, 0, 0 },
    { "gb18030 4-byte U+0080", S("\x81\x30\x81\x30"), TEXTENC_GB18030, BIG,
      APP_OK, NULL, S("\xC2\x80"), TEXTENC_GB18030, false, 0, 0 },
    { "gb18030 2-byte U+00E9, 4-byte U+00C9", S("\xA8\xA6\x81\x30\x87\x37"),
      TEXTENC_GBK, BIG, APP_OK, NULL, S("\xC3\xA9\xC3\x89"), TEXTENC_GB18030,
      false, 0, 0 },
    { "gb18030 4-byte U+FFFF", S("\x84\x31\xA4\x39"), TEXTENC_AUTO, BIG, APP_OK,
      NULL, S("\xEF\xBF\xBF"), TEXTENC_GB18030, false, 0, 0 },
    { "gb18030 4-byte U+10000", S("\x90\x30\x81\x30"), TEXTENC_AUTO, BIG,
      APP_OK, NULL, S("\xF0\x90\x80\x80"), TEXTENC_GB18030, false, 0, 0 },
    { "gb18030 4-byte U+10FFFF", S("\xE3\x32\x9A\x35"), TEXTENC_AUTO, BIG,
      APP_OK, NULL, S("\xF4\x8F\xBF\xBF"), TEXTENC_GB18030, false, 0, 0 },
};

static void
test_decode(void **state)
{
    struct arena *a = new_arena();
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(dec_rows); i++) {
        const struct dec_row *r = &dec_rows[i];
        struct str in = exact_copy(r->in);
        struct textenc_result res;
        struct textenc_error err;
        enum app_err rc;

        memset(&res, 0x5A, sizeof(res));
        memset(&err, 0, sizeof(err));
        rc = textenc_decode(a, in, r->want, r->max_out, &res, &err);
        if (rc != r->rc)
            fail_msg("%s: rc %d (%s: %s), want %d", r->what, rc,
                     err.code ? err.code : "-", err.msg, r->rc);
        if (rc != APP_OK) {
            if (err.rc != rc || err.code == NULL ||
                strcmp(err.code, r->code) != 0)
                fail_msg("%s: code %s, want %s", r->what,
                         err.code ? err.code : "(null)", r->code);
            if (err.offset != r->offset || err.line != r->line)
                fail_msg("%s: offset %zu line %zu, want %zu line %zu", r->what,
                         err.offset, err.line, r->offset, r->line);
            if (err.enc != r->enc)
                fail_msg("%s: enc %s, want %s", r->what, textenc_name(err.enc),
                         textenc_name(r->enc));
            if (err.msg[0] == '\0')
                fail_msg("%s: no message", r->what);
        } else {
            if (!str_eq(res.text, r->out))
                fail_msg("%s: got %zu bytes [%.*s], want [%.*s]", r->what,
                         res.text.len, (int)res.text.len, res.text.p,
                         (int)r->out.len, r->out.p);
            if (res.enc != r->enc || res.bom != r->bom)
                fail_msg("%s: enc %s bom %d, want %s bom %d", r->what,
                         textenc_name(res.enc), res.bom, textenc_name(r->enc),
                         r->bom);
            if (res.detected != (r->want == TEXTENC_AUTO))
                fail_msg("%s: detected %d", r->what, res.detected);
            if (!utf8_valid(res.text.p, res.text.len) ||
                res.text.len > r->max_out)
                fail_msg("%s: output not valid UTF-8 or too long", r->what);
        }
        free((void *)in.p);
    }
    arena_free(a);
}

/* The English messages name the byte, offset and line. */
static void
test_messages(void **state)
{
    struct arena *a = new_arena();
    struct textenc_result res;
    struct textenc_error err;

    (void)state;
    assert_int_equal(
        textenc_decode(a, STR_LIT("ab\n\xFF"), TEXTENC_UTF8, BIG, &res, &err),
        APP_EINVAL);
    assert_string_equal(err.msg,
                        "Byte 0xFF at offset 3 (line 2) is not valid UTF-8.");
    assert_int_equal(
        textenc_decode(a, STR_LIT("ab\n\xFF"), TEXTENC_AUTO, BIG, &res, &err),
        APP_EINVAL);
    assert_string_equal(err.msg, "The file is neither UTF-8 nor GBK/GB18030 "
                                 "text: byte 0xFF at offset 3 (line 2) is not "
                                 "valid GBK/GB18030.");
    assert_int_equal(
        textenc_decode(a, STR_LIT("\xC4"), TEXTENC_GBK, BIG, &res, &err),
        APP_EINVAL);
    assert_string_equal(err.msg, "The file ends in the middle of a "
                                 "GBK/GB18030 character (offset 0, line 1).");
    /* err may be NULL. */
    assert_int_equal(
        textenc_decode(a, STR_LIT("\xFF"), TEXTENC_AUTO, BIG, &res, NULL),
        APP_EINVAL);
    arena_free(a);
}

/* UTF-8 is not copied; converted text is in the arena. */
static void
test_ownership(void **state)
{
    struct arena *a = new_arena();
    static const char utf8[] = "\xEF\xBB\xBF"
                               "a,b";
    struct textenc_result res;
    size_t used;

    (void)state;
    used = arena_used(a);
    assert_int_equal(
        textenc_decode(a, STR_LIT(utf8), TEXTENC_AUTO, BIG, &res, NULL),
        APP_OK);
    assert_ptr_equal(res.text.p, utf8 + 3);
    assert_int_equal(arena_used(a), used);
    assert_int_equal(
        textenc_decode(a, STR_LIT(KEHU_GBK), TEXTENC_AUTO, BIG, &res, NULL),
        APP_OK);
    assert_true(arena_used(a) > used);
    arena_free(a);
}

/* Output three times the input: each 0x80 becomes three bytes. */
static void
test_growth(void **state)
{
    struct arena *a = new_arena();
    char in[1000], want[3000];
    struct textenc_result res;
    struct textenc_error err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(in); i++) {
        in[i] = '\x80';
        memcpy(want + 3 * i, "\xE2\x82\xAC", 3);
    }
    assert_int_equal(textenc_decode(a, (struct str){ in, sizeof(in) },
                                    TEXTENC_AUTO, 3000, &res, &err),
                     APP_OK);
    assert_int_equal(res.text.len, 3000);
    assert_memory_equal(res.text.p, want, 3000);
    assert_int_equal(res.enc, TEXTENC_GBK);
    assert_int_equal(textenc_decode(a, (struct str){ in, sizeof(in) },
                                    TEXTENC_AUTO, 2999, &res, &err),
                     APP_ETOOBIG);
    assert_string_equal(err.code, "encoding.too_big");
    assert_int_equal(err.offset, 999);
    arena_free(a);
}

static void
test_alloc_failures(void **state)
{
    struct arena *a = new_arena();
    char in[1000];
    struct textenc_result res;
    struct textenc_error err;
    unsigned n;
    int failures = 0;

    (void)state;
    memset(in, 0x80, sizeof(in));
    /* Fail the 1st, 2nd, ... allocation until one run succeeds. */
    for (n = 1; n < 100; n++) {
        enum app_err rc;

        arena_reset(a);
        arena_fail_after(a, n);
        rc = textenc_decode(a, (struct str){ in, sizeof(in) }, TEXTENC_AUTO,
                            BIG, &res, &err);
        arena_fail_after(a, 0);
        if (rc == APP_OK)
            break;
        assert_int_equal(rc, APP_ENOMEM);
        assert_string_equal(err.code, "encoding.no_memory");
        failures++;
    }
    /* One buffer, allocated once at its final size. */
    assert_int_equal(failures, 1);
    assert_int_equal(res.text.len, 3000);
    arena_free(a);
}

struct name_row {
    const char *name;
    enum app_err rc;
    enum textenc enc;
};

static const struct name_row name_rows[] = {
    { "", APP_EINVAL, TEXTENC_AUTO },
    { "latin1", APP_EINVAL, TEXTENC_AUTO },
    { "utf-16", APP_EINVAL, TEXTENC_AUTO },
    { "gb2312", APP_EINVAL, TEXTENC_AUTO },
    { "utf-8 ", APP_EINVAL, TEXTENC_AUTO },
    { "gb", APP_EINVAL, TEXTENC_AUTO },
    { "auto", APP_OK, TEXTENC_AUTO },
    { "AUTO", APP_OK, TEXTENC_AUTO },
    { "utf-8", APP_OK, TEXTENC_UTF8 },
    { "UTF8", APP_OK, TEXTENC_UTF8 },
    { "gbk", APP_OK, TEXTENC_GBK },
    { "GBK", APP_OK, TEXTENC_GBK },
    { "gb18030", APP_OK, TEXTENC_GB18030 },
    { "GB18030", APP_OK, TEXTENC_GB18030 },
};

static void
test_names(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(name_rows); i++) {
        enum textenc e = (enum textenc)99;
        enum app_err rc = textenc_parse(str_c(name_rows[i].name), &e);

        if (rc != name_rows[i].rc)
            fail_msg("%s: rc %d", name_rows[i].name, rc);
        if (rc == APP_OK && e != name_rows[i].enc)
            fail_msg("%s: enc %d", name_rows[i].name, e);
    }
    assert_string_equal(textenc_name(TEXTENC_AUTO), "auto");
    assert_string_equal(textenc_name(TEXTENC_UTF8), "utf-8");
    assert_string_equal(textenc_name(TEXTENC_GBK), "gbk");
    assert_string_equal(textenc_name(TEXTENC_GB18030), "gb18030");
    assert_string_equal(textenc_name((enum textenc)7), "?");
}

/* The upload path: a GBK file from Excel, decoded, then read as CSV. */
static void
test_gbk_csv(void **state)
{
    struct arena *a = new_arena();
    static const char file[] = KEHU_GBK ",\xB5\xE7\xBB\xB0\r\n"
                                        "\xD5\xC5\xC8\xFD,\"1,38\"\r\n";
    struct textenc_result res;
    struct csv_reader r;
    struct csv_record rec;

    (void)state;
    assert_int_equal(
        textenc_decode(a, STR_LIT(file), TEXTENC_AUTO, BIG, &res, NULL),
        APP_OK);
    assert_int_equal(res.enc, TEXTENC_GBK);
    assert_int_equal(csv_reader_init(&r, a, res.text, 0, NULL), APP_OK);
    assert_int_equal(csv_next(&r, &rec), APP_OK);
    assert_int_equal(rec.n, 2);
    assert_string_equal(rec.fields[0].p, KEHU_UTF8);
    assert_string_equal(rec.fields[1].p, "\xE7\x94\xB5\xE8\xAF\x9D");
    assert_int_equal(csv_next(&r, &rec), APP_OK);
    assert_int_equal(rec.n, 2);
    assert_string_equal(rec.fields[0].p, "\xE5\xBC\xA0\xE4\xB8\x89");
    assert_string_equal(rec.fields[1].p, "1,38");
    assert_int_equal(rec.line, 2);
    assert_int_equal(csv_next(&r, &rec), APP_OK);
    assert_int_equal(rec.n, 0);
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),         cmocka_unit_test(test_messages),
        cmocka_unit_test(test_ownership),      cmocka_unit_test(test_growth),
        cmocka_unit_test(test_alloc_failures), cmocka_unit_test(test_names),
        cmocka_unit_test(test_gbk_csv),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
