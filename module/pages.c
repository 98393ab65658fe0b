/*
 * pages.c -- the home page, the login form and the language switch.
 */
#include <string.h>

#include "app.h"
#include "handlers.h"
#include "i18n.h"
#include "router.h"
#include "validate.h"
#include "view.h"

enum app_err
pages_home(struct req *r)
{
    cJSON *m = view_new(r);

    if (m == NULL)
        return APP_ENOMEM;
    return view_page(r, 200, "pages/home", m);
}

enum app_err
pages_login_form(struct req *r)
{
    static const struct field_spec spec[] = {
        { "next", V_LOCAL_PATH, false, 0, 2048, NULL },
        { "tenant", V_SLUG, false, 1, 64, NULL },
    };
    struct field_val v[2];
    cJSON *m = view_new(r);

    if (m == NULL)
        return APP_ENOMEM;
    /* A bad `next` is dropped rather than refused: the form still works
     * and sends the user home. */
    validate_fields(r, &r->query_args, spec, 2, v, NULL);
    r->err_detail = NULL;
    if (v[0].present &&
        !view_add_str(m, "next", arena_strndup(r->a, v[0].s.p, v[0].s.len)))
        return APP_ENOMEM;
    if (v[1].present &&
        !view_add_str(m, "tenant", arena_strndup(r->a, v[1].s.p, v[1].s.len)))
        return APP_ENOMEM;
    return view_page(r, 200, "pages/login", m);
}

enum app_err
pages_set_lang(struct req *r)
{
    static const char *const langs[] = { "zh-CN", "en", NULL };
    static const struct field_spec spec[] = {
        { "lang", V_ENUM, true, 0, 0, langs },
        { "next", V_LOCAL_PATH, false, 0, 2048, NULL },
    };
    struct field_val v[2];
    struct cookie_opts opts = { .max_age = 365L * 24 * 3600,
                                .http_only = true };
    enum app_err rc;

    rc = validate_fields(r, &r->form, spec, 2, v, NULL);
    if (rc != APP_OK)
        return APP_EINVAL;
    rc = http_cookie_set(r, "pl_lang", langs[v[0].i], &opts);
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, v[1].present ? arena_strndup(r->a, v[1].s.p, v[1].s.len) : "/");
}
