/*
 * tmpl_test.c -- table-driven tests of tmpl.c beyond the Mustache spec
 * (STYLE §17): escaping, falsy values, number formatting, the output, depth
 * and work limits, compile errors with line numbers, tmpl_set_check and
 * tmpl_set_load_dir.  Malformed and boundary rows come first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/buf.h"
#include "http/tmpl.h"

#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

struct row {
    const char *tmpl;
    const char *json; /* data; NULL renders with NULL data */
    enum app_err rc;
    const char *want; /* output, or a substring of err when rc != APP_OK */
};

/* Compile tmpl as "t" (plus any partials, as name/source pairs ending in
 * NULL), render it with the given limits and check rc and output. */
static void
check_render(const char *what, const struct row *r,
             const struct tmpl_limits *lim, const char *const *partials)
{
    struct tmpl_set *set = tmpl_set_new();
    cJSON *data = NULL;
    struct buf out;
    char err[256] = "";
    enum app_err rc;

    assert_non_null(set);
    if (r->json != NULL) {
        data = cJSON_Parse(r->json);
        if (data == NULL)
            fail_msg("%s: bad test JSON %s", what, r->json);
    }
    for (; partials != NULL && partials[0] != NULL; partials += 2)
        assert_int_equal(tmpl_set_add(set, partials[0], partials[1],
                                      strlen(partials[1]), err, sizeof(err)),
                         APP_OK);
    rc = tmpl_set_add(set, "t", r->tmpl, strlen(r->tmpl), err, sizeof(err));
    buf_init(&out, NULL, 1u << 20);
    if (rc == APP_OK)
        rc = tmpl_render(set, "t", data, lim, &out, err, sizeof(err));
    if (rc != r->rc)
        fail_msg("%s: \"%s\": rc %d (%s), want %d", what, r->tmpl, rc, err,
                 r->rc);
    if (rc == APP_OK && strcmp(out.p != NULL ? out.p : "", r->want) != 0)
        fail_msg("%s: \"%s\": got \"%s\", want \"%s\"", what, r->tmpl,
                 out.p != NULL ? out.p : "", r->want);
    if (rc != APP_OK && strstr(err, r->want) == NULL)
        fail_msg("%s: \"%s\": err \"%s\", want \"%s\"", what, r->tmpl, err,
                 r->want);
    buf_free(&out);
    cJSON_Delete(data);
    tmpl_set_free(set);
}

static const struct tmpl_limits lim_default = { 1u << 20, 32 };

static void
run_rows(const char *what, const struct row *rows, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        check_render(what, &rows[i], &lim_default, NULL);
}

/* --- escaping ----------------------------------------------------------------
 */

static void
test_escaping(void **state)
{
    static const struct row rows[] = {
        { "{{v}}", "{\"v\":\"\"}", APP_OK, "" },
        { "{{v}}", "{\"v\":\"&<>\\\"'\"}", APP_OK, "&amp;&lt;&gt;&quot;&#39;" },
        { "{{{v}}}", "{\"v\":\"&<>\\\"'\"}", APP_OK, "&<>\"'" },
        { "{{& v}}", "{\"v\":\"&<>\\\"'\"}", APP_OK, "&<>\"'" },
        { "a{{v}}b", "{\"v\":\"x&y\"}", APP_OK, "ax&amp;yb" },
        { "{{#l}}{{.}}{{/l}}", "{\"l\":[\"<\",\"'\"]}", APP_OK, "&lt;&#39;" },
        /* Template text itself is never escaped. */
        { "<b>&'\"", "{}", APP_OK, "<b>&'\"" },
    };

    (void)state;
    run_rows("escaping", rows, NROWS(rows));
}

/* --- falsy values
 * ------------------------------------------------------------- */

static void
test_falsy(void **state)
{
    static const char tpl[] = "{{#v}}T{{/v}}{{^v}}F{{/v}}";
    static const struct row rows[] = {
        { tpl, NULL, APP_OK, "F" },
        { tpl, "{}", APP_OK, "F" },
        { tpl, "{\"v\":null}", APP_OK, "F" },
        { tpl, "{\"v\":false}", APP_OK, "F" },
        { tpl, "{\"v\":[]}", APP_OK, "F" },
        { tpl, "{\"v\":\"\"}", APP_OK, "F" },
        { tpl, "{\"v\":0}", APP_OK, "F" },
        { tpl, "{\"v\":-0.0}", APP_OK, "F" },
        { tpl, "{\"v\":0.0}", APP_OK, "F" },
        { tpl, "{\"v\":true}", APP_OK, "T" },
        { tpl, "{\"v\":1}", APP_OK, "T" },
        { tpl, "{\"v\":-0.5}", APP_OK, "T" },
        { tpl, "{\"v\":\"0\"}", APP_OK, "T" },
        { tpl, "{\"v\":\"false\"}", APP_OK, "T" },
        { tpl, "{\"v\":{}}", APP_OK, "T" },
        { tpl, "{\"v\":[0]}", APP_OK, "T" },
        { tpl, "{\"v\":[0,0,0]}", APP_OK, "TTT" },
        /* A missing link in a dotted name is falsy, not an error. */
        { "{{^a.b.c}}F{{/a.b.c}}", "{\"a\":{\"b\":1}}", APP_OK, "F" },
        /* array indexes, as in mustache.js */
        { "{{l.0}}{{l.2}}{{#l.5}}x{{/l.5}}", "{\"l\":[\"a\",\"b\",\"c\"]}",
          APP_OK, "ac" },
        { "{{#l.0}}has{{/l.0}}{{^e.0}}none{{/e.0}}",
          "{\"l\":[{\"n\":1}],\"e\":[]}", APP_OK, "hasnone" },
        { "{{l.x}}{{l.1234567}}", "{\"l\":[1]}", APP_OK, "" },
        /* Interpolating values that print nothing. */
        { "[{{n}}{{o}}{{l}}{{m}}]", "{\"n\":null,\"o\":{},\"l\":[1]}", APP_OK,
          "[]" },
        { "{{t}} {{f}}", "{\"t\":true,\"f\":false}", APP_OK, "true false" },
    };

    (void)state;
    run_rows("falsy", rows, NROWS(rows));
}

/* --- numbers
 * ------------------------------------------------------------------ */

static void
test_numbers(void **state)
{
    static const char tpl[] = "{{n}}";
    static const struct row rows[] = {
        { tpl, "{\"n\":-0.0}", APP_OK, "0" },
        { tpl, "{\"n\":0}", APP_OK, "0" },
        { tpl, "{\"n\":85}", APP_OK, "85" },
        { tpl, "{\"n\":85.0}", APP_OK, "85" },
        { tpl, "{\"n\":-3}", APP_OK, "-3" },
        { tpl, "{\"n\":1.21}", APP_OK, "1.21" },
        { tpl, "{\"n\":0.1}", APP_OK, "0.1" },
        { tpl, "{\"n\":-2.5e-7}", APP_OK, "-2.5e-07" },
        { tpl, "{\"n\":123456789012}", APP_OK, "123456789012" },
        { tpl, "{\"n\":9007199254740991}", APP_OK, "9007199254740991" },
        /* Needs all 17 digits to read back as the same double. */
        { tpl, "{\"n\":0.30000000000000004}", APP_OK, "0.30000000000000004" },
        { tpl, "{\"n\":1e21}", APP_OK, "1e+21" },
        { "{{{n}}}", "{\"n\":1.5}", APP_OK, "1.5" },
        { "{{#l}}{{.}},{{/l}}", "{\"l\":[1,2.25,-7]}", APP_OK, "1,2.25,-7," },
    };

    (void)state;
    run_rows("numbers", rows, NROWS(rows));
}

/* --- limits
 * ------------------------------------------------------------------- */

static void
test_output_limit(void **state)
{
    static const struct {
        size_t max_output;
        struct row r;
    } rows[] = {
        { 0, { "x", "{}", APP_ETOOBIG, "output larger than 0" } },
        { 0, { "", "{}", APP_OK, "" } },
        { 9, { "0123456789", "{}", APP_ETOOBIG, "t:1: output larger than 9" } },
        { 10, { "0123456789", "{}", APP_OK, "0123456789" } },
        /* Escaped bytes count: "&&" becomes 10 bytes. */
        { 9, { "{{v}}", "{\"v\":\"&&\"}", APP_ETOOBIG, "output larger" } },
        { 10, { "{{v}}", "{\"v\":\"&&\"}", APP_OK, "&amp;&amp;" } },
        { 5,
          { "{{#l}}ab{{/l}}", "{\"l\":[1,2,3]}", APP_ETOOBIG,
            "output larger than 5" } },
    };
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(rows); i++) {
        struct tmpl_limits lim = { rows[i].max_output, 8 };

        check_render("output limit", &rows[i].r, &lim, NULL);
    }
}

/* The limit counts what one render appends, on top of what out holds, and
 * out's own maximum applies too. */
static void
test_output_limit_appends(void **state)
{
    struct tmpl_set *set = tmpl_set_new();
    struct tmpl_limits lim = { 4, 8 };
    struct buf out;
    char err[128];

    (void)state;
    assert_non_null(set);
    assert_int_equal(tmpl_set_add(set, "t", "abcd", 4, err, sizeof(err)),
                     APP_OK);
    buf_init(&out, NULL, 10);
    assert_int_equal(buf_puts(&out, "012345"), APP_OK);
    assert_int_equal(tmpl_render(set, "t", NULL, &lim, &out, err, sizeof(err)),
                     APP_OK);
    assert_string_equal(out.p, "012345abcd");
    /* out is full (max 10): its own limit now refuses. */
    lim.max_output = 100;
    assert_int_equal(tmpl_render(set, "t", NULL, &lim, &out, err, sizeof(err)),
                     APP_ETOOBIG);
    assert_non_null(strstr(err, "output buffer"));
    buf_free(&out);
    tmpl_set_free(set);
}

static void
test_depth_limit(void **state)
{
    static const char *const self[] = { "r", "<{{>r}}>", NULL };
    static const char *const twice[] = { "a", "{{#n}}{{>a}}{{>a}}{{/n}}",
                                         NULL };
    static const char *const blocks[] = { "p", "{{$b}}{{/b}}", NULL };
    static const char nest3[] = "{{#a}}{{#a}}{{#a}}x{{/a}}{{/a}}{{/a}}";
    static const struct {
        size_t depth;
        const char *const *partials;
        struct row r;
    } rows[] = {
        /* A self-recursive partial stops at the limit, not the stack. */
        { 32, self, { "{{>r}}", "{}", APP_ETOOBIG, "r:1: nesting deeper" } },
        { 100000, self, { "{{>r}}", "{}", APP_ETOOBIG, "nesting deeper" } },
        /* Twice per level, 24 levels: 2^24 renders that output nothing,
         * ended by the work cap rather than run to the end. */
        { 64, twice, { "{{>a}}", NULL, APP_ETOOBIG, "steps" } },
        /* A block overriding itself with itself. */
        { 32,
          blocks,
          { "{{<p}}{{$b}}{{$b}}x{{/b}}{{/b}}{{/p}}", "{}", APP_ETOOBIG,
            "nesting deeper than 32" } },
        { 0, NULL, { "{{#a}}x{{/a}}", "{\"a\":1}", APP_ETOOBIG, "than 0" } },
        { 0, NULL, { "{{#a}}x{{/a}}", "{\"a\":0}", APP_OK, "" } },
        { 2, NULL, { nest3, "{\"a\":1}", APP_ETOOBIG, "deeper than 2" } },
        { 3, NULL, { nest3, "{\"a\":1}", APP_OK, "x" } },
        /* Iterations are not nesting. */
        { 1, NULL, { "{{#l}}.{{/l}}", "{\"l\":[1,2,3,4]}", APP_OK, "...." } },
    };
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(rows); i++) {
        struct tmpl_limits lim = { 1024, rows[i].depth };
        struct row r = rows[i].r;
        struct buf json;
        size_t k;

        /* {"n":{"n":...{"n":0}...}}, 24 deep, for the work-cap row. */
        buf_init(&json, NULL, 4096);
        for (k = 0; k < 24; k++)
            assert_int_equal(buf_puts(&json, "{\"n\":"), APP_OK);
        assert_int_equal(buf_putc(&json, '0'), APP_OK);
        for (k = 0; k < 24; k++)
            assert_int_equal(buf_putc(&json, '}'), APP_OK);
        if (r.json == NULL)
            r.json = json.p;
        check_render("depth limit", &r, &lim, rows[i].partials);
        buf_free(&json);
    }
}

/* --- compile errors
 * ------------------------------------------------------------ */

static void
test_compile_errors(void **state)
{
    static const struct {
        const char *src;
        const char *err;
    } rows[] = {
        { "{{#a}}x", "t:1: unclosed section \"a\"" },
        { "x\n{{#a}}\n{{#b}}\n{{/b}}\n", "t:2: unclosed section \"a\"" },
        { "a\n{{#a}}\n{{/b}}", "t:3: end tag \"b\" does not match \"a\"" },
        { "{{$a}}{{/b}}", "t:1: end tag \"b\" does not match \"a\"" },
        { "{{<p}}{{/q}}", "t:1: end tag \"q\" does not match \"p\"" },
        { "\n{{/a}}", "t:2: unexpected end tag \"a\"" },
        { "x\n\n{{name", "t:3: unclosed tag" },
        { "{{! never closed", "t:1: unclosed tag" },
        { "{{{a}}", "t:1: unclosed tag" },
        { "{{=<% %>=}}\n<%name}}", "t:2: unclosed tag" },
        { "{{=<% %>=}}\n\n<%={{ }}%>", "t:3: unclosed tag" },
        { "{{= a =}}", "t:1: bad delimiters" },
        { "{{==}}", "t:1: bad delimiters" },
        { "{{=a= b=}}", "t:1: bad delimiters" },
        { "{{=a b c=}}", "t:1: bad delimiters" },
        { "{{=<<<<<<<<<<<<<<<<< >>=}}", "t:1: bad delimiters" },
        { "{{}}", "t:1: bad tag name" },
        { "{{a b}}", "t:1: bad tag name" },
        { "{{a..b}}", "t:1: bad tag name" },
        { "{{.a}}", "t:1: bad tag name" },
        { "{{#a.}}{{/a.}}", "t:1: bad tag name" },
        { "\n\n{{> }}", "t:3: bad tag name" },
    };
    struct tmpl_set *set = tmpl_set_new();
    char err[256];
    size_t i;

    (void)state;
    assert_non_null(set);
    for (i = 0; i < NROWS(rows); i++) {
        enum app_err rc;

        err[0] = '\0';
        rc = tmpl_set_add(set, "t", rows[i].src, strlen(rows[i].src), err,
                          sizeof(err));
        if (rc != APP_EINVAL ||
            strncmp(err, rows[i].err, strlen(rows[i].err)) != 0)
            fail_msg("\"%s\": rc %d err \"%s\", want \"%s\"", rows[i].src, rc,
                     err, rows[i].err);
    }
    /* A failed compile leaves nothing behind. */
    assert_false(tmpl_set_has(set, "t"));
    tmpl_set_free(set);
}

static void
test_compile_nesting(void **state)
{
    struct tmpl_set *set = tmpl_set_new();
    struct buf src;
    char err[256];
    size_t i;

    (void)state;
    assert_non_null(set);
    buf_init(&src, NULL, 1u << 20);
    for (i = 0; i < 129; i++)
        assert_int_equal(buf_puts(&src, "{{#a}}"), APP_OK);
    assert_int_equal(
        tmpl_set_add(set, "deep", src.p, src.len, err, sizeof(err)),
        APP_EINVAL);
    assert_string_equal(err, "deep:1: sections nested deeper than 128");
    buf_free(&src);
    tmpl_set_free(set);
}

/* --- the set
 * --------------------------------------------------------------------- */

static void
test_set_basics(void **state)
{
    struct tmpl_set *set = tmpl_set_new();
    struct tmpl_limits lim = { 1024, 8 };
    struct buf out;
    char err[256];

    (void)state;
    assert_non_null(set);
    buf_init(&out, NULL, 1024);
    assert_int_equal(tmpl_set_add(set, "t", "one", 3, err, sizeof(err)),
                     APP_OK);
    /* Replacing keeps one template of the name. */
    assert_int_equal(tmpl_set_add(set, "t", "two", 3, err, sizeof(err)),
                     APP_OK);
    assert_true(tmpl_set_has(set, "t"));
    assert_false(tmpl_set_has(set, "u"));
    assert_int_equal(tmpl_render(set, "t", NULL, &lim, &out, err, sizeof(err)),
                     APP_OK);
    assert_string_equal(out.p, "two");
    assert_int_equal(tmpl_render(set, "u", NULL, &lim, &out, err, sizeof(err)),
                     APP_ENOTFOUND);
    assert_string_equal(err, "no template \"u\"");
    /* An empty template and a NUL inside text. */
    assert_int_equal(tmpl_set_add(set, "e", "", 0, err, sizeof(err)), APP_OK);
    assert_int_equal(tmpl_set_add(set, "z", "a\0b", 3, err, sizeof(err)),
                     APP_OK);
    buf_clear(&out);
    assert_int_equal(tmpl_render(set, "z", NULL, &lim, &out, err, sizeof(err)),
                     APP_OK);
    assert_int_equal(out.len, 3);
    buf_free(&out);
    tmpl_set_free(set);
}

static void
test_set_check(void **state)
{
    struct tmpl_set *set = tmpl_set_new();
    char err[256];
    static const char page[] = "<h1>\n{{>header}}\n{{<layout}}{{/layout}}";

    (void)state;
    assert_non_null(set);
    assert_int_equal(tmpl_set_check(set, err, sizeof(err)), APP_OK);
    assert_int_equal(
        tmpl_set_add(set, "page", page, strlen(page), err, sizeof(err)),
        APP_OK);
    assert_int_equal(tmpl_set_add(set, "layout", "L", 1, err, sizeof(err)),
                     APP_OK);
    assert_int_equal(tmpl_set_check(set, err, sizeof(err)), APP_ENOTFOUND);
    assert_string_equal(err, "page:2: missing partial \"header\"");
    assert_int_equal(tmpl_set_add(set, "header", "H", 1, err, sizeof(err)),
                     APP_OK);
    assert_int_equal(tmpl_set_check(set, err, sizeof(err)), APP_OK);
    assert_int_equal(
        tmpl_set_add(set, "p2", "{{<nope}}{{/nope}}", 18, err, sizeof(err)),
        APP_OK);
    assert_int_equal(tmpl_set_check(set, err, sizeof(err)), APP_ENOTFOUND);
    assert_string_equal(err, "p2:1: missing parent \"nope\"");
    tmpl_set_free(set);
}

/* --- indentation and inheritance beyond the spec's rows
 * ------------------------ */

static void
test_layout(void **state)
{
    static const char *const parts[] = {
        "layout",
        "<html>\n  <head>\n    {{$head}}\n    <title>x</title>\n"
        "    {{/head}}\n  </head>\n</html>\n",
        "parent",
        "I say,\n  {{$block}}\n  Hi there!\n  {{/block}}\n",
        "item",
        "<li>{{.}}</li>\n",
        NULL,
    };
    static const struct row rows[] = {
        /* A standalone block left alone leaves no blank line behind. */
        { "{{<parent}}{{/parent}}", "{}", APP_OK, "I say,\n  Hi there!\n" },
        /* The override is re-indented to where the block sits. */
        { "{{<parent}}\n        {{$block}}\n        Hello\n"
          "        {{/block}}\n{{/parent}}\n",
          "{}", APP_OK, "I say,\n  Hello\n" },
        { "{{<layout}}\n{{$head}}\n<title>{{t}}</title>\n<meta>\n{{/head}}\n"
          "{{/layout}}\n",
          "{\"t\":\"A&B\"}", APP_OK,
          "<html>\n  <head>\n    <title>A&amp;B</title>\n    <meta>\n"
          "  </head>\n</html>\n" },
        /* Standalone partials inside a section, indented. */
        { "<ul>\n{{#l}}\n  {{>item}}\n{{/l}}\n</ul>\n", "{\"l\":[1,2]}", APP_OK,
          "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(rows); i++)
        check_render("layout", &rows[i], &lim_default, parts);
}

/* --- load_dir
 * --------------------------------------------------------------------- */

static void
write_file(const char *dir, const char *rel, const char *text, size_t len)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void
make_dir(const char *dir, const char *rel)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    assert_int_equal(mkdir(path, 0700), 0);
}

static void
remove_paths(const char *dir, const char *const *rels, size_t n)
{
    char path[512];
    size_t i;

    /* Directories come before their contents in the list. */
    for (i = n; i-- > 0;) {
        snprintf(path, sizeof(path), "%s/%s", dir, rels[i]);
        remove(path);
    }
}

static void
test_load_dir(void **state)
{
    static const char *const paths[] = {
        "a.mustache",
        "notes.txt",
        "pages",
        "pages/home.mustache",
        "pages/sub",
        "pages/sub/deep.mustache",
        "pages/.swp.mustache",
        "static",
        "static/x.mustache",
        "i18n",
        "i18n/y.mustache",
        "bad",
        "bad/bad.mustache",
        "big",
        "big/big.mustache",
    };
    char dir[] = "/tmp/tmpl_test.XXXXXX";
    struct tmpl_set *set = tmpl_set_new();
    struct tmpl_limits lim = { 1024, 8 };
    struct buf out;
    char err[512], sub[600];
    char *bigtext;
    size_t bigsize = (1u << 20) + 1;

    (void)state;
    assert_non_null(set);
    assert_non_null(mkdtemp(dir));
    write_file(dir, "a.mustache", "A{{x}}", 6);
    write_file(dir, "notes.txt", "{{#", 3);
    make_dir(dir, "pages");
    write_file(dir, "pages/home.mustache", "{{>a}}/{{>pages/sub/deep}}", 26);
    make_dir(dir, "pages/sub");
    write_file(dir, "pages/sub/deep.mustache", "D", 1);
    write_file(dir, "pages/.swp.mustache", "{{#", 3);
    make_dir(dir, "static");
    write_file(dir, "static/x.mustache", "{{#", 3);
    make_dir(dir, "i18n");
    write_file(dir, "i18n/y.mustache", "{{#", 3);

    assert_int_equal(tmpl_set_load_dir(set, dir, err, sizeof(err)), APP_OK);
    assert_true(tmpl_set_has(set, "a"));
    assert_true(tmpl_set_has(set, "pages/home"));
    assert_true(tmpl_set_has(set, "pages/sub/deep"));
    assert_false(tmpl_set_has(set, "static/x"));
    assert_false(tmpl_set_has(set, "i18n/y"));
    assert_false(tmpl_set_has(set, "notes"));
    assert_int_equal(tmpl_set_check(set, err, sizeof(err)), APP_OK);
    buf_init(&out, NULL, 1024);
    {
        cJSON *data = cJSON_Parse("{\"x\":\"<1>\"}");

        assert_int_equal(
            tmpl_render(set, "pages/home", data, &lim, &out, err, sizeof(err)),
            APP_OK);
        cJSON_Delete(data);
    }
    assert_string_equal(out.p, "A&lt;1&gt;/D");
    buf_free(&out);

    /* A trailing slash makes no difference to the names. */
    snprintf(sub, sizeof(sub), "%s/pages/", dir);
    assert_int_equal(tmpl_set_load_dir(set, sub, err, sizeof(err)), APP_OK);
    assert_true(tmpl_set_has(set, "home"));
    assert_true(tmpl_set_has(set, "sub/deep"));

    /* A compile error names the template and line. */
    make_dir(dir, "bad");
    write_file(dir, "bad/bad.mustache", "ok\n{{#x}}", 9);
    assert_int_equal(tmpl_set_load_dir(set, dir, err, sizeof(err)), APP_EINVAL);
    assert_string_equal(err, "bad/bad:2: unclosed section \"x\"");
    remove_paths(dir, (const char *const[]){ "bad", "bad/bad.mustache" }, 2);

    /* Files over 1 MiB are refused. */
    make_dir(dir, "big");
    bigtext = malloc(bigsize);
    assert_non_null(bigtext);
    memset(bigtext, 'x', bigsize);
    write_file(dir, "big/big.mustache", bigtext, bigsize);
    free(bigtext);
    assert_int_equal(tmpl_set_load_dir(set, dir, err, sizeof(err)), APP_EINVAL);
    assert_non_null(strstr(err, "big.mustache"));

    remove_paths(dir, paths, NROWS(paths));
    assert_int_equal(remove(dir), 0);
    assert_int_equal(tmpl_set_load_dir(set, dir, err, sizeof(err)), APP_EIO);
    tmpl_set_free(set);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_falsy),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_output_limit),
        cmocka_unit_test(test_output_limit_appends),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_compile_errors),
        cmocka_unit_test(test_compile_nesting),
        cmocka_unit_test(test_set_basics),
        cmocka_unit_test(test_set_check),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_load_dir),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
