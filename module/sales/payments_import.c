/*
 * payments_import.c -- payments from a CSV file (payments.h,
 * payments_import): every line checked as payments_record checks it, then
 * written in one transaction, all or nothing or the good lines only.
 */
#include <stdlib.h>
#include <string.h>

#include "base/num.h"
#include "db/audit.h"
#include "identity/access.h"
#include "sales/csv_import.h"
#include "sales/payments_impl.h"

#define IMPORT_BYTES (16u * 1024u * 1024u) /* of the decoded text */
#define REPORT_MAX 1000                    /* problems listed */

/* The customer a line names: its id, or its exact name in scope (the id
 * first when the text is a number that is one). */
static const char SQL_CUSTOMER[] =
    "SELECT c.id, c.id = ? FROM customers c WHERE c.tenant_id = ? AND "
    "(c.id = ? OR c.name = ?) AND (? = 1 OR c.owner_id IN (SELECT "
    "descendant_id FROM user_tree WHERE tenant_id = ? AND ancestor_id = ?)) "
    "ORDER BY 2 DESC, c.id LIMIT 2";

enum col { COL_CUSTOMER, COL_INVOICE, COL_AMOUNT, COL_DUE, COL_PAID, COL_NOTE };

/* The header names a file may use for each column (in enum col's order);
 * the first four are required. */
static const struct csv_in_col HEADERS[] = {
    { "customer", { "customer", "customer_id", "客户", "客户名称" }, true },
    { "invoice_no", { "invoice_no", "invoice", "发票号", "发票号码" }, true },
    { "amount", { "amount", "金额" }, true },
    { "due_on", { "due_on", "应付日期", "到期日" }, true },
    { "paid_on", { "paid_on", "付款日期" }, false },
    { "note", { "note", "备注" }, false },
};

static const struct csv_import_spec IMPORT = {
    .in = { HEADERS, sizeof(HEADERS) / sizeof(HEADERS[0]), IMPORT_BYTES,
            PAYMENTS_IMPORT_ROWS, 32, CSV_MAX_FIELD_BYTES },
    .max_bytes = IMPORT_BYTES / 2,
    .max_problems = REPORT_MAX,
    .member = "message",
    .too_big = "payments.import_too_big",
    .unknown = "payments.import_unknown_column",
    .no_column = "payments.import_no_column",
    .repeated = NULL, /* the first column counts */
    .empty = "payments.import_empty",
};

/* A good line: its payment and customer. */
struct line {
    size_t line;
    int64_t customer_id;
    struct pay_row row;
};

struct import {
    struct ctx *cx;
    cJSON *report;
    struct csv_import csv;
    cJSON *customers; /* the text of a customer column -> id (0: bad) */
    cJSON *invoices;  /* invoice numbers seen */
    struct line *good;
    size_t ngood, nbad, lines;
};

/* One problem: {line, field, message}. */
static void
problem(cJSON *report, size_t line, const char *field, const char *key)
{
    csv_import_report(report, REPORT_MAX, "message", line, field,
                      cJSON_CreateString(key));
}

static struct str
cell(const struct import *im, const struct csv_record *rec, enum col c)
{
    return csv_in_cell(&im->csv.in, rec, c);
}

/* The customer a line names in scope (0: none, or several). */
APP_MUST_USE static enum app_err
customer_of(struct import *im, struct str text, int64_t *id, const char **why)
{
    struct ctx *cx = im->cx;
    const char *key = arena_str(cx->a, str_trim(text)).p;
    const cJSON *known = cJSON_GetObjectItemCaseSensitive(im->customers, key);
    struct db_res res;
    int64_t root, all, num = 0;
    enum app_err rc;

    *id = 0;
    *why = "payments.import_unknown_customer";
    if (key[0] == '\0') {
        *why = "validate.required";
        return APP_OK;
    }
    if (cJSON_IsNumber(known)) {
        *id = (int64_t)known->valuedouble;
        *why = *id > 0 ? NULL : *why;
        return APP_OK;
    }
    if (!parse_i64(str_c(key), 1, INT64_MAX, &num))
        num = 0;
    access_scope(cx, &root, &all);
    rc = db_query(cx->db, cx->a, SQL_CUSTOMER,
                  DB_ARGS(DB_I64(num), DB_I64(cx->tenant_id), DB_I64(num),
                          DB_CSTR(key), DB_I64(all), DB_I64(cx->tenant_id),
                          DB_I64(root)),
                  2, &res);
    if (rc != APP_OK)
        return rc;
    if (res.nrows == 1 || (res.nrows == 2 && db_int(&res, 0, 1, 0) == 1))
        *id = db_int(&res, 0, 0, 0);
    else if (res.nrows == 2)
        *why = "payments.import_customer_ambiguous";
    cJSON_AddNumberToObject(im->customers, key, (double)*id);
    if (*id > 0)
        *why = NULL;
    return APP_OK;
}

/* Check one line into im->good, or report it. */
APP_MUST_USE static enum app_err
check_line(struct import *im, const struct csv_record *rec)
{
    struct ctx *cx = im->cx;
    struct payment_input in;
    struct line *ln = &im->good[im->ngood];
    cJSON *errors = cJSON_CreateObject();
    const cJSON *e;
    const char *why = NULL;
    bool bad = false;
    enum app_err rc = errors != NULL ? APP_OK : APP_ENOMEM;

    in.invoice_no = cell(im, rec, COL_INVOICE);
    in.amount = cell(im, rec, COL_AMOUNT);
    in.due_on = cell(im, rec, COL_DUE);
    in.paid_on = cell(im, rec, COL_PAID);
    in.note = cell(im, rec, COL_NOTE);
    ln->line = rec->line;
    if (rc == APP_OK)
        rc = customer_of(im, cell(im, rec, COL_CUSTOMER), &ln->customer_id,
                         &why);
    if (rc == APP_OK && why != NULL) {
        problem(im->report, rec->line, "customer", why);
        bad = true;
    }
    if (rc == APP_OK && payments_check(cx, &in, &ln->row, errors) != APP_OK) {
        cJSON_ArrayForEach(e, errors)
        {
            problem(im->report, rec->line, e->string,
                    cJSON_IsString(e) ? e->valuestring : "validate.failed");
        }
        bad = true;
    } else if (rc == APP_OK && cJSON_GetObjectItemCaseSensitive(
                                   im->invoices, ln->row.invoice_no) != NULL) {
        problem(im->report, rec->line, "invoice_no",
                "payments.import_invoice_repeated");
        bad = true;
    } else if (rc == APP_OK) {
        cJSON_AddTrueToObject(im->invoices, ln->row.invoice_no);
        ln->row.keep_paid = !csv_in_has(&im->csv.in, COL_PAID);
        ln->row.keep_note = !csv_in_has(&im->csv.in, COL_NOTE);
    }
    cJSON_Delete(errors);
    cx->err_detail = NULL;
    if (bad)
        im->nbad++;
    else if (rc == APP_OK)
        im->ngood++;
    return rc;
}

/* Every line of the file checked: im->good, im->nbad and the report.
 * APP_EVALIDATION when the file itself is wrong (its text, CSV syntax,
 * header). */
APP_MUST_USE static enum app_err
read_lines(struct import *im)
{
    struct csv_record rec;
    enum app_err rc = csv_import_header(&im->csv);

    while (rc == APP_OK && (rc = csv_import_next(&im->csv, &rec)) == APP_OK &&
           rec.n > 0) {
        im->lines++;
        rc = check_line(im, &rec);
    }
    return rc == APP_OK && im->csv.refused ? APP_EVALIDATION : rc;
}

static int
by_customer(const void *a, const void *b)
{
    int64_t x = ((const struct line *)a)->customer_id,
            y = ((const struct line *)b)->customer_id;
    size_t la = ((const struct line *)a)->line,
           lb = ((const struct line *)b)->line;

    if (x != y)
        return x < y ? -1 : 1;
    return la < lb ? -1 : la > lb;
}

/* One try of the write: customers locked in ascending order, then each
 * line; a line whose invoice is another customer's goes to taken (which
 * refuses everything unless keep_good).  *changed: lines that changed
 * something. */
APP_MUST_USE static enum app_err
write_lines(struct import *im, bool keep_good, cJSON *taken, size_t *changed)
{
    struct ctx *cx = im->cx;
    int64_t last = 0, id;
    bool created, ch;
    size_t i;
    enum app_err rc = APP_OK;

    *changed = 0;
    for (i = 0; rc == APP_OK && i < im->ngood; i++) {
        const struct line *ln = &im->good[i];

        if (ln->customer_id != last)
            rc = payments_lock_customer(cx, ln->customer_id);
        last = ln->customer_id;
        if (rc == APP_OK)
            rc = payments_write(cx, ln->customer_id, &ln->row, &id, &created,
                                &ch);
        if (rc == APP_ECONFLICT) {
            problem(taken, ln->line, "invoice_no", "payments.invoice_taken");
            cx->err_detail = NULL;
            rc = APP_OK;
        }
        *changed += rc == APP_OK && ch ? 1 : 0;
    }
    if (rc == APP_OK && !keep_good && cJSON_GetArraySize(taken) > 0)
        rc = APP_EVALIDATION; /* roll back what the try wrote */
    if (rc == APP_OK && *changed > 0) {
        cJSON *d = cJSON_CreateObject();

        cJSON_AddNumberToObject(d, "count", (double)*changed);
        cJSON_AddNumberToObject(d, "lines", (double)im->lines);
        rc =
            audit_write(cx, cx->tenant_id, cx->user_id, 0, "payment.import", d);
        cJSON_Delete(d);
    }
    return rc;
}

/* Write the good lines in one transaction; lines found taken on the way
 * are added to the report and counted bad. */
APP_MUST_USE static enum app_err
write_all(struct import *im, bool keep_good, size_t *saved)
{
    struct db_tx tx = DB_TX_INIT;
    cJSON *taken = NULL, *p;
    size_t changed = 0, n;
    enum app_err rc;

    qsort(im->good, im->ngood, sizeof(*im->good), by_customer);
    while (db_tx_next(im->cx->db, &tx, &rc)) {
        cJSON_Delete(taken); /* of a try that lost a deadlock */
        taken = cJSON_CreateArray();
        rc = taken != NULL ? write_lines(im, keep_good, taken, &changed)
                           : APP_ENOMEM;
    }
    n = (size_t)cJSON_GetArraySize(taken);
    cJSON_ArrayForEach(p, taken)
    {
        cJSON *c = cJSON_Duplicate(p, true);

        if (c != NULL && cJSON_GetArraySize(im->report) < REPORT_MAX)
            cJSON_AddItemToArray(im->report, c);
        else
            cJSON_Delete(c);
    }
    cJSON_Delete(taken);
    im->nbad += n;
    if (rc == APP_EVALIDATION)
        im->cx->err_detail = "payments.import_refused";
    *saved = rc == APP_OK ? im->ngood - n : 0;
    return rc;
}

enum app_err
payments_import(struct ctx *cx, struct str csv, bool keep_good, cJSON *report,
                size_t *saved, size_t *bad)
{
    struct import im = { .cx = cx, .report = report };
    enum app_err rc;

    *saved = *bad = 0;
    rc = csv_import_bytes(&im.csv, cx, &IMPORT, csv, report);
    if (rc == APP_OK && im.csv.refused) {
        cx->err_detail = "payments.import_refused";
        return APP_EVALIDATION;
    }
    im.customers = cJSON_CreateObject();
    im.invoices = cJSON_CreateObject();
    im.good = arena_calloc(cx->a, PAYMENTS_IMPORT_ROWS, sizeof(*im.good));
    if (rc == APP_OK &&
        (im.customers == NULL || im.invoices == NULL || im.good == NULL))
        rc = APP_ENOMEM;
    if (rc == APP_OK)
        rc = read_lines(&im);
    if (rc == APP_OK && !keep_good && im.nbad > 0)
        rc = APP_EVALIDATION;
    if (rc == APP_OK && im.ngood > 0)
        rc = write_all(&im, keep_good, saved);
    cJSON_Delete(im.customers);
    cJSON_Delete(im.invoices);
    *bad = im.nbad;
    if (rc == APP_EVALIDATION) {
        *saved = 0;
        cx->err_detail = "payments.import_refused";
    }
    return rc;
}
