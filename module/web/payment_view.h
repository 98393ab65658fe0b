/*
 * payment_view.h -- a customer's payments and credit facts as the pages
 * and the API show them (sales/payments.h), and the CSV a request brings
 * for an import.
 */
#ifndef PROOFLINE_PAYMENT_VIEW_H
#define PROOFLINE_PAYMENT_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

#include "http/http.h"
#include "sales/payments.h"

/* The window of the customer page's credit facts, and its payments. */
#define PAYMENT_CARD_DAYS 90
#define PAYMENT_CARD_ROWS 10

/* Row i of a PAY_* result: {id, invoice_no, amount (plain), amount_shown,
 * due_on, paid_on ("" unpaid), unpaid, note, days_late, late}. */
cJSON *payment_view_row(struct req *r, const struct db_res *res, size_t i);

/* {window_days, today, payments, late_payments, max_days_late,
 * open_balance, overdue_balance (numbers), open_shown, overdue_shown}. */
cJSON *payment_view_facts(struct req *r, const struct credit_facts *f,
                          const char *today);

/* The company's today ("YYYY-MM-DD", in the arena). */
const char *payment_view_today(struct req *r);

/* The customer page's card: m.pay = {items (the last PAYMENT_CARD_ROWS),
 * none, facts (over PAYMENT_CARD_DAYS)}, in one statement. */
APP_MUST_USE enum app_err payment_view_card(struct req *r, int64_t customer_id,
                                            cJSON *m);

/* An import's report for people and programs: [{line, field, code,
 * message}] with message translated (a new array, the caller's). */
cJSON *payment_view_report(struct req *r, const cJSON *report);

/* The CSV of an import request: the uploaded part "file", else a text/csv
 * body.  *given false when there is neither. */
APP_MUST_USE enum app_err payment_view_csv(struct req *r, struct str *csv,
                                           bool *given);

#endif
