/*
 * pos_import.c -- POS sales lines from a CSV file (pos_import.h): read,
 * decoded, parsed on two threads, deduplicated against what is stored,
 * sorted in the primary key's order and streamed with LOAD DATA LOCAL,
 * the rollups and the import's record in the same transaction.
 *
 * Storage (pos_store.c): LOAD DATA LOCAL INFILE fed from memory beat
 * array-bound INSERTs on the same 2 million lines; PROOFLINE_POS_STORE=bulk
 * selects the latter for the benchmark's comparison.
 */
#include "sales/pos_import.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/fileio.h"
#include "base/log.h"
#include "base/num.h"
#include "base/textenc.h"
#include "base/tz.h"
#include "db/db.h"
#include "identity/role.h"
#include "sales/pos_parse.h"
#include "sales/pos_rollup.h"
#include "sales/pos_store.h"

#define POS_STORES_MAX 1000000
#define POS_PRODUCTS_MAX 1000000
#define POS_CAMPAIGNS_MAX 10000
#define TZC_SLOTS 256
#define POS_LOCK_WAIT_S 120

/* clang-format off */
static const char SQL_NEW[] =
    "INSERT INTO pos_imports (tenant_id, source, file_name, file_id, mode, "
    "status, created_by) VALUES (?, ?, ?, ?, ?, 'validating', ?)";
static const char SQL_PROGRESS[] =
    "UPDATE pos_imports SET status = ?, progress = ? "
    "WHERE tenant_id = ? AND id = ?";
static const char SQL_FINISH[] =
    "UPDATE pos_imports SET status = ?, progress = 100, encoding = ?, "
    "lines_total = ?, lines_added = ?, lines_dup = ?, lines_bad = ?, "
    "problems = ?, day_from = ?, day_to = ?, "
    "finished_at = CURRENT_TIMESTAMP(3) WHERE tenant_id = ? AND id = ?";
static const char SQL_QUEUE[] =
    "INSERT INTO pos_imports (tenant_id, source, file_name, file_id, mode, "
    "status, created_by) VALUES (?, ?, ?, ?, ?, 'queued', ?)";
static const char SQL_TZ[] =
    "SELECT time_zone FROM tenants WHERE id = ?";
static const char SQL_COUNTS[] =
    "SELECT (SELECT COUNT(*) FROM stores WHERE tenant_id = ?), "
    "(SELECT COUNT(*) FROM products WHERE tenant_id = ?)";
static const char SQL_STORES[] =
    "SELECT id, code FROM stores WHERE tenant_id = ?";
static const char SQL_PRODUCTS[] =
    "SELECT id, sku FROM products WHERE tenant_id = ?";
static const char SQL_CAMPAIGN_PRODUCTS[] =
    "SELECT DISTINCT product_id FROM campaigns WHERE tenant_id = ? "
    "AND active = 1 ORDER BY product_id";
/* An import waits for the one before it in its company (pos_state's
 * lock) longer than a request would: a large one takes seconds. */
static const char SQL_LOCK_WAIT[] =
    "SET SESSION innodb_lock_wait_timeout = ?";
static const char SQL_STATE_ROW[] =
    "INSERT IGNORE INTO pos_state (tenant_id) VALUES (?)";
static const char SQL_STATE_LOCK[] =
    "SELECT version FROM pos_state WHERE tenant_id = ? FOR UPDATE";
static const char SQL_STATE_BUMP[] =
    "UPDATE pos_state SET version = version + 1, "
    "updated_at = CURRENT_TIMESTAMP(3) WHERE tenant_id = ?";
/* The stored keys in the receipt ranges of KEYS_BATCH stores of the file
 * (primary key range scans; a slot not used binds store 0, which no store
 * has): 10 stores a round trip, the most db.c binds. */
#define KEYS_BATCH 10
#define KEY_RANGE "(store_id = ? AND receipt BETWEEN ? AND ?)"
#define KEY_RANGES5                                                            \
    KEY_RANGE " OR " KEY_RANGE " OR " KEY_RANGE " OR " KEY_RANGE               \
              " OR " KEY_RANGE
static const char SQL_STORED_KEYS[] =
    "SELECT store_id, receipt, line FROM pos_sales WHERE tenant_id = ? AND "
    "(" KEY_RANGES5 " OR " KEY_RANGES5 ")";
/* clang-format on */

/* A cached UTC offset of a local day: the day, and the offsets at its
 * start and end (equal unless the clocks change that day). */
struct tzc {
    int32_t day;
    bool set;
    int64_t off0, off1;
};

struct problem {
    size_t line;
    const char *field, *key;
};

struct imp;

/* One thread's part of the file. */
struct chunk {
    struct imp *im;
    const char *p, *end;
    size_t line0;         /* physical lines before p, in the whole file */
    struct pos_line *out; /* room for one line a line break + 1 */
    size_t nout, total, bad;
    struct problem probs[POS_PROBLEMS_MAX];
    size_t nprobs;
    bool report_progress; /* the calling thread's chunk only */
    enum app_err rc;
    struct tzc tz[TZC_SLOTS];
};

struct imp {
    struct ctx *cx;
    int64_t id;
    bool keep;
    struct pos_header h;
    struct pos_dict *stores, *products;
    int64_t *store_ids;
    size_t nstores, stores_cap;
    int64_t *camp;
    size_t ncamp;
    pthread_mutex_t tz_mu; /* tz_mktime switches TZ: one thread at a time */
    struct pos_line *lines;
    size_t nlines;
    uint32_t *idx;       /* the lines sorted by store, receipt, line */
    size_t *store_start; /* nstores + 1 offsets into idx */
    size_t total, bad, dup, added;
    int32_t day_min, day_max;
    cJSON *problems;
    unsigned ms[5]; /* decode, parse, sort, find stored, store+rollups */
};

static unsigned
ms_since(struct timespec *t0)
{
    struct timespec t1;
    unsigned ms;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (unsigned)((t1.tv_sec - t0->tv_sec) * 1000 +
                    (t1.tv_nsec - t0->tv_nsec) / 1000000);
    *t0 = t1;
    return ms;
}

/* --- local time -------------------------------------------------------- */

static int64_t
offset_at(struct imp *im, int32_t day, int32_t secs)
{
    struct tm tm;
    int y;
    unsigned m, d;
    time_t t;

    pos_civil_from_days(day, &y, &m, &d);
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = (int)m - 1;
    tm.tm_mday = (int)d;
    tm.tm_hour = secs / 3600;
    tm.tm_min = secs / 60 % 60;
    tm.tm_sec = secs % 60;
    t = tz_mktime(im->cx->tenant_tz, &tm);
    return (int64_t)day * 86400 + secs - (int64_t)t;
}

/* pos_utc_fn: the offset of a day is asked once per thread. */
static int64_t
to_utc(void *arg, int32_t day, int32_t secs)
{
    struct chunk *c = arg;
    struct tzc *z = &c->tz[(uint32_t)day % TZC_SLOTS];
    int64_t local = (int64_t)day * 86400 + secs, off;

    if (!z->set || z->day != day) {
        pthread_mutex_lock(&c->im->tz_mu);
        z->off0 = offset_at(c->im, day, 0);
        z->off1 = offset_at(c->im, day, 86399);
        pthread_mutex_unlock(&c->im->tz_mu);
        z->day = day;
        z->set = true;
    }
    if (z->off0 == z->off1)
        return local - z->off0;
    pthread_mutex_lock(&c->im->tz_mu);
    off = offset_at(c->im, day, secs);
    pthread_mutex_unlock(&c->im->tz_mu);
    return local - off;
}

/* The connection's usual lock wait (db.h), as a number. */
static int64_t
default_lock_wait(void)
{
    int64_t v = 5;

    app_ignore(parse_i64(str_c(DB_LOCK_WAIT_S), 1, 3600, &v) ? APP_OK
                                                             : APP_EINTERNAL,
               "a constant; 5 s otherwise");
    return v;
}

/* --- the text ------------------------------------------------------------ */

/* Valid UTF-8 without NUL bytes (the common case, checked 8 bytes at a
 * time while they are ASCII): textenc's checks are written for files a
 * thousand times smaller and took 3 s on 100 MB. */
static bool
utf8_fast(const unsigned char *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        uint64_t w;

        if (i + 8 <= n) {
            memcpy(&w, p + i, 8);
            /* no high bit, and no zero byte */
            if ((w & 0x8080808080808080ULL) == 0 &&
                ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL) ==
                    0) {
                i += 8;
                continue;
            }
        }
        if (p[i] == 0)
            return false;
        if (p[i] < 0x80) {
            i++;
        } else if (p[i] >= 0xc2 && p[i] <= 0xdf) {
            if (i + 1 >= n || (p[i + 1] & 0xc0) != 0x80)
                return false;
            i += 2;
        } else if (p[i] >= 0xe0 && p[i] <= 0xef) {
            if (i + 2 >= n || (p[i + 1] & 0xc0) != 0x80 ||
                (p[i + 2] & 0xc0) != 0x80 ||
                (p[i] == 0xe0 && p[i + 1] < 0xa0) ||
                (p[i] == 0xed && p[i + 1] > 0x9f))
                return false;
            i += 3;
        } else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
            if (i + 3 >= n || (p[i + 1] & 0xc0) != 0x80 ||
                (p[i + 2] & 0xc0) != 0x80 || (p[i + 3] & 0xc0) != 0x80 ||
                (p[i] == 0xf0 && p[i + 1] < 0x90) ||
                (p[i] == 0xf4 && p[i + 1] > 0x8f))
                return false;
            i += 4;
        } else {
            return false;
        }
    }
    return true;
}

/* --- the record ---------------------------------------------------------- */

static void
progress(struct imp *im, const char *status, int pct)
{
    if (im->id == 0 || db_in_tx(im->cx->db))
        return;
    app_ignore(db_exec(im->cx->db, SQL_PROGRESS,
                       DB_ARGS(DB_CSTR(status), DB_I64(pct),
                               DB_I64(im->cx->tenant_id), DB_I64(im->id)),
                       NULL, NULL),
               "progress is only shown; the import goes on");
}

static void
add_problem(cJSON *list, size_t line, const char *field, const char *key)
{
    cJSON *p;

    if (cJSON_GetArraySize(list) >= POS_PROBLEMS_MAX)
        return;
    p = cJSON_CreateObject();
    cJSON_AddItemToArray(list, p);
    cJSON_AddNumberToObject(p, "line", (double)line);
    cJSON_AddStringToObject(p, "field", field);
    cJSON_AddStringToObject(p, "problem", key);
}

/* --- parsing ------------------------------------------------------------- */

static void *
parse_chunk(void *arg)
{
    struct chunk *c = arg;
    struct imp *im = c->im;
    struct pos_parser ps = { &im->h, im->stores, im->products, to_utc, c };
    const char *p = c->p, *start = c->p;
    size_t ln = c->line0, step = (size_t)(c->end - c->p) / 20 + 1, next = step;

    while (p < c->end) {
        const char *nl = memchr(p, '\n', (size_t)(c->end - p));
        const char *e = nl != NULL ? nl : c->end;
        struct str line = { p, (size_t)(e - p) };
        const char *key, *field;

        ln++;
        p = nl != NULL ? nl + 1 : c->end;
        if (line.len > 0 && line.p[line.len - 1] == '\r')
            line.len--;
        if (line.len == 0)
            continue;
        if (++c->total > POS_IMPORT_LINES) {
            c->rc = APP_ETOOBIG;
            break;
        }
        key = pos_parse_line(&ps, line, &c->out[c->nout], &field);
        if (key == NULL) {
            c->out[c->nout].file_line = (uint32_t)ln;
            c->nout++;
        } else {
            c->bad++;
            if (c->nprobs < POS_PROBLEMS_MAX)
                c->probs[c->nprobs++] = (struct problem){ ln, field, key };
        }
        if (c->report_progress && (size_t)(p - start) >= next) {
            next += step;
            progress(
                im, "validating",
                (int)((size_t)(p - start) * 80 / (size_t)(c->end - start)));
        }
    }
    return NULL;
}

static size_t
count_lines(const char *p, const char *end)
{
    size_t n = 0;

    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

/* The header (the first non-blank line), then the lines on two threads. */
APP_MUST_USE static enum app_err
parse_all(struct imp *im, struct str text)
{
    const char *p = text.p, *end = text.p + text.len, *mid, *key, *field;
    struct chunk *c = NULL;
    size_t hl = 0, n0, n1, k, i;
    pthread_t th;
    bool threaded = false;
    enum app_err rc = APP_OK;

    for (;;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        struct str line = { p, (size_t)((nl != NULL ? nl : end) - p) };

        hl++;
        p = nl != NULL ? nl + 1 : end;
        if (line.len > 0 && line.p[line.len - 1] == '\r')
            line.len--;
        if (line.len > 0) {
            key = pos_header_parse(line, 0, &im->h, &field);
            if (key != NULL) {
                add_problem(im->problems, hl, field, key);
                return APP_EVALIDATION;
            }
            break;
        }
        if (p >= end) {
            add_problem(im->problems, 1, "", "pos.empty");
            return APP_EVALIDATION;
        }
    }
    mid = p + (size_t)(end - p) / 2;
    while (mid < end && mid[-1] != '\n')
        mid++;
    n0 = count_lines(p, mid) + 1;
    n1 = count_lines(mid, end) + 1;
    if (n0 + n1 > POS_IMPORT_LINES + 2)
        return APP_ETOOBIG;
    c = calloc(2, sizeof(*c));
    im->lines = malloc((n0 + n1) * sizeof(*im->lines));
    if (c == NULL || im->lines == NULL) {
        free(c);
        return APP_ENOMEM;
    }
    c[0] = (struct chunk){ .im = im,
                           .p = p,
                           .end = mid,
                           .line0 = hl,
                           .out = im->lines,
                           .report_progress = true };
    c[1] = (struct chunk){ .im = im,
                           .p = mid,
                           .end = end,
                           .line0 = hl + n0 - 1,
                           .out = im->lines + n0 };
    if (mid < end)
        threaded = pthread_create(&th, NULL, parse_chunk, &c[1]) == 0;
    parse_chunk(&c[0]);
    if (threaded)
        pthread_join(th, NULL);
    else if (mid < end)
        parse_chunk(&c[1]);
    for (k = 0; k < 2; k++) {
        im->total += c[k].total;
        im->bad += c[k].bad;
        rc = rc != APP_OK ? rc : c[k].rc;
        for (i = 0; i < c[k].nprobs; i++)
            add_problem(im->problems, c[k].probs[i].line, c[k].probs[i].field,
                        c[k].probs[i].key);
    }
    if (c[1].nout > 0)
        memmove(im->lines + c[0].nout, c[1].out,
                c[1].nout * sizeof(*im->lines));
    im->nlines = c[0].nout + c[1].nout;
    free(c);
    if (rc == APP_OK && im->total == 0) {
        add_problem(im->problems, hl, "", "pos.empty");
        rc = APP_EVALIDATION;
    }
    return rc;
}

/* --- what the company has ------------------------------------------------ */

APP_MUST_USE static enum app_err
store_row(void *arg, const struct db_row *row)
{
    struct imp *im = arg;

    if (im->nstores >= im->stores_cap)
        return APP_ETOOBIG;
    im->store_ids[im->nstores] = row->ints[0];
    im->nstores++;
    return pos_dict_put(im->stores, str_c(row->texts[1]), (int64_t)im->nstores);
}

APP_MUST_USE static enum app_err
product_row(void *arg, const struct db_row *row)
{
    struct imp *im = arg;

    return pos_dict_put(im->products, str_c(row->texts[1]), row->ints[0]);
}

APP_MUST_USE static enum app_err
camp_row(void *arg, const struct db_row *row)
{
    struct imp *im = arg;

    if (im->ncamp >= POS_CAMPAIGNS_MAX)
        return APP_OK;
    im->camp[im->ncamp++] = row->ints[0];
    return APP_OK;
}

APP_MUST_USE static enum app_err
load_catalog(struct imp *im)
{
    struct ctx *cx = im->cx;
    struct db_res res;
    int64_t ns, np;
    enum app_err rc;

    /* Sized by what the company has (a little more: rows may be added
     * while it reads them), not by the limits. */
    rc = db_query(cx->db, cx->a, SQL_COUNTS,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_I64(cx->tenant_id)), 1,
                  &res);
    if (rc != APP_OK)
        return rc;
    ns = db_int(&res, 0, 0, 0) + 64;
    np = db_int(&res, 0, 1, 0) + 64;
    if (ns > POS_STORES_MAX || np > POS_PRODUCTS_MAX)
        return APP_ETOOBIG;
    im->stores_cap = (size_t)ns;
    im->stores = pos_dict_new((size_t)ns);
    im->products = pos_dict_new((size_t)np);
    im->store_ids = malloc((size_t)ns * sizeof(int64_t));
    im->camp = malloc(POS_CAMPAIGNS_MAX * sizeof(int64_t));
    rc = APP_ENOMEM;
    if (im->stores != NULL && im->products != NULL && im->store_ids != NULL &&
        im->camp != NULL)
        rc = db_scan(cx->db, SQL_STORES, DB_ARGS(DB_I64(cx->tenant_id)), 2u,
                     store_row, im);
    if (rc == APP_OK)
        rc = db_scan(cx->db, SQL_PRODUCTS, DB_ARGS(DB_I64(cx->tenant_id)), 2u,
                     product_row, im);
    if (rc == APP_OK)
        rc = db_scan(cx->db, SQL_CAMPAIGN_PRODUCTS,
                     DB_ARGS(DB_I64(cx->tenant_id)), 0, camp_row, im);
    return rc;
}

/* --- order and duplicates ------------------------------------------------ */

static const struct pos_line *sort_lines; /* qsort's context */

static int
key_cmp(const struct pos_line *a, const struct pos_line *b)
{
    size_t n =
        a->receipt_len < b->receipt_len ? a->receipt_len : b->receipt_len;
    int c = memcmp(a->receipt, b->receipt, n);

    if (c != 0)
        return c;
    if (a->receipt_len != b->receipt_len)
        return a->receipt_len < b->receipt_len ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return 0;
}

static int
by_key(const void *x, const void *y)
{
    const struct pos_line *a = &sort_lines[*(const uint32_t *)x],
                          *b = &sort_lines[*(const uint32_t *)y];
    int c = key_cmp(a, b);

    if (c != 0)
        return c;
    return a->file_line < b->file_line ? -1 : a->file_line > b->file_line;
}

/* Sort the stores [from, to) of idx and mark the repeats in them. */
struct sort_part {
    struct imp *im;
    size_t from, to;
};

static void *
sort_part(void *arg)
{
    struct sort_part *sp = arg;
    struct imp *im = sp->im;
    size_t s, i;

    for (s = sp->from; s < sp->to; s++) {
        size_t a = im->store_start[s], b = im->store_start[s + 1];

        if (b - a > 1)
            qsort(im->idx + a, b - a, sizeof(*im->idx), by_key);
        for (i = a + 1; i < b; i++)
            if (key_cmp(&im->lines[im->idx[i - 1]], &im->lines[im->idx[i]]) ==
                0)
                im->lines[im->idx[i]].dup = true;
    }
    return NULL;
}

/* idx: the lines by store (counting sort, stable), then by receipt and
 * line within a store (half of the stores on another thread); repeats
 * inside the file marked (the first kept). */
APP_MUST_USE static enum app_err
sort_all(struct imp *im)
{
    size_t i, s, *pos;

    im->idx = malloc((im->nlines + 1) * sizeof(*im->idx));
    im->store_start = calloc(im->nstores + 2, sizeof(*im->store_start));
    if (im->idx == NULL || im->store_start == NULL)
        return APP_ENOMEM;
    for (i = 0; i < im->nlines; i++)
        im->store_start[im->lines[i].store_ix + 1]++;
    for (s = 0; s < im->nstores; s++)
        im->store_start[s + 1] += im->store_start[s];
    pos = malloc((im->nstores + 1) * sizeof(*pos));
    if (pos == NULL)
        return APP_ENOMEM;
    memcpy(pos, im->store_start, (im->nstores + 1) * sizeof(*pos));
    for (i = 0; i < im->nlines; i++)
        im->idx[pos[im->lines[i].store_ix]++] = (uint32_t)i;
    free(pos);
    sort_lines = im->lines;
    {
        struct sort_part part[2] = { { im, 0, im->nstores / 2 },
                                     { im, im->nstores / 2, im->nstores } };
        pthread_t th;
        bool threaded = pthread_create(&th, NULL, sort_part, &part[1]) == 0;

        sort_part(&part[0]);
        if (threaded)
            pthread_join(th, NULL);
        else
            sort_part(&part[1]);
    }
    return APP_OK;
}

struct stored_scan {
    struct imp *im;
    size_t n;
    int64_t store_id[KEYS_BATCH];
    size_t a[KEYS_BATCH], b[KEYS_BATCH]; /* each store's range of idx */
    uint8_t *db_dup;
};

/* A stored key: the file's line with that key (if any) is a duplicate. */
APP_MUST_USE static enum app_err
stored_key(void *arg, const struct db_row *row)
{
    struct stored_scan *sc = arg;
    struct imp *im = sc->im;
    struct pos_line k = { 0 };
    size_t j, lo, hi, first;

    for (j = 0; j < sc->n && sc->store_id[j] != row->ints[0]; j++)
        ;
    if (j == sc->n)
        return APP_OK;
    first = lo = sc->a[j];
    hi = sc->b[j];
    k.receipt = row->texts[1];
    k.receipt_len = (uint8_t)strlen(row->texts[1]);
    k.line = (uint32_t)row->ints[2];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(&im->lines[im->idx[mid]], &k);

        if (c == 0) {
            while (mid > first &&
                   key_cmp(&im->lines[im->idx[mid - 1]], &k) == 0)
                mid--;
            sc->db_dup[mid] = 1;
            return APP_OK;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return APP_OK;
}

/* Ask for the stored keys of the batch's stores. */
APP_MUST_USE static enum app_err
scan_batch(struct stored_scan *sc)
{
    struct imp *im = sc->im;
    struct db_val v[1 + 3 * KEYS_BATCH];
    size_t j;

    v[0] = DB_I64(im->cx->tenant_id);
    for (j = 0; j < KEYS_BATCH; j++) {
        const struct pos_line *lo = NULL, *hi = NULL;

        if (j < sc->n) {
            lo = &im->lines[im->idx[sc->a[j]]];
            hi = &im->lines[im->idx[sc->b[j] - 1]];
        }
        v[1 + 3 * j] = DB_I64(j < sc->n ? sc->store_id[j] : 0);
        v[2 + 3 * j] =
            lo != NULL ? DB_STR(((struct str){ lo->receipt, lo->receipt_len }))
                       : DB_CSTR("");
        v[3 + 3 * j] =
            hi != NULL ? DB_STR(((struct str){ hi->receipt, hi->receipt_len }))
                       : DB_CSTR("");
    }
    return db_scan(im->cx->db, SQL_STORED_KEYS, v, 1 + 3 * KEYS_BATCH,
                   (1u << 1), stored_key, sc);
}

/* Mark in db_dup (by position in idx) the lines already stored. */
APP_MUST_USE static enum app_err
find_stored(struct imp *im, uint8_t *db_dup)
{
    struct stored_scan sc = { .im = im, .db_dup = db_dup };
    size_t s;
    enum app_err rc = APP_OK;

    memset(db_dup, 0, im->nlines + 1);
    for (s = 0; rc == APP_OK && s < im->nstores; s++) {
        if (im->store_start[s] == im->store_start[s + 1])
            continue;
        sc.store_id[sc.n] = im->store_ids[s];
        sc.a[sc.n] = im->store_start[s];
        sc.b[sc.n] = im->store_start[s + 1];
        if (++sc.n == KEYS_BATCH) {
            rc = scan_batch(&sc);
            sc.n = 0;
        }
    }
    if (rc == APP_OK && sc.n > 0)
        rc = scan_batch(&sc);
    return rc;
}

struct sum_job {
    struct imp *im;
    const uint32_t *idx;
    size_t n;
    struct pos_rollup *sum;
    enum app_err rc;
};

static void *
sum_lines(void *arg)
{
    struct sum_job *sj = arg;

    sj->rc = pos_rollup_sum(sj->im->lines, sj->idx, sj->n, sj->im->store_ids,
                            sj->im->camp, sj->im->ncamp, &sj->sum);
    return NULL;
}

/* One try of the transaction: lock, drop what is stored, store, roll up,
 * bump the version. */
APP_MUST_USE static enum app_err
write_all(struct imp *im, uint8_t *db_dup, uint32_t *new_idx)
{
    struct ctx *cx = im->cx;
    struct db_res res;
    size_t i, n = 0;
    struct timespec t0;
    enum app_err rc;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = db_exec(cx->db, SQL_STATE_ROW, DB_ARGS(DB_I64(cx->tenant_id)), NULL,
                 NULL);
    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_STATE_LOCK,
                      DB_ARGS(DB_I64(cx->tenant_id)), 1, &res);
    if (rc == APP_OK)
        rc = find_stored(im, db_dup);
    im->ms[3] = ms_since(&t0);
    im->dup = 0;
    for (i = 0; rc == APP_OK && i < im->nlines; i++) {
        if (im->lines[im->idx[i]].dup || db_dup[i])
            im->dup++;
        else
            new_idx[n++] = im->idx[i];
    }
    im->added = n;
    if (rc == APP_OK && n > 0) {
        const char *how = getenv("PROOFLINE_POS_STORE");
        struct sum_job sj = { im, new_idx, n, NULL, APP_OK };
        pthread_t th;
        /* The rollups are summed on another thread while the server
         * stores the lines (it, not this process, is the bottleneck). */
        bool threaded = pthread_create(&th, NULL, sum_lines, &sj) == 0;

        struct pos_rows rows = { cx, im->lines, im->store_ids, im->id };

        rc = how != NULL && strcmp(how, "bulk") == 0
                 ? pos_store_bulk(&rows, new_idx, n)
                 : pos_store_load(&rows, new_idx, n);
        log_info("pos.stored", "lines=%zu ms=%u", n, ms_since(&t0));
        if (threaded)
            pthread_join(th, NULL);
        else
            sum_lines(&sj);
        if (rc == APP_OK)
            rc = sj.rc;
        if (rc == APP_OK)
            rc = pos_rollup_write(cx, sj.sum);
        pos_rollup_free(sj.sum);
    }
    if (rc == APP_OK)
        rc = db_exec(cx->db, SQL_STATE_BUMP, DB_ARGS(DB_I64(cx->tenant_id)),
                     NULL, NULL);
    im->ms[4] = ms_since(&t0);
    return rc;
}

/* --- the whole ----------------------------------------------------------- */

/* Write the record's outcome (in the open transaction, or alone). */
APP_MUST_USE static enum app_err
finish(struct imp *im, const char *status, const char *enc)
{
    struct ctx *cx = im->cx;
    char from[11], to[11];
    char *probs = cJSON_PrintUnformatted(im->problems);
    bool days = im->nlines > 0 && strcmp(status, "done") == 0;
    enum app_err rc;

    if (days) {
        pos_day_text(im->day_min, from);
        pos_day_text(im->day_max, to);
    }
    rc = db_exec(cx->db, SQL_FINISH,
                 DB_ARGS(DB_CSTR(status), DB_CSTR(enc), DB_I64(im->total),
                         DB_I64(im->added), DB_I64(im->dup), DB_I64(im->bad),
                         probs != NULL ? DB_CSTR(probs) : DB_CSTR("[]"),
                         days ? DB_CSTR(from) : DB_NULL,
                         days ? DB_CSTR(to) : DB_NULL, DB_I64(cx->tenant_id),
                         DB_I64(im->id)),
                 NULL, NULL);
    cJSON_free(probs);
    return rc;
}

static void
result_of(struct imp *im, const char *status, const char *enc,
          struct pos_import_result *out)
{
    char d[11];

    out->import_id = im->id;
    out->status = status;
    out->encoding = enc;
    out->lines_total = im->total;
    out->lines_added = im->added;
    out->lines_dup = im->dup;
    out->lines_bad = im->bad;
    out->day_from = out->day_to = NULL;
    if (im->nlines > 0 && strcmp(status, "done") == 0) {
        pos_day_text(im->day_min, d);
        out->day_from = arena_strdup(im->cx->a, d);
        pos_day_text(im->day_max, d);
        out->day_to = arena_strdup(im->cx->a, d);
    }
    out->problems = im->problems;
    im->problems = NULL;
}

static bool
allowed(const struct ctx *cx)
{
    return cx->user_id == 0 ||
           (cx->role & (ROLE_ADMIN | ROLE_MANAGER | ROLE_MARKETING)) != 0;
}

enum app_err
pos_import_queue(struct ctx *cx, const char *source, int64_t file_id,
                 const char *file_name, bool keep, int64_t *import_id)
{
    uint64_t id = 0;
    enum app_err rc;

    *import_id = 0;
    if (!allowed(cx))
        return APP_EFORBIDDEN;
    rc = db_exec(cx->db, SQL_QUEUE,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(source),
                         DB_CSTR(file_name), DB_I64(file_id),
                         DB_CSTR(keep ? "keep" : "all"),
                         cx->user_id > 0 ? DB_I64(cx->user_id) : DB_NULL),
                 NULL, &id);
    *import_id = (int64_t)id;
    return rc;
}

/* Decode, check every line, and store the good ones (or refuse). */
APP_MUST_USE static enum app_err
run(struct imp *im, struct str raw, const char **enc)
{
    struct ctx *cx = im->cx;
    struct arena *big = arena_new(1u << 20, (size_t)POS_IMPORT_BYTES * 3);
    struct textenc_result tr;
    struct textenc_error te;
    uint8_t *db_dup = NULL;
    uint32_t *new_idx = NULL;
    struct db_tx tx = DB_TX_INIT;
    struct timespec t0;
    size_t i;
    enum app_err rc = big != NULL ? APP_OK : APP_ENOMEM;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (rc == APP_OK && utf8_fast((const unsigned char *)raw.p, raw.len)) {
        bool bom = raw.len >= 3 && memcmp(raw.p, "\xef\xbb\xbf", 3) == 0;

        tr.text = bom ? (struct str){ raw.p + 3, raw.len - 3 } : raw;
        tr.enc = TEXTENC_UTF8;
    } else if (rc == APP_OK) {
        rc = textenc_decode(big, raw, TEXTENC_GBK, (size_t)POS_IMPORT_BYTES * 2,
                            &tr, &te);
    }
    if (rc == APP_EINVAL) {
        add_problem(im->problems, te.line, "", te.code);
        rc = APP_EVALIDATION;
    }
    if (rc == APP_OK) {
        *enc = tr.enc == TEXTENC_UTF8 ? "utf-8" : "gbk";
        rc = load_catalog(im);
    }
    im->ms[0] = ms_since(&t0);
    if (rc == APP_OK)
        rc = parse_all(im, tr.text);
    im->ms[1] = ms_since(&t0);
    if (rc == APP_OK && im->bad > 0 && !im->keep)
        rc = APP_EVALIDATION;
    if (rc == APP_OK) {
        progress(im, "storing", 80);
        im->day_min = INT32_MAX;
        im->day_max = INT32_MIN;
        for (i = 0; i < im->nlines; i++) {
            if (im->lines[i].day < im->day_min)
                im->day_min = im->lines[i].day;
            if (im->lines[i].day > im->day_max)
                im->day_max = im->lines[i].day;
        }
        rc = sort_all(im);
        im->ms[2] = ms_since(&t0);
    }
    if (rc == APP_OK) {
        db_dup = malloc(im->nlines + 1);
        new_idx = malloc((im->nlines + 1) * sizeof(*new_idx));
        rc = db_dup != NULL && new_idx != NULL ? APP_OK : APP_ENOMEM;
    }
    if (rc == APP_OK && !db_in_tx(cx->db))
        rc = db_exec(cx->db, SQL_LOCK_WAIT, DB_ARGS(DB_I64(POS_LOCK_WAIT_S)),
                     NULL, NULL);
    if (rc == APP_OK) {
        while (db_tx_next(cx->db, &tx, &rc)) {
            rc = write_all(im, db_dup, new_idx);
            if (rc == APP_OK)
                rc = finish(im, "done", *enc);
        }
        if (!db_in_tx(cx->db))
            app_ignore(db_exec(cx->db, SQL_LOCK_WAIT,
                               DB_ARGS(DB_I64(default_lock_wait())), NULL,
                               NULL),
                       "a connection that lost it reconnects with the "
                       "default");
    }
    free(db_dup);
    free(new_idx);
    arena_free(big);
    return rc;
}

enum app_err
pos_import_run(struct ctx *cx, int64_t import_id, const char *source,
               const char *path, const char *file_name, bool keep,
               struct pos_import_result *out)
{
    struct imp im = { .cx = cx, .id = import_id, .keep = keep };
    char *raw = NULL;
    size_t len = 0;
    const char *enc = "";
    uint64_t id = 0;
    struct db_res tzres;
    enum app_err rc;

    memset(out, 0, sizeof(*out));
    if (!allowed(cx))
        return APP_EFORBIDDEN;
    im.problems = cJSON_CreateArray();
    if (im.problems == NULL)
        return APP_ENOMEM;
    pthread_mutex_init(&im.tz_mu, NULL);
    /* Times are the company's local time, whoever runs the import. */
    rc = db_query(cx->db, cx->a, SQL_TZ, DB_ARGS(DB_I64(cx->tenant_id)), 1,
                  &tzres);
    if (rc == APP_OK && tzres.nrows == 1 && db_text(&tzres, 0, 0)[0] != '\0')
        cx->tenant_tz = db_text(&tzres, 0, 0);
    if (rc == APP_OK && import_id == 0) {
        rc = db_exec(cx->db, SQL_NEW,
                     DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(source),
                             DB_CSTR(file_name), DB_NULL,
                             DB_CSTR(keep ? "keep" : "all"),
                             cx->user_id > 0 ? DB_I64(cx->user_id) : DB_NULL),
                     NULL, &id);
        im.id = (int64_t)id;
    } else if (rc == APP_OK) {
        progress(&im, "validating", 0);
    }
    if (rc == APP_OK) {
        rc = file_read(path, (size_t)POS_IMPORT_BYTES, NULL, &raw, &len);
        if (rc == APP_ETOOBIG)
            cx->err_detail = "pos.too_big";
    }
    if (rc == APP_OK)
        rc = run(&im, (struct str){ raw, len }, &enc);
    if (rc == APP_ETOOBIG && cx->err_detail == NULL)
        cx->err_detail = "pos.too_big";
    if (rc == APP_ETOOBIG && cJSON_GetArraySize(im.problems) == 0)
        add_problem(im.problems, 0, "", "pos.too_big");
    if (rc != APP_OK && im.id > 0) {
        /* The record says what happened (the transaction rolled back). */
        im.added = 0;
        im.dup = 0;
        app_ignore(finish(&im,
                          rc == APP_EVALIDATION || rc == APP_ETOOBIG ? "refused"
                                                                     : "failed",
                          enc),
                   "the import's outcome stands; its record is a report");
    }
    if (rc == APP_EVALIDATION && cx->err_detail == NULL)
        cx->err_detail = "pos.refused";
    result_of(&im,
              rc == APP_OK                                 ? "done"
              : rc == APP_EVALIDATION || rc == APP_ETOOBIG ? "refused"
                                                           : "failed",
              enc, out);
    log_info("pos.import",
             "tenant=%lld import=%lld status=%s total=%zu "
             "added=%zu dup=%zu bad=%zu ms_decode=%u ms_parse=%u "
             "ms_sort=%u ms_stored=%u ms_store=%u",
             (long long)cx->tenant_id, (long long)im.id, out->status, im.total,
             im.added, im.dup, im.bad, im.ms[0], im.ms[1], im.ms[2], im.ms[3],
             im.ms[4]);
    cJSON_Delete(im.problems);
    pthread_mutex_destroy(&im.tz_mu);
    pos_dict_free(im.stores);
    pos_dict_free(im.products);
    free(im.store_ids);
    free(im.camp);
    free(im.lines);
    free(im.idx);
    free(im.store_start);
    free(raw);
    return rc;
}
