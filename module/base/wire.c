/*
 * wire.c -- the encodings of untrusted text, one implementation each (see
 * wire.h).
 */
#include "base/wire.h"

#include <string.h>

/* --- percent-coding --------------------------------------------------------
 */

int
wire_hexval(char ch)
{
    unsigned char c = (unsigned char)ch;

    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool
wire_pct_valid(struct str s, size_t *decoded)
{
    size_t i, n = 0;

    for (i = 0; i < s.len; i++, n++) {
        if (s.p[i] != '%')
            continue;
        if (s.len - i < 3 || wire_hexval(s.p[i + 1]) < 0 ||
            wire_hexval(s.p[i + 2]) < 0)
            return false;
        i += 2;
    }
    if (decoded != NULL)
        *decoded = n;
    return true;
}

size_t
wire_pct_decode(struct str s, bool plus_space, char *dst)
{
    size_t i, n = 0;

    for (i = 0; i < s.len; i++) {
        char c = s.p[i];

        if (c == '+' && plus_space) {
            c = ' ';
        } else if (c == '%') {
            c = (char)(wire_hexval(s.p[i + 1]) * 16 + wire_hexval(s.p[i + 2]));
            i += 2;
        }
        dst[n++] = c;
    }
    dst[n] = '\0';
    return n;
}

enum app_err
wire_pct_encode(struct buf *b, const char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;
    enum app_err rc = APP_OK;

    for (i = 0; i < n && rc == APP_OK; i++) {
        unsigned char c = (unsigned char)p[i];

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
            c == '~') {
            rc = buf_putc(b, (char)c);
        } else {
            char enc[3] = { '%', hex[c >> 4], hex[c & 15] };

            rc = buf_append(b, enc, 3);
        }
    }
    return rc;
}

/* --- HTTP tokens and quoted strings ----------------------------------------
 */

bool
wire_tchar(char ch)
{
    unsigned char c = (unsigned char)ch;

    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

size_t
wire_token_len(struct str s, size_t i)
{
    size_t j = i;

    while (j < s.len && wire_tchar(s.p[j]))
        j++;
    return j - i;
}

size_t
wire_skip_ows(struct str s, size_t i)
{
    while (i < s.len && (s.p[i] == ' ' || s.p[i] == '\t'))
        i++;
    return i;
}

/* qdtext and the escaped byte of a quoted-pair: HTAB, SP, VCHAR and
 * obs-text, i.e. anything but controls and DEL. */
static bool
qtext(char ch)
{
    unsigned char c = (unsigned char)ch;

    return c == '\t' || (c >= 0x20 && c != 0x7F);
}

/* Whether the backslash at s.p[j] escapes the byte after it. */
static bool
escapes(struct str s, size_t j, enum wire_quoting how)
{
    if (j + 1 >= s.len)
        return false;
    if (how == WIRE_QUOTED_BROWSER)
        return s.p[j + 1] == '"' || s.p[j + 1] == '\\';
    return true;
}

enum app_err
wire_quoted(struct arena *a, struct str s, size_t *i, enum wire_quoting how,
            struct str *out)
{
    size_t j = *i + 1, n = 0, k;
    char *d;

    if (*i >= s.len || s.p[*i] != '"')
        return APP_EINVAL;
    /* First pass: find the closing quote and measure. */
    while (j < s.len && s.p[j] != '"') {
        if (s.p[j] == '\\' && escapes(s, j, how)) {
            if (how == WIRE_QUOTED_STRICT && !qtext(s.p[j + 1]))
                return APP_EINVAL;
            j++;
        } else if (how == WIRE_QUOTED_STRICT &&
                   (s.p[j] == '\\' || !qtext(s.p[j]))) {
            return APP_EINVAL; /* a backslash at the end, or a control */
        }
        j++;
        n++;
    }
    if (j >= s.len)
        return APP_EINVAL;
    if (out != NULL) {
        d = arena_alloc(a, n + 1);
        if (d == NULL)
            return APP_ENOMEM;
        n = 0;
        for (k = *i + 1; k < j; k++) {
            if (s.p[k] == '\\' && escapes(s, k, how))
                k++;
            d[n++] = s.p[k];
        }
        d[n] = '\0';
        out->p = d;
        out->len = n;
    }
    *i = j + 1;
    return APP_OK;
}

/* --- SQL LIKE ---------------------------------------------------------------
 */

const char *
wire_like_contains(struct arena *a, struct str text)
{
    struct buf b;
    size_t i;
    enum app_err rc;

    /* Room for every byte escaped and the two wildcards: only running out
     * of memory can fail. */
    buf_init(&b, a, text.len * 2 + 3);
    rc = buf_putc(&b, '%');
    for (i = 0; i < text.len && rc == APP_OK; i++) {
        if (text.p[i] == '%' || text.p[i] == '_' || text.p[i] == '\\')
            rc = buf_putc(&b, '\\');
        if (rc == APP_OK)
            rc = buf_putc(&b, text.p[i]);
    }
    if (rc == APP_OK)
        rc = buf_putc(&b, '%');
    return rc == APP_OK ? b.p : NULL;
}

/* --- token charsets --------------------------------------------------------
 */

bool
wire_b64url_token(const char *s, size_t n, size_t len)
{
    size_t i;

    if (s == NULL || n != len)
        return false;
    for (i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return true;
}

bool
wire_local_path(const char *p, size_t n)
{
    size_t i;

    if (n == 0 || n > WIRE_LOCAL_PATH_MAX || p[0] != '/')
        return false;
    if (n > 1 && (p[1] == '/' || p[1] == '\\'))
        return false;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        if (c < 0x21 || c == 0x7f || c == '\\')
            return false;
    }
    return true;
}
