/*
 * qual_api.c -- customer admission in the JSON API: a customer's
 * qualification documents, reading a scan's QR code, submitting, legal's
 * review, the queue and the lead times.  Same services as the pages.
 */
#include "web/handlers/qual_api.h"

#include <stdint.h>
#include <string.h>

#include "base/num.h"
#include "http/app.h"
#include "http/router.h"
#include "sales/customers.h"
#include "sales/qual_docs.h"
#include "web/api_json.h"
#include "web/auth.h"
#include "web/qual_view.h"
#include "web/view.h"
#include "work/admission.h"

enum app_err
api_qual_list(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    struct ruledesc rd;
    struct customer c;
    struct qual_status st;
    enum app_err rc = ruledesc_get(&r->cx, &rd);

    if (rc == APP_OK)
        rc = qual_visible(&r->cx, id, &c);
    if (rc == APP_OK)
        rc = qual_status_of(&r->cx, &rd, &c, true, &st);
    if (rc != APP_OK)
        return rc;
    return api_send(r, 200, qual_view_status(r, &rd, id, &st));
}

enum app_err
api_qual_scan(struct req *r)
{
    int64_t id = router_param_int(r, "id"), file_id = 0;
    const struct upload *file = view_file(r, "file");
    const char *type = arena_str(r->a, view_field(r, "type")).p;
    struct ruledesc rd;
    struct customer c;
    cJSON *res = NULL, *errors = view_errors(r);
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = customers_get(&r->cx, id, false, &c); /* foreign: 404 first */
    if (rc != APP_OK)
        return rc;
    if (file == NULL) {
        cJSON_AddStringToObject(errors, "file", "qual.file_required");
        return api_invalid(r, errors);
    }
    rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = admission_scan(&r->cx, &rd, id, type, file, &file_id, &res);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        cJSON_AddStringToObject(errors, "file", "qual.bad_file");
        return api_invalid(r, errors);
    }
    if (rc != APP_OK)
        return rc;
    cJSON_AddNumberToObject(res, "file_id", (double)file_id);
    return api_send(r, 201, res);
}

enum app_err
api_qual_submit(struct req *r)
{
    int64_t id = router_param_int(r, "id"), doc = 0;
    struct qual_input in = { 0 };
    struct ruledesc rd;
    struct customer c;
    cJSON *errors = view_errors(r), *o;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = customers_get(&r->cx, id, false, &c); /* foreign: 404 first */
    if (rc != APP_OK)
        return rc;
    in.type = arena_str(r->a, view_field(r, "type")).p;
    in.number = view_field(r, "number");
    in.holder = view_field(r, "holder");
    in.issued_on = view_field(r, "issued_on");
    in.expires_on = view_field(r, "expires_on");
    in.qr_text = view_field(r, "qr_text");
    in.file = r->json == NULL ? view_file(r, "file") : NULL;
    in.file_id = in.file == NULL ? view_field_id(r, "file_id") : 0;
    rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK && qual_type_def(&rd, in.type) == NULL) {
        cJSON_AddStringToObject(errors, "type", "qual.bad_type");
        return api_invalid(r, errors);
    }
    if (rc == APP_OK)
        rc = admission_submit(&r->cx, &rd, id, &in, errors, &doc);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return api_invalid(r, errors);
    }
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    if (o == NULL)
        return APP_ENOMEM;
    cJSON_AddNumberToObject(o, "id", (double)doc);
    cJSON_AddStringToObject(o, "type", in.type);
    cJSON_AddStringToObject(o, "status", "pending");
    return api_send(r, 201, o);
}

enum app_err
api_qual_review(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    struct str decision = view_field(r, "decision");
    bool approve = str_eq_c(decision, "approve");
    struct ruledesc rd;
    struct qual_doc d;
    cJSON *o, *errors;
    enum app_err rc;

    rc = qual_doc_get(&r->cx, id, &d); /* foreign: 404 first */
    if (rc != APP_OK)
        return rc;
    if (!approve && !str_eq_c(decision, "reject")) {
        errors = view_errors(r);
        if (errors == NULL)
            return APP_ENOMEM;
        cJSON_AddStringToObject(errors, "decision", "qual.bad_decision");
        return api_invalid(r, errors);
    }
    rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = admission_review(&r->cx, &rd, id, approve,
                              arena_str(r->a, view_field(r, "note")).p);
    if (rc == APP_EVALIDATION) {
        errors = view_errors(r);
        if (errors == NULL)
            return APP_ENOMEM;
        cJSON_AddStringToObject(errors, "note", r->cx.err_detail);
        r->cx.err_detail = NULL;
        return api_invalid(r, errors);
    }
    if (rc == APP_OK)
        rc = qual_doc_get(&r->cx, id, &d);
    if (rc != APP_OK)
        return rc;
    o = qual_view_doc(r, &d);
    if (o != NULL)
        cJSON_AddNumberToObject(o, "customer_id", (double)d.customer_id);
    return api_send(r, 200, o);
}

enum app_err
api_qual_queue(struct req *r)
{
    struct db_res q;
    cJSON *o, *a;
    size_t i;
    enum app_err rc = admission_queue(&r->cx, &q);

    if (rc == APP_EFORBIDDEN)
        return APP_ENOTFOUND;
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    a = cJSON_AddArrayToObject(o, "queue");
    for (i = 0; a != NULL && i < q.nrows; i++) {
        cJSON *x = cJSON_CreateObject();

        cJSON_AddItemToArray(a, x);
        cJSON_AddNumberToObject(x, "customer_id", (double)db_int(&q, i, 0, 0));
        cJSON_AddStringToObject(x, "customer", db_text(&q, i, 1));
        cJSON_AddStringToObject(x, "owner", db_text(&q, i, 2));
        cJSON_AddNumberToObject(x, "pending", (double)db_int(&q, i, 3, 0));
        cJSON_AddStringToObject(x, "oldest", db_text(&q, i, 4));
    }
    return api_send(r, 200, o);
}

enum app_err
api_qual_lead_times(struct req *r)
{
    struct db_res l;
    cJSON *o, *a;
    size_t i;
    enum app_err rc = admission_lead_times(&r->cx, 12, &l);

    if (rc == APP_EFORBIDDEN)
        return APP_ENOTFOUND;
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    a = cJSON_AddArrayToObject(o, "lead_times");
    for (i = 0; a != NULL && i < l.nrows; i++) {
        cJSON *x = cJSON_CreateObject();
        double avg = 0, max = 0;

        cJSON_AddItemToArray(a, x);
        if (db_int(&l, i, 0, 0) > 0)
            cJSON_AddNumberToObject(x, "team", (double)db_int(&l, i, 0, 0));
        else
            cJSON_AddNullToObject(x, "team");
        cJSON_AddStringToObject(x, "team_name", db_text(&l, i, 1));
        cJSON_AddStringToObject(x, "month", db_text(&l, i, 2));
        cJSON_AddNumberToObject(x, "cases", (double)db_int(&l, i, 3, 0));
        if (!parse_decimal(str_c(db_text(&l, i, 4)), 9, 2, &avg))
            avg = 0; /* NULL */
        if (!parse_decimal(str_c(db_text(&l, i, 5)), 9, 2, &max))
            max = 0;
        cJSON_AddNumberToObject(x, "avg_days", avg);
        cJSON_AddNumberToObject(x, "max_days", max);
    }
    return api_send(r, 200, o);
}
