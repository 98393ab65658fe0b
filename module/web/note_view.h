/*
 * note_view.h -- a quick note's proposal (sales/notes.h) for the API and
 * the pages.
 */
#ifndef PROOFLINE_NOTE_VIEW_H
#define PROOFLINE_NOTE_VIEW_H

#include <cJSON.h>

#include "http/http.h"

/* Read the note text taken at `at` (may be empty) and build
 *   {"customer": {id, name} | null, "contact": {id, name} | null,
 *    "fields": {...}, "rule_version": n, "today": "YYYY-MM-DD"}
 * into *out (the caller deletes it).  Errors as notes_extract. */
APP_MUST_USE enum app_err note_view_api(struct req *r, struct str text,
                                        struct str at, cJSON **out);

/* For a page: the proposal p (from note_view_api) added to the page
 * model m as "note" (the text, to show it again), "prefill" (the form's
 * values: need, competitor, next_step, next_date, content, kind,
 * visit_type,
 * customer and contact ids, 0 for none) and
 * "recognised" (a list of {label, value} saying what was understood;
 * "recognised_none" when nothing was).  Returns the proposed customer id
 * (0: none) and sets *contact to the proposed contact id. */
int64_t note_view_page(struct req *r, cJSON *m, struct str text, const cJSON *p,
                       int64_t *contact);

#endif
