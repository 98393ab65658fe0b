/*
 * shipments.h -- the shipments of a signed contract and the countdown that
 * freezes outbound (发货倒计时).
 *
 * A shipment has a planned time, goods and a quantity.  Its logistics
 * entrustment form (物流委托单, an image or PDF) must be uploaded at least
 * contract_rules.ship_doc_hours (48) before the planned time.  From that
 * deadline on, without the form, the shipment is *frozen*: releasing it
 * (outbound) is refused on every path with APP_ECONFLICT
 * ("shipments.outbound_frozen"; the API answers {"error":
 * "outbound_frozen"}) until the form is uploaded; the first time a freeze
 * is seen -- by a release refused or by the alerts job -- it is recorded
 * (frozen_at) and audited ("shipment.freeze"), and so are the form
 * ("shipment.form") and the release ("shipment.release").
 *
 * Who: the contract's customer's scope.  Times are UTC in the database;
 * the caller gives a planned time as the company's local
 * "YYYY-MM-DD HH:MM".
 */
#ifndef PROOFLINE_SHIPMENTS_H
#define PROOFLINE_SHIPMENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/str.h"
#include "base/upload.h"
#include "db/ctx.h"
#include "db/db.h"

#define SHIP_GOODS_MAX 200
#define SHIP_QTY_MAX 100000000
#define SHIPMENTS_MAX 200 /* per contract */

struct shipment {
    int64_t id;
    int64_t contract_id;
    int64_t customer_id;
    int64_t form_file_id;   /* 0: no form yet */
    const char *planned_at; /* UTC "YYYY-MM-DD HH:MM:SS" */
    const char *goods;
    int64_t quantity;
    const char *status;      /* "planned", "released", "cancelled" */
    const char *form_at;     /* UTC or "" */
    const char *frozen_at;   /* UTC or "" */
    const char *released_at; /* UTC or "" */
    /* The countdown at `now` (shipments_state): */
    time_t deadline; /* planned_at - ship_doc_hours */
    bool frozen;     /* planned, no form, now >= deadline */
};

/* Add a shipment to a signed contract in scope.  errors per field
 * ("shipments.bad_time", "shipments.bad_goods", "shipments.bad_qty");
 * APP_ECONFLICT ("shipments.not_signed") for a contract not signed. */
APP_MUST_USE enum app_err shipments_add(struct ctx *cx, int64_t contract_id,
                                        struct str planned_local,
                                        struct str goods, struct str quantity,
                                        cJSON *errors, int64_t *id);

/* A contract's shipments (in scope), by planned time, with their state at
 * now for ship_doc_hours; *n of them in *out (cx->a). */
APP_MUST_USE enum app_err shipments_of(struct ctx *cx, int64_t contract_id,
                                       int ship_doc_hours, time_t now,
                                       struct shipment **out, size_t *n);

/* One shipment in scope, its state at now. */
APP_MUST_USE enum app_err shipments_get(struct ctx *cx, int64_t id,
                                        int ship_doc_hours, time_t now,
                                        struct shipment *out);

/* Upload the logistics form (image or PDF; APP_EVALIDATION
 * "shipments.bad_form" otherwise).  A frozen shipment thaws. */
APP_MUST_USE enum app_err shipments_form(struct ctx *cx, int64_t id,
                                         const struct upload *file,
                                         int64_t *file_id);

/* Release a planned shipment (outbound).  APP_ECONFLICT with
 * cx->err_detail "shipments.outbound_frozen" when frozen (the freeze recorded
 * and audited once, committed), "shipments.not_planned" when released or
 * cancelled already. */
APP_MUST_USE enum app_err shipments_release(struct ctx *cx, int64_t id,
                                            int ship_doc_hours, time_t now,
                                            struct shipment *out);

/* Record freezes seen by a job (the alerts job): every planned shipment
 * of the company past its deadline without a form gets frozen_at and an
 * audit entry, once.  *n: how many were new. */
APP_MUST_USE enum app_err shipments_record_freezes(struct ctx *cx,
                                                   int ship_doc_hours,
                                                   time_t now, size_t *n);

/* Planned shipments without a form whose deadline is within `hours` of
 * now (and not passed): id, contract id, customer id, customer name,
 * owner id, planned_at (UTC), goods; for the reminders. */
APP_MUST_USE enum app_err shipments_due_forms(struct ctx *cx,
                                              int ship_doc_hours, time_t now,
                                              int hours, struct db_res *out);

/* The shipments of the customers the user may see, for a CSV export (at
 * most SHIPMENTS_EXPORT_MAX): contract id, customer, planned_at (UTC),
 * goods, quantity, has form (1/0), status, frozen_at, released_at (UTC or
 * ""). */
#define SHIPMENTS_EXPORT_MAX 20000
APP_MUST_USE enum app_err shipments_export(struct ctx *cx, struct db_res *out);

#endif
