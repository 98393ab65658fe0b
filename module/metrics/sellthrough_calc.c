/*
 * sellthrough_calc.c -- the pure parts of the sell-through metrics
 * (sellthrough.h): day arithmetic, the cache body, sums, distances.  No
 * database here, so the unit tests drive every function with tables.
 */
#include "metrics/sellthrough.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/num.h"
#include "base/str.h"

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp, yy;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    yy = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

bool
st_day_number(const char *day, int64_t *out)
{
    int y, m, d;

    if (day == NULL || strlen(day) != 10 ||
        !parse_date(str_c(day), &y, &m, &d) || y < 1)
        return false;
    *out = days_from_civil(y, m, d);
    return true;
}

static bool
day_text(int64_t n, char out[ST_DAY_LEN])
{
    int y, m, d;

    civil_from_days(n, &y, &m, &d);
    if (y < 1 || y > 9999)
        return false;
    snprintf(out, ST_DAY_LEN, "%04u-%02u-%02u", (unsigned)y % 10000u,
             (unsigned)m % 100u, (unsigned)d % 100u);
    return true;
}

bool
st_day_add(const char *day, int n, char out[ST_DAY_LEN])
{
    int64_t z;

    return st_day_number(day, &z) && day_text(z + n, out);
}

bool
st_window(const char *launch, const char *as_of, struct st_window *w)
{
    int64_t l, t;

    memset(w, 0, sizeof(*w));
    if (!st_day_number(launch, &l) || !st_day_number(as_of, &t) ||
        !day_text(l, w->launch) || !day_text(t, w->as_of) ||
        !day_text(l + 6, w->fw_last) ||
        !day_text(t < l + 6 ? t : l + 6, w->fw_to) ||
        !day_text(t - 6 > l ? t - 6 : l, w->week_from))
        return false;
    w->started = t >= l;
    return true;
}

bool
st_iso_week(const char *day, char out[16])
{
    int64_t z, thursday;
    int y, m, d, wd;

    if (!st_day_number(day, &z))
        return false;
    wd = (int)(((z + 3) % 7 + 7) % 7); /* 0: Monday (1970-01-01 a Thursday) */
    thursday = z - wd + 3;             /* the week's Thursday names its year */
    civil_from_days(thursday, &y, &m, &d);
    snprintf(out, 16, "%04u-W%02u", (unsigned)y % 10000u,
             (unsigned)((thursday - days_from_civil(y, 1, 1)) / 7 + 1) % 100u);
    return true;
}

double
st_store_ratio(const struct st_store *s)
{
    if (!s->week_open || s->units_all <= 0)
        return NAN;
    return (double)s->units_new / (double)s->units_all;
}

/* s with tab, newline and backslash escaped (\t \n \\). */
APP_MUST_USE static enum app_err
put_text(struct buf *out, const char *s)
{
    enum app_err rc = APP_OK;
    const char *p = s != NULL ? s : "", *run = p;

    for (; rc == APP_OK && *p != '\0'; p++) {
        const char *esc = *p == '\t'   ? "\\t"
                          : *p == '\n' ? "\\n"
                          : *p == '\\' ? "\\\\"
                                       : NULL;

        if (esc == NULL)
            continue;
        rc = buf_append(out, run, (size_t)(p - run));
        if (rc == APP_OK)
            rc = buf_puts(out, esc);
        run = p + 1;
    }
    if (rc == APP_OK)
        rc = buf_append(out, run, (size_t)(p - run));
    return rc;
}

APP_MUST_USE static enum app_err
put_coord(struct buf *out, double v)
{
    return isnan(v) ? buf_putc(out, '\t') : buf_printf(out, "%.6f\t", v);
}

enum app_err
st_encode(const struct st_store *s, size_t n, struct buf *out)
{
    enum app_err rc = buf_puts(out, "st2\n");
    size_t i;

    for (i = 0; rc == APP_OK && i < n; i++) {
        rc = buf_printf(
            out, "%lld\t%d\t%d\t%d\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t",
            (long long)s[i].store_id, s[i].fw_eligible ? 1 : 0,
            s[i].fw_sold ? 1 : 0, s[i].week_open ? 1 : 0,
            (long long)s[i].units_new, (long long)s[i].units_all,
            (long long)s[i].buyers, (long long)s[i].repeaters,
            (long long)s[i].supervisor_id, (long long)s[i].customer_id);
        if (rc == APP_OK)
            rc = put_coord(out, s[i].lat);
        if (rc == APP_OK)
            rc = put_coord(out, s[i].lng);
        if (rc == APP_OK)
            rc = put_text(out, s[i].code);
        if (rc == APP_OK)
            rc = buf_putc(out, '\t');
        if (rc == APP_OK)
            rc = put_text(out, s[i].name);
        if (rc == APP_OK)
            rc = buf_putc(out, '\t');
        if (rc == APP_OK)
            rc = put_text(out, s[i].region);
        if (rc == APP_OK)
            rc = buf_putc(out, '\t');
        if (rc == APP_OK)
            rc = put_text(out, s[i].supervisor_name);
        if (rc == APP_OK)
            rc = buf_putc(out, '\n');
    }
    return rc;
}

/* The field of [*p, end) up to stop (not included); false without one. */
static bool
next_field(const char **p, const char *end, char stop, struct str *f)
{
    const char *q = memchr(*p, stop, (size_t)(end - *p));

    if (q == NULL)
        return false;
    *f = (struct str){ *p, (size_t)(q - *p) };
    *p = q + 1;
    return true;
}

static bool
field_num(struct str f, int64_t min, int64_t *out)
{
    return parse_i64(f, min, INT64_MAX / 4, out);
}

/* A coordinate: empty is unknown (NaN); else a number of degrees. */
static bool
field_coord(struct str f, double *out)
{
    char tmp[32], *e;

    if (f.len == 0) {
        *out = NAN;
        return true;
    }
    if (f.len >= sizeof(tmp))
        return false;
    memcpy(tmp, f.p, f.len);
    tmp[f.len] = '\0';
    *out = strtod(tmp, &e);
    return *e == '\0' && *out >= -180 && *out <= 180;
}

/* An escaped text field, unescaped into a; NULL when malformed or out of
 * memory (*bad tells which). */
static const char *
field_text(struct arena *a, struct str f, bool *bad)
{
    char *o = arena_alloc(a, f.len + 1), *w = o;
    size_t i;

    if (o == NULL)
        return NULL;
    for (i = 0; i < f.len; i++) {
        char c = f.p[i];

        if (c == '\\') {
            if (++i == f.len ||
                (f.p[i] != 't' && f.p[i] != 'n' && f.p[i] != '\\')) {
                *bad = true;
                return NULL;
            }
            c = f.p[i] == 't' ? '\t' : f.p[i] == 'n' ? '\n' : '\\';
        }
        *w++ = c;
    }
    *w = '\0';
    return o;
}

enum app_err
st_decode(struct arena *a, const char *body, size_t len, size_t max,
          struct st_store **out, size_t *n)
{
    const char *p = body, *end = body + len;
    size_t lines = 0, i;
    struct st_store *s;

    if (len < 4 || memcmp(body, "st2\n", 4) != 0)
        return APP_EINVAL;
    for (i = 4; i < len; i++)
        lines += body[i] == '\n';
    if (lines > max)
        return APP_ETOOBIG;
    s = arena_calloc(a, lines + 1, sizeof(*s));
    if (s == NULL)
        return APP_ENOMEM;
    p += 4;
    for (i = 0; i < lines; i++) {
        struct str f[16];
        int64_t v[10];
        const char **texts[4];
        bool bad = false;
        int k;

        for (k = 0; k < 16; k++)
            if (!next_field(&p, end, k == 15 ? '\n' : '\t', &f[k]))
                return APP_EINVAL;
        for (k = 0; k < 10; k++) {
            /* units may be negative (returns); the rest are counts */
            int64_t min = k == 4 || k == 5 ? INT64_MIN / 4 : 0;

            if (!field_num(f[k], min, &v[k]))
                return APP_EINVAL;
        }
        if (v[0] < 1 || v[1] > 1 || v[2] > 1 || v[3] > 1 ||
            !field_coord(f[10], &s[i].lat) || !field_coord(f[11], &s[i].lng))
            return APP_EINVAL;
        s[i].store_id = v[0];
        s[i].fw_eligible = v[1] == 1;
        s[i].fw_sold = v[2] == 1;
        s[i].week_open = v[3] == 1;
        s[i].units_new = v[4];
        s[i].units_all = v[5];
        s[i].buyers = v[6];
        s[i].repeaters = v[7];
        s[i].supervisor_id = v[8];
        s[i].customer_id = v[9];
        texts[0] = &s[i].code;
        texts[1] = &s[i].name;
        texts[2] = &s[i].region;
        texts[3] = &s[i].supervisor_name;
        for (k = 0; k < 4; k++) {
            *texts[k] = field_text(a, f[12 + k], &bad);
            if (*texts[k] == NULL)
                return bad ? APP_EINVAL : APP_ENOMEM;
        }
    }
    if (p != end)
        return APP_EINVAL;
    *out = s;
    *n = lines;
    return APP_OK;
}

void
st_sum_add(struct st_sum *sum, const struct st_store *s)
{
    if (s->fw_eligible) {
        sum->fw_eligible++;
        sum->fw_sold += s->fw_sold ? 1 : 0;
    }
    if (s->week_open) {
        sum->units_new += s->units_new;
        sum->units_all += s->units_all;
    }
    sum->buyers += s->buyers;
    sum->repeaters += s->repeaters;
}

void
st_sum_rates(struct st_sum *sum, bool started)
{
    sum->distribution = started && sum->fw_eligible > 0
                            ? (double)sum->fw_sold / (double)sum->fw_eligible
                            : NAN;
    sum->sku_ratio = sum->units_all > 0
                         ? (double)sum->units_new / (double)sum->units_all
                         : NAN;
    sum->repurchase =
        sum->buyers > 0 ? (double)sum->repeaters / (double)sum->buyers : NAN;
}

static int
by_key(const void *x, const void *y)
{
    return strcmp(((const struct st_sum *)x)->key,
                  ((const struct st_sum *)y)->key);
}

static int
by_supervisor(const void *x, const void *y)
{
    int64_t a = ((const struct st_sum *)x)->supervisor_id;
    int64_t b = ((const struct st_sum *)y)->supervisor_id;

    return a < b ? -1 : a > b;
}

/* The sum of key in sums[0..*n), added when missing (linear: a company
 * has tens of regions and supervisors, not thousands). */
static struct st_sum *
sum_of(struct st_sum *sums, size_t *n, const char *key)
{
    size_t i;

    for (i = 0; i < *n; i++)
        if (strcmp(sums[i].key, key) == 0)
            return &sums[i];
    memset(&sums[*n], 0, sizeof(sums[*n]));
    sums[*n].key = key;
    return &sums[(*n)++];
}

enum app_err
st_summarize(struct arena *a, struct sellthrough *st, bool started)
{
    size_t i, n = st->nstores;

    memset(&st->total, 0, sizeof(st->total));
    st->total.key = "";
    st->nregions = st->nsupervisors = 0;
    st->regions = arena_calloc(a, n + 1, sizeof(*st->regions));
    st->supervisors = arena_calloc(a, n + 1, sizeof(*st->supervisors));
    if (st->regions == NULL || st->supervisors == NULL)
        return APP_ENOMEM;
    for (i = 0; i < n; i++) {
        const struct st_store *s = &st->stores[i];
        const char *skey =
            s->supervisor_id > 0
                ? arena_printf(a, "%lld", (long long)s->supervisor_id)
                : "";
        struct st_sum *sup;

        if (skey == NULL)
            return APP_ENOMEM;
        st_sum_add(&st->total, s);
        st_sum_add(sum_of(st->regions, &st->nregions,
                          s->region != NULL ? s->region : ""),
                   s);
        sup = sum_of(st->supervisors, &st->nsupervisors, skey);
        sup->supervisor_id = s->supervisor_id;
        sup->name = s->supervisor_name != NULL ? s->supervisor_name : "";
        st_sum_add(sup, s);
    }
    st_sum_rates(&st->total, started);
    for (i = 0; i < st->nregions; i++)
        st_sum_rates(&st->regions[i], started);
    for (i = 0; i < st->nsupervisors; i++)
        st_sum_rates(&st->supervisors[i], started);
    if (st->nregions > 1)
        qsort(st->regions, st->nregions, sizeof(*st->regions), by_key);
    if (st->nsupervisors > 1)
        qsort(st->supervisors, st->nsupervisors, sizeof(*st->supervisors),
              by_supervisor);
    return APP_OK;
}

double
st_km(double lat1, double lng1, double lat2, double lng2)
{
    const double rad = M_PI / 180.0;
    double dlat = (lat2 - lat1) * rad, dlng = (lng2 - lng1) * rad;
    double h =
        sin(dlat / 2) * sin(dlat / 2) +
        cos(lat1 * rad) * cos(lat2 * rad) * sin(dlng / 2) * sin(dlng / 2);

    return 2 * 6371.0 * asin(sqrt(h < 1 ? h : 1));
}

static int
nearer(const struct st_peer *x, const struct st_peer *y)
{
    if (x->km != y->km)
        return x->km < y->km ? -1 : 1;
    return strcmp(x->store->code != NULL ? x->store->code : "",
                  y->store->code != NULL ? y->store->code : "");
}

size_t
st_peers(const struct st_store *all, size_t n, const struct st_store *me,
         double min_ratio, struct st_peer *out, size_t max)
{
    size_t i, k = 0;

    if (max == 0 || isnan(me->lat) || isnan(me->lng))
        return 0;
    for (i = 0; i < n; i++) {
        const struct st_store *s = &all[i];
        struct st_peer p;
        size_t j;

        if (s->store_id == me->store_id || !s->week_open || isnan(s->lat) ||
            isnan(s->lng))
            continue;
        p.store = s;
        p.ratio = st_store_ratio(s);
        if (!isnan(min_ratio) && !(p.ratio >= min_ratio))
            continue;
        p.km = st_km(me->lat, me->lng, s->lat, s->lng);
        /* insertion into the sorted first max: O(n * max), max <= 5 */
        if (k == max && nearer(&p, &out[k - 1]) >= 0)
            continue;
        j = k < max ? k++ : k - 1;
        while (j > 0 && nearer(&p, &out[j - 1]) < 0) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = p;
    }
    return k;
}

static double
ratio_of(const cJSON *o, const char *k, double def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 1
               ? v->valuedouble
               : def;
}

void
st_thresholds_of(const cJSON *sell_through, struct st_thresholds *out)
{
    const cJSON *m =
        cJSON_GetObjectItemCaseSensitive(sell_through, "min_buyers");

    out->distribution = ratio_of(sell_through, "distribution", 0.85);
    out->sku_ratio = ratio_of(sell_through, "sku_ratio", 0.05);
    out->repurchase = ratio_of(sell_through, "repurchase", 0.22);
    out->min_buyers =
        cJSON_IsNumber(m) && m->valuedouble >= 1 && m->valuedouble <= 1e9
            ? (int64_t)m->valuedouble
            : 20;
}
