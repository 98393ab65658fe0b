/*
 * qual_pages.c -- customer admission pages: a customer's qualification
 * documents, submitting one (with its scan read for a QR code first),
 * legal's review, and legal's queue with the admission lead times.
 */
#include "web/handlers/qual_pages.h"

#include <stdint.h>
#include <string.h>

#include "base/num.h"
#include "http/app.h"
#include "http/router.h"
#include "identity/role.h"
#include "sales/customers.h"
#include "sales/qual_docs.h"
#include "web/auth.h"
#include "web/customer_view.h"
#include "web/qual_view.h"
#include "web/view.h"
#include "work/admission.h"

static const char *const done_keys[] = { "submitted", "approved", "rejected",
                                         NULL };

static bool
reviewer(const struct req *r)
{
    return (r->cx.role & (ROLE_LEGAL | ROLE_ADMIN)) != 0;
}

/* The customer's documents; error (may be NULL) a review refused. */
APP_MUST_USE static enum app_err
docs_page(struct req *r, int status, int64_t id, const char *error)
{
    struct ruledesc rd;
    struct customer c;
    struct qual_status st;
    cJSON *m;
    bool in_scope;
    enum app_err rc = ruledesc_get(&r->cx, &rd);

    if (rc == APP_OK)
        rc = qual_visible(&r->cx, id, &c);
    if (rc == APP_OK)
        rc = qual_status_of(&r->cx, &rd, &c, true, &st);
    if (rc != APP_OK)
        return rc;
    in_scope = customers_get(&r->cx, id, false, &c) == APP_OK;
    m = view_new(r);
    if (m == NULL)
        return APP_ENOMEM;
    cJSON_AddItemToObject(m, "c", cview_customer(r, &rd, &c));
    cJSON_AddItemToObject(m, "q", qual_view_status(r, &rd, id, &st));
    cJSON_AddBoolToObject(m, "can_submit", in_scope);
    cJSON_AddBoolToObject(m, "can_review", reviewer(r));
    if (error != NULL)
        view_add_str(m, "error", http_t(r, error));
    else
        view_done(r, m, "qual.done_%s", done_keys);
    return view_page(r, status, "pages/qualifications", m);
}

enum app_err
qual_page(struct req *r)
{
    return docs_page(r, 200, router_param_int(r, "id"), NULL);
}

/* The submission form; fields (may be NULL) what to show in it. */
APP_MUST_USE static enum app_err
form_page(struct req *r, int status, int64_t id, const char *type,
          const cJSON *fields, int64_t file_id, const cJSON *qr,
          const cJSON *errors)
{
    static const char *const names[] = { "number",     "holder",  "issued_on",
                                         "expires_on", "qr_text", NULL };
    struct ruledesc rd;
    struct customer c;
    const cJSON *def;
    cJSON *m, *f;
    size_t i;
    enum app_err rc = ruledesc_get(&r->cx, &rd);

    if (rc == APP_OK)
        rc = customers_get(&r->cx, id, false, &c);
    if (rc != APP_OK)
        return rc;
    def = qual_type_def(&rd, type);
    if (def == NULL)
        return APP_ENOTFOUND;
    m = view_new(r);
    f = cJSON_AddObjectToObject(m, "f");
    if (m == NULL || f == NULL)
        return APP_ENOMEM;
    cJSON_AddItemToObject(m, "c", cview_customer(r, &rd, &c));
    view_add_str(m, "type", type);
    view_add_str(m, "type_name", ruledesc_name(&r->cx, def));
    cJSON_AddBoolToObject(
        m, "expires",
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(def, "expires")));
    for (i = 0; names[i] != NULL; i++) {
        const char *v = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(fields, names[i]));

        view_add_str(f, names[i], v != NULL ? v : "");
    }
    if (file_id > 0)
        cJSON_AddNumberToObject(m, "file_id", (double)file_id);
    if (qr != NULL) {
        cJSON_AddBoolToObject(m, "scanned", true);
        cJSON_AddBoolToObject(m, "qr_found", cJSON_GetArraySize(qr) > 0);
        cJSON_AddItemToObject(m, "qr", cJSON_Duplicate(qr, true));
    }
    if (errors != NULL && cJSON_GetArraySize(errors) > 0) {
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
        view_add_str(m, "error", http_t(r, "validate.failed"));
    }
    return view_page(r, status, "pages/qualification_form", m);
}

enum app_err
qual_form(struct req *r)
{
    return form_page(r, 200, router_param_int(r, "id"),
                     arena_str(r->a, *router_param(r, "type")).p, NULL, 0, NULL,
                     NULL);
}

/* The form's fields as an object, to show them again. */
static cJSON *
form_fields(struct req *r)
{
    static const char *const names[] = { "number",     "holder",  "issued_on",
                                         "expires_on", "qr_text", NULL };
    cJSON *o = cJSON_CreateObject();
    size_t i;

    for (i = 0; o != NULL && names[i] != NULL; i++)
        view_add_str(o, names[i], arena_str(r->a, view_field(r, names[i])).p);
    return o;
}

/* Read the scan's QR code: the form comes back filled from it (what the
 * rep typed stays where the code says nothing), the file kept. */
enum app_err
qual_scan_page(struct req *r)
{
    int64_t id = router_param_int(r, "id"), file_id = 0;
    const char *type = arena_str(r->a, *router_param(r, "type")).p;
    const struct upload *file = view_file(r, "file");
    struct ruledesc rd;
    cJSON *shown = form_fields(r), *res = NULL, *errors = view_errors(r);
    const cJSON *parsed, *v;
    enum app_err rc;

    if (shown == NULL || errors == NULL)
        return APP_ENOMEM;
    if (file == NULL) {
        cJSON_AddStringToObject(errors, "file", "qual.file_required");
        rc = form_page(r, 422, id, type, shown, view_field_id(r, "file_id"),
                       NULL, errors);
        cJSON_Delete(shown);
        return rc;
    }
    rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = admission_scan(&r->cx, &rd, id, type, file, &file_id, &res);
    if (rc == APP_EVALIDATION) {
        cJSON_AddStringToObject(errors, "file", "qual.bad_file");
        r->cx.err_detail = NULL;
        rc = form_page(r, 422, id, type, shown, 0, NULL, errors);
        cJSON_Delete(shown);
        return rc;
    }
    if (rc != APP_OK) {
        cJSON_Delete(shown);
        return rc;
    }
    parsed = cJSON_GetObjectItemCaseSensitive(res, "fields");
    cJSON_ArrayForEach(v, parsed)
    {
        if (cJSON_IsString(v) && v->valuestring[0] != '\0' &&
            cJSON_GetObjectItemCaseSensitive(shown, v->string) != NULL)
            cJSON_ReplaceItemInObjectCaseSensitive(
                shown, v->string, cJSON_CreateString(v->valuestring));
    }
    v = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(res, "qr"), 0);
    if (cJSON_IsString(v))
        cJSON_ReplaceItemInObjectCaseSensitive(
            shown, "qr_text", cJSON_CreateString(v->valuestring));
    rc = form_page(r, 200, id, type, shown, file_id,
                   cJSON_GetObjectItemCaseSensitive(res, "qr"), NULL);
    cJSON_Delete(shown);
    cJSON_Delete(res);
    return rc;
}

enum app_err
qual_submit_page(struct req *r)
{
    int64_t id = router_param_int(r, "id"), doc = 0;
    struct qual_input in = { 0 };
    struct ruledesc rd;
    cJSON *errors = view_errors(r), *shown;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    in.type = arena_str(r->a, *router_param(r, "type")).p;
    in.number = view_field(r, "number");
    in.holder = view_field(r, "holder");
    in.issued_on = view_field(r, "issued_on");
    in.expires_on = view_field(r, "expires_on");
    in.qr_text = view_field(r, "qr_text");
    in.file = view_file(r, "file");
    in.file_id = in.file == NULL ? view_field_id(r, "file_id") : 0;
    rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = admission_submit(&r->cx, &rd, id, &in, errors, &doc);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        shown = form_fields(r);
        rc = form_page(r, 422, id, in.type, shown, in.file_id, NULL, errors);
        cJSON_Delete(shown);
        return rc;
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/customers/%lld/qualifications?done=submitted",
                        (long long)id));
}

enum app_err
qual_review_page(struct req *r)
{
    int64_t doc_id = router_param_int(r, "id");
    struct str decision = view_field(r, "decision");
    struct str note = view_field(r, "note");
    bool approve = str_eq_c(decision, "approve");
    struct ruledesc rd;
    struct qual_doc d;
    enum app_err rc;

    rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = qual_doc_get(&r->cx, doc_id, &d); /* foreign: 404 first */
    if (rc == APP_OK && !approve && !str_eq_c(decision, "reject"))
        rc = APP_EINVAL;
    if (rc == APP_OK)
        rc = admission_review(&r->cx, &rd, doc_id, approve,
                              arena_str(r->a, note).p);
    if (rc == APP_EVALIDATION || rc == APP_ECONFLICT) {
        const char *why = r->cx.err_detail;

        r->cx.err_detail = NULL;
        return docs_page(r, rc == APP_ECONFLICT ? 409 : 422, d.customer_id,
                         why != NULL ? why : "validate.failed");
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/customers/%lld/qualifications?done=%s",
                        (long long)d.customer_id,
                        approve ? "approved" : "rejected"));
}

/* Legal's queue and the admission lead times (managers: their team's). */
enum app_err
qual_queue_page(struct req *r)
{
    struct db_res q, lead;
    cJSON *m, *a;
    size_t i;
    enum app_err rc = APP_OK;

    m = view_new(r);
    if (m == NULL)
        return APP_ENOMEM;
    if (reviewer(r)) {
        rc = admission_queue(&r->cx, &q);
        a = cJSON_AddArrayToObject(m, "queue");
        for (i = 0; rc == APP_OK && a != NULL && i < q.nrows; i++) {
            cJSON *o = cJSON_CreateObject();

            cJSON_AddItemToArray(a, o);
            cJSON_AddNumberToObject(o, "id", (double)db_int(&q, i, 0, 0));
            view_add_str(o, "name", db_text(&q, i, 1));
            view_add_str(o, "owner", db_text(&q, i, 2));
            cJSON_AddNumberToObject(o, "pending", (double)db_int(&q, i, 3, 0));
            view_add_str(o, "since", view_local(r, db_text(&q, i, 4)));
        }
        cJSON_AddBoolToObject(m, "reviewer", true);
    }
    if (rc == APP_OK)
        rc = admission_lead_times(&r->cx, 12, &lead);
    if (rc != APP_OK)
        return rc;
    a = cJSON_AddArrayToObject(m, "lead");
    for (i = 0; a != NULL && i < lead.nrows; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(a, o);
        view_add_str(o, "team",
                     db_text(&lead, i, 1)[0] != '\0'
                         ? db_text(&lead, i, 1)
                         : http_t(r, "qual.no_team"));
        view_add_str(o, "month", db_text(&lead, i, 2));
        cJSON_AddNumberToObject(o, "cases", (double)db_int(&lead, i, 3, 0));
        view_add_str(o, "avg_days", db_text(&lead, i, 4));
        view_add_str(o, "max_days", db_text(&lead, i, 5));
    }
    return view_page(r, 200, "pages/qualification_queue", m);
}
