/*
 * view_test.c -- a document is complete or not sent.
 *
 * An HTML page built from a view model the way handlers build one (fields
 * added without checking each), and a real request through the real
 * dispatcher (the JSON echo of the debug routes), with the n-th cJSON
 * allocation made to fail, for every n they make: each answer is either
 * the very document they give without failures, or a 500 -- never a page
 * or a JSON document with a field missing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "db/audit.h"
#include "base/jsonmem.h"
#include "web/view.h"
#include "testapp.h"

struct answer {
    int status;
    char *body; /* malloc'ed, with the per-request tokens masked */
};

/* The CSRF token and request id differ per request: mask them so two
 * answers compare equal when they say the same. */
static void
mask(char *s, const char *marker)
{
    char *p = s;

    while ((p = strstr(p, marker)) != NULL) {
        p += strlen(marker);
        while (*p != '\0' && *p != '"' && *p != '<' && *p != '&')
            *p++ = 'x';
    }
}

static struct answer
ask(struct arena *a, const char *method, const char *uri, const char *body,
    const char *const *params)
{
    struct req r;
    struct answer out;

    testreq_init(&r, a, method, uri, body, params);
    out.status = testreq_run(&r, NULL);
    out.body = strndup(r.body.p != NULL ? r.body.p : "", r.body.len);
    assert_non_null(out.body);
    mask(out.body, "name=\"_csrf\" value=\"");
    mask(out.body, "\"rid\":\"");
    mask(out.body, "error-rid\">");
    arena_reset(a);
    return out;
}

/* Every failing allocation of the request, one at a time and from there
 * on: the whole document, or a 500 that is not a piece of it. */
static void
every_failure(const char *method, const char *uri, const char *body,
              const char *const *params, const char *marker)
{
    struct arena *a = arena_new(1 << 16, 64u << 20);
    struct answer good, got;
    uint64_t before;
    long n, k;
    int all, complete = 0, refused = 0;

    assert_non_null(a);
    good = ask(a, method, uri, body, params); /* warm caches */
    free(good.body);
    before = jsonmem_allocations();
    good = ask(a, method, uri, body, params);
    k = (long)(jsonmem_allocations() - before);
    assert_int_equal(good.status, 200);
    assert_non_null(strstr(good.body, marker));
    assert_true(k > 5);
    for (all = 0; all < 2; all++) {
        for (n = 1; n <= k + 1; n++) {
            jsonmem_fail_after(n, all);
            got = ask(a, method, uri, body, params);
            jsonmem_fail_after(0, 0);
            if (got.status == 200 && strcmp(got.body, good.body) == 0) {
                complete++;
            } else if (got.status == 500) {
                if (strstr(got.body, marker) != NULL)
                    fail_msg("%s %s, allocation %ld failing: a 500 with a "
                             "piece of the document",
                             method, uri, n);
                refused++;
            } else {
                fail_msg("%s %s, allocation %ld failing%s: status %d, %s "
                         "document",
                         method, uri, n, all ? " and on" : "", got.status,
                         got.status == 200 ? "an incomplete" : "a");
            }
            free(got.body);
        }
    }
    /* Both outcomes happen: the check can tell them apart. */
    assert_true(refused > 0);
    assert_true(complete > 0); /* the allocation past the last one */
    free(good.body);
    arena_free(a);
}

/* An HTML page from a view model built the way handlers build them: many
 * fields added without checking each one, some of them copies made in the
 * request's arena (a NULL from it is added as "").  arena_fail > 0 makes
 * that arena allocation of the request fail. */
APP_MUST_USE static enum app_err
build_page(struct arena *a, char **body, unsigned arena_fail)
{
    struct req r;
    cJSON *m, *list;
    enum app_err rc;
    int i;

    *body = strdup("");
    assert_non_null(*body);
    testreq_init(&r, a, "GET", "/page", NULL, NULL);
    arena_fail_after(a, arena_fail);
    rc = http_begin(&r);
    m = rc == APP_OK ? view_new(&r) : NULL;
    if (rc == APP_OK && m == NULL)
        rc = APP_ENOMEM;
    if (rc != APP_OK) {
        arena_fail_after(a, 0);
        arena_reset(a);
        return rc;
    }
    cJSON_AddNumberToObject(m, "status", 409);
    view_add_str(m, "title", arena_strdup(r.a, "TITLE-MARKER"));
    view_add_str(m, "message", "The message of the page");
    view_add_str(m, "detail", arena_printf(r.a, "%s-%s", "DETAIL", "MARKER"));
    view_add_str(m, "rid", "RID-MARKER");
    list = cJSON_AddArrayToObject(m, "rows");
    for (i = 0; i < 20; i++) {
        cJSON *o = cJSON_CreateObject();

        view_add_str(o, "name", "row");
        if (!cJSON_AddItemToArray(list, o))
            cJSON_Delete(o);
    }
    rc = view_page(&r, 200, "pages/error", m);
    arena_fail_after(a, 0);
    free(*body);
    *body = strndup(r.body.p != NULL ? r.body.p : "", r.body.len);
    assert_non_null(*body);
    mask(*body, "name=\"_csrf\" value=\"");
    arena_reset(a);
    return rc;
}

static void
test_html_page_complete_or_500(void **state)
{
    struct arena *a = arena_new(1 << 16, 64u << 20);
    char *good, *got;
    uint64_t before;
    long n, k;
    int all, complete = 0, refused = 0;
    enum app_err rc;

    (void)state;
    assert_non_null(a);
    assert_int_equal(build_page(a, &good, 0), APP_OK);
    free(good);
    before = jsonmem_allocations();
    assert_int_equal(build_page(a, &good, 0), APP_OK);
    k = (long)(jsonmem_allocations() - before);
    assert_non_null(strstr(good, "DETAIL-MARKER"));
    assert_true(k > 20);
    for (all = 0; all < 2; all++) {
        for (n = 1; n <= k + 1; n++) {
            jsonmem_fail_after(n, all);
            rc = build_page(a, &got, 0);
            jsonmem_fail_after(0, 0);
            if (rc == APP_OK && strcmp(got, good) == 0)
                complete++;
            else if (rc == APP_ENOMEM && got[0] == '\0')
                refused++; /* the handler answers 500 */
            else
                fail_msg("allocation %ld failing%s: rc %d, %s page", n,
                         all ? " and on" : "", rc,
                         got[0] != '\0' ? "an incomplete" : "no");
            free(got);
        }
    }
    assert_true(refused > 0);
    assert_true(complete > 0);
    free(good);
    arena_free(a);
}

/* The same page with the n-th arena allocation of the request failing, for
 * every n it makes: a string copied into the arena is NULL then, and
 * view_add_str or cJSON_AddStringToObject would leave the field empty or
 * out.  The page is the complete one or the handler answers 500. */
static void
test_html_page_arena_failure_complete_or_500(void **state)
{
    struct arena *a = arena_new(1 << 16, 64u << 20);
    char *good, *got;
    size_t before;
    unsigned n;
    int complete = 0, refused = 0;
    enum app_err rc;

    (void)state;
    assert_non_null(a);
    assert_int_equal(build_page(a, &good, 0), APP_OK);
    assert_non_null(strstr(good, "TITLE-MARKER"));
    assert_non_null(strstr(good, "DETAIL-MARKER"));
    for (n = 1;; n++) {
        before = arena_failures(a);
        rc = build_page(a, &got, n);
        if (arena_failures(a) == before) {
            /* Past the request's last allocation: nothing failed. */
            assert_int_equal(rc, APP_OK);
            assert_string_equal(got, good);
            free(got);
            break;
        }
        if (rc == APP_OK && strcmp(got, good) == 0)
            complete++;
        else if (rc != APP_OK && got[0] == '\0')
            refused++; /* the dispatcher answers with the error page */
        else
            fail_msg("arena allocation %u failing: rc %d, %s page", n, rc,
                     got[0] != '\0' ? "an incomplete" : "no");
        free(got);
        assert_true(n < 100000);
    }
    /* The failures reached the copied fields, and were refused. */
    assert_true(n > 3);
    assert_true(refused > 0);
    (void)complete; /* a failure the code has a way around is fine */
    free(good);
    arena_free(a);
}

static void
test_json_document_complete_or_500(void **state)
{
    static const char *const json[] = {
        "CONTENT_TYPE=application/json",
        "HTTP_ACCEPT=application/json",
        NULL,
    };
    static const char body[] =
        "{\"a\": [1, 2, {\"b\": \"\\u4e2d\"}], \"version\": 7, \"c\": "
        "{\"d\": true, \"e\": null, \"f\": \"text\"}}";

    (void)state;
    every_failure("POST", "/_debug/echo", body, json, "\"version\":7");
}

/* A document to store (audit detail, evidence data) after an allocation
 * of the request failed is refused too, before it reaches the database
 * -- whether the cJSON or the arena allocation failed. */
static void
test_stored_document_refused_after_a_failure(void **state)
{
    struct arena *a = arena_new(1 << 16, 64u << 20);
    struct req r;
    cJSON *d;
    char *text;
    int i;

    (void)state;
    assert_non_null(a);
    for (i = 0; i < 2; i++) {
        testreq_init(&r, a, "GET", "/page", NULL, NULL);
        assert_int_equal(http_begin(&r), APP_OK);
        d = cJSON_CreateObject();
        assert_true(view_add_str(d, "login", "someone"));
        text = http_json_text(&r, d);
        assert_string_equal(text, "{\"login\":\"someone\"}");
        cJSON_free(text);
        if (i == 0) { /* a field lost: cJSON could not copy it */
            jsonmem_fail_after(1, 0);
            assert_false(view_add_str(d, "reason", "wrong password"));
            jsonmem_fail_after(0, 0);
        } else { /* a field left empty: its value was not copied */
            arena_fail_after(a, 1);
            assert_true(view_add_str(d, "reason", arena_strdup(r.a, "x")));
            arena_fail_after(a, 0);
        }
        assert_null(http_json_text(&r, d));
        /* Refused before the database (which, here, is not there). */
        assert_int_equal(audit_write(&r.cx, 1, 1, 1, "login.failed", d),
                         APP_ENOMEM);
        assert_int_not_equal(audit_write(&r.cx, 1, 1, 1, "login.failed", NULL),
                             APP_ENOMEM);
        /* An answer that starts afresh (the error page) is not stopped. */
        http_fresh(&r);
        text = http_json_text(&r, d);
        assert_non_null(text);
        cJSON_free(text);
        cJSON_Delete(d);
        arena_reset(a);
    }
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_page_complete_or_500),
        cmocka_unit_test(test_html_page_arena_failure_complete_or_500),
        cmocka_unit_test(test_stored_document_refused_after_a_failure),
        cmocka_unit_test(test_json_document_complete_or_500),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
