/*
 * ruleform_test.c -- the rules form edits numbers and lists in place:
 * found exactly once or refused, comments and the rest untouched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "rules/ruleform.h"

static const char THRESHOLDS[] =
    "-- thresholds\n"
    "thresholds = {\n"
    "  -- stage_health = { healthy = 0.5 } (a comment)\n"
    "  stage_health = { healthy = 0.85, warning = 0.70, window_days = 7 },\n"
    "  funnel = { loss = 0.5, rise = 0.15 },\n"
    "}\n";

static const char STAGES[] =
    "stages = {\n"
    "  { key = \"lead\",      name = \"线索\",   name_en = \"Lead\" },\n"
    "  { key = \"intent\",    name = \"意向\",   name_en = \"Intent\",\n"
    "    requires = { \"need_confirmed\" } },\n"
    "  { key = \"advancing\", name = \"推进中\",\n"
    "    requires = { \"trial_kit_receipt\", \"head_phone_confirmation\",\n"
    "                 \"installation_form\" } },\n"
    "}\n"
    "function can_enter(c, from, to) return true end\n";

static void
test_numbers(void **state)
{
    struct arena *a = arena_new(4096, 1 << 20);
    struct str s = str_c(THRESHOLDS);
    const char *out;
    char v[32];

    (void)state;
    assert_true(ruleform_number(s, "stage_health", "healthy", v, sizeof(v)));
    assert_string_equal(v, "0.85");
    assert_true(ruleform_number(s, "funnel", "rise", v, sizeof(v)));
    assert_string_equal(v, "0.15");
    out = ruleform_set_number(a, s, "stage_health", "healthy", "0.8");
    assert_non_null(out);
    assert_non_null(strstr(out, "{ healthy = 0.8, warning = 0.70,"));
    /* The comment and the rest are as they were. */
    assert_non_null(strstr(out, "-- stage_health = { healthy = 0.5 }"));
    assert_int_equal(strlen(out), strlen(THRESHOLDS) - 1);
    /* Not there, or not a number: not editable. */
    assert_false(ruleform_number(s, "stage_health", "nope", v, sizeof(v)));
    assert_false(ruleform_number(s, "nothing", "healthy", v, sizeof(v)));
    assert_null(
        ruleform_set_number(a, str_c("x = { a = f() }"), "x", "a", "1"));
    /* Twice: ambiguous, refused. */
    assert_null(ruleform_set_number(a, str_c("t = { a = 1 }\nt = { a = 2 }\n"),
                                    "t", "a", "3"));
    arena_free(a);
}

static void
test_lists(void **state)
{
    struct arena *a = arena_new(4096, 1 << 20);
    struct str s = str_c(STAGES);
    const char *items[RULEFORM_LIST_MAX], *out;
    const char *two[] = { "need_confirmed", "quote_sheet" };
    size_t n;

    (void)state;
    assert_true(ruleform_list(a, s, "advancing", true, "requires", items, &n));
    assert_int_equal(n, 3);
    assert_string_equal(items[2], "installation_form");
    assert_true(ruleform_list(a, s, "lead", true, "requires", items, &n));
    assert_int_equal(n, 0);
    out = ruleform_set_list(a, s, "intent", true, "requires", two, 2);
    assert_non_null(out);
    assert_non_null(
        strstr(out, "requires = { \"need_confirmed\", \"quote_sheet\" } },"));
    /* An entry without the field gets it. */
    out = ruleform_set_list(a, s, "lead", true, "requires", two, 1);
    assert_non_null(out);
    assert_non_null(strstr(out, "name_en = \"Lead\", requires = "
                                "{ \"need_confirmed\" } },"));
    assert_true(
        ruleform_list(a, str_c(out), "lead", true, "requires", items, &n));
    assert_int_equal(n, 1);
    /* Emptied. */
    out = ruleform_set_list(a, s, "intent", true, "requires", two, 0);
    assert_non_null(strstr(out, "requires = {} },"));
    /* By name (visit types). */
    out = ruleform_set_list(
        a,
        str_c("visit_types = {\n  store = { name = \"x\", photos = { "
              "\"a\" } },\n}\n"),
        "store", false, "photos", two, 2);
    assert_non_null(strstr(out, "photos = { \"need_confirmed\", "
                                "\"quote_sheet\" } }"));
    /* Computed lists are custom code. */
    assert_false(
        ruleform_list(a, str_c("{ key = \"x\", requires = list_of(\"a\") }"),
                      "x", true, "requires", items, &n));
    assert_false(
        ruleform_list(a, str_c("{ key = \"x\", requires = { \"a\" .. b } }"),
                      "x", true, "requires", items, &n));
    assert_null(ruleform_set_list(a, s, "unknown", true, "requires", two, 1));
    {
        const char *evil[] = { "a\" } os.exit() --" };

        assert_null(
            ruleform_set_list(a, s, "intent", true, "requires", evil, 1));
    }
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_lists),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
