/*
 * deal_exports.c -- qualification documents, contracts, shipments and
 * payments as CSV (UTF-8 with a byte order mark, formula-looking cells
 * neutralised by csv.c), in the user's scope, with headers and states in
 * the reader's language and times in the company's zone.  One table
 * describes each export; one function writes them all.
 */
#include "web/handlers/deal_exports.h"

#include <string.h>

#include "base/csv.h"
#include "base/tz.h"
#include "http/app.h"
#include "identity/settings.h"
#include "sales/contracts.h"
#include "sales/payments.h"
#include "sales/qual_docs.h"
#include "sales/shipments.h"
#include "web/auth.h"
#include "web/view.h"

#define EXPORT_COLS_MAX 16

/* How a column's cell is written. */
enum cell {
    C_TEXT,   /* as stored */
    C_TIME,   /* UTC -> the company's local time */
    C_LABEL,  /* a catalog key: prefix + value */
    C_NUMBER, /* "HT-000012" for a contract id */
};

struct column {
    const char *head; /* catalog key of the header */
    enum cell kind;
    const char *prefix; /* C_LABEL */
};

struct export_def {
    const char *name; /* the file is <name>.csv */
    enum app_err (*fetch)(struct ctx *cx, struct db_res *out);
    size_t ncols;
    struct column col[EXPORT_COLS_MAX];
};

static const struct export_def QUAL = {
    "qualifications",
    qual_docs_export,
    13,
    { { "qual.customer", C_TEXT, NULL },
      { "qual.type", C_TEXT, NULL },
      { "qual.number", C_TEXT, NULL },
      { "qual.holder", C_TEXT, NULL },
      { "qual.issued_on", C_TEXT, NULL },
      { "qual.expires_on", C_TEXT, NULL },
      { "qual.status_head", C_LABEL, "qual.status." },
      { "qual.verify_head", C_TEXT, NULL },
      { "qual.submitted", C_TEXT, NULL },
      { "qual.submitted_at", C_TIME, NULL },
      { "qual.reviewed", C_TEXT, NULL },
      { "qual.reviewed_at", C_TIME, NULL },
      { "qual.review_note", C_TEXT, NULL } },
};

static const struct export_def CONTRACTS = {
    "contracts",
    contracts_export,
    13,
    { { "contracts.number", C_NUMBER, NULL },
      { "contracts.customer", C_TEXT, NULL },
      { "contracts.template", C_TEXT, NULL },
      { "contracts.amount", C_TEXT, NULL },
      { "contracts.term.payment_term_days", C_TEXT, NULL },
      { "contracts.term.prepay_pct", C_TEXT, NULL },
      { "contracts.term.delivery_days", C_TEXT, NULL },
      { "contracts.term.warranty_months", C_TEXT, NULL },
      { "contracts.term.penalty_pct", C_TEXT, NULL },
      { "contracts.status_head", C_LABEL, "contracts.status." },
      { "contracts.approval_head", C_LABEL, "contracts.approval." },
      { "contracts.created", C_TIME, NULL },
      { "contracts.signed_at", C_TIME, NULL } },
};

static const struct export_def SHIPMENTS = {
    "shipments",
    shipments_export,
    9,
    { { "contracts.number", C_NUMBER, NULL },
      { "contracts.customer", C_TEXT, NULL },
      { "shipments.planned_at", C_TIME, NULL },
      { "shipments.goods", C_TEXT, NULL },
      { "shipments.quantity", C_TEXT, NULL },
      { "shipments.form", C_LABEL, "shipments.has_form." },
      { "shipments.state", C_LABEL, "shipments.status." },
      { "shipments.frozen_at", C_TIME, NULL },
      { "shipments.released_at", C_TIME, NULL } },
};

static const struct export_def PAYMENTS = {
    "payments",
    payments_export,
    6,
    { { "qual.customer", C_TEXT, NULL },
      { "payments.invoice_no", C_TEXT, NULL },
      { "payments.amount", C_TEXT, NULL },
      { "payments.due_on", C_TEXT, NULL },
      { "payments.paid_on", C_TEXT, NULL },
      { "payments.note", C_TEXT, NULL } },
};

static void
body_free(void *p)
{
    buf_free(p);
}

static struct str
cell_of(struct req *r, const struct column *c, const struct db_res *res,
        size_t i, size_t k)
{
    char local[40];

    switch (c->kind) {
    case C_TIME:
        return str_c(
            arena_strdup(r->a, tz_format(r->auth->tenant_tz, db_text(res, i, k),
                                         local, sizeof(local))));
    case C_LABEL:
        return str_c(http_t(
            r, arena_printf(r->a, "%s%s", c->prefix, db_text(res, i, k))));
    case C_NUMBER:
        return str_c(contracts_number(&r->cx, db_int(res, i, k, 0)));
    case C_TEXT:
    default:
        return db_cell(res, i, k);
    }
}

APP_MUST_USE static enum app_err
write_csv(struct req *r, const struct export_def *d)
{
    struct str cells[EXPORT_COLS_MAX];
    struct csv_writer w;
    struct db_res res;
    bool may = false;
    size_t i, k;
    enum app_err rc = settings_may_export(&r->cx, &may);

    /* Which roles may take lists away is the company's choice. */
    if (rc == APP_OK && !may) {
        r->cx.err_detail = "settings.export_forbidden";
        rc = APP_EFORBIDDEN;
    }
    if (rc == APP_OK)
        rc = d->fetch(&r->cx, &res);
    if (rc == APP_OK)
        rc = view_csv_begin(r, arena_printf(r->a, "%s.csv", d->name), 0);
    if (rc != APP_OK)
        return rc;
    buf_init(&r->body, NULL, (size_t)r->app->conf.limits.arena_max);
    if (arena_cleanup_add(r->a, body_free, &r->body) != 0)
        return APP_ENOMEM;
    csv_writer_init(&w, &r->body, ',');
    rc = csv_write_bom(&w);
    for (k = 0; k < d->ncols; k++)
        cells[k] = str_c(http_t(r, d->col[k].head));
    if (rc == APP_OK)
        rc = csv_write_record(&w, cells, d->ncols);
    for (i = 0; rc == APP_OK && i < res.nrows; i++) {
        for (k = 0; k < d->ncols; k++) {
            cells[k] = cell_of(r, &d->col[k], &res, i, k);
            if (cells[k].p == NULL)
                cells[k] = STR_LIT("");
        }
        rc = csv_write_record(&w, cells, d->ncols);
    }
    return rc;
}

enum app_err
qual_docs_export_csv(struct req *r)
{
    return write_csv(r, &QUAL);
}

enum app_err
contracts_export_csv(struct req *r)
{
    return write_csv(r, &CONTRACTS);
}

enum app_err
shipments_export_csv(struct req *r)
{
    return write_csv(r, &SHIPMENTS);
}

enum app_err
payments_export_csv(struct req *r)
{
    return write_csv(r, &PAYMENTS);
}
