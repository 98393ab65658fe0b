/*
 * http_test.c -- the request pipeline in process: routing, errors, CSRF,
 * response headers, cookies and redirects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "testapp.h"
#include "server/worker.h"

static struct arena *A;

static int
setup(void **state)
{
    (void)state;
    A = arena_new(64 * 1024, 64u << 20);
    testapp_get();
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    arena_free(A);
    return 0;
}

struct row {
    const char *method, *uri, *body;
    const char *params[6];
    int status;
    const char *body_has; /* substring of the response body */
    const char *header;   /* "Name: value" the response must carry */
};

static const struct row rows[] = {
    /* malformed requests first */
    { "GET", "relative", NULL, { NULL }, 400, NULL, NULL },
    { "BREW", "/login", NULL, { NULL }, 405, NULL, NULL },
    { "GET", "/no/such/page", NULL, { NULL }, 404, "页面不存在", NULL },
    { "GET",
      "/no/such/page",
      NULL,
      { "HTTP_ACCEPT_LANGUAGE=en", NULL },
      404,
      "Page not found",
      NULL },
    { "GET",
      "/no/such",
      NULL,
      { "HTTP_ACCEPT=application/json", NULL },
      404,
      "\"error\":\"not_found\"",
      "Content-Type: application/json" },
    { "DELETE", "/login", NULL, { NULL }, 405, NULL, "Allow: GET, HEAD" },
    { "GET", "/_debug/error/413", NULL, { NULL }, 413, "内容过大", NULL },
    /* the database is unreachable in this process: RF_DB routes say so */
    { "GET",
      "/login",
      NULL,
      { "HTTP_ACCEPT_LANGUAGE=en", NULL },
      503,
      "database cannot be reached",
      "Retry-After: 5" },
    { "GET", "/readyz", NULL, { NULL }, 503, NULL, NULL },
    /* routes that need no database */
    { "GET", "/healthz", NULL, { NULL }, 200, "ok", NULL },
    { "HEAD", "/healthz", NULL, { NULL }, 200, NULL, NULL },
    /* state changes need a same-origin request and the token */
    { "POST", "/_debug/state", "a=1", { NULL }, 403, NULL, NULL },
    { "POST",
      "/_debug/state",
      "a=1",
      { "HTTP_ORIGIN=http://evil.test", NULL },
      403,
      NULL,
      NULL },
    { "POST",
      "/_debug/state",
      "a=1",
      { "HTTP_ORIGIN=http://app.test",
        "CONTENT_TYPE=application/x-www-form-urlencoded", NULL },
      403,
      "刷新页面",
      NULL },
    { "POST",
      "/_debug/state",
      "a=1&_csrf=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
      { "HTTP_ORIGIN=http://app.test",
        "HTTP_COOKIE=pl_csrf=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "CONTENT_TYPE=application/x-www-form-urlencoded", NULL },
      403,
      NULL,
      NULL },
    { "POST",
      "/_debug/state",
      "a=1&_csrf=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      { "HTTP_ORIGIN=http://app.test",
        "HTTP_COOKIE=pl_csrf=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "CONTENT_TYPE=application/x-www-form-urlencoded", NULL },
      200,
      "changed",
      NULL },
    { "POST",
      "/_debug/state",
      "a=1&_csrf=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      { "HTTP_REFERER=http://app.test/login",
        "HTTP_COOKIE=pl_csrf=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "CONTENT_TYPE=application/x-www-form-urlencoded", NULL },
      200,
      "changed",
      NULL },
    { "POST",
      "/_debug/state",
      "a=1&_csrf=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      { "HTTP_REFERER=http://app.test.evil.test/login",
        "HTTP_COOKIE=pl_csrf=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "CONTENT_TYPE=application/x-www-form-urlencoded", NULL },
      403,
      NULL,
      NULL },
    { "GET", "/_debug/state", NULL, { NULL }, 405, NULL, "Allow: POST" },
    /* routes that need the database answer 503 before anything else */
    { "POST", "/lang", "lang=en", { NULL }, 503, NULL, NULL },
    /* bodies: wrong type, too large */
    { "POST",
      "/_debug/echo",
      "<x/>",
      { "CONTENT_TYPE=text/xml", NULL },
      415,
      NULL,
      NULL },
    { "POST",
      "/_debug/echo",
      "x",
      { "CONTENT_TYPE=application/json", "CONTENT_LENGTH=999999999999", NULL },
      413,
      NULL,
      NULL },
    { "POST",
      "/_debug/echo",
      "{\"a\":1}",
      { "CONTENT_TYPE=application/json", NULL },
      200,
      "\"json\":{\"a\":1}",
      NULL },
};

static void
test_dispatch_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *w = &rows[i];
        struct req r;
        const char *head;
        int status;

        testreq_init(&r, A, w->method, w->uri, w->body, w->params);
        status = testreq_run(&r, &head);
        if (status != w->status)
            fail_msg("row %zu: %s %s -> %d, want %d\n%s%s", i, w->method,
                     w->uri, status, w->status, head, r.body.p);
        if (w->body_has != NULL &&
            (r.body.p == NULL || strstr(r.body.p, w->body_has) == NULL))
            fail_msg("row %zu: body lacks '%s':\n%s", i, w->body_has, r.body.p);
        if (w->header != NULL && strstr(head, w->header) == NULL)
            fail_msg("row %zu: head lacks '%s':\n%s", i, w->header, head);
        /* Every response, error or not, carries the security headers. */
        if (strstr(head, "object-src 'none'") == NULL ||
            strstr(head, "X-Content-Type-Options: nosniff") == NULL ||
            strstr(head, "Cache-Control: no-store") == NULL)
            fail_msg("row %zu: security headers missing:\n%s", i, head);
        arena_reset(A);
    }
}

static void
test_header_injection_refused(void **state)
{
    struct req r;
    static const char *const bad_values[] = { "a\r\nSet-Cookie: x=1", "a\n",
                                              "a\rb" };
    static const char *const bad_names[] = { "", "Bad Name", "X:Y", "X\n" };
    size_t i;

    (void)state;
    testreq_init(&r, A, "GET", "/", NULL, NULL);
    for (i = 0; i < 3; i++)
        assert_int_equal(http_header(&r, "X-Test", bad_values[i]), APP_EINVAL);
    for (i = 0; i < 4; i++)
        assert_int_equal(http_header(&r, bad_names[i], "v"), APP_EINVAL);
    assert_int_equal(r.nhdrs, 0);
    assert_int_equal(http_header(&r, "X-Test", "fine value"), APP_OK);
    assert_int_equal(http_cookie_set(&r, "a", "x;y", NULL), APP_EINVAL);
    assert_int_equal(http_cookie_set(&r, "a b", "x", NULL), APP_EINVAL);
    assert_int_equal(http_cookie_set(&r, "a", "x\r\n", NULL), APP_EINVAL);
    arena_reset(A);
}

static void
test_cookie_attributes(void **state)
{
    struct req r;
    struct cookie_opts o = { .max_age = 60, .http_only = true };
    struct app *app = testapp_get();

    (void)state;
    testreq_init(&r, A, "GET", "/", NULL, NULL);
    assert_int_equal(http_cookie_set(&r, "s", "v", &o), APP_OK);
    assert_string_equal(testreq_header(&r, "Set-Cookie"),
                        "s=v; Path=/; SameSite=Lax; Max-Age=60; HttpOnly");
    app->conf.cookie_secure = true;
    assert_string_equal(http_cookie_name(&r, "sess"), "__Host-sess");
    testreq_init(&r, A, "GET", "/", NULL, NULL);
    assert_int_equal(http_cookie_set(&r, "s", "v", NULL), APP_OK);
    assert_string_equal(testreq_header(&r, "Set-Cookie"),
                        "s=v; Path=/; SameSite=Lax; HttpOnly; Secure");
    app->conf.cookie_secure = false;
    arena_reset(A);
}

static void
test_local_redirects(void **state)
{
    /* The table is wire_test's (wire_local_path); this is the wrapper
     * the redirects use. */
    (void)state;
    assert_true(http_local_path_ok(STR_LIT("/customers/1")));
    assert_false(http_local_path_ok(STR_LIT("//evil")));
    assert_false(http_local_path_ok(STR_LIT("")));
}

static void
test_pages_render_in_both_languages(void **state)
{
    static const char *const langs[] = { "zh-CN", "en" };
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        struct req r;
        char al[64];
        const char *params[2] = { al, NULL };
        int st;

        snprintf(al, sizeof(al), "HTTP_ACCEPT_LANGUAGE=%s", langs[i]);
        testreq_init(&r, A, "GET", "/_debug/error/404", NULL, params);
        st = testreq_run(&r, NULL);
        assert_int_equal(st, 404);
        assert_non_null(
            strstr(r.body.p, i == 0 ? "lang=\"zh-CN\"" : "lang=\"en\""));
        /* The CSRF token for the language switch is on every page. */
        assert_non_null(strstr(r.body.p, "name=\"_csrf\" value=\""));
        arena_reset(A);
    }
}

static void
test_send_file_without_fcgi(void **state)
{
    struct req r;
    FILE *f = tmpfile();

    (void)state;
    assert_non_null(f);
    assert_true(fputs("skip-these-bytes", f) >= 0);
    assert_int_equal(fseek(f, 5, SEEK_SET), 0);
    testreq_init(&r, A, "GET", "/", NULL, NULL);
    assert_int_equal(http_begin(&r), APP_OK); /* the body's limit */
    r.status = 200;
    /* The next length bytes from where f stands, as the body. */
    assert_int_equal(http_send_file(&r, f, 5), APP_OK);
    assert_int_equal(r.body.len, 5);
    assert_memory_equal(r.body.p, "these", 5);
    assert_false(r.sent);
    /* A file shorter than promised is an error, not a short answer. */
    assert_int_equal(fseek(f, 5, SEEK_SET), 0);
    testreq_init(&r, A, "GET", "/", NULL, NULL);
    assert_int_equal(http_begin(&r), APP_OK);
    assert_int_equal(http_send_file(&r, f, 100), APP_EIO);
    fclose(f);
    arena_reset(A);
}

static void
test_out_of_memory_is_a_clean_error(void **state)
{
    unsigned n;

    (void)state;
    /* Fail the n-th allocation of a request for every n: the pipeline must
     * answer something (usually 500) and never crash. */
    for (n = 1; n < 400; n++) {
        struct req r;
        const char *params[] = { "HTTP_ACCEPT_LANGUAGE=en", NULL };

        testreq_init(&r, A, "GET", "/_debug/error/404", NULL, params);
        arena_fail_after(A, n);
        worker_dispatch(&r, NULL);
        assert_true(r.status >= 200 && r.status < 600);
        arena_fail_after(A, 0);
        arena_reset(A);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dispatch_table),
        cmocka_unit_test(test_header_injection_refused),
        cmocka_unit_test(test_cookie_attributes),
        cmocka_unit_test(test_local_redirects),
        cmocka_unit_test(test_send_file_without_fcgi),
        cmocka_unit_test(test_pages_render_in_both_languages),
        cmocka_unit_test(test_out_of_memory_is_a_clean_error),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
