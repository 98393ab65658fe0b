/*
 * activity_view.c -- activity rows for the API and pages (activity_view.h).
 */
#include "web/activity_view.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/num.h"
#include "base/tz.h"
#include "base/validate.h"
#include "identity/role.h"
#include "sales/activities.h"
#include "sales/activity_audio.h"
#include "web/view.h"

static void
add_number_or_null(cJSON *o, const char *key, const char *text)
{
    if (text[0] != '\0')
        cJSON_AddNumberToObject(o, key, strtod(text, NULL));
    else
        cJSON_AddNullToObject(o, key);
}

static void
add_contacts(struct req *r, cJSON *o, int64_t id)
{
    struct db_res k;
    cJSON *list;
    size_t i;

    if (activities_contacts(&r->cx, id, &k) == APP_OK &&
        (list = cJSON_AddArrayToObject(o, "contacts")) != NULL) {
        for (i = 0; i < k.nrows; i++) {
            cJSON *c = cJSON_CreateObject();

            cJSON_AddItemToArray(list, c);
            cJSON_AddNumberToObject(c, "id", (double)db_int(&k, i, 0, 0));
            view_add_str(c, "name", db_text(&k, i, 1));
            view_add_str(c, "role", db_text(&k, i, 2));
            view_add_str(c, "consensus", db_text(&k, i, 3));
        }
    }
}

static void
add_audio(struct req *r, cJSON *o, int64_t id)
{
    struct db_res au;
    cJSON *list;
    size_t i;

    if (activity_audio_list(&r->cx, id, &au) == APP_OK &&
        (list = cJSON_AddArrayToObject(o, "audio")) != NULL) {
        for (i = 0; i < au.nrows; i++) {
            cJSON *p = cJSON_CreateObject();

            cJSON_AddItemToArray(list, p);
            cJSON_AddNumberToObject(p, "id", (double)db_int(&au, i, 0, 0));
            cJSON_AddNumberToObject(p, "file_id", (double)db_int(&au, i, 1, 0));
            view_add_str(p, "mime", db_text(&au, i, 2));
            view_add_str(p, "uploaded_at", db_text(&au, i, 3));
            view_add_str(p, "uploaded_by", db_text(&au, i, 4));
        }
    }
}

static void
add_photos(struct req *r, cJSON *o, int64_t id)
{
    struct db_res ph;
    const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(o, "kind"));
    cJSON *list;
    size_t i;

    /* Only visits have photos: a day's list of calls asks for none. */
    list = cJSON_AddArrayToObject(o, "photos");
    if (list != NULL && kind != NULL && strcmp(kind, "visit") == 0 &&
        visits_photos(&r->cx, id, &ph) == APP_OK) {
        for (i = 0; i < ph.nrows; i++) {
            cJSON *p = cJSON_CreateObject();

            cJSON_AddItemToArray(list, p);
            cJSON_AddNumberToObject(p, "id", (double)db_int(&ph, i, 0, 0));
            view_add_str(p, "key", db_text(&ph, i, 1));
            cJSON_AddNumberToObject(p, "file_id", (double)db_int(&ph, i, 2, 0));
            view_add_str(p, "uploaded_at", db_text(&ph, i, 3));
            view_add_str(p, "exif_at", db_text(&ph, i, 4));
            view_add_str(p, "flags", db_text(&ph, i, 5));
            cJSON_AddNumberToObject(p, "thumb_file_id",
                                    (double)db_int(&ph, i, 6, 0));
        }
    }
}

cJSON *
activity_view_api(struct req *r, const struct db_res *res, size_t row,
                  bool full)
{
    cJSON *o = cJSON_CreateObject();
    int64_t id = db_int(res, row, AC_ID, 0);

    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)id);
    view_add_str(o, "kind", db_text(res, row, AC_KIND));
    view_add_str(o, "status", db_text(res, row, AC_STATUS));
    cJSON_AddNumberToObject(o, "customer_id",
                            (double)db_int(res, row, AC_CUSTOMER_ID, 0));
    view_add_str(o, "customer_name", db_text(res, row, AC_CUSTOMER_NAME));
    cJSON_AddNumberToObject(o, "rep_id",
                            (double)db_int(res, row, AC_REP_ID, 0));
    view_add_str(o, "rep_name", db_text(res, row, AC_REP_NAME));
    view_add_str(o, "at", db_text(res, row, AC_AT));
    view_add_str(o, "content", db_text(res, row, AC_CONTENT));
    view_add_str(o, "need", db_text(res, row, AC_NEED));
    view_add_str(o, "competitor", db_text(res, row, AC_COMPETITOR));
    view_add_str(o, "next_step", db_text(res, row, AC_NEXT_STEP));
    view_add_str(o, "next_date", db_text(res, row, AC_NEXT_DATE));
    cJSON_AddBoolToObject(o, "effective",
                          db_int(res, row, AC_EFFECTIVE, 0) != 0);
    view_add_str(o, "missing", db_text(res, row, AC_MISSING));
    view_add_str(o, "reason", db_text(res, row, AC_REASON));
    cJSON_AddNumberToObject(o, "rule_version",
                            (double)db_int(res, row, AC_RULE_VERSION, 0));
    view_add_str(o, "visit_type", db_text(res, row, AC_VISIT_TYPE));
    view_add_str(o, "checkin_at", db_text(res, row, AC_CHECKIN_AT));
    add_number_or_null(o, "lat", db_text(res, row, AC_LAT));
    add_number_or_null(o, "lng", db_text(res, row, AC_LNG));
    add_number_or_null(o, "accuracy_m", db_text(res, row, AC_ACCURACY));
    add_number_or_null(o, "distance_m", db_text(res, row, AC_DISTANCE));
    view_add_str(o, "location_flag", db_text(res, row, AC_LOCATION_FLAG));
    view_add_str(o, "checkout_at", db_text(res, row, AC_CHECKOUT_AT));
    view_add_str(o, "reviewed_by", db_text(res, row, AC_REVIEWED_BY_NAME));
    view_add_str(o, "review_note", db_text(res, row, AC_REVIEW_NOTE));
    view_add_str(o, "client_id", db_text(res, row, AC_CLIENT_ID));
    view_add_str(o, "device_at", db_text(res, row, AC_DEVICE_AT));
    view_add_str(o, "received_at", db_text(res, row, AC_CREATED_AT));
    if (full) {
        add_contacts(r, o, id);
        add_audio(r, o, id);
        add_photos(r, o, id);
    }
    return o;
}

/* A photo's trust flags ("exif_missing,reused") as the reader's words. */
static const char *
flag_text(struct req *r, const char *flags)
{
    struct buf b;
    const char *p = flags, *comma;
    enum app_err rc = APP_OK;

    if (flags == NULL || flags[0] == '\0')
        return "";
    buf_init(&b, r->a, 2000);
    while (rc == APP_OK && *p != '\0') {
        size_t n;

        comma = strchr(p, ',');
        n = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (b.len > 0)
            rc = buf_puts(&b, http_t(r, "visit.flag_sep"));
        if (rc == APP_OK)
            rc = buf_puts(&b, http_t(r, arena_printf(r->a, "visit.flag_%.*s",
                                                     (int)n, p)));
        p += n + (comma != NULL ? 1 : 0);
    }
    return rc == APP_OK ? buf_str(&b).p : flags;
}

/* The page's fields of an activity object o (NULL stays NULL). */
static cJSON *
decorate(struct req *r, cJSON *o, const struct db_res *res, size_t row)
{
    const char *flag = db_text(res, row, AC_LOCATION_FLAG);
    const char *missing = db_text(res, row, AC_MISSING);
    const cJSON *p;
    bool flagged = false;

    if (o == NULL)
        return NULL;
    cJSON_ReplaceItemInObject(
        o, "at", cJSON_CreateString(view_local(r, db_text(res, row, AC_AT))));
    view_add_str(o, "kind_label",
                 http_t(r, arena_printf(r->a, "activity.kind_%s",
                                        db_text(res, row, AC_KIND))));
    cJSON_AddBoolToObject(o, "open",
                          strcmp(db_text(res, row, AC_STATUS), "open") == 0);
    cJSON_AddBoolToObject(o, "far", strcmp(flag, "far") == 0);
    cJSON_AddBoolToObject(o, "first_place", strcmp(flag, "first") == 0);
    cJSON_AddBoolToObject(o, "has_missing", missing[0] != '\0');
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(o, "photos"))
    {
        const char *f = cJSON_GetStringValue(cJSON_GetObjectItem(p, "flags"));

        double thumb =
            cJSON_GetNumberValue(cJSON_GetObjectItem(p, "thumb_file_id"));

        flagged = flagged || (f != NULL && f[0] != '\0');
        cJSON_AddBoolToObject((cJSON *)p, "flagged", f != NULL && f[0] != '\0');
        /* A photo from before thumbnails shows itself, scaled down. */
        cJSON_AddNumberToObject(
            (cJSON *)p, "src",
            thumb > 0
                ? thumb
                : cJSON_GetNumberValue(cJSON_GetObjectItem(p, "file_id")));
        view_add_str((cJSON *)p, "flag_text", flag_text(r, f));
    }
    cJSON_AddBoolToObject(o, "photo_flags", flagged);
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(o, "audio"))
    {
        cJSON_ReplaceItemInObject(
            (cJSON *)p, "uploaded_at",
            cJSON_CreateString(view_local(
                r,
                cJSON_GetStringValue(cJSON_GetObjectItem(p, "uploaded_at")))));
    }
    cJSON_AddBoolToObject(o, "reviewed",
                          db_text(res, row, AC_REVIEWED_AT)[0] != '\0');
    /* Recorded offline: placed at the phone's time, arrived later. */
    cJSON_AddBoolToObject(o, "offline",
                          db_text(res, row, AC_DEVICE_AT)[0] != '\0');
    view_add_str(o, "received_local",
                 view_local(r, db_text(res, row, AC_CREATED_AT)));
    return o;
}

cJSON *
activity_view_page(struct req *r, const struct db_res *res, size_t row)
{
    return decorate(r, activity_view_api(r, res, row, true), res, row);
}

cJSON *
activity_view_day_item(struct req *r, const struct db_res *res, size_t row)
{
    cJSON *o = activity_view_api(r, res, row, false);

    if (o != NULL)
        add_photos(r, o, db_int(res, row, AC_ID, 0));
    return decorate(r, o, res, row);
}

enum app_err
activity_view_photo(struct req *r, int64_t visit_id, int64_t *photo_id)
{
    static const struct field_spec spec[] = {
        { "key", V_SLUG, true, 1, 32, NULL },
    };
    struct field_val v[1];
    const struct upload *file = NULL;
    struct db_res visit;
    size_t i;
    enum app_err rc = activities_get(&r->cx, visit_id, &visit);

    if (rc == APP_OK)
        rc = validate_fields(&r->cx.err_detail, &r->form, spec, 1, v, NULL);
    for (i = 0; i < r->files.n; i++) {
        if (str_eq_c(r->files.v[i].field, "file") && r->files.v[i].size > 0)
            file = &r->files.v[i];
    }
    if (rc == APP_OK && file == NULL) {
        r->cx.err_detail = "visit.no_file";
        rc = APP_EVALIDATION;
    }
    if (rc == APP_OK)
        rc = visits_add_photo(&r->cx, visit_id, arena_str(r->a, v[0].s).p, file,
                              photo_id);
    return rc;
}

enum app_err
activity_view_audio(struct req *r, int64_t activity_id, int64_t *audio_id)
{
    const struct upload *file = NULL;
    size_t i;

    for (i = 0; i < r->files.n; i++) {
        if (str_eq_c(r->files.v[i].field, "file") && r->files.v[i].size > 0)
            file = &r->files.v[i];
    }
    return activity_audio_add(&r->cx, activity_id, file, audio_id);
}

cJSON *
activity_view_verdict(struct req *r, const struct kvlist *f, enum app_err *rc)
{
    static const struct field_spec spec[] = {
        { "kind", V_SLUG, false, 1, 16, NULL },
        { "need", V_TEXT, false, 0, ACT_FIELD_MAX, NULL },
        { "competitor", V_TEXT, false, 0, ACT_FIELD_MAX, NULL },
        { "next_step", V_TEXT, false, 0, ACT_FIELD_MAX, NULL },
        { "content", V_TEXT, false, 0, ACT_TEXT_MAX, NULL },
    };
    struct field_val v[5];
    struct activity_input in = { 0 };
    struct rule_verdict verdict;
    struct buf b;
    cJSON *o, *list;
    size_t i;

    *rc = validate_fields(&r->cx.err_detail, f, spec, 5, v, NULL);
    if (*rc != APP_OK)
        return NULL;
    in.kind = v[0].present ? arena_str(r->a, v[0].s).p : "visit";
    in.need = arena_str(r->a, v[1].s).p;
    in.competitor = arena_str(r->a, v[2].s).p;
    in.next_step = arena_str(r->a, v[3].s).p;
    in.content = arena_str(r->a, v[4].s).p;
    *rc = activities_preview(&r->cx, &in, &verdict);
    if (*rc != APP_OK)
        return NULL;
    if ((o = cJSON_CreateObject()) == NULL) {
        *rc = APP_ENOMEM;
        return NULL;
    }
    cJSON_AddBoolToObject(o, "effective", verdict.ok);
    cJSON_AddNumberToObject(o, "rule_version", verdict.version);
    view_add_str(o, "reason", verdict.message != NULL ? verdict.message : "");
    list = cJSON_AddArrayToObject(o, "missing");
    buf_init(&b, r->a, 4000);
    *rc = buf_puts(&b, http_t(r, verdict.ok ? "activity.will_count"
                                            : "activity.will_not_count"));
    for (i = 0; *rc == APP_OK && i < verdict.nmissing; i++) {
        cJSON *m = cJSON_CreateObject();

        cJSON_AddItemToArray(list, m);
        view_add_str(m, "key", verdict.missing[i].key);
        view_add_str(m, "name",
                     verdict.missing[i].name != NULL ? verdict.missing[i].name
                                                     : verdict.missing[i].key);
        *rc = buf_puts(&b, i > 0 ? http_t(r, "visit.flag_sep") : " ");
        if (*rc == APP_OK)
            *rc = buf_puts(
                &b, cJSON_GetStringValue(cJSON_GetObjectItem(m, "name")));
    }
    if (*rc == APP_OK && !verdict.ok && verdict.nmissing == 0 &&
        verdict.message != NULL)
        *rc = buf_puts(&b, verdict.message);
    view_add_str(o, "text", buf_str(&b).p);
    return o;
}

enum app_err
activity_view_day_filter(struct req *r, struct activity_filter *f,
                         size_t *limit)
{
    static const struct field_spec spec[] = {
        { "day", V_LINE, false, 10, 10, NULL },
        { "rep", V_INT, false, 1, INT64_MAX, NULL },
        { "team", V_INT, false, 1, INT64_MAX, NULL },
        { "limit", V_INT, false, 1, ACT_DAY_MAX, NULL },
    };
    struct field_val v[4];
    char today[16];
    bool team = role_can_manage(r->cx.role);
    int y, mo, d;
    enum app_err rc =
        validate_fields(&r->cx.err_detail, &r->query_args, spec, 4, v, NULL);

    if (rc != APP_OK)
        return rc;
    tz_today(r->cx.tenant_tz, today, sizeof(today));
    memset(f, 0, sizeof(*f));
    f->day = v[0].present && parse_date(v[0].s, &y, &mo, &d)
                 ? arena_str(r->a, v[0].s).p
                 : arena_strdup(r->a, today);
    /* A rep sees their own day; leads pick a rep or a team. */
    f->rep_id = team ? (v[1].present ? v[1].i : 0) : r->cx.user_id;
    f->team_id = team && v[2].present ? v[2].i : 0;
    *limit = v[3].present ? (size_t)v[3].i : *limit;
    return f->day != NULL ? APP_OK : APP_ENOMEM;
}
