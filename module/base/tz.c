/*
 * tz.c -- time-zone conversion through the C library's zoneinfo.
 */
#include "base/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char current[64];

static void
use_zone(const char *tz)
{
    char want[64];

    if (tz == NULL || tz[0] == '\0' || strlen(tz) >= sizeof(want) ||
        strstr(tz, "..") != NULL || tz[0] == '/')
        tz = "UTC";
    snprintf(want, sizeof(want), "%s", tz);
    if (strcmp(want, current) == 0)
        return;
    setenv("TZ", want, 1);
    tzset();
    memcpy(current, want, sizeof(current));
}

void
tz_set(const char *tz)
{
    use_zone(tz);
}

time_t
tz_parse_utc(const char *s)
{
    struct tm tm;
    int i;
    const int pos[] = { 4, 7, 10, 13, 16 };
    const char sep[] = { '-', '-', ' ', ':', ':' };

    if (s == NULL || strlen(s) < 19)
        return -1;
    for (i = 0; i < 5; i++) {
        if (s[pos[i]] != sep[i])
            return -1;
    }
    for (i = 0; i < 19; i++) {
        if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 &&
            (s[i] < '0' || s[i] > '9'))
            return -1;
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
                 (s[3] - '0') - 1900;
    tm.tm_mon = (s[5] - '0') * 10 + (s[6] - '0') - 1;
    tm.tm_mday = (s[8] - '0') * 10 + (s[9] - '0');
    tm.tm_hour = (s[11] - '0') * 10 + (s[12] - '0');
    tm.tm_min = (s[14] - '0') * 10 + (s[15] - '0');
    tm.tm_sec = (s[17] - '0') * 10 + (s[18] - '0');
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    return timegm(&tm);
}

char *
tz_utc_text(time_t t, char *out, size_t n)
{
    struct tm tm;

    if (n == 0)
        return out;
    out[0] = '\0';
    if (gmtime_r(&t, &tm) != NULL)
        strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm);
    return out;
}

void
tz_local(const char *tz, time_t t, struct tm *tm)
{
    use_zone(tz);
    localtime_r(&t, tm);
}

time_t
tz_mktime(const char *tz, struct tm *local)
{
    use_zone(tz);
    local->tm_isdst = -1;
    return mktime(local);
}

char *
tz_format(const char *tz, const char *utc, char *out, size_t n)
{
    time_t t;
    struct tm tm;

    if (n == 0)
        return out;
    out[0] = '\0';
    if (utc == NULL || utc[0] == '\0')
        return out;
    t = tz_parse_utc(utc);
    if (t < 0) {
        snprintf(out, n, "%s", utc);
        return out;
    }
    tz_local(tz, t, &tm);
    strftime(out, n, "%Y-%m-%d %H:%M", &tm);
    return out;
}

void
tz_today(const char *zone, char *out, size_t n)
{
    struct tm tm;

    tz_local(zone, time(NULL), &tm);
    strftime(out, n, "%Y-%m-%d", &tm);
}
