/*
 * audits.h -- shelf audits: what a rep saw on a customer's shelf during a
 * visit, and what Proofline makes of it.
 *
 * An audit belongs to one visit (open or completed) and optionally to one
 * of its photos (the shelf); it has lines: a product of the company's
 * list (products.h), its facings, its position (eye level, checkout, end
 * cap, bottom, corner), its shelf price in fen and a note.  Saving again
 * for the same visit adds lines to the same audit.  Lines carry a source
 * ("manual" today) so that a recogniser can fill the same fields later.
 *
 * Proofline computes share of shelf (own facings / all facings, and per
 * brand) and the change since the previous audit at the same customer:
 * the own share's delta in points, facings per product before and after,
 * products new and gone, prices changed.  Shares are in per mille of the
 * facings, rounded half up, and shown as percent with one decimal.
 *
 * Each save emits SHELF_AUDIT_EVENT (the brief to the rep's manager is a
 * listener in work/audit_brief.c).  Scope: that of the visit
 * (activities.h): a rep for their customers, managers for their team's,
 * admins all; anything else is APP_ENOTFOUND.
 */
#ifndef PROOFLINE_AUDITS_H
#define PROOFLINE_AUDITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/kv.h"
#include "base/str.h"
#include "db/ctx.h"
#include "db/db.h"

/* The event a save emits (db/ctx.h ctx_emit), object "shelf_audit". */
#define SHELF_AUDIT_EVENT "shelf_audit.saved"
#define SHELF_AUDIT_OBJECT "shelf_audit"

#define AUDIT_LINES_MAX 200             /* lines of one audit */
#define AUDIT_SAVE_MAX 50               /* lines of one save */
#define AUDIT_FACINGS_MAX 999           /* facings of one line */
#define AUDIT_PRICE_MAX_FEN 100000000LL /* 1,000,000 yuan */
#define AUDIT_NOTE_MAX 500
#define AUDIT_LIST_MAX 200

extern const char *const audit_positions[]; /* eye_level, checkout ... */

/* Yuan as people write them ("12.5", "¥1,200", "９.９") in fen: false for
 * a negative amount, more than two decimals, anything not a number, or
 * more than AUDIT_PRICE_MAX_FEN. */
bool audits_price_fen(struct str s, int64_t *fen);

/* x of total in per mille, rounded half up (0 of a total of 0). */
int64_t audits_per_mille(int64_t x, int64_t total);

struct audit_line_input {
    int64_t product_id;
    int64_t facings;
    const char *position;
    int64_t price_fen; /* -1: not recorded */
    const char *note;
};

/* Check one line's fields: product (an id) or sku, facings, position,
 * price (yuan as people write it, at most two decimals), note -- each
 * field name followed by suffix ("" or "_3"), and each problem reported
 * under that name.  An unknown or inactive product is "shelf.bad_product".
 * APP_EVALIDATION when anything is wrong. */
APP_MUST_USE enum app_err
audits_check_line(struct ctx *cx, const struct kvlist *f, const char *suffix,
                  struct audit_line_input *out, cJSON *errors);

/* Save lines (1..AUDIT_SAVE_MAX) for visit_id, with photo_id (a photo of
 * that visit; 0: the visit's latest "shelf" photo, if any), in one
 * transaction, and emit SHELF_AUDIT_EVENT.  APP_ENOTFOUND for a visit out
 * of scope; APP_EVALIDATION ("shelf.bad_photo", "shelf.no_lines");
 * APP_ETOOBIG ("shelf.too_many_lines") past AUDIT_LINES_MAX. */
APP_MUST_USE enum app_err audits_save(struct ctx *cx, int64_t visit_id,
                                      int64_t photo_id,
                                      const struct audit_line_input *lines,
                                      size_t n, int64_t *audit_id);

/* Columns of an audit row. */
enum {
    AU_ID,
    AU_VISIT_ID,
    AU_CUSTOMER_ID,
    AU_CUSTOMER_NAME,
    AU_REP_ID,
    AU_REP_NAME,
    AU_PHOTO_ID,
    AU_PHOTO_FILE_ID,
    AU_AT,
    AU_COUNT
};

/* An audit in scope (APP_ENOTFOUND otherwise). */
APP_MUST_USE enum app_err audits_get(struct ctx *cx, int64_t id,
                                     struct db_res *out);

/* The audit of a visit in scope: *id 0 when it has none. */
APP_MUST_USE enum app_err audits_of_visit(struct ctx *cx, int64_t visit_id,
                                          int64_t *id);

/* Audits in scope, newest first (customer_id 0: any), at most max. */
APP_MUST_USE enum app_err audits_list(struct ctx *cx, int64_t customer_id,
                                      size_t max, struct db_res *out);

/* The audit with its lines, share of shelf and change since the previous
 * audit at the customer, as JSON (caller deletes *out):
 *   {id, visit_id, customer_id, customer_name, rep_id, rep_name, at,
 *    photo_id, photo_file_id,
 *    lines: [{id, product_id, sku, name, brand, own, facings, position,
 *             price_fen, note, source}],
 *    share: {total_facings, own_facings, own_pm, own_pct, competitor_pct,
 *            brands: [{brand, own, facings, pm, pct}]},
 *    previous: null | {id, at, own_pct},
 *    change: null | {own_pct_delta, products: [{product_id, sku, name, own,
 *            before, after, delta}], new: [...], gone: [...],
 *            prices: [{sku, name, before_fen, after_fen}]}}
 * A product's price is that of its last line with one. */
APP_MUST_USE enum app_err audits_summary(struct ctx *cx, int64_t id,
                                         cJSON **out);

#endif
