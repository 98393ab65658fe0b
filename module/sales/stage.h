/*
 * stage.h -- moving a customer between stages: the one path every caller
 * (page, API, board, bulk action, import) goes through.
 *
 * In one transaction: lock the customer (in the user's scope), collect its
 * current evidence, ask the tenant's rules (rules_check_transition), and
 * only when they allow it record the change in the append-only history
 * (from, to, who, when, the evidence that satisfied the gate, the rule
 * version, via), move the customer and lock the evidence used.  A refusal
 * changes nothing.
 */
#ifndef PROOFLINE_STAGE_H
#define PROOFLINE_STAGE_H

#include <stdint.h>

#include "sales/customers.h"
#include "base/err.h"
#include "rules/rules.h"
#include "db/ctx.h"

/* The event a stage change emits, with the stage entered
 * ("customer.stage.won"; db/ctx.h ctx_emit). */
#define STAGE_EVENT_FMT "customer.stage.%s"

struct stage_request {
    int64_t customer_id;
    const char *to;
    const char *lost_reason;  /* required when `to` is the lost stage */
    const char *note;         /* may be NULL */
    const char *via;          /* "page", "api", "board", "bulk", "import" */
    int64_t expected_version; /* 0: any; else a stale version is refused */
};

/* APP_OK: moved (*event_id set).  APP_ECONFLICT: refused by the rules
 * (v says why: code, missing evidence, message), a stale version
 * (v->code "stale") or a store's customer, which is never moved
 * (customers_is_store; v->code "store_no_stage", before the rules are
 * asked).  APP_EVALIDATION: a lost reason is missing or not in
 * the rules' list (v->code "lost_reason_required"/"bad_lost_reason").
 * Opens and ends its own transaction. */
APP_MUST_USE enum app_err stage_change(struct ctx *cx,
                                       const struct stage_request *sr,
                                       struct rule_verdict *v,
                                       int64_t *event_id);

/* The same inside the caller's transaction (imports). */
APP_MUST_USE enum app_err stage_change_locked(struct ctx *cx,
                                              const struct stage_request *sr,
                                              struct rule_verdict *v,
                                              int64_t *event_id);

/* Evidence ids as a stage event records them: "[12,13]" (in a). */
const char *stage_ids_json(struct arena *a, const int64_t *ids, size_t n);

/* The rules' view of a customer: its facts (can_enter's `customer`, with
 * "loss_focus" when a stage is under focus) and the evidence keys it
 * holds, as check_transition receives them.  The
 * customer must be in the caller's scope (else APP_ENOTFOUND).  The caller
 * deletes both. */
cJSON *stage_facts(const struct customer *c);
APP_MUST_USE enum app_err stage_inputs(struct ctx *cx, int64_t customer_id,
                                       struct customer *c, cJSON **facts,
                                       cJSON **have);

/* The stage history of a customer the caller has loaded in scope
 * (customers_get), oldest first, at most max: id, from, to, code, at,
 * by (id), by (name), evidence ids, rule version, lost reason, note, via. */
APP_MUST_USE enum app_err stage_history(struct ctx *cx, int64_t customer_id,
                                        size_t max, struct db_res *res);

#endif
