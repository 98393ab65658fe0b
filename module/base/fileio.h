/*
 * fileio.h -- whole small files (rules, catalogs, migrations) read with a
 * size limit, and written whole.
 */
#ifndef PROOFLINE_FILEIO_H
#define PROOFLINE_FILEIO_H

#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"

/* Read the regular file at path into a NUL-terminated buffer, from arena
 * a or malloc'd when a is NULL (the caller frees it).  APP_EIO when it
 * cannot be opened or read (errno says why), APP_ETOOBIG when it holds
 * more than max bytes, APP_ENOMEM. */
APP_MUST_USE enum app_err file_read(const char *path, size_t max,
                                    struct arena *a, char **out, size_t *len);

/* Write len bytes to a new file at path (mode 0600; it must not exist
 * yet).  APP_EIO when it cannot (errno says why; nothing is left
 * behind). */
APP_MUST_USE enum app_err file_write_new(const char *path, const void *data,
                                         size_t len);

#endif
