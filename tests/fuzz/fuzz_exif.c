/*
 * fuzz_exif.c -- libFuzzer target for photo_exif_read(): whatever bytes a
 * phone (or an attacker) uploads, reading the EXIF time and GPS never
 * crashes and gives only sane values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sales/photo_exif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *copy = malloc(size > 0 ? size : 1);
    struct photo_exif ex;

    if (copy == NULL)
        abort();
    if (size > 0)
        memcpy(copy, data, size);
    photo_exif_read(copy, size, &ex);
    if (ex.has_time && (ex.taken.tm_year < 90 || ex.taken.tm_year > 300 ||
                        ex.taken.tm_mon < 0 || ex.taken.tm_mon > 11 ||
                        ex.taken.tm_mday < 1 || ex.taken.tm_mday > 31 ||
                        ex.taken.tm_hour > 23 || ex.taken.tm_min > 59))
        abort();
    if (ex.has_gps &&
        (ex.lat < -180 || ex.lat > 180 || ex.lng < -180 || ex.lng > 180))
        abort();
    free(copy);
    return 0;
}
