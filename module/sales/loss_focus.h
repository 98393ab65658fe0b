/*
 * loss_focus.h -- the stage under loss focus (锁定高频流失环节).
 *
 * The alerts job (work/metric_alerts.c) names, each run, the stage where
 * most of the company's customers were lost lately, as the rules'
 * loss_focus says (stages.lua: at least min_losses in window_days), or
 * clears it.  While a stage is under focus, entering it also needs the
 * rules' loss_focus evidence: stage_change passes the stage to the gate
 * as the customer's "loss_focus" fact, and the pages list the extra
 * items with the stage's own (ruledesc_requires).  One row per company.
 */
#ifndef PROOFLINE_LOSS_FOCUS_H
#define PROOFLINE_LOSS_FOCUS_H

#include <stdint.h>

#include "base/err.h"
#include "db/ctx.h"
#include "rules/ruledesc.h"
#include "sales/customers.h"

#define LOSS_FOCUS_STAGE_MAX 64

struct loss_focus {
    char stage[LOSS_FOCUS_STAGE_MAX]; /* "" when no stage is under focus */
    int64_t losses;
    const char *since; /* UTC "YYYY-MM-DD HH:MM:SS", in cx->a; "" if none */
};

/* The company's focus.  Only read when the rules' focus adds evidence
 * (ruledesc_focus_adds): otherwise no stage is under focus and no query
 * is made. */
APP_MUST_USE enum app_err loss_focus_get(struct ctx *cx,
                                         const struct ruledesc *rd,
                                         struct loss_focus *out);

/* The focus stage or NULL, for the gate and the pages. */
APP_MUST_USE enum app_err
loss_focus_stage(struct ctx *cx, const struct ruledesc *rd, const char **stage);

/* The focus stage as read with customer c (customers.h), or NULL when
 * none or when the rules' focus adds no evidence. */
const char *loss_focus_of(const struct ruledesc *rd, const struct customer *c);

/* Name the stage under focus (keeping `since` while it stays the same
 * stage) or, with stage NULL, clear it.  The alerts job's write path. */
APP_MUST_USE enum app_err loss_focus_set(struct ctx *cx, const char *stage,
                                         int64_t losses);

#endif
