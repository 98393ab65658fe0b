/*
 * payments.h -- a customer's payments (invoices: when each was due, when
 * it was paid) and the credit facts they show: how often and how late the
 * customer paid over a trailing window, what is open and what is overdue.
 *
 * A payment belongs to a customer; everything here is in the caller's
 * scope (access.h): another company's or another rep's customer is
 * APP_ENOTFOUND.  The invoice number is unique in the company: recording
 * one again updates it (same customer only).  Field problems are catalog
 * keys per field; callers translate them.
 */
#ifndef PROOFLINE_PAYMENTS_H
#define PROOFLINE_PAYMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/str.h"
#include "db/ctx.h"
#include "db/db.h"

#define PAYMENT_INVOICE_MAX 64
#define PAYMENT_NOTE_MAX 500
#define PAYMENTS_LIST_MAX 1000
#define PAYMENTS_IMPORT_ROWS 20000 /* lines after the header */
#define PAYMENTS_WINDOW_MAX 366    /* days of the credit window */

struct payment_input {
    struct str invoice_no, amount, due_on, paid_on, note;
};

/* Record a payment of a customer in the caller's scope, or update the one
 * with the same invoice number (same customer; another customer's invoice
 * number -> APP_ECONFLICT, err_detail "payments.invoice_taken").  Checks:
 * invoice 1..64 characters of ASCII letters, digits and - _ / .; amount a
 * positive decimal with at most 2 decimals as people write it ("1,234.50",
 * parse_human_number), below 1e12 (what DECIMAL(14,2) holds); due_on a
 * date; paid_on empty or a date; note at most 500 characters, one line.
 * APP_EVALIDATION with one catalog key per field in errors.  Audited
 * ("payment.record") when something changed: recording exactly what is
 * stored changes nothing.  *id the row, *created whether it is new. */
APP_MUST_USE enum app_err payments_record(struct ctx *cx, int64_t customer_id,
                                          const struct payment_input *in,
                                          cJSON *errors, int64_t *id,
                                          bool *created);

/* Columns of a payment row (payments_list, payments_summary). */
enum {
    PAY_ID,
    PAY_INVOICE,
    PAY_AMOUNT,  /* plain decimal text, "1234.50" */
    PAY_DUE_ON,  /* "YYYY-MM-DD" */
    PAY_PAID_ON, /* "YYYY-MM-DD", "" unpaid */
    PAY_NOTE,
    PAY_DAYS_LATE, /* as credit_facts counts them, on the company's today */
    PAY_NCOLS
};

/* A customer's payments (in scope, else APP_ENOTFOUND), newest due first,
 * at most max (<= PAYMENTS_LIST_MAX): the PAY_* columns. */
APP_MUST_USE enum app_err payments_list(struct ctx *cx, int64_t customer_id,
                                        size_t max, struct db_res *out);

struct credit_facts {
    int window_days;        /* as asked */
    int late_payments;      /* payments due in the window that were late */
    int max_days_late;      /* the most days late among them */
    double open_balance;    /* unpaid amount, any due date */
    double overdue_balance; /* unpaid and due before today */
    int payments;           /* payments due in the window */
};

/* The credit facts of a customer on `today` ("YYYY-MM-DD", the company's
 * local date) over the trailing window_days (1..PAYMENTS_WINDOW_MAX, else
 * APP_EINVAL, as for a malformed today): a payment is in the window when
 * today - window_days < due_on <= today; it is late when paid_on > due_on,
 * or when it is unpaid and due_on < today (days late: paid_on - due_on,
 * or today - due_on).  The customer must be in scope (APP_ENOTFOUND
 * otherwise). */
APP_MUST_USE enum app_err payments_credit(struct ctx *cx, int64_t customer_id,
                                          const char *today, int window_days,
                                          struct credit_facts *out);

/* Both of the above in one statement (one round trip, for the customer
 * page): the last `max` payments into list (PAY_* columns, days late on
 * `today`) and the facts over window_days. */
APP_MUST_USE enum app_err payments_summary(struct ctx *cx, int64_t customer_id,
                                           const char *today, int window_days,
                                           size_t max, struct db_res *list,
                                           struct credit_facts *out);
/* Its read (the customer page prefetches it with others, db_prefetch):
 * "SELECT " PAYMENTS_SQL_SUMMARY_SELECT " " PAYMENTS_SQL_SUMMARY_REST;
 * APP_EINVAL for arguments payments_summary refuses. */
#define PAYMENTS_SQL_SUMMARY_SELECT                                            \
    "p.id, p.invoice_no, p.amount, p.due_on, COALESCE(p.paid_on, ''), "        \
    "p.note, p.days_late, f.n, f.late, f.max_late, f.open_bal, f.overdue_bal"
#define PAYMENTS_SQL_SUMMARY_REST                                              \
    "FROM (SELECT COUNT(x.id) AS n_all, "                                      \
    "COALESCE(SUM(x.due_on > d.since AND x.due_on <= d.today), 0) AS n, "      \
    "COALESCE(SUM(x.due_on > d.since AND x.due_on <= d.today AND "             \
    "((x.paid_on IS NOT NULL AND x.paid_on > x.due_on) OR "                    \
    "(x.paid_on IS NULL AND x.due_on < d.today))), 0) AS late, "               \
    "COALESCE(MAX(CASE WHEN x.due_on > d.since AND x.due_on <= d.today AND "   \
    "((x.paid_on IS NOT NULL AND x.paid_on > x.due_on) OR "                    \
    "(x.paid_on IS NULL AND x.due_on < d.today)) THEN "                        \
    "DATEDIFF(COALESCE(x.paid_on, d.today), x.due_on) END), 0) AS max_late, "  \
    "COALESCE(SUM(CASE WHEN x.paid_on IS NULL THEN x.amount END), 0) "         \
    "AS open_bal, COALESCE(SUM(CASE WHEN x.paid_on IS NULL AND "               \
    "x.due_on < d.today THEN x.amount END), 0) AS overdue_bal "                \
    "FROM (SELECT CAST(? AS DATE) AS today, "                                  \
    "DATE_SUB(CAST(? AS DATE), INTERVAL ? DAY) AS since) d "                   \
    "JOIN customers c ON c.tenant_id = ? AND c.id = ? AND "                    \
    "(? = 1 OR c.owner_id IN (SELECT descendant_id FROM user_tree "            \
    "WHERE tenant_id = ? AND ancestor_id = ?)) "                               \
    "LEFT JOIN payments x ON x.tenant_id = c.tenant_id AND "                   \
    "x.customer_id = c.id GROUP BY c.id) f "                                   \
    "LEFT JOIN (SELECT y.id, y.invoice_no, y.amount, y.due_on, y.paid_on, "    \
    "y.note, CASE WHEN y.paid_on IS NOT NULL THEN "                            \
    "GREATEST(DATEDIFF(y.paid_on, y.due_on), 0) WHEN y.due_on < CAST(? AS "    \
    "DATE) THEN DATEDIFF(CAST(? AS DATE), y.due_on) ELSE 0 END AS days_late "  \
    "FROM payments y WHERE y.tenant_id = ? AND y.customer_id = ? "             \
    "ORDER BY y.due_on DESC, y.id DESC LIMIT ?) p ON 1 = 1 "                   \
    "ORDER BY p.due_on DESC, p.id DESC"
#define PAYMENTS_SQL_SUMMARY_NCOLS 12
APP_MUST_USE enum app_err
payments_summary_part(struct ctx *cx, int64_t customer_id, const char *today,
                      int window_days, size_t max, struct db_part *p);

/* Import a CSV file (UTF-8 or GBK, detected): a header row naming the
 * columns customer (an id, or the exact name of one customer in scope),
 * invoice_no, amount, due_on, paid_on, note -- or 客户, 发票号, 金额,
 * 应付日期/到期日, 付款日期, 备注 -- then one payment a line, checked as
 * payments_record checks it.  A line whose invoice is on an earlier line,
 * or is another customer's, is bad.  keep_good false: all or nothing, any
 * bad line refuses the file (APP_EVALIDATION, err_detail
 * "payments.import_refused") and nothing is saved; true: the good lines
 * are saved and the bad ones skipped.  report (a JSON array, the
 * caller's) gets {line, field, message} per problem: line the file's
 * 1-based line, message a catalog key.  A problem with the file itself
 * (encoding, CSV syntax, header) refuses it whatever the mode.  Upserts
 * by invoice: importing the same file again changes nothing.  At most
 * PAYMENTS_IMPORT_ROWS lines (APP_ETOOBIG, "payments.import_too_big").
 * *saved: lines now stored as the file says; *bad: lines refused.  One
 * audit entry ("payment.import") when something changed. */
APP_MUST_USE enum app_err payments_import(struct ctx *cx, struct str csv,
                                          bool keep_good, cJSON *report,
                                          size_t *saved, size_t *bad);

/* The payments of the customers the user may see, for a CSV export (at
 * most PAYMENTS_EXPORT_MAX): customer, invoice_no, amount, due_on,
 * paid_on ("" unpaid), note. */
#define PAYMENTS_EXPORT_MAX 50000
APP_MUST_USE enum app_err payments_export(struct ctx *cx, struct db_res *out);

#endif
