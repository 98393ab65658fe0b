/*
 * stores_scope.c -- which stores the acting user sees (stores.h).
 */
#include "sales/stores.h"

#include "identity/access.h"
#include "identity/role.h"

void
stores_scope_args(const struct ctx *cx, struct db_val out[5])
{
    int64_t root, all;

    access_scope(cx, &root, &all);
    if (cx->tenant_id != 0 && (cx->role & ROLE_MARKETING))
        all = 1;
    /* Only team roles reach stores through the user tree: a rep, legal or
     * finance has no subtree of supervisors, and a store manager's own
     * stores come from store_managers. */
    if (!access_is_team_role(cx->role))
        root = 0;
    out[0] = DB_I64(all);
    out[1] = DB_I64(cx->tenant_id);
    out[2] = DB_I64(root);
    out[3] = DB_I64(cx->tenant_id);
    out[4] = DB_I64(cx->user_id);
}

static const char SQL_VISIBLE[] = "SELECT s.id FROM stores s WHERE s.tenant_id "
                                  "= ? AND s.id = ? AND " STORES_SCOPE_SQL;

enum app_err
stores_visible(struct ctx *cx, int64_t id)
{
    struct db_val args[7];
    struct db_res r;
    enum app_err rc;

    if (cx->tenant_id == 0)
        return APP_ENOTFOUND;
    args[0] = DB_I64(cx->tenant_id);
    args[1] = DB_I64(id);
    stores_scope_args(cx, args + 2);
    rc = db_query(cx->db, cx->a, SQL_VISIBLE, args, 7, 1, &r);
    if (rc != APP_OK)
        return rc;
    return r.nrows == 1 ? APP_OK : APP_ENOTFOUND;
}

static const char SQL_OF_CUSTOMER[] =
    "SELECT s.id FROM stores s WHERE s.tenant_id = ? AND s.customer_id = ? "
    "AND " STORES_SCOPE_SQL " ORDER BY s.id LIMIT 1";

enum app_err
stores_of_customer(struct ctx *cx, int64_t customer_id, int64_t *id)
{
    struct db_val args[7];
    struct db_res r;
    enum app_err rc;

    *id = 0;
    if (cx->tenant_id == 0)
        return APP_OK;
    args[0] = DB_I64(cx->tenant_id);
    args[1] = DB_I64(customer_id);
    stores_scope_args(cx, args + 2);
    rc = db_query(cx->db, cx->a, SQL_OF_CUSTOMER, args, 7, 1, &r);
    if (rc == APP_OK && r.nrows == 1)
        *id = db_int(&r, 0, 0, 0);
    return rc;
}
