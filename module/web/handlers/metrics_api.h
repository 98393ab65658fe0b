/*
 * metrics_api.h -- the live metrics as JSON (README "Metrics API").
 *
 *   GET /api/v1/metrics/stage-health ?scope=tenant|team|rep&team=&rep=&as_of=
 *   GET /api/v1/metrics/funnel       ... &from=&to=
 *   GET /api/v1/metrics/consistency  ... &as_of=
 *   GET /api/v1/metrics/heatmap      ... &from=&to=
 *   GET /api/v1/metrics/losses       ... &from=&to=
 *   GET /api/v1/metrics/customers    ... &which=&stage=&reason=
 *
 * A scope the caller may not see is 404; a malformed date or scope 400.
 */
#ifndef PROOFLINE_METRICS_API_H
#define PROOFLINE_METRICS_API_H

#include "http/http.h"

APP_MUST_USE enum app_err api_metrics_stage_health(struct req *r);
APP_MUST_USE enum app_err api_metrics_funnel(struct req *r);
APP_MUST_USE enum app_err api_metrics_consistency(struct req *r);
APP_MUST_USE enum app_err api_metrics_heatmap(struct req *r);
APP_MUST_USE enum app_err api_metrics_losses(struct req *r);
APP_MUST_USE enum app_err api_metrics_customers(struct req *r);

#endif
