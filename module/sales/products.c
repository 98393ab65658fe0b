/*
 * products.c -- the company's product list (products.h).
 */
#include "sales/products.h"

#include <stdio.h>
#include <string.h>

#include "base/csv.h"
#include "base/num.h"
#include "base/textenc.h"
#include "base/validate.h"
#include "db/audit.h"
#include "identity/role.h"

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
static const struct {
    const char *field;
    const char *names[5];
} HEADERS[] = {
    { "sku", { "sku", "编码", "商品编码", "货号", NULL } },
    { "name", { "name", "名称", "商品名称", "品名", NULL } },
    { "brand", { "brand", "品牌", NULL } },
    { "own", { "own", "自有", "本品", "类型", NULL } },
    { "category", { "category", "类别", "品类", "分类", NULL } },
    { "launch_on", { "launch_on", "上市日期", "上市", NULL } },
};
#define NHEADERS (sizeof(HEADERS) / sizeof(HEADERS[0]))

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

/* One problem of the import: {line, field, problem}. */
static void
problem(cJSON *problems, size_t line, const char *field, const char *key)
{
    cJSON *p;

    if (cJSON_GetArraySize(problems) >= PRODUCTS_IMPORT_ERRORS)
        return;
    p = cJSON_CreateObject();
    cJSON_AddItemToArray(problems, p);
    cJSON_AddNumberToObject(p, "line", (double)line);
    cJSON_AddStringToObject(p, "field", field);
    cJSON_AddStringToObject(p, "problem", key);
}

/* The file's bytes as UTF-8 text. */
APP_MUST_USE static enum app_err
read_text(struct ctx *cx, const struct upload *u, struct str *text,
          cJSON *problems)
{
    struct textenc_result res;
    struct textenc_error err;
    char *buf;
    size_t got = 0;
    FILE *fp;
    enum app_err rc;

    if (u->size > PRODUCTS_IMPORT_BYTES) {
        cx->err_detail = "product.import_too_big";
        return APP_ETOOBIG;
    }
    buf = arena_alloc(cx->a, u->size + 1);
    fp = buf != NULL ? fopen(u->path, "rb") : NULL;
    if (fp == NULL)
        return buf == NULL ? APP_ENOMEM : APP_EIO;
    got = fread(buf, 1, u->size, fp);
    fclose(fp);
    if (got != u->size)
        return APP_EIO;
    rc = textenc_decode(cx->a, (struct str){ buf, got }, TEXTENC_AUTO,
                        2 * PRODUCTS_IMPORT_BYTES, &res, &err);
    if (rc == APP_EINVAL) {
        problem(problems, err.line, "", err.code);
        cx->err_detail = "product.import_failed";
        return APP_EVALIDATION;
    }
    *text = res.text;
    return rc;
}

/* Which field each column of the header is (NULL: unknown). */
APP_MUST_USE static enum app_err
header_of(struct ctx *cx, const struct csv_record *h, const char ***fields,
          cJSON *problems)
{
    bool sku = false, name = false;
    size_t i, k, j;

    *fields = arena_calloc(cx->a, h->n, sizeof(**fields));
    if (*fields == NULL)
        return APP_ENOMEM;
    for (i = 0; i < h->n; i++) {
        struct str col = str_trim(h->fields[i]);

        for (k = 0; k < NHEADERS && (*fields)[i] == NULL; k++)
            for (j = 0; HEADERS[k].names[j] != NULL; j++)
                if (str_eq_nocase(col, str_c(HEADERS[k].names[j])))
                    (*fields)[i] = HEADERS[k].field;
        if ((*fields)[i] == NULL && col.len > 0)
            problem(problems, h->line, arena_str(cx->a, col).p,
                    "product.import_unknown_column");
        sku = sku || ((*fields)[i] != NULL && !strcmp((*fields)[i], "sku"));
        name = name || ((*fields)[i] != NULL && !strcmp((*fields)[i], "name"));
    }
    if (!sku)
        problem(problems, h->line, "sku", "product.import_no_column");
    if (!name)
        problem(problems, h->line, "name", "product.import_no_column");
    return APP_OK;
}

/* One line as form fields, checked; a SKU seen on an earlier line is
 * refused (which of the two would win is not clear). */
APP_MUST_USE static enum app_err
check_line(struct ctx *cx, const struct csv_record *rec, const char **fields,
           size_t ncols, struct product_input *in, cJSON *seen, cJSON *problems)
{
    struct kvlist f;
    cJSON *errors = cJSON_CreateObject();
    const cJSON *e;
    size_t i;
    enum app_err rc = errors != NULL ? APP_OK : APP_ENOMEM;

    memset(&f, 0, sizeof(f));
    for (i = 0; rc == APP_OK && i < rec->n && i < ncols; i++)
        if (fields[i] != NULL)
            rc = kv_add(cx->a, &f, str_c(fields[i]), rec->fields[i]);
    if (rc == APP_OK && kv_get(&f, "own") == NULL)
        rc = kv_add(cx->a, &f, STR_LIT("own"), STR_LIT("competitor"));
    if (rc == APP_OK && products_check(cx, &f, in, errors) != APP_OK) {
        cJSON_ArrayForEach(e, errors)
        {
            const char *key =
                cJSON_IsString(e)
                    ? e->valuestring
                    : cJSON_GetStringValue(cJSON_GetObjectItem(e, "key"));

            problem(problems, rec->line, e->string,
                    key != NULL ? key : "validate.failed");
        }
    } else if (rc == APP_OK && cJSON_GetObjectItem(seen, in->sku) != NULL) {
        problem(problems, rec->line, "sku", "product.import_sku_repeated");
    } else if (rc == APP_OK) {
        cJSON_AddTrueToObject(seen, in->sku);
    }
    cJSON_Delete(errors);
    cx->err_detail = NULL;
    return rc;
}

/* Every line checked into in[] (problems say what is wrong). */
APP_MUST_USE static enum app_err
read_lines(struct ctx *cx, struct str text, struct product_input **in,
           size_t *n, bool *launch_col, cJSON *problems)
{
    struct csv_reader rd;
    struct csv_record rec;
    struct csv_limits lim = csv_limits_default();
    const char **fields = NULL;
    size_t ncols = 0;
    cJSON *seen = cJSON_CreateObject();
    enum app_err rc;

    *n = 0;
    *in = arena_calloc(cx->a, PRODUCTS_IMPORT_ROWS, sizeof(**in));
    if (seen == NULL || *in == NULL) {
        cJSON_Delete(seen);
        return APP_ENOMEM;
    }
    lim.max_records = PRODUCTS_IMPORT_ROWS + 1;
    lim.max_fields = 32;
    rc = csv_reader_init(&rd, cx->a, text, 0, &lim);
    while (rc == APP_OK && (rc = csv_next(&rd, &rec)) == APP_OK && rec.n > 0) {
        if (fields == NULL) {
            ncols = rec.n;
            rc = header_of(cx, &rec, &fields, problems);
            for (size_t k = 0; rc == APP_OK && k < ncols; k++)
                if (fields[k] != NULL && strcmp(fields[k], "launch_on") == 0)
                    *launch_col = true;
            if (cJSON_GetArraySize(problems) > 0)
                break; /* the lines mean nothing without their columns */
            continue;
        }
        rc = check_line(cx, &rec, fields, ncols, &(*in)[*n], seen, problems);
        (*n)++;
    }
    cJSON_Delete(seen);
    if (rc == APP_ETOOBIG && rd.failed &&
        strcmp(rd.err.code, "csv.too_many_records") == 0) {
        cx->err_detail = "product.import_too_big";
        return APP_ETOOBIG;
    }
    if ((rc == APP_EINVAL || rc == APP_ETOOBIG) && rd.failed) {
        problem(problems, rd.err.line, "", rd.err.code);
        rc = APP_OK;
    }
    if (rc == APP_OK && fields == NULL)
        problem(problems, 1, "", "product.import_empty");
    return rc;
}

enum app_err
products_import(struct ctx *cx, const struct upload *u, size_t *n,
                cJSON *problems)
{
    struct product_input *in = NULL;
    struct db_tx tx = DB_TX_INIT;
    struct str text;
    size_t count = 0, i;
    bool launch_col = false;
    enum app_err rc;

    *n = 0;
    if (!may_write(cx))
        return APP_EFORBIDDEN;
    rc = read_text(cx, u, &text, problems);
    if (rc == APP_OK)
        rc = read_lines(cx, text, &in, &count, &launch_col, problems);
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
