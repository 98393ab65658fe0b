/*
 * tar.c -- ustar entries written with their size known beforehand.
 */
#include "base/tar.h"

#include <string.h>
#include <sys/stat.h>

#define BLOCK 512

/* value in octal, NUL-terminated, right-aligned with zeros in width
 * bytes (width - 1 digits). */
static int
octal(char *field, size_t width, uint64_t value)
{
    size_t i = width - 1;

    field[i] = '\0';
    while (i > 0) {
        i--;
        field[i] = (char)('0' + (value & 7u));
        value >>= 3;
    }
    return value == 0 ? 0 : -1;
}

enum app_err
tar_header(FILE *out, const char *name, uint64_t size, time_t mtime)
{
    unsigned char h[BLOCK];
    size_t n = strlen(name), i;
    unsigned sum = 0;

    if (n == 0 || n > TAR_NAME_MAX)
        return APP_EINVAL;
    memset(h, 0, sizeof(h));
    memcpy(h, name, n);
    if (octal((char *)h + 100, 8, 0644) != 0 ||
        octal((char *)h + 108, 8, 0) != 0 ||
        octal((char *)h + 116, 8, 0) != 0 ||
        octal((char *)h + 124, 12, size) != 0 ||
        octal((char *)h + 136, 12, mtime > 0 ? (uint64_t)mtime : 0) != 0)
        return APP_EINVAL;
    h[156] = '0'; /* a regular file */
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8); /* the checksum counts itself as spaces */
    for (i = 0; i < BLOCK; i++)
        sum += h[i];
    if (octal((char *)h + 148, 7, sum) != 0)
        return APP_EINVAL;
    h[155] = ' ';
    return fwrite(h, 1, BLOCK, out) == BLOCK ? APP_OK : APP_EIO;
}

/* Zeros up to the end of the block after size bytes. */
APP_MUST_USE static enum app_err
pad(FILE *out, uint64_t size)
{
    static const char zeros[BLOCK];
    size_t rest = (size_t)(size % BLOCK);

    if (rest == 0)
        return APP_OK;
    return fwrite(zeros, 1, BLOCK - rest, out) == BLOCK - rest ? APP_OK
                                                               : APP_EIO;
}

enum app_err
tar_add_stream(FILE *out, const char *name, FILE *src, uint64_t size,
               time_t mtime)
{
    char chunk[16384];
    uint64_t left = size;
    enum app_err rc = tar_header(out, name, size, mtime);

    while (rc == APP_OK && left > 0) {
        size_t want = left < sizeof(chunk) ? (size_t)left : sizeof(chunk);
        size_t got = fread(chunk, 1, want, src);

        if (got != want || fwrite(chunk, 1, got, out) != got)
            rc = APP_EIO;
        left -= got;
    }
    return rc == APP_OK ? pad(out, size) : rc;
}

enum app_err
tar_add_path(FILE *out, const char *name, const char *path, time_t mtime)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    enum app_err rc;

    if (f == NULL)
        return APP_ENOTFOUND;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0)
        rc = APP_EIO;
    else
        rc = tar_add_stream(out, name, f, (uint64_t)st.st_size, mtime);
    fclose(f);
    return rc;
}

enum app_err
tar_finish(FILE *out)
{
    static const char zeros[2 * BLOCK];

    return fwrite(zeros, 1, sizeof(zeros), out) == sizeof(zeros) ? APP_OK
                                                                 : APP_EIO;
}
