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
 * as_of) while pos_state.version holds and no store changed since, so a page
 * reads one row; the caller's scope (stores.h: one statement of ids, none for
 * admins and marketing) filters the stores before summing.
 */
#ifndef PROOFLINE_SELLTHROUGH_H
#define PROOFLINE_SELLTHROUGH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "db/ctx.h"
#include "db/db.h"

struct st_store {
    int64_t store_id;
    const char *code, *name, *region;
    int64_t supervisor_id;       /* 0: none */
    const char *supervisor_name; /* "" for none */
    int64_t customer_id;         /* its customer record, 0: none */
    double lat, lng;             /* NaN: unknown */
    bool fw_eligible, fw_sold;
    int64_t units_new, units_all; /* the weekly window */
    bool week_open;               /* open on T */
    int64_t buyers, repeaters;
};

struct st_sum {
    const char *key; /* region name, supervisor id, or "" for the campaign */
    int64_t supervisor_id; /* of a supervisor's sum */
    const char *name;      /* the supervisor's name */
    size_t fw_eligible, fw_sold;
    int64_t units_new, units_all;
    int64_t buyers, repeaters;
    double distribution, sku_ratio, repurchase; /* NaN: no denominator */
};

struct sellthrough {
    int64_t campaign_id, product_id;
    const char *campaign_name, *product_name, *launch_on, *as_of;
    const char *product_sku;
    const char *week_from; /* first day of the weekly window */
    bool started;          /* as_of >= launch_on */
    bool all;              /* every targeted store, no scope */
    size_t nstores;
    struct st_store *stores; /* in scope, by code */
    struct st_sum total;
    size_t nregions, nsupervisors;
    struct st_sum *regions, *supervisors;
};

/* The metrics of campaign_id as of as_of ("YYYY-MM-DD" or NULL: today in
 * the company's zone) for the caller's stores.  APP_ENOTFOUND for no such
 * campaign; APP_EVALIDATION for a malformed as_of.  Everything in *out
 * lives in cx->a. */
APP_MUST_USE enum app_err sellthrough_get(struct ctx *cx, int64_t campaign_id,
                                          const char *as_of,
                                          struct sellthrough *out);

/* The same for every targeted store of the company, whoever asks: for the
 * alerts job and for a store's peers (the caller has checked that it may
 * see the store the peers are shown for). */
APP_MUST_USE enum app_err sellthrough_get_all(struct ctx *cx,
                                              int64_t campaign_id,
                                              const char *as_of,
                                              struct sellthrough *out);

/* The newest active campaign of the company (by launch day, then id);
 * APP_ENOTFOUND when there is none. */
APP_MUST_USE enum app_err sellthrough_default_campaign(struct ctx *cx,
                                                       int64_t *id);

/* The campaigns for a picker, newest first: rows (id, name, launch_on,
 * active), at most ST_CAMPAIGNS_MAX. */
#define ST_CAMPAIGNS_MAX 200
APP_MUST_USE enum app_err sellthrough_campaigns(struct ctx *cx,
                                                struct db_res *out);

/* The document the API answers (sellthrough_doc.c): {"campaign": {id,
 * name, product_id, sku, product_name, launch_on}, as_of, week_from,
 * total, regions [{region, ...}], supervisors [{supervisor_id, name,
 * ...}], stores [{id, code, name, region, supervisor_id, ...}]}, a sum
 * being {distribution {eligible, sold, rate}, sku_ratio {units_new,
 * units_all, ratio}, repurchase {buyers, repeaters, rate}} and a store's
 * {distribution {eligible, sold: bool}, sku_ratio {open: bool,
 * units_new, units_all, ratio}, repurchase {buyers, repeaters, rate}};
 * rates null without a denominator; without `stores` the document has no
 * "stores" (a page that lists them its own way).  *out is the caller's
 * (cJSON_Delete).
 * st_doc_head: the first three members; st_doc_sum / st_doc_store add a
 * sum's or a store's three members to o. */
APP_MUST_USE enum app_err sellthrough_doc(const struct sellthrough *st,
                                          bool stores, cJSON **out);
cJSON *st_doc_head(const struct sellthrough *st);
void st_doc_sum(cJSON *o, const struct st_sum *s);
void st_doc_store(cJSON *o, const struct st_store *s);

/* --- one store (sellthrough_store.c) ------------------------------------ */

#define ST_PEERS_MAX 5   /* peers on a store page */
#define ST_HOURS_DAYS 28 /* best-selling times: the last 28 days */
#define ST_OTHERS_MAX 10 /* other products in a profile report */

/* The store page's numbers ("why next door sells more") for a store the
 * caller sees (else APP_ENOTFOUND): st_doc_head's members and "store"
 * {id, code, name, address, region, supervisor_id, supervisor_name,
 * customer_id, lat, lng, targeted, the three metrics, photo, hours}, and
 * "peers": up to ST_PEERS_MAX nearest open targeted stores with a
 * position, nearest first, each {id, code, name, region, km, the three
 * metrics, photo, hours}.  photo: the latest shelf photo of a visit to
 * the store's customer {file_id, thumb_file_id, at} or null; hours: 24
 * numbers, units sold per local hour over the last ST_HOURS_DAYS days to
 * as_of.  campaign_id 0 (the company has none): "campaign" null, the
 * store without metrics and no peers.  *out is the caller's. */
APP_MUST_USE enum app_err sellthrough_store(struct ctx *cx, int64_t campaign_id,
                                            const char *as_of, int64_t store_id,
                                            cJSON **out);

/* The customer profile report of a store (visible to the caller) for the
 * campaign's product, from the store's POS lines on days L..as_of:
 * st_doc_head's members, "store" {id, code, name}, "frequency" [{"n":
 * "1"|"2"|"3"|"4+", "members"}] (member buyers by receipts with the
 * product), "basket" {"with": {receipts, units, amount, mean_units,
 * mean_amount}, "without": {...}} (amounts in yuan; means null without
 * receipts), "hours" [24 {hour, receipts, units}] (receipts with the
 * product by local hour), "others" [{product_id, sku, name, receipts,
 * units}] (the top ST_OTHERS_MAX other products of receipts with the
 * product, by receipts).  *out is the caller's. */
APP_MUST_USE enum app_err sellthrough_profile(struct ctx *cx,
                                              int64_t campaign_id,
                                              const char *as_of,
                                              int64_t store_id, cJSON **out);

/* A shelf photo (or its thumbnail) of a visit to a store's customer, as a
 * store page links it: the caller sees store_id and file_id is such a
 * photo of any store of the company (a peer).  Fills sha/mime; else
 * APP_ENOTFOUND. */
APP_MUST_USE enum app_err sellthrough_photo(struct ctx *cx, int64_t store_id,
                                            int64_t file_id, const char **sha,
                                            const char **mime);

/* The talk-track pack of a campaign: rows (file id, name, mime); each
 * is /files/{id} to whoever reads campaigns (sales/files.c). */
APP_MUST_USE enum app_err sellthrough_files(struct ctx *cx, int64_t campaign_id,
                                            struct db_res *out);

/* The rules' thresholds (thresholds.lua sell_through): alert below
 * distribution, sku_ratio, repurchase; the repurchase alert needs
 * min_buyers member buyers.  st_thresholds_of reads them from a
 * sell_through table (NULL or missing members: the defaults 0.85, 0.05,
 * 0.22, 20); sellthrough_thresholds from the published rules. */
struct st_thresholds {
    double distribution, sku_ratio, repurchase;
    int64_t min_buyers;
};
void st_thresholds_of(const cJSON *sell_through, struct st_thresholds *out);
APP_MUST_USE enum app_err sellthrough_thresholds(struct ctx *cx,
                                                 struct st_thresholds *out);

/* --- the pure parts (sellthrough_calc.c), unit-tested ------------------ */

#define ST_DAY_LEN 11 /* "YYYY-MM-DD" and its NUL */

/* The days a computation reads, from L (launch) and T (as_of).  started:
 * T >= L.  fw_to = min(L+6, T); week_from = max(L, T-6) (after T before
 * L: the window is empty). */
struct st_window {
    char launch[ST_DAY_LEN], as_of[ST_DAY_LEN];
    char fw_last[ST_DAY_LEN]; /* L+6 */
    char fw_to[ST_DAY_LEN];
    char week_from[ST_DAY_LEN];
    bool started;
};

/* Fill w; false when launch or as_of is not a valid "YYYY-MM-DD". */
bool st_window(const char *launch, const char *as_of, struct st_window *w);

/* day + n days into out; false for a malformed day or a year outside
 * 1..9999.  st_day_number: days since 1970-01-01 (false when malformed). */
bool st_day_add(const char *day, int n, char out[ST_DAY_LEN]);
bool st_day_number(const char *day, int64_t *out);

/* The ISO week of a day as "2026-W49", and its month "2026-12" (the
 * periods of the weekly and monthly pushes); false when malformed. */
bool st_iso_week(const char *day, char out[16]);

/* A store's weekly ratio: units_new / units_all while it is open on T and
 * sold something, else NaN.  Its repurchase rate: NaN without buyers. */
double st_store_ratio(const struct st_store *s);

/* The cache body: "st2\n", then one line per targeted store (by code) of
 * 16 tab-separated fields: id, fw_eligible, fw_sold, week_open,
 * units_new, units_all, buyers, repeaters, supervisor_id, customer_id,
 * lat, lng (empty: unknown), code, name, region, supervisor_name (tab,
 * newline and backslash escaped as \t \n \\).  The stores' names and
 * places are in it so that a page reads one row; a change to a store
 * after the row was computed makes it stale (sellthrough.c), and the
 * supervisors' names are read fresh.
 * st_encode appends to out; st_decode fills *out (in a), APP_EINVAL for
 * a malformed body, APP_ETOOBIG past max stores. */
struct buf;
struct arena;
APP_MUST_USE enum app_err st_encode(const struct st_store *s, size_t n,
                                    struct buf *out);
APP_MUST_USE enum app_err st_decode(struct arena *a, const char *body,
                                    size_t len, size_t max,
                                    struct st_store **out, size_t *n);

/* Add a store's components to a sum (distribution: eligible stores;
 * ratio: stores open on T; repurchase: every store), and compute the
 * rates of a sum (NaN without a denominator; distribution also NaN when
 * not started). */
void st_sum_add(struct st_sum *sum, const struct st_store *s);
void st_sum_rates(struct st_sum *sum, bool started);

/* Fill total, regions (by name) and supervisors (by id; stores without
 * one under key "") from st->stores.  APP_ENOMEM. */
APP_MUST_USE enum app_err st_summarize(struct arena *a, struct sellthrough *st,
                                       bool started);

/* Great-circle distance in km (haversine, R = 6371). */
double st_km(double lat1, double lng1, double lat2, double lng2);

/* The nearest stores to me among all: open on T, with a position, not me,
 * with a ratio >= min_ratio (NaN: any, ratio may be unknown), nearest
 * first (ties: by code), at most max into out; returns how many. */
struct st_peer {
    const struct st_store *store;
    double km;
    double ratio; /* NaN: none */
};
size_t st_peers(const struct st_store *all, size_t n, const struct st_store *me,
                double min_ratio, struct st_peer *out, size_t max);

#endif
