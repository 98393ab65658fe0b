/*
 * sandbox.h -- one sandboxed Lua 5.4 state for one tenant's rules.
 *
 * What rules can reach: the safe parts of base (no load, loadfile,
 * dofile, print, collectgarbage, require, rawset), string (no dump; find,
 * match, gmatch and gsub replaced by a step-bounded matcher; rep bounded),
 * table, math, utf8 and os.time/os.date.  No io, package, debug, coroutine.
 * Code is loaded as text only.
 *
 * Limits, per call: an instruction budget and a deadline in the thread's
 * CPU time (ten times it of wall clock at most)
 * checked by a count hook that, once tripped, fires on every instruction so
 * pcall/xpcall cannot swallow it; the same hook looks at the clock at every
 * function call, so a loop of slow library calls stops at the next call
 * after the deadline; a memory cap in the allocator (crossing it trips the
 * same hook, so the error names the script and line).  Plus a budget
 * across all calls of one request.  No single library call can run long
 * (sbxlib.h bounds the ones whose cost grows with their arguments), and no
 * rule code runs with hooks off: setmetatable refuses __gc and __close.
 *
 * Clean state: after the scripts are loaded the whole environment is
 * frozen (every table reachable from it becomes read-only, the string
 * metatable is protected) and the upvalues of every rule function are
 * recorded and restored after each call, so nothing one call does is seen
 * by the next.  After any failure the state is marked broken and the
 * caller rebuilds it.
 */
#ifndef PROOFLINE_SANDBOX_H
#define PROOFLINE_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "base/err.h"
#include "sandbox/luapat.h"

struct sbx_limits {
    size_t memory;         /* bytes per state */
    uint64_t instructions; /* VM instructions per call */
    uint64_t call_ms;      /* CPU time per call (10x of wall clock at most) */
    size_t max_string;     /* largest string.rep result, bytes */
    struct luapat_limits pattern;
};

struct sbx;

/* A new sandbox: a fresh state with the capped allocator, the safe
 * libraries and the wrappers, and a writable environment for loading
 * scripts.  NULL with a message in err on failure. */
struct sbx *sbx_new(const struct sbx_limits *lim, char *err, size_t errlen);

void sbx_free(struct sbx *s);

lua_State *sbx_state(struct sbx *s);

/* Data the caller keeps with the state (malloc'ed; freed by sbx_free or
 * the next sbx_attach), and that data. */
void sbx_attach(struct sbx *s, void *data);
void *sbx_attached(const struct sbx *s);

/* Load and run source text as chunk `name` (messages read "name:12: ...")
 * in the environment, under the call limits.  Binary chunks are refused.
 * APP_ERULE with the message in err. */
APP_MUST_USE enum app_err sbx_load(struct sbx *s, const char *name,
                                   const char *src, size_t len, char *err,
                                   size_t errlen);

/* Load and run a trusted chunk (the engine) whose single result, a table,
 * is kept in the registry; sbx_push_engine() pushes it.  The chunk gets
 * one argument, where(f), which names the script and line where the Lua
 * function f is defined ("stages:59"), for errors about what a tenant's
 * function returned. */
APP_MUST_USE enum app_err sbx_load_engine(struct sbx *s, const char *name,
                                          const char *src, size_t len,
                                          char *err, size_t errlen);
void sbx_push_engine(struct sbx *s);

/* Freeze the environment and record the upvalues of every function in it.
 * After this no call can change what the next call sees. */
APP_MUST_USE enum app_err sbx_seal(struct sbx *s, char *err, size_t errlen);

/* Set the deadline of the current request: calls after it fail.  0 = no
 * request budget.  Like the per-call limit, the budget (deadline minus
 * now, when a new deadline is set) counts the thread's CPU time, with ten
 * times as much wall clock as the hard stop. */
void sbx_request_deadline(struct sbx *s, uint64_t deadline_ns);

/* Call the function below its nargs arguments on the stack, leaving nres
 * results, under the limits.  On failure: APP_ERULE, the message (naming
 * script and line where Lua knows them) in err, the stack restored to
 * below the function, and the sandbox marked broken. */
APP_MUST_USE enum app_err sbx_call(struct sbx *s, int nargs, int nres,
                                   char *err, size_t errlen);

/* True once a call failed: the caller must rebuild the sandbox. */
bool sbx_broken(const struct sbx *s);

/* How many upvalues are restored after each call (for the logs). */
int sbx_upvalues(const struct sbx *s);

/* Bytes the state currently holds. */
size_t sbx_memory(const struct sbx *s);

/* Monotonic nanoseconds. */
uint64_t sbx_now_ns(void);

/* Push the table whose contents the table at idx shows: its hidden
 * contents when it is frozen, else the table itself. */
void sbx_push_contents(lua_State *L, int idx);

/* Push the global called name of the environment (nil when absent). */
void sbx_push_global(struct sbx *s, const char *name);

#endif
