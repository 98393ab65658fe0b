/*
 * privacy_pages.h -- the routes of privacy_pages.c (routes.c maps them;
 * nothing else calls them).
 */
#ifndef PROOFLINE_PRIVACY_PAGES_H
#define PROOFLINE_PRIVACY_PAGES_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err contact_export(struct req *r);
APP_MUST_USE enum app_err contact_erase(struct req *r);
APP_MUST_USE enum app_err admin_privacy(struct req *r);
APP_MUST_USE enum app_err admin_privacy_export(struct req *r);
APP_MUST_USE enum app_err admin_privacy_erase(struct req *r);
APP_MUST_USE enum app_err admin_privacy_erase_confirm(struct req *r);

#endif
