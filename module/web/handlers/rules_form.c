/*
 * rules_form.c -- the rules form: the declarative parts of the rules
 * (thresholds, the evidence each stage requires, the photos each visit
 * type requires) as fields, with the code they are written in beside
 * them.  Saving edits the scripts' text in place (rules/ruleform.h) and
 * goes through the code view's draft path (web/rules_edit.h): checked,
 * self-tested, audited, published like any edit.  Reminder times come with
 * the scheduler (issue 12).
 */
#include "web/handlers/rules_form.h"

#include <stdio.h>
#include <string.h>

#include "base/num.h"
#include "http/app.h"
#include "rules/ruledesc.h"
#include "rules/ruleform.h"
#include "rules/rulesets.h"
#include "web/auth.h"
#include "web/rules_edit.h"
#include "web/view.h"

/* The numbers of thresholds.lua the form offers: ratios (0..1, entered
 * as 0.85 or 85%) and day counts. */
static const struct {
    const char *table, *key;
    bool days;
} NUMBERS[] = {
    { "stage_health", "healthy", false },
    { "stage_health", "warning", false },
    { "stage_health", "window_days", true },
    { "funnel", "loss", false },
    { "funnel", "rise", false },
    { "consistency", "deviation", false },
    { "consistency", "sample", false },
    { "sell_through", "distribution", false },
    { "sell_through", "sku_ratio", false },
    { "sell_through", "repurchase", false },
    { "customer_health", "fresh_days", true },
    { "customer_health", "stale_days", true },
    { "decision_chain", "recent_days", true },
};
#define NNUMBERS (sizeof(NUMBERS) / sizeof(NUMBERS[0]))

static int
script_index(const char *name)
{
    return rules_script_index(str_c(name));
}

/* A ratio ("0.85", "85%", "0.8") or a day count as plain text, or NULL
 * (the field's problem in *err). */
static const char *
read_number(struct req *r, struct str in, bool days, const char **err)
{
    char plain[64];
    double v;
    bool pct = in.len > 0 && (in.p[in.len - 1] == '%');

    if (pct)
        in.len--;
    *err = days ? "rules_form.bad_days" : "rules_form.bad_ratio";
    if (!parse_human_number(str_trim(in), plain, sizeof(plain)) ||
        !parse_decimal(str_c(plain), 6, 4, &v))
        return NULL;
    if (days) {
        int64_t n;

        if (pct || !parse_i64(str_c(plain), 1, 3650, &n))
            return NULL;
        return arena_printf(r->a, "%lld", (long long)n);
    }
    if (pct)
        v /= 100;
    if (v < 0 || v > 1)
        return NULL;
    return arena_printf(r->a, "%.4g", v);
}

/* Whether two plain numbers are the same value ("0.7", "0.70"). */
static bool
same_number(const char *a, const char *b)
{
    double x, y;

    return parse_decimal(str_c(a), 6, 4, &x) &&
           parse_decimal(str_c(b), 6, 4, &y) && x - y < 1e-9 && y - x < 1e-9;
}

/* The thresholds as fields {name, label, value, days, editable}. */
static cJSON *
number_fields(struct req *r, struct str script, const struct kvlist *form,
              cJSON *errors)
{
    cJSON *a = cJSON_CreateArray();
    size_t i;

    for (i = 0; a != NULL && i < NNUMBERS; i++) {
        const char *name =
            arena_printf(r->a, "th_%s_%s", NUMBERS[i].table, NUMBERS[i].key);
        const struct str *sent = form != NULL ? kv_get(form, name) : NULL;
        char value[32] = "";
        bool editable = ruleform_number(script, NUMBERS[i].table,
                                        NUMBERS[i].key, value, sizeof(value));
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(a, o);
        view_add_str(o, "name", name);
        view_add_str(o, "label",
                     http_t(r, arena_printf(r->a, "rules_form.th.%s",
                                            name + 3 /* after "th_" */)));
        view_add_str(o, "value",
                     sent != NULL ? arena_str(r->a, *sent).p : value);
        cJSON_AddBoolToObject(o, "days", NUMBERS[i].days);
        cJSON_AddBoolToObject(o, "editable", editable);
        if (errors != NULL && cJSON_HasObjectItem(errors, name))
            cJSON_AddItemToObject(
                o, "problem",
                cJSON_CreateString(http_t(
                    r,
                    cJSON_GetStringValue(cJSON_GetObjectItem(errors, name)))));
    }
    return a;
}

/* Checkbox groups: one per stage (its required evidence) or visit type
 * (its photos), from the working script's lists. */
static cJSON *
list_fields(struct req *r, const struct ruledesc *rd, struct str script,
            bool stages)
{
    const cJSON *groups = stages ? ruledesc_stages(rd)
                                 : cJSON_GetObjectItem(rd->d, "visit_types");
    const cJSON *opts =
        cJSON_GetObjectItem(rd->d, stages ? "evidence" : "photos");
    cJSON *a = cJSON_CreateArray();
    const cJSON *g, *o;

    cJSON_ArrayForEach(g, groups)
    {
        const char *key =
            stages ? cJSON_GetStringValue(cJSON_GetObjectItem(g, "key"))
                   : g->string;
        const char *items[RULEFORM_LIST_MAX];
        size_t n = 0, k;
        bool editable;
        cJSON *f, *choices;

        if (key == NULL || a == NULL ||
            (stages && cJSON_IsTrue(cJSON_GetObjectItem(g, "lost"))))
            continue;
        editable = ruleform_list(r->a, script, key, stages,
                                 stages ? "requires" : "photos", items, &n);
        f = cJSON_CreateObject();
        cJSON_AddItemToArray(a, f);
        view_add_str(f, "key", key);
        view_add_str(f, "label", ruledesc_name(&r->cx, g));
        view_add_str(
            f, "name",
            arena_printf(r->a, "%s_%s", stages ? "req" : "photos", key));
        cJSON_AddBoolToObject(f, "editable", editable);
        choices = cJSON_AddArrayToObject(f, "choices");
        cJSON_ArrayForEach(o, opts)
        {
            cJSON *c = cJSON_CreateObject();
            bool on = false;

            for (k = 0; k < n; k++)
                on = on || strcmp(items[k], o->string) == 0;
            cJSON_AddItemToArray(choices, c);
            view_add_str(c, "value", o->string);
            view_add_str(c, "label", ruledesc_name(&r->cx, o));
            cJSON_AddBoolToObject(c, "checked", on);
        }
    }
    return a;
}

APP_MUST_USE static enum app_err
page(struct req *r, int status, const struct rule_set *work, cJSON *m,
     const struct kvlist *form, cJSON *errors)
{
    static const char *const code[] = { "thresholds", "stages", "visits" };
    static const char *const done[] = { "saved", NULL };
    struct ruledesc rd;
    cJSON *scripts;
    size_t i;
    enum app_err rc = ruledesc_get(&r->cx, &rd);

    if (rc != APP_OK)
        return rc;
    cJSON_AddItemToObject(
        m, "numbers",
        number_fields(r, work->scripts[script_index("thresholds")], form,
                      errors));
    cJSON_AddItemToObject(
        m, "stages",
        list_fields(r, &rd, work->scripts[script_index("stages")], true));
    cJSON_AddItemToObject(
        m, "visit_types",
        list_fields(r, &rd, work->scripts[script_index("visits")], false));
    scripts = cJSON_AddArrayToObject(m, "code");
    for (i = 0; scripts != NULL && i < sizeof(code) / sizeof(code[0]); i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(scripts, o);
        view_add_str(o, "name", code[i]);
        view_add_str(o, "title",
                     http_t(r, arena_printf(r->a, "rules.script_%s", code[i])));
        view_add_str(o, "source",
                     arena_str(r->a, work->scripts[script_index(code[i])]).p);
    }
    view_done(r, m, "rules_form.done_%s", done);
    return view_page(r, status, "pages/rules_form", m);
}

enum app_err
rules_form_show(struct req *r)
{
    struct rule_set work;
    bool drafts = false;
    cJSON *m = view_new(r);
    enum app_err rc;

    if (m == NULL)
        return APP_ENOMEM;
    rc = rulesets_working(r->app->db, r->a, r->auth->tenant_id, &work, &drafts);
    if (rc != APP_OK)
        return rc;
    return page(r, 200, &work, m, NULL, NULL);
}

/* The thresholds the form sent, written into the script (*script).  A
 * bad value: its problem in errors under the field's name. */
static void
apply_numbers(struct req *r, struct str *script, cJSON *errors)
{
    size_t i;

    for (i = 0; i < NNUMBERS; i++) {
        const char *name =
            arena_printf(r->a, "th_%s_%s", NUMBERS[i].table, NUMBERS[i].key);
        const struct str *sent = kv_get(&r->form, name);
        const char *value, *err, *out;
        char now[32];

        if (sent == NULL || !ruleform_number(*script, NUMBERS[i].table,
                                             NUMBERS[i].key, now, sizeof(now)))
            continue; /* not offered: custom code */
        value = read_number(r, *sent, NUMBERS[i].days, &err);
        if (value == NULL) {
            cJSON_AddStringToObject(errors, name, err);
            continue;
        }
        if (same_number(value, now))
            continue; /* "0.70" stays as written */
        out = ruleform_set_number(r->a, *script, NUMBERS[i].table,
                                  NUMBERS[i].key, value);
        if (out != NULL)
            *script = str_c(out);
    }
}

/* The lists the form sent (req_<stage>, photos_<type>; known keys only),
 * written into the script.  "<prefix>_present" marks a group the form
 * showed, so an empty group means "none". */
static void
apply_lists(struct req *r, const struct ruledesc *rd, struct str *script,
            bool stages, cJSON *errors)
{
    const cJSON *opts =
        cJSON_GetObjectItem(rd->d, stages ? "evidence" : "photos");
    const char *prefix = stages ? "req_" : "photos_";
    size_t i;

    for (i = 0; i < r->form.n; i++) {
        const struct kv *shown = &r->form.v[i];
        const char *group, *items[RULEFORM_LIST_MAX], *now[RULEFORM_LIST_MAX];
        const char *field = stages ? "requires" : "photos", *out;
        size_t n = 0, had = 0, j, k;
        bool same;

        if (!str_eq_c(shown->key, "group") ||
            strncmp(shown->val.p, prefix, strlen(prefix)) != 0)
            continue;
        group = shown->val.p + strlen(prefix);
        if (!ruleform_list(r->a, *script, group, stages, field, now, &had))
            continue;
        for (j = 0; j < r->form.n && n < RULEFORM_LIST_MAX; j++) {
            const struct kv *x = &r->form.v[j];

            if (!str_eq(x->key, shown->val))
                continue;
            if (cJSON_GetObjectItemCaseSensitive(opts, x->val.p) == NULL) {
                cJSON_AddStringToObject(errors, shown->val.p,
                                        "rules_form.bad_item");
                return;
            }
            items[n++] = x->val.p;
        }
        same = n == had;
        for (k = 0; same && k < n; k++)
            same = strcmp(items[k], now[k]) == 0;
        if (same)
            continue;
        out = ruleform_set_list(r->a, *script, group, stages, field, items, n);
        if (out != NULL)
            *script = str_c(out);
    }
}

enum app_err
rules_form_save(struct req *r)
{
    static const char *const names[] = { "thresholds", "stages", "visits" };
    struct rule_set work, before;
    struct ruledesc rd;
    bool drafts = false, ok = true;
    cJSON *m = view_new(r), *errors = view_errors(r);
    size_t i;
    enum app_err rc;

    if (m == NULL || errors == NULL)
        return APP_ENOMEM;
    rc = rulesets_working(r->app->db, r->a, r->auth->tenant_id, &work, &drafts);
    if (rc == APP_OK)
        rc = ruledesc_get(&r->cx, &rd);
    if (rc != APP_OK)
        return rc;
    before = work;
    apply_numbers(r, &work.scripts[script_index("thresholds")], errors);
    apply_lists(r, &rd, &work.scripts[script_index("stages")], true, errors);
    apply_lists(r, &rd, &work.scripts[script_index("visits")], false, errors);
    if (cJSON_GetArraySize(errors) > 0) {
        view_add_str(m, "error", http_t(r, "validate.failed"));
        return page(r, 422, &before, m, &r->form, errors);
    }
    /* Each changed script through the code view's path. */
    for (i = 0; rc == APP_OK && i < sizeof(names) / sizeof(names[0]); i++) {
        int idx = script_index(names[i]);
        bool passes = false;

        if (str_eq(work.scripts[idx], before.scripts[idx]))
            continue;
        rc = rules_edit_save(r, &before, idx, work.scripts[idx], m, &passes);
        ok = ok && passes;
    }
    if (rc != APP_OK)
        return rc;
    if (!ok)
        return page(r, 422, &before, m, NULL, NULL);
    return http_redirect(r, "/admin/rules/form?done=saved");
}
