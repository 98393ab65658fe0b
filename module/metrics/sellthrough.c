/*
 * sellthrough.c -- the sell-through metrics of a campaign from the POS
 * rollups, through sellthrough_cache (sellthrough.h).
 *
 * A page asks one thing, in one round trip: the campaign with the
 * company's pos_state.version, the cache row of (campaign, as_of) at that
 * version, the newest change to a store (which makes the row stale) and
 * the supervisors' names; a caller who does not see every store also asks for
 * the ids of theirs.  On a miss one set-based statement computes every targeted
 * store's components, names and places from pos_days, pos_store_days
 * and pos_members, and the row is written again.  The rest -- filtering
 * by scope, summing per region, supervisor and campaign -- is O(stores)
 * in C.
 */
#include "metrics/sellthrough.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/tz.h"
#include "rules/rules.h"
#include "sales/stores.h"

#define ST_BODY_MAX ((size_t)STORES_MAX * 96)

/* The campaign, the version, and the cache row at that version. */
static const char SQL_CAMPAIGN[] =
    "SELECT c.id, c.name, c.product_id, p.name, p.sku, c.launch_on, "
    "c.all_stores, COALESCE(v.version, 0), sc.body, sc.computed_at, "
    "(SELECT MAX(updated_at) FROM stores WHERE tenant_id = c.tenant_id), "
    "(SELECT JSON_ARRAYAGG(JSON_OBJECT('id', u.id, 'n', u.display_name)) "
    "FROM users u WHERE u.tenant_id = c.tenant_id AND EXISTS (SELECT 1 "
    "FROM stores s WHERE s.tenant_id = u.tenant_id "
    "AND s.supervisor_id = u.id)) "
    "FROM campaigns c JOIN products p ON p.tenant_id = c.tenant_id "
    "AND p.id = c.product_id "
    "LEFT JOIN pos_state v ON v.tenant_id = c.tenant_id "
    "LEFT JOIN sellthrough_cache sc ON sc.tenant_id = c.tenant_id "
    "AND sc.campaign_id = c.id AND sc.as_of = ? "
    "AND sc.version = COALESCE(v.version, 0) "
    "WHERE c.tenant_id = ? AND c.id = ?";

/* Every targeted store's components: 0 id, 1 eligible for the first
 * week, 2 open on T, 3 units of the product in L..fw_to, 4 in the weekly
 * window, 5 all units in the weekly window, 6 buyers, 7 repeaters; and
 * what the pages show of it: 8 code, 9 name, 10 region, 11 supervisor,
 * 12 the supervisor's name, 13 lat, 14 lng, 15 customer; 16 the time of
 * the computation. */
/* clang-format off */
static const char SQL_COMPUTE[] =
    "SELECT s.id, "
    "(s.opened_on IS NULL OR s.opened_on <= ?) "
    "AND (s.closed_on IS NULL OR s.closed_on > ?), "
    "(s.opened_on IS NULL OR s.opened_on <= ?) "
    "AND (s.closed_on IS NULL OR s.closed_on > ?), "
    "COALESCE(d.fw, 0), COALESCE(d.wk, 0), COALESCE(a.units, 0), "
    "COALESCE(m.buyers, 0), COALESCE(m.again, 0), "
    "s.code, s.name, s.region, COALESCE(s.supervisor_id, 0), "
    "COALESCE(u.display_name, ''), s.lat, s.lng, COALESCE(s.customer_id, 0), "
    "NOW(3) "
    "FROM stores s LEFT JOIN users u ON u.tenant_id = s.tenant_id "
    "AND u.id = s.supervisor_id "
    "LEFT JOIN (SELECT store_id, "
    "SUM(CASE WHEN day <= ? THEN units ELSE 0 END) AS fw, "
    "SUM(CASE WHEN day >= ? THEN units ELSE 0 END) AS wk "
    "FROM pos_days WHERE tenant_id = ? AND product_id = ? "
    "AND day BETWEEN ? AND ? GROUP BY store_id) d ON d.store_id = s.id "
    "LEFT JOIN (SELECT store_id, SUM(units) AS units FROM pos_store_days "
    "WHERE tenant_id = ? AND day BETWEEN ? AND ? GROUP BY store_id) a "
    "ON a.store_id = s.id "
    "LEFT JOIN (SELECT store_id, COUNT(*) AS buyers, "
    "SUM(again_day IS NOT NULL AND again_day <= ? "
    "AND again_day <= first_day + INTERVAL 30 DAY) AS again "
    "FROM pos_members WHERE tenant_id = ? AND product_id = ? "
    "AND first_day BETWEEN ? AND ? GROUP BY store_id) m "
    "ON m.store_id = s.id "
    "WHERE s.tenant_id = ? AND (? = 1 OR s.id IN (SELECT store_id "
    "FROM campaign_stores WHERE tenant_id = ? AND campaign_id = ?)) "
    "ORDER BY s.code";
/* clang-format on */

static const char SQL_PUT[] =
    "INSERT INTO sellthrough_cache (tenant_id, campaign_id, as_of, version, "
    "body, computed_at) VALUES (?, ?, ?, ?, ?, COALESCE(?, "
    "CURRENT_TIMESTAMP(3))) ON DUPLICATE KEY UPDATE "
    "version = VALUES(version), body = VALUES(body), "
    "computed_at = VALUES(computed_at)";

/* Rows of an older POS version can never be read again (the version only
 * grows): each computation takes them away, so the table holds about one
 * row per campaign and day looked at since the last import. */
static const char SQL_PRUNE[] =
    "DELETE FROM sellthrough_cache WHERE tenant_id = ? AND version < ?";

/* The stores the caller sees (asked only of those who do not see all). */
static const char SQL_SCOPE[] = "SELECT s.id FROM stores s WHERE s.tenant_id "
                                "= ? AND " STORES_SCOPE_SQL " ORDER BY s.id";

static const char SQL_DEFAULT[] =
    "SELECT id FROM campaigns WHERE tenant_id = ? AND active = 1 "
    "ORDER BY launch_on DESC, id DESC LIMIT 1";

static const char SQL_LIST[] =
    "SELECT id, name, launch_on, active FROM campaigns WHERE tenant_id = ? "
    "ORDER BY active DESC, launch_on DESC, id DESC LIMIT 200";

enum app_err
sellthrough_default_campaign(struct ctx *cx, int64_t *id)
{
    struct db_res r;
    enum app_err rc = db_query(cx->db, cx->a, SQL_DEFAULT,
                               DB_ARGS(DB_I64(cx->tenant_id)), 1, &r);

    if (rc == APP_OK && r.nrows == 0)
        rc = APP_ENOTFOUND;
    if (rc == APP_OK)
        *id = db_int(&r, 0, 0, 0);
    return rc;
}

enum app_err
sellthrough_campaigns(struct ctx *cx, struct db_res *out)
{
    return db_query(cx->db, cx->a, SQL_LIST, DB_ARGS(DB_I64(cx->tenant_id)),
                    ST_CAMPAIGNS_MAX, out);
}

static double
coord(const struct db_res *r, size_t i, size_t col)
{
    const char *t = db_text(r, i, col);
    char *end;
    double v;

    if (t[0] == '\0')
        return NAN;
    v = strtod(t, &end);
    return *end == '\0' && v >= -180 && v <= 180 ? v : NAN;
}

/* Compute every targeted store's components and store them. */
APP_MUST_USE static enum app_err
compute(struct ctx *cx, const struct st_window *w, int64_t campaign_id,
        int64_t product_id, bool all_stores, int64_t version,
        struct st_store **out, size_t *n)
{
    struct db_res r;
    struct buf body;
    struct st_store *s;
    size_t i;
    enum app_err rc = db_query(
        cx->db, cx->a, SQL_COMPUTE,
        DB_ARGS(DB_CSTR(w->launch), DB_CSTR(w->fw_last), DB_CSTR(w->as_of),
                DB_CSTR(w->as_of), DB_CSTR(w->fw_to), DB_CSTR(w->week_from),
                DB_I64(cx->tenant_id), DB_I64(product_id), DB_CSTR(w->launch),
                DB_CSTR(w->as_of), DB_I64(cx->tenant_id), DB_CSTR(w->week_from),
                DB_CSTR(w->as_of), DB_CSTR(w->as_of), DB_I64(cx->tenant_id),
                DB_I64(product_id), DB_CSTR(w->launch), DB_CSTR(w->as_of),
                DB_I64(cx->tenant_id), DB_I64(all_stores ? 1 : 0),
                DB_I64(cx->tenant_id), DB_I64(campaign_id)),
        STORES_MAX, &r);

    if (rc != APP_OK)
        return rc;
    s = arena_calloc(cx->a, r.nrows + 1, sizeof(*s));
    if (s == NULL)
        return APP_ENOMEM;
    for (i = 0; i < r.nrows; i++) {
        s[i].store_id = db_int(&r, i, 0, 0);
        s[i].fw_eligible = db_int(&r, i, 1, 0) == 1;
        s[i].week_open = db_int(&r, i, 2, 0) == 1;
        s[i].fw_sold =
            w->started && s[i].fw_eligible && db_int(&r, i, 3, 0) > 0;
        s[i].units_new = w->started ? db_int(&r, i, 4, 0) : 0;
        s[i].units_all = w->started ? db_int(&r, i, 5, 0) : 0;
        s[i].buyers = db_int(&r, i, 6, 0);
        s[i].repeaters = db_int(&r, i, 7, 0);
        s[i].code = db_text(&r, i, 8);
        s[i].name = db_text(&r, i, 9);
        s[i].region = db_text(&r, i, 10);
        s[i].supervisor_id = db_int(&r, i, 11, 0);
        s[i].supervisor_name = db_text(&r, i, 12);
        s[i].lat = coord(&r, i, 13);
        s[i].lng = coord(&r, i, 14);
        s[i].customer_id = db_int(&r, i, 15, 0);
    }
    buf_init(&body, cx->a, ST_BODY_MAX);
    rc = st_encode(s, r.nrows, &body);
    if (rc == APP_OK)
        rc = db_exec(
            cx->db, SQL_PUT,
            DB_ARGS(DB_I64(cx->tenant_id), DB_I64(campaign_id),
                    DB_CSTR(w->as_of), DB_I64(version), DB_STR(buf_str(&body)),
                    r.nrows > 0 ? DB_CSTR(db_text(&r, 0, 16)) : DB_NULL),
            NULL, NULL);
    if (rc == APP_ECONFLICT)
        rc = APP_OK; /* another worker wrote the same numbers */
    if (rc != APP_OK)
        return rc;
    /* Not inside a caller's transaction: a failure there would end it. */
    if (!db_in_tx(cx->db))
        app_ignore(db_exec(cx->db, SQL_PRUNE,
                           DB_ARGS(DB_I64(cx->tenant_id), DB_I64(version)),
                           NULL, NULL),
                   "stale rows are only space: the next computation retries");
    log_info("sellthrough.computed", "tenant=%lld campaign=%lld stores=%zu",
             (long long)cx->tenant_id, (long long)campaign_id, r.nrows);
    *out = s;
    *n = r.nrows;
    return APP_OK;
}

/* Whether id is among ids[0..n) (ascending). */
static bool
among(const struct db_res *ids, int64_t id)
{
    size_t lo = 0, hi = ids->nrows;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t v = db_int(ids, mid, 0, 0);

        if (v == id)
            return true;
        if (v < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* The cache row is older than a change to a store (a name, a place, a
 * supervisor, a day it opened or closed) that pos_state.version does not
 * count.  (Users change at every sign-in, so the supervisors' names are
 * read fresh instead: supervisor_names.) */
static bool
stale(const struct db_res *c)
{
    return strcmp(db_text(c, 0, 10), db_text(c, 0, 9)) > 0;
}

/* The supervisors' names now, from the JSON [{id, n}] the campaign's
 * statement gives, over the names the row was computed with. */
static void
supervisor_names(struct ctx *cx, struct str json, struct st_store *s, size_t n)
{
    cJSON *a = json.p != NULL ? cJSON_ParseWithLength(json.p, json.len) : NULL;
    const cJSON *o;
    size_t i;

    cJSON_ArrayForEach(o, a)
    {
        double id = cJSON_GetNumberValue(cJSON_GetObjectItem(o, "id"));
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(o, "n"));
        const char *copy = name != NULL ? arena_strdup(cx->a, name) : NULL;

        for (i = 0; copy != NULL && i < n; i++) /* tens of supervisors */
            if ((double)s[i].supervisor_id == id)
                s[i].supervisor_name = copy;
    }
    cJSON_Delete(a);
}

APP_MUST_USE static enum app_err
get(struct ctx *cx, int64_t campaign_id, const char *as_of, bool all,
    struct sellthrough *out)
{
    struct db_res c, ids;
    struct db_val args[6];
    struct st_window w;
    struct st_store *comp = NULL;
    size_t ncomp = 0, i, k = 0;
    char today[ST_DAY_LEN];
    enum app_err rc;

    memset(out, 0, sizeof(*out));
    memset(&ids, 0, sizeof(ids));
    if (as_of == NULL || as_of[0] == '\0') {
        tz_today(cx->tenant_tz, today, sizeof(today));
        as_of = today;
    }
    if (!st_window(as_of, as_of, &w))
        return APP_EVALIDATION;
    rc = db_query(
        cx->db, cx->a, SQL_CAMPAIGN,
        DB_ARGS(DB_CSTR(w.as_of), DB_I64(cx->tenant_id), DB_I64(campaign_id)),
        1, &c);
    if (rc == APP_OK && c.nrows == 0)
        rc = APP_ENOTFOUND;
    if (rc != APP_OK)
        return rc;
    if (!st_window(db_text(&c, 0, 5), as_of, &w))
        return APP_EINTERNAL;
    args[0] = DB_I64(cx->tenant_id);
    stores_scope_args(cx, args + 1);
    all = all || args[1].i == 1;
    if (!all) /* the ids the caller sees; admins and marketing see all */
        rc = db_query(cx->db, cx->a, SQL_SCOPE, args, 6, STORES_MAX, &ids);
    if (rc != APP_OK)
        return rc;
    if (db_cell(&c, 0, 8).p != NULL && !stale(&c))
        rc = st_decode(cx->a, db_cell(&c, 0, 8).p, db_cell(&c, 0, 8).len,
                       STORES_MAX, &comp, &ncomp);
    else
        rc = APP_ENOTFOUND;
    if (rc != APP_OK) /* a miss, or a row this version cannot read */
        rc = compute(cx, &w, campaign_id, db_int(&c, 0, 2, 0),
                     db_int(&c, 0, 6, 1) == 1, db_int(&c, 0, 7, 0), &comp,
                     &ncomp);
    if (rc != APP_OK)
        return rc;
    if (all) {
        out->stores = comp; /* by code */
        k = ncomp;
    } else {
        out->stores = arena_calloc(cx->a, ncomp + 1, sizeof(*out->stores));
        if (out->stores == NULL)
            return APP_ENOMEM;
        for (i = 0; i < ncomp; i++)
            if (among(&ids, comp[i].store_id))
                out->stores[k++] = comp[i];
    }
    out->nstores = k;
    supervisor_names(cx, db_cell(&c, 0, 11), out->stores, k);
    out->campaign_id = db_int(&c, 0, 0, 0);
    out->campaign_name = db_text(&c, 0, 1);
    out->product_id = db_int(&c, 0, 2, 0);
    out->product_name = db_text(&c, 0, 3);
    out->product_sku = db_text(&c, 0, 4);
    out->launch_on = arena_strdup(cx->a, w.launch);
    out->as_of = arena_strdup(cx->a, w.as_of);
    out->week_from = arena_strdup(cx->a, w.week_from);
    out->started = w.started;
    out->all = all;
    if (out->launch_on == NULL || out->as_of == NULL || out->week_from == NULL)
        return APP_ENOMEM;
    return st_summarize(cx->a, out, w.started);
}

enum app_err
sellthrough_get(struct ctx *cx, int64_t campaign_id, const char *as_of,
                struct sellthrough *out)
{
    return get(cx, campaign_id, as_of, false, out);
}

enum app_err
sellthrough_get_all(struct ctx *cx, int64_t campaign_id, const char *as_of,
                    struct sellthrough *out)
{
    return get(cx, campaign_id, as_of, true, out);
}

enum app_err
sellthrough_thresholds(struct ctx *cx, struct st_thresholds *out)
{
    const cJSON *d = NULL;
    int version;
    enum app_err rc = rules_describe(cx, &d, &version);

    st_thresholds_of(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(d, "metrics"), "sell_through"),
        out);
    return rc;
}
