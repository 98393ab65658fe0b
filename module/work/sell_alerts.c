/*
 * sell_alerts.c -- the sell-through metrics' breaches for the alerts job
 * (sell_alerts.h).
 *
 * Per run: one statement for the active campaigns, and per campaign the
 * cached components (metrics/sellthrough.h: one row unless an import
 * came in), the store managers and the stores' latest shelf photos (one
 * statement each, only when a store is below its ratio).  No statement
 * per store.
 */
#include "work/sell_alerts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/tz.h"
#include "identity/role.h"
#include "metrics/sellthrough.h"
#include "work/alerts.h"

#define SELL_LIST_MAX 50         /* stores named in one message */
#define SELL_TEXT_MAX (8 * 1024) /* the list's text */
#define SELL_NAME_BYTES 60       /* of a campaign's name in a message */

static const char SQL_CAMPAIGNS[] =
    "SELECT id, name, launch_on FROM campaigns WHERE tenant_id = ? "
    "AND active = 1 AND launch_on <= ? ORDER BY id LIMIT 50";

static const char SQL_MANAGERS[] =
    "SELECT m.store_id, m.user_id FROM store_managers m JOIN users u "
    "ON u.tenant_id = m.tenant_id AND u.id = m.user_id AND u.active = 1 "
    "WHERE m.tenant_id = ? ORDER BY m.store_id, m.user_id LIMIT 100000";

/* The latest shelf photo of each store's customer. */
static const char SQL_LATEST[] =
    "SELECT x.store_id, p.file_id FROM (SELECT s.id AS store_id, "
    "MAX(p.id) AS pid FROM stores s JOIN activities a "
    "ON a.tenant_id = s.tenant_id AND a.customer_id = s.customer_id "
    "JOIN activity_photos p ON p.tenant_id = a.tenant_id "
    "AND p.activity_id = a.id AND p.photo_key = 'shelf' "
    "WHERE s.tenant_id = ? GROUP BY s.id) x "
    "JOIN activity_photos p ON p.id = x.pid LIMIT 100000";

static const char SQL_FILES[] =
    "SELECT f.id, f.name FROM campaign_files cf JOIN files f "
    "ON f.tenant_id = cf.tenant_id AND f.id = cf.file_id "
    "WHERE cf.tenant_id = ? AND cf.campaign_id = ? ORDER BY cf.added_at, "
    "f.id LIMIT 20";

struct camp {
    int64_t id;
    const char *name; /* cut for messages */
    const char *launch;
};

static cJSON *
breach(cJSON *out, const char *key, const char *metric, const char *period,
       const struct camp *c, double value, double threshold)
{
    cJSON *b = cJSON_CreateObject();

    cJSON_AddItemToArray(out, b);
    cJSON_AddStringToObject(b, "key", key);
    cJSON_AddStringToObject(b, "metric", metric);
    cJSON_AddStringToObject(b, "status", "low");
    cJSON_AddStringToObject(b, "period", period);
    cJSON_AddNumberToObject(b, "campaign", (double)c->id);
    cJSON_AddStringToObject(b, "campaign_name", c->name);
    cJSON_AddNumberToObject(b, "value", round(value * 10000) / 10000);
    cJSON_AddNumberToObject(b, "threshold", threshold);
    return b;
}

/* The supervisors' areas below the first-week rate. */
APP_MUST_USE static enum app_err
distribution(struct ctx *cx, const struct camp *c,
             const struct st_thresholds *th, cJSON *out)
{
    struct sellthrough st;
    struct db_res f;
    char last[ST_DAY_LEN];
    size_t i, j;
    enum app_err rc = st_day_add(c->launch, 6, last) ? APP_OK : APP_EINTERNAL;

    if (rc == APP_OK)
        rc = sellthrough_get_all(cx, c->id, last, &st);
    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_FILES,
                      DB_ARGS(DB_I64(cx->tenant_id), DB_I64(c->id)), 20, &f);
    for (i = 0; rc == APP_OK && i < st.nsupervisors; i++) {
        const struct st_sum *s = &st.supervisors[i];
        struct buf miss, files;
        cJSON *b, *list;
        size_t n = 0;

        if (s->supervisor_id <= 0 || isnan(s->distribution) ||
            !(s->distribution < th->distribution))
            continue;
        b = breach(out,
                   arena_printf(cx->a, "distribution:%lld:%lld",
                                (long long)c->id, (long long)s->supervisor_id),
                   "distribution", "once", c, s->distribution,
                   th->distribution);
        cJSON_AddNumberToObject(b, "owner_id", (double)s->supervisor_id);
        cJSON_AddStringToObject(b, "supervisor_name", s->name);
        cJSON_AddNumberToObject(b, "eligible", (double)s->fw_eligible);
        cJSON_AddNumberToObject(b, "sold", (double)s->fw_sold);
        list = cJSON_AddArrayToObject(b, "missing");
        buf_init(&miss, cx->a, SELL_TEXT_MAX);
        for (j = 0; j < st.nstores; j++) {
            const struct st_store *x = &st.stores[j];
            cJSON *o;

            if (x->supervisor_id != s->supervisor_id || !x->fw_eligible ||
                x->fw_sold || n++ >= SELL_LIST_MAX)
                continue;
            o = cJSON_CreateObject();
            cJSON_AddItemToArray(list, o);
            cJSON_AddStringToObject(o, "code", x->code);
            cJSON_AddStringToObject(o, "name", x->name);
            if (buf_printf(&miss, "%s %s /stores/%lld\n", x->code, x->name,
                           (long long)x->store_id) != APP_OK)
                break; /* the list is cut; the array has them all */
        }
        cJSON_AddNumberToObject(b, "missing_count", (double)n);
        cJSON_AddStringToObject(b, "missing_text",
                                miss.p != NULL ? miss.p : "");
        list = cJSON_AddArrayToObject(b, "files");
        buf_init(&files, cx->a, SELL_TEXT_MAX);
        for (j = 0; j < f.nrows; j++) {
            cJSON *o = cJSON_CreateObject();
            const char *url = arena_printf(cx->a, "/files/%lld",
                                           (long long)db_int(&f, j, 0, 0));

            cJSON_AddItemToArray(list, o);
            cJSON_AddStringToObject(o, "name", db_text(&f, j, 1));
            cJSON_AddStringToObject(o, "url", url);
            if (buf_printf(&files, "%s %s\n", db_text(&f, j, 1), url) != APP_OK)
                break;
        }
        cJSON_AddStringToObject(b, "files_text",
                                files.p != NULL ? files.p : "");
    }
    return rc;
}

/* The file id of store's latest shelf photo, 0 for none. */
static int64_t
latest_photo(const struct db_res *ph, int64_t store)
{
    size_t i;

    for (i = 0; i < ph->nrows; i++)
        if (db_int(ph, i, 0, 0) == store)
            return db_int(ph, i, 1, 0);
    return 0;
}

/* The store managers below the weekly ratio, with the nearest stores
 * doing better. */
APP_MUST_USE static enum app_err
sku_ratio(struct ctx *cx, const struct camp *c, const struct sellthrough *st,
          const struct st_thresholds *th, const char *week, cJSON *out)
{
    struct db_res mg, ph;
    bool any = false;
    size_t i, k;
    enum app_err rc;

    for (i = 0; i < st->nstores && !any; i++)
        any = st_store_ratio(&st->stores[i]) < th->sku_ratio;
    if (!any)
        return APP_OK;
    rc = db_query(cx->db, cx->a, SQL_MANAGERS, DB_ARGS(DB_I64(cx->tenant_id)),
                  100000, &mg);
    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_LATEST, DB_ARGS(DB_I64(cx->tenant_id)),
                      100000, &ph);
    /* both lists are by store: one pass over the managers */
    for (k = 0; rc == APP_OK && k < mg.nrows; k++) {
        int64_t sid = db_int(&mg, k, 0, 0), user = db_int(&mg, k, 1, 0);
        const struct st_store *me = NULL;
        struct st_peer peers[3];
        struct buf text;
        double ratio;
        cJSON *b, *list;
        size_t n, j;

        for (i = 0; i < st->nstores && me == NULL; i++)
            if (st->stores[i].store_id == sid)
                me = &st->stores[i];
        ratio = me != NULL ? st_store_ratio(me) : NAN;
        if (me == NULL || !(ratio < th->sku_ratio))
            continue;
        b = breach(out,
                   arena_printf(cx->a, "sku_ratio:%lld:%lld:%lld",
                                (long long)c->id, (long long)sid,
                                (long long)user),
                   "sku_ratio", week, c, ratio, th->sku_ratio);
        cJSON_AddNumberToObject(b, "owner_id", (double)user);
        cJSON_AddStringToObject(b, "store_code", me->code);
        cJSON_AddStringToObject(b, "store_name", me->name);
        n = st_peers(st->stores, st->nstores, me, th->sku_ratio, peers, 3);
        list = cJSON_AddArrayToObject(b, "peers");
        buf_init(&text, cx->a, SELL_TEXT_MAX);
        for (j = 0; j < n; j++) {
            const struct st_store *p = peers[j].store;
            int64_t file = latest_photo(&ph, p->store_id);
            const char *url =
                file > 0 ? arena_printf(cx->a, "/stores/%lld/photos/%lld",
                                        (long long)sid, (long long)file)
                         : arena_printf(cx->a, "/stores/%lld?campaign=%lld",
                                        (long long)sid, (long long)c->id);
            cJSON *o = cJSON_CreateObject();

            cJSON_AddItemToArray(list, o);
            cJSON_AddStringToObject(o, "code", p->code);
            cJSON_AddStringToObject(o, "name", p->name);
            cJSON_AddNumberToObject(o, "km", round(peers[j].km * 100) / 100);
            cJSON_AddNumberToObject(o, "ratio",
                                    round(peers[j].ratio * 10000) / 10000);
            cJSON_AddStringToObject(o, "url", url);
            if (buf_printf(&text, "%s %s %.2f km %.1f%% %s\n", p->code, p->name,
                           peers[j].km, peers[j].ratio * 100, url) != APP_OK)
                break;
        }
        cJSON_AddStringToObject(b, "peers_text", text.p != NULL ? text.p : "");
        cJSON_AddStringToObject(b, "link",
                                arena_printf(cx->a,
                                             "/stores/%lld?campaign=%lld",
                                             (long long)sid, (long long)c->id));
    }
    return rc;
}

/* The stores below the 30-day repurchase, for marketing. */
static void
repurchase(struct ctx *cx, const struct camp *c, const struct sellthrough *st,
           const struct st_thresholds *th, const char *month, cJSON *out)
{
    size_t i;

    for (i = 0; i < st->nstores; i++) {
        const struct st_store *s = &st->stores[i];
        double rate;
        cJSON *b;

        if (s->buyers < th->min_buyers || s->buyers <= 0)
            continue;
        rate = (double)s->repeaters / (double)s->buyers;
        if (!(rate < th->repurchase))
            continue;
        b = breach(out,
                   arena_printf(cx->a, "repurchase:%lld:%lld", (long long)c->id,
                                (long long)s->store_id),
                   "repurchase", month, c, rate, th->repurchase);
        cJSON_AddStringToObject(b, "store_code", s->code);
        cJSON_AddStringToObject(b, "store_name", s->name);
        cJSON_AddNumberToObject(b, "buyers", (double)s->buyers);
        cJSON_AddNumberToObject(b, "repeaters", (double)s->repeaters);
        cJSON_AddStringToObject(
            b, "link",
            arena_printf(cx->a, "/stores/%lld/profile?campaign=%lld",
                         (long long)s->store_id, (long long)c->id));
    }
}

APP_MUST_USE static enum app_err
sell_breaches(struct ctx *cx, const cJSON *thresholds, const cJSON *payload,
              time_t now, cJSON *out)
{
    struct st_thresholds th;
    struct db_res cs;
    struct tm tm;
    char today[ST_DAY_LEN], week[16], month[8];
    int64_t d;
    size_t i;
    enum app_err rc;

    (void)payload;
    st_thresholds_of(
        cJSON_GetObjectItemCaseSensitive(thresholds, "sell_through"), &th);
    tz_local(cx->tenant_tz, now, &tm);
    snprintf(today, sizeof(today), "%04u-%02u-%02u",
             (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u);
    snprintf(month, sizeof(month), "%.7s", today);
    if (!st_iso_week(today, week) || !st_day_number(today, &d))
        return APP_EINTERNAL;
    rc = db_query(cx->db, cx->a, SQL_CAMPAIGNS,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(today)), 50, &cs);
    for (i = 0; rc == APP_OK && i < cs.nrows; i++) {
        struct camp c;
        struct sellthrough st;
        int64_t l;
        const char *name = db_text(&cs, i, 1);

        c.id = db_int(&cs, i, 0, 0);
        c.name = arena_strndup(cx->a, name,
                               utf8_cut(name, strlen(name), SELL_NAME_BYTES));
        c.launch = db_text(&cs, i, 2);
        if (c.name == NULL || !st_day_number(c.launch, &l))
            continue;
        if (d >= l + 7)
            rc = distribution(cx, &c, &th, out);
        if (rc != APP_OK || d < l + 6)
            continue;
        rc = sellthrough_get_all(cx, c.id, today, &st);
        if (rc == APP_OK)
            rc = sku_ratio(cx, &c, &st, &th, week, out);
        if (rc == APP_OK && d >= l + 30)
            repurchase(cx, &c, &st, &th, month, out);
    }
    return rc;
}

static const struct alert_metric sell_metric = { "sell_through",
                                                 sell_breaches };

void
sell_alerts_init(void)
{
    alerts_register(&sell_metric);
}
