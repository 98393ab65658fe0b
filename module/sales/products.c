/*
 * products.c -- the company's product list (products.h).
 */
#include "sales/products.h"

#include <string.h>

#include "base/num.h"
#include "base/validate.h"
#include "db/audit.h"
#include "identity/role.h"
#include "sales/csv_import.h"

#define COLUMNS                                                                \
    "SELECT id, sku, name, brand, own, category, active, "                     \
    "COALESCE(DATE_FORMAT(launch_on, '%Y-%m-%d'), '') FROM products "

static const char SQL_GET[] = COLUMNS "WHERE tenant_id = ? AND id = ?";
static const char SQL_BY_SKU[] =
    "SELECT id, sku, name, brand, own, category, active, "
    "COALESCE(DATE_FORMAT(launch_on, '%Y-%m-%d'), ''), sku = ? FROM "
    "products WHERE tenant_id = ? AND active = 1 AND (sku = ? OR name = ?) "
    "ORDER BY 9 DESC, id LIMIT 2";
static const char SQL_LIST[] = COLUMNS
    "WHERE tenant_id = ? AND (? = 1 OR active = 1) AND (? = '' OR "
    "sku LIKE CONCAT('%', ?, '%') OR name LIKE CONCAT('%', ?, '%') OR "
    "brand LIKE CONCAT('%', ?, '%')) ORDER BY own DESC, brand, name, id "
    "LIMIT ?";
static const char SQL_ADD[] =
    "INSERT INTO products (tenant_id, sku, name, brand, own, category, "
    "launch_on) VALUES (?, ?, ?, ?, ?, ?, ?)";
/* A file without the launch_on column keeps the days already known. */
static const char SQL_UPSERT[] =
    "INSERT INTO products (tenant_id, sku, name, brand, own, category, "
    "launch_on) VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE name = "
    "VALUES(name), brand = VALUES(brand), own = VALUES(own), category = "
    "VALUES(category), launch_on = IF(? = 1, VALUES(launch_on), launch_on), "
    "active = 1";
static const char SQL_UPDATE[] =
    "UPDATE products SET sku = ?, name = ?, brand = ?, own = ?, category = "
    "?, launch_on = ? WHERE tenant_id = ? AND id = ?";
static const char SQL_ACTIVE[] =
    "UPDATE products SET active = ? WHERE tenant_id = ? AND id = ?";

/* The header names a CSV may use for each field. */
static const struct csv_in_col HEADERS[] = {
    { "sku", { "sku", "编码", "商品编码", "货号" }, true },
    { "name", { "name", "名称", "商品名称", "品名" }, true },
    { "brand", { "brand", "品牌" }, false },
    { "own", { "own", "自有", "本品", "类型" }, false },
    { "category", { "category", "类别", "品类", "分类" }, false },
    { "launch_on", { "launch_on", "上市日期", "上市" }, false },
};
enum { COL_LAUNCH_ON = 5 };

static const struct csv_import_spec IMPORT = {
    .in = { HEADERS, sizeof(HEADERS) / sizeof(HEADERS[0]),
            2 * PRODUCTS_IMPORT_BYTES, PRODUCTS_IMPORT_ROWS, 32,
            CSV_MAX_FIELD_BYTES },
    .max_bytes = PRODUCTS_IMPORT_BYTES,
    .max_problems = PRODUCTS_IMPORT_ERRORS,
    .member = "problem",
    .too_big = "product.import_too_big",
    .unknown = "product.import_unknown_column",
    .no_column = "product.import_no_column",
    .repeated = NULL, /* the first column counts, as kv_get() finds it */
    .empty = "product.import_empty",
};

static struct db_val
launch_val(const char *day)
{
    return day != NULL && day[0] != '\0' ? DB_CSTR(day) : DB_NULL;
}

static bool
may_write(const struct ctx *cx)
{
    return (cx->role & (ROLE_ADMIN | ROLE_MANAGER)) != 0;
}

/* The detail of an audit entry about the list ({sku, name} or {count}),
 * written and freed by audit_entry. */
static cJSON *
detail_of(const char *sku, const char *name, size_t count)
{
    cJSON *d = cJSON_CreateObject();

    if (d != NULL && sku != NULL) {
        cJSON_AddStringToObject(d, "sku", sku);
        cJSON_AddStringToObject(d, "name", name != NULL ? name : "");
    } else if (d != NULL) {
        cJSON_AddNumberToObject(d, "count", (double)count);
    }
    return d;
}

/* rc of audit_write(..., d), d freed. */
APP_MUST_USE static enum app_err
entry_done(enum app_err rc, cJSON *d)
{
    cJSON_Delete(d);
    return rc;
}

/* "own" as people write it; false when it is none of the words. */
static bool
parse_own(struct str s, bool *own)
{
    static const char *const yes[] = { "own",  "1",    "yes", "true",
                                       "自有", "本品", "是",  NULL };
    static const char *const no[] = { "competitor", "0",  "no", "false",
                                      "竞品",       "否", NULL };
    size_t i;

    s = str_trim(s);
    for (i = 0; yes[i] != NULL; i++) {
        if (str_eq_nocase(s, str_c(yes[i]))) {
            *own = true;
            return true;
        }
    }
    for (i = 0; no[i] != NULL; i++) {
        if (str_eq_nocase(s, str_c(no[i]))) {
            *own = false;
            return true;
        }
    }
    return false;
}

enum app_err
products_check(struct ctx *cx, const struct kvlist *f, struct product_input *in,
               cJSON *errors)
{
    static const struct field_spec spec[] = {
        { "sku", V_LINE, true, 1, PRODUCT_SKU_MAX, NULL },
        { "name", V_LINE, true, 1, PRODUCT_NAME_MAX, NULL },
        { "brand", V_LINE, false, 0, PRODUCT_BRAND_MAX, NULL },
        { "category", V_LINE, false, 0, PRODUCT_CATEGORY_MAX, NULL },
        { "launch_on", V_LINE, false, 0, 10, NULL },
    };
    struct field_val v[5];
    const struct str *own = kv_get(f, "own");
    enum app_err rc = validate_fields(&cx->err_detail, f, spec, 5, v, errors);
    int y, m, d;

    memset(in, 0, sizeof(*in));
    in->sku = v[0].present ? arena_str(cx->a, v[0].s).p : "";
    in->name = v[1].present ? arena_str(cx->a, v[1].s).p : "";
    in->brand = v[2].present ? arena_str(cx->a, v[2].s).p : "";
    in->category = v[3].present ? arena_str(cx->a, v[3].s).p : "";
    in->launch_on = "";
    if (v[4].present && v[4].s.len > 0) {
        char *t = arena_strndup(cx->a, v[4].s.p, v[4].s.len);

        for (size_t i = 0; t != NULL && t[i] != '\0'; i++)
            t[i] = t[i] == '/' ? '-' : t[i];
        if (t == NULL || !parse_date(str_c(t), &y, &m, &d)) {
            cJSON_AddStringToObject(errors, "launch_on", "product.bad_day");
            cx->err_detail = "validate.failed";
            rc = APP_EVALIDATION;
        } else {
            in->launch_on = arena_printf(cx->a, "%04d-%02d-%02d", y, m, d);
        }
    }
    if (own == NULL || !parse_own(*own, &in->own)) {
        cJSON_AddStringToObject(errors, "own", "product.bad_own");
        cx->err_detail = "validate.failed";
        rc = APP_EVALIDATION;
    }
    return rc;
}

enum app_err
products_create(struct ctx *cx, const struct product_input *in, int64_t *id)
{
    struct db_tx tx = DB_TX_INIT;
    uint64_t last = 0;
    enum app_err rc = APP_OK;

    *id = 0;
    if (!may_write(cx))
        return APP_EFORBIDDEN;
    while (db_tx_next(cx->db, &tx, &rc)) {
        rc = db_exec(cx->db, SQL_ADD,
                     DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(in->sku),
                             DB_CSTR(in->name), DB_CSTR(in->brand),
                             DB_I64(in->own ? 1 : 0), DB_CSTR(in->category),
                             launch_val(in->launch_on)),
                     NULL, &last);
        if (rc == APP_OK) {
            cJSON *d = detail_of(in->sku, in->name, 0);

            rc = entry_done(audit_write(cx, cx->tenant_id, cx->user_id, 0,
                                        "product.create", d),
                            d);
        }
    }
    if (rc == APP_ECONFLICT)
        cx->err_detail = "product.sku_taken";
    *id = rc == APP_OK ? (int64_t)last : 0;
    return rc;
}

enum app_err
products_update(struct ctx *cx, int64_t id, const struct product_input *in)
{
    struct db_res r;
    struct db_tx tx = DB_TX_INIT;
    enum app_err rc;

    if (!may_write(cx))
        return APP_EFORBIDDEN;
    rc = products_get(cx, id, &r);
    while (rc == APP_OK && db_tx_next(cx->db, &tx, &rc)) {
        rc = db_exec(cx->db, SQL_UPDATE,
                     DB_ARGS(DB_CSTR(in->sku), DB_CSTR(in->name),
                             DB_CSTR(in->brand), DB_I64(in->own ? 1 : 0),
                             DB_CSTR(in->category), launch_val(in->launch_on),
                             DB_I64(cx->tenant_id), DB_I64(id)),
                     NULL, NULL);
        if (rc == APP_OK) {
            cJSON *d = detail_of(in->sku, in->name, 0);

            rc = entry_done(audit_write(cx, cx->tenant_id, cx->user_id, 0,
                                        "product.update", d),
                            d);
        }
    }
    if (rc == APP_ECONFLICT)
        cx->err_detail = "product.sku_taken";
    return rc;
}

enum app_err
products_set_active(struct ctx *cx, int64_t id, bool active)
{
    struct db_res r;
    struct db_tx tx = DB_TX_INIT;
    enum app_err rc;

    if (!may_write(cx))
        return APP_EFORBIDDEN;
    rc = products_get(cx, id, &r);
    if (rc == APP_OK && (db_int(&r, 0, PR_ACTIVE, 0) == 1) == active)
        return APP_OK; /* already so: nothing to record */
    while (rc == APP_OK && db_tx_next(cx->db, &tx, &rc)) {
        rc = db_exec(
            cx->db, SQL_ACTIVE,
            DB_ARGS(DB_I64(active ? 1 : 0), DB_I64(cx->tenant_id), DB_I64(id)),
            NULL, NULL);
        if (rc == APP_OK) {
            cJSON *d =
                detail_of(db_text(&r, 0, PR_SKU), db_text(&r, 0, PR_NAME), 0);

            rc = entry_done(active ? audit_write(cx, cx->tenant_id, cx->user_id,
                                                 0, "product.activate", d)
                                   : audit_write(cx, cx->tenant_id, cx->user_id,
                                                 0, "product.deactivate", d),
                            d);
        }
    }
    return rc;
}

enum app_err
products_get(struct ctx *cx, int64_t id, struct db_res *out)
{
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_GET,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), 1, out);

    return rc == APP_OK && out->nrows == 0 ? APP_ENOTFOUND : rc;
}

enum app_err
products_by_sku(struct ctx *cx, const char *sku, struct db_res *out)
{
    enum app_err rc = db_query(cx->db, cx->a, SQL_BY_SKU,
                               DB_ARGS(DB_CSTR(sku), DB_I64(cx->tenant_id),
                                       DB_CSTR(sku), DB_CSTR(sku)),
                               2, out);

    if (rc != APP_OK)
        return rc;
    /* The SKU itself, or a name only one active product has. */
    if (out->nrows == 0 ||
        (out->nrows == 2 && db_int(out, 0, PR_COUNT, 0) != 1))
        return APP_ENOTFOUND;
    out->nrows = 1;
    return APP_OK;
}

enum app_err
products_list(struct ctx *cx, const char *q, bool all, size_t max,
              struct db_res *out)
{
    const char *like = q != NULL ? q : "";

    if (max > PRODUCTS_LIST_MAX)
        max = PRODUCTS_LIST_MAX;
    return db_query(cx->db, cx->a, SQL_LIST,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(all ? 1 : 0),
                            DB_CSTR(like), DB_CSTR(like), DB_CSTR(like),
                            DB_CSTR(like), DB_I64((int64_t)max)),
                    max, out);
}

/* One line as form fields, checked; a SKU seen on an earlier line is
 * refused (which of the two would win is not clear). */
APP_MUST_USE static enum app_err
check_line(struct csv_import *im, const struct csv_record *rec,
           struct product_input *in, cJSON *seen)
{
    struct ctx *cx = im->cx;
    struct kvlist f;
    cJSON *errors = cJSON_CreateObject();
    const cJSON *e;
    enum app_err rc = errors != NULL ? APP_OK : APP_ENOMEM;

    if (rc == APP_OK)
        rc = csv_import_form(im, rec, false, &f);
    if (rc == APP_OK && kv_get(&f, "own") == NULL)
        rc = kv_add(cx->a, &f, STR_LIT("own"), STR_LIT("competitor"));
    if (rc == APP_OK && products_check(cx, &f, in, errors) != APP_OK) {
        cJSON_ArrayForEach(e, errors)
        {
            const char *key =
                cJSON_IsString(e)
                    ? e->valuestring
                    : cJSON_GetStringValue(cJSON_GetObjectItem(e, "key"));

            csv_import_problem(im, rec->line, e->string,
                               key != NULL ? key : "validate.failed");
        }
    } else if (rc == APP_OK && cJSON_GetObjectItem(seen, in->sku) != NULL) {
        csv_import_problem(im, rec->line, "sku", "product.import_sku_repeated");
    } else if (rc == APP_OK) {
        cJSON_AddTrueToObject(seen, in->sku);
    }
    cJSON_Delete(errors);
    cx->err_detail = NULL;
    return rc;
}

/* Every line checked into in[] (the report says what is wrong). */
APP_MUST_USE static enum app_err
read_lines(struct csv_import *im, struct product_input **in, size_t *n,
           bool *launch_col)
{
    struct csv_record rec;
    cJSON *seen = cJSON_CreateObject();
    enum app_err rc;

    *n = 0;
    *in = arena_calloc(im->cx->a, PRODUCTS_IMPORT_ROWS, sizeof(**in));
    if (seen == NULL || *in == NULL) {
        cJSON_Delete(seen);
        return APP_ENOMEM;
    }
    rc = csv_import_header(im);
    *launch_col = csv_in_has(&im->in, COL_LAUNCH_ON);
    while (rc == APP_OK && (rc = csv_import_next(im, &rec)) == APP_OK &&
           rec.n > 0) {
        rc = check_line(im, &rec, &(*in)[*n], seen);
        (*n)++;
    }
    cJSON_Delete(seen);
    return rc;
}

enum app_err
products_import(struct ctx *cx, const struct upload *u, size_t *n,
                cJSON *problems)
{
    struct product_input *in = NULL;
    struct db_tx tx = DB_TX_INIT;
    struct csv_import im;
    size_t count = 0, i;
    bool launch_col = false;
    enum app_err rc;

    *n = 0;
    if (!may_write(cx))
        return APP_EFORBIDDEN;
    rc = csv_import_upload(&im, cx, &IMPORT, u, problems);
    if (rc == APP_OK && !im.refused) /* not for text in no encoding */
        rc = read_lines(&im, &in, &count, &launch_col);
    if (rc == APP_OK && cJSON_GetArraySize(problems) > 0) {
        cx->err_detail = "product.import_failed";
        return APP_EVALIDATION;
    }
    while (rc == APP_OK && db_tx_next(cx->db, &tx, &rc)) {
        for (i = 0; rc == APP_OK && i < count; i++)
            rc = db_exec(cx->db, SQL_UPSERT,
                         DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(in[i].sku),
                                 DB_CSTR(in[i].name), DB_CSTR(in[i].brand),
                                 DB_I64(in[i].own ? 1 : 0),
                                 DB_CSTR(in[i].category),
                                 launch_val(in[i].launch_on),
                                 DB_I64(launch_col ? 1 : 0)),
                         NULL, NULL);
        if (rc == APP_OK) {
            cJSON *d = detail_of(NULL, NULL, count);

            rc = entry_done(audit_write(cx, cx->tenant_id, cx->user_id, 0,
                                        "product.import", d),
                            d);
        }
    }
    if (rc == APP_OK)
        *n = count;
    return rc;
}
