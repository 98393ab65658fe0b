/*
 * radar_view.h -- a customer's health radar (客户健康雷达) for the
 * customer page: five scores from the rules (thresholds.lua
 * health_radar), drawn as an SVG pentagon with the numbers as a table.
 */
#ifndef PROOFLINE_RADAR_VIEW_H
#define PROOFLINE_RADAR_VIEW_H

#include <cJSON.h>

#include "http/http.h"
#include "sales/customers.h"

/* Adds "radar" to the customer page's model m (after "chain", "next" and
 * "timeline", whose numbers it uses; no query of its own):
 * {svg, rows: [{dim, label, score, pct}]}. */
APP_MUST_USE enum app_err radar_model(struct req *r, const struct customer *c,
                                      cJSON *m);

#endif
