/*
 * num_test.c -- bounded number parsing and the config loader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/conf.h"
#include "base/num.h"

struct i64_row {
    const char *in;
    int64_t min, max;
    int ok;
    int64_t want;
};

static const struct i64_row i64_rows[] = {
    /* malformed first */
    { "", 0, 100, 0, 0 },
    { "-", -10, 10, 0, 0 },
    { "+1", 0, 10, 0, 0 },
    { " 1", 0, 10, 0, 0 },
    { "1 ", 0, 10, 0, 0 },
    { "01", 0, 10, 0, 0 },
    { "1x", 0, 10, 0, 0 },
    { "0x10", 0, 100, 0, 0 },
    { "9223372036854775808", INT64_MIN, INT64_MAX, 0, 0 },
    { "-9223372036854775809", INT64_MIN, INT64_MAX, 0, 0 },
    { "123456789012345678901", INT64_MIN, INT64_MAX, 0, 0 },
    /* bounds */
    { "10", 0, 10, 1, 10 },
    { "11", 0, 10, 0, 0 },
    { "-1", 0, 10, 0, 0 },
    { "0", 0, 10, 1, 0 },
    { "-0", -1, 1, 1, 0 },
    { "9223372036854775807", INT64_MIN, INT64_MAX, 1, INT64_MAX },
    { "-9223372036854775808", INT64_MIN, INT64_MAX, 1, INT64_MIN },
    { "42", 0, 100, 1, 42 },
};

static void
test_parse_i64(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(i64_rows) / sizeof(i64_rows[0]); i++) {
        const struct i64_row *r = &i64_rows[i];
        int64_t v = -12345;
        bool ok = parse_i64(str_c(r->in), r->min, r->max, &v);

        if (ok != (bool)r->ok || (ok && v != r->want))
            fail_msg("row %zu: '%s' -> ok=%d v=%lld", i, r->in, ok,
                     (long long)v);
    }
}

static void
test_octal_bool(void **state)
{
    int64_t v;
    bool b;

    (void)state;
    assert_true(parse_octal(STR_LIT("0660"), 0777, &v));
    assert_int_equal(v, 0660);
    assert_false(parse_octal(STR_LIT("0668"), 0777, &v));
    assert_false(parse_octal(STR_LIT("1777"), 0777, &v));
    assert_true(parse_bool(STR_LIT("Yes"), &b) && b);
    assert_true(parse_bool(STR_LIT("off"), &b) && !b);
    assert_false(parse_bool(STR_LIT("maybe"), &b));
}

static void
test_decimal_and_date(void **state)
{
    static const struct {
        const char *in;
        bool ok;
        double v;
    } dec[] = {
        { "12", true, 12 },
        { "-3.5", true, -3.5 },
        { "0.25", true, 0.25 },
        { "123456789012.99", true, 123456789012.99 },
        { ".5", false, 0 },
        { "1.", false, 0 },
        { "1e3", false, 0 },
        { "+1", false, 0 },
        { " 1", false, 0 },
        { "1.234", false, 0 },
        { "", false, 0 },
        { "-", false, 0 },
        { "1234567890123", false, 0 },
    };
    static const struct {
        const char *in;
        bool ok;
        int y, m, d;
    } dates[] = {
        { "2026-11-28", true, 2026, 11, 28 },
        { "2024-02-29", true, 2024, 2, 29 },
        { "2000-02-29", true, 2000, 2, 29 },
        { "1900-02-29", false, 0, 0, 0 },
        { "2026-02-29", false, 0, 0, 0 },
        { "2026-04-31", false, 0, 0, 0 },
        { "2026-13-01", false, 0, 0, 0 },
        { "2026-00-10", false, 0, 0, 0 },
        { "2026-01-00", false, 0, 0, 0 },
        { "2026-1-01", false, 0, 0, 0 },
        { "1899-12-31", false, 0, 0, 0 },
        { "2026/11/28", false, 0, 0, 0 },
        { "2026-11-2x", false, 0, 0, 0 },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(dec) / sizeof(dec[0]); i++) {
        double v = -999;
        bool ok = parse_decimal(str_c(dec[i].in), 12, 2, &v);

        if (ok != dec[i].ok ||
            (ok && (v - dec[i].v > 1e-6 || dec[i].v - v > 1e-6)))
            fail_msg("decimal '%s': ok=%d v=%f", dec[i].in, ok, v);
    }
    for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
        int y = 0, m = 0, d = 0;
        bool ok = parse_date(str_c(dates[i].in), &y, &m, &d);

        if (ok != dates[i].ok ||
            (ok && (y != dates[i].y || m != dates[i].m || d != dates[i].d)))
            fail_msg("date '%s': ok=%d %d-%d-%d", dates[i].in, ok, y, m, d);
    }
}

static const char *
write_tmp(const char *text)
{
    static char path[64];
    FILE *f;
    int fd;

    snprintf(path, sizeof(path), "/tmp/proofline-conf-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

struct conf_row {
    const char *text;
    int ok;
    const char *err_has;
};

static const struct conf_row conf_rows[] = {
    { "nonsense\n", 0, ":1: expected 'key = value'" },
    { "no_such_key = 1\n", 0, "unknown key" },
    { "workers = -1\n", 0, "workers: expected an integer" },
    { "workers = 257\n", 0, "workers" },
    { "socket_mode = 0999\n", 0, "octal" },
    { "cookie_secure = perhaps\n", 0, "cookie_secure" },
    { "log_level = loud\n", 0, "log_level" },
    { "default_lang = fr\n", 0, "default_lang" },
    { "# comment\n\n  workers = 3  \nlisten = \"/tmp/x.sock\"\n", 1, NULL },
};

static void
test_conf_file(void **state)
{
    size_t i;

    (void)state;
    unsetenv("PROOFLINE_WORKERS");
    for (i = 0; i < sizeof(conf_rows) / sizeof(conf_rows[0]); i++) {
        struct conf c;
        char err[256] = "";
        const char *path = write_tmp(conf_rows[i].text);
        int rc = conf_load(&c, path, true, err, sizeof(err));

        unlink(path);
        if ((rc == 0) != (bool)conf_rows[i].ok)
            fail_msg("row %zu: rc=%d err=%s", i, rc, err);
        if (conf_rows[i].err_has != NULL &&
            strstr(err, conf_rows[i].err_has) == NULL)
            fail_msg("row %zu: error '%s' lacks '%s'", i, err,
                     conf_rows[i].err_has);
        if (rc == 0) {
            assert_int_equal(c.workers, 3);
            assert_string_equal(c.listen, "/tmp/x.sock");
        }
    }
}

static void
test_conf_env_overrides_file(void **state)
{
    struct conf c;
    char err[256];
    const char *path = write_tmp("workers = 3\nmax_body = 2048\n");

    (void)state;
    setenv("PROOFLINE_WORKERS", "5", 1);
    assert_int_equal(conf_load(&c, path, true, err, sizeof(err)), 0);
    assert_int_equal(c.workers, 5);
    assert_int_equal(c.limits.max_body, 2048);
    setenv("PROOFLINE_WORKERS", "many", 1);
    assert_int_equal(conf_load(&c, path, true, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "PROOFLINE_WORKERS"));
    unsetenv("PROOFLINE_WORKERS");
    unlink(path);
    /* A missing optional file is fine; a missing required one is not. */
    assert_int_equal(
        conf_load(&c, "/nonexistent/x.conf", false, err, sizeof(err)), 0);
    assert_int_equal(
        conf_load(&c, "/nonexistent/x.conf", true, err, sizeof(err)), -1);
}

static void
put_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* The files <path>.d/NAME.conf are read after the main file, in name order;
 * other names are ignored; an error in one names its file; the environment
 * still wins. */
static void
test_conf_dropins(void **state)
{
    struct conf c;
    static const char *const made[] = { "20-late.conf", "10-early.conf",
                                        "30-ignored.conf.dpkg-old",
                                        ".hidden.conf", "40-bad.conf" };
    char err[256], main_path[64], dir[80], file[160];

    (void)state;
    unsetenv("PROOFLINE_WORKERS");
    snprintf(main_path, sizeof(main_path), "%s", write_tmp("workers = 3\n"));
    snprintf(dir, sizeof(dir), "%s.d", main_path);
    assert_int_equal(mkdir(dir, 0700), 0);
    put_file(dir, "20-late.conf", "workers = 7\n");
    put_file(dir, "10-early.conf", "workers = 5\nmax_body = 4096\n");
    put_file(dir, "30-ignored.conf.dpkg-old", "workers = 9\n");
    put_file(dir, ".hidden.conf", "workers = 11\n");
    assert_int_equal(conf_load(&c, main_path, true, err, sizeof(err)), 0);
    assert_int_equal(c.workers, 7);
    assert_int_equal(c.limits.max_body, 4096);
    setenv("PROOFLINE_WORKERS", "2", 1);
    assert_int_equal(conf_load(&c, main_path, true, err, sizeof(err)), 0);
    assert_int_equal(c.workers, 2);
    unsetenv("PROOFLINE_WORKERS");
    put_file(dir, "40-bad.conf", "workers = many\n");
    assert_int_equal(conf_load(&c, main_path, true, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "40-bad.conf:1"));
    for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
        snprintf(file, sizeof(file), "%s/%s", dir, made[i]);
        assert_int_equal(unlink(file), 0);
    }
    assert_int_equal(rmdir(dir), 0);
    unlink(main_path);
}

static void
test_conf_defaults_are_sane(void **state)
{
    struct conf c;

    (void)state;
    conf_defaults(&c);
    assert_int_equal(c.socket_mode, 0660);
    assert_true(c.cookie_secure);
    assert_false(c.debug_routes);
    assert_string_equal(c.default_lang, "zh-CN");
    assert_true(c.limits.max_body > c.limits.max_file_size);
    assert_true(conf_worker_count(&c) >= 1);
    /* Every key has its row in the table: a field left out reads 0. */
    assert_int_equal(c.rules_call_ms, 100);
    assert_int_equal(c.rules_memory_kb, 16384);
    assert_int_equal(c.rules_check_ms, 500);
    assert_int_equal(c.session_idle, 1800);
    assert_int_equal(c.login_max_failures, 100);
    assert_int_equal(c.hash_slots, 4);
}

static void
test_human_number(void **state)
{
    static const struct {
        const char *in, *out; /* out NULL: refused */
    } t[] = {
        { "1200000", "1200000" },
        { "1,200,000", "1200000" },
        { "1 200 000", "1200000" },
        { "\xc2\xa5"
          "1,200,000.00",
          "1200000.00" },                              /* ¥ */
        { "\xef\xbf\xa5 1,200,000.50", "1200000.50" }, /* ￥, a space */
        { "1,200,000\xe5\x85\x83", "1200000" },        /* 元 */
        { "RMB 2,500", "2500" },
        { "1\xc2\xa0"
          "200",
          "1200" }, /* no-break space */
        { "1\xe2\x80\xaf"
          "200",
          "1200" }, /* narrow nbsp */
        { "\xef\xbc\x91\xef\xbc\x92\xef\xbc\x8c\xef\xbc\x93\xef\xbc\x94\xef"
          "\xbc\x95",
          "12345" }, /* full width "12，345" */
        { "  42  ", "42" },
        { "-5", "-5" },
        { "0.5", "0.5" },
        { "1,234.5", "1234.5" },
        { "999", "999" },
        /* refused */
        { "", NULL },
        { "abc", NULL },
        { "1,5", NULL },       /* a decimal comma, or a typo */
        { "12,34", NULL },     /* not groups of three */
        { "1,20,000", NULL },  /* Indian grouping: ambiguous here */
        { "1234,567", NULL },  /* a first group longer than three */
        { "1,200 000", NULL }, /* two kinds of separator */
        { "1,200.000,5", NULL },
        { ",200", NULL },
        { "1,", NULL },
        { "1.", NULL },
        { ".5", NULL },
        { "1.2.3", NULL },
        { "5-", NULL },
        { "1e5", NULL },
        { "$100", NULL },
    };
    char out[64];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        bool ok = parse_human_number(str_c(t[i].in), out, sizeof(out));

        if (ok != (t[i].out != NULL))
            fail_msg("'%s' should be %s", t[i].in,
                     t[i].out != NULL ? "accepted" : "refused");
        if (ok && strcmp(out, t[i].out) != 0)
            fail_msg("'%s' gave '%s', not '%s'", t[i].in, out, t[i].out);
    }
    /* The output buffer is a limit too. */
    assert_false(parse_human_number(STR_LIT("123456"), out, 6));
    assert_true(parse_human_number(STR_LIT("12345"), out, 6));
}

static void
test_format_grouped(void **state)
{
    static const struct {
        const char *in;
        int decimals;
        const char *out; /* NULL: refused */
    } t[] = {
        { "1200000", 2, "1,200,000.00" },
        { "1200000.5", 2, "1,200,000.50" },
        { "999.995", 2, "1,000.00" }, /* rounding carries */
        { "0.004", 2, "0.00" },
        { "0.005", 2, "0.01" },
        { "-1234.5", 0, "-1,235" },
        { "100", 0, "100" },
        { "1000", 0, "1,000" },
        { "12345678901234", 2, "12,345,678,901,234.00" },
        { "1.23456", 4, "1.2346" },
        { "", 2, NULL },
        { "abc", 2, NULL },
        { "1.2.3", 2, NULL },
        { "1e5", 2, NULL },
        { "12", 5, NULL },
    };
    char out[64];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        bool ok = format_grouped(t[i].in, t[i].decimals, out, sizeof(out));

        if (ok != (t[i].out != NULL))
            fail_msg("'%s' should be %s", t[i].in,
                     t[i].out != NULL ? "formatted" : "refused");
        if (ok && strcmp(out, t[i].out) != 0)
            fail_msg("'%s' gave '%s', not '%s'", t[i].in, out, t[i].out);
    }
    assert_false(format_grouped("1234567", 2, out, 8));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_human_number),
        cmocka_unit_test(test_format_grouped),
        cmocka_unit_test(test_parse_i64),
        cmocka_unit_test(test_octal_bool),
        cmocka_unit_test(test_decimal_and_date),
        cmocka_unit_test(test_conf_file),
        cmocka_unit_test(test_conf_env_overrides_file),
        cmocka_unit_test(test_conf_dropins),
        cmocka_unit_test(test_conf_defaults_are_sane),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
