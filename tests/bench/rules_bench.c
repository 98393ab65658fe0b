/*
 * rules_bench.c -- the cost of rule decisions from C (`make bench`).
 *
 * Builds the default rule set in a sandbox exactly as a worker does, then
 * times, in batches: a bare lua_pcall of an empty Lua function without any
 * hook (the floor), one stage-transition check and one activity
 * classification through the engine with the limit hook on.  Prints the
 * median of the batches in ns per call and the ratio to the floor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "conf.h"
#include "rules.h"
#include "rulesets.h"
#include "sandbox.h"

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

int
main(int argc, char **argv)
{
    const char *lua_dir = argc > 1 ? argv[1] : "lua";
    struct conf c;
    struct arena *a = arena_new(1 << 16, 64u << 20);
    struct rule_set set;
    struct sbx *s;
    char err[1024], path[1024];
    size_t elen, nmissing = 0;
    char *engine;
    double floor_ns[BATCHES], tr_ns[BATCHES], cl_ns[BATCHES];
    static const char *const have[] = { "trial_kit_receipt",
                                        "installation_form" };
    bool allowed = false, effective = false;
    lua_State *plain;
    int b, i;

    conf_defaults(&c);
    snprintf(c.lua_dir, sizeof(c.lua_dir), "%s", lua_dir);
    snprintf(path, sizeof(path), "%s/engine.lua", lua_dir);
    engine = slurp(path, &elen);
    snprintf(path, sizeof(path), "%s/default", lua_dir);
    if (rulesets_from_dir(a, path, &set, err, sizeof(err)) != APP_OK ||
        rules_build(&c, (struct str){ engine, elen }, &set, &s, err,
                    sizeof(err)) != APP_OK) {
        fprintf(stderr, "rules_bench: %s\n", err);
        return 1;
    }
    plain = luaL_newstate();
    if (luaL_dostring(plain, "function noop() end") != LUA_OK)
        return 1;
    for (b = 0; b < BATCHES; b++) {
        uint64_t t0 = sbx_now_ns();

        for (i = 0; i < PER_BATCH; i++) {
            lua_getglobal(plain, "noop");
            lua_pcall(plain, 0, 0, 0);
        }
        floor_ns[b] = (double)(sbx_now_ns() - t0) / PER_BATCH;
        t0 = sbx_now_ns();
        for (i = 0; i < PER_BATCH; i++) {
            if (rules_sbx_transition(s, NULL, "intent", "advancing", have, 2,
                                     &allowed, &nmissing, err,
                                     sizeof(err)) != APP_OK) {
                fprintf(stderr, "rules_bench: %s\n", err);
                return 1;
            }
        }
        tr_ns[b] = (double)(sbx_now_ns() - t0) / PER_BATCH;
        t0 = sbx_now_ns();
        for (i = 0; i < PER_BATCH; i++) {
            if (rules_sbx_classify(s, "CT 球管预算", "竞品低 5%",
                                   "下周技术交流", &effective, err,
                                   sizeof(err)) != APP_OK) {
                fprintf(stderr, "rules_bench: %s\n", err);
                return 1;
            }
        }
        cl_ns[b] = (double)(sbx_now_ns() - t0) / PER_BATCH;
    }
    if (allowed || nmissing != 1 || !effective) {
        fprintf(stderr, "rules_bench: wrong decisions\n");
        return 1;
    }
    {
        double f = median(floor_ns, BATCHES);
        double t = median(tr_ns, BATCHES);
        double k = median(cl_ns, BATCHES);

        printf("bench: rule calls, median of %d batches of %d (target <= "
               "1000 ns each; %d upvalues restored per call)\n",
               BATCHES, PER_BATCH, sbx_upvalues(s));
        printf("  %-34s %8.0f ns   1.00x\n", "lua_pcall of an empty function",
               f);
        printf("  %-34s %8.0f ns  %5.2fx\n", "stage transition check (hook)", t,
               t / f);
        printf("  %-34s %8.0f ns  %5.2fx\n", "activity classification (hook)",
               k, k / f);
    }
    lua_close(plain);
    sbx_free(s);
    free(engine);
    arena_free(a);
    return 0;
}
