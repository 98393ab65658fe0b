/*
 * settings.h -- a company's settings, changed by its admins.
 *
 * Today: which roles may download customer lists (default: managers and
 * admins; admins always may, so no admin locks the company out).  Every
 * change is audited ("tenant.settings").
 */
#ifndef PROOFLINE_SETTINGS_H
#define PROOFLINE_SETTINGS_H

#include <stdbool.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/kv.h"
#include "db/ctx.h"

#define SETTINGS_EXPORT_DEFAULT "admin,manager"

/* The roles (a mask of enum role bits) that may export customer lists. */
APP_MUST_USE enum app_err settings_export_roles(struct ctx *cx,
                                                unsigned *roles);

/* May cx's user export customer lists? */
APP_MUST_USE enum app_err settings_may_export(struct ctx *cx, bool *may);

/* Save the settings form: "export" repeated, one role name each.  An
 * unknown role: APP_EVALIDATION with "settings.bad_role" under "export";
 * nothing written.  The form marks that it showed the roles
 * ("export_shown"): without it nothing is written ("settings.nothing"). */
APP_MUST_USE enum app_err settings_save(struct ctx *cx, const struct kvlist *f,
                                        cJSON *errors);

#endif
