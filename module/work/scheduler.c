/*
 * scheduler.c -- one pass of the scheduler (scheduler.h).
 */
#include "work/scheduler.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "db/ctx.h"
#include "identity/role.h"
#include "work/job_kinds.h"
#include "work/jobs.h"
#include "work/outbox.h"
#include "work/reminders.h"

static unsigned
ms_since(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (unsigned)((t1.tv_sec - t0->tv_sec) * 1000 +
                      (t1.tv_nsec - t0->tv_nsec) / 1000000);
}

/* Run one claimed job and record it. */
static void
run_one(const struct conf *c, struct db *db, struct rules *rules,
        struct arena *a, const struct scheduler_opts *o, const struct job *j,
        struct scheduler_stats *st)
{
    struct ctx cx;
    const char *error = "";
    struct timespec t0;
    enum app_err rc;
    unsigned ms;

    if (o->tick != NULL)
        o->tick(o->tick_arg, j->kind);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ctx_init(&cx, a, db, c, rules, j->tenant_id, 0, ROLE_ADMIN);
    if (j->tz != NULL && j->tz[0] != '\0')
        cx.tenant_tz = j->tz;
    rc = job_run(&cx, j, &error);
    ms = ms_since(&t0);
    if (o->hold_s > 0 && strcmp(j->kind, "task") == 0)
        sleep(o->hold_s);
    if (jobs_finish(db, j, o->now, o->owner, rc == APP_OK, error, ms) != APP_OK)
        log_warn("jobs.finish_failed", "job=%lld", (long long)j->id);
    if (rc != APP_OK)
        log_warn("jobs.failed", "job=%lld kind=%s error=%s", (long long)j->id,
                 j->kind, log_q(error));
    st->ran++;
    st->failed += rc == APP_OK ? 0 : 1;
}

enum app_err
scheduler_pass(const struct conf *c, struct db *db, struct rules *rules,
               struct arena *a, const struct scheduler_opts *o,
               struct scheduler_stats *st)
{
    time_t started = time(NULL);

    /* Reminders follow the published rules before anything runs. */
    if (o->tick != NULL)
        o->tick(o->tick_arg, "reminders_sync");
    if (reminders_sync(c, db, rules, a, o->now, o->tenant_id) != APP_OK)
        log_warn("reminders.sync_failed", "error=%s", log_q(db_error(db)));
    arena_reset(a);
    for (;;) {
        struct job *jobs;
        size_t n, i;

        if (o->stop != NULL && *o->stop)
            return APP_OK;
        /* Leases count from the claim: the pass's clock moves on. */
        if (jobs_claim(db, a, o->now + (time(NULL) - started), o->owner,
                       o->tenant_id, JOBS_CLAIM_MAX, &jobs, &n) != APP_OK)
            return APP_EDB;
        if (n == 0)
            break;
        for (i = 0; i < n; i++)
            run_one(c, db, rules, a, o, &jobs[i], st);
        arena_reset(a); /* the batch and its work are done */
    }
    return outbox_deliver(c, db, a, o, o->now + (time(NULL) - started), st);
}
