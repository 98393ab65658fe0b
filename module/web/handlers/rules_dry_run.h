/*
 * rules_dry_run.h -- the routes of rules_dry_run.c (routes.c maps them;
 * nothing else calls them).
 */
#ifndef PROOFLINE_RULES_DRY_RUN_H
#define PROOFLINE_RULES_DRY_RUN_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err rules_admin_dry_run(struct req *r);

#endif
