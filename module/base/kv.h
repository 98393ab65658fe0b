/*
 * kv.h -- a list of name/value pairs in an arena: query arguments, form
 * fields, cookies, and the fields a service checks (validate.h), however
 * they arrived (form, JSON, CSV row).
 */
#ifndef PROOFLINE_KV_H
#define PROOFLINE_KV_H

#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

struct kv {
    struct str key; /* decoded, NUL-terminated in the arena */
    struct str val; /* decoded, NUL-terminated in the arena */
};

struct kvlist {
    struct kv *v;
    size_t n;
    size_t cap;
};

/* Append a pair (the strs are stored as given, not copied).  APP_ENOMEM
 * when the arena is exhausted. */
APP_MUST_USE enum app_err kv_add(struct arena *a, struct kvlist *l,
                                 struct str key, struct str val);

/* The value of the first pair named key, or NULL. */
const struct str *kv_get(const struct kvlist *l, const char *key);

/* Append n/2 pairs from pairs[] = { name, value, name, value, ... }
 * (NULL-terminated strings, stored as given). */
APP_MUST_USE enum app_err kv_add_pairs(struct arena *a, struct kvlist *l,
                                       const char *const *pairs, size_t n);

#endif
