/*
 * sell_alerts.h -- the sell-through metrics registered with the alerts
 * job (alerts.h), for each active campaign launched by the run's local
 * day D (metrics/sellthrough.h; thresholds.lua sell_through):
 *
 *  - "distribution:<campaign>:<supervisor id>", period "once", owner_id
 *    the supervisor: from D >= L+7, when the supervisor's area's first
 *    week (as of L+6) is below `distribution`.  Carries the missing
 *    stores ("missing" [{code, name}], "missing_text") and the
 *    talk-track pack ("files" [{name, url}], "files_text").
 *  - "sku_ratio:<campaign>:<store>:<store manager id>", period the ISO
 *    week of D ("2026-W49"), owner_id the store manager: from D >= L+6,
 *    for each open targeted store whose weekly ratio (as of D) is below
 *    `sku_ratio`.  Carries the 3 nearest stores at or above it ("peers"
 *    [{code, name, km, ratio, url}], "peers_text"), url their latest
 *    shelf photo through the store page, or the store page.
 *  - "repurchase:<campaign>:<store>", period the month "YYYY-MM": from
 *    D >= L+30, for each store with at least `min_buyers` buyers whose
 *    30-day repurchase (as of D) is below `repurchase`.  Carries "link",
 *    the store's profile report.
 *
 * Each also carries metric, status "low", value, threshold, campaign,
 * campaign_name and store_code/store_name (or supervisor_name).
 */
#ifndef PROOFLINE_SELL_ALERTS_H
#define PROOFLINE_SELL_ALERTS_H

/* Register the metrics (once, at start-up). */
void sell_alerts_init(void);

#endif
