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

#endif
