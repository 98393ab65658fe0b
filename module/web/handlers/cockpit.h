/*
 * cockpit.h -- the manager cockpit (驾驶舱): the live metrics as
 * server-side SVG charts with their numbers as tables, every number
 * linked to the customers behind it.
 *
 *   GET /cockpit            ?scope=&team=&rep=&as_of=&from=&to=&big=1
 *   GET /cockpit/customers  ... &which=&stage=&reason=
 *
 * An admin sees the company (with a team filter), a manager their team,
 * a rep their own numbers.  big=1 is the large-screen mode for the
 * morning meeting (bigger type, refreshed every five minutes).
 */
#ifndef PROOFLINE_COCKPIT_H
#define PROOFLINE_COCKPIT_H

#include "http/http.h"

APP_MUST_USE enum app_err page_cockpit(struct req *r);
APP_MUST_USE enum app_err page_cockpit_customers(struct req *r);

#endif
