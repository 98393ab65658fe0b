/*
 * activity_api.c -- activities and visits as JSON (activity_api.h).
 */
#include "web/handlers/activity_api.h"

#include <string.h>

#include "base/num.h"
#include "base/tz.h"
#include "base/validate.h"
#include "http/router.h"
#include "identity/role.h"
#include "sales/activities.h"
#include "web/activity_view.h"
#include "web/api_json.h"
#include "web/note_view.h"
#include "web/view.h"

#define API_LIST_MAX 500

/* The JSON body as form fields, with contacts: [{id, consensus}] as
 * "contact" and "consensus_<id>" (what the pages send). */
APP_MUST_USE static enum app_err
fields_of(struct req *r, struct kvlist *f)
{
    const cJSON *k;
    enum app_err rc = api_fields(r, f);

    cJSON_ArrayForEach(k, cJSON_GetObjectItem(r->json, "contacts"))
    {
        const cJSON *id = cJSON_GetObjectItem(k, "id");
        const char *cons =
            cJSON_GetStringValue(cJSON_GetObjectItem(k, "consensus"));
        const char *num;

        if (rc != APP_OK)
            break;
        if (!cJSON_IsNumber(id)) {
            r->cx.err_detail = "activity.bad_contact";
            return APP_EVALIDATION;
        }
        num = arena_printf(r->a, "%.0f", id->valuedouble);
        rc = kv_add(r->a, f, STR_LIT("contact"), str_c(num));
        if (rc == APP_OK && cons != NULL)
            rc = kv_add(r->a, f, str_c(arena_printf(r->a, "consensus_%s", num)),
                        str_c(cons));
    }
    return rc;
}

/* An activity and its extras. */
APP_MUST_USE static enum app_err
send_one(struct req *r, int status, int64_t id)
{
    struct db_res res;
    enum app_err rc = activities_get(&r->cx, id, &res);

    return rc != APP_OK
               ? rc
               : api_send(r, status, activity_view_api(r, &res, 0, true));
}

/* o with the rows as key: [activity, ...] (takes o; NULL: APP_ENOMEM). */
APP_MUST_USE static enum app_err
send_rows(struct req *r, cJSON *o, const char *key, const struct db_res *res)
{
    cJSON *list = o != NULL ? cJSON_AddArrayToObject(o, key) : NULL;
    size_t i;

    for (i = 0; list != NULL && i < res->nrows; i++)
        cJSON_AddItemToArray(list, activity_view_api(r, res, i, false));
    return api_send(r, 200, list != NULL ? o : (cJSON_Delete(o), NULL));
}

enum app_err
api_activities(struct req *r)
{
    static const struct field_spec spec[] = {
        { "customer", V_INT, false, 1, INT64_MAX, NULL },
        { "rep", V_INT, false, 1, INT64_MAX, NULL },
        { "day", V_LINE, false, 10, 10, NULL },
        { "kind", V_ENUM, false, 0, 0, activity_kinds },
        { "limit", V_INT, false, 1, API_LIST_MAX, NULL },
    };
    struct field_val v[5];
    struct activity_filter f;
    struct db_res res;
    enum app_err rc =
        validate_fields(&r->cx.err_detail, &r->query_args, spec, 5, v, NULL);

    if (rc != APP_OK)
        return rc;
    memset(&f, 0, sizeof(f));
    f.customer_id = v[0].present ? v[0].i : 0;
    f.rep_id = v[1].present ? v[1].i : 0;
    f.day = v[2].present ? arena_str(r->a, v[2].s).p : NULL;
    f.kind = v[3].present ? activity_kinds[v[3].i] : NULL;
    rc = activities_list(&r->cx, &f, v[4].present ? (size_t)v[4].i : 100, &res);
    if (rc != APP_OK)
        return rc;
    return send_rows(r, cJSON_CreateObject(), "activities", &res);
}

enum app_err
api_visits(struct req *r)
{
    struct activity_filter f;
    struct db_res res;
    cJSON *o;
    size_t limit = 100;
    enum app_err rc = activity_view_day_filter(r, &f, &limit);

    if (rc != APP_OK)
        return rc;
    f.kind = "visit";
    rc = activities_list(&r->cx, &f, limit, &res);
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "day", f.day);
    return send_rows(r, o, "visits", &res);
}

enum app_err
api_activity_create(struct req *r)
{
    struct activity_input in;
    struct kvlist f;
    cJSON *errors = view_errors(r);
    int64_t id;
    bool created;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = fields_of(r, &f);
    if (rc == APP_OK)
        rc = activities_check(&r->cx, &f, &in, errors);
    if (rc == APP_EVALIDATION && cJSON_GetArraySize(errors) > 0) {
        r->cx.err_detail = NULL;
        return api_invalid(r, errors);
    }
    if (rc == APP_OK)
        rc = activities_record(&r->cx, &in, &id, &created);
    return rc != APP_OK ? rc : send_one(r, created ? 201 : 200, id);
}

enum app_err
api_activity(struct req *r)
{
    return send_one(r, 200, router_param_int(r, "id"));
}

/* An ISO 8601 UTC time as a phone's JavaScript writes it
 * ("2026-03-02T08:15:00.000Z") as the database's "YYYY-MM-DD HH:MM:SS";
 * anything else is passed on as it is and refused by the service. */
static const char *
device_time(struct req *r, struct str s)
{
    char *t = arena_alloc(r->a, s.len + 1);

    if (t == NULL)
        return "";
    memcpy(t, s.p, s.len);
    t[s.len] = '\0';
    if (s.len >= 20 && t[10] == 'T' && t[s.len - 1] == 'Z') {
        t[10] = ' ';
        t[19] = '\0';
    }
    return t;
}

enum app_err
api_visit_checkin(struct req *r)
{
    static const struct field_spec spec[] = {
        { "customer", V_INT, true, 1, INT64_MAX, NULL },
        { "visit_type", V_SLUG, true, 1, 32, NULL },
        { "client_id", V_LINE, false, 1, ACT_CLIENT_ID_MAX, NULL },
        { "accuracy", V_INT, false, 0, 100000, NULL },
        { "checked_in_at", V_LINE, false, 19, 30, NULL },
    };
    struct field_val v[5];
    struct checkin in;
    struct kvlist f;
    const cJSON *lat = cJSON_GetObjectItem(r->json, "lat");
    const cJSON *lng = cJSON_GetObjectItem(r->json, "lng");
    int64_t id;
    bool created;
    enum app_err rc = api_fields(r, &f);

    if (rc == APP_OK)
        rc = validate_fields(&r->cx.err_detail, &f, spec, 5, v, NULL);
    if (rc != APP_OK)
        return rc;
    memset(&in, 0, sizeof(in));
    in.customer_id = v[0].i;
    in.visit_type = arena_str(r->a, v[1].s).p;
    in.client_id = v[2].present ? arena_str(r->a, v[2].s).p : NULL;
    in.has_position = cJSON_IsNumber(lat) && cJSON_IsNumber(lng);
    in.lat = in.has_position ? lat->valuedouble : 0;
    in.lng = in.has_position ? lng->valuedouble : 0;
    in.accuracy_m = v[3].present ? (int)v[3].i : 0;
    in.device_at = v[4].present ? device_time(r, v[4].s) : NULL;
    rc = visits_checkin(&r->cx, &in, &id, &created);
    return rc != APP_OK ? rc : send_one(r, created ? 201 : 200, id);
}

enum app_err
api_visit_photo(struct req *r)
{
    int64_t id = router_param_int(r, "id"), photo;
    enum app_err rc = activity_view_photo(r, id, &photo);

    return rc != APP_OK ? rc : send_one(r, 201, id);
}

enum app_err
api_activity_check(struct req *r)
{
    struct kvlist f = { 0 };
    enum app_err rc = api_fields(r, &f);
    cJSON *o = rc == APP_OK ? activity_view_verdict(r, &f, &rc) : NULL;

    return rc != APP_OK ? rc : api_send(r, 200, o);
}

enum app_err
api_activity_audio(struct req *r)
{
    int64_t id = router_param_int(r, "id"), audio;
    enum app_err rc = activity_view_audio(r, id, &audio);

    return rc != APP_OK ? rc : send_one(r, 201, id);
}

enum app_err
api_visit_complete(struct req *r)
{
    struct activity_input in;
    struct kvlist f;
    cJSON *errors = view_errors(r), *missing = NULL;
    int64_t id = router_param_int(r, "id");
    struct db_res v;
    enum app_err rc = activities_get(&r->cx, id, &v);

    if (rc != APP_OK)
        return rc;
    if (errors == NULL)
        return APP_ENOMEM;
    rc = fields_of(r, &f);
    /* The customer is the visit's. */
    if (rc == APP_OK)
        rc = kv_add(r->a, &f, STR_LIT("customer"),
                    str_c(db_text(&v, 0, AC_CUSTOMER_ID)));
    if (rc == APP_OK)
        rc = activities_check(&r->cx, &f, &in, errors);
    if (rc == APP_EVALIDATION && cJSON_GetArraySize(errors) > 0) {
        r->cx.err_detail = NULL;
        return api_invalid(r, errors);
    }
    if (rc == APP_OK)
        rc = visits_complete(&r->cx, id, &in, &missing);
    if (rc == APP_ECONFLICT && missing != NULL) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddStringToObject(o, "error", "photos_missing");
        cJSON_AddStringToObject(o, "message",
                                http_t(r, "visit.photos_missing"));
        cJSON_AddItemToObject(o, "missing", missing);
        return api_send(r, 422, o);
    }
    cJSON_Delete(missing);
    return rc != APP_OK ? rc : send_one(r, 200, id);
}

enum app_err
api_notes_extract(struct req *r)
{
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(r->json, "text");
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(r->json, "at");
    cJSON *o = NULL;
    enum app_err rc;

    if (!cJSON_IsObject(r->json)) {
        r->cx.err_detail = "api.object_expected";
        return APP_EINVAL;
    }
    if (!cJSON_IsString(text)) {
        r->cx.err_detail = "notes.empty";
        return APP_EVALIDATION;
    }
    if (at != NULL && !cJSON_IsNull(at) && !cJSON_IsString(at)) {
        r->cx.err_detail = "notes.bad_at";
        return APP_EVALIDATION;
    }
    rc = note_view_api(r, str_c(text->valuestring),
                       cJSON_IsString(at) ? str_c(at->valuestring) : STR_NULL,
                       &o);
    return rc != APP_OK ? rc : api_send(r, 200, o);
}
