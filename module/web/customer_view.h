/*
 * customer_view.h -- view models shared by the customer pages, the board
 * and the API: a customer as JSON, the stage path, the evidence checklist
 * of the next stage, the decision chain, the timeline.
 */
#ifndef PROOFLINE_CUSTOMER_VIEW_H
#define PROOFLINE_CUSTOMER_VIEW_H

#include <cJSON.h>

#include "sales/customers.h"
#include "sales/evidence.h"
#include "http/http.h"
#include "rules/ruledesc.h"
#include "rules/rules.h"
#include "base/validate.h"

/* The customer's fields for pages (labels in r's language, times local). */
cJSON *cview_customer(struct req *r, const struct ruledesc *rd,
                      const struct customer *c);

/* The same for the API (keys, UTC times, numbers). */
cJSON *cview_customer_api(const struct customer *c);

/* [{key, label, current, passed, lost}] for every stage. */
cJSON *cview_path(struct req *r, const struct ruledesc *rd,
                  const char *current);

/* Whether a person moving a customer from `from` to `to` on the board or
 * the customer page must confirm it first: 1 for a move back (to an
 * earlier stage), 2 for a move to a lost stage, 0 for a move forward or
 * the reopening of a lost customer.
 * The API, whose clients say exactly what they want, does not ask. */
int cview_move_asks(const struct ruledesc *rd, const char *from,
                    const char *to);

/* When moving c to `to` must be confirmed and the form did not say so
 * (confirm=1), answer with the question (view_confirm_page) and set
 * *asked: the caller returns without moving.  Never for a store's
 * customer, whose move is refused anyway. */
APP_MUST_USE enum app_err cview_move_confirm(struct req *r,
                                             const struct ruledesc *rd,
                                             const struct customer *c,
                                             const char *to, const char *back,
                                             bool *asked);

/* The stage after `current` (skipping lost stages), or NULL. */
const cJSON *cview_next_stage(const struct ruledesc *rd, const char *current);

/* <select> options of the stages a customer in `current` may be moved to:
 * every stage but the current one, the next one preselected, each marked
 * "back" or "lost" when the move must be confirmed. */
cJSON *cview_stage_targets(struct req *r, const struct ruledesc *rd,
                           const char *current);

/* The evidence a stage requires (with the loss focus items when focus
 * names it: ruledesc_requires), each done (who, when, link, used) or
 * missing, with the link to supply it; focus items are marked "focus".
 * The pseudo-item "qualified" is done when `qualified` (the customer's
 * qualification documents approved and valid) and links to them. */
cJSON *cview_checklist(struct req *r, const struct ruledesc *rd,
                       const cJSON *stage, const char *focus,
                       int64_t customer_id, const struct evidence_set *set,
                       bool qualified);

/* One evidence item for display (kind, data as label/value rows, file). */
cJSON *cview_evidence_item(struct req *r, const struct ruledesc *rd,
                           const struct evidence_item *e);

/* The customer's timeline: stage changes, evidence, contact events,
 * newest first (at most max). */
APP_MUST_USE enum app_err cview_timeline(struct req *r,
                                         const struct ruledesc *rd,
                                         int64_t customer_id, size_t max,
                                         cJSON **out);

/* Whole days since a UTC timestamp. */
long cview_days_since(const char *utc);

/* A refusal for the API's 409 body and the pages:
 * {"error": code, "code": code, "message": ..., "rule_message": ...,
 *  "rule_version": n, "missing": [{key, name, url}]}; the urls (to supply
 * each item) only when customer_id > 0. */
cJSON *cview_refusal(struct req *r, const struct rule_verdict *v,
                     int64_t customer_id);

/* The filters of f again as a query string ("" when none), for links
 * that keep them. */
const char *cview_filter_qs(struct req *r, const struct customer_filter *f);

/* "owners" (the active users in scope) and "teams" (those who lead one)
 * as <select> options into m, owner_sel and team_sel selected: the list's
 * and the board's filters, the owner field of the forms. */
APP_MUST_USE enum app_err cview_people(struct req *r, cJSON *m,
                                       int64_t owner_sel, int64_t team_sel);

#endif
