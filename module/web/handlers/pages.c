/*
 * pages.c -- the home page and the language switch.
 */
#include <string.h>

#include "http/app.h"
#include "web/auth.h"
#include "db/db.h"
#include "identity/user_admin.h"
#include "web/handlers/pages.h"
#include "web/task_view.h"
#include "base/i18n.h"
#include "http/router.h"
#include "base/validate.h"
#include "web/view.h"

enum app_err
pages_home(struct req *r)
{
    cJSON *m = view_new(r);

    if (m == NULL)
        return APP_ENOMEM;
    /* Signed in: the person's day first. */
    if (r->auth != NULL && r->auth->mfa_state == MFA_DONE &&
        !r->auth->password_temporary) {
        enum app_err rc = task_day(r, m, 10);

        if (rc != APP_OK)
            return rc;
        view_add_str(m, "back", "/");
    }
    return view_page(r, 200, "pages/home", m);
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

    rc = validate_fields(&r->cx.err_detail, &r->form, spec, 2, v, NULL);
    if (rc != APP_OK)
        return APP_EINVAL;
    /* A signed-in user's choice is saved with the user, so it follows
     * them to other devices; the cookie covers the signed-out pages. */
    if (r->auth != NULL && !r->auth->via_token) {
        rc = user_set_locale(&r->cx, langs[v[0].i]);
        if (rc != APP_OK)
            return rc;
    }
    rc = http_cookie_set(r, "pl_lang", langs[v[0].i], &opts);
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, v[1].present ? arena_strndup(r->a, v[1].s.p, v[1].s.len) : "/");
}
