/*
 * demo_customers.h -- the demo tenant's customers (see demo.c).
 */
#ifndef PROOFLINE_DEMO_CUSTOMERS_H
#define PROOFLINE_DEMO_CUSTOMERS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "conf.h"
#include "db.h"
#include "err.h"
#include "rng.h"

/* per_rep customers for each rep, following the default rules in
 * c->lua_dir; inside the caller's transaction.  err says what failed. */
enum app_err demo_customers(struct db *db, struct arena *a, struct rng *rng,
                            const struct conf *c, int64_t tenant,
                            const int64_t *reps, size_t nreps, int per_rep,
                            char *err, size_t errlen);

#endif
