/*
 * jobs.c -- claiming, leasing and finishing scheduled jobs (jobs.h).
 */
#include "work/jobs.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/sched.h"
#include "base/tz.h"

static const char SQL_PUT[] =
    "INSERT INTO jobs (tenant_id, kind, job_key, spec, time_zone, payload, "
    "next_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
    "spec = VALUES(spec), time_zone = VALUES(time_zone), "
    "payload = VALUES(payload), active = 1, "
    "next_at = IF(lease_until IS NULL, VALUES(next_at), next_at)";
static const char SQL_STOP[] =
    "UPDATE jobs SET active = 0 WHERE tenant_id = ? AND kind = ? "
    "AND job_key = ?";
static const char SQL_DUE[] =
    "SELECT id, tenant_id, kind, job_key, spec, time_zone, payload, next_at "
    "FROM jobs WHERE active = 1 AND next_at <= ? "
    "AND (lease_until IS NULL OR lease_until < ?) "
    "AND (? = 0 OR tenant_id = ?) ORDER BY next_at, id "
    "LIMIT ? FOR UPDATE SKIP LOCKED";
static const char SQL_LEASE[] =
    "UPDATE jobs SET lease_until = ?, lease_owner = ?, runs = runs + 1, "
    "last_started_at = ? WHERE id = ?";
static const char SQL_RUN_ADD[] =
    "INSERT INTO job_runs (job_id, tenant_id, slot, owner, started_at) "
    "VALUES (?, ?, ?, ?, ?)";
static const char SQL_DONE[] =
    "UPDATE jobs SET next_at = ?, active = ?, lease_until = NULL, "
    "lease_owner = NULL, last_ok = 1, last_error = '', last_ms = ? "
    "WHERE id = ? AND lease_owner = ? AND next_at = ?";
static const char SQL_RETRY[] =
    "UPDATE jobs SET lease_until = ?, lease_owner = NULL, last_ok = 0, "
    "last_error = ?, last_ms = ? WHERE id = ? AND lease_owner = ? "
    "AND next_at = ?";
static const char SQL_RUN_END[] =
    "UPDATE job_runs SET finished_at = ?, ok = ?, error = ?, ms = ? "
    "WHERE id = ?";
static const char SQL_LIST[] =
    "SELECT id, kind, job_key, spec, active, next_at, runs, "
    "COALESCE(last_started_at, ''), COALESCE(last_ok, -1), last_error, "
    "COALESCE(last_ms, 0), COALESCE(lease_owner, '') FROM jobs "
    "WHERE tenant_id = ? ORDER BY active DESC, next_at LIMIT 500";
static const char SQL_RUNS[] =
    "SELECT slot, owner, started_at, COALESCE(finished_at, ''), "
    "COALESCE(ok, -1), error, COALESCE(ms, 0) FROM job_runs "
    "WHERE tenant_id = ? AND job_id = ? ORDER BY id DESC LIMIT ?";

/* A time as the database stores it (UTC text, in a). */
static const char *
utc(struct arena *a, time_t t)
{
    char buf[32];

    return arena_strdup(a, tz_utc_text(t, buf, sizeof(buf)));
}

enum app_err
jobs_put(struct db *db, int64_t tenant_id, const char *kind, const char *key,
         const char *spec, const char *tz, const char *payload, time_t first)
{
    char at[32];

    return db_exec(db, SQL_PUT,
                   DB_ARGS(DB_I64(tenant_id), DB_CSTR(kind), DB_CSTR(key),
                           DB_CSTR(spec), DB_CSTR(tz), DB_CSTR(payload),
                           DB_CSTR(tz_utc_text(first, at, sizeof(at)))),
                   NULL, NULL);
}

enum app_err
jobs_stop(struct db *db, int64_t tenant_id, const char *kind, const char *key)
{
    return db_exec(db, SQL_STOP,
                   DB_ARGS(DB_I64(tenant_id), DB_CSTR(kind), DB_CSTR(key)),
                   NULL, NULL);
}

/* Lease the rows the claim locked and open their runs. */
APP_MUST_USE static enum app_err
lease(struct db *db, struct arena *a, time_t now, const char *owner,
      const struct db_res *res, struct job *jobs)
{
    const char *now_s = utc(a, now), *until = utc(a, now + JOBS_LEASE_S);
    size_t i;
    enum app_err rc = now_s != NULL && until != NULL ? APP_OK : APP_ENOMEM;

    for (i = 0; rc == APP_OK && i < res->nrows; i++) {
        struct job *j = &jobs[i];
        uint64_t run = 0;

        j->id = db_int(res, i, 0, 0);
        j->tenant_id = db_int(res, i, 1, 0);
        j->kind = db_text(res, i, 2);
        j->key = db_text(res, i, 3);
        j->spec = db_text(res, i, 4);
        j->tz = db_text(res, i, 5);
        j->payload = db_text(res, i, 6);
        j->slot = tz_parse_utc(db_text(res, i, 7));
        rc = db_exec(db, SQL_LEASE,
                     DB_ARGS(DB_CSTR(until), DB_CSTR(owner), DB_CSTR(now_s),
                             DB_I64(j->id)),
                     NULL, NULL);
        if (rc == APP_OK)
            rc = db_exec(db, SQL_RUN_ADD,
                         DB_ARGS(DB_I64(j->id), DB_I64(j->tenant_id),
                                 DB_CSTR(db_text(res, i, 7)), DB_CSTR(owner),
                                 DB_CSTR(now_s)),
                         NULL, &run);
        j->run_id = (int64_t)run;
    }
    return rc;
}

enum app_err
jobs_claim(struct db *db, struct arena *a, time_t now, const char *owner,
           int64_t tenant, size_t max, struct job **out, size_t *n)
{
    struct db_tx tx = DB_TX_INIT;
    struct db_res res;
    const char *now_s = utc(a, now);
    enum app_err rc;

    *out = NULL;
    *n = 0;
    if (now_s == NULL)
        return APP_ENOMEM;
    if (max > JOBS_CLAIM_MAX)
        max = JOBS_CLAIM_MAX;
    while (db_tx_next(db, &tx, &rc)) {
        *n = 0;
        rc = db_query(db, a, SQL_DUE,
                      DB_ARGS(DB_CSTR(now_s), DB_CSTR(now_s), DB_I64(tenant),
                              DB_I64(tenant), DB_I64((int64_t)max)),
                      max, &res);
        if (rc == APP_OK && res.nrows > 0) {
            *out = arena_calloc(a, res.nrows, sizeof(**out));
            rc = *out != NULL ? lease(db, a, now, owner, &res, *out)
                              : APP_ENOMEM;
        }
        if (rc == APP_OK)
            *n = res.nrows;
    }
    if (rc != APP_OK)
        *n = 0;
    return rc;
}

time_t
jobs_next_slot(const struct job *j)
{
    struct sched s;
    const char *err;

    if (j->spec[0] == '\0' || !sched_parse(str_c(j->spec), &s, &err))
        return 0;
    return sched_next(&s, j->tz, j->slot);
}

enum app_err
jobs_finish(struct db *db, const struct job *j, time_t now, const char *owner,
            bool ok, const char *error, unsigned ms)
{
    char cut[JOBS_ERROR_MAX + 1];
    char slot[32], at[32], next_s[32], retry[32];
    time_t next = ok ? jobs_next_slot(j) : 0;

    /* Slots missed by more than JOBS_CATCHUP_S (the scheduler was down)
     * are not run one by one: the run that just happened stands for
     * them, and the job goes on from about now. */
    if (next > 0 && next < now - JOBS_CATCHUP_S) {
        struct job later = *j;

        later.slot = now - JOBS_CATCHUP_S;
        next = jobs_next_slot(&later);
    }
    struct db_tx tx = DB_TX_INIT;
    uint64_t affected = 0;
    enum app_err rc;

    /* What is recorded fits its column whole: a long rule error is cut at
     * a whole character. */
    if (error != NULL) {
        size_t n = utf8_cut(error, strlen(error), JOBS_ERROR_MAX);

        memcpy(cut, error, n);
        cut[n] = '\0';
        error = cut;
    }
    tz_utc_text(j->slot, slot, sizeof(slot));
    tz_utc_text(now, at, sizeof(at));
    tz_utc_text(next > 0 ? next : j->slot, next_s, sizeof(next_s));
    tz_utc_text(now + JOBS_RETRY_S, retry, sizeof(retry));
    while (db_tx_next(db, &tx, &rc)) {
        rc = ok ? db_exec(db, SQL_DONE,
                          DB_ARGS(DB_CSTR(next_s), DB_I64(next > 0), DB_I64(ms),
                                  DB_I64(j->id), DB_CSTR(owner), DB_CSTR(slot)),
                          &affected, NULL)
                : db_exec(db, SQL_RETRY,
                          DB_ARGS(DB_CSTR(retry), DB_CSTR(error), DB_I64(ms),
                                  DB_I64(j->id), DB_CSTR(owner), DB_CSTR(slot)),
                          &affected, NULL);
        if (rc == APP_OK)
            rc = db_exec(db, SQL_RUN_END,
                         DB_ARGS(DB_CSTR(at), DB_I64(ok),
                                 DB_CSTR(error != NULL ? error : ""),
                                 DB_I64(ms), DB_I64(j->run_id)),
                         NULL, NULL);
    }
    if (rc == APP_OK && affected == 0) {
        log_warn("jobs.lease_lost", "job=%lld owner=%s", (long long)j->id,
                 owner);
        return APP_ECONFLICT;
    }
    return rc;
}

const char *
jobs_effect_key(struct arena *a, const struct job *j)
{
    return arena_printf(a, "job:%lld:%lld", (long long)j->id,
                        (long long)j->slot);
}

enum app_err
jobs_list(struct db *db, struct arena *a, int64_t tenant_id, struct db_res *out)
{
    return db_query(db, a, SQL_LIST, DB_ARGS(DB_I64(tenant_id)), 500, out);
}

enum app_err
jobs_runs(struct db *db, struct arena *a, int64_t tenant_id, int64_t job_id,
          size_t max, struct db_res *out)
{
    return db_query(
        db, a, SQL_RUNS,
        DB_ARGS(DB_I64(tenant_id), DB_I64(job_id), DB_I64((int64_t)max)), max,
        out);
}
