/*
 * visit_pages.c -- visit and activity pages (visit_pages.h).
 */
#include "web/handlers/visit_pages.h"

#include <stdlib.h>
#include <string.h>

#include "base/num.h"
#include "base/tz.h"
#include "base/validate.h"
#include "http/app.h"
#include "http/router.h"
#include "identity/access.h"
#include "identity/role.h"
#include "identity/users.h"
#include "rules/ruledesc.h"
#include "sales/activities.h"
#include "sales/audits.h"
#include "sales/contacts.h"
#include "sales/customer_input.h"
#include "sales/customers.h"
#include "web/activity_view.h"
#include "web/api_json.h"
#include "web/auth.h"
#include "web/note_view.h"
#include "web/view.h"

#define PICK_MAX 200

#define NEAR_MAX 30

/* "lat,lng" from the query's near (the browser's position). */
static bool
near_of(struct req *r, double *lat, double *lng)
{
    const struct str *v = http_query_arg(r, "near");
    char buf[64], *comma, *end1, *end2;

    if (v == NULL || v->len == 0 || v->len >= sizeof(buf))
        return false;
    memcpy(buf, v->p, v->len);
    buf[v->len] = '\0';
    if ((comma = strchr(buf, ',')) == NULL)
        return false;
    *comma = '\0';
    *lat = strtod(buf, &end1);
    *lng = strtod(comma + 1, &end2);
    return end1 != buf && *end1 == '\0' && end2 != comma + 1 && *end2 == '\0' &&
           *lat >= -90 && *lat <= 90 && *lng >= -180 && *lng <= 180;
}

/* With the browser's position: the customers around it first, nearest
 * at the top, with how far each is. */
APP_MUST_USE static enum app_err
pick_nearby(struct req *r, cJSON *m, cJSON *list, int64_t chosen)
{
    struct db_res res;
    double lat, lng;
    size_t i;
    enum app_err rc;

    if (!near_of(r, &lat, &lng) || http_query_arg(r, "q") != NULL)
        return APP_OK;
    rc = customers_nearby(&r->cx, lat, lng, NEAR_MAX, &res);
    for (i = 0; rc == APP_OK && i < res.nrows; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(list, o);
        cJSON_AddNumberToObject(o, "id", (double)db_int(&res, i, 0, 0));
        view_add_str(o, "name", db_text(&res, i, 1));
        view_add_str(o, "city", db_text(&res, i, 2));
        cJSON_AddNumberToObject(o, "distance_m", (double)db_int(&res, i, 3, 0));
        cJSON_AddBoolToObject(o, "selected", db_int(&res, i, 0, 0) == chosen);
    }
    if (rc == APP_OK)
        cJSON_AddBoolToObject(m, "nearest_first", res.nrows > 0);
    return rc;
}

static bool
listed(const cJSON *list, double id)
{
    const cJSON *o;

    cJSON_ArrayForEach(o, list)
    {
        if (cJSON_GetNumberValue(cJSON_GetObjectItem(o, "id")) == id)
            return true;
    }
    return false;
}

/* The customers to pick from (the user's scope, by name, q filtering),
 * the nearest first when the browser sent its position. */
APP_MUST_USE static enum app_err
pick_customers(struct req *r, cJSON *m, int64_t chosen)
{
    struct customer_filter f;
    struct ruledesc rd;
    struct db_res res;
    int64_t total;
    cJSON *list = cJSON_AddArrayToObject(m, "customers");
    enum app_err rc =
        customer_filter_check(&r->cx, &r->query_args, &f, NULL, NULL);
    size_t i;

    if (list == NULL)
        return APP_ENOMEM;
    f.sort = CS_NAME;
    f.desc = false;
    if (rc == APP_OK)
        rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = pick_nearby(r, m, list, chosen);
    if (rc == APP_OK)
        rc = customers_list(&r->cx, &rd, &f, PICK_MAX, 0, &res, &total, NULL);
    for (i = 0; rc == APP_OK && i < res.nrows; i++) {
        cJSON *o;

        if (listed(list, (double)db_int(&res, i, CL_ID, 0)))
            continue;
        o = cJSON_CreateObject();

        cJSON_AddItemToArray(list, o);
        cJSON_AddNumberToObject(o, "id", (double)db_int(&res, i, CL_ID, 0));
        view_add_str(o, "name", db_text(&res, i, CL_NAME));
        view_add_str(o, "city", db_text(&res, i, CL_CITY));
        cJSON_AddBoolToObject(o, "selected",
                              db_int(&res, i, CL_ID, 0) == chosen);
    }
    if (rc == APP_OK && f.q.len > 0)
        view_add_str(m, "q", arena_str(r->a, f.q).p);
    return rc;
}

/* The photos a visit type requires, {key, name} each: the offline visit
 * form (static/offline.js) shows their slots without the server. */
static void
type_photos(struct req *r, cJSON *o, const cJSON *vt)
{
    const cJSON *p;
    cJSON *list = cJSON_AddArrayToObject(o, "photos");

    cJSON_ArrayForEach(p, cJSON_GetObjectItem(vt, "photos"))
    {
        const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(p, "key"));
        cJSON *one = k != NULL && list != NULL ? cJSON_CreateObject() : NULL;

        if (one == NULL)
            continue;
        cJSON_AddItemToArray(list, one);
        view_add_str(one, "key", k);
        view_add_str(one, "name", ruledesc_name(&r->cx, p));
    }
}

/* The rules' visit types as options. */
APP_MUST_USE static enum app_err
visit_types(struct req *r, cJSON *m, const char *chosen)
{
    struct ruledesc rd;
    const cJSON *vt, *types = NULL;
    cJSON *list = cJSON_AddArrayToObject(m, "types");
    enum app_err rc = ruledesc_get(&r->cx, &rd);

    if (list == NULL)
        return APP_ENOMEM;
    if (rc == APP_OK)
        types = cJSON_GetObjectItem(rd.d, "visit_types");
    cJSON_ArrayForEach(vt, types)
    {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(list, o);
        view_add_str(o, "value", vt->string);
        view_add_str(o, "label", ruledesc_name(&r->cx, vt));
        cJSON_AddBoolToObject(
            o, "selected", chosen != NULL && strcmp(chosen, vt->string) == 0);
        type_photos(r, o, vt);
    }
    return rc;
}

/* A new visit or activity form: the customer the query names (0: none)
 * chosen among those to pick from. */
APP_MUST_USE static enum app_err
new_form(struct req *r, cJSON **m, int64_t *cid)
{
    const struct str *c = http_query_arg(r, "customer");

    *cid = 0;
    *m = view_new(r);
    if (*m == NULL)
        return APP_ENOMEM;
    if (c != NULL && !parse_i64(*c, 1, INT64_MAX, cid))
        *cid = 0;
    return pick_customers(r, *m, *cid);
}

enum app_err
visits_new(struct req *r)
{
    int64_t cid;
    cJSON *m;
    enum app_err rc = new_form(r, &m, &cid);

    if (rc == APP_OK)
        rc = visit_types(r, m, NULL);
    return rc != APP_OK ? rc : view_page(r, 200, "pages/visit_new", m);
}

enum app_err
visits_create_page(struct req *r)
{
    static const struct field_spec spec[] = {
        { "customer", V_INT, true, 1, INT64_MAX, NULL },
        { "visit_type", V_SLUG, true, 1, 32, NULL },
        { "client_id", V_LINE, false, 1, ACT_CLIENT_ID_MAX, NULL },
        { "lat", V_LINE, false, 1, 20, NULL },
        { "lng", V_LINE, false, 1, 20, NULL },
        { "accuracy", V_INT, false, 0, 100000, NULL },
    };
    struct field_val v[6];
    struct checkin in;
    int64_t id;
    bool created;
    char *end = NULL;
    enum app_err rc =
        validate_fields(&r->cx.err_detail, &r->form, spec, 6, v, NULL);

    if (rc != APP_OK)
        return rc;
    memset(&in, 0, sizeof(in));
    in.customer_id = v[0].i;
    in.visit_type = arena_str(r->a, v[1].s).p;
    in.client_id = v[2].present ? arena_str(r->a, v[2].s).p : NULL;
    if (v[3].present && v[4].present) {
        in.lat = strtod(arena_str(r->a, v[3].s).p, &end);
        in.has_position = end != NULL && *end == '\0';
        in.lng = strtod(arena_str(r->a, v[4].s).p, &end);
        in.has_position = in.has_position && end != NULL && *end == '\0';
        in.accuracy_m = v[5].present ? (int)v[5].i : 0;
    }
    rc = visits_checkin(&r->cx, &in, &id, &created);
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/visits/%lld?done=checked_in", (long long)id));
}

/* The contacts of the customer as checkboxes, with their consensus
 * fields. */
APP_MUST_USE static enum app_err
contact_choices(struct req *r, cJSON *m, int64_t customer_id)
{
    struct contact *list = arena_alloc(r->a, CONTACTS_MAX * sizeof(*list));
    struct ruledesc rd;
    const struct str *just = http_query_arg(r, "met"); /* added just now */
    int64_t met = 0;
    size_t n = 0, i;
    cJSON *out = cJSON_AddArrayToObject(m, "contact_choices");
    enum app_err rc;

    if (out == NULL || list == NULL)
        return APP_ENOMEM;
    if (just != NULL && !parse_i64(*just, 1, INT64_MAX, &met))
        met = 0;
    rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = contacts_list(&r->cx, customer_id, list, CONTACTS_MAX, &n);
    for (i = 0; rc == APP_OK && i < n; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(out, o);
        cJSON_AddNumberToObject(o, "id", (double)list[i].id);
        cJSON_AddBoolToObject(o, "checked", list[i].id == met);
        view_add_str(o, "name", list[i].name);
        view_add_str(
            o, "role",
            ruledesc_label(&r->cx, &rd, "decision_roles", list[i].role));
    }
    return rc;
}

/* The visit page: its photo slots (what the type requires, done or
 * not), its content form, and what is missing when it was refused. */
APP_MUST_USE static enum app_err
visit_page(struct req *r, int status, int64_t id, cJSON *missing, cJSON *errors)
{
    static const char *const done[] = { "checked_in", "photo",     "audio",
                                        "contact",    "completed", "reviewed",
                                        NULL };
    struct db_res v;
    struct ruledesc rd;
    cJSON *m, *a, *slots;
    const cJSON *p;
    int64_t audit_id = 0;
    enum app_err rc = activities_get(&r->cx, id, &v);

    if (rc == APP_OK)
        rc = ruledesc_get(&r->cx, &rd);
    if (rc != APP_OK)
        return rc;
    if ((m = view_new(r)) == NULL || (a = activity_view_page(r, &v, 0)) == NULL)
        return APP_ENOMEM;
    cJSON_AddItemToObject(m, "v", a);
    slots = cJSON_AddArrayToObject(m, "slots");
    cJSON_ArrayForEach(
        p, cJSON_GetObjectItem(
               cJSON_GetObjectItem(cJSON_GetObjectItem(rd.d, "visit_types"),
                                   db_text(&v, 0, AC_VISIT_TYPE)),
               "photos"))
    {
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(p, "key"));
        cJSON *o = cJSON_CreateObject(), *ph;
        bool have = false;

        cJSON_AddItemToArray(slots, o);
        view_add_str(o, "key", key);
        view_add_str(o, "name", ruledesc_name(&r->cx, p));
        cJSON_ArrayForEach(ph, cJSON_GetObjectItem(a, "photos"))
        {
            const char *k =
                cJSON_GetStringValue(cJSON_GetObjectItem(ph, "key"));

            have = have || (k != NULL && key != NULL && strcmp(k, key) == 0);
        }
        cJSON_AddBoolToObject(o, "have", have);
    }
    view_add_str(
        m, "type_name",
        ruledesc_name(&r->cx, cJSON_GetObjectItem(
                                  cJSON_GetObjectItem(rd.d, "visit_types"),
                                  db_text(&v, 0, AC_VISIT_TYPE))));
    cJSON_AddItemToObject(
        m, "roles", ruledesc_options(&r->cx, &rd, "decision_roles", NULL));
    rc = contact_choices(r, m, db_int(&v, 0, AC_CUSTOMER_ID, 0));
    if (missing != NULL)
        cJSON_AddItemToObject(m, "missing_photos", missing);
    if (errors != NULL)
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
    cJSON_AddBoolToObject(m, "may_review",
                          db_int(&v, 0, AC_REP_ID, 0) != r->cx.user_id &&
                              role_can_manage(r->cx.role));
    if (rc == APP_OK)
        rc = audits_of_visit(&r->cx, id, &audit_id);
    if (rc == APP_OK && audit_id > 0)
        cJSON_AddNumberToObject(m, "audit_id", (double)audit_id);
    view_done(r, m, "visit.done_%s", done);
    return rc != APP_OK ? rc : view_page(r, status, "pages/visit", m);
}

enum app_err
visit_show(struct req *r)
{
    return visit_page(r, 200, router_param_int(r, "id"), NULL, NULL);
}

enum app_err
visit_photo_page(struct req *r)
{
    int64_t id = router_param_int(r, "id"), photo;
    enum app_err rc = activity_view_photo(r, id, &photo);

    if (rc == APP_EVALIDATION) {
        cJSON *errors = view_errors(r);

        if (errors == NULL)
            return APP_ENOMEM;
        cJSON_AddStringToObject(errors, "photo", r->cx.err_detail);
        r->cx.err_detail = NULL;
        return visit_page(r, 422, id, NULL, errors);
    }
    return rc != APP_OK ? rc
                        : http_redirect(r, arena_printf(r->a,
                                                        "/visits/%lld?done="
                                                        "photo#photos",
                                                        (long long)id));
}

/* A contact met for the first time, added from the visit page (the
 * contacts service's one write path), then ticked in the content form. */
enum app_err
visit_contact_page(struct req *r)
{
    struct contact_input in;
    struct ruledesc rd;
    struct customer c;
    struct db_res v;
    cJSON *errors = view_errors(r);
    int64_t id = router_param_int(r, "id"), kid = 0, version, cid;
    enum app_err rc = activities_get(&r->cx, id, &v);

    if (errors == NULL)
        return APP_ENOMEM;
    if (rc == APP_OK)
        rc = ruledesc_get(&r->cx, &rd);
    if (rc != APP_OK)
        return rc;
    cid = db_int(&v, 0, AC_CUSTOMER_ID, 0);
    if (contact_input_check(&r->cx, &rd, &r->form, &in, &version, errors) !=
        APP_OK) {
        r->cx.err_detail = NULL;
        return visit_page(r, 422, id, NULL, errors);
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = customers_get(&r->cx, cid, true, &c);
        if (rc == APP_OK)
            rc = contacts_create(&r->cx, cid, &in, &kid);
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/visits/%lld?done=contact&met=%lld#content",
                        (long long)id, (long long)kid));
}

/* The form asks, as the rep types, whether the activity would count. */
enum app_err
activity_check_page(struct req *r)
{
    enum app_err rc = APP_OK;
    cJSON *o = activity_view_verdict(r, &r->form, &rc);

    return rc != APP_OK ? rc : api_send(r, 200, o);
}

enum app_err
visit_audio_page(struct req *r)
{
    int64_t id = router_param_int(r, "id"), audio;
    enum app_err rc = activity_view_audio(r, id, &audio);

    if (rc == APP_EVALIDATION || rc == APP_ETOOBIG) {
        cJSON *errors = view_errors(r);

        if (errors == NULL)
            return APP_ENOMEM;
        cJSON_AddStringToObject(errors, "audio", r->cx.err_detail);
        r->cx.err_detail = NULL;
        return visit_page(r, rc == APP_ETOOBIG ? 413 : 422, id, NULL, errors);
    }
    return rc != APP_OK ? rc
                        : http_redirect(r, arena_printf(r->a,
                                                        "/visits/%lld?done="
                                                        "audio#audio",
                                                        (long long)id));
}

/* The content fields as a page posts them into an activity input. */
APP_MUST_USE static enum app_err
content_of(struct req *r, int64_t customer_id, struct activity_input *in,
           cJSON *errors)
{
    struct kvlist f = r->form;
    enum app_err rc =
        kv_add(r->a, &f, STR_LIT("customer"),
               str_c(arena_printf(r->a, "%lld", (long long)customer_id)));

    return rc != APP_OK ? rc : activities_check(&r->cx, &f, in, errors);
}

enum app_err
visit_complete_page(struct req *r)
{
    struct activity_input in;
    struct db_res v;
    cJSON *errors = view_errors(r), *missing = NULL;
    int64_t id = router_param_int(r, "id");
    enum app_err rc = activities_get(&r->cx, id, &v);

    if (rc != APP_OK)
        return rc;
    if (errors == NULL)
        return APP_ENOMEM;
    rc = content_of(r, db_int(&v, 0, AC_CUSTOMER_ID, 0), &in, errors);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return visit_page(r, 422, id, NULL, errors);
    }
    if (rc == APP_OK)
        rc = visits_complete(&r->cx, id, &in, &missing);
    if (rc == APP_ECONFLICT && missing != NULL) {
        r->cx.err_detail = NULL;
        return visit_page(r, 422, id, missing, NULL);
    }
    cJSON_Delete(missing);
    return rc != APP_OK ? rc
                        : http_redirect(r, arena_printf(r->a,
                                                        "/visits/%lld?done="
                                                        "completed",
                                                        (long long)id));
}

enum app_err
visit_review_page(struct req *r)
{
    static const struct field_spec spec[] = {
        { "note", V_TEXT, false, 0, 1000, NULL },
    };
    struct field_val v[1];
    int64_t id = router_param_int(r, "id");
    enum app_err rc =
        validate_fields(&r->cx.err_detail, &r->form, spec, 1, v, NULL);

    if (rc == APP_OK)
        rc = activities_review(&r->cx, id,
                               v[0].present ? arena_str(r->a, v[0].s).p : "");
    return rc != APP_OK ? rc
                        : http_redirect(r, arena_printf(r->a,
                                                        "/visits/%lld?done="
                                                        "reviewed",
                                                        (long long)id));
}

/* The people whose days a manager may look at. */
APP_MUST_USE static enum app_err
rep_choices(struct req *r, cJSON *m, int64_t chosen, int64_t team)
{
    struct user *people;
    size_t n = 0, i;
    int64_t root, all;
    cJSON *list = cJSON_AddArrayToObject(m, "reps");
    cJSON *teams = cJSON_AddArrayToObject(m, "teams");
    enum app_err rc;

    if (list == NULL || teams == NULL)
        return APP_ENOMEM;
    access_scope(&r->cx, &root, &all);
    rc = users_list_scope(r->app->db, r->a, r->cx.tenant_id, all, root, 5000,
                          &people, &n);
    for (i = 0; rc == APP_OK && i < n; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(list, o);
        cJSON_AddNumberToObject(o, "id", (double)people[i].id);
        view_add_str(o, "name", people[i].display_name);
        cJSON_AddBoolToObject(o, "selected", people[i].id == chosen);
        /* Those who lead a team: the team filter's choices. */
        if (people[i].role & (ROLE_MANAGER | ROLE_SUPERVISOR)) {
            cJSON *t = cJSON_CreateObject();

            cJSON_AddItemToArray(teams, t);
            cJSON_AddNumberToObject(t, "id", (double)people[i].id);
            view_add_str(t, "name", people[i].display_name);
            cJSON_AddBoolToObject(t, "selected", people[i].id == team);
        }
    }
    cJSON_AddBoolToObject(m, "has_teams", cJSON_GetArraySize(teams) > 0);
    return rc;
}

enum app_err
visits_index(struct req *r)
{
    struct activity_filter f;
    struct db_res res;
    cJSON *m = view_new(r), *list;
    bool team = role_can_manage(r->cx.role);
    size_t i, limit = ACT_DAY_MAX;
    enum app_err rc = activity_view_day_filter(r, &f, &limit);

    if (rc != APP_OK)
        return rc;
    if (m == NULL || (list = cJSON_AddArrayToObject(m, "items")) == NULL)
        return APP_ENOMEM;
    rc = activities_list(&r->cx, &f, limit, &res);
    for (i = 0; rc == APP_OK && i < res.nrows; i++)
        cJSON_AddItemToArray(list, activity_view_day_item(r, &res, i));
    if (rc == APP_OK && team)
        rc = rep_choices(r, m, f.rep_id, f.team_id);
    if (rc != APP_OK)
        return rc;
    view_add_str(m, "day", f.day);
    cJSON_AddBoolToObject(m, "team", team);
    cJSON_AddBoolToObject(m, "none", res.nrows == 0);
    return view_page(r, 200, "pages/visits", m);
}

enum app_err
activities_new(struct req *r)
{
    int64_t cid;
    cJSON *m;
    enum app_err rc = new_form(r, &m, &cid);

    if (m == NULL)
        return rc;
    cJSON_AddItemToObject(
        m, "kinds",
        view_options(r, activity_kinds + 1, "activity.kind_", "call"));
    if (rc == APP_OK && cid > 0) {
        struct customer cu;

        rc = customers_get(&r->cx, cid, false, &cu);
        if (rc == APP_OK)
            rc = contact_choices(r, m, cid);
        cJSON_AddNumberToObject(m, "customer_id", (double)cid);
    }
    return rc != APP_OK ? rc : view_page(r, 200, "pages/activity_new", m);
}

enum app_err
activities_create_page(struct req *r)
{
    struct activity_input in;
    cJSON *errors = view_errors(r);
    int64_t id;
    bool created;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = activities_check(&r->cx, &r->form, &in, errors);
    if (rc == APP_EVALIDATION) {
        cJSON *m = view_new(r);

        r->cx.err_detail = NULL;
        if (m == NULL)
            return APP_ENOMEM;
        rc = pick_customers(r, m, in.customer_id);
        cJSON_AddItemToObject(
            m, "kinds",
            view_options(r, activity_kinds + 1, "activity.kind_", in.kind));
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
        return rc != APP_OK ? rc : view_page(r, 422, "pages/activity_new", m);
    }
    if (rc == APP_OK && strcmp(in.kind, "visit") == 0) {
        r->cx.err_detail = "activity.visit_via_checkin";
        return APP_EVALIDATION;
    }
    if (rc == APP_OK)
        rc = activities_record(&r->cx, &in, &id, &created);
    return rc != APP_OK
               ? rc
               : http_redirect(r, arena_printf(r->a,
                                               "/customers/%lld?done="
                                               "activity#activities",
                                               (long long)in.customer_id));
}

/* --- quick notes: the note box of the new forms ------------------------ */

/* The note posted to a new form: its proposal into m (see note_view.h),
 * *cid and *contact what it names (0: none).  A note that cannot be read
 * is the note field's error and *status 422. */
APP_MUST_USE static enum app_err
propose(struct req *r, cJSON *m, int64_t *cid, int64_t *contact, int *status)
{
    const struct str *text = http_form(r, "note");
    const struct str *at = http_form(r, "note_at");
    struct str t = text != NULL ? *text : STR_NULL;
    cJSON *p = NULL, *errors;
    enum app_err rc = note_view_api(r, t, at != NULL ? *at : STR_NULL, &p);

    *cid = *contact = 0;
    *status = 200;
    cJSON_AddBoolToObject(m, "proposed", true);
    if (rc == APP_EVALIDATION || rc == APP_ETOOBIG) {
        errors = view_errors(r);
        if (errors == NULL)
            return APP_ENOMEM;
        cJSON_AddStringToObject(errors, "note", r->cx.err_detail);
        r->cx.err_detail = NULL;
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
        view_add_str(m, "note", arena_str(r->a, t).p);
        *status = rc == APP_ETOOBIG ? 413 : 422;
        return APP_OK;
    }
    if (rc != APP_OK)
        return rc;
    *cid = note_view_page(r, m, t, p, contact);
    cJSON_Delete(p);
    return APP_OK;
}

/* Tick the contact the note names. */
static void
tick_contact(cJSON *m, int64_t contact)
{
    cJSON *k;

    cJSON_ArrayForEach(k, cJSON_GetObjectItem(m, "contact_choices"))
    {
        const cJSON *id = cJSON_GetObjectItem(k, "id");

        cJSON_AddBoolToObject(k, "note_checked",
                              cJSON_IsNumber(id) &&
                                  (int64_t)id->valuedouble == contact);
    }
}

enum app_err
activities_propose_page(struct req *r)
{
    cJSON *m = view_new(r);
    const char *kind;
    int64_t cid, contact;
    int status;
    enum app_err rc;

    if (m == NULL)
        return APP_ENOMEM;
    rc = propose(r, m, &cid, &contact, &status);
    if (rc == APP_OK)
        rc = pick_customers(r, m, cid);
    kind = cJSON_GetStringValue(
        cJSON_GetObjectItem(cJSON_GetObjectItem(m, "prefill"), "kind"));
    /* A visit is recorded by checking in, not on this form. */
    if (kind == NULL || kind[0] == '\0' || strcmp(kind, "visit") == 0)
        kind = "call";
    cJSON_AddItemToObject(
        m, "kinds",
        view_options(r, activity_kinds + 1, "activity.kind_", kind));
    if (rc == APP_OK && cid > 0) {
        rc = contact_choices(r, m, cid);
        tick_contact(m, contact);
        cJSON_AddNumberToObject(m, "customer_id", (double)cid);
    }
    return rc != APP_OK ? rc : view_page(r, status, "pages/activity_new", m);
}

enum app_err
visits_propose_page(struct req *r)
{
    cJSON *m = view_new(r);
    int64_t cid, contact;
    int status;
    enum app_err rc;

    if (m == NULL)
        return APP_ENOMEM;
    rc = propose(r, m, &cid, &contact, &status);
    if (rc == APP_OK)
        rc = pick_customers(r, m, cid);
    /* The type the note names, if the rules know it (else the first). */
    if (rc == APP_OK)
        rc = visit_types(r, m,
                         cJSON_GetStringValue(cJSON_GetObjectItem(
                             cJSON_GetObjectItem(m, "prefill"), "visit_type")));
    return rc != APP_OK ? rc : view_page(r, status, "pages/visit_new", m);
}
