/*
 * mfa.c -- TOTP second factor: the sign-in step, enrolment (QR code and
 * secret shown once), recovery codes, turning it off.
 *
 * The TOTP secret is stored sealed under secret_key; a code is accepted
 * once (the matched time step is stored) within one step of clock drift.
 * Recovery codes are ten random single-use codes stored as SHA-256.
 */
#include "identity/mfa.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "server/app.h"
#include "db/db.h"
#include "db/audit.h"
#include "web/auth.h"
#include "web/handlers.h"
#include "base/log.h"
#include "identity/password.h"
#include "base/qr.h"
#include "http/router.h"
#include "identity/seal.h"
#include "web/throttle.h"
#include "identity/totp.h"
#include "identity/users.h"
#include "base/validate.h"
#include "web/view.h"
#include "base/wire.h"

static const char SQL_MFA_GET[] =
    "SELECT COALESCE(mfa_secret, ''), mfa_enabled, mfa_last_step, "
    "password_hash FROM users WHERE tenant_id = ? AND id = ?";
static const char SQL_MFA_SET_SECRET[] =
    "UPDATE users SET mfa_secret = ?, mfa_enabled = 0 WHERE tenant_id = ? "
    "AND id = ? AND mfa_enabled = 0";
/* mfa_last_step keeps the step check_totp() just stored: the code used
 * to enable cannot be replayed to sign in. */
static const char SQL_MFA_ENABLE[] =
    "UPDATE users SET mfa_enabled = 1 WHERE tenant_id = ? AND id = ?";
static const char SQL_MFA_STEP[] =
    "UPDATE users SET mfa_last_step = ? WHERE tenant_id = ? AND id = ? "
    "AND mfa_last_step < ?";
static const char SQL_MFA_CLEAR[] =
    "UPDATE users SET mfa_secret = NULL, mfa_enabled = 0, mfa_last_step = 0 "
    "WHERE tenant_id = ? AND id = ?";
static const char SQL_CODES_DEL[] =
    "DELETE FROM mfa_recovery_codes WHERE tenant_id = ? AND user_id = ?";
static const char SQL_CODE_ADD[] =
    "INSERT INTO mfa_recovery_codes (tenant_id, user_id, code_hash) "
    "VALUES (?, ?, ?)";
static const char SQL_CODE_USE[] =
    "UPDATE mfa_recovery_codes SET used_at = UTC_TIMESTAMP(3) "
    "WHERE tenant_id = ? AND user_id = ? AND code_hash = ? "
    "AND used_at IS NULL";
static const char SQL_CODES_LEFT[] =
    "SELECT COUNT(*) FROM mfa_recovery_codes WHERE tenant_id = ? AND "
    "user_id = ? AND used_at IS NULL";

enum app_err
mfa_clear(struct db *db, int64_t tenant, int64_t user)
{
    enum app_err rc = db_exec(
        db, SQL_MFA_CLEAR, DB_ARGS(DB_I64(tenant), DB_I64(user)), NULL, NULL);

    if (rc == APP_OK)
        rc = db_exec(db, SQL_CODES_DEL, DB_ARGS(DB_I64(tenant), DB_I64(user)),
                     NULL, NULL);
    return rc;
}

struct mfa_row {
    const char *sealed;
    bool enabled;
    uint64_t last_step;
    const char *password_hash;
};

APP_MUST_USE static enum app_err
load(struct req *r, struct mfa_row *m)
{
    struct db_res res;
    enum app_err rc = db_query(
        r->app->db, r->a, SQL_MFA_GET,
        DB_ARGS(DB_I64(r->auth->tenant_id), DB_I64(r->auth->user_id)), 1, &res);

    if (rc != APP_OK)
        return rc;
    if (res.nrows == 0)
        return APP_ENOTFOUND;
    m->sealed = db_text(&res, 0, 0);
    m->enabled = db_int(&res, 0, 1, 0) != 0;
    m->last_step = (uint64_t)db_int(&res, 0, 2, 0);
    m->password_hash = db_text(&res, 0, 3);
    return APP_OK;
}

/* Digits only, spaces removed: "123 456" -> "123456". */
static size_t
clean_code(struct str in, char *out, size_t cap)
{
    size_t i, n = 0;

    for (i = 0; i < in.len && n + 1 < cap; i++) {
        char c = in.p[i];

        if (c == ' ' || c == '-')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        out[n++] = c;
    }
    out[n] = '\0';
    return n;
}

/* Check a TOTP code against the sealed secret; on success store the step
 * (atomically: a concurrent replay of the same code loses). */
APP_MUST_USE static enum app_err
check_totp(struct req *r, const struct mfa_row *m, struct str code, bool *ok)
{
    uint8_t secret[SEAL_MAX_PLAIN];
    size_t n = 0;
    char digits[16];
    size_t dn = clean_code(code, digits, sizeof(digits));
    uint64_t step = m->last_step;
    uint64_t changed = 0;
    enum app_err rc;

    *ok = false;
    if (m->sealed[0] == '\0')
        return APP_OK;
    rc = unseal(&r->app->conf, m->sealed, secret, sizeof(secret), &n);
    if (rc != APP_OK) {
        log_error("mfa.unseal", "user=%lld", (long long)r->auth->user_id);
        return APP_EINTERNAL;
    }
    if (totp_verify(secret, n, digits, dn, (int64_t)time(NULL), &step)) {
        rc = db_exec(r->app->db, SQL_MFA_STEP,
                     DB_ARGS(DB_I64((int64_t)step), DB_I64(r->auth->tenant_id),
                             DB_I64(r->auth->user_id), DB_I64((int64_t)step)),
                     &changed, NULL);
        *ok = rc == APP_OK && changed == 1;
    }
    sodium_memzero(secret, sizeof(secret));
    return rc;
}

APP_MUST_USE static enum app_err
check_recovery(struct req *r, struct str code, bool *ok)
{
    char clean[64], hash[SESSION_ID_HEX];
    uint64_t changed = 0;
    size_t n = clean_code(code, clean, sizeof(clean));
    enum app_err rc;

    *ok = false;
    if (n != 10)
        return APP_OK;
    auth_sha256_hex(clean, n, hash);
    rc = db_exec(r->app->db, SQL_CODE_USE,
                 DB_ARGS(DB_I64(r->auth->tenant_id), DB_I64(r->auth->user_id),
                         DB_CSTR(hash)),
                 &changed, NULL);
    *ok = rc == APP_OK && changed == 1;
    return rc;
}

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
    app_ignore(validate_fields(r, &r->query_args, spec, 1, v, NULL),
               "a bad `next` is dropped (v[0].present), not refused");
    r->err_detail = NULL;
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
    struct mfa_row row;
    char key[SESSION_ID_HEX];
    long wait = 0;
    bool locked = false, ok = false, used_recovery = false;
    enum app_err rc;
    struct str next;

    if (r->auth == NULL || r->auth->mfa_state != MFA_PENDING)
        return step_redirect(r);
    app_ignore(validate_fields(r, &r->form, spec, 3, v, NULL),
               "each field is checked below by its presence; a bad one is "
               "a wrong code, counted by the throttle");
    r->err_detail = NULL;
    next = v[2].present ? v[2].s : STR_NULL;
    mfa_key(r, key);
    rc = throttle_check(r, key, &wait, &locked);
    if (rc != APP_OK)
        return rc;
    if (wait > 0)
        return verify_page(r, 429, "login.throttled", next);
    rc = load(r, &row);
    if (rc != APP_OK)
        return rc;
    if (v[0].present)
        rc = check_totp(r, &row, v[0].s, &ok);
    if (rc == APP_OK && !ok && v[1].present) {
        rc = check_recovery(r, v[1].s, &ok);
        used_recovery = ok;
    }
    if (rc != APP_OK)
        return rc;
    rc = throttle_record(r, key, ok);
    if (rc != APP_OK)
        return rc;
    rc = audit_write(r, r->auth->tenant_id, r->auth->user_id, r->auth->user_id,
                     !ok             ? "mfa.fail"
                     : used_recovery ? "mfa.recovery_used"
                                     : "mfa.ok",
                     NULL);
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

APP_MUST_USE static enum app_err
add_recovery_codes(struct req *r, cJSON *list)
{
    static const char alphabet[] = "23456789abcdefghjkmnpqrstuvwxyz";
    int i, k;
    enum app_err rc =
        db_exec(r->app->db, SQL_CODES_DEL,
                DB_ARGS(DB_I64(r->auth->tenant_id), DB_I64(r->auth->user_id)),
                NULL, NULL);

    for (i = 0; rc == APP_OK && i < MFA_RECOVERY_CODES; i++) {
        char code[11], shown[12], hash[SESSION_ID_HEX];

        for (k = 0; k < 10; k++)
            code[k] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
        code[10] = '\0';
        snprintf(shown, sizeof(shown), "%.5s-%.5s", code, code + 5);
        auth_sha256_hex(code, 10, hash);
        rc = db_exec(r->app->db, SQL_CODE_ADD,
                     DB_ARGS(DB_I64(r->auth->tenant_id),
                             DB_I64(r->auth->user_id), DB_CSTR(hash)),
                     NULL, NULL);
        if (rc == APP_OK &&
            cJSON_AddItemToArray(list, cJSON_CreateString(shown)) == 0)
            rc = APP_ENOMEM;
    }
    return rc;
}

APP_MUST_USE static enum app_err
codes_left(struct req *r, long *n)
{
    struct db_res res;
    enum app_err rc = db_query(
        r->app->db, r->a, SQL_CODES_LEFT,
        DB_ARGS(DB_I64(r->auth->tenant_id), DB_I64(r->auth->user_id)), 1, &res);

    if (rc == APP_OK)
        *n = (long)db_int(&res, 0, 0, 0);
    return rc;
}

/* The setup page, showing the pending secret made by mfa_start().  The
 * secret is kept (sealed) until the user confirms it, so reloading the page
 * or mistyping a code never invalidates what the authenticator app has
 * already scanned.  Without a pending secret the page offers to start. */
APP_MUST_USE static enum app_err
setup_page(struct req *r, int status, const char *error)
{
    uint8_t secret[SEAL_MAX_PLAIN];
    size_t slen = 0;
    char b32[128];
    struct buf uri, svg;
    struct mfa_row row;
    cJSON *m;
    enum app_err rc;

    if (r->app->conf.secret_key[0] == '\0') {
        r->err_detail = "mfa.no_secret_key";
        return APP_EINTERNAL;
    }
    rc = load(r, &row);
    if (rc != APP_OK)
        return rc;
    if (row.sealed[0] == '\0' ||
        unseal(&r->app->conf, row.sealed, secret, sizeof(secret), &slen) !=
            APP_OK ||
        slen != TOTP_SECRET_BYTES) {
        m = view_new(r);
        if (m == NULL || cJSON_AddBoolToObject(m, "start", true) == NULL ||
            cJSON_AddBoolToObject(m, "forced",
                                  r->auth->mfa_state == MFA_ENROLL) == NULL)
            return APP_ENOMEM;
        return view_page(r, status, "pages/account_mfa", m);
    }
    base32_encode(secret, slen, b32);
    sodium_memzero(secret, sizeof(secret));
    /* otpauth://totp/ISSUER:company%2Flogin?secret=...&issuer=ISSUER */
    buf_init(&uri, r->a, 2048);
    rc = buf_puts(&uri, "otpauth://totp/");
    if (rc == APP_OK)
        rc = wire_pct_encode(&uri, r->app->conf.mfa_issuer,
                             strlen(r->app->conf.mfa_issuer));
    if (rc == APP_OK)
        rc = buf_puts(&uri, ":");
    if (rc == APP_OK)
        rc = wire_pct_encode(&uri, r->auth->tenant_slug,
                             strlen(r->auth->tenant_slug));
    if (rc == APP_OK)
        rc = buf_puts(&uri, "%2F");
    if (rc == APP_OK)
        rc = wire_pct_encode(&uri, r->auth->login, strlen(r->auth->login));
    if (rc == APP_OK)
        rc = buf_printf(&uri, "?secret=%s&issuer=", b32);
    if (rc == APP_OK)
        rc = wire_pct_encode(&uri, r->app->conf.mfa_issuer,
                             strlen(r->app->conf.mfa_issuer));
    if (rc == APP_OK)
        rc = buf_puts(&uri, "&algorithm=SHA1&digits=6&period=30");
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
    uint8_t secret[TOTP_SECRET_BYTES];
    char sealed[SEAL_HEX_MAX];
    struct mfa_row row;
    enum app_err rc;

    if (r->auth->mfa_state == MFA_PENDING)
        return http_redirect(r, "/login/mfa");
    if (r->app->conf.secret_key[0] == '\0') {
        r->err_detail = "mfa.no_secret_key";
        return APP_EINTERNAL;
    }
    rc = load(r, &row);
    if (rc != APP_OK)
        return rc;
    if (row.enabled)
        return http_redirect(r, "/account/mfa");
    randombytes_buf(secret, sizeof(secret));
    rc = seal(&r->app->conf, secret, sizeof(secret), sealed);
    sodium_memzero(secret, sizeof(secret));
    if (rc == APP_OK)
        rc = db_exec(r->app->db, SQL_MFA_SET_SECRET,
                     DB_ARGS(DB_CSTR(sealed), DB_I64(r->auth->tenant_id),
                             DB_I64(r->auth->user_id)),
                     NULL, NULL);
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, "/account/mfa");
}

enum app_err
mfa_setup(struct req *r)
{
    struct mfa_row row;
    enum app_err rc;
    cJSON *m;
    long left = 0;

    if (r->auth->mfa_state == MFA_PENDING)
        return http_redirect(r, "/login/mfa");
    rc = load(r, &row);
    if (rc != APP_OK)
        return rc;
    if (!row.enabled)
        return setup_page(r, 200, NULL);
    rc = codes_left(r, &left);
    if (rc != APP_OK)
        return rc;
    m = view_new(r);
    if (m == NULL || cJSON_AddBoolToObject(m, "enabled", true) == NULL ||
        cJSON_AddNumberToObject(m, "codes_left", (double)left) == NULL ||
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

enum app_err
mfa_enable(struct req *r)
{
    static const struct field_spec spec[] = {
        { "code", V_LINE, true, 1, 32, NULL },
    };
    struct field_val v[1];
    struct mfa_row row;
    bool ok = false;
    cJSON *codes;
    enum app_err rc;

    if (r->auth->mfa_state == MFA_PENDING)
        return http_redirect(r, "/login/mfa");
    rc = load(r, &row);
    if (rc != APP_OK)
        return rc;
    if (row.enabled)
        return http_redirect(r, "/account/mfa");
    if (validate_fields(r, &r->form, spec, 1, v, NULL) == APP_OK)
        rc = check_totp(r, &row, v[0].s, &ok);
    r->err_detail = NULL;
    if (rc != APP_OK)
        return rc;
    if (!ok)
        return setup_page(r, 422, "mfa.wrong_code");
    codes = cJSON_CreateArray();
    if (codes == NULL)
        return APP_ENOMEM;
    rc = db_begin(r->app->db);
    if (rc == APP_OK)
        rc = db_exec(
            r->app->db, SQL_MFA_ENABLE,
            DB_ARGS(DB_I64(r->auth->tenant_id), DB_I64(r->auth->user_id)), NULL,
            NULL);
    if (rc == APP_OK)
        rc = add_recovery_codes(r, codes);
    if (rc == APP_OK)
        rc = audit_write(r, r->auth->tenant_id, r->auth->user_id,
                         r->auth->user_id, "mfa.enable", NULL);
    if (rc == APP_OK)
        rc = db_commit(r->app->db);
    if (rc != APP_OK) {
        cJSON_Delete(codes);
        return rc;
    }
    if (r->auth->mfa_state == MFA_ENROLL) {
        rc = auth_session_promote(r);
        if (rc != APP_OK) {
            cJSON_Delete(codes);
            return rc;
        }
    }
    return codes_page(r, codes);
}

enum app_err
mfa_regenerate(struct req *r)
{
    static const struct field_spec spec[] = {
        { "code", V_LINE, true, 1, 32, NULL },
    };
    struct field_val v[1];
    struct mfa_row row;
    bool ok = false;
    cJSON *codes;
    enum app_err rc = load(r, &row);

    if (rc != APP_OK)
        return rc;
    if (!row.enabled)
        return http_redirect(r, "/account/mfa");
    if (validate_fields(r, &r->form, spec, 1, v, NULL) == APP_OK)
        rc = check_totp(r, &row, v[0].s, &ok);
    r->err_detail = NULL;
    if (rc != APP_OK)
        return rc;
    if (!ok) {
        r->err_detail = "mfa.wrong_code";
        return APP_EVALIDATION;
    }
    codes = cJSON_CreateArray();
    if (codes == NULL)
        return APP_ENOMEM;
    rc = db_begin(r->app->db);
    if (rc == APP_OK)
        rc = add_recovery_codes(r, codes);
    if (rc == APP_OK)
        rc = audit_write(r, r->auth->tenant_id, r->auth->user_id,
                         r->auth->user_id, "mfa.recovery_regenerated", NULL);
    if (rc == APP_OK)
        rc = db_commit(r->app->db);
    if (rc != APP_OK) {
        cJSON_Delete(codes);
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
    struct mfa_row row;
    enum app_err rc;

    if (role_requires_mfa(r->auth->role)) {
        r->err_detail = "mfa.required_for_role";
        return APP_EFORBIDDEN;
    }
    if (validate_fields(r, &r->form, spec, 1, v, NULL) != APP_OK)
        return APP_EVALIDATION;
    rc = load(r, &row);
    if (rc != APP_OK)
        return rc;
    rc = password_verify(row.password_hash, v[0].s);
    if (rc == APP_EFORBIDDEN) {
        r->err_detail = "account.wrong_password";
        return APP_EVALIDATION;
    }
    if (rc != APP_OK)
        return rc;
    rc = db_begin(r->app->db);
    if (rc == APP_OK)
        rc = mfa_clear(r->app->db, r->auth->tenant_id, r->auth->user_id);
    if (rc == APP_OK)
        rc = audit_write(r, r->auth->tenant_id, r->auth->user_id,
                         r->auth->user_id, "mfa.disable", NULL);
    if (rc == APP_OK)
        rc = db_commit(r->app->db);
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, "/account");
}
