/*
 * fuzz_content_type.c -- libFuzzer target for parse_content_type().  The
 * input is copied to a buffer of exactly its size so that ASan sees any
 * read past the given length.  On success the media type and parameter
 * names must be lower-case tokens, names unique, at most 16 parameters.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
lower_token(struct str s, int slash_ok)
{
    size_t i, slashes = 0;

    if (s.len == 0 || s.p[s.len] != '\0')
        return 0;
    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];

        if (c == '/' && slash_ok) {
            slashes++;
            continue;
        }
        if ((c >= 'A' && c <= 'Z') || c <= 0x20 || c >= 0x7F ||
            strchr("()<>@,;:\\\"/[]?={}", c) != NULL)
            return 0;
    }
    return slash_ok ? slashes == 1 : 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new(1024, 1u << 20);
    char *copy = malloc(size > 0 ? size : 1);
    struct kvlist l = { 0 }, l2 = { 0 };
    const char *detail = NULL, *detail2 = NULL;
    struct str in, mt = STR_NULL, mt2 = STR_NULL;
    enum app_err rc, rc2;
    size_t i, j;

    if (a == NULL || copy == NULL)
        abort();
    if (size > 0)
        memcpy(copy, data, size);
    in.p = copy;
    in.len = size;
    rc = parse_content_type(a, in, &mt, &l, &detail);
    if (rc == APP_OK) {
        if (!lower_token(mt, 1) || l.n > 16)
            abort();
        for (i = 0; i < l.n; i++) {
            if (!lower_token(l.v[i].key, 0) ||
                l.v[i].val.p[l.v[i].val.len] != '\0' ||
                !utf8_valid(l.v[i].val.p, l.v[i].val.len))
                abort();
            for (j = 0; j < i; j++) {
                if (str_eq(l.v[i].key, l.v[j].key))
                    abort();
            }
        }
    } else if ((rc != APP_EINVAL && rc != APP_ETOOBIG) || detail == NULL) {
        abort();
    }

    arena_reset(a);
    arena_fail_after(a, (unsigned)(size % 5) + 1);
    rc2 = parse_content_type(a, in, &mt2, &l2, &detail2);
    arena_fail_after(a, 0);
    if (rc2 != APP_ENOMEM &&
        (rc2 != rc || (rc != APP_OK && strcmp(detail, detail2) != 0)))
        abort();
    arena_free(a);
    free(copy);
    return 0;
}
