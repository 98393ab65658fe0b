/*
 * admin_tokens.h -- the routes of admin_tokens.c (routes.c maps them; nothing
 * else calls them).
 */
#ifndef PROOFLINE_ADMIN_TOKENS_H
#define PROOFLINE_ADMIN_TOKENS_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err admin_tokens(struct req *r);
APP_MUST_USE enum app_err admin_token_create(struct req *r);
APP_MUST_USE enum app_err admin_token_revoke(struct req *r);

#endif
