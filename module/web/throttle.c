/*
 * throttle.c -- progressive delays and caps for sign-in attempts.
 */
#include "web/throttle.h"

#include <stdio.h>
#include <string.h>

#include "http/app.h"
#include "db/audit.h"
#include "web/auth.h"
#include "db/db.h"
#include "base/log.h"

static const char SQL_ACCOUNT_FAILS[] =
    "SELECT COUNT(*), COALESCE(TIMESTAMPDIFF(SECOND, MAX(at), "
    "UTC_TIMESTAMP(3)), 0) FROM login_attempts "
    "WHERE account_key = ? AND ok = 0 "
    "AND at > UTC_TIMESTAMP(3) - INTERVAL ? SECOND "
    "AND at > COALESCE((SELECT MAX(at) FROM login_attempts "
    "  WHERE account_key = ? AND ok = 1), '1970-01-01')";
static const char SQL_IP_FAILS[] =
    "SELECT COUNT(*), COALESCE(TIMESTAMPDIFF(SECOND, MAX(at), "
    "UTC_TIMESTAMP(3)), 0) FROM login_attempts "
    "WHERE ip = ? AND ok = 0 AND at > UTC_TIMESTAMP(3) - INTERVAL ? SECOND";
/* What users.login's collation (utf8mb4_unicode_ci, PAD SPACE) compares:
 * its weights, less the trailing weights of a space.  PAD SPACE pads the
 * shorter side with spaces, so "rep1" equals "rep1" followed by anything
 * that weighs as a space -- U+0020, but also U+00A0, U+2000..U+200A,
 * U+202F, U+205F and U+3000 -- and WEIGHT_STRING keeps those weights.
 * Trimming them here (the collation's weights are two bytes each, so
 * trimming from the end stays on weight boundaries) makes equal logins
 * have equal keys: otherwise "ghost\u3000" would get a bucket of its own
 * while "rep1\u3000" shares rep1's, and a 429 against a 422 would tell
 * which of the two names has an account.  The weights come back as their
 * SHA-256: one character weighs up to eight weights (U+337F), so the hex
 * of a 64-character login's weights (up to 2048 digits) would not fit
 * throttle_account_key()'s buffer, whose cut would make different long
 * names share a bucket -- and a shared bucket answers 429 where an
 * account's own would answer 422. */
static const char SQL_LOGIN_WEIGHT[] =
    "SELECT SHA2(TRIM(TRAILING WEIGHT_STRING(_utf8mb4' ' COLLATE "
    "utf8mb4_unicode_ci) FROM WEIGHT_STRING(CONVERT(? USING utf8mb4) "
    "COLLATE utf8mb4_unicode_ci)), 256)";
static const char SQL_RECORD[] =
    "INSERT INTO login_attempts (account_key, ip, ok) VALUES (?, ?, ?)";
/* Old rows are pruned a little at a time by the writers themselves. */
static const char SQL_PRUNE[] =
    "DELETE FROM login_attempts WHERE at < UTC_TIMESTAMP(3) - INTERVAL 2 DAY "
    "ORDER BY at LIMIT 200";

long
throttle_wait(const struct throttle_policy *p, long failures, long since_last,
              bool *locked)
{
    long k, gap;

    *locked = false;
    if (failures >= p->max_failures) {
        *locked = true;
        return p->window;
    }
    if (failures < p->delay_after)
        return 0;
    k = failures - p->delay_after;
    gap = k >= 20 ? p->delay_max : (1L << k);
    if (gap > p->delay_max)
        gap = p->delay_max;
    return since_last >= gap ? 0 : gap - since_last;
}

enum app_err
throttle_login_key(struct req *r, int64_t tenant, struct str slug,
                   int64_t user_id, struct str login, char *out)
{
    struct db_res res;
    char scope[96], name[64];
    const char *weight;
    enum app_err rc;

    rc = db_query(r->app->db, r->a, SQL_LOGIN_WEIGHT, DB_ARGS(DB_STR(login)), 1,
                  &res);
    if (rc != APP_OK)
        return rc;
    weight = res.nrows > 0 ? db_text(&res, 0, 0) : "";
    if (tenant > 0)
        snprintf(scope, sizeof(scope), "login:id:%lld", (long long)tenant);
    else
        snprintf(scope, sizeof(scope), "login:code:%.*s", (int)slug.len,
                 slug.p);
    if (user_id > 0) {
        snprintf(name, sizeof(name), "user:%lld", (long long)user_id);
        throttle_account_key(str_c(scope), str_c(name), out);
    } else {
        throttle_account_key(str_c(scope), str_c(weight), out);
    }
    return APP_OK;
}

void
throttle_account_key(struct str tenant, struct str login, char *out)
{
    char buf[300];
    size_t n = 0, i;

    for (i = 0; i < tenant.len && n < 128; i++)
        buf[n++] = tenant.p[i];
    buf[n++] = '\0';
    for (i = 0; i < login.len && n < sizeof(buf); i++) {
        char c = login.p[i];

        buf[n++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    secret_sha256_hex(buf, n, out);
}

APP_MUST_USE static enum app_err
failures(struct req *r, const char *sql, const struct db_val *args,
         size_t nargs, long *count, long *since)
{
    struct db_res res;
    enum app_err rc = db_query(r->app->db, r->a, sql, args, nargs, 1, &res);

    if (rc != APP_OK)
        return rc;
    *count = (long)db_int(&res, 0, 0, 0);
    *since = (long)db_int(&res, 0, 1, 0);
    return APP_OK;
}

enum app_err
throttle_check(struct req *r, const char *account_key, long *wait_s,
               bool *locked)
{
    const struct conf *c = &r->app->conf;
    struct throttle_policy acct = { c->login_window, c->login_delay_after,
                                    c->login_delay_max, c->login_max_failures };
    struct throttle_policy ip = { c->login_window, c->ip_delay_after,
                                  c->login_delay_max, c->ip_max_failures };
    long n, since, w1, w2;
    bool lock_ip = false;
    enum app_err rc;

    rc = failures(r, SQL_ACCOUNT_FAILS,
                  DB_ARGS(DB_CSTR(account_key), DB_I64(c->login_window),
                          DB_CSTR(account_key)),
                  &n, &since);
    if (rc != APP_OK)
        return rc;
    w1 = throttle_wait(&acct, n, since, locked);
    rc = failures(r, SQL_IP_FAILS,
                  DB_ARGS(DB_CSTR(r->cx.ip), DB_I64(c->login_window)), &n,
                  &since);
    if (rc != APP_OK)
        return rc;
    w2 = throttle_wait(&ip, n, since, &lock_ip);
    *locked = *locked || lock_ip;
    *wait_s = w1 > w2 ? w1 : w2;
    return APP_OK;
}

enum app_err
throttle_record(struct req *r, const char *account_key, bool ok)
{
    enum app_err rc =
        db_exec(r->app->db, SQL_RECORD,
                DB_ARGS(DB_CSTR(account_key), DB_CSTR(r->cx.ip), DB_I64(ok)),
                NULL, NULL);

    if (rc == APP_OK && ok)
        app_ignore(db_exec(r->app->db, SQL_PRUNE, DB_NOARGS, NULL, NULL),
                   "pruning old rows is housekeeping; the next one retries");
    return rc;
}
