/*
 * sellthrough.h -- the three sell-through metrics of a new-product
 * campaign (动销健康度; DESIGN §7), per store, and summed per region,
 * supervisor and the campaign.
 *
 * L = the campaign's launch day, T = the as_of day (local; today when not
 * given).  A store counts for a campaign when it is targeted.
 *  - First-week distribution (新品首周铺货率): eligible = targeted stores
 *    open on every day of L..L+6 (opened_on <= L, closed_on NULL or
 *    > L+6); sold = those with net units > 0 of the product on days
 *    L..min(L+6, T).  rate = sold / eligible (NULL before L or with none
 *    eligible).
 *  - Weekly sell-through ratio (单品周动销比): over the days
 *    max(L, T-6)..T, units of the product / all units of the store, for
 *    targeted stores open on T (NULL when the store sold nothing).
 *  - 30-day repurchase (顾客复购): buyers = members whose first purchase
 *    of the product in the store is on a day in L..T; repeaters = those
 *    whose next purchase there, on another receipt, is on or before T and
 *    at most 30 local days after the first.  rate = repeaters / buyers.
 * Aggregates sum numerators and denominators (never average ratios).
 *
 * The per-store components are computed from the rollups (pos_store_days,
 * pos_days, pos_members) and kept in sellthrough_cache per (campaign,
 * as_of) while pos_state.version holds, so a page reads one row; the
 * caller's scope (stores.h) filters the stores before summing.
 */
#ifndef PROOFLINE_SELLTHROUGH_H
#define PROOFLINE_SELLTHROUGH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/ctx.h"

struct st_store {
    int64_t store_id;
    const char *code, *name, *region;
    int64_t supervisor_id;
    double lat, lng; /* NaN: unknown */
    bool fw_eligible, fw_sold;
    int64_t units_new, units_all; /* the weekly window */
    bool week_open;               /* open on T */
    int64_t buyers, repeaters;
};

struct st_sum {
    const char *key; /* region name, supervisor id, or "" for the campaign */
    size_t fw_eligible, fw_sold;
    int64_t units_new, units_all;
    int64_t buyers, repeaters;
    double distribution, sku_ratio, repurchase; /* NaN: no denominator */
};

struct sellthrough {
    int64_t campaign_id, product_id;
    const char *campaign_name, *product_name, *launch_on, *as_of;
    const char *week_from; /* first day of the weekly window */
    size_t nstores;
    struct st_store *stores; /* in scope, by code */
    struct st_sum total;
    size_t nregions, nsupervisors;
    struct st_sum *regions, *supervisors;
};

/* The metrics of campaign_id as of as_of ("YYYY-MM-DD" or NULL: today in
 * the company's zone) for the caller's stores.  APP_ENOTFOUND for no such
 * campaign; APP_EVALIDATION for a malformed as_of. */
APP_MUST_USE enum app_err sellthrough_get(struct ctx *cx, int64_t campaign_id,
                                          const char *as_of,
                                          struct sellthrough *out);

#endif
