/*
 * admin_settings.c -- the company's settings page (admins): which roles
 * may export customer lists, and where notifications go (WeCom robot,
 * webhook and its secret).
 */
#include "web/handlers/admin_settings.h"

#include "identity/role.h"
#include "identity/settings.h"
#include "web/auth.h"
#include "web/view.h"
#include "work/channels.h"

APP_MUST_USE static enum app_err
page(struct req *r, int status, cJSON *errors, const void *channel_values)
{
    static const char *const done[] = { "saved", "channels", NULL };
    struct channels ch;
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
    rc = channels_get(&r->cx, &ch);
    if (rc != APP_OK)
        return rc;
    {
        /* A refused channels form shows what was typed. */
        const struct str *u =
            channel_values != NULL ? http_form(r, "wecom_robot_url") : NULL;
        const struct str *w =
            channel_values != NULL ? http_form(r, "webhook_url") : NULL;

        view_add_str(m, "wecom_robot_url",
                     u != NULL ? arena_strndup(r->a, u->p, u->len)
                               : ch.wecom_robot_url);
        view_add_str(m, "webhook_url",
                     w != NULL ? arena_strndup(r->a, w->p, w->len)
                               : ch.webhook_url);
    }
    cJSON_AddBoolToObject(m, "has_secret", ch.has_secret);
    {
        static const char *const keys[] = { "smtp_url", "smtp_user",
                                            "smtp_from" };
        const char *kept[] = { ch.smtp_url, ch.smtp_user, ch.smtp_from };
        size_t f;

        for (f = 0; f < 3; f++) {
            const struct str *typed =
                channel_values != NULL ? http_form(r, keys[f]) : NULL;

            view_add_str(m, keys[f],
                         typed != NULL
                             ? arena_strndup(r->a, typed->p, typed->len)
                             : kept[f]);
        }
        cJSON_AddBoolToObject(m, "has_smtp_password", ch.has_smtp_password);
    }
    if (errors != NULL)
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
    view_done(r, m, "settings.done_%s", done);
    return view_page(r, status, "pages/admin_settings", m);
}

enum app_err
admin_settings(struct req *r)
{
    return page(r, 200, NULL, NULL);
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
        return page(r, 422, errors, NULL);
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, "/admin/settings?done=saved");
}

enum app_err
admin_channels_save(struct req *r)
{
    cJSON *errors = view_errors(r);
    const char *secret = NULL;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = channels_save(&r->cx, &r->form, errors, &secret);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return page(r, 422, errors, r);
    }
    if (rc != APP_OK)
        return rc;
    if (secret != NULL)
        return view_secret_page(r, "channels.secret_title", secret,
                                "/admin/settings?done=channels");
    return http_redirect(r, "/admin/settings?done=channels#channels");
}

enum app_err
admin_webhook_secret(struct req *r)
{
    const char *secret = NULL;
    enum app_err rc;

    if (!view_confirmed(r))
        return view_confirm_page(r, http_t(r, "channels.rotate_title"),
                                 http_t(r, "channels.rotate_message"),
                                 "/admin/settings#channels");
    rc = channels_rotate_secret(&r->cx, &secret);
    if (rc != APP_OK)
        return rc;
    return view_secret_page(r, "channels.secret_title", secret,
                            "/admin/settings?done=channels");
}
