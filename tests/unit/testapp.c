/*
 * testapp.c -- see testapp.h.
 */
#include "testapp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "db/db.h"
#include "server/worker.h"

/* A step of setting up a test that must not fail. */
#define MUST_OK(expr) assert_int_equal((expr), APP_OK)

static struct app app;
static int loaded;

struct app *
testapp_get(void)
{
    char err[512];

    if (loaded)
        return &app;
    conf_defaults(&app.conf);
    snprintf(app.conf.templates_dir, sizeof(app.conf.templates_dir),
             "templates");
    snprintf(app.conf.tmp_dir, sizeof(app.conf.tmp_dir), "/tmp");
    snprintf(app.conf.lua_dir, sizeof(app.conf.lua_dir), "lua");
    snprintf(app.conf.db_socket, sizeof(app.conf.db_socket),
             "/nonexistent/mysqld.sock");
    app.conf.cookie_secure = false;
    app.conf.debug_routes = true;
    if (app_load_resources(&app, err, sizeof(err)) != APP_OK) {
        fprintf(stderr, "testapp: %s\n", err);
        abort();
    }
    app.db = db_new(&app.conf);
    loaded = 1;
    return &app;
}

void
testreq_init(struct req *r, struct arena *a, const char *method,
             const char *uri, const char *body, const char *const *params)
{
    size_t i;
    char len[32];

    memset(r, 0, sizeof(*r));
    r->a = a;
    r->app = testapp_get();
    MUST_OK(kv_add(a, &r->env, STR_LIT("REQUEST_METHOD"), str_c(method)));
    MUST_OK(kv_add(a, &r->env, STR_LIT("REQUEST_URI"), str_c(uri)));
    MUST_OK(kv_add(a, &r->env, STR_LIT("HTTP_HOST"), STR_LIT("app.test")));
    for (i = 0; params != NULL && params[i] != NULL; i++) {
        const char *eq = strchr(params[i], '=');

        MUST_OK(kv_add(
            a, &r->env,
            arena_str(a, (struct str){ params[i], (size_t)(eq - params[i]) }),
            str_c(eq + 1)));
    }
    /* After the given parameters, which win (kv_get finds the first). */
    if (body != NULL) {
        r->test_body = str_c(body);
        snprintf(len, sizeof(len), "%zu", strlen(body));
        MUST_OK(kv_add(a, &r->env, STR_LIT("CONTENT_LENGTH"),
                       arena_str(a, str_c(len))));
    }
}

int
testreq_run(struct req *r, const char **head)
{
    struct buf b;

    worker_dispatch(r, NULL);
    buf_init(&b, r->a, 1 << 20);
    MUST_OK(http_format_head(r, &b));
    if (head != NULL)
        *head = b.p;
    return r->status;
}

const char *
testreq_header(const struct req *r, const char *name)
{
    size_t i;

    for (i = 0; i < r->nhdrs; i++) {
        if (strcmp(r->hdrs[i].name, name) == 0)
            return r->hdrs[i].value;
    }
    return NULL;
}
