/*
 * chain_view.h -- the decision chain of a customer as the customer page
 * shows it.
 */
#ifndef PROOFLINE_CHAIN_VIEW_H
#define PROOFLINE_CHAIN_VIEW_H

#include <cJSON.h>

#include "base/err.h"
#include "http/http.h"
#include "rules/ruledesc.h"
#include "sales/customers.h"

/* Adds "chain" to the model m: contacts, penetration, the SVG picture. */
APP_MUST_USE enum app_err chain_model(struct req *r, const struct ruledesc *rd,
                                      const struct customer *c, cJSON *m);

#endif
