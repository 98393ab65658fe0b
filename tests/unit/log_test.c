/*
 * log_test.c -- log_q(): whatever bytes a request carries, the value it
 * gives the log is one quoted line of valid UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/log.h"
#include "http/parse.h"

static const struct {
    const char *in;
    const char *want;
} rows[] = {
    /* bytes that are not UTF-8 first */
    { "/\xff\xfe/x", "\"/\\xff\\xfe/x\"" },
    { "/a\xc0\xaf", "\"/a\\xc0\\xaf\"" },                 /* overlong '/' */
    { "/a\xe4\xb8", "\"/a\\xe4\\xb8\"" },                 /* cut character */
    { "/\xed\xa0\x80", "\"/\\xed\\xa0\\x80\"" },          /* a surrogate */
    { "/\xf4\x90\x80\x80", "\"/\\xf4\\x90\\x80\\x80\"" }, /* > U+10FFFF */
    /* controls, quotes, backslashes */
    { "a\nb\rc\td", "\"a\\x0ab\\x0dc\\x09d\"" },
    { "\x7f", "\"\\x7f\"" },
    { "say \"hi\" \\o/", "\"say \\\"hi\\\" \\\\o/\"" },
    /* what passes as it is */
    { "", "\"\"" },
    { "/customers/42?q=1", "\"/customers/42?q=1\"" },
    { "/客户/\xe4\xb8\xad", "\"/客户/中\"" },
    { "emoji \xf0\x9f\x98\x80", "\"emoji \xf0\x9f\x98\x80\"" },
};

static void
test_log_q_rows(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const char *got = log_q(rows[i].in);

        if (strcmp(got, rows[i].want) != 0)
            fail_msg("row %zu: got %s want %s", i, got, rows[i].want);
    }
}

/* Long values are cut between characters, marked with "...", and stay
 * valid UTF-8 however the bytes fall. */
static void
test_log_q_long(void **state)
{
    char in[1024];
    size_t i, k;

    (void)state;
    for (k = 0; k < 4; k++) {
        size_t n = 0;

        for (i = 0; i < k; i++)
            in[n++] = 'a';
        while (n + 3 < sizeof(in) - 1) {
            memcpy(in + n, "\xe4\xb8\xad", 3); /* 中 */
            n += 3;
        }
        in[n] = '\0';
        {
            const char *got = log_q(in);
            size_t len = strlen(got);

            assert_true(len < 256);
            assert_true(utf8_valid(got, len));
            assert_memory_equal(got + len - 4, "...\"", 4);
        }
    }
    /* Every byte value, alone: valid UTF-8, no raw control byte. */
    for (i = 1; i < 256; i++) {
        char one[2] = { (char)i, '\0' };
        const char *got = log_q(one);
        size_t j, len = strlen(got);

        assert_true(utf8_valid(got, len));
        for (j = 0; j < len; j++)
            assert_true((unsigned char)got[j] >= 0x20 &&
                        (unsigned char)got[j] != 0x7f);
    }
}

/* log_json_line(): the text format's key=value words as members of one
 * JSON object.  Every row starts with the same five members. */
#define J0                                                                     \
    "{\"ts\":\"T\",\"level\":\"info\",\"pid\":7,\"rid\":\"r1\","               \
    "\"event\":\"e\""

static const struct {
    const char *fields;
    const char *want;
} json_rows[] = {
    /* malformed and awkward input first */
    { "k=\"abc", J0 ",\"k\":\"\\\"abc\"}" },  /* no closing quote */
    { "k=\xff", J0 ",\"k\":\"\\\\xff\"}" },   /* not UTF-8 */
    { "k=a\tb", J0 ",\"k\":\"a\\u0009b\"}" }, /* raw control */
    { "=x", J0 ",\"msg\":\"=x\"}" },          /* no key */
    { "level=x pid=3", J0 ",\"level_\":\"x\",\"pid_\":3}" }, /* reserved */
    { "hello world k=v", J0 ",\"k\":\"v\",\"msg\":\"hello world\"}" },
    /* numbers stay numbers only when JSON reads the same number */
    { "a=1 b=-2.50 c=01 d=1. e=0 f=1e3",
      J0 ",\"a\":1,\"b\":-2.50,\"c\":\"01\",\"d\":\"1.\",\"e\":0,"
         "\"f\":\"1e3\"}" },
    /* log_q()'s quoted values: its escapes read back, \xNN kept as text */
    { "error=\"say \\\"hi\\\" \\\\ now\"",
      J0 ",\"error\":\"say \\\"hi\\\" \\\\ now\"}" },
    { "path=\"/a\\x0ab\"", J0 ",\"path\":\"/a\\\\x0ab\"}" },
    { "name=\"医疗 x\" n=2", J0 ",\"name\":\"医疗 x\",\"n\":2}" },
    { "", J0 "}" },
    { "route=customers.show status=200 ms=1.25",
      J0 ",\"route\":\"customers.show\",\"status\":200,\"ms\":1.25}" },
};

static void
test_log_json_rows(void **state)
{
    char out[512];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(json_rows) / sizeof(json_rows[0]); i++) {
        size_t n = log_json_line(out, sizeof(out), "T", "info", 7, "r1", "e",
                                 json_rows[i].fields);

        if (strcmp(out, json_rows[i].want) != 0)
            fail_msg("row %zu: got %s want %s", i, out, json_rows[i].want);
        assert_int_equal(n, strlen(out));
    }
}

/* Members that do not fit are left out whole: the line stays one object
 * and says it was cut. */
static void
test_log_json_truncated(void **state)
{
    char out[96];
    size_t n;

    (void)state;
    n = log_json_line(out, sizeof(out), "T", "info", 7, "r1", "e",
                      "a=1 b=\"0123456789012345678901234567890123456789\"");
    assert_true(n < sizeof(out));
    assert_string_equal(out, J0 ",\"a\":1,\"truncated\":true}");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_q_rows),
        cmocka_unit_test(test_log_q_long),
        cmocka_unit_test(test_log_json_rows),
        cmocka_unit_test(test_log_json_truncated),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
