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

/* The stage after `current` (skipping lost stages), or NULL. */
const cJSON *cview_next_stage(const struct ruledesc *rd, const char *current);

/* <select> options of the stages a customer in `current` may be moved to:
 * every stage but the current one, the next one preselected. */
cJSON *cview_stage_targets(struct req *r, const struct ruledesc *rd,
                           const char *current);

/* The evidence a stage requires, each done (who, when, link, used) or
 * missing, with the link to supply it. */
cJSON *cview_checklist(struct req *r, const struct ruledesc *rd,
                       const cJSON *stage, int64_t customer_id,
                       const struct evidence_set *set);

/* One evidence item for display (kind, data as label/value rows, file). */
cJSON *cview_evidence_item(struct req *r, const struct ruledesc *rd,
                           const struct evidence_item *e);

/* The customer's timeline: stage changes, evidence, contact events,
 * newest first (at most max). */
APP_MUST_USE enum app_err cview_timeline(struct req *r,
                                         const struct ruledesc *rd,
                                         int64_t customer_id, size_t max,
                                         cJSON **out);

/* Local time of a UTC timestamp in the tenant's zone ("" for ""). */
const char *cview_local(struct req *r, const char *utc);

/* Whole days since a UTC timestamp. */
long cview_days_since(const char *utc);

/* The list filters from query arguments (stage, owner, team, health, kind,
 * stale, q, sort, dir, page); *qs gets them again as a query string.
 * Stage and kind must be the rules' keys.  APP_EVALIDATION with a message
 * per bad field in errors (may be NULL). */
APP_MUST_USE enum app_err cfilter_parse(struct req *r, const struct kvlist *q,
                                        struct customer_filter *f,
                                        int64_t *page, const char **qs,
                                        cJSON *errors);

/* Check a customer form's values (validated by customer_spec's first
 * seven fields: name, kind, city, address, phone, amount, note) against
 * the rules into in; problems go to errors. */
APP_MUST_USE enum app_err cinput_check(struct req *r, const struct ruledesc *rd,
                                       struct field_val *v,
                                       struct customer_input *in,
                                       cJSON *errors);

/* The decision chain of c for the customer page: contacts, penetration,
 * the picture (contact_pages.c). */
APP_MUST_USE enum app_err chain_model(struct req *r, const struct ruledesc *rd,
                                      const struct customer *c, cJSON *m);

#endif
