/*
 * activity_view.h -- an activity row (sales/activities.h AC_*) for the API
 * and the pages.
 */
#ifndef PROOFLINE_ACTIVITY_VIEW_H
#define PROOFLINE_ACTIVITY_VIEW_H

#include <stddef.h>

#include <cJSON.h>

#include "db/db.h"
#include "sales/activities.h"
#include "http/http.h"

/* The stored values (times UTC) with its contacts and photos when full. */
cJSON *activity_view_api(struct req *r, const struct db_res *res, size_t row,
                         bool full);

/* For a page: labels, local times, badges, links. */
cJSON *activity_view_page(struct req *r, const struct db_res *res, size_t row);

/* The same for a line of a day's list (/visits): its photos, not its
 * contacts, which the list does not show (one query less per line). */
cJSON *activity_view_day_item(struct req *r, const struct db_res *res,
                              size_t row);

/* A photo posted to a visit (form fields key and file, for the page and
 * the API alike): the visit in scope first (another's is not found,
 * whatever was sent), then the key, then the file. */
APP_MUST_USE enum app_err activity_view_photo(struct req *r, int64_t visit_id,
                                              int64_t *photo_id);

/* The recording a page or the API posts (multipart field "file") for
 * an activity; the same errors as activity_audio_add. */
APP_MUST_USE enum app_err
activity_view_audio(struct req *r, int64_t activity_id, int64_t *audio_id);

/* What the rules would decide for the content fields f (kind, need,
 * competitor, next_step, content), saving nothing: {effective, missing:
 * [{key, name}], reason, rule_version, text} with text the sentence the
 * form shows.  NULL with *rc set when the fields are invalid. */
cJSON *activity_view_verdict(struct req *r, const struct kvlist *f,
                             enum app_err *rc);

/* The day list's filter from the query, for the page and the API alike:
 * day (local, default today), rep and team (leads only: a rep sees their
 * own day), limit (1..ACT_DAY_MAX; *limit keeps its value when absent). */
#define ACT_DAY_MAX 500
APP_MUST_USE enum app_err activity_view_day_filter(struct req *r,
                                                   struct activity_filter *f,
                                                   size_t *limit);

#endif
