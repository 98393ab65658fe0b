/*
 * svgcheck.c -- checks of server-drawn SVG shared by the unit tests
 * (svgcheck.h).
 */
#include "svgcheck.h"

#include <string.h>

/* Strict UTF-8: no overlong forms, surrogates, or values past U+10FFFF. */
int
svgcheck_utf8(const unsigned char *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = p[i];
        size_t len, k;
        unsigned char lo = 0x80, hi = 0xBF;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4;
        else
            return 0;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
        if (len > n - i)
            return 0;
        for (k = 1; k < len; k++) {
            if (p[i + k] < lo || p[i + k] > hi)
                return 0;
            lo = 0x80;
            hi = 0xBF;
        }
        i += len;
    }
    return 1;
}

static int
in_list(const char *const *list, const char *p, size_t n)
{
    for (; *list != NULL; list++)
        if (strlen(*list) == n && memcmp(*list, p, n) == 0)
            return 1;
    return 0;
}

static int
is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == ':' || c == '_';
}

/* An '&' at p must start one of the five entities we write. */
static int
entity_ok(const char *p)
{
    static const char *const ents[] = { "&amp;",  "&lt;",  "&gt;",
                                        "&quot;", "&#39;", NULL };
    const char *const *e;

    for (e = ents; *e != NULL; e++)
        if (strncmp(p, *e, strlen(*e)) == 0)
            return 1;
    return 0;
}

#define MAX_DEPTH 16
#define MAX_ATTRS 16

/* A small XML scanner: one root <svg>, balanced tags from the allow-list,
 * unique allowed attributes with double-quoted values, text and values
 * free of '<' and '>' and with only known entities.  Counts elements by
 * name in *nelems.  Returns NULL when well-formed, else what is wrong. */
const char *
svgcheck_xml(const char *p, const char *const *ok_elems,
             const char *const *ok_attrs, size_t *nelems)
{
    const char *stack[MAX_DEPTH];
    size_t slen[MAX_DEPTH], depth = 0, roots = 0;

    *nelems = 0;
    while (*p != '\0') {
        const char *name, *attrs[MAX_ATTRS];
        size_t nl, alen[MAX_ATTRS], na = 0, j;

        if (*p != '<') {
            if (depth == 0)
                return "text outside the root";
            if (*p == '>')
                return "raw '>' in text";
            if (*p == '&' && !entity_ok(p))
                return "unknown entity in text";
            p++;
            continue;
        }
        p++;
        if (*p == '/') {
            p++;
            name = p;
            while (is_name_char(*p))
                p++;
            nl = (size_t)(p - name);
            if (*p != '>' || depth == 0 || slen[depth - 1] != nl ||
                memcmp(stack[depth - 1], name, nl) != 0)
                return "mismatched end tag";
            depth--;
            p++;
            continue;
        }
        name = p;
        while (is_name_char(*p))
            p++;
        nl = (size_t)(p - name);
        if (nl == 0 || !in_list(ok_elems, name, nl))
            return "element not allowed (or <! <?)";
        if (depth == 0 && ++roots > 1)
            return "more than one root";
        if (depth == 0 && (nl != 3 || memcmp(name, "svg", 3) != 0))
            return "root is not <svg>";
        (*nelems)++;
        for (;;) {
            const char *an;
            size_t al;

            if (*p != ' ')
                break;
            p++;
            an = p;
            while (is_name_char(*p))
                p++;
            al = (size_t)(p - an);
            if (al == 0 || !in_list(ok_attrs, an, al))
                return "attribute not allowed";
            for (j = 0; j < na; j++)
                if (alen[j] == al && memcmp(attrs[j], an, al) == 0)
                    return "duplicate attribute";
            if (na == MAX_ATTRS)
                return "too many attributes";
            attrs[na] = an;
            alen[na++] = al;
            if (p[0] != '=' || p[1] != '"')
                return "attribute value not double-quoted";
            p += 2;
            while (*p != '"') {
                if (*p == '\0' || *p == '<' || *p == '>')
                    return "bad character in attribute value";
                if (*p == '&' && !entity_ok(p))
                    return "unknown entity in attribute";
                p++;
            }
            p++;
        }
        if (p[0] == '/' && p[1] == '>') {
            p += 2;
            continue;
        }
        if (*p != '>')
            return "malformed start tag";
        p++;
        if (depth == MAX_DEPTH)
            return "too deep";
        stack[depth] = name;
        slen[depth++] = nl;
    }
    if (depth != 0)
        return "unclosed element";
    if (roots != 1)
        return "no root";
    return NULL;
}

/* ` on…="` as an attribute, the way an event handler would appear. */
int
svgcheck_event_attr(const char *p)
{
    for (; *p != '\0'; p++) {
        const char *q = p + 3;

        if (p[0] != ' ' || p[1] != 'o' || p[2] != 'n')
            continue;
        while (*q >= 'a' && *q <= 'z')
            q++;
        if (q > p + 3 && q[0] == '=' && q[1] == '"')
            return 1;
    }
    return 0;
}
