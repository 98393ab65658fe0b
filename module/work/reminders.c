/*
 * reminders.c -- reminders from the rules (reminders.h).
 */
#include "work/reminders.h"

#include "sales/contracts.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/sched.h"
#include "base/tz.h"
#include "identity/role.h"
#include "identity/users.h"
#include "rules/rules.h"
#include "base/num.h"
#include "sales/activities.h"
#include "sales/customers.h"
#include "work/notify.h"
#include "work/tasks.h"
#include "work/actions.h"
#include "work/alerts.h"
#include "work/pos_jobs.h"

static const char SQL_STALE[] =
    "SELECT t.id, t.time_zone, COALESCE(r.version_id, 0) FROM tenants t "
    "LEFT JOIN tenant_rules r ON r.tenant_id = t.id "
    "WHERE (COALESCE(r.version_id, 0) <> t.schedules_version OR "
    "(r.version_id IS NULL AND t.schedules_version = 0)) "
    "AND (? = 0 OR t.id = ?) "
    "ORDER BY t.id LIMIT 50";
static const char SQL_SYNCED[] =
    "UPDATE tenants SET schedules_version = ? WHERE id = ?";
static const char SQL_SCHEDULE_JOBS[] =
    "SELECT job_key FROM jobs WHERE tenant_id = ? AND kind = 'schedule' "
    "AND active = 1";
static const char SQL_VISITS_MISSING[] =
    "SELECT a.id, a.rep_id, c.name FROM activities a JOIN customers c ON "
    "c.id = a.customer_id AND c.tenant_id = a.tenant_id JOIN users u ON "
    "u.id = a.rep_id AND u.tenant_id = a.tenant_id AND u.active = 1 "
    "WHERE a.tenant_id = ? AND a.kind = 'visit' AND a.status = 'open' AND "
    "a.at >= ? AND a.at < ? ORDER BY a.id LIMIT ?";
static const char SQL_PEOPLE[] =
    "SELECT id, login, display_name, role, region, COALESCE(manager_id, 0) "
    "FROM users WHERE tenant_id = ? AND active = 1 AND (? = '' OR role = ?) "
    "ORDER BY id LIMIT ?";

/* The reminders of the company's published rules (caller deletes). */
APP_MUST_USE static enum app_err
list_of(struct ctx *cx, struct sbx **s, int *version, cJSON **list)
{
    char err[512];
    enum app_err rc = rules_get(cx, s, version);

    *list = NULL;
    if (rc == APP_OK && rules_call_json(*s, "schedules", NULL, list, err,
                                        sizeof(err)) != APP_OK) {
        cx->err_text = arena_strdup(cx->a, err);
        rc = APP_ERULE;
    }
    return rc;
}

/* One company: a job per `every` reminder, the others stopped. */
APP_MUST_USE static enum app_err
sync_one(struct ctx *cx, const char *tz, time_t now)
{
    struct sbx *s;
    int version;
    cJSON *list = NULL, *it;
    struct db_res jobs;
    enum app_err rc = list_of(cx, &s, &version, &list);
    size_t i;

    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_SCHEDULE_JOBS,
                      DB_ARGS(DB_I64(cx->tenant_id)), 1000, &jobs);
    cJSON_ArrayForEach(it, list)
    {
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(it, "key"));
        const char *every =
            cJSON_GetStringValue(cJSON_GetObjectItem(it, "every"));
        const char *facts =
            cJSON_GetStringValue(cJSON_GetObjectItem(it, "facts"));
        const char *why;
        struct sched sc;
        cJSON *p;
        char *payload;

        if (rc != APP_OK || key == NULL || every == NULL)
            continue;
        if (!sched_parse(str_c(every), &sc, &why)) {
            log_warn("reminders.bad_schedule", "tenant=%lld key=%s every=%s",
                     (long long)cx->tenant_id, key, log_q(every));
            continue;
        }
        p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "key", key);
        cJSON_AddStringToObject(p, "facts", facts != NULL ? facts : "people");
        payload = cJSON_PrintUnformatted(p);
        cJSON_Delete(p);
        rc = payload != NULL
                 ? jobs_put(cx->db, cx->tenant_id, "schedule", key, every, tz,
                            payload, sched_next(&sc, tz, now))
                 : APP_ENOMEM;
        cJSON_free(payload);
    }
    /* The company's alerts job (metrics against thresholds). */
    if (rc == APP_OK)
        rc = alerts_schedule(cx, tz, now);
    /* The company's POS incoming directory, when configured. */
    if (rc == APP_OK)
        rc = pos_jobs_schedule(cx, tz, now);
    /* Reminders that are gone: their jobs stop. */
    for (i = 0; rc == APP_OK && i < jobs.nrows; i++) {
        const char *key = db_text(&jobs, i, 0);
        bool kept = false;

        cJSON_ArrayForEach(it, list)
        {
            const char *k =
                cJSON_GetStringValue(cJSON_GetObjectItem(it, "key"));
            const char *every =
                cJSON_GetStringValue(cJSON_GetObjectItem(it, "every"));

            kept = kept || (k != NULL && every != NULL && strcmp(k, key) == 0);
        }
        if (!kept)
            rc = jobs_stop(cx->db, cx->tenant_id, "schedule", key);
    }
    cJSON_Delete(list);
    return rc;
}

/* The number of published version id vid (0: none). */
static int
version_number(struct db *db, struct arena *a, int64_t tenant, int64_t vid)
{
    struct db_res r;

    if (vid <= 0 ||
        db_query(db, a,
                 "SELECT version FROM rule_versions WHERE tenant_id = ? AND "
                 "id = ?",
                 DB_ARGS(DB_I64(tenant), DB_I64(vid)), 1, &r) != APP_OK ||
        r.nrows == 0)
        return 0;
    return (int)db_int(&r, 0, 0, 0);
}

enum app_err
reminders_sync(const struct conf *c, struct db *db, struct rules *rules,
               struct arena *a, time_t now, int64_t tenant)
{
    struct db_res res;
    enum app_err rc = db_query(
        db, a, SQL_STALE, DB_ARGS(DB_I64(tenant), DB_I64(tenant)), 50, &res);
    size_t i;

    for (i = 0; rc == APP_OK && i < res.nrows; i++) {
        struct ctx cx;
        struct sbx *s;
        int version = 0;
        enum app_err one;
        int64_t vid = 0;

        ctx_init(&cx, a, db, c, rules, db_int(&res, i, 0, 0), 0, ROLE_ADMIN);
        cx.tenant_tz = db_text(&res, i, 1);
        one = rules_get(&cx, &s, &version); /* publishes the defaults */
        if (one == APP_OK)
            one = sync_one(&cx, cx.tenant_tz, now);
        if (one != APP_OK)
            log_warn("reminders.sync_failed", "tenant=%lld error=%s text=%s",
                     (long long)cx.tenant_id, app_err_code(one),
                     log_q(cx.err_text != NULL ? cx.err_text : ""));
        rc = rulesets_published_id(db, a, cx.tenant_id, &vid);
        /* Recorded only for the version the jobs were made from (a
         * sandbox may lag a publish by rules_check_ms): a broken rule set
         * is recorded too, so it is not retried every pass; the next
         * publish brings it up to date. */
        if (rc == APP_OK && one == APP_OK && vid > 0 &&
            version_number(db, a, cx.tenant_id, vid) != version)
            continue;
        if (rc == APP_OK)
            rc = db_exec(
                db, SQL_SYNCED,
                DB_ARGS(DB_I64(vid > 0 ? vid : 1), DB_I64(cx.tenant_id)), NULL,
                NULL);
    }
    return rc;
}

/* People as facts: {id, login, name, role, region, manager_id}. */
APP_MUST_USE static enum app_err
people(struct ctx *cx, const char *role, cJSON *out)
{
    struct db_res r;
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_PEOPLE,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(role), DB_CSTR(role),
                         DB_I64(REMINDER_FACTS_MAX)),
                 REMINDER_FACTS_MAX, &r);
    size_t i;

    for (i = 0; rc == APP_OK && i < r.nrows; i++) {
        cJSON *o = cJSON_CreateObject();

        if (o == NULL || !cJSON_AddItemToArray(out, o)) {
            cJSON_Delete(o);
            return APP_ENOMEM;
        }
        cJSON_AddNumberToObject(o, "id", (double)db_int(&r, i, 0, 0));
        cJSON_AddStringToObject(o, "login", db_text(&r, i, 1));
        cJSON_AddStringToObject(o, "name", db_text(&r, i, 2));
        cJSON_AddStringToObject(o, "role", db_text(&r, i, 3));
        cJSON_AddStringToObject(o, "region", db_text(&r, i, 4));
        cJSON_AddNumberToObject(o, "manager_id", (double)db_int(&r, i, 5, 0));
    }
    return rc;
}

/* Visits of the local day before `now` that were checked in and not
 * completed -- a visit completes only with its required photos, so these
 * are the ones missing photos: {id, rep_id, customer_name}. */
APP_MUST_USE static enum app_err
visits_missing(struct ctx *cx, time_t now, cJSON *out)
{
    struct tm tm;
    struct db_res r;
    char from[32], to[32];
    size_t i;
    enum app_err rc;

    tz_local(cx->tenant_tz, now, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tz_utc_text(tz_mktime(cx->tenant_tz, &tm), to, sizeof(to));
    tm.tm_mday--;
    tz_utc_text(tz_mktime(cx->tenant_tz, &tm), from, sizeof(from));
    rc = db_query(cx->db, cx->a, SQL_VISITS_MISSING,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(from), DB_CSTR(to),
                          DB_I64(REMINDER_FACTS_MAX)),
                  REMINDER_FACTS_MAX, &r);
    for (i = 0; rc == APP_OK && i < r.nrows; i++) {
        cJSON *o = cJSON_CreateObject();

        if (o == NULL || !cJSON_AddItemToArray(out, o)) {
            cJSON_Delete(o);
            return APP_ENOMEM;
        }
        cJSON_AddNumberToObject(o, "id", (double)db_int(&r, i, 0, 0));
        cJSON_AddNumberToObject(o, "rep_id", (double)db_int(&r, i, 1, 0));
        cJSON_AddStringToObject(o, "customer_name", db_text(&r, i, 2));
    }
    return rc;
}

enum app_err
reminders_facts(struct ctx *cx, const char *name, time_t now, cJSON **out)
{
    enum app_err rc = APP_OK;

    *out = cJSON_CreateArray();
    if (*out == NULL)
        return APP_ENOMEM;
    if (strcmp(name, "people") == 0)
        rc = people(cx, "", *out);
    else if (strcmp(name, "reps") == 0)
        rc = people(cx, "rep", *out);
    else if (strcmp(name, "managers") == 0)
        rc = people(cx, "manager", *out);
    else if (strcmp(name, "visits_missing_photos") == 0)
        rc = visits_missing(cx, now, *out);
    else
        rc = APP_EINVAL;
    if (rc != APP_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

/* schedule_run(key, items, at) on s. */
APP_MUST_USE static enum app_err
run_rules(struct ctx *cx, struct sbx *s, const char *key, cJSON *items,
          const char *at_local, cJSON **actions, char *err, size_t errlen)
{
    cJSON *args = cJSON_CreateArray();
    enum app_err rc;

    if (args == NULL) {
        cJSON_Delete(items);
        return APP_ENOMEM;
    }
    cJSON_AddItemToArray(args, cJSON_CreateString(key));
    cJSON_AddItemToArray(args, items);
    cJSON_AddItemToArray(args, cJSON_CreateString(at_local));
    rc = ctx_incomplete(cx, "reminder arguments")
             ? APP_ENOMEM
             : rules_call_json(s, "schedule_run", args, actions, err, errlen);
    cJSON_Delete(args);
    return rc;
}

/* "YYYY-MM-DD HH:MM" of t in the company's zone. */
static const char *
local_text(struct ctx *cx, time_t t)
{
    struct tm tm;

    tz_local(cx->tenant_tz, t, &tm);
    return arena_printf(cx->a, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

enum app_err
reminders_run(struct ctx *cx, const struct job *j, const char *key,
              const char **error)
{
    struct sbx *s;
    struct action_ctx ac;
    struct action_counts n;
    cJSON *p = cJSON_Parse(j->payload), *items = NULL, *actions = NULL;
    const char *facts = cJSON_GetStringValue(cJSON_GetObjectItem(p, "facts"));
    char err[512];
    int version;
    enum app_err rc = rules_get(cx, &s, &version);

    if (rc == APP_OK)
        rc = reminders_facts(cx, facts != NULL ? facts : "people", j->slot,
                             &items);
    if (rc == APP_EINVAL)
        *error = "unknown facts";
    if (rc == APP_OK) {
        rc = run_rules(cx, s, key, items, local_text(cx, j->slot), &actions,
                       err, sizeof(err));
        if (rc != APP_OK)
            *error = arena_strdup(cx->a, err);
    } else {
        cJSON_Delete(items);
    }
    memset(&ac, 0, sizeof(ac));
    ac.rule_script = "schedules";
    ac.rule_version = version;
    ac.key = jobs_effect_key(cx->a, j);
    ac.at = j->slot;
    if (rc == APP_OK)
        rc = actions_apply(cx, &ac, actions, &n, error);
    if (rc == APP_OK)
        log_info("reminders.ran",
                 "tenant=%lld key=%s tasks=%ld notified=%ld "
                 "skipped=%ld",
                 (long long)cx->tenant_id, key, n.tasks, n.notifications,
                 n.skipped);
    cJSON_Delete(actions);
    cJSON_Delete(p);
    return rc;
}

/* The object of an event as the rules see it. */
APP_MUST_USE static enum app_err
object_facts(struct ctx *cx, const char *kind, int64_t id, cJSON **out,
             int64_t *owner)
{
    struct customer c;
    cJSON *o;
    enum app_err rc;

    *out = NULL;
    *owner = 0;
    if (strcmp(kind, "contract") == 0) { /* its customer, and its number */
        struct contract k;

        rc = contracts_get(cx, id, false, &k);
        if (rc != APP_OK)
            return rc;
        rc = object_facts(cx, "customer", k.customer_id, out, owner);
        if (rc == APP_OK && *out != NULL) {
            cJSON_ReplaceItemInObjectCaseSensitive(
                *out, "id", cJSON_CreateNumber((double)id));
            cJSON_AddNumberToObject(*out, "customer_id", (double)k.customer_id);
            cJSON_AddStringToObject(*out, "number", contracts_number(cx, id));
            cJSON_AddStringToObject(*out, "amount", k.amount);
        }
        return rc;
    }
    if (strcmp(kind, "customer") != 0)
        return APP_OK;
    rc = customers_get(cx, id, false, &c);
    /* A store's customer is a place that is visited, not a deal: the
     * reminders about a customer's (or its contract's) progress leave it
     * out.  What a visit there asks for stays (next_step_task,
     * visits_missing_photos). */
    if (rc != APP_OK || customers_is_store(&c))
        return rc;
    o = cJSON_CreateObject();
    if (o == NULL)
        return APP_ENOMEM;
    cJSON_AddNumberToObject(o, "id", (double)c.id);
    cJSON_AddStringToObject(o, "name", c.name);
    cJSON_AddNumberToObject(o, "owner_id", (double)c.owner_id);
    cJSON_AddStringToObject(o, "owner_name", c.owner_name);
    cJSON_AddStringToObject(o, "stage", c.stage);
    cJSON_AddStringToObject(o, "kind", c.kind);
    cJSON_AddStringToObject(o, "city", c.city);
    *owner = c.owner_id;
    *out = o;
    return APP_OK;
}

/* Actions without a due time are due `hours` after the event. */
static void
default_due(cJSON *actions, double hours)
{
    cJSON *a;

    if (hours <= 0)
        return;
    cJSON_ArrayForEach(a, actions)
    {
        if (!cJSON_HasObjectItem(a, "due") &&
            !cJSON_HasObjectItem(a, "due_hours"))
            cJSON_AddNumberToObject(a, "due_hours", hours);
    }
}

/* One `after` reminder for the event's object. */
APP_MUST_USE static enum app_err
after_one(struct ctx *cx, struct sbx *s, int version, const cJSON *it,
          const char *event, const char *kind, int64_t id)
{
    const cJSON *after = cJSON_GetObjectItem(it, "after");
    const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(it, "key"));
    cJSON *items, *obj, *actions = NULL;
    struct action_ctx ac;
    struct action_counts n;
    const char *why;
    char err[512];
    time_t now = time(NULL);
    int64_t owner;
    enum app_err rc = object_facts(cx, kind, id, &obj, &owner);

    if (rc != APP_OK || obj == NULL || key == NULL)
        return rc;
    items = cJSON_CreateArray();
    if (items == NULL || !cJSON_AddItemToArray(items, obj)) {
        cJSON_Delete(items);
        cJSON_Delete(obj);
        return APP_ENOMEM;
    }
    rc = run_rules(cx, s, key, items, local_text(cx, now), &actions, err,
                   sizeof(err));
    if (rc != APP_OK) {
        cx->err_detail = "rules.failed";
        cx->err_text = arena_strdup(cx->a, err);
        return APP_ERULE;
    }
    default_due(actions,
                cJSON_GetNumberValue(cJSON_GetObjectItem(after, "hours")));
    memset(&ac, 0, sizeof(ac));
    ac.rule_script = "schedules";
    ac.rule_version = version;
    ac.key = arena_printf(cx->a, "event:%s:%s:%lld:%s:%lld", event, kind,
                          (long long)id, key, (long long)now);
    ac.at = now;
    ac.owner_id = owner;
    ac.object_kind = kind;
    ac.object_id = id;
    if (ac.key == NULL)
        rc = APP_ENOMEM;
    if (rc == APP_OK)
        rc = actions_apply(cx, &ac, actions, &n, &why);
    if (rc == APP_OK && n.skipped > 0)
        log_warn("reminders.skipped", "tenant=%lld key=%s why=%s",
                 (long long)cx->tenant_id, key, log_q(why));
    cJSON_Delete(actions);
    return rc;
}

/* An activity with a next step and its date: the rep's task, due that
 * day at 18:00 (once per activity). */
APP_MUST_USE static enum app_err
next_step_task(struct ctx *cx, int64_t activity_id)
{
    struct db_res a;
    struct task_input in;
    struct tm tm;
    char due[32];
    int y, mo, d;
    int64_t id;
    bool created;
    enum app_err rc = activities_get(cx, activity_id, &a);

    if (rc != APP_OK || db_text(&a, 0, AC_NEXT_DATE)[0] == '\0' ||
        db_text(&a, 0, AC_NEXT_STEP)[0] == '\0' ||
        !parse_date(str_c(db_text(&a, 0, AC_NEXT_DATE)), &y, &mo, &d))
        return rc;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = 18;
    memset(&in, 0, sizeof(in));
    in.kind = "todo";
    {
        const char *step = db_text(&a, 0, AC_NEXT_STEP);

        in.title = arena_strndup(cx->a, step,
                                 utf8_cut(step, strlen(step), TASK_TITLE_MAX));
    }
    in.body = arena_printf(cx->a, "%s", db_text(&a, 0, AC_CUSTOMER_NAME));
    in.priority = 2;
    in.due_at = tz_utc_text(tz_mktime(cx->tenant_tz, &tm), due, sizeof(due));
    in.assignee_id = db_int(&a, 0, AC_REP_ID, 0);
    in.object_kind = "customer";
    in.object_id = db_int(&a, 0, AC_CUSTOMER_ID, 0);
    in.dedup_key =
        arena_printf(cx->a, "activity:%lld:next", (long long)activity_id);
    if (in.title == NULL || in.body == NULL || in.dedup_key == NULL)
        return APP_ENOMEM;
    return tasks_create(cx, &in, &id, &created);
}

enum app_err
reminders_event(struct ctx *cx, const char *event, const char *object_kind,
                int64_t object_id)
{
    struct sbx *s;
    int version;
    cJSON *list = NULL, *it;
    enum app_err rc = APP_OK;

    if (event == NULL || object_kind == NULL)
        return APP_ENOMEM;
    if (strcmp(event, ACTIVITY_EVENT) == 0) {
        rc = next_step_task(cx, object_id);
        if (rc != APP_OK)
            return rc;
    }
    if (cx->rules == NULL)
        return APP_OK; /* no rule engine here (a unit test) */
    rc = list_of(cx, &s, &version, &list);
    cJSON_ArrayForEach(it, list)
    {
        const char *ev = cJSON_GetStringValue(
            cJSON_GetObjectItem(cJSON_GetObjectItem(it, "after"), "event"));

        if (rc == APP_OK && ev != NULL && strcmp(ev, event) == 0)
            rc = after_one(cx, s, version, it, event, object_kind, object_id);
    }
    cJSON_Delete(list);
    return rc;
}

enum app_err
reminders_preview(struct ctx *cx, struct sbx *s, const char *key,
                  const char *at_local, cJSON **actions, char *err,
                  size_t errlen)
{
    cJSON *list = NULL, *it, *items = NULL;
    const char *facts = NULL;
    enum app_err rc;

    *actions = NULL;
    if (rules_call_json(s, "schedules", NULL, &list, err, errlen) != APP_OK)
        return APP_ERULE;
    cJSON_ArrayForEach(it, list)
    {
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(it, "key")) != NULL
                       ? cJSON_GetStringValue(cJSON_GetObjectItem(it, "key"))
                       : "",
                   key) == 0)
            facts = arena_strdup(
                cx->a, cJSON_GetStringValue(cJSON_GetObjectItem(it, "facts")));
    }
    cJSON_Delete(list);
    if (facts == NULL) {
        snprintf(err, errlen, "no reminder named %s", key);
        return APP_ENOTFOUND;
    }
    rc = reminders_facts(cx, facts, time(NULL), &items);
    if (rc == APP_EINVAL) {
        snprintf(err, errlen, "schedules %s: unknown facts \"%s\"", key, facts);
        return APP_ERULE;
    }
    if (rc == APP_OK &&
        run_rules(cx, s, key, items, at_local, actions, err, errlen) != APP_OK)
        rc = APP_ERULE;
    return rc;
}
