/*
 * stats_test.c -- the shared counters: bucket boundaries, counting before
 * and after the segment exists, the bounded table of companies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/stats.h"

static const struct {
    uint64_t us;
    size_t want;
} bucket_rows[] = {
    { 0, 0 },
    { 5000, 0 },
    { 5001, 1 },
    { 10000, 1 },
    { 10001, 2 },
    { 999999, 7 },
    { 1000000, 7 },
    { 5000000, 9 },
    { 5000001, STATS_BUCKETS },
    { UINT64_MAX, STATS_BUCKETS },
};

static void
test_bucket_rows(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bucket_rows) / sizeof(bucket_rows[0]); i++) {
        if (stats_bucket_of(bucket_rows[i].us) != bucket_rows[i].want)
            fail_msg("row %zu: %llu us in bucket %zu, want %zu", i,
                     (unsigned long long)bucket_rows[i].us,
                     stats_bucket_of(bucket_rows[i].us), bucket_rows[i].want);
    }
}

static void
test_counting(void **state)
{
    struct stats *s;
    char err[128];
    int64_t t;

    (void)state;
    /* Before the segment: nothing happens, nothing crashes. */
    assert_null(stats_self());
    stats_add(STATS_DB_ERRORS, 1);
    stats_request(3, 200, 10);
    stats_rule_failure(5, true);
    assert_int_equal(stats_create(NULL, err, sizeof(err)), 0);
    s = stats_self();
    assert_non_null(s);
    assert_int_equal(s->counter[STATS_DB_ERRORS], 0);

    stats_request(3, 200, 4000);
    stats_request(3, 404, 7000000);
    stats_request(STATS_ROUTES + 10, 200, 1); /* out of range: no route */
    stats_request(3, 99, 1);                  /* odd status: 5xx row */
    assert_int_equal(s->routes[3].status[1], 1);
    assert_int_equal(s->routes[3].status[3], 1);
    assert_int_equal(s->routes[3].status[4], 1);
    assert_int_equal(s->routes[3].count, 3);
    assert_int_equal(s->routes[3].bucket[0], 2);
    assert_int_equal(s->routes[3].bucket[STATS_BUCKETS], 1);
    assert_int_equal(s->routes[3].sum_us, 7004001);
    assert_int_equal(s->routes[STATS_NO_ROUTE].count, 1);

    /* The first STATS_TENANTS companies get a row; the rest share one. */
    for (t = 1; t <= STATS_TENANTS + 5; t++)
        stats_rule_failure(t, t % 2 == 0);
    stats_rule_failure(1, false);
    stats_rule_failure(0, false); /* no company: "other" */
    assert_int_equal(s->tenants[0].tenant, 1);
    assert_int_equal(s->tenants[0].errors, 2);
    assert_int_equal(s->tenants[1].timeouts, 1);
    assert_int_equal(s->tenants[STATS_TENANTS - 1].tenant, STATS_TENANTS);
    assert_int_equal(s->tenants[STATS_TENANTS].tenant, -1);
    assert_int_equal(s->tenants[STATS_TENANTS].errors +
                         s->tenants[STATS_TENANTS].timeouts,
                     5 + 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bucket_rows),
        cmocka_unit_test(test_counting),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
