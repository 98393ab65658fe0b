/*
 * view.c -- common view-model keys, the error page.
 */
#include "identity/role.h"
#include "web/view.h"

#include <stdio.h>
#include <string.h>

#include "http/app.h"
#include "web/auth.h"
#include "web/csrf.h"
#include "base/log.h"
#include "base/num.h"
#include "http/router.h"
#include "base/tz.h"
#include "base/jsonmem.h"

static void
model_cleanup(void *p)
{
    cJSON_Delete(p);
}

bool
view_add_str(cJSON *obj, const char *key, const char *val)
{
    return cJSON_AddStringToObject(obj, key, val != NULL ? val : "") != NULL;
}

cJSON *
view_new(struct req *r)
{
    cJSON *m = cJSON_CreateObject();
    bool ok;

    if (m == NULL)
        return NULL;
    if (arena_cleanup_add(r->a, model_cleanup, m) != 0)
        return NULL; /* it has freed m */
    /* The catalog by reference: not copied, not freed with the model. */
    ok = r->catalog == NULL || jsonmem_add_ref(m, "t", r->catalog);
    ok = ok && view_add_str(m, "lang", r->cx.lang);
    ok = ok && cJSON_AddBoolToObject(m, "lang_en",
                                     strcmp(r->cx.lang, "en") == 0) != NULL;
    ok = ok && view_add_str(m, "csrf", csrf_token(r));
    ok = ok &&
         view_add_str(m, "path", arena_strndup(r->a, r->path.p, r->path.len));
    /* The signed-in user and what the navigation offers them; a session
     * still waiting for its second factor shows only "sign out". */
    if (ok && r->auth != NULL) {
        cJSON *u = cJSON_AddObjectToObject(m, "user");
        bool full = r->auth->mfa_state == MFA_DONE;

        ok = u != NULL && view_add_str(u, "login", r->auth->login) &&
             view_add_str(u, "name", r->auth->display_name) &&
             view_add_str(u, "tenant", r->auth->tenant_name) &&
             cJSON_AddBoolToObject(u, "full", full) != NULL &&
             cJSON_AddBoolToObject(u, "has_unread", r->auth->unread > 0) !=
                 NULL &&
             view_add_str(u, "unread_text",
                          r->auth->unread >= 100
                              ? "99+"
                              : arena_printf(r->a, "%lld",
                                             (long long)r->auth->unread)) &&
             cJSON_AddBoolToObject(
                 u, "admin", full && (r->auth->role & ROLE_ADMIN)) != NULL &&
             cJSON_AddBoolToObject(
                 u, "team",
                 full && (r->auth->role & (ROLE_ADMIN | ROLE_MANAGER |
                                           ROLE_SUPERVISOR))) != NULL &&
             cJSON_AddBoolToObject(
                 u, "legal",
                 full && (r->auth->role & (ROLE_ADMIN | ROLE_LEGAL))) != NULL &&
             cJSON_AddBoolToObject(
                 u, "finance",
                 full && (r->auth->role & (ROLE_ADMIN | ROLE_FINANCE))) !=
                 NULL &&
             cJSON_AddBoolToObject(
                 u, "stores",
                 full && (r->auth->role &
                          (ROLE_ADMIN | ROLE_MANAGER | ROLE_SUPERVISOR |
                           ROLE_STORE_MANAGER | ROLE_MARKETING))) != NULL;
    }
    return ok ? m : NULL;
}

static void
errors_cleanup(void *p)
{
    cJSON_Delete(p);
}

cJSON *
view_errors(struct req *r)
{
    cJSON *e = cJSON_CreateObject();

    if (e != NULL && arena_cleanup_add(r->a, errors_cleanup, e) != 0)
        return NULL;
    return e;
}

cJSON *
view_sort_th(struct req *r, const char *base, const char *qs, const char *key,
             const char *label, bool active, bool desc, bool first_desc)
{
    cJSON *o = cJSON_CreateObject();
    bool next_desc = active ? !desc : first_desc;

    if (o == NULL)
        return NULL;
    view_add_str(o, "label", label);
    view_add_str(o, "url",
                 arena_printf(r->a, "%s?%s%ssort=%s&dir=%s", base, qs,
                              qs[0] != '\0' ? "&" : "", key,
                              next_desc ? "desc" : "asc"));
    view_add_str(o, "aria",
                 !active ? "none"
                 : desc  ? "descending"
                         : "ascending");
    view_add_str(o, "arrow", !active ? "" : desc ? "▼" : "▲");
    return o;
}

cJSON *
view_options(struct req *r, const char *const *values, const char *label_prefix,
             const char *selected)
{
    cJSON *a = cJSON_CreateArray();
    size_t i;

    for (i = 0; a != NULL && values[i] != NULL; i++) {
        cJSON *o;

        if (values[i][0] == '\0')
            continue;
        o = cJSON_CreateObject();
        if (o == NULL)
            break;
        view_add_str(o, "value", values[i]);
        view_add_str(
            o, "label",
            http_t(r, arena_printf(r->a, "%s%s", label_prefix, values[i])));
        cJSON_AddBoolToObject(o, "selected",
                              selected != NULL &&
                                  strcmp(selected, values[i]) == 0);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

/* Add has_<name> = true beside every non-empty array <name> of the page's
 * own data (not the catalog), depth-first. */
static void
flag_lists(cJSON *o, int depth)
{
    cJSON *c;

    if (depth > 16 || o == NULL)
        return;
    if (cJSON_IsArray(o)) {
        cJSON_ArrayForEach(c, o) flag_lists(c, depth + 1);
        return;
    }
    if (!cJSON_IsObject(o))
        return;
    for (c = o->child; c != NULL; c = c->next) {
        char key[72];

        if (c->string == NULL || strcmp(c->string, "t") == 0 ||
            c->type & cJSON_IsReference)
            continue;
        flag_lists(c, depth + 1);
        if (cJSON_IsArray(c) && c->child != NULL && strlen(c->string) < 64) {
            snprintf(key, sizeof(key), "has_%s", c->string);
            if (!cJSON_HasObjectItem(o, key))
                cJSON_AddBoolToObject(o, key, true);
        }
    }
}

enum app_err
view_page(struct req *r, int status, const char *tmpl, cJSON *model)
{
    flag_lists(model, 0);
    return http_html(r, status, tmpl, model);
}

static bool
wants_json(const struct req *r)
{
    const char *accept;

    if (r->route != NULL && (r->route->flags & RF_API))
        return true;
    if (r->path.len >= 8 && memcmp(r->path.p, "/api/v1/", 8) == 0)
        return true;
    accept = http_param(r, "HTTP_ACCEPT");
    return accept != NULL && strstr(accept, "application/json") != NULL &&
           strstr(accept, "text/html") == NULL;
}

void
view_error(struct req *r, enum app_err e)
{
    int status = app_err_status(e);
    const char *detail =
        r->cx.err_detail != NULL ? http_t(r, r->cx.err_detail) : NULL;
    char key[64], mkey[64];
    const char *generic;
    cJSON *m;

    /* Whatever the handler had put in the body or headers is dropped,
     * except a Set-Cookie or Allow set for this very answer.  The error
     * page is a document of its own: a failed allocation before it does
     * not stop it, one while it is built sends the plain text instead. */
    buf_clear(&r->body);
    http_fresh(r);
    if (detail != NULL && strcmp(detail, r->cx.err_detail) == 0)
        detail = NULL; /* an untranslated key is not a message */
    snprintf(key, sizeof(key), "%s.title", app_err_msgkey(e));
    snprintf(mkey, sizeof(mkey), "%s.message", app_err_msgkey(e));
    generic = http_t(r, mkey);
    if (wants_json(r)) {
        cJSON *o = cJSON_CreateObject();

        if (o != NULL && view_add_str(o, "error", app_err_code(e)) &&
            view_add_str(o, "message", detail != NULL ? detail : generic) &&
            (r->cx.err_detail == NULL ||
             view_add_str(o, "detail", r->cx.err_detail)) &&
            (r->cx.err_text == NULL ||
             view_add_str(o, "rule_error", r->cx.err_text)) &&
            http_json(r, status, o) == APP_OK) {
            cJSON_Delete(o);
            return;
        }
        cJSON_Delete(o);
        goto plain;
    }
    m = view_new(r);
    if (m == NULL)
        goto plain;
    if (cJSON_AddNumberToObject(m, "status", status) == NULL ||
        !view_add_str(m, "title", http_t(r, key)) ||
        !view_add_str(m, "message", generic) ||
        (detail != NULL && !view_add_str(m, "detail", detail)) ||
        /* What exactly failed (a rule's script and line) helps the admins
         * who write the rules; others see the plain message. */
        (r->cx.err_text != NULL && r->auth != NULL &&
         (r->auth->role & ROLE_ADMIN) &&
         !view_add_str(m, "technical", r->cx.err_text)) ||
        !view_add_str(m, "rid", r->rid) ||
        view_page(r, status, "pages/error", m) != APP_OK)
        goto plain;
    return;
plain:
    app_ignore(http_text(r, status, http_reason(status)),
               "the last resort: nothing is left to try");
}

const char *
view_local(struct req *r, const char *utc)
{
    char buf[64];

    if (utc == NULL || utc[0] == '\0')
        return "";
    return arena_strdup(r->a,
                        tz_format(r->cx.tenant_tz, utc, buf, sizeof(buf)));
}

void
view_local_times(struct req *r, cJSON *list)
{
    static const char *const keys[] = { "created_at", "last_seen_at",
                                        "expires_at", "last_used_at", "at" };
    const char *zone = r->auth != NULL ? r->auth->tenant_tz : NULL;
    cJSON *o;

    cJSON_ArrayForEach(o, list)
    {
        size_t k;

        for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            cJSON *f = cJSON_GetObjectItemCaseSensitive(o, keys[k]);
            char when[32];

            if (cJSON_IsString(f))
                cJSON_SetValuestring(
                    f, tz_format(zone, f->valuestring, when, sizeof(when)));
        }
    }
}

/* The page that shows a secret once (token, temporary password). */
enum app_err
view_secret_page(struct req *r, const char *title_key, const char *secret,
                 const char *back)
{
    cJSON *m = view_new(r);

    if (m == NULL || !view_add_str(m, "title", http_t(r, title_key)) ||
        !view_add_str(m, "secret", secret) || !view_add_str(m, "back", back))
        return APP_ENOMEM;
    return view_page(r, 200, "pages/secret_once", m);
}

const char *
view_error_key(const cJSON *problem)
{
    const char *k = cJSON_IsString(problem)
                        ? problem->valuestring
                        : cJSON_GetStringValue(
                              cJSON_GetObjectItemCaseSensitive(problem, "key"));

    return k != NULL ? k : "";
}

const char *
view_error_text(struct req *r, const cJSON *problem)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(problem, "n");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(problem, "name");
    const char *text = http_t(r, view_error_key(problem));

    if (cJSON_IsObject(problem) && cJSON_IsNumber(n))
        text = arena_printf(r->a, "%s (%g)", text, n->valuedouble);
    else if (cJSON_IsObject(problem) && cJSON_IsString(name))
        text = arena_printf(r->a, "%s (%s)", text, name->valuestring);
    return text != NULL ? text : "";
}

cJSON *
view_field_errors(struct req *r, const cJSON *errors)
{
    cJSON *out = cJSON_CreateObject();
    const cJSON *e;

    cJSON_ArrayForEach(e, errors)
    {
        cJSON *o = out != NULL ? cJSON_AddObjectToObject(out, e->string) : NULL;

        if (o == NULL || !view_add_str(o, "field", e->string) ||
            !view_add_str(o, "text", view_error_text(r, e)) ||
            !view_add_str(o, "key", view_error_key(e))) {
            cJSON_Delete(out);
            return NULL;
        }
    }
    return out;
}

enum app_err
view_csv_begin(struct req *r, const char *filename, size_t max)
{
    r->body.max = max;
    buf_clear(&r->body);
    r->status = 200;
    r->content_type = "text/csv; charset=utf-8";
    return http_header(
        r, "Content-Disposition",
        arena_printf(r->a, "attachment; filename=\"%s\"", filename));
}

bool
view_confirmed(struct req *r)
{
    const struct str *c = kv_get(&r->form, "confirm");

    return c != NULL && str_eq_c(*c, "1");
}

enum app_err
view_confirm_page(struct req *r, const char *title, const char *message,
                  const char *back)
{
    cJSON *m = view_new(r), *fields;
    size_t i;

    if (m == NULL)
        return APP_ENOMEM;
    fields = cJSON_AddArrayToObject(m, "fields");
    if (fields == NULL || !view_add_str(m, "title", title) ||
        !view_add_str(m, "message", message) ||
        !view_add_str(m, "back", back) ||
        !view_add_str(m, "action", arena_str(r->a, r->path).p))
        return APP_ENOMEM;
    for (i = 0; i < r->form.n; i++) {
        const struct kv *kv = &r->form.v[i];
        cJSON *o;

        if (str_eq_c(kv->key, "_csrf") || str_eq_c(kv->key, "confirm"))
            continue;
        o = cJSON_CreateObject();
        if (o == NULL || !cJSON_AddItemToArray(fields, o) ||
            !view_add_str(o, "name", arena_str(r->a, kv->key).p) ||
            !view_add_str(o, "value", arena_str(r->a, kv->val).p))
            return APP_ENOMEM;
    }
    return view_page(r, 200, "pages/confirm", m);
}

void
view_done(struct req *r, cJSON *m, const char *family, const char *const *keys)
{
    const struct str *done = http_query_arg(r, "done");
    size_t n = strlen(family), i;

    /* family ends in "%s": the part before it, then the key. */
    if (done == NULL || n < 2 || strcmp(family + n - 2, "%s") != 0)
        return;
    for (i = 0; keys[i] != NULL; i++) {
        if (str_eq_c(*done, keys[i]))
            view_add_str(m, "notice",
                         http_t(r, arena_printf(r->a, "%.*s%s", (int)(n - 2),
                                                family, keys[i])));
    }
}

const char *
view_number(struct req *r, const char *plain)
{
    const char *dot = plain != NULL ? strchr(plain, '.') : NULL;
    int decimals = dot != NULL ? (int)strlen(dot + 1) : 0;
    char grouped[80];

    if (plain == NULL)
        return "";
    if (decimals > 4 ||
        !format_grouped(plain, decimals, grouped, sizeof(grouped)))
        return arena_strdup(r->a, plain);
    return arena_strdup(r->a, grouped);
}

const char *
view_money(struct req *r, const char *plain)
{
    char grouped[80];

    if (plain == NULL || plain[0] == '\0' ||
        !format_grouped(plain, 2, grouped, sizeof(grouped)))
        return "";
    return arena_printf(r->a, "%s%s", http_t(r, "money.symbol"), grouped);
}

struct str
view_field(struct req *r, const char *name)
{
    const struct str *v;

    if (r->json != NULL) {
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(r->json, name);

        if (cJSON_IsString(j))
            return str_c(j->valuestring);
        if (cJSON_IsNumber(j))
            return str_c(arena_printf(r->a, "%.15g", j->valuedouble));
        return STR_NULL;
    }
    v = kv_get(&r->form, name);
    return v != NULL ? *v : STR_NULL;
}

int64_t
view_field_id(struct req *r, const char *name)
{
    int64_t v = 0;

    return parse_i64(str_trim(view_field(r, name)), 1, INT64_MAX, &v) ? v : 0;
}

const struct upload *
view_file(const struct req *r, const char *name)
{
    size_t i;

    for (i = 0; i < r->files.n; i++)
        if (str_eq_c(r->files.v[i].field, name) && r->files.v[i].size > 0)
            return &r->files.v[i];
    return NULL;
}
