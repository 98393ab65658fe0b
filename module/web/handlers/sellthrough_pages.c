/*
 * sellthrough_pages.c -- the sell-through dashboard, the store page, the
 * profile report and the campaign page (sellthrough_pages.h).
 *
 * The dashboard reads the campaign's cached components (one row) and the
 * caller's stores (one statement), and does the rest in C: sums, the
 * sort, three charts.  The same documents are the JSON API's
 * (sellthrough_api.c), so the page and the API never disagree.
 */
#include "web/handlers/sellthrough_pages.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/validate.h"
#include "db/db.h"
#include "http/router.h"
#include "identity/role.h"
#include "metrics/sellthrough.h"
#include "web/sellthrough_svg.h"
#include "web/sellthrough_view.h"
#include "web/view.h"

#define ST_PAGE_SVG_MAX (256u * 1024u)

enum st_sort { SORT_CODE, SORT_DISTRIBUTION, SORT_RATIO, SORT_REPURCHASE };
static const char *const sort_values[] = { "code", "distribution", "ratio",
                                           "repurchase", NULL };

/* A store's value under a sort: NaN (no value) sorts last either way. */
static double
sort_value(const struct st_store *s, int by)
{
    switch (by) {
    case SORT_DISTRIBUTION:
        return s->fw_eligible ? (s->fw_sold ? 1 : 0) : NAN;
    case SORT_RATIO:
        return st_store_ratio(s);
    case SORT_REPURCHASE:
        return s->buyers > 0 ? (double)s->repeaters / (double)s->buyers : NAN;
    default:
        return 0;
    }
}

static int
by_sort(const void *x, const void *y, void *arg)
{
    const struct st_store *a = x, *b = y;
    const int *how = arg; /* {sort, desc} */
    double va = sort_value(a, how[0]), vb = sort_value(b, how[0]);
    int c = 0;

    if (isnan(va) != isnan(vb))
        return isnan(va) ? 1 : -1;
    if (!isnan(va) && va != vb)
        c = va < vb ? -1 : 1;
    if (c == 0)
        c = strcmp(a->code, b->code);
    return how[1] ? -c : c;
}

/* ?sort= and ?dir= (absent: the laggards first, by ratio ascending). */
APP_MUST_USE static enum app_err
sort_args(struct req *r, int *sort, bool *desc)
{
    static const char *const dirs[] = { "asc", "desc", NULL };
    static const struct field_spec spec[] = {
        { "sort", V_ENUM, false, 0, 0, sort_values },
        { "dir", V_ENUM, false, 0, 0, dirs },
    };
    struct field_val v[2];

    if (validate_fields(&r->cx.err_detail, &r->query_args, spec, 2, v, NULL) !=
        APP_OK) {
        r->cx.err_detail = "sellthrough.bad_query";
        return APP_EINVAL;
    }
    *sort = v[0].present ? (int)v[0].i : SORT_RATIO;
    *desc = v[1].present && v[1].i == 1;
    return APP_OK;
}

/* The thresholds as the page shows them. */
static void
add_thresholds(struct req *r, cJSON *m, const struct st_thresholds *th)
{
    cJSON *o = cJSON_AddObjectToObject(m, "th");

    view_add_str(o, "distribution",
                 arena_printf(r->a, "%.0f%%", th->distribution * 100));
    view_add_str(o, "sku_ratio",
                 arena_printf(r->a, "%.1f%%", th->sku_ratio * 100));
    view_add_str(o, "repurchase",
                 arena_printf(r->a, "%.0f%%", th->repurchase * 100));
    cJSON_AddNumberToObject(o, "min_buyers", (double)th->min_buyers);
}

/* A store row's words: ✓/✗ for the first week, percentages, laggard
 * marks against the thresholds. */
static void
mark_stores(struct req *r, cJSON *list, const struct st_thresholds *th,
            bool started)
{
    cJSON *o;

    cJSON_ArrayForEach(o, list)
    {
        const cJSON *d = cJSON_GetObjectItem(o, "distribution");
        const cJSON *k = cJSON_GetObjectItem(o, "sku_ratio");
        const cJSON *p = cJSON_GetObjectItem(o, "repurchase");
        const cJSON *ratio = cJSON_GetObjectItem(k, "ratio");
        const cJSON *rate = cJSON_GetObjectItem(p, "rate");
        bool elig = cJSON_IsTrue(cJSON_GetObjectItem(d, "eligible"));
        bool sold = cJSON_IsTrue(cJSON_GetObjectItem(d, "sold"));
        bool low_d = started && elig && !sold;
        bool low_k =
            cJSON_IsNumber(ratio) && ratio->valuedouble < th->sku_ratio;
        bool low_p = cJSON_IsNumber(rate) && rate->valuedouble < th->repurchase;

        view_add_str(o, "distribution_mark",
                     !elig  ? "\xe2\x80\x94"
                     : sold ? "\xe2\x9c\x93"
                            : "\xe2\x9c\x97");
        view_add_str(o, "sku_ratio_pct", st_view_pct(r, k, "ratio"));
        view_add_str(o, "repurchase_pct", st_view_pct(r, p, "rate"));
        cJSON_AddBoolToObject(o, "distribution_low", low_d);
        cJSON_AddBoolToObject(o, "sku_ratio_low", low_k);
        cJSON_AddBoolToObject(o, "repurchase_low", low_p);
        cJSON_AddBoolToObject(o, "laggard", low_d || low_k || low_p);
    }
}

/* A string the arena keeps for the request, without a copy. */
static void
add_ref(cJSON *o, const char *k, const char *v)
{
    cJSON_AddItemToObjectCS(o, k,
                            cJSON_CreateStringReference(v != NULL ? v : ""));
}

static void
add_flag(cJSON *o, const char *k, bool v)
{
    cJSON_AddItemToObjectCS(o, k, cJSON_CreateBool(v));
}

/* The dashboard's rows of st's stores into doc["stores"]: only what the
 * row shows, as text, with constant keys and referenced strings -- the
 * page lists hundreds of stores, and the API document (sellthrough_doc)
 * would cost an allocation per number and key. */
static void
store_rows(struct req *r, cJSON *doc, const struct sellthrough *st,
           const struct st_thresholds *th)
{
    cJSON *list = cJSON_CreateArray();
    size_t i;

    cJSON_AddItemToObjectCS(doc, "stores", list);
    for (i = 0; i < st->nstores; i++) {
        const struct st_store *s = &st->stores[i];
        double ratio = st_store_ratio(s);
        double rep =
            s->buyers > 0 ? (double)s->repeaters / (double)s->buyers : NAN;
        bool low_d = st->started && s->fw_eligible && !s->fw_sold;
        bool low_k = ratio < th->sku_ratio, low_p = rep < th->repurchase;
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(list, o);
        cJSON_AddItemToObjectCS(o, "id",
                                cJSON_CreateNumber((double)s->store_id));
        add_ref(o, "code", s->code);
        add_ref(o, "name", s->name);
        add_ref(o, "region", s->region);
        add_ref(o, "distribution_mark",
                !s->fw_eligible ? "\xe2\x80\x94"
                : s->fw_sold    ? "\xe2\x9c\x93"
                                : "\xe2\x9c\x97");
        add_ref(o, "sku_ratio_pct", st_view_pct_of(r, ratio));
        add_ref(o, "sku_ratio_detail",
                st_view_pair(r, s->units_new, s->units_all));
        add_ref(o, "repurchase_pct", st_view_pct_of(r, rep));
        add_ref(o, "repurchase_detail",
                st_view_pair(r, s->repeaters, s->buyers));
        add_flag(o, "distribution_low", low_d);
        add_flag(o, "sku_ratio_low", low_k);
        add_flag(o, "repurchase_low", low_p);
        add_flag(o, "laggard", low_d || low_k || low_p);
    }
}

/* One chart of a metric per region into m[key]. */
static void
region_chart(struct req *r, cJSON *m, const char *key, const char *title,
             const struct sellthrough *st, int which, double th)
{
    struct st_bar *bars = arena_calloc(r->a, st->nregions + 1, sizeof(*bars));
    struct buf b;
    size_t i;

    if (bars == NULL)
        return;
    for (i = 0; i < st->nregions; i++) {
        const struct st_sum *s = &st->regions[i];

        bars[i].label = str_c(s->key[0] != '\0' ? s->key : "\xe2\x80\x94");
        bars[i].value = which == 0   ? s->distribution
                        : which == 1 ? s->sku_ratio
                                     : s->repurchase;
    }
    buf_init(&b, r->a, ST_PAGE_SVG_MAX);
    if (st_svg_bars(&b, str_c(http_t(r, title)), bars, st->nregions, th) ==
        APP_OK)
        st_view_svg(m, key, &b);
}

enum app_err
page_sellthrough(struct req *r)
{
    struct sellthrough st;
    struct st_thresholds th;
    int64_t campaign = 0;
    const char *as_of, *qs;
    int how[2];
    bool desc;
    size_t i;
    cJSON *m = view_new(r), *doc = NULL, *o;
    enum app_err rc = m != NULL ? sort_args(r, &how[0], &desc) : APP_ENOMEM;

    if (rc == APP_OK)
        rc = st_view_args(r, &campaign, &as_of);
    if (rc == APP_ENOTFOUND && http_query_arg(r, "campaign") == NULL)
        return view_page(r, 200, "pages/sellthrough", m); /* none yet */
    if (rc == APP_OK)
        rc = sellthrough_get(&r->cx, campaign, as_of, &st);
    if (rc == APP_OK)
        rc = sellthrough_thresholds(&r->cx, &th);
    if (rc == APP_OK)
        rc = st_view_picker(r, m, campaign);
    if (rc != APP_OK)
        return rc;
    how[1] = desc;
    if (st.nstores > 1)
        qsort_r(st.stores, st.nstores, sizeof(*st.stores), by_sort, how);
    rc = sellthrough_doc(&st, false, &doc);
    if (rc != APP_OK)
        return rc;
    cJSON_AddItemToObject(m, "st", doc);
    add_thresholds(r, m, &th);
    store_rows(r, doc, &st, &th);
    o = cJSON_GetObjectItem(doc, "total");
    {
        cJSON *one = cJSON_CreateArray();

        cJSON_AddItemReferenceToArray(one, o);
        st_view_marks(r, one, &th);
        cJSON_Delete(one);
    }
    st_view_marks(r, cJSON_GetObjectItem(doc, "regions"), &th);
    st_view_marks(r, cJSON_GetObjectItem(doc, "supervisors"), &th);
    region_chart(r, m, "distribution_svg", "sellthrough.distribution", &st, 0,
                 th.distribution);
    region_chart(r, m, "ratio_svg", "sellthrough.sku_ratio", &st, 1,
                 th.sku_ratio);
    region_chart(r, m, "repurchase_svg", "sellthrough.repurchase", &st, 2,
                 th.repurchase);
    qs = arena_printf(r->a, "campaign=%lld&as_of=%s", (long long)campaign,
                      st.as_of);
    view_add_str(m, "qs", qs);
    o = cJSON_AddObjectToObject(m, "sort");
    for (i = 0; sort_values[i] != NULL; i++) {
        static const char *const labels[] = { "sellthrough.code",
                                              "sellthrough.distribution",
                                              "sellthrough.sku_ratio",
                                              "sellthrough.repurchase" };
        cJSON *thc =
            view_sort_th(r, "/sell-through", qs, sort_values[i],
                         http_t(r, labels[i]), (int)i == how[0], desc, false);

        if (thc == NULL)
            return APP_ENOMEM;
        cJSON_AddItemToObject(o, sort_values[i], thc);
    }
    cJSON_AddBoolToObject(m, "has_campaign", true);
    return view_page(r, 200, "pages/sellthrough", m);
}

/* Serve a stored file through nginx (as files_download does). */
APP_MUST_USE static enum app_err
send_file(struct req *r, const char *sha, const char *mime)
{
    enum app_err rc;

    if (strlen(sha) != 64)
        return APP_ENOTFOUND;
    rc = http_header(
        r, "X-Accel-Redirect",
        arena_printf(r->a, "/_files/%.2s/%.2s/%s", sha, sha + 2, sha));
    if (rc == APP_OK)
        rc = http_header(r, "Content-Disposition", "inline");
    if (rc != APP_OK)
        return rc;
    buf_clear(&r->body);
    r->status = 200;
    r->content_type = mime;
    return APP_OK;
}

enum app_err
page_store_photo(struct req *r)
{
    const char *sha, *mime;
    enum app_err rc =
        sellthrough_photo(&r->cx, router_param_int(r, "id"),
                          router_param_int(r, "file"), &sha, &mime);

    if (rc != APP_OK)
        return rc;
    return send_file(r, sha, mime);
}

/* The photo of o as links through the store page's own route. */
static void
photo_links(struct req *r, cJSON *o, int64_t page_store)
{
    cJSON *p = cJSON_GetObjectItem(o, "photo");
    double f = cJSON_GetNumberValue(cJSON_GetObjectItem(p, "file_id"));
    double t = cJSON_GetNumberValue(cJSON_GetObjectItem(p, "thumb_file_id"));

    if (!cJSON_IsObject(p) || !(f >= 1))
        return;
    view_add_str(p, "url",
                 arena_printf(r->a, "/stores/%lld/photos/%lld",
                              (long long)page_store, (long long)f));
    view_add_str(p, "thumb_url",
                 arena_printf(r->a, "/stores/%lld/photos/%lld",
                              (long long)page_store,
                              (long long)(t >= 1 ? t : f)));
    view_add_str(
        p, "at_local",
        view_local(r, cJSON_GetStringValue(cJSON_GetObjectItem(p, "at"))));
}

static void
hours_of(const cJSON *o, double v[24])
{
    const cJSON *h;
    int i = 0;

    memset(v, 0, 24 * sizeof(*v));
    cJSON_ArrayForEach(h, cJSON_GetObjectItem(o, "hours"))
    {
        if (i < 24)
            v[i++] = cJSON_GetNumberValue(h);
    }
}

/* The best-selling hours of o as text: "10:00 18:00 19:00". */
static const char *
best_hours(struct req *r, const double v[24])
{
    int top[3] = { -1, -1, -1 }, i, j;
    const char *s = "";

    for (i = 0; i < 24; i++) {
        for (j = 0; j < 3; j++)
            if (v[i] > 0 && (top[j] < 0 || v[i] > v[top[j]])) {
                memmove(&top[j + 1], &top[j], (size_t)(2 - j) * sizeof(int));
                top[j] = i;
                break;
            }
    }
    for (j = 0; j < 3 && top[j] >= 0; j++)
        s = arena_printf(r->a, "%s%s%02d:00", s, j > 0 ? " " : "", top[j]);
    return s != NULL ? s : "";
}

enum app_err
page_store(struct req *r)
{
    struct st_thresholds th;
    int64_t campaign = 0, id = router_param_int(r, "id");
    const char *as_of;
    double mine[24], peers[24], one[24];
    cJSON *m = view_new(r), *doc = NULL, *s, *p;
    struct buf b;
    size_t npeers = 0;
    int i;
    enum app_err rc =
        m != NULL ? st_view_args(r, &campaign, &as_of) : APP_ENOMEM;

    if (rc == APP_ENOTFOUND && http_query_arg(r, "campaign") == NULL)
        rc = APP_OK, campaign = 0; /* no campaign yet: the store alone */
    if (rc == APP_OK)
        rc = sellthrough_store(&r->cx, campaign, as_of, id, &doc);
    if (rc == APP_OK)
        rc = sellthrough_thresholds(&r->cx, &th);
    if (rc == APP_OK)
        rc = st_view_picker(r, m, campaign);
    if (rc != APP_OK) {
        cJSON_Delete(doc);
        return rc;
    }
    cJSON_AddItemToObject(m, "st", doc);
    add_thresholds(r, m, &th);
    s = cJSON_GetObjectItem(doc, "store");
    p = cJSON_GetObjectItem(doc, "peers");
    {
        cJSON *me = cJSON_CreateArray();

        cJSON_AddItemReferenceToArray(me, s);
        mark_stores(r, me, &th, true);
        cJSON_Delete(me);
    }
    mark_stores(r, p, &th, true);
    photo_links(r, s, id);
    hours_of(s, mine);
    view_add_str(s, "best_hours", best_hours(r, mine));
    memset(peers, 0, sizeof(peers));
    {
        cJSON *q;

        cJSON_ArrayForEach(q, p)
        {
            photo_links(r, q, id);
            hours_of(q, one);
            view_add_str(q, "best_hours", best_hours(r, one));
            view_add_str(q, "km_text",
                         arena_printf(r->a, "%.2f",
                                      cJSON_GetNumberValue(
                                          cJSON_GetObjectItem(q, "km"))));
            for (i = 0; i < 24; i++)
                peers[i] += one[i];
            npeers++;
        }
    }
    for (i = 0; npeers > 0 && i < 24; i++)
        peers[i] /= (double)npeers;
    buf_init(&b, r->a, ST_PAGE_SVG_MAX);
    if (st_svg_hours(&b, str_c(http_t(r, "sellthrough.hours_title")), mine,
                     npeers > 0 ? peers : NULL,
                     str_c(http_t(r, "sellthrough.this_store")),
                     str_c(http_t(r, "sellthrough.peers_mean"))) == APP_OK)
        st_view_svg(m, "hours_svg", &b);
    cJSON_AddBoolToObject(m, "may_write",
                          (r->cx.role & (ROLE_ADMIN | ROLE_MANAGER)) != 0);
    cJSON_AddBoolToObject(
        m, "has_customer",
        cJSON_GetNumberValue(cJSON_GetObjectItem(s, "customer_id")) >= 1);
    cJSON_AddBoolToObject(m, "has_campaign", campaign > 0);
    cJSON_AddNumberToObject(m, "campaign_id", (double)campaign);
    return view_page(r, 200, "pages/store", m);
}

enum app_err
page_store_profile(struct req *r)
{
    int64_t campaign = 0, id = router_param_int(r, "id");
    const char *as_of;
    double v[24];
    cJSON *m = view_new(r), *doc = NULL, *h;
    struct buf b;
    int i = 0;
    enum app_err rc =
        m != NULL ? st_view_args(r, &campaign, &as_of) : APP_ENOMEM;

    if (rc == APP_OK)
        rc = sellthrough_profile(&r->cx, campaign, as_of, id, &doc);
    if (rc != APP_OK)
        return rc;
    cJSON_AddItemToObject(m, "st", doc);
    memset(v, 0, sizeof(v));
    cJSON_ArrayForEach(h, cJSON_GetObjectItem(doc, "hours"))
    {
        if (i < 24)
            v[i++] = cJSON_GetNumberValue(cJSON_GetObjectItem(h, "receipts"));
    }
    buf_init(&b, r->a, ST_PAGE_SVG_MAX);
    if (st_svg_hours(&b, str_c(http_t(r, "sellthrough.profile_hours")), v, NULL,
                     str_c(http_t(r, "sellthrough.receipts")),
                     STR_NULL) == APP_OK)
        st_view_svg(m, "hours_svg", &b);
    {
        cJSON *bk = cJSON_GetObjectItem(doc, "basket");
        const char *sides[] = { "with", "without" };
        size_t k;

        for (k = 0; k < 2; k++) {
            cJSON *o = cJSON_GetObjectItem(bk, sides[k]);
            const cJSON *mu = cJSON_GetObjectItem(o, "mean_units");
            const cJSON *ma = cJSON_GetObjectItem(o, "mean_amount");

            view_add_str(o, "mean_units_text",
                         cJSON_IsNumber(mu)
                             ? arena_printf(r->a, "%.2f", mu->valuedouble)
                             : "\xe2\x80\x94");
            view_add_str(o, "mean_amount_text",
                         cJSON_IsNumber(ma) ? arena_printf(r->a, "\xc2\xa5%.2f",
                                                           ma->valuedouble)
                                            : "\xe2\x80\x94");
        }
    }
    return view_page(r, 200, "pages/store_profile", m);
}

/* The laggards of one metric among the campaign's stores into m[key]. */
static void
laggards(struct req *r, cJSON *m, const char *key, const struct sellthrough *st,
         const struct st_thresholds *th, int which)
{
    cJSON *list = cJSON_AddArrayToObject(m, key);
    size_t i;

    for (i = 0; i < st->nstores; i++) {
        const struct st_store *s = &st->stores[i];
        double v = which == 1 ? st_store_ratio(s)
                   : which == 2 && s->buyers > 0
                       ? (double)s->repeaters / (double)s->buyers
                       : NAN;
        bool lag = which == 0   ? st->started && s->fw_eligible && !s->fw_sold
                   : which == 1 ? !isnan(v) && v < th->sku_ratio
                                : s->buyers >= th->min_buyers && !isnan(v) &&
                                      v < th->repurchase;
        cJSON *o;

        if (!lag)
            continue;
        o = cJSON_CreateObject();
        cJSON_AddItemToArray(list, o);
        cJSON_AddNumberToObject(o, "id", (double)s->store_id);
        view_add_str(o, "code", s->code);
        view_add_str(o, "name", s->name);
        view_add_str(o, "region", s->region);
        view_add_str(o, "value",
                     isnan(v) ? "" : arena_printf(r->a, "%.1f%%", v * 100));
        cJSON_AddNumberToObject(o, "buyers", (double)s->buyers);
    }
}

enum app_err
page_campaign(struct req *r)
{
    struct sellthrough st;
    struct st_thresholds th;
    struct db_res files;
    int64_t id = router_param_int(r, "id");
    const char *as_of = NULL;
    const struct str *q;
    cJSON *m = view_new(r), *doc = NULL, *list, *o;
    size_t i;
    enum app_err rc = m != NULL ? APP_OK : APP_ENOMEM;

    q = http_query_arg(r, "as_of");
    if (q != NULL && q->len > 0) {
        int64_t day;

        as_of = arena_strndup(r->a, q->p, q->len);
        if (as_of == NULL || !st_day_number(as_of, &day)) {
            r->cx.err_detail = "sellthrough.bad_date";
            return APP_EINVAL;
        }
    }
    if (rc == APP_OK)
        rc = sellthrough_get(&r->cx, id, as_of, &st);
    if (rc == APP_OK)
        rc = sellthrough_thresholds(&r->cx, &th);
    if (rc == APP_OK)
        rc = sellthrough_files(&r->cx, id, &files);
    if (rc == APP_OK)
        rc = sellthrough_doc(&st, true, &doc);
    if (rc != APP_OK)
        return rc;
    cJSON_AddItemToObject(m, "st", doc);
    add_thresholds(r, m, &th);
    {
        cJSON *one = cJSON_CreateArray();

        cJSON_AddItemReferenceToArray(one, cJSON_GetObjectItem(doc, "total"));
        st_view_marks(r, one, &th);
        cJSON_Delete(one);
    }
    st_view_marks(r, cJSON_GetObjectItem(doc, "regions"), &th);
    mark_stores(r, cJSON_GetObjectItem(doc, "stores"), &th, st.started);
    laggards(r, m, "lag_distribution", &st, &th, 0);
    laggards(r, m, "lag_ratio", &st, &th, 1);
    laggards(r, m, "lag_repurchase", &st, &th, 2);
    list = cJSON_AddArrayToObject(m, "files");
    for (i = 0; i < files.nrows; i++) {
        o = cJSON_CreateObject();
        cJSON_AddItemToArray(list, o);
        cJSON_AddNumberToObject(o, "id", (double)db_int(&files, i, 0, 0));
        view_add_str(o, "name", db_text(&files, i, 1));
    }
    cJSON_AddBoolToObject(
        m, "may_edit",
        (r->cx.role & (ROLE_ADMIN | ROLE_MANAGER | ROLE_MARKETING)) != 0);
    return view_page(r, 200, "pages/campaign", m);
}
