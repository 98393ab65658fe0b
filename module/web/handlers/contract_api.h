/*
 * contract_api.h -- the routes of contract_api.c (routes.c maps them;
 * nothing else calls them).
 */
#ifndef PROOFLINE_CONTRACT_API_H
#define PROOFLINE_CONTRACT_API_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err api_contracts_of(struct req *r);
APP_MUST_USE enum app_err api_contract_create(struct req *r);
APP_MUST_USE enum app_err api_contract(struct req *r);
APP_MUST_USE enum app_err api_contract_sign(struct req *r);
APP_MUST_USE enum app_err api_contract_decide(struct req *r);
APP_MUST_USE enum app_err api_contract_cancel(struct req *r);
APP_MUST_USE enum app_err api_contracts_awaiting(struct req *r);
APP_MUST_USE enum app_err api_shipments_of(struct req *r);
APP_MUST_USE enum app_err api_shipment_add(struct req *r);
APP_MUST_USE enum app_err api_shipment_form(struct req *r);
APP_MUST_USE enum app_err api_shipment_release(struct req *r);

#endif
