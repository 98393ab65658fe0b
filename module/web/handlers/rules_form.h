/*
 * rules_form.h -- the routes of rules_form.c (routes.c maps them; nothing
 * else calls them).
 */
#ifndef PROOFLINE_RULES_FORM_H
#define PROOFLINE_RULES_FORM_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err rules_form_show(struct req *r);
APP_MUST_USE enum app_err rules_form_save(struct req *r);

#endif
