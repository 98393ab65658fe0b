/*
 * arena.c -- per-request memory arena.
 *
 * Blocks are chained; large requests get a block of their own.  The first
 * block survives arena_reset() so a worker's steady state allocates nothing
 * from malloc for small requests.
 */
#include "base/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16

struct block {
    struct block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    /* Keep the data aligned: the header is padded to ARENA_ALIGN. */
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct cleanup {
    struct cleanup *next;
    void (*fn)(void *);
    void *arg;
};

struct arena {
    struct block *head; /* current block first */
    struct block *first;
    struct cleanup *cleanups;
    size_t block_size;
    size_t max_total;
    size_t total;
    unsigned fail_countdown;
    size_t failures; /* allocations refused, ever (see arena_failures) */
};

static struct block *
block_new(size_t size)
{
    struct block *b;

    if (size > SIZE_MAX - sizeof(*b))
        return NULL;
    b = malloc(sizeof(*b) + size);
    if (b == NULL)
        return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

struct arena *
arena_new(size_t block_size, size_t max_total)
{
    struct arena *a;

    if (block_size < 256)
        block_size = 256;
    a = calloc(1, sizeof(*a));
    if (a == NULL)
        return NULL;
    a->first = block_new(block_size);
    if (a->first == NULL) {
        free(a);
        return NULL;
    }
    a->head = a->first;
    a->block_size = block_size;
    a->max_total = max_total;
    return a;
}

static void
run_cleanups(struct arena *a)
{
    struct cleanup *c = a->cleanups;

    /* The list is kept newest first, so this runs them in reverse order of
     * registration.  The nodes themselves live in the arena. */
    a->cleanups = NULL;
    while (c != NULL) {
        c->fn(c->arg);
        c = c->next;
    }
}

void
arena_reset(struct arena *a)
{
    struct block *b, *next;

    if (a == NULL)
        return;
    run_cleanups(a);
    for (b = a->head; b != NULL; b = next) {
        next = b->next;
        if (b != a->first)
            free(b);
    }
    a->first->next = NULL;
    a->first->used = 0;
    a->head = a->first;
    a->total = 0;
}

void
arena_free(struct arena *a)
{
    if (a == NULL)
        return;
    arena_reset(a);
    free(a->first);
    free(a);
}

static void *
alloc(struct arena *a, size_t n)
{
    struct block *b;
    size_t need, pad;

    if (a->fail_countdown > 0 && --a->fail_countdown == 0)
        return NULL;
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - ARENA_ALIGN)
        return NULL;
    need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need > a->max_total || a->total > a->max_total - need)
        return NULL;

    b = a->head;
    pad = b->size - b->used;
    if (need > pad) {
        /* Big allocations get a block of their own so that the rest of
         * the current block stays usable. */
        size_t size = need > a->block_size / 2 ? need : a->block_size;
        struct block *nb = block_new(size);

        if (nb == NULL)
            return NULL;
        if (size == need && b != NULL) {
            nb->next = b->next;
            b->next = nb;
            nb->used = need;
            a->total += need;
            return nb->data;
        }
        nb->next = b;
        a->head = nb;
        b = nb;
    }
    {
        void *p = b->data + b->used;

        b->used += need;
        a->total += need;
        return p;
    }
}

void *
arena_alloc(struct arena *a, size_t n)
{
    void *p = alloc(a, n);

    if (p == NULL)
        a->failures++;
    return p;
}

void *
arena_calloc(struct arena *a, size_t nmemb, size_t size)
{
    size_t n;
    void *p;

    if (__builtin_mul_overflow(nmemb, size, &n)) {
        a->failures++;
        return NULL;
    }
    p = arena_alloc(a, n);
    if (p != NULL)
        memset(p, 0, n);
    return p;
}

char *
arena_strndup(struct arena *a, const char *p, size_t n)
{
    char *d;

    if (n == SIZE_MAX)
        return NULL;
    d = arena_alloc(a, n + 1);
    if (d == NULL)
        return NULL;
    if (n > 0)
        memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

char *
arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

struct str
arena_str(struct arena *a, struct str s)
{
    struct str r;

    r.p = arena_strndup(a, s.p, s.len);
    r.len = r.p != NULL ? s.len : 0;
    return r;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *d;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    d = arena_alloc(a, (size_t)n + 1);
    if (d == NULL)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

int
arena_cleanup_add(struct arena *a, void (*fn)(void *), void *arg)
{
    struct cleanup *c = arena_alloc(a, sizeof(*c));

    if (c == NULL) {
        fn(arg);
        return -1;
    }
    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
    return 0;
}

size_t
arena_failures(const struct arena *a)
{
    return a->failures;
}

size_t
arena_used(const struct arena *a)
{
    return a->total;
}

void
arena_fail_after(struct arena *a, unsigned n)
{
    a->fail_countdown = n;
}

enum app_err
arena_grow(struct arena *a, void **v, size_t *cap, size_t n, size_t elem,
           size_t min)
{
    size_t ncap, bytes;
    void *nv;

    if (n < *cap)
        return APP_OK;
    if (*cap == 0)
        ncap = min;
    else if (__builtin_mul_overflow(*cap, (size_t)2, &ncap))
        return APP_ENOMEM;
    if (__builtin_mul_overflow(ncap, elem, &bytes))
        return APP_ENOMEM;
    nv = arena_alloc(a, bytes);
    if (nv == NULL)
        return APP_ENOMEM;
    if (n > 0)
        memcpy(nv, *v, n * elem);
    *v = nv;
    *cap = ncap;
    return APP_OK;
}
