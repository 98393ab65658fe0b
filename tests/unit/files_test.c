/*
 * files_test.c -- the one shortening of file names: at most 255
 * characters when stored, at most 500 bytes in a download's header, cut
 * after whole UTF-8 characters, the extension kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "base/arena.h"
#include "sales/files.h"
#include "http/parse.h"
#include "base/validate.h"

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

/* The byte budget of a download's Content-Disposition: whole characters
 * (one, three or four bytes) and the extension kept, at the boundary. */
static void
test_fit_names_in_bytes(void **state)
{
    struct {
        const char *in;
        size_t max_chars, max_bytes;
        const char *want;
    } rows[7];
    struct arena *a = arena_new(4096, 1 << 20);
    size_t i;

    (void)state;
    /* 255 three-byte characters: 165 of them and ".png" is 499 bytes, one
     * more would be 502 */
    rows[0].in = repeat("证", 251, ".png");
    rows[0].max_chars = 255, rows[0].max_bytes = 500;
    rows[0].want = repeat("证", 165, ".png");
    /* four-byte characters filling the budget exactly */
    rows[1].in = repeat("\xF0\x9F\x98\x80", 200, ".pdf");
    rows[1].max_chars = 255, rows[1].max_bytes = 500;
    rows[1].want = repeat("\xF0\x9F\x98\x80", 124, ".pdf");
    /* ASCII: the character limit comes first */
    rows[2].in = repeat("a", 600, ".txt");
    rows[2].max_chars = 255, rows[2].max_bytes = 500;
    rows[2].want = repeat("a", 251, ".txt");
    /* a character that would straddle the byte limit is left out */
    rows[3].in = repeat("a", 1, repeat("证", 10, ""));
    rows[3].max_chars = 255, rows[3].max_bytes = 5;
    rows[3].want = repeat("a", 1, "证");
    /* an extension that does not fit the bytes is not kept */
    rows[4].in = "abcdef.jpeg";
    rows[4].max_chars = 255, rows[4].max_bytes = 4;
    rows[4].want = "abcd";
    /* no extension, three-byte characters */
    rows[5].in = repeat("医", 300, "");
    rows[5].max_chars = 255, rows[5].max_bytes = 500;
    rows[5].want = repeat("医", 166, "");
    /* fits both limits: unchanged */
    rows[6].in = "回执 1.png";
    rows[6].max_chars = 255, rows[6].max_bytes = 500;
    rows[6].want = "回执 1.png";
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const char *got =
            files_fit_name(a, rows[i].in, rows[i].max_chars, rows[i].max_bytes);

        assert_non_null(got);
        if (strlen(got) > rows[i].max_bytes || !utf8_valid(got, strlen(got)) ||
            strcmp(got, rows[i].want) != 0)
            fail_msg("row %zu: got %zu bytes, want %zu", i, strlen(got),
                     strlen(rows[i].want));
    }
    arena_free(a);
}

/* files_hash_upload: the SHA-256 the store keys bytes by, for a missing
 * file (APP_EIO, empty output), an empty one, and bytes spanning more
 * than one read. */
static void
test_hash_upload(void **state)
{
    static char big[200000];
    struct {
        const char *data; /* NULL: no file at all */
        size_t len;
        enum app_err want_rc;
        const char *want;
    } rows[4];
    char path[] = "/tmp/files_test_XXXXXX", out[FILES_SHA_HEX];
    size_t i;

    (void)state;
    memset(big, 'a', sizeof(big));
    rows[0].data = NULL, rows[0].len = 0, rows[0].want_rc = APP_EIO;
    rows[0].want = "";
    rows[1].data = "", rows[1].len = 0, rows[1].want_rc = APP_OK;
    rows[1].want =
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    rows[2].data = "abc", rows[2].len = 3, rows[2].want_rc = APP_OK;
    rows[2].want =
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    rows[3].data = big, rows[3].len = sizeof(big), rows[3].want_rc = APP_OK;
    rows[3].want =
        "BIG"; /* compared with the hash of the same bytes in memory below */
    for (i = 0; i < 4; i++) {
        struct upload u;
        enum app_err rc;
        int fd = -1;

        memset(&u, 0, sizeof(u));
        u.path = rows[i].data != NULL ? path : "/nonexistent/files_test";
        if (rows[i].data != NULL) {
            memcpy(path, "/tmp/files_test_XXXXXX", sizeof(path));
            fd = mkstemp(path);
            assert_true(fd >= 0);
            assert_int_equal(write(fd, rows[i].data, rows[i].len),
                             (ssize_t)rows[i].len);
            close(fd);
            u.path = path;
        }
        rc = files_hash_upload(&u, out);
        if (fd >= 0)
            unlink(path);
        assert_int_equal(rc, rows[i].want_rc);
        if (strcmp(rows[i].want, "BIG") == 0) {
            unsigned char d[crypto_hash_sha256_BYTES];
            char hex[FILES_SHA_HEX];

            crypto_hash_sha256(d, (const unsigned char *)big, sizeof(big));
            sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
            assert_string_equal(out, hex);
        } else {
            assert_string_equal(out, rows[i].want);
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_names),
        cmocka_unit_test(test_fit_names_in_bytes),
        cmocka_unit_test(test_hash_upload),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
