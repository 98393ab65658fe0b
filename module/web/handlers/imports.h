/*
 * imports.h -- the routes of imports.c (routes.c maps them; nothing else calls
 * them).
 */
#ifndef PROOFLINE_IMPORTS_H
#define PROOFLINE_IMPORTS_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err imports_form(struct req *r);
APP_MUST_USE enum app_err imports_upload(struct req *r);
APP_MUST_USE enum app_err imports_show(struct req *r);
APP_MUST_USE enum app_err imports_mapping(struct req *r);
APP_MUST_USE enum app_err imports_commit(struct req *r);
APP_MUST_USE enum app_err imports_errors(struct req *r);
APP_MUST_USE enum app_err imports_template(struct req *r);

#endif
