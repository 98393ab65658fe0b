/*
 * i18n_test.c -- catalogs and language negotiation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "base/i18n.h"

struct neg_row {
    const char *user, *cookie, *accept, *def, *want;
};

static const struct neg_row neg_rows[] = {
    /* hostile or empty headers first */
    { "", "", "", "zh-CN", "zh-CN" },
    { "", "", ",,,;;;", "en", "en" },
    { "", "", "en;q=abc", "zh-CN", "zh-CN" },
    { "", "", "en;q=2", "zh-CN", "zh-CN" },
    { "", "", "fr-FR, de;q=0.9", "zh-CN", "zh-CN" },
    { "", "", "*", "en", "en" },
    { "", "xx", "", "en", "en" },
    /* Accept-Language */
    { "", "", "en-US,en;q=0.9", "zh-CN", "en" },
    { "", "", "zh-CN,zh;q=0.9,en;q=0.8", "en", "zh-CN" },
    { "", "", "zh-TW", "en", "zh-CN" },
    { "", "", "fr;q=1, en;q=0.5, zh;q=0.7", "en", "zh-CN" },
    { "", "", "en;q=0.1", "zh-CN", "en" },
    { "", "", "en;q=0", "zh-CN", "zh-CN" },
    /* cookie beats the header, the user's setting beats both */
    { "", "en", "zh-CN", "zh-CN", "en" },
    { "zh-CN", "en", "en", "en", "zh-CN" },
    { "en", "", "", "zh-CN", "en" },
};

static void
test_negotiate(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(neg_rows) / sizeof(neg_rows[0]); i++) {
        const struct neg_row *r = &neg_rows[i];
        const char *got = i18n_negotiate(str_c(r->user), str_c(r->cookie),
                                         str_c(r->accept), r->def);

        if (strcmp(got, r->want) != 0)
            fail_msg("row %zu: '%s' -> %s, want %s", i, r->accept, got,
                     r->want);
    }
}

/* Both catalogs must have the same keys: a key only in one language would
 * show an untranslated key to the other. */
static void
collect(const cJSON *node, const char *prefix, char out[][128], int *n)
{
    const cJSON *c;

    cJSON_ArrayForEach(c, node)
    {
        char key[128];

        snprintf(key, sizeof(key), "%s%s%s", prefix, prefix[0] ? "." : "",
                 c->string);
        if (cJSON_IsObject(c)) {
            collect(c, key, out, n);
        } else {
            assert_true(cJSON_IsString(c));
            assert_true(*n < 2000);
            memcpy(out[(*n)++], key, sizeof(key));
        }
    }
}

static char zh_keys[2000][128], en_keys[2000][128];

static void
test_catalogs_match(void **state)
{
    struct i18n *i18n = NULL;
    char err[256];
    int nz = 0, ne = 0, k;

    (void)state;
    assert_int_equal(i18n_load("templates/i18n", &i18n, err, sizeof(err)),
                     APP_OK);
    collect(i18n_catalog(i18n, "zh-CN"), "", zh_keys, &nz);
    collect(i18n_catalog(i18n, "en"), "", en_keys, &ne);
    assert_true(nz > 50);
    for (k = 0; k < nz; k++) {
        if (i18n_lookup(i18n_catalog(i18n, "en"), zh_keys[k]) == NULL)
            fail_msg("en.json lacks %s", zh_keys[k]);
    }
    for (k = 0; k < ne; k++) {
        if (i18n_lookup(i18n_catalog(i18n, "zh-CN"), en_keys[k]) == NULL)
            fail_msg("zh-CN.json lacks %s", en_keys[k]);
    }
    assert_string_equal(i18n_text(i18n, "en", "login.title"), "Sign in");
    assert_string_equal(i18n_text(i18n, "zh-CN", "login.title"), "登录");
    assert_null(i18n_text(i18n, "en", "no.such.key"));
    assert_null(i18n_text(i18n, "en", "login")); /* an object, not text */
    i18n_free(i18n);
}

static void
test_bad_catalog_dir(void **state)
{
    struct i18n *i18n = NULL;
    char err[256] = "";

    (void)state;
    assert_int_not_equal(i18n_load("/nonexistent", &i18n, err, sizeof(err)),
                         APP_OK);
    assert_non_null(strstr(err, "zh-CN.json"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_negotiate),
        cmocka_unit_test(test_catalogs_match),
        cmocka_unit_test(test_bad_catalog_dir),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
