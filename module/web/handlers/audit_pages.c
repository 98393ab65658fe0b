/*
 * audit_pages.c -- shelf audit pages and API (audit_pages.h).
 */
#include "web/handlers/audit_pages.h"

#include <stdio.h>
#include <string.h>

#include "base/num.h"
#include "base/validate.h"
#include "http/router.h"
#include "sales/activities.h"
#include "sales/audits.h"
#include "sales/products.h"
#include "web/api_json.h"
#include "web/view.h"

#define ROWS_SHOWN 5 /* empty rows of the form */

/* The fields of a line, as the form names them with "_<row>". */
static const char *const LINE_FIELDS[] = { "sku",      "product", "facings",
                                           "position", "price",   "note",
                                           NULL };

/* Whether row n of the form was filled in at all. */
static bool
row_sent(struct req *r, const struct kvlist *f, size_t n)
{
    size_t i;

    for (i = 0; LINE_FIELDS[i] != NULL; i++) {
        const struct str *v =
            kv_get(f, arena_printf(r->a, "%s_%zu", LINE_FIELDS[i], n));

        if (v != NULL && str_trim(*v).len > 0 &&
            strcmp(LINE_FIELDS[i], "position") != 0)
            return true;
    }
    return false;
}

/* The lines of rows 1..AUDIT_SAVE_MAX of f (blank rows skipped). */
APP_MUST_USE static enum app_err
lines_of(struct req *r, const struct kvlist *f, size_t rows,
         struct audit_line_input **lines, size_t *n, cJSON *errors)
{
    size_t i;
    enum app_err rc = APP_OK;

    *n = 0;
    *lines = arena_calloc(r->a, AUDIT_SAVE_MAX, sizeof(**lines));
    if (*lines == NULL)
        return APP_ENOMEM;
    if (rows > AUDIT_SAVE_MAX) {
        r->cx.err_detail = "shelf.too_many_lines";
        return APP_ETOOBIG;
    }
    for (i = 1; i <= rows; i++) {
        if (!row_sent(r, f, i))
            continue;
        if (audits_check_line(&r->cx, f, arena_printf(r->a, "_%zu", i),
                              &(*lines)[*n], errors) != APP_OK)
            rc = APP_EVALIDATION;
        (*n)++;
    }
    if (rc == APP_OK && *n == 0) {
        cJSON_AddStringToObject(errors, "lines", "shelf.no_lines");
        rc = APP_EVALIDATION;
    }
    return rc;
}

/* The products to pick from (a datalist by SKU). */
APP_MUST_USE static enum app_err
add_products(struct req *r, cJSON *m)
{
    struct db_res res;
    cJSON *list = cJSON_AddArrayToObject(m, "products");
    size_t i;
    enum app_err rc =
        products_list(&r->cx, NULL, false, PRODUCTS_LIST_MAX, &res);

    for (i = 0; rc == APP_OK && list != NULL && i < res.nrows; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(list, o);
        view_add_str(o, "sku", db_text(&res, i, PR_SKU));
        view_add_str(o, "label",
                     arena_printf(r->a, "%s · %s%s", db_text(&res, i, PR_NAME),
                                  db_text(&res, i, PR_BRAND),
                                  db_int(&res, i, PR_OWN, 0) == 1
                                      ? http_t(r, "shelf.own_mark")
                                      : ""));
    }
    return rc;
}

/* The rows of the form, with what was sent and each row's problems. */
static void
add_rows(struct req *r, cJSON *m, size_t rows, const cJSON *errors)
{
    cJSON *list = cJSON_AddArrayToObject(m, "rows");
    size_t n, k;

    for (n = 1; list != NULL && n <= rows; n++) {
        cJSON *o = cJSON_CreateObject(), *errs;
        const struct str *pos =
            kv_get(&r->form, arena_printf(r->a, "position_%zu", n));

        cJSON_AddItemToArray(list, o);
        cJSON_AddNumberToObject(o, "n", (double)n);
        for (k = 0; LINE_FIELDS[k] != NULL; k++) {
            const struct str *v = kv_get(
                &r->form, arena_printf(r->a, "%s_%zu", LINE_FIELDS[k], n));

            view_add_str(o, LINE_FIELDS[k], v != NULL ? v->p : "");
        }
        cJSON_AddItemToObject(o, "positions",
                              view_options(r, audit_positions,
                                           "shelf.position_",
                                           pos != NULL ? pos->p : NULL));
        errs = cJSON_AddArrayToObject(o, "problems");
        for (k = 0; LINE_FIELDS[k] != NULL; k++) {
            const cJSON *e = cJSON_GetObjectItemCaseSensitive(
                errors, arena_printf(r->a, "%s_%zu", LINE_FIELDS[k], n));
            cJSON *x;

            if (e == NULL)
                continue;
            x = cJSON_CreateObject();
            cJSON_AddItemToArray(errs, x);
            view_add_str(x, "field", LINE_FIELDS[k]);
            view_add_str(x, "text", view_error_text(r, e));
        }
    }
}

/* The photos of the visit to point the audit at. */
APP_MUST_USE static enum app_err
add_photos(struct req *r, cJSON *m, int64_t visit_id)
{
    struct db_res ph;
    cJSON *list = cJSON_AddArrayToObject(m, "photos");
    size_t i;
    enum app_err rc = visits_photos(&r->cx, visit_id, &ph);

    for (i = 0; rc == APP_OK && list != NULL && i < ph.nrows; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(list, o);
        cJSON_AddNumberToObject(o, "id", (double)db_int(&ph, i, 0, 0));
        view_add_str(o, "key", db_text(&ph, i, 1));
        cJSON_AddNumberToObject(o, "file_id", (double)db_int(&ph, i, 2, 0));
        cJSON_AddBoolToObject(o, "shelf",
                              strcmp(db_text(&ph, i, 1), "shelf") == 0);
    }
    return rc;
}

/* The audit form of a visit (status; errors of a refused post). */
APP_MUST_USE static enum app_err
form_page(struct req *r, int status, int64_t visit_id, size_t rows,
          cJSON *errors)
{
    struct db_res v;
    int64_t audit_id = 0;
    cJSON *m, *o;
    enum app_err rc = activities_get(&r->cx, visit_id, &v);

    if (rc == APP_OK && strcmp(db_text(&v, 0, AC_KIND), "visit") != 0)
        rc = APP_ENOTFOUND;
    if (rc == APP_OK)
        rc = audits_of_visit(&r->cx, visit_id, &audit_id);
    if (rc != APP_OK)
        return rc;
    if ((m = view_new(r)) == NULL ||
        (o = cJSON_AddObjectToObject(m, "visit")) == NULL)
        return APP_ENOMEM;
    cJSON_AddNumberToObject(o, "id", (double)visit_id);
    view_add_str(o, "customer_name", db_text(&v, 0, AC_CUSTOMER_NAME));
    if (audit_id > 0)
        cJSON_AddNumberToObject(m, "audit_id", (double)audit_id);
    rc = add_products(r, m);
    if (rc == APP_OK)
        rc = add_photos(r, m, visit_id);
    add_rows(r, m, rows < ROWS_SHOWN ? ROWS_SHOWN : rows, errors);
    if (errors != NULL)
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
    return rc != APP_OK ? rc : view_page(r, status, "pages/audit_form", m);
}

enum app_err
visit_audit_form(struct req *r)
{
    return form_page(r, 200, router_param_int(r, "id"), ROWS_SHOWN, NULL);
}

/* The highest row number the form sent. */
static size_t
rows_sent(struct req *r)
{
    size_t i, top = 0;

    for (i = 0; i < r->form.n; i++) {
        const char *k = r->form.v[i].key.p, *u = strrchr(k, '_');
        int64_t n;

        if (u != NULL && parse_i64(str_c(u + 1), 1, 10000, &n) &&
            (size_t)n > top)
            top = (size_t)n;
    }
    return top;
}

enum app_err
visit_audit_save(struct req *r)
{
    static const struct field_spec spec[] = {
        { "photo", V_INT, false, 0, INT64_MAX, NULL },
    };
    struct field_val v[1];
    struct audit_line_input *lines;
    struct db_res visit;
    cJSON *errors = view_errors(r);
    int64_t id = router_param_int(r, "id"), audit_id;
    size_t n, rows = rows_sent(r);
    enum app_err rc = activities_get(&r->cx, id, &visit);

    if (rc != APP_OK)
        return rc;
    if (errors == NULL)
        return APP_ENOMEM;
    rc = validate_fields(&r->cx.err_detail, &r->form, spec, 1, v, errors);
    if (rc == APP_OK)
        rc = lines_of(r, &r->form, rows, &lines, &n, errors);
    if (rc == APP_OK)
        rc = audits_save(&r->cx, id, v[0].present ? v[0].i : 0, lines, n,
                         &audit_id);
    if (rc == APP_EVALIDATION) {
        if (cJSON_GetArraySize(errors) == 0 && r->cx.err_detail != NULL)
            cJSON_AddStringToObject(errors, "lines", r->cx.err_detail);
        r->cx.err_detail = NULL;
        return form_page(r, 422, id, rows, errors);
    }
    return rc != APP_OK ? rc
                        : http_redirect(r, arena_printf(r->a,
                                                        "/audits/%lld?done="
                                                        "saved",
                                                        (long long)audit_id));
}

/* Money in fen as people read it ("" for none). */
static const char *
money(struct req *r, double fen)
{
    long long f = (long long)fen;

    if (fen < 0)
        return "";
    return view_money(r, arena_printf(r->a, "%lld.%02lld", f / 100, f % 100));
}

/* A number with its sign ("+3", "-1.5", "0"). */
static const char *
signed_num(struct req *r, double x)
{
    return arena_printf(r->a, x > 0 ? "+%g" : "%g", x);
}

/* What the page shows beyond the summary: labels and money. */
static void
decorate(struct req *r, cJSON *s)
{
    cJSON *it, *ch = cJSON_GetObjectItem(s, "change");

    cJSON_ArrayForEach(it, cJSON_GetObjectItem(s, "lines"))
    {
        const cJSON *p = cJSON_GetObjectItem(it, "price_fen");

        view_add_str(
            it, "position_label",
            http_t(r, arena_printf(r->a, "shelf.position_%s",
                                   cJSON_GetStringValue(
                                       cJSON_GetObjectItem(it, "position")))));
        view_add_str(it, "price_text",
                     cJSON_IsNumber(p) ? money(r, p->valuedouble) : "");
    }
    cJSON_ReplaceItemInObject(
        s, "at",
        cJSON_CreateString(
            view_local(r, cJSON_GetStringValue(cJSON_GetObjectItem(s, "at")))));
    if (!cJSON_IsObject(ch))
        return;
    view_add_str(ch, "delta_text",
                 signed_num(r, cJSON_GetNumberValue(
                                   cJSON_GetObjectItem(ch, "own_pct_delta"))));
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(ch, "products"))
    {
        view_add_str(it, "delta_text",
                     signed_num(r, cJSON_GetNumberValue(
                                       cJSON_GetObjectItem(it, "delta"))));
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(ch, "prices"))
    {
        view_add_str(it, "before_text",
                     money(r, cJSON_GetNumberValue(
                                  cJSON_GetObjectItem(it, "before_fen"))));
        view_add_str(it, "after_text",
                     money(r, cJSON_GetNumberValue(
                                  cJSON_GetObjectItem(it, "after_fen"))));
    }
}

enum app_err
audit_show(struct req *r)
{
    static const char *const done[] = { "saved", NULL };
    cJSON *m, *s = NULL;
    enum app_err rc = audits_summary(&r->cx, router_param_int(r, "id"), &s);

    if (rc != APP_OK)
        return rc;
    if ((m = view_new(r)) == NULL) {
        cJSON_Delete(s);
        return APP_ENOMEM;
    }
    decorate(r, s);
    cJSON_AddItemToObject(m, "a", s);
    view_done(r, m, "shelf.done_%s", done);
    return view_page(r, 200, "pages/audit", m);
}

/* --- the JSON API --------------------------------------------------------- */

/* The body's lines as the form's fields ("facings_2" ...). */
APP_MUST_USE static enum app_err
fields_of(struct req *r, struct kvlist *f, size_t *rows)
{
    const cJSON *line, *lines = cJSON_GetObjectItem(r->json, "lines");
    enum app_err rc = api_fields(r, f);

    *rows = 0;
    if (rc == APP_OK && !cJSON_IsArray(lines)) {
        r->cx.err_detail = "shelf.no_lines";
        return APP_EVALIDATION;
    }
    cJSON_ArrayForEach(line, lines)
    {
        const cJSON *m;

        if (rc != APP_OK)
            break;
        if (++*rows > AUDIT_SAVE_MAX) {
            r->cx.err_detail = "shelf.too_many_lines";
            return APP_ETOOBIG;
        }
        cJSON_ArrayForEach(m, line)
        {
            const char *v = cJSON_IsString(m) ? m->valuestring
                            : cJSON_IsNumber(m)
                                ? arena_printf(r->a, "%.15g", m->valuedouble)
                                : NULL;

            if (v != NULL && m->string != NULL && rc == APP_OK)
                rc = kv_add(
                    r->a, f,
                    str_c(arena_printf(r->a, "%s_%zu", m->string, *rows)),
                    str_c(v));
        }
    }
    return rc;
}

APP_MUST_USE static enum app_err
send_summary(struct req *r, int status, int64_t id)
{
    cJSON *s = NULL;
    enum app_err rc = audits_summary(&r->cx, id, &s);

    return rc != APP_OK ? rc : api_send(r, status, s);
}

enum app_err
api_visit_audit(struct req *r)
{
    static const struct field_spec spec[] = {
        { "photo_id", V_INT, false, 0, INT64_MAX, NULL },
    };
    struct field_val v[1];
    struct audit_line_input *lines;
    struct kvlist f;
    struct db_res visit;
    cJSON *errors = view_errors(r);
    int64_t id = router_param_int(r, "id"), audit_id;
    size_t n, rows;
    enum app_err rc = activities_get(&r->cx, id, &visit);

    if (rc != APP_OK)
        return rc;
    if (errors == NULL)
        return APP_ENOMEM;
    rc = fields_of(r, &f, &rows);
    if (rc == APP_OK)
        rc = validate_fields(&r->cx.err_detail, &f, spec, 1, v, errors);
    if (rc == APP_OK)
        rc = lines_of(r, &f, rows, &lines, &n, errors);
    if (rc == APP_EVALIDATION && cJSON_GetArraySize(errors) > 0) {
        r->cx.err_detail = NULL;
        return api_invalid(r, errors);
    }
    if (rc == APP_OK)
        rc = audits_save(&r->cx, id, v[0].present ? v[0].i : 0, lines, n,
                         &audit_id);
    return rc != APP_OK ? rc : send_summary(r, 201, audit_id);
}

enum app_err
api_audit(struct req *r)
{
    return send_summary(r, 200, router_param_int(r, "id"));
}

enum app_err
api_audits(struct req *r)
{
    static const struct field_spec spec[] = {
        { "customer", V_INT, false, 1, INT64_MAX, NULL },
        { "limit", V_INT, false, 1, AUDIT_LIST_MAX, NULL },
    };
    struct field_val v[2];
    struct db_res res;
    cJSON *o, *list;
    size_t i;
    enum app_err rc =
        validate_fields(&r->cx.err_detail, &r->query_args, spec, 2, v, NULL);

    if (rc == APP_OK)
        rc = audits_list(&r->cx, v[0].present ? v[0].i : 0,
                         v[1].present ? (size_t)v[1].i : 50, &res);
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    list = o != NULL ? cJSON_AddArrayToObject(o, "audits") : NULL;
    for (i = 0; list != NULL && i < res.nrows; i++) {
        cJSON *x = cJSON_CreateObject();

        cJSON_AddItemToArray(list, x);
        cJSON_AddNumberToObject(x, "id", (double)db_int(&res, i, AU_ID, 0));
        cJSON_AddNumberToObject(x, "visit_id",
                                (double)db_int(&res, i, AU_VISIT_ID, 0));
        cJSON_AddNumberToObject(x, "customer_id",
                                (double)db_int(&res, i, AU_CUSTOMER_ID, 0));
        cJSON_AddStringToObject(x, "customer_name",
                                db_text(&res, i, AU_CUSTOMER_NAME));
        cJSON_AddNumberToObject(x, "rep_id",
                                (double)db_int(&res, i, AU_REP_ID, 0));
        cJSON_AddStringToObject(x, "at", db_text(&res, i, AU_AT));
    }
    return api_send(r, 200, list != NULL ? o : (cJSON_Delete(o), NULL));
}
