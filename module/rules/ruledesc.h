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
