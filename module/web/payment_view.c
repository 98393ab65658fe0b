/*
 * payment_view.c -- payments and credit facts for pages and the API
 * (payment_view.h).
 */
#include "web/payment_view.h"

#include <stdio.h>
#include <string.h>

#include "base/tz.h"
#include "web/view.h"

cJSON *
payment_view_row(struct req *r, const struct db_res *res, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    const char *paid = db_text(res, i, PAY_PAID_ON);
    int64_t late = db_int(res, i, PAY_DAYS_LATE, 0);

    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)db_int(res, i, PAY_ID, 0));
    view_add_str(o, "invoice_no", db_text(res, i, PAY_INVOICE));
    view_add_str(o, "amount", db_text(res, i, PAY_AMOUNT));
    view_add_str(o, "amount_shown", view_money(r, db_text(res, i, PAY_AMOUNT)));
    view_add_str(o, "due_on", db_text(res, i, PAY_DUE_ON));
    view_add_str(o, "paid_on", paid);
    cJSON_AddBoolToObject(o, "unpaid", paid[0] == '\0');
    view_add_str(o, "note", db_text(res, i, PAY_NOTE));
    cJSON_AddNumberToObject(o, "days_late", (double)late);
    cJSON_AddBoolToObject(o, "late", late > 0);
    return o;
}

/* An amount as view_money shows it. */
static const char *
money_of(struct req *r, double v)
{
    return view_money(r, arena_printf(r->a, "%.2f", v));
}

cJSON *
payment_view_facts(struct req *r, const struct credit_facts *f,
                   const char *today)
{
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "window_days", f->window_days);
    view_add_str(o, "today", today);
    cJSON_AddNumberToObject(o, "payments", f->payments);
    cJSON_AddNumberToObject(o, "late_payments", f->late_payments);
    cJSON_AddNumberToObject(o, "max_days_late", f->max_days_late);
    cJSON_AddNumberToObject(o, "open_balance", f->open_balance);
    cJSON_AddNumberToObject(o, "overdue_balance", f->overdue_balance);
    view_add_str(o, "open_plain", arena_printf(r->a, "%.2f", f->open_balance));
    view_add_str(o, "overdue_plain",
                 arena_printf(r->a, "%.2f", f->overdue_balance));
    view_add_str(o, "open_shown", money_of(r, f->open_balance));
    view_add_str(o, "overdue_shown", money_of(r, f->overdue_balance));
    cJSON_AddBoolToObject(o, "overdue", f->overdue_balance > 0);
    return o;
}

const char *
payment_view_today(struct req *r)
{
    char today[16];

    tz_today(r->cx.tenant_tz, today, sizeof(today));
    return arena_printf(r->a, "%s", today);
}

enum app_err
payment_view_card(struct req *r, int64_t customer_id, cJSON *m)
{
    struct credit_facts f;
    struct db_res res;
    const char *today = payment_view_today(r);
    cJSON *pay, *items;
    size_t i;
    enum app_err rc =
        payments_summary(&r->cx, customer_id, today, PAYMENT_CARD_DAYS,
                         PAYMENT_CARD_ROWS, &res, &f);

    if (rc != APP_OK)
        return rc;
    pay = cJSON_AddObjectToObject(m, "pay");
    items = pay != NULL ? cJSON_AddArrayToObject(pay, "items") : NULL;
    if (items == NULL)
        return APP_ENOMEM;
    for (i = 0; i < res.nrows; i++)
        cJSON_AddItemToArray(items, payment_view_row(r, &res, i));
    cJSON_AddBoolToObject(pay, "none", res.nrows == 0);
    cJSON_AddItemToObject(pay, "facts", payment_view_facts(r, &f, today));
    return APP_OK;
}

cJSON *
payment_view_report(struct req *r, const cJSON *report)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *p;

    cJSON_ArrayForEach(p, report)
    {
        cJSON *x = cJSON_CreateObject();
        const cJSON *msg = cJSON_GetObjectItem(p, "message");

        cJSON_AddItemToArray(out, x);
        cJSON_AddNumberToObject(
            x, "line", cJSON_GetNumberValue(cJSON_GetObjectItem(p, "line")));
        view_add_str(x, "field",
                     cJSON_GetStringValue(cJSON_GetObjectItem(p, "field")));
        view_add_str(x, "code", view_error_key(msg));
        view_add_str(x, "message", view_error_text(r, msg));
    }
    return out;
}

enum app_err
payment_view_csv(struct req *r, struct str *csv, bool *given)
{
    const struct upload *u = NULL;
    char *buf;
    FILE *f;
    size_t i;

    *csv = STR_NULL;
    *given = false;
    for (i = 0; i < r->files.n && u == NULL; i++)
        if (str_eq_c(r->files.v[i].field, "file") && r->files.v[i].size > 0)
            u = &r->files.v[i];
    if (u == NULL) {
        *csv = r->text;
        *given = r->text.len > 0;
        return APP_OK;
    }
    buf = arena_alloc(r->a, u->size + 1);
    if (buf == NULL)
        return APP_ENOMEM;
    f = fopen(u->path, "rb");
    if (f == NULL)
        return APP_EIO;
    if (fread(buf, 1, u->size, f) != u->size) {
        fclose(f);
        return APP_EIO;
    }
    fclose(f);
    *csv = (struct str){ buf, u->size };
    *given = true;
    return APP_OK;
}
