/*
 * users.c -- users and the manager hierarchy (closure table).
 */
#include "identity/users.h"

#include <string.h>

#define USER_COLS                                                              \
    "u.id, u.tenant_id, COALESCE(u.manager_id, 0), u.role, u.login, "          \
    "u.display_name, u.region, COALESCE(u.locale, ''), "                       \
    "COALESCE(m.login, ''), u.created_at, COALESCE(u.last_login_at, ''), "     \
    "u.active, u.mfa_enabled, u.password_hash"

static const char SQL_USER_GET[] =
    "SELECT " USER_COLS " FROM users u LEFT JOIN users m ON m.id = "
    "u.manager_id AND m.tenant_id = u.tenant_id "
    "WHERE u.tenant_id = ? AND u.id = ?";
static const char SQL_USER_BY_LOGIN[] =
    "SELECT " USER_COLS " FROM users u LEFT JOIN users m ON m.id = "
    "u.manager_id AND m.tenant_id = u.tenant_id "
    "WHERE u.tenant_id = ? AND u.login = ?";
static const char SQL_USER_ADD[] =
    "INSERT INTO users (tenant_id, login, display_name, role, manager_id, "
    "region, locale, password_hash, password_temporary, password_changed_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))";
static const char SQL_TREE_SELF[] =
    "INSERT INTO user_tree (tenant_id, ancestor_id, descendant_id, depth) "
    "VALUES (?, ?, ?, 0)";
static const char SQL_TREE_UNDER[] =
    "INSERT INTO user_tree (tenant_id, ancestor_id, descendant_id, depth) "
    "SELECT p.tenant_id, p.ancestor_id, c.descendant_id, "
    "p.depth + c.depth + 1 FROM user_tree p JOIN user_tree c "
    "ON c.tenant_id = p.tenant_id AND c.ancestor_id = ? "
    "WHERE p.tenant_id = ? AND p.descendant_id = ?";
/* Cut the subtree of a user from every ancestor outside it. */
static const char SQL_TREE_DETACH[] =
    "DELETE t FROM user_tree t "
    "JOIN user_tree sub ON sub.tenant_id = t.tenant_id "
    " AND sub.descendant_id = t.descendant_id AND sub.ancestor_id = ? "
    "LEFT JOIN user_tree inside ON inside.tenant_id = t.tenant_id "
    " AND inside.ancestor_id = ? AND inside.descendant_id = t.ancestor_id "
    "WHERE t.tenant_id = ? AND inside.ancestor_id IS NULL";
static const char SQL_SET_MANAGER[] =
    "UPDATE users SET manager_id = ? WHERE tenant_id = ? AND id = ?";
static const char SQL_IN_TREE[] =
    "SELECT 1 FROM user_tree WHERE tenant_id = ? AND ancestor_id = ? "
    "AND descendant_id = ?";
static const char SQL_USERS_SCOPE[] =
    "SELECT " USER_COLS " FROM users u LEFT JOIN users m ON m.id = "
    "u.manager_id AND m.tenant_id = u.tenant_id "
    "WHERE u.tenant_id = ? AND (? = 1 OR u.id IN (SELECT descendant_id "
    "FROM user_tree WHERE tenant_id = ? AND ancestor_id = ?)) "
    "ORDER BY u.login LIMIT ?";
static const char SQL_ID_BY_NAME[] =
    "SELECT id FROM users WHERE tenant_id = ? AND display_name = ? "
    "AND active = 1 LIMIT 2";
static const char SQL_ID_BY_LOGIN[] =
    "SELECT id FROM users WHERE tenant_id = ? AND login = ?";

static void
fill(const struct db_res *res, size_t r, struct user *u)
{
    u->id = db_int(res, r, 0, 0);
    u->tenant_id = db_int(res, r, 1, 0);
    u->manager_id = db_int(res, r, 2, 0);
    u->role = role_from_name(db_cell(res, r, 3));
    u->login = db_text(res, r, 4);
    u->display_name = db_text(res, r, 5);
    u->region = db_text(res, r, 6);
    u->locale = db_text(res, r, 7);
    u->manager_login = db_text(res, r, 8);
    u->created_at = db_text(res, r, 9);
    u->last_login_at = db_text(res, r, 10);
    u->active = db_int(res, r, 11, 0) != 0;
    u->mfa_enabled = db_int(res, r, 12, 0) != 0;
}

enum app_err
users_get(struct db *db, struct arena *a, int64_t tenant, int64_t id,
          struct user *out)
{
    struct db_res res;
    enum app_err rc = db_query(db, a, SQL_USER_GET,
                               DB_ARGS(DB_I64(tenant), DB_I64(id)), 1, &res);

    if (rc != APP_OK)
        return rc;
    if (res.nrows == 0)
        return APP_ENOTFOUND;
    fill(&res, 0, out);
    return APP_OK;
}

enum app_err
users_find_login(struct db *db, struct arena *a, int64_t tenant,
                 struct str login, struct user *out, const char **password_hash)
{
    struct db_res res;
    enum app_err rc = db_query(db, a, SQL_USER_BY_LOGIN,
                               DB_ARGS(DB_I64(tenant), DB_STR(login)), 1, &res);

    if (rc != APP_OK)
        return rc;
    if (res.nrows == 0)
        return APP_ENOTFOUND;
    fill(&res, 0, out);
    if (password_hash != NULL)
        *password_hash = db_text(&res, 0, 13);
    return APP_OK;
}

/* The manager must be an active user of this tenant whose role manages. */
APP_MUST_USE static enum app_err
check_manager(struct db *db, struct arena *a, int64_t tenant, int64_t manager)
{
    struct user m;
    enum app_err rc;

    if (manager == 0)
        return APP_OK;
    rc = users_get(db, a, tenant, manager, &m);
    if (rc == APP_ENOTFOUND)
        return APP_EVALIDATION;
    if (rc != APP_OK)
        return rc;
    return m.active && role_can_manage(m.role) ? APP_OK : APP_EVALIDATION;
}

enum app_err
users_create(struct db *db, struct arena *a, int64_t tenant,
             const struct user_new *u, int64_t *id)
{
    uint64_t uid = 0;
    enum app_err rc = check_manager(db, a, tenant, u->manager_id);

    if (rc != APP_OK)
        return rc;
    rc = db_exec(db, SQL_USER_ADD,
                 DB_ARGS(DB_I64(tenant), DB_STR(u->login),
                         DB_STR(u->display_name), DB_CSTR(role_name(u->role)),
                         u->manager_id > 0 ? DB_I64(u->manager_id) : DB_NULL,
                         DB_STR(u->region),
                         u->locale.len > 0 ? DB_STR(u->locale) : DB_NULL,
                         DB_CSTR(u->password_hash), DB_I64(u->temporary)),
                 NULL, &uid);
    if (rc != APP_OK)
        return rc;
    rc = db_exec(db, SQL_TREE_SELF,
                 DB_ARGS(DB_I64(tenant), DB_I64(uid), DB_I64(uid)), NULL, NULL);
    if (rc == APP_OK && u->manager_id > 0)
        rc =
            db_exec(db, SQL_TREE_UNDER,
                    DB_ARGS(DB_I64(uid), DB_I64(tenant), DB_I64(u->manager_id)),
                    NULL, NULL);
    if (rc == APP_OK && id != NULL)
        *id = (int64_t)uid;
    return rc;
}

enum app_err
users_in_subtree(struct db *db, struct arena *a, int64_t tenant,
                 int64_t manager, int64_t member, bool *in)
{
    struct db_res res;
    enum app_err rc = db_query(
        db, a, SQL_IN_TREE,
        DB_ARGS(DB_I64(tenant), DB_I64(manager), DB_I64(member)), 1, &res);

    if (rc == APP_OK)
        *in = res.nrows > 0;
    return rc;
}

enum app_err
users_set_manager(struct db *db, struct arena *a, int64_t tenant, int64_t user,
                  int64_t manager)
{
    enum app_err rc;
    bool cycle = false;

    if (manager == user)
        return APP_ECONFLICT;
    rc = check_manager(db, a, tenant, manager);
    if (rc != APP_OK)
        return rc;
    if (manager > 0) {
        rc = users_in_subtree(db, a, tenant, user, manager, &cycle);
        if (rc != APP_OK)
            return rc;
        if (cycle)
            return APP_ECONFLICT;
    }
    rc = db_exec(db, SQL_TREE_DETACH,
                 DB_ARGS(DB_I64(user), DB_I64(user), DB_I64(tenant)), NULL,
                 NULL);
    if (rc == APP_OK && manager > 0)
        rc = db_exec(db, SQL_TREE_UNDER,
                     DB_ARGS(DB_I64(user), DB_I64(tenant), DB_I64(manager)),
                     NULL, NULL);
    if (rc == APP_OK)
        rc = db_exec(db, SQL_SET_MANAGER,
                     DB_ARGS(manager > 0 ? DB_I64(manager) : DB_NULL,
                             DB_I64(tenant), DB_I64(user)),
                     NULL, NULL);
    return rc;
}

enum app_err
users_id_by_login(struct db *db, struct arena *a, int64_t tenant,
                  struct str login, int64_t *id)
{
    struct db_res res;
    enum app_err rc = db_query(db, a, SQL_ID_BY_LOGIN,
                               DB_ARGS(DB_I64(tenant), DB_STR(login)), 1, &res);

    if (rc != APP_OK)
        return rc;
    if (res.nrows == 0)
        return APP_ENOTFOUND;
    *id = db_int(&res, 0, 0, 0);
    return APP_OK;
}

enum app_err
users_id_by_name(struct db *db, struct arena *a, int64_t tenant,
                 struct str name, int64_t *id)
{
    struct db_res res;
    enum app_err rc = db_query(db, a, SQL_ID_BY_NAME,
                               DB_ARGS(DB_I64(tenant), DB_STR(name)), 2, &res);

    if (rc != APP_OK)
        return rc;
    if (res.nrows != 1) /* none, or two people of that name */
        return APP_ENOTFOUND;
    *id = db_int(&res, 0, 0, 0);
    return APP_OK;
}

enum app_err
users_list_scope(struct db *db, struct arena *a, int64_t tenant, int64_t all,
                 int64_t root, size_t max, struct user **out, size_t *n)
{
    struct db_res res;
    size_t i;
    enum app_err rc =
        db_query(db, a, SQL_USERS_SCOPE,
                 DB_ARGS(DB_I64(tenant), DB_I64(all), DB_I64(tenant),
                         DB_I64(root), DB_I64((int64_t)max + 1)),
                 max, &res);

    if (rc != APP_OK)
        return rc;
    *out = arena_calloc(a, res.nrows + 1, sizeof(**out));
    if (*out == NULL)
        return APP_ENOMEM;
    for (i = 0; i < res.nrows; i++)
        fill(&res, i, &(*out)[i]);
    *n = res.nrows;
    return APP_OK;
}
