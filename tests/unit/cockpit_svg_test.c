/*
 * cockpit_svg_test.c -- the cockpit's charts (web/cockpit_*.c): for each
 * chart a table of small metrics documents, malformed and odd ones first
 * (missing fields, wrong types, out-of-range ratios, not an object), then
 * the normal shapes, each checked for well-formed SVG (one root, balanced
 * tags from an allow-list, known entities, strict UTF-8, no script or
 * event handler) and for the marks, classes, links and escaped names it
 * must carry; then caps (200 reps, 92 days), links switched off, refused
 * arguments and output limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <cmocka.h>

#include "svgcheck.h"

#include "base/buf.h"
#include "web/cockpit_svg.h"

#define NROWS(t) (sizeof(t) / sizeof((t)[0]))
#define BIG (16u << 20)
#define S(lit) STR_LIT(lit)
#define MAX_NEEDLES 12

static const struct cockpit_labels labels_en = {
    .health_title = S("Stage health"),
    .funnel_title = S("Funnel"),
    .consistency_title = S("Dormant share per rep"),
    .heatmap_title = S("Activity heatmap"),
    .healthy = S("healthy"),
    .warning = S("warning"),
    .zombie = S("zombie"),
    .no_customers = S("no customers"),
    .entered = S("entered"),
    .advanced = S("advanced"),
    .lost = S("lost"),
    .stalled = S("stalled"),
    .loss_rate = S("loss"),
    .brk = S("break"),
    .mean = S("mean"),
    .sampled = S("sampled"),
    .flagged = S("flagged"),
    .effective = S("effective"),
    .more = S("more"),
};

typedef enum app_err (*chart_fn)(struct buf *, const cJSON *,
                                 const struct cockpit_labels *, const char *,
                                 const char *);

static size_t
count(const char *hay, const char *needle)
{
    size_t k = 0, nl = strlen(needle);
    const char *p = hay;

    while ((p = strstr(p, needle)) != NULL) {
        k++;
        p += nl;
    }
    return k;
}

/* --- checkers (as chain_test.c, with links and lines allowed) -------- */

static const char *const ok_elems[] = {
    "svg",  "title",  "g",    "rect", "text", "tspan",
    "path", "circle", "line", "a",    NULL,
};
static const char *const ok_attrs[] = {
    "xmlns",
    "class",
    "viewBox",
    "width",
    "height",
    "font-family",
    "role",
    "aria-label",
    "x",
    "y",
    "rx",
    "fill",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-linecap",
    "stroke-linejoin",
    "transform",
    "data-stage",
    "data-rep",
    "data-all",
    "href",
    "x1",
    "y1",
    "x2",
    "y2",
    "dx",
    "dy",
    "fill-opacity",
    "text-anchor",
    "font-size",
    "font-weight",
    "d",
    "cx",
    "cy",
    "r",
    NULL,
};

/* Everything every chart must satisfy. */
static void
check_svg(const char *what, const struct buf *b)
{
    static const char *const banned[] = {
        "style=", "<script", "<image", "<foreignObject", "<use", "url(",
        "<style", "<!",      "<?",     "javascript:",    NULL,
    };
    const char *const *s;
    const char *why;
    size_t nelems;

    assert_non_null(b->p);
    if (strlen(b->p) != b->len)
        fail_msg("%s: NUL inside the output", what);
    if (!svgcheck_utf8((const unsigned char *)b->p, b->len))
        fail_msg("%s: output is not valid UTF-8", what);
    why = svgcheck_xml(b->p, ok_elems, ok_attrs, &nelems);
    if (why != NULL)
        fail_msg("%s: not well-formed: %s\n%.2000s", what, why, b->p);
    for (s = banned; *s != NULL; s++)
        if (strstr(b->p, *s) != NULL)
            fail_msg("%s: output contains %s", what, *s);
    if (svgcheck_event_attr(b->p))
        fail_msg("%s: event handler attribute", what);
    if (strncmp(b->p, "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 40) != 0)
        fail_msg("%s: does not start with <svg xmlns=...>", what);
    if (strstr(b->p, " role=\"img\"") == NULL ||
        strstr(b->p, " aria-label=\"") == NULL ||
        strstr(b->p, " viewBox=\"0 0 640 ") == NULL ||
        strstr(b->p, " width=\"100%\"") == NULL)
        fail_msg("%s: missing role/aria-label/viewBox/width", what);
    if (strstr(b->p, "\"><title>") != strchr(b->p, '>') - 1)
        fail_msg("%s: <title> is not the first child", what);
    if (count(b->p, "<svg") != 1 || count(b->p, "</svg>") != 1 ||
        strcmp(b->p + b->len - 6, "</svg>") != 0)
        fail_msg("%s: not exactly one <svg>...</svg>", what);
}

/* Draw doc (JSON text) with chart into a fresh buffer, check it and
 * return it. */
static struct buf
render(const char *what, chart_fn chart, const char *json, const char *base,
       const char *suffix)
{
    cJSON *doc = cJSON_Parse(json);
    struct buf b;
    enum app_err rc;

    if (doc == NULL)
        fail_msg("%s: bad fixture JSON", what);
    buf_init(&b, NULL, BIG);
    rc = chart(&b, doc, &labels_en, base, suffix);
    cJSON_Delete(doc);
    if (rc != APP_OK)
        fail_msg("%s: %s", what, app_strerror(rc));
    check_svg(what, &b);
    return b;
}

struct needle {
    const char *s;
    int n; /* occurrences; -1: at least one; 0: none */
};

struct row {
    const char *what;
    chart_fn chart;
    const char *json;
    const char *base, *suffix;
    struct needle want[MAX_NEEDLES];
};

static void
run_rows(const struct row *rows, size_t n)
{
    size_t i, k;

    for (i = 0; i < n; i++) {
        const struct row *t = &rows[i];
        struct buf b = render(t->what, t->chart, t->json, t->base, t->suffix);

        for (k = 0; k < MAX_NEEDLES && t->want[k].s != NULL; k++) {
            size_t got = count(b.p, t->want[k].s);

            if (t->want[k].n < 0 ? got == 0 : got != (size_t)t->want[k].n) {
                fprintf(stderr, "%s\n", b.p);
                fail_msg("%s: \"%s\" %zu times, want %d", t->what, t->want[k].s,
                         got, t->want[k].n);
            }
        }
        buf_free(&b);
    }
}

#define HEALTH_LINK "/cockpit/customers?m=health&stage="
#define SCOPE "&scope=team&team=12"
#define SCOPE_X "&amp;scope=team&amp;team=12"

/* --- malformed and odd documents: drawn, never a crash ---------------- */

static const struct row odd_rows[] = {
    { "health: null doc",
      cockpit_svg_health,
      "null",
      HEALTH_LINK,
      SCOPE,
      { { "class=\"bar", 0 }, { "Stage health", 3 } } },
    { "health: array doc",
      cockpit_svg_health,
      "[1,2,{\"stages\":[]}]",
      HEALTH_LINK,
      SCOPE,
      { { "class=\"bar", 0 } } },
    { "health: stages not an array",
      cockpit_svg_health,
      "{\"stages\":{\"stage\":\"lead\"},\"thresholds\":5}",
      HEALTH_LINK,
      SCOPE,
      { { "class=\"bar", 0 }, { "threshold", 0 } } },
    { "health: odd stage items",
      cockpit_svg_health,
      "{\"stages\":[1,\"x\",null,[],{\"stage\":5,\"name\":7,\"health\":"
      "\"x\",\"n\":-3,\"active\":1e300,\"status\":[]}],"
      "\"thresholds\":{\"healthy\":\"0.8\",\"warning\":-1}}",
      HEALTH_LINK,
      SCOPE,
      { { "class=\"bar none\" data-stage=\"\"", 5 },
        { "<a ", 0 },
        { "1000000000000/0", 2 },
        { "threshold warning", 1 },
        { "threshold healthy", 0 } } },
    { "health: out of range",
      cockpit_svg_health,
      "{\"stages\":[{\"stage\":\"hi\",\"health\":1.7,\"n\":1,\"active\":2},"
      "{\"stage\":\"lo\",\"health\":-0.5,\"n\":4,\"active\":0,"
      "\"status\":\"bogus\"}],\"thresholds\":{\"healthy\":2,"
      "\"warning\":0.7}}",
      HEALTH_LINK,
      SCOPE,
      { { "class=\"bar healthy\" data-stage=\"hi\"", 1 },
        { "class=\"bar zombie\" data-stage=\"lo\"", 1 },
        { "100%", -1 },
        { "0/4 \xc2\xb7 0%", 2 } } },
    { "funnel: odd",
      cockpit_svg_funnel,
      "{\"stages\":[null,{\"stage\":\"x\",\"entered\":\"9\",\"advanced\":5,"
      "\"lost\":-2,\"stalled\":1e20,\"loss_rate\":\"a\",\"break\":1}]}",
      "/l?stage=",
      NULL,
      { { "class=\"stage\" data-stage=\"x\"", 1 },
        { "href=\"/l?stage=x\"", 1 },
        { "loss \xe2\x80\x94", 4 },
        { "break", 1 }, /* the legend only */
        { "class=\"stage break", 0 } } },
    { "consistency: odd",
      cockpit_svg_consistency,
      "{\"reps\":[7,{\"rep\":\"5\",\"name\":null,\"share\":\"0.3\","
      "\"flagged\":true},{\"rep\":1.5,\"share\":3,\"sampled\":\"yes\"}],"
      "\"mean\":\"x\",\"deviation\":-4}",
      "/c?rep=",
      "",
      { { "class=\"rep none\" data-rep=\"\"", 2 },
        { "class=\"rep\" data-rep=\"\"", 1 },
        { "<a ", 0 },
        { "class=\"band\"", 0 },
        { "100%", -1 } } },
    { "heatmap: odd",
      cockpit_svg_heatmap,
      "{\"days\":[1,\"2026-13-xx\",\"2026-11-0<\"],\"max\":\"12\","
      "\"reps\":[{\"rep\":\"x\",\"all\":\"bad\",\"effective\":[null,true]},"
      "{\"rep\":3,\"name\":\"A\",\"all\":[-1,2,1e300]},5]}",
      "/h?",
      "",
      { { "class=\"cell\"", 9 },
        { "<a ", 0 },
        { "2026-11-0&lt;", 0 },
        { ": 1000000000000 / 0 effective", 1 } } },
    { "heatmap: no days, counts only",
      cockpit_svg_heatmap,
      "{\"reps\":[{\"rep\":3,\"name\":\"A\",\"all\":[1,0,4,4]}]}",
      "/h?",
      "",
      { { "class=\"cell\"", 4 }, { "<a ", 0 } } },
};

static void
test_odd(void **state)
{
    (void)state;
    run_rows(odd_rows, NROWS(odd_rows));
}

/* --- the normal shapes ------------------------------------------------- */

static const char health_doc[] =
    "{\"scope\":\"team\",\"scope_id\":12,\"window_days\":7,"
    "\"thresholds\":{\"healthy\":0.85,\"warning\":0.7},\"stages\":["
    "{\"stage\":\"lead\",\"name\":\"<b>&\",\"n\":120,\"active\":90,"
    "\"health\":0.75,\"status\":\"warning\",\"reps\":[]},"
    "{\"stage\":\"intent\",\"name\":\"\xe6\x84\x8f\xe5\x90\x91\",\"n\":10,"
    "\"active\":2,\"health\":0.2,\"status\":\"zombie\"},"
    "{\"stage\":\"quote\",\"name\":\"Quote\",\"n\":0,\"active\":0,"
    "\"health\":null,\"status\":null},"
    "{\"stage\":\"a b&c\",\"name\":\"Won soon\",\"n\":4,\"active\":4,"
    "\"health\":1,\"status\":\"healthy\"}]}";

static const char funnel_doc[] =
    "{\"from\":\"2026-11-05\",\"to\":\"2026-12-05\",\"thresholds\":{"
    "\"loss\":0.5,\"rise\":0.15},\"stages\":["
    "{\"stage\":\"lead\",\"name\":\"Lead\",\"next\":\"intent\","
    "\"next_name\":\"Intent\",\"entered\":40,\"advanced\":20,\"lost\":5,"
    "\"stalled\":15,\"loss_rate\":0.5,\"prev_entered\":30,"
    "\"prev_loss_rate\":0.4,\"change\":0.1,\"break\":true},"
    "{\"stage\":\"intent\",\"name\":\"<i>\",\"next\":null,"
    "\"next_name\":null,\"entered\":0,\"advanced\":0,\"lost\":0,"
    "\"stalled\":0,\"loss_rate\":null,\"change\":null,\"break\":false}]}";

static const char consistency_doc[] =
    "{\"week\":\"2026-W49\",\"dormant_days\":90,\"deviation\":0.15,"
    "\"sample\":0.1,\"mean\":0.3125,\"sample_size\":1,\"reps\":["
    "{\"rep\":5,\"name\":\"<b>&\",\"pool\":40,\"dormant\":12,\"share\":0.3,"
    "\"sampled\":true,\"flagged\":false},"
    "{\"rep\":6,\"name\":\"Flag Rep\",\"pool\":10,\"dormant\":9,"
    "\"share\":0.9,\"sampled\":false,\"flagged\":true},"
    "{\"rep\":7,\"name\":\"Empty\",\"pool\":0,\"dormant\":0,"
    "\"share\":null,\"sampled\":false,\"flagged\":false}]}";

static const char heatmap_doc[] =
    "{\"from\":\"2026-11-06\",\"to\":\"2026-11-13\",\"days\":["
    "\"2026-11-06\",\"2026-11-07\",\"2026-11-08\",\"2026-11-09\","
    "\"2026-11-10\",\"2026-11-11\",\"2026-11-12\",\"2026-11-13\"],"
    "\"reps\":[{\"rep\":5,\"name\":\"<b>&\",\"all\":[3,0,12,0,0,0,0,1],"
    "\"effective\":[1,0,2,0,0,0,0,1]},"
    "{\"rep\":9,\"name\":\"Zero\",\"all\":[0,0,0,0,0,0,0,0],"
    "\"effective\":[0,0,0,0,0,0,0,0]}],\"max\":12}";

static const struct row shape_rows[] = {
    { "health",
      cockpit_svg_health,
      health_doc,
      HEALTH_LINK,
      SCOPE,
      { { "class=\"bar warning\" data-stage=\"lead\"", 1 },
        { "class=\"bar zombie\" data-stage=\"intent\"", 1 },
        { "class=\"bar none\" data-stage=\"quote\"", 1 },
        { "class=\"bar healthy\" data-stage=\"a b&amp;c\"", 1 },
        { "<a href=\"/cockpit/customers?m=health&amp;stage=lead" SCOPE_X
          "\" class=\"bar warning\"",
          1 },
        { "stage=a%20b%26c" SCOPE_X "\"", 1 },
        { "&lt;b&gt;&amp;", 2 },
        { "90/120 \xc2\xb7 75% \xc2\xb7 warning", 2 },
        { "fill=\"none\" stroke=\"#cbd5e1\"", 1 }, /* the null bar */
        { "0/0 \xc2\xb7 \xe2\x80\x94 \xc2\xb7 no customers", 2 },
        { "class=\"threshold healthy\"><line x1=\"533\"", 1 },
        { "class=\"threshold warning\"><line x1=\"442\"", 1 } } },
    { "funnel",
      cockpit_svg_funnel,
      funnel_doc,
      "/cockpit/customers?m=lost&stage=",
      SCOPE,
      { { "class=\"stage break\" data-stage=\"lead\"", 1 },
        { "class=\"stage\" data-stage=\"intent\"", 1 },
        { "href=\"/cockpit/customers?m=lost&amp;stage=lead" SCOPE_X "\"", 1 },
        { "class=\"break-mark\"", 1 },
        { "class=\"break-outline\"", 1 },
        { "loss 50%", 2 },
        { "loss \xe2\x80\x94", 2 },
        { "class=\"advanced\" x=\"16\" y=\"100\" width=\"304\"", 1 },
        { "class=\"lost\" x=\"320\" y=\"100\" width=\"76\"", 1 },
        { "entered 40 \xc2\xb7 advanced 20 \xc2\xb7 lost 5 \xc2\xb7 "
          "stalled 15",
          2 },
        { "&lt;i&gt;", 2 },
        { "Lead \xe2\x86\x92 Intent", 1 } } },
    { "consistency",
      cockpit_svg_consistency,
      consistency_doc,
      "/cockpit/customers?m=dormant&rep=",
      SCOPE,
      { { "class=\"rep sampled\" data-rep=\"5\"", 1 },
        { "class=\"rep flagged\" data-rep=\"6\"", 1 },
        { "class=\"rep none\" data-rep=\"7\"", 1 },
        { "href=\"/cockpit/customers?m=dormant&amp;rep=6" SCOPE_X "\"", 1 },
        { "class=\"ring\"", 1 },
        { "class=\"dot\"", 2 },
        { "class=\"band\"", 1 },
        { "mean 31% \xc2\xb1 15%", 1 },
        { "flagged: <tspan>Flag Rep</tspan></text>", 1 },
        { "&lt;b&gt;&amp;", 2 },
        { ">\xe2\x80\x94</text>", 1 } } },
    { "heatmap",
      cockpit_svg_heatmap,
      heatmap_doc,
      "/cockpit/customers?m=activity&",
      SCOPE,
      { { "class=\"cell\"", 16 },
        { "<a href=\"/cockpit/customers?m=activity&amp;rep=5&amp;"
          "day=2026-11-06" SCOPE_X "\">",
          1 },
        { "class=\"row\" data-rep=\"9\"", 1 },
        { "2026-11-06: 3 / 1 effective", 1 },
        { "data-all=\"12\"", 1 },
        { "fill=\"#1e3a8a\"><title>", 1 },  /* the largest cell */
        { "fill=\"#f1f5f9\"><title>", 13 }, /* the zeros */
        { ">11-06</text>", 1 },
        { ">11-13</text>", 1 },
        { ">11-07</text>", 0 },
        { "&lt;b&gt;&amp;", 9 } } },
};

static void
test_shapes(void **state)
{
    (void)state;
    run_rows(shape_rows, NROWS(shape_rows));
}

/* --- caps -------------------------------------------------------------- */

/* A document with nreps reps (each with ndays days for the heatmap). */
static char *
many_reps(size_t nreps, size_t ndays)
{
    struct buf b;
    size_t i, k;

    buf_init(&b, NULL, BIG);
    assert_int_equal(buf_puts(&b, "{\"mean\":0.5,\"deviation\":0.1,"
                                  "\"days\":["),
                     APP_OK);
    for (k = 0; k < ndays; k++)
        assert_int_equal(buf_printf(&b, "%s\"2026-%02zu-%02zu\"",
                                    k > 0 ? "," : "", 1 + k / 28, 1 + k % 28),
                         APP_OK);
    assert_int_equal(buf_puts(&b, "],\"reps\":["), APP_OK);
    for (i = 0; i < nreps; i++) {
        assert_int_equal(buf_printf(&b,
                                    "%s{\"rep\":%zu,\"name\":\"R%zu\","
                                    "\"share\":%.2f,\"flagged\":%s,"
                                    "\"all\":[",
                                    i > 0 ? "," : "", i + 1, i,
                                    (double)(i % 100) / 100.0,
                                    i % 20 == 0 ? "true" : "false"),
                         APP_OK);
        for (k = 0; k < ndays; k++)
            assert_int_equal(
                buf_printf(&b, "%s%zu", k > 0 ? "," : "", (i + k) % 5), APP_OK);
        assert_int_equal(buf_puts(&b, "]}"), APP_OK);
    }
    assert_int_equal(buf_puts(&b, "]}"), APP_OK);
    return b.p;
}

static void
test_caps(void **state)
{
    char *doc = many_reps(250, 100);
    struct buf b;

    (void)state;
    b = render("consistency 250", cockpit_svg_consistency, doc, "/c?rep=", "");
    assert_int_equal(count(b.p, "class=\"rep"), 200);
    assert_int_equal(count(b.p, ">+50 more</text>"), 1);
    /* 13 flagged reps: 10 named, the rest counted. */
    assert_non_null(strstr(b.p, ", R180 +3</tspan></text>"));
    buf_free(&b);

    b = render("heatmap 250x100", cockpit_svg_heatmap, doc, "/h?", "");
    assert_int_equal(count(b.p, "class=\"cell\""), 200 * 92);
    assert_int_equal(count(b.p, "class=\"row\""), 200);
    assert_int_equal(count(b.p, ">+50 more</text>"), 1);
    assert_int_equal(count(b.p, "width=\"4\" height=\"18\""), 200 * 92);
    buf_free(&b);
    free(doc);

    doc = many_reps(60, 30);
    b = render("consistency 60", cockpit_svg_consistency, doc, "/c?rep=", "");
    assert_int_equal(count(b.p, "class=\"rep"), 60);
    assert_null(strstr(b.p, "more</text>"));
    buf_free(&b);
    free(doc);
}

/* --- links off, refused arguments, limits ------------------------------ */

static void
test_no_links(void **state)
{
    static const chart_fn charts[] = { cockpit_svg_health, cockpit_svg_funnel,
                                       cockpit_svg_consistency,
                                       cockpit_svg_heatmap };
    static const char *const docs[] = { health_doc, funnel_doc, consistency_doc,
                                        heatmap_doc };
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(charts); i++) {
        struct buf b = render("no links", charts[i], docs[i], NULL, NULL);

        assert_null(strstr(b.p, "<a "));
        assert_null(strstr(b.p, "href"));
        buf_free(&b);
    }
}

static void
test_refused(void **state)
{
    struct cockpit_labels bad = labels_en;
    cJSON *doc = cJSON_Parse(health_doc);
    struct buf b;

    (void)state;
    buf_init(&b, NULL, BIG);
    assert_int_equal(cockpit_svg_health(NULL, doc, &labels_en, NULL, NULL),
                     APP_EINVAL);
    assert_int_equal(cockpit_svg_health(&b, doc, NULL, NULL, NULL), APP_EINVAL);
    bad.more.p = NULL;
    bad.more.len = 3;
    assert_int_equal(cockpit_svg_funnel(&b, doc, &bad, NULL, NULL), APP_EINVAL);
    assert_int_equal(b.len, 0);
    /* Empty labels are fine. */
    memset(&bad, 0, sizeof(bad));
    assert_int_equal(cockpit_svg_health(&b, doc, &bad, NULL, NULL), APP_OK);
    check_svg("empty labels", &b);
    buf_free(&b);
    cJSON_Delete(doc);
}

/* Every prefix length of the output as the buffer's maximum fails
 * cleanly and leaves what was there; the exact length succeeds. */
static void
test_limits(void **state)
{
    static const chart_fn charts[] = { cockpit_svg_health, cockpit_svg_funnel,
                                       cockpit_svg_consistency,
                                       cockpit_svg_heatmap };
    static const char *const docs[] = { health_doc, funnel_doc, consistency_doc,
                                        heatmap_doc };
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(charts); i++) {
        cJSON *doc = cJSON_Parse(docs[i]);
        struct buf full, b;
        size_t max;

        buf_init(&full, NULL, BIG);
        assert_int_equal(charts[i](&full, doc, &labels_en, "/x?k=", "&y=1"),
                         APP_OK);
        for (max = 3; max < full.len; max += 97) {
            buf_init(&b, NULL, max);
            assert_int_equal(buf_puts(&b, "pre"), APP_OK);
            assert_int_equal(charts[i](&b, doc, &labels_en, "/x?k=", "&y=1"),
                             APP_ETOOBIG);
            assert_int_equal(b.len, 3);
            assert_string_equal(b.p, "pre");
            buf_free(&b);
        }
        buf_init(&b, NULL, full.len);
        assert_int_equal(charts[i](&b, doc, &labels_en, "/x?k=", "&y=1"),
                         APP_OK);
        assert_string_equal(b.p, full.p); /* and deterministic */
        buf_free(&b);
        buf_free(&full);
        cJSON_Delete(doc);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_odd),     cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_caps),    cmocka_unit_test(test_no_links),
        cmocka_unit_test(test_refused), cmocka_unit_test(test_limits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
