/*
 * admin_audit.h -- the routes of admin_audit.c (routes.c maps them; nothing
 * else calls them).
 */
#ifndef PROOFLINE_ADMIN_AUDIT_H
#define PROOFLINE_ADMIN_AUDIT_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err admin_audit(struct req *r);

#endif
