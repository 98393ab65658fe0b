/*
 * contracting.c -- making a contract, finance's approval, signing
 * (contracting.h).
 */
#include "work/contracting.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/num.h"
#include "base/tz.h"
#include "base/validate.h"
#include "db/audit.h"
#include "identity/role.h"
#include "rules/ruledesc.h"
#include "rules/rules.h"
#include "sales/clauses.h"
#include "sales/contracts.h"
#include "sales/customers.h"
#include "sales/payments.h"
#include "sales/qual_docs.h"
#include "work/notice_text.h"
#include "work/notify.h"
#include "work/tasks.h"

/* contract_rules as the rules describe them (engine.lua describe). */
static int
rule_int(const struct ruledesc *rd, const char *what, int def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(rd->d, "contract_rules"), what);

    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 1e6
               ? (int)v->valuedouble
               : def;
}

static bool
rule_flag(const struct ruledesc *rd, const char *what, bool def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(rd->d, "contract_rules"), what);

    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

/* --- the terms ------------------------------------------------------------ */

static bool
int_term(struct str s, int max, int *out)
{
    int64_t v = 0;

    if (!parse_i64(str_trim(s), 0, max, &v))
        return false;
    *out = (int)v;
    return true;
}

static bool
pct_term(struct str s, double *out)
{
    return parse_decimal(str_trim(s), 3, 2, out) && *out >= 0 && *out <= 100;
}

/* The request's terms: errors per field that is not a value at all. */
static bool
parse_terms(const struct contract_request *rq, struct contract_terms *t,
            cJSON *errors)
{
    bool ok = true;

    memset(t, 0, sizeof(*t));
    if (!parse_decimal(str_trim(rq->amount), 12, 2, &t->amount) ||
        !(t->amount > 0)) {
        cJSON_AddStringToObject(errors, "amount", "contracts.bad_amount");
        ok = false;
    }
    if (!int_term(rq->payment_term_days, 3650, &t->payment_term_days)) {
        cJSON_AddStringToObject(errors, "payment_term_days",
                                "contracts.bad_term");
        ok = false;
    }
    if (!pct_term(rq->prepay_pct, &t->prepay_pct)) {
        cJSON_AddStringToObject(errors, "prepay_pct", "contracts.bad_pct");
        ok = false;
    }
    if (!int_term(rq->delivery_days, 3650, &t->delivery_days)) {
        cJSON_AddStringToObject(errors, "delivery_days", "contracts.bad_term");
        ok = false;
    }
    if (!int_term(rq->warranty_months, 240, &t->warranty_months)) {
        cJSON_AddStringToObject(errors, "warranty_months",
                                "contracts.bad_term");
        ok = false;
    }
    if (!pct_term(rq->penalty_pct, &t->penalty_pct)) {
        cJSON_AddStringToObject(errors, "penalty_pct", "contracts.bad_pct");
        ok = false;
    }
    return ok;
}

/* --- the rules' decision ------------------------------------------------- */

static cJSON *
contract_facts(const struct contract_template *t,
               const struct contract_terms *k)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddNumberToObject(o, "amount", k->amount);
    cJSON_AddNumberToObject(o, "payment_term_days", k->payment_term_days);
    cJSON_AddNumberToObject(o, "prepay_pct", k->prepay_pct);
    cJSON_AddNumberToObject(o, "delivery_days", k->delivery_days);
    cJSON_AddNumberToObject(o, "warranty_months", k->warranty_months);
    cJSON_AddNumberToObject(o, "penalty_pct", k->penalty_pct);
    cJSON_AddStringToObject(o, "template", t->key);
    return o;
}

static cJSON *
customer_facts(const struct customer *c, const struct credit_facts *f)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddNumberToObject(o, "id", (double)c->id);
    cJSON_AddStringToObject(o, "name", c->name);
    cJSON_AddStringToObject(o, "kind", c->kind);
    cJSON_AddNumberToObject(o, "late_payments", f->late_payments);
    /* the name rule sets written before the facts were computed use */
    cJSON_AddNumberToObject(o, "late_payments_3m", f->late_payments);
    cJSON_AddNumberToObject(o, "max_days_late", f->max_days_late);
    cJSON_AddNumberToObject(o, "open_balance", f->open_balance);
    cJSON_AddNumberToObject(o, "overdue_balance", f->overdue_balance);
    cJSON_AddNumberToObject(o, "payments", f->payments);
    cJSON_AddNumberToObject(o, "window_days", f->window_days);
    return o;
}

/* Ask on_contract; d gets its answer and doc_json both the answer and the
 * facts it was given. */
APP_MUST_USE static enum app_err
decide(struct ctx *cx, const struct ruledesc *rd, const struct customer *c,
       const struct contract_template *t, const struct contract_terms *k,
       struct contract_decision *d)
{
    struct credit_facts f;
    char today[16];
    cJSON *args, *res = NULL, *doc, *ct, *cu;
    const cJSON *v;
    char *text;
    enum app_err rc;

    memset(d, 0, sizeof(*d));
    d->kind = d->message = "";
    tz_today(cx->tenant_tz, today, sizeof(today));
    rc = payments_credit(cx, c->id, today, rule_int(rd, "late_window_days", 90),
                         &f);
    if (rc != APP_OK)
        return rc;
    args = cJSON_CreateArray();
    ct = contract_facts(t, k);
    cu = customer_facts(c, &f);
    cJSON_AddItemToArray(args, ct);
    cJSON_AddItemToArray(args, cu);
    rc = ctx_incomplete(cx, "contract facts")
             ? APP_ENOMEM
             : rules_json(cx, "on_contract", args, &res);
    if (rc != APP_OK) {
        cJSON_Delete(args);
        return rc;
    }
    v = cJSON_GetObjectItemCaseSensitive(res, "approval");
    if (cJSON_IsString(v) && v->valuestring[0] != '\0') {
        d->approval = true;
        d->kind = arena_strdup(cx->a, v->valuestring);
    }
    v = cJSON_GetObjectItemCaseSensitive(res, "prepay");
    d->prepay = cJSON_IsNumber(v) && v->valuedouble > 0 && v->valuedouble <= 1
                    ? v->valuedouble
                    : 0;
    v = cJSON_GetObjectItemCaseSensitive(res, "message");
    if (cJSON_IsString(v))
        d->message = arena_strdup(cx->a, v->valuestring);
    doc = cJSON_CreateObject();
    cJSON_AddItemReferenceToObject(doc, "decision", res);
    cJSON_AddItemReferenceToObject(doc, "customer", cu);
    cJSON_AddItemReferenceToObject(doc, "contract", ct);
    text = cJSON_PrintUnformatted(doc);
    d->doc_json = text != NULL ? arena_strdup(cx->a, text) : NULL;
    cJSON_free(text);
    cJSON_Delete(doc);
    cJSON_Delete(res);
    cJSON_Delete(args);
    return d->doc_json != NULL && d->kind != NULL && d->message != NULL
               ? APP_OK
               : APP_ENOMEM;
}

/* Everything the draft needs, checked: customer, template, terms, the
 * decision.  No writes. */
struct checked {
    struct ruledesc rd;
    struct customer c;
    struct contract_template t;
    struct contract_terms terms;
};

APP_MUST_USE static enum app_err
check(struct ctx *cx, const struct contract_request *rq, cJSON *errors,
      struct checked *k, struct contract_decision *d)
{
    enum app_err rc = ruledesc_get(cx, &k->rd);

    memset(d, 0, sizeof(*d));
    d->kind = d->message = "";
    if (rc == APP_OK)
        rc = customers_get(cx, rq->customer_id, false, &k->c);
    if (rc == APP_OK)
        rc = templates_get(cx, rq->template_id, &k->t);
    if (rc == APP_OK && !k->t.active)
        rc = APP_ENOTFOUND;
    if (rc != APP_OK)
        return rc;
    if (!parse_terms(rq, &k->terms, errors))
        return APP_EVALIDATION;
    rc = templates_check_terms(&k->t, &k->terms, errors);
    if (rc != APP_OK && rc != APP_EVALIDATION)
        return rc;
    if (cJSON_GetArraySize(errors) > 0)
        return APP_EVALIDATION;
    rc = decide(cx, &k->rd, &k->c, &k->t, &k->terms, d);
    if (rc == APP_OK && d->prepay > 0 &&
        k->terms.prepay_pct + 1e-9 < d->prepay * 100) {
        cJSON *e = cJSON_CreateObject();

        cJSON_AddStringToObject(e, "key", "contracts.prepay_below");
        cJSON_AddNumberToObject(e, "n", round(d->prepay * 100));
        cJSON_AddItemToObject(errors, "prepay_pct", e);
        rc = APP_EVALIDATION;
    }
    return rc;
}

enum app_err
contracting_check(struct ctx *cx, const struct contract_request *rq,
                  cJSON *errors, struct contract_decision *d)
{
    struct checked k;
    enum app_err rc = check(cx, rq, errors, &k, d);

    if (rc == APP_EVALIDATION)
        cx->err_detail = "validate.failed";
    return rc;
}

/* --- the draft ------------------------------------------------------------ */

/* Finance's approval task for the draft. */
APP_MUST_USE static enum app_err
approval_task(struct ctx *cx, const struct customer *c, int64_t id,
              const struct contract_decision *d)
{
    struct task_input t;
    const char *lang = notice_locale(cx, 0);
    const char *number = contracts_number(cx, id);
    int64_t task = 0;
    bool created = false;
    enum app_err rc;

    memset(&t, 0, sizeof(t));
    t.kind = "approval";
    t.title = notice_fill(
        cx, notice_text(cx, lang, "contracts.approval_title"),
        (const char *const[]){ "number", number, "customer", c->name, NULL },
        TASK_TITLE_MAX);
    t.body =
        arena_printf(cx->a, "/contracts/%lld\n%s", (long long)id, d->message);
    t.priority = 1;
    t.assignee_role = "finance";
    t.object_kind = "customer";
    t.object_id = c->id;
    t.dedup_key = arena_printf(cx->a, "contract_approval:%lld", (long long)id);
    if (t.title == NULL || t.body == NULL || t.dedup_key == NULL)
        return APP_ENOMEM;
    rc = tasks_create(cx, &t, &task, &created);
    return rc == APP_OK ? contracts_set_task(cx, id, task) : rc;
}

APP_MUST_USE static enum app_err
audit(struct ctx *cx, const char *event, int64_t id, int64_t customer_id,
      const char *extra_key, const char *extra)
{
    cJSON *d = cJSON_CreateObject();
    enum app_err rc;

    if (d == NULL)
        return APP_ENOMEM;
    cJSON_AddNumberToObject(d, "contract", (double)id);
    cJSON_AddStringToObject(d, "number", contracts_number(cx, id));
    cJSON_AddNumberToObject(d, "customer", (double)customer_id);
    if (extra_key != NULL)
        cJSON_AddStringToObject(d, extra_key, extra);
    rc = audit_write(cx, cx->tenant_id, cx->user_id, 0, event, d);
    cJSON_Delete(d);
    return rc;
}

static const char *
dec_text(struct ctx *cx, double v)
{
    return arena_printf(cx->a, "%.2f", v);
}

enum app_err
contracting_draft(struct ctx *cx, const struct contract_request *rq,
                  cJSON *errors, struct contract_decision *d, int64_t *id)
{
    struct checked k;
    struct contract_text text;
    struct contract_row row;
    enum app_err rc = check(cx, rq, errors, &k, d);

    *id = 0;
    if (rc == APP_EVALIDATION)
        cx->err_detail = "validate.failed";
    if (rc != APP_OK)
        return rc;
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(cx->db, &tx, &rc);) {
        rc = customers_get(cx, rq->customer_id, true, &k.c);
        memset(&row, 0, sizeof(row));
        row.customer_id = k.c.id;
        row.template_id = k.t.id;
        row.amount = dec_text(cx, k.terms.amount);
        row.payment_term_days = k.terms.payment_term_days;
        row.prepay_pct = dec_text(cx, k.terms.prepay_pct);
        row.delivery_days = k.terms.delivery_days;
        row.warranty_months = k.terms.warranty_months;
        row.penalty_pct = dec_text(cx, k.terms.penalty_pct);
        row.decision = d->doc_json;
        row.approval_required = d->approval;
        /* The text names the contract by its number: make the row, then
         * resolve with the id it got. */
        row.body = "";
        row.clause_versions = "[]";
        if (rc == APP_OK)
            rc = contracts_insert(cx, &row, id);
        if (rc == APP_OK)
            rc = contract_resolve(cx, &k.t, &k.terms, k.c.name,
                                  contracts_number(cx, *id), &text);
        if (rc == APP_OK)
            rc = db_exec(cx->db,
                         "UPDATE contracts SET body = ?, clause_versions = ? "
                         "WHERE tenant_id = ? AND id = ?",
                         DB_ARGS(DB_CSTR(text.body),
                                 DB_CSTR(text.clause_versions),
                                 DB_I64(cx->tenant_id), DB_I64(*id)),
                         NULL, NULL);
        if (rc == APP_OK && d->approval)
            rc = approval_task(cx, &k.c, *id, d);
        if (rc == APP_OK)
            rc = audit(cx, "contract.draft", *id, k.c.id, "approval",
                       d->approval ? "required" : "none");
    }
    if (rc != APP_OK)
        *id = 0;
    return rc;
}

/* --- finance's decision --------------------------------------------------- */

APP_MUST_USE static enum app_err
tell_owner(struct ctx *cx, const struct contract *c, bool approved,
           const char *note)
{
    struct notice n;
    const char *lang = notice_locale(cx, c->owner_id);
    int64_t nid = 0;
    bool created = false;

    memset(&n, 0, sizeof(n));
    n.user_id = c->owner_id;
    n.kind = "system";
    n.title = notice_fill(
        cx,
        notice_text(cx, lang,
                    approved ? "contracts.approved_title"
                             : "contracts.rejected_title"),
        (const char *const[]){ "number", contracts_number(cx, c->id),
                               "customer", c->customer_name, NULL },
        TASK_TITLE_MAX);
    n.body = note;
    n.object_kind = "customer";
    n.object_id = c->customer_id;
    n.dedup_key =
        arena_printf(cx->a, "contract_decided:%lld", (long long)c->id);
    if (n.title == NULL || n.dedup_key == NULL)
        return APP_ENOMEM;
    return notify(cx, &n, &nid, &created);
}

enum app_err
contracting_decide(struct ctx *cx, int64_t id, bool approve, const char *note)
{
    struct contract c;
    size_t len;
    enum app_err rc;

    if ((cx->role & (ROLE_FINANCE | ROLE_ADMIN)) == 0)
        return APP_EFORBIDDEN;
    note = note != NULL ? note : "";
    len = strlen(note);
    if (!utf8_valid(note, len) || utf8_chars(note, len) > CONTRACT_NOTE_MAX) {
        cx->err_detail = "contracts.note_too_long";
        return APP_EVALIDATION;
    }
    if (!approve && str_trim((struct str){ note, len }).len == 0) {
        cx->err_detail = "contracts.note_required";
        return APP_EVALIDATION;
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(cx->db, &tx, &rc);) {
        rc = contracts_get(cx, id, true, &c);
        if (rc == APP_OK && (strcmp(c.approval, "required") != 0 ||
                             strcmp(c.status, "draft") != 0)) {
            cx->err_detail = "contracts.not_waiting";
            rc = APP_ECONFLICT;
        }
        if (rc == APP_OK)
            rc = contracts_set_approval(cx, id, approve, note);
        if (rc == APP_OK && c.approval_task_id > 0) {
            rc = tasks_close(cx, c.approval_task_id,
                             approve ? "done" : "cancelled", note);
            if (rc == APP_ECONFLICT || rc == APP_ENOTFOUND)
                rc = APP_OK; /* closed by hand already */
        }
        if (rc == APP_OK)
            rc = tell_owner(cx, &c, approve, note);
        if (rc == APP_OK)
            rc = audit(cx, "contract.decide", id, c.customer_id, "decision",
                       approve ? "approved" : "rejected");
    }
    return rc;
}

/* --- signing -------------------------------------------------------------- */

static void
block(struct contract_blocks *b, const char *key, const char *name,
      const char *state)
{
    if (b->n == CONTRACT_BLOCKS_MAX)
        return;
    b->item[b->n].key = key;
    b->item[b->n].name = name;
    b->item[b->n].state = state;
    b->n++;
}

APP_MUST_USE static enum app_err
blocks_of(struct ctx *cx, const struct contract *c, struct contract_blocks *b)
{
    struct ruledesc rd;
    struct customer cu;
    struct qual_status st;
    size_t i;
    enum app_err rc;

    if (strcmp(c->status, "draft") != 0)
        block(b, "contracts.not_draft", NULL, NULL);
    if (strcmp(c->approval, "required") == 0)
        block(b, "contracts.approval_pending", NULL, NULL);
    if (strcmp(c->approval, "rejected") == 0)
        block(b, "contracts.approval_rejected", NULL, NULL);
    rc = ruledesc_get(cx, &rd);
    if (rc != APP_OK || !rule_flag(&rd, "require_qualified", true))
        return rc;
    rc = customers_get(cx, c->customer_id, false, &cu);
    if (rc == APP_OK)
        rc = qual_status_of(cx, &rd, &cu, false, &st);
    for (i = 0; rc == APP_OK && i < st.n; i++) {
        if (st.item[i].state == QS_APPROVED)
            continue;
        block(b, arena_printf(cx->a, "qualification:%s", st.item[i].type),
              ruledesc_name(cx, st.item[i].def),
              qual_state_name(st.item[i].state));
    }
    return rc;
}

enum app_err
contracting_sign(struct ctx *cx, int64_t id, struct contract_blocks *blocks)
{
    struct contract c;
    enum app_err rc;

    memset(blocks, 0, sizeof(*blocks));
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(cx->db, &tx, &rc);) {
        blocks->n = 0;
        /* The customer's row first (the lock order), then the contract's;
         * only the customer's scope signs (finance sees, not signs). */
        rc = contracts_get(cx, id, false, &c);
        if (rc == APP_OK)
            rc =
                customers_get(cx, c.customer_id, true, &(struct customer){ 0 });
        if (rc == APP_OK)
            rc = contracts_get(cx, id, true, &c);
        if (rc == APP_OK)
            rc = blocks_of(cx, &c, blocks);
        if (rc == APP_OK && blocks->n > 0)
            rc = APP_ECONFLICT;
        if (rc == APP_OK)
            rc = contracts_set_status(cx, id, "signed");
        if (rc == APP_OK)
            rc = audit(cx, "contract.sign", id, c.customer_id, NULL, NULL);
        if (rc == APP_OK)
            rc = ctx_emit(cx, "contract.signed", "contract", id);
    }
    return rc;
}

enum app_err
contracting_cancel(struct ctx *cx, int64_t id)
{
    struct contract c;
    enum app_err rc;

    for (struct db_tx tx = DB_TX_INIT; db_tx_next(cx->db, &tx, &rc);) {
        rc = contracts_get(cx, id, false, &c);
        if (rc == APP_OK) /* finance may see it, not cancel it */
            rc =
                customers_get(cx, c.customer_id, true, &(struct customer){ 0 });
        if (rc == APP_OK)
            rc = contracts_get(cx, id, true, &c);
        if (rc == APP_OK)
            rc = contracts_set_status(cx, id, "cancelled");
        if (rc == APP_ECONFLICT)
            cx->err_detail = "contracts.not_draft";
        if (rc == APP_OK && c.approval_task_id > 0) {
            rc = tasks_close(cx, c.approval_task_id, "cancelled",
                             "contract cancelled");
            if (rc == APP_ECONFLICT || rc == APP_ENOTFOUND)
                rc = APP_OK;
        }
        if (rc == APP_OK)
            rc = audit(cx, "contract.cancel", id, c.customer_id, NULL, NULL);
    }
    return rc;
}
