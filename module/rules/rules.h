/*
 * rules.h -- the rule engine as the rest of the core sees it.
 *
 * Each worker keeps, per tenant, a sandbox built from the tenant's
 * published rule set (engine.lua first, then the scripts in order, then
 * sealed).  A request knows which version is published from its session
 * query (cx->rules_version_id), so a publish reaches every worker with
 * its next request and a warm worker asks the database nothing; work
 * without a session (CLI, jobs) checks at most every rules_check_ms.  A
 * sandbox whose call failed is rebuilt before its next use.
 *
 * Inputs and outputs (all strings in the results live in r's arena):
 *
 *   rules_check_transition(customer facts, from, to, evidence present)
 *     (the facts' "loss_focus", when set, names the stage under loss
 *     focus, whose entry needs the rules' loss_focus items too)
 *     -> allowed, code ("ok", "evidence_missing", "skip_not_allowed",
 *        "back_not_allowed", "reopen_not_allowed", "unknown_stage",
 *        "same_stage", "already_lost", "rule_refused", "lost", "back"),
 *        the missing evidence {key, name in the request's language}, an
 *        optional message, and the rule version that decided.
 *   rules_classify_activity(activity fields) -> effective, missing fields,
 *        optional reason.
 *   rules_describe() -> stages, evidence kinds and fields, lost reasons,
 *        visit types with their required photos (cached per version).
 *   rules_json(fn, args) -> any engine function with JSON arguments:
 *        "thresholds" {}, "required_photos" {visit_type}, "on_alert"
 *        {alert}, "on_contract" {contract, customer}, "extract_notes"
 *        {text, today, weekday} (sales/notes.h).
 *
 * A rule that fails or hits a limit makes the call return APP_ERULE with
 * cx->err_detail = "rules.failed" and the message (script:line: ...) in
 * cx->err_text; the request answers with a clear error and the worker goes
 * on serving.
 */
#ifndef PROOFLINE_RULES_H
#define PROOFLINE_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/conf.h"
#include "base/err.h"
#include "rules/rulesets.h"
#include "sandbox/sandbox.h"
#include "db/ctx.h"

#define RULES_MAX_MISSING 32

struct rule_missing {
    const char *key;
    const char *name;
    const char *state; /* a qualification document's (qual_docs.h), else
                          NULL */
};

struct rule_verdict {
    bool ok;          /* allowed / effective */
    const char *code; /* see above */
    const char *message;
    size_t nmissing;
    struct rule_missing missing[RULES_MAX_MISSING];
    int version; /* the rule version that decided */
};

struct rules;

/* A worker's rule manager.  engine is the text of lua_dir/engine.lua
 * (copied).  NULL when out of memory. */
struct rules *rules_new(const struct conf *c, struct str engine);
void rules_free(struct rules *rs);

/* Read lua_dir/engine.lua (trusted, shipped with the program) into a
 * malloc'ed NUL-terminated buffer; at most 1 MiB. */
APP_MUST_USE enum app_err rules_load_engine(const char *lua_dir, char **out,
                                            size_t *len, char *err,
                                            size_t errlen);

/* The sandbox limits from the configuration. */
void rules_limits(const struct conf *c, struct sbx_limits *lim);

/* Build a sealed sandbox for a rule set.  APP_ERULE with the first error
 * ("script:line: message") in err. */
APP_MUST_USE enum app_err rules_build(const struct conf *c, struct str engine,
                                      const struct rule_set *set,
                                      struct sbx **out, char *err,
                                      size_t errlen);

/* Build the set and run its self-tests: one {name, ok, message} per test
 * appended to results; *failed counts failures.  A set that does not
 * build is APP_ERULE (err says where). */
APP_MUST_USE enum app_err rules_selftest(const struct conf *c,
                                         struct str engine,
                                         const struct rule_set *set,
                                         cJSON *results, int *failed, char *err,
                                         size_t errlen);

/* Call engine function fn with the elements of args (a JSON array, may be
 * NULL) as arguments; *out gets its result (caller deletes). */
APP_MUST_USE enum app_err rules_call_json(struct sbx *s, const char *fn,
                                          const cJSON *args, cJSON **out,
                                          char *err, size_t errlen);

/* Push the elements of the JSON array args as Lua values (protected);
 * *nargs gets their number. */
APP_MUST_USE enum app_err rules_push_args(struct sbx *s, const cJSON *args,
                                          int *nargs, char *err, size_t errlen);

/* Decisions on a built sandbox without a request (CLI, benchmarks, bulk
 * computations).  The declarative part is decided in C (ruleplan.h); Lua
 * runs only when the rules define can_enter / is_effective.
 *
 * rules_sbx_transition: the evidence keys present in have[] (customer's
 * "loss_focus" as above); *allowed, and *nmissing (number of missing
 * evidence items).
 * rules_sbx_classify: the activity's fields as n key/value pairs (a NULL
 * or empty value is not filled in); *effective and *nmissing. */
APP_MUST_USE enum app_err
rules_sbx_transition(struct sbx *s, const cJSON *customer, const char *from,
                     const char *to, const char *const *have, size_t nhave,
                     bool *allowed, size_t *nmissing, char *err, size_t errlen);
APP_MUST_USE enum app_err
rules_sbx_classify(struct sbx *s, const char *const *keys,
                   const char *const *values, size_t n, bool *effective,
                   size_t *nmissing, char *err, size_t errlen);

/* --- per request ---------------------------------------------------------- */

/* The tenant's sandbox for r (signed-in user's tenant). */
APP_MUST_USE enum app_err rules_get(struct ctx *cx, struct sbx **out,
                                    int *version);

/* `have` is a JSON object {evidence_key: true | {form data}} or array of
 * keys; customer may be NULL. */
APP_MUST_USE enum app_err
rules_check_transition(struct ctx *cx, const cJSON *customer, const char *from,
                       const char *to, const cJSON *have,
                       struct rule_verdict *v);

APP_MUST_USE enum app_err rules_classify_activity(struct ctx *cx,
                                                  const cJSON *activity,
                                                  struct rule_verdict *v);

/* Ask the database for the company's published version at its next
 * rules_get, whatever rules_check_ms says (the metrics engine heard of a
 * publication through its change sequence). */
void rules_recheck(struct rules *rs, int64_t tenant);

/* Companies that have a Lua state in this worker now (for monitoring);
 * 0 for NULL. */
size_t rules_loaded(const struct rules *rs);

/* Cached per rule version; valid until the end of the request. */
APP_MUST_USE enum app_err rules_describe(struct ctx *cx, const cJSON **out,
                                         int *version);

APP_MUST_USE enum app_err rules_json(struct ctx *cx, const char *fn,
                                     const cJSON *args, cJSON **out);

#endif
