/*
 * tasks.h -- work for people: to-dos, review cards, approvals, reminders,
 * spot checks.
 *
 * A task is assigned to a user, or to a role within a manager's team, a
 * region, or the whole company; anyone the role fits may claim it, which
 * makes it theirs.  It may be about an object (a customer, later a visit
 * or a contract).  It is open until done or cancelled, with who, when and
 * a note; done tasks can be reopened.  Every change is kept in its
 * history.  Tasks a rule or a job makes carry the rule and its version,
 * and a key that makes them once (tasks_input.dedup_key).
 *
 * Who sees a task: its assignee and whoever may claim it, its creator,
 * the managers above the assignee, and admins.  Another's task is
 * APP_ENOTFOUND.
 */
#ifndef PROOFLINE_TASKS_H
#define PROOFLINE_TASKS_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/kv.h"
#include "db/ctx.h"
#include "db/db.h"

#define TASK_TITLE_MAX 200
#define TASK_BODY_MAX 4000
#define TASK_NOTE_MAX 1000
#define TASK_LIST_MAX 500 /* rows the API lists at most */
#define TASK_PAGE_MAX 200 /* rows a page shows (more: narrow the filter) */
#define TASK_TELL_MAX 50  /* people told of a new role task */

extern const char *const task_kinds[];    /* "todo", "review", ... NULL */
extern const char *const task_statuses[]; /* "open", "done", "cancelled" */

struct task_input {
    const char *kind;
    const char *title;
    const char *body;
    int priority;        /* 1 high, 2 normal, 3 low */
    const char *due_at;  /* UTC "YYYY-MM-DD HH:MM:SS", or NULL */
    int64_t assignee_id; /* or 0 with a role: */
    const char *assignee_role;
    int64_t team_id;         /* the role within this manager's team, */
    const char *region;      /* or this region, or (neither) the company */
    const char *object_kind; /* "customer" or NULL */
    int64_t object_id;
    const char *rule_script; /* a rule's task: its script and version */
    int rule_version;
    const char *dedup_key; /* a job's task: made once per key */
};

/* Check a task form (title, body, kind, priority, due as local
 * "YYYY-MM-DD HH:MM", "YYYY-MM-DDTHH:MM" or "YYYY-MM-DD", assignee user
 * id or role, customer id) into in.  APP_EVALIDATION with one catalog key
 * per field in errors. */
APP_MUST_USE enum app_err tasks_check(struct ctx *cx, const struct kvlist *f,
                                      struct task_input *in, cJSON *errors);

/* Create (one transaction: the task and its first history entry).  A
 * dedup_key already used gives its task's id and *created false. */
APP_MUST_USE enum app_err tasks_create(struct ctx *cx,
                                       const struct task_input *in, int64_t *id,
                                       bool *created);

struct task_filter {
    bool mine;          /* assigned to me or mine to claim */
    bool team;          /* assigned within my team (managers) */
    const char *status; /* "open", "done", "cancelled" or NULL: any */
    bool overdue;       /* open and due before now */
    int64_t object_id;  /* with object_kind: tasks about one object */
    const char *object_kind;
};

/* Columns of a task row (tasks_list, tasks_get). */
enum {
    TK_ID,
    TK_KIND,
    TK_TITLE,
    TK_BODY,
    TK_PRIORITY,
    TK_DUE_AT,
    TK_STATUS,
    TK_ASSIGNEE_ID,
    TK_ASSIGNEE_NAME,
    TK_ROLE,
    TK_TEAM_NAME,
    TK_REGION,
    TK_OBJECT_KIND,
    TK_OBJECT_ID,
    TK_OBJECT_NAME,
    TK_CLOSED_AT,
    TK_CLOSED_BY_NAME,
    TK_NOTE,
    TK_CREATED_AT,
    TK_CREATED_BY_NAME,
    TK_RULE,
    TK_RULE_VERSION,
    TK_VERSION,
    TK_OVERDUE,
    TK_COUNT
};

/* Tasks visible to cx's user matching f, open ones by due time (none
 * last), at most max. */
APP_MUST_USE enum app_err tasks_list(struct ctx *cx,
                                     const struct task_filter *f, size_t max,
                                     struct db_res *out);

/* One task in scope (a TK_* row). */
APP_MUST_USE enum app_err tasks_get(struct ctx *cx, int64_t id,
                                    struct db_res *out);

/* Its history, oldest first: at, by (name), what, note. */
APP_MUST_USE enum app_err tasks_history(struct ctx *cx, int64_t id,
                                        struct db_res *out);

/* Changes.  APP_ENOTFOUND outside the scope; APP_ECONFLICT when the task
 * is not in a state for it (closing a closed one, claiming one already
 * someone's); APP_EFORBIDDEN when the user may see it but not do this
 * (claim: the role does not fit). */
APP_MUST_USE enum app_err tasks_claim(struct ctx *cx, int64_t id);
APP_MUST_USE enum app_err tasks_close(struct ctx *cx, int64_t id,
                                      const char *status, const char *note);
APP_MUST_USE enum app_err tasks_reopen(struct ctx *cx, int64_t id);

/* Open tasks of the user: overdue, due today (tenant's day), later or
 * undated; for the home page. */
APP_MUST_USE enum app_err tasks_counts(struct ctx *cx, int64_t *overdue,
                                       int64_t *today, int64_t *later);

#endif
