/*
 * pos_store.h -- the POS import's new lines into pos_sales, two ways
 * measured against each other (scripts/bench_pos.py): LOAD DATA LOCAL
 * INFILE with the rows streamed from memory (db_load_local), which the
 * import uses, and array-bound INSERTs (db_exec_bulk) in batches.
 */
#ifndef PROOFLINE_POS_STORE_H
#define PROOFLINE_POS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/ctx.h"
#include "sales/pos_parse.h"

/* What a row is made of besides its line. */
struct pos_rows {
    struct ctx *cx;               /* the company, the connection */
    const struct pos_line *lines; /* indexed by the idx arrays below */
    const int64_t *store_ids;     /* by store_ix */
    int64_t import_id;
};

/* Store lines[idx[0..n)] (none of them stored yet: the caller holds the
 * company's pos_state lock and dropped the stored keys), in the caller's
 * transaction.  APP_EDB when the server stored another number of rows
 * than n or warned (nothing may be dropped silently); database errors. */
APP_MUST_USE enum app_err pos_store_load(const struct pos_rows *r,
                                         const uint32_t *idx, size_t n);
APP_MUST_USE enum app_err pos_store_bulk(const struct pos_rows *r,
                                         const uint32_t *idx, size_t n);

#endif
