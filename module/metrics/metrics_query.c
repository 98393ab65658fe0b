/*
 * metrics_query.c -- preparing a metrics query: facts, rules, who may see
 * which scope, T and the windows (metrics_impl.h).
 */
#include "metrics/metrics_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/num.h"
#include "base/tz.h"
#include "identity/role.h"

bool
metrics_date_parse(const char *s, struct metrics_date *d)
{
    memset(d, 0, sizeof(*d));
    if (s == NULL || strlen(s) != 10 ||
        !parse_date(str_c(s), &d->y, &d->m, &d->d))
        return false;
    d->set = true;
    return true;
}

int64_t
mq_midnight(const struct mq *m, int y, int mo, int d, int days, char *text)
{
    struct tm tm;
    time_t t;

    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d + days;
    t = tz_mktime(m->cx->tenant_tz, &tm); /* normalises tm too */
    if (text != NULL)
        strftime(text, 11, "%Y-%m-%d", &tm);
    return (int64_t)t;
}

double
mq_threshold(const struct mq *m, const char *group, const char *key, double def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(m->th, group), key);

    return cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble : def;
}

double
mq_round4(double x)
{
    return round(x * 10000.0) / 10000.0;
}

cJSON *
mq_ratio(double num, double den)
{
    return den > 0 ? cJSON_CreateNumber(mq_round4(num / den))
                   : cJSON_CreateNull();
}

const char *
mq_stage_name(const struct mq *m, int rule_index)
{
    return ruledesc_name(m->cx, m->rule[rule_index]);
}

/* Stages in rule order and what each facts number is. */
static void
map_stages(struct mq *m)
{
    const cJSON *s;
    size_t i;

    for (i = 0; i < 256; i++)
        m->order[i] = -1;
    cJSON_ArrayForEach(s, ruledesc_stages(&m->rd))
    {
        const char *key =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "key"));
        uint8_t n = facts_stage_index(m->f, key);

        if (m->nrule >= MQ_RULE_STAGES || key == NULL)
            break;
        m->rule[m->nrule] = s;
        m->rule_num[m->nrule] = n;
        if (n != FACTS_NONE8) {
            m->order[n] = m->nrule;
            m->lost[n] = cJSON_IsTrue(cJSON_GetObjectItem(s, "lost"));
            m->open[n] =
                !m->lost[n] && !cJSON_IsTrue(cJSON_GetObjectItem(s, "won"));
        }
        m->nrule++;
    }
}

/* Whether u's chain of managers reaches head (u itself included). */
static bool
under(const struct facts *f, uint16_t u, int64_t head)
{
    int depth;

    for (depth = 0; u != FACTS_NONE16 && depth < 64; depth++) {
        if (f->users[u].id == head)
            return true;
        u = f->users[u].manager_id != 0
                ? facts_user_index(f, f->users[u].manager_id)
                : FACTS_NONE16;
    }
    return false;
}

/* The scope asked for, checked against the caller's role. */
APP_MUST_USE static enum app_err
resolve_scope(struct mq *m, const struct metrics_query *q)
{
    struct ctx *cx = m->cx;
    const struct facts *f = m->f;
    bool admin = (cx->role & ROLE_ADMIN) != 0;
    bool manager = (cx->role & ROLE_MANAGER) != 0;
    enum metrics_scope s = q->scope;
    int64_t id = q->user_id != 0 ? q->user_id : cx->user_id;
    uint16_t target;
    size_t i;

    if (s == MS_DEFAULT)
        s = admin ? MS_TENANT : manager ? MS_TEAM : MS_REP;
    target = facts_user_index(f, id);
    if (s == MS_TENANT
            ? !admin
            : target == FACTS_NONE16 ||
                  !(admin || (manager && under(f, target, cx->user_id)) ||
                    (s == MS_REP && id == cx->user_id)))
        return APP_ENOTFOUND;
    m->scope = s;
    m->scope_id = s == MS_TENANT ? 0 : id;
    m->in_scope = calloc(f->nusers + 1, sizeof(bool));
    if (m->in_scope == NULL)
        return APP_ENOMEM;
    for (i = 0; i < f->nusers; i++)
        m->in_scope[i] =
            s == MS_TENANT ||
            (s == MS_REP ? i == target : under(f, (uint16_t)i, id));
    return APP_OK;
}

/* "2026-12-05T16:00:00Z" */
static void
iso_text(time_t t, char *out)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

APP_MUST_USE static enum app_err
set_t(struct mq *m, const struct metrics_query *q)
{
    time_t now = time(NULL);

    m->now = !q->as_of.set;
    if (m->now) {
        m->hi = (int64_t)now + 1;
        tz_local(m->cx->tenant_tz, now, &m->tday);
        m->as_of[0] = '\0';
        iso_text((time_t)now, m->t_text);
        return APP_OK;
    }
    m->hi = mq_midnight(m, q->as_of.y, q->as_of.m, q->as_of.d, 1, NULL);
    mq_midnight(m, q->as_of.y, q->as_of.m, q->as_of.d, 0, m->as_of);
    tz_local(m->cx->tenant_tz, (time_t)m->hi - 1, &m->tday);
    iso_text((time_t)m->hi, m->t_text);
    if (m->hi > (int64_t)now + 400 * 86400 || m->hi < 86400) {
        m->cx->err_detail = "metrics.bad_date";
        return APP_EINVAL;
    }
    return APP_OK;
}

static const struct facts *sort_facts; /* for by_user_id (one thread) */

static int
by_user_id(const void *a, const void *b)
{
    int64_t x = sort_facts->users[*(const uint16_t *)a].id;
    int64_t y = sort_facts->users[*(const uint16_t *)b].id;

    return x < y ? -1 : x > y;
}

enum app_err
mq_sort_users(struct mq *m)
{
    size_t i;

    m->by_id = malloc((m->f->nusers + 1) * sizeof(*m->by_id));
    if (m->by_id == NULL)
        return APP_ENOMEM;
    for (i = 0; i < m->f->nusers; i++)
        m->by_id[i] = (uint16_t)i;
    sort_facts = m->f;
    qsort(m->by_id, m->f->nusers, sizeof(*m->by_id), by_user_id);
    return APP_OK;
}

enum app_err
mq_open(struct ctx *cx, const struct metrics_query *q, struct mq *m)
{
    enum app_err rc;

    memset(m, 0, sizeof(*m));
    m->cx = cx;
    rc = facts_get(cx, &m->f);
    if (rc == APP_OK)
        rc = ruledesc_get(cx, &m->rd);
    if (rc != APP_OK)
        return rc;
    m->th = cJSON_GetObjectItemCaseSensitive(m->rd.d, "metrics");
    map_stages(m);
    rc = resolve_scope(m, q);
    if (rc == APP_OK)
        rc = set_t(m, q);
    if (rc != APP_OK)
        mq_close(m);
    return rc;
}

void
mq_close(struct mq *m)
{
    free(m->in_scope);
    free(m->by_id);
    m->in_scope = NULL;
    m->by_id = NULL;
}

uint8_t *
mq_stage_at(const struct mq *m)
{
    const struct facts *f = m->f;
    uint8_t *st = malloc(f->ncust + 1);
    size_t i;

    if (st == NULL)
        return NULL;
    if (f->nmoves == 0 || (int64_t)f->moves[f->nmoves - 1].at < m->hi) {
        memcpy(st, f->cust_stage, f->ncust); /* every move is by T */
        return st;
    }
    memset(st, FACTS_NONE8, f->ncust);
    for (i = 0; i < f->nmoves && (int64_t)f->moves[i].at < m->hi; i++)
        st[f->moves[i].cust] = f->moves[i].to;
    return st;
}

uint8_t *
mq_marks(const struct mq *m, int64_t lo, bool eff)
{
    const struct facts *f = m->f;
    uint8_t *mk = calloc(f->ncust + 1, 1);
    size_t d0, d1, d, i;

    if (mk == NULL)
        return NULL;
    if (f->last_exact && (int64_t)f->max_act_at < m->hi) {
        const uint32_t *last = eff ? f->cust_last_eff : f->cust_last_any;

        for (i = 0; i < f->ncust; i++) /* the latest is before T */
            mk[i] = last[i] != 0 && (int64_t)last[i] >= lo;
        return mk;
    }
    facts_days(f, lo, m->hi, &d0, &d1);
    for (d = d0; d < d1; d++) {
        bool edge = d == d0 || d + 1 == d1;

        for (i = f->day_off[d]; i < f->day_off[d + 1]; i++) {
            const struct facts_act *a = &f->acts[i];
            int64_t at;

            if (eff && !FACTS_ACT_EFF(a))
                continue;
            at = facts_act_at(f, d, a);
            if (!edge || (at >= lo && at < m->hi))
                mk[FACTS_ACT_CUST(a)] = 1;
        }
    }
    return mk;
}

APP_MUST_USE enum app_err
mq_window(struct mq *m, const struct metrics_query *q, bool inclusive,
          struct mq_window *w)
{
    struct metrics_date to = q->to, from = q->from;
    int64_t days;

    if (!to.set) { /* the day after T's day (exclusive), or T's day */
        to.set = true;
        to.y = m->tday.tm_year + 1900;
        to.m = m->tday.tm_mon + 1;
        to.d = m->tday.tm_mday + (inclusive ? 0 : 1);
    }
    w->hi = mq_midnight(m, to.y, to.m, to.d, inclusive ? 1 : 0, NULL);
    mq_midnight(m, to.y, to.m, to.d, 0, w->to);
    if (!from.set) {
        int len = q->window_days > 0 && q->window_days <= METRICS_WINDOW_MAX
                      ? q->window_days
                      : 30;

        from = to;
        from.d -= inclusive ? len - 1 : len;
    }
    w->lo = mq_midnight(m, from.y, from.m, from.d, 0, w->from);
    days = (w->hi - w->lo + 43200) / 86400;
    if (w->lo >= w->hi || days > METRICS_WINDOW_MAX) {
        m->cx->err_detail = "metrics.bad_window";
        return APP_EINVAL;
    }
    w->prev_lo =
        mq_midnight(m, from.y, from.m, from.d, -(int)days, w->prev_from);
    return APP_OK;
}

cJSON *
mq_doc(const struct mq *m)
{
    static const char *const names[] = { "tenant", "tenant", "team", "rep" };
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "scope", names[m->scope]);
    if (m->scope_id != 0)
        cJSON_AddNumberToObject(o, "scope_id", (double)m->scope_id);
    else
        cJSON_AddNullToObject(o, "scope_id");
    if (m->as_of[0] != '\0')
        cJSON_AddStringToObject(o, "as_of", m->as_of);
    else
        cJSON_AddNullToObject(o, "as_of");
    cJSON_AddStringToObject(o, "t", m->t_text);
    return o;
}
