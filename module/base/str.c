/*
 * str.c -- helpers over length-carrying strings.
 */
#include "base/str.h"

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

struct utf8_char
utf8_next(const unsigned char *s, size_t n)
{
    struct utf8_char c = { 0xFFFD, 1, false, false };
    unsigned char lead = s[0], lo = 0x80, hi = 0xBF;
    unsigned need, k;
    uint32_t cp;

    if (lead < 0x80) {
        c.cp = lead;
        c.ok = true;
        return c;
    }
    /* The second byte's range excludes overlongs (E0, F0), surrogates
     * (ED) and code points past U+10FFFF (F4). */
    if (lead >= 0xC2 && lead <= 0xDF) {
        need = 1;
        cp = lead & 0x1Fu;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 2;
        cp = lead & 0x0Fu;
        if (lead == 0xE0)
            lo = 0xA0;
        else if (lead == 0xED)
            hi = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 3;
        cp = lead & 0x07u;
        if (lead == 0xF0)
            lo = 0x90;
        else if (lead == 0xF4)
            hi = 0x8F;
    } else {
        return c;
    }
    for (k = 1; k <= need && k < n; k++) {
        if (s[k] < lo || s[k] > hi) {
            c.len = k;
            return c;
        }
        lo = 0x80;
        hi = 0xBF;
        cp = (cp << 6) | (s[k] & 0x3Fu);
    }
    c.len = k;
    if (k <= need) {
        c.cut = true;
        return c;
    }
    c.cp = cp;
    c.ok = true;
    return c;
}

size_t
utf8_put(char out[4], uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int
utf8_valid(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;

    while (i < n) {
        struct utf8_char c = utf8_next(s + i, n - i);

        if (!c.ok)
            return 0;
        i += c.len;
    }
    return 1;
}

size_t
utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    /* Back off continuation bytes (10xxxxxx) to the start of the
     * character that would be cut. */
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}
