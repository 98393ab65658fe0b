/*
 * pos_rollup.h -- the rollups of POS lines the sell-through metrics read:
 * pos_store_days (every line), pos_days and pos_members (products of an
 * active campaign only).  pos_import.c adds the lines an import stored;
 * the campaigns service rebuilds a product's rows when a campaign starts
 * for a product that already has sales.
 *
 * A member's row keeps the first purchase (earliest time, then receipt)
 * and the earliest one on another receipt; returns (qty < 0) are not
 * purchases.  Lines may arrive in any order: the stored row is merged
 * with the new lines, which gives the same two purchases as computing
 * them from all the lines at once.
 */
#ifndef PROOFLINE_POS_ROLLUP_H
#define PROOFLINE_POS_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/ctx.h"
#include "sales/pos_parse.h"

/* The sums of n lines (lines[idx[i]], none of them stored before this
 * import) for the rollups: *out (pos_rollup_free).  store_ids[store_ix]
 * is each line's store; camp[0..ncamp) the sorted ids of the products of
 * an active campaign (both must outlive *out).  No database: the import
 * computes it on a thread of its own while the lines are stored.
 * APP_ENOMEM. */
struct pos_rollup;
APP_MUST_USE enum app_err pos_rollup_sum(const struct pos_line *lines,
                                         const uint32_t *idx, size_t n,
                                         const int64_t *store_ids,
                                         const int64_t *camp, size_t ncamp,
                                         struct pos_rollup **out);

/* Add the sums to cx's company's rollups, inside the caller's
 * transaction (the members' stored rows merged first).  The sums are not
 * changed, so a transaction tried again writes them again.  Database
 * errors, APP_ENOMEM. */
APP_MUST_USE enum app_err pos_rollup_write(struct ctx *cx,
                                           const struct pos_rollup *sum);

void pos_rollup_free(struct pos_rollup *ru);

/* Rebuild pos_days and pos_members of one product of cx's company from
 * pos_sales (its rows replaced), in a transaction of its own or the
 * caller's.  Bumps pos_state.version so cached metrics are recomputed.
 * Database errors, APP_ENOMEM. */
APP_MUST_USE enum app_err pos_rollup_product(struct ctx *cx,
                                             int64_t product_id);

#endif
