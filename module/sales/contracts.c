/*
 * contracts.c -- a customer's contracts (contracts.h).
 */
#include "sales/contracts.h"

#include <string.h>

#include "identity/access.h"
#include "identity/role.h"

/* clang-format off */
#define CONTRACT_COLS                                                          \
    "k.id, k.customer_id, c.owner_id, k.template_id, "                        \
    "COALESCE(k.approval_task_id, 0), k.version, c.name, k.status, "          \
    "k.approval, k.approval_note, COALESCE(ua.display_name, ''), "            \
    "COALESCE(k.approved_at, ''), k.amount, k.payment_term_days, "            \
    "k.prepay_pct, k.delivery_days, k.warranty_months, k.penalty_pct, "       \
    "k.body, k.clause_versions, k.decision, t.name, t.version, "              \
    "COALESCE(uc.display_name, ''), k.created_at, "                           \
    "COALESCE(us.display_name, ''), COALESCE(k.signed_at, '') "               \
    "FROM contracts k JOIN customers c ON c.id = k.customer_id "              \
    "AND c.tenant_id = k.tenant_id JOIN contract_templates t ON "             \
    "t.id = k.template_id AND t.tenant_id = k.tenant_id "                     \
    "LEFT JOIN users ua ON ua.id = k.approved_by AND ua.tenant_id = "         \
    "k.tenant_id LEFT JOIN users uc ON uc.id = k.created_by AND "             \
    "uc.tenant_id = k.tenant_id LEFT JOIN users us ON us.id = k.signed_by "   \
    "AND us.tenant_id = k.tenant_id "
/* The customer's scope, or finance's queue. */
#define CONTRACT_SCOPE                                                         \
    "(? = 1 OR c.owner_id IN (SELECT descendant_id FROM user_tree WHERE "     \
    "tenant_id = ? AND ancestor_id = ?) OR (? = 1 AND k.approval <> 'none'))"

static const char SQL_GET[] =
    "SELECT " CONTRACT_COLS "WHERE k.tenant_id = ? AND k.id = ? AND "
    CONTRACT_SCOPE;
static const char SQL_GET_LOCK[] =
    "SELECT " CONTRACT_COLS "WHERE k.tenant_id = ? AND k.id = ? AND "
    CONTRACT_SCOPE " FOR UPDATE";
/* clang-format on */
static const char SQL_OF[] =
    "SELECT " CONTRACTS_SQL_OF_SELECT " " CONTRACTS_SQL_OF_REST;
static const char SQL_AWAITING[] =
    "SELECT k.id, c.id, c.name, k.amount, k.created_at, "
    "COALESCE(u.display_name, '') FROM contracts k JOIN customers c ON "
    "c.id = k.customer_id AND c.tenant_id = k.tenant_id LEFT JOIN users u "
    "ON u.id = c.owner_id AND u.tenant_id = c.tenant_id WHERE "
    "k.tenant_id = ? AND k.approval = 'required' AND k.status = 'draft' "
    "ORDER BY k.id LIMIT 200";
static const char SQL_EXPORT[] =
    "SELECT k.id, c.name, t.name, k.amount, k.payment_term_days, "
    "k.prepay_pct, k.delivery_days, k.warranty_months, k.penalty_pct, "
    "k.status, k.approval, k.created_at, COALESCE(k.signed_at, '') FROM "
    "contracts k JOIN customers c ON c.id = k.customer_id AND c.tenant_id = "
    "k.tenant_id JOIN contract_templates t ON t.id = k.template_id AND "
    "t.tenant_id = k.tenant_id WHERE k.tenant_id = ? AND " CONTRACT_SCOPE
    " ORDER BY k.id LIMIT 20000";
static const char SQL_INSERT[] =
    "INSERT INTO contracts (tenant_id, customer_id, template_id, amount, "
    "payment_term_days, prepay_pct, delivery_days, warranty_months, "
    "penalty_pct, body, clause_versions, decision, approval, created_by, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "UTC_TIMESTAMP(3))";
static const char SQL_TASK[] =
    "UPDATE contracts SET approval_task_id = ? WHERE tenant_id = ? AND id = ?";
static const char SQL_APPROVAL[] =
    "UPDATE contracts SET approval = ?, approval_note = ?, approved_by = ?, "
    "approved_at = UTC_TIMESTAMP(3), version = version + 1 WHERE "
    "tenant_id = ? AND id = ? AND approval = 'required' AND status = 'draft'";
static const char SQL_STATUS[] =
    "UPDATE contracts SET status = ?, signed_by = IF(? = 'signed', ?, "
    "signed_by), signed_at = IF(? = 'signed', UTC_TIMESTAMP(3), signed_at), "
    "version = version + 1 WHERE tenant_id = ? AND id = ? AND "
    "status = 'draft'";

const char *
contracts_number(struct ctx *cx, int64_t id)
{
    return arena_printf(cx->a, "HT-%06lld", (long long)id);
}

static void
row_of(const struct db_res *r, struct contract *c)
{
    c->id = db_int(r, 0, 0, 0);
    c->customer_id = db_int(r, 0, 1, 0);
    c->owner_id = db_int(r, 0, 2, 0);
    c->template_id = db_int(r, 0, 3, 0);
    c->approval_task_id = db_int(r, 0, 4, 0);
    c->version = db_int(r, 0, 5, 0);
    c->customer_name = db_text(r, 0, 6);
    c->status = db_text(r, 0, 7);
    c->approval = db_text(r, 0, 8);
    c->approval_note = db_text(r, 0, 9);
    c->approved_by = db_text(r, 0, 10);
    c->approved_at = db_text(r, 0, 11);
    c->amount = db_text(r, 0, 12);
    c->payment_term_days = (int)db_int(r, 0, 13, 0);
    c->prepay_pct = db_text(r, 0, 14);
    c->delivery_days = (int)db_int(r, 0, 15, 0);
    c->warranty_months = (int)db_int(r, 0, 16, 0);
    c->penalty_pct = db_text(r, 0, 17);
    c->body = db_text(r, 0, 18);
    c->clause_versions = db_text(r, 0, 19);
    c->decision = db_text(r, 0, 20);
    c->template_name = db_text(r, 0, 21);
    c->template_version = (int)db_int(r, 0, 22, 0);
    c->created_by = db_text(r, 0, 23);
    c->created_at = db_text(r, 0, 24);
    c->signed_by = db_text(r, 0, 25);
    c->signed_at = db_text(r, 0, 26);
}

enum app_err
contracts_get(struct ctx *cx, int64_t id, bool for_update, struct contract *c)
{
    struct db_res res;
    int64_t root, all;
    enum app_err rc;

    access_scope(cx, &root, &all);
    rc = db_query(cx->db, cx->a, for_update ? SQL_GET_LOCK : SQL_GET,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id), DB_I64(all),
                          DB_I64(cx->tenant_id), DB_I64(root),
                          DB_I64((cx->role & ROLE_FINANCE) != 0)),
                  1, &res);
    if (rc != APP_OK)
        return rc;
    if (res.nrows == 0)
        return APP_ENOTFOUND;
    row_of(&res, c);
    return APP_OK;
}

enum app_err
contracts_export(struct ctx *cx, struct db_res *out)
{
    int64_t root, all;

    access_scope(cx, &root, &all);
    return db_query(cx->db, cx->a, SQL_EXPORT,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(all),
                            DB_I64(cx->tenant_id), DB_I64(root),
                            DB_I64((cx->role & ROLE_FINANCE) != 0)),
                    CONTRACTS_EXPORT_MAX, out);
}

void
contracts_of_part(struct ctx *cx, int64_t customer_id, struct db_part *p)
{
    *p = (struct db_part){ .sql = SQL_OF,
                           .args = { DB_I64(cx->tenant_id),
                                     DB_I64(customer_id) },
                           .nargs = 2,
                           .max_rows = CONTRACTS_LIST_MAX,
                           .ncols = CONTRACTS_SQL_OF_NCOLS };
}

enum app_err
contracts_of(struct ctx *cx, int64_t customer_id, struct db_res *out)
{
    struct db_part p;

    contracts_of_part(cx, customer_id, &p);
    return db_query(cx->db, cx->a, p.sql, p.args, p.nargs, p.max_rows, out);
}

enum app_err
contracts_awaiting(struct ctx *cx, struct db_res *out)
{
    if ((cx->role & (ROLE_FINANCE | ROLE_ADMIN)) == 0)
        return APP_EFORBIDDEN;
    return db_query(cx->db, cx->a, SQL_AWAITING, DB_ARGS(DB_I64(cx->tenant_id)),
                    CONTRACTS_LIST_MAX, out);
}

enum app_err
contracts_insert(struct ctx *cx, const struct contract_row *row, int64_t *id)
{
    uint64_t last = 0;
    enum app_err rc = db_exec(
        cx->db, SQL_INSERT,
        DB_ARGS(DB_I64(cx->tenant_id), DB_I64(row->customer_id),
                DB_I64(row->template_id), DB_CSTR(row->amount),
                DB_I64(row->payment_term_days), DB_CSTR(row->prepay_pct),
                DB_I64(row->delivery_days), DB_I64(row->warranty_months),
                DB_CSTR(row->penalty_pct), DB_CSTR(row->body),
                DB_CSTR(row->clause_versions), DB_CSTR(row->decision),
                DB_CSTR(row->approval_required ? "required" : "none"),
                DB_I64(cx->user_id)),
        NULL, &last);

    *id = rc == APP_OK ? (int64_t)last : 0;
    return rc;
}

enum app_err
contracts_set_task(struct ctx *cx, int64_t id, int64_t task_id)
{
    return db_exec(cx->db, SQL_TASK,
                   DB_ARGS(DB_I64(task_id), DB_I64(cx->tenant_id), DB_I64(id)),
                   NULL, NULL);
}

enum app_err
contracts_set_approval(struct ctx *cx, int64_t id, bool approved,
                       const char *note)
{
    uint64_t n = 0;
    enum app_err rc = db_exec(
        cx->db, SQL_APPROVAL,
        DB_ARGS(DB_CSTR(approved ? "approved" : "rejected"), DB_CSTR(note),
                DB_I64(cx->user_id), DB_I64(cx->tenant_id), DB_I64(id)),
        &n, NULL);

    return rc == APP_OK && n == 0 ? APP_ECONFLICT : rc;
}

enum app_err
contracts_set_status(struct ctx *cx, int64_t id, const char *status)
{
    uint64_t n = 0;
    enum app_err rc =
        db_exec(cx->db, SQL_STATUS,
                DB_ARGS(DB_CSTR(status), DB_CSTR(status), DB_I64(cx->user_id),
                        DB_CSTR(status), DB_I64(cx->tenant_id), DB_I64(id)),
                &n, NULL);

    return rc == APP_OK && n == 0 ? APP_ECONFLICT : rc;
}
