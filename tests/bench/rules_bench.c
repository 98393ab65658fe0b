/*
 * rules_bench.c -- the cost of rule decisions from C (`make bench`).
 *
 * Builds the default rule set in a sandbox exactly as a worker does, then
 * times, in batches: a bare lua_pcall of an empty Lua function without any
 * hook (the floor); a stage-transition check and an activity
 * classification decided from the declarative rules (C, no Lua entered);
 * the same when the tenant's rules add a function (can_enter,
 * is_effective), which runs in the sandbox with the limit hook on.  Prints
 * the median of the batches in ns per call and the ratio to the floor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "base/conf.h"
#include "rules/rules.h"
#include "rules/rulesets.h"
#include "sandbox/sandbox.h"

#define BATCHES 15
#define PER_BATCH 20000

static int
cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp);
    return v[n / 2];
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc(1 << 20);

    if (f == NULL || buf == NULL)
        exit(2);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static const char IS_EFFECTIVE[] =
    "\nfunction is_effective(activity)\n"
    "  local n = utf8.len(activity.next_step or '')\n"
    "  if n ~= nil and n < 2 then return false, 'too short' end\n"
    "  return true\n"
    "end\n";

enum which { FLOOR, TR_REFUSED, TR_HOOK, CL_PLAIN, CL_HOOK, NCASES };

static const char *const CASE_NAMES[NCASES] = {
    [FLOOR] = "lua_pcall of an empty function",
    [TR_REFUSED] = "transition, evidence missing (C)",
    [TR_HOOK] = "transition + can_enter (Lua, hook)",
    [CL_PLAIN] = "classification (C)",
    [CL_HOOK] = "classification + is_effective (Lua)",
};

static const char *const HAVE_SOME[] = { "trial_kit_receipt",
                                         "installation_form" };
static const char *const HAVE_ALL[] = { "signed_contract" };
static const char *const FIELDS[] = { "need", "competitor", "next_step" };
static const char *const VALUES[] = { "CT 球管预算", "竞品低 5%",
                                      "下周技术交流" };

/* One call of case w; false (with err) when it fails or decides wrongly. */
static bool
once(enum which w, lua_State *plain, struct sbx *s, struct sbx *s_eff,
     char *err, size_t errlen)
{
    bool ok = false;
    size_t nmissing = 0;
    enum app_err rc = APP_OK;

    switch (w) {
    case FLOOR:
        lua_getglobal(plain, "noop");
        return lua_pcall(plain, 0, 0, 0) == LUA_OK;
    case TR_REFUSED:
        rc = rules_sbx_transition(s, NULL, "intent", "advancing", HAVE_SOME, 2,
                                  &ok, &nmissing, err, errlen);
        return rc == APP_OK && !ok && nmissing == 1;
    case TR_HOOK:
        rc = rules_sbx_transition(s, NULL, "quote", "contract", HAVE_ALL, 1,
                                  &ok, &nmissing, err, errlen);
        return rc == APP_OK && ok;
    case CL_PLAIN:
        rc = rules_sbx_classify(s, FIELDS, VALUES, 3, &ok, &nmissing, err,
                                errlen);
        return rc == APP_OK && ok;
    case CL_HOOK:
        rc = rules_sbx_classify(s_eff, FIELDS, VALUES, 3, &ok, &nmissing, err,
                                errlen);
        return rc == APP_OK && ok;
    default:
        return false;
    }
}

static struct sbx *
build(struct conf *c, struct str engine, struct rule_set *set)
{
    struct sbx *s;
    char err[1024];

    if (rules_build(c, engine, set, &s, err, sizeof(err)) != APP_OK) {
        fprintf(stderr, "rules_bench: %s\n", err);
        exit(1);
    }
    return s;
}

int
main(int argc, char **argv)
{
    const char *lua_dir = argc > 1 ? argv[1] : "lua";
    struct conf c;
    struct arena *a = arena_new(1 << 16, 64u << 20);
    struct rule_set set;
    struct sbx *s, *s_eff;
    char err[1024], path[1024];
    size_t elen;
    char *engine, *activity;
    double ns[NCASES][BATCHES];
    lua_State *plain;
    int b, i, w, k;

    conf_defaults(&c);
    snprintf(c.lua_dir, sizeof(c.lua_dir), "%s", lua_dir);
    snprintf(path, sizeof(path), "%s/engine.lua", lua_dir);
    engine = slurp(path, &elen);
    snprintf(path, sizeof(path), "%s/default", lua_dir);
    if (rulesets_from_dir(a, path, &set, err, sizeof(err)) != APP_OK) {
        fprintf(stderr, "rules_bench: %s\n", err);
        return 1;
    }
    s = build(&c, (struct str){ engine, elen }, &set);
    /* The same rules plus an is_effective() function. */
    for (k = 0; k < RULES_NSCRIPTS; k++) {
        if (strcmp(rules_script_names[k], "activity") == 0)
            break;
    }
    if (k == RULES_NSCRIPTS)
        return 1;
    activity = malloc(set.scripts[k].len + sizeof(IS_EFFECTIVE));
    if (activity == NULL)
        return 1;
    memcpy(activity, set.scripts[k].p, set.scripts[k].len);
    memcpy(activity + set.scripts[k].len, IS_EFFECTIVE, sizeof(IS_EFFECTIVE));
    set.scripts[k] = (struct str){ activity, strlen(activity) };
    s_eff = build(&c, (struct str){ engine, elen }, &set);
    plain = luaL_newstate();
    if (luaL_dostring(plain, "function noop() end") != LUA_OK)
        return 1;
    for (b = 0; b < BATCHES; b++) {
        for (w = 0; w < NCASES; w++) {
            uint64_t t0 = sbx_now_ns();

            for (i = 0; i < PER_BATCH; i++) {
                if (!once((enum which)w, plain, s, s_eff, err, sizeof(err))) {
                    fprintf(stderr, "rules_bench: %s: wrong or failed: %s\n",
                            CASE_NAMES[w], err);
                    return 1;
                }
            }
            ns[w][b] = (double)(sbx_now_ns() - t0) / PER_BATCH;
        }
    }
    printf("bench: rule decisions, median of %d batches of %d (target <= "
           "1000 ns each)\n",
           BATCHES, PER_BATCH);
    {
        double f = median(ns[FLOOR], BATCHES);

        for (w = 0; w < NCASES; w++) {
            double t = median(ns[w], BATCHES);

            printf("  %-38s %8.0f ns  %6.2fx\n", CASE_NAMES[w], t, t / f);
        }
    }
    lua_close(plain);
    sbx_free(s);
    sbx_free(s_eff);
    free(activity);
    free(engine);
    arena_free(a);
    return 0;
}
