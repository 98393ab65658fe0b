/*
 * fuzz_st_body.c -- libFuzzer target for the sell-through cache body
 * (metrics/sellthrough.h st_decode / st_encode).
 *
 * The input, copied to a buffer of exactly its size (ASan catches reads
 * past it), is decoded with a small store limit.  A body that decodes is
 * encoded again and must read back to the same stores and the same bytes
 * (encoding is canonical only for what it wrote itself, so the second
 * round trip is the one compared).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "metrics/sellthrough.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
same(const struct st_store *a, const struct st_store *b)
{
    if (a->store_id != b->store_id || a->fw_eligible != b->fw_eligible ||
        a->fw_sold != b->fw_sold || a->week_open != b->week_open ||
        a->units_new != b->units_new || a->units_all != b->units_all ||
        a->buyers != b->buyers || a->repeaters != b->repeaters ||
        a->supervisor_id != b->supervisor_id ||
        a->customer_id != b->customer_id || isnan(a->lat) != isnan(b->lat) ||
        strcmp(a->code, b->code) != 0 || strcmp(a->name, b->name) != 0 ||
        strcmp(a->region, b->region) != 0 ||
        strcmp(a->supervisor_name, b->supervisor_name) != 0)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new(1 << 16, 1 << 24);
    char *in = malloc(size + 1);
    struct st_store *s = NULL, *t = NULL, *u = NULL;
    size_t n = 0, m = 0, k = 0, i;
    struct buf b1, b2;

    if (a == NULL || in == NULL)
        abort();
    memcpy(in, data, size);
    if (st_decode(a, in, size, 64, &s, &n) == APP_OK) {
        buf_init(&b1, a, 1 << 22);
        buf_init(&b2, a, 1 << 22);
        if (st_encode(s, n, &b1) != APP_OK ||
            st_decode(a, b1.p, b1.len, 64, &t, &m) != APP_OK || m != n ||
            st_encode(t, m, &b2) != APP_OK ||
            st_decode(a, b2.p, b2.len, 64, &u, &k) != APP_OK || k != n ||
            b1.len != b2.len || memcmp(b1.p, b2.p, b1.len) != 0)
            abort();
        for (i = 0; i < n; i++) {
            same(&s[i], &t[i]);
            same(&t[i], &u[i]);
        }
    }
    free(in);
    arena_free(a);
    return 0;
}
