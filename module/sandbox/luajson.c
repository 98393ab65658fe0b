/*
 * luajson.c -- cJSON <-> Lua values with limits.
 */
#include "sandbox/luajson.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "sandbox/sandbox.h"

void
luajson_push(lua_State *L, const cJSON *v)
{
    const cJSON *c;
    lua_Integer i;

    luaL_checkstack(L, 4, "json nesting");
    if (v == NULL || cJSON_IsNull(v)) {
        lua_pushnil(L);
    } else if (cJSON_IsBool(v)) {
        lua_pushboolean(L, cJSON_IsTrue(v));
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;

        if (d == floor(d) && fabs(d) < 9007199254740992.0)
            lua_pushinteger(L, (lua_Integer)d);
        else
            lua_pushnumber(L, d);
    } else if (cJSON_IsString(v)) {
        lua_pushstring(L, v->valuestring);
    } else if (cJSON_IsArray(v)) {
        lua_createtable(L, cJSON_GetArraySize(v), 0);
        i = 1;
        cJSON_ArrayForEach(c, v)
        {
            if (cJSON_IsNull(c))
                continue;
            luajson_push(L, c);
            lua_rawseti(L, -2, i++);
        }
    } else if (cJSON_IsObject(v)) {
        lua_createtable(L, 0, cJSON_GetArraySize(v));
        cJSON_ArrayForEach(c, v)
        {
            if (cJSON_IsNull(c) || c->string == NULL)
                continue;
            luajson_push(L, c);
            lua_setfield(L, -2, c->string);
        }
    } else {
        lua_pushnil(L);
    }
}

struct conv {
    lua_State *L;
    const struct luajson_limits *lim;
    size_t nodes;
    char *err;
    size_t errlen;
};

static cJSON *to_json(struct conv *c, int idx, int depth);

/* A table is an array when its keys are exactly 1..n. */
static bool
is_array(lua_State *L, int idx, size_t *n)
{
    size_t count = 0;
    lua_Integer max = 0;

    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1) {
            lua_pop(L, 1);
            return false;
        }
        if (lua_tointeger(L, -1) > max)
            max = lua_tointeger(L, -1);
        count++;
    }
    *n = count;
    /* An empty table is an empty list: rules return lists far more often
     * than maps, and an empty map reads the same for the C side. */
    return (size_t)max == count;
}

static cJSON *
fail(struct conv *c, const char *what)
{
    snprintf(c->err, c->errlen, "rule result: %s", what);
    return NULL;
}

static cJSON *
table_to_json(struct conv *c, int idx, int depth)
{
    lua_State *L = c->L;
    size_t n = 0, i;
    cJSON *out;

    if (is_array(L, idx, &n)) {
        out = cJSON_CreateArray();
        for (i = 1; out != NULL && i <= n; i++) {
            cJSON *item;

            lua_rawgeti(L, idx, (lua_Integer)i);
            item = to_json(c, -1, depth + 1);
            lua_pop(L, 1);
            if (item == NULL) {
                cJSON_Delete(out);
                return NULL;
            }
            cJSON_AddItemToArray(out, item);
        }
        return out;
    }
    out = cJSON_CreateObject();
    if (out == NULL)
        return NULL; /* APP_ENOMEM: not the rule's fault */
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        char key[64];
        const char *k;
        cJSON *item;

        if (lua_type(L, -2) == LUA_TSTRING) {
            k = lua_tostring(L, -2);
        } else if (lua_isinteger(L, -2)) {
            snprintf(key, sizeof(key), "%lld", (long long)lua_tointeger(L, -2));
            k = key;
        } else {
            lua_pop(L, 2);
            cJSON_Delete(out);
            return fail(c, "table keys must be strings or integers");
        }
        item = to_json(c, -1, depth + 1);
        lua_pop(L, 1);
        if (item == NULL) {
            lua_pop(L, 1);
            cJSON_Delete(out);
            return NULL;
        }
        /* The key is copied: that can fail (APP_ENOMEM, not the rule's
         * fault), and the value is still ours then. */
        if (!cJSON_AddItemToObject(out, k, item)) {
            cJSON_Delete(item);
            lua_pop(L, 1);
            cJSON_Delete(out);
            return NULL;
        }
    }
    return out;
}

static cJSON *
to_json(struct conv *c, int idx, int depth)
{
    lua_State *L = c->L;
    size_t len;
    const char *s;

    idx = lua_absindex(L, idx);
    if (++c->nodes > c->lim->max_nodes)
        return fail(c, "too many values");
    if (depth > c->lim->max_depth)
        return fail(c, "nested too deeply");
    if (!lua_checkstack(L, 4))
        return fail(c, "stack exhausted");
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        return cJSON_CreateNull();
    case LUA_TBOOLEAN:
        return cJSON_CreateBool(lua_toboolean(L, idx));
    case LUA_TNUMBER: {
        double d = lua_tonumber(L, idx);

        if (isnan(d) || isinf(d))
            return fail(c, "a number is not finite");
        return cJSON_CreateNumber(d);
    }
    case LUA_TSTRING:
        s = lua_tolstring(L, idx, &len);
        if (len > c->lim->max_string)
            return fail(c, "a string is too long");
        if (memchr(s, '\0', len) != NULL)
            return fail(c, "a string contains a NUL byte");
        return cJSON_CreateString(s);
    case LUA_TTABLE: {
        /* Frozen tables are read through their contents. */
        cJSON *out;

        sbx_push_contents(L, idx);
        out = table_to_json(c, lua_gettop(L), depth);
        lua_pop(L, 1);
        return out;
    }
    default:
        return fail(c, "functions and other non-data values cannot be "
                       "returned");
    }
}

enum app_err
luajson_to(lua_State *L, int idx, const struct luajson_limits *lim, cJSON **out,
           char *err, size_t errlen)
{
    struct conv c = { L, lim, 0, err, errlen };

    err[0] = '\0';
    *out = to_json(&c, idx, 0);
    if (*out == NULL)
        return err[0] != '\0' ? APP_ERULE : APP_ENOMEM;
    return APP_OK;
}
