/*
 * metrics_view.c -- the metrics query from the query string (metrics_view.h).
 */
#include "web/metrics_view.h"

#include <stdio.h>
#include <string.h>

#include "base/validate.h"

enum app_err
metrics_view_query(struct req *r, struct metrics_query *q)
{
    static const char *const scopes[] = { "tenant", "team", "rep", NULL };
    static const struct field_spec spec[] = {
        { "scope", V_ENUM, false, 0, 0, scopes },
        { "team", V_INT, false, 1, INT64_MAX, NULL },
        { "rep", V_INT, false, 1, INT64_MAX, NULL },
        { "as_of", V_LINE, false, 0, 10, NULL },
        { "from", V_LINE, false, 0, 10, NULL },
        { "to", V_LINE, false, 0, 10, NULL },
    };
    struct field_val v[6];
    struct metrics_date *dates[3];
    size_t i;

    memset(q, 0, sizeof(*q));
    if (validate_fields(&r->cx.err_detail, &r->query_args, spec, 6, v, NULL) !=
        APP_OK) {
        r->cx.err_detail = "metrics.bad_query";
        return APP_EINVAL;
    }
    q->scope = !v[0].present ? MS_DEFAULT
               : v[0].i == 0 ? MS_TENANT
               : v[0].i == 1 ? MS_TEAM
                             : MS_REP;
    if (v[1].present && v[2].present) {
        r->cx.err_detail = "metrics.bad_query";
        return APP_EINVAL;
    }
    if (v[1].present) { /* team=<id> alone means the team scope */
        q->scope = q->scope == MS_DEFAULT ? MS_TEAM : q->scope;
        q->user_id = v[1].i;
    } else if (v[2].present) {
        q->scope = q->scope == MS_DEFAULT ? MS_REP : q->scope;
        q->user_id = v[2].i;
    }
    if ((q->scope == MS_TEAM && v[2].present) ||
        (q->scope == MS_REP && v[1].present) ||
        (q->scope == MS_TENANT && (v[1].present || v[2].present))) {
        r->cx.err_detail = "metrics.bad_query";
        return APP_EINVAL;
    }
    dates[0] = &q->as_of;
    dates[1] = &q->from;
    dates[2] = &q->to;
    for (i = 0; i < 3; i++) {
        const char *s;

        if (!v[3 + i].present || v[3 + i].s.len == 0)
            continue;
        s = arena_strndup(r->a, v[3 + i].s.p, v[3 + i].s.len);
        if (s == NULL || !metrics_date_parse(s, dates[i])) {
            r->cx.err_detail = "metrics.bad_date";
            return APP_EINVAL;
        }
    }
    return APP_OK;
}

/* A short query argument as text into *out ("" when absent). */
APP_MUST_USE static enum app_err
short_arg(struct req *r, const char *name, const char **out)
{
    const struct str *v = http_query_arg(r, name);

    *out = "";
    if (v == NULL)
        return APP_OK;
    if (v->len > METRICS_VIEW_ARG_MAX) {
        r->cx.err_detail = "metrics.bad_query";
        return APP_EINVAL;
    }
    *out = arena_strndup(r->a, v->p, v->len);
    return *out != NULL ? APP_OK : APP_ENOMEM;
}

enum app_err
metrics_view_list(struct req *r, struct metrics_list_req *lr)
{
    enum app_err rc;

    memset(lr, 0, sizeof(*lr));
    rc = short_arg(r, "which", &lr->which);
    if (rc == APP_OK)
        rc = short_arg(r, "stage", &lr->stage);
    if (rc == APP_OK)
        rc = short_arg(r, "reason", &lr->reason);
    if (rc == APP_OK && lr->reason[0] == '\0')
        lr->reason = NULL; /* any reason */
    return rc;
}

const char *
metrics_view_params(struct req *r, const struct metrics_query *q)
{
    static const char *const scopes[] = { "", "tenant", "team", "rep" };
    static const char *const names[] = { "as_of", "from", "to" };
    const struct metrics_date *d[3] = { &q->as_of, &q->from, &q->to };
    const char *p =
        arena_printf(r->a, "%s%s", q->scope ? "&scope=" : "", scopes[q->scope]);
    size_t i;

    if (p != NULL && q->user_id != 0)
        p = arena_printf(r->a, "%s&%s=%lld", p,
                         q->scope == MS_REP ? "rep" : "team",
                         (long long)q->user_id);
    for (i = 0; p != NULL && i < 3; i++)
        if (d[i]->set)
            p = arena_printf(r->a, "%s&%s=%04d-%02d-%02d", p, names[i],
                             d[i]->y % 10000, d[i]->m % 100, d[i]->d % 100);
    return p != NULL ? p : "";
}
