/*
 * api_rules.c -- the rules as clients see them: what the stages are and
 * what each requires (for forms and offline apps), and a transition check
 * without side effects.
 */
#include <string.h>

#include "http/app.h"
#include "web/auth.h"
#include "web/handlers/api_rules.h"
#include "http/router.h"
#include "rules/rules.h"
#include "base/validate.h"
#include "web/view.h"

enum app_err
api_rules(struct req *r)
{
    const cJSON *d;
    cJSON *o;
    int version = 0;
    enum app_err rc = rules_describe(&r->cx, &d, &version);

    if (rc != APP_OK)
        return rc;
    o = cJSON_Duplicate(d, true);
    if (o == NULL)
        return APP_ENOMEM;
    cJSON_AddNumberToObject(o, "version", version);
    rc = http_json(r, 200, o);
    cJSON_Delete(o);
    return rc;
}

/* GET /api/v1/rules/transition?from=intent&to=advancing&have=a,b */
enum app_err
api_rules_transition(struct req *r)
{
    static const struct field_spec spec[] = {
        { "from", V_SLUG, true, 1, 64, NULL },
        { "to", V_SLUG, true, 1, 64, NULL },
        { "have", V_LINE, false, 0, 4096, NULL },
    };
    struct field_val v[3];
    struct rule_verdict verdict;
    cJSON *have = cJSON_CreateObject(), *o = NULL, *missing;
    struct str rest, item;
    size_t i;
    enum app_err rc;

    if (have == NULL)
        return APP_ENOMEM;
    rc = validate_fields(&r->cx.err_detail, &r->query_args, spec, 3, v, NULL);
    if (rc != APP_OK)
        goto out;
    rest = v[2].present ? v[2].s : STR_LIT("");
    while (rest.len > 0) {
        str_split(rest, ',', &item, &rest);
        item = str_trim(item);
        if (item.len > 0 && item.len < 64)
            cJSON_AddBoolToObject(have, arena_str(r->a, item).p, true);
    }
    rc = rules_check_transition(&r->cx, NULL, arena_str(r->a, v[0].s).p,
                                arena_str(r->a, v[1].s).p, have, &verdict);
    if (rc != APP_OK)
        goto out;
    o = cJSON_CreateObject();
    missing = o != NULL ? cJSON_AddArrayToObject(o, "missing") : NULL;
    if (missing == NULL) {
        rc = APP_ENOMEM;
        goto out;
    }
    cJSON_AddBoolToObject(o, "allowed", verdict.ok);
    cJSON_AddStringToObject(o, "code",
                            verdict.code != NULL ? verdict.code : "");
    if (verdict.message != NULL)
        cJSON_AddStringToObject(o, "message", verdict.message);
    cJSON_AddNumberToObject(o, "version", verdict.version);
    for (i = 0; i < verdict.nmissing; i++) {
        cJSON *m = cJSON_CreateObject();

        cJSON_AddItemToArray(missing, m);
        cJSON_AddStringToObject(m, "key", verdict.missing[i].key);
        cJSON_AddStringToObject(m, "name", verdict.missing[i].name);
    }
    rc = http_json(r, 200, o);
out:
    cJSON_Delete(o);
    cJSON_Delete(have);
    return rc;
}
