/*
 * tokens.c -- API tokens.
 */
#include "identity/tokens.h"
#include "identity/secret.h"

static const char SQL_TOKEN_ADD[] =
    "INSERT INTO api_tokens (tenant_id, user_id, name, token_hash, prefix, "
    "created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, "
    "IF(? > 0, UTC_TIMESTAMP(3) + INTERVAL ? DAY, NULL))";
static const char SQL_TOKEN_REVOKE[] =
    "UPDATE api_tokens SET revoked_at = UTC_TIMESTAMP(3) WHERE tenant_id = ? "
    "AND id = ? AND (? = 0 OR user_id = ?) AND revoked_at IS NULL";
static const char SQL_TOKEN_LIST[] =
    "SELECT k.id, k.name, u.login, k.prefix, k.created_at, "
    "COALESCE(k.expires_at, ''), COALESCE(k.last_used_at, ''), "
    "k.revoked_at IS NOT NULL, "
    "k.expires_at IS NOT NULL AND k.expires_at <= UTC_TIMESTAMP(3) "
    "FROM api_tokens k JOIN users u ON u.id = k.user_id "
    "AND u.tenant_id = k.tenant_id "
    "WHERE k.tenant_id = ? AND (? = 0 OR k.user_id = ?) "
    "ORDER BY k.revoked_at IS NOT NULL, k.id DESC LIMIT 500";

enum app_err
tokens_create(struct db *db, int64_t tenant, int64_t user, int64_t created_by,
              struct str name, long days, char *secret, int64_t *id)
{
    char hash[SESSION_ID_HEX], prefix[9];
    uint64_t tid = 0;
    enum app_err rc;

    secret_token_new(secret, hash, prefix);
    rc = db_exec(db, SQL_TOKEN_ADD,
                 DB_ARGS(DB_I64(tenant), DB_I64(user), DB_STR(name),
                         DB_CSTR(hash), DB_CSTR(prefix),
                         created_by > 0 ? DB_I64(created_by) : DB_NULL,
                         DB_I64(days), DB_I64(days)),
                 NULL, &tid);
    if (rc == APP_OK && id != NULL)
        *id = (int64_t)tid;
    return rc;
}

enum app_err
tokens_revoke(struct db *db, int64_t tenant, int64_t user, int64_t id)
{
    uint64_t n = 0;
    enum app_err rc =
        db_exec(db, SQL_TOKEN_REVOKE,
                DB_ARGS(DB_I64(tenant), DB_I64(id), DB_I64(user), DB_I64(user)),
                &n, NULL);

    if (rc == APP_OK && n == 0)
        return APP_ENOTFOUND;
    return rc;
}

enum app_err
tokens_list(struct db *db, struct arena *a, int64_t tenant, int64_t user,
            cJSON *list)
{
    struct db_res res;
    size_t i;
    enum app_err rc = db_query(
        db, a, SQL_TOKEN_LIST,
        DB_ARGS(DB_I64(tenant), DB_I64(user), DB_I64(user)), 500, &res);

    if (rc != APP_OK)
        return rc;
    for (i = 0; i < res.nrows; i++) {
        cJSON *o = cJSON_CreateObject();

        if (o == NULL || !cJSON_AddItemToArray(list, o))
            return APP_ENOMEM;
        cJSON_AddNumberToObject(o, "id", (double)db_int(&res, i, 0, 0));
        cJSON_AddStringToObject(o, "name", db_text(&res, i, 1));
        cJSON_AddStringToObject(o, "login", db_text(&res, i, 2));
        cJSON_AddStringToObject(o, "prefix", db_text(&res, i, 3));
        cJSON_AddStringToObject(o, "created_at", db_text(&res, i, 4));
        cJSON_AddStringToObject(o, "expires_at", db_text(&res, i, 5));
        cJSON_AddStringToObject(o, "last_used_at", db_text(&res, i, 6));
        cJSON_AddBoolToObject(o, "revoked", db_int(&res, i, 7, 0) != 0);
        cJSON_AddBoolToObject(o, "expired", db_int(&res, i, 8, 0) != 0);
        cJSON_AddBoolToObject(o, "active",
                              db_int(&res, i, 7, 0) == 0 &&
                                  db_int(&res, i, 8, 0) == 0);
    }
    return APP_OK;
}
