/*
 * svgtext.c -- text for server-rendered SVG: strict UTF-8 decoding,
 * cleaning (controls blanked, bidi overrides dropped), display widths and
 * XML escaping, and cutting to a budget of display columns with an
 * ellipsis.
 *
 * Widths of texts are unknown on the server; instead of measuring glyphs
 * every text is cut to a budget of display columns (CJK and other wide
 * characters count two, everything else one).
 */
#include "base/svgtext.h"

#include <stdint.h>
#include <string.h>

#define CP_DROP 0xFFFFFFFFu

/* The code point at p[*i], strictly; a malformed byte is consumed alone
 * and read as U+FFFD, so a cut can never fall inside a character. */
static uint32_t
u8_next(const unsigned char *p, size_t n, size_t *i)
{
    struct utf8_char c = utf8_next(p + *i, n - *i);

    *i += c.ok ? c.len : 1;
    return c.cp;
}

/* What a code point becomes in the picture: controls and line separators
 * are blanked, bidi embeddings/overrides/isolates dropped (they could
 * reorder what a reader sees around them), and the two BMP values XML
 * forbids replaced. */
static uint32_t
cp_clean(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029)
        return ' ';
    if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
        return CP_DROP;
    if (cp == 0xFFFE || cp == 0xFFFF)
        return 0xFFFD;
    return cp;
}

/* Display columns: 2 for East Asian wide and fullwidth characters (and the
 * common emoji blocks), 1 for the rest.  Zero-width characters count one,
 * which only cuts earlier and keeps the output bounded. */
static unsigned
cp_cols(uint32_t cp)
{
    static const struct {
        uint32_t lo, hi;
    } wide[] = {
        { 0x1100, 0x115F },   { 0x2E80, 0x303E },   { 0x3041, 0x33FF },
        { 0x3400, 0x4DBF },   { 0x4E00, 0x9FFF },   { 0xA000, 0xA4CF },
        { 0xAC00, 0xD7A3 },   { 0xF900, 0xFAFF },   { 0xFE30, 0xFE4F },
        { 0xFF00, 0xFF60 },   { 0xFFE0, 0xFFE6 },   { 0x1F300, 0x1F64F },
        { 0x1F900, 0x1F9FF }, { 0x20000, 0x3FFFD },
    };
    size_t i;

    if (cp < 0x1100)
        return 1;
    for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
        if (cp >= wide[i].lo && cp <= wide[i].hi)
            return 2;
    return 1;
}

/* How much of a text fits a budget of max columns. */
struct fit {
    size_t end;    /* bytes of s to emit */
    unsigned cols; /* columns of the emitted text, ellipsis included */
    bool cut;      /* an ellipsis follows */
};

static void
text_fit(struct str s, unsigned max, struct fit *f)
{
    const unsigned char *p = (const unsigned char *)s.p;
    size_t i = 0, fit_end = 0;
    unsigned cols = 0, fit_cols = 0;

    f->cut = false;
    while (i < s.len) {
        uint32_t cp = cp_clean(u8_next(p, s.len, &i));
        unsigned w = cp == CP_DROP ? 0 : cp_cols(cp);

        if (cols + w > max) {
            f->cut = true;
            break;
        }
        cols += w;
        if (cols + SVGTEXT_ELLIPSIS_COLS <= max) {
            fit_end = i;
            fit_cols = cols;
        }
    }
    if (f->cut) {
        f->end = fit_end;
        f->cols = fit_cols + SVGTEXT_ELLIPSIS_COLS;
    } else {
        f->end = s.len;
        f->cols = cols;
    }
}

/* Append the first end bytes of s cleaned and XML-escaped, through a small
 * stack buffer so a text costs a few buf_append calls, not one per byte. */
APP_MUST_USE static enum app_err
text_put(struct buf *b, struct str s, size_t end)
{
    const unsigned char *p = (const unsigned char *)s.p;
    char tmp[256];
    size_t i = 0, n = 0;
    enum app_err rc;

    while (i < end) {
        uint32_t cp = cp_clean(u8_next(p, end, &i));
        const char *rep;
        char enc[4];
        size_t k = 0;

        if (cp == CP_DROP)
            continue;
        rep = html_entity(cp);
        if (rep == NULL)
            k = utf8_put(enc, cp);
        if (n + 8 > sizeof(tmp)) { /* 8: the longest entity, "&quot;" */
            rc = buf_append(b, tmp, n);
            if (rc != APP_OK)
                return rc;
            n = 0;
        }
        if (rep != NULL) {
            k = strlen(rep);
            memcpy(tmp + n, rep, k);
        } else {
            memcpy(tmp + n, enc, k);
        }
        n += k;
    }
    return buf_append(b, tmp, n);
}

enum app_err
svgtext_out(struct buf *b, struct str s, unsigned max)
{
    struct fit f;
    enum app_err rc;

    text_fit(s, max, &f);
    rc = text_put(b, s, f.end);
    if (rc == APP_OK && f.cut)
        rc = buf_puts(b, SVGTEXT_ELLIPSIS);
    return rc;
}

unsigned
svgtext_cols(struct str s, unsigned max)
{
    struct fit f;

    text_fit(s, max, &f);
    return f.cols;
}
