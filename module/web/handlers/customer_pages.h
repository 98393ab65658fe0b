/*
 * customer_pages.h -- the routes of customer_pages.c (routes.c maps them;
 * nothing else calls them).
 */
#ifndef PROOFLINE_CUSTOMER_PAGES_H
#define PROOFLINE_CUSTOMER_PAGES_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err customers_index(struct req *r);
APP_MUST_USE enum app_err customers_new(struct req *r);
APP_MUST_USE enum app_err customers_create_page(struct req *r);
APP_MUST_USE enum app_err customer_show(struct req *r);
APP_MUST_USE enum app_err customer_edit(struct req *r);
APP_MUST_USE enum app_err customer_update(struct req *r);
APP_MUST_USE enum app_err customer_stage(struct req *r);
APP_MUST_USE enum app_err customer_transfer(struct req *r);
APP_MUST_USE enum app_err customers_bulk(struct req *r);

#endif
