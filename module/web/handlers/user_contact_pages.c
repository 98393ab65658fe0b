/*
 * user_contact_pages.c -- contact and preferences pages
 * (user_contact_pages.h).
 */
#include "web/handlers/user_contact_pages.h"

#include <string.h>

#include "http/router.h"
#include "identity/user_contact.h"
#include "web/auth.h"
#include "web/view.h"

/* Whether the pair is off in the stored list. */
static bool
is_off(const char *off, const char *pair)
{
    size_t n = strlen(pair);
    const char *p = off;

    while ((p = strstr(p, pair)) != NULL) {
        if ((p == off || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return true;
        p += n;
    }
    return false;
}

APP_MUST_USE static enum app_err
page(struct req *r, int status, int64_t id, const char *action,
     const char *back, cJSON *errors)
{
    static const char *const done[] = { "saved", NULL };
    struct user_contact uc;
    cJSON *m, *u, *rows;
    enum app_err rc = user_contact_get(&r->cx, id, &uc);
    int k, c;

    if (rc != APP_OK)
        return rc;
    m = view_new(r);
    if (m == NULL || (u = cJSON_AddObjectToObject(m, "u")) == NULL ||
        (rows = cJSON_AddArrayToObject(m, "prefs")) == NULL)
        return APP_ENOMEM;
    /* A refused form shows what was typed. */
    view_add_str(u, "name", uc.name);
    view_add_str(u, "email",
                 errors != NULL && http_form(r, "email") != NULL
                     ? arena_str(r->a, *http_form(r, "email")).p
                     : uc.email);
    view_add_str(u, "mobile",
                 errors != NULL && http_form(r, "mobile") != NULL
                     ? arena_str(r->a, *http_form(r, "mobile")).p
                     : uc.mobile);
    view_add_str(u, "wecom_id",
                 errors != NULL && http_form(r, "wecom_id") != NULL
                     ? arena_str(r->a, *http_form(r, "wecom_id")).p
                     : uc.wecom_id);
    cJSON_AddBoolToObject(u, "leads_team", uc.leads_team);
    view_add_str(u, "team_robot_url",
                 errors != NULL && http_form(r, "team_robot_url") != NULL
                     ? arena_str(r->a, *http_form(r, "team_robot_url")).p
                     : uc.team_robot_url);
    for (k = 0; user_notify_kinds[k] != NULL; k++) {
        cJSON *row = cJSON_CreateObject(), *chs;

        if (row == NULL || !cJSON_AddItemToArray(rows, row) ||
            (chs = cJSON_AddArrayToObject(row, "channels")) == NULL)
            return APP_ENOMEM;
        view_add_str(row, "label",
                     http_t(r, arena_printf(r->a, "notify.kind_%s",
                                            user_notify_kinds[k])));
        for (c = 0; user_notify_channels[c] != NULL; c++) {
            cJSON *o = cJSON_CreateObject();
            const char *pair = arena_printf(r->a, "%s:%s", user_notify_kinds[k],
                                            user_notify_channels[c]);

            if (o == NULL || !cJSON_AddItemToArray(chs, o))
                return APP_ENOMEM;
            view_add_str(o, "value", pair);
            view_add_str(o, "label",
                         http_t(r, arena_printf(r->a, "delivery.channel_%s",
                                                user_notify_channels[c])));
            cJSON_AddBoolToObject(o, "on", !is_off(uc.notify_off, pair));
        }
    }
    view_add_str(m, "action", action);
    view_add_str(m, "back", back);
    if (errors != NULL)
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
    view_done(r, m, "user.done_%s", done);
    return view_page(r, status, "pages/user_contact", m);
}

APP_MUST_USE static enum app_err
save(struct req *r, int64_t id, const char *action, const char *back)
{
    cJSON *errors = view_errors(r);
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = user_contact_save(&r->cx, id, &r->form, errors);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return page(r, 422, id, action, back, errors);
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, arena_printf(r->a, "%s?done=saved", action));
}

enum app_err
account_contact(struct req *r)
{
    return page(r, 200, r->cx.user_id, "/account/contact", "/account", NULL);
}

enum app_err
account_contact_save(struct req *r)
{
    return save(r, r->cx.user_id, "/account/contact", "/account");
}

enum app_err
admin_user_contact(struct req *r)
{
    int64_t id = router_param_int(r, "id");

    return page(r, 200, id,
                arena_printf(r->a, "/admin/users/%lld/contact", (long long)id),
                arena_printf(r->a, "/admin/users/%lld", (long long)id), NULL);
}

enum app_err
admin_user_contact_save(struct req *r)
{
    int64_t id = router_param_int(r, "id");

    return save(r, id,
                arena_printf(r->a, "/admin/users/%lld/contact", (long long)id),
                arena_printf(r->a, "/admin/users/%lld", (long long)id));
}
