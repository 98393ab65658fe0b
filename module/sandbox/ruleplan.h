/*
 * ruleplan.h -- the declarative part of a tenant's rules, compiled to C.
 *
 * Stage order, the evidence each stage requires, the transition policy and
 * the fields an effective activity needs are plain data.  The engine's
 * compile() hands them over once per build (ruleplan_read) and every
 * decision on them is made here, in C, by one implementation: the Lua
 * engine calls it too.  Only the tenant's own functions (can_enter,
 * is_effective, evidence checks on form data) run inside the sandbox, and
 * only when the rules define them.
 *
 * Limits (a rule set past them does not build, with a message naming the
 * script): PLAN_MAX_STAGES stages, PLAN_MAX_REQUIRES evidence items per
 * stage, PLAN_MAX_KEYS distinct evidence keys, PLAN_MAX_FIELDS fields of
 * an effective activity, keys up to PLAN_KEY_MAX - 1 bytes.
 */
#ifndef PROOFLINE_RULEPLAN_H
#define PROOFLINE_RULEPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#define PLAN_MAX_STAGES 32
#define PLAN_MAX_REQUIRES 16
#define PLAN_MAX_KEYS 128
#define PLAN_MAX_FIELDS 16
#define PLAN_KEY_MAX 64
#define PLAN_MAX_MISSING 64

enum plan_code {
    PLAN_OK,               /* allowed: evidence complete */
    PLAN_LOST,             /* allowed: marking the customer lost */
    PLAN_BACK,             /* allowed: moving back, no evidence needed */
    PLAN_EVIDENCE_MISSING, /* refused: see the missing keys */
    PLAN_UNKNOWN_STAGE,
    PLAN_SAME_STAGE,
    PLAN_ALREADY_LOST,
    PLAN_REOPEN_NOT_ALLOWED,
    PLAN_BACK_NOT_ALLOWED,
    PLAN_SKIP_NOT_ALLOWED
};

/* The pseudo-evidence a stage marked `qualified = true` requires: the
 * customer's qualification documents approved and valid (the C core
 * puts it in `have`; sales/qual_docs.h). */
#define PLAN_QUALIFIED_KEY "qualified"

struct plan_stage {
    char key[PLAN_KEY_MAX];
    bool lost;
    bool reopen;    /* a lost customer may be reopened here */
    bool qualified; /* entering needs PLAN_QUALIFIED_KEY */
    uint8_t nreq;
    uint8_t req[PLAN_MAX_REQUIRES]; /* indexes into rule_plan.key */
};

struct rule_plan {
    size_t nstages;
    struct plan_stage stage[PLAN_MAX_STAGES];
    size_t nkeys;
    char key[PLAN_MAX_KEYS][PLAN_KEY_MAX];
    size_t nfields;
    char field[PLAN_MAX_FIELDS][PLAN_KEY_MAX];
    /* Evidence the stage under loss focus (the stage where most customers
     * were lost lately, stages.lua loss_focus) requires on top of its own. */
    uint8_t nfocus;
    uint8_t focus_req[PLAN_MAX_REQUIRES];
    bool allow_back;
    bool allow_skip;
    bool has_can_enter;    /* the rules define can_enter() */
    bool has_is_effective; /* the rules define is_effective() */
};

/* The keys a decision found missing, in stage order; n counts them all,
 * the first PLAN_MAX_MISSING are kept. */
struct plan_missing {
    size_t n;
    const char *key[PLAN_MAX_MISSING];
};

/* Is evidence `key` present?  Is activity field `key` filled in? */
typedef bool (*plan_has_fn)(void *ctx, const char *key);

/* "ok", "evidence_missing", ... (the codes of rules.h). */
const char *plan_code_name(enum plan_code code);
bool plan_code_allowed(enum plan_code code);

/* May a customer move from stage `from` (NULL or unknown: a new customer)
 * to stage `to`, given the evidence `has` reports?  focus (NULL: none) is
 * the stage under loss focus: entering or passing it also needs the
 * plan's focus_req items. */
enum plan_code plan_gate(const struct rule_plan *p, const char *from,
                         const char *to, const char *focus, plan_has_fn has,
                         void *ctx, struct plan_missing *m);

/* The fields of an effective activity that `filled` reports empty; true
 * when none is. */
bool plan_effective(const struct rule_plan *p, plan_has_fn filled, void *ctx,
                    struct plan_missing *m);

/* lua_CFunction: read the plan table that the engine's compile() returns
 * (argument 1) into the struct rule_plan at argument 2 (light userdata):
 *   { stages = { {key=, lost=, reopen=, qualified=, requires={keys}}, ... },
 *     allow_back=, allow_skip=, fields={keys}, focus_requires={keys},
 *     can_enter=, is_effective= }
 * Raises an error naming the script when a limit is broken or a key is
 * not a string; call it protected. */
int ruleplan_load(lua_State *L);

/* Lua closures over p (which must outlive them):
 *   gate(from, to, have[, focus]) -> code, missing keys...   (have: key ->
 *       value, present when the value is neither nil nor false; focus: the
 *       stage under loss focus or nil)
 *   missing_fields(activity) -> missing field keys... (empty: nil, false,
 *       "" or a table with nothing in it) */
void ruleplan_push_gate(lua_State *L, const struct rule_plan *p);
void ruleplan_push_fields(lua_State *L, const struct rule_plan *p);

#endif
