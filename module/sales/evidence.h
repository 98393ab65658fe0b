/*
 * evidence.h -- the evidence supplied for a customer.
 *
 * An item is a photo or document (a stored file), a filled-in form or a
 * logged call (JSON data whose fields the tenant's rules define).  The
 * latest item per evidence key counts.  Once an item satisfied a stage
 * change (used_in) it can be neither changed nor removed; the database
 * refuses it too (triggers in 004_customers.sql).
 */
#ifndef PROOFLINE_EVIDENCE_H
#define PROOFLINE_EVIDENCE_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "rules/ruledesc.h"
#include "base/kv.h"
#include "base/upload.h"
#include "db/ctx.h"
#include "db/db.h"

#define EVIDENCE_MAX_ITEMS 200 /* distinct keys read for a customer */
#define EVIDENCE_MAX_ROWS 500  /* items a customer may hold (not removed) */

struct evidence_item {
    int64_t id;
    const char *key;
    const char *kind;
    int64_t file_id;  /* 0: none */
    const char *data; /* JSON text or "" */
    const char *note;
    const char *created_at;
    const char *by_name;
    int64_t used_in; /* 0: not used yet */
    const char *file_name;
    const char *file_mime;
};

struct evidence_set {
    size_t n;
    struct evidence_item v[EVIDENCE_MAX_ITEMS];
};

/* The current (latest, not removed) item per key of a customer (in r's
 * scope: the caller checked the customer). */
APP_MUST_USE enum app_err evidence_current(struct ctx *cx, int64_t customer_id,
                                           struct evidence_set *out);

/* The customer (as customers_get without a lock: APP_ENOTFOUND outside
 * cx's scope) and its current items (as evidence_current) in one round
 * trip, for the customer's page. */
struct customer;
APP_MUST_USE enum app_err evidence_with_customer(struct ctx *cx,
                                                 int64_t customer_id,
                                                 struct customer *c,
                                                 struct evidence_set *out);

/* The item for key in set, or NULL. */
const struct evidence_item *evidence_find(const struct evidence_set *set,
                                          const char *key);

/* {key: data object | true} for the rule gate (caller deletes). */
cJSON *evidence_have(const struct evidence_set *set);

/* Check a form or call's fields against the rules' definition (def, from
 * ruledesc_evidence) from a form (kv) or JSON object: *data gets the
 * values as a JSON object (caller deletes).  APP_EVALIDATION with one
 * message per field in errors. */
APP_MUST_USE enum app_err evidence_validate(struct ctx *cx, const cJSON *def,
                                            const struct kvlist *form,
                                            const cJSON *json, cJSON **data,
                                            cJSON *errors);

/* The kind of an evidence definition ("photo", "document", "form",
 * "call"; "form" when the rules say nothing) and whether it is a file. */
const char *evidence_kind(const cJSON *def);
bool evidence_wants_file(const char *kind);

/* What a page, the API or an import submits as evidence for a customer. */
struct evidence_submission {
    const char *key;           /* the rules' evidence key */
    const struct upload *file; /* photo, document: the file (NULL: none) */
    const struct kvlist *form; /* form, call: the fields of a form, or */
    const cJSON *json;         /* the fields as a JSON object */
    struct str note;           /* at most 1000 characters */
};

/* The one way to supply evidence: check the submission against the rules
 * (key, file and its type, the fields, the note), then in one transaction
 * store the file, record the item and touch the customer.  On
 * APP_EVALIDATION errors has one catalog key per field (key, file, data or
 * a field name, note) and nothing was written.  *id, *file_id (0 when no
 * file) and *kind describe the item recorded. */
APP_MUST_USE enum app_err
evidence_submit(struct ctx *cx, const struct ruledesc *rd, int64_t customer_id,
                const struct evidence_submission *s, cJSON *errors, int64_t *id,
                int64_t *file_id, const char **kind);

/* The evidence keys the listed customers hold (ids: a JSON array of
 * customer ids, at most 1000), one row per customer and key: customer id,
 * key.  Only the acting company's rows are read. */
APP_MUST_USE enum app_err evidence_keys_of(struct ctx *cx, const char *ids,
                                           struct db_res *res);

/* Record an item (inside the caller's transaction). */
APP_MUST_USE enum app_err evidence_add(struct ctx *cx, int64_t customer_id,
                                       const char *key, const char *kind,
                                       int64_t file_id, const char *data,
                                       const char *note, int64_t *id);

/* Remove an unused item: APP_ECONFLICT when it was used for a stage
 * change, APP_ENOTFOUND when it is not this customer's. */
APP_MUST_USE enum app_err evidence_remove(struct ctx *cx, int64_t customer_id,
                                          int64_t id);

/* Mark items used by stage event `event_id`. */
APP_MUST_USE enum app_err evidence_mark_used(struct ctx *cx, const int64_t *ids,
                                             size_t n, int64_t event_id);

#endif
