/*
 * stores_import.c -- the store network's all-or-nothing CSV import
 * (stores.h, stores_import).
 */
#include "sales/stores.h"
#include "sales/stores_impl.h"

#include <string.h>

#include "db/audit.h"
#include "sales/csv_import.h"

#define NFIELDS 11

/* The export's header, and the names an import also reads. */
const char *const stores_columns[] = {
    "code",       "name",   "address",   "lat",       "lng",      "region",
    "supervisor", "format", "opened_on", "closed_on", "managers", NULL,
};

static const struct csv_in_col HEADERS[NFIELDS] = {
    { "code", { "code", "门店编码", "编码", "店号" }, true },
    { "name", { "name", "门店名称", "名称", "店名" }, true },
    { "address", { "address", "地址", "门店地址" }, false },
    { "lat", { "lat", "纬度", "latitude" }, false },
    { "lng", { "lng", "经度", "longitude", "lon" }, false },
    { "region", { "region", "区域", "大区" }, false },
    { "supervisor", { "supervisor", "督导" }, false },
    { "format", { "format", "类型", "经营方式" }, false },
    { "opened_on", { "opened_on", "开业日期", "开业" }, false },
    { "closed_on", { "closed_on", "闭店日期", "闭店" }, false },
    { "managers", { "managers", "店长", "manager" }, false },
};

static const struct csv_import_spec IMPORT = {
    .in = { HEADERS, NFIELDS, 2 * STORES_IMPORT_BYTES, STORES_IMPORT_ROWS, 32,
            CSV_MAX_FIELD_BYTES },
    .max_bytes = STORES_IMPORT_BYTES,
    .max_problems = STORES_IMPORT_ERRORS,
    .member = "problem",
    .too_big = "store.import_too_big",
    .unknown = "store.import_unknown_column",
    .no_column = "store.import_no_column",
    .repeated = NULL, /* the first column counts, as kv_get() finds it */
    .empty = "store.import_empty",
};

static const char SQL_CODES[] =
    "SELECT s.id, s.code, COALESCE(s.customer_id, 0), " STORES_SCOPE_SQL
    " FROM stores s WHERE s.tenant_id = ? ORDER BY s.id LIMIT ?";

/* The code folded as the database compares it (case does not count). */
static const char *
code_key(struct ctx *cx, const char *code)
{
    char *k = arena_strdup(cx->a, code);

    for (size_t i = 0; k != NULL && k[i] != '\0'; i++)
        if (k[i] >= 'A' && k[i] <= 'Z')
            k[i] = (char)(k[i] - 'A' + 'a');
    return k;
}

struct line {
    struct store_input in;
    int64_t id, customer_id; /* the store it updates (0: a new one) */
};

struct import {
    struct csv_import csv;
    struct store_people people;
    struct db_res codes; /* id, code, customer, in scope */
    cJSON *seen;         /* code key -> true */
    struct line *lines;
    size_t n, added;
};

/* One line as form fields, checked; a code seen on an earlier line is
 * refused (which of the two would win is not clear). */
APP_MUST_USE static enum app_err
check_line(struct ctx *cx, struct import *im, const struct csv_record *rec)
{
    struct line *l = &im->lines[im->n];
    struct kvlist f;
    cJSON *errors = cJSON_CreateObject();
    const cJSON *e;
    const char *key;
    size_t i;
    enum app_err rc = errors != NULL ? APP_OK : APP_ENOMEM;

    memset(l, 0, sizeof(*l));
    if (rc == APP_OK)
        rc = csv_import_form(&im->csv, rec, true, &f);
    if (rc == APP_OK)
        rc = stores_check_with(cx, &im->people, &f, &l->in, errors);
    if (rc == APP_EVALIDATION) {
        rc = APP_OK;
        cJSON_ArrayForEach(e, errors)
            csv_import_problem_json(&im->csv, rec->line, e->string, e);
        goto out;
    }
    if (rc != APP_OK)
        goto out;
    key = code_key(cx, l->in.code);
    if (key == NULL) {
        rc = APP_ENOMEM;
        goto out;
    }
    if (cJSON_GetObjectItemCaseSensitive(im->seen, key) != NULL) {
        csv_import_problem(&im->csv, rec->line, "code",
                           "store.import_code_repeated");
        goto out;
    }
    cJSON_AddTrueToObject(im->seen, key);
    for (i = 0; i < im->codes.nrows; i++) {
        if (!str_eq_nocase(str_c(l->in.code), str_c(db_text(&im->codes, i, 1))))
            continue;
        if (db_int(&im->codes, i, 3, 0) != 1)
            csv_import_problem(&im->csv, rec->line, "code", "store.code_taken");
        l->id = db_int(&im->codes, i, 0, 0);
        l->customer_id = db_int(&im->codes, i, 2, 0);
        break;
    }
    im->added += l->id == 0;
out:
    im->n++;
    cJSON_Delete(errors);
    cx->err_detail = NULL;
    return rc;
}

/* Every line checked into im->lines (the report says what is wrong). */
APP_MUST_USE static enum app_err
read_lines(struct ctx *cx, struct import *im)
{
    struct csv_record rec;
    enum app_err rc = csv_import_header(&im->csv);

    while (rc == APP_OK && (rc = csv_import_next(&im->csv, &rec)) == APP_OK &&
           rec.n > 0)
        rc = check_line(cx, im, &rec);
    return rc;
}

APP_MUST_USE static enum app_err
load_codes(struct ctx *cx, struct import *im)
{
    struct db_val v[7];

    stores_scope_args(cx, v);
    v[5] = DB_I64(cx->tenant_id);
    v[6] = DB_I64(STORES_MAX + 1);
    return db_query(cx->db, cx->a, SQL_CODES, v, 7, STORES_MAX + 1, &im->codes);
}

enum app_err
stores_import(struct ctx *cx, const struct upload *u, size_t *n,
              cJSON *problems)
{
    struct import im;
    struct ruledesc rd;
    struct db_tx tx = DB_TX_INIT;
    size_t i;
    enum app_err rc;

    *n = 0;
    if (!stores_may_write(cx))
        return APP_EFORBIDDEN;
    memset(&im, 0, sizeof(im));
    im.lines = arena_calloc(cx->a, STORES_IMPORT_ROWS, sizeof(*im.lines));
    im.seen = cJSON_CreateObject();
    if (im.lines == NULL || im.seen == NULL) {
        cJSON_Delete(im.seen);
        return APP_ENOMEM;
    }
    rc = csv_import_upload(&im.csv, cx, &IMPORT, u, problems);
    if (rc == APP_OK && cJSON_GetArraySize(problems) == 0)
        rc = load_codes(cx, &im);
    if (rc == APP_OK && cJSON_GetArraySize(problems) == 0)
        rc = read_lines(cx, &im);
    cJSON_Delete(im.seen);
    if (rc == APP_OK && im.codes.nrows + im.added > STORES_MAX) {
        cx->err_detail = "store.too_many";
        return APP_ETOOBIG;
    }
    if (rc == APP_OK && cJSON_GetArraySize(problems) > 0) {
        cx->err_detail = "store.import_failed";
        return APP_EVALIDATION;
    }
    if (rc == APP_OK)
        rc = ruledesc_get(cx, &rd);
    while (rc == APP_OK && db_tx_next(cx->db, &tx, &rc)) {
        for (i = 0; rc == APP_OK && i < im.n; i++)
            rc = stores_write(cx, &rd, im.lines[i].id, im.lines[i].customer_id,
                              &im.lines[i].in, false, NULL);
        if (rc == APP_OK) {
            cJSON *d = cJSON_CreateObject();

            if (d != NULL)
                cJSON_AddNumberToObject(d, "count", (double)im.n);
            rc = d != NULL ? audit_write(cx, cx->tenant_id, cx->user_id, 0,
                                         "store.import", d)
                           : APP_ENOMEM;
            cJSON_Delete(d);
        }
    }
    if (rc == APP_ECONFLICT)
        cx->err_detail = "store.code_taken";
    if (rc == APP_OK)
        *n = im.n;
    return rc;
}
