/*
 * demo_stores.h -- the demo's retail chain (see demo.c): stores across
 * five regions under area supervisors, a product list with a new product
 * launched 32 days ago, its campaign with a talk-track file, and POS
 * sales with members for the last pos_days days, so the sell-through
 * dashboard has laggards in each metric.
 *
 * Through the same services as the pages and the import: stores and
 * campaigns (sales/stores.h, sales/campaigns.h) as the admin, the POS
 * lines written to a CSV file and read by pos_import_run.  After the
 * demo's main transaction (the rules must be published).  Deterministic
 * from the seed and --today; today's patrols (twelve store visits by the
 * first supervisor, with storefront and shelf photos) only when --today
 * is today, visits being recorded on the server's clock.
 *
 * Each store's behaviour is drawn once: its traffic, whether it stocks the
 * new product in the first week (about one in eight does not; more in
 * 西南), the product's share of its units (about one in ten below 5 %),
 * and the share of its members who like the product (repurchase between
 * about 10 % and 60 %).
 */
#ifndef PROOFLINE_DEMO_STORES_H
#define PROOFLINE_DEMO_STORES_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "db/db.h"

#define DEMO_STORES_MAX 20000
#define DEMO_POS_DAYS_MAX 400
#define DEMO_STORE_MANAGERS 30 /* store1..store30 manage the first stores */
#define DEMO_STORES_PER_SUPERVISOR 40

struct demo_chain {
    int64_t tenant;
    int64_t admin;
    const int64_t *supervisors; /* supervisor1.. */
    size_t nsupervisors;
    const int64_t *managers; /* store1.. (store managers) */
    size_t nmanagers;
    int stores;   /* 0: no chain */
    int pos_days; /* days of sales, ending yesterday */
    uint64_t seed;
    time_t now;
};

/* Supervisors and store managers the chain needs (demo.c makes them). */
size_t demo_chain_supervisors(int stores);
size_t demo_chain_managers(int stores);

APP_MUST_USE enum app_err demo_stores(struct db *db, struct arena *a,
                                      const struct conf *c,
                                      const struct demo_chain *chain);

#endif
