/*
 * scheduler.h -- one pass of the scheduler: due jobs, then due deliveries.
 *
 * A pass claims the due jobs (work/jobs.h), runs each with a context of
 * its company acting as the system, and records the run, until none is
 * due; then it delivers the notifications whose time has come
 * (work/outbox.h).  `proofline jobs run` makes one pass; the scheduler
 * child of `proofline serve` (server/scheduler_proc.c) makes one every
 * scheduler_interval seconds.
 */
#ifndef PROOFLINE_SCHEDULER_H
#define PROOFLINE_SCHEDULER_H

#include <stdint.h>
#include <time.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "db/db.h"

struct rules;

struct scheduler_stats {
    long ran;       /* job runs */
    long failed;    /* of which failed */
    long delivered; /* deliveries that reached their channel */
    long retried;   /* deliveries left for a later attempt */
    long dead;      /* deliveries that gave up */
};

/* Called before each job runs (watchdog bookkeeping); may be NULL. */
typedef void (*scheduler_tick_fn)(void *arg, const char *what);

struct scheduler_opts {
    time_t now;        /* the clock of this pass */
    const char *owner; /* lease owner: "host:pid" */
    unsigned hold_s;   /* tests: pause between running a "task" job and
                        * recording it (a scheduler dying there) */
    scheduler_tick_fn tick;
    void *tick_arg;
    volatile const int *stop; /* set: end the pass after the current job */
    int64_t tenant_id;        /* only this company's work (0: all) */
};

/* One pass.  APP_OK when the pass ran (jobs that failed are counted, not
 * an error); APP_EDB when the database cannot be used. */
APP_MUST_USE enum app_err scheduler_pass(const struct conf *c, struct db *db,
                                         struct rules *rules, struct arena *a,
                                         const struct scheduler_opts *o,
                                         struct scheduler_stats *st);

#endif
