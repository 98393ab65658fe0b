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

/* The store whose customer record is customer_id, when the acting user
 * sees it (*id 0 otherwise, or when it is no store's customer). */
APP_MUST_USE enum app_err stores_of_customer(struct ctx *cx,
                                             int64_t customer_id, int64_t *id);

#define STORE_Q_MAX 100
#define STORES_LIST_MAX 5000 /* rows of a list or page */
#define STORES_EXPORT_MAX STORES_MAX
#define STORES_IMPORT_ERRORS 100 /* problems reported */

/* A store as submitted, checked (stores_check). */
struct store_input {
    const char *code, *name, *address, *region;
    bool has_pos; /* lat and lng given */
    double lat, lng;
    int64_t supervisor_id; /* 0: none */
    const char *format;    /* "direct" or "franchise" */
    const char *opened_on; /* "YYYY-MM-DD" or "" */
    const char *closed_on; /* "YYYY-MM-DD" or "" (open) */
    size_t nmanagers;
    int64_t managers[STORE_MANAGERS_MAX]; /* store manager users */
};

/* Check the fields code ([A-Za-z0-9_-]), name, address, lat and lng
 * (both or neither, degrees), region, supervisor (a user of role
 * supervisor or manager of the company, active, that the actor may
 * manage: by id or login; an admin may leave it empty, a manager not),
 * format (direct/franchise, 直营/加盟; empty: direct), opened_on,
 * closed_on ("YYYY-MM-DD", closed_on after opened_on), managers (logins
 * of active store managers, separated by commas, semicolons, 、 or
 * spaces; at most STORE_MANAGERS_MAX) into in.  APP_EVALIDATION with a
 * catalog key (or {key, n} / {key, name}) per field in errors. */
APP_MUST_USE enum app_err stores_check(struct ctx *cx, const struct kvlist *f,
                                       struct store_input *in, cJSON *errors);

/* A new store, with its customer record (kind "store", owned by the
 * supervisor or else the actor) and its managers, in one transaction
 * (audit store.create).  APP_ECONFLICT (err_detail "store.code_taken")
 * for a code in use; APP_EFORBIDDEN for a role other than admin or
 * manager. */
APP_MUST_USE enum app_err
stores_create(struct ctx *cx, const struct store_input *in, int64_t *id);

/* Change every field of store id (in scope, else APP_ENOTFOUND): the
 * customer follows (name, address, position; its owner the supervisor)
 * and the managers are replaced (audit store.update). */
APP_MUST_USE enum app_err stores_update(struct ctx *cx, int64_t id,
                                        const struct store_input *in);

/* Close store id from day closed_on ("YYYY-MM-DD", after its opening
 * day; APP_EVALIDATION with err_detail otherwise), or reopen it when
 * closed_on is NULL or "" (audit store.close / store.reopen). */
APP_MUST_USE enum app_err stores_close(struct ctx *cx, int64_t id,
                                       const char *closed_on);

/* Columns of a store row (stores_get, stores_list). */
enum {
    ST_ID,
    ST_CODE,
    ST_NAME,
    ST_ADDRESS,
    ST_LAT, /* "" when unknown */
    ST_LNG,
    ST_REGION,
    ST_SUPERVISOR_ID, /* 0: none */
    ST_SUPERVISOR_LOGIN,
    ST_SUPERVISOR_NAME,
    ST_FORMAT,
    ST_OPENED, /* "" when unknown */
    ST_CLOSED, /* "" when open */
    ST_CUSTOMER,
    ST_OPEN,     /* 1 when open today (local) */
    ST_MANAGERS, /* the managers' logins, "," between */
    ST_COUNT
};

APP_MUST_USE enum app_err stores_get(struct ctx *cx, int64_t id,
                                     struct db_res *out);

/* What a list asks for: q matches code, name or address; region exact
 * ("" any); supervisor 0 any; active 1 open today, 0 closed, -1 any. */
struct store_filter {
    const char *q;
    const char *region;
    int64_t supervisor;
    int active;
};

/* The stores in cx's scope matching f, by code, at most max (<=
 * STORES_LIST_MAX, or STORES_EXPORT_MAX for an export). */
APP_MUST_USE enum app_err stores_list(struct ctx *cx,
                                      const struct store_filter *f, size_t max,
                                      struct db_res *out);

/* The users cx may make a store's supervisor (active supervisors and
 * managers; a manager: of their team), by name: id, login, display
 * name. */
APP_MUST_USE enum app_err stores_supervisors(struct ctx *cx,
                                             struct db_res *out);

/* The regions of the stores in cx's scope, sorted (one column). */
APP_MUST_USE enum app_err stores_regions(struct ctx *cx, struct db_res *out);

/* Import a CSV file (UTF-8 or GBK) with a header row naming the columns
 * code, name, address, lat, lng, region, supervisor, format, opened_on,
 * closed_on, managers -- or 门店编码, 门店名称, 地址, 纬度, 经度, 区域,
 * 督导, 类型, 开业日期, 闭店日期, 店长 (stores_export writes the same
 * columns): every line is checked as stores_check does, a code already
 * in the company updates that store (it must be in the actor's scope),
 * and everything is written in one transaction -- or nothing:
 * APP_EVALIDATION with problems [{line, field, problem}] (line: the
 * file's 1-based line).  A cell the export neutralised (a leading ' before
 * = + - @) is read back without the quote.  APP_ETOOBIG (err_detail
 * "store.import_too_big") over STORES_IMPORT_BYTES or STORES_IMPORT_ROWS.
 * *n: lines written. */
APP_MUST_USE enum app_err stores_import(struct ctx *cx, const struct upload *u,
                                        size_t *n, cJSON *problems);

/* The CSV header names of the columns, in the export's order
 * (stores_import reads them; NULL-terminated). */
extern const char *const stores_columns[];

#endif
