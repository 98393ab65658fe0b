/*
 * admin.h -- the routes of admin.c (routes.c maps them; nothing else calls
 * them).
 */
#ifndef PROOFLINE_ADMIN_H
#define PROOFLINE_ADMIN_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err admin_users(struct req *r);
APP_MUST_USE enum app_err admin_user_new(struct req *r);
APP_MUST_USE enum app_err admin_user_create(struct req *r);
APP_MUST_USE enum app_err admin_user_show(struct req *r);
APP_MUST_USE enum app_err admin_user_update(struct req *r);
APP_MUST_USE enum app_err admin_user_deactivate(struct req *r);
APP_MUST_USE enum app_err admin_user_activate(struct req *r);
APP_MUST_USE enum app_err admin_user_password(struct req *r);
APP_MUST_USE enum app_err admin_user_mfa_reset(struct req *r);

#endif
