/*
 * luajson_test.c -- a rule's result reaches C whole or not at all.
 *
 * The n-th cJSON allocation of a conversion from Lua is made to fail, for
 * every n it makes (alone, and from there on): luajson_to gives the very
 * document it gives without failures, or an error and no document -- never
 * a document with a key left out (cJSON copies keys, and a failed copy
 * used to drop the value, leaking it).  Under ASan nothing leaks either.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lauxlib.h>
#include <lua.h>

#include "base/jsonmem.h"
#include "sandbox/luajson.h"

static const struct luajson_limits LIMITS = { 16, 1000, 1000 };

/* Convert the value on top of L with the n-th cJSON allocation failing
 * (and every one after it when all is set; n == 0: none); the printed
 * document, or NULL when the conversion failed (then *rc says how). */
static char *
convert(lua_State *L, long n, int all, enum app_err *rc)
{
    cJSON *out = NULL;
    char err[256];
    char *text;

    jsonmem_fail_after(n, all);
    *rc = luajson_to(L, -1, &LIMITS, &out, err, sizeof(err));
    jsonmem_fail_after(0, 0);
    if (*rc != APP_OK) {
        assert_null(out);
        return NULL;
    }
    assert_non_null(out);
    text = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    assert_non_null(text);
    return text;
}

static void
test_every_failing_allocation(void **state)
{
    lua_State *L = luaL_newstate();
    char *good, *got;
    uint64_t before;
    enum app_err rc;
    long n, k;
    int all, complete = 0, refused = 0;

    (void)state;
    assert_non_null(L);
    jsonmem_init();
    assert_int_equal(
        luaL_dostring(L, "return { allowed = true, code = 'missing_evidence',"
                         " message = 'a message', version = 7,"
                         " missing = { { key = 'quote', name = 'Quote' },"
                         " { key = 'visit', name = 'Visit' } } }"),
        LUA_OK);
    good = convert(L, 0, 0, &rc);
    assert_int_equal(rc, APP_OK);
    assert_non_null(strstr(good, "\"version\":7"));
    before = jsonmem_allocations();
    got = convert(L, 0, 0, &rc);
    k = (long)(jsonmem_allocations() - before);
    cJSON_free(got);
    assert_true(k > 10);
    for (all = 0; all < 2; all++) {
        for (n = 1; n <= k + 1; n++) {
            got = convert(L, n, all, &rc);
            if (got == NULL) {
                assert_int_equal(rc, APP_ENOMEM); /* not the rule's fault */
                refused++;
                continue;
            }
            if (strcmp(got, good) != 0)
                fail_msg("allocation %ld failing%s: an incomplete result %s", n,
                         all ? " and on" : "", got);
            complete++;
            cJSON_free(got);
        }
    }
    assert_true(refused > 0);
    assert_true(complete > 0); /* the allocation past the last one */
    cJSON_free(good);
    lua_close(L);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_failing_allocation),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
