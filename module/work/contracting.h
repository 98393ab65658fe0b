/*
 * contracting.h -- making a contract and getting it signed: the one path
 * pages, the API and the demo use (sales/contracts.h holds the rows).
 *
 * A rep picks a template of the clause library (sales/clauses.h) and
 * terms among its options.  The rules' on_contract (contracts.lua) decides
 * on the terms with the customer's credit facts the core passes in
 * (sales/payments.h: late payments in contract_rules.late_window_days,
 * days late, open and overdue balance): default, a payment term of 60 days
 * or more with more than 2 late payments -> 30 % prepayment required and
 * finance's approval.  A prepayment below what the rules require is
 * refused on the form ("contracts.prepay_below"), before anything is
 * saved; contracting_check answers the same without saving, for the
 * form's round trip.
 *
 * The draft keeps the resolved text and the clause versions it used.
 * When approval is required, finance gets an approval task (approve or
 * reject with a note; the owner is told).  Signing needs: a draft, the
 * approval when one was required, and -- contract_rules.require_qualified,
 * default true -- the customer's qualification documents approved and
 * valid (sales/qual_docs.h); otherwise APP_ECONFLICT with what is missing.
 * A signed contract emits "contract.signed" (schedules.lua reminders: the
 * delivery plan within 24 hours).  Every change is audited.
 */
#ifndef PROOFLINE_CONTRACTING_H
#define PROOFLINE_CONTRACTING_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/str.h"
#include "db/ctx.h"

#define CONTRACT_NOTE_MAX 1000
#define CONTRACT_BLOCKS_MAX 24

/* What the rep chose, as sent. */
struct contract_request {
    int64_t customer_id;
    int64_t template_id;
    struct str amount, payment_term_days, prepay_pct, delivery_days,
        warranty_months, penalty_pct;
};

/* The rules' decision on the terms. */
struct contract_decision {
    bool approval;        /* finance must approve */
    double prepay;        /* required prepayment, a fraction 0..1 */
    const char *kind;     /* the rules' approval kind ("prepay"), or "" */
    const char *message;  /* the rules' words, or "" */
    const char *doc_json; /* decision and facts, as stored (in cx->a) */
};

/* Check the request and ask the rules, saving nothing: *d (and errors
 * per field: bad values, not among the template's options, a prepayment
 * below the required one).  APP_EVALIDATION when errors has any;
 * APP_ENOTFOUND for a customer or template the user may not see. */
APP_MUST_USE enum app_err contracting_check(struct ctx *cx,
                                            const struct contract_request *rq,
                                            cJSON *errors,
                                            struct contract_decision *d);

/* The same, and the draft made (with finance's task when required). */
APP_MUST_USE enum app_err
contracting_draft(struct ctx *cx, const struct contract_request *rq,
                  cJSON *errors, struct contract_decision *d, int64_t *id);

/* Finance (or an admin) approves or rejects a draft waiting for it; a
 * note is required to reject.  APP_EFORBIDDEN for others, APP_ECONFLICT
 * ("contracts.not_waiting") when it is not waiting. */
APP_MUST_USE enum app_err contracting_decide(struct ctx *cx, int64_t id,
                                             bool approve, const char *note);

/* Why a contract cannot be signed now: keys ("contracts.not_draft",
 * "contracts.approval_pending", "contracts.approval_rejected",
 * "qualification:<type>") with names, in cx->a. */
struct contract_blocks {
    size_t n;
    struct {
        const char *key;
        const char *name;  /* a document's name, or NULL */
        const char *state; /* a document's state, or NULL */
    } item[CONTRACT_BLOCKS_MAX];
};

/* Sign.  APP_ECONFLICT with *blocks when it cannot be signed. */
APP_MUST_USE enum app_err contracting_sign(struct ctx *cx, int64_t id,
                                           struct contract_blocks *blocks);

/* Cancel a draft (its owner's scope or an admin). */
APP_MUST_USE enum app_err contracting_cancel(struct ctx *cx, int64_t id);

#endif
