/*
 * image_vips.h -- libvips set up for files from strangers, shared by
 * everything that decodes an upload (photo_image, qr_scan).
 *
 * One place decides how libvips runs in a worker: untrusted loaders
 * blocked, one thread, no operation cache, warnings to the log.  A
 * second copy of these settings would be a second place to forget one.
 */
#ifndef PROOFLINE_IMAGE_VIPS_H
#define PROOFLINE_IMAGE_VIPS_H

#include <stdbool.h>

#include <vips/vips.h>

/* Start libvips once per process, on first use (after the fork: a worker
 * that never sees an image never pays for it).  False when it cannot
 * start; the reason is logged once and every later call answers false
 * at once. */
bool image_vips_ready(void);

/* The header of the image file at path, nothing decoded yet (so that a
 * caller checks the size before any pixel is), read sequentially and
 * failing on any decoder error; NULL when libvips will not open it (not
 * an image, a blocked loader, a broken header; the error is cleared).
 * The caller unrefs it. */
VipsImage *image_vips_header(const char *path);

/* in with any alpha flattened onto white (a new reference; in itself,
 * referenced again, when it has no alpha), or NULL when libvips fails.
 * The caller unrefs the result. */
VipsImage *image_vips_flat(VipsImage *in);

#endif
