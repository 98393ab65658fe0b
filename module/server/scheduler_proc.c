/*
 * scheduler_proc.c -- the scheduler child (scheduler_proc.h).
 */
#include "server/scheduler_proc.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "rules/rules.h"
#include "work/jobs.h"
#include "work/scheduler.h"

static volatile sig_atomic_t stop_requested;
static volatile int stop_flag;

static void
on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
    stop_flag = 1;
}

struct watch {
    struct slot *slot;
};

/* A job starts: the watchdog's clock, and what it is. */
static void
tick(void *arg, const char *what)
{
    struct watch *w = arg;

    snprintf(w->slot->route, sizeof(w->slot->route), "job:%s", what);
    __atomic_store_n(&w->slot->limit_s, (uint32_t)(JOBS_LEASE_S - 60),
                     __ATOMIC_RELEASE);
    __atomic_store_n(&w->slot->req_start_ms, server_now_ms(), __ATOMIC_RELEASE);
}

/* Sleep up to s seconds, waking for SIGTERM. */
static void
nap(long s)
{
    struct timespec ts = { 1, 0 };
    long i;

    for (i = 0; i < s && !stop_requested; i++)
        nanosleep(&ts, NULL);
}

void
scheduler_proc_run(struct app *app, struct slot *slot, pid_t master)
{
    struct sigaction sa;
    struct arena *a;
    struct watch w = { slot };
    char owner[JOBS_OWNER_MAX], host[64] = "host";
    sigset_t none;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != master)
        _exit(0);
    log_set_level_name(app->conf.log_level);
    log_set_format_name(app->conf.log_format); /* conf checked the name */
    gethostname(host, sizeof(host) - 1);
    snprintf(owner, sizeof(owner), "%.60s:%ld", host, (long)getpid());
    app->db = db_new(&app->conf);
    app->rules =
        rules_new(&app->conf, (struct str){ app->engine, app->engine_len });
    a = arena_new(256 * 1024, 256u << 20);
    if (app->db == NULL || app->rules == NULL || a == NULL) {
        log_error("scheduler.init_failed", "owner=%s", log_q(owner));
        _exit(1);
    }
    log_info("scheduler.start", "owner=%s interval_s=%ld", log_q(owner),
             app->conf.scheduler_interval);
    while (!stop_requested && getppid() == master) {
        struct scheduler_stats st;
        struct scheduler_opts o;

        /* A database that is down is waited for, not fatal. */
        if (db_ensure(app->db) != APP_OK) {
            log_warn("scheduler.db_down", "retry_s=%ld",
                     app->conf.scheduler_interval);
            nap(app->conf.scheduler_interval);
            continue;
        }
        memset(&st, 0, sizeof(st));
        memset(&o, 0, sizeof(o));
        o.now = time(NULL);
        o.owner = owner;
        o.tick = tick;
        o.tick_arg = &w;
        o.stop = &stop_flag;
        if (scheduler_pass(&app->conf, app->db, app->rules, a, &o, &st) !=
            APP_OK)
            log_warn("scheduler.pass_failed", "error=%s",
                     log_q(db_error(app->db)));
        __atomic_store_n(&slot->req_start_ms, 0, __ATOMIC_RELEASE);
        slot->route[0] = '\0';
        if (st.ran > 0 || st.delivered > 0 || st.retried > 0 || st.dead > 0)
            log_info("scheduler.pass",
                     "jobs=%ld failed=%ld delivered=%ld retried=%ld "
                     "dead=%ld",
                     st.ran, st.failed, st.delivered, st.retried, st.dead);
        arena_reset(a);
        nap(app->conf.scheduler_interval);
    }
    log_info("scheduler.stop", "owner=%s", log_q(owner));
    arena_free(a);
    rules_free(app->rules);
    db_free(app->db);
    _exit(0);
}
