/*
 * contact_pages.c -- the decision chain on the customer page, and the
 * contact pages: add, edit (optimistic concurrency), record a meeting or an
 * event, remove.
 */
#include <string.h>
#include <time.h>

#include "http/app.h"
#include "db/audit.h"
#include "web/auth.h"
#include "sales/chain.h"
#include "sales/contacts.h"
#include "web/customer_view.h"
#include "sales/customers.h"
#include "db/db.h"
#include "web/handlers/contact_pages.h"
#include "base/num.h"
#include "http/router.h"
#include "base/tz.h"
#include "base/validate.h"
#include "web/view.h"
#include "base/jsonmem.h"

static const char *const event_kinds[] = { "met", "event", NULL };

/* --- the chain on the customer page ------------------------------------- */

static cJSON *
contact_json(struct req *r, const struct contact_input *in,
             const struct contact *k)
{
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
        return NULL;
    if (k != NULL) {
        cJSON_AddNumberToObject(o, "id", (double)k->id);
        cJSON_AddNumberToObject(o, "version", (double)k->version);
        view_add_str(o, "last_met", k->last_met_on);
        view_add_str(o, "consensus", k->consensus);
        view_add_str(o, "consensus_on", k->consensus_on);
    }
#define F(name, field)                                                         \
    view_add_str(o, name,                                                      \
                 in != NULL ? arena_str(r->a, in->field).p                     \
                            : (k != NULL ? k->field : ""))
    F("name", name);
    F("title", title);
    F("department", department);
    F("focus", focus);
    F("phone", phone);
    F("email", email);
    F("birthday", birthday);
#undef F
    return o;
}

APP_MUST_USE static enum app_err
contact_page(struct req *r, int status, const struct customer *c,
             const struct ruledesc *rd, cJSON *k, const char *role,
             const char *channel, int64_t contact_id, cJSON *errors,
             cJSON *extra)
{
    cJSON *m = view_new(r);
    char today[11];

    if (m == NULL)
        return APP_ENOMEM;
    cJSON_AddItemToObject(m, "c", cview_customer(r, rd, c));
    cJSON_AddItemToObject(m, "k", k != NULL ? k : cJSON_CreateObject());
    cJSON_AddItemToObject(m, "roles",
                          ruledesc_options(&r->cx, rd, "decision_roles", role));
    cJSON_AddItemToObject(
        m, "channels",
        view_options(r, contact_channels, "contact.channel.", channel));
    tz_today(r->cx.tenant_tz, today, sizeof(today));
    view_add_str(m, "today", today);
    if (contact_id > 0) {
        struct db_res ev;
        cJSON *events = cJSON_AddArrayToObject(m, "events");
        size_t i;
        enum app_err rc = contacts_events(&r->cx, contact_id, 50, &ev);

        if (rc != APP_OK)
            return rc;
        for (i = 0; events != NULL && i < ev.nrows; i++) {
            cJSON *o = cJSON_CreateObject();

            if (o == NULL)
                break;
            view_add_str(o, "on", db_text(&ev, i, 0));
            cJSON_AddBoolToObject(o, "met",
                                  strcmp(db_text(&ev, i, 1), "met") == 0);
            view_add_str(o, "text", db_text(&ev, i, 2));
            view_add_str(o, "consensus", db_text(&ev, i, 3));
            view_add_str(o, "by", db_text(&ev, i, 4));
            cJSON_AddItemToArray(events, o);
        }
    }
    if (errors != NULL) {
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
        if (cJSON_GetArraySize(errors) > 0)
            view_add_str(m, "error", http_t(r, "validate.failed"));
    }
    if (extra != NULL)
        cJSON_AddItemToObject(m, "extra", extra);
    return view_page(r, status,
                     contact_id > 0 ? "pages/contact" : "pages/contact_new", m);
}

enum app_err
contact_new(struct req *r)
{
    struct ruledesc rd;
    struct customer c;
    enum app_err rc = ruledesc_get(&r->cx, &rd);

    if (rc == APP_OK)
        rc = customers_get(&r->cx, router_param_int(r, "id"), false, &c);
    if (rc != APP_OK)
        return rc;
    return contact_page(r, 200, &c, &rd, NULL, NULL, NULL, 0, NULL, NULL);
}

enum app_err
contact_create(struct req *r)
{
    struct contact_input in;
    struct ruledesc rd;
    struct customer c;
    cJSON *errors = view_errors(r);
    int64_t id = router_param_int(r, "id"), kid = 0, version;
    enum app_err rc, vrc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = customers_get(&r->cx, id, false, &c);
    if (rc != APP_OK)
        return rc;
    vrc = contact_input_check(&r->cx, &rd, &r->form, &in, &version, errors);
    if (vrc != APP_OK) {
        r->cx.err_detail = NULL;
        return contact_page(r, 422, &c, &rd, contact_json(r, &in, NULL),
                            arena_str(r->a, in.role).p,
                            arena_str(r->a, in.channel).p, 0, errors, NULL);
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = customers_get(&r->cx, id, true, &c);
        if (rc == APP_OK)
            rc = contacts_create(&r->cx, id, &in, &kid);
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, arena_printf(r->a,
                                         "/customers/%lld?done=contact#chain",
                                         (long long)id));
}

APP_MUST_USE static enum app_err
load(struct req *r, struct contact *k, struct customer *c, struct ruledesc *rd)
{
    enum app_err rc = ruledesc_get(&r->cx, rd);

    if (rc == APP_OK)
        rc = contacts_get(&r->cx, router_param_int(r, "id"), k);
    if (rc == APP_OK)
        rc = customers_get(&r->cx, k->customer_id, false, c);
    return rc;
}

enum app_err
contact_show(struct req *r)
{
    struct ruledesc rd;
    struct customer c;
    struct contact k;
    enum app_err rc = load(r, &k, &c, &rd);

    if (rc != APP_OK)
        return rc;
    return contact_page(r, 200, &c, &rd, contact_json(r, NULL, &k), k.role,
                        k.channel, k.id, NULL, NULL);
}

enum app_err
contact_update(struct req *r)
{
    struct contact_input in;
    struct ruledesc rd;
    struct customer c;
    struct contact k;
    int64_t version = 0;
    cJSON *errors = view_errors(r), *model, *extra;
    enum app_err rc = load(r, &k, &c, &rd), vrc;

    if (rc != APP_OK)
        return rc;
    if (errors == NULL)
        return APP_ENOMEM;
    vrc = contact_input_check(&r->cx, &rd, &r->form, &in, &version, errors);
    if (version == 0) {
        cJSON_AddStringToObject(errors, "version", "validate.required");
        vrc = APP_EVALIDATION;
    }
    if (vrc != APP_OK) {
        r->cx.err_detail = NULL;
        return contact_page(r, 422, &c, &rd, contact_json(r, &in, &k),
                            arena_str(r->a, in.role).p,
                            arena_str(r->a, in.channel).p, k.id, errors, NULL);
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = contacts_update(&r->cx, k.id, version, &in);
    }
    if (rc == APP_ECONFLICT) {
        rc = contacts_get(&r->cx, k.id, &k);
        if (rc != APP_OK)
            return rc;
        model = contact_json(r, &in, &k);
        extra = cJSON_CreateObject();
        if (model == NULL || extra == NULL)
            return APP_ENOMEM;
        cJSON_AddBoolToObject(extra, "conflict", true);
        return contact_page(r, 409, &c, &rd, model, arena_str(r->a, in.role).p,
                            arena_str(r->a, in.channel).p, k.id, NULL, extra);
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(r,
                         arena_printf(r->a, "/contacts/%lld", (long long)k.id));
}

enum app_err
contact_event(struct req *r)
{
    static const struct field_spec spec[] = {
        { "kind", V_ENUM, true, 0, 0, event_kinds },
        { "on", V_LINE, true, 10, 10, NULL },
        { "text", V_TEXT, false, 0, 1000, NULL },
        { "consensus", V_LINE, false, 0, 500, NULL },
    };
    struct field_val v[4];
    struct ruledesc rd;
    struct customer c;
    struct contact k;
    cJSON *errors = view_errors(r);
    char today[11];
    int y, mo, d;
    enum app_err rc = load(r, &k, &c, &rd);

    if (rc != APP_OK)
        return rc;
    if (errors == NULL)
        return APP_ENOMEM;
    rc = validate_fields(&r->cx.err_detail, &r->form, spec, 4, v, errors);
    tz_today(r->cx.tenant_tz, today, sizeof(today));
    if (rc == APP_OK && !parse_date(v[1].s, &y, &mo, &d)) {
        cJSON_AddStringToObject(errors, "on", "evidence.bad_date");
        rc = APP_EVALIDATION;
    } else if (rc == APP_OK && strcmp(arena_str(r->a, v[1].s).p, today) > 0) {
        /* A meeting in the future would pin "last met" there. */
        cJSON_AddStringToObject(errors, "on", "contact.future");
        rc = APP_EVALIDATION;
    }
    if (rc == APP_OK && v[0].i == 1 && !v[2].present) {
        cJSON_AddStringToObject(errors, "text", "validate.required");
        rc = APP_EVALIDATION;
    }
    if (rc != APP_OK) {
        r->cx.err_detail = NULL;
        return contact_page(r, 422, &c, &rd, contact_json(r, NULL, &k), k.role,
                            k.channel, k.id, errors, NULL);
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = contacts_add_event(&r->cx, &k, event_kinds[v[0].i],
                                arena_str(r->a, v[1].s).p,
                                v[2].present ? v[2].s : STR_LIT(""),
                                v[3].present ? v[3].s : STR_LIT(""));
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(r,
                         arena_printf(r->a, "/contacts/%lld", (long long)k.id));
}

enum app_err
contact_remove(struct req *r)
{
    struct ruledesc rd;
    struct customer c;
    struct contact k;
    enum app_err rc = load(r, &k, &c, &rd);

    if (rc == APP_OK && !view_confirmed(r))
        return view_confirm_page(
            r, http_t(r, "contact.remove_title"),
            arena_printf(r->a, "%s (%s)", k.name, c.name),
            arena_printf(r->a, "/contacts/%lld", (long long)k.id));
    if (rc == APP_OK)
        for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
            rc = contacts_deactivate(&r->cx, k.id);
        }
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, arena_printf(r->a, "/customers/%lld#chain",
                                         (long long)k.customer_id));
}
