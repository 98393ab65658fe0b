/*
 * tar_test.c -- the ustar writer (base/tar.h): headers, padding, limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/tar.h"

struct row {
    size_t name_len; /* a name of this many 'a's */
    uint64_t size;
    enum app_err want;
};

static const struct row rows[] = {
    /* refused first */
    { 0, 0, APP_EINVAL },
    { TAR_NAME_MAX + 1, 0, APP_EINVAL },
    { 5, 077777777777ull + 1, APP_EINVAL }, /* 8 GiB: the field is full */
    /* accepted */
    { 1, 0, APP_OK },
    { TAR_NAME_MAX, 1, APP_OK },
    { 5, 077777777777ull, APP_OK },
};

/* The header's checksum field against the sum of its bytes. */
static unsigned
stored_sum(const unsigned char *h)
{
    char field[9];
    unsigned v = 0;
    size_t i;

    memcpy(field, h + 148, 8);
    field[8] = '\0';
    for (i = 0; i < 6; i++)
        v = v * 8u + (unsigned)(field[i] - '0');
    return v;
}

static unsigned
real_sum(const unsigned char *h)
{
    unsigned s = 0;
    size_t i;

    for (i = 0; i < 512; i++)
        s += (i >= 148 && i < 156) ? ' ' : h[i];
    return s;
}

static void
test_headers(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char name[TAR_NAME_MAX + 2];
        unsigned char h[512];
        FILE *f = tmpfile();
        enum app_err rc;

        assert_non_null(f);
        memset(name, 'a', rows[i].name_len);
        name[rows[i].name_len] = '\0';
        rc = tar_header(f, name, rows[i].size, 1700000000);
        if (rc != rows[i].want)
            fail_msg("row %zu: got %d, want %d", i, rc, rows[i].want);
        if (rc == APP_OK) {
            rewind(f);
            assert_int_equal(fread(h, 1, 512, f), 512);
            assert_memory_equal(h, name, rows[i].name_len);
            assert_memory_equal(h + 257, "ustar", 6);
            assert_int_equal(h[156], '0');
            assert_int_equal(stored_sum(h), real_sum(h));
        } else {
            assert_int_equal(ftell(f), 0);
        }
        fclose(f);
    }
}

/* An entry is padded to a whole block; the end is two zero blocks. */
static void
test_entry_and_end(void **state)
{
    FILE *src = tmpfile(), *out = tmpfile();
    unsigned char buf[2048];

    (void)state;
    assert_non_null(src);
    assert_non_null(out);
    fputs("hello", src);
    rewind(src);
    assert_int_equal(tar_add_stream(out, "x", src, 5, 0), APP_OK);
    assert_int_equal(tar_finish(out), APP_OK);
    assert_int_equal(ftell(out), 512 + 512 + 1024);
    rewind(out);
    assert_int_equal(fread(buf, 1, sizeof(buf), out), 2048);
    assert_memory_equal(buf + 512, "hello", 5);
    for (size_t i = 517; i < 2048; i++)
        assert_int_equal(buf[i], 0);
    /* A source shorter than its declared size is an error. */
    rewind(src);
    assert_int_equal(tar_add_stream(out, "y", src, 6, 0), APP_EIO);
    assert_int_equal(tar_add_path(out, "z", "/nonexistent/file", 0),
                     APP_ENOTFOUND);
    fclose(src);
    fclose(out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_entry_and_end),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
