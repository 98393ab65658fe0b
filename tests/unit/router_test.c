/*
 * router_test.c -- route compilation and matching, table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "identity/role.h"
#include "http/router.h"

APP_MUST_USE static enum app_err
h(struct req *r)
{
    (void)r;
    return APP_OK;
}

static const struct route table[] = {
    { HM_GET, "/", h, ROLES_PUBLIC, 0, "root" },
    { HM_GET, "/customers", h, ROLES_ANY, RF_DB, "customers.list" },
    { HM_POST, "/customers", h, ROLES_ANY, RF_STATE | RF_DB,
      "customers.create" },
    { HM_GET, "/customers/new", h, ROLES_ANY, RF_DB, "customers.new" },
    { HM_GET, "/customers/{id:int}", h, ROLES_ANY, RF_DB, "customers.show" },
    { HM_POST | HM_PUT, "/customers/{id:int}/stage", h, ROLES_ANY,
      RF_STATE | RF_DB, "customers.stage" },
    { HM_GET, "/t/{slug:slug}/files/{name:str}", h, ROLES_ANY, RF_DB, "files" },
    { HM_GET, "/_debug/x", h, ROLES_PUBLIC, RF_DEBUG, "debug" },
};

struct row {
    const char *method;
    const char *path;
    enum app_err want;
    const char *route;
    const char *param; /* "name=value" of the first parameter */
};

static const struct row rows[] = {
    /* malformed and hostile paths first */
    { "GET", "", APP_ENOTFOUND, NULL, NULL },
    { "GET", "customers", APP_ENOTFOUND, NULL, NULL },
    { "GET", "//customers", APP_ENOTFOUND, NULL, NULL },
    { "GET", "/customers/", APP_ENOTFOUND, NULL, NULL },
    { "GET", "/customers//stage", APP_ENOTFOUND, NULL, NULL },
    { "GET", "/customers/../customers", APP_ENOTFOUND, NULL, NULL },
    { "GET", "/customers/./1", APP_ENOTFOUND, NULL, NULL },
    { "GET", "/customers/0", APP_ENOTFOUND, NULL, NULL },
    { "GET", "/customers/-1", APP_ENOTFOUND, NULL, NULL },
    { "GET", "/customers/01", APP_ENOTFOUND, NULL, NULL },
    { "GET", "/customers/1e3", APP_ENOTFOUND, NULL, NULL },
    { "GET", "/customers/9007199254740993", APP_ENOTFOUND, NULL, NULL },
    { "GET", "/customers/1%00", APP_ENOTFOUND, NULL, NULL },
    { "GET", "/customers/%", APP_ENOTFOUND, NULL, NULL },
    { "GET", "/customers/%4", APP_ENOTFOUND, NULL, NULL },
    { "GET", "/customers/%zz", APP_ENOTFOUND, NULL, NULL },
    { "GET", "/t/Abc/files/x", APP_ENOTFOUND, NULL, NULL },
    { "GET", "/t/abc/files/a%2Fb", APP_ENOTFOUND, NULL, NULL },
    { "GET", "/t/abc/files/%C0%AF", APP_ENOTFOUND, NULL, NULL },
    { "GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n", APP_ENOTFOUND, NULL, NULL },
    /* methods */
    { "DELETE", "/customers", APP_EMETHOD, NULL, NULL },
    { "GET", "/customers/7/stage", APP_EMETHOD, NULL, NULL },
    /* matches */
    { "GET", "/", APP_OK, "root", NULL },
    { "HEAD", "/", APP_OK, "root", NULL },
    { "GET", "/customers", APP_OK, "customers.list", NULL },
    { "POST", "/customers", APP_OK, "customers.create", NULL },
    { "GET", "/customers/new", APP_OK, "customers.new", NULL },
    { "GET", "/customers/42", APP_OK, "customers.show", "id=42" },
    { "GET", "/customers/%34%32", APP_OK, "customers.show", "id=42" },
    { "PUT", "/customers/9007199254740992/stage", APP_OK, "customers.stage",
      "id=9007199254740992" },
    { "GET", "/t/acme-1/files/%E5%90%88%E5%90%8C.pdf", APP_OK, "files",
      "slug=acme-1" },
    { "GET", "/_debug/x", APP_OK, "debug", NULL },
};

static void
test_match_table(void **state)
{
    struct router *rt;
    char err[256];
    size_t i;
    struct arena *a = arena_new(4096, 1 << 20);

    (void)state;
    assert_int_equal(router_new(table, sizeof(table) / sizeof(table[0]), &rt,
                                err, sizeof(err)),
                     APP_OK);
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *w = &rows[i];
        struct req r;
        const struct route *route;
        unsigned allowed;
        enum app_err rc;

        memset(&r, 0, sizeof(r));
        r.a = a;
        rc = router_match(rt, &r, http_method_from(str_c(w->method)),
                          str_c(w->path), &route, &allowed);
        if (rc != w->want)
            fail_msg("row %zu: %s %s -> %s, want %s", i, w->method, w->path,
                     app_strerror(rc), app_strerror(w->want));
        if (w->route != NULL && strcmp(route->name, w->route) != 0)
            fail_msg("row %zu: matched %s, want %s", i, route->name, w->route);
        if (w->param != NULL) {
            char got[128];

            snprintf(got, sizeof(got), "%s=%.*s", r.param_names[0],
                     (int)r.params[0].len, r.params[0].p);
            if (strcmp(got, w->param) != 0)
                fail_msg("row %zu: param %s, want %s", i, got, w->param);
        }
        if (rc == APP_EMETHOD && allowed == 0)
            fail_msg("row %zu: 405 without allowed methods", i);
    }
    /* Typed access. */
    {
        struct req r;
        const struct route *route;
        unsigned allowed;

        memset(&r, 0, sizeof(r));
        r.a = a;
        assert_int_equal(router_match(rt, &r, HM_GET, STR_LIT("/customers/77"),
                                      &route, &allowed),
                         APP_OK);
        assert_int_equal(router_param_int(&r, "id"), 77);
        assert_null(router_param(&r, "nope"));
    }
    router_free(rt);
    arena_free(a);
}

struct bad_table {
    struct route r[2];
    size_t n;
    const char *err_has;
};

static void
test_bad_tables(void **state)
{
    static const struct bad_table bad[] = {
        { { { HM_GET, "nope", h, 0, 0, "a" } }, 1, "must start" },
        { { { HM_GET, "/x/{id:float}", h, 0, 0, "a" } }, 1, "unknown type" },
        { { { HM_GET, "/x/{id}", h, 0, 0, "a" } }, 1, "bad parameter" },
        { { { HM_GET, "/x//y", h, 0, 0, "a" } }, 1, "segments" },
        { { { HM_GET, "/x", h, 0, RF_STATE, "a" } }, 1, "may not take GET" },
        { { { HM_POST, "/x", h, 0, 0, "a" } }, 1, "must be declared RF_STATE" },
        { { { HM_GET, "/x", h, ROLES_ANY, 0, "a" } }, 1, "needs RF_DB" },
        { { { HM_GET, "/x/{a:int}", h, 0, 0, "a" },
            { HM_GET, "/x/{b:int}", h, 0, 0, "b" } },
          2,
          "duplicate" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct router *rt = NULL;
        char err[256] = "";

        if (router_new(bad[i].r, bad[i].n, &rt, err, sizeof(err)) != APP_EINVAL)
            fail_msg("bad table %zu accepted", i);
        if (strstr(err, bad[i].err_has) == NULL)
            fail_msg("bad table %zu: '%s' lacks '%s'", i, err, bad[i].err_has);
    }
}

static void
test_app_table_compiles(void **state)
{
    struct router *rt;
    char err[256];
    size_t i;

    (void)state;
    assert_int_equal(
        router_new(app_routes, app_routes_count, &rt, err, sizeof(err)),
        APP_OK);
    /* Every route has a name and a handler. */
    for (i = 0; i < app_routes_count; i++) {
        assert_non_null(app_routes[i].handler);
        assert_non_null(app_routes[i].name);
    }
    router_free(rt);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_table),
        cmocka_unit_test(test_bad_tables),
        cmocka_unit_test(test_app_table_compiles),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
