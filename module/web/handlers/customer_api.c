/*
 * customer_api.c -- customers, contacts, evidence and stage changes as
 * JSON (DESIGN §9).  The same checks as the pages: the user's scope, the
 * rules' gate on every stage change (409 with the missing evidence),
 * optimistic concurrency on updates (409 with the current record).
 */
#include <string.h>

#include "http/app.h"
#include "db/audit.h"
#include "web/auth.h"
#include "sales/contacts.h"
#include "web/customer_view.h"
#include "sales/customer_input.h"
#include "sales/customers.h"
#include "sales/loss_focus.h"
#include "sales/qual_docs.h"
#include "db/db.h"
#include "sales/evidence.h"
#include "sales/files.h"
#include "web/handlers/customer_api.h"
#include "http/router.h"
#include "sales/stage.h"
#include "identity/access.h"
#include "identity/users.h"
#include "base/validate.h"
#include "web/api_json.h"
#include "web/view.h"

#define API_PAGE_MAX 200

/* 409 {"error": "conflict", "message": ..., "current": cur} (takes cur). */
APP_MUST_USE static enum app_err
send_conflict(struct req *r, const char *message_key, cJSON *cur)
{
    cJSON *o = cJSON_CreateObject();

    if (o == NULL || cur == NULL) {
        cJSON_Delete(o);
        cJSON_Delete(cur);
        return APP_ENOMEM;
    }
    cJSON_AddStringToObject(o, "error", "conflict");
    cJSON_AddStringToObject(o, "message", http_t(r, message_key));
    cJSON_AddItemToObject(o, "current", cur);
    return api_send(r, 409, o);
}

/* GET /api/v1/customers?stage=&owner=&team=&health=&kind=&stale=&q=
 * &sort=&dir=&page=&per_page= */
enum app_err
api_customers(struct req *r)
{
    static const struct field_spec spec[] = {
        { "per_page", V_INT, false, 1, API_PAGE_MAX, NULL },
    };
    struct field_val v[1];
    struct customer_filter f;
    struct ruledesc rd;
    struct db_res res;
    int64_t page = 1, total = 0, per;
    cJSON *o, *list, *errors = view_errors(r);
    size_t i;
    enum app_err rc, vrc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = customer_filter_check(&r->cx, &r->query_args, &f, &page, errors);
    vrc =
        validate_fields(&r->cx.err_detail, &r->query_args, spec, 1, v, errors);
    if (rc == APP_EVALIDATION || vrc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return api_invalid(r, errors);
    }
    if (rc == APP_OK)
        rc = vrc;
    if (rc == APP_OK)
        rc = ruledesc_get(&r->cx, &rd);
    if (rc != APP_OK)
        return rc;
    per = v[0].present ? v[0].i : 50;
    rc = customers_list(&r->cx, &rd, &f, (size_t)per,
                        (size_t)((page - 1) * per), &res, &total, NULL);
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    list = o != NULL ? cJSON_AddArrayToObject(o, "customers") : NULL;
    if (list == NULL) {
        cJSON_Delete(o);
        return APP_ENOMEM;
    }
    for (i = 0; i < res.nrows; i++) {
        cJSON *c = cJSON_CreateObject();

        if (c == NULL)
            break;
        cJSON_AddItemToArray(list, c);
        cJSON_AddNumberToObject(c, "id", (double)db_int(&res, i, CL_ID, 0));
        cJSON_AddStringToObject(c, "name", db_text(&res, i, CL_NAME));
        cJSON_AddStringToObject(c, "kind", db_text(&res, i, CL_KIND));
        cJSON_AddStringToObject(c, "stage", db_text(&res, i, CL_STAGE));
        cJSON_AddStringToObject(c, "stage_since",
                                db_text(&res, i, CL_STAGE_SINCE));
        cJSON_AddNumberToObject(c, "owner_id",
                                (double)db_int(&res, i, CL_OWNER_ID, 0));
        cJSON_AddStringToObject(c, "owner", db_text(&res, i, CL_OWNER_NAME));
        cJSON_AddStringToObject(c, "city", db_text(&res, i, CL_CITY));
        cJSON_AddStringToObject(c, "health", db_text(&res, i, CL_HEALTH));
        cJSON_AddNumberToObject(c, "version",
                                (double)db_int(&res, i, CL_VERSION, 0));
    }
    cJSON_AddNumberToObject(o, "total", (double)total);
    cJSON_AddNumberToObject(o, "page", (double)page);
    cJSON_AddNumberToObject(o, "per_page", (double)per);
    return api_send(r, 200, o);
}

static cJSON *
contact_api(const struct contact *k)
{
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)k->id);
    cJSON_AddNumberToObject(o, "version", (double)k->version);
    cJSON_AddStringToObject(o, "name", k->name);
    cJSON_AddStringToObject(o, "title", k->title);
    cJSON_AddStringToObject(o, "department", k->department);
    cJSON_AddStringToObject(o, "role", k->role);
    cJSON_AddStringToObject(o, "channel", k->channel);
    cJSON_AddStringToObject(o, "focus", k->focus);
    cJSON_AddStringToObject(o, "phone", k->phone);
    cJSON_AddStringToObject(o, "email", k->email);
    cJSON_AddStringToObject(o, "birthday", k->birthday);
    cJSON_AddStringToObject(o, "last_met_on", k->last_met_on);
    cJSON_AddStringToObject(o, "consensus", k->consensus);
    cJSON_AddStringToObject(o, "consensus_on", k->consensus_on);
    return o;
}

static cJSON *
evidence_api(const struct evidence_item *e)
{
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)e->id);
    cJSON_AddStringToObject(o, "key", e->key);
    cJSON_AddStringToObject(o, "kind", e->kind);
    if (e->file_id > 0)
        cJSON_AddNumberToObject(o, "file_id", (double)e->file_id);
    if (e->data[0] != '\0')
        cJSON_AddItemToObject(o, "data", cJSON_Parse(e->data));
    cJSON_AddStringToObject(o, "note", e->note);
    cJSON_AddStringToObject(o, "created_at", e->created_at);
    cJSON_AddStringToObject(o, "by", e->by_name);
    cJSON_AddBoolToObject(o, "used", e->used_in != 0);
    return o;
}

/* The customer with its contacts, current evidence and next stage's
 * missing evidence. */
APP_MUST_USE static enum app_err
customer_full(struct req *r, int64_t id, cJSON **out)
{
    struct ruledesc rd;
    struct customer c;
    struct evidence_set *set = arena_alloc(r->a, sizeof(*set));
    struct contact *list = arena_calloc(r->a, CONTACTS_MAX, sizeof(*list));
    const cJSON *next;
    cJSON *o, *a;
    size_t n = 0, i;
    enum app_err rc;

    *out = NULL;
    if (set == NULL || list == NULL)
        return APP_ENOMEM;
    rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = customers_get(&r->cx, id, false, &c);
    if (rc == APP_OK)
        rc = evidence_current(&r->cx, id, set);
    if (rc == APP_OK)
        rc = contacts_list(&r->cx, id, list, CONTACTS_MAX, &n);
    if (rc != APP_OK)
        return rc;
    o = cview_customer_api(&c);
    if (o == NULL)
        return APP_ENOMEM;
    cJSON_AddStringToObject(o, "health",
                            customers_health(&rd, c.stage, c.last_activity_at));
    a = cJSON_AddArrayToObject(o, "contacts");
    for (i = 0; a != NULL && i < n; i++)
        cJSON_AddItemToArray(a, contact_api(&list[i]));
    a = cJSON_AddArrayToObject(o, "evidence");
    for (i = 0; a != NULL && i < set->n; i++)
        cJSON_AddItemToArray(a, evidence_api(&set->v[i]));
    next = cview_next_stage(&rd, c.stage);
    if (next != NULL) {
        cJSON *nx = cJSON_AddObjectToObject(o, "next_stage"), *missing, *reqs;
        const cJSON *req;
        const char *focus = loss_focus_of(&rd, &c);

        reqs = ruledesc_requires(&rd, next, focus);
        if (reqs == NULL) {
            cJSON_Delete(o);
            return APP_ENOMEM;
        }

        cJSON_AddStringToObject(
            nx, "key", cJSON_GetStringValue(cJSON_GetObjectItem(next, "key")));
        cJSON_AddStringToObject(nx, "name", ruledesc_name(&r->cx, next));
        if (focus != NULL)
            cJSON_AddStringToObject(nx, "loss_focus", focus);
        missing = cJSON_AddArrayToObject(nx, "missing");
        cJSON_ArrayForEach(req, reqs)
        {
            const char *k =
                cJSON_GetStringValue(cJSON_GetObjectItem(req, "key"));
            cJSON *m;

            if (k == NULL || evidence_find(set, k) != NULL || missing == NULL)
                continue;
            if (cJSON_IsTrue(cJSON_GetObjectItem(req, "qualification"))) {
                bool qualified = false;

                rc = qual_qualified(&r->cx, &rd, &c, &qualified);
                if (rc != APP_OK) {
                    cJSON_Delete(reqs);
                    cJSON_Delete(o);
                    return rc;
                }
                if (qualified)
                    continue;
            }
            m = cJSON_CreateObject();
            if (m == NULL)
                break;
            cJSON_AddStringToObject(m, "key", k);
            cJSON_AddStringToObject(m, "name", ruledesc_name(&r->cx, req));
            if (cJSON_IsTrue(cJSON_GetObjectItem(req, "focus")))
                cJSON_AddBoolToObject(m, "focus", true);
            cJSON_AddItemToArray(missing, m);
        }
        cJSON_Delete(reqs);
    }
    cJSON_AddNumberToObject(o, "rule_version", rd.version);
    *out = o;
    return APP_OK;
}

enum app_err
api_customer(struct req *r)
{
    cJSON *o;
    enum app_err rc = customer_full(r, router_param_int(r, "id"), &o);

    if (rc != APP_OK)
        return rc;
    return api_send(r, 200, o);
}

enum app_err
api_customer_create(struct req *r)
{
    struct customer_form cf;
    struct ruledesc rd;
    struct db_res similar;
    struct kvlist fields;
    cJSON *errors = view_errors(r), *o;
    int64_t id = 0;
    const char *first;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = api_fields(r, &fields);
    if (rc == APP_OK)
        rc = ruledesc_get(&r->cx, &rd);
    if (rc != APP_OK)
        return rc;
    rc = customer_input_check(&r->cx, &rd, &fields, false, "owner_id", &cf,
                              errors);
    if (rc != APP_OK) {
        r->cx.err_detail = NULL;
        return api_invalid(r, errors);
    }
    rc = customers_similar(&r->cx, cf.in.name, 0, &similar);
    if (rc != APP_OK)
        return rc;
    if (similar.nrows > 0 && !cf.confirm_duplicate) {
        cJSON *list;
        size_t i;

        o = cJSON_CreateObject();
        list = o != NULL ? cJSON_AddArrayToObject(o, "similar") : NULL;
        if (list == NULL) {
            cJSON_Delete(o);
            return APP_ENOMEM;
        }
        cJSON_AddStringToObject(o, "error", "duplicate");
        cJSON_AddStringToObject(o, "message",
                                http_t(r, "customer.similar_api"));
        for (i = 0; i < similar.nrows; i++) {
            cJSON *x = cJSON_CreateObject();

            if (x == NULL)
                break;
            cJSON_AddStringToObject(x, "owner", db_text(&similar, i, 2));
            if (db_int(&similar, i, 3, 0) != 0) {
                cJSON_AddStringToObject(x, "name", db_text(&similar, i, 1));
                cJSON_AddNumberToObject(x, "id",
                                        (double)db_int(&similar, i, 0, 0));
            } else {
                cJSON_AddBoolToObject(x, "same_name", true);
            }
            cJSON_AddItemToArray(list, x);
        }
        return api_send(r, 409, o);
    }
    first = ruledesc_first_stage(&rd);
    if (first == NULL)
        return APP_EINTERNAL;
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = customers_create(&r->cx, &cf.in, cf.owner, first, rd.version,
                              "api", &id);
    }
    if (rc != APP_OK)
        return rc;
    rc = customer_full(r, id, &o);
    if (rc != APP_OK)
        return rc;
    return api_send(r, 201, o);
}

/* PATCH /api/v1/customers/{id}: the fields given replace the stored ones;
 * "version" is required. */
enum app_err
api_customer_update(struct req *r)
{
    struct customer_form cf;
    struct ruledesc rd;
    struct customer c;
    struct kvlist fields;
    cJSON *errors = view_errors(r), *o;
    int64_t id = router_param_int(r, "id");
    size_t i;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = api_fields(r, &fields);
    if (rc == APP_OK)
        rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = customers_get(&r->cx, id, false, &c);
    if (rc != APP_OK)
        return rc;
    /* Missing fields keep their stored values. */
    {
        static const char *const names[] = { "name",    "kind",  "city",
                                             "address", "phone", "amount",
                                             "note" };
        const char *now[] = { c.name,  c.kind,   c.city, c.address,
                              c.phone, c.amount, c.note };

        for (i = 0; i < 7; i++) {
            if (kv_get(&fields, names[i]) == NULL &&
                kv_add(r->a, &fields, str_c(names[i]), str_c(now[i])) != APP_OK)
                return APP_ENOMEM;
        }
    }
    rc = customer_input_check(&r->cx, &rd, &fields, true, "owner_id", &cf,
                              errors);
    if (rc != APP_OK) {
        r->cx.err_detail = NULL;
        return api_invalid(r, errors);
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = customers_update(&r->cx, id, cf.version, &cf.in);
    }
    if (rc == APP_ECONFLICT) {
        if (customers_get(&r->cx, id, false, &c) != APP_OK)
            return APP_ECONFLICT;
        return send_conflict(r, "customer.stale_api", cview_customer_api(&c));
    }
    if (rc != APP_OK)
        return rc;
    rc = customer_full(r, id, &o);
    if (rc != APP_OK)
        return rc;
    return api_send(r, 200, o);
}

/* POST /api/v1/customers/{id}/stage {"to", "lost_reason", "note",
 * "version"} */
enum app_err
api_customer_stage(struct req *r)
{
    static const struct field_spec spec[] = {
        { "to", V_SLUG, true, 1, 64, NULL },
        { "lost_reason", V_LINE, false, 1, 64, NULL },
        { "note", V_LINE, false, 0, 500, NULL },
        { "version", V_INT, false, 1, INT64_MAX, NULL },
    };
    struct field_val v[4];
    struct stage_request sr;
    struct rule_verdict verdict;
    struct kvlist fields;
    struct customer c;
    cJSON *errors = view_errors(r), *o;
    int64_t id = router_param_int(r, "id"), event = 0;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = customers_get(&r->cx, id, false, &c);
    if (rc == APP_OK)
        rc = api_fields(r, &fields);
    if (rc != APP_OK)
        return rc;
    if (validate_fields(&r->cx.err_detail, &fields, spec, 4, v, errors) !=
        APP_OK) {
        r->cx.err_detail = NULL;
        return api_invalid(r, errors);
    }
    memset(&sr, 0, sizeof(sr));
    sr.customer_id = id;
    sr.to = arena_str(r->a, v[0].s).p;
    sr.lost_reason = v[1].present ? arena_str(r->a, v[1].s).p : NULL;
    sr.note = v[2].present ? arena_str(r->a, v[2].s).p : NULL;
    sr.via = "api";
    sr.expected_version = v[3].present ? v[3].i : 0;
    rc = stage_change(&r->cx, &sr, &verdict, &event);
    if (rc == APP_ECONFLICT || rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return api_send(r, rc == APP_ECONFLICT ? 409 : 422,
                        cview_refusal(r, &verdict, 0));
    }
    if (rc != APP_OK)
        return rc;
    rc = customer_full(r, id, &o);
    if (rc != APP_OK)
        return rc;
    cJSON_AddNumberToObject(o, "stage_event_id", (double)event);
    cJSON_AddStringToObject(o, "code",
                            verdict.code != NULL ? verdict.code : "ok");
    return api_send(r, 200, o);
}

enum app_err
api_customer_contacts(struct req *r)
{
    struct contact *list = arena_calloc(r->a, CONTACTS_MAX, sizeof(*list));
    struct customer c;
    cJSON *o, *a;
    size_t n = 0, i;
    int64_t id = router_param_int(r, "id");
    enum app_err rc;

    if (list == NULL)
        return APP_ENOMEM;
    rc = customers_get(&r->cx, id, false, &c);
    if (rc == APP_OK)
        rc = contacts_list(&r->cx, id, list, CONTACTS_MAX, &n);
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    a = o != NULL ? cJSON_AddArrayToObject(o, "contacts") : NULL;
    for (i = 0; a != NULL && i < n; i++)
        cJSON_AddItemToArray(a, contact_api(&list[i]));
    return api_send(r, 200, o);
}

/* A role named in a JSON body by its key or its name in the rules, as
 * the key (the page's field takes keys). */
static void
role_to_key(const struct ruledesc *rd, struct kvlist *fields)
{
    size_t i;

    for (i = 0; i < fields->n; i++) {
        if (strcmp(fields->v[i].key.p, "role") == 0) {
            const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(
                ruledesc_find(rd, "decision_roles", fields->v[i].val.p),
                "key"));

            if (key != NULL)
                fields->v[i].val = str_c(key);
        }
    }
}

/* POST /api/v1/customers/{id}/contacts: the page's fields and checks. */
enum app_err
api_contact_create(struct req *r)
{
    struct contact_input in;
    struct ruledesc rd;
    struct customer c;
    struct contact k;
    struct kvlist fields;
    cJSON *errors = view_errors(r);
    int64_t id = router_param_int(r, "id"), kid = 0, version = 0;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = api_fields(r, &fields);
    if (rc == APP_OK)
        rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = customers_get(&r->cx, id, false, &c);
    if (rc != APP_OK)
        return rc;
    role_to_key(&rd, &fields);
    rc = contact_input_check(&r->cx, &rd, &fields, &in, &version, errors);
    if (rc != APP_OK) {
        r->cx.err_detail = NULL;
        return api_invalid(r, errors);
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = contacts_create(&r->cx, id, &in, &kid);
    }
    if (rc != APP_OK)
        return rc;
    rc = contacts_get(&r->cx, kid, &k);
    if (rc != APP_OK)
        return rc;
    return api_send(r, 201, contact_api(&k));
}

/* POST /api/v1/customers/{id}/evidence: multipart (key, note, file) for a
 * photo or document, or JSON {"key", "data": {...}, "note"} for a form or
 * a call. */
enum app_err
api_customer_evidence(struct req *r)
{
    struct evidence_submission sub = { 0 };
    struct ruledesc rd;
    struct customer c;
    const char *kind = NULL;
    cJSON *errors = view_errors(r), *o;
    int64_t id = router_param_int(r, "id"), file_id = 0, eid = 0;
    size_t i;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = customers_get(&r->cx, id, false, &c);
    if (rc != APP_OK)
        return rc;
    if (r->json != NULL) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(r->json, "key");
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(r->json, "note");

        sub.key = cJSON_IsString(k) ? k->valuestring : NULL;
        sub.json = cJSON_GetObjectItemCaseSensitive(r->json, "data");
        sub.note = cJSON_IsString(n) ? str_c(n->valuestring) : STR_NULL;
    } else {
        const struct str *k = kv_get(&r->form, "key");
        const struct str *n = kv_get(&r->form, "note");

        sub.key = k != NULL ? arena_str(r->a, *k).p : NULL;
        sub.note = n != NULL ? *n : STR_NULL;
        for (i = 0; i < r->files.n; i++) {
            if (str_eq_c(r->files.v[i].field, "file") && r->files.v[i].size > 0)
                sub.file = &r->files.v[i];
        }
    }
    rc = evidence_submit(&r->cx, &rd, id, &sub, errors, &eid, &file_id, &kind);
    if (rc == APP_EVALIDATION) {
        r->cx.err_detail = NULL;
        return api_invalid(r, errors);
    }
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    if (o == NULL)
        return APP_ENOMEM;
    cJSON_AddNumberToObject(o, "id", (double)eid);
    cJSON_AddStringToObject(o, "key", sub.key);
    cJSON_AddStringToObject(o, "kind", kind);
    if (file_id > 0)
        cJSON_AddNumberToObject(o, "file_id", (double)file_id);
    return api_send(r, 201, o);
}

enum app_err
api_customer_history(struct req *r)
{
    struct customer c;
    struct db_res res;
    cJSON *o, *a;
    int64_t id = router_param_int(r, "id");
    size_t i;
    enum app_err rc = customers_get(&r->cx, id, false, &c);

    if (rc == APP_OK)
        rc = stage_history(&r->cx, id, 1000, &res);
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    a = o != NULL ? cJSON_AddArrayToObject(o, "history") : NULL;
    for (i = 0; a != NULL && i < res.nrows; i++) {
        cJSON *e = cJSON_CreateObject();
        const char *from = db_text(&res, i, 1);

        if (e == NULL)
            break;
        cJSON_AddItemToArray(a, e);
        cJSON_AddNumberToObject(e, "id", (double)db_int(&res, i, 0, 0));
        if (from[0] != '\0')
            cJSON_AddStringToObject(e, "from", from);
        else
            cJSON_AddNullToObject(e, "from");
        cJSON_AddStringToObject(e, "to", db_text(&res, i, 2));
        cJSON_AddStringToObject(e, "code", db_text(&res, i, 3));
        cJSON_AddStringToObject(e, "at", db_text(&res, i, 4));
        cJSON_AddNumberToObject(e, "by_id", (double)db_int(&res, i, 5, 0));
        cJSON_AddStringToObject(e, "by", db_text(&res, i, 6));
        cJSON_AddItemToObject(e, "evidence_ids",
                              cJSON_Parse(db_text(&res, i, 7)));
        cJSON_AddNumberToObject(e, "rule_version",
                                (double)db_int(&res, i, 8, 0));
        if (db_text(&res, i, 9)[0] != '\0')
            cJSON_AddStringToObject(e, "lost_reason", db_text(&res, i, 9));
        cJSON_AddStringToObject(e, "note", db_text(&res, i, 10));
        cJSON_AddStringToObject(e, "via", db_text(&res, i, 11));
    }
    return api_send(r, 200, o);
}

/* GET /api/v1/customers/{id}/evidence: the current item of every key. */
enum app_err
api_customer_evidence_list(struct req *r)
{
    struct evidence_set *set = arena_alloc(r->a, sizeof(*set));
    struct customer c;
    int64_t id = router_param_int(r, "id");
    cJSON *o, *a;
    size_t i;
    enum app_err rc;

    if (set == NULL)
        return APP_ENOMEM;
    rc = customers_get(&r->cx, id, false, &c);
    if (rc == APP_OK)
        rc = evidence_current(&r->cx, id, set);
    if (rc != APP_OK)
        return rc;
    o = cJSON_CreateObject();
    a = cJSON_AddArrayToObject(o, "evidence");
    for (i = 0; a != NULL && i < set->n; i++)
        cJSON_AddItemToArray(a, evidence_api(&set->v[i]));
    return api_send(r, 200, o);
}

/* A contact whose customer is in the caller's scope (else APP_ENOTFOUND). */
APP_MUST_USE static enum app_err
contact_load(struct req *r, struct contact *k)
{
    struct customer c;
    enum app_err rc = contacts_get(&r->cx, router_param_int(r, "id"), k);

    if (rc == APP_OK)
        rc = customers_get(&r->cx, k->customer_id, false, &c);
    return rc;
}

/* GET /api/v1/contacts/{id} */
enum app_err
api_contact(struct req *r)
{
    struct contact k;
    enum app_err rc = contact_load(r, &k);

    if (rc != APP_OK)
        return rc;
    return api_send(r, 200, contact_api(&k));
}

/* PATCH /api/v1/contacts/{id}: the fields given replace the stored ones
 * (role by key or name); "version" is required. */
enum app_err
api_contact_update(struct req *r)
{
    static const char *const names[] = { "name",  "title",   "department",
                                         "role",  "channel", "focus",
                                         "phone", "email",   "birthday" };
    struct contact_input in;
    struct ruledesc rd;
    struct contact k;
    struct kvlist fields;
    cJSON *errors = view_errors(r);
    int64_t version = 0;
    size_t i;
    enum app_err rc;

    if (errors == NULL)
        return APP_ENOMEM;
    rc = api_fields(r, &fields);
    if (rc == APP_OK)
        rc = ruledesc_get(&r->cx, &rd);
    if (rc == APP_OK)
        rc = contact_load(r, &k);
    if (rc != APP_OK)
        return rc;
    role_to_key(&rd, &fields);
    {
        const char *now[] = { k.name,  k.title,   k.department,
                              k.role,  k.channel, k.focus,
                              k.phone, k.email,   k.birthday };

        for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            if (kv_get(&fields, names[i]) == NULL &&
                kv_add(r->a, &fields, str_c(names[i]), str_c(now[i])) != APP_OK)
                return APP_ENOMEM;
        }
    }
    rc = contact_input_check(&r->cx, &rd, &fields, &in, &version, errors);
    if (version == 0) {
        cJSON_AddStringToObject(errors, "version", "validate.required");
        rc = APP_EVALIDATION;
    }
    if (rc != APP_OK) {
        r->cx.err_detail = NULL;
        return api_invalid(r, errors);
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(r->app->db, &tx, &rc);) {
        rc = contacts_update(&r->cx, k.id, version, &in);
    }
    if (rc == APP_ECONFLICT) {
        if (contacts_get(&r->cx, k.id, &k) != APP_OK)
            return APP_ECONFLICT;
        return send_conflict(r, "contact.stale_api", contact_api(&k));
    }
    if (rc != APP_OK)
        return rc;
    rc = contacts_get(&r->cx, k.id, &k);
    if (rc != APP_OK)
        return rc;
    return api_send(r, 200, contact_api(&k));
}
