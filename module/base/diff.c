/*
 * diff.c -- line diffs of rule scripts (Myers' O(ND) algorithm, linear-space
 * variant), rendered as a collapsed unified listing in a cJSON array.
 *
 * Lines are compared by hash, length and bytes.  The edit script is found by
 * divide and conquer on the "middle snake" (Myers 1986, section 4b; the box
 * clipping follows git's xdl_split()), so the work memory is O(N + M): the
 * line tables, two diagonal vectors and one text buffer.  Time is
 * O((N + M) * D), and D is bounded by max_edits before any output is made.
 *
 * Choices the header leaves open:
 *   - A missing newline after the last line is not a difference: the rows
 *     have no way to show it, and "-b" / "+b" with equal texts would only
 *     puzzle the reader.  A "\r" before "\n" is part of the line's text.
 *   - Identical inputs give one {"op":"~","skipped":N} row; two empty
 *     inputs give no row at all.
 *   - A run is collapsed only when longer than 2*context+1 lines, as the
 *     header says, wherever it is; a collapsed run at the start or end
 *     keeps only the context lines next to the change.  So a "~" row always
 *     hides at least two lines (one row for one line would save nothing).
 *   - Invalid UTF-8 becomes U+FFFD, one per maximal ill-formed subsequence
 *     (Unicode's recommended practice).  NUL bytes become U+FFFD too:
 *     cJSON strings are NUL-terminated and would silently cut the line.
 *   - On any error `out` is left exactly as it was: rows are built in a
 *     private array and moved over only once all of them exist.
 *   - out == NULL, out not an array, or a NULL pointer with a non-zero
 *     length give APP_EINVAL.
 *
 * Work memory comes from cJSON_malloc() so that one cJSON_InitHooks() in a
 * test can fail any allocation of a diff, ours or cJSON's (STYLE §21).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cJSON.h>

#include "base/diff.h"

struct line {
    const char *p;
    size_t len;
    uint64_t hash;
    bool changed; /* deleted (old side) or inserted (new side) */
};

struct side {
    struct line *lines;
    size_t n;
};

/* The state of one comparison.  kvf/kvb point into vectors indexed by
 * diagonal k = i1 - i2, from -M - 1 to N + 1 (see diff_split()). */
struct diff {
    struct side a, b;
    ptrdiff_t *kvf, *kvb;
};

/* Rendering state: rows go to arr; scratch holds one sanitized line. */
struct emit {
    cJSON *arr;
    char *scratch;
};

/* n * size bytes from cJSON_malloc, or NULL with *rc set.  n == 0 gives
 * NULL with APP_OK, which callers never index. */
static void *
alloc_array(size_t n, size_t size, enum app_err *rc)
{
    size_t bytes;
    void *p;

    *rc = APP_OK;
    if (n == 0)
        return NULL;
    if (__builtin_mul_overflow(n, size, &bytes)) {
        *rc = APP_ETOOBIG;
        return NULL;
    }
    p = cJSON_malloc(bytes);
    if (p == NULL)
        *rc = APP_ENOMEM;
    return p;
}

/* FNV-1a: lines are compared a great many times along the diagonals, and
 * a hash turns almost every unequal pair into one integer compare. */
static uint64_t
line_hash(const char *p, size_t len)
{
    uint64_t h = 14695981039346656037u;
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211u;
    }
    return h;
}

static bool
line_eq(const struct line *x, const struct line *y)
{
    return x->hash == y->hash && x->len == y->len &&
           (x->len == 0 || memcmp(x->p, y->p, x->len) == 0);
}

/* Split s into lines at "\n".  The count comes first so that an input over
 * max_lines is refused before anything is allocated for it. */
APP_MUST_USE static enum app_err
split_lines(struct str s, size_t max_lines, struct side *out)
{
    const char *p = s.p, *end = s.p + s.len, *nl;
    enum app_err rc;
    size_t n = 0, i;

    out->lines = NULL;
    out->n = 0;
    if (s.len == 0)
        return APP_OK; /* s.p may be NULL: no arithmetic on it */
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (n == max_lines)
            return APP_ETOOBIG;
        n++;
        p = nl != NULL ? nl + 1 : end;
    }
    out->lines = alloc_array(n, sizeof(*out->lines), &rc);
    if (rc != APP_OK)
        return rc;
    p = s.p;
    for (i = 0; i < n; i++) {
        struct line *l = &out->lines[i];

        nl = memchr(p, '\n', (size_t)(end - p));
        l->p = p;
        l->len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
        l->hash = line_hash(l->p, l->len);
        l->changed = false;
        p = nl != NULL ? nl + 1 : end;
    }
    out->n = n;
    return APP_OK;
}

/*
 * Find a point (*m1, *m2) on an optimal path through the box
 * [off1, lim1) x [off2, lim2), whose first and last lines differ on both
 * sides.  Forward paths grow from the top left and backward paths from the
 * bottom right, one edit per round each, until they meet.  The diagonal
 * range is clipped to the box, so no path ever leaves it.  Before round ec
 * every script of cost below 2*ec - odd has been ruled out, which is where
 * the edit limit is enforced without finishing the search.
 */
APP_MUST_USE static enum app_err
diff_split(struct diff *d, ptrdiff_t off1, ptrdiff_t lim1, ptrdiff_t off2,
           ptrdiff_t lim2, size_t limit, ptrdiff_t *m1, ptrdiff_t *m2)
{
    const struct line *la = d->a.lines, *lb = d->b.lines;
    ptrdiff_t *kvf = d->kvf, *kvb = d->kvb;
    ptrdiff_t dmin = off1 - lim2, dmax = lim1 - off2;
    ptrdiff_t fmid = off1 - off2, bmid = lim1 - lim2;
    ptrdiff_t fmin = fmid, fmax = fmid, bmin = bmid, bmax = bmid;
    ptrdiff_t odd = (fmid - bmid) & 1;
    ptrdiff_t ec, k, i1, i2;

    kvf[fmid] = off1;
    kvb[bmid] = lim1;
    for (ec = 1;; ec++) {
        /* ec <= N + M, which split_lines() and diff_lines() keep far below
         * PTRDIFF_MAX / 2. */
        if ((size_t)(2 * ec - odd) > limit)
            return APP_ETOOBIG;

        /* Widen the diagonal range by one each way, or narrow it where it
         * would leave the box, so that max - min stays even.  The entry
         * just outside the range is a sentinel the loop never prefers. */
        if (fmin > dmin)
            kvf[--fmin - 1] = -1;
        else
            ++fmin;
        if (fmax < dmax)
            kvf[++fmax + 1] = -1;
        else
            --fmax;
        for (k = fmax; k >= fmin; k -= 2) {
            if (kvf[k - 1] >= kvf[k + 1])
                i1 = kvf[k - 1] + 1;
            else
                i1 = kvf[k + 1];
            i2 = i1 - k;
            while (i1 < lim1 && i2 < lim2 && line_eq(&la[i1], &lb[i2])) {
                i1++;
                i2++;
            }
            kvf[k] = i1;
            if (odd && bmin <= k && k <= bmax && kvb[k] <= i1) {
                *m1 = i1;
                *m2 = i2;
                return APP_OK;
            }
        }

        if (bmin > dmin)
            kvb[--bmin - 1] = PTRDIFF_MAX;
        else
            ++bmin;
        if (bmax < dmax)
            kvb[++bmax + 1] = PTRDIFF_MAX;
        else
            --bmax;
        for (k = bmax; k >= bmin; k -= 2) {
            if (kvb[k - 1] < kvb[k + 1])
                i1 = kvb[k - 1];
            else
                i1 = kvb[k + 1] - 1;
            i2 = i1 - k;
            while (i1 > off1 && i2 > off2 &&
                   line_eq(&la[i1 - 1], &lb[i2 - 1])) {
                i1--;
                i2--;
            }
            kvb[k] = i1;
            if (!odd && fmin <= k && k <= fmax && i1 <= kvf[k]) {
                *m1 = i1;
                *m2 = i2;
                return APP_OK;
            }
        }
    }
}

/*
 * Mark the changed lines of the box [off1, lim1) x [off2, lim2).  Only the
 * top call gets a real limit: the halves of an optimal path cost at most
 * the whole.  Each half costs less than its parent (at most ceil(D/2) of a
 * D >= 2), so the recursion is O(log D) deep.
 */
APP_MUST_USE static enum app_err
diff_compare(struct diff *d, ptrdiff_t off1, ptrdiff_t lim1, ptrdiff_t off2,
             ptrdiff_t lim2, size_t limit)
{
    const struct line *la = d->a.lines, *lb = d->b.lines;
    ptrdiff_t m1, m2, i;
    enum app_err rc;

    while (off1 < lim1 && off2 < lim2 && line_eq(&la[off1], &lb[off2])) {
        off1++;
        off2++;
    }
    while (off1 < lim1 && off2 < lim2 &&
           line_eq(&la[lim1 - 1], &lb[lim2 - 1])) {
        lim1--;
        lim2--;
    }
    if (off1 == lim1 || off2 == lim2) {
        if ((size_t)(lim1 - off1) + (size_t)(lim2 - off2) > limit)
            return APP_ETOOBIG;
        for (i = off1; i < lim1; i++)
            d->a.lines[i].changed = true;
        for (i = off2; i < lim2; i++)
            d->b.lines[i].changed = true;
        return APP_OK;
    }
    rc = diff_split(d, off1, lim1, off2, lim2, limit, &m1, &m2);
    if (rc != APP_OK)
        return rc;
    rc = diff_compare(d, off1, m1, off2, m2, SIZE_MAX);
    if (rc != APP_OK)
        return rc;
    return diff_compare(d, m1, lim1, m2, lim2, SIZE_MAX);
}

/* Copy n bytes of s to dst as valid UTF-8 without NULs, replacing each
 * maximal ill-formed subsequence (and each NUL) by U+FFFD.  dst must hold
 * 3 * n + 1 bytes: no input byte yields more than three.  Returns the
 * length written before the terminating NUL. */
static size_t
utf8_clean(const unsigned char *s, size_t n, char *dst)
{
    size_t i = 0, o = 0;

    while (i < n) {
        struct utf8_char c = utf8_next(s + i, n - i);

        if (c.ok && s[i] != '\0') {
            memcpy(dst + o, s + i, c.len);
            o += c.len;
        } else {
            memcpy(dst + o, "\xEF\xBF\xBD", 3);
            o += 3;
        }
        i += c.len;
    }
    dst[o] = '\0';
    return o;
}

/* Append one row; old_no or new_no 0 means null. */
APP_MUST_USE static enum app_err
emit_line(struct emit *e, const char *op, size_t old_no, size_t new_no,
          const struct line *l)
{
    cJSON *row = cJSON_CreateObject();
    cJSON *item;

    if (row == NULL)
        return APP_ENOMEM;
    /* In the array at once, so any later failure frees it with the rest. */
    cJSON_AddItemToArray(e->arr, row);
    if (cJSON_AddStringToObject(row, "op", op) == NULL)
        return APP_ENOMEM;
    item = old_no > 0 ? cJSON_AddNumberToObject(row, "old", (double)old_no)
                      : cJSON_AddNullToObject(row, "old");
    if (item == NULL)
        return APP_ENOMEM;
    item = new_no > 0 ? cJSON_AddNumberToObject(row, "new", (double)new_no)
                      : cJSON_AddNullToObject(row, "new");
    if (item == NULL)
        return APP_ENOMEM;
    utf8_clean((const unsigned char *)l->p, l->len, e->scratch);
    if (cJSON_AddStringToObject(row, "text", e->scratch) == NULL)
        return APP_ENOMEM;
    return APP_OK;
}

APP_MUST_USE static enum app_err
emit_skip(struct emit *e, size_t n)
{
    cJSON *row = cJSON_CreateObject();

    if (row == NULL)
        return APP_ENOMEM;
    cJSON_AddItemToArray(e->arr, row);
    if (cJSON_AddStringToObject(row, "op", "~") == NULL ||
        cJSON_AddNumberToObject(row, "skipped", (double)n) == NULL)
        return APP_ENOMEM;
    return APP_OK;
}

/* run > 2 * context + 1, without overflow for any context. */
static bool
run_collapses(size_t run, size_t context)
{
    return run > context && run - context > context &&
           run - context - context > 1;
}

/* The unchanged lines a[i..i+run) = b[j..j+run); before/after say whether
 * a change precedes or follows them. */
APP_MUST_USE static enum app_err
emit_run(struct emit *e, const struct diff *d, size_t i, size_t j, size_t run,
         size_t context, bool before, bool after)
{
    size_t head = run, tail = 0, k;
    enum app_err rc;

    if (!before && !after)
        return run > 0 ? emit_skip(e, run) : APP_OK;
    if (run_collapses(run, context)) {
        head = before ? context : 0;
        tail = after ? context : 0;
    }
    for (k = 0; k < head; k++) {
        rc = emit_line(e, " ", i + k + 1, j + k + 1, &d->a.lines[i + k]);
        if (rc != APP_OK)
            return rc;
    }
    if (head == run)
        return APP_OK;
    rc = emit_skip(e, run - head - tail);
    if (rc != APP_OK)
        return rc;
    for (k = run - tail; k < run; k++) {
        rc = emit_line(e, " ", i + k + 1, j + k + 1, &d->a.lines[i + k]);
        if (rc != APP_OK)
            return rc;
    }
    return APP_OK;
}

/* Walk both sides: an unchanged run, then a hunk of every deleted line
 * followed by every inserted line, and so on. */
APP_MUST_USE static enum app_err
emit_all(struct emit *e, const struct diff *d, size_t context)
{
    const struct side *a = &d->a, *b = &d->b;
    size_t i = 0, j = 0, run, i0, j0;
    enum app_err rc;

    for (;;) {
        run = 0;
        while (i + run < a->n && j + run < b->n && !a->lines[i + run].changed &&
               !b->lines[j + run].changed)
            run++;
        rc = emit_run(e, d, i, j, run, context, i > 0 || j > 0,
                      i + run < a->n || j + run < b->n);
        if (rc != APP_OK)
            return rc;
        i += run;
        j += run;
        if (i == a->n && j == b->n)
            return APP_OK;
        i0 = i;
        j0 = j;
        for (; i < a->n && a->lines[i].changed; i++) {
            rc = emit_line(e, "-", i + 1, 0, &a->lines[i]);
            if (rc != APP_OK)
                return rc;
        }
        for (; j < b->n && b->lines[j].changed; j++) {
            rc = emit_line(e, "+", 0, j + 1, &b->lines[j]);
            if (rc != APP_OK)
                return rc;
        }
        /* Cannot happen: both sides keep as many lines as each other. */
        if (i == i0 && j == j0)
            return APP_EINTERNAL;
    }
}

/* The longest line, to size the one buffer every row's text goes through. */
static size_t
longest_line(const struct side *s)
{
    size_t i, max = 0;

    for (i = 0; i < s->n; i++)
        max = s->lines[i].len > max ? s->lines[i].len : max;
    return max;
}

/* Move every item of from to the end of to; cannot fail. */
static void
move_items(cJSON *from, cJSON *to)
{
    for (;;) {
        cJSON *item = cJSON_DetachItemFromArray(from, 0);

        if (item == NULL)
            return;
        cJSON_AddItemToArray(to, item);
    }
}

enum app_err
diff_lines(struct str a, struct str b, size_t context, size_t max_lines,
           size_t max_edits, cJSON *out)
{
    struct diff d = { { NULL, 0 }, { NULL, 0 }, NULL, NULL };
    struct emit e = { NULL, NULL };
    size_t nk, maxlen, bytes;
    ptrdiff_t *kv = NULL;
    enum app_err rc;

    if (out == NULL || !cJSON_IsArray(out) || (a.p == NULL && a.len > 0) ||
        (b.p == NULL && b.len > 0))
        return APP_EINVAL;
    rc = split_lines(a, max_lines, &d.a);
    if (rc != APP_OK)
        goto out;
    rc = split_lines(b, max_lines, &d.b);
    if (rc != APP_OK)
        goto out;

    /* Diagonals -M - 1 .. N + 1 for each direction.  Keeping N + M + 3
     * below PTRDIFF_MAX / 4 also keeps 2 * ec in diff_split() in range. */
    if (__builtin_add_overflow(d.a.n, d.b.n, &nk) ||
        __builtin_add_overflow(nk, 3, &nk) || nk > (size_t)PTRDIFF_MAX / 4) {
        rc = APP_ETOOBIG;
        goto out;
    }
    if (d.a.n > 0 && d.b.n > 0) {
        kv = alloc_array(nk, 2 * sizeof(*kv), &rc);
        if (rc != APP_OK)
            goto out;
        d.kvf = kv + d.b.n + 1;
        d.kvb = kv + nk + d.b.n + 1;
    }
    rc = diff_compare(&d, 0, (ptrdiff_t)d.a.n, 0, (ptrdiff_t)d.b.n, max_edits);
    if (rc != APP_OK)
        goto out;

    maxlen = longest_line(&d.a);
    maxlen = longest_line(&d.b) > maxlen ? longest_line(&d.b) : maxlen;
    if (__builtin_mul_overflow(maxlen, 3, &bytes) ||
        __builtin_add_overflow(bytes, 1, &bytes)) {
        rc = APP_ETOOBIG;
        goto out;
    }
    e.scratch = alloc_array(bytes, 1, &rc);
    if (rc != APP_OK)
        goto out;
    e.arr = cJSON_CreateArray();
    if (e.arr == NULL) {
        rc = APP_ENOMEM;
        goto out;
    }
    rc = emit_all(&e, &d, context);
    if (rc != APP_OK)
        goto out;
    move_items(e.arr, out);

out:
    cJSON_Delete(e.arr);
    cJSON_free(e.scratch);
    cJSON_free(kv);
    cJSON_free(d.b.lines);
    cJSON_free(d.a.lines);
    return rc;
}
