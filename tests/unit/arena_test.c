/*
 * arena_test.c -- the per-request arena: alignment, caps, cleanups, reset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/wire.h"

static int cleanup_order[8];
static int cleanup_count;

static void
record(void *p)
{
    cleanup_order[cleanup_count++] = (int)(intptr_t)p;
}

static void
test_alignment_and_reuse(void **state)
{
    struct arena *a = arena_new(1024, 1 << 20);
    size_t sizes[] = { 1, 3, 16, 17, 100, 600, 5000, 0 };
    size_t i;

    (void)state;
    assert_non_null(a);
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char *p = arena_alloc(a, sizes[i]);

        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        if (sizes[i] > 0)
            memset(p, 0xAB, sizes[i]);
    }
    assert_true(arena_used(a) >= 5000);
    arena_reset(a);
    assert_int_equal(arena_used(a), 0);
    assert_non_null(arena_alloc(a, 10));
    arena_free(a);
}

static void
test_cap(void **state)
{
    struct arena *a = arena_new(256, 4096);

    (void)state;
    assert_non_null(arena_alloc(a, 4000));
    assert_null(arena_alloc(a, 200)); /* over the cap */
    assert_null(arena_alloc(a, SIZE_MAX));
    assert_null(arena_calloc(a, SIZE_MAX / 2, 4)); /* overflow */
    arena_reset(a);
    assert_non_null(arena_alloc(a, 4000));
    arena_free(a);
}

static void
test_cleanups_reverse_order(void **state)
{
    struct arena *a = arena_new(1024, 1 << 20);

    (void)state;
    cleanup_count = 0;
    assert_int_equal(arena_cleanup_add(a, record, (void *)1), 0);
    assert_int_equal(arena_cleanup_add(a, record, (void *)2), 0);
    assert_int_equal(arena_cleanup_add(a, record, (void *)3), 0);
    arena_reset(a);
    assert_int_equal(cleanup_count, 3);
    assert_int_equal(cleanup_order[0], 3);
    assert_int_equal(cleanup_order[1], 2);
    assert_int_equal(cleanup_order[2], 1);
    /* Cleanups run once only. */
    arena_reset(a);
    assert_int_equal(cleanup_count, 3);
    arena_free(a);
}

static void
test_cleanup_runs_when_registration_fails(void **state)
{
    struct arena *a = arena_new(1024, 1 << 20);

    (void)state;
    cleanup_count = 0;
    arena_fail_after(a, 1);
    assert_int_equal(arena_cleanup_add(a, record, (void *)7), -1);
    /* The resource was released at once rather than leaked. */
    assert_int_equal(cleanup_count, 1);
    assert_int_equal(cleanup_order[0], 7);
    arena_free(a);
}

static void
test_strings(void **state)
{
    struct arena *a = arena_new(1024, 1 << 20);
    char *s;
    struct str t;

    (void)state;
    s = arena_strndup(a, "ab\0cd", 5);
    assert_memory_equal(s, "ab\0cd", 6);
    s = arena_printf(a, "%d-%s", 42, "x");
    assert_string_equal(s, "42-x");
    t = arena_str(a, STR_LIT("hello"));
    assert_int_equal(t.len, 5);
    assert_int_equal(t.p[5], '\0');
    arena_free(a);
}

static void
test_buf_limits_and_escaping(void **state)
{
    struct arena *a = arena_new(1024, 1 << 20);
    struct buf b;

    (void)state;
    buf_init(&b, a, 10);
    assert_int_equal(buf_puts(&b, "0123456789"), APP_OK);
    assert_int_equal(buf_putc(&b, 'x'), APP_ETOOBIG);
    assert_int_equal(b.len, 10); /* unchanged by the failed append */
    assert_string_equal(b.p, "0123456789");

    buf_init(&b, a, 1000);
    assert_int_equal(buf_append_html(&b, "<a href=\"x\">&'</a>", 18), APP_OK);
    assert_string_equal(b.p,
                        "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");

    buf_init(&b, a, 1000);
    assert_int_equal(wire_pct_encode(&b, "a b/中?", strlen("a b/中?")), APP_OK);
    assert_string_equal(b.p, "a%20b%2F%E4%B8%AD%3F");

    buf_init(&b, NULL, 1 << 20);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_printf(&b, "%04d", i), APP_OK);
    assert_int_equal(b.len, 4000);
    buf_free(&b);
    arena_free(a);
}

static void
test_arena_failure_in_buf(void **state)
{
    struct arena *a = arena_new(1024, 1 << 20);
    struct buf b;

    (void)state;
    buf_init(&b, a, 1 << 20);
    arena_fail_after(a, 1);
    assert_int_equal(buf_puts(&b, "x"), APP_ENOMEM);
    assert_int_equal(buf_puts(&b, "x"), APP_OK);
    arena_free(a);
}

/* arena_grow: doubling from min, contents kept, a failed growth leaves
 * the array as it was. */
static void
test_grow(void **state)
{
    struct arena *a = arena_new(4096, 1 << 20);
    void *v = NULL;
    int *ints;
    size_t cap = 0, n;

    (void)state;
    assert_non_null(a);
    for (n = 0; n < 100; n++) {
        assert_int_equal(arena_grow(a, &v, &cap, n, sizeof(int), 4), APP_OK);
        assert_true(cap > n);
        ints = v;
        ints[n] = (int)n * 7;
    }
    assert_int_equal(cap, 128);
    for (n = 0; n < 100; n++)
        assert_int_equal(((int *)v)[n], (int)n * 7);
    /* Room left: no new block. */
    ints = v;
    assert_int_equal(arena_grow(a, &v, &cap, 100, sizeof(int), 4), APP_OK);
    assert_ptr_equal(v, ints);
    arena_fail_after(a, 1);
    assert_int_equal(arena_grow(a, &v, &cap, 128, sizeof(int), 4), APP_ENOMEM);
    assert_ptr_equal(v, ints);
    assert_int_equal(cap, 128);
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alignment_and_reuse),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_cleanups_reverse_order),
        cmocka_unit_test(test_cleanup_runs_when_registration_fails),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_buf_limits_and_escaping),
        cmocka_unit_test(test_arena_failure_in_buf),
        cmocka_unit_test(test_grow),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
