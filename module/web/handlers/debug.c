/*
 * debug.c -- routes the end-to-end tests use to exercise failure paths:
 * a slow request (watchdog), a crashing worker (respawn), an echo of the
 * parsed body (parsers and limits through nginx) and any error page.
 * They exist only when debug_routes = 1; otherwise they answer 404.
 */
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "http/app.h"
#include "db/db.h"
#include "web/handlers/debug.h"
#include "http/router.h"
#include "base/validate.h"
#include "web/view.h"
#include "base/jsonmem.h"

enum app_err
debug_sleep(struct req *r)
{
    static const struct field_spec spec[] = {
        { "ms", V_INT, true, 0, 600000, NULL },
    };
    struct field_val v[1];
    struct timespec ts;
    enum app_err rc =
        validate_fields(&r->cx.err_detail, &r->query_args, spec, 1, v, NULL);

    if (rc != APP_OK)
        return APP_EINVAL;
    ts.tv_sec = (time_t)(v[0].i / 1000);
    ts.tv_nsec = (long)(v[0].i % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0)
        ;
    return http_text(r, 200, "slept\n");
}

enum app_err
debug_crash(struct req *r)
{
    (void)r;
    /* Die the way a bug would: the master must notice and replace us. */
    raise(SIGSEGV);
    return APP_EINTERNAL;
}

enum app_err
debug_echo(struct req *r)
{
    cJSON *o = cJSON_CreateObject(), *fields, *files;
    size_t i;
    enum app_err rc = APP_ENOMEM;

    if (o == NULL)
        return APP_ENOMEM;
    fields = cJSON_AddObjectToObject(o, "fields");
    files = cJSON_AddArrayToObject(o, "files");
    if (fields == NULL || files == NULL)
        goto out;
    for (i = 0; i < r->form.n; i++) {
        if (cJSON_AddStringToObject(fields, r->form.v[i].key.p,
                                    r->form.v[i].val.p) == NULL)
            goto out;
    }
    for (i = 0; i < r->files.n; i++) {
        cJSON *f = cJSON_CreateObject();

        if (f == NULL)
            goto out;
        cJSON_AddItemToArray(files, f);
        if (!view_add_str(f, "field", r->files.v[i].field.p) ||
            !view_add_str(f, "filename", r->files.v[i].filename.p) ||
            cJSON_AddNumberToObject(f, "size", (double)r->files.v[i].size) ==
                NULL)
            goto out;
    }
    if (r->json != NULL && !jsonmem_add_ref(o, "json", r->json))
        goto out;
    rc = http_json(r, 200, o);
out:
    cJSON_Delete(o);
    return rc;
}

enum app_err
debug_error(struct req *r)
{
    switch (router_param_int(r, "code")) {
    case 400:
        return APP_EINVAL;
    case 403:
        return APP_EFORBIDDEN;
    case 404:
        return APP_ENOTFOUND;
    case 405:
        return APP_EMETHOD;
    case 413:
        return APP_ETOOBIG;
    case 503:
        return APP_EDB_DOWN;
    default:
        return APP_EINTERNAL;
    }
}

enum app_err
debug_state(struct req *r)
{
    /* A state-changing route without the database, so the CSRF checks can
     * be tested in process. */
    return http_text(r, 200, "changed\n");
}

enum app_err
debug_db(struct req *r)
{
    /* The statement cache of the worker that answers, with its pid. */
    struct db_stats st;
    cJSON *o = cJSON_CreateObject();
    enum app_err rc;

    if (o == NULL)
        return APP_ENOMEM;
    db_stats(r->app->db, &st);
    cJSON_AddNumberToObject(o, "pid", (double)getpid());
    cJSON_AddNumberToObject(o, "cached", (double)st.cached);
    cJSON_AddNumberToObject(o, "prepared", (double)st.prepared);
    cJSON_AddNumberToObject(o, "evicted", (double)st.evicted);
    cJSON_AddNumberToObject(o, "max", DB_STMT_MAX);
    rc = http_json(r, 200, o);
    cJSON_Delete(o);
    return rc;
}
