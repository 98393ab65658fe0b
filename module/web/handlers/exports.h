/*
 * exports.h -- the routes of exports.c (routes.c maps them; nothing else
 * calls them).
 */
#ifndef PROOFLINE_EXPORTS_H
#define PROOFLINE_EXPORTS_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err customers_export(struct req *r);

#endif
