/*
 * contract_show.h -- a contract and its shipments as pages and the API
 * show them (sales/contracts.h, sales/shipments.h).
 */
#ifndef PROOFLINE_CONTRACT_SHOW_H
#define PROOFLINE_CONTRACT_SHOW_H

#include <stddef.h>
#include <time.h>

#include <cJSON.h>

#include "http/http.h"
#include "rules/ruledesc.h"
#include "sales/contracts.h"
#include "sales/shipments.h"
#include "work/contracting.h"

/* The rules' ship_doc_hours (contracts.lua contract_rules, default 48). */
int contract_show_doc_hours(const struct ruledesc *rd);

/* A contract: number, status and approval with labels, customer, terms,
 * amount (formatted for people; amount_plain for the API), the resolved
 * body, the clause versions used (an array), the rules' message, who and
 * when. */
cJSON *contract_show(struct req *r, const struct contract *c);

/* A shipment: planned time (local), goods, quantity, status and label,
 * deadline (local), frozen, form link, released. */
cJSON *contract_show_shipment(struct req *r, const struct shipment *s);

/* The reasons a contract cannot be signed, as [{key, text, name?,
 * state?, state_label?}]. */
cJSON *contract_show_blocks(struct req *r, const struct contract_blocks *b);

/* The rules' decision on chosen terms: {approval, prepay_pct, kind,
 * message}. */
cJSON *contract_show_decision(const struct contract_decision *d);

#endif
