/*
 * sellthrough_test.c -- the pure parts of the sell-through metrics: day
 * windows, ISO weeks, the cache body, sums and the nearest peers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <stdio.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "http/http.h"
#include "metrics/sellthrough.h"
#include "web/sellthrough_view.h"

struct window_row {
    const char *launch, *as_of;
    bool ok, started;
    const char *fw_last, *fw_to, *week_from;
};

static const struct window_row window_rows[] = {
    /* malformed first */
    { "", "2026-12-01", false, false, NULL, NULL, NULL },
    { "2026-12-01", "2026-13-01", false, false, NULL, NULL, NULL },
    { "2026-02-30", "2026-03-01", false, false, NULL, NULL, NULL },
    { "2026-12-1", "2026-12-01", false, false, NULL, NULL, NULL },
    { "2026-12-01 ", "2026-12-01", false, false, NULL, NULL, NULL },
    /* before the launch: nothing started, the weekly window is empty */
    { "2026-12-01", "2026-11-30", true, false, "2026-12-07", "2026-11-30",
      "2026-12-01" },
    /* launch day */
    { "2026-12-01", "2026-12-01", true, true, "2026-12-07", "2026-12-01",
      "2026-12-01" },
    /* inside the first week */
    { "2026-12-01", "2026-12-04", true, true, "2026-12-07", "2026-12-04",
      "2026-12-01" },
    /* the first week's last day */
    { "2026-12-01", "2026-12-07", true, true, "2026-12-07", "2026-12-07",
      "2026-12-01" },
    /* after it: the first week stays, the weekly window slides */
    { "2026-12-01", "2026-12-08", true, true, "2026-12-07", "2026-12-07",
      "2026-12-02" },
    { "2026-12-28", "2027-01-05", true, true, "2027-01-03", "2027-01-03",
      "2026-12-30" },
    /* a leap day inside */
    { "2028-02-25", "2028-03-02", true, true, "2028-03-02", "2028-03-02",
      "2028-02-25" },
};

static void
test_window(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(window_rows) / sizeof(window_rows[0]); i++) {
        const struct window_row *r = &window_rows[i];
        struct st_window w;
        bool ok = st_window(r->launch, r->as_of, &w);

        if (ok != r->ok)
            fail_msg("row %zu: ok %d", i, ok);
        if (!ok)
            continue;
        if (w.started != r->started || strcmp(w.fw_last, r->fw_last) != 0 ||
            strcmp(w.fw_to, r->fw_to) != 0 ||
            strcmp(w.week_from, r->week_from) != 0)
            fail_msg("row %zu: %d %s %s %s", i, w.started, w.fw_last, w.fw_to,
                     w.week_from);
    }
}

struct week_row {
    const char *day;
    const char *want; /* NULL: malformed */
};

static const struct week_row week_rows[] = {
    { "2026-02-29", NULL },       { "x", NULL },
    { "2026-12-06", "2026-W49" }, /* a Sunday */
    { "2026-12-07", "2026-W50" }, /* the next Monday */
    { "2027-01-01", "2026-W53" }, /* a Friday: the year before's week */
    { "2026-01-01", "2026-W01" }, /* a Thursday */
    { "2024-12-30", "2025-W01" }, /* a Monday in the next year's week */
    { "2021-01-03", "2020-W53" },
};

static void
test_iso_week(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(week_rows) / sizeof(week_rows[0]); i++) {
        char out[16];
        bool ok = st_iso_week(week_rows[i].day, out);

        if (ok != (week_rows[i].want != NULL) ||
            (ok && strcmp(out, week_rows[i].want) != 0))
            fail_msg("row %zu: %d %s", i, ok, ok ? out : "");
    }
}

struct decode_row {
    const char *body;
    enum app_err rc;
    size_t n;
};

#define NUMS "1\t1\t1\t1\t2\t3\t4\t5\t6\t7\t"
#define TEXTS "A1\tname\teast\tWang\n"
static const struct decode_row decode_rows[] = {
    { "", APP_EINVAL, 0 },
    { "st1\n", APP_EINVAL, 0 },
    { "st2\n" NUMS "31.2\t121.4\tA1\tname\teast\n", APP_EINVAL, 0 }, /* short */
    { "st2\n" NUMS "31.2\t121.4\tA1\tname\teast\tWang", APP_EINVAL, 0 },
    { "st2\n1\t2\t1\t1\t2\t3\t4\t5\t6\t7\t\t\t" TEXTS, APP_EINVAL, 0 },
    { "st2\n0\t1\t1\t1\t2\t3\t4\t5\t6\t7\t\t\t" TEXTS, APP_EINVAL, 0 },
    { "st2\n1\t1\t1\t1\t2\t3\t-4\t5\t6\t7\t\t\t" TEXTS, APP_EINVAL, 0 },
    { "st2\n1\t1\t1\t1\tx\t3\t4\t5\t6\t7\t\t\t" TEXTS, APP_EINVAL, 0 },
    { "st2\n" NUMS "91x\t121.4\t" TEXTS, APP_EINVAL, 0 },  /* bad lat */
    { "st2\n" NUMS "31.2\t181\t" TEXTS, APP_EINVAL, 0 },   /* lng > 180 */
    { "st2\n" NUMS "\t\tA\\x\tn\te\tW\n", APP_EINVAL, 0 }, /* bad escape */
    { "st2\n" NUMS "\t\tA\\\tn\te\tW\n", APP_EINVAL, 0 },  /* ends in \ */
    { "st2\n" NUMS "\t\t" TEXTS "\n", APP_EINVAL, 0 },     /* empty line */
    { "st2\n" NUMS "\t\t" TEXTS NUMS "\t\t" TEXTS NUMS "\t\t" TEXTS,
      APP_ETOOBIG, 0 }, /* over max (2) */
    { "st2\n", APP_OK, 0 },
    { "st2\n7\t1\t0\t1\t-2\t30\t4\t1\t0\t0\t\t\t" TEXTS, APP_OK, 1 }, /* -2 */
};

static void
test_decode(void **state)
{
    struct arena *a = arena_new(4096, 1 << 20);
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(decode_rows) / sizeof(decode_rows[0]); i++) {
        struct st_store *s = NULL;
        size_t n = 99;
        enum app_err rc = st_decode(a, decode_rows[i].body,
                                    strlen(decode_rows[i].body), 2, &s, &n);

        if (rc != decode_rows[i].rc || (rc == APP_OK && n != decode_rows[i].n))
            fail_msg("row %zu: rc %d n %zu", i, rc, n);
    }
    arena_free(a);
}

static void
test_roundtrip(void **state)
{
    struct arena *a = arena_new(4096, 1 << 20);
    struct st_store in[3] = {
        { .store_id = 3,
          .fw_eligible = true,
          .fw_sold = true,
          .week_open = true,
          .units_new = 5,
          .units_all = 100,
          .buyers = 10,
          .repeaters = 3,
          .supervisor_id = 12,
          .customer_id = 40,
          .lat = 31.230416,
          .lng = 121.473701,
          .code = "S-1",
          .name = "门店\t一\\号\n",
          .region = "华东",
          .supervisor_name = "王" },
        { .store_id = 9,
          .fw_eligible = false,
          .week_open = false,
          .units_new = -1,
          .units_all = 0,
          .lat = NAN,
          .lng = NAN,
          .code = "S-2",
          .name = "",
          .region = "",
          .supervisor_name = "" },
        { .store_id = 12,
          .fw_eligible = true,
          .week_open = true,
          .units_new = 0,
          .units_all = 40,
          .buyers = 0,
          .lat = -33.5,
          .lng = -70.25,
          .code = "S-3",
          .name = "\\t",
          .region = "x",
          .supervisor_name = NULL },
    };
    struct st_store *out = NULL;
    struct buf b;
    size_t n = 0, i;

    (void)state;
    buf_init(&b, a, 1 << 16);
    assert_int_equal(st_encode(in, 3, &b), APP_OK);
    assert_int_equal(st_decode(a, b.p, b.len, 10, &out, &n), APP_OK);
    assert_int_equal(n, 3);
    for (i = 0; i < 3; i++) {
        assert_int_equal(out[i].store_id, in[i].store_id);
        assert_int_equal(out[i].fw_eligible, in[i].fw_eligible);
        assert_int_equal(out[i].fw_sold, in[i].fw_sold);
        assert_int_equal(out[i].week_open, in[i].week_open);
        assert_int_equal(out[i].units_new, in[i].units_new);
        assert_int_equal(out[i].units_all, in[i].units_all);
        assert_int_equal(out[i].buyers, in[i].buyers);
        assert_int_equal(out[i].repeaters, in[i].repeaters);
        assert_int_equal(out[i].supervisor_id, in[i].supervisor_id);
        assert_int_equal(out[i].customer_id, in[i].customer_id);
        assert_int_equal(isnan(out[i].lat), isnan(in[i].lat));
        if (!isnan(in[i].lat))
            assert_true(fabs(out[i].lat - in[i].lat) < 1e-6 &&
                        fabs(out[i].lng - in[i].lng) < 1e-6);
        assert_string_equal(out[i].code, in[i].code);
        assert_string_equal(out[i].name, in[i].name);
        assert_string_equal(out[i].region, in[i].region);
        assert_string_equal(
            out[i].supervisor_name,
            in[i].supervisor_name != NULL ? in[i].supervisor_name : "");
    }
    arena_free(a);
}

/* Sums: numerators and denominators are added, never ratios averaged. */
static void
test_summarize(void **state)
{
    struct arena *a = arena_new(4096, 1 << 20);
    struct st_store s[] = {
        /* east, supervisor 5: eligible and sold, open, 10/100, 4 buyers 1 */
        { .store_id = 1,
          .code = "A1",
          .region = "east",
          .supervisor_id = 5,
          .supervisor_name = "Wang",
          .fw_eligible = true,
          .fw_sold = true,
          .week_open = true,
          .units_new = 10,
          .units_all = 100,
          .buyers = 4,
          .repeaters = 1 },
        /* east, supervisor 5: eligible, not sold, open, 0/300 */
        { .store_id = 2,
          .code = "A2",
          .region = "east",
          .supervisor_id = 5,
          .supervisor_name = "Wang",
          .fw_eligible = true,
          .week_open = true,
          .units_new = 0,
          .units_all = 300,
          .buyers = 0 },
        /* west, no supervisor: not eligible, closed on T (its units do
         * not count), 2 buyers 2 */
        { .store_id = 3,
          .code = "B1",
          .region = "west",
          .supervisor_id = 0,
          .supervisor_name = "",
          .fw_eligible = false,
          .week_open = false,
          .units_new = 7,
          .units_all = 7,
          .buyers = 2,
          .repeaters = 2 },
    };
    struct sellthrough st = { .stores = s, .nstores = 3 };

    (void)state;
    assert_int_equal(st_summarize(a, &st, true), APP_OK);
    assert_int_equal(st.total.fw_eligible, 2);
    assert_int_equal(st.total.fw_sold, 1);
    assert_true(fabs(st.total.distribution - 0.5) < 1e-12);
    assert_int_equal(st.total.units_new, 10);
    assert_int_equal(st.total.units_all, 400);
    assert_true(fabs(st.total.sku_ratio - 0.025) < 1e-12); /* not 0.05 */
    assert_int_equal(st.total.buyers, 6);
    assert_int_equal(st.total.repeaters, 3);
    assert_int_equal(st.nregions, 2);
    assert_string_equal(st.regions[0].key, "east");
    assert_string_equal(st.regions[1].key, "west");
    assert_true(isnan(st.regions[1].distribution)); /* none eligible */
    assert_true(isnan(st.regions[1].sku_ratio));    /* none open */
    assert_true(fabs(st.regions[1].repurchase - 1.0) < 1e-12);
    assert_int_equal(st.nsupervisors, 2);
    assert_int_equal(st.supervisors[0].supervisor_id, 0);
    assert_int_equal(st.supervisors[1].supervisor_id, 5);
    assert_string_equal(st.supervisors[1].name, "Wang");
    assert_true(fabs(st.supervisors[1].repurchase - 0.25) < 1e-12);
    /* not started: no distribution rate, even with eligible stores */
    assert_int_equal(st_summarize(a, &st, false), APP_OK);
    assert_true(isnan(st.total.distribution));
    /* no stores */
    st.nstores = 0;
    assert_int_equal(st_summarize(a, &st, true), APP_OK);
    assert_int_equal(st.nregions, 0);
    assert_true(isnan(st.total.sku_ratio) && isnan(st.total.repurchase));
    arena_free(a);
}

struct km_row {
    double lat1, lng1, lat2, lng2, want, tol;
};

static const struct km_row km_rows[] = {
    { 31.2304, 121.4737, 31.2304, 121.4737, 0, 1e-9 },
    { 0, 0, 0, 1, 111.19, 0.01 }, /* a degree at the equator */
    { 31.2304, 121.4737, 39.9042, 116.4074, 1067.3, 1.5 }, /* SH - BJ */
    { 0, 0, 0, 180, 20015.1, 0.2 },                        /* half the world */
};

static void
test_km(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(km_rows) / sizeof(km_rows[0]); i++) {
        const struct km_row *r = &km_rows[i];
        double km = st_km(r->lat1, r->lng1, r->lat2, r->lng2);

        if (fabs(km - r->want) > r->tol)
            fail_msg("row %zu: %f", i, km);
    }
}

static void
test_peers(void **state)
{
    struct st_store s[] = {
        { .store_id = 1,
          .code = "ME",
          .lat = 31.0,
          .lng = 121.0,
          .week_open = true,
          .units_new = 1,
          .units_all = 100 },
        /* 0.1 degree north, ratio 0.10 */
        { .store_id = 2,
          .code = "N1",
          .lat = 31.1,
          .lng = 121.0,
          .week_open = true,
          .units_new = 10,
          .units_all = 100 },
        /* 0.05 north: nearest, ratio 0.02 (below 0.05) */
        { .store_id = 3,
          .code = "N0",
          .lat = 31.05,
          .lng = 121.0,
          .week_open = true,
          .units_new = 2,
          .units_all = 100 },
        /* closed on T: never a peer */
        { .store_id = 4,
          .code = "C",
          .lat = 31.01,
          .lng = 121.0,
          .week_open = false,
          .units_new = 50,
          .units_all = 100 },
        /* no position: never a peer */
        { .store_id = 5,
          .code = "P",
          .lat = NAN,
          .lng = NAN,
          .week_open = true,
          .units_new = 50,
          .units_all = 100 },
        /* 0.3 north, ratio 0.5 */
        { .store_id = 6,
          .code = "N3",
          .lat = 31.3,
          .lng = 121.0,
          .week_open = true,
          .units_new = 50,
          .units_all = 100 },
        /* 0.2 north, sold nothing: ratio unknown */
        { .store_id = 7,
          .code = "N2",
          .lat = 31.2,
          .lng = 121.0,
          .week_open = true,
          .units_new = 0,
          .units_all = 0 },
        /* same distance as N1: the code decides */
        { .store_id = 8,
          .code = "M1",
          .lat = 31.1,
          .lng = 121.0,
          .week_open = true,
          .units_new = 6,
          .units_all = 100 },
    };
    struct st_peer p[5];
    size_t n;

    (void)state;
    n = st_peers(s, 8, &s[0], NAN, p, 5);
    assert_int_equal(n, 5);
    assert_string_equal(p[0].store->code, "N0");
    assert_string_equal(p[1].store->code, "M1");
    assert_string_equal(p[2].store->code, "N1");
    assert_string_equal(p[3].store->code, "N2");
    assert_true(isnan(p[3].ratio));
    assert_string_equal(p[4].store->code, "N3");
    assert_true(fabs(p[0].km - 5.56) < 0.01);
    /* at or above 0.05, the 3 nearest */
    n = st_peers(s, 8, &s[0], 0.05, p, 3);
    assert_int_equal(n, 3);
    assert_string_equal(p[0].store->code, "M1");
    assert_string_equal(p[1].store->code, "N1");
    assert_string_equal(p[2].store->code, "N3");
    /* fewer than asked */
    n = st_peers(s, 8, &s[0], 0.4, p, 3);
    assert_int_equal(n, 1);
    /* a store without a position has no peers */
    assert_int_equal(st_peers(s, 8, &s[4], NAN, p, 5), 0);
}

struct pct_row {
    double v;
    const char *want;
};

static const struct pct_row pct_rows[] = {
    { NAN, "\xe2\x80\x94" }, { 1e300, "\xe2\x80\x94" },
    { 0, "0.0%" },           { 0.05, "5.0%" },
    { 0.0004, "0.0%" },      { 0.0005, "0.1%" }, /* rounds half away */
    { 0.032258, "3.2%" },    { 0.999, "99.9%" },
    { 1, "100.0%" },         { 12.345, "1234.5%" },
    { -0.25, "-25.0%" },     { -0.00001, "0.0%" },
};

struct pair_row {
    int64_t a, b;
    const char *want;
};

static const struct pair_row pair_rows[] = {
    { 0, 0, "0/0" },
    { 12, 340, "12/340" },
    { -2, 30, "-2/30" },
    { INT64_MIN, INT64_MAX, "-9223372036854775808/9223372036854775807" },
};

/* The dashboard's own number formatting, against printf's. */
static void
test_view_text(void **state)
{
    struct arena *a = arena_new(4096, 1 << 20);
    struct req r;
    size_t i;

    (void)state;
    memset(&r, 0, sizeof(r));
    r.a = a;
    for (i = 0; i < sizeof(pct_rows) / sizeof(pct_rows[0]); i++) {
        const char *got = st_view_pct_of(&r, pct_rows[i].v);

        if (got == NULL || strcmp(got, pct_rows[i].want) != 0)
            fail_msg("pct row %zu: %s", i, got != NULL ? got : "(null)");
    }
    for (i = 0; i < sizeof(pair_rows) / sizeof(pair_rows[0]); i++) {
        const char *got = st_view_pair(&r, pair_rows[i].a, pair_rows[i].b);

        if (got == NULL || strcmp(got, pair_rows[i].want) != 0)
            fail_msg("pair row %zu: %s", i, got != NULL ? got : "(null)");
    }
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window),    cmocka_unit_test(test_iso_week),
        cmocka_unit_test(test_decode),    cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_summarize), cmocka_unit_test(test_km),
        cmocka_unit_test(test_peers),     cmocka_unit_test(test_view_text),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
