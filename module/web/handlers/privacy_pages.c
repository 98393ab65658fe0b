/*
 * privacy_pages.c -- data protection for one contact person (admins):
 * everything held about them as a JSON download (also the API), and
 * their erasure after a typed confirmation (sales/privacy.h).
 */
#include <stdio.h>

#include <cJSON.h>

#include "db/db.h"
#include "http/app.h"
#include "http/router.h"
#include "sales/contacts.h"
#include "sales/privacy.h"
#include "web/api_json.h"
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
