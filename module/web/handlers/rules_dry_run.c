/*
 * rules_dry_run.c -- the rule editor's dry run: call a rule function with
 * sample or a real customer's facts on the working draft and on the
 * published rules, side by side, without saving anything.
 */
#include <stdio.h>
#include <string.h>

#include "base/num.h"
#include "base/validate.h"
#include "http/app.h"
#include "http/parse.h"
#include "http/router.h"
#include "rules/ruledesc.h"
#include "rules/rules.h"
#include "rules/rulesets.h"
#include "sales/customers.h"
#include "sales/evidence.h"
#include "sales/stage.h"
#include "web/auth.h"
#include "web/handlers/rules_dry_run.h"
#include "web/view.h"

static const char *const dry_functions[] = {
    "check_transition", "classify_activity", "required_photos", "thresholds",
    "on_alert",         "on_contract",       "extract_notes",   NULL,
};

static const char DRY_SAMPLE[] =
    "[{\"amount\": 120000}, \"intent\", \"advancing\", "
    "[\"trial_kit_receipt\", \"installation_form\"]]";

/* Run fn(args) on a set; the model gets {ok, result (pretty JSON) | error}. */
static void
dry_one(struct req *r, const struct rule_set *set, const char *fn,
        const cJSON *args, cJSON *into)
{
    struct sbx *s = NULL;
    cJSON *res = NULL;
    char err[1024];
    char *text;

    if (rules_build(&r->app->conf, app_engine(r->app), set, &s, err,
                    sizeof(err)) != APP_OK ||
        rules_call_json(s, fn, args, &res, err, sizeof(err)) != APP_OK) {
        view_add_str(into, "error", err);
    } else {
        text = cJSON_Print(res);
        view_add_str(into, "result", text != NULL ? text : "");
        cJSON_free(text);
    }
    cJSON_Delete(res);
    sbx_free(s);
}

/* A refusal code a catalog key may be made of (a-z and _, short). */
static bool
code_ok(const char *s)
{
    size_t i;

    for (i = 0; s[i] != '\0'; i++)
        if (i >= 40 || !((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
            return false;
    return i > 0;
}

/* One decision of check_transition as the page shows it; sig collects
 * what it decided, to compare the two versions. */
APP_MUST_USE static enum app_err
dry_verdict(struct req *r, const struct ruledesc *rd, struct sbx *s,
            const char *build_err, const cJSON *args, cJSON *row,
            const char *prefix, struct buf *sig)
{
    cJSON *res = NULL;
    const cJSON *m;
    char err[1024];
    struct buf b;
    enum app_err rc = APP_OK;

    buf_init(&b, r->a, 4096);
    if (s == NULL) {
        view_add_str(row, arena_printf(r->a, "%s_error", prefix), build_err);
        return buf_puts(sig, "!");
    }
    if (rules_call_json(s, "check_transition", args, &res, err, sizeof(err)) !=
        APP_OK) {
        view_add_str(row, arena_printf(r->a, "%s_error", prefix), err);
        return buf_puts(sig, "!");
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "allowed"))) {
        cJSON_AddBoolToObject(row, arena_printf(r->a, "%s_ok", prefix), true);
        rc = buf_puts(sig, "ok");
    } else {
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(res, "missing"))
        {
            const char *key = cJSON_GetStringValue(
                cJSON_GetObjectItemCaseSensitive(m, "key"));

            if (key == NULL)
                continue;
            rc = buf_printf(&b, "%s%s", b.len > 0 ? ", " : "",
                            ruledesc_label(&r->cx, rd, "evidence", key));
            if (rc == APP_OK)
                rc = buf_printf(sig, "%s,", key);
            if (rc != APP_OK)
                break;
        }
        if (rc == APP_OK && b.len > 0) {
            view_add_str(row, arena_printf(r->a, "%s_missing", prefix), b.p);
        } else if (rc == APP_OK) {
            const char *code = cJSON_GetStringValue(
                cJSON_GetObjectItemCaseSensitive(res, "code"));
            const char *msg = cJSON_GetStringValue(
                cJSON_GetObjectItemCaseSensitive(res, "message"));

            if (code == NULL || !code_ok(code))
                code = "refused";
            rc = buf_puts(sig, code);
            view_add_str(
                row, arena_printf(r->a, "%s_refused", prefix),
                msg != NULL && msg[0] != '\0'
                    ? msg
                    : http_t(r, arena_printf(r->a, "stage.refused.%s", code)));
        }
    }
    cJSON_Delete(res);
    return rc;
}

/* The dry run for a customer: check_transition from where it stands to
 * every stage, published rules beside the working drafts. */
APP_MUST_USE static enum app_err
dry_customer(struct req *r, cJSON *m, int64_t id, const struct rule_set *pub,
             const struct rule_set *work)
{
    struct ruledesc rd;
    struct customer c;
    struct sbx *sp = NULL, *sw = NULL;
    cJSON *facts = NULL, *have = NULL, *rows, *o;
    const cJSON *st;
    char perr[1024] = "", werr[1024] = "";
    enum app_err rc = ruledesc_get(&r->cx, &rd);

    if (rc == APP_OK)
        rc = stage_inputs(&r->cx, id, &c, &facts, &have);
    if (rc != APP_OK)
        return rc;
    /* A version that does not build shows its error (perr, werr) in its
     * column; sp or sw is NULL then. */
    app_ignore(rules_build(&r->app->conf, app_engine(r->app), pub, &sp, perr,
                           sizeof(perr)),
               "shown in the page as perr");
    app_ignore(rules_build(&r->app->conf, app_engine(r->app), work, &sw, werr,
                           sizeof(werr)),
               "shown in the page as werr");
    o = cJSON_AddObjectToObject(m, "customer");
    cJSON_AddNumberToObject(o, "id", (double)c.id);
    view_add_str(o, "name", c.name);
    view_add_str(o, "stage", ruledesc_label(&r->cx, &rd, "stages", c.stage));
    rows = cJSON_AddArrayToObject(m, "decisions");
    cJSON_ArrayForEach(st, ruledesc_stages(&rd))
    {
        const char *key =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "key"));
        cJSON *args = cJSON_CreateArray(), *row = cJSON_CreateObject();
        struct buf a, b;

        if (key == NULL || args == NULL || row == NULL ||
            strcmp(key, c.stage) == 0) {
            cJSON_Delete(args);
            cJSON_Delete(row);
            continue;
        }
        cJSON_AddItemToArray(args, cJSON_Duplicate(facts, true));
        cJSON_AddItemToArray(args, cJSON_CreateString(c.stage));
        cJSON_AddItemToArray(args, cJSON_CreateString(key));
        cJSON_AddItemToArray(args, cJSON_Duplicate(have, true));
        cJSON_AddItemToArray(rows, row);
        view_add_str(row, "stage", ruledesc_name(&r->cx, st));
        buf_init(&a, r->a, 4096);
        buf_init(&b, r->a, 4096);
        rc = dry_verdict(r, &rd, sp, perr, args, row, "published", &a);
        if (rc == APP_OK)
            rc = dry_verdict(r, &rd, sw, werr, args, row, "draft", &b);
        cJSON_AddBoolToObject(row, "differs",
                              a.p == NULL || b.p == NULL ||
                                  strcmp(a.p, b.p) != 0);
        cJSON_Delete(args);
        if (rc != APP_OK)
            break;
    }
    sbx_free(sp);
    sbx_free(sw);
    cJSON_Delete(facts);
    cJSON_Delete(have);
    return rc;
}

enum app_err
rules_admin_dry_run(struct req *r)
{
    static const struct field_spec spec[] = {
        { "fn", V_ENUM, false, 0, 0, dry_functions },
        { "args", V_TEXT, false, 0, 65536, NULL },
        { "customer", V_INT, false, 1, INT64_MAX, NULL },
    };
    struct field_val v[3];
    struct rule_set pub, work;
    const struct kvlist *src = r->method == HM_POST ? &r->form : &r->query_args;
    cJSON *m, *args = NULL, *fns;
    const char *detail = NULL, *fn;
    struct str text;
    int64_t vid = 0;
    bool drafts = false;
    size_t i;
    enum app_err rc;

    if (validate_fields(&r->cx.err_detail, src, spec, 3, v, NULL) != APP_OK)
        return APP_EVALIDATION;
    fn = v[0].present ? dry_functions[v[0].i] : dry_functions[0];
    text = v[1].present ? v[1].s : STR_LIT(DRY_SAMPLE);
    m = view_new(r);
    if (m == NULL)
        return APP_ENOMEM;
    fns = cJSON_AddArrayToObject(m, "functions");
    for (i = 0; fns != NULL && dry_functions[i] != NULL; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(fns, o);
        view_add_str(o, "name", dry_functions[i]);
        cJSON_AddBoolToObject(o, "selected", strcmp(fn, dry_functions[i]) == 0);
    }
    view_add_str(m, "args", arena_str(r->a, text).p);
    if (v[2].present)
        cJSON_AddNumberToObject(m, "customer_id", (double)v[2].i);
    if (r->method != HM_POST)
        return view_page(r, 200, "pages/rules_dry_run", m);
    if (v[2].present) {
        rc = rulesets_published_id(r->app->db, r->a, r->auth->tenant_id, &vid);
        if (rc == APP_OK)
            rc = rulesets_get(r->app->db, r->a, r->auth->tenant_id, vid, 0,
                              &pub);
        if (rc == APP_OK)
            rc = rulesets_working(r->app->db, r->a, r->auth->tenant_id, &work,
                                  &drafts);
        if (rc == APP_OK)
            rc = dry_customer(r, m, v[2].i, &pub, &work);
        if (rc == APP_ENOTFOUND) {
            view_add_str(m, "error", http_t(r, "rules.dry_no_customer"));
            return view_page(r, 404, "pages/rules_dry_run", m);
        }
        if (rc != APP_OK)
            return rc;
        cJSON_AddNumberToObject(m, "version", pub.version);
        cJSON_AddBoolToObject(m, "has_drafts", drafts);
        return view_page(r, 200, "pages/rules_dry_run", m);
    }
    rc = parse_json(text, 65536, 16, &args, &detail);
    if (rc != APP_OK || !cJSON_IsArray(args)) {
        cJSON_Delete(args);
        view_add_str(m, "error", http_t(r, "rules.dry_bad_args"));
        return view_page(r, 422, "pages/rules_dry_run", m);
    }
    rc = rulesets_published_id(r->app->db, r->a, r->auth->tenant_id, &vid);
    if (rc == APP_OK)
        rc = rulesets_get(r->app->db, r->a, r->auth->tenant_id, vid, 0, &pub);
    if (rc == APP_OK)
        rc = rulesets_working(r->app->db, r->a, r->auth->tenant_id, &work,
                              &drafts);
    if (rc != APP_OK) {
        cJSON_Delete(args);
        return rc;
    }
    dry_one(r, &pub, fn, args, cJSON_AddObjectToObject(m, "published"));
    dry_one(r, &work, fn, args, cJSON_AddObjectToObject(m, "draft"));
    cJSON_Delete(args);
    cJSON_AddNumberToObject(m, "version", pub.version);
    cJSON_AddBoolToObject(m, "has_drafts", drafts);
    cJSON_AddBoolToObject(m, "ran", true);
    return view_page(r, 200, "pages/rules_dry_run", m);
}
