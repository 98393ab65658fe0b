/*
 * job_kinds.c -- running scheduled jobs by kind (job_kinds.h).
 */
#include "work/job_kinds.h"

#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "base/tz.h"
#include "identity/role.h"
#include "identity/users.h"
#include "work/admission.h"
#include "work/alerts.h"
#include "work/pos_jobs.h"
#include "work/reminders.h"
#include "work/tasks.h"

static const char *
str_of(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static int
int_of(const cJSON *o, const char *k, int def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    return cJSON_IsNumber(v) ? v->valueint : def;
}

/* "task": a task at the slot's time, made once per slot. */
APP_MUST_USE static enum app_err
run_task(struct ctx *cx, const struct job *j, const cJSON *p,
         const char **error)
{
    struct task_input in;
    const char *kind = str_of(p, "kind"), *login = str_of(p, "assignee");
    int due_hours = int_of(p, "due_hours", 0), k;
    char due[32];
    int64_t id = 0;
    bool created = false;

    memset(&in, 0, sizeof(in));
    in.title = str_of(p, "title");
    in.body = str_of(p, "body") != NULL ? str_of(p, "body") : "";
    in.priority = int_of(p, "priority", 2);
    in.kind = "reminder";
    for (k = 0; kind != NULL && task_kinds[k] != NULL; k++) {
        if (strcmp(kind, task_kinds[k]) == 0)
            in.kind = task_kinds[k];
    }
    if (in.title == NULL || in.title[0] == '\0' || in.priority < 1 ||
        in.priority > 3) {
        *error = "payload: a title and a priority 1-3";
        return APP_EINVAL;
    }
    if (login != NULL) {
        if (users_id_by_login(cx->db, cx->a, cx->tenant_id, str_c(login),
                              &in.assignee_id) != APP_OK ||
            in.assignee_id == 0) {
            *error = "payload: no such assignee";
            return APP_EINVAL;
        }
    } else if (str_of(p, "role") != NULL &&
               role_from_name(str_c(str_of(p, "role"))) != 0) {
        in.assignee_role = str_of(p, "role");
        in.region = str_of(p, "region");
    } else {
        *error = "payload: an assignee or a role";
        return APP_EINVAL;
    }
    if (due_hours > 0)
        in.due_at =
            tz_utc_text(j->slot + (time_t)due_hours * 3600, due, sizeof(due));
    in.dedup_key = jobs_effect_key(cx->a, j);
    return tasks_create(cx, &in, &id, &created);
}

enum app_err
job_run(struct ctx *cx, const struct job *j, const char **error)
{
    cJSON *p = cJSON_Parse(j->payload);
    enum app_err rc;

    *error = "";
    if (!cJSON_IsObject(p)) {
        cJSON_Delete(p);
        *error = "payload: not a JSON object";
        return APP_EINVAL;
    }
    if (strcmp(j->kind, "noop") == 0) {
        rc = APP_OK; /* a heartbeat: shows the scheduler runs */
    } else if (strcmp(j->kind, "task") == 0) {
        rc = run_task(cx, j, p, error);
    } else if (strcmp(j->kind, "schedule") == 0 && str_of(p, "key") != NULL) {
        rc = reminders_run(cx, j, str_of(p, "key"), error);
    } else if (strcmp(j->kind, "alerts") == 0) {
        rc = alerts_run(cx, j, error);
    } else if (strcmp(j->kind, "pos_import") == 0) {
        rc = pos_jobs_import(cx, j, p, error);
    } else if (strcmp(j->kind, "pos_incoming") == 0) {
        rc = pos_jobs_incoming(cx, j, error);
    } else if (strcmp(j->kind, "qual_verify") == 0) {
        rc = admission_verify(cx, j, error);
    } else {
        *error = "unknown kind";
        rc = APP_EINVAL;
    }
    if (rc != APP_OK && (*error)[0] == '\0')
        *error = app_err_code(rc);
    cJSON_Delete(p);
    return rc;
}
