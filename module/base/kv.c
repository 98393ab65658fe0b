/*
 * kv.c -- name/value lists (see kv.h).
 */
#include "base/kv.h"

#include <string.h>

#define KV_MIN_CAP 8

enum app_err
kv_add(struct arena *a, struct kvlist *l, struct str key, struct str val)
{
    if (l->n >= l->cap) {
        size_t cap, bytes;
        struct kv *nv;

        if (l->cap == 0)
            cap = KV_MIN_CAP;
        else if (__builtin_mul_overflow(l->cap, (size_t)2, &cap))
            return APP_ENOMEM;
        if (__builtin_mul_overflow(cap, sizeof(*nv), &bytes))
            return APP_ENOMEM;
        nv = arena_alloc(a, bytes);
        if (nv == NULL)
            return APP_ENOMEM;
        /* The old array is abandoned to the arena: doubling keeps the
         * waste below the final size. */
        if (l->n > 0)
            memcpy(nv, l->v, l->n * sizeof(*nv));
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n].key = key;
    l->v[l->n].val = val;
    l->n++;
    return APP_OK;
}

const struct str *
kv_get(const struct kvlist *l, const char *key)
{
    struct str k;
    size_t i;

    if (l == NULL || key == NULL)
        return NULL;
    k = str_c(key);
    for (i = 0; i < l->n; i++) {
        if (str_eq(l->v[i].key, k))
            return &l->v[i].val;
    }
    return NULL;
}
