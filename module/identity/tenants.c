/*
 * tenants.c -- companies: look up by code, create (see tenants.h).
 */
#include "identity/tenants.h"

#include "base/tz.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "db/audit.h"
#include "base/validate.h"
#include "base/str.h"

static const char SQL_TENANT_FIND[] = "SELECT id FROM tenants WHERE slug = ?";
static const char SQL_TENANT_SLUG[] = "SELECT slug FROM tenants WHERE id = ?";
static const char SQL_TENANT_ADD[] =
    "INSERT INTO tenants (slug, name, time_zone, locale) VALUES (?, ?, ?, ?)";

enum app_err
tenants_find(struct db *db, struct arena *a, struct str slug, int64_t *id)
{
    struct db_res res;
    enum app_err rc;

    *id = 0;
    rc = db_query(db, a, SQL_TENANT_FIND, DB_ARGS(DB_STR(slug)), 1, &res);
    if (rc == APP_OK && res.nrows > 0)
        *id = db_int(&res, 0, 0, 0);
    return rc;
}

enum app_err
tenants_slug(struct db *db, struct arena *a, int64_t id, const char **slug)
{
    struct db_res res;
    enum app_err rc =
        db_query(db, a, SQL_TENANT_SLUG, DB_ARGS(DB_I64(id)), 1, &res);

    *slug = "";
    if (rc == APP_OK && res.nrows == 0)
        rc = APP_ENOTFOUND;
    if (rc == APP_OK)
        *slug = db_text(&res, 0, 0);
    return rc;
}

bool
tenants_valid(const struct tenant_new *t, const char **problem)
{
    size_t i;

    *problem = NULL;
    if (t->slug.len < TENANT_SLUG_MIN || t->slug.len > TENANT_SLUG_MAX)
        *problem = "the code is 2-64 of a-z 0-9 -";
    for (i = 0; *problem == NULL && i < t->slug.len; i++) {
        char c = t->slug.p[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            *problem = "the code is 2-64 of a-z 0-9 -";
    }
    if (*problem == NULL &&
        (t->name.len == 0 || !utf8_valid(t->name.p, t->name.len) ||
         utf8_chars(t->name.p, t->name.len) > TENANT_NAME_MAX))
        *problem = "the name is 1-200 characters";
    if (*problem == NULL && t->locale != NULL &&
        strcmp(t->locale, "zh-CN") != 0 && strcmp(t->locale, "en") != 0)
        *problem = "the locale is zh-CN or en";
    if (*problem == NULL && t->tz != NULL &&
        (t->tz[0] == '\0' || strlen(t->tz) > 64))
        *problem = "the time zone is a zone name such as Asia/Shanghai";
    return *problem == NULL;
}

enum app_err
tenants_create(struct db *db, const struct tenant_new *t, int64_t *id,
               const char **problem)
{
    uint64_t new_id = 0;
    char slug[TENANT_SLUG_MAX + 1];
    cJSON *d;
    enum app_err rc;

    *id = 0;
    if (!tenants_valid(t, problem))
        return APP_EINVAL;
    rc = db_exec(db, SQL_TENANT_ADD,
                 DB_ARGS(DB_STR(t->slug), DB_STR(t->name),
                         DB_CSTR(t->tz != NULL ? t->tz : TZ_DEFAULT),
                         DB_CSTR(t->locale != NULL ? t->locale : "zh-CN")),
                 NULL, &new_id);
    if (rc == APP_ECONFLICT)
        *problem = "a company with this code exists";
    if (rc != APP_OK)
        return rc;
    *id = (int64_t)new_id;
    snprintf(slug, sizeof(slug), "%.*s", (int)t->slug.len, t->slug.p);
    d = cJSON_CreateObject();
    if (d == NULL || cJSON_AddStringToObject(d, "slug", slug) == NULL) {
        cJSON_Delete(d);
        return APP_ENOMEM;
    }
    rc = audit_write_db(db, *id, 0, 0, "tenant.create", d);
    cJSON_Delete(d);
    return rc;
}
