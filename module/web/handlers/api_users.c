/*
 * api_users.c -- the JSON API for identity: who am I, and the users in my
 * scope (admin: the tenant; manager/supervisor: the team; others: self).
 */
#include "identity/access.h"
#include "http/app.h"
#include "db/db.h"
#include "web/auth.h"
#include "web/handlers/api_users.h"
#include "http/router.h"
#include "identity/users.h"
#include "web/view.h"

#define API_USERS_MAX 5000

static cJSON *
user_json(const struct user *u)
{
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)u->id);
    cJSON_AddStringToObject(o, "login", u->login);
    cJSON_AddStringToObject(o, "name", u->display_name);
    cJSON_AddStringToObject(o, "role", role_name(u->role));
    if (u->manager_id > 0)
        cJSON_AddNumberToObject(o, "manager_id", (double)u->manager_id);
    else
        cJSON_AddNullToObject(o, "manager_id");
    cJSON_AddStringToObject(o, "region", u->region);
    cJSON_AddBoolToObject(o, "active", u->active);
    return o;
}

APP_MUST_USE static enum app_err
send(struct req *r, cJSON *o)
{
    enum app_err rc;

    if (o == NULL)
        return APP_ENOMEM;
    rc = http_json(r, 200, o);
    cJSON_Delete(o);
    return rc;
}

enum app_err
api_me(struct req *r)
{
    struct user u;
    cJSON *o;
    enum app_err rc =
        users_get(r->app->db, r->a, r->auth->tenant_id, r->auth->user_id, &u);

    if (rc != APP_OK)
        return rc;
    o = user_json(&u);
    if (o != NULL) {
        cJSON *t = cJSON_AddObjectToObject(o, "tenant");

        if (t != NULL) {
            cJSON_AddStringToObject(t, "slug", r->auth->tenant_slug);
            cJSON_AddStringToObject(t, "name", r->auth->tenant_name);
            cJSON_AddStringToObject(t, "time_zone", r->auth->tenant_tz);
        }
        cJSON_AddBoolToObject(o, "via_token", r->auth->via_token);
    }
    return send(r, o);
}

enum app_err
api_users(struct req *r)
{
    struct user *users = NULL;
    size_t n = 0, i;
    int64_t root, all;
    cJSON *o, *list;
    enum app_err rc;

    access_scope(&r->cx, &root, &all);
    /* Outside team roles (and admin) the scope is the user alone; the
     * closure's (u, u) row gives exactly that. */
    rc = users_list_scope(r->app->db, r->a, r->auth->tenant_id, all, root,
                          API_USERS_MAX, &users, &n);
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    list = o != NULL ? cJSON_AddArrayToObject(o, "users") : NULL;
    if (list == NULL) {
        cJSON_Delete(o);
        return APP_ENOMEM;
    }
    for (i = 0; i < n; i++) {
        if (!access_is_team_role(r->auth->role) && !all &&
            users[i].id != r->auth->user_id)
            continue;
        cJSON_AddItemToArray(list, user_json(&users[i]));
    }
    return send(r, o);
}

enum app_err
api_user(struct req *r)
{
    struct user u;
    int64_t id = router_param_int(r, "id");
    enum app_err rc = access_user(&r->cx, id);

    if (rc != APP_OK)
        return rc;
    rc = users_get(r->app->db, r->a, r->auth->tenant_id, id, &u);
    if (rc != APP_OK)
        return rc;
    return send(r, user_json(&u));
}
