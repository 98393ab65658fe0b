/*
 * csv_in.c -- an uploaded CSV file read as an import reads it (csv_in.h).
 */
#include "base/csv_in.h"

#include <string.h>

/* The first entry of cols that names col, or -1. */
static int
entry_of(const struct csv_in_col *cols, size_t ncols, struct str col)
{
    size_t k, j;

    for (k = 0; k < ncols; k++)
        for (j = 0; j < CSV_IN_NAMES && cols[k].names[j] != NULL; j++)
            if (str_eq_nocase(col, str_c(cols[k].names[j])))
                return (int)k;
    return -1;
}

enum app_err
csv_in_map(struct csv_in_header *h, const struct csv_in_col *cols, size_t ncols,
           const struct str *cells, size_t n, size_t line)
{
    size_t i;

    if (ncols > CSV_IN_FIELDS_MAX)
        return APP_EINVAL;
    if (n > CSV_IN_COLUMNS_MAX)
        return APP_ETOOBIG;
    memset(h, 0, sizeof(*h));
    h->n = n;
    h->line = line;
    h->cols = cols;
    h->ncols = ncols;
    for (i = 0; i < CSV_IN_FIELDS_MAX; i++)
        h->column_of[i] = -1;
    for (i = 0; i < n; i++) {
        int k;

        h->names[i] = str_trim(cells[i]);
        k = entry_of(cols, ncols, h->names[i]);
        h->field_of[i] = k;
        if (k >= 0 && h->column_of[k] < 0)
            h->column_of[k] = (int)i;
    }
    return APP_OK;
}

bool
csv_in_issue_next(const struct csv_in_header *h, size_t *pos,
                  struct csv_in_issue *out)
{
    memset(out, 0, sizeof(*out));
    for (; *pos < h->n; (*pos)++) {
        size_t i = *pos;
        int k = h->field_of[i];

        if (k < 0 && h->names[i].len > 0) {
            out->kind = CSV_IN_UNKNOWN;
        } else if (k >= 0 && h->column_of[k] != (int)i) {
            out->kind = CSV_IN_REPEATED;
            out->field = (size_t)k;
        } else {
            continue;
        }
        out->column = i;
        out->name = h->names[i];
        (*pos)++;
        return true;
    }
    for (; *pos < h->n + h->ncols; (*pos)++) {
        size_t k = *pos - h->n;

        if (!h->cols[k].required || h->column_of[k] >= 0)
            continue;
        out->kind = CSV_IN_MISSING;
        out->field = k;
        out->name = str_c(h->cols[k].field);
        (*pos)++;
        return true;
    }
    return false;
}

enum app_err
csv_in_open(struct csv_in *in, struct arena *a, struct str bytes,
            const struct csv_in_spec *spec)
{
    struct textenc_error err;
    struct csv_limits lim = csv_limits_default();
    enum app_err rc;

    memset(in, 0, sizeof(*in));
    in->spec = spec;
    in->arena = a;
    if (spec->ncols > CSV_IN_FIELDS_MAX ||
        spec->max_columns > CSV_IN_COLUMNS_MAX || spec->max_columns == 0)
        return APP_EINVAL;
    rc =
        textenc_decode(a, bytes, TEXTENC_AUTO, spec->max_text, &in->text, &err);
    if (rc != APP_OK) {
        in->code = err.code;
        in->line = err.line;
        return rc;
    }
    lim.max_records = spec->max_rows + 1;
    lim.max_fields = spec->max_columns;
    lim.max_field_bytes = spec->max_field_bytes;
    return csv_reader_init(&in->rd, a, in->text.text, 0, &lim);
}

/* rc of the reader, its error noted. */
APP_MUST_USE static enum app_err
read_next(struct csv_in *in, struct csv_record *rec)
{
    enum app_err rc = csv_next(&in->rd, rec);

    if (rc != APP_OK) {
        rec->n = 0;
        in->code = in->rd.err.code;
        in->line = in->rd.err.line;
    }
    return rc;
}

enum app_err
csv_in_header(struct csv_in *in)
{
    struct csv_record rec;
    enum app_err rc;

    if (in->header)
        return APP_EINVAL;
    rc = read_next(in, &rec);
    if (rc != APP_OK)
        return rc;
    if (rec.n == 0) {
        in->code = NULL;
        in->line = 1;
        return APP_ENOTFOUND;
    }
    rc = csv_in_map(&in->h, in->spec->cols, in->spec->ncols, rec.fields, rec.n,
                    rec.line);
    in->header = rc == APP_OK;
    return rc;
}

enum app_err
csv_in_next(struct csv_in *in, struct csv_record *rec)
{
    memset(rec, 0, sizeof(*rec));
    if (!in->header)
        return APP_EINVAL;
    return read_next(in, rec);
}

struct str
csv_in_cell(const struct csv_in *in, const struct csv_record *rec, size_t field)
{
    int i =
        field < CSV_IN_FIELDS_MAX && in->header ? in->h.column_of[field] : -1;

    return i >= 0 && (size_t)i < rec->n ? rec->fields[i] : STR_NULL;
}

bool
csv_in_has(const struct csv_in *in, size_t field)
{
    return in->header && field < in->h.ncols && in->h.column_of[field] >= 0;
}

struct str
csv_in_unneutralise(struct str s)
{
    struct str rest;

    if (s.len < 2 || s.p[0] != '\'')
        return s;
    rest = (struct str){ s.p + 1, s.len - 1 };
    return csv_needs_neutralise(rest) ? rest : s;
}
