/*
 * qr.c -- QR codes drawn as inline SVG, from libqrencode's module matrix.
 *
 * The dark modules become one <path>, one subpath per horizontal run, so a
 * 2FA enrolment code (version 5-8) stays a few kilobytes and the page needs
 * neither script nor an image fetched from elsewhere.
 */
#include "base/qr.h"

#include <errno.h>
#include <string.h>

#include <qrencode.h>

#define QR_MAX_TEXT 1024
#define QR_QUIET 4 /* modules of white border the standard asks for */

/* Append the subpaths for the dark runs of one row. */
APP_MUST_USE static enum app_err
qr_row(struct buf *out, const unsigned char *row, size_t width, size_t y)
{
    enum app_err rc;
    size_t x = 0, start;

    while (x < width) {
        if ((row[x] & 1) == 0) {
            x++;
            continue;
        }
        start = x;
        while (x < width && (row[x] & 1) != 0)
            x++;
        rc = buf_printf(out, "M%zu %zuh%zuv1h-%zuz", start + QR_QUIET,
                        y + QR_QUIET, x - start, x - start);
        if (rc != APP_OK)
            return rc;
    }
    return APP_OK;
}

APP_MUST_USE static enum app_err
qr_draw(const QRcode *code, const char *label, struct buf *out)
{
    enum app_err rc;
    size_t width, side, cells, y;

    if (code->width <= 0)
        return APP_EINTERNAL;
    width = (size_t)code->width;
    /* width is at most 177 for version 40; checked anyway because the
     * matrix is indexed with it. */
    if (__builtin_add_overflow(width, 2 * QR_QUIET, &side) ||
        __builtin_mul_overflow(width, width, &cells))
        return APP_EINTERNAL;

    rc = buf_printf(out,
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                    "viewBox=\"0 0 %zu %zu\" shape-rendering=\"crispEdges\" "
                    "role=\"img\" aria-label=\"",
                    side, side);
    if (rc != APP_OK)
        return rc;
    rc = buf_append_html(out, label, strlen(label));
    if (rc != APP_OK)
        return rc;
    rc = buf_printf(out,
                    "\"><rect width=\"%zu\" height=\"%zu\" fill=\"#fff\"/>"
                    "<path fill=\"#000\" d=\"",
                    side, side);
    if (rc != APP_OK)
        return rc;
    for (y = 0; y < width; y++) {
        rc = qr_row(out, code->data + y * width, width, y);
        if (rc != APP_OK)
            return rc;
    }
    return buf_puts(out, "\"/></svg>");
}

enum app_err
qr_svg(const char *text, const char *label, struct buf *out)
{
    QRcode *code;
    enum app_err rc;
    size_t start;

    if (text == NULL || label == NULL || out == NULL)
        return APP_EINVAL;
    /* strnlen: never scan further than the limit needs. */
    if (strnlen(text, QR_MAX_TEXT + 1) > QR_MAX_TEXT)
        return APP_EINVAL;

    errno = 0;
    code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (code == NULL)
        return errno == ENOMEM ? APP_ENOMEM : APP_EINVAL;

    start = out->len;
    rc = qr_draw(code, label, out);
    QRcode_free(code);
    if (rc != APP_OK && out->p != NULL) {
        /* Leave out as it was, as buf_append does on failure, so a caller
         * never emits half an <svg>. */
        out->len = start;
        out->p[start] = '\0';
    }
    return rc;
}
