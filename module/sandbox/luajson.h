/*
 * luajson.h -- moving data between cJSON and Lua, bounded both ways.
 *
 * JSON objects become Lua tables with string keys and arrays become
 * sequences (1-based).  null becomes nil: the key is absent from an object,
 * and skipped in an array (so sequences have no holes).  Lua tables become
 * JSON arrays when their keys are exactly 1..n (an empty table is an empty
 * array: rules return lists far more often than maps), objects otherwise.
 * Only strings, numbers, booleans and tables cross; functions and other
 * values are an error (a rule returned something C cannot use).
 */
#ifndef PROOFLINE_LUAJSON_H
#define PROOFLINE_LUAJSON_H

#include <stddef.h>

#include <cJSON.h>
#include <lua.h>

#include "base/err.h"

struct luajson_limits {
    int max_depth;     /* nesting */
    size_t max_nodes;  /* values converted */
    size_t max_string; /* bytes of one string */
};

/* Push the JSON value as a Lua value (a C function to call inside a
 * protected call: it raises Lua errors when out of memory). */
void luajson_push(lua_State *L, const cJSON *v);

/* Convert the Lua value at idx into a new cJSON tree (*out, the caller
 * deletes it).  APP_ERULE with a message in err when it holds something
 * that is not data or is over a limit; APP_ENOMEM. */
APP_MUST_USE enum app_err luajson_to(lua_State *L, int idx,
                                     const struct luajson_limits *lim,
                                     cJSON **out, char *err, size_t errlen);

#endif
