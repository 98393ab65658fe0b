/*
 * worker.c -- the request loop of one worker process.
 *
 * Signals: SIGTERM, SIGINT and SIGQUIT are blocked while a request is being
 * handled and only delivered inside ppoll(), so a stop request always lets
 * the current request finish and never interrupts it halfway.  SIGKILL
 * from the master's watchdog is the only way a request is cut short.
 */
#include "identity/role.h"
#include "server/worker.h"
#include "server/mon.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "web/auth.h"
#include "web/csrf.h"
#include "db/db.h"
#include "base/jsonmem.h"
#include "base/log.h"
#include "base/stats.h"
#include "identity/password.h"
#include "http/router.h"
#include "rules/rules.h"
#include "web/view.h"
#include "base/wire.h"

static volatile sig_atomic_t stop_requested;

static void
on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void
slot_set_route(struct slot *slot, const char *name, const char *rid)
{
    if (slot == NULL)
        return;
    snprintf(slot->route, sizeof(slot->route), "%s", name);
    snprintf(slot->rid, sizeof(slot->rid), "%s", rid);
}

/* An anonymous visitor on a page that needs a user goes to the login page,
 * then comes back. */
APP_MUST_USE static enum app_err
to_login(struct req *r)
{
    struct buf b;

    buf_init(&b, r->a, 4096);
    if (buf_puts(&b, "/login?next=") != APP_OK ||
        wire_pct_encode(&b, r->path.p, r->path.len) != APP_OK)
        return http_redirect(r, "/login");
    return http_redirect(r, b.p);
}

/* A session whose second factor is due is sent to that step. */
APP_MUST_USE static enum app_err
to_mfa_step(struct req *r)
{
    if (r->method != HM_GET && r->method != HM_HEAD) {
        r->cx.err_detail = "auth.mfa_due";
        return APP_EFORBIDDEN;
    }
    return http_redirect(r, r->auth->mfa_state == MFA_ENROLL ? "/account/mfa"
                                                             : "/login/mfa");
}

/* A session signed in with a temporary password changes it first: pages
 * lead to the form, everything else is refused with the reason. */
APP_MUST_USE static enum app_err
to_password_change(struct req *r, const struct route *rt)
{
    if ((rt->flags & RF_API) || (r->method != HM_GET && r->method != HM_HEAD)) {
        r->cx.err_detail = "auth.password_change_due";
        return APP_EFORBIDDEN;
    }
    return http_redirect(r, "/account/password");
}

/* Who may use the route: signed in when it needs a role, the second factor
 * done unless the route is part of that step, and the right role.  A role
 * that may not use a route gets 404, like a missing object: the existence
 * of routes and objects does not leak. */
APP_MUST_USE static enum app_err
check_access(struct req *r, const struct route *rt)
{
    if (r->auth != NULL && r->auth->mfa_state != MFA_DONE &&
        !(rt->flags & RF_MFA))
        return to_mfa_step(r);
    if (r->auth != NULL && r->auth->password_temporary && !(rt->flags & RF_PWD))
        return to_password_change(r, rt);
    if (rt->roles == ROLES_PUBLIC)
        return APP_OK;
    if (r->auth == NULL) {
        r->cx.err_detail = "auth.required";
        if (!(rt->flags & RF_API) && r->method == HM_GET)
            return to_login(r);
        return APP_EUNAUTH;
    }
    if ((rt->roles & r->auth->role) == 0)
        return APP_ENOTFOUND;
    return APP_OK;
}

APP_MUST_USE static enum app_err
run_route(struct req *r, struct slot *slot)
{
    const struct route *rt;
    unsigned allowed = 0;
    enum app_err rc;
    struct app *app = r->app;

    rc = router_match(app->router, r, r->method, r->path, &rt, &allowed);
    if (rc == APP_EMETHOD) {
        char allow[96] = "";
        unsigned m;

        for (m = HM_GET; m <= HM_OPTIONS; m <<= 1) {
            if (allowed & m) {
                size_t n = strlen(allow);

                snprintf(allow + n, sizeof(allow) - n, "%s%s",
                         n > 0 ? ", " : "",
                         http_method_name((enum http_method)m));
            }
        }
        r->cx.err_detail = "http.method_not_allowed";
        if (http_header(r, "Allow", allow) != APP_OK)
            return APP_ENOMEM;
        return rc;
    }
    if (rc != APP_OK)
        return rc;
    r->route = rt;
    slot_set_route(slot, rt->name, r->rid);
    if (slot != NULL)
        __atomic_store_n(&slot->limit_s,
                         (rt->flags & RF_LONG)
                             ? (uint32_t)app->conf.long_request_timeout
                             : 0u,
                         __ATOMIC_RELEASE);

    if (rt->flags & RF_DB) {
        rc = db_ensure(app->db);
        if (rc != APP_OK) {
            r->cx.err_detail = "db.unavailable";
            app_ignore(http_header(r, "Retry-After", "5"),
                       "a hint for clients; the 503 stands without it");
            return rc;
        }
        rc = auth_request(r, (rt->flags & RF_API) != 0);
        if (rc != APP_OK)
            return rc;
    }
    if (rt->flags & RF_QUERY) {
        rc = http_parse_query(r);
        if (rc != APP_OK)
            return rc;
    }
    rc = check_access(r, rt);
    if (rc != APP_OK || r->status == 303)
        return rc;
    /* Cookie-borne requests that change state must come from our own
     * pages: origin before the body is read, token after. */
    bool cookie_state =
        (rt->flags & RF_STATE) && (r->auth == NULL || !r->auth->via_token);

    if (cookie_state) {
        rc = csrf_check_origin(r);
        /* Without a form body the token can only be in the header: check
         * it before reading anything. */
        if (rc == APP_OK && !(rt->flags & RF_FORM))
            rc = csrf_check_token(r);
        if (rc != APP_OK)
            return rc;
    }
    if (rt->flags & (RF_FORM | RF_JSON | RF_TEXT)) {
        rc = http_parse_body(r, (rt->flags & RF_FORM) != 0,
                             (rt->flags & RF_JSON) != 0,
                             (rt->flags & RF_TEXT) != 0);
        if (rc != APP_OK)
            return rc;
    }
    if (cookie_state && (rt->flags & RF_FORM)) {
        rc = csrf_check_token(r);
        if (rc != APP_OK)
            return rc;
    }
    return rt->handler(r);
}

/* The test suite's measure of the request path (debug_routes only): how
 * many times this request talked to the database. */
static void
round_trips_header(struct req *r)
{
    char n[24];

    if (r->app->db == NULL || !r->app->conf.debug_routes)
        return;
    snprintf(n, sizeof(n), "%llu",
             (unsigned long long)db_round_trips(r->app->db));
    app_ignore(http_header(r, "X-DB-Round-Trips", n),
               "a measure for the tests; the answer stands without it");
}

void
worker_dispatch(struct req *r, struct slot *slot)
{
    enum app_err rc;

    if (r->app->db != NULL)
        db_round_trips_reset(r->app->db, r->app->conf.debug_routes);
    rc = http_begin(r);
    if (rc == APP_OK && r->app->db != NULL &&
        http_fail_point(r, "db.commit_lost"))
        db_fail_commit_lost(r->app->db, true);
    if (rc == APP_OK && mon_is_scrape(r))
        rc = mon_serve(r);
    else if (rc == APP_OK)
        rc = run_route(r, slot);
    /* A transaction never outlives its request: a handler that failed (or
     * forgot) leaves nothing half-done behind. */
    if (r->app->db != NULL) {
        db_rollback(r->app->db);
        db_fail_commit_lost(r->app->db, false);
    }
    if (rc != APP_OK) {
        view_error(r, rc);
        if (app_err_status(rc) >= 500)
            log_error("request.failed", "error=%s detail=%s", app_strerror(rc),
                      log_q(r->cx.err_detail));
    }
    round_trips_header(r);
    if (r->json_fail_set) /* not reached: it must not fail the next one */
        jsonmem_fail_after(0, 0);
}

/* The request's row in the shared counters: its route's index in the
 * table, the scrape's own row, or "no route". */
static void
count_request(const struct req *r)
{
    size_t i = STATS_NO_ROUTE;

    if (r->route != NULL && r->route >= app_routes &&
        r->route < app_routes + app_routes_count)
        i = (size_t)(r->route - app_routes);
    else if (r->route == NULL && r->status == 200 && mon_is_scrape(r))
        i = STATS_MON_ROUTE;
    stats_request(i, r->status, http_now_us() - r->t_start_us);
}

static void
log_request(const struct req *r)
{
    uint64_t us = http_now_us() - r->t_start_us;

    if (r->route != NULL && (r->route->flags & RF_NOLOG) && r->status < 400)
        return;
    log_info("request",
             "method=%s path=%s route=%s status=%d ms=%.2f "
             "bytes=%zu",
             r->method_name != NULL ? r->method_name : "-",
             log_q(arena_strndup(r->a, r->path.p,
                                 r->path.len > 200 ? 200 : r->path.len)),
             r->route != NULL ? r->route->name : "-", r->status,
             (double)us / 1000.0, r->body.len);
}

static void
setup_signals(sigset_t *blocked, sigset_t *during_wait)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_DFL);

    sigemptyset(blocked);
    sigaddset(blocked, SIGTERM);
    sigaddset(blocked, SIGINT);
    sigaddset(blocked, SIGQUIT);
    sigprocmask(SIG_SETMASK, blocked, NULL);
    sigemptyset(during_wait);
}

void
worker_run(struct app *app, int listen_fd, struct slot *slot, pid_t master)
{
    FCGX_Request freq;
    struct arena *arena;
    sigset_t blocked, during_wait;
    struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };
    struct timespec tick = { 1, 0 };
    int status = 0;
    pid_t self = getpid();

    setup_signals(&blocked, &during_wait);
    /* Leave with the master: an orphaned worker would keep the socket. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != master)
        _exit(0);
    log_set_level_name(app->conf.log_level);
    log_set_format_name(app->conf.log_format); /* conf checked the name */

    password_slots_init(app->conf.tmp_dir, app->conf.hash_slots);
    app->db = db_new(&app->conf);
    app->rules =
        rules_new(&app->conf, (struct str){ app->engine, app->engine_len });
    arena = arena_new(64 * 1024, (size_t)app->conf.limits.arena_max);
    if (app->db == NULL || app->rules == NULL || arena == NULL ||
        FCGX_Init() != 0 ||
        FCGX_InitRequest(&freq, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
        log_error("worker.init_failed", "slot=%u", app->worker);
        _exit(1);
    }
    /* A database that is down at start is not fatal: requests answer 503
     * and each one retries. */
    app_ignore(db_ensure(app->db), "a request reconnects when it needs to");
    log_info("worker.start", "slot=%u generation=%u", app->worker,
             slot->generation);
    if (app_routes_count > STATS_MON_ROUTE)
        log_warn("worker.stats_routes",
                 "routes=%zu counted=%d msg=\"raise STATS_ROUTES\"",
                 app_routes_count, STATS_MON_ROUTE);
    mon_worker_row(app, self, false);

    while (!stop_requested) {
        struct req r;
        int rc;

        if (app->conf.max_requests > 0 &&
            app->served >= (unsigned long)app->conf.max_requests) {
            log_info("worker.recycle", "served=%lu", app->served);
            break;
        }
        rc = ppoll(&pfd, 1, &tick, &during_wait);
        if (stop_requested)
            break;
        if (rc <= 0) {
            if (getppid() != master)
                break;
            continue;
        }
        rc = FCGX_Accept_r(&freq);
        if (rc < 0) {
            if (rc != -EAGAIN && rc != -EWOULDBLOCK && rc != -EINTR)
                log_warn("worker.accept", "rc=%d", rc);
            continue;
        }
        __atomic_store_n(&slot->req_start_ms, server_now_ms(),
                         __ATOMIC_RELEASE);
        memset(&r, 0, sizeof(r));
        r.a = arena;
        r.app = app;
        r.fcgi = &freq;
        worker_dispatch(&r, slot);
        http_send(&r);
        count_request(&r);
        log_request(&r);
        FCGX_Finish_r(&freq);
        __atomic_store_n(&slot->req_start_ms, 0, __ATOMIC_RELEASE);
        slot->route[0] = '\0';
        slot->served++;
        app->served++;
        mon_worker_row(app, self, false);
        arena_reset(arena);
        log_set_rid(NULL);
    }
    log_info("worker.stop", "served=%lu", app->served);
    arena_free(arena);
    rules_free(app->rules);
    app->rules = NULL;
    db_free(app->db);
    app->db = NULL;
    _exit(status);
}
