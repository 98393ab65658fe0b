/*
 * customer_pages.c -- the customer list, the customer page, creating and
 * editing customers (optimistic concurrency), transferring owners, stage
 * changes from the page and bulk actions.
 */
#include <stdio.h>
#include <string.h>

#include "identity/access.h"
#include "server/app.h"
#include "db/audit.h"
#include "web/auth.h"
#include "sales/contacts.h"
#include "web/customer_view.h"
#include "sales/customers.h"
#include "db/db.h"
#include "sales/evidence.h"
#include "web/handlers.h"
#include "base/num.h"
#include "http/router.h"
#include "sales/stage.h"
#include "identity/users.h"
#include "base/validate.h"
#include "web/view.h"
#include "base/wire.h"
#include "base/jsonmem.h"

#define PAGE_SIZE 50
#define BULK_MAX 200

static const char *const health_choices[] = { "green", "amber", "red", NULL };
static const char *const sort_choices[] = {
    "updated", "name", "stage_since", "activity", "created", "amount", NULL,
};
static const char *const dir_choices[] = { "asc", "desc", NULL };

/* Append name=value to a query string, percent-encoding the value;
 * nothing when value is empty or an earlier append failed (*rc). */
static void
qs_add(struct buf *b, enum app_err *rc, const char *name, const char *value)
{
    if (*rc != APP_OK || value == NULL || value[0] == '\0')
        return;
    *rc = buf_printf(b, "%s%s=", b->len > 0 ? "&" : "", name);
    if (*rc == APP_OK)
        *rc = wire_pct_encode(b, value, strlen(value));
}

enum app_err
cfilter_parse(struct req *r, const struct kvlist *q, struct customer_filter *f,
              int64_t *page, const char **qs, cJSON *errors)
{
    static const struct field_spec spec[] = {
        { "stage", V_SLUG, false, 1, 64, NULL },
        { "owner", V_INT, false, 1, INT64_MAX, NULL },
        { "team", V_INT, false, 1, INT64_MAX, NULL },
        { "health", V_ENUM, false, 0, 0, health_choices },
        { "kind", V_SLUG, false, 1, 32, NULL },
        { "stale", V_INT, false, 1, 3650, NULL },
        { "q", V_LINE, false, 0, 100, NULL },
        { "sort", V_ENUM, false, 0, 0, sort_choices },
        { "dir", V_ENUM, false, 0, 0, dir_choices },
        { "page", V_INT, false, 1, 100000, NULL },
    };
    struct field_val v[10];
    struct ruledesc rd;
    struct buf b;
    enum app_err rc = validate_fields(r, q, spec, 10, v, errors);

    if (rc != APP_OK)
        return rc;
    rc = ruledesc_get(r, &rd);
    if (rc != APP_OK)
        return rc;
    if (v[0].present &&
        ruledesc_stage(&rd, arena_str(r->a, v[0].s).p, NULL) == NULL) {
        if (errors != NULL)
            cJSON_AddStringToObject(errors, "stage",
                                    http_t(r, "stage.refused.unknown_stage"));
        rc = APP_EVALIDATION;
    }
    if (v[4].present && ruledesc_find(&rd, "customer_kinds",
                                      arena_str(r->a, v[4].s).p) == NULL) {
        if (errors != NULL)
            cJSON_AddStringToObject(errors, "kind",
                                    http_t(r, "customer.bad_kind"));
        rc = APP_EVALIDATION;
    }
    if (rc != APP_OK)
        return rc;
    memset(f, 0, sizeof(*f));
    f->stage = v[0].present ? arena_str(r->a, v[0].s).p : "";
    f->owner = v[1].present ? v[1].i : 0;
    f->team = v[2].present ? v[2].i : 0;
    f->health = v[3].present ? health_choices[v[3].i] : "";
    f->kind = v[4].present ? arena_str(r->a, v[4].s).p : "";
    f->stale_days = v[5].present ? v[5].i : 0;
    f->q = v[6].present ? arena_str(r->a, v[6].s) : STR_LIT("");
    f->sort = v[7].present ? (enum customer_sort)v[7].i : CS_UPDATED;
    /* Each sort has its natural direction unless one is asked for. */
    f->desc = v[8].present ? v[8].i == 1
                           : (f->sort == CS_UPDATED || f->sort == CS_CREATED ||
                              f->sort == CS_AMOUNT);
    if (page != NULL)
        *page = v[9].present ? v[9].i : 1;
    if (qs != NULL) {
        enum app_err qrc = APP_OK;

        buf_init(&b, r->a, 4096);
        qs_add(&b, &qrc, "stage", f->stage);
        if (f->owner > 0)
            qs_add(&b, &qrc, "owner",
                   arena_printf(r->a, "%lld", (long long)f->owner));
        if (f->team > 0)
            qs_add(&b, &qrc, "team",
                   arena_printf(r->a, "%lld", (long long)f->team));
        qs_add(&b, &qrc, "health", f->health);
        qs_add(&b, &qrc, "kind", f->kind);
        if (f->stale_days > 0)
            qs_add(&b, &qrc, "stale",
                   arena_printf(r->a, "%lld", (long long)f->stale_days));
        qs_add(&b, &qrc, "q", f->q.p);
        if (v[7].present)
            qs_add(&b, &qrc, "sort", sort_choices[v[7].i]);
        if (v[8].present)
            qs_add(&b, &qrc, "dir", dir_choices[v[8].i]);
        if (qrc != APP_OK)
            return qrc;
        *qs = b.p != NULL ? b.p : "";
    }
    return APP_OK;
}

/* People the user may pick as owner or team: the users in scope. */
APP_MUST_USE static enum app_err
people_model(struct req *r, cJSON *m, int64_t owner_sel, int64_t team_sel)
{
    struct user *users;
    size_t n, i;
    int64_t root, all;
    cJSON *owners = cJSON_AddArrayToObject(m, "owners");
    cJSON *teams = cJSON_AddArrayToObject(m, "teams");
    enum app_err rc;

    access_scope(r, &root, &all);
    rc = users_list_scope(r->app->db, r->a, r->auth->tenant_id, all, root, 5000,
                          &users, &n);
    if (rc != APP_OK)
        return rc;
    for (i = 0; owners != NULL && teams != NULL && i < n; i++) {
        cJSON *o;

        if (!users[i].active)
            continue;
        o = cJSON_CreateObject();
        if (o == NULL)
            return APP_ENOMEM;
        cJSON_AddNumberToObject(o, "id", (double)users[i].id);
        view_add_str(o, "label", users[i].display_name);
        cJSON_AddBoolToObject(o, "selected", users[i].id == owner_sel);
        cJSON_AddItemToArray(owners, o);
        if (users[i].role & (ROLE_MANAGER | ROLE_SUPERVISOR | ROLE_ADMIN)) {
            o = cJSON_CreateObject();
            if (o == NULL)
                return APP_ENOMEM;
            cJSON_AddNumberToObject(o, "id", (double)users[i].id);
            view_add_str(o, "label", users[i].display_name);
            cJSON_AddBoolToObject(o, "selected", users[i].id == team_sel);
            cJSON_AddItemToArray(teams, o);
        }
    }
    return APP_OK;
}

static bool
can_manage(const struct req *r)
{
    return (r->auth->role & (ROLE_ADMIN | ROLE_MANAGER | ROLE_SUPERVISOR)) != 0;
}

static cJSON *
list_row(struct req *r, const struct ruledesc *rd, const struct db_res *res,
         size_t i)
{
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)db_int(res, i, CL_ID, 0));
    view_add_str(o, "name", db_text(res, i, CL_NAME));
    view_add_str(
        o, "kind_label",
        ruledesc_label(r, rd, "customer_kinds", db_text(res, i, CL_KIND)));
    view_add_str(o, "stage", db_text(res, i, CL_STAGE));
    view_add_str(o, "stage_label",
                 ruledesc_label(r, rd, "stages", db_text(res, i, CL_STAGE)));
    cJSON_AddNumberToObject(
        o, "days_in_stage",
        (double)cview_days_since(db_text(res, i, CL_STAGE_SINCE)));
    view_add_str(o, "owner", db_text(res, i, CL_OWNER_NAME));
    view_add_str(o, "city", db_text(res, i, CL_CITY));
    view_add_str(o, "last_activity",
                 cview_local(r, db_text(res, i, CL_LAST_ACTIVITY)));
    view_add_str(o, "amount", db_text(res, i, CL_AMOUNT));
    view_add_str(o, "health", db_text(res, i, CL_HEALTH));
    view_add_str(o, "health_label",
                 http_t(r, arena_printf(r->a, "customer.health.%s",
                                        db_text(res, i, CL_HEALTH))));
    return o;
}

/* The list page, also shown after a bulk action with its results. */
APP_MUST_USE static enum app_err
list_page(struct req *r, int status, cJSON *bulk_result)
{
    struct customer_filter f;
    struct ruledesc rd;
    struct db_res res;
    int64_t page = 1, total = 0, pages;
    const char *qs = "";
    cJSON *m, *rows, *filter;
    size_t i;
    enum app_err rc;

    /* GET routes parse the query (RF_QUERY); after a POST it is empty. */
    rc = cfilter_parse(r, &r->query_args, &f, &page, &qs, NULL);
    if (rc == APP_OK)
        rc = ruledesc_get(r, &rd);
    if (rc == APP_OK)
        rc = customers_list(r, &rd, &f, PAGE_SIZE,
                            (size_t)(page - 1) * PAGE_SIZE, &res, &total);
    if (rc != APP_OK)
        return rc;
    m = view_new(r);
    if (m == NULL)
        return APP_ENOMEM;
    rows = cJSON_AddArrayToObject(m, "customers");
    filter = cJSON_AddObjectToObject(m, "filter");
    if (rows == NULL || filter == NULL)
        return APP_ENOMEM;
    for (i = 0; i < res.nrows; i++)
        cJSON_AddItemToArray(rows, list_row(r, &rd, &res, i));
    view_add_str(filter, "q", f.q.p != NULL ? f.q.p : "");
    if (f.stale_days > 0)
        cJSON_AddNumberToObject(filter, "stale", (double)f.stale_days);
    cJSON_AddItemToObject(filter, "stages",
                          ruledesc_options(r, &rd, "stages", f.stage));
    cJSON_AddItemToObject(filter, "kinds",
                          ruledesc_options(r, &rd, "customer_kinds", f.kind));
    cJSON_AddItemToObject(
        filter, "healths",
        view_options(r, health_choices, "customer.health.", f.health));
    cJSON_AddItemToObject(
        filter, "sorts",
        view_options(r, sort_choices, "customer.sort.", sort_choices[f.sort]));
    cJSON_AddBoolToObject(filter, "desc", f.desc);
    rc = people_model(r, filter, f.owner, f.team);
    if (rc != APP_OK)
        return rc;
    cJSON_AddBoolToObject(m, "can_manage", can_manage(r));
    cJSON_AddItemToObject(m, "bulk_stages",
                          ruledesc_options(r, &rd, "stages", NULL));
    cJSON_AddItemToObject(m, "lost_reasons",
                          ruledesc_options(r, &rd, "lost_reasons", NULL));
    cJSON_AddNumberToObject(m, "total", (double)total);
    pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
    cJSON_AddNumberToObject(m, "page", (double)page);
    cJSON_AddNumberToObject(m, "pages", (double)(pages > 0 ? pages : 1));
    view_add_str(m, "qs", qs);
    view_add_str(m, "export_url",
                 arena_printf(r->a, "/customers/export.csv%s%s",
                              qs[0] != '\0' ? "?" : "", qs));
    if (page > 1)
        view_add_str(m, "prev_url",
                     arena_printf(r->a, "/customers?%s%spage=%lld", qs,
                                  qs[0] != '\0' ? "&" : "",
                                  (long long)(page - 1)));
    if (page < pages)
        view_add_str(m, "next_url",
                     arena_printf(r->a, "/customers?%s%spage=%lld", qs,
                                  qs[0] != '\0' ? "&" : "",
                                  (long long)(page + 1)));
    if (bulk_result != NULL)
        cJSON_AddItemToObject(m, "bulk", bulk_result);
    return view_page(r, status, "pages/customers", m);
}

enum app_err
customers_index(struct req *r)
{
    return list_page(r, 200, NULL);
}

/* --- create and edit ------------------------------------------------------ */

static const struct field_spec customer_spec[] = {
    { "name", V_LINE, true, 1, CUSTOMER_NAME_MAX, NULL },
    { "kind", V_SLUG, true, 1, 32, NULL },
    { "city", V_LINE, false, 0, 100, NULL },
    { "address", V_LINE, false, 0, 300, NULL },
    { "phone", V_LINE, false, 0, 50, NULL },
    { "amount", V_LINE, false, 0, 20, NULL },
    { "note", V_TEXT, false, 0, 5000, NULL },
    { "owner", V_INT, false, 1, INT64_MAX, NULL },
    { "confirm_duplicate", V_BOOL, false, 0, 1, NULL },
    { "version", V_INT, false, 1, INT64_MAX, NULL },
};
#define NSPEC (sizeof(customer_spec) / sizeof(customer_spec[0]))

/* Validate the form into in; problems go to errors.  The kind must be one
 * of the rules' kinds and the amount a non-negative number. */
enum app_err
cinput_check(struct req *r, const struct ruledesc *rd, struct field_val *v,
             struct customer_input *in, cJSON *errors)
{
    double amount;
    enum app_err rc = APP_OK;

    memset(in, 0, sizeof(*in));
    in->name = v[0].present ? v[0].s : STR_LIT("");
    in->kind = v[1].present ? v[1].s : STR_LIT("");
    in->city = v[2].present ? v[2].s : STR_LIT("");
    in->address = v[3].present ? v[3].s : STR_LIT("");
    in->phone = v[4].present ? v[4].s : STR_LIT("");
    in->amount = v[5].present ? v[5].s : STR_LIT("");
    in->note = v[6].present ? v[6].s : STR_LIT("");
    if (in->kind.len > 0) {
        /* Stored by key, whichever name the caller used. */
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(
            ruledesc_find(rd, "customer_kinds", arena_str(r->a, in->kind).p),
            "key"));

        if (key == NULL) {
            cJSON_AddStringToObject(errors, "kind",
                                    http_t(r, "customer.bad_kind"));
            rc = APP_EVALIDATION;
        } else {
            in->kind = str_c(key);
        }
    }
    if (in->amount.len > 0 &&
        (!parse_decimal(in->amount, 12, 2, &amount) || amount < 0)) {
        cJSON_AddStringToObject(errors, "amount",
                                http_t(r, "customer.bad_amount"));
        rc = APP_EVALIDATION;
    }
    return rc;
}

static cJSON *
input_model(struct req *r, const struct customer_input *in)
{
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
        return NULL;
    view_add_str(o, "name", arena_str(r->a, in->name).p);
    view_add_str(o, "city", arena_str(r->a, in->city).p);
    view_add_str(o, "address", arena_str(r->a, in->address).p);
    view_add_str(o, "phone", arena_str(r->a, in->phone).p);
    view_add_str(o, "amount", arena_str(r->a, in->amount).p);
    view_add_str(o, "note", arena_str(r->a, in->note).p);
    return o;
}

APP_MUST_USE static enum app_err
form_page(struct req *r, int status, const struct ruledesc *rd, cJSON *c,
          const char *kind, int64_t owner, cJSON *errors, cJSON *extra)
{
    cJSON *m = view_new(r);
    enum app_err rc;

    if (m == NULL)
        return APP_ENOMEM;
    cJSON_AddItemToObject(m, "c", c != NULL ? c : cJSON_CreateObject());
    cJSON_AddItemToObject(m, "kinds",
                          ruledesc_options(r, rd, "customer_kinds", kind));
    if (can_manage(r)) {
        rc = people_model(r, m, owner, 0);
        if (rc != APP_OK)
            return rc;
    }
    if (errors != NULL) {
        jsonmem_add_ref(m, "errors", errors);
        if (cJSON_GetArraySize(errors) > 0)
            view_add_str(m, "error", http_t(r, "validate.failed"));
    }
    if (extra != NULL)
        cJSON_AddItemToObject(m, "extra", extra);
    return view_page(r, status,
                     c != NULL && cJSON_GetObjectItem(c, "id") != NULL
                         ? "pages/customer_edit"
                         : "pages/customer_new",
                     m);
}

enum app_err
customers_new(struct req *r)
{
    struct ruledesc rd;
    enum app_err rc = ruledesc_get(r, &rd);

    if (rc != APP_OK)
        return rc;
    return form_page(r, 200, &rd, NULL, "", r->auth->user_id, NULL, NULL);
}

static cJSON *
similar_model(struct req *r, const struct db_res *res)
{
    cJSON *a = cJSON_CreateArray();
    size_t i;

    for (i = 0; a != NULL && i < res->nrows; i++) {
        cJSON *o = cJSON_CreateObject();

        if (o == NULL)
            break;
        view_add_str(o, "name",
                     db_int(res, i, 3, 0) != 0
                         ? db_text(res, i, 1)
                         : http_t(r, "customer.same_name_elsewhere"));
        view_add_str(o, "owner", db_text(res, i, 2));
        if (db_int(res, i, 3, 0) != 0)
            view_add_str(o, "url",
                         arena_printf(r->a, "/customers/%lld",
                                      (long long)db_int(res, i, 0, 0)));
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

enum app_err
customers_create_page(struct req *r)
{
    struct field_val v[NSPEC];
    struct customer_input in;
    struct ruledesc rd;
    struct db_res similar;
    cJSON *errors = view_errors(r);
    int64_t owner, id = 0;
    const char *first;
    enum app_err rc, vrc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = ruledesc_get(r, &rd);
    if (rc != APP_OK)
        return rc;
    vrc = validate_fields(r, &r->form, customer_spec, NSPEC, v, errors);
    if (cinput_check(r, &rd, v, &in, errors) != APP_OK)
        vrc = APP_EVALIDATION;
    owner = v[7].present ? v[7].i : r->auth->user_id;
    if (vrc == APP_OK && customers_owner_ok(r, owner) != APP_OK) {
        cJSON_AddStringToObject(errors, "owner",
                                http_t(r, "customer.bad_owner"));
        vrc = APP_EVALIDATION;
    }
    if (vrc != APP_OK) {
        r->err_detail = NULL;
        return form_page(r, 422, &rd, input_model(r, &in),
                         arena_str(r->a, in.kind).p, owner, errors, NULL);
    }
    /* Similar names: warn once, create when the user confirms. */
    rc = customers_similar(r, in.name, 0, &similar);
    if (rc != APP_OK)
        return rc;
    if (similar.nrows > 0 && v[8].i == 0) {
        cJSON *extra = cJSON_CreateObject();

        if (extra == NULL)
            return APP_ENOMEM;
        cJSON_AddItemToObject(extra, "similar", similar_model(r, &similar));
        return form_page(r, 200, &rd, input_model(r, &in),
                         arena_str(r->a, in.kind).p, owner, NULL, extra);
    }
    first = ruledesc_first_stage(&rd);
    if (first == NULL)
        return APP_EINTERNAL;
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = customers_create(r, &in, owner, first, rd.version, "page", &id);
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(r,
                         arena_printf(r->a, "/customers/%lld", (long long)id));
}

enum app_err
customer_edit(struct req *r)
{
    struct ruledesc rd;
    struct customer c;
    enum app_err rc = ruledesc_get(r, &rd);

    if (rc == APP_OK)
        rc = customers_get(r, router_param_int(r, "id"), false, &c);
    if (rc != APP_OK)
        return rc;
    return form_page(r, 200, &rd, cview_customer(r, &rd, &c), c.kind,
                     c.owner_id, NULL, NULL);
}

/* The fields that differ between what the user submitted and what is
 * stored now: [{label, mine, theirs}]. */
static cJSON *
conflict_model(struct req *r, const struct customer_input *in,
               const struct customer *now, const struct ruledesc *rd)
{
    struct {
        const char *label_key;
        struct str mine;
        const char *theirs;
        const char *shown_mine, *shown_theirs;
    } f[] = {
        { "customer.name", in->name, now->name, NULL, NULL },
        { "customer.kind", in->kind, now->kind, NULL, NULL },
        { "customer.city", in->city, now->city, NULL, NULL },
        { "customer.address", in->address, now->address, NULL, NULL },
        { "customer.phone", in->phone, now->phone, NULL, NULL },
        { "customer.amount", in->amount, now->amount, NULL, NULL },
        { "customer.note", in->note, now->note, NULL, NULL },
    };
    cJSON *a = cJSON_CreateArray();
    size_t i;

    for (i = 0; a != NULL && i < sizeof(f) / sizeof(f[0]); i++) {
        cJSON *o;
        double x, y;

        if (str_eq_c(f[i].mine, f[i].theirs))
            continue;
        if (i == 5 && parse_decimal(f[i].mine, 12, 2, &x) &&
            parse_decimal(str_c(f[i].theirs), 12, 2, &y) && x == y)
            continue;
        o = cJSON_CreateObject();
        if (o == NULL)
            break;
        view_add_str(o, "label", http_t(r, f[i].label_key));
        view_add_str(o, "mine",
                     i == 1 ? ruledesc_label(r, rd, "customer_kinds",
                                             arena_str(r->a, f[i].mine).p)
                            : arena_str(r->a, f[i].mine).p);
        view_add_str(o, "theirs",
                     i == 1
                         ? ruledesc_label(r, rd, "customer_kinds", f[i].theirs)
                         : f[i].theirs);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

enum app_err
customer_update(struct req *r)
{
    struct field_val v[NSPEC];
    struct customer_input in;
    struct ruledesc rd;
    struct customer c;
    cJSON *errors = view_errors(r), *model, *extra;
    int64_t id = router_param_int(r, "id");
    enum app_err rc, vrc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = ruledesc_get(r, &rd);
    if (rc == APP_OK)
        rc = customers_get(r, id, false, &c);
    if (rc != APP_OK)
        return rc;
    vrc = validate_fields(r, &r->form, customer_spec, NSPEC, v, errors);
    if (cinput_check(r, &rd, v, &in, errors) != APP_OK)
        vrc = APP_EVALIDATION;
    if (!v[9].present) {
        cJSON_AddStringToObject(errors, "version",
                                http_t(r, "validate.required"));
        vrc = APP_EVALIDATION;
    }
    if (vrc != APP_OK) {
        r->err_detail = NULL;
        model = input_model(r, &in);
        cJSON_AddNumberToObject(model, "id", (double)id);
        cJSON_AddNumberToObject(model, "version",
                                (double)(v[9].present ? v[9].i : c.version));
        return form_page(r, 422, &rd, model, arena_str(r->a, in.kind).p,
                         c.owner_id, errors, NULL);
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = customers_update(r, id, v[9].i, &in);
    }
    if (rc == APP_ECONFLICT) {
        /* Someone saved first: show what changed, keep the user's input,
         * and let them save again on top of the current version. */
        db_rollback(r->app->db);
        rc = customers_get(r, id, false, &c);
        if (rc != APP_OK)
            return rc;
        model = input_model(r, &in);
        cJSON_AddNumberToObject(model, "id", (double)id);
        cJSON_AddNumberToObject(model, "version", (double)c.version);
        extra = cJSON_CreateObject();
        if (model == NULL || extra == NULL)
            return APP_ENOMEM;
        cJSON_AddItemToObject(extra, "changes",
                              conflict_model(r, &in, &c, &rd));
        view_add_str(extra, "by", c.updated_by_name);
        view_add_str(extra, "at", cview_local(r, c.updated_at));
        return form_page(r, 409, &rd, model, arena_str(r->a, in.kind).p,
                         c.owner_id, NULL, extra);
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(r,
                         arena_printf(r->a, "/customers/%lld", (long long)id));
}

/* --- the customer page ------------------------------------------------------
 */

/* The customer page; refusal (may be NULL) is a refused stage change to
 * show. */
APP_MUST_USE static enum app_err
show_page(struct req *r, int status, int64_t id, cJSON *refusal)
{
    struct ruledesc rd;
    struct customer c;
    struct evidence_set *set = arena_alloc(r->a, sizeof(*set));
    const cJSON *next;
    cJSON *m, *timeline, *stage_opts, *all_items;
    size_t i;
    enum app_err rc;

    if (set == NULL)
        return APP_ENOMEM;
    rc = ruledesc_get(r, &rd);
    if (rc == APP_OK)
        rc = customers_get(r, id, false, &c);
    if (rc == APP_OK)
        rc = evidence_current(r, id, set);
    if (rc != APP_OK)
        return rc;
    m = view_new(r);
    if (m == NULL)
        return APP_ENOMEM;
    cJSON_AddItemToObject(m, "c", cview_customer(r, &rd, &c));
    cJSON_AddItemToObject(m, "stage_path", cview_path(r, &rd, c.stage));
    next = cview_next_stage(&rd, c.stage);
    if (next != NULL) {
        cJSON *n = cJSON_AddObjectToObject(m, "next");

        if (n != NULL) {
            view_add_str(
                n, "key",
                cJSON_GetStringValue(cJSON_GetObjectItem(next, "key")));
            view_add_str(n, "label", ruledesc_name(r, next));
            cJSON_AddItemToObject(n, "items",
                                  cview_checklist(r, &rd, next, id, set));
        }
    }
    all_items = cJSON_AddArrayToObject(m, "evidence");
    for (i = 0; all_items != NULL && i < set->n; i++)
        cJSON_AddItemToArray(all_items,
                             cview_evidence_item(r, &rd, &set->v[i]));
    stage_opts = cview_stage_targets(r, &rd, c.stage);
    cJSON_AddItemToObject(m, "stages", stage_opts);
    cJSON_AddItemToObject(m, "lost_reasons",
                          ruledesc_options(r, &rd, "lost_reasons", NULL));
    if (refusal != NULL)
        cJSON_AddItemToObject(m, "refusal", refusal);
    rc = cview_timeline(r, &rd, id, 100, &timeline);
    if (rc != APP_OK)
        return rc;
    cJSON_AddItemToObject(m, "timeline", timeline);
    rc = chain_model(r, &rd, &c, m);
    if (rc != APP_OK)
        return rc;
    if (can_manage(r)) {
        cJSON_AddBoolToObject(m, "can_transfer", true);
        rc = people_model(r, m, c.owner_id, 0);
        if (rc != APP_OK)
            return rc;
    }
    cJSON_AddNumberToObject(m, "rule_version", rd.version);
    return view_page(r, status, "pages/customer", m);
}

enum app_err
customer_show(struct req *r)
{
    return show_page(r, 200, router_param_int(r, "id"), NULL);
}

enum app_err
customer_stage(struct req *r)
{
    static const struct field_spec spec[] = {
        { "to", V_SLUG, true, 1, 64, NULL },
        { "lost_reason", V_SLUG, false, 1, 64, NULL },
        { "note", V_LINE, false, 0, 500, NULL },
        { "version", V_INT, false, 1, INT64_MAX, NULL },
    };
    struct field_val v[4];
    struct stage_request sr;
    struct rule_verdict verdict;
    int64_t id = router_param_int(r, "id"), event = 0;
    enum app_err rc;

    struct customer c;

    /* Another user's customer is 404 whatever the form says. */
    rc = customers_get(r, id, false, &c);
    if (rc != APP_OK)
        return rc;
    if (validate_fields(r, &r->form, spec, 4, v, NULL) != APP_OK)
        return APP_EVALIDATION;
    memset(&sr, 0, sizeof(sr));
    sr.customer_id = id;
    sr.to = arena_str(r->a, v[0].s).p;
    sr.lost_reason = v[1].present ? arena_str(r->a, v[1].s).p : NULL;
    sr.note = v[2].present ? arena_str(r->a, v[2].s).p : NULL;
    sr.via = "page";
    sr.expected_version = v[3].present ? v[3].i : 0;
    rc = stage_change(r, &sr, &verdict, &event);
    if (rc == APP_ECONFLICT || rc == APP_EVALIDATION) {
        r->err_detail = NULL;
        return show_page(r, rc == APP_ECONFLICT ? 409 : 422, id,
                         stage_refusal(r, &verdict, id));
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(r,
                         arena_printf(r->a, "/customers/%lld", (long long)id));
}

/* Give customer id to owner (already checked), with the audit entry, in
 * a transaction of its own. */
APP_MUST_USE static enum app_err
transfer_one(struct req *r, int64_t id, int64_t owner)
{
    struct customer c;
    cJSON *d;
    enum app_err rc;

    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = customers_get(r, id, true, &c);
        if (rc == APP_OK)
            rc = customers_set_owner(r, id, owner);
        d = rc == APP_OK ? cJSON_CreateObject() : NULL;
        if (rc == APP_OK && d == NULL)
            rc = APP_ENOMEM;
        if (rc == APP_OK) {
            cJSON_AddNumberToObject(d, "customer", (double)id);
            cJSON_AddNumberToObject(d, "from", (double)c.owner_id);
            cJSON_AddNumberToObject(d, "to", (double)owner);
            rc = audit_write(r, r->auth->tenant_id, r->auth->user_id, owner,
                             "customer.transfer", d);
        }
        cJSON_Delete(d);
    }
    return rc;
}

enum app_err
customer_transfer(struct req *r)
{
    static const struct field_spec spec[] = {
        { "owner", V_INT, true, 1, INT64_MAX, NULL },
    };
    struct field_val v[1];
    struct customer c;
    int64_t id = router_param_int(r, "id");
    enum app_err rc;

    rc = customers_get(r, id, false, &c);
    if (rc != APP_OK)
        return rc;
    if (validate_fields(r, &r->form, spec, 1, v, NULL) != APP_OK)
        return APP_EVALIDATION;
    rc = customers_owner_ok(r, v[0].i);
    if (rc != APP_OK)
        return rc == APP_EFORBIDDEN ? rc : APP_EVALIDATION;
    rc = transfer_one(r, id, v[0].i);
    if (rc != APP_OK)
        return rc;
    return http_redirect(r,
                         arena_printf(r->a, "/customers/%lld", (long long)id));
}

/* --- bulk actions ------------------------------------------------------------
 *
 * Selected customers (ids[]) get a stage change (each through the gate, each
 * in its own transaction: one refusal does not undo the others) or a new
 * owner (managers and admins).  The list page shows what happened to each. */

enum app_err
customers_bulk(struct req *r)
{
    static const char *const actions[] = { "stage", "transfer", NULL };
    static const struct field_spec spec[] = {
        { "action", V_ENUM, true, 0, 0, actions },
        { "to", V_SLUG, false, 1, 64, NULL },
        { "lost_reason", V_SLUG, false, 1, 64, NULL },
        { "owner", V_INT, false, 1, INT64_MAX, NULL },
    };
    struct field_val v[4];
    cJSON *results = cJSON_CreateObject(), *items;
    size_t i, n = 0, moved = 0;
    enum app_err rc;

    if (results == NULL)
        return APP_ENOMEM;
    if (validate_fields(r, &r->form, spec, 4, v, NULL) != APP_OK ||
        (v[0].i == 0 && !v[1].present) || (v[0].i == 1 && !v[3].present)) {
        cJSON_Delete(results);
        return APP_EVALIDATION;
    }
    if (v[0].i == 1 && (rc = customers_owner_ok(r, v[3].i)) != APP_OK) {
        cJSON_Delete(results);
        return rc == APP_EFORBIDDEN ? rc : APP_EVALIDATION;
    }
    items = cJSON_AddArrayToObject(results, "items");
    for (i = 0; i < r->form.n; i++) {
        struct kv *kv = &r->form.v[i];
        struct rule_verdict verdict;
        struct customer c;
        int64_t id, event;
        cJSON *o;

        if (!str_eq_c(kv->key, "ids"))
            continue;
        if (++n > BULK_MAX || !parse_i64(kv->val, 1, INT64_MAX, &id)) {
            cJSON_Delete(results);
            return APP_EVALIDATION;
        }
        o = cJSON_CreateObject();
        if (o == NULL || items == NULL)
            break;
        cJSON_AddItemToArray(items, o);
        cJSON_AddNumberToObject(o, "id", (double)id);
        if (v[0].i == 0) {
            struct stage_request sr;

            memset(&sr, 0, sizeof(sr));
            sr.customer_id = id;
            sr.to = arena_str(r->a, v[1].s).p;
            sr.lost_reason = v[2].present ? arena_str(r->a, v[2].s).p : NULL;
            sr.via = "bulk";
            rc = stage_change(r, &sr, &verdict, &event);
            if (rc == APP_ECONFLICT || rc == APP_EVALIDATION) {
                cJSON_AddItemToObject(o, "refusal",
                                      stage_refusal(r, &verdict, id));
                rc = APP_OK;
            } else if (rc == APP_OK) {
                cJSON_AddBoolToObject(o, "ok", true);
                moved++;
            }
        } else {
            rc = transfer_one(r, id, v[3].i);
            if (rc == APP_OK) {
                cJSON_AddBoolToObject(o, "ok", true);
                moved++;
            }
        }
        if (rc == APP_ENOTFOUND) {
            cJSON_AddBoolToObject(o, "not_found", true);
            rc = APP_OK;
        }
        if (rc != APP_OK) {
            cJSON_Delete(results);
            return rc;
        }
        if (rc == APP_OK && customers_get(r, id, false, &c) == APP_OK)
            view_add_str(o, "name", c.name);
    }
    cJSON_AddNumberToObject(results, "done", (double)moved);
    cJSON_AddNumberToObject(results, "total", (double)n);
    return list_page(r, 200, results);
}
