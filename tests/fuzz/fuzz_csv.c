/*
 * fuzz_csv.c -- libFuzzer target for the CSV reader and writer.
 *
 * The first byte is a mode: its value modulo 4 chooses the separator
 * (',', ';', TAB, or detection: seeds start with '0'..'3'), +4 small limits
 * for the reader, +8 a byte order mark on export.  The rest is the input,
 * copied to a buffer of exactly its size so that ASan catches reads past it
 * even in corpus replay.
 *
 *  1. Read the input: every record within the limits, numbered in order,
 *     lines and offsets increasing; an error names a place inside the
 *     input.  A second read with a failing arena allocation gives the same
 *     records until it ends the same way or in APP_ENOMEM.
 *  2. Write the records read, read the export back: the same fields, with
 *     a leading ' on exactly those csv_needs_neutralise() names.
 *  3. The same round trip for arbitrary fields: the input split into
 *     records at 0x1E and into fields at 0x1F.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char seps[4] = { ',', ';', '\t', 0 };

struct recs {
    struct csv_record *v;
    size_t n, cap;
};

/* Room for cap records: a CSV text or a split input of n bytes never has
 * more than n + 1. */
static void
recs_init(struct recs *rs, size_t cap)
{
    rs->v = malloc(cap * sizeof(*rs->v));
    rs->n = 0;
    rs->cap = cap;
    if (rs->v == NULL)
        abort();
}

/* Read everything into *out (records in arena a).  Returns the final rc;
 * *err gets the error. */
APP_MUST_USE static enum app_err
read_all(struct arena *a, struct str in, char sep, const struct csv_limits *l,
         struct recs *out, struct csv_error *err, char *used_sep)
{
    struct csv_reader r;
    struct csv_record rec;
    enum app_err rc;

    out->n = 0;
    if (csv_reader_init(&r, a, in, sep, l) != APP_OK)
        abort();
    *used_sep = csv_reader_sep(&r);
    for (;;) {
        rc = csv_next(&r, &rec);
        if (rc != APP_OK) {
            *err = r.err;
            if (rec.n != 0 || csv_next(&r, &rec) != rc)
                abort();
            return rc;
        }
        if (rec.n == 0)
            return APP_OK;
        if (out->n >= out->cap)
            abort();
        out->v[out->n++] = rec;
    }
}

static void
check_records(const struct recs *rs, const struct csv_limits *l, size_t len)
{
    size_t i, f;

    if (rs->n > l->max_records)
        abort();
    for (i = 0; i < rs->n; i++) {
        const struct csv_record *r = &rs->v[i];

        if (r->n == 0 || r->n > l->max_fields || r->number != i + 1 ||
            r->line == 0 || r->offset >= len)
            abort();
        if (i > 0 &&
            (r->line <= rs->v[i - 1].line || r->offset <= rs->v[i - 1].offset))
            abort();
        for (f = 0; f < r->n; f++) {
            if (r->fields[f].len > l->max_field_bytes ||
                r->fields[f].p[r->fields[f].len] != '\0')
                abort();
        }
    }
}

static void
check_error(const struct csv_error *e, enum app_err rc, size_t nrecs,
            const struct csv_limits *l, size_t len)
{
    if (e->rc != rc || e->code == NULL || e->msg[0] == '\0')
        abort();
    if (rc != APP_EINVAL && rc != APP_ETOOBIG)
        abort();
    if (e->record != nrecs + 1 || e->record_line == 0 ||
        e->line < e->record_line || e->column == 0 || e->offset > len ||
        e->field > l->max_fields + 1)
        abort();
}

/* got must be want, or ' + want when want is neutralised. */
static void
check_cell(struct str want, struct str got)
{
    if (csv_needs_neutralise(want)) {
        if (got.len != want.len + 1 || got.p[0] != '\'')
            abort();
        got.p++;
        got.len--;
    }
    if (!str_eq(got, want))
        abort();
}

/* Write the records of rs, read them back and compare. */
static void
round_trip(const struct recs *rs, char sep, int bom)
{
    struct arena *a = arena_new(4096, 64u << 20);
    struct csv_limits big = { 1u << 20, 1u << 24, 1u << 24, 1u << 26 };
    struct recs back;
    struct csv_writer w;
    struct csv_error err;
    struct buf b;
    size_t i, f;
    char used;

    if (a == NULL)
        abort();
    recs_init(&back, rs->n + 1);
    buf_init(&b, NULL, 64u << 20);
    csv_writer_init(&w, &b, sep);
    if (bom && csv_write_bom(&w) != APP_OK)
        abort();
    for (i = 0; i < rs->n; i++) {
        if (csv_write_record(&w, rs->v[i].fields, rs->v[i].n) != APP_OK)
            abort();
    }
    if (read_all(a, buf_str(&b), sep, &big, &back, &err, &used) != APP_OK)
        abort();
    if (back.n != rs->n)
        abort();
    for (i = 0; i < rs->n; i++) {
        if (back.v[i].n != rs->v[i].n)
            abort();
        for (f = 0; f < rs->v[i].n; f++)
            check_cell(rs->v[i].fields[f], back.v[i].fields[f]);
    }
    buf_free(&b);
    free(back.v);
    arena_free(a);
}

/* Split in at 0x1E (records) and 0x1F (fields). */
static void
split(struct arena *a, struct str in, struct recs *out)
{
    size_t i = 0;

    out->n = 0;
    while (i <= in.len) {
        size_t end = i, nf = 1, k, f;
        struct str *fields;

        while (end < in.len && in.p[end] != '\x1E')
            end++;
        for (k = i; k < end; k++)
            nf += in.p[k] == '\x1F';
        fields = arena_alloc(a, nf * sizeof(*fields));
        if (fields == NULL)
            abort();
        f = 0;
        fields[0].p = in.p + i;
        for (k = i; k < end; k++) {
            if (in.p[k] == '\x1F') {
                fields[f].len = (size_t)(in.p + k - fields[f].p);
                f++;
                fields[f].p = in.p + k + 1;
            }
        }
        fields[f].len = (size_t)(in.p + end - fields[f].p);
        if (out->n >= out->cap)
            abort();
        out->v[out->n].fields = fields;
        out->v[out->n].n = nf;
        out->n++;
        i = end + 1;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new(4096, 64u << 20);
    struct csv_limits small = { 8, 16, 16, 64 }, lim;
    struct recs rs, rs2;
    struct csv_error err, err2;
    struct str in;
    enum app_err rc, rc2;
    char sep, used, used2;
    uint8_t mode;
    char *copy;
    size_t i, f;

    if (a == NULL)
        abort();
    if (size == 0) {
        arena_free(a);
        return 0;
    }
    mode = data[0];
    sep = seps[mode & 3];
    lim = (mode & 4) ? small : csv_limits_default();
    copy = malloc(size > 1 ? size - 1 : 1);
    if (copy == NULL)
        abort();
    recs_init(&rs, size + 1);
    recs_init(&rs2, size + 1);
    if (size > 1)
        memcpy(copy, data + 1, size - 1);
    in.p = copy;
    in.len = size - 1;

    /* 1. read */
    sep = sep != 0 ? sep : csv_detect_sep(in);
    if (sep != ',' && sep != ';' && sep != '\t')
        abort();
    rc = read_all(a, in, sep, &lim, &rs, &err, &used);
    if (used != sep)
        abort();
    check_records(&rs, &lim, in.len);
    if (rc != APP_OK)
        check_error(&err, rc, rs.n, &lim, in.len);

    /* 1b. read again, failing an allocation: the same records until then */
    {
        struct arena *a2 = arena_new(4096, 64u << 20);

        if (a2 == NULL)
            abort();
        arena_fail_after(a2, (unsigned)(size % 7) + 1);
        rc2 = read_all(a2, in, sep, &lim, &rs2, &err2, &used2);
        arena_fail_after(a2, 0);
        if (rc2 == APP_ENOMEM) {
            if (rs2.n > rs.n || strcmp(err2.code, "csv.no_memory") != 0)
                abort();
        } else if (rc2 != rc || rs2.n != rs.n ||
                   (rc != APP_OK && (strcmp(err.code, err2.code) != 0 ||
                                     err.offset != err2.offset)))
            abort();
        for (i = 0; i < rs2.n; i++) {
            if (rs2.v[i].n != rs.v[i].n)
                abort();
            for (f = 0; f < rs.v[i].n; f++) {
                if (!str_eq(rs2.v[i].fields[f], rs.v[i].fields[f]))
                    abort();
            }
        }
        arena_free(a2);
    }

    /* 2. write what was read, read it back */
    round_trip(&rs, sep, (mode & 8) != 0);

    /* 3. arbitrary fields */
    split(a, in, &rs);
    round_trip(&rs, sep, (mode & 8) != 0);

    free(rs2.v);
    free(rs.v);
    free(copy);
    arena_free(a);
    return 0;
}
