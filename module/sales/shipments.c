/*
 * shipments.c -- shipments and the countdown that freezes outbound
 * (shipments.h).
 */
#include "sales/shipments.h"

#include <stdio.h>
#include <string.h>

#include "base/num.h"
#include "identity/access.h"
#include "base/tz.h"
#include "base/validate.h"
#include "db/audit.h"
#include "sales/contracts.h"
#include "sales/customers.h"
#include "sales/files.h"

/* clang-format off */
#define SHIP_COLS                                                              \
    "s.id, s.contract_id, s.customer_id, COALESCE(s.form_file_id, 0), "       \
    "s.planned_at, s.goods, s.quantity, s.status, COALESCE(s.form_at, ''), "  \
    "COALESCE(s.frozen_at, ''), COALESCE(s.released_at, '') "                 \
    "FROM shipments s "
/* clang-format on */
static const char SQL_OF[] =
    "SELECT " SHIP_COLS "WHERE s.tenant_id = ? AND s.contract_id = ? "
    "ORDER BY s.planned_at, s.id LIMIT 200";
static const char SQL_ONE[] =
    "SELECT " SHIP_COLS "WHERE s.tenant_id = ? AND s.id = ?";
static const char SQL_LOCK[] =
    "SELECT " SHIP_COLS "WHERE s.tenant_id = ? AND s.id = ? FOR UPDATE";
static const char SQL_ADD[] =
    "INSERT INTO shipments (tenant_id, contract_id, customer_id, planned_at, "
    "goods, quantity, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
    "UTC_TIMESTAMP(3))";
static const char SQL_FORM[] =
    "UPDATE shipments SET form_file_id = ?, form_at = UTC_TIMESTAMP(3) "
    "WHERE tenant_id = ? AND id = ?";
static const char SQL_FROZEN[] =
    "UPDATE shipments SET frozen_at = ? WHERE tenant_id = ? AND id = ? AND "
    "frozen_at IS NULL";
static const char SQL_RELEASE[] =
    "UPDATE shipments SET status = 'released', released_by = ?, "
    "released_at = UTC_TIMESTAMP(3) WHERE tenant_id = ? AND id = ? AND "
    "status = 'planned'";
/* Planned, no form, the deadline (planned - hours) passed, not recorded. */
static const char SQL_NEW_FREEZES[] =
    "SELECT id, customer_id, contract_id FROM shipments WHERE tenant_id = ? "
    "AND status = 'planned' AND form_file_id IS NULL AND frozen_at IS NULL "
    "AND planned_at <= ? LIMIT 1000";
static const char SQL_DUE_FORMS[] =
    "SELECT s.id, s.contract_id, c.id, c.name, c.owner_id, s.planned_at, "
    "s.goods FROM shipments s JOIN customers c ON c.id = s.customer_id AND "
    "c.tenant_id = s.tenant_id WHERE s.tenant_id = ? AND s.status = "
    "'planned' AND s.form_file_id IS NULL AND s.planned_at <= ? AND "
    "s.planned_at > ? ORDER BY s.id LIMIT 5000";

static const char SQL_EXPORT[] =
    "SELECT s.contract_id, c.name, s.planned_at, s.goods, s.quantity, "
    "s.form_file_id IS NOT NULL, s.status, COALESCE(s.frozen_at, ''), "
    "COALESCE(s.released_at, '') FROM shipments s JOIN customers c ON "
    "c.id = s.customer_id AND c.tenant_id = s.tenant_id WHERE s.tenant_id = ? "
    "AND (? = 1 OR c.owner_id IN (SELECT descendant_id FROM user_tree WHERE "
    "tenant_id = ? AND ancestor_id = ?)) ORDER BY s.planned_at, s.id "
    "LIMIT 20000";

static void
row_of(const struct db_res *r, size_t i, struct shipment *s)
{
    s->id = db_int(r, i, 0, 0);
    s->contract_id = db_int(r, i, 1, 0);
    s->customer_id = db_int(r, i, 2, 0);
    s->form_file_id = db_int(r, i, 3, 0);
    s->planned_at = db_text(r, i, 4);
    s->goods = db_text(r, i, 5);
    s->quantity = db_int(r, i, 6, 0);
    s->status = db_text(r, i, 7);
    s->form_at = db_text(r, i, 8);
    s->frozen_at = db_text(r, i, 9);
    s->released_at = db_text(r, i, 10);
}

static void
judge(struct shipment *s, int hours, time_t now)
{
    time_t planned = tz_parse_utc(s->planned_at);

    s->deadline = planned - (time_t)hours * 3600;
    s->frozen = strcmp(s->status, "planned") == 0 && s->form_file_id == 0 &&
                now >= s->deadline;
}

/* The shipment's customer in scope (APP_ENOTFOUND otherwise). */
APP_MUST_USE static enum app_err
in_scope(struct ctx *cx, const struct shipment *s, bool lock)
{
    struct customer c;

    return customers_get(cx, s->customer_id, lock, &c);
}

/* Two digits at p ("07" too), or -1. */
static int
two_digits(const char *p)
{
    return p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9'
               ? (p[0] - '0') * 10 + (p[1] - '0')
               : -1;
}

/* A local "YYYY-MM-DD HH:MM" (or with a T, as a datetime-local field
 * sends it) as UTC text, or NULL. */
static const char *
utc_of_local(struct ctx *cx, struct str local)
{
    struct tm tm;
    int h, mi;
    char out[32];
    time_t t;

    local = str_trim(local);
    memset(&tm, 0, sizeof(tm));
    if (local.len != 16 || (local.p[10] != ' ' && local.p[10] != 'T') ||
        local.p[13] != ':' ||
        !parse_date((struct str){ local.p, 10 }, &tm.tm_year, &tm.tm_mon,
                    &tm.tm_mday))
        return NULL;
    h = two_digits(local.p + 11);
    mi = two_digits(local.p + 14);
    if (h < 0 || h > 23 || mi < 0 || mi > 59)
        return NULL;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_hour = (int)h;
    tm.tm_min = (int)mi;
    tm.tm_isdst = -1;
    t = tz_mktime(cx->tenant_tz, &tm);
    return t > 0 ? arena_strdup(cx->a, tz_utc_text(t, out, sizeof(out))) : NULL;
}

APP_MUST_USE static enum app_err
audit(struct ctx *cx, const char *event, const struct shipment *s)
{
    cJSON *d = cJSON_CreateObject();
    enum app_err rc;

    if (d == NULL)
        return APP_ENOMEM;
    cJSON_AddNumberToObject(d, "shipment", (double)s->id);
    cJSON_AddNumberToObject(d, "contract", (double)s->contract_id);
    cJSON_AddStringToObject(d, "number", contracts_number(cx, s->contract_id));
    cJSON_AddNumberToObject(d, "customer", (double)s->customer_id);
    cJSON_AddStringToObject(d, "goods", s->goods);
    rc = audit_write(cx, cx->tenant_id, cx->user_id, 0, event, d);
    cJSON_Delete(d);
    return rc;
}

enum app_err
shipments_add(struct ctx *cx, int64_t contract_id, struct str planned_local,
              struct str goods, struct str quantity, cJSON *errors, int64_t *id)
{
    struct contract k;
    const char *planned = utc_of_local(cx, planned_local);
    struct str g = str_trim(goods);
    int64_t qty = 0;
    uint64_t last = 0;
    enum app_err rc = contracts_get(cx, contract_id, false, &k);

    *id = 0;
    if (rc == APP_OK)
        rc = customers_get(cx, k.customer_id, false, &(struct customer){ 0 });
    if (rc != APP_OK)
        return rc;
    if (planned == NULL)
        cJSON_AddStringToObject(errors, "planned_at", "shipments.bad_time");
    if (g.len == 0 || !utf8_valid(g.p, g.len) ||
        utf8_chars(g.p, g.len) > SHIP_GOODS_MAX ||
        memchr(g.p, '\n', g.len) != NULL)
        cJSON_AddStringToObject(errors, "goods", "shipments.bad_goods");
    if (!parse_i64(str_trim(quantity), 1, SHIP_QTY_MAX, &qty))
        cJSON_AddStringToObject(errors, "quantity", "shipments.bad_qty");
    if (cJSON_GetArraySize(errors) > 0) {
        cx->err_detail = "validate.failed";
        return APP_EVALIDATION;
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(cx->db, &tx, &rc);) {
        rc = customers_get(cx, k.customer_id, true, &(struct customer){ 0 });
        if (rc == APP_OK)
            rc = contracts_get(cx, contract_id, true, &k);
        if (rc == APP_OK && strcmp(k.status, "signed") != 0) {
            cx->err_detail = "shipments.not_signed";
            rc = APP_ECONFLICT;
        }
        if (rc == APP_OK)
            rc = db_exec(cx->db, SQL_ADD,
                         DB_ARGS(DB_I64(cx->tenant_id), DB_I64(contract_id),
                                 DB_I64(k.customer_id), DB_CSTR(planned),
                                 DB_STR(g), DB_I64(qty), DB_I64(cx->user_id)),
                         NULL, &last);
    }
    *id = rc == APP_OK ? (int64_t)last : 0;
    return rc;
}

enum app_err
shipments_of(struct ctx *cx, int64_t contract_id, int ship_doc_hours,
             time_t now, struct shipment **out, size_t *n)
{
    struct contract k;
    struct db_res r;
    size_t i;
    enum app_err rc = contracts_get(cx, contract_id, false, &k);

    *out = NULL;
    *n = 0;
    if (rc == APP_OK)
        rc = db_query(cx->db, cx->a, SQL_OF,
                      DB_ARGS(DB_I64(cx->tenant_id), DB_I64(contract_id)),
                      SHIPMENTS_MAX, &r);
    if (rc != APP_OK)
        return rc;
    *out = arena_calloc(cx->a, r.nrows + 1, sizeof(**out));
    if (*out == NULL)
        return APP_ENOMEM;
    for (i = 0; i < r.nrows; i++) {
        row_of(&r, i, &(*out)[i]);
        judge(&(*out)[i], ship_doc_hours, now);
    }
    *n = r.nrows;
    return APP_OK;
}

enum app_err
shipments_get(struct ctx *cx, int64_t id, int ship_doc_hours, time_t now,
              struct shipment *out)
{
    struct db_res r;
    enum app_err rc =
        db_query(cx->db, cx->a, SQL_ONE,
                 DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), 1, &r);

    if (rc != APP_OK)
        return rc;
    if (r.nrows == 0)
        return APP_ENOTFOUND;
    row_of(&r, 0, out);
    judge(out, ship_doc_hours, now);
    return in_scope(cx, out, false);
}

enum app_err
shipments_form(struct ctx *cx, int64_t id, const struct upload *file,
               int64_t *file_id)
{
    struct shipment s;
    struct db_res r;
    const char *mime = file != NULL ? files_sniff_upload(file) : NULL;
    enum app_err rc = shipments_get(cx, id, 0, 0, &s);

    *file_id = 0;
    if (rc != APP_OK)
        return rc;
    if (mime == NULL || !files_fits_kind("document", mime) ||
        strncmp(mime, "text/", 5) == 0) {
        cx->err_detail = "shipments.bad_form";
        return APP_EVALIDATION;
    }
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(cx->db, &tx, &rc);) {
        rc = in_scope(cx, &s, true);
        if (rc == APP_OK)
            rc = db_query(cx->db, cx->a, SQL_LOCK,
                          DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), 1, &r);
        if (rc == APP_OK)
            rc = files_store(cx, file, s.customer_id, file_id, &mime);
        if (rc == APP_OK)
            rc = db_exec(
                cx->db, SQL_FORM,
                DB_ARGS(DB_I64(*file_id), DB_I64(cx->tenant_id), DB_I64(id)),
                NULL, NULL);
        if (rc == APP_OK)
            rc = audit(cx, "shipment.form", &s);
    }
    return rc;
}

/* The freeze recorded and audited, once. */
APP_MUST_USE static enum app_err
record_freeze(struct ctx *cx, const struct shipment *s, time_t now,
              bool *recorded)
{
    char at[32];
    uint64_t n = 0;
    enum app_err rc = db_exec(cx->db, SQL_FROZEN,
                              DB_ARGS(DB_CSTR(tz_utc_text(now, at, sizeof(at))),
                                      DB_I64(cx->tenant_id), DB_I64(s->id)),
                              &n, NULL);

    *recorded = n > 0;
    return rc == APP_OK && n > 0 ? audit(cx, "shipment.freeze", s) : rc;
}

enum app_err
shipments_release(struct ctx *cx, int64_t id, int ship_doc_hours, time_t now,
                  struct shipment *out)
{
    struct db_res r;
    bool frozen = false, recorded = false;
    enum app_err rc = shipments_get(cx, id, ship_doc_hours, now, out);

    if (rc != APP_OK)
        return rc;
    for (struct db_tx tx = DB_TX_INIT; db_tx_next(cx->db, &tx, &rc);) {
        frozen = false;
        rc = in_scope(cx, out, true);
        if (rc == APP_OK)
            rc = db_query(cx->db, cx->a, SQL_LOCK,
                          DB_ARGS(DB_I64(cx->tenant_id), DB_I64(id)), 1, &r);
        if (rc == APP_OK) {
            row_of(&r, 0, out);
            judge(out, ship_doc_hours, now);
            frozen = out->frozen;
        }
        if (rc == APP_OK && strcmp(out->status, "planned") != 0) {
            cx->err_detail = "shipments.not_planned";
            rc = APP_ECONFLICT;
        }
        /* Frozen: the freeze is recorded (this transaction commits it),
         * the release is refused after. */
        if (rc == APP_OK && frozen)
            rc = record_freeze(cx, out, now, &recorded);
        else if (rc == APP_OK)
            rc = db_exec(
                cx->db, SQL_RELEASE,
                DB_ARGS(DB_I64(cx->user_id), DB_I64(cx->tenant_id), DB_I64(id)),
                NULL, NULL);
        if (rc == APP_OK && !frozen)
            rc = audit(cx, "shipment.release", out);
    }
    if (rc == APP_OK && frozen) {
        cx->err_detail = "shipments.outbound_frozen";
        return APP_ECONFLICT;
    }
    if (rc == APP_OK) { /* what it is now */
        out->status = "released";
        out->frozen = false;
    }
    return rc;
}

enum app_err
shipments_record_freezes(struct ctx *cx, int ship_doc_hours, time_t now,
                         size_t *n)
{
    char until[32];
    struct db_res r;
    size_t i;
    enum app_err rc;

    *n = 0;
    tz_utc_text(now + (time_t)ship_doc_hours * 3600, until, sizeof(until));
    rc = db_query(cx->db, cx->a, SQL_NEW_FREEZES,
                  DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(until)), 1000, &r);
    for (i = 0; rc == APP_OK && i < r.nrows; i++) {
        struct shipment s;
        struct db_tx tx = DB_TX_INIT;
        bool recorded = false;

        memset(&s, 0, sizeof(s));
        s.id = db_int(&r, i, 0, 0);
        s.customer_id = db_int(&r, i, 1, 0);
        s.contract_id = db_int(&r, i, 2, 0);
        s.goods = "";
        while (db_tx_next(cx->db, &tx, &rc))
            rc = record_freeze(cx, &s, now, &recorded);
        *n += recorded;
    }
    return rc;
}

enum app_err
shipments_due_forms(struct ctx *cx, int ship_doc_hours, time_t now, int hours,
                    struct db_res *out)
{
    char until[32], after[32];

    tz_utc_text(now + (time_t)hours * 3600, until, sizeof(until));
    tz_utc_text(now + (time_t)ship_doc_hours * 3600, after, sizeof(after));
    return db_query(
        cx->db, cx->a, SQL_DUE_FORMS,
        DB_ARGS(DB_I64(cx->tenant_id), DB_CSTR(until), DB_CSTR(after)), 5000,
        out);
}

enum app_err
shipments_export(struct ctx *cx, struct db_res *out)
{
    int64_t root, all;

    access_scope(cx, &root, &all);
    return db_query(cx->db, cx->a, SQL_EXPORT,
                    DB_ARGS(DB_I64(cx->tenant_id), DB_I64(all),
                            DB_I64(cx->tenant_id), DB_I64(root)),
                    SHIPMENTS_EXPORT_MAX, out);
}
