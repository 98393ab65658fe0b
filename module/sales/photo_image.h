/*
 * photo_image.h -- what libvips makes of an uploaded photo: its size, its
 * EXIF block, a small JPEG thumbnail and a perceptual hash.
 *
 * JPEG, PNG, WebP and HEIC/HEIF (iPhones) are decoded the same way; a
 * file that does not decode (truncated, corrupt, not an image at all) is
 * refused rather than stored as a photo nobody can look at.  libvips runs
 * with its untrusted loaders blocked, one thread, no operation cache, and
 * a pixel limit checked on the header before anything is decoded.
 */
#ifndef PROOFLINE_PHOTO_IMAGE_H
#define PROOFLINE_PHOTO_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

#define PHOTO_THUMB_PX 320                    /* longest side of a thumbnail */
#define PHOTO_PIXELS_MAX (120L * 1000 * 1000) /* 120 MP: beyond any phone */
#define PHOTO_HASH_MIN_PX 32 /* smaller images get no perceptual hash */
#define PHOTO_HASH_NEAR 3    /* bits apart that count as the same picture */

struct photo_image {
    int width, height;
    const unsigned char *exif;  /* the EXIF block ("Exif\0\0" + TIFF) */
    size_t exif_len;            /* 0: none */
    const unsigned char *thumb; /* JPEG */
    size_t thumb_len;
    bool has_hash;
    uint64_t hash; /* difference hash, 64 bits */
};

/* Decode the image file at path into out (all memory from the arena).
 * APP_EVALIDATION when it does not decode (err_detail is left to the
 * caller), APP_ETOOBIG beyond PHOTO_PIXELS_MAX, APP_EINTERNAL when
 * libvips cannot start. */
APP_MUST_USE enum app_err photo_image_read(struct arena *a, const char *path,
                                           struct photo_image *out);

/* Bits in which two hashes differ. */
int photo_hash_distance(uint64_t x, uint64_t y);

#endif
