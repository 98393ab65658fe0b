/*
 * mfa.c -- the acting user's TOTP second factor: checking a code at sign-in,
 * enrolment (a pending secret confirmed by a first code), recovery codes,
 * turning it off (see mfa.h).  The pages are web/handlers/mfa_pages.c.
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

#include "base/conf.h"
#include "base/log.h"
#include "base/wire.h"
#include "db/audit.h"
#include "db/db.h"
#include "identity/password.h"
#include "identity/role.h"
#include "identity/seal.h"
#include "identity/secret.h"
#include "identity/totp.h"

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
load(struct ctx *cx, struct mfa_row *m)
{
    struct db_res res;
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_MFA_GET,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(cx->user_id)), 1, &res);

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
check_totp(struct ctx *cx, const struct mfa_row *m, struct str code, bool *ok)
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
    rc = unseal(cx->conf, m->sealed, secret, sizeof(secret), &n);
    if (rc != APP_OK) {
        log_error("mfa.unseal", "user=%lld", (long long)cx->user_id);
        return APP_EINTERNAL;
    }
    if (totp_verify(secret, n, digits, dn, (int64_t)time(NULL), &step)) {
        rc = db_exec(cx->db, SQL_MFA_STEP,
                     DB_ARGS(DB_I64((int64_t)step), DB_I64(cx->tenant_id),
                             DB_I64(cx->user_id), DB_I64((int64_t)step)),
                     &changed, NULL);
        *ok = rc == APP_OK && changed == 1;
    }
    sodium_memzero(secret, sizeof(secret));
    return rc;
}

APP_MUST_USE static enum app_err
check_recovery(struct ctx *cx, struct str code, bool *ok)
{
    char clean[64], hash[SESSION_ID_HEX];
    uint64_t changed = 0;
    size_t n = clean_code(code, clean, sizeof(clean));
    enum app_err rc;

    *ok = false;
    if (n != 10)
        return APP_OK;
    secret_sha256_hex(clean, n, hash);
    rc = db_exec(
        cx->db, SQL_CODE_USE,
        DB_ARGS(DB_I64(cx->tenant_id), DB_I64(cx->user_id), DB_CSTR(hash)),
        &changed, NULL);
    *ok = rc == APP_OK && changed == 1;
    return rc;
}

APP_MUST_USE static enum app_err
add_recovery_codes(struct ctx *cx, cJSON *list)
{
    static const char alphabet[] = "23456789abcdefghjkmnpqrstuvwxyz";
    int i, k;
    enum app_err rc = db_exec(
        cx->db, SQL_CODES_DEL,
        DB_ARGS(DB_I64(cx->tenant_id), DB_I64(cx->user_id)), NULL, NULL);

    for (i = 0; rc == APP_OK && i < MFA_RECOVERY_CODES; i++) {
        char code[11], shown[12], hash[SESSION_ID_HEX];

        for (k = 0; k < 10; k++)
            code[k] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
        code[10] = '\0';
        snprintf(shown, sizeof(shown), "%.5s-%.5s", code, code + 5);
        secret_sha256_hex(code, 10, hash);
        rc = db_exec(
            cx->db, SQL_CODE_ADD,
            DB_ARGS(DB_I64(cx->tenant_id), DB_I64(cx->user_id), DB_CSTR(hash)),
            NULL, NULL);
        if (rc == APP_OK &&
            cJSON_AddItemToArray(list, cJSON_CreateString(shown)) == 0)
            rc = APP_ENOMEM;
    }
    return rc;
}

APP_MUST_USE static enum app_err
codes_left(struct ctx *cx, long *n)
{
    struct db_res res;
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_CODES_LEFT,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(cx->user_id)), 1, &res);

    if (rc == APP_OK)
        *n = (long)db_int(&res, 0, 0, 0);
    return rc;
}

enum app_err
mfa_status(struct ctx *cx, struct mfa_status *out)
{
    struct mfa_row row;
    enum app_err rc = load(cx, &row);

    memset(out, 0, sizeof(*out));
    if (rc != APP_OK)
        return rc;
    out->enabled = row.enabled;
    out->pending = !row.enabled && row.sealed[0] != '\0';
    if (row.enabled)
        rc = codes_left(cx, &out->codes_left);
    return rc;
}

enum app_err
mfa_check(struct ctx *cx, struct str code, struct str recovery, bool *ok)
{
    struct mfa_row row;
    bool used_recovery = false;
    enum app_err rc = load(cx, &row);

    *ok = false;
    if (rc != APP_OK)
        return rc;
    if (code.len > 0)
        rc = check_totp(cx, &row, code, ok);
    if (rc == APP_OK && !*ok && recovery.len > 0) {
        rc = check_recovery(cx, recovery, ok);
        used_recovery = *ok;
    }
    if (rc != APP_OK)
        return rc;
    return audit_write(cx, cx->tenant_id, cx->user_id, cx->user_id,
                       !*ok            ? "mfa.fail"
                       : used_recovery ? "mfa.recovery_used"
                                       : "mfa.ok",
                       NULL);
}

APP_MUST_USE static enum app_err
need_key(struct ctx *cx)
{
    if (cx->conf->secret_key[0] != '\0')
        return APP_OK;
    cx->err_detail = "mfa.no_secret_key";
    return APP_EINTERNAL;
}

enum app_err
mfa_enrol_start(struct ctx *cx)
{
    uint8_t secret[TOTP_SECRET_BYTES];
    char sealed[SEAL_HEX_MAX];
    struct mfa_row row;
    enum app_err rc = need_key(cx);

    if (rc == APP_OK)
        rc = load(cx, &row);
    if (rc != APP_OK)
        return rc;
    if (row.enabled)
        return APP_OK;
    randombytes_buf(secret, sizeof(secret));
    rc = seal(cx->conf, secret, sizeof(secret), sealed);
    sodium_memzero(secret, sizeof(secret));
    if (rc == APP_OK)
        rc = db_exec(cx->db, SQL_MFA_SET_SECRET,
                     DB_ARGS(DB_CSTR(sealed), DB_I64(cx->tenant_id),
                             DB_I64(cx->user_id)),
                     NULL, NULL);
    return rc;
}

enum app_err
mfa_enrol_uri(struct ctx *cx, const char *account, struct buf *uri, char *b32,
              size_t b32cap)
{
    uint8_t secret[SEAL_MAX_PLAIN];
    size_t slen = 0;
    struct mfa_row row;
    enum app_err rc = need_key(cx);

    b32[0] = '\0';
    if (rc == APP_OK)
        rc = load(cx, &row);
    if (rc != APP_OK)
        return rc;
    if (row.enabled || row.sealed[0] == '\0' ||
        unseal(cx->conf, row.sealed, secret, sizeof(secret), &slen) != APP_OK ||
        slen != TOTP_SECRET_BYTES || b32cap < 128)
        return APP_ENOTFOUND;
    base32_encode(secret, slen, b32);
    sodium_memzero(secret, sizeof(secret));
    /* otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=ISSUER */
    rc = buf_puts(uri, "otpauth://totp/");
    if (rc == APP_OK)
        rc = wire_pct_encode(uri, cx->conf->mfa_issuer,
                             strlen(cx->conf->mfa_issuer));
    if (rc == APP_OK)
        rc = buf_puts(uri, ":");
    if (rc == APP_OK)
        rc = wire_pct_encode(uri, account, strlen(account));
    if (rc == APP_OK)
        rc = buf_printf(uri, "?secret=%s&issuer=", b32);
    if (rc == APP_OK)
        rc = wire_pct_encode(uri, cx->conf->mfa_issuer,
                             strlen(cx->conf->mfa_issuer));
    if (rc == APP_OK)
        rc = buf_puts(uri, "&algorithm=SHA1&digits=6&period=30");
    return rc;
}

/* A confirmed code, then in one transaction what `enable` adds. */
APP_MUST_USE static enum app_err
confirm_and_codes(struct ctx *cx, bool enable, struct str code, cJSON *codes,
                  bool *ok)
{
    struct mfa_row row;
    enum app_err rc = load(cx, &row);

    *ok = false;
    if (rc != APP_OK)
        return rc;
    if (row.enabled == enable)
        return APP_ECONFLICT;
    rc = check_totp(cx, &row, code, ok);
    if (rc != APP_OK || !*ok)
        return rc;
    rc = db_begin(cx->db);
    if (rc == APP_OK && enable)
        rc = db_exec(cx->db, SQL_MFA_ENABLE,
                     DB_ARGS(DB_I64(cx->tenant_id), DB_I64(cx->user_id)), NULL,
                     NULL);
    if (rc == APP_OK)
        rc = add_recovery_codes(cx, codes);
    if (rc == APP_OK)
        rc = audit_write(cx, cx->tenant_id, cx->user_id, cx->user_id,
                         enable ? "mfa.enable" : "mfa.recovery_regenerated",
                         NULL);
    if (rc == APP_OK)
        rc = db_commit(cx->db);
    return rc;
}

enum app_err
mfa_enrol_confirm(struct ctx *cx, struct str code, cJSON *codes, bool *ok)
{
    return confirm_and_codes(cx, true, code, codes, ok);
}

enum app_err
mfa_codes_renew(struct ctx *cx, struct str code, cJSON *codes, bool *ok)
{
    return confirm_and_codes(cx, false, code, codes, ok);
}

enum app_err
mfa_turn_off(struct ctx *cx, struct str password)
{
    struct mfa_row row;
    enum app_err rc;

    if (role_requires_mfa(cx->role)) {
        cx->err_detail = "mfa.required_for_role";
        return APP_EFORBIDDEN;
    }
    rc = load(cx, &row);
    if (rc != APP_OK)
        return rc;
    rc = password_verify(row.password_hash, password);
    if (rc == APP_EFORBIDDEN) {
        cx->err_detail = "account.wrong_password";
        return APP_EVALIDATION;
    }
    if (rc != APP_OK)
        return rc;
    rc = db_begin(cx->db);
    if (rc == APP_OK)
        rc = mfa_clear(cx->db, cx->tenant_id, cx->user_id);
    if (rc == APP_OK)
        rc = audit_write(cx, cx->tenant_id, cx->user_id, cx->user_id,
                         "mfa.disable", NULL);
    if (rc == APP_OK)
        rc = db_commit(cx->db);
    return rc;
}
