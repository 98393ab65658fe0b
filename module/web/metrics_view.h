/*
 * metrics_view.h -- what the metrics pages and the metrics API share: the
 * query string read into a metrics query (scope, team, rep, as_of, from,
 * to), and the customers behind a number as rows.
 */
#ifndef PROOFLINE_METRICS_VIEW_H
#define PROOFLINE_METRICS_VIEW_H

#include "http/http.h"
#include "metrics/metrics.h"

/* scope=tenant|team|rep, team=<user id>, rep=<user id>, as_of, from, to
 * (YYYY-MM-DD).  APP_EINVAL (400) with err_detail for anything malformed. */
APP_MUST_USE enum app_err metrics_view_query(struct req *r,
                                             struct metrics_query *q);

/* which=, stage=, reason= of a list of the customers behind a number
 * (metrics_list), each at most METRICS_VIEW_ARG_MAX bytes (APP_EINVAL
 * past it); reason NULL when not given. */
#define METRICS_VIEW_ARG_MAX 64
APP_MUST_USE enum app_err metrics_view_list(struct req *r,
                                            struct metrics_list_req *lr);

/* The query again as URL parameters ("&scope=team&team=12&as_of=..."),
 * for links that keep it. */
const char *metrics_view_params(struct req *r, const struct metrics_query *q);

#endif
