/*
 * handlers.h -- every route handler, grouped by the file that holds it.
 * routes.c maps them to methods and paths; nothing else calls them.
 */
#ifndef PROOFLINE_HANDLERS_H
#define PROOFLINE_HANDLERS_H

#include "err.h"
#include "http.h"

/* pages.c -- home, login form, language switch */
enum app_err pages_home(struct req *r);
enum app_err pages_login_form(struct req *r);
enum app_err pages_set_lang(struct req *r);

/* health.c -- liveness and readiness for load balancers */
enum app_err health_live(struct req *r);
enum app_err health_ready(struct req *r);

/* debug.c -- routes for the test suite, only with debug_routes = 1 */
enum app_err debug_sleep(struct req *r);
enum app_err debug_crash(struct req *r);
enum app_err debug_echo(struct req *r);
enum app_err debug_error(struct req *r);

#endif
