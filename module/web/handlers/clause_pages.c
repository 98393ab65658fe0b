/*
 * clause_pages.c -- the clause library's and the contract templates'
 * pages and API (clause_pages.h).
 */
#include "web/handlers/clause_pages.h"

#include <stdlib.h>
#include <string.h>

#include "base/num.h"
#include "base/validate.h"
#include "http/router.h"
#include "sales/clauses.h"
#include "web/api_json.h"
#include "web/contract_view.h"
#include "web/view.h"

/* A clause row (CL_* columns) as JSON; with its body when body. */
static cJSON *
clause_json(struct req *r, const struct db_res *res, size_t i, bool body)
{
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)db_int(res, i, CLA_ID, 0));
    view_add_str(o, "key", db_text(res, i, CLA_KEY));
    cJSON_AddNumberToObject(o, "version",
                            (double)db_int(res, i, CLA_VERSION, 0));
    view_add_str(o, "title", db_text(res, i, CLA_TITLE));
    view_add_str(o, "created_at",
                 view_local(r, db_text(res, i, CLA_CREATED_AT)));
    view_add_str(o, "author", db_text(res, i, CLA_AUTHOR));
    if (body)
        view_add_str(o, "body", db_text(res, i, CLA_BODY));
    return o;
}

/* The variables a clause may use, for the editor's help. */
static cJSON *
vars_json(struct req *r)
{
    cJSON *a = cJSON_CreateArray();
    size_t i;

    for (i = 0; a != NULL && contract_vars[i] != NULL; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(a, o);
        view_add_str(o, "name", contract_vars[i]);
        view_add_str(o, "code", arena_printf(r->a, "{%s}", contract_vars[i]));
        view_add_str(
            o, "label",
            http_t(r, arena_printf(r->a, "clauses.var_%s", contract_vars[i])));
    }
    return a;
}

/* Rows of several versions (by key, newest first) grouped: [{the latest
 * version's fields, "history": [every version]}]. */
static cJSON *
grouped(struct req *r, const struct db_res *res, size_t key_col,
        cJSON *(*one)(struct req *, const struct db_res *, size_t))
{
    cJSON *list = cJSON_CreateArray(), *cur = NULL, *hist = NULL;
    size_t i;

    for (i = 0; list != NULL && i < res->nrows; i++) {
        if (cur == NULL ||
            !str_eq(db_cell(res, i, key_col), db_cell(res, i - 1, key_col))) {
            cur = one(r, res, i);
            cJSON_AddItemToArray(list, cur);
            hist = cur != NULL ? cJSON_AddArrayToObject(cur, "history") : NULL;
        }
        cJSON_AddItemToArray(hist, one(r, res, i));
    }
    return list;
}

static cJSON *
clause_row(struct req *r, const struct db_res *res, size_t i)
{
    return clause_json(r, res, i, false);
}

enum app_err
clauses_index(struct req *r)
{
    static const char *const done[] = { "saved", NULL };
    struct db_res res;
    cJSON *m = view_new(r), *list;
    enum app_err rc = clauses_history(&r->cx, NULL, &res);

    if (rc != APP_OK)
        return rc;
    if (m == NULL || (list = grouped(r, &res, CLA_KEY, clause_row)) == NULL)
        return APP_ENOMEM;
    cJSON_AddItemToObject(m, "items", list);
    cJSON_AddBoolToObject(m, "none", res.nrows == 0);
    view_done(r, m, "clauses.done_%s", done);
    return view_page(r, 200, "pages/clauses", m);
}

/* The editor: a new clause (key NULL) or a new version of key, showing
 * version (0: the latest), or the form sent back with errors. */
APP_MUST_USE static enum app_err
editor(struct req *r, int status, const char *key, int version, cJSON *errors)
{
    static const char *const done[] = { "saved", NULL };
    struct db_res cur, hist;
    cJSON *m = view_new(r), *v;
    enum app_err rc = APP_OK;

    if (m == NULL || (v = cJSON_AddObjectToObject(m, "v")) == NULL)
        return APP_ENOMEM;
    if (key != NULL) {
        rc = clauses_get(&r->cx, key, version, &cur);
        if (rc == APP_OK)
            rc = clauses_history(&r->cx, key, &hist);
        if (rc != APP_OK)
            return rc;
        cJSON_AddItemToObject(m, "clause", clause_json(r, &cur, 0, true));
        cJSON_AddItemToObject(m, "history",
                              grouped(r, &hist, CLA_KEY, clause_row));
        cJSON_AddBoolToObject(m, "old",
                              db_int(&cur, 0, CLA_VERSION, 0) !=
                                  db_int(&hist, 0, CLA_VERSION, 0));
        view_add_str(v, "key", key);
        view_add_str(v, "title", db_text(&cur, 0, CLA_TITLE));
        view_add_str(v, "body", db_text(&cur, 0, CLA_BODY));
    }
    if (errors != NULL) {
        const struct str *t = kv_get(&r->form, "title");
        const struct str *b = kv_get(&r->form, "body");
        const struct str *k = kv_get(&r->form, "key");

        if (key == NULL && k != NULL)
            view_add_str(v, "key", arena_str(r->a, *k).p);
        cJSON_DeleteItemFromObject(v, "title");
        cJSON_DeleteItemFromObject(v, "body");
        view_add_str(v, "title", t != NULL ? arena_str(r->a, *t).p : "");
        view_add_str(v, "body", b != NULL ? arena_str(r->a, *b).p : "");
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
    }
    cJSON_AddBoolToObject(m, "is_new", key == NULL);
    cJSON_AddItemToObject(m, "vars", vars_json(r));
    view_done(r, m, "clauses.done_%s", done);
    return view_page(r, status, "pages/clause_edit", m);
}

enum app_err
clause_new_form(struct req *r)
{
    return editor(r, 200, NULL, 0, NULL);
}

/* The key of the route, NUL-terminated. */
static const char *
key_param(struct req *r)
{
    const struct str *k = router_param(r, "key");

    return k != NULL ? arena_str(r->a, *k).p : "";
}

enum app_err
clause_edit(struct req *r)
{
    const struct str *v = http_query_arg(r, "version");
    int64_t version = 0;

    if (v != NULL && !parse_i64(*v, 1, 1000000, &version))
        return APP_ENOTFOUND;
    return editor(r, 200, key_param(r), (int)version, NULL);
}

/* Save the form's title and body as a new version of key (NULL: the
 * form's key). */
APP_MUST_USE static enum app_err
save_form(struct req *r, const char *key)
{
    const struct str *t = kv_get(&r->form, "title");
    const struct str *b = kv_get(&r->form, "body");
    const struct str *k = kv_get(&r->form, "key");
    struct str ks = key != NULL ? str_c(key) : k != NULL ? *k : STR_NULL;
    cJSON *errors = view_errors(r);
    int64_t id;
    int version;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    if (key != NULL) {
        struct db_res cur;

        rc = clauses_get(&r->cx, key, 0, &cur);
        if (rc != APP_OK)
            return rc;
    }
    rc = clauses_save(&r->cx, ks, t != NULL ? *t : STR_NULL,
                      b != NULL ? *b : STR_NULL, errors, &id, &version);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return editor(r, 422, key, 0, errors);
    }
    if (rc != APP_OK)
        return rc;
    ks = str_trim(ks);
    return http_redirect(r, arena_printf(r->a, "/admin/clauses/%.*s?done=saved",
                                         (int)ks.len, ks.p));
}

enum app_err
clause_create_page(struct req *r)
{
    return save_form(r, NULL);
}

enum app_err
clause_save_page(struct req *r)
{
    return save_form(r, key_param(r));
}

/* --- templates --------------------------------------------------------------
 */

static cJSON *
template_row(struct req *r, const struct db_res *res, size_t i)
{
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)db_int(res, i, TP_ID, 0));
    view_add_str(o, "key", db_text(res, i, TP_KEY));
    cJSON_AddNumberToObject(o, "version",
                            (double)db_int(res, i, TP_VERSION, 0));
    view_add_str(o, "name", db_text(res, i, TP_NAME));
    view_add_str(o, "created_at",
                 view_local(r, db_text(res, i, TP_CREATED_AT)));
    view_add_str(o, "author", db_text(res, i, TP_AUTHOR));
    return o;
}

/* A template's options as the form writes them: {term: "30, 60, 90"}. */
static cJSON *
options_text(struct req *r, const cJSON *options)
{
    cJSON *o = cJSON_CreateObject();
    size_t i;

    for (i = 0; o != NULL && contract_terms_names[i] != NULL; i++) {
        const cJSON *e, *l = cJSON_GetObjectItemCaseSensitive(
                            options, contract_terms_names[i]);
        const char *text = "";

        cJSON_ArrayForEach(e, l) text = arena_printf(
            r->a, "%s%s%g", text, text[0] != '\0' ? ", " : "", e->valuedouble);
        view_add_str(o, contract_terms_names[i], text != NULL ? text : "");
    }
    return o;
}

/* The form's fields for the template being written: clauses (every
 * clause of the library with its position, "" when not used) and terms
 * ([{name, label, unit, value}]); from the sent form, or from template
 * from (NULL: empty). */
APP_MUST_USE static enum app_err
template_form(struct req *r, cJSON *m, const struct contract_template *from)
{
    struct db_res lib;
    cJSON *clauses, *terms,
        *opts = from != NULL ? options_text(r, from->options) : NULL;
    size_t i;
    enum app_err rc = clauses_latest(&r->cx, &lib);

    if (rc != APP_OK)
        return rc;
    clauses = cJSON_AddArrayToObject(m, "library");
    terms = cJSON_AddArrayToObject(m, "terms");
    for (i = 0; clauses != NULL && i < lib.nrows; i++) {
        cJSON *o = clause_json(r, &lib, i, false);
        const char *pos = "";
        const struct str *f = kv_get(
            &r->form, arena_printf(r->a, "pos_%s", db_text(&lib, i, CLA_KEY)));
        const cJSON *c, *used = from != NULL ? from->clauses : NULL;
        int n = 0;

        if (f != NULL)
            pos = arena_str(r->a, *f).p;
        cJSON_ArrayForEach(c, used)
        {
            const char *ck =
                cJSON_GetStringValue(cJSON_GetObjectItem(c, "key"));

            n++;
            if (ck != NULL && strcmp(ck, db_text(&lib, i, CLA_KEY)) == 0)
                pos = arena_printf(r->a, "%d", n);
        }
        view_add_str(o, "pos", pos != NULL ? pos : "");
        cJSON_AddItemToArray(clauses, o);
    }
    for (i = 0; terms != NULL && contract_terms_names[i] != NULL; i++) {
        const char *name = contract_terms_names[i];
        const struct str *f =
            kv_get(&r->form, arena_printf(r->a, "opt_%s", name));
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(terms, o);
        view_add_str(o, "name", name);
        view_add_str(o, "label",
                     http_t(r, arena_printf(r->a, "clauses.term_%s", name)));
        view_add_str(o, "unit",
                     http_t(r, arena_printf(r->a, "clauses.unit_%s", name)));
        view_add_str(o, "value",
                     f != NULL ? arena_str(r->a, *f).p
                     : opts != NULL
                         ? cJSON_GetStringValue(cJSON_GetObjectItem(opts, name))
                         : "");
    }
    cJSON_Delete(opts);
    return APP_OK;
}

/* The templates page: every template with its versions, and the form for
 * a new one or a new version (of ?from=id). */
APP_MUST_USE static enum app_err
templates_page(struct req *r, int status, cJSON *errors)
{
    static const char *const done[] = { "saved", NULL };
    struct db_res res;
    struct contract_template from;
    const struct str *f = http_query_arg(r, "from");
    int64_t fid = 0;
    cJSON *m = view_new(r), *v;
    enum app_err rc = templates_history(&r->cx, &res);

    if (rc == APP_OK && f != NULL && errors == NULL) {
        if (!parse_i64(*f, 1, INT64_MAX, &fid))
            return APP_ENOTFOUND;
        rc = templates_get(&r->cx, fid, &from);
    }
    if (rc != APP_OK)
        return rc;
    if (m == NULL || (v = cJSON_AddObjectToObject(m, "v")) == NULL)
        return APP_ENOMEM;
    cJSON_AddItemToObject(m, "items", grouped(r, &res, TP_KEY, template_row));
    cJSON_AddBoolToObject(m, "none", res.nrows == 0);
    rc = template_form(r, m, fid != 0 ? &from : NULL);
    if (rc != APP_OK)
        return rc;
    if (fid != 0) {
        view_add_str(v, "key", from.key);
        view_add_str(v, "name", from.name);
    } else if (errors != NULL) {
        const struct str *k = kv_get(&r->form, "key");
        const struct str *n = kv_get(&r->form, "name");

        view_add_str(v, "key", k != NULL ? arena_str(r->a, *k).p : "");
        view_add_str(v, "name", n != NULL ? arena_str(r->a, *n).p : "");
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
    }
    view_done(r, m, "clauses.done_%s", done);
    return view_page(r, status, "pages/contract_templates", m);
}

enum app_err
templates_index(struct req *r)
{
    return templates_page(r, 200, NULL);
}

struct picked {
    const char *key;
    int64_t pos;
    size_t order;
};

static int
by_pos(const void *a, const void *b)
{
    const struct picked *x = a, *y = b;

    if (x->pos != y->pos)
        return x->pos < y->pos ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* The form's pos_<key> fields with a position, as the clause keys in
 * order (a bad position: errors.clauses). */
static cJSON *
picked_keys(struct req *r, cJSON *errors)
{
    struct picked *p = arena_calloc(r->a, r->form.n + 1, sizeof(*p));
    cJSON *keys = cJSON_CreateArray();
    size_t i, n = 0;

    if (p == NULL || keys == NULL)
        return keys;
    for (i = 0; i < r->form.n; i++) {
        struct str k = r->form.v[i].key, v = str_trim(r->form.v[i].val);

        if (!str_has_prefix(k, STR_LIT("pos_")) || v.len == 0)
            continue;
        if (!parse_i64(v, 1, 999, &p[n].pos)) {
            cJSON_AddStringToObject(errors, "clauses", "clauses.bad_position");
            continue;
        }
        p[n].key = arena_strndup(r->a, k.p + 4, k.len - 4);
        p[n].order = i;
        n++;
    }
    qsort(p, n, sizeof(*p), by_pos);
    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(keys, cJSON_CreateString(p[i].key));
    return keys;
}

enum app_err
template_save_page(struct req *r)
{
    cJSON *errors = view_errors(r), *keys, *opts = cJSON_CreateObject();
    const struct str *k = kv_get(&r->form, "key"),
                     *n = kv_get(&r->form, "name");
    int64_t id;
    int version;
    size_t i;
    enum app_err rc;

    if (errors == NULL || opts == NULL) {
        cJSON_Delete(opts);
        return APP_ENOMEM;
    }
    keys = picked_keys(r, errors);
    for (i = 0; contract_terms_names[i] != NULL; i++) {
        const struct str *f = kv_get(
            &r->form, arena_printf(r->a, "opt_%s", contract_terms_names[i]));

        cJSON_AddStringToObject(opts, contract_terms_names[i],
                                f != NULL ? arena_str(r->a, *f).p : "");
    }
    rc = cJSON_GetObjectItem(errors, "clauses") != NULL
             ? APP_EVALIDATION
             : templates_save(&r->cx, k != NULL ? *k : STR_NULL,
                              n != NULL ? *n : STR_NULL, keys, opts, errors,
                              &id, &version);
    cJSON_Delete(keys);
    cJSON_Delete(opts);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return templates_page(r, 422, errors);
    }
    return rc != APP_OK ? rc
                        : http_redirect(r, "/admin/contract-templates?done="
                                           "saved");
}

/* The preview's terms from the query: amount (default 120000) and each
 * term (default: the template's first option). */
APP_MUST_USE static enum app_err
sample_terms(struct req *r, const struct contract_template *t,
             struct contract_terms *terms)
{
    double v[5];
    const struct str *a = http_query_arg(r, "amount");
    char plain[48];
    size_t i;

    terms->amount = 120000;
    if (a != NULL && (!parse_human_number(*a, plain, sizeof(plain)) ||
                      !parse_decimal(str_c(plain), 12, 2, &terms->amount)))
        return APP_EVALIDATION;
    for (i = 0; contract_terms_names[i] != NULL; i++) {
        const struct str *q = http_query_arg(r, contract_terms_names[i]);
        const cJSON *first =
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
                                   t->options, contract_terms_names[i]),
                               0);

        v[i] = cJSON_IsNumber(first) ? first->valuedouble : 0;
        if (q != NULL && !parse_decimal(*q, 6, 2, &v[i]))
            return APP_EVALIDATION;
    }
    terms->payment_term_days = (int)v[0];
    terms->prepay_pct = v[1];
    terms->delivery_days = (int)v[2];
    terms->warranty_months = (int)v[3];
    terms->penalty_pct = v[4];
    return APP_OK;
}

enum app_err
template_preview(struct req *r)
{
    struct contract_template t;
    struct contract_terms terms;
    struct contract_text text;
    const struct str *c = http_query_arg(r, "customer");
    const char *customer = c != NULL && c->len > 0
                               ? arena_str(r->a, *c).p
                               : http_t(r, "clauses.sample_customer");
    cJSON *m = view_new(r), *errors = view_errors(r);
    enum app_err rc = templates_get(&r->cx, router_param_int(r, "id"), &t);

    if (rc == APP_OK && (m == NULL || errors == NULL))
        rc = APP_ENOMEM;
    if (rc == APP_OK && (rc = sample_terms(r, &t, &terms)) != APP_OK)
        r->cx.err_detail = "validate.failed";
    if (rc == APP_OK &&
        templates_check_terms(&t, &terms, errors) == APP_EVALIDATION)
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
    if (rc == APP_OK)
        rc = contract_resolve(&r->cx, &t, &terms, customer,
                              http_t(r, "clauses.sample_number"), &text);
    if (rc != APP_OK)
        return rc == APP_EINVAL ? APP_EVALIDATION : rc;
    cJSON_AddItemToObject(m, "contract",
                          contract_view(r, &t, &terms, customer,
                                        http_t(r, "clauses.sample_number"),
                                        &text));
    cJSON_AddNumberToObject(m, "id", (double)t.id);
    view_add_str(m, "key", t.key);
    cJSON_AddBoolToObject(m, "has_errors", cJSON_GetArraySize(errors) > 0);
    return view_page(r, 200, "pages/contract_preview", m);
}

/* --- the JSON API ------------------------------------------------------- */

/* A member of the JSON body as text (STR_NULL when absent or not text). */
static struct str
member(const struct req *r, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->json, name);

    return cJSON_IsString(v) ? str_c(v->valuestring) : STR_NULL;
}

enum app_err
api_clauses(struct req *r)
{
    const struct str *k = http_query_arg(r, "key");
    const struct str *v = http_query_arg(r, "version");
    int64_t version = 0;
    struct db_res res;
    cJSON *o = cJSON_CreateObject(), *list;
    size_t i;
    enum app_err rc;

    if (o == NULL)
        return APP_ENOMEM;
    if (v != NULL && !parse_i64(*v, 1, 1000000, &version)) {
        cJSON_Delete(o);
        return APP_ENOTFOUND;
    }
    rc = k != NULL
             ? clauses_get(&r->cx, arena_str(r->a, *k).p, (int)version, &res)
             : clauses_latest(&r->cx, &res);
    if (rc != APP_OK) {
        cJSON_Delete(o);
        return rc;
    }
    list = cJSON_AddArrayToObject(o, "clauses");
    for (i = 0; list != NULL && i < res.nrows; i++)
        cJSON_AddItemToArray(list, clause_json(r, &res, i, k != NULL));
    list = cJSON_AddArrayToObject(o, "variables");
    for (i = 0; list != NULL && contract_vars[i] != NULL; i++)
        cJSON_AddItemToArray(list, cJSON_CreateString(contract_vars[i]));
    return api_send(r, 200, o);
}

enum app_err
api_clause_create(struct req *r)
{
    cJSON *errors = view_errors(r), *o;
    int64_t id;
    int version;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    if (!cJSON_IsObject(r->json))
        return APP_EINVAL;
    rc = clauses_save(&r->cx, member(r, "key"), member(r, "title"),
                      member(r, "body"), errors, &id, &version);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return api_invalid(r, errors);
    }
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    if (o != NULL) {
        cJSON_AddNumberToObject(o, "id", (double)id);
        cJSON_AddStringToObject(o, "key",
                                arena_str(r->a, str_trim(member(r, "key"))).p);
        cJSON_AddNumberToObject(o, "version", version);
    }
    return api_send(r, 201, o);
}

enum app_err
api_templates(struct req *r)
{
    struct db_res res;
    cJSON *o, *list;
    size_t i;
    enum app_err rc = templates_list(&r->cx, &res);

    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    list = o != NULL ? cJSON_AddArrayToObject(o, "templates") : NULL;
    for (i = 0; list != NULL && i < res.nrows; i++)
        cJSON_AddItemToArray(list, template_row(r, &res, i));
    return api_send(r, 200, list != NULL ? o : (cJSON_Delete(o), NULL));
}

APP_MUST_USE static enum app_err
send_template(struct req *r, int status, int64_t id)
{
    struct contract_template t;
    cJSON *o;
    enum app_err rc = templates_get(&r->cx, id, &t);

    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    if (o != NULL) {
        cJSON_AddNumberToObject(o, "id", (double)t.id);
        cJSON_AddStringToObject(o, "key", t.key);
        cJSON_AddNumberToObject(o, "version", t.version);
        cJSON_AddStringToObject(o, "name", t.name);
        cJSON_AddBoolToObject(o, "active", t.active);
        cJSON_AddStringToObject(o, "created_at", t.created_at);
        cJSON_AddItemToObject(o, "clauses", cJSON_Duplicate(t.clauses, true));
        cJSON_AddItemToObject(o, "options", cJSON_Duplicate(t.options, true));
    }
    return api_send(r, status, o);
}

enum app_err
api_template(struct req *r)
{
    return send_template(r, 200, router_param_int(r, "id"));
}

enum app_err
api_template_create(struct req *r)
{
    cJSON *errors = view_errors(r);
    int64_t id;
    int version;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    if (!cJSON_IsObject(r->json))
        return APP_EINVAL;
    rc = templates_save(&r->cx, member(r, "key"), member(r, "name"),
                        cJSON_GetObjectItemCaseSensitive(r->json, "clauses"),
                        cJSON_GetObjectItemCaseSensitive(r->json, "options"),
                        errors, &id, &version);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return api_invalid(r, errors);
    }
    return rc != APP_OK ? rc : send_template(r, 201, id);
}
