/*
 * customer_page.h -- the reads of a customer's page in one round trip.
 */
#ifndef PROOFLINE_SALES_CUSTOMER_PAGE_H
#define PROOFLINE_SALES_CUSTOMER_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/ctx.h"

/* What the page reads, as it asks the services for it. */
struct customer_page_reads {
    size_t contacts_max; /* contacts_list's max */
    const char *today;   /* payments_summary's today, window and max */
    int pay_days;
    size_t pay_rows;
};

/* Run the page's reads that depend only on the customer -- its current
 * qualification documents (qual_status_of), contracts (contracts_of),
 * decision chain's contacts (contacts_list) and payments card
 * (payments_summary) -- as one
 * statement, so that those services, called next with the same
 * arguments, find their answers kept (db_prefetch) instead of each going
 * to the server.  The caller has loaded the customer in its scope.
 * Arguments a service would refuse prefetch nothing (the service then
 * refuses them itself). */
APP_MUST_USE enum app_err
customer_page_prefetch(struct ctx *cx, int64_t customer_id,
                       const struct customer_page_reads *q);

#endif
