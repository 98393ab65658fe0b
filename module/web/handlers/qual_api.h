/*
 * qual_api.h -- the routes of qual_api.c (routes.c maps them; nothing else
 * calls them).
 */
#ifndef PROOFLINE_QUAL_API_H
#define PROOFLINE_QUAL_API_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err api_qual_list(struct req *r);
APP_MUST_USE enum app_err api_qual_scan(struct req *r);
APP_MUST_USE enum app_err api_qual_submit(struct req *r);
APP_MUST_USE enum app_err api_qual_review(struct req *r);
APP_MUST_USE enum app_err api_qual_queue(struct req *r);
APP_MUST_USE enum app_err api_qual_lead_times(struct req *r);

#endif
