/*
 * pos_import.h -- POS sales lines from CSV files (UTF-8 or GBK), at bulk
 * load speed.
 *
 * A file has a header row naming the columns store, time, receipt, line,
 * sku, qty, amount, member (or 门店编码, 销售时间, 小票号, 行号, 商品编码,
 * 数量, 金额, 会员号; member may be absent).  time is the company's local
 * "YYYY-MM-DD HH:MM[:SS]" (or "YYYY/MM/DD ..."); amount is yuan with at
 * most two decimals; qty a whole number (negative: a return).  A line is
 * bad when its store code or SKU is unknown, a field is malformed or out
 * of range; bad lines are reported as {line, field, problem} (the file's
 * 1-based line, a catalog key), the first POS_PROBLEMS_MAX of them.
 *
 * Mode "all" refuses the whole file on any bad line (nothing stored);
 * "keep" stores the good lines.  The key (store, receipt, line) makes a
 * re-import or an overlapping file harmless: a line already stored is
 * counted as a duplicate and changes nothing, and so is a repeat of a key
 * inside the file (the first one wins).
 *
 * One import runs at a time per company (pos_state is locked); its lines,
 * the rollups (pos_store_days, pos_days, pos_members) and the import's
 * record are written in one transaction, and pos_state.version is bumped,
 * so the metrics reflect the import when it finishes.  Every path (page,
 * API, CLI `proofline pos import FILE`, the incoming directory job, the
 * demo) goes through pos_import_run.
 */
#ifndef PROOFLINE_POS_IMPORT_H
#define PROOFLINE_POS_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "db/ctx.h"

#define POS_IMPORT_BYTES (512L * 1024 * 1024) /* of one file */
#define POS_IMPORT_LINES 10000000L            /* lines after the header */
#define POS_PROBLEMS_MAX 100
#define POS_RECEIPT_MAX 64
#define POS_MEMBER_MAX 64
#define POS_QTY_MAX 100000
#define POS_AMOUNT_FEN_MAX 1000000000LL /* 10 million yuan per line */

struct pos_import_result {
    int64_t import_id;
    const char *status;   /* "done", "refused", "failed" */
    const char *encoding; /* "utf-8", "gbk" */
    size_t lines_total, lines_added, lines_dup, lines_bad;
    const char *day_from, *day_to; /* local days of the lines, or NULL */
    cJSON *problems;               /* [{line, field, problem}] (caller frees) */
};

/* Record a queued import of a stored file (page, API): returns its id;
 * a job of kind "pos_import" runs it (pos_import_job). */
APP_MUST_USE enum app_err pos_import_queue(struct ctx *cx, const char *source,
                                           int64_t file_id,
                                           const char *file_name, bool keep,
                                           int64_t *import_id);

/* Import the file at path now (CLI, incoming directory, demo, the job):
 * import_id 0 makes a new record.  APP_EVALIDATION when the file was
 * refused (mode all with bad lines, or no usable header: problems say
 * why); APP_ETOOBIG over the limits; APP_EFORBIDDEN for a role other
 * than admin, manager or marketing (the system, user 0, may). */
APP_MUST_USE enum app_err pos_import_run(struct ctx *cx, int64_t import_id,
                                         const char *source, const char *path,
                                         const char *file_name, bool keep,
                                         struct pos_import_result *out);

/* The import's record as {id, source, file_name, mode, status, progress,
 * encoding, lines_total, lines_added, lines_dup, lines_bad, problems,
 * day_from, day_to, created_at, finished_at} (*out, the caller frees),
 * of cx's company only: APP_ENOTFOUND for another's.  Roles as above. */
APP_MUST_USE enum app_err pos_import_get(struct ctx *cx, int64_t id,
                                         cJSON **out);

/* The company's newest max imports, the same objects without problems
 * (*out, an array the caller frees). */
APP_MUST_USE enum app_err pos_import_list(struct ctx *cx, size_t max,
                                          cJSON **out);

/* Run a queued import (the "pos_import" job): its stored file through
 * pos_import_run.  A finished one (done, refused) is left as it is; one
 * that failed or whose run died is run again (nothing of it was
 * committed).  A refused file is APP_OK (the import's outcome, not the
 * job's failure); APP_ENOTFOUND when there is no such import. */
APP_MUST_USE enum app_err pos_import_run_queued(struct ctx *cx,
                                                int64_t import_id);

#endif
