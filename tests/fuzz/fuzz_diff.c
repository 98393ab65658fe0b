/*
 * fuzz_diff.c -- libFuzzer target for diff_lines() under small limits.
 *
 * The input is split at its first NUL into the old and the new text (no
 * NUL: the new text is empty), each copied to a buffer of exactly its size
 * so that ASan sees any read past a length.  An independent model splits
 * the lines and computes the edit distance with the textbook LCS table;
 * the result must be APP_ETOOBIG exactly when a limit is passed (with the
 * array untouched), and otherwise a listing that rebuilds both texts, has
 * exactly the minimal number of "+"/"-" rows, numbers every line, puts
 * deletions first in a hunk, collapses runs as documented, and carries
 * every valid UTF-8 line unchanged.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/diff.h"

#define MAX_LINES 40
#define MAX_EDITS 30

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct mline {
    const char *p;
    size_t len;
};

/* The model's split: at "\n", plus a last line without one. */
static size_t
model_split(const char *s, size_t n, struct mline *out, size_t max)
{
    size_t count = 0, start = 0, i;

    for (i = 0; i <= n; i++) {
        if (i < n && s[i] != '\n')
            continue;
        if (i == n && start == n)
            break;
        if (count < max) {
            out[count].p = s + start;
            out[count].len = i - start;
        }
        count++;
        start = i + 1;
    }
    return count;
}

static bool
mline_eq(const struct mline *x, const struct mline *y)
{
    return x->len == y->len && memcmp(x->p, y->p, x->len) == 0;
}

static size_t
model_distance(const struct mline *a, size_t n, const struct mline *b, size_t m)
{
    static size_t t[MAX_LINES + 1][MAX_LINES + 1];
    size_t i, j;

    for (i = 0; i <= n; i++) {
        for (j = 0; j <= m; j++) {
            if (i == 0 || j == 0)
                t[i][j] = 0;
            else if (mline_eq(&a[i - 1], &b[j - 1]))
                t[i][j] = t[i - 1][j - 1] + 1;
            else
                t[i][j] = t[i - 1][j] > t[i][j - 1] ? t[i - 1][j] : t[i][j - 1];
        }
    }
    return n + m - 2 * t[n][m];
}

/* Valid UTF-8 without NUL, decoded rather than table-driven so the check
 * shares nothing with diff.c. */
static bool
model_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0, len, j;
    uint32_t cp, min;

    while (i < n) {
        unsigned char c = s[i];

        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c < 0xC0 || c > 0xF4)
            return false;
        len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (n - i < len)
            return false;
        cp = c & (0x7Fu >> len);
        for (j = 1; j < len; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + j] & 0x3Fu);
        }
        min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

static const char *
op_of(const cJSON *row)
{
    const cJSON *op = cJSON_GetObjectItem(row, "op");

    if (!cJSON_IsString(op) || op->valuestring[0] == '\0' ||
        op->valuestring[1] != '\0')
        abort();
    return op->valuestring;
}

/* The number at key, or 0 for null; anything else aborts. */
static size_t
num_of(const cJSON *row, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(row, key);

    if (cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 1e6)
        abort();
    return (size_t)v->valuedouble;
}

static void
check_text(const cJSON *row, const struct mline *l)
{
    const cJSON *t = cJSON_GetObjectItem(row, "text");
    size_t len;

    if (!cJSON_IsString(t))
        abort();
    len = strlen(t->valuestring);
    if (!model_utf8((const unsigned char *)t->valuestring, len))
        abort();
    if (model_utf8((const unsigned char *)l->p, l->len)) {
        if (len != l->len || memcmp(t->valuestring, l->p, len) != 0)
            abort();
    } else if (strstr(t->valuestring, "\xEF\xBF\xBD") == NULL ||
               len > 3 * l->len) {
        abort();
    }
}

/* Walk the rows, rebuilding both sides, and return the "+"/"-" count. */
static size_t
check_listing(const cJSON *out, const struct mline *a, size_t n,
              const struct mline *b, size_t m, size_t context)
{
    size_t oi = 0, nj = 0, edits = 0, k, count = 0, i;
    const cJSON *row;
    char prev = 0;

    cJSON_ArrayForEach(row, out)
    {
        const char *op = op_of(row);

        count++;
        if (op[0] == '~') {
            size_t s = num_of(row, "skipped");

            if (s == 0 || s > n - oi || s > m - nj || prev == '~')
                abort();
            for (k = 0; k < s; k++) {
                if (!mline_eq(&a[oi + k], &b[nj + k]))
                    abort();
            }
            oi += s;
            nj += s;
        } else if (op[0] == ' ') {
            if (oi >= n || nj >= m || num_of(row, "old") != oi + 1 ||
                num_of(row, "new") != nj + 1 || !mline_eq(&a[oi], &b[nj]))
                abort();
            check_text(row, &a[oi]);
            oi++;
            nj++;
        } else if (op[0] == '-') {
            if (oi >= n || prev == '+' || num_of(row, "old") != oi + 1 ||
                num_of(row, "new") != 0)
                abort();
            check_text(row, &a[oi]);
            oi++;
            edits++;
        } else if (op[0] == '+') {
            if (nj >= m || num_of(row, "old") != 0 ||
                num_of(row, "new") != nj + 1)
                abort();
            check_text(row, &b[nj]);
            nj++;
            edits++;
        } else {
            abort();
        }
        prev = op[0];
    }
    if (oi != n || nj != m)
        abort();

    /* Collapsing: no edits means one "~" (or nothing for two empty
     * texts); otherwise each "~" hides at least two lines, and each " "
     * run is at most 2*context+1 lines, exactly context next to a "~" on
     * the side of a change. */
    if (edits == 0) {
        if (count != (n > 0 ? 1u : 0u) ||
            (n > 0 && op_of(cJSON_GetArrayItem(out, 0))[0] != '~'))
            abort();
        return 0;
    }
    for (i = 0; i < count; i++) {
        const cJSON *r = cJSON_GetArrayItem(out, (int)i);
        size_t pre = 0, post = 0, s;

        if (op_of(r)[0] == ' ') {
            size_t run = 0;

            while (i + run < count &&
                   op_of(cJSON_GetArrayItem(out, (int)(i + run)))[0] == ' ')
                run++;
            if (run > 2 * context + 1)
                abort();
            i += run - 1;
            continue;
        }
        if (op_of(r)[0] != '~')
            continue;
        s = num_of(r, "skipped");
        while (pre < i &&
               op_of(cJSON_GetArrayItem(out, (int)(i - pre - 1)))[0] == ' ')
            pre++;
        while (i + post + 1 < count &&
               op_of(cJSON_GetArrayItem(out, (int)(i + post + 1)))[0] == ' ')
            post++;
        if (s < 2 || pre != (i - pre > 0 ? context : 0) ||
            post != (i + post + 1 < count ? context : 0) ||
            s + pre + post <= 2 * context + 1)
            abort();
    }
    return edits;
}

static char *
copy_exact(const uint8_t *p, size_t n)
{
    char *c = malloc(n > 0 ? n : 1);

    if (c == NULL)
        abort();
    if (n > 0)
        memcpy(c, p, n);
    return c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mline la[MAX_LINES + 1], lb[MAX_LINES + 1];
    const uint8_t *nul = size > 0 ? memchr(data, 0, size) : NULL;
    size_t alen = nul != NULL ? (size_t)(nul - data) : size;
    size_t blen = nul != NULL ? size - alen - 1 : 0;
    char *a = copy_exact(data, alen), *b = copy_exact(data + size - blen, blen);
    struct str sa = { a, alen }, sb = { b, blen };
    size_t context = size % 4, n, m, dist = 0;
    cJSON *out = cJSON_CreateArray(), *keep;
    enum app_err rc, want = APP_OK;

    if (out == NULL)
        abort();
    cJSON_AddItemToArray(out, cJSON_CreateString("keep"));
    n = model_split(a, alen, la, MAX_LINES + 1);
    m = model_split(b, blen, lb, MAX_LINES + 1);
    if (n > MAX_LINES || m > MAX_LINES) {
        want = APP_ETOOBIG;
    } else {
        dist = model_distance(la, n, lb, m);
        if (dist > MAX_EDITS)
            want = APP_ETOOBIG;
    }
    rc = diff_lines(sa, sb, context, MAX_LINES, MAX_EDITS, out);
    if (rc != want)
        abort();
    keep = cJSON_DetachItemFromArray(out, 0);
    if (!cJSON_IsString(keep) || strcmp(keep->valuestring, "keep") != 0)
        abort();
    cJSON_Delete(keep);
    if (rc != APP_OK) {
        if (cJSON_GetArraySize(out) != 0)
            abort();
    } else if (check_listing(out, la, n, lb, m, context) != dist) {
        abort();
    }
    cJSON_Delete(out);
    free(b);
    free(a);
    return 0;
}
