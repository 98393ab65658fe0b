/*
 * notify.h -- notifications: the inbox and what goes to the outbox.
 *
 * notify() writes one message for one person, in the caller's transaction
 * (so a notification exists exactly when the change that caused it was
 * committed), and the deliveries it needs on the person's other channels:
 *   - wecom: the robot of the nearest team up the person's chain that has
 *     one, else the company's; markdown, at most 4096 bytes, with the
 *     person's mobile in mentioned_mobile_list when known;
 *   - webhook: the company's webhook gets every notification (signed JSON);
 *   - email: when the person has an address and the company SMTP.
 * A person turns channels off per kind (users.notify_off, "task:wecom").
 * The in-app inbox always gets it.  dedup_key makes it once (a job run).
 */
#ifndef PROOFLINE_NOTIFY_H
#define PROOFLINE_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "db/ctx.h"
#include "db/db.h"

#define NOTIFY_WECOM_MAX 4096 /* bytes of a robot's markdown content */
#define NOTIFY_LIST_MAX 200

extern const char *const notify_kinds[];    /* task, alert, reminder, system */
extern const char *const notify_channels[]; /* wecom, email */

struct notice {
    int64_t user_id; /* the recipient, in cx's company */
    const char *kind;
    const char *title;
    const char *body;
    const char *object_kind; /* "task", "customer" ... or NULL */
    int64_t object_id;
    const char *dedup_key; /* NULL, or once per key */
};

/* Write it (and its deliveries).  *id: the notification (the earlier one
 * for a dedup_key already used, with *created false).  An inactive
 * recipient gets nothing (APP_OK, *id 0). */
APP_MUST_USE enum app_err notify(struct ctx *cx, const struct notice *n,
                                 int64_t *id, bool *created);

/* The webhook message of an event that is not one person's notification
 * (an alert): queued to the company's webhook once per dedup_key.  No
 * webhook configured: nothing, APP_OK. */
APP_MUST_USE enum app_err notify_webhook(struct ctx *cx, const char *event,
                                         const char *json_data,
                                         const char *dedup_key);

/* Columns of the inbox (notify_list). */
enum {
    NT_ID,
    NT_KIND,
    NT_TITLE,
    NT_BODY,
    NT_OBJECT_KIND,
    NT_OBJECT_ID,
    NT_READ_AT,
    NT_CREATED_AT,
    NT_COUNT
};

/* The signed-in person's notifications, newest first (unread only when
 * unread), at most max (<= NOTIFY_LIST_MAX), before before_id (0: from
 * the newest). */
APP_MUST_USE enum app_err notify_list(struct ctx *cx, bool unread,
                                      int64_t before_id, size_t max,
                                      struct db_res *out);

/* Mark one read (APP_ENOTFOUND when it is not the person's) or all. */
APP_MUST_USE enum app_err notify_read(struct ctx *cx, int64_t id);
APP_MUST_USE enum app_err notify_read_all(struct ctx *cx, int64_t *n);

APP_MUST_USE enum app_err notify_unread(struct ctx *cx, int64_t *n);

#endif
