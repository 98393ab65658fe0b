/*
 * tasks.c -- tasks, their scope and their history (tasks.h).
 */
#include "work/tasks.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/num.h"
#include "base/tz.h"
#include "base/validate.h"
#include "identity/access.h"
#include "identity/role.h"
#include "identity/users.h"
#include "sales/customers.h"
#include "work/notify.h"

const char *const task_kinds[] = { "todo",     "review",     "approval",
                                   "reminder", "spot_check", NULL };
const char *const task_statuses[] = { "open", "done", "cancelled", NULL };

/* Who sees a task (arguments: all, tenant, root, me, tenant, root, role,
 * tenant, me, region): anyone when all; the assignee and the managers
 * above (assignee in my subtree); its creator; a role task aimed at my
 * team or below; and whoever the role fits. */
#define FITS                                                                   \
    "(t.assignee_id IS NULL AND t.assignee_role = ? AND "                      \
    "((t.team_id IS NULL AND t.region IS NULL) OR t.team_id IN "               \
    "(SELECT ancestor_id FROM user_tree WHERE tenant_id = ? AND "              \
    "descendant_id = ?) OR t.region = ?))"
#define SCOPE                                                                  \
    "(? = 1 OR t.assignee_id IN (SELECT descendant_id FROM user_tree "         \
    "WHERE tenant_id = ? AND ancestor_id = ?) OR t.created_by = ? OR "         \
    "t.team_id IN (SELECT descendant_id FROM user_tree WHERE tenant_id = ? "   \
    "AND ancestor_id = ?) OR " FITS ")"

#define COLS                                                                   \
    "SELECT t.id, t.kind, t.title, t.body, t.priority, "                       \
    "COALESCE(t.due_at, ''), t.status, COALESCE(t.assignee_id, 0), "           \
    "COALESCE(ua.display_name, ''), COALESCE(t.assignee_role, ''), "           \
    "COALESCE(um.display_name, ''), COALESCE(t.region, ''), "                  \
    "COALESCE(t.object_kind, ''), COALESCE(t.object_id, 0), "                  \
    "COALESCE(c.name, ''), COALESCE(t.closed_at, ''), "                        \
    "COALESCE(uc.display_name, ''), t.close_note, t.created_at, "              \
    "COALESCE(ub.display_name, ''), COALESCE(t.rule_script, ''), "             \
    "COALESCE(t.rule_version, 0), t.version, "                                 \
    "(t.status = 'open' AND t.due_at < ?) "
/* The names a row shows (after COLS and its FROM). */
#define JOINS                                                                  \
    "LEFT JOIN users ua ON ua.id = t.assignee_id AND ua.tenant_id = "          \
    "t.tenant_id "                                                             \
    "LEFT JOIN users um ON um.id = t.team_id AND um.tenant_id = t.tenant_id "  \
    "LEFT JOIN users uc ON uc.id = t.closed_by AND uc.tenant_id = "            \
    "t.tenant_id "                                                             \
    "LEFT JOIN users ub ON ub.id = t.created_by AND ub.tenant_id = "           \
    "t.tenant_id "                                                             \
    "LEFT JOIN customers c ON t.object_kind = 'customer' AND "                 \
    "c.id = t.object_id AND c.tenant_id = t.tenant_id "
#define COLUMNS COLS "FROM tasks t " JOINS
#define ORDER                                                                  \
    "ORDER BY t.status = 'open' DESC, t.due_at IS NULL, t.due_at, t.id DESC "
/* A list picks its page of ids from tasks alone (sorted, limited), then
 * joins the names to that page only: a team with 10k open tasks sorts
 * 10k narrow rows, not 10k rows joined five times. */
#define PAGE_OF(where)                                                         \
    COLS "FROM (SELECT t.id FROM tasks t " where ORDER                         \
         "LIMIT ?) k JOIN tasks t ON t.id = k.id " JOINS ORDER

static const char SQL_LIST[] = PAGE_OF(
    "WHERE t.tenant_id = ? AND " SCOPE
    " AND (? = 0 OR t.assignee_id = ? OR " FITS ") "
    "AND (? = 0 OR (t.assignee_id IN (SELECT descendant_id FROM user_tree "
    "WHERE tenant_id = ? AND ancestor_id = ?) AND t.assignee_id <> ?)) "
    "AND (? = '' OR t.status = ?) "
    "AND (? = 0 OR (t.status = 'open' AND t.due_at < ?)) "
    "AND (? = '' OR (t.object_kind = ? AND t.object_id = ?)) ");
/* A manager's team view: the filter is the scope (the team is in it), so
 * the team's members lead to their tasks through the assignee index
 * instead of every task of the company being checked against the scope. */
static const char SQL_LIST_TEAM[] = PAGE_OF(
    "WHERE t.tenant_id = ? AND t.assignee_id IN (SELECT descendant_id FROM "
    "user_tree WHERE tenant_id = ? AND ancestor_id = ? AND "
    "descendant_id <> ?) "
    "AND (? = '' OR t.status = ?) "
    "AND (? = 0 OR (t.status = 'open' AND t.due_at < ?)) "
    "AND (? = '' OR (t.object_kind = ? AND t.object_id = ?)) ");
static const char SQL_GET[] =
    COLUMNS "WHERE t.tenant_id = ? AND t.id = ? AND " SCOPE;
static const char SQL_ADD[] =
    "INSERT INTO tasks (tenant_id, kind, title, body, priority, due_at, "
    "assignee_id, assignee_role, team_id, region, object_kind, object_id, "
    "created_by, rule_script, rule_version, dedup_key) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_BY_KEY[] =
    "SELECT id FROM tasks WHERE tenant_id = ? AND dedup_key = ?";
static const char SQL_EVENT[] =
    "INSERT INTO task_events (tenant_id, task_id, by_id, what, note) "
    "VALUES (?, ?, ?, ?, ?)";
static const char SQL_HISTORY[] =
    "SELECT e.at, COALESCE(u.display_name, ''), e.what, e.note "
    "FROM task_events e LEFT JOIN users u ON u.id = e.by_id "
    "AND u.tenant_id = e.tenant_id WHERE e.tenant_id = ? AND e.task_id = ? "
    "ORDER BY e.id LIMIT 500";
static const char SQL_CLAIM[] =
    "UPDATE tasks SET assignee_id = ?, version = version + 1 "
    "WHERE tenant_id = ? AND id = ? AND status = 'open' "
    "AND assignee_id IS NULL";
static const char SQL_CLOSE[] =
    "UPDATE tasks SET status = ?, closed_by = ?, closed_at = ?, "
    "close_note = ?, version = version + 1 "
    "WHERE tenant_id = ? AND id = ? AND status = 'open'";
static const char SQL_REOPEN[] =
    "UPDATE tasks SET status = 'open', closed_by = NULL, closed_at = NULL, "
    "close_note = '', version = version + 1 "
    "WHERE tenant_id = ? AND id = ? AND status <> 'open'";
static const char SQL_COUNTS[] =
    "SELECT COALESCE(SUM(t.due_at < ?), 0), "
    "COALESCE(SUM(t.due_at >= ? AND t.due_at < ?), 0), "
    "COALESCE(SUM(t.due_at IS NULL OR t.due_at >= ?), 0) FROM tasks t "
    "WHERE t.tenant_id = ? AND t.status = 'open' AND (t.assignee_id = ? "
    "OR " FITS ")";

/* Who a role task fits: active users of the role in the team (the
 * manager's subtree), the region, or the company. */
static const char SQL_FITTING[] =
    "SELECT u.id FROM users u WHERE u.tenant_id = ? AND u.active = 1 AND "
    "u.role = ? AND (? = 0 OR u.id IN (SELECT descendant_id FROM user_tree "
    "WHERE tenant_id = ? AND ancestor_id = ?)) AND (? = '' OR u.region = ?) "
    "ORDER BY u.id LIMIT ?";

/* What the scope needs to know about the acting user. */
struct me {
    int64_t all, root;
    const char *role, *region;
};

APP_MUST_USE static enum app_err
whoami(struct ctx *cx, struct me *me)
{
    struct user u;
    enum app_err rc;

    access_scope(cx, &me->root, &me->all);
    me->role = role_name(cx->role);
    me->region = "";
    if (cx->user_id == 0) /* a job: the whole company */
        return APP_OK;
    if (cx->user_region != NULL) { /* read with the session */
        me->region = cx->user_region;
        return APP_OK;
    }
    rc = users_get(cx->db, cx->a, cx->tenant_id, cx->user_id, &u);
    if (rc == APP_OK)
        me->region = u.region;
    return rc;
}

static const char *
now_text(struct ctx *cx)
{
    char buf[32];

    return arena_strdup(cx->a, tz_utc_text(time(NULL), buf, sizeof(buf)));
}

/* A local "YYYY-MM-DD[ T]HH:MM" or "YYYY-MM-DD" (18:00 that day) in the
 * tenant's zone as UTC text, or NULL. */
static const char *
due_utc(struct ctx *cx, struct str s)
{
    struct tm tm;
    int y, mo, d, h = 18, mi = 0;
    char buf[32];
    time_t t;

    if (s.len != 10 && s.len != 16)
        return NULL;
    if (!parse_date((struct str){ s.p, 10 }, &y, &mo, &d))
        return NULL;
    if (s.len == 16) {
        if ((s.p[10] != ' ' && s.p[10] != 'T') || s.p[13] != ':' ||
            !(s.p[11] >= '0' && s.p[11] <= '2') || s.p[12] < '0' ||
            s.p[12] > '9' || s.p[14] < '0' || s.p[14] > '5' || s.p[15] < '0' ||
            s.p[15] > '9')
            return NULL;
        h = (s.p[11] - '0') * 10 + (s.p[12] - '0');
        mi = (s.p[14] - '0') * 10 + (s.p[15] - '0');
        if (h > 23)
            return NULL;
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    t = tz_mktime(cx->tenant_tz, &tm);
    if (t == (time_t)-1)
        return NULL;
    return arena_strdup(cx->a, tz_utc_text(t, buf, sizeof(buf)));
}

enum {
    F_TITLE,
    F_BODY,
    F_KIND,
    F_PRIORITY,
    F_DUE,
    F_ASSIGNEE,
    F_ROLE,
    F_TEAM,
    F_REGION,
    F_CUSTOMER,
    NF
};

/* The assignee: a user in the creator's scope (or the creator), or a
 * role (managers and admins) within a team in scope, a region or the
 * company. */
static void
check_assignee(struct ctx *cx, const struct field_val *v, struct task_input *in,
               cJSON *errors)
{
    bool team_role = cx->user_id == 0 || role_can_manage(cx->role);

    if (v[F_ROLE].present) {
        unsigned role = role_from_name(v[F_ROLE].s);

        if (role == 0 || !team_role)
            cJSON_AddStringToObject(errors, "assignee_role", "task.bad_role");
        in->assignee_role = role_name(role);
        in->team_id = v[F_TEAM].present ? v[F_TEAM].i : 0;
        in->region =
            v[F_REGION].present ? arena_str(cx->a, v[F_REGION].s).p : NULL;
        if (in->team_id > 0 && access_user(cx, in->team_id) != APP_OK)
            cJSON_AddStringToObject(errors, "team", "task.bad_team");
        return;
    }
    in->assignee_id = v[F_ASSIGNEE].present ? v[F_ASSIGNEE].i : cx->user_id;
    if (in->assignee_id != cx->user_id) {
        struct user u;

        if (access_user(cx, in->assignee_id) != APP_OK ||
            users_get(cx->db, cx->a, cx->tenant_id, in->assignee_id, &u) !=
                APP_OK ||
            !u.active)
            cJSON_AddStringToObject(errors, "assignee", "task.bad_assignee");
    }
}

enum app_err
tasks_check(struct ctx *cx, const struct kvlist *f, struct task_input *in,
            cJSON *errors)
{
    static const struct field_spec spec[NF] = {
        [F_TITLE] = { "title", V_LINE, true, 1, TASK_TITLE_MAX, NULL },
        [F_BODY] = { "body", V_TEXT, false, 0, TASK_BODY_MAX, NULL },
        [F_KIND] = { "kind", V_ENUM, false, 0, 0, task_kinds },
        [F_PRIORITY] = { "priority", V_INT, false, 1, 3, NULL },
        [F_DUE] = { "due", V_LINE, false, 0, 16, NULL },
        [F_ASSIGNEE] = { "assignee", V_INT, false, 1, INT64_MAX, NULL },
        [F_ROLE] = { "assignee_role", V_SLUG, false, 1, 32, NULL },
        [F_TEAM] = { "team", V_INT, false, 1, INT64_MAX, NULL },
        [F_REGION] = { "region", V_LINE, false, 1, 100, NULL },
        [F_CUSTOMER] = { "customer", V_INT, false, 1, INT64_MAX, NULL },
    };
    struct field_val v[NF];
    enum app_err rc = validate_fields(&cx->err_detail, f, spec, NF, v, errors);

    memset(in, 0, sizeof(*in));
    in->title = v[F_TITLE].present ? arena_str(cx->a, v[F_TITLE].s).p : "";
    in->body = v[F_BODY].present ? arena_str(cx->a, v[F_BODY].s).p : "";
    in->kind = task_kinds[v[F_KIND].present ? v[F_KIND].i : 0];
    in->priority = v[F_PRIORITY].present ? (int)v[F_PRIORITY].i : 2;
    if (v[F_DUE].present && v[F_DUE].s.len > 0 &&
        (in->due_at = due_utc(cx, v[F_DUE].s)) == NULL)
        cJSON_AddStringToObject(errors, "due", "task.bad_due");
    check_assignee(cx, v, in, errors);
    if (v[F_CUSTOMER].present) {
        struct customer c;

        if (customers_get(cx, v[F_CUSTOMER].i, false, &c) != APP_OK)
            cJSON_AddStringToObject(errors, "customer", "task.bad_customer");
        in->object_kind = "customer";
        in->object_id = v[F_CUSTOMER].i;
    }
    if (rc == APP_OK && cJSON_GetArraySize(errors) > 0) {
        cx->err_detail = "validate.failed";
        rc = APP_EVALIDATION;
    }
    return rc;
}

APP_MUST_USE static enum app_err
event(struct ctx *cx, int64_t id, const char *what, const char *note)
{
    return db_exec(cx->db, SQL_EVENT,
                   DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id),
                           cx->user_id > 0 ? DB_I64(cx->user_id) : DB_NULL,
                           DB_CSTR(what), DB_CSTR(note != NULL ? note : "")),
                   NULL, NULL);
}

static struct db_val
str_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? DB_CSTR(s) : DB_NULL;
}

/* The people a new task is for hear of it, in its transaction: the
 * assignee (unless they made it), or everyone the role fits (at most
 * TASK_TELL_MAX). */
APP_MUST_USE static enum app_err
tell(struct ctx *cx, const struct task_input *in, int64_t id)
{
    struct notice n;
    struct db_res r;
    enum app_err rc = APP_OK;
    size_t i;

    memset(&n, 0, sizeof(n));
    memset(&r, 0, sizeof(r));
    n.kind = strcmp(in->kind, "reminder") == 0 ? "reminder" : "task";
    n.title = in->title;
    n.body = in->body;
    n.object_kind = "task";
    n.object_id = id;
    if (in->assignee_id > 0) {
        r.nrows = in->assignee_id == cx->user_id ? 0 : 1;
    } else {
        rc = db_query(cx->db, cx->a, SQL_FITTING,
                      DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(in->assignee_role),
                              DB_I64(in->team_id), DB_I64(cx->tenant_id),
                              DB_I64(in->team_id),
                              DB_CSTR(in->region != NULL ? in->region : ""),
                              DB_CSTR(in->region != NULL ? in->region : ""),
                              DB_I64(TASK_TELL_MAX)),
                      TASK_TELL_MAX, &r);
    }
    for (i = 0; rc == APP_OK && i < r.nrows; i++) {
        int64_t nid;
        bool created;

        n.user_id = in->assignee_id > 0 ? in->assignee_id : db_int(&r, i, 0, 0);
        n.dedup_key = arena_printf(cx->a, "task:%lld:%lld", (long long)id,
                                   (long long)n.user_id);
        rc = notify(cx, &n, &nid, &created);
    }
    return rc;
}

APP_MUST_USE static enum app_err
insert(struct ctx *cx, const struct task_input *in, int64_t *id)
{
    uint64_t last = 0;
    enum app_err rc = db_exec(
        cx->db, SQL_ADD,
        DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(in->kind), DB_CSTR(in->title),
                DB_CSTR(in->body != NULL ? in->body : ""),
                DB_I64(in->priority > 0 ? in->priority : 2),
                str_or_null(in->due_at),
                in->assignee_id > 0 ? DB_I64(in->assignee_id) : DB_NULL,
                str_or_null(in->assignee_role),
                in->team_id > 0 ? DB_I64(in->team_id) : DB_NULL,
                str_or_null(in->region), str_or_null(in->object_kind),
                in->object_id > 0 ? DB_I64(in->object_id) : DB_NULL,
                cx->user_id > 0 ? DB_I64(cx->user_id) : DB_NULL,
                str_or_null(in->rule_script),
                in->rule_version > 0 ? DB_I64(in->rule_version) : DB_NULL,
                str_or_null(in->dedup_key)),
        NULL, &last);

    *id = (int64_t)last;
    if (rc == APP_OK)
        rc = event(cx, *id, "created", NULL);
    if (rc == APP_OK)
        rc = tell(cx, in, *id);
    return rc;
}

enum app_err
tasks_create(struct ctx *cx, const struct task_input *in, int64_t *id,
             bool *created)
{
    struct db_tx tx = DB_TX_INIT;
    struct db_res res;
    enum app_err rc;

    *id = 0;
    *created = false;
    while (db_tx_next(cx->db, &tx, &rc)) {
        *created = false;
        rc = APP_OK;
        if (in->dedup_key != NULL) {
            rc =
                db_query(cx->db, cx->a, SQL_BY_KEY,
                         DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(in->dedup_key)),
                         1, &res);
            if (rc == APP_OK && res.nrows == 1) {
                *id = db_int(&res, 0, 0, 0);
                continue; /* made before: nothing to do */
            }
        }
        if (rc == APP_OK)
            rc = insert(cx, in, id);
        *created = rc == APP_OK;
    }
    /* Two runs racing on one key: the loser finds the winner's task. */
    if (rc == APP_ECONFLICT && in->dedup_key != NULL &&
        db_query(cx->db, cx->a, SQL_BY_KEY,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(in->dedup_key)), 1,
                 &res) == APP_OK &&
        res.nrows == 1) {
        *id = db_int(&res, 0, 0, 0);
        *created = false;
        rc = APP_OK;
    }
    return rc;
}

enum app_err
tasks_list(struct ctx *cx, const struct task_filter *f, size_t max,
           struct db_res *out)
{
    struct me me;
    const char *now = now_text(cx), *status = f->status ? f->status : "";
    const char *okind = f->object_kind ? f->object_kind : "";
    enum app_err rc = whoami(cx, &me);

    if (rc != APP_OK)
        return rc;
    if (f->team && !f->mine)
        return db_query(cx->db, cx->a, SQL_LIST_TEAM,
                        DB_ARGS(DB_CSTR(now), DB_I64(cx->tenant_id),
                                DB_I64(cx->tenant_id), DB_I64(cx->user_id),
                                DB_I64(cx->user_id), DB_CSTR(status),
                                DB_CSTR(status), DB_I64(f->overdue),
                                DB_CSTR(now), DB_CSTR(okind), DB_CSTR(okind),
                                DB_I64(f->object_id), DB_I64((int64_t)max)),
                        max, out);
    return db_query(
        cx->db, cx->a, SQL_LIST,
        DB_ARGS(DB_CSTR(now), DB_I64(cx->tenant_id), DB_I64(me.all),
                DB_I64(cx->tenant_id), DB_I64(me.root), DB_I64(cx->user_id),
                DB_I64(cx->tenant_id), DB_I64(me.root), DB_CSTR(me.role),
                DB_I64(cx->tenant_id), DB_I64(cx->user_id), DB_CSTR(me.region),
                DB_I64(f->mine), DB_I64(cx->user_id), DB_CSTR(me.role),
                DB_I64(cx->tenant_id), DB_I64(cx->user_id), DB_CSTR(me.region),
                DB_I64(f->team), DB_I64(cx->tenant_id), DB_I64(cx->user_id),
                DB_I64(cx->user_id), DB_CSTR(status), DB_CSTR(status),
                DB_I64(f->overdue), DB_CSTR(now), DB_CSTR(okind),
                DB_CSTR(okind), DB_I64(f->object_id), DB_I64((int64_t)max)),
        max, out);
}

enum app_err
tasks_get(struct ctx *cx, int64_t id, struct db_res *out)
{
    struct me me;
    enum app_err rc = whoami(cx, &me);

    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_GET,
                      DB_ARGS(DB_CSTR(now_text(cx)), DB_I64(cx->tenant_id),
                              DB_I64(id), DB_I64(me.all), DB_I64(cx->tenant_id),
                              DB_I64(me.root), DB_I64(cx->user_id),
                              DB_I64(cx->tenant_id), DB_I64(me.root),
                              DB_CSTR(me.role), DB_I64(cx->tenant_id),
                              DB_I64(cx->user_id), DB_CSTR(me.region)),
                      1, out);
    if (rc == APP_OK && out->nrows == 0)
        rc = APP_ENOTFOUND;
    return rc;
}

enum app_err
tasks_history(struct ctx *cx, int64_t id, struct db_res *out)
{
    struct db_res t;
    enum app_err rc = tasks_get(cx, id, &t);

    if (rc != APP_OK)
        return rc;
    return db_query(cx->db, cx->a, SQL_HISTORY,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), 500, out);
}

/* One change of a task in scope: the statement, then its history entry,
 * in one transaction.  No row changed: APP_ECONFLICT. */
APP_MUST_USE static enum app_err
change(struct ctx *cx, int64_t id, const char *sql, const struct db_val *args,
       size_t nargs, const char *what, const char *note)
{
    struct db_tx tx = DB_TX_INIT;
    struct db_res t;
    uint64_t affected = 0;
    enum app_err rc = tasks_get(cx, id, &t);

    if (rc != APP_OK)
        return rc;
    while (db_tx_next(cx->db, &tx, &rc)) {
        rc = db_exec(cx->db, sql, args, nargs, &affected, NULL);
        if (rc == APP_OK && affected == 0)
            rc = APP_ECONFLICT;
        if (rc == APP_OK)
            rc = event(cx, id, what, note);
    }
    return rc;
}

enum app_err
tasks_claim(struct ctx *cx, int64_t id)
{
    struct db_res t;
    enum app_err rc = tasks_get(cx, id, &t);

    if (rc != APP_OK)
        return rc;
    if (db_int(&t, 0, TK_ASSIGNEE_ID, 0) != 0 ||
        strcmp(db_text(&t, 0, TK_STATUS), "open") != 0)
        return APP_ECONFLICT;
    if (strcmp(db_text(&t, 0, TK_ROLE), role_name(cx->role)) != 0)
        return APP_EFORBIDDEN;
    return change(
        cx, id, SQL_CLAIM,
        DB_ARGS(DB_I64(cx->user_id), DB_I64(cx->tenant_id), DB_I64(id)),
        "claimed", NULL);
}

enum app_err
tasks_close(struct ctx *cx, int64_t id, const char *status, const char *note)
{
    if (strcmp(status, "done") != 0 && strcmp(status, "cancelled") != 0)
        return APP_EINVAL;
    return change(cx, id, SQL_CLOSE,
                  DB_ARGS(DB_CSTR(status), DB_I64(cx->user_id),
                          DB_CSTR(now_text(cx)),
                          DB_CSTR(note != NULL ? note : ""),
                          DB_I64(cx->tenant_id), DB_I64(id)),
                  status, note);
}

enum app_err
tasks_reopen(struct ctx *cx, int64_t id)
{
    return change(cx, id, SQL_REOPEN,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), "reopened", NULL);
}

enum app_err
tasks_counts(struct ctx *cx, int64_t *overdue, int64_t *today, int64_t *later)
{
    struct tm tm;
    struct db_res res;
    struct me me;
    char buf[32];
    const char *now = now_text(cx), *end;
    enum app_err rc = whoami(cx, &me);

    *overdue = *today = *later = 0;
    if (rc != APP_OK)
        return rc;
    /* The end of the tenant's day. */
    tz_local(cx->tenant_tz, time(NULL), &tm);
    tm.tm_mday++;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    end = arena_strdup(
        cx->a, tz_utc_text(tz_mktime(cx->tenant_tz, &tm), buf, sizeof(buf)));
    rc = db_query(
        cx->db, cx->a, SQL_COUNTS,
        DB_ARGS(DB_CSTR(now), DB_CSTR(now), DB_CSTR(end), DB_CSTR(end),
                DB_I64(cx->tenant_id), DB_I64(cx->user_id), DB_CSTR(me.role),
                DB_I64(cx->tenant_id), DB_I64(cx->user_id), DB_CSTR(me.region)),
        1, &res);
    if (rc == APP_OK && res.nrows == 1) {
        *overdue = db_int(&res, 0, 0, 0);
        *today = db_int(&res, 0, 1, 0);
        *later = db_int(&res, 0, 2, 0);
    }
    return rc;
}
