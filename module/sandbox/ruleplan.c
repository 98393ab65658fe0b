/*
 * ruleplan.c -- stage transitions and effective activities decided in C
 * from the declarative part of a tenant's rules.
 */
#include "sandbox/ruleplan.h"

#include <string.h>

#include <lauxlib.h>

#include "sandbox/sandbox.h"

static const char *const CODE_NAMES[] = {
    [PLAN_OK] = "ok",
    [PLAN_LOST] = "lost",
    [PLAN_BACK] = "back",
    [PLAN_EVIDENCE_MISSING] = "evidence_missing",
    [PLAN_UNKNOWN_STAGE] = "unknown_stage",
    [PLAN_SAME_STAGE] = "same_stage",
    [PLAN_ALREADY_LOST] = "already_lost",
    [PLAN_REOPEN_NOT_ALLOWED] = "reopen_not_allowed",
    [PLAN_BACK_NOT_ALLOWED] = "back_not_allowed",
    [PLAN_SKIP_NOT_ALLOWED] = "skip_not_allowed",
};

const char *
plan_code_name(enum plan_code code)
{
    if ((size_t)code >= sizeof(CODE_NAMES) / sizeof(CODE_NAMES[0]))
        return "unknown";
    return CODE_NAMES[code];
}

bool
plan_code_allowed(enum plan_code code)
{
    return code == PLAN_OK || code == PLAN_LOST || code == PLAN_BACK;
}

static int
find_stage(const struct rule_plan *p, const char *key)
{
    size_t i;

    for (i = 0; key != NULL && i < p->nstages; i++) {
        if (strcmp(p->stage[i].key, key) == 0)
            return (int)i;
    }
    return -1;
}

static void
add_missing(struct plan_missing *m, const char *key)
{
    if (m->n < PLAN_MAX_MISSING)
        m->key[m->n] = key;
    m->n++;
}

/* Is evidence key index k among stage s's own requirements? */
static bool
stage_requires(const struct plan_stage *s, uint8_t k)
{
    size_t j;

    for (j = 0; j < s->nreq; j++) {
        if (s->req[j] == k)
            return true;
    }
    return false;
}

enum plan_code
plan_gate(const struct rule_plan *p, const char *from, const char *to,
          const char *focus, plan_has_fn has, void *ctx, struct plan_missing *m)
{
    int fi = find_stage(p, from), ti = find_stage(p, to), first = 0, i;
    const struct plan_stage *fs, *ts;
    size_t j;

    m->n = 0;
    if (ti < 0)
        return PLAN_UNKNOWN_STAGE;
    if (from != NULL && strcmp(from, to) == 0)
        return PLAN_SAME_STAGE;
    fs = fi >= 0 ? &p->stage[fi] : NULL;
    ts = &p->stage[ti];
    if (ts->lost)
        return fs != NULL && fs->lost ? PLAN_ALREADY_LOST : PLAN_LOST;
    if (fs != NULL && fs->lost) {
        /* Reopening needs the evidence of every stage up to the target. */
        if (!ts->reopen)
            return PLAN_REOPEN_NOT_ALLOWED;
    } else if (fs != NULL && ti < fi) {
        return p->allow_back ? PLAN_BACK : PLAN_BACK_NOT_ALLOWED;
    } else if (fs != NULL && ti > fi + 1 && !p->allow_skip) {
        return PLAN_SKIP_NOT_ALLOWED;
    } else if (fs != NULL) {
        first = fi + 1;
    }
    /* Entering a stage needs its evidence; skipping (when allowed) needs
     * the evidence of every stage passed. */
    for (i = first; i <= ti; i++) {
        const struct plan_stage *s = &p->stage[i];

        if (s->lost)
            continue;
        for (j = 0; j < s->nreq; j++) {
            const char *key = p->key[s->req[j]];

            if (!has(ctx, key))
                add_missing(m, key);
        }
        if (s->qualified && !has(ctx, PLAN_QUALIFIED_KEY))
            add_missing(m, PLAN_QUALIFIED_KEY);
        if (focus == NULL || strcmp(s->key, focus) != 0)
            continue;
        for (j = 0; j < p->nfocus; j++) {
            const char *key = p->key[p->focus_req[j]];

            if (!stage_requires(s, p->focus_req[j]) && !has(ctx, key))
                add_missing(m, key);
        }
    }
    return m->n > 0 ? PLAN_EVIDENCE_MISSING : PLAN_OK;
}

bool
plan_effective(const struct rule_plan *p, plan_has_fn filled, void *ctx,
               struct plan_missing *m)
{
    size_t i;

    m->n = 0;
    for (i = 0; i < p->nfields; i++) {
        if (!filled(ctx, p->field[i]))
            add_missing(m, p->field[i]);
    }
    return m->n == 0;
}

/* --- reading the plan from the engine ---------------------------------- */

/* The string at the top of the stack, checked: `what` names it in the
 * error. */
static const char *
key_at_top(lua_State *L, const char *script, const char *what)
{
    size_t len;
    const char *k;

    if (lua_type(L, -1) != LUA_TSTRING)
        luaL_error(L, "%s: %s must be a string, not %s", script, what,
                   luaL_typename(L, -1));
    k = lua_tolstring(L, -1, &len);
    if (len == 0 || len >= PLAN_KEY_MAX || strlen(k) != len)
        luaL_error(L, "%s: %s must be 1 to %d bytes without NUL", script, what,
                   PLAN_KEY_MAX - 1);
    return k;
}

static uint8_t
intern_key(lua_State *L, struct rule_plan *p, const char *k)
{
    size_t i;

    for (i = 0; i < p->nkeys; i++) {
        if (strcmp(p->key[i], k) == 0)
            return (uint8_t)i;
    }
    if (p->nkeys >= PLAN_MAX_KEYS)
        luaL_error(L, "stages: more than %d different evidence items",
                   PLAN_MAX_KEYS);
    memcpy(p->key[p->nkeys], k, strlen(k) + 1);
    return (uint8_t)p->nkeys++;
}

static bool
flag(lua_State *L, int t, const char *name)
{
    bool v;

    lua_getfield(L, t, name);
    v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

static void
read_stage(lua_State *L, struct rule_plan *p, int t, lua_Integer n)
{
    struct plan_stage *s = &p->stage[p->nstages];
    lua_Integer j, nreq;
    const char *k;

    luaL_checkstack(L, 4, "plan");
    lua_getfield(L, t, "key");
    k = key_at_top(L, "stages", "a stage's key");
    if (find_stage(p, k) >= 0)
        luaL_error(L, "stages: stage '%s' is listed twice", k);
    memcpy(s->key, k, strlen(k) + 1);
    lua_pop(L, 1);
    s->lost = flag(L, t, "lost");
    s->reopen = flag(L, t, "reopen");
    s->qualified = flag(L, t, "qualified");
    if (lua_getfield(L, t, "requires") != LUA_TTABLE)
        luaL_error(L, "stages: stage %d has no requires list", (int)n);
    nreq = (lua_Integer)lua_rawlen(L, -1);
    if (nreq > PLAN_MAX_REQUIRES)
        luaL_error(L, "stages: stage '%s' requires more than %d items", s->key,
                   PLAN_MAX_REQUIRES);
    for (j = 1; j <= nreq; j++) {
        lua_rawgeti(L, -1, j);
        k = key_at_top(L, "stages", "an evidence key in requires");
        s->req[j - 1] = intern_key(L, p, k);
        lua_pop(L, 1);
    }
    s->nreq = (uint8_t)nreq;
    lua_pop(L, 1);
    p->nstages++;
}

int
ruleplan_load(lua_State *L)
{
    struct rule_plan *p;
    lua_Integer i, n;

    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checktype(L, 2, LUA_TLIGHTUSERDATA);
    p = lua_touserdata(L, 2);
    memset(p, 0, sizeof(*p));
    luaL_checkstack(L, 8, "plan");
    if (lua_getfield(L, 1, "stages") != LUA_TTABLE)
        return luaL_error(L, "stages: no stages table");
    n = (lua_Integer)lua_rawlen(L, -1);
    if (n > PLAN_MAX_STAGES)
        return luaL_error(L, "stages: more than %d stages", PLAN_MAX_STAGES);
    for (i = 1; i <= n; i++) {
        if (lua_rawgeti(L, -1, i) != LUA_TTABLE)
            return luaL_error(L, "stages: stage %d is not a table", (int)i);
        read_stage(L, p, lua_gettop(L), i);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "fields") == LUA_TTABLE) {
        n = (lua_Integer)lua_rawlen(L, -1);
        if (n > PLAN_MAX_FIELDS)
            return luaL_error(L, "activity: more than %d required fields",
                              PLAN_MAX_FIELDS);
        for (i = 1; i <= n; i++) {
            const char *k;

            lua_rawgeti(L, -1, i);
            k = key_at_top(L, "activity", "a required field");
            memcpy(p->field[i - 1], k, strlen(k) + 1);
            lua_pop(L, 1);
        }
        p->nfields = (size_t)n;
    }
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "focus_requires") == LUA_TTABLE) {
        n = (lua_Integer)lua_rawlen(L, -1);
        if (n > PLAN_MAX_REQUIRES)
            return luaL_error(L,
                              "stages: loss_focus requires more than %d "
                              "items",
                              PLAN_MAX_REQUIRES);
        for (i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, i);
            p->focus_req[i - 1] = intern_key(
                L, p, key_at_top(L, "stages", "an evidence key in loss_focus"));
            lua_pop(L, 1);
        }
        p->nfocus = (uint8_t)n;
    }
    lua_pop(L, 1);
    p->allow_back = flag(L, 1, "allow_back");
    p->allow_skip = flag(L, 1, "allow_skip");
    p->has_can_enter = flag(L, 1, "can_enter");
    p->has_is_effective = flag(L, 1, "is_effective");
    return 0;
}

/* --- the decisions as Lua functions ------------------------------------- */

struct table_ctx {
    lua_State *L;
    int idx;
};

static bool
table_has(void *ctx, const char *key)
{
    struct table_ctx *c = ctx;
    bool v;

    lua_getfield(c->L, c->idx, key);
    v = lua_toboolean(c->L, -1);
    lua_pop(c->L, 1);
    return v;
}

/* Filled in: not nil, false, "" or an empty table (frozen tables are seen
 * through). */
static bool
table_filled(void *ctx, const char *key)
{
    struct table_ctx *c = ctx;
    lua_State *L = c->L;
    bool v;

    switch (lua_getfield(L, c->idx, key)) {
    case LUA_TNIL:
        v = false;
        break;
    case LUA_TBOOLEAN:
        v = lua_toboolean(L, -1);
        break;
    case LUA_TSTRING:
        v = lua_rawlen(L, -1) > 0;
        break;
    case LUA_TTABLE:
        sbx_push_contents(L, -1);
        lua_pushnil(L);
        v = lua_next(L, -2) != 0;
        lua_pop(L, v ? 3 : 1);
        break;
    default:
        v = true;
        break;
    }
    lua_pop(L, 1);
    return v;
}

static int
push_missing(lua_State *L, const struct plan_missing *m)
{
    size_t i, n = m->n < PLAN_MAX_MISSING ? m->n : PLAN_MAX_MISSING;

    luaL_checkstack(L, (int)n, "missing keys");
    for (i = 0; i < n; i++)
        lua_pushstring(L, m->key[i]);
    return (int)n;
}

static int
l_gate(lua_State *L)
{
    const struct rule_plan *p = lua_touserdata(L, lua_upvalueindex(1));
    const char *from = luaL_optstring(L, 1, NULL);
    const char *to = luaL_checkstring(L, 2);
    const char *focus = luaL_optstring(L, 4, NULL);
    struct table_ctx ctx = { L, 3 };
    struct plan_missing m;
    enum plan_code code;

    luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 4);
    code = plan_gate(p, from, to, focus, table_has, &ctx, &m);
    lua_pushstring(L, plan_code_name(code));
    return 1 + push_missing(L, &m);
}

static int
l_missing_fields(lua_State *L)
{
    const struct rule_plan *p = lua_touserdata(L, lua_upvalueindex(1));
    struct table_ctx ctx = { L, 1 };
    struct plan_missing m;

    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    plan_effective(p, table_filled, &ctx, &m);
    return push_missing(L, &m);
}

void
ruleplan_push_gate(lua_State *L, const struct rule_plan *p)
{
    lua_pushlightuserdata(L, (void *)p);
    lua_pushcclosure(L, l_gate, 1);
}

void
ruleplan_push_fields(lua_State *L, const struct rule_plan *p)
{
    lua_pushlightuserdata(L, (void *)p);
    lua_pushcclosure(L, l_missing_fields, 1);
}
