/*
 * access.c -- scope decisions.
 */
#include "identity/access.h"

#include "identity/users.h"
#include "db/db.h"
#include "identity/role.h"

bool
access_is_team_role(unsigned role)
{
    return (role & (ROLE_MANAGER | ROLE_SUPERVISOR)) != 0;
}

void
access_scope(const struct ctx *cx, int64_t *root, int64_t *all)
{
    *root = cx->tenant_id != 0 ? cx->user_id : 0;
    *all = cx->tenant_id != 0 && (cx->role & ROLE_ADMIN) ? 1 : 0;
}

enum app_err
access_user(struct ctx *cx, int64_t id)
{
    bool in = false;
    enum app_err rc;

    if (cx->tenant_id == 0)
        return APP_ENOTFOUND;
    if (cx->role & ROLE_ADMIN)
        return APP_OK; /* the tenant: queries bind tenant_id */
    if (id == cx->user_id)
        return APP_OK;
    if (!access_is_team_role(cx->role))
        return APP_ENOTFOUND;
    rc = users_in_subtree(cx->db, cx->a, cx->tenant_id, cx->user_id, id, &in);
    if (rc != APP_OK)
        return rc;
    return in ? APP_OK : APP_ENOTFOUND;
}
