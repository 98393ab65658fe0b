/*
 * demo_deals.h -- the demo company's admission and contract work in
 * progress (see demo.c): something to look at in every queue of issue 15.
 *
 * As the first rep, through the same services as the pages:
 *   - a dealer's business licence waiting for legal's review;
 *   - a hospital's payments, three of them late in the last 90 days;
 *   - for that hospital a draft with a 60-day term, which the rules send
 *     to finance for approval (30 % prepayment);
 *   - a signed contract with two shipments: one 30 hours away without its
 *     logistics form (frozen), one in five days.
 * After the demo's main transaction (the rules must be published).
 */
#ifndef PROOFLINE_DEMO_DEALS_H
#define PROOFLINE_DEMO_DEALS_H

#include <stdint.h>
#include <time.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "db/db.h"

APP_MUST_USE enum app_err demo_deals(struct db *db, struct arena *a,
                                     const struct conf *c, int64_t tenant,
                                     time_t now);

#endif
