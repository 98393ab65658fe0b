/*
 * api_rules.h -- the routes of api_rules.c (routes.c maps them; nothing else
 * calls them).
 */
#ifndef PROOFLINE_API_RULES_H
#define PROOFLINE_API_RULES_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err api_rules(struct req *r);
APP_MUST_USE enum app_err api_rules_transition(struct req *r);

#endif
