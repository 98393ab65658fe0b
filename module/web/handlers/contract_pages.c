/*
 * contract_pages.c -- contracts in the pages: a new contract from a
 * template with the rules' decision shown on the form's round trip, the
 * contract page (print, sign, finance's decision, cancel), its shipments
 * with the countdown (add, upload the logistics form, release one or
 * several), and finance's queue.
 */
#include "web/handlers/contract_pages.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "base/num.h"
#include "http/app.h"
#include "http/router.h"
#include "identity/role.h"
#include "sales/clauses.h"
#include "sales/contracts.h"
#include "sales/customers.h"
#include "sales/shipments.h"
#include "web/auth.h"
#include "web/contract_show.h"
#include "web/contract_view.h"
#include "web/customer_view.h"
#include "web/view.h"
#include "work/contracting.h"

/* The terms a contract is made of, in the form's order. */
static const char *const TERMS[] = { "payment_term_days", "prepay_pct",
                                     "delivery_days",     "warranty_months",
                                     "penalty_pct",       NULL };

static const char *const done_keys[] = { "created",  "signed",    "approved",
                                         "rejected", "cancelled", "shipment",
                                         "form",     "released",  NULL };

/* The request the form carries. */
static void
request_of(struct req *r, int64_t customer, struct contract_request *rq)
{
    memset(rq, 0, sizeof(*rq));
    rq->customer_id = customer;
    rq->template_id = view_field_id(r, "template");
    rq->amount = view_field(r, "amount");
    rq->payment_term_days = view_field(r, "payment_term_days");
    rq->prepay_pct = view_field(r, "prepay_pct");
    rq->delivery_days = view_field(r, "delivery_days");
    rq->warranty_months = view_field(r, "warranty_months");
    rq->penalty_pct = view_field(r, "penalty_pct");
}

/* Each term with the template's options, the chosen one selected. */
static cJSON *
terms_model(struct req *r, const struct contract_template *t)
{
    cJSON *a = cJSON_CreateArray();
    size_t i;

    for (i = 0; a != NULL && TERMS[i] != NULL; i++) {
        cJSON *o = cJSON_CreateObject(), *opts;
        const cJSON *v;
        struct str chosen = view_field(r, TERMS[i]);

        if (o == NULL || !cJSON_AddItemToArray(a, o)) {
            cJSON_Delete(o);
            break;
        }
        view_add_str(o, "name", TERMS[i]);
        view_add_str(
            o, "label",
            http_t(r, arena_printf(r->a, "contracts.term.%s", TERMS[i])));
        opts = cJSON_AddArrayToObject(o, "options");
        cJSON_ArrayForEach(
            v, cJSON_GetObjectItemCaseSensitive(t->options, TERMS[i]))
        {
            cJSON *x = cJSON_CreateObject();
            const char *text = arena_printf(r->a, "%g", v->valuedouble);

            if (!cJSON_IsNumber(v) || x == NULL || opts == NULL) {
                cJSON_Delete(x);
                continue;
            }
            cJSON_AddItemToArray(opts, x);
            view_add_str(x, "value", text);
            cJSON_AddBoolToObject(x, "selected", str_eq_c(chosen, text));
        }
    }
    return a;
}

/* The new-contract form: templates, the chosen one's terms, the rules'
 * decision when checked, errors. */
APP_MUST_USE static enum app_err
new_page(struct req *r, int status, int64_t id, const cJSON *decision,
         const cJSON *errors)
{
    struct ruledesc rd;
    struct customer c;
    struct contract_template t;
    struct db_res list;
    int64_t chosen = view_field_id(r, "template");
    cJSON *m, *a;
    size_t i;
    enum app_err rc = ruledesc_get(&r->cx, &rd);

    if (rc == APP_OK)
        rc = customers_get(&r->cx, id, false, &c);
    if (rc == APP_OK)
        rc = templates_list(&r->cx, &list);
    if (rc != APP_OK)
        return rc;
    if (chosen == 0 && list.nrows > 0)
        chosen = db_int(&list, 0, 0, 0);
    m = view_new(r);
    if (m == NULL)
        return APP_ENOMEM;
    cJSON_AddItemToObject(m, "c", cview_customer(r, &rd, &c));
    a = cJSON_AddArrayToObject(m, "templates");
    for (i = 0; a != NULL && i < list.nrows; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(a, o);
        cJSON_AddNumberToObject(o, "id", (double)db_int(&list, i, 0, 0));
        view_add_str(o, "name", db_text(&list, i, 3));
        cJSON_AddNumberToObject(o, "version", (double)db_int(&list, i, 2, 0));
        cJSON_AddBoolToObject(o, "selected", db_int(&list, i, 0, 0) == chosen);
    }
    if (chosen > 0 && templates_get(&r->cx, chosen, &t) == APP_OK)
        cJSON_AddItemToObject(m, "terms", terms_model(r, &t));
    view_add_str(m, "amount", arena_str(r->a, view_field(r, "amount")).p);
    if (decision != NULL)
        cJSON_AddItemToObject(m, "decision", cJSON_Duplicate(decision, true));
    if (errors != NULL && cJSON_GetArraySize(errors) > 0) {
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
        view_add_str(m, "error", http_t(r, "validate.failed"));
    }
    return view_page(r, status, "pages/contract_new", m);
}

enum app_err
contract_new(struct req *r)
{
    const struct str *t = kv_get(&r->query_args, "template");

    if (t != NULL)
        app_ignore(kv_add(r->a, &r->form, STR_LIT("template"), *t),
                   "the first template is chosen instead");
    return new_page(r, 200, router_param_int(r, "id"), NULL, NULL);
}

/* "Check": the rules' decision for the chosen terms, nothing saved. */
enum app_err
contract_check_page(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    struct contract_request rq;
    struct contract_decision d;
    cJSON *errors = view_errors(r), *dm;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    request_of(r, id, &rq);
    rc = contracting_check(&r->cx, &rq, errors, &d);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        dm = d.doc_json != NULL ? contract_show_decision(&d) : NULL;
        rc = new_page(r, 422, id, dm, errors);
        cJSON_Delete(dm);
        return rc;
    }
    if (rc != APP_OK)
        return rc;
    dm = contract_show_decision(&d);
    rc = new_page(r, 200, id, dm, NULL);
    cJSON_Delete(dm);
    return rc;
}

enum app_err
contract_create_page(struct req *r)
{
    int64_t id = router_param_int(r, "id"), cid = 0;
    struct contract_request rq;
    struct contract_decision d;
    cJSON *errors = view_errors(r), *dm;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    request_of(r, id, &rq);
    rc = contracting_draft(&r->cx, &rq, errors, &d, &cid);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        dm = d.doc_json != NULL ? contract_show_decision(&d) : NULL;
        rc = new_page(r, 422, id, dm, errors);
        cJSON_Delete(dm);
        return rc;
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/contracts/%lld?done=created", (long long)cid));
}

/* The printable contract (partials/contract_print) from the stored row:
 * its template version, terms and resolved text. */
static cJSON *
print_model(struct req *r, const struct contract *c)
{
    struct contract_template t;
    struct contract_terms k;
    struct contract_text text = { c->body, c->clause_versions };

    if (templates_get(&r->cx, c->template_id, &t) != APP_OK)
        return NULL;
    memset(&k, 0, sizeof(k));
    /* Stored by the service as decimals: a failed parse leaves 0. */
    if (!parse_decimal(str_c(c->amount), 12, 2, &k.amount))
        k.amount = 0;
    if (!parse_decimal(str_c(c->prepay_pct), 3, 2, &k.prepay_pct))
        k.prepay_pct = 0;
    if (!parse_decimal(str_c(c->penalty_pct), 3, 2, &k.penalty_pct))
        k.penalty_pct = 0;
    k.payment_term_days = c->payment_term_days;
    k.delivery_days = c->delivery_days;
    k.warranty_months = c->warranty_months;
    return contract_view(r, &t, &k, c->customer_name,
                         contracts_number(&r->cx, c->id), &text);
}

/* The contract page; blocks (may be NULL) why signing was refused, error
 * (may be NULL) a refused action's message. */
APP_MUST_USE static enum app_err
show(struct req *r, int status, int64_t id, cJSON *blocks, const char *error)
{
    struct ruledesc rd;
    struct contract c;
    struct shipment *s;
    size_t n = 0, i;
    bool in_scope;
    cJSON *m, *a;
    enum app_err rc = ruledesc_get(&r->cx, &rd);

    if (rc == APP_OK)
        rc = contracts_get(&r->cx, id, false, &c);
    if (rc == APP_OK)
        rc = shipments_of(&r->cx, id, contract_show_doc_hours(&rd), time(NULL),
                          &s, &n);
    if (rc != APP_OK) {
        cJSON_Delete(blocks);
        return rc;
    }
    in_scope = customers_get(&r->cx, c.customer_id, false,
                             &(struct customer){ 0 }) == APP_OK;
    m = view_new(r);
    if (m == NULL) {
        cJSON_Delete(blocks);
        return APP_ENOMEM;
    }
    cJSON_AddItemToObject(m, "k", contract_show(r, &c));
    cJSON_AddItemToObject(m, "print", print_model(r, &c));
    a = cJSON_AddArrayToObject(m, "shipments");
    for (i = 0; a != NULL && i < n; i++)
        cJSON_AddItemToArray(a, contract_show_shipment(r, &s[i]));
    cJSON_AddNumberToObject(m, "doc_hours", contract_show_doc_hours(&rd));
    cJSON_AddBoolToObject(m, "can_act", in_scope);
    cJSON_AddBoolToObject(m, "can_decide",
                          (r->cx.role & (ROLE_FINANCE | ROLE_ADMIN)) != 0);
    if (blocks != NULL)
        cJSON_AddItemToObject(m, "blocks", blocks);
    if (error != NULL)
        view_add_str(m, "error", http_t(r, error));
    else if (blocks == NULL)
        view_done(r, m, "contracts.done_%s", done_keys);
    return view_page(r, status, "pages/contract", m);
}

enum app_err
contract_page(struct req *r)
{
    return show(r, 200, router_param_int(r, "id"), NULL, NULL);
}

APP_MUST_USE static enum app_err
back(struct req *r, int64_t id, const char *done)
{
    return http_redirect(
        r, arena_printf(r->a, "/contracts/%lld?done=%s", (long long)id, done));
}

enum app_err
contract_sign_page(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    struct contract_blocks b;
    enum app_err rc = contracting_sign(&r->cx, id, &b);

    if (rc == APP_ECONFLICT && b.n > 0)
        return show(r, 409, id, contract_show_blocks(r, &b),
                    "contracts.cannot_sign");
    return rc == APP_OK ? back(r, id, "signed") : rc;
}

enum app_err
contract_decide_page(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    struct str decision = view_field(r, "decision");
    bool approve = str_eq_c(decision, "approve");
    struct contract c;
    enum app_err rc = contracts_get(&r->cx, id, false, &c);

    if (rc == APP_OK && !approve && !str_eq_c(decision, "reject"))
        rc = APP_EINVAL;
    if (rc == APP_OK)
        rc = contracting_decide(&r->cx, id, approve,
                                arena_str(r->a, view_field(r, "note")).p);
    if (rc == APP_EVALIDATION || rc == APP_ECONFLICT) {
        const char *why = r->cx.err_detail;

        r->cx.err_detail = NULL;
        return show(r, rc == APP_ECONFLICT ? 409 : 422, id, NULL,
                    why != NULL ? why : "validate.failed");
    }
    return rc == APP_OK ? back(r, id, approve ? "approved" : "rejected") : rc;
}

enum app_err
contract_cancel_page(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    enum app_err rc = contracting_cancel(&r->cx, id);

    if (rc == APP_ECONFLICT) {
        r->cx.err_detail = NULL;
        return show(r, 409, id, NULL, "contracts.not_draft");
    }
    return rc == APP_OK ? back(r, id, "cancelled") : rc;
}

enum app_err
shipment_add_page(struct req *r)
{
    int64_t id = router_param_int(r, "id"), sid = 0;
    cJSON *errors = view_errors(r);
    const cJSON *e;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = shipments_add(&r->cx, id, view_field(r, "planned_at"),
                       view_field(r, "goods"), view_field(r, "quantity"),
                       errors, &sid);
    if (rc == APP_EVALIDATION || rc == APP_ECONFLICT) {
        const char *why = r->cx.err_detail;

        r->cx.err_detail = NULL;
        e = errors->child;
        return show(r, rc == APP_ECONFLICT ? 409 : 422, id, NULL,
                    e != NULL && cJSON_IsString(e) ? e->valuestring
                    : why != NULL                  ? why
                                                   : "validate.failed");
    }
    return rc == APP_OK ? back(r, id, "shipment") : rc;
}

enum app_err
shipment_form_page(struct req *r)
{
    int64_t id = router_param_int(r, "id"), fid = 0;
    struct shipment s;
    enum app_err rc = shipments_get(&r->cx, id, 0, 0, &s);

    if (rc == APP_OK)
        rc = shipments_form(&r->cx, id, view_file(r, "file"), &fid);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return show(r, 422, s.contract_id, NULL, "shipments.bad_form");
    }
    return rc == APP_OK ? back(r, s.contract_id, "form") : rc;
}

enum app_err
shipment_release_page(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    struct ruledesc rd;
    struct shipment s;
    enum app_err rc = ruledesc_get(&r->cx, &rd);

    if (rc == APP_OK)
        rc = shipments_release(&r->cx, id, contract_show_doc_hours(&rd),
                               time(NULL), &s);
    if (rc == APP_ECONFLICT) {
        const char *why = r->cx.err_detail;

        r->cx.err_detail = NULL;
        return show(r, 409, s.contract_id, NULL,
                    why != NULL ? why : "shipments.not_planned");
    }
    return rc == APP_OK ? back(r, s.contract_id, "released") : rc;
}

/* Release the ticked shipments of a contract, each through the same gate:
 * a frozen one is refused and named, the others go. */
enum app_err
shipments_release_bulk_page(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    struct ruledesc rd;
    size_t i, frozen = 0;
    enum app_err rc = ruledesc_get(&r->cx, &rd);

    if (rc == APP_OK)
        rc = contracts_get(&r->cx, id, false, &(struct contract){ 0 });
    for (i = 0; rc == APP_OK && i < r->form.n; i++) {
        struct shipment s;
        int64_t sid = 0;

        if (!str_eq_c(r->form.v[i].key, "ids") ||
            !parse_i64(str_trim(r->form.v[i].val), 1, INT64_MAX, &sid))
            continue;
        /* Only this contract's shipments, each through the one gate. */
        rc = shipments_get(&r->cx, sid, 0, 0, &s);
        if (rc == APP_OK && s.contract_id != id)
            rc = APP_ENOTFOUND;
        if (rc == APP_OK)
            rc = shipments_release(&r->cx, sid, contract_show_doc_hours(&rd),
                                   time(NULL), &s);
        if (rc == APP_ECONFLICT) {
            frozen++;
            rc = APP_OK;
            r->cx.err_detail = NULL;
        }
    }
    if (rc != APP_OK) /* another contract's or company's id: 404 */
        return rc;
    return frozen > 0 ? show(r, 409, id, NULL, "shipments.outbound_frozen")
                      : back(r, id, "released");
}

/* Finance's queue. */
enum app_err
contracts_queue_page(struct req *r)
{
    struct db_res q;
    cJSON *m, *a;
    size_t i;
    enum app_err rc = contracts_awaiting(&r->cx, &q);

    if (rc == APP_EFORBIDDEN)
        return APP_ENOTFOUND;
    if (rc != APP_OK)
        return rc;
    m = view_new(r);
    a = cJSON_AddArrayToObject(m, "queue");
    for (i = 0; a != NULL && i < q.nrows; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(a, o);
        cJSON_AddNumberToObject(o, "id", (double)db_int(&q, i, 0, 0));
        view_add_str(o, "number",
                     contracts_number(&r->cx, db_int(&q, i, 0, 0)));
        view_add_str(o, "customer", db_text(&q, i, 2));
        view_add_str(o, "amount", view_money(r, db_text(&q, i, 3)));
        view_add_str(o, "created_at", view_local(r, db_text(&q, i, 4)));
        view_add_str(o, "owner", db_text(&q, i, 5));
    }
    return view_page(r, 200, "pages/contracts_queue", m);
}
