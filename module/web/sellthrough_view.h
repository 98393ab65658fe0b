/*
 * sellthrough_view.h -- what the sell-through pages and API read from a
 * request, and the parts of their view models they share.
 */
#ifndef PROOFLINE_SELLTHROUGH_VIEW_H
#define PROOFLINE_SELLTHROUGH_VIEW_H

#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "http/http.h"
#include "metrics/sellthrough.h"

/* The query's campaign (?campaign=ID; absent: the newest active one, or
 * APP_ENOTFOUND when the company has none) and as_of (?as_of=YYYY-MM-DD,
 * NULL when absent).  APP_EINVAL with r->cx.err_detail set for a
 * malformed one ("sellthrough.bad_query", "sellthrough.bad_date"). */
APP_MUST_USE enum app_err st_view_args(struct req *r, int64_t *campaign,
                                       const char **as_of);

/* A ratio as "63.6%" (one decimal) and a pair of counts as "12/340",
 * written without printf (a dashboard writes thousands of them), in the
 * request's arena ("—" for NaN; NULL when out of memory). */
const char *st_view_pct_of(struct req *r, double v);
const char *st_view_pair(struct req *r, int64_t a, int64_t b);

/* "63.6%" for a ratio member of o (number), "—" for null. */
const char *st_view_pct(struct req *r, const cJSON *o, const char *k);

/* Add to each sum or store object of list the page's words: for each
 * metric "<metric>_pct" and "<metric>_low" (below its threshold). */
void st_view_marks(struct req *r, cJSON *list, const struct st_thresholds *th);

/* The campaign picker: m["campaigns"] [{id, name, launch_on, selected}]. */
APP_MUST_USE enum app_err st_view_picker(struct req *r, cJSON *m,
                                         int64_t selected);

/* Raw SVG into m[key] (NULL when drawing failed: the page goes on). */
void st_view_svg(cJSON *m, const char *key, const struct buf *b);

#endif
