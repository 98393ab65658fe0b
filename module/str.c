/*
 * str.c -- helpers over length-carrying strings.
 */
#include "str.h"

static int
ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

bool
str_eq_nocase(struct str a, struct str b)
{
    size_t i;

    if (a.len != b.len)
        return false;
    for (i = 0; i < a.len; i++) {
        if (ascii_lower((unsigned char)a.p[i]) !=
            ascii_lower((unsigned char)b.p[i]))
            return false;
    }
    return true;
}

struct str
str_trim(struct str s)
{
    while (s.len > 0 && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.len--;
    }
    while (s.len > 0 && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
        s.len--;
    return s;
}

long
str_find_byte(struct str s, char c)
{
    const char *hit;

    if (s.len == 0)
        return -1;
    hit = memchr(s.p, c, s.len);
    return hit != NULL ? (long)(hit - s.p) : -1;
}

bool
str_split(struct str s, char c, struct str *head, struct str *tail)
{
    long at = str_find_byte(s, c);

    if (at < 0) {
        *head = s;
        tail->p = s.p + s.len;
        tail->len = 0;
        return false;
    }
    head->p = s.p;
    head->len = (size_t)at;
    tail->p = s.p + at + 1;
    tail->len = s.len - (size_t)at - 1;
    return true;
}
