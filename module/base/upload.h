/*
 * upload.h -- an uploaded file as the HTTP layer hands it on: a temporary
 * file and what the client said about it.  Services (files.h, imports)
 * take it without knowing where it came from.
 */
#ifndef PROOFLINE_UPLOAD_H
#define PROOFLINE_UPLOAD_H

#include <stddef.h>

#include "base/str.h"

struct upload {
    struct str field;        /* form field name */
    struct str filename;     /* as sent by the client (untrusted; the path
                                part is stripped), NUL-terminated */
    struct str content_type; /* as sent (untrusted), "" when absent */
    char *path;              /* temporary file path in tmp_dir */
    size_t size;             /* bytes written */
};

struct upload_list {
    struct upload *v;
    size_t n;
    size_t cap;
};

#endif
