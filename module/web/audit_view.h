/*
 * audit_view.h -- an audit entry as a sentence for people.
 *
 * The catalog holds one sentence per event ("audit.e.<event>") with
 * {placeholders}; this fills them from the entry (its subject, the
 * customer and users its detail names, roles, evidence labels, numbers)
 * as segments [{text, href}] a template renders escaped, with links to
 * the objects.  An event without a sentence reads as its name (flagged
 * "unknown" so a test can find it).
 */
#ifndef PROOFLINE_AUDIT_VIEW_H
#define PROOFLINE_AUDIT_VIEW_H

#include <stddef.h>

#include <cJSON.h>

#include "db/db.h"
#include "http/http.h"
#include "rules/ruledesc.h"

/* Row i of an audit_list result as {sentence: [...], unknown: bool}. */
cJSON *audit_view_sentence(struct req *r, const struct ruledesc *rd,
                           const struct db_res *res, size_t i);

#endif
