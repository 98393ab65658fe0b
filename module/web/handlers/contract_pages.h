/*
 * contract_pages.h -- the routes of contract_pages.c (routes.c maps them;
 * nothing else calls them).
 */
#ifndef PROOFLINE_CONTRACT_PAGES_H
#define PROOFLINE_CONTRACT_PAGES_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err contract_new(struct req *r);
APP_MUST_USE enum app_err contract_check_page(struct req *r);
APP_MUST_USE enum app_err contract_create_page(struct req *r);
APP_MUST_USE enum app_err contract_page(struct req *r);
APP_MUST_USE enum app_err contract_sign_page(struct req *r);
APP_MUST_USE enum app_err contract_decide_page(struct req *r);
APP_MUST_USE enum app_err contract_cancel_page(struct req *r);
APP_MUST_USE enum app_err shipment_add_page(struct req *r);
APP_MUST_USE enum app_err shipment_form_page(struct req *r);
APP_MUST_USE enum app_err shipment_release_page(struct req *r);
APP_MUST_USE enum app_err shipments_release_bulk_page(struct req *r);
APP_MUST_USE enum app_err contracts_queue_page(struct req *r);

#endif
