/*
 * jobs.h -- the scheduler's jobs in MariaDB, each run once per slot.
 *
 * A job is due at its slot (next_at).  jobs_claim() takes due jobs in one
 * transaction with SELECT ... FOR UPDATE SKIP LOCKED and gives each a
 * lease, so schedulers on any number of hosts take disjoint jobs; a job
 * whose scheduler died is due again when its lease ends.  jobs_finish()
 * records the run and moves the job to its next slot (base/sched.h), or
 * ends a one-shot job; a failed run is tried again after a pause, for the
 * same slot.  After a pause (the scheduler was down) a repeating job runs
 * once for the slots it missed, and those older than JOBS_CATCHUP_S are
 * skipped.  Jobs must be idempotent: effects carry the job and the slot
 * (jobs_effect_key), so running a slot twice changes nothing.
 *
 * Every time comes from the caller (`now`), so `proofline jobs run --now`
 * and the tests can run the clock.
 */
#ifndef PROOFLINE_JOBS_H
#define PROOFLINE_JOBS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

#define JOBS_LEASE_S 300    /* how long a claimed job is its scheduler's */
#define JOBS_RETRY_S 60     /* a failed run is tried again after this */
#define JOBS_CLAIM_MAX 100  /* jobs per claim */
#define JOBS_CATCHUP_S 3600 /* older missed slots are skipped, not run */
#define JOBS_OWNER_MAX 100
#define JOBS_ERROR_MAX 400 /* bytes of a run's error kept */

struct job {
    int64_t id;
    int64_t tenant_id; /* 0: the installation's */
    const char *kind;
    const char *key;
    const char *spec; /* "" for a one-shot job */
    const char *tz;
    const char *payload; /* JSON text */
    time_t slot;         /* the time this run is for */
    int64_t run_id;
};

/* Create a job, or change an existing one (same tenant, kind and key):
 * its spec, zone and payload, and its slot when it is not leased.  first:
 * the first slot (for a repeating job, the first run after it). */
APP_MUST_USE enum app_err jobs_put(struct db *db, int64_t tenant_id,
                                   const char *kind, const char *key,
                                   const char *spec, const char *tz,
                                   const char *payload, time_t first);

/* Stop a job (kept for its history). */
APP_MUST_USE enum app_err jobs_stop(struct db *db, int64_t tenant_id,
                                    const char *kind, const char *key);

/* Claim at most max due jobs at now for owner (of one company, or of
 * all with tenant 0): *out (in a), *n. */
APP_MUST_USE enum app_err jobs_claim(struct db *db, struct arena *a, time_t now,
                                     const char *owner, int64_t tenant,
                                     size_t max, struct job **out, size_t *n);

/* The end of a run: recorded, and the job moved on (ok) or left for a
 * retry (not ok, error says why).  APP_ECONFLICT when the job is no longer
 * this owner's (its lease ran out and another scheduler took it). */
APP_MUST_USE enum app_err jobs_finish(struct db *db, const struct job *j,
                                      time_t now, const char *owner, bool ok,
                                      const char *error, unsigned ms);

/* "job:<id>:<slot>" -- what an effect of this run is known by. */
const char *jobs_effect_key(struct arena *a, const struct job *j);

/* The next slot of j after its current one (0: none, a one-shot job). */
time_t jobs_next_slot(const struct job *j);

/* The jobs of a tenant (0: the installation's) for the admin page: id,
 * kind, key, spec, active, next_at, runs, last_started_at, last_ok,
 * last_error, last_ms, lease_owner. */
APP_MUST_USE enum app_err jobs_list(struct db *db, struct arena *a,
                                    int64_t tenant_id, struct db_res *out);

/* The last runs of a job: slot, owner, started_at, finished_at, ok,
 * error, ms. */
APP_MUST_USE enum app_err jobs_runs(struct db *db, struct arena *a,
                                    int64_t tenant_id, int64_t job_id,
                                    size_t max, struct db_res *out);

#endif
