/*
 * image_vips.c -- libvips started once, for untrusted files
 * (image_vips.h).
 */
#include "sales/image_vips.h"

#include "base/log.h"

/* libvips' own warnings (a JPEG with trailing garbage, say) are about
 * files from strangers: worth a line in the log, not stderr noise. */
static void
vips_warning(const gchar *domain, GLogLevelFlags level, const gchar *message,
             gpointer data)
{
    (void)domain;
    (void)level;
    (void)data;
    log_info("image.vips", "%s", message);
}

bool
image_vips_ready(void)
{
    static int state; /* 0 not yet, 1 ready, -1 failed */

    if (state == 0) {
        if (VIPS_INIT("proofline") != 0) {
            log_error("image.vips_init", "%s", vips_error_buffer());
            vips_error_clear();
            state = -1;
        } else {
            /* Only the loaders meant for files from strangers. */
            vips_block_untrusted_set(TRUE);
            g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, vips_warning, NULL);
            vips_concurrency_set(1);
            vips_cache_set_max(0);
            state = 1;
        }
    }
    return state == 1;
}

VipsImage *
image_vips_flat(VipsImage *in)
{
    VipsImage *out = NULL;
    VipsArrayDouble *white;

    if (!vips_image_hasalpha(in)) {
        g_object_ref(in);
        return in;
    }
    white = vips_array_double_newv(3, 255.0, 255.0, 255.0);
    if (vips_flatten(in, &out, "background", white, NULL) != 0)
        out = NULL;
    vips_area_unref(VIPS_AREA(white));
    return out;
}

VipsImage *
image_vips_header(const char *path)
{
    VipsImage *in;

    in = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL,
                                  "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    if (in == NULL)
        vips_error_clear();
    return in;
}
