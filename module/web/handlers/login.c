/*
 * login.c -- signing in (password, then the second factor) and out.
 *
 * Every failure gets the same answer, whatever failed (unknown company,
 * unknown login, wrong password, deactivated user), and takes the same
 * time: the password hash is checked even when there is no account.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/app.h"
#include "db/audit.h"
#include "web/auth.h"
#include "db/db.h"
#include "identity/user_admin.h"
#include "web/handlers/login.h"
#include "base/log.h"
#include "identity/mfa.h"
#include "identity/password.h"
#include "http/router.h"
#include "identity/tenants.h"
#include "web/throttle.h"
#include "identity/users.h"
#include "base/validate.h"
#include "web/view.h"
#include "base/wire.h"

/* The tenant the host names when tenant_host_suffix is set: "acme" for
 * acme.sales.example.com (any port).  STR_NULL when off or when the host
 * is not one label in front of the suffix; the form then asks for the
 * company code as usual. */
static struct str
host_tenant(struct req *r)
{
    const char *suffix = r->app->conf.tenant_host_suffix;
    size_t sn = strlen(suffix), n = r->host.len, i;
    const char *h = r->host.p;
    char *slug;

    if (sn == 0 || h == NULL)
        return STR_NULL;
    for (i = n; i > 0; i--) {
        if (h[i - 1] == ':') {
            n = i - 1;
            break;
        }
        if (h[i - 1] < '0' || h[i - 1] > '9')
            break;
    }
    if (n < sn + 2 || n - sn > 64 || strncasecmp(h + n - sn, suffix, sn) != 0)
        return STR_NULL;
    slug = arena_strndup(r->a, h, n - sn);
    if (slug == NULL)
        return STR_NULL;
    for (i = 0; i < n - sn; i++) {
        char c = (char)tolower((unsigned char)slug[i]);

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return STR_NULL;
        slug[i] = c;
    }
    return (struct str){ slug, n - sn };
}

APP_MUST_USE static enum app_err
login_page(struct req *r, int status, const char *error, struct str tenant,
           struct str login, struct str next)
{
    cJSON *m = view_new(r);
    struct str host = host_tenant(r);

    if (m == NULL)
        return APP_ENOMEM;
    if (host.len > 0) {
        if (!view_add_str(m, "host_tenant", host.p))
            return APP_ENOMEM;
        tenant = STR_NULL;
    }
    if ((error != NULL && !view_add_str(m, "error", http_t(r, error))) ||
        (tenant.len > 0 &&
         !view_add_str(m, "tenant", arena_str(r->a, tenant).p)) ||
        (login.len > 0 &&
         !view_add_str(m, "login", arena_str(r->a, login).p)) ||
        (next.len > 0 && !view_add_str(m, "next", arena_str(r->a, next).p)))
        return APP_ENOMEM;
    return view_page(r, status, "pages/login", m);
}

enum app_err
login_form(struct req *r)
{
    static const struct field_spec spec[] = {
        { "next", V_LOCAL_PATH, false, 0, 2048, NULL },
        { "tenant", V_SLUG, false, 1, 64, NULL },
    };
    struct field_val v[2];

    if (r->auth != NULL)
        return http_redirect(r, "/");
    /* A bad `next` is dropped rather than refused: the form still works
     * and sends the user home. */
    app_ignore(
        validate_fields(&r->cx.err_detail, &r->query_args, spec, 2, v, NULL),
        "invalid values are left out (v[i].present) and not shown");
    r->cx.err_detail = NULL;
    return login_page(r, 200, NULL, v[1].present ? v[1].s : STR_NULL, STR_NULL,
                      v[0].present ? v[0].s : STR_NULL);
}

APP_MUST_USE static enum app_err
audit_login(struct req *r, int64_t tenant, int64_t user, const char *event,
            struct str login, const char *reason)
{
    cJSON *d = cJSON_CreateObject();
    enum app_err rc;

    if (d == NULL)
        return APP_ENOMEM;
    cJSON_AddStringToObject(d, "login", arena_str(r->a, login).p);
    if (reason != NULL)
        cJSON_AddStringToObject(d, "reason", reason);
    rc = audit_write(&r->cx, tenant, user, user, event, d);
    cJSON_Delete(d);
    return rc;
}

/* The answer to a throttled attempt: audited, Retry-After, the form
 * again with the wait. */
APP_MUST_USE static enum app_err
throttled(struct req *r, int64_t tenant, long wait, bool locked,
          bool host_tenant, struct str slug, struct str login)
{
    char secs[32];
    cJSON *m;
    enum app_err rc = audit_login(
        r, tenant, 0, locked ? "login.locked" : "login.throttled", login, NULL);

    log_warn("login.throttled", "wait_s=%ld locked=%d", wait, locked);
    snprintf(secs, sizeof(secs), "%ld", wait);
    if (rc == APP_OK)
        rc = http_header(r, "Retry-After", secs);
    if (rc != APP_OK)
        return rc;
    m = view_new(r);
    if (m == NULL)
        return APP_ENOMEM;
    view_add_str(m, "error", http_t(r, "login.throttled"));
    view_add_str(m, host_tenant ? "host_tenant" : "tenant",
                 arena_str(r->a, slug).p);
    view_add_str(m, "login", arena_str(r->a, login).p);
    cJSON_AddNumberToObject(m, "wait", (double)wait);
    return view_page(r, 429, "pages/login", m);
}

/* The password was right: refresh an old hash, start the session and
 * send the user on (to the second factor when it is due). */
APP_MUST_USE static enum app_err
signed_in(struct req *r, int64_t tenant, const struct user *u, const char *hash,
          struct str password, struct str login, struct str next)
{
    char fresh[PASSWORD_HASH_MAX];
    bool rehash =
        password_needs_rehash(hash) && password_hash(password, fresh) == APP_OK;
    enum mfa_state state;
    enum app_err rc;

    users_signed_in(r->app->db, tenant, u->id, rehash ? fresh : NULL);
    state = u->mfa_enabled               ? MFA_PENDING
            : role_requires_mfa(u->role) ? MFA_ENROLL
                                         : MFA_DONE;
    rc = audit_login(r, tenant, u->id, "login.ok", login,
                     state == MFA_DONE ? NULL : "mfa_due");
    if (rc == APP_OK)
        rc = auth_session_start(r, tenant, u->id, state);
    if (rc != APP_OK)
        return rc;
    if (state == MFA_PENDING) {
        struct buf b;

        buf_init(&b, r->a, 4096);
        rc = buf_puts(&b, "/login/mfa");
        if (rc == APP_OK && next.len > 0)
            rc = buf_puts(&b, "?next=");
        if (rc == APP_OK && next.len > 0)
            rc = wire_pct_encode(&b, next.p, next.len);
        if (rc != APP_OK)
            return rc;
        return http_redirect(r, b.p);
    }
    if (state == MFA_ENROLL)
        return http_redirect(r, "/account/mfa");
    return http_redirect(r, next.len > 0 ? arena_str(r->a, next).p : "/");
}

enum app_err
login_submit(struct req *r)
{
    static const struct field_spec spec[] = {
        { "tenant", V_SLUG, true, 1, 64, NULL },
        { "login", V_LINE, true, 1, 64, NULL },
        { "password", V_SECRET, true, 1, 1024, NULL },
        { "next", V_LOCAL_PATH, false, 0, 2048, NULL },
    };
    /* With the tenant named by the host, a tenant field is ignored. */
    static const struct field_spec host_spec[] = {
        { "tenant", V_LINE, false, 0, 64, NULL },
        { "login", V_LINE, true, 1, 64, NULL },
        { "password", V_SECRET, true, 1, 1024, NULL },
        { "next", V_LOCAL_PATH, false, 0, 2048, NULL },
    };
    struct str host = host_tenant(r);
    struct field_val v[4];
    char key[SESSION_ID_HEX];
    const char *hash = NULL;
    struct user u;
    int64_t tenant = 0;
    long wait = 0;
    bool locked = false, ok;
    enum app_err rc, vrc;
    struct str next;

    memset(&u, 0, sizeof(u));
    vrc = validate_fields(&r->cx.err_detail, &r->form,
                          host.len > 0 ? host_spec : spec, 4, v, NULL);
    if (host.len > 0) {
        v[0].s = host;
        v[0].present = true;
    }
    if (vrc != APP_OK) {
        r->cx.err_detail = NULL;
        return login_page(
            r, 422, "login.incomplete", v[0].present ? v[0].s : STR_NULL,
            v[1].present ? v[1].s : STR_NULL, v[3].present ? v[3].s : STR_NULL);
    }
    next = v[3].present ? v[3].s : STR_NULL;
    /* Resolve the company and the account first: every spelling the
     * database takes for this account shares its one budget. */
    rc = tenants_find(r->app->db, r->a, v[0].s, &tenant);
    if (rc != APP_OK)
        return rc;
    if (tenant > 0) {
        rc = users_find_login(r->app->db, r->a, tenant, v[1].s, &u, &hash);
        if (rc != APP_OK && rc != APP_ENOTFOUND)
            return rc;
    }
    rc = throttle_login_key(r, tenant, v[0].s, u.id, v[1].s, key);
    if (rc == APP_OK)
        rc = throttle_check(r, key, &wait, &locked);
    if (rc != APP_OK)
        return rc;
    if (wait > 0)
        return throttled(r, tenant, wait, locked, host.len > 0, v[0].s, v[1].s);
    /* Always a full hash check, account or not. */
    vrc = password_verify(hash, v[2].s);
    if (vrc == APP_ETHROTTLED)
        return APP_ETHROTTLED;
    ok = vrc == APP_OK && u.id > 0 && u.active;
    rc = throttle_record(r, key, ok);
    if (rc != APP_OK)
        return rc;
    if (!ok) {
        rc = audit_login(r, tenant, u.id, "login.fail", v[1].s,
                         tenant == 0                  ? "tenant"
                         : u.id == 0                  ? "login"
                         : !u.active && vrc == APP_OK ? "inactive"
                                                      : "password");
        if (rc != APP_OK)
            return rc;
        return login_page(r, 422, "login.failed", v[0].s, v[1].s, next);
    }
    return signed_in(r, tenant, &u, hash, v[2].s, v[1].s, next);
}

enum app_err
logout_submit(struct req *r)
{
    enum app_err rc;

    if (r->auth != NULL) {
        rc = audit_write(&r->cx, r->auth->tenant_id, r->auth->user_id,
                         r->auth->user_id, "logout", NULL);
        if (rc != APP_OK)
            return rc;
    }
    rc = auth_session_end(r);
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, "/login");
}
