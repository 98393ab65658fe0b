/*
 * qr_scan.h -- read the QR codes printed on an uploaded document (a
 * business licence carries one that links to its public record).
 *
 * The file is decoded by libvips exactly as a photo is (photo_image.h:
 * the same formats, loaders, limits), turned upright by its EXIF
 * orientation, made 8-bit grey and at most QR_SCAN_PX on its longest
 * side, and scanned by zbar for QR codes only.  When nothing is found,
 * one more pass runs at another scale: the full size (at most
 * QR_SCAN_RETRY_PX) when the first pass shrank the image, else twice the
 * size (same bound), because zbar misses codes whose modules are about
 * a pixel wide.  Two passes at most: the cost is bounded by the pixels.
 *
 * Text: zbar is asked for the raw bytes (ZBAR_CFG_BINARY), because its
 * own guess tries Shift-JIS and Big5 before UTF-8 and turns short Chinese
 * UTF-8 into valid but wrong text.  The bytes are read as the CSV import
 * reads a file (textenc.h): UTF-8 when valid, else GBK/GB18030 (older
 * Chinese systems print GBK codes), else the code is left out.  A code
 * that declares its character set (ECI) is converted by zbar.
 */
#ifndef PROOFLINE_QR_SCAN_H
#define PROOFLINE_QR_SCAN_H

#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"

#define QR_SCAN_TEXT_MAX 2048 /* bytes of decoded text kept */
#define QR_SCAN_MAX 4         /* symbols reported per image */
#define QR_SCAN_PX 2000       /* longest side scanned on the first pass */
#define QR_SCAN_RETRY_PX 4000 /* longest side the second pass may use */

struct qr_scan {
    size_t n;
    /* Valid UTF-8 without NUL bytes, NUL-terminated, at most
     * QR_SCAN_TEXT_MAX bytes (cut at a character), in the arena; in the
     * order zbar reports them. */
    const char *text[QR_SCAN_MAX];
};

/* Decode the QR codes in the image file at path (JPEG, PNG, WebP, HEIC:
 * whatever photo_image_read accepts) into out, whose texts come from the
 * arena.  out->n = 0 when no code is found, or none holds text (not an
 * error); codes past QR_SCAN_MAX are not reported.
 * APP_EVALIDATION when the file is not a decodable image (truncated,
 * corrupt, not an image); APP_ETOOBIG beyond PHOTO_PIXELS_MAX (checked
 * on the header, before any pixel is decoded); APP_ENOMEM when the arena
 * is exhausted; APP_EINTERNAL when libvips or zbar cannot start.  On an
 * error out->n is 0. */
APP_MUST_USE enum app_err qr_scan_file(struct arena *a, const char *path,
                                       struct qr_scan *out);

#endif
