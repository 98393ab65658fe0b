/*
 * admin_settings.h -- the routes of admin_settings.c (routes.c maps them;
 * nothing else calls them).
 */
#ifndef PROOFLINE_ADMIN_SETTINGS_H
#define PROOFLINE_ADMIN_SETTINGS_H

#include "base/err.h"
#include "http/http.h"

APP_MUST_USE enum app_err admin_settings(struct req *r);
APP_MUST_USE enum app_err admin_settings_save(struct req *r);

APP_MUST_USE enum app_err admin_channels_save(struct req *r);
APP_MUST_USE enum app_err admin_webhook_secret(struct req *r);

#endif
