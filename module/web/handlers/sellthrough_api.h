/*
 * sellthrough_api.h -- the sell-through metrics as JSON (README
 * "Sell-through API").
 *
 *   GET /api/v1/metrics/sell-through ?campaign=ID&as_of=YYYY-MM-DD
 *   GET /api/v1/stores/{id}/peers    ?campaign=ID&as_of=
 *   GET /api/v1/stores/{id}/profile  ?campaign=ID&as_of=
 *
 * Without campaign, the newest active one.  A campaign or store the
 * caller may not see is 404; a malformed as_of or campaign 400.
 */
#ifndef PROOFLINE_SELLTHROUGH_API_H
#define PROOFLINE_SELLTHROUGH_API_H

#include "http/http.h"

APP_MUST_USE enum app_err api_sellthrough(struct req *r);
APP_MUST_USE enum app_err api_store_peers(struct req *r);
APP_MUST_USE enum app_err api_store_profile(struct req *r);

#endif
