/*
 * task_view.c -- task rows for pages and the API (task_view.h).
 */
#include "web/task_view.h"

#include <string.h>
#include <time.h>

#include "base/tz.h"
#include "identity/role.h"
#include "web/auth.h"
#include "web/view.h"
#include "work/tasks.h"

static void
add_common(cJSON *o, const struct db_res *res, size_t row)
{
    cJSON_AddNumberToObject(o, "id", (double)db_int(res, row, TK_ID, 0));
    view_add_str(o, "kind", db_text(res, row, TK_KIND));
    view_add_str(o, "title", db_text(res, row, TK_TITLE));
    view_add_str(o, "body", db_text(res, row, TK_BODY));
    cJSON_AddNumberToObject(o, "priority",
                            (double)db_int(res, row, TK_PRIORITY, 2));
    view_add_str(o, "status", db_text(res, row, TK_STATUS));
    view_add_str(o, "assignee_name", db_text(res, row, TK_ASSIGNEE_NAME));
    view_add_str(o, "region", db_text(res, row, TK_REGION));
    view_add_str(o, "team_name", db_text(res, row, TK_TEAM_NAME));
    view_add_str(o, "object_name", db_text(res, row, TK_OBJECT_NAME));
    view_add_str(o, "note", db_text(res, row, TK_NOTE));
    view_add_str(o, "closed_by_name", db_text(res, row, TK_CLOSED_BY_NAME));
    view_add_str(o, "created_by_name", db_text(res, row, TK_CREATED_BY_NAME));
    view_add_str(o, "rule", db_text(res, row, TK_RULE));
    cJSON_AddBoolToObject(o, "overdue", db_int(res, row, TK_OVERDUE, 0) != 0);
}

cJSON *
task_view_page(struct req *r, const struct db_res *res, size_t row)
{
    cJSON *o = cJSON_CreateObject();
    const char *status = db_text(res, row, TK_STATUS);
    const char *role = db_text(res, row, TK_ROLE);
    const char *okind = db_text(res, row, TK_OBJECT_KIND);
    bool open = strcmp(status, "open") == 0;
    int64_t assignee = db_int(res, row, TK_ASSIGNEE_ID, 0);
    int prio = (int)db_int(res, row, TK_PRIORITY, 2);

    if (o == NULL)
        return NULL;
    add_common(o, res, row);
    view_add_str(o, "kind_label",
                 http_t(r, arena_printf(r->a, "task.kind_%s",
                                        db_text(res, row, TK_KIND))));
    view_add_str(o, "status_label",
                 http_t(r, arena_printf(r->a, "task.status_%s", status)));
    view_add_str(o, "priority_label",
                 http_t(r, arena_printf(r->a, "task.priority_%d",
                                        prio >= 1 && prio <= 3 ? prio : 2)));
    cJSON_AddBoolToObject(o, "high", prio == 1);
    if (role[0] != '\0')
        view_add_str(o, "role_label",
                     http_t(r, arena_printf(r->a, "role.%s", role)));
    view_add_str(o, "due", view_local(r, db_text(res, row, TK_DUE_AT)));
    view_add_str(o, "closed_at",
                 view_local(r, db_text(res, row, TK_CLOSED_AT)));
    view_add_str(o, "created_at",
                 view_local(r, db_text(res, row, TK_CREATED_AT)));
    cJSON_AddBoolToObject(o, "open", open);
    cJSON_AddBoolToObject(o, "can_claim",
                          open && assignee == 0 && role[0] != '\0' &&
                              strcmp(role, role_name(r->cx.role)) == 0);
    cJSON_AddBoolToObject(o, "can_close", open);
    cJSON_AddBoolToObject(o, "can_reopen", !open);
    if (strcmp(okind, "customer") == 0)
        view_add_str(
            o, "object_link",
            arena_printf(r->a, "/customers/%lld",
                         (long long)db_int(res, row, TK_OBJECT_ID, 0)));
    return o;
}

cJSON *
task_view_api(struct req *r, const struct db_res *res, size_t row)
{
    cJSON *o = cJSON_CreateObject();
    const char *okind = db_text(res, row, TK_OBJECT_KIND);

    if (o == NULL)
        return NULL;
    add_common(o, res, row);
    view_add_str(o, "due_at", db_text(res, row, TK_DUE_AT));
    view_add_str(o, "closed_at", db_text(res, row, TK_CLOSED_AT));
    view_add_str(o, "created_at", db_text(res, row, TK_CREATED_AT));
    if (db_int(res, row, TK_ASSIGNEE_ID, 0) > 0)
        cJSON_AddNumberToObject(o, "assignee_id",
                                (double)db_int(res, row, TK_ASSIGNEE_ID, 0));
    else
        cJSON_AddNullToObject(o, "assignee_id");
    view_add_str(o, "assignee_role", db_text(res, row, TK_ROLE));
    if (okind[0] != '\0') {
        cJSON *ob = cJSON_AddObjectToObject(o, "object");

        view_add_str(ob, "kind", okind);
        cJSON_AddNumberToObject(ob, "id",
                                (double)db_int(res, row, TK_OBJECT_ID, 0));
    } else {
        cJSON_AddNullToObject(o, "object");
    }
    cJSON_AddNumberToObject(o, "rule_version",
                            (double)db_int(res, row, TK_RULE_VERSION, 0));
    cJSON_AddNumberToObject(o, "version",
                            (double)db_int(res, row, TK_VERSION, 0));
    (void)r;
    return o;
}

/* The end of the tenant's today, as UTC text. */
static const char *
end_of_today(struct req *r)
{
    struct tm tm;
    char buf[32];

    tz_local(r->cx.tenant_tz, time(NULL), &tm);
    tm.tm_mday++;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    return arena_strdup(
        r->a, tz_utc_text(tz_mktime(r->cx.tenant_tz, &tm), buf, sizeof(buf)));
}

/* Open tasks split by when they are due: overdue, today, later. */
enum app_err
task_view_split(struct req *r, const struct db_res *res, cJSON *overdue,
                cJSON *today, cJSON *later)
{
    const char *end = end_of_today(r);
    size_t i;

    for (i = 0; i < res->nrows; i++) {
        const char *due = db_text(res, i, TK_DUE_AT);
        cJSON *o = task_view_page(r, res, i), *to;

        if (o == NULL)
            return APP_ENOMEM;
        to = db_int(res, i, TK_OVERDUE, 0) != 0       ? overdue
             : due[0] != '\0' && strcmp(due, end) < 0 ? today
                                                      : later;
        if (!cJSON_AddItemToArray(to, o)) {
            cJSON_Delete(o);
            return APP_ENOMEM;
        }
    }
    return APP_OK;
}

enum app_err
task_day(struct req *r, cJSON *m, size_t max)
{
    struct task_filter f = { .mine = true, .status = "open" };
    struct db_res res;
    cJSON *day = cJSON_AddObjectToObject(m, "day"), *o, *t, *l;
    enum app_err rc;

    if (day == NULL || (o = cJSON_AddArrayToObject(day, "overdue")) == NULL ||
        (t = cJSON_AddArrayToObject(day, "today")) == NULL ||
        (l = cJSON_CreateArray()) == NULL)
        return APP_ENOMEM;
    rc = tasks_list(&r->cx, &f, TASK_PAGE_MAX, &res);
    if (rc == APP_OK)
        rc = task_view_split(r, &res, o, t, l);
    while (rc == APP_OK && (size_t)cJSON_GetArraySize(o) > max)
        cJSON_DeleteItemFromArray(o, cJSON_GetArraySize(o) - 1);
    while (rc == APP_OK && (size_t)cJSON_GetArraySize(t) > max)
        cJSON_DeleteItemFromArray(t, cJSON_GetArraySize(t) - 1);
    cJSON_AddBoolToObject(day, "later", cJSON_GetArraySize(l) > 0);
    cJSON_AddBoolToObject(
        day, "empty", cJSON_GetArraySize(o) == 0 && cJSON_GetArraySize(t) == 0);
    cJSON_Delete(l);
    return rc;
}
