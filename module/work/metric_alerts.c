/*
 * metric_alerts.c -- the live metrics' breaches for the alerts job
 * (metric_alerts.h).
 */
#include "work/metric_alerts.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "identity/role.h"
#include "metrics/facts.h"
#include "metrics/metrics.h"
#include "work/alerts.h"

#define LOSS_FOCUS_MIN 3 /* losses in 30 days before a stage is a focus */
#define LOSS_SAMPLE 3    /* submissions a manager spot-checks a day */

static cJSON *
breach(cJSON *out, const char *key, const char *metric, const char *status)
{
    cJSON *b = cJSON_CreateObject();

    cJSON_AddItemToArray(out, b);
    cJSON_AddStringToObject(b, "key", key);
    cJSON_AddStringToObject(b, "metric", metric);
    cJSON_AddStringToObject(b, "status", status);
    return b;
}

static const char *
str_of(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static double
num_of(const cJSON *o, const char *k)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* The zombie stages of one manager's team. */
APP_MUST_USE static enum app_err
team_health(struct ctx *cx, int64_t manager, cJSON *out)
{
    struct metrics_query q = { .scope = MS_TEAM, .user_id = manager };
    cJSON *doc = NULL;
    const cJSON *s;
    enum app_err rc = metrics_stage_health(cx, &q, &doc);

    cJSON_ArrayForEach(s, cJSON_GetObjectItem(doc, "stages"))
    {
        const char *st = str_of(s, "status");
        char key[160];
        cJSON *b;

        if (st == NULL || strcmp(st, "zombie") != 0)
            continue;
        snprintf(key, sizeof(key), "stage_health:%s:%lld", str_of(s, "stage"),
                 (long long)manager);
        b = breach(out, key, "stage_health", "zombie");
        cJSON_AddStringToObject(b, "stage", str_of(s, "stage"));
        cJSON_AddStringToObject(b, "stage_name", str_of(s, "name"));
        cJSON_AddNumberToObject(b, "value", num_of(s, "health"));
        cJSON_AddNumberToObject(b, "manager_id", (double)manager);
    }
    cJSON_Delete(doc);
    return rc;
}

APP_MUST_USE static enum app_err
health_breaches(struct ctx *cx, const cJSON *thresholds, const cJSON *payload,
                time_t now, cJSON *out)
{
    struct facts *f;
    enum app_err rc = facts_get(cx, &f);
    size_t i, n;
    int64_t *managers;

    (void)thresholds, (void)payload, (void)now;
    if (rc != APP_OK)
        return rc;
    n = f->nusers;
    managers = arena_calloc(cx->a, n + 1, sizeof(*managers));
    if (managers == NULL)
        return APP_ENOMEM;
    for (i = 0; i < n; i++) /* copied: the next facts_get may move them */
        managers[i] =
            f->users[i].manager && f->users[i].active ? f->users[i].id : 0;
    for (i = 0; rc == APP_OK && i < n; i++)
        if (managers[i] != 0)
            rc = team_health(cx, managers[i], out);
    return rc;
}

APP_MUST_USE static enum app_err
funnel_breaches(struct ctx *cx, const cJSON *thresholds, const cJSON *payload,
                time_t now, cJSON *out)
{
    struct metrics_query q = { .scope = MS_TENANT };
    cJSON *doc = NULL;
    const cJSON *s;
    enum app_err rc = metrics_funnel(cx, &q, &doc);

    (void)thresholds, (void)payload, (void)now;
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(doc, "stages"))
    {
        char key[160], tr[200];
        cJSON *b;

        if (!cJSON_IsTrue(cJSON_GetObjectItem(s, "break")))
            continue;
        snprintf(key, sizeof(key), "funnel_break:%s", str_of(s, "stage"));
        snprintf(tr, sizeof(tr), "%s → %s", str_of(s, "name"),
                 str_of(s, "next_name") != NULL ? str_of(s, "next_name") : "");
        b = breach(out, key, "funnel_break", "break");
        cJSON_AddStringToObject(b, "stage", str_of(s, "stage"));
        cJSON_AddStringToObject(b, "stage_name", str_of(s, "name"));
        cJSON_AddStringToObject(b, "transition", tr);
        cJSON_AddNumberToObject(b, "loss_rate", num_of(s, "loss_rate"));
        cJSON_AddNumberToObject(b, "value", num_of(s, "loss_rate"));
    }
    cJSON_Delete(doc);
    return rc;
}

APP_MUST_USE static enum app_err
consistency_breaches(struct ctx *cx, const cJSON *thresholds,
                     const cJSON *payload, time_t now, cJSON *out)
{
    struct metrics_query q = { .scope = MS_TENANT };
    cJSON *doc = NULL;
    const cJSON *s;
    struct facts *f;
    enum app_err rc = metrics_consistency(cx, &q, &doc);

    (void)thresholds, (void)payload, (void)now;
    if (rc == APP_OK)
        rc = facts_get(cx, &f);
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(doc, "reps"))
    {
        char key[64];
        cJSON *b;
        int64_t rep = (int64_t)num_of(s, "rep");
        uint16_t u;

        if (rc != APP_OK || !cJSON_IsTrue(cJSON_GetObjectItem(s, "flagged")))
            continue;
        snprintf(key, sizeof(key), "consistency:%lld", (long long)rep);
        b = breach(out, key, "consistency", "flagged");
        cJSON_AddStringToObject(b, "rep_name", str_of(s, "name"));
        cJSON_AddNumberToObject(b, "value", num_of(s, "share"));
        cJSON_AddNumberToObject(b, "mean", num_of(doc, "mean"));
        cJSON_AddNumberToObject(b, "owner_id", (double)rep);
        u = facts_user_index(f, rep);
        if (u != FACTS_NONE16 && f->users[u].manager_id != 0)
            cJSON_AddNumberToObject(b, "manager_id",
                                    (double)f->users[u].manager_id);
    }
    cJSON_Delete(doc);
    return rc == APP_OK ? facts_prune(cx) : rc;
}

/* Three customers of the list, picked at random but the same all day for
 * the same manager (the spot check of a period is one sample). */
static void
pick_three(const cJSON *list, int64_t manager, time_t now, int64_t *ids,
           size_t *n)
{
    size_t total = (size_t)cJSON_GetArraySize(list), k;
    uint64_t h = (uint64_t)manager * 0x9E3779B97F4A7C15ull ^
                 (uint64_t)(now / 86400) * 0xC2B2AE3D27D4EB4Full;

    *n = 0;
    for (k = 0; k < total && *n < LOSS_SAMPLE; k++) {
        size_t i = (size_t)((h >> 7) % total), j;
        bool dup = false;
        int64_t id;

        h = h * 6364136223846793005ull + 1442695040888963407ull;
        id = (int64_t)cJSON_GetNumberValue(
            cJSON_GetObjectItem(cJSON_GetArrayItem(list, (int)i), "id"));
        for (j = 0; j < *n; j++)
            dup = dup || ids[j] == id;
        if (!dup && id > 0)
            ids[(*n)++] = id;
    }
}

/* One manager's spot check: three recent entries of the team into the
 * stage with the most losses. */
APP_MUST_USE static enum app_err
spot_check(struct ctx *cx, int64_t manager, const char *stage,
           const char *stage_name, double count, time_t now, cJSON *out)
{
    struct metrics_query q = { .scope = MS_TEAM, .user_id = manager };
    struct metrics_list_req lr = { "funnel_entered", stage, NULL };
    cJSON *list = NULL, *ids_json = cJSON_CreateArray(), *b;
    int64_t ids[LOSS_SAMPLE];
    size_t n = 0, total = 0, i;
    char key[160];
    struct buf body;
    enum app_err rc = metrics_list(cx, &q, &lr, &list, &total);

    if (rc == APP_OK)
        pick_three(list, manager, now, ids, &n);
    cJSON_Delete(list);
    if (rc != APP_OK || n == 0) {
        cJSON_Delete(ids_json);
        return rc;
    }
    for (i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddNumberToObject(o, "id", (double)ids[i]);
        cJSON_AddItemToArray(ids_json, o);
    }
    snprintf(key, sizeof(key), "loss_focus:%s:%lld", stage, (long long)manager);
    b = breach(out, key, "loss_focus", "focus");
    cJSON_AddStringToObject(b, "stage", stage);
    cJSON_AddStringToObject(b, "stage_name", stage_name);
    cJSON_AddNumberToObject(b, "value", count);
    cJSON_AddNumberToObject(b, "manager_id", (double)manager);
    cJSON_AddItemToObject(b, "samples", ids_json);
    buf_init(&body, cx->a, 4096);
    for (i = 0; rc == APP_OK && i < n; i++)
        rc = buf_printf(&body, "/customers/%lld\n", (long long)ids[i]);
    if (rc == APP_OK)
        cJSON_AddStringToObject(b, "links",
                                arena_strndup(cx->a, body.p, body.len));
    return rc;
}

/* The stage where most customers were lost in the last 30 days (at least
 * LOSS_FOCUS_MIN of them): every manager gets a daily spot check of three
 * recent entries of their team into it (the seed's 锁定一个高频流失环节). */
APP_MUST_USE static enum app_err
loss_breaches(struct ctx *cx, const cJSON *thresholds, const cJSON *payload,
              time_t now, cJSON *out)
{
    struct metrics_query q = { .scope = MS_TENANT };
    cJSON *doc = NULL;
    const cJSON *top;
    struct facts *f;
    int64_t *managers;
    size_t i, n;
    enum app_err rc = metrics_losses(cx, &q, &doc);

    (void)thresholds, (void)payload;
    top = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "by_stage"), 0);
    if (rc != APP_OK || top == NULL || num_of(top, "count") < LOSS_FOCUS_MIN ||
        str_of(top, "stage") == NULL) {
        cJSON_Delete(doc);
        return rc;
    }
    rc = facts_get(cx, &f);
    n = rc == APP_OK ? f->nusers : 0;
    managers = arena_calloc(cx->a, n + 1, sizeof(*managers));
    for (i = 0; managers != NULL && i < n; i++)
        managers[i] =
            f->users[i].manager && f->users[i].active ? f->users[i].id : 0;
    for (i = 0; rc == APP_OK && managers != NULL && i < n; i++)
        if (managers[i] != 0)
            rc =
                spot_check(cx, managers[i], str_of(top, "stage"),
                           str_of(top, "name"), num_of(top, "count"), now, out);
    cJSON_Delete(doc);
    return rc == APP_OK && managers == NULL ? APP_ENOMEM : rc;
}

/* The alerts job runs as the system: it sees the whole company. */
#define AS_ADMIN(fn)                                                           \
    APP_MUST_USE static enum app_err fn##_admin(                               \
        struct ctx *cx, const cJSON *th, const cJSON *p, time_t now,           \
        cJSON *out)                                                            \
    {                                                                          \
        unsigned role = cx->role;                                              \
        enum app_err rc;                                                       \
                                                                               \
        cx->role = ROLE_ADMIN;                                                 \
        rc = fn(cx, th, p, now, out);                                          \
        cx->role = role;                                                       \
        return rc;                                                             \
    }
AS_ADMIN(health_breaches)
AS_ADMIN(funnel_breaches)
AS_ADMIN(consistency_breaches)
AS_ADMIN(loss_breaches)

static const struct alert_metric metrics[] = {
    { "stage_health", health_breaches_admin },
    { "funnel_break", funnel_breaches_admin },
    { "consistency", consistency_breaches_admin },
    { "loss_focus", loss_breaches_admin },
};

void
metric_alerts_init(void)
{
    size_t i;

    for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
        alerts_register(&metrics[i]);
}
