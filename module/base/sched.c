/*
 * sched.c -- readable schedules (sched.h).
 */
#include "base/sched.h"

#include <string.h>

#include "base/tz.h"

#define ALL_DAYS 0x7fu
#define WEEKDAYS 0x3eu /* Monday to Friday */
#define WEEKENDS 0x41u /* Sunday and Saturday */

/* Day names, English and Chinese, by weekday (0 = Sunday). */
static const struct {
    const char *name;
    int day;
} DAY_NAMES[] = {
    { "sun", 0 },  { "mon", 1 },  { "tue", 2 },  { "wed", 3 },  { "thu", 4 },
    { "fri", 5 },  { "sat", 6 },  { "周日", 0 }, { "周天", 0 }, { "周一", 1 },
    { "周二", 2 }, { "周三", 3 }, { "周四", 4 }, { "周五", 5 }, { "周六", 6 },
};

static const struct {
    const char *name;
    unsigned days;
} DAY_SETS[] = {
    { "daily", ALL_DAYS },  { "everyday", ALL_DAYS },
    { "每天", ALL_DAYS },   { "weekdays", WEEKDAYS },
    { "工作日", WEEKDAYS }, { "weekends", WEEKENDS },
    { "周末", WEEKENDS },
};

static bool
lower_eq(struct str s, const char *name)
{
    size_t i, n = strlen(name);

    if (s.len != n)
        return false;
    for (i = 0; i < n; i++) {
        char c = s.p[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != name[i])
            return false;
    }
    return true;
}

static int
day_of(struct str s)
{
    size_t i;

    for (i = 0; i < sizeof(DAY_NAMES) / sizeof(DAY_NAMES[0]); i++) {
        if (lower_eq(s, DAY_NAMES[i].name))
            return DAY_NAMES[i].day;
    }
    return -1;
}

/* "weekdays", "mon,wed", "mon-fri", "周一,周三", "周一-周五"; a range may
 * wrap ("fri-mon"). */
static bool
parse_days(struct str s, unsigned *days)
{
    size_t i, start = 0;

    *days = 0;
    for (i = 0; i < sizeof(DAY_SETS) / sizeof(DAY_SETS[0]); i++) {
        if (lower_eq(s, DAY_SETS[i].name)) {
            *days = DAY_SETS[i].days;
            return true;
        }
    }
    for (i = 0; i <= s.len; i++) {
        struct str item, a, b;
        const char *dash;
        int from, to, d;

        if (i < s.len && s.p[i] != ',')
            continue;
        item = (struct str){ s.p + start, i - start };
        start = i + 1;
        dash = item.len > 0 ? memchr(item.p, '-', item.len) : NULL;
        a = dash != NULL ? (struct str){ item.p, (size_t)(dash - item.p) }
                         : item;
        b = dash != NULL ? (struct str){ dash + 1, item.len - a.len - 1 }
                         : item;
        from = day_of(a);
        to = day_of(b);
        if (from < 0 || to < 0)
            return false;
        for (d = from;; d = (d + 1) % 7) {
            *days |= 1u << d;
            if (d == to)
                break;
        }
    }
    return *days != 0;
}

/* "16:00", "9:05": minutes after midnight. */
static bool
parse_time(struct str s, int *minute)
{
    int h = 0, m;
    size_t i = 0;

    if (s.len < 4 || s.len > 5)
        return false;
    for (; i < s.len && s.p[i] != ':'; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
        h = h * 10 + (s.p[i] - '0');
    }
    if (i == 0 || i > 2 || s.len - i != 3 || s.p[i + 1] < '0' ||
        s.p[i + 1] > '5' || s.p[i + 2] < '0' || s.p[i + 2] > '9' || h > 23)
        return false;
    m = (s.p[i + 1] - '0') * 10 + (s.p[i + 2] - '0');
    *minute = h * 60 + m;
    return true;
}

/* "90s" is refused: the smallest unit is the minute. */
static bool
parse_period(struct str s, int64_t *period)
{
    int64_t n = 0, unit;
    size_t i;

    if (s.len < 2 || s.len > 6)
        return false;
    for (i = 0; i + 1 < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9' || (i == 0 && s.p[i] == '0'))
            return false;
        n = n * 10 + (s.p[i] - '0');
    }
    switch (s.p[s.len - 1]) {
    case 'm':
        unit = 60;
        break;
    case 'h':
        unit = 3600;
        break;
    case 'd':
        unit = 86400;
        break;
    default:
        return false;
    }
    *period = n * unit;
    return *period >= SCHED_MIN_PERIOD && *period <= SCHED_MAX_PERIOD;
}

bool
sched_parse(struct str s, struct sched *out, const char **err)
{
    const char *sp;

    memset(out, 0, sizeof(*out));
    s = str_trim(s);
    if (s.len == 0 || s.p == NULL) {
        *err = "sched.empty";
        return false;
    }
    sp = memchr(s.p, ' ', s.len);
    if (sp == NULL) {
        out->kind = SCHED_EVERY;
        *err = "sched.bad_period";
        return parse_period(s, &out->period);
    }
    out->kind = SCHED_AT;
    if (!parse_days((struct str){ s.p, (size_t)(sp - s.p) }, &out->days)) {
        *err = "sched.bad_days";
        return false;
    }
    *err = "sched.bad_time";
    return parse_time(
        str_trim((struct str){ sp + 1, s.len - (size_t)(sp - s.p) - 1 }),
        &out->minute);
}

time_t
sched_next(const struct sched *s, const char *tz, time_t after)
{
    struct tm now, day;
    int i, wall;

    if (s->kind == SCHED_EVERY)
        return (after / s->period + 1) * s->period;
    tz_local(tz, after, &now);
    wall = now.tm_hour * 60 + now.tm_min;
    /* Today's slot is gone once the wall clock has reached it (so a time
     * that happens twice on a change back runs once). */
    for (i = wall >= s->minute ? 1 : 0; i < 16; i++) {
        time_t t;

        memset(&day, 0, sizeof(day));
        day.tm_year = now.tm_year;
        day.tm_mon = now.tm_mon;
        day.tm_mday = now.tm_mday + i;
        day.tm_hour = 12; /* normalise the date away from any change */
        if (tz_mktime(tz, &day) == (time_t)-1)
            return (time_t)-1;
        if (!(s->days & (1u << day.tm_wday)))
            continue;
        day.tm_hour = s->minute / 60;
        day.tm_min = s->minute % 60;
        day.tm_sec = 0;
        t = tz_mktime(tz, &day);
        if (t > after)
            return t;
    }
    return (time_t)-1;
}
