/*
 * metrics.c -- stage health, the funnel, consistency, the heatmap and
 * losses over a company's facts (metrics.h; definitions in DESIGN §7 and
 * the README's "Metrics API").
 */
#include "metrics/metrics_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static const char *
status_of(double health, double healthy, double warning)
{
    return health >= healthy   ? "healthy"
           : health >= warning ? "warning"
                               : "zombie";
}

void
mq_add_user(cJSON *o, const struct facts *f, size_t u)
{
    cJSON_AddNumberToObject(o, "rep", (double)f->users[u].id);
    cJSON_AddStringToObject(o, "name",
                            f->users[u].name != NULL ? f->users[u].name : "");
}

/* --- stage health ------------------------------------------------------- */

struct health_counts {
    uint32_t n[MQ_RULE_STAGES], a[MQ_RULE_STAGES];
    uint32_t *rn, *ra; /* [rule stage][user] */
};

APP_MUST_USE static enum app_err
health_count(const struct mq *m, struct health_counts *h, uint8_t **active)
{
    const struct facts *f = m->f;
    int64_t w = (int64_t)mq_threshold(m, "stage_health", "window_days", 7);
    uint8_t *st = mq_stage_at(m);
    uint8_t *mk = mq_marks(m, m->hi - w * 86400, true);
    size_t c, nu = f->nusers + 1;

    memset(h->n, 0, sizeof(h->n));
    memset(h->a, 0, sizeof(h->a));
    h->rn = calloc((size_t)MQ_RULE_STAGES * nu, sizeof(uint32_t));
    h->ra = calloc((size_t)MQ_RULE_STAGES * nu, sizeof(uint32_t));
    if (st == NULL || mk == NULL || h->rn == NULL || h->ra == NULL) {
        free(st), free(mk), free(h->rn), free(h->ra);
        return APP_ENOMEM;
    }
    for (c = 0; c < f->ncust; c++) {
        int r;

        if (st[c] == FACTS_NONE8 || !m->open[st[c]] ||
            !mq_in_scope(m, (uint32_t)c))
            continue;
        r = m->order[st[c]];
        h->n[r]++;
        h->a[r] += mk[c];
        h->rn[(size_t)r * nu + f->cust_owner[c]]++;
        h->ra[(size_t)r * nu + f->cust_owner[c]] += mk[c];
        mk[c] = mk[c] ? 2 : 1; /* 1: in an open stage, idle; 2: active */
    }
    for (c = 0; c < f->ncust; c++)
        if (st[c] == FACTS_NONE8 || !m->open[st[c]] ||
            !mq_in_scope(m, (uint32_t)c))
            mk[c] = 0;
    free(st);
    if (active != NULL)
        *active = mk;
    else
        free(mk);
    return APP_OK;
}

static cJSON *
health_row(const struct mq *m, uint32_t n, uint32_t a)
{
    double healthy = mq_threshold(m, "stage_health", "healthy", 0.85);
    double warning = mq_threshold(m, "stage_health", "warning", 0.70);
    cJSON *o = cJSON_CreateObject();

    cJSON_AddNumberToObject(o, "n", n);
    cJSON_AddNumberToObject(o, "active", a);
    cJSON_AddItemToObject(o, "health", mq_ratio(a, n));
    if (n > 0)
        cJSON_AddStringToObject(
            o, "status", status_of(mq_round4((double)a / n), healthy, warning));
    else
        cJSON_AddNullToObject(o, "status");
    return o;
}

enum app_err
metrics_stage_health(struct ctx *cx, const struct metrics_query *q, cJSON **out)
{
    struct mq m;
    struct health_counts h;
    enum app_err rc = mq_open(cx, q, &m);
    cJSON *doc, *th, *stages;
    size_t nu, u;
    int r;

    if (rc == APP_OK)
        rc = mq_sort_users(&m);
    if (rc == APP_OK)
        rc = health_count(&m, &h, NULL);
    if (rc != APP_OK) {
        mq_close(&m);
        return rc;
    }
    nu = m.f->nusers + 1;
    doc = mq_doc(&m);
    cJSON_AddNumberToObject(doc, "window_days",
                            mq_threshold(&m, "stage_health", "window_days", 7));
    th = cJSON_AddObjectToObject(doc, "thresholds");
    cJSON_AddNumberToObject(th, "healthy",
                            mq_threshold(&m, "stage_health", "healthy", 0.85));
    cJSON_AddNumberToObject(th, "warning",
                            mq_threshold(&m, "stage_health", "warning", 0.70));
    stages = cJSON_AddArrayToObject(doc, "stages");
    for (r = 0; r < m.nrule; r++) {
        uint8_t n = m.rule_num[r];
        cJSON *row, *reps;
        const char *key = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(m.rule[r], "key"));

        if (cJSON_IsTrue(cJSON_GetObjectItem(m.rule[r], "won")) ||
            cJSON_IsTrue(cJSON_GetObjectItem(m.rule[r], "lost")))
            continue;
        row = health_row(&m, n != FACTS_NONE8 ? h.n[r] : 0,
                         n != FACTS_NONE8 ? h.a[r] : 0);
        cJSON_AddStringToObject(row, "stage", key);
        cJSON_AddStringToObject(row, "name", mq_stage_name(&m, r));
        reps = cJSON_AddArrayToObject(row, "reps");
        for (u = 0; n != FACTS_NONE8 && u < m.f->nusers; u++) {
            cJSON *p;
            size_t k = m.by_id[u];

            if (h.rn[(size_t)r * nu + k] == 0)
                continue;
            p = health_row(&m, h.rn[(size_t)r * nu + k],
                           h.ra[(size_t)r * nu + k]);
            mq_add_user(p, m.f, k);
            cJSON_AddItemToArray(reps, p);
        }
        cJSON_AddItemToArray(stages, row);
    }
    free(h.rn);
    free(h.ra);
    mq_close(&m);
    *out = doc;
    return APP_OK;
}
