/*
 * demo_customers.h -- the demo tenant's customers (see demo.c).
 */
#ifndef PROOFLINE_DEMO_CUSTOMERS_H
#define PROOFLINE_DEMO_CUSTOMERS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/arena.h"
#include "base/conf.h"
#include "db/db.h"
#include "base/err.h"
#include "base/rng.h"

struct demo_spec {
    int64_t tenant;
    const int64_t *reps; /* owners, in turn */
    size_t nreps;
    int64_t customers; /* in all */
    int days;          /* history window: created within the last days */
    time_t now;        /* the day the data is relative to */
};

/* spec->customers customers following the default rules in c->lua_dir,
 * inside the caller's transaction.  err (empty on entry) says what failed.
 * Ids are taken above each table's maximum: run it while nothing else
 * writes customers (a clash fails the transaction, nothing half-made). */
APP_MUST_USE enum app_err demo_customers(struct db *db, struct rng *rng,
                                         const struct conf *c,
                                         const struct demo_spec *spec,
                                         char *err, size_t errlen);

#endif
