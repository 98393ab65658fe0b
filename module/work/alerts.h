/*
 * alerts.h -- metrics against the rules' thresholds, and what a breach
 * does.
 *
 * The "alerts" job of each company (every 15 minutes) asks every
 * registered metric for its breaches under the company's thresholds
 * (thresholds.lua), and for each breach calls on_alert (alerts.lua); its
 * actions (tasks, notifications, webhooks: work/actions.h) are made once
 * per alert key and period (the company's local day): an alert that stays
 * true is acted on once a day, not every run; when it clears, its state
 * is cleared, and its return is acted on again.  The states are kept in
 * alert_states.
 *
 * The metrics engine registers its metrics here; until it exists none is
 * registered, and with debug_routes on (tests only) one test metric reads
 * its value from the job's payload: {"test_value": 0.4} breaches the stage
 * health warning threshold as a zombie stage "test".
 */
#ifndef PROOFLINE_ALERTS_H
#define PROOFLINE_ALERTS_H

#include <time.h>

#include <cJSON.h>

#include "base/err.h"
#include "db/ctx.h"
#include "work/jobs.h"

#define ALERTS_METRICS_MAX 32
#define ALERTS_SPEC "15m" /* how often a company's alerts job runs */

/* A metric: append its breaches to out, each an object with at least
 * "key" (stable, e.g. "stage_health:intent"), "metric" and "status"; it
 * may add owner_id / manager_id for "owner" and "manager" assignees, and
 * "period" to be acted on once per that instead of once a day ("once":
 * once while it stays true; any other, such as "2026-W49" or "2026-12":
 * once in that period, even when it cleared and came back inside it). */
struct alert_metric {
    const char *name;
    enum app_err (*breaches)(struct ctx *cx, const cJSON *thresholds,
                             const cJSON *payload, time_t now, cJSON *out);
};

/* Register a metric (at start-up, before any job runs). */
void alerts_register(const struct alert_metric *m);

/* In one round trip, for the cockpit: the stage under loss focus, first
 * ("focus", stage, since UTC, losses, NULL; sales/loss_focus.h), the
 * company's alerts standing now ("alert", key, acted_at UTC, NULL, NULL)
 * and the open tasks the alerts gave the caller -- spot checks and the
 * like -- ("task", NULL, NULL, task id, title): at most 41 rows. */
APP_MUST_USE enum app_err alerts_active(struct ctx *cx, struct db_res *out);

/* Schedule (or keep) the company's alerts job, first run after now. */
APP_MUST_USE enum app_err alerts_schedule(struct ctx *cx, const char *tz,
                                          time_t now);

/* The "alerts" job's run. */
APP_MUST_USE enum app_err alerts_run(struct ctx *cx, const struct job *j,
                                     const char **error);

#endif
