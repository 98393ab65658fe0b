/*
 * pos_store.c -- the POS import's new lines into pos_sales (pos_store.h):
 * LOAD DATA LOCAL INFILE streamed from memory, or array-bound INSERTs.
 */
#include "sales/pos_store.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "db/db.h"

#define POS_BULK_ROWS 5000 /* rows of one array-bound INSERT */

/* clang-format off */
/* LOAD DATA cannot be prepared: the text is a constant and every value,
 * the company's id included, travels as the streamed file's data. */
static const char SQL_LOAD[] =
    "LOAD DATA LOCAL INFILE 'pos_sales' INTO TABLE pos_sales "
    "CHARACTER SET ascii FIELDS TERMINATED BY '\\t' "
    "LINES TERMINATED BY '\\n' (tenant_id, store_id, receipt, line, "
    "sold_at, day, product_id, qty, amount_fen, member, import_id)";
static const char SQL_BULK[] =
    "INSERT INTO pos_sales (tenant_id, store_id, receipt, line, sold_at, "
    "day, product_id, qty, amount_fen, member, import_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
/* clang-format on */

struct feed {
    const struct pos_rows *r;
    const uint32_t *new_idx;
    size_t n, next;
    char row[512];
    size_t off, len;
};

static size_t
put_u64(char *o, uint64_t v)
{
    char t[24];
    size_t n = 0, i;

    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    for (i = 0; i < n; i++)
        o[i] = t[n - 1 - i];
    return n;
}

static size_t
put_i64(char *o, int64_t v)
{
    if (v < 0) {
        o[0] = '-';
        return 1 + put_u64(o + 1, (uint64_t)(-(v + 1)) + 1);
    }
    return put_u64(o, (uint64_t)v);
}

/* One row in the LOAD DATA format: TAB-separated, \N for NULL, nothing
 * else to escape (receipt and member are printable ASCII without TAB,
 * backslash or quote: pos_parse checks). */
static size_t
format_row(const struct pos_rows *r, const struct pos_line *l, char *o)
{
    size_t n = 0;

    n += put_i64(o + n, r->cx->tenant_id);
    o[n++] = '\t';
    n += put_i64(o + n, r->store_ids[l->store_ix]);
    o[n++] = '\t';
    memcpy(o + n, l->receipt, l->receipt_len);
    n += l->receipt_len;
    o[n++] = '\t';
    n += put_u64(o + n, l->line);
    o[n++] = '\t';
    n += pos_time_text(l->at, o + n);
    o[n++] = '\t';
    n += pos_day_text(l->day, o + n);
    o[n++] = '\t';
    n += put_i64(o + n, l->product_id);
    o[n++] = '\t';
    n += put_i64(o + n, l->qty);
    o[n++] = '\t';
    n += put_i64(o + n, l->amount_fen);
    o[n++] = '\t';
    if (l->member != NULL) {
        memcpy(o + n, l->member, l->member_len);
        n += l->member_len;
    } else {
        memcpy(o + n, "\\N", 2); /* NULL; no value has a backslash */
        n += 2;
    }
    o[n++] = '\t';
    n += put_i64(o + n, r->import_id);
    o[n++] = '\n';
    return n;
}

APP_MUST_USE static enum app_err
feed_fill(void *arg, char *buf, size_t cap, size_t *n)
{
    struct feed *f = arg;

    *n = 0;
    while (*n < cap) {
        size_t k;

        if (f->off == f->len) {
            if (f->next >= f->n)
                break;
            if (cap - *n >= sizeof(f->row)) { /* straight into buf */
                *n += format_row(f->r, &f->r->lines[f->new_idx[f->next++]],
                                 buf + *n);
                continue;
            }
            f->len =
                format_row(f->r, &f->r->lines[f->new_idx[f->next++]], f->row);
            f->off = 0;
        }
        k = f->len - f->off < cap - *n ? f->len - f->off : cap - *n;
        memcpy(buf + *n, f->row + f->off, k);
        f->off += k;
        *n += k;
    }
    return APP_OK;
}

enum app_err
pos_store_load(const struct pos_rows *r, const uint32_t *new_idx, size_t n)
{
    struct feed f = { .r = r, .new_idx = new_idx, .n = n };
    uint64_t affected = 0;
    enum app_err rc =
        db_load_local(r->cx->db, SQL_LOAD, feed_fill, &f, &affected);

    if (rc == APP_OK && affected != n) {
        log_error("pos.load_count", "expected=%zu stored=%llu", n,
                  (unsigned long long)affected);
        rc = APP_EDB;
    }
    return rc;
}

enum app_err
pos_store_bulk(const struct pos_rows *rows, const uint32_t *new_idx, size_t n)
{
    struct db_val *v = malloc(POS_BULK_ROWS * 11 * sizeof(*v));
    char *texts = malloc(POS_BULK_ROWS * 32);
    size_t i, b;
    enum app_err rc = v != NULL && texts != NULL ? APP_OK : APP_ENOMEM;

    for (b = 0; rc == APP_OK && b < n; b += POS_BULK_ROWS) {
        size_t m = n - b < POS_BULK_ROWS ? n - b : POS_BULK_ROWS;

        for (i = 0; i < m; i++) {
            const struct pos_line *l = &rows->lines[new_idx[b + i]];
            struct db_val *r = v + i * 11;
            char *t = texts + i * 32;

            pos_time_text(l->at, t);
            pos_day_text(l->day, t + 20);
            r[0] = DB_I64(rows->cx->tenant_id);
            r[1] = DB_I64(rows->store_ids[l->store_ix]);
            r[2] = DB_STR(((struct str){ l->receipt, l->receipt_len }));
            r[3] = DB_I64(l->line);
            r[4] = DB_STR(((struct str){ t, 19 }));
            r[5] = DB_STR(((struct str){ t + 20, 10 }));
            r[6] = DB_I64(l->product_id);
            r[7] = DB_I64(l->qty);
            r[8] = DB_I64(l->amount_fen);
            r[9] = l->member != NULL
                       ? DB_STR(((struct str){ l->member, l->member_len }))
                       : DB_NULL;
            r[10] = DB_I64(rows->import_id);
        }
        rc = db_exec_bulk(rows->cx->db, SQL_BULK, v, 11, m);
    }
    free(v);
    free(texts);
    return rc;
}
