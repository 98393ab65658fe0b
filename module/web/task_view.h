/*
 * task_view.h -- a task row (work/tasks.h TK_*) as a page or the API shows
 * it.
 */
#ifndef PROOFLINE_TASK_VIEW_H
#define PROOFLINE_TASK_VIEW_H

#include <stddef.h>

#include <cJSON.h>

#include "db/db.h"
#include "http/http.h"

/* For a page: labels in the request's language, local times, what the
 * signed-in user may do (can_claim, can_close, can_reopen), the link of
 * its object, overdue. */
cJSON *task_view_page(struct req *r, const struct db_res *res, size_t row);

/* For the API: the stored values, times in UTC. */
cJSON *task_view_api(struct req *r, const struct db_res *res, size_t row);

/* Open task rows split by when they are due, into three arrays: overdue,
 * today (in the tenant's day), later or undated. */
APP_MUST_USE enum app_err task_view_split(struct req *r,
                                          const struct db_res *res,
                                          cJSON *overdue, cJSON *today,
                                          cJSON *later);

/* The person's day for the home page: overdue and today's tasks (at most
 * max each) into m as "day" {overdue: [...], today: [...], later, empty}. */
APP_MUST_USE enum app_err task_day(struct req *r, cJSON *m, size_t max);

#endif
