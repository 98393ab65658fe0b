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

static const char SQL_USERS_LIST[] =
    "SELECT u.id, u.login, u.display_name, u.role, COALESCE(m.login, ''), "
    "u.region, u.active, u.mfa_enabled, COALESCE(u.last_login_at, '') "
    "FROM users u LEFT JOIN users m ON m.id = u.manager_id "
    "AND m.tenant_id = u.tenant_id "
    "WHERE u.tenant_id = ? "
    "AND (? = '' OR u.login LIKE ? OR u.display_name LIKE ?) "
    "AND (? = '' OR u.role = ?) "
    "AND (? < 0 OR u.active = ?) "
    "ORDER BY u.login LIMIT ? OFFSET ?";
static const char SQL_MANAGERS[] =
    "SELECT id, login, display_name FROM users WHERE tenant_id = ? "
    "AND active = 1 AND role IN ('admin', 'manager', 'supervisor') "
    "ORDER BY login LIMIT 1000";
static const char SQL_USER_EDIT[] =
    "UPDATE users SET display_name = ?, role = ?, region = ?, locale = ? "
    "WHERE tenant_id = ? AND id = ?";
static const char SQL_USER_ACTIVE[] =
    "UPDATE users SET active = ? WHERE tenant_id = ? AND id = ?";
static const char SQL_USER_PW[] =
    "UPDATE users SET password_hash = ?, password_changed_at = "
    "UTC_TIMESTAMP(3) WHERE tenant_id = ? AND id = ?";

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
    rc = db_query(r->app->db, r->a, SQL_MANAGERS,
                  DB_ARGS(DB_I64(r->auth->tenant_id)), 1000, &res);
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
    const char *like;

    if (validate_fields(&r->cx.err_detail, &r->query_args, spec, 4, v, NULL) !=
        APP_OK)
        return APP_EINVAL;
    page = v[3].present ? v[3].i : 1;
    like = wire_like_contains(r->a, v[0].s);
    if (like == NULL)
        return APP_ENOMEM;
    rc = db_query(
        r->app->db, r->a, SQL_USERS_LIST,
        DB_ARGS(DB_I64(r->auth->tenant_id),
                DB_STR(v[0].present ? v[0].s : STR_LIT("")), DB_CSTR(like),
                DB_CSTR(like), DB_CSTR(v[1].present ? role_names[v[1].i] : ""),
                DB_CSTR(v[1].present ? role_names[v[1].i] : ""),
                DB_I64(v[2].present ? v[2].i : -1),
                DB_I64(v[2].present ? v[2].i : -1), DB_I64(PAGE_SIZE + 1),
                DB_I64((page - 1) * PAGE_SIZE)),
        PAGE_SIZE + 1, &res);
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
    cJSON_AddItemToObject(m, "roles", roles_model(r, u != NULL ? u->role : 0));
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
    rc = user_add(&r->cx, &r->form, errors, generated, &id);
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
    static const struct field_spec spec[] = {
        { "name", V_LINE, true, 1, 100, NULL },
        { "role", V_ENUM, true, 0, 0, role_names },
        { "manager", V_INT, false, 1, INT64_MAX, NULL },
        { "region", V_LINE, false, 0, 100, NULL },
        { "locale", V_ENUM, false, 0, 0, user_locales },
    };
    struct field_val v[5];
    cJSON *errors = view_errors(r), *d;
    struct user u;
    unsigned role;
    int64_t manager;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = users_get(r->app->db, r->a, r->auth->tenant_id,
                   router_param_int(r, "id"), &u);
    if (rc != APP_OK)
        return rc;
    if (validate_fields(&r->cx.err_detail, &r->form, spec, 5, v, errors) !=
        APP_OK) {
        r->cx.err_detail = NULL;
        return user_form(r, 422, &u, errors, "validate.failed");
    }
    role = 1u << v[1].i;
    manager = v[2].present ? v[2].i : 0;
    /* An admin cannot take away their own admin role: the tenant would
     * risk having none. */
    if (u.id == r->auth->user_id && role != u.role)
        return user_form(r, 422, &u, errors, "admin.own_role");
    rc = db_begin(r->app->db);
    if (rc == APP_OK)
        rc = db_exec(r->app->db, SQL_USER_EDIT,
                     DB_ARGS(DB_STR(v[0].s), DB_CSTR(role_name(role)),
                             DB_STR(v[3].present ? v[3].s : STR_LIT("")),
                             v[4].present && v[4].i > 0
                                 ? DB_CSTR(user_locales[v[4].i])
                                 : DB_NULL,
                             DB_I64(r->auth->tenant_id), DB_I64(u.id)),
                     NULL, NULL);
    if (rc == APP_OK && manager != u.manager_id)
        rc = users_set_manager(r->app->db, r->a, r->auth->tenant_id, u.id,
                               manager);
    if (rc == APP_ECONFLICT || rc == APP_EVALIDATION) {
        db_rollback(r->app->db);
        cJSON_AddStringToObject(errors, "manager",
                                rc == APP_ECONFLICT ? "admin.manager_cycle"
                                                    : "admin.bad_manager");
        return user_form(r, 422, &u, errors, "validate.failed");
    }
    if (rc == APP_OK && role != u.role) {
        d = cJSON_CreateObject();
        if (d != NULL) {
            cJSON_AddStringToObject(d, "from", role_name(u.role));
            cJSON_AddStringToObject(d, "to", role_name(role));
        }
        rc = audit_write(&r->cx, r->auth->tenant_id, r->auth->user_id, u.id,
                         "role.change", d);
        cJSON_Delete(d);
    }
    if (rc == APP_OK && manager != u.manager_id) {
        d = cJSON_CreateObject();
        if (d != NULL) {
            cJSON_AddNumberToObject(d, "from", (double)u.manager_id);
            cJSON_AddNumberToObject(d, "to", (double)manager);
        }
        rc = audit_write(&r->cx, r->auth->tenant_id, r->auth->user_id, u.id,
                         "manager.change", d);
        cJSON_Delete(d);
    }
    if (rc == APP_OK)
        rc = audit_write(&r->cx, r->auth->tenant_id, r->auth->user_id, u.id,
                         "user.update", NULL);
    if (rc == APP_OK)
        rc = db_commit(r->app->db);
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/admin/users/%lld?saved=1", (long long)u.id));
}

/* Deactivate or reactivate; deactivation ends sessions at once (API
 * tokens stop working with it: token checks require an active user). */
APP_MUST_USE static enum app_err
set_active(struct req *r, bool active)
{
    struct user u;
    enum app_err rc = users_get(r->app->db, r->a, r->auth->tenant_id,
                                router_param_int(r, "id"), &u);

    if (rc != APP_OK)
        return rc;
    if (u.id == r->auth->user_id) {
        r->cx.err_detail = "admin.own_account";
        return APP_ECONFLICT;
    }
    rc = db_begin(r->app->db);
    if (rc == APP_OK)
        rc = db_exec(
            r->app->db, SQL_USER_ACTIVE,
            DB_ARGS(DB_I64(active), DB_I64(r->auth->tenant_id), DB_I64(u.id)),
            NULL, NULL);
    if (rc == APP_OK && !active)
        rc = auth_end_user_sessions(r->app->db, r->auth->tenant_id, u.id, NULL);
    if (rc == APP_OK)
        rc = audit_write(&r->cx, r->auth->tenant_id, r->auth->user_id, u.id,
                         active ? "user.activate" : "user.deactivate", NULL);
    if (rc == APP_OK)
        rc = db_commit(r->app->db);
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/admin/users/%lld", (long long)u.id));
}

enum app_err
admin_user_deactivate(struct req *r)
{
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
    struct user u;
    char generated[17], hash[PASSWORD_HASH_MAX];
    enum app_err rc = users_get(r->app->db, r->a, r->auth->tenant_id,
                                router_param_int(r, "id"), &u);

    if (rc != APP_OK)
        return rc;
    password_generate(generated);
    rc = password_hash(str_c(generated), hash);
    if (rc == APP_OK)
        rc = db_begin(r->app->db);
    if (rc == APP_OK)
        rc = db_exec(
            r->app->db, SQL_USER_PW,
            DB_ARGS(DB_CSTR(hash), DB_I64(r->auth->tenant_id), DB_I64(u.id)),
            NULL, NULL);
    if (rc == APP_OK)
        rc = auth_end_user_sessions(
            r->app->db, r->auth->tenant_id, u.id,
            u.id == r->auth->user_id ? r->auth->session_id : NULL);
    if (rc == APP_OK)
        rc = audit_write(&r->cx, r->auth->tenant_id, r->auth->user_id, u.id,
                         "password.reset", NULL);
    if (rc == APP_OK)
        rc = db_commit(r->app->db);
    if (rc != APP_OK)
        return rc;
    return view_secret_page(
        r, "admin.temp_password", generated,
        arena_printf(r->a, "/admin/users/%lld", (long long)u.id));
}

enum app_err
admin_user_mfa_reset(struct req *r)
{
    struct user u;
    enum app_err rc = users_get(r->app->db, r->a, r->auth->tenant_id,
                                router_param_int(r, "id"), &u);

    if (rc != APP_OK)
        return rc;
    rc = db_begin(r->app->db);
    if (rc == APP_OK)
        rc = mfa_clear(r->app->db, r->auth->tenant_id, u.id);
    if (rc == APP_OK)
        rc = auth_end_user_sessions(
            r->app->db, r->auth->tenant_id, u.id,
            u.id == r->auth->user_id ? r->auth->session_id : NULL);
    if (rc == APP_OK)
        rc = audit_write(&r->cx, r->auth->tenant_id, r->auth->user_id, u.id,
                         "mfa.reset", NULL);
    if (rc == APP_OK)
        rc = db_commit(r->app->db);
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/admin/users/%lld", (long long)u.id));
}
