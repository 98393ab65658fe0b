/*
 * admin_tokens.c -- API tokens of the whole tenant: list, create for a
 * user, revoke.  Admins only.
 */
#include <string.h>

#include "http/app.h"
#include "db/db.h"
#include "db/audit.h"
#include "web/auth.h"
#include "identity/user_admin.h"
#include "web/handlers/admin_tokens.h"
#include "http/router.h"
#include "identity/tokens.h"
#include "identity/users.h"
#include "base/validate.h"
#include "web/view.h"

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
    rc = users_choices(&r->cx, true, &res);
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
    };
    struct field_val v[1];
    char secret[TOKEN_SECRET_MAX];
    int64_t id = 0;
    cJSON *errors = view_errors(r);
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = validate_fields(&r->cx.err_detail, &r->form, spec, 1, v, errors);
    if (rc == APP_OK)
        rc = tokens_create(&r->cx, v[0].i, &r->form, errors, secret, &id);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return tokens_page(r, 422,
                           cJSON_HasObjectItem(errors, "user")
                               ? "admin.bad_user"
                               : "validate.failed");
    }
    if (rc != APP_OK)
        return rc;
    return view_secret_page(r, "token.created", secret, "/admin/tokens");
}

enum app_err
admin_token_revoke(struct req *r)
{
    enum app_err rc = tokens_revoke(&r->cx, 0, router_param_int(r, "id"));

    if (rc != APP_OK)
        return rc;
    return http_redirect(r, "/admin/tokens");
}
