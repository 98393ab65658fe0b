/*
 * payments_impl.h -- what payments.c and payments_import.c share: a
 * payment checked and made plain, and the one write of it.  Not for other
 * modules (payments.h is the interface).
 */
#ifndef PROOFLINE_PAYMENTS_IMPL_H
#define PROOFLINE_PAYMENTS_IMPL_H

#include "sales/payments.h"

/* A payment as checked: every field plain and ready to bind. */
struct pay_row {
    const char *invoice_no;
    char amount[32];  /* "1234.50": two decimals, as MariaDB gives it back */
    char due_on[11];  /* "YYYY-MM-DD" */
    char paid_on[11]; /* "" unpaid */
    const char *note;
    /* An update keeps the stored paid date / note (an import whose file
     * has no such column). */
    bool keep_paid, keep_note;
};

/* Check in into row: APP_EVALIDATION with a catalog key per field in
 * errors (an object). */
APP_MUST_USE enum app_err payments_check(struct ctx *cx,
                                         const struct payment_input *in,
                                         struct pay_row *row, cJSON *errors);

/* Lock the customer's row if it is in cx's scope (APP_ENOTFOUND else):
 * the first step of a write (db.h, lock order). */
APP_MUST_USE enum app_err payments_lock_customer(struct ctx *cx,
                                                 int64_t customer_id);

/* Insert row for the customer, or update the payment with its invoice
 * number when it is the customer's (APP_ECONFLICT, err_detail
 * "payments.invoice_taken", when another customer's); nothing when it is
 * stored as row says.  Inside the caller's transaction; no audit entry. */
APP_MUST_USE enum app_err payments_write(struct ctx *cx, int64_t customer_id,
                                         const struct pay_row *row, int64_t *id,
                                         bool *created, bool *changed);

#endif
