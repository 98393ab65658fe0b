/*
 * admin_settings.c -- the company's settings page (admins): which roles
 * may export customer lists.
 */
#include "web/handlers/admin_settings.h"

#include "identity/role.h"
#include "identity/settings.h"
#include "web/auth.h"
#include "web/view.h"

APP_MUST_USE static enum app_err
page(struct req *r, int status, cJSON *errors)
{
    static const char *const done[] = { "saved", NULL };
    cJSON *m = view_new(r), *roles;
    unsigned mask = 0;
    int k;
    enum app_err rc = settings_export_roles(&r->cx, &mask);

    if (rc != APP_OK)
        return rc;
    if (m == NULL || (roles = cJSON_AddArrayToObject(m, "roles")) == NULL)
        return APP_ENOMEM;
    for (k = 0; k < ROLE_COUNT; k++) {
        cJSON *o = cJSON_CreateObject();

        if (o == NULL || !cJSON_AddItemToArray(roles, o))
            return APP_ENOMEM;
        view_add_str(o, "value", role_names[k]);
        view_add_str(o, "label",
                     http_t(r, arena_printf(r->a, "role.%s", role_names[k])));
        cJSON_AddBoolToObject(o, "checked", (mask & (1u << k)) != 0);
        cJSON_AddBoolToObject(o, "fixed", (1u << k) == ROLE_ADMIN);
    }
    if (errors != NULL)
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
    view_done(r, m, "settings.done_%s", done);
    return view_page(r, status, "pages/admin_settings", m);
}

enum app_err
admin_settings(struct req *r)
{
    return page(r, 200, NULL);
}

enum app_err
admin_settings_save(struct req *r)
{
    cJSON *errors = view_errors(r);
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = settings_save(&r->cx, &r->form, errors);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return page(r, 422, errors);
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, "/admin/settings?done=saved");
}
