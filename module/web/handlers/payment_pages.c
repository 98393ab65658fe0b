/*
 * payment_pages.c -- payments and credit pages and API (payment_pages.h).
 */
#include "web/handlers/payment_pages.h"

#include <string.h>

#include "base/num.h"
#include "base/validate.h"
#include "http/router.h"
#include "sales/customers.h"
#include "sales/payments.h"
#include "web/api_json.h"
#include "web/payment_view.h"
#include "web/view.h"

static void
input_of(struct req *r, struct payment_input *in)
{
    in->invoice_no = view_field(r, "invoice_no");
    in->amount = view_field(r, "amount");
    in->due_on = view_field(r, "due_on");
    in->paid_on = view_field(r, "paid_on");
    in->note = view_field(r, "note");
}

/* Record the payment the request carries: APP_EVALIDATION with errors
 * (an invoice of another customer is the invoice field's problem). */
APP_MUST_USE static enum app_err
record(struct req *r, int64_t id, cJSON *errors, int64_t *pid, bool *created)
{
    struct payment_input in;
    enum app_err rc;

    input_of(r, &in);
    rc = payments_record(&r->cx, id, &in, errors, pid, created);
    if (rc == APP_ECONFLICT) {
        cJSON_AddStringToObject(errors, "invoice_no", "payments.invoice_taken");
        rc = APP_EVALIDATION;
    }
    if (rc == APP_EVALIDATION)
        r->cx.err_detail = NULL;
    return rc;
}

/* The payments page of customer id (status; the form's errors). */
APP_MUST_USE static enum app_err
show_page(struct req *r, int status, int64_t id, cJSON *errors)
{
    static const char *const done[] = { "recorded", "updated", NULL };
    struct customer c;
    struct credit_facts f;
    struct db_res res;
    const char *today = payment_view_today(r);
    cJSON *m, *items;
    size_t i;
    enum app_err rc = customers_get(&r->cx, id, false, &c);

    if (rc == APP_OK)
        rc = payments_summary(&r->cx, id, today, PAYMENT_CARD_DAYS,
                              PAYMENTS_LIST_MAX, &res, &f);
    if (rc != APP_OK)
        return rc;
    m = view_new(r);
    if (m == NULL || (items = cJSON_AddArrayToObject(m, "items")) == NULL)
        return APP_ENOMEM;
    cJSON_AddNumberToObject(m, "customer_id", (double)id);
    view_add_str(m, "customer_name", c.name);
    for (i = 0; i < res.nrows; i++)
        cJSON_AddItemToArray(items, payment_view_row(r, &res, i));
    cJSON_AddBoolToObject(m, "none", res.nrows == 0);
    cJSON_AddItemToObject(m, "facts", payment_view_facts(r, &f, today));
    if (errors != NULL) {
        cJSON *v = cJSON_AddObjectToObject(m, "v");
        size_t k;

        for (k = 0; v != NULL && k < r->form.n; k++)
            view_add_str(v, r->form.v[k].key.p, r->form.v[k].val.p);
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
    }
    view_done(r, m, "payments.done_%s", done);
    return view_page(r, status, "pages/payments", m);
}

enum app_err
payments_page(struct req *r)
{
    return show_page(r, 200, router_param_int(r, "id"), NULL);
}

enum app_err
payments_record_page(struct req *r)
{
    int64_t id = router_param_int(r, "id"), pid;
    bool created;
    cJSON *errors = view_errors(r);
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = record(r, id, errors, &pid, &created);
    if (rc == APP_EVALIDATION)
        return show_page(r, 422, id, errors);
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/customers/%lld/payments?done=%s", (long long)id,
                        created ? "recorded" : "updated"));
}

/* The import page, with the outcome of an import when there was one. */
APP_MUST_USE static enum app_err
import_page(struct req *r, int status, const cJSON *report, bool keep_good,
            size_t saved, size_t bad)
{
    cJSON *m = view_new(r);

    if (m == NULL)
        return APP_ENOMEM;
    cJSON_AddBoolToObject(m, "keep_good", keep_good);
    if (report != NULL) {
        cJSON *o = cJSON_AddObjectToObject(m, "result");

        cJSON_AddNumberToObject(o, "saved", (double)saved);
        cJSON_AddNumberToObject(o, "bad", (double)bad);
        cJSON_AddBoolToObject(o, "refused", status != 200);
        cJSON_AddItemToObject(o, "problems", payment_view_report(r, report));
        cJSON_AddBoolToObject(o, "has_problems",
                              cJSON_GetArraySize(report) > 0);
    }
    return view_page(r, status, "pages/payments_import", m);
}

enum app_err
payments_import_form(struct req *r)
{
    return import_page(r, 200, NULL, false, 0, 0);
}

/* Whether keep_good is on in the form or the query. */
static bool
keep_good_of(struct req *r)
{
    const struct str *v = kv_get(&r->form, "keep_good");
    bool on = false;

    if (v == NULL)
        v = kv_get(&r->query_args, "keep_good");
    return v != NULL && parse_bool(*v, &on) && on;
}

/* Run the import the request carries; *report is the request's. */
APP_MUST_USE static enum app_err
import_of(struct req *r, bool keep_good, cJSON **report, size_t *saved,
          size_t *bad)
{
    struct str csv;
    bool given;
    enum app_err rc;

    *saved = *bad = 0;
    *report = cJSON_CreateArray();
    if (*report == NULL)
        return APP_ENOMEM;
    if (arena_cleanup_add(r->a, (void (*)(void *))cJSON_Delete, *report) != 0) {
        cJSON_Delete(*report);
        *report = NULL;
        return APP_ENOMEM;
    }
    rc = payment_view_csv(r, &csv, &given);
    if (rc == APP_OK && !given) {
        cJSON *p = cJSON_CreateObject();

        cJSON_AddNumberToObject(p, "line", 0);
        cJSON_AddStringToObject(p, "field", "file");
        cJSON_AddStringToObject(p, "message", "payments.import_no_file");
        cJSON_AddItemToArray(*report, p);
        return APP_EVALIDATION;
    }
    if (rc == APP_OK)
        rc = payments_import(&r->cx, csv, keep_good, *report, saved, bad);
    if (rc == APP_EVALIDATION)
        r->cx.err_detail = NULL;
    return rc;
}

enum app_err
payments_import_page(struct req *r)
{
    cJSON *report;
    size_t saved, bad;
    bool keep = keep_good_of(r);
    enum app_err rc = import_of(r, keep, &report, &saved, &bad);

    if (rc == APP_EVALIDATION)
        return import_page(r, 422, report, keep, saved, bad);
    if (rc != APP_OK)
        return rc;
    return import_page(r, 200, report, keep, saved, bad);
}

/* --- the JSON API --------------------------------------------------------- */

enum app_err
api_payments(struct req *r)
{
    struct db_res res;
    cJSON *o, *list;
    size_t i;
    enum app_err rc = payments_list(&r->cx, router_param_int(r, "id"),
                                    PAYMENTS_LIST_MAX, &res);

    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    list = o != NULL ? cJSON_AddArrayToObject(o, "payments") : NULL;
    for (i = 0; list != NULL && i < res.nrows; i++)
        cJSON_AddItemToArray(list, payment_view_row(r, &res, i));
    return api_send(r, 200, list != NULL ? o : (cJSON_Delete(o), NULL));
}

enum app_err
api_payment_record(struct req *r)
{
    int64_t id = router_param_int(r, "id"), pid = 0;
    bool created = false;
    struct db_res res;
    cJSON *errors = view_errors(r), *o = NULL;
    size_t i;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = record(r, id, errors, &pid, &created);
    if (rc == APP_EVALIDATION)
        return api_invalid(r, errors);
    if (rc == APP_OK)
        rc = payments_list(&r->cx, id, PAYMENTS_LIST_MAX, &res);
    if (rc != APP_OK)
        return rc;
    for (i = 0; o == NULL && i < res.nrows; i++)
        if (db_int(&res, i, PAY_ID, 0) == pid)
            o = payment_view_row(r, &res, i);
    if (o == NULL)
        o = cJSON_CreateObject();
    if (o != NULL) {
        cJSON_DeleteItemFromObject(o, "id");
        cJSON_AddNumberToObject(o, "id", (double)pid);
        cJSON_AddBoolToObject(o, "created", created);
    }
    return api_send(r, created ? 201 : 200, o);
}

enum app_err
api_payment_credit(struct req *r)
{
    static const struct field_spec spec[] = {
        { "window_days", V_INT, false, 1, PAYMENTS_WINDOW_MAX, NULL },
        { "today", V_LINE, false, 10, 10, NULL },
    };
    struct field_val v[2];
    struct credit_facts f;
    const char *today;
    int y, mo, d;
    cJSON *errors = view_errors(r);
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = validate_fields(&r->cx.err_detail, &r->query_args, spec, 2, v, errors);
    today = v[1].present ? arena_str(r->a, v[1].s).p : payment_view_today(r);
    if (rc == APP_OK && !parse_date(str_c(today), &y, &mo, &d)) {
        cJSON_AddStringToObject(errors, "today", "payments.bad_date");
        rc = APP_EVALIDATION;
    }
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return api_invalid(r, errors);
    }
    if (rc == APP_OK)
        rc =
            payments_credit(&r->cx, router_param_int(r, "id"), today,
                            v[0].present ? (int)v[0].i : PAYMENT_CARD_DAYS, &f);
    return rc != APP_OK ? rc
                        : api_send(r, 200, payment_view_facts(r, &f, today));
}

enum app_err
api_payments_import(struct req *r)
{
    cJSON *report, *o;
    size_t saved, bad;
    enum app_err rc = import_of(r, keep_good_of(r), &report, &saved, &bad);

    if (rc != APP_OK && rc != APP_EVALIDATION)
        return rc;
    o = cJSON_CreateObject();
    if (o == NULL)
        return APP_ENOMEM;
    if (rc == APP_EVALIDATION) {
        cJSON_AddStringToObject(o, "error", "import_refused");
        cJSON_AddStringToObject(o, "message",
                                http_t(r, "payments.import_refused"));
    }
    cJSON_AddNumberToObject(o, "saved", (double)saved);
    cJSON_AddNumberToObject(o, "bad", (double)bad);
    cJSON_AddItemToObject(o, "report", payment_view_report(r, report));
    return api_send(r, rc == APP_OK ? 200 : 422, o);
}
