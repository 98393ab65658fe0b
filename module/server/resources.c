/*
 * resources.c -- loading and freeing the process-lifetime resources.
 */
#include "http/app.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "base/i18n.h"
#include "http/router.h"
#include "rules/rules.h"
#include "http/tmpl.h"
#include "base/jsonmem.h"

enum app_err
app_load_resources(struct app *a, char *err, size_t errlen)
{
    struct tmpl_set *tmpl = NULL;
    char *engine = NULL;
    size_t engine_len = 0;
    struct i18n *i18n = NULL;
    struct router *router = NULL;
    char dir[CONF_STR_MAX + 8];
    enum app_err rc;

    jsonmem_init();
    snprintf(dir, sizeof(dir), "%s/i18n", a->conf.templates_dir);
    rc = i18n_load(dir, &i18n, err, errlen);
    if (rc != APP_OK)
        goto fail;
    tmpl = tmpl_set_new();
    if (tmpl == NULL) {
        rc = APP_ENOMEM;
        goto fail;
    }
    rc = tmpl_set_load_dir(tmpl, a->conf.templates_dir, err, errlen);
    if (rc == APP_OK)
        rc = tmpl_set_check(tmpl, err, errlen);
    if (rc != APP_OK)
        goto fail;
    if (!tmpl_set_has(tmpl, "pages/error")) {
        snprintf(err, errlen, "%s: no pages/error template",
                 a->conf.templates_dir);
        rc = APP_ENOTFOUND;
        goto fail;
    }
    rc = router_new(app_routes, app_routes_count, &router, err, errlen);
    if (rc != APP_OK)
        goto fail;
    rc = rules_load_engine(a->conf.lua_dir, &engine, &engine_len, err, errlen);
    if (rc != APP_OK)
        goto fail;
    app_free_resources(a);
    a->tmpl = tmpl;
    a->i18n = i18n;
    a->router = router;
    a->engine = engine;
    a->engine_len = engine_len;
    return APP_OK;
fail:
    free(engine);
    router_free(router);
    tmpl_set_free(tmpl);
    i18n_free(i18n);
    return rc;
}

void
app_free_resources(struct app *a)
{
    router_free(a->router);
    tmpl_set_free(a->tmpl);
    i18n_free(a->i18n);
    free(a->engine);
    a->engine = NULL;
    a->engine_len = 0;
    a->router = NULL;
    a->tmpl = NULL;
    a->i18n = NULL;
}
