/*
 * privacy_pages.c -- data protection for one contact person (admins):
 * everything held about them as a JSON download (also the API), and
 * their erasure after a typed confirmation; the erasure of the whole
 * company, asked by one admin and confirmed by another (sales/privacy.h).
 */
#include <stdio.h>

#include <cJSON.h>

#include "db/db.h"
#include "http/app.h"
#include "http/router.h"
#include "sales/contacts.h"
#include "sales/privacy.h"
#include "web/api_json.h"
#include "web/auth.h"
#include "web/handlers/privacy_pages.h"
#include "web/view.h"

enum app_err
contact_export(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    cJSON *o = NULL;
    enum app_err rc;

    rc = privacy_contact_export(&r->cx, id, &o);
    if (rc != APP_OK)
        return rc;
    if (r->route != NULL && (r->route->flags & RF_API) != 0)
        return api_send(r, 200, o);
    rc = http_header(r, "Content-Disposition",
                     arena_printf(r->a,
                                  "attachment; filename=\"contact-%lld"
                                  ".json\"",
                                  (long long)id));
    if (rc == APP_OK)
        rc = http_json(r, 200, o);
    cJSON_Delete(o);
    return rc;
}

enum app_err
contact_erase(struct req *r)
{
    int64_t id = router_param_int(r, "id");
    const struct str *typed = http_form(r, "typed_id");
    char want[24];
    struct contact k;
    enum app_err rc = contacts_get(&r->cx, id, &k);

    if (rc != APP_OK)
        return rc;
    snprintf(want, sizeof(want), "%lld", (long long)id);
    /* The admin types the contact's number: a slip of the mouse cannot
     * erase a person. */
    if (typed == NULL || !str_eq_c(*typed, want)) {
        r->cx.err_detail = "privacy.erase_typed";
        return APP_EVALIDATION;
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);)
        rc = privacy_contact_erase(&r->cx, id);
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, arena_printf(r->a, "/customers/%lld#chain",
                                         (long long)k.customer_id));
}

enum app_err
admin_privacy(struct req *r)
{
    struct privacy_erase_req p;
    cJSON *m = view_new(r), *o;
    enum app_err rc =
        m != NULL ? privacy_tenant_erase_pending(&r->cx, &p) : APP_ENOMEM;

    if (rc != APP_OK)
        return rc;
    if (p.id != 0) {
        o = cJSON_AddObjectToObject(m, "pending");
        if (o == NULL ||
            !view_add_str(o, "requested_login", p.requested_login) ||
            !view_add_str(o, "requested_at", p.requested_at) ||
            cJSON_AddBoolToObject(o, "mine", p.requested_by == r->cx.user_id) ==
                NULL)
            return APP_ENOMEM;
    }
    return view_page(r, 200, "pages/admin_privacy", m);
}

enum app_err
admin_privacy_erase(struct req *r)
{
    enum app_err rc;

    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);)
        rc = privacy_tenant_erase_request(&r->cx);
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, "/admin/privacy#erase");
}

enum app_err
admin_privacy_erase_confirm(struct req *r)
{
    const struct str *typed = http_form(r, "typed_slug");
    size_t files = 0;
    enum app_err rc;

    /* The second admin types the company code. */
    if (typed == NULL || r->auth == NULL ||
        !str_eq_c(*typed, r->auth->tenant_slug)) {
        r->cx.err_detail = "privacy.slug_typed";
        return APP_EVALIDATION;
    }
    rc = privacy_tenant_erase_confirm(&r->cx, r->auth->login, false, &files);
    if (rc == APP_EFORBIDDEN)
        r->cx.err_detail = "privacy.same_admin";
    if (rc == APP_ETIMEOUT) {
        r->cx.err_detail = "privacy.expired";
        rc = APP_ECONFLICT;
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, "/login");
}
