/*
 * num.c -- bounded number parsing.
 */
#include "num.h"

bool
parse_i64(struct str s, int64_t min, int64_t max, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    uint64_t v = 0, limit;

    if (s.len == 0 || s.len > 20)
        return false;
    if (s.p[0] == '-') {
        neg = true;
        i = 1;
        if (s.len == 1)
            return false;
    }
    /* "007" is not a canonical integer; "0" and "-0" are. */
    if (s.p[i] == '0' && s.len - i > 1)
        return false;
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < s.len; i++) {
        unsigned d;

        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
        d = (unsigned)(s.p[i] - '0');
        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    {
        int64_t r;

        if (neg)
            r = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
        else
            r = (int64_t)v;
        if (r < min || r > max)
            return false;
        *out = r;
    }
    return true;
}

bool
parse_octal(struct str s, int64_t max, int64_t *out)
{
    size_t i;
    int64_t v = 0;

    if (s.len == 0 || s.len > 12)
        return false;
    for (i = 0; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '7')
            return false;
        v = v * 8 + (s.p[i] - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

bool
parse_bool(struct str s, bool *out)
{
    static const char *const yes[] = { "1", "true", "yes", "on" };
    static const char *const no[] = { "0", "false", "no", "off" };
    size_t i;

    for (i = 0; i < 4; i++) {
        if (str_eq_nocase(s, str_c(yes[i]))) {
            *out = true;
            return true;
        }
        if (str_eq_nocase(s, str_c(no[i]))) {
            *out = false;
            return true;
        }
    }
    return false;
}
