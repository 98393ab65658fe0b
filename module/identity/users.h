/*
 * users.h -- users, roles and the manager hierarchy of a tenant.
 *
 * Every function takes the tenant id and binds it in every statement; a
 * user of another tenant is APP_ENOTFOUND.  The hierarchy is kept twice:
 * users.manager_id (the edge) and user_tree (the closure: every ancestor,
 * descendant pair, including each user with itself at depth 0), so "the
 * team of m" is one indexed lookup with constant SQL.  Writers must run
 * inside a transaction (callers own it) so both always agree.
 */
#ifndef PROOFLINE_USERS_H
#define PROOFLINE_USERS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "db/db.h"
#include "base/err.h"
#include "base/str.h"
#include "identity/role.h"

struct user {
    int64_t id;
    int64_t tenant_id;
    int64_t manager_id; /* 0: none */
    unsigned role;      /* one enum role bit */
    const char *login;
    const char *display_name;
    const char *region;
    const char *locale;        /* "" when not set */
    const char *manager_login; /* "" when none */
    const char *created_at;
    const char *last_login_at; /* "" when never */
    bool active;
    bool mfa_enabled;
};

APP_MUST_USE enum app_err users_get(struct db *db, struct arena *a,
                                    int64_t tenant, int64_t id,
                                    struct user *out);

/* Find by login (case-insensitive); also returns the password hash. */
APP_MUST_USE enum app_err users_find_login(struct db *db, struct arena *a,
                                           int64_t tenant, struct str login,
                                           struct user *out,
                                           const char **password_hash);

struct user_new {
    struct str login;
    struct str display_name;
    unsigned role;
    int64_t manager_id; /* 0: none */
    struct str region;
    struct str locale; /* empty: follow the browser */
    const char *password_hash;
    bool temporary; /* changed at the first sign-in */
};

/* Insert a user and its closure rows.  APP_ECONFLICT when the login is
 * taken, APP_EVALIDATION when the manager is not a manager of this tenant. */
APP_MUST_USE enum app_err users_create(struct db *db, struct arena *a,
                                       int64_t tenant, const struct user_new *u,
                                       int64_t *id);

/* Move a user (and its whole subtree) under another manager (0: none).
 * APP_ECONFLICT when that would make a cycle, APP_EVALIDATION when the
 * manager is not an active manager of this tenant. */
APP_MUST_USE enum app_err users_set_manager(struct db *db, struct arena *a,
                                            int64_t tenant, int64_t user,
                                            int64_t manager);

/* True when `member` is `manager` or somewhere below it. */
APP_MUST_USE enum app_err users_in_subtree(struct db *db, struct arena *a,
                                           int64_t tenant, int64_t manager,
                                           int64_t member, bool *in);

/* The users of the tenant (all != 0) or of root's subtree, by login, at
 * most max (APP_ETOOBIG past it). *out is an arena array. */
APP_MUST_USE enum app_err users_list_scope(struct db *db, struct arena *a,
                                           int64_t tenant, int64_t all,
                                           int64_t root, size_t max,
                                           struct user **out, size_t *n);

/* Resolve a login to an id in the tenant (APP_ENOTFOUND). */
APP_MUST_USE enum app_err users_id_by_login(struct db *db, struct arena *a,
                                            int64_t tenant, struct str login,
                                            int64_t *id);

/* The active user whose display name is name, when exactly one is (what
 * an export writes as the owner).  APP_ENOTFOUND otherwise. */
APP_MUST_USE enum app_err users_id_by_name(struct db *db, struct arena *a,
                                           int64_t tenant, struct str name,
                                           int64_t *id);

#endif
