/*
 * task_pages.c -- task pages (task_pages.h).
 */
#include "web/handlers/task_pages.h"

#include <string.h>
#include <time.h>

#include "base/num.h"
#include "base/tz.h"
#include "base/validate.h"
#include "http/app.h"
#include "http/router.h"
#include "identity/access.h"
#include "identity/role.h"
#include "identity/users.h"
#include "sales/customers.h"
#include "web/auth.h"
#include "web/task_view.h"
#include "web/view.h"
#include "work/tasks.h"

/* The undo after "done": the task it was about. */
static void
add_undo(struct req *r, cJSON *m)
{
    const struct str *id = http_query_arg(r, "task");
    int64_t n;

    if (id != NULL && parse_i64(*id, 1, INT64_MAX, &n))
        cJSON_AddNumberToObject(m, "undo_task", (double)n);
}

enum app_err
tasks_index(struct req *r)
{
    static const char *const done[] = { "done", "reopened", "cancelled",
                                        "claimed", NULL };
    const struct str *v = http_query_arg(r, "view");
    bool team =
        v != NULL && str_eq_c(*v, "team") && role_can_manage(r->cx.role);
    struct task_filter f = { .mine = !team, .team = team, .status = "open" };
    struct task_filter fd = { .mine = true, .status = "done" };
    struct db_res res, closed;
    cJSON *m = view_new(r), *o, *t, *l, *d;
    enum app_err rc;
    size_t i;

    if (m == NULL || (o = cJSON_AddArrayToObject(m, "overdue")) == NULL ||
        (t = cJSON_AddArrayToObject(m, "today")) == NULL ||
        (l = cJSON_AddArrayToObject(m, "later")) == NULL ||
        (d = cJSON_AddArrayToObject(m, "closed")) == NULL)
        return APP_ENOMEM;
    rc = tasks_list(&r->cx, &f, TASK_PAGE_MAX, &res);
    if (rc == APP_OK)
        rc = task_view_split(r, &res, o, t, l);
    if (rc == APP_OK && !team)
        rc = tasks_list(&r->cx, &fd, 10, &closed);
    for (i = 0; rc == APP_OK && !team && i < closed.nrows; i++)
        cJSON_AddItemToArray(d, task_view_page(r, &closed, i));
    if (rc != APP_OK)
        return rc;
    cJSON_AddBoolToObject(m, "team_view", team);
    view_add_str(m, "back", "/tasks");
    cJSON_AddBoolToObject(m, "may_team", role_can_manage(r->cx.role));
    cJSON_AddNumberToObject(m, "open_count", (double)res.nrows);
    cJSON_AddBoolToObject(m, "none", res.nrows == 0);
    view_done(r, m, "task.done_%s", done);
    add_undo(r, m);
    return view_page(r, 200, "pages/tasks", m);
}

/* The value a field had (the form sent back, or a query default). */
static const char *
value_of(struct req *r, const struct kvlist *values, const char *key)
{
    size_t i;

    for (i = 0; values != NULL && i < values->n; i++) {
        if (str_eq_c(values->v[i].key, key))
            return arena_strndup(r->a, values->v[i].val.p,
                                 values->v[i].val.len);
    }
    return "";
}

/* The form, with the people the user may assign to. */
APP_MUST_USE static enum app_err
form_page(struct req *r, int status, const struct kvlist *values, cJSON *errors)
{
    static const char *const fields[] = { "title",    "body",   "due",
                                          "customer", "region", NULL };
    struct user *people;
    size_t n = 0, i;
    int64_t root, all;
    cJSON *m = view_new(r), *list, *roles, *v;
    bool team = role_can_manage(r->cx.role);
    const char *assignee;
    enum app_err rc;
    int k;

    if (m == NULL || (list = cJSON_AddArrayToObject(m, "people")) == NULL ||
        (roles = cJSON_AddArrayToObject(m, "roles")) == NULL ||
        (v = cJSON_AddObjectToObject(m, "v")) == NULL)
        return APP_ENOMEM;
    for (k = 0; fields[k] != NULL; k++)
        view_add_str(v, fields[k], value_of(r, values, fields[k]));
    assignee = value_of(r, values, "assignee");
    access_scope(&r->cx, &root, &all);
    rc = users_list_scope(r->app->db, r->a, r->cx.tenant_id, all, root, 5000,
                          &people, &n);
    for (i = 0; rc == APP_OK && i < n; i++) {
        cJSON *p = cJSON_CreateObject();
        const char *id = arena_printf(r->a, "%lld", (long long)people[i].id);

        if (!people[i].active || p == NULL || !cJSON_AddItemToArray(list, p)) {
            cJSON_Delete(p);
            continue;
        }
        view_add_str(p, "id", id);
        view_add_str(p, "name", people[i].display_name);
        cJSON_AddBoolToObject(p, "selected",
                              assignee[0] != '\0'
                                  ? strcmp(assignee, id) == 0
                                  : people[i].id == r->cx.user_id);
    }
    if (rc != APP_OK)
        return rc;
    for (k = 0; team && k < ROLE_COUNT; k++) {
        cJSON *p = cJSON_CreateObject();

        cJSON_AddItemToArray(roles, p);
        view_add_str(p, "value", role_names[k]);
        view_add_str(p, "label",
                     http_t(r, arena_printf(r->a, "role.%s", role_names[k])));
        cJSON_AddBoolToObject(
            p, "selected",
            strcmp(value_of(r, values, "assignee_role"), role_names[k]) == 0);
    }
    cJSON_AddBoolToObject(m, "may_role", team);
    cJSON_AddItemToObject(
        m, "kinds",
        view_options(r, task_kinds, "task.kind_", value_of(r, values, "kind")));
    cJSON_AddItemToObject(
        m, "priorities",
        view_options(r, (const char *const[]){ "1", "2", "3", NULL },
                     "task.priority_",
                     value_of(r, values, "priority")[0] != '\0'
                         ? value_of(r, values, "priority")
                         : "2"));
    if (errors != NULL)
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
    return view_page(r, status, "pages/task_new", m);
}

enum app_err
tasks_new(struct req *r)
{
    return form_page(r, 200, &r->query_args, NULL);
}

enum app_err
tasks_create_page(struct req *r)
{
    struct task_input in;
    cJSON *errors = view_errors(r);
    int64_t id;
    bool created;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = tasks_check(&r->cx, &r->form, &in, errors);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return form_page(r, 422, &r->form, errors);
    }
    if (rc == APP_OK)
        rc = tasks_create(&r->cx, &in, &id, &created);
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/tasks/%lld?done=created", (long long)id));
}

enum app_err
task_show(struct req *r)
{
    static const char *const done[] = { "created",   "done",    "reopened",
                                        "cancelled", "claimed", NULL };
    int64_t id = router_param_int(r, "id");
    struct db_res t, h;
    cJSON *m = view_new(r), *task, *hist;
    enum app_err rc = tasks_get(&r->cx, id, &t);
    size_t i;

    if (rc == APP_OK)
        rc = tasks_history(&r->cx, id, &h);
    if (rc != APP_OK)
        return rc;
    if (m == NULL || (task = task_view_page(r, &t, 0)) == NULL)
        return APP_ENOMEM;
    cJSON_AddItemToObject(m, "task", task);
    if ((hist = cJSON_AddArrayToObject(m, "history")) == NULL)
        return APP_ENOMEM;
    for (i = 0; i < h.nrows; i++) {
        cJSON *e = cJSON_CreateObject();

        cJSON_AddItemToArray(hist, e);
        view_add_str(e, "at", db_text(&h, i, 0));
        view_add_str(e, "by",
                     db_text(&h, i, 1)[0] != '\0'
                         ? db_text(&h, i, 1)
                         : http_t(r, "task.by_system"));
        view_add_str(
            e, "what",
            http_t(r, arena_printf(r->a, "task.event_%s", db_text(&h, i, 2))));
        view_add_str(e, "note", db_text(&h, i, 3));
    }
    view_local_times(r, hist);
    view_done(r, m, "task.done_%s", done);
    return view_page(r, 200, "pages/task", m);
}

/* Where to go after an action: the form's next (a local path) or the
 * task's page, with what was done. */
APP_MUST_USE static enum app_err
after(struct req *r, int64_t id, const char *what)
{
    const struct str *next = http_form(r, "next");

    if (next != NULL && next->len > 0 && next->len < 200 &&
        http_local_path_ok(*next) && memchr(next->p, '?', next->len) == NULL)
        return http_redirect(r, arena_printf(r->a, "%.*s?done=%s&task=%lld",
                                             (int)next->len, next->p, what,
                                             (long long)id));
    return http_redirect(
        r, arena_printf(r->a, "/tasks/%lld?done=%s", (long long)id, what));
}

enum app_err
task_claim_page(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    enum app_err rc = tasks_claim(&r->cx, id);

    if (rc == APP_ECONFLICT)
        r->cx.err_detail = "task.conflict";
    return rc != APP_OK ? rc : after(r, id, "claimed");
}

/* Done or cancelled, with the note. */
APP_MUST_USE static enum app_err
close_task(struct req *r, const char *status)
{
    static const struct field_spec spec[] = {
        { "note", V_TEXT, false, 0, TASK_NOTE_MAX, NULL },
    };
    struct field_val v[1];
    int64_t id = router_param_int(r, "id");
    enum app_err rc =
        validate_fields(&r->cx.err_detail, &r->form, spec, 1, v, NULL);

    if (rc == APP_OK)
        rc = tasks_close(&r->cx, id, status,
                         v[0].present ? arena_str(r->a, v[0].s).p : "");
    if (rc == APP_ECONFLICT)
        r->cx.err_detail = "task.conflict";
    return rc != APP_OK ? rc : after(r, id, status);
}

enum app_err
task_done_page(struct req *r)
{
    return close_task(r, "done");
}

enum app_err
task_cancel_page(struct req *r)
{
    return close_task(r, "cancelled");
}

enum app_err
task_reopen_page(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    enum app_err rc = tasks_reopen(&r->cx, id);

    if (rc == APP_ECONFLICT)
        r->cx.err_detail = "task.conflict";
    return rc != APP_OK ? rc : after(r, id, "reopened");
}
