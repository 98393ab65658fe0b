/*
 * hanzi_test.c -- table-driven tests of hanzi.c (STYLE §17): folding,
 * the parts of an organisation's name (city, core, kinds), pinyin
 * initials (level-1 GB2312 boundaries, level-2 hanzi giving none,
 * invalid UTF-8), and the civil-date helpers of sales/notes.c.
 * Malformed rows first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/hanzi.h"
#include "sales/notes.h"

#define S(x)                                                                   \
    {                                                                          \
        (x), sizeof(x) - 1                                                     \
    }
#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

static void
test_fold(void **state)
{
    static const struct {
        struct str in;
        const char *out;
    } rows[] = {
        { S("\xff\xfe"), "" }, /* invalid UTF-8 dropped */
        { S("\xe4\xbb"), "" }, /* cut character */
        { S(""), "" },
        { S("  ,.;  "), "" },
        { S("仁和 医院（北京）"), "仁和医院北京" },
        { S("ＲＨ　药房，"), "rh药房" },
        { S("Sunrise Pharmacy Co., Ltd."), "sunrisepharmacycoltd" },
        { S("华润·万家"), "华润万家" },
    };
    char out[64];
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(rows); i++) {
        size_t n = hanzi_fold(rows[i].in, out, sizeof(out));

        assert_string_equal(out, rows[i].out);
        assert_int_equal(n, strlen(rows[i].out));
    }
    /* A small buffer never cuts a character. */
    assert_int_equal(hanzi_fold(str_c("仁和医院"), out, 8), 6);
    assert_string_equal(out, "仁和");
    assert_int_equal(hanzi_fold(str_c("abc"), out, 0), 0);
}

static void
test_name_parts(void **state)
{
    static const struct {
        const char *name, *city, *nocity, *core, *suffix;
    } rows[] = {
        { "", "", "", "", "" },
        { "医院", "", "医院", "医院", "" }, /* nothing left: kept */
        { "北京", "", "北京", "北京", "" }, /* only a city: kept */
        { "仁和医院", "", "仁和医院", "仁和", "医院" },
        { "北京仁和医院有限公司", "北京", "仁和医院有限公司", "仁和",
          "医院有限公司" },
        { "北京市仁和医院", "北京", "仁和医院", "仁和", "医院" },
        { "广东省深圳市华润万家超市", "深圳", "华润万家超市", "华润万家",
          "超市" },
        { "第一人民医院", "", "第一人民医院", "第一", "人民医院" },
        { "同仁堂大药房", "", "同仁堂大药房", "同仁堂", "大药房" },
        { "仁和医院东院", "", "仁和医院东院", "仁和医院东院", "" },
        { "sunrisepharmacy", "", "sunrisepharmacy", "sunrise", "pharmacy" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(rows); i++) {
        struct hanzi_name p;

        hanzi_name_parts(str_c(rows[i].name), &p);
        assert_true(str_eq_c(p.city, rows[i].city));
        assert_true(str_eq_c(p.nocity, rows[i].nocity));
        assert_true(str_eq_c(p.core, rows[i].core));
        assert_true(str_eq_c(p.suffix, rows[i].suffix));
    }
}

static void
test_kinds_and_cities(void **state)
{
    (void)state;
    assert_int_equal(hanzi_suffix_start(str_c("医院设备科")), 6);
    assert_int_equal(hanzi_suffix_start(str_c("有限公司")), 12);
    assert_int_equal(hanzi_suffix_start(str_c("店长说")), 0); /* not 店 */
    assert_int_equal(hanzi_suffix_start(str_c("设备科")), 0);
    assert_int_equal(hanzi_city_suffix_len(str_c("拜访北京")), 6);
    assert_int_equal(hanzi_city_suffix_len(str_c("拜访北京市")), 9);
    assert_int_equal(hanzi_city_suffix_len(str_c("拜访")), 0);
    assert_int_equal(hanzi_city_suffix_len(str_c("")), 0);
    assert_int_equal(hanzi_chars(str_c("仁和ab")), 4);
}

static void
test_initials(void **state)
{
    static const struct {
        struct str in;
        bool ok;
        const char *out;
    } rows[] = {
        { S("\xff"), false, "" }, /* invalid UTF-8 */
        { S(""), false, "" },
        { S("，。"), false, "" },
        { S("仁和医院"), true, "rhyy" },
        { S("北京仁和医院有限公司"), true, "bjrhyyyxgs" },
        { S("华润万家"), true, "hrwj" },
        { S("同仁堂"), true, "trt" },
        { S("A药房 2"), true, "ayf2" },
        /* the first and last hanzi of level 1, and block edges */
        { S("啊"), true, "a" },     /* B0A1 */
        { S("座"), true, "z" },     /* D7F9 */
        { S("芭"), true, "b" },     /* B0C5 */
        { S("擦"), true, "c" },     /* B2C1 */
        { S("匝"), true, "z" },     /* D4D1 */
        { S("亍"), false, "" },     /* D8A1: level 2, no initial */
        { S("仁和亍"), false, "" }, /* never a partial string */
        { S("😀"), false, "" },      /* not in GB2312 */
    };
    char out[64];
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(rows); i++) {
        assert_int_equal(hanzi_initials(rows[i].in, out, sizeof(out)),
                         rows[i].ok);
        assert_string_equal(out, rows[i].out);
    }
    assert_false(hanzi_initials(str_c("仁和医院"), out, 3)); /* too small */
    assert_string_equal(out, "");
}

static void
test_days(void **state)
{
    static const struct {
        int y, m, d;
        long days;
        int wd;
    } rows[] = {
        { 1970, 1, 1, 0, 4 },      { 1969, 12, 31, -1, 3 },
        { 2000, 2, 29, 11016, 2 }, { 2026, 3, 4, 20516, 3 },
        { 2026, 3, 8, 20520, 7 },  { 2027, 1, 1, 20819, 5 },
    };
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(rows); i++) {
        assert_int_equal(notes_days(rows[i].y, rows[i].m, rows[i].d),
                         rows[i].days);
        assert_int_equal(notes_weekday(rows[i].y, rows[i].m, rows[i].d),
                         rows[i].wd);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_name_parts),
        cmocka_unit_test(test_kinds_and_cities),
        cmocka_unit_test(test_initials),
        cmocka_unit_test(test_days),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
