/*
 * tokens.c -- API tokens.
 */
#include "identity/tokens.h"

#include <sodium.h>

#include "base/validate.h"
#include "db/audit.h"
#include "identity/secret.h"
#include "identity/users.h"

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

/* The audit entry of a token event, {"token_id": id}. */
APP_MUST_USE static enum app_err
audit(struct ctx *cx, int64_t subject, const char *event, int64_t id)
{
    cJSON *d = cJSON_CreateObject();
    enum app_err rc;

    if (d != NULL)
        cJSON_AddNumberToObject(d, "token_id", (double)id);
    rc = audit_write(cx, cx->tenant_id, cx->user_id, subject, event, d);
    cJSON_Delete(d);
    return rc;
}

enum app_err
tokens_create(struct ctx *cx, int64_t user, const struct kvlist *fields,
              cJSON *errors, char *secret, int64_t *id)
{
    static const struct field_spec spec[] = {
        { "name", V_LINE, true, 1, 100, NULL },
        { "days", V_INT, false, 0, 3650, NULL },
    };
    struct field_val v[2];
    char hash[SESSION_ID_HEX], prefix[9];
    uint64_t tid = 0;
    struct user u;
    struct db_tx tx = DB_TX_INIT;
    enum app_err rc =
        validate_fields(&cx->err_detail, fields, spec, 2, v, errors);
    long days = v[1].present ? (long)v[1].i : 0;
    enum app_err urc;

    *id = 0;
    secret[0] = '\0';
    /* The user must be an active user of this company. */
    urc = users_get(cx->db, cx->a, cx->tenant_id, user, &u);
    if (urc != APP_OK && urc != APP_ENOTFOUND)
        return urc;
    if (urc == APP_ENOTFOUND || !u.active) {
        cJSON_AddStringToObject(errors, "user", "admin.bad_user");
        rc = APP_EVALIDATION;
    }
    if (rc != APP_OK) {
        cx->err_detail = "validate.failed";
        return rc;
    }
    secret_token_new(secret, hash, prefix);
    while (db_tx_next(cx->db, &tx, &rc)) {
        rc = db_exec(cx->db, SQL_TOKEN_ADD,
                     DB_ARGS(DB_I64(cx->tenant_id), DB_I64(user),
                             DB_STR(v[0].s), DB_CSTR(hash), DB_CSTR(prefix),
                             cx->user_id > 0 ? DB_I64(cx->user_id) : DB_NULL,
                             DB_I64(days), DB_I64(days)),
                     NULL, &tid);
        if (rc == APP_OK)
            rc = audit(cx, user, "token.create", (int64_t)tid);
    }
    if (rc != APP_OK)
        sodium_memzero(secret, TOKEN_SECRET_MAX);
    else
        *id = (int64_t)tid;
    return rc;
}

enum app_err
tokens_revoke(struct ctx *cx, int64_t user, int64_t id)
{
    uint64_t n = 0;
    struct db_tx tx = DB_TX_INIT;
    enum app_err rc;

    while (db_tx_next(cx->db, &tx, &rc)) {
        rc = db_exec(cx->db, SQL_TOKEN_REVOKE,
                     DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id), DB_I64(user),
                             DB_I64(user)),
                     &n, NULL);
        if (rc == APP_OK && n == 0)
            rc = APP_ENOTFOUND;
        if (rc == APP_OK)
            rc = audit(cx, user, "token.revoke", id);
    }
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
