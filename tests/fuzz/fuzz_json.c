/*
 * fuzz_json.c -- libFuzzer target for parse_json() with a small size and
 * depth limit.  The input is copied to a buffer of exactly its size so
 * that ASan sees any read past the given length.  An accepted document
 * must be no deeper than the limit, and cJSON's own rendering of it must
 * parse again to an equal tree.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/parse.h"

#define MAX_BYTES 4096
#define MAX_DEPTH 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Nesting depth of arrays and objects.  *odd is set by what does not
 * survive a round trip exactly: non-finite numbers (rendered as null) and
 * duplicate keys (cJSON_Compare looks names up, finding the first). */
static size_t
tree_depth(const cJSON *j, int *odd)
{
    size_t best = 0;
    const cJSON *c;

    if (cJSON_IsNumber(j) && !isfinite(j->valuedouble))
        *odd = 1;
    if (!cJSON_IsArray(j) && !cJSON_IsObject(j))
        return 0;
    for (c = j->child; c != NULL; c = c->next) {
        size_t d = tree_depth(c, odd);
        const cJSON *p;

        for (p = j->child; cJSON_IsObject(j) && p != c; p = p->next) {
            if (strcmp(p->string, c->string) == 0)
                *odd = 1;
        }

        if (d > best)
            best = d;
    }
    return best + 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size > 0 ? size : 1);
    const char *detail = NULL;
    cJSON *j = NULL, *again = NULL;
    struct str in;
    enum app_err rc;
    int odd = 0;
    char *out;

    if (copy == NULL)
        abort();
    if (size > 0)
        memcpy(copy, data, size);
    in.p = copy;
    in.len = size;
    rc = parse_json(in, MAX_BYTES, MAX_DEPTH, &j, &detail);
    if (rc != APP_OK) {
        if ((rc != APP_EINVAL && rc != APP_ETOOBIG) || detail == NULL ||
            j != NULL)
            abort();
        free(copy);
        return 0;
    }
    if (j == NULL || size > MAX_BYTES || tree_depth(j, &odd) > MAX_DEPTH)
        abort();
    out = cJSON_PrintUnformatted(j);
    if (out == NULL)
        abort();
    if (parse_json(str_c(out), SIZE_MAX - 1, MAX_DEPTH, &again, &detail) !=
        APP_OK)
        abort();
    if (!odd && !cJSON_Compare(j, again, 1))
        abort();
    cJSON_Delete(again);
    free(out);
    cJSON_Delete(j);
    free(copy);
    return 0;
}
