/*
 * import_jobs.h -- the record of a CSV import: its file, encoding and
 * column mapping while it is previewed, its counts once committed.  Only
 * the person who uploaded it (or an admin) sees it.
 */
#ifndef PROOFLINE_IMPORT_JOBS_H
#define PROOFLINE_IMPORT_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/ctx.h"

struct import_job {
    int64_t file_id;
    const char *encoding;  /* textenc name */
    const char *mapping;   /* JSON, as saved */
    const char *status;    /* "preview" or "committed" */
    int64_t imported;      /* rows imported by the commit */
    const char *file_name; /* as uploaded */
};

APP_MUST_USE enum app_err import_jobs_create(struct ctx *cx, int64_t file_id,
                                             const char *encoding,
                                             const char *mapping, int64_t *id);

/* APP_ENOTFOUND unless the acting user made it or is an admin. */
APP_MUST_USE enum app_err import_jobs_get(struct ctx *cx, int64_t id,
                                          struct import_job *out);

/* A new mapping, while it is still a preview. */
APP_MUST_USE enum app_err import_jobs_set_mapping(struct ctx *cx, int64_t id,
                                                  const char *mapping);

/* Lock it for a commit (inside the commit's transaction); *open is false
 * when it was committed already. */
APP_MUST_USE enum app_err import_jobs_lock(struct ctx *cx, int64_t id,
                                           bool *open);

/* Mark it committed with its counts; APP_ECONFLICT when it was not open. */
APP_MUST_USE enum app_err import_jobs_done(struct ctx *cx, int64_t id,
                                           size_t total, size_t valid,
                                           size_t imported);

#endif
