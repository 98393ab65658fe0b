/*
 * rules_edit.c -- checking and saving rule drafts (rules_edit.h).
 */
#include "web/rules_edit.h"

#include <string.h>

#include "base/num.h"
#include "db/audit.h"
#include "db/db.h"
#include "http/app.h"
#include "rules/rules.h"
#include "web/auth.h"
#include "web/view.h"

enum app_err
rules_edit_check(struct req *r, const struct rule_set *set, cJSON *m, bool *ok)
{
    cJSON *check = cJSON_AddObjectToObject(m, "check");
    cJSON *tests;
    char err[1024];
    int failed = 0;
    enum app_err rc;

    *ok = false;
    if (check == NULL)
        return APP_ENOMEM;
    tests = cJSON_AddArrayToObject(check, "tests");
    if (tests == NULL)
        return APP_ENOMEM;
    rc = rules_selftest(&r->app->conf, app_engine(r->app), set, tests, &failed,
                        err, sizeof(err));
    if (rc == APP_ERULE) {
        /* "stages:12: message": name the script and the line. */
        const char *colon = strchr(err, ':');
        int64_t line = 0;

        view_add_str(check, "error", err);
        if (colon != NULL) {
            const char *end = strchr(colon + 1, ':');

            view_add_str(check, "error_script",
                         arena_strndup(r->a, err, (size_t)(colon - err)));
            if (end != NULL &&
                parse_i64((struct str){ colon + 1, (size_t)(end - colon - 1) },
                          1, 1000000, &line))
                cJSON_AddNumberToObject(check, "error_line", (double)line);
        }
        return APP_OK;
    }
    if (rc != APP_OK)
        return rc;
    cJSON_AddNumberToObject(check, "failed", failed);
    cJSON_AddNumberToObject(check, "total", cJSON_GetArraySize(tests));
    *ok = failed == 0;
    cJSON_AddBoolToObject(check, "ok", *ok);
    return APP_OK;
}

enum app_err
rules_edit_save(struct req *r, struct rule_set *work, int idx,
                struct str source, cJSON *m, bool *ok)
{
    cJSON *d;
    enum app_err rc;

    work->scripts[idx] = source;
    rc = rules_edit_check(r, work, m, ok);
    if (rc != APP_OK)
        return rc;
    /* The draft is kept even when it does not pass, so no work is lost;
     * it cannot be published until it does. */
    rc = db_begin(r->app->db);
    if (rc == APP_OK)
        rc = rulesets_draft_put(r->app->db, r->auth->tenant_id, idx, source,
                                r->auth->user_id);
    d = cJSON_CreateObject();
    if (d != NULL) {
        cJSON_AddStringToObject(d, "script", rules_script_names[idx]);
        cJSON_AddBoolToObject(d, "passes", *ok);
    }
    if (rc == APP_OK)
        rc = audit_write(&r->cx, r->auth->tenant_id, r->auth->user_id, 0,
                         "rules.draft_save", d);
    cJSON_Delete(d);
    if (rc == APP_OK)
        rc = db_commit(r->app->db);
    else
        db_rollback(r->app->db);
    return rc;
}
