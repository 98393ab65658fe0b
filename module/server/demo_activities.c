/*
 * demo_activities.c -- the demo tenant's activities (demo_activities.h).
 */
#include "server/demo_activities.h"
#include "server/demo_pictures.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/tz.h"
#include "rules/rules.h"
#include "server/cli.h"
#include "sales/activities.h"

/* The demo tenant lives in TZ_DEFAULT (Asia/Shanghai: UTC+8, no daylight
 * saving), so a local day is a fixed shift of a UTC one. */
#define LOCAL_OFFSET (8 * 3600)
#define BATCH 1000   /* rows per bulk insert */
#define PLAN_MAX 600 /* activities of one customer at most */
/* A customer is touched every CADENCE_MIN..CADENCE_MIN+CADENCE_SPAN days
 * on average (its own pace), until it is lost or left dormant. */
#define CADENCE_MIN 1.6
#define CADENCE_SPAN 3.5
#define DORMANT_PERCENT 18
#define WEEKEND_PERCENT 12 /* activities allowed to fall on a weekend */
#define NKINDS 6
#define NMASKS 8 /* need, competitor, next step: filled or not */
#define KEYS_MAX 8

/* The writer's transaction (a constant: XA ids cannot be bound; two large
 * demos at once refuse the second). */
static const char SQL_XA_START[] = "XA START 'proofline-demo-activities'";
static const char SQL_XA_END[] = "XA END 'proofline-demo-activities'";
static const char SQL_XA_PREPARE[] = "XA PREPARE 'proofline-demo-activities'";
static const char SQL_XA_COMMIT[] = "XA COMMIT 'proofline-demo-activities'";
static const char SQL_XA_ROLLBACK[] = "XA ROLLBACK 'proofline-demo-activities'";
static const char SQL_MAX_IDS[] =
    "SELECT (SELECT COALESCE(MAX(id), 0) FROM activities)";
static const char SQL_ACT[] =
    "INSERT INTO activities (id, tenant_id, customer_id, rep_id, kind, status, "
    "at, content, need, competitor, next_step, next_date, effective, missing, "
    "reason, rule_version, visit_type, checkin_at, checkin_lat, checkin_lng, "
    "checkin_accuracy, distance_m, location_flag, checkout_at, created_at) "
    "VALUES (?, ?, ?, ?, ?, 'done', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?, ?)";
static const char SQL_MET[] =
    "INSERT INTO activity_contacts (tenant_id, activity_id, contact_id, "
    "consensus) VALUES (?, ?, ?, ?)";
static const char SQL_PHOTO[] =
    "INSERT INTO activity_photos (tenant_id, activity_id, photo_key, file_id, "
    "sha256, uploaded_at, exif_at, exif_lat, exif_lng, flags) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_FILE[] =
    "INSERT INTO files (id, tenant_id, sha256, size, mime, name, customer_id, "
    "created_by, created_at) VALUES (?, ?, ?, ?, 'image/png', ?, ?, ?, ?)";

enum { B_ACT, B_MET, B_PHOTO, B_FILE, NB };

static const struct {
    const char *sql;
    size_t ncols;
} tables[NB] = {
    [B_ACT] = { SQL_ACT, 24 },
    [B_MET] = { SQL_MET, 4 },
    [B_PHOTO] = { SQL_PHOTO, 10 },
    [B_FILE] = { SQL_FILE, 8 },
};

/* Kinds in the order of activity_kinds[]. */
enum { K_VISIT, K_CALL, K_MEETING, K_MESSAGE, K_DEMO, K_TRAINING };

static const char *const contents[NKINDS][3] = {
    { "巡店检查陈列与库存", "拜访科室，介绍新品", "回访设备使用情况" },
    { "电话跟进报价", "电话确认到货时间", "电话沟通试用反馈" },
    { "与采购方面谈预算", "参加院内设备论证会", "与科室主任面谈方案" },
    { "微信发送产品资料", "微信确认会议时间", "微信回复技术问题" },
    { "现场演示设备操作", "演示新版软件功能", "样机现场演示" },
    { "为科室人员做操作培训", "店员新品知识培训", "售后保养培训" },
};
static const char *const needs[] = { "CT 球管更换预算", "新院区设备配置",
                                     "耗材成本下降 10%", "检验科扩容",
                                     "门店新品铺货" };
static const char *const competitors[] = { "竞品报价低 5%", "竞品已在院内试用",
                                           "竞品交期更短", "我方售后响应更快" };
static const char *const next_steps[] = { "下周安排技术交流", "提交正式报价",
                                          "安排样品试用", "约科室主任演示",
                                          "跟进预算审批" };
static const char *const consensus_points[] = {
    "同意安排试用", "认可技术方案", "预算已报批",
    "同意三方比价", "确认安装位置",
};

#define PICK(g, list) (list)[rng_below((g), sizeof(list) / sizeof((list)[0]))]

/* The rules' decision for a kind and a combination of filled fields. */
struct verdict {
    bool effective;
    char *missing, *reason;
};

/* A visit type as the rules describe it. */
struct vtype {
    const char *key;
    const char *photos[KEYS_MAX];
    size_t nphotos;
    double far_m;
    bool far_ok, far_refused;
};

enum { VT_STORE, VT_HOSPITAL, VT_INSTALL, NVT };

struct batch {
    size_t n;
    struct db_val *v;
};

struct demo_acts {
    struct demo_acts_spec s;
    struct db *own; /* the writer's connection (in the writer only) */
    pid_t writer;   /* in the caller: the writer process, or 0 */
    bool mine[NB];  /* the tables this process writes */
    struct verdict cls[NKINDS][NMASKS];
    struct vtype vt[NVT];
    int64_t next_id, count;
    int64_t today; /* local day number of now */
    size_t ndays;
    unsigned char *load; /* per rep and day: in person, remote */
    struct batch b[NB];
};

/* One planned activity. */
struct plan {
    time_t at;
    bool remote, anchor;
};

/* --- rows ------------------------------------------------------------- */

APP_MUST_USE static enum app_err
flush(struct demo_acts *d, int t)
{
    enum app_err rc = APP_OK;

    if (d->mine[t])
        rc = db_exec_bulk(d->own != NULL ? d->own : d->s.db, tables[t].sql,
                          d->b[t].v, tables[t].ncols, d->b[t].n);
    d->b[t].n = 0;
    return rc;
}

APP_MUST_USE static enum app_err
put(struct demo_acts *d, int t, const struct db_val *v, size_t n)
{
    struct batch *b = &d->b[t];

    if (n != tables[t].ncols)
        return APP_EINTERNAL;
    memcpy(b->v + b->n * n, v, n * sizeof(*v));
    if (++b->n == BATCH)
        return flush(d, t);
    return APP_OK;
}

#define PUT(d, t, ...) put((d), (t), DB_ARGS(__VA_ARGS__))

enum app_err
demo_acts_flush(struct demo_acts *d)
{
    enum app_err rc = APP_OK;
    int t;

    /* Files before the photos naming them, activities before theirs. */
    for (t = NB - 1; t >= 0 && rc == APP_OK; t--)
        rc = flush(d, t);
    return rc;
}

static const char *
ts(struct demo_acts *d, time_t t)
{
    char buf[32];

    return arena_strdup(d->s.a, tz_utc_text(t, buf, sizeof(buf)));
}

/* --- time ------------------------------------------------------------- */

static int64_t
local_day(time_t t)
{
    int64_t s = (int64_t)t + LOCAL_OFFSET;

    return s >= 0 ? s / 86400 : (s - 86399) / 86400;
}

static bool
weekend(int64_t day)
{
    int wd = (int)(((day % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday */

    return wd == 0 || wd == 6;
}

/* This rep's room on a day: 5-9 activities in person, 8-15 calls and
 * messages. */
static bool
room(struct demo_acts *d, size_t rep, int64_t day, bool remote, bool take)
{
    uint64_t h = ((uint64_t)rep * 2654435761u) ^ ((uint64_t)day * 40503u);
    int64_t back = d->today - day;
    unsigned cap =
        remote ? 8 + (unsigned)((h >> 7) % 8) : 5 + (unsigned)((h >> 3) % 5);
    unsigned char *slot;

    if (back < 0 || (size_t)back >= d->ndays)
        return true;
    slot = &d->load[(rep * d->ndays + (size_t)back) * 2 + (remote ? 1 : 0)];
    if (*slot >= cap && !take)
        return false;
    if (*slot < 255)
        (*slot)++;
    return true;
}

/* Put an activity drawn at t on a working day near it, in office hours,
 * between lo and hi, where the rep has room; false when there is none. */
static bool
place(struct demo_acts *d, size_t rep, time_t t, time_t lo, time_t hi,
      struct plan *p)
{
    static const int shift[] = { 0, 1, -1, 2, -2, 3, 4, 5 };
    bool weekend_ok = rng_below(d->s.rng, 100) < WEEKEND_PERCENT;
    int64_t day0 = local_day(t);
    size_t i;

    p->remote = rng_below(d->s.rng, 100) < 55;
    p->anchor = false;
    for (i = 0; i < sizeof(shift) / sizeof(shift[0]); i++) {
        int64_t day = day0 + shift[i];
        int minute = p->remote ? 480 + (int)rng_below(d->s.rng, 780)
                               : 510 + (int)rng_below(d->s.rng, 600);
        time_t at = (time_t)(day * 86400 + minute * 60 - LOCAL_OFFSET);

        if ((weekend(day) && !weekend_ok) || at < lo || at > hi)
            continue;
        if (!room(d, rep, day, p->remote, false)) {
            p->remote = !p->remote; /* a call when the day is full */
            if (!room(d, rep, day, p->remote, false))
                continue;
        }
        p->at = at;
        return true;
    }
    return false;
}

/* An in-person time in office hours on the day of t or one of the two
 * before, strictly between lo and hi; t itself when there is none. */
static time_t
office(struct demo_acts *d, time_t t, time_t lo, time_t hi)
{
    int64_t day = local_day(t);
    int i;

    for (i = 0; i < 3; i++, day--) {
        int minute = 510 + (int)rng_below(d->s.rng, 600);
        time_t at = (time_t)(day * 86400 + minute * 60 - LOCAL_OFFSET);

        if (at > lo && at < hi)
            return at;
    }
    return t;
}

static int
by_time(const void *x, const void *y)
{
    const struct plan *a = x, *b = y;

    return a->at < b->at ? -1 : a->at > b->at;
}

/* The times of a customer's activities: its own pace from its creation
 * to its end (or until it went dormant), then one before each stage
 * change that had none since the previous change. */
static size_t
schedule(struct demo_acts *d, struct demo_life *life, struct plan *p)
{
    double pace = (CADENCE_MIN + rng_unit(d->s.rng) * CADENCE_SPAN) * 86400;
    time_t lo = life->created + 60, hi = life->end - 60, t, prev, last, span;
    size_t n = 0, i, k;

    last = life->nsteps > 0 ? life->steps[life->nsteps - 1] : lo;
    if (rng_below(d->s.rng, 100) < DORMANT_PERCENT && life->end >= d->s.now) {
        time_t quiet =
            d->s.now - (time_t)(60 + rng_below(d->s.rng, 150)) * 86400;

        hi = quiet > last ? quiet
                          : last + (time_t)rng_below(d->s.rng, 5) * 86400;
        if (hi > life->end - 60)
            hi = life->end - 60;
    }
    t = lo + (time_t)rng_below(d->s.rng, 30 * 3600);
    while (t < hi && n < PLAN_MAX - DEMO_STEPS_MAX) {
        if (place(d, life->rep, t, lo, hi, &p[n]))
            n++;
        t += (time_t)(-log(1.0 - rng_unit(d->s.rng) * 0.999) * pace) + 7200;
    }
    if (n == 0 && life->nsteps == 0 && life->end - 60 > lo) {
        /* Everyone was met at least once, when they were recorded. */
        span = life->end - 60 - lo;
        p[n].at =
            office(d, lo + (span < 7200 ? span / 2 : 3600), lo, life->end - 60);
        p[n].remote = false;
        p[n].anchor = true;
        room(d, life->rep, local_day(p[n].at), false, true);
        n++;
    }
    qsort(p, n, sizeof(*p), by_time);
    for (i = 0, k = 0, prev = life->created; i < life->nsteps; i++) {
        time_t step = life->steps[i];

        span = step - prev;

        while (k < n && p[k].at <= prev)
            k++;
        if (k >= n || p[k].at >= step) {
            time_t before = 3600 + (time_t)rng_below(d->s.rng, 47 * 3600);

            p[n].at =
                office(d, before < span - 60 ? step - before : prev + span / 2,
                       prev, step);
            p[n].remote = false;
            p[n].anchor = true;
            room(d, life->rep, local_day(p[n].at), false, true);
            n++;
        }
        prev = step;
    }
    qsort(p, n, sizeof(*p), by_time);
    return n;
}

/* --- rows of one activity ---------------------------------------------- */

static int
kind_of(struct demo_acts *d, const struct plan *p)
{
    unsigned r = (unsigned)rng_below(d->s.rng, 100);

    if (p->remote)
        return r < 72 ? K_CALL : K_MESSAGE;
    if (p->anchor)
        return r < 65 ? K_VISIT : K_MEETING;
    return r < 68 ? K_VISIT : r < 85 ? K_MEETING : r < 93 ? K_DEMO : K_TRAINING;
}

/* Which of need, competitor, next step were filled in (bits 1, 2, 4). */
static int
mask_of(struct demo_acts *d)
{
    unsigned r = (unsigned)rng_below(d->s.rng, 100);

    return r < 58 ? 7 : r < 70 ? 5 : r < 80 ? 3 : r < 90 ? 1 : r < 96 ? 4 : 0;
}

/* The contacts met: one or two at meetings, demos and trainings, often
 * one on a visit, sometimes on a call. */
APP_MUST_USE static enum app_err
met(struct demo_acts *d, struct demo_life *life, int64_t id, int kind,
    time_t at)
{
    unsigned chance = kind == K_VISIT ? 30 : kind == K_CALL ? 15 : 100;
    size_t n = 0, i, first;
    enum app_err rc = APP_OK;

    if (life->ncontacts == 0 || kind == K_MESSAGE ||
        rng_below(d->s.rng, 100) >= chance)
        return APP_OK;
    n = kind == K_VISIT || kind == K_CALL ? 1 : 1 + rng_below(d->s.rng, 2);
    if (n > life->ncontacts)
        n = life->ncontacts;
    first = (size_t)rng_below(d->s.rng, life->ncontacts);
    for (i = 0; i < n && rc == APP_OK; i++) {
        size_t k = (first + i) % life->ncontacts;
        const char *point = rng_below(d->s.rng, 100) < 40
                                ? PICK(d->s.rng, consensus_points)
                                : "";

        rc = PUT(d, B_MET, DB_I64(d->s.tenant), DB_I64(id),
                 DB_I64(life->contacts[k]), DB_CSTR(point));
        life->met[k] = at;
        if (point[0] != '\0') {
            life->consensus[k] = point;
            life->consensus_at[k] = at;
        }
    }
    return rc;
}

/* The file row of a picture for this customer (one per photo key). */
APP_MUST_USE static enum app_err
file_for(struct demo_acts *d, struct demo_life *life, const char *key,
         time_t at, int64_t *files, int64_t *id)
{
    const struct vtype *all = d->vt;
    enum demo_picture pic = demo_picture_for(key);
    size_t slot = 0, t, i;

    for (t = 0; t < NVT; t++) {
        for (i = 0; i < all[t].nphotos; i++, slot++) {
            if (strcmp(all[t].photos[i], key) == 0)
                goto found;
        }
    }
    return APP_EINTERNAL;
found:
    if (files[slot] > 0) {
        *id = files[slot];
        return APP_OK;
    }
    *id = files[slot] = (*d->s.next_file)++;
    return PUT(d, B_FILE, DB_I64(*id), DB_I64(d->s.tenant),
               DB_CSTR(d->s.sha[pic]), DB_I64(d->s.size[pic]),
               DB_CSTR(arena_printf(d->s.a, "%s.png", key)),
               DB_I64(life->customer), DB_I64(d->s.reps[life->rep]),
               DB_CSTR(ts(d, at)));
}

/* A visit's photos, taken during the visit: a few without EXIF or with
 * a clock or place that does not fit, flagged as the upload would. */
APP_MUST_USE static enum app_err
photos(struct demo_acts *d, struct demo_life *life, const struct vtype *vt,
       int64_t id, time_t at, double lat, double lng, int64_t *files)
{
    size_t i;
    enum app_err rc = APP_OK;

    for (i = 0; i < vt->nphotos && rc == APP_OK; i++) {
        unsigned r = (unsigned)rng_below(d->s.rng, 1000);
        time_t shot = at + 60 + (time_t)rng_below(d->s.rng, 900);
        double plat = lat + ((double)rng_below(d->s.rng, 200) - 100) / 1e6;
        const char *flags = r < 30 ? "exif_missing" : r < 50 ? "time_far" : "";
        int64_t file;

        if (r >= 50 && r < 60 && !isnan(lat)) {
            plat += 0.02; /* two kilometres away */
            flags = "place_far";
        }
        if (r >= 30 && r < 50)
            shot -= 3 * 3600;
        rc = file_for(d, life, vt->photos[i], at, files, &file);
        if (rc == APP_OK)
            rc = PUT(d, B_PHOTO, DB_I64(d->s.tenant), DB_I64(id),
                     DB_CSTR(vt->photos[i]), DB_I64(file),
                     DB_CSTR(d->s.sha[demo_picture_for(vt->photos[i])]),
                     DB_CSTR(ts(d, at + 120 + (time_t)i * 240)),
                     r < 30 ? DB_NULL : DB_CSTR(ts(d, shot + LOCAL_OFFSET)),
                     r < 30 || isnan(lat) ? DB_NULL : DB_DBL(plat),
                     r < 30 || isnan(lat) ? DB_NULL : DB_DBL(lng),
                     DB_CSTR(flags));
    }
    return rc;
}

/* Where the rep checked in: near the customer mostly, a few far away,
 * a few without a position. */
static void
checkin(struct demo_acts *d, const struct demo_life *life,
        const struct vtype *vt, double *lat, double *lng, int *dist,
        const char **flag)
{
    unsigned r = (unsigned)rng_below(d->s.rng, 1000);
    double m = r < 50 && !vt->far_refused
                   ? 600 + (double)rng_below(d->s.rng, 2400)
                   : 15 + (double)rng_below(d->s.rng, 235);
    double a = rng_unit(d->s.rng) * 2 * M_PI;

    *lat = *lng = NAN;
    *dist = -1;
    *flag = "none";
    if (r >= 980)
        return;
    *lat = life->lat + m * cos(a) / 111320.0;
    *lng = life->lng + m * sin(a) / (111320.0 * cos(life->lat * M_PI / 180));
    *dist = (int)lround(geo_distance_m(*lat, *lng, life->lat, life->lng));
    *flag = *dist > vt->far_m && !vt->far_ok ? "far" : "ok";
}

APP_MUST_USE static enum app_err
one(struct demo_acts *d, struct demo_life *life, const struct plan *p,
    int64_t *files)
{
    int kind = kind_of(d, p), mask = mask_of(d), dist = -1;
    const struct verdict *v = &d->cls[kind][mask];
    const struct vtype *vt = NULL;
    int64_t id = d->next_id++;
    time_t end = p->at;
    double lat = NAN, lng = NAN;
    const char *flag = "", *next_date = NULL;
    char day[16];
    enum app_err rc;

    if (kind == K_VISIT) {
        vt = &d->vt[life->hospital ? VT_HOSPITAL : VT_STORE];
        if (life->won && d->vt[VT_INSTALL].key != NULL &&
            rng_below(d->s.rng, 100) < 30)
            vt = &d->vt[VT_INSTALL];
        if (vt->key == NULL)
            vt = &d->vt[VT_STORE];
        checkin(d, life, vt, &lat, &lng, &dist, &flag);
        end = p->at + (time_t)(15 + rng_below(d->s.rng, 60)) * 60;
        if (end > d->s.now)
            end = d->s.now;
    }
    if ((mask & 4) && rng_below(d->s.rng, 100) < 70) {
        snprintf(day, sizeof(day), "%.10s",
                 ts(d, p->at + (time_t)(2 + rng_below(d->s.rng, 13)) * 86400 +
                           LOCAL_OFFSET));
        next_date = arena_strdup(d->s.a, day);
    }
    rc = PUT(
        d, B_ACT, DB_I64(id), DB_I64(d->s.tenant), DB_I64(life->customer),
        DB_I64(d->s.reps[life->rep]), DB_CSTR(activity_kinds[kind]),
        DB_CSTR(ts(d, p->at)), DB_CSTR(contents[kind][rng_below(d->s.rng, 3)]),
        DB_CSTR(mask & 1 ? PICK(d->s.rng, needs) : ""),
        DB_CSTR(mask & 2 ? PICK(d->s.rng, competitors) : ""),
        DB_CSTR(mask & 4 ? PICK(d->s.rng, next_steps) : ""),
        next_date != NULL ? DB_CSTR(next_date) : DB_NULL, DB_I64(v->effective),
        DB_CSTR(v->missing), DB_CSTR(v->reason), DB_I64(d->s.version),
        vt != NULL ? DB_CSTR(vt->key) : DB_NULL,
        vt != NULL ? DB_CSTR(ts(d, p->at)) : DB_NULL,
        isnan(lat) ? DB_NULL : DB_DBL(lat), isnan(lng) ? DB_NULL : DB_DBL(lng),
        isnan(lat) ? DB_NULL : DB_I64(5 + (int64_t)rng_below(d->s.rng, 60)),
        dist >= 0 ? DB_I64(dist) : DB_NULL, DB_CSTR(flag),
        vt != NULL ? DB_CSTR(ts(d, end)) : DB_NULL, DB_CSTR(ts(d, end)));
    if (rc == APP_OK && vt != NULL)
        rc = photos(d, life, vt, id, p->at, lat, lng, files);
    if (rc == APP_OK)
        rc = met(d, life, id, kind, p->at);
    if (end > life->last)
        life->last = end;
    d->count++;
    return rc;
}

enum app_err
demo_acts_customer(struct demo_acts *d, struct demo_life *life)
{
    struct plan p[PLAN_MAX];
    int64_t files[NVT * KEYS_MAX];
    size_t n, i;
    enum app_err rc = APP_OK;

    memset(files, 0, sizeof(files));
    memset(life->met, 0, sizeof(life->met));
    memset(life->consensus_at, 0, sizeof(life->consensus_at));
    for (i = 0; i < DEMO_CONTACTS_MAX; i++)
        life->consensus[i] = "";
    life->last = 0;
    if (life->nsteps > DEMO_STEPS_MAX || life->ncontacts > DEMO_CONTACTS_MAX)
        return APP_EINTERNAL;
    n = schedule(d, life, p);
    for (i = 0; i < n && rc == APP_OK; i++)
        rc = one(d, life, &p[i], files);
    return rc;
}

/* --- set-up ------------------------------------------------------------ */

/* The rules' verdict on each kind and combination of filled fields, as
 * activities_record asks for it (the default rules judge which fields
 * are filled, so one call per combination decides them all). */
APP_MUST_USE static enum app_err
classify_all(struct demo_acts *d, char *err, size_t errlen)
{
    int k, m;
    enum app_err rc = APP_OK;

    for (k = 0; k < NKINDS && rc == APP_OK; k++) {
        for (m = 0; m < NMASKS && rc == APP_OK; m++) {
            cJSON *args = cJSON_CreateArray(), *o = cJSON_CreateObject();
            cJSON *res = NULL;
            const cJSON *x;
            char list[256] = "";
            size_t used = 0;

            if (args == NULL || o == NULL) {
                cJSON_Delete(args);
                cJSON_Delete(o);
                return APP_ENOMEM;
            }
            cJSON_AddItemToArray(args, o);
            cJSON_AddStringToObject(o, "kind", activity_kinds[k]);
            cJSON_AddStringToObject(o, "content", contents[k][0]);
            cJSON_AddStringToObject(o, "need", m & 1 ? needs[0] : "");
            cJSON_AddStringToObject(o, "competitor",
                                    m & 2 ? competitors[0] : "");
            cJSON_AddStringToObject(o, "next_step", m & 4 ? next_steps[0] : "");
            rc = rules_call_json(d->s.rules, "classify_activity", args, &res,
                                 err, errlen);
            cJSON_Delete(args);
            cJSON_ArrayForEach(x, cJSON_GetObjectItem(res, "missing"))
            {
                const char *key =
                    cJSON_GetStringValue(cJSON_GetObjectItem(x, "key"));

                if (key != NULL && used + strlen(key) + 2 < sizeof(list))
                    used += (size_t)snprintf(list + used, sizeof(list) - used,
                                             "%s%s", used > 0 ? "," : "", key);
            }
            x = cJSON_GetObjectItem(res, "reason");
            d->cls[k][m].effective =
                cJSON_IsTrue(cJSON_GetObjectItem(res, "effective"));
            d->cls[k][m].missing = strdup(list);
            d->cls[k][m].reason =
                strdup(cJSON_IsString(x) ? x->valuestring : "");
            cJSON_Delete(res);
            if (rc == APP_OK &&
                (d->cls[k][m].missing == NULL || d->cls[k][m].reason == NULL))
                rc = APP_ENOMEM;
        }
    }
    return rc;
}

/* The visit types the demo uses, as the rules describe them. */
static void
visit_types(struct demo_acts *d)
{
    static const char *const keys[NVT] = { "store_visit", "hospital_visit",
                                           "installation" };
    const cJSON *all = cJSON_GetObjectItem(d->s.d, "visit_types"), *p;
    int t;

    for (t = 0; t < NVT; t++) {
        const cJSON *vt = cJSON_GetObjectItemCaseSensitive(all, keys[t]);
        const char *far = cJSON_GetStringValue(cJSON_GetObjectItem(vt, "far"));
        double far_m = cJSON_GetNumberValue(cJSON_GetObjectItem(vt, "far_m"));
        struct vtype *v = &d->vt[t];

        if (vt == NULL)
            continue;
        v->key = keys[t];
        v->far_m = isnan(far_m) || far_m <= 0 ? VISIT_FAR_DEFAULT_M : far_m;
        v->far_ok = far != NULL && strcmp(far, "allow") == 0;
        v->far_refused = far != NULL && strcmp(far, "refuse") == 0;
        cJSON_ArrayForEach(p, cJSON_GetObjectItem(vt, "photos"))
        {
            const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(p, "key"));

            if (k != NULL && v->nphotos < KEYS_MAX)
                v->photos[v->nphotos++] = k;
        }
    }
}

enum app_err
demo_acts_new(const struct demo_acts_spec *spec, struct demo_acts **out,
              char *err, size_t errlen)
{
    struct demo_acts *d = calloc(1, sizeof(*d));
    struct db_res res;
    enum app_err rc = APP_ENOMEM;
    int t;

    *out = d;
    if (d == NULL)
        return APP_ENOMEM;
    d->s = *spec;
    for (t = 0; t < NB; t++)
        d->mine[t] = true;
    d->today = local_day(spec->now);
    d->ndays = (size_t)spec->days + 8;
    d->load = calloc(spec->nreps * d->ndays * 2, 1);
    if (d->load == NULL)
        return APP_ENOMEM;
    for (t = 0; t < NB; t++) {
        d->b[t].v = calloc(BATCH * tables[t].ncols, sizeof(struct db_val));
        if (d->b[t].v == NULL)
            return APP_ENOMEM;
    }
    visit_types(d);
    if (d->vt[VT_STORE].key == NULL || d->vt[VT_HOSPITAL].key == NULL) {
        snprintf(err, errlen, "the rules have no store or hospital visit");
        return APP_EINTERNAL;
    }
    rc = classify_all(d, err, errlen);
    if (rc == APP_OK)
        rc = db_query(d->s.db, d->s.a, SQL_MAX_IDS, DB_NOARGS, 1, &res);
    if (rc == APP_OK && res.nrows != 1)
        rc = APP_EINTERNAL;
    if (rc == APP_OK)
        d->next_id = db_int(&res, 0, 0, 0) + 1;
    d->s.rules = NULL;
    return rc;
}

/* True in xa_prepared's process once the writer prepared its work. */
static bool xa_prepared;

bool
demo_acts_split(struct demo_acts *d, const struct conf *c)
{
    pid_t pid;
    int t;

    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0)
        return true; /* no second process: this one writes everything */
    if (pid > 0) {
        d->writer = pid;
        for (t = 0; t < NB; t++)
            d->mine[t] = t == B_FILE;
        return true;
    }
    /* The writer: its own connection (never the caller's, whose socket it
     * shares), its own transaction, the activity tables only. */
    for (t = 0; t < NB; t++)
        d->mine[t] = t != B_FILE;
    d->own = cli_db_open(c, "demo");
    if (d->own == NULL || demo_bulk(d->own) != APP_OK ||
        db_exec(d->own, SQL_XA_START, DB_NOARGS, NULL, NULL) != APP_OK)
        _exit(1);
    return false;
}

void
demo_acts_writer_end(struct demo_acts *d, enum app_err rc)
{
    if (rc == APP_OK)
        rc = demo_acts_flush(d);
    if (rc == APP_OK)
        rc = db_exec(d->own, SQL_XA_END, DB_NOARGS, NULL, NULL);
    if (rc == APP_OK)
        rc = db_exec(d->own, SQL_XA_PREPARE, DB_NOARGS, NULL, NULL);
    if (rc != APP_OK)
        fprintf(stderr, "proofline demo: activities: %s\n", db_error(d->own));
    /* Leave without the caller's atexit work and buffers: its connection
     * and files are not ours to close. */
    db_free(d->own);
    _exit(rc == APP_OK ? 0 : 1);
}

enum app_err
demo_acts_join(struct demo_acts *d, enum app_err rc)
{
    int status = 0;

    if (d == NULL || d->writer <= 0)
        return rc;
    if (rc != APP_OK)
        kill(d->writer, SIGTERM); /* its transaction dies with it */
    while (waitpid(d->writer, &status, 0) < 0) {
        if (errno != EINTR) {
            status = -1;
            break;
        }
    }
    d->writer = 0;
    /* Prepared, or perhaps (killed just after preparing): the caller's
     * commit or rollback settles it either way. */
    xa_prepared = true;
    if (rc == APP_OK && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        rc = APP_EINTERNAL;
    return rc;
}

enum app_err
demo_acts_settle(struct db *db, bool commit)
{
    enum app_err rc = APP_OK;

    if (xa_prepared)
        rc = db_exec(db, commit ? SQL_XA_COMMIT : SQL_XA_ROLLBACK, DB_NOARGS,
                     NULL, NULL);
    xa_prepared = false;
    return rc;
}

int64_t
demo_acts_count(const struct demo_acts *d)
{
    return d != NULL ? d->count : 0;
}

void
demo_acts_free(struct demo_acts *d)
{
    int t, k, m;

    if (d == NULL)
        return;
    for (k = 0; k < NKINDS; k++) {
        for (m = 0; m < NMASKS; m++) {
            free(d->cls[k][m].missing);
            free(d->cls[k][m].reason);
        }
    }
    for (t = 0; t < NB; t++)
        free(d->b[t].v);
    free(d->load);
    free(d);
}
