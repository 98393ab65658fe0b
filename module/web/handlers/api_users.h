/*
 * api_users.h -- the routes of api_users.c (routes.c maps them; nothing else
 * calls them).
 */
#ifndef PROOFLINE_API_USERS_H
#define PROOFLINE_API_USERS_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err api_me(struct req *r);
APP_MUST_USE enum app_err api_users(struct req *r);
APP_MUST_USE enum app_err api_user(struct req *r);

#endif
