/*
 * actions.h -- what a rule asks for, made: tasks, notifications, webhooks.
 *
 * Reminders (schedules.lua) and alerts (alerts.lua) return actions:
 *   { type = "task", assignee = <user id> | "owner" | "manager",
 *     role = "<role>" (+ region), title, body, kind, priority,
 *     due = "HH:MM" (local, on the day of `at`) | due_hours = n }
 *   { type = "notify", user = <user id> | role = "<role>", title | message,
 *     body }
 *   { type = "webhook", body = {...} }   (the company's webhook)
 * Each action is made once per key: the caller's key plus the action's
 * item (or its place in the list), so running the same slot twice makes
 * nothing new.  Tasks carry the rule script and version.
 */
#ifndef PROOFLINE_ACTIONS_H
#define PROOFLINE_ACTIONS_H

#include <stdint.h>
#include <time.h>

#include <cJSON.h>

#include "base/err.h"
#include "db/ctx.h"

struct action_ctx {
    const char *rule_script; /* "schedules", "alerts" */
    int rule_version;
    const char *key;         /* "job:12:1767225600", "alert:<key>:<period>" */
    time_t at;               /* the run's time (due times count from it) */
    int64_t owner_id;        /* "owner" resolves to this user (0: none) */
    int64_t manager_id;      /* "manager" resolves to this user (0: none) */
    const char *object_kind; /* what the tasks are about, or NULL */
    int64_t object_id;
};

struct action_counts {
    long tasks, notifications, webhooks, skipped;
};

/* Make the actions (a JSON array).  A malformed action is skipped and
 * counted, with *error saying the first why; database failures stop it. */
APP_MUST_USE enum app_err
actions_apply(struct ctx *cx, const struct action_ctx *ac, const cJSON *actions,
              struct action_counts *n, const char **error);

#endif
