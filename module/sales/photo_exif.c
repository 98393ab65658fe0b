/*
 * photo_exif.c -- EXIF capture time and GPS with libexif (photo_exif.h).
 */
#include "sales/photo_exif.h"

#include <stdio.h>
#include <string.h>

#include <libexif/exif-data.h>

/* A GPS coordinate: three rationals (degrees, minutes, seconds) and its
 * reference (N/S, E/W). */
static bool
coordinate(ExifData *ed, ExifTag tag, ExifTag ref_tag, double *out)
{
    ExifEntry *e = exif_content_get_entry(ed->ifd[EXIF_IFD_GPS], tag);
    ExifEntry *ref = exif_content_get_entry(ed->ifd[EXIF_IFD_GPS], ref_tag);
    ExifByteOrder order = exif_data_get_byte_order(ed);
    double v = 0, scale = 1;
    unsigned long i;

    if (e == NULL || e->format != EXIF_FORMAT_RATIONAL || e->components < 3)
        return false;
    for (i = 0; i < 3; i++) {
        ExifRational r = exif_get_rational(e->data + i * 8, order);

        if (r.denominator == 0)
            return false;
        v += (double)r.numerator / (double)r.denominator / scale;
        scale *= 60;
    }
    if (ref != NULL && ref->size >= 1 &&
        (ref->data[0] == 'S' || ref->data[0] == 'W'))
        v = -v;
    *out = v;
    return v >= -180 && v <= 180;
}

/* "YYYY:MM:DD HH:MM:SS" */
static bool
taken(ExifData *ed, struct tm *tm)
{
    ExifEntry *e = exif_content_get_entry(ed->ifd[EXIF_IFD_EXIF],
                                          EXIF_TAG_DATE_TIME_ORIGINAL);
    static const size_t at[6] = { 0, 5, 8, 11, 14, 17 };
    static const size_t len[6] = { 4, 2, 2, 2, 2, 2 };
    static const int64_t lo[6] = { 1990, 1, 1, 0, 0, 0 };
    static const int64_t hi[6] = { 2200, 12, 31, 23, 59, 60 };
    int64_t v[6];
    size_t i;

    if (e == NULL)
        e = exif_content_get_entry(ed->ifd[EXIF_IFD_0], EXIF_TAG_DATE_TIME);
    if (e == NULL || e->size < 19)
        return false;
    for (i = 0; i < 6; i++) {
        size_t k;

        v[i] = 0;
        for (k = 0; k < len[i]; k++) {
            unsigned char c = e->data[at[i] + k];

            if (c < '0' || c > '9')
                return false;
            v[i] = v[i] * 10 + (c - '0');
        }
        if (v[i] < lo[i] || v[i] > hi[i])
            return false;
    }
    memset(tm, 0, sizeof(*tm));
    tm->tm_year = (int)v[0] - 1900;
    tm->tm_mon = (int)v[1] - 1;
    tm->tm_mday = (int)v[2];
    tm->tm_hour = (int)v[3];
    tm->tm_min = (int)v[4];
    tm->tm_sec = (int)v[5];
    return true;
}

void
photo_exif_read(const unsigned char *data, size_t len, struct photo_exif *out)
{
    ExifData *ed;

    memset(out, 0, sizeof(*out));
    if (len < 6 || len > (64u << 20) ||
        ((data[0] != 0xFF || data[1] != 0xD8) &&
         memcmp(data, "Exif\0\0", 6) != 0))
        return;
    ed = exif_data_new_from_data(data, (unsigned int)len);
    if (ed == NULL)
        return;
    out->has_time = taken(ed, &out->taken);
    out->has_gps = coordinate(ed, (ExifTag)EXIF_TAG_GPS_LATITUDE,
                              (ExifTag)EXIF_TAG_GPS_LATITUDE_REF, &out->lat) &&
                   coordinate(ed, (ExifTag)EXIF_TAG_GPS_LONGITUDE,
                              (ExifTag)EXIF_TAG_GPS_LONGITUDE_REF, &out->lng);
    exif_data_unref(ed);
}
