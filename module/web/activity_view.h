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

#endif
