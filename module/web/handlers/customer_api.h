/*
 * customer_api.h -- the routes of customer_api.c (routes.c maps them; nothing
 * else calls them).
 */
#ifndef PROOFLINE_CUSTOMER_API_H
#define PROOFLINE_CUSTOMER_API_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err api_customers(struct req *r);
APP_MUST_USE enum app_err api_customer(struct req *r);
APP_MUST_USE enum app_err api_customer_create(struct req *r);
APP_MUST_USE enum app_err api_customer_update(struct req *r);
APP_MUST_USE enum app_err api_customer_stage(struct req *r);
APP_MUST_USE enum app_err api_customer_contacts(struct req *r);
APP_MUST_USE enum app_err api_contact_create(struct req *r);
APP_MUST_USE enum app_err api_customer_evidence(struct req *r);
APP_MUST_USE enum app_err api_customer_evidence_list(struct req *r);
APP_MUST_USE enum app_err api_contact(struct req *r);
APP_MUST_USE enum app_err api_contact_update(struct req *r);
APP_MUST_USE enum app_err api_customer_history(struct req *r);

#endif
