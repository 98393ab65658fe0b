/*
 * activity_view.h -- an activity row (sales/activities.h AC_*) for the API
 * and the pages.
 */
#ifndef PROOFLINE_ACTIVITY_VIEW_H
#define PROOFLINE_ACTIVITY_VIEW_H

#include <stddef.h>

#include <cJSON.h>

#include "db/db.h"
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

#endif
