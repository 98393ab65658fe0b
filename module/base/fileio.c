/*
 * fileio.c -- whole small files read with a size limit, and written
 * whole.
 */
#include "base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

enum app_err
file_read(const char *path, size_t max, struct arena *a, char **out,
          size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    size_t cap, n;
    char *buf;
    int e;

    *out = NULL;
    *len = 0;
    if (f == NULL)
        return APP_EIO;
    if (fstat(fileno(f), &st) != 0) {
        e = errno;
        fclose(f);
        errno = e;
        return APP_EIO;
    }
    if (st.st_size < 0 || (unsigned long long)st.st_size > max) {
        fclose(f);
        return APP_ETOOBIG;
    }
    /* Room for one byte more than fstat said, to notice a file that grew
     * past the limit while read. */
    cap = (size_t)st.st_size + 1;
    buf = a != NULL ? arena_alloc(a, cap + 1) : malloc(cap + 1);
    if (buf == NULL) {
        fclose(f);
        return APP_ENOMEM;
    }
    n = fread(buf, 1, cap, f);
    /* A read error, or more bytes than fstat said: the file changed. */
    e = ferror(f) ? EIO : n == cap && n <= max ? EAGAIN : 0;
    fclose(f);
    if (e != 0 || n > max) {
        if (a == NULL)
            free(buf);
        errno = e;
        return e != 0 ? APP_EIO : APP_ETOOBIG;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return APP_OK;
}

enum app_err
file_write_new(const char *path, const void *data, size_t len)
{
    const unsigned char *p = data;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

    if (fd < 0)
        return APP_EIO;
    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = errno;

            close(fd);
            unlink(path);
            errno = e;
            return APP_EIO;
        }
        p += n;
        len -= (size_t)n;
    }
    if (close(fd) != 0) {
        unlink(path);
        return APP_EIO;
    }
    return APP_OK;
}
