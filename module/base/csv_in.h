/*
 * csv_in.h -- an uploaded CSV file read as an import reads it: its bytes
 * decoded to UTF-8 (UTF-8 with or without a byte order mark, or GBK /
 * GB18030, detected by textenc), its first record taken as the header and
 * mapped to a table of known columns by their names (aliases, Chinese and
 * English, ASCII case-insensitive, spaces around ignored), then the lines
 * one at a time, within limits.
 *
 * Nothing here reports to a user: a failure leaves a message-catalog key
 * (in->code, from textenc or csv) and the line it is on, and the header's
 * unknown, repeated and missing columns are listed by
 * csv_in_issue_next(); the caller turns them into its own report.
 */
#ifndef PROOFLINE_CSV_IN_H
#define PROOFLINE_CSV_IN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/csv.h"
#include "base/err.h"
#include "base/str.h"
#include "base/textenc.h"

#define CSV_IN_NAMES 6        /* header names of one known column */
#define CSV_IN_FIELDS_MAX 32  /* known columns of a table */
#define CSV_IN_COLUMNS_MAX 64 /* columns of a file */

/* A known column: the name the caller knows it by, the header names that
 * mean it (the first CSV_IN_NAMES, up to the first NULL) and whether a
 * file must have it. */
struct csv_in_col {
    const char *field;
    const char *names[CSV_IN_NAMES];
    bool required;
};

struct csv_in_spec {
    const struct csv_in_col *cols;
    size_t ncols;           /* at most CSV_IN_FIELDS_MAX */
    size_t max_text;        /* bytes of the decoded UTF-8 text */
    size_t max_rows;        /* lines after the header */
    size_t max_columns;     /* fields of a record, <= CSV_IN_COLUMNS_MAX */
    size_t max_field_bytes; /* bytes of one field (records: csv's
                               default, CSV_MAX_RECORD_BYTES) */
};

/* The header as mapped: which known column each of its columns is, and
 * the first column of each known one.  A column matches the first entry of
 * the table that names it. */
struct csv_in_header {
    size_t n;                             /* columns in the header */
    size_t line;                          /* where it is */
    struct str names[CSV_IN_COLUMNS_MAX]; /* as written, trimmed */
    int field_of[CSV_IN_COLUMNS_MAX];     /* index in cols; -1: none */
    int column_of[CSV_IN_FIELDS_MAX];     /* -1: the file has none */
    const struct csv_in_col *cols;
    size_t ncols;
};

enum csv_in_issue_kind {
    CSV_IN_UNKNOWN,  /* a column no entry names (blank headers are not) */
    CSV_IN_REPEATED, /* a second column naming the same entry: ignored */
    CSV_IN_MISSING,  /* a required entry no column names */
};

struct csv_in_issue {
    enum csv_in_issue_kind kind;
    size_t column;   /* 0-based column of the header; MISSING: 0 */
    size_t field;    /* index in cols; UNKNOWN: 0 */
    struct str name; /* the header's text; MISSING: the entry's field */
};

/* Map the header record cells[0..n) to cols[0..ncols), found on line.
 * APP_EINVAL when ncols > CSV_IN_FIELDS_MAX, APP_ETOOBIG when n >
 * CSV_IN_COLUMNS_MAX. */
APP_MUST_USE enum app_err csv_in_map(struct csv_in_header *h,
                                     const struct csv_in_col *cols,
                                     size_t ncols, const struct str *cells,
                                     size_t n, size_t line);

/* The next problem of the header after *pos (start with 0): first the
 * unknown and repeated columns in their order, then the missing required
 * entries in the table's.  False when there is none left. */
bool csv_in_issue_next(const struct csv_in_header *h, size_t *pos,
                       struct csv_in_issue *out);

/* The reader: the file's text, the CSV reader over it, its header. */
struct csv_in {
    const struct csv_in_spec *spec;
    struct arena *arena;
    struct textenc_result text;
    struct csv_reader rd;
    struct csv_in_header h;
    bool header; /* read and mapped */
    /* The last failure: a catalog key ("encoding.invalid", "csv.bad_quote",
     * "csv.too_many_records", ...; NULL for an empty file) and its line. */
    const char *code;
    size_t line;
};

/* Decode bytes (any encoding textenc detects) and start reading them.
 * Text in arena a (UTF-8 input is not copied: bytes must outlive *in).
 * Fails as textenc_decode() does (APP_EINVAL with in->code and in->line
 * for bytes in no known encoding); APP_EINVAL without a code for a spec
 * over the limits above. */
APP_MUST_USE enum app_err csv_in_open(struct csv_in *in, struct arena *a,
                                      struct str bytes,
                                      const struct csv_in_spec *spec);

/* Read the first record and map it (in->h; csv_in_issue_next() lists its
 * problems).  APP_ENOTFOUND for a file without a record (in->code NULL,
 * in->line 1); APP_EINVAL / APP_ETOOBIG / APP_ENOMEM as csv_next(), with
 * in->code and in->line. */
APP_MUST_USE enum app_err csv_in_header(struct csv_in *in);

/* The next line after the header into *rec: APP_OK with rec->n > 0, or
 * with rec->n == 0 at the end.  Failures as csv_next(), with in->code and
 * in->line; more than spec->max_rows lines is APP_ETOOBIG with
 * "csv.too_many_records".  APP_EINVAL before csv_in_header(). */
APP_MUST_USE enum app_err csv_in_next(struct csv_in *in,
                                      struct csv_record *rec);

/* The cell of entry field in rec; STR_NULL when the file has no such
 * column or rec is shorter. */
struct str csv_in_cell(const struct csv_in *in, const struct csv_record *rec,
                       size_t field);

/* Whether the file has a column for entry field. */
bool csv_in_has(const struct csv_in *in, size_t field);

/* A cell as an export wrote it, without the ' that kept a formula-looking
 * cell from being one (csv_needs_neutralise()). */
struct str csv_in_unneutralise(struct str s);

#endif
