/*
 * rmb_test.c -- amounts in Chinese capital numerals (base/rmb.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/rmb.h"

struct row {
    int64_t cents;
    bool ok;
    const char *want;
};

static const struct row rows[] = {
    /* outside the range first */
    { -1, false, "" },
    { RMB_CENTS_MAX + 1, false, "" },
    /* the fraction alone, zero */
    { 0, true, "零元整" },
    { 5, true, "伍分" },
    { 50, true, "伍角" },
    { 55, true, "伍角伍分" },
    /* whole yuan */
    { 100, true, "壹元整" },
    { 1000, true, "壹拾元整" },
    { 1500, true, "壹拾伍元整" },
    { 10100, true, "壹佰零壹元整" },
    { 12000000, true, "壹拾贰万元整" },
    { 100001020, true, "壹佰万零壹拾元贰角" },
    { 10000000000, true, "壹亿元整" },
    { 10001000000, true, "壹亿零壹万元整" },
    { 1200100000, true, "壹仟贰佰万壹仟元整" },
    { 100005000000000, true, "壹万亿零伍仟万元整" },
    { 100000000000000, true, "壹万亿元整" },
    /* jiao and fen after yuan */
    { 105, true, "壹元零伍分" },
    { 168032, true, "壹仟陆佰捌拾元叁角贰分" },
    { 10700053, true, "壹拾万柒仟元伍角叁分" },
    { 123456789, true, "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分" },
    { RMB_CENTS_MAX, true,
      "玖仟玖佰玖拾玖万亿玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元"
      "玖角玖分" },
};

static void
test_capitals(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char out[RMB_CAPITALS_MAX];
        bool ok = rmb_capitals(rows[i].cents, out, sizeof(out));

        if (ok != rows[i].ok || strcmp(out, rows[i].want) != 0)
            fail_msg("row %zu (%lld): got %d \"%s\", want %d \"%s\"", i,
                     (long long)rows[i].cents, ok, out, rows[i].ok,
                     rows[i].want);
    }
}

/* A buffer too small fails whole, never a cut text. */
static void
test_small_buffer(void **state)
{
    char out[8];

    (void)state;
    assert_false(rmb_capitals(12000000, out, sizeof(out)));
    assert_string_equal(out, "");
    assert_false(rmb_capitals(5, out, 0));
    assert_true(rmb_capitals(5, out, 7));
    assert_string_equal(out, "伍分");
    assert_false(rmb_capitals(5, out, 6));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capitals),
        cmocka_unit_test(test_small_buffer),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
