/*
 * chain_test.c -- chain.c: penetration (refused inputs first, then the
 * window's boundaries, consensus, optional roles, no required role), and
 * the SVG: hostile texts escaped, UTF-8-safe cuts, the "+K" overflow and
 * which contacts are shown, required-uncovered marking, accessibility,
 * output limits and allocation failures.  Every SVG produced here passes
 * check_svg(): a small XML scanner with an allow-list of elements and
 * attributes, strict UTF-8, and raw searches for what a strict CSP or the
 * page could not tolerate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svgcheck.h"

#include "base/arena.h"
#include "base/buf.h"
#include "sales/chain.h"
#include "web/chain_svg.h"

#define NROWS(t) (sizeof(t) / sizeof((t)[0]))
#define BIG (1u << 20)
#define S(lit) STR_LIT(lit)

/* --- fixtures -------------------------------------------------------- */

/* The default roles: budget, acceptance, influencer required. */
static const struct chain_role roles5[] = {
    { S("budget"), S("\xe9\xa2\x84\xe7\xae\x97"), true },     /* 预算 */
    { S("acceptance"), S("\xe9\xaa\x8c\xe6\x94\xb6"), true }, /* 验收 */
    { S("influencer"), S("\xe5\x8f\xa3\xe7\xa2\x91"), true }, /* 口碑 */
    { S("user"), S("\xe4\xbd\xbf\xe7\x94\xa8\xe8\x80\x85"), false },
    { S("other"), S("\xe5\x85\xb6\xe4\xbb\x96"), false },
};

/* The same roles with nothing required. */
static const struct chain_role roles_optional[] = {
    { S("budget"), S("Budget"), false },
    { S("user"), S("User"), false },
};

static const struct chain_labels labels_en = {
    S("Decision chain"),   S("met within 30 days"),
    S("not met recently"), S("consensus recorded"),
    S("required role"),    S("required, not covered"),
    S("Penetration"),
};

/* A contact in a role: days since met (-1 never), consensus. */
#define K(id, role, days, cons)                                                \
    {                                                                          \
        (id), S("Name"), S("Title"), S("Dept"), S(role), (days), (cons)        \
    }

static struct chain
chain_of(const struct chain_role *roles, size_t nroles,
         const struct chain_contact *k, size_t nk)
{
    struct chain c = { S("ACME"), roles, nroles, k, nk, 0 };

    return c;
}

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

/* --- checkers -------------------------------------------------------- */

static const char *const ok_elems[] = { "svg",  "title", "g",      "rect",
                                        "text", "path",  "circle", NULL };
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
    "data-id",
    "text-anchor",
    "font-size",
    "font-weight",
    "d",
    "cx",
    "cy",
    "r",
    NULL,
};

static void
check_svg(const char *what, const struct buf *b)
{
    static const char *const banned[] = {
        "style=", "<script", "href=\"", "<image", "<foreignObject",
        "<use",   "url(",    "<style",  "<!",     "<?",
        NULL,
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
        fail_msg("%s: not well-formed: %s\n%s", what, why, b->p);
    for (s = banned; *s != NULL; s++)
        if (strstr(b->p, *s) != NULL)
            fail_msg("%s: output contains %s", what, *s);
    if (svgcheck_event_attr(b->p))
        fail_msg("%s: event handler attribute", what);
    if (strncmp(b->p, "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 40) != 0)
        fail_msg("%s: does not start with <svg xmlns=...>", what);
    if (strstr(b->p, " role=\"img\"") == NULL ||
        strstr(b->p, " aria-label=\"") == NULL ||
        strstr(b->p, " viewBox=\"0 0 ") == NULL)
        fail_msg("%s: missing role/aria-label/viewBox", what);
    {
        /* Drawn at its own size (the page scales it down on a wide screen
         * and scrolls it on a phone): width and height are the viewBox's. */
        const char *vb = strstr(b->p, " viewBox=\"0 0 ") + 14;
        const char *sp = strchr(vb, ' '), *q = strchr(vb, '"');
        char want[64];

        snprintf(want, sizeof(want), " width=\"%.*s\" height=\"%.*s\"",
                 (int)(sp - vb), vb, (int)(q - sp - 1), sp + 1);
        if (strstr(b->p, want) == NULL)
            fail_msg("%s: missing%s", what, want);
    }
    /* The accessible name is also the first child. */
    if (strstr(b->p, "\"><title>") != strchr(b->p, '>') - 1)
        fail_msg("%s: <title> is not the first child", what);
}

/* Render c into a fresh heap buffer, check it, and return it. */
static struct buf
render(const char *what, const struct chain *c, const struct chain_labels *l)
{
    struct buf b;
    enum app_err rc;

    buf_init(&b, NULL, BIG);
    rc = chain_svg(c, l, &b);
    if (rc != APP_OK)
        fail_msg("%s: chain_svg: %s", what, app_strerror(rc));
    check_svg(what, &b);
    return b;
}

/* --- penetration ----------------------------------------------------- */

static const struct chain_contact k_long_ago[] = {
    K(1, "budget", 45, true),
    K(2, "acceptance", 31, true),
};
static const struct chain_contact k_no_consensus[] = {
    K(1, "budget", 3, false),
    K(2, "acceptance", 0, false),
};
static const struct chain_contact k_never[] = {
    K(1, "budget", -1, true),
    K(2, "acceptance", -30, true),
};
static const struct chain_contact k_budget[] = {
    K(1, "budget", 30, true), /* boundary: day 30 is inside */
    K(2, "acceptance", 31, true),
};
static const struct chain_contact k_two[] = {
    K(1, "budget", 0, true),
    K(2, "budget", 5, false),
    K(3, "acceptance", 12, true),
    K(4, "influencer", 40, true),
};
static const struct chain_contact k_all[] = {
    K(1, "budget", 1, true),
    K(2, "acceptance", 2, true),
    K(3, "influencer", 3, true),
};
static const struct chain_contact k_optional_only[] = {
    K(1, "user", 1, true),
    K(2, "other", 2, true),
    K(3, "budget", 90, true),
};
static const struct chain_contact k_unknown_role[] = {
    K(1, "finance", 1, true), K(2, "", 1, true),
    K(3, "Budget", 1, true), /* keys are exact */
};

struct pen_row {
    const char *name;
    const struct chain_role *roles;
    size_t nroles;
    const struct chain_contact *k;
    size_t nk;
    int window;
    size_t required, covered;
    int applicable;
    unsigned percent;
    const char *flags; /* per role, '1' covered */
};

#define ROWS5 roles5, NROWS(roles5)
#define KS(a) a, NROWS(a)

static const struct pen_row pen_rows[] = {
    { "no contacts", ROWS5, NULL, 0, 0, 3, 0, 1, 0, "00000" },
    { "met long ago", ROWS5, KS(k_long_ago), 0, 3, 0, 1, 0, "00000" },
    { "long ago, wider window", ROWS5, KS(k_long_ago), 45, 3, 2, 1, 67,
      "11000" },
    { "met, no consensus", ROWS5, KS(k_no_consensus), 0, 3, 0, 1, 0, "00000" },
    { "never met", ROWS5, KS(k_never), 0, 3, 0, 1, 0, "00000" },
    { "day 30 in, day 31 out", ROWS5, KS(k_budget), 0, 3, 1, 1, 33, "10000" },
    { "window 29", ROWS5, KS(k_budget), 29, 3, 0, 1, 0, "00000" },
    { "two of three", ROWS5, KS(k_two), 0, 3, 2, 1, 67, "11000" },
    { "all covered", ROWS5, KS(k_all), 0, 3, 3, 1, 100, "11100" },
    { "optional roles ignored", ROWS5, KS(k_optional_only), 0, 3, 0, 1, 0,
      "00011" },
    { "unknown role keys", ROWS5, KS(k_unknown_role), 0, 3, 0, 1, 0, "00000" },
    { "zero required roles", roles_optional, NROWS(roles_optional),
      KS(k_optional_only), 0, 0, 0, 0, 100, "01" },
    { "no roles at all", NULL, 0, KS(k_all), 0, 0, 0, 0, 100, "" },
};

static void
test_penetration(void **state)
{
    size_t i, r;

    (void)state;
    for (i = 0; i < NROWS(pen_rows); i++) {
        const struct pen_row *w = &pen_rows[i];
        struct chain c = chain_of(w->roles, w->nroles, w->k, w->nk);
        struct chain_cover cv;
        bool flags[CHAIN_MAX_ROLES];
        enum app_err rc;

        c.window_days = w->window;
        memset(flags, 0x55, sizeof(flags));
        rc = chain_penetration(&c, &cv, flags, NROWS(flags));
        if (rc != APP_OK)
            fail_msg("%s: %s", w->name, app_strerror(rc));
        if (cv.required != w->required || cv.covered != w->covered ||
            cv.applicable != (bool)w->applicable || cv.percent != w->percent)
            fail_msg("%s: %zu/%zu applicable=%d %u%%, want %zu/%zu %d %u%%",
                     w->name, cv.covered, cv.required, cv.applicable,
                     cv.percent, w->covered, w->required, w->applicable,
                     w->percent);
        if (w->applicable) {
            double want = (double)w->covered / (double)w->required;

            if (cv.ratio < want - 1e-9 || cv.ratio > want + 1e-9)
                fail_msg("%s: ratio %f", w->name, cv.ratio);
        } else if (cv.ratio != 1.0) {
            fail_msg("%s: ratio %f, want 1.0", w->name, cv.ratio);
        }
        assert_int_equal(strlen(w->flags), w->nroles);
        for (r = 0; r < w->nroles; r++)
            if (flags[r] != (w->flags[r] == '1'))
                fail_msg("%s: role %zu covered=%d", w->name, r, flags[r]);
        /* role_covered is optional */
        assert_int_equal(chain_penetration(&c, &cv, NULL, 0), APP_OK);
        assert_int_equal(cv.covered, w->covered);
    }
}

static void
test_contact_covers(void **state)
{
    static const struct chain_contact k[] = {
        K(1, "budget", 0, true),   K(2, "budget", 30, true),
        K(3, "budget", 31, true),  K(4, "budget", -1, true),
        K(5, "budget", 10, false),
    };
    static const int want[] = { 1, 1, 0, 0, 0 };
    struct chain c = chain_of(ROWS5, KS(k));
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(k); i++)
        assert_int_equal(chain_contact_covers(&c, &k[i]), want[i]);
    assert_false(chain_contact_covers(NULL, &k[0]));
    assert_false(chain_contact_covers(&c, NULL));
}

static const struct chain_role roles_dup[] = {
    { S("budget"), S("A"), true },
    { S("budget"), S("B"), false },
};
static const struct chain_role roles_empty_key[] = {
    { S(""), S("A"), true },
};
static const struct chain_role roles_null_label[] = {
    { S("budget"), { NULL, 3 }, true },
};
static const struct chain_role roles13[13] = {
    { S("r0"), S("0"), true },   { S("r1"), S("1"), true },
    { S("r2"), S("2"), true },   { S("r3"), S("3"), true },
    { S("r4"), S("4"), true },   { S("r5"), S("5"), true },
    { S("r6"), S("6"), true },   { S("r7"), S("7"), true },
    { S("r8"), S("8"), true },   { S("r9"), S("9"), true },
    { S("r10"), S("10"), true }, { S("r11"), S("11"), true },
    { S("r12"), S("12"), true },
};
static const struct chain_contact k_null_name[] = {
    { 1, { NULL, 4 }, S(""), S(""), S("budget"), 1, true },
};

struct bad_row {
    const char *name;
    const struct chain_role *roles;
    size_t nroles;
    const struct chain_contact *k;
    size_t nk;
    int window;
    size_t nflags;
    enum app_err want;
};

static const struct bad_row bad_rows[] = {
    { "roles NULL, nroles 1", NULL, 1, NULL, 0, 0, 12, APP_EINVAL },
    { "contacts NULL, n 1", ROWS5, NULL, 1, 0, 12, APP_EINVAL },
    { "duplicate key", roles_dup, 2, NULL, 0, 0, 12, APP_EINVAL },
    { "empty key", roles_empty_key, 1, NULL, 0, 0, 12, APP_EINVAL },
    { "NULL label bytes", roles_null_label, 1, NULL, 0, 0, 12, APP_EINVAL },
    { "NULL name bytes", ROWS5, KS(k_null_name), 0, 12, APP_EINVAL },
    { "window -1", ROWS5, NULL, 0, -1, 12, APP_EINVAL },
    { "window 367", ROWS5, NULL, 0, CHAIN_WINDOW_MAX + 1, 12, APP_EINVAL },
    { "flags too short", ROWS5, NULL, 0, 0, 4, APP_EINVAL },
    { "13 roles", roles13, 13, NULL, 0, 0, 13, APP_ETOOBIG },
    /* boundaries that pass */
    { "window 366", ROWS5, NULL, 0, CHAIN_WINDOW_MAX, 5, APP_OK },
    { "12 roles", roles13, 12, NULL, 0, 0, 12, APP_OK },
};

static void
test_refused(void **state)
{
    size_t i;
    struct chain c = chain_of(ROWS5, NULL, 0);
    struct chain_cover cv;
    struct buf b;

    (void)state;
    for (i = 0; i < NROWS(bad_rows); i++) {
        const struct bad_row *w = &bad_rows[i];
        bool flags[13];
        enum app_err rc;

        c = chain_of(w->roles, w->nroles, w->k, w->nk);
        c.window_days = w->window;
        rc = chain_penetration(&c, &cv, flags, w->nflags);
        if (rc != w->want)
            fail_msg("%s: penetration %s", w->name, app_strerror(rc));
        if (w->nflags < w->nroles)
            continue; /* a penetration-only error */
        buf_init(&b, NULL, BIG);
        rc = chain_svg(&c, &labels_en, &b);
        if (rc != w->want)
            fail_msg("%s: svg %s", w->name, app_strerror(rc));
        if (rc == APP_OK)
            check_svg(w->name, &b);
        else if (b.len != 0)
            fail_msg("%s: output left behind", w->name);
        buf_free(&b);
    }

    c = chain_of(ROWS5, NULL, 0);
    assert_int_equal(chain_penetration(NULL, &cv, NULL, 0), APP_EINVAL);
    assert_int_equal(chain_penetration(&c, NULL, NULL, 0), APP_EINVAL);
    buf_init(&b, NULL, BIG);
    assert_int_equal(chain_svg(NULL, &labels_en, &b), APP_EINVAL);
    assert_int_equal(chain_svg(&c, NULL, &b), APP_EINVAL);
    assert_int_equal(chain_svg(&c, &labels_en, NULL), APP_EINVAL);
    {
        struct chain_labels l = labels_en;

        l.consensus.p = NULL;
        assert_int_equal(chain_svg(&c, &l, &b), APP_EINVAL);
    }
    c.customer.p = NULL;
    c.customer.len = 2;
    assert_int_equal(chain_svg(&c, &labels_en, &b), APP_EINVAL);
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

/* --- SVG: escaping --------------------------------------------------- */

struct esc_row {
    const char *name;  /* the hostile text */
    const char *where; /* "name", "title", "dept", "customer", "role",
                          "legend" */
    const char *want;  /* must appear */
    const char *never; /* must not appear */
};

static const struct esc_row esc_rows[] = {
    { "<script>alert(1)</script>", "name",
      "&lt;script&gt;alert(1)&lt;/script&gt;", "<script" },
    { "\" onload=\"x", "name", "&quot; onload=&quot;x", "\" onload" },
    { "\" onload=\"x", "title", "&quot; onload=&quot;x", "\" onload" },
    { "Tom & Jerry", "name", "Tom &amp; Jerry", "Tom & " },
    { "O'Brien", "dept", "O&#39;Brien", "O'Brien" },
    { "a>b", "title", "a&gt;b", "a>b" },
    { "<a href=\"javascript:alert(1)\">x</a>", "name",
      "&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;", "<a href" },
    { "]]><foreignObject/>", "title", "]]&gt;&lt;foreignObject/&gt;",
      "<foreignObject" },
    { "<script>x</script>", "customer", "&lt;script&gt;x&lt;/script&gt;",
      "<script" },
    { "\" onclick=\"y", "customer", "&quot; onclick=&quot;y", "\" onclick" },
    { "<b>&", "role", "&lt;b&gt;&amp;", "<b>" },
    { "'\"<>&", "legend", "&#39;&quot;&lt;&gt;&amp;", "'\"<" },
    /* controls become spaces, bidi overrides vanish, bad bytes U+FFFD */
    { "a\x01"
      "b\x1b"
      "c\x7f"
      "d",
      "name", "a b c d", "\x1b" },
    { "x\xe2\x80\xaey", "name", ">xy<", "\xe2\x80\xae" },
    { "a\xff"
      "b\xc0\xaf"
      "c",
      "name",
      "a\xef\xbf\xbd"
      "b\xef\xbf\xbd\xef\xbf\xbd"
      "c",
      "\xff" },
    { "s\xed\xa0\x80"
      "e",
      "name",
      "s\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
      "e",
      "\xed\xa0" },
    { "n\xef\xbf\xbe", "name", "n\xef\xbf\xbd", "\xef\xbf\xbe" },
};

static void
test_svg_escaping(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(esc_rows); i++) {
        const struct esc_row *w = &esc_rows[i];
        struct chain_contact k = K(7, "budget", 1, true);
        struct chain_role roles[2] = { roles5[0], roles5[3] };
        struct chain_labels l = labels_en;
        struct chain c;
        struct buf b;
        char what[64];

        if (strcmp(w->where, "name") == 0)
            k.name = str_c(w->name);
        else if (strcmp(w->where, "title") == 0)
            k.title = str_c(w->name);
        else if (strcmp(w->where, "dept") == 0)
            k.dept = str_c(w->name);
        else if (strcmp(w->where, "role") == 0)
            roles[1].label = str_c(w->name);
        else if (strcmp(w->where, "legend") == 0)
            l.consensus = str_c(w->name);
        c = chain_of(roles, 2, &k, 1);
        if (strcmp(w->where, "customer") == 0)
            c.customer = str_c(w->name);
        snprintf(what, sizeof(what), "escaping row %zu", i);
        b = render(what, &c, &l);
        if (strstr(b.p, w->want) == NULL)
            fail_msg("%s: no '%s' in\n%s", what, w->want, b.p);
        if (strstr(b.p, w->never) != NULL)
            fail_msg("%s: '%s' in\n%s", what, w->never, b.p);
        buf_free(&b);
    }
}

/* --- SVG: cutting texts at character boundaries ------------------------ */

struct cut_row {
    const char *in;
    int is_title;
    const char *want; /* the box's text element content */
};

/* 欧阳诸葛司马上官东方 and friends, as bytes. */
#define ZH_OUYANG "\xe6\xac\xa7\xe9\x98\xb3"
#define ZH_ZHUGE "\xe8\xaf\xb8\xe8\x91\x9b"
#define ZH_SIMA "\xe5\x8f\xb8\xe9\xa9\xac"
#define ZH_SHANG "\xe4\xb8\x8a"
#define ZH_GUANDONGFANG "\xe5\xae\x98\xe4\xb8\x9c\xe6\x96\xb9"
#define ELL "\xe2\x80\xa6"
#define ZH_TITLE                                                               \
    "\xe5\x8d\x8e\xe4\xb8\x9c\xe5\x8c\xba\xe5\x9f\x9f\xe9\x94\x80\xe5\x94"     \
    "\xae\xe6\x80\xbb\xe7\x9b\x91" /* 华东区域销售总监 */
#define ZH_TITLE_TAIL                                                          \
    "\xe5\x85\xbc\xe9\x87\x87\xe8\xb4\xad\xe8\xb4\x9f\xe8\xb4\xa3\xe4\xba"     \
    "\xba" /* 兼采购负责人 */
#define EMOJI "\xf0\x9f\x98\x80"

static const struct cut_row cut_rows[] = {
    /* 7 CJK characters are 14 columns: fit exactly */
    { ZH_OUYANG ZH_ZHUGE ZH_SIMA ZH_SHANG, 0,
      ZH_OUYANG ZH_ZHUGE ZH_SIMA ZH_SHANG },
    /* 10 are cut to 6 plus the ellipsis */
    { ZH_OUYANG ZH_ZHUGE ZH_SIMA ZH_SHANG ZH_GUANDONGFANG, 0,
      ZH_OUYANG ZH_ZHUGE ZH_SIMA ELL },
    { "\xe5\xbc\xa0"
      "ABCDEFGHIJKLM",
      0,
      "\xe5\xbc\xa0"
      "ABCDEFGHIJ" ELL },
    { "ABCDEFGHIJKLMN", 0, "ABCDEFGHIJKLMN" },
    { "ABCDEFGHIJKLMNO", 0, "ABCDEFGHIJKL" ELL },
    { EMOJI EMOJI EMOJI EMOJI EMOJI EMOJI EMOJI EMOJI, 0,
      EMOJI EMOJI EMOJI EMOJI EMOJI EMOJI ELL },
    /* an escaped character counts as one column, not five */
    { "&&&&&&&&&&&&&&&", 0,
      "&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;" ELL },
    /* a multi-byte character cut short at the end of the input */
    { "ABCDEFGHIJ\xe4\xb8", 0, "ABCDEFGHIJ\xef\xbf\xbd\xef\xbf\xbd" },
    { ZH_TITLE ZH_TITLE_TAIL, 1, ZH_TITLE ELL },
    { ZH_TITLE "A", 1, ZH_TITLE "A" },
};

static void
test_svg_cut(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(cut_rows); i++) {
        const struct cut_row *w = &cut_rows[i];
        struct chain_contact k = K(9, "budget", 1, false);
        struct chain c = chain_of(roles5, 1, &k, 1);
        char what[64], want[256];
        struct buf b;
        /* An exact-size copy without NUL, so that a read past the end
         * (a cut multi-byte character) trips the sanitizer. */
        size_t n = strlen(w->in);
        char *in = malloc(n);
        struct str s = { in, n };

        assert_non_null(in);
        memcpy(in, w->in, n);
        if (w->is_title)
            k.title = s;
        else
            k.name = s;
        snprintf(what, sizeof(what), "cut row %zu", i);
        snprintf(want, sizeof(want), "\">%s</text>", w->want);
        b = render(what, &c, &labels_en);
        if (strstr(b.p, want) == NULL)
            fail_msg("%s: no '%s' in\n%s", what, want, b.p);
        buf_free(&b);
        free(in);
    }
}

/* A huge name costs no more than its cut: the output stays small. */
static void
test_svg_huge_text(void **state)
{
    size_t n = 1u << 20, i;
    char *big = malloc(n);
    struct chain_contact k = K(1, "budget", 1, true);
    struct chain c = chain_of(roles5, 1, &k, 1);
    struct buf b;

    (void)state;
    assert_non_null(big);
    for (i = 0; i + 3 <= n; i += 3)
        memcpy(big + i, "\xe4\xb8\xad", 3); /* 中 */
    memset(big + i, '<', n - i);
    k.name.p = big;
    k.name.len = n;
    k.title = k.name;
    k.dept = k.name;
    c.customer = k.name;
    b = render("huge text", &c, &labels_en);
    assert_true(b.len < 8192);
    buf_free(&b);
    free(big);
}

/* --- SVG: how many boxes, "+K", which are shown -------------------------- */

struct more_row {
    size_t per_role[5]; /* contacts in each of roles5 */
    size_t unknown;     /* contacts with an unknown role key */
    size_t boxes;
    const char *more; /* "+K" texts expected, ";"-separated, in order */
};

static const struct more_row more_rows[] = {
    { { 0, 0, 0, 0, 0 }, 0, 0, "" },
    { { 0, 0, 0, 0, 0 }, 5, 0, "" },
    { { 1, 0, 0, 0, 0 }, 0, 1, "" },
    { { 6, 0, 0, 0, 0 }, 0, 6, "" },
    { { 7, 0, 0, 0, 0 }, 0, 6, "+1" },
    { { 20, 3, 0, 0, 9 }, 2, 15, "+14;+3" },
    { { 2, 6, 7, 100, 1 }, 0, 21, "+1;+94" },
};

static void
test_svg_overflow(void **state)
{
    struct chain_contact *k = malloc(200 * sizeof(*k));
    size_t i, r, j, n;

    (void)state;
    assert_non_null(k);
    for (i = 0; i < NROWS(more_rows); i++) {
        const struct more_row *w = &more_rows[i];
        struct chain c;
        struct buf b;
        char what[64], want[32];
        const char *m, *p;

        n = 0;
        for (r = 0; r < 5; r++)
            for (j = 0; j < w->per_role[r]; j++) {
                struct chain_contact x = K((int64_t)n, "", 1, true);

                x.role = roles5[r].key;
                k[n++] = x;
            }
        for (j = 0; j < w->unknown; j++) {
            struct chain_contact x = K((int64_t)n, "nobody", 1, true);

            k[n++] = x;
        }
        c = chain_of(roles5, 5, k, n);
        snprintf(what, sizeof(what), "overflow row %zu", i);
        b = render(what, &c, &labels_en);
        if (count(b.p, "<g class=\"contact ") != w->boxes)
            fail_msg("%s: %zu boxes, want %zu", what,
                     count(b.p, "<g class=\"contact "), w->boxes);
        /* the "+K" texts, in column order */
        p = b.p;
        for (m = w->more; *m != '\0';) {
            size_t ml = strcspn(m, ";");

            snprintf(want, sizeof(want), "\">%.*s</text>", (int)ml, m);
            p = strstr(p, want);
            if (p == NULL)
                fail_msg("%s: no %s in order", what, want);
            m += ml;
            if (*m == ';')
                m++;
        }
        if (*w->more == '\0' && strstr(b.p, "class=\"more\"") != NULL)
            fail_msg("%s: unexpected +K", what);
        buf_free(&b);
    }
    free(k);
}

/* Covering contacts are shown first, the most recently met next, never
 * met last; ties keep input order. */
static void
test_svg_shown_first(void **state)
{
    static const struct chain_contact k[] = {
        K(101, "budget", -1, false), K(102, "budget", 200, false),
        K(103, "budget", 90, true),  K(104, "budget", 10, false),
        K(105, "budget", 50, false), K(106, "budget", 60, false),
        K(107, "budget", 70, false), K(108, "budget", 29, true),
        K(109, "budget", 3, false),
    };
    /* 108 covers; 109, 104 met; 103 consensus only; then 105, 106, 107,
     * 102 by days; 101 never.  Six shown. */
    static const int64_t order[] = { 108, 109, 104, 103, 105, 106 };
    struct chain c = chain_of(roles5, 1, k, NROWS(k));
    struct buf b = render("shown first", &c, &labels_en);
    const char *p = b.p;
    size_t i;
    char want[32];

    (void)state;
    for (i = 0; i < NROWS(order); i++) {
        snprintf(want, sizeof(want), "data-id=\"%lld\"", (long long)order[i]);
        p = strstr(p, want);
        if (p == NULL)
            fail_msg("%s missing or out of order", want);
    }
    assert_null(strstr(b.p, "data-id=\"101\""));
    assert_null(strstr(b.p, "data-id=\"102\""));
    assert_null(strstr(b.p, "data-id=\"107\""));
    assert_non_null(strstr(b.p, ">+3</text>"));
    buf_free(&b);
}

/* --- SVG: marking --------------------------------------------------------- */

struct mark_row {
    const char *name;
    const struct chain_contact *k;
    size_t nk;
    size_t uncovered; /* required roles drawn as uncovered */
    const char *pen;  /* the penetration text */
    size_t met, not_met, consensus;
};

static const struct chain_contact k_mixed[] = {
    K(1, "budget", 2, true),      /* covers */
    K(2, "acceptance", 2, false), /* met, no consensus */
    K(3, "influencer", 60, true), /* consensus, long ago */
    K(4, "user", -1, false),
};

static const struct mark_row mark_rows[] = {
    { "empty", NULL, 0, 3, "Penetration 0% (0/3)", 0, 0, 0 },
    { "mixed", KS(k_mixed), 2, "Penetration 33% (1/3)", 2, 2, 2 },
    { "all", KS(k_all), 0, "Penetration 100% (3/3)", 3, 0, 3 },
};

static void
test_svg_marking(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < NROWS(mark_rows); i++) {
        const struct mark_row *w = &mark_rows[i];
        struct chain c = chain_of(ROWS5, w->k, w->nk);
        struct buf b = render(w->name, &c, &labels_en);
        const char *budget, *user;

        if (count(b.p, "class=\"role required uncovered\"") != w->uncovered)
            fail_msg("%s: %zu uncovered", w->name,
                     count(b.p, "class=\"role required uncovered\""));
        assert_int_equal(count(b.p, "class=\"role required"), 3);
        assert_int_equal(count(b.p, "class=\"role\""), 2);
        /* red outline exactly on the uncovered columns, plus the legend */
        assert_int_equal(count(b.p, "stroke=\"#dc2626\" stroke-width=\"2\""),
                         w->uncovered + 1);
        if (strstr(b.p, w->pen) == NULL)
            fail_msg("%s: no '%s'", w->name, w->pen);
        assert_int_equal(count(b.p, "<g class=\"contact met"), w->met);
        assert_int_equal(count(b.p, "<g class=\"contact not-met"), w->not_met);
        assert_int_equal(count(b.p, " consensus\""), w->consensus);
        /* consensus check marks: one per such contact, plus the legend */
        assert_int_equal(count(b.p, "l4-4\""), 1);
        assert_int_equal(count(b.p, "l5-6\""), w->consensus);
        assert_int_equal(count(b.p, "stroke-dasharray=\"4 3\""), w->not_met);
        /* required columns first */
        budget = strstr(b.p, ">\xe9\xa2\x84\xe7\xae\x97</text>");
        user = strstr(b.p, ">\xe4\xbd\xbf\xe7\x94\xa8\xe8\x80\x85</text>");
        assert_non_null(budget);
        assert_non_null(user);
        assert_true(budget < user);
        buf_free(&b);
    }
}

/* Required roles listed last still come first, and a chain with nothing
 * required says so without a percentage. */
static void
test_svg_order_and_na(void **state)
{
    static const struct chain_role roles[] = {
        { S("user"), S("U-col"), false },
        { S("budget"), S("B-col"), true },
    };
    struct chain c = chain_of(roles, 2, NULL, 0);
    struct buf b = render("order", &c, &labels_en);

    (void)state;
    assert_true(strstr(b.p, ">B-col<") < strstr(b.p, ">U-col<"));
    buf_free(&b);

    c = chain_of(roles_optional, 2, NULL, 0);
    b = render("not applicable", &c, &labels_en);
    assert_non_null(strstr(b.p, ">Penetration \xe2\x80\x94</text>"));
    assert_null(strstr(b.p, "% ("));
    assert_null(strstr(b.p, "uncovered"));
    buf_free(&b);

    c = chain_of(NULL, 0, NULL, 0);
    b = render("no roles", &c, &labels_en);
    assert_null(strstr(b.p, "class=\"role"));
    assert_null(strstr(b.p, "class=\"links\""));
    buf_free(&b);
}

static void
test_svg_accessible(void **state)
{
    struct chain c = chain_of(ROWS5, KS(k_mixed));
    struct buf b;
    const char *want = "aria-label=\"Decision chain: ACME \xc2\xb7 "
                       "Penetration 33% (1/3) \xc2\xb7 required, not "
                       "covered: \xe9\xaa\x8c\xe6\x94\xb6, "
                       "\xe5\x8f\xa3\xe7\xa2\x91\"";

    (void)state;
    b = render("accessible", &c, &labels_en);
    if (strstr(b.p, want) == NULL)
        fail_msg("no %s in\n%s", want, b.p);
    assert_non_null(strstr(b.p, "<title>Decision chain: ACME"));
    /* every contact box has its tooltip */
    assert_int_equal(count(b.p, "<g class=\"contact "),
                     count(b.p, "<title>Name \xc2\xb7 Title \xc2\xb7 Dept"
                                "</title>"));
    buf_free(&b);
}

/* --- SVG: limits, failures, determinism --------------------------------- */

static const struct chain_contact k_sample[] = {
    { 11, S("\xe5\xbc\xa0\xe4\xbc\x9f"), S("CFO"), S("Finance"), S("budget"), 3,
      true },
    { 12, S("\xe6\x9d\x8e\xe5\xa8\x9c"), S("IT"), S("IT"), S("acceptance"), 45,
      false },
    { 13, S("\xe7\x8e\x8b\xe5\xbc\xba"), S(""), S(""), S("user"), -1, false },
};

static void
test_svg_exact_max(void **state)
{
    static const char prefix[] = "<p>keep</p>";
    static const size_t tiny[] = { 0, 1, 16, 200, 1000 };
    struct chain c = chain_of(ROWS5, KS(k_sample));
    size_t plen = sizeof(prefix) - 1, svglen, i;
    struct buf b;

    (void)state;
    b = render("exact max", &c, &labels_en);
    svglen = b.len;
    buf_free(&b);

    for (i = 0; i < NROWS(tiny); i++) {
        buf_init(&b, NULL, tiny[i]);
        assert_int_equal(chain_svg(&c, &labels_en, &b), APP_ETOOBIG);
        assert_int_equal(b.len, 0);
        buf_free(&b);
    }

    buf_init(&b, NULL, plen + svglen - 1);
    assert_int_equal(buf_puts(&b, prefix), APP_OK);
    assert_int_equal(chain_svg(&c, &labels_en, &b), APP_ETOOBIG);
    assert_int_equal(b.len, plen);
    assert_string_equal(b.p, prefix);
    buf_free(&b);

    buf_init(&b, NULL, plen + svglen);
    assert_int_equal(buf_puts(&b, prefix), APP_OK);
    assert_int_equal(chain_svg(&c, &labels_en, &b), APP_OK);
    assert_int_equal(b.len, plen + svglen);
    assert_memory_equal(b.p, prefix, plen);
    buf_free(&b);
}

static void
test_svg_enomem(void **state)
{
    struct arena *a = arena_new(1024, BIG);
    struct chain c = chain_of(ROWS5, KS(k_sample));
    unsigned n;
    int saw_enomem = 0, saw_ok = 0;

    (void)state;
    assert_non_null(a);
    for (n = 1; n <= 16; n++) {
        struct buf b;
        enum app_err rc;

        arena_reset(a);
        buf_init(&b, a, BIG);
        assert_int_equal(buf_puts(&b, "x"), APP_OK);
        arena_fail_after(a, n);
        rc = chain_svg(&c, &labels_en, &b);
        arena_fail_after(a, 0);
        if (rc == APP_ENOMEM) {
            saw_enomem = 1;
            assert_int_equal(b.len, 1);
            assert_string_equal(b.p, "x");
        } else {
            assert_int_equal(rc, APP_OK);
            saw_ok = 1;
        }
    }
    assert_true(saw_enomem);
    assert_true(saw_ok);
    arena_free(a);
}

static void
test_svg_deterministic(void **state)
{
    struct chain c = chain_of(ROWS5, KS(k_mixed));
    struct buf a = render("first", &c, &labels_en);
    struct buf b = render("second", &c, &labels_en);
    struct arena *ar = arena_new(4096, BIG);
    struct buf d;

    (void)state;
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.p, b.p, a.len);
    /* an arena buffer gives the same bytes as a heap one */
    assert_non_null(ar);
    buf_init(&d, ar, BIG);
    assert_int_equal(chain_svg(&c, &labels_en, &d), APP_OK);
    assert_int_equal(d.len, a.len);
    assert_memory_equal(d.p, a.p, a.len);
    /* appending keeps what was there */
    assert_int_equal(chain_svg(&c, &labels_en, &b), APP_OK);
    assert_int_equal(b.len, 2 * a.len);
    assert_memory_equal(b.p + a.len, a.p, a.len);
    arena_free(ar);
    buf_free(&a);
    buf_free(&b);
}

/* The decimal number at *p (the picture's are small), moving *p past it. */
static unsigned
number_at(const char **p)
{
    unsigned v = 0;

    while (**p >= '0' && **p <= '9') {
        v = v * 10 + (unsigned)(**p - '0');
        (*p)++;
    }
    return v;
}

/* Where each role column stands: its translate(x y), in drawing order. */
static size_t
role_places(const char *svg, unsigned xs[], unsigned ys[], size_t max)
{
    const char *p = svg;
    size_t n = 0;

    while ((p = strstr(p, "<g class=\"role")) != NULL && n < max) {
        p = strstr(p, "translate(");
        if (p == NULL)
            fail_msg("a role column without translate(x y)");
        p += strlen("translate(");
        xs[n] = number_at(&p);
        if (*p++ != ' ')
            fail_msg("translate(x y) without y");
        ys[n] = number_at(&p);
        if (*p != ')')
            fail_msg("translate(x y) not closed");
        n++;
    }
    return n;
}

static size_t
distinct(const unsigned v[], size_t n)
{
    size_t i, j, d = 0;

    for (i = 0; i < n; i++) {
        for (j = 0; j < i && v[j] != v[i]; j++)
            ;
        d += j == i;
    }
    return d;
}

/* Two roles a row (the phone's picture): every role and contact drawn,
 * columns in two places across and three rows down, a viewBox as narrow as
 * two columns; 0 or as many as the roles is chain_svg()'s one row. */
static void
test_svg_rows(void **state)
{
    struct chain c = chain_of(ROWS5, KS(k_mixed));
    struct buf one = render("one row", &c, &labels_en), b;
    unsigned xs[16], ys[16];
    const char *vb;
    unsigned per_row[] = { 0, 5, 9 };
    size_t i, n;

    (void)state;
    for (i = 0; i < sizeof(per_row) / sizeof(per_row[0]); i++) {
        buf_init(&b, NULL, BIG);
        assert_int_equal(chain_svg_rows(&c, &labels_en, per_row[i], &b),
                         APP_OK);
        assert_int_equal(b.len, one.len);
        assert_memory_equal(b.p, one.p, one.len);
        buf_free(&b);
    }
    buf_init(&b, NULL, BIG);
    assert_int_equal(chain_svg_rows(&c, &labels_en, 2, &b), APP_OK);
    check_svg("two a row", &b);
    vb = strstr(b.p, "viewBox=\"0 0 ");
    assert_non_null(vb);
    vb += strlen("viewBox=\"0 0 ");
    assert_int_equal(number_at(&vb), 2 * 150 + 10 + 2 * 12);
    n = role_places(b.p, xs, ys, 16);
    assert_int_equal(n, 5);
    assert_int_equal(distinct(xs, n), 2);
    assert_int_equal(distinct(ys, n), 3);
    for (i = 0; i < NROWS(k_mixed); i++) {
        char id[32];

        snprintf(id, sizeof(id), "data-id=\"%lld\"", (long long)k_mixed[i].id);
        assert_non_null(strstr(b.p, id));
    }
    buf_free(&b);
    buf_free(&one);
}

/* The checker itself must catch what it is there for. */
static void
test_checker(void **state)
{
    static const struct {
        const char *svg;
        int ok;
    } rows[] = {
        { "<svg><g></g></svg>", 1 },
        { "<svg><g></svg>", 0 },
        { "<svg></svg><svg></svg>", 0 },
        { "<svg><script>x</script></svg>", 0 },
        { "<svg><g onload=\"x\"/></svg>", 0 },
        { "<svg><g style=\"x\"/></svg>", 0 },
        { "<svg><g class=\"a\" class=\"b\"/></svg>", 0 },
        { "<svg><text>a & b</text></svg>", 0 },
        { "<svg><text>a &amp; b</text></svg>", 1 },
        { "<svg><text>a > b</text></svg>", 0 },
        { "<svg><g class='x'/></svg>", 0 },
        { "<svg><!-- x --></svg>", 0 },
    };
    size_t i, n;

    (void)state;
    for (i = 0; i < NROWS(rows); i++)
        if ((svgcheck_xml(rows[i].svg, ok_elems, ok_attrs, &n) == NULL) !=
            rows[i].ok)
            fail_msg("checker row %zu: %s", i, rows[i].svg);
    assert_true(svgcheck_utf8((const unsigned char *)"\xe4\xb8\xad", 3));
    assert_false(svgcheck_utf8((const unsigned char *)"\xe4\xb8", 2));
    assert_false(svgcheck_utf8((const unsigned char *)"\xc0\xaf", 2));
    assert_false(svgcheck_utf8((const unsigned char *)"\xed\xa0\x80", 3));
    assert_true(svgcheck_event_attr("<g onload=\"x\""));
    assert_false(svgcheck_event_attr("x onload=&quot;y"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checker),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_penetration),
        cmocka_unit_test(test_contact_covers),
        cmocka_unit_test(test_svg_escaping),
        cmocka_unit_test(test_svg_cut),
        cmocka_unit_test(test_svg_huge_text),
        cmocka_unit_test(test_svg_overflow),
        cmocka_unit_test(test_svg_shown_first),
        cmocka_unit_test(test_svg_marking),
        cmocka_unit_test(test_svg_order_and_na),
        cmocka_unit_test(test_svg_accessible),
        cmocka_unit_test(test_svg_exact_max),
        cmocka_unit_test(test_svg_enomem),
        cmocka_unit_test(test_svg_deterministic),
        cmocka_unit_test(test_svg_rows),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
