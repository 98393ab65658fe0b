/*
 * demo_pictures.h -- the demo's evidence photos: generated pictures of
 * the right kind (a signed receipt, a contract page with its stamp, a
 * store shelf, a filled form), not blanks, so the product looks like what
 * a sales team would see.  Deterministic from a seed; PNG.
 */
#ifndef PROOFLINE_DEMO_PICTURES_H
#define PROOFLINE_DEMO_PICTURES_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

enum demo_picture { PIC_RECEIPT, PIC_CONTRACT, PIC_SHELF, PIC_FORM, PIC_COUNT };

/* The picture an evidence item of this key would carry. */
enum demo_picture demo_picture_for(const char *evidence_key);

/* The file name stem of a picture kind ("receipt"). */
const char *demo_picture_name(enum demo_picture kind);

/* The PNG of kind (malloc'd into *png, *len bytes; the caller frees). */
APP_MUST_USE enum app_err demo_picture_png(enum demo_picture kind,
                                           uint64_t seed, unsigned char **png,
                                           size_t *len);

#endif
