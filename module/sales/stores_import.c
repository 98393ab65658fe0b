/*
 * stores_import.c -- the store network's all-or-nothing CSV import
 * (stores.h, stores_import).
 */
#include "sales/stores.h"
#include "sales/stores_impl.h"

#include <stdio.h>
#include <string.h>

#include "base/csv.h"
#include "base/textenc.h"
#include "db/audit.h"

#define NFIELDS 11

/* The export's header, and the names an import also reads. */
const char *const stores_columns[] = {
    "code",       "name",   "address",   "lat",       "lng",      "region",
    "supervisor", "format", "opened_on", "closed_on", "managers", NULL,
};

static const struct {
    const char *field;
    const char *names[5];
} HEADERS[NFIELDS] = {
    { "code", { "code", "门店编码", "编码", "店号", NULL } },
    { "name", { "name", "门店名称", "名称", "店名", NULL } },
    { "address", { "address", "地址", "门店地址", NULL } },
    { "lat", { "lat", "纬度", "latitude", NULL } },
    { "lng", { "lng", "经度", "longitude", "lon" } },
    { "region", { "region", "区域", "大区", NULL } },
    { "supervisor", { "supervisor", "督导", NULL } },
    { "format", { "format", "类型", "经营方式", NULL } },
    { "opened_on", { "opened_on", "开业日期", "开业", NULL } },
    { "closed_on", { "closed_on", "闭店日期", "闭店", NULL } },
    { "managers", { "managers", "店长", "manager", NULL } },
};

static const char SQL_CODES[] =
    "SELECT s.id, s.code, COALESCE(s.customer_id, 0), " STORES_SCOPE_SQL
    " FROM stores s WHERE s.tenant_id = ? ORDER BY s.id LIMIT ?";

/* One problem of the import: {line, field, problem}. */
static void
problem(cJSON *problems, size_t line, const char *field, const cJSON *key)
{
    cJSON *p;

    if (cJSON_GetArraySize(problems) >= STORES_IMPORT_ERRORS)
        return;
    p = cJSON_CreateObject();
    if (p == NULL || !cJSON_AddItemToArray(problems, p)) {
        cJSON_Delete(p);
        return;
    }
    cJSON_AddNumberToObject(p, "line", (double)line);
    cJSON_AddStringToObject(p, "field", field);
    cJSON_AddItemToObject(p, "problem", cJSON_Duplicate(key, true));
}

static void
problem_key(cJSON *problems, size_t line, const char *field, const char *key)
{
    cJSON *k = cJSON_CreateString(key);

    problem(problems, line, field, k);
    cJSON_Delete(k);
}

/* The file's bytes as UTF-8 text. */
APP_MUST_USE static enum app_err
read_text(struct ctx *cx, const struct upload *u, struct str *text,
          cJSON *problems)
{
    struct textenc_result res;
    struct textenc_error err;
    char *buf;
    size_t got;
    FILE *fp;
    enum app_err rc;

    if (u->size > STORES_IMPORT_BYTES) {
        cx->err_detail = "store.import_too_big";
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
                        2 * STORES_IMPORT_BYTES, &res, &err);
    if (rc == APP_EINVAL) {
        problem_key(problems, err.line, "", err.code);
        return APP_OK;
    }
    *text = res.text;
    return rc;
}

/* Which field each column of the header is (NULL: unknown). */
APP_MUST_USE static enum app_err
header_of(struct ctx *cx, const struct csv_record *h, const char ***fields,
          cJSON *problems)
{
    bool code = false, name = false;
    size_t i, k, j;

    *fields = arena_calloc(cx->a, h->n, sizeof(**fields));
    if (*fields == NULL)
        return APP_ENOMEM;
    for (i = 0; i < h->n; i++) {
        struct str col = str_trim(h->fields[i]);

        for (k = 0; k < NFIELDS && (*fields)[i] == NULL; k++)
            for (j = 0; j < 5 && HEADERS[k].names[j] != NULL; j++)
                if (str_eq_nocase(col, str_c(HEADERS[k].names[j])))
                    (*fields)[i] = HEADERS[k].field;
        if ((*fields)[i] == NULL && col.len > 0)
            problem_key(problems, h->line, arena_str(cx->a, col).p,
                        "store.import_unknown_column");
        code = code || ((*fields)[i] != NULL && !strcmp((*fields)[i], "code"));
        name = name || ((*fields)[i] != NULL && !strcmp((*fields)[i], "name"));
    }
    if (!code)
        problem_key(problems, h->line, "code", "store.import_no_column");
    if (!name)
        problem_key(problems, h->line, "name", "store.import_no_column");
    return APP_OK;
}

/* A cell as the export wrote it, without the quote that kept a
 * formula-looking cell from being one. */
static struct str
unneutralised(struct str s)
{
    struct str rest = { s.p + 1, s.len - 1 };

    if (s.len >= 2 && s.p[0] == '\'' && csv_needs_neutralise(rest))
        return rest;
    return s;
}

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
    struct store_people people;
    struct db_res codes; /* id, code, customer, in scope */
    cJSON *seen;         /* code key -> true */
    struct line *lines;
    size_t n, added;
};

/* One line as form fields, checked; a code seen on an earlier line is
 * refused (which of the two would win is not clear). */
APP_MUST_USE static enum app_err
check_line(struct ctx *cx, struct import *im, const struct csv_record *rec,
           const char **fields, size_t ncols, cJSON *problems)
{
    struct line *l = &im->lines[im->n];
    struct kvlist f;
    cJSON *errors = cJSON_CreateObject();
    const cJSON *e;
    const char *key;
    size_t i;
    enum app_err rc = errors != NULL ? APP_OK : APP_ENOMEM;

    memset(&f, 0, sizeof(f));
    memset(l, 0, sizeof(*l));
    for (i = 0; rc == APP_OK && i < rec->n && i < ncols; i++)
        if (fields[i] != NULL)
            rc = kv_add(cx->a, &f, str_c(fields[i]),
                        unneutralised(rec->fields[i]));
    if (rc == APP_OK)
        rc = stores_check_with(cx, &im->people, &f, &l->in, errors);
    if (rc == APP_EVALIDATION) {
        rc = APP_OK;
        cJSON_ArrayForEach(e, errors)
            problem(problems, rec->line, e->string, e);
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
        problem_key(problems, rec->line, "code", "store.import_code_repeated");
        goto out;
    }
    cJSON_AddTrueToObject(im->seen, key);
    for (i = 0; i < im->codes.nrows; i++) {
        if (!str_eq_nocase(str_c(l->in.code), str_c(db_text(&im->codes, i, 1))))
            continue;
        if (db_int(&im->codes, i, 3, 0) != 1)
            problem_key(problems, rec->line, "code", "store.code_taken");
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

/* Every line checked into im->lines (problems say what is wrong). */
APP_MUST_USE static enum app_err
read_lines(struct ctx *cx, struct str text, struct import *im, cJSON *problems)
{
    struct csv_reader rd;
    struct csv_record rec;
    struct csv_limits lim = csv_limits_default();
    const char **fields = NULL;
    size_t ncols = 0;
    enum app_err rc;

    lim.max_records = STORES_IMPORT_ROWS + 1;
    lim.max_fields = 32;
    rc = csv_reader_init(&rd, cx->a, text, 0, &lim);
    while (rc == APP_OK && (rc = csv_next(&rd, &rec)) == APP_OK && rec.n > 0) {
        if (fields == NULL) {
            ncols = rec.n;
            rc = header_of(cx, &rec, &fields, problems);
            if (cJSON_GetArraySize(problems) > 0)
                break; /* the lines mean nothing without their columns */
            continue;
        }
        rc = check_line(cx, im, &rec, fields, ncols, problems);
    }
    if (rc == APP_ETOOBIG && rd.failed &&
        strcmp(rd.err.code, "csv.too_many_records") == 0) {
        cx->err_detail = "store.import_too_big";
        return APP_ETOOBIG;
    }
    if ((rc == APP_EINVAL || rc == APP_ETOOBIG) && rd.failed) {
        problem_key(problems, rd.err.line, "", rd.err.code);
        rc = APP_OK;
    }
    if (rc == APP_OK && fields == NULL && cJSON_GetArraySize(problems) == 0)
        problem_key(problems, 1, "", "store.import_empty");
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
    struct str text = STR_LIT("");
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
    rc = read_text(cx, u, &text, problems);
    if (rc == APP_OK && cJSON_GetArraySize(problems) == 0)
        rc = load_codes(cx, &im);
    if (rc == APP_OK && cJSON_GetArraySize(problems) == 0)
        rc = read_lines(cx, text, &im, problems);
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
