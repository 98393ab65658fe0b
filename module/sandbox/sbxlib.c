/*
 * sbxlib.c -- bounded versions of the library functions a rule may call
 * (see sbxlib.h for the list and the reasons).
 *
 * Each guard reads its arguments the way the original does, refuses a call
 * whose work would exceed a limit, and otherwise calls the original, kept
 * as the guard's upvalue 1.  A guard never raises an error of its own for
 * arguments it does not understand: it leaves them to the original, so
 * rule authors see Lua's usual messages.
 */
#include "sandbox/sbxlib.h"

#include <stdbool.h>
#include <string.h>

#include <lauxlib.h>

/* Call the original with the guard's arguments and return its results. */
static int
call_original(lua_State *L)
{
    int n = lua_gettop(L);

    luaL_checkstack(L, 1, "arguments");
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

/* The integer argument i, or def when absent; false when it is there but
 * not an integer (the original will say so). */
static bool
opt_int(lua_State *L, int i, lua_Integer def, lua_Integer *out)
{
    int ok;

    if (lua_isnoneornil(L, i)) {
        *out = def;
        return true;
    }
    *out = lua_tointegerx(L, i, &ok);
    return ok != 0;
}

/* The length of table argument 1 (honouring __len, as the original
 * does); false when argument 1 is not a table. */
static bool
table_len(lua_State *L, lua_Integer *out)
{
    if (lua_type(L, 1) != LUA_TTABLE)
        return false;
    *out = luaL_len(L, 1);
    return true;
}

/* Elements in [i, j], 0 when empty; saturates instead of overflowing. */
static lua_Unsigned
span(lua_Integer i, lua_Integer j)
{
    if (i > j)
        return 0;
    return (lua_Unsigned)j - (lua_Unsigned)i + 1u;
}

/* String positions as lstrlib reads them: a start and an end index. */
static size_t
pos_start(lua_Integer pos, size_t len)
{
    if (pos > 0)
        return (size_t)pos;
    if (pos == 0 || pos < -(lua_Integer)len)
        return 1;
    return len + (size_t)pos + 1;
}

static size_t
pos_end(lua_Integer pos, size_t len)
{
    if (pos > (lua_Integer)len)
        return len;
    if (pos >= 0)
        return (size_t)pos;
    if (pos < -(lua_Integer)len)
        return 0;
    return len + (size_t)pos + 1;
}

static int
too_much(lua_State *L, const char *fn, const char *what, long limit)
{
    return luaL_error(L,
                      "%s: more than %d %s in one call (a limit of the "
                      "rule sandbox)",
                      fn, (int)limit, what);
}

/* A string argument (what: "format", "string") at index i of at most
 * max bytes. */
static int
bounded_length(lua_State *L, int i, const char *fn, const char *what,
               size_t max)
{
    size_t len;

    if (lua_type(L, i) == LUA_TSTRING) {
        (void)lua_tolstring(L, i, &len);
        if (len > max)
            return luaL_error(L,
                              "%s: %s longer than %d bytes (a limit of the "
                              "rule sandbox)",
                              fn, what, (int)max);
    }
    return call_original(L);
}

static int
bounded_format(lua_State *L, const char *fn, size_t max)
{
    return bounded_length(L, 1, fn, "format", max);
}

/* --- the guards ------------------------------------------------------------
 */

static int
g_setmetatable(lua_State *L)
{
    static const char *const refused[] = { "__gc", "__close", NULL };
    size_t i;

    if (lua_type(L, 2) == LUA_TTABLE) {
        for (i = 0; refused[i] != NULL; i++) {
            /* Raw, as Lua looks them up when it marks the object. */
            lua_pushstring(L, refused[i]);
            if (lua_rawget(L, 2) != LUA_TNIL)
                return luaL_error(L,
                                  "setmetatable: %s metamethods are not "
                                  "allowed in rules (Lua runs them outside "
                                  "the rule's limits)",
                                  refused[i]);
            lua_pop(L, 1);
        }
    }
    return call_original(L);
}

static int
g_os_date(lua_State *L)
{
    return bounded_format(L, "os.date", SBX_MAX_FORMAT);
}

static int
g_format(lua_State *L)
{
    size_t total = 0, len;
    int i, n = lua_gettop(L);

    for (i = 2; i <= n; i++) {
        if (lua_type(L, i) == LUA_TSTRING) {
            (void)lua_tolstring(L, i, &len);
            total += len;
            if (total > SBX_MAX_FORMAT_ARGS)
                return luaL_error(L,
                                  "string.format: string arguments longer "
                                  "than %d bytes in all (a limit of the rule "
                                  "sandbox)",
                                  SBX_MAX_FORMAT_ARGS);
        }
    }
    return bounded_format(L, "string.format", SBX_MAX_FORMAT_LONG);
}

static int
g_pack(lua_State *L)
{
    return bounded_format(L, "string.pack", SBX_MAX_FORMAT);
}

static int
g_packsize(lua_State *L)
{
    return bounded_format(L, "string.packsize", SBX_MAX_FORMAT);
}

static int
g_unpack_string(lua_State *L)
{
    return bounded_format(L, "string.unpack", SBX_MAX_FORMAT);
}

/* string.byte(s, i, j) and utf8.codepoint(s, i, j) return a value per
 * byte (at most) of s[i..j]. */
static int
bounded_range(lua_State *L, const char *fn)
{
    size_t len;
    lua_Integer i, j;

    if (lua_type(L, 1) == LUA_TSTRING && opt_int(L, 2, 1, &i)) {
        (void)lua_tolstring(L, 1, &len);
        if (opt_int(L, 3, i, &j)) {
            size_t a = pos_start(i, len), b = pos_end(j, len);

            if (b >= a && b - a + 1 > SBX_MAX_RESULTS)
                return too_much(L, fn, "values", SBX_MAX_RESULTS);
        }
    }
    return call_original(L);
}

static int
g_byte(lua_State *L)
{
    return bounded_range(L, "string.byte");
}

static int
g_codepoint(lua_State *L)
{
    return bounded_range(L, "utf8.codepoint");
}

/* utf8.len and utf8.offset decode byte by byte: a scan of the largest
 * string the memory cap allows takes far longer than any other call. */
static int
g_utf8_len(lua_State *L)
{
    return bounded_length(L, 1, "utf8.len", "string", SBX_MAX_SCAN);
}

static int
g_utf8_offset(lua_State *L)
{
    return bounded_length(L, 1, "utf8.offset", "string", SBX_MAX_SCAN);
}

static int
g_table_unpack(lua_State *L)
{
    lua_Integer i, j, n;

    if (table_len(L, &n) && opt_int(L, 2, 1, &i) && opt_int(L, 3, n, &j) &&
        span(i, j) > SBX_MAX_RESULTS)
        return too_much(L, "table.unpack", "values", SBX_MAX_RESULTS);
    return call_original(L);
}

static int
g_concat(lua_State *L)
{
    lua_Integer i, j, n;

    if (table_len(L, &n) && opt_int(L, 3, 1, &i) && opt_int(L, 4, n, &j) &&
        span(i, j) > SBX_MAX_ELEMENTS)
        return too_much(L, "table.concat", "elements", SBX_MAX_ELEMENTS);
    return call_original(L);
}

static int
g_move(lua_State *L)
{
    lua_Integer f, e;

    /* Moving nils onto nils allocates nothing: without this a move over
     * a huge range would run until the watchdog. */
    if (opt_int(L, 2, 0, &f) && opt_int(L, 3, 0, &e) &&
        span(f, e) > SBX_MAX_ELEMENTS)
        return too_much(L, "table.move", "elements", SBX_MAX_ELEMENTS);
    return call_original(L);
}

/* table.insert(t, pos, v) and table.remove(t, pos) shift the elements
 * after pos: bounded by the table's length.  The forms without a
 * position work at the end and cost nothing. */
static int
bounded_shift(lua_State *L, int positional_args, const char *fn)
{
    lua_Integer n;

    if (lua_gettop(L) >= positional_args && table_len(L, &n) &&
        n > SBX_MAX_ELEMENTS)
        return too_much(L, fn, "elements to shift", SBX_MAX_ELEMENTS);
    return call_original(L);
}

static int
g_insert(lua_State *L)
{
    return bounded_shift(L, 3, "table.insert");
}

static int
g_remove(lua_State *L)
{
    return bounded_shift(L, 2, "table.remove");
}

static int
g_sort(lua_State *L)
{
    lua_Integer n;

    /* Without a comparator every comparison is C; with one, the hook
     * sees the comparator, but the bound keeps both cheap. */
    if (table_len(L, &n) && n > SBX_MAX_SORT)
        return too_much(L, "table.sort", "elements", SBX_MAX_SORT);
    return call_original(L);
}

/* --- installing them -------------------------------------------------------
 */

struct guard {
    const char *lib; /* NULL: a global */
    const char *name;
    lua_CFunction fn;
};

static const struct guard guards[] = {
    { NULL, "setmetatable", g_setmetatable },
    { "os", "date", g_os_date },
    { "string", "format", g_format },
    { "string", "pack", g_pack },
    { "string", "packsize", g_packsize },
    { "string", "unpack", g_unpack_string },
    { "string", "byte", g_byte },
    { "utf8", "codepoint", g_codepoint },
    { "utf8", "len", g_utf8_len },
    { "utf8", "offset", g_utf8_offset },
    { "table", "unpack", g_table_unpack },
    { "table", "concat", g_concat },
    { "table", "move", g_move },
    { "table", "insert", g_insert },
    { "table", "remove", g_remove },
    { "table", "sort", g_sort },
};

void
sbxlib_bound(lua_State *L)
{
    size_t i;

    luaL_checkstack(L, 4, "sandbox setup");
    for (i = 0; i < sizeof(guards) / sizeof(guards[0]); i++) {
        const struct guard *g = &guards[i];

        if (g->lib != NULL) {
            if (lua_getglobal(L, g->lib) != LUA_TTABLE)
                luaL_error(L, "sandbox setup: no library %s", g->lib);
        } else {
            lua_pushglobaltable(L);
        }
        if (lua_getfield(L, -1, g->name) != LUA_TFUNCTION)
            luaL_error(L, "sandbox setup: no function %s", g->name);
        lua_pushcclosure(L, g->fn, 1);
        lua_setfield(L, -2, g->name);
        lua_pop(L, 1);
    }
}
