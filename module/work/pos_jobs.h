/*
 * pos_jobs.h -- the scheduler's side of the POS import (sales/pos_import.h):
 *
 *   "pos_import" (one-shot, payload {"import": id}): run an import queued
 *     by the page or the API from its stored file;
 *   "pos_incoming" (every 5 minutes, per company; it does nothing while
 *     pos_incoming_dir is empty, so setting it needs no new job): import each
 * CSV file in <pos_incoming_dir>/<company code>/ with the good lines kept, then
 * move it to done/ or failed/ beside it. A file imported twice (a crash before
 * the move) changes nothing the second time: its lines are already stored.
 */
#ifndef PROOFLINE_POS_JOBS_H
#define PROOFLINE_POS_JOBS_H

#include <stdint.h>
#include <time.h>

#include <cJSON.h>

#include "base/err.h"
#include "db/ctx.h"
#include "work/jobs.h"

/* Queue the job that runs import_id (after pos_import_queue), due now. */
APP_MUST_USE enum app_err pos_jobs_queue(struct ctx *cx, int64_t import_id);

/* Create the company's "pos_incoming" job (from reminders_sync, for
 * every company). */
APP_MUST_USE enum app_err pos_jobs_schedule(struct ctx *cx, const char *tz,
                                            time_t now);

/* Run a job of either kind; *error says why it failed. */
APP_MUST_USE enum app_err pos_jobs_import(struct ctx *cx, const struct job *j,
                                          const cJSON *payload,
                                          const char **error);
APP_MUST_USE enum app_err pos_jobs_incoming(struct ctx *cx, const struct job *j,
                                            const char **error);

#endif
