/*
 * sched_test.c -- readable schedules: parsing, and the next run in zones
 * with and without daylight saving, across both changes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/sched.h"
#include "base/tz.h"

struct parse_row {
    const char *in;
    const char *err; /* NULL: parses */
    unsigned days;
    int minute;
    int64_t period;
};

static const struct parse_row parse_rows[] = {
    { "weekdays 16:00", NULL, 0x3e, 960, 0 },
    { "  Weekdays   16:00 ", NULL, 0x3e, 960, 0 },
    { "daily 09:30", NULL, 0x7f, 570, 0 },
    { "daily 9:05", NULL, 0x7f, 545, 0 },
    { "weekends 10:00", NULL, 0x41, 600, 0 },
    { "mon,wed,fri 08:00", NULL, 0x2a, 480, 0 },
    { "mon-fri 00:00", NULL, 0x3e, 0, 0 },
    { "fri-mon 23:59", NULL, 0x63, 1439, 0 },
    { "sun 12:00", NULL, 0x01, 720, 0 },
    { "工作日 16:00", NULL, 0x3e, 960, 0 },
    { "每天 09:30", NULL, 0x7f, 570, 0 },
    { "周末 10:00", NULL, 0x41, 600, 0 },
    { "周一,周三 08:00", NULL, 0x0a, 480, 0 },
    { "周一-周五 16:00", NULL, 0x3e, 960, 0 },
    { "1h", NULL, 0, 0, 3600 },
    { "15m", NULL, 0, 0, 900 },
    { "2d", NULL, 0, 0, 172800 },
    { "1m", NULL, 0, 0, 60 },
    { "31d", NULL, 0, 0, 31 * 86400 },
    { "", "sched.empty", 0, 0, 0 },
    { "   ", "sched.empty", 0, 0, 0 },
    { "0h", "sched.bad_period", 0, 0, 0 },
    { "01h", "sched.bad_period", 0, 0, 0 },
    { "90s", "sched.bad_period", 0, 0, 0 },
    { "32d", "sched.bad_period", 0, 0, 0 },
    { "h", "sched.bad_period", 0, 0, 0 },
    { "1.5h", "sched.bad_period", 0, 0, 0 },
    { "someday 16:00", "sched.bad_days", 0, 0, 0 },
    { "mon,,fri 16:00", "sched.bad_days", 0, 0, 0 },
    { "mon- 16:00", "sched.bad_days", 0, 0, 0 },
    { "weekdays 24:00", "sched.bad_time", 0, 0, 0 },
    { "weekdays 16:60", "sched.bad_time", 0, 0, 0 },
    { "weekdays 16", "sched.bad_time", 0, 0, 0 },
    { "weekdays 16:0", "sched.bad_time", 0, 0, 0 },
    { "weekdays 016:00", "sched.bad_time", 0, 0, 0 },
    { "weekdays 4pm", "sched.bad_time", 0, 0, 0 },
    { "weekdays 16:00 extra", "sched.bad_time", 0, 0, 0 },
};

static void
test_parse(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(parse_rows) / sizeof(parse_rows[0]); i++) {
        const struct parse_row *row = &parse_rows[i];
        struct sched s;
        const char *err = NULL;
        bool ok = sched_parse(str_c(row->in), &s, &err);

        if (row->err == NULL && !ok)
            fail_msg("'%s': refused (%s)", row->in, err);
        if (row->err != NULL && (ok || strcmp(err, row->err) != 0))
            fail_msg("'%s': %s, want %s", row->in, ok ? "parsed" : err,
                     row->err);
        if (ok && (s.days != row->days || s.minute != row->minute ||
                   s.period != row->period))
            fail_msg("'%s': days %#x minute %d period %lld", row->in, s.days,
                     s.minute, (long long)s.period);
    }
}

static time_t
utc(const char *s)
{
    return tz_parse_utc(s);
}

static const char *
fmt(time_t t)
{
    static char out[32];
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, sizeof(out), "%Y-%m-%d %H:%M:%S", &tm);
    return out;
}

struct next_row {
    const char *spec, *tz, *after, *want; /* UTC */
};

static const struct next_row next_rows[] = {
    /* Shanghai (UTC+8, no DST): Friday 2026-03-06 */
    { "weekdays 16:00", "Asia/Shanghai", "2026-03-06 07:59:59",
      "2026-03-06 08:00:00" },
    { "weekdays 16:00", "Asia/Shanghai", "2026-03-06 08:00:00",
      "2026-03-09 08:00:00" }, /* Friday's done: Monday */
    { "weekends 10:00", "Asia/Shanghai", "2026-03-06 08:00:00",
      "2026-03-07 02:00:00" },
    { "daily 00:30", "Asia/Shanghai", "2026-03-06 16:00:00",
      "2026-03-06 16:30:00" }, /* local midnight is 16:00 UTC */
    /* New York: spring forward 2026-03-08 02:00 EST -> 03:00 EDT */
    { "daily 09:00", "America/New_York", "2026-03-07 15:00:00",
      "2026-03-08 13:00:00" }, /* 09:00 EDT */
    { "daily 09:00", "America/New_York", "2026-03-06 15:00:00",
      "2026-03-07 14:00:00" }, /* 09:00 EST */
    { "daily 02:30", "America/New_York", "2026-03-08 06:00:00",
      "2026-03-08 07:30:00" }, /* the gap: 03:30 EDT */
    { "daily 02:30", "America/New_York", "2026-03-08 07:30:00",
      "2026-03-09 06:30:00" }, /* once that day */
    /* New York: fall back 2026-11-01 02:00 EDT -> 01:00 EST */
    { "daily 09:00", "America/New_York", "2026-10-31 14:00:00",
      "2026-11-01 14:00:00" }, /* 09:00 EST */
    { "daily 16:00", "America/New_York", "2026-10-30 20:00:00",
      "2026-10-31 20:00:00" }, /* 16:00 EDT */
    /* Berlin: spring forward 2026-03-29 */
    { "weekdays 16:00", "Europe/Berlin", "2026-03-27 15:00:00",
      "2026-03-30 14:00:00" }, /* Friday done; Monday 16:00 CEST */
    /* Periods count from the epoch in real time. */
    { "1h", "America/New_York", "2026-03-08 06:59:59", "2026-03-08 07:00:00" },
    { "1h", "America/New_York", "2026-03-08 07:00:00", "2026-03-08 08:00:00" },
    { "15m", "UTC", "2026-01-01 00:14:00", "2026-01-01 00:15:00" },
};

static void
test_next(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(next_rows) / sizeof(next_rows[0]); i++) {
        const struct next_row *row = &next_rows[i];
        struct sched s;
        const char *err;
        time_t got;

        assert_true(sched_parse(str_c(row->spec), &s, &err));
        got = sched_next(&s, row->tz, utc(row->after));
        if (got != utc(row->want))
            fail_msg("%s in %s after %s: %s, want %s", row->spec, row->tz,
                     row->after, fmt(got), row->want);
    }
}

/* A time that exists twice (01:30 on the day New York falls back) runs
 * once: walking run to run through that day gives one run. */
static void
test_twice_runs_once(void **state)
{
    struct sched s;
    const char *err;
    time_t t = utc("2026-10-31 12:00:00"), end = utc("2026-11-03 12:00:00");
    int runs_on_the_day = 0;

    (void)state;
    assert_true(sched_parse(str_c("daily 01:30"), &s, &err));
    while ((t = sched_next(&s, "America/New_York", t)) < end) {
        struct tm tm;

        assert_true(t > 0);
        tz_local("America/New_York", t, &tm);
        assert_int_equal(tm.tm_hour * 60 + tm.tm_min, 90);
        if (tm.tm_mday == 1)
            runs_on_the_day++;
    }
    assert_int_equal(runs_on_the_day, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_next),
        cmocka_unit_test(test_twice_runs_once),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
