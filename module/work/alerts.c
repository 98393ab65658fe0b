/*
 * alerts.c -- breaches and their actions, once per key and period
 * (alerts.h).
 */
#include "work/alerts.h"

#include <stdio.h>
#include <string.h>

#include "base/conf.h"
#include "base/log.h"
#include "base/sched.h"
#include "base/tz.h"
#include "rules/rules.h"
#include "work/actions.h"

static const struct alert_metric *metrics[ALERTS_METRICS_MAX];
static size_t nmetrics;

static const char SQL_STATE[] =
    "SELECT active, period, actions FROM alert_states WHERE tenant_id = ? "
    "AND alert_key = ? FOR UPDATE";
static const char SQL_ACTED[] =
    "INSERT INTO alert_states (tenant_id, alert_key, active, period, "
    "acted_at, actions) VALUES (?, ?, 1, ?, ?, 1) ON DUPLICATE KEY UPDATE "
    "active = 1, period = VALUES(period), acted_at = VALUES(acted_at), "
    "cleared_at = NULL, actions = actions + 1";
static const char SQL_BACK[] =
    "UPDATE alert_states SET active = 1, cleared_at = NULL WHERE tenant_id = "
    "? AND alert_key = ? AND active = 0";
static const char SQL_ACTIVE[] =
    "SELECT alert_key FROM alert_states WHERE tenant_id = ? AND active = 1 "
    "LIMIT 10000";
static const char SQL_CLEAR[] =
    "UPDATE alert_states SET active = 0, cleared_at = ? WHERE tenant_id = ? "
    "AND alert_key = ? AND active = 1";

static const char SQL_ACTIVE_LIST[] =
    "SELECT 'alert', alert_key, acted_at, NULL, NULL, 1 FROM alert_states "
    "WHERE tenant_id = ? AND active = 1 "
    "UNION ALL SELECT 'task', NULL, NULL, id, title, 1 FROM tasks "
    "WHERE tenant_id = ? AND assignee_id = ? AND status = 'open' "
    "AND rule_script = 'alerts' "
    "UNION ALL SELECT 'focus', stage, since, losses, NULL, 0 FROM loss_focus "
    "WHERE tenant_id = ? "
    "ORDER BY 6, 3 DESC LIMIT 41";

enum app_err
alerts_active(struct ctx *cx, struct db_res *out)
{
    return db_query(cx->db, cx->a, SQL_ACTIVE_LIST,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(cx->tenant_id),
                            DB_I64(cx->user_id), DB_I64(cx->tenant_id)),
                    41, out);
}

void
alerts_register(const struct alert_metric *m)
{
    if (nmetrics < ALERTS_METRICS_MAX)
        metrics[nmetrics++] = m;
}

/* The test metric (debug_routes only): its value from the payload. */
APP_MUST_USE static enum app_err
test_breaches(struct ctx *cx, const cJSON *thresholds, const cJSON *payload,
              time_t now, cJSON *out)
{
    const cJSON *v = cJSON_GetObjectItem(payload, "test_value");
    const cJSON *h = cJSON_GetObjectItem(thresholds, "stage_health");
    double warning = cJSON_GetNumberValue(cJSON_GetObjectItem(h, "warning"));
    cJSON *b;

    (void)now;
    if (!cx->conf->debug_routes || !cJSON_IsNumber(v) ||
        !(v->valuedouble < warning))
        return APP_OK;
    b = cJSON_CreateObject();
    if (b == NULL || !cJSON_AddItemToArray(out, b)) {
        cJSON_Delete(b);
        return APP_ENOMEM;
    }
    cJSON_AddStringToObject(b, "key", "stage_health:test");
    cJSON_AddStringToObject(b, "metric", "stage_health");
    cJSON_AddStringToObject(b, "status", "zombie");
    cJSON_AddStringToObject(b, "stage", "test");
    cJSON_AddStringToObject(b, "stage_name", "test");
    cJSON_AddNumberToObject(b, "value", v->valuedouble);
    return APP_OK;
}

/* A person's id in a breach, 0 when absent (cJSON's NaN for a missing
 * number must not become an id). */
static int64_t
id_of(const cJSON *b, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(b, k);

    return cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble < 9e15
               ? (int64_t)v->valuedouble
               : 0;
}

/* Act on one breach unless it was acted on in this period already. */
APP_MUST_USE static enum app_err
act(struct ctx *cx, struct sbx *s, int version, cJSON *b, const char *period,
    time_t now, long *acted)
{
    const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(b, "key"));
    const char *own = cJSON_GetStringValue(cJSON_GetObjectItem(b, "period"));
    struct db_tx tx = DB_TX_INIT;
    struct db_res st;
    char at[32], err[512];
    bool once_per;
    enum app_err rc;

    if (key == NULL || strlen(key) > 150)
        return APP_OK;
    if (own != NULL && own[0] != '\0' && strlen(own) < 32)
        period = own; /* "once": acted on once while it stays true */
    /* A period of its own other than "once" (a week, a month) is acted on
     * once in it, even when the breach cleared and came back inside it. */
    once_per = own != NULL && period == own && strcmp(own, "once") != 0;
    tz_utc_text(now, at, sizeof(at));
    while (db_tx_next(cx->db, &tx, &rc)) {
        cJSON *args, *actions = NULL;
        struct action_ctx ac;
        struct action_counts n;
        const char *why;

        rc = db_query(cx->db, cx->a, SQL_STATE,
                      DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(key)), 1, &st);
        if (rc != APP_OK)
            continue;
        if (st.nrows == 1 && (db_int(&st, 0, 0, 0) == 1 || once_per) &&
            strcmp(db_text(&st, 0, 1), period) == 0) {
            /* acted on in this period (and, but for a period of its own,
             * still true since): it stands again, nothing is done */
            if (db_int(&st, 0, 0, 0) == 0)
                rc = db_exec(cx->db, SQL_BACK,
                             DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(key)), NULL,
                             NULL);
            continue;
        }
        args = cJSON_CreateArray();
        cJSON_AddItemReferenceToArray(args, b);
        if (rules_call_json(s, "on_alert", args, &actions, err, sizeof(err)) !=
            APP_OK) {
            cJSON_Delete(args);
            cx->err_text = arena_strdup(cx->a, err);
            rc = APP_ERULE;
            continue;
        }
        cJSON_Delete(args);
        memset(&ac, 0, sizeof(ac));
        ac.rule_script = "alerts";
        ac.rule_version = version;
        ac.key = arena_printf(
            cx->a, "alert:%s:%lld", key,
            (long long)(st.nrows == 1 ? db_int(&st, 0, 2, 0) + 1 : 1));
        ac.at = now;
        ac.owner_id = id_of(b, "owner_id");
        ac.manager_id = id_of(b, "manager_id");
        rc = ac.key != NULL ? actions_apply(cx, &ac, actions, &n, &why)
                            : APP_ENOMEM;
        cJSON_Delete(actions);
        if (rc == APP_OK)
            rc = db_exec(cx->db, SQL_ACTED,
                         DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(key),
                                 DB_CSTR(period), DB_CSTR(at)),
                         NULL, NULL);
        *acted += rc == APP_OK ? 1 : 0;
    }
    return rc;
}

/* States of alerts no metric reports any more are cleared. */
APP_MUST_USE static enum app_err
clear_gone(struct ctx *cx, const cJSON *breaches, time_t now)
{
    struct db_res r;
    char at[32];
    enum app_err rc = db_query(cx->db, cx->a, SQL_ACTIVE,
                               DB_ARGS(DB_I64(cx->tenant_id)), 10000, &r);
    size_t i;

    tz_utc_text(now, at, sizeof(at));
    for (i = 0; rc == APP_OK && i < r.nrows; i++) {
        const cJSON *b;
        bool still = false;

        cJSON_ArrayForEach(b, breaches)
        {
            const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(b, "key"));

            still = still || (k != NULL && strcmp(k, db_text(&r, i, 0)) == 0);
        }
        if (!still)
            rc = db_exec(cx->db, SQL_CLEAR,
                         DB_ARGS(DB_CSTR(at), DB_I64(cx->tenant_id),
                                 DB_CSTR(db_text(&r, i, 0))),
                         NULL, NULL);
    }
    return rc;
}

enum app_err
alerts_run(struct ctx *cx, const struct job *j, const char **error)
{
    struct sbx *s;
    int version;
    char err[512], period[16];
    cJSON *th = NULL, *breaches = cJSON_CreateArray(), *b;
    cJSON *payload = cJSON_Parse(j->payload);
    long acted = 0;
    size_t i;
    enum app_err rc =
        breaches != NULL ? rules_get(cx, &s, &version) : APP_ENOMEM;

    if (rc == APP_OK && rules_call_json(s, "thresholds", NULL, &th, err,
                                        sizeof(err)) != APP_OK) {
        *error = arena_strdup(cx->a, err);
        rc = APP_ERULE;
    }
    for (i = 0; rc == APP_OK && i < nmetrics; i++)
        rc = metrics[i]->breaches(cx, th, payload, j->slot, breaches);
    if (rc == APP_OK)
        rc = test_breaches(cx, th, payload, j->slot, breaches);
    {
        struct tm tm;

        tz_local(cx->tenant_tz, j->slot, &tm);
        snprintf(period, sizeof(period), "%04d-%02d-%02d",
                 (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
                 tm.tm_mday % 100);
    }
    cJSON_ArrayForEach(b, breaches)
    {
        if (rc == APP_OK)
            rc = act(cx, s, version, b, period, j->slot, &acted);
    }
    if (rc == APP_ERULE && (*error)[0] == '\0')
        *error = cx->err_text != NULL ? cx->err_text : "rules failed";
    if (rc == APP_OK)
        rc = clear_gone(cx, breaches, j->slot);
    if (rc == APP_OK && acted > 0)
        log_info("alerts.acted", "tenant=%lld alerts=%ld",
                 (long long)cx->tenant_id, acted);
    cJSON_Delete(th);
    cJSON_Delete(breaches);
    cJSON_Delete(payload);
    return rc;
}

enum app_err
alerts_schedule(struct ctx *cx, const char *tz, time_t now)
{
    struct sched sc;
    const char *why;

    if (!sched_parse(str_c(ALERTS_SPEC), &sc, &why))
        return APP_EINTERNAL;
    return jobs_put(cx->db, cx->tenant_id, "alerts", "metrics", ALERTS_SPEC, tz,
                    "{}", sched_next(&sc, tz, now));
}
