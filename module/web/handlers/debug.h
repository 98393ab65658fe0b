/*
 * debug.h -- the routes of debug.c (routes.c maps them; nothing else calls
 * them).
 */
#ifndef PROOFLINE_DEBUG_H
#define PROOFLINE_DEBUG_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err debug_sleep(struct req *r);
APP_MUST_USE enum app_err debug_crash(struct req *r);
APP_MUST_USE enum app_err debug_echo(struct req *r);
APP_MUST_USE enum app_err debug_error(struct req *r);
APP_MUST_USE enum app_err debug_state(struct req *r);
APP_MUST_USE enum app_err debug_db(struct req *r);

#endif
