/*
 * photo_image.c -- decode, thumbnail and hash an uploaded photo with
 * libvips (photo_image.h).
 */
#include "sales/photo_image.h"

#include <string.h>

#include <vips/vips.h>

#include "sales/image_vips.h"

static const void *
copy_out(struct arena *a, const void *p, size_t n)
{
    void *q = arena_alloc(a, n > 0 ? n : 1);

    if (q != NULL)
        memcpy(q, p, n);
    return q;
}

/* The difference hash of an image: 9x8 grey pixels, one bit per
 * neighbour pair (is the left one darker).  A flat or nearly flat
 * picture says little: no hash when fewer than 8 bits differ from the
 * majority. */
static bool
dhash(VipsImage *in, uint64_t *out)
{
    VipsImage *small = NULL, *grey = NULL, *bytes = NULL;
    unsigned char *px = NULL;
    size_t len = 0;
    uint64_t h = 0;
    int x, y, ones;
    bool ok = false;

    if (vips_thumbnail_image(in, &small, 9, "height", 8, "size",
                             VIPS_SIZE_FORCE, NULL) == 0 &&
        vips_colourspace(small, &grey, VIPS_INTERPRETATION_B_W, NULL) == 0 &&
        vips_cast_uchar(grey, &bytes, NULL) == 0 &&
        (px = vips_image_write_to_memory(bytes, &len)) != NULL &&
        len >= (size_t)72 * (size_t)bytes->Bands) {
        int bands = bytes->Bands;

        for (y = 0; y < 8; y++)
            for (x = 0; x < 8; x++) {
                unsigned char l = px[(y * 9 + x) * bands];
                unsigned char r = px[(y * 9 + x + 1) * bands];

                h = (h << 1) | (l < r ? 1u : 0u);
            }
        ones = __builtin_popcountll(h);
        ok = ones >= 8 && ones <= 56;
        *out = h;
    }
    g_free(px);
    if (small != NULL)
        g_object_unref(small);
    if (grey != NULL)
        g_object_unref(grey);
    if (bytes != NULL)
        g_object_unref(bytes);
    return ok;
}

/* The thumbnail as JPEG bytes in the arena, and the hash from it. */
APP_MUST_USE static enum app_err
thumbnail(struct arena *a, const char *path, struct photo_image *out)
{
    VipsImage *t = NULL, *f = NULL, *m = NULL;
    void *buf = NULL;
    size_t len = 0;
    enum app_err rc = APP_EVALIDATION;

    /* Rendered into memory once: both the JPEG and the hash read it (the
     * file is read sequentially, only once).  Every compressed byte is
     * read on the way, shrunk on load where the format allows: a file
     * truncated or corrupt anywhere fails here. */
    if (vips_thumbnail(path, &t, PHOTO_THUMB_PX, "height", PHOTO_THUMB_PX,
                       "size", VIPS_SIZE_DOWN, "fail_on", VIPS_FAIL_ON_ERROR,
                       NULL) == 0 &&
        (f = image_vips_flat(t)) != NULL &&
        (m = vips_image_copy_memory(f)) != NULL &&
        vips_jpegsave_buffer(m, &buf, &len, "Q", 75, "strip", TRUE, NULL) ==
            0) {
        out->thumb = copy_out(a, buf, len);
        out->thumb_len = len;
        rc = out->thumb != NULL ? APP_OK : APP_ENOMEM;
        if (rc == APP_OK && out->width >= PHOTO_HASH_MIN_PX &&
            out->height >= PHOTO_HASH_MIN_PX)
            out->has_hash = dhash(m, &out->hash);
    }
    g_free(buf);
    if (m != NULL)
        g_object_unref(m);
    if (f != NULL)
        g_object_unref(f);
    if (t != NULL)
        g_object_unref(t);
    return rc;
}

enum app_err
photo_image_read(struct arena *a, const char *path, struct photo_image *out)
{
    VipsImage *in;
    const void *exif;
    size_t len;
    enum app_err rc = APP_OK;

    memset(out, 0, sizeof(*out));
    if (!image_vips_ready())
        return APP_EINTERNAL;
    /* The header only: nothing is decoded before the size is known. */
    in = image_vips_header(path);
    if (in == NULL)
        return APP_EVALIDATION;
    out->width = in->Xsize;
    out->height = in->Ysize;
    if ((long)in->Xsize * (long)in->Ysize > PHOTO_PIXELS_MAX)
        rc = APP_ETOOBIG;
    if (rc == APP_OK && vips_image_get_typeof(in, VIPS_META_EXIF_NAME) != 0 &&
        vips_image_get_blob(in, VIPS_META_EXIF_NAME, &exif, &len) == 0 &&
        len > 0) {
        out->exif = copy_out(a, exif, len);
        out->exif_len = out->exif != NULL ? len : 0;
    }
    g_object_unref(in);
    if (rc == APP_OK)
        rc = thumbnail(a, path, out);
    vips_error_clear();
    return rc;
}

int
photo_hash_distance(uint64_t x, uint64_t y)
{
    return __builtin_popcountll(x ^ y);
}
