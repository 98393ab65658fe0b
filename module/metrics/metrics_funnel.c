/*
 * metrics_funnel.c -- the funnel and its break points, losses, and the
 * customers behind a number (metrics.h).
 */
#include "metrics/metrics_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-9 /* rates are compared at 4 decimals */

struct funnel_counts {
    uint32_t entered[MQ_RULE_STAGES], advanced[MQ_RULE_STAGES],
        lost[MQ_RULE_STAGES];
};

void
mq_funnel_pass(const struct mq *m, int64_t lo, int64_t hi, struct fstate *fs,
               int target, uint8_t *reasons)
{
    const struct facts *f = m->f;
    size_t k;

    for (k = facts_move_from(f, lo); k < f->nmoves; k++) {
        const struct facts_move *mv = &f->moves[k];
        struct fstate *s = &fs[mv->cust];
        int to = m->order[mv->to];
        uint32_t pend = s->ent & ~s->first;

        if ((int64_t)mv->at >= m->hi)
            break;
        if (!mq_in_scope(m, mv->cust))
            continue;
        s->first |= pend;
        if (pend != 0 && m->lost[mv->to]) {
            s->lostm |= pend;
            if (reasons != NULL && target >= 0 && (pend >> target) & 1u)
                reasons[mv->cust] = mv->reason;
        }
        if (to >= 0 && !m->lost[mv->to])
            s->adv |= s->ent & ((1u << to) - 1u);
        if ((int64_t)mv->at < hi && to >= 0 && m->open[mv->to])
            s->ent |= 1u << to;
    }
}

static void
funnel_sum(const struct mq *m, const struct fstate *fs,
           struct funnel_counts *fc)
{
    size_t c;
    int r;

    memset(fc, 0, sizeof(*fc));
    for (c = 0; c < m->f->ncust; c++)
        for (r = 0; fs[c].ent != 0 && r < m->nrule; r++) {
            uint32_t b = 1u << r;

            if (!(fs[c].ent & b))
                continue;
            fc->entered[r]++;
            if (fs[c].adv & b)
                fc->advanced[r]++;
            else if (fs[c].lostm & b)
                fc->lost[r]++;
        }
}

APP_MUST_USE static enum app_err
funnel_counts(const struct mq *m, int64_t lo, int64_t hi,
              struct funnel_counts *fc)
{
    struct fstate *fs = calloc(m->f->ncust + 1, sizeof(*fs));

    if (fs == NULL)
        return APP_ENOMEM;
    mq_funnel_pass(m, lo, hi, fs, -1, NULL);
    funnel_sum(m, fs, fc);
    free(fs);
    return APP_OK;
}

static const char *
key_of(const cJSON *o)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "key"));
}

static cJSON *
funnel_row(const struct mq *m, int r, const struct funnel_counts *now,
           const struct funnel_counts *prev)
{
    cJSON *o = cJSON_CreateObject();
    double e = now->entered[r], pe = prev->entered[r];
    double lr = e > 0 ? mq_round4(1.0 - now->advanced[r] / e) : NAN;
    double plr = pe > 0 ? mq_round4(1.0 - prev->advanced[r] / pe) : NAN;
    double ch = !isnan(lr) && !isnan(plr) ? mq_round4(lr - plr) : NAN;
    bool brk =
        (!isnan(lr) && lr >= mq_threshold(m, "funnel", "loss", 0.5) - EPS) ||
        (!isnan(ch) && ch >= mq_threshold(m, "funnel", "rise", 0.15) - EPS);

    cJSON_AddStringToObject(o, "stage", key_of(m->rule[r]));
    cJSON_AddStringToObject(o, "name", mq_stage_name(m, r));
    if (r + 1 < m->nrule) {
        cJSON_AddStringToObject(o, "next", key_of(m->rule[r + 1]));
        cJSON_AddStringToObject(o, "next_name", mq_stage_name(m, r + 1));
    } else {
        cJSON_AddNullToObject(o, "next");
        cJSON_AddNullToObject(o, "next_name");
    }
    cJSON_AddNumberToObject(o, "entered", e);
    cJSON_AddNumberToObject(o, "advanced", now->advanced[r]);
    cJSON_AddNumberToObject(o, "lost", now->lost[r]);
    cJSON_AddNumberToObject(o, "stalled", e - now->advanced[r] - now->lost[r]);
#define NUM_OR_NULL(k, v)                                                      \
    cJSON_AddItemToObject(                                                     \
        o, k, isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(v))
    NUM_OR_NULL("loss_rate", lr);
    cJSON_AddNumberToObject(o, "prev_entered", pe);
    NUM_OR_NULL("prev_loss_rate", plr);
    NUM_OR_NULL("change", ch);
#undef NUM_OR_NULL
    cJSON_AddBoolToObject(o, "break", brk);
    return o;
}

static bool
rule_closed(const struct mq *m, int r)
{
    return cJSON_IsTrue(cJSON_GetObjectItem(m->rule[r], "won")) ||
           cJSON_IsTrue(cJSON_GetObjectItem(m->rule[r], "lost"));
}

enum app_err
metrics_funnel(struct ctx *cx, const struct metrics_query *q, cJSON **out)
{
    struct mq m;
    struct mq_window w;
    struct funnel_counts now, prev;
    enum app_err rc = mq_open(cx, q, &m);
    cJSON *doc, *th, *rows;
    int r;

    if (rc != APP_OK)
        return rc;
    rc = mq_window(&m, q, false, &w);
    if (rc == APP_OK)
        rc = funnel_counts(&m, w.lo, w.hi, &now);
    if (rc == APP_OK)
        rc = funnel_counts(&m, w.prev_lo, w.lo, &prev);
    if (rc != APP_OK) {
        mq_close(&m);
        return rc;
    }
    doc = mq_doc(&m);
    cJSON_AddStringToObject(doc, "from", w.from);
    cJSON_AddStringToObject(doc, "to", w.to);
    cJSON_AddStringToObject(doc, "prev_from", w.prev_from);
    cJSON_AddStringToObject(doc, "prev_to", w.from);
    th = cJSON_AddObjectToObject(doc, "thresholds");
    cJSON_AddNumberToObject(th, "loss",
                            mq_threshold(&m, "funnel", "loss", 0.5));
    cJSON_AddNumberToObject(th, "rise",
                            mq_threshold(&m, "funnel", "rise", 0.15));
    rows = cJSON_AddArrayToObject(doc, "stages");
    for (r = 0; r < m.nrule; r++)
        if (!rule_closed(&m, r))
            cJSON_AddItemToArray(rows, funnel_row(&m, r, &now, &prev));
    mq_close(&m);
    *out = doc;
    return APP_OK;
}

/* --- losses ----------------------------------------------------------------
 */

struct loss_counts {
    uint32_t n[FACTS_STAGES_MAX + 1][FACTS_REASONS_MAX + 1];
    uint32_t total[FACTS_STAGES_MAX + 1];
};

static size_t
key_index(uint8_t n)
{
    return n == FACTS_NONE8 ? FACTS_STAGES_MAX : n;
}

/* The stages lost from, most losses first, then in rule order. */
static void
loss_order(const struct mq *m, const struct loss_counts *lc, size_t *idx,
           size_t *n)
{
    size_t i, j;

    *n = 0;
    for (i = 0; i <= FACTS_STAGES_MAX; i++)
        if (lc->total[i] > 0)
            idx[(*n)++] = i;
    for (i = 1; i < *n; i++) /* insertion sort: a handful of stages */
        for (j = i; j > 0; j--) {
            size_t a = idx[j - 1], b = idx[j];
            int oa =
                a < FACTS_STAGES_MAX && m->order[a] >= 0 ? m->order[a] : 999;
            int ob =
                b < FACTS_STAGES_MAX && m->order[b] >= 0 ? m->order[b] : 999;

            if (lc->total[a] > lc->total[b] ||
                (lc->total[a] == lc->total[b] && oa <= ob))
                break;
            idx[j - 1] = b;
            idx[j] = a;
        }
}

static cJSON *
loss_reasons(const struct mq *m, const struct loss_counts *lc, size_t s)
{
    cJSON *list = cJSON_CreateArray();
    bool used[FACTS_REASONS_MAX + 1] = { false };

    for (;;) { /* by count, then key */
        size_t best = SIZE_MAX, r;

        for (r = 0; r <= FACTS_REASONS_MAX; r++) {
            const char *kr = r < FACTS_REASONS_MAX ? m->f->reason_keys[r] : "";
            const char *kb = best == SIZE_MAX ? ""
                             : best < FACTS_REASONS_MAX
                                 ? m->f->reason_keys[best]
                                 : "";

            if (used[r] || lc->n[s][r] == 0)
                continue;
            if (best == SIZE_MAX || lc->n[s][r] > lc->n[s][best] ||
                (lc->n[s][r] == lc->n[s][best] && strcmp(kr, kb) < 0))
                best = r;
        }
        if (best == SIZE_MAX)
            return list;
        used[best] = true;
        {
            cJSON *o = cJSON_CreateObject();
            const char *key =
                best < FACTS_REASONS_MAX ? m->f->reason_keys[best] : "";

            cJSON_AddStringToObject(o, "reason", key);
            cJSON_AddStringToObject(
                o, "name", ruledesc_label(m->cx, &m->rd, "lost_reasons", key));
            cJSON_AddNumberToObject(o, "count", lc->n[s][best]);
            cJSON_AddItemToArray(list, o);
        }
    }
}

static void
loss_count(const struct mq *m, const struct mq_window *w,
           struct loss_counts *lc)
{
    const struct facts *f = m->f;
    size_t k;

    memset(lc, 0, sizeof(*lc));
    for (k = facts_move_from(f, w->lo);
         k < f->nmoves && (int64_t)f->moves[k].at < w->hi; k++) {
        const struct facts_move *mv = &f->moves[k];
        size_t s = key_index(mv->from);
        size_t r = mv->reason == FACTS_NONE8 ? FACTS_REASONS_MAX : mv->reason;

        if (!m->lost[mv->to] || !mq_in_scope(m, mv->cust))
            continue;
        lc->n[s][r]++;
        lc->total[s]++;
    }
}

enum app_err
metrics_losses(struct ctx *cx, const struct metrics_query *q, cJSON **out)
{
    struct mq m;
    struct mq_window w;
    struct loss_counts *lc = malloc(sizeof(*lc));
    size_t idx[FACTS_STAGES_MAX + 1], n, i;
    uint32_t total = 0;
    enum app_err rc = lc != NULL ? mq_open(cx, q, &m) : APP_ENOMEM;
    cJSON *doc, *by;

    if (rc != APP_OK) {
        free(lc);
        return rc;
    }
    rc = mq_window(&m, q, false, &w);
    if (rc != APP_OK) {
        mq_close(&m);
        free(lc);
        return rc;
    }
    loss_count(&m, &w, lc);
    loss_order(&m, lc, idx, &n);
    doc = mq_doc(&m);
    cJSON_AddStringToObject(doc, "from", w.from);
    cJSON_AddStringToObject(doc, "to", w.to);
    by = cJSON_AddArrayToObject(doc, "by_stage");
    for (i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        size_t s = idx[i];
        const char *key = s < FACTS_STAGES_MAX ? m.f->stage_keys[s] : "";

        cJSON_AddStringToObject(o, "stage", key);
        cJSON_AddStringToObject(o, "name",
                                m.order[s] >= 0 && s < FACTS_STAGES_MAX
                                    ? mq_stage_name(&m, m.order[s])
                                    : key);
        cJSON_AddNumberToObject(o, "count", lc->total[s]);
        cJSON_AddItemToObject(o, "reasons", loss_reasons(&m, lc, s));
        cJSON_AddItemToArray(by, o);
        total += lc->total[s];
    }
    cJSON_AddNumberToObject(doc, "total", total);
    if (n > 0)
        cJSON_AddStringToObject(
            doc, "top_stage",
            idx[0] < FACTS_STAGES_MAX ? m.f->stage_keys[idx[0]] : "");
    else
        cJSON_AddNullToObject(doc, "top_stage");
    mq_close(&m);
    free(lc);
    *out = doc;
    return APP_OK;
}
