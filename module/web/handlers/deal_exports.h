/*
 * deal_exports.h -- the routes of deal_exports.c (routes.c maps them;
 * nothing else calls them).
 */
#ifndef PROOFLINE_DEAL_EXPORTS_H
#define PROOFLINE_DEAL_EXPORTS_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err qual_docs_export_csv(struct req *r);
APP_MUST_USE enum app_err contracts_export_csv(struct req *r);
APP_MUST_USE enum app_err shipments_export_csv(struct req *r);
APP_MUST_USE enum app_err payments_export_csv(struct req *r);

#endif
