/*
 * customers.h -- customers as stored, within the signed-in user's scope.
 *
 * Every function binds the tenant from r->auth and the user's scope
 * (access.h): a customer outside it is APP_ENOTFOUND, as if it did not
 * exist.  Writes bump the customer's version (optimistic concurrency):
 * an update that names a stale version is APP_ECONFLICT and changes
 * nothing.
 */
#ifndef PROOFLINE_CUSTOMERS_H
#define PROOFLINE_CUSTOMERS_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "base/err.h"
#include "rules/ruledesc.h"
#include "db/ctx.h"

#define CUSTOMER_NAME_MAX 200
#define CUSTOMER_KEY_MAX 200

struct customer {
    int64_t id;
    int64_t owner_id;
    int64_t version;
    const char *name;
    const char *kind;
    const char *stage;
    const char *stage_since; /* UTC "YYYY-MM-DD HH:MM:SS.fff" */
    const char *lost_reason; /* "" when none */
    const char *city;
    const char *address;
    const char *phone;
    const char *amount; /* "" when unknown */
    const char *note;
    const char *last_activity_at;
    const char *created_at;
    const char *updated_at;
    const char *owner_name;
    const char *updated_by_name;
    /* The company's stage under loss focus, read with the customer so the
     * pages and the gate need no query of their own ("" when none;
     * sales/loss_focus.h). */
    const char *loss_focus;
};

/* What a user edits (validated by the caller). */
struct customer_input {
    struct str name;
    struct str kind;
    struct str city;
    struct str address;
    struct str phone;
    struct str amount; /* empty: unknown */
    struct str note;
};

/* For a service that reads a customer together with rows of its own in
 * one statement (one round trip): the columns customers_row reads
 * (CUSTOMERS_NCOLS of them, first in the select list), the FROM clause
 * (customer alias c, owner u, last editor ub) and the scope condition,
 * whose three parameters are (all, tenant, root) from access_scope. */
#define CUSTOMERS_SQL_SCOPE                                                    \
    "(? = 1 OR c.owner_id IN (SELECT descendant_id FROM user_tree "            \
    "WHERE tenant_id = ? AND ancestor_id = ?))"
#define CUSTOMERS_SQL_COLS                                                     \
    "c.id, c.owner_id, c.version, c.name, c.kind, c.stage, c.stage_since, "    \
    "COALESCE(c.lost_reason, ''), c.city, c.address, c.phone, "                \
    "COALESCE(c.amount, ''), c.note, COALESCE(c.last_activity_at, ''), "       \
    "c.created_at, c.updated_at, u.display_name, COALESCE(ub.display_name, "   \
    "''), COALESCE((SELECT lf.stage FROM loss_focus lf WHERE lf.tenant_id = "  \
    "c.tenant_id), '')"
#define CUSTOMERS_NCOLS 19
#define CUSTOMERS_SQL_FROM                                                     \
    " FROM customers c JOIN users u ON u.id = c.owner_id "                     \
    "AND u.tenant_id = c.tenant_id LEFT JOIN users ub ON ub.id = "             \
    "c.updated_by AND ub.tenant_id = c.tenant_id "

/* The kind of a store's customer (sales/stores.h): a place that is
 * visited, not a deal -- it is never moved between stages (stage.h) and
 * gets no reminders about deals (work/reminders.h). */
#define CUSTOMER_KIND_STORE "store"
bool customers_is_store(const struct customer *c);

/* Fill c from row `row` of a result whose first columns are
 * CUSTOMERS_SQL_COLS (strings stay in the result's arena). */
void customers_row(const struct db_res *res, size_t row, struct customer *c);

/* Load a customer in r's scope.  for_update locks the row (inside a
 * transaction). */
APP_MUST_USE enum app_err customers_get(struct ctx *cx, int64_t id,
                                        bool for_update, struct customer *c);

/* Create in the stage `stage` owned by `owner`; records the creation in
 * the stage history (code "created", via) and in the audit log
 * (customer.create; an import is audited once by its commit instead).
 * Inside the caller's transaction. */
APP_MUST_USE enum app_err customers_create(struct ctx *cx,
                                           const struct customer_input *in,
                                           int64_t owner, const char *stage,
                                           int rule_version, const char *via,
                                           int64_t *id);

/* The customer record of a store (sales/stores.h), kept in step with
 * the store inside the caller's transaction.  *id 0: a new customer of
 * kind "store" -- whatever kinds the rules list: stores come from the
 * store network, not from the customer forms -- in stage `stage`
 * (history code "created", via "store", audit customer.create); else
 * customer *id of kind "store" gets the name, address, position (when
 * has_pos) and owner (0: the owner stays).  APP_ENOTFOUND when *id is
 * no store's customer. */
struct customer_place {
    const char *name;
    const char *address;
    bool has_pos;
    double lat, lng;
    int64_t owner;
};
APP_MUST_USE enum app_err customers_store_sync(struct ctx *cx,
                                               const struct customer_place *p,
                                               const char *stage,
                                               int rule_version, int64_t *id);

/* Lock the customer's row until the transaction ends: the first step of
 * every write that touches a customer or its children (contacts, events,
 * evidence, stage changes), so that concurrent writers queue on it
 * instead of deadlocking (see db.h, lock order).  APP_ENOTFOUND when the
 * tenant has no such customer. */
APP_MUST_USE enum app_err customers_lock(struct ctx *cx, int64_t id);

/* Update the edited fields if the stored version is still `version`. */
APP_MUST_USE enum app_err customers_update(struct ctx *cx, int64_t id,
                                           int64_t version,
                                           const struct customer_input *in);

/* May r's user give customers to `owner`?  Everyone to themselves;
 * admins, managers and supervisors to active users in their scope.
 * APP_EFORBIDDEN for other roles, APP_ENOTFOUND for anyone else. */
APP_MUST_USE enum app_err customers_owner_ok(struct ctx *cx, int64_t owner);

/* Give a customer to another owner (the caller checks who may). */
APP_MUST_USE enum app_err customers_set_owner(struct ctx *cx, int64_t id,
                                              int64_t owner);

/* Refresh the contacts' names and phones used by text search. */
APP_MUST_USE enum app_err customers_refresh_contacts_text(struct ctx *cx,
                                                          int64_t id);

/* Fold a name for duplicate checks: case, spaces, punctuation, full-width
 * forms and company suffixes (有限公司, Co., Ltd.) do not count. */
void customers_name_key(struct str name, char *out, size_t outlen);

/* Customers whose names look like `name`: in r's scope, similar names;
 * elsewhere in the company, the same folded name only.  Columns: id,
 * name, owner's display name, in_scope (0/1).  At most 5.  Callers show
 * the name of an out-of-scope match only as "this name exists". */
APP_MUST_USE enum app_err customers_similar(struct ctx *cx, struct str name,
                                            int64_t exclude,
                                            struct db_res *out);

/* The one customer in cx's scope whose folded name equals name's (an
 * import updating what it matched): APP_ENOTFOUND when none in scope
 * (*elsewhere set when the company has one outside it), APP_ECONFLICT
 * when several. */
APP_MUST_USE enum app_err customers_same_name(struct ctx *cx, struct str name,
                                              int64_t *id, bool *elsewhere);

/* --- lists ---------------------------------------------------------------- */

enum customer_sort {
    CS_UPDATED,
    CS_NAME,
    CS_STAGE_SINCE,
    CS_ACTIVITY,
    CS_CREATED,
    CS_AMOUNT,
    CS_COUNT
};

struct customer_filter {
    const char *stage;  /* "" any */
    int64_t owner;      /* 0 any */
    int64_t team;       /* 0 any: the subtree under this user */
    const char *health; /* "", "green", "amber", "red" */
    const char *kind;   /* "" any */
    bool pipeline;      /* leave out kind "store" (the board) */
    int64_t stale_days; /* 0 any: no activity for this many days */
    struct str q;       /* text search over name, phone and contacts */
    enum customer_sort sort;
    bool desc;
    bool sort_given, dir_given; /* asked for, not the defaults */
};

/* Columns of a list row. */
enum {
    CL_ID,
    CL_NAME,
    CL_KIND,
    CL_STAGE,
    CL_STAGE_SINCE,
    CL_OWNER_ID,
    CL_OWNER_NAME,
    CL_CITY,
    CL_LAST_ACTIVITY,
    CL_AMOUNT,
    CL_VERSION,
    CL_HEALTH,
    CL_PHONE,
    CL_ADDRESS,
    CL_LOST_REASON,
    CL_CREATED,
    CL_NCOLS
};

/* A page of the customers in cx's scope matching f; *total (when not NULL)
 * gets the number of matches and *amount (when not NULL) the sum of their
 * amounts, plain ("1200000.00"). */
APP_MUST_USE enum app_err
customers_list(struct ctx *cx, const struct ruledesc *rd,
               const struct customer_filter *f, size_t limit, size_t offset,
               struct db_res *out, int64_t *total, const char **amount);

/* The same with the rows in arena a (for exports read in batches). */
APP_MUST_USE enum app_err
customers_list_in(struct ctx *cx, struct arena *a, const struct ruledesc *rd,
                  const struct customer_filter *f, size_t limit, size_t offset,
                  struct db_res *out, int64_t *total, const char **amount);

/* The health of a customer: "green", "amber", "red", or "none" for a
 * closed stage. */
const char *customers_health(const struct ruledesc *rd, const char *stage,
                             const char *last_activity_at);

/* What happened to a customer the caller has loaded in scope, newest
 * first, at most max: stage changes, evidence, contact events, contacts
 * added (type, at, a, b, c, d, who, id, n, note; see customer_view.c). */
APP_MUST_USE enum app_err customers_timeline(struct ctx *cx,
                                             int64_t customer_id, size_t max,
                                             struct db_res *res);

/* The folded names (customers_name_key) of every customer of cx's
 * company, sorted, so an import can tell a row that names a customer the
 * company already has (an export imported again) without a query per row.
 * At most CUSTOMERS_KEYS_MAX (APP_ETOOBIG beyond). */
#define CUSTOMERS_KEYS_MAX 1000000
APP_MUST_USE enum app_err customers_name_keys(struct ctx *cx,
                                              const char ***keys, size_t *n);
bool customers_key_known(const char *const *keys, size_t n, const char *key);

/* Customers in the user's scope with a place within about 100 km of
 * (lat, lng), nearest first: id, name, city, metres.  APP_EVALIDATION for
 * a point off the globe. */
APP_MUST_USE enum app_err customers_nearby(struct ctx *cx, double lat,
                                           double lng, size_t max,
                                           struct db_res *out);

#endif
