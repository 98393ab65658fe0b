/*
 * jsonmem.c -- cJSON's allocator, counting failures (see jsonmem.h).
 *
 * Workers are single-threaded, so plain counters do.
 */
#include "base/jsonmem.h"

#include <stdlib.h>

#include <cjson/cJSON.h>

static uint64_t failures, allocations;
static long fail_in; /* > 0: the allocation that will fail, counting down */
static int fail_all; /* after it, fail every one */
static int failing;  /* fail_all is in effect */

static void *
jm_malloc(size_t n)
{
    void *p = NULL;

    allocations++;
    if (fail_in > 0 && --fail_in == 0)
        failing = 1;
    if (!failing)
        p = malloc(n);
    if (failing && !fail_all)
        failing = 0;
    if (p == NULL)
        failures++;
    return p;
}

static void
jm_free(void *p)
{
    free(p);
}

void
jsonmem_init(void)
{
    static int done;
    cJSON_Hooks h = { jm_malloc, jm_free };

    if (done)
        return;
    cJSON_InitHooks(&h);
    done = 1;
}

uint64_t
jsonmem_failures(void)
{
    return failures;
}

uint64_t
jsonmem_allocations(void)
{
    return allocations;
}

void
jsonmem_fail_after(long n, int all)
{
    fail_in = n > 0 ? n : 0;
    fail_all = all;
    failing = 0;
}

bool
jsonmem_add_ref(cJSON *to, const char *key, const cJSON *item)
{
    cJSON *ref;
    bool ok;

    if (to == NULL || item == NULL)
        return false;
    if (cJSON_IsObject(item))
        ref = cJSON_CreateObjectReference(item->child);
    else if (cJSON_IsArray(item))
        ref = cJSON_CreateArrayReference(item->child);
    else
        ref = cJSON_Duplicate(item, true); /* a scalar: a copy is as cheap */
    if (ref == NULL)
        return false;
    ok = key != NULL ? cJSON_AddItemToObject(to, key, ref)
                     : cJSON_AddItemToArray(to, ref);
    if (!ok)
        cJSON_Delete(ref);
    return ok;
}
