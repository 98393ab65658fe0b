/*
 * num.c -- bounded number parsing.
 */
#include "base/num.h"

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

bool
parse_decimal(struct str s, int int_digits, int frac_digits, double *out)
{
    size_t i = 0;
    int ni = 0, nf = 0;
    double mant = 0, div = 1; /* exact: at most 15 digits are accepted */
    bool neg = false;

    if (int_digits + frac_digits > 15)
        return false;
    if (s.len > 0 && s.p[0] == '-') {
        neg = true;
        i++;
    }
    for (; i < s.len && s.p[i] >= '0' && s.p[i] <= '9'; i++) {
        if (++ni > int_digits)
            return false;
        mant = mant * 10 + (s.p[i] - '0');
    }
    if (ni == 0)
        return false;
    if (i < s.len && s.p[i] == '.') {
        for (i++; i < s.len && s.p[i] >= '0' && s.p[i] <= '9'; i++) {
            if (++nf > frac_digits)
                return false;
            mant = mant * 10 + (s.p[i] - '0');
            div *= 10;
        }
        if (nf == 0)
            return false;
    }
    if (i != s.len)
        return false;
    *out = (neg ? -mant : mant) / div;
    return true;
}

bool
parse_date(struct str s, int *year, int *month, int *day)
{
    static const int days[] = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };
    int64_t y, m, d;
    int dim;

    if (s.len != 10 || s.p[4] != '-' || s.p[7] != '-' ||
        !parse_i64((struct str){ s.p, 4 }, 1900, 2199, &y) || s.p[5] < '0' ||
        s.p[5] > '1' || s.p[8] < '0' || s.p[8] > '3' ||
        !parse_i64(
            (struct str){ s.p + 5 + (s.p[5] == '0'), 1u + (s.p[5] != '0') }, 1,
            12, &m) ||
        !parse_i64(
            (struct str){ s.p + 8 + (s.p[8] == '0'), 1u + (s.p[8] != '0') }, 1,
            31, &d))
        return false;
    dim = days[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        dim = 29;
    if (d > dim)
        return false;
    *year = (int)y;
    *month = (int)m;
    *day = (int)d;
    return true;
}
