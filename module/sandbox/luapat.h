/*
 * luapat.h -- Lua 5.4 patterns with a step budget, for the rule sandbox.
 *
 * Lua's own string.find/match/gmatch/gsub run their backtracking matcher in
 * one C call that the instruction hook never interrupts (a hostile pattern
 * ran 13 s here).  This is a matcher with the same semantics as Lua 5.4's
 * lstrlib (character classes %a %c %d %g %l %p %s %u %w %x and their upper
 * case complements, sets [...] with ranges and classes, '.', anchors ^ and
 * $, quantifiers * + - ?, captures and position captures, %b, %f, back
 * references %1-%9) that counts every matching step and stops with an
 * error ("pattern too complex") when a per-call budget is spent.  Subject
 * and pattern lengths are bounded too.
 *
 * luapat_open() replaces find, match, gmatch and gsub in the given string
 * library table (on the stack top) with versions built on this matcher.
 * Their results are identical to Lua's for every pattern Lua accepts;
 * malformed patterns raise the same errors Lua raises.
 */
#ifndef PROOFLINE_LUAPAT_H
#define PROOFLINE_LUAPAT_H

#include <stddef.h>

#include <lua.h>

struct luapat_limits {
    size_t max_steps;   /* matcher steps per call (e.g. 200000) */
    size_t max_subject; /* bytes of subject (e.g. 65536) */
    size_t max_pattern; /* bytes of pattern (e.g. 512) */
};

/* Install the bounded find/match/gmatch/gsub into the table at the top of
 * the stack, with the given limits (copied into an upvalue). */
void luapat_open(lua_State *L, const struct luapat_limits *lim);

#endif
