/*
 * contract_view.h -- a contract's text as templates/partials/
 * contract_print shows it (the printable contract): for the template
 * preview and for the contracts' own pages.
 */
#ifndef PROOFLINE_CONTRACT_VIEW_H
#define PROOFLINE_CONTRACT_VIEW_H

#include <cJSON.h>

#include "http/http.h"
#include "sales/clauses.h"

/* The partial's model, a new object (NULL when out of memory): number,
 * seller (the company), customer, date (today, the company's), template
 * ({name, version}), amount ("¥120,000.00"), amount_words, terms
 * ([{label, number, unit}] in the order of contract_terms_names), body (the
 * resolved text) and clauses ([{key, version, title}], the versions
 * used).  customer and number may be NULL. */
cJSON *contract_view(struct req *r, const struct contract_template *t,
                     const struct contract_terms *terms, const char *customer,
                     const char *number, const struct contract_text *text);

#endif
