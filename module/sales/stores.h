/*
 * stores.h -- a retail chain's store network (门店): code, name, address,
 * position, region, area supervisor (督导), store manager(s), opening and
 * closing day, franchise or direct.
 *
 * Who sees which store (stores_scope): admin and marketing every store;
 * manager and supervisor the stores whose supervisor is in their team
 * subtree (a supervisor: their own area); a store manager the stores they
 * manage; everyone else none.  A store out of scope is APP_ENOTFOUND.
 * Admins and managers write stores (others APP_EFORBIDDEN).
 *
 * Each store has a customer record of kind "store" (customer_id), owned by
 * its supervisor (or the creator while it has none), made with the store:
 * visits, shelf photos and shelf audits attach to it through the usual
 * activity services.  The pipeline metrics leave kind "store" out.
 *
 * A store is *open* on day d when opened_on is NULL or <= d and closed_on
 * is NULL or > d; "active" in lists means open today (local).
 */
#ifndef PROOFLINE_STORES_H
#define PROOFLINE_STORES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/kv.h"
#include "base/upload.h"
#include "db/ctx.h"
#include "db/db.h"

#define STORE_CODE_MAX 32
#define STORE_NAME_MAX 200
#define STORE_ADDRESS_MAX 500
#define STORE_REGION_MAX 100
#define STORES_MAX 20000         /* per company */
#define STORE_MANAGERS_MAX 8     /* per store */
#define STORES_IMPORT_ROWS 20000 /* lines after the header */
#define STORES_IMPORT_BYTES (8 * 1024 * 1024)

/* Scope as bind values for the fragment STORES_SCOPE_SQL (alias s):
 *   ... FROM stores s WHERE s.tenant_id = ? AND STORES_SCOPE_SQL
 * binds, in order: all (1 for admin/marketing), tenant, root, tenant,
 * user -- stores_scope_args fills these five. */
#define STORES_SCOPE_SQL                                                       \
    "(? = 1 OR s.supervisor_id IN (SELECT descendant_id FROM user_tree "       \
    "WHERE tenant_id = ? AND ancestor_id = ?) OR s.id IN (SELECT store_id "    \
    "FROM store_managers WHERE tenant_id = ? AND user_id = ?))"
void stores_scope_args(const struct ctx *cx, struct db_val out[5]);

/* APP_OK when the acting user sees store id, else APP_ENOTFOUND. */
APP_MUST_USE enum app_err stores_visible(struct ctx *cx, int64_t id);

#endif
