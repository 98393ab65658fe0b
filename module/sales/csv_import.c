/*
 * csv_import.c -- the CSV file of an import, read and its problems
 * reported (csv_import.h).
 */
#include "sales/csv_import.h"

#include <stdio.h>
#include <string.h>

void
csv_import_report(cJSON *report, size_t max, const char *member, size_t line,
                  const char *field, cJSON *key)
{
    cJSON *p;

    if ((size_t)cJSON_GetArraySize(report) >= max) {
        cJSON_Delete(key);
        return;
    }
    p = cJSON_CreateObject();
    if (p == NULL || !cJSON_AddItemToArray(report, p)) {
        cJSON_Delete(p);
        cJSON_Delete(key);
        return;
    }
    cJSON_AddNumberToObject(p, "line", (double)line);
    cJSON_AddStringToObject(p, "field", field);
    if (key == NULL || !cJSON_AddItemToObject(p, member, key))
        cJSON_Delete(key);
}

void
csv_import_problem(struct csv_import *im, size_t line, const char *field,
                   const char *key)
{
    csv_import_report(im->report, im->spec->max_problems, im->spec->member,
                      line, field, cJSON_CreateString(key));
}

void
csv_import_problem_json(struct csv_import *im, size_t line, const char *field,
                        const cJSON *key)
{
    csv_import_report(im->report, im->spec->max_problems, im->spec->member,
                      line, field, cJSON_Duplicate(key, true));
}

/* A failure of the reader: too many lines refuse the import, bad text or
 * CSV is a problem of the file; anything else is returned. */
APP_MUST_USE static enum app_err
failed(struct csv_import *im, enum app_err rc)
{
    const char *code = im->in.code;

    if (rc == APP_ETOOBIG && code != NULL &&
        strcmp(code, "csv.too_many_records") == 0) {
        im->cx->err_detail = im->spec->too_big;
        return APP_ETOOBIG;
    }
    if (rc != APP_EINVAL && rc != APP_ETOOBIG && rc != APP_ENOTFOUND)
        return rc;
    if (code == NULL && rc != APP_ENOTFOUND)
        return APP_EINTERNAL; /* a spec over csv_in's limits */
    csv_import_problem(im, im->in.line, "",
                       code != NULL ? code : im->spec->empty);
    im->refused = true;
    return APP_OK;
}

enum app_err
csv_import_bytes(struct csv_import *im, struct ctx *cx,
                 const struct csv_import_spec *spec, struct str bytes,
                 cJSON *report)
{
    enum app_err rc;

    memset(im, 0, sizeof(*im));
    im->cx = cx;
    im->spec = spec;
    im->report = report;
    if (bytes.len > spec->max_bytes) {
        cx->err_detail = spec->too_big;
        return APP_ETOOBIG;
    }
    rc = csv_in_open(&im->in, cx->a, bytes, &spec->in);
    /* Only an encoding problem is the file's: the text cannot be too big
     * for max_text = 2 * max_bytes. */
    return rc == APP_EINVAL && im->in.code != NULL ? failed(im, rc) : rc;
}

enum app_err
csv_import_upload(struct csv_import *im, struct ctx *cx,
                  const struct csv_import_spec *spec, const struct upload *u,
                  cJSON *report)
{
    char *buf;
    size_t got;
    FILE *fp;

    memset(im, 0, sizeof(*im));
    if (u->size > spec->max_bytes) {
        cx->err_detail = spec->too_big;
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
    return csv_import_bytes(im, cx, spec, (struct str){ buf, got }, report);
}

enum app_err
csv_import_header(struct csv_import *im)
{
    const struct csv_import_spec *s = im->spec;
    struct csv_in_issue is;
    size_t pos = 0, line;
    enum app_err rc;

    if (im->refused)
        return APP_OK;
    rc = csv_in_header(&im->in);
    if (rc != APP_OK)
        return failed(im, rc);
    line = im->in.h.line;
    while (csv_in_issue_next(&im->in.h, &pos, &is)) {
        const char *key = is.kind == CSV_IN_UNKNOWN    ? s->unknown
                          : is.kind == CSV_IN_REPEATED ? s->repeated
                                                       : s->no_column;
        const char *field = is.kind == CSV_IN_MISSING
                                ? s->in.cols[is.field].field
                                : arena_str(im->cx->a, is.name).p;

        if (key == NULL)
            continue;
        csv_import_problem(im, line, field, key);
        im->refused = true; /* the lines mean nothing without columns */
    }
    return APP_OK;
}

enum app_err
csv_import_next(struct csv_import *im, struct csv_record *rec)
{
    enum app_err rc;

    memset(rec, 0, sizeof(*rec));
    if (im->refused)
        return APP_OK;
    rc = csv_in_next(&im->in, rec);
    return rc != APP_OK ? failed(im, rc) : APP_OK;
}

enum app_err
csv_import_form(const struct csv_import *im, const struct csv_record *rec,
                bool unneutralise, struct kvlist *f)
{
    const struct csv_in_header *h = &im->in.h;
    enum app_err rc = APP_OK;
    size_t i;

    memset(f, 0, sizeof(*f));
    for (i = 0; rc == APP_OK && i < rec->n && i < h->n; i++) {
        if (h->field_of[i] < 0)
            continue;
        rc = kv_add(im->cx->a, f, str_c(h->cols[h->field_of[i]].field),
                    unneutralise ? csv_in_unneutralise(rec->fields[i])
                                 : rec->fields[i]);
    }
    return rc;
}
