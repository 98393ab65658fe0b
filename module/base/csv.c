/*
 * csv.c -- RFC 4180 reader and formula-safe writer (see csv.h).
 *
 * The reader takes each record in two passes over the same bytes: the
 * first checks its syntax and limits and measures it without allocating,
 * the second copies the fields into one arena block.  So a hostile record
 * costs no memory, and the copying pass can trust the structure.
 */
#include "base/csv.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define BOM_UTF8 "\xEF\xBB\xBF"
#define BOM_LEN 3

struct csv_limits
csv_limits_default(void)
{
    struct csv_limits l = {
        .max_fields = CSV_MAX_FIELDS,
        .max_field_bytes = CSV_MAX_FIELD_BYTES,
        .max_records = CSV_MAX_RECORDS,
        .max_record_bytes = CSV_MAX_RECORD_BYTES,
    };
    return l;
}

static bool
sep_ok(char sep)
{
    return sep == ',' || sep == ';' || sep == '\t';
}

/* --- reader --------------------------------------------------------------
 */

/* Where the first pass is: a position with its line. */
struct pos {
    size_t i;          /* offset */
    size_t line;       /* 1-based line of i */
    size_t line_start; /* offset where that line starts */
};

/* What the first pass found out about a record. */
struct scan {
    size_t nfields;
    size_t bytes;   /* field bytes after unquoting, all fields */
    struct pos end; /* at the line break (or end) after the record */
};

/* If p[at] starts a line break, step over it (CRLF is one) and count it. */
static bool
line_break(const char *p, size_t n, struct pos *at)
{
    size_t i = at->i;

    if (i >= n || (p[i] != '\r' && p[i] != '\n'))
        return false;
    if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
        i++;
    at->i = i + 1;
    at->line++;
    at->line_start = at->i;
    return true;
}

static const char *
describe(const char *code)
{
    static const struct {
        const char *code, *text;
    } texts[] = {
        { "csv.unterminated_quote",
          "a quoted field starts here but its closing quote is missing" },
        { "csv.bad_quote", "a double quote inside a field that is not in "
                           "quotes; put the field in quotes and write the "
                           "quote twice (\"\")" },
        { "csv.text_after_quote",
          "text after the closing quote of a field; a quote inside a quoted "
          "field must be written twice (\"\")" },
        { "csv.too_many_fields", "more fields than allowed" },
        { "csv.field_too_large", "a field longer than allowed" },
        { "csv.record_too_large", "a record longer than allowed" },
        { "csv.too_many_records", "more records than allowed" },
        { "csv.no_memory", "out of memory" },
    };
    size_t k;

    for (k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
        if (strcmp(texts[k].code, code) == 0)
            return texts[k].text;
    }
    return "error";
}

/* The limit an error code is about, for the message; 0 for none. */
static size_t
limit_of(const struct csv_limits *l, const char *code)
{
    if (strcmp(code, "csv.too_many_fields") == 0)
        return l->max_fields;
    if (strcmp(code, "csv.field_too_large") == 0)
        return l->max_field_bytes;
    if (strcmp(code, "csv.record_too_large") == 0)
        return l->max_record_bytes;
    if (strcmp(code, "csv.too_many_records") == 0)
        return l->max_records;
    return 0;
}

/* Record the error at position at (in record number rec starting on line
 * rec_line, field `field` or 0) and make the reader fail from now on. */
APP_MUST_USE static enum app_err
rfail(struct csv_reader *r, enum app_err rc, const char *code, struct pos at,
      size_t rec_line, size_t field)
{
    struct csv_error *e = &r->err;
    size_t k, col = 1, lim = limit_of(&r->lim, code);
    int w;

    memset(e, 0, sizeof(*e));
    e->rc = rc;
    e->code = code;
    e->record = r->records + 1;
    e->record_line = rec_line;
    e->line = at.line;
    e->field = field;
    e->offset = at.i;
    /* Characters, not bytes: count all but UTF-8 continuation bytes. */
    for (k = at.line_start; k < at.i && k < r->len; k++) {
        if (((unsigned char)r->p[k] & 0xC0) != 0x80)
            col++;
    }
    e->column = col;
    if (field > 0)
        w = snprintf(e->msg, sizeof(e->msg),
                     "Record %zu (line %zu, column %zu, field %zu): %s",
                     e->record, e->line, e->column, field, describe(code));
    else
        w = snprintf(e->msg, sizeof(e->msg),
                     "Record %zu (line %zu, column %zu): %s", e->record,
                     e->line, e->column, describe(code));
    if (w > 0 && (size_t)w < sizeof(e->msg) && lim > 0)
        snprintf(e->msg + w, sizeof(e->msg) - (size_t)w, " (at most %zu)", lim);
    r->failed = true;
    return rc;
}

char
csv_detect_sep(struct str in)
{
    static const char cands[] = { ',', ';', '\t' };
    size_t count[3] = { 0, 0, 0 };
    size_t i = 0, k, best = 0;
    bool quoted = false;

    if (in.p == NULL)
        return ',';
    if (in.len >= BOM_LEN && memcmp(in.p, BOM_UTF8, BOM_LEN) == 0)
        i = BOM_LEN;
    while (i < in.len && (in.p[i] == '\r' || in.p[i] == '\n'))
        i++;
    for (; i < in.len; i++) {
        char c = in.p[i];

        if (c == '"') {
            quoted = !quoted;
        } else if (!quoted) {
            if (c == '\r' || c == '\n')
                break;
            for (k = 0; k < 3; k++) {
                if (c == cands[k])
                    count[k]++;
            }
        }
    }
    for (k = 1; k < 3; k++) {
        if (count[k] > count[best])
            best = k;
    }
    return cands[best];
}

enum app_err
csv_reader_init(struct csv_reader *r, struct arena *arena, struct str in,
                char sep, const struct csv_limits *lim)
{
    memset(r, 0, sizeof(*r));
    if (sep == 0)
        sep = csv_detect_sep(in);
    if (!sep_ok(sep))
        return APP_EINVAL;
    r->arena = arena;
    r->p = in.p != NULL ? in.p : "";
    r->len = in.p != NULL ? in.len : 0;
    r->sep = sep;
    r->lim = lim != NULL ? *lim : csv_limits_default();
    r->line = 1;
    if (r->len >= BOM_LEN && memcmp(r->p, BOM_UTF8, BOM_LEN) == 0)
        r->pos = BOM_LEN;
    r->line_start = r->pos;
    return APP_OK;
}

char
csv_reader_sep(const struct csv_reader *r)
{
    return r->sep;
}

/* The record starting at start passed max_record_bytes.  Inside a quoted
 * field (opened at quote), most likely its closing quote is missing and
 * the rest of the file became one field: say so, where that field starts. */
APP_MUST_USE static enum app_err
too_large(struct csv_reader *r, struct pos start, struct pos quote, bool quoted,
          size_t field)
{
    size_t used;

    if (!quoted)
        return rfail(r, APP_ETOOBIG, "csv.record_too_large", start, start.line,
                     0);
    app_ignore(
        rfail(r, APP_ETOOBIG, "csv.record_too_large", quote, start.line, field),
        "the error is returned below, with more said about it");
    used = strlen(r->err.msg);
    snprintf(r->err.msg + used, sizeof(r->err.msg) - used,
             "; the quoted field starting here may lack its closing quote");
    return APP_ETOOBIG;
}

/* First pass over the record starting at start: syntax and limits. */
APP_MUST_USE static enum app_err
scan_record(struct csv_reader *r, struct pos start, struct scan *sc)
{
    const char *p = r->p;
    const size_t n = r->len;
    const struct csv_limits *l = &r->lim;
    struct pos at = start;
    size_t lim_end; /* a record may use bytes up to here, not past it */
    size_t field = 0;
    struct pos quote = { 0, 0, 0 };
    bool quoted = false; /* inside the quoted field opened at quote */

    if (l->max_record_bytes < n - start.i)
        lim_end = start.i + l->max_record_bytes;
    else
        lim_end = n;
    memset(sc, 0, sizeof(*sc));
    /* After each step that consumes bytes of the record, at.i > lim_end
     * means the record is over max_record_bytes. */
    for (;;) {
        struct pos fstart = at;
        size_t flen = 0;

        field++;
        if (field > l->max_fields)
            return rfail(r, APP_ETOOBIG, "csv.too_many_fields", at, start.line,
                         field);
        if (at.i < n && p[at.i] == '"') {
            quote = at;
            quoted = true;
            at.i++;
            for (;;) {
                size_t before = at.i;

                if (at.i > lim_end)
                    return too_large(r, start, quote, quoted, field);
                if (at.i >= n)
                    return rfail(r, APP_EINVAL, "csv.unterminated_quote", quote,
                                 start.line, field);
                if (p[at.i] == '"') {
                    if (at.i + 1 >= n || p[at.i + 1] != '"') {
                        at.i++;
                        quoted = false;
                        break;
                    }
                    at.i += 2;
                    flen++;
                } else {
                    if (!line_break(p, n, &at))
                        at.i++;
                    flen += at.i - before;
                }
                if (flen > l->max_field_bytes)
                    return rfail(r, APP_ETOOBIG, "csv.field_too_large", fstart,
                                 start.line, field);
            }
            if (at.i > lim_end)
                return too_large(r, start, quote, quoted, field);
            if (at.i < n && p[at.i] != r->sep && p[at.i] != '\r' &&
                p[at.i] != '\n')
                return rfail(r, APP_EINVAL, "csv.text_after_quote", at,
                             start.line, field);
        } else {
            while (at.i < n && p[at.i] != r->sep && p[at.i] != '\r' &&
                   p[at.i] != '\n') {
                if (p[at.i] == '"')
                    return rfail(r, APP_EINVAL, "csv.bad_quote", at, start.line,
                                 field);
                at.i++;
                flen++;
                if (at.i > lim_end)
                    return too_large(r, start, quote, quoted, field);
                if (flen > l->max_field_bytes)
                    return rfail(r, APP_ETOOBIG, "csv.field_too_large", fstart,
                                 start.line, field);
            }
        }
        /* At most the record's size, which is in memory. */
        sc->bytes += flen;
        if (at.i < n && p[at.i] == r->sep) {
            at.i++;
            if (at.i > lim_end)
                return too_large(r, start, quote, quoted, field);
            continue;
        }
        break;
    }
    sc->nfields = field;
    sc->end = at;
    return APP_OK;
}

/* Second pass: copy the fields of a record that scan_record() accepted. */
APP_MUST_USE static enum app_err
build_record(struct csv_reader *r, struct pos start, const struct scan *sc,
             struct csv_record *rec)
{
    const char *p = r->p;
    const size_t n = r->len;
    size_t i = start.i, f, bytes, total;
    struct str *fields;
    char *d;

    if (__builtin_mul_overflow(sc->nfields, sizeof(*fields), &bytes) ||
        __builtin_add_overflow(sc->bytes, sc->nfields, &total))
        return rfail(r, APP_ENOMEM, "csv.no_memory", start, start.line, 0);
    fields = arena_alloc(r->arena, bytes);
    d = arena_alloc(r->arena, total);
    if (fields == NULL || d == NULL)
        return rfail(r, APP_ENOMEM, "csv.no_memory", start, start.line, 0);
    for (f = 0; f < sc->nfields; f++) {
        fields[f].p = d;
        if (i < n && p[i] == '"') {
            for (i++; i < n; i++) {
                if (p[i] == '"') {
                    if (i + 1 < n && p[i + 1] == '"')
                        i++;
                    else
                        break;
                }
                *d++ = p[i];
            }
            i++; /* the closing quote */
        } else {
            while (i < n && p[i] != r->sep && p[i] != '\r' && p[i] != '\n')
                *d++ = p[i++];
        }
        fields[f].len = (size_t)(d - fields[f].p);
        *d++ = '\0';
        i++; /* the separator, or past the record on the last field */
    }
    rec->fields = fields;
    rec->n = sc->nfields;
    rec->number = r->records + 1;
    rec->line = start.line;
    rec->offset = start.i;
    return APP_OK;
}

enum app_err
csv_next(struct csv_reader *r, struct csv_record *rec)
{
    struct pos at = { r->pos, r->line, r->line_start };
    struct scan sc;
    enum app_err rc;

    memset(rec, 0, sizeof(*rec));
    if (r->failed)
        return r->err.rc;
    while (line_break(r->p, r->len, &at))
        ;
    r->pos = at.i;
    r->line = at.line;
    r->line_start = at.line_start;
    if (at.i >= r->len)
        return APP_OK;
    if (r->records >= r->lim.max_records)
        return rfail(r, APP_ETOOBIG, "csv.too_many_records", at, at.line, 0);
    rc = scan_record(r, at, &sc);
    if (rc != APP_OK)
        return rc;
    rc = build_record(r, at, &sc, rec);
    if (rc != APP_OK) {
        memset(rec, 0, sizeof(*rec));
        return rc;
    }
    r->records++;
    at = sc.end;
    line_break(r->p, r->len, &at);
    r->pos = at.i;
    r->line = at.line;
    r->line_start = at.line_start;
    return APP_OK;
}

/* --- writer --------------------------------------------------------------
 */

bool
csv_is_plain_number(struct str cell)
{
    size_t i = 0, digits = 0;

    if (cell.len > 0 && (cell.p[0] == '+' || cell.p[0] == '-'))
        i++;
    while (i < cell.len && cell.p[i] >= '0' && cell.p[i] <= '9') {
        i++;
        digits++;
    }
    if (i < cell.len && cell.p[i] == '.') {
        i++;
        while (i < cell.len && cell.p[i] >= '0' && cell.p[i] <= '9') {
            i++;
            digits++;
        }
    }
    return digits > 0 && i == cell.len;
}

bool
csv_needs_neutralise(struct str cell)
{
    if (cell.len == 0)
        return false;
    switch (cell.p[0]) {
    case '=':
    case '@':
    case '\t':
    case '\r':
        return true;
    case '+':
    case '-':
        /* "-5" is a number to a spreadsheet, not a formula; quoting it
         * would turn every negative amount of an export into text. */
        return !csv_is_plain_number(cell);
    default:
        return false;
    }
}

void
csv_writer_init(struct csv_writer *w, struct buf *b, char sep)
{
    memset(w, 0, sizeof(*w));
    w->b = b;
    w->sep = sep_ok(sep) ? sep : ',';
}

/* Undo a partial write so that a failed call leaves the buf as it was. */
APP_MUST_USE static enum app_err
undo(struct csv_writer *w, size_t len, enum app_err rc)
{
    w->b->len = len;
    if (w->b->p != NULL)
        w->b->p[len] = '\0';
    return rc;
}

enum app_err
csv_write_bom(struct csv_writer *w)
{
    enum app_err rc;

    if (w->started || w->bom)
        return APP_EINVAL;
    rc = buf_append(w->b, BOM_UTF8, BOM_LEN);
    if (rc == APP_OK)
        w->bom = true;
    return rc;
}

static bool
needs_quotes(const struct csv_writer *w, struct str cell)
{
    size_t i;

    if (!w->started && cell.len >= BOM_LEN &&
        memcmp(cell.p, BOM_UTF8, BOM_LEN) == 0)
        return true;
    for (i = 0; i < cell.len; i++) {
        char c = cell.p[i];

        if (c == w->sep || c == '"' || c == '\r' || c == '\n')
            return true;
    }
    return false;
}

enum app_err
csv_write_field(struct csv_writer *w, struct str cell)
{
    struct buf *b = w->b;
    size_t start = b->len, i, from;
    bool quote;
    enum app_err rc = APP_OK;

    if (cell.p == NULL)
        cell = STR_LIT("");
    quote = needs_quotes(w, cell);
    if (w->nfields > 0)
        rc = buf_putc(b, w->sep);
    if (rc == APP_OK && quote)
        rc = buf_putc(b, '"');
    if (rc == APP_OK && csv_needs_neutralise(cell))
        rc = buf_putc(b, '\'');
    if (rc == APP_OK && !quote) {
        rc = buf_append(b, cell.p, cell.len);
    } else if (rc == APP_OK) {
        /* Copy runs between quotes, doubling each quote. */
        from = 0;
        for (i = 0; i < cell.len && rc == APP_OK; i++) {
            if (cell.p[i] == '"') {
                rc = buf_append(b, cell.p + from, i + 1 - from);
                from = i;
            }
        }
        if (rc == APP_OK)
            rc = buf_append(b, cell.p + from, cell.len - from);
        if (rc == APP_OK)
            rc = buf_putc(b, '"');
    }
    if (rc != APP_OK)
        return undo(w, start, rc);
    w->nfields++;
    w->rec_bytes += b->len - start;
    w->started = true;
    return APP_OK;
}

enum app_err
csv_end_record(struct csv_writer *w)
{
    size_t start = w->b->len;
    enum app_err rc = APP_OK;

    if (w->rec_bytes == 0)
        rc = buf_append(w->b, "\"\"", 2);
    if (rc == APP_OK)
        rc = buf_append(w->b, "\r\n", 2);
    if (rc != APP_OK)
        return undo(w, start, rc);
    w->nfields = 0;
    w->rec_bytes = 0;
    w->started = true;
    return APP_OK;
}

enum app_err
csv_write_record(struct csv_writer *w, const struct str *cells, size_t n)
{
    size_t i;
    enum app_err rc;

    for (i = 0; i < n; i++) {
        rc = csv_write_field(w, cells[i]);
        if (rc != APP_OK)
            return rc;
    }
    return csv_end_record(w);
}
