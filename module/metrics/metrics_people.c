/*
 * metrics_people.c -- behaviour consistency across reps and the rep x day
 * action heatmap (metrics.h).
 */
#include "metrics/metrics_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "base/tz.h"

/* --- consistency ------------------------------------------------------------
 */

struct rep_pool {
    uint32_t pool, dormant;
    char hash[crypto_hash_sha256_BYTES * 2 + 1];
    bool sampled;
};

APP_MUST_USE static enum app_err
pools(const struct mq *m, struct rep_pool *rp)
{
    const struct facts *f = m->f;
    int64_t days = (int64_t)mq_threshold(m, "consistency", "dormant_days", 90);
    uint8_t *st = mq_stage_at(m);
    uint8_t *mk = mq_marks(m, m->hi - days * 86400, false);
    size_t c;

    if (st == NULL || mk == NULL) {
        free(st);
        free(mk);
        return APP_ENOMEM;
    }
    for (c = 0; c < f->ncust; c++) {
        uint16_t o = f->cust_owner[c];

        if (o == FACTS_NONE16 || st[c] == FACTS_NONE8 || !m->open[st[c]])
            continue;
        rp[o].pool++;
        rp[o].dormant += mk[c] == 0;
    }
    free(st);
    free(mk);
    return APP_OK;
}

static const struct rep_pool *sort_pools; /* for by_hash (one thread) */

static int
by_hash(const void *a, const void *b)
{
    return strcmp(sort_pools[*(const uint16_t *)a].hash,
                  sort_pools[*(const uint16_t *)b].hash);
}

/* The sample: the first ceil(sample * n) (at least 1) of the company's n
 * active reps with a non-empty pool, ordered by the SHA-256 of
 * "<tenant>:<ISO week>:<user id>".  Returns the mean share of it. */
static double
draw_sample(const struct mq *m, struct rep_pool *rp, const char *week,
            size_t *k_out)
{
    const struct facts *f = m->f;
    uint16_t *cand = malloc((f->nusers + 1) * sizeof(*cand));
    double frac = mq_threshold(m, "consistency", "sample", 0.10), sum = 0;
    size_t n = 0, k, i;

    *k_out = 0;
    if (cand == NULL)
        return NAN;
    for (i = 0; i < f->nusers; i++) {
        unsigned char h[crypto_hash_sha256_BYTES];
        char key[96];

        if (!f->users[i].rep || !f->users[i].active || rp[i].pool == 0)
            continue;
        snprintf(key, sizeof(key), "%lld:%s:%lld", (long long)f->tenant_id,
                 week, (long long)f->users[i].id);
        crypto_hash_sha256(h, (const unsigned char *)key, strlen(key));
        sodium_bin2hex(rp[i].hash, sizeof(rp[i].hash), h, sizeof(h));
        cand[n++] = (uint16_t)i;
    }
    sort_pools = rp;
    qsort(cand, n, sizeof(*cand), by_hash);
    k = (size_t)ceil(frac * (double)n - 1e-9);
    k = n == 0 ? 0 : k < 1 ? 1 : k > n ? n : k;
    for (i = 0; i < k; i++) {
        rp[cand[i]].sampled = true;
        sum += (double)rp[cand[i]].dormant / rp[cand[i]].pool;
    }
    free(cand);
    *k_out = k;
    return k > 0 ? sum / (double)k : NAN;
}

static cJSON *
consistency_rep(const struct mq *m, const struct rep_pool *p, size_t u,
                double mean, double dev)
{
    cJSON *o = cJSON_CreateObject();
    double share = p->pool > 0 ? (double)p->dormant / p->pool : NAN;

    mq_add_user(o, m->f, u);
    cJSON_AddNumberToObject(o, "pool", p->pool);
    cJSON_AddNumberToObject(o, "dormant", p->dormant);
    cJSON_AddItemToObject(o, "share", mq_ratio(p->dormant, p->pool));
    cJSON_AddBoolToObject(o, "sampled", p->sampled);
    cJSON_AddBoolToObject(o, "flagged",
                          !isnan(share) && !isnan(mean) &&
                              fabs(share - mean) > dev + 1e-12);
    return o;
}

enum app_err
metrics_consistency(struct ctx *cx, const struct metrics_query *q, cJSON **out)
{
    struct mq m;
    struct rep_pool *rp;
    enum app_err rc = mq_open(cx, q, &m);
    char week[16];
    double mean, dev;
    size_t k, i;
    cJSON *doc, *reps;

    if (rc != APP_OK)
        return rc;
    rp = calloc(m.f->nusers + 1, sizeof(*rp));
    rc = rp != NULL ? mq_sort_users(&m) : APP_ENOMEM;
    if (rc == APP_OK)
        rc = pools(&m, rp);
    if (rc != APP_OK) {
        free(rp);
        mq_close(&m);
        return rc;
    }
    strftime(week, sizeof(week), "%G-W%V", &m.tday);
    mean = draw_sample(&m, rp, week, &k);
    dev = mq_threshold(&m, "consistency", "deviation", 0.15);
    doc = mq_doc(&m);
    cJSON_AddStringToObject(doc, "week", week);
    cJSON_AddNumberToObject(
        doc, "dormant_days",
        mq_threshold(&m, "consistency", "dormant_days", 90));
    cJSON_AddNumberToObject(doc, "deviation", dev);
    cJSON_AddNumberToObject(doc, "sample",
                            mq_threshold(&m, "consistency", "sample", 0.10));
    cJSON_AddItemToObject(doc, "mean",
                          isnan(mean) ? cJSON_CreateNull()
                                      : cJSON_CreateNumber(mq_round4(mean)));
    cJSON_AddNumberToObject(doc, "sample_size", (double)k);
    reps = cJSON_AddArrayToObject(doc, "reps");
    for (i = 0; i < m.f->nusers; i++) {
        size_t u = m.by_id[i];

        if (m.f->users[u].rep && m.f->users[u].active && m.in_scope[u])
            cJSON_AddItemToArray(reps,
                                 consistency_rep(&m, &rp[u], u, mean, dev));
    }
    free(rp);
    mq_close(&m);
    *out = doc;
    return APP_OK;
}

/* --- heatmap ---------------------------------------------------------------
 */

struct heat {
    size_t ndays;
    int64_t *bound;      /* local midnights: day i is [bound[i], bound[i+1]) */
    uint32_t *all, *eff; /* [user][day] */
};

static size_t
day_of(const struct heat *h, int64_t at)
{
    size_t lo = 0, hi = h->ndays;

    while (lo + 1 < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (h->bound[mid] <= at)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

APP_MUST_USE static enum app_err
heat_count(const struct mq *m, const struct mq_window *w, struct heat *h)
{
    const struct facts *f = m->f;
    size_t i, d0, d1, d;
    struct metrics_date from;

    h->ndays = (size_t)((w->hi - w->lo + 43200) / 86400);
    h->bound = malloc((h->ndays + 1) * sizeof(*h->bound));
    h->all = calloc((f->nusers + 1) * h->ndays, sizeof(uint32_t));
    h->eff = calloc((f->nusers + 1) * h->ndays, sizeof(uint32_t));
    if (h->bound == NULL || h->all == NULL || h->eff == NULL)
        return APP_ENOMEM;
    if (!metrics_date_parse(w->from, &from))
        return APP_EINTERNAL;
    for (i = 0; i <= h->ndays; i++)
        h->bound[i] = mq_midnight(m, from.y, from.m, from.d, (int)i, NULL);
    facts_days(f, w->lo, w->hi, &d0, &d1);
    for (d = d0; d < d1; d++)
        for (i = f->day_off[d]; i < f->day_off[d + 1]; i++) {
            const struct facts_act *a = &f->acts[i];
            int64_t at = facts_act_at(f, d, a);
            size_t k;

            if (at < w->lo || at >= w->hi || !m->in_scope[FACTS_ACT_REP(a)])
                continue;
            k = FACTS_ACT_REP(a) * h->ndays + day_of(h, at);
            h->all[k]++;
            h->eff[k] += FACTS_ACT_EFF(a);
        }
    return APP_OK;
}

static const struct facts *sort_heat_facts;

static int
by_name(const void *a, const void *b)
{
    const struct facts_user *x = &sort_heat_facts->users[*(const uint16_t *)a];
    const struct facts_user *y = &sort_heat_facts->users[*(const uint16_t *)b];
    int c =
        strcmp(x->name != NULL ? x->name : "", y->name != NULL ? y->name : "");

    return c != 0 ? c : x->id < y->id ? -1 : x->id > y->id;
}

static cJSON *
heat_doc(const struct mq *m, const struct mq_window *w, const struct heat *h)
{
    const struct facts *f = m->f;
    uint16_t *rows = malloc((f->nusers + 1) * sizeof(*rows));
    size_t n = 0, u, d;
    uint32_t max = 0;
    cJSON *doc = mq_doc(m), *days, *reps;

    cJSON_AddStringToObject(doc, "from", w->from);
    cJSON_AddStringToObject(doc, "to", w->to);
    days = cJSON_AddArrayToObject(doc, "days");
    for (d = 0; d < h->ndays; d++) {
        struct tm tm;
        char day[16];

        tz_local(m->cx->tenant_tz, (time_t)h->bound[d], &tm);
        strftime(day, sizeof(day), "%Y-%m-%d", &tm);
        cJSON_AddItemToArray(days, cJSON_CreateString(day));
    }
    reps = cJSON_AddArrayToObject(doc, "reps");
    for (u = 0; rows != NULL && u < f->nusers; u++) {
        bool any = false;

        for (d = 0; d < h->ndays && !any; d++)
            any = h->all[u * h->ndays + d] > 0;
        if (m->in_scope[u] && (any || (f->users[u].rep && f->users[u].active)))
            rows[n++] = (uint16_t)u;
    }
    sort_heat_facts = f;
    if (rows != NULL)
        qsort(rows, n, sizeof(*rows), by_name);
    for (u = 0; u < n; u++) {
        cJSON *o = cJSON_CreateObject(), *all, *eff;

        mq_add_user(o, f, rows[u]);
        all = cJSON_AddArrayToObject(o, "all");
        eff = cJSON_AddArrayToObject(o, "effective");
        for (d = 0; d < h->ndays; d++) {
            uint32_t x = h->all[rows[u] * h->ndays + d];

            max = x > max ? x : max;
            cJSON_AddItemToArray(all, cJSON_CreateNumber(x));
            cJSON_AddItemToArray(
                eff, cJSON_CreateNumber(h->eff[rows[u] * h->ndays + d]));
        }
        cJSON_AddItemToArray(reps, o);
    }
    cJSON_AddNumberToObject(doc, "max", max);
    free(rows);
    return doc;
}

enum app_err
metrics_heatmap(struct ctx *cx, const struct metrics_query *q, cJSON **out)
{
    struct mq m;
    struct mq_window w;
    struct heat h;
    enum app_err rc = mq_open(cx, q, &m);

    if (rc != APP_OK)
        return rc;
    memset(&h, 0, sizeof(h));
    rc = mq_window(&m, q, true, &w);
    if (rc == APP_OK)
        rc = heat_count(&m, &w, &h);
    if (rc == APP_OK)
        *out = heat_doc(&m, &w, &h);
    free(h.bound);
    free(h.all);
    free(h.eff);
    mq_close(&m);
    return rc;
}

/* --- what a scope filter offers ------------------------------------------ */

enum app_err
metrics_choices(struct ctx *cx, cJSON **out)
{
    struct metrics_query q = { .scope = MS_DEFAULT };
    struct mq m;
    enum app_err rc = mq_open(cx, &q, &m);
    uint16_t *rows;
    size_t i, n = 0;
    cJSON *doc, *teams, *reps;

    if (rc != APP_OK)
        return rc;
    rows = malloc((m.f->nusers + 1) * sizeof(*rows));
    if (rows == NULL) {
        mq_close(&m);
        return APP_ENOMEM;
    }
    for (i = 0; i < m.f->nusers; i++)
        if (m.in_scope[i] && m.f->users[i].active &&
            (m.f->users[i].manager || m.f->users[i].rep))
            rows[n++] = (uint16_t)i;
    sort_heat_facts = m.f;
    qsort(rows, n, sizeof(*rows), by_name);
    doc = cJSON_CreateObject();
    teams = cJSON_AddArrayToObject(doc, "teams");
    reps = cJSON_AddArrayToObject(doc, "reps");
    for (i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddNumberToObject(o, "id", (double)m.f->users[rows[i]].id);
        cJSON_AddStringToObject(
            o, "name",
            m.f->users[rows[i]].name != NULL ? m.f->users[rows[i]].name : "");
        cJSON_AddItemToArray(m.f->users[rows[i]].manager ? teams : reps, o);
    }
    free(rows);
    mq_close(&m);
    *out = doc;
    return APP_OK;
}
