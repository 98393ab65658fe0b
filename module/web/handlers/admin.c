/*
 * admin.c -- user administration: list, create, edit role/manager,
 * deactivate, reset password, reset MFA.  Admins only (routes.c); every
 * statement binds the admin's tenant.
 */
#include <stdio.h>
#include <string.h>

#include "identity/access.h"
#include "http/app.h"
#include "db/db.h"
#include "db/audit.h"
#include "web/auth.h"
#include "base/num.h"
#include "identity/user_admin.h"
#include "identity/user_input.h"
#include "web/handlers/admin.h"
#include "identity/mfa.h"
#include "identity/password.h"
#include "identity/pwpolicy.h"
#include "http/router.h"
#include "base/tz.h"
#include "identity/users.h"
#include "base/validate.h"
#include "web/view.h"
#include "base/wire.h"
#include "base/jsonmem.h"

#define PAGE_SIZE 50

static cJSON *
roles_model(struct req *r, unsigned selected)
{
    cJSON *a = cJSON_CreateArray();
    unsigned i;

    for (i = 0; a != NULL && i < ROLE_COUNT; i++) {
        cJSON *o = cJSON_CreateObject();

        if (o == NULL)
            break;
        cJSON_AddItemToArray(a, o);
        view_add_str(o, "value", role_name_at(i));
        view_add_str(o, "label",
                     http_t(r, arena_printf(r->a, "role.%s", role_name_at(i))));
        cJSON_AddBoolToObject(o, "selected", selected == (1u << i));
    }
    return a;
}

APP_MUST_USE static enum app_err
managers_model(struct req *r, int64_t selected, int64_t exclude, cJSON *m)
{
    struct db_res res;
    cJSON *a = cJSON_AddArrayToObject(m, "managers");
    size_t i;
    enum app_err rc;

    if (a == NULL)
        return APP_ENOMEM;
    rc = users_choices(&r->cx, false, &res);
    for (i = 0; rc == APP_OK && i < res.nrows; i++) {
        int64_t id = db_int(&res, i, 0, 0);
        cJSON *o;

        if (id == exclude)
            continue;
        o = cJSON_CreateObject();
        if (o == NULL)
            return APP_ENOMEM;
        cJSON_AddItemToArray(a, o);
        cJSON_AddNumberToObject(o, "id", (double)id);
        view_add_str(o, "label",
                     arena_printf(r->a, "%s (%s)", db_text(&res, i, 2),
                                  db_text(&res, i, 1)));
        cJSON_AddBoolToObject(o, "selected", id == selected);
    }
    return rc;
}

enum app_err
admin_users(struct req *r)
{
    static const struct field_spec spec[] = {
        { "q", V_LINE, false, 0, 100, NULL },
        { "role", V_ENUM, false, 0, 0, role_names },
        { "active", V_INT, false, 0, 1, NULL },
        { "page", V_INT, false, 1, 100000, NULL },
    };
    struct field_val v[4];
    struct db_res res;
    cJSON *m, *users, *filter;
    int64_t page;
    size_t i;
    enum app_err rc;
    char when[32];

    if (validate_fields(&r->cx.err_detail, &r->query_args, spec, 4, v, NULL) !=
        APP_OK)
        return APP_EINVAL;
    page = v[3].present ? v[3].i : 1;
    rc = users_search(&r->cx, v[0].present ? v[0].s : STR_LIT(""),
                      v[1].present ? role_names[v[1].i] : "",
                      v[2].present ? (int)v[2].i : -1, PAGE_SIZE + 1,
                      (size_t)(page - 1) * PAGE_SIZE, &res);
    if (rc != APP_OK)
        return rc;
    m = view_new(r);
    if (m == NULL)
        return APP_ENOMEM;
    users = cJSON_AddArrayToObject(m, "users");
    filter = cJSON_AddObjectToObject(m, "filter");
    if (users == NULL || filter == NULL)
        return APP_ENOMEM;
    for (i = 0; i < res.nrows && i < PAGE_SIZE; i++) {
        cJSON *o = cJSON_CreateObject();

        if (o == NULL)
            return APP_ENOMEM;
        cJSON_AddItemToArray(users, o);
        cJSON_AddNumberToObject(o, "id", (double)db_int(&res, i, 0, 0));
        view_add_str(o, "login", db_text(&res, i, 1));
        view_add_str(o, "name", db_text(&res, i, 2));
        view_add_str(
            o, "role",
            http_t(r, arena_printf(r->a, "role.%s", db_text(&res, i, 3))));
        view_add_str(o, "manager", db_text(&res, i, 4));
        view_add_str(o, "region", db_text(&res, i, 5));
        cJSON_AddBoolToObject(o, "active", db_int(&res, i, 6, 0) != 0);
        cJSON_AddBoolToObject(o, "mfa", db_int(&res, i, 7, 0) != 0);
        view_add_str(o, "last_login",
                     tz_format(r->auth->tenant_tz, db_text(&res, i, 8), when,
                               sizeof(when)));
    }
    view_add_str(filter, "q", v[0].present ? arena_str(r->a, v[0].s).p : "");
    cJSON_AddItemToObject(filter, "roles",
                          roles_model(r, v[1].present ? 1u << v[1].i : 0));
    cJSON_AddBoolToObject(filter, "active1", v[2].present && v[2].i == 1);
    cJSON_AddBoolToObject(filter, "active0", v[2].present && v[2].i == 0);
    if (page > 1)
        cJSON_AddNumberToObject(m, "prev_page", (double)(page - 1));
    if (res.nrows > PAGE_SIZE)
        cJSON_AddNumberToObject(m, "next_page", (double)(page + 1));
    return view_page(r, 200, "pages/admin_users", m);
}

APP_MUST_USE static enum app_err
user_form(struct req *r, int status, const struct user *u, cJSON *errors,
          const char *error)
{
    cJSON *m = view_new(r), *o;
    enum app_err rc;

    if (m == NULL)
        return APP_ENOMEM;
    o = cJSON_AddObjectToObject(m, "u");
    if (o == NULL)
        return APP_ENOMEM;
    if (u != NULL && u->id > 0) {
        cJSON_AddNumberToObject(o, "id", (double)u->id);
        view_add_str(o, "login", u->login);
        view_add_str(o, "name", u->display_name);
        view_add_str(o, "region", u->region);
        cJSON_AddBoolToObject(o, "active", u->active);
        cJSON_AddBoolToObject(o, "mfa", u->mfa_enabled);
        cJSON_AddBoolToObject(o, "self", u->id == r->auth->user_id);
        cJSON_AddBoolToObject(o, "locale_zh", strcmp(u->locale, "zh-CN") == 0);
        cJSON_AddBoolToObject(o, "locale_en", strcmp(u->locale, "en") == 0);
    } else if (u != NULL) {
        view_add_str(o, "login", u->login);
        view_add_str(o, "name", u->display_name);
        view_add_str(o, "region", u->region);
    }
    /* A new user starts with the least privileged role: admin rights are
     * given on purpose, never by leaving the default. */
    cJSON_AddItemToObject(
        m, "roles",
        roles_model(r, u != NULL && u->role != 0 ? u->role : ROLE_REP));
    rc = managers_model(r, u != NULL ? u->manager_id : 0, u != NULL ? u->id : 0,
                        m);
    if (rc != APP_OK)
        return rc;
    if (errors != NULL)
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
    if (error != NULL)
        view_add_str(m, "error", http_t(r, error));
    return view_page(r, status,
                     u != NULL && u->id > 0 ? "pages/admin_user"
                                            : "pages/admin_user_new",
                     m);
}

enum app_err
admin_user_new(struct req *r)
{
    return user_form(r, 200, NULL, NULL, NULL);
}

/* The form's value of name, for showing it again ("" when absent). */
static const char *
form_text(struct req *r, const char *name)
{
    const struct str *v = kv_get(&r->form, name);

    return v != NULL ? arena_str(r->a, *v).p : "";
}

enum app_err
admin_user_create(struct req *r)
{
    cJSON *errors = view_errors(r);
    struct user shown;
    char generated[USER_TEMP_PASSWORD];
    const struct str *manager = kv_get(&r->form, "manager");
    int64_t id = 0;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    /* A password an admin chose or was given is the user's to replace. */
    rc = user_add(&r->cx, &r->form, true, errors, generated, &id);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        memset(&shown, 0, sizeof(shown));
        shown.login = form_text(r, "login");
        shown.display_name = form_text(r, "name");
        shown.region = form_text(r, "region");
        shown.role = role_from_name(str_c(form_text(r, "role")));
        if (manager == NULL ||
            !parse_i64(*manager, 1, INT64_MAX, &shown.manager_id))
            shown.manager_id = 0;
        return user_form(r, 422, &shown, errors, "validate.failed");
    }
    if (rc != APP_OK)
        return rc;
    if (generated[0] != '\0')
        return view_secret_page(
            r, "admin.temp_password", generated,
            arena_printf(r->a, "/admin/users/%lld", (long long)id));
    return http_redirect(
        r, arena_printf(r->a, "/admin/users/%lld", (long long)id));
}

enum app_err
admin_user_show(struct req *r)
{
    struct user u;
    enum app_err rc = users_get(r->app->db, r->a, r->auth->tenant_id,
                                router_param_int(r, "id"), &u);

    if (rc != APP_OK)
        return rc;
    return user_form(r, 200, &u, NULL, NULL);
}

enum app_err
admin_user_update(struct req *r)
{
    cJSON *errors = view_errors(r);
    struct user u;
    int64_t id = router_param_int(r, "id");
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = user_update(&r->cx, id, &r->form, errors);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        rc = users_get(r->app->db, r->a, r->auth->tenant_id, id, &u);
        if (rc != APP_OK)
            return rc;
        return user_form(r, 422, &u, errors, "validate.failed");
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/admin/users/%lld?saved=1", (long long)id));
}

/* Deactivate or reactivate (user_set_active). */
APP_MUST_USE static enum app_err
set_active(struct req *r, bool active)
{
    int64_t id = router_param_int(r, "id");
    enum app_err rc = user_set_active(&r->cx, id, active);

    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/admin/users/%lld", (long long)id));
}

enum app_err
admin_user_deactivate(struct req *r)
{
    struct user u;
    enum app_err rc = users_get(r->app->db, r->a, r->auth->tenant_id,
                                router_param_int(r, "id"), &u);

    if (rc != APP_OK)
        return rc;
    if (!view_confirmed(r))
        return view_confirm_page(
            r, http_t(r, "admin.deactivate_title"),
            arena_printf(r->a, "%s (%s): %s", u.display_name, u.login,
                         http_t(r, "admin.deactivate_confirm")),
            arena_printf(r->a, "/admin/users/%lld", (long long)u.id));
    return set_active(r, false);
}

enum app_err
admin_user_activate(struct req *r)
{
    return set_active(r, true);
}

enum app_err
admin_user_password(struct req *r)
{
    char generated[USER_TEMP_PASSWORD];
    int64_t id = router_param_int(r, "id");
    enum app_err rc =
        user_set_password(&r->cx, id, STR_NULL,
                          id == r->auth->user_id ? r->auth->session_id : NULL,
                          "password.reset", true, NULL, generated);

    if (rc != APP_OK)
        return rc;
    return view_secret_page(
        r, "admin.temp_password", generated,
        arena_printf(r->a, "/admin/users/%lld", (long long)id));
}

enum app_err
admin_user_mfa_reset(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    enum app_err rc = user_reset_mfa(
        &r->cx, id, id == r->auth->user_id ? r->auth->session_id : NULL);

    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/admin/users/%lld", (long long)id));
}
