/*
 * ruleplan_test.c -- the declarative rules decided in C.
 *
 * Table-driven: every transition code of the default rules (lua/default,
 * the seed SOP), skipping and no-way-back policies on a hand-made plan,
 * the fields of an effective activity, the plan reader's limits, and the C
 * fast path against the engine's check_transition over every pair of
 * stages and every subset of the evidence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lauxlib.h>
#include <lualib.h>

#include "base/arena.h"
#include "base/conf.h"
#include "rules/rules.h"
#include "sandbox/ruleplan.h"
#include "rules/rulesets.h"
#include "sandbox/sandbox.h"

struct fixture {
    struct arena *a;
    struct conf c;
    char *engine;
    size_t engine_len;
    struct rule_set set;
    struct sbx *s;
};

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc(1 << 20);

    assert_non_null(f);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static int
setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    char err[1024];

    fx->a = arena_new(1 << 16, 64u << 20);
    conf_defaults(&fx->c);
    snprintf(fx->c.lua_dir, sizeof(fx->c.lua_dir), "lua");
    fx->engine = slurp("lua/engine.lua", &fx->engine_len);
    if (rulesets_from_dir(fx->a, "lua/default", &fx->set, err, sizeof(err)) !=
            APP_OK ||
        rules_build(&fx->c, (struct str){ fx->engine, fx->engine_len },
                    &fx->set, &fx->s, err, sizeof(err)) != APP_OK)
        fail_msg("default rules: %s", err);
    *state = fx;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *fx = *state;

    sbx_free(fx->s);
    free(fx->engine);
    arena_free(fx->a);
    free(fx);
    return 0;
}

/* --- the seed SOP ------------------------------------------------------- */

struct keys {
    const char *k[8];
};

static bool
keys_has(void *ctx, const char *key)
{
    const struct keys *ks = ctx;
    size_t i;

    for (i = 0; i < 8 && ks->k[i] != NULL; i++) {
        if (strcmp(ks->k[i], key) == 0)
            return true;
    }
    return false;
}

static const struct gate_case {
    const char *from, *to;
    struct keys have;
    enum plan_code want;
    const char *missing; /* comma-separated, in order */
} DEFAULT_CASES[] = {
    { NULL, "lead", { { NULL } }, PLAN_OK, "" },
    { NULL, "intent", { { NULL } }, PLAN_EVIDENCE_MISSING, "need_confirmed" },
    { "lead", "intent", { { "need_confirmed" } }, PLAN_OK, "" },
    { "lead",
      "intent",
      { { "quote_sheet" } },
      PLAN_EVIDENCE_MISSING,
      "need_confirmed" },
    { "intent",
      "advancing",
      { { NULL } },
      PLAN_EVIDENCE_MISSING,
      "trial_kit_receipt,head_phone_confirmation,installation_form" },
    { "intent",
      "advancing",
      { { "trial_kit_receipt", "installation_form" } },
      PLAN_EVIDENCE_MISSING,
      "head_phone_confirmation" },
    { "intent",
      "advancing",
      { { "trial_kit_receipt", "installation_form",
          "head_phone_confirmation" } },
      PLAN_OK,
      "" },
    { "advancing", "quote", { { "quote_sheet", "qualified" } }, PLAN_OK, "" },
    /* quote is marked qualified: the documents approved and valid */
    { "advancing",
      "quote",
      { { "quote_sheet" } },
      PLAN_EVIDENCE_MISSING,
      "qualified" },
    { "quote", "contract", { { "signed_contract" } }, PLAN_OK, "" },
    { "lead", "quote", { { "need_confirmed" } }, PLAN_SKIP_NOT_ALLOWED, "" },
    { "lead",
      "advancing",
      { { "need_confirmed", "trial_kit_receipt", "installation_form",
          "head_phone_confirmation" } },
      PLAN_SKIP_NOT_ALLOWED,
      "" },
    { "quote", "intent", { { NULL } }, PLAN_BACK, "" },
    { "contract", "lead", { { NULL } }, PLAN_BACK, "" },
    { "advancing", "lost", { { NULL } }, PLAN_LOST, "" },
    { NULL, "lost", { { NULL } }, PLAN_LOST, "" },
    { "lost", "lost", { { NULL } }, PLAN_SAME_STAGE, "" },
    { "lost", "lead", { { NULL } }, PLAN_OK, "" },
    { "lost", "intent", { { NULL } }, PLAN_EVIDENCE_MISSING, "need_confirmed" },
    { "lost", "quote", { { NULL } }, PLAN_REOPEN_NOT_ALLOWED, "" },
    { "intent", "intent", { { NULL } }, PLAN_SAME_STAGE, "" },
    { "lead", "nowhere", { { NULL } }, PLAN_UNKNOWN_STAGE, "" },
    { "nowhere", "lead", { { NULL } }, PLAN_OK, "" },
};

static void
joined(const struct plan_missing *m, char *out, size_t len)
{
    size_t i, used = 0;

    out[0] = '\0';
    for (i = 0; i < m->n && i < PLAN_MAX_MISSING; i++)
        used += (size_t)snprintf(out + used, len - used, "%s%s",
                                 i > 0 ? "," : "", m->key[i]);
}

static void
test_default_transitions(void **state)
{
    struct fixture *fx = *state;
    const struct rule_plan *p = sbx_attached(fx->s);
    size_t i;

    assert_non_null(p);
    assert_int_equal(p->nstages, 6);
    assert_true(p->has_can_enter);
    assert_false(p->has_is_effective);
    for (i = 0; i < sizeof(DEFAULT_CASES) / sizeof(DEFAULT_CASES[0]); i++) {
        const struct gate_case *c = &DEFAULT_CASES[i];
        struct plan_missing m;
        char got[512];
        enum plan_code code =
            plan_gate(p, c->from, c->to, NULL, keys_has, (void *)&c->have, &m);

        joined(&m, got, sizeof(got));
        if (code != c->want || strcmp(got, c->missing) != 0)
            fail_msg("%s -> %s: got %s [%s], want %s [%s]",
                     c->from ? c->from : "(new)", c->to, plan_code_name(code),
                     got, plan_code_name(c->want), c->missing);
        assert_int_equal(plan_code_allowed(code), c->want == PLAN_OK ||
                                                      c->want == PLAN_LOST ||
                                                      c->want == PLAN_BACK);
    }
}

/* --- other policies on a hand-made plan ---------------------------------- */

static void
stage(struct rule_plan *p, const char *key, bool lost, const char *req)
{
    struct plan_stage *s = &p->stage[p->nstages++];

    snprintf(s->key, sizeof(s->key), "%s", key);
    s->lost = lost;
    if (req != NULL) {
        snprintf(p->key[p->nkeys], PLAN_KEY_MAX, "%s", req);
        s->req[s->nreq++] = (uint8_t)p->nkeys++;
    }
}

static void
test_skip_and_no_way_back(void **state)
{
    struct rule_plan *p = calloc(1, sizeof(*p));
    struct keys none = { { NULL } }, b_only = { { "b_ev" } };
    struct plan_missing m;
    char got[256];

    (void)state;
    stage(p, "a", false, NULL);
    stage(p, "b", false, "b_ev");
    stage(p, "c", false, "c_ev");
    stage(p, "gone", true, NULL);
    p->allow_skip = true;
    /* Skipping needs the evidence of every stage passed. */
    assert_int_equal(plan_gate(p, "a", "c", NULL, keys_has, &none, &m),
                     PLAN_EVIDENCE_MISSING);
    joined(&m, got, sizeof(got));
    assert_string_equal(got, "b_ev,c_ev");
    assert_int_equal(plan_gate(p, "a", "c", NULL, keys_has, &b_only, &m),
                     PLAN_EVIDENCE_MISSING);
    joined(&m, got, sizeof(got));
    assert_string_equal(got, "c_ev");
    /* No way back, no reopening. */
    assert_int_equal(plan_gate(p, "c", "a", NULL, keys_has, &none, &m),
                     PLAN_BACK_NOT_ALLOWED);
    assert_int_equal(plan_gate(p, "gone", "a", NULL, keys_has, &none, &m),
                     PLAN_REOPEN_NOT_ALLOWED);
    p->stage[0].reopen = true;
    assert_int_equal(plan_gate(p, "gone", "a", NULL, keys_has, &none, &m),
                     PLAN_OK);
    free(p);
}

/* The stage under loss focus needs the focus items too, once each, when
 * entered or passed; other stages do not. */
static void
test_loss_focus(void **state)
{
    struct rule_plan *p = calloc(1, sizeof(*p));
    struct keys none = { { NULL } }, b_only = { { "b_ev" } },
                all = { { "b_ev", "f_ev", "c_ev" } };
    struct plan_missing m;
    char got[256];

    (void)state;
    stage(p, "a", false, NULL);
    stage(p, "b", false, "b_ev");
    stage(p, "c", false, "c_ev");
    snprintf(p->key[p->nkeys], PLAN_KEY_MAX, "%s", "f_ev");
    p->focus_req[p->nfocus++] = (uint8_t)p->nkeys++;
    p->focus_req[p->nfocus++] = p->stage[1].req[0]; /* b_ev: listed once */
    assert_int_equal(plan_gate(p, "a", "b", "b", keys_has, &none, &m),
                     PLAN_EVIDENCE_MISSING);
    joined(&m, got, sizeof(got));
    assert_string_equal(got, "b_ev,f_ev");
    assert_int_equal(plan_gate(p, "a", "b", "b", keys_has, &b_only, &m),
                     PLAN_EVIDENCE_MISSING);
    joined(&m, got, sizeof(got));
    assert_string_equal(got, "f_ev");
    assert_int_equal(plan_gate(p, "a", "b", "c", keys_has, &b_only, &m),
                     PLAN_OK);
    assert_int_equal(plan_gate(p, "a", "b", NULL, keys_has, &b_only, &m),
                     PLAN_OK);
    /* Skipping through the focus stage needs its focus items. */
    p->allow_skip = true;
    assert_int_equal(plan_gate(p, "a", "c", "b", keys_has, &b_only, &m),
                     PLAN_EVIDENCE_MISSING);
    joined(&m, got, sizeof(got));
    assert_string_equal(got, "f_ev,c_ev");
    assert_int_equal(plan_gate(p, "a", "c", "b", keys_has, &all, &m), PLAN_OK);
    /* Moving back into it needs nothing. */
    p->allow_back = true;
    assert_int_equal(plan_gate(p, "c", "b", "b", keys_has, &none, &m),
                     PLAN_BACK);
    free(p);
}

/* More missing items than are kept: all counted, the first kept. */
static void
test_missing_overflow(void **state)
{
    struct rule_plan *p = calloc(1, sizeof(*p));
    struct keys none = { { NULL } };
    struct plan_missing m;
    size_t i, j;

    (void)state;
    p->nstages = PLAN_MAX_STAGES;
    p->allow_skip = true;
    for (i = 0; i < PLAN_MAX_STAGES; i++) {
        snprintf(p->stage[i].key, PLAN_KEY_MAX, "s%zu", i);
        for (j = 0; j < 4; j++) {
            snprintf(p->key[p->nkeys], PLAN_KEY_MAX, "e%zu_%zu", i, j);
            p->stage[i].req[p->stage[i].nreq++] = (uint8_t)p->nkeys++;
        }
    }
    assert_int_equal(plan_gate(p, NULL, "s31", NULL, keys_has, &none, &m),
                     PLAN_EVIDENCE_MISSING);
    assert_int_equal(m.n, PLAN_MAX_STAGES * 4);
    assert_string_equal(m.key[0], "e0_0");
    assert_string_equal(m.key[PLAN_MAX_MISSING - 1], "e15_3");
    free(p);
}

/* --- effective activities ----------------------------------------------- */

struct fields {
    const char *need, *competitor, *next_step;
};

static bool
fields_filled(void *ctx, const char *key)
{
    const struct fields *f = ctx;
    const char *v = strcmp(key, "need") == 0         ? f->need
                    : strcmp(key, "competitor") == 0 ? f->competitor
                    : strcmp(key, "next_step") == 0  ? f->next_step
                                                     : NULL;

    return v != NULL && v[0] != '\0';
}

static void
test_effective_fields(void **state)
{
    struct fixture *fx = *state;
    const struct rule_plan *p = sbx_attached(fx->s);
    static const struct {
        struct fields f;
        bool want;
        const char *missing;
    } cases[] = {
        { { "budget", "cheaper", "demo" }, true, "" },
        { { "budget", "", "demo" }, false, "competitor" },
        { { NULL, NULL, NULL }, false, "need,competitor,next_step" },
        { { "", "x", NULL }, false, "need,next_step" },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct plan_missing m;
        char got[256];
        bool ok = plan_effective(p, fields_filled, (void *)&cases[i].f, &m);

        joined(&m, got, sizeof(got));
        assert_int_equal(ok, cases[i].want);
        assert_string_equal(got, cases[i].missing);
    }
}

/* The same through the engine, with Lua values: empty strings and empty
 * tables are not filled in, false is not, numbers and non-empty tables
 * are. */
static void
test_effective_lua_values(void **state)
{
    struct fixture *fx = *state;
    static const struct {
        const char *activity;
        const char *missing;
    } cases[] = {
        { "{\"need\": \"a\", \"competitor\": \"b\", \"next_step\": "
          "\"c\"}",
          "" },
        { "{\"need\": [], \"competitor\": {}, \"next_step\": \"\"}",
          "need,competitor,next_step" },
        { "{\"need\": [\"x\"], \"competitor\": {\"k\": 1}, "
          "\"next_step\": false}",
          "next_step" },
        { "{\"need\": 0, \"competitor\": true, \"next_step\": null}",
          "next_step" },
        { "{}", "need,competitor,next_step" },
    };
    size_t i;
    char err[1024];

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *args = cJSON_CreateArray(), *res = NULL, *m;
        char got[256];
        size_t used = 0;

        cJSON_AddItemToArray(args, cJSON_Parse(cases[i].activity));
        if (rules_call_json(fx->s, "classify_activity", args, &res, err,
                            sizeof(err)) != APP_OK)
            fail_msg("%s", err);
        got[0] = '\0';
        cJSON_ArrayForEach(m, cJSON_GetObjectItem(res, "missing"))
        {
            used += (size_t)snprintf(
                got + used, sizeof(got) - used, "%s%s", used > 0 ? "," : "",
                cJSON_GetObjectItem(m, "key")->valuestring);
        }
        if (strcmp(got, cases[i].missing) != 0)
            fail_msg("%s: missing [%s], want [%s]", cases[i].activity, got,
                     cases[i].missing);
        assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItem(res, "effective")),
                         cases[i].missing[0] == '\0');
        cJSON_Delete(res);
        cJSON_Delete(args);
    }
}

/* --- the plan reader's limits -------------------------------------------- */

static void
test_reader_limits(void **state)
{
    static const struct {
        const char *lua; /* returns the plan table */
        const char *error;
    } cases[] = {
        { "return { stages = { { key = 'a', requires = {} } } }", NULL },
        { "local s = {} for i = 1, 33 do s[i] = { key = 'k' .. i, "
          "requires = {} } end return { stages = s }",
          "more than 32 stages" },
        { "return { stages = { { key = 'a', requires = {} }, "
          "{ key = 'a', requires = {} } } }",
          "listed twice" },
        { "return { stages = { { key = 7, requires = {} } } }",
          "must be a string" },
        { "return { stages = { { key = '', requires = {} } } }", "1 to 63" },
        { "return { stages = { { key = ('x'):rep(64), requires = {} } } }",
          "1 to 63" },
        { "return { stages = { { key = 'a\\0b', requires = {} } } }",
          "without NUL" },
        { "local r = {} for i = 1, 17 do r[i] = 'e' .. i end "
          "return { stages = { { key = 'a', requires = r } } }",
          "more than 16 items" },
        { "return { stages = { { key = 'a', requires = { {} } } } }",
          "must be a string" },
        { "return { stages = { 'a' } }", "is not a table" },
        { "return { }", "no stages table" },
        { "local f = {} for i = 1, 17 do f[i] = 'f' .. i end "
          "return { stages = {}, fields = f }",
          "more than 16 required fields" },
        { "local s = {} for i = 1, 32 do local r = {} for j = 1, 5 do "
          "r[j] = 'e' .. i .. '_' .. j end s[i] = { key = 'k' .. i, "
          "requires = r } end return { stages = s }",
          "more than 128 different evidence items" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        lua_State *L = luaL_newstate();
        struct rule_plan *p = calloc(1, sizeof(*p));
        int rc;

        luaL_openlibs(L);
        lua_pushcfunction(L, ruleplan_load);
        if (luaL_dostring(L, cases[i].lua) != LUA_OK)
            fail_msg("case %zu: %s", i, lua_tostring(L, -1));
        lua_pushlightuserdata(L, p);
        rc = lua_pcall(L, 2, 0, 0);
        if (cases[i].error == NULL) {
            if (rc != LUA_OK)
                fail_msg("case %zu: %s", i, lua_tostring(L, -1));
        } else {
            if (rc == LUA_OK)
                fail_msg("case %zu: accepted, want '%s'", i, cases[i].error);
            if (strstr(lua_tostring(L, -1), cases[i].error) == NULL)
                fail_msg("case %zu: '%s' lacks '%s'", i, lua_tostring(L, -1),
                         cases[i].error);
        }
        lua_close(L);
        free(p);
    }
}

/* --- the C fast path agrees with the engine ------------------------------ */

static const char *const STAGES[] = { NULL,        "lead",  "intent",
                                      "advancing", "quote", "contract",
                                      "lost" };
static const char *const EVIDENCE[] = {
    "need_confirmed",    "trial_kit_receipt", "head_phone_confirmation",
    "installation_form", "quote_sheet",       "signed_contract"
};
#define NSTAGES (sizeof(STAGES) / sizeof(STAGES[0]))
#define NEVIDENCE (sizeof(EVIDENCE) / sizeof(EVIDENCE[0]))

static void
test_fast_path_agrees_with_engine(void **state)
{
    struct fixture *fx = *state;
    size_t f, t, n, combos = 0;
    unsigned mask;
    char err[1024];

    for (f = 0; f < NSTAGES; f++) {
        for (t = 1; t < NSTAGES; t++) {
            for (mask = 0; mask < (1u << NEVIDENCE); mask++) {
                const char *have[NEVIDENCE];
                cJSON *args = cJSON_CreateArray(), *list, *res = NULL;
                bool allowed;
                size_t nmissing, want_missing;

                n = 0;
                list = cJSON_CreateArray();
                for (size_t i = 0; i < NEVIDENCE; i++) {
                    if (mask & (1u << i)) {
                        have[n++] = EVIDENCE[i];
                        cJSON_AddItemToArray(list,
                                             cJSON_CreateString(EVIDENCE[i]));
                    }
                }
                cJSON_AddItemToArray(args, cJSON_CreateNull());
                cJSON_AddItemToArray(args, STAGES[f] != NULL
                                               ? cJSON_CreateString(STAGES[f])
                                               : cJSON_CreateNull());
                cJSON_AddItemToArray(args, cJSON_CreateString(STAGES[t]));
                cJSON_AddItemToArray(args, list);
                if (rules_sbx_transition(fx->s, NULL, STAGES[f], STAGES[t],
                                         have, n, &allowed, &nmissing, err,
                                         sizeof(err)) != APP_OK ||
                    rules_call_json(fx->s, "check_transition", args, &res, err,
                                    sizeof(err)) != APP_OK)
                    fail_msg("%s", err);
                want_missing = (size_t)cJSON_GetArraySize(
                    cJSON_GetObjectItem(res, "missing"));
                if (allowed !=
                        cJSON_IsTrue(cJSON_GetObjectItem(res, "allowed")) ||
                    nmissing != want_missing)
                    fail_msg("%s -> %s mask %u: C %d/%zu, engine %s",
                             STAGES[f] ? STAGES[f] : "(new)", STAGES[t], mask,
                             allowed, nmissing, cJSON_PrintUnformatted(res));
                cJSON_Delete(res);
                cJSON_Delete(args);
                combos++;
            }
        }
    }
    assert_int_equal(combos, NSTAGES * (NSTAGES - 1) * (1u << NEVIDENCE));
}

/* The tenant's can_enter runs on the fast path once the evidence is there:
 * the default refuses a contract with a non-positive amount. */
static void
test_fast_path_runs_can_enter(void **state)
{
    struct fixture *fx = *state;
    const char *have[] = { "signed_contract" };
    cJSON *customer = cJSON_Parse("{\"amount\": 0}");
    bool allowed = true;
    size_t nmissing = 9;
    char err[1024];

    assert_int_equal(rules_sbx_transition(fx->s, customer, "quote", "contract",
                                          have, 1, &allowed, &nmissing, err,
                                          sizeof(err)),
                     APP_OK);
    assert_false(allowed);
    assert_int_equal(nmissing, 0);
    cJSON_SetNumberValue(cJSON_GetObjectItem(customer, "amount"), 5);
    assert_int_equal(rules_sbx_transition(fx->s, customer, "quote", "contract",
                                          have, 1, &allowed, &nmissing, err,
                                          sizeof(err)),
                     APP_OK);
    assert_true(allowed);
    cJSON_Delete(customer);
}

/* The default rules' loss focus: a quote sheet alone does not let a
 * customer into the stage under focus; the two extra items do. */
static void
test_fast_path_loss_focus(void **state)
{
    struct fixture *fx = *state;
    const char *have[] = { "quote_sheet", "qualified", "price_comparison",
                           "customer_words" };
    cJSON *customer = cJSON_Parse("{\"loss_focus\": \"quote\"}");
    bool allowed = true;
    size_t nmissing = 0;
    char err[1024];

    assert_int_equal(rules_sbx_transition(fx->s, customer, "advancing", "quote",
                                          have, 2, &allowed, &nmissing, err,
                                          sizeof(err)),
                     APP_OK);
    assert_false(allowed);
    assert_int_equal(nmissing, 2);
    assert_int_equal(rules_sbx_transition(fx->s, customer, "advancing", "quote",
                                          have, 4, &allowed, &nmissing, err,
                                          sizeof(err)),
                     APP_OK);
    assert_true(allowed);
    assert_int_equal(rules_sbx_transition(fx->s, NULL, "advancing", "quote",
                                          have, 2, &allowed, &nmissing, err,
                                          sizeof(err)),
                     APP_OK);
    assert_true(allowed);
    cJSON_Delete(customer);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_transitions),
        cmocka_unit_test(test_skip_and_no_way_back),
        cmocka_unit_test(test_loss_focus),
        cmocka_unit_test(test_missing_overflow),
        cmocka_unit_test(test_effective_fields),
        cmocka_unit_test(test_effective_lua_values),
        cmocka_unit_test(test_reader_limits),
        cmocka_unit_test(test_fast_path_agrees_with_engine),
        cmocka_unit_test(test_fast_path_runs_can_enter),
        cmocka_unit_test(test_fast_path_loss_focus),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
