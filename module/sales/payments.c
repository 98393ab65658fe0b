/*
 * payments.c -- a customer's payments and credit facts (payments.h).
 */
#include "sales/payments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/num.h"
#include "base/tz.h"
#include "base/validate.h"
#include "db/audit.h"
#include "identity/access.h"
#include "sales/customers.h"
#include "sales/payments_impl.h"

static const char SQL_EXPORT[] =
    "SELECT c.name, p.invoice_no, p.amount, DATE_FORMAT(p.due_on, "
    "'%Y-%m-%d'), COALESCE(DATE_FORMAT(p.paid_on, '%Y-%m-%d'), ''), p.note "
    "FROM payments p JOIN customers c ON c.id = p.customer_id AND "
    "c.tenant_id = p.tenant_id WHERE p.tenant_id = ? AND (? = 1 OR "
    "c.owner_id IN (SELECT descendant_id FROM user_tree WHERE tenant_id = ? "
    "AND ancestor_id = ?)) ORDER BY c.name, p.due_on, p.id LIMIT 50000";
static const char SQL_LOCK[] =
    "SELECT c.id FROM customers c WHERE c.tenant_id = ? AND c.id = ? AND "
    "(? = 1 OR c.owner_id IN (SELECT descendant_id FROM user_tree "
    "WHERE tenant_id = ? AND ancestor_id = ?)) FOR UPDATE";
static const char SQL_FIND[] =
    "SELECT id, customer_id, amount, due_on, COALESCE(paid_on, ''), note "
    "FROM payments WHERE tenant_id = ? AND invoice_no = ? FOR UPDATE";
static const char SQL_ADD[] =
    "INSERT INTO payments (tenant_id, customer_id, invoice_no, amount, "
    "due_on, paid_on, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, "
    "?, ?, ?, UTC_TIMESTAMP(3))";
static const char SQL_SET[] =
    "UPDATE payments SET amount = ?, due_on = ?, paid_on = ?, note = ? "
    "WHERE tenant_id = ? AND id = ?";

/* The last `max` payments of a customer in scope and the facts over the
 * window, in one statement: one row per payment (the PAY_* columns, then
 * the facts), or one row of NULL payment columns when there is none; no
 * row for a customer out of scope.  d holds today and the window's start
 * (exclusive). */
static const char SQL_SUMMARY[] =
    "SELECT " PAYMENTS_SQL_SUMMARY_SELECT " " PAYMENTS_SQL_SUMMARY_REST;

enum { SUM_N = PAY_NCOLS, SUM_LATE, SUM_MAX_LATE, SUM_OPEN, SUM_OVERDUE };

/* rc of audit_write(..., d), d freed. */
APP_MUST_USE static enum app_err
entry_done(enum app_err rc, cJSON *d)
{
    cJSON_Delete(d);
    return rc;
}

static bool
invoice_ok(struct str s)
{
    size_t i;

    for (i = 0; i < s.len; i++) {
        char c = s.p[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '/' ||
              c == '.'))
            return false;
    }
    return s.len > 0;
}

/* A date "YYYY-MM-DD" into out[11]. */
static bool
date_ok(struct str s, char *out)
{
    int y, m, d;

    s = str_trim(s);
    if (!parse_date(s, &y, &m, &d))
        return false;
    memcpy(out, s.p, 10);
    out[10] = '\0';
    return true;
}

/* An amount as people write it, as "1234.50" into out (cap >= 32). */
static bool
amount_ok(struct str s, char *out, size_t cap)
{
    char plain[64];
    const char *dot;
    size_t ilen, flen, skip = 0;
    double v;

    if (!parse_human_number(str_trim(s), plain, sizeof(plain)) ||
        !parse_decimal(str_c(plain), 12, 2, &v) || !(v > 0) || v >= 1e12)
        return false;
    dot = strchr(plain, '.');
    ilen = dot != NULL ? (size_t)(dot - plain) : strlen(plain);
    flen = dot != NULL ? strlen(dot + 1) : 0;
    while (skip + 1 < ilen && plain[skip] == '0')
        skip++; /* "007" is 7 */
    if (ilen - skip + 4 > cap)
        return false;
    memcpy(out, plain + skip, ilen - skip);
    out += ilen - skip;
    *out++ = '.';
    *out++ = flen > 0 ? dot[1] : '0';
    *out++ = flen > 1 ? dot[2] : '0';
    *out = '\0';
    return true;
}

/* One field's problem (its catalog key) into errors. */
APP_MUST_USE static enum app_err
bad(cJSON *errors, const char *field, const char *key)
{
    cJSON_AddStringToObject(errors, field, key);
    return APP_EVALIDATION;
}

enum app_err
payments_check(struct ctx *cx, const struct payment_input *in,
               struct pay_row *row, cJSON *errors)
{
    static const struct field_spec spec[] = {
        { "invoice_no", V_LINE, true, 1, PAYMENT_INVOICE_MAX, NULL },
        { "amount", V_LINE, true, 1, 64, NULL },
        { "due_on", V_LINE, true, 1, 20, NULL },
        { "paid_on", V_LINE, false, 0, 20, NULL },
        { "note", V_LINE, false, 0, PAYMENT_NOTE_MAX, NULL },
    };
    struct kvlist f = { 0 };
    struct field_val v[5];
    enum app_err rc = APP_OK;
    const char *detail = NULL;

    memset(row, 0, sizeof(*row));
    if (kv_add(cx->a, &f, STR_LIT("invoice_no"), in->invoice_no) != APP_OK ||
        kv_add(cx->a, &f, STR_LIT("amount"), in->amount) != APP_OK ||
        kv_add(cx->a, &f, STR_LIT("due_on"), in->due_on) != APP_OK ||
        kv_add(cx->a, &f, STR_LIT("paid_on"), in->paid_on) != APP_OK ||
        kv_add(cx->a, &f, STR_LIT("note"), in->note) != APP_OK)
        return APP_ENOMEM;
    if (validate_fields(&detail, &f, spec, 5, v, errors) != APP_OK)
        rc = APP_EVALIDATION;
    if (v[0].present && !invoice_ok(v[0].s))
        rc = bad(errors, "invoice_no", "payments.bad_invoice");
    else if (v[0].present)
        row->invoice_no = arena_str(cx->a, v[0].s).p;
    if (v[1].present && !amount_ok(v[1].s, row->amount, sizeof(row->amount)))
        rc = bad(errors, "amount", "payments.bad_amount");
    if (v[2].present && !date_ok(v[2].s, row->due_on))
        rc = bad(errors, "due_on", "payments.bad_date");
    if (v[3].present && v[3].s.len > 0 && !date_ok(v[3].s, row->paid_on))
        rc = bad(errors, "paid_on", "payments.bad_date");
    row->note = v[4].present ? arena_str(cx->a, v[4].s).p : "";
    if (rc != APP_OK)
        cx->err_detail = "validate.failed";
    return rc;
}

enum app_err
payments_lock_customer(struct ctx *cx, int64_t customer_id)
{
    struct db_res res;
    int64_t root, all;
    enum app_err rc;

    access_scope(cx, &root, &all);
    rc = db_query(cx->db, cx->a, SQL_LOCK,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_I64(customer_id),
                          DB_I64(all), DB_I64(cx->tenant_id), DB_I64(root)),
                  1, &res);
    return rc == APP_OK && res.nrows == 0 ? APP_ENOTFOUND : rc;
}

static struct db_val
paid_val(const struct pay_row *row)
{
    return row->paid_on[0] != '\0' ? DB_CSTR(row->paid_on) : DB_NULL;
}

enum app_err
payments_write(struct ctx *cx, int64_t customer_id, const struct pay_row *row,
               int64_t *id, bool *created, bool *changed)
{
    struct db_res res;
    struct pay_row up;
    uint64_t last = 0;
    enum app_err rc;

    *id = 0;
    *created = *changed = false;
    rc = db_query(cx->db, cx->a, SQL_FIND,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(row->invoice_no)), 1,
                  &res);
    if (rc != APP_OK)
        return rc;
    if (res.nrows == 0) {
        rc = db_exec(cx->db, SQL_ADD,
                     DB_ARGS(DB_I64(cx->tenant_id), DB_I64(customer_id),
                             DB_CSTR(row->invoice_no), DB_CSTR(row->amount),
                             DB_CSTR(row->due_on), paid_val(row),
                             DB_CSTR(row->note), DB_I64(cx->user_id)),
                     NULL, &last);
        *id = (int64_t)last;
        *created = *changed = rc == APP_OK;
        return rc;
    }
    *id = db_int(&res, 0, 0, 0);
    if (db_int(&res, 0, 1, 0) != customer_id) {
        cx->err_detail = "payments.invoice_taken";
        return APP_ECONFLICT;
    }
    up = *row;
    if (row->keep_paid)
        snprintf(up.paid_on, sizeof(up.paid_on), "%s", db_text(&res, 0, 4));
    if (row->keep_note)
        up.note = db_text(&res, 0, 5);
    if (strcmp(db_text(&res, 0, 2), up.amount) == 0 &&
        strcmp(db_text(&res, 0, 3), up.due_on) == 0 &&
        strcmp(db_text(&res, 0, 4), up.paid_on) == 0 &&
        strcmp(db_text(&res, 0, 5), up.note) == 0)
        return APP_OK; /* as stored already */
    *changed = true;
    return db_exec(cx->db, SQL_SET,
                   DB_ARGS(DB_CSTR(up.amount), DB_CSTR(up.due_on),
                           paid_val(&up), DB_CSTR(up.note),
                           DB_I64(cx->tenant_id), DB_I64(*id)),
                   NULL, NULL);
}

enum app_err
payments_record(struct ctx *cx, int64_t customer_id,
                const struct payment_input *in, cJSON *errors, int64_t *id,
                bool *created)
{
    struct pay_row row;
    struct db_tx tx = DB_TX_INIT;
    bool changed = false;
    enum app_err rc, valid = payments_check(cx, in, &row, errors);

    *id = 0;
    *created = false;
    if (valid != APP_OK && valid != APP_EVALIDATION)
        return valid;
    while (db_tx_next(cx->db, &tx, &rc)) {
        /* Out of scope is 404 before any field is judged. */
        rc = payments_lock_customer(cx, customer_id);
        if (rc == APP_OK && valid != APP_OK) {
            cx->err_detail = "validate.failed";
            rc = valid;
        }
        if (rc == APP_OK)
            rc = payments_write(cx, customer_id, &row, id, created, &changed);
        if (rc == APP_OK && changed) {
            cJSON *d = cJSON_CreateObject();

            cJSON_AddNumberToObject(d, "customer", (double)customer_id);
            cJSON_AddStringToObject(d, "invoice_no", row.invoice_no);
            cJSON_AddStringToObject(d, "amount", row.amount);
            cJSON_AddBoolToObject(d, "created", *created);
            rc = entry_done(audit_write(cx, cx->tenant_id, cx->user_id, 0,
                                        "payment.record", d),
                            d);
        }
    }
    if (rc != APP_OK) {
        *id = 0;
        *created = false;
    }
    return rc;
}

/* A DECIMAL or integer cell as a number. */
static double
number_of(const struct db_res *res, size_t row, size_t col)
{
    const char *s = db_text(res, row, col);
    char *end = NULL;
    double v = strtod(s, &end);

    return end != s && end != NULL && *end == '\0' ? v : 0;
}

enum app_err
payments_summary_part(struct ctx *cx, int64_t customer_id, const char *today,
                      int window_days, size_t max, struct db_part *p)
{
    int y, m, d;
    int64_t root, all;
    struct db_val t = DB_I64(cx->tenant_id), c = DB_I64(customer_id),
                  day = DB_CSTR(today != NULL ? today : "");

    if (today == NULL || !parse_date(str_c(today), &y, &m, &d) ||
        window_days < 1 || window_days > PAYMENTS_WINDOW_MAX)
        return APP_EINVAL;
    if (max > PAYMENTS_LIST_MAX)
        max = PAYMENTS_LIST_MAX;
    access_scope(cx, &root, &all);
    *p = (struct db_part){ .sql = SQL_SUMMARY,
                           .args = { day, day, DB_I64(window_days), t, c,
                                     DB_I64(all), t, DB_I64(root), day, day, t,
                                     c, DB_I64((int64_t)max) },
                           .nargs = 13,
                           .max_rows = max + 1,
                           .ncols = PAYMENTS_SQL_SUMMARY_NCOLS };
    return APP_OK;
}

enum app_err
payments_summary(struct ctx *cx, int64_t customer_id, const char *today,
                 int window_days, size_t max, struct db_res *list,
                 struct credit_facts *out)
{
    struct db_part p;
    enum app_err rc;

    memset(out, 0, sizeof(*out));
    memset(list, 0, sizeof(*list));
    rc = payments_summary_part(cx, customer_id, today, window_days, max, &p);
    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, p.sql, p.args, p.nargs, p.max_rows, list);
    if (rc != APP_OK)
        return rc;
    if (list->nrows == 0)
        return APP_ENOTFOUND;
    out->window_days = window_days;
    out->payments = (int)db_int(list, 0, SUM_N, 0);
    out->late_payments = (int)db_int(list, 0, SUM_LATE, 0);
    out->max_days_late = (int)db_int(list, 0, SUM_MAX_LATE, 0);
    out->open_balance = number_of(list, 0, SUM_OPEN);
    out->overdue_balance = number_of(list, 0, SUM_OVERDUE);
    if (db_cell(list, 0, PAY_ID).p == NULL)
        list->nrows = 0; /* no payment: the row only carried the facts */
    return APP_OK;
}

enum app_err
payments_list(struct ctx *cx, int64_t customer_id, size_t max,
              struct db_res *out)
{
    struct credit_facts f;
    char today[16];

    tz_today(cx->tenant_tz, today, sizeof(today));
    return payments_summary(cx, customer_id, today, 1, max, out, &f);
}

enum app_err
payments_credit(struct ctx *cx, int64_t customer_id, const char *today,
                int window_days, struct credit_facts *out)
{
    struct db_res list;

    return payments_summary(cx, customer_id, today, window_days, 0, &list, out);
}

enum app_err
payments_export(struct ctx *cx, struct db_res *out)
{
    int64_t root, all;

    access_scope(cx, &root, &all);
    return db_query(cx->db, cx->a, SQL_EXPORT,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(all),
                            DB_I64(cx->tenant_id), DB_I64(root)),
                    PAYMENTS_EXPORT_MAX, out);
}
