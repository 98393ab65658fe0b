/*
 * photo_make.c -- write a phone-sized JPEG for the visit benchmark:
 *
 *     photo_make OUT.jpg WIDTH HEIGHT SEED
 *
 * A gradient with a block and Gaussian noise (a camera's grain keeps
 * the JPEG about as large as a real photo of that size); SEED changes
 * the noise, so each file is another photo.
 */
#include <stdio.h>
#include <stdlib.h>

#include <vips/vips.h>

int
main(int argc, char **argv)
{
    VipsImage *xyz, *noise, *sum, *rgb, *bytes, *band[3];
    long w, h, seed;

    if (argc != 5 || VIPS_INIT(argv[0]) != 0) {
        fprintf(stderr, "usage: photo_make OUT.jpg WIDTH HEIGHT SEED\n");
        return 2;
    }
    w = strtol(argv[2], NULL, 10);
    h = strtol(argv[3], NULL, 10);
    seed = strtol(argv[4], NULL, 10);
    if (w < 8 || h < 8 || w > 10000 || h > 10000 ||
        vips_xyz(&xyz, (int)w, (int)h, NULL) != 0 ||
        vips_gaussnoise(&noise, (int)w, (int)h, "sigma", 18.0, "seed",
                        (int)seed, NULL) != 0 ||
        vips_extract_band(xyz, &band[0], 0, NULL) != 0 ||
        vips_linear1(band[0], &band[1], 255.0 / (double)w, 0.0, NULL) != 0 ||
        vips_add(band[1], noise, &sum, NULL) != 0 ||
        vips_linear1(sum, &band[2], 0.8, 30.0, NULL) != 0) {
        fprintf(stderr, "photo_make: %s\n", vips_error_buffer());
        return 1;
    }
    {
        VipsImage *b3[3] = { band[2], sum, band[1] };

        if (vips_bandjoin(b3, &rgb, 3, NULL) != 0 ||
            vips_cast_uchar(rgb, &bytes, NULL) != 0 ||
            vips_jpegsave(bytes, argv[1], "Q", 85, NULL) != 0) {
            fprintf(stderr, "photo_make: %s\n", vips_error_buffer());
            return 1;
        }
    }
    return 0;
}
