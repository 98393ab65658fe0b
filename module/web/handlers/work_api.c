/*
 * work_api.c -- tasks, notifications and deliveries as JSON (work_api.h).
 */
#include "web/handlers/work_api.h"

#include <string.h>

#include "base/num.h"
#include "base/validate.h"
#include "http/router.h"
#include "identity/role.h"
#include "web/api_json.h"
#include "web/task_view.h"
#include "web/view.h"
#include "work/notify.h"
#include "work/outbox.h"
#include "work/tasks.h"

#define API_LIST_MAX 500

enum app_err
api_tasks(struct req *r)
{
    static const char *const scopes[] = { "mine", "team", "all", NULL };
    static const char *const statuses[] = { "open", "done", "cancelled", NULL };
    static const struct field_spec spec[] = {
        { "scope", V_ENUM, false, 0, 0, scopes },
        { "status", V_ENUM, false, 0, 0, statuses },
        { "overdue", V_BOOL, false, 0, 0, NULL },
        { "customer", V_INT, false, 1, INT64_MAX, NULL },
        { "limit", V_INT, false, 1, API_LIST_MAX, NULL },
    };
    struct field_val v[5];
    struct task_filter f;
    struct db_res res;
    cJSON *o, *list;
    enum app_err rc =
        validate_fields(&r->cx.err_detail, &r->query_args, spec, 5, v, NULL);
    size_t i;

    if (rc != APP_OK)
        return rc;
    memset(&f, 0, sizeof(f));
    f.mine = !v[0].present || v[0].i == 0;
    f.team = v[0].present && v[0].i == 1;
    f.status = v[1].present ? statuses[v[1].i] : NULL;
    f.overdue = v[2].present && v[2].i != 0;
    if (v[3].present) {
        f.object_kind = "customer";
        f.object_id = v[3].i;
    }
    rc = tasks_list(&r->cx, &f, v[4].present ? (size_t)v[4].i : 100, &res);
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    list = o != NULL ? cJSON_AddArrayToObject(o, "tasks") : NULL;
    for (i = 0; list != NULL && i < res.nrows; i++)
        cJSON_AddItemToArray(list, task_view_api(r, &res, i));
    return api_send(r, 200, list != NULL ? o : (cJSON_Delete(o), NULL));
}

/* A task and its history. */
APP_MUST_USE static enum app_err
send_task(struct req *r, int status, int64_t id)
{
    struct db_res t, h;
    cJSON *o, *hist;
    enum app_err rc = tasks_get(&r->cx, id, &t);
    size_t i;

    if (rc == APP_OK)
        rc = tasks_history(&r->cx, id, &h);
    if (rc != APP_OK)
        return rc;
    o = task_view_api(r, &t, 0);
    hist = o != NULL ? cJSON_AddArrayToObject(o, "history") : NULL;
    for (i = 0; hist != NULL && i < h.nrows; i++) {
        cJSON *e = cJSON_CreateObject();

        cJSON_AddItemToArray(hist, e);
        view_add_str(e, "at", db_text(&h, i, 0));
        view_add_str(e, "by", db_text(&h, i, 1));
        view_add_str(e, "what", db_text(&h, i, 2));
        view_add_str(e, "note", db_text(&h, i, 3));
    }
    return api_send(r, status, hist != NULL ? o : (cJSON_Delete(o), NULL));
}

enum app_err
api_task_create(struct req *r)
{
    struct task_input in;
    struct kvlist fields;
    cJSON *errors = view_errors(r);
    int64_t id;
    bool created;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = api_fields(r, &fields);
    if (rc != APP_OK)
        return rc;
    rc = tasks_check(&r->cx, &fields, &in, errors);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return api_invalid(r, errors);
    }
    if (rc == APP_OK)
        rc = tasks_create(&r->cx, &in, &id, &created);
    return rc != APP_OK ? rc : send_task(r, 201, id);
}

enum app_err
api_task(struct req *r)
{
    return send_task(r, 200, router_param_int(r, "id"));
}

/* The note of done/cancel from the JSON body (optional). */
APP_MUST_USE static enum app_err
note_of(struct req *r, const char **note)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(r->json, "note");

    *note = "";
    if (n == NULL || cJSON_IsNull(n))
        return APP_OK;
    if (!cJSON_IsString(n) || strlen(n->valuestring) > TASK_NOTE_MAX) {
        r->cx.err_detail = "task.bad_note";
        return APP_EVALIDATION;
    }
    *note = n->valuestring;
    return APP_OK;
}

/* The result of an action: the task as it is now. */
APP_MUST_USE static enum app_err
acted(struct req *r, int64_t id, enum app_err rc)
{
    if (rc == APP_ECONFLICT)
        r->cx.err_detail = "task.conflict";
    return rc != APP_OK ? rc : send_task(r, 200, id);
}

enum app_err
api_task_claim(struct req *r)
{
    int64_t id = router_param_int(r, "id");

    return acted(r, id, tasks_claim(&r->cx, id));
}

enum app_err
api_task_done(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    const char *note;
    enum app_err rc = note_of(r, &note);

    return rc != APP_OK ? rc
                        : acted(r, id, tasks_close(&r->cx, id, "done", note));
}

enum app_err
api_task_cancel(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    const char *note;
    enum app_err rc = note_of(r, &note);

    return rc != APP_OK
               ? rc
               : acted(r, id, tasks_close(&r->cx, id, "cancelled", note));
}

enum app_err
api_task_reopen(struct req *r)
{
    int64_t id = router_param_int(r, "id");

    return acted(r, id, tasks_reopen(&r->cx, id));
}

enum app_err
api_notifications(struct req *r)
{
    static const struct field_spec spec[] = {
        { "unread", V_BOOL, false, 0, 0, NULL },
        { "before", V_INT, false, 1, INT64_MAX, NULL },
        { "limit", V_INT, false, 1, NOTIFY_LIST_MAX, NULL },
    };
    struct field_val v[3];
    struct db_res res;
    int64_t unread = 0;
    cJSON *o, *list;
    enum app_err rc =
        validate_fields(&r->cx.err_detail, &r->query_args, spec, 3, v, NULL);
    size_t i;

    if (rc == APP_OK)
        rc = notify_list(&r->cx, v[0].present && v[0].i != 0,
                         v[1].present ? v[1].i : 0,
                         v[2].present ? (size_t)v[2].i : 50, &res);
    if (rc == APP_OK)
        rc = notify_unread(&r->cx, &unread);
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    list = o != NULL ? cJSON_AddArrayToObject(o, "notifications") : NULL;
    if (list != NULL)
        cJSON_AddNumberToObject(o, "unread", (double)unread);
    for (i = 0; list != NULL && i < res.nrows; i++) {
        cJSON *n = cJSON_CreateObject();

        cJSON_AddItemToArray(list, n);
        cJSON_AddNumberToObject(n, "id", (double)db_int(&res, i, NT_ID, 0));
        view_add_str(n, "kind", db_text(&res, i, NT_KIND));
        view_add_str(n, "title", db_text(&res, i, NT_TITLE));
        view_add_str(n, "body", db_text(&res, i, NT_BODY));
        if (db_text(&res, i, NT_OBJECT_KIND)[0] != '\0') {
            cJSON *ob = cJSON_AddObjectToObject(n, "object");

            view_add_str(ob, "kind", db_text(&res, i, NT_OBJECT_KIND));
            cJSON_AddNumberToObject(ob, "id",
                                    (double)db_int(&res, i, NT_OBJECT_ID, 0));
        }
        cJSON_AddBoolToObject(n, "read",
                              db_text(&res, i, NT_READ_AT)[0] != '\0');
        view_add_str(n, "created_at", db_text(&res, i, NT_CREATED_AT));
    }
    return api_send(r, 200, list != NULL ? o : (cJSON_Delete(o), NULL));
}

enum app_err
api_notification_read(struct req *r)
{
    int64_t unread = 0;
    cJSON *o;
    enum app_err rc = notify_read(&r->cx, router_param_int(r, "id"));

    if (rc == APP_OK)
        rc = notify_unread(&r->cx, &unread);
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    if (o != NULL)
        cJSON_AddNumberToObject(o, "unread", (double)unread);
    return api_send(r, 200, o);
}

enum app_err
api_notifications_read_all(struct req *r)
{
    int64_t n = 0;
    cJSON *o;
    enum app_err rc = notify_read_all(&r->cx, &n);

    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    if (o != NULL) {
        cJSON_AddNumberToObject(o, "marked", (double)n);
        cJSON_AddNumberToObject(o, "unread", 0);
    }
    return api_send(r, 200, o);
}

enum app_err
api_deliveries(struct req *r)
{
    static const char *const statuses[] = { "pending", "sent", "failed", NULL };
    static const struct field_spec spec[] = {
        { "status", V_ENUM, false, 0, 0, statuses },
        { "limit", V_INT, false, 1, API_LIST_MAX, NULL },
    };
    struct field_val v[2];
    struct db_res res;
    cJSON *o, *list;
    enum app_err rc =
        validate_fields(&r->cx.err_detail, &r->query_args, spec, 2, v, NULL);
    size_t i;

    if (rc == APP_OK)
        rc = outbox_list(&r->cx, v[0].present ? statuses[v[0].i] : NULL,
                         v[1].present ? (size_t)v[1].i : 100, &res);
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    list = o != NULL ? cJSON_AddArrayToObject(o, "deliveries") : NULL;
    for (i = 0; list != NULL && i < res.nrows; i++) {
        cJSON *d = cJSON_CreateObject();

        cJSON_AddItemToArray(list, d);
        cJSON_AddNumberToObject(d, "id", (double)db_int(&res, i, 0, 0));
        view_add_str(d, "channel", db_text(&res, i, 1));
        view_add_str(d, "target", db_text(&res, i, 2));
        view_add_str(d, "status", db_text(&res, i, 3));
        cJSON_AddNumberToObject(d, "attempts", (double)db_int(&res, i, 4, 0));
        view_add_str(d, "next_at", db_text(&res, i, 5));
        view_add_str(d, "last_error", db_text(&res, i, 6));
        cJSON_AddNumberToObject(d, "last_status",
                                (double)db_int(&res, i, 7, 0));
        view_add_str(d, "sent_at", db_text(&res, i, 8));
        view_add_str(d, "created_at", db_text(&res, i, 9));
        view_add_str(d, "title", db_text(&res, i, 10));
    }
    return api_send(r, 200, list != NULL ? o : (cJSON_Delete(o), NULL));
}

enum app_err
api_delivery_retry(struct req *r)
{
    cJSON *o;
    enum app_err rc = outbox_retry(&r->cx, router_param_int(r, "id"));

    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    if (o != NULL)
        cJSON_AddStringToObject(o, "status", "pending");
    return api_send(r, 200, o);
}
