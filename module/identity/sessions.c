/*
 * sessions.c -- a user's sessions (see sessions.h).
 */
#include "identity/sessions.h"

#include "db/audit.h"

static const char SQL_SESSIONS_END_USER[] =
    "DELETE FROM sessions WHERE tenant_id = ? AND user_id = ? AND id <> ?";
static const char SQL_SESSIONS[] =
    "SELECT num, created_at, last_seen_at, ip, user_agent, id = ? "
    "FROM sessions WHERE tenant_id = ? AND user_id = ? "
    "ORDER BY last_seen_at DESC LIMIT 100";
static const char SQL_SESSION_REVOKE[] =
    "DELETE FROM sessions WHERE tenant_id = ? AND user_id = ? AND num = ?";

enum app_err
sessions_end_user(struct db *db, int64_t tenant, int64_t user,
                  const char *except)
{
    return db_exec(db, SQL_SESSIONS_END_USER,
                   DB_ARGS(DB_I64(tenant), DB_I64(user),
                           DB_CSTR(except != NULL ? except : "")),
                   NULL, NULL);
}

enum app_err
sessions_list(struct ctx *cx, const char *current, struct db_res *res)
{
    return db_query(cx->db, cx->a, SQL_SESSIONS,
                    DB_ARGS(DB_CSTR(current != NULL ? current : ""),
                            DB_I64(cx->tenant_id), DB_I64(cx->user_id)),
                    100, res);
}

enum app_err
sessions_revoke_others(struct ctx *cx, const char *keep)
{
    enum app_err rc =
        sessions_end_user(cx->db, cx->tenant_id, cx->user_id, keep);

    if (rc == APP_OK)
        rc = audit_write(cx, cx->tenant_id, cx->user_id, cx->user_id,
                         "session.revoke_all", NULL);
    return rc;
}

enum app_err
sessions_revoke(struct ctx *cx, int64_t num)
{
    uint64_t n = 0;
    enum app_err rc = db_exec(
        cx->db, SQL_SESSION_REVOKE,
        DB_ARGS(DB_I64(cx->tenant_id), DB_I64(cx->user_id), DB_I64(num)), &n,
        NULL);

    if (rc == APP_OK && n == 0)
        rc = APP_ENOTFOUND;
    if (rc == APP_OK)
        rc = audit_write(cx, cx->tenant_id, cx->user_id, cx->user_id,
                         "session.revoke", NULL);
    return rc;
}
