/*
 * qr_scan.c -- QR codes read from an uploaded image with libvips and zbar
 * (qr_scan.h).
 *
 * libvips does everything that parses the file; zbar only ever sees a
 * grey pixel buffer whose size we chose, so a hostile file meets the
 * same loaders and limits as a photo does.
 */
#include "sales/qr_scan.h"

#include <stdbool.h>
#include <string.h>

#include <zbar.h>

#include "base/log.h"
#include "base/str.h"
#include "base/textenc.h"
#include "sales/image_vips.h"
#include "sales/photo_image.h"

/* An image as 8-bit grey, one byte a pixel, rows without padding, in
 * memory from g_malloc (what zbar calls Y800). */
struct grey {
    unsigned char *px;
    unsigned w, h;
};

/* The image at path scaled to px on its longest side (size says whether
 * it may grow), upright, any alpha on white, as grey into g; the caller
 * g_frees g->px.  APP_EVALIDATION when libvips cannot decode it. */
APP_MUST_USE static enum app_err
grey_load(const char *path, int px, VipsSize size, struct grey *g)
{
    VipsImage *t = NULL, *f = NULL, *b = NULL, *u = NULL;
    size_t len = 0;
    enum app_err rc = APP_EVALIDATION;

    memset(g, 0, sizeof(*g));
    /* vips_thumbnail turns the image by its EXIF orientation and shrinks
     * on load where the format allows.  The pixels are made only by
     * write_to_memory below, which reads every compressed byte: a file
     * truncated or corrupt anywhere fails there. */
    if (vips_thumbnail(path, &t, px, "height", px, "size", size, "fail_on",
                       VIPS_FAIL_ON_ERROR, NULL) != 0 ||
        (f = image_vips_flat(t)) == NULL ||
        vips_colourspace(f, &b, VIPS_INTERPRETATION_B_W, NULL) != 0 ||
        vips_cast_uchar(b, &u, NULL) != 0 || u->Bands != 1)
        goto out;
    g->px = vips_image_write_to_memory(u, &len);
    if (g->px == NULL)
        goto out;
    if (len != (size_t)u->Xsize * (size_t)u->Ysize) {
        g_free(g->px);
        g->px = NULL;
        rc = APP_EINTERNAL;
        goto out;
    }
    g->w = (unsigned)u->Xsize;
    g->h = (unsigned)u->Ysize;
    rc = APP_OK;
out:
    if (u != NULL)
        g_object_unref(u);
    if (b != NULL)
        g_object_unref(b);
    if (f != NULL)
        g_object_unref(f);
    if (t != NULL)
        g_object_unref(t);
    return rc;
}

/* A scanner for QR codes only, handing back the bytes as they are coded
 * (see qr_scan.h on why zbar's own text guess is not used); NULL when
 * zbar fails. */
static zbar_image_scanner_t *
scanner_new(void)
{
    zbar_image_scanner_t *s = zbar_image_scanner_create();

    if (s == NULL)
        return NULL;
    if (zbar_image_scanner_set_config(s, ZBAR_NONE, ZBAR_CFG_ENABLE, 0) != 0 ||
        zbar_image_scanner_set_config(s, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1) !=
            0 ||
        zbar_image_scanner_set_config(s, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1) !=
            0) {
        log_error("qr_scan.zbar_config", "zbar refused its settings");
        zbar_image_scanner_destroy(s);
        return NULL;
    }
    return s;
}

/* The text of one code's len bytes at p into *text (arena), or *text =
 * NULL when they are not text: neither UTF-8 nor GB18030, or holding a
 * NUL (an incomplete structured append is joined with NULs). */
APP_MUST_USE static enum app_err
code_text(struct arena *a, const char *p, size_t len, const char **text)
{
    struct textenc_result res;
    size_t max_out, keep;
    enum app_err rc;

    *text = NULL;
    /* Room for any GB18030 text (at most 3 UTF-8 bytes for 2); len is
     * zbar's unsigned int, so this cannot overflow, checked anyway. */
    if (__builtin_mul_overflow(len, (size_t)2, &max_out) ||
        __builtin_add_overflow(max_out, (size_t)4, &max_out))
        return APP_OK;
    rc = textenc_decode(a, (struct str){ p, len }, TEXTENC_AUTO, max_out, &res,
                        NULL);
    if (rc == APP_ENOMEM)
        return rc;
    if (rc != APP_OK) {
        log_info("qr_scan.not_text", "a code of %zu bytes left out", len);
        return APP_OK;
    }
    keep = utf8_cut(res.text.p, res.text.len, QR_SCAN_TEXT_MAX);
    *text = arena_strndup(a, res.text.p, keep);
    return *text != NULL ? APP_OK : APP_ENOMEM;
}

/* Add the codes zbar found in z to out, up to QR_SCAN_MAX. */
APP_MUST_USE static enum app_err
collect(struct arena *a, const zbar_image_t *z, struct qr_scan *out)
{
    const zbar_symbol_t *sym;
    const char *text;
    enum app_err rc;

    for (sym = zbar_image_first_symbol(z); sym != NULL && out->n < QR_SCAN_MAX;
         sym = zbar_symbol_next(sym)) {
        if (zbar_symbol_get_type(sym) != ZBAR_QRCODE)
            continue;
        rc = code_text(a, zbar_symbol_get_data(sym),
                       zbar_symbol_get_data_length(sym), &text);
        if (rc != APP_OK)
            return rc;
        if (text != NULL)
            out->text[out->n++] = text;
    }
    return APP_OK;
}

/* One pass: the image at path at px (see grey_load), scanned.  *found
 * says whether zbar decoded any code, text or not: a code that is not
 * text would not become text at another scale. */
APP_MUST_USE static enum app_err
scan_pass(struct arena *a, zbar_image_scanner_t *s, const char *path, int px,
          VipsSize size, struct qr_scan *out, bool *found)
{
    struct grey g;
    zbar_image_t *z;
    int n;
    enum app_err rc;

    *found = false;
    rc = grey_load(path, px, size, &g);
    if (rc != APP_OK)
        return rc;
    z = zbar_image_create();
    if (z == NULL) {
        g_free(g.px);
        return APP_ENOMEM;
    }
    zbar_image_set_format(z, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(z, g.w, g.h);
    /* No cleanup handler: the pixels are ours, freed after the image. */
    zbar_image_set_data(z, g.px, (unsigned long)g.w * g.h, NULL);
    n = zbar_scan_image(s, z);
    if (n < 0) {
        rc = APP_EINTERNAL;
    } else {
        *found = n > 0;
        rc = collect(a, z, out);
    }
    zbar_image_destroy(z);
    g_free(g.px);
    return rc;
}

/* The longest side of the second pass for an image whose longest side is
 * longest: its own size when the first pass shrank it, else twice it;
 * never beyond QR_SCAN_RETRY_PX. */
static int
retry_px(int longest)
{
    long px = longest > QR_SCAN_PX ? (long)longest : 2L * longest;

    return px < QR_SCAN_RETRY_PX ? (int)px : QR_SCAN_RETRY_PX;
}

enum app_err
qr_scan_file(struct arena *a, const char *path, struct qr_scan *out)
{
    zbar_image_scanner_t *s;
    VipsImage *in;
    int longest;
    bool found = false;
    enum app_err rc = APP_OK;

    memset(out, 0, sizeof(*out));
    if (!image_vips_ready())
        return APP_EINTERNAL;
    /* The header only: nothing is decoded before the size is known. */
    in = image_vips_header(path);
    if (in == NULL)
        return APP_EVALIDATION;
    longest = in->Xsize > in->Ysize ? in->Xsize : in->Ysize;
    if ((long)in->Xsize * (long)in->Ysize > PHOTO_PIXELS_MAX)
        rc = APP_ETOOBIG;
    g_object_unref(in);
    if (rc != APP_OK)
        return rc;

    s = scanner_new();
    if (s == NULL)
        return APP_EINTERNAL;
    rc = scan_pass(a, s, path, QR_SCAN_PX, VIPS_SIZE_DOWN, out, &found);
    if (rc == APP_OK && !found)
        rc = scan_pass(a, s, path, retry_px(longest), VIPS_SIZE_BOTH, out,
                       &found);
    zbar_image_scanner_destroy(s);
    vips_error_clear();
    if (rc != APP_OK)
        out->n = 0;
    return rc;
}
