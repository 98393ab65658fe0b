/*
 * rules_admin.h -- the routes of rules_admin.c (routes.c maps them; nothing
 * else calls them).
 */
#ifndef PROOFLINE_RULES_ADMIN_H
#define PROOFLINE_RULES_ADMIN_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err rules_admin_list(struct req *r);
APP_MUST_USE enum app_err rules_admin_edit(struct req *r);
APP_MUST_USE enum app_err rules_admin_save(struct req *r);
APP_MUST_USE enum app_err rules_admin_publish(struct req *r);
APP_MUST_USE enum app_err rules_admin_discard(struct req *r);
APP_MUST_USE enum app_err rules_admin_history(struct req *r);
APP_MUST_USE enum app_err rules_admin_version(struct req *r);
APP_MUST_USE enum app_err rules_admin_rollback(struct req *r);

#endif
