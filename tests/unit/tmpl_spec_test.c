/*
 * tmpl_spec_test.c -- runs the official Mustache spec (STYLE §17) against
 * tmpl.c: every test of the comments, delimiters, interpolation, inverted,
 * partials, sections and ~inheritance suites.  Lambdas and dynamic names are
 * not supported, so their suites are not run.
 *
 * The spec's JSON files are read from $MUSTACHE_SPEC_DIR, else from
 * ../shared/mustache-spec relative to the current directory (the tests run
 * from the repository root).  Without them each suite is skipped, so a
 * checkout without the spec still builds and tests -- except in CI (CI or
 * MUSTACHE_SPEC_REQUIRED set and not empty or "false"), where the spec is
 * always there and its absence is a failure.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "http/tmpl.h"

#define SPEC_MAX_FILE (4u << 20)
#define MAIN_NAME "\x01spec-main" /* cannot clash with a partial's name */

/* The whole file at dir/name, NUL-terminated; NULL when it cannot be read.
 * The caller frees it. */
static char *
read_spec(const char *name, size_t *len)
{
    const char *dir = getenv("MUSTACHE_SPEC_DIR");
    char path[4096];
    FILE *f;
    char *p;
    size_t n;

    if (dir == NULL || dir[0] == '\0')
        dir = "../shared/mustache-spec";
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    p = malloc(SPEC_MAX_FILE + 1);
    if (p == NULL) {
        fclose(f);
        return NULL;
    }
    n = fread(p, 1, SPEC_MAX_FILE, f);
    fclose(f);
    p[n] = '\0';
    *len = n;
    return p;
}

static void
print_escaped(const char *label, const char *s)
{
    fprintf(stderr, "  %s: \"", label);
    for (; *s != '\0'; s++) {
        if (*s == '\n')
            fputs("\\n", stderr);
        else if (*s == '\r')
            fputs("\\r", stderr);
        else if (*s == '\t')
            fputs("\\t", stderr);
        else
            fputc(*s, stderr);
    }
    fputs("\"\n", stderr);
}

/* Run one spec test; true when the output matches. */
static bool
run_one(const char *suite, const cJSON *test)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(test, "name");
    const cJSON *tmpl = cJSON_GetObjectItemCaseSensitive(test, "template");
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(test, "expected");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(test, "data");
    const cJSON *partials = cJSON_GetObjectItemCaseSensitive(test, "partials");
    const cJSON *p;
    struct tmpl_limits lim = { 1u << 20, 64 };
    struct tmpl_set *set = tmpl_set_new();
    struct buf out;
    char err[256] = "";
    enum app_err rc = APP_OK;
    bool ok;

    assert_non_null(set);
    assert_true(cJSON_IsString(name) && cJSON_IsString(tmpl) &&
                cJSON_IsString(want));
    buf_init(&out, NULL, 1u << 20);
    cJSON_ArrayForEach(p, partials)
    {
        if (rc == APP_OK && cJSON_IsString(p))
            rc = tmpl_set_add(set, p->string, p->valuestring,
                              strlen(p->valuestring), err, sizeof(err));
    }
    if (rc == APP_OK)
        rc = tmpl_set_add(set, MAIN_NAME, tmpl->valuestring,
                          strlen(tmpl->valuestring), err, sizeof(err));
    if (rc == APP_OK)
        rc = tmpl_render(set, MAIN_NAME, data, &lim, &out, err, sizeof(err));
    ok = rc == APP_OK &&
         strcmp(out.p != NULL ? out.p : "", want->valuestring) == 0;
    if (!ok) {
        fprintf(stderr, "%s: FAILED \"%s\" (rc %d %s)\n", suite,
                name->valuestring, rc, err);
        print_escaped("template", tmpl->valuestring);
        print_escaped("expected", want->valuestring);
        print_escaped("actual", out.p != NULL ? out.p : "");
    }
    buf_free(&out);
    tmpl_set_free(set);
    return ok;
}

/* Whether a missing spec is a failure: in CI, where it always exists. */
static bool
spec_required(void)
{
    static const char *const vars[] = { "MUSTACHE_SPEC_REQUIRED", "CI" };
    size_t i;

    for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        const char *v = getenv(vars[i]);

        if (v != NULL && v[0] != '\0' && strcmp(v, "false") != 0 &&
            strcmp(v, "0") != 0)
            return true;
    }
    return false;
}

static void
run_suite(const char *suite)
{
    char file[128];
    size_t len = 0, passed = 0, failed = 0;
    char *text;
    cJSON *doc;
    const cJSON *test;

    snprintf(file, sizeof(file), "%s.json", suite);
    text = read_spec(file, &len);
    if (text == NULL) {
        if (spec_required())
            fail_msg("%s: the Mustache spec is required here (CI) but was "
                     "not found; set MUSTACHE_SPEC_DIR",
                     suite);
        printf("%s: skipped (spec not found; set MUSTACHE_SPEC_DIR)\n", suite);
        skip();
    }
    doc = cJSON_ParseWithLength(text, len);
    free(text);
    assert_non_null(doc);
    cJSON_ArrayForEach(test, cJSON_GetObjectItemCaseSensitive(doc, "tests"))
    {
        if (run_one(suite, test))
            passed++;
        else
            failed++;
    }
    cJSON_Delete(doc);
    printf("%s: %zu passed\n", suite, passed);
    if (failed > 0)
        fail_msg("%s: %zu of %zu failed", suite, failed, passed + failed);
    assert_true(passed > 0);
}

static void
test_comments(void **state)
{
    (void)state;
    run_suite("comments");
}

static void
test_delimiters(void **state)
{
    (void)state;
    run_suite("delimiters");
}

static void
test_interpolation(void **state)
{
    (void)state;
    run_suite("interpolation");
}

static void
test_inverted(void **state)
{
    (void)state;
    run_suite("inverted");
}

static void
test_partials(void **state)
{
    (void)state;
    run_suite("partials");
}

static void
test_sections(void **state)
{
    (void)state;
    run_suite("sections");
}

static void
test_inheritance(void **state)
{
    (void)state;
    run_suite("~inheritance");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comments),      cmocka_unit_test(test_delimiters),
        cmocka_unit_test(test_interpolation), cmocka_unit_test(test_inverted),
        cmocka_unit_test(test_partials),      cmocka_unit_test(test_sections),
        cmocka_unit_test(test_inheritance),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
