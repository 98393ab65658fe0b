/*
 * customer_input.h -- what makes a customer's fields and a customer list's
 * filters valid: the one check the pages, the JSON API, the CSV import and
 * any other caller go through, so a value refused on one path is refused
 * on every path, under the same field name and message key.
 *
 * Problems go to an errors object, one entry per field: the catalog key
 * ("customer.bad_kind"), or {"key": ..., "n": limit} for a message that
 * names a number.  Callers translate them where they show them.
 */
#ifndef PROOFLINE_CUSTOMER_INPUT_H
#define PROOFLINE_CUSTOMER_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/kv.h"
#include "db/ctx.h"
#include "rules/ruledesc.h"
#include "sales/customers.h"

/* The values of the list filters, for menus and links. */
extern const char *const customer_health_values[]; /* "green", ... NULL */
extern const char *const customer_sort_values[];   /* by enum customer_sort */
extern const char *const customer_dir_values[];    /* "asc", "desc", NULL */

/* A customer as submitted for create or update, checked. */
struct customer_form {
    struct customer_input in; /* kind by its key, whichever name was given */
    int64_t owner;            /* create: the owner (default: the actor) */
    bool confirm_duplicate;   /* create: a similar name is no obstacle */
    int64_t version;          /* update: the version edited (0: none) */
};

/* Check the fields name, kind, city, address, phone, amount, note,
 * owner (its name on this path in owner_field: "owner", the API's
 * "owner_id"), confirm_duplicate and version.  For a create the owner must
 * be one the actor may give customers to; for an update the version is
 * required and the owner is not read (a transfer changes it).  On
 * APP_EVALIDATION out holds what could be read (to show the form again). */
APP_MUST_USE enum app_err
customer_input_check(struct ctx *cx, const struct ruledesc *rd,
                     const struct kvlist *fields, bool update,
                     const char *owner_field, struct customer_form *out,
                     cJSON *errors);

/* The list filters (stage, owner, team, health, kind, stale, q, sort, dir,
 * page) from query arguments into f and *page (may be NULL).  Stage and
 * kind must be the rules' keys. */
APP_MUST_USE enum app_err customer_filter_check(struct ctx *cx,
                                                const struct kvlist *q,
                                                struct customer_filter *f,
                                                int64_t *page, cJSON *errors);

#endif
