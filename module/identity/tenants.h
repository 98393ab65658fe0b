/*
 * tenants.h -- companies: the one place that looks a company up by its
 * code (slug) and that creates one.  Sign-in, the CLI and the demo loader
 * all come here.
 */
#ifndef PROOFLINE_TENANTS_H
#define PROOFLINE_TENANTS_H

#include <stdint.h>

#include "base/arena.h"
#include "db/db.h"
#include "base/err.h"
#include "base/str.h"

#define TENANT_SLUG_MIN 2
#define TENANT_SLUG_MAX 64
#define TENANT_NAME_MAX 200 /* characters */

struct tenant_new {
    struct str slug;    /* 2-64 of a-z 0-9 - */
    struct str name;    /* 1-200 characters of UTF-8 */
    const char *tz;     /* IANA zone; NULL: Asia/Shanghai */
    const char *locale; /* zh-CN or en; NULL: zh-CN */
};

/* The id of the company whose code is slug, compared as the database
 * compares codes; *id is 0 when there is none.  APP_EDB when the query
 * fails. */
APP_MUST_USE enum app_err tenants_find(struct db *db, struct arena *a,
                                       struct str slug, int64_t *id);

/* The code of company id (APP_ENOTFOUND when there is none). */
APP_MUST_USE enum app_err tenants_slug(struct db *db, struct arena *a,
                                       int64_t id, const char **slug);

/* Whether t is a valid new company; *problem (static text, for the CLI)
 * names what is wrong otherwise. */
bool tenants_valid(const struct tenant_new *t, const char **problem);

/* Create the company and its audit entry, inside the caller's
 * transaction.  APP_EINVAL (see tenants_valid) or APP_ECONFLICT when the
 * code is taken; *id is the new company's id. */
APP_MUST_USE enum app_err tenants_create(struct db *db,
                                         const struct tenant_new *t,
                                         int64_t *id, const char **problem);

#endif
