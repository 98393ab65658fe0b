/*
 * csv_in_test.c -- table-driven tests of csv_in.c (STYLE §17): an import's
 * CSV decoded (UTF-8 with and without a byte order mark, GBK), its header
 * mapped through the aliases of a column table (Chinese and English, case
 * and spaces ignored), its unknown, repeated and missing columns listed,
 * its lines read as cells of the table's entries, and every failure with
 * its key and line: bad bytes, bad CSV, an empty file, too many lines, a
 * field or a header over the limits.  Malformed rows first.  The GBK bytes
 * were produced with `printf ... | iconv -f utf-8 -t gbk | xxd -p`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/csv_in.h"

#define S(x)                                                                   \
    {                                                                          \
        (x), sizeof(x) - 1                                                     \
    }
#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

#define BOM "\xEF\xBB\xBF"
/* 编码 and 名称 in GBK. */
#define BIANMA_GBK "\xB1\xE0\xC2\xEB"
#define MINGCHENG_GBK "\xC3\xFB\xB3\xC6"

/* sku and name required; brand optional; "lon" is the 4th alias of geo,
 * filling its names. */
static const struct csv_in_col COLS[] = {
    { "sku", { "sku", "编码", "商品编码" }, true },
    { "name", { "name", "名称", "Product Name" }, true },
    { "brand", { "brand", "品牌" }, false },
    { "geo", { "geo", "经度", "longitude", "lon", "x", "y" }, false },
};

struct row {
    const char *what;
    struct str in;
    size_t max_rows;        /* 0: 10 */
    size_t max_field_bytes; /* 0: 1024 */
    size_t max_columns;     /* 0: 8 */
    const char *want;       /* what run() writes */
};

static const struct row rows[] = {
    /* malformed and over the limits */
    { "bad bytes", S("sku,name\n\xFF\xFE\xFD\n"), 0, 0, 0,
      "open:bad_request:encoding.unknown:2" },
    { "bad UTF-16", S("\xFF\xFEs\0k\0u\0"), 0, 0, 0,
      "open:bad_request:encoding.utf16:1" },
    { "empty file", S(""), 0, 0, 0, "header:not_found:-:1" },
    { "blank lines only", S("\r\n\n\n"), 0, 0, 0, "header:not_found:-:1" },
    { "only a byte order mark", S(BOM), 0, 0, 0, "header:not_found:-:1" },
    { "bad quote in the header", S("sk\"u,name\n"), 0, 0, 0,
      "header:bad_request:csv.bad_quote:1" },
    { "header over max_columns", S("a,b,c,d\n"), 0, 0, 3,
      "header:too_large:csv.too_many_fields:1" },
    { "too many lines", S("sku,name\n1,a\n2,b\n3,c\n"), 2, 0, 0,
      "utf-8 | 2[1|a|-|-] 3[2|b|-|-] end:too_large:csv.too_many_records:4" },
    { "as many lines as allowed", S("sku,name\n1,a\n2,b\n"), 2, 0, 0,
      "utf-8 | 2[1|a|-|-] 3[2|b|-|-] end" },
    { "field too long", S("sku,name\n1,abcdefgh\n2,abcdefghi\n"), 0, 8, 0,
      "utf-8 | 2[1|abcdefgh|-|-] end:too_large:csv.field_too_large:3" },
    { "bad CSV on a line", S("sku,name\n1,a\n2,\"b\n"), 0, 0, 0,
      "utf-8 | 2[1|a|-|-] end:bad_request:csv.unterminated_quote:3" },

    /* the header's problems */
    { "unknown column", S("sku,name,colour\n1,a,red\n"), 0, 0, 0,
      "utf-8 U2=colour | 2[1|a|-|-] end" },
    { "blank header column is not unknown", S("sku,,name\n1,x,a\n"), 0, 0, 0,
      "utf-8 | 2[1|a|-|-] end" },
    { "repeated column: the first counts", S("sku,name,编码\n1,a,2\n"), 0, 0, 0,
      "utf-8 R2=编码(sku) | 2[1|a|-|-] end" },
    { "missing required columns", S("brand\nAcme\n"), 0, 0, 0,
      "utf-8 M=sku M=name | 2[-|-|Acme|-] end" },
    { "unknown, repeated, then missing", S("x1,brand,品牌\n"), 0, 0, 0,
      "utf-8 U0=x1 R2=品牌(brand) M=sku M=name | end" },

    /* aliases, encodings */
    { "Chinese aliases", S("商品编码,名称,品牌\nA1,苹果,自有\n"), 0, 0, 0,
      "utf-8 | 2[A1|苹果|自有|-] end" },
    { "a TAB in a header of commas is part of a name",
      S(" SKU ,product name\tBrand\n"), 0, 0, 0,
      "utf-8 U1=product name\tBrand M=name | end" },
    { "case and spaces in the header, commas",
      S(" SKU ,  product NAME ,BRAND\n1,a,b\n"), 0, 0, 0,
      "utf-8 | 2[1|a|b|-] end" },
    { "sixth alias", S("sku,name,y\n1,a,3.5\n"), 0, 0, 0,
      "utf-8 | 2[1|a|-|3.5] end" },
    { "with a byte order mark", S(BOM "编码,名称\nA1,苹果\n"), 0, 0, 0,
      "utf-8+bom | 2[A1|苹果|-|-] end" },
    { "GBK", S(BIANMA_GBK "," MINGCHENG_GBK "\r\nA1," MINGCHENG_GBK "\r\n"), 0,
      0, 0, "gbk | 2[A1|名称|-|-] end" },
    { "semicolons, short and long lines",
      S("name;sku;brand\na;1\nb;2;c;extra\n"), 0, 0, 0,
      "utf-8 | 2[1|a|-|-] 3[2|b|c|-] end" },
    { "blank lines are not counted as lines", S("sku,name\n\n1,a\n\n\n2,b\n"),
      2, 0, 0, "utf-8 | 3[1|a|-|-] 6[2|b|-|-] end" },
    { "header only", S("sku,name\n"), 0, 0, 0, "utf-8 | end" },
};

/* The cells of rec as [sku|name|brand|geo], "-" for none. */
static void
put_line(struct buf *b, const struct csv_in *in, const struct csv_record *rec)
{
    size_t k;

    assert_int_equal(buf_printf(b, " %zu[", rec->line), APP_OK);
    for (k = 0; k < NROWS(COLS); k++) {
        struct str c = csv_in_cell(in, rec, k);

        assert_int_equal(k > 0 ? buf_putc(b, '|') : APP_OK, APP_OK);
        if (!csv_in_has(in, k))
            assert_null(c.p);
        assert_int_equal(
            c.p != NULL ? buf_append(b, c.p, c.len) : buf_putc(b, '-'), APP_OK);
    }
    assert_int_equal(buf_putc(b, ']'), APP_OK);
}

static void
put_issues(struct buf *b, const struct csv_in *in)
{
    struct csv_in_issue is;
    size_t pos = 0;

    while (csv_in_issue_next(&in->h, &pos, &is)) {
        enum app_err rc =
            is.kind == CSV_IN_UNKNOWN ? buf_printf(b, " U%zu=%.*s", is.column,
                                                   (int)is.name.len, is.name.p)
            : is.kind == CSV_IN_REPEATED
                ? buf_printf(b, " R%zu=%.*s(%s)", is.column, (int)is.name.len,
                             is.name.p, COLS[is.field].field)
                : buf_printf(b, " M=%.*s", (int)is.name.len, is.name.p);

        assert_int_equal(rc, APP_OK);
    }
    assert_false(csv_in_issue_next(&in->h, &pos, &is)); /* stays done */
}

/* What reading r->in gives, in the notation of struct row.want. */
static void
run(const struct row *r, struct buf *b)
{
    struct arena *a = arena_new(4096, 8u << 20);
    struct csv_in_spec spec = {
        COLS,
        NROWS(COLS),
        1u << 20,
        r->max_rows > 0 ? r->max_rows : 10,
        r->max_columns > 0 ? r->max_columns : 8,
        r->max_field_bytes > 0 ? r->max_field_bytes : 1024,
    };
    struct csv_in in;
    struct csv_record rec;
    enum app_err rc;

    assert_non_null(a);
    rc = csv_in_open(&in, a, r->in, &spec);
    if (rc != APP_OK) {
        assert_int_equal(
            buf_printf(b, "open:%s:%s:%zu", app_err_code(rc), in.code, in.line),
            APP_OK);
        arena_free(a);
        return;
    }
    assert_int_equal(csv_in_next(&in, &rec), APP_EINVAL); /* no header yet */
    rc = csv_in_header(&in);
    if (rc != APP_OK) {
        assert_int_equal(buf_printf(b, "header:%s:%s:%zu", app_err_code(rc),
                                    in.code != NULL ? in.code : "-", in.line),
                         APP_OK);
        arena_free(a);
        return;
    }
    assert_int_equal(buf_printf(b, "%s%s", textenc_name(in.text.enc),
                                in.text.bom ? "+bom" : ""),
                     APP_OK);
    put_issues(b, &in);
    assert_int_equal(buf_printf(b, " |"), APP_OK);
    while ((rc = csv_in_next(&in, &rec)) == APP_OK && rec.n > 0)
        put_line(b, &in, &rec);
    assert_int_equal(rc != APP_OK
                         ? buf_printf(b, " end:%s:%s:%zu", app_err_code(rc),
                                      in.code, in.line)
                         : buf_printf(b, " end"),
                     APP_OK);
    arena_free(a);
}

static void
test_rows(void **state)
{
    size_t i, bad = 0;

    (void)state;
    for (i = 0; i < NROWS(rows); i++) {
        struct buf b;

        buf_init(&b, NULL, 4096);
        run(&rows[i], &b);
        assert_int_equal(buf_putc(&b, '\0'), APP_OK);
        if (strcmp(b.p, rows[i].want) != 0) {
            print_error("%s: got \"%s\", want \"%s\"\n", rows[i].what, b.p,
                        rows[i].want);
            bad++;
        }
        buf_free(&b);
    }
    assert_int_equal(bad, 0);
}

/* Header mapping on its own: limits of the table and of the header. */
static void
test_map_limits(void **state)
{
    static struct csv_in_col many[CSV_IN_FIELDS_MAX + 1];
    struct str cells[CSV_IN_COLUMNS_MAX + 1];
    struct csv_in_header h;
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(cells); i++)
        cells[i] = (struct str){ "zz", 2 };
    assert_int_equal(csv_in_map(&h, many, NROWS(many), cells, 1, 1),
                     APP_EINVAL);
    assert_int_equal(
        csv_in_map(&h, COLS, NROWS(COLS), cells, CSV_IN_COLUMNS_MAX + 1, 1),
        APP_ETOOBIG);
    assert_int_equal(
        csv_in_map(&h, COLS, NROWS(COLS), cells, CSV_IN_COLUMNS_MAX, 7),
        APP_OK);
    assert_int_equal(h.n, CSV_IN_COLUMNS_MAX);
    assert_int_equal(h.line, 7);
    assert_int_equal(h.field_of[CSV_IN_COLUMNS_MAX - 1], -1);
    assert_int_equal(h.column_of[0], -1);
}

/* A spec over csv_in's own limits is refused before anything is read. */
static void
test_bad_spec(void **state)
{
    struct arena *a = arena_new(4096, 1u << 20);
    struct csv_in_spec spec = {
        COLS, NROWS(COLS), 1024, 10, CSV_IN_COLUMNS_MAX + 1, 1024
    };
    struct csv_in in;
    struct str s = S("sku,name\n");

    (void)state;
    assert_non_null(a);
    assert_int_equal(csv_in_open(&in, a, s, &spec), APP_EINVAL);
    assert_null(in.code);
    spec.max_columns = 0;
    assert_int_equal(csv_in_open(&in, a, s, &spec), APP_EINVAL);
    spec.max_columns = 8;
    spec.max_text = 4; /* shorter than the text */
    assert_int_equal(csv_in_open(&in, a, s, &spec), APP_ETOOBIG);
    assert_string_equal(in.code, "encoding.too_big");
    arena_free(a);
}

/* The quote an export puts before a formula-looking cell comes off; any
 * other leading quote stays. */
static void
test_unneutralise(void **state)
{
    static const struct {
        struct str in;
        struct str want;
    } t[] = {
        { S("'=1+1"), S("=1+1") }, { S("'-x"), S("-x") },
        { S("'-5"), S("'-5") },    { S("'abc"), S("'abc") },
        { S("'"), S("'") },        { S(""), S("") },
        { S("=1"), S("=1") },      { S("''=1"), S("''=1") },
    };
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(t); i++) {
        struct str got = csv_in_unneutralise(t[i].in);

        if (!str_eq(got, t[i].want))
            fail_msg("unneutralise row %zu: got \"%.*s\"", i, (int)got.len,
                     got.p);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_map_limits),
        cmocka_unit_test(test_bad_spec),
        cmocka_unit_test(test_unneutralise),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
