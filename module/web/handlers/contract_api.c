/*
 * contract_api.c -- contracts and shipments in the JSON API: the same
 * services as the pages (work/contracting.h, sales/shipments.h).
 */
#include "web/handlers/contract_api.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "base/num.h"
#include "http/app.h"
#include "http/router.h"
#include "sales/contracts.h"
#include "sales/customers.h"
#include "sales/shipments.h"
#include "web/api_json.h"
#include "web/auth.h"
#include "web/contract_show.h"
#include "web/view.h"
#include "work/contracting.h"

enum app_err
api_contracts_of(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    struct db_res res;
    cJSON *o, *a;
    size_t i;
    enum app_err rc = customers_get(&r->cx, id, false, &(struct customer){ 0 });

    if (rc == APP_OK)
        rc = contracts_of(&r->cx, id, &res);
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    a = cJSON_AddArrayToObject(o, "contracts");
    for (i = 0; a != NULL && i < res.nrows; i++) {
        cJSON *x = cJSON_CreateObject();

        cJSON_AddItemToArray(a, x);
        cJSON_AddNumberToObject(x, "id", (double)db_int(&res, i, 0, 0));
        cJSON_AddStringToObject(
            x, "number", contracts_number(&r->cx, db_int(&res, i, 0, 0)));
        cJSON_AddStringToObject(x, "status", db_text(&res, i, 1));
        cJSON_AddStringToObject(x, "approval", db_text(&res, i, 2));
        cJSON_AddStringToObject(x, "amount", db_text(&res, i, 3));
        cJSON_AddStringToObject(x, "created_at", db_text(&res, i, 4));
        cJSON_AddStringToObject(x, "signed_at", db_text(&res, i, 5));
        cJSON_AddStringToObject(x, "template", db_text(&res, i, 6));
    }
    return api_send(r, 200, o);
}

/* POST a contract: {"template", "amount", terms...}; "check": true asks
 * the rules without saving. */
enum app_err
api_contract_create(struct req *r)
{
    int64_t id = router_param_int(r, "id"), cid = 0;
    struct contract_request rq;
    struct contract_decision d;
    cJSON *errors = view_errors(r), *o;
    bool dry = str_eq_c(view_field(r, "check"), "true") ||
               str_eq_c(view_field(r, "check"), "1") ||
               cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->json, "check"));
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    memset(&rq, 0, sizeof(rq));
    rq.customer_id = id;
    rq.template_id = view_field_id(r, "template");
    rq.amount = view_field(r, "amount");
    rq.payment_term_days = view_field(r, "payment_term_days");
    rq.prepay_pct = view_field(r, "prepay_pct");
    rq.delivery_days = view_field(r, "delivery_days");
    rq.warranty_months = view_field(r, "warranty_months");
    rq.penalty_pct = view_field(r, "penalty_pct");
    rc = dry ? contracting_check(&r->cx, &rq, errors, &d)
             : contracting_draft(&r->cx, &rq, errors, &d, &cid);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        if (d.doc_json != NULL)
            cJSON_AddItemToObject(errors, "_decision",
                                  contract_show_decision(&d));
        return api_invalid(r, errors);
    }
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    if (o == NULL)
        return APP_ENOMEM;
    if (!dry) {
        cJSON_AddNumberToObject(o, "id", (double)cid);
        cJSON_AddStringToObject(o, "number", contracts_number(&r->cx, cid));
    }
    cJSON_AddItemToObject(o, "decision", contract_show_decision(&d));
    return api_send(r, dry ? 200 : 201, o);
}

/* The contract and its shipments. */
APP_MUST_USE static enum app_err
send_contract(struct req *r, int status, int64_t id)
{
    struct ruledesc rd;
    struct contract c;
    struct shipment *s;
    size_t n = 0, i;
    cJSON *o, *a;
    enum app_err rc = ruledesc_get(&r->cx, &rd);

    if (rc == APP_OK)
        rc = contracts_get(&r->cx, id, false, &c);
    if (rc == APP_OK)
        rc = shipments_of(&r->cx, id, contract_show_doc_hours(&rd), time(NULL),
                          &s, &n);
    if (rc != APP_OK)
        return rc;
    o = contract_show(r, &c);
    a = o != NULL ? cJSON_AddArrayToObject(o, "shipments") : NULL;
    for (i = 0; a != NULL && i < n; i++)
        cJSON_AddItemToArray(a, contract_show_shipment(r, &s[i]));
    return api_send(r, status, o);
}

enum app_err
api_contract(struct req *r)
{
    return send_contract(r, 200, router_param_int(r, "id"));
}

enum app_err
api_contract_sign(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    struct contract_blocks b;
    cJSON *o;
    enum app_err rc = contracting_sign(&r->cx, id, &b);

    if (rc == APP_ECONFLICT && b.n > 0) {
        o = cJSON_CreateObject();
        if (o == NULL)
            return APP_ENOMEM;
        cJSON_AddStringToObject(o, "error", "cannot_sign");
        cJSON_AddStringToObject(o, "message",
                                http_t(r, "contracts.cannot_sign"));
        cJSON_AddItemToObject(o, "missing", contract_show_blocks(r, &b));
        return api_send(r, 409, o);
    }
    return rc == APP_OK ? send_contract(r, 200, id) : rc;
}

/* A conflict or a check the service refused, with its catalog key. */
APP_MUST_USE static enum app_err
refused(struct req *r, int status, const char *fallback)
{
    const char *key = r->cx.err_detail != NULL ? r->cx.err_detail : fallback;
    cJSON *o = cJSON_CreateObject();

    r->cx.err_detail = NULL;
    if (o == NULL)
        return APP_ENOMEM;
    cJSON_AddStringToObject(o, "error", key);
    cJSON_AddStringToObject(o, "message", http_t(r, key));
    return api_send(r, status, o);
}

enum app_err
api_contract_decide(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    struct str decision = view_field(r, "decision");
    bool approve = str_eq_c(decision, "approve");
    enum app_err rc = contracts_get(&r->cx, id, false, &(struct contract){ 0 });

    if (rc == APP_OK && !approve && !str_eq_c(decision, "reject")) {
        r->cx.err_detail = "contracts.bad_decision";
        return refused(r, 422, "contracts.bad_decision");
    }
    if (rc == APP_OK)
        rc = contracting_decide(&r->cx, id, approve,
                                arena_str(r->a, view_field(r, "note")).p);
    if (rc == APP_EVALIDATION)
        return refused(r, 422, "validate.failed");
    if (rc == APP_ECONFLICT)
        return refused(r, 409, "contracts.not_waiting");
    return rc == APP_OK ? send_contract(r, 200, id) : rc;
}

enum app_err
api_contract_cancel(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    enum app_err rc = contracting_cancel(&r->cx, id);

    if (rc == APP_ECONFLICT)
        return refused(r, 409, "contracts.not_draft");
    return rc == APP_OK ? send_contract(r, 200, id) : rc;
}

enum app_err
api_contracts_awaiting(struct req *r)
{
    struct db_res q;
    cJSON *o, *a;
    size_t i;
    enum app_err rc = contracts_awaiting(&r->cx, &q);

    if (rc == APP_EFORBIDDEN)
        return APP_ENOTFOUND;
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    a = cJSON_AddArrayToObject(o, "contracts");
    for (i = 0; a != NULL && i < q.nrows; i++) {
        cJSON *x = cJSON_CreateObject();

        cJSON_AddItemToArray(a, x);
        cJSON_AddNumberToObject(x, "id", (double)db_int(&q, i, 0, 0));
        cJSON_AddNumberToObject(x, "customer_id", (double)db_int(&q, i, 1, 0));
        cJSON_AddStringToObject(x, "customer", db_text(&q, i, 2));
        cJSON_AddStringToObject(x, "amount", db_text(&q, i, 3));
        cJSON_AddStringToObject(x, "created_at", db_text(&q, i, 4));
    }
    return api_send(r, 200, o);
}

enum app_err
api_shipments_of(struct req *r)
{
    return send_contract(r, 200, router_param_int(r, "id"));
}

enum app_err
api_shipment_add(struct req *r)
{
    int64_t id = router_param_int(r, "id"), sid = 0;
    cJSON *errors = view_errors(r), *o;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = shipments_add(&r->cx, id, view_field(r, "planned_at"),
                       view_field(r, "goods"), view_field(r, "quantity"),
                       errors, &sid);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return api_invalid(r, errors);
    }
    if (rc == APP_ECONFLICT)
        return refused(r, 409, "shipments.not_signed");
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    if (o == NULL)
        return APP_ENOMEM;
    cJSON_AddNumberToObject(o, "id", (double)sid);
    return api_send(r, 201, o);
}

enum app_err
api_shipment_form(struct req *r)
{
    int64_t id = router_param_int(r, "id"), fid = 0;
    const struct upload *file = view_file(r, "file");
    cJSON *o;
    enum app_err rc;

    rc = shipments_get(&r->cx, id, 0, 0, &(struct shipment){ 0 });
    if (rc == APP_OK)
        rc = shipments_form(&r->cx, id, file, &fid);
    if (rc == APP_EVALIDATION)
        return refused(r, 422, "shipments.bad_form");
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    if (o == NULL)
        return APP_ENOMEM;
    cJSON_AddNumberToObject(o, "id", (double)id);
    cJSON_AddNumberToObject(o, "file_id", (double)fid);
    return api_send(r, 200, o);
}

enum app_err
api_shipment_release(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    struct ruledesc rd;
    struct shipment s;
    cJSON *o;
    enum app_err rc = ruledesc_get(&r->cx, &rd);

    if (rc == APP_OK)
        rc = shipments_release(&r->cx, id, contract_show_doc_hours(&rd),
                               time(NULL), &s);
    if (rc == APP_ECONFLICT) {
        bool frozen =
            r->cx.err_detail != NULL &&
            strcmp(r->cx.err_detail, "shipments.outbound_frozen") == 0;

        if (!frozen)
            return refused(r, 409, "shipments.not_planned");
        r->cx.err_detail = NULL;
        o = cJSON_CreateObject();
        if (o == NULL)
            return APP_ENOMEM;
        cJSON_AddStringToObject(o, "error", "outbound_frozen");
        cJSON_AddStringToObject(o, "message",
                                http_t(r, "shipments.outbound_frozen"));
        cJSON_AddItemToObject(o, "shipment", contract_show_shipment(r, &s));
        return api_send(r, 409, o);
    }
    if (rc != APP_OK)
        return rc;
    return api_send(r, 200, contract_show_shipment(r, &s));
}
