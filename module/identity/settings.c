/*
 * settings.c -- company settings (settings.h).
 */
#include "identity/settings.h"

#include <string.h>

#include "base/buf.h"
#include "db/audit.h"
#include "db/db.h"
#include "identity/role.h"

static const char SQL_GET[] = "SELECT export_roles FROM tenants WHERE id = ?";
static const char SQL_SET[] =
    "UPDATE tenants SET export_roles = ? WHERE id = ?";

/* "admin,manager" as role bits (unknown names are skipped). */
static unsigned
parse_roles(const char *csv)
{
    unsigned mask = 0;
    const char *p = csv;

    while (p != NULL && *p != '\0') {
        const char *comma = strchr(p, ',');
        size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);

        mask |= role_from_name((struct str){ p, n });
        p = comma != NULL ? comma + 1 : NULL;
    }
    return mask;
}

enum app_err
settings_export_roles(struct ctx *cx, unsigned *roles)
{
    struct db_res res;
    enum app_err rc = db_query(cx->db, cx->a, SQL_GET,
                               DB_ARGS(DB_I64(cx->tenant_id)), 1, &res);

    *roles = ROLE_ADMIN;
    if (rc == APP_OK && res.nrows == 1)
        *roles |= parse_roles(db_text(&res, 0, 0));
    return rc;
}

enum app_err
settings_may_export(struct ctx *cx, bool *may)
{
    unsigned roles = 0;
    enum app_err rc = settings_export_roles(cx, &roles);

    *may = rc == APP_OK && (roles & cx->role) != 0;
    return rc;
}

enum app_err
settings_save(struct ctx *cx, const struct kvlist *f, cJSON *errors)
{
    unsigned mask = ROLE_ADMIN;
    struct db_tx tx = DB_TX_INIT;
    struct buf csv;
    cJSON *d;
    size_t i;
    int k;
    enum app_err rc = APP_OK;

    /* The form says it showed the roles (so no box ticked means "admins
     * only", and a request that sent nothing changes nothing). */
    if (kv_get(f, "export_shown") == NULL) {
        cJSON_AddStringToObject(errors, "export", "settings.nothing");
        cx->err_detail = "validate.failed";
        return APP_EVALIDATION;
    }
    for (i = 0; i < f->n; i++) {
        unsigned role;

        if (!str_eq_c(f->v[i].key, "export"))
            continue;
        role = role_from_name(f->v[i].val);
        if (role == 0) {
            cJSON_AddStringToObject(errors, "export", "settings.bad_role");
            cx->err_detail = "validate.failed";
            return APP_EVALIDATION;
        }
        mask |= role;
    }
    buf_init(&csv, cx->a, 256);
    for (k = 0; rc == APP_OK && k < ROLE_COUNT; k++) {
        if (mask & (1u << k))
            rc =
                buf_printf(&csv, "%s%s", csv.len > 0 ? "," : "", role_names[k]);
    }
    if (rc != APP_OK)
        return rc;
    d = cJSON_CreateObject();
    if (d == NULL ||
        cJSON_AddStringToObject(d, "export_roles", csv.p) == NULL) {
        cJSON_Delete(d);
        return APP_ENOMEM;
    }
    while (db_tx_next(cx->db, &tx, &rc)) {
        rc =
            db_exec(cx->db, SQL_SET,
                    DB_ARGS(DB_CSTR(csv.p), DB_I64(cx->tenant_id)), NULL, NULL);
        if (rc == APP_OK)
            rc = audit_write(cx, cx->tenant_id, cx->user_id, 0,
                             "tenant.settings", d);
    }
    cJSON_Delete(d);
    return rc;
}
