/*
 * evidence_pages.c -- supplying evidence for a customer: a photo or
 * document upload, or a form / call log whose fields the rules define;
 * and removing an item that no stage change has used.
 */
#include <string.h>

#include "server/app.h"
#include "web/auth.h"
#include "web/customer_view.h"
#include "sales/customers.h"
#include "db/db.h"
#include "sales/evidence.h"
#include "sales/files.h"
#include "web/handlers.h"
#include "http/router.h"
#include "base/validate.h"
#include "web/view.h"

static const char *
def_kind(const cJSON *def)
{
    const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(def, "kind"));

    return k != NULL ? k : "form";
}

static bool
wants_file(const char *kind)
{
    return strcmp(kind, "photo") == 0 || strcmp(kind, "document") == 0;
}

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
        view_add_str(o, "label", ruledesc_name(r, f));
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
        view_add_str(o, "error", cJSON_IsString(err) ? err->valuestring : "");
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
    rc = ruledesc_get(r, &rd);
    if (rc == APP_OK)
        rc = customers_get(r, id, false, &c);
    if (rc != APP_OK)
        return rc;
    def = ruledesc_evidence(&rd, key);
    if (def == NULL)
        return APP_ENOTFOUND;
    rc = evidence_current(r, id, set);
    if (rc != APP_OK)
        return rc;
    kind = def_kind(def);
    m = view_new(r);
    if (m == NULL)
        return APP_ENOMEM;
    cJSON_AddItemToObject(m, "c", cview_customer(r, &rd, &c));
    ev = cJSON_AddObjectToObject(m, "ev");
    if (ev == NULL)
        return APP_ENOMEM;
    view_add_str(ev, "key", key);
    view_add_str(ev, "name", ruledesc_name(r, def));
    view_add_str(ev, "kind_label",
                 http_t(r, arena_printf(r->a, "evidence.kind.%s", kind)));
    cJSON_AddBoolToObject(ev, "photo", strcmp(kind, "photo") == 0);
    cJSON_AddBoolToObject(ev, "document", strcmp(kind, "document") == 0);
    cJSON_AddBoolToObject(ev, "file", wants_file(kind));
    {
        const char *hint = cJSON_GetStringValue(cJSON_GetObjectItem(
            def, strcmp(r->lang, "en") == 0 ? "hint_en" : "hint"));

        if (hint == NULL)
            hint = cJSON_GetStringValue(cJSON_GetObjectItem(def, "hint"));
        if (hint != NULL)
            view_add_str(ev, "hint", hint);
    }
    cJSON_AddItemToObject(ev, "fields", fields_model(r, def, form, errors));
    cur = evidence_find(set, key);
    if (cur != NULL)
        cJSON_AddItemToObject(m, "current", cview_evidence_item(r, &rd, cur));
    if (errors != NULL && cJSON_IsString(cJSON_GetObjectItem(errors, "file")))
        view_add_str(m, "file_error",
                     cJSON_GetObjectItem(errors, "file")->valuestring);
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

static const struct upload *
file_part(const struct req *r)
{
    size_t i;

    for (i = 0; i < r->files.n; i++) {
        if (str_eq_c(r->files.v[i].field, "file") && r->files.v[i].size > 0)
            return &r->files.v[i];
    }
    return NULL;
}

enum app_err
evidence_submit(struct req *r)
{
    static const struct field_spec note_spec[] = {
        { "note", V_TEXT, false, 0, 1000, NULL },
    };
    int64_t id = router_param_int(r, "id"), file_id = 0, eid = 0;
    const char *key = arena_str(r->a, *router_param(r, "key")).p;
    struct field_val note[1];
    struct ruledesc rd;
    struct customer c;
    const struct upload *up = NULL;
    const cJSON *def;
    const char *kind, *mime = NULL;
    cJSON *errors = cJSON_CreateObject(), *data = NULL;
    char *data_text = NULL;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = ruledesc_get(r, &rd);
    if (rc == APP_OK)
        rc = customers_get(r, id, false, &c);
    if (rc != APP_OK)
        goto out;
    def = ruledesc_evidence(&rd, key);
    if (def == NULL) {
        rc = APP_ENOTFOUND;
        goto out;
    }
    kind = def_kind(def);
    if (validate_fields(r, &r->form, note_spec, 1, note, errors) != APP_OK)
        rc = APP_EVALIDATION;
    if (wants_file(kind)) {
        up = file_part(r);
        mime = up != NULL ? files_sniff_upload(up) : NULL;
        if (up == NULL) {
            cJSON_AddStringToObject(errors, "file",
                                    http_t(r, "evidence.file_required"));
            rc = APP_EVALIDATION;
        } else if (!files_fits_kind(kind, mime)) {
            cJSON_AddStringToObject(errors, "file",
                                    http_t(r, strcmp(kind, "photo") == 0
                                                  ? "evidence.not_image"
                                                  : "evidence.bad_type"));
            rc = APP_EVALIDATION;
        }
    } else if (evidence_validate(r, def, &r->form, NULL, &data, errors) !=
               APP_OK) {
        rc = APP_EVALIDATION;
    }
    if (rc == APP_OK && data != NULL) {
        data_text = http_json_text(r, data);
        if (data_text == NULL)
            rc = APP_ENOMEM;
    }
    if (rc != APP_OK)
        goto out;
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = customers_get(r, id, true, &c);
        if (rc == APP_OK && up != NULL)
            rc = files_store(r, up, id, &file_id, &mime);
        if (rc == APP_OK)
            rc = evidence_add(
                r, id, key, kind, file_id, data_text,
                note[0].present ? arena_str(r->a, note[0].s).p : "", &eid);
        if (rc == APP_OK)
            rc = customers_touch(r, id);
    }
out:
    cJSON_free(data_text);
    cJSON_Delete(data);
    if (rc == APP_EVALIDATION) {
        r->err_detail = NULL;
        rc = form_page(r, 422, id, key, &r->form, errors, "validate.failed");
        cJSON_Delete(errors);
        return rc;
    }
    cJSON_Delete(errors);
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/customers/%lld#evidence", (long long)id));
}

enum app_err
evidence_remove_page(struct req *r)
{
    int64_t id = router_param_int(r, "id"), eid = router_param_int(r, "eid");
    struct customer c;
    enum app_err rc;

    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = customers_get(r, id, true, &c);
        if (rc == APP_OK)
            rc = evidence_remove(r, id, eid);
    }
    if (rc != APP_OK) {
        if (rc == APP_ECONFLICT)
            r->err_detail = "evidence.locked";
        return rc;
    }
    return http_redirect(
        r, arena_printf(r->a, "/customers/%lld#evidence", (long long)id));
}
