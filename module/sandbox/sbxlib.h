/*
 * sbxlib.h -- the library functions a rule may call, bounded so that no
 * single call runs long or runs rule code outside the sandbox's limits.
 *
 * The sandbox's hook stops rule code between instructions and at every
 * function call; it cannot stop a C library function in the middle of its
 * work.  So each library function whose cost grows with its arguments is
 * wrapped with a check of those arguments first, and setmetatable refuses
 * the metamethods that Lua calls with hooks switched off:
 *
 *   setmetatable     no __gc (finalisers run with hooks off, at any later
 *                    allocation, even in another tenant's request) and no
 *                    __close
 *   os.date          format at most SBX_MAX_FORMAT bytes
 *   string.format    format at most SBX_MAX_FORMAT_LONG bytes, string
 *                    arguments at most SBX_MAX_FORMAT_ARGS bytes in all
 *                    (%q escapes byte by byte)
 *   string.pack, unpack, packsize   format at most SBX_MAX_FORMAT bytes
 *   string.byte, utf8.codepoint, table.unpack
 *                    at most SBX_MAX_RESULTS values
 *   table.concat, table.move        at most SBX_MAX_ELEMENTS elements
 *   table.insert, table.remove      with a position: tables of at most
 *                    SBX_MAX_ELEMENTS elements (they shift the rest)
 *   table.sort       at most SBX_MAX_SORT elements
 *   utf8.len, utf8.offset           strings of at most SBX_MAX_SCAN bytes
 *
 * Everything else a rule reaches is O(1), or linear in a string or table
 * that the memory cap already bounds (string.upper of the largest string
 * the cap allows takes a few milliseconds).  tests/unit/sandbox_test.c
 * calls every exposed function with its worst arguments and times it.
 */
#ifndef PROOFLINE_SBXLIB_H
#define PROOFLINE_SBXLIB_H

#include <lua.h>

#define SBX_MAX_FORMAT 256
#define SBX_MAX_FORMAT_LONG 4096
#define SBX_MAX_FORMAT_ARGS (256 * 1024)
#define SBX_MAX_SCAN (1024 * 1024)
#define SBX_MAX_RESULTS 65536
#define SBX_MAX_ELEMENTS 100000
#define SBX_MAX_SORT 10000

/* Replace the functions listed above in the global tables of L (base,
 * string, table, utf8 and os must be open) with their bounded versions.
 * Raises a Lua error on allocation failure: call it protected. */
void sbxlib_bound(lua_State *L);

#endif
