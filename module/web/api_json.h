/*
 * api_json.h -- the JSON API's common answers and its reading of a body
 * as form fields (so the pages' declarative validation applies).
 */
#ifndef PROOFLINE_API_JSON_H
#define PROOFLINE_API_JSON_H

#include <cJSON.h>

#include "base/kv.h"
#include "http/http.h"

/* Answer o with status (takes o; NULL: APP_ENOMEM). */
APP_MUST_USE enum app_err api_send(struct req *r, int status, cJSON *o);

/* 422 {"error": "validation", "message", "fields": {name: message},
 * "codes": {name: catalog key}}. */
APP_MUST_USE enum app_err api_invalid(struct req *r, const cJSON *errors);

/* The JSON body's scalar members as fields (APP_EINVAL when the body is
 * not an object). */
APP_MUST_USE enum app_err api_fields(struct req *r, struct kvlist *out);

#endif
