/*
 * wire_test.c -- the one implementation of each wire encoding: percent
 * decoding and encoding, HTTP tokens and quoted strings (strict and as
 * browsers write them), LIKE patterns, token charsets.  Malformed rows
 * first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/wire.h"

struct pct_row {
    const char *in;
    bool plus_space;
    const char *want; /* NULL: malformed */
    size_t want_len;  /* decoded length (NUL bytes count) */
};

static const struct pct_row pct_rows[] = {
    { "%", false, NULL, 0 },
    { "%4", false, NULL, 0 },
    { "%G1", false, NULL, 0 },
    { "%1g", false, NULL, 0 },
    { "abc%", false, NULL, 0 },
    { "%%41", false, NULL, 0 },
    { "", false, "", 0 },
    { "abc", false, "abc", 3 },
    { "a+b", false, "a+b", 3 },
    { "a+b", true, "a b", 3 },
    { "%41%42%43", false, "ABC", 3 },
    { "%e4%B8%AD", false, "\xe4\xb8\xad", 3 },
    { "%2B", true, "+", 1 },
    { "%00x", false, "\0x", 2 },
    { "%ff", false, "\xff", 1 },
    { "100%25", false, "100%", 4 },
};

static void
test_pct_decode(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(pct_rows) / sizeof(pct_rows[0]); i++) {
        const struct pct_row *r = &pct_rows[i];
        struct str in = str_c(r->in);
        size_t n = 12345, got;
        char out[64];
        bool ok = wire_pct_valid(in, &n);

        if (ok != (r->want != NULL))
            fail_msg("row %zu: '%s' valid=%d", i, r->in, ok);
        if (!ok)
            continue;
        if (n != r->want_len)
            fail_msg("row %zu: '%s' measured %zu", i, r->in, n);
        got = wire_pct_decode(in, r->plus_space, out);
        if (got != r->want_len || memcmp(out, r->want, got) != 0 ||
            out[got] != '\0')
            fail_msg("row %zu: '%s' decoded wrong", i, r->in);
    }
}

static void
test_pct_encode(void **state)
{
    static const struct {
        const char *in;
        size_t len;
        const char *want;
    } rows[] = {
        { "", 0, "" },
        { "AZaz09-._~", 10, "AZaz09-._~" },
        { "a b&c=d/e?f#g", 13, "a%20b%26c%3Dd%2Fe%3Ff%23g" },
        { "\"\r\n'", 4, "%22%0D%0A%27" },
        { "\xe4\xb8\xad", 3, "%E4%B8%AD" },
        { "\0\xff", 2, "%00%FF" },
    };
    struct arena *a = arena_new(4096, 1 << 20);
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct buf b;
        char back[64];
        size_t n;

        buf_init(&b, a, 1024);
        assert_int_equal(wire_pct_encode(&b, rows[i].in, rows[i].len), APP_OK);
        assert_int_equal(buf_putc(&b, '\0'), APP_OK);
        assert_string_equal(b.p, rows[i].want);
        /* and back */
        assert_true(wire_pct_valid(str_c(b.p), &n));
        assert_int_equal(n, rows[i].len);
        assert_int_equal(wire_pct_decode(str_c(b.p), false, back), rows[i].len);
        assert_memory_equal(back, rows[i].in, rows[i].len);
    }
    /* A buffer at its maximum refuses, it does not truncate silently. */
    {
        struct buf b;

        buf_init(&b, a, 4);
        assert_int_equal(wire_pct_encode(&b, "a b", 3), APP_ETOOBIG);
    }
    arena_free(a);
}

static void
test_tokens(void **state)
{
    static const char tchars[] =
        "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz"
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static const char not_tchars[] = "\"(),/:;<=>?@[\\]{} \t\x7f\x80\xff";
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(tchars) - 1; i++)
        assert_true(wire_tchar(tchars[i]));
    for (i = 0; i < sizeof(not_tchars) - 1; i++)
        assert_false(wire_tchar(not_tchars[i]));
    assert_false(wire_tchar('\0'));
    assert_int_equal(wire_token_len(str_c("form-data; name"), 0), 9);
    assert_int_equal(wire_token_len(str_c("form-data; name"), 9), 0);
    assert_int_equal(wire_token_len(str_c("abc"), 3), 0);
    assert_int_equal(wire_skip_ows(str_c(" \t x"), 0), 3);
    assert_int_equal(wire_skip_ows(str_c("   "), 0), 3);
    assert_int_equal(wire_skip_ows(str_c("x "), 0), 0);
}

struct quoted_row {
    const char *in;
    enum wire_quoting how;
    enum app_err want_rc;
    const char *want;  /* unquoted */
    size_t want_after; /* *i after the call */
};

static const struct quoted_row quoted_rows[] = {
    /* malformed */
    { "", WIRE_QUOTED_STRICT, APP_EINVAL, NULL, 0 },
    { "abc", WIRE_QUOTED_STRICT, APP_EINVAL, NULL, 0 },
    { "\"abc", WIRE_QUOTED_STRICT, APP_EINVAL, NULL, 0 },
    { "\"abc", WIRE_QUOTED_BROWSER, APP_EINVAL, NULL, 0 },
    { "\"ab\\\"", WIRE_QUOTED_STRICT, APP_EINVAL, NULL, 0 },
    { "\"ab\\\"", WIRE_QUOTED_BROWSER, APP_EINVAL, NULL, 0 },
    { "\"a\x01z\"", WIRE_QUOTED_STRICT, APP_EINVAL, NULL, 0 },
    { "\"a\x7fz\"", WIRE_QUOTED_STRICT, APP_EINVAL, NULL, 0 },
    { "\"a\\\x01\"", WIRE_QUOTED_STRICT, APP_EINVAL, NULL, 0 },
    { "\"a\\", WIRE_QUOTED_STRICT, APP_EINVAL, NULL, 0 },
    /* well formed */
    { "\"\"", WIRE_QUOTED_STRICT, APP_OK, "", 2 },
    { "\"abc\"; x", WIRE_QUOTED_STRICT, APP_OK, "abc", 5 },
    { "\"a\\\"b\"", WIRE_QUOTED_STRICT, APP_OK, "a\"b", 6 },
    { "\"a\\zb\"", WIRE_QUOTED_STRICT, APP_OK, "azb", 6 },
    { "\"tab\there\"", WIRE_QUOTED_STRICT, APP_OK, "tab\there", 10 },
    { "\"\xe4\xb8\xad\"", WIRE_QUOTED_STRICT, APP_OK, "\xe4\xb8\xad", 5 },
    /* browsers: a backslash escapes only " and \ */
    { "\"C:\\dir\\f.png\"", WIRE_QUOTED_BROWSER, APP_OK, "C:\\dir\\f.png", 14 },
    { "\"a\\\"b\"", WIRE_QUOTED_BROWSER, APP_OK, "a\"b", 6 },
    { "\"a\\\\\"", WIRE_QUOTED_BROWSER, APP_OK, "a\\", 5 },
    { "\"a\x01z\"", WIRE_QUOTED_BROWSER, APP_OK, "a\x01z", 5 },
};

static void
test_quoted(void **state)
{
    struct arena *a = arena_new(4096, 1 << 20);
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(quoted_rows) / sizeof(quoted_rows[0]); i++) {
        const struct quoted_row *r = &quoted_rows[i];
        size_t at = 0;
        struct str out = STR_NULL;
        enum app_err rc = wire_quoted(a, str_c(r->in), &at, r->how, &out);

        if (rc != r->want_rc)
            fail_msg("row %zu: rc %d", i, rc);
        if (rc != APP_OK) {
            if (at != 0)
                fail_msg("row %zu: moved on a failure", i);
            continue;
        }
        if (at != r->want_after || out.len != strlen(r->want) ||
            memcmp(out.p, r->want, out.len) != 0 || out.p[out.len] != '\0')
            fail_msg("row %zu: got '%.*s' ending at %zu", i, (int)out.len,
                     out.p, at);
        /* Without out, the same answer and position. */
        at = 0;
        assert_int_equal(wire_quoted(a, str_c(r->in), &at, r->how, NULL),
                         APP_OK);
        assert_int_equal(at, r->want_after);
    }
    arena_free(a);
}

static void
test_like_contains(void **state)
{
    static const struct {
        const char *in, *want;
    } rows[] = {
        { "", "%%" },
        { "abc", "%abc%" },
        { "50%", "%50\\%%" },
        { "a_b", "%a\\_b%" },
        { "c:\\x", "%c:\\\\x%" },
        { "%_\\", "%\\%\\_\\\\%" },
        { "医院", "%医院%" },
    };
    struct arena *a = arena_new(4096, 1 << 20);
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        assert_string_equal(wire_like_contains(a, str_c(rows[i].in)),
                            rows[i].want);
    arena_free(a);
}

static void
test_b64url_token(void **state)
{
    (void)state;
    assert_true(wire_b64url_token("AZaz09-_", 8, 8));
    assert_false(wire_b64url_token("AZaz09-_", 8, 9));
    assert_false(wire_b64url_token("AZaz09-", 7, 8));
    assert_false(wire_b64url_token(NULL, 0, 0));
    assert_false(wire_b64url_token("AZaz09+/", 8, 8));
    assert_false(wire_b64url_token("AZaz09-=", 8, 8));
    assert_false(wire_b64url_token("AZa\0z09-", 8, 8));
    assert_false(wire_b64url_token("AZaz09-\xff", 8, 8));
    assert_true(wire_b64url_token("", 0, 0));
}

static void
test_local_path(void **state)
{
    static char longest[WIRE_LOCAL_PATH_MAX + 2];
    static const struct {
        const char *path;
        bool ok;
    } t[] = {
        { "", false },
        { "//evil", false },
        { "/\\evil", false },
        { "http://x/", false },
        { "javascript:", false },
        { "/a b", false },
        { "/a\r\nb", false },
        { "/a\tb", false },
        { "/a\x7f", false },
        { "/a\\b", false },
        { "/", true },
        { "/login?x=1", true },
        { "/customers/1", true },
        { "/a/%2F/b", true },
        { "/中文", true },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        if (wire_local_path(t[i].path, strlen(t[i].path)) != t[i].ok)
            fail_msg("'%s' should be %s", t[i].path,
                     t[i].ok ? "accepted" : "refused");
    }
    memset(longest, 'a', sizeof(longest) - 1);
    longest[0] = '/';
    assert_true(wire_local_path(longest, WIRE_LOCAL_PATH_MAX));
    assert_false(wire_local_path(longest, WIRE_LOCAL_PATH_MAX + 1));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pct_decode),
        cmocka_unit_test(test_pct_encode),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_quoted),
        cmocka_unit_test(test_like_contains),
        cmocka_unit_test(test_b64url_token),
        cmocka_unit_test(test_local_path),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
