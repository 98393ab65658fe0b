/*
 * fuzz_csv_in.c -- libFuzzer target for csv_in, an import's CSV: decoded,
 * its header mapped to a table of known columns, its lines read.
 *
 * The first byte is a mode: bit 0 small limits (2 lines, 4 columns, fields
 * of 8 bytes; seeds start with '0' or '1'), and the rest is the file,
 * copied to a buffer of exactly its size so that ASan catches reads past
 * it even in corpus replay.
 *
 *  1. Open: APP_OK, or a failure with a catalog key and a line.
 *  2. Header: every column mapped to an entry that names it or to none;
 *     each entry's column is the first naming it; the issues come in
 *     order, each once, and name a real column or a required entry.
 *  3. Lines: within the limits, lines increasing; a cell is one of the
 *     record's fields or none, and none exactly when the file has no such
 *     column or the record is shorter; unneutralising drops at most the
 *     leading quote.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/csv_in.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct csv_in_col COLS[] = {
    { "sku", { "sku", "编码", "商品编码", "货号" }, true },
    { "name", { "name", "名称", "商品名称" }, true },
    { "brand", { "brand", "品牌" }, false },
    { "lng", { "lng", "经度", "longitude", "lon", "x", "名称" }, false },
};
#define NCOLS (sizeof(COLS) / sizeof(COLS[0]))

static void
check_header(const struct csv_in *in, const struct csv_in_spec *spec)
{
    const struct csv_in_header *h = &in->h;
    struct csv_in_issue is;
    size_t i, k, pos = 0, n = 0, last = 0;

    if (h->n == 0 || h->n > spec->max_columns || h->line == 0 ||
        h->ncols != NCOLS)
        abort();
    for (i = 0; i < h->n; i++) {
        int f = h->field_of[i];

        if (f < -1 || f >= (int)NCOLS)
            abort();
        if (f >= 0 && (h->column_of[f] < 0 || (size_t)h->column_of[f] > i))
            abort();
    }
    for (k = 0; k < NCOLS; k++) {
        int c = h->column_of[k];

        if (c >= 0 && ((size_t)c >= h->n || h->field_of[c] != (int)k))
            abort();
        if (csv_in_has(in, k) != (c >= 0))
            abort();
    }
    while (csv_in_issue_next(h, &pos, &is)) {
        if (++n > h->n + NCOLS || pos <= last)
            abort();
        last = pos;
        if (is.kind == CSV_IN_MISSING) {
            if (!COLS[is.field].required || h->column_of[is.field] >= 0)
                abort();
        } else if (is.column >= h->n || !str_eq(is.name, h->names[is.column]) ||
                   (is.kind == CSV_IN_UNKNOWN) != (h->field_of[is.column] < 0))
            abort();
    }
}

static void
check_line(const struct csv_in *in, const struct csv_record *rec,
           const struct csv_in_spec *spec)
{
    size_t k, i;

    if (rec->n == 0 || rec->n > spec->max_columns)
        abort();
    for (k = 0; k < NCOLS; k++) {
        struct str c = csv_in_cell(in, rec, k);
        int col = in->h.column_of[k];

        if ((c.p == NULL) != (col < 0 || (size_t)col >= rec->n))
            abort();
        if (c.p != NULL && (c.p != rec->fields[col].p || c.len > 8192))
            abort();
    }
    for (i = 0; i < rec->n; i++) {
        struct str u = csv_in_unneutralise(rec->fields[i]);

        if (u.len > rec->fields[i].len || u.len + 1 < rec->fields[i].len ||
            u.p + u.len != rec->fields[i].p + rec->fields[i].len)
            abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a;
    struct csv_in_spec spec = { COLS, NCOLS, 1u << 20, 100, 16, 8192 };
    struct csv_in in;
    struct csv_record rec;
    size_t lines = 0, line = 0;
    char *copy;
    enum app_err rc;

    if (size == 0)
        return 0;
    if (data[0] & 1) {
        spec.max_rows = 2;
        spec.max_columns = 4;
        spec.max_field_bytes = 8;
    }
    a = arena_new(4096, 64u << 20);
    copy = malloc(size > 1 ? size - 1 : 1);
    if (a == NULL || copy == NULL)
        abort();
    if (size > 1)
        memcpy(copy, data + 1, size - 1);
    rc = csv_in_open(&in, a, (struct str){ copy, size - 1 }, &spec);
    if (rc == APP_EINVAL && (in.code == NULL || in.line == 0))
        abort();
    if (rc == APP_OK && (rc = csv_in_header(&in)) == APP_OK) {
        check_header(&in, &spec);
        while ((rc = csv_in_next(&in, &rec)) == APP_OK && rec.n > 0) {
            if (++lines > spec.max_rows || rec.line <= line)
                abort();
            line = rec.line;
            check_line(&in, &rec, &spec);
        }
        if (rc != APP_OK && (in.code == NULL || in.line == 0))
            abort();
    } else if (rc == APP_ENOTFOUND && (in.code != NULL || in.line != 1)) {
        abort();
    }
    free(copy);
    arena_free(a);
    return 0;
}
