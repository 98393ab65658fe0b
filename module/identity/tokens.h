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
#include "base/str.h"

#define TOKEN_SECRET_MAX 48

/* Create a token for user (in tenant) named name, expiring after days
 * (0 = never).  secret gets "plt_..." (TOKEN_SECRET_MAX bytes). */
APP_MUST_USE enum app_err tokens_create(struct db *db, int64_t tenant,
                                        int64_t user, int64_t created_by,
                                        struct str name, long days,
                                        char *secret, int64_t *id);

/* Revoke token id of the tenant; when user > 0 only if it belongs to that
 * user.  APP_ENOTFOUND when there is no such (active) token in scope. */
APP_MUST_USE enum app_err tokens_revoke(struct db *db, int64_t tenant,
                                        int64_t user, int64_t id);

/* Append the tokens of the tenant (user > 0: of that user) to list as
 * objects {id, name, login, prefix, created_at, expires_at, last_used_at,
 * revoked}. */
APP_MUST_USE enum app_err tokens_list(struct db *db, struct arena *a,
                                      int64_t tenant, int64_t user,
                                      cJSON *list);

#endif
