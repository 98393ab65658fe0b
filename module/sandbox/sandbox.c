/*
 * sandbox.c -- a Lua 5.4 state that tenant code cannot escape, exhaust or
 * leave traces in.  See sandbox.h for the rules of the game.
 */
#include "sandbox/sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#include "sandbox/sbxlib.h"

#define HOOK_EVERY 1000        /* instructions between checks */
#define MEM_RESERVE (1u << 20) /* headroom so a limit error names a line */
#define FREEZE_DEPTH 64

struct sbx {
    lua_State *L;
    struct sbx_limits lim;
    size_t used;
    bool live;        /* allocator enforces the cap (off while closing) */
    bool mem_tripped; /* crossed the cap: the hook stops the call */
    bool tripped;     /* the hook fires on every instruction */
    const char *reason;
    int64_t instr_left;
    uint64_t call_deadline;    /* wall clock: check the CPU time from here */
    uint64_t call_cap;         /* wall clock: stop here whatever the CPU */
    uint64_t call_cpu;         /* thread CPU time when the call began */
    uint64_t request_deadline; /* as given by sbx_request_deadline */
    uint64_t request_check;    /* wall clock: check the request's CPU */
    uint64_t request_cap;
    uint64_t request_cpu;    /* thread CPU time when the request began */
    uint64_t request_budget; /* ns of CPU time for the request's rules */
    bool broken;
    bool sealed;
    bool hooked;
    bool in_call; /* inside sbx_call: the hook enforces the limits */
    int engine_ref;
    int upv_ref; /* registry: array of closure, index, value triples */
    int nupv;
    void *attached; /* the caller's data about this state, freed with it */
};

/* Keys in the registry / metatables that Lua code cannot name. */
static char SHADOW_KEY;

uint64_t
sbx_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The CPU time this thread has used: what a runaway rule spends.  A
 * system call (no vDSO), so it is read only when the wall clock says a
 * limit may have been reached. */
static uint64_t
thread_cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The limits are tens of milliseconds or more: the coarse clock (a few
 * milliseconds of resolution, a fraction of the cost) is enough, and it is
 * read on every call. */
static uint64_t
coarse_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The thread CPU time when a call or a request begins, without a system
 * call per call: the last reading is reused while the coarse clock has not
 * moved.  The reading can only be older than the call's start, by less
 * than one coarse tick of wall clock, so a call is charged at most that
 * much CPU time it did not use: the limits err on the strict side by a few
 * milliseconds, and a decision pays ~5 ns instead of ~500. */
static _Thread_local uint64_t cpu_tick;
static _Thread_local uint64_t cpu_at_tick;

static uint64_t
cpu_start_ns(uint64_t coarse_now)
{
    if (coarse_now != cpu_tick || cpu_at_tick == 0) {
        cpu_tick = coarse_now;
        cpu_at_tick = thread_cpu_ns();
    }
    return cpu_at_tick;
}

/* The time limits count CPU time, not time spent waiting for a core: on
 * a busy machine a rule that has run for 30 ms may have taken 150 ms of
 * wall clock, and it is not a runaway.  The cheap wall clock tells when
 * to look; the CPU time decides; past `cap` (ten times the limit of wall
 * clock) the rule stops however little CPU it got.  Returns true when the
 * limit is reached, else moves *check to when it may be. */
static bool
spent(uint64_t now, uint64_t *check, uint64_t cap, uint64_t cpu_start,
      uint64_t budget)
{
    uint64_t used = thread_cpu_ns() - cpu_start;

    if (used >= budget || now >= cap)
        return true;
    *check = now + (budget - used);
    return false;
}

static struct sbx *
sbx_of(lua_State *L)
{
    return *(struct sbx **)lua_getextraspace(L);
}

/* --- memory -------------------------------------------------------------- */

static void *
sbx_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    struct sbx *s = ud;
    size_t old = ptr != NULL ? osize : 0;
    void *p;

    if (nsize == 0) {
        free(ptr);
        s->used -= old;
        return NULL;
    }
    if (nsize > old && s->live) {
        size_t grow = nsize - old;

        if (s->used + grow > s->lim.memory) {
            /* Past the cap: allow a little headroom once, so the count
             * hook can stop the call with a message that names the line;
             * past the headroom, refuse outright. */
            if (s->used + grow > s->lim.memory + MEM_RESERVE)
                return NULL;
            s->mem_tripped = true;
        }
    }
    p = realloc(ptr, nsize);
    if (p == NULL)
        return NULL;
    s->used = s->used - old + nsize;
    return p;
}

/* --- time and instructions ---------------------------------------------- */

/* "script:line: " of the innermost function that has a current line
 * (rule code), or "" when none has. */
static void
push_where(lua_State *L)
{
    lua_Debug ar;
    int level;

    for (level = 0; level < 16 && lua_getstack(L, level, &ar); level++) {
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
            lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
            return;
        }
    }
    lua_pushliteral(L, "");
}

static void
hook(lua_State *L, lua_Debug *ar)
{
    struct sbx *s = sbx_of(L);
    bool call = ar->event == LUA_HOOKCALL || ar->event == LUA_HOOKTAILCALL;
    uint64_t now;

    /* C code of the engine (pushing arguments, reading plans) calls into
     * Lua outside sbx_call: the budgets of the last call do not apply to
     * it.  Rule code itself only ever runs inside sbx_call. */
    if (!s->in_call)
        return;
    if (!s->tripped) {
        /* Count events pay for the instructions run since the last one;
         * call events only look at the clock: a loop of calls to one slow
         * library function is stopped at the next call after the
         * deadline, however few instructions it runs. */
        if (!call)
            s->instr_left -= HOOK_EVERY;
        now = coarse_ns();
        if (s->mem_tripped)
            s->reason = "rule exceeded its memory limit";
        else if (s->instr_left <= 0)
            s->reason = "rule exceeded its instruction budget";
        else if (s->request_deadline != 0 && now >= s->request_check &&
                 spent(now, &s->request_check, s->request_cap, s->request_cpu,
                       s->request_budget))
            s->reason = "rules exceeded the time budget of this request";
        else if (now >= s->call_deadline &&
                 spent(now, &s->call_deadline, s->call_cap, s->call_cpu,
                       s->lim.call_ms * 1000000u))
            s->reason = "rule exceeded its time limit";
        else
            return;
        /* From now on every instruction stops: a pcall that caught the
         * first error cannot carry on. */
        s->tripped = true;
        lua_sethook(L, hook, LUA_MASKCOUNT | LUA_MASKCALL, 1);
    }
    /* Name the rule line that was running: level 0 inside a count hook
     * is the rule function itself; inside a call hook it is the function
     * being called, perhaps a library function called by another (the
     * bounded ones call the originals), so look up to the first level
     * that has a line. */
    push_where(L);
    lua_pushstring(L, s->reason);
    lua_concat(L, 2);
    lua_error(L);
}

/* Before each call: fresh budgets.  The hook stays installed between
 * calls (no Lua runs then); it is only put back to its normal pace after
 * a call tripped it, which leaves the sandbox broken anyway. */
static void
arm(struct sbx *s)
{
    uint64_t now;

    if (s->tripped || !s->hooked) {
        lua_sethook(s->L, hook, LUA_MASKCOUNT | LUA_MASKCALL, HOOK_EVERY);
        s->hooked = true;
    }
    s->tripped = false;
    s->mem_tripped = false;
    s->reason = NULL;
    s->instr_left = (int64_t)s->lim.instructions;
    now = coarse_ns();
    s->call_deadline = now + s->lim.call_ms * 1000000u;
    s->call_cap = s->call_deadline + 9 * s->lim.call_ms * 1000000u;
    s->call_cpu = cpu_start_ns(now);
}

/* --- wrappers --------------------------------------------------------------
 */

/* string.rep bounded by max_string. */
static int
l_rep(lua_State *L)
{
    struct sbx *s = sbx_of(L);
    size_t l, lsep, total;
    const char *str = luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    const char *sep = luaL_optlstring(L, 3, "", &lsep);
    luaL_Buffer b;
    size_t done, chunk;
    char *p;

    if (n <= 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    if (__builtin_add_overflow(l, lsep, &total) ||
        __builtin_mul_overflow(total, (size_t)n, &total) ||
        total > s->lim.max_string)
        return luaL_error(L, "string.rep result larger than %d bytes",
                          (int)s->lim.max_string);
    if (total == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    /* One allocation of the final size, filled by doubling: a few memcpy
     * calls however large n is. */
    p = luaL_buffinitsize(L, &b, total);
    memcpy(p, str, l);
    memcpy(p + l, sep, lsep);
    for (done = l + lsep; done < total; done += chunk) {
        chunk = done < total - done ? done : total - done;
        memcpy(p + done, p, chunk);
    }
    luaL_pushresultsize(&b, total - lsep); /* no separator after the last */
    return 1;
}

/* Read-only tables: the metamethods of a frozen table. */
static int
l_frozen_newindex(lua_State *L)
{
    const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";

    return luaL_error(L,
                      "rules are read-only while they run (assignment to "
                      "'%s'); use local variables",
                      k);
}

static int
l_frozen_len(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, lua_upvalueindex(1)));
    return 1;
}

static int l_next(lua_State *L);

static int
l_frozen_pairs(lua_State *L)
{
    lua_pushcfunction(L, l_next);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushnil(L);
    return 3;
}

void
sbx_push_contents(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    if (lua_getmetatable(L, idx)) {
        lua_rawgetp(L, -1, &SHADOW_KEY);
        lua_remove(L, -2);
        if (lua_istable(L, -1))
            return;
        lua_pop(L, 1);
    }
    lua_pushvalue(L, idx);
}

/* next() that sees through frozen tables. */
static int
l_next(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 2);
    sbx_push_contents(L, 1);
    lua_pushvalue(L, 2);
    if (lua_next(L, -2))
        return 2;
    lua_pushnil(L);
    return 1;
}

/* xpcall whose message handler runs after the stack is unwound.  Lua's
 * own calls the handler while raising the error; when the error came from
 * the limit hook, hooks are off at that moment, so a looping handler
 * would never be stopped.  Here the handler runs as ordinary code. */
static int
l_xpcall(lua_State *L)
{
    int n = lua_gettop(L), i, status;

    luaL_checktype(L, 2, LUA_TFUNCTION);
    luaL_checkstack(L, n + 2, "too many arguments");
    lua_pushvalue(L, 1);
    for (i = 3; i <= n; i++)
        lua_pushvalue(L, i);
    status = lua_pcall(L, n - 2, LUA_MULTRET, 0);
    if (status == LUA_OK) {
        lua_pushboolean(L, 1);
        lua_insert(L, n + 1);
        return lua_gettop(L) - n;
    }
    lua_pushvalue(L, 2);
    lua_insert(L, -2);
    lua_call(L, 1, 1);
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
}

/* --- building the state ----------------------------------------------------
 */

static void
open_lib(lua_State *L, const char *name, lua_CFunction f)
{
    luaL_requiref(L, name, f, 1);
    lua_pop(L, 1);
}

static void
remove_field(lua_State *L, const char *table, const char *field)
{
    if (lua_getglobal(L, table) == LUA_TTABLE) {
        lua_pushnil(L);
        lua_setfield(L, -2, field);
    }
    lua_pop(L, 1);
}

static int
setup(lua_State *L)
{
    struct sbx *s = sbx_of(L);
    static const char *const base_removed[] = {
        "dofile",         "loadfile", "load",   "print",
        "collectgarbage", "require",  "rawset", "rawget",
        "rawlen",         "warn",     NULL,
    };
    static const char *const os_kept[] = { "time", "date", "clock", NULL };
    size_t i;

    open_lib(L, LUA_GNAME, luaopen_base);
    open_lib(L, LUA_STRLIBNAME, luaopen_string);
    open_lib(L, LUA_TABLIBNAME, luaopen_table);
    open_lib(L, LUA_MATHLIBNAME, luaopen_math);
    open_lib(L, LUA_UTF8LIBNAME, luaopen_utf8);
    open_lib(L, LUA_OSLIBNAME, luaopen_os);
    /* luaL_requiref leaves the libraries in package.loaded: drop it. */
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);

    for (i = 0; base_removed[i] != NULL; i++) {
        lua_pushnil(L);
        lua_setglobal(L, base_removed[i]);
    }
    lua_pushcfunction(L, l_next);
    lua_setglobal(L, "next");
    lua_pushcfunction(L, l_xpcall);
    lua_setglobal(L, "xpcall");

    /* os: only time, date and clock. */
    lua_getglobal(L, "os");
    lua_newtable(L);
    for (i = 0; os_kept[i] != NULL; i++) {
        lua_getfield(L, -2, os_kept[i]);
        lua_setfield(L, -2, os_kept[i]);
    }
    lua_setglobal(L, "os");
    lua_pop(L, 1);

    /* string: no dump, bounded rep and pattern functions. */
    remove_field(L, "string", "dump");
    lua_getglobal(L, "string");
    lua_pushcfunction(L, l_rep);
    lua_setfield(L, -2, "rep");
    luapat_open(L, &s->lim.pattern);
    lua_pop(L, 1);

    /* Library functions whose cost grows with their arguments, and
     * setmetatable's finalisers: bounded (sbxlib.h). */
    sbxlib_bound(L);

    /* Strings share one metatable; make it unreachable from Lua. */
    lua_pushliteral(L, "");
    if (lua_getmetatable(L, -1)) {
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return 0;
}

struct sbx *
sbx_new(const struct sbx_limits *lim, char *err, size_t errlen)
{
    struct sbx *s = calloc(1, sizeof(*s));

    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->lim = *lim;
    s->engine_ref = LUA_NOREF;
    s->upv_ref = LUA_NOREF;
    s->L = lua_newstate(sbx_alloc, s);
    if (s->L == NULL) {
        free(s);
        snprintf(err, errlen, "cannot create a Lua state");
        return NULL;
    }
    *(struct sbx **)lua_getextraspace(s->L) = s;
    lua_pushcfunction(s->L, setup);
    if (lua_pcall(s->L, 0, 0, 0) != LUA_OK) {
        snprintf(err, errlen, "sandbox setup: %s", lua_tostring(s->L, -1));
        sbx_free(s);
        return NULL;
    }
    s->live = true;
    return s;
}

void
sbx_free(struct sbx *s)
{
    if (s == NULL)
        return;
    s->live = false;
    if (s->L != NULL)
        lua_close(s->L);
    free(s->attached);
    free(s);
}

void
sbx_attach(struct sbx *s, void *data)
{
    free(s->attached);
    s->attached = data;
}

void *
sbx_attached(const struct sbx *s)
{
    return s->attached;
}

lua_State *
sbx_state(struct sbx *s)
{
    return s->L;
}

bool
sbx_broken(const struct sbx *s)
{
    return s->broken;
}

int
sbx_upvalues(const struct sbx *s)
{
    return s->nupv;
}

size_t
sbx_memory(const struct sbx *s)
{
    return s->used;
}

void
sbx_request_deadline(struct sbx *s, uint64_t deadline_ns)
{
    uint64_t now;

    /* The same deadline for every call of one request: a new value is a
     * new request, whose budget is counted in CPU time from here. */
    if (deadline_ns == s->request_deadline)
        return;
    s->request_deadline = deadline_ns;
    if (deadline_ns == 0)
        return;
    now = sbx_now_ns();
    s->request_budget = deadline_ns > now ? deadline_ns - now : 0;
    s->request_check = deadline_ns;
    s->request_cap = now + 10 * s->request_budget;
    s->request_cpu = cpu_start_ns(coarse_ns());
}

void
sbx_push_global(struct sbx *s, const char *name)
{
    lua_getglobal(s->L, name);
}

void
sbx_push_engine(struct sbx *s)
{
    lua_rawgeti(s->L, LUA_REGISTRYINDEX, s->engine_ref);
}

static void
copy_error(lua_State *L, struct sbx *s, int status, char *err, size_t errlen)
{
    const char *m = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;

    if (status == LUA_ERRMEM)
        snprintf(err, errlen, "rule exceeded its memory limit (%zu KiB)",
                 s->lim.memory / 1024);
    else
        snprintf(err, errlen, "%s", m != NULL ? m : "rule failed");
}

enum app_err
sbx_call(struct sbx *s, int nargs, int nres, char *err, size_t errlen)
{
    lua_State *L = s->L;
    int base = lua_gettop(L) - nargs; /* the function's index */
    int status;

    if (s->broken) {
        snprintf(err, errlen, "rules must be reloaded after a failure");
        lua_settop(L, base - 1);
        return APP_ERULE;
    }
    arm(s);
    /* No message handler: string errors already carry "chunk:line:", and
     * other error values are described below, without running any rule
     * code while an error is being raised. */
    s->in_call = true;
    status = lua_pcall(L, nargs, nres, 0);
    s->in_call = false;
    if (status == LUA_OK && (s->tripped || s->mem_tripped)) {
        /* Caught inside and carried on past a tripped limit: still a
         * failure. */
        status = LUA_ERRRUN;
        lua_settop(L, base - 1);
        lua_pushstring(L,
                       s->reason != NULL ? s->reason : "rule exceeded a limit");
    }
    if (status != LUA_OK) {
        if (lua_type(L, -1) != LUA_TSTRING && status != LUA_ERRMEM) {
            const char *t = luaL_typename(L, -1);

            lua_pop(L, 1);
            lua_pushfstring(L, "(error object is a %s value)", t);
        }
        copy_error(L, s, status, err, errlen);
        lua_settop(L, base - 1);
        s->broken = true;
        return APP_ERULE;
    }
    /* Put back whatever upvalues the call changed. */
    if (s->nupv > 0) {
        int i, n;

        lua_rawgeti(L, LUA_REGISTRYINDEX, s->upv_ref);
        for (i = 0; i < s->nupv; i++) {
            lua_rawgeti(L, -1, 3 * i + 1); /* closure */
            lua_rawgeti(L, -2, 3 * i + 2); /* upvalue number */
            n = (int)lua_tointeger(L, -1);
            lua_pop(L, 1);
            lua_rawgeti(L, -2, 3 * i + 3); /* recorded value */
            lua_setupvalue(L, -2, n);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    return APP_OK;
}

static int l_where(lua_State *L);

/* Load and run a chunk; the engine (nres 1) gets where() as its
 * argument. */
APP_MUST_USE static enum app_err
load_chunk(struct sbx *s, const char *name, const char *src, size_t len,
           int nres, char *err, size_t errlen)
{
    char chunk[80];
    int status;

    snprintf(chunk, sizeof(chunk), "=%s", name);
    status = luaL_loadbufferx(s->L, src, len, chunk, "t");
    if (status != LUA_OK) {
        copy_error(s->L, s, status, err, errlen);
        lua_pop(s->L, 1);
        return APP_ERULE;
    }
    if (nres == 1)
        lua_pushcfunction(s->L, l_where);
    return sbx_call(s, nres == 1 ? 1 : 0, nres, err, errlen);
}

enum app_err
sbx_load(struct sbx *s, const char *name, const char *src, size_t len,
         char *err, size_t errlen)
{
    if (s->sealed) {
        snprintf(err, errlen, "sandbox already sealed");
        return APP_EINTERNAL;
    }
    return load_chunk(s, name, src, len, 0, err, errlen);
}

/* where(f): "script:line" of the definition of the Lua function f, for
 * the engine's messages about what a tenant's hook returned. */
static int
l_where(lua_State *L)
{
    lua_Debug ar;

    if (lua_type(L, 1) != LUA_TFUNCTION || lua_iscfunction(L, 1)) {
        lua_pushliteral(L, "rules");
        return 1;
    }
    lua_pushvalue(L, 1);
    if (!lua_getinfo(L, ">S", &ar)) {
        lua_pushliteral(L, "rules");
        return 1;
    }
    lua_pushfstring(L, "%s:%d", ar.short_src, ar.linedefined);
    return 1;
}

enum app_err
sbx_load_engine(struct sbx *s, const char *name, const char *src, size_t len,
                char *err, size_t errlen)
{
    enum app_err rc = load_chunk(s, name, src, len, 1, err, errlen);

    if (rc != APP_OK)
        return rc;
    if (!lua_istable(s->L, -1)) {
        lua_pop(s->L, 1);
        snprintf(err, errlen, "%s: must return a table", name);
        return APP_EINTERNAL;
    }
    s->engine_ref = luaL_ref(s->L, LUA_REGISTRYINDEX);
    return APP_OK;
}

/* --- freezing ----------------------------------------------------------------
 */

struct freezer {
    lua_State *L;
    int visited; /* stack index of the visited set */
    int upvals;  /* stack index of the upvalue record */
    int nupv;
    const char *error;
};

static void walk(struct freezer *f, int idx, int depth);

/* Record and walk the upvalues of a Lua function. */
static void
walk_function(struct freezer *f, int idx, int depth)
{
    lua_State *L = f->L;
    int i;
    const char *name;
    bool record = true;
    lua_Debug ar;

    if (lua_iscfunction(L, idx))
        return;
    /* The engine's own functions (test() is reachable as a global) never
     * assign their upvalues and tenant code cannot reach them: no need to
     * restore them after every call. */
    lua_pushvalue(L, idx);
    if (lua_getinfo(L, ">S", &ar) && strcmp(ar.source, "=engine") == 0)
        record = false;
    for (i = 1; (name = lua_getupvalue(L, idx, i)) != NULL; i++) {
        if (record && strcmp(name, "_ENV") != 0) {
            /* closure, index, value */
            lua_pushvalue(L, idx);
            lua_rawseti(L, f->upvals, 3 * f->nupv + 1);
            lua_pushinteger(L, i);
            lua_rawseti(L, f->upvals, 3 * f->nupv + 2);
            lua_pushvalue(L, -1);
            lua_rawseti(L, f->upvals, 3 * f->nupv + 3);
            f->nupv++;
        }
        walk(f, -1, depth + 1);
        lua_pop(L, 1);
    }
}

/* Make the table at idx read-only: its contents move to a shadow table
 * that the metatable serves. */
static void
freeze_table(struct freezer *f, int idx, int depth)
{
    lua_State *L = f->L;
    int t = lua_absindex(L, idx), shadow, mt;

    if (lua_getmetatable(L, t)) {
        /* Freezing would replace it; rules keep their data plain. */
        lua_pop(L, 1);
        f->error = "tables in rules may not have metatables when the rules "
                   "are loaded";
        return;
    }
    lua_newtable(L);
    shadow = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, t)) {
        walk(f, -1, depth + 1);
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, shadow);
    }
    lua_pushnil(L);
    while (lua_next(L, shadow)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, t);
    }
    lua_newtable(L);
    mt = lua_gettop(L);
    lua_pushvalue(L, shadow);
    lua_setfield(L, mt, "__index");
    lua_pushcfunction(L, l_frozen_newindex);
    lua_setfield(L, mt, "__newindex");
    lua_pushvalue(L, shadow);
    lua_pushcclosure(L, l_frozen_len, 1);
    lua_setfield(L, mt, "__len");
    lua_pushvalue(L, shadow);
    lua_pushcclosure(L, l_frozen_pairs, 1);
    lua_setfield(L, mt, "__pairs");
    lua_pushboolean(L, 0);
    lua_setfield(L, mt, "__metatable");
    lua_pushvalue(L, shadow);
    lua_rawsetp(L, mt, &SHADOW_KEY);
    lua_setmetatable(L, t);
    lua_pop(L, 1); /* shadow */
}

static void
walk(struct freezer *f, int idx, int depth)
{
    lua_State *L = f->L;
    int t = lua_type(L, idx);

    if (f->error != NULL || (t != LUA_TTABLE && t != LUA_TFUNCTION))
        return;
    if (depth > FREEZE_DEPTH) {
        f->error = "rules nest tables or functions too deeply";
        return;
    }
    if (!lua_checkstack(L, 8)) {
        f->error = "rule stack exhausted";
        return;
    }
    idx = lua_absindex(L, idx);
    lua_pushvalue(L, idx);
    if (lua_rawget(L, f->visited) != LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    lua_pushvalue(L, idx);
    lua_pushboolean(L, 1);
    lua_rawset(L, f->visited);
    if (t == LUA_TFUNCTION)
        walk_function(f, idx, depth);
    else
        freeze_table(f, idx, depth);
}

static int
seal_all(lua_State *L)
{
    struct sbx *s = sbx_of(L);
    struct freezer f = { L, 0, 0, 0, NULL };

    lua_newtable(L);
    f.visited = lua_gettop(L);
    lua_newtable(L);
    f.upvals = lua_gettop(L);
    /* The tenant's world: the globals and every function and table they
     * reach, with the upvalues of tenant functions recorded.  The engine's
     * own tables are not frozen: only the engine can reach them (the
     * registry holds it), it never writes them once compiled, and it hands
     * tenant hooks fresh tables only -- so they stay plain and fast. */
    lua_pushglobaltable(L);
    walk(&f, -1, 0);
    lua_pop(L, 1);
    if (f.error != NULL)
        return luaL_error(L, "%s", f.error);
    s->nupv = f.nupv;
    s->upv_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

enum app_err
sbx_seal(struct sbx *s, char *err, size_t errlen)
{
    enum app_err rc;

    lua_pushcfunction(s->L, seal_all);
    rc = sbx_call(s, 0, 0, err, errlen);
    if (rc == APP_OK) {
        s->sealed = true;
        /* From now on the rules are old and never change, and each call
         * makes only short-lived garbage: the generational collector
         * handles that without walking the rules again and again. */
        lua_gc(s->L, LUA_GCCOLLECT);
        lua_gc(s->L, LUA_GCGEN, 0, 0);
    }
    return rc;
}
