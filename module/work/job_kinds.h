/*
 * job_kinds.h -- what a scheduled job does, by its kind.
 *
 *   "task": a task at its time (a one-off reminder, a spot check) from its
 *     payload: {"title", "body", "kind", "priority", "assignee" (a login)
 *     or "role" (+ "region"), "due_hours"};
 *   "schedule": a reminder of the rules (work/reminders.h), payload
 *     {"key", "facts"};
 *   "alerts": the metrics against the thresholds (work/alerts.h);
 *   "pos_import", "pos_incoming": POS sales imports (work/pos_jobs.h);
 *   "noop": nothing -- a heartbeat that shows the scheduler runs (and
 *     what the benchmark counts).
 * What a run makes carries the job and the slot as its key, so running a
 * slot twice makes nothing new.
 */
#ifndef PROOFLINE_JOB_KINDS_H
#define PROOFLINE_JOB_KINDS_H

#include "base/err.h"
#include "db/ctx.h"
#include "work/jobs.h"

/* Run one claimed job with cx (its company, acting as the system).
 * APP_OK, or the failure with *error saying why (for the job's record). */
APP_MUST_USE enum app_err job_run(struct ctx *cx, const struct job *j,
                                  const char **error);

#endif
