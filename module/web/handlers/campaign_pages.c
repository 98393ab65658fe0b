/*
 * campaign_pages.c -- new-product campaigns' pages and API
 * (campaign_pages.h).
 */
#include "web/handlers/campaign_pages.h"

#include <string.h>

#include "base/buf.h"
#include "http/router.h"
#include "sales/campaigns.h"
#include "sales/products.h"
#include "web/api_json.h"
#include "web/view.h"

/* One campaign row as JSON. */
static cJSON *
campaign_json(const struct db_res *res, size_t i)
{
    cJSON *o = cJSON_CreateObject(), *p;

    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)db_int(res, i, CA_ID, 0));
    p = cJSON_AddObjectToObject(o, "product");
    cJSON_AddNumberToObject(p, "id", (double)db_int(res, i, CA_PRODUCT_ID, 0));
    cJSON_AddStringToObject(p, "sku", db_text(res, i, CA_SKU));
    cJSON_AddStringToObject(p, "name", db_text(res, i, CA_PRODUCT_NAME));
    cJSON_AddStringToObject(o, "name", db_text(res, i, CA_NAME));
    cJSON_AddStringToObject(o, "launch_on", db_text(res, i, CA_LAUNCH_ON));
    cJSON_AddBoolToObject(o, "all_stores",
                          db_int(res, i, CA_ALL_STORES, 0) == 1);
    cJSON_AddStringToObject(o, "note", db_text(res, i, CA_NOTE));
    cJSON_AddBoolToObject(o, "active", db_int(res, i, CA_ACTIVE, 0) == 1);
    cJSON_AddNumberToObject(o, "stores_count",
                            (double)db_int(res, i, CA_NSTORES, 0));
    cJSON_AddNumberToObject(o, "files_count",
                            (double)db_int(res, i, CA_NFILES, 0));
    return o;
}

/* The campaign with its targeted stores (codes in scope) and files. */
APP_MUST_USE static enum app_err
full_json(struct req *r, int64_t id, cJSON **out)
{
    struct db_res c, s, f;
    cJSON *o, *codes, *files;
    size_t i;
    enum app_err rc = campaigns_get(&r->cx, id, &c);

    *out = NULL;
    if (rc == APP_OK)
        rc = campaigns_stores(&r->cx, id, &s);
    if (rc == APP_OK)
        rc = campaigns_files(&r->cx, id, &f);
    if (rc != APP_OK)
        return rc;
    o = campaign_json(&c, 0);
    codes = o != NULL ? cJSON_AddArrayToObject(o, "stores") : NULL;
    files = o != NULL ? cJSON_AddArrayToObject(o, "files") : NULL;
    if (codes == NULL || files == NULL) {
        cJSON_Delete(o);
        return APP_ENOMEM;
    }
    for (i = 0; i < s.nrows; i++)
        cJSON_AddItemToArray(codes, cJSON_CreateString(db_text(&s, i, 1)));
    for (i = 0; i < f.nrows; i++) {
        cJSON *x = cJSON_CreateObject();

        cJSON_AddItemToArray(files, x);
        cJSON_AddNumberToObject(x, "id", (double)db_int(&f, i, 0, 0));
        cJSON_AddStringToObject(x, "name", db_text(&f, i, 1));
        cJSON_AddStringToObject(x, "mime", db_text(&f, i, 2));
        cJSON_AddNumberToObject(x, "size", (double)db_int(&f, i, 3, 0));
        cJSON_AddStringToObject(
            x, "url",
            arena_printf(r->a, "/files/%lld", (long long)db_int(&f, i, 0, 0)));
    }
    *out = o;
    return APP_OK;
}

enum app_err
campaigns_index(struct req *r)
{
    static const char *const done[] = { "created", NULL };
    struct db_res res;
    cJSON *m, *list;
    size_t i;
    enum app_err rc = campaigns_list(&r->cx, true, CAMPAIGNS_LIST_MAX, &res);

    if (rc != APP_OK)
        return rc;
    m = view_new(r);
    if (m == NULL || (list = cJSON_AddArrayToObject(m, "items")) == NULL)
        return APP_ENOMEM;
    for (i = 0; i < res.nrows; i++)
        cJSON_AddItemToArray(list, campaign_json(&res, i));
    cJSON_AddBoolToObject(m, "none", res.nrows == 0);
    cJSON_AddBoolToObject(m, "may_write", campaigns_may_write(r->cx.role));
    view_done(r, m, "campaigns.done_%s", done);
    return view_page(r, 200, "pages/campaigns", m);
}

/* The active products as the form's choices. */
static cJSON *
products_of(struct req *r, const char *selected)
{
    struct db_res res;
    cJSON *a = cJSON_CreateArray();
    size_t i;

    if (a == NULL ||
        products_list(&r->cx, "", false, PRODUCTS_LIST_MAX, &res) != APP_OK)
        return a;
    for (i = 0; i < res.nrows; i++) {
        cJSON *o = cJSON_CreateObject();
        const char *sku = db_text(&res, i, PR_SKU);

        cJSON_AddItemToArray(a, o);
        view_add_str(o, "value", sku);
        view_add_str(
            o, "label",
            arena_printf(r->a, "%s · %s%s%s", sku, db_text(&res, i, PR_NAME),
                         db_text(&res, i, PR_LAUNCH_ON)[0] != '\0' ? " · " : "",
                         db_text(&res, i, PR_LAUNCH_ON)));
        cJSON_AddBoolToObject(o, "selected",
                              selected != NULL && strcmp(sku, selected) == 0);
    }
    return a;
}

/* The new (id 0) or edit form with the stored or submitted values. */
APP_MUST_USE static enum app_err
form_page(struct req *r, int status, int64_t id, cJSON *errors)
{
    static const char *const done[] = { "created", "saved", "file_added",
                                        "file_removed", NULL };
    cJSON *m = view_new(r), *v, *c = NULL;
    const char *sku = "";
    bool all = true, active = true;
    enum app_err rc = APP_OK;

    if (m == NULL || (v = cJSON_AddObjectToObject(m, "v")) == NULL)
        return APP_ENOMEM;
    if (id != 0) {
        rc = full_json(r, id, &c);
        if (rc != APP_OK)
            return rc;
        cJSON_AddItemToObject(m, "campaign", c);
    }
    if (errors != NULL) {
        const struct str *a = kv_get(&r->form, "all_stores");
        const struct str *on = kv_get(&r->form, "active");
        size_t k;

        for (k = 0; k < r->form.n; k++)
            view_add_str(v, r->form.v[k].key.p, r->form.v[k].val.p);
        if (kv_get(&r->form, "product") != NULL)
            sku = arena_str(r->a, *kv_get(&r->form, "product")).p;
        all = a == NULL || str_eq_c(*a, "1");
        active = on == NULL || str_eq_c(*on, "1");
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
    } else if (c != NULL) {
        struct buf codes;
        const cJSON *s;

        buf_init(&codes, r->a, CAMPAIGN_STORES_TEXT_MAX);
        cJSON_ArrayForEach(s, cJSON_GetObjectItem(c, "stores"))
        {
            if (buf_append(&codes, s->valuestring, strlen(s->valuestring)) !=
                    APP_OK ||
                buf_putc(&codes, '\n') != APP_OK)
                break;
        }
        view_add_str(v, "name",
                     cJSON_GetStringValue(cJSON_GetObjectItem(c, "name")));
        view_add_str(v, "launch_on",
                     cJSON_GetStringValue(cJSON_GetObjectItem(c, "launch_on")));
        view_add_str(v, "note",
                     cJSON_GetStringValue(cJSON_GetObjectItem(c, "note")));
        view_add_str(v, "stores", arena_strndup(r->a, codes.p, codes.len));
        sku = cJSON_GetStringValue(
            cJSON_GetObjectItem(cJSON_GetObjectItem(c, "product"), "sku"));
        all = cJSON_IsTrue(cJSON_GetObjectItem(c, "all_stores"));
        active = cJSON_IsTrue(cJSON_GetObjectItem(c, "active"));
    }
    cJSON_AddItemToObject(m, "products", products_of(r, sku));
    cJSON_AddBoolToObject(m, "all_selected", all);
    cJSON_AddBoolToObject(m, "active_selected", active);
    cJSON_AddBoolToObject(m, "editing", id != 0);
    view_done(r, m, "campaigns.done_%s", done);
    return view_page(r, status, "pages/campaign_form", m);
}

enum app_err
campaigns_new(struct req *r)
{
    return form_page(r, 200, 0, NULL);
}

APP_MUST_USE static enum app_err
save(struct req *r, int64_t id)
{
    struct campaign_input in;
    cJSON *errors = view_errors(r);
    int64_t made = id;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = campaigns_check(&r->cx, &r->form, &in, errors);
    if (rc == APP_OK)
        rc = id == 0 ? campaigns_create(&r->cx, &in, &made)
                     : campaigns_update(&r->cx, id, &in);
    if (rc == APP_ECONFLICT) {
        cJSON_AddStringToObject(errors, "launch_on", "campaign.taken");
        rc = APP_EVALIDATION;
    }
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return form_page(r, 422, id, errors);
    }
    return rc != APP_OK
               ? rc
               : http_redirect(r, arena_printf(r->a,
                                               "/campaigns/%lld/edit?done=%s",
                                               (long long)made,
                                               id == 0 ? "created" : "saved"));
}

enum app_err
campaigns_create_page(struct req *r)
{
    return save(r, 0);
}

enum app_err
campaign_edit(struct req *r)
{
    return form_page(r, 200, router_param_int(r, "id"), NULL);
}

enum app_err
campaign_update_page(struct req *r)
{
    struct db_res c;
    int64_t id = router_param_int(r, "id");
    enum app_err rc = campaigns_get(&r->cx, id, &c);

    return rc != APP_OK ? rc : save(r, id);
}

enum app_err
campaign_file_page(struct req *r)
{
    const struct upload *u = view_file(r, "file");
    int64_t id = router_param_int(r, "id"), fid;
    struct db_res c;
    enum app_err rc = campaigns_get(&r->cx, id, &c);

    if (rc != APP_OK)
        return rc;
    if (u == NULL) {
        r->cx.err_detail = "campaign.no_file";
        return APP_EVALIDATION;
    }
    rc = campaigns_file_add(&r->cx, id, u, &fid);
    return rc != APP_OK ? rc
                        : http_redirect(r, arena_printf(r->a,
                                                        "/campaigns/%lld/"
                                                        "edit?done=file_added",
                                                        (long long)id));
}

enum app_err
campaign_file_remove_page(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    enum app_err rc =
        campaigns_file_remove(&r->cx, id, router_param_int(r, "file"));

    return rc != APP_OK
               ? rc
               : http_redirect(r, arena_printf(r->a,
                                               "/campaigns/%lld/"
                                               "edit?done=file_removed",
                                               (long long)id));
}

/* --- the JSON API ------------------------------------------------------- */

enum app_err
api_campaigns(struct req *r)
{
    struct db_res res;
    cJSON *o, *list;
    size_t i;
    enum app_err rc = campaigns_list(&r->cx, true, CAMPAIGNS_LIST_MAX, &res);

    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    list = o != NULL ? cJSON_AddArrayToObject(o, "campaigns") : NULL;
    for (i = 0; list != NULL && i < res.nrows; i++)
        cJSON_AddItemToArray(list, campaign_json(&res, i));
    return api_send(r, 200, list != NULL ? o : (cJSON_Delete(o), NULL));
}

enum app_err
api_campaign(struct req *r)
{
    cJSON *o;
    enum app_err rc = full_json(r, router_param_int(r, "id"), &o);

    return rc != APP_OK ? rc : api_send(r, 200, o);
}

enum app_err
api_campaign_create(struct req *r)
{
    struct campaign_input in;
    struct kvlist f;
    cJSON *errors = view_errors(r), *o;
    const cJSON *stores =
        r->json != NULL ? cJSON_GetObjectItemCaseSensitive(r->json, "stores")
                        : NULL;
    int64_t id;
    enum app_err rc = errors != NULL ? api_fields(r, &f) : APP_ENOMEM;

    /* A JSON list of store codes reads as the form's text. */
    if (rc == APP_OK && cJSON_IsArray(stores)) {
        const cJSON *e;
        struct buf codes;

        buf_init(&codes, r->a, CAMPAIGN_STORES_TEXT_MAX);
        cJSON_ArrayForEach(e, stores)
        {
            if (cJSON_IsString(e) &&
                (buf_append(&codes, e->valuestring, strlen(e->valuestring)) !=
                     APP_OK ||
                 buf_putc(&codes, '\n') != APP_OK))
                rc = APP_ETOOBIG;
        }
        if (rc == APP_OK)
            rc = kv_add(
                r->a, &f, STR_LIT("stores"),
                (struct str){ codes.p != NULL ? codes.p : "", codes.len });
    }
    if (rc == APP_OK)
        rc = campaigns_check(&r->cx, &f, &in, errors);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return api_invalid(r, errors);
    }
    if (rc == APP_OK)
        rc = campaigns_create(&r->cx, &in, &id);
    if (rc == APP_OK)
        rc = full_json(r, id, &o);
    return rc != APP_OK ? rc : api_send(r, 201, o);
}
