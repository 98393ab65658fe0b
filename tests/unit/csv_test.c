/*
 * csv_test.c -- table-driven tests of csv.c (STYLE §17): the reader's
 * syntax, line endings, blank lines, every error with its record, line,
 * column and field, every limit (small ones in the tables, the defaults at
 * their exact values), separator detection; the writer's quoting, every
 * formula prefix and the plain-number exception, the byte order mark, the
 * output limit; and write-then-read round trips.  Malformed rows first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* A step of setting up a test that must not fail. */
#define MUST_OK(expr) assert_int_equal((expr), APP_OK)

#include "base/arena.h"
#include "base/buf.h"
#include "base/csv.h"

#define S(x)                                                                   \
    {                                                                          \
        (x), sizeof(x) - 1                                                     \
    }
#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

static struct arena *
new_arena(void)
{
    struct arena *a = arena_new(4096, 64u << 20);

    assert_non_null(a);
    return a;
}

/* A copy of s in a heap block of exactly s.len bytes, so that ASan sees any
 * read past the end.  The caller frees .p. */
static struct str
exact_copy(struct str s)
{
    char *p = malloc(s.len > 0 ? s.len : 1);

    assert_non_null(p);
    if (s.len > 0)
        memcpy(p, s.p, s.len);
    return (struct str){ p, s.len };
}

/* Zero members of a row's limits mean the default. */
static struct csv_limits
row_limits(const struct csv_limits *l)
{
    struct csv_limits d = csv_limits_default();

    if (l->max_fields > 0)
        d.max_fields = l->max_fields;
    if (l->max_field_bytes > 0)
        d.max_field_bytes = l->max_field_bytes;
    if (l->max_records > 0)
        d.max_records = l->max_records;
    if (l->max_record_bytes > 0)
        d.max_record_bytes = l->max_record_bytes;
    return d;
}

/* Read all of in; the records read are dumped into *out as
 * "LINE:[f1][f2] LINE:[f1]" (the caller frees it with buf_free), checking
 * numbering, offsets and NUL termination on the way.  Returns the first
 * error, or APP_OK at the end. */
APP_MUST_USE static enum app_err
read_all(struct str in, char sep, const struct csv_limits *lim, struct buf *out,
         struct csv_error *err)
{
    struct arena *a = new_arena();
    struct csv_reader r;
    struct csv_record rec;
    enum app_err rc;
    size_t count = 0, f;

    buf_init(out, NULL, 16u << 20);
    MUST_OK(buf_append(out, "", 0));
    assert_int_equal(csv_reader_init(&r, a, in, sep, lim), APP_OK);
    for (;;) {
        rc = csv_next(&r, &rec);
        if (rc != APP_OK) {
            *err = r.err;
            /* Errors stick. */
            assert_int_equal(csv_next(&r, &rec), rc);
            assert_int_equal(rec.n, 0);
            break;
        }
        if (rec.n == 0)
            break;
        count++;
        assert_int_equal(rec.number, count);
        assert_true(rec.offset < in.len);
        if (count > 1)
            MUST_OK(buf_putc(out, ' '));
        MUST_OK(buf_printf(out, "%zu:", rec.line));
        for (f = 0; f < rec.n; f++) {
            assert_int_equal(rec.fields[f].p[rec.fields[f].len], '\0');
            MUST_OK(buf_putc(out, '['));
            MUST_OK(buf_put_str(out, rec.fields[f]));
            MUST_OK(buf_putc(out, ']'));
        }
    }
    arena_free(a);
    return rc;
}

struct read_row {
    const char *what;
    struct str in;
    char sep;
    struct csv_limits lim; /* zero members: defaults */
    enum app_err rc;
    const char *want; /* records read (before the error, if any) */
    /* on error: */
    const char *code;
    size_t record, line, column, field, record_line;
};

#define LIM0                                                                   \
    {                                                                          \
        0, 0, 0, 0                                                             \
    }
#define LIM_FIELDS(n)                                                          \
    {                                                                          \
        n, 0, 0, 0                                                             \
    }
#define LIM_FIELD(n)                                                           \
    {                                                                          \
        0, n, 0, 0                                                             \
    }
#define LIM_RECORDS(n)                                                         \
    {                                                                          \
        0, 0, n, 0                                                             \
    }
#define LIM_RECORD(n)                                                          \
    {                                                                          \
        0, 0, 0, n                                                             \
    }
#define OK(what, in, sep, want)                                                \
    {                                                                          \
        what, S(in), sep, LIM0, APP_OK, want, NULL, 0, 0, 0, 0, 0              \
    }

static const struct read_row read_rows[] = {
    /* unterminated quote: position is the opening quote */
    { "unterminated", S("a,\"bc"), ',', LIM0, APP_EINVAL, "",
      "csv.unterminated_quote", 1, 1, 3, 2, 1 },
    { "unterminated on record 2", S("x\n\"a\nb"), ',', LIM0, APP_EINVAL,
      "1:[x]", "csv.unterminated_quote", 2, 2, 1, 1, 2 },
    { "unterminated after a multi-line field", S("\"a\nb\",c\r\n\"d"), ',',
      LIM0, APP_EINVAL, "1:[a\nb][c]", "csv.unterminated_quote", 2, 3, 1, 1,
      3 },
    { "unterminated: only a quote", S("\""), ',', LIM0, APP_EINVAL, "",
      "csv.unterminated_quote", 1, 1, 1, 1, 1 },
    { "unterminated: escaped quote at the end", S("\"a\"\""), ',', LIM0,
      APP_EINVAL, "", "csv.unterminated_quote", 1, 1, 1, 1, 1 },
    /* a quote inside an unquoted field */
    { "bad quote", S("ab\"c"), ',', LIM0, APP_EINVAL, "", "csv.bad_quote", 1, 1,
      3, 1, 1 },
    { "bad quote at the end", S("ab\""), ',', LIM0, APP_EINVAL, "",
      "csv.bad_quote", 1, 1, 3, 1, 1 },
    { "bad quote, record 2 field 2", S("a,b\r\nc,d\"e\r\n"), ',', LIM0,
      APP_EINVAL, "1:[a][b]", "csv.bad_quote", 2, 2, 4, 2, 2 },
    { "bad quote: column in characters",
      S("\xE5\xAE\xA2\xE6\x88\xB7,\xE5\x90\x8D\"x"), ',', LIM0, APP_EINVAL, "",
      "csv.bad_quote", 1, 1, 5, 2, 1 },
    { "bad quote after a space", S("a, \"b\""), ',', LIM0, APP_EINVAL, "",
      "csv.bad_quote", 1, 1, 4, 2, 1 },
    /* text after the closing quote: position is that text */
    { "text after quote", S("\"a\"b"), ',', LIM0, APP_EINVAL, "",
      "csv.text_after_quote", 1, 1, 4, 1, 1 },
    { "space after quote", S("\"a\" ,b"), ',', LIM0, APP_EINVAL, "",
      "csv.text_after_quote", 1, 1, 4, 1, 1 },
    { "text after quote on the field's 2nd line", S("x\n\"a\r\nb\"x"), ',',
      LIM0, APP_EINVAL, "1:[x]", "csv.text_after_quote", 2, 3, 3, 1, 2 },
    { "other separator after quote", S("\"a\",b"), ';', LIM0, APP_EINVAL, "",
      "csv.text_after_quote", 1, 1, 4, 1, 1 },
    /* max_fields */
    { "fields one past", S("a,b,c,d"), ',', LIM_FIELDS(3), APP_ETOOBIG, "",
      "csv.too_many_fields", 1, 1, 7, 4, 1 },
    { "fields one past by a trailing separator", S("a,b\nc,d,"), ',',
      LIM_FIELDS(2), APP_ETOOBIG, "1:[a][b]", "csv.too_many_fields", 2, 2, 5, 3,
      2 },
    { "fields at limit", S("a,b,c"), ',', LIM_FIELDS(3), APP_OK, "1:[a][b][c]",
      NULL, 0, 0, 0, 0, 0 },
    { "one field allowed", S("a\nb"), ',', LIM_FIELDS(1), APP_OK, "1:[a] 2:[b]",
      NULL, 0, 0, 0, 0, 0 },
    /* max_field_bytes (after unquoting): position is the field's start */
    { "field one past", S("abc,abcd"), ',', LIM_FIELD(3), APP_ETOOBIG, "",
      "csv.field_too_large", 1, 1, 5, 2, 1 },
    { "field at limit", S("abc,abc"), ',', LIM_FIELD(3), APP_OK, "1:[abc][abc]",
      NULL, 0, 0, 0, 0, 0 },
    { "quoted field one past", S("\"ab\"\"c\""), ',', LIM_FIELD(3), APP_ETOOBIG,
      "", "csv.field_too_large", 1, 1, 1, 1, 1 },
    { "quoted field at limit", S("\"a\"\"b\""), ',', LIM_FIELD(3), APP_OK,
      "1:[a\"b]", NULL, 0, 0, 0, 0, 0 },
    { "quoted CRLF counts two", S("\"a\r\nb\""), ',', LIM_FIELD(3), APP_ETOOBIG,
      "", "csv.field_too_large", 1, 1, 1, 1, 1 },
    { "quoted CRLF at limit", S("\"a\r\n\""), ',', LIM_FIELD(3), APP_OK,
      "1:[a\r\n]", NULL, 0, 0, 0, 0, 0 },
    { "multibyte field one past", S("\xE5\xAE\xA2x"), ',', LIM_FIELD(3),
      APP_ETOOBIG, "", "csv.field_too_large", 1, 1, 1, 1, 1 },
    /* max_record_bytes (raw, line break excluded): position is the
     * record's start, field 0 */
    { "record one past", S("x\nab,cde"), ',', LIM_RECORD(5), APP_ETOOBIG,
      "1:[x]", "csv.record_too_large", 2, 2, 1, 0, 2 },
    { "record at limit", S("ab,cd\r\nx"), ',', LIM_RECORD(5), APP_OK,
      "1:[ab][cd] 2:[x]", NULL, 0, 0, 0, 0, 0 },
    { "record one past by a separator", S("ab,cd,"), ',', LIM_RECORD(5),
      APP_ETOOBIG, "", "csv.record_too_large", 1, 1, 1, 0, 1 },
    { "record at limit with empty last field", S("ab,c,"), ',', LIM_RECORD(5),
      APP_OK, "1:[ab][c][]", NULL, 0, 0, 0, 0, 0 },
    { "quoted record at limit", S("\"a,b\""), ',', LIM_RECORD(5), APP_OK,
      "1:[a,b]", NULL, 0, 0, 0, 0, 0 },
    { "quoted record one past", S("\"a,bc\""), ',', LIM_RECORD(5), APP_ETOOBIG,
      "", "csv.record_too_large", 1, 1, 1, 0, 1 },
    { "record one past at the closing quote", S("\"abc\"\"\""), ',',
      LIM_RECORD(6), APP_ETOOBIG, "", "csv.record_too_large", 1, 1, 1, 0, 1 },
    { "record one past inside an escaped quote", S("\"ab\"\"\""), ',',
      LIM_RECORD(4), APP_ETOOBIG, "", "csv.record_too_large", 1, 1, 1, 1, 1 },
    { "record at limit with an escaped quote", S("\"ab\"\"\""), ',',
      LIM_RECORD(6), APP_OK, "1:[ab\"]", NULL, 0, 0, 0, 0, 0 },
    { "record one past at the end: unterminated too", S("\"abcde"), ',',
      LIM_RECORD(5), APP_ETOOBIG, "", "csv.record_too_large", 1, 1, 1, 1, 1 },
    { "unterminated within the record limit", S("\"abcd"), ',', LIM_RECORD(5),
      APP_EINVAL, "", "csv.unterminated_quote", 1, 1, 1, 1, 1 },
    { "record one past: unterminated too", S("\"abcdef"), ',', LIM_RECORD(5),
      APP_ETOOBIG, "", "csv.record_too_large", 1, 1, 1, 1, 1 },
    { "record one past in a quoted field", S("x\nab,\"cdefgh"), ',',
      LIM_RECORD(6), APP_ETOOBIG, "1:[x]", "csv.record_too_large", 2, 2, 4, 2,
      2 },
    { "quoted field ends exactly at the limit", S("ab,\"cd\"\nx"), ',',
      LIM_RECORD(7), APP_OK, "1:[ab][cd] 2:[x]", NULL, 0, 0, 0, 0, 0 },
    { "multi-line record one past", S("\"a\nb\",\"c\nd\""), ',', LIM_RECORD(10),
      APP_ETOOBIG, "", "csv.record_too_large", 1, 1, 1, 0, 1 },
    { "multi-line record at limit", S("\"a\nb\",\"c\nd\"\n"), ',',
      LIM_RECORD(11), APP_OK, "1:[a\nb][c\nd]", NULL, 0, 0, 0, 0, 0 },
    /* max_records: blank lines are not records */
    { "records one past", S("a\nb\nc"), ',', LIM_RECORDS(2), APP_ETOOBIG,
      "1:[a] 2:[b]", "csv.too_many_records", 3, 3, 1, 0, 3 },
    { "records at limit, blank lines around", S("\na\n\nb\n\n\r\n"), ',',
      LIM_RECORDS(2), APP_OK, "2:[a] 4:[b]", NULL, 0, 0, 0, 0, 0 },
    { "numbers skip blank lines", S("\n\na\n\n\"b"), ',', LIM0, APP_EINVAL,
      "3:[a]", "csv.unterminated_quote", 2, 5, 1, 1, 5 },
    /* well-formed */
    OK("empty", "", ',', ""),
    OK("only blank lines", "\r\n\n\r\r", ',', ""),
    OK("simple", "a,b,c", ',', "1:[a][b][c]"),
    OK("LF, CRLF, CR", "a\nb\r\nc\rd", ',', "1:[a] 2:[b] 3:[c] 4:[d]"),
    OK("blank lines between", "\r\n\r\na,b\r\n\r\n\r\nc\r\n", ',',
       "3:[a][b] 6:[c]"),
    OK("CR CR LF is a blank line", "a\r\r\nb", ',', "1:[a] 3:[b]"),
    OK("no final line break", "a,b\nc,d", ',', "1:[a][b] 2:[c][d]"),
    OK("final CR", "a\r", ',', "1:[a]"),
    OK("empty fields", ",,", ',', "1:[][][]"),
    OK("trailing separator", "a,\n,b", ',', "1:[a][] 2:[][b]"),
    OK("separators only is a record", ",\n", ',', "1:[][]"),
    OK("spaces are a record", "a\n \nb", ',', "1:[a] 2:[ ] 3:[b]"),
    OK("spaces kept", " a , b ", ',', "1:[ a ][ b ]"),
    OK("quoted separator", "\"a,b\",c", ',', "1:[a,b][c]"),
    OK("quoted LF", "\"a\nb\",c\nd", ',', "1:[a\nb][c] 3:[d]"),
    OK("quoted CRLF", "\"a\r\nb\"\r\nc", ',', "1:[a\r\nb] 3:[c]"),
    OK("quoted CR", "\"a\rb\"\rc", ',', "1:[a\rb] 3:[c]"),
    OK("quoted blank lines", "\"\n\n\"\nx", ',', "1:[\n\n] 4:[x]"),
    OK("escaped quote", "\"a\"\"b\"", ',', "1:[a\"b]"),
    OK("only an escaped quote", "\"\"\"\"", ',', "1:[\"]"),
    OK("empty quoted field is a record", "\"\"\n\"\"", ',', "1:[] 2:[]"),
    OK("two empty quoted", "\"\",\"\"", ',', "1:[][]"),
    OK("quoted then unquoted", "\"a\",b,\"c\"", ',', "1:[a][b][c]"),
    OK("CJK", "\xE5\xAE\xA2\xE6\x88\xB7,x", ',',
       "1:[\xE5\xAE\xA2\xE6\x88\xB7][x]"),
    OK("BOM skipped",
       "\xEF\xBB\xBF"
       "a,b",
       ',', "1:[a][b]"),
    OK("BOM only", "\xEF\xBB\xBF", ',', ""),
    OK("BOM, blank line", "\xEF\xBB\xBF\r\na", ',', "2:[a]"),
    OK("BOM before a quote", "\xEF\xBB\xBF\"a\"", ',', "1:[a]"),
    OK("semicolon", "a;b,c", ';', "1:[a][b,c]"),
    OK("semicolon quoted", "\"a;b\";c", ';', "1:[a;b][c]"),
    OK("tab", "a\tb,c\t\"d\te\"", '\t', "1:[a][b,c][d\te]"),
    OK("detected semicolon", "a;b;c\n1;2,5;3", 0, "1:[a][b][c] 2:[1][2,5][3]"),
    OK("detected tab", "a\tb\n1\t2", 0, "1:[a][b] 2:[1][2]"),
};

static void
test_read(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(read_rows); i++) {
        const struct read_row *r = &read_rows[i];
        struct str in = exact_copy(r->in);
        struct csv_limits lim = row_limits(&r->lim);
        struct csv_error err;
        struct buf got;
        enum app_err rc;

        memset(&err, 0, sizeof(err));
        rc = read_all(in, r->sep, &lim, &got, &err);
        if (rc != r->rc)
            fail_msg("%s: rc %d (%s), want %d", r->what, rc, err.msg, r->rc);
        if (got.len != strlen(r->want) || memcmp(got.p, r->want, got.len) != 0)
            fail_msg("%s: got <%s>, want <%s>", r->what, got.p, r->want);
        if (rc != APP_OK) {
            if (err.rc != rc || err.code == NULL ||
                strcmp(err.code, r->code) != 0)
                fail_msg("%s: code %s, want %s", r->what,
                         err.code ? err.code : "(null)", r->code);
            if (err.record != r->record || err.line != r->line ||
                err.column != r->column || err.field != r->field ||
                err.record_line != r->record_line)
                fail_msg("%s: record %zu line %zu column %zu field %zu "
                         "record_line %zu, want %zu %zu %zu %zu %zu",
                         r->what, err.record, err.line, err.column, err.field,
                         err.record_line, r->record, r->line, r->column,
                         r->field, r->record_line);
            if (err.offset > in.len)
                fail_msg("%s: offset %zu", r->what, err.offset);
        }
        buf_free(&got);
        free((void *)in.p);
    }
}

/* The English messages name the place and the limit. */
static void
test_messages(void **state)
{
    struct csv_limits lim = csv_limits_default();
    struct csv_error err;
    struct buf got;

    (void)state;
    assert_int_equal(read_all(STR_LIT("a\n\"b\nc"), ',', NULL, &got, &err),
                     APP_EINVAL);
    assert_string_equal(err.msg, "Record 2 (line 2, column 1, field 1): a "
                                 "quoted field starts here but its closing "
                                 "quote is missing");
    buf_free(&got);
    lim.max_fields = 2;
    assert_int_equal(read_all(STR_LIT("a,b,c"), ',', &lim, &got, &err),
                     APP_ETOOBIG);
    assert_string_equal(err.msg, "Record 1 (line 1, column 5, field 3): more "
                                 "fields than allowed (at most 2)");
    buf_free(&got);
    lim = csv_limits_default();
    lim.max_record_bytes = 8;
    assert_int_equal(read_all(STR_LIT("a,\"bcdefghij"), ',', &lim, &got, &err),
                     APP_ETOOBIG);
    assert_string_equal(err.msg, "Record 1 (line 1, column 3, field 2): a "
                                 "record longer than allowed (at most 8); the "
                                 "quoted field starting here may lack its "
                                 "closing quote");
    buf_free(&got);
    lim = csv_limits_default();
    lim.max_records = 1;
    assert_int_equal(read_all(STR_LIT("a\nb"), ',', &lim, &got, &err),
                     APP_ETOOBIG);
    assert_string_equal(err.msg, "Record 2 (line 2, column 1): more records "
                                 "than allowed (at most 1)");
    buf_free(&got);
}

/* The default limits at their exact values and one past. */
static void
test_default_limits(void **state)
{
    struct csv_limits d = csv_limits_default();
    struct csv_error err;
    struct buf in, got;
    size_t i;

    (void)state;
    assert_int_equal(d.max_fields, 256);
    assert_int_equal(d.max_field_bytes, 65536);
    assert_int_equal(d.max_records, 200000);
    assert_int_equal(d.max_record_bytes, 1048576);

    /* 256 fields, then 257 */
    buf_init(&in, NULL, 64u << 20);
    MUST_OK(buf_putc(&in, 'x'));
    for (i = 1; i < 256; i++)
        MUST_OK(buf_puts(&in, ",x"));
    assert_int_equal(read_all(buf_str(&in), ',', NULL, &got, &err), APP_OK);
    assert_int_equal(got.len, 2 + 256 * 3);
    buf_free(&got);
    MUST_OK(buf_puts(&in, ",x"));
    assert_int_equal(read_all(buf_str(&in), ',', NULL, &got, &err),
                     APP_ETOOBIG);
    assert_string_equal(err.code, "csv.too_many_fields");
    assert_int_equal(err.field, 257);
    buf_free(&got);

    /* a field of 65536 bytes, then 65537 */
    buf_clear(&in);
    for (i = 0; i < 65536; i++)
        MUST_OK(buf_putc(&in, 'y'));
    assert_int_equal(read_all(buf_str(&in), ',', NULL, &got, &err), APP_OK);
    buf_free(&got);
    MUST_OK(buf_putc(&in, 'y'));
    assert_int_equal(read_all(buf_str(&in), ',', NULL, &got, &err),
                     APP_ETOOBIG);
    assert_string_equal(err.code, "csv.field_too_large");
    buf_free(&got);

    /* a record of 1 MiB: 15 fields of 65535 bytes, one of 65536 and 15
     * separators; then one more separator */
    buf_clear(&in);
    for (i = 0; i < 16; i++) {
        size_t k, n = i < 15 ? 65535 : 65536;

        if (i > 0)
            MUST_OK(buf_putc(&in, ','));
        for (k = 0; k < n; k++)
            MUST_OK(buf_putc(&in, 'z'));
    }
    assert_int_equal(in.len, 1048576);
    MUST_OK(buf_puts(&in, "\r\n"));
    assert_int_equal(read_all(buf_str(&in), ',', NULL, &got, &err), APP_OK);
    buf_free(&got);
    in.len -= 2;
    MUST_OK(buf_puts(&in, ",\r\n"));
    assert_int_equal(read_all(buf_str(&in), ',', NULL, &got, &err),
                     APP_ETOOBIG);
    assert_string_equal(err.code, "csv.record_too_large");
    buf_free(&got);

    /* 200000 records, then 200001 */
    buf_clear(&in);
    for (i = 0; i < 200000; i++)
        MUST_OK(buf_puts(&in, "1\n"));
    assert_int_equal(read_all(buf_str(&in), ',', NULL, &got, &err), APP_OK);
    assert_int_equal(got.len, strlen("200000:[1]") + (strlen("1:[1] ") * 9) +
                                  (strlen("10:[1] ") * 90) +
                                  (strlen("100:[1] ") * 900) +
                                  (strlen("1000:[1] ") * 9000) +
                                  (strlen("10000:[1] ") * 90000) +
                                  (strlen("100000:[1] ") * 100000));
    buf_free(&got);
    MUST_OK(buf_puts(&in, "\n\n1"));
    assert_int_equal(read_all(buf_str(&in), ',', NULL, &got, &err),
                     APP_ETOOBIG);
    assert_string_equal(err.code, "csv.too_many_records");
    assert_int_equal(err.record, 200001);
    assert_int_equal(err.line, 200003);
    buf_free(&got);
    buf_free(&in);
}

struct sep_row {
    struct str in;
    char want;
};

static const struct sep_row sep_rows[] = {
    { S(""), ',' },
    { S("name"), ',' },
    { S("a,b"), ',' },
    { S("a;b"), ';' },
    { S("a\tb"), '\t' },
    { S("a;b;c,d"), ';' },
    { S("a,b;c"), ',' },            /* tie: comma */
    { S("a;b\tc"), ';' },           /* tie: semicolon before tab */
    { S("\"a;b;c\",d"), ',' },      /* inside quotes does not count */
    { S("\"a\"\"\";b"), ';' },      /* escaped quote keeps the state */
    { S("a;b\nc,d,e,f"), ';' },     /* only the first line */
    { S("\r\n\na;b\nc,d,e"), ';' }, /* blank lines skipped */
    { S("\"x\ny,z,w\";a;b"), ';' }, /* quoted line break */
    { S("\xEF\xBB\xBF"
        "a\tb"),
      '\t' },
};

static void
test_detect_sep(void **state)
{
    struct arena *a = new_arena();
    struct csv_reader r;
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(sep_rows); i++) {
        char got = csv_detect_sep(sep_rows[i].in);

        if (got != sep_rows[i].want)
            fail_msg("row %zu: got %d, want %d", i, got, sep_rows[i].want);
        assert_int_equal(csv_reader_init(&r, a, sep_rows[i].in, 0, NULL),
                         APP_OK);
        assert_int_equal(csv_reader_sep(&r), sep_rows[i].want);
    }
    assert_int_equal(csv_detect_sep(STR_NULL), ',');
    assert_int_equal(csv_reader_init(&r, a, STR_LIT("a"), '|', NULL),
                     APP_EINVAL);
    assert_int_equal(csv_reader_init(&r, a, STR_LIT("a"), '"', NULL),
                     APP_EINVAL);
    assert_int_equal(csv_reader_init(&r, a, STR_LIT("a"), '\n', NULL),
                     APP_EINVAL);
    assert_int_equal(csv_reader_init(&r, a, STR_LIT("a"), ';', NULL), APP_OK);
    assert_int_equal(csv_reader_sep(&r), ';');
    arena_free(a);
}

/* Records come from the arena given; a reset between records is fine.  A
 * NUL byte is data (textenc_decode() refuses it earlier). */
static void
test_arena_per_record(void **state)
{
    struct arena *rec_arena = new_arena();
    struct csv_reader r;
    struct csv_record rec;
    size_t n = 0;

    (void)state;
    assert_int_equal(csv_reader_init(&r, rec_arena,
                                     STR_LIT("a,b\nc,\"d\"\"\"\n"), ',', NULL),
                     APP_OK);
    for (;;) {
        assert_int_equal(csv_next(&r, &rec), APP_OK);
        if (rec.n == 0)
            break;
        n++;
        assert_int_equal(rec.n, 2);
        assert_true(arena_used(rec_arena) > 0);
        arena_reset(rec_arena);
    }
    assert_int_equal(n, 2);

    assert_int_equal(
        csv_reader_init(&r, rec_arena, STR_LIT("a\0b,c"), ',', NULL), APP_OK);
    assert_int_equal(csv_next(&r, &rec), APP_OK);
    assert_int_equal(rec.n, 2);
    assert_int_equal(rec.fields[0].len, 3);
    assert_memory_equal(rec.fields[0].p, "a\0b", 4);
    assert_string_equal(rec.fields[1].p, "c");
    arena_free(rec_arena);
}

static void
test_alloc_failures(void **state)
{
    struct arena *a = new_arena();
    static const char in[] = "a,\"b\"\"\"\nc,d\n";
    struct csv_reader r;
    struct csv_record rec;
    unsigned n;
    int failures = 0;

    (void)state;
    for (n = 1; n < 100; n++) {
        enum app_err rc;
        size_t records = 0;

        arena_reset(a);
        assert_int_equal(csv_reader_init(&r, a, STR_LIT(in), ',', NULL),
                         APP_OK);
        arena_fail_after(a, n);
        for (;;) {
            rc = csv_next(&r, &rec);
            if (rc != APP_OK || rec.n == 0)
                break;
            records++;
        }
        arena_fail_after(a, 0);
        if (rc == APP_OK) {
            assert_int_equal(records, 2);
            break;
        }
        assert_int_equal(rc, APP_ENOMEM);
        assert_string_equal(r.err.code, "csv.no_memory");
        assert_int_equal(r.err.record, records + 1);
        assert_int_equal(rec.n, 0);
        assert_null(rec.fields);
        failures++;
    }
    /* Two allocations per record, two records. */
    assert_int_equal(failures, 4);
    arena_free(a);
}

/* --- writer --------------------------------------------------------------
 */

struct cell_row {
    const char *cell;
    bool number;
    bool neutralise;
};

static const struct cell_row cell_rows[] = {
    /* every formula prefix */
    { "=1+1", false, true },
    { "=", false, true },
    { "+A1", false, true },
    { "+", false, true },
    { "-A1", false, true },
    { "-", false, true },
    { "@SUM(A1:A2)", false, true },
    { "@", false, true },
    { "\tx", false, true },
    { "\r=1", false, true },
    { "=5", false, true },
    { "=cmd|' /C calc'!A0", false, true },
    { "-2+3+cmd|' /C calc'!A0", false, true },
    /* signs that are not plain numbers */
    { "--5", false, true },
    { "+-5", false, true },
    { "-.", false, true },
    { "-5e3", false, true },
    { "- 5", false, true },
    { "-5 ", false, true },
    { "-1,234", false, true },
    { "-5.5.5", false, true },
    { "+0x10", false, true },
    { "-5%", false, true },
    /* plain numbers: never neutralised */
    { "-5", true, false },
    { "+3.25", true, false },
    { "-0.5", true, false },
    { "-.5", true, false },
    { "+7.", true, false },
    { "-007", true, false },
    { "5", true, false },
    { "3.25", true, false },
    { ".5", true, false },
    /* no prefix */
    { "", false, false },
    { ".", false, false },
    { "a=1", false, false },
    { " =1", false, false },
    { "'=1", false, false },
    { "\n=1", false, false },
    { "5e3", false, false },
    { "\xEF\xBC\x9D"
      "1",
      false, false },
};

static void
test_neutralise(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(cell_rows); i++) {
        const struct cell_row *r = &cell_rows[i];
        struct str c = str_c(r->cell);

        if (csv_is_plain_number(c) != r->number)
            fail_msg("<%s>: number %d", r->cell, !r->number);
        if (csv_needs_neutralise(c) != r->neutralise)
            fail_msg("<%s>: neutralise %d", r->cell, !r->neutralise);
    }
}

#define MAXCELLS 4

struct write_row {
    const char *what;
    const char *cells[MAXCELLS + 1]; /* NULL-terminated */
    char sep;
    const char *want;
};

static const struct write_row write_rows[] = {
    { "plain", { "a", "b", NULL }, ',', "a,b\r\n" },
    { "separator quoted", { "a,b", "c", NULL }, ',', "\"a,b\",c\r\n" },
    { "other separators not quoted",
      { "a;b", "c\td", NULL },
      ',',
      "a;b,c\td\r\n" },
    { "semicolon", { "a,b", "c;d", NULL }, ';', "a,b;\"c;d\"\r\n" },
    { "tab", { "a\tb", "c", NULL }, '\t', "\"a\tb\"\tc\r\n" },
    { "quote", { "a\"b", NULL }, ',', "\"a\"\"b\"\r\n" },
    { "only a quote", { "\"", NULL }, ',', "\"\"\"\"\r\n" },
    { "quotes at the ends", { "\"a\"", NULL }, ',', "\"\"\"a\"\"\"\r\n" },
    { "CR", { "a\rb", NULL }, ',', "\"a\rb\"\r\n" },
    { "LF", { "a\nb", NULL }, ',', "\"a\nb\"\r\n" },
    { "CRLF", { "a\r\nb", "c", NULL }, ',', "\"a\r\nb\",c\r\n" },
    { "one empty field", { "", NULL }, ',', "\"\"\r\n" },
    { "no fields", { NULL }, ',', "\"\"\r\n" },
    { "two empty fields", { "", "", NULL }, ',', ",\r\n" },
    { "empty then value", { "", "a", NULL }, ',', ",a\r\n" },
    { "spaces kept", { " a ", NULL }, ',', " a \r\n" },
    { "CJK",
      { "\xE5\xAE\xA2\xE6\x88\xB7", NULL },
      ',',
      "\xE5\xAE\xA2\xE6\x88\xB7\r\n" },
    { "first field with BOM",
      { "\xEF\xBB\xBFx", "\xEF\xBB\xBFy", NULL },
      ',',
      "\"\xEF\xBB\xBFx\",\xEF\xBB\xBFy\r\n" },
    /* formulas */
    { "=", { "=1+1", NULL }, ',', "'=1+1\r\n" },
    { "+", { "+A1", NULL }, ',', "'+A1\r\n" },
    { "-", { "-A1", NULL }, ',', "'-A1\r\n" },
    { "@", { "@SUM(A1)", NULL }, ',', "'@SUM(A1)\r\n" },
    { "TAB", { "\tx", NULL }, ',', "'\tx\r\n" },
    { "TAB with tab separator", { "\tx", NULL }, '\t', "\"'\tx\"\r\n" },
    { "CR", { "\r=1", NULL }, ',', "\"'\r=1\"\r\n" },
    { "formula in 2nd field", { "a", "=1", NULL }, ',', "a,'=1\r\n" },
    { "formula with quotes and separator",
      { "=HYPERLINK(\"http://x\",\"y\")", NULL },
      ',',
      "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n" },
    { "DDE", { "=cmd|' /C calc'!A0", NULL }, ',', "'=cmd|' /C calc'!A0\r\n" },
    { "not a number", { "-1,234", NULL }, ',', "\"'-1,234\"\r\n" },
    /* plain numbers */
    { "numbers",
      { "-5", "+3.25", "-.5", "0", NULL },
      ',',
      "-5,+3.25,-.5,0\r\n" },
    { "number with semicolon separator", { "-1,5", NULL }, ';', "'-1,5\r\n" },
};

static void
test_write(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(write_rows); i++) {
        const struct write_row *r = &write_rows[i];
        struct csv_writer w;
        struct buf b;
        size_t k;

        buf_init(&b, NULL, 4096);
        csv_writer_init(&w, &b, r->sep);
        for (k = 0; r->cells[k] != NULL; k++)
            assert_int_equal(csv_write_field(&w, str_c(r->cells[k])), APP_OK);
        assert_int_equal(csv_end_record(&w), APP_OK);
        if (b.len != strlen(r->want) || memcmp(b.p, r->want, b.len) != 0)
            fail_msg("%s: got <%s>, want <%s>", r->what, b.p, r->want);
        buf_free(&b);
    }
}

static void
test_write_bom_and_records(void **state)
{
    struct csv_writer w;
    struct buf b;
    const struct str rec1[] = { STR_LIT("id"), STR_LIT("name") };
    const struct str rec2[] = { STR_LIT("1"), STR_LIT("=x") };
    static const char want[] = "\xEF\xBB\xBF"
                               "id,name\r\n1,'=x\r\n\"\"\r\n"
                               "\xEF\xBB\xBF"
                               "z\r\n";

    (void)state;
    buf_init(&b, NULL, 4096);
    csv_writer_init(&w, &b, ',');
    assert_int_equal(csv_write_bom(&w), APP_OK);
    assert_int_equal(csv_write_bom(&w), APP_EINVAL);
    assert_int_equal(csv_write_record(&w, rec1, 2), APP_OK);
    assert_int_equal(csv_write_bom(&w), APP_EINVAL);
    assert_int_equal(csv_write_record(&w, rec2, 2), APP_OK);
    assert_int_equal(csv_write_record(&w, NULL, 0), APP_OK);
    /* Not the first field of the output: no quotes needed. */
    assert_int_equal(csv_write_field(&w, STR_LIT("\xEF\xBB\xBFz")), APP_OK);
    assert_int_equal(csv_end_record(&w), APP_OK);
    assert_int_equal(b.len, sizeof(want) - 1);
    assert_memory_equal(b.p, want, b.len);
    buf_free(&b);

    /* Without a BOM the output starts with the first field; NULL cells are
     * empty. */
    buf_init(&b, NULL, 4096);
    csv_writer_init(&w, &b, 'x');
    assert_int_equal(csv_write_field(&w, STR_NULL), APP_OK);
    assert_int_equal(csv_write_field(&w, STR_LIT("a")), APP_OK);
    assert_int_equal(csv_end_record(&w), APP_OK);
    assert_string_equal(b.p, ",a\r\n");
    buf_free(&b);
}

/* A write past the buf's maximum fails and leaves the buf as it was. */
static void
test_write_limit(void **state)
{
    struct csv_writer w;
    struct buf b;
    size_t max;

    (void)state;
    for (max = 0; max < 16; max++) {
        buf_init(&b, NULL, max);
        csv_writer_init(&w, &b, ',');
        if (max >= 2) {
            assert_int_equal(csv_write_field(&w, STR_LIT("ab")), APP_OK);
        } else {
            assert_int_equal(csv_write_field(&w, STR_LIT("ab")), APP_ETOOBIG);
            assert_int_equal(b.len, 0);
            buf_free(&b);
            continue;
        }
        /* ,"'=a""b" is 9 more bytes */
        if (max >= 11) {
            assert_int_equal(csv_write_field(&w, STR_LIT("=a\"b")), APP_OK);
            assert_string_equal(b.p, "ab,\"'=a\"\"b\"");
        } else {
            assert_int_equal(csv_write_field(&w, STR_LIT("=a\"b")),
                             APP_ETOOBIG);
            assert_int_equal(b.len, 2);
            assert_string_equal(b.p, "ab");
            assert_int_equal(w.nfields, 1);
        }
        /* CRLF: 13 bytes in all, or 4 when the second field failed */
        if (max >= 13 || (max < 11 && max >= 4)) {
            assert_int_equal(csv_end_record(&w), APP_OK);
            assert_int_equal(b.len, max >= 11 ? 13 : 4);
        } else {
            assert_int_equal(csv_end_record(&w), APP_ETOOBIG);
            assert_int_equal(b.len, max >= 11 ? 11 : 2);
        }
        buf_free(&b);
    }
    /* "" plus CRLF is all or nothing */
    buf_init(&b, NULL, 3);
    csv_writer_init(&w, &b, ',');
    assert_int_equal(csv_end_record(&w), APP_ETOOBIG);
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

/* The cells of the round trip; "a\0b" is the one with a NUL. */
static const char *const rt_cells[] = {
    "",        "a",    "a,b",  "a;b",          "a\tb",         "\"",
    "\"\"",    "a\"b", "\r",   "\n",           "\r\n",         "x\r\ny",
    "=1+1",    "-5",   "-A1",  "+3.25",        "@x",           "\t=1",
    "\r=1",    " ",    "'",    "\xEF\xBB\xBF", "\xE5\xAE\xA2", "a\0b",
    "\"a,b\"", ",",    "\n\n", "=\"x\"",
};

#define RT_NUL 23 /* the index of "a\0b" */

static struct str
rt_cell(size_t i)
{
    size_t k = i % NROWS(rt_cells);

    return (struct str){ rt_cells[k], k == RT_NUL ? 3 : strlen(rt_cells[k]) };
}

/* Whatever is written reads back as the same fields, with a ' before the
 * neutralised ones. */
static void
test_round_trip(void **state)
{
    static const char seps[] = { ',', ';', '\t' };
    const size_t nc = NROWS(rt_cells);
    size_t s, i;

    (void)state;
    assert_memory_equal(rt_cells[RT_NUL], "a\0b", 4);
    for (s = 0; s < sizeof(seps); s++) {
        for (int bom = 0; bom < 2; bom++) {
            struct arena *a = new_arena();
            struct csv_writer w;
            struct csv_reader r;
            struct csv_record rec;
            struct buf b;
            size_t nrec = 0;

            buf_init(&b, NULL, 1u << 20);
            csv_writer_init(&w, &b, seps[s]);
            if (bom)
                assert_int_equal(csv_write_bom(&w), APP_OK);
            /* Record i: cell i alone, then cells i and i+1, i+2. */
            for (i = 0; i < nc; i++) {
                struct str one[1], three[3];

                one[0] = rt_cell(i);
                three[0] = one[0];
                three[1] = rt_cell(i + 1);
                three[2] = rt_cell(i + 2);
                assert_int_equal(csv_write_record(&w, one, 1), APP_OK);
                assert_int_equal(csv_write_record(&w, three, 3), APP_OK);
            }
            assert_int_equal(csv_reader_init(&r, a, buf_str(&b), seps[s], NULL),
                             APP_OK);
            for (;;) {
                size_t base, k;

                assert_int_equal(csv_next(&r, &rec), APP_OK);
                if (rec.n == 0)
                    break;
                base = nrec / 2;
                assert_int_equal(rec.n, nrec % 2 == 0 ? 1 : 3);
                for (k = 0; k < rec.n; k++) {
                    struct str want = rt_cell(base + k);
                    struct str got = rec.fields[k];

                    if (csv_needs_neutralise(want)) {
                        assert_true(got.len == want.len + 1);
                        assert_int_equal(got.p[0], '\'');
                        got.p++;
                        got.len--;
                    }
                    if (!str_eq(got, want))
                        fail_msg("sep %d bom %d record %zu field %zu: <%s> "
                                 "want <%s>",
                                 seps[s], bom, nrec + 1, k, got.p, want.p);
                }
                nrec++;
            }
            assert_int_equal(nrec, 2 * nc);
            buf_free(&b);
            arena_free(a);
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_default_limits),
        cmocka_unit_test(test_detect_sep),
        cmocka_unit_test(test_arena_per_record),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_neutralise),
        cmocka_unit_test(test_write),
        cmocka_unit_test(test_write_bom_and_records),
        cmocka_unit_test(test_write_limit),
        cmocka_unit_test(test_round_trip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
