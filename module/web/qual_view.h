/*
 * qual_view.h -- a customer's qualification documents as pages and the
 * API show them (sales/qual_docs.h).
 */
#ifndef PROOFLINE_QUAL_VIEW_H
#define PROOFLINE_QUAL_VIEW_H

#include <stdint.h>

#include <cJSON.h>

#include "http/http.h"
#include "rules/ruledesc.h"
#include "sales/qual_docs.h"

/* {qualified, complete, needs, today, items: [{type, name, state,
 * state_label, red, pending, ok, days_left, expiring, submit_url,
 * doc: {...}}]}: every type the kind needs, in the rules' order; red for
 * missing, rejected, expired or a failed registry check. */
cJSON *qual_view_status(struct req *r, const struct ruledesc *rd,
                        int64_t customer_id, const struct qual_status *st);

/* One document: id, type, number, holder, issued_on, expires_on (""
 * long-term), status and its label, review note, reviewer and time,
 * submitter and time (local), qr_text, verify, file_url, image. */
cJSON *qual_view_doc(struct req *r, const struct qual_doc *d);

#endif
