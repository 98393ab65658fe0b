/*
 * qr_scan_test.c -- qr_scan_file() on files made here: files that are not
 * images first (not an image, empty, truncated PNG and JPEG, a PNG with
 * a broken body, a header past the pixel cap, no file), then QR codes
 * drawn with libqrencode and saved with libvips, read back to the exact
 * text: a licence URL with Chinese, a credit code, turned 90 and 30
 * degrees, in JPEG, on transparency, 16-bit, too small for the first
 * pass (shrunk too far, or modules of 1.5 px), blurred past reading,
 * several in one picture, GBK, bytes that are not text, and text cut at
 * QR_SCAN_TEXT_MAX.  Then an arena that fails, and a few hundred damaged
 * files that must fail cleanly (also under ASan/UBSan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>
#include <qrencode.h>
#include <zlib.h>

#include "base/arena.h"
#include "base/rng.h"
#include "base/str.h"
#include "sales/image_vips.h"
#include "sales/photo_image.h"
#include "sales/qr_scan.h"

#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

#define LICENCE                                                                \
    "https://www.gsxt.gov.cn/verify?uniscid=91310000MA1FL1234X&name="          \
    "上海示例医疗器械有限公司"
#define CREDIT "91310000MA1FL1234X"
/* 上海示例医疗器械有限公司 in GBK (iconv -f utf-8 -t gbk | xxd). */
#define NAME_GBK                                                               \
    "\xc9\xcf\xba\xa3\xca\xbe\xc0\xfd\xd2\xbd\xc1\xc6\xc6\xf7\xd0\xb5\xd3\xd0" \
    "\xcf\xde\xb9\xab\xcb\xbe"
#define NAME_UTF8 "上海示例医疗器械有限公司"

/* A text (see struct text), a list of them, and the empty list: macros
 * so that a row stays a few lines. */
#define T(pad, s)                                                              \
    {                                                                          \
        (pad), (s)                                                             \
    }
#define L(...)                                                                 \
    {                                                                          \
        __VA_ARGS__                                                            \
    }
#define NONE T(0, NULL)

static char tmpdir[64];

/* A text: pad copies of 'a', then s. */
struct text {
    size_t pad;
    const char *s;
};

enum src {
    SRC_CODES,      /* codes drawn, shaped, saved as ext */
    SRC_BYTES,      /* the file holds code[0] as it is */
    SRC_TRUNC,      /* codes drawn and saved as ext, cut after half the bytes */
    SRC_BROKEN_PNG, /* a PNG signature and header, then noise */
    SRC_HUGE,       /* a PNG header of 20000 x 20000 pixels */
    SRC_MISSING,    /* no file at all */
    SRC_NOISE,      /* grey noise: edges everywhere, no code */
};

enum shape {
    SH_PLAIN,  /* the code with its quiet zone */
    SH_ROT90,  /* turned 90 degrees */
    SH_ROT30,  /* turned 30 degrees, corners white */
    SH_BLUR,   /* Gaussian blur of three modules */
    SH_CORNER, /* in the corner of a 3800 x 400 strip */
    SH_X15,    /* resized to 1.5 times: modules 1.5 px when drawn at 1 */
    SH_ALPHA,  /* black on transparent, RGBA */
    SH_GREY16, /* 16-bit grey */
};

struct row {
    const char *name;
    enum src src;
    const char *ext;
    enum shape shape;
    int module;          /* pixels per module */
    QRecLevel level;     /* error correction */
    struct text code[5]; /* drawn left to right; .s NULL ends */
    enum app_err want;
    size_t want_n;
    struct text want_text[QR_SCAN_MAX]; /* in any order */
};

static const struct row rows[] = {
    /* Not images. */
    { "not an image", SRC_BYTES, ".png", SH_PLAIN, 0, QR_ECLEVEL_M,
      L(T(0, "licence number 91310000MA1FL1234X\n")), APP_EVALIDATION, 0,
      L(NONE) },
    { "empty file", SRC_BYTES, ".jpg", SH_PLAIN, 0, QR_ECLEVEL_M, L(T(0, "")),
      APP_EVALIDATION, 0, L(NONE) },
    { "truncated PNG", SRC_TRUNC, ".png", SH_PLAIN, 6, QR_ECLEVEL_M,
      L(T(0, LICENCE)), APP_EVALIDATION, 0, L(NONE) },
    { "truncated JPEG", SRC_TRUNC, ".jpg", SH_PLAIN, 6, QR_ECLEVEL_M,
      L(T(0, LICENCE)), APP_EVALIDATION, 0, L(NONE) },
    { "PNG header, noise body", SRC_BROKEN_PNG, ".png", SH_PLAIN, 0,
      QR_ECLEVEL_M, L(NONE), APP_EVALIDATION, 0, L(NONE) },
    { "header past the pixel cap", SRC_HUGE, ".png", SH_PLAIN, 0, QR_ECLEVEL_M,
      L(NONE), APP_ETOOBIG, 0, L(NONE) },
    { "no such file", SRC_MISSING, ".png", SH_PLAIN, 0, QR_ECLEVEL_M, L(NONE),
      APP_EVALIDATION, 0, L(NONE) },
    /* Nothing to read: not an error. */
    { "no code", SRC_NOISE, ".jpg", SH_PLAIN, 0, QR_ECLEVEL_M, L(NONE), APP_OK,
      0, L(NONE) },
    { "blurred past reading", SRC_CODES, ".png", SH_BLUR, 6, QR_ECLEVEL_M,
      L(T(0, LICENCE)), APP_OK, 0, L(NONE) },
    { "bytes that are no text", SRC_CODES, ".png", SH_PLAIN, 6, QR_ECLEVEL_M,
      L(T(0, "\xff\xfe\x80\x81 binary")), APP_OK, 0, L(NONE) },
    /* Codes read back exactly. */
    { "licence URL, PNG", SRC_CODES, ".png", SH_PLAIN, 6, QR_ECLEVEL_M,
      L(T(0, LICENCE)), APP_OK, 1, L(T(0, LICENCE)) },
    { "licence URL, JPEG", SRC_CODES, ".jpg", SH_PLAIN, 6, QR_ECLEVEL_M,
      L(T(0, LICENCE)), APP_OK, 1, L(T(0, LICENCE)) },
    { "credit code", SRC_CODES, ".png", SH_PLAIN, 6, QR_ECLEVEL_M,
      L(T(0, CREDIT)), APP_OK, 1, L(T(0, CREDIT)) },
    { "turned 90 degrees", SRC_CODES, ".png", SH_ROT90, 6, QR_ECLEVEL_M,
      L(T(0, LICENCE)), APP_OK, 1, L(T(0, LICENCE)) },
    { "turned 30 degrees", SRC_CODES, ".png", SH_ROT30, 6, QR_ECLEVEL_M,
      L(T(0, LICENCE)), APP_OK, 1, L(T(0, LICENCE)) },
    { "turned 30 degrees, JPEG", SRC_CODES, ".jpg", SH_ROT30, 6, QR_ECLEVEL_M,
      L(T(0, CREDIT)), APP_OK, 1, L(T(0, CREDIT)) },
    { "black on transparent", SRC_CODES, ".png", SH_ALPHA, 6, QR_ECLEVEL_M,
      L(T(0, CREDIT)), APP_OK, 1, L(T(0, CREDIT)) },
    { "16-bit grey", SRC_CODES, ".png", SH_GREY16, 6, QR_ECLEVEL_M,
      L(T(0, CREDIT)), APP_OK, 1, L(T(0, CREDIT)) },
    /* Shrunk to 2000 px, modules of 2 px become 1 px: read at full size. */
    { "small in a wide strip: second pass", SRC_CODES, ".png", SH_CORNER, 2,
      QR_ECLEVEL_M, L(T(0, LICENCE)), APP_OK, 1, L(T(0, LICENCE)) },
    /* zbar misses modules of 1.5 px; at twice the size it reads them. */
    { "tiny, 1.5 px modules: second pass at 2x", SRC_CODES, ".png", SH_X15, 1,
      QR_ECLEVEL_M, L(T(0, LICENCE)), APP_OK, 1, L(T(0, LICENCE)) },
    /* zbar's own guess reads these six bytes as Shift-JIS. */
    { "short UTF-8 Chinese", SRC_CODES, ".png", SH_PLAIN, 6, QR_ECLEVEL_M,
      L(T(0, "上海")), APP_OK, 1, L(T(0, "上海")) },
    { "GBK", SRC_CODES, ".png", SH_PLAIN, 6, QR_ECLEVEL_M, L(T(0, NAME_GBK)),
      APP_OK, 1, L(T(0, NAME_UTF8)) },
    { "two codes", SRC_CODES, ".png", SH_PLAIN, 6, QR_ECLEVEL_M,
      L(T(0, LICENCE), T(0, CREDIT)), APP_OK, 2,
      L(T(0, LICENCE), T(0, CREDIT)) },
    { "five codes, four reported", SRC_CODES, ".png", SH_PLAIN, 5, QR_ECLEVEL_M,
      L(T(0, "code 1"), T(0, "code 2"), T(0, "code 3"), T(0, "code 4"),
        T(0, "code 5")),
      APP_OK, QR_SCAN_MAX, L(NONE) },
    /* The cut: 2045 + 3 bytes fit exactly, the next character does not;
     * 2046 + 3 would not fit, so 上 goes too. */
    { "2051 bytes cut to 2048", SRC_CODES, ".png", SH_PLAIN, 3, QR_ECLEVEL_L,
      L(T(2045, "上海")), APP_OK, 1, L(T(2045, "上")) },
    { "2052 bytes cut inside a character", SRC_CODES, ".png", SH_PLAIN, 3,
      QR_ECLEVEL_L, L(T(2046, "上海")), APP_OK, 1, L(T(2046, "")) },
    { "2048 bytes kept whole", SRC_CODES, ".png", SH_PLAIN, 3, QR_ECLEVEL_L,
      L(T(2042, "上海")), APP_OK, 1, L(T(2042, "上海")) },
};

/* The row called name. */
static const struct row *
row_named(const char *name)
{
    size_t i;

    for (i = 0; i < NROWS(rows); i++)
        if (strcmp(rows[i].name, name) == 0)
            return &rows[i];
    fail_msg("no row %s", name);
    return NULL;
}

/* The text t as a malloc'd C string and its length. */
static char *
text_make(const struct text *t, size_t *len)
{
    size_t n = t->pad + strlen(t->s);
    char *p = malloc(n + 1);

    assert_non_null(p);
    memset(p, 'a', t->pad);
    memcpy(p + t->pad, t->s, strlen(t->s) + 1);
    if (len != NULL)
        *len = n;
    return p;
}

static void
write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* A QR code of text t, module px a module, black on white, 1 band. */
static VipsImage *
qr_draw(const struct text *t, int module, QRecLevel level)
{
    char *s = text_make(t, NULL);
    QRcode *c = QRcode_encodeString(s, 0, level, QR_MODE_8, 1);
    VipsImage *im;
    unsigned char *px;
    size_t side, x, y, w;

    assert_non_null(c);
    w = (size_t)c->width;
    side = (w + 8) * (size_t)module;
    px = malloc(side * side);
    assert_non_null(px);
    memset(px, 255, side * side);
    for (y = 0; y < side; y++)
        for (x = 0; x < side; x++) {
            size_t mx = x / (size_t)module, my = y / (size_t)module;

            if (mx >= 4 && my >= 4 && mx < w + 4 && my < w + 4 &&
                (c->data[(my - 4) * w + (mx - 4)] & 1) != 0)
                px[y * side + x] = 0;
        }
    im = vips_image_new_from_memory_copy(px, side * side, (int)side, (int)side,
                                         1, VIPS_FORMAT_UCHAR);
    assert_non_null(im);
    free(px);
    QRcode_free(c);
    free(s);
    return im;
}

/* The codes of a row side by side on white. */
static VipsImage *
codes_draw(const struct row *r)
{
    VipsImage *im[5], *out = NULL;
    VipsArrayDouble *white = vips_array_double_newv(1, 255.0);
    int n = 0, i;

    while (n < 5 && r->code[n].s != NULL) {
        im[n] = qr_draw(&r->code[n], r->module, r->level);
        n++;
    }
    assert_true(n > 0);
    if (n == 1) {
        out = im[0];
        g_object_ref(out);
    } else if (vips_arrayjoin(im, &out, n, "shim", 8 * r->module, "background",
                              white, "valign", VIPS_ALIGN_CENTRE, NULL) != 0) {
        fail_msg("arrayjoin: %s", vips_error_buffer());
    }
    for (i = 0; i < n; i++)
        g_object_unref(im[i]);
    vips_area_unref(VIPS_AREA(white));
    return out;
}

/* Black where im is black, transparent where it is white. */
static VipsImage *
alpha_of(VipsImage *im)
{
    VipsImage *ink = NULL, *alpha = NULL, *bands[4], *out = NULL;

    if (vips_black(&ink, im->Xsize, im->Ysize, NULL) != 0 ||
        vips_invert(im, &alpha, NULL) != 0)
        fail_msg("libvips: %s", vips_error_buffer());
    bands[0] = bands[1] = bands[2] = ink;
    bands[3] = alpha;
    if (vips_bandjoin(bands, &out, 4, NULL) != 0)
        fail_msg("libvips: %s", vips_error_buffer());
    g_object_unref(ink);
    g_object_unref(alpha);
    return out;
}

/* The row's picture made of im (a new reference). */
static VipsImage *
shaped(VipsImage *im, const struct row *r)
{
    VipsImage *out = NULL, *tmp = NULL;
    VipsArrayDouble *white = vips_array_double_newv(1, 255.0);

    switch (r->shape) {
    case SH_PLAIN:
        out = im;
        g_object_ref(out);
        break;
    case SH_ROT90:
        assert_int_equal(vips_rot(im, &out, VIPS_ANGLE_D90, NULL), 0);
        break;
    case SH_ROT30:
        assert_int_equal(
            vips_similarity(im, &out, "angle", 30.0, "background", white, NULL),
            0);
        break;
    case SH_BLUR:
        assert_int_equal(vips_gaussblur(im, &out, 3.0 * r->module, NULL), 0);
        break;
    case SH_CORNER:
        assert_int_equal(vips_embed(im, &out, 0, 0, 3800, 400, "extend",
                                    VIPS_EXTEND_WHITE, NULL),
                         0);
        break;
    case SH_X15:
        assert_int_equal(vips_resize(im, &out, 1.5, NULL), 0);
        break;
    case SH_ALPHA:
        out = alpha_of(im);
        break;
    case SH_GREY16:
        assert_int_equal(vips_linear1(im, &tmp, 257.0, 0.0, NULL), 0);
        assert_int_equal(vips_cast_ushort(tmp, &out, NULL), 0);
        g_object_unref(tmp);
        tmp = out;
        assert_int_equal(vips_copy(tmp, &out, "interpretation",
                                   VIPS_INTERPRETATION_GREY16, NULL),
                         0);
        g_object_unref(tmp);
        break;
    }
    vips_area_unref(VIPS_AREA(white));
    assert_non_null(out);
    return out;
}

static void
png_chunk(unsigned char *p, size_t *len, const char *type,
          const unsigned char *data, uint32_t n)
{
    uint32_t crc;
    unsigned char *c = p + *len;

    c[0] = (unsigned char)(n >> 24), c[1] = (unsigned char)(n >> 16);
    c[2] = (unsigned char)(n >> 8), c[3] = (unsigned char)n;
    memcpy(c + 4, type, 4);
    if (n > 0)
        memcpy(c + 8, data, n);
    crc = (uint32_t)crc32(0, c + 4, 4 + n);
    c[8 + n] = (unsigned char)(crc >> 24),
          c[9 + n] = (unsigned char)(crc >> 16);
    c[10 + n] = (unsigned char)(crc >> 8), c[11 + n] = (unsigned char)crc;
    *len += 12 + n;
}

/* A PNG of w x h grey pixels whose one IDAT is noise (or none). */
static void
png_header_file(const char *path, uint32_t w, uint32_t h, int noise)
{
    unsigned char p[512], ihdr[13] = { 0 }, body[200];
    size_t len = 8, i;

    memcpy(p, "\x89PNG\r\n\x1a\n", 8);
    ihdr[0] = (unsigned char)(w >> 24), ihdr[1] = (unsigned char)(w >> 16);
    ihdr[2] = (unsigned char)(w >> 8), ihdr[3] = (unsigned char)w;
    ihdr[4] = (unsigned char)(h >> 24), ihdr[5] = (unsigned char)(h >> 16);
    ihdr[6] = (unsigned char)(h >> 8), ihdr[7] = (unsigned char)h;
    ihdr[8] = 8; /* bit depth; colour type 0: grey */
    png_chunk(p, &len, "IHDR", ihdr, 13);
    if (noise) {
        for (i = 0; i < sizeof(body); i++)
            body[i] = (unsigned char)(i * 131u + 7u);
        png_chunk(p, &len, "IDAT", body, sizeof(body));
    }
    png_chunk(p, &len, "IEND", NULL, 0);
    write_file(path, p, len);
}

/* Grey noise: a picture with edges everywhere and no code. */
static void
noise_file(const char *path)
{
    VipsImage *n = NULL, *u = NULL;

    if (vips_gaussnoise(&n, 900, 700, "mean", 128.0, "sigma", 40.0, NULL) !=
            0 ||
        vips_cast_uchar(n, &u, NULL) != 0 ||
        vips_image_write_to_file(u, path, NULL) != 0)
        fail_msg("libvips: %s", vips_error_buffer());
    g_object_unref(u);
    g_object_unref(n);
}

/* Draw the row's codes and save them at path (or cut them short). */
static void
codes_file(const struct row *r, const char *path)
{
    VipsImage *im = codes_draw(r), *out = shaped(im, r);
    void *buf = NULL;
    size_t len = 0;

    if (r->src == SRC_CODES) {
        if (vips_image_write_to_file(out, path, NULL) != 0)
            fail_msg("save %s: %s", path, vips_error_buffer());
    } else {
        if (vips_image_write_to_buffer(out, r->ext, &buf, &len, NULL) != 0)
            fail_msg("save %s: %s", r->ext, vips_error_buffer());
        write_file(path, buf, len / 2);
        g_free(buf);
    }
    g_object_unref(out);
    g_object_unref(im);
}

static void
make_file(const struct row *r, const char *path)
{
    switch (r->src) {
    case SRC_CODES:
    case SRC_TRUNC:
        codes_file(r, path);
        break;
    case SRC_BYTES:
        write_file(path, r->code[0].s, strlen(r->code[0].s));
        break;
    case SRC_BROKEN_PNG:
        png_header_file(path, 64, 64, 1);
        break;
    case SRC_HUGE:
        png_header_file(path, 20000, 20000, 1);
        break;
    case SRC_MISSING:
        break;
    case SRC_NOISE:
        noise_file(path);
        break;
    }
}

/* Every expected text of the row found once in got. */
static void
check_texts(const struct row *r, const struct qr_scan *got)
{
    int seen[QR_SCAN_MAX] = { 0 };
    size_t i, j;

    for (i = 0; i < QR_SCAN_MAX && r->want_text[i].s != NULL; i++) {
        size_t len;
        char *want = text_make(&r->want_text[i], &len);

        for (j = 0; j < got->n; j++)
            if (!seen[j] && strcmp(got->text[j], want) == 0)
                break;
        if (j == got->n)
            fail_msg("%s: text %zu (%zu bytes) not found", r->name, i, len);
        seen[j] = 1;
        free(want);
    }
}

static void
test_rows(void **state)
{
    size_t i, j;

    (void)state;
    for (i = 0; i < NROWS(rows); i++) {
        const struct row *r = &rows[i];
        struct arena *a = arena_new(4096, 1 << 20);
        struct qr_scan got;
        char path[128];
        enum app_err rc;

        assert_non_null(a);
        snprintf(path, sizeof(path), "%s/row%zu%s", tmpdir, i, r->ext);
        make_file(r, path);
        rc = qr_scan_file(a, path, &got);
        if (rc != r->want || got.n != r->want_n)
            fail_msg("%s: rc %s, n %zu; want %s, %zu", r->name,
                     app_strerror(rc), got.n, app_strerror(r->want), r->want_n);
        for (j = 0; j < got.n; j++) {
            assert_true(strlen(got.text[j]) <= QR_SCAN_TEXT_MAX);
            assert_true(utf8_valid(got.text[j], strlen(got.text[j])));
        }
        check_texts(r, &got);
        if (r->src != SRC_MISSING)
            assert_int_equal(unlink(path), 0);
        arena_free(a);
    }
}

/* The text's copy fails: APP_ENOMEM and nothing reported. */
static void
test_arena_failure(void **state)
{
    struct arena *a = arena_new(4096, 1 << 20);
    struct qr_scan got;
    char path[128];

    (void)state;
    assert_non_null(a);
    snprintf(path, sizeof(path), "%s/enomem.png", tmpdir);
    make_file(row_named("licence URL, PNG"), path);
    arena_fail_after(a, 1);
    assert_int_equal(qr_scan_file(a, path, &got), APP_ENOMEM);
    assert_int_equal(got.n, 0);
    arena_fail_after(a, 0);
    assert_int_equal(qr_scan_file(a, path, &got), APP_OK);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.text[0], LICENCE);
    assert_int_equal(unlink(path), 0);
    arena_free(a);
}

/* Damaged files (bytes overwritten, cut anywhere) fail cleanly or still
 * read; never a crash, never text that is not UTF-8.  The sanitizer
 * build runs this too. */
static void
test_damaged(void **state)
{
    static const char *const exts[] = { ".png", ".jpg", ".webp" };
    struct rng g;
    size_t e;

    (void)state;
    rng_seed(&g, 20240601);
    for (e = 0; e < NROWS(exts); e++) {
        struct row r = *row_named("credit code");
        VipsImage *im = codes_draw(&r);
        void *buf = NULL;
        size_t len = 0, k, j;
        char path[128];

        r.ext = exts[e];
        assert_int_equal(
            vips_image_write_to_buffer(im, r.ext, &buf, &len, NULL), 0);
        snprintf(path, sizeof(path), "%s/damaged%s", tmpdir, r.ext);
        for (k = 0; k < 120; k++) {
            unsigned char *p = malloc(len);
            size_t n = len, flips = 1 + rng_below(&g, 8);
            struct arena *a = arena_new(4096, 1 << 20);
            struct qr_scan got;
            enum app_err rc;

            assert_non_null(p);
            assert_non_null(a);
            memcpy(p, buf, len);
            for (j = 0; j < flips; j++)
                p[rng_below(&g, len)] = (unsigned char)rng_next(&g);
            if (k % 4 == 3)
                n = (size_t)rng_below(&g, len);
            write_file(path, p, n);
            rc = qr_scan_file(a, path, &got);
            assert_true(rc == APP_OK || rc == APP_EVALIDATION);
            for (j = 0; j < got.n; j++)
                assert_true(utf8_valid(got.text[j], strlen(got.text[j])));
            arena_free(a);
            free(p);
        }
        assert_int_equal(unlink(path), 0);
        g_free(buf);
        g_object_unref(im);
    }
}

static int
setup(void **state)
{
    (void)state;
    if (!image_vips_ready())
        return -1;
    memcpy(tmpdir, "/tmp/qr_scan_test_XXXXXX", 25);
    return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

/* The temporary directory and whatever a failed row left in it. */
static int
teardown(void **state)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    char path[512];

    (void)state;
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
        (void)unlink(path);
    }
    closedir(d);
    return rmdir(tmpdir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_arena_failure),
        cmocka_unit_test(test_damaged),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
