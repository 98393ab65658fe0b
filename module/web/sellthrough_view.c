/*
 * sellthrough_view.c -- the sell-through pages' shared reading and view
 * model parts (sellthrough_view.h).
 */
#include "web/sellthrough_view.h"

#include <math.h>
#include <string.h>

#include "base/validate.h"
#include "db/db.h"
#include "web/view.h"

enum app_err
st_view_args(struct req *r, int64_t *campaign, const char **as_of)
{
    static const struct field_spec spec[] = {
        { "campaign", V_INT, false, 1, INT64_MAX, NULL },
        { "as_of", V_LINE, false, 0, 10, NULL },
    };
    struct field_val v[2];
    int64_t day;

    *as_of = NULL;
    if (validate_fields(&r->cx.err_detail, &r->query_args, spec, 2, v, NULL) !=
        APP_OK) {
        r->cx.err_detail = "sellthrough.bad_query";
        return APP_EINVAL;
    }
    if (v[1].present && v[1].s.len > 0) {
        *as_of = arena_strndup(r->a, v[1].s.p, v[1].s.len);
        if (*as_of == NULL)
            return APP_ENOMEM;
        if (!st_day_number(*as_of, &day)) {
            r->cx.err_detail = "sellthrough.bad_date";
            return APP_EINVAL;
        }
    }
    if (v[0].present) {
        *campaign = v[0].i;
        return APP_OK;
    }
    return sellthrough_default_campaign(&r->cx, campaign);
}

/* The decimal digits of v (>= 0) before end; returns where they start. */
static char *
digits(char *end, uint64_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    return end;
}

const char *
st_view_pct_of(struct req *r, double v)
{
    char tmp[32], *p = tmp + sizeof(tmp);
    double t;
    uint64_t x;
    bool neg = v < 0;

    if (isnan(v))
        return "\xe2\x80\x94";
    t = fabs(v) * 1000; /* tenths of a percent */
    if (!(t < 1e15))
        return "\xe2\x80\x94";
    x = (uint64_t)llround(t);
    *--p = '\0';
    *--p = '%';
    *--p = (char)('0' + x % 10);
    *--p = '.';
    p = digits(p, x / 10);
    if (neg && x > 0)
        *--p = '-';
    return arena_strdup(r->a, p);
}

const char *
st_view_pair(struct req *r, int64_t a, int64_t b)
{
    char tmp[48], *p = tmp + sizeof(tmp);

    *--p = '\0';
    p = digits(p, b < 0 ? (uint64_t)0 - (uint64_t)b : (uint64_t)b);
    if (b < 0)
        *--p = '-';
    *--p = '/';
    p = digits(p, a < 0 ? (uint64_t)0 - (uint64_t)a : (uint64_t)a);
    if (a < 0)
        *--p = '-';
    return arena_strdup(r->a, p);
}

const char *
st_view_pct(struct req *r, const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    return cJSON_IsNumber(v)
               ? arena_printf(r->a, "%.1f%%", v->valuedouble * 100)
               : "\xe2\x80\x94";
}

/* Mark one metric of o: "<name>_pct" and "<name>_low". */
static void
mark(struct req *r, cJSON *o, const char *name, const char *k, double th)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, name);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, k);

    view_add_str(o, arena_printf(r->a, "%s_pct", name), st_view_pct(r, m, k));
    cJSON_AddBoolToObject(o, arena_printf(r->a, "%s_low", name),
                          cJSON_IsNumber(v) && v->valuedouble < th);
}

void
st_view_marks(struct req *r, cJSON *list, const struct st_thresholds *th)
{
    cJSON *o;

    cJSON_ArrayForEach(o, list)
    {
        mark(r, o, "distribution", "rate", th->distribution);
        mark(r, o, "sku_ratio", "ratio", th->sku_ratio);
        mark(r, o, "repurchase", "rate", th->repurchase);
    }
}

enum app_err
st_view_picker(struct req *r, cJSON *m, int64_t selected)
{
    struct db_res res;
    cJSON *list;
    size_t i;
    enum app_err rc = sellthrough_campaigns(&r->cx, &res);

    if (rc != APP_OK)
        return rc;
    list = cJSON_AddArrayToObject(m, "campaigns");
    for (i = 0; i < res.nrows; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(list, o);
        cJSON_AddNumberToObject(o, "id", (double)db_int(&res, i, 0, 0));
        view_add_str(o, "name", db_text(&res, i, 1));
        view_add_str(o, "launch_on", db_text(&res, i, 2));
        cJSON_AddBoolToObject(o, "selected", db_int(&res, i, 0, 0) == selected);
    }
    return APP_OK;
}

void
st_view_svg(cJSON *m, const char *key, const struct buf *b)
{
    if (b->p != NULL && b->len > 0)
        view_add_str(m, key, b->p);
}
