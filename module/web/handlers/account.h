/*
 * account.h -- the routes of account.c (routes.c maps them; nothing else calls
 * them).
 */
#ifndef PROOFLINE_ACCOUNT_H
#define PROOFLINE_ACCOUNT_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err account_show(struct req *r);
APP_MUST_USE enum app_err account_password(struct req *r);
APP_MUST_USE enum app_err account_password_form(struct req *r);
APP_MUST_USE enum app_err account_session_revoke(struct req *r);
APP_MUST_USE enum app_err account_sessions_revoke_others(struct req *r);
APP_MUST_USE enum app_err account_token_create(struct req *r);
APP_MUST_USE enum app_err account_token_revoke(struct req *r);

#endif
