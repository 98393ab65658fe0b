/*
 * store_pages.c -- the store network's pages and API (store_pages.h).
 */
#include "web/handlers/store_pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/validate.h"
#include "http/app.h"
#include "http/router.h"
#include "identity/role.h"
#include "sales/stores.h"
#include "web/api_json.h"
#include "web/view.h"

#define PAGE_MAX 500

static const char *const FORMAT_VALUES[] = { "direct", "franchise", NULL };

static bool
may_write(const struct req *r)
{
    return (r->cx.role & (ROLE_ADMIN | ROLE_MANAGER)) != 0;
}

static void
add_num_or_null(cJSON *o, const char *key, const char *text)
{
    if (text == NULL || text[0] == '\0')
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddNumberToObject(o, key, strtod(text, NULL));
}

/* One store row as JSON (the API's shape; the pages add labels). */
static cJSON *
store_json(const struct db_res *res, size_t i)
{
    cJSON *o = cJSON_CreateObject(), *mgrs;
    const char *m = db_text(res, i, ST_MANAGERS);

    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)db_int(res, i, ST_ID, 0));
    cJSON_AddStringToObject(o, "code", db_text(res, i, ST_CODE));
    cJSON_AddStringToObject(o, "name", db_text(res, i, ST_NAME));
    cJSON_AddStringToObject(o, "address", db_text(res, i, ST_ADDRESS));
    add_num_or_null(o, "lat", db_text(res, i, ST_LAT));
    add_num_or_null(o, "lng", db_text(res, i, ST_LNG));
    cJSON_AddStringToObject(o, "region", db_text(res, i, ST_REGION));
    if (db_int(res, i, ST_SUPERVISOR_ID, 0) != 0) {
        cJSON *s = cJSON_AddObjectToObject(o, "supervisor");

        cJSON_AddNumberToObject(s, "id",
                                (double)db_int(res, i, ST_SUPERVISOR_ID, 0));
        cJSON_AddStringToObject(s, "login",
                                db_text(res, i, ST_SUPERVISOR_LOGIN));
        cJSON_AddStringToObject(s, "name", db_text(res, i, ST_SUPERVISOR_NAME));
    } else {
        cJSON_AddNullToObject(o, "supervisor");
    }
    cJSON_AddStringToObject(o, "format", db_text(res, i, ST_FORMAT));
    cJSON_AddStringToObject(o, "opened_on", db_text(res, i, ST_OPENED));
    cJSON_AddStringToObject(o, "closed_on", db_text(res, i, ST_CLOSED));
    cJSON_AddBoolToObject(o, "open", db_int(res, i, ST_OPEN, 0) == 1);
    cJSON_AddNumberToObject(o, "customer_id",
                            (double)db_int(res, i, ST_CUSTOMER, 0));
    mgrs = cJSON_AddArrayToObject(o, "managers");
    while (mgrs != NULL && m != NULL && m[0] != '\0') {
        const char *comma = strchr(m, ',');
        size_t n = comma != NULL ? (size_t)(comma - m) : strlen(m);
        char login[80];

        snprintf(login, sizeof(login), "%.*s", (int)n, m);
        cJSON_AddItemToArray(mgrs, cJSON_CreateString(login));
        m = comma != NULL ? comma + 1 : NULL;
    }
    return o;
}

/* The list filters: q, region, supervisor, active (""/1/0), limit. */
APP_MUST_USE static enum app_err
filter_of(struct req *r, struct store_filter *f, int64_t *limit)
{
    static const char *const actives[] = { "", "1", "0", NULL };
    static const struct field_spec spec[] = {
        { "q", V_LINE, false, 0, STORE_Q_MAX, NULL },
        { "region", V_LINE, false, 0, STORE_REGION_MAX, NULL },
        { "supervisor", V_INT, false, 0, INT64_MAX, NULL },
        { "active", V_ENUM, false, 0, 0, actives },
        { "limit", V_INT, false, 1, STORES_LIST_MAX, NULL },
    };
    struct field_val v[5];
    enum app_err rc =
        validate_fields(&r->cx.err_detail, &r->query_args, spec, 5, v, NULL);

    memset(f, 0, sizeof(*f));
    f->q = v[0].present ? arena_str(r->a, v[0].s).p : "";
    f->region = v[1].present ? arena_str(r->a, v[1].s).p : "";
    f->supervisor = v[2].present ? v[2].i : 0;
    f->active = !v[3].present || v[3].i == 0 ? -1 : v[3].i == 1 ? 1 : 0;
    *limit = v[4].present ? v[4].i : 0;
    return rc;
}

/* Options of a select from rows (value column, label column). */
static cJSON *
options_of(struct req *r, const struct db_res *res, size_t vcol, size_t lcol,
           const char *selected)
{
    cJSON *a = cJSON_CreateArray();
    size_t i;

    for (i = 0; a != NULL && i < res->nrows; i++) {
        cJSON *o = cJSON_CreateObject();
        const char *v = db_text(res, i, vcol);

        cJSON_AddItemToArray(a, o);
        view_add_str(o, "value", v);
        view_add_str(o, "label", db_text(res, i, lcol));
        cJSON_AddBoolToObject(o, "selected",
                              selected != NULL && strcmp(v, selected) == 0);
    }
    (void)r;
    return a;
}

/* The list page (status, with the import's problems when refused). */
APP_MUST_USE static enum app_err
list_page(struct req *r, int status)
{
    static const char *const done[] = { "created", "saved",    "imported",
                                        "closed",  "reopened", NULL };
    struct store_filter f;
    struct db_res res, regions, sups;
    int64_t limit;
    cJSON *m, *list;
    size_t i;
    enum app_err rc = filter_of(r, &f, &limit);

    if (rc == APP_OK)
        rc =
            stores_list(&r->cx, &f, limit > 0 ? (size_t)limit : PAGE_MAX, &res);
    if (rc == APP_OK)
        rc = stores_regions(&r->cx, &regions);
    if (rc == APP_OK)
        rc = stores_supervisors(&r->cx, &sups);
    if (rc != APP_OK)
        return rc;
    m = view_new(r);
    if (m == NULL || (list = cJSON_AddArrayToObject(m, "items")) == NULL)
        return APP_ENOMEM;
    for (i = 0; i < res.nrows; i++) {
        cJSON *o = store_json(&res, i);

        cJSON_AddItemToArray(list, o);
        view_add_str(o, "format_label",
                     http_t(r, arena_printf(r->a, "stores.format.%s",
                                            db_text(&res, i, ST_FORMAT))));
        view_add_str(o, "supervisor_name",
                     db_text(&res, i, ST_SUPERVISOR_NAME));
    }
    view_add_str(m, "q", f.q);
    cJSON_AddItemToObject(m, "regions",
                          options_of(r, &regions, 0, 0, f.region));
    cJSON_AddItemToObject(
        m, "supervisors",
        options_of(r, &sups, 0, 2,
                   f.supervisor != 0
                       ? arena_printf(r->a, "%lld", (long long)f.supervisor)
                       : NULL));
    cJSON_AddBoolToObject(m, "active_open", f.active == 1);
    cJSON_AddBoolToObject(m, "active_closed", f.active == 0);
    cJSON_AddBoolToObject(m, "none", res.nrows == 0);
    cJSON_AddBoolToObject(m, "may_write", may_write(r));
    view_done(r, m, "stores.done_%s", done);
    return view_page(r, status, "pages/stores", m);
}

enum app_err
stores_index(struct req *r)
{
    return list_page(r, 200);
}

/* The form (new: id 0), with the stored or submitted values. */
APP_MUST_USE static enum app_err
form_page(struct req *r, int status, int64_t id, const struct db_res *res,
          cJSON *errors)
{
    static const char *const done[] = { "created", "saved", "closed",
                                        "reopened", NULL };
    struct db_res sups;
    cJSON *m = view_new(r), *v;
    const char *sup = "", *format = "direct";
    enum app_err rc = stores_supervisors(&r->cx, &sups);

    if (rc != APP_OK)
        return rc;
    if (m == NULL || (v = cJSON_AddObjectToObject(m, "v")) == NULL)
        return APP_ENOMEM;
    /* The submitted store when it was the form's (a refused close
     * submits only its day: the form shows the stored store). */
    if (errors != NULL && kv_get(&r->form, "code") != NULL) {
        size_t k;

        for (k = 0; k < r->form.n; k++)
            view_add_str(v, r->form.v[k].key.p, r->form.v[k].val.p);
        sup = kv_get(&r->form, "supervisor") != NULL
                  ? arena_str(r->a, *kv_get(&r->form, "supervisor")).p
                  : "";
        format = kv_get(&r->form, "format") != NULL
                     ? arena_str(r->a, *kv_get(&r->form, "format")).p
                     : "direct";
    } else if (res != NULL) {
        const char *mg = db_text(res, 0, ST_MANAGERS);

        view_add_str(v, "code", db_text(res, 0, ST_CODE));
        view_add_str(v, "name", db_text(res, 0, ST_NAME));
        view_add_str(v, "address", db_text(res, 0, ST_ADDRESS));
        view_add_str(v, "lat", db_text(res, 0, ST_LAT));
        view_add_str(v, "lng", db_text(res, 0, ST_LNG));
        view_add_str(v, "region", db_text(res, 0, ST_REGION));
        view_add_str(v, "opened_on", db_text(res, 0, ST_OPENED));
        view_add_str(v, "closed_on", db_text(res, 0, ST_CLOSED));
        view_add_str(v, "managers", mg);
        sup = db_text(res, 0, ST_SUPERVISOR_LOGIN);
        format = db_text(res, 0, ST_FORMAT);
    }
    if (errors != NULL)
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
    cJSON_AddItemToObject(m, "supervisors", options_of(r, &sups, 1, 2, sup));
    cJSON_AddItemToObject(
        m, "formats", view_options(r, FORMAT_VALUES, "stores.format.", format));
    if (id != 0 && res != NULL) {
        cJSON *s = store_json(res, 0);

        cJSON_AddItemToObject(m, "store", s);
        cJSON_AddBoolToObject(m, "has_customer",
                              db_int(res, 0, ST_CUSTOMER, 0) != 0);
    }
    cJSON_AddBoolToObject(m, "editing", id != 0);
    view_done(r, m, "stores.done_%s", done);
    return view_page(r, status, "pages/store_form", m);
}

enum app_err
stores_new(struct req *r)
{
    return form_page(r, 200, 0, NULL, NULL);
}

enum app_err
stores_create_page(struct req *r)
{
    struct store_input in;
    cJSON *errors = view_errors(r);
    int64_t id = 0;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = stores_check(&r->cx, &r->form, &in, errors);
    if (rc == APP_OK)
        rc = stores_create(&r->cx, &in, &id);
    if (rc == APP_ECONFLICT) {
        cJSON_AddStringToObject(errors, "code", "store.code_taken");
        rc = APP_EVALIDATION;
    }
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return form_page(r, 422, 0, NULL, errors);
    }
    return rc != APP_OK ? rc
                        : http_redirect(r, arena_printf(r->a,
                                                        "/stores/%lld/edit?"
                                                        "done=created",
                                                        (long long)id));
}

enum app_err
store_edit(struct req *r)
{
    struct db_res res;
    int64_t id = router_param_int(r, "id");
    enum app_err rc = stores_get(&r->cx, id, &res);

    return rc != APP_OK ? rc : form_page(r, 200, id, &res, NULL);
}

enum app_err
store_update_page(struct req *r)
{
    struct store_input in;
    struct db_res res;
    cJSON *errors = view_errors(r);
    int64_t id = router_param_int(r, "id");
    enum app_err rc = stores_get(&r->cx, id, &res);

    if (rc != APP_OK)
        return rc;
    if (errors == NULL)
        return APP_ENOMEM;
    rc = stores_check(&r->cx, &r->form, &in, errors);
    if (rc == APP_OK)
        rc = stores_update(&r->cx, id, &in);
    if (rc == APP_ECONFLICT) {
        cJSON_AddStringToObject(errors, "code", "store.code_taken");
        rc = APP_EVALIDATION;
    }
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return form_page(r, 422, id, &res, errors);
    }
    return rc != APP_OK ? rc
                        : http_redirect(r, arena_printf(r->a,
                                                        "/stores/%lld/edit?"
                                                        "done=saved",
                                                        (long long)id));
}

APP_MUST_USE static enum app_err
close_or_reopen(struct req *r, bool reopen)
{
    struct db_res res;
    int64_t id = router_param_int(r, "id");
    const struct str *day = kv_get(&r->form, "closed_on");
    enum app_err rc = stores_get(&r->cx, id, &res);

    if (rc != APP_OK)
        return rc;
    /* Closing needs a day (an empty one would reopen). */
    if (!reopen && (day == NULL || str_trim(*day).len == 0)) {
        r->cx.err_detail = "store.bad_day";
        rc = APP_EVALIDATION;
    } else {
        rc = stores_close(&r->cx, id,
                          reopen ? NULL : arena_str(r->a, str_trim(*day)).p);
    }
    if (rc == APP_EVALIDATION) {
        cJSON *errors = view_errors(r);

        if (errors == NULL)
            return APP_ENOMEM;
        cJSON_AddStringToObject(errors, "closed_on",
                                r->cx.err_detail != NULL ? r->cx.err_detail
                                                         : "store.bad_day");
        r->cx.err_detail = NULL;
        return form_page(r, 422, id, &res, errors);
    }
    return rc != APP_OK ? rc
                        : http_redirect(
                              r, arena_printf(r->a, "/stores/%lld/edit?done=%s",
                                              (long long)id,
                                              reopen ? "reopened" : "closed"));
}

enum app_err
store_close_page(struct req *r)
{
    return close_or_reopen(r, false);
}

enum app_err
store_reopen_page(struct req *r)
{
    return close_or_reopen(r, true);
}

/* --- import and export ------------------------------------------------- */

APP_MUST_USE static enum app_err
import_page(struct req *r, int status, cJSON *problems)
{
    cJSON *m = view_new(r);

    if (m == NULL)
        return APP_ENOMEM;
    if (problems != NULL) {
        cJSON *p;

        cJSON_ArrayForEach(p, problems)
        {
            cJSON *pr = cJSON_GetObjectItem(p, "problem");

            view_add_str(p, "text", view_error_text(r, pr));
        }
        cJSON_AddItemReferenceToObject(m, "problems", problems);
        /* view_page flags only the model's own lists, not references. */
        cJSON_AddBoolToObject(m, "has_problems",
                              cJSON_GetArraySize(problems) > 0);
    }
    return view_page(r, status, "pages/stores_import", m);
}

enum app_err
stores_import_form(struct req *r)
{
    return import_page(r, 200, NULL);
}

/* Import the uploaded file: problems filled on APP_EVALIDATION. */
APP_MUST_USE static enum app_err
import_of(struct req *r, size_t *n, cJSON **problems)
{
    const struct upload *u = view_file(r, "file");

    *n = 0;
    *problems = cJSON_CreateArray();
    if (*problems == NULL)
        return APP_ENOMEM;
    if (arena_cleanup_add(r->a, (void (*)(void *))cJSON_Delete, *problems) !=
        0) {
        cJSON_Delete(*problems);
        *problems = NULL;
        return APP_ENOMEM;
    }
    if (u == NULL) {
        r->cx.err_detail = "store.import_no_file";
        return APP_EVALIDATION;
    }
    return stores_import(&r->cx, u, n, *problems);
}

enum app_err
stores_import_page(struct req *r)
{
    cJSON *problems;
    size_t n;
    enum app_err rc = import_of(r, &n, &problems);

    if (rc == APP_EVALIDATION && cJSON_GetArraySize(problems) > 0) {
        r->cx.err_detail = NULL;
        return import_page(r, 422, problems);
    }
    return rc != APP_OK ? rc : http_redirect(r, "/stores?done=imported");
}

static void
body_free(void *p)
{
    buf_free(p);
}

enum app_err
stores_export_csv(struct req *r)
{
    struct store_filter f;
    struct db_res res;
    struct csv_writer w;
    struct str cells[ST_COUNT];
    int64_t limit;
    size_t i, k;
    enum app_err rc = filter_of(r, &f, &limit);

    if (rc == APP_OK)
        rc = stores_list(&r->cx, &f, STORES_EXPORT_MAX, &res);
    if (rc == APP_OK)
        rc = view_csv_begin(r, "stores.csv", 0);
    if (rc != APP_OK)
        return rc;
    buf_init(&r->body, NULL, (size_t)r->app->conf.limits.arena_max);
    if (arena_cleanup_add(r->a, body_free, &r->body) != 0)
        return APP_ENOMEM;
    csv_writer_init(&w, &r->body, ',');
    rc = csv_write_bom(&w);
    /* The header an import reads back (stores_columns). */
    for (k = 0; stores_columns[k] != NULL; k++)
        cells[k] = str_c(stores_columns[k]);
    if (rc == APP_OK)
        rc = csv_write_record(&w, cells, k);
    for (i = 0; rc == APP_OK && i < res.nrows; i++) {
        cells[0] = db_cell(&res, i, ST_CODE);
        cells[1] = db_cell(&res, i, ST_NAME);
        cells[2] = db_cell(&res, i, ST_ADDRESS);
        cells[3] = db_cell(&res, i, ST_LAT);
        cells[4] = db_cell(&res, i, ST_LNG);
        cells[5] = db_cell(&res, i, ST_REGION);
        cells[6] = db_cell(&res, i, ST_SUPERVISOR_LOGIN);
        cells[7] = db_cell(&res, i, ST_FORMAT);
        cells[8] = db_cell(&res, i, ST_OPENED);
        cells[9] = db_cell(&res, i, ST_CLOSED);
        cells[10] = db_cell(&res, i, ST_MANAGERS);
        for (k = 0; k < 11; k++)
            if (cells[k].p == NULL)
                cells[k] = STR_LIT("");
        rc = csv_write_record(&w, cells, 11);
    }
    return rc;
}

/* --- the JSON API ------------------------------------------------------- */

APP_MUST_USE static enum app_err
send_one(struct req *r, int status, int64_t id)
{
    struct db_res res;
    enum app_err rc = stores_get(&r->cx, id, &res);

    return rc != APP_OK ? rc : api_send(r, status, store_json(&res, 0));
}

enum app_err
api_stores(struct req *r)
{
    struct store_filter f;
    struct db_res res;
    int64_t limit;
    cJSON *o, *list;
    size_t i;
    enum app_err rc = filter_of(r, &f, &limit);

    if (rc == APP_OK)
        rc = stores_list(&r->cx, &f, limit > 0 ? (size_t)limit : 100, &res);
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    list = o != NULL ? cJSON_AddArrayToObject(o, "stores") : NULL;
    for (i = 0; list != NULL && i < res.nrows; i++)
        cJSON_AddItemToArray(list, store_json(&res, i));
    return api_send(r, 200, list != NULL ? o : (cJSON_Delete(o), NULL));
}

enum app_err
api_store(struct req *r)
{
    return send_one(r, 200, router_param_int(r, "id"));
}

/* The body checked into in (APP_EVALIDATION answered already).  A JSON
 * list of managers is read as their logins. */
APP_MUST_USE static enum app_err
body_of(struct req *r, struct store_input *in, bool *answered)
{
    struct kvlist f;
    cJSON *errors = view_errors(r);
    const cJSON *mgrs =
        r->json != NULL ? cJSON_GetObjectItemCaseSensitive(r->json, "managers")
                        : NULL;
    enum app_err rc = errors != NULL ? api_fields(r, &f) : APP_ENOMEM;

    *answered = false;
    if (rc == APP_OK && cJSON_IsArray(mgrs)) {
        const cJSON *e;
        const char *all = "";

        cJSON_ArrayForEach(e, mgrs) if (cJSON_IsString(e)) all = arena_printf(
            r->a, "%s%s%s", all, all[0] != '\0' ? "," : "", e->valuestring);
        rc = all != NULL ? kv_add(r->a, &f, STR_LIT("managers"), str_c(all))
                         : APP_ENOMEM;
    }
    if (rc == APP_OK)
        rc = stores_check(&r->cx, &f, in, errors);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        *answered = true;
        return api_invalid(r, errors);
    }
    return rc;
}

enum app_err
api_store_create(struct req *r)
{
    struct store_input in;
    bool answered;
    int64_t id;
    enum app_err rc = body_of(r, &in, &answered);

    if (rc != APP_OK || answered)
        return rc;
    rc = stores_create(&r->cx, &in, &id);
    return rc != APP_OK ? rc : send_one(r, 201, id);
}

enum app_err
api_store_update(struct req *r)
{
    struct store_input in;
    struct db_res res;
    bool answered;
    int64_t id = router_param_int(r, "id");
    enum app_err rc = stores_get(&r->cx, id, &res);

    if (rc != APP_OK)
        return rc;
    rc = body_of(r, &in, &answered);
    if (rc != APP_OK || answered)
        return rc;
    rc = stores_update(&r->cx, id, &in);
    return rc != APP_OK ? rc : send_one(r, 200, id);
}
