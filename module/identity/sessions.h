/*
 * sessions.h -- a user's sign-in sessions as the account and admin pages
 * manage them (signing in and reading the cookie is web/auth.c).
 */
#ifndef PROOFLINE_SESSIONS_H
#define PROOFLINE_SESSIONS_H

#include <stdint.h>

#include "base/err.h"
#include "db/ctx.h"
#include "db/db.h"

/* End every session of user in tenant except the one whose id is except
 * (NULL: all), inside the caller's transaction: after a password change
 * or reset, a deactivation, a second factor reset. */
APP_MUST_USE enum app_err sessions_end_user(struct db *db, int64_t tenant,
                                            int64_t user, const char *except);

/* The acting user's sessions, newest use first: num, created_at,
 * last_seen_at, ip, user_agent, and whether it is `current` (a session
 * id). */
APP_MUST_USE enum app_err sessions_list(struct ctx *cx, const char *current,
                                        struct db_res *res);

/* End every session of the acting user but keep (a session id), audited
 * ("session.revoke_all"). */
APP_MUST_USE enum app_err sessions_revoke_others(struct ctx *cx,
                                                 const char *keep);

/* End the acting user's session number num, audited.  APP_ENOTFOUND when
 * it is not theirs or already gone. */
APP_MUST_USE enum app_err sessions_revoke(struct ctx *cx, int64_t num);

#endif
