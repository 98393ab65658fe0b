/*
 * diff_test.c -- line diffs: a table of exact listings (boundaries and
 * malformed input first), limits at and one past, failed allocations, and
 * a property test against an O(NM) LCS on random small texts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/diff.h"

#define NOLIM SIZE_MAX

/* A struct str initializer over a literal, which may contain NULs. */
#define T(s)                                                                   \
    {                                                                          \
        (s), sizeof(s) - 1                                                     \
    }

/* One row each, as cJSON_PrintUnformatted() writes it. */
#define SAME(o, n, t)                                                          \
    "{\"op\":\" \",\"old\":" #o ",\"new\":" #n ",\"text\":\"" t "\"}"
#define DEL(o, t)                                                              \
    "{\"op\":\"-\",\"old\":" #o ",\"new\":null,\"text\":\"" t "\"}"
#define INS(n, t)                                                              \
    "{\"op\":\"+\",\"old\":null,\"new\":" #n ",\"text\":\"" t "\"}"
#define SKIP(n) "{\"op\":\"~\",\"skipped\":" #n "}"
#define FFFD "\xEF\xBF\xBD"

#define MAX_ROWS 24

#define L20                                                                    \
    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n"

struct row {
    const char *name;
    struct str a, b;
    size_t context, max_lines, max_edits;
    enum app_err rc;
    const char *want[MAX_ROWS]; /* the rows appended, as JSON */
};

static const struct row rows[] = {
    /* clang-format off */
    /* Empty and one-sided. */
    { "empty/empty",
      T(""), T(""),
      3, NOLIM, NOLIM, APP_OK,
      { NULL } },
    { "empty/x",
      T(""), T("x"),
      3, NOLIM, NOLIM, APP_OK,
      { INS(1, "x") } },
    { "x/empty",
      T("x\n"), T(""),
      3, NOLIM, NOLIM, APP_OK,
      { DEL(1, "x") } },
    { "newline only",
      T("\n"), T(""),
      3, NOLIM, NOLIM, APP_OK,
      { DEL(1, "") } },

    /* Limits: at and one past. */
    { "max_lines 0, empty",
      T(""), T(""),
      3, 0, NOLIM, APP_OK,
      { NULL } },
    { "max_lines 0, one line",
      T(""), T("a"),
      3, 0, NOLIM, APP_ETOOBIG,
      { NULL } },
    { "max_lines at",
      T("a\nb\nc\n"), T("a\nX\nc\nd"),
      3, 4, NOLIM, APP_OK,
      { SAME(1, 1, "a"), DEL(2, "b"), INS(2, "X"), SAME(3, 3, "c"),
        INS(4, "d") } },
    { "max_lines past (new)",
      T("a\nb\nc\n"), T("a\nX\nc\nd"),
      3, 3, NOLIM, APP_ETOOBIG,
      { NULL } },
    { "max_lines past (old)",
      T("a\nX\nc\nd"), T("a\nb\nc\n"),
      3, 3, NOLIM, APP_ETOOBIG,
      { NULL } },
    { "max_lines at, no final newline",
      T("a\nb"), T("a\nb\nc\n"),
      3, 3, NOLIM, APP_OK,
      { SAME(1, 1, "a"), SAME(2, 2, "b"), INS(3, "c") } },
    { "max_edits at (odd)",
      T("a\nb\nc\n"), T("a\nX\nc\nd\n"),
      3, NOLIM, 3, APP_OK,
      { SAME(1, 1, "a"), DEL(2, "b"), INS(2, "X"), SAME(3, 3, "c"),
        INS(4, "d") } },
    { "max_edits past (odd)",
      T("a\nb\nc\n"), T("a\nX\nc\nd\n"),
      3, NOLIM, 2, APP_ETOOBIG,
      { NULL } },
    { "max_edits at (even)",
      T("a\nb\nc\n"), T("a\nX\nc\n"),
      3, NOLIM, 2, APP_OK,
      { SAME(1, 1, "a"), DEL(2, "b"), INS(2, "X"), SAME(3, 3, "c") } },
    { "max_edits past (even)",
      T("a\nb\nc\n"), T("a\nX\nc\n"),
      3, NOLIM, 1, APP_ETOOBIG,
      { NULL } },
    { "max_edits at (one side)",
      T(""), T("a\nb\n"),
      3, NOLIM, 2, APP_OK,
      { INS(1, "a"), INS(2, "b") } },
    { "max_edits past (one side)",
      T(""), T("a\nb\n"),
      3, NOLIM, 1, APP_ETOOBIG,
      { NULL } },
    { "max_edits 0, identical",
      T("a\nb\n"), T("a\nb\n"),
      3, NOLIM, 0, APP_OK,
      { SKIP(2) } },

    /* Identical inputs and trailing newlines. */
    { "identical",
      T("a\nb\nc\n"), T("a\nb\nc\n"),
      3, NOLIM, NOLIM, APP_OK,
      { SKIP(3) } },
    { "identical, context 0",
      T("a"), T("a"),
      0, NOLIM, NOLIM, APP_OK,
      { SKIP(1) } },
    { "missing final newline is no change",
      T("a\nb"), T("a\nb\n"),
      3, NOLIM, NOLIM, APP_OK,
      { SKIP(2) } },
    { "extra empty line",
      T("a\n"), T("a\n\n"),
      3, NOLIM, NOLIM, APP_OK,
      { SAME(1, 1, "a"), INS(2, "") } },
    { "line added after unterminated",
      T("a\nb"), T("a\nb\nc"),
      3, NOLIM, NOLIM, APP_OK,
      { SAME(1, 1, "a"), SAME(2, 2, "b"), INS(3, "c") } },

    /* CR stays in the text. */
    { "CRLF vs LF",
      T("a\r\nb\r\n"), T("a\nb\r\n"),
      3, NOLIM, NOLIM, APP_OK,
      { DEL(1, "a\\r"), INS(1, "a"), SAME(2, 2, "b\\r") } },
    { "CRLF identical",
      T("a\r\nb\r\n"), T("a\r\nb\r\n"),
      3, NOLIM, NOLIM, APP_OK,
      { SKIP(2) } },

    /* Invalid UTF-8 and NUL become U+FFFD; valid text is untouched. */
    { "utf-8",
      T(""),
      T("ok\n\xff\ncaf\xc3\n\xc0\xaf\n\xed\xa0\x80\n规则 rule\n\xe4\xb8\n"
        "x\0y\n\xf4\x90\x80\x80\n\xf0\x9f\x98\x80\n\xf4\x8f\xbf\xbf\n"),
      3, NOLIM, NOLIM, APP_OK,
      { INS(1, "ok"), INS(2, FFFD), INS(3, "caf" FFFD), INS(4, FFFD FFFD),
        INS(5, FFFD FFFD FFFD), INS(6, "规则 rule"), INS(7, FFFD),
        INS(8, "x" FFFD "y"), INS(9, FFFD FFFD FFFD FFFD),
        INS(10, "\xf0\x9f\x98\x80"), INS(11, "\xf4\x8f" "\xbf\xbf") } },
    { "utf-8 overlong and range edges",
      T(""),
      T("\xe0\x80\xaf\n\xe0\xa0\x80\n\xf0\x8f\xbf\xbf\n\xf8\x88\n"
        "\xed\x9f\xbf\n\xc2\x80\n\xc1\xbf\n"),
      3, NOLIM, NOLIM, APP_OK,
      { INS(1, FFFD FFFD FFFD), INS(2, "\xe0\xa0\x80"),
        INS(3, FFFD FFFD FFFD FFFD), INS(4, FFFD FFFD),
        INS(5, "\xed\x9f" "\xbf"), INS(6, "\xc2\x80"), INS(7, FFFD FFFD) } },
    { "chinese change",
      T("规则一\n金额 > 100\n结束\n"), T("规则一\n金额 > 200\n结束\n"),
      3, NOLIM, NOLIM, APP_OK,
      { SAME(1, 1, "规则一"), DEL(2, "金额 > 100"), INS(2, "金额 > 200"),
        SAME(3, 3, "结束") } },

    /* Hunks: deletions first, then insertions. */
    { "replace all",
      T("a\nb\n"), T("c\nd\n"),
      3, NOLIM, NOLIM, APP_OK,
      { DEL(1, "a"), DEL(2, "b"), INS(1, "c"), INS(2, "d") } },
    { "many small changes",
      T("a\nb\nc\nd\ne\nf\ng\n"), T("a\nB\nc\nD\ne\nF\ng\n"),
      1, NOLIM, NOLIM, APP_OK,
      { SAME(1, 1, "a"), DEL(2, "b"), INS(2, "B"), SAME(3, 3, "c"),
        DEL(4, "d"), INS(4, "D"), SAME(5, 5, "e"), DEL(6, "f"), INS(6, "F"),
        SAME(7, 7, "g") } },

    /* Collapsing. */
    { "middle change, context 3",
      T(L20),
      T("1\n2\n3\n4\n5\n6\n7\n8\n9\nX\n11\n12\n13\n14\n15\n16\n17\n18\n19\n"
        "20\n"),
      3, NOLIM, NOLIM, APP_OK,
      { SKIP(6), SAME(7, 7, "7"), SAME(8, 8, "8"), SAME(9, 9, "9"),
        DEL(10, "10"), INS(10, "X"), SAME(11, 11, "11"), SAME(12, 12, "12"),
        SAME(13, 13, "13"), SKIP(7) } },
    { "two changes, middle run collapsed",
      T(L20),
      T("1\n2\nC\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\nO\n16\n17\n18\n19\n"
        "20\n"),
      2, NOLIM, NOLIM, APP_OK,
      { SAME(1, 1, "1"), SAME(2, 2, "2"), DEL(3, "3"), INS(3, "C"),
        SAME(4, 4, "4"), SAME(5, 5, "5"), SKIP(7), SAME(13, 13, "13"),
        SAME(14, 14, "14"), DEL(15, "15"), INS(15, "O"), SAME(16, 16, "16"),
        SAME(17, 17, "17"), SAME(18, 18, "18"), SAME(19, 19, "19"),
        SAME(20, 20, "20") } },
    { "middle run of 2c+1 kept",
      T("1\n2\n3\n4\n5\n6\n7\n"), T("X\n2\n3\n4\n5\n6\nY\n"),
      2, NOLIM, NOLIM, APP_OK,
      { DEL(1, "1"), INS(1, "X"), SAME(2, 2, "2"), SAME(3, 3, "3"),
        SAME(4, 4, "4"), SAME(5, 5, "5"), SAME(6, 6, "6"), DEL(7, "7"),
        INS(7, "Y") } },
    { "middle run of 2c+2 collapsed",
      T("1\n2\n3\n4\n5\n6\n7\n8\n"), T("X\n2\n3\n4\n5\n6\n7\nY\n"),
      2, NOLIM, NOLIM, APP_OK,
      { DEL(1, "1"), INS(1, "X"), SAME(2, 2, "2"), SAME(3, 3, "3"), SKIP(2),
        SAME(6, 6, "6"), SAME(7, 7, "7"), DEL(8, "8"), INS(8, "Y") } },
    { "change at start",
      T("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"),
      T("X\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"),
      2, NOLIM, NOLIM, APP_OK,
      { DEL(1, "1"), INS(1, "X"), SAME(2, 2, "2"), SAME(3, 3, "3"),
        SKIP(7) } },
    { "change at end",
      T("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"), T("1\n2\n3\n4\n5\n6\n7\n8\n9\nX"),
      2, NOLIM, NOLIM, APP_OK,
      { SKIP(7), SAME(8, 8, "8"), SAME(9, 9, "9"), DEL(10, "10"),
        INS(10, "X") } },
    { "leading run of 2c+1 kept",
      T("1\n2\n3\n4\n5\n6\n"), T("1\n2\n3\n4\n5\nX\n"),
      2, NOLIM, NOLIM, APP_OK,
      { SAME(1, 1, "1"), SAME(2, 2, "2"), SAME(3, 3, "3"), SAME(4, 4, "4"),
        SAME(5, 5, "5"), DEL(6, "6"), INS(6, "X") } },
    { "leading run of 2c+2 collapsed",
      T("1\n2\n3\n4\n5\n6\n7\n"), T("1\n2\n3\n4\n5\n6\nX\n"),
      2, NOLIM, NOLIM, APP_OK,
      { SKIP(4), SAME(5, 5, "5"), SAME(6, 6, "6"), DEL(7, "7"),
        INS(7, "X") } },
    { "context 0",
      T("a\nb\nc\nd\ne\n"), T("a\nb\nX\nd\ne\n"),
      0, NOLIM, NOLIM, APP_OK,
      { SKIP(2), DEL(3, "c"), INS(3, "X"), SKIP(2) } },
    { "context 0, single lines kept",
      T("a\nb\nc\n"), T("a\nX\nc\n"),
      0, NOLIM, NOLIM, APP_OK,
      { SAME(1, 1, "a"), DEL(2, "b"), INS(2, "X"), SAME(3, 3, "c") } },
    { "context SIZE_MAX",
      T("a\nb\nc\nd\ne\n"), T("a\nb\nX\nd\ne\n"),
      SIZE_MAX, NOLIM, NOLIM, APP_OK,
      { SAME(1, 1, "a"), SAME(2, 2, "b"), DEL(3, "c"), INS(3, "X"),
        SAME(4, 4, "d"), SAME(5, 5, "e") } },
    /* clang-format on */
};

static void
test_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *r = &rows[i];
        cJSON *out = cJSON_CreateArray(), *keep;
        char want[4096], *got;
        size_t k, o = 0;
        enum app_err rc;

        assert_non_null(out);
        /* Something already there must survive, errors or not. */
        cJSON_AddItemToArray(out, cJSON_CreateString("keep"));
        rc =
            diff_lines(r->a, r->b, r->context, r->max_lines, r->max_edits, out);
        if (rc != r->rc)
            fail_msg("row %zu (%s): rc %s, want %s", i, r->name,
                     app_strerror(rc), app_strerror(r->rc));
        keep = cJSON_DetachItemFromArray(out, 0);
        if (!cJSON_IsString(keep) || strcmp(keep->valuestring, "keep") != 0)
            fail_msg("row %zu (%s): first item lost", i, r->name);
        cJSON_Delete(keep);
        want[o++] = '[';
        for (k = 0; k < MAX_ROWS && r->want[k] != NULL; k++) {
            int w = snprintf(want + o, sizeof(want) - o, "%s%s",
                             k > 0 ? "," : "", r->want[k]);

            assert_true(w > 0 && (size_t)w < sizeof(want) - o - 1);
            o += (size_t)w;
        }
        want[o++] = ']';
        want[o] = '\0';
        got = cJSON_PrintUnformatted(out);
        assert_non_null(got);
        if (strcmp(got, want) != 0)
            fail_msg("row %zu (%s):\n got %s\nwant %s", i, r->name, got, want);
        cJSON_free(got);
        cJSON_Delete(out);
    }
}

static void
test_bad_arguments(void **state)
{
    cJSON *obj = cJSON_CreateObject(), *arr = cJSON_CreateArray();
    struct str null_len = { NULL, 3 };

    (void)state;
    assert_int_equal(diff_lines(STR_LIT("a"), STR_LIT("b"), 3, 9, 9, NULL),
                     APP_EINVAL);
    assert_int_equal(diff_lines(STR_LIT("a"), STR_LIT("b"), 3, 9, 9, obj),
                     APP_EINVAL);
    assert_int_equal(diff_lines(null_len, STR_LIT("b"), 3, 9, 9, arr),
                     APP_EINVAL);
    assert_int_equal(diff_lines(STR_LIT("b"), null_len, 3, 9, 9, arr),
                     APP_EINVAL);
    /* NULL with length 0 is the empty text. */
    assert_int_equal(diff_lines(STR_NULL, STR_LIT("b"), 3, 9, 9, arr), APP_OK);
    assert_int_equal(cJSON_GetArraySize(arr), 1);
    assert_null(obj->child);
    cJSON_Delete(arr);
    cJSON_Delete(obj);
}

/* "0\n1\n...\n" with every line i where i % every == 0 && every != 0
 * replaced by "x<i>"; the caller frees the result. */
static char *
numbered(size_t n, size_t every, size_t *len)
{
    size_t cap = n * 16 + 1, o = 0, i;
    char *s = malloc(cap);

    assert_non_null(s);
    for (i = 0; i < n; i++) {
        int w = snprintf(s + o, cap - o, "%s%zu\n",
                         every != 0 && i % every == 0 ? "x" : "", i);

        assert_true(w > 0 && (size_t)w < cap - o);
        o += (size_t)w;
    }
    *len = o;
    return s;
}

/* Over the edit limit, a long input is refused after O((N+M) * limit)
 * work rather than after a full diff. */
static void
test_large(void **state)
{
    size_t n = 20000, alen, blen, clen;
    char *a = numbered(n, 0, &alen), *b = numbered(n, 1, &blen);
    char *c = numbered(n, 997, &clen);
    struct str sa = { a, alen }, sb = { b, blen }, sc = { c, clen };
    cJSON *out = cJSON_CreateArray(), *row;
    size_t changes = 0;

    (void)state;
    assert_non_null(out);
    /* Every line differs: refused after about 100 rounds. */
    assert_int_equal(diff_lines(sa, sb, 3, n, 100, out), APP_ETOOBIG);
    assert_int_equal(cJSON_GetArraySize(out), 0);
    assert_int_equal(diff_lines(sa, sa, 3, n, 0, out), APP_OK);
    assert_int_equal(cJSON_GetArraySize(out), 1);
    cJSON_Delete(out);

    /* Lines 0, 997, ... 19940 differ: 21 changed lines, 42 edits. */
    out = cJSON_CreateArray();
    assert_non_null(out);
    assert_int_equal(diff_lines(sa, sc, 1, n, 41, out), APP_ETOOBIG);
    assert_int_equal(diff_lines(sa, sc, 1, n - 1, 42, out), APP_ETOOBIG);
    assert_int_equal(cJSON_GetArraySize(out), 0);
    assert_int_equal(diff_lines(sa, sc, 1, n, 42, out), APP_OK);
    cJSON_ArrayForEach(row, out)
    {
        const char *op = cJSON_GetObjectItem(row, "op")->valuestring;

        changes += op[0] == '-' || op[0] == '+';
    }
    assert_int_equal(changes, 42);
    cJSON_Delete(out);
    free(c);
    free(b);
    free(a);
}

/* Allocation hooks: fail the fail_at-th call, count what is live. */
static size_t alloc_calls, fail_at;
static long alloc_live;

static void *
failing_malloc(size_t n)
{
    void *p;

    alloc_calls++;
    if (fail_at != 0 && alloc_calls == fail_at)
        return NULL;
    p = malloc(n);
    if (p != NULL)
        alloc_live++;
    return p;
}

static void
counting_free(void *p)
{
    if (p != NULL)
        alloc_live--;
    free(p);
}

static void
test_alloc_failures(void **state)
{
    cJSON_Hooks hooks = { failing_malloc, counting_free };
    struct str a = STR_LIT("a\nb\nc\nd\ne\nf\ng\nh\n\xff\n");
    struct str b = STR_LIT("a\nB\nc\nd\ne\nf\ng\nH\ni\n");
    size_t n, failures = 0;
    enum app_err rc;

    (void)state;
    cJSON_InitHooks(&hooks);
    for (n = 1; n < 1000; n++) {
        cJSON *out = cJSON_CreateArray();

        assert_non_null(out);
        alloc_calls = 0;
        fail_at = n;
        rc = diff_lines(a, b, 1, 100, 100, out);
        fail_at = 0;
        if (rc == APP_OK) {
            assert_true(alloc_calls < n);
            assert_true(cJSON_GetArraySize(out) > 0);
            cJSON_Delete(out);
            assert_int_equal(alloc_live, 0);
            break;
        }
        assert_int_equal(rc, APP_ENOMEM);
        assert_int_equal(cJSON_GetArraySize(out), 0);
        cJSON_Delete(out);
        assert_int_equal(alloc_live, 0);
        failures++;
    }
    cJSON_InitHooks(NULL);
    assert_true(n < 1000);
    assert_true(failures > 20);
}

/* xorshift64: a fixed seed keeps failures reproducible. */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static unsigned
rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

#define PMAX 12

static const char *const words[] = { "x", "yy", "" };

/* Minimal insertions + deletions, by the textbook LCS table. */
static size_t
edit_distance(const int *a, size_t n, const int *b, size_t m)
{
    size_t t[PMAX + 1][PMAX + 1], i, j;

    for (i = 0; i <= n; i++) {
        for (j = 0; j <= m; j++) {
            if (i == 0 || j == 0)
                t[i][j] = 0;
            else if (a[i - 1] == b[j - 1])
                t[i][j] = t[i - 1][j - 1] + 1;
            else
                t[i][j] = t[i - 1][j] > t[i][j - 1] ? t[i - 1][j] : t[i][j - 1];
        }
    }
    return n + m - 2 * t[n][m];
}

static size_t
render(const int *v, size_t n, int final_nl, char *buf)
{
    size_t o = 0, i;

    for (i = 0; i < n; i++) {
        size_t w = strlen(words[v[i]]);

        memcpy(buf + o, words[v[i]], w);
        o += w;
        if (i + 1 < n || final_nl)
            buf[o++] = '\n';
    }
    return o;
}

static int
word_of(const cJSON *row)
{
    const cJSON *t = cJSON_GetObjectItem(row, "text");
    int k;

    assert_true(cJSON_IsString(t));
    for (k = 0; k < 3; k++) {
        if (strcmp(t->valuestring, words[k]) == 0)
            return k;
    }
    fail_msg("unexpected text '%s'", t->valuestring);
    return -1;
}

static double
num_of(const cJSON *row, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(row, key);

    return cJSON_IsNumber(v) ? v->valuedouble : -1.0;
}

/* Apply the listing: old from " ", "-" and "~"; new from " ", "+" and "~"
 * (skipped lines are copied from old).  Checks numbering as it goes and
 * returns the number of "+" and "-" rows. */
static size_t
apply(const cJSON *out, const int *a, size_t n, const int *b, size_t m)
{
    int ra[PMAX], rb[PMAX];
    size_t oi = 0, nj = 0, edits = 0, k;
    const cJSON *row;
    char prev = 0;

    cJSON_ArrayForEach(row, out)
    {
        const char *op = cJSON_GetObjectItem(row, "op")->valuestring;

        switch (op[0]) {
        case '~': {
            double s = num_of(row, "skipped");

            assert_true(s >= 1 && oi + (size_t)s <= n && nj + (size_t)s <= m);
            for (k = 0; k < (size_t)s; k++) {
                ra[oi] = a[oi];
                rb[nj] = a[oi];
                oi++;
                nj++;
            }
            break;
        }
        case ' ':
            assert_true(oi < n && nj < m);
            assert_true(num_of(row, "old") == (double)(oi + 1));
            assert_true(num_of(row, "new") == (double)(nj + 1));
            ra[oi++] = word_of(row);
            rb[nj++] = word_of(row);
            break;
        case '-':
            assert_true(oi < n && prev != '+');
            assert_true(num_of(row, "old") == (double)(oi + 1));
            assert_true(cJSON_IsNull(cJSON_GetObjectItem(row, "new")));
            ra[oi++] = word_of(row);
            edits++;
            break;
        case '+':
            assert_true(nj < m);
            assert_true(cJSON_IsNull(cJSON_GetObjectItem(row, "old")));
            assert_true(num_of(row, "new") == (double)(nj + 1));
            rb[nj++] = word_of(row);
            edits++;
            break;
        default:
            fail_msg("bad op '%s'", op);
        }
        prev = op[0];
    }
    assert_int_equal(oi, n);
    assert_int_equal(nj, m);
    for (k = 0; k < n; k++)
        assert_int_equal(ra[k], a[k]);
    for (k = 0; k < m; k++)
        assert_int_equal(rb[k], b[k]);
    return edits;
}

static void
test_property(void **state)
{
    int a[PMAX], b[PMAX];
    char ta[PMAX * 3], tb[PMAX * 3];
    int iter;

    (void)state;
    for (iter = 0; iter < 2000; iter++) {
        size_t n = rnd(PMAX + 1), m = rnd(PMAX + 1), k, la, lb;
        size_t context = rnd(4);
        cJSON *out = cJSON_CreateArray();
        enum app_err rc;

        /* Mostly small edits of a, sometimes unrelated texts. */
        for (k = 0; k < n; k++)
            a[k] = (int)rnd(3);
        for (k = 0; k < m; k++)
            b[k] = k < n && rnd(4) != 0 ? a[k] : (int)rnd(3);
        /* An empty last word without its newline would be no line. */
        la = render(a, n, n > 0 && (a[n - 1] == 2 || rnd(2)), ta);
        lb = render(b, m, m > 0 && (b[m - 1] == 2 || rnd(2)), tb);
        rc = diff_lines((struct str){ ta, la }, (struct str){ tb, lb }, context,
                        PMAX, NOLIM, out);
        assert_int_equal(rc, APP_OK);
        if (n == 0 && m == 0)
            assert_int_equal(cJSON_GetArraySize(out), 0);
        assert_int_equal(apply(out, a, n, b, m), edit_distance(a, n, b, m));
        cJSON_Delete(out);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),    cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_large),    cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_property),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
