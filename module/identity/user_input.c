/*
 * user_input.c -- adding a user (see user_input.h).
 */
#include "identity/user_input.h"

#include <string.h>

#include <sodium.h>

#include "base/validate.h"
#include "db/audit.h"
#include "db/db.h"
#include "identity/password.h"
#include "identity/pwpolicy.h"
#include "identity/role.h"
#include "identity/tenants.h"
#include "identity/users.h"

const char *const user_locales[] = { "", "zh-CN", "en", NULL };

static const struct field_spec user_spec[] = {
    { "login", V_LOGIN, true, 1, 64, NULL },
    { "name", V_LINE, false, 1, 100, NULL },
    { "role", V_ENUM, true, 0, 0, role_names },
    { "manager", V_INT, false, 1, INT64_MAX, NULL },
    { "region", V_LINE, false, 0, 100, NULL },
    { "locale", V_ENUM, false, 0, 0, user_locales },
    { "password", V_SECRET, false, 0, 1024, NULL },
};
#define NSPEC (sizeof(user_spec) / sizeof(user_spec[0]))

/* The checked fields as a new user; the password hashed (or generated). */
APP_MUST_USE static enum app_err
read_user(struct ctx *cx, const struct field_val *v, cJSON *errors,
          char *generated, struct user_new *nu, char *hash)
{
    const char *problem = NULL, *slug = NULL;
    struct str password = v[6].present ? v[6].s : STR_NULL;
    enum app_err rc;

    generated[0] = '\0';
    if (password.len > 0) {
        rc = tenants_slug(cx->db, cx->a, cx->tenant_id, &slug);
        if (rc != APP_OK)
            return rc;
        problem = pwpolicy_check(password, v[0].s, str_c(slug));
        if (problem != NULL) {
            cJSON_AddStringToObject(errors, "password", problem);
            return APP_EVALIDATION;
        }
    } else {
        password_generate(generated);
        password = str_c(generated);
    }
    rc = password_hash(password, hash);
    memset(nu, 0, sizeof(*nu));
    nu->login = v[0].s;
    nu->display_name = v[1].present ? v[1].s : v[0].s;
    nu->role = 1u << v[2].i;
    nu->manager_id = v[3].present ? v[3].i : 0;
    nu->region = v[4].present ? v[4].s : STR_LIT("");
    nu->locale = v[5].present ? str_c(user_locales[v[5].i]) : STR_LIT("");
    nu->password_hash = hash;
    return rc;
}

enum app_err
user_add(struct ctx *cx, const struct kvlist *fields, bool temporary,
         cJSON *errors, char *generated, int64_t *id)
{
    struct field_val v[NSPEC];
    struct user_new nu;
    char hash[PASSWORD_HASH_MAX];
    struct db_tx tx = DB_TX_INIT;
    cJSON *d;
    enum app_err rc =
        validate_fields(&cx->err_detail, fields, user_spec, NSPEC, v, errors);

    generated[0] = '\0';
    *id = 0;
    if (rc == APP_OK)
        rc = read_user(cx, v, errors, generated, &nu, hash);
    if (rc != APP_OK)
        goto out;
    nu.temporary = temporary || generated[0] != '\0';
    while (db_tx_next(cx->db, &tx, &rc)) {
        rc = users_create(cx->db, cx->a, cx->tenant_id, &nu, id);
        if (rc == APP_ECONFLICT || rc == APP_EVALIDATION) {
            cJSON_AddStringToObject(errors,
                                    rc == APP_ECONFLICT ? "login" : "manager",
                                    rc == APP_ECONFLICT ? "admin.login_taken"
                                                        : "admin.bad_manager");
            rc = APP_EVALIDATION;
            continue;
        }
        d = cJSON_CreateObject();
        if (d != NULL) {
            cJSON_AddStringToObject(d, "login", arena_str(cx->a, nu.login).p);
            cJSON_AddStringToObject(d, "role", role_name(nu.role));
        }
        if (rc == APP_OK)
            rc = audit_write(cx, cx->tenant_id, cx->user_id, *id, "user.create",
                             d);
        cJSON_Delete(d);
    }
out:
    sodium_memzero(hash, sizeof(hash));
    if (rc == APP_EVALIDATION) {
        cx->err_detail = "validate.failed";
        generated[0] = '\0';
    }
    return rc;
}
