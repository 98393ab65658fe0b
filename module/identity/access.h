/*
 * access.h -- what a signed-in user may see, decided in one place.
 *
 *   rep                 their own objects
 *   manager, supervisor their team: the subtree of users under them
 *   admin               the whole tenant
 *   legal, finance, store_manager, marketing
 *                       their own objects and their queues: legal the
 *                       qualification documents of customers with any
 *                       (sales/qual_docs.h), finance the contracts that
 *                       needed its approval (sales/contracts.h)
 *
 * Every query binds tenant_id from the session; an object outside the
 * user's scope is APP_ENOTFOUND (404), never 403, so its existence does
 * not leak.
 */
#ifndef PROOFLINE_ACCESS_H
#define PROOFLINE_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "db/ctx.h"

/* True for roles whose scope is a team subtree. */
bool access_is_team_role(unsigned role);

/* APP_OK when r's user may see user `id` (of r's tenant), else
 * APP_ENOTFOUND. */
APP_MUST_USE enum app_err access_user(struct ctx *cx, int64_t id);

/* The id whose subtree is r's scope (the user), and whether the scope is
 * the whole tenant: for queries of the form
 *   ... WHERE tenant_id = ? AND (? = 1 OR owner_id IN
 *       (SELECT descendant_id FROM user_tree WHERE tenant_id = ? AND
 *        ancestor_id = ?)) */
void access_scope(const struct ctx *cx, int64_t *root, int64_t *all);

#endif
