/*
 * metrics.h -- the live metrics of DESIGN §7, computed in C over a
 * company's facts (facts.h): stage health, funnel break points, behaviour
 * consistency, the rep x day heatmap and losses, each as the JSON document
 * the API answers and the cockpit draws (README "Metrics API" gives every
 * shape with an example).
 *
 * A query names a scope (the company, a manager's whole team, or one rep),
 * an optional as_of day (T = the end of that day in the company's zone;
 * without it T = now) and, for the windows, from/to days.  Who may ask
 * what: an admin anything in the company; a manager their own team or
 * anyone in it; anyone else only themselves as a rep.  Anything else is
 * APP_ENOTFOUND, so a page and the API answer 404 and say nothing of
 * other teams or companies.  Bad dates are APP_EINVAL with
 * cx->err_detail set.
 *
 * Thresholds come from the published rules (thresholds.lua, through
 * rules_describe: a new rule version changes statuses at once).
 */
#ifndef PROOFLINE_METRICS_H
#define PROOFLINE_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "db/ctx.h"

#define METRICS_WINDOW_MAX 366 /* days in a from/to window */
#define METRICS_LIST_MAX 500   /* customers a drill-down lists */

enum metrics_scope { MS_DEFAULT, MS_TENANT, MS_TEAM, MS_REP };

struct metrics_date {
    bool set;
    int y, m, d;
};

struct metrics_query {
    enum metrics_scope scope;
    int64_t user_id; /* the team's head or the rep; 0: the caller */
    struct metrics_date as_of, from, to;
    int window_days; /* a window without `from`: its length; 0: 30 days */
};

APP_MUST_USE enum app_err metrics_stage_health(struct ctx *cx,
                                               const struct metrics_query *q,
                                               cJSON **out);
APP_MUST_USE enum app_err
metrics_funnel(struct ctx *cx, const struct metrics_query *q, cJSON **out);
APP_MUST_USE enum app_err
metrics_consistency(struct ctx *cx, const struct metrics_query *q, cJSON **out);
APP_MUST_USE enum app_err
metrics_heatmap(struct ctx *cx, const struct metrics_query *q, cJSON **out);
APP_MUST_USE enum app_err
metrics_losses(struct ctx *cx, const struct metrics_query *q, cJSON **out);

/* The customers behind a number, as a JSON array of {"id", "reason"?}
 * (at most METRICS_LIST_MAX; *total gets how many there are):
 *   "health_idle"   in stage s at T, no effective activity in the window
 *   "health_all"    in stage s at T
 *   "funnel_lost", "funnel_stalled", "funnel_advanced", "funnel_entered"
 *                   entered s in the window [from, to) and what became of
 *                   them by T (lost ones with the reason they were lost)
 *   "dormant"       the pool of the rep (the scope must be MS_REP) without
 *                   any activity in the dormant window
 *   "losses"        lost from stage s in [from, to) (only `reason` if set)
 * An unknown `which` (or "dormant" without a rep) is APP_EVALIDATION. */
struct metrics_list_req {
    const char *which;
    const char *stage;
    const char *reason; /* NULL: any */
};
APP_MUST_USE enum app_err metrics_list(struct ctx *cx,
                                       const struct metrics_query *q,
                                       const struct metrics_list_req *lr,
                                       cJSON **out, size_t *total);

/* The customers of such a list as rows, by name: id, name, stage,
 * owner id, owner name, last activity (UTC). */
struct db_res;
APP_MUST_USE enum app_err metrics_list_rows(struct ctx *cx, const cJSON *list,
                                            struct db_res *out);

/* The teams and reps the caller may pick in a scope filter:
 * {"teams": [{"id", "name"}], "reps": [{"id", "name"}]} (managers and
 * active reps in the caller's own scope, by name). */
APP_MUST_USE enum app_err metrics_choices(struct ctx *cx, cJSON **out);

/* Parse "YYYY-MM-DD" into d (false: not a date). */
bool metrics_date_parse(const char *s, struct metrics_date *d);

#endif
