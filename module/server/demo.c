/*
 * demo.c -- `proofline demo`: a tenant with realistic, deterministic data.
 *
 * The same arguments give the same rows (names, hierarchy) on an empty
 * database; everything is written in one transaction, so an interrupted
 * run leaves nothing behind.  Each business area adds its entities here as
 * it lands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "server/cli.h"
#include "db/db.h"
#include "server/demo_activities.h"
#include "server/demo_contracts.h"
#include "server/demo_deals.h"
#include "server/demo_stores.h"
#include "server/demo_customers.h"
#include "base/num.h"
#include "identity/password.h"
#include "base/rng.h"
#include "rules/rulesets.h"
#include "identity/tenants.h"
#include "identity/role.h"
#include "identity/users.h"
#include "base/tz.h"
#include "db/ctx.h"
#include "work/tasks.h"

#define DEMO_PASSWORD "proofline-demo"

static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
    "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高",
};
static const char *const given[] = {
    "伟",   "芳",   "娜",   "敏",   "静",   "丽",   "强",
    "磊",   "军",   "洋",   "勇",   "艳",   "杰",   "涛",
    "明",   "超",   "秀英", "华",   "慧",   "建国", "晓东",
    "海燕", "志强", "雪梅", "子豪", "梓涵", "一鸣", "欣怡",
};

struct demo {
    struct db *db;
    struct arena *a;
    struct rng rng;
    int64_t tenant;
    char hash[PASSWORD_HASH_MAX];
    int64_t legal; /* who writes the clause library */
    int64_t *reps; /* ids of the reps, for their customers */
    size_t nreps;
    int64_t admin;
    int64_t *supervisors, *store_managers; /* for the retail chain */
    size_t nsupervisors, nstore_managers;
};

static void
person_name(struct demo *d, char *out, size_t n)
{
    const char *s =
        surnames[rng_below(&d->rng, sizeof(surnames) / sizeof(surnames[0]))];
    const char *g = given[rng_below(&d->rng, sizeof(given) / sizeof(given[0]))];

    snprintf(out, n, "%s%s", s, g);
}

APP_MUST_USE static enum app_err
add_user(struct demo *d, const char *login, const char *role, int64_t manager,
         const char *region, int64_t *id)
{
    char name[64];
    struct user_new nu;

    person_name(d, name, sizeof(name));
    memset(&nu, 0, sizeof(nu));
    nu.login = str_c(login);
    nu.display_name = str_c(name);
    nu.role = role_from_name(str_c(role));
    nu.manager_id = manager;
    nu.region = str_c(region);
    nu.password_hash = d->hash;
    return users_create(d->db, d->a, d->tenant, &nu, id);
}

/* The chain's area supervisors and store managers, numbered on from the
 * staff's supervisor1 and store1 (ids[0] is that one). */
APP_MUST_USE static enum app_err
chain_people(struct demo *d, const char *stem, const char *role, size_t n,
             int64_t first, int64_t **ids)
{
    char login[32];
    enum app_err rc = APP_OK;
    size_t i;

    *ids = arena_alloc(d->a, (n > 0 ? n : 1) * sizeof(**ids));
    if (*ids == NULL)
        return APP_ENOMEM;
    (*ids)[0] = first;
    for (i = 1; rc == APP_OK && i < n; i++) {
        snprintf(login, sizeof(login), "%s%zu", stem, i + 1);
        rc = add_user(d, login, role, d->admin, "", &(*ids)[i]);
    }
    return rc;
}

APP_MUST_USE static enum app_err
make_users(struct demo *d, int reps, int stores)
{
    static const char *const regions[] = { "华东", "华南", "华北", "西南" };
    static const struct {
        const char *login, *role;
    } staff[] = {
        { "legal1", "legal" },           { "finance1", "finance" },
        { "supervisor1", "supervisor" }, { "store1", "store_manager" },
        { "marketing1", "marketing" },
    };
    int managers = (reps + 3) / 4, i;
    int64_t admin, mgr[1250], ids[5];
    struct rng saved;
    enum app_err rc;
    char login[32];

    rc = add_user(d, "admin", "admin", 0, "", &admin);
    d->admin = admin;
    for (i = 0; rc == APP_OK && i < managers; i++) {
        snprintf(login, sizeof(login), "manager%d", i + 1);
        rc = add_user(d, login, "manager", admin, regions[i % 4], &mgr[i]);
    }
    d->reps = arena_alloc(d->a, (size_t)reps * sizeof(*d->reps));
    if (d->reps == NULL)
        return APP_ENOMEM;
    for (i = 0; rc == APP_OK && i < reps; i++) {
        snprintf(login, sizeof(login), "rep%d", i + 1);
        rc = add_user(d, login, "rep", mgr[i % managers],
                      regions[(i % managers) % 4], &d->reps[i]);
        d->nreps++;
    }
    for (i = 0; rc == APP_OK && i < (int)(sizeof(staff) / sizeof(staff[0]));
         i++)
        rc = add_user(d, staff[i].login, staff[i].role, admin, "", &ids[i]);
    d->legal = ids[0];
    d->nsupervisors = demo_chain_supervisors(stores);
    d->nstore_managers = demo_chain_managers(stores);
    /* their names from a generator of their own, so that the chain's size
     * changes nothing else of the demo */
    saved = d->rng;
    rng_seed(&d->rng, 0x5704e5);
    if (rc == APP_OK)
        rc = chain_people(d, "supervisor", "supervisor", d->nsupervisors,
                          ids[2], &d->supervisors);
    if (rc == APP_OK)
        rc = chain_people(d, "store", "store_manager", d->nstore_managers,
                          ids[3], &d->store_managers);
    d->rng = saved;
    return rc;
}

/* A few tasks for the first reps, from their managers: one overdue, one
 * due today, one later -- so the person's day and the team's view show
 * something.  Through the one write path (work/tasks.h), which also puts
 * the notification in each rep's inbox. */
APP_MUST_USE static enum app_err
demo_tasks(struct demo *d, const struct conf *c, time_t now)
{
    static const struct {
        const char *title, *kind;
        int hours, priority;
    } plan[] = {
        { "整理并补录上周拜访记录", "todo", -20, 1 },
        { "提交本区域竞品对比表", "review", 8, 2 },
        { "跟进报价审批进度", "todo", 24 * 4 + 10, 3 },
    };
    size_t i, k;
    enum app_err rc = APP_OK;

    for (i = 0; rc == APP_OK && i < d->nreps && i < 40; i++) {
        struct user u;
        struct ctx cx;

        rc = users_get(d->db, d->a, d->tenant, d->reps[i], &u);
        ctx_init(&cx, d->a, d->db, c, NULL, d->tenant, u.manager_id,
                 ROLE_MANAGER);
        for (k = 0; rc == APP_OK && k < sizeof(plan) / sizeof(plan[0]); k++) {
            struct task_input in;
            char due[32];
            int64_t id;
            bool created;

            memset(&in, 0, sizeof(in));
            in.title = plan[k].title;
            in.body = "";
            in.kind = plan[k].kind;
            in.priority = plan[k].priority;
            in.assignee_id = d->reps[i];
            in.due_at = tz_utc_text(now + (time_t)plan[k].hours * 3600, due,
                                    sizeof(due));
            rc = tasks_create(&cx, &in, &id, &created);
        }
    }
    return rc;
}

/* "YYYY-MM-DD" -> midnight UTC of that day. */
static bool
day_start(const char *s, time_t *out)
{
    struct tm tm;
    int y, m, dd;

    if (!parse_date(str_c(s), &y, &m, &dd) || y < 2000 || y > 2100)
        return false;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = dd;
    *out = timegm(&tm);
    return *out != (time_t)-1;
}

/* The customers of the demo tenant, inside the caller's transaction. */
APP_MUST_USE static enum app_err
fill(struct demo *d, const struct conf *c, const struct demo_spec *spec)
{
    char err[512];
    enum app_err rc;

    err[0] = '\0';
    rc = demo_customers(d->db, &d->rng, c, spec, err, sizeof(err));
    if (rc != APP_OK)
        fprintf(stderr, "proofline demo: %s\n", err);
    return rc;
}

/* The numeric options, checked; *now becomes noon UTC of --today (or of
 * the current day: the data of one day is the same all day). */
static bool
demo_numbers(const struct cli_opt *opts, int nopts, int64_t *reps,
             int64_t *seed, int64_t *customers, int64_t *days, int64_t *stores,
             int64_t *pos_days, time_t *now)
{
    const char *today = cli_get(opts, nopts, "today");
    const char *v;

    if (((v = cli_get(opts, nopts, "reps")) != NULL &&
         !parse_i64(str_c(v), 1, 5000, reps)) ||
        ((v = cli_get(opts, nopts, "seed")) != NULL &&
         !parse_i64(str_c(v), 0, INT64_MAX, seed)) ||
        ((v = cli_get(opts, nopts, "customers")) != NULL &&
         !parse_i64(str_c(v), 0, 1000000, customers)) ||
        ((v = cli_get(opts, nopts, "days")) != NULL &&
         !parse_i64(str_c(v), 7, 3650, days)) ||
        ((v = cli_get(opts, nopts, "stores")) != NULL &&
         !parse_i64(str_c(v), 0, DEMO_STORES_MAX, stores)) ||
        ((v = cli_get(opts, nopts, "pos-days")) != NULL &&
         !parse_i64(str_c(v), 7, DEMO_POS_DAYS_MAX, pos_days)) ||
        (today != NULL && !day_start(today, now)))
        return false;
    if (today == NULL)
        *now -= *now % 86400;
    *now += 12 * 3600; /* noon UTC: "today" whatever the tenant zone */
    if (*customers < 0)
        *customers = *reps * 12;
    return true;
}

/* A bulk writer: the metric engines hear of the new company from one
 * change row at the end instead of one per row (sql/017_fact_log.sql). */
static const char SQL_BULK[] = "SET @proofline_bulk = 1";
static const char SQL_RELOAD[] =
    "INSERT INTO fact_log (tenant_id, kind) VALUES (?, 9)";

enum app_err
demo_bulk(struct db *db)
{
    return db_exec(db, SQL_BULK, DB_NOARGS, NULL, NULL);
}

/* Commit the demo, then the part the activities' writer prepared, then
 * the default rules (their bootstrap commits on its own).  false when
 * something failed (said on stderr). */
static bool
finish(struct demo *d, const struct conf *c)
{
    char err[512];

    if (db_exec(d->db, SQL_RELOAD, DB_ARGS(DB_I64(d->tenant)), NULL, NULL) !=
            APP_OK ||
        db_commit(d->db) != APP_OK) {
        app_ignore(demo_acts_settle(d->db, false), "reported: the commit");
        return false;
    }
    if (demo_acts_settle(d->db, true) != APP_OK) {
        fprintf(stderr,
                "proofline demo: the activities are prepared but not "
                "committed (%s): XA COMMIT 'proofline-demo-activities' "
                "finishes them\n",
                db_error(d->db));
        return false;
    }
    if (rulesets_bootstrap(d->db, d->a, d->tenant, c->lua_dir, err,
                           sizeof(err)) != APP_OK) {
        fprintf(stderr, "proofline demo: default rules: %s\n", err);
        return false;
    }
    return true;
}

/* The retail chain, after the rest (demo_stores.h). */
APP_MUST_USE static enum app_err
chain_of(struct demo *d, const struct conf *c, int64_t stores, int64_t pos_days,
         int64_t seed, time_t now)
{
    struct demo_chain chain;
    enum app_err rc;

    memset(&chain, 0, sizeof(chain));
    chain.tenant = d->tenant;
    chain.admin = d->admin;
    chain.supervisors = d->supervisors;
    chain.nsupervisors = d->nsupervisors;
    chain.managers = d->store_managers;
    chain.nmanagers = d->nstore_managers;
    chain.stores = (int)stores;
    chain.pos_days = (int)pos_days;
    chain.seed = (uint64_t)seed;
    chain.now = now;
    rc = demo_stores(d->db, d->a, c, &chain);
    if (rc != APP_OK)
        fprintf(stderr, "proofline demo: the retail chain failed: %s\n",
                db_error(d->db));
    return rc;
}

int
cmd_demo(struct conf *c, int argc, char **argv)
{
    struct cli_opt opts[] = {
        { "tenant", true, NULL },     { "reps", true, NULL },
        { "seed", true, NULL },       { "customers", true, NULL },
        { "days", true, NULL },       { "today", true, NULL },
        { "stores", true, NULL },     { "pos-days", true, NULL },
        { "if-absent", false, NULL },
    };
    const int nopts = (int)(sizeof(opts) / sizeof(opts[0]));
    const char *pos[1];
    int npos, rc = 1;
    int64_t reps = 6, seed = 1, customers = -1, days = 220, stores = 24,
            pos_days = 60;
    const char *slug;
    struct demo d;
    struct demo_spec spec;
    struct tenant_new t = { 0 };
    const char *problem = NULL;
    time_t now = time(NULL);

    memset(&d, 0, sizeof(d));
    if (cli_parse("demo", argc, argv, 1, opts, nopts, pos, 0, &npos) != 0)
        return 2;
    slug = cli_get(opts, nopts, "tenant");
    if (slug == NULL)
        slug = "demo";
    if (!demo_numbers(opts, nopts, &reps, &seed, &customers, &days, &stores,
                      &pos_days, &now)) {
        fprintf(stderr, "proofline demo: --reps takes 1..5000, --customers "
                        "0..1000000, --days 7..3650, --stores 0..20000, "
                        "--pos-days 7..400, --today a date (YYYY-MM-DD), "
                        "--seed a non-negative integer\n");
        return 2;
    }
    d.a = arena_new(64 * 1024, 256u << 20);
    d.db = d.a != NULL ? cli_db_open(c, "demo") : NULL;
    if (d.db == NULL || demo_bulk(d.db) != APP_OK)
        goto out;
    if (tenants_find(d.db, d.a, str_c(slug), &d.tenant) != APP_OK)
        goto out;
    if (d.tenant != 0) {
        if (cli_get(opts, nopts, "if-absent") != NULL) {
            printf("demo: tenant '%s' exists, data kept\n", slug);
            rc = 0;
        } else {
            fprintf(stderr, "proofline demo: tenant '%s' already exists\n",
                    slug);
        }
        goto out;
    }
    rng_seed(&d.rng, (uint64_t)seed);
    /* One hash for every demo user: they share the password, and hashing
     * it once keeps a large demo fast. */
    if (password_hash(STR_LIT(DEMO_PASSWORD), d.hash) != APP_OK)
        goto out;
    if (db_begin(d.db) != APP_OK)
        goto out;
    t.slug = str_c(slug);
    t.name = str_c(strcmp(slug, "demo") == 0 ? "演示公司" : slug);
    if (tenants_create(d.db, &t, &d.tenant, &problem) != APP_OK) {
        fprintf(stderr, "proofline demo: tenant '%s': %s\n", slug,
                problem != NULL ? problem : "cannot be made");
        goto rollback;
    }
    if (make_users(&d, (int)reps, (int)stores) != APP_OK)
        goto rollback;
    memset(&spec, 0, sizeof(spec));
    spec.tenant = d.tenant;
    spec.reps = d.reps;
    spec.nreps = d.nreps;
    spec.customers = customers;
    spec.days = (int)days;
    spec.now = now;
    if (fill(&d, c, &spec) != APP_OK || demo_tasks(&d, c, now) != APP_OK ||
        demo_contracts(d.db, d.a, c, d.tenant, d.legal) != APP_OK)
        goto rollback;
    if (!finish(&d, c) || demo_deals(d.db, d.a, c, d.tenant, now) != APP_OK)
        goto out;
    if (chain_of(&d, c, stores, pos_days, seed, now) != APP_OK)
        goto out;
    printf("demo: tenant '%s' created with %lld reps and %lld customers "
           "(seed %lld); password '%s'\n",
           slug, (long long)reps, (long long)customers, (long long)seed,
           DEMO_PASSWORD);
    rc = 0;
    goto out;
rollback:
    fprintf(stderr, "proofline demo: failed: %s\n", db_error(d.db));
    db_rollback(d.db);
    app_ignore(demo_acts_settle(d.db, false), "reported: the failure");
out:
    db_free(d.db);
    arena_free(d.a);
    return rc;
}
