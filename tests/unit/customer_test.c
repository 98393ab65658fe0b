/*
 * customer_test.c -- the pure parts of the customer module: name folding
 * for duplicate checks and content sniffing of uploads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sales/customers.h"
#include "sales/files.h"

static void
test_name_key(void **state)
{
    static const struct {
        const char *in, *want;
    } rows[] = {
        { "北京协和医院", "北京协和医院" },
        { " 北京 协和 医院 ", "北京协和医院" },
        { "北京协和医院（东院）", "北京协和医院东院" },
        { "杭州仁和医疗器械有限公司", "杭州仁和医疗器械" },
        { "杭州仁和医疗器械股份有限公司", "杭州仁和医疗器械" },
        { "杭州仁和医疗器械公司", "杭州仁和医疗器械" },
        { "ACME Co., Ltd.", "acme" },
        { "Acme Inc", "acme" },
        { "ＡＢＣ１２３", "abc123" }, /* full-width forms */
        { "A-B_C%D", "abcd" },        /* punctuation, LIKE wildcards */
        { "上海·华辰", "上海华辰" },
        { "公司", "公司" }, /* a suffix alone stays */
        { "", "" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char out[CUSTOMER_KEY_MAX * 4 + 1];

        customers_name_key(str_c(rows[i].in), out, sizeof(out));
        if (strcmp(out, rows[i].want) != 0)
            fail_msg("'%s' -> '%s', want '%s'", rows[i].in, out, rows[i].want);
    }
}

static void
test_name_key_bounded(void **state)
{
    char big[4000], out[16];

    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    customers_name_key(str_c(big), out, sizeof(out));
    assert_int_equal(strlen(out), sizeof(out) - 1);
    /* A multi-byte character that does not fit is left out whole. */
    customers_name_key(str_c("一二三四五六"), out, 8);
    assert_string_equal(out, "一二");
}

static void
test_sniff(void **state)
{
    static const struct {
        const char *bytes;
        size_t n;
        const char *name, *want;
    } rows[] = {
        { "\xff\xd8\xff\xe0", 4, "a.jpg", "image/jpeg" },
        { "\x89PNG\r\n\x1a\n", 8, "x.bin", "image/png" },
        { "GIF89a", 6, NULL, "image/gif" },
        { "RIFF\0\0\0\0WEBP", 12, NULL, "image/webp" },
        { "\0\0\0\x18"
          "ftypheic",
          12, NULL, "image/heic" },
        { "%PDF-1.7", 8, "a.png", "application/pdf" },
        { "PK\x03\x04", 4, "q.docx",
          "application/vnd.openxmlformats-officedocument."
          "wordprocessingml.document" },
        { "PK\x03\x04", 4, "q.zip", "application/zip" },
        { "name,city\r\n", 11, "a.CSV", "text/csv" },
        { "hello\n", 6, "a.txt", "text/plain" },
        { "<svg onload=x>", 14, "a.svg", "text/plain" }, /* never an image */
        { "ID3\x04\0\0", 6, "a.jpg", "audio/mpeg" },
        { "\xff\xfb\x90\x64", 4, NULL, "audio/mpeg" },
        { "\xff\xf1\x50\x80", 4, "a.aac", "audio/aac" },
        { "\0\0\0\x20"
          "ftypM4A ",
          12, "memo.m4a", "audio/mp4" },
        { "\0\0\0\x18"
          "ftyp3gp4",
          12, NULL, "audio/mp4" },
        { "#!AMR\n<", 7, "voice.amr", "audio/amr" },
        { "RIFF\0\0\0\0WAVEfmt ", 16, NULL, "audio/wav" },
        { "OggS\0\2", 6, NULL, "audio/ogg" },
        { "\x1a\x45\xdf\xa3\x9f", 5, "rec.webm", "audio/webm" },
        { "\xff\xd9\x00", 3, "a.mp3", "application/octet-stream" },
        { "\x01\x02\x03", 3, "a.png", "application/octet-stream" },
        { "", 0, "a.png", "application/octet-stream" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const char *got = files_sniff((const unsigned char *)rows[i].bytes,
                                      rows[i].n, rows[i].name);

        if (strcmp(got, rows[i].want) != 0)
            fail_msg("row %zu: %s, want %s", i, got, rows[i].want);
    }
    assert_true(files_is_audio("audio/amr"));
    assert_false(files_is_audio("image/png"));
    assert_true(files_is_image("image/png"));
    assert_false(files_is_image("text/plain"));
    assert_false(files_is_image(NULL));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_key),
        cmocka_unit_test(test_name_key_bounded),
        cmocka_unit_test(test_sniff),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
