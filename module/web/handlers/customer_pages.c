/*
 * customer_pages.c -- the customer list, the customer page, creating and
 * editing customers (optimistic concurrency), transferring owners, stage
 * changes from the page and bulk actions.
 */
#include <stdio.h>
#include <string.h>

#include "identity/access.h"
#include "http/app.h"
#include "db/audit.h"
#include "web/auth.h"
#include "sales/contacts.h"
#include "web/chain_view.h"
#include "web/customer_view.h"
#include "web/radar_view.h"
#include "sales/customer_input.h"
#include "sales/customer_page.h"
#include "sales/customers.h"
#include "sales/loss_focus.h"
#include "sales/contracts.h"
#include "sales/qual_docs.h"
#include "web/qual_view.h"
#include "identity/role.h"
#include "identity/settings.h"
#include "db/db.h"
#include "sales/evidence.h"
#include "web/handlers/customer_pages.h"
#include "base/num.h"
#include "http/router.h"
#include "sales/stage.h"
#include "sales/stores.h"
#include "identity/users.h"
#include "base/validate.h"
#include "web/payment_view.h"
#include "web/view.h"
#include "base/wire.h"
#include "base/jsonmem.h"

#define PAGE_SIZE 50
#define BULK_MAX 200

static bool
can_manage(const struct req *r)
{
    return role_can_manage(r->auth->role);
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
        ruledesc_label(&r->cx, rd, "customer_kinds", db_text(res, i, CL_KIND)));
    view_add_str(o, "stage", db_text(res, i, CL_STAGE));
    view_add_str(
        o, "stage_label",
        ruledesc_label(&r->cx, rd, "stages", db_text(res, i, CL_STAGE)));
    cJSON_AddNumberToObject(
        o, "days_in_stage",
        (double)cview_days_since(db_text(res, i, CL_STAGE_SINCE)));
    view_add_str(o, "owner", db_text(res, i, CL_OWNER_NAME));
    view_add_str(o, "city", db_text(res, i, CL_CITY));
    view_add_str(o, "last_activity",
                 view_local(r, db_text(res, i, CL_LAST_ACTIVITY)));
    view_add_str(o, "amount", view_money(r, db_text(res, i, CL_AMOUNT)));
    view_add_str(o, "health", db_text(res, i, CL_HEALTH));
    view_add_str(o, "health_label",
                 http_t(r, arena_printf(r->a, "customer.health.%s",
                                        db_text(res, i, CL_HEALTH))));
    return o;
}

/* The list's sortable columns: name, days in the stage, amount (largest
 * first) and last action (latest first). */
APP_MUST_USE static enum app_err
sort_headers(struct req *r, const struct customer_filter *f, cJSON *m)
{
    static const struct {
        enum customer_sort sort;
        const char *label;
        bool first_desc;
    } cols[] = {
        { CS_NAME, "customer.name", false },
        { CS_STAGE_SINCE, "customer.days_in_stage", false },
        { CS_AMOUNT, "customer.amount", true },
        { CS_ACTIVITY, "customer.last_activity", true },
    };
    struct customer_filter plain = *f;
    cJSON *o = cJSON_AddObjectToObject(m, "sort");
    const char *qs;
    size_t i;

    plain.sort_given = plain.dir_given = false;
    qs = cview_filter_qs(r, &plain);
    if (o == NULL || qs == NULL)
        return APP_ENOMEM;
    for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
        const char *key = customer_sort_values[cols[i].sort];
        cJSON *th =
            view_sort_th(r, "/customers", qs, key, http_t(r, cols[i].label),
                         f->sort == cols[i].sort, f->desc, cols[i].first_desc);

        if (th == NULL || !cJSON_AddItemToObject(o, key, th))
            return APP_ENOMEM;
        cJSON_AddBoolToObject(th, "num", cols[i].sort == CS_AMOUNT);
    }
    return APP_OK;
}

/* The list page, also shown after a bulk action with its results. */
APP_MUST_USE static enum app_err
list_page(struct req *r, int status, cJSON *bulk_result)
{
    struct customer_filter f;
    struct ruledesc rd;
    struct db_res res;
    int64_t page = 1, total = 0, pages;
    bool may_export = false;
    const char *qs = "";
    cJSON *m, *rows, *filter;
    size_t i;
    enum app_err rc;

    /* GET routes parse the query (RF_QUERY); after a POST it is empty. */
    rc = customer_filter_check(&r->cx, &r->query_args, &f, &page, NULL);
    if (rc == APP_OK && (qs = cview_filter_qs(r, &f)) == NULL)
        rc = APP_ENOMEM;
    if (rc == APP_OK)
        rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = customers_list(&r->cx, &rd, &f, PAGE_SIZE,
                            (size_t)(page - 1) * PAGE_SIZE, &res, &total, NULL);
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
                          ruledesc_options(&r->cx, &rd, "stages", f.stage));
    cJSON_AddItemToObject(
        filter, "kinds",
        ruledesc_options(&r->cx, &rd, "customer_kinds", f.kind));
    cJSON_AddItemToObject(
        filter, "healths",
        view_options(r, customer_health_values, "customer.health.", f.health));
    cJSON_AddItemToObject(filter, "sorts",
                          view_options(r, customer_sort_values,
                                       "customer.sort.",
                                       customer_sort_values[f.sort]));
    cJSON_AddBoolToObject(filter, "desc", f.desc);
    rc = cview_people(r, filter, f.owner, f.team);
    if (rc == APP_OK)
        rc = sort_headers(r, &f, m);
    if (rc != APP_OK)
        return rc;
    cJSON_AddBoolToObject(m, "can_manage", can_manage(r));
    rc = settings_may_export(&r->cx, &may_export);
    if (rc != APP_OK)
        return rc;
    cJSON_AddBoolToObject(m, "can_export", may_export);
    cJSON_AddItemToObject(m, "bulk_stages",
                          ruledesc_options(&r->cx, &rd, "stages", NULL));
    cJSON_AddItemToObject(m, "lost_reasons",
                          ruledesc_options(&r->cx, &rd, "lost_reasons", NULL));
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
                          ruledesc_options(&r->cx, rd, "customer_kinds", kind));
    if (can_manage(r)) {
        rc = cview_people(r, m, owner, 0);
        if (rc != APP_OK)
            return rc;
    }
    if (errors != NULL) {
        cJSON_AddItemToObject(m, "errors", view_field_errors(r, errors));
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
    enum app_err rc = ruledesc_get(&r->cx, &rd);

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
    struct customer_form cf;
    struct customer_input in;
    struct ruledesc rd;
    struct db_res similar;
    cJSON *errors = view_errors(r);
    int64_t owner, id = 0;
    const char *first;
    enum app_err rc, vrc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = ruledesc_get(&r->cx, &rd);
    if (rc != APP_OK)
        return rc;
    vrc = customer_input_check(&r->cx, &rd, &r->form, false, "owner", &cf,
                               errors);
    in = cf.in;
    owner = cf.owner;
    if (vrc != APP_OK) {
        r->cx.err_detail = NULL;
        return form_page(r, 422, &rd, input_model(r, &in),
                         arena_str(r->a, in.kind).p, owner, errors, NULL);
    }
    /* Similar names: warn once, create when the user confirms. */
    rc = customers_similar(&r->cx, in.name, 0, &similar);
    if (rc != APP_OK)
        return rc;
    if (similar.nrows > 0 && !cf.confirm_duplicate) {
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
        rc = customers_create(&r->cx, &in, owner, first, rd.version, "page",
                              &id);
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/customers/%lld?done=created", (long long)id));
}

enum app_err
customer_edit(struct req *r)
{
    struct ruledesc rd;
    struct customer c;
    enum app_err rc = ruledesc_get(&r->cx, &rd);

    if (rc == APP_OK)
        rc = customers_get(&r->cx, router_param_int(r, "id"), false, &c);
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
                     i == 1 ? ruledesc_label(&r->cx, rd, "customer_kinds",
                                             arena_str(r->a, f[i].mine).p)
                            : arena_str(r->a, f[i].mine).p);
        view_add_str(
            o, "theirs",
            i == 1 ? ruledesc_label(&r->cx, rd, "customer_kinds", f[i].theirs)
                   : f[i].theirs);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

enum app_err
customer_update(struct req *r)
{
    struct customer_form cf;
    struct customer_input in;
    struct ruledesc rd;
    struct customer c;
    cJSON *errors = view_errors(r), *model, *extra;
    int64_t id = router_param_int(r, "id");
    enum app_err rc, vrc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = customers_get(&r->cx, id, false, &c);
    if (rc != APP_OK)
        return rc;
    vrc =
        customer_input_check(&r->cx, &rd, &r->form, true, "owner", &cf, errors);
    in = cf.in;
    if (vrc != APP_OK) {
        r->cx.err_detail = NULL;
        model = input_model(r, &in);
        cJSON_AddNumberToObject(model, "id", (double)id);
        cJSON_AddNumberToObject(
            model, "version",
            (double)(cf.version > 0 ? cf.version : c.version));
        return form_page(r, 422, &rd, model, arena_str(r->a, in.kind).p,
                         c.owner_id, errors, NULL);
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = customers_update(&r->cx, id, cf.version, &in);
    }
    if (rc == APP_ECONFLICT) {
        /* Someone saved first: show what changed, keep the user's input,
         * and let them save again on top of the current version. */
        db_rollback(r->app->db);
        rc = customers_get(&r->cx, id, false, &c);
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
        view_add_str(extra, "at", view_local(r, c.updated_at));
        return form_page(r, 409, &rd, model, arena_str(r->a, in.kind).p,
                         c.owner_id, NULL, extra);
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/customers/%lld?done=saved", (long long)id));
}

/* --- the customer page ------------------------------------------------------
 */

/* The customer page; refusal (may be NULL) is a refused stage change to
 * show. */
/* What the customer page can confirm after a redirect (?done=...). */
static const char *const done_keys[] = { "created", "saved",    "stage",
                                         "contact", "evidence", "activity",
                                         NULL };

/* The customer's contracts, newest first, with a link to make one. */
APP_MUST_USE static enum app_err
contracts_model(struct req *r, int64_t id, cJSON *m)
{
    struct db_res res;
    cJSON *a;
    size_t i;
    enum app_err rc = contracts_of(&r->cx, id, &res);

    if (rc != APP_OK)
        return rc;
    a = cJSON_AddArrayToObject(m, "contracts");
    for (i = 0; a != NULL && i < res.nrows && i < 20; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(a, o);
        cJSON_AddNumberToObject(o, "id", (double)db_int(&res, i, 0, 0));
        view_add_str(o, "number",
                     contracts_number(&r->cx, db_int(&res, i, 0, 0)));
        view_add_str(o, "status_label",
                     http_t(r, arena_printf(r->a, "contracts.status.%s",
                                            db_text(&res, i, 1))));
        view_add_str(o, "approval_label",
                     http_t(r, arena_printf(r->a, "contracts.approval.%s",
                                            db_text(&res, i, 2))));
        view_add_str(o, "amount", view_money(r, db_text(&res, i, 3)));
        view_add_str(o, "template", db_text(&res, i, 6));
    }
    return APP_OK;
}

/* The next stage's checklist of customer c ("next": key, label, items,
 * focus, ready), when it has a next stage. */
static void
next_model(struct req *r, const struct ruledesc *rd, const struct customer *c,
           const struct evidence_set *set, bool qualified, cJSON *m)
{
    const cJSON *next = cview_next_stage(rd, c->stage);
    const char *focus = loss_focus_of(rd, c);
    cJSON *n = next != NULL ? cJSON_AddObjectToObject(m, "next") : NULL;
    cJSON *items, *it;
    bool ready = true, focused = false;

    if (n == NULL)
        return;
    view_add_str(n, "key",
                 cJSON_GetStringValue(cJSON_GetObjectItem(next, "key")));
    view_add_str(n, "label", ruledesc_name(&r->cx, next));
    items = cview_checklist(r, rd, next, focus, c->id, set, qualified);
    /* Everything the next stage needs is here: offer the move at once,
     * where the last item was just supplied. */
    cJSON_ArrayForEach(it, items)
    {
        if (!cJSON_IsTrue(cJSON_GetObjectItem(it, "done")))
            ready = false;
        focused = focused || cJSON_IsTrue(cJSON_GetObjectItem(it, "focus"));
    }
    cJSON_AddBoolToObject(n, "focus", focused);
    cJSON_AddItemToObject(n, "items", items);
    cJSON_AddBoolToObject(n, "ready", ready && items != NULL);
}

/* The pipeline's part of the page: the stage path, the next stage's
 * checklist and the stage form's targets -- or, for a store's customer,
 * which is no deal and never moves (sales/stage.h), "store_of" with a
 * link to the store's page when the user sees the store. */
APP_MUST_USE static enum app_err
stage_model(struct req *r, const struct ruledesc *rd, const struct customer *c,
            const struct evidence_set *set, bool qualified, cJSON *m)
{
    int64_t store = 0;
    cJSON *o;
    enum app_err rc;

    if (!customers_is_store(c)) {
        cJSON_AddItemToObject(m, "stage_path", cview_path(r, rd, c->stage));
        next_model(r, rd, c, set, qualified, m);
        cJSON_AddItemToObject(m, "stages",
                              cview_stage_targets(r, rd, c->stage));
        cJSON_AddItemToObject(
            m, "lost_reasons",
            ruledesc_options(&r->cx, rd, "lost_reasons", NULL));
        return APP_OK;
    }
    rc = stores_of_customer(&r->cx, c->id, &store);
    o = rc == APP_OK ? cJSON_AddObjectToObject(m, "store_of") : NULL;
    if (rc == APP_OK && o == NULL)
        rc = APP_ENOMEM;
    if (rc == APP_OK && store > 0)
        view_add_str(o, "url",
                     arena_printf(r->a, "/stores/%lld", (long long)store));
    return rc;
}

/* The page's reads that need only the customer, in one round trip: the
 * services called below find their answers kept (customer_page.h), so
 * the arguments here are the ones they are called with. */
APP_MUST_USE static enum app_err
prefetch_reads(struct req *r, int64_t id)
{
    const struct customer_page_reads q = {
        .contacts_max = CONTACTS_MAX,
        .today = payment_view_today(r),
        .pay_days = PAYMENT_CARD_DAYS,
        .pay_rows = PAYMENT_CARD_ROWS,
    };

    return customer_page_prefetch(&r->cx, id, &q);
}

APP_MUST_USE static enum app_err
show_page(struct req *r, int status, int64_t id, cJSON *refusal)
{
    struct ruledesc rd;
    struct customer c;
    struct qual_status qs;
    struct evidence_set *set = arena_alloc(r->a, sizeof(*set));
    cJSON *m, *timeline, *all_items;
    size_t i;
    enum app_err rc;

    if (set == NULL)
        return APP_ENOMEM;
    rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = evidence_with_customer(&r->cx, id, &c, set);
    if (rc == APP_OK)
        rc = prefetch_reads(r, id);
    if (rc != APP_OK)
        return rc;
    m = view_new(r);
    if (m == NULL)
        return APP_ENOMEM;
    cJSON_AddItemToObject(m, "c", cview_customer(r, &rd, &c));
    if (refusal == NULL)
        view_done(r, m, "customers.done_%s", done_keys);
    rc = qual_status_of(&r->cx, &rd, &c, false, &qs);
    if (rc != APP_OK)
        return rc;
    if (qs.needs)
        cJSON_AddItemToObject(m, "q", qual_view_status(r, &rd, id, &qs));
    rc = contracts_model(r, id, m);
    if (rc == APP_OK)
        rc = stage_model(r, &rd, &c, set, qs.qualified, m);
    if (rc != APP_OK)
        return rc;
    all_items = cJSON_AddArrayToObject(m, "evidence");
    for (i = 0; all_items != NULL && i < set->n; i++)
        cJSON_AddItemToArray(all_items,
                             cview_evidence_item(r, &rd, &set->v[i]));
    if (refusal != NULL)
        cJSON_AddItemToObject(m, "refusal", refusal);
    rc = cview_timeline(r, &rd, id, 100, &timeline);
    if (rc != APP_OK)
        return rc;
    cJSON_AddItemToObject(m, "timeline", timeline);
    rc = chain_model(r, &rd, &c, m);
    if (rc == APP_OK)
        rc = radar_model(r, &c, m);
    if (rc == APP_OK)
        rc = payment_view_card(r, id, m);
    if (rc != APP_OK)
        return rc;
    if (can_manage(r)) {
        cJSON_AddBoolToObject(m, "can_transfer", true);
        rc = cview_people(r, m, c.owner_id, 0);
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
    struct ruledesc rd;
    struct customer c;
    bool asked = false;
    enum app_err rc;

    /* Another user's customer is 404 whatever the form says. */
    rc = customers_get(&r->cx, id, false, &c);
    if (rc != APP_OK)
        return rc;
    if (validate_fields(&r->cx.err_detail, &r->form, spec, 4, v, NULL) !=
        APP_OK)
        return APP_EVALIDATION;
    /* A move back or to lost is asked first, whatever the page sent. */
    rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = cview_move_confirm(
            r, &rd, &c, arena_str(r->a, v[0].s).p,
            arena_printf(r->a, "/customers/%lld", (long long)id), &asked);
    if (rc != APP_OK || asked)
        return rc;
    memset(&sr, 0, sizeof(sr));
    sr.customer_id = id;
    sr.to = arena_str(r->a, v[0].s).p;
    sr.lost_reason = v[1].present ? arena_str(r->a, v[1].s).p : NULL;
    sr.note = v[2].present ? arena_str(r->a, v[2].s).p : NULL;
    sr.via = "page";
    sr.expected_version = v[3].present ? v[3].i : 0;
    rc = stage_change(&r->cx, &sr, &verdict, &event);
    if (rc == APP_ECONFLICT || rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return show_page(r, rc == APP_ECONFLICT ? 409 : 422, id,
                         cview_refusal(r, &verdict, id));
    }
    if (rc != APP_OK)
        return rc;
    return http_redirect(
        r, arena_printf(r->a, "/customers/%lld?done=stage", (long long)id));
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
        rc = customers_get(&r->cx, id, true, &c);
        if (rc == APP_OK)
            rc = customers_set_owner(&r->cx, id, owner);
        d = rc == APP_OK ? cJSON_CreateObject() : NULL;
        if (rc == APP_OK && d == NULL)
            rc = APP_ENOMEM;
        if (rc == APP_OK) {
            cJSON_AddNumberToObject(d, "customer", (double)id);
            cJSON_AddNumberToObject(d, "from", (double)c.owner_id);
            cJSON_AddNumberToObject(d, "to", (double)owner);
            rc = audit_write(&r->cx, r->auth->tenant_id, r->auth->user_id,
                             owner, "customer.transfer", d);
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

    rc = customers_get(&r->cx, id, false, &c);
    if (rc != APP_OK)
        return rc;
    if (validate_fields(&r->cx.err_detail, &r->form, spec, 1, v, NULL) !=
        APP_OK)
        return APP_EVALIDATION;
    rc = customers_owner_ok(&r->cx, v[0].i);
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
    if (validate_fields(&r->cx.err_detail, &r->form, spec, 4, v, NULL) !=
            APP_OK ||
        (v[0].i == 0 && !v[1].present) || (v[0].i == 1 && !v[3].present)) {
        cJSON_Delete(results);
        return APP_EVALIDATION;
    }
    if (v[0].i == 1 && (rc = customers_owner_ok(&r->cx, v[3].i)) != APP_OK) {
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
            rc = stage_change(&r->cx, &sr, &verdict, &event);
            if (rc == APP_ECONFLICT || rc == APP_EVALIDATION) {
                cJSON_AddItemToObject(o, "refusal",
                                      cview_refusal(r, &verdict, id));
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
        if (rc == APP_OK && customers_get(&r->cx, id, false, &c) == APP_OK)
            view_add_str(o, "name", c.name);
    }
    cJSON_AddNumberToObject(results, "done", (double)moved);
    cJSON_AddNumberToObject(results, "total", (double)n);
    return list_page(r, 200, results);
}
