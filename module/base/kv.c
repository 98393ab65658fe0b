/*
 * kv.c -- name/value lists (see kv.h).
 */
#include "base/kv.h"

#include <string.h>

#define KV_MIN_CAP 8

enum app_err
kv_add(struct arena *a, struct kvlist *l, struct str key, struct str val)
{
    void *v = l->v;
    enum app_err rc =
        arena_grow(a, &v, &l->cap, l->n, sizeof(*l->v), KV_MIN_CAP);

    if (rc != APP_OK)
        return rc;
    l->v = v;
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

enum app_err
kv_add_pairs(struct arena *a, struct kvlist *l, const char *const *pairs,
             size_t n)
{
    enum app_err rc = APP_OK;
    size_t i;

    for (i = 0; rc == APP_OK && i + 1 < n; i += 2)
        rc = kv_add(a, l, str_c(pairs[i]), str_c(pairs[i + 1]));
    return rc;
}
