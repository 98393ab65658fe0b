/*
 * pos_parse_test.c -- the POS import's header and line parser: tables of
 * lines with the problem (catalog key and field) or the values expected,
 * malformed and boundary rows first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sales/pos_import.h"
#include "sales/pos_parse.h"

/* A fixed UTC+8 zone, as Asia/Shanghai. */
static int64_t
utc8(void *arg, int32_t day, int32_t secs)
{
    (void)arg;
    return (int64_t)day * 86400 + secs - 8 * 3600;
}

struct header_row {
    const char *in;
    const char *key;         /* NULL: good */
    const char *field;       /* of the problem */
    int store, time, member; /* columns when good */
    char sep;
};

static const struct header_row header_rows[] = {
    { "", "pos.no_column", "store", 0, 0, 0, ',' },
    { "store,time", "pos.no_column", "receipt", 0, 0, 0, ',' },
    { "store,time,receipt,line,sku,qty", "pos.no_column", "amount", 0, 0, 0,
      ',' },
    { "\"store,time,receipt,line,sku,qty,amount", "pos.bad_quote", "", 0, 0, 0,
      ',' },
    { "store,time,receipt,line,sku,qty,amount", NULL, "", 0, 1, -1, ',' },
    { " Store ;TIME;receipt;line;SKU;qty;amount;member", NULL, "", 0, 1, 7,
      ';' },
    { "x\tmember\tsku\tqty\tamount\tline\treceipt\ttime\tstore", NULL, "", 8, 7,
      1, '\t' },
    { "门店名称,门店编码,销售时间,小票号,行号,商品编码,数量,金额,会员号", NULL,
      "", 1, 2, 8, ',' },
    { "\"store\",\"time\",receipt,line,sku,qty,amount,unknown", NULL, "", 0, 1,
      -1, ',' },
};

static void
test_header(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(header_rows) / sizeof(header_rows[0]); i++) {
        const struct header_row *r = &header_rows[i];
        struct pos_header h;
        const char *field = NULL;
        const char *key = pos_header_parse(str_c(r->in), 0, &h, &field);

        if ((key == NULL) != (r->key == NULL) ||
            (key != NULL && strcmp(key, r->key) != 0) ||
            (key != NULL && strcmp(field, r->field) != 0))
            fail_msg("header %zu \"%s\": got %s/%s", i, r->in, key ? key : "ok",
                     field ? field : "");
        if (key == NULL &&
            (h.col[POS_STORE] != r->store || h.col[POS_TIME] != r->time ||
             h.col[POS_MEMBER] != r->member || h.sep != r->sep))
            fail_msg("header %zu \"%s\": columns %d %d %d sep %d", i, r->in,
                     h.col[POS_STORE], h.col[POS_TIME], h.col[POS_MEMBER],
                     h.sep);
    }
}

struct line_row {
    const char *in;
    const char *key;   /* NULL: good */
    const char *field; /* of the problem */
    int64_t at, amount;
    int32_t qty;
    uint32_t line;
    const char *receipt, *member; /* member NULL: none */
    int64_t product;
};

/* 2026-11-01 00:00 UTC; local (UTC+8) times are 8 h earlier. */
#define D 1793491200LL
#define T(h, m, s) (D + (h)*3600 + (m)*60 + (s)-8 * 3600)

static const struct line_row line_rows[] = {
    /* malformed */
    { "", "pos.missing_fields", "time", 0, 0, 0, 0, NULL, NULL, 0 },
    { "S1,2026-11-01 09:15", "pos.missing_fields", "receipt", 0, 0, 0, 0, NULL,
      NULL, 0 },
    { "S1,2026-11-01 09:15,R1,1,P1,1", "pos.missing_fields", "amount", 0, 0, 0,
      0, NULL, NULL, 0 },
    { "\"S1,2026-11-01 09:15,R1,1,P1,1,1.00,", "pos.bad_quote", "", 0, 0, 0, 0,
      NULL, NULL, 0 },
    { "S1,2026-11-01 09:15,R\"1,1,P1,1,1.00,", "pos.bad_quote", "", 0, 0, 0, 0,
      NULL, NULL, 0 },
    { "\"S1\"x,2026-11-01 09:15,R1,1,P1,1,1.00,", "pos.bad_quote", "", 0, 0, 0,
      0, NULL, NULL, 0 },
    { ",2026-11-01 09:15,R1,1,P1,1,1.00,", "pos.required", "store", 0, 0, 0, 0,
      NULL, NULL, 0 },
    { "S1,2026-11-01 09:15,R1,1,P1,1,,", "pos.required", "amount", 0, 0, 0, 0,
      NULL, NULL, 0 },
    { "S9,2026-11-01 09:15,R1,1,P1,1,1.00,", "pos.unknown_store", "store", 0, 0,
      0, 0, NULL, NULL, 0 },
    { "s1,2026-11-01 09:15,R1,1,P1,1,1.00,", "pos.unknown_store", "store", 0, 0,
      0, 0, NULL, NULL, 0 },
    { "S1,2026-11-01 09:15,R1,1,P9,1,1.00,", "pos.unknown_sku", "sku", 0, 0, 0,
      0, NULL, NULL, 0 },
    { "S1,2026-11-31 09:15,R1,1,P1,1,1.00,", "pos.bad_time", "time", 0, 0, 0, 0,
      NULL, NULL, 0 },
    { "S1,2026-02-29 09:15,R1,1,P1,1,1.00,", "pos.bad_time", "time", 0, 0, 0, 0,
      NULL, NULL, 0 },
    { "S1,2026-11-01 24:00,R1,1,P1,1,1.00,", "pos.bad_time", "time", 0, 0, 0, 0,
      NULL, NULL, 0 },
    { "S1,2026-11-01 09:60,R1,1,P1,1,1.00,", "pos.bad_time", "time", 0, 0, 0, 0,
      NULL, NULL, 0 },
    { "S1,2026-11-01,R1,1,P1,1,1.00,", "pos.bad_time", "time", 0, 0, 0, 0, NULL,
      NULL, 0 },
    { "S1,2026-11/01 09:15,R1,1,P1,1,1.00,", "pos.bad_time", "time", 0, 0, 0, 0,
      NULL, NULL, 0 },
    { "S1,1999-11-01 09:15,R1,1,P1,1,1.00,", "pos.bad_time", "time", 0, 0, 0, 0,
      NULL, NULL, 0 },
    { "S1,2026-11-01 09:15:00.5,R1,1,P1,1,1.00,", "pos.bad_time", "time", 0, 0,
      0, 0, NULL, NULL, 0 },
    { "S1,2026-11-01 09:15,R 1,1,P1,1,1.00,", "pos.bad_receipt", "receipt", 0,
      0, 0, 0, NULL, NULL, 0 },
    { "S1,2026-11-01 09:15,收据,1,P1,1,1.00,", "pos.bad_receipt", "receipt", 0,
      0, 0, 0, NULL, NULL, 0 },
    { "S1,2026-11-01 09:15,"
      "R12345678901234567890123456789012345678901234567890123456789012345,1,"
      "P1,1,1.00,",
      "pos.bad_receipt", "receipt", 0, 0, 0, 0, NULL, NULL, 0 },
    { "S1,2026-11-01 09:15,R1,0,P1,1,1.00,", "pos.bad_line", "line", 0, 0, 0, 0,
      NULL, NULL, 0 },
    { "S1,2026-11-01 09:15,R1,1000001,P1,1,1.00,", "pos.bad_line", "line", 0, 0,
      0, 0, NULL, NULL, 0 },
    { "S1,2026-11-01 09:15,R1,1.0,P1,1,1.00,", "pos.bad_line", "line", 0, 0, 0,
      0, NULL, NULL, 0 },
    { "S1,2026-11-01 09:15,R1,1,P1,0,1.00,", "pos.bad_qty", "qty", 0, 0, 0, 0,
      NULL, NULL, 0 },
    { "S1,2026-11-01 09:15,R1,1,P1,100001,1.00,", "pos.bad_qty", "qty", 0, 0, 0,
      0, NULL, NULL, 0 },
    { "S1,2026-11-01 09:15,R1,1,P1,1.5,1.00,", "pos.bad_qty", "qty", 0, 0, 0, 0,
      NULL, NULL, 0 },
    { "S1,2026-11-01 09:15,R1,1,P1,1,1.001,", "pos.bad_amount", "amount", 0, 0,
      0, 0, NULL, NULL, 0 },
    { "S1,2026-11-01 09:15,R1,1,P1,1,1e3,", "pos.bad_amount", "amount", 0, 0, 0,
      0, NULL, NULL, 0 },
    { "S1,2026-11-01 09:15,R1,1,P1,1,.,", "pos.bad_amount", "amount", 0, 0, 0,
      0, NULL, NULL, 0 },
    { "S1,2026-11-01 09:15,R1,1,P1,1,-,", "pos.bad_amount", "amount", 0, 0, 0,
      0, NULL, NULL, 0 },
    { "S1,2026-11-01 09:15,R1,1,P1,1,10000000.01,", "pos.bad_amount", "amount",
      0, 0, 0, 0, NULL, NULL, 0 },
    { "S1,2026-11-01 09:15,R1,1,P1,1,1,000.00,", NULL, "", T(9, 15, 0), 100, 1,
      1, "R1", "000.00", 1 }, /* the comma ends the amount */
    { "S1,2026-11-01 09:15,R1,1,P1,1,1.00,M 1", "pos.bad_member", "member", 0,
      0, 0, 0, NULL, NULL, 0 },
    /* boundaries and good lines */
    { "S1,2026-11-01 09:15,R1,1,P1,1,10000000.00,", NULL, "", T(9, 15, 0),
      1000000000LL, 1, 1, "R1", NULL, 1 },
    { "S1,2026-11-01 00:00:00,R1,1000000,P1,-100000,-0.1,", NULL, "",
      T(0, 0, 0), -10, -100000, 1000000, "R1", NULL, 1 },
    { " S1 ,2026/11/1 9:05:07 , R-1/x ,  2 ,P2,+3, 19.9 ,M001", NULL, "",
      T(9, 5, 7), 1990, 3, 2, "R-1/x", "M001", 2 },
    { "\"S1\",\"2026-11-01 09:15\",\"R1\",1,\"P\"\"2\",1,.5,", NULL, "",
      T(9, 15, 0), 50, 1, 1, "R1", NULL, 3 },
    { "S1,2026-11-01T23:59:59,R1,1,P1,1,5.,", NULL, "", T(23, 59, 59), 500, 1,
      1, "R1", NULL, 1 },
    { "门店一,2026-11-01 09:15,R1,1,P1,1,1.00,", NULL, "", T(9, 15, 0), 100, 1,
      1, "R1", NULL, 1 },
};

static void
test_lines(void **state)
{
    struct pos_dict *stores = pos_dict_new(4), *products = pos_dict_new(4);
    struct pos_header h;
    struct pos_parser p = { &h, stores, products, utc8, NULL };
    const char *field;
    size_t i;

    (void)state;
    assert_non_null(stores);
    assert_non_null(products);
    assert_int_equal(pos_dict_put(stores, str_c("S1"), 1), APP_OK);
    assert_int_equal(pos_dict_put(stores, str_c("门店一"), 1), APP_OK);
    assert_int_equal(pos_dict_put(products, str_c("P1"), 1), APP_OK);
    assert_int_equal(pos_dict_put(products, str_c("P2"), 2), APP_OK);
    assert_int_equal(pos_dict_put(products, str_c("P\"2"), 3), APP_OK);
    assert_null(
        pos_header_parse(str_c("store,time,receipt,line,sku,qty,amount,member"),
                         ',', &h, &field));
    for (i = 0; i < sizeof(line_rows) / sizeof(line_rows[0]); i++) {
        const struct line_row *r = &line_rows[i];
        struct pos_line l;
        const char *key = pos_parse_line(&p, str_c(r->in), &l, &field);

        if ((key == NULL) != (r->key == NULL) ||
            (key != NULL && strcmp(key, r->key) != 0) ||
            (key != NULL && strcmp(field, r->field) != 0))
            fail_msg("line %zu \"%s\": got %s/%s", i, r->in, key ? key : "ok",
                     field);
        if (key != NULL)
            continue;
        if (l.at != r->at || l.amount_fen != r->amount || l.qty != r->qty ||
            l.line != r->line || l.product_id != r->product ||
            l.store_ix != 0 || l.receipt_len != strlen(r->receipt) ||
            memcmp(l.receipt, r->receipt, l.receipt_len) != 0 ||
            (r->member == NULL) != (l.member == NULL) ||
            (r->member != NULL &&
             (l.member_len != strlen(r->member) ||
              memcmp(l.member, r->member, l.member_len) != 0)))
            fail_msg("line %zu \"%s\": at %lld amount %lld qty %d line %u "
                     "product %lld",
                     i, r->in, (long long)l.at, (long long)l.amount_fen, l.qty,
                     l.line, (long long)l.product_id);
        if (l.day != (int32_t)(D / 86400))
            fail_msg("line %zu: day %d", i, l.day);
    }
    pos_dict_free(stores);
    pos_dict_free(products);
}

static void
test_days_and_text(void **state)
{
    char day[11], at[20];

    (void)state;
    assert_int_equal(pos_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(pos_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(pos_days_from_civil(2026, 11, 1), (int32_t)(D / 86400));
    pos_day_text(pos_days_from_civil(2024, 2, 29), day);
    assert_string_equal(day, "2024-02-29");
    pos_time_text(D - 1, at);
    assert_string_equal(at, "2026-10-31 23:59:59");
    pos_time_text(0, at);
    assert_string_equal(at, "1970-01-01 00:00:00");
}

static void
test_dict(void **state)
{
    struct pos_dict *d = pos_dict_new(2);

    (void)state;
    assert_non_null(d);
    assert_int_equal(pos_dict_put(d, str_c("a"), 0), APP_EINVAL);
    assert_int_equal(pos_dict_put(d, str_c("a"), 5), APP_OK);
    assert_int_equal(pos_dict_put(d, str_c("a"), 6), APP_OK); /* first kept */
    assert_int_equal(pos_dict_put(d, str_c(""), 7), APP_OK);
    assert_int_equal(pos_dict_put(d, str_c("c"), 8), APP_ETOOBIG);
    assert_int_equal(pos_dict_get(d, str_c("a")), 5);
    assert_int_equal(pos_dict_get(d, str_c("")), 7);
    assert_int_equal(pos_dict_get(d, str_c("b")), 0);
    assert_int_equal(pos_dict_get(d, (struct str){ "ab", 1 }), 5);
    pos_dict_free(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_days_and_text),
        cmocka_unit_test(test_dict),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
