/*
 * pos_rollup.c -- the POS rollups (pos_rollup.h): aggregated in C from
 * the lines, upserted with array-bound statements.
 */
#include "sales/pos_rollup.h"

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "db/db.h"
#include "sales/pos_import.h"

#define ROLLUP_BATCH 5000
#define ROLLUP_KEYS_MAX 20000000u

/* clang-format off */
static const char SQL_STORE_DAYS[] =
    "INSERT INTO pos_store_days (tenant_id, day, store_id, units, "
    "amount_fen, `lines`) VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY "
    "UPDATE units = units + VALUES(units), amount_fen = amount_fen + "
    "VALUES(amount_fen), `lines` = `lines` + VALUES(`lines`)";
static const char SQL_DAYS[] =
    "INSERT INTO pos_days (tenant_id, product_id, day, store_id, units, "
    "amount_fen) VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
    "units = units + VALUES(units), amount_fen = amount_fen + "
    "VALUES(amount_fen)";
static const char SQL_MEMBERS[] =
    "INSERT INTO pos_members (tenant_id, product_id, store_id, member, "
    "first_at, first_day, first_receipt, again_at, again_day) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
    "first_at = VALUES(first_at), first_day = VALUES(first_day), "
    "first_receipt = VALUES(first_receipt), again_at = VALUES(again_at), "
    "again_day = VALUES(again_day)";
static const char SQL_STORED_MEMBERS[] =
    "SELECT store_id, member, UNIX_TIMESTAMP(first_at), "
    "TO_DAYS(first_day) - 719528, first_receipt, UNIX_TIMESTAMP(again_at), "
    "TO_DAYS(again_day) - 719528 "
    "FROM pos_members WHERE tenant_id = ? AND product_id = ?";
static const char SQL_DEL_DAYS[] =
    "DELETE FROM pos_days WHERE tenant_id = ? AND product_id = ?";
static const char SQL_DEL_MEMBERS[] =
    "DELETE FROM pos_members WHERE tenant_id = ? AND product_id = ?";
static const char SQL_PRODUCT_SALES[] =
    "SELECT store_id, TO_DAYS(day) - 719528, qty, amount_fen, receipt, "
    "member, UNIX_TIMESTAMP(sold_at) FROM pos_sales "
    "WHERE tenant_id = ? AND product_id = ?";
static const char SQL_STATE_ROW[] =
    "INSERT IGNORE INTO pos_state (tenant_id) VALUES (?)";
static const char SQL_STATE_BUMP[] =
    "UPDATE pos_state SET version = version + 1, "
    "updated_at = CURRENT_TIMESTAMP(3) WHERE tenant_id = ?";
/* clang-format on */
/* The connection's time zone is UTC (db.c), so UNIX_TIMESTAMP of a stored
 * DATETIME is its UTC instant; TO_DAYS(x) - 719528 counts days from
 * 1970-01-01. */

/* --- an aggregation table: 3 integer keys, a member, 3 sums ------------- */

struct buy {
    int64_t at;
    int32_t day;
    bool set;
    uint8_t rlen;
    char receipt[POS_RECEIPT_MAX];
};

struct agg_row {
    int64_t k[3];
    uint8_t mlen;
    char member[POS_MEMBER_MAX];
    int64_t units, amount, lines;
    struct buy first, again;
    bool used;
};

struct agg {
    struct agg_row *rows;
    size_t mask, n;
};

static bool
agg_init(struct agg *g, size_t expect)
{
    size_t slots = 64;

    while (slots < expect * 2 && slots < ROLLUP_KEYS_MAX)
        slots *= 2;
    g->rows = calloc(slots, sizeof(*g->rows));
    g->mask = slots - 1;
    g->n = 0;
    return g->rows != NULL;
}

static uint64_t
mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

static bool
agg_grow(struct agg *g)
{
    struct agg old = *g;
    size_t i;

    if (!agg_init(g, (old.mask + 1)))
        return (*g = old, false);
    for (i = 0; i <= old.mask; i++) {
        struct agg_row *r = &old.rows[i];
        uint64_t h = mix(
            mix(mix((uint64_t)r->k[0], (uint64_t)r->k[1]), (uint64_t)r->k[2]),
            r->mlen);
        size_t j, s;

        if (!r->used)
            continue;
        for (j = 0; j < r->mlen; j++)
            h = mix(h, (unsigned char)r->member[j]);
        s = (size_t)h & g->mask;
        while (g->rows[s].used)
            s = (s + 1) & g->mask;
        g->rows[s] = *r;
        g->n++;
    }
    free(old.rows);
    return true;
}

/* The row of a key, made when new; NULL when out of memory. */
static struct agg_row *
agg_get(struct agg *g, int64_t a, int64_t b, int64_t c, const char *m,
        size_t mlen)
{
    uint64_t h;
    size_t j, s;

    if ((g->n + 1) * 2 > g->mask + 1 && !agg_grow(g))
        return NULL;
    h = mix(mix(mix((uint64_t)a, (uint64_t)b), (uint64_t)c), mlen);
    for (j = 0; j < mlen; j++)
        h = mix(h, (unsigned char)m[j]);
    s = (size_t)h & g->mask;
    while (g->rows[s].used) {
        struct agg_row *r = &g->rows[s];

        if (r->k[0] == a && r->k[1] == b && r->k[2] == c && r->mlen == mlen &&
            memcmp(r->member, m, mlen) == 0)
            return r;
        s = (s + 1) & g->mask;
    }
    g->rows[s] = (struct agg_row){ .k = { a, b, c },
                                   .used = true,
                                   .mlen = (uint8_t)mlen };
    if (mlen > 0)
        memcpy(g->rows[s].member, m, mlen);
    g->n++;
    return &g->rows[s];
}

/* --- members: the first purchase and the first on another receipt ------- */

static int
buy_cmp(const struct buy *a, const struct buy *b)
{
    size_t n = a->rlen < b->rlen ? a->rlen : b->rlen;
    int c;

    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    c = memcmp(a->receipt, b->receipt, n);
    if (c != 0)
        return c;
    return a->rlen < b->rlen ? -1 : a->rlen > b->rlen;
}

static bool
same_receipt(const struct buy *a, const struct buy *b)
{
    return a->rlen == b->rlen && memcmp(a->receipt, b->receipt, a->rlen) == 0;
}

/* Keep first = the earliest purchase, again = the earliest whose receipt
 * differs from first's; x may come in any order. */
static void
buy_add(struct agg_row *r, const struct buy *x)
{
    if (!r->first.set) {
        r->first = *x;
        return;
    }
    if (buy_cmp(x, &r->first) < 0) {
        if (!same_receipt(x, &r->first))
            r->again = r->first;
        r->first = *x;
        return;
    }
    if (!same_receipt(x, &r->first) &&
        (!r->again.set || buy_cmp(x, &r->again) < 0))
        r->again = *x;
}

static struct buy
buy_of(int64_t at, int32_t day, const char *receipt, size_t rlen)
{
    struct buy b = { .at = at, .day = day, .set = true };

    b.rlen = (uint8_t)(rlen < POS_RECEIPT_MAX ? rlen : POS_RECEIPT_MAX);
    memcpy(b.receipt, receipt, b.rlen);
    return b;
}

static bool
in_set(const int64_t *v, size_t n, int64_t x)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (v[mid] == x)
            return true;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* --- writing ------------------------------------------------------------- */

/* Upsert the rows of g: kind 0 store days (k: day, store), 1 product days
 * (k: product, day, store), 2 members (k: product, store). */
APP_MUST_USE static enum app_err
flush(struct ctx *cx, const struct agg *g, int kind)
{
    static const size_t ncols[] = { 6, 6, 9 };
    static const char *const sqls[] = { SQL_STORE_DAYS, SQL_DAYS, SQL_MEMBERS };
    size_t nc = ncols[kind], i, m = 0;
    struct db_val *v = malloc(ROLLUP_BATCH * 9 * sizeof(*v));
    char *t = malloc(ROLLUP_BATCH * 64);
    enum app_err rc = v != NULL && t != NULL ? APP_OK : APP_ENOMEM;

    for (i = 0; rc == APP_OK && i <= g->mask; i++) {
        const struct agg_row *r = &g->rows[i];
        struct db_val *o = v + m * nc;
        char *s = t + m * 64;

        if (!r->used)
            continue;
        o[0] = DB_I64(cx->tenant_id);
        if (kind == 0) {
            pos_day_text((int32_t)r->k[0], s);
            o[1] = DB_STR(((struct str){ s, 10 }));
            o[2] = DB_I64(r->k[1]);
            o[3] = DB_I64(r->units);
            o[4] = DB_I64(r->amount);
            o[5] = DB_I64(r->lines);
        } else if (kind == 1) {
            pos_day_text((int32_t)r->k[1], s);
            o[1] = DB_I64(r->k[0]);
            o[2] = DB_STR(((struct str){ s, 10 }));
            o[3] = DB_I64(r->k[2]);
            o[4] = DB_I64(r->units);
            o[5] = DB_I64(r->amount);
        } else {
            if (!r->first.set)
                continue;
            pos_time_text(r->first.at, s);
            pos_day_text(r->first.day, s + 20);
            o[1] = DB_I64(r->k[0]);
            o[2] = DB_I64(r->k[1]);
            o[3] = DB_STR(((struct str){ r->member, r->mlen }));
            o[4] = DB_STR(((struct str){ s, 19 }));
            o[5] = DB_STR(((struct str){ s + 20, 10 }));
            o[6] = DB_STR(((struct str){ r->first.receipt, r->first.rlen }));
            if (r->again.set) {
                pos_time_text(r->again.at, s + 32);
                pos_day_text(r->again.day, s + 52);
                o[7] = DB_STR(((struct str){ s + 32, 19 }));
                o[8] = DB_STR(((struct str){ s + 52, 10 }));
            } else {
                o[7] = DB_NULL;
                o[8] = DB_NULL;
            }
        }
        if (++m == ROLLUP_BATCH) {
            rc = db_exec_bulk(cx->db, sqls[kind], v, nc, m);
            m = 0;
        }
    }
    if (rc == APP_OK && m > 0)
        rc = db_exec_bulk(cx->db, sqls[kind], v, nc, m);
    free(v);
    free(t);
    return rc;
}

struct stored {
    struct agg *members;
    int64_t product_id;
};

/* A stored member row: merged into the new one of the same key. */
APP_MUST_USE static enum app_err
stored_member(void *arg, const struct db_row *row)
{
    struct stored *st = arg;
    const char *m = row->texts[1];
    size_t mlen = strlen(m);
    struct agg_row *r;
    struct buy b;
    uint64_t h;
    size_t j, s;
    struct agg *g = st->members;

    /* Only keys this import touches: look, do not add. */
    h = mix(mix(mix((uint64_t)st->product_id, (uint64_t)row->ints[0]), 0),
            mlen);
    for (j = 0; j < mlen; j++)
        h = mix(h, (unsigned char)m[j]);
    s = (size_t)h & g->mask;
    for (r = NULL; g->rows[s].used; s = (s + 1) & g->mask) {
        struct agg_row *x = &g->rows[s];

        if (x->k[0] == st->product_id && x->k[1] == row->ints[0] &&
            x->k[2] == 0 && x->mlen == mlen &&
            memcmp(x->member, m, mlen) == 0) {
            r = x;
            break;
        }
    }
    if (r == NULL)
        return APP_OK;
    b = buy_of(row->ints[2], (int32_t)row->ints[3], row->texts[4],
               strlen(row->texts[4]));
    buy_add(r, &b);
    if (!row->nulls[5]) {
        /* The stored second purchase, whose receipt is not kept: it
         * differs from the stored first's, and a receipt no line can have
         * that sorts last never takes the first place from a purchase of
         * the same second (see buy_add). */
        b = buy_of(row->ints[5], (int32_t)row->ints[6], "\x7f", 1);
        buy_add(r, &b);
    }
    return APP_OK;
}

struct pos_rollup {
    struct agg sd, pd, mb;
    const int64_t *camp;
    size_t ncamp;
};

void
pos_rollup_free(struct pos_rollup *ru)
{
    if (ru == NULL)
        return;
    free(ru->sd.rows);
    free(ru->pd.rows);
    free(ru->mb.rows);
    free(ru);
}

enum app_err
pos_rollup_sum(const struct pos_line *lines, const uint32_t *idx, size_t n,
               const int64_t *store_ids, const int64_t *camp, size_t ncamp,
               struct pos_rollup **out)
{
    struct pos_rollup *ru = calloc(1, sizeof(*ru));
    size_t i;
    enum app_err rc = APP_ENOMEM;

    *out = NULL;
    if (ru == NULL || !agg_init(&ru->sd, 1024) || !agg_init(&ru->pd, 1024) ||
        !agg_init(&ru->mb, 1024))
        goto out;
    ru->camp = camp;
    ru->ncamp = ncamp;
    rc = APP_OK;
    for (i = 0; rc == APP_OK && i < n; i++) {
        const struct pos_line *l = &lines[idx[i]];
        int64_t store = store_ids[l->store_ix];
        struct agg_row *r = agg_get(&ru->sd, l->day, store, 0, NULL, 0);

        if (r == NULL) {
            rc = APP_ENOMEM;
            break;
        }
        r->units += l->qty;
        r->amount += l->amount_fen;
        r->lines++;
        if (ncamp == 0 || !in_set(camp, ncamp, l->product_id))
            continue;
        r = agg_get(&ru->pd, l->product_id, l->day, store, NULL, 0);
        if (r == NULL) {
            rc = APP_ENOMEM;
            break;
        }
        r->units += l->qty;
        r->amount += l->amount_fen;
        if (l->member == NULL || l->qty <= 0)
            continue;
        r = agg_get(&ru->mb, l->product_id, store, 0, l->member, l->member_len);
        if (r == NULL) {
            rc = APP_ENOMEM;
        } else {
            struct buy b = buy_of(l->at, l->day, l->receipt, l->receipt_len);

            buy_add(r, &b);
        }
    }
out:
    if (rc == APP_OK)
        *out = ru;
    else
        pos_rollup_free(ru);
    return rc;
}

enum app_err
pos_rollup_write(struct ctx *cx, const struct pos_rollup *sum)
{
    struct pos_rollup *ru = (struct pos_rollup *)sum;
    size_t k;
    enum app_err rc = APP_OK;

    /* The stored rows of the members seen, merged before writing (into a
     * copy of the members' table: a transaction tried again starts from
     * the sums again). */
    struct agg mb = ru->mb;

    mb.rows = malloc((ru->mb.mask + 1) * sizeof(*mb.rows));
    if (mb.rows == NULL)
        return APP_ENOMEM;
    memcpy(mb.rows, ru->mb.rows, (ru->mb.mask + 1) * sizeof(*mb.rows));
    for (k = 0; rc == APP_OK && mb.n > 0 && k < ru->ncamp; k++) {
        struct stored st = { &mb, ru->camp[k] };

        rc = db_scan(cx->db, SQL_STORED_MEMBERS,
                     DB_ARGS(DB_I64(cx->tenant_id), DB_I64(ru->camp[k])),
                     (1u << 1) | (1u << 4), stored_member, &st);
    }
    if (rc == APP_OK)
        rc = flush(cx, &ru->sd, 0);
    if (rc == APP_OK)
        rc = flush(cx, &ru->pd, 1);
    if (rc == APP_OK)
        rc = flush(cx, &mb, 2);
    free(mb.rows);
    return rc;
}

struct rebuild {
    struct agg pd, mb;
    int64_t product_id;
};

APP_MUST_USE static enum app_err
sale_row(void *arg, const struct db_row *row)
{
    struct rebuild *rb = arg;
    struct agg_row *r =
        agg_get(&rb->pd, rb->product_id, row->ints[1], row->ints[0], NULL, 0);

    if (r == NULL)
        return APP_ENOMEM;
    r->units += row->ints[2];
    r->amount += row->ints[3];
    if (row->nulls[5] || row->ints[2] <= 0)
        return APP_OK;
    r = agg_get(&rb->mb, rb->product_id, row->ints[0], 0, row->texts[5],
                strlen(row->texts[5]));
    if (r == NULL)
        return APP_ENOMEM;
    {
        struct buy b = buy_of(row->ints[6], (int32_t)row->ints[1],
                              row->texts[4], strlen(row->texts[4]));

        buy_add(r, &b);
    }
    return APP_OK;
}

enum app_err
pos_rollup_product(struct ctx *cx, int64_t product_id)
{
    struct db_tx tx = DB_TX_INIT;
    struct rebuild rb = { .product_id = product_id };
    enum app_err rc;

    while (db_tx_next(cx->db, &tx, &rc)) {
        free(rb.pd.rows);
        free(rb.mb.rows);
        rb.pd.rows = rb.mb.rows = NULL;
        rc = agg_init(&rb.pd, 1024) && agg_init(&rb.mb, 1024) ? APP_OK
                                                              : APP_ENOMEM;
        if (rc == APP_OK)
            rc = db_exec(cx->db, SQL_STATE_ROW, DB_ARGS(DB_I64(cx->tenant_id)),
                         NULL, NULL);
        if (rc == APP_OK)
            rc = db_exec(cx->db, SQL_STATE_BUMP, DB_ARGS(DB_I64(cx->tenant_id)),
                         NULL, NULL);
        if (rc == APP_OK)
            rc = db_exec(cx->db, SQL_DEL_DAYS,
                         DB_ARGS(DB_I64(cx->tenant_id), DB_I64(product_id)),
                         NULL, NULL);
        if (rc == APP_OK)
            rc = db_exec(cx->db, SQL_DEL_MEMBERS,
                         DB_ARGS(DB_I64(cx->tenant_id), DB_I64(product_id)),
                         NULL, NULL);
        if (rc == APP_OK)
            rc = db_scan(cx->db, SQL_PRODUCT_SALES,
                         DB_ARGS(DB_I64(cx->tenant_id), DB_I64(product_id)),
                         (1u << 4) | (1u << 5), sale_row, &rb);
        if (rc == APP_OK)
            rc = flush(cx, &rb.pd, 1);
        if (rc == APP_OK)
            rc = flush(cx, &rb.mb, 2);
    }
    free(rb.pd.rows);
    free(rb.mb.rows);
    return rc;
}
