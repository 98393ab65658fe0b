/*
 * pos_pages.c -- POS sales imports, page and API (pos_pages.h).
 */
#include "web/handlers/pos_pages.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/num.h"
#include "db/db.h"
#include "http/app.h"
#include "http/router.h"
#include "sales/files.h"
#include "sales/pos_import.h"
#include "web/api_json.h"
#include "web/view.h"
#include "work/pos_jobs.h"

#define LIST_MAX 50

static bool
running(const char *status)
{
    return status != NULL && (strcmp(status, "queued") == 0 ||
                              strcmp(status, "validating") == 0 ||
                              strcmp(status, "storing") == 0);
}

/* What the page shows of a record: the status in words, whether it runs. */
static void
decorate(struct req *r, cJSON *o)
{
    const char *st = cJSON_GetStringValue(cJSON_GetObjectItem(o, "status"));
    const char *mode = cJSON_GetStringValue(cJSON_GetObjectItem(o, "mode"));

    cJSON_AddStringToObject(
        o, "status_label",
        http_t(r, arena_printf(r->a, "pos.status_%s", st != NULL ? st : "")));
    cJSON_AddStringToObject(o, "mode_label",
                            http_t(r, mode != NULL && strcmp(mode, "keep") == 0
                                          ? "pos.mode_keep"
                                          : "pos.mode_all"));
    cJSON_AddBoolToObject(o, "running", running(st));
}

/* Whether the form or the query asks for mode keep. */
static bool
keep_of(struct req *r)
{
    const struct str *v = kv_get(&r->form, "mode");

    if (v == NULL)
        v = kv_get(&r->query_args, "mode");
    return v != NULL && str_eq_c(*v, "keep");
}

APP_MUST_USE static enum app_err
list_page(struct req *r, int status, const char *error)
{
    cJSON *m = view_new(r), *list = NULL, *it;
    enum app_err rc;

    if (m == NULL)
        return APP_ENOMEM;
    rc = pos_import_list(&r->cx, LIST_MAX, &list);
    if (rc != APP_OK)
        return rc;
    cJSON_ArrayForEach(it, list) decorate(r, it);
    view_local_times(r, list);
    cJSON_AddItemToObject(m, "imports", list);
    if (error != NULL)
        cJSON_AddStringToObject(m, "error", error);
    return view_page(r, status, "pages/pos_imports", m);
}

enum app_err
pos_imports_page(struct req *r)
{
    return list_page(r, 200, NULL);
}

static void
unlink_tmp(void *arg)
{
    unlink(arg);
}

/* A text/csv body as an upload (a temporary file removed with the
 * request), so that it is stored like a form's file. */
APP_MUST_USE static enum app_err
body_upload(struct req *r, struct upload *u)
{
    char *path = arena_printf(r->a, "%s/pos-XXXXXX", r->app->conf.tmp_dir);
    size_t off = 0;
    int fd;

    if (path == NULL)
        return APP_ENOMEM;
    fd = mkstemp(path);
    if (fd < 0)
        return APP_EIO;
    if (arena_cleanup_add(r->a, unlink_tmp, path) != 0) {
        close(fd);
        unlink(path);
        return APP_ENOMEM;
    }
    while (off < r->text.len) {
        ssize_t n = write(fd, r->text.p + off, r->text.len - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            return APP_EIO;
        }
        off += (size_t)n;
    }
    if (close(fd) != 0)
        return APP_EIO;
    memset(u, 0, sizeof(*u));
    u->field = str_c("file");
    u->filename = str_c("pos-sales-upload");
    u->content_type = str_c("text/csv");
    u->path = path;
    u->size = r->text.len;
    return APP_OK;
}

/* Store the request's file and queue its import: *id.  APP_EVALIDATION
 * when no file came. */
APP_MUST_USE static enum app_err
queue(struct req *r, const char *source, int64_t *id)
{
    const struct upload *u = view_file(r, "file");
    struct upload body;
    const char *mime, *name;
    int64_t file_id = 0;
    enum app_err rc = APP_OK;

    *id = 0;
    if (u == NULL && r->text.len > 0) {
        rc = body_upload(r, &body);
        u = rc == APP_OK ? &body : NULL;
    }
    if (rc != APP_OK)
        return rc;
    if (u == NULL) {
        r->cx.err_detail = "pos.no_file";
        return APP_EVALIDATION;
    }
    name = files_short_name(r->a, u->filename.p != NULL ? u->filename.p : "");
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = files_store(&r->cx, u, 0, &file_id, &mime);
        if (rc == APP_OK)
            rc = pos_import_queue(&r->cx, source, file_id,
                                  name != NULL ? name : "", keep_of(r), id);
        if (rc == APP_OK)
            rc = pos_jobs_queue(&r->cx, *id);
    }
    return rc;
}

enum app_err
pos_imports_upload(struct req *r)
{
    int64_t id = 0;
    enum app_err rc = queue(r, "page", &id);

    if (rc == APP_EVALIDATION)
        return list_page(r, 422, http_t(r, "pos.no_file"));
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/pos/imports/%lld", (long long)id));
}

/* The problems with their messages in the request's language. */
static void
translate(struct req *r, cJSON *o)
{
    cJSON *p;

    cJSON_ArrayForEach(p, cJSON_GetObjectItem(o, "problems"))
    {
        const char *key =
            cJSON_GetStringValue(cJSON_GetObjectItem(p, "problem"));

        cJSON_AddStringToObject(p, "message",
                                key != NULL ? http_t(r, key) : "");
    }
}

enum app_err
pos_import_page(struct req *r)
{
    cJSON *m = view_new(r), *o = NULL;
    enum app_err rc;

    if (m == NULL)
        return APP_ENOMEM;
    rc = pos_import_get(&r->cx, router_param_int(r, "id"), &o);
    if (rc != APP_OK)
        return rc;
    decorate(r, o);
    translate(r, o);
    cJSON_AddBoolToObject(
        o, "has_problems",
        cJSON_GetArraySize(cJSON_GetObjectItem(o, "problems")) > 0);
    cJSON_AddItemToObject(m, "imp", o);
    return view_page(r, 200, "pages/pos_import", m);
}

enum app_err
api_pos_import_create(struct req *r)
{
    int64_t id = 0;
    cJSON *o;
    enum app_err rc = queue(r, "api", &id);

    if (rc == APP_EVALIDATION) {
        cJSON *errors = view_errors(r);

        if (errors == NULL)
            return APP_ENOMEM;
        cJSON_AddStringToObject(errors, "file", "pos.no_file");
        r->cx.err_detail = NULL;
        return api_invalid(r, errors);
    }
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    if (o == NULL)
        return APP_ENOMEM;
    cJSON_AddNumberToObject(o, "id", (double)id);
    cJSON_AddStringToObject(o, "status", "queued");
    cJSON_AddStringToObject(
        o, "url",
        arena_printf(r->a, "/api/v1/pos/imports/%lld", (long long)id));
    return api_send(r, 202, o);
}

enum app_err
api_pos_import_get(struct req *r)
{
    cJSON *o = NULL;
    enum app_err rc = pos_import_get(&r->cx, router_param_int(r, "id"), &o);

    if (rc != APP_OK)
        return rc;
    return api_send(r, 200, o);
}
