/*
 * product_pages.c -- the product list's pages and API (product_pages.h).
 */
#include "web/handlers/product_pages.h"

#include <string.h>

#include "base/num.h"
#include "base/validate.h"
#include "http/router.h"
#include "identity/role.h"
#include "sales/products.h"
#include "web/api_json.h"
#include "web/view.h"

#define PAGE_MAX 500

static bool
may_write(const struct req *r)
{
    return (r->cx.role & (ROLE_ADMIN | ROLE_MANAGER)) != 0;
}

/* One product row as JSON. */
static cJSON *
product_json(const struct db_res *res, size_t i)
{
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)db_int(res, i, PR_ID, 0));
    cJSON_AddStringToObject(o, "sku", db_text(res, i, PR_SKU));
    cJSON_AddStringToObject(o, "name", db_text(res, i, PR_NAME));
    cJSON_AddStringToObject(o, "brand", db_text(res, i, PR_BRAND));
    cJSON_AddBoolToObject(o, "own", db_int(res, i, PR_OWN, 0) == 1);
    cJSON_AddStringToObject(o, "category", db_text(res, i, PR_CATEGORY));
    cJSON_AddBoolToObject(o, "active", db_int(res, i, PR_ACTIVE, 0) == 1);
    cJSON_AddStringToObject(o, "launch_on", db_text(res, i, PR_LAUNCH_ON));
    return o;
}

/* The list filters: q, all, limit. */
APP_MUST_USE static enum app_err
list_of(struct req *r, size_t dflt, struct db_res *res, const char **q)
{
    static const struct field_spec spec[] = {
        { "q", V_LINE, false, 0, PRODUCT_Q_MAX, NULL },
        { "all", V_BOOL, false, 0, 1, NULL },
        { "limit", V_INT, false, 1, PRODUCTS_LIST_MAX, NULL },
    };
    struct field_val v[3];
    enum app_err rc =
        validate_fields(&r->cx.err_detail, &r->query_args, spec, 3, v, NULL);

    *q = v[0].present ? arena_str(r->a, v[0].s).p : "";
    if (rc == APP_OK)
        rc = products_list(&r->cx, *q, v[1].i == 1,
                           v[2].present ? (size_t)v[2].i : dflt, res);
    return rc;
}

/* The list page (status, with the form's errors and values or import
 * problems when a post was refused). */
APP_MUST_USE static enum app_err
list_page(struct req *r, int status, cJSON *errors, cJSON *problems)
{
    static const char *const done[] = { "created", "imported", NULL };
    struct db_res res;
    const char *q;
    cJSON *m = view_new(r), *list;
    size_t i;
    enum app_err rc = list_of(r, PAGE_MAX, &res, &q);

    if (rc != APP_OK)
        return rc;
    if (m == NULL || (list = cJSON_AddArrayToObject(m, "items")) == NULL)
        return APP_ENOMEM;
    for (i = 0; i < res.nrows; i++)
        cJSON_AddItemToArray(list, product_json(&res, i));
    view_add_str(m, "q", q);
    cJSON_AddBoolToObject(m, "none", res.nrows == 0);
    cJSON_AddBoolToObject(m, "may_write", may_write(r));
    if (errors != NULL) {
        cJSON *v = cJSON_AddObjectToObject(m, "v");
        size_t k;

        const struct str *own = kv_get(&r->form, "own");

        for (k = 0; v != NULL && k < r->form.n; k++)
            view_add_str(v, r->form.v[k].key.p, r->form.v[k].val.p);
        cJSON_AddBoolToObject(v, "own_selected",
                              own != NULL && str_eq_c(*own, "own"));
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
    }
    if (problems != NULL) {
        cJSON *p;

        cJSON_ArrayForEach(p, problems)
        {
            cJSON *pr = cJSON_GetObjectItem(p, "problem");

            view_add_str(p, "text", view_error_text(r, pr));
        }
        cJSON_AddItemReferenceToObject(m, "problems", problems);
    }
    view_done(r, m, "product.done_%s", done);
    return view_page(r, status, "pages/products", m);
}

enum app_err
products_index(struct req *r)
{
    return list_page(r, 200, NULL, NULL);
}

enum app_err
products_create_page(struct req *r)
{
    struct product_input in;
    cJSON *errors = view_errors(r);
    int64_t id;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = products_check(&r->cx, &r->form, &in, errors);
    if (rc == APP_OK)
        rc = products_create(&r->cx, &in, &id);
    if (rc == APP_ECONFLICT) {
        cJSON_AddStringToObject(errors, "sku", "product.sku_taken");
        rc = APP_EVALIDATION;
    }
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return list_page(r, 422, errors, NULL);
    }
    return rc != APP_OK ? rc : http_redirect(r, "/products?done=created");
}

/* The first uploaded file named "file" (NULL: none). */
static const struct upload *
file_of(struct req *r)
{
    size_t i;

    for (i = 0; i < r->files.n; i++)
        if (str_eq_c(r->files.v[i].field, "file") && r->files.v[i].size > 0)
            return &r->files.v[i];
    return NULL;
}

/* Import the uploaded file: problems filled on APP_EVALIDATION. */
APP_MUST_USE static enum app_err
import_of(struct req *r, size_t *n, cJSON **problems)
{
    const struct upload *u = file_of(r);

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
    if (!may_write(r))
        return APP_ENOTFOUND;
    if (u == NULL) {
        r->cx.err_detail = "product.import_no_file";
        return APP_EVALIDATION;
    }
    return products_import(&r->cx, u, n, *problems);
}

enum app_err
products_import_page(struct req *r)
{
    cJSON *problems;
    size_t n;
    enum app_err rc = import_of(r, &n, &problems);

    if (rc == APP_EVALIDATION && cJSON_GetArraySize(problems) > 0) {
        r->cx.err_detail = NULL;
        return list_page(r, 422, NULL, problems);
    }
    return rc != APP_OK ? rc : http_redirect(r, "/products?done=imported");
}

/* A product's page: its fields, the edit form for those who write. */
APP_MUST_USE static enum app_err
show_page(struct req *r, int status, int64_t id, cJSON *errors)
{
    static const char *const done[] = { "saved", "deactivated", "activated",
                                        NULL };
    struct db_res res;
    cJSON *m, *p;
    enum app_err rc = products_get(&r->cx, id, &res);

    if (rc != APP_OK)
        return rc;
    if ((m = view_new(r)) == NULL || (p = product_json(&res, 0)) == NULL)
        return APP_ENOMEM;
    cJSON_AddItemToObject(m, "p", p);
    cJSON_AddBoolToObject(m, "may_write", may_write(r));
    if (errors != NULL)
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
    view_done(r, m, "product.done_%s", done);
    return view_page(r, status, "pages/product", m);
}

enum app_err
product_show(struct req *r)
{
    return show_page(r, 200, router_param_int(r, "id"), NULL);
}

enum app_err
product_update_page(struct req *r)
{
    struct product_input in;
    struct db_res res;
    cJSON *errors = view_errors(r);
    int64_t id = router_param_int(r, "id");
    enum app_err rc = products_get(&r->cx, id, &res);

    if (rc != APP_OK)
        return rc;
    if (errors == NULL)
        return APP_ENOMEM;
    rc = products_check(&r->cx, &r->form, &in, errors);
    if (rc == APP_OK)
        rc = products_update(&r->cx, id, &in);
    if (rc == APP_ECONFLICT) {
        cJSON_AddStringToObject(errors, "sku", "product.sku_taken");
        rc = APP_EVALIDATION;
    }
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return show_page(r, 422, id, errors);
    }
    return rc != APP_OK ? rc
                        : http_redirect(r, arena_printf(r->a,
                                                        "/products/%lld?done="
                                                        "saved",
                                                        (long long)id));
}

APP_MUST_USE static enum app_err
set_active(struct req *r, bool active)
{
    int64_t id = router_param_int(r, "id");
    enum app_err rc = products_set_active(&r->cx, id, active);

    return rc != APP_OK
               ? rc
               : http_redirect(
                     r,
                     arena_printf(r->a, "/products/%lld?done=%s", (long long)id,
                                  active ? "activated" : "deactivated"));
}

enum app_err
product_deactivate_page(struct req *r)
{
    return set_active(r, false);
}

enum app_err
product_activate_page(struct req *r)
{
    return set_active(r, true);
}

/* --- the JSON API --------------------------------------------------------- */

APP_MUST_USE static enum app_err
send_one(struct req *r, int status, int64_t id)
{
    struct db_res res;
    enum app_err rc = products_get(&r->cx, id, &res);

    return rc != APP_OK ? rc : api_send(r, status, product_json(&res, 0));
}

enum app_err
api_products(struct req *r)
{
    struct db_res res;
    const char *q;
    cJSON *o, *list;
    size_t i;
    enum app_err rc = list_of(r, 100, &res, &q);

    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    list = o != NULL ? cJSON_AddArrayToObject(o, "products") : NULL;
    for (i = 0; list != NULL && i < res.nrows; i++)
        cJSON_AddItemToArray(list, product_json(&res, i));
    return api_send(r, 200, list != NULL ? o : (cJSON_Delete(o), NULL));
}

enum app_err
api_product(struct req *r)
{
    return send_one(r, 200, router_param_int(r, "id"));
}

/* The body checked into in (APP_EVALIDATION answered already). */
APP_MUST_USE static enum app_err
body_of(struct req *r, struct kvlist *f, struct product_input *in,
        bool *answered)
{
    cJSON *errors = view_errors(r);
    enum app_err rc = errors != NULL ? api_fields(r, f) : APP_ENOMEM;

    *answered = false;
    if (rc == APP_OK)
        rc = products_check(&r->cx, f, in, errors);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        *answered = true;
        return api_invalid(r, errors);
    }
    return rc;
}

enum app_err
api_product_create(struct req *r)
{
    struct product_input in;
    struct kvlist f;
    bool answered;
    int64_t id;
    enum app_err rc = body_of(r, &f, &in, &answered);

    if (rc != APP_OK || answered)
        return rc;
    rc = products_create(&r->cx, &in, &id);
    return rc != APP_OK ? rc : send_one(r, 201, id);
}

enum app_err
api_product_update(struct req *r)
{
    struct product_input in;
    struct kvlist f;
    struct db_res res;
    const struct str *active;
    bool answered, on;
    int64_t id = router_param_int(r, "id");
    enum app_err rc = products_get(&r->cx, id, &res);

    if (rc != APP_OK)
        return rc;
    rc = body_of(r, &f, &in, &answered);
    if (rc != APP_OK || answered)
        return rc;
    rc = products_update(&r->cx, id, &in);
    active = kv_get(&f, "active");
    if (rc == APP_OK && active != NULL) {
        if (!parse_bool(*active, &on)) {
            r->cx.err_detail = "product.bad_active";
            return APP_EVALIDATION;
        }
        rc = products_set_active(&r->cx, id, on);
    }
    return rc != APP_OK ? rc : send_one(r, 200, id);
}

enum app_err
api_products_import(struct req *r)
{
    cJSON *problems, *o, *list;
    const cJSON *p;
    size_t n;
    enum app_err rc = import_of(r, &n, &problems);

    if (rc == APP_EVALIDATION && cJSON_GetArraySize(problems) > 0) {
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "error", "import_failed");
        cJSON_AddStringToObject(o, "message",
                                http_t(r, "product.import_failed"));
        list = cJSON_AddArrayToObject(o, "problems");
        cJSON_ArrayForEach(p, problems)
        {
            cJSON *x = cJSON_CreateObject();
            const cJSON *pr = cJSON_GetObjectItem(p, "problem");

            cJSON_AddItemToArray(list, x);
            cJSON_AddNumberToObject(
                x, "line",
                cJSON_GetNumberValue(cJSON_GetObjectItem(p, "line")));
            cJSON_AddStringToObject(
                x, "field",
                cJSON_GetStringValue(cJSON_GetObjectItem(p, "field")));
            cJSON_AddStringToObject(x, "code", view_error_key(pr));
            cJSON_AddStringToObject(x, "message", view_error_text(r, pr));
        }
        return api_send(r, 422, o);
    }
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    if (o != NULL)
        cJSON_AddNumberToObject(o, "imported", (double)n);
    return api_send(r, 200, o);
}
