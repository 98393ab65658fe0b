/*
 * diff.h -- line diffs of rule scripts, for the version history page.
 */
#ifndef PROOFLINE_DIFF_H
#define PROOFLINE_DIFF_H

#include <stddef.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/str.h"

/* Compare two texts line by line (Myers' O(ND) algorithm) and append to
 * `out` (a JSON array) one object per line of the unified result:
 *   {"op": " " | "-" | "+", "old": N | null, "new": N | null, "text": "..."}
 * with old/new the 1-based line numbers.  Unchanged runs longer than
 * 2*context+1 lines are collapsed into one {"op": "~", "skipped": N}.
 * Inputs are limited to max_lines lines each; past that, or when the edit
 * distance exceeds max_edits, APP_ETOOBIG (the caller shows "too large to
 * compare"). */
APP_MUST_USE enum app_err diff_lines(struct str a, struct str b, size_t context,
                                     size_t max_lines, size_t max_edits,
                                     cJSON *out);

#endif
