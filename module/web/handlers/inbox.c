/*
 * inbox.c -- notifications, deliveries and jobs pages (inbox.h).
 */
#include "web/handlers/inbox.h"

#include <string.h>

#include "base/tz.h"
#include "base/validate.h"
#include "http/app.h"
#include "http/router.h"
#include "sales/audits.h"
#include "web/auth.h"
#include "web/view.h"
#include "work/jobs.h"
#include "work/notify.h"
#include "work/outbox.h"

/* The page a notification leads to ("" for none). */
static const char *
link_of(struct req *r, const char *kind, int64_t id)
{
    if (strcmp(kind, "task") == 0)
        return arena_printf(r->a, "/tasks/%lld", (long long)id);
    if (strcmp(kind, "customer") == 0)
        return arena_printf(r->a, "/customers/%lld", (long long)id);
    if (strcmp(kind, SHELF_AUDIT_OBJECT) == 0)
        return arena_printf(r->a, "/audits/%lld", (long long)id);
    return "";
}

enum app_err
inbox_show(struct req *r)
{
    static const char *const done[] = { "read_all", NULL };
    const struct str *u = http_query_arg(r, "unread");
    bool unread = u != NULL && str_eq_c(*u, "1");
    struct db_res res;
    cJSON *m = view_new(r), *list;
    enum app_err rc = notify_list(&r->cx, unread, 0, 100, &res);
    size_t i;

    if (rc != APP_OK)
        return rc;
    if (m == NULL || (list = cJSON_AddArrayToObject(m, "items")) == NULL)
        return APP_ENOMEM;
    for (i = 0; i < res.nrows; i++) {
        cJSON *n = cJSON_CreateObject();

        if (n == NULL || !cJSON_AddItemToArray(list, n))
            return APP_ENOMEM;
        cJSON_AddNumberToObject(n, "id", (double)db_int(&res, i, NT_ID, 0));
        view_add_str(n, "kind_label",
                     http_t(r, arena_printf(r->a, "notify.kind_%s",
                                            db_text(&res, i, NT_KIND))));
        view_add_str(n, "title", db_text(&res, i, NT_TITLE));
        view_add_str(n, "body", db_text(&res, i, NT_BODY));
        view_add_str(n, "link",
                     link_of(r, db_text(&res, i, NT_OBJECT_KIND),
                             db_int(&res, i, NT_OBJECT_ID, 0)));
        cJSON_AddBoolToObject(n, "unread",
                              db_text(&res, i, NT_READ_AT)[0] == '\0');
        view_add_str(n, "created_at", db_text(&res, i, NT_CREATED_AT));
    }
    view_local_times(r, list);
    cJSON_AddBoolToObject(m, "none", res.nrows == 0);
    cJSON_AddBoolToObject(m, "unread_only", unread);
    view_done(r, m, "notify.done_%s", done);
    return view_page(r, 200, "pages/inbox", m);
}

/* Mark read and go where it leads (the inbox when nowhere). */
enum app_err
inbox_read(struct req *r)
{
    static const struct field_spec spec[] = {
        { "next", V_LOCAL_PATH, false, 0, 300, NULL },
    };
    struct field_val v[1];
    enum app_err rc =
        validate_fields(&r->cx.err_detail, &r->form, spec, 1, v, NULL);

    if (rc == APP_OK)
        rc = notify_read(&r->cx, router_param_int(r, "id"));
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, v[0].present && v[0].s.len > 0
                                ? arena_strndup(r->a, v[0].s.p, v[0].s.len)
                                : "/notifications");
}

enum app_err
inbox_read_all(struct req *r)
{
    int64_t n;
    enum app_err rc = notify_read_all(&r->cx, &n);

    return rc != APP_OK ? rc : http_redirect(r, "/notifications?done=read_all");
}

enum app_err
admin_deliveries(struct req *r)
{
    static const char *const statuses[] = { "failed", "pending", "sent", NULL };
    static const char *const done[] = { "retried", NULL };
    static const struct field_spec spec[] = {
        { "status", V_ENUM, false, 0, 0, statuses },
    };
    struct field_val v[1];
    struct db_res res;
    cJSON *m = view_new(r), *list;
    const char *status;
    enum app_err rc =
        validate_fields(&r->cx.err_detail, &r->query_args, spec, 1, v, NULL);
    size_t i;

    status = v[0].present ? statuses[v[0].i] : "failed";
    if (rc == APP_OK)
        rc = outbox_list(&r->cx, status, 200, &res);
    if (rc != APP_OK)
        return rc;
    if (m == NULL || (list = cJSON_AddArrayToObject(m, "items")) == NULL)
        return APP_ENOMEM;
    for (i = 0; i < res.nrows; i++) {
        cJSON *d = cJSON_CreateObject();

        if (d == NULL || !cJSON_AddItemToArray(list, d))
            return APP_ENOMEM;
        cJSON_AddNumberToObject(d, "id", (double)db_int(&res, i, 0, 0));
        view_add_str(d, "channel",
                     http_t(r, arena_printf(r->a, "delivery.channel_%s",
                                            db_text(&res, i, 1))));
        view_add_str(d, "target", db_text(&res, i, 2));
        view_add_str(d, "status",
                     http_t(r, arena_printf(r->a, "delivery.status_%s",
                                            db_text(&res, i, 3))));
        cJSON_AddBoolToObject(d, "retryable",
                              strcmp(db_text(&res, i, 3), "sent") != 0);
        cJSON_AddNumberToObject(d, "attempts", (double)db_int(&res, i, 4, 0));
        view_add_str(d, "next_at", db_text(&res, i, 5));
        view_add_str(d, "last_error", db_text(&res, i, 6));
        view_add_str(d, "created_at", db_text(&res, i, 9));
        view_add_str(d, "title", db_text(&res, i, 10));
    }
    view_local_times(r, list);
    cJSON_AddItemToObject(
        m, "statuses", view_options(r, statuses, "delivery.status_", status));
    cJSON_AddBoolToObject(m, "none", res.nrows == 0);
    view_done(r, m, "delivery.done_%s", done);
    return view_page(r, 200, "pages/admin_deliveries", m);
}

enum app_err
admin_delivery_retry(struct req *r)
{
    enum app_err rc = outbox_retry(&r->cx, router_param_int(r, "id"));

    return rc != APP_OK ? rc
                        : http_redirect(r, "/admin/deliveries?done=retried");
}

enum app_err
admin_jobs(struct req *r)
{
    struct db_res res;
    cJSON *m = view_new(r), *list;
    enum app_err rc = jobs_list(r->app->db, r->a, r->cx.tenant_id, &res);
    size_t i;

    if (rc != APP_OK)
        return rc;
    if (m == NULL || (list = cJSON_AddArrayToObject(m, "jobs")) == NULL)
        return APP_ENOMEM;
    for (i = 0; i < res.nrows; i++) {
        cJSON *j = cJSON_CreateObject(), *runs;
        struct db_res rr;
        size_t k;

        if (j == NULL || !cJSON_AddItemToArray(list, j))
            return APP_ENOMEM;
        view_add_str(j, "kind", db_text(&res, i, 1));
        view_add_str(j, "key", db_text(&res, i, 2));
        view_add_str(j, "spec", db_text(&res, i, 3));
        cJSON_AddBoolToObject(j, "active", db_int(&res, i, 4, 0) != 0);
        view_add_str(j, "next_at", db_text(&res, i, 5));
        cJSON_AddNumberToObject(j, "runs", (double)db_int(&res, i, 6, 0));
        if ((runs = cJSON_AddArrayToObject(j, "last_runs")) == NULL)
            return APP_ENOMEM;
        rc = jobs_runs(r->app->db, r->a, r->cx.tenant_id, db_int(&res, i, 0, 0),
                       5, &rr);
        for (k = 0; rc == APP_OK && k < rr.nrows; k++) {
            cJSON *x = cJSON_CreateObject();

            cJSON_AddItemToArray(runs, x);
            view_add_str(x, "at", db_text(&rr, k, 2));
            cJSON_AddBoolToObject(x, "ok", db_int(&rr, k, 4, 0) != 0);
            cJSON_AddBoolToObject(x, "unfinished",
                                  db_text(&rr, k, 3)[0] == '\0');
            view_add_str(x, "error", db_text(&rr, k, 5));
            cJSON_AddNumberToObject(x, "ms", (double)db_int(&rr, k, 6, 0));
        }
        if (rc != APP_OK)
            return rc;
        view_local_times(r, runs);
    }
    {
        /* next_at is a UTC time too. */
        cJSON *j;

        cJSON_ArrayForEach(j, list)
        {
            cJSON *f = cJSON_GetObjectItemCaseSensitive(j, "next_at");
            char when[32];

            if (cJSON_IsString(f))
                cJSON_SetValuestring(f,
                                     tz_format(r->cx.tenant_tz, f->valuestring,
                                               when, sizeof(when)));
        }
    }
    cJSON_AddBoolToObject(m, "none", res.nrows == 0);
    return view_page(r, 200, "pages/admin_jobs", m);
}
