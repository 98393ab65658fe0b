/*
 * admin_audit.c -- the audit log with filters (event, user, dates), newest
 * first, paged by id.  Admins only; rows of the admin's tenant only.
 */
#include <stdio.h>
#include <string.h>

#include "http/app.h"
#include "web/auth.h"
#include "db/db.h"
#include "db/audit.h"
#include "web/audit_view.h"
#include "web/handlers/admin_audit.h"
#include "http/router.h"
#include "base/tz.h"
#include "base/validate.h"
#include "web/view.h"
#include "base/wire.h"

#define AUDIT_PAGE 100

/* The filter's event groups (name prefixes), each with a label
 * ("audit.group.login"). */
static const char *const event_prefixes[] = {
    "login",
    "logout",
    "mfa",
    "password",
    "role",
    "manager",
    "user",
    "token",
    "session",
    "customer",
    "evidence",
    "rules",
    "tenant",
    "product",
    "qualification",
    "clause",
    "contract_template",
    "contract",
    "shipment",
    NULL,
};

/* A local date "YYYY-MM-DD" (+ days) in the tenant's zone as a UTC
 * "YYYY-MM-DD HH:MM:SS" bound, or "" when absent or malformed. */
static const char *
day_bound(struct req *r, const struct field_val *v, int add_days)
{
    struct tm tm;
    time_t t;
    char out[32];

    if (!v->present || v->s.len != 10)
        return "";
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = (v->s.p[0] - '0') * 1000 + (v->s.p[1] - '0') * 100 +
                 (v->s.p[2] - '0') * 10 + (v->s.p[3] - '0') - 1900;
    tm.tm_mon = (v->s.p[5] - '0') * 10 + (v->s.p[6] - '0') - 1;
    tm.tm_mday = (v->s.p[8] - '0') * 10 + (v->s.p[9] - '0') + add_days;
    t = tz_mktime(r->auth->tenant_tz, &tm);
    if (t < 0)
        return "";
    return arena_strdup(r->a, tz_utc_text(t, out, sizeof(out)));
}

static bool
date_ok(const struct field_val *v)
{
    size_t i;

    if (!v->present)
        return true;
    if (v->s.len != 10 || v->s.p[4] != '-' || v->s.p[7] != '-')
        return false;
    for (i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && (v->s.p[i] < '0' || v->s.p[i] > '9'))
            return false;
    }
    return true;
}

/* The filter's event groups, by label, the chosen one selected. */
static bool
event_options(struct req *r, cJSON *events, const char *chosen)
{
    size_t i;

    for (i = 0; event_prefixes[i] != NULL; i++) {
        cJSON *o = cJSON_CreateObject();

        if (o == NULL || !cJSON_AddItemToArray(events, o))
            return false;
        view_add_str(o, "value", event_prefixes[i]);
        view_add_str(
            o, "label",
            http_t(r, arena_printf(r->a, "audit.group.%s", event_prefixes[i])));
        cJSON_AddBoolToObject(o, "selected",
                              strcmp(chosen, event_prefixes[i]) == 0);
    }
    return true;
}

enum app_err
admin_audit(struct req *r)
{
    static const struct field_spec spec[] = {
        { "event", V_ENUM, false, 0, 0, event_prefixes },
        { "user", V_LOGIN, false, 1, 64, NULL },
        { "from", V_LINE, false, 10, 10, NULL },
        { "to", V_LINE, false, 10, 10, NULL },
        { "before", V_INT, false, 1, INT64_MAX, NULL },
    };
    struct field_val v[5];
    struct db_res res;
    const char *event, *user, *from, *to;
    struct audit_filter f;
    struct ruledesc rd;
    cJSON *m, *rows, *filter, *events, *s;
    size_t i;
    enum app_err rc;

    if (validate_fields(&r->cx.err_detail, &r->query_args, spec, 5, v, NULL) !=
            APP_OK ||
        !date_ok(&v[2]) || !date_ok(&v[3]))
        return APP_EINVAL;
    memset(&f, 0, sizeof(f));
    event = v[0].present ? event_prefixes[v[0].i] : "";
    user = v[1].present ? arena_str(r->a, v[1].s).p : "";
    from = day_bound(r, &v[2], 0);
    to = day_bound(r, &v[3], 1);
    f.before = v[4].present ? v[4].i : 0;
    f.event = event;
    f.user = user;
    f.from = from;
    f.to = to;
    rc = audit_list(&r->cx, &f, AUDIT_PAGE + 1, &res);
    if (rc == APP_OK)
        rc = ruledesc_get(&r->cx, &rd);
    if (rc != APP_OK)
        return rc;
    m = view_new(r);
    if (m == NULL)
        return APP_ENOMEM;
    rows = cJSON_AddArrayToObject(m, "rows");
    filter = cJSON_AddObjectToObject(m, "filter");
    events = cJSON_AddArrayToObject(m, "events");
    if (rows == NULL || filter == NULL || events == NULL)
        return APP_ENOMEM;
    for (i = 0; i < res.nrows && i < AUDIT_PAGE; i++) {
        cJSON *o = cJSON_CreateObject();
        char when[32];

        if (o == NULL || !cJSON_AddItemToArray(rows, o))
            return APP_ENOMEM;
        cJSON_AddNumberToObject(o, "id", (double)db_int(&res, i, 0, 0));
        view_add_str(o, "at",
                     tz_format(r->auth->tenant_tz, db_text(&res, i, 1), when,
                               sizeof(when)));
        view_add_str(o, "event", db_text(&res, i, AUDIT_EVENT));
        view_add_str(o, "actor", db_text(&res, i, AUDIT_ACTOR_NAME));
        view_add_str(o, "actor_login", db_text(&res, i, AUDIT_ACTOR_LOGIN));
        view_add_str(o, "detail", db_text(&res, i, AUDIT_DETAIL));
        view_add_str(o, "ip",
                     strcmp(db_text(&res, i, AUDIT_IP), "cli") == 0
                         ? http_t(r, "admin.ip_cli")
                         : db_text(&res, i, AUDIT_IP));
        s = audit_view_sentence(r, &rd, &res, i);
        if (s == NULL)
            return APP_ENOMEM;
        cJSON_AddItemToObject(o, "what", s);
    }
    if (res.nrows > AUDIT_PAGE) {
        struct buf b;
        enum app_err brc;

        buf_init(&b, r->a, 4096);
        brc = buf_printf(&b, "/admin/audit?before=%lld",
                         (long long)db_int(&res, AUDIT_PAGE - 1, 0, 0));
        if (brc == APP_OK && event[0] != '\0')
            brc = buf_printf(&b, "&event=%s", event);
        if (brc == APP_OK && user[0] != '\0')
            brc = buf_puts(&b, "&user=");
        if (brc == APP_OK && user[0] != '\0')
            brc = wire_pct_encode(&b, user, strlen(user));
        if (brc == APP_OK && v[2].present)
            brc = buf_printf(&b, "&from=%.10s", v[2].s.p);
        if (brc == APP_OK && v[3].present)
            brc = buf_printf(&b, "&to=%.10s", v[3].s.p);
        if (brc != APP_OK)
            return brc;
        view_add_str(m, "next", b.p);
    }
    if (!event_options(r, events, event))
        return APP_ENOMEM;
    view_add_str(filter, "user", user);
    view_add_str(filter, "from", v[2].present ? arena_str(r->a, v[2].s).p : "");
    view_add_str(filter, "to", v[3].present ? arena_str(r->a, v[3].s).p : "");
    return view_page(r, 200, "pages/admin_audit", m);
}
