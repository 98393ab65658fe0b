/*
 * fuzz_luapat.c -- differential target: luapat's find, match, gmatch and
 * gsub against Lua's own, on the same arguments.
 *
 * Input: byte 0 picks the function and its flavour (plain find, the kind
 * of gsub replacement), byte 1 the init argument, byte 2 gsub's n, byte 3
 * how often subject and pattern are repeated (so that the recursion and
 * capture limits are in reach of short inputs); the rest is subject,
 * pattern and replacement separated by 0xff bytes.  Subjects are short so
 * that Lua's unbounded matcher stays fast, and luapat runs first: when it
 * stops at its step limit the input is skipped, otherwise Lua does the
 * same work and must give the same results or the same error message,
 * byte for byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "sandbox/luapat.h"

#define MAX_SUBJECT 40
#define MAX_PATTERN 64
#define MAX_REPL 24
#define MAX_REPEATED 512 /* a part after repetition */
#define SEP 0xff

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Returns the driver: run(op, flavour, s, p, init, r, n) -> a string that
 * serialises every result with its type, or the error. */
static const char driver[] =
    "local function ser(v)\n"
    "  local t = type(v)\n"
    "  if t == 'string' then return string.format('%q', v) end\n"
    "  if t == 'number' then\n"
    "    return (math.type(v) == 'integer' and 'int:' or 'float:') .. v\n"
    "  end\n"
    "  if t == 'boolean' or t == 'nil' then return tostring(v) end\n"
    "  return t\n"
    "end\n"
    "local function S(...)\n"
    "  local out = { 'n=' .. select('#', ...) }\n"
    "  for i = 1, select('#', ...) do\n"
    "    out[#out + 1] = ser((select(i, ...)))\n"
    "  end\n"
    "  return table.concat(out, ' ')\n"
    "end\n"
    "local tbl = { a = 'X', b = false, c = {}, ['%'] = 42, [1] = 'one',\n"
    "  [2] = 2.5, [''] = '<e>' }\n"
    "local function fn(...)\n"
    "  local a = ...\n"
    "  if a == 'b' then return nil end\n"
    "  if a == 'c' then return false end\n"
    "  if a == 'd' then return {} end\n"
    "  local out = { select('#', ...) }\n"
    "  for i = 1, select('#', ...) do out[#out + 1] = tostring((select(i,"
    " ...))) end\n"
    "  return table.concat(out, ',')\n"
    "end\n"
    "local function gm(s, p, init)\n"
    "  local out, it = {}, string.gmatch(s, p, init)\n"
    "  for _ = 1, 20 do\n"
    "    local r = table.pack(it())\n"
    "    if r[1] == nil then break end\n"
    "    out[#out + 1] = S(table.unpack(r, 1, r.n))\n"
    "  end\n"
    "  return table.concat(out, '; ')\n"
    "end\n"
    "return function(op, fl, s, p, init, r, n)\n"
    "  if op == 0 then\n"
    "    return S(pcall(string.find, s, p, init, fl % 2 == 1))\n"
    "  elseif op == 1 then\n"
    "    return S(pcall(string.match, s, p, init))\n"
    "  elseif op == 2 then\n"
    "    return S(pcall(gm, s, p, init))\n"
    "  end\n"
    "  local rep = r\n"
    "  if fl == 1 then rep = tbl elseif fl == 2 then rep = fn\n"
    "  elseif fl == 3 then rep = #r end\n"
    "  return S(pcall(string.gsub, s, p, rep, n))\n"
    "end\n";

static lua_State *ref_L, *my_L;

static lua_State *
new_state(int bounded)
{
    static const struct luapat_limits lim = { 50000, 1 << 16, 1 << 10 };
    lua_State *L = luaL_newstate();

    if (L == NULL)
        abort();
    luaL_openlibs(L);
    if (bounded) {
        lua_getglobal(L, "string");
        luapat_open(L, &lim);
        lua_pop(L, 1);
    }
    /* Keep the driver on the stack, at index 1, for every run. */
    if (luaL_loadbuffer(L, driver, sizeof(driver) - 1, "=driver") != LUA_OK ||
        lua_pcall(L, 0, 1, 0) != LUA_OK) {
        fprintf(stderr, "driver: %s\n", lua_tostring(L, -1));
        abort();
    }
    return L;
}

struct input {
    int op, flavour;
    lua_Integer init, n;
    int has_init, has_n;
    const char *part[3];
    size_t len[3];
    char repeated[2][MAX_REPEATED]; /* subject and pattern, repeated */
};

/* Repeat part k of in (subject or pattern) times times, up to
 * MAX_REPEATED bytes, in place of the original. */
static void
repeat(struct input *in, int k, size_t times)
{
    size_t i, n = 0, len = in->len[k];

    for (i = 0; i < times && len > 0 && n + len <= MAX_REPEATED; i++) {
        memcpy(in->repeated[k] + n, in->part[k], len);
        n += len;
    }
    if (n > len) {
        in->part[k] = in->repeated[k];
        in->len[k] = n;
    }
}

/* Run the driver in L; the result string is left on the stack. */
static const char *
run(lua_State *L, const struct input *in, size_t *len)
{
    const char *out;

    lua_settop(L, 1);
    lua_pushvalue(L, 1);
    lua_pushinteger(L, in->op);
    lua_pushinteger(L, in->flavour);
    lua_pushlstring(L, in->part[0], in->len[0]);
    lua_pushlstring(L, in->part[1], in->len[1]);
    if (in->has_init)
        lua_pushinteger(L, in->init);
    else
        lua_pushnil(L);
    lua_pushlstring(L, in->part[2], in->len[2]);
    if (in->has_n)
        lua_pushinteger(L, in->n);
    else
        lua_pushnil(L);
    if (lua_pcall(L, 7, 1, 0) != LUA_OK) {
        fprintf(stderr, "driver failed: %s\n", lua_tostring(L, -1));
        abort();
    }
    out = lua_tolstring(L, -1, len);
    if (out == NULL)
        abort();
    return out;
}

/* Split data after the header at the first two SEP bytes, each part cut
 * to its maximum. */
static void
split(const uint8_t *data, size_t size, struct input *in)
{
    static const size_t cap[3] = { MAX_SUBJECT, MAX_PATTERN, MAX_REPL };
    size_t i = 0, k, start;

    for (k = 0; k < 3; k++) {
        start = i;
        while (i < size && (k == 2 || data[i] != SEP))
            i++;
        in->part[k] = (const char *)data + start;
        in->len[k] = i - start < cap[k] ? i - start : cap[k];
        if (i < size)
            i++; /* the separator */
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in;
    const char *mine, *theirs;
    size_t mlen, tlen;

    if (ref_L == NULL) {
        ref_L = new_state(0);
        my_L = new_state(1);
    }
    if (size < 4)
        return 0;
    memset(&in, 0, sizeof(in));
    in.op = data[0] & 3;
    in.flavour = (data[0] >> 2) & 3;
    in.has_init = data[1] < 240;
    in.init = (lua_Integer)(data[1] % 24) - 8; /* -8 .. 15 */
    in.has_n = data[2] != 0;
    in.n = (lua_Integer)(data[2] % 10) - 2; /* -2 .. 7 */
    split(data + 4, size - 4, &in);
    /* Byte 3: each nibble, when its top bit is set, repeats its part
     * 2^(low three bits) times. */
    if (data[3] & 0x08)
        repeat(&in, 0, (size_t)1 << (data[3] & 7));
    if (data[3] & 0x80)
        repeat(&in, 1, (size_t)1 << ((data[3] >> 4) & 7));

    mine = run(my_L, &in, &mlen);
    if (strstr(mine, "(step limit ") != NULL)
        return 0; /* Lua's own matcher might not finish */
    theirs = run(ref_L, &in, &tlen);
    if (mlen != tlen || memcmp(mine, theirs, mlen) != 0) {
        fprintf(stderr,
                "difference: op %d flavour %d\n  lua:    %s\n"
                "  luapat: %s\n",
                in.op, in.flavour, theirs, mine);
        abort();
    }
    return 0;
}
