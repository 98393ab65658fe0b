/*
 * rules_admin.c -- the rule editor: list the scripts, edit one (saved as a
 * draft after a syntax check and the self-tests), publish, history with
 * diffs, rollback (the dry run is rules_dry_run.c).  Admins only; every
 * change is in the audit log.
 */
#include <stdio.h>
#include <string.h>

#include "http/app.h"
#include "db/audit.h"
#include "web/auth.h"
#include "db/db.h"
#include "base/diff.h"
#include "web/handlers/rules_admin.h"
#include "base/log.h"
#include "base/num.h"
#include "http/parse.h"
#include "http/router.h"
#include "rules/rules.h"
#include "rules/ruledesc.h"
#include "rules/rulesets.h"
#include "sales/stage.h"
#include "base/validate.h"
#include "web/rules_edit.h"
#include "web/view.h"

#define HISTORY_MAX 200

static size_t
count_lines(struct str s)
{
    size_t i, n = s.len > 0 ? 1 : 0;

    for (i = 0; i < s.len; i++) {
        if (s.p[i] == '\n' && i + 1 < s.len)
            n++;
    }
    return n;
}

APP_MUST_USE static enum app_err
script_list(struct req *r, cJSON *m, bool *has_drafts)
{
    struct rule_set pub, work;
    int64_t vid = 0;
    cJSON *list = cJSON_AddArrayToObject(m, "scripts");
    int i;
    enum app_err rc;
    char err[512];

    if (list == NULL)
        return APP_ENOMEM;
    rc = rulesets_bootstrap(r->app->db, r->a, r->auth->tenant_id,
                            r->app->conf.lua_dir, err, sizeof(err));
    if (rc == APP_OK)
        rc = rulesets_published_id(r->app->db, r->a, r->auth->tenant_id, &vid);
    if (rc == APP_OK)
        rc = rulesets_get(r->app->db, r->a, r->auth->tenant_id, vid, 0, &pub);
    if (rc == APP_OK)
        rc = rulesets_working(r->app->db, r->a, r->auth->tenant_id, &work,
                              has_drafts);
    if (rc != APP_OK)
        return rc;
    cJSON_AddNumberToObject(m, "version", pub.version);
    for (i = 0; i < RULES_NSCRIPTS; i++) {
        cJSON *o = cJSON_CreateObject();

        if (o == NULL || !cJSON_AddItemToArray(list, o))
            return APP_ENOMEM;
        view_add_str(o, "name", rules_script_names[i]);
        view_add_str(o, "title",
                     http_t(r, arena_printf(r->a, "rules.script_%s",
                                            rules_script_names[i])));
        cJSON_AddBoolToObject(o, "draft",
                              !str_eq(pub.scripts[i], work.scripts[i]));
        cJSON_AddNumberToObject(o, "lines",
                                (double)count_lines(work.scripts[i]));
    }
    cJSON_AddBoolToObject(m, "has_drafts", *has_drafts);
    return APP_OK;
}

enum app_err
rules_admin_list(struct req *r)
{
    cJSON *m = view_new(r);
    bool drafts = false;
    const struct str *done = http_query_arg(r, "done");
    enum app_err rc;

    if (m == NULL)
        return APP_ENOMEM;
    rc = script_list(r, m, &drafts);
    if (rc != APP_OK)
        return rc;
    if (done != NULL &&
        (str_eq_c(*done, "published") || str_eq_c(*done, "discarded") ||
         str_eq_c(*done, "rolled_back")))
        view_add_str(m, "notice",
                     http_t(r, arena_printf(r->a, "rules.done_%.*s",
                                            (int)done->len, done->p)));
    return view_page(r, 200, "pages/rules", m);
}

static int
script_param(struct req *r)
{
    const struct str *name = router_param(r, "name");

    return name != NULL ? rules_script_index(*name) : -1;
}

APP_MUST_USE static enum app_err
editor(struct req *r, int status, int idx, struct str source, cJSON *m)
{
    size_t lines, i;
    cJSON *nums;

    view_add_str(m, "name", rules_script_names[idx]);
    view_add_str(m, "title",
                 http_t(r, arena_printf(r->a, "rules.script_%s",
                                        rules_script_names[idx])));
    view_add_str(m, "source", arena_str(r->a, source).p);
    lines = count_lines(source) > 0 ? count_lines(source) : 1;
    /* The line-number gutter beside the textarea. */
    nums = cJSON_AddArrayToObject(m, "line_numbers");
    for (i = 1; nums != NULL && i <= lines + 20; i++)
        cJSON_AddItemToArray(nums, cJSON_CreateNumber((double)i));
    cJSON_AddNumberToObject(m, "rows",
                            (double)(lines + 3 > 40 ? 40 : lines + 3));
    return view_page(r, status, "pages/rules_edit", m);
}

enum app_err
rules_admin_edit(struct req *r)
{
    int idx = script_param(r);
    struct rule_set work;
    bool drafts = false;
    cJSON *m;
    enum app_err rc;

    if (idx < 0)
        return APP_ENOTFOUND;
    rc = rulesets_working(r->app->db, r->a, r->auth->tenant_id, &work, &drafts);
    if (rc != APP_OK)
        return rc;
    m = view_new(r);
    if (m == NULL)
        return APP_ENOMEM;
    return editor(r, 200, idx, work.scripts[idx], m);
}

enum app_err
rules_admin_save(struct req *r)
{
    static const struct field_spec spec[] = {
        { "source", V_TEXT, false, 0, RULES_SCRIPT_MAX, NULL },
    };
    struct field_val v[1];
    struct rule_set work;
    bool drafts = false, ok = false;
    int idx = script_param(r);
    cJSON *m;
    enum app_err rc;

    if (idx < 0)
        return APP_ENOTFOUND;
    if (validate_fields(&r->cx.err_detail, &r->form, spec, 1, v, NULL) !=
        APP_OK)
        return APP_EVALIDATION;
    rc = rulesets_working(r->app->db, r->a, r->auth->tenant_id, &work, &drafts);
    if (rc != APP_OK)
        return rc;
    /* Browsers send CR LF in textareas; scripts are stored with LF. */
    {
        char *p = arena_alloc(r->a, v[0].s.len + 1);
        size_t i, n = 0;

        if (p == NULL)
            return APP_ENOMEM;
        for (i = 0; i < v[0].s.len; i++) {
            if (v[0].s.p[i] != '\r')
                p[n++] = v[0].s.p[i];
        }
        p[n] = '\0';
        work.scripts[idx] = (struct str){ p, n };
    }
    m = view_new(r);
    if (m == NULL)
        return APP_ENOMEM;
    rc = rules_edit_save(r, &work, idx, work.scripts[idx], m, &ok);
    if (rc != APP_OK)
        return rc;
    cJSON_AddBoolToObject(m, "saved", true);
    return editor(r, ok ? 200 : 422, idx, work.scripts[idx], m);
}

/* Publish set as the next version, in one transaction with clearing the
 * drafts and the audit record (event, with d and the new version; d is
 * taken).  A set that fails to compile or its self-tests is not
 * published: *published stays false and the answer is the rules page with
 * the errors (422). */
APP_MUST_USE static enum app_err
publish_checked(struct req *r, struct rule_set *set, struct str comment,
                const char *event, cJSON *d, bool *published)
{
    bool ok = false, ignored;
    cJSON *m = view_new(r);
    enum app_err rc;

    *published = false;
    if (m == NULL) {
        cJSON_Delete(d);
        return APP_ENOMEM;
    }
    rc = rules_edit_check(r, set, m, &ok);
    if (rc == APP_OK && !ok) {
        view_add_str(m, "error", http_t(r, "rules.cannot_publish"));
        rc = script_list(r, m, &ignored);
        if (rc == APP_OK)
            rc = view_page(r, 422, "pages/rules", m);
    }
    if (rc != APP_OK || !ok) {
        cJSON_Delete(d);
        return rc;
    }
    rc = db_begin(r->app->db);
    if (rc == APP_OK)
        rc = rulesets_publish(r->app->db, r->a, r->auth->tenant_id, set,
                              r->auth->user_id, comment);
    if (rc == APP_OK)
        rc = rulesets_drafts_clear(r->app->db, r->auth->tenant_id);
    if (d != NULL)
        cJSON_AddNumberToObject(d, "version", set->version);
    if (rc == APP_OK)
        rc = audit_write(&r->cx, r->auth->tenant_id, r->auth->user_id, 0, event,
                         d);
    cJSON_Delete(d);
    if (rc == APP_OK)
        rc = db_commit(r->app->db);
    /* The version the session query read is not the published one any
     * more: rules used later in this request ask again. */
    r->cx.rules_version_id = 0;
    *published = rc == APP_OK;
    return rc;
}

enum app_err
rules_admin_publish(struct req *r)
{
    static const struct field_spec spec[] = {
        { "comment", V_LINE, false, 0, 500, NULL },
    };
    struct field_val v[1];
    struct rule_set work;
    bool drafts = false, published;
    enum app_err rc;

    if (validate_fields(&r->cx.err_detail, &r->form, spec, 1, v, NULL) !=
        APP_OK)
        return APP_EVALIDATION;
    rc = rulesets_working(r->app->db, r->a, r->auth->tenant_id, &work, &drafts);
    if (rc != APP_OK)
        return rc;
    rc = publish_checked(r, &work, v[0].present ? v[0].s : STR_LIT(""),
                         "rules.publish", cJSON_CreateObject(), &published);
    if (rc != APP_OK || !published)
        return rc;
    log_info("rules.published", "tenant=%lld version=%d",
             (long long)r->auth->tenant_id, work.version);
    return http_redirect(r, "/admin/rules?done=published");
}

enum app_err
rules_admin_discard(struct req *r)
{
    enum app_err rc;

    if (!view_confirmed(r))
        return view_confirm_page(r, http_t(r, "rules.discard_title"),
                                 http_t(r, "rules.discard_confirm"),
                                 "/admin/rules");
    rc = db_begin(r->app->db);

    if (rc == APP_OK)
        rc = rulesets_drafts_clear(r->app->db, r->auth->tenant_id);
    if (rc == APP_OK)
        rc = audit_write(&r->cx, r->auth->tenant_id, r->auth->user_id, 0,
                         "rules.discard", NULL);
    if (rc == APP_OK)
        rc = db_commit(r->app->db);
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, "/admin/rules?done=discarded");
}

/* The comments Proofline writes itself (the default rules, a rollback)
 * in the reader's language; people's own comments as they wrote them. */
static void
comments_for_people(struct req *r, cJSON *list)
{
    cJSON *v;

    cJSON_ArrayForEach(v, list)
    {
        const char *c = cJSON_GetStringValue(cJSON_GetObjectItem(v, "comment"));
        int64_t n;

        if (c == NULL)
            continue;
        if (strcmp(c, RULESETS_DEFAULT_COMMENT) == 0)
            cJSON_ReplaceItemInObject(
                v, "comment",
                cJSON_CreateString(http_t(r, "rules.comment_default")));
        else if (strncmp(c, "rollback to v", 13) == 0 &&
                 parse_i64(str_c(c + 13), 1, INT32_MAX, &n))
            cJSON_ReplaceItemInObject(
                v, "comment",
                cJSON_CreateString(arena_printf(
                    r->a, "%s%s%lld%s", http_t(r, "rules.comment_rollback"),
                    http_t(r, "common.version_prefix"), (long long)n,
                    http_t(r, "common.version_suffix"))));
    }
}

enum app_err
rules_admin_history(struct req *r)
{
    cJSON *m = view_new(r), *list;
    enum app_err rc;

    if (m == NULL)
        return APP_ENOMEM;
    list = cJSON_AddArrayToObject(m, "versions");
    if (list == NULL)
        return APP_ENOMEM;
    rc = rulesets_history(r->app->db, r->a, r->auth->tenant_id, HISTORY_MAX,
                          list);
    if (rc != APP_OK)
        return rc;
    view_local_times(r, list);
    comments_for_people(r, list);
    return view_page(r, 200, "pages/rules_history", m);
}

enum app_err
rules_admin_version(struct req *r)
{
    int64_t num = router_param_int(r, "version");
    struct rule_set cur, prev;
    cJSON *m, *scripts;
    bool have_prev;
    int i;
    enum app_err rc;

    if (num > 1000000)
        return APP_ENOTFOUND;
    rc = rulesets_get(r->app->db, r->a, r->auth->tenant_id, 0, (int)num, &cur);
    if (rc != APP_OK)
        return rc;
    rc = rulesets_get(r->app->db, r->a, r->auth->tenant_id, 0, (int)num - 1,
                      &prev);
    if (rc != APP_OK && rc != APP_ENOTFOUND)
        return rc;
    have_prev = rc == APP_OK;
    m = view_new(r);
    if (m == NULL)
        return APP_ENOMEM;
    cJSON_AddNumberToObject(m, "version", (double)num);
    if (have_prev)
        cJSON_AddNumberToObject(m, "previous", (double)(num - 1));
    scripts = cJSON_AddArrayToObject(m, "scripts");
    for (i = 0; scripts != NULL && i < RULES_NSCRIPTS; i++) {
        cJSON *o = cJSON_CreateObject(), *lines;

        if (o == NULL || !cJSON_AddItemToArray(scripts, o))
            return APP_ENOMEM;
        view_add_str(o, "name", rules_script_names[i]);
        if (have_prev && str_eq(prev.scripts[i], cur.scripts[i])) {
            cJSON_AddBoolToObject(o, "unchanged", true);
            continue;
        }
        lines = cJSON_AddArrayToObject(o, "lines");
        if (lines == NULL)
            return APP_ENOMEM;
        rc = diff_lines(have_prev ? prev.scripts[i] : STR_LIT(""),
                        cur.scripts[i], 3, 20000, 4000, lines);
        if (rc == APP_ETOOBIG) {
            cJSON_AddBoolToObject(o, "too_large", true);
            rc = APP_OK;
        }
        if (rc != APP_OK)
            return rc;
        /* Mustache needs booleans to pick a line's style. */
        {
            cJSON *l;

            cJSON_ArrayForEach(l, lines)
            {
                const cJSON *op = cJSON_GetObjectItem(l, "op");
                const char *s = cJSON_IsString(op) ? op->valuestring : " ";

                cJSON_AddBoolToObject(l, "add", s[0] == '+');
                cJSON_AddBoolToObject(l, "del", s[0] == '-');
                cJSON_AddBoolToObject(l, "skip", s[0] == '~');
            }
        }
    }
    return view_page(r, 200, "pages/rules_version", m);
}

enum app_err
rules_admin_rollback(struct req *r)
{
    int64_t num = router_param_int(r, "version");
    struct rule_set old;
    bool published;
    cJSON *d;
    char comment[64];
    enum app_err rc;

    if (num > 1000000)
        return APP_ENOTFOUND;
    if (!view_confirmed(r))
        return view_confirm_page(
            r, http_t(r, "rules.rollback_title"),
            arena_printf(r->a, "v%lld: %s", (long long)num,
                         http_t(r, "rules.rollback_confirm")),
            "/admin/rules/history");
    rc = rulesets_get(r->app->db, r->a, r->auth->tenant_id, 0, (int)num, &old);
    if (rc != APP_OK)
        return rc;
    /* The engine may have changed since: an old version is checked like
     * any other before it runs again. */
    snprintf(comment, sizeof(comment), "rollback to v%lld", (long long)num);
    old.version_id = 0;
    d = cJSON_CreateObject();
    if (d != NULL)
        cJSON_AddNumberToObject(d, "to", (double)num);
    rc = publish_checked(r, &old, str_c(comment), "rules.rollback", d,
                         &published);
    if (rc != APP_OK || !published)
        return rc;
    return http_redirect(r, "/admin/rules?done=rolled_back");
}
