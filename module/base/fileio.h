/*
 * fileio.h -- whole small files (rules, catalogs, migrations) read with a
 * size limit.
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

#endif
