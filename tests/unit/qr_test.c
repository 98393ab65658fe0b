/*
 * qr_test.c -- qr_svg(): refused inputs and buffer limits first, then the
 * SVG's shape, label escaping, and the drawn modules read back into a
 * bitmap and compared with libqrencode's own matrix.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <qrencode.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/qr.h"

#define BIG (1u << 20)

/* A text is either literal or `fill` repeated n times. */
struct text {
    const char *s; /* NULL: fill */
    char fill;
    size_t n;
};

static char *
text_make(const struct text *t)
{
    size_t n = t->s != NULL ? strlen(t->s) : t->n;
    char *p = malloc(n + 1);

    assert_non_null(p);
    if (t->s != NULL)
        memcpy(p, t->s, n);
    else
        memset(p, t->fill, n);
    p[n] = '\0';
    return p;
}

static size_t
count(const char *hay, const char *needle)
{
    size_t k = 0, nl = strlen(needle);
    const char *p = hay;

    while ((p = strstr(p, needle)) != NULL) {
        k++;
        p += nl;
    }
    return k;
}

struct refuse_row {
    const char *name;
    struct text text;
    const char *label;
    size_t max;
    int null_text;
    enum app_err want;
};

static const struct refuse_row refuse_rows[] = {
    { "NULL text", { "x", 0, 0 }, "QR", BIG, 1, APP_EINVAL },
    { "NULL label", { "x", 0, 0 }, NULL, BIG, 0, APP_EINVAL },
    { "empty text", { "", 0, 0 }, "QR", BIG, 0, APP_EINVAL },
    { "1025 bytes", { NULL, 'x', 1025 }, "QR", BIG, 0, APP_EINVAL },
    { "64 KiB", { NULL, 'x', 65536 }, "QR", BIG, 0, APP_EINVAL },
    { "max 0", { "x", 0, 0 }, "QR", 0, 0, APP_ETOOBIG },
    { "max 16", { "x", 0, 0 }, "QR", 16, 0, APP_ETOOBIG },
    { "max 200", { "x", 0, 0 }, "QR", 200, 0, APP_ETOOBIG },
    { "label over max", { "x", 0, 0 }, NULL, 600, 0, APP_ETOOBIG },
    /* boundary that passes */
    { "1024 bytes", { NULL, 'x', 1024 }, "QR", BIG, 0, APP_OK },
};

static void
test_qr_refused(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(refuse_rows) / sizeof(refuse_rows[0]); i++) {
        const struct refuse_row *r = &refuse_rows[i];
        char *text = text_make(&r->text), *biglabel = NULL;
        const char *label = r->label;
        struct buf b;
        enum app_err rc;

        if (label == NULL && r->want == APP_ETOOBIG) {
            biglabel = malloc(1001);
            assert_non_null(biglabel);
            memset(biglabel, '&', 1000);
            biglabel[1000] = '\0';
            label = biglabel;
        }
        buf_init(&b, NULL, r->max);
        if (r->max > 0)
            assert_int_equal(buf_puts(&b, ""), APP_OK);
        rc = qr_svg(r->null_text ? NULL : text, label, &b);
        if (rc != r->want)
            fail_msg("row %zu (%s): %s", i, r->name, app_strerror(rc));
        /* a refusal leaves the buffer as it was */
        if (rc != APP_OK && (b.len != 0 || (b.p != NULL && b.p[0] != '\0')))
            fail_msg("row %zu (%s): output left behind", i, r->name);
        buf_free(&b);
        free(biglabel);
        free(text);
    }
    assert_int_equal(qr_svg("x", "QR", NULL), APP_EINVAL);
}

/* The exact size of one rendering decides the limit: max = prefix + size
 * passes, one byte less fails and keeps the prefix intact. */
static void
test_qr_exact_max(void **state)
{
    static const char prefix[] = "<p>keep</p>";
    struct buf b;
    size_t plen = sizeof(prefix) - 1, svglen;

    (void)state;
    buf_init(&b, NULL, BIG);
    assert_int_equal(qr_svg("HELLO", "QR", &b), APP_OK);
    svglen = b.len;
    buf_free(&b);

    buf_init(&b, NULL, plen + svglen - 1);
    assert_int_equal(buf_puts(&b, prefix), APP_OK);
    assert_int_equal(qr_svg("HELLO", "QR", &b), APP_ETOOBIG);
    assert_int_equal(b.len, plen);
    assert_string_equal(b.p, prefix);
    buf_free(&b);

    buf_init(&b, NULL, plen + svglen);
    assert_int_equal(buf_puts(&b, prefix), APP_OK);
    assert_int_equal(qr_svg("HELLO", "QR", &b), APP_OK);
    assert_int_equal(b.len, plen + svglen);
    assert_memory_equal(b.p, prefix, plen);
    assert_int_equal(strncmp(b.p + plen, "<svg", 4), 0);
    buf_free(&b);
}

/* Arena allocations failing at each point give APP_ENOMEM and no
 * half-written <svg>. */
static void
test_qr_enomem(void **state)
{
    struct arena *a = arena_new(1024, BIG);
    unsigned n;
    int saw_enomem = 0, saw_ok = 0;

    (void)state;
    assert_non_null(a);
    for (n = 1; n <= 12; n++) {
        struct buf b;
        enum app_err rc;

        arena_reset(a);
        buf_init(&b, a, BIG);
        assert_int_equal(buf_puts(&b, "x"), APP_OK);
        arena_fail_after(a, n);
        rc = qr_svg("otpauth://totp/Proofline:a?secret=JBSWY3DPEHPK3PXP", "QR",
                    &b);
        arena_fail_after(a, 0);
        if (rc == APP_ENOMEM) {
            saw_enomem = 1;
            assert_int_equal(b.len, 1);
            assert_string_equal(b.p, "x");
        } else {
            assert_int_equal(rc, APP_OK);
            saw_ok = 1;
        }
    }
    assert_true(saw_enomem);
    assert_true(saw_ok);
    arena_free(a);
}

/* Read an unsigned decimal at *p, advancing it; -1 when there is none. */
static long
read_num(const char **p)
{
    long v = 0;
    int any = 0;

    while (**p >= '0' && **p <= '9' && v < 100000) {
        v = v * 10 + (**p - '0');
        (*p)++;
        any = 1;
    }
    return any ? v : -1;
}

static int
expect(const char **p, const char *lit)
{
    size_t n = strlen(lit);

    if (strncmp(*p, lit, n) != 0)
        return 0;
    *p += n;
    return 1;
}

/* Parse the path's "Mx yhLv1h-Lz" runs into a side x side bitmap. */
static void
path_bitmap(const char *svg, size_t side, unsigned char *bm)
{
    const char *p = strstr(svg, " d=\"");
    long x, y, len, back;
    size_t i;

    assert_non_null(p);
    p += 4;
    memset(bm, 0, side * side);
    while (*p != '"') {
        if (!expect(&p, "M"))
            fail_msg("path: expected M at '%.20s'", p);
        x = read_num(&p);
        if (x < 0 || !expect(&p, " "))
            fail_msg("path: bad x at '%.20s'", p);
        y = read_num(&p);
        if (y < 0 || !expect(&p, "h"))
            fail_msg("path: bad y at '%.20s'", p);
        len = read_num(&p);
        if (len <= 0 || !expect(&p, "v1h-"))
            fail_msg("path: bad run at '%.20s'", p);
        back = read_num(&p);
        if (back != len || !expect(&p, "z"))
            fail_msg("path: run not closed at '%.20s'", p);
        if ((size_t)y >= side || (size_t)(x + len) > side)
            fail_msg("path: run outside the viewBox");
        for (i = 0; i < (size_t)len; i++) {
            unsigned char *cell = &bm[(size_t)y * side + (size_t)x + i];

            if (*cell)
                fail_msg("path: module drawn twice");
            *cell = 1;
        }
    }
}

static const struct text matrix_rows[] = {
    { "A", 0, 0 },
    { "HELLO", 0, 0 },
    { "<&>\"'", 0, 0 },
    { "Gr\xc3\xbc\xc3\x9f"
      "e \xe6\x97\xa5\xe6\x9c\xac",
      0, 0 },
    { "otpauth://totp/Proofline:alice%40example.com?secret="
      "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Proofline",
      0, 0 },
    { NULL, 'z', 1024 },
};

static void
test_qr_matrix(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(matrix_rows) / sizeof(matrix_rows[0]); i++) {
        char *text = text_make(&matrix_rows[i]);
        QRcode *code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
        char want[64];
        unsigned char *bm;
        size_t w, side, x, y;
        struct buf b;

        assert_non_null(code);
        w = (size_t)code->width;
        assert_int_equal(w, (size_t)(4 * code->version + 17));
        side = w + 8;

        buf_init(&b, NULL, BIG);
        assert_int_equal(qr_svg(text, "Scan me", &b), APP_OK);
        assert_int_equal(strncmp(b.p, "<svg", 4), 0);
        assert_int_equal(count(b.p, "<svg"), 1);
        assert_int_equal(count(b.p, "</svg>"), 1);
        assert_int_equal(count(b.p, "<path"), 1);
        assert_int_equal(count(b.p, "<rect"), 1);
        assert_true(b.len >= 6);
        assert_string_equal(b.p + b.len - 6, "</svg>");
        assert_int_equal(strlen(b.p), b.len);
        snprintf(want, sizeof(want), "viewBox=\"0 0 %zu %zu\"", side, side);
        if (strstr(b.p, want) == NULL)
            fail_msg("row %zu: no %s", i, want);
        assert_non_null(strstr(b.p, "shape-rendering=\"crispEdges\""));
        assert_non_null(strstr(b.p, "role=\"img\""));
        assert_non_null(strstr(b.p, "aria-label=\"Scan me\""));
        assert_non_null(strstr(b.p, "xmlns=\"http://www.w3.org/2000/svg\""));

        bm = malloc(side * side);
        assert_non_null(bm);
        path_bitmap(b.p, side, bm);
        for (y = 0; y < side; y++) {
            for (x = 0; x < side; x++) {
                int inside = x >= 4 && y >= 4 && x < w + 4 && y < w + 4;
                int dark = inside && (code->data[(y - 4) * w + (x - 4)] & 1);

                if (bm[y * side + x] != dark)
                    fail_msg("row %zu: module (%zu,%zu) is %d, want %d", i, x,
                             y, bm[y * side + x], dark);
            }
        }
        free(bm);
        buf_free(&b);
        QRcode_free(code);
        free(text);
    }
}

struct label_row {
    const char *label;
    const char *want; /* the aria-label attribute as written */
};

static const struct label_row label_rows[] = {
    { "<script>alert(1)</script>",
      "aria-label=\"&lt;script&gt;alert(1)&lt;/script&gt;\"" },
    { "\" onload=\"x", "aria-label=\"&quot; onload=&quot;x\"" },
    { "a & b's", "aria-label=\"a &amp; b&#39;s\"" },
    { "", "aria-label=\"\"" },
    { "Two-factor QR", "aria-label=\"Two-factor QR\"" },
};

static void
test_qr_label(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(label_rows) / sizeof(label_rows[0]); i++) {
        struct buf b;

        buf_init(&b, NULL, BIG);
        assert_int_equal(qr_svg("HELLO", label_rows[i].label, &b), APP_OK);
        if (strstr(b.p, label_rows[i].want) == NULL)
            fail_msg("row %zu: no %s", i, label_rows[i].want);
        assert_null(strstr(b.p, "<script"));
        assert_null(strstr(b.p, "\" onload"));
        buf_free(&b);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qr_refused), cmocka_unit_test(test_qr_exact_max),
        cmocka_unit_test(test_qr_enomem),  cmocka_unit_test(test_qr_matrix),
        cmocka_unit_test(test_qr_label),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
