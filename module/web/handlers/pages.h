/*
 * pages.h -- the routes of pages.c (routes.c maps them; nothing else calls
 * them).
 */
#ifndef PROOFLINE_PAGES_H
#define PROOFLINE_PAGES_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err pages_home(struct req *r);
APP_MUST_USE enum app_err pages_set_lang(struct req *r);

#endif
