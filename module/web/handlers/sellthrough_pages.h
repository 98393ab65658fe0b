/*
 * sellthrough_pages.h -- the sell-through pages (README "Pages").
 *
 *   GET /sell-through               the dashboard: totals against the
 *       ?campaign=&as_of=&sort=distribution|ratio|repurchase|code&dir=
 *                                   thresholds, regions, supervisors,
 *                                   the caller's stores sortable
 *   GET /stores/{id}                a store against its nearest peers
 *   GET /stores/{id}/profile        the customer profile report
 *   GET /stores/{id}/photos/{file}  a peer's shelf photo, for the page
 *   GET /campaigns/{id}             the campaign page for marketing
 *
 * Every page shows only the caller's stores (metrics/sellthrough.h); a
 * store or campaign out of reach is 404.
 */
#ifndef PROOFLINE_SELLTHROUGH_PAGES_H
#define PROOFLINE_SELLTHROUGH_PAGES_H

#include "http/http.h"

APP_MUST_USE enum app_err page_sellthrough(struct req *r);
APP_MUST_USE enum app_err page_store(struct req *r);
APP_MUST_USE enum app_err page_store_profile(struct req *r);
APP_MUST_USE enum app_err page_store_photo(struct req *r);
APP_MUST_USE enum app_err page_campaign(struct req *r);

#endif
