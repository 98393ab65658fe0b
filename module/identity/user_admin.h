/*
 * user_admin.h -- changing a user: what the admin pages, the account page
 * and `proofline user passwd` do, each change checked, audited and done
 * in one transaction here.
 */
#ifndef PROOFLINE_USER_ADMIN_H
#define PROOFLINE_USER_ADMIN_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/kv.h"
#include "base/str.h"
#include "db/ctx.h"
#include "db/db.h"

/* Users of cx's company matching q (in login or name, "" any), role (""
 * any) and active (-1 any, 0, 1), by login: id, login, display_name, role,
 * manager login, region, active, mfa_enabled, last_login_at. */
APP_MUST_USE enum app_err users_search(struct ctx *cx, struct str q,
                                       const char *role, int active,
                                       size_t limit, size_t offset,
                                       struct db_res *res);

/* The users the acting user may see as their team (everyone for an
 * admin, else their subtree), by login: id, manager id, login,
 * display_name, role, region, active. */
APP_MUST_USE enum app_err users_team(struct ctx *cx, size_t max,
                                     struct db_res *res);

/* The active users who may be someone's manager: id, login, display_name;
 * or with all, every active user. */
APP_MUST_USE enum app_err users_choices(struct ctx *cx, bool all,
                                        struct db_res *res);

/* Update user id from the fields name, role, manager, region and locale.
 * Role and manager changes are audited on their own; an admin cannot
 * change their own role ("admin.own_role" on role), a manager must be
 * one who may manage and not below the user ("admin.bad_manager",
 * "admin.manager_cycle").  APP_EVALIDATION: nothing written. */
APP_MUST_USE enum app_err user_update(struct ctx *cx, int64_t id,
                                      const struct kvlist *fields,
                                      cJSON *errors);

/* Deactivate (ending every session; API tokens stop with it) or
 * reactivate user id.  Not oneself: APP_ECONFLICT. */
APP_MUST_USE enum app_err user_set_active(struct ctx *cx, int64_t id,
                                          bool active);

/* Set user id's password: password (checked against the policy; a
 * problem's key in errors under "password", APP_EVALIDATION) or, when
 * empty, a generated one written to generated[17] ("" otherwise).  Every
 * session of the user ends but keep (a session id, or NULL); audited as
 * event ("password.reset", "password.change").  temporary: changed at
 * the next sign-in (a generated password always is). */
APP_MUST_USE enum app_err user_set_password(struct ctx *cx, int64_t id,
                                            struct str password,
                                            const char *keep, const char *event,
                                            bool temporary, cJSON *errors,
                                            char *generated);

/* Whether password is the acting user's current one; a wrong one is
 * audited ("password.change_failed"). */
APP_MUST_USE enum app_err user_password_is(struct ctx *cx, struct str password,
                                           bool *right);

/* Remove user id's second factor and end their sessions but keep. */
APP_MUST_USE enum app_err user_reset_mfa(struct ctx *cx, int64_t id,
                                         const char *keep);

/* The acting user's language ("" or NULL: the company's default). */
APP_MUST_USE enum app_err user_set_locale(struct ctx *cx, const char *locale);

/* After a sign-in with user's password: note the time, and store fresh
 * (a new hash of the same password) when not NULL.  Both are information
 * only; failures are logged, not returned. */
void users_signed_in(struct db *db, int64_t tenant, int64_t user,
                     const char *fresh);

#endif
