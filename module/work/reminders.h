/*
 * reminders.h -- the company's reminders (schedules.lua) made real.
 *
 * A reminder with `every` is a job of kind "schedule" (work/jobs.h) at its
 * times in the company's zone: reminders_sync() keeps those jobs in line
 * with the published rules (new, changed, removed), and reminders_run()
 * is what such a job does: it gathers the facts the reminder names
 * (people, reps, yesterday's visits missing photos ...), lets the rules
 * say what to make for each, and makes it once per slot (actions.h).
 * A reminder with `after = {event, hours}` runs in the transaction of the
 * change that emitted the event (db/ctx.h ctx_emit); what it makes is due
 * `hours` later unless it says otherwise.
 */
#ifndef PROOFLINE_REMINDERS_H
#define PROOFLINE_REMINDERS_H

#include <time.h>

#include <cJSON.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "db/ctx.h"
#include "work/jobs.h"

struct rules;
struct sbx;

#define REMINDER_FACTS_MAX 5000 /* items one run passes to the rules */

/* Bring every company (or one: tenant > 0) whose published rules
 * changed up to date. */
APP_MUST_USE enum app_err reminders_sync(const struct conf *c, struct db *db,
                                         struct rules *rules, struct arena *a,
                                         time_t now, int64_t tenant);

/* A "schedule" job's run. */
APP_MUST_USE enum app_err reminders_run(struct ctx *cx, const struct job *j,
                                        const char *key, const char **error);

/* The listener of events (register with ctx_on_event). */
APP_MUST_USE enum app_err reminders_event(struct ctx *cx, const char *event,
                                          const char *object_kind,
                                          int64_t object_id);

/* The facts named `name` as the rules see them (a JSON array, caller
 * deletes), as of now (the run's time). */
APP_MUST_USE enum app_err reminders_facts(struct ctx *cx, const char *name,
                                          time_t now, cJSON **out);

/* Dry run: what reminder `key` of sandbox s would make at local time
 * at_local ("YYYY-MM-DD HH:MM") with the company's facts now: the
 * actions (caller deletes).  APP_ERULE with err when the rules fail. */
APP_MUST_USE enum app_err reminders_preview(struct ctx *cx, struct sbx *s,
                                            const char *key,
                                            const char *at_local,
                                            cJSON **actions, char *err,
                                            size_t errlen);

#endif
