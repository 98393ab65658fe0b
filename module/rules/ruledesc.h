/*
 * ruledesc.h -- what the pages need from a tenant's described rules.
 *
 * rules_describe() gives the published rules as JSON (stages with their
 * evidence, evidence kinds and fields, lost reasons, customer kinds,
 * decision roles, health thresholds); these helpers look things up in it
 * and pick names in the request's language.  Everything returned lives
 * until the end of the request.
 */
#ifndef PROOFLINE_RULEDESC_H
#define PROOFLINE_RULEDESC_H

#include <stdbool.h>

#include <cJSON.h>

#include "base/err.h"
#include "db/ctx.h"

struct ruledesc {
    const cJSON *d;
    int version;
};

/* The tenant's described rules (APP_ERULE when they fail). */
APP_MUST_USE enum app_err ruledesc_get(struct ctx *cx, struct ruledesc *rd);

/* The "name" or "name_en" of a described object, by r's language. */
const char *ruledesc_name(const struct ctx *cx, const cJSON *obj);

/* Stages, in order (a JSON array), and one of them (NULL: unknown); *index
 * gets its position when not NULL. */
const cJSON *ruledesc_stages(const struct ruledesc *rd);
const cJSON *ruledesc_stage(const struct ruledesc *rd, const char *key,
                            int *index);
bool ruledesc_stage_flag(const struct ruledesc *rd, const char *key,
                         const char *flag); /* "won" or "lost" */

/* The first stage (where new customers start) and the lost stage. */
const char *ruledesc_first_stage(const struct ruledesc *rd);
const char *ruledesc_lost_stage(const struct ruledesc *rd);

/* Won and lost stage keys joined with commas (for FIND_IN_SET). */
const char *ruledesc_closed_csv(struct ctx *cx, const struct ruledesc *rd);

/* The evidence a stage (a described stage object) requires, as a new
 * array of {key, name, name_en} the caller deletes: its own items, for a
 * stage marked `qualified` the pseudo-item "qualified" (qualification
 * documents approved and valid, sales/qual_docs.h; marked "qualification":
 * true), then, when focus names this stage (the stage under loss focus, sales/
 * loss_focus.h), the rules' loss_focus items it does not list already,
 * each marked "focus": true.  NULL when out of memory. */
cJSON *ruledesc_requires(const struct ruledesc *rd, const cJSON *stage,
                         const char *focus);

/* Does the rules' loss focus add any evidence (stages.lua loss_focus)? */
bool ruledesc_focus_adds(const struct ruledesc *rd);

/* loss_focus.min_losses, window_days, sample (with the engine's
 * defaults). */
int ruledesc_focus_int(const struct ruledesc *rd, const char *what, int def);

/* An evidence definition (NULL: not described). */
const cJSON *ruledesc_evidence(const struct ruledesc *rd, const char *key);

/* Keyed lists: "customer_kinds", "lost_reasons", "decision_roles".  Find
 * by key, or by name in either language (for imports); NULL when absent. */
const cJSON *ruledesc_find(const struct ruledesc *rd, const char *list,
                           const char *key_or_name);

/* The label of key in list, or the key itself. */
const char *ruledesc_label(const struct ctx *cx, const struct ruledesc *rd,
                           const char *list, const char *key);

/* health.fresh_days, health.stale_days, health.chain_recent_days. */
int ruledesc_health(const struct ruledesc *rd, const char *what, int def);

/* [{value, label, selected}] for a <select> over a keyed list or the
 * stages; selected may be NULL. */
cJSON *ruledesc_options(const struct ctx *cx, const struct ruledesc *rd,
                        const char *list, const char *selected);

#endif
