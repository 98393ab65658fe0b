/*
 * actions.c -- making what rules ask for (actions.h).
 */
#include "work/actions.h"

#include <string.h>

#include "base/log.h"
#include "base/tz.h"
#include "identity/role.h"
#include "identity/users.h"
#include "work/notify.h"
#include "work/tasks.h"

#define ACTIONS_MAX 5000 /* one run makes at most this many things */

static const char *
str_of(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* A user named by an action: a number (id), "owner" or "manager". */
static int64_t
user_of(struct ctx *cx, const struct action_ctx *ac, const cJSON *v)
{
    struct user u;
    int64_t id = 0;

    if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble < 9e15)
        id = (int64_t)v->valuedouble;
    else if (cJSON_IsString(v) && strcmp(v->valuestring, "owner") == 0)
        id = ac->owner_id;
    else if (cJSON_IsString(v) && strcmp(v->valuestring, "manager") == 0)
        id = ac->manager_id;
    if (id <= 0 || users_get(cx->db, cx->a, cx->tenant_id, id, &u) != APP_OK ||
        !u.active)
        return 0;
    return id;
}

/* The due time: "HH:MM" on the local day of at, or at + due_hours. */
static const char *
due_of(struct ctx *cx, const struct action_ctx *ac, const cJSON *a)
{
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(a, "due_hours");
    const char *hm = str_of(a, "due");
    char buf[32];

    if (cJSON_IsNumber(h) && h->valuedouble > 0 && h->valuedouble <= 24 * 366)
        return arena_strdup(
            cx->a, tz_utc_text(ac->at + (time_t)(h->valuedouble * 3600), buf,
                               sizeof(buf)));
    if (hm != NULL && strlen(hm) == 5 && hm[2] == ':') {
        struct tm tm;
        int hh = (hm[0] - '0') * 10 + (hm[1] - '0');
        int mm = (hm[3] - '0') * 10 + (hm[4] - '0');

        if (hh < 0 || hh > 23 || mm < 0 || mm > 59)
            return NULL;
        tz_local(cx->tenant_tz, ac->at, &tm);
        tm.tm_hour = hh;
        tm.tm_min = mm;
        tm.tm_sec = 0;
        return arena_strdup(cx->a, tz_utc_text(tz_mktime(cx->tenant_tz, &tm),
                                               buf, sizeof(buf)));
    }
    return NULL;
}

/* The key of action i: the item it is for, else its place. */
static const char *
key_of(struct ctx *cx, const struct action_ctx *ac, const cJSON *a, int i,
       const char *what)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(a, "item");

    if (cJSON_IsNumber(item))
        return arena_printf(cx->a, "%s:%s:%lld", ac->key, what,
                            (long long)item->valuedouble);
    return arena_printf(cx->a, "%s:%s#%d", ac->key, what, i);
}

APP_MUST_USE static enum app_err
make_task(struct ctx *cx, const struct action_ctx *ac, const cJSON *a, int i,
          const char **why)
{
    struct task_input in;
    const cJSON *who = cJSON_GetObjectItemCaseSensitive(a, "assignee");
    const char *kind = str_of(a, "kind"), *role = str_of(a, "role");
    const cJSON *prio = cJSON_GetObjectItemCaseSensitive(a, "priority");
    int64_t id;
    bool created;
    int k;

    memset(&in, 0, sizeof(in));
    in.title = str_of(a, "title");
    in.body = str_of(a, "body") != NULL ? str_of(a, "body") : "";
    in.kind = "reminder";
    for (k = 0; kind != NULL && task_kinds[k] != NULL; k++) {
        if (strcmp(kind, task_kinds[k]) == 0)
            in.kind = task_kinds[k];
    }
    in.priority =
        cJSON_IsNumber(prio) && prio->valueint >= 1 && prio->valueint <= 3
            ? prio->valueint
            : 2;
    /* "manager" with no one person behind it (a company-wide alert): the
     * managers, as a role task. */
    if (cJSON_IsString(who) && strcmp(who->valuestring, "manager") == 0 &&
        ac->manager_id == 0)
        role = "manager", who = NULL;
    /* "manager" with a person behind it is that person, not the role of
     * the same name. */
    if (who != NULL && ((role == NULL && cJSON_IsString(who) &&
                         strcmp(who->valuestring, "manager") == 0) ||
                        !(cJSON_IsString(who) &&
                          role_from_name(str_c(who->valuestring)) != 0))) {
        in.assignee_id = user_of(cx, ac, who);
        if (in.assignee_id == 0) {
            *why = "task: the assignee is not an active user";
            return APP_EINVAL;
        }
    } else {
        role = role != NULL ? role : cJSON_GetStringValue(who);
        if (role == NULL || role_from_name(str_c(role)) == 0) {
            *why = "task: an assignee (user id, owner, manager) or a role";
            return APP_EINVAL;
        }
        in.assignee_role = role_name(role_from_name(str_c(role)));
        in.region = str_of(a, "region");
    }
    if (in.title == NULL || in.title[0] == '\0' ||
        strlen(in.title) > TASK_TITLE_MAX || strlen(in.body) > TASK_BODY_MAX) {
        *why = "task: a title of at most 200 bytes";
        return APP_EINVAL;
    }
    in.due_at = due_of(cx, ac, a);
    in.object_kind = ac->object_kind;
    in.object_id = ac->object_id;
    in.rule_script = ac->rule_script;
    in.rule_version = ac->rule_version;
    in.dedup_key = key_of(cx, ac, a, i, "t");
    return tasks_create(cx, &in, &id, &created);
}

APP_MUST_USE static enum app_err
make_notice(struct ctx *cx, const struct action_ctx *ac, const cJSON *a, int i,
            long *made, const char **why)
{
    struct notice n;
    const char *role = str_of(a, "role");
    bool by_role = role != NULL && role_from_name(str_c(role)) != 0;
    struct db_res r;
    enum app_err rc = APP_OK;
    size_t k;

    memset(&n, 0, sizeof(n));
    memset(&r, 0, sizeof(r));
    n.kind = strcmp(ac->rule_script, "alerts") == 0 ? "alert" : "reminder";
    n.title =
        str_of(a, "title") != NULL ? str_of(a, "title") : str_of(a, "message");
    n.body = str_of(a, "body") != NULL ? str_of(a, "body") : "";
    n.object_kind = ac->object_kind;
    n.object_id = ac->object_id;
    if (n.title == NULL || n.title[0] == '\0' || strlen(n.title) > 200) {
        *why = "notify: a title (or message) of at most 200 bytes";
        return APP_EINVAL;
    }
    if (by_role) {
        rc = db_query(cx->db, cx->a,
                      "SELECT id FROM users WHERE tenant_id = ? AND "
                      "active = 1 AND role = ? ORDER BY id LIMIT ?",
                      DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(role),
                              DB_I64(TASK_TELL_MAX)),
                      TASK_TELL_MAX, &r);
    } else {
        n.user_id =
            user_of(cx, ac, cJSON_GetObjectItemCaseSensitive(a, "user"));
        if (n.user_id == 0) {
            *why = "notify: a user (id, owner, manager) or a role";
            return APP_EINVAL;
        }
        r.nrows = 1;
    }
    for (k = 0; rc == APP_OK && k < r.nrows; k++) {
        struct db_tx tx = DB_TX_INIT;
        int64_t nid;
        bool created = false;

        if (by_role)
            n.user_id = db_int(&r, k, 0, 0);
        n.dedup_key = arena_printf(cx->a, "%s:%lld", key_of(cx, ac, a, i, "n"),
                                   (long long)n.user_id);
        /* The notification and its deliveries together (or with the
         * caller's transaction). */
        while (db_tx_next(cx->db, &tx, &rc))
            rc = notify(cx, &n, &nid, &created);
        *made += rc == APP_OK && created ? 1 : 0;
    }
    return rc;
}

enum app_err
actions_apply(struct ctx *cx, const struct action_ctx *ac, const cJSON *actions,
              struct action_counts *n, const char **error)
{
    const cJSON *a;
    int i = 0;
    enum app_err rc = APP_OK;

    memset(n, 0, sizeof(*n));
    *error = "";
    cJSON_ArrayForEach(a, actions)
    {
        const char *type = str_of(a, "type"), *why = NULL;

        if (i++ >= ACTIONS_MAX) {
            *error = "more than 5000 actions in one run: the rest skipped";
            log_warn("actions.too_many", "tenant=%lld key=%s max=%d",
                     (long long)cx->tenant_id, ac->key, ACTIONS_MAX);
            break;
        }
        if (type != NULL && strcmp(type, "task") == 0) {
            rc = make_task(cx, ac, a, i, &why);
            n->tasks += rc == APP_OK ? 1 : 0;
        } else if (type != NULL && strcmp(type, "notify") == 0) {
            rc = make_notice(cx, ac, a, i, &n->notifications, &why);
        } else if (type != NULL && strcmp(type, "webhook") == 0) {
            const cJSON *body = cJSON_GetObjectItemCaseSensitive(a, "body");
            char *text = cJSON_PrintUnformatted(body != NULL ? body : a);

            rc = text != NULL ? notify_webhook(cx, ac->rule_script, text,
                                               key_of(cx, ac, a, i, "w"))
                              : APP_ENOMEM;
            cJSON_free(text);
            n->webhooks += rc == APP_OK ? 1 : 0;
        } else {
            why = "an action needs type task, notify or webhook";
            rc = APP_EINVAL;
        }
        if (rc == APP_EINVAL) {
            n->skipped++;
            if ((*error)[0] == '\0')
                *error = why != NULL ? why : "malformed action";
            rc = APP_OK;
        }
        if (rc != APP_OK)
            break;
    }
    return rc;
}
