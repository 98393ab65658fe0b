/*
 * audit.c -- append-only audit rows.
 */
#include "db/audit.h"

#include <stdlib.h>

#include "db/ctx.h"
#include "db/db.h"
#include "base/log.h"

/* Names of the objects an entry's detail refers to by id: its customer
 * ("customer"), and the users of a transfer or a manager change ("from",
 * "to") and of a new customer ("owner"). */
#define AUDIT_USER_JOIN(alias, path, events)                                   \
    "LEFT JOIN users " alias " ON " alias ".tenant_id = a.tenant_id AND "      \
    "a.event IN (" events ") AND " alias ".id = "                              \
    "CAST(JSON_VALUE(a.detail, '" path "') AS INTEGER) "
static const char SQL_AUDIT[] =
    "SELECT a.id, a.at, a.event, COALESCE(ua.login, ''), "
    "COALESCE(us.login, ''), a.detail, a.ip, COALESCE(ua.display_name, ''), "
    "COALESCE(a.subject_user_id, 0), COALESCE(us.display_name, ''), "
    "COALESCE(cu.name, ''), COALESCE(uf.display_name, ''), "
    "COALESCE(ut.display_name, ''), COALESCE(uo.display_name, '') "
    "FROM audit_log a "
    "LEFT JOIN users ua ON ua.id = a.actor_id AND ua.tenant_id = a.tenant_id "
    "LEFT JOIN users us ON us.id = a.subject_user_id "
    " AND us.tenant_id = a.tenant_id "
    "LEFT JOIN customers cu ON cu.tenant_id = a.tenant_id AND cu.id = "
    "CAST(JSON_VALUE(a.detail, '$.customer') AS INTEGER) " AUDIT_USER_JOIN(
        "uf", "$.from", "'customer.transfer', 'manager.change'")
        AUDIT_USER_JOIN("ut", "$.to", "'customer.transfer', 'manager.change'")
            AUDIT_USER_JOIN("uo", "$.owner",
                            "'customer.create'") "WHERE a.tenant_id = ? AND (? "
                                                 "= 0 OR a.id < ?) "
                                                 "AND (? = '' OR a.event LIKE "
                                                 "CONCAT(?, '%')) "
                                                 "AND (? = '' OR ua.login = ? "
                                                 "OR us.login = ?) "
                                                 "AND (? = '' OR a.at >= ?) "
                                                 "AND (? = '' OR a.at < ?) "
                                                 "ORDER BY a.id DESC LIMIT ?";
static const char SQL_AUDIT_ADD[] =
    "INSERT INTO audit_log (tenant_id, actor_id, subject_user_id, event, "
    "detail, ip) VALUES (?, ?, ?, ?, ?, ?)";

APP_MUST_USE static enum app_err
write_row(struct db *db, int64_t tenant_id, int64_t actor_id,
          int64_t subject_id, const char *event, const cJSON *detail,
          const char *ip)
{
    char *text = detail != NULL ? cJSON_PrintUnformatted(detail) : NULL;
    enum app_err rc;

    if (detail != NULL && text == NULL) /* not "{}" in its place */
        return APP_ENOMEM;
    rc = db_exec(db, SQL_AUDIT_ADD,
                 DB_ARGS(tenant_id > 0 ? DB_I64(tenant_id) : DB_NULL,
                         actor_id > 0 ? DB_I64(actor_id) : DB_NULL,
                         subject_id > 0 ? DB_I64(subject_id) : DB_NULL,
                         DB_CSTR(event), DB_CSTR(text != NULL ? text : "{}"),
                         DB_CSTR(ip)),
                 NULL, NULL);
    if (rc != APP_OK)
        log_error("audit.failed", "event=%s", event);
    cJSON_free(text);
    return rc;
}

enum app_err
audit_write(struct ctx *cx, int64_t tenant_id, int64_t actor_id,
            int64_t subject_id, const char *event, const cJSON *detail)
{
    /* A detail built with unchecked adds may have lost a field. */
    if (detail != NULL && ctx_incomplete(cx, event))
        return APP_ENOMEM;
    return write_row(cx->db, tenant_id, actor_id, subject_id, event, detail,
                     cx->ip);
}

enum app_err
audit_write_db(struct db *db, int64_t tenant_id, int64_t actor_id,
               int64_t subject_id, const char *event, const cJSON *detail)
{
    return write_row(db, tenant_id, actor_id, subject_id, event, detail, "cli");
}

enum app_err
audit_list(struct ctx *cx, const struct audit_filter *f, size_t max,
           struct db_res *res)
{
    return db_query(cx->db, cx->a, SQL_AUDIT,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(f->before),
                            DB_I64(f->before), DB_CSTR(f->event),
                            DB_CSTR(f->event), DB_CSTR(f->user),
                            DB_CSTR(f->user), DB_CSTR(f->user),
                            DB_CSTR(f->from), DB_CSTR(f->from), DB_CSTR(f->to),
                            DB_CSTR(f->to), DB_I64((int64_t)max)),
                    max, res);
}
