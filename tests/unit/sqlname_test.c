/*
 * sqlname_test.c -- names in SQL text, checked and quoted (db/sqlname.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "db/sqlname.h"

struct name_row {
    const char *name;
    bool ok;
};

static const struct name_row names[] = {
    { "customers", true },
    { "a", true },
    { "pos_days_2", true },
    { "0123456789012345678901234567890123456789012345678901234567890123",
      true }, /* 64 */
    { "01234567890123456789012345678901234567890123456789012345678901234",
      false }, /* 65 */
    { "", false },
    { "Customers", false },
    { "a-b", false },
    { "a b", false },
    { "a`b", false },
    { "a;DROP", false },
    { "t\xe5\xae\xa2", false },
};

static void
test_names(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (db_name_ok(names[i].name) != names[i].ok)
            fail_msg("row %zu: '%s' expected %s", i, names[i].name,
                     names[i].ok ? "ok" : "refused");
}

static void
test_statements(void **state)
{
    struct arena *a = arena_new(4096, 1 << 20);
    const char *one[] = { "DELETE FROM ", "files", " WHERE tenant_id = ?" };
    const char *two[] = { "UPDATE ", "notes", " SET ", "body", " = ?" };
    const char *bad[] = { "SELECT * FROM ", "x`; --", "" };
    const char *bad_second[] = { "UPDATE ", "notes", " SET ", "Body", "" };
    const char *text_only[] = { "SELECT 1" };

    (void)state;
    assert_non_null(a);
    assert_string_equal(db_sql_names(a, one, 3),
                        "DELETE FROM `files` WHERE tenant_id = ?");
    assert_string_equal(db_sql_names(a, two, 5),
                        "UPDATE `notes` SET `body` = ?");
    assert_null(db_sql_names(a, bad, 3));
    assert_null(db_sql_names(a, bad_second, 5));
    assert_string_equal(db_sql_names(a, text_only, 1), "SELECT 1");
    assert_string_equal(db_sql_names(a, text_only, 0), "");
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_statements),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
