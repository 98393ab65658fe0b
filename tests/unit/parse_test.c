/*
 * parse_test.c -- table-driven tests of parse.c (STYLE §17): urlencoded
 * bodies and query strings, cookies, Content-Type, JSON, UTF-8 and kvlist.
 * In every table the malformed and boundary rows come first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* A step of setting up a test that must not fail. */
#define MUST_OK(expr) assert_int_equal((expr), APP_OK)

#include "base/arena.h"
#include "base/buf.h"
#include "http/parse.h"

#define S(x)                                                                   \
    {                                                                          \
        (x), sizeof(x) - 1                                                     \
    }
#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

static struct arena *
new_arena(void)
{
    struct arena *a = arena_new(4096, 8u << 20);

    assert_non_null(a);
    return a;
}

/* "[k]=[v]" for every pair, in order; the caller frees with buf_free. */
static void
dump_kv(const struct kvlist *l, struct buf *b)
{
    size_t i;

    buf_init(b, NULL, 1u << 20);
    MUST_OK(buf_append(b, "", 0));
    for (i = 0; i < l->n; i++) {
        /* Decoded strings are NUL-terminated in the arena. */
        assert_int_equal(l->v[i].key.p[l->v[i].key.len], '\0');
        assert_int_equal(l->v[i].val.p[l->v[i].val.len], '\0');
        MUST_OK(buf_putc(b, '['));
        MUST_OK(buf_put_str(b, l->v[i].key));
        MUST_OK(buf_append(b, "]=[", 3));
        MUST_OK(buf_put_str(b, l->v[i].val));
        MUST_OK(buf_putc(b, ']'));
    }
}

static void
check_result(const char *what, enum app_err rc, const char *detail,
             enum app_err want_rc, const char *want_detail)
{
    if (rc != want_rc)
        fail_msg("%s: rc %d (%s), want %d (%s)", what, rc,
                 detail != NULL ? detail : "-", want_rc,
                 want_detail != NULL ? want_detail : "-");
    if (want_rc != APP_OK && (detail == NULL || want_detail == NULL ||
                              strcmp(detail, want_detail) != 0))
        fail_msg("%s: detail %s, want %s", what, detail ? detail : "(null)",
                 want_detail ? want_detail : "(null)");
}

static void
check_dump(const char *what, const struct kvlist *l, const char *want)
{
    struct buf b;

    dump_kv(l, &b);
    if (strcmp(b.p, want) != 0)
        fail_msg("%s: got %s, want %s", what, b.p, want);
    buf_free(&b);
}

/* --- utf8_valid ----------------------------------------------------------
 */

struct utf8_row {
    const char *what;
    struct str in;
    int valid;
};

static const struct utf8_row utf8_rows[] = {
    { "lone continuation", S("\x80"), 0 },
    { "overlong 2-byte C0", S("\xC0\x80"), 0 },
    { "overlong 2-byte C1", S("\xC1\xBF"), 0 },
    { "overlong 3-byte", S("\xE0\x9F\xBF"), 0 },
    { "overlong 4-byte", S("\xF0\x8F\xBF\xBF"), 0 },
    { "surrogate D800", S("\xED\xA0\x80"), 0 },
    { "surrogate DFFF", S("\xED\xBF\xBF"), 0 },
    { "past U+10FFFF", S("\xF4\x90\x80\x80"), 0 },
    { "F5 lead", S("\xF5\x80\x80\x80"), 0 },
    { "FE", S("\xFE"), 0 },
    { "FF", S("\xFF"), 0 },
    { "truncated 2-byte", S("a\xC3"), 0 },
    { "truncated 3-byte", S("\xE4\xB8"), 0 },
    { "truncated 4-byte", S("\xF0\x9F\x98"), 0 },
    { "bad continuation", S("\xE4\x41\xAD"), 0 },
    { "bad 3rd continuation", S("\xE4\xB8\x41"), 0 },
    { "bad 4th continuation", S("\xF0\x9F\x98\x41"), 0 },
    { "empty", S(""), 1 },
    { "NUL is valid UTF-8", S("a\0b"), 1 },
    { "ascii", S("hello"), 1 },
    { "U+0080", S("\xC2\x80"), 1 },
    { "U+07FF", S("\xDF\xBF"), 1 },
    { "U+0800", S("\xE0\xA0\x80"), 1 },
    { "U+D7FF", S("\xED\x9F\xBF"), 1 },
    { "U+E000", S("\xEE\x80\x80"), 1 },
    { "U+FFFF", S("\xEF\xBF\xBF"), 1 },
    { "U+10000", S("\xF0\x90\x80\x80"), 1 },
    { "U+10FFFF", S("\xF4\x8F\xBF\xBF"), 1 },
    { "mixed", S("a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80z"), 1 },
};

static void
test_utf8(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(utf8_rows); i++) {
        const struct utf8_row *r = &utf8_rows[i];

        if (utf8_valid(r->in.p, r->in.len) != r->valid)
            fail_msg("%s: want %d", r->what, r->valid);
    }
    /* Never reads past n: a valid lead byte just before the end. */
    assert_false(utf8_valid("\xC3\xA9", 1));
    assert_true(utf8_valid("ab\xFF", 2));
}

/* --- kvlist --------------------------------------------------------------
 */

static void
test_kv(void **state)
{
    struct arena *a = new_arena();
    struct kvlist l = { 0 };
    char *names[100];
    size_t i;

    (void)state;
    for (i = 0; i < 100; i++) {
        names[i] = arena_printf(a, "k%zu", i % 50);
        assert_int_equal(
            kv_add(a, &l, str_c(names[i]), str_c(arena_printf(a, "%zu", i))),
            APP_OK);
    }
    assert_int_equal(l.n, 100);
    assert_true(l.cap >= 100);
    /* The first pair with the name wins. */
    assert_string_equal(kv_get(&l, "k7")->p, "7");
    assert_string_equal(kv_get(&l, "k49")->p, "49");
    assert_null(kv_get(&l, "k50"));
    assert_null(kv_get(&l, "k"));
    assert_null(kv_get(&l, ""));
    assert_null(kv_get(NULL, "k1"));

    /* Growth that fails leaves the list usable. */
    arena_reset(a);
    memset(&l, 0, sizeof(l));
    for (i = 0; i < 8; i++)
        assert_int_equal(kv_add(a, &l, STR_LIT("x"), STR_LIT("y")), APP_OK);
    arena_fail_after(a, 1);
    assert_int_equal(kv_add(a, &l, STR_LIT("z"), STR_LIT("z")), APP_ENOMEM);
    assert_int_equal(l.n, 8);
    assert_string_equal(kv_get(&l, "x")->p, "y");
    assert_int_equal(kv_add(a, &l, STR_LIT("z"), STR_LIT("w")), APP_OK);
    assert_string_equal(kv_get(&l, "z")->p, "w");
    arena_free(a);
}

/* --- urlencoded ----------------------------------------------------------
 */

struct url_row {
    const char *what;
    struct str in;
    size_t max_fields, max_field;
    enum app_err rc;
    const char *detail;
    const char *want;
};

static const struct url_row url_rows[] = {
    /* malformed escapes */
    { "lone %", S("%"), 8, 64, APP_EINVAL, "parse.bad_escape", NULL },
    { "% at end", S("a=%"), 8, 64, APP_EINVAL, "parse.bad_escape", NULL },
    { "% one digit", S("a=%4"), 8, 64, APP_EINVAL, "parse.bad_escape", NULL },
    { "% one digit mid", S("a=%4&b=1"), 8, 64, APP_EINVAL, "parse.bad_escape",
      NULL },
    { "% bad second", S("a=%4G"), 8, 64, APP_EINVAL, "parse.bad_escape", NULL },
    { "% bad first", S("a=%G4"), 8, 64, APP_EINVAL, "parse.bad_escape", NULL },
    { "%%", S("a=%%41"), 8, 64, APP_EINVAL, "parse.bad_escape", NULL },
    { "% in key", S("%zz=1"), 8, 64, APP_EINVAL, "parse.bad_escape", NULL },
    { "% then space", S("a=% 1"), 8, 64, APP_EINVAL, "parse.bad_escape", NULL },
    { "%u escape", S("a=%u0041"), 8, 64, APP_EINVAL, "parse.bad_escape", NULL },
    /* NUL */
    { "escaped NUL", S("a=%00"), 8, 64, APP_EINVAL, "parse.nul_byte", NULL },
    { "escaped NUL in key", S("a%00=1"), 8, 64, APP_EINVAL, "parse.nul_byte",
      NULL },
    { "raw NUL", S("a=x\0y"), 8, 64, APP_EINVAL, "parse.nul_byte", NULL },
    /* bad UTF-8 after decoding */
    { "overlong /", S("a=%C0%AF"), 8, 64, APP_EINVAL, "parse.bad_utf8", NULL },
    { "overlong NUL", S("a=%C0%80"), 8, 64, APP_EINVAL, "parse.bad_utf8",
      NULL },
    { "overlong 3-byte", S("a=%E0%80%AF"), 8, 64, APP_EINVAL, "parse.bad_utf8",
      NULL },
    { "surrogate", S("a=%ED%A0%80"), 8, 64, APP_EINVAL, "parse.bad_utf8",
      NULL },
    { "past 10FFFF", S("a=%F4%90%80%80"), 8, 64, APP_EINVAL, "parse.bad_utf8",
      NULL },
    { "truncated seq", S("a=%E4%B8"), 8, 64, APP_EINVAL, "parse.bad_utf8",
      NULL },
    { "lone continuation", S("a=%80"), 8, 64, APP_EINVAL, "parse.bad_utf8",
      NULL },
    { "raw FF", S("a=\xFF"), 8, 64, APP_EINVAL, "parse.bad_utf8", NULL },
    { "bad key", S("%FF=1"), 8, 64, APP_EINVAL, "parse.bad_utf8", NULL },
    { "split sequence across pairs", S("a=%E4&b=%B8%AD"), 8, 64, APP_EINVAL,
      "parse.bad_utf8", NULL },
    /* field count: at the limit, one past */
    { "fields at limit", S("a&b&c"), 3, 64, APP_OK, NULL,
      "[a]=[][b]=[][c]=[]" },
    { "fields one past", S("a&b&c&d"), 3, 64, APP_ETOOBIG,
      "parse.too_many_fields", NULL },
    { "empties not counted", S("&&a=1&&b=2&&c=3&&"), 3, 64, APP_OK, NULL,
      "[a]=[1][b]=[2][c]=[3]" },
    { "zero fields allowed, empty", S("&&&"), 0, 64, APP_OK, NULL, "" },
    { "zero fields allowed, one", S("a"), 0, 64, APP_ETOOBIG,
      "parse.too_many_fields", NULL },
    { "too many before bad escape", S("a&b&%"), 2, 64, APP_ETOOBIG,
      "parse.too_many_fields", NULL },
    /* field size: decoded bytes at the limit, one past */
    { "value at limit", S("a=abc"), 8, 3, APP_OK, NULL, "[a]=[abc]" },
    { "value one past", S("a=abcd"), 8, 3, APP_ETOOBIG, "parse.field_too_large",
      NULL },
    { "escaped value at limit", S("a=%41%42%43"), 8, 3, APP_OK, NULL,
      "[a]=[ABC]" },
    { "escaped value one past", S("a=%41%42%43%44"), 8, 3, APP_ETOOBIG,
      "parse.field_too_large", NULL },
    { "plus value at limit", S("a=+++"), 8, 3, APP_OK, NULL, "[a]=[   ]" },
    { "key at limit", S("abc=1"), 8, 3, APP_OK, NULL, "[abc]=[1]" },
    { "key one past", S("abcd=1"), 8, 3, APP_ETOOBIG, "parse.field_too_large",
      NULL },
    { "multibyte at limit", S("a=%E4%B8%AD"), 8, 3, APP_OK, NULL,
      "[a]=[\xE4\xB8\xAD]" },
    { "multibyte one past", S("a=%E4%B8%ADx"), 8, 3, APP_ETOOBIG,
      "parse.field_too_large", NULL },
    { "zero-size field, key too big", S("a="), 8, 0, APP_ETOOBIG,
      "parse.field_too_large", NULL },
    { "zero-size field, empty pair", S("="), 8, 0, APP_OK, NULL, "[]=[]" },
    /* well-formed */
    { "empty input", S(""), 8, 64, APP_OK, NULL, "" },
    { "only separators", S("&&"), 8, 64, APP_OK, NULL, "" },
    { "simple", S("a=1&b=2"), 8, 64, APP_OK, NULL, "[a]=[1][b]=[2]" },
    { "no =", S("a&b=2"), 8, 64, APP_OK, NULL, "[a]=[][b]=[2]" },
    { "empty value", S("a="), 8, 64, APP_OK, NULL, "[a]=[]" },
    { "empty key", S("=1"), 8, 64, APP_OK, NULL, "[]=[1]" },
    { "only =", S("="), 8, 64, APP_OK, NULL, "[]=[]" },
    { "= in value", S("a=1=2"), 8, 64, APP_OK, NULL, "[a]=[1=2]" },
    { "plus is space", S("a+b=c+d"), 8, 64, APP_OK, NULL, "[a b]=[c d]" },
    { "%2B is plus", S("a=%2B"), 8, 64, APP_OK, NULL, "[a]=[+]" },
    { "escaped & and =", S("a%26b=c%3Dd"), 8, 64, APP_OK, NULL, "[a&b]=[c=d]" },
    { "CJK", S("k=%E4%B8%AD+x"), 8, 64, APP_OK, NULL, "[k]=[\xE4\xB8\xAD x]" },
    { "lower-case hex", S("k=%e4%b8%ad"), 8, 64, APP_OK, NULL,
      "[k]=[\xE4\xB8\xAD]" },
    { "emoji", S("k=%F0%9F%98%80"), 8, 64, APP_OK, NULL,
      "[k]=[\xF0\x9F\x98\x80]" },
    { "U+10FFFF", S("k=%F4%8F%BF%BF"), 8, 64, APP_OK, NULL,
      "[k]=[\xF4\x8F\xBF\xBF]" },
    { "raw UTF-8", S("k=\xC3\xA9"), 8, 64, APP_OK, NULL, "[k]=[\xC3\xA9]" },
    { "duplicates kept", S("a=1&a=2"), 8, 64, APP_OK, NULL, "[a]=[1][a]=[2]" },
    { "semicolon is data", S("a=1;b=2"), 8, 64, APP_OK, NULL, "[a]=[1;b=2]" },
    { "control chars kept", S("a=%09%0A"), 8, 64, APP_OK, NULL, "[a]=[\t\n]" },
};

static void
test_urlencoded(void **state)
{
    struct arena *a = new_arena();
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(url_rows); i++) {
        const struct url_row *r = &url_rows[i];
        struct kvlist l = { 0 };
        const char *detail = NULL;
        enum app_err rc;

        rc = parse_urlencoded(a, r->in, r->max_fields, r->max_field, &l,
                              &detail);
        check_result(r->what, rc, detail, r->rc, r->detail);
        if (r->rc == APP_OK)
            check_dump(r->what, &l, r->want);
        arena_reset(a);
    }
    arena_free(a);
}

/* The parser must not read past in.len: the bytes after it are poison. */
static void
test_urlencoded_bounds(void **state)
{
    struct arena *a = new_arena();
    struct kvlist l = { 0 };
    const char *detail = NULL;
    static const char text[] = "a=1%41%";
    char *big;
    size_t i, n = 1000;

    (void)state;
    assert_int_equal(
        parse_urlencoded(a, (struct str){ text, 6 }, 8, 64, &l, &detail),
        APP_OK);
    check_dump("stops at len", &l, "[a]=[1A]");
    /* "%4" cut by len: the byte after it is never looked at. */
    memset(&l, 0, sizeof(l));
    assert_int_equal(
        parse_urlencoded(a, (struct str){ "a=%41", 4 }, 8, 64, &l, &detail),
        APP_EINVAL);
    assert_string_equal(detail, "parse.bad_escape");
    assert_int_equal(parse_urlencoded(a, STR_NULL, 8, 64, &l, &detail), APP_OK);

    /* n fields at the limit, then one more. */
    big = malloc(n * 4 + 8);
    assert_non_null(big);
    for (i = 0; i < n; i++)
        memcpy(big + i * 4, "a=1&", 4);
    memset(&l, 0, sizeof(l));
    assert_int_equal(
        parse_urlencoded(a, (struct str){ big, n * 4 - 1 }, n, 64, &l, &detail),
        APP_OK);
    assert_int_equal(l.n, n);
    memcpy(big + n * 4, "b=2", 3);
    memset(&l, 0, sizeof(l));
    assert_int_equal(
        parse_urlencoded(a, (struct str){ big, n * 4 + 3 }, n, 64, &l, &detail),
        APP_ETOOBIG);
    assert_string_equal(detail, "parse.too_many_fields");
    free(big);
    arena_free(a);
}

/* --- cookies -------------------------------------------------------------
 */

struct cookie_row {
    const char *what;
    struct str in;
    size_t max_cookies, max_bytes;
    enum app_err rc;
    const char *detail;
    const char *want;
};

static const struct cookie_row cookie_rows[] = {
    { "bytes at limit", S("a=1; b=2"), 8, 8, APP_OK, NULL, "[a]=[1][b]=[2]" },
    { "bytes one past", S("a=1; b=2"), 8, 7, APP_ETOOBIG,
      "parse.cookie_too_large", NULL },
    { "bytes one past, all junk", S("xxxxxxxx"), 8, 7, APP_ETOOBIG,
      "parse.cookie_too_large", NULL },
    { "count at limit", S("a=1; b=2; c=3"), 3, 64, APP_OK, NULL,
      "[a]=[1][b]=[2][c]=[3]" },
    { "count one past", S("a=1; b=2; c=3; d=4"), 3, 64, APP_ETOOBIG,
      "parse.too_many_cookies", NULL },
    { "skipped not counted", S("a=1; junk; =x; b=2"), 2, 64, APP_OK, NULL,
      "[a]=[1][b]=[2]" },
    { "zero allowed", S("a=1"), 0, 64, APP_ETOOBIG, "parse.too_many_cookies",
      NULL },
    { "zero allowed, nothing sent", S(" ; ;"), 0, 64, APP_OK, NULL, "" },
    /* malformed pieces are skipped, never fatal */
    { "no =", S("a; b=2"), 8, 64, APP_OK, NULL, "[b]=[2]" },
    { "empty name", S("=v; b=2"), 8, 64, APP_OK, NULL, "[b]=[2]" },
    { "blank name", S("  =v; b=2"), 8, 64, APP_OK, NULL, "[b]=[2]" },
    { "control byte skipped", S("a=\x01; b=2"), 8, 64, APP_OK, NULL,
      "[b]=[2]" },
    { "NUL skipped", S("a=x\0y; b=2"), 8, 64, APP_OK, NULL, "[b]=[2]" },
    { "CR LF skipped", S("a=x\r\nSet-Cookie: y; b=2"), 8, 64, APP_OK, NULL,
      "[b]=[2]" },
    { "DEL skipped", S("a=\x7F; b=2"), 8, 64, APP_OK, NULL, "[b]=[2]" },
    { "bad UTF-8 skipped", S("a=\xC0\xAF; b=2"), 8, 64, APP_OK, NULL,
      "[b]=[2]" },
    { "bad UTF-8 name skipped", S("\xFF=1; b=2"), 8, 64, APP_OK, NULL,
      "[b]=[2]" },
    /* well-formed and lenient */
    { "empty", S(""), 8, 64, APP_OK, NULL, "" },
    { "only separators", S(";;; ;"), 8, 64, APP_OK, NULL, "" },
    { "simple", S("a=1; b=2"), 8, 64, APP_OK, NULL, "[a]=[1][b]=[2]" },
    { "no space", S("a=1;b=2"), 8, 64, APP_OK, NULL, "[a]=[1][b]=[2]" },
    { "spaces and tabs trimmed", S(" \ta = 1 ;\tb=2\t "), 8, 64, APP_OK, NULL,
      "[a]=[1][b]=[2]" },
    { "trailing ;", S("a=1;"), 8, 64, APP_OK, NULL, "[a]=[1]" },
    { "quoted", S("a=\"q v\""), 8, 64, APP_OK, NULL, "[a]=[q v]" },
    { "empty quoted", S("a=\"\""), 8, 64, APP_OK, NULL, "[a]=[]" },
    { "lone quote kept", S("a=\""), 8, 64, APP_OK, NULL, "[a]=[\"]" },
    { "half quoted kept", S("a=\"x"), 8, 64, APP_OK, NULL, "[a]=[\"x]" },
    { "empty value", S("a="), 8, 64, APP_OK, NULL, "[a]=[]" },
    { "= in value", S("a=b=c"), 8, 64, APP_OK, NULL, "[a]=[b=c]" },
    { "no percent decoding", S("a=%41+b"), 8, 64, APP_OK, NULL, "[a]=[%41+b]" },
    { "UTF-8 value", S("a=\xC3\xA9"), 8, 64, APP_OK, NULL, "[a]=[\xC3\xA9]" },
    { "duplicates kept", S("s=1; s=2"), 8, 64, APP_OK, NULL, "[s]=[1][s]=[2]" },
};

static void
test_cookies(void **state)
{
    struct arena *a = new_arena();
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(cookie_rows); i++) {
        const struct cookie_row *r = &cookie_rows[i];
        struct kvlist l = { 0 };
        const char *detail = NULL;
        enum app_err rc;

        rc = parse_cookies(a, r->in, r->max_cookies, r->max_bytes, &l, &detail);
        check_result(r->what, rc, detail, r->rc, r->detail);
        if (r->rc == APP_OK)
            check_dump(r->what, &l, r->want);
        arena_reset(a);
    }
    /* Bounded by len, not by a NUL. */
    {
        struct kvlist l = { 0 };
        const char *detail = NULL;

        assert_int_equal(
            parse_cookies(a, (struct str){ "a=12345", 4 }, 8, 4, &l, &detail),
            APP_OK);
        check_dump("stops at len", &l, "[a]=[12]");
        assert_int_equal(parse_cookies(a, STR_NULL, 8, 4, &l, &detail), APP_OK);
    }
    arena_free(a);
}

/* --- Content-Type --------------------------------------------------------
 */

struct ct_row {
    const char *what;
    struct str in;
    enum app_err rc;
    const char *detail;
    const char *want; /* "media" then the dumped params */
};

#define P16                                                                    \
    "; a=1; b=2; c=3; d=4; e=5; f=6; g=7; h=8; i=9; j=10; k=11; l=12"          \
    "; m=13; n=14; o=15; p=16"

static const struct ct_row ct_rows[] = {
    { "empty", S(""), APP_EINVAL, "parse.bad_content_type", NULL },
    { "spaces", S("   "), APP_EINVAL, "parse.bad_content_type", NULL },
    { "no slash", S("text"), APP_EINVAL, "parse.bad_content_type", NULL },
    { "no subtype", S("text/"), APP_EINVAL, "parse.bad_content_type", NULL },
    { "no type", S("/html"), APP_EINVAL, "parse.bad_content_type", NULL },
    { "space in type", S("text /html"), APP_EINVAL, "parse.bad_content_type",
      NULL },
    { "space after slash", S("text/ html"), APP_EINVAL,
      "parse.bad_content_type", NULL },
    { "junk after type", S("text/html x"), APP_EINVAL, "parse.bad_content_type",
      NULL },
    { "two slashes", S("a/b/c"), APP_EINVAL, "parse.bad_content_type", NULL },
    { "param without =", S("text/html; charset"), APP_EINVAL,
      "parse.bad_content_type", NULL },
    { "param without value", S("text/html; charset="), APP_EINVAL,
      "parse.bad_content_type", NULL },
    { "param without name", S("text/html; =utf-8"), APP_EINVAL,
      "parse.bad_content_type", NULL },
    { "space before =", S("text/html; charset =utf-8"), APP_EINVAL,
      "parse.bad_content_type", NULL },
    { "space after =", S("text/html; charset= utf-8"), APP_EINVAL,
      "parse.bad_content_type", NULL },
    { "junk after value", S("text/html; charset=utf-8 x"), APP_EINVAL,
      "parse.bad_content_type", NULL },
    { "junk after quoted", S("a/b; x=\"1\"2"), APP_EINVAL,
      "parse.bad_content_type", NULL },
    { "unterminated quote", S("a/b; boundary=\"abc"), APP_EINVAL,
      "parse.bad_content_type", NULL },
    { "escape at end", S("a/b; boundary=\"abc\\"), APP_EINVAL,
      "parse.bad_content_type", NULL },
    { "control in quoted", S("a/b; x=\"a\x01\""), APP_EINVAL,
      "parse.bad_content_type", NULL },
    { "escaped control", S("a/b; x=\"a\\\x01\""), APP_EINVAL,
      "parse.bad_content_type", NULL },
    { "NUL in quoted", S("a/b; x=\"a\0\""), APP_EINVAL,
      "parse.bad_content_type", NULL },
    { "bad UTF-8 in quoted", S("a/b; x=\"\xC0\xAF\""), APP_EINVAL,
      "parse.bad_content_type", NULL },
    { "duplicate param", S("multipart/form-data; boundary=a; boundary=b"),
      APP_EINVAL, "parse.bad_content_type", NULL },
    { "duplicate param, other case",
      S("multipart/form-data; boundary=a; BOUNDARY=b"), APP_EINVAL,
      "parse.bad_content_type", NULL },
    { "params at limit", S("a/b" P16), APP_OK, NULL,
      "a/b|[a]=[1][b]=[2][c]=[3][d]=[4][e]=[5][f]=[6][g]=[7][h]=[8][i]=[9]"
      "[j]=[10][k]=[11][l]=[12][m]=[13][n]=[14][o]=[15][p]=[16]" },
    { "params one past", S("a/b" P16 "; q=17"), APP_ETOOBIG,
      "parse.too_many_params", NULL },
    { "simple", S("text/html"), APP_OK, NULL, "text/html|" },
    { "lower-cased", S("Text/HTML; Charset=UTF-8"), APP_OK, NULL,
      "text/html|[charset]=[UTF-8]" },
    { "surrounding space", S(" \ttext/plain \t"), APP_OK, NULL, "text/plain|" },
    { "trailing ;", S("text/plain;"), APP_OK, NULL, "text/plain|" },
    { "empty params", S("text/plain; ;; a=b ;"), APP_OK, NULL,
      "text/plain|[a]=[b]" },
    { "no space", S("text/plain;a=b;c=d"), APP_OK, NULL,
      "text/plain|[a]=[b][c]=[d]" },
    { "multipart", S("multipart/form-data; boundary=----WebKit123"), APP_OK,
      NULL, "multipart/form-data|[boundary]=[----WebKit123]" },
    { "quoted", S("multipart/form-data; boundary=\"a b;c=d\""), APP_OK, NULL,
      "multipart/form-data|[boundary]=[a b;c=d]" },
    { "quoted escapes", S("a/b; x=\"q\\\"u\\\\o\\te\""), APP_OK, NULL,
      "a/b|[x]=[q\"u\\ote]" },
    { "empty quoted", S("a/b; x=\"\""), APP_OK, NULL, "a/b|[x]=[]" },
    { "UTF-8 quoted", S("a/b; x=\"\xC3\xA9\""), APP_OK, NULL,
      "a/b|[x]=[\xC3\xA9]" },
    { "tchars", S("application/vnd.a+json; v=1.0"), APP_OK, NULL,
      "application/vnd.a+json|[v]=[1.0]" },
    { "wildcard", S("*/*"), APP_OK, NULL, "*/*|" },
};

static void
test_content_type(void **state)
{
    struct arena *a = new_arena();
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(ct_rows); i++) {
        const struct ct_row *r = &ct_rows[i];
        struct kvlist l = { 0 };
        struct str mt = STR_NULL;
        const char *detail = NULL;
        enum app_err rc;

        rc = parse_content_type(a, r->in, &mt, &l, &detail);
        check_result(r->what, rc, detail, r->rc, r->detail);
        if (r->rc == APP_OK) {
            struct buf b;
            char *got;

            dump_kv(&l, &b);
            assert_int_equal(mt.p[mt.len], '\0');
            got = arena_printf(a, "%.*s|%s", (int)mt.len, mt.p, b.p);
            buf_free(&b);
            if (strcmp(got, r->want) != 0)
                fail_msg("%s: got %s, want %s", r->what, got, r->want);
        }
        arena_reset(a);
    }
    {
        struct kvlist l = { 0 };
        struct str mt;
        const char *detail = NULL;

        /* Bounded by len. */
        assert_int_equal(parse_content_type(a, (struct str){ "a/b; c=d", 3 },
                                            &mt, &l, &detail),
                         APP_OK);
        assert_string_equal(mt.p, "a/b");
        assert_int_equal(l.n, 0);
        assert_int_equal(parse_content_type(a,
                                            (struct str){ "a/b; c=\"d\"", 9 },
                                            &mt, &l, &detail),
                         APP_EINVAL);
        assert_int_equal(parse_content_type(a, STR_NULL, &mt, &l, &detail),
                         APP_EINVAL);
    }
    arena_free(a);
}

/* --- JSON ----------------------------------------------------------------
 */

struct json_row {
    const char *what;
    struct str in;
    size_t max_bytes, max_depth;
    enum app_err rc;
    const char *detail;
    const char *want; /* cJSON_PrintUnformatted of the result */
};

static const struct json_row json_rows[] = {
    { "empty", S(""), 64, 3, APP_EINVAL, "parse.json_malformed", NULL },
    { "whitespace only", S(" \n\t"), 64, 3, APP_EINVAL, "parse.json_malformed",
      NULL },
    { "unclosed", S("{"), 64, 3, APP_EINVAL, "parse.json_malformed", NULL },
    { "unclosed deep at limit", S("[[["), 64, 3, APP_EINVAL,
      "parse.json_malformed", NULL },
    { "close first", S("]"), 64, 3, APP_EINVAL, "parse.json_malformed", NULL },
    { "extra close", S("[]]"), 64, 3, APP_EINVAL, "parse.json_malformed",
      NULL },
    { "trailing comma", S("[1,]"), 64, 3, APP_EINVAL, "parse.json_malformed",
      NULL },
    { "trailing garbage", S("{}x"), 64, 3, APP_EINVAL, "parse.json_malformed",
      NULL },
    { "two values", S("1 2"), 64, 3, APP_EINVAL, "parse.json_malformed", NULL },
    { "two objects", S("{}{}"), 64, 3, APP_EINVAL, "parse.json_malformed",
      NULL },
    { "trailing NUL", S("{}\0"), 64, 3, APP_EINVAL, "parse.json_malformed",
      NULL },
    { "trailing form feed", S("{}\f"), 64, 3, APP_EINVAL,
      "parse.json_malformed", NULL },
    { "unterminated string", S("\"abc"), 64, 3, APP_EINVAL,
      "parse.json_malformed", NULL },
    { "backslash at end", S("\"abc\\"), 64, 3, APP_EINVAL,
      "parse.json_malformed", NULL },
    { "raw newline in string", S("\"a\nb\""), 64, 3, APP_EINVAL,
      "parse.json_malformed", NULL },
    { "raw NUL in string", S("\"a\0b\""), 64, 3, APP_EINVAL,
      "parse.json_malformed", NULL },
    { "raw tab in string", S("\"a\tb\""), 64, 3, APP_EINVAL,
      "parse.json_malformed", NULL },
    { "lone surrogate escape", S("\"\\ud800\""), 64, 3, APP_EINVAL,
      "parse.json_malformed", NULL },
    { "low surrogate first", S("\"\\udc00\\ud800\""), 64, 3, APP_EINVAL,
      "parse.json_malformed", NULL },
    { "escaped NUL", S("[\"a\\u0000b\"]"), 64, 3, APP_EINVAL, "parse.nul_byte",
      NULL },
    { "escaped NUL key", S("{\"\\u0000\":1}"), 64, 3, APP_EINVAL,
      "parse.nul_byte", NULL },
    { "bad UTF-8", S("[\"\xFF\"]"), 64, 3, APP_EINVAL, "parse.bad_utf8", NULL },
    { "overlong UTF-8", S("[\"\xC0\xAF\"]"), 64, 3, APP_EINVAL,
      "parse.bad_utf8", NULL },
    { "surrogate UTF-8", S("[\"\xED\xA0\x80\"]"), 64, 3, APP_EINVAL,
      "parse.bad_utf8", NULL },
    { "control byte between values", S("[1,\x01 2]"), 64, 3, APP_EINVAL,
      "parse.json_malformed", NULL },
    { "leading form feed", S("\f{}"), 64, 3, APP_EINVAL, "parse.json_malformed",
      NULL },
    { "NUL between values", S("[1,\0 2]"), 64, 3, APP_EINVAL,
      "parse.json_malformed", NULL },
    { "single quotes", S("{'a':1}"), 64, 3, APP_EINVAL, "parse.json_malformed",
      NULL },
    /* depth: at the limit, one past */
    { "arrays at depth", S("[[[1]]]"), 64, 3, APP_OK, NULL, "[[[1]]]" },
    { "arrays one past", S("[[[[1]]]]"), 64, 3, APP_ETOOBIG,
      "parse.json_too_deep", NULL },
    { "objects at depth", S("{\"a\":{\"b\":{\"c\":1}}}"), 64, 3, APP_OK, NULL,
      "{\"a\":{\"b\":{\"c\":1}}}" },
    { "objects one past", S("{\"a\":{\"b\":{\"c\":{}}}}"), 64, 3, APP_ETOOBIG,
      "parse.json_too_deep", NULL },
    { "mixed one past", S("[{\"a\":[{}]}]"), 64, 3, APP_ETOOBIG,
      "parse.json_too_deep", NULL },
    { "siblings do not add", S("[[1],[2],{\"a\":[3]}]"), 64, 3, APP_OK, NULL,
      "[[1],[2],{\"a\":[3]}]" },
    { "too deep though unclosed", S("[[[["), 64, 3, APP_ETOOBIG,
      "parse.json_too_deep", NULL },
    { "too deep inside malformed", S("[1,,[[[["), 64, 3, APP_ETOOBIG,
      "parse.json_too_deep", NULL },
    { "depth 0 scalar", S("1"), 64, 0, APP_OK, NULL, "1" },
    { "depth 0 array", S("[]"), 64, 0, APP_ETOOBIG, "parse.json_too_deep",
      NULL },
    { "brackets in strings", S("[\"[[[[{{{{\"]"), 64, 1, APP_OK, NULL,
      "[\"[[[[{{{{\"]" },
    { "escaped quote then brackets", S("[\"\\\"[[[[\"]"), 64, 1, APP_OK, NULL,
      "[\"\\\"[[[[\"]" },
    { "escaped backslash ends string", S("[\"\\\\\",[[1]]]"), 64, 2,
      APP_ETOOBIG, "parse.json_too_deep", NULL },
    { "closers in strings", S("[\"]]]]\"]"), 64, 1, APP_OK, NULL,
      "[\"]]]]\"]" },
    /* size: at the limit, one past */
    { "bytes at limit", S("[1,2]"), 5, 3, APP_OK, NULL, "[1,2]" },
    { "bytes one past", S("[1,2] "), 5, 3, APP_ETOOBIG, "parse.json_too_large",
      NULL },
    /* well-formed */
    { "null", S("null"), 64, 3, APP_OK, NULL, "null" },
    { "string", S("\"h\\u00e9\""), 64, 3, APP_OK, NULL, "\"h\xC3\xA9\"" },
    { "surrogate pair", S("\"\\ud83d\\ude00\""), 64, 3, APP_OK, NULL,
      "\"\xF0\x9F\x98\x80\"" },
    { "raw UTF-8", S("\"\xE4\xB8\xAD\""), 64, 3, APP_OK, NULL,
      "\"\xE4\xB8\xAD\"" },
    { "surrounding whitespace", S(" \r\n\t{} \r\n\t"), 64, 3, APP_OK, NULL,
      "{}" },
    { "object", S("{\"a\":[1,2,{\"b\":null}],\"c\":true}"), 64, 3, APP_OK, NULL,
      "{\"a\":[1,2,{\"b\":null}],\"c\":true}" },
    { "escaped \\u0000 lookalike", S("[\"\\\\u0000\"]"), 64, 3, APP_OK, NULL,
      "[\"\\\\u0000\"]" },
};

static void
test_json(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(json_rows); i++) {
        const struct json_row *r = &json_rows[i];
        const char *detail = NULL;
        cJSON dummy;
        cJSON *j = &dummy; /* must be reset to NULL on failure */
        enum app_err rc;

        rc = parse_json(r->in, r->max_bytes, r->max_depth, &j, &detail);
        check_result(r->what, rc, detail, r->rc, r->detail);
        if (r->rc != APP_OK) {
            assert_null(j);
            continue;
        }
        {
            char *out = cJSON_PrintUnformatted(j);

            assert_non_null(out);
            if (strcmp(out, r->want) != 0)
                fail_msg("%s: got %s, want %s", r->what, out, r->want);
            free(out);
        }
        cJSON_Delete(j);
    }
}

/* Hostile nesting is refused by the scan, whatever its size, and input is
 * read only up to len. */
static void
test_json_deep_and_bounds(void **state)
{
    const size_t n = 1u << 20;
    char *p = malloc(n * 2);
    const char *detail = NULL;
    cJSON *j = NULL;
    size_t d;

    (void)state;
    assert_non_null(p);
    memset(p, '[', n);
    memset(p + n, ']', n);
    assert_int_equal(
        parse_json((struct str){ p, 2 * n }, 2 * n, 64, &j, &detail),
        APP_ETOOBIG);
    assert_string_equal(detail, "parse.json_too_deep");
    assert_null(j);
    /* Exactly at a depth of 64, and one past. */
    for (d = 63; d <= 65; d++) {
        memset(p, '[', d);
        memset(p + d, ']', d);
        detail = NULL;
        j = NULL;
        if (d <= 64) {
            assert_int_equal(
                parse_json((struct str){ p, 2 * d }, 2 * n, 64, &j, &detail),
                APP_OK);
            assert_non_null(j);
            cJSON_Delete(j);
        } else {
            assert_int_equal(
                parse_json((struct str){ p, 2 * d }, 2 * n, 64, &j, &detail),
                APP_ETOOBIG);
            assert_string_equal(detail, "parse.json_too_deep");
        }
    }
    free(p);

    /* The bytes after len are never part of the document. */
    assert_int_equal(
        parse_json((struct str){ "[1]]]]", 3 }, 64, 3, &j, &detail), APP_OK);
    cJSON_Delete(j);
    assert_int_equal(
        parse_json((struct str){ "{\"a\":1}garbage", 7 }, 64, 3, &j, &detail),
        APP_OK);
    assert_int_equal(cJSON_GetObjectItem(j, "a")->valueint, 1);
    cJSON_Delete(j);
    assert_int_equal(
        parse_json((struct str){ "123456", 3 }, 64, 3, &j, &detail), APP_OK);
    assert_int_equal(j->valueint, 123);
    cJSON_Delete(j);
    assert_int_equal(
        parse_json((struct str){ "\"abc\"", 4 }, 64, 3, &j, &detail),
        APP_EINVAL);
    assert_int_equal(parse_json(STR_NULL, 64, 3, &j, &detail), APP_EINVAL);
}

/* --- allocation failures (STYLE §21) -------------------------------------
 */

/* Fail the 1st, 2nd, ... allocation until the call no longer allocates
 * that many times; every run must end in APP_OK or a clean APP_ENOMEM. */
static void
test_alloc_failures(void **state)
{
    struct arena *a = new_arena();
    unsigned n;
    int which;

    (void)state;
    for (which = 0; which < 3; which++) {
        unsigned failures = 0;

        for (n = 1; n < 1000; n++) {
            struct kvlist l = { 0 };
            struct str mt;
            const char *detail = NULL;
            enum app_err rc;

            arena_reset(a);
            arena_fail_after(a, n);
            if (which == 0)
                rc = parse_urlencoded(
                    a, STR_LIT("a=1&b=%E4%B8%AD&c&d=4&e=5&f=6&g=7&h=8&i=9&j"),
                    16, 64, &l, &detail);
            else if (which == 1)
                rc = parse_cookies(
                    a, STR_LIT("a=1; b=\"2\"; c=3; d=4; e=5; f=6; g=7; h=8; i"),
                    16, 256, &l, &detail);
            else
                rc = parse_content_type(
                    a,
                    STR_LIT("Multipart/Form-Data; boundary=\"x y\"; a=b; c=d"),
                    &mt, &l, &detail);
            arena_fail_after(a, 0);
            if (rc == APP_OK)
                break;
            assert_int_equal(rc, APP_ENOMEM);
            assert_string_equal(detail, "parse.no_memory");
            failures++;
        }
        assert_true(failures > 2);
        assert_true(n < 1000);
    }
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_kv),
        cmocka_unit_test(test_urlencoded),
        cmocka_unit_test(test_urlencoded_bounds),
        cmocka_unit_test(test_cookies),
        cmocka_unit_test(test_content_type),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_json_deep_and_bounds),
        cmocka_unit_test(test_alloc_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
