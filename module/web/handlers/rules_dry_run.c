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
#include "sales/customer_input.h"
#include "sales/customers.h"
#include "sales/evidence.h"
#include "sales/stage.h"
#include "identity/users.h"
#include "web/auth.h"
#include "work/reminders.h"
#include "web/handlers/rules_dry_run.h"
#include "web/view.h"

static const char *const dry_functions[] = {
    "check_transition", "classify_activity", "required_photos", "thresholds",
    "on_alert",         "on_contract",       "extract_notes",   NULL,
};

static const char DRY_SAMPLE[] =
    "[{\"amount\": 120000}, \"intent\", \"advancing\", "
    "[\"trial_kit_receipt\", \"installation_form\"]]";

/* Run fn(args) on a set; the model gets {ok, result (pretty JSON) | error}
 * and *out the result (the caller deletes it). */
static void
dry_one(struct req *r, const struct rule_set *set, const char *fn,
        const cJSON *args, cJSON *into, cJSON **out)
{
    struct sbx *s = NULL;
    cJSON *res = NULL;
    char err[1024];
    char *text;

    *out = NULL;
    if (rules_build(&r->app->conf, app_engine(r->app), set, &s, err,
                    sizeof(err)) != APP_OK ||
        rules_call_json(s, fn, args, &res, err, sizeof(err)) != APP_OK) {
        view_add_str(into, "error", err);
    } else {
        text = cJSON_Print(res);
        view_add_str(into, "result", text != NULL ? text : "");
        cJSON_free(text);
        *out = res;
        res = NULL;
    }
    cJSON_Delete(res);
    sbx_free(s);
}

/* Equal values, whatever the order of their fields (two Lua states may
 * list a table's keys in different orders). */
static bool
same(const cJSON *a, const cJSON *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return cJSON_Compare(a, b, true);
}

/* A value as one line for the comparison table ("—" when absent). */
static const char *
compact(struct req *r, const cJSON *v)
{
    char *text;
    const char *out;

    if (v == NULL)
        return "—";
    if (cJSON_IsString(v))
        return arena_strdup(r->a, v->valuestring);
    text = cJSON_PrintUnformatted(v);
    out = text != NULL ? arena_strdup(r->a, text) : "";
    cJSON_free(text);
    return out;
}

/* The two results side by side, one row per field (or item, or the whole
 * value), the rows that differ marked: [{field, published, draft,
 * differs}]. */
static cJSON *
compare(struct req *r, const cJSON *a, const cJSON *b)
{
    cJSON *rows = cJSON_CreateArray();
    const cJSON *x, *both[2] = { a, b };
    int side;

    if (rows == NULL)
        return NULL;
    if (!(cJSON_IsObject(a) || cJSON_IsObject(b))) {
        cJSON *row = cJSON_CreateObject();
        const char *pa = compact(r, a), *pb = compact(r, b);

        cJSON_AddItemToArray(rows, row);
        view_add_str(row, "field", http_t(r, "rules.dry_value"));
        view_add_str(row, "published", pa);
        view_add_str(row, "draft", pb);
        cJSON_AddBoolToObject(row, "differs", !same(a, b));
        return rows;
    }
    for (side = 0; side < 2; side++) {
        cJSON_ArrayForEach(x, both[side])
        {
            const cJSON *va, *vb;
            const char *pa, *pb;
            cJSON *row;

            if (x->string == NULL ||
                (side == 1 && cJSON_GetObjectItemCaseSensitive(a, x->string)))
                continue; /* each field once */
            va = cJSON_GetObjectItemCaseSensitive(a, x->string);
            vb = cJSON_GetObjectItemCaseSensitive(b, x->string);
            pa = compact(r, va);
            pb = compact(r, vb);
            row = cJSON_CreateObject();
            if (row == NULL || !cJSON_AddItemToArray(rows, row))
                return rows;
            view_add_str(row, "field", x->string);
            view_add_str(row, "published", pa);
            view_add_str(row, "draft", pb);
            cJSON_AddBoolToObject(row, "differs", !same(va, vb));
        }
    }
    return rows;
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
            const cJSON *def = ruledesc_evidence(rd, key);

            rc = buf_printf(&b, "%s%s", b.len > 0 ? "、" : "",
                            def != NULL ? ruledesc_name(&r->cx, def) : key);
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

/* The functions a dry run may call, fn selected. */
static void
function_options(struct req *r, cJSON *m, const char *fn)
{
    cJSON *fns = cJSON_AddArrayToObject(m, "functions");
    size_t i;

    for (i = 0; fns != NULL && dry_functions[i] != NULL; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(fns, o);
        view_add_str(o, "name", dry_functions[i]);
        view_add_str(
            o, "label",
            http_t(r, arena_printf(r->a, "rules.fn.%s", dry_functions[i])));
        cJSON_AddBoolToObject(o, "selected", strcmp(fn, dry_functions[i]) == 0);
    }
}

/* The customer a name finds (in the admin's company): one match, or one
 * whose name is exactly it; several: the page offers them as "choices";
 * none: an error.  *id is 0 unless one was found. */
APP_MUST_USE static enum app_err
find_customer(struct req *r, cJSON *m, struct str name, int64_t *id)
{
    struct customer_filter f;
    struct kvlist q = { 0 };
    struct ruledesc rd;
    struct db_res res;
    int64_t total = 0;
    cJSON *choices;
    size_t i, exact = 0;
    enum app_err rc = kv_add(r->a, &q, STR_LIT("q"), name);

    *id = 0;
    if (rc == APP_OK)
        rc = customer_filter_check(&r->cx, &q, &f, NULL, NULL);
    if (rc == APP_OK)
        rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = customers_list(&r->cx, &rd, &f, 10, 0, &res, &total, NULL);
    if (rc != APP_OK)
        return rc;
    for (i = 0; i < res.nrows; i++) {
        if (str_eq(str_c(db_text(&res, i, CL_NAME)), name)) {
            exact++;
            *id = db_int(&res, i, CL_ID, 0);
        }
    }
    if (res.nrows == 1)
        *id = db_int(&res, 0, CL_ID, 0);
    else if (exact != 1)
        *id = 0;
    if (*id > 0)
        return APP_OK;
    if (res.nrows == 0) {
        view_add_str(m, "error", http_t(r, "rules.dry_no_customer_named"));
        return APP_OK;
    }
    choices = cJSON_AddArrayToObject(m, "choices");
    for (i = 0; choices != NULL && i < res.nrows; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(choices, o);
        cJSON_AddNumberToObject(o, "id", (double)db_int(&res, i, CL_ID, 0));
        view_add_str(o, "name", db_text(&res, i, CL_NAME));
        view_add_str(o, "owner", db_text(&res, i, CL_OWNER_NAME));
        view_add_str(o, "city", db_text(&res, i, CL_CITY));
    }
    return choices != NULL ? APP_OK : APP_ENOMEM;
}

/* What one reminder's actions would make, for people: kind, title, for
 * whom, due. */
static cJSON *
reminder_rows(struct req *r, const cJSON *actions)
{
    cJSON *rows = cJSON_CreateArray();
    const cJSON *a;

    cJSON_ArrayForEach(a, actions)
    {
        cJSON *o = cJSON_CreateObject();
        const cJSON *who = cJSON_GetObjectItem(a, "assignee");
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(a, "type"));
        const char *role = cJSON_GetStringValue(cJSON_GetObjectItem(a, "role"));
        const char *due = cJSON_GetStringValue(cJSON_GetObjectItem(a, "due"));
        const cJSON *hours = cJSON_GetObjectItem(a, "due_hours");
        struct user u;

        if (o == NULL || !cJSON_AddItemToArray(rows, o)) {
            cJSON_Delete(o);
            break;
        }
        if (who == NULL)
            who = cJSON_GetObjectItem(a, "user");
        view_add_str(o, "type",
                     http_t(r, type != NULL && strcmp(type, "notify") == 0
                                   ? "rules.dry_notification"
                                   : "rules.dry_task"));
        view_add_str(o, "title",
                     cJSON_GetStringValue(cJSON_GetObjectItem(a, "title")) !=
                             NULL
                         ? cJSON_GetStringValue(cJSON_GetObjectItem(a, "title"))
                         : "");
        if (cJSON_IsNumber(who) &&
            users_get(r->app->db, r->a, r->cx.tenant_id,
                      (int64_t)who->valuedouble, &u) == APP_OK)
            view_add_str(o, "who", u.display_name);
        else if (role != NULL || cJSON_IsString(who))
            view_add_str(
                o, "who",
                http_t(r,
                       arena_printf(r->a, "role.%s",
                                    role != NULL ? role : who->valuestring)));
        else
            view_add_str(o, "who", http_t(r, "rules.dry_nobody"));
        if (due != NULL)
            view_add_str(o, "due", due);
        else if (cJSON_IsNumber(hours))
            view_add_str(o, "due",
                         arena_printf(r->a, "+%gh", hours->valuedouble));
    }
    return rows;
}

/* One side (published or draft) of a reminder's dry run. */
static void
reminder_side(struct req *r, const struct rule_set *set, const char *key,
              const char *at, cJSON *into)
{
    struct sbx *s = NULL;
    cJSON *actions = NULL;
    char err[1024] = "";

    if (rules_build(&r->app->conf, app_engine(r->app), set, &s, err,
                    sizeof(err)) != APP_OK ||
        reminders_preview(&r->cx, s, key, at, &actions, err, sizeof(err)) !=
            APP_OK) {
        view_add_str(into, "error", err);
    } else {
        cJSON_AddNumberToObject(into, "count", cJSON_GetArraySize(actions));
        cJSON_AddItemToObject(into, "rows", reminder_rows(r, actions));
    }
    cJSON_Delete(actions);
    sbx_free(s);
}

/* The reminders of the draft ({key, name}) for the form, key selected. */
static void
reminder_options(struct req *r, cJSON *m, const struct rule_set *work,
                 const char *key)
{
    struct sbx *s = NULL;
    cJSON *list = NULL, *it, *out = cJSON_AddArrayToObject(m, "reminders");
    char err[512];

    if (out == NULL ||
        rules_build(&r->app->conf, app_engine(r->app), work, &s, err,
                    sizeof(err)) != APP_OK ||
        rules_call_json(s, "schedules", NULL, &list, err, sizeof(err)) !=
            APP_OK) {
        sbx_free(s);
        return;
    }
    cJSON_ArrayForEach(it, list)
    {
        const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(it, "key"));
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(
            it, strcmp(r->cx.lang, "en") == 0 ? "name_en" : "name"));
        cJSON *o = cJSON_CreateObject();

        if (k == NULL || o == NULL || !cJSON_AddItemToArray(out, o)) {
            cJSON_Delete(o);
            continue;
        }
        view_add_str(o, "key", k);
        view_add_str(o, "name", n != NULL ? n : k);
        cJSON_AddBoolToObject(o, "selected",
                              key != NULL && strcmp(k, key) == 0);
    }
    cJSON_Delete(list);
    sbx_free(s);
}

/* "At this time this reminder would make these tasks", published and
 * draft side by side. */
APP_MUST_USE static enum app_err
dry_reminder(struct req *r, cJSON *m, struct str key, struct str at)
{
    struct rule_set pub, work;
    int64_t vid = 0;
    bool drafts = false;
    const char *k = arena_str(r->a, key).p;
    char *when = arena_strndup(r->a, at.p, at.len);
    cJSON *run;
    enum app_err rc;

    if (when != NULL && strlen(when) == 16 && when[10] == 'T')
        when[10] = ' ';
    rc = rulesets_published_id(r->app->db, r->a, r->auth->tenant_id, &vid);
    if (rc == APP_OK)
        rc = rulesets_get(r->app->db, r->a, r->auth->tenant_id, vid, 0, &pub);
    if (rc == APP_OK)
        rc = rulesets_working(r->app->db, r->a, r->auth->tenant_id, &work,
                              &drafts);
    if (rc != APP_OK)
        return rc;
    reminder_options(r, m, &work, k);
    run = cJSON_AddObjectToObject(m, "reminder_run");
    if (run == NULL)
        return APP_ENOMEM;
    view_add_str(run, "at", when);
    reminder_side(r, &pub, k, when, cJSON_AddObjectToObject(run, "published"));
    reminder_side(r, &work, k, when, cJSON_AddObjectToObject(run, "draft"));
    cJSON_AddNumberToObject(m, "version", pub.version);
    cJSON_AddBoolToObject(m, "has_drafts", drafts);
    return view_page(r, 200, "pages/rules_dry_run", m);
}

/* The reminder form's choices on a plain visit of the page. */
APP_MUST_USE static enum app_err
reminder_form(struct req *r, cJSON *m)
{
    struct rule_set work;
    bool drafts = false;
    enum app_err rc =
        rulesets_working(r->app->db, r->a, r->auth->tenant_id, &work, &drafts);

    if (rc == APP_OK)
        reminder_options(r, m, &work, NULL);
    return rc;
}

enum app_err
rules_admin_dry_run(struct req *r)
{
    static const struct field_spec spec[] = {
        { "fn", V_ENUM, false, 0, 0, dry_functions },
        { "args", V_TEXT, false, 0, 65536, NULL },
        { "customer", V_INT, false, 1, INT64_MAX, NULL },
        { "customer_name", V_LINE, false, 1, 100, NULL },
        { "reminder", V_SLUG, false, 1, 64, NULL },
        { "at", V_LINE, false, 16, 16, NULL },
    };
    struct field_val v[6];
    int64_t cid = 0;
    struct rule_set pub, work;
    const struct kvlist *src = r->method == HM_POST ? &r->form : &r->query_args;
    cJSON *m, *args = NULL;
    const char *detail = NULL, *fn;
    struct str text;
    int64_t vid = 0;
    bool drafts = false;
    enum app_err rc;

    if (validate_fields(&r->cx.err_detail, src, spec, 6, v, NULL) != APP_OK)
        return APP_EVALIDATION;
    fn = v[0].present ? dry_functions[v[0].i] : dry_functions[0];
    text = v[1].present ? v[1].s : STR_LIT(DRY_SAMPLE);
    m = view_new(r);
    if (m == NULL)
        return APP_ENOMEM;
    function_options(r, m, fn);
    view_add_str(m, "args", arena_str(r->a, text).p);
    if (v[3].present)
        view_add_str(m, "customer_name", arena_str(r->a, v[3].s).p);
    if (r->method == HM_POST && v[4].present && v[5].present)
        return dry_reminder(r, m, v[4].s, v[5].s);
    if (r->method != HM_POST) {
        rc = reminder_form(r, m);
        return rc != APP_OK ? rc : view_page(r, 200, "pages/rules_dry_run", m);
    }
    cid = v[2].present ? v[2].i : 0;
    if (cid == 0 && v[3].present && !parse_i64(v[3].s, 1, INT64_MAX, &cid)) {
        rc = find_customer(r, m, v[3].s, &cid);
        if (rc != APP_OK)
            return rc;
        if (cid == 0)
            return view_page(r, cJSON_HasObjectItem(m, "choices") ? 200 : 404,
                             "pages/rules_dry_run", m);
    }
    if (cid > 0) {
        rc = rulesets_published_id(r->app->db, r->a, r->auth->tenant_id, &vid);
        if (rc == APP_OK)
            rc = rulesets_get(r->app->db, r->a, r->auth->tenant_id, vid, 0,
                              &pub);
        if (rc == APP_OK)
            rc = rulesets_working(r->app->db, r->a, r->auth->tenant_id, &work,
                                  &drafts);
        if (rc == APP_OK)
            rc = dry_customer(r, m, cid, &pub, &work);
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
    {
        cJSON *ra, *rb;

        dry_one(r, &pub, fn, args, cJSON_AddObjectToObject(m, "published"),
                &ra);
        dry_one(r, &work, fn, args, cJSON_AddObjectToObject(m, "draft"), &rb);
        if (ra != NULL && rb != NULL)
            cJSON_AddItemToObject(m, "comparison", compare(r, ra, rb));
        cJSON_Delete(ra);
        cJSON_Delete(rb);
    }
    cJSON_Delete(args);
    cJSON_AddNumberToObject(m, "version", pub.version);
    cJSON_AddBoolToObject(m, "has_drafts", drafts);
    cJSON_AddBoolToObject(m, "ran", true);
    return view_page(r, 200, "pages/rules_dry_run", m);
}
