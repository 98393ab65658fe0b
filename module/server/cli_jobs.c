/*
 * cli_jobs.c -- `proofline jobs add|run|list`: scheduled jobs from the
 * command line.  `jobs run` makes one pass of the scheduler: it claims the
 * due jobs (work/jobs.h), runs each with a context of its company, and
 * records the run, until none is due; `--now` runs the clock for tests and
 * for catching up.  The scheduler child of `proofline serve` does the same
 * pass every few seconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/num.h"
#include "base/sched.h"
#include "base/tz.h"
#include "db/ctx.h"
#include "db/db.h"
#include "identity/role.h"
#include "identity/tenants.h"
#include "server/cli.h"
#include "rules/rules.h"
#include "work/jobs.h"
#include "work/scheduler.h"

/* "YYYY-MM-DD HH:MM:SS" (UTC) or now. */
static int
read_time(const char *s, time_t *t)
{
    if (s == NULL) {
        *t = time(NULL);
        return 0;
    }
    *t = tz_parse_utc(s);
    if (*t < 0) {
        fprintf(stderr, "proofline: times are UTC \"YYYY-MM-DD HH:MM:SS\"\n");
        return -1;
    }
    return 0;
}

static int
jobs_run_cmd(struct conf *c, int argc, char **argv)
{
    struct cli_opt opts[] = { { "now", true, NULL },
                              { "owner", true, NULL },
                              { "hold-before-finish", true, NULL },
                              { "tenant", true, NULL } };
    const char *pos[1];
    char owner[JOBS_OWNER_MAX], host[64] = "host";
    int npos, rc = 1;
    int64_t hold = 0;
    time_t now;
    struct db *db;
    struct arena *a;
    struct rules *rules = NULL;
    struct scheduler_opts o;
    struct scheduler_stats st;
    char err[256] = "";
    char *engine = NULL;
    size_t engine_len = 0;

    if (cli_parse("jobs run", argc, argv, 2, opts, 4, pos, 0, &npos) != 0 ||
        read_time(cli_get(opts, 4, "now"), &now) != 0)
        return 2;
    if (cli_get(opts, 4, "hold-before-finish") != NULL &&
        !parse_i64(str_c(cli_get(opts, 4, "hold-before-finish")), 0, 3600,
                   &hold))
        return 2;
    gethostname(host, sizeof(host) - 1);
    snprintf(owner, sizeof(owner), "%s",
             cli_get(opts, 4, "owner") != NULL ? cli_get(opts, 4, "owner")
                                               : "");
    if (owner[0] == '\0')
        snprintf(owner, sizeof(owner), "%.60s:%ld", host, (long)getpid());
    if (rules_load_engine(c->lua_dir, &engine, &engine_len, err, sizeof(err)) !=
        APP_OK) {
        fprintf(stderr, "proofline: %s\n", err);
        return 1;
    }
    rules = rules_new(c, (struct str){ engine, engine_len });
    db = cli_db_open(c, "jobs run");
    a = arena_new(256 * 1024, 256u << 20);
    memset(&o, 0, sizeof(o));
    memset(&st, 0, sizeof(st));
    o.now = now;
    o.owner = owner;
    o.hold_s = (unsigned)hold;
    if (db != NULL && a != NULL && cli_get(opts, 4, "tenant") != NULL &&
        (tenants_find(db, a, str_c(cli_get(opts, 4, "tenant")), &o.tenant_id) !=
             APP_OK ||
         o.tenant_id <= 0)) {
        fprintf(stderr, "proofline: no such company\n");
        db_free(db);
        arena_free(a);
        rules_free(rules);
        free(engine);
        return 2;
    }
    if (db != NULL && a != NULL && rules != NULL &&
        scheduler_pass(c, db, rules, a, &o, &st) == APP_OK) {
        printf("ran %ld jobs, %ld failed; delivered %ld, %ld to retry, "
               "%ld failed\n",
               st.ran, st.failed, st.delivered, st.retried, st.dead);
        rc = st.failed > 0 ? 1 : 0;
    } else if (db != NULL) {
        fprintf(stderr, "proofline: scheduler pass failed: %s\n", db_error(db));
    }
    arena_free(a);
    rules_free(rules);
    free(engine);
    db_free(db);
    return rc;
}

static int
jobs_add_cmd(struct conf *c, int argc, char **argv)
{
    struct cli_opt opts[] = {
        { "tenant", true, NULL }, { "kind", true, NULL },
        { "key", true, NULL },    { "spec", true, NULL },
        { "tz", true, NULL },     { "payload", true, NULL },
        { "first", true, NULL },
    };
    const char *pos[1], *spec, *err;
    int npos, rc = 1;
    int64_t tenant = 0;
    time_t first;
    struct sched s;
    struct db *db;
    struct arena *a;

    if (cli_parse("jobs add", argc, argv, 2, opts, 7, pos, 0, &npos) != 0 ||
        cli_get(opts, 7, "kind") == NULL || cli_get(opts, 7, "key") == NULL ||
        cli_get(opts, 7, "payload") == NULL ||
        read_time(cli_get(opts, 7, "first"), &first) != 0) {
        fprintf(stderr, "usage: proofline jobs add --tenant T --kind task "
                        "--key K --payload JSON [--spec S] [--tz ZONE] "
                        "[--first TIME]\n");
        return 2;
    }
    spec = cli_get(opts, 7, "spec") != NULL ? cli_get(opts, 7, "spec") : "";
    if (spec[0] != '\0' && !sched_parse(str_c(spec), &s, &err)) {
        fprintf(stderr, "proofline: bad --spec (%s)\n", err);
        return 2;
    }
    db = cli_db_open(c, "jobs add");
    a = arena_new(64 * 1024, 16u << 20);
    if (db != NULL && a != NULL && cli_get(opts, 7, "tenant") != NULL &&
        tenants_find(db, a, str_c(cli_get(opts, 7, "tenant")), &tenant) ==
            APP_OK &&
        tenant > 0 &&
        jobs_put(
            db, tenant, cli_get(opts, 7, "kind"), cli_get(opts, 7, "key"), spec,
            cli_get(opts, 7, "tz") != NULL ? cli_get(opts, 7, "tz") : "UTC",
            cli_get(opts, 7, "payload"), first) == APP_OK) {
        printf("job '%s' scheduled\n", cli_get(opts, 7, "key"));
        rc = 0;
    } else {
        fprintf(stderr, "proofline: job not scheduled (unknown tenant?)\n");
    }
    arena_free(a);
    db_free(db);
    return rc;
}

int
cmd_jobs(struct conf *c, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "run") == 0)
        return jobs_run_cmd(c, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "add") == 0)
        return jobs_add_cmd(c, argc, argv);
    fprintf(stderr, "usage: proofline jobs run [--now TIME] [--owner NAME] "
                    "[--tenant T]\n"
                    "       proofline jobs add --tenant T --kind K --key K "
                    "--payload JSON [--spec S] [--tz Z] [--first TIME]\n");
    return 2;
}
