/*
 * tar.h -- a small POSIX ustar writer for the privacy export.
 *
 * Regular files only, names up to 100 bytes (the export's names are
 * short: "tables/<table>.json", "files/<sha256>"), sizes below 8 GiB (the
 * octal size field), mode 0644, owner 0.  Every entry is written with its
 * size known beforehand; the archive ends with two zero blocks.
 */
#ifndef PROOFLINE_TAR_H
#define PROOFLINE_TAR_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "base/err.h"

#define TAR_NAME_MAX 100

/* Write the 512-byte header of a file entry.  APP_EINVAL for a name that
 * is empty or too long or a size that does not fit, APP_EIO on a write
 * error. */
APP_MUST_USE enum app_err tar_header(FILE *out, const char *name, uint64_t size,
                                     time_t mtime);

/* Write an entry whose bytes are the next size bytes of src (read from its
 * current position), padded to a whole block.  APP_EIO when src is
 * shorter or a read or write fails. */
APP_MUST_USE enum app_err tar_add_stream(FILE *out, const char *name, FILE *src,
                                         uint64_t size, time_t mtime);

/* Write an entry from a whole file on disk.  APP_ENOTFOUND when it
 * cannot be opened. */
APP_MUST_USE enum app_err tar_add_path(FILE *out, const char *name,
                                       const char *path, time_t mtime);

/* The end of the archive (two zero blocks).  APP_EIO on a write error. */
APP_MUST_USE enum app_err tar_finish(FILE *out);

#endif
