/*
 * audit.h -- the append-only audit log.
 *
 * Security-relevant events (sign-ins and their failures, lockouts,
 * password, role and MFA changes, tokens, sessions, user administration)
 * are written here with who did it, to whom, from where and when.  Rows are
 * never updated or deleted by the application.
 */
#ifndef PROOFLINE_AUDIT_H
#define PROOFLINE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "db/ctx.h"

/* Write one event.  tenant_id/actor_id/subject_id may be 0 (unknown or
 * not applicable).  detail may be NULL; it is serialised and not taken
 * over.  A failure is logged and returned; callers inside a transaction
 * roll back with it, so an action never happens without its audit row. */
APP_MUST_USE enum app_err audit_write(struct ctx *cx, int64_t tenant_id,
                                      int64_t actor_id, int64_t subject_id,
                                      const char *event, const cJSON *detail);

/* The same without a request (CLI tools): ip is recorded as "cli". */
struct db;
APP_MUST_USE enum app_err audit_write_db(struct db *db, int64_t tenant_id,
                                         int64_t actor_id, int64_t subject_id,
                                         const char *event,
                                         const cJSON *detail);

/* What the audit page filters by ("" or 0: any). */
struct audit_filter {
    int64_t before;    /* entries with a smaller id (paging) */
    const char *event; /* an event name prefix ("login") */
    const char *user;  /* the actor's or the subject's login */
    const char *from;  /* UTC "YYYY-MM-DD hh:mm:ss" bounds, [from, to) */
    const char *to;
};

/* cx's company's audit entries matching f, newest first, at most max:
 * the AUDIT_* columns. */
enum audit_col {
    AUDIT_ID,
    AUDIT_AT,
    AUDIT_EVENT,
    AUDIT_ACTOR_LOGIN,
    AUDIT_SUBJECT_LOGIN,
    AUDIT_DETAIL, /* JSON */
    AUDIT_IP,
    AUDIT_ACTOR_NAME,
    AUDIT_SUBJECT_ID, /* 0: none */
    AUDIT_SUBJECT_NAME,
    AUDIT_CUSTOMER_NAME, /* of detail.customer, "" when gone */
    AUDIT_FROM_NAME,     /* users of detail.from, .to, .owner (by id) */
    AUDIT_TO_NAME,
    AUDIT_OWNER_NAME,
};
struct db_res;
APP_MUST_USE enum app_err audit_list(struct ctx *cx,
                                     const struct audit_filter *f, size_t max,
                                     struct db_res *res);

#endif
