/*
 * metrics_list.c -- the customers behind a number of the metrics
 * (metrics.h metrics_list).
 */
#include "metrics/metrics_impl.h"

#include <stdlib.h>
#include <string.h>

#include "db/db.h"

static const char SQL_ROWS[] =
    "SELECT c.id, c.name, c.stage, c.owner_id, COALESCE(u.display_name, ''), "
    "c.last_activity_at FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT "
    "UNSIGNED PATH '$.id')) j JOIN customers c ON c.id = j.id AND "
    "c.tenant_id = ? LEFT JOIN users u ON u.id = c.owner_id AND "
    "u.tenant_id = c.tenant_id ORDER BY c.name, c.id LIMIT 500";

enum which {
    W_HEALTH_IDLE,
    W_HEALTH_ALL,
    W_FUNNEL_LOST,
    W_FUNNEL_STALLED,
    W_FUNNEL_ADVANCED,
    W_FUNNEL_ENTERED,
    W_DORMANT,
    W_LOSSES,
    W_COUNT
};

static const char *const whiches[W_COUNT] = {
    "health_idle",     "health_all",     "funnel_lost", "funnel_stalled",
    "funnel_advanced", "funnel_entered", "dormant",     "losses",
};

struct pick {
    const struct mq *m;
    cJSON *list;
    size_t total;
};

static void
pick(struct pick *p, uint32_t c, uint8_t reason)
{
    cJSON *o;

    if (p->total++ >= METRICS_LIST_MAX)
        return;
    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)p->m->f->cust_id[c]);
    if (reason != FACTS_NONE8)
        cJSON_AddStringToObject(o, "reason", p->m->f->reason_keys[reason]);
    cJSON_AddItemToArray(p->list, o);
}

/* In stage s at T (open), idle or not, or in the rep's dormant pool. */
APP_MUST_USE static enum app_err
list_at_t(struct pick *p, enum which w, uint8_t s)
{
    const struct mq *m = p->m;
    const struct facts *f = m->f;
    int64_t days =
        w == W_DORMANT
            ? (int64_t)mq_threshold(m, "consistency", "dormant_days", 90)
            : (int64_t)mq_threshold(m, "stage_health", "window_days", 7);
    uint8_t *st = mq_stage_at(m);
    uint8_t *mk = mq_marks(m, m->hi - days * 86400, w != W_DORMANT);
    uint32_t c;

    if (st == NULL || mk == NULL) {
        free(st);
        free(mk);
        return APP_ENOMEM;
    }
    for (c = 0; c < f->ncust; c++) {
        if (st[c] == FACTS_NONE8 || !m->open[st[c]] || !mq_in_scope(m, c))
            continue;
        if (w == W_DORMANT ? mk[c] == 0
                           : st[c] == s && (w == W_HEALTH_ALL || mk[c] == 0))
            pick(p, c, FACTS_NONE8);
    }
    free(st);
    free(mk);
    return APP_OK;
}

APP_MUST_USE static enum app_err
list_funnel(struct pick *p, const struct mq_window *win, enum which w,
            uint8_t s)
{
    const struct mq *m = p->m;
    int r = m->order[s];
    struct fstate *fs = calloc(m->f->ncust + 1, sizeof(*fs));
    uint8_t *reasons = malloc(m->f->ncust + 1);
    uint32_t c, b = 1u << r;

    if (fs == NULL || reasons == NULL) {
        free(fs);
        free(reasons);
        return APP_ENOMEM;
    }
    memset(reasons, FACTS_NONE8, m->f->ncust + 1);
    mq_funnel_pass(m, win->lo, win->hi, fs, r, reasons);
    for (c = 0; c < m->f->ncust; c++) {
        bool adv = (fs[c].adv & b) != 0, lost = !adv && (fs[c].lostm & b);

        if (!(fs[c].ent & b))
            continue;
        if (w == W_FUNNEL_ENTERED || (w == W_FUNNEL_ADVANCED && adv) ||
            (w == W_FUNNEL_LOST && lost) ||
            (w == W_FUNNEL_STALLED && !adv && !lost))
            pick(p, c, lost ? reasons[c] : FACTS_NONE8);
    }
    free(fs);
    free(reasons);
    return APP_OK;
}

static void
list_losses(struct pick *p, const struct mq_window *win, uint8_t s,
            const char *reason)
{
    const struct mq *m = p->m;
    const struct facts *f = m->f;
    size_t k;

    for (k = facts_move_from(f, win->lo);
         k < f->nmoves && (int64_t)f->moves[k].at < win->hi; k++) {
        const struct facts_move *mv = &f->moves[k];
        const char *rk =
            mv->reason != FACTS_NONE8 ? f->reason_keys[mv->reason] : "";

        if (m->lost[mv->to] && mv->from == s && mq_in_scope(m, mv->cust) &&
            (reason == NULL || strcmp(reason, rk) == 0))
            pick(p, mv->cust, mv->reason);
    }
}

enum app_err
metrics_list(struct ctx *cx, const struct metrics_query *q,
             const struct metrics_list_req *lr, cJSON **out, size_t *total)
{
    struct mq m;
    struct mq_window win;
    struct pick p;
    enum which w;
    uint8_t s;
    enum app_err rc;

    for (w = 0; w < W_COUNT; w++)
        if (lr->which != NULL && strcmp(lr->which, whiches[w]) == 0)
            break;
    if (w == W_COUNT || (w == W_DORMANT && q->scope != MS_REP)) {
        cx->err_detail = "metrics.bad_list";
        return APP_EVALIDATION;
    }
    rc = mq_open(cx, q, &m);
    if (rc != APP_OK)
        return rc;
    s = facts_stage_index(m.f, lr->stage);
    if (w != W_DORMANT &&
        (s == FACTS_NONE8 || m.order[s] < 0 || (w != W_LOSSES && !m.open[s]))) {
        mq_close(&m); /* no customer ever moved there: nobody to list */
        *out = cJSON_CreateArray();
        *total = 0;
        return *out != NULL ? APP_OK : APP_ENOMEM;
    }
    memset(&p, 0, sizeof(p));
    p.m = &m;
    p.list = cJSON_CreateArray();
    rc = p.list != NULL ? APP_OK : APP_ENOMEM;
    if (rc == APP_OK && w >= W_FUNNEL_LOST && w != W_DORMANT)
        rc = mq_window(&m, q, false, &win);
    if (rc == APP_OK && w <= W_HEALTH_ALL)
        rc = list_at_t(&p, w, s);
    else if (rc == APP_OK && w == W_DORMANT)
        rc = list_at_t(&p, w, FACTS_NONE8);
    else if (rc == APP_OK && w == W_LOSSES)
        list_losses(&p, &win, s, lr->reason);
    else if (rc == APP_OK)
        rc = list_funnel(&p, &win, w, s);
    mq_close(&m);
    if (rc != APP_OK) {
        cJSON_Delete(p.list);
        return rc;
    }
    *out = p.list;
    *total = p.total;
    return APP_OK;
}

enum app_err
metrics_list_rows(struct ctx *cx, const cJSON *list, struct db_res *out)
{
    char *ids = cJSON_PrintUnformatted(list);
    enum app_err rc;

    if (ids == NULL)
        return APP_ENOMEM;
    rc = db_query(cx->db, cx->a, SQL_ROWS,
                  DB_ARGS(DB_CSTR(ids), DB_I64(cx->tenant_id)),
                  METRICS_LIST_MAX, out);
    cJSON_free(ids);
    return rc;
}
