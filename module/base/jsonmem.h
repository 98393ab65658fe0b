/*
 * jsonmem.h -- cJSON's allocator, counting failures, so that a document
 * built with hundreds of unchecked cJSON_Add* calls is never sent with a
 * field silently missing.
 *
 * Every cJSON allocation goes through here (jsonmem_init installs the
 * hooks).  A failed one is counted; the HTTP layer notes the count when a
 * request starts and, before it sends any page or JSON document, answers
 * 500 instead if the count moved (http.c).  For the tests, allocations can
 * be made to fail on purpose.
 */
#ifndef PROOFLINE_JSONMEM_H
#define PROOFLINE_JSONMEM_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* Install the hooks (idempotent; before any cJSON use). */
void jsonmem_init(void);

/* cJSON allocations that failed since the process started. */
uint64_t jsonmem_failures(void);

/* cJSON allocations made since the process started. */
uint64_t jsonmem_allocations(void);

/* Add item to `to` by reference (not copied, not freed with `to`): under
 * key when key is not NULL, else at the end of an array.  False when
 * out of memory, with nothing leaked -- cJSON's own
 * cJSON_AddItemReferenceTo* leak the reference then. */
bool jsonmem_add_ref(cJSON *to, const char *key, const cJSON *item);

/* Tests only: make the n-th cJSON allocation from now fail (n >= 1), and
 * every one after it while `all` is set; n <= 0 turns failing off. */
void jsonmem_fail_after(long n, int all);

#endif
