/*
 * contracts.h -- a customer's contracts: built from a template of the
 * clause library with chosen terms (work/contracting.h makes them), the
 * rules' decision on the terms, finance's approval, signing.
 *
 * A contract is a draft until signed (or cancelled).  Its text is resolved
 * once, when it is made, from the template's pinned clause versions, and
 * never changes; clause_versions says which.  approval: "none" when the
 * rules ask for nothing, else "required" until finance approves or
 * rejects it.  Who sees a contract: the customer's scope; finance also
 * those that needed its approval (its queue).
 */
#ifndef PROOFLINE_CONTRACTS_H
#define PROOFLINE_CONTRACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "db/ctx.h"
#include "db/db.h"

#define CONTRACTS_LIST_MAX 200

struct contract {
    int64_t id;
    int64_t customer_id;
    int64_t owner_id; /* the customer's */
    int64_t template_id;
    int64_t approval_task_id; /* 0: none */
    int64_t version;
    const char *customer_name;
    const char *status;   /* "draft", "signed", "cancelled" */
    const char *approval; /* "none", "required", "approved", "rejected" */
    const char *approval_note;
    const char *approved_by; /* display name, "" */
    const char *approved_at; /* UTC, "" */
    const char *amount;      /* decimal text */
    int payment_term_days;
    const char *prepay_pct;
    int delivery_days;
    int warranty_months;
    const char *penalty_pct;
    const char *body;
    const char *clause_versions; /* JSON text */
    const char *decision;        /* JSON text: the rules' answer and facts */
    const char *template_name;
    int template_version;
    const char *created_by; /* display name */
    const char *created_at; /* UTC */
    const char *signed_by;  /* display name, "" */
    const char *signed_at;  /* UTC, "" */
};

/* The number shown for a contract: "HT-<id>". */
const char *contracts_number(struct ctx *cx, int64_t id);

/* A contract the user may see (APP_ENOTFOUND otherwise); for_update locks
 * it (inside a transaction). */
APP_MUST_USE enum app_err contracts_get(struct ctx *cx, int64_t id,
                                        bool for_update, struct contract *c);

/* A customer's contracts (in scope), newest first: id, status, approval,
 * amount, created_at, signed_at, template name. */
APP_MUST_USE enum app_err contracts_of(struct ctx *cx, int64_t customer_id,
                                       struct db_res *out);
/* Its read (the customer page prefetches it with others, db_prefetch):
 * "SELECT " CONTRACTS_SQL_OF_SELECT " " CONTRACTS_SQL_OF_REST. */
#define CONTRACTS_SQL_OF_SELECT                                                \
    "k.id, k.status, k.approval, k.amount, k.created_at, "                     \
    "COALESCE(k.signed_at, ''), t.name"
#define CONTRACTS_SQL_OF_REST                                                  \
    "FROM contracts k JOIN contract_templates t ON t.id = k.template_id AND "  \
    "t.tenant_id = "                                                           \
    "k.tenant_id WHERE k.tenant_id = ? AND k.customer_id = ? "                 \
    "ORDER BY k.id DESC LIMIT 200"
#define CONTRACTS_SQL_OF_NCOLS 7
void contracts_of_part(struct ctx *cx, int64_t customer_id, struct db_part *p);

/* Finance's queue: contracts waiting for its approval, oldest first: id,
 * customer id, customer name, amount, created_at, owner name. */
APP_MUST_USE enum app_err contracts_awaiting(struct ctx *cx,
                                             struct db_res *out);

/* The contracts the user may see, for a CSV export (at most
 * CONTRACTS_EXPORT_MAX): number id, customer, template, amount, payment
 * term, prepay %, delivery days, warranty months, penalty %, status,
 * approval, created_at (UTC), signed_at (UTC or ""). */
#define CONTRACTS_EXPORT_MAX 20000
APP_MUST_USE enum app_err contracts_export(struct ctx *cx, struct db_res *out);

/* The new draft's row (inside the caller's transaction). */
struct contract_row {
    int64_t customer_id;
    int64_t template_id;
    const char *amount; /* decimal text */
    int payment_term_days;
    const char *prepay_pct;
    int delivery_days;
    int warranty_months;
    const char *penalty_pct;
    const char *body;
    const char *clause_versions;
    const char *decision;
    bool approval_required;
};
APP_MUST_USE enum app_err
contracts_insert(struct ctx *cx, const struct contract_row *row, int64_t *id);

/* State changes of a locked contract (inside the caller's transaction). */
APP_MUST_USE enum app_err contracts_set_task(struct ctx *cx, int64_t id,
                                             int64_t task_id);
APP_MUST_USE enum app_err contracts_set_approval(struct ctx *cx, int64_t id,
                                                 bool approved,
                                                 const char *note);
APP_MUST_USE enum app_err contracts_set_status(struct ctx *cx, int64_t id,
                                               const char *status);

#endif
