/*
 * payment_pages.h -- payments and credit: a customer's payments page (the
 * list, the credit facts, a form to record one), the CSV import page, and
 * the JSON API of both.  Anyone with the customer in scope; the import
 * reaches only customers in the importer's scope.
 */
#ifndef PROOFLINE_PAYMENT_PAGES_H
#define PROOFLINE_PAYMENT_PAGES_H

#include "http/http.h"

APP_MUST_USE enum app_err payments_page(struct req *r);
APP_MUST_USE enum app_err payments_record_page(struct req *r);
APP_MUST_USE enum app_err payments_import_form(struct req *r);
APP_MUST_USE enum app_err payments_import_page(struct req *r);

APP_MUST_USE enum app_err api_payments(struct req *r);
APP_MUST_USE enum app_err api_payment_record(struct req *r);
APP_MUST_USE enum app_err api_payment_credit(struct req *r);
APP_MUST_USE enum app_err api_payments_import(struct req *r);

#endif
