/*
 * health.h -- the routes of health.c (routes.c maps them; nothing else calls
 * them).
 */
#ifndef PROOFLINE_HEALTH_H
#define PROOFLINE_HEALTH_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err health_live(struct req *r);
APP_MUST_USE enum app_err health_ready(struct req *r);

#endif
