/*
 * auth.c -- sessions and API tokens.
 */
#include "web/auth.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "http/app.h"
#include "db/db.h"
#include "base/i18n.h"
#include "base/tz.h"
#include "base/log.h"
#include "identity/users.h"
#include "base/wire.h"

#define COOKIE "pl_session"
#define TOUCH_AFTER_S 60

static const char SQL_SESSION_LOAD[] =
    "SELECT s.tenant_id, s.user_id, s.csrf, s.mfa_state, "
    "TIMESTAMPDIFF(SECOND, s.last_seen_at, UTC_TIMESTAMP(3)), "
    "TIMESTAMPDIFF(SECOND, s.created_at, UTC_TIMESTAMP(3)), "
    "u.login, u.display_name, u.role, COALESCE(u.locale, ''), u.active, "
    "u.mfa_enabled, t.slug, t.name, t.time_zone, u.password_temporary, "
    "(SELECT COUNT(*) FROM notifications n WHERE n.tenant_id = s.tenant_id "
    "AND n.user_id = s.user_id AND n.read_at IS NULL), "
    "COALESCE(tr.version_id, 0), u.region, "
    "(SELECT COALESCE(MAX(id), 0) FROM fact_log) "
    "FROM sessions s "
    "JOIN users u ON u.id = s.user_id AND u.tenant_id = s.tenant_id "
    "JOIN tenants t ON t.id = s.tenant_id "
    "LEFT JOIN tenant_rules tr ON tr.tenant_id = s.tenant_id WHERE s.id = ?";
static const char SQL_SESSION_ADD[] =
    "INSERT INTO sessions (id, tenant_id, user_id, csrf, mfa_state, ip, "
    "user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_SESSION_DEL[] = "DELETE FROM sessions WHERE id = ?";
static const char SQL_SESSION_TOUCH[] =
    "UPDATE sessions SET last_seen_at = UTC_TIMESTAMP(3) WHERE id = ?";
static const char SQL_SESSION_PROMOTE[] =
    "UPDATE sessions SET id = ?, csrf = ?, mfa_state = 'done', "
    "last_seen_at = UTC_TIMESTAMP(3) WHERE id = ?";
static const char SQL_TOKEN_LOAD[] =
    "SELECT k.id, k.tenant_id, k.user_id, "
    "k.last_used_at IS NULL OR k.last_used_at < UTC_TIMESTAMP(3) - "
    "INTERVAL 60 SECOND, "
    "u.login, u.display_name, u.role, COALESCE(u.locale, ''), t.slug, "
    "t.name, t.time_zone, COALESCE(tr.version_id, 0), u.region, "
    "(SELECT COALESCE(MAX(id), 0) FROM fact_log) "
    "FROM api_tokens k "
    "JOIN users u ON u.id = k.user_id AND u.tenant_id = k.tenant_id "
    "JOIN tenants t ON t.id = k.tenant_id "
    "LEFT JOIN tenant_rules tr ON tr.tenant_id = k.tenant_id "
    "WHERE k.token_hash = ? AND k.revoked_at IS NULL AND u.active = 1 "
    "AND (k.expires_at IS NULL OR k.expires_at > UTC_TIMESTAMP(3))";
static const char SQL_TOKEN_TOUCH[] =
    "UPDATE api_tokens SET last_used_at = UTC_TIMESTAMP(3) WHERE id = ?";

const char *
auth_csrf_token(const struct req *r)
{
    return r->auth != NULL ? r->auth->csrf : NULL;
}

void
auth_set(struct req *r, struct auth *a)
{
    r->auth = a;
    r->cx.tenant_id = a != NULL ? a->tenant_id : 0;
    r->cx.user_id = a != NULL ? a->user_id : 0;
    r->cx.role = a != NULL ? a->role : 0;
    r->cx.tenant_tz =
        a != NULL && a->tenant_tz != NULL ? a->tenant_tz : TZ_DEFAULT;
    r->cx.rules_version_id = a != NULL ? a->rules_version_id : 0;
    r->cx.facts_top = a != NULL ? a->facts_top : 0;
    r->cx.user_region = a != NULL ? a->region : NULL;
}

static void
clear_cookie(struct req *r)
{
    struct cookie_opts o = { .max_age = -1, .http_only = true };

    app_ignore(http_cookie_set(r, http_cookie_name(r, COOKIE), "gone", &o),
               "a cookie that is refused anyway: clearing it is a courtesy");
}

static void
apply_lang(struct req *r, const char *locale)
{
    const char *lang = i18n_lang(str_c(locale));

    if (locale[0] != '\0' && lang != NULL) {
        r->cx.lang = lang;
        if (r->app->i18n != NULL)
            r->catalog = i18n_catalog(r->app->i18n, lang);
    }
}

/* Load the session with this id into r->auth; APP_ENOTFOUND when there is
 * none or it has expired (then it is deleted). */
APP_MUST_USE static enum app_err
load_session(struct req *r, const char *id)
{
    struct db *db = r->app->db;
    struct db_res res;
    struct auth *a;
    enum app_err rc;
    int64_t idle, age;
    struct str state;

    rc = db_query(db, r->a, SQL_SESSION_LOAD, DB_ARGS(DB_CSTR(id)), 1, &res);
    if (rc != APP_OK)
        return rc;
    if (res.nrows == 0)
        return APP_ENOTFOUND;
    idle = db_int(&res, 0, 4, INT64_MAX);
    age = db_int(&res, 0, 5, INT64_MAX);
    if (db_int(&res, 0, 10, 0) != 1 || idle > r->app->conf.session_idle ||
        age > r->app->conf.session_max) {
        log_info("session.expired", "user=%lld idle_s=%lld age_s=%lld",
                 (long long)db_int(&res, 0, 1, 0), (long long)idle,
                 (long long)age);
        app_ignore(
            db_exec(db, SQL_SESSION_DEL, DB_ARGS(DB_CSTR(id)), NULL, NULL),
            "the session is refused either way; expired rows are pruned");
        return APP_ENOTFOUND;
    }
    a = arena_calloc(r->a, 1, sizeof(*a));
    if (a == NULL)
        return APP_ENOMEM;
    a->tenant_id = db_int(&res, 0, 0, 0);
    a->user_id = db_int(&res, 0, 1, 0);
    a->csrf = db_text(&res, 0, 2);
    state = db_cell(&res, 0, 3);
    a->mfa_state = str_eq_c(state, "pending")  ? MFA_PENDING
                   : str_eq_c(state, "enroll") ? MFA_ENROLL
                                               : MFA_DONE;
    a->login = db_text(&res, 0, 6);
    a->display_name = db_text(&res, 0, 7);
    a->role = role_from_name(db_cell(&res, 0, 8));
    a->lang = db_text(&res, 0, 9);
    a->mfa_enabled = db_int(&res, 0, 11, 0) != 0;
    a->tenant_slug = db_text(&res, 0, 12);
    a->tenant_name = db_text(&res, 0, 13);
    a->tenant_tz = db_text(&res, 0, 14);
    a->password_temporary = db_int(&res, 0, 15, 0) != 0;
    a->unread = db_int(&res, 0, 16, 0);
    a->rules_version_id = db_int(&res, 0, 17, 0);
    a->facts_top = (uint64_t)db_int(&res, 0, 19, 0);
    a->region = db_text(&res, 0, 18);
    snprintf(a->session_id, sizeof(a->session_id), "%s", id);
    auth_set(r, a);
    apply_lang(r, a->lang);
    if (idle > TOUCH_AFTER_S)
        app_ignore(
            db_exec(db, SQL_SESSION_TOUCH, DB_ARGS(DB_CSTR(id)), NULL, NULL),
            "a missed touch only shortens the idle time; db logs it");
    return APP_OK;
}

APP_MUST_USE static enum app_err
auth_bearer(struct req *r, const char *header)
{
    struct db_res res;
    char hash[SESSION_ID_HEX];
    struct auth *a;
    enum app_err rc;
    size_t n;

    if (strncmp(header, "Bearer ", 7) != 0) {
        r->cx.err_detail = "auth.bad_token";
        return APP_EUNAUTH;
    }
    header += 7;
    n = strlen(header);
    if (n != 4 + TOKEN_B64 || strncmp(header, "plt_", 4) != 0 ||
        !wire_b64url_token(header + 4, TOKEN_B64, TOKEN_B64)) {
        r->cx.err_detail = "auth.bad_token";
        return APP_EUNAUTH;
    }
    secret_sha256_hex(header, n, hash);
    rc = db_query(r->app->db, r->a, SQL_TOKEN_LOAD, DB_ARGS(DB_CSTR(hash)), 1,
                  &res);
    if (rc != APP_OK)
        return rc;
    if (res.nrows == 0) {
        r->cx.err_detail = "auth.bad_token";
        return APP_EUNAUTH;
    }
    a = arena_calloc(r->a, 1, sizeof(*a));
    if (a == NULL)
        return APP_ENOMEM;
    a->via_token = true;
    a->token_id = db_int(&res, 0, 0, 0);
    a->tenant_id = db_int(&res, 0, 1, 0);
    a->user_id = db_int(&res, 0, 2, 0);
    a->login = db_text(&res, 0, 4);
    a->display_name = db_text(&res, 0, 5);
    a->role = role_from_name(db_cell(&res, 0, 6));
    a->lang = db_text(&res, 0, 7);
    a->tenant_slug = db_text(&res, 0, 8);
    a->tenant_name = db_text(&res, 0, 9);
    a->tenant_tz = db_text(&res, 0, 10);
    a->rules_version_id = db_int(&res, 0, 11, 0);
    a->facts_top = (uint64_t)db_int(&res, 0, 13, 0);
    a->region = db_text(&res, 0, 12);
    a->mfa_state = MFA_DONE;
    auth_set(r, a);
    apply_lang(r, a->lang);
    if (db_int(&res, 0, 3, 0) == 1)
        app_ignore(db_exec(r->app->db, SQL_TOKEN_TOUCH,
                           DB_ARGS(DB_I64(a->token_id)), NULL, NULL),
                   "last-used time of a token is information only");
    return APP_OK;
}

enum app_err
auth_request(struct req *r, bool api)
{
    const struct str *c = http_cookie(r, http_cookie_name(r, COOKIE));
    const char *bearer = http_param(r, "HTTP_AUTHORIZATION");
    enum app_err rc;

    auth_set(r, NULL);
    if (api && bearer != NULL && bearer[0] != '\0')
        return auth_bearer(r, bearer);
    if (c == NULL)
        return APP_OK;
    if (!wire_b64url_token(c->p, c->len, TOKEN_B64)) {
        clear_cookie(r);
        return APP_OK;
    }
    {
        char id[SESSION_ID_HEX];

        secret_sha256_hex(c->p, c->len, id);
        rc = load_session(r, id);
    }
    if (rc == APP_ENOTFOUND) {
        clear_cookie(r);
        return APP_OK;
    }
    return rc;
}

static const char *
state_name(enum mfa_state s)
{
    return s == MFA_PENDING ? "pending" : s == MFA_ENROLL ? "enroll" : "done";
}

APP_MUST_USE static enum app_err
set_session_cookie(struct req *r, const char *token)
{
    struct cookie_opts o = { .max_age = 0, .http_only = true };

    return http_cookie_set(r, http_cookie_name(r, COOKIE), token, &o);
}

enum app_err
auth_session_start(struct req *r, int64_t tenant, int64_t user,
                   enum mfa_state state)
{
    char token[TOKEN_B64 + 1], csrf[TOKEN_B64 + 1], id[SESSION_ID_HEX];
    const char *ua = http_param(r, "HTTP_USER_AGENT");
    char agent[256];
    enum app_err rc;

    /* Never keep a session the client came with: a fixed token planted
     * before sign-in must not become an authenticated one. */
    if (r->auth != NULL && !r->auth->via_token) {
        rc = db_exec(r->app->db, SQL_SESSION_DEL,
                     DB_ARGS(DB_CSTR(r->auth->session_id)), NULL, NULL);
        if (rc != APP_OK)
            return rc;
    }
    auth_set(r, NULL);
    secret_random_b64(token, sizeof(token));
    secret_random_b64(csrf, sizeof(csrf));
    secret_sha256_hex(token, strlen(token), id);
    snprintf(agent, sizeof(agent), "%s", ua != NULL ? ua : "");
    if (!utf8_valid(agent, strlen(agent)))
        agent[0] = '\0';
    rc = db_exec(r->app->db, SQL_SESSION_ADD,
                 DB_ARGS(DB_CSTR(id), DB_I64(tenant), DB_I64(user),
                         DB_CSTR(csrf), DB_CSTR(state_name(state)),
                         DB_CSTR(http_param(r, "REMOTE_ADDR") != NULL
                                     ? http_param(r, "REMOTE_ADDR")
                                     : ""),
                         DB_CSTR(agent)),
                 NULL, NULL);
    if (rc != APP_OK)
        return rc;
    rc = set_session_cookie(r, token);
    if (rc == APP_OK)
        rc = load_session(r, id);
    if (rc == APP_OK)
        r->csrf = r->auth->csrf;
    sodium_memzero(token, sizeof(token));
    return rc;
}

enum app_err
auth_session_promote(struct req *r)
{
    char token[TOKEN_B64 + 1], csrf[TOKEN_B64 + 1], id[SESSION_ID_HEX];
    char old[SESSION_ID_HEX];
    uint64_t n = 0;
    enum app_err rc;

    if (r->auth == NULL || r->auth->via_token)
        return APP_EUNAUTH;
    snprintf(old, sizeof(old), "%s", r->auth->session_id);
    secret_random_b64(token, sizeof(token));
    secret_random_b64(csrf, sizeof(csrf));
    secret_sha256_hex(token, strlen(token), id);
    rc = db_exec(r->app->db, SQL_SESSION_PROMOTE,
                 DB_ARGS(DB_CSTR(id), DB_CSTR(csrf), DB_CSTR(old)), &n, NULL);
    if (rc != APP_OK)
        return rc;
    if (n != 1)
        return APP_EUNAUTH;
    rc = set_session_cookie(r, token);
    sodium_memzero(token, sizeof(token));
    if (rc != APP_OK)
        return rc;
    auth_set(r, NULL);
    rc = load_session(r, id);
    if (rc == APP_OK)
        r->csrf = r->auth->csrf;
    return rc;
}

enum app_err
auth_session_end(struct req *r)
{
    enum app_err rc = APP_OK;

    if (r->auth != NULL && !r->auth->via_token)
        rc = db_exec(r->app->db, SQL_SESSION_DEL,
                     DB_ARGS(DB_CSTR(r->auth->session_id)), NULL, NULL);
    clear_cookie(r);
    auth_set(r, NULL);
    r->csrf = NULL;
    return rc;
}
