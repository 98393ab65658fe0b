/*
 * tmpl.c -- the template set: adding, finding and checking templates
 * (the engine is described in tmpl_impl.h).
 */
#include "http/tmpl_impl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- small helpers -------------------------------------------------------- */

void
tmpl_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* p (an array of elem-sized items with *cap slots) grown to hold need
 * items: the new array, or NULL (p still valid) when out of memory. */
void *
tmpl_grow(void *p, size_t *cap, size_t need, size_t elem)
{
    size_t ncap = *cap > 0 ? *cap : 16, bytes;
    void *np;

    if (need <= *cap)
        return p;
    while (ncap < need)
        if (__builtin_mul_overflow(ncap, 2, &ncap))
            return NULL;
    if (__builtin_mul_overflow(ncap, elem, &bytes))
        return NULL;
    np = realloc(p, bytes);
    if (np != NULL)
        *cap = ncap;
    return np;
}

static int
name_cmp(struct str a, struct str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n > 0 ? memcmp(a.p, b.p, n) : 0;

    if (c != 0)
        return c;
    return a.len < b.len ? -1 : a.len > b.len;
}

/* Index of name in the sorted set, or where it would go. */
static size_t
set_index(const struct tmpl_set *set, struct str name, bool *found)
{
    size_t lo = 0, hi = set->n;

    *found = false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = name_cmp(set->v[mid]->name, name);

        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct tmpl *
tmpl_set_find(const struct tmpl_set *set, struct str name)
{
    bool found;
    size_t i = set_index(set, name, &found);

    return found ? set->v[i] : NULL;
}

void
tmpl_free_one(struct tmpl *t)
{
    if (t == NULL)
        return;
    free((char *)t->name.p);
    free(t->src);
    free(t->ops);
    free(t);
}

/* --- the set -------------------------------------------------------------- */

struct tmpl_set *
tmpl_set_new(void)
{
    return calloc(1, sizeof(struct tmpl_set));
}

void
tmpl_set_free(struct tmpl_set *set)
{
    size_t i;

    if (set == NULL)
        return;
    for (i = 0; i < set->n; i++)
        tmpl_free_one(set->v[i]);
    free(set->v);
    free(set);
}

enum app_err
tmpl_set_add(struct tmpl_set *set, const char *name, const char *src,
             size_t len, char *err, size_t errlen)
{
    struct tmpl *t = NULL;
    size_t i, need;
    struct tmpl **v = NULL;
    bool found;
    enum app_err rc;

    if (set == NULL || name == NULL || (src == NULL && len > 0)) {
        tmpl_err(err, errlen, "tmpl_set_add: bad arguments");
        return APP_EINTERNAL;
    }
    rc = tmpl_compile(name, src != NULL ? src : "", len, &t, err, errlen);
    if (rc != APP_OK)
        return rc;
    i = set_index(set, t->name, &found);
    if (found) {
        tmpl_free_one(set->v[i]);
        set->v[i] = t;
        return APP_OK;
    }
    if (!__builtin_add_overflow(set->n, 1, &need))
        v = tmpl_grow(set->v, &set->cap, need, sizeof(*v));
    if (v == NULL) {
        tmpl_free_one(t);
        tmpl_err(err, errlen, "%s: out of memory", name);
        return APP_ENOMEM;
    }
    set->v = v;
    memmove(set->v + i + 1, set->v + i, (set->n - i) * sizeof(*set->v));
    set->v[i] = t;
    set->n++;
    return APP_OK;
}

bool
tmpl_set_has(const struct tmpl_set *set, const char *name)
{
    return set != NULL && name != NULL &&
           tmpl_set_find(set, str_c(name)) != NULL;
}

enum app_err
tmpl_set_check(const struct tmpl_set *set, char *err, size_t errlen)
{
    size_t i, k;

    if (set == NULL)
        return APP_OK;
    for (i = 0; i < set->n; i++) {
        const struct tmpl *t = set->v[i];

        for (k = 0; k < t->nops; k++) {
            const struct op *op = &t->ops[k];

            if ((op->kind == OP_PARTIAL || op->kind == OP_PARENT) &&
                tmpl_set_find(set, op->s) == NULL) {
                tmpl_err(err, errlen, "%s:%zu: missing %s \"%.*s\"", t->name.p,
                         op->line,
                         op->kind == OP_PARTIAL ? "partial" : "parent",
                         (int)(op->s.len < 80 ? op->s.len : 80), op->s.p);
                return APP_ENOTFOUND;
            }
        }
    }
    return APP_OK;
}

size_t
tmpl_set_count(const struct tmpl_set *set)
{
    return set != NULL ? set->n : 0;
}
