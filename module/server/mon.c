/*
 * mon.c -- the Prometheus text endpoint and `proofline status` (mon.h).
 *
 * Metric names (all prefixed proofline_):
 *   http_requests_total{route,status}          counter, status: 1xx..5xx
 *   http_request_duration_seconds{route}       histogram, buckets 5 ms..5 s
 *   workers_alive, scheduler_alive             gauges (the master's count)
 *   worker_restarts_total                      children that died badly
 *   watchdog_kills_total                       requests killed past deadline
 *   rule_errors_total{tenant}, rule_timeouts_total{tenant}
 *                                              tenant: the company id, or
 *                                              "other" past the first 32
 *   db_errors_total, db_reconnects_total, db_connect_failures_total
 *   scheduler_jobs_due, scheduler_lag_seconds  read at scrape time
 *   outbox_pending, outbox_due, outbox_oldest_due_seconds
 *   cache_entries{cache}                       summed over the workers
 *   cache_bytes{cache="metrics_facts"}         likewise
 *   monitor_db_up                              the scrape's queries answered
 * Only routes that were requested at least once are written.
 */
#include "server/mon.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http/router.h"
#include "http/tmpl.h"
#include "metrics/facts.h"
#include "rules/rules.h"

/* clang-format off */
#define SQL_JOBS_DUE                                                          \
    "SELECT COUNT(*), COALESCE(TIMESTAMPDIFF(MICROSECOND, MIN(next_at), "     \
    "UTC_TIMESTAMP(3)), 0) FROM jobs WHERE active = 1 "                       \
    "AND next_at <= UTC_TIMESTAMP(3) "                                        \
    "AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP(3))"
#define SQL_OUTBOX                                                            \
    "SELECT COUNT(*), COALESCE(SUM(next_at <= UTC_TIMESTAMP(3)), 0), "        \
    "COALESCE(TIMESTAMPDIFF(MICROSECOND, MIN(next_at), UTC_TIMESTAMP(3)), 0) "\
    "FROM deliveries WHERE status = 'pending'"
/* clang-format on */

static const char *const class_names[STATS_CLASSES] = { "1xx", "2xx", "3xx",
                                                        "4xx", "5xx" };

void
mon_db_read(struct db *db, struct arena *a, struct mon_db *out)
{
    struct db_res j, o;

    memset(out, 0, sizeof(*out));
    if (db == NULL || db_ensure(db) != APP_OK ||
        db_query(db, a, SQL_JOBS_DUE, NULL, 0, 1, &j) != APP_OK ||
        db_query(db, a, SQL_OUTBOX, NULL, 0, 1, &o) != APP_OK || j.nrows != 1 ||
        o.nrows != 1)
        return;
    out->ok = true;
    out->jobs_due = db_int(&j, 0, 0, 0);
    out->lag_ms = db_int(&j, 0, 1, 0) / 1000;
    out->outbox_pending = db_int(&o, 0, 0, 0);
    out->outbox_due = db_int(&o, 0, 1, 0);
    out->outbox_oldest_ms = db_int(&o, 0, 2, 0) / 1000;
    if (out->lag_ms < 0)
        out->lag_ms = 0;
    if (out->outbox_oldest_ms < 0 || out->outbox_due == 0)
        out->outbox_oldest_ms = 0;
}

static const char *
route_name(size_t i)
{
    if (i == STATS_NO_ROUTE)
        return "none";
    if (i == STATS_MON_ROUTE)
        return "_metrics";
    if (i < app_routes_count)
        return app_routes[i].name;
    return "none";
}

static uint64_t
ld(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Cache sizes summed over the workers alive. */
struct mon_caches {
    uint64_t sandboxes, statements, templates, facts_bytes;
};

static void
sum_caches(const struct stats *s, struct mon_caches *c)
{
    size_t i;

    memset(c, 0, sizeof(*c));
    for (i = 0; i < STATS_WORKERS; i++) {
        const struct stats_worker *w = &s->workers[i];

        if (__atomic_load_n(&w->pid, __ATOMIC_ACQUIRE) == 0)
            continue;
        c->sandboxes += ld(&w->rules_sandboxes);
        c->statements += ld(&w->db_statements);
        c->templates += ld(&w->templates);
        c->facts_bytes += ld(&w->facts_bytes);
    }
}

APP_MUST_USE static enum app_err
head(struct buf *b, const char *name, const char *type, const char *help)
{
    return buf_printf(b, "# HELP proofline_%s %s\n# TYPE proofline_%s %s\n",
                      name, help, name, type);
}

APP_MUST_USE static enum app_err
one(struct buf *b, const char *name, const char *type, const char *help,
    uint64_t v)
{
    if (head(b, name, type, help) != APP_OK)
        return APP_ENOMEM;
    return buf_printf(b, "proofline_%s %" PRIu64 "\n", name, v);
}

APP_MUST_USE static enum app_err
requests(struct buf *b, const struct stats *s)
{
    size_t i, c;
    enum app_err rc = head(b, "http_requests_total", "counter",
                           "Requests answered, by route and status class.");

    for (i = 0; i < STATS_ROUTES && rc == APP_OK; i++) {
        for (c = 0; c < STATS_CLASSES && rc == APP_OK; c++) {
            uint64_t v = ld(&s->routes[i].status[c]);

            if (v > 0)
                rc = buf_printf(b,
                                "proofline_http_requests_total{route=\"%s\","
                                "status=\"%s\"} %" PRIu64 "\n",
                                route_name(i), class_names[c], v);
        }
    }
    return rc;
}

APP_MUST_USE static enum app_err
histogram(struct buf *b, size_t i, const struct stats_route *r)
{
    const char *n = route_name(i);
    uint64_t cum = 0;
    size_t k;
    enum app_err rc = APP_OK;

    for (k = 0; k < STATS_BUCKETS && rc == APP_OK; k++) {
        cum += ld(&r->bucket[k]);
        rc = buf_printf(b,
                        "proofline_http_request_duration_seconds_bucket{"
                        "route=\"%s\",le=\"%g\"} %" PRIu64 "\n",
                        n, (double)stats_bucket_ms[k] / 1000.0, cum);
    }
    cum += ld(&r->bucket[STATS_BUCKETS]);
    if (rc != APP_OK)
        return rc;
    return buf_printf(b,
                      "proofline_http_request_duration_seconds_bucket{"
                      "route=\"%s\",le=\"+Inf\"} %" PRIu64 "\n"
                      "proofline_http_request_duration_seconds_sum{"
                      "route=\"%s\"} %.6f\n"
                      "proofline_http_request_duration_seconds_count{"
                      "route=\"%s\"} %" PRIu64 "\n",
                      n, cum, n, (double)ld(&r->sum_us) / 1e6, n, cum);
}

APP_MUST_USE static enum app_err
durations(struct buf *b, const struct stats *s)
{
    size_t i;
    enum app_err rc = head(b, "http_request_duration_seconds", "histogram",
                           "Time from accept to the answer sent, by route.");

    for (i = 0; i < STATS_ROUTES && rc == APP_OK; i++) {
        if (ld(&s->routes[i].count) > 0)
            rc = histogram(b, i, &s->routes[i]);
    }
    return rc;
}

APP_MUST_USE static enum app_err
rule_failures(struct buf *b, const struct stats *s, bool timeouts)
{
    size_t i;
    enum app_err rc =
        timeouts ? head(b, "rule_timeouts_total", "counter",
                        "Rule calls stopped as runaway (time or instructions), "
                        "by company.")
                 : head(b, "rule_errors_total", "counter",
                        "Rule calls that failed otherwise, by company.");

    for (i = 0; i <= STATS_TENANTS && rc == APP_OK; i++) {
        const struct stats_tenant *t = &s->tenants[i];
        int64_t id = __atomic_load_n(&t->tenant, __ATOMIC_ACQUIRE);
        uint64_t v = ld(timeouts ? &t->timeouts : &t->errors);
        char label[24];

        if (id == 0 || (v == 0 && id > 0))
            continue;
        if (id < 0)
            snprintf(label, sizeof(label), "other");
        else
            snprintf(label, sizeof(label), "%" PRId64, id);
        rc = buf_printf(b,
                        "proofline_rule_%s_total{tenant=\"%s\"} %" PRIu64 "\n",
                        timeouts ? "timeouts" : "errors", label, v);
    }
    return rc;
}

APP_MUST_USE static enum app_err
master_counters(struct buf *b, const struct stats *s)
{
    const uint64_t *c = s->counter;

    if (one(b, "start_time_seconds", "gauge",
            "When the master started, Unix time.", (uint64_t)s->started) ||
        one(b, "workers_alive", "gauge", "Worker processes running.",
            ld(&c[STATS_WORKERS_ALIVE])) ||
        one(b, "scheduler_alive", "gauge", "1 when the scheduler child runs.",
            ld(&c[STATS_SCHEDULER_ALIVE])) ||
        one(b, "worker_restarts_total", "counter",
            "Children that died by a signal or a non-zero exit.",
            ld(&c[STATS_WORKER_RESTARTS])) ||
        one(b, "watchdog_kills_total", "counter",
            "Workers killed by the watchdog past a request's deadline.",
            ld(&c[STATS_WATCHDOG_KILLS])) ||
        one(b, "db_errors_total", "counter",
            "Statements or connections the database refused.",
            ld(&c[STATS_DB_ERRORS])) ||
        one(b, "db_reconnects_total", "counter",
            "Connections made again after one was lost.",
            ld(&c[STATS_DB_RECONNECTS])) ||
        one(b, "db_connect_failures_total", "counter",
            "Attempts to connect that failed.",
            ld(&c[STATS_DB_CONNECT_FAILURES])))
        return APP_ENOMEM;
    return APP_OK;
}

APP_MUST_USE static enum app_err
db_figures(struct buf *b, const struct mon_db *d)
{
    if (one(b, "monitor_db_up", "gauge",
            "1 when the figures read from the database are current.",
            d->ok ? 1u : 0u) ||
        one(b, "scheduler_jobs_due", "gauge",
            "Jobs whose time has come and that no scheduler holds.",
            (uint64_t)d->jobs_due) ||
        head(b, "scheduler_lag_seconds", "gauge",
             "How late the oldest due job is.") ||
        buf_printf(b, "proofline_scheduler_lag_seconds %.3f\n",
                   (double)d->lag_ms / 1000.0) ||
        one(b, "outbox_pending", "gauge", "Messages not yet delivered.",
            (uint64_t)d->outbox_pending) ||
        one(b, "outbox_due", "gauge",
            "Pending messages whose next try has come.",
            (uint64_t)d->outbox_due) ||
        head(b, "outbox_oldest_due_seconds", "gauge",
             "How long the oldest due message has waited.") ||
        buf_printf(b, "proofline_outbox_oldest_due_seconds %.3f\n",
                   (double)d->outbox_oldest_ms / 1000.0))
        return APP_ENOMEM;
    return APP_OK;
}

enum app_err
mon_prometheus(struct buf *b, const struct stats *s, const struct mon_db *d)
{
    struct mon_caches c;

    sum_caches(s, &c);
    if (master_counters(b, s) || requests(b, s) || durations(b, s) ||
        rule_failures(b, s, false) || rule_failures(b, s, true) ||
        db_figures(b, d) ||
        head(b, "cache_entries", "gauge",
             "Entries held in the workers' caches, summed.") ||
        buf_printf(b,
                   "proofline_cache_entries{cache=\"rules_sandboxes\"} "
                   "%" PRIu64 "\n"
                   "proofline_cache_entries{cache=\"db_statements\"} "
                   "%" PRIu64 "\n"
                   "proofline_cache_entries{cache=\"templates\"} "
                   "%" PRIu64 "\n",
                   c.sandboxes, c.statements, c.templates) ||
        head(b, "cache_bytes", "gauge",
             "Bytes held in the workers' caches, summed.") ||
        buf_printf(b,
                   "proofline_cache_bytes{cache=\"metrics_facts\"} "
                   "%" PRIu64 "\n",
                   c.facts_bytes))
        return APP_ENOMEM;
    return APP_OK;
}

static void
human_routes(FILE *f, const struct stats *s)
{
    size_t i;

    fprintf(f, "\nrequests by route       total    2xx    3xx    4xx    5xx"
               "  mean ms\n");
    for (i = 0; i < STATS_ROUTES; i++) {
        const struct stats_route *r = &s->routes[i];
        uint64_t n = ld(&r->count);

        if (n == 0)
            continue;
        fprintf(f,
                "  %-22s %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64
                " %6" PRIu64 " %8.1f\n",
                route_name(i), n, ld(&r->status[1]), ld(&r->status[2]),
                ld(&r->status[3]), ld(&r->status[4]),
                (double)ld(&r->sum_us) / 1000.0 / (double)n);
    }
}

void
mon_human(FILE *f, const struct stats *s, const struct mon_db *d)
{
    const uint64_t *c = s->counter;
    struct mon_caches k;
    uint64_t cls[STATS_CLASSES] = { 0 };
    size_t i, j;

    sum_caches(s, &k);
    for (i = 0; i < STATS_ROUTES; i++) {
        for (j = 0; j < STATS_CLASSES; j++)
            cls[j] += ld(&s->routes[i].status[j]);
    }
    fprintf(f, "workers alive           %" PRIu64 "\n",
            ld(&c[STATS_WORKERS_ALIVE]));
    fprintf(f, "scheduler alive         %" PRIu64 "\n",
            ld(&c[STATS_SCHEDULER_ALIVE]));
    fprintf(f, "worker restarts         %" PRIu64 "\n",
            ld(&c[STATS_WORKER_RESTARTS]));
    fprintf(f, "watchdog kills          %" PRIu64 "\n",
            ld(&c[STATS_WATCHDOG_KILLS]));
    fprintf(f, "db errors               %" PRIu64 "\n",
            ld(&c[STATS_DB_ERRORS]));
    fprintf(f, "db reconnects           %" PRIu64 "\n",
            ld(&c[STATS_DB_RECONNECTS]));
    fprintf(f, "db connect failures     %" PRIu64 "\n",
            ld(&c[STATS_DB_CONNECT_FAILURES]));
    fprintf(f,
            "requests                %" PRIu64 " (2xx %" PRIu64 ", 3xx %" PRIu64
            ", 4xx %" PRIu64 ", 5xx %" PRIu64 ")\n",
            cls[0] + cls[1] + cls[2] + cls[3] + cls[4], cls[1], cls[2], cls[3],
            cls[4]);
    if (d->ok) {
        fprintf(f, "jobs due                %" PRId64 " (lag %.1f s)\n",
                d->jobs_due, (double)d->lag_ms / 1000.0);
        fprintf(f,
                "outbox pending          %" PRId64 " (due %" PRId64
                ", oldest %.1f s)\n",
                d->outbox_pending, d->outbox_due,
                (double)d->outbox_oldest_ms / 1000.0);
    } else {
        fprintf(f, "jobs due                ? (database not reachable)\n");
        fprintf(f, "outbox pending          ? (database not reachable)\n");
    }
    fprintf(f,
            "caches                  rules sandboxes %" PRIu64
            ", db statements %" PRIu64 ", templates %" PRIu64
            ", metrics facts %" PRIu64 " bytes\n",
            k.sandboxes, k.statements, k.templates, k.facts_bytes);
    for (i = 0; i <= STATS_TENANTS; i++) {
        const struct stats_tenant *t = &s->tenants[i];

        if (t->tenant == 0 || (ld(&t->errors) == 0 && ld(&t->timeouts) == 0))
            continue;
        fprintf(f,
                "rule failures           tenant %s%" PRId64 ": errors %" PRIu64
                ", timeouts %" PRIu64 "\n",
                t->tenant < 0 ? "other" : "", t->tenant < 0 ? 0 : t->tenant,
                ld(&t->errors), ld(&t->timeouts));
    }
    human_routes(f, s);
}

bool
mon_is_scrape(const struct req *r)
{
    const char *mark;

    if (!str_eq_c(r->path, "/_metrics") ||
        (r->method != HM_GET && r->method != HM_HEAD))
        return false;
    mark = http_param(r, "PROOFLINE_MONITOR");
    return mark != NULL && strcmp(mark, "1") == 0;
}

enum app_err
mon_serve(struct req *r)
{
    const struct stats *s = stats_self();
    struct mon_db d;
    enum app_err rc;

    if (s == NULL)
        return APP_ENOTFOUND;
    mon_db_read(r->app->db, r->a, &d);
    buf_clear(&r->body);
    rc = mon_prometheus(&r->body, s, &d);
    if (rc != APP_OK)
        return rc;
    r->status = 200;
    r->content_type = "text/plain; version=0.0.4; charset=utf-8";
    return http_header(r, "Cache-Control", "no-store");
}

void
mon_worker_row(const struct app *app, pid_t pid, bool scheduler)
{
    struct stats_worker w;
    struct db_stats ds;

    memset(&w, 0, sizeof(w));
    memset(&ds, 0, sizeof(ds));
    if (app->db != NULL)
        db_stats(app->db, &ds);
    w.pid = (int32_t)pid;
    w.scheduler = scheduler ? 1u : 0u;
    w.served = app->served;
    w.rules_sandboxes = rules_loaded(app->rules);
    w.db_statements = ds.cached;
    w.templates = tmpl_set_count(app->tmpl);
    w.facts_bytes = facts_bytes_all();
    stats_worker_set(app->worker, &w);
}
