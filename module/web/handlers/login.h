/*
 * login.h -- the routes of login.c (routes.c maps them; nothing else calls
 * them).
 */
#ifndef PROOFLINE_LOGIN_H
#define PROOFLINE_LOGIN_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err login_form(struct req *r);
APP_MUST_USE enum app_err login_submit(struct req *r);
APP_MUST_USE enum app_err logout_submit(struct req *r);

#endif
