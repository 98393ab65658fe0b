/*
 * num.c -- bounded number parsing.
 */
#include "base/num.h"

#include <string.h>

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

/* The ASCII character a (possibly full-width) character at p stands for
 * in a number, its length in *n; 0 when it is none of them. */
static char
number_char(const char *p, size_t len, size_t *n)
{
    const unsigned char *u = (const unsigned char *)p;

    *n = 1;
    if ((u[0] >= '0' && u[0] <= '9') || u[0] == '.' || u[0] == ',' ||
        u[0] == '-' || u[0] == ' ')
        return (char)u[0];
    if (len >= 2 && u[0] == 0xc2 && u[1] == 0xa0) { /* no-break space */
        *n = 2;
        return ' ';
    }
    if (len >= 3 && u[0] == 0xe2 && u[1] == 0x80 &&
        (u[2] == 0x89 || u[2] == 0xaf)) { /* thin, narrow no-break space */
        *n = 3;
        return ' ';
    }
    if (len >= 3 && u[0] == 0xef && u[1] == 0xbc) { /* full width */
        *n = 3;
        if (u[2] >= 0x90 && u[2] <= 0x99)
            return (char)('0' + (u[2] - 0x90));
        if (u[2] == 0x8c)
            return ',';
        if (u[2] == 0x8e)
            return '.';
        if (u[2] == 0x8d)
            return '-';
    }
    if (len >= 3 && u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80) {
        *n = 3; /* ideographic space */
        return ' ';
    }
    return 0;
}

/* s without a currency sign before or "元" after it. */
static struct str
strip_currency(struct str s)
{
    static const char *const before[] = { "\xc2\xa5", "\xef\xbf\xa5", "RMB",
                                          "rmb",      "CNY",          "cny" };
    static const char yuan[] = "\xe5\x85\x83";
    size_t i;

    s = str_trim(s);
    for (i = 0; i < sizeof(before) / sizeof(before[0]); i++) {
        size_t n = strlen(before[i]);

        if (s.len >= n && memcmp(s.p, before[i], n) == 0) {
            s.p += n;
            s.len -= n;
            break;
        }
    }
    if (s.len >= 3 && memcmp(s.p + s.len - 3, yuan, 3) == 0)
        s.len -= 3;
    return str_trim(s);
}

bool
parse_human_number(struct str s, char *out, size_t cap)
{
    size_t i = 0, o = 0, group = 0, n;
    bool grouped = false, frac = false, digits = false;
    char c, sep = 0;

    s = strip_currency(s);
    for (i = 0; i < s.len; i += n) {
        c = number_char(s.p + i, s.len - i, &n);
        if (c == 0 || o + 2 > cap)
            return false;
        if (c == '-') {
            if (o != 0)
                return false;
            out[o++] = '-';
        } else if (c >= '0' && c <= '9') {
            out[o++] = c;
            digits = true;
            if (!frac)
                group++;
        } else if (c == '.') {
            if (frac || !digits || (grouped && group != 3))
                return false;
            out[o++] = '.';
            frac = true;
            digits = false;
        } else { /* a thousands separator: one kind, between groups */
            if (frac || group == 0 || (grouped ? group != 3 : group > 3) ||
                (sep != 0 && c != sep))
                return false;
            sep = c;
            grouped = true;
            group = 0;
        }
    }
    if (!digits || (grouped && !frac && group != 3))
        return false;
    out[o] = '\0';
    return true;
}

bool
format_grouped(const char *plain, int decimals, char *out, size_t cap)
{
    char digits[64];
    size_t n = 0, ni, i, o = 0;
    const char *p = plain;
    bool neg = false, up;
    int f = 0;

    if (decimals < 0 || decimals > 4 || plain == NULL)
        return false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    for (; *p >= '0' && *p <= '9' && n < 40; p++)
        digits[n++] = *p;
    ni = n;
    if (ni == 0)
        return false;
    if (*p == '.')
        p++;
    for (; *p >= '0' && *p <= '9' && f < decimals; p++, f++)
        digits[n++] = *p;
    for (; f < decimals; f++)
        digits[n++] = '0';
    up = *p >= '5' && *p <= '9';
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p != '\0')
        return false;
    /* Round half up on the digits, carrying left. */
    for (i = n; up && i > 0; i--) {
        if (digits[i - 1] == '9') {
            digits[i - 1] = '0';
        } else {
            digits[i - 1]++;
            up = false;
        }
    }
    if (up) { /* 999.995 -> 1000.00: one more integer digit */
        memmove(digits + 1, digits, n);
        digits[0] = '1';
        n++;
        ni++;
    }
    if (cap < n + n / 3 + 4)
        return false;
    if (neg)
        out[o++] = '-';
    for (i = 0; i < ni; i++) {
        if (i > 0 && (ni - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    if (decimals > 0)
        out[o++] = '.';
    for (i = ni; i < n; i++)
        out[o++] = digits[i];
    out[o] = '\0';
    return true;
}
