/*
 * fuzz_cookies.c -- libFuzzer target for parse_cookies() with small limits.
 * The input is copied to a buffer of exactly its size so that ASan sees any
 * read past the given length.  Accepted cookies must be printable UTF-8
 * with a name; a run with a failing arena must fail cleanly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "http/parse.h"

#define MAX_COOKIES 8
#define MAX_BYTES 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
printable(struct str s)
{
    size_t i;

    if (s.p[s.len] != '\0')
        return 0;
    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];

        if (c < 0x20 || c == 0x7F)
            return 0;
    }
    return utf8_valid(s.p, s.len);
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
    size_t i;

    if (a == NULL || copy == NULL)
        abort();
    if (size > 0)
        memcpy(copy, data, size);
    in.p = copy;
    in.len = size;
    rc = parse_cookies(a, in, MAX_COOKIES, MAX_BYTES, &l, &detail);
    if (rc == APP_OK) {
        if (l.n > MAX_COOKIES || size > MAX_BYTES)
            abort();
        for (i = 0; i < l.n; i++) {
            if (l.v[i].key.len == 0 || !printable(l.v[i].key) ||
                !printable(l.v[i].val))
                abort();
        }
    } else if (rc != APP_ETOOBIG || detail == NULL) {
        abort(); /* cookies are lenient: only limits fail */
    }

    arena_reset(a);
    arena_fail_after(a, (unsigned)(size % 7) + 1);
    rc2 = parse_cookies(a, in, MAX_COOKIES, MAX_BYTES, &l2, &detail2);
    arena_fail_after(a, 0);
    if (rc2 != APP_ENOMEM &&
        (rc2 != rc || (rc != APP_OK && strcmp(detail, detail2) != 0)))
        abort();
    arena_free(a);
    free(copy);
    return 0;
}
