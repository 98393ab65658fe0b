/*
 * multipart.h -- a streaming multipart/form-data parser (RFC 7578).
 *
 * The body is pulled through a read callback in chunks, so a large upload
 * never sits in memory: file parts (those with a filename parameter in
 * Content-Disposition) are streamed to a temporary file in tmp_dir created
 * with mkstemp(3) and mode 0600; the temporary file is unlinked and closed
 * by a cleanup registered on the arena, so the request's end removes it
 * whatever happened.  Non-file parts become form fields.
 *
 * Limits (all enforced while streaming, before any allocation grows):
 * number of parts, header bytes of one part, size of one non-file field,
 * size of one file, and total bytes read.  Failures return APP_EINVAL
 * (malformed: missing boundary, bad part headers, missing final boundary,
 * data after the epilogue is ignored per RFC 2046) or APP_ETOOBIG (a
 * limit), with *detail set to a message-catalog key such as
 * "multipart.too_many_parts".  APP_EIO when a temporary file cannot be
 * written.
 */
#ifndef PROOFLINE_MULTIPART_H
#define PROOFLINE_MULTIPART_H

#include <stddef.h>
#include <sys/types.h>

#include "base/arena.h"
#include "base/err.h"
#include "http/parse.h"
#include "base/str.h"
#include "base/upload.h"

struct multipart_limits {
    size_t max_parts;
    size_t max_part_header;
    size_t max_field_size;
    size_t max_file_size;
    size_t max_total;
    size_t max_fields; /* non-file fields */
};

/* Read up to n bytes into buf; return the count, 0 at end of body, -1 on
 * error.  ctx is the caller's. */
typedef long (*mp_read_fn)(void *ctx, char *buf, size_t n);

/* Parse a whole body with the given boundary (the Content-Type parameter,
 * without the leading "--").  A boundary must be 1..70 bytes (RFC 2046).
 * Fields are appended to *fields, files to *files. */
APP_MUST_USE enum app_err
multipart_parse(struct arena *a, struct str boundary, mp_read_fn read,
                void *ctx, const struct multipart_limits *lim,
                const char *tmp_dir, struct kvlist *fields,
                struct upload_list *files, const char **detail);

#endif
