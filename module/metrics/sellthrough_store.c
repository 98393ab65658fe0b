/*
 * sellthrough_store.c -- one store's page and profile report, its peers'
 * shelf photos, a campaign's talk-track files (sellthrough.h).
 *
 * A store page reads the campaign's cached components for every targeted
 * store (the peers are not in a store manager's scope, but their numbers
 * are what the page is for) and three small statements: the store, the
 * latest shelf photos of it and its peers, and units by hour of the six
 * stores from pos_sales, whose key starts with (tenant, store).
 */
#include "metrics/sellthrough.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/tz.h"
#include "sales/stores.h"

static const char SQL_STORE[] =
    "SELECT s.id, s.code, s.name, s.address, s.region, "
    "COALESCE(s.supervisor_id, 0), COALESCE(u.display_name, ''), "
    "COALESCE(s.customer_id, 0), s.lat, s.lng "
    "FROM stores s LEFT JOIN users u ON u.tenant_id = s.tenant_id "
    "AND u.id = s.supervisor_id WHERE s.tenant_id = ? AND s.id = ?";

/* The shelf photos of visits to six stores' customers, newest first. */
static const char SQL_PHOTOS[] =
    "SELECT s.id, p.file_id, COALESCE(p.thumb_file_id, 0), p.uploaded_at "
    "FROM stores s JOIN activities a ON a.tenant_id = s.tenant_id "
    "AND a.customer_id = s.customer_id "
    "JOIN activity_photos p ON p.tenant_id = a.tenant_id "
    "AND p.activity_id = a.id AND p.photo_key = 'shelf' "
    "WHERE s.tenant_id = ? AND s.id IN (?, ?, ?, ?, ?, ?) "
    "ORDER BY s.id, p.uploaded_at DESC, p.id DESC LIMIT 600";

static const char SQL_HOURS[] =
    "SELECT store_id, HOUR(CONVERT_TZ(sold_at, '+00:00', ?)), SUM(qty) "
    "FROM pos_sales WHERE tenant_id = ? AND store_id IN (?, ?, ?, ?, ?, ?) "
    "AND day BETWEEN ? AND ? GROUP BY 1, 2";

static const char SQL_PHOTO[] =
    "SELECT f.sha256, f.mime FROM files f WHERE f.tenant_id = ? AND f.id = ? "
    "AND EXISTS (SELECT 1 FROM activity_photos p JOIN activities a "
    "ON a.tenant_id = p.tenant_id AND a.id = p.activity_id "
    "JOIN stores s ON s.tenant_id = a.tenant_id "
    "AND s.customer_id = a.customer_id "
    "WHERE p.tenant_id = f.tenant_id AND p.photo_key = 'shelf' "
    "AND (p.file_id = f.id OR p.thumb_file_id = f.id))";

static const char SQL_FILES[] =
    "SELECT f.id, f.name, f.mime FROM campaign_files cf JOIN files f "
    "ON f.tenant_id = cf.tenant_id AND f.id = cf.file_id "
    "WHERE cf.tenant_id = ? AND cf.campaign_id = ? ORDER BY cf.added_at, f.id "
    "LIMIT 100";

/* Member buyers of the product by how many receipts had it. */
static const char SQL_FREQ[] =
    "SELECT LEAST(n, 4), COUNT(*) FROM (SELECT member, "
    "COUNT(DISTINCT receipt) AS n FROM pos_sales WHERE tenant_id = ? "
    "AND store_id = ? AND product_id = ? AND member IS NOT NULL "
    "AND qty > 0 AND day BETWEEN ? AND ? GROUP BY member) x GROUP BY 1";

/* Receipts with and without the product: count, units, amount. */
static const char SQL_BASKET[] =
    "SELECT w, COUNT(*), SUM(u), SUM(amt) FROM (SELECT receipt, "
    "MAX(product_id = ?) AS w, SUM(qty) AS u, SUM(amount_fen) AS amt "
    "FROM pos_sales WHERE tenant_id = ? AND store_id = ? "
    "AND day BETWEEN ? AND ? GROUP BY receipt) r GROUP BY w";

static const char SQL_PHOURS[] =
    "SELECT HOUR(CONVERT_TZ(sold_at, '+00:00', ?)), COUNT(DISTINCT receipt), "
    "SUM(qty) FROM pos_sales WHERE tenant_id = ? AND store_id = ? "
    "AND product_id = ? AND day BETWEEN ? AND ? GROUP BY 1";

static const char SQL_OTHERS[] =
    "SELECT o.product_id, COALESCE(p.sku, ''), COALESCE(p.name, ''), "
    "COUNT(DISTINCT o.receipt) AS n, SUM(o.qty) FROM pos_sales o "
    "JOIN (SELECT DISTINCT receipt FROM pos_sales WHERE tenant_id = ? "
    "AND store_id = ? AND product_id = ? AND day BETWEEN ? AND ?) r "
    "ON r.receipt = o.receipt "
    "LEFT JOIN products p ON p.tenant_id = o.tenant_id AND p.id = o.product_id "
    "WHERE o.tenant_id = ? AND o.store_id = ? AND o.product_id <> ? "
    "GROUP BY o.product_id, p.sku, p.name ORDER BY n DESC, 2, 1 LIMIT 10";

/* The company's offset from UTC now as "+08:00", for CONVERT_TZ (which
 * needs no time zone tables for an offset). */
static const char *
utc_offset(struct ctx *cx)
{
    struct tm tm;
    long off, a;

    tz_local(cx->tenant_tz, time(NULL), &tm);
    off = tm.tm_gmtoff;
    a = off < 0 ? -off : off;
    if (a > 14 * 3600)
        return "+00:00";
    return arena_printf(cx->a, "%c%02ld:%02ld", off < 0 ? '-' : '+',
                        a / 3600 % 100, a / 60 % 60);
}

APP_MUST_USE static enum app_err
store_row(struct ctx *cx, int64_t store_id, struct db_res *r)
{
    enum app_err rc = stores_visible(cx, store_id);

    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_STORE,
                      DB_ARGS(DB_I64(cx->tenant_id), DB_I64(store_id)), 1, r);
    if (rc == APP_OK && r->nrows == 0)
        rc = APP_ENOTFOUND;
    return rc;
}

static double
coord(const char *t)
{
    char *end;
    double v;

    if (t[0] == '\0')
        return NAN;
    v = strtod(t, &end);
    return *end == '\0' ? v : NAN;
}

static void
add_photo(cJSON *o, const struct db_res *ph, int64_t store_id)
{
    size_t i;

    for (i = 0; i < ph->nrows; i++)
        if (db_int(ph, i, 0, 0) == store_id) {
            cJSON *p = cJSON_AddObjectToObject(o, "photo");

            cJSON_AddNumberToObject(p, "file_id", (double)db_int(ph, i, 1, 0));
            cJSON_AddNumberToObject(p, "thumb_file_id",
                                    (double)db_int(ph, i, 2, 0));
            cJSON_AddStringToObject(p, "at", db_text(ph, i, 3));
            return;
        }
    cJSON_AddNullToObject(o, "photo");
}

static void
add_hours(cJSON *o, const struct db_res *h, int64_t store_id)
{
    double v[24] = { 0 };
    size_t i;

    for (i = 0; i < h->nrows; i++) {
        int64_t hr = db_int(h, i, 1, -1);

        if (db_int(h, i, 0, 0) == store_id && hr >= 0 && hr < 24)
            v[hr] += (double)db_int(h, i, 2, 0);
    }
    cJSON_AddItemToObject(o, "hours", cJSON_CreateDoubleArray(v, 24));
}

enum app_err
sellthrough_store(struct ctx *cx, int64_t campaign_id, const char *as_of,
                  int64_t store_id, cJSON **out)
{
    struct sellthrough st;
    struct db_res sr, ph, hr;
    struct st_store me, *found = NULL;
    struct st_peer peers[ST_PEERS_MAX];
    struct db_val ids[ST_PEERS_MAX + 1];
    char from[ST_DAY_LEN];
    size_t n, i;
    cJSON *doc, *o, *list;
    enum app_err rc = store_row(cx, store_id, &sr);

    memset(&st, 0, sizeof(st));
    if (rc == APP_OK && campaign_id > 0)
        rc = sellthrough_get_all(cx, campaign_id, as_of, &st);
    if (rc == APP_OK && campaign_id == 0) {
        char *today = arena_alloc(cx->a, ST_DAY_LEN);

        if (today == NULL)
            return APP_ENOMEM;
        tz_today(cx->tenant_tz, today, ST_DAY_LEN);
        st.as_of = today;
    }
    if (rc != APP_OK)
        return rc;
    for (i = 0; i < st.nstores; i++)
        if (st.stores[i].store_id == store_id)
            found = &st.stores[i];
    memset(&me, 0, sizeof(me));
    me.store_id = store_id;
    me.lat = coord(db_text(&sr, 0, 8));
    me.lng = coord(db_text(&sr, 0, 9));
    n = st_peers(st.stores, st.nstores, found != NULL ? found : &me, NAN, peers,
                 ST_PEERS_MAX);
    ids[0] = DB_I64(store_id);
    for (i = 0; i < ST_PEERS_MAX; i++)
        ids[i + 1] = DB_I64(i < n ? peers[i].store->store_id : 0);
    rc = db_query(cx->db, cx->a, SQL_PHOTOS,
                  DB_ARGS(DB_I64(cx->tenant_id), ids[0], ids[1], ids[2], ids[3],
                          ids[4], ids[5]),
                  600, &ph);
    if (rc == APP_OK && !st_day_add(st.as_of, 1 - ST_HOURS_DAYS, from))
        rc = APP_EINTERNAL;
    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_HOURS,
                      DB_ARGS(DB_CSTR(utc_offset(cx)), DB_I64(cx->tenant_id),
                              ids[0], ids[1], ids[2], ids[3], ids[4], ids[5],
                              DB_CSTR(from), DB_CSTR(st.as_of)),
                      6 * 24, &hr);
    if (rc != APP_OK)
        return rc;
    if (campaign_id > 0) {
        doc = st_doc_head(&st);
    } else {
        doc = cJSON_CreateObject();
        cJSON_AddNullToObject(doc, "campaign");
        cJSON_AddStringToObject(doc, "as_of", st.as_of);
    }
    o = cJSON_AddObjectToObject(doc, "store");
    cJSON_AddNumberToObject(o, "id", (double)store_id);
    cJSON_AddStringToObject(o, "code", db_text(&sr, 0, 1));
    cJSON_AddStringToObject(o, "name", db_text(&sr, 0, 2));
    cJSON_AddStringToObject(o, "address", db_text(&sr, 0, 3));
    cJSON_AddStringToObject(o, "region", db_text(&sr, 0, 4));
    if (db_int(&sr, 0, 5, 0) > 0)
        cJSON_AddNumberToObject(o, "supervisor_id",
                                (double)db_int(&sr, 0, 5, 0));
    else
        cJSON_AddNullToObject(o, "supervisor_id");
    cJSON_AddStringToObject(o, "supervisor_name", db_text(&sr, 0, 6));
    cJSON_AddNumberToObject(o, "customer_id", (double)db_int(&sr, 0, 7, 0));
    if (isnan(me.lat) || isnan(me.lng)) {
        cJSON_AddNullToObject(o, "lat");
        cJSON_AddNullToObject(o, "lng");
    } else {
        cJSON_AddNumberToObject(o, "lat", me.lat);
        cJSON_AddNumberToObject(o, "lng", me.lng);
    }
    cJSON_AddBoolToObject(o, "targeted", found != NULL);
    st_doc_store(o, found != NULL ? found : &me);
    add_photo(o, &ph, store_id);
    add_hours(o, &hr, store_id);
    list = cJSON_AddArrayToObject(doc, "peers");
    for (i = 0; i < n; i++) {
        const struct st_store *p = peers[i].store;
        cJSON *q = cJSON_CreateObject();

        cJSON_AddItemToArray(list, q);
        cJSON_AddNumberToObject(q, "id", (double)p->store_id);
        cJSON_AddStringToObject(q, "code", p->code);
        cJSON_AddStringToObject(q, "name", p->name);
        cJSON_AddStringToObject(q, "region", p->region);
        cJSON_AddNumberToObject(q, "km", round(peers[i].km * 100) / 100);
        st_doc_store(q, p);
        add_photo(q, &ph, p->store_id);
        add_hours(q, &hr, p->store_id);
    }
    *out = doc;
    return APP_OK;
}

static cJSON *
basket_side(const struct db_res *b, int64_t w)
{
    cJSON *o = cJSON_CreateObject();
    int64_t n = 0, u = 0, amt = 0;
    size_t i;

    for (i = 0; i < b->nrows; i++)
        if (db_int(b, i, 0, 0) == w) {
            n = db_int(b, i, 1, 0);
            u = db_int(b, i, 2, 0);
            amt = db_int(b, i, 3, 0);
        }
    cJSON_AddNumberToObject(o, "receipts", (double)n);
    cJSON_AddNumberToObject(o, "units", (double)u);
    cJSON_AddNumberToObject(o, "amount", (double)amt / 100.0);
    if (n > 0) {
        cJSON_AddNumberToObject(o, "mean_units",
                                round((double)u / (double)n * 100) / 100);
        cJSON_AddNumberToObject(o, "mean_amount",
                                round((double)amt / (double)n) / 100);
    } else {
        cJSON_AddNullToObject(o, "mean_units");
        cJSON_AddNullToObject(o, "mean_amount");
    }
    return o;
}

enum app_err
sellthrough_profile(struct ctx *cx, int64_t campaign_id, const char *as_of,
                    int64_t store_id, cJSON **out)
{
    static const char *const ns[] = { "1", "2", "3", "4+" };
    struct sellthrough st;
    struct db_res sr, fq, bk, hr, ot;
    struct db_val t = DB_I64(cx->tenant_id), s = DB_I64(store_id), p, l, to;
    cJSON *doc, *o, *list;
    size_t i;
    int h;
    enum app_err rc = store_row(cx, store_id, &sr);

    /* only the head is needed: the campaign's one row, no stores */
    if (rc == APP_OK)
        rc = sellthrough_get(cx, campaign_id, as_of, &st);
    if (rc != APP_OK)
        return rc;
    p = DB_I64(st.product_id);
    l = DB_CSTR(st.launch_on);
    to = DB_CSTR(st.as_of);
    rc = db_query(cx->db, cx->a, SQL_FREQ, DB_ARGS(t, s, p, l, to), 4, &fq);
    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_BASKET, DB_ARGS(p, t, s, l, to), 2,
                      &bk);
    if (rc == APP_OK)
        rc =
            db_query(cx->db, cx->a, SQL_PHOURS,
                     DB_ARGS(DB_CSTR(utc_offset(cx)), t, s, p, l, to), 24, &hr);
    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_OTHERS,
                      DB_ARGS(t, s, p, l, to, t, s, p), ST_OTHERS_MAX, &ot);
    if (rc != APP_OK)
        return rc;
    doc = st_doc_head(&st);
    o = cJSON_AddObjectToObject(doc, "store");
    cJSON_AddNumberToObject(o, "id", (double)store_id);
    cJSON_AddStringToObject(o, "code", db_text(&sr, 0, 1));
    cJSON_AddStringToObject(o, "name", db_text(&sr, 0, 2));
    list = cJSON_AddArrayToObject(doc, "frequency");
    for (i = 0; i < 4; i++) {
        cJSON *q = cJSON_CreateObject();
        int64_t m = 0;
        size_t j;

        for (j = 0; j < fq.nrows; j++)
            if (db_int(&fq, j, 0, 0) == (int64_t)i + 1)
                m = db_int(&fq, j, 1, 0);
        cJSON_AddItemToArray(list, q);
        cJSON_AddStringToObject(q, "n", ns[i]);
        cJSON_AddNumberToObject(q, "members", (double)m);
    }
    o = cJSON_AddObjectToObject(doc, "basket");
    cJSON_AddItemToObject(o, "with", basket_side(&bk, 1));
    cJSON_AddItemToObject(o, "without", basket_side(&bk, 0));
    list = cJSON_AddArrayToObject(doc, "hours");
    for (h = 0; h < 24; h++) {
        cJSON *q = cJSON_CreateObject();
        int64_t n = 0, u = 0;

        for (i = 0; i < hr.nrows; i++)
            if (db_int(&hr, i, 0, -1) == h) {
                n = db_int(&hr, i, 1, 0);
                u = db_int(&hr, i, 2, 0);
            }
        cJSON_AddItemToArray(list, q);
        cJSON_AddNumberToObject(q, "hour", h);
        cJSON_AddNumberToObject(q, "receipts", (double)n);
        cJSON_AddNumberToObject(q, "units", (double)u);
    }
    list = cJSON_AddArrayToObject(doc, "others");
    for (i = 0; i < ot.nrows; i++) {
        cJSON *q = cJSON_CreateObject();

        cJSON_AddItemToArray(list, q);
        cJSON_AddNumberToObject(q, "product_id", (double)db_int(&ot, i, 0, 0));
        cJSON_AddStringToObject(q, "sku", db_text(&ot, i, 1));
        cJSON_AddStringToObject(q, "name", db_text(&ot, i, 2));
        cJSON_AddNumberToObject(q, "receipts", (double)db_int(&ot, i, 3, 0));
        cJSON_AddNumberToObject(q, "units", (double)db_int(&ot, i, 4, 0));
    }
    *out = doc;
    return APP_OK;
}

enum app_err
sellthrough_photo(struct ctx *cx, int64_t store_id, int64_t file_id,
                  const char **sha, const char **mime)
{
    struct db_res r;
    enum app_err rc = stores_visible(cx, store_id);

    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_PHOTO,
                      DB_ARGS(DB_I64(cx->tenant_id), DB_I64(file_id)), 1, &r);
    if (rc == APP_OK && r.nrows == 0)
        rc = APP_ENOTFOUND;
    if (rc == APP_OK) {
        *sha = db_text(&r, 0, 0);
        *mime = db_text(&r, 0, 1);
    }
    return rc;
}

enum app_err
sellthrough_files(struct ctx *cx, int64_t campaign_id, struct db_res *out)
{
    return db_query(cx->db, cx->a, SQL_FILES,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(campaign_id)), 100,
                    out);
}
