/*
 * audits_test.c -- the arithmetic of shelf audits: prices in fen and
 * shares in per mille (sales/audits.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sales/audits.h"

struct price_row {
    const char *in;
    int ok;
    int64_t fen;
};

static const struct price_row price_rows[] = {
    /* malformed and refused first */
    { "", 0, 0 },
    { "abc", 0, 0 },
    { "-3", 0, 0 },
    { "-0.01", 0, 0 },
    { "1.234", 0, 0 },
    { "1,2", 0, 0 },
    { "1e3", 0, 0 },
    { "1000000.01", 0, 0 },
    { "99999999999999999999", 0, 0 },
    /* accepted */
    { "0", 1, 0 },
    { "12", 1, 1200 },
    { "12.5", 1, 1250 },
    { "12.50", 1, 1250 },
    { "0.05", 1, 5 },
    { "¥9.90", 1, 990 },
    { "1,200.00", 1, 120000 },
    { "1000000", 1, 100000000 },
    { "15元", 1, 1500 },
};

static void
test_price_fen(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(price_rows) / sizeof(price_rows[0]); i++) {
        const struct price_row *r = &price_rows[i];
        int64_t fen = -1;
        bool ok = audits_price_fen(str_c(r->in), &fen);

        if (ok != (bool)r->ok || (ok && fen != r->fen))
            fail_msg("row %zu \"%s\": ok %d fen %lld", i, r->in, ok,
                     (long long)fen);
    }
}

struct pm_row {
    int64_t x, total, want;
};

static const struct pm_row pm_rows[] = {
    { 0, 0, 0 },        { 5, 0, 0 },       { 0, 7, 0 },    { 7, 7, 1000 },
    { 5, 12, 417 },     { 4, 12, 333 },    { 3, 12, 250 }, { 1, 8, 125 },
    { 1, 3, 333 },      { 2, 3, 667 },     { 1, 2000, 1 }, { 1, 2001, 0 },
    { 999, 1000, 999 }, { 199, 200, 995 },
};

static void
test_per_mille(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(pm_rows) / sizeof(pm_rows[0]); i++)
        if (audits_per_mille(pm_rows[i].x, pm_rows[i].total) != pm_rows[i].want)
            fail_msg("row %zu: %lld of %lld", i, (long long)pm_rows[i].x,
                     (long long)pm_rows[i].total);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_price_fen),
        cmocka_unit_test(test_per_mille),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
