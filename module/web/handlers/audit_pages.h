/*
 * audit_pages.h -- shelf audits on a phone: the audit form of a visit
 * (lines of product, facings, position, price, note), the audit page
 * (its lines, share of shelf, the change since the previous audit at the
 * customer, the shelf photo), and the JSON API.
 */
#ifndef PROOFLINE_AUDIT_PAGES_H
#define PROOFLINE_AUDIT_PAGES_H

#include "http/http.h"

APP_MUST_USE enum app_err visit_audit_form(struct req *r);
APP_MUST_USE enum app_err visit_audit_save(struct req *r);
APP_MUST_USE enum app_err audit_show(struct req *r);

APP_MUST_USE enum app_err api_visit_audit(struct req *r);
APP_MUST_USE enum app_err api_audit(struct req *r);
APP_MUST_USE enum app_err api_audits(struct req *r);

#endif
