/*
 * photo_exif.h -- what a photo says about itself: the capture time and
 * GPS position in its EXIF data (libexif).  Claims, never trusted alone:
 * the visit compares them with the check-in and records flags.
 */
#ifndef PROOFLINE_PHOTO_EXIF_H
#define PROOFLINE_PHOTO_EXIF_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct photo_exif {
    bool has_time;
    struct tm taken; /* DateTimeOriginal, local to the camera, no zone */
    bool has_gps;
    double lat, lng;
};

/* Read the EXIF data of a JPEG's bytes, or of an EXIF block ("Exif\0\0"
 * and the TIFF structure, as libvips hands it over for JPEG, PNG, WebP
 * and HEIC alike).  Never fails: what is missing stays false. */
void photo_exif_read(const unsigned char *data, size_t len,
                     struct photo_exif *out);

#endif
