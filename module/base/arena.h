/*
 * arena.h -- per-request memory arena with cleanup handlers.
 *
 * Every allocation a request makes comes from its arena and is released in
 * one go by arena_reset() after FCGX_Finish_r (STYLE §2).  Resources that
 * are not memory (temporary files, statements) register a cleanup, which
 * arena_reset() runs in reverse order of registration.
 *
 * The arena has a hard cap on the bytes it will hand out; past it every
 * allocation returns NULL, which callers turn into APP_ENOMEM/APP_ETOOBIG.
 */
#ifndef PROOFLINE_ARENA_H
#define PROOFLINE_ARENA_H

#include <stddef.h>

#include "base/err.h"

#include "base/str.h"

struct arena;

/* Create an arena that allocates in blocks of block_size bytes and hands
 * out at most max_total bytes in all.  Returns NULL when out of memory.
 * The caller frees it with arena_free(). */
struct arena *arena_new(size_t block_size, size_t max_total);

/* Run the cleanups, then free every block and the arena itself. */
void arena_free(struct arena *a);

/* Run the cleanups (last registered first) and release all memory but the
 * first block, so the arena can serve the next request. */
void arena_reset(struct arena *a);

/* n bytes aligned to 16, or NULL when the cap is reached or malloc fails.
 * Memory is not zeroed.  n == 0 returns a valid unique pointer. */
void *arena_alloc(struct arena *a, size_t n);

/* nmemb * size zeroed bytes; NULL on overflow, cap or malloc failure. */
void *arena_calloc(struct arena *a, size_t nmemb, size_t size);

/* Room for one more item in an array of n items of elem bytes at *v with
 * *cap slots: doubled (from min slots) into a new arena block when full,
 * the old block abandoned to the arena (doubling keeps the waste below
 * the final size).  APP_ENOMEM when the arena is exhausted. */
APP_MUST_USE enum app_err arena_grow(struct arena *a, void **v, size_t *cap,
                                     size_t n, size_t elem, size_t min);

/* A NUL-terminated copy of n bytes of p (p may contain NULs). */
char *arena_strndup(struct arena *a, const char *p, size_t n);

/* A NUL-terminated copy of a C string. */
char *arena_strdup(struct arena *a, const char *s);

/* A struct str copy of s whose bytes are also NUL-terminated. */
struct str arena_str(struct arena *a, struct str s);

/* printf into the arena; NULL on failure. */
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Register fn(arg) to run at reset/free.  Returns 0, or -1 when out of
 * memory -- in which case fn(arg) has already been run so that the resource
 * does not leak. */
int arena_cleanup_add(struct arena *a, void (*fn)(void *), void *arg);

/* Allocations refused since the arena was made (never reset): a caller
 * that goes on after a NULL -- a field left out of a document -- is
 * caught by comparing this before and after (http.c). */
size_t arena_failures(const struct arena *a);

/* Bytes handed out since the last reset. */
size_t arena_used(const struct arena *a);

/* Testing aid (STYLE §21): make the n-th allocation from now fail
 * (n = 1 fails the next one); 0 disables. */
void arena_fail_after(struct arena *a, unsigned n);

#endif
