/*
 * shipping.h -- the shipment countdown in the alerts job: reminders to
 * upload the logistics form before the deadline (contract_rules
 * remind_hours, default 72 and 50 hours before the planned time, once per
 * lead: keys "ship_form:<shipment>:<hours>"), and freezes recorded and
 * told once ("ship_frozen:<shipment>") when a deadline passes without the
 * form (sales/shipments.h).  alerts.lua says who hears of them.
 */
#ifndef PROOFLINE_SHIPPING_H
#define PROOFLINE_SHIPPING_H

/* Register with the alerts job (once, at start-up). */
void shipping_init(void);

#endif
