/*
 * metrics_bench.c -- the metrics engine against the best plain SQL for
 * the same numbers, on the same MariaDB, in the same run (`make bench`,
 * scripts/bench_metrics.py).
 *
 *   metrics_bench CONF TENANT_SLUG [ROUNDS]
 *
 * Prints, for the company: the engine's cold start (a load of every fact
 * in one snapshot, median of 3), its memory per activity, the catch-up
 * of a warm engine (one round trip that finds nothing new), and for each
 * metric the median time of the engine's computation (as on a page whose
 * sign-in query saw no new change: no round trip) and with the catch-up
 * added, against the median of the SQL, and their ratios.  Scope: the whole
 * company, T = now; the SQL reads the customers' current stage (the
 * cheapest exact query for T = now), the engine its stage history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/num.h"
#include "db/ctx.h"
#include "db/db.h"
#include "identity/role.h"
#include "identity/tenants.h"
#include "metrics/facts.h"
#include "metrics/metrics.h"
#include "rules/rules.h"
#include "rules/rulesets.h"
#include "server/cli.h"

#define OPEN_STAGES "'lead','intent','advancing','quote'"

static const char SQL_HEALTH[] =
    "SELECT c.stage, COUNT(*), SUM(EXISTS (SELECT 1 FROM activities a WHERE "
    "a.tenant_id = c.tenant_id AND a.customer_id = c.id AND a.effective = 1 "
    "AND a.at > UTC_TIMESTAMP() - INTERVAL 7 DAY)) FROM customers c WHERE "
    "c.tenant_id = ? AND c.stage IN (" OPEN_STAGES ") GROUP BY c.stage";
static const char SQL_FUNNEL[] =
    "WITH e AS (SELECT customer_id, to_stage, MIN(at) AS at FROM stage_events "
    "WHERE tenant_id = ? AND at >= UTC_TIMESTAMP() - INTERVAL 30 DAY AND "
    "to_stage IN (" OPEN_STAGES ") GROUP BY customer_id, to_stage), "
    "o AS (SELECT e.to_stage, EXISTS (SELECT 1 FROM stage_events x WHERE "
    "x.tenant_id = ? AND x.customer_id = e.customer_id AND x.at > e.at AND "
    "x.to_stage <> 'lost' AND FIELD(x.to_stage, 'lead', 'intent', "
    "'advancing', 'quote', 'contract') > FIELD(e.to_stage, 'lead', "
    "'intent', 'advancing', 'quote', 'contract')) AS adv, (SELECT "
    "x.to_stage = 'lost' FROM stage_events x WHERE x.tenant_id = ? AND "
    "x.customer_id = e.customer_id AND x.at > e.at ORDER BY x.at, x.id "
    "LIMIT 1) AS lost FROM e) SELECT to_stage, COUNT(*), SUM(adv), "
    "SUM(NOT adv AND lost) FROM o GROUP BY to_stage";
static const char SQL_CONSISTENCY[] =
    "SELECT c.owner_id, COUNT(*), SUM(NOT EXISTS (SELECT 1 FROM activities a "
    "WHERE a.tenant_id = c.tenant_id AND a.customer_id = c.id AND a.at > "
    "UTC_TIMESTAMP() - INTERVAL 90 DAY)) FROM customers c WHERE "
    "c.tenant_id = ? AND c.stage IN (" OPEN_STAGES ") GROUP BY c.owner_id";
static const char SQL_HEATMAP[] =
    "SELECT rep_id, DATE(at + INTERVAL 8 HOUR), COUNT(*), SUM(effective) "
    "FROM activities WHERE tenant_id = ? AND at >= UTC_TIMESTAMP() - "
    "INTERVAL 30 DAY GROUP BY 1, 2";
static const char SQL_LOSSES[] =
    "SELECT from_stage, lost_reason, COUNT(*) FROM stage_events WHERE "
    "tenant_id = ? AND to_stage = 'lost' AND at >= UTC_TIMESTAMP() - "
    "INTERVAL 30 DAY GROUP BY 1, 2";

typedef enum app_err (*metric_fn)(struct ctx *cx, const struct metrics_query *q,
                                  cJSON **out);

static double
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp);
    return v[n / 2];
}

static double
time_metric(struct ctx *cx, metric_fn fn, int rounds)
{
    double t[101];
    struct metrics_query q = { .scope = MS_TENANT };
    int i;

    for (i = 0; i < rounds; i++) {
        cJSON *doc = NULL;
        double t0 = now_us();

        if (fn(cx, &q, &doc) != APP_OK) {
            fprintf(stderr, "metrics_bench: a metric failed\n");
            exit(1);
        }
        t[i] = now_us() - t0;
        cJSON_Delete(doc);
        arena_reset(cx->a);
    }
    return median(t, rounds);
}

static double
time_sql(struct ctx *cx, const char *sql, int nargs, int rounds)
{
    double t[101];
    struct db_val args[3] = { DB_I64(cx->tenant_id), DB_I64(cx->tenant_id),
                              DB_I64(cx->tenant_id) };
    struct db_res res;
    int i;

    for (i = 0; i < rounds; i++) {
        double t0 = now_us();

        if (db_query(cx->db, cx->a, sql, args, (size_t)nargs, 1000000, &res) !=
            APP_OK) {
            fprintf(stderr, "metrics_bench: SQL failed: %s\n",
                    db_error(cx->db));
            exit(1);
        }
        t[i] = now_us() - t0;
        arena_reset(cx->a);
    }
    return median(t, rounds);
}

static double
time_catch_up(struct ctx *cx, int rounds)
{
    double t[101];
    struct facts *f;
    int i;

    for (i = 0; i < rounds; i++) {
        double t0 = now_us();

        if (facts_get(cx, &f) != APP_OK)
            exit(1);
        t[i] = now_us() - t0;
    }
    return median(t, rounds);
}

/* A cold start from the database (no snapshot on the host) and from the
 * host's snapshot (another worker loaded it, or the server restarted). */
static void
cold(struct ctx *cx)
{
    double db[3], snap[3];
    struct facts *f = NULL;
    char path[1100];
    int i;

    snprintf(path, sizeof(path), "%s/facts/%lld.facts", cx->conf->tmp_dir,
             (long long)cx->tenant_id);
    for (i = 0; i < 3; i++) {
        double t0;

        facts_drop_all();
        unlink(path);
        t0 = now_us();
        if (facts_get(cx, &f) != APP_OK)
            exit(1);
        db[i] = now_us() - t0;
        facts_drop_all();
        t0 = now_us();
        if (facts_get(cx, &f) != APP_OK)
            exit(1);
        snap[i] = now_us() - t0;
    }
    printf("  cold start     %9.1f ms from the database, %.1f ms from the "
           "host's snapshot (%zu customers, %zu moves, %zu activities)\n",
           median(db, 3) / 1000, median(snap, 3) / 1000, f->ncust, f->nmoves,
           f->nacts);
    printf("  memory         %9.2f bytes per activity held by a process "
           "(all facts %zu bytes; an activity alone %zu)\n",
           f->nacts ? (double)facts_bytes(f) / (double)f->nacts : 0.0,
           facts_bytes(f), sizeof(struct facts_act));
}

int
main(int argc, char **argv)
{
    static const struct {
        const char *name;
        metric_fn fn;
        const char *sql;
        int nargs;
    } m[] = {
        { "stage-health", metrics_stage_health, SQL_HEALTH, 1 },
        { "funnel", metrics_funnel, SQL_FUNNEL, 3 },
        { "consistency", metrics_consistency, SQL_CONSISTENCY, 1 },
        { "heatmap", metrics_heatmap, SQL_HEATMAP, 1 },
        { "losses", metrics_losses, SQL_LOSSES, 1 },
    };
    struct conf c;
    struct ctx cx;
    struct arena *a;
    struct db *db;
    struct rules *rules;
    char *engine = NULL, err[256];
    size_t engine_len = 0, i;
    int64_t tenant = 0;
    int64_t n = 21;
    int rounds;
    double up;

    if (argc < 3 || (argc > 3 && !parse_i64(str_c(argv[3]), 3, 101, &n)) ||
        cli_load_conf(&c, argv[1], NULL) != 0)
        return 2;
    rounds = (int)n;
    c.db_read_timeout = 3600; /* the plain SQL takes long at 10M rows */
    a = arena_new(1u << 20, 1u << 30);
    db = cli_db_open(&c, "metrics_bench");
    if (a == NULL || db == NULL ||
        rules_load_engine(c.lua_dir, &engine, &engine_len, err, sizeof(err)) !=
            APP_OK ||
        (rules = rules_new(&c, (struct str){ engine, engine_len })) == NULL ||
        tenants_find(db, a, str_c(argv[2]), &tenant) != APP_OK || tenant <= 0)
        return 1;
    ctx_init(&cx, a, db, &c, rules, tenant, 0, ROLE_ADMIN);
    cx.tenant_tz = "Asia/Shanghai";
    printf("metrics engine on tenant %s (medians of %d):\n", argv[2], rounds);
    cold(&cx);
    up = time_catch_up(&cx, rounds);
    printf("  catch-up       %9.1f us (one round trip, nothing new)\n", up);
    printf("  %-13s %12s %12s %12s %10s %10s\n", "metric", "compute us",
           "+ catch-up", "SQL us", "ratio", "ratio +RT");
    for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        double e, s;

        cx.facts_top = 1; /* as a page whose sign-in saw nothing new */
        e = time_metric(&cx, m[i].fn, rounds);
        cx.facts_top = 0;
        s = time_sql(&cx, m[i].sql, m[i].nargs, rounds < 7 ? rounds : 7);
        printf("  %-13s %12.1f %12.1f %12.1f %9.0fx %9.0fx\n", m[i].name, e,
               e + up, s, s / e, s / (e + up));
    }
    return 0;
}
