/*
 * csv_import.h -- what the CSV imports of products, stores and payments
 * share: the upload read within its limit, its text decoded and its lines
 * read by base/csv_in, and every problem of the file reported as
 * {line, field, <member>: catalog key} into the import's report.
 *
 * A problem of the file itself (bytes in no known encoding, bad CSV, no
 * record at all, unknown or missing columns) is reported and sets
 * refused; the functions then return APP_OK and read nothing more, and the
 * import refuses the file with its own key.  Only a file over max_bytes or
 * with more than max_rows lines is refused here (APP_ETOOBIG with
 * err_detail too_big).  What a line means is the import's own business.
 */
#ifndef PROOFLINE_CSV_IMPORT_H
#define PROOFLINE_CSV_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "base/csv_in.h"
#include "base/err.h"
#include "base/kv.h"
#include "base/upload.h"
#include "db/ctx.h"

struct csv_import_spec {
    struct csv_in_spec in; /* the known columns and the reader's limits */
    size_t max_bytes;      /* of the file as uploaded */
    size_t max_problems;   /* entries of the report */
    const char *member;    /* the name of an entry's key: "problem" */
    const char *too_big;   /* err_detail over max_bytes or max_rows */
    const char *unknown;   /* a column no entry names */
    const char *no_column; /* a required entry no column names */
    const char *repeated;  /* a second column of an entry; NULL: not
                              reported (the first column counts) */
    const char *empty;     /* a file without a record */
};

struct csv_import {
    struct ctx *cx;
    const struct csv_import_spec *spec;
    cJSON *report;
    struct csv_in in;
    bool refused; /* the file itself is wrong; the report says why */
};

/* Start an import of the uploaded file u (read whole into cx's arena) or
 * of bytes already read.  APP_ETOOBIG (err_detail spec->too_big) over
 * spec->max_bytes; APP_EIO, APP_ENOMEM; the text's problems reported
 * (refused). */
APP_MUST_USE enum app_err csv_import_upload(struct csv_import *im,
                                            struct ctx *cx,
                                            const struct csv_import_spec *spec,
                                            const struct upload *u,
                                            cJSON *report);
APP_MUST_USE enum app_err csv_import_bytes(struct csv_import *im,
                                           struct ctx *cx,
                                           const struct csv_import_spec *spec,
                                           struct str bytes, cJSON *report);

/* Read the header: an empty file, bad CSV, unknown, missing (and, when
 * spec->repeated, repeated) columns are reported (refused). */
APP_MUST_USE enum app_err csv_import_header(struct csv_import *im);

/* The next line into *rec (rec->n == 0: the end, or refused).  Bad CSV is
 * reported (refused); more than max_rows lines is APP_ETOOBIG. */
APP_MUST_USE enum app_err csv_import_next(struct csv_import *im,
                                          struct csv_record *rec);

/* The line's mapped cells as form fields named by their entries, in the
 * file's order (a repeated column too: kv_get() finds the first);
 * unneutralised (csv_in_unneutralise()) when the import reads its own
 * export. */
APP_MUST_USE enum app_err csv_import_form(const struct csv_import *im,
                                          const struct csv_record *rec,
                                          bool unneutralise, struct kvlist *f);

/* Report a problem: {line, field, member: key}, key a catalog key. */
void csv_import_problem(struct csv_import *im, size_t line, const char *field,
                        const char *key);

/* The same with key a JSON value ({"key", "n"}), copied. */
void csv_import_problem_json(struct csv_import *im, size_t line,
                             const char *field, const cJSON *key);

/* Append {line, field, member: key} (key taken, freed on failure) to
 * report while it has fewer than max entries. */
void csv_import_report(cJSON *report, size_t max, const char *member,
                       size_t line, const char *field, cJSON *key);

#endif
