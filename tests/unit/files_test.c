/*
 * files_test.c -- the one shortening of stored file names: at most 255
 * characters, cut after whole UTF-8 characters, the extension kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "files.h"
#include "parse.h"
#include "validate.h"

/* n copies of unit, then tail, in a static buffer. */
static const char *
repeat(const char *unit, size_t n, const char *tail)
{
    static char buf[16][8192];
    static unsigned k;
    char *b = buf[k++ & 15];
    size_t i, len = 0;

    for (i = 0; i < n; i++) {
        memcpy(b + len, unit, strlen(unit));
        len += strlen(unit);
    }
    memcpy(b + len, tail, strlen(tail) + 1);
    return b;
}

static void
test_short_names(void **state)
{
    struct {
        const char *in;
        size_t want_chars; /* characters of the result */
        const char *want_ext;
        int same; /* returned unchanged */
    } rows[6];
    struct arena *a = arena_new(4096, 1 << 20);
    size_t i;

    (void)state;
    /* ASCII over the limit, with an extension */
    rows[0].in = repeat("a", 300, ".png");
    rows[0].want_chars = 255, rows[0].want_ext = ".png", rows[0].same = 0;
    /* three-byte characters: the cut never splits one */
    rows[1].in = repeat("照", 600, ".jpeg");
    rows[1].want_chars = 255, rows[1].want_ext = ".jpeg", rows[1].same = 0;
    /* no extension */
    rows[2].in = repeat("b", 400, "");
    rows[2].want_chars = 255, rows[2].want_ext = "b", rows[2].same = 0;
    /* an "extension" longer than 16 characters is not one */
    rows[3].in = repeat("c", 300, ".averyveryverylongextension");
    rows[3].want_chars = 255, rows[3].want_ext = "c", rows[3].same = 0;
    /* only an extension, long */
    rows[4].in = repeat("", 0, repeat(".", 1, repeat("d", 300, "")));
    rows[4].want_chars = 255, rows[4].want_ext = "d", rows[4].same = 0;
    /* exactly the limit, and mixed widths: unchanged */
    rows[5].in = repeat("医a", 127, "x");
    rows[5].want_chars = 255, rows[5].want_ext = "x", rows[5].same = 1;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const char *got = files_short_name(a, rows[i].in);
        size_t n = strlen(got), e = strlen(rows[i].want_ext);

        assert_non_null(got);
        if (!utf8_valid(got, n))
            fail_msg("row %zu: not whole characters", i);
        if (utf8_chars(got, n) != rows[i].want_chars)
            fail_msg("row %zu: %zu characters", i, utf8_chars(got, n));
        if (n < e || memcmp(got + n - e, rows[i].want_ext, e) != 0)
            fail_msg("row %zu: lost its end: ...%s", i, got + n - e);
        if ((got == rows[i].in) != rows[i].same)
            fail_msg("row %zu: copied=%d", i, got != rows[i].in);
        /* and the start is the name's own start */
        if (strncmp(got, rows[i].in, 3) != 0)
            fail_msg("row %zu: does not start like the name", i);
    }
    assert_string_equal(files_short_name(a, ""), "");
    assert_string_equal(files_short_name(a, "回执 1.png"), "回执 1.png");
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
