/*
 * evidence_pages.c -- supplying evidence for a customer: a photo,
 * document or recording upload, or a form / call log whose fields the rules
 * define; and removing an item that no stage change has used.
 */
#include <string.h>

#include "http/app.h"
#include "web/auth.h"
#include "web/customer_view.h"
#include "sales/customers.h"
#include "db/db.h"
#include "sales/evidence.h"
#include "sales/files.h"
#include "web/handlers/evidence_pages.h"
#include "http/router.h"
#include "base/validate.h"
#include "web/view.h"

/* The form's fields with the values and errors to show again. */
static cJSON *
fields_model(struct req *r, const cJSON *def, const struct kvlist *form,
             const cJSON *errors)
{
    cJSON *a = cJSON_CreateArray();
    const cJSON *f;

    cJSON_ArrayForEach(f, cJSON_GetObjectItem(def, "fields"))
    {
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(f, "key"));
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(f, "type"));
        const struct str *val =
            key != NULL && form != NULL ? kv_get(form, key) : NULL;
        const cJSON *opt,
            *err = key != NULL ? cJSON_GetObjectItem(errors, key) : NULL;
        cJSON *o, *opts;

        if (key == NULL || a == NULL)
            continue;
        if (type == NULL)
            type = "text";
        o = cJSON_CreateObject();
        if (o == NULL)
            break;
        cJSON_AddItemToArray(a, o);
        view_add_str(o, "key", key);
        view_add_str(o, "label", ruledesc_name(&r->cx, f));
        cJSON_AddBoolToObject(o, "required",
                              cJSON_IsTrue(cJSON_GetObjectItem(f, "required")));
        cJSON_AddBoolToObject(o, arena_printf(r->a, "is_%s", type), true);
        view_add_str(o, "value", val != NULL ? arena_str(r->a, *val).p : "");
        if (cJSON_IsNumber(cJSON_GetObjectItem(f, "min")))
            cJSON_AddNumberToObject(o, "min",
                                    cJSON_GetObjectItem(f, "min")->valuedouble);
        if (cJSON_IsNumber(cJSON_GetObjectItem(f, "max")))
            cJSON_AddNumberToObject(o, "max",
                                    cJSON_GetObjectItem(f, "max")->valuedouble);
        /* Always set: a field without one must not see the page's. */
        view_add_str(o, "error", err != NULL ? view_error_text(r, err) : "");
        view_add_str(o, "error_key", err != NULL ? view_error_key(err) : "");
        opts = cJSON_AddArrayToObject(o, "options");
        cJSON_ArrayForEach(opt, cJSON_GetObjectItem(f, "options"))
        {
            cJSON *x;

            if (!cJSON_IsString(opt) || opts == NULL)
                continue;
            x = cJSON_CreateObject();
            if (x == NULL)
                break;
            view_add_str(x, "value", opt->valuestring);
            cJSON_AddBoolToObject(
                x, "selected", val != NULL && str_eq_c(*val, opt->valuestring));
            cJSON_AddItemToArray(opts, x);
        }
    }
    return a;
}

APP_MUST_USE static enum app_err
form_page(struct req *r, int status, int64_t id, const char *key,
          const struct kvlist *form, cJSON *errors, const char *error)
{
    struct ruledesc rd;
    struct customer c;
    struct evidence_set *set = arena_alloc(r->a, sizeof(*set));
    const struct evidence_item *cur;
    const cJSON *def;
    const char *kind;
    cJSON *m, *ev;
    enum app_err rc;

    if (set == NULL)
        return APP_ENOMEM;
    rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = customers_get(&r->cx, id, false, &c);
    if (rc != APP_OK)
        return rc;
    def = ruledesc_evidence(&rd, key);
    if (def == NULL)
        return APP_ENOTFOUND;
    rc = evidence_current(&r->cx, id, set);
    if (rc != APP_OK)
        return rc;
    kind = evidence_kind(def);
    m = view_new(r);
    if (m == NULL)
        return APP_ENOMEM;
    cJSON_AddItemToObject(m, "c", cview_customer(r, &rd, &c));
    ev = cJSON_AddObjectToObject(m, "ev");
    if (ev == NULL)
        return APP_ENOMEM;
    view_add_str(ev, "key", key);
    view_add_str(ev, "name", ruledesc_name(&r->cx, def));
    view_add_str(ev, "kind_label",
                 http_t(r, arena_printf(r->a, "evidence.kind.%s", kind)));
    cJSON_AddBoolToObject(ev, "photo", strcmp(kind, "photo") == 0);
    cJSON_AddBoolToObject(ev, "document", strcmp(kind, "document") == 0);
    cJSON_AddBoolToObject(ev, "audio", strcmp(kind, "audio") == 0);
    cJSON_AddBoolToObject(ev, "file", evidence_wants_file(kind));
    {
        const char *hint = cJSON_GetStringValue(cJSON_GetObjectItem(
            def, strcmp(r->cx.lang, "en") == 0 ? "hint_en" : "hint"));

        if (hint == NULL)
            hint = cJSON_GetStringValue(cJSON_GetObjectItem(def, "hint"));
        if (hint != NULL)
            view_add_str(ev, "hint", hint);
    }
    cJSON_AddItemToObject(ev, "fields", fields_model(r, def, form, errors));
    cur = evidence_find(set, key);
    if (cur != NULL)
        cJSON_AddItemToObject(m, "current", cview_evidence_item(r, &rd, cur));
    if (errors != NULL)
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
    if (error != NULL)
        view_add_str(m, "error", http_t(r, error));
    return view_page(r, status, "pages/evidence", m);
}

enum app_err
evidence_form(struct req *r)
{
    return form_page(r, 200, router_param_int(r, "id"),
                     arena_str(r->a, *router_param(r, "key")).p, NULL, NULL,
                     NULL);
}

enum app_err
evidence_submit_page(struct req *r)
{
    int64_t id = router_param_int(r, "id"), file_id = 0, eid = 0;
    struct evidence_submission sub = { 0 };
    const struct str *note = kv_get(&r->form, "note");
    struct ruledesc rd;
    const char *kind;
    cJSON *errors = view_errors(r);
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    sub.key = arena_str(r->a, *router_param(r, "key")).p;
    sub.file = view_file(r, "file");
    sub.form = &r->form;
    sub.note = note != NULL ? *note : STR_NULL;
    rc = ruledesc_get(&r->cx, &rd);
    if (rc != APP_OK)
        return rc;
    if (ruledesc_evidence(&rd, sub.key) == NULL)
        return APP_ENOTFOUND; /* a page for a key the rules do not have */
    rc = evidence_submit(&r->cx, &rd, id, &sub, errors, &eid, &file_id, &kind);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return form_page(r, 422, id, sub.key, &r->form, errors,
                         "validate.failed");
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/customers/%lld?done=evidence#evidence",
                        (long long)id));
}

enum app_err
evidence_remove_page(struct req *r)
{
    int64_t id = router_param_int(r, "id"), eid = router_param_int(r, "eid");
    struct customer c;
    enum app_err rc = customers_get(&r->cx, id, false, &c);

    /* Another user's customer is 404 before anything is asked. */
    if (rc != APP_OK)
        return rc;
    if (!view_confirmed(r))
        return view_confirm_page(
            r, http_t(r, "evidence.remove_title"), c.name,
            arena_printf(r->a, "/customers/%lld#evidence", (long long)id));
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = customers_get(&r->cx, id, true, &c);
        if (rc == APP_OK)
            rc = evidence_remove(&r->cx, id, eid);
    }
    if (rc != APP_OK) {
        if (rc == APP_ECONFLICT)
            r->cx.err_detail = "evidence.locked";
        return rc;
    }
    return http_redirect(
        r, arena_printf(r->a, "/customers/%lld#evidence", (long long)id));
}
