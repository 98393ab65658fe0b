/*
 * contact_pages.h -- the routes of contact_pages.c (routes.c maps them; nothing
 * else calls them).
 */
#ifndef PROOFLINE_CONTACT_PAGES_H
#define PROOFLINE_CONTACT_PAGES_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err contact_new(struct req *r);
APP_MUST_USE enum app_err contact_create(struct req *r);
APP_MUST_USE enum app_err contact_show(struct req *r);
APP_MUST_USE enum app_err contact_update(struct req *r);
APP_MUST_USE enum app_err contact_event(struct req *r);
APP_MUST_USE enum app_err contact_remove(struct req *r);

#endif
