/*
 * account.c -- a user's own page: language, password, second factor,
 * sessions ("sign out everywhere"), own API tokens.
 */
#include <stdio.h>
#include <string.h>

#include "http/app.h"
#include "db/db.h"
#include "db/audit.h"
#include "web/auth.h"
#include "web/handlers/account.h"
#include "identity/password.h"
#include "identity/pwpolicy.h"
#include "http/router.h"
#include "web/throttle.h"
#include "identity/tokens.h"
#include "identity/users.h"
#include "base/validate.h"
#include "identity/sessions.h"
#include "identity/user_admin.h"
#include "identity/user_input.h"
#include "web/view.h"
#include "base/jsonmem.h"

/* Messages the account page can show after a redirect (?done=...): a
 * fixed list, so the parameter cannot inject text. */
static const char *const done_keys[] = { "password", "sessions", "token",
                                         "session",  "mfa",      NULL };

APP_MUST_USE static enum app_err
account_page(struct req *r, int status, const char *error, cJSON *extra)
{
    struct db_res res;
    cJSON *m = view_new(r), *sessions, *tokens, *me;
    const struct str *done = http_query_arg(r, "done");
    struct user u;
    size_t i;
    enum app_err rc;

    if (m == NULL)
        return APP_ENOMEM;
    rc = users_get(r->app->db, r->a, r->auth->tenant_id, r->auth->user_id, &u);
    if (rc != APP_OK)
        return rc;
    me = cJSON_AddObjectToObject(m, "me");
    sessions = cJSON_AddArrayToObject(m, "sessions");
    tokens = cJSON_AddArrayToObject(m, "tokens");
    if (me == NULL || sessions == NULL || tokens == NULL)
        return APP_ENOMEM;
    view_add_str(me, "login", u.login);
    view_add_str(me, "name", u.display_name);
    view_add_str(me, "role",
                 http_t(r, arena_printf(r->a, "role.%s", role_name(u.role))));
    view_add_str(me, "tenant", r->auth->tenant_name);
    view_add_str(me, "manager", u.manager_login);
    cJSON_AddBoolToObject(me, "mfa_enabled", u.mfa_enabled);
    cJSON_AddBoolToObject(me, "mfa_required", role_requires_mfa(u.role));
    rc = sessions_list(&r->cx, r->auth->session_id, &res);
    if (rc != APP_OK)
        return rc;
    for (i = 0; i < res.nrows; i++) {
        cJSON *o = cJSON_CreateObject();

        if (o == NULL || !cJSON_AddItemToArray(sessions, o))
            return APP_ENOMEM;
        cJSON_AddNumberToObject(o, "num", (double)db_int(&res, i, 0, 0));
        view_add_str(o, "created_at", db_text(&res, i, 1));
        view_add_str(o, "last_seen_at", db_text(&res, i, 2));
        view_add_str(o, "ip", db_text(&res, i, 3));
        view_add_str(o, "user_agent", db_text(&res, i, 4));
        cJSON_AddBoolToObject(o, "current", db_int(&res, i, 5, 0) == 1);
    }
    rc = tokens_list(r->app->db, r->a, r->auth->tenant_id, r->auth->user_id,
                     tokens);
    if (rc != APP_OK)
        return rc;
    view_local_times(r, tokens);
    view_local_times(r, sessions);
    cJSON_AddBoolToObject(m, "has_tokens", cJSON_GetArraySize(tokens) > 0);
    if (done != NULL) {
        for (i = 0; done_keys[i] != NULL; i++) {
            if (str_eq_c(*done, done_keys[i]))
                view_add_str(m, "notice",
                             http_t(r, arena_printf(r->a, "account.done_%s",
                                                    done_keys[i])));
        }
    }
    if (error != NULL)
        view_add_str(m, "error", http_t(r, error));
    if (extra != NULL)
        jsonmem_add_ref(m, "extra", extra);
    return view_page(r, status, "pages/account", m);
}

enum app_err
account_show(struct req *r)
{
    return account_page(r, 200, NULL, NULL);
}

/* The change form on its own: where a temporary password leads. */
APP_MUST_USE static enum app_err
password_page(struct req *r, int status, const char *error)
{
    cJSON *m = view_new(r);

    if (m == NULL)
        return APP_ENOMEM;
    cJSON_AddBoolToObject(m, "forced", r->auth->password_temporary);
    if (error != NULL)
        view_add_str(m, "error", http_t(r, error));
    return view_page(r, status, "pages/account_password", m);
}

enum app_err
account_password_form(struct req *r)
{
    return password_page(r, 200, NULL);
}

/* A problem with the change, on the page it came from. */
APP_MUST_USE static enum app_err
password_problem(struct req *r, int status, const char *error)
{
    if (r->auth->password_temporary)
        return password_page(r, status, error);
    return account_page(r, status, error, NULL);
}

enum app_err
account_password(struct req *r)
{
    static const struct field_spec spec[] = {
        { "current", V_SECRET, true, 1, 1024, NULL },
        { "password", V_SECRET, true, 1, 1024, NULL },
        { "confirm", V_SECRET, true, 1, 1024, NULL },
    };
    struct field_val v[3];
    char key[SESSION_ID_HEX], who[64], none[USER_TEMP_PASSWORD];
    cJSON *errors = view_errors(r);
    long wait = 0;
    bool locked = false, right = false;
    enum app_err rc;

    if (validate_fields(&r->cx.err_detail, &r->form, spec, 3, v, NULL) !=
        APP_OK) {
        r->cx.err_detail = NULL;
        return password_problem(r, 422, "validate.failed");
    }
    /* Guessing the current password from a stolen session is throttled
     * like signing in. */
    snprintf(who, sizeof(who), "pw:%lld", (long long)r->auth->user_id);
    throttle_account_key(str_c(r->auth->tenant_slug), str_c(who), key);
    rc = throttle_check(r, key, &wait, &locked);
    if (rc != APP_OK)
        return rc;
    if (wait > 0)
        return password_problem(r, 429, "login.throttled");
    rc = user_password_is(&r->cx, v[0].s, &right);
    if (rc == APP_OK)
        rc = throttle_record(r, key, right);
    if (rc != APP_OK)
        return rc;
    if (!right)
        return password_problem(r, 422, "account.wrong_password");
    if (!str_eq(v[1].s, v[2].s))
        return password_problem(r, 422, "account.mismatch");
    if (str_eq(v[0].s, v[1].s))
        return password_problem(r, 422, "account.same_password");
    if (errors == NULL)
        return APP_ENOMEM;
    /* Every other session ends: whoever else knew the old password is
     * out. */
    rc =
        user_set_password(&r->cx, r->auth->user_id, v[1].s, r->auth->session_id,
                          "password.change", false, errors, none);
    if (rc == APP_EVALIDATION) {
        const char *problem = r->cx.err_detail;

        r->cx.err_detail = NULL;
        return password_problem(r, 422, problem);
    }
    if (rc != APP_OK)
        return rc;
    /* A temporary password changed: on to what the user came for. */
    if (r->auth->password_temporary)
        return http_redirect(r, "/?done=password");
    return http_redirect(r, "/account?done=password");
}

enum app_err
account_session_revoke(struct req *r)
{
    enum app_err rc = sessions_revoke(&r->cx, router_param_int(r, "num"));

    if (rc != APP_OK)
        return rc;
    return http_redirect(r, "/account?done=session");
}

enum app_err
account_sessions_revoke_others(struct req *r)
{
    enum app_err rc = sessions_revoke_others(&r->cx, r->auth->session_id);

    if (rc != APP_OK)
        return rc;
    return http_redirect(r, "/account?done=sessions");
}

enum app_err
account_token_create(struct req *r)
{
    char secret[TOKEN_SECRET_MAX];
    int64_t id = 0;
    cJSON *errors = view_errors(r);
    enum app_err rc = errors != NULL
                          ? tokens_create(&r->cx, r->auth->user_id, &r->form,
                                          errors, secret, &id)
                          : APP_ENOMEM;

    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return account_page(r, 422, "validate.failed", NULL);
    }
    if (rc != APP_OK)
        return rc;
    return view_secret_page(r, "token.created", secret, "/account");
}

enum app_err
account_token_revoke(struct req *r)
{
    enum app_err rc =
        tokens_revoke(&r->cx, r->auth->user_id, router_param_int(r, "id"));

    if (rc != APP_OK)
        return rc;
    return http_redirect(r, "/account?done=token");
}
