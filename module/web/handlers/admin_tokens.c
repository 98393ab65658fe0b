/*
 * admin_tokens.c -- API tokens of the whole tenant: list, create for a
 * user, revoke.  Admins only.
 */
#include <string.h>

#include "http/app.h"
#include "db/db.h"
#include "db/audit.h"
#include "web/auth.h"
#include "web/handlers/admin_tokens.h"
#include "http/router.h"
#include "identity/tokens.h"
#include "identity/users.h"
#include "base/validate.h"
#include "web/view.h"

static const char SQL_ACTIVE_USERS[] =
    "SELECT id, login, display_name FROM users WHERE tenant_id = ? "
    "AND active = 1 ORDER BY login LIMIT 5000";

APP_MUST_USE static enum app_err
tokens_page(struct req *r, int status, const char *error)
{
    struct db_res res;
    cJSON *m = view_new(r), *list, *users;
    size_t i;
    enum app_err rc;

    if (m == NULL)
        return APP_ENOMEM;
    list = cJSON_AddArrayToObject(m, "tokens");
    users = cJSON_AddArrayToObject(m, "users");
    if (list == NULL || users == NULL)
        return APP_ENOMEM;
    rc = tokens_list(r->app->db, r->a, r->auth->tenant_id, 0, list);
    if (rc != APP_OK)
        return rc;
    view_local_times(r, list);
    rc = db_query(r->app->db, r->a, SQL_ACTIVE_USERS,
                  DB_ARGS(DB_I64(r->auth->tenant_id)), 5000, &res);
    if (rc != APP_OK)
        return rc;
    for (i = 0; i < res.nrows; i++) {
        cJSON *o = cJSON_CreateObject();

        if (o == NULL || !cJSON_AddItemToArray(users, o))
            return APP_ENOMEM;
        cJSON_AddNumberToObject(o, "id", (double)db_int(&res, i, 0, 0));
        view_add_str(o, "label",
                     arena_printf(r->a, "%s (%s)", db_text(&res, i, 2),
                                  db_text(&res, i, 1)));
    }
    if (error != NULL)
        view_add_str(m, "error", http_t(r, error));
    return view_page(r, status, "pages/admin_tokens", m);
}

enum app_err
admin_tokens(struct req *r)
{
    return tokens_page(r, 200, NULL);
}

enum app_err
admin_token_create(struct req *r)
{
    static const struct field_spec spec[] = {
        { "user", V_INT, true, 1, INT64_MAX, NULL },
        { "name", V_LINE, true, 1, 100, NULL },
        { "days", V_INT, false, 0, 3650, NULL },
    };
    struct field_val v[3];
    struct user u;
    char secret[TOKEN_SECRET_MAX];
    int64_t id = 0;
    cJSON *d;
    enum app_err rc;

    if (validate_fields(&r->cx.err_detail, &r->form, spec, 3, v, NULL) !=
        APP_OK) {
        r->cx.err_detail = NULL;
        return tokens_page(r, 422, "validate.failed");
    }
    /* The user must be an active user of this tenant. */
    rc = users_get(r->app->db, r->a, r->auth->tenant_id, v[0].i, &u);
    if (rc == APP_ENOTFOUND || (rc == APP_OK && !u.active))
        return tokens_page(r, 422, "admin.bad_user");
    if (rc != APP_OK)
        return rc;
    rc = db_begin(r->app->db);
    if (rc == APP_OK)
        rc = tokens_create(r->app->db, r->auth->tenant_id, u.id,
                           r->auth->user_id, v[1].s,
                           v[2].present ? (long)v[2].i : 0, secret, &id);
    d = cJSON_CreateObject();
    if (d != NULL)
        cJSON_AddNumberToObject(d, "token_id", (double)id);
    if (rc == APP_OK)
        rc = audit_write(&r->cx, r->auth->tenant_id, r->auth->user_id, u.id,
                         "token.create", d);
    cJSON_Delete(d);
    if (rc == APP_OK)
        rc = db_commit(r->app->db);
    if (rc != APP_OK)
        return rc;
    return view_secret_page(r, "token.created", secret, "/admin/tokens");
}

enum app_err
admin_token_revoke(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    enum app_err rc = tokens_revoke(r->app->db, r->auth->tenant_id, 0, id);
    cJSON *d;

    if (rc != APP_OK)
        return rc;
    d = cJSON_CreateObject();
    if (d != NULL)
        cJSON_AddNumberToObject(d, "token_id", (double)id);
    rc = audit_write(&r->cx, r->auth->tenant_id, r->auth->user_id, 0,
                     "token.revoke", d);
    cJSON_Delete(d);
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, "/admin/tokens");
}
