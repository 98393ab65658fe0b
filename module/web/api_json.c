/*
 * api_json.c -- what every JSON API handler answers with (api_json.h).
 */
#include "web/api_json.h"

#include <string.h>

#include "web/view.h"

enum app_err
api_send(struct req *r, int status, cJSON *o)
{
    enum app_err rc;

    if (o == NULL)
        return APP_ENOMEM;
    rc = http_json(r, status, o);
    cJSON_Delete(o);
    return rc;
}

/* {"error": "validation", "message": ..., "fields": {name: message},
 * "codes": {name: catalog key}}: the keys are those the pages show. */
enum app_err
api_invalid(struct req *r, const cJSON *errors)
{
    cJSON *o = cJSON_CreateObject(), *fields, *codes;
    const cJSON *e;

    if (o == NULL)
        return APP_ENOMEM;
    cJSON_AddStringToObject(o, "error", "validation");
    cJSON_AddStringToObject(o, "message", http_t(r, "validate.failed"));
    fields = cJSON_AddObjectToObject(o, "fields");
    codes = cJSON_AddObjectToObject(o, "codes");
    cJSON_ArrayForEach(e, errors)
    {
        if (fields != NULL)
            cJSON_AddStringToObject(fields, e->string, view_error_text(r, e));
        if (codes != NULL)
            cJSON_AddStringToObject(codes, e->string, view_error_key(e));
    }
    return api_send(r, 422, o);
}

/* The JSON body's scalar members as form fields, so the pages'
 * declarative validation applies unchanged. */
enum app_err
api_fields(struct req *r, struct kvlist *out)
{
    const cJSON *m;

    memset(out, 0, sizeof(*out));
    if (!cJSON_IsObject(r->json)) {
        r->cx.err_detail = "api.object_expected";
        return APP_EINVAL;
    }
    cJSON_ArrayForEach(m, r->json)
    {
        const char *v = NULL;

        if (cJSON_IsString(m))
            v = m->valuestring;
        else if (cJSON_IsNumber(m))
            v = arena_printf(r->a, "%.15g", m->valuedouble);
        else if (cJSON_IsBool(m))
            v = cJSON_IsTrue(m) ? "1" : "0";
        else if (cJSON_IsNull(m))
            continue;
        if (v == NULL)
            continue; /* objects and arrays are read where expected */
        if (kv_add(r->a, out, str_c(arena_strdup(r->a, m->string)), str_c(v)) !=
            APP_OK)
            return APP_ENOMEM;
    }
    return APP_OK;
}
