/*
 * mfa_pages.h -- the routes of mfa_pages.c (routes.c maps them; nothing else
 * calls them).
 */
#ifndef PROOFLINE_MFA_PAGES_H
#define PROOFLINE_MFA_PAGES_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err mfa_verify_form(struct req *r);
APP_MUST_USE enum app_err mfa_verify_submit(struct req *r);
APP_MUST_USE enum app_err mfa_setup(struct req *r);
APP_MUST_USE enum app_err mfa_start(struct req *r);
APP_MUST_USE enum app_err mfa_enable(struct req *r);
APP_MUST_USE enum app_err mfa_regenerate(struct req *r);
APP_MUST_USE enum app_err mfa_disable(struct req *r);

#endif
