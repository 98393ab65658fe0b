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
#include "rules/ruledesc.h"
#include "sales/loss_focus.h"
#include "work/alerts.h"

#define LOSS_SAMPLE_MAX 10 /* submissions a manager spot-checks a day */

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

/* `want` different customers of the list (all when it has fewer), picked
 * at random but the same all day for the same manager (the spot check of
 * a period is one sample): the first steps of a Fisher-Yates shuffle
 * driven by a generator seeded with the manager and the day. */
static void
pick_sample(const cJSON *list, int64_t manager, time_t now, size_t want,
            int64_t *ids, size_t *n)
{
    int64_t pool[METRICS_LIST_MAX];
    size_t total = 0, k;
    uint64_t h = (uint64_t)manager * 0x9E3779B97F4A7C15ull ^
                 (uint64_t)(now / 86400) * 0xC2B2AE3D27D4EB4Full;
    const cJSON *it;

    *n = 0;
    cJSON_ArrayForEach(it, list)
    {
        double id = cJSON_GetNumberValue(cJSON_GetObjectItem(it, "id"));

        if (total < METRICS_LIST_MAX && id >= 1 && id < 9e15)
            pool[total++] = (int64_t)id;
    }
    for (k = 0; k < total && k < want; k++) {
        size_t j;
        int64_t t;

        h = h * 6364136223846793005ull + 1442695040888963407ull;
        j = k + (size_t)((h >> 33) % (total - k));
        t = pool[k];
        pool[k] = pool[j];
        pool[j] = t;
        ids[(*n)++] = pool[k];
    }
}

/* What the rules' loss_focus says (stages.lua). */
struct focus_rule {
    int min_losses, window_days;
    size_t sample;
};

/* One manager's spot check: `sample` recent entries of the team into the
 * stage with the most losses. */
APP_MUST_USE static enum app_err
spot_check(struct ctx *cx, const struct focus_rule *fr, int64_t manager,
           const char *stage, const char *stage_name, double count, time_t now,
           cJSON *out)
{
    struct metrics_query q = { .scope = MS_TEAM,
                               .user_id = manager,
                               .window_days = fr->window_days };
    struct metrics_list_req lr = { "funnel_entered", stage, NULL };
    cJSON *list = NULL, *ids_json = cJSON_CreateArray(), *b;
    int64_t ids[LOSS_SAMPLE_MAX];
    size_t n = 0, total = 0, i;
    char key[160];
    struct buf body;
    enum app_err rc = metrics_list(cx, &q, &lr, &list, &total);

    if (rc == APP_OK)
        pick_sample(list, manager, now, fr->sample, ids, &n);
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

/* The stage where most customers were lost in the rules' window (at least
 * min_losses of them; stages.lua loss_focus) comes under focus
 * (sales/loss_focus.h: entering it needs the rules' extra evidence), and
 * every manager gets a daily spot check of recent entries of their team
 * into it (the seed's 锁定一个高频流失环节).  No stage qualifying clears the
 * focus. */
APP_MUST_USE static enum app_err
loss_breaches(struct ctx *cx, const cJSON *thresholds, const cJSON *payload,
              time_t now, cJSON *out)
{
    struct metrics_query q = { .scope = MS_TENANT };
    struct focus_rule fr;
    struct ruledesc rd;
    cJSON *doc = NULL;
    const cJSON *top;
    const char *stage;
    struct facts *f;
    int64_t *managers;
    size_t i, n;
    int sample;
    enum app_err rc = ruledesc_get(cx, &rd);

    (void)thresholds, (void)payload;
    if (rc != APP_OK)
        return rc;
    fr.min_losses = ruledesc_focus_int(&rd, "min_losses", 3);
    fr.window_days = ruledesc_focus_int(&rd, "window_days", 30);
    sample = ruledesc_focus_int(&rd, "sample", 3);
    fr.sample = sample < 0                 ? 0
                : sample > LOSS_SAMPLE_MAX ? LOSS_SAMPLE_MAX
                                           : (size_t)sample;
    if (fr.min_losses < 1)
        fr.min_losses = 1;
    q.window_days = fr.window_days;
    rc = metrics_losses(cx, &q, &doc);
    top = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "by_stage"), 0);
    stage = str_of(top, "stage");
    if (rc == APP_OK && (top == NULL || num_of(top, "count") < fr.min_losses ||
                         stage == NULL || stage[0] == '\0'))
        stage = NULL;
    if (rc == APP_OK)
        rc = loss_focus_set(cx, stage,
                            stage != NULL ? (int64_t)num_of(top, "count") : 0);
    if (rc != APP_OK || stage == NULL || fr.sample == 0) {
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
            rc = spot_check(cx, &fr, managers[i], stage, str_of(top, "name"),
                            num_of(top, "count"), now, out);
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
