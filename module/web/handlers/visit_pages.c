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
#include "sales/contacts.h"
#include "sales/customer_input.h"
#include "sales/customers.h"
#include "web/activity_view.h"
#include "web/auth.h"
#include "web/view.h"

#define PICK_MAX 200

/* The customers to pick from (the user's scope, by name, q filtering). */
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
        rc = customers_list(&r->cx, &rd, &f, PICK_MAX, 0, &res, &total, NULL);
    for (i = 0; rc == APP_OK && i < res.nrows; i++) {
        cJSON *o = cJSON_CreateObject();

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
    size_t n = 0, i;
    cJSON *out = cJSON_AddArrayToObject(m, "contacts");
    enum app_err rc;

    if (out == NULL || list == NULL)
        return APP_ENOMEM;
    rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = contacts_list(&r->cx, customer_id, list, CONTACTS_MAX, &n);
    for (i = 0; rc == APP_OK && i < n; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(out, o);
        cJSON_AddNumberToObject(o, "id", (double)list[i].id);
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
    static const char *const done[] = { "checked_in", "photo", "completed",
                                        "reviewed", NULL };
    struct db_res v;
    struct ruledesc rd;
    cJSON *m, *a, *slots;
    const cJSON *p;
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
    rc = contact_choices(r, m, db_int(&v, 0, AC_CUSTOMER_ID, 0));
    if (missing != NULL)
        cJSON_AddItemToObject(m, "missing_photos", missing);
    if (errors != NULL)
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
    cJSON_AddBoolToObject(
        m, "may_review",
        db_int(&v, 0, AC_REP_ID, 0) != r->cx.user_id &&
            (r->cx.role & (ROLE_ADMIN | ROLE_MANAGER | ROLE_SUPERVISOR)));
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
rep_choices(struct req *r, cJSON *m, int64_t chosen)
{
    struct user *people;
    size_t n = 0, i;
    int64_t root, all;
    cJSON *list = cJSON_AddArrayToObject(m, "reps");
    enum app_err rc;

    if (list == NULL)
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
    }
    return rc;
}

enum app_err
visits_index(struct req *r)
{
    static const struct field_spec spec[] = {
        { "day", V_LINE, false, 10, 10, NULL },
        { "rep", V_INT, false, 1, INT64_MAX, NULL },
    };
    struct field_val v[2];
    struct activity_filter f;
    struct db_res res;
    char today[16];
    cJSON *m = view_new(r), *list;
    bool team = (r->cx.role & (ROLE_ADMIN | ROLE_MANAGER | ROLE_SUPERVISOR));
    size_t i;
    int y, mo, d;
    enum app_err rc =
        validate_fields(&r->cx.err_detail, &r->query_args, spec, 2, v, NULL);

    if (rc != APP_OK)
        return rc;
    if (m == NULL || (list = cJSON_AddArrayToObject(m, "items")) == NULL)
        return APP_ENOMEM;
    tz_today(r->cx.tenant_tz, today, sizeof(today));
    memset(&f, 0, sizeof(f));
    f.day = v[0].present && parse_date(v[0].s, &y, &mo, &d)
                ? arena_str(r->a, v[0].s).p
                : arena_strdup(r->a, today);
    f.rep_id = team ? (v[1].present ? v[1].i : 0) : r->cx.user_id;
    rc = activities_list(&r->cx, &f, 500, &res);
    for (i = 0; rc == APP_OK && i < res.nrows; i++)
        cJSON_AddItemToArray(list, activity_view_day_item(r, &res, i));
    if (rc == APP_OK && team)
        rc = rep_choices(r, m, f.rep_id);
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
