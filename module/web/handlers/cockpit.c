/*
 * cockpit.c -- the manager cockpit pages (cockpit.h).
 */
#include "web/handlers/cockpit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "db/db.h"
#include "http/router.h"
#include "identity/role.h"
#include "base/jsonmem.h"
#include "metrics/facts.h"
#include "metrics/metrics.h"
#include "web/cockpit_svg.h"
#include "web/metrics_view.h"
#include "web/view.h"
#include "rules/ruledesc.h"
#include "work/alerts.h"

#define COCKPIT_SVG_MAX (1u << 20) /* bytes of one chart on the page */

/* The charts of a page, computed once per state of the company's facts:
 * a page asked again (a manager refreshing, the big screen, several
 * managers of one team) while nothing changed is drawn from here.  Keyed
 * by company, caller, language, query, facts version and, when T is now,
 * the minute: any saved activity or stage move changes the version, so
 * the next load recomputes; only the sliding of the windows with the
 * clock waits for the next minute. */
#define COCKPIT_CACHE 16
struct cache_entry {
    char *key;
    cJSON *parts;
    uint64_t used;
};
static struct cache_entry cache[COCKPIT_CACHE];
static uint64_t cache_clock;

static const cJSON *
cache_get(const char *key)
{
    size_t i;

    for (i = 0; i < COCKPIT_CACHE; i++)
        if (cache[i].key != NULL && strcmp(cache[i].key, key) == 0) {
            cache[i].used = ++cache_clock;
            return cache[i].parts;
        }
    return NULL;
}

/* Keep parts (taken) under key, in place of the least recently used. */
static const cJSON *
cache_put(const char *key, cJSON *parts)
{
    size_t i, old = 0;
    char *k = strdup(key);

    if (k == NULL) {
        cJSON_Delete(parts);
        return NULL;
    }
    for (i = 1; i < COCKPIT_CACHE; i++)
        if (cache[i].used < cache[old].used)
            old = i;
    free(cache[old].key);
    cJSON_Delete(cache[old].parts);
    cache[old].key = k;
    cache[old].parts = parts;
    cache[old].used = ++cache_clock;
    return parts;
}

typedef enum app_err (*metric_fn)(struct ctx *cx, const struct metrics_query *q,
                                  cJSON **out);
typedef enum app_err (*svg_fn)(struct buf *out, const cJSON *doc,
                               const struct cockpit_labels *l,
                               const char *link_base, const char *link_suffix);

static struct str
label(struct req *r, const char *key)
{
    const char *s = i18n_lookup(r->catalog, key);

    return str_c(s != NULL ? s : "");
}

static void
labels_of(struct req *r, struct cockpit_labels *l)
{
    l->health_title = label(r, "cockpit.chart.health_title");
    l->funnel_title = label(r, "cockpit.chart.funnel_title");
    l->consistency_title = label(r, "cockpit.chart.consistency_title");
    l->heatmap_title = label(r, "cockpit.chart.heatmap_title");
    l->healthy = label(r, "cockpit.chart.healthy");
    l->warning = label(r, "cockpit.chart.warning");
    l->zombie = label(r, "cockpit.chart.zombie");
    l->no_customers = label(r, "cockpit.chart.no_customers");
    l->entered = label(r, "cockpit.chart.entered");
    l->advanced = label(r, "cockpit.chart.advanced");
    l->lost = label(r, "cockpit.chart.lost");
    l->stalled = label(r, "cockpit.chart.stalled");
    l->loss_rate = label(r, "cockpit.chart.loss_rate");
    l->brk = label(r, "cockpit.chart.break");
    l->mean = label(r, "cockpit.chart.mean");
    l->sampled = label(r, "cockpit.chart.sampled");
    l->flagged = label(r, "cockpit.chart.flagged");
    l->effective = label(r, "cockpit.chart.effective");
    l->more = label(r, "cockpit.chart.more");
}

/* A ratio as "63.6%", or "—". */
static const char *
pct(struct req *r, const cJSON *v)
{
    return cJSON_IsNumber(v)
               ? arena_printf(r->a, "%.1f%%", v->valuedouble * 100)
               : "—";
}

/* Add "<key>_pct" beside every ratio member of each object of list. */
static void
add_pcts(struct req *r, cJSON *list, const char *const *keys)
{
    cJSON *o;

    cJSON_ArrayForEach(o, list)
    {
        size_t i;

        const char *st = cJSON_GetStringValue(cJSON_GetObjectItem(o, "status"));

        for (i = 0; keys[i] != NULL; i++)
            view_add_str(o, arena_printf(r->a, "%s_pct", keys[i]),
                         pct(r, cJSON_GetObjectItem(o, keys[i])));
        if (st != NULL) /* the status in the reader's language */
            view_add_str(
                o, "status_label",
                i18n_lookup(r->catalog,
                            arena_printf(r->a, "cockpit.chart.%s", st)));
    }
}

/* One chart: the metric's document into m[name] and its picture into
 * m[name_svg] (raw SVG, built here from escaped parts). */
APP_MUST_USE static enum app_err
chart(struct req *r, cJSON *m, const char *name, const struct metrics_query *q,
      metric_fn fn, svg_fn draw, const char *link_base, const char *params)
{
    struct cockpit_labels l;
    struct buf b;
    cJSON *doc = NULL;
    enum app_err rc = fn(&r->cx, q, &doc);

    if (rc != APP_OK)
        return rc;
    cJSON_AddItemToObject(m, name, doc);
    if (draw == NULL)
        return APP_OK;
    labels_of(r, &l);
    buf_init(&b, r->a, COCKPIT_SVG_MAX);
    rc = draw(&b, doc, &l, link_base, params);
    if (rc == APP_ETOOBIG) { /* too many rows to draw: the table stays */
        cJSON_AddBoolToObject(m, arena_printf(r->a, "%s_too_big", name), 1);
        return APP_OK;
    }
    if (rc == APP_OK)
        view_add_str(m, arena_printf(r->a, "%s_svg", name),
                     arena_strndup(r->a, b.p != NULL ? b.p : "", b.len));
    return rc;
}

APP_MUST_USE static enum app_err
charts(struct req *r, cJSON *m, const struct metrics_query *q,
       const char *params)
{
    static const char *const health_keys[] = { "health", NULL };
    static const char *const funnel_keys[] = { "loss_rate", "prev_loss_rate",
                                               "change", NULL };
    static const char *const share_keys[] = { "share", NULL };
    enum app_err rc =
        chart(r, m, "health", q, metrics_stage_health, cockpit_svg_health,
              "/cockpit/customers?which=health_idle&stage=", params);

    if (rc == APP_OK)
        rc = chart(r, m, "funnel", q, metrics_funnel, cockpit_svg_funnel,
                   "/cockpit/customers?which=funnel_lost&stage=", params);
    if (rc == APP_OK)
        rc = chart(r, m, "consistency", q, metrics_consistency,
                   cockpit_svg_consistency,
                   "/cockpit/customers?which=dormant&scope=rep&rep=",
                   arena_printf(r->a, "%s", q->as_of.set ? params : ""));
    if (rc == APP_OK)
        rc = chart(r, m, "heatmap", q, metrics_heatmap, cockpit_svg_heatmap,
                   "/visits?", "");
    if (rc == APP_OK)
        rc = chart(r, m, "losses", q, metrics_losses, NULL, NULL, NULL);
    if (rc != APP_OK)
        return rc;
    add_pcts(r, cJSON_GetObjectItem(cJSON_GetObjectItem(m, "health"), "stages"),
             health_keys);
    add_pcts(r, cJSON_GetObjectItem(cJSON_GetObjectItem(m, "funnel"), "stages"),
             funnel_keys);
    add_pcts(r,
             cJSON_GetObjectItem(cJSON_GetObjectItem(m, "consistency"), "reps"),
             share_keys);
    view_add_str(cJSON_GetObjectItem(m, "consistency"), "mean_pct",
                 pct(r, cJSON_GetObjectItem(
                            cJSON_GetObjectItem(m, "consistency"), "mean")));
    return APP_OK;
}

/* The heatmap's numbers as a table: each rep's totals over the days. */
static void
heat_totals(cJSON *heat)
{
    cJSON *rep;

    cJSON_ArrayForEach(rep, cJSON_GetObjectItem(heat, "reps"))
    {
        const cJSON *x;
        double all = 0, eff = 0;

        cJSON_ArrayForEach(x, cJSON_GetObjectItem(rep, "all"))
        {
            all += x->valuedouble;
        }
        cJSON_ArrayForEach(x, cJSON_GetObjectItem(rep, "effective"))
        {
            eff += x->valuedouble;
        }
        cJSON_AddNumberToObject(rep, "total", all);
        cJSON_AddNumberToObject(rep, "total_effective", eff);
    }
}

/* The stage under loss focus, when the rules make it need more evidence:
 * its name, since when, how many were lost, and the extra items. */
APP_MUST_USE static enum app_err
add_focus(struct req *r, const struct db_res *res, size_t i, cJSON *m)
{
    struct ruledesc rd;
    const cJSON *stage, *it;
    cJSON *o, *items, *reqs;
    enum app_err rc = ruledesc_get(&r->cx, &rd);

    if (rc != APP_OK || !ruledesc_focus_adds(&rd))
        return rc;
    stage = ruledesc_stage(&rd, db_text(res, i, 1), NULL);
    if (stage == NULL)
        return APP_OK; /* a stage the current rules no longer have */
    o = cJSON_AddObjectToObject(m, "focus");
    reqs = ruledesc_requires(&rd, stage, db_text(res, i, 1));
    items = cJSON_AddArrayToObject(o, "items");
    if (o == NULL || reqs == NULL || items == NULL) {
        cJSON_Delete(reqs);
        return APP_ENOMEM;
    }
    view_add_str(o, "stage", db_text(res, i, 1));
    view_add_str(o, "name", ruledesc_name(&r->cx, stage));
    view_add_str(o, "since", view_local(r, db_text(res, i, 2)));
    cJSON_AddNumberToObject(o, "losses", (double)db_int(res, i, 3, 0));
    cJSON_ArrayForEach(it, reqs)
    {
        if (cJSON_IsTrue(cJSON_GetObjectItem(it, "focus")))
            cJSON_AddItemToArray(items,
                                 cJSON_CreateString(ruledesc_name(&r->cx, it)));
    }
    cJSON_Delete(reqs);
    return APP_OK;
}

APP_MUST_USE static enum app_err
add_alerts(struct req *r, cJSON *m)
{
    struct db_res res;
    cJSON *list, *waiting;
    size_t i;
    enum app_err rc = alerts_active(&r->cx, &res);

    if (rc != APP_OK)
        return rc;
    list = cJSON_AddArrayToObject(m, "alerts");
    waiting = cJSON_AddArrayToObject(m, "waiting");
    for (i = 0;
         rc == APP_OK && list != NULL && waiting != NULL && i < res.nrows;
         i++) {
        const char *kind = db_text(&res, i, 0);
        cJSON *o;

        if (strcmp(kind, "focus") == 0) {
            rc = add_focus(r, &res, i, m);
            continue;
        }
        o = cJSON_CreateObject();
        if (strcmp(kind, "alert") == 0) {
            cJSON_AddItemToArray(list, o);
            view_add_str(o, "key", db_text(&res, i, 1));
            view_add_str(o, "at", view_local(r, db_text(&res, i, 2)));
        } else {
            cJSON_AddItemToArray(waiting, o);
            cJSON_AddNumberToObject(o, "id", (double)db_int(&res, i, 3, 0));
            view_add_str(o, "title", db_text(&res, i, 4));
        }
    }
    return rc;
}

/* The charts, their numbers and the filter's choices, computed. */
APP_MUST_USE static enum app_err
compute(struct req *r, const struct metrics_query *q, const char *params,
        cJSON **out)
{
    cJSON *parts = cJSON_CreateObject(), *choices = NULL;
    enum app_err rc = parts != NULL ? charts(r, parts, q, params) : APP_ENOMEM;

    if (rc == APP_OK)
        rc = metrics_choices(&r->cx, &choices);
    if (rc != APP_OK) {
        cJSON_Delete(parts);
        return rc;
    }
    heat_totals(cJSON_GetObjectItem(parts, "heatmap"));
    {
        cJSON *t;

        cJSON_ArrayForEach(t, cJSON_GetObjectItem(choices, "teams"))
        { /* the team shown stays chosen in the filter */
            cJSON_AddBoolToObject(t, "selected",
                                  q->scope == MS_TEAM && q->user_id != 0 &&
                                      (int64_t)cJSON_GetNumberValue(
                                          cJSON_GetObjectItem(t, "id")) ==
                                          q->user_id);
        }
    }
    cJSON_AddItemToObject(parts, "choices", choices);
    *out = parts;
    return APP_OK;
}

/* The charts for this caller and query, from the cache when the facts
 * have not changed since they were computed. */
APP_MUST_USE static enum app_err
charts_of(struct req *r, const struct metrics_query *q, const char *params,
          const cJSON **out)
{
    uint64_t version;
    cJSON *parts;
    const char *key;
    enum app_err rc = facts_version(&r->cx, &version);

    if (rc != APP_OK)
        return rc;
    key = arena_printf(r->a, "%lld:%lld:%s:%s:%llu:%lld",
                       (long long)r->cx.tenant_id, (long long)r->cx.user_id,
                       r->cx.lang, params, (unsigned long long)version,
                       q->as_of.set ? 0LL : (long long)time(NULL) / 60);
    if (key == NULL)
        return APP_ENOMEM;
    *out = cache_get(key);
    if (*out != NULL)
        return APP_OK;
    rc = compute(r, q, params, &parts);
    if (rc == APP_OK)
        *out = cache_put(key, parts);
    return rc != APP_OK ? rc : *out != NULL ? APP_OK : APP_ENOMEM;
}

enum app_err
page_cockpit(struct req *r)
{
    struct metrics_query q;
    cJSON *m = view_new(r);
    const cJSON *parts = NULL, *p;
    const struct str *big = http_query_arg(r, "big");
    const char *params;
    enum app_err rc = m != NULL ? metrics_view_query(r, &q) : APP_ENOMEM;

    if (rc != APP_OK)
        return rc;
    params = metrics_view_params(r, &q);
    rc = charts_of(r, &q, params, &parts);
    if (rc == APP_OK && (r->cx.role & (ROLE_ADMIN | ROLE_MANAGER)))
        rc = add_alerts(r, m);
    if (rc != APP_OK)
        return rc;
    cJSON_ArrayForEach(p, parts)
    {
        if (!jsonmem_add_ref(m, p->string, p)) /* the cache keeps them */
            return APP_ENOMEM;
    }
    cJSON_AddBoolToObject(m, "big", big != NULL && str_eq_c(*big, "1"));
    cJSON_AddBoolToObject(m, "can_pick",
                          (r->cx.role & (ROLE_ADMIN | ROLE_MANAGER)) != 0);
    view_add_str(m, "params", params);
    view_add_str(m, "back", "/cockpit");
    return view_page(r, 200, "pages/cockpit", m);
}

enum app_err
page_cockpit_customers(struct req *r)
{
    struct metrics_query q;
    struct metrics_list_req lr;
    struct db_res res;
    cJSON *m = view_new(r), *list = NULL, *rows;
    size_t total = 0, i;
    enum app_err rc = m != NULL ? metrics_view_query(r, &q) : APP_ENOMEM;

    if (rc == APP_OK)
        rc = metrics_view_list(r, &lr);
    if (rc == APP_OK)
        rc = metrics_list(&r->cx, &q, &lr, &list, &total);
    if (rc == APP_OK)
        rc = metrics_list_rows(&r->cx, list, &res);
    cJSON_Delete(list);
    if (rc != APP_OK)
        return rc;
    rows = cJSON_AddArrayToObject(m, "customers");
    for (i = 0; rows != NULL && i < res.nrows; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(rows, o);
        cJSON_AddNumberToObject(o, "id", (double)db_int(&res, i, 0, 0));
        view_add_str(o, "name", db_text(&res, i, 1));
        view_add_str(o, "stage", db_text(&res, i, 2));
        view_add_str(o, "owner", db_text(&res, i, 4));
        view_add_str(o, "last", view_local(r, db_text(&res, i, 5)));
    }
    cJSON_AddNumberToObject(m, "total", (double)total);
    cJSON_AddBoolToObject(m, "cut", total > res.nrows);
    view_add_str(m, "which", lr.which);
    view_add_str(m, "which_label",
                 i18n_lookup(r->catalog,
                             arena_printf(r->a, "cockpit.list.%s", lr.which)));
    view_add_str(m, "stage", lr.stage);
    view_add_str(
        m, "back",
        arena_printf(r->a, "/cockpit?%s", metrics_view_params(r, &q) + 1));
    return view_page(r, 200, "pages/cockpit_customers", m);
}
