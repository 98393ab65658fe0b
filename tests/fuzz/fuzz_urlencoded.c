/*
 * fuzz_urlencoded.c -- libFuzzer target for parse_urlencoded() with small
 * limits.  The input is copied to a buffer of exactly its size, so reading
 * past the given length is caught by ASan even in corpus replay.  A second
 * run fails an early arena allocation: it must end in the same result or a
 * clean APP_ENOMEM.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "http/parse.h"

#define MAX_FIELDS 8
#define MAX_FIELD 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_list(const struct kvlist *l)
{
    size_t i;

    if (l->n > MAX_FIELDS)
        abort();
    for (i = 0; i < l->n; i++) {
        const struct str *s[2] = { &l->v[i].key, &l->v[i].val };
        int k;

        for (k = 0; k < 2; k++) {
            if (s[k]->len > MAX_FIELD || s[k]->p[s[k]->len] != '\0' ||
                memchr(s[k]->p, '\0', s[k]->len) != NULL ||
                !utf8_valid(s[k]->p, s[k]->len))
                abort();
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new(1024, 1u << 20);
    char *copy = malloc(size > 0 ? size : 1);
    struct kvlist l = { 0 }, l2 = { 0 };
    const char *detail = NULL, *detail2 = NULL;
    struct str in;
    enum app_err rc, rc2;

    if (a == NULL || copy == NULL)
        abort();
    if (size > 0)
        memcpy(copy, data, size);
    in.p = copy;
    in.len = size;
    rc = parse_urlencoded(a, in, MAX_FIELDS, MAX_FIELD, &l, &detail);
    if (rc == APP_OK)
        check_list(&l);
    else if ((rc != APP_EINVAL && rc != APP_ETOOBIG) || detail == NULL)
        abort();

    arena_reset(a);
    arena_fail_after(a, (unsigned)(size % 5) + 1);
    rc2 = parse_urlencoded(a, in, MAX_FIELDS, MAX_FIELD, &l2, &detail2);
    arena_fail_after(a, 0);
    if (rc2 != APP_ENOMEM &&
        (rc2 != rc || (rc != APP_OK && strcmp(detail, detail2) != 0)))
        abort();
    if (rc2 == APP_OK && l2.n != l.n)
        abort();
    arena_free(a);
    free(copy);
    return 0;
}
