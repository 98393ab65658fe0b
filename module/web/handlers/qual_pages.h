/*
 * qual_pages.h -- the routes of qual_pages.c (routes.c maps them; nothing
 * else calls them).
 */
#ifndef PROOFLINE_QUAL_PAGES_H
#define PROOFLINE_QUAL_PAGES_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err qual_page(struct req *r);
APP_MUST_USE enum app_err qual_form(struct req *r);
APP_MUST_USE enum app_err qual_scan_page(struct req *r);
APP_MUST_USE enum app_err qual_submit_page(struct req *r);
APP_MUST_USE enum app_err qual_review_page(struct req *r);
APP_MUST_USE enum app_err qual_queue_page(struct req *r);

#endif
