/*
 * access.c -- scope decisions.
 */
#include "identity/access.h"

#include "server/app.h"
#include "web/auth.h"
#include "http/router.h"
#include "identity/users.h"

bool
access_is_team_role(unsigned role)
{
    return (role & (ROLE_MANAGER | ROLE_SUPERVISOR)) != 0;
}

void
access_scope(const struct req *r, int64_t *root, int64_t *all)
{
    *root = r->auth != NULL ? r->auth->user_id : 0;
    *all = r->auth != NULL && (r->auth->role & ROLE_ADMIN) ? 1 : 0;
}

enum app_err
access_user(struct req *r, int64_t id)
{
    bool in = false;
    enum app_err rc;

    if (r->auth == NULL)
        return APP_ENOTFOUND;
    if (r->auth->role & ROLE_ADMIN)
        return APP_OK; /* the tenant: queries bind tenant_id */
    if (id == r->auth->user_id)
        return APP_OK;
    if (!access_is_team_role(r->auth->role))
        return APP_ENOTFOUND;
    rc = users_in_subtree(r->app->db, r->a, r->auth->tenant_id,
                          r->auth->user_id, id, &in);
    if (rc != APP_OK)
        return rc;
    return in ? APP_OK : APP_ENOTFOUND;
}
