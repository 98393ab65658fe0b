/*
 * tokens.h -- API tokens: create, list, revoke.  The secret is shown once
 * at creation; only its SHA-256 is stored.
 */
#ifndef PROOFLINE_TOKENS_H
#define PROOFLINE_TOKENS_H

#include <stdint.h>

#include <cJSON.h>

#include "base/arena.h"
#include "db/db.h"
#include "base/err.h"
#include "base/kv.h"
#include "base/str.h"
#include "db/ctx.h"

#define TOKEN_SECRET_MAX 48

/* Issue a token to user, an active user of cx's company, from the fields
 * name (1-100 characters) and days (0-3650; absent or 0: it never
 * expires), audited as made by cx->user_id, in one transaction.  secret
 * gets "plt_..." (TOKEN_SECRET_MAX bytes), shown once: only its hash is
 * stored.  APP_EVALIDATION with a catalog key per field in errors (user:
 * "admin.bad_user"); nothing is written then.  The one way pages, the
 * API and `proofline token create` make tokens. */
APP_MUST_USE enum app_err tokens_create(struct ctx *cx, int64_t user,
                                        const struct kvlist *fields,
                                        cJSON *errors, char *secret,
                                        int64_t *id);

/* Revoke token id of cx's company, audited; when user > 0 only if it
 * belongs to that user.  APP_ENOTFOUND when there is no such (active)
 * token in scope. */
APP_MUST_USE enum app_err tokens_revoke(struct ctx *cx, int64_t user,
                                        int64_t id);

/* Append the tokens of the tenant (user > 0: of that user) to list as
 * objects {id, name, login, prefix, created_at, expires_at, last_used_at,
 * revoked}. */
APP_MUST_USE enum app_err tokens_list(struct db *db, struct arena *a,
                                      int64_t tenant, int64_t user,
                                      cJSON *list);

#endif
