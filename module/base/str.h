/*
 * str.h -- length-carrying strings.
 *
 * Untrusted bytes travel with their length (STYLE §7): a struct str never
 * owns its bytes and is never assumed to be NUL-terminated.  Whoever made
 * the bytes (usually the request arena) owns them.
 */
#ifndef PROOFLINE_STR_H
#define PROOFLINE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct str {
    const char *p;
    size_t len;
};

/* A struct str over a string literal (length without the NUL). */
#define STR_LIT(s) ((struct str){ (s), sizeof(s) - 1 })
#define STR_NULL ((struct str){ NULL, 0 })

/* A struct str over a NUL-terminated C string that we trust (not wire
 * data).  NULL gives the empty null string. */
static inline struct str
str_c(const char *s)
{
    struct str r = { s, s != NULL ? strlen(s) : 0 };
    return r;
}

static inline bool
str_eq(struct str a, struct str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static inline bool
str_eq_c(struct str a, const char *c)
{
    return str_eq(a, str_c(c));
}

/* ASCII case-insensitive comparison. */
bool str_eq_nocase(struct str a, struct str b);

/* True when a begins with the given prefix. */
static inline bool
str_has_prefix(struct str a, struct str prefix)
{
    return a.len >= prefix.len &&
           (prefix.len == 0 || memcmp(a.p, prefix.p, prefix.len) == 0);
}

/* Strip ASCII spaces and tabs at both ends. */
struct str str_trim(struct str s);

/* Find byte c in s; returns its offset or -1 when absent. */
long str_find_byte(struct str s, char c);

/* Split s at the first c: *head gets the part before, *tail the part after
 * it.  Returns false (head = s, tail empty) when c does not occur. */
bool str_split(struct str s, char c, struct str *head, struct str *tail);

/* One UTF-8 sequence, read strictly: no overlong forms, surrogates or code
 * points past U+10FFFF. */
struct utf8_char {
    uint32_t cp;  /* the code point; U+FFFD when !ok */
    unsigned len; /* ok: the character's bytes; else the maximal ill-formed
                     subpart (at least 1), what one U+FFFD replaces */
    bool ok;
    bool cut; /* !ok only because the input ended inside the character */
};

/* The sequence that starts s (n >= 1 bytes). */
struct utf8_char utf8_next(const unsigned char *s, size_t n);

/* Encode code point cp (at most U+10FFFF) into out; returns its bytes. */
size_t utf8_put(char out[4], uint32_t cp);

/* True when the bytes are valid UTF-8 (no overlongs, no surrogates, nothing
 * above U+10FFFF). */
int utf8_valid(const char *p, size_t n);

/* The length of s (len bytes of UTF-8) cut to at most max bytes at a whole
 * character: what fits a column or a message limit. */
size_t utf8_cut(const char *s, size_t len, size_t max);

#endif
