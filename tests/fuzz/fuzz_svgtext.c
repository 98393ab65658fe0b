/*
 * fuzz_svgtext.c -- libFuzzer target for svgtext_out()/svgtext_cols(), the
 * text that goes raw into the decision chain's SVG.  The first byte is the
 * column budget, the rest the text.  Whatever the input, the output must be
 * valid UTF-8 with no markup character outside the five entities, no
 * control or bidi-override character, and (for budgets that can hold the
 * ellipsis) no wider than the budget; a plain short text comes out as is.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "http/parse.h"
#include "base/svgtext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_xml(const char *p, size_t n)
{
    static const char *const ents[] = { "&amp;", "&lt;", "&gt;", "&quot;",
                                        "&#39;" };
    size_t i, k;

    if (!utf8_valid(p, n))
        abort();
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        if (c < 0x20 || c == 0x7F || c == '<' || c == '>' || c == '"' ||
            c == '\'')
            abort();
        if (c == '&') {
            for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++)
                if (strncmp(p + i, ents[k], strlen(ents[k])) == 0)
                    break;
            if (k == sizeof(ents) / sizeof(ents[0]))
                abort();
        }
        /* U+0080..U+009F (C2 80..C2 9F), U+2028/2029 and the bidi
         * embeddings, overrides and isolates (E2 80 A8..AE, E2 81 A6..A9). */
        if (c == 0xC2 && i + 1 < n && (unsigned char)p[i + 1] <= 0x9F)
            abort();
        if (c == 0xE2 && i + 2 < n && (unsigned char)p[i + 1] == 0x80 &&
            (unsigned char)p[i + 2] >= 0xA8 && (unsigned char)p[i + 2] <= 0xAE)
            abort();
        if (c == 0xE2 && i + 2 < n && (unsigned char)p[i + 1] == 0x81 &&
            (unsigned char)p[i + 2] >= 0xA6 && (unsigned char)p[i + 2] <= 0xA9)
            abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf b;
    struct str s;
    unsigned max, cols;
    char *copy;
    size_t i;
    int plain = 1;

    if (size == 0)
        return 0;
    max = data[0];
    copy = malloc(size);
    if (copy == NULL)
        abort();
    memcpy(copy, data + 1, size - 1);
    s.p = copy;
    s.len = size - 1;
    buf_init(&b, NULL, 1u << 20);
    if (svgtext_out(&b, s, max) != APP_OK)
        abort();
    check_xml(b.p != NULL ? b.p : "", b.len);
    cols = svgtext_cols(s, max);
    if (max >= SVGTEXT_ELLIPSIS_COLS && cols > max)
        abort();
    for (i = 0; i < s.len; i++)
        if (!((copy[i] >= 'a' && copy[i] <= 'z') ||
              (copy[i] >= '0' && copy[i] <= '9')))
            plain = 0;
    if (plain && s.len <= max &&
        (b.len != s.len || (s.len > 0 && memcmp(b.p, copy, s.len) != 0) ||
         cols != s.len))
        abort();
    buf_free(&b);
    free(copy);
    return 0;
}
