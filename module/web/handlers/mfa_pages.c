/*
 * mfa_pages.c -- the second factor's pages: the sign-in step, enrolment
 * (QR code and secret shown once), recovery codes, turning it off.  What
 * they change is done by the MFA service (identity/mfa.h).
 */
#include "web/handlers/mfa_pages.h"

#include <stdio.h>
#include <string.h>

#include "base/qr.h"
#include "base/validate.h"
#include "identity/mfa.h"
#include "identity/role.h"
#include "web/auth.h"
#include "web/throttle.h"
#include "web/view.h"

/* The throttle key of the acting user's code attempts. */
static void
mfa_key(struct req *r, char *key)
{
    char who[64];

    snprintf(who, sizeof(who), "mfa:%lld:%lld", (long long)r->auth->tenant_id,
             (long long)r->auth->user_id);
    throttle_account_key(STR_LIT("mfa"), str_c(who), key);
}

/* --- the sign-in step ------------------------------------------------- */

APP_MUST_USE static enum app_err
verify_page(struct req *r, int status, const char *error, struct str next)
{
    cJSON *m = view_new(r);

    if (m == NULL)
        return APP_ENOMEM;
    if ((error != NULL && !view_add_str(m, "error", http_t(r, error))) ||
        (next.len > 0 && !view_add_str(m, "next", arena_str(r->a, next).p)))
        return APP_ENOMEM;
    return view_page(r, status, "pages/login_mfa", m);
}

APP_MUST_USE static enum app_err
step_redirect(struct req *r)
{
    if (r->auth == NULL)
        return http_redirect(r, "/login");
    if (r->auth->mfa_state == MFA_ENROLL)
        return http_redirect(r, "/account/mfa");
    return http_redirect(r, "/");
}

enum app_err
mfa_verify_form(struct req *r)
{
    static const struct field_spec spec[] = {
        { "next", V_LOCAL_PATH, false, 0, 2048, NULL },
    };
    struct field_val v[1];

    if (r->auth == NULL || r->auth->mfa_state != MFA_PENDING)
        return step_redirect(r);
    app_ignore(
        validate_fields(&r->cx.err_detail, &r->query_args, spec, 1, v, NULL),
        "a bad `next` is dropped (v[0].present), not refused");
    r->cx.err_detail = NULL;
    return verify_page(r, 200, NULL, v[0].present ? v[0].s : STR_NULL);
}

enum app_err
mfa_verify_submit(struct req *r)
{
    static const struct field_spec spec[] = {
        { "code", V_LINE, false, 0, 32, NULL },
        { "recovery", V_LINE, false, 0, 32, NULL },
        { "next", V_LOCAL_PATH, false, 0, 2048, NULL },
    };
    struct field_val v[3];
    char key[SESSION_ID_HEX];
    long wait = 0;
    bool locked = false, ok = false;
    enum app_err rc;
    struct str next;

    if (r->auth == NULL || r->auth->mfa_state != MFA_PENDING)
        return step_redirect(r);
    app_ignore(validate_fields(&r->cx.err_detail, &r->form, spec, 3, v, NULL),
               "each field is checked below by its presence; a bad one is "
               "a wrong code, counted by the throttle");
    r->cx.err_detail = NULL;
    next = v[2].present ? v[2].s : STR_NULL;
    mfa_key(r, key);
    rc = throttle_check(r, key, &wait, &locked);
    if (rc != APP_OK)
        return rc;
    if (wait > 0)
        return verify_page(r, 429, "login.throttled", next);
    rc = mfa_check(&r->cx, v[0].present ? v[0].s : STR_NULL,
                   v[1].present ? v[1].s : STR_NULL, &ok);
    if (rc == APP_OK)
        rc = throttle_record(r, key, ok);
    if (rc != APP_OK)
        return rc;
    if (!ok)
        return verify_page(r, 422, "mfa.wrong_code", next);
    rc = auth_session_promote(r);
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, next.len > 0 ? arena_str(r->a, next).p : "/");
}

/* --- enrolment and management ----------------------------------------- */

/* The setup page, showing the pending secret made by mfa_start().  The
 * secret is kept (sealed) until the user confirms it, so reloading the page
 * or mistyping a code never invalidates what the authenticator app has
 * already scanned.  Without a pending secret the page offers to start. */
APP_MUST_USE static enum app_err
setup_page(struct req *r, int status, const char *error)
{
    char b32[128];
    struct buf uri, svg;
    const char *account;
    cJSON *m;
    enum app_err rc;

    buf_init(&uri, r->a, 2048);
    /* The account as the authenticator app lists it: company/login. */
    account = arena_printf(r->a, "%s/%s", r->auth->tenant_slug, r->auth->login);
    if (account == NULL)
        return APP_ENOMEM;
    rc = mfa_enrol_uri(&r->cx, account, &uri, b32, sizeof(b32));
    if (rc == APP_ENOTFOUND) {
        m = view_new(r);
        if (m == NULL || cJSON_AddBoolToObject(m, "start", true) == NULL ||
            cJSON_AddBoolToObject(m, "forced",
                                  r->auth->mfa_state == MFA_ENROLL) == NULL)
            return APP_ENOMEM;
        return view_page(r, status, "pages/account_mfa", m);
    }
    buf_init(&svg, r->a, 256 * 1024);
    if (rc == APP_OK)
        rc = qr_svg(uri.p, http_t(r, "mfa.qr_label"), &svg);
    if (rc != APP_OK)
        return rc;
    m = view_new(r);
    if (m == NULL || !view_add_str(m, "qr_svg", svg.p) ||
        !view_add_str(m, "secret", b32) || !view_add_str(m, "uri", uri.p) ||
        (error != NULL && !view_add_str(m, "error", http_t(r, error))) ||
        cJSON_AddBoolToObject(m, "forced", r->auth->mfa_state == MFA_ENROLL) ==
            NULL)
        return APP_ENOMEM;
    return view_page(r, status, "pages/account_mfa", m);
}

/* POST: make a new pending secret (replacing an unconfirmed one), then
 * show it.  A GET never writes. */
enum app_err
mfa_start(struct req *r)
{
    enum app_err rc;

    if (r->auth->mfa_state == MFA_PENDING)
        return http_redirect(r, "/login/mfa");
    rc = mfa_enrol_start(&r->cx);
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, "/account/mfa");
}

enum app_err
mfa_setup(struct req *r)
{
    struct mfa_status st;
    enum app_err rc;
    cJSON *m;

    if (r->auth->mfa_state == MFA_PENDING)
        return http_redirect(r, "/login/mfa");
    rc = mfa_status(&r->cx, &st);
    if (rc != APP_OK)
        return rc;
    if (!st.enabled)
        return setup_page(r, 200, NULL);
    m = view_new(r);
    if (m == NULL || cJSON_AddBoolToObject(m, "enabled", true) == NULL ||
        cJSON_AddNumberToObject(m, "codes_left", (double)st.codes_left) ==
            NULL ||
        cJSON_AddBoolToObject(m, "can_disable",
                              !role_requires_mfa(r->auth->role)) == NULL)
        return APP_ENOMEM;
    return view_page(r, 200, "pages/account_mfa", m);
}

APP_MUST_USE static enum app_err
codes_page(struct req *r, cJSON *codes)
{
    cJSON *m = view_new(r);

    if (m == NULL) {
        cJSON_Delete(codes);
        return APP_ENOMEM;
    }
    cJSON_AddItemToObject(m, "codes", codes);
    return view_page(r, 200, "pages/account_mfa_codes", m);
}

/* The code of a confirming form ("" when missing or malformed: a wrong
 * code like any other). */
static struct str
form_code(struct req *r)
{
    static const struct field_spec spec[] = {
        { "code", V_LINE, true, 1, 32, NULL },
    };
    struct field_val v[1];
    bool good = validate_fields(&r->cx.err_detail, &r->form, spec, 1, v,
                                NULL) == APP_OK;

    r->cx.err_detail = NULL;
    return good ? v[0].s : STR_NULL;
}

enum app_err
mfa_enable(struct req *r)
{
    bool ok = false;
    cJSON *codes;
    enum app_err rc;

    if (r->auth->mfa_state == MFA_PENDING)
        return http_redirect(r, "/login/mfa");
    codes = cJSON_CreateArray();
    if (codes == NULL)
        return APP_ENOMEM;
    rc = mfa_enrol_confirm(&r->cx, form_code(r), codes, &ok);
    if (rc == APP_OK && ok && r->auth->mfa_state == MFA_ENROLL)
        rc = auth_session_promote(r);
    if (rc != APP_OK || !ok) {
        cJSON_Delete(codes);
        if (rc == APP_ECONFLICT)
            return http_redirect(r, "/account/mfa");
        return rc != APP_OK ? rc : setup_page(r, 422, "mfa.wrong_code");
    }
    return codes_page(r, codes);
}

enum app_err
mfa_regenerate(struct req *r)
{
    bool ok = false;
    cJSON *codes = cJSON_CreateArray();
    enum app_err rc;

    if (codes == NULL)
        return APP_ENOMEM;
    rc = mfa_codes_renew(&r->cx, form_code(r), codes, &ok);
    if (rc != APP_OK || !ok) {
        cJSON_Delete(codes);
        if (rc == APP_ECONFLICT)
            return http_redirect(r, "/account/mfa");
        if (rc == APP_OK) {
            r->cx.err_detail = "mfa.wrong_code";
            rc = APP_EVALIDATION;
        }
        return rc;
    }
    return codes_page(r, codes);
}

enum app_err
mfa_disable(struct req *r)
{
    static const struct field_spec spec[] = {
        { "password", V_SECRET, true, 1, 1024, NULL },
    };
    struct field_val v[1];
    enum app_err rc;

    if (role_requires_mfa(r->auth->role)) {
        r->cx.err_detail = "mfa.required_for_role";
        return APP_EFORBIDDEN;
    }
    if (validate_fields(&r->cx.err_detail, &r->form, spec, 1, v, NULL) !=
        APP_OK)
        return APP_EVALIDATION;
    rc = mfa_turn_off(&r->cx, v[0].s);
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, "/account");
}
