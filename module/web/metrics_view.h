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

/* The query again as URL parameters ("&scope=team&team=12&as_of=..."),
 * for links that keep it. */
const char *metrics_view_params(struct req *r, const struct metrics_query *q);

#endif
