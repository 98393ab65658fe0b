/*
 * scheduler_proc.h -- the scheduler child of `proofline serve`.
 *
 * Every scheduler_interval seconds it makes one pass (work/scheduler.h)
 * with the clock of the moment.  While it runs a job its slot shows the
 * job's kind as the route, with a deadline under the job lease, so the
 * master's watchdog kills a job that hangs (and the master respawns the
 * scheduler, throttled like a worker).  SIGTERM: it finishes the job in
 * hand and leaves; it leaves too when the master is gone.
 */
#ifndef PROOFLINE_SCHEDULER_PROC_H
#define PROOFLINE_SCHEDULER_PROC_H

#include <sys/types.h>

#include "http/app.h"
#include "server/server.h"

void scheduler_proc_run(struct app *app, struct slot *slot, pid_t master)
    __attribute__((noreturn));

#endif
