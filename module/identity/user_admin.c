/*
 * user_admin.c -- changing users (see user_admin.h).
 */
#include "identity/user_admin.h"

#include <string.h>

#include <sodium.h>

#include "base/log.h"
#include "base/validate.h"
#include "base/wire.h"
#include "db/audit.h"
#include "identity/access.h"
#include "identity/mfa.h"
#include "identity/password.h"
#include "identity/pwpolicy.h"
#include "identity/role.h"
#include "identity/sessions.h"
#include "identity/tenants.h"
#include "identity/user_input.h"
#include "identity/users.h"

static const char SQL_USERS_SEARCH[] =
    "SELECT u.id, u.login, u.display_name, u.role, COALESCE(m.login, ''), "
    "u.region, u.active, u.mfa_enabled, COALESCE(u.last_login_at, '') "
    "FROM users u LEFT JOIN users m ON m.id = u.manager_id "
    "AND m.tenant_id = u.tenant_id "
    "WHERE u.tenant_id = ? "
    "AND (? = '' OR u.login LIKE ? OR u.display_name LIKE ?) "
    "AND (? = '' OR u.role = ?) "
    "AND (? < 0 OR u.active = ?) "
    "ORDER BY u.login LIMIT ? OFFSET ?";
static const char SQL_TEAM[] =
    "SELECT u.id, COALESCE(u.manager_id, 0), u.login, u.display_name, "
    "u.role, u.region, u.active FROM users u "
    "WHERE u.tenant_id = ? AND (? = 1 OR u.id IN (SELECT descendant_id "
    "FROM user_tree WHERE tenant_id = ? AND ancestor_id = ?)) "
    "ORDER BY u.login";

static const char SQL_MANAGERS[] =
    "SELECT id, login, display_name FROM users WHERE tenant_id = ? "
    "AND active = 1 AND (? = 1 OR role IN ('admin', 'manager', 'supervisor')) "
    "ORDER BY login LIMIT 5000";
static const char SQL_USER_EDIT[] =
    "UPDATE users SET display_name = ?, role = ?, region = ?, locale = ? "
    "WHERE tenant_id = ? AND id = ?";
static const char SQL_USER_ACTIVE[] =
    "UPDATE users SET active = ? WHERE tenant_id = ? AND id = ?";
static const char SQL_USER_PW[] =
    "UPDATE users SET password_hash = ?, password_temporary = ?, "
    "password_changed_at = UTC_TIMESTAMP(3) WHERE tenant_id = ? AND id = ?";
static const char SQL_PW_GET[] =
    "SELECT password_hash FROM users WHERE tenant_id = ? AND id = ?";
static const char SQL_SET_LOCALE[] =
    "UPDATE users SET locale = ? WHERE tenant_id = ? AND id = ?";
static const char SQL_SET_HASH[] =
    "UPDATE users SET password_hash = ? WHERE tenant_id = ? AND id = ?";
static const char SQL_LOGGED_IN[] =
    "UPDATE users SET last_login_at = UTC_TIMESTAMP(3) WHERE tenant_id = ? "
    "AND id = ?";

enum app_err
users_search(struct ctx *cx, struct str q, const char *role, int active,
             size_t limit, size_t offset, struct db_res *res)
{
    const char *like = wire_like_contains(cx->a, q);

    if (like == NULL)
        return APP_ENOMEM;
    return db_query(cx->db, cx->a, SQL_USERS_SEARCH,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_STR(q), DB_CSTR(like),
                            DB_CSTR(like), DB_CSTR(role), DB_CSTR(role),
                            DB_I64(active), DB_I64(active),
                            DB_I64((int64_t)limit), DB_I64((int64_t)offset)),
                    limit, res);
}

enum app_err
users_team(struct ctx *cx, size_t max, struct db_res *res)
{
    int64_t root, all;

    access_scope(cx, &root, &all);
    return db_query(cx->db, cx->a, SQL_TEAM,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(all),
                            DB_I64(cx->tenant_id), DB_I64(root)),
                    max, res);
}

enum app_err
users_choices(struct ctx *cx, bool all, struct db_res *res)
{
    return db_query(cx->db, cx->a, SQL_MANAGERS,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(all ? 1 : 0)), 5000,
                    res);
}

/* {"from": a, "to": b} for the audit of a change. */
static cJSON *
change(const char *from, const char *to, double nfrom, double nto)
{
    cJSON *d = cJSON_CreateObject();

    if (d == NULL)
        return NULL;
    if (from != NULL) {
        cJSON_AddStringToObject(d, "from", from);
        cJSON_AddStringToObject(d, "to", to);
    } else {
        cJSON_AddNumberToObject(d, "from", nfrom);
        cJSON_AddNumberToObject(d, "to", nto);
    }
    return d;
}

/* The writes and audit entries of user_update, inside its transaction. */
APP_MUST_USE static enum app_err
update_rows(struct ctx *cx, const struct user *u, const struct field_val *v,
            unsigned role, int64_t manager, cJSON *errors)
{
    enum app_err rc = db_exec(
        cx->db, SQL_USER_EDIT,
        DB_ARGS(DB_STR(v[0].s), DB_CSTR(role_name(role)),
                DB_STR(v[3].present ? v[3].s : STR_LIT("")),
                v[4].present && v[4].i > 0 ? DB_CSTR(user_locales[v[4].i])
                                           : DB_NULL,
                DB_I64(cx->tenant_id), DB_I64(u->id)),
        NULL, NULL);
    cJSON *d;

    if (rc == APP_OK && manager != u->manager_id)
        rc = users_set_manager(cx->db, cx->a, cx->tenant_id, u->id, manager);
    if (rc == APP_ECONFLICT || rc == APP_EVALIDATION) {
        cJSON_AddStringToObject(errors, "manager",
                                rc == APP_ECONFLICT ? "admin.manager_cycle"
                                                    : "admin.bad_manager");
        return APP_EVALIDATION;
    }
    if (rc == APP_OK && role != u->role) {
        d = change(role_name(u->role), role_name(role), 0, 0);
        rc = audit_write(cx, cx->tenant_id, cx->user_id, u->id, "role.change",
                         d);
        cJSON_Delete(d);
    }
    if (rc == APP_OK && manager != u->manager_id) {
        d = change(NULL, NULL, (double)u->manager_id, (double)manager);
        rc = audit_write(cx, cx->tenant_id, cx->user_id, u->id,
                         "manager.change", d);
        cJSON_Delete(d);
    }
    if (rc == APP_OK)
        rc = audit_write(cx, cx->tenant_id, cx->user_id, u->id, "user.update",
                         NULL);
    return rc;
}

enum app_err
user_update(struct ctx *cx, int64_t id, const struct kvlist *fields,
            cJSON *errors)
{
    static const struct field_spec spec[] = {
        { "name", V_LINE, true, 1, 100, NULL },
        { "role", V_ENUM, true, 0, 0, role_names },
        { "manager", V_INT, false, 1, INT64_MAX, NULL },
        { "region", V_LINE, false, 0, 100, NULL },
        { "locale", V_ENUM, false, 0, 0, user_locales },
    };
    struct field_val v[5];
    struct db_tx tx = DB_TX_INIT;
    struct user u;
    unsigned role;
    int64_t manager;
    enum app_err rc = users_get(cx->db, cx->a, cx->tenant_id, id, &u);

    if (rc != APP_OK)
        return rc;
    rc = validate_fields(&cx->err_detail, fields, spec, 5, v, errors);
    if (rc != APP_OK)
        return rc;
    role = 1u << v[1].i;
    manager = v[2].present ? v[2].i : 0;
    /* An admin cannot take away their own admin role: the company would
     * risk having none. */
    if (u.id == cx->user_id && role != u.role) {
        cJSON_AddStringToObject(errors, "role", "admin.own_role");
        cx->err_detail = "admin.own_role";
        return APP_EVALIDATION;
    }
    while (db_tx_next(cx->db, &tx, &rc))
        rc = update_rows(cx, &u, v, role, manager, errors);
    if (rc == APP_EVALIDATION)
        cx->err_detail = "validate.failed";
    return rc;
}

enum app_err
user_set_active(struct ctx *cx, int64_t id, bool active)
{
    struct db_tx tx = DB_TX_INIT;
    struct user u;
    enum app_err rc = users_get(cx->db, cx->a, cx->tenant_id, id, &u);

    if (rc != APP_OK)
        return rc;
    if (u.id == cx->user_id) {
        cx->err_detail = "admin.own_account";
        return APP_ECONFLICT;
    }
    while (db_tx_next(cx->db, &tx, &rc)) {
        rc = db_exec(
            cx->db, SQL_USER_ACTIVE,
            DB_ARGS(DB_I64(active), DB_I64(cx->tenant_id), DB_I64(u.id)), NULL,
            NULL);
        if (rc == APP_OK && !active)
            rc = sessions_end_user(cx->db, cx->tenant_id, u.id, NULL);
        if (rc == APP_OK)
            rc =
                audit_write(cx, cx->tenant_id, cx->user_id, u.id,
                            active ? "user.activate" : "user.deactivate", NULL);
    }
    return rc;
}

enum app_err
user_set_password(struct ctx *cx, int64_t id, struct str password,
                  const char *keep, const char *event, bool temporary,
                  cJSON *errors, char *generated)
{
    char hash[PASSWORD_HASH_MAX];
    const char *problem, *slug;
    struct db_tx tx = DB_TX_INIT;
    struct user u;
    enum app_err rc = users_get(cx->db, cx->a, cx->tenant_id, id, &u);

    generated[0] = '\0';
    if (rc == APP_OK && password.len > 0)
        rc = tenants_slug(cx->db, cx->a, cx->tenant_id, &slug);
    if (rc != APP_OK)
        return rc;
    if (password.len > 0) {
        problem = pwpolicy_check(password, str_c(u.login), str_c(slug));
        if (problem != NULL) {
            cJSON_AddStringToObject(errors, "password", problem);
            cx->err_detail = problem;
            return APP_EVALIDATION;
        }
    } else {
        password_generate(generated);
        password = str_c(generated);
        temporary = true;
    }
    rc = password_hash(password, hash);
    while (rc == APP_OK && db_tx_next(cx->db, &tx, &rc)) {
        rc = db_exec(cx->db, SQL_USER_PW,
                     DB_ARGS(DB_CSTR(hash), DB_I64(temporary),
                             DB_I64(cx->tenant_id), DB_I64(u.id)),
                     NULL, NULL);
        if (rc == APP_OK)
            rc = sessions_end_user(cx->db, cx->tenant_id, u.id, keep);
        if (rc == APP_OK)
            rc = audit_write(cx, cx->tenant_id, cx->user_id, u.id, event, NULL);
    }
    sodium_memzero(hash, sizeof(hash));
    if (rc != APP_OK)
        sodium_memzero(generated, USER_TEMP_PASSWORD);
    return rc;
}

enum app_err
user_password_is(struct ctx *cx, struct str password, bool *right)
{
    struct db_res res;
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_PW_GET,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(cx->user_id)), 1, &res);

    *right = false;
    if (rc == APP_OK && res.nrows == 0)
        rc = APP_ENOTFOUND;
    if (rc != APP_OK)
        return rc;
    rc = password_verify(db_text(&res, 0, 0), password);
    if (rc == APP_ETHROTTLED)
        return rc;
    *right = rc == APP_OK;
    if (*right)
        return APP_OK;
    return audit_write(cx, cx->tenant_id, cx->user_id, cx->user_id,
                       "password.change_failed", NULL);
}

enum app_err
user_reset_mfa(struct ctx *cx, int64_t id, const char *keep)
{
    struct db_tx tx = DB_TX_INIT;
    struct user u;
    enum app_err rc = users_get(cx->db, cx->a, cx->tenant_id, id, &u);

    if (rc != APP_OK)
        return rc;
    while (db_tx_next(cx->db, &tx, &rc)) {
        rc = mfa_clear(cx->db, cx->tenant_id, u.id);
        if (rc == APP_OK)
            rc = sessions_end_user(cx->db, cx->tenant_id, u.id, keep);
        if (rc == APP_OK)
            rc = audit_write(cx, cx->tenant_id, cx->user_id, u.id, "mfa.reset",
                             NULL);
    }
    return rc;
}

enum app_err
user_set_locale(struct ctx *cx, const char *locale)
{
    return db_exec(
        cx->db, SQL_SET_LOCALE,
        DB_ARGS(locale != NULL && locale[0] != '\0' ? DB_CSTR(locale) : DB_NULL,
                DB_I64(cx->tenant_id), DB_I64(cx->user_id)),
        NULL, NULL);
}

void
users_signed_in(struct db *db, int64_t tenant, int64_t user, const char *fresh)
{
    if (fresh != NULL)
        app_ignore(
            db_exec(db, SQL_SET_HASH,
                    DB_ARGS(DB_CSTR(fresh), DB_I64(tenant), DB_I64(user)), NULL,
                    NULL),
            "the old hash still works; the next sign-in retries");
    app_ignore(db_exec(db, SQL_LOGGED_IN, DB_ARGS(DB_I64(tenant), DB_I64(user)),
                       NULL, NULL),
               "the last sign-in time is information only");
}
