/*
 * contact_pages.c -- the decision chain on the customer page, and the
 * contact pages: add, edit (optimistic concurrency), record a meeting or an
 * event, remove.
 */
#include <string.h>
#include <time.h>

#include "server/app.h"
#include "db/audit.h"
#include "web/auth.h"
#include "sales/chain.h"
#include "sales/contacts.h"
#include "web/customer_view.h"
#include "sales/customers.h"
#include "db/db.h"
#include "web/handlers.h"
#include "base/num.h"
#include "http/router.h"
#include "base/tz.h"
#include "base/validate.h"
#include "web/view.h"
#include "base/jsonmem.h"

static const char *const event_kinds[] = { "met", "event", NULL };

static const struct field_spec contact_spec[] = {
    { "name", V_LINE, true, 1, 100, NULL },
    { "title", V_LINE, false, 0, 100, NULL },
    { "department", V_LINE, false, 0, 100, NULL },
    { "role", V_SLUG, true, 1, 32, NULL },
    { "channel", V_ENUM, false, 0, 0, contact_channels },
    { "focus", V_TEXT, false, 0, 500, NULL },
    { "phone", V_LINE, false, 0, 50, NULL },
    { "email", V_LINE, false, 0, 200, NULL },
    { "birthday", V_LINE, false, 0, 10, NULL },
    { "version", V_INT, false, 1, INT64_MAX, NULL },
};
#define NSPEC (sizeof(contact_spec) / sizeof(contact_spec[0]))

/* --- the chain on the customer page ------------------------------------- */

static struct str
label(struct req *r, const char *key)
{
    return str_c(http_t(r, key));
}

enum app_err
chain_model(struct req *r, const struct ruledesc *rd, const struct customer *c,
            cJSON *m)
{
    struct contact *list = arena_calloc(r->a, CONTACTS_MAX, sizeof(*list));
    struct chain_role roles[CHAIN_MAX_ROLES];
    struct chain_contact *ck;
    struct chain_labels lab;
    struct chain_cover cover;
    struct chain ch;
    struct buf svg;
    const cJSON *role;
    cJSON *o, *people;
    size_t n = 0, nroles = 0, i;
    int window = ruledesc_health(rd, "chain_recent_days", CHAIN_WINDOW_DAYS);

    if (window > CHAIN_WINDOW_MAX) /* the rules may say more; a year it is */
        window = CHAIN_WINDOW_MAX;
    enum app_err rc;

    if (list == NULL)
        return APP_ENOMEM;
    rc = contacts_list(r, c->id, list, CONTACTS_MAX, &n);
    if (rc != APP_OK)
        return rc;
    cJSON_ArrayForEach(role, cJSON_GetObjectItem(rd->d, "decision_roles"))
    {
        const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(role, "key"));

        if (k == NULL || nroles == CHAIN_MAX_ROLES)
            continue;
        roles[nroles].key = str_c(k);
        roles[nroles].label = str_c(ruledesc_name(r, role));
        roles[nroles].required =
            cJSON_IsTrue(cJSON_GetObjectItem(role, "required"));
        nroles++;
    }
    ck = arena_calloc(r->a, n > 0 ? n : 1, sizeof(*ck));
    if (ck == NULL)
        return APP_ENOMEM;
    o = cJSON_AddObjectToObject(m, "chain");
    people = o != NULL ? cJSON_AddArrayToObject(o, "contacts") : NULL;
    if (people == NULL)
        return APP_ENOMEM;
    for (i = 0; i < n; i++) {
        cJSON *p = cJSON_CreateObject();

        ck[i].id = list[i].id;
        ck[i].name = str_c(list[i].name);
        ck[i].title = str_c(list[i].title);
        ck[i].dept = str_c(list[i].department);
        ck[i].role = str_c(list[i].role);
        ck[i].days_since_met = (int)list[i].met_days_ago;
        ck[i].consensus = list[i].consensus_days_ago >= 0 &&
                          list[i].consensus_days_ago <= window;
        if (p == NULL)
            return APP_ENOMEM;
        cJSON_AddItemToArray(people, p);
        cJSON_AddNumberToObject(p, "id", (double)list[i].id);
        view_add_str(p, "name", list[i].name);
        view_add_str(p, "title", list[i].title);
        view_add_str(p, "department", list[i].department);
        view_add_str(p, "role_label",
                     ruledesc_label(r, rd, "decision_roles", list[i].role));
        if (list[i].channel[0] != '\0')
            view_add_str(p, "channel_label",
                         http_t(r, arena_printf(r->a, "contact.channel.%s",
                                                list[i].channel)));
        view_add_str(p, "focus", list[i].focus);
        view_add_str(p, "last_met", list[i].last_met_on);
        view_add_str(p, "consensus", list[i].consensus);
        view_add_str(p, "birthday", list[i].birthday);
        cJSON_AddBoolToObject(p, "recent",
                              list[i].met_days_ago >= 0 &&
                                  list[i].met_days_ago <= window);
    }
    memset(&ch, 0, sizeof(ch));
    ch.customer = str_c(c->name);
    ch.roles = roles;
    ch.nroles = nroles;
    ch.contacts = ck;
    ch.ncontacts = n;
    ch.window_days = window;
    memset(&lab, 0, sizeof(lab));
    lab.title = label(r, "chain.title");
    lab.met = str_c(arena_printf(r->a, "%s", http_t(r, "chain.met")));
    lab.not_met = label(r, "chain.not_met");
    lab.consensus = label(r, "chain.consensus");
    lab.required = label(r, "chain.required");
    lab.uncovered = label(r, "chain.uncovered");
    lab.penetration = label(r, "chain.penetration");
    rc = chain_penetration(&ch, &cover, NULL, 0);
    if (rc != APP_OK)
        return rc;
    buf_init(&svg, r->a, 256 * 1024);
    rc = chain_svg(&ch, &lab, &svg);
    if (rc != APP_OK)
        return rc;
    view_add_str(o, "svg", svg.p != NULL ? svg.p : "");
    cJSON_AddNumberToObject(o, "percent", cover.percent);
    cJSON_AddNumberToObject(o, "covered", (double)cover.covered);
    cJSON_AddNumberToObject(o, "required", (double)cover.required);
    cJSON_AddBoolToObject(o, "applicable", cover.applicable);
    cJSON_AddNumberToObject(o, "window", window);
    return APP_OK;
}

/* Today in the tenant's time zone, "YYYY-MM-DD" (11 bytes). */
static void
today_of(const struct req *r, char *out, size_t n)
{
    struct tm tm;

    tz_local(r->auth->tenant_tz, time(NULL), &tm);
    strftime(out, n, "%Y-%m-%d", &tm);
}

/* --- contact forms ----------------------------------------------------------
 */

APP_MUST_USE static enum app_err
check_input(struct req *r, const struct ruledesc *rd, struct field_val *v,
            struct contact_input *in, cJSON *errors)
{
    enum app_err rc = APP_OK;
    char today[11];
    int y, mo, d;

    memset(in, 0, sizeof(*in));
    in->name = v[0].present ? v[0].s : STR_LIT("");
    in->title = v[1].present ? v[1].s : STR_LIT("");
    in->department = v[2].present ? v[2].s : STR_LIT("");
    in->role = v[3].present ? v[3].s : STR_LIT("");
    in->channel = v[4].present ? str_c(contact_channels[v[4].i]) : STR_LIT("");
    in->focus = v[5].present ? v[5].s : STR_LIT("");
    in->phone = v[6].present ? v[6].s : STR_LIT("");
    in->email = v[7].present ? v[7].s : STR_LIT("");
    in->birthday = v[8].present ? v[8].s : STR_LIT("");
    if (in->role.len > 0) {
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(
            ruledesc_find(rd, "decision_roles", arena_str(r->a, in->role).p),
            "key"));

        if (key == NULL) {
            cJSON_AddStringToObject(errors, "role",
                                    http_t(r, "contact.bad_role"));
            rc = APP_EVALIDATION;
        } else {
            in->role = str_c(key);
        }
    }
    if (in->email.len > 0 && str_find_byte(in->email, '@') <= 0) {
        cJSON_AddStringToObject(errors, "email",
                                http_t(r, "contact.bad_email"));
        rc = APP_EVALIDATION;
    }
    today_of(r, today, sizeof(today));
    if (in->birthday.len > 0 &&
        (!parse_date(in->birthday, &y, &mo, &d) ||
         strcmp(arena_str(r->a, in->birthday).p, today) > 0)) {
        cJSON_AddStringToObject(errors, "birthday",
                                http_t(r, "evidence.bad_date"));
        rc = APP_EVALIDATION;
    }
    return rc;
}

enum app_err
contact_input_check(struct req *r, const struct ruledesc *rd,
                    const struct kvlist *fields, struct contact_input *in,
                    int64_t *version, cJSON *errors)
{
    struct field_val *v = arena_calloc(r->a, NSPEC, sizeof(*v));
    enum app_err rc;

    if (v == NULL)
        return APP_ENOMEM;
    rc = validate_fields(r, fields, contact_spec, NSPEC, v, errors);
    if (check_input(r, rd, v, in, errors) != APP_OK)
        rc = APP_EVALIDATION;
    *version = v[9].present ? v[9].i : 0;
    return rc;
}

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
                          ruledesc_options(r, rd, "decision_roles", role));
    cJSON_AddItemToObject(
        m, "channels",
        view_options(r, contact_channels, "contact.channel.", channel));
    today_of(r, today, sizeof(today));
    view_add_str(m, "today", today);
    if (contact_id > 0) {
        struct db_res ev;
        cJSON *events = cJSON_AddArrayToObject(m, "events");
        size_t i;
        enum app_err rc = contacts_events(r, contact_id, 50, &ev);

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
        jsonmem_add_ref(m, "errors", errors);
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
    enum app_err rc = ruledesc_get(r, &rd);

    if (rc == APP_OK)
        rc = customers_get(r, router_param_int(r, "id"), false, &c);
    if (rc != APP_OK)
        return rc;
    return contact_page(r, 200, &c, &rd, NULL, NULL, NULL, 0, NULL, NULL);
}

enum app_err
contact_create(struct req *r)
{
    struct field_val v[NSPEC];
    struct contact_input in;
    struct ruledesc rd;
    struct customer c;
    cJSON *errors = view_errors(r);
    int64_t id = router_param_int(r, "id"), kid = 0;
    enum app_err rc, vrc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = ruledesc_get(r, &rd);
    if (rc == APP_OK)
        rc = customers_get(r, id, false, &c);
    if (rc != APP_OK)
        return rc;
    vrc = validate_fields(r, &r->form, contact_spec, NSPEC, v, errors);
    if (check_input(r, &rd, v, &in, errors) != APP_OK)
        vrc = APP_EVALIDATION;
    if (vrc != APP_OK) {
        r->err_detail = NULL;
        return contact_page(r, 422, &c, &rd, contact_json(r, &in, NULL),
                            arena_str(r->a, in.role).p,
                            arena_str(r->a, in.channel).p, 0, errors, NULL);
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = customers_get(r, id, true, &c);
        if (rc == APP_OK)
            rc = contacts_create(r, id, &in, &kid);
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/customers/%lld#chain", (long long)id));
}

APP_MUST_USE static enum app_err
load(struct req *r, struct contact *k, struct customer *c, struct ruledesc *rd)
{
    enum app_err rc = ruledesc_get(r, rd);

    if (rc == APP_OK)
        rc = contacts_get(r, router_param_int(r, "id"), k);
    if (rc == APP_OK)
        rc = customers_get(r, k->customer_id, false, c);
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
    struct field_val v[NSPEC];
    struct contact_input in;
    struct ruledesc rd;
    struct customer c;
    struct contact k;
    cJSON *errors = view_errors(r), *model, *extra;
    enum app_err rc = load(r, &k, &c, &rd), vrc;

    if (rc != APP_OK)
        return rc;
    if (errors == NULL)
        return APP_ENOMEM;
    vrc = validate_fields(r, &r->form, contact_spec, NSPEC, v, errors);
    if (check_input(r, &rd, v, &in, errors) != APP_OK)
        vrc = APP_EVALIDATION;
    if (!v[9].present) {
        cJSON_AddStringToObject(errors, "version",
                                http_t(r, "validate.required"));
        vrc = APP_EVALIDATION;
    }
    if (vrc != APP_OK) {
        r->err_detail = NULL;
        return contact_page(r, 422, &c, &rd, contact_json(r, &in, &k),
                            arena_str(r->a, in.role).p,
                            arena_str(r->a, in.channel).p, k.id, errors, NULL);
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = contacts_update(r, k.id, v[9].i, &in);
    }
    if (rc == APP_ECONFLICT) {
        rc = contacts_get(r, k.id, &k);
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
    rc = validate_fields(r, &r->form, spec, 4, v, errors);
    today_of(r, today, sizeof(today));
    if (rc == APP_OK && !parse_date(v[1].s, &y, &mo, &d)) {
        cJSON_AddStringToObject(errors, "on", http_t(r, "evidence.bad_date"));
        rc = APP_EVALIDATION;
    } else if (rc == APP_OK && strcmp(arena_str(r->a, v[1].s).p, today) > 0) {
        /* A meeting in the future would pin "last met" there. */
        cJSON_AddStringToObject(errors, "on", http_t(r, "contact.future"));
        rc = APP_EVALIDATION;
    }
    if (rc == APP_OK && v[0].i == 1 && !v[2].present) {
        cJSON_AddStringToObject(errors, "text", http_t(r, "validate.required"));
        rc = APP_EVALIDATION;
    }
    if (rc != APP_OK) {
        r->err_detail = NULL;
        return contact_page(r, 422, &c, &rd, contact_json(r, NULL, &k), k.role,
                            k.channel, k.id, errors, NULL);
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = contacts_add_event(r, &k, event_kinds[v[0].i],
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

    if (rc == APP_OK)
        for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
            rc = contacts_deactivate(r, k.id);
        }
    if (rc != APP_OK)
        return rc;
    return http_redirect(r, arena_printf(r->a, "/customers/%lld#chain",
                                         (long long)k.customer_id));
}
